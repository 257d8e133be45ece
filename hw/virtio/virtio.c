/*
 * virtio.c — virtio device core: split virtqueues (virtio 1.1 §2.6).
 *
 * Ring access: guest and device share the rings, the driver on other cores.
 * We read avail->idx with acquire order before reading ring entries, and
 * publish used->idx with release order after writing the used element
 * (§2.6.13, the host is x86 TSO so these are compiler barriers plus the
 * atomic access). Descriptors are copied before being checked (the guest
 * may rewrite them concurrently), each field is validated, every buffer goes
 * through memory_ram_ptr(), and a chain longer than the queue size is a
 * loop: the device is marked broken instead of spinning.
 *
 * Record/replay (docs/reemu.md): every access to guest RAM here and in the
 * devices (rings, descriptors, buffers) is a reemu_dma_read/write, which the
 * transports' device sections make ordered accesses of the notifying core;
 * outside record/replay they are plain copies.
 *
 * Indirect descriptors (§2.6.5.3) are supported when negotiated: a table of
 * at most VIRTQUEUE_MAX_SIZE entries, as the only descriptor of a chain,
 * walked with the same checks and bounded by its own size. EVENT_IDX is not
 * offered.
 */
#include "hw/virtio/virtio.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reemu/reemu.h"
#include "util/log.h"

typedef struct VRingDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VRingDesc;

void virtio_init(VirtIODevice *vdev, const VirtIODeviceClass *vc, AddressSpace *as,
                 uint64_t host_features, uint8_t *config)
{
    vdev->vc = vc;
    vdev->as = as;
    vdev->host_features = host_features | (1ull << VIRTIO_F_VERSION_1);
    vdev->config = config;
    vdev->rr_dev = reemu_device_register(vc->name);
    virtio_reset(vdev);
}

void virtio_write_status(VirtIODevice *vdev, uint8_t v)
{
    if ((v & VIRTIO_STATUS_FEATURES_OK) && !(vdev->status & VIRTIO_STATUS_FEATURES_OK)) {
        /* §2.2.2 / §6.1: accept only what we offered, and only the modern interface */
        if ((vdev->guest_features & ~vdev->host_features) ||
            !(vdev->guest_features & (1ull << VIRTIO_F_VERSION_1))) {
            v &= ~VIRTIO_STATUS_FEATURES_OK;
        }
    }
    /* NEEDS_RESET is the device's bit: the driver cannot clear it except by reset */
    vdev->status = (uint8_t)((v & ~VIRTIO_STATUS_NEEDS_RESET) |
                             (vdev->status & VIRTIO_STATUS_NEEDS_RESET));
}

void virtio_reset(VirtIODevice *vdev)
{
    if (vdev->vc->reset) {
        vdev->vc->reset(vdev);
    }
    vdev->guest_features = 0;
    vdev->status = 0;
    vdev->isr = 0;
    memset(vdev->vq, 0, sizeof(vdev->vq));
    if (vdev->notify) {
        vdev->notify(vdev);
    }
}

void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_mask_printf(LOG_GUEST_ERROR, "%s: %s: device needs reset\n", vdev->vc->name, msg);
    vdev->status |= VIRTIO_STATUS_NEEDS_RESET;
    vdev->isr |= VIRTIO_ISR_CONFIG;
    if (vdev->notify) {
        vdev->notify(vdev);
    }
    if (vdev->notify_event) {
        vdev->notify_event(vdev, -1);
    }
}

bool virtio_queue_check(VirtIODevice *vdev, VirtQueue *vq)
{
    uint64_t n = vq->num;
    /* §2.6: a split queue's size is a power of 2 (the ring indexes wrap at 2^16) */
    if (n == 0 || n > vdev->vc->queue_max || (n & (n - 1))) {
        return false;
    }
    /* §2.6: alignment 16 (desc), 2 (avail), 4 (used) */
    if ((vq->desc & 15) || (vq->avail & 1) || (vq->used & 3)) {
        return false;
    }
    return memory_ram_ptr(vdev->as, vq->desc, 16 * n) &&
           memory_ram_ptr(vdev->as, vq->avail, 6 + 2 * n) &&
           memory_ram_ptr(vdev->as, vq->used, 6 + 8 * n);
}

/* Copy len bytes of guest RAM at addr; false if not wholly in RAM. */
static bool ram_read(VirtIODevice *vdev, uint64_t addr, void *buf, size_t len)
{
    void *p = memory_ram_ptr(vdev->as, addr, len);
    if (!p) {
        return false;
    }
    reemu_dma_read(buf, p, addr, len);
    return true;
}

int virtqueue_pop(VirtIODevice *vdev, VirtQueue *vq, VirtQueueElement *elem)
{
    if (!vq->ready || virtio_broken(vdev)) {
        return 0;
    }
    uint16_t *avail_idx_p = memory_ram_ptr(vdev->as, vq->avail + 2, 2);
    if (!avail_idx_p) {
        virtio_error(vdev, "avail ring outside RAM");
        return -1;
    }
    uint16_t avail_idx;
    reemu_dma_read(&avail_idx, avail_idx_p, vq->avail + 2, 2);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (avail_idx == vq->last_avail_idx) {
        return 0;
    }
    if ((uint16_t)(avail_idx - vq->last_avail_idx) > vq->num) {
        virtio_error(vdev, "avail idx moved by %u (queue size %u)",
                     (uint16_t)(avail_idx - vq->last_avail_idx), vq->num);
        return -1;
    }
    uint16_t head;
    if (!ram_read(vdev, vq->avail + 4 + 2ull * (vq->last_avail_idx % vq->num), &head, 2)) {
        virtio_error(vdev, "avail ring outside RAM");
        return -1;
    }
    if (head >= vq->num) {
        virtio_error(vdev, "head descriptor %u out of range", head);
        return -1;
    }
    elem->head = head;
    elem->in_num = elem->out_num = 0;
    elem->in_len = elem->out_len = 0;
    uint64_t table = vq->desc; /* the descriptor table being walked... */
    unsigned max = vq->num;    /* ...and its size: bounds indexes and the chain length */
    bool indirect = false;
    unsigned i = head, count = 0;
    for (;;) {
        VRingDesc d;
        if (count++ >= max) {
            virtio_error(vdev, "descriptor chain longer than its table (a loop)");
            return -1;
        }
        if (!ram_read(vdev, table + 16ull * i, &d, sizeof(d))) {
            virtio_error(vdev, "descriptor table outside RAM");
            return -1;
        }
        if (d.flags & VRING_DESC_F_INDIRECT) {
            /* §2.6.5.3: only as the whole chain, never nested, never with NEXT */
            if (!(vdev->guest_features & (1ull << VIRTIO_F_INDIRECT_DESC))) {
                virtio_error(vdev, "indirect descriptor (not negotiated)");
                return -1;
            }
            if (indirect || count != 1 || (d.flags & VRING_DESC_F_NEXT)) {
                virtio_error(vdev, "indirect descriptor inside a chain or a table");
                return -1;
            }
            if (d.len == 0 || d.len % 16 || d.len / 16 > VIRTQUEUE_MAX_SIZE ||
                !memory_ram_ptr(vdev->as, d.addr, d.len)) {
                virtio_error(vdev, "bad indirect table 0x%" PRIx64 "+%u", d.addr, d.len);
                return -1;
            }
            table = d.addr;
            max = d.len / 16;
            indirect = true;
            i = 0;
            count = 0;
            continue;
        }
        if (d.len > 0) {
            void *p = memory_ram_ptr(vdev->as, d.addr, d.len);
            if (!p) {
                virtio_error(vdev, "buffer 0x%" PRIx64 "+%u outside RAM", d.addr, d.len);
                return -1;
            }
            if (d.flags & VRING_DESC_F_WRITE) {
                elem->in_addr[elem->in_num] = d.addr;
                elem->in_sg[elem->in_num++] = (struct iovec){ p, d.len };
                elem->in_len += d.len;
            } else {
                if (elem->in_num) {
                    /* §2.6.4.2: readable buffers come before writable ones */
                    virtio_error(vdev, "readable descriptor after a writable one");
                    return -1;
                }
                elem->out_addr[elem->out_num] = d.addr;
                elem->out_sg[elem->out_num++] = (struct iovec){ p, d.len };
                elem->out_len += d.len;
            }
        }
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            break;
        }
        if (d.next >= max) {
            virtio_error(vdev, "next descriptor %u out of range", d.next);
            return -1;
        }
        i = d.next;
    }
    vq->last_avail_idx++;
    return 1;
}

void virtqueue_push(VirtIODevice *vdev, VirtQueue *vq, const VirtQueueElement *elem,
                    uint32_t len)
{
    uint32_t e[2] = { elem->head, len };
    void *slot = memory_ram_ptr(vdev->as, vq->used + 4 + 8ull * (vq->used_idx % vq->num), 8);
    uint16_t *idx = memory_ram_ptr(vdev->as, vq->used + 2, 2);
    if (!slot || !idx) {
        virtio_error(vdev, "used ring outside RAM");
        return;
    }
    reemu_dma_write(slot, vq->used + 4 + 8ull * (vq->used_idx % vq->num), e, sizeof(e));
    vq->used_idx++;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    reemu_dma_write(idx, vq->used + 2, &vq->used_idx, 2);
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    uint16_t flags = 0;
    /* make used->idx visible before reading the driver's suppression flag */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (ram_read(vdev, vq->avail, &flags, 2) && (flags & VRING_AVAIL_F_NO_INTERRUPT)) {
        return;
    }
    vdev->isr |= VIRTIO_ISR_QUEUE;
    if (vdev->notify) {
        vdev->notify(vdev);
    }
    if (vdev->notify_event) {
        vdev->notify_event(vdev, (int)(vq - vdev->vq));
    }
}

/* Walk an element's buffers from offset: copy len bytes (ordered DMA). */
static size_t elem_copy(const struct iovec *iov, const uint64_t *addr, unsigned n,
                        uint64_t offset, uint8_t *buf, size_t len, bool to_guest)
{
    size_t done = 0;
    for (unsigned i = 0; i < n && done < len; i++) {
        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        size_t k = iov[i].iov_len - offset;
        if (k > len - done) {
            k = len - done;
        }
        uint8_t *host = (uint8_t *)iov[i].iov_base + offset;
        if (to_guest) {
            reemu_dma_write(host, addr[i] + offset, buf + done, k);
        } else {
            reemu_dma_read(buf + done, host, addr[i] + offset, k);
        }
        done += k;
        offset = 0;
    }
    return done;
}

size_t virtqueue_read_out(const VirtQueueElement *e, uint64_t offset, void *buf, size_t len)
{
    return elem_copy(e->out_sg, e->out_addr, e->out_num, offset, buf, len, false);
}

size_t virtqueue_write_in(const VirtQueueElement *e, uint64_t offset, const void *buf,
                          size_t len)
{
    return elem_copy(e->in_sg, e->in_addr, e->in_num, offset, (uint8_t *)buf, len, true);
}
