/*
 * virt.h — the AArch64 "virt" board (QEMU's virt memory map and device tree).
 *
 * Files: hw/arm/virt.c (memory map, devices, CPU wiring, boot, reset),
 * hw/arm/virt-fdt.c (device tree, -dtb patching, dumpdtb),
 * hw/arm/virt-psci.c (PSCI 1.0 firmware answered in C through the HVC conduit).
 * docs/virt.md is the reference for what the guest sees.
 */
#ifndef HW_ARM_VIRT_H
#define HW_ARM_VIRT_H

#include <stddef.h>
#include <stdint.h>

#include "hw/char/pl011.h"
#include "hw/intc/arm_gicv3.h"
#include "hw/rtc/pl031.h"
#include "hw/virtio/virtio-mmio.h"
#include "system/machine.h"

/* Memory map (QEMU hw/arm/virt.c base_memmap / extended_memmap) */
#define VIRT_GIC_DIST ((uint64_t)0x08000000)
#define VIRT_GIC_REDIST ((uint64_t)0x080a0000)
#define VIRT_GIC_REDIST_SIZE ((uint64_t)0x00f60000) /* 123 redistributors */
#define VIRT_UART ((uint64_t)0x09000000)
#define VIRT_RTC ((uint64_t)0x09010000)
#define VIRT_MMIO ((uint64_t)0x0a000000)
#define VIRT_MMIO_COUNT 32
#define VIRT_MEM ((uint64_t)0x40000000)
#define VIRT_HIGH_GIC_REDIST2 ((uint64_t)0x4000000000) /* 64 MiB: cores 123.. */
#define VIRT_HIGH_GIC_REDIST2_SIZE ((uint64_t)0x4000000)
#define VIRT_MAX_RAM (VIRT_HIGH_GIC_REDIST2 - VIRT_MEM) /* 255 GiB */

/* SPI numbers (INTID - 32) */
#define VIRT_UART_SPI 1
#define VIRT_RTC_SPI 2
#define VIRT_MMIO_SPI 16 /* + slot */
#define VIRT_NUM_SPIS 256

/* PPIs (INTIDs) of the generic timers, Arm BSA: secure 29, phys 30, virt 27, hyp 26 */
#define VIRT_PPI_TIMER_SEC 29
#define VIRT_PPI_TIMER_PHYS 30
#define VIRT_PPI_TIMER_VIRT 27
#define VIRT_PPI_TIMER_HYP 26

/* PSCI 1.0 (Arm DEN 0022D) */
#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND_32 0x84000001u
#define PSCI_CPU_SUSPEND_64 0xc4000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_32 0x84000003u
#define PSCI_CPU_ON_64 0xc4000003u
#define PSCI_AFFINITY_INFO_32 0x84000004u
#define PSCI_AFFINITY_INFO_64 0xc4000004u
#define PSCI_MIGRATE_32 0x84000005u
#define PSCI_MIGRATE_64 0xc4000005u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMS (-2)
#define PSCI_RET_DENIED (-3)
#define PSCI_RET_ALREADY_ON (-4)
#define PSCI_RET_ON_PENDING (-5)
#define PSCI_RET_INTERNAL_FAILURE (-6)
#define PSCI_RET_NOT_PRESENT (-7)
#define PSCI_RET_DISABLED (-8)
#define PSCI_RET_INVALID_ADDRESS (-9)

enum { VIRT_CPU_OFF = 0, VIRT_CPU_ON = 1 };

typedef struct VirtBoard {
    Machine *m;
    GICv3State *gic;
    PL011State *uart;
    PL031State *rtc;
    VirtIOMMIOState *mmio[VIRT_MMIO_COUNT];
    uint64_t mpidr[MAX_CPUS];       /* MPIDR_EL1 of each core (affinity bits) */
    uint32_t power[MAX_CPUS];       /* VIRT_CPU_OFF/ON, atomics (PSCI) */
    /* boot layout, filled by virt_load_boot_images() */
    uint64_t entry, image_end;
    uint64_t initrd_start, initrd_size;
    uint64_t dtb_addr;
    void *fdt;
    size_t fdt_size;
} VirtBoard;

/* virt-fdt.c: build (or load with -dtb and patch) the device tree into b->fdt. */
bool virt_build_fdt(VirtBoard *b);
/* Write b->fdt to path (dumpdtb); false with an error line on failure. */
bool virt_dump_fdt(VirtBoard *b, const char *path);

/* virt-psci.c: the HVC/SMC conduit (ARMConduitFn), opaque = VirtBoard*. */
uint64_t virt_psci_call(void *opaque, CPUState *cpu, const uint64_t args[4]);
/* The core index whose MPIDR affinity matches, or -1. */
int virt_cpu_by_mpidr(VirtBoard *b, uint64_t mpidr);

#endif
