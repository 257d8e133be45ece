/*
 * virtio-blk.c — virtio block device on a raw image (virtio 1.1 §5.2).
 *
 * Requests are served synchronously with pread/pwrite on the image, in the
 * notifying core's thread, under the transport's lock. A request is
 *     out: struct virtio_blk_outhdr { le32 type; le32 reserved; le64 sector; }
 *          [+ data for OUT]
 *     in:  [data for IN / GET_ID] + u8 status
 * Any request whose header is short, whose data are not whole sectors or lie
 * past the end of the disk, or whose write hits a read-only disk completes
 * with VIRTIO_BLK_S_IOERR; a chain with no writable byte for the status is
 * a device error (DEVICE_NEEDS_RESET). FLUSH calls fdatasync(), so a write
 * acknowledged before a flush survives the emulator being killed.
 */
#include "hw/block/virtio-blk.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

#define SECTOR_SIZE 512
#define BLK_QUEUE_MAX 256
#define BLK_CONFIG_SIZE 24 /* capacity, size_max, seg_max, geometry, blk_size */

typedef struct VirtIOBlock {
    VirtIODevice vdev; /* first */
    int fd;
    bool readonly;
    uint64_t capacity; /* in 512-byte sectors */
    char id[VIRTIO_BLK_ID_BYTES];
    uint8_t config[BLK_CONFIG_SIZE];
    VirtQueueElement elem;
    struct iovec data[VIRTQUEUE_MAX_SIZE];
} VirtIOBlock;

/* pread/pwrite the whole iovec list at off; false on any error or short transfer. */
static bool blk_rw(VirtIOBlock *b, const struct iovec *iov, unsigned n, uint64_t off,
                   bool is_write)
{
    for (unsigned i = 0; i < n; i++) {
        uint8_t *p = iov[i].iov_base;
        size_t left = iov[i].iov_len;
        while (left > 0) {
            ssize_t r = is_write ? pwrite(b->fd, p, left, (off_t)off)
                                 : pread(b->fd, p, left, (off_t)off);
            if (r < 0 && errno == EINTR) {
                continue;
            }
            if (r <= 0) {
                return false;
            }
            p += r;
            off += (uint64_t)r;
            left -= (size_t)r;
        }
    }
    return true;
}

/* Copy iov[] skipping `skip` bytes at the front and `trim` at the end into b->data. */
static unsigned sub_iov(VirtIOBlock *b, const struct iovec *iov, unsigned n, uint64_t skip,
                        uint64_t trim, uint64_t total)
{
    uint64_t keep = total - skip - trim, pos = 0;
    unsigned out = 0;
    for (unsigned i = 0; i < n && keep > 0; i++) {
        uint64_t len = iov[i].iov_len, start = 0;
        if (pos + len <= skip) {
            pos += len;
            continue;
        }
        if (pos < skip) {
            start = skip - pos;
        }
        uint64_t k = len - start < keep ? len - start : keep;
        b->data[out++] = (struct iovec){ (uint8_t *)iov[i].iov_base + start, k };
        keep -= k;
        pos += len;
    }
    return out;
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
    if (iov_to_buf(e->out_sg, e->out_num, 0, &hdr, sizeof(hdr)) != sizeof(hdr)) {
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
        unsigned n = wr ? sub_iov(b, e->out_sg, e->out_num, sizeof(hdr), 0, e->out_len)
                        : sub_iov(b, e->in_sg, e->in_num, 0, 1, e->in_len);
        if (blk_rw(b, b->data, n, hdr.sector * SECTOR_SIZE, wr)) {
            *status = VIRTIO_BLK_S_OK;
        }
        return wr ? 1 : (uint32_t)(data_in + 1);
    }
    case VIRTIO_BLK_T_FLUSH:
        if (b->readonly || fdatasync(b->fd) == 0) {
            *status = VIRTIO_BLK_S_OK;
        }
        return 1;
    case VIRTIO_BLK_T_GET_ID: {
        uint64_t n = data_in < VIRTIO_BLK_ID_BYTES ? data_in : VIRTIO_BLK_ID_BYTES;
        unsigned k = sub_iov(b, e->in_sg, e->in_num, 0, 1, e->in_len);
        iov_from_buf(b->data, k, 0, b->id, n);
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
        const struct iovec *last = &e->in_sg[e->in_num - 1];
        ((uint8_t *)last->iov_base)[last->iov_len - 1] = status;
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
    close(b->fd);
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
    int fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        error_report("cannot open drive image '%s'%s: %s", path,
                     readonly ? "" : " for writing", strerror(errno));
        return NULL;
    }
    struct stat st;
    off_t size = lseek(fd, 0, SEEK_END);
    if (fstat(fd, &st) < 0 || size < 0 || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
        error_report("drive image '%s' is not a regular file or block device", path);
        close(fd);
        return NULL;
    }
    /* two emulators writing one image would corrupt it */
    if (flock(fd, (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
        error_report("drive image '%s' is in use by another process", path);
        close(fd);
        return NULL;
    }
    VirtIOBlock *b = calloc(1, sizeof(*b));
    if (!b) {
        fatal("out of memory");
    }
    b->fd = fd;
    b->readonly = readonly;
    b->capacity = (uint64_t)size / SECTOR_SIZE;
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
