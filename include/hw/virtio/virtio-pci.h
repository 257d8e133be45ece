/*
 * virtio-pci.h — the modern virtio PCI transport (virtio 1.2 §4.1).
 *
 * Layout (like QEMU's, which every driver has met):
 *   BAR 1  (32-bit memory, 4 KiB)   MSI-X table (0x000) and PBA (0x800)
 *   BAR 4  (64-bit memory, 16 KiB)  common cfg 0x0000, ISR 0x1000,
 *                                   device cfg 0x2000, notify 0x3000
 * MSI-X vectors: one for configuration changes plus one per queue.
 */
#ifndef HW_VIRTIO_VIRTIO_PCI_H
#define HW_VIRTIO_VIRTIO_PCI_H

#include <stdbool.h>

#include "hw/pci/pci-host.h"
#include "hw/virtio/virtio.h"

#define VIRTIO_PCI_VENDOR_ID 0x1af4
#define VIRTIO_PCI_DEVICE_ID_BASE 0x1040 /* + virtio device id (§4.1.2.1) */

/* vendor capability cfg_type (§4.1.4) */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG 5

/* common configuration structure (§4.1.4.3) */
#define VIRTIO_PCI_COMMON_DFSELECT 0x00
#define VIRTIO_PCI_COMMON_DF 0x04
#define VIRTIO_PCI_COMMON_GFSELECT 0x08
#define VIRTIO_PCI_COMMON_GF 0x0c
#define VIRTIO_PCI_COMMON_MSIX 0x10
#define VIRTIO_PCI_COMMON_NUMQ 0x12
#define VIRTIO_PCI_COMMON_STATUS 0x14
#define VIRTIO_PCI_COMMON_CFGGENERATION 0x15
#define VIRTIO_PCI_COMMON_Q_SELECT 0x16
#define VIRTIO_PCI_COMMON_Q_SIZE 0x18
#define VIRTIO_PCI_COMMON_Q_MSIX 0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE 0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF 0x1e
#define VIRTIO_PCI_COMMON_Q_DESCLO 0x20
#define VIRTIO_PCI_COMMON_Q_DESCHI 0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO 0x28
#define VIRTIO_PCI_COMMON_Q_AVAILHI 0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO 0x30
#define VIRTIO_PCI_COMMON_Q_USEDHI 0x34
#define VIRTIO_MSI_NO_VECTOR 0xffff

#define VIRTIO_PCI_MSIX_BAR 1
#define VIRTIO_PCI_MODERN_BAR 4
#define VIRTIO_PCI_COMMON_OFFSET 0x0000
#define VIRTIO_PCI_ISR_OFFSET 0x1000
#define VIRTIO_PCI_DEVICE_OFFSET 0x2000
#define VIRTIO_PCI_NOTIFY_OFFSET 0x3000
#define VIRTIO_PCI_REGION_SIZE 0x1000
#define VIRTIO_PCI_MODERN_BAR_SIZE 0x4000
#define VIRTIO_PCI_NOTIFY_MULTIPLIER 4 /* queue q notifies at NOTIFY_OFFSET + 4 * q */

typedef struct VirtIOPCIState VirtIOPCIState;

/* Put vdev behind a virtio-pci function at slot; the transport owns vdev
 * (freed with the host). NULL (error line printed) if the slot is taken. */
VirtIOPCIState *virtio_pci_new(PCIHost *h, int slot, VirtIODevice *vdev);
/* A virtio-blk on a raw image (as virtio_blk_new takes it), DMA into the
 * host's address space; NULL with one error line on failure. */
VirtIOPCIState *virtio_pci_blk_create(PCIHost *h, int slot, const char *path, bool readonly,
                                      const char *id);
VirtIODevice *virtio_pci_device(VirtIOPCIState *s);
PCIDevice *virtio_pci_pci_device(VirtIOPCIState *s);

#endif
