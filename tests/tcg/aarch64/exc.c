/*
 * exc.c — synchronous exceptions and the stage-1 MMU: SVC/BRK/UDF/unknown
 * system register syndromes, alignment faults, then a 4K-granule page table
 * (39-bit VAs, TTBR0 and TTBR1) with translation, access-flag and permission
 * faults at known levels, AT S1E1R/W into PAR_EL1, EL0 execution through
 * ERET and the lower-EL SVC and data-abort syndromes. Prints ESR/FAR/PAR
 * values for diffing against QEMU.
 */
#include "lib.h"

static void show(const char *what)
{
    puts_uart(what);
    puts_uart(": type ");
    print_dec((int64_t)last_exc_type);
    puts_uart(" esr ");
    print_hex(last_esr);
    puts_uart(" far ");
    print_hex(last_far);
    puts_uart("\n");
    last_exc_type = 99;
    last_esr = last_far = 0;
}

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t l3[512] __attribute__((aligned(4096)));
static uint64_t hl1[512] __attribute__((aligned(4096)));
static uint8_t pages[6][4096] __attribute__((aligned(4096)));

/* EL0 programs (position independent), copied into an EL0-executable page */
extern char el0_prog[], el0_prog_end[];
__asm__(".balign 4\n"
        "el0_prog:\n"
        "    cbz x1, 1f\n"
        "    ldr x0, [x1]\n"   /* x1 != 0: load (faults if EL1-only) */
        "1:  mov x0, #42\n"
        "    svc #0x77\n"
        "el0_prog_end:\n");

#define DESC_AF (1ull << 10)
#define DESC_SH (3ull << 8)
#define AP_RO (2ull << 6)
#define AP_EL0 (1ull << 6)
#define PXN (1ull << 53)
#define UXN (1ull << 54)
#define ATTR_NORMAL (1ull << 2)

static uint64_t at(const char *op, uint64_t va)
{
    uint64_t par;
    if (op[0] == 'r') {
        __asm__ volatile("at s1e1r, %1\nisb\nmrs %0, par_el1" : "=r"(par) : "r"(va));
    } else if (op[0] == 'w') {
        __asm__ volatile("at s1e1w, %1\nisb\nmrs %0, par_el1" : "=r"(par) : "r"(va));
    } else {
        __asm__ volatile("at s1e0r, %1\nisb\nmrs %0, par_el1" : "=r"(par) : "r"(va));
    }
    return par & ~(0xffull << 56); /* attributes differ by implementation */
}

static uint64_t run_el0(uint64_t entry, uint64_t x1)
{
    uint64_t res;
    __asm__ volatile("adr x9, 1f\n"
                     "str x9, [%[ret]]\n"
                     "msr elr_el1, %[entry]\n"
                     "msr spsr_el1, xzr\n"
                     "mov x1, %[x1]\n"
                     "mov x0, #7\n"
                     "eret\n"
                     "1: mov %[res], x0\n"
                     : [res] "=r"(res)
                     : [ret] "r"(&el0_return_to), [entry] "r"(entry), [x1] "r"(x1)
                     : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
                       "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x30",
                       "memory");
    return res;
}

int main(void)
{
    uint64_t v;
    exc_skip = 1;

    __asm__ volatile("svc #0x123");
    show("svc");
    __asm__ volatile("brk #0x42");
    show("brk");
    __asm__ volatile(".inst 0x00000000");
    show("udf");
    __asm__ volatile("mrs %0, s3_0_c11_c0_0" : "=r"(v));
    show("unknown sysreg");
    __asm__ volatile("hvc #1");
    show("hvc #1");
    /* CPACR_EL1.FPEN = 0: FP/SIMD traps with EC 0x07, then works again */
    __asm__ volatile("msr cpacr_el1, xzr\nisb\nfmov d0, xzr\nmov x0, #(3 << 20)\n"
                     "msr cpacr_el1, x0\nisb" ::: "x0", "v0");
    show("fp trapped");
    __asm__ volatile("fmov d0, %0\nfmov %0, d0" : "+r"(v) :: "v0");
    show("fp enabled again");
    static uint64_t words[4];
    char *mis = (char *)words + 3;
    __asm__ volatile("ldxr %0, [%1]" : "=r"(v) : "r"(mis));
    last_far -= (uint64_t)words;
    show("ldxr misaligned");
    __asm__ volatile("stlr %1, [%0]" ::"r"(mis), "r"(v) : "memory");
    last_far -= (uint64_t)words;
    show("stlr misaligned");

    /* ---- page tables ---- */
    uint64_t ram = 0x40000000;
    l1[0] = 0x00000000 | DESC_AF | 1 | PXN | UXN; /* device block, attr 0 */
    l1[1] = (uint64_t)l2 | 3;
    for (int i = 0; i < 8; i++) { /* 16 MB of RAM, EL1 RWX */
        l2[i] = (ram + ((uint64_t)i << 21)) | DESC_AF | DESC_SH | ATTR_NORMAL | 1;
    }
    l2[16] = (uint64_t)l3 | 3; /* VA 0x42000000: test pages */
    l3[0] = (uint64_t)pages[0] | DESC_AF | DESC_SH | ATTR_NORMAL | AP_RO | 3;
    l3[1] = 0;
    l3[2] = (uint64_t)pages[2] | DESC_SH | ATTR_NORMAL | 3; /* AF = 0 */
    l3[3] = (uint64_t)pages[3] | DESC_AF | DESC_SH | ATTR_NORMAL | AP_EL0 | 3;
    l3[4] = (uint64_t)pages[4] | DESC_AF | DESC_SH | ATTR_NORMAL | AP_EL0 | AP_RO | PXN | 3;
    l3[5] = (uint64_t)pages[5] | DESC_AF | DESC_SH | ATTR_NORMAL | UXN | 3; /* EL1 only */
    hl1[0] = ram | DESC_AF | DESC_SH | ATTR_NORMAL | 1; /* TTBR1: 1 GB of RAM */
    for (char *s = el0_prog, *d = (char *)pages[4]; s < el0_prog_end; s++, d++) {
        *d = *s;
    }
    pages[0][8] = 0x5a;
    pages[5][16] = 0x77;
    uint64_t mair = 0xff00; /* attr0 device nGnRnE, attr1 normal WB */
    uint64_t tcr = 25 | (25ull << 16) | (2ull << 30) | (5ull << 32) | (3ull << 12) |
                   (1ull << 10) | (1ull << 8) | (3ull << 28) | (1ull << 26) | (1ull << 24);
    uint64_t sctlr;
    __asm__ volatile("msr mair_el1, %0\nmsr tcr_el1, %1\nmsr ttbr0_el1, %2\nmsr ttbr1_el1, %3\n"
                     "isb\ntlbi vmalle1\ndsb sy\nisb"
                     : : "r"(mair), "r"(tcr), "r"((uint64_t)l1), "r"((uint64_t)hl1));
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    sctlr |= 1; /* M */
    sctlr &= ~(1ull << 19); /* WXN off */
    __asm__ volatile("msr sctlr_el1, %0\nisb" ::"r"(sctlr));
    puts_uart("mmu on\n");

    volatile uint8_t *t = (volatile uint8_t *)0x42000000ull;
    v = t[8];
    check("ro read", v, 0x5a);
    t[8] = 1;
    show("ro write");
    v = t[0x1000];
    show("unmapped l3");
    v = t[0x2000];
    show("af fault");
    v = *(volatile uint8_t *)0x80000000ull;
    show("unmapped l1");
    v = *(volatile uint8_t *)0x41200000ull;
    show("unmapped l2");
    t[0x3000] = 3;
    check("el0 page at el1", t[0x3000], 3);
    v = *(volatile uint32_t *)0x0e000000ull; /* no RAM or device: external abort */
    show("unassigned pa");

    /* TTBR1: the high half maps RAM at 0xffffff8000000000 */
    volatile uint8_t *hi = (volatile uint8_t *)(0xffffff8000000000ull + ((uint64_t)pages[0] - ram));
    check("ttbr1 read", hi[8], 0x5a);
    v = *(volatile uint8_t *)0xffffff0000000000ull;
    show("ttbr1 out of range");

    puts_uart("par ");
    print_hex(at("r", 0x42000000) - (uint64_t)pages[0]);
    puts_uart(" ");
    print_hex(at("w", 0x42000000));
    puts_uart(" ");
    print_hex(at("r", 0x42001000));
    puts_uart(" ");
    print_hex(at("0", 0x42005000));
    puts_uart(" ");
    print_hex(at("0", 0x42003010) - (uint64_t)pages[3]);
    puts_uart("\n");

    /* execute at EL1 from a PXN page */
    ((void (*)(void))0x42004000ull)();
    show("pxn exec");

    /* EL0 */
    v = run_el0(0x42004000ull, 0);
    check("el0 svc result", v, 42);
    show("el0 svc");
    v = run_el0(0x42004000ull, 0x42005010ull);
    show("el0 load from el1 page");
    v = run_el0(0x42004000ull, 0x42003000ull);
    check("el0 load from el0 page", v, 42);
    show("el0 svc again");
    v = run_el0(0x42005000ull, 0);
    show("el0 exec uxn page");

    puts_uart("exc done\n");
    return 0;
}
