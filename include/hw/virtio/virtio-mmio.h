/*
 * virtio-mmio.h — the virtio MMIO transport, version 2 (virtio 1.1 §4.2).
 * A slot with no device reads DeviceID 0, which drivers skip.
 */
#ifndef HW_VIRTIO_VIRTIO_MMIO_H
#define HW_VIRTIO_VIRTIO_MMIO_H

#include "hw/virtio/virtio.h"
#include "system/machine.h"

#define VIRTIO_MMIO_SIZE 0x200

typedef struct VirtIOMMIOState VirtIOMMIOState;

/* vdev may be NULL (empty slot). The transport owns vdev from now on. */
VirtIOMMIOState *virtio_mmio_new(VirtIODevice *vdev, IRQLine irq);
void virtio_mmio_free(VirtIOMMIOState *s);
void virtio_mmio_reset(VirtIOMMIOState *s); /* system reset: the device as after status 0 */
void virtio_mmio_map(VirtIOMMIOState *s, AddressSpace *as, uint64_t base);
/*
 * Map n transports at base + i * VIRTIO_MMIO_SIZE as one region (guest code
 * reaches MMIO through per-page TLB entries, so transports sharing a page
 * must share a region). The bank does not own the transports.
 */
typedef struct VirtIOMMIOBank VirtIOMMIOBank;
VirtIOMMIOBank *virtio_mmio_map_bank(VirtIOMMIOState *const *slots, int n, AddressSpace *as,
                                     uint64_t base);
uint64_t virtio_mmio_read(void *opaque, uint64_t offset, unsigned size);
void virtio_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);
VirtIODevice *virtio_mmio_device(VirtIOMMIOState *s);

/* registers (§4.2.2) */
#define VIRTIO_MMIO_MAGIC 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW 0x090
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_USED_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_USED_HIGH 0x0a4
#define VIRTIO_MMIO_SHM_SEL 0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW 0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH 0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW 0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH 0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

#endif
