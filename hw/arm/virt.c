/*
 * virt.c — the AArch64 "virt" board: QEMU's virt memory map, a GICv3, a
 * PL011, a PL031, 32 virtio-mmio slots, and Linux boot per
 * Documentation/arm64/booting.rst with PSCI answered in C (virt-psci.c).
 *
 *   0x0800_0000  GICv3 distributor (64 KiB)
 *   0x080a_0000  GICv3 redistributors, 128 KiB per core, cores 0..122
 *   0x0900_0000  PL011 UART          SPI 1
 *   0x0901_0000  PL031 RTC           SPI 2
 *   0x0a00_0000  virtio-mmio x 32, stride 0x200, SPI 16 + slot
 *   0x4000_0000  RAM (-m, at most 255 GiB)
 *   0x40_0000_0000  redistributors of cores 123.. (a second region, as QEMU)
 *
 * Boot layout in RAM (all inside [RAM, RAM + size), checked):
 *   kernel    at RAM base + text_offset (the loader honours the Image header)
 *   initrd    at max(kernel end, RAM + min(size/2, 128 MiB)), page aligned
 *   DTB       at the next 2 MiB boundary after the initrd (or the kernel);
 *             booting.rst wants 8-byte alignment and no 2 MiB region shared
 *             with memory of other attributes: a 2 MiB block of its own.
 * The boot core starts at the kernel entry with x0 = DTB; the others stay
 * powered off (cpu->stopped) until PSCI CPU_ON.
 *
 * Interrupt wiring: each core's GIC output drives CPU_INTERRUPT_HARD through
 * virt_cpu_irq(); the timers drive PPIs 30 (physical) and 27 (virtual).
 */
#include "hw/arm/virt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hw/block/virtio-blk.h"
#include "system/loader.h"
#include "target/arm/cpu.h"
#include "util/log.h"

#define MiB ((uint64_t)1024 * 1024)
#define DTB_RESERVE (2 * MiB)
#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define REDIST_REGION0_CPUS ((int)(VIRT_GIC_REDIST_SIZE / GICV3_REDIST_SIZE))

/* GIC output of core n: the one place the IRQ line meets the CPU (coremu may swap it). */
static void virt_cpu_irq(void *opaque, int n, int level)
{
    Machine *m = opaque;
    if (level) {
        cpu_interrupt(m->cpus[n], CPU_INTERRUPT_HARD);
    } else {
        cpu_reset_interrupt(m->cpus[n], CPU_INTERRUPT_HARD);
    }
}

static void virt_cpu_fiq(void *opaque, int n, int level)
{
    Machine *m = opaque;
    if (level) {
        cpu_interrupt(m->cpus[n], CPU_INTERRUPT_FIQ);
    } else {
        cpu_reset_interrupt(m->cpus[n], CPU_INTERRUPT_FIQ);
    }
}

/* MPIDR_EL1 Aff3..Aff0 -> the packed Aff3:Aff2:Aff1:Aff0 GICR_TYPER uses */
static uint32_t mpidr_to_aff(uint64_t mpidr)
{
    return (uint32_t)(((mpidr >> 32) & 0xff) << 24) | (uint32_t)(mpidr & 0xffffff);
}

int virt_cpu_by_mpidr(VirtBoard *b, uint64_t mpidr)
{
    mpidr &= 0xff00ffffffull;
    for (int i = 0; i < b->m->ncpus; i++) {
        if (b->mpidr[i] == mpidr) {
            return i;
        }
    }
    return -1;
}

static bool virt_create_devices(VirtBoard *b)
{
    Machine *m = b->m;
    const MachineOptions *o = m->opts;
    uint32_t aff[MAX_CPUS];

    for (int i = 0; i < m->ncpus; i++) {
        b->mpidr[i] = cpu_env(m->cpus[i])->mpidr & 0xff00ffffffull;
        aff[i] = mpidr_to_aff(b->mpidr[i]);
    }
    b->gic = gicv3_new(m->ncpus, 32 + VIRT_NUM_SPIS, aff);
    gicv3_map_dist(b->gic, m->as, VIRT_GIC_DIST);
    int n0 = m->ncpus < REDIST_REGION0_CPUS ? m->ncpus : REDIST_REGION0_CPUS;
    gicv3_map_redist(b->gic, m->as, VIRT_GIC_REDIST, 0, n0);
    if (m->ncpus > n0) {
        gicv3_map_redist(b->gic, m->as, VIRT_HIGH_GIC_REDIST2, n0, m->ncpus - n0);
    }

    for (int i = 0; i < m->ncpus; i++) {
        CPUState *cpu = m->cpus[i];
        gicv3_connect_cpu(b->gic, i, (IRQLine){ virt_cpu_irq, m, i });
        gicv3_connect_cpu_fiq(b->gic, i, (IRQLine){ virt_cpu_fiq, m, i });
        ARMGicCpuIf ifc = { gicv3_cpuif_read, gicv3_cpuif_write, b->gic }; /* copied */
        arm_cpu_set_gic_cpuif(cpu, &ifc);
        arm_cpu_set_timer_irq(cpu, ARM_TIMER_PHYS,
                              gicv3_ppi_line(b->gic, i, VIRT_PPI_TIMER_PHYS));
        arm_cpu_set_timer_irq(cpu, ARM_TIMER_VIRT,
                              gicv3_ppi_line(b->gic, i, VIRT_PPI_TIMER_VIRT));
        arm_cpu_set_conduit(cpu, virt_psci_call, b);
    }

    b->uart = pl011_new(m->serial, gicv3_spi_line(b->gic, VIRT_UART_SPI));
    pl011_map(b->uart, m->as, VIRT_UART);
    b->rtc = pl031_new(gicv3_spi_line(b->gic, VIRT_RTC_SPI));
    pl031_map(b->rtc, m->as, VIRT_RTC);

    /* -drive if=virtio: the n-th drive takes slot n (the lowest address) */
    int slot = 0;
    for (int i = 0; i < o->ndrives; i++) {
        const DriveOptions *d = &o->drives[i];
        if (d->interface && strcmp(d->interface, "virtio") != 0) {
            continue;
        }
        if (slot == VIRT_MMIO_COUNT) {
            error_report("too many virtio drives (at most %d)", VIRT_MMIO_COUNT);
            return false;
        }
        if (d->format && strcmp(d->format, "raw") != 0) {
            error_report("drive '%s': format '%s' is not supported (only raw)", d->file,
                         d->format);
            return false;
        }
        VirtIODevice *vdev = virtio_blk_new(m->as, d->file, d->readonly, d->id);
        if (!vdev) {
            return false;
        }
        b->mmio[slot] = virtio_mmio_new(vdev, gicv3_spi_line(b->gic, VIRT_MMIO_SPI + slot));
        slot++;
    }
    for (int i = 0; i < VIRT_MMIO_COUNT; i++) {
        if (!b->mmio[i]) {
            b->mmio[i] = virtio_mmio_new(NULL, gicv3_spi_line(b->gic, VIRT_MMIO_SPI + i));
        }
    }
    /* one 16 KiB region: eight 512-byte slots share each page */
    virtio_mmio_map_bank(b->mmio, VIRT_MMIO_COUNT, m->as, VIRT_MMIO);
    return true;
}

/* Load kernel and initrd, choose the DTB address (see the layout above). */
static bool virt_load_images(VirtBoard *b)
{
    const MachineOptions *o = b->m->opts;
    AddressSpace *as = b->m->as;
    uint64_t ram_end = VIRT_MEM + o->ram_size;

    b->entry = VIRT_MEM;
    b->image_end = VIRT_MEM;
    b->initrd_start = b->initrd_size = 0;
    if (o->kernel &&
        !load_arm64_image(as, o->kernel, VIRT_MEM, o->ram_size, &b->entry, &b->image_end)) {
        return false;
    }
    uint64_t next = b->image_end;
    if (o->kernel && o->initrd) {
        uint64_t low = VIRT_MEM + (o->ram_size / 2 < 128 * MiB ? o->ram_size / 2 : 128 * MiB);
        uint64_t start = ALIGN_UP(b->image_end > low ? b->image_end : low, 4096);
        if (start + DTB_RESERVE >= ram_end) {
            error_report("initrd '%s': no room in %" PRIu64 " MiB of RAM after the kernel",
                         o->initrd, o->ram_size / MiB);
            return false;
        }
        if (!load_initrd(as, o->initrd, start, ram_end - start - DTB_RESERVE,
                         &b->initrd_size)) {
            return false;
        }
        b->initrd_start = start;
        next = start + b->initrd_size;
    }
    b->dtb_addr = ALIGN_UP(next, 2 * MiB);
    if (b->dtb_addr + DTB_RESERVE > ram_end) {
        error_report("not enough RAM (%" PRIu64 " MiB) for the kernel, initrd and device tree",
                     o->ram_size / MiB);
        return false;
    }
    return true;
}

/* Images in RAM, DTB in RAM, boot core at the entry, the others off. */
static bool virt_boot(VirtBoard *b)
{
    Machine *m = b->m;
    if (!memory_rw(m->as, b->dtb_addr, b->fdt, b->fdt_size, true)) {
        error_report("cannot place the device tree at 0x%" PRIx64, b->dtb_addr);
        return false;
    }
    for (int i = 0; i < m->ncpus; i++) {
        CPUState *cpu = m->cpus[i];
        if (i == 0) {
            arm_cpu_set_boot_state(cpu, b->entry, b->dtb_addr);
            __atomic_store_n(&b->power[i], VIRT_CPU_ON, __ATOMIC_RELEASE);
            __atomic_store_n(&cpu->stopped, 0, __ATOMIC_RELEASE);
        } else {
            __atomic_store_n(&cpu->stopped, 1, __ATOMIC_RELEASE);
            __atomic_store_n(&b->power[i], VIRT_CPU_OFF, __ATOMIC_RELEASE);
        }
    }
    return true;
}

static bool virt_init(Machine *m)
{
    const MachineOptions *o = m->opts;
    if (o->ram_size > VIRT_MAX_RAM) {
        error_report("-m: at most %" PRIu64 " GiB of RAM on virt", VIRT_MAX_RAM >> 30);
        return false;
    }
    if (m->ncpus < 1 || m->ncpus > MAX_CPUS) {
        error_report("virt: %d cores is out of range (1..%d)", m->ncpus, MAX_CPUS);
        return false;
    }
    VirtBoard *b = calloc(1, sizeof(*b));
    if (!b) {
        fatal("out of memory");
    }
    b->m = m;
    m->board = b;
    memory_map_ram(m->as, "virt.ram", VIRT_MEM, o->ram_size);
    if (!virt_create_devices(b) || !virt_load_images(b) || !virt_build_fdt(b)) {
        return false;
    }
    if (o->dumpdtb) {
        return virt_dump_fdt(b, o->dumpdtb);
    }
    return virt_boot(b);
}

/* System reset: devices and cores to reset state, images reloaded, boot again. */
static void virt_reset(Machine *m)
{
    VirtBoard *b = m->board;
    gicv3_reset(b->gic);
    pl011_reset(b->uart);
    pl031_reset(b->rtc);
    for (int i = 0; i < VIRT_MMIO_COUNT; i++) {
        virtio_mmio_reset(b->mmio[i]);
    }
    for (int i = 0; i < m->ncpus; i++) {
        m->cpus[i]->cc->reset(m->cpus[i]);
        cpu_reset_interrupt(m->cpus[i], ~0u);
    }
    if (!virt_load_images(b) || !virt_boot(b)) {
        fatal("virt: cannot reload the boot images on reset");
    }
}

static const MachineClass virt_machine = {
    .name = "virt",
    .desc = "AArch64 virtual machine (QEMU virt layout: GICv3, PL011, PL031, virtio-mmio)",
    .arch = "aarch64",
    .default_cpu = "cortex-a57",
    .cpu_models = arm_cpu_models,
    .max_cpus = MAX_CPUS,
    .default_ram = 128 * MiB,
    .cpu_class = &arm_cpu_class,
    .init = virt_init,
    .reset = virt_reset,
};

__attribute__((constructor)) static void virt_register(void)
{
    machine_register(&virt_machine);
}
