/*
 * pc-internal.h — pieces private to the PC board (hw/i386/pc.c): the i8042
 * keyboard controller and the direct Linux boot loader (x86-boot.c). Other
 * engineers' devices talk to the board only through hw/i386/pc.h.
 */
#ifndef HW_I386_PC_INTERNAL_H
#define HW_I386_PC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exec/memory.h"
#include "system/machine.h"

/* ---- i8042.c: the keyboard controller (ports 0x60 data, 0x64 command/status) ---- */

typedef struct I8042State I8042State;

/* reset is called (any thread) when the guest pulses the CPU reset line. */
I8042State *i8042_new(IRQLine kbd_irq, IRQLine aux_irq, void (*reset)(void *), void *opaque);
void i8042_free(I8042State *s);
void i8042_reset(I8042State *s);
/* Register access: offset 0 = port 0x60, offset 4 = port 0x64. */
uint64_t i8042_read(void *opaque, uint64_t offset, unsigned size);
void i8042_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);
/* One-port ranges for 0x60 and 0x64 (port 0x61 belongs to the PIT). */
extern const MemoryRegionOps i8042_data_ops;
extern const MemoryRegionOps i8042_cmd_ops;

#define I8042_STR_OBF 0x01
#define I8042_STR_IBF 0x02
#define I8042_STR_SYS 0x04
#define I8042_STR_CMD 0x08
#define I8042_STR_UNLOCKED 0x10
#define I8042_STR_AUXDATA 0x20
#define I8042_CTR_KBDINT 0x01
#define I8042_CTR_AUXINT 0x02
#define I8042_CTR_SYS 0x04
#define I8042_CTR_KBDDIS 0x10
#define I8042_CTR_AUXDIS 0x20
#define I8042_CTR_XLATE 0x40

/* ---- x86-boot.c: Linux x86 boot protocol (Documentation/x86/boot.rst) ---- */

/* Fixed low-memory layout of a direct boot (all below 1 MiB, in e820 RAM). */
#define X86_BOOT_PARAMS_ADDR 0x7000ull  /* the zero page */
#define X86_BOOT_GDT_ADDR 0x6000ull     /* flat GDT: 0x10 code64, 0x18 data */
#define X86_BOOT_PGTABLE_ADDR 0x8000ull /* PML4, PDPT, 4 PDs: 4 GiB in 2 MiB pages */
#define X86_BOOT_PGTABLE_SIZE 0x6000ull
#define X86_BOOT_CMDLINE_ADDR 0x20000ull
#define X86_BOOT_CMDLINE_MAX 0x10000ull
#define X86_BOOT_KERNEL_ADDR 0x100000ull /* protected-mode code at 1 MiB */

#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_MAX_ENTRIES 128

typedef struct E820Entry {
    uint64_t addr, size;
    uint32_t type;
} E820Entry;

/* What the loader learned and placed; filled by x86_boot_load(). */
typedef struct X86BootInfo {
    uint16_t version;        /* boot protocol version (0x20c = 2.12) */
    uint32_t setup_size;     /* bytes of real-mode setup in the file */
    uint64_t kernel_addr;    /* where the protected-mode part went */
    uint64_t kernel_size;
    uint64_t kernel_end;     /* first byte the kernel may use at run time (init_size) */
    uint64_t initrd_addr, initrd_size;
    uint64_t entry64;        /* 64-bit entry: kernel_addr + 0x200 */
    /* a Multiboot v1 image instead of a bzImage (x86-boot.c, "Multiboot"):
     * entered in 32-bit protected mode at entry32 with EBX = mb_info */
    bool multiboot;
    uint32_t entry32;
    uint32_t mb_info;
} X86BootInfo;

/*
 * Parsed setup header fields (a bzImage in memory). Returns false with an
 * error line (naming path) if the data is not a bzImage of protocol >= 2.12
 * with a 64-bit entry point.
 */
typedef struct X86SetupHeader {
    uint8_t setup_sects;
    uint16_t version;
    uint8_t loadflags;
    uint32_t code32_start;
    uint32_t initrd_addr_max;
    uint32_t kernel_alignment;
    uint8_t relocatable_kernel;
    uint16_t xloadflags;
    uint32_t cmdline_size;
    uint64_t pref_address;
    uint32_t init_size;
    uint32_t header_end; /* offset of the first byte after the setup header */
} X86SetupHeader;

bool x86_parse_setup_header(const char *path, const uint8_t *data, uint64_t size,
                            X86SetupHeader *hdr);

/*
 * Put kernel, initrd, command line, boot_params (with the e820 map given)
 * and the 64-bit page tables and GDT into RAM [0, ram_below_4g). acpi_rsdp
 * goes into boot_params.acpi_rsdp_addr (0: none). One error line and false
 * on any problem (missing file, not a bzImage, initrd or command line that
 * does not fit).
 */
bool x86_boot_load(AddressSpace *as, const char *kernel, const char *initrd,
                   const char *cmdline, uint64_t ram_below_4g, const E820Entry *e820,
                   int e820_entries, uint64_t acpi_rsdp, X86BootInfo *info);

/* A core's MTRRs as a PC BIOS programs them (every core, before the boot). */
void x86_boot_set_mtrrs(CPUState *cpu);

/* Boot core state for the 64-bit protocol (GDTR too), after x86_boot_load. */
void x86_boot_enter(CPUState *cpu, const X86BootInfo *info);

#endif
