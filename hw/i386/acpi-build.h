/*
 * acpi-build.h — the ACPI tables of the x86-64 "pc" machine, built in C at
 * machine init and written into guest RAM (no firmware image).
 *
 * Layout (pc.h): every table lies in [PC_ACPI_TABLES_BASE, PC_ACPI_RSDP_ADDR)
 * (e820 type 3, "ACPI reclaimable"); the RSDP sits at PC_ACPI_RSDP_ADDR inside
 * the BIOS area the board marks e820 reserved, where a guest that scans
 * 0xe0000-0xfffff (ACPI 6.4 section 5.2.5.1) also finds it. The board passes
 * the RSDP address in boot_params.acpi_rsdp_addr.
 *
 * Tables: RSDP (rev 2) -> XSDT and RSDT -> FADT (-> FACS? no: hardware
 * without a firmware waking vector; -> DSDT), MADT, HPET (if cfg->hpet).
 */
#ifndef HW_I386_ACPI_BUILD_H
#define HW_I386_ACPI_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/memory.h"

typedef struct PCAcpiConfig {
    int ncpus;                 /* 1..MAX_CPUS */
    const uint32_t *apic_ids;  /* ncpus local APIC ids; NULL means 0..ncpus-1.
                                  ids >= 255 get MADT x2APIC entries */
    uint8_t ioapic_id;         /* the IOAPIC's ID register value */
    int ngsi;                  /* IOAPIC pins; 0 means PC_NUM_GSI; must cover
                                  the _PRT's GSIs 16..19 */
    bool hpet;                 /* an HPET at PC_HPET_BASE: HPET table */
    bool i8042;                /* an i8042 at 0x60/0x64: FADT 8042 flag, PNP0303 */
} PCAcpiConfig;

/*
 * Build every table into guest RAM of as (which must be RAM at
 * [PC_ACPI_TABLES_BASE, PC_ACPI_RSDP_ADDR + 36)). Returns the RSDP's guest
 * physical address (PC_ACPI_RSDP_ADDR) and sets [*area_start, +*area_len)
 * to the range for an e820 ACPI (type 3) entry; returns 0 after printing
 * one error line if the tables cannot be written.
 */
uint64_t pc_acpi_build(AddressSpace *as, const PCAcpiConfig *cfg, uint64_t *area_start,
                       uint64_t *area_len);

#endif
