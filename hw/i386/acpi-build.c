/*
 * acpi-build.c — the pc machine's ACPI tables (ACPI 6.4), built in C.
 *
 * Every table is laid out in one host buffer that mirrors guest memory
 * from PC_ACPI_TABLES_BASE: each table is appended at an aligned offset,
 * pointers between tables are guest addresses (base + offset) patched in
 * as soon as both ends are placed, and a table's checksum is computed last,
 * once its bytes are final. The buffer is then copied into guest RAM, and
 * the RSDP is written separately at PC_ACPI_RSDP_ADDR.
 *
 *   RSDP (rev 2) -> XSDT (64-bit) and RSDT (32-bit) -> FADT, MADT, HPET
 *   FADT -> FACS, DSDT
 *
 * The tables describe exactly pc.h's map and acpi-pm.h's register block;
 * docs/architecture.md has the summary.
 */
#include "hw/i386/acpi-build.h"

#include <stdlib.h>
#include <string.h>

#include "hw/i386/acpi-pm.h"
#include "hw/i386/aml.h"
#include "hw/i386/pc.h"
#include "system/machine.h"
#include "util/log.h"

#define ACPI_OEM_ID        "COREMU"
#define ACPI_OEM_TABLE_ID  "COREMUPC"
#define ACPI_CREATOR_ID    "CRMU"
#define ACPI_HDR_LEN       36
#define ACPI_AREA_LEN      (PC_ACPI_RSDP_ADDR - PC_ACPI_TABLES_BASE)
#define RSDP_LEN           36

/* the HPET's General Capabilities register, bits 31:0 (IA-PC HPET 1.0a 2.3.4):
   rev 1, 3 comparators, 64-bit counter, legacy replacement capable */
#define HPET_BLOCK_ID      (0x8086u << 16 | 1u << 15 | 1u << 13 | 2u << 8 | 1u)

typedef struct Blob {
    uint8_t *p;
    size_t len, cap;
} Blob;

static void blob_reserve(Blob *b, size_t n)
{
    if (b->len + n <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) {
        cap *= 2;
    }
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
        fatal("out of memory");
    }
    memset(p + b->cap, 0, cap - b->cap);
    b->p = p;
    b->cap = cap;
}

/* n little-endian bytes of v (n <= 8) */
static void put(Blob *b, uint64_t v, int n)
{
    blob_reserve(b, (size_t)n);
    for (int i = 0; i < n; i++) {
        b->p[b->len++] = (uint8_t)(v >> (8 * i));
    }
}

static void put_zeros(Blob *b, size_t n)
{
    blob_reserve(b, n);
    memset(b->p + b->len, 0, n);
    b->len += n;
}

static void put_bytes(Blob *b, const void *s, size_t n)
{
    blob_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void patch(Blob *b, size_t at, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        b->p[at + (size_t)i] = (uint8_t)(v >> (8 * i));
    }
}

static void align(Blob *b, size_t a)
{
    while (b->len % a) {
        put(b, 0, 1);
    }
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++) {
        s = (uint8_t)(s + p[i]);
    }
    return (uint8_t)-s;
}

/* 5.2.6 system description table header; length and checksum are patched
   by table_end() */
static size_t table_begin(Blob *b, const char *sig, uint8_t rev)
{
    align(b, 16);
    size_t at = b->len;
    put_bytes(b, sig, 4);
    put(b, 0, 4);            /* Length */
    put(b, rev, 1);          /* Revision */
    put(b, 0, 1);            /* Checksum */
    put_bytes(b, ACPI_OEM_ID, 6);
    put_bytes(b, ACPI_OEM_TABLE_ID, 8);
    put(b, 1, 4);            /* OEM Revision */
    put_bytes(b, ACPI_CREATOR_ID, 4);
    put(b, 1, 4);            /* Creator Revision */
    return at;
}

static void table_end(Blob *b, size_t at)
{
    size_t len = b->len - at;
    patch(b, at + 4, len, 4);
    b->p[at + 9] = 0;
    b->p[at + 9] = checksum(b->p + at, len);
}

/* 5.2.3.2 Generic Address Structure, system I/O space */
static void put_gas_io(Blob *b, uint8_t bit_width, uint8_t access_size, uint64_t port)
{
    put(b, 1, 1);            /* Address Space ID: System I/O */
    put(b, bit_width, 1);
    put(b, 0, 1);            /* Register Bit Offset */
    put(b, access_size, 1);  /* 1 byte, 2 word, 3 dword */
    put(b, port, 8);
}

static void put_gas_null(Blob *b)
{
    put(b, 0, 8);
    put(b, 0, 4);
}

static uint32_t cpu_apic_id(const PCAcpiConfig *cfg, int i)
{
    return cfg->apic_ids ? cfg->apic_ids[i] : (uint32_t)i;
}

/* ---- FACS (5.2.10): no firmware waking vector, no global lock use ---- */

static size_t build_facs(Blob *b)
{
    align(b, 64);
    size_t at = b->len;
    put_bytes(b, "FACS", 4);
    put(b, 64, 4);           /* Length */
    put(b, 0, 4);            /* Hardware Signature */
    put(b, 0, 4);            /* Firmware Waking Vector */
    put(b, 0, 4);            /* Global Lock */
    put(b, 0, 4);            /* Flags */
    put(b, 0, 8);            /* X Firmware Waking Vector */
    put(b, 2, 1);            /* Version */
    put(b, 0, 3);
    put(b, 0, 4);            /* OSPM Flags */
    put_zeros(b, 24);
    return at;
}

/* ---- DSDT (5.2.11.1) ---- */

/* ISA devices the board has, as \_SB children with their fixed resources */
static void dsdt_isa_device(Aml *a, const char *name, const char *hid, int uid,
                            uint16_t port0, uint8_t len0, uint16_t port1, uint8_t len1,
                            int irq)
{
    aml_device(a, name);
    aml_name_eisaid(a, "_HID", hid);
    aml_name_int(a, "_UID", (uint64_t)uid);
    aml_name(a, "_CRS");
    aml_buffer(a);
    aml_res_io(a, port0, port0, 1, len0);
    if (len1) {
        aml_res_io(a, port1, port1, 1, len1);
    }
    aml_res_irq(a, (uint16_t)(1u << irq));
    aml_res_end(a);
    aml_close(a);
    aml_close(a);
}

static void build_dsdt_aml(Aml *a, const PCAcpiConfig *cfg)
{
    /* 7.4.2: \_S5 { SLP_TYPa, SLP_TYPb }, the value acpi-pm.c recognises */
    aml_name(a, "\\_S5");
    aml_package(a, 2);
    aml_int(a, ACPI_SLP_TYP_S5);
    aml_int(a, ACPI_SLP_TYP_S5);
    aml_close(a);

    aml_scope(a, "\\_SB");

    /* 6.1, 6.5.6, 6.5.8: the PCI host bridge, configuration mechanism #1
       (no ECAM, hence PNP0A03 and no MCFG) */
    aml_device(a, "PCI0");
    aml_name_eisaid(a, "_HID", "PNP0A03");
    aml_name_int(a, "_SEG", 0);
    aml_name_int(a, "_BBN", 0);
    aml_name_int(a, "_UID", 0);
    aml_name(a, "_CRS");
    aml_buffer(a);
    aml_res_word_bus(a, 0, 255);
    aml_res_io(a, 0xcf8, 0xcf8, 1, 8);  /* the configuration ports, consumed */
    aml_res_word_io(a, 0x0000, 0x0cf7);
    aml_res_word_io(a, 0x0d00, 0xffff);
    aml_res_dword_mem(a, (uint32_t)PC_PCI_MMIO_BASE,
                      (uint32_t)(PC_PCI_MMIO_BASE + PC_PCI_MMIO_SIZE - 1), false);
    aml_res_end(a);
    aml_close(a);
    /* 6.2.13 _PRT, direct GSI form (Source 0): slot s pin p -> GSI 16+((s+p)&3),
       level, active low by definition of this form */
    aml_name(a, "_PRT");
    aml_package(a, 32 * 4);
    for (int slot = 0; slot < 32; slot++) {
        for (int pin = 0; pin < 4; pin++) {
            aml_package(a, 4);
            aml_int(a, ((uint64_t)slot << 16) | 0xffff); /* Address: any function */
            aml_int(a, (uint64_t)pin);
            aml_int(a, 0);                               /* Source */
            aml_int(a, PC_PCI_GSI_BASE + ((slot + pin) & 3));
            aml_close(a);
        }
    }
    aml_close(a);
    aml_close(a); /* PCI0 */

    dsdt_isa_device(a, "COM1", "PNP0501", 1, 0x3f8, 8, 0, 0, PC_ISA_IRQ_COM1);
    dsdt_isa_device(a, "RTC", "PNP0B00", 0, 0x70, 2, 0, 0, PC_ISA_IRQ_RTC);
    if (cfg->i8042) {
        dsdt_isa_device(a, "KBD", "PNP0303", 0, 0x60, 1, 0x64, 1, PC_ISA_IRQ_KBD);
    }
    /* no PNP0103 device: Linux takes the HPET from its table, and the
       driver of the device form wants interrupts in _CRS */

    /* 8.4: processor devices; _UID is the MADT's ACPI Processor UID */
    for (int i = 0; i < cfg->ncpus; i++) {
        char name[5];
        snprintf(name, sizeof(name), "C%03X", (unsigned)i & 0xfff);
        aml_device(a, name);
        aml_name_str(a, "_HID", "ACPI0007");
        aml_name_int(a, "_UID", (uint64_t)i);
        aml_close(a);
    }

    aml_close(a); /* \_SB */
}

static size_t build_dsdt(Blob *b, const PCAcpiConfig *cfg)
{
    /* revision 2: integers are 64 bits (5.2.11.1) */
    size_t at = table_begin(b, "DSDT", 2);
    Aml a;
    aml_init(&a);
    build_dsdt_aml(&a, cfg);
    put_bytes(b, a.buf, a.len);
    aml_free(&a);
    table_end(b, at);
    return at;
}

/* ---- FADT (5.2.9), revision 6, 276 bytes ---- */

#define FADT_WBINVD          (1u << 0)
#define FADT_PROC_C1         (1u << 2)
#define FADT_SLP_BUTTON      (1u << 5)  /* no fixed-feature sleep button */
#define FADT_FIX_RTC         (1u << 6)  /* no RTC wake status in PM1 */
#define FADT_TMR_VAL_EXT     (1u << 8)
#define FADT_RESET_REG_SUP   (1u << 10)
#define FADT_APIC_PHYSICAL   (1u << 19) /* FORCE_APIC_PHYSICAL_DESTINATION_MODE */

#define BOOT_ARCH_LEGACY_DEVICES (1u << 0)
#define BOOT_ARCH_8042           (1u << 1)
#define BOOT_ARCH_NO_VGA         (1u << 2)

static size_t build_fadt(Blob *b, const PCAcpiConfig *cfg, uint64_t facs, uint64_t dsdt)
{
    const uint32_t pm = PC_ACPI_PM_BASE;
    size_t at = table_begin(b, "FACP", 6);
    put(b, facs, 4);                       /*  36 FIRMWARE_CTRL */
    put(b, dsdt, 4);                       /*  40 DSDT */
    put(b, 0, 1);                          /*  44 reserved */
    put(b, 0, 1);                          /*  45 Preferred_PM_Profile: unspecified */
    put(b, PC_ISA_IRQ_SCI, 2);             /*  46 SCI_INT */
    put(b, 0, 4);                          /*  48 SMI_CMD: none, ACPI always on */
    put(b, 0, 1);                          /*  52 ACPI_ENABLE */
    put(b, 0, 1);                          /*  53 ACPI_DISABLE */
    put(b, 0, 1);                          /*  54 S4BIOS_REQ */
    put(b, 0, 1);                          /*  55 PSTATE_CNT */
    put(b, pm + ACPI_PM1_EVT_OFF, 4);      /*  56 PM1a_EVT_BLK */
    put(b, 0, 4);                          /*  60 PM1b_EVT_BLK */
    put(b, pm + ACPI_PM1_CNT_OFF, 4);      /*  64 PM1a_CNT_BLK */
    put(b, 0, 4);                          /*  68 PM1b_CNT_BLK */
    put(b, 0, 4);                          /*  72 PM2_CNT_BLK */
    put(b, pm + ACPI_PM_TMR_OFF, 4);       /*  76 PM_TMR_BLK */
    put(b, pm + ACPI_GPE0_OFF, 4);         /*  80 GPE0_BLK */
    put(b, 0, 4);                          /*  84 GPE1_BLK */
    put(b, ACPI_PM1_EVT_LEN, 1);           /*  88 PM1_EVT_LEN */
    put(b, ACPI_PM1_CNT_LEN, 1);           /*  89 PM1_CNT_LEN */
    put(b, 0, 1);                          /*  90 PM2_CNT_LEN */
    put(b, ACPI_PM_TMR_LEN, 1);            /*  91 PM_TMR_LEN */
    put(b, ACPI_GPE0_LEN, 1);              /*  92 GPE0_BLK_LEN */
    put(b, 0, 1);                          /*  93 GPE1_BLK_LEN */
    put(b, 0, 1);                          /*  94 GPE1_BASE */
    put(b, 0, 1);                          /*  95 CST_CNT */
    put(b, 101, 2);                        /*  96 P_LVL2_LAT: > 100, no C2 */
    put(b, 1001, 2);                       /*  98 P_LVL3_LAT: > 1000, no C3 */
    put(b, 0, 2);                          /* 100 FLUSH_SIZE */
    put(b, 0, 2);                          /* 102 FLUSH_STRIDE */
    put(b, 0, 1);                          /* 104 DUTY_OFFSET */
    put(b, 0, 1);                          /* 105 DUTY_WIDTH */
    put(b, 0, 1);                          /* 106 DAY_ALRM */
    put(b, 0, 1);                          /* 107 MON_ALRM */
    put(b, 0x32, 1);                       /* 108 CENTURY: CMOS byte (mc146818.h) */
    uint32_t boot_arch = BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_NO_VGA |
                         (cfg->i8042 ? BOOT_ARCH_8042 : 0);
    put(b, boot_arch, 2);                  /* 109 IAPC_BOOT_ARCH (5.2.9.3) */
    put(b, 0, 1);                          /* 111 reserved */
    uint32_t flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_FIX_RTC |
                     FADT_RESET_REG_SUP | (ACPI_PM_TMR_32BIT ? FADT_TMR_VAL_EXT : 0);
    bool high_ids = false;
    for (int i = 0; i < cfg->ncpus; i++) {
        high_ids |= cpu_apic_id(cfg, i) >= 8;
    }
    if (high_ids) {
        flags |= FADT_APIC_PHYSICAL; /* logical flat mode cannot reach them */
    }
    put(b, flags, 4);                      /* 112 Flags (5.2.9.1) */
    put_gas_io(b, 8, 1, PC_RESET_PORT);    /* 116 RESET_REG (4.8.3.6) */
    put(b, 0x06, 1);                       /* 128 RESET_VALUE: CPU reset + full */
    put(b, 0, 2);                          /* 129 ARM_BOOT_ARCH */
    put(b, 4, 1);                          /* 131 FADT Minor Version: 6.4 */
    put(b, 0, 8);                          /* 132 X_FIRMWARE_CTRL: 0 when FIRMWARE_CTRL
                                                  is set (5.2.9) */
    put(b, dsdt, 8);                       /* 140 X_DSDT */
    put_gas_io(b, ACPI_PM1_EVT_LEN * 8, 2, pm + ACPI_PM1_EVT_OFF); /* 148 X_PM1a_EVT_BLK */
    put_gas_null(b);                       /* 160 X_PM1b_EVT_BLK */
    put_gas_io(b, ACPI_PM1_CNT_LEN * 8, 2, pm + ACPI_PM1_CNT_OFF); /* 172 X_PM1a_CNT_BLK */
    put_gas_null(b);                       /* 184 X_PM1b_CNT_BLK */
    put_gas_null(b);                       /* 196 X_PM2_CNT_BLK */
    put_gas_io(b, ACPI_PM_TMR_LEN * 8, 3, pm + ACPI_PM_TMR_OFF);   /* 208 X_PM_TMR_BLK */
    put_gas_io(b, ACPI_GPE0_LEN * 8, 1, pm + ACPI_GPE0_OFF);       /* 220 X_GPE0_BLK */
    put_gas_null(b);                       /* 232 X_GPE1_BLK */
    put_gas_null(b);                       /* 244 SLEEP_CONTROL_REG (reduced hw only) */
    put_gas_null(b);                       /* 256 SLEEP_STATUS_REG */
    put_bytes(b, "COREMU\0\0", 8);         /* 268 Hypervisor Vendor Identity */
    table_end(b, at);
    return at;
}

/* ---- MADT (5.2.12), revision 5 ---- */

static size_t build_madt(Blob *b, const PCAcpiConfig *cfg)
{
    size_t at = table_begin(b, "APIC", 5);
    put(b, PC_LAPIC_BASE, 4);              /* Local Interrupt Controller Address */
    put(b, 1, 4);                          /* Flags: PCAT_COMPAT (8259 pair present) */
    bool any_x2apic = false;
    /* 5.2.12.2 / 5.2.12.12: ids below 255 use the xAPIC form, the rest x2APIC;
       CPU i has ACPI Processor UID i (the DSDT's C<i> _UID), the boot CPU first */
    for (int i = 0; i < cfg->ncpus; i++) {
        uint32_t id = cpu_apic_id(cfg, i);
        if (id < 255) {
            put(b, 0, 1);                  /* Processor Local APIC */
            put(b, 8, 1);
            put(b, (uint64_t)i, 1);        /* ACPI Processor UID */
            put(b, id, 1);                 /* APIC ID */
            put(b, 1, 4);                  /* Flags: Enabled */
        } else {
            any_x2apic = true;
            put(b, 9, 1);                  /* Processor Local x2APIC */
            put(b, 16, 1);
            put(b, 0, 2);
            put(b, id, 4);                 /* X2APIC ID */
            put(b, 1, 4);                  /* Flags: Enabled */
            put(b, (uint64_t)i, 4);        /* ACPI Processor UID */
        }
    }
    /* 5.2.12.3 I/O APIC */
    put(b, 1, 1);
    put(b, 12, 1);
    put(b, cfg->ioapic_id, 1);
    put(b, 0, 1);
    put(b, PC_IOAPIC_BASE, 4);
    put(b, 0, 4);                          /* Global System Interrupt Base */
    /* 5.2.12.5 Interrupt Source Overrides (MPS INTI flags: polarity 1:0, trigger 3:2) */
    put(b, 2, 1);                          /* ISA IRQ 0 (PIT) -> GSI 2, bus default */
    put(b, 10, 1);
    put(b, 0, 1);                          /* Bus: ISA */
    put(b, PC_ISA_IRQ_PIT, 1);
    put(b, 2, 4);
    put(b, 0, 2);
    put(b, 2, 1);                          /* ISA IRQ 9 (SCI) -> GSI 9, level, high */
    put(b, 10, 1);
    put(b, 0, 1);
    put(b, PC_ISA_IRQ_SCI, 1);
    put(b, PC_ISA_IRQ_SCI, 4);
    put(b, 0x1 | 0x3 << 2, 2);             /* active high, level */
    /* 5.2.12.7 Local APIC NMI: every processor (UID 0xff), LINT1, bus default */
    put(b, 4, 1);
    put(b, 6, 1);
    put(b, 0xff, 1);
    put(b, 0, 2);
    put(b, 1, 1);
    if (any_x2apic) {
        /* 5.2.12.13 Local x2APIC NMI, every processor (UID 0xffffffff) */
        put(b, 0x0a, 1);
        put(b, 12, 1);
        put(b, 0, 2);                      /* Flags */
        put(b, 0xffffffffu, 4);
        put(b, 1, 1);                      /* LINT1 */
        put(b, 0, 3);
    }
    table_end(b, at);
    return at;
}

/* ---- HPET (IA-PC HPET Specification 1.0a, 3.2.4) ---- */

static size_t build_hpet(Blob *b)
{
    size_t at = table_begin(b, "HPET", 1);
    put(b, HPET_BLOCK_ID, 4);              /* Event Timer Block ID */
    put(b, 0, 1);                          /* Base Address: System Memory */
    put(b, 64, 1);                         /*   register bit width */
    put(b, 0, 1);                          /*   bit offset */
    put(b, 0, 1);                          /*   access size: undefined */
    put(b, PC_HPET_BASE, 8);
    put(b, 0, 1);                          /* HPET Number */
    put(b, 128, 2);                        /* Main Counter Minimum Clock_tick (periodic) */
    put(b, 0, 1);                          /* Page Protection: none */
    table_end(b, at);
    return at;
}

/* ---- RSDT / XSDT (5.2.7, 5.2.8) ---- */

static size_t build_sdt(Blob *b, const char *sig, int width, const uint64_t *addr, int n)
{
    size_t at = table_begin(b, sig, 1);
    for (int i = 0; i < n; i++) {
        put(b, addr[i], width);
    }
    table_end(b, at);
    return at;
}

/* 5.2.5.3 RSDP, revision 2 (ACPI 2.0+) */
static void build_rsdp(uint8_t r[RSDP_LEN], uint64_t rsdt, uint64_t xsdt)
{
    memset(r, 0, RSDP_LEN);
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, ACPI_OEM_ID, 6);
    r[15] = 2;                             /* Revision */
    for (int i = 0; i < 4; i++) {
        r[16 + i] = (uint8_t)(rsdt >> (8 * i));
        r[20 + i] = (uint8_t)(RSDP_LEN >> (8 * i));
    }
    for (int i = 0; i < 8; i++) {
        r[24 + i] = (uint8_t)(xsdt >> (8 * i));
    }
    r[8] = checksum(r, 20);                /* the ACPI 1.0 part */
    r[32] = checksum(r, RSDP_LEN);         /* Extended Checksum, the whole */
}

uint64_t pc_acpi_build(AddressSpace *as, const PCAcpiConfig *cfg, uint64_t *area_start,
                       uint64_t *area_len)
{
    if (cfg->ncpus < 1 || cfg->ncpus > MAX_CPUS) {
        error_report("ACPI: %d CPUs: must be 1..%d", cfg->ncpus, MAX_CPUS);
        return 0;
    }
    int ngsi = cfg->ngsi ? cfg->ngsi : PC_NUM_GSI;
    if (ngsi < PC_PCI_GSI_BASE + 4) {
        /* the _PRT routes PCI INTx to GSIs 16..19 */
        error_report("ACPI: an IOAPIC with %d pins cannot take the PCI GSIs", ngsi);
        return 0;
    }
    const uint64_t base = PC_ACPI_TABLES_BASE;
    Blob b = { 0 };
    size_t facs = build_facs(&b);
    size_t dsdt = build_dsdt(&b, cfg);
    uint64_t tables[3];
    int n = 0;
    tables[n++] = base + build_fadt(&b, cfg, base + facs, base + dsdt);
    tables[n++] = base + build_madt(&b, cfg);
    if (cfg->hpet) {
        tables[n++] = base + build_hpet(&b);
    }
    size_t xsdt = build_sdt(&b, "XSDT", 8, tables, n);
    size_t rsdt = build_sdt(&b, "RSDT", 4, tables, n);
    align(&b, 16);

    uint64_t rsdp = 0;
    if (b.len > ACPI_AREA_LEN) {
        error_report("ACPI: tables need %zu bytes, more than the %llu reserved", b.len,
                     (unsigned long long)ACPI_AREA_LEN);
    } else {
        uint8_t r[RSDP_LEN];
        build_rsdp(r, base + rsdt, base + xsdt);
        if (!memory_rw(as, base, b.p, b.len, true) ||
            !memory_rw(as, PC_ACPI_RSDP_ADDR, r, RSDP_LEN, true)) {
            error_report("ACPI: no RAM at 0x%llx for the tables",
                         (unsigned long long)base);
        } else {
            rsdp = PC_ACPI_RSDP_ADDR;
            if (area_start) {
                *area_start = base;
            }
            if (area_len) {
                *area_len = ACPI_AREA_LEN;
            }
        }
    }
    free(b.p);
    return rsdp;
}
