/*
 * test-x86-boot.c — the PC board's direct Linux boot and its legacy pieces:
 *
 *  - x86-boot.c on synthetic bzImages written to temporary files: the
 *    setup-header checks (not a bzImage, protocol < 2.12, no XLF_KERNEL_64,
 *    truncated), kernel placement at 1 MiB, initrd at the top of RAM below
 *    initrd_addr_max and never inside the kernel's decompression range, the
 *    command line and its size limit, and the zero page (setup header copy,
 *    type_of_loader, pointers, e820 table, acpi_rsdp_addr);
 *  - the whole "pc" machine (machine_find("pc")->init) booting a synthetic
 *    bzImage whose 64-bit entry code reports rsi, CS, the "HdrS" it reads
 *    through rsi and CR3 on I/O ports, then halts: checks the e820 map the
 *    board built (RAM, reserved holes, the ACPI area as type 3), the RSDP,
 *    the identity map up to 4 GiB, the boot core's MTRRs as a BIOS leaves
 *    them, and port dispatch (COM1 scratch, CMOS,
 *    i8042 self-test, an unassigned port, a word access split over ports);
 *  - the i8042 alone: self-test, command byte, keyboard reset/identify,
 *    the "no AUX port" answers, IRQ 1, and the reset line (0xfe, 0xd1);
 *  - CPU regressions found booting Linux (target/i386):
 *      fs_base_iret: IRETQ to ring 3 must not null an FS holding a null
 *      selector (its base is IA32_FS_BASE: busybox's TLS faulted);
 *      amd_syscfg: RDMSR of AMD's SYSCFG (0xc0010010) must not #GP on our
 *      AuthenticAMD models (Linux's MTRR set-up read it: a warning and
 *      MTRRs/PAT disabled);
 *      init_keeps_mtrrs: INIT keeps the MTRRs and the PAT (SDM Table 9-1);
 *      Linux found the APs' MTRRs blank after INIT-SIPI-SIPI ("your CPUs
 *      had inconsistent ... MTRR settings").
 *
 * Guest code was assembled with GNU as (--64) and objcopy -O binary; the
 * source is next to each byte array.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/cputlb.h"
#include "exec/tb-cache.h"
#include "hw/i386/pc-internal.h"
#include "hw/i386/pc.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "target/i386/cpu.h"
#include "tcg/tcg.h"

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

#define MiB (1024ull * 1024)

/*
 *   mov %rsi, %rax ; out %eax, $0x80       boot_params address
 *   mov %cs, %eax ; out %eax, $0x84        __BOOT_CS
 *   mov 0x202(%rsi), %eax ; out %eax, $0x88  "HdrS" in the copied header
 *   mov %cr3, %rax ; out %eax, $0x8c       the loader's page tables
 *   movabs $0x3000000, %rax ; movl $0x600dc0de, (%rax)
 *   hlt
 */
static const uint8_t entry_code[] = {
    0x48, 0x89, 0xf0, 0xe7, 0x80, 0x8c, 0xc8, 0xe7, 0x84, 0x8b, 0x86, 0x02, 0x02, 0x00,
    0x00, 0xe7, 0x88, 0x0f, 0x20, 0xd8, 0xe7, 0x8c, 0x48, 0xb8, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x00, 0xc7, 0x00, 0xde, 0xc0, 0x0d, 0x60, 0xf4,
};

/* ------------------------------------------------------ synthetic images */

typedef struct FakeKernel {
    uint16_t version;
    uint16_t xloadflags;
    uint32_t initrd_addr_max;
    uint32_t cmdline_size;
    uint64_t pref_address;
    uint32_t init_size;
    bool bad_magic;
    int truncate; /* bytes cut off the end */
} FakeKernel;

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

#define SETUP_SECTS 2
#define PAYLOAD 0x1000

/* Write a bzImage to a new temporary file; returns its path (static buffer per slot). */
static const char *write_kernel(int slot, const FakeKernel *k)
{
    static char paths[4][64];
    size_t setup = (SETUP_SECTS + 1) * 512;
    size_t size = setup + PAYLOAD;
    uint8_t *d = calloc(1, size);
    d[0x1f1] = SETUP_SECTS;
    put32(d + 0x1f4, PAYLOAD / 16);
    put16(d + 0x1fe, 0xaa55);
    d[0x200] = 0xeb;
    d[0x201] = 0x6a; /* header ends at 0x26c */
    memcpy(d + 0x202, k->bad_magic ? "HdrX" : "HdrS", 4);
    put16(d + 0x206, k->version);
    d[0x211] = 0x01; /* LOADED_HIGH */
    put32(d + 0x214, 0x100000);
    put32(d + 0x22c, k->initrd_addr_max);
    put32(d + 0x230, 0x200000);
    d[0x234] = 1;
    put16(d + 0x236, k->xloadflags);
    put32(d + 0x238, k->cmdline_size);
    put32(d + 0x258, (uint32_t)k->pref_address);
    put32(d + 0x260, k->init_size);
    /* payload: a recognisable pattern, the entry code at +0x200 */
    for (size_t i = 0; i < PAYLOAD; i++) {
        d[setup + i] = (uint8_t)(i * 7 + 1);
    }
    memcpy(d + setup + 0x200, entry_code, sizeof(entry_code));
    snprintf(paths[slot], sizeof(paths[slot]), "/tmp/coremu-bz-XXXXXX");
    int fd = mkstemp(paths[slot]);
    if (fd < 0 || write(fd, d, size - (size_t)k->truncate) != (ssize_t)(size - (size_t)k->truncate)) {
        perror("write_kernel");
        exit(2);
    }
    close(fd);
    free(d);
    return paths[slot];
}

static const char *write_initrd(size_t size)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/coremu-rd-XXXXXX");
    int fd = mkstemp(path);
    uint8_t *d = malloc(size);
    for (size_t i = 0; i < size; i++) {
        d[i] = (uint8_t)(i ^ (i >> 8));
    }
    if (fd < 0 || write(fd, d, size) != (ssize_t)size) {
        perror("write_initrd");
        exit(2);
    }
    close(fd);
    free(d);
    return path;
}

static FakeKernel good_kernel(void)
{
    return (FakeKernel){
        .version = 0x020f,
        .xloadflags = 0x3,
        .initrd_addr_max = 0x7fffffff,
        .cmdline_size = 2047,
        .pref_address = 0x1000000,
        .init_size = 0x800000,
    };
}

static const E820Entry test_e820[] = {
    { 0, 0x9fc00, E820_RAM },
    { 0x9fc00, 0x60400, E820_RESERVED },
    { 0x100000, 64 * MiB - 0x100000, E820_RAM },
};

/* ------------------------------------------------------------ loader */

static bool test_loader_layout(void)
{
    FakeKernel fk = good_kernel();
    const char *kpath = write_kernel(0, &fk);
    const char *rpath = write_initrd(300000);
    AddressSpace *as = address_space_new("boot");
    memory_map_ram(as, "ram", 0, 64 * MiB);
    X86BootInfo info;
    bool ok = x86_boot_load(as, kpath, rpath, "console=ttyS0 quiet", 64 * MiB, test_e820, 3,
                            0xf0000, &info);
    unlink(kpath);
    unlink(rpath);
    CHECK(ok, "load failed");
    CHECK(info.version == 0x020f && info.kernel_addr == 0x100000 && info.entry64 == 0x100200,
          "version %x addr %llx entry %llx", info.version,
          (unsigned long long)info.kernel_addr, (unsigned long long)info.entry64);
    CHECK(info.kernel_end == 0x1800000, "kernel_end %llx (pref_address + init_size)",
          (unsigned long long)info.kernel_end);
    uint8_t *ram = memory_ram_ptr(as, 0, 64 * MiB);
    for (int i = 0; i < PAYLOAD; i++) {
        if (i >= 0x200 && i < 0x200 + (int)sizeof(entry_code)) {
            continue;
        }
        CHECK(ram[0x100000 + i] == (uint8_t)(i * 7 + 1), "payload byte %d", i);
    }
    uint64_t rd = info.initrd_addr;
    CHECK(rd == ((64 * MiB - 300000) & ~0xfffull) && info.initrd_size == 300000,
          "initrd at %llx", (unsigned long long)rd);
    CHECK(ram[rd + 1000] == (uint8_t)(1000 ^ (1000 >> 8)), "initrd bytes");
    const uint8_t *bp = ram + X86_BOOT_PARAMS_ADDR;
    CHECK(!memcmp(bp + 0x202, "HdrS", 4) && bp[0x206] == 0x0f && bp[0x207] == 0x02 &&
              bp[0x236] == 3 && get32(bp + 0x260) == 0x800000 && bp[0x1f1] == SETUP_SECTS,
          "setup header copied");
    CHECK(bp[0x210] == 0xff, "type_of_loader %02x", bp[0x210]);
    CHECK(bp[0x211] & 0x80, "CAN_USE_HEAP");
    CHECK(bp[0x1fa] == 0xff && bp[0x1fb] == 0xff, "vid_mode normal");
    CHECK(get32(bp + 0x214) == 0x100000, "code32_start");
    CHECK(get32(bp + 0x218) == rd && get32(bp + 0x21c) == 300000, "ramdisk fields");
    CHECK(get32(bp + 0x228) == X86_BOOT_CMDLINE_ADDR, "cmd_line_ptr");
    CHECK(!strcmp((const char *)ram + X86_BOOT_CMDLINE_ADDR, "console=ttyS0 quiet"), "cmdline");
    CHECK(get64(bp + 0x70) == 0xf0000, "acpi_rsdp_addr");
    CHECK(bp[0x1e8] == 3, "e820_entries %d", bp[0x1e8]);
    for (int i = 0; i < 3; i++) {
        const uint8_t *e = bp + 0x2d0 + 20 * i;
        CHECK(get64(e) == test_e820[i].addr && get64(e + 8) == test_e820[i].size &&
                  get32(e + 16) == test_e820[i].type,
              "e820[%d]", i);
    }
    CHECK(bp[0x0e] == 0 && bp[0x07] == 0, "screen_info left empty (no VGA console)");
    /* GDT: 0x10 is 64-bit code, 0x18 flat data */
    CHECK(get64(ram + X86_BOOT_GDT_ADDR + 0x10) == 0x00af9a000000ffffull &&
              get64(ram + X86_BOOT_GDT_ADDR + 0x18) == 0x00cf92000000ffffull,
          "boot GDT");
    address_space_free(as);
    return true;
}

static bool test_loader_initrd_rules(void)
{
    AddressSpace *as = address_space_new("boot");
    memory_map_ram(as, "ram", 0, 64 * MiB);
    X86BootInfo info;
    /* initrd_addr_max below the top of RAM wins */
    FakeKernel fk = good_kernel();
    fk.initrd_addr_max = 32 * MiB - 1;
    const char *kpath = write_kernel(0, &fk);
    const char *rpath = write_initrd(8192);
    bool ok = x86_boot_load(as, kpath, rpath, NULL, 64 * MiB, test_e820, 3, 0, &info);
    CHECK(ok && info.initrd_addr == 32 * MiB - 8192, "initrd at %llx",
          (unsigned long long)info.initrd_addr);
    unlink(kpath);
    /* an initrd that would reach into [1 MiB, pref_address + init_size) is refused */
    fk = good_kernel();
    fk.init_size = 40 * MiB; /* the kernel's range ends at 56 MiB, the initrd must end by 32 */
    fk.initrd_addr_max = 32 * MiB - 1;
    kpath = write_kernel(0, &fk);
    ok = x86_boot_load(as, kpath, rpath, NULL, 64 * MiB, test_e820, 3, 0, &info);
    CHECK(!ok, "initrd overlapping the decompression range accepted");
    unlink(kpath);
    /* a kernel whose decompression range exceeds RAM is refused */
    fk = good_kernel();
    fk.init_size = 80 * MiB;
    kpath = write_kernel(0, &fk);
    ok = x86_boot_load(as, kpath, NULL, NULL, 64 * MiB, test_e820, 3, 0, &info);
    CHECK(!ok, "kernel larger than RAM accepted");
    unlink(kpath);
    unlink(rpath);
    address_space_free(as);
    return true;
}

static bool test_loader_rejects(void)
{
    AddressSpace *as = address_space_new("boot");
    memory_map_ram(as, "ram", 0, 64 * MiB);
    X86BootInfo info;
    struct {
        const char *what;
        FakeKernel k;
    } bad[5];
    for (int i = 0; i < 5; i++) {
        bad[i].k = good_kernel();
    }
    bad[0].what = "no HdrS";
    bad[0].k.bad_magic = true;
    bad[1].what = "protocol 2.11";
    bad[1].k.version = 0x020b;
    bad[2].what = "no XLF_KERNEL_64";
    bad[2].k.xloadflags = 0;
    bad[3].what = "truncated";
    bad[3].k.truncate = 100;
    bad[4].what = "command line too long";
    bad[4].k.cmdline_size = 8;
    for (int i = 0; i < 5; i++) {
        const char *kpath = write_kernel(0, &bad[i].k);
        bool ok = x86_boot_load(as, kpath, NULL, "console=ttyS0", 64 * MiB, test_e820, 3, 0,
                                &info);
        unlink(kpath);
        CHECK(!ok, "%s: accepted", bad[i].what);
    }
    CHECK(!x86_boot_load(as, "/nonexistent/bzImage", NULL, NULL, 64 * MiB, test_e820, 3, 0,
                         &info),
          "missing file accepted");
    address_space_free(as);
    return true;
}

/* The Debian kernel of images/ (when fetched) parses as a 64-bit bzImage. */
static bool test_loader_debian_header(void)
{
    const char *path = "images/x86_64/bzImage";
    FILE *f = fopen(path, "rb");
    if (!f) {
        return true; /* images not fetched: nothing to check */
    }
    uint8_t hdr[0x1000];
    size_t n = fread(hdr, 1, sizeof(hdr), f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    X86SetupHeader h;
    /* the parser checks the size against syssize: give it the real size */
    uint8_t *buf = calloc(1, (size_t)size);
    f = fopen(path, "rb");
    CHECK(f && fread(buf, 1, (size_t)size, f) == (size_t)size, "read %s", path);
    fclose(f);
    bool ok = x86_parse_setup_header(path, buf, (uint64_t)size, &h);
    free(buf);
    CHECK(n == sizeof(hdr) && ok, "Debian bzImage rejected");
    CHECK(h.version >= 0x20c && (h.xloadflags & 1) && h.relocatable_kernel, "header fields");
    return true;
}

/* ------------------------------------------------------ the whole board */

typedef struct PortLog {
    X86PortIO inner;
    uint16_t port[16];
    uint64_t val[16];
    int n;
} PortLog;

static uint64_t log_in(void *opaque, uint16_t port, unsigned size)
{
    PortLog *l = opaque;
    return l->inner.in(l->inner.opaque, port, size);
}

static void log_out(void *opaque, uint16_t port, uint64_t val, unsigned size)
{
    PortLog *l = opaque;
    if (port >= 0x80 && port < 0x90 && l->n < 16) {
        l->port[l->n] = port;
        l->val[l->n++] = val;
    }
    l->inner.out(l->inner.opaque, port, val, size);
}

/* kept reachable for LeakSanitizer: machines live until exit */
static Machine *volatile keep_machine;
static MachineOptions keep_opts;
static PortLog keep_log;

static bool test_pc_machine_boot(void)
{
    FakeKernel fk = good_kernel();
    const char *kpath = write_kernel(1, &fk);
    const char *rpath = write_initrd(65536);
    const MachineClass *mc = machine_find("pc");
    CHECK(mc && machine_default() == mc, "pc is registered and the default");
    MachineOptions *o = &keep_opts;
    memset(o, 0, sizeof(*o));
    o->machine = "pc";
    o->smp = 1;
    o->ram_size = 64 * MiB;
    o->kernel = kpath;
    o->initrd = rpath;
    o->append = "console=ttyS0";
    Machine *m = calloc(1, sizeof(*m));
    keep_machine = m;
    m->mc = mc;
    m->opts = o;
    m->as = address_space_new("memory");
    m->ncpus = 1;
    m->cpus[0] = cpu_create(m, mc->cpu_class, 0, "qemu64");
    bool ok = mc->init(m);
    unlink(kpath);
    unlink(rpath);
    CHECK(ok, "pc init failed");
    CPUState *cs = m->cpus[0];
    X86CPU *cpu = x86_cpu(cs);
    PortLog *l = &keep_log;
    memset(l, 0, sizeof(*l));
    l->inner = cpu->port_io;
    X86PortIO io = { log_in, log_out, l };
    x86_cpu_set_port_io(cs, &io);

    /* e820: low RAM, the hole with the ACPI area as type 3, RAM from 1 MiB */
    uint8_t *ram = memory_ram_ptr(m->as, 0, 64 * MiB);
    const uint8_t *bp = ram + X86_BOOT_PARAMS_ADDR;
    int n = bp[0x1e8];
    bool saw_acpi = false, saw_high_ram = false, saw_low_ram = false;
    uint64_t acpi_lo = 0;
    for (int i = 0; i < n; i++) {
        const uint8_t *e = bp + 0x2d0 + 20 * i;
        uint64_t a = get64(e), sz = get64(e + 8);
        uint32_t t = get32(e + 16);
        if (t == E820_ACPI) {
            saw_acpi = true;
            acpi_lo = a;
            CHECK(a >= 0x9fc00 && a + sz <= PC_ACPI_RSDP_ADDR, "ACPI area %llx+%llx",
                  (unsigned long long)a, (unsigned long long)sz);
        }
        if (t == E820_RAM && a == 0) {
            saw_low_ram = sz == 0x9fc00;
        }
        if (t == E820_RAM && a == 0x100000) {
            saw_high_ram = sz == 63 * MiB;
        }
        if (i > 0) {
            CHECK(get64(e - 20) + get64(e - 12) <= a, "e820 sorted, no overlap at %d", i);
        }
    }
    CHECK(saw_acpi && saw_low_ram && saw_high_ram, "e820 (%d entries): acpi %d low %d high %d",
          n, saw_acpi, saw_low_ram, saw_high_ram);
    CHECK(!memcmp(ram + get64(bp + 0x70), "RSD PTR ", 8) && get64(bp + 0x70) == PC_ACPI_RSDP_ADDR,
          "acpi_rsdp_addr points at the RSDP");
    CHECK(acpi_lo == PC_ACPI_TABLES_BASE, "ACPI tables at %llx", (unsigned long long)acpi_lo);
    CHECK(ram[0x413] == 0x7f && ram[0x414] == 0x02, "BDA base memory 639 KiB");

    /* identity map to 4 GiB through the boot page tables */
    uint64_t probes[] = { 0x1234, 0x3000000, 0xbfe00123, 0xfee00000, 0xffffffff };
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        uint64_t pa = x86_cpu_get_phys_page_debug(cs, probes[i]);
        CHECK(pa == (probes[i] & ~0xfffull) || pa == probes[i], "%llx -> %llx",
              (unsigned long long)probes[i], (unsigned long long)pa);
    }

    /* port dispatch */
    X86PortIO *pio = &l->inner;
    pio->out(pio->opaque, 0x3ff, 0x5a, 1);
    CHECK(pio->in(pio->opaque, 0x3ff, 1) == 0x5a, "COM1 scratch");
    CHECK(pio->in(pio->opaque, 0x3fd, 1) == 0x60, "COM1 LSR %02x",
          (unsigned)pio->in(pio->opaque, 0x3fd, 1));
    pio->out(pio->opaque, 0x70, 0x0d, 1);
    CHECK(pio->in(pio->opaque, 0x71, 1) == 0x80, "CMOS register D: VRT");
    pio->out(pio->opaque, 0x70, 0x15, 1);
    CHECK(pio->in(pio->opaque, 0x71, 1) == (640 & 0xff), "CMOS base memory");
    pio->out(pio->opaque, 0x64, 0xaa, 1);
    CHECK((pio->in(pio->opaque, 0x64, 1) & 1) && pio->in(pio->opaque, 0x60, 1) == 0x55,
          "i8042 self-test through ports");
    CHECK(pio->in(pio->opaque, 0x2f8, 1) == 0xff, "unassigned port reads 0xff");
    CHECK(pio->in(pio->opaque, 0x2f8, 4) == 0xffffffffu, "unassigned dword");
    /* a word at 0x3fe reads MSR (0x3fe) and SCR (0x3ff) */
    CHECK((pio->in(pio->opaque, 0x3fe, 2) >> 8) == 0x5a, "word access split over two ports");
    pio->out(pio->opaque, 0x80, 0x12, 1); /* POST code sink */

    /* run the entry code */
    tb_cache_new(cs, &tcg_backend_x86_64, 16u << 20);
    int ret = -1;
    for (int guard = 0; guard < 100 && ret != EXCP_HLT; guard++) {
        ret = cpu_exec(cs);
    }
    CHECK(ret == EXCP_HLT, "entry code did not reach HLT (%d)", ret);
    CHECK(l->n == 4, "%d port writes", l->n);
    CHECK(l->port[0] == 0x80 && l->val[0] == X86_BOOT_PARAMS_ADDR, "rsi = %llx",
          (unsigned long long)l->val[0]);
    CHECK(l->port[1] == 0x84 && l->val[1] == 0x10, "CS = %llx", (unsigned long long)l->val[1]);
    CHECK(l->port[2] == 0x88 && l->val[2] == 0x53726448, "HdrS via rsi: %llx",
          (unsigned long long)l->val[2]);
    CHECK(l->port[3] == 0x8c && l->val[3] == X86_BOOT_PGTABLE_ADDR, "CR3 = %llx",
          (unsigned long long)l->val[3]);
    CHECK(get32(ram + 0x3000000) == 0x600dc0de, "store through the identity map");
    CPUX86State *env = cpu_env(cs);
    CHECK((env->efer & EFER_LMA) && (env->hflags & HF_CS64) && !(env->eflags & IF_MASK),
          "long mode, interrupts off");
    uint64_t v;
    CHECK(x86_rdmsr(env, MSR_MTRR_DEFTYPE, &v) && v == 0xc06, "MTRRdefType %llx (E FE WB)",
          (unsigned long long)v);
    CHECK(x86_rdmsr(env, MSR_MTRR_FIX16K_A0000, &v) && v == 0, "VGA window UC");
    CHECK(x86_rdmsr(env, MSR_MTRR_PHYSBASE0, &v) && v == 0xc0000000ull, "PhysBase0 %llx",
          (unsigned long long)v);
    CHECK(x86_rdmsr(env, MSR_MTRR_PHYSBASE0 + 1, &v) && v == 0xffc0000800ull, "PhysMask0 %llx",
          (unsigned long long)v);
    return true;
}

/* -------------------------------------------------------------- i8042 */

static int kbd_level, kbd_edges, resets;

static void kbd_irq(void *opaque, int n, int level)
{
    if (level && !kbd_level) {
        kbd_edges++;
    }
    kbd_level = level;
}

static void count_reset(void *opaque)
{
    resets++;
}

static uint8_t kb_rd(I8042State *s, int port)
{
    return (uint8_t)i8042_read(s, port == 0x64 ? 4 : 0, 1);
}

static void kb_wr(I8042State *s, int port, uint8_t v)
{
    i8042_write(s, port == 0x64 ? 4 : 0, v, 1);
}

static bool test_i8042(void)
{
    kbd_level = kbd_edges = resets = 0;
    I8042State *s = i8042_new((IRQLine){ kbd_irq, NULL, 1 }, (IRQLine){ NULL, NULL, 12 },
                              count_reset, NULL);
    CHECK((kb_rd(s, 0x64) & (I8042_STR_OBF | I8042_STR_SYS)) == I8042_STR_SYS, "reset status");
    kb_wr(s, 0x64, 0xaa);
    CHECK((kb_rd(s, 0x64) & I8042_STR_OBF) && kb_rd(s, 0x60) == 0x55, "self-test 0x55");
    CHECK(kbd_edges == 1 && kbd_level == 0, "IRQ 1 pulsed for the reply (%d)", kbd_edges);
    kb_wr(s, 0x64, 0x20);
    uint8_t ctr = kb_rd(s, 0x60);
    CHECK(ctr & I8042_CTR_XLATE, "CTR %02x", ctr);
    CHECK(kbd_edges == 2, "IRQ for the CTR reply");
    kb_wr(s, 0x64, 0x60);
    kb_wr(s, 0x60, (uint8_t)(ctr & ~I8042_CTR_KBDINT));
    kb_wr(s, 0x64, 0x20);
    CHECK(kb_rd(s, 0x60) == (uint8_t)(ctr & ~I8042_CTR_KBDINT), "CTR written");
    CHECK(kbd_edges == 2, "no IRQ with KBDINT clear");
    kb_wr(s, 0x64, 0x60);
    kb_wr(s, 0x60, ctr);
    /* keyboard: reset and identify (translated) */
    kb_wr(s, 0x60, 0xff);
    CHECK(kb_rd(s, 0x60) == 0xfa && kb_rd(s, 0x60) == 0xaa, "reset: FA AA");
    kb_wr(s, 0x60, 0xf2);
    CHECK(kb_rd(s, 0x60) == 0xfa && kb_rd(s, 0x60) == 0xab && kb_rd(s, 0x60) == 0x41,
          "identify: FA AB 41");
    kb_wr(s, 0x60, 0xed);
    CHECK(kb_rd(s, 0x60) == 0xfa, "LED command ack");
    kb_wr(s, 0x60, 0x07);
    CHECK(kb_rd(s, 0x60) == 0xfa, "LED argument ack");
    CHECK(!(kb_rd(s, 0x64) & I8042_STR_OBF), "queue empty");
    /* no AUX port */
    kb_wr(s, 0x64, 0xa9);
    CHECK(kb_rd(s, 0x60) == 0x02, "AUX test: clock stuck high");
    kb_wr(s, 0x64, 0xd3);
    kb_wr(s, 0x60, 0x5a);
    uint8_t st = kb_rd(s, 0x64);
    CHECK((st & I8042_STR_OBF) && !(st & I8042_STR_AUXDATA) && kb_rd(s, 0x60) == 0x5a,
          "AUX loop echo without AUXDATA (%02x)", st);
    /* the reset line */
    kb_wr(s, 0x64, 0xd0);
    CHECK(kb_rd(s, 0x60) & 1, "output port: not in reset");
    CHECK(resets == 0, "no reset yet");
    kb_wr(s, 0x64, 0xfe);
    CHECK(resets == 1, "0xfe pulses reset");
    kb_wr(s, 0x64, 0xd1);
    kb_wr(s, 0x60, 0x02);
    CHECK(resets == 2, "output port bit 0 clear resets");
    kb_wr(s, 0x64, 0xff);
    CHECK(resets == 2, "0xff pulses nothing");
    i8042_free(s);
    return true;
}

/* ---------------------------------------------------- CPU regressions */

/*
 *   mov $0xc0000100, %ecx ; mov $0x5000, %eax ; xor %edx, %edx ; wrmsr   FS_BASE = 0x5000
 *   xor %eax, %eax ; mov %eax, %fs                 null selector (base kept in 64-bit mode)
 *   mov %fs:0, %rax ; out %eax, $0x80              ring 0 reads [0x5000]
 *   pushq $0x2b ; pushq $0x9000 ; pushq $0x3002 ; pushq $0x33 ; lea user(%rip), %rax ;
 *   push %rax ; iretq                              to ring 3 (IOPL 3)
 * user:
 *   mov %fs:0, %rax ; out %eax, $0x81              ring 3 reads [0x5000] again
 *   1: jmp 1b
 */
static const uint8_t fsbase_code[] = {
    0xb9, 0x00, 0x01, 0x00, 0xc0, 0xb8, 0x00, 0x50, 0x00, 0x00, 0x31, 0xd2, 0x0f, 0x30,
    0x31, 0xc0, 0x8e, 0xe0, 0x64, 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0xe7,
    0x80, 0x6a, 0x2b, 0x68, 0x00, 0x90, 0x00, 0x00, 0x68, 0x02, 0x30, 0x00, 0x00, 0x6a,
    0x33, 0x48, 0x8d, 0x05, 0x03, 0x00, 0x00, 0x00, 0x50, 0x48, 0xcf, 0x64, 0x48, 0x8b,
    0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0xe7, 0x81, 0xeb, 0xfe,
};

typedef struct FsLog {
    CPUState *cs;
    uint64_t v80, v81;
    int n;
} FsLog;

static uint64_t fs_in(void *opaque, uint16_t port, unsigned size)
{
    return 0xffffffffu;
}

static void fs_out(void *opaque, uint16_t port, uint64_t val, unsigned size)
{
    FsLog *l = opaque;
    l->n++;
    if (port == 0x80) {
        l->v80 = val;
    } else if (port == 0x81) {
        l->v81 = val;
        cpu_exit(l->cs); /* the guest then spins: stop it here */
    }
}

static void put64le(AddressSpace *as, uint64_t a, uint64_t v)
{
    memory_rw(as, a, &v, 8, true);
}

static CPUState *volatile keep_fs_cpu;
static AddressSpace *volatile keep_fs_as;
static FsLog keep_fs_log;

static bool test_fs_base_iret(void)
{
    AddressSpace *as = address_space_new("fs");
    memory_map_ram(as, "ram", 0, 1 * MiB);
    keep_fs_as = as;
    Machine m;
    memset(&m, 0, sizeof(m));
    m.as = as;
    m.ncpus = 1;
    CPUState *cs = cpu_create(&m, &x86_cpu_class, 0, "qemu64");
    keep_fs_cpu = cs;
    m.cpus[0] = cs;
    tb_cache_new(cs, &tcg_backend_x86_64, 16u << 20);
    FsLog *l = &keep_fs_log;
    memset(l, 0, sizeof(*l));
    l->cs = cs;
    X86PortIO io = { fs_in, fs_out, l };
    x86_cpu_set_port_io(cs, &io);
    /* GDT at 0x6000: 0x10 kernel code64, 0x18 kernel data, 0x28 user data, 0x30 user code64 */
    static const uint64_t gdt[7] = { 0, 0, 0x00af9a000000ffffull, 0x00cf92000000ffffull, 0,
                                     0x00cff2000000ffffull, 0x00affa000000ffffull };
    for (int i = 0; i < 7; i++) {
        put64le(as, 0x6000 + 8 * (uint64_t)i, gdt[i]);
    }
    /* page tables: the first 2 MiB, user-accessible */
    put64le(as, 0x1000, 0x2000 | 7);
    put64le(as, 0x2000, 0x3000 | 7);
    put64le(as, 0x3000, 0x0 | 0x87);
    put64le(as, 0x5000, 0x1122334455667788ull);
    memory_rw(as, 0x10000, (void *)fsbase_code, sizeof(fsbase_code), true);
    x86_cpu_set_long_mode_entry(cs, 0x10000, 0x1000, 0);
    CPUX86State *env = cpu_env(cs);
    env->gdt.base = 0x6000;
    env->gdt.limit = 7 * 8 - 1;
    env->regs[R_ESP] = 0x9f000;
    for (int guard = 0; guard < 100 && l->n < 2; guard++) {
        cpu_exec(cs);
    }
    CHECK(l->n == 2, "%d port writes", l->n);
    CHECK(l->v80 == 0x55667788, "ring 0 FS read %llx", (unsigned long long)l->v80);
    CHECK(x86_cpl(env) == 3, "IRETQ reached ring 3");
    CHECK(env->segs[R_FS].base == 0x5000, "FS base after IRETQ: %llx",
          (unsigned long long)env->segs[R_FS].base);
    CHECK(l->v81 == 0x55667788, "ring 3 FS read %llx", (unsigned long long)l->v81);
    return true;
}

static CPUState *volatile keep_syscfg_cpu;
static AddressSpace *volatile keep_syscfg_as;

static bool test_amd_syscfg(void)
{
    AddressSpace *as = address_space_new("syscfg");
    Machine m;
    memset(&m, 0, sizeof(m));
    m.as = as;
    m.ncpus = 1;
    CPUState *cs = cpu_create(&m, &x86_cpu_class, 0, "qemu64");
    CPUX86State *env = cpu_env(cs);
    uint64_t v = ~0ull;
    bool ok = x86_rdmsr(env, 0xc0010010, &v);
    bool wok = x86_wrmsr(env, 0xc0010010, 0);
    keep_syscfg_cpu = cs;
    keep_syscfg_as = as;
    CHECK(ok && v == 0, "RDMSR SYSCFG: ok=%d value %llx", ok, (unsigned long long)v);
    CHECK(wok, "WRMSR SYSCFG 0 refused");
    return true;
}

static CPUState *volatile keep_init_cpu, *volatile keep_init_cpu0;
static AddressSpace *volatile keep_init_as;

static bool test_init_keeps_mtrrs(void)
{
    AddressSpace *as = address_space_new("init");
    memory_map_ram(as, "ram", 0, 1 * MiB);
    keep_init_as = as;
    Machine m;
    memset(&m, 0, sizeof(m));
    m.as = as;
    m.ncpus = 2;
    m.cpus[0] = cpu_create(&m, &x86_cpu_class, 0, "qemu64");
    keep_init_cpu0 = m.cpus[0];
    CPUState *cs = cpu_create(&m, &x86_cpu_class, 1, "qemu64"); /* an AP */
    m.cpus[1] = cs;
    keep_init_cpu = cs;
    x86_boot_set_mtrrs(cs);
    CPUX86State *env = cpu_env(cs);
    CHECK(x86_wrmsr(env, MSR_IA32_PAT, 0x0007010600070106ull), "WRMSR PAT");
    env->regs[R_EAX] = 0x1234;
    cpu_interrupt(cs, CPU_INTERRUPT_INIT);
    CHECK(x86_cpu_exec_interrupt(cs, CPU_INTERRUPT_INIT), "INIT not taken");
    uint64_t v;
    CHECK(env->wait_for_sipi && env->regs[R_EAX] == 0, "INIT: reset state, waiting for SIPI");
    CHECK(x86_rdmsr(env, MSR_MTRR_DEFTYPE, &v) && v == 0xc06, "MTRRdefType after INIT %llx",
          (unsigned long long)v);
    CHECK(x86_rdmsr(env, MSR_MTRR_FIX64K, &v) && v == 0x0606060606060606ull, "fixed MTRR");
    CHECK(x86_rdmsr(env, MSR_MTRR_PHYSBASE0 + 1, &v) && v == 0xffc0000800ull, "PhysMask0");
    CHECK(x86_rdmsr(env, MSR_IA32_PAT, &v) && v == 0x0007010600070106ull, "PAT after INIT");
    return true;
}

int main(void)
{
    run("loader_layout", test_loader_layout);
    run("loader_initrd_rules", test_loader_initrd_rules);
    run("loader_rejects", test_loader_rejects);
    run("loader_debian_header", test_loader_debian_header);
    run("pc_machine_boot", test_pc_machine_boot);
    run("i8042", test_i8042);
    run("fs_base_iret", test_fs_base_iret);
    run("amd_syscfg", test_amd_syscfg);
    run("init_keeps_mtrrs", test_init_keeps_mtrrs);
    return failures ? 1 : 0;
}
