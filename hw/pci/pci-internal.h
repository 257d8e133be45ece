/*
 * pci-internal.h — the PCIHost state shared by pci.c (functions) and
 * pci-host.c (the bridge, its ports and windows). Not for device models.
 */
#ifndef HW_PCI_PCI_INTERNAL_H
#define HW_PCI_PCI_INTERNAL_H

#include <pthread.h>

#include "hw/pci/pci-host.h"

struct PCIHost {
    Machine *m;
    /*
     * Writers: every configuration access (the CONFIG_ADDRESS latch is one
     * register shared by all cores, and BARs/command change there).
     * Readers: window decodes, which copy the target BAR's ops and drop the
     * lock before calling the device.
     * Lock order: host lock -> a device's own lock -> msix_lock / intx_lock.
     */
    pthread_rwlock_t lock;
    uint32_t config_addr;
    uint8_t reset_ctl;
    uint64_t mmio_base, mmio_size, mmio_next;
    uint32_t io_base, io_size, io_next;
    PCIMSISendFn msi_send;
    void *msi_opaque;
    const IRQLine *intx[4];
    pthread_mutex_t intx_lock; /* intx_level[], every device's intx_level/intx_disabled */
    int intx_level[4];
    int gsi_base;
    PCIDevice *dev[PCI_SLOT_MAX];
    PCIDevice bridge;
};

/* Bump allocation of a firmware address for a BAR (naturally aligned);
 * 0 if the window is full. */
uint64_t pci_host_alloc_bar(PCIHost *h, PCIBarType type, uint64_t size);
/* Put dev in slot (0 allowed: the bridge itself). */
bool pci_device_register_slot(PCIHost *h, PCIDevice *dev, int slot, const PCIDeviceInfo *info);
/* The host's INTx line of dev changed level or enable: recompute (intx_lock held). */
void pci_host_update_intx(PCIHost *h, PCIDevice *dev);
/* Send an MSI message (any thread). */
void pci_host_msi_send(PCIHost *h, uint64_t addr, uint32_t data);

#endif
