/*
 * virtio.h — transport-independent virtio device core (virtio 1.1,
 * OASIS virtio-v1.1-cs01 §2) with split virtqueues (§2.6).
 *
 * A device model (virtio-blk, virtio-rng) fills a VirtIODeviceClass and
 * embeds VirtIODevice first in its state. The transport (virtio-mmio)
 * serialises every call into the device with its own lock, so device
 * callbacks run single-threaded; they run in the thread of the core whose
 * access triggered them (QUEUE_NOTIFY). Under record/replay the transport
 * also wraps every guest write in a device section (reemu_device_begin) and
 * the device's RAM accesses are ordered accesses of that core.
 *
 * Guest memory safety: every descriptor is copied out of guest RAM before it
 * is used, every buffer is checked with memory_ram_ptr() (which refuses
 * anything not wholly inside one RAM region), chains are bounded by the
 * size of the table they live in (the queue or an indirect table, at most
 * VIRTQUEUE_MAX_SIZE entries so an element's iovec arrays cannot overflow),
 * and any malformed ring puts the device in DEVICE_NEEDS_RESET
 * (virtio_error) instead of touching memory outside guest RAM.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "exec/memory.h"

#define VIRTIO_QUEUE_MAX 8
#define VIRTQUEUE_MAX_SIZE 256

/* device status (§2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* feature bits (§6) */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

/* split ring (§2.6) */
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4
#define VRING_AVAIL_F_NO_INTERRUPT 1

/* ISR bits */
#define VIRTIO_ISR_QUEUE 1
#define VIRTIO_ISR_CONFIG 2

typedef struct VirtQueue {
    uint32_t num; /* queue size chosen by the driver */
    bool ready;
    uint64_t desc, avail, used;
    uint16_t last_avail_idx; /* next avail ring slot the device will take */
    uint16_t used_idx;       /* our copy of used->idx */
} VirtQueue;

/* One descriptor chain taken from the avail ring, as host iovecs. */
typedef struct VirtQueueElement {
    uint16_t head;
    unsigned in_num, out_num;    /* device-writable / device-readable buffers */
    uint64_t in_len, out_len;    /* their total sizes */
    struct iovec in_sg[VIRTQUEUE_MAX_SIZE];
    struct iovec out_sg[VIRTQUEUE_MAX_SIZE];
    uint64_t in_addr[VIRTQUEUE_MAX_SIZE];  /* guest physical address of each in_sg */
    uint64_t out_addr[VIRTQUEUE_MAX_SIZE]; /* ... and of each out_sg */
} VirtQueueElement;

typedef struct VirtIODevice VirtIODevice;

typedef struct VirtIODeviceClass {
    const char *name;
    uint32_t device_id;  /* §5: 2 = block, 4 = entropy */
    int num_queues;
    uint32_t queue_max;  /* QueueNumMax */
    uint32_t config_size;
    void (*handle_queue)(VirtIODevice *vdev, int q);
    void (*reset)(VirtIODevice *vdev);           /* optional */
    void (*config_write)(VirtIODevice *vdev, uint32_t off, uint32_t val, unsigned size);
    void (*free)(VirtIODevice *vdev);            /* optional: release the device */
} VirtIODeviceClass;

struct VirtIODevice {
    const VirtIODeviceClass *vc;
    AddressSpace *as;
    uint64_t host_features, guest_features;
    uint8_t status;
    uint32_t isr;
    uint32_t config_generation;
    uint8_t *config; /* config_size bytes, little-endian, owned by the device */
    VirtQueue vq[VIRTIO_QUEUE_MAX];
    /* transport: called when isr changes (recompute the interrupt line) */
    void (*notify)(VirtIODevice *vdev);
    /*
     * transport (optional): an interrupt event for queue q, or -1 for a
     * configuration change (virtio_error), called after isr was updated and
     * notify() ran; lets a transport with per-source vectors (virtio-pci's
     * MSI-X, §4.1.5.1.2) pick the vector. Same locking as notify.
     */
    void (*notify_event)(VirtIODevice *vdev, int q);
    void *transport;
    int rr_dev; /* record/replay: the device's ordered pseudo-object (reemu.h) */
};

void virtio_init(VirtIODevice *vdev, const VirtIODeviceClass *vc, AddressSpace *as,
                 uint64_t host_features, uint8_t *config);
/* Device reset (status written 0): queues, features and ISR cleared. */
void virtio_reset(VirtIODevice *vdev);
/* A driver's non-zero write of the status register, for any transport (0 is a
 * reset, which each transport does with its own state): FEATURES_OK only for
 * features we offered incl. VERSION_1; NEEDS_RESET stays the device's bit. */
void virtio_write_status(VirtIODevice *vdev, uint8_t v);
/* Check a queue's ring addresses before QueueReady = 1; false if unusable. */
bool virtio_queue_check(VirtIODevice *vdev, VirtQueue *vq);

/*
 * Take the next available chain: 1 = got one in *elem, 0 = ring empty,
 * -1 = malformed ring (the device has been put in NEEDS_RESET).
 */
int virtqueue_pop(VirtIODevice *vdev, VirtQueue *vq, VirtQueueElement *elem);
/* Return a chain to the used ring with `len` bytes written into its in buffers. */
void virtqueue_push(VirtIODevice *vdev, VirtQueue *vq, const VirtQueueElement *elem,
                    uint32_t len);
/* Interrupt the driver for used buffers (unless it asked not to be). */
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);
/* Mark the device broken (§2.1.2: DEVICE_NEEDS_RESET) and raise a config interrupt. */
void virtio_error(VirtIODevice *vdev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline bool virtio_broken(const VirtIODevice *vdev)
{
    return vdev->status & VIRTIO_STATUS_NEEDS_RESET;
}

/*
 * A device's copies to and from an element's buffers, from byte offset of the
 * device-readable (out) or device-writable (in) ones: return bytes copied.
 * Ordered DMA under record/replay (reemu_dma_*): devices use these, not the
 * iovecs' host pointers.
 */
size_t virtqueue_read_out(const VirtQueueElement *e, uint64_t offset, void *buf, size_t len);
size_t virtqueue_write_in(const VirtQueueElement *e, uint64_t offset, const void *buf,
                          size_t len);

#endif
