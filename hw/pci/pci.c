/*
 * pci.c — one conventional PCI function: its type 0 configuration header
 * (PCI Local Bus 3.0 §6.1-§6.2), BARs, capability list (§6.7), INTx and
 * MSI-X (§6.8.2).
 *
 * The configuration space is three byte arrays: the value, the bits the
 * guest may write (wmask) and the write-1-to-clear bits (w1cmask). Every
 * guest write is new = (old & ~wmask) | (val & wmask), then old &= ~(val &
 * w1cmask). BAR sizing falls out of the wmask: a BAR of size S has the
 * address bits below S read-only zero, so writing all ones reads back
 * ~(S-1) plus the read-only type bits (§6.2.5.1). Registers with side
 * effects (command, MSI-X message control) are re-read after the store.
 *
 * Dynamic bits never live in config[]: the status register's interrupt bit
 * is composed on read from intx_level, so a device raising INTx on one core
 * never races a configuration write on another.
 *
 * MSI-X: the table and the PBA are in a 32-bit memory BAR of their own
 * (table at 0, PBA at PCI_MSIX_PBA_OFFSET). A message is sent when the
 * function has MSI-X enabled, neither the function nor the vector is
 * masked and bus mastering is on; otherwise the vector's pending bit is set
 * and the message goes out when that changes (§6.8.2.9).
 */
#include "hw/pci/pci.h"

#include <stdlib.h>
#include <string.h>

#include "hw/pci/pci-internal.h"
#include "util/log.h"

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

static bool overlaps(uint32_t off, unsigned size, uint32_t reg, unsigned len)
{
    return off < reg + len && reg < off + size;
}

/* ---- registration ---- */

static void header_reset(PCIDevice *dev);

bool pci_device_register_slot(PCIHost *h, PCIDevice *dev, int slot, const PCIDeviceInfo *info)
{
    if (slot < 0 || slot >= PCI_SLOT_MAX || h->dev[slot]) {
        error_report("pci: slot %d is %s", slot, slot < 0 || slot >= PCI_SLOT_MAX
                                                      ? "out of range" : "taken");
        return false;
    }
    memset(dev->config, 0, sizeof(dev->config));
    memset(dev->wmask, 0, sizeof(dev->wmask));
    memset(dev->w1cmask, 0, sizeof(dev->w1cmask));
    memset(dev->bar, 0, sizeof(dev->bar));
    dev->info = info;
    dev->host = h;
    dev->slot = slot;
    dev->cap_next_free = 0x40;
    dev->intx_level = 0;
    dev->msix_cap = 0;
    dev->msix_nvec = 0;
    dev->msix_enabled = dev->msix_masked = false;
    pthread_mutex_init(&dev->msix_lock, NULL);

    uint8_t *c = dev->config;
    put_le(c + PCI_VENDOR_ID, info->vendor_id, 2);
    put_le(c + PCI_DEVICE_ID, info->device_id, 2);
    c[PCI_REVISION_ID] = info->revision;
    put_le(c + PCI_CLASS_PROG, info->class_code, 3);
    put_le(c + PCI_SUBSYSTEM_VENDOR_ID, info->subsystem_vendor_id, 2);
    put_le(c + PCI_SUBSYSTEM_ID, info->subsystem_id, 2);
    c[PCI_HEADER_TYPE] = 0; /* type 0, single function */
    c[PCI_INTERRUPT_PIN] = info->interrupt_pin;
    dev->fw_intx_line = 0;
    if (info->interrupt_pin) {
        dev->fw_intx_line = h->gsi_base ? (uint8_t)(h->gsi_base +
                                                    ((slot + info->interrupt_pin - 1) & 3))
                                        : 0xff;
    }
    /* command: I/O, memory, bus master, parity, SERR#, INTx disable (§6.2.2) */
    put_le(dev->wmask + PCI_COMMAND, 0x0547, 2);
    /* status: the error bits are write-1-to-clear */
    put_le(dev->w1cmask + PCI_STATUS, 0xf900, 2);
    dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    dev->wmask[PCI_LATENCY_TIMER] = 0xff;
    dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
    h->dev[slot] = dev;
    header_reset(dev);
    return true;
}

bool pci_device_register(PCIHost *h, PCIDevice *dev, int slot, const PCIDeviceInfo *info)
{
    if (slot == 0) {
        error_report("pci: slot 0 is the host bridge");
        return false;
    }
    return pci_device_register_slot(h, dev, slot, info);
}

static uint64_t round_pow2(uint64_t v)
{
    uint64_t p = 1;
    while (p < v) {
        p <<= 1;
    }
    return p;
}

void pci_register_bar(PCIDevice *dev, int n, PCIBarType type, bool prefetch, uint64_t size,
                      const MemoryRegionOps *ops, void *opaque)
{
    if (n < 0 || n >= PCI_NUM_BARS || (type == PCI_BAR_MEM64 && n == PCI_NUM_BARS - 1)) {
        fatal("pci: %s: bad BAR %d", dev->info->name, n);
    }
    size = round_pow2(size < 4 ? 4 : size);
    if (type != PCI_BAR_IO && size < 0x1000) {
        size = 0x1000; /* never share a page (the softmmu maps MMIO per page) */
    }
    PCIBar *b = &dev->bar[n];
    b->size = size;
    b->type = type;
    b->prefetch = prefetch;
    b->ops = ops;
    b->opaque = opaque;
    uint32_t off = PCI_BASE_ADDRESS_0 + 4 * (uint32_t)n;
    uint32_t lowbits = type == PCI_BAR_IO ? PCI_BAR_SPACE_IO
                                          : (type == PCI_BAR_MEM64 ? PCI_BAR_MEM_TYPE_64 : 0) |
                                                (prefetch ? PCI_BAR_MEM_PREFETCH : 0);
    uint32_t addrmask = (uint32_t)~(size - 1) & (type == PCI_BAR_IO ? ~3u : ~0xfu);
    put_le(dev->config + off, lowbits, 4);
    put_le(dev->wmask + off, addrmask, 4);
    if (type == PCI_BAR_MEM64) {
        put_le(dev->config + off + 4, 0, 4);
        put_le(dev->wmask + off + 4, (uint32_t)(~(size - 1) >> 32), 4);
    }
    b->fw_addr = pci_host_alloc_bar(dev->host, type, size);
    put_le(dev->config + off, lowbits | (uint32_t)b->fw_addr, 4);
    if (type == PCI_BAR_MEM64) {
        put_le(dev->config + off + 4, (uint32_t)(b->fw_addr >> 32), 4);
    }
    header_reset(dev); /* the command register now enables this BAR's decoder */
}

uint64_t pci_bar_address(PCIDevice *dev, int n)
{
    if (n < 0 || n >= PCI_NUM_BARS || !dev->bar[n].size) {
        return PCI_BAR_UNMAPPED;
    }
    const PCIBar *b = &dev->bar[n];
    uint32_t cmd = get_le(dev->config + PCI_COMMAND, 2);
    uint32_t lo = get_le(dev->config + PCI_BASE_ADDRESS_0 + 4 * n, 4);
    uint64_t addr;
    if (b->type == PCI_BAR_IO) {
        addr = lo & ~3u;
        if (!(cmd & PCI_COMMAND_IO) || addr == 0 || addr + b->size > 0x10000) {
            return PCI_BAR_UNMAPPED;
        }
        return addr;
    }
    addr = lo & ~0xfu;
    if (b->type == PCI_BAR_MEM64) {
        addr |= (uint64_t)get_le(dev->config + PCI_BASE_ADDRESS_0 + 4 * n + 4, 4) << 32;
    }
    if (!(cmd & PCI_COMMAND_MEMORY) || addr == 0 || addr + b->size < addr) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

uint8_t pci_add_capability(PCIDevice *dev, uint8_t id, uint8_t size)
{
    unsigned pos = (dev->cap_next_free + 3u) & ~3u;
    if (size < 2 || pos + size > PCI_CONFIG_SIZE) {
        fatal("pci: %s: no room for capability 0x%02x", dev->info->name, id);
    }
    dev->config[pos] = id;
    dev->config[pos + 1] = dev->config[PCI_CAPABILITY_LIST]; /* push on the list's front */
    dev->config[PCI_CAPABILITY_LIST] = (uint8_t)pos;
    dev->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    dev->cap_next_free = (uint8_t)(pos + size < PCI_CONFIG_SIZE ? pos + size : 0xff);
    return (uint8_t)pos;
}

/* ---- INTx ---- */

void pci_set_irq(PCIDevice *dev, int level)
{
    PCIHost *h = dev->host;
    pthread_mutex_lock(&h->intx_lock);
    __atomic_store_n(&dev->intx_level, level != 0, __ATOMIC_RELAXED);
    pci_host_update_intx(h, dev);
    pthread_mutex_unlock(&h->intx_lock);
}

/* ---- MSI-X ---- */

static uint8_t *msix_entry(PCIDevice *dev, unsigned v)
{
    return dev->msix_table + PCI_MSIX_ENTRY_SIZE * v;
}

/* msix_lock held: send vector v now, or leave it pending. */
static void msix_try_send(PCIDevice *dev, unsigned v)
{
    uint8_t *e = msix_entry(dev, v);
    if (!dev->msix_enabled || dev->msix_masked || !dev->bus_master ||
        (get_le(e + 12, 4) & PCI_MSIX_ENTRY_CTRL_MASKBIT)) {
        dev->msix_pba |= 1ull << v;
        return;
    }
    dev->msix_pba &= ~(1ull << v);
    uint64_t addr = get_le(e, 4) | (uint64_t)get_le(e + 4, 4) << 32;
    pci_host_msi_send(dev->host, addr, get_le(e + 8, 4));
}

/* msix_lock held: deliver whatever became deliverable. */
static void msix_flush_pending(PCIDevice *dev)
{
    for (unsigned v = 0; v < dev->msix_nvec; v++) {
        if (dev->msix_pba & (1ull << v)) {
            msix_try_send(dev, v);
        }
    }
}

void pci_msix_notify(PCIDevice *dev, unsigned v)
{
    if (v >= dev->msix_nvec) {
        return;
    }
    pthread_mutex_lock(&dev->msix_lock);
    if (dev->msix_enabled) {
        msix_try_send(dev, v);
    }
    pthread_mutex_unlock(&dev->msix_lock);
}

bool pci_msix_enabled(PCIDevice *dev)
{
    pthread_mutex_lock(&dev->msix_lock);
    bool on = dev->msix_enabled;
    pthread_mutex_unlock(&dev->msix_lock);
    return on;
}

static uint64_t msix_bar_read(void *opaque, uint64_t off, unsigned size)
{
    PCIDevice *dev = opaque;
    uint64_t v = 0;
    pthread_mutex_lock(&dev->msix_lock);
    uint64_t table_len = (uint64_t)dev->msix_nvec * PCI_MSIX_ENTRY_SIZE;
    if (off + size <= table_len) {
        v = get_le(dev->msix_table + off, size > 4 ? 4 : size);
        if (size == 8) {
            v |= (uint64_t)get_le(dev->msix_table + off + 4, 4) << 32;
        }
    } else if (off >= PCI_MSIX_PBA_OFFSET && off + size <= PCI_MSIX_PBA_OFFSET + 8) {
        v = dev->msix_pba >> (8 * (off - PCI_MSIX_PBA_OFFSET));
        if (size < 8) {
            v &= (1ull << (8 * size)) - 1;
        }
    }
    pthread_mutex_unlock(&dev->msix_lock);
    return v;
}

static void msix_bar_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PCIDevice *dev = opaque;
    pthread_mutex_lock(&dev->msix_lock);
    uint64_t table_len = (uint64_t)dev->msix_nvec * PCI_MSIX_ENTRY_SIZE;
    if (off + size <= table_len) {
        for (unsigned i = 0; i < size; i++) {
            uint64_t o = off + i;
            uint8_t b = (uint8_t)(val >> (8 * i));
            switch (o % PCI_MSIX_ENTRY_SIZE) {
            case 0: b &= ~3; break;                                /* dword-aligned address */
            case 12: b = (b & PCI_MSIX_ENTRY_CTRL_MASKBIT) |
                         (dev->msix_table[o] & ~PCI_MSIX_ENTRY_CTRL_MASKBIT); break;
            case 13: case 14: case 15: continue;                   /* reserved */
            default: break;
            }
            dev->msix_table[o] = b;
        }
        /* unmasking a vector with its pending bit set sends it (§6.8.2.9) */
        unsigned v = (unsigned)(off / PCI_MSIX_ENTRY_SIZE);
        if (dev->msix_pba & (1ull << v)) {
            msix_try_send(dev, v);
        }
    } else {
        log_mask_printf(LOG_GUEST_ERROR, "pci: %s: MSI-X write at 0x%x (PBA is read-only)\n",
                        dev->info->name, (unsigned)off);
    }
    pthread_mutex_unlock(&dev->msix_lock);
}

static const MemoryRegionOps msix_bar_ops = {
    .read = msix_bar_read, .write = msix_bar_write, .min_access = 1, .max_access = 8,
};

void pci_msix_init(PCIDevice *dev, unsigned nvec, int bar)
{
    if (nvec == 0 || nvec > PCI_MSIX_MAX_VECTORS) {
        fatal("pci: %s: %u MSI-X vectors", dev->info->name, nvec);
    }
    uint8_t pos = pci_add_capability(dev, PCI_CAP_ID_MSIX, PCI_MSIX_CAP_SIZE);
    uint8_t *c = dev->config + pos;
    put_le(c + PCI_MSIX_FLAGS, nvec - 1, 2);
    put_le(c + PCI_MSIX_TABLE, (uint32_t)bar, 4);                        /* offset 0, BIR */
    put_le(c + PCI_MSIX_PBA, PCI_MSIX_PBA_OFFSET | (uint32_t)bar, 4);
    dev->wmask[pos + PCI_MSIX_FLAGS + 1] = (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
    dev->msix_cap = pos;
    dev->msix_nvec = nvec;
    dev->msix_bar = bar;
    pci_register_bar(dev, bar, PCI_BAR_MEM32, false, 0x1000, &msix_bar_ops, dev);
}

/* ---- configuration access ---- */

/* Re-read registers with side effects after a write touched them. */
static void config_side_effects(PCIDevice *dev, uint32_t off, unsigned size)
{
    if (overlaps(off, size, PCI_COMMAND, 2) ||
        (dev->msix_cap && overlaps(off, size, dev->msix_cap + PCI_MSIX_FLAGS, 2))) {
        uint32_t cmd = get_le(dev->config + PCI_COMMAND, 2);
        PCIHost *h = dev->host;
        pthread_mutex_lock(&h->intx_lock);
        dev->intx_disabled = (cmd & PCI_COMMAND_INTX_DISABLE) != 0;
        pci_host_update_intx(h, dev);
        pthread_mutex_unlock(&h->intx_lock);
        pthread_mutex_lock(&dev->msix_lock);
        dev->bus_master = (cmd & PCI_COMMAND_MASTER) != 0;
        if (dev->msix_cap) {
            uint32_t ctl = get_le(dev->config + dev->msix_cap + PCI_MSIX_FLAGS, 2);
            dev->msix_enabled = (ctl & PCI_MSIX_FLAGS_ENABLE) != 0;
            dev->msix_masked = (ctl & PCI_MSIX_FLAGS_MASKALL) != 0;
            if (!dev->msix_enabled) {
                dev->msix_pba = 0;
            }
            msix_flush_pending(dev);
        }
        pthread_mutex_unlock(&dev->msix_lock);
    }
}

uint32_t pci_config_read(PCIDevice *dev, uint32_t off, unsigned size)
{
    if (size == 0 || size > 4 || off >= PCI_CONFIG_SIZE || off + size > PCI_CONFIG_SIZE) {
        return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    }
    uint8_t tmp[PCI_CONFIG_SIZE + 4];
    memcpy(tmp + off, dev->config + off, size);
    if (overlaps(off, size, PCI_STATUS, 1) &&
        __atomic_load_n(&dev->intx_level, __ATOMIC_RELAXED)) {
        tmp[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    }
    uint32_t v = get_le(tmp + off, size);
    if (dev->info->config_read) {
        v = dev->info->config_read(dev, off, size, v);
    }
    return v;
}

void pci_config_write(PCIDevice *dev, uint32_t off, uint32_t val, unsigned size)
{
    if (size == 0 || size > 4 || off >= PCI_CONFIG_SIZE || off + size > PCI_CONFIG_SIZE) {
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = (uint8_t)(val >> (8 * i));
        uint8_t *p = &dev->config[off + i];
        uint8_t wm = dev->wmask[off + i], w1c = dev->w1cmask[off + i];
        *p = (uint8_t)(((*p & ~wm) | (b & wm)) & ~(b & w1c));
    }
    config_side_effects(dev, off, size);
    if (dev->info->config_write) {
        dev->info->config_write(dev, off, val, size);
    }
}

/* The header as firmware leaves it (device-specific state untouched). */
static void header_reset(PCIDevice *dev)
{
    uint8_t *c = dev->config;
    bool io = false, mem = false;
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PCIBar *b = &dev->bar[n];
        if (!b->size) {
            continue;
        }
        uint32_t off = PCI_BASE_ADDRESS_0 + 4 * (uint32_t)n;
        uint32_t low = get_le(c + off, 4) & (b->type == PCI_BAR_IO ? 3u : 0xfu);
        put_le(c + off, low | (uint32_t)b->fw_addr, 4);
        if (b->type == PCI_BAR_MEM64) {
            put_le(c + off + 4, (uint32_t)(b->fw_addr >> 32), 4);
        }
        io |= b->type == PCI_BAR_IO;
        mem |= b->type != PCI_BAR_IO;
    }
    /* as firmware leaves it: decoders on for what the function has, bus master on */
    put_le(c + PCI_COMMAND, (io ? PCI_COMMAND_IO : 0) | (mem ? PCI_COMMAND_MEMORY : 0) |
                                PCI_COMMAND_MASTER, 2);
    c[PCI_STATUS + 1] = 0;
    c[PCI_CACHE_LINE_SIZE] = 0;
    c[PCI_LATENCY_TIMER] = 0;
    c[PCI_INTERRUPT_LINE] = dev->fw_intx_line;
    if (dev->msix_cap) {
        uint32_t ctl = get_le(c + dev->msix_cap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_QSIZE;
        put_le(c + dev->msix_cap + PCI_MSIX_FLAGS, ctl, 2);
        pthread_mutex_lock(&dev->msix_lock);
        memset(dev->msix_table, 0, sizeof(dev->msix_table));
        for (unsigned v = 0; v < dev->msix_nvec; v++) {
            msix_entry(dev, v)[12] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
        }
        dev->msix_pba = 0;
        pthread_mutex_unlock(&dev->msix_lock);
    }
    config_side_effects(dev, PCI_COMMAND, 2);
}

void pci_device_reset(PCIDevice *dev)
{
    header_reset(dev);
    if (dev->info->reset) {
        dev->info->reset(dev);
    }
}
