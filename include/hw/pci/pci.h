/*
 * pci.h — a conventional PCI function on bus 0 (PCI Local Bus 3.0, type 0
 * configuration header, §6.1-§6.8), with MSI-X (§6.8.2).
 *
 * A device model embeds PCIDevice first in its state, registers it on a
 * PCIHost at a slot with pci_device_register(), then declares its BARs
 * (pci_register_bar) and capabilities (pci_add_capability, pci_msix_init).
 * pci.c owns the 256-byte configuration space: which bits the guest may
 * write (wmask), which are write-1-to-clear (w1cmask), BAR sizing, the
 * command/status registers and the capability list. Device-specific
 * registers (a vendor capability's window) get the optional hooks.
 *
 * BARs are pre-assigned as firmware would (inside the host's windows,
 * naturally aligned, command = I/O | memory | bus master) when they are
 * registered; the guest may re-program them at any time: the host's one
 * MMIO window region decodes through the BARs' current values.
 *
 * Locking: configuration accesses are serialised by the host (its lock);
 * MSI-X table/PBA state has its own per-device lock (leaf), so a device may
 * call pci_msix_notify()/pci_set_irq() from any thread, under its own lock.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "exec/memory.h"

#define PCI_SLOT_MAX 32
#define PCI_NUM_BARS 6
#define PCI_CONFIG_SIZE 256

/* configuration header (type 0) */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CLASS_DEVICE 0x0a
#define PCI_CACHE_LINE_SIZE 0x0c
#define PCI_LATENCY_TIMER 0x0d
#define PCI_HEADER_TYPE 0x0e
#define PCI_BASE_ADDRESS_0 0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_ROM_ADDRESS 0x30
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS_INTERRUPT 0x8
#define PCI_STATUS_CAP_LIST 0x10

/* BAR low bits (§6.2.5.1) */
#define PCI_BAR_SPACE_IO 0x1
#define PCI_BAR_MEM_TYPE_64 0x4
#define PCI_BAR_MEM_PREFETCH 0x8

/* capability ids */
#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_MSIX 0x11

/* MSI-X (§6.8.2) */
#define PCI_MSIX_FLAGS 2            /* message control, in the capability */
#define PCI_MSIX_FLAGS_QSIZE 0x7ff
#define PCI_MSIX_FLAGS_MASKALL 0x4000
#define PCI_MSIX_FLAGS_ENABLE 0x8000
#define PCI_MSIX_TABLE 4
#define PCI_MSIX_PBA 8
#define PCI_MSIX_CAP_SIZE 12
#define PCI_MSIX_ENTRY_SIZE 16
#define PCI_MSIX_ENTRY_CTRL_MASKBIT 1
#define PCI_MSIX_MAX_VECTORS 64

/* BAR kinds for pci_register_bar */
typedef enum PCIBarType {
    PCI_BAR_IO,     /* I/O space */
    PCI_BAR_MEM32,  /* 32-bit memory */
    PCI_BAR_MEM64,  /* 64-bit memory: takes this BAR and the next */
} PCIBarType;

#define PCI_BAR_UNMAPPED (~0ull)

typedef struct PCIHost PCIHost;
typedef struct PCIDevice PCIDevice;

typedef struct PCIDeviceInfo {
    const char *name;
    uint16_t vendor_id, device_id;
    uint16_t subsystem_vendor_id, subsystem_id;
    uint8_t revision;
    uint32_t class_code;   /* base class << 16 | subclass << 8 | prog-if */
    uint8_t interrupt_pin; /* 0 = none, 1 = INTA .. 4 = INTD */
    /* optional: called after pci.c stored a guest config write (off, size as written) */
    void (*config_write)(PCIDevice *dev, uint32_t off, uint32_t val, unsigned size);
    /* optional: may replace the value pci.c read for [off, off+size) */
    uint32_t (*config_read)(PCIDevice *dev, uint32_t off, unsigned size, uint32_t val);
    void (*reset)(PCIDevice *dev); /* optional: system reset of the function */
    void (*free)(PCIDevice *dev);  /* optional: release the whole device */
} PCIDeviceInfo;

typedef struct PCIBar {
    uint64_t size;      /* 0: not implemented; else a power of 2 */
    PCIBarType type;
    bool prefetch;
    const MemoryRegionOps *ops;
    void *opaque;
    uint64_t fw_addr; /* the pre-assigned address, restored on reset */
} PCIBar;

struct PCIDevice {
    const PCIDeviceInfo *info;
    PCIHost *host;
    int slot; /* device number on bus 0, function 0 */
    uint8_t config[PCI_CONFIG_SIZE];
    uint8_t wmask[PCI_CONFIG_SIZE];   /* bits the guest may write */
    uint8_t w1cmask[PCI_CONFIG_SIZE]; /* write-1-to-clear bits */
    PCIBar bar[PCI_NUM_BARS];
    uint8_t cap_next_free; /* where the next capability goes (0x40 up) */
    /* INTx: the level the function drives (before INTX_DISABLE); the host's
     * intx lock protects it and intx_disabled (a copy of the command bit) */
    int intx_level;
    bool intx_disabled;
    uint8_t fw_intx_line; /* interrupt line register as firmware set it */
    /* MSI-X (msix_lock protects the table, the PBA and the cached flags) */
    pthread_mutex_t msix_lock;
    uint8_t msix_cap;      /* capability offset, 0 if none */
    int msix_bar;
    unsigned msix_nvec;
    bool msix_enabled, msix_masked; /* cached from message control */
    bool bus_master;                /* cached from the command register */
    uint8_t msix_table[PCI_MSIX_MAX_VECTORS * PCI_MSIX_ENTRY_SIZE];
    uint64_t msix_pba;
};

/*
 * Put dev at slot (1..PCI_SLOT_MAX-1; slot 0 is the host bridge) and fill
 * its header from info. false (with an error line) if the slot is taken.
 */
bool pci_device_register(PCIHost *h, PCIDevice *dev, int slot, const PCIDeviceInfo *info);

/*
 * Declare BAR n (0..5; a 64-bit BAR also uses n+1) of `size` bytes (a power
 * of 2; memory BARs are rounded up to 4 KiB so they never share a page with
 * another device) whose accesses go to ops/opaque with offsets relative to
 * the BAR. Pre-assigns an address in the host's window.
 */
void pci_register_bar(PCIDevice *dev, int n, PCIBarType type, bool prefetch, uint64_t size,
                      const MemoryRegionOps *ops, void *opaque);
/* The address BAR n decodes now, or PCI_BAR_UNMAPPED (decode off, unassigned). */
uint64_t pci_bar_address(PCIDevice *dev, int n);

/* Reserve `size` bytes of capability `id` in the list; returns its offset
 * (header bytes id/next filled; the rest is the caller's, read-only unless it
 * sets wmask). */
uint8_t pci_add_capability(PCIDevice *dev, uint8_t id, uint8_t size);

/*
 * MSI-X with nvec vectors (<= PCI_MSIX_MAX_VECTORS): a capability plus a
 * 32-bit memory BAR `bar` holding the table at 0 and the PBA at
 * PCI_MSIX_PBA_OFFSET. All vectors start masked, MSI-X disabled.
 */
#define PCI_MSIX_PBA_OFFSET 0x800
void pci_msix_init(PCIDevice *dev, unsigned nvec, int bar);
bool pci_msix_enabled(PCIDevice *dev);
/* Signal vector v: sent through the host's msi_send if enabled and unmasked,
 * else left pending in the PBA (sent when unmasked). Any thread. */
void pci_msix_notify(PCIDevice *dev, unsigned v);

/* Drive the function's INTx pin (level). Any thread. */
void pci_set_irq(PCIDevice *dev, int level);

/* Configuration access as the guest does it (size 1, 2 or 4, naturally
 * aligned inside the 256 bytes). Caller holds the host's lock (the host's
 * port ops do); tests may call these directly. */
uint32_t pci_config_read(PCIDevice *dev, uint32_t off, unsigned size);
void pci_config_write(PCIDevice *dev, uint32_t off, uint32_t val, unsigned size);

/* System reset: header back to its power-on state with firmware assignments. */
void pci_device_reset(PCIDevice *dev);

#endif
