/*
 * test-hw-virtio-blk.c — virtio-blk behind the virtio-mmio transport, driven
 * like a driver would: feature negotiation, queue setup, then requests built
 * in guest RAM. Good requests (IN, OUT, FLUSH, GET_ID, split buffers) must
 * move the right bytes; malformed ones (bad sectors, short headers, buffers
 * outside RAM, descriptor loops, bad indexes, missing status byte, indirect
 * descriptors when not negotiated or malformed, bad rings) must end in
 * VIRTIO_BLK_S_IOERR or DEVICE_NEEDS_RESET and never touch memory outside
 * guest RAM (run under ASan).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw/block/virtio-blk.h"
#include "hw/virtio/virtio-mmio.h"
#include "system/block.h"

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

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x100000ull
#define QSIZE 16
#define DESC (RAM_BASE + 0x1000)
#define AVAIL (RAM_BASE + 0x2000)
#define USED (RAM_BASE + 0x3000)
#define BUF (RAM_BASE + 0x10000)
#define DISK_SECTORS 64

static AddressSpace *as;
static uint8_t *ram;
static VirtIOMMIOState *dev;
static int irq_level;
static char img_path[64];
static uint16_t avail_idx;

static void irq_handler(void *opaque, int n, int level)
{
    irq_level = level;
}

static uint32_t mr(uint64_t off)
{
    return (uint32_t)virtio_mmio_read(dev, off, 4);
}

static void mw(uint64_t off, uint32_t v)
{
    virtio_mmio_write(dev, off, v, 4);
}

static uint8_t *gp(uint64_t gpa)
{
    return ram + (gpa - RAM_BASE);
}

static void make_image(void)
{
    snprintf(img_path, sizeof(img_path), "/tmp/coremu-vblk-XXXXXX");
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

/* Negotiate and set up queue 0 like Linux's virtio_mmio does. */
static bool driver_init(uint64_t features)
{
    mw(VIRTIO_MMIO_STATUS, 0);
    mw(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    mw(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    mw(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
    mw(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    mw(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
    mw(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                               VIRTIO_STATUS_FEATURES_OK);
    if (!(mr(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
        return false;
    }
    memset(gp(DESC), 0, 0x3000);
    mw(VIRTIO_MMIO_QUEUE_SEL, 0);
    mw(VIRTIO_MMIO_QUEUE_NUM, QSIZE);
    mw(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC);
    mw(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
    mw(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)AVAIL);
    mw(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
    mw(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)USED);
    mw(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
    mw(VIRTIO_MMIO_QUEUE_READY, 1);
    mw(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                               VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
    avail_idx = 0;
    return mr(VIRTIO_MMIO_QUEUE_READY) == 1;
}

static const uint64_t good_features =
    (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_BLK_F_FLUSH) | (1ull << VIRTIO_BLK_F_SEG_MAX);

static bool setup(bool readonly)
{
    if (!as) {
        as = address_space_new("test");
        ram = memory_map_ram(as, "ram", RAM_BASE, RAM_SIZE)->host;
        make_image();
    }
    VirtIODevice *vdev = virtio_blk_new(as, img_path, readonly, "disk-serial-1");
    if (!vdev) {
        return false;
    }
    irq_level = 0;
    dev = virtio_mmio_new(vdev, (IRQLine){ irq_handler, NULL, 0 });
    return driver_init(good_features);
}

static void teardown(void)
{
    virtio_mmio_free(dev);
    dev = NULL;
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
    mw(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static uint16_t used_idx(void)
{
    uint16_t v;
    memcpy(&v, gp(USED + 2), 2);
    return v;
}

static uint32_t used_len(uint16_t i)
{
    uint32_t v;
    memcpy(&v, gp(USED + 4 + 8 * (i % QSIZE) + 4), 4);
    return v;
}

static void put_hdr(uint64_t gpa, uint32_t type, uint64_t sector)
{
    memcpy(gp(gpa), &type, 4);
    memset(gp(gpa + 4), 0, 4);
    memcpy(gp(gpa + 8), &sector, 8);
}

/* A three-part request: header, data (len bytes, writable if IN), status. */
static uint8_t request(uint32_t type, uint64_t sector, uint64_t data, uint32_t len)
{
    uint64_t hdr = BUF, status = BUF + 0x100;
    put_hdr(hdr, type, sector);
    *gp(status) = 0xee;
    bool in = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
    set_desc(0, hdr, 16, VRING_DESC_F_NEXT, 1);
    if (len) {
        set_desc(1, data, len, VRING_DESC_F_NEXT | (in ? VRING_DESC_F_WRITE : 0), 2);
        set_desc(2, status, 1, VRING_DESC_F_WRITE, 0);
    } else {
        set_desc(0, hdr, 16, VRING_DESC_F_NEXT, 2);
        set_desc(2, status, 1, VRING_DESC_F_WRITE, 0);
    }
    submit(0);
    return *gp(status);
}

static bool broken(void)
{
    return mr(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET;
}

static bool test_transport(void)
{
    CHECK(setup(false), "setup");
    CHECK(mr(VIRTIO_MMIO_MAGIC) == 0x74726976 && mr(VIRTIO_MMIO_VERSION) == 2, "magic/version");
    CHECK(mr(VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_BLOCK, "device id");
    mw(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    CHECK(mr(VIRTIO_MMIO_DEVICE_FEATURES) & 1, "VIRTIO_F_VERSION_1 offered");
    mw(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    uint32_t f = mr(VIRTIO_MMIO_DEVICE_FEATURES);
    CHECK((f & (1u << VIRTIO_BLK_F_FLUSH)) && (f & (1u << VIRTIO_BLK_F_SEG_MAX)) &&
              (f & (1u << VIRTIO_BLK_F_BLK_SIZE)) && !(f & (1u << VIRTIO_BLK_F_RO)),
          "features %x", f);
    uint64_t cap = mr(VIRTIO_MMIO_CONFIG) | (uint64_t)mr(VIRTIO_MMIO_CONFIG + 4) << 32;
    CHECK(cap == DISK_SECTORS, "capacity %llu", (unsigned long long)cap);
    CHECK(virtio_mmio_read(dev, VIRTIO_MMIO_CONFIG + 20, 4) == 512, "blk_size");
    CHECK(virtio_mmio_read(dev, VIRTIO_MMIO_CONFIG, 1) == DISK_SECTORS, "byte config read");
    CHECK(mr(VIRTIO_MMIO_QUEUE_NUM_MAX) == 256, "QueueNumMax");
    mw(VIRTIO_MMIO_QUEUE_SEL, 1);
    CHECK(mr(VIRTIO_MMIO_QUEUE_NUM_MAX) == 0, "queue 1 does not exist");
    /* a driver that does not take VERSION_1 (legacy) is refused at FEATURES_OK */
    CHECK(!driver_init(1ull << VIRTIO_BLK_F_FLUSH), "FEATURES_OK without VERSION_1");
    /* nor may it accept what was not offered */
    CHECK(!driver_init(good_features | (1ull << VIRTIO_F_EVENT_IDX)), "unoffered feature");
    teardown();
    /* an empty slot */
    dev = virtio_mmio_new(NULL, (IRQLine){ 0 });
    CHECK(mr(VIRTIO_MMIO_MAGIC) == 0x74726976 && mr(VIRTIO_MMIO_DEVICE_ID) == 0, "empty slot");
    mw(VIRTIO_MMIO_STATUS, 1);
    teardown();
    return true;
}

static bool test_read(void)
{
    CHECK(setup(false), "setup");
    uint64_t data = BUF + 0x1000;
    memset(gp(data), 0, 1024);
    CHECK(request(VIRTIO_BLK_T_IN, 3, data, 1024) == VIRTIO_BLK_S_OK, "status");
    for (int i = 0; i < 1024; i++) {
        CHECK(*gp(data + i) == (uint8_t)((3 + i / 512) * 7 + i % 512), "byte %d", i);
    }
    CHECK(used_idx() == 1 && used_len(0) == 1025, "used len %u", used_len(0));
    CHECK(irq_level && mr(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_ISR_QUEUE, "interrupt");
    mw(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_ISR_QUEUE);
    CHECK(!irq_level, "ack lowers the line");

    /* data split over several descriptors, status byte sharing the last one */
    put_hdr(BUF, VIRTIO_BLK_T_IN, 10);
    set_desc(3, BUF, 10, VRING_DESC_F_NEXT, 4);       /* header in two pieces */
    set_desc(4, BUF + 10, 6, VRING_DESC_F_NEXT, 5);
    set_desc(5, data, 100, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 6);
    set_desc(6, data + 0x200, 413, VRING_DESC_F_WRITE, 0); /* 412 data + status */
    submit(3);
    CHECK(used_idx() == 2 && used_len(1) == 513, "split: used len %u", used_len(1));
    CHECK(*gp(data + 0x200 + 412) == VIRTIO_BLK_S_OK, "split: status");
    CHECK(*gp(data + 99) == (uint8_t)(70 + 99) && *gp(data + 0x200) == (uint8_t)(70 + 100),
          "split: data");
    /* no interrupt while the driver asks for none */
    mw(VIRTIO_MMIO_INTERRUPT_ACK, 3);
    uint16_t noint = VRING_AVAIL_F_NO_INTERRUPT;
    memcpy(gp(AVAIL), &noint, 2);
    CHECK(request(VIRTIO_BLK_T_IN, 0, data, 512) == VIRTIO_BLK_S_OK && !irq_level,
          "suppressed interrupt");
    teardown();
    return true;
}

static bool test_write_flush(void)
{
    CHECK(setup(false), "setup");
    uint64_t data = BUF + 0x1000;
    for (int i = 0; i < 1024; i++) {
        *gp(data + i) = (uint8_t)(0xa5 ^ i);
    }
    CHECK(request(VIRTIO_BLK_T_OUT, 60, data, 1024) == VIRTIO_BLK_S_OK, "write");
    CHECK(used_len(0) == 1, "write used len %u", used_len(0));
    CHECK(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0) == VIRTIO_BLK_S_OK, "flush");
    int fd = open(img_path, O_RDONLY);
    uint8_t back[1024];
    CHECK(pread(fd, back, 1024, 60 * 512) == 1024, "pread");
    close(fd);
    for (int i = 0; i < 1024; i++) {
        CHECK(back[i] == (uint8_t)(0xa5 ^ i), "file byte %d", i);
    }
    /* the last two sectors are in range; one more is not */
    CHECK(request(VIRTIO_BLK_T_OUT, 63, data, 1024) == VIRTIO_BLK_S_IOERR, "past the end");
    CHECK(request(VIRTIO_BLK_T_IN, 64, data, 512) == VIRTIO_BLK_S_IOERR, "read past the end");
    CHECK(request(VIRTIO_BLK_T_IN, ~0ull / 512, data, 512) == VIRTIO_BLK_S_IOERR,
          "huge sector");
    CHECK(request(VIRTIO_BLK_T_IN, 0, data, 100) == VIRTIO_BLK_S_IOERR, "partial sector");
    CHECK(!broken(), "I/O errors do not break the device");
    teardown();
    /* read-only drive: RO offered, writes fail, reads work */
    CHECK(setup(true), "setup ro");
    mw(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    CHECK(mr(VIRTIO_MMIO_DEVICE_FEATURES) & (1u << VIRTIO_BLK_F_RO), "RO offered");
    CHECK(request(VIRTIO_BLK_T_OUT, 0, data, 512) == VIRTIO_BLK_S_IOERR, "ro write");
    CHECK(request(VIRTIO_BLK_T_IN, 60, data, 512) == VIRTIO_BLK_S_OK, "ro read");
    CHECK(*gp(data + 3) == (uint8_t)(0xa5 ^ 3), "ro read sees the earlier write");
    teardown();
    return true;
}

static bool test_get_id_unsupp(void)
{
    CHECK(setup(false), "setup");
    uint64_t data = BUF + 0x1000;
    memset(gp(data), 0xff, 32);
    CHECK(request(VIRTIO_BLK_T_GET_ID, 0, data, 20) == VIRTIO_BLK_S_OK, "get id");
    CHECK(!memcmp(gp(data), "disk-serial-1", 14), "id '%.20s'", (char *)gp(data));
    CHECK(request(77, 0, data, 512) == VIRTIO_BLK_S_UNSUPP, "unknown type");
    /* header shorter than 16 bytes */
    set_desc(0, BUF, 8, VRING_DESC_F_NEXT, 2);
    set_desc(2, BUF + 0x100, 1, VRING_DESC_F_WRITE, 0);
    submit(0);
    CHECK(*gp(BUF + 0x100) == VIRTIO_BLK_S_IOERR, "short header");
    CHECK(!broken(), "not broken");
    teardown();
    return true;
}

/* Each malformed chain must break the device (and a reset must recover it). */
static bool expect_broken(const char *what)
{
    if (!broken()) {
        snprintf(why, sizeof(why), "%s: device not marked NEEDS_RESET", what);
        return false;
    }
    if (!(mr(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_ISR_CONFIG) || !irq_level) {
        snprintf(why, sizeof(why), "%s: no config interrupt", what);
        return false;
    }
    mw(VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* further notifies do nothing */
    if (!driver_init(good_features) || broken()) {
        snprintf(why, sizeof(why), "%s: reset did not recover", what);
        return false;
    }
    return true;
}

static bool test_malformed(void)
{
    CHECK(setup(false), "setup");
    uint64_t status = BUF + 0x100;
    put_hdr(BUF, VIRTIO_BLK_T_IN, 0);

    /* data buffer past the end of RAM */
    set_desc(0, BUF, 16, VRING_DESC_F_NEXT, 1);
    set_desc(1, RAM_BASE + RAM_SIZE - 256, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
    set_desc(2, status, 1, VRING_DESC_F_WRITE, 0);
    submit(0);
    if (!expect_broken("buffer past RAM")) return false;

    /* buffer in unassigned space, and one whose address wraps */
    set_desc(1, 0x1000, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
    submit(0);
    if (!expect_broken("buffer outside RAM")) return false;
    set_desc(1, ~0ull - 100, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
    submit(0);
    if (!expect_broken("wrapping buffer")) return false;

    /* a descriptor cycle: 0 -> 1 -> 0 */
    set_desc(0, BUF, 16, VRING_DESC_F_NEXT, 1);
    set_desc(1, BUF + 0x1000, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 0);
    submit(0);
    if (!expect_broken("descriptor loop")) return false;
    set_desc(5, BUF, 16, VRING_DESC_F_NEXT, 5);
    submit(5);
    if (!expect_broken("self loop")) return false;

    /* next index out of range, head out of range */
    set_desc(0, BUF, 16, VRING_DESC_F_NEXT, QSIZE + 3);
    submit(0);
    if (!expect_broken("next out of range")) return false;
    submit(QSIZE);
    if (!expect_broken("head out of range")) return false;

    /* no writable byte for the status */
    set_desc(0, BUF, 16, 0, 0);
    submit(0);
    if (!expect_broken("no status byte")) return false;

    /* readable after writable */
    set_desc(0, BUF, 16, VRING_DESC_F_NEXT, 1);
    set_desc(1, status, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
    set_desc(2, BUF + 0x1000, 16, 0, 0);
    submit(0);
    if (!expect_broken("readable after writable")) return false;

    /* indirect descriptor (not negotiated) */
    set_desc(0, BUF + 0x2000, 48, VRING_DESC_F_INDIRECT, 0);
    submit(0);
    if (!expect_broken("indirect")) return false;

    /* the avail index jumping by more than the queue size */
    avail_idx = QSIZE + 5;
    memcpy(gp(AVAIL + 2), &avail_idx, 2);
    mw(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    if (!expect_broken("avail idx jump")) return false;

    /* rings outside RAM at QueueReady */
    mw(VIRTIO_MMIO_STATUS, 0);
    mw(VIRTIO_MMIO_QUEUE_SEL, 0);
    mw(VIRTIO_MMIO_QUEUE_NUM, QSIZE);
    mw(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(RAM_BASE + RAM_SIZE - 16));
    mw(VIRTIO_MMIO_QUEUE_READY, 1);
    CHECK(mr(VIRTIO_MMIO_QUEUE_READY) == 0 && broken(), "ring past RAM refused");
    mw(VIRTIO_MMIO_STATUS, 0);
    mw(VIRTIO_MMIO_QUEUE_NUM, 1000); /* larger than QueueNumMax */
    mw(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC);
    mw(VIRTIO_MMIO_QUEUE_READY, 1);
    CHECK(mr(VIRTIO_MMIO_QUEUE_READY) == 0 && broken(), "oversized queue refused");
    mw(VIRTIO_MMIO_STATUS, 0);
    mw(VIRTIO_MMIO_QUEUE_NUM, 12); /* not a power of 2 */
    mw(VIRTIO_MMIO_QUEUE_READY, 1);
    CHECK(mr(VIRTIO_MMIO_QUEUE_READY) == 0 && broken(), "queue size 12 refused");
    CHECK(driver_init(good_features) && !broken(), "recovers after reset");

    /* notify of a queue that does not exist, odd register accesses */
    mw(VIRTIO_MMIO_QUEUE_NOTIFY, 7);
    virtio_mmio_write(dev, VIRTIO_MMIO_STATUS, 0xff, 1);
    virtio_mmio_write(dev, VIRTIO_MMIO_CONFIG + 200, 1, 4);
    CHECK(virtio_mmio_read(dev, VIRTIO_MMIO_CONFIG + 22, 4) == 0, "config read past the end");

    /* the device still works */
    CHECK(driver_init(good_features), "init");
    CHECK(request(VIRTIO_BLK_T_IN, 1, BUF + 0x1000, 512) == VIRTIO_BLK_S_OK, "works again");
    teardown();
    return true;
}

/* Indirect tables (§2.6.5.3), negotiated: good ones work, bad ones break the device. */
static void set_idesc(uint64_t table, int i, uint64_t addr, uint32_t len, uint16_t flags,
                      uint16_t next)
{
    uint8_t *d = gp(table + 16ull * i);
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
}

static bool expect_broken_ind(const char *what)
{
    if (!broken()) {
        snprintf(why, sizeof(why), "%s: device not marked NEEDS_RESET", what);
        return false;
    }
    return driver_init(good_features | (1ull << VIRTIO_F_INDIRECT_DESC)) && !broken();
}

static bool test_indirect(void)
{
    CHECK(setup(false), "setup");
    CHECK(driver_init(good_features | (1ull << VIRTIO_F_INDIRECT_DESC)), "negotiate INDIRECT");
    uint64_t table = BUF + 0x8000, data = BUF + 0x1000, status = BUF + 0x100;
    put_hdr(BUF, VIRTIO_BLK_T_IN, 4);
    *gp(status) = 0xee;
    set_idesc(table, 0, BUF, 16, VRING_DESC_F_NEXT, 2); /* table order need not be linear */
    set_idesc(table, 2, data, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
    set_idesc(table, 1, status, 1, VRING_DESC_F_WRITE, 0);
    set_desc(0, table, 48, VRING_DESC_F_INDIRECT, 0);
    submit(0);
    CHECK(*gp(status) == VIRTIO_BLK_S_OK && used_len(0) == 513, "indirect read: status %u",
          *gp(status));
    CHECK(*gp(data + 7) == (uint8_t)(4 * 7 + 7), "indirect read data");

    /* a loop inside the table */
    set_idesc(table, 1, status, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
    submit(0);
    if (!expect_broken_ind("loop in an indirect table")) return false;
    set_idesc(table, 1, status, 1, VRING_DESC_F_WRITE, 0);
    /* next beyond the table (the queue is larger than the table) */
    set_idesc(table, 2, data, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 5);
    submit(0);
    if (!expect_broken_ind("next beyond the table")) return false;
    set_idesc(table, 2, data, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
    /* nested indirect */
    set_idesc(table, 0, table, 48, VRING_DESC_F_INDIRECT, 0);
    submit(0);
    if (!expect_broken_ind("nested indirect")) return false;
    set_idesc(table, 0, BUF, 16, VRING_DESC_F_NEXT, 2);
    /* INDIRECT with NEXT, after a direct descriptor, bad sizes, outside RAM */
    set_desc(0, table, 48, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
    submit(0);
    if (!expect_broken_ind("indirect with NEXT")) return false;
    set_desc(3, BUF, 16, VRING_DESC_F_NEXT, 0);
    set_desc(0, table, 48, VRING_DESC_F_INDIRECT, 0);
    submit(3);
    if (!expect_broken_ind("indirect after a direct descriptor")) return false;
    set_desc(0, table, 40, VRING_DESC_F_INDIRECT, 0);
    submit(0);
    if (!expect_broken_ind("table length not a multiple of 16")) return false;
    set_desc(0, table, 16 * (VIRTQUEUE_MAX_SIZE + 1), VRING_DESC_F_INDIRECT, 0);
    submit(0);
    if (!expect_broken_ind("table too large")) return false;
    set_desc(0, RAM_BASE + RAM_SIZE - 32, 48, VRING_DESC_F_INDIRECT, 0);
    submit(0);
    if (!expect_broken_ind("table past RAM")) return false;
    set_desc(0, table, 0, VRING_DESC_F_INDIRECT, 0);
    submit(0);
    if (!expect_broken_ind("empty table")) return false;
    /* and the good request still works after all that */
    set_desc(0, table, 48, VRING_DESC_F_INDIRECT, 0);
    *gp(status) = 0xee;
    submit(0);
    CHECK(*gp(status) == VIRTIO_BLK_S_OK, "indirect read after recovery");
    teardown();
    return true;
}

/*
 * Random rings: descriptors with addresses around the edges of RAM, random
 * flags, lengths, next indexes and avail indexes, under both feature sets.
 * Whatever the guest writes, the device either completes requests or marks
 * itself broken; the host never crashes (ASan build) and a reset recovers.
 */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t rnd_addr(void)
{
    static const uint64_t bases[] = { RAM_BASE, RAM_BASE + RAM_SIZE, BUF, 0, ~0ull, DESC };
    return bases[rnd() % 6] + (rnd() % 4096) - 2048;
}

static bool test_fuzz(void)
{
    CHECK(setup(false), "setup");
    int completed = 0, broke = 0;
    for (int iter = 0; iter < 3000; iter++) {
        uint64_t feats = good_features | ((iter & 1) ? 1ull << VIRTIO_F_INDIRECT_DESC : 0);
        if (broken() || iter % 50 == 0) {
            broke += broken();
            CHECK(driver_init(feats), "re-init after iteration %d", iter);
        }
        put_hdr(BUF, (uint32_t)(rnd() % 10), rnd() % 80);
        uint64_t table = BUF + 0x8000;
        bool sane = iter % 2; /* half the rounds: plausible chains that reach the disk */
        for (int i = 0; i < QSIZE; i++) {
            uint64_t addr = (sane || rnd() % 3) ? BUF + (rnd() % 0x4000) : rnd_addr();
            uint32_t len = (sane || rnd() % 4) ? (uint32_t)(rnd() % 2048) : (uint32_t)rnd();
            uint16_t flags = (uint16_t)(rnd() % 8), next = (uint16_t)(rnd() % (QSIZE + 2));
            if (sane) {
                addr = i == 0 ? BUF : addr;
                len = i == 0 ? 16 : (rnd() % 2 ? 512 * (uint32_t)(rnd() % 3) : len);
                flags = (uint16_t)((i == 0 ? 0 : VRING_DESC_F_WRITE) |
                                   (rnd() % 3 ? VRING_DESC_F_NEXT : 0));
                next = (uint16_t)(i + 1 + rnd() % 2);
            } else if (rnd() % 4 == 0) {
                addr = table;
                len = (uint32_t)(16 * (rnd() % 8));
            }
            set_desc(i, addr, len, flags, next);
            set_idesc(table, i, (rnd() % 2) ? BUF + (rnd() % 0x4000) : rnd_addr(),
                      (uint32_t)(rnd() % 1024), (uint16_t)(rnd() % 8),
                      (uint16_t)(rnd() % 10));
        }
        if (rnd() % 16 == 0) {
            avail_idx = (uint16_t)rnd(); /* a wild avail index */
        }
        submit(sane ? 0 : (uint16_t)(rnd() % (QSIZE + 1)));
        if (!broken()) {
            completed++;
        }
    }
    if (getenv("FUZZ_STATS")) {
        fprintf(stderr, "fuzz: %d completed, %d broken\n", completed, broke);
    }
    CHECK(driver_init(good_features) && !broken(), "final re-init");
    CHECK(request(VIRTIO_BLK_T_IN, 2, BUF + 0x1000, 512) == VIRTIO_BLK_S_OK, "works after fuzz");
    CHECK(completed > 0 && broke > 0, "fuzz covered too little (%d completed, %d broken)",
          completed, broke);
    teardown();
    return true;
}

/* -snapshot (and record/replay): writes land in an overlay in memory, reads
 * see them, the image file is not modified, and a shared lock lets a second
 * snapshot user open it */
static bool test_snapshot(void)
{
    uint8_t before[DISK_SECTORS * 512], after[DISK_SECTORS * 512];
    if (!as) {
        CHECK(setup(false), "setup");
        teardown();
    }
    int fd = open(img_path, O_RDONLY);
    CHECK(pread(fd, before, sizeof(before), 0) == (ssize_t)sizeof(before), "pread");
    close(fd);
    block_snapshot = true;
    bool ok = setup(false);
    block_snapshot = false;
    CHECK(ok, "setup");
    block_snapshot = true;
    VirtIODevice *other = virtio_blk_new(as, img_path, false, NULL);
    block_snapshot = false;
    CHECK(other, "a second snapshot user of the image");
    other->vc->free(other);
    uint64_t data = BUF + 0x1000;
    /* 3 sectors across a 4 KiB cluster boundary (sectors 7..9), one whole cluster, the last */
    for (int i = 0; i < 3 * 512; i++) {
        *gp(data + i) = (uint8_t)(0x3c ^ i);
    }
    CHECK(request(VIRTIO_BLK_T_OUT, 7, data, 3 * 512) == VIRTIO_BLK_S_OK, "write");
    CHECK(request(VIRTIO_BLK_T_OUT, 16, data, 3 * 512) == VIRTIO_BLK_S_OK, "write 2");
    CHECK(request(VIRTIO_BLK_T_OUT, DISK_SECTORS - 1, data, 512) == VIRTIO_BLK_S_OK, "last");
    CHECK(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0) == VIRTIO_BLK_S_OK, "flush");
    uint64_t back = BUF + 0x4000;
    memset(gp(back), 0, 12 * 512);
    CHECK(request(VIRTIO_BLK_T_IN, 6, back, 12 * 512) == VIRTIO_BLK_S_OK, "read back");
    for (int i = 0; i < 12 * 512; i++) {
        int sec = 6 + i / 512;
        uint8_t want = sec >= 7 && sec <= 9   ? (uint8_t)(0x3c ^ (i - 512))
                       : sec >= 16 && sec <= 18 ? (uint8_t)(0x3c ^ (i - 10 * 512))
                                              : (uint8_t)(before[sec * 512 + i % 512]);
        CHECK(*gp(back + i) == want, "read back byte %d: 0x%x, want 0x%x", i, *gp(back + i),
              want);
    }
    CHECK(request(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, back, 512) == VIRTIO_BLK_S_OK &&
              *gp(back + 5) == (uint8_t)(0x3c ^ 5),
          "last sector read back");
    CHECK(request(VIRTIO_BLK_T_OUT, DISK_SECTORS, data, 512) == VIRTIO_BLK_S_IOERR,
          "past the end");
    teardown();
    fd = open(img_path, O_RDONLY);
    CHECK(pread(fd, after, sizeof(after), 0) == (ssize_t)sizeof(after), "pread");
    close(fd);
    CHECK(memcmp(before, after, sizeof(before)) == 0, "the image file changed");
    /* a new (non-snapshot) device sees the file, not the gone overlay */
    CHECK(setup(false), "setup 2");
    CHECK(request(VIRTIO_BLK_T_IN, 7, back, 512) == VIRTIO_BLK_S_OK &&
              !memcmp(gp(back), before + 7 * 512, 512),
          "overlay gone with the device");
    teardown();
    return true;
}

static bool test_open_errors(void)
{
    if (!as) {
        CHECK(setup(false), "setup");
        teardown();
    }
    CHECK(!virtio_blk_new(as, "/nonexistent/disk.img", false, NULL), "missing image");
    CHECK(!virtio_blk_new(as, "/tmp", false, NULL), "a directory");
    VirtIODevice *a = virtio_blk_new(as, img_path, false, NULL);
    CHECK(a, "first open");
    CHECK(!virtio_blk_new(as, img_path, false, NULL), "second writer refused (lock)");
    a->vc->free(a);
    return true;
}

int main(void)
{
    run("virtio_mmio_transport", test_transport);
    run("virtio_blk_read", test_read);
    run("virtio_blk_write_flush_ro", test_write_flush);
    run("virtio_blk_get_id_unsupp_short_header", test_get_id_unsupp);
    run("virtio_blk_malformed_descriptors", test_malformed);
    run("virtio_blk_indirect_descriptors", test_indirect);
    run("virtio_blk_fuzz_rings", test_fuzz);
    run("virtio_blk_open_errors", test_open_errors);
    run("virtio_blk_snapshot_overlay", test_snapshot);
    if (img_path[0]) {
        unlink(img_path);
    }
    address_space_free(as);
    return failures ? 1 : 0;
}
