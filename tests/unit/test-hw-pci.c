/*
 * test-hw-pci.c — the PCI host bridge and configuration space, driven the
 * way firmware and Linux drive them: through the 0xcf8/0xcfc port ops
 * (configuration mechanism #1), then through the MMIO and I/O windows.
 * Covers enumeration (present and absent functions), the CONFIG_ADDRESS
 * latch, read-only and write-1-to-clear registers, BAR sizing for I/O,
 * 32- and 64-bit memory BARs, firmware pre-assignment, decode enables, BAR
 * moves seen through the window, the capability list, INTx routing and
 * sharing, MSI-X (table, masking, PBA) and the 0xcf9 reset register.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/pci/pci-host.h"

static int failures;
static char why[256];

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
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
}

#define WIN_BASE 0xc0000000ull
#define WIN_SIZE 0x3ec00000ull
#define TEST_SLOT 3

/* ---- a test function: BAR0 I/O 32 bytes, BAR1 mem32 4 KiB, BAR2/3 mem64 16 KiB ---- */

typedef struct TestDev {
    PCIDevice pci;
    uint64_t last_off[3];
    uint64_t last_val[3];
    unsigned last_size[3];
    int writes[3];
} TestDev;

static uint64_t td_read(TestDev *t, int bar, uint64_t off, unsigned size)
{
    t->last_off[bar] = off;
    t->last_size[bar] = size;
    return 0x1000u * (unsigned)(bar + 1) + off; /* identifies BAR and offset */
}

static void td_write(TestDev *t, int bar, uint64_t off, uint64_t val, unsigned size)
{
    t->last_off[bar] = off;
    t->last_val[bar] = val;
    t->last_size[bar] = size;
    t->writes[bar]++;
}

#define BAR_OPS(n)                                                                     \
    static uint64_t rd##n(void *o, uint64_t off, unsigned size)                        \
    {                                                                                  \
        return td_read(o, n, off, size);                                               \
    }                                                                                  \
    static void wr##n(void *o, uint64_t off, uint64_t v, unsigned size)                \
    {                                                                                  \
        td_write(o, n, off, v, size);                                                  \
    }                                                                                  \
    static const MemoryRegionOps ops##n = { .read = rd##n, .write = wr##n,             \
                                            .min_access = 1, .max_access = 4 };
BAR_OPS(0)
BAR_OPS(1)
BAR_OPS(2)

static const PCIDeviceInfo test_info = {
    .name = "test-dev",
    .vendor_id = 0x1234,
    .device_id = 0x5678,
    .subsystem_vendor_id = 0x1af4,
    .subsystem_id = 0x0042,
    .revision = 7,
    .class_code = 0x020000, /* ethernet */
    .interrupt_pin = 2,     /* INTB */
};

static const PCIDeviceInfo test2_info = {
    .name = "test-dev2",
    .vendor_id = 0x1234,
    .device_id = 0x0002,
    .class_code = 0xff0000,
    .interrupt_pin = 1,
};

/* ---- the fixture ---- */

static Machine machine;
static AddressSpace *as;
static PCIHost *host;
static TestDev *td, *td2;
static int intx_level[4];
static int intx_changes;
static uint64_t msi_addr[16];
static uint32_t msi_data[16];
static int msi_count;

static void intx_handler(void *opaque, int n, int level)
{
    intx_level[n] = level;
    intx_changes++;
}

static const IRQLine intx_lines[4] = {
    { intx_handler, NULL, 0 }, { intx_handler, NULL, 1 },
    { intx_handler, NULL, 2 }, { intx_handler, NULL, 3 },
};

static void msi_send(void *opaque, uint64_t addr, uint32_t data)
{
    if (msi_count < 16) {
        msi_addr[msi_count] = addr;
        msi_data[msi_count] = data;
    }
    msi_count++;
}

static void setup(void)
{
    memset(&machine, 0, sizeof(machine));
    as = address_space_new("pci-test");
    memory_map_ram(as, "ram", 0, 0x100000);
    machine.as = as;
    const IRQLine *intx[4] = { &intx_lines[0], &intx_lines[1], &intx_lines[2],
                               &intx_lines[3] };
    host = pci_host_create(&machine, WIN_BASE, WIN_SIZE, msi_send, NULL, intx);
    pci_host_set_intx_gsi_base(host, 16);
    td = calloc(1, sizeof(*td));
    td2 = calloc(1, sizeof(*td2));
    if (!pci_device_register(host, &td->pci, TEST_SLOT, &test_info)) {
        abort();
    }
    pci_register_bar(&td->pci, 0, PCI_BAR_IO, false, 32, &ops0, td);
    pci_register_bar(&td->pci, 1, PCI_BAR_MEM32, false, 0x1000, &ops1, td);
    pci_register_bar(&td->pci, 2, PCI_BAR_MEM64, true, 0x4000, &ops2, td);
    pci_msix_init(&td->pci, 4, 5);
    if (!pci_device_register(host, &td2->pci, 7, &test2_info)) { /* (7 + 0) & 3 = 3 */
        abort();
    }
    pci_host_map_mmio(host, as);
    memset(intx_level, 0, sizeof(intx_level));
    intx_changes = 0;
    msi_count = 0;
}

static void teardown(void)
{
    pci_host_free(host); /* test devices have no free hook: ours to free */
    free(td);
    free(td2);
    address_space_free(as);
}

/* ---- mechanism #1 through the port ops, as the guest's in/out do ---- */

static uint32_t conf_addr(int bus, int dev, int fn, int reg)
{
    return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8 |
           (uint32_t)(reg & 0xfc);
}

static uint32_t cfg_read(int dev, int reg, unsigned size)
{
    pci_host_conf_ops.write(host, 0, conf_addr(0, dev, 0, reg), 4);
    return (uint32_t)pci_host_conf_ops.read(host, 4 + (reg & 3), size);
}

static void cfg_write(int dev, int reg, uint32_t val, unsigned size)
{
    pci_host_conf_ops.write(host, 0, conf_addr(0, dev, 0, reg), 4);
    pci_host_conf_ops.write(host, 4 + (reg & 3), val, size);
}

static uint64_t bar_addr_cfg(int dev, int n)
{
    uint32_t lo = cfg_read(dev, PCI_BASE_ADDRESS_0 + 4 * n, 4);
    uint64_t a = (lo & 1) ? (lo & ~3u) : (lo & ~0xfu);
    if (!(lo & 1) && (lo & PCI_BAR_MEM_TYPE_64)) {
        a |= (uint64_t)cfg_read(dev, PCI_BASE_ADDRESS_0 + 4 * n + 4, 4) << 32;
    }
    return a;
}

/* ---- cases ---- */

static bool t_enumerate(void)
{
    setup();
    int found = 0;
    for (int d = 0; d < 32; d++) {
        uint32_t id = cfg_read(d, PCI_VENDOR_ID, 4);
        if (id == 0xffffffffu) {
            continue;
        }
        found++;
        if (d == 0) {
            CHECK(id == (PCI_HOST_DEVICE_ID << 16 | PCI_HOST_VENDOR_ID), "host bridge id %08x", id);
            CHECK((cfg_read(0, PCI_REVISION_ID, 4) >> 8) == PCI_CLASS_BRIDGE_HOST,
                  "host bridge class %06x", cfg_read(0, PCI_REVISION_ID, 4) >> 8);
        } else if (d == TEST_SLOT) {
            CHECK(id == 0x56781234u, "test id %08x", id);
            CHECK(cfg_read(d, PCI_REVISION_ID, 1) == 7, "revision");
            CHECK(cfg_read(d, PCI_CLASS_DEVICE, 2) == 0x0200, "class %04x",
                  cfg_read(d, PCI_CLASS_DEVICE, 2));
            CHECK(cfg_read(d, PCI_SUBSYSTEM_VENDOR_ID, 4) == 0x00421af4u, "subsystem");
            CHECK(cfg_read(d, PCI_HEADER_TYPE, 1) == 0, "header type");
            CHECK(cfg_read(d, PCI_INTERRUPT_PIN, 1) == 2, "pin");
            /* firmware line: GSI 16 + ((3 + 2 - 1) & 3) = 16 */
            CHECK(cfg_read(d, PCI_INTERRUPT_LINE, 1) == 16, "line %u",
                  cfg_read(d, PCI_INTERRUPT_LINE, 1));
            /* 16-bit and byte reads at every offset of the dword */
            CHECK(cfg_read(d, PCI_DEVICE_ID, 2) == 0x5678, "word at 2");
            CHECK(cfg_read(d, 1, 1) == 0x12 && cfg_read(d, 3, 1) == 0x56, "bytes");
        } else {
            CHECK(d == 7, "unexpected device at %d", d);
        }
    }
    CHECK(found == 3, "%d functions found, want 3", found);
    /* function 1 of a present device, another bus, the enable bit off: all ones */
    pci_host_conf_ops.write(host, 0, conf_addr(0, TEST_SLOT, 1, 0), 4);
    CHECK(pci_host_conf_ops.read(host, 4, 4) == 0xffffffffu, "fn 1 present");
    CHECK(pci_host_conf_ops.read(host, 6, 2) == 0xffffu, "fn 1 word");
    pci_host_conf_ops.write(host, 0, conf_addr(1, 0, 0, 0), 4);
    CHECK(pci_host_conf_ops.read(host, 4, 4) == 0xffffffffu, "bus 1 present");
    pci_host_conf_ops.write(host, 0, conf_addr(0, 0, 0, 0) & 0x7fffffffu, 4);
    CHECK(pci_host_conf_ops.read(host, 4, 4) == 0xffffffffu, "enable bit ignored");
    /* writes to absent functions vanish (nothing to check but no crash) */
    pci_host_conf_ops.write(host, 0, conf_addr(0, 9, 0, 4), 4);
    pci_host_conf_ops.write(host, 4, 0xffff, 2);
    teardown();
    return true;
}

static bool t_config_address_latch(void)
{
    setup();
    /* Linux's pci_check_type1(): byte to 0xcfb, then the latch reads back */
    pci_host_conf_ops.write(host, 3, 0x01, 1);
    pci_host_conf_ops.write(host, 0, 0x80000000u, 4);
    CHECK(pci_host_conf_ops.read(host, 0, 4) == 0x80000000u, "latch %08x",
          (unsigned)pci_host_conf_ops.read(host, 0, 4));
    pci_host_conf_ops.write(host, 0, conf_addr(0, TEST_SLOT, 0, 0x2f), 4);
    CHECK(pci_host_conf_ops.read(host, 0, 4) == conf_addr(0, TEST_SLOT, 0, 0x2c),
          "low bits of the register number are not latched");
    pci_host_conf_ops.write(host, 2, 0x1234, 2); /* narrow: not the latch */
    CHECK(pci_host_conf_ops.read(host, 0, 4) == conf_addr(0, TEST_SLOT, 0, 0x2c),
          "16-bit write changed the latch");
    CHECK(pci_host_conf_ops.read(host, 4, 2) == 0x1af4, "data after latch");
    teardown();
    return true;
}

static bool t_readonly_and_w1c(void)
{
    setup();
    cfg_write(TEST_SLOT, PCI_VENDOR_ID, 0xdeadbeef, 4);
    CHECK(cfg_read(TEST_SLOT, PCI_VENDOR_ID, 4) == 0x56781234u, "id writable");
    cfg_write(TEST_SLOT, PCI_CLASS_PROG, 0xffffff, 4);
    CHECK(cfg_read(TEST_SLOT, PCI_CLASS_DEVICE, 2) == 0x0200, "class writable");
    cfg_write(TEST_SLOT, PCI_INTERRUPT_PIN, 4, 1);
    CHECK(cfg_read(TEST_SLOT, PCI_INTERRUPT_PIN, 1) == 2, "pin writable");
    cfg_write(TEST_SLOT, PCI_INTERRUPT_LINE, 11, 1);
    CHECK(cfg_read(TEST_SLOT, PCI_INTERRUPT_LINE, 1) == 11, "line not writable");
    cfg_write(TEST_SLOT, PCI_CACHE_LINE_SIZE, 0x10, 1);
    CHECK(cfg_read(TEST_SLOT, PCI_CACHE_LINE_SIZE, 1) == 0x10, "cache line size");
    /* status: error bits are write-1-to-clear; set one behind the guest's back */
    td->pci.config[PCI_STATUS + 1] |= 0x20; /* received master abort */
    uint32_t st = cfg_read(TEST_SLOT, PCI_STATUS, 2);
    CHECK((st & 0x2000) && (st & PCI_STATUS_CAP_LIST), "status %04x", st);
    cfg_write(TEST_SLOT, PCI_STATUS, 0x0010, 2); /* writing 0 to the error bit keeps it */
    CHECK(cfg_read(TEST_SLOT, PCI_STATUS, 2) & 0x2000, "w1c cleared by a 0");
    cfg_write(TEST_SLOT, PCI_STATUS, 0x2000, 2);
    st = cfg_read(TEST_SLOT, PCI_STATUS, 2);
    CHECK(!(st & 0x2000) && (st & PCI_STATUS_CAP_LIST), "w1c: status %04x", st);
    teardown();
    return true;
}

static bool t_bar_sizing(void)
{
    setup();
    /* firmware's assignments: inside the windows, command = io|mem|master */
    uint32_t cmd = cfg_read(TEST_SLOT, PCI_COMMAND, 2);
    CHECK((cmd & 7) == 7, "command %04x", cmd);
    uint64_t io = bar_addr_cfg(TEST_SLOT, 0), m32 = bar_addr_cfg(TEST_SLOT, 1),
             m64 = bar_addr_cfg(TEST_SLOT, 2);
    CHECK(io >= PCI_HOST_IO_BASE && io + 32 <= PCI_HOST_IO_BASE + PCI_HOST_IO_SIZE &&
              !(io & 31), "io bar %#llx", (unsigned long long)io);
    CHECK(m32 >= WIN_BASE && m32 + 0x1000 <= WIN_BASE + WIN_SIZE && !(m32 & 0xfff),
          "mem32 bar %#llx", (unsigned long long)m32);
    CHECK(m64 >= WIN_BASE && m64 + 0x4000 <= WIN_BASE + WIN_SIZE && !(m64 & 0x3fff),
          "mem64 bar %#llx", (unsigned long long)m64);
    CHECK(m32 + 0x1000 <= m64 || m64 + 0x4000 <= m32, "BARs overlap");
    CHECK(pci_bar_address(&td->pci, 2) == m64, "decoded 64-bit address");
    /* sizing as Linux's __pci_read_base does: decode off, ones, read, restore */
    cfg_write(TEST_SLOT, PCI_COMMAND, cmd & ~3u, 2);
    struct {
        int n;
        uint32_t want;
    } cases[] = {
        { 0, 0xffffffe1u },           /* I/O, 32 bytes */
        { 1, 0xfffff000u },           /* mem32, 4 KiB, not prefetchable */
        { 2, 0xffffc00cu },           /* mem64 prefetchable, 16 KiB */
        { 3, 0xffffffffu },           /* its upper half */
        { 4, 0 },                     /* unimplemented */
        { 5, 0xfffff000u },           /* the MSI-X BAR */
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int reg = PCI_BASE_ADDRESS_0 + 4 * cases[i].n;
        uint32_t old = cfg_read(TEST_SLOT, reg, 4);
        cfg_write(TEST_SLOT, reg, 0xffffffffu, 4);
        uint32_t mask = cfg_read(TEST_SLOT, reg, 4);
        cfg_write(TEST_SLOT, reg, old, 4);
        CHECK(mask == cases[i].want, "BAR%d sizes to %08x, want %08x", cases[i].n, mask,
              cases[i].want);
        CHECK(cfg_read(TEST_SLOT, reg, 4) == old, "BAR%d not restored", cases[i].n);
    }
    CHECK(pci_bar_address(&td->pci, 1) == PCI_BAR_UNMAPPED, "decodes with MEM off");
    cfg_write(TEST_SLOT, PCI_COMMAND, cmd, 2);
    CHECK(pci_bar_address(&td->pci, 1) == m32, "decode back on");
    /* the expansion ROM BAR is not implemented */
    cfg_write(TEST_SLOT, PCI_ROM_ADDRESS, 0xfffff801u, 4);
    CHECK(cfg_read(TEST_SLOT, PCI_ROM_ADDRESS, 4) == 0, "ROM BAR");
    teardown();
    return true;
}

static bool t_window_access_and_move(void)
{
    setup();
    bool ok;
    uint64_t m32 = bar_addr_cfg(TEST_SLOT, 1), m64 = bar_addr_cfg(TEST_SLOT, 2);
    uint64_t v = memory_read(as, m32 + 0x24, 4, &ok);
    CHECK(ok && v == 0x2000 + 0x24, "read via window: %#llx", (unsigned long long)v);
    memory_write(as, m64 + 0x3ffc, 0xcafef00d, 4, &ok);
    CHECK(td->writes[2] == 1 && td->last_off[2] == 0x3ffc && td->last_val[2] == 0xcafef00d &&
              td->last_size[2] == 4, "write via window off %#llx",
          (unsigned long long)td->last_off[2]);
    /* an 8-byte access is split by the BAR's own max_access */
    v = memory_read(as, m64 + 0x10, 8, &ok);
    CHECK(v == ((uint64_t)(0x3000 + 0x14) << 32 | (0x3000 + 0x10)), "8-byte read %#llx",
          (unsigned long long)v);
    /* nothing decodes between BARs: master abort reads all ones */
    CHECK(memory_read(as, WIN_BASE + 0x100000, 4, &ok) == 0xffffffffu, "hole");
    /* the guest moves BAR1 (decode off while it does, like Linux) */
    uint64_t newaddr = 0xd0000000ull;
    uint32_t cmd = cfg_read(TEST_SLOT, PCI_COMMAND, 2);
    cfg_write(TEST_SLOT, PCI_COMMAND, cmd & ~2u, 2);
    CHECK(memory_read(as, m32, 4, &ok) == 0xffffffffu, "decode off still decodes");
    cfg_write(TEST_SLOT, PCI_BASE_ADDRESS_0 + 4, (uint32_t)newaddr, 4);
    cfg_write(TEST_SLOT, PCI_COMMAND, cmd, 2);
    CHECK(memory_read(as, m32 + 8, 4, &ok) == 0xffffffffu, "old address still decodes");
    v = memory_read(as, newaddr + 8, 4, &ok);
    CHECK(v == 0x2000 + 8 && td->last_off[1] == 8, "new address: %#llx",
          (unsigned long long)v);
    /* move the 64-bit BAR by writing both halves */
    uint64_t new64 = 0xe0004000ull;
    cfg_write(TEST_SLOT, PCI_BASE_ADDRESS_0 + 8, (uint32_t)new64, 4);
    cfg_write(TEST_SLOT, PCI_BASE_ADDRESS_0 + 12, 0, 4);
    CHECK(pci_bar_address(&td->pci, 2) == new64, "64-bit move");
    CHECK(memory_read(as, new64 + 0x3ff0, 2, &ok) == ((0x3000 + 0x3ff0) & 0xffff), "64 read");
    /* a BAR moved above 4 GiB is outside the window: not reachable, no crash */
    cfg_write(TEST_SLOT, PCI_BASE_ADDRESS_0 + 12, 1, 4);
    CHECK(pci_bar_address(&td->pci, 2) == 0x1e0004000ull, "high 64-bit address");
    CHECK(memory_read(as, new64, 4, &ok) == 0xffffffffu, "moved away, still decodes");
    /* system reset puts firmware's addresses back */
    pci_host_reset(host);
    CHECK(bar_addr_cfg(TEST_SLOT, 1) == m32 && bar_addr_cfg(TEST_SLOT, 2) == m64,
          "reset did not restore BARs");
    CHECK(memory_read(as, m32 + 4, 4, &ok) == 0x2004, "after reset");
    teardown();
    return true;
}

static bool t_io_window(void)
{
    setup();
    uint64_t io = bar_addr_cfg(TEST_SLOT, 0);
    uint64_t v = pci_host_io_ops.read(host, io - PCI_HOST_IO_BASE + 6, 2);
    CHECK(v == 0x1000 + 6 && td->last_size[0] == 2, "io read %#llx", (unsigned long long)v);
    pci_host_io_ops.write(host, io - PCI_HOST_IO_BASE + 31, 0x5a, 1);
    CHECK(td->writes[0] == 1 && td->last_off[0] == 31 && td->last_val[0] == 0x5a, "io write");
    /* I/O decode off */
    uint32_t cmd = cfg_read(TEST_SLOT, PCI_COMMAND, 2);
    cfg_write(TEST_SLOT, PCI_COMMAND, cmd & ~1u, 2);
    CHECK(pci_host_io_ops.read(host, io - PCI_HOST_IO_BASE, 1) == 0xff, "io decode off");
    cfg_write(TEST_SLOT, PCI_COMMAND, cmd, 2);
    /* a move inside the window */
    cfg_write(TEST_SLOT, PCI_BASE_ADDRESS_0, PCI_HOST_IO_BASE + 0x800, 4);
    CHECK(pci_host_io_ops.read(host, 0x800 + 2, 2) == 0x1002, "moved io");
    CHECK(pci_host_io_ops.read(host, io - PCI_HOST_IO_BASE, 2) == 0xffff, "old io decodes");
    teardown();
    return true;
}

static bool t_capability_list(void)
{
    setup();
    CHECK(cfg_read(TEST_SLOT, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, "no cap list bit");
    int pos = (int)cfg_read(TEST_SLOT, PCI_CAPABILITY_LIST, 1), n = 0, msix = 0;
    while (pos && n < 48) {
        CHECK(pos >= 0x40 && !(pos & 3), "cap at %#x", pos);
        if (cfg_read(TEST_SLOT, pos, 1) == PCI_CAP_ID_MSIX) {
            msix = pos;
        }
        pos = (int)cfg_read(TEST_SLOT, pos + 1, 1);
        n++;
    }
    CHECK(n == 1 && msix, "%d caps, msix at %#x", n, msix);
    uint32_t ctl = cfg_read(TEST_SLOT, msix + PCI_MSIX_FLAGS, 2);
    CHECK((ctl & PCI_MSIX_FLAGS_QSIZE) == 3 && !(ctl & PCI_MSIX_FLAGS_ENABLE), "ctl %04x", ctl);
    CHECK(cfg_read(TEST_SLOT, msix + PCI_MSIX_TABLE, 4) == 5, "table BIR/offset");
    CHECK(cfg_read(TEST_SLOT, msix + PCI_MSIX_PBA, 4) == (PCI_MSIX_PBA_OFFSET | 5), "PBA");
    /* the host bridge has none */
    CHECK(!(cfg_read(0, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST), "bridge caps");
    teardown();
    return true;
}

static bool t_intx(void)
{
    setup();
    /* slot 3 INTB -> line (3 + 1) & 3 = 0; slot 7 INTA -> line 3 */
    pci_set_irq(&td->pci, 1);
    CHECK(intx_level[0] == 1 && intx_level[3] == 0, "levels %d %d", intx_level[0],
          intx_level[3]);
    CHECK(cfg_read(TEST_SLOT, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, "status bit");
    /* INTx disable masks the pin but the status bit still shows it */
    uint32_t cmd = cfg_read(TEST_SLOT, PCI_COMMAND, 2);
    cfg_write(TEST_SLOT, PCI_COMMAND, cmd | PCI_COMMAND_INTX_DISABLE, 2);
    CHECK(intx_level[0] == 0, "INTX_DISABLE ignored");
    CHECK(cfg_read(TEST_SLOT, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, "status lost");
    cfg_write(TEST_SLOT, PCI_COMMAND, cmd, 2);
    CHECK(intx_level[0] == 1, "re-enable");
    pci_set_irq(&td->pci, 0);
    CHECK(intx_level[0] == 0, "lower");
    CHECK(!(cfg_read(TEST_SLOT, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT), "status stuck");
    /* slot 7 INTA -> line 3, independent of line 0 */
    pci_set_irq(&td2->pci, 1);
    CHECK(intx_level[3] == 1 && intx_level[0] == 0, "slot 7 INTA -> line 3");
    pci_set_irq(&td2->pci, 0);
    CHECK(intx_level[3] == 0, "line 3 stuck");
    /* an unchanged level is not re-sent to the interrupt controller */
    int changes = intx_changes;
    pci_set_irq(&td->pci, 1);
    pci_set_irq(&td->pci, 1);
    CHECK(intx_changes == changes + 1, "repeated level re-sent");
    pci_set_irq(&td->pci, 0);
    teardown();
    return true;
}

static bool t_intx_shared(void)
{
    setup();
    /* a third device at slot 11 INTB shares line (11 + 1) & 3 = 0 with slot 3 INTB */
    TestDev *t3 = calloc(1, sizeof(*t3));
    PCIDeviceInfo info = test_info;
    info.name = "test-dev3";
    CHECK(pci_device_register(host, &t3->pci, 11, &info), "register slot 11");
    CHECK(!pci_device_register(host, &t3->pci, 11, &info), "slot taken accepted");
    CHECK(!pci_device_register(host, &t3->pci, 0, &info), "slot 0 accepted");
    pci_set_irq(&td->pci, 1);
    pci_set_irq(&t3->pci, 1);
    CHECK(intx_level[0] == 1, "both");
    pci_set_irq(&td->pci, 0);
    CHECK(intx_level[0] == 1, "line dropped while slot 11 still drives it");
    pci_set_irq(&t3->pci, 0);
    CHECK(intx_level[0] == 0, "line stuck");
    teardown();
    free(t3);
    return true;
}

static bool t_msix(void)
{
    setup();
    bool ok;
    int cap = td->pci.msix_cap;
    uint64_t tbl = bar_addr_cfg(TEST_SLOT, 5);
    CHECK(tbl >= WIN_BASE, "msix bar %#llx", (unsigned long long)tbl);
    /* every vector starts masked */
    for (int v = 0; v < 4; v++) {
        CHECK(memory_read(as, tbl + 16 * v + 12, 4, &ok) == 1, "vector %d not masked", v);
    }
    /* program vector 2, enable MSI-X with the function masked */
    memory_write(as, tbl + 32, 0xfee01004, 4, &ok);
    memory_write(as, tbl + 36, 0, 4, &ok);
    memory_write(as, tbl + 40, 0x4041, 4, &ok);
    CHECK(memory_read(as, tbl + 32, 4, &ok) == 0xfee01004, "table readback");
    cfg_write(TEST_SLOT, cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 2);
    CHECK(pci_msix_enabled(&td->pci), "not enabled");
    CHECK((cfg_read(TEST_SLOT, cap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_QSIZE) == 3,
          "table size writable");
    pci_msix_notify(&td->pci, 2); /* vector masked and function masked: pending */
    CHECK(msi_count == 0, "sent while masked");
    CHECK(memory_read(as, tbl + PCI_MSIX_PBA_OFFSET, 4, &ok) == 4, "PBA %#llx",
          (unsigned long long)memory_read(as, tbl + PCI_MSIX_PBA_OFFSET, 4, &ok));
    memory_write(as, tbl + 44, 0, 4, &ok); /* unmask the vector: function still masked */
    CHECK(msi_count == 0, "sent while function masked");
    cfg_write(TEST_SLOT, cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
    CHECK(msi_count == 1 && msi_addr[0] == 0xfee01004 && msi_data[0] == 0x4041,
          "pending not delivered on unmask: %d %#llx %#x", msi_count,
          (unsigned long long)msi_addr[0], msi_data[0]);
    CHECK(memory_read(as, tbl + PCI_MSIX_PBA_OFFSET, 4, &ok) == 0, "PBA not cleared");
    pci_msix_notify(&td->pci, 2);
    CHECK(msi_count == 2 && msi_data[1] == 0x4041, "direct send");
    /* vector mask bit: pending, then sent on unmask */
    memory_write(as, tbl + 44, 1, 4, &ok);
    pci_msix_notify(&td->pci, 2);
    CHECK(msi_count == 2, "sent while vector masked");
    memory_write(as, tbl + 44, 0, 4, &ok);
    CHECK(msi_count == 3, "vector unmask did not send pending");
    /* bus mastering off holds messages back */
    uint32_t cmd = cfg_read(TEST_SLOT, PCI_COMMAND, 2);
    cfg_write(TEST_SLOT, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER, 2);
    pci_msix_notify(&td->pci, 2);
    CHECK(msi_count == 3, "sent without bus master");
    cfg_write(TEST_SLOT, PCI_COMMAND, cmd, 2);
    CHECK(msi_count == 4, "held message lost");
    /* out-of-range vectors and the PBA are not writable; MSI-X off sends nothing */
    pci_msix_notify(&td->pci, 9);
    memory_write(as, tbl + PCI_MSIX_PBA_OFFSET, 0xff, 4, &ok);
    CHECK(memory_read(as, tbl + PCI_MSIX_PBA_OFFSET, 4, &ok) == 0, "PBA writable");
    cfg_write(TEST_SLOT, cap + PCI_MSIX_FLAGS, 0, 2);
    pci_msix_notify(&td->pci, 2);
    CHECK(msi_count == 4 && !pci_msix_enabled(&td->pci), "sent with MSI-X off");
    /* reset masks every vector again */
    pci_host_reset(host);
    CHECK(memory_read(as, tbl + 44, 4, &ok) == 1, "reset left vector unmasked");
    teardown();
    return true;
}

static bool t_reset_register(void)
{
    setup();
    /* Linux's reboot via 0xcf9: 0x02 (hard reset selected), then 0x06 */
    pci_host_conf_ops.write(host, 1, 0x02, 1);
    CHECK(machine.shutdown_requested == 0, "reset on bit 1 alone");
    CHECK(pci_host_conf_ops.read(host, 1, 1) == 0x02, "0xcf9 readback");
    /* a 32-bit write at 0xcf8 is the latch, not the reset register */
    pci_host_conf_ops.write(host, 0, 0x80000400u, 4);
    CHECK(machine.shutdown_requested == 0, "latch write reset the machine");
    pci_host_conf_ops.write(host, 1, 0x06, 1);
    CHECK(machine.shutdown_requested == 2 && machine.exit_status == 0, "no reset: %d",
          machine.shutdown_requested);
    teardown();
    return true;
}

int main(void)
{
    run("pci-enumerate", t_enumerate);
    run("pci-config-address-latch", t_config_address_latch);
    run("pci-readonly-w1c", t_readonly_and_w1c);
    run("pci-bar-sizing", t_bar_sizing);
    run("pci-window-bar-move", t_window_access_and_move);
    run("pci-io-window", t_io_window);
    run("pci-capability-list", t_capability_list);
    run("pci-intx", t_intx);
    run("pci-intx-shared", t_intx_shared);
    run("pci-msix", t_msix);
    run("pci-reset-register", t_reset_register);
    return failures ? 1 : 0;
}
