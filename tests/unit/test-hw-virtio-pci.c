/*
 * test-hw-virtio-pci.c — virtio-blk behind the modern virtio-pci transport,
 * driven the way Linux's virtio_pci_modern does it: enumerate through the
 * 0xcf8/0xcfc ports, walk the vendor capabilities to find the structures in
 * BAR 4, program MSI-X through BAR 1, negotiate features, set up the queue,
 * then move real sectors of a temporary image file — every register access
 * going through the host's MMIO window in a RAM AddressSpace.
 *
 * Checks: identity (vendor/device/revision/subsystem/class), the capability
 * layout, feature negotiation (VERSION_1 required, nothing unoffered),
 * writes that reach the file and read back, MSI-X messages with the
 * programmed address/data per vector, INTx + ISR when MSI-X is off,
 * invalid vectors reading back NO_VECTOR, the PCI_CFG access window, device
 * reset, and malformed descriptors ending in DEVICE_NEEDS_RESET plus a
 * configuration interrupt, never in a host crash (also run under ASan).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/block/virtio-blk.h"
#include "hw/virtio/virtio-pci.h"

static int failures;
static char why[256];

#define CHECK(cond, ...)                                                               \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            snprintf(why, sizeof(why), __VA_ARGS__);                                   \
            return false;                                                              \
        }                                                                              \
    } while (0)

/* a helper already explained itself in why */
#define TRY(cond)                                                                      \
    do {                                                                               \
        if (!(cond)) {                                                                 \
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
#define RAM_BASE 0
#define RAM_SIZE 0x200000ull
#define SLOT 2
#define QSIZE 16
#define DESC (RAM_BASE + 0x1000)
#define AVAIL (RAM_BASE + 0x2000)
#define USED (RAM_BASE + 0x3000)
#define BUF (RAM_BASE + 0x10000)
#define DISK_SECTORS 64

static Machine machine;
static AddressSpace *as;
static uint8_t *ram;
static PCIHost *host;
static VirtIOPCIState *vp;
static char img_path[64];
static int intx_level[4];
static uint64_t msi_addr[64];
static uint32_t msi_data[64];
static int msi_count;
static uint16_t avail_idx;
static pthread_mutex_t msi_lock = PTHREAD_MUTEX_INITIALIZER; /* the concurrent case */

/* what the driver found in the capabilities */
static uint64_t common, isr, devcfg, notify, msix_tbl;
static uint32_t notify_mult;
static int msix_cap, cfg_cap;

static void intx_handler(void *opaque, int n, int level)
{
    intx_level[n] = level;
}

static const IRQLine intx_lines[4] = {
    { intx_handler, NULL, 0 }, { intx_handler, NULL, 1 },
    { intx_handler, NULL, 2 }, { intx_handler, NULL, 3 },
};

static void msi_send(void *opaque, uint64_t addr, uint32_t data)
{
    pthread_mutex_lock(&msi_lock);
    if (msi_count < 64) {
        msi_addr[msi_count] = addr;
        msi_data[msi_count] = data;
    }
    msi_count++;
    pthread_mutex_unlock(&msi_lock);
}

/* slot 2 INTA -> line (2 + 0) & 3 = 2 */
static int intx(void)
{
    return intx_level[2];
}

static uint8_t *gp(uint64_t gpa)
{
    return ram + (gpa - RAM_BASE);
}

/* ---- port I/O config access and MMIO through the window ---- */

static uint32_t cfg_read(int reg, unsigned size)
{
    pci_host_conf_ops.write(host, 0, 0x80000000u | SLOT << 11 | (reg & 0xfc), 4);
    return (uint32_t)pci_host_conf_ops.read(host, 4 + (reg & 3), size);
}

static void cfg_write(int reg, uint32_t val, unsigned size)
{
    pci_host_conf_ops.write(host, 0, 0x80000000u | SLOT << 11 | (reg & 0xfc), 4);
    pci_host_conf_ops.write(host, 4 + (reg & 3), val, size);
}

static uint32_t rd(uint64_t addr, unsigned size)
{
    bool ok;
    return (uint32_t)memory_read(as, addr, size, &ok);
}

static void wr(uint64_t addr, uint32_t val, unsigned size)
{
    bool ok;
    memory_write(as, addr, val, size, &ok);
}

static void make_image(void)
{
    snprintf(img_path, sizeof(img_path), "/tmp/coremu-vpci-XXXXXX");
    int fd = mkstemp(img_path);
    uint8_t sec[512];
    for (int s = 0; s < DISK_SECTORS; s++) {
        for (int i = 0; i < 512; i++) {
            sec[i] = (uint8_t)(s * 7 + i);
        }
        if (write(fd, sec, 512) != 512) {
            abort();
        }
    }
    close(fd);
}

static bool setup(void)
{
    memset(&machine, 0, sizeof(machine));
    as = address_space_new("vpci-test");
    ram = memory_map_ram(as, "ram", RAM_BASE, RAM_SIZE)->host;
    machine.as = as;
    const IRQLine *lines[4] = { &intx_lines[0], &intx_lines[1], &intx_lines[2], &intx_lines[3] };
    host = pci_host_create(&machine, WIN_BASE, WIN_SIZE, msi_send, NULL, lines);
    pci_host_set_intx_gsi_base(host, 16);
    vp = virtio_pci_blk_create(host, SLOT, img_path, false, "vpci-serial");
    if (!vp) {
        return false;
    }
    pci_host_map_mmio(host, as);
    memset(intx_level, 0, sizeof(intx_level));
    msi_count = 0;
    return true;
}

static void teardown(void)
{
    pci_host_free(host);
    address_space_free(as);
    host = NULL;
    vp = NULL;
}

/* Walk the capability list like virtio_pci_find_capability() + vp_modern_map_capability(). */
static bool find_caps(void)
{
    common = isr = devcfg = notify = msix_tbl = 0;
    msix_cap = cfg_cap = 0;
    uint64_t bars[6];
    for (int n = 0; n < 6; n++) {
        uint32_t lo = cfg_read(0x10 + 4 * n, 4);
        bars[n] = lo & ~0xfu;
        if ((lo & 7) == 4 && n < 5) {
            bars[n] |= (uint64_t)cfg_read(0x10 + 4 * n + 4, 4) << 32;
        }
    }
    CHECK(cfg_read(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, "no capability list");
    int pos = (int)cfg_read(PCI_CAPABILITY_LIST, 1), n = 0;
    while (pos && n++ < 48) {
        int id = (int)cfg_read(pos, 1);
        if (id == PCI_CAP_ID_MSIX) {
            msix_cap = pos;
            uint32_t t = cfg_read(pos + PCI_MSIX_TABLE, 4);
            msix_tbl = bars[t & 7] + (t & ~7u);
        } else if (id == PCI_CAP_ID_VNDR) {
            int type = (int)cfg_read(pos + 3, 1), bar = (int)cfg_read(pos + 4, 1);
            uint32_t off = cfg_read(pos + 8, 4), len = cfg_read(pos + 12, 4);
            CHECK(bar == 4 || type == VIRTIO_PCI_CAP_PCI_CFG, "cap type %d in BAR %d", type, bar);
            uint64_t a = bars[bar] + off;
            switch (type) {
            case VIRTIO_PCI_CAP_COMMON_CFG: common = a; CHECK(len >= 0x38, "common len"); break;
            case VIRTIO_PCI_CAP_ISR_CFG: isr = a; CHECK(len >= 1, "isr len"); break;
            case VIRTIO_PCI_CAP_DEVICE_CFG: devcfg = a; CHECK(len >= 24, "dev len %u", len); break;
            case VIRTIO_PCI_CAP_NOTIFY_CFG:
                notify = a;
                notify_mult = cfg_read(pos + 16, 4);
                CHECK(cfg_read(pos + 2, 1) >= 20, "notify cap_len");
                break;
            case VIRTIO_PCI_CAP_PCI_CFG: cfg_cap = pos; break;
            default: CHECK(0, "unknown cfg_type %d", type);
            }
        }
        pos = (int)cfg_read(pos + 1, 1);
    }
    CHECK(common && isr && devcfg && notify && msix_tbl && msix_cap && cfg_cap,
          "missing capability");
    CHECK(common >= WIN_BASE && common < WIN_BASE + WIN_SIZE, "BAR 4 outside the window");
    return true;
}

static const uint64_t good_features =
    (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_BLK_F_FLUSH) | (1ull << VIRTIO_BLK_F_SEG_MAX);

/* virtio_pci_modern's probe + virtio_dev_probe + setup_vq, with MSI-X on or off. */
static bool driver_init(uint64_t features, bool use_msix)
{
    TRY(find_caps());
    wr(common + VIRTIO_PCI_COMMON_STATUS, 0, 1);
    CHECK(rd(common + VIRTIO_PCI_COMMON_STATUS, 1) == 0, "reset not complete");
    wr(common + VIRTIO_PCI_COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE, 1);
    wr(common + VIRTIO_PCI_COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER, 1);
    wr(common + VIRTIO_PCI_COMMON_DFSELECT, 1, 4);
    CHECK(rd(common + VIRTIO_PCI_COMMON_DF, 4) & 1, "VERSION_1 not offered");
    wr(common + VIRTIO_PCI_COMMON_GFSELECT, 0, 4);
    wr(common + VIRTIO_PCI_COMMON_GF, (uint32_t)features, 4);
    wr(common + VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
    wr(common + VIRTIO_PCI_COMMON_GF, (uint32_t)(features >> 32), 4);
    wr(common + VIRTIO_PCI_COMMON_STATUS,
       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK, 1);
    if (!(rd(common + VIRTIO_PCI_COMMON_STATUS, 1) & VIRTIO_STATUS_FEATURES_OK)) {
        snprintf(why, sizeof(why), "FEATURES_OK refused");
        return false;
    }
    if (use_msix) {
        /* vector 0: config, vector 1: queue 0 — distinct addresses and data */
        for (int v = 0; v < 2; v++) {
            wr(msix_tbl + 16 * v, 0xfee00000u + 0x1000u * (unsigned)v, 4);
            wr(msix_tbl + 16 * v + 4, 0, 4);
            wr(msix_tbl + 16 * v + 8, 0x30u + (unsigned)v, 4);
            wr(msix_tbl + 16 * v + 12, 0, 4);
        }
        cfg_write(msix_cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
        wr(common + VIRTIO_PCI_COMMON_MSIX, 0, 2);
        CHECK(rd(common + VIRTIO_PCI_COMMON_MSIX, 2) == 0, "config vector");
    }
    CHECK(rd(common + VIRTIO_PCI_COMMON_NUMQ, 2) == 1, "num_queues");
    wr(common + VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
    CHECK(rd(common + VIRTIO_PCI_COMMON_Q_SIZE, 2) == 256, "queue size max %u",
          rd(common + VIRTIO_PCI_COMMON_Q_SIZE, 2));
    CHECK(rd(common + VIRTIO_PCI_COMMON_Q_ENABLE, 2) == 0, "enabled after reset");
    memset(gp(DESC), 0, 0x3000);
    wr(common + VIRTIO_PCI_COMMON_Q_SIZE, QSIZE, 2);
    wr(common + VIRTIO_PCI_COMMON_Q_DESCLO, (uint32_t)DESC, 4);
    wr(common + VIRTIO_PCI_COMMON_Q_DESCHI, 0, 4);
    wr(common + VIRTIO_PCI_COMMON_Q_AVAILLO, (uint32_t)AVAIL, 4);
    wr(common + VIRTIO_PCI_COMMON_Q_AVAILHI, 0, 4);
    wr(common + VIRTIO_PCI_COMMON_Q_USEDLO, (uint32_t)USED, 4);
    wr(common + VIRTIO_PCI_COMMON_Q_USEDHI, 0, 4);
    if (use_msix) {
        wr(common + VIRTIO_PCI_COMMON_Q_MSIX, 1, 2);
        CHECK(rd(common + VIRTIO_PCI_COMMON_Q_MSIX, 2) == 1, "queue vector");
    }
    CHECK(rd(common + VIRTIO_PCI_COMMON_Q_NOFF, 2) == 0, "notify off");
    wr(common + VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
    CHECK(rd(common + VIRTIO_PCI_COMMON_Q_ENABLE, 2) == 1, "queue not enabled");
    wr(common + VIRTIO_PCI_COMMON_STATUS,
       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
           VIRTIO_STATUS_DRIVER_OK, 1);
    avail_idx = 0;
    return true;
}

static void set_desc(int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    uint8_t *d = gp(DESC + 16ull * i);
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
}

static void submit(uint16_t head)
{
    memcpy(gp(AVAIL + 4 + 2 * (avail_idx % QSIZE)), &head, 2);
    avail_idx++;
    memcpy(gp(AVAIL + 2), &avail_idx, 2);
    wr(notify + 0 * notify_mult, 0, 2); /* vp_notify: iowrite16(queue index) */
}

static uint16_t used_idx(void)
{
    uint16_t v;
    memcpy(&v, gp(USED + 2), 2);
    return v;
}

static uint8_t request(uint32_t type, uint64_t sector, uint64_t data, uint32_t len)
{
    uint64_t hdr = BUF, status = BUF + 0x100;
    memcpy(gp(hdr), &type, 4);
    memset(gp(hdr + 4), 0, 4);
    memcpy(gp(hdr + 8), &sector, 8);
    *gp(status) = 0xee;
    bool in = type == VIRTIO_BLK_T_IN;
    set_desc(0, hdr, 16, VRING_DESC_F_NEXT, len ? 1 : 2);
    set_desc(1, data, len, VRING_DESC_F_NEXT | (in ? VRING_DESC_F_WRITE : 0), 2);
    set_desc(2, status, 1, VRING_DESC_F_WRITE, 0);
    submit(0);
    return *gp(status);
}

static uint8_t status(void)
{
    return (uint8_t)rd(common + VIRTIO_PCI_COMMON_STATUS, 1);
}

/* ---- cases ---- */

static bool t_identity(void)
{
    CHECK(setup(), "setup");
    CHECK(cfg_read(PCI_VENDOR_ID, 4) == (0x1042u << 16 | 0x1af4u), "ids %08x",
          cfg_read(PCI_VENDOR_ID, 4));
    CHECK(cfg_read(PCI_REVISION_ID, 1) == 1, "revision");
    CHECK(cfg_read(PCI_SUBSYSTEM_VENDOR_ID, 2) == 0x1af4, "subsystem vendor");
    CHECK(cfg_read(PCI_SUBSYSTEM_ID, 2) != 0, "subsystem id");
    CHECK(cfg_read(PCI_CLASS_DEVICE, 2) == 0x0100, "class (storage)");
    CHECK(cfg_read(PCI_INTERRUPT_PIN, 1) == 1, "pin");
    CHECK(cfg_read(PCI_INTERRUPT_LINE, 1) == 18, "line %u", cfg_read(PCI_INTERRUPT_LINE, 1));
    CHECK((cfg_read(PCI_COMMAND, 2) & 6) == 6, "memory + bus master not on");
    /* BAR 4 is 64-bit, BAR 1 32-bit */
    CHECK((cfg_read(0x10 + 16, 4) & 7) == 4, "BAR4 type");
    CHECK((cfg_read(0x10 + 4, 4) & 7) == 0, "BAR1 type");
    TRY(find_caps());
    CHECK(notify_mult == VIRTIO_PCI_NOTIFY_MULTIPLIER, "multiplier %u", notify_mult);
    uint32_t ctl = cfg_read(msix_cap + PCI_MSIX_FLAGS, 2);
    CHECK((ctl & PCI_MSIX_FLAGS_QSIZE) + 1 == 2, "MSI-X table size %u", (ctl & 0x7ff) + 1);
    /* device config: capacity and blk_size through BAR 4 */
    uint64_t cap = rd(devcfg, 4) | (uint64_t)rd(devcfg + 4, 4) << 32;
    CHECK(cap == DISK_SECTORS, "capacity %llu", (unsigned long long)cap);
    CHECK(rd(devcfg + 20, 4) == 512, "blk_size");
    CHECK(rd(devcfg + 0x100, 4) == 0, "beyond device config");
    teardown();
    return true;
}

static bool t_features(void)
{
    CHECK(setup(), "setup");
    CHECK(!driver_init(1ull << VIRTIO_BLK_F_FLUSH, false), "FEATURES_OK without VERSION_1");
    CHECK(!driver_init(good_features | (1ull << VIRTIO_F_EVENT_IDX), false),
          "FEATURES_OK with an unoffered feature");
    TRY(driver_init(good_features, false));
    /* features are frozen after FEATURES_OK */
    wr(common + VIRTIO_PCI_COMMON_GFSELECT, 0, 4);
    wr(common + VIRTIO_PCI_COMMON_GF, 0, 4);
    CHECK(rd(common + VIRTIO_PCI_COMMON_GF, 4) == (uint32_t)good_features, "features changed");
    /* selectors beyond 1 read 0 */
    wr(common + VIRTIO_PCI_COMMON_DFSELECT, 7, 4);
    CHECK(rd(common + VIRTIO_PCI_COMMON_DF, 4) == 0, "DF[7]");
    /* queue registers are frozen once enabled */
    wr(common + VIRTIO_PCI_COMMON_Q_SIZE, 4, 2);
    CHECK(rd(common + VIRTIO_PCI_COMMON_Q_SIZE, 2) == QSIZE, "size changed while enabled");
    /* a queue that does not exist */
    wr(common + VIRTIO_PCI_COMMON_Q_SELECT, 5, 2);
    CHECK(rd(common + VIRTIO_PCI_COMMON_Q_SIZE, 2) == 0, "queue 5 size");
    wr(common + VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
    CHECK(!(status() & VIRTIO_STATUS_NEEDS_RESET), "queue 5 enable broke the device");
    /* wrongly sized accesses are ignored */
    wr(common + VIRTIO_PCI_COMMON_STATUS, 0, 4);
    CHECK(status() & VIRTIO_STATUS_DRIVER_OK, "4-byte status write reset");
    /* device reset through status 0 */
    wr(common + VIRTIO_PCI_COMMON_STATUS, 0, 1);
    CHECK(status() == 0, "reset");
    wr(common + VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
    CHECK(rd(common + VIRTIO_PCI_COMMON_Q_ENABLE, 2) == 0 &&
              rd(common + VIRTIO_PCI_COMMON_Q_SIZE, 2) == 256, "queue after reset");
    teardown();
    return true;
}

static bool read_file(uint64_t sector, uint8_t *buf, size_t len)
{
    int fd = open(img_path, O_RDONLY);
    bool ok = fd >= 0 && pread(fd, buf, len, (off_t)(sector * 512)) == (ssize_t)len;
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

static bool t_write_read_msix(void)
{
    CHECK(setup(), "setup");
    TRY(driver_init(good_features, true));
    uint64_t data = BUF + 0x1000;
    for (int i = 0; i < 1024; i++) {
        *gp(data + i) = (uint8_t)(0xa5 ^ i);
    }
    CHECK(request(VIRTIO_BLK_T_OUT, 5, data, 1024) == VIRTIO_BLK_S_OK, "write status");
    CHECK(used_idx() == 1, "used idx");
    CHECK(msi_count == 1 && msi_addr[0] == 0xfee01000u && msi_data[0] == 0x31,
          "queue MSI-X: %d messages, %#llx/%#x", msi_count, (unsigned long long)msi_addr[0],
          msi_data[0]);
    CHECK(!intx(), "INTx asserted with MSI-X on");
    CHECK(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0) == VIRTIO_BLK_S_OK, "flush");
    uint8_t file[1024];
    CHECK(read_file(5, file, sizeof(file)), "pread");
    for (int i = 0; i < 1024; i++) {
        CHECK(file[i] == (uint8_t)(0xa5 ^ i), "file byte %d = %#x", i, file[i]);
    }
    memset(gp(data), 0, 1024);
    CHECK(request(VIRTIO_BLK_T_IN, 5, data, 1024) == VIRTIO_BLK_S_OK, "read status");
    for (int i = 0; i < 1024; i++) {
        CHECK(*gp(data + i) == (uint8_t)(0xa5 ^ i), "read back byte %d", i);
    }
    /* untouched neighbour sector */
    CHECK(request(VIRTIO_BLK_T_IN, 7, data, 512) == VIRTIO_BLK_S_OK, "read 7");
    CHECK(*gp(data + 3) == (uint8_t)(7 * 7 + 3), "sector 7 changed");
    CHECK(msi_count == 4, "%d messages after 4 requests", msi_count);
    /* masking the queue vector holds the message until unmasked */
    wr(msix_tbl + 16 + 12, 1, 4);
    CHECK(request(VIRTIO_BLK_T_IN, 1, data, 512) == VIRTIO_BLK_S_OK, "masked read");
    CHECK(msi_count == 4, "sent while masked");
    CHECK(rd(msix_tbl + PCI_MSIX_PBA_OFFSET, 4) == 2, "PBA %#x",
          rd(msix_tbl + PCI_MSIX_PBA_OFFSET, 4));
    wr(msix_tbl + 16 + 12, 0, 4);
    CHECK(msi_count == 5 && msi_data[4] == 0x31, "pending message not sent");
    /* NO_VECTOR for the queue: no message */
    wr(common + VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
    wr(common + VIRTIO_PCI_COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR, 2);
    CHECK(request(VIRTIO_BLK_T_IN, 1, data, 512) == VIRTIO_BLK_S_OK, "no-vector read");
    CHECK(msi_count == 5 && !intx(), "interrupt with NO_VECTOR");
    /* a vector the device does not have reads back NO_VECTOR (§4.1.5.1.2) */
    wr(common + VIRTIO_PCI_COMMON_Q_MSIX, 7, 2);
    CHECK(rd(common + VIRTIO_PCI_COMMON_Q_MSIX, 2) == VIRTIO_MSI_NO_VECTOR, "vector 7 kept");
    wr(common + VIRTIO_PCI_COMMON_MSIX, 2, 2);
    CHECK(rd(common + VIRTIO_PCI_COMMON_MSIX, 2) == VIRTIO_MSI_NO_VECTOR, "config vector 2");
    teardown();
    /* the data survive the device: a fresh one reads them from the file */
    CHECK(setup(), "setup 2");
    TRY(driver_init(good_features, false));
    memset(gp(data), 0, 1024);
    CHECK(request(VIRTIO_BLK_T_IN, 5, data, 1024) == VIRTIO_BLK_S_OK, "reread");
    CHECK(*gp(data + 700) == (uint8_t)(0xa5 ^ 700), "reread data");
    teardown();
    return true;
}

static bool t_intx_isr(void)
{
    CHECK(setup(), "setup");
    TRY(driver_init(good_features, false));
    uint64_t data = BUF + 0x1000;
    CHECK(request(VIRTIO_BLK_T_IN, 2, data, 512) == VIRTIO_BLK_S_OK, "read");
    CHECK(*gp(data + 9) == (uint8_t)(2 * 7 + 9), "data");
    CHECK(msi_count == 0, "MSI-X with MSI-X off");
    CHECK(intx(), "INTx not asserted");
    CHECK(cfg_read(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, "status interrupt bit");
    /* reading the ISR returns the queue bit, clears it and lowers the line */
    CHECK(rd(isr, 1) == VIRTIO_ISR_QUEUE, "isr");
    CHECK(!intx(), "INTx still high after the ISR read");
    CHECK(rd(isr, 1) == 0, "isr not cleared");
    /* INTx disable in the command register masks the pin */
    uint32_t cmd = cfg_read(PCI_COMMAND, 2);
    cfg_write(PCI_COMMAND, cmd | PCI_COMMAND_INTX_DISABLE, 2);
    CHECK(request(VIRTIO_BLK_T_IN, 2, data, 512) == VIRTIO_BLK_S_OK, "read 2");
    CHECK(!intx(), "INTx with INTX_DISABLE");
    cfg_write(PCI_COMMAND, cmd, 2);
    CHECK(intx(), "INTx lost after re-enable");
    /* switching MSI-X on drops the INTx line even with the ISR set */
    cfg_write(msix_cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
    CHECK(!intx(), "INTx with MSI-X enabled");
    cfg_write(msix_cap + PCI_MSIX_FLAGS, 0, 2);
    CHECK(intx(), "INTx not back after MSI-X off");
    CHECK(rd(isr, 1) == VIRTIO_ISR_QUEUE && !intx(), "isr 2");
    /* device reset lowers the line too */
    CHECK(request(VIRTIO_BLK_T_IN, 2, data, 512) == VIRTIO_BLK_S_OK, "read 3");
    CHECK(intx(), "INTx 3");
    wr(common + VIRTIO_PCI_COMMON_STATUS, 0, 1);
    CHECK(!intx() && rd(isr, 1) == 0, "reset kept the interrupt");
    teardown();
    return true;
}

static bool t_pci_cfg_window(void)
{
    CHECK(setup(), "setup");
    TRY(find_caps());
    /* §4.1.4.9: read num_queues (common + 0x12, 2 bytes) through config space */
    cfg_write(cfg_cap + 4, 4, 1);
    cfg_write(cfg_cap + 8, VIRTIO_PCI_COMMON_OFFSET + VIRTIO_PCI_COMMON_NUMQ, 4);
    cfg_write(cfg_cap + 12, 2, 4);
    CHECK(cfg_read(cfg_cap + 16, 4) == 1, "num_queues via PCI_CFG: %u",
          cfg_read(cfg_cap + 16, 4));
    /* write device status through it */
    cfg_write(cfg_cap + 8, VIRTIO_PCI_COMMON_OFFSET + VIRTIO_PCI_COMMON_STATUS, 4);
    cfg_write(cfg_cap + 12, 1, 4);
    cfg_write(cfg_cap + 16, VIRTIO_STATUS_ACKNOWLEDGE, 4);
    CHECK(status() == VIRTIO_STATUS_ACKNOWLEDGE, "status via PCI_CFG");
    /* a bad window (BAR 0, unaligned) does nothing */
    cfg_write(cfg_cap + 4, 0, 1);
    cfg_write(cfg_cap + 16, 0, 4);
    CHECK(status() == VIRTIO_STATUS_ACKNOWLEDGE, "BAR 0 window wrote");
    cfg_write(cfg_cap + 4, 4, 1);
    cfg_write(cfg_cap + 8, 0x15, 4);
    cfg_write(cfg_cap + 12, 2, 4);
    cfg_write(cfg_cap + 16, 0, 4);
    CHECK(status() == VIRTIO_STATUS_ACKNOWLEDGE, "unaligned window wrote");
    teardown();
    return true;
}

/* A malformed ring: DEVICE_NEEDS_RESET, a config interrupt, no crash, and a
 * reset brings the device back. */
static bool bad_case(const char *what, void (*make)(void))
{
    CHECK(setup(), "setup");
    TRY(driver_init(good_features, true));
    make();
    CHECK(status() & VIRTIO_STATUS_NEEDS_RESET, "%s: device not broken", what);
    CHECK(msi_count >= 1 && msi_addr[msi_count - 1] == 0xfee00000u &&
              msi_data[msi_count - 1] == 0x30, "%s: no config interrupt", what);
    /* further notifications are ignored */
    int n = msi_count;
    wr(notify, 0, 2);
    CHECK(msi_count == n, "%s: broken device still works", what);
    /* reset and a fresh setup recover */
    if (!driver_init(good_features, true)) {
        char inner[256];
        snprintf(inner, sizeof(inner), "%s", why);
        CHECK(0, "%s: %.200s", what, inner);
    }
    CHECK(!(status() & VIRTIO_STATUS_NEEDS_RESET), "%s: still broken", what);
    uint64_t data = BUF + 0x1000;
    CHECK(request(VIRTIO_BLK_T_IN, 4, data, 512) == VIRTIO_BLK_S_OK, "%s: read after reset",
          what);
    CHECK(*gp(data) == (uint8_t)(4 * 7), "%s: data after reset", what);
    teardown();
    return true;
}

static void bad_head(void)
{
    uint16_t head = 200; /* >= queue size */
    memcpy(gp(AVAIL + 4), &head, 2);
    avail_idx = 1;
    memcpy(gp(AVAIL + 2), &avail_idx, 2);
    wr(notify, 0, 2);
}

static void bad_loop(void)
{
    set_desc(0, BUF, 16, VRING_DESC_F_NEXT, 1);
    set_desc(1, BUF + 0x100, 1, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 0);
    submit(0);
}

static void bad_buffer(void)
{
    set_desc(0, BUF, 16, VRING_DESC_F_NEXT, 1);
    set_desc(1, 0x80000000ull, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2); /* no RAM */
    set_desc(2, BUF + 0x100, 1, VRING_DESC_F_WRITE, 0);
    submit(0);
}

static void bad_buffer_window(void)
{
    /* a buffer pointing into the device's own BAR (MMIO, not RAM) */
    set_desc(0, BUF, 16, VRING_DESC_F_NEXT, 1);
    set_desc(1, common, 512, VRING_DESC_F_WRITE, 0);
    submit(0);
}

static void bad_avail_idx(void)
{
    avail_idx = 1000; /* moved by more than the queue size */
    memcpy(gp(AVAIL + 2), &avail_idx, 2);
    wr(notify, 0, 2);
}

static void bad_indirect(void)
{
    /* INDIRECT was not negotiated */
    set_desc(0, BUF + 0x2000, 32, VRING_DESC_F_INDIRECT, 0);
    submit(0);
}

static void bad_ring_addr(void)
{
    /* re-set queue 0 after a reset with a ring outside RAM */
    wr(common + VIRTIO_PCI_COMMON_STATUS, 0, 1);
    wr(common + VIRTIO_PCI_COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER, 1);
    wr(common + VIRTIO_PCI_COMMON_MSIX, 0, 2);
    wr(common + VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
    wr(common + VIRTIO_PCI_COMMON_Q_SIZE, QSIZE, 2);
    wr(common + VIRTIO_PCI_COMMON_Q_DESCLO, 0xfffff000u, 4);
    wr(common + VIRTIO_PCI_COMMON_Q_DESCHI, 0, 4);
    wr(common + VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
}

static void bad_queue_size(void)
{
    wr(common + VIRTIO_PCI_COMMON_STATUS, 0, 1);
    wr(common + VIRTIO_PCI_COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER, 1);
    wr(common + VIRTIO_PCI_COMMON_MSIX, 0, 2);
    wr(common + VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
    wr(common + VIRTIO_PCI_COMMON_Q_SIZE, 12, 2); /* not a power of 2 */
    wr(common + VIRTIO_PCI_COMMON_Q_DESCLO, (uint32_t)DESC, 4);
    wr(common + VIRTIO_PCI_COMMON_Q_AVAILLO, (uint32_t)AVAIL, 4);
    wr(common + VIRTIO_PCI_COMMON_Q_USEDLO, (uint32_t)USED, 4);
    wr(common + VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
}

static bool t_bad_head(void) { return bad_case("head out of range", bad_head); }
static bool t_bad_loop(void) { return bad_case("descriptor loop", bad_loop); }
static bool t_bad_buffer(void) { return bad_case("buffer outside RAM", bad_buffer); }
static bool t_bad_buffer_mmio(void) { return bad_case("buffer in MMIO", bad_buffer_window); }
static bool t_bad_avail_idx(void) { return bad_case("avail idx jump", bad_avail_idx); }
static bool t_bad_indirect(void) { return bad_case("indirect not negotiated", bad_indirect); }
static bool t_bad_ring_addr(void) { return bad_case("ring outside RAM", bad_ring_addr); }
static bool t_bad_queue_size(void) { return bad_case("queue size 12", bad_queue_size); }

static bool t_bad_requests(void)
{
    /* requests the device answers with IOERR, the device staying usable */
    CHECK(setup(), "setup");
    TRY(driver_init(good_features, true));
    uint64_t data = BUF + 0x1000;
    CHECK(request(VIRTIO_BLK_T_IN, DISK_SECTORS, data, 512) == VIRTIO_BLK_S_IOERR,
          "read past the end");
    CHECK(request(VIRTIO_BLK_T_OUT, DISK_SECTORS - 1, data, 1024) == VIRTIO_BLK_S_IOERR,
          "write across the end");
    CHECK(request(VIRTIO_BLK_T_IN, 0, data, 100) == VIRTIO_BLK_S_IOERR, "partial sector");
    CHECK(request(99, 0, data, 512) == VIRTIO_BLK_S_UNSUPP, "unknown type");
    CHECK(!(status() & VIRTIO_STATUS_NEEDS_RESET), "broken by IOERR requests");
    CHECK(request(VIRTIO_BLK_T_IN, 0, data, 512) == VIRTIO_BLK_S_OK, "good after bad");
    teardown();
    return true;
}

static bool t_system_reset(void)
{
    CHECK(setup(), "setup");
    TRY(driver_init(good_features, true));
    uint64_t old4 = pci_bar_address(virtio_pci_pci_device(vp), 4);
    /* the guest moves BAR 4 and keeps using the device there */
    uint64_t new4 = 0xd0000000ull;
    cfg_write(0x10 + 16, (uint32_t)new4 | 0xc, 4);
    CHECK(pci_bar_address(virtio_pci_pci_device(vp), 4) == new4, "move");
    CHECK(rd(new4 + VIRTIO_PCI_COMMON_NUMQ, 2) == 1, "common at the new address");
    CHECK(rd(common + VIRTIO_PCI_COMMON_NUMQ, 2) == 0xffff, "old address still decodes");
    notify = new4 + VIRTIO_PCI_NOTIFY_OFFSET;
    uint64_t data = BUF + 0x1000;
    CHECK(request(VIRTIO_BLK_T_IN, 9, data, 512) == VIRTIO_BLK_S_OK, "request after move");
    CHECK(*gp(data + 1) == (uint8_t)(9 * 7 + 1), "data after move");
    pci_host_reset(host);
    CHECK(pci_bar_address(virtio_pci_pci_device(vp), 4) == old4, "BAR 4 not restored");
    CHECK(rd(common + VIRTIO_PCI_COMMON_STATUS, 1) == 0, "device not reset");
    CHECK(!(cfg_read(msix_cap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE), "MSI-X on");
    CHECK(rd(common + VIRTIO_PCI_COMMON_MSIX, 2) == VIRTIO_MSI_NO_VECTOR, "config vector");
    teardown();
    return true;
}


/*
 * Another "core" hammers configuration space, the device config, the
 * INTx-disable bit and the queue vector's mask while the driver runs
 * requests: every request must complete with the right data, a message
 * held back by the mask must come out when it is cleared, nothing may crash
 * (run under TSan and ASan to check the locking).
 */
static volatile int stop_hammer;

static void *hammer(void *arg)
{
    uint32_t cmd = cfg_read(PCI_COMMAND, 2);
    for (unsigned i = 0; !__atomic_load_n(&stop_hammer, __ATOMIC_ACQUIRE); i++) {
        if (cfg_read(PCI_VENDOR_ID, 2) != 0x1af4) {
            return (void *)1;
        }
        cfg_write(PCI_COMMAND, cmd ^ ((i & 1) ? PCI_COMMAND_INTX_DISABLE : 0), 2);
        (void)cfg_read(PCI_STATUS, 2);
        if (rd(devcfg, 4) != DISK_SECTORS) {
            return (void *)2;
        }
        wr(msix_tbl + 16 + 12, i & 1, 4); /* mask / unmask the queue vector */
        (void)rd(msix_tbl + PCI_MSIX_PBA_OFFSET, 4);
    }
    cfg_write(PCI_COMMAND, cmd, 2);
    wr(msix_tbl + 16 + 12, 0, 4);
    return NULL;
}

static bool t_concurrent(void)
{
    CHECK(setup(), "setup");
    TRY(driver_init(good_features, true));
    pthread_t th;
    stop_hammer = 0;
    pthread_create(&th, NULL, hammer, NULL);
    uint64_t data = BUF + 0x1000;
    int bad = -1;
    for (int r = 0; r < 300 && bad < 0; r++) {
        int sector = r % 16 + 32;
        if (request(VIRTIO_BLK_T_IN, (uint64_t)sector, data, 512) != VIRTIO_BLK_S_OK ||
            *gp(data + 5) != (uint8_t)(sector * 7 + 5)) {
            bad = r;
        }
    }
    __atomic_store_n(&stop_hammer, 1, __ATOMIC_RELEASE);
    void *ret;
    pthread_join(th, &ret);
    CHECK(bad < 0, "request %d failed", bad);
    CHECK(ret == NULL, "hammer thread saw a wrong value (%p)", ret);
    CHECK(used_idx() == 300, "used idx %u", used_idx());
    CHECK(!(status() & VIRTIO_STATUS_NEEDS_RESET), "device broken");
    /* messages can coalesce while masked (one pending bit), never exceed requests */
    pthread_mutex_lock(&msi_lock);
    int n = msi_count;
    pthread_mutex_unlock(&msi_lock);
    CHECK(n >= 1 && n <= 300, "%d messages for 300 requests", n);
    CHECK(rd(msix_tbl + PCI_MSIX_PBA_OFFSET, 4) == 0, "a message stayed pending");
    teardown();
    return true;
}

int main(void)
{
    make_image();
    run("virtio-pci-identity", t_identity);
    run("virtio-pci-features", t_features);
    run("virtio-pci-write-read-msix", t_write_read_msix);
    run("virtio-pci-intx-isr", t_intx_isr);
    run("virtio-pci-cfg-window", t_pci_cfg_window);
    run("virtio-pci-bad-requests", t_bad_requests);
    run("virtio-pci-bad-head", t_bad_head);
    run("virtio-pci-bad-loop", t_bad_loop);
    run("virtio-pci-bad-buffer", t_bad_buffer);
    run("virtio-pci-bad-buffer-mmio", t_bad_buffer_mmio);
    run("virtio-pci-bad-avail-idx", t_bad_avail_idx);
    run("virtio-pci-bad-indirect", t_bad_indirect);
    run("virtio-pci-bad-ring-addr", t_bad_ring_addr);
    run("virtio-pci-bad-queue-size", t_bad_queue_size);
    run("virtio-pci-system-reset", t_system_reset);
    run("virtio-pci-concurrent", t_concurrent);
    unlink(img_path);
    return failures ? 1 : 0;
}
