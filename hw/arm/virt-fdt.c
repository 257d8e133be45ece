/*
 * virt-fdt.c — the virt board's flattened device tree, built with libfdt.
 *
 * The tree mirrors what QEMU's virt generates for the devices we have
 * (compare: qemu-system-aarch64 -M virt,dumpdtb=q.dtb; dtc -I dtb -O dts q.dtb):
 * psci (1.0, hvc), memory, 32 virtio_mmio slots, pl031, pl011 (+ apb-pclk
 * fixed clock), the GICv3 (with #redistributor-regions), cpus (reg = MPIDR
 * affinity, enable-method psci), the architected timer and /chosen
 * (bootargs, stdout-path, linux,initrd-start/end). Interrupt specifiers are
 * <type number flags>: type 0 = SPI, 1 = PPI; flags 4 = level-high.
 * virtio-mmio lines are level (high while InterruptStatus != 0).
 *
 * fdt_add_subnode() puts a new node before its existing siblings, so nodes
 * are added in the reverse of the order they appear in.
 *
 * With -dtb FILE the user's blob is used instead and only /chosen is
 * patched (bootargs, initrd); it must still fit booting.rst's 2 MiB limit.
 */
#include "hw/arm/virt.h"

#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "system/loader.h"
#include "target/arm/cpu.h"
#include "util/log.h"

#define FDT_MAX_SIZE (2u * 1024 * 1024) /* booting.rst */
#define PHANDLE_CLK 0x8000
#define PHANDLE_GIC 0x8001
#define CLK_HZ 24000000

/* libfdt calls; the first failure is remembered and reported once */
typedef struct FdtBuilder {
    void *fdt;
    int err;
} FdtBuilder;

static void chk(FdtBuilder *fb, int r)
{
    if (r < 0 && !fb->err) {
        fb->err = r;
    }
}

static int add_node(FdtBuilder *fb, int parent, const char *name)
{
    int off = fdt_add_subnode(fb->fdt, parent, name);
    chk(fb, off);
    return off < 0 ? 0 : off;
}

static void prop_cells(FdtBuilder *fb, int node, const char *name, const uint32_t *cells,
                       int n)
{
    fdt32_t be[32];
    for (int i = 0; i < n; i++) {
        be[i] = cpu_to_fdt32(cells[i]);
    }
    chk(fb, fdt_setprop(fb->fdt, node, name, be, n * (int)sizeof(fdt32_t)));
}

static void prop_cell(FdtBuilder *fb, int node, const char *name, uint32_t v)
{
    chk(fb, fdt_setprop_cell(fb->fdt, node, name, v));
}

static void prop_str(FdtBuilder *fb, int node, const char *name, const char *s)
{
    chk(fb, fdt_setprop_string(fb->fdt, node, name, s));
}

/* A string list: "a\0b\0" given with its full length. */
static void prop_strs(FdtBuilder *fb, int node, const char *name, const char *s, int len)
{
    chk(fb, fdt_setprop(fb->fdt, node, name, s, len));
}
#define PROP_STRS(fb, node, name, lit) prop_strs(fb, node, name, lit, (int)sizeof(lit))

static void prop_empty(FdtBuilder *fb, int node, const char *name)
{
    chk(fb, fdt_setprop(fb->fdt, node, name, NULL, 0));
}

/* reg = <addr size> with #address-cells = #size-cells = 2 */
static void prop_reg2(FdtBuilder *fb, int node, const uint64_t *pairs, int npairs)
{
    uint32_t c[16];
    for (int i = 0; i < npairs * 2; i++) {
        c[2 * i] = (uint32_t)(pairs[i] >> 32);
        c[2 * i + 1] = (uint32_t)pairs[i];
    }
    prop_cells(fb, node, "reg", c, npairs * 4);
}

static void add_chosen(FdtBuilder *fb, VirtBoard *b, bool ours)
{
    const MachineOptions *o = b->m->opts;
    int chosen = fdt_path_offset(fb->fdt, "/chosen");
    if (chosen < 0) {
        chosen = add_node(fb, 0, "chosen");
    }
    if (o->append) {
        prop_str(fb, chosen, "bootargs", o->append);
    }
    if (ours) {
        char path[64];
        snprintf(path, sizeof(path), "/pl011@%" PRIx64, VIRT_UART);
        prop_str(fb, chosen, "stdout-path", path);
    }
    if (b->initrd_size) {
        chk(fb, fdt_setprop_u64(fb->fdt, chosen, "linux,initrd-start", b->initrd_start));
        chk(fb, fdt_setprop_u64(fb->fdt, chosen, "linux,initrd-end",
                                b->initrd_start + b->initrd_size));
    }
}

static const char *cpu_compatible(CPUState *cpu)
{
    const char *model = arm_cpu(cpu)->model;
    return model && !strcmp(model, "cortex-a57") ? "arm,cortex-a57" : "arm,armv8";
}

static void add_cpus(FdtBuilder *fb, VirtBoard *b)
{
    Machine *m = b->m;
    bool aff3 = false;
    for (int i = 0; i < m->ncpus; i++) {
        aff3 |= (b->mpidr[i] >> 32) != 0;
    }
    int cpus = add_node(fb, 0, "cpus");
    prop_cell(fb, cpus, "#address-cells", aff3 ? 2 : 1);
    prop_cell(fb, cpus, "#size-cells", 0);
    for (int i = m->ncpus - 1; i >= 0; i--) {
        char name[32];
        snprintf(name, sizeof(name), "cpu@%" PRIx64, b->mpidr[i]);
        int n = add_node(fb, cpus, name);
        prop_str(fb, n, "device_type", "cpu");
        prop_str(fb, n, "compatible", cpu_compatible(m->cpus[i]));
        if (aff3) {
            uint32_t reg[2] = { (uint32_t)(b->mpidr[i] >> 32), (uint32_t)b->mpidr[i] };
            prop_cells(fb, n, "reg", reg, 2);
        } else {
            prop_cell(fb, n, "reg", (uint32_t)b->mpidr[i]);
        }
        prop_str(fb, n, "enable-method", "psci");
    }
}

static void add_gic(FdtBuilder *fb, VirtBoard *b)
{
    int ncpus = b->m->ncpus;
    int n0 = ncpus < (int)(VIRT_GIC_REDIST_SIZE / GICV3_REDIST_SIZE)
                 ? ncpus
                 : (int)(VIRT_GIC_REDIST_SIZE / GICV3_REDIST_SIZE);
    uint64_t reg[6] = { VIRT_GIC_DIST, GICV3_DIST_SIZE, VIRT_GIC_REDIST,
                        (uint64_t)n0 * GICV3_REDIST_SIZE, VIRT_HIGH_GIC_REDIST2,
                        (uint64_t)(ncpus - n0) * GICV3_REDIST_SIZE };
    char name[32];
    snprintf(name, sizeof(name), "intc@%" PRIx64, VIRT_GIC_DIST);
    int n = add_node(fb, 0, name);
    prop_str(fb, n, "compatible", "arm,gic-v3");
    prop_cell(fb, n, "#interrupt-cells", 3);
    prop_empty(fb, n, "interrupt-controller");
    prop_cell(fb, n, "#address-cells", 2);
    prop_cell(fb, n, "#size-cells", 2);
    prop_empty(fb, n, "ranges");
    prop_cell(fb, n, "#redistributor-regions", ncpus > n0 ? 2 : 1);
    prop_reg2(fb, n, reg, ncpus > n0 ? 3 : 2);
    prop_cell(fb, n, "phandle", PHANDLE_GIC);
}

static void add_primecell(FdtBuilder *fb, const char *name, const char *compat, int clen,
                          uint64_t base, int spi, bool uart)
{
    char node[32];
    snprintf(node, sizeof(node), "%s@%" PRIx64, name, base);
    int n = add_node(fb, 0, node);
    prop_strs(fb, n, "compatible", compat, clen);
    uint64_t reg[2] = { base, 0x1000 };
    prop_reg2(fb, n, reg, 1);
    uint32_t irq[3] = { 0, (uint32_t)spi, 4 };
    prop_cells(fb, n, "interrupts", irq, 3);
    if (uart) {
        uint32_t clks[2] = { PHANDLE_CLK, PHANDLE_CLK };
        prop_cells(fb, n, "clocks", clks, 2);
        PROP_STRS(fb, n, "clock-names", "uartclk\0apb_pclk");
    } else {
        prop_cell(fb, n, "clocks", PHANDLE_CLK);
        prop_str(fb, n, "clock-names", "apb_pclk");
    }
}

static void build_tree(FdtBuilder *fb, VirtBoard *b)
{
    const MachineOptions *o = b->m->opts;
    prop_str(fb, 0, "compatible", "linux,dummy-virt");
    prop_str(fb, 0, "model", "linux,dummy-virt");
    prop_cell(fb, 0, "#address-cells", 2);
    prop_cell(fb, 0, "#size-cells", 2);
    prop_cell(fb, 0, "interrupt-parent", PHANDLE_GIC);

    add_chosen(fb, b, true);

    int clk = add_node(fb, 0, "apb-pclk");
    prop_str(fb, clk, "compatible", "fixed-clock");
    prop_cell(fb, clk, "#clock-cells", 0);
    prop_cell(fb, clk, "clock-frequency", CLK_HZ);
    prop_str(fb, clk, "clock-output-names", "clk24mhz");
    prop_cell(fb, clk, "phandle", PHANDLE_CLK);

    /* secure phys, non-secure phys, virtual, hypervisor: PPI 13, 14, 11, 10 */
    int timer = add_node(fb, 0, "timer");
    PROP_STRS(fb, timer, "compatible", "arm,armv8-timer\0arm,armv7-timer");
    uint32_t tirq[12] = { 1, VIRT_PPI_TIMER_SEC - 16,  4, 1, VIRT_PPI_TIMER_PHYS - 16, 4,
                          1, VIRT_PPI_TIMER_VIRT - 16, 4, 1, VIRT_PPI_TIMER_HYP - 16,  4 };
    prop_cells(fb, timer, "interrupts", tirq, 12);
    prop_empty(fb, timer, "always-on");

    add_cpus(fb, b);
    add_gic(fb, b);
    add_primecell(fb, "pl011", "arm,pl011\0arm,primecell", (int)sizeof("arm,pl011\0arm,primecell"),
                  VIRT_UART, VIRT_UART_SPI, true);
    add_primecell(fb, "pl031", "arm,pl031\0arm,primecell", (int)sizeof("arm,pl031\0arm,primecell"),
                  VIRT_RTC, VIRT_RTC_SPI, false);

    for (int i = VIRT_MMIO_COUNT - 1; i >= 0; i--) {
        uint64_t base = VIRT_MMIO + (uint64_t)i * VIRTIO_MMIO_SIZE;
        char name[40];
        snprintf(name, sizeof(name), "virtio_mmio@%" PRIx64, base);
        int n = add_node(fb, 0, name);
        prop_str(fb, n, "compatible", "virtio,mmio");
        uint64_t reg[2] = { base, VIRTIO_MMIO_SIZE };
        prop_reg2(fb, n, reg, 1);
        uint32_t irq[3] = { 0, (uint32_t)(VIRT_MMIO_SPI + i), 4 };
        prop_cells(fb, n, "interrupts", irq, 3);
        prop_empty(fb, n, "dma-coherent");
    }

    char name[32];
    snprintf(name, sizeof(name), "memory@%" PRIx64, VIRT_MEM);
    int mem = add_node(fb, 0, name);
    prop_str(fb, mem, "device_type", "memory");
    uint64_t reg[2] = { VIRT_MEM, o->ram_size };
    prop_reg2(fb, mem, reg, 1);

    int psci = add_node(fb, 0, "psci");
    PROP_STRS(fb, psci, "compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci");
    prop_str(fb, psci, "method", "hvc");
    prop_cell(fb, psci, "cpu_suspend", PSCI_CPU_SUSPEND_64);
    prop_cell(fb, psci, "cpu_off", PSCI_CPU_OFF);
    prop_cell(fb, psci, "cpu_on", PSCI_CPU_ON_64);
    prop_cell(fb, psci, "migrate", PSCI_MIGRATE_64);
}

bool virt_build_fdt(VirtBoard *b)
{
    const MachineOptions *o = b->m->opts;
    size_t cap = 64 * 1024 + (size_t)b->m->ncpus * 512;
    FdtBuilder fb = { NULL, 0 };
    bool ours = !o->dtb;

    if (ours) {
        fb.fdt = calloc(1, cap);
        if (!fb.fdt) {
            fatal("out of memory");
        }
        chk(&fb, fdt_create_empty_tree(fb.fdt, (int)cap));
        if (!fb.err) {
            build_tree(&fb, b);
        }
    } else {
        uint8_t *data;
        uint64_t size;
        if (!load_file(o->dtb, FDT_MAX_SIZE, &data, &size)) {
            return false;
        }
        if (size < sizeof(struct fdt_header) || fdt_check_header(data) != 0 ||
            fdt_totalsize(data) > size) {
            error_report("device tree '%s' is not a valid flattened device tree", o->dtb);
            free(data);
            return false;
        }
        cap = size + 64 * 1024;
        fb.fdt = calloc(1, cap);
        if (!fb.fdt) {
            fatal("out of memory");
        }
        chk(&fb, fdt_open_into(data, fb.fdt, (int)cap));
        free(data);
        if (!fb.err) {
            add_chosen(&fb, b, false);
        }
    }
    if (!fb.err) {
        chk(&fb, fdt_pack(fb.fdt));
    }
    if (fb.err) {
        error_report("%s device tree: %s", ours ? "cannot build the" : "cannot patch the",
                     fdt_strerror(fb.err));
        free(fb.fdt);
        return false;
    }
    if (fdt_totalsize(fb.fdt) > FDT_MAX_SIZE) {
        error_report("device tree is larger than 2 MiB");
        free(fb.fdt);
        return false;
    }
    free(b->fdt);
    b->fdt = fb.fdt;
    b->fdt_size = fdt_totalsize(fb.fdt);
    return true;
}

bool virt_dump_fdt(VirtBoard *b, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        error_report("dumpdtb: cannot create '%s': %s", path, strerror(errno));
        return false;
    }
    bool ok = fwrite(b->fdt, 1, b->fdt_size, f) == b->fdt_size;
    ok &= fclose(f) == 0;
    if (!ok) {
        error_report("dumpdtb: cannot write '%s': %s", path, strerror(errno));
    }
    return ok;
}
