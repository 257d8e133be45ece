/*
 * test-x86-multiboot.c — the Multiboot v1 path of the pc board's -kernel
 * (hw/i386/x86-boot.c), on synthetic images written to temporary files:
 *
 *  - an ELF32 image: PT_LOAD segments at p_paddr, the BSS part (memsz past
 *    filesz) zeroed over RAM that held something else, the entry point, and
 *    the information structure (flags, mem_lower/upper from the e820 map, the
 *    mmap entries, the command line, the loader name);
 *  - the address-field form (header flag 16): load_addr..load_end_addr from
 *    the file offset the header implies, bss_end_addr zeroed, entry_addr;
 *  - rejections, each with one error line and no load: an ELF64 image, a
 *    required video mode (flag 2), a segment past the end of RAM, an initrd
 *    (modules are not supported), and a header with a bad checksum or beyond
 *    the first 8 KiB (then it is no Multiboot image: "not a bzImage");
 *  - x86_boot_enter(): 32-bit protected mode, flat CS, paging off, EAX =
 *    0x2BADB002, EBX = the structure, at the entry point.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/memory.h"
#include "hw/i386/pc-internal.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "target/i386/cpu.h"

#define MiB (1024ull * 1024)
#define RAM (32 * MiB)
#define MB_MAGIC 0x1badb002u

static int failures;
static Machine machine;
static CPUState *cs;

static void check(const char *name, bool ok, const char *why)
{
    if (ok) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
}

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

static const char *write_file(const uint8_t *d, size_t n)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/coremu-mb-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, d, n) != (ssize_t)n) {
        perror("write_file");
        exit(2);
    }
    close(fd);
    return path;
}

static void mb_header(uint8_t *p, uint32_t flags)
{
    put32(p, MB_MAGIC);
    put32(p + 4, flags);
    put32(p + 8, (uint32_t)-(MB_MAGIC + flags));
}

/*
 * ELF32 EXEC, EM_386 (machine overridable), two PT_LOAD segments:
 *   file 0x1000..0x1fff -> paddr 0x100000 (filesz 0x1000, memsz 0x1000)
 *   file 0x2000..0x20ff -> paddr 0x200000 (filesz 0x100, memsz 0x3000: BSS)
 * the Multiboot header at file offset 0x1000, entry 0x100010.
 */
static size_t make_elf(uint8_t *d, uint16_t machine, uint32_t seg2_paddr, uint32_t mbflags)
{
    size_t n = 0x2100;
    memset(d, 0, n);
    memcpy(d, "\x7f" "ELF", 4);
    d[4] = 1; /* ELFCLASS32 */
    d[5] = 1; /* little-endian */
    d[6] = 1;
    put16(d + 16, 2); /* ET_EXEC */
    put16(d + 18, machine);
    put32(d + 20, 1);
    put32(d + 24, 0x100010); /* e_entry */
    put32(d + 28, 52);       /* e_phoff */
    put16(d + 40, 52);
    put16(d + 42, 32);
    put16(d + 44, 2);
    uint8_t *ph = d + 52;
    put32(ph, 1);
    put32(ph + 4, 0x1000);
    put32(ph + 8, 0x100000);
    put32(ph + 12, 0x100000);
    put32(ph + 16, 0x1000);
    put32(ph + 20, 0x1000);
    ph += 32;
    put32(ph, 1);
    put32(ph + 4, 0x2000);
    put32(ph + 8, seg2_paddr);
    put32(ph + 12, seg2_paddr);
    put32(ph + 16, 0x100);
    put32(ph + 20, 0x3000);
    for (size_t i = 0x1000; i < n; i++) {
        d[i] = (uint8_t)(i * 13 + 5);
    }
    mb_header(d + 0x1000, mbflags);
    return n;
}

static const E820Entry e820[] = {
    {0, 0x9fc00, E820_RAM},
    {0xf0000, 0x10000, E820_RESERVED},
    {0x100000, RAM - 0x100000 - 0x10000, E820_RAM},
};

static AddressSpace *new_ram(void)
{
    AddressSpace *as = address_space_new("mb");
    memory_map_ram(as, "ram", 0, RAM);
    memset(memory_ram_ptr(as, 0, RAM), 0xaa, RAM);
    return as;
}

static void test_elf(void)
{
    static uint8_t d[0x3000];
    size_t n = make_elf(d, 3, 0x200000, 0x3);
    const char *path = write_file(d, n);
    AddressSpace *as = new_ram();
    X86BootInfo info;
    bool ok = x86_boot_load(as, path, NULL, "hello mb", RAM, e820, 3, 0, &info);
    unlink(path);
    check("elf: loads", ok, "x86_boot_load failed");
    if (!ok) {
        address_space_free(as);
        return;
    }
    const uint8_t *ram = memory_ram_ptr(as, 0, RAM);
    check("elf: multiboot entry", info.multiboot && info.entry32 == 0x100010 &&
                                      info.mb_info == X86_BOOT_PARAMS_ADDR,
          "info fields");
    check("elf: segment 1 bytes", !memcmp(ram + 0x100000, d + 0x1000, 0x1000), "mismatch");
    check("elf: segment 2 file part", !memcmp(ram + 0x200000, d + 0x2000, 0x100), "mismatch");
    bool zero = true;
    for (size_t i = 0x100; i < 0x3000; i++) {
        zero &= ram[0x200000 + i] == 0;
    }
    check("elf: BSS zeroed", zero, "memsz past filesz not zero");
    check("elf: nothing past the BSS", ram[0x203000] == 0xaa, "wrote past memsz");
    const uint8_t *mbi = ram + X86_BOOT_PARAMS_ADDR;
    check("mbi: flags mem|cmdline|mmap|name", get32(mbi) == (1u | 4u | 64u | 512u), "flags");
    check("mbi: mem_lower/upper", get32(mbi + 4) == 639 &&
                                      get32(mbi + 8) == (RAM - 0x10000 - 0x100000) / 1024,
          "sizes");
    uint32_t cl = get32(mbi + 16), len = get32(mbi + 44), map = get32(mbi + 48);
    check("mbi: cmdline", cl < RAM && !strcmp((const char *)ram + cl, "hello mb"), "cmdline");
    bool map_ok = len == 3 * 24;
    for (int i = 0; i < 3 && map_ok; i++) {
        const uint8_t *e = ram + map + 24 * i;
        map_ok = get32(e) == 20 && get32(e + 4) == (uint32_t)e820[i].addr &&
                 get32(e + 12) == (uint32_t)e820[i].size && get32(e + 20) == e820[i].type;
    }
    check("mbi: mmap = e820", map_ok, "mmap entries");
    uint32_t name = get32(mbi + 64);
    check("mbi: loader name", name < RAM && !strcmp((const char *)ram + name, "coremu"),
          "name");

    /* entering it (the core stays allocated: there is no cpu_destroy) */
    memset(&machine, 0, sizeof(machine));
    machine.as = as;
    machine.ncpus = 1;
    cs = cpu_create(&machine, &x86_cpu_class, 0, "qemu64");
    machine.cpus[0] = cs;
    x86_boot_enter(cs, &info);
    CPUX86State *env = cpu_env(cs);
    check("enter: eax magic, ebx info", (uint32_t)env->regs[R_EAX] == 0x2badb002u &&
                                           env->regs[R_EBX] == X86_BOOT_PARAMS_ADDR,
          "registers");
    check("enter: 32-bit protected mode, paging off, CPL 0",
          (env->cr[0] & (CR0_PE | CR0_PG)) == CR0_PE && !(env->efer & EFER_LMA) &&
              (env->hflags & HF_CS32) && x86_cpl(env) == 0 && env->rip == 0x100010 &&
              env->segs[R_CS].base == 0 && env->segs[R_CS].limit == 0xffffffffu &&
              !(env->eflags & IF_MASK),
          "mode");
    address_space_free(as);
}

static void test_aout(void)
{
    /* header at file offset 0x40 says: header_addr 0x300040, load from 0x300000
     * (file offset 0) to load_end 0x300400, BSS to 0x301000, entry 0x300080 */
    static uint8_t d[0x800];
    for (size_t i = 0; i < sizeof(d); i++) {
        d[i] = (uint8_t)(i * 3 + 1);
    }
    mb_header(d + 0x40, 1u << 16);
    put32(d + 0x4c, 0x300040);
    put32(d + 0x50, 0x300000);
    put32(d + 0x54, 0x300400);
    put32(d + 0x58, 0x301000);
    put32(d + 0x5c, 0x300080);
    const char *path = write_file(d, sizeof(d));
    AddressSpace *as = new_ram();
    X86BootInfo info;
    bool ok = x86_boot_load(as, path, NULL, NULL, RAM, e820, 3, 0, &info);
    unlink(path);
    const uint8_t *ram = memory_ram_ptr(as, 0, RAM);
    check("aout: loads, entry", ok && info.multiboot && info.entry32 == 0x300080, "load");
    check("aout: load range", ok && !memcmp(ram + 0x300000, d, 0x400) &&
                                  ram[0x300400] == 0 && ram[0x300fff] == 0 &&
                                  ram[0x301000] == 0xaa,
          "bytes or BSS");
    address_space_free(as);
}

static void test_rejects(void)
{
    static uint8_t d[0x3000];
    struct {
        const char *name;
        uint16_t machine;
        uint32_t seg2, flags;
        bool with_initrd, bad_sum, far;
    } cases[] = {
        {"reject: ELF64 machine (EM_X86_64)", 62, 0x200000, 0, false, false, false},
        {"reject: required video mode", 3, 0x200000, 4, false, false, false},
        {"reject: segment past RAM", 3, RAM - 0x1000, 0, false, false, false},
        {"reject: -initrd", 3, 0x200000, 0, true, false, false},
        {"reject: bad checksum (no multiboot header)", 3, 0x200000, 0, false, true, false},
        {"reject: header past 8 KiB", 3, 0x200000, 0, false, false, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = make_elf(d, cases[i].machine, cases[i].seg2, cases[i].flags);
        if (cases[i].bad_sum) {
            put32(d + 0x1008, get32(d + 0x1008) + 1);
        }
        if (cases[i].far) {
            memset(d + 0x1000, 0, 12);
            n = 0x2100;
            mb_header(d + 0x2004, 0);
        }
        char kpath[64];
        snprintf(kpath, sizeof(kpath), "%s", write_file(d, n));
        const char *rd = NULL;
        char rpath[64];
        if (cases[i].with_initrd) {
            snprintf(rpath, sizeof(rpath), "%s", write_file((const uint8_t *)"initrd", 6));
            rd = rpath;
        }
        AddressSpace *as = new_ram();
        X86BootInfo info;
        bool ok = x86_boot_load(as, kpath, rd, NULL, RAM, e820, 3, 0, &info);
        unlink(kpath);
        if (rd) {
            unlink(rpath);
        }
        check(cases[i].name, !ok, "accepted");
        address_space_free(as);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_elf();
    test_aout();
    test_rejects();
    return failures ? 1 : 0;
}
