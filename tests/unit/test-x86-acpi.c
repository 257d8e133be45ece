/*
 * test-x86-acpi.c — the pc machine's ACPI tables and PM register block.
 *
 * The tables are built into a 1 MiB RAM address space and read back from
 * guest memory only: the RSDP and every table checksum; RSDT and XSDT list
 * the same tables; the MADT for 1, 4 and 255 cores (one enabled xAPIC entry
 * per core, IOAPIC, the two interrupt overrides, LINT1 NMI) and x2APIC
 * entries for ids >= 255; the FADT's fields against acpi-pm.h and pc.h.
 * The DSDT is decoded by a small AML reader written here from ACPI 6.4
 * chapter 20 (only the opcodes a static DSDT uses), which checks every
 * PkgLength and element count and builds a namespace; the cases then look
 * up \_S5, \_SB.PCI0 (_HID, _CRS descriptors, every _PRT entry), the ISA
 * devices and the processor devices. If Debian's iasl is installed the
 * tables are also disassembled by it (SKIP otherwise).
 * The PM block runs from a test clock: S5 requests poweroff, other sleep
 * types do not, SCI_EN sticks at 1, the timer counts 3.579545 MHz and wraps
 * at 32 bits, TMR_STS and PWRBTN_STS raise the SCI when enabled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/i386/acpi-build.h"
#include "hw/i386/acpi-pm.h"
#include "hw/i386/aml.h"
#include "hw/i386/pc.h"
#include "system/machine.h"
#include "system/timer.h"

static int failures;
static char why[512];

#define CHECK(cond, ...)                                                               \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            snprintf(why, sizeof(why), __VA_ARGS__);                                   \
            return false;                                                              \
        }                                                                              \
    } while (0)

static void run(const char *name, bool (*fn)(void))
{
    why[0] = 0;
    if (fn()) {
        printf("PASS %s\n", name);
    } else if (strncmp(why, "SKIP ", 5) == 0) {
        printf("SKIP %s: %s\n", name, why + 5);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
    fflush(stdout);
}

/* ---------------- guest memory ---------------- */

static AddressSpace *as;

static uint64_t rd(uint64_t addr, int n)
{
    uint8_t b[8];
    if (!memory_rw(as, addr, b, (uint64_t)n, false)) {
        return ~0ull;
    }
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) {
        v = v << 8 | b[i];
    }
    return v;
}

static bool sum_ok(uint64_t addr, uint64_t len)
{
    uint8_t s = 0;
    for (uint64_t i = 0; i < len; i++) {
        s = (uint8_t)(s + rd(addr + i, 1));
    }
    return s == 0;
}

static bool sig_is(uint64_t addr, const char *sig)
{
    for (int i = 0; i < 4; i++) {
        if (rd(addr + (uint64_t)i, 1) != (uint8_t)sig[i]) {
            return false;
        }
    }
    return true;
}

static uint64_t area_start, area_len;

static uint64_t build(int ncpus, const uint32_t *ids, bool hpet)
{
    PCAcpiConfig cfg = {
        .ncpus = ncpus, .apic_ids = ids, .ioapic_id = 0, .hpet = hpet, .i8042 = true,
    };
    uint8_t zero[0x20000] = { 0 };
    memory_rw(as, PC_ACPI_TABLES_BASE, zero, sizeof(zero), true);
    area_start = area_len = 0;
    return pc_acpi_build(as, &cfg, &area_start, &area_len);
}

/* a table found through the XSDT by signature, or 0 */
static uint64_t find_table(uint64_t rsdp, const char *sig)
{
    uint64_t xsdt = rd(rsdp + 24, 8);
    uint32_t len = (uint32_t)rd(xsdt + 4, 4);
    for (uint64_t p = xsdt + 36; p + 8 <= xsdt + len; p += 8) {
        uint64_t t = rd(p, 8);
        if (sig_is(t, sig)) {
            return t;
        }
    }
    return 0;
}

static bool in_area(uint64_t addr, uint64_t len)
{
    return addr >= area_start && addr + len <= area_start + area_len;
}

/* ---------------- RSDP, RSDT, XSDT ---------------- */

static bool test_rsdp(void)
{
    uint64_t rsdp = build(1, NULL, true);
    CHECK(rsdp == PC_ACPI_RSDP_ADDR, "rsdp at 0x%llx", (unsigned long long)rsdp);
    CHECK(area_start == PC_ACPI_TABLES_BASE && area_len > 0 &&
              area_start + area_len <= PC_ACPI_RSDP_ADDR,
          "area [0x%llx,+0x%llx)", (unsigned long long)area_start,
          (unsigned long long)area_len);
    const char *s = "RSD PTR ";
    for (int i = 0; i < 8; i++) {
        CHECK(rd(rsdp + (uint64_t)i, 1) == (uint8_t)s[i], "signature byte %d", i);
    }
    CHECK(rsdp % 16 == 0, "RSDP not on a 16-byte boundary");
    CHECK(sum_ok(rsdp, 20), "ACPI 1.0 checksum");
    CHECK(rd(rsdp + 15, 1) == 2, "revision %llu", (unsigned long long)rd(rsdp + 15, 1));
    CHECK(rd(rsdp + 20, 4) == 36, "length %llu", (unsigned long long)rd(rsdp + 20, 4));
    CHECK(sum_ok(rsdp, 36), "extended checksum");
    uint64_t rsdt = rd(rsdp + 16, 4), xsdt = rd(rsdp + 24, 8);
    CHECK(sig_is(rsdt, "RSDT") && sig_is(xsdt, "XSDT"), "RSDT/XSDT signatures");
    return true;
}

static bool test_sdt_checksums(void)
{
    uint64_t rsdp = build(4, NULL, true);
    uint64_t rsdt = rd(rsdp + 16, 4), xsdt = rd(rsdp + 24, 8);
    uint32_t rlen = (uint32_t)rd(rsdt + 4, 4), xlen = (uint32_t)rd(xsdt + 4, 4);
    CHECK(in_area(rsdt, rlen) && in_area(xsdt, xlen), "RSDT/XSDT outside the e820 area");
    CHECK(sum_ok(rsdt, rlen) && sum_ok(xsdt, xlen), "RSDT/XSDT checksum");
    CHECK((rlen - 36) % 4 == 0 && (xlen - 36) % 8 == 0, "entry array lengths");
    int n = (int)(rlen - 36) / 4;
    CHECK(n == (int)(xlen - 36) / 8, "RSDT has %d entries, XSDT %d", n, (int)(xlen - 36) / 8);
    bool seen_facp = false, seen_apic = false, seen_hpet = false;
    for (int i = 0; i < n; i++) {
        uint64_t r = rd(rsdt + 36 + 4 * (uint64_t)i, 4);
        uint64_t x = rd(xsdt + 36 + 8 * (uint64_t)i, 8);
        CHECK(r == x, "entry %d: RSDT 0x%llx XSDT 0x%llx", i, (unsigned long long)r,
              (unsigned long long)x);
        uint32_t len = (uint32_t)rd(x + 4, 4);
        CHECK(len >= 36 && in_area(x, len), "table %d outside the area", i);
        CHECK(sum_ok(x, len), "table %d checksum", i);
        CHECK(rd(x + 10, 6) == rd(rsdp + 9, 6), "OEMID differs from the RSDP's");
        seen_facp |= sig_is(x, "FACP");
        seen_apic |= sig_is(x, "APIC");
        seen_hpet |= sig_is(x, "HPET");
    }
    CHECK(seen_facp && seen_apic && seen_hpet, "FACP %d APIC %d HPET %d", seen_facp,
          seen_apic, seen_hpet);
    /* the tables reached through the FADT */
    uint64_t fadt = find_table(rsdp, "FACP");
    uint64_t dsdt = rd(fadt + 140, 8), facs = rd(fadt + 36, 4);
    uint32_t dlen = (uint32_t)rd(dsdt + 4, 4);
    CHECK(sig_is(dsdt, "DSDT") && in_area(dsdt, dlen) && sum_ok(dsdt, dlen), "DSDT");
    CHECK(sig_is(facs, "FACS") && rd(facs + 4, 4) == 64 && facs % 64 == 0 &&
              in_area(facs, 64),
          "FACS at 0x%llx", (unsigned long long)facs);
    /* without an HPET there is no HPET table */
    rsdp = build(1, NULL, false);
    CHECK(find_table(rsdp, "HPET") == 0 && find_table(rsdp, "APIC") != 0,
          "HPET table present with hpet=false");
    return true;
}

/* ---------------- MADT ---------------- */

typedef struct MadtInfo {
    uint32_t lapic_addr, flags;
    int nlapic, nx2apic, nioapic, niso, nnmi, nx2nmi;
    uint32_t ids[512], uids[512];
    bool id_enabled[512];
    uint8_t ioapic_id;
    uint32_t ioapic_addr, ioapic_gsi;
    uint8_t iso_src[8];
    uint32_t iso_gsi[8];
    uint16_t iso_flags[8];
    uint8_t nmi_uid, nmi_lint;
    uint16_t nmi_flags;
    uint32_t x2nmi_uid;
    uint8_t x2nmi_lint;
} MadtInfo;

static bool parse_madt(uint64_t rsdp, MadtInfo *mi)
{
    memset(mi, 0, sizeof(*mi));
    uint64_t t = find_table(rsdp, "APIC");
    CHECK(t, "no MADT");
    uint32_t len = (uint32_t)rd(t + 4, 4);
    CHECK(sum_ok(t, len), "MADT checksum");
    CHECK(rd(t + 8, 1) >= 3, "MADT revision %llu", (unsigned long long)rd(t + 8, 1));
    mi->lapic_addr = (uint32_t)rd(t + 36, 4);
    mi->flags = (uint32_t)rd(t + 40, 4);
    uint64_t p = t + 44, end = t + len;
    while (p < end) {
        uint8_t type = (uint8_t)rd(p, 1), elen = (uint8_t)rd(p + 1, 1);
        CHECK(elen >= 2 && p + elen <= end, "entry at +%llu: length %u overruns",
              (unsigned long long)(p - t), elen);
        int n = mi->nlapic + mi->nx2apic;
        switch (type) {
        case 0:
            CHECK(elen == 8, "LAPIC entry length %u", elen);
            CHECK(n < 512, "too many CPUs");
            mi->uids[n] = (uint32_t)rd(p + 2, 1);
            mi->ids[n] = (uint32_t)rd(p + 3, 1);
            mi->id_enabled[n] = rd(p + 4, 4) & 1;
            mi->nlapic++;
            break;
        case 9:
            CHECK(elen == 16, "x2APIC entry length %u", elen);
            CHECK(n < 512, "too many CPUs");
            mi->ids[n] = (uint32_t)rd(p + 4, 4);
            mi->id_enabled[n] = rd(p + 8, 4) & 1;
            mi->uids[n] = (uint32_t)rd(p + 12, 4);
            mi->nx2apic++;
            break;
        case 1:
            CHECK(elen == 12, "IOAPIC entry length %u", elen);
            mi->ioapic_id = (uint8_t)rd(p + 2, 1);
            mi->ioapic_addr = (uint32_t)rd(p + 4, 4);
            mi->ioapic_gsi = (uint32_t)rd(p + 8, 4);
            mi->nioapic++;
            break;
        case 2:
            CHECK(elen == 10 && mi->niso < 8, "override entry length %u", elen);
            CHECK(rd(p + 2, 1) == 0, "override bus not ISA");
            mi->iso_src[mi->niso] = (uint8_t)rd(p + 3, 1);
            mi->iso_gsi[mi->niso] = (uint32_t)rd(p + 4, 4);
            mi->iso_flags[mi->niso] = (uint16_t)rd(p + 8, 2);
            mi->niso++;
            break;
        case 4:
            CHECK(elen == 6, "NMI entry length %u", elen);
            mi->nmi_uid = (uint8_t)rd(p + 2, 1);
            mi->nmi_flags = (uint16_t)rd(p + 3, 2);
            mi->nmi_lint = (uint8_t)rd(p + 5, 1);
            mi->nnmi++;
            break;
        case 0x0a:
            CHECK(elen == 12, "x2APIC NMI entry length %u", elen);
            mi->x2nmi_uid = (uint32_t)rd(p + 4, 4);
            mi->x2nmi_lint = (uint8_t)rd(p + 8, 1);
            mi->nx2nmi++;
            break;
        default:
            CHECK(false, "unexpected MADT entry type %u", type);
        }
        p += elen;
    }
    CHECK(p == end, "entries do not end at the table's end");
    return true;
}

/* common checks; ids[i] the expected APIC id of CPU i */
static bool check_madt(int ncpus, const uint32_t *ids)
{
    static MadtInfo mi;
    uint64_t rsdp = build(ncpus, ids, true);
    CHECK(rsdp, "build failed");
    if (!parse_madt(rsdp, &mi)) {
        return false;
    }
    CHECK(mi.lapic_addr == PC_LAPIC_BASE, "local APIC address 0x%x", mi.lapic_addr);
    CHECK(mi.flags & 1, "PCAT_COMPAT clear");
    CHECK(mi.nlapic + mi.nx2apic == ncpus, "%d CPU entries for %d cores",
          mi.nlapic + mi.nx2apic, ncpus);
    for (int i = 0; i < ncpus; i++) {
        uint32_t id = ids ? ids[i] : (uint32_t)i;
        CHECK(mi.ids[i] == id && mi.id_enabled[i], "CPU %d: id %u enabled %d", i,
              mi.ids[i], mi.id_enabled[i]);
        for (int j = 0; j < i; j++) {
            CHECK(mi.uids[j] != mi.uids[i], "CPUs %d and %d share UID %u", j, i, mi.uids[i]);
        }
        CHECK(mi.uids[i] != 0xff || id >= 255, "xAPIC UID 0xff means 'all processors'");
    }
    int nx2 = 0;
    for (int i = 0; i < ncpus; i++) {
        nx2 += (ids ? ids[i] : (uint32_t)i) >= 255;
    }
    CHECK(mi.nx2apic == nx2, "%d x2APIC entries, want %d", mi.nx2apic, nx2);
    CHECK(mi.nioapic == 1 && mi.ioapic_id == 0 && mi.ioapic_addr == PC_IOAPIC_BASE &&
              mi.ioapic_gsi == 0,
          "IOAPIC: n %d id %u addr 0x%x gsi %u", mi.nioapic, mi.ioapic_id, mi.ioapic_addr,
          mi.ioapic_gsi);
    bool irq0 = false, irq9 = false;
    for (int i = 0; i < mi.niso; i++) {
        if (mi.iso_src[i] == 0) {
            irq0 = mi.iso_gsi[i] == 2 && (mi.iso_flags[i] & 0xf) != 0xf;
        }
        if (mi.iso_src[i] == 9) {
            /* level (bits 3:2 = 11), active high (bits 1:0 = 01) */
            irq9 = mi.iso_gsi[i] == 9 && mi.iso_flags[i] == 0xd;
        }
    }
    CHECK(irq0 && irq9, "overrides: IRQ0->GSI2 %d, IRQ9 level-high %d", irq0, irq9);
    CHECK(mi.nnmi == 1 && mi.nmi_uid == 0xff && mi.nmi_lint == 1, "LAPIC NMI on LINT1");
    CHECK(mi.nx2nmi == (nx2 ? 1 : 0), "%d x2APIC NMI entries", mi.nx2nmi);
    if (nx2) {
        CHECK(mi.x2nmi_uid == 0xffffffffu && mi.x2nmi_lint == 1, "x2APIC NMI entry");
    }
    return true;
}

static bool test_madt_1(void)
{
    return check_madt(1, NULL);
}

static bool test_madt_4(void)
{
    static const uint32_t ids[4] = { 0, 1, 2, 3 };
    return check_madt(4, ids);
}

static bool test_madt_255(void)
{
    return check_madt(255, NULL);
}

static bool test_madt_x2apic(void)
{
    static const uint32_t ids[6] = { 0, 254, 255, 256, 1000, 0x12345 };
    return check_madt(6, ids);
}

static bool test_build_bad(void)
{
    PCAcpiConfig cfg = { .ncpus = 0 };
    uint64_t s = 1, l = 1;
    CHECK(pc_acpi_build(as, &cfg, &s, &l) == 0, "0 CPUs accepted");
    AddressSpace *empty = address_space_new("empty");
    cfg.ncpus = 1;
    uint64_t r = pc_acpi_build(empty, &cfg, &s, &l);
    address_space_free(empty);
    CHECK(r == 0, "built into an address space without RAM");
    cfg.ngsi = 16;
    CHECK(pc_acpi_build(as, &cfg, &s, &l) == 0, "16 IOAPIC pins accepted with PCI on GSI 16+");
    return true;
}

/* ---------------- FADT ---------------- */

static bool gas_is(uint64_t at, uint8_t space, uint8_t width, uint64_t addr)
{
    return rd(at, 1) == space && rd(at + 1, 1) == width && rd(at + 2, 1) == 0 &&
           rd(at + 4, 8) == addr;
}

static bool test_fadt(void)
{
    uint64_t rsdp = build(4, NULL, true);
    uint64_t f = find_table(rsdp, "FACP");
    CHECK(f, "no FADT");
    CHECK(rd(f + 4, 4) == 276, "length %llu", (unsigned long long)rd(f + 4, 4));
    CHECK(rd(f + 8, 1) >= 5, "revision %llu", (unsigned long long)rd(f + 8, 1));
    /* 5.2.9: X_FIRMWARE_CTRL must be 0 when FIRMWARE_CTRL is set (else Linux
       installs the FACS twice); X_DSDT overrides DSDT, so they must agree */
    CHECK(rd(f + 36, 4) != 0 && rd(f + 132, 8) == 0, "FIRMWARE_CTRL / X_FIRMWARE_CTRL");
    CHECK(rd(f + 40, 4) == rd(f + 140, 8), "32- and 64-bit DSDT pointers differ");
    CHECK(rd(f + 46, 2) == 9, "SCI_INT %llu", (unsigned long long)rd(f + 46, 2));
    CHECK(rd(f + 48, 4) == 0, "SMI_CMD set: ACPI must be always enabled");
    uint64_t pm = PC_ACPI_PM_BASE;
    CHECK(rd(f + 56, 4) == pm + ACPI_PM1_EVT_OFF && rd(f + 60, 4) == 0, "PM1a/b_EVT_BLK");
    CHECK(rd(f + 64, 4) == pm + ACPI_PM1_CNT_OFF && rd(f + 68, 4) == 0, "PM1a/b_CNT_BLK");
    CHECK(rd(f + 72, 4) == 0, "PM2_CNT_BLK");
    CHECK(rd(f + 76, 4) == pm + ACPI_PM_TMR_OFF, "PM_TMR_BLK");
    CHECK(rd(f + 80, 4) == pm + ACPI_GPE0_OFF && rd(f + 84, 4) == 0, "GPE0/1_BLK");
    CHECK(rd(f + 88, 1) == 4 && rd(f + 89, 1) == 2 && rd(f + 90, 1) == 0 &&
              rd(f + 91, 1) == 4 && rd(f + 92, 1) == ACPI_GPE0_LEN && rd(f + 93, 1) == 0,
          "block lengths");
    CHECK(rd(f + 92, 1) % 2 == 0, "GPE0_BLK_LEN must be even");
    CHECK(rd(f + 96, 2) > 100 && rd(f + 98, 2) > 1000, "C2/C3 latencies claim support");
    uint16_t boot = (uint16_t)rd(f + 109, 2);
    CHECK((boot & 3) == 3, "IAPC_BOOT_ARCH 0x%x: legacy devices and 8042", boot);
    CHECK(!(boot & (1u << 5)), "IAPC_BOOT_ARCH says no CMOS RTC");
    uint32_t flags = (uint32_t)rd(f + 112, 4);
    CHECK(flags & (1u << 0), "WBINVD clear");
    CHECK(flags & (1u << 10), "RESET_REG_SUP clear");
    CHECK(!!(flags & (1u << 8)) == !!ACPI_PM_TMR_32BIT, "TMR_VAL_EXT disagrees with acpi-pm");
    CHECK(!(flags & (1u << 20)), "HW_REDUCED_ACPI set");
    CHECK(!(flags & (1u << 4)), "PWR_BUTTON set: the fixed power button is present");
    CHECK(gas_is(f + 116, 1, 8, PC_RESET_PORT) && rd(f + 128, 1) == 0x06,
          "RESET_REG/RESET_VALUE");
    CHECK(gas_is(f + 148, 1, 32, pm + ACPI_PM1_EVT_OFF), "X_PM1a_EVT_BLK");
    CHECK(gas_is(f + 160, 0, 0, 0), "X_PM1b_EVT_BLK");
    CHECK(gas_is(f + 172, 1, 16, pm + ACPI_PM1_CNT_OFF), "X_PM1a_CNT_BLK");
    CHECK(gas_is(f + 208, 1, 32, pm + ACPI_PM_TMR_OFF), "X_PM_TMR_BLK");
    CHECK(gas_is(f + 220, 1, 8 * ACPI_GPE0_LEN, pm + ACPI_GPE0_OFF), "X_GPE0_BLK");
    CHECK(gas_is(f + 244, 0, 0, 0) && gas_is(f + 256, 0, 0, 0), "sleep registers set");
    uint64_t dsdt = rd(f + 140, 8);
    CHECK(sig_is(dsdt, "DSDT") && rd(dsdt + 8, 1) >= 2, "DSDT revision < 2 (32-bit ints)");
    /* more than 8 APIC ids: physical destination mode */
    CHECK(!(flags & (1u << 19)), "APIC physical forced with 4 cores");
    rsdp = build(16, NULL, true);
    f = find_table(rsdp, "FACP");
    CHECK(rd(f + 112, 4) & (1u << 19), "APIC physical not forced with 16 cores");
    return true;
}

static bool test_hpet(void)
{
    uint64_t rsdp = build(2, NULL, true);
    uint64_t h = find_table(rsdp, "HPET");
    CHECK(h && rd(h + 4, 4) == 56, "HPET table length");
    CHECK(rd(h + 40, 1) == 0 && rd(h + 44, 8) == PC_HPET_BASE, "HPET base address GAS");
    uint32_t id = (uint32_t)rd(h + 36, 4);
    CHECK((id & 0xff) != 0 && ((id >> 8) & 0x1f) + 1 == 3 && (id & (1u << 13)),
          "event timer block id 0x%08x", id);
    return true;
}

/* ---------------- AML reader (ACPI 6.4 chapter 20) ---------------- */

enum { V_INT, V_STR, V_BUF, V_PKG };

typedef struct Val {
    int kind;
    uint64_t i;
    const uint8_t *p; /* string (NUL-terminated) or buffer bytes */
    size_t len;
    int n;
    struct Val **el;
} Val;

enum { O_NAME, O_DEVICE, O_SCOPE, O_METHOD };

typedef struct NsObj {
    char path[96];
    int kind;
    Val *v;
} NsObj;

#define MAX_VALS 16384
#define MAX_OBJS 4096
static Val vals[MAX_VALS];
static Val *elptr[MAX_VALS];
static int nvals, nelptr;
static NsObj objs[MAX_OBJS];
static int nobjs;
static char aml_err[256];

#define AML_FAIL(...)                                                                  \
    do {                                                                               \
        snprintf(aml_err, sizeof(aml_err), __VA_ARGS__);                               \
        return false;                                                                  \
    } while (0)

static bool pkglen(const uint8_t **pp, const uint8_t *end, const uint8_t **body_end)
{
    const uint8_t *p = *pp, *start = *pp;
    if (p >= end) {
        AML_FAIL("PkgLength past the end");
    }
    unsigned follow = p[0] >> 6;
    size_t len;
    if (follow == 0) {
        len = p[0] & 0x3f;
    } else {
        if (p[0] & 0x30) {
            AML_FAIL("PkgLength lead byte 0x%02x: bits 5:4 must be 0", p[0]);
        }
        if (p + 1 + follow > end) {
            AML_FAIL("PkgLength truncated");
        }
        len = p[0] & 0x0f;
        for (unsigned i = 0; i < follow; i++) {
            len |= (size_t)p[1 + i] << (4 + 8 * i);
        }
    }
    if (start + len > end || len < 1 + follow) {
        AML_FAIL("PkgLength %zu overruns its parent", len);
    }
    *pp = p + 1 + follow;
    *body_end = start + len;
    return true;
}

static bool is_lead(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_namechar(uint8_t c)
{
    return is_lead(c) || (c >= '0' && c <= '9');
}

/* NameString -> absolute dotted path ("\\_SB_.PCI0") relative to scope */
static bool namestring(const uint8_t **pp, const uint8_t *end, const char *scope,
                       char *out, size_t outsz)
{
    const uint8_t *p = *pp;
    char buf[96];
    size_t n = 0;
    if (p < end && *p == '\\') {
        buf[n++] = '\\';
        p++;
    } else {
        snprintf(buf, sizeof(buf), "%s", scope);
        n = strlen(buf);
        while (p < end && *p == '^') {
            char *dot = strrchr(buf, '.');
            if (!dot) {
                if (n <= 1) {
                    AML_FAIL("^ above the root");
                }
                n = 1; /* parent of a top-level name is the root */
            } else {
                n = (size_t)(dot - buf);
            }
            buf[n] = 0;
            p++;
        }
    }
    int nseg;
    if (p >= end) {
        AML_FAIL("NameString truncated");
    }
    if (*p == 0x00) {
        nseg = 0;
        p++;
    } else if (*p == 0x2e) {
        nseg = 2;
        p++;
    } else if (*p == 0x2f) {
        if (p + 1 >= end) {
            AML_FAIL("MultiNamePrefix truncated");
        }
        nseg = p[1];
        p += 2;
    } else {
        nseg = 1;
    }
    for (int s = 0; s < nseg; s++) {
        if (p + 4 > end || !is_lead(p[0]) || !is_namechar(p[1]) || !is_namechar(p[2]) ||
            !is_namechar(p[3])) {
            AML_FAIL("bad NameSeg");
        }
        if (n + 6 >= sizeof(buf)) {
            AML_FAIL("path too long");
        }
        if (n > 1 || (n == 1 && buf[0] != '\\')) {
            buf[n++] = '.';
        }
        memcpy(buf + n, p, 4);
        n += 4;
        buf[n] = 0;
        p += 4;
    }
    buf[n] = 0;
    snprintf(out, outsz, "%s", buf);
    *pp = p;
    return true;
}

static Val *new_val(void)
{
    if (nvals == MAX_VALS) {
        return NULL;
    }
    Val *v = &vals[nvals++];
    memset(v, 0, sizeof(*v));
    return v;
}

static bool data_object(const uint8_t **pp, const uint8_t *end, Val **out);

static bool integer_le(const uint8_t **pp, const uint8_t *end, int n, uint64_t *v)
{
    if (*pp + n > end) {
        AML_FAIL("integer truncated");
    }
    *v = 0;
    for (int i = n - 1; i >= 0; i--) {
        *v = *v << 8 | (*pp)[i];
    }
    *pp += n;
    return true;
}

static bool data_object(const uint8_t **pp, const uint8_t *end, Val **out)
{
    const uint8_t *p = *pp;
    Val *v = new_val();
    if (!v) {
        AML_FAIL("value pool full");
    }
    if (p >= end) {
        AML_FAIL("data object past the end");
    }
    uint8_t op = *p++;
    switch (op) {
    case 0x00: /* ZeroOp */
    case 0x01: /* OneOp */
        v->kind = V_INT;
        v->i = op;
        break;
    case 0xff: /* OnesOp (64-bit with DSDT revision 2) */
        v->kind = V_INT;
        v->i = ~0ull;
        break;
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0e: {
        int n = op == 0x0a ? 1 : op == 0x0b ? 2 : op == 0x0c ? 4 : 8;
        v->kind = V_INT;
        if (!integer_le(&p, end, n, &v->i)) {
            return false;
        }
        break;
    }
    case 0x0d: { /* String: ASCII 0x01-0x7f, NUL-terminated */
        v->kind = V_STR;
        v->p = p;
        while (p < end && *p) {
            if (*p > 0x7f) {
                AML_FAIL("non-ASCII string");
            }
            p++;
        }
        if (p >= end) {
            AML_FAIL("unterminated string");
        }
        v->len = (size_t)(p - v->p);
        p++;
        break;
    }
    case 0x11: { /* Buffer: PkgLength BufferSize ByteList */
        const uint8_t *bend;
        if (!pkglen(&p, end, &bend)) {
            return false;
        }
        Val *size;
        if (!data_object(&p, bend, &size)) {
            return false;
        }
        if (size->kind != V_INT || size->i != (uint64_t)(bend - p)) {
            AML_FAIL("BufferSize %llu but %td bytes", (unsigned long long)size->i, bend - p);
        }
        v->kind = V_BUF;
        v->p = p;
        v->len = (size_t)(bend - p);
        p = bend;
        break;
    }
    case 0x12: { /* Package: PkgLength NumElements PackageElementList */
        const uint8_t *pend;
        if (!pkglen(&p, end, &pend)) {
            return false;
        }
        if (p >= pend) {
            AML_FAIL("package without NumElements");
        }
        int n = *p++;
        v->kind = V_PKG;
        v->n = n;
        v->el = &elptr[nelptr];
        if (nelptr + n > MAX_VALS) {
            AML_FAIL("element pool full");
        }
        nelptr += n;
        for (int i = 0; i < n; i++) {
            if (p >= pend) {
                AML_FAIL("package has fewer than its %d elements", n);
            }
            if (!data_object(&p, pend, &v->el[i])) {
                return false;
            }
        }
        if (p != pend) {
            AML_FAIL("package has bytes after its %d elements", n);
        }
        break;
    }
    default:
        AML_FAIL("unexpected data opcode 0x%02x", op);
    }
    *pp = p;
    *out = v;
    return true;
}

static bool add_obj(const char *path, int kind, Val *v)
{
    for (int i = 0; i < nobjs; i++) {
        if (strcmp(objs[i].path, path) == 0 && kind != O_SCOPE && objs[i].kind != O_SCOPE) {
            AML_FAIL("%s defined twice", path);
        }
    }
    if (nobjs == MAX_OBJS) {
        AML_FAIL("namespace full");
    }
    snprintf(objs[nobjs].path, sizeof(objs[nobjs].path), "%s", path);
    objs[nobjs].kind = kind;
    objs[nobjs].v = v;
    nobjs++;
    return true;
}

static bool term_list(const uint8_t *p, const uint8_t *end, const char *scope)
{
    while (p < end) {
        uint8_t op = *p++;
        char path[96];
        const uint8_t *bend;
        if (op == 0x08) { /* NameOp NameString DataRefObject */
            Val *v;
            if (!namestring(&p, end, scope, path, sizeof(path)) || !data_object(&p, end, &v) ||
                !add_obj(path, O_NAME, v)) {
                return false;
            }
        } else if (op == 0x10) { /* ScopeOp PkgLength NameString TermList */
            if (!pkglen(&p, end, &bend) || !namestring(&p, bend, scope, path, sizeof(path)) ||
                !add_obj(path, O_SCOPE, NULL) || !term_list(p, bend, path)) {
                return false;
            }
            p = bend;
        } else if (op == 0x5b && p < end && *p == 0x82) { /* DeviceOp */
            p++;
            if (!pkglen(&p, end, &bend) || !namestring(&p, bend, scope, path, sizeof(path)) ||
                !add_obj(path, O_DEVICE, NULL) || !term_list(p, bend, path)) {
                return false;
            }
            p = bend;
        } else if (op == 0x14) { /* MethodOp PkgLength NameString MethodFlags TermList */
            if (!pkglen(&p, end, &bend) || !namestring(&p, bend, scope, path, sizeof(path)) ||
                !add_obj(path, O_METHOD, NULL)) {
                return false;
            }
            p = bend; /* bodies are not interpreted */
        } else {
            AML_FAIL("unexpected opcode 0x%02x at scope %s", op, scope);
        }
    }
    return true;
}

static bool aml_decode(const uint8_t *p, size_t len)
{
    nvals = nelptr = nobjs = 0;
    aml_err[0] = 0;
    return term_list(p, p + len, "\\");
}

static NsObj *ns(const char *path)
{
    for (int i = 0; i < nobjs; i++) {
        if (strcmp(objs[i].path, path) == 0) {
            return &objs[i];
        }
    }
    return NULL;
}

static Val *ns_val(const char *path)
{
    NsObj *o = ns(path);
    return o && o->kind == O_NAME ? o->v : NULL;
}

static bool ns_int(const char *path, uint64_t want)
{
    Val *v = ns_val(path);
    return v && v->kind == V_INT && v->i == want;
}

/* the DSDT's AML copied out of guest memory */
static uint8_t dsdt_buf[65536];
static size_t dsdt_len;

static bool load_dsdt(int ncpus, bool i8042)
{
    PCAcpiConfig cfg = { .ncpus = ncpus, .hpet = true, .i8042 = i8042 };
    uint64_t rsdp = pc_acpi_build(as, &cfg, &area_start, &area_len);
    CHECK(rsdp, "build failed");
    uint64_t f = find_table(rsdp, "FACP");
    uint64_t dsdt = rd(f + 140, 8);
    uint32_t len = (uint32_t)rd(dsdt + 4, 4);
    CHECK(len > 36 && len - 36 <= sizeof(dsdt_buf), "DSDT length %u", len);
    CHECK(memory_rw(as, dsdt + 36, dsdt_buf, len - 36, false), "DSDT unreadable");
    dsdt_len = len - 36;
    CHECK(aml_decode(dsdt_buf, dsdt_len), "AML: %s", aml_err);
    return true;
}

/* EISA ids computed by hand from 6.1.5 (letters 5 bits each, 'A' = 1) */
#define EISA_PNP0A03 0x030ad041u
#define EISA_PNP0501 0x0105d041u
#define EISA_PNP0B00 0x000bd041u
#define EISA_PNP0303 0x0303d041u

static bool test_dsdt_s5(void)
{
    if (!load_dsdt(1, true)) {
        return false;
    }
    Val *s5 = ns_val("\\_S5_");
    CHECK(s5 && s5->kind == V_PKG && s5->n >= 1, "no \\_S5 package");
    CHECK(s5->el[0]->kind == V_INT && s5->el[0]->i == ACPI_SLP_TYP_S5,
          "\\_S5 SLP_TYPa %llu, PM block wants %d", (unsigned long long)s5->el[0]->i,
          ACPI_SLP_TYP_S5);
    return true;
}

/* resource descriptors of a _CRS buffer, by kind; returns false on bad syntax */
typedef struct Res {
    int nio, nword_io, nbus, ndmem, nirq, nmem32f;
    uint16_t io_min[4], io_len[4];
    uint64_t wio_min[4], wio_max[4], wio_len[4];
    uint64_t bus_min, bus_max, dmem_min, dmem_max, dmem_len;
    uint16_t irq_mask;
    bool producer_ok;
} Res;

static bool parse_crs(const Val *b, Res *r)
{
    memset(r, 0, sizeof(*r));
    r->producer_ok = true;
    CHECK(b && b->kind == V_BUF, "_CRS is not a buffer");
    const uint8_t *p = b->p, *end = b->p + b->len;
    while (p < end) {
        uint8_t tag = p[0];
        if (tag & 0x80) { /* large item: tag, 16-bit length */
            CHECK(p + 3 <= end, "large item truncated");
            size_t len = (size_t)p[1] | (size_t)p[2] << 8;
            CHECK(p + 3 + len <= end, "large item overruns");
            const uint8_t *d = p + 3;
            int w = tag == 0x88 ? 2 : tag == 0x87 ? 4 : tag == 0x8a ? 8 : 0;
            if (w) {
                CHECK(len == (size_t)(3 + 5 * w), "address descriptor length %zu", len);
                uint64_t f[5];
                for (int k = 0; k < 5; k++) {
                    f[k] = 0;
                    for (int j = w - 1; j >= 0; j--) {
                        f[k] = f[k] << 8 | d[3 + k * w + j];
                    }
                }
                /* f: granularity, min, max, translation, length */
                CHECK(f[4] == f[2] - f[1] + 1, "_LEN disagrees with _MIN/_MAX");
                r->producer_ok &= (d[1] & 1) == 0 && (d[1] & 0xc) == 0xc;
                if (d[0] == 1 && r->nword_io < 4) {
                    r->wio_min[r->nword_io] = f[1];
                    r->wio_max[r->nword_io] = f[2];
                    r->wio_len[r->nword_io] = f[4];
                    r->nword_io++;
                } else if (d[0] == 2) {
                    r->bus_min = f[1];
                    r->bus_max = f[2];
                    r->nbus++;
                } else if (d[0] == 0) {
                    r->dmem_min = f[1];
                    r->dmem_max = f[2];
                    r->dmem_len = f[4];
                    r->ndmem++;
                }
            } else if (tag == 0x86) {
                CHECK(len == 9, "Memory32Fixed length");
                r->nmem32f++;
            } else {
                CHECK(false, "unexpected large item 0x%02x", tag);
            }
            p += 3 + len;
        } else {
            size_t len = tag & 7;
            uint8_t type = (tag >> 3) & 0xf;
            CHECK(p + 1 + len <= end, "small item overruns");
            if (type == 0x0f) { /* end tag */
                CHECK(len == 1 && p + 2 == end, "end tag not last");
                return true;
            } else if (type == 0x08) {
                CHECK(len == 7 && r->nio < 4, "I/O descriptor length");
                r->io_min[r->nio] = (uint16_t)(p[2] | p[3] << 8);
                CHECK(r->io_min[r->nio] == (uint16_t)(p[4] | p[5] << 8), "I/O min != max");
                r->io_len[r->nio] = p[7];
                r->nio++;
            } else if (type == 0x04) {
                CHECK(len == 2 || len == 3, "IRQ descriptor length");
                r->irq_mask = (uint16_t)(p[1] | p[2] << 8);
                r->nirq++;
            } else {
                CHECK(false, "unexpected small item 0x%02x", tag);
            }
            p += 1 + len;
        }
    }
    CHECK(false, "no end tag");
}

static bool test_dsdt_pci0(void)
{
    if (!load_dsdt(4, true)) {
        return false;
    }
    NsObj *d = ns("\\_SB_.PCI0");
    CHECK(d && d->kind == O_DEVICE, "no device \\_SB.PCI0");
    Val *hid = ns_val("\\_SB_.PCI0._HID");
    CHECK(hid && hid->kind == V_INT && hid->i == EISA_PNP0A03, "PCI0._HID");
    CHECK(ns_int("\\_SB_.PCI0._SEG", 0) && ns_int("\\_SB_.PCI0._BBN", 0) &&
              ns_val("\\_SB_.PCI0._UID"),
          "_SEG/_BBN/_UID");
    Res r;
    if (!parse_crs(ns_val("\\_SB_.PCI0._CRS"), &r)) {
        return false;
    }
    CHECK(r.producer_ok, "windows not producer with fixed min/max");
    CHECK(r.nbus == 1 && r.bus_min == 0 && r.bus_max == 255, "bus range");
    CHECK(r.nword_io == 2 && r.wio_min[0] == 0 && r.wio_max[0] == 0xcf7 &&
              r.wio_min[1] == 0xd00 && r.wio_max[1] == 0xffff,
          "I/O windows");
    CHECK(r.nio == 1 && r.io_min[0] == 0xcf8 && r.io_len[0] == 8, "config ports");
    CHECK(r.ndmem == 1 && r.dmem_min == PC_PCI_MMIO_BASE &&
              r.dmem_max == PC_PCI_MMIO_BASE + PC_PCI_MMIO_SIZE - 1 &&
              r.dmem_len == PC_PCI_MMIO_SIZE,
          "MMIO window 0x%llx-0x%llx", (unsigned long long)r.dmem_min,
          (unsigned long long)r.dmem_max);
    return true;
}

static bool test_dsdt_prt(void)
{
    if (!load_dsdt(1, true)) {
        return false;
    }
    Val *prt = ns_val("\\_SB_.PCI0._PRT");
    CHECK(prt && prt->kind == V_PKG, "no _PRT package");
    bool seen[32][4] = { { false } };
    for (int i = 0; i < prt->n; i++) {
        Val *e = prt->el[i];
        CHECK(e->kind == V_PKG && e->n == 4, "entry %d not a 4-package", i);
        for (int k = 0; k < 4; k++) {
            CHECK(e->el[k]->kind == V_INT, "entry %d field %d not an integer", i, k);
        }
        uint64_t addr = e->el[0]->i, pin = e->el[1]->i, src = e->el[2]->i, gsi = e->el[3]->i;
        CHECK((addr & 0xffff) == 0xffff && (addr >> 16) < 32 && pin < 4,
              "entry %d address 0x%llx pin %llu", i, (unsigned long long)addr,
              (unsigned long long)pin);
        int slot = (int)(addr >> 16);
        CHECK(src == 0, "entry %d: Source must be 0 (direct GSI)", i);
        CHECK(gsi == (uint64_t)(PC_PCI_GSI_BASE + ((slot + (int)pin) & 3)),
              "slot %d pin %llu -> GSI %llu", slot, (unsigned long long)pin,
              (unsigned long long)gsi);
        CHECK(gsi < PC_NUM_GSI, "GSI %llu beyond the IOAPIC", (unsigned long long)gsi);
        CHECK(!seen[slot][pin], "slot %d pin %llu twice", slot, (unsigned long long)pin);
        seen[slot][pin] = true;
    }
    for (int s = 0; s < 32; s++) {
        for (int p = 0; p < 4; p++) {
            CHECK(seen[s][p], "slot %d pin %d missing", s, p);
        }
    }
    return true;
}

static bool check_isa(const char *dev, uint32_t hid, uint16_t port, uint16_t len, int irq)
{
    char path[64];
    snprintf(path, sizeof(path), "\\_SB_.%s._HID", dev);
    Val *h = ns_val(path);
    CHECK(h && h->kind == V_INT && h->i == hid, "%s._HID", dev);
    snprintf(path, sizeof(path), "\\_SB_.%s._CRS", dev);
    Res r;
    if (!parse_crs(ns_val(path), &r)) {
        return false;
    }
    CHECK(r.nio >= 1 && r.io_min[0] == port && r.io_len[0] == len, "%s I/O 0x%x+%u", dev,
          r.io_min[0], r.io_len[0]);
    CHECK(r.nirq == 1 && r.irq_mask == (1u << irq), "%s IRQ mask 0x%x", dev, r.irq_mask);
    return true;
}

static bool test_dsdt_isa(void)
{
    if (!load_dsdt(1, true)) {
        return false;
    }
    if (!check_isa("COM1", EISA_PNP0501, 0x3f8, 8, 4) ||
        !check_isa("RTC_", EISA_PNP0B00, 0x70, 2, 8) ||
        !check_isa("KBD_", EISA_PNP0303, 0x60, 1, 1)) {
        return false;
    }
    Res r;
    parse_crs(ns_val("\\_SB_.KBD_._CRS"), &r);
    CHECK(r.nio == 2 && r.io_min[1] == 0x64, "keyboard status port");
    if (!load_dsdt(1, false)) {
        return false;
    }
    CHECK(ns("\\_SB_.KBD_") == NULL, "keyboard described without an i8042");
    return true;
}

static bool test_dsdt_cpus(void)
{
    static const int counts[] = { 1, 4, 255 };
    for (unsigned k = 0; k < 3; k++) {
        int n = counts[k];
        if (!load_dsdt(n, true)) {
            return false;
        }
        int found = 0;
        for (int i = 0; i < nobjs; i++) {
            const char *p = objs[i].path;
            if (objs[i].kind != O_DEVICE || strncmp(p, "\\_SB_.", 6) != 0) {
                continue;
            }
            char hidp[128];
            snprintf(hidp, sizeof(hidp), "%.96s._HID", p);
            Val *h = ns_val(hidp);
            if (!h || h->kind != V_STR || strcmp((const char *)h->p, "ACPI0007") != 0) {
                continue;
            }
            snprintf(hidp, sizeof(hidp), "%.96s._UID", p);
            Val *u = ns_val(hidp);
            CHECK(u && u->kind == V_INT && u->i == (uint64_t)found,
                  "%d cores: processor %.96s has _UID %llu, want %d (MADT order)", n, p,
                  u ? (unsigned long long)u->i : 0ull, found);
            found++;
        }
        CHECK(found == n, "%d processor devices for %d cores", found, n);
    }
    return true;
}

static bool test_dsdt_iasl(void)
{
    if (system("command -v iasl >/dev/null 2>&1") != 0) {
        CHECK(false, "SKIP iasl not installed (Debian acpica-tools)");
    }
    uint64_t rsdp = build(255, NULL, true);
    char dir[] = "/tmp/test-x86-acpi-XXXXXX";
    CHECK(mkdtemp(dir), "mkdtemp");
    static const char *const sigs[] = { "FACP", "APIC", "HPET", "DSDT" };
    bool ok = true;
    for (unsigned i = 0; i < 4 && ok; i++) {
        uint64_t t = i < 3 ? find_table(rsdp, sigs[i]) : rd(find_table(rsdp, "FACP") + 140, 8);
        uint32_t len = (uint32_t)rd(t + 4, 4);
        uint8_t *buf = malloc(len);
        memory_rw(as, t, buf, len, false);
        char path[128], cmd[512];
        snprintf(path, sizeof(path), "%s/%s.dat", dir, sigs[i]);
        FILE *f = fopen(path, "wb");
        ok = f && fwrite(buf, 1, len, f) == len;
        if (f) {
            fclose(f);
        }
        free(buf);
        /* disassemble, then recompile the disassembly: iasl rejects what it
           cannot round-trip */
        snprintf(cmd, sizeof(cmd),
                 "cd %s && iasl -d %s.dat >%s.log 2>&1 && iasl -tc %s.dsl >>%s.log 2>&1 && "
                 "! grep -qiE '^(Error|Warning)|[[:space:]](Error|Warning) [0-9]' %s.log",
                 dir, sigs[i], sigs[i], sigs[i], sigs[i], sigs[i]);
        if (ok && system(cmd) != 0) {
            snprintf(why, sizeof(why), "iasl rejects %s: see %s/%s.log", sigs[i], dir, sigs[i]);
            return false;
        }
    }
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(ok, "writing tables to %s", dir);
    CHECK(system(cmd) == 0, "rm");
    return true;
}

/* ---------------- AML builder ---------------- */

static bool bytes_are(const Aml *a, const uint8_t *want, size_t n)
{
    return a->len == n && memcmp(a->buf, want, n) == 0;
}

static bool test_aml_encoding(void)
{
    Aml a;
    aml_init(&a);
    aml_name_string(&a, "\\_SB.PCI0");
    static const uint8_t n1[] = { 0x5c, 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0' };
    CHECK(bytes_are(&a, n1, sizeof(n1)), "\\_SB.PCI0");
    a.len = 0;
    aml_name_string(&a, "\\_SB.PCI0.COM1");
    CHECK(a.len == 2 + 1 + 12 && a.buf[1] == 0x2f && a.buf[2] == 3, "multi-name path");
    a.len = 0;
    aml_name_string(&a, "^^RTC");
    static const uint8_t n2[] = { '^', '^', 'R', 'T', 'C', '_' };
    CHECK(bytes_are(&a, n2, sizeof(n2)), "^^RTC");
    a.len = 0;
    aml_int(&a, 0);
    aml_int(&a, 1);
    aml_int(&a, 0xff);
    aml_int(&a, 0x100);
    aml_int(&a, 0x10000);
    aml_int(&a, 0x100000000ull);
    aml_int(&a, ~0ull);
    static const uint8_t ints[] = { 0x00, 0x01, 0x0a, 0xff, 0x0b, 0x00, 0x01,
                                    0x0c, 0x00, 0x00, 0x01, 0x00, 0x0e, 0, 0, 0, 0, 1, 0,
                                    0, 0, 0xff };
    CHECK(bytes_are(&a, ints, sizeof(ints)), "integer encodings");
    /* Method(_STA, 0, NotSerialized) { Return (0x0F) }: 20.2.5.2 */
    a.len = 0;
    aml_method(&a, "_STA", 0, false);
    aml_return(&a);
    aml_int(&a, 0x0f);
    aml_close(&a);
    static const uint8_t m[] = { 0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0f };
    CHECK(bytes_are(&a, m, sizeof(m)), "method encoding");
    /* Device(\_SB.X) { Name(_HID, "ACPI0007") } */
    a.len = 0;
    aml_device(&a, "\\_SB.X");
    aml_name_str(&a, "_HID", "ACPI0007");
    aml_close(&a);
    static const uint8_t d[] = { 0x5b, 0x82, 0x1a, 0x5c, 0x2e, '_', 'S', 'B', '_', 'X', '_',
                                 '_', '_', 0x08, '_', 'H', 'I', 'D', 0x0d, 'A', 'C', 'P',
                                 'I', '0', '0', '0', '7', 0x00 };
    CHECK(bytes_are(&a, d, sizeof(d)), "device encoding");
    aml_free(&a);
    CHECK(aml_eisaid("PNP0A03") == EISA_PNP0A03 && aml_eisaid("PNP0501") == EISA_PNP0501 &&
              aml_eisaid("PNP0B00") == EISA_PNP0B00,
          "EISA ids: 0x%08x", aml_eisaid("PNP0A03"));
    return true;
}

/* PkgLength at every encoding boundary (20.2.4): a package of n zero bytes */
static bool test_aml_pkglength(void)
{
    static const size_t sizes[] = { 0, 60, 61, 62, 63, 64, 4000, 4093, 4094, 4095, 70000 };
    for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        Aml a;
        aml_init(&a);
        aml_name(&a, "BUF");
        aml_buffer(&a);
        for (size_t i = 0; i < sizes[k]; i++) {
            aml_byte(&a, (uint8_t)i);
        }
        aml_close(&a);
        bool ok = aml_decode(a.buf, a.len);
        Val *v = ok ? ns_val("\\BUF_") : NULL;
        bool good = v && v->kind == V_BUF && v->len == sizes[k];
        for (size_t i = 0; good && i < sizes[k]; i++) {
            good = v->p[i] == (uint8_t)i;
        }
        size_t nlen = a.len;
        aml_free(&a);
        CHECK(ok, "size %zu: %s", sizes[k], aml_err);
        CHECK(good, "size %zu: buffer decoded wrong (%zu AML bytes)", sizes[k], nlen);
    }
    /* a package of n Ones elements (1 byte each): lengths 62..64 total */
    for (int n = 58; n <= 66; n++) {
        Aml a;
        aml_init(&a);
        aml_name(&a, "PKG");
        aml_package(&a, (uint8_t)n);
        for (int i = 0; i < n; i++) {
            aml_int(&a, ~0ull);
        }
        aml_close(&a);
        bool ok = aml_decode(a.buf, a.len);
        Val *v = ok ? ns_val("\\PKG_") : NULL;
        aml_free(&a);
        CHECK(ok, "package of %d: %s", n, aml_err);
        CHECK(v && v->kind == V_PKG && v->n == n && v->el[n - 1]->i == ~0ull,
              "package of %d decoded wrong", n);
    }
    return true;
}

/* ---------------- PM block ---------------- */

static uint64_t fake_ns;
static uint64_t fake_clock(void *opaque)
{
    return fake_ns;
}

static int sci_level, sci_edges;
/* called under the PM block's lock, from the test thread or the timer thread */
static void sci_handler(void *opaque, int n, int level)
{
    if (level && !__atomic_load_n(&sci_level, __ATOMIC_RELAXED)) {
        sci_edges++;
    }
    __atomic_store_n(&sci_level, level, __ATOMIC_RELEASE);
}

static Machine machine;

static AcpiPM *new_pm(void)
{
    memset(&machine, 0, sizeof(machine));
    sci_level = sci_edges = 0;
    IRQLine sci = { sci_handler, NULL, PC_ISA_IRQ_SCI };
    AcpiPM *pm = acpi_pm_create(&machine, &sci);
    fake_ns = 1000000000ull * 1000; /* arbitrary start */
    acpi_pm_set_clock(pm, fake_clock, NULL);
    return pm;
}

static uint64_t pm_in(AcpiPM *pm, uint64_t off, unsigned size)
{
    return acpi_pm_ops.read(pm, off, size);
}

static void pm_out(AcpiPM *pm, uint64_t off, uint64_t v, unsigned size)
{
    acpi_pm_ops.write(pm, off, v, size);
}

#define SLP_EN (1u << 13)
#define SLP_TYP(t) ((unsigned)(t) << 10)

static bool test_pm_s5(void)
{
    AcpiPM *pm = new_pm();
    bool ok = false;
    do {
        if ((pm_in(pm, ACPI_PM1_CNT_OFF, 2) & 1) != 1) {
            snprintf(why, sizeof(why), "SCI_EN reads 0");
            break;
        }
        pm_out(pm, ACPI_PM1_CNT_OFF, 0, 2); /* try to clear SCI_EN */
        if ((pm_in(pm, ACPI_PM1_CNT_OFF, 2) & 1) != 1) {
            snprintf(why, sizeof(why), "SCI_EN cleared by a write");
            break;
        }
        /* SLP_TYP alone (Linux writes it first) does nothing */
        pm_out(pm, ACPI_PM1_CNT_OFF, SLP_TYP(ACPI_SLP_TYP_S5) | 1, 2);
        if (machine.shutdown_requested) {
            snprintf(why, sizeof(why), "shutdown without SLP_EN");
            break;
        }
        if (((pm_in(pm, ACPI_PM1_CNT_OFF, 2) >> 10) & 7) != ACPI_SLP_TYP_S5) {
            snprintf(why, sizeof(why), "SLP_TYP not stored");
            break;
        }
        /* another sleep type with SLP_EN: no shutdown, WAK_STS at once */
        pm_out(pm, ACPI_PM1_CNT_OFF, SLP_TYP(3) | SLP_EN | 1, 2);
        if (machine.shutdown_requested) {
            snprintf(why, sizeof(why), "SLP_TYP 3 powered off");
            break;
        }
        if (!(pm_in(pm, ACPI_PM1_EVT_OFF, 2) & 0x8000)) {
            snprintf(why, sizeof(why), "WAK_STS not set after an unsupported sleep");
            break;
        }
        if (pm_in(pm, ACPI_PM1_CNT_OFF, 2) & SLP_EN) {
            snprintf(why, sizeof(why), "SLP_EN reads back");
            break;
        }
        /* S5 as one byte write of the high half (SLP_TYP and SLP_EN both in it) */
        pm_out(pm, ACPI_PM1_CNT_OFF + 1, (SLP_TYP(ACPI_SLP_TYP_S5) | SLP_EN) >> 8, 1);
        if (machine.shutdown_requested != 1 || machine.exit_status != 0) {
            snprintf(why, sizeof(why), "S5: shutdown_requested %d status %d",
                     machine.shutdown_requested, machine.exit_status);
            break;
        }
        ok = true;
    } while (0);
    acpi_pm_free(pm);
    return ok;
}

static bool test_pm_s5_word(void)
{
    AcpiPM *pm = new_pm();
    /* the ACPICA sequence: write SLP_TYP, then SLP_TYP|SLP_EN, 16-bit */
    uint16_t cnt = (uint16_t)pm_in(pm, ACPI_PM1_CNT_OFF, 2);
    pm_out(pm, ACPI_PM1_CNT_OFF, cnt | SLP_TYP(ACPI_SLP_TYP_S5), 2);
    pm_out(pm, ACPI_PM1_CNT_OFF, cnt | SLP_TYP(ACPI_SLP_TYP_S5) | SLP_EN, 2);
    int req = machine.shutdown_requested;
    acpi_pm_free(pm);
    CHECK(req == 1 && machine.exit_status == 0, "shutdown_requested %d", req);
    return true;
}

static bool test_pm_timer(void)
{
    AcpiPM *pm = new_pm();
    bool ok = false;
    do {
        uint32_t t0 = (uint32_t)pm_in(pm, ACPI_PM_TMR_OFF, 4);
        fake_ns += 1000000000ull; /* one second */
        uint32_t t1 = (uint32_t)pm_in(pm, ACPI_PM_TMR_OFF, 4);
        if (t1 - t0 != ACPI_PM_TMR_HZ) {
            snprintf(why, sizeof(why), "1 s = %u ticks", t1 - t0);
            break;
        }
        /* 1 us: 3 or 4 ticks; never backwards */
        fake_ns += 1000;
        uint32_t t2 = (uint32_t)pm_in(pm, ACPI_PM_TMR_OFF, 4);
        if (t2 - t1 < 3 || t2 - t1 > 4) {
            snprintf(why, sizeof(why), "1 us = %u ticks", t2 - t1);
            break;
        }
        /* byte reads see the same counter */
        uint32_t lo = (uint32_t)pm_in(pm, ACPI_PM_TMR_OFF, 2);
        uint32_t hi = (uint32_t)pm_in(pm, ACPI_PM_TMR_OFF + 2, 2);
        if ((hi << 16 | lo) != t2) {
            snprintf(why, sizeof(why), "16-bit halves 0x%x:0x%x, dword 0x%x", hi, lo, t2);
            break;
        }
        /* the counter is 32 bits (TMR_VAL_EXT): it wraps after 2^32 ticks */
        fake_ns += 1200ull * 1000000000ull; /* 20 minutes: 4.29e9 ticks */
        uint32_t t3 = (uint32_t)pm_in(pm, ACPI_PM_TMR_OFF, 4);
        uint64_t elapsed = 1000000000ull + 1000 + 1200ull * 1000000000ull;
        uint32_t want = (uint32_t)((unsigned __int128)elapsed * ACPI_PM_TMR_HZ / 1000000000u);
        if (t3 != want || (unsigned __int128)elapsed * ACPI_PM_TMR_HZ / 1000000000u <= 0xffffffffu) {
            snprintf(why, sizeof(why), "after %llu ns: 0x%x, want 0x%x (wrapped)",
                     (unsigned long long)elapsed, t3, want);
            break;
        }
        /* long uptimes do not overflow the ns * Hz product (2^64 / 3.58e6 ns ~ 85 min) */
        fake_ns += 100ull * 3600 * 1000000000ull; /* +100 hours */
        elapsed += 100ull * 3600 * 1000000000ull;
        uint32_t t4 = (uint32_t)pm_in(pm, ACPI_PM_TMR_OFF, 4);
        uint32_t want4 = (uint32_t)((unsigned __int128)elapsed * ACPI_PM_TMR_HZ / 1000000000u);
        if (t4 != want4) {
            snprintf(why, sizeof(why), "after 100 h: 0x%x, want 0x%x", t4, want4);
            break;
        }
        ok = true;
    } while (0);
    acpi_pm_free(pm);
    return ok;
}

static bool test_pm_timer_host(void)
{
    /* the default clock is the host's: the counter moves at about 3.58 MHz */
    Machine m = { 0 };
    AcpiPM *pm = acpi_pm_create(&m, NULL);
    uint32_t a = (uint32_t)acpi_pm_ops.read(pm, ACPI_PM_TMR_OFF, 4);
    uint64_t c0 = clock_ns();
    usleep(20000);
    uint32_t b = (uint32_t)acpi_pm_ops.read(pm, ACPI_PM_TMR_OFF, 4);
    uint64_t c1 = clock_ns();
    acpi_pm_free(pm);
    uint64_t dt = c1 - c0;
    uint64_t want = dt * ACPI_PM_TMR_HZ / 1000000000u;
    CHECK(b - a > 0 && (uint64_t)(b - a) <= want + 4000 && (uint64_t)(b - a) + 4000 >= want / 2,
          "%u ticks in %llu ns", b - a, (unsigned long long)dt);
    return true;
}

static bool test_pm_tmr_sts(void)
{
    AcpiPM *pm = new_pm();
    bool ok = false;
    do {
        pm_out(pm, ACPI_PM1_EVT_OFF + 2, 1, 2); /* TMR_EN */
        if (sci_level) {
            snprintf(why, sizeof(why), "SCI before any toggle");
            break;
        }
        /* bit 31 toggles after 2^31 ticks = 599.9 s */
        fake_ns += 599ull * 1000000000ull;
        if (pm_in(pm, ACPI_PM1_EVT_OFF, 2) & 1) {
            snprintf(why, sizeof(why), "TMR_STS early");
            break;
        }
        fake_ns += 1ull * 1000000000ull;
        if (!(pm_in(pm, ACPI_PM1_EVT_OFF, 2) & 1) || sci_level != 1) {
            snprintf(why, sizeof(why), "TMR_STS/SCI not raised at the bit 31 toggle");
            break;
        }
        pm_out(pm, ACPI_PM1_EVT_OFF, 1, 2); /* write 1 to clear */
        if ((pm_in(pm, ACPI_PM1_EVT_OFF, 2) & 1) || sci_level) {
            snprintf(why, sizeof(why), "TMR_STS not cleared by writing 1");
            break;
        }
        pm_out(pm, ACPI_PM1_EVT_OFF + 2, 0, 2);
        ok = true;
    } while (0);
    acpi_pm_free(pm);
    return ok;
}

/* host clock plus an offset the test moves: the PM timer's host timer must
   raise the SCI at the bit 31 toggle with no register access */
static uint64_t offset_ns;
static uint64_t offset_clock(void *opaque)
{
    return clock_ns() + __atomic_load_n(&offset_ns, __ATOMIC_RELAXED);
}

static bool test_pm_tmr_irq(void)
{
    AcpiPM *pm = new_pm();
    offset_ns = 0;
    acpi_pm_set_clock(pm, offset_clock, NULL);
    /* 2^31 ticks = 599.997 s; put the toggle 30 ms ahead */
    uint64_t toggle_ns = (uint64_t)((1ull << 31) * 1000000000ull / ACPI_PM_TMR_HZ);
    __atomic_store_n(&offset_ns, toggle_ns - 30000000ull, __ATOMIC_RELAXED);
    pm_out(pm, ACPI_PM1_EVT_OFF + 2, 1, 2); /* TMR_EN: arms the host timer */
    bool early = __atomic_load_n(&sci_level, __ATOMIC_ACQUIRE) != 0;
    int waited = 0;
    while (!__atomic_load_n(&sci_level, __ATOMIC_ACQUIRE) && waited < 2000) {
        usleep(1000);
        waited++;
    }
    bool raised = __atomic_load_n(&sci_level, __ATOMIC_ACQUIRE) != 0;
    pm_out(pm, ACPI_PM1_EVT_OFF + 2, 0, 2); /* TMR_EN off: timer cancelled */
    bool sts = pm_in(pm, ACPI_PM1_EVT_OFF, 2) & 1;
    acpi_pm_free(pm);
    CHECK(!early, "SCI before the toggle");
    CHECK(raised && sts, "no SCI/TMR_STS %d ms after the toggle", waited - 30);
    CHECK(waited >= 15, "SCI after %d ms, the toggle was 30 ms away", waited);
    return true;
}

static bool test_pm_pwrbtn(void)
{
    AcpiPM *pm = new_pm();
    bool ok = false;
    do {
        acpi_pm_power_button(pm);
        if (!(pm_in(pm, ACPI_PM1_EVT_OFF, 2) & 0x100) || sci_level) {
            snprintf(why, sizeof(why), "PWRBTN_STS latch / SCI while disabled");
            break;
        }
        /* a 32-bit write at PM1_EVT: status (w1c) 0, enable PWRBTN_EN */
        pm_out(pm, ACPI_PM1_EVT_OFF, 0x0100u << 16, 4);
        if (sci_level != 1 || sci_edges != 1) {
            snprintf(why, sizeof(why), "SCI %d edges %d after enabling", sci_level, sci_edges);
            break;
        }
        if (pm_in(pm, ACPI_PM1_EVT_OFF, 4) != (0x0100u << 16 | 0x0100u)) {
            snprintf(why, sizeof(why), "PM1_EVT dword 0x%llx",
                     (unsigned long long)pm_in(pm, ACPI_PM1_EVT_OFF, 4));
            break;
        }
        /* clearing status with a byte write of the high status byte */
        pm_out(pm, ACPI_PM1_EVT_OFF + 1, 0x01, 1);
        if (sci_level || (pm_in(pm, ACPI_PM1_EVT_OFF, 2) & 0x100)) {
            snprintf(why, sizeof(why), "PWRBTN_STS not cleared");
            break;
        }
        /* writing 0 never clears */
        acpi_pm_power_button(pm);
        pm_out(pm, ACPI_PM1_EVT_OFF, 0, 2);
        if (!sci_level) {
            snprintf(why, sizeof(why), "writing 0 cleared a status bit");
            break;
        }
        acpi_pm_reset(pm);
        if (sci_level || pm_in(pm, ACPI_PM1_EVT_OFF, 4) != 0 ||
            (pm_in(pm, ACPI_PM1_CNT_OFF, 2) & 1) != 1) {
            snprintf(why, sizeof(why), "reset leaves state");
            break;
        }
        ok = true;
    } while (0);
    acpi_pm_free(pm);
    return ok;
}

static bool test_pm_gpe0(void)
{
    AcpiPM *pm = new_pm();
    bool ok = false;
    do {
        if (pm_in(pm, ACPI_GPE0_OFF, 4) != 0) {
            snprintf(why, sizeof(why), "GPE0 not 0 at reset");
            break;
        }
        pm_out(pm, ACPI_GPE0_OFF + 2, 0xffff, 2); /* enable everything */
        if (pm_in(pm, ACPI_GPE0_OFF + 2, 2) != 0xffff || pm_in(pm, ACPI_GPE0_OFF, 2) != 0 ||
            sci_level) {
            snprintf(why, sizeof(why), "GPE0_EN readback / spurious event");
            break;
        }
        pm_out(pm, ACPI_GPE0_OFF, 0xffff, 2); /* clearing nothing is harmless */
        pm_out(pm, ACPI_GPE0_OFF + 2, 0, 1);
        if (pm_in(pm, ACPI_GPE0_OFF + 2, 2) != 0xff00) {
            snprintf(why, sizeof(why), "byte write of GPE0_EN");
            break;
        }
        /* unimplemented bytes of the range read 0 and ignore writes */
        pm_out(pm, 0x10, 0xffffffff, 4);
        if (pm_in(pm, 0x10, 4) != 0 || pm_in(pm, ACPI_PM_LEN - 4, 4) != 0) {
            snprintf(why, sizeof(why), "hole not 0");
            break;
        }
        ok = true;
    } while (0);
    acpi_pm_free(pm);
    return ok;
}

int main(void)
{
    as = address_space_new("test");
    memory_map_ram(as, "ram", 0, 0x100000);
    run("acpi_rsdp", test_rsdp);
    run("acpi_sdt_checksums", test_sdt_checksums);
    run("acpi_madt_1", test_madt_1);
    run("acpi_madt_4", test_madt_4);
    run("acpi_madt_255", test_madt_255);
    run("acpi_madt_x2apic", test_madt_x2apic);
    run("acpi_build_bad", test_build_bad);
    run("acpi_fadt", test_fadt);
    run("acpi_hpet", test_hpet);
    run("aml_encoding", test_aml_encoding);
    run("aml_pkglength", test_aml_pkglength);
    run("acpi_dsdt_s5", test_dsdt_s5);
    run("acpi_dsdt_pci0", test_dsdt_pci0);
    run("acpi_dsdt_prt", test_dsdt_prt);
    run("acpi_dsdt_isa", test_dsdt_isa);
    run("acpi_dsdt_cpus", test_dsdt_cpus);
    run("acpi_iasl", test_dsdt_iasl);
    run("acpi_pm_s5", test_pm_s5);
    run("acpi_pm_s5_word", test_pm_s5_word);
    run("acpi_pm_timer", test_pm_timer);
    run("acpi_pm_timer_host", test_pm_timer_host);
    run("acpi_pm_tmr_sts", test_pm_tmr_sts);
    run("acpi_pm_tmr_irq", test_pm_tmr_irq);
    run("acpi_pm_pwrbtn", test_pm_pwrbtn);
    run("acpi_pm_gpe0", test_pm_gpe0);
    address_space_free(as);
    return failures ? 1 : 0;
}
