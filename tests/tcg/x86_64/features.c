/*
 * features.c — CPUID says what the CPU does: for each feature a kernel
 * probes, the CPUID bit and the behaviour agree (the instruction runs or is
 * #UD; the CR4/EFER bit can be set or is #GP(0); a 1 GiB page maps or
 * faults with RSVD). Only the agreement is printed, so the output does not
 * depend on which features a model has (coremu -cpu max and Debian QEMU's
 * -cpu max report different sets).
 */
#include "lib.h"

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static int has(uint32_t leaf, int reg, int bit)
{
    uint32_t r[4], max[4];
    cpuid(leaf & 0x80000000u, 0, max);
    if (leaf > max[0]) {
        return 0;
    }
    cpuid(leaf, 0, r);
    return (int)((r[reg] >> bit) & 1);
}

enum { EAX, EBX, ECX, EDX };

static void agree(const char *name, int advertised, long vec, long fault_vec)
{
    int works = vec < 0;
    if (advertised == works && (works || vec == fault_vec)) {
        pr("%s: consistent\n", name);
    } else {
        pr("%s: advertised %d, vector %d\n", name, advertised, (int)vec);
    }
}

static long try_cr4(ureg bit)
{
    ureg old = READ_CR(4);
    long v = TRYI("mov %0, %%cr4", "r"(old | bit));
    WRITE_CR(4, old);
    return v;
}

static long try_efer(uint64_t bit)
{
    uint64_t old = rdmsr(MSR_EFER);
    long v = TRYI("wrmsr", "c"(MSR_EFER), "a"((uint32_t)(old | bit)), "d"((uint32_t)((old | bit) >> 32)));
    wrmsr(MSR_EFER, old);
    return v;
}

extern uint64_t pml4[512];
static uint64_t pdpt1[512] __attribute__((aligned(4096)));

int main(void)
{
    agree("rdtscp", has(0x80000001, EDX, 27), TRY("rdtscp", "eax", "ecx", "edx"), 6);
    agree("rdpid", has(7, ECX, 22), TRY("rdpid %%rax", "rax"), 6);
    agree("popcnt", has(1, ECX, 23), TRY("popcnt %%rax, %%rax", "rax"), 6);
    static uint64_t m[2] __attribute__((aligned(16)));
    agree("movbe", has(1, ECX, 22), TRYIC("movbe (%0), %%eax", "eax", "r"(m)), 6);
    agree("cmpxchg16b", has(1, ECX, 13),
          TRYI("xor %%eax, %%eax\n\txor %%edx, %%edx\n\tcmpxchg16b (%0)", "r"(m)), 6);
    agree("lahf in 64-bit mode", has(0x80000001, ECX, 0), TRY("lahf", "rax"), 6);
    agree("nx (efer.nxe)", has(0x80000001, EDX, 20), try_efer(1ull << 11), 13);
    agree("syscall (efer.sce)", has(0x80000001, EDX, 11), try_efer(1), 13);
    agree("vme (cr4.vme)", has(1, EDX, 1), try_cr4(1ul << 0), 13);
    agree("de (cr4.de)", has(1, EDX, 2), try_cr4(1ul << 3), 13);
    agree("pse (cr4.pse)", has(1, EDX, 3), try_cr4(1ul << 4), 13);
    agree("mce (cr4.mce)", has(1, EDX, 7), try_cr4(1ul << 6), 13);
    agree("pge (cr4.pge)", has(1, EDX, 13), try_cr4(1ul << 7), 13);
    agree("fxsr (cr4.osfxsr)", has(1, EDX, 24), try_cr4(1ul << 9), 13);
    agree("umip (cr4.umip)", has(7, ECX, 2), try_cr4(1ul << 11), 13);
    agree("fsgsbase (cr4.fsgsbase)", has(7, EBX, 0), try_cr4(1ul << 16), 13);
    agree("pcid (cr4.pcide)", has(1, ECX, 17), try_cr4(1ul << 17), 13);
    agree("xsave (cr4.osxsave)", has(1, ECX, 26), try_cr4(1ul << 18), 13);
    agree("pku (cr4.pke)", has(7, ECX, 3), try_cr4(1ul << 22), 13);

    /* 1 GiB pages: PML4[2] -> a PDPT whose entry 0 is a 1 GiB page at 0 */
    pml4[2] = (uint64_t)(ureg)pdpt1 | 3;
    pdpt1[0] = 0x83;
    WRITE_CR(3, READ_CR(3));
    long v = TRYIC("mov (%0), %%rax", "rax", "r"(0x10000000000ul + 0x100000));
    agree("pdpe1gb", has(0x80000001, EDX, 26), v, 14);
    if (v == 14) {
        pr("  not supported: #PF err %lx\n", last_err);
    }
    pml4[2] = 0;
    WRITE_CR(3, READ_CR(3));
    return 0;
}
