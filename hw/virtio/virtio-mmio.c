/*
 * virtio-mmio.c — virtio over MMIO, version 2 ("modern", virtio 1.1 §4.2).
 *
 * One mutex per transport serialises every register access and, through
 * QUEUE_NOTIFY, the device's request processing, which runs synchronously
 * in the thread of the core that wrote the notify register. The interrupt
 * line is level: high while InterruptStatus (vdev->isr) is non-zero.
 *
 * Record/replay (docs/reemu.md): every write runs in a device section
 * (reemu_device_begin, taken before the lock), so the cores' writes and
 * the request processing a notify starts replay in the recorded order;
 * reads are logged inputs (a replay does not call the device for them).
 *
 * Driver mistakes are contained: queue addresses are checked when the queue
 * is made ready (a bad ring sets DEVICE_NEEDS_RESET), FEATURES_OK is refused
 * for features we did not offer or without VIRTIO_F_VERSION_1, and queue
 * registers are read-only while the queue is ready (§4.2.3.2).
 */
#include "hw/virtio/virtio-mmio.h"

#include <pthread.h>
#include <stdlib.h>

#include "reemu/reemu.h"
#include "util/log.h"

#define VIRT_MAGIC 0x74726976u /* "virt" */
#define VIRT_VENDOR 0x554d4551u /* "QEMU", what Linux and guests expect on virt */

struct VirtIOMMIOState {
    pthread_mutex_t lock;
    VirtIODevice *vdev;
    IRQLine irq;
    int irq_level;
    uint32_t dev_features_sel, drv_features_sel, queue_sel;
};

/* vdev->notify: lock held by the caller. */
static void mmio_update_irq(VirtIODevice *vdev)
{
    VirtIOMMIOState *s = vdev->transport;
    int level = vdev->isr != 0;
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(&s->irq, level);
    }
}

static VirtQueue *cur_queue(VirtIOMMIOState *s)
{
    if (!s->vdev || s->queue_sel >= (uint32_t)s->vdev->vc->num_queues) {
        return NULL;
    }
    return &s->vdev->vq[s->queue_sel];
}

static uint32_t config_read(VirtIODevice *vdev, uint64_t off, unsigned size)
{
    uint32_t v = 0;
    if (off + size > vdev->vc->config_size || (size != 1 && size != 2 && size != 4)) {
        return 0;
    }
    for (unsigned i = 0; i < size; i++) {
        v |= (uint32_t)vdev->config[off + i] << (8 * i);
    }
    return v;
}

uint64_t virtio_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    VirtIOMMIOState *s = opaque;
    VirtIODevice *vdev = s->vdev;
    uint64_t v = 0;
    pthread_mutex_lock(&s->lock);
    if (offset >= VIRTIO_MMIO_CONFIG) {
        if (vdev) {
            v = config_read(vdev, offset - VIRTIO_MMIO_CONFIG, size);
        }
        goto out;
    }
    if (size != 4 || (offset & 3)) {
        log_mask_printf(LOG_GUEST_ERROR, "virtio-mmio: %u-byte read at 0x%x\n", size,
                        (unsigned)offset);
        goto out;
    }
    switch (offset) {
    case VIRTIO_MMIO_MAGIC: v = VIRT_MAGIC; break;
    case VIRTIO_MMIO_VERSION: v = 2; break;
    case VIRTIO_MMIO_DEVICE_ID: v = vdev ? vdev->vc->device_id : 0; break;
    case VIRTIO_MMIO_VENDOR_ID: v = VIRT_VENDOR; break;
    default:
        if (!vdev) {
            break;
        }
        switch (offset) {
        case VIRTIO_MMIO_DEVICE_FEATURES:
            v = s->dev_features_sel < 2
                    ? (uint32_t)(vdev->host_features >> (32 * s->dev_features_sel))
                    : 0;
            break;
        case VIRTIO_MMIO_QUEUE_NUM_MAX:
            v = cur_queue(s) ? vdev->vc->queue_max : 0;
            break;
        case VIRTIO_MMIO_QUEUE_READY:
            v = cur_queue(s) ? cur_queue(s)->ready : 0;
            break;
        case VIRTIO_MMIO_INTERRUPT_STATUS: v = vdev->isr; break;
        case VIRTIO_MMIO_STATUS: v = vdev->status; break;
        case VIRTIO_MMIO_SHM_LEN_LOW: case VIRTIO_MMIO_SHM_LEN_HIGH:
        case VIRTIO_MMIO_SHM_BASE_LOW: case VIRTIO_MMIO_SHM_BASE_HIGH:
            v = 0xffffffffu; /* no shared memory regions */
            break;
        case VIRTIO_MMIO_CONFIG_GENERATION: v = vdev->config_generation; break;
        default:
            break; /* write-only registers and holes read 0 */
        }
    }
out:
    pthread_mutex_unlock(&s->lock);
    return v;
}

static void set_status(VirtIOMMIOState *s, uint32_t v)
{
    if (v == 0) {
        virtio_reset(s->vdev);
        return;
    }
    virtio_write_status(s->vdev, (uint8_t)v);
}

static void set_addr(VirtQueue *vq, uint64_t *field, bool high, uint32_t v)
{
    if (!vq || vq->ready) {
        return;
    }
    *field = high ? ((*field & 0xffffffffull) | (uint64_t)v << 32)
                  : ((*field & ~0xffffffffull) | v);
}

void virtio_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    VirtIOMMIOState *s = opaque;
    VirtIODevice *vdev = s->vdev;
    uint32_t v = (uint32_t)value;
    if (!vdev) {
        return;
    }
    ReemuDevSection rr;
    reemu_device_begin(vdev->rr_dev, &rr); /* record/replay: the cores' writes in order */
    pthread_mutex_lock(&s->lock);
    if (offset >= VIRTIO_MMIO_CONFIG) {
        uint64_t off = offset - VIRTIO_MMIO_CONFIG;
        if (vdev->vc->config_write && off + size <= vdev->vc->config_size) {
            vdev->vc->config_write(vdev, (uint32_t)off, v, size);
        }
        goto out;
    }
    if (size != 4 || (offset & 3)) {
        log_mask_printf(LOG_GUEST_ERROR, "virtio-mmio: %u-byte write at 0x%x\n", size,
                        (unsigned)offset);
        goto out;
    }
    VirtQueue *vq = cur_queue(s);
    switch (offset) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL: s->dev_features_sel = v; break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL: s->drv_features_sel = v; break;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        if (s->drv_features_sel < 2 && !(vdev->status & VIRTIO_STATUS_FEATURES_OK)) {
            unsigned sh = 32 * s->drv_features_sel;
            vdev->guest_features = (vdev->guest_features & ~(0xffffffffull << sh)) |
                                   (uint64_t)v << sh;
        }
        break;
    case VIRTIO_MMIO_QUEUE_SEL: s->queue_sel = v; break;
    case VIRTIO_MMIO_QUEUE_NUM:
        if (vq && !vq->ready) {
            vq->num = v;
        }
        break;
    case VIRTIO_MMIO_QUEUE_READY:
        if (!vq) {
            break;
        }
        if (!(v & 1)) {
            vq->ready = false;
        } else if (!vq->ready) {
            if (!virtio_queue_check(vdev, vq)) {
                virtio_error(vdev, "queue %u: bad size or ring address", s->queue_sel);
                break;
            }
            vq->ready = true;
            vq->last_avail_idx = vq->used_idx = 0;
        }
        break;
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        if (v < (uint32_t)vdev->vc->num_queues && vdev->vq[v].ready &&
            (vdev->status & VIRTIO_STATUS_DRIVER_OK) && !virtio_broken(vdev)) {
            vdev->vc->handle_queue(vdev, (int)v);
        }
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK:
        vdev->isr &= ~v;
        mmio_update_irq(vdev);
        break;
    case VIRTIO_MMIO_STATUS: set_status(s, v); break;
    case VIRTIO_MMIO_QUEUE_DESC_LOW: set_addr(vq, vq ? &vq->desc : NULL, false, v); break;
    case VIRTIO_MMIO_QUEUE_DESC_HIGH: set_addr(vq, vq ? &vq->desc : NULL, true, v); break;
    case VIRTIO_MMIO_QUEUE_AVAIL_LOW: set_addr(vq, vq ? &vq->avail : NULL, false, v); break;
    case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: set_addr(vq, vq ? &vq->avail : NULL, true, v); break;
    case VIRTIO_MMIO_QUEUE_USED_LOW: set_addr(vq, vq ? &vq->used : NULL, false, v); break;
    case VIRTIO_MMIO_QUEUE_USED_HIGH: set_addr(vq, vq ? &vq->used : NULL, true, v); break;
    case VIRTIO_MMIO_SHM_SEL: break;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "virtio-mmio: write to 0x%x\n", (unsigned)offset);
        break;
    }
out:
    pthread_mutex_unlock(&s->lock);
    reemu_device_end(&rr);
}

static const MemoryRegionOps virtio_mmio_ops = {
    .read = virtio_mmio_read, .write = virtio_mmio_write, .min_access = 1, .max_access = 4,
};

VirtIOMMIOState *virtio_mmio_new(VirtIODevice *vdev, IRQLine irq)
{
    VirtIOMMIOState *s = calloc(1, sizeof(*s));
    if (!s) {
        fatal("out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    s->vdev = vdev;
    s->irq = irq;
    if (vdev) {
        vdev->transport = s;
        vdev->notify = mmio_update_irq;
    }
    return s;
}

void virtio_mmio_reset(VirtIOMMIOState *s)
{
    pthread_mutex_lock(&s->lock);
    if (s->vdev) {
        virtio_reset(s->vdev);
    }
    s->dev_features_sel = s->drv_features_sel = s->queue_sel = 0;
    pthread_mutex_unlock(&s->lock);
}

VirtIODevice *virtio_mmio_device(VirtIOMMIOState *s)
{
    return s->vdev;
}

void virtio_mmio_free(VirtIOMMIOState *s)
{
    if (!s) {
        return;
    }
    if (s->vdev && s->vdev->vc->free) {
        s->vdev->vc->free(s->vdev);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void virtio_mmio_map(VirtIOMMIOState *s, AddressSpace *as, uint64_t base)
{
    memory_map_mmio(as, "virtio-mmio", base, VIRTIO_MMIO_SIZE, &virtio_mmio_ops, s);
}

/*
 * A bank of transports at a fixed stride, mapped as ONE region that forwards
 * by slot: several 512-byte transports share each 4 KiB page, and the softmmu
 * resolves device regions per page, so one region per page-sharing group is
 * what keeps every slot reachable from guest code.
 */
struct VirtIOMMIOBank {
    VirtIOMMIOState **slots;
    int n;
};

static uint64_t bank_read(void *opaque, uint64_t offset, unsigned size)
{
    VirtIOMMIOBank *b = opaque;
    uint64_t slot = offset / VIRTIO_MMIO_SIZE, off = offset % VIRTIO_MMIO_SIZE;
    if (slot >= (uint64_t)b->n || off + size > VIRTIO_MMIO_SIZE) {
        return 0;
    }
    return virtio_mmio_read(b->slots[slot], off, size);
}

static void bank_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    VirtIOMMIOBank *b = opaque;
    uint64_t slot = offset / VIRTIO_MMIO_SIZE, off = offset % VIRTIO_MMIO_SIZE;
    if (slot < (uint64_t)b->n && off + size <= VIRTIO_MMIO_SIZE) {
        virtio_mmio_write(b->slots[slot], off, value, size);
    }
}

static const MemoryRegionOps bank_ops = {
    .read = bank_read, .write = bank_write, .min_access = 1, .max_access = 4,
};

VirtIOMMIOBank *virtio_mmio_map_bank(VirtIOMMIOState *const *slots, int n, AddressSpace *as,
                                     uint64_t base)
{
    VirtIOMMIOBank *b = calloc(1, sizeof(*b));
    if (!b || !(b->slots = calloc((size_t)n, sizeof(*b->slots)))) {
        fatal("out of memory");
    }
    for (int i = 0; i < n; i++) {
        b->slots[i] = slots[i];
    }
    b->n = n;
    memory_map_mmio(as, "virtio-mmio", base, (uint64_t)n * VIRTIO_MMIO_SIZE, &bank_ops, b);
    return b;
}
