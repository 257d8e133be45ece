/*
 * virtio-blk.c — virtio block device on a raw image (virtio 1.1 §5.2).
 *
 * Requests are served synchronously on the image (system/block.c: the file,
 * or a copy-on-write overlay in memory with -snapshot and under record/
 * replay), in the notifying core's thread, under the transport's lock. Data
 * move between the disk and the guest's buffers through a bounce buffer with
 * virtqueue_read_out/write_in, which record/replay orders (docs/reemu.md).
 * A request is
 *     out: struct virtio_blk_outhdr { le32 type; le32 reserved; le64 sector; }
 *          [+ data for OUT]
 *     in:  [data for IN / GET_ID] + u8 status
 * Any request whose header is short, whose data are not whole sectors or lie
 * past the end of the disk, or whose write hits a read-only disk completes
 * with VIRTIO_BLK_S_IOERR; a chain with no writable byte for the status is
 * a device error (DEVICE_NEEDS_RESET). FLUSH calls fdatasync() (not in
 * snapshot mode), so a write acknowledged before a flush survives the
 * emulator being killed.
 */
#include "hw/block/virtio-blk.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "system/block.h"
#include "util/log.h"

#define SECTOR_SIZE 512
#define BLK_QUEUE_MAX 256
#define BLK_CONFIG_SIZE 24 /* capacity, size_max, seg_max, geometry, blk_size */

#define BOUNCE_SIZE (64 * 1024)

typedef struct VirtIOBlock {
    VirtIODevice vdev; /* first */
    BlockBackend *blk;
    bool readonly;
    uint64_t capacity; /* in 512-byte sectors */
    char id[VIRTIO_BLK_ID_BYTES];
    uint8_t config[BLK_CONFIG_SIZE];
    VirtQueueElement elem;
    uint8_t bounce[BOUNCE_SIZE];
} VirtIOBlock;

/*
 * Move len bytes between the disk at off and the element's data buffers at
 * boff, through the bounce buffer: the guest's buffers are reached only with
 * virtqueue_read_out/write_in (ordered DMA under record/replay).
 */
static bool blk_rw(VirtIOBlock *b, VirtQueueElement *e, uint64_t boff, uint64_t off,
                   uint64_t len, bool is_write)
{
    while (len > 0) {
        size_t n = len < BOUNCE_SIZE ? (size_t)len : BOUNCE_SIZE;
        if (is_write) {
            if (virtqueue_read_out(e, boff, b->bounce, n) != n ||
                !blk_pwrite(b->blk, off, b->bounce, n)) {
                return false;
            }
        } else {
            if (!blk_pread(b->blk, off, b->bounce, n) ||
                virtqueue_write_in(e, boff, b->bounce, n) != n) {
                return false;
            }
        }
        boff += n;
        off += n;
        len -= n;
    }
    return true;
}

/* Serve one request; returns the number of bytes written into the in buffers. */
static uint32_t blk_request(VirtIOBlock *b, VirtQueueElement *e, uint8_t *status)
{
    struct {
        uint32_t type, reserved;
        uint64_t sector;
    } hdr;
    uint64_t data_in = e->in_len - 1; /* the last writable byte is the status */
    *status = VIRTIO_BLK_S_IOERR;
    if (virtqueue_read_out(e, 0, &hdr, sizeof(hdr)) != sizeof(hdr)) {
        log_mask_printf(LOG_GUEST_ERROR, "virtio-blk: request header too short\n");
        return 1;
    }
    switch (hdr.type) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_OUT: {
        bool wr = hdr.type == VIRTIO_BLK_T_OUT;
        uint64_t len = wr ? e->out_len - sizeof(hdr) : data_in;
        if (wr && b->readonly) {
            return 1;
        }
        if (len % SECTOR_SIZE || hdr.sector > b->capacity ||
            len / SECTOR_SIZE > b->capacity - hdr.sector) {
            log_mask_printf(LOG_GUEST_ERROR,
                            "virtio-blk: bad %s of %" PRIu64 " bytes at sector %" PRIu64 "\n",
                            wr ? "write" : "read", len, hdr.sector);
            return 1;
        }
        if (blk_rw(b, e, wr ? sizeof(hdr) : 0, hdr.sector * SECTOR_SIZE, len, wr)) {
            *status = VIRTIO_BLK_S_OK;
        }
        return wr ? 1 : (uint32_t)(data_in + 1);
    }
    case VIRTIO_BLK_T_FLUSH:
        if (b->readonly || blk_flush(b->blk)) {
            *status = VIRTIO_BLK_S_OK;
        }
        return 1;
    case VIRTIO_BLK_T_GET_ID: {
        uint64_t n = data_in < VIRTIO_BLK_ID_BYTES ? data_in : VIRTIO_BLK_ID_BYTES;
        virtqueue_write_in(e, 0, b->id, (size_t)n);
        *status = VIRTIO_BLK_S_OK;
        return (uint32_t)n + 1;
    }
    default:
        *status = VIRTIO_BLK_S_UNSUPP;
        return 1;
    }
}

static void blk_handle_queue(VirtIODevice *vdev, int q)
{
    VirtIOBlock *b = (VirtIOBlock *)vdev;
    VirtQueue *vq = &vdev->vq[q];
    VirtQueueElement *e = &b->elem;
    bool pushed = false;
    int r;
    while ((r = virtqueue_pop(vdev, vq, e)) == 1) {
        if (e->in_len == 0) {
            virtio_error(vdev, "request without a status byte");
            break;
        }
        uint8_t status;
        uint32_t len = blk_request(b, e, &status);
        /* status goes in the last byte of the last writable buffer */
        virtqueue_write_in(e, e->in_len - 1, &status, 1);
        virtqueue_push(vdev, vq, e, len);
        pushed = true;
    }
    if (pushed && !virtio_broken(vdev)) {
        virtio_notify(vdev, vq);
    }
}

static void blk_free(VirtIODevice *vdev)
{
    VirtIOBlock *b = (VirtIOBlock *)vdev;
    blk_close(b->blk);
    free(b);
}

static const VirtIODeviceClass virtio_blk_class = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .num_queues = 1,
    .queue_max = BLK_QUEUE_MAX,
    .config_size = BLK_CONFIG_SIZE,
    .handle_queue = blk_handle_queue,
    .free = blk_free,
};

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

VirtIODevice *virtio_blk_new(AddressSpace *as, const char *path, bool readonly,
                             const char *id)
{
    BlockBackend *blk = blk_open(path, readonly, block_snapshot);
    if (!blk) {
        return NULL;
    }
    VirtIOBlock *b = calloc(1, sizeof(*b));
    if (!b) {
        fatal("out of memory");
    }
    b->blk = blk;
    b->readonly = readonly;
    b->capacity = blk_size(blk) / SECTOR_SIZE;
    snprintf(b->id, sizeof(b->id), "%s", id ? id : "coremu-vblk");
    put_le(&b->config[0], b->capacity, 8);                     /* capacity */
    put_le(&b->config[8], 0, 4);                               /* size_max (not offered) */
    put_le(&b->config[12], VIRTQUEUE_MAX_SIZE - 2, 4);         /* seg_max */
    put_le(&b->config[20], SECTOR_SIZE, 4);                    /* blk_size */
    uint64_t features = (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
                        (1ull << VIRTIO_BLK_F_FLUSH) | (1ull << VIRTIO_F_INDIRECT_DESC) |
                        (readonly ? 1ull << VIRTIO_BLK_F_RO : 0);
    virtio_init(&b->vdev, &virtio_blk_class, as, features, b->config);
    return &b->vdev;
}
