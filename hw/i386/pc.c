/*
 * pc.c — the x86-64 "pc" board: RAM, the port-I/O space, the interrupt
 * wiring of pc.h, the legacy devices, ACPI tables and direct Linux boot.
 *
 * Init sequence (pc_init):
 *   1. RAM: [0, below_4g) and, past 3 GiB of -m, [4 GiB, ...) (pc.h map).
 *   2. Interrupt controllers: local APICs (apic_init hooks every core),
 *      IOAPIC, the 8259 pair on the boot core's LINT0 (ExtINT); then every
 *      core gets this board's port-I/O hooks.
 *   3. Devices, each registering its ports: PIT + port 0x61, HPET, CMOS RTC,
 *      COM1, i8042, port 0x80 (POST codes, a sink), port 0x92 (fast A20 and
 *      reset), the ACPI PM block, the PCI host bridge (conf1, 0xcf9 reset)
 *      with -drive if=virtio disks as virtio-pci functions from slot 1.
 *   4. ACPI tables (acpi-build.c) at PC_ACPI_TABLES_BASE, the e820 map, the
 *      kernel/initrd/boot_params (x86-boot.c), the boot core in long mode.
 *      The other cores wait for INIT-SIPI-SIPI (their reset state).
 *
 * Port I/O: pc_ioport_register() fills a table of ranges and a 64 Ki-entry
 * map port -> range, during init only; after that every core reads it
 * without a lock (the devices lock themselves). An access that does not
 * lie inside one range is done byte by byte; an unassigned port reads all
 * ones and ignores writes (an ISA bus with nothing decoded there), logged
 * under -d unimp.
 *
 * Interrupt routing (pc.h): pc_gsi_set(n < 16) is ISA IRQ n: it drives 8259
 * input n and IOAPIC pin n, except ISA IRQ 0 (the PIT, HPET legacy timer 0),
 * which is IOAPIC pin 2 (the MADT's interrupt source override); the
 * cascade IRQ 2 is never driven. GSIs 16..23 reach only the IOAPIC (PCI
 * INTx on 16..19); the HPET's routable comparators drive IOAPIC pins 20..23
 * directly. MSIs go to the APIC bus.
 */
#include "hw/i386/pc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hw/char/serial-16550.h"
#include "hw/i386/acpi-build.h"
#include "hw/i386/acpi-pm.h"
#include "hw/i386/apic.h"
#include "hw/i386/i8259.h"
#include "hw/i386/ioapic.h"
#include "hw/i386/pc-internal.h"
#include "hw/pci/pci-host.h"
#include "hw/rtc/mc146818.h"
#include "hw/timer/hpet.h"
#include "hw/timer/i8254.h"
#include "hw/virtio/virtio-pci.h"
#include "target/i386/cpu.h"
#include "util/log.h"

#define MiB ((uint64_t)1024 * 1024)
#define GiB ((uint64_t)1024 * MiB)
#define PC_MAX_PORT_RANGES 64
#define PC_E820_MAX 16
#define PC_FIRST_VIRTIO_SLOT 1
#define PC_MAX_PCI_SLOTS 32

typedef struct PCPortRange {
    MemoryRegion mr; /* base/size in port numbers; dispatched like MMIO */
} PCPortRange;

struct PCMachineState {
    Machine *m;
    uint64_t below_4g, above_4g;
    /* port I/O: filled at init, read-only afterwards */
    int nports;
    PCPortRange ports[PC_MAX_PORT_RANGES];
    uint8_t port_map[65536]; /* 0 = unassigned, else index + 1 */
    IRQLine gsi_lines[PC_NUM_GSI];
    APICBus *apic;
    IOAPICState *ioapic;
    I8259State *pic;
    PITState *pit;
    HPETState *hpet;
    MC146818State *rtc;
    Serial16550State *com1;
    I8042State *kbd;
    AcpiPM *pm;
    PCIHost *pci;
    uint8_t port92;
    E820Entry e820[PC_E820_MAX];
    int ne820;
    uint64_t rsdp;
    X86BootInfo boot;
};

PCMachineState *pc_machine(Machine *m)
{
    return m->board;
}

Machine *pc_machine_base(PCMachineState *pcms)
{
    return pcms->m;
}

/* ------------------------------------------------------------ port I/O */

void pc_ioport_register(PCMachineState *pcms, const char *name, uint16_t base, uint16_t len,
                        const MemoryRegionOps *ops, void *opaque)
{
    if (len == 0 || (uint32_t)base + len > 0x10000) {
        fatal("pc: port range %s 0x%x+%u is out of the 64 KiB port space", name, base, len);
    }
    if (pcms->nports == PC_MAX_PORT_RANGES) {
        fatal("pc: too many port ranges (%s)", name);
    }
    for (uint32_t p = base; p < (uint32_t)base + len; p++) {
        if (pcms->port_map[p]) {
            fatal("pc: port 0x%x of %s is already taken by %s", p, name,
                  pcms->ports[pcms->port_map[p] - 1].mr.name);
        }
    }
    PCPortRange *r = &pcms->ports[pcms->nports++];
    r->mr = (MemoryRegion){ .name = name, .base = base, .size = len, .ops = ops, .opaque = opaque };
    for (uint32_t p = base; p < (uint32_t)base + len; p++) {
        pcms->port_map[p] = (uint8_t)pcms->nports;
    }
}

static const MemoryRegion *port_range(const PCMachineState *pcms, uint32_t port)
{
    if (port > 0xffff) {
        return NULL;
    }
    uint8_t i = pcms->port_map[port];
    return i ? &pcms->ports[i - 1].mr : NULL;
}

static uint64_t pc_port_in(void *opaque, uint16_t port, unsigned size)
{
    PCMachineState *pcms = opaque;
    const MemoryRegion *mr = port_range(pcms, port);
    if (mr && (uint32_t)port + size <= mr->base + mr->size) {
        return memory_region_dispatch_read(mr, port - mr->base, size);
    }
    if (size > 1) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            v |= pc_port_in(opaque, (uint16_t)(port + i), 1) << (8 * i);
        }
        return v;
    }
    log_mask_printf(LOG_UNIMP, "pc: read of unassigned port 0x%x\n", port);
    return 0xff;
}

static void pc_port_out(void *opaque, uint16_t port, uint64_t val, unsigned size)
{
    PCMachineState *pcms = opaque;
    const MemoryRegion *mr = port_range(pcms, port);
    if (mr && (uint32_t)port + size <= mr->base + mr->size) {
        memory_region_dispatch_write(mr, port - mr->base, val, size);
        return;
    }
    if (size > 1) {
        for (unsigned i = 0; i < size; i++) {
            pc_port_out(opaque, (uint16_t)(port + i), (val >> (8 * i)) & 0xff, 1);
        }
        return;
    }
    log_mask_printf(LOG_UNIMP, "pc: write 0x%02x to unassigned port 0x%x\n", (unsigned)val,
                    port);
}

/* Port 0x80: POST codes, written by Linux as an I/O delay. */
static uint64_t post_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0xff;
}

static void post_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
}

static const MemoryRegionOps post_ops = { .read = post_read, .write = post_write };

/* Port 0x92, System Control Port A: bit 1 A20 (kept, never masks), bit 0 a
 * fast reset on its 0 -> 1 edge. */
static uint64_t port92_read(void *opaque, uint64_t offset, unsigned size)
{
    PCMachineState *pcms = opaque;
    return __atomic_load_n(&pcms->port92, __ATOMIC_RELAXED);
}

static void port92_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PCMachineState *pcms = opaque;
    uint8_t old = __atomic_exchange_n(&pcms->port92, (uint8_t)(value & 0x03), __ATOMIC_RELAXED);
    if ((value & 0x01) && !(old & 0x01)) {
        machine_request_shutdown(pcms->m, 2, 0); /* the 0 -> 1 edge of bit 0 */
    }
}

static const MemoryRegionOps port92_ops = {
    .read = port92_read, .write = port92_write, .min_access = 1, .max_access = 1,
};

/* ---------------------------------------------------------- interrupts */

void pc_gsi_set(PCMachineState *pcms, int gsi, int level)
{
    if (gsi < 0 || gsi >= PC_NUM_GSI) {
        log_mask_printf(LOG_GUEST_ERROR, "pc: GSI %d does not exist\n", gsi);
        return;
    }
    if (gsi < 16) {
        if (pcms->pic) {
            i8259_set_irq(pcms->pic, gsi, level);
        }
        if (pcms->ioapic) {
            ioapic_set_irq(pcms->ioapic, gsi == PC_ISA_IRQ_PIT ? 2 : gsi, level);
        }
    } else if (pcms->ioapic) {
        ioapic_set_irq(pcms->ioapic, gsi, level);
    }
}

static void pc_gsi_handler(void *opaque, int n, int level)
{
    pc_gsi_set(opaque, n, level);
}

const IRQLine *pc_gsi_line(PCMachineState *pcms, int gsi)
{
    if (gsi < 0 || gsi >= PC_NUM_GSI) {
        return NULL;
    }
    return &pcms->gsi_lines[gsi];
}

void pc_msi_send(PCMachineState *pcms, uint64_t addr, uint32_t data)
{
    apic_msi_deliver(pcms->m, addr, data);
}

static void pc_msi_cb(void *opaque, uint64_t addr, uint32_t data)
{
    pc_msi_send(opaque, addr, data);
}

static void pc_request_reset(void *opaque)
{
    machine_request_shutdown(opaque, 2, 0);
}

/* HPET legacy replacement takes ISA IRQ 0 away from the PIT (HPET spec §2.3.9.3). */
static void pc_hpet_legacy(void *opaque, bool on)
{
    PCMachineState *pcms = opaque;
    if (pcms->pit) {
        pit_set_irq0_enabled(pcms->pit, !on);
    }
}

/* ------------------------------------------------------------- devices */

static bool pc_create_devices(PCMachineState *pcms)
{
    Machine *m = pcms->m;
    const MachineOptions *o = m->opts;

    for (int i = 0; i < PC_NUM_GSI; i++) {
        pcms->gsi_lines[i] = (IRQLine){ pc_gsi_handler, pcms, i };
    }
    pcms->apic = apic_init(m);
    memory_map_mmio(m->as, "lapic", PC_LAPIC_BASE, APIC_MMIO_SIZE, &apic_mmio_ops, pcms->apic);
    pcms->ioapic = ioapic_new(m);
    memory_map_mmio(m->as, "ioapic", PC_IOAPIC_BASE, IOAPIC_MMIO_SIZE, &ioapic_mmio_ops,
                    pcms->ioapic);
    pcms->pic = i8259_new(apic_lint_line(apic_get(pcms->apic, 0), 0));
    apic_set_extint_source(pcms->apic, i8259_inta, pcms->pic);
    pc_ioport_register(pcms, "pic1", 0x20, 2, &i8259_master_ops, pcms->pic);
    pc_ioport_register(pcms, "pic2", 0xa0, 2, &i8259_slave_ops, pcms->pic);
    pc_ioport_register(pcms, "elcr", 0x4d0, 2, &i8259_elcr_ops, pcms->pic);

    X86PortIO io = { pc_port_in, pc_port_out, pcms };
    for (int i = 0; i < m->ncpus; i++) {
        x86_cpu_set_port_io(m->cpus[i], &io);
    }

    pcms->pit = pit_new(*pc_gsi_line(pcms, PC_ISA_IRQ_PIT));
    pc_ioport_register(pcms, "pit", 0x40, 4, &pit_ops, pcms->pit);
    pc_ioport_register(pcms, "port61", 0x61, 1, &pit_port61_ops, pcms->pit);

    IRQLine hpet_routes[HPET_NUM_ROUTES];
    for (int i = 0; i < HPET_NUM_ROUTES; i++) {
        hpet_routes[i] = (HPET_ROUTE_CAP >> i) & 1 ? ioapic_irq_line(pcms->ioapic, i)
                                                   : (IRQLine){ NULL, NULL, i };
    }
    pcms->hpet = hpet_new(hpet_routes, *pc_gsi_line(pcms, PC_ISA_IRQ_PIT),
                          *pc_gsi_line(pcms, PC_ISA_IRQ_RTC));
    hpet_set_legacy_notify(pcms->hpet, pc_hpet_legacy, pcms);
    memory_map_mmio(m->as, "hpet", PC_HPET_BASE, HPET_MMIO_SIZE, &hpet_mmio_ops, pcms->hpet);

    pcms->rtc = mc146818_new(*pc_gsi_line(pcms, PC_ISA_IRQ_RTC));
    pc_ioport_register(pcms, "rtc", 0x70, 2, &mc146818_ops, pcms->rtc);
    pcms->com1 = serial16550_new(m->serial, *pc_gsi_line(pcms, PC_ISA_IRQ_COM1));
    pc_ioport_register(pcms, "com1", 0x3f8, 8, &serial16550_ops, pcms->com1);
    pcms->kbd = i8042_new(*pc_gsi_line(pcms, PC_ISA_IRQ_KBD),
                          *pc_gsi_line(pcms, PC_ISA_IRQ_MOUSE), pc_request_reset, m);
    pc_ioport_register(pcms, "i8042-data", 0x60, 1, &i8042_data_ops, pcms->kbd);
    pc_ioport_register(pcms, "i8042-cmd", 0x64, 1, &i8042_cmd_ops, pcms->kbd);
    pc_ioport_register(pcms, "post", 0x80, 1, &post_ops, NULL);
    pc_ioport_register(pcms, "port92", 0x92, 1, &port92_ops, pcms);
    pcms->port92 = 0x02;

    pcms->pm = acpi_pm_create(m, pc_gsi_line(pcms, PC_ISA_IRQ_SCI));
    pc_ioport_register(pcms, "acpi-pm", PC_ACPI_PM_BASE, ACPI_PM_LEN, &acpi_pm_ops, pcms->pm);

    const IRQLine *intx[4];
    for (int i = 0; i < 4; i++) {
        intx[i] = pc_gsi_line(pcms, PC_PCI_GSI_BASE + i);
    }
    pcms->pci = pci_host_create(m, PC_PCI_MMIO_BASE, PC_PCI_MMIO_SIZE, pc_msi_cb, pcms, intx);
    pci_host_set_intx_gsi_base(pcms->pci, PC_PCI_GSI_BASE);
    pc_ioport_register(pcms, "pci-conf", PCI_HOST_CONF_PORT, PCI_HOST_CONF_LEN,
                       &pci_host_conf_ops, pcms->pci);
    pc_ioport_register(pcms, "pci-io", PCI_HOST_IO_BASE, PCI_HOST_IO_SIZE, &pci_host_io_ops,
                       pcms->pci);
    int slot = PC_FIRST_VIRTIO_SLOT;
    for (int i = 0; i < o->ndrives; i++) {
        const DriveOptions *d = &o->drives[i];
        if (d->interface && strcmp(d->interface, "virtio") != 0) {
            continue;
        }
        if (d->format && strcmp(d->format, "raw") != 0) {
            error_report("drive '%s': format '%s' is not supported (only raw)", d->file,
                         d->format);
            return false;
        }
        if (slot == PC_MAX_PCI_SLOTS) {
            error_report("too many virtio drives (at most %d)",
                         PC_MAX_PCI_SLOTS - PC_FIRST_VIRTIO_SLOT);
            return false;
        }
        if (!virtio_pci_blk_create(pcms->pci, slot, d->file, d->readonly, d->id)) {
            return false;
        }
        slot++;
    }
    pci_host_map_mmio(pcms->pci, m->as);
    return true;
}

/* CMOS bytes a PC BIOS leaves (memory sizes; Linux itself reads e820). */
static void pc_cmos_init(PCMachineState *pcms)
{
    MC146818State *rtc = pcms->rtc;
    uint64_t ext_kib = pcms->below_4g > MiB ? (pcms->below_4g - MiB) >> 10 : 0;
    if (ext_kib > 0xffff) {
        ext_kib = 0xffff;
    }
    uint64_t above16_64k = pcms->below_4g > 16 * MiB ? (pcms->below_4g - 16 * MiB) >> 16 : 0;
    if (above16_64k > 0xffff) {
        above16_64k = 0xffff;
    }
    uint64_t above4g_64k = pcms->above_4g >> 16;
    mc146818_set_cmos(rtc, 0x10, 0x00);              /* no floppy drives */
    mc146818_set_cmos(rtc, 0x14, 0x06);              /* equipment: FPU, VGA-class display */
    mc146818_set_cmos(rtc, 0x15, 640 & 0xff);        /* base memory, KiB */
    mc146818_set_cmos(rtc, 0x16, 640 >> 8);
    mc146818_set_cmos(rtc, 0x17, (uint8_t)ext_kib);  /* extended memory, KiB */
    mc146818_set_cmos(rtc, 0x18, (uint8_t)(ext_kib >> 8));
    mc146818_set_cmos(rtc, 0x30, (uint8_t)ext_kib);
    mc146818_set_cmos(rtc, 0x31, (uint8_t)(ext_kib >> 8));
    mc146818_set_cmos(rtc, 0x34, (uint8_t)above16_64k); /* 16 MiB..4 GiB, 64 KiB units */
    mc146818_set_cmos(rtc, 0x35, (uint8_t)(above16_64k >> 8));
    mc146818_set_cmos(rtc, 0x5b, (uint8_t)above4g_64k); /* above 4 GiB, 64 KiB units */
    mc146818_set_cmos(rtc, 0x5c, (uint8_t)(above4g_64k >> 8));
    mc146818_set_cmos(rtc, 0x5d, (uint8_t)(above4g_64k >> 16));
    mc146818_set_cmos(rtc, 0x5f, (uint8_t)(pcms->m->ncpus - 1));
}

/* ---------------------------------------------------------------- e820 */

/* Give [start, end) type `type`, splitting whatever it overlaps. Entries stay sorted. */
static void e820_set(PCMachineState *pcms, uint64_t start, uint64_t end, uint32_t type)
{
    E820Entry out[PC_E820_MAX];
    int n = 0;
    bool placed = false;
    for (int i = 0; i < pcms->ne820; i++) {
        E820Entry e = pcms->e820[i];
        uint64_t e_end = e.addr + e.size;
        if (!placed && e.addr >= start) {
            out[n++] = (E820Entry){ start, end - start, type };
            placed = true;
        }
        if (e_end <= start || e.addr >= end) {
            if (n < PC_E820_MAX) {
                out[n++] = e;
            }
            continue;
        }
        if (e.addr < start && n < PC_E820_MAX) {
            out[n++] = (E820Entry){ e.addr, start - e.addr, e.type };
        }
        if (!placed) {
            out[n++] = (E820Entry){ start, end - start, type };
            placed = true;
        }
        if (e_end > end && n < PC_E820_MAX) {
            out[n++] = (E820Entry){ end, e_end - end, e.type };
        }
    }
    if (!placed && n < PC_E820_MAX) {
        out[n++] = (E820Entry){ start, end - start, type };
    }
    memcpy(pcms->e820, out, sizeof(out[0]) * (size_t)n);
    pcms->ne820 = n;
}

static void pc_build_e820(PCMachineState *pcms, uint64_t acpi_start, uint64_t acpi_len)
{
    pcms->ne820 = 0;
    e820_set(pcms, 0, pcms->below_4g, E820_RAM);
    e820_set(pcms, 0x9fc00, 0x100000, E820_RESERVED); /* EBDA, VGA hole, BIOS area */
    if (acpi_len) {
        e820_set(pcms, acpi_start, acpi_start + acpi_len, E820_ACPI);
    }
    e820_set(pcms, PC_IOAPIC_BASE, 0x100000000ull, E820_RESERVED); /* IOAPIC, HPET, LAPIC */
    if (pcms->above_4g) {
        e820_set(pcms, 0x100000000ull, 0x100000000ull + pcms->above_4g, E820_RAM);
    }
}

/* -------------------------------------------------------------- boot */

/* BIOS data area words Linux's decompressor and setup read (base memory, EBDA). */
static void pc_write_bda(PCMachineState *pcms)
{
    uint8_t ebda[2] = { 0xc0, 0x9f }; /* 0x40e: EBDA segment 0x9fc0 */
    uint8_t base_kib[2] = { 0x7f, 0x02 }; /* 0x413: 639 KiB of base memory */
    memory_rw(pcms->m->as, 0x40e, ebda, 2, true);
    memory_rw(pcms->m->as, 0x413, base_kib, 2, true);
}

static bool pc_load_and_boot(PCMachineState *pcms)
{
    Machine *m = pcms->m;
    const MachineOptions *o = m->opts;
    PCAcpiConfig acfg = {
        .ncpus = m->ncpus,
        .apic_ids = NULL,
        .ioapic_id = IOAPIC_DEFAULT_ID,
        .ngsi = PC_NUM_GSI,
        .hpet = true,
        .i8042 = true,
    };
    uint64_t acpi_start = 0, acpi_len = 0;
    pcms->rsdp = pc_acpi_build(m->as, &acfg, &acpi_start, &acpi_len);
    if (!pcms->rsdp) {
        return false;
    }
    pc_build_e820(pcms, acpi_start, acpi_len);
    pc_write_bda(pcms);
    if (!x86_boot_load(m->as, o->kernel, o->initrd, o->append, pcms->below_4g, pcms->e820,
                       pcms->ne820, pcms->rsdp, &pcms->boot)) {
        return false;
    }
    for (int i = 0; i < m->ncpus; i++) {
        x86_boot_set_mtrrs(m->cpus[i]); /* what firmware would have done on each core */
    }
    x86_boot_enter(m->cpus[0], &pcms->boot);
    return true;
}

static bool pc_init(Machine *m)
{
    const MachineOptions *o = m->opts;
    if (m->ncpus < 1 || m->ncpus > MAX_CPUS) {
        error_report("pc: %d cores is out of range (1..%d)", m->ncpus, MAX_CPUS);
        return false;
    }
    if (o->dumpdtb || o->dtb) {
        error_report("pc: %s: this machine has no device tree (ACPI describes it)",
                     o->dumpdtb ? "-machine dumpdtb=" : "-dtb");
        return false;
    }
    if (o->ram_size < 16 * MiB) {
        error_report("pc: -m %" PRIu64 " MiB is too small (at least 16M)", o->ram_size / MiB);
        return false;
    }
    if (o->ram_size > 1024 * GiB) {
        error_report("-m: at most 1024 GiB of RAM on pc");
        return false;
    }
    PCMachineState *pcms = calloc(1, sizeof(*pcms));
    if (!pcms) {
        fatal("out of memory");
    }
    pcms->m = m;
    m->board = pcms;
    pcms->below_4g = o->ram_size < PC_BELOW_4G_MAX ? o->ram_size : PC_BELOW_4G_MAX;
    pcms->above_4g = o->ram_size - pcms->below_4g;
    memory_map_ram(m->as, "pc.ram", 0, pcms->below_4g);
    if (pcms->above_4g) {
        memory_map_ram(m->as, "pc.ram-high", 0x100000000ull, pcms->above_4g);
    }
    if (!pc_create_devices(pcms)) {
        return false;
    }
    pc_cmos_init(pcms);
    return pc_load_and_boot(pcms);
}

/* System reset: devices and cores to reset state, images reloaded, boot again. */
static void pc_reset(Machine *m)
{
    PCMachineState *pcms = m->board;
    apic_bus_reset(pcms->apic);
    ioapic_reset(pcms->ioapic);
    i8259_reset(pcms->pic);
    pit_reset(pcms->pit);
    hpet_reset(pcms->hpet);
    mc146818_reset(pcms->rtc);
    serial16550_reset(pcms->com1);
    i8042_reset(pcms->kbd);
    acpi_pm_reset(pcms->pm);
    pci_host_reset(pcms->pci);
    __atomic_store_n(&pcms->port92, 0x02, __ATOMIC_RELAXED); /* A20 on, reset bit low */
    for (int i = 0; i < m->ncpus; i++) {
        m->cpus[i]->cc->reset(m->cpus[i]);
        cpu_reset_interrupt(m->cpus[i], ~0u);
    }
    if (!pc_load_and_boot(pcms)) {
        fatal("pc: cannot reload the boot images on reset");
    }
}

static const MachineClass pc_machine_class = {
    .name = "pc",
    .desc = "x86-64 PC (local APIC, IOAPIC, 8259, PIT, HPET, 16550, RTC, ACPI, PCI)",
    .arch = "x86_64",
    .default_cpu = "qemu64",
    .cpu_models = x86_cpu_models,
    .max_cpus = MAX_CPUS,
    .default_ram = 128 * MiB,
    .cpu_class = &x86_cpu_class,
    .init = pc_init,
    .reset = pc_reset,
};

__attribute__((constructor)) static void pc_register(void)
{
    machine_register(&pc_machine_class);
}
