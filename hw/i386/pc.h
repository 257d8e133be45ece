/*
 * pc.h — the x86-64 "pc" machine: the contract between the board
 * (hw/i386/pc.c), its ACPI tables (hw/i386/acpi-*.c), the x86-only
 * interrupt controllers (hw/i386/apic.c, ioapic.c, i8259.c), and the
 * target-independent devices it wires (hw/timer/i8254.c, hpet.c,
 * hw/rtc/mc146818.c, hw/char/serial-16550.c, hw/pci/, hw/virtio/virtio-pci.c).
 * Target-independent device files never call pc_*(): they take IRQLines and
 * callbacks, and pc.c wires them (so they link into both binaries and into
 * unit tests).
 *
 * Fixed map (the ACPI tables and the e820 map describe exactly this):
 *
 *   0x0000_0000 .. below_4g      RAM (below_4g = min(-m, 3 GiB))
 *       0x0009_fc00 .. 0x0010_0000  e820 reserved (EBDA, VGA hole, BIOS area)
 *       PC_ACPI_TABLES_BASE         ACPI tables (e820 ACPI), RSDP at 0xf_0000
 *   0xc000_0000 .. 0xfebf_ffff  PCI MMIO window (32-bit BARs)
 *   0xfec0_0000                 IOAPIC (24 pins)
 *   0xfed0_0000                 HPET
 *   0xfee0_0000                 local APIC (xAPIC MMIO, per core)
 *   0x1_0000_0000 ..            RAM above 4 GiB (-m beyond 3 GiB)
 *
 * Port I/O (one space shared by every core, dispatched by pc_ioport_*):
 *   0x20/0xa0 8259 pair, 0x4d0 ELCR   0x40-0x43 PIT, 0x61 port B
 *   0x60/0x64 i8042                   0x70/0x71 CMOS RTC
 *   0x80 POST code                    0x3f8 COM1 (16550)
 *   0x600 ACPI PM block (PM1a_EVT 0x600, PM1a_CNT 0x604, PM_TMR 0x608, GPE0 0x620)
 *   0xcf8/0xcfc PCI config mechanism #1; 0xcf9 reset control (byte)
 *
 * Interrupts: GSI n is IOAPIC pin n; GSIs 0..15 are also the ISA IRQs of
 * the 8259 pair (ISA IRQ 0, the PIT, is IOAPIC pin 2: a MADT override).
 * PCI INTx: slot s, pin p (0 = INTA) -> GSI 16 + ((s + p) & 3), level,
 * active low (the DSDT's _PRT says the same). MSI/MSI-X writes go to
 * pc_msi_send().
 */
#ifndef HW_I386_PC_H
#define HW_I386_PC_H

#include <stdint.h>

#include "exec/memory.h"
#include "system/machine.h"

#define PC_BELOW_4G_MAX     0xc0000000ull
#define PC_PCI_MMIO_BASE    0xc0000000ull
#define PC_PCI_MMIO_SIZE    (0xfec00000ull - PC_PCI_MMIO_BASE)
#define PC_IOAPIC_BASE      0xfec00000ull
#define PC_HPET_BASE        0xfed00000ull
#define PC_LAPIC_BASE       0xfee00000ull
#define PC_ACPI_RSDP_ADDR   0x000f0000ull
#define PC_ACPI_TABLES_BASE 0x000e0000ull /* tables here, RSDP at 0xf0000 */
#define PC_ACPI_PM_BASE     0x600
#define PC_RESET_PORT       0xcf9
#define PC_NUM_GSI          24
#define PC_PCI_GSI_BASE     16

#define PC_ISA_IRQ_PIT    0
#define PC_ISA_IRQ_KBD    1
#define PC_ISA_IRQ_COM1   4
#define PC_ISA_IRQ_RTC    8
#define PC_ISA_IRQ_SCI    9  /* ACPI SCI, level, active high */
#define PC_ISA_IRQ_MOUSE 12

typedef struct PCMachineState PCMachineState;

/* The PC machine of m (m->board). */
PCMachineState *pc_machine(Machine *m);
Machine *pc_machine_base(PCMachineState *pcms);

/*
 * Port I/O. A device registers [base, base+len) with read/write callbacks
 * (offset relative to base, size 1/2/4); registration is done during
 * machine init only, lookups take no lock. Devices lock themselves.
 */
void pc_ioport_register(PCMachineState *pcms, const char *name, uint16_t base, uint16_t len,
                        const MemoryRegionOps *ops, void *opaque);

/* GSI n (0..PC_NUM_GSI-1): drive the line (level 1 = asserted). For n < 16
 * this feeds both the 8259 pair and the IOAPIC, as on a real PC. */
void pc_gsi_set(PCMachineState *pcms, int gsi, int level);
/* An IRQLine that drives GSI n, for devices that take an IRQLine. */
const IRQLine *pc_gsi_line(PCMachineState *pcms, int gsi);

/* A device's MSI: a 32-bit write of data to addr (0xfeeX_XXXX). Any thread. */
void pc_msi_send(PCMachineState *pcms, uint64_t addr, uint32_t data);

#endif
