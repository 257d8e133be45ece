/*
 * test-arm-virt.c — the virt board assembled with real AArch64 cores: the
 * memory map seen through the address space, the device tree (parsed back
 * with libfdt), the Linux boot layout (a synthetic arm64 Image + initrd:
 * entry, x0 = DTB, initrd inside RAM and named in /chosen, secondaries off),
 * -dtb patching, dumpdtb, the CPU hooks (GIC sysregs, timer PPIs, IRQ
 * output), the second redistributor region for > 123 cores, and PSCI
 * (VERSION, FEATURES, CPU_ON/ALREADY_ON/INVALID_PARAMS, AFFINITY_INFO,
 * CPU_OFF, SYSTEM_OFF, SMC32 argument truncation).
 */
#include <libfdt.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/arm/virt.h"
#include "system/cpus.h"
#include "target/arm/cpu.h"

static int failures;
static char why[256];

#define CHECK(cond, ...)                                                               \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            snprintf(why, sizeof(why), __VA_ARGS__);                                   \
            return false;                                                              \
        }                                                                              \
    } while (0)

static void run(const char *name, bool (*fn)(void))
{
    why[0] = 0;
    if (fn()) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
}

static char kernel_path[64], initrd_path[64], dtb_path[64];

static void write_file(char *path, const void *data, size_t len)
{
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
        abort();
    }
    close(fd);
}

/* A minimal arm64 Image: header (booting.rst) + a few instructions. */
static void make_files(void)
{
    uint8_t img[4096] = { 0 };
    uint32_t b_self = 0x14000000; /* b . */
    uint64_t text_offset = 0, image_size = 0x300000, flags = 2;
    memcpy(img, &b_self, 4);
    memcpy(img + 8, &text_offset, 8);
    memcpy(img + 16, &image_size, 8);
    memcpy(img + 24, &flags, 8);
    memcpy(img + 0x38, "ARM\x64", 4);
    strcpy(kernel_path, "/tmp/coremu-virt-kernel-XXXXXX");
    write_file(kernel_path, img, sizeof(img));
    uint8_t rd[10000];
    for (size_t i = 0; i < sizeof(rd); i++) {
        rd[i] = (uint8_t)(i * 13);
    }
    rd[0] = 0x1f; /* gzip magic, in case the loader sniffs it */
    rd[1] = 0x8b;
    strcpy(initrd_path, "/tmp/coremu-virt-initrd-XXXXXX");
    write_file(initrd_path, rd, sizeof(rd));
}

static MachineOptions opts;

static Machine *make_machine(int ncpus, uint64_t ram)
{
    const MachineClass *mc = machine_find("virt");
    if (!mc) {
        return NULL;
    }
    Machine *m = calloc(1, sizeof(*m));
    m->mc = mc;
    opts.ram_size = ram;
    opts.smp = ncpus;
    m->opts = &opts;
    m->as = address_space_new("test");
    m->ncpus = ncpus;
    for (int i = 0; i < ncpus; i++) {
        m->cpus[i] = cpu_create(m, mc->cpu_class, i, "cortex-a57");
    }
    return m;
}

static uint64_t rd_phys(Machine *m, uint64_t addr, unsigned size)
{
    bool ok;
    uint64_t v = memory_read(m->as, addr, size, &ok);
    return ok ? v : 0xbadbadbadull;
}

static bool test_registration(void)
{
    const MachineClass *mc = machine_find("virt");
    CHECK(mc, "machine 'virt' not registered");
    CHECK(!strcmp(mc->arch, "aarch64") && !strcmp(mc->default_cpu, "cortex-a57") &&
              mc->max_cpus == 255 && mc->cpu_class == &arm_cpu_class,
          "class fields");
    return true;
}

static bool test_boot_layout(void)
{
    memset(&opts, 0, sizeof(opts));
    opts.kernel = kernel_path;
    opts.initrd = initrd_path;
    opts.append = "console=ttyAMA0 root=/dev/vda";
    Machine *m = make_machine(4, 256ull << 20);
    CHECK(m, "machine");
    CHECK(m->mc->init(m), "init failed");
    VirtBoard *b = m->board;
    CPUARMState *env = cpu_env(m->cpus[0]);
    CHECK(env->pc == VIRT_MEM && b->entry == VIRT_MEM, "entry 0x%llx",
          (unsigned long long)env->pc);
    CHECK(env->x[0] == b->dtb_addr && (b->dtb_addr & 0x1fffff) == 0, "x0 = dtb (0x%llx)",
          (unsigned long long)env->x[0]);
    CHECK(arm_current_el(env) == 1 && (env->pstate & PSTATE_DAIF) == PSTATE_DAIF, "EL1, masked");
    CHECK(!m->cpus[0]->stopped, "boot core runs");
    for (int i = 1; i < 4; i++) {
        CHECK(m->cpus[i]->stopped, "secondary %d must be off", i);
    }
    /* initrd above the kernel's image_size and 128 MiB, DTB above the initrd */
    CHECK(b->initrd_start >= VIRT_MEM + 0x300000 && b->initrd_start >= VIRT_MEM + (128u << 20),
          "initrd at 0x%llx", (unsigned long long)b->initrd_start);
    CHECK(b->initrd_size == 10000, "initrd size");
    CHECK(b->dtb_addr >= b->initrd_start + b->initrd_size, "dtb after initrd");
    CHECK(b->dtb_addr + b->fdt_size <= VIRT_MEM + (256ull << 20), "dtb inside RAM");
    uint8_t *ram = memory_ram_ptr(m->as, VIRT_MEM, 256ull << 20);
    CHECK(ram[0x38] == 'A' && ram[0x3b] == 0x64, "kernel in RAM");
    CHECK(ram[b->initrd_start - VIRT_MEM + 5] == (uint8_t)(5 * 13), "initrd in RAM");

    /* the DTB in guest RAM */
    void *fdt = ram + (b->dtb_addr - VIRT_MEM);
    CHECK(fdt_check_header(fdt) == 0, "no valid FDT at x0");
    int chosen = fdt_path_offset(fdt, "/chosen");
    CHECK(chosen >= 0, "/chosen");
    const char *args = fdt_getprop(fdt, chosen, "bootargs", NULL);
    CHECK(args && !strcmp(args, opts.append), "bootargs '%s'", args ? args : "(none)");
    const char *so = fdt_getprop(fdt, chosen, "stdout-path", NULL);
    CHECK(so && !strcmp(so, "/pl011@9000000"), "stdout-path");
    int len;
    const void *is = fdt_getprop(fdt, chosen, "linux,initrd-start", &len);
    const void *ie = fdt_getprop(fdt, chosen, "linux,initrd-end", NULL);
    fdt64_t s64 = 0, e64 = 0; /* properties are only 4-byte aligned */
    if (is && ie) {
        memcpy(&s64, is, 8);
        memcpy(&e64, ie, 8);
    }
    CHECK(is && ie && len == 8 && fdt64_to_cpu(s64) == b->initrd_start &&
              fdt64_to_cpu(e64) == b->initrd_start + 10000,
          "initrd properties");
    int mem = fdt_path_offset(fdt, "/memory@40000000");
    const fdt32_t *reg = fdt_getprop(fdt, mem, "reg", &len);
    CHECK(reg && len == 16 && fdt32_to_cpu(reg[1]) == 0x40000000 &&
              fdt32_to_cpu(reg[3]) == (256u << 20),
          "memory reg");
    int cpus = fdt_path_offset(fdt, "/cpus");
    int ncpu = 0;
    for (int n = fdt_first_subnode(fdt, cpus); n >= 0; n = fdt_next_subnode(fdt, n)) {
        const fdt32_t *r = fdt_getprop(fdt, n, "reg", NULL);
        const char *em = fdt_getprop(fdt, n, "enable-method", NULL);
        CHECK(r && fdt32_to_cpu(*r) == (uint32_t)(cpu_env(m->cpus[ncpu])->mpidr & 0xffffff),
              "cpu %d reg", ncpu);
        CHECK(em && !strcmp(em, "psci"), "enable-method");
        ncpu++;
    }
    CHECK(ncpu == 4, "%d cpu nodes", ncpu);
    int gic = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
    CHECK(gic >= 0, "gic node");
    const fdt32_t *rr = fdt_getprop(fdt, gic, "#redistributor-regions", NULL);
    CHECK(rr && fdt32_to_cpu(*rr) == 1, "one redistributor region");
    int psci = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-1.0");
    const char *method = psci >= 0 ? fdt_getprop(fdt, psci, "method", NULL) : NULL;
    CHECK(method && !strcmp(method, "hvc"), "psci method");
    int nvirtio = 0;
    for (int n = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); n >= 0;
         n = fdt_node_offset_by_compatible(fdt, n, "virtio,mmio")) {
        nvirtio++;
    }
    CHECK(nvirtio == 32, "%d virtio nodes", nvirtio);
    CHECK(fdt_node_offset_by_compatible(fdt, -1, "arm,pl011") >= 0 &&
              fdt_node_offset_by_compatible(fdt, -1, "arm,pl031") >= 0 &&
              fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer") >= 0,
          "pl011/pl031/timer nodes");

    /* keep a copy of this DTB for the -dtb test */
    strcpy(dtb_path, "/tmp/coremu-virt-dtb-XXXXXX");
    write_file(dtb_path, fdt, fdt_totalsize(fdt));

    /* devices through the address space */
    CHECK(((rd_phys(m, VIRT_GIC_DIST + 0xffe8, 4) >> 4) & 0xf) == 3, "GICD_PIDR2");
    uint64_t t3 = rd_phys(m, VIRT_GIC_REDIST + 3 * 0x20000 + 8, 8);
    CHECK((t3 & 0x10) && (t3 >> 32) == 3, "GICR_TYPER of core 3: %llx", (unsigned long long)t3);
    CHECK(!(rd_phys(m, VIRT_GIC_REDIST + 8, 8) & 0x10), "core 0 is not Last");
    CHECK(rd_phys(m, VIRT_UART + 0xfe0, 4) == 0x11 && rd_phys(m, VIRT_UART + 0x18, 4) & 0x80,
          "PL011 at 0x09000000");
    CHECK(rd_phys(m, VIRT_RTC + 0xfe0, 4) == 0x31, "PL031 at 0x09010000");
    for (int i = 0; i < 32; i++) {
        CHECK(rd_phys(m, VIRT_MMIO + 0x200 * i, 4) == 0x74726976 &&
                  rd_phys(m, VIRT_MMIO + 0x200 * i + 8, 4) == 0,
              "virtio slot %d", i);
    }

    /* CPU hooks: the GIC CPU interface, timer PPIs, IRQ output */
    ARMCPU *c1 = arm_cpu(m->cpus[1]);
    uint64_t v = 0;
    CHECK(c1->has_gic && c1->gic.read(c1->gic.opaque, m->cpus[1], ICC_SRE_EL1, &v) && v == 7,
          "ICC_SRE_EL1 through the CPU hook");
    memory_write(m->as, VIRT_GIC_DIST, GICD_CTLR_EN_GRP1 | GICD_CTLR_ARE, 4, NULL);
    uint64_t sgi = VIRT_GIC_REDIST + 1 * 0x20000 + 0x10000;
    memory_write(m->as, sgi + 0x80, 0xffffffff, 4, NULL);  /* IGROUPR0 */
    memory_write(m->as, sgi + 0x100, 1u << 30, 4, NULL);   /* ISENABLER0: PPI 30 */
    c1->gic.write(c1->gic.opaque, m->cpus[1], ICC_PMR_EL1, 0xf0);
    c1->gic.write(c1->gic.opaque, m->cpus[1], ICC_IGRPEN1_EL1, 1);
    irq_set(&c1->env.timer[ARM_TIMER_PHYS].line, 1);
    CHECK(rd_phys(m, sgi + 0x200, 4) & (1u << 30), "phys timer line -> PPI 30 of core 1");
    CHECK(m->cpus[1]->interrupt_request & CPU_INTERRUPT_HARD, "IRQ raised on core 1");
    CHECK(!(m->cpus[0]->interrupt_request & CPU_INTERRUPT_HARD), "not on core 0");
    CHECK(c1->gic.read(c1->gic.opaque, m->cpus[1], ICC_IAR1_EL1, &v) && v == 30, "IAR1 = 30");
    CHECK(!(m->cpus[1]->interrupt_request & CPU_INTERRUPT_HARD), "IRQ lowered once active");
    irq_set(&c1->env.timer[ARM_TIMER_VIRT].line, 1);
    CHECK(rd_phys(m, sgi + 0x200, 4) & (1u << 27), "virt timer line -> PPI 27");
    return true;
}


static bool test_psci(void)
{
    memset(&opts, 0, sizeof(opts));
    opts.kernel = kernel_path;
    Machine *m = make_machine(3, 64ull << 20);
    CHECK(m && m->mc->init(m), "init");
    VirtBoard *b = m->board;
    CPUState *c0 = m->cpus[0];
    uint64_t a[4] = { PSCI_VERSION, 0, 0, 0 };
    CHECK(virt_psci_call(b, c0, a) == 0x10000, "PSCI 1.0");
    uint64_t f[4] = { PSCI_FEATURES, PSCI_CPU_ON_64, 0, 0 };
    CHECK(virt_psci_call(b, c0, f) == 0, "FEATURES(CPU_ON)");
    f[1] = 0x80000000; /* SMCCC_VERSION: not implemented */
    CHECK((int32_t)virt_psci_call(b, c0, f) == PSCI_RET_NOT_SUPPORTED, "FEATURES(SMCCC)");
    uint64_t aff[4] = { PSCI_AFFINITY_INFO_64, 1, 0, 0 };
    CHECK(virt_psci_call(b, c0, aff) == 1, "core 1 starts OFF");
    uint64_t on[4] = { PSCI_CPU_ON_64, 1, VIRT_MEM + 0x1000, 0x1234 };
    CHECK(virt_psci_call(b, c0, on) == 0, "CPU_ON core 1");
    CHECK(!m->cpus[1]->stopped && cpu_env(m->cpus[1])->pc == VIRT_MEM + 0x1000 &&
              cpu_env(m->cpus[1])->x[0] == 0x1234 && arm_current_el(cpu_env(m->cpus[1])) == 1,
          "core 1 entry state");
    CHECK((int64_t)virt_psci_call(b, c0, on) == PSCI_RET_ALREADY_ON, "ALREADY_ON");
    CHECK(virt_psci_call(b, c0, aff) == 0, "core 1 ON");
    uint64_t bad[4] = { PSCI_CPU_ON_64, 0x77, VIRT_MEM, 0 };
    CHECK((int64_t)virt_psci_call(b, c0, bad) == PSCI_RET_INVALID_PARAMS, "bad MPIDR");
    uint64_t badaddr[4] = { PSCI_CPU_ON_64, 2, 0x1000, 0 };
    CHECK((int64_t)virt_psci_call(b, c0, badaddr) == PSCI_RET_INVALID_ADDRESS, "entry not RAM");
    /* SMC32: upper halves of the arguments ignored; results sign-extended, as QEMU */
    uint64_t on32[4] = { PSCI_CPU_ON_32, 0xffffffff00000002ull, VIRT_MEM | 0xabc00000000ull, 7 };
    CHECK(virt_psci_call(b, c0, on32) == 0 && !m->cpus[2]->stopped &&
              cpu_env(m->cpus[2])->pc == VIRT_MEM,
          "CPU_ON_32 truncates arguments");
    CHECK((int64_t)virt_psci_call(b, c0, on32) == PSCI_RET_ALREADY_ON, "32-bit error value, sign-extended");
    /* CPU_OFF from core 1 leaves through cpu_loop_exit */
    CPUState *c1 = m->cpus[1];
    if (sigsetjmp(c1->jmp_env, 0) == 0) {
        uint64_t off[4] = { PSCI_CPU_OFF, 0, 0, 0 };
        virt_psci_call(b, c1, off);
        CHECK(false, "CPU_OFF returned");
    }
    CHECK(c1->stopped && virt_psci_call(b, c0, aff) == 1, "core 1 OFF after CPU_OFF");
    CHECK(virt_psci_call(b, c0, on) == 0, "core 1 can be started again");
    uint64_t unknown[4] = { 0x84000077, 0, 0, 0 };
    CHECK((int32_t)virt_psci_call(b, c0, unknown) == PSCI_RET_NOT_SUPPORTED, "unknown fn");
    uint64_t sysoff[4] = { PSCI_SYSTEM_OFF, 0, 0, 0 };
    virt_psci_call(b, c0, sysoff);
    CHECK(m->shutdown_requested == 1 && m->exit_status == 0, "SYSTEM_OFF requests poweroff");
    return true;
}

static bool test_many_cores(void)
{
    memset(&opts, 0, sizeof(opts));
    char path[] = "/tmp/coremu-virt-dump-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    opts.dumpdtb = path;
    Machine *m = make_machine(130, 64ull << 20);
    CHECK(m && m->mc->init(m), "init with 130 cores");
    /* core 122 ends region 0, core 129 ends region 1 */
    uint64_t t122 = rd_phys(m, VIRT_GIC_REDIST + 122 * 0x20000 + 8, 8);
    CHECK(t122 & 0x10, "core 122 is Last in region 0");
    uint64_t t123 = rd_phys(m, VIRT_HIGH_GIC_REDIST2 + 8, 8);
    CHECK(((t123 >> 8) & 0xffff) == 123 && !(t123 & 0x10), "core 123 starts region 1");
    uint64_t t129 = rd_phys(m, VIRT_HIGH_GIC_REDIST2 + 6 * 0x20000 + 8, 8);
    CHECK(((t129 >> 8) & 0xffff) == 129 && (t129 & 0x10), "core 129 Last");
    CHECK((t129 >> 32) == ((129 / 16) << 8 | (129 % 16)), "core 129 affinity");
    /* the dumped blob */
    FILE *f = fopen(path, "rb");
    static uint8_t buf[1 << 20];
    size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
    if (f) {
        fclose(f);
    }
    unlink(path);
    CHECK(n > 0 && fdt_check_header(buf) == 0 && fdt_totalsize(buf) == n, "dumpdtb blob");
    int gic = fdt_node_offset_by_compatible(buf, -1, "arm,gic-v3");
    int len;
    const fdt32_t *rr = fdt_getprop(buf, gic, "#redistributor-regions", NULL);
    const fdt32_t *reg = fdt_getprop(buf, gic, "reg", &len);
    CHECK(rr && fdt32_to_cpu(*rr) == 2 && len == 48, "two redistributor regions");
    CHECK(fdt32_to_cpu(reg[8]) == 0x40 && fdt32_to_cpu(reg[11]) == 7 * 0x20000, "region 1 reg");
    int cpus = fdt_path_offset(buf, "/cpus"), ncpu = 0;
    for (int c = fdt_first_subnode(buf, cpus); c >= 0; c = fdt_next_subnode(buf, c)) {
        ncpu++;
    }
    CHECK(ncpu == 130, "%d cpu nodes", ncpu);
    return true;
}

static bool test_user_dtb(void)
{
    memset(&opts, 0, sizeof(opts));
    opts.kernel = kernel_path;
    opts.initrd = initrd_path;
    opts.dtb = dtb_path;
    opts.append = "patched=1";
    Machine *m = make_machine(1, 256ull << 20);
    CHECK(m && m->mc->init(m), "init with -dtb");
    VirtBoard *b = m->board;
    void *fdt = memory_ram_ptr(m->as, b->dtb_addr, b->fdt_size);
    CHECK(fdt && fdt_check_header(fdt) == 0, "dtb in RAM");
    int chosen = fdt_path_offset(fdt, "/chosen");
    const char *args = fdt_getprop(fdt, chosen, "bootargs", NULL);
    CHECK(args && !strcmp(args, "patched=1"), "bootargs patched: '%s'", args ? args : "");
    /* the user's tree is kept: it had 4 cpus although this machine has 1 */
    int cpus = fdt_path_offset(fdt, "/cpus"), ncpu = 0;
    for (int c = fdt_first_subnode(fdt, cpus); c >= 0; c = fdt_next_subnode(fdt, c)) {
        ncpu++;
    }
    CHECK(ncpu == 4, "user tree replaced (%d cpus)", ncpu);
    /* a file that is not a DTB is refused */
    opts.dtb = kernel_path;
    Machine *m2 = make_machine(1, 256ull << 20);
    CHECK(!m2->mc->init(m2), "a non-DTB -dtb must fail");
    return true;
}

static bool test_errors(void)
{
    memset(&opts, 0, sizeof(opts));
    opts.kernel = kernel_path;
    opts.ndrives = 1;
    opts.drives[0] = (DriveOptions){ .file = "/nonexistent.img", .interface = "virtio" };
    Machine *m = make_machine(1, 64ull << 20);
    CHECK(!m->mc->init(m), "a missing drive must fail init");
    memset(&opts, 0, sizeof(opts));
    opts.kernel = "/nonexistent-kernel";
    m = make_machine(1, 64ull << 20);
    CHECK(!m->mc->init(m), "a missing kernel must fail init");
    /* a drive on slot 0: DeviceID 2 at 0x0a000000 */
    char img[] = "/tmp/coremu-virt-disk-XXXXXX";
    static uint8_t zero[4096];
    write_file(img, zero, sizeof(zero));
    memset(&opts, 0, sizeof(opts));
    opts.kernel = kernel_path;
    opts.ndrives = 1;
    opts.drives[0] = (DriveOptions){ .file = img, .interface = "virtio" };
    m = make_machine(1, 64ull << 20);
    bool ok = m->mc->init(m);
    unlink(img);
    CHECK(ok, "init with a drive");
    CHECK(rd_phys(m, VIRT_MMIO + 8, 4) == 2 && rd_phys(m, VIRT_MMIO + 0x200 + 8, 4) == 0,
          "drive 0 in slot 0");
    CHECK(rd_phys(m, VIRT_MMIO + 0x100, 4) == 8, "capacity 8 sectors");
    return true;
}

static bool test_reset(void)
{
    memset(&opts, 0, sizeof(opts));
    opts.kernel = kernel_path;
    opts.initrd = initrd_path;
    Machine *m = make_machine(2, 256ull << 20);
    CHECK(m && m->mc->init(m), "init");
    VirtBoard *b = m->board;
    uint8_t *ram = memory_ram_ptr(m->as, VIRT_MEM, 256ull << 20);
    /* the guest ran for a while: scribbled on its kernel, DTB, started core 1, set up the GIC */
    memset(ram, 0xaa, 4096);
    memset(ram + (b->dtb_addr - VIRT_MEM), 0, 64);
    uint64_t on[4] = { PSCI_CPU_ON_64, 1, VIRT_MEM + 0x1000, 0 };
    CHECK(virt_psci_call(b, m->cpus[0], on) == 0, "CPU_ON");
    cpu_env(m->cpus[0])->pc = 0x1234;
    memory_write(m->as, VIRT_GIC_DIST, GICD_CTLR_EN_GRP1, 4, NULL);
    m->mc->reset(m);
    CHECK(ram[0x38] == 'A' && ram[4] == 0, "kernel reloaded");
    CHECK(fdt_check_header(ram + (b->dtb_addr - VIRT_MEM)) == 0, "DTB rewritten");
    CHECK(cpu_env(m->cpus[0])->pc == VIRT_MEM && cpu_env(m->cpus[0])->x[0] == b->dtb_addr,
          "boot core at the entry again");
    CHECK(m->cpus[1]->stopped, "secondary off again");
    uint64_t aff[4] = { PSCI_AFFINITY_INFO_64, 1, 0, 0 };
    CHECK(virt_psci_call(b, m->cpus[0], aff) == 1, "PSCI state off again");
    CHECK(!(rd_phys(m, VIRT_GIC_DIST, 4) & GICD_CTLR_EN_GRP1), "GIC reset");
    return true;
}

int main(void)
{
    make_files();
    run("virt_registration", test_registration);
    run("virt_boot_layout_fdt_devices_hooks", test_boot_layout);
    run("virt_psci", test_psci);
    run("virt_130_cores_two_redist_regions_dumpdtb", test_many_cores);
    run("virt_user_dtb_patched", test_user_dtb);
    run("virt_init_errors_and_drive", test_errors);
    run("virt_system_reset", test_reset);
    unlink(kernel_path);
    unlink(initrd_path);
    if (dtb_path[0]) {
        unlink(dtb_path);
    }
    return failures ? 1 : 0;
}
