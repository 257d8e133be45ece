/*
 * virtio-pci.c — the modern virtio PCI transport (virtio 1.2 §4.1).
 *
 * The function is a plain PCI device (hw/pci/pci.c): vendor 0x1af4, device
 * 0x1040 + virtio id, revision 1 (§4.1.2.1), with vendor capabilities
 * (§4.1.4) pointing into BAR 4: the common configuration structure, the
 * ISR byte, the device-specific configuration and the notification area
 * (queue q at notify_off q * 4); a VIRTIO_PCI_CAP_PCI_CFG window (§4.1.4.9)
 * for drivers that reach BAR 4 through configuration space; and MSI-X with
 * the table and PBA in BAR 1, one vector for configuration changes and one
 * per queue as the driver assigns them.
 *
 * Interrupts: with MSI-X enabled a queue's used-buffer notification goes to
 * that queue's vector (none if VIRTIO_MSI_NO_VECTOR); otherwise the INTx pin
 * is level, high while the ISR is non-zero, and reading the ISR clears it
 * (§4.1.4.5). The ISR bits are kept in both modes (the virtio core sets
 * them), but INTx is never asserted while MSI-X is on.
 *
 * One mutex per transport serialises every BAR 4 access and, through a
 * notification, the device's request processing (which runs in the thread
 * of the core that wrote the notify register). Lock order: host lock -> this
 * lock -> MSI-X / INTx locks. Record/replay (docs/reemu.md): every BAR 4
 * write (notify included) runs in a device section taken before the lock,
 * so the cores' writes and the DMA they start replay in the recorded order;
 * reads, the read-to-clear ISR included, are logged inputs.
 *
 * Driver mistakes are contained as in virtio-mmio: FEATURES_OK is refused
 * for features we did not offer or without VIRTIO_F_VERSION_1, queue
 * registers are frozen once the queue is enabled, a queue is only enabled
 * if its size and rings pass virtio_queue_check (else DEVICE_NEEDS_RESET),
 * and everything the rings say is checked by the virtio core.
 */
#include "hw/virtio/virtio-pci.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hw/block/virtio-blk.h"
#include "reemu/reemu.h"
#include "util/log.h"

#define VIRTIO_PCI_CAP_LEN 16
#define VIRTIO_PCI_NOTIFY_CAP_LEN 20
#define VIRTIO_PCI_CFG_CAP_LEN 20
#define VIRTIO_PCI_COMMON_SIZE 0x38 /* up to queue_device (no 1.2 optional fields) */

struct VirtIOPCIState {
    PCIDevice pci; /* first */
    PCIDeviceInfo info;
    pthread_mutex_t lock;
    VirtIODevice *vdev;
    uint32_t dfselect, gfselect;
    uint16_t queue_sel;
    uint16_t config_vector;
    uint16_t queue_vector[VIRTIO_QUEUE_MAX];
    unsigned nvec;
    uint8_t cfg_cap; /* offset of the VIRTIO_PCI_CAP_PCI_CFG capability */
    char name[32];
};

static uint32_t get_le(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v |= (uint32_t)p[i] << (8 * i);
    }
    return v;
}

static void put_le(uint8_t *p, uint32_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* ---- interrupts (lock held) ---- */

static void vp_update_intx(VirtIODevice *vdev)
{
    VirtIOPCIState *s = vdev->transport;
    pci_set_irq(&s->pci, vdev->isr != 0 && !pci_msix_enabled(&s->pci));
}

static void vp_notify_event(VirtIODevice *vdev, int q)
{
    VirtIOPCIState *s = vdev->transport;
    uint16_t v = q < 0 ? s->config_vector : s->queue_vector[q];
    if (v != VIRTIO_MSI_NO_VECTOR && pci_msix_enabled(&s->pci)) {
        pci_msix_notify(&s->pci, v);
    }
}

/* Device reset (§4.1.4.3.1: status 0): the core's reset plus the transport's
 * state; every queue offers its maximum size again. */
static void vp_reset_locked(VirtIOPCIState *s)
{
    VirtIODevice *vdev = s->vdev;
    virtio_reset(vdev);
    for (int q = 0; q < vdev->vc->num_queues; q++) {
        vdev->vq[q].num = vdev->vc->queue_max;
    }
    s->dfselect = s->gfselect = 0;
    s->queue_sel = 0;
    s->config_vector = VIRTIO_MSI_NO_VECTOR;
    for (int q = 0; q < VIRTIO_QUEUE_MAX; q++) {
        s->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
    }
}

/* ---- common configuration (§4.1.4.3) ---- */

static VirtQueue *cur_queue(VirtIOPCIState *s)
{
    return s->queue_sel < s->vdev->vc->num_queues ? &s->vdev->vq[s->queue_sel] : NULL;
}

static uint32_t common_read(VirtIOPCIState *s, uint64_t off, unsigned size)
{
    VirtIODevice *vdev = s->vdev;
    VirtQueue *vq = cur_queue(s);
    switch (off) {
    case VIRTIO_PCI_COMMON_DFSELECT: return s->dfselect;
    case VIRTIO_PCI_COMMON_DF:
        return s->dfselect < 2 ? (uint32_t)(vdev->host_features >> (32 * s->dfselect)) : 0;
    case VIRTIO_PCI_COMMON_GFSELECT: return s->gfselect;
    case VIRTIO_PCI_COMMON_GF:
        return s->gfselect < 2 ? (uint32_t)(vdev->guest_features >> (32 * s->gfselect)) : 0;
    case VIRTIO_PCI_COMMON_MSIX: return s->config_vector;
    case VIRTIO_PCI_COMMON_NUMQ: return (uint32_t)vdev->vc->num_queues;
    case VIRTIO_PCI_COMMON_STATUS: return vdev->status;
    case VIRTIO_PCI_COMMON_CFGGENERATION: return vdev->config_generation & 0xff;
    case VIRTIO_PCI_COMMON_Q_SELECT: return s->queue_sel;
    case VIRTIO_PCI_COMMON_Q_SIZE: return vq ? vq->num : 0;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        return vq ? s->queue_vector[s->queue_sel] : VIRTIO_MSI_NO_VECTOR;
    case VIRTIO_PCI_COMMON_Q_ENABLE: return vq ? vq->ready : 0;
    case VIRTIO_PCI_COMMON_Q_NOFF: return vq ? s->queue_sel : 0;
    case VIRTIO_PCI_COMMON_Q_DESCLO: return vq ? (uint32_t)vq->desc : 0;
    case VIRTIO_PCI_COMMON_Q_DESCHI: return vq ? (uint32_t)(vq->desc >> 32) : 0;
    case VIRTIO_PCI_COMMON_Q_AVAILLO: return vq ? (uint32_t)vq->avail : 0;
    case VIRTIO_PCI_COMMON_Q_AVAILHI: return vq ? (uint32_t)(vq->avail >> 32) : 0;
    case VIRTIO_PCI_COMMON_Q_USEDLO: return vq ? (uint32_t)vq->used : 0;
    case VIRTIO_PCI_COMMON_Q_USEDHI: return vq ? (uint32_t)(vq->used >> 32) : 0;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "virtio-pci: %u-byte read of common cfg 0x%x\n",
                        size, (unsigned)off);
        return 0;
    }
}

static void set_status(VirtIOPCIState *s, uint8_t v)
{
    if (v == 0) {
        vp_reset_locked(s);
        return;
    }
    virtio_write_status(s->vdev, (uint8_t)v);
}

static uint16_t valid_vector(VirtIOPCIState *s, uint32_t v)
{
    /* §4.1.5.1.2: a vector the device cannot use reads back NO_VECTOR */
    return v < s->nvec ? (uint16_t)v : VIRTIO_MSI_NO_VECTOR;
}

static void set_addr(VirtQueue *vq, uint64_t *field, bool high, uint32_t v)
{
    if (!vq || vq->ready) {
        return;
    }
    *field = high ? ((*field & 0xffffffffull) | (uint64_t)v << 32)
                  : ((*field & ~0xffffffffull) | v);
}

static void common_write(VirtIOPCIState *s, uint64_t off, uint32_t v, unsigned size)
{
    VirtIODevice *vdev = s->vdev;
    VirtQueue *vq = cur_queue(s);
    switch (off) {
    case VIRTIO_PCI_COMMON_DFSELECT: s->dfselect = v; break;
    case VIRTIO_PCI_COMMON_GFSELECT: s->gfselect = v; break;
    case VIRTIO_PCI_COMMON_GF:
        if (s->gfselect < 2 && !(vdev->status & VIRTIO_STATUS_FEATURES_OK)) {
            unsigned sh = 32 * s->gfselect;
            vdev->guest_features = (vdev->guest_features & ~(0xffffffffull << sh)) |
                                   (uint64_t)v << sh;
        }
        break;
    case VIRTIO_PCI_COMMON_MSIX: s->config_vector = valid_vector(s, v); break;
    case VIRTIO_PCI_COMMON_STATUS: set_status(s, (uint8_t)v); break;
    case VIRTIO_PCI_COMMON_Q_SELECT: s->queue_sel = (uint16_t)v; break;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        if (vq && !vq->ready) {
            vq->num = v;
        }
        break;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        if (vq) {
            s->queue_vector[s->queue_sel] = valid_vector(s, v);
        }
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        /* §4.1.4.3.2: the driver only ever writes 1 */
        if (vq && (v & 1) && !vq->ready) {
            if (!virtio_queue_check(vdev, vq)) {
                virtio_error(vdev, "queue %u: bad size or ring address", s->queue_sel);
                break;
            }
            vq->ready = true;
            vq->last_avail_idx = vq->used_idx = 0;
        }
        break;
    case VIRTIO_PCI_COMMON_Q_DESCLO: set_addr(vq, vq ? &vq->desc : NULL, false, v); break;
    case VIRTIO_PCI_COMMON_Q_DESCHI: set_addr(vq, vq ? &vq->desc : NULL, true, v); break;
    case VIRTIO_PCI_COMMON_Q_AVAILLO: set_addr(vq, vq ? &vq->avail : NULL, false, v); break;
    case VIRTIO_PCI_COMMON_Q_AVAILHI: set_addr(vq, vq ? &vq->avail : NULL, true, v); break;
    case VIRTIO_PCI_COMMON_Q_USEDLO: set_addr(vq, vq ? &vq->used : NULL, false, v); break;
    case VIRTIO_PCI_COMMON_Q_USEDHI: set_addr(vq, vq ? &vq->used : NULL, true, v); break;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "virtio-pci: %u-byte write to common cfg 0x%x\n",
                        size, (unsigned)off);
        break;
    }
}

/* §4.1.3.1: each field is accessed with its own width (64-bit ones as two
 * 32-bit halves); anything else is a driver bug we log and ignore. */
static unsigned common_width(uint64_t off)
{
    switch (off) {
    case VIRTIO_PCI_COMMON_STATUS:
    case VIRTIO_PCI_COMMON_CFGGENERATION:
        return 1;
    case VIRTIO_PCI_COMMON_MSIX:
    case VIRTIO_PCI_COMMON_NUMQ:
    case VIRTIO_PCI_COMMON_Q_SELECT:
    case VIRTIO_PCI_COMMON_Q_SIZE:
    case VIRTIO_PCI_COMMON_Q_MSIX:
    case VIRTIO_PCI_COMMON_Q_ENABLE:
    case VIRTIO_PCI_COMMON_Q_NOFF:
        return 2;
    default:
        return off < VIRTIO_PCI_COMMON_SIZE && !(off & 3) ? 4 : 0;
    }
}

/* ---- BAR 4 ---- */

static uint64_t device_cfg_read(VirtIODevice *vdev, uint64_t off, unsigned size)
{
    if (off + size > vdev->vc->config_size) {
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)vdev->config[off + i] << (8 * i);
    }
    return v;
}

static uint64_t vp_bar_read(void *opaque, uint64_t offset, unsigned size)
{
    VirtIOPCIState *s = opaque;
    VirtIODevice *vdev = s->vdev;
    uint64_t region = offset & ~(uint64_t)(VIRTIO_PCI_REGION_SIZE - 1);
    uint64_t off = offset - region;
    uint64_t v = 0;
    pthread_mutex_lock(&s->lock);
    switch (region) {
    case VIRTIO_PCI_COMMON_OFFSET:
        if (common_width(off) == size) {
            v = common_read(s, off, size);
        } else {
            log_mask_printf(LOG_GUEST_ERROR, "virtio-pci: %u-byte read of common cfg 0x%x\n",
                            size, (unsigned)off);
        }
        break;
    case VIRTIO_PCI_ISR_OFFSET:
        /* §4.1.4.5.1: reading the ISR status clears it and the INTx line */
        if (off == 0) {
            v = vdev->isr & 0xff;
            vdev->isr = 0;
            vp_update_intx(vdev);
        }
        break;
    case VIRTIO_PCI_DEVICE_OFFSET:
        v = device_cfg_read(vdev, off, size);
        break;
    default:
        break; /* the notification area reads 0 */
    }
    pthread_mutex_unlock(&s->lock);
    return v;
}

static void vp_bar_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    VirtIOPCIState *s = opaque;
    VirtIODevice *vdev = s->vdev;
    uint64_t region = offset & ~(uint64_t)(VIRTIO_PCI_REGION_SIZE - 1);
    uint64_t off = offset - region;
    ReemuDevSection rr;
    reemu_device_begin(vdev->rr_dev, &rr); /* record/replay: the cores' writes in order */
    pthread_mutex_lock(&s->lock);
    switch (region) {
    case VIRTIO_PCI_COMMON_OFFSET:
        if (common_width(off) == size) {
            common_write(s, off, (uint32_t)value, size);
        } else {
            log_mask_printf(LOG_GUEST_ERROR, "virtio-pci: %u-byte write to common cfg 0x%x\n",
                            size, (unsigned)off);
        }
        break;
    case VIRTIO_PCI_DEVICE_OFFSET:
        if (vdev->vc->config_write && off + size <= vdev->vc->config_size) {
            vdev->vc->config_write(vdev, (uint32_t)off, (uint32_t)value, size);
        }
        break;
    case VIRTIO_PCI_NOTIFY_OFFSET: {
        /* §4.1.4.4: queue q's address is notify_off(q) * multiplier = q * 4 */
        uint64_t q = off / VIRTIO_PCI_NOTIFY_MULTIPLIER;
        if (q < (uint64_t)vdev->vc->num_queues && vdev->vq[q].ready &&
            (vdev->status & VIRTIO_STATUS_DRIVER_OK) && !virtio_broken(vdev)) {
            vdev->vc->handle_queue(vdev, (int)q);
        }
        break;
    }
    default:
        break; /* the ISR is read-only */
    }
    pthread_mutex_unlock(&s->lock);
    reemu_device_end(&rr);
}

static const MemoryRegionOps vp_bar_ops = {
    .read = vp_bar_read, .write = vp_bar_write, .min_access = 1, .max_access = 4,
};

/* ---- configuration space hooks ---- */

/*
 * VIRTIO_PCI_CAP_PCI_CFG (§4.1.4.9): the driver writes bar/offset/length
 * into the capability, then accessing pci_cfg_data reaches that BAR range.
 * Only BAR 4 and lengths 1, 2, 4 with a naturally aligned offset do anything.
 */
static bool cfg_window(VirtIOPCIState *s, uint64_t *off, unsigned *len)
{
    const uint8_t *c = s->pci.config + s->cfg_cap;
    *off = get_le(c + 8, 4);
    *len = get_le(c + 12, 4);
    return c[4] == VIRTIO_PCI_MODERN_BAR && (*len == 1 || *len == 2 || *len == 4) &&
           !(*off & (*len - 1)) && *off + *len <= VIRTIO_PCI_MODERN_BAR_SIZE;
}

static uint32_t vp_config_read(PCIDevice *dev, uint32_t off, unsigned size, uint32_t val)
{
    VirtIOPCIState *s = (VirtIOPCIState *)dev;
    uint32_t data = s->cfg_cap + 16u;
    uint64_t boff;
    unsigned len;
    if (off == data && size >= 1 && cfg_window(s, &boff, &len)) {
        uint32_t v = (uint32_t)vp_bar_read(s, boff, len);
        return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
    }
    return val;
}

static void vp_config_write(PCIDevice *dev, uint32_t off, uint32_t val, unsigned size)
{
    VirtIOPCIState *s = (VirtIOPCIState *)dev;
    uint32_t data = s->cfg_cap + 16u;
    uint64_t boff;
    unsigned len;
    if (off == data && cfg_window(s, &boff, &len) && size >= len) {
        vp_bar_write(s, boff, len >= 4 ? val : val & ((1u << (8 * len)) - 1), len);
    }
    /* MSI-X switched on or off: INTx follows (§4.1.5.1.3) */
    if (s->pci.msix_cap && off < s->pci.msix_cap + 4u && s->pci.msix_cap < off + size) {
        pthread_mutex_lock(&s->lock);
        vp_update_intx(s->vdev);
        pthread_mutex_unlock(&s->lock);
    }
}

static void vp_pci_reset(PCIDevice *dev)
{
    VirtIOPCIState *s = (VirtIOPCIState *)dev;
    pthread_mutex_lock(&s->lock);
    vp_reset_locked(s);
    pthread_mutex_unlock(&s->lock);
    memset(s->pci.config + s->cfg_cap + 4, 0, 16); /* the PCI_CFG window's fields */
}

static void vp_pci_free(PCIDevice *dev)
{
    VirtIOPCIState *s = (VirtIOPCIState *)dev;
    if (s->vdev->vc->free) {
        s->vdev->vc->free(s->vdev);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* A virtio vendor capability (struct virtio_pci_cap, §4.1.4) of cap_len bytes. */
static uint8_t add_vcap(VirtIOPCIState *s, uint8_t cfg_type, uint8_t cap_len, uint32_t offset,
                        uint32_t length)
{
    uint8_t pos = pci_add_capability(&s->pci, PCI_CAP_ID_VNDR, cap_len);
    uint8_t *c = s->pci.config + pos;
    c[2] = cap_len;
    c[3] = cfg_type;
    c[4] = VIRTIO_PCI_MODERN_BAR;
    c[5] = 0; /* id */
    put_le(c + 8, offset, 4);
    put_le(c + 12, length, 4);
    return pos;
}

VirtIOPCIState *virtio_pci_new(PCIHost *h, int slot, VirtIODevice *vdev)
{
    VirtIOPCIState *s = calloc(1, sizeof(*s));
    if (!s) {
        fatal("out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    s->vdev = vdev;
    snprintf(s->name, sizeof(s->name), "virtio-pci-%s", vdev->vc->name);
    s->info = (PCIDeviceInfo){
        .name = s->name,
        .vendor_id = VIRTIO_PCI_VENDOR_ID,
        .device_id = (uint16_t)(VIRTIO_PCI_DEVICE_ID_BASE + vdev->vc->device_id),
        .subsystem_vendor_id = VIRTIO_PCI_VENDOR_ID,
        .subsystem_id = 0x1100, /* §4.1.2.1: any value; QEMU's */
        .revision = 1,          /* §4.1.2.1: modern-only devices have revision 1 or more */
        .class_code = vdev->vc->device_id == VIRTIO_ID_BLOCK ? 0x010000u : 0xff0000u,
        .interrupt_pin = 1,
        .config_read = vp_config_read,
        .config_write = vp_config_write,
        .reset = vp_pci_reset,
        .free = vp_pci_free,
    };
    if (!pci_device_register(h, &s->pci, slot, &s->info)) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL; /* the caller still owns vdev */
    }
    s->nvec = 1 + (unsigned)vdev->vc->num_queues;
    vdev->transport = s;
    vdev->notify = vp_update_intx;
    vdev->notify_event = vp_notify_event;

    pci_register_bar(&s->pci, VIRTIO_PCI_MODERN_BAR, PCI_BAR_MEM64, true,
                     VIRTIO_PCI_MODERN_BAR_SIZE, &vp_bar_ops, s);
    add_vcap(s, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_LEN, VIRTIO_PCI_COMMON_OFFSET,
             VIRTIO_PCI_COMMON_SIZE);
    add_vcap(s, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_CAP_LEN, VIRTIO_PCI_ISR_OFFSET, 1);
    add_vcap(s, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_CAP_LEN, VIRTIO_PCI_DEVICE_OFFSET,
             vdev->vc->config_size);
    uint8_t n = add_vcap(s, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_CAP_LEN,
                         VIRTIO_PCI_NOTIFY_OFFSET,
                         VIRTIO_PCI_NOTIFY_MULTIPLIER * (uint32_t)vdev->vc->num_queues);
    put_le(s->pci.config + n + 16, VIRTIO_PCI_NOTIFY_MULTIPLIER, 4);
    /* the PCI_CFG window: bar, offset, length and data are the driver's to write */
    s->cfg_cap = add_vcap(s, VIRTIO_PCI_CAP_PCI_CFG, VIRTIO_PCI_CFG_CAP_LEN, 0, 0);
    s->pci.config[s->cfg_cap + 4] = 0;
    memset(s->pci.wmask + s->cfg_cap + 4, 0xff, 1);
    memset(s->pci.wmask + s->cfg_cap + 8, 0xff, 12);
    pci_msix_init(&s->pci, s->nvec, VIRTIO_PCI_MSIX_BAR);
    vp_reset_locked(s);
    return s;
}

VirtIOPCIState *virtio_pci_blk_create(PCIHost *h, int slot, const char *path, bool readonly,
                                      const char *id)
{
    VirtIODevice *vdev = virtio_blk_new(pci_host_dma_as(h), path, readonly, id);
    if (!vdev) {
        return NULL;
    }
    VirtIOPCIState *s = virtio_pci_new(h, slot, vdev);
    if (!s && vdev->vc->free) {
        vdev->vc->free(vdev);
    }
    return s;
}

VirtIODevice *virtio_pci_device(VirtIOPCIState *s)
{
    return s->vdev;
}

PCIDevice *virtio_pci_pci_device(VirtIOPCIState *s)
{
    return &s->pci;
}
