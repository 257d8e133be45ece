/*
 * pci-host.c — the host bridge: bus 0, configuration mechanism #1, the
 * reset control register, and the windows through which BARs decode.
 *
 * Mechanism #1 (PCI Local Bus 3.0 §3.2.2.3.2): a 32-bit write to 0xcf8
 * latches CONFIG_ADDRESS (bit 31 enable, bus 23:16, device 15:11, function
 * 10:8, register 7:2); accesses to 0xcfc-0xcff then reach that register of
 * that function, at byte offset (port & 3). Only 32-bit accesses hit the
 * latch: a byte at 0xcf9 is the chipset's reset control register (Intel
 * ICH RST_CNT: bit 2 resets, bit 1 picks hard/soft; Linux writes 0x02 then
 * 0x06), other narrow accesses to 0xcf8-0xcfb are ignored. Functions
 * that do not exist (another bus, function > 0, empty slot, the extended
 * register bits 27:24) read all ones, writes to them are dropped, which is
 * how enumeration finds the empty slots.
 *
 * The physical map is fixed after machine init, so BARs cannot be mapped as
 * regions of their own: one MMIO region covers the whole PCI window and one
 * port range the I/O window, and each access looks up which BAR decodes the
 * address at that moment (under the read side of the host lock), then
 * calls that BAR's ops outside the lock. An address no BAR decodes is a
 * master abort: reads return all ones, writes are dropped.
 */
#include "hw/pci/pci-host.h"

#include <stdlib.h>
#include <string.h>

#include "hw/pci/pci-internal.h"
#include "util/log.h"

static const PCIDeviceInfo host_bridge_info = {
    .name = "host-bridge",
    .vendor_id = PCI_HOST_VENDOR_ID,
    .device_id = PCI_HOST_DEVICE_ID,
    .subsystem_vendor_id = 0x1af4,
    .subsystem_id = 0x1100,
    .class_code = PCI_CLASS_BRIDGE_HOST,
};

PCIHost *pci_host_create(Machine *m, uint64_t mmio_base, uint64_t mmio_size,
                         PCIMSISendFn msi_send, void *msi_opaque, const IRQLine *intx[4])
{
    PCIHost *h = calloc(1, sizeof(*h));
    if (!h) {
        fatal("out of memory");
    }
    h->m = m;
    pthread_rwlock_init(&h->lock, NULL);
    pthread_mutex_init(&h->intx_lock, NULL);
    h->mmio_base = h->mmio_next = mmio_base;
    h->mmio_size = mmio_size;
    h->io_base = h->io_next = PCI_HOST_IO_BASE;
    h->io_size = PCI_HOST_IO_SIZE;
    h->msi_send = msi_send;
    h->msi_opaque = msi_opaque;
    for (int i = 0; i < 4; i++) {
        h->intx[i] = intx ? intx[i] : NULL;
    }
    pci_device_register_slot(h, &h->bridge, 0, &host_bridge_info);
    return h;
}

void pci_host_free(PCIHost *h)
{
    if (!h) {
        return;
    }
    for (int s = 0; s < PCI_SLOT_MAX; s++) {
        PCIDevice *d = h->dev[s];
        if (!d) {
            continue;
        }
        h->dev[s] = NULL;
        pthread_mutex_destroy(&d->msix_lock);
        if (d->info->free) {
            d->info->free(d);
        }
    }
    pthread_rwlock_destroy(&h->lock);
    pthread_mutex_destroy(&h->intx_lock);
    free(h);
}

void pci_host_set_intx_gsi_base(PCIHost *h, int gsi_base)
{
    h->gsi_base = gsi_base;
}

PCIDevice *pci_host_device(PCIHost *h, int slot)
{
    return slot >= 0 && slot < PCI_SLOT_MAX ? h->dev[slot] : NULL;
}

AddressSpace *pci_host_dma_as(PCIHost *h)
{
    return h->m ? h->m->as : NULL;
}

void pci_host_reset(PCIHost *h)
{
    pthread_rwlock_wrlock(&h->lock);
    h->config_addr = 0;
    h->reset_ctl = 0;
    for (int s = 0; s < PCI_SLOT_MAX; s++) {
        if (h->dev[s]) {
            pci_device_reset(h->dev[s]);
        }
    }
    pthread_rwlock_unlock(&h->lock);
}

uint64_t pci_host_alloc_bar(PCIHost *h, PCIBarType type, uint64_t size)
{
    if (type == PCI_BAR_IO) {
        uint64_t a = (h->io_next + size - 1) & ~(size - 1);
        if (a + size > (uint64_t)h->io_base + h->io_size) {
            error_report("pci: no room for a %#llx-byte I/O BAR", (unsigned long long)size);
            return 0;
        }
        h->io_next = (uint32_t)(a + size);
        return a;
    }
    uint64_t a = (h->mmio_next + size - 1) & ~(size - 1);
    if (a + size > h->mmio_base + h->mmio_size) {
        error_report("pci: no room for a %#llx-byte memory BAR", (unsigned long long)size);
        return 0;
    }
    h->mmio_next = a + size;
    return a;
}

/* ---- interrupts ---- */

void pci_host_update_intx(PCIHost *h, PCIDevice *dev)
{
    int pin = dev->config[PCI_INTERRUPT_PIN]; /* read-only after registration */
    if (pin < 1 || pin > 4) {
        return;
    }
    int line = (dev->slot + pin - 1) & 3;
    int level = 0;
    for (int s = 0; s < PCI_SLOT_MAX && !level; s++) {
        PCIDevice *d = h->dev[s];
        if (d && d->config[PCI_INTERRUPT_PIN] &&
            ((d->slot + d->config[PCI_INTERRUPT_PIN] - 1) & 3) == line) {
            level = d->intx_level && !d->intx_disabled;
        }
    }
    if (level != h->intx_level[line]) {
        h->intx_level[line] = level;
        irq_set(h->intx[line], level);
    }
}

void pci_host_msi_send(PCIHost *h, uint64_t addr, uint32_t data)
{
    if (h->msi_send) {
        h->msi_send(h->msi_opaque, addr, data);
    }
}

/* ---- configuration mechanism #1 and the reset control register ---- */

static uint32_t all_ones(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* The function CONFIG_ADDRESS selects, or NULL (absent: all ones). Lock held. */
static PCIDevice *conf1_target(PCIHost *h, uint32_t *reg)
{
    uint32_t a = h->config_addr;
    if (!(a & 0x80000000u) || (a & 0x0f000000u) || ((a >> 16) & 0xff) || ((a >> 8) & 7)) {
        return NULL;
    }
    *reg = a & 0xfc;
    return h->dev[(a >> 11) & 0x1f];
}

static uint64_t conf_read(void *opaque, uint64_t offset, unsigned size)
{
    PCIHost *h = opaque;
    uint32_t v = all_ones(size);
    pthread_rwlock_wrlock(&h->lock);
    if (offset == 0 && size == 4) {
        v = h->config_addr;
    } else if (offset == 1 && size == 1) {
        v = h->reset_ctl;
    } else if (offset >= 4 && (offset & 3) + size <= 4) {
        uint32_t reg;
        PCIDevice *d = conf1_target(h, &reg);
        if (d) {
            v = pci_config_read(d, reg + (uint32_t)(offset & 3), size);
        }
    }
    pthread_rwlock_unlock(&h->lock);
    return v;
}

static void conf_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PCIHost *h = opaque;
    bool reset = false;
    pthread_rwlock_wrlock(&h->lock);
    if (offset == 0 && size == 4) {
        h->config_addr = (uint32_t)value & 0x8ffffffcu;
    } else if (offset == 1 && size == 1) {
        /* bit 2 (RST_CPU) starts the reset and reads back 0; bits 1 and 3 stick */
        h->reset_ctl = (uint8_t)value & 0x0a;
        reset = (value & 4) != 0;
    } else if (offset >= 4 && (offset & 3) + size <= 4) {
        uint32_t reg;
        PCIDevice *d = conf1_target(h, &reg);
        if (d) {
            pci_config_write(d, reg + (uint32_t)(offset & 3), (uint32_t)value, size);
        }
    }
    pthread_rwlock_unlock(&h->lock);
    if (reset && h->m) {
        machine_request_shutdown(h->m, 2, 0);
    }
}

const MemoryRegionOps pci_host_conf_ops = {
    .read = conf_read, .write = conf_write, .min_access = 1, .max_access = 4,
};

/* ---- the windows ---- */

/*
 * Find the BAR (of the kind io or memory) decoding addr: on success fills a
 * region with its ops and returns the offset inside the BAR. Takes the read
 * lock only for the lookup, so BAR ops may take their own locks freely.
 */
static bool window_lookup(PCIHost *h, bool io, uint64_t addr, unsigned size,
                          MemoryRegion *mr, uint64_t *off)
{
    bool found = false;
    pthread_rwlock_rdlock(&h->lock);
    for (int s = 0; s < PCI_SLOT_MAX && !found; s++) {
        PCIDevice *d = h->dev[s];
        if (!d) {
            continue;
        }
        for (int n = 0; n < PCI_NUM_BARS; n++) {
            const PCIBar *b = &d->bar[n];
            if (!b->size || (b->type == PCI_BAR_IO) != io) {
                continue;
            }
            uint64_t base = pci_bar_address(d, n);
            if (base != PCI_BAR_UNMAPPED && addr >= base && addr - base < b->size &&
                addr - base + size <= b->size) {
                memset(mr, 0, sizeof(*mr));
                mr->name = d->info->name;
                mr->ops = b->ops;
                mr->opaque = b->opaque;
                *off = addr - base;
                found = true;
                break;
            }
        }
    }
    pthread_rwlock_unlock(&h->lock);
    return found;
}

static uint64_t window_read(PCIHost *h, bool io, uint64_t addr, unsigned size)
{
    MemoryRegion mr;
    uint64_t off;
    if (!window_lookup(h, io, addr, size, &mr, &off)) {
        return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
    }
    return memory_region_dispatch_read(&mr, off, size);
}

static void window_write(PCIHost *h, bool io, uint64_t addr, uint64_t val, unsigned size)
{
    MemoryRegion mr;
    uint64_t off;
    if (!window_lookup(h, io, addr, size, &mr, &off)) {
        log_mask_printf(LOG_GUEST_ERROR, "pci: %u-byte write to %s 0x%llx: no BAR there\n",
                        size, io ? "port" : "address", (unsigned long long)addr);
        return;
    }
    memory_region_dispatch_write(&mr, off, val, size);
}

static uint64_t mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    PCIHost *h = opaque;
    return window_read(h, false, h->mmio_base + offset, size);
}

static void mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PCIHost *h = opaque;
    window_write(h, false, h->mmio_base + offset, value, size);
}

static const MemoryRegionOps mmio_window_ops = {
    .read = mmio_read, .write = mmio_write, .min_access = 1, .max_access = 8,
};

static uint64_t io_read(void *opaque, uint64_t offset, unsigned size)
{
    PCIHost *h = opaque;
    return window_read(h, true, h->io_base + offset, size);
}

static void io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PCIHost *h = opaque;
    window_write(h, true, h->io_base + offset, value, size);
}

const MemoryRegionOps pci_host_io_ops = {
    .read = io_read, .write = io_write, .min_access = 1, .max_access = 4,
};

void pci_host_map_mmio(PCIHost *h, AddressSpace *as)
{
    memory_map_mmio(as, "pci-window", h->mmio_base, h->mmio_size, &mmio_window_ops, h);
}
