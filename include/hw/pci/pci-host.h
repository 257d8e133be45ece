/*
 * pci-host.h — the PCI host bridge of a PC-style machine: bus 0 only,
 * configuration mechanism #1 (PCI Local Bus 3.0 §3.2.2.3.2) on ports
 * 0xcf8 (CONFIG_ADDRESS, 32-bit) / 0xcfc-0xcff (CONFIG_DATA), the reset
 * control register at 0xcf9, one MMIO window decoding every memory BAR and
 * one I/O port window decoding every I/O BAR.
 *
 * Target-independent: the board passes callbacks and IRQLines and registers
 * the port ranges itself. Wiring on the PC (hw/i386/pc.c):
 *
 *   const IRQLine *intx[4] = { pc_gsi_line(pcms, 16), ..17, ..18, ..19 };
 *   PCIHost *h = pci_host_create(m, PC_PCI_MMIO_BASE, PC_PCI_MMIO_SIZE,
 *                                pc_msi_cb, pcms, intx);
 *   pc_ioport_register(pcms, "pci-conf", PCI_HOST_CONF_PORT, PCI_HOST_CONF_LEN,
 *                      &pci_host_conf_ops, h);
 *   pc_ioport_register(pcms, "pci-io", PCI_HOST_IO_BASE, PCI_HOST_IO_SIZE,
 *                      &pci_host_io_ops, h);          (only needed for I/O BARs)
 *   virtio_pci_blk_create(h, 1, path, readonly, id);   (devices, any order)
 *   pci_host_map_mmio(h, m->as);                       (once, after the devices)
 *
 * INTx routing: slot s, pin p (0 = INTA) drives intx[(s + p) & 3] (the
 * usual swizzle; the PC maps intx[i] to GSI 16 + i). Lines are shared: a
 * line is high while any function drives it and has INTx enabled.
 */
#ifndef HW_PCI_PCI_HOST_H
#define HW_PCI_PCI_HOST_H

#include <stdint.h>

#include "exec/memory.h"
#include "hw/pci/pci.h"
#include "system/machine.h"

#define PCI_HOST_CONF_PORT 0xcf8
#define PCI_HOST_CONF_LEN 8 /* 0xcf8-0xcff; 0xcf9 (byte) is the reset control register */
#define PCI_HOST_RESET_PORT 0xcf9
#define PCI_HOST_IO_BASE 0xc000  /* I/O BARs are assigned from here... */
#define PCI_HOST_IO_SIZE 0x1000  /* ...to PCI_HOST_IO_BASE + PCI_HOST_IO_SIZE */

/* the host bridge at 00.0 */
#define PCI_HOST_VENDOR_ID 0x8086
#define PCI_HOST_DEVICE_ID 0x29c0
#define PCI_CLASS_BRIDGE_HOST 0x060000

typedef void (*PCIMSISendFn)(void *opaque, uint64_t addr, uint32_t data);

/*
 * A host bridge whose memory BARs live in [mmio_base, mmio_base + mmio_size)
 * and whose devices DMA into m->as. msi_send delivers a device's MSI-X
 * message (any thread); intx[i] are the four shared INTx lines (entries may
 * be NULL). The reset control register calls machine_request_shutdown(m, 2, 0).
 */
PCIHost *pci_host_create(Machine *m, uint64_t mmio_base, uint64_t mmio_size,
                         PCIMSISendFn msi_send, void *msi_opaque, const IRQLine *intx[4]);
/* Free the host and every device on it. */
void pci_host_free(PCIHost *h);

/* Port I/O ops, opaque = the PCIHost. conf: registered at PCI_HOST_CONF_PORT,
 * PCI_HOST_CONF_LEN ports. io: at PCI_HOST_IO_BASE, PCI_HOST_IO_SIZE ports. */
extern const MemoryRegionOps pci_host_conf_ops;
extern const MemoryRegionOps pci_host_io_ops;

/* Map ONE region over the whole MMIO window; it dispatches to whichever BAR
 * decodes the address at the time of the access. Call once. */
void pci_host_map_mmio(PCIHost *h, AddressSpace *as);

/* System reset: every function back to its power-on/firmware state. */
void pci_host_reset(PCIHost *h);

/* The function at slot (0 = the host bridge), or NULL. */
PCIDevice *pci_host_device(PCIHost *h, int slot);
/* Where devices DMA (m->as). */
AddressSpace *pci_host_dma_as(PCIHost *h);

/* Interrupt line register value firmware writes for slot s pin p (1 = INTA):
 * gsi_base + ((s + p - 1) & 3). Default gsi_base 0 leaves the register 0xff
 * ("unknown"); the PC sets PC_PCI_GSI_BASE. Call before creating devices. */
void pci_host_set_intx_gsi_base(PCIHost *h, int gsi_base);

#endif
