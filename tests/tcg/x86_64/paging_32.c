/*
 * paging_32.c — legacy paging from 32-bit protected mode (SDM Vol.3 §4.3,
 * §4.4): 32-bit paging with 4 KiB pages and 4 MiB pages (CR4.PSE), PAE
 * paging (3 levels, 2 MiB pages, the XD bit with EFER.NXE, reserved bits),
 * and in each: #PF error codes and CR2 for not-present, read-only with
 * CR0.WP, user/supervisor, Accessed/Dirty bits. The first 4 MiB stay
 * identity-mapped (the test's code and data are at 1 MiB), 4 MiB..8 MiB is
 * the test's window.
 */
#include "lib.h"

#define WIN 0x400000u
#define CR0_PG 0x80000000ul
#define CR0_WP 0x10000ul
#define CR4_PSE 0x10ul
#define CR4_PAE 0x20ul

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t pt0[1024] __attribute__((aligned(4096)));
static uint32_t pt1[1024] __attribute__((aligned(4096)));
static uint8_t frames[4][4096] __attribute__((aligned(4096)));
static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pae_pd[512] __attribute__((aligned(4096)));
static uint64_t pae_pt[512] __attribute__((aligned(4096)));
static uint64_t pae_pt1[512] __attribute__((aligned(4096)));

static void report(const char *what, long v)
{
    if (v == 14) {
        pr("%s: #PF err %lx cr2 %lx\n", what, last_err, last_cr2);
    } else if (v >= 0) {
        pr("%s: vector %d err %lx\n", what, (int)v, last_err);
    } else {
        pr("%s: no fault\n", what);
    }
}

static long rd(uint32_t a)
{
    return TRYIC("mov (%0), %%eax", "eax", "r"(a));
}
static long wr(uint32_t a)
{
    return TRYI("movl $0x77, (%0)", "r"(a));
}
static volatile uint32_t user_addr;
static void user_read(void)
{
    asm volatile("mov (%0), %%eax\n\tint $0x80" ::"r"(user_addr) : "eax");
}
static void user_write(void)
{
    asm volatile("movl $1, (%0)\n\tint $0x80" ::"r"(user_addr) : "memory");
}

static void flush(void)
{
    WRITE_CR(3, READ_CR(3));
}

int main(void)
{
    /* ---- 32-bit paging ---- */
    for (int i = 0; i < 1024; i++) {
        pt0[i] = (uint32_t)i << 12 | 7; /* 0..4 MiB identity, user */
    }
    pd[0] = (uint32_t)(ureg)pt0 | 7;
    pd[1] = (uint32_t)(ureg)pt1 | 7;
    pt1[0] = (uint32_t)(ureg)frames[0] | 7;          /* user rw */
    pt1[1] = 0;                                       /* not present */
    pt1[2] = (uint32_t)(ureg)frames[2] | 5;          /* user read-only */
    pt1[3] = (uint32_t)(ureg)frames[3] | 3;          /* supervisor rw */
    pd[2] = 0x800000 | 0x87;                          /* 4 MiB page (PSE) at 8 MiB */
    WRITE_CR(3, (ureg)pd);
    WRITE_CR(4, READ_CR(4) | CR4_PSE);
    WRITE_CR(0, READ_CR(0) | CR0_PG | CR0_WP);
    report("32-bit: read page 0", rd(WIN));
    report("32-bit: write page 0", wr(WIN + 4));
    pr("32-bit: pte A %d D %d, pde A %d\n", (int)((pt1[0] >> 5) & 1), (int)((pt1[0] >> 6) & 1),
       (int)((pd[1] >> 5) & 1));
    report("32-bit: read not present", rd(WIN + 0x1008));
    report("32-bit: write not present", wr(WIN + 0x100c));
    report("32-bit: write read-only, wp=1", wr(WIN + 0x2000));
    WRITE_CR(0, READ_CR(0) & ~CR0_WP);
    report("32-bit: write read-only, wp=0", wr(WIN + 0x2000));
    WRITE_CR(0, READ_CR(0) | CR0_WP);
    user_addr = WIN + 0x3000;
    report("32-bit: user read supervisor", run_user(user_read, user_stack_top));
    user_addr = WIN + 0x2000;
    report("32-bit: user write read-only", run_user(user_write, user_stack_top));
    *(volatile uint32_t *)0x800123 = 0; /* through the 4 MiB page: 8 MiB identity */
    report("32-bit: 4 MiB page read", rd(0x800000 + 0x123));
    pr("32-bit: 4 MiB pde A %d D %d\n", (int)((pd[2] >> 5) & 1), (int)((pd[2] >> 6) & 1));
    WRITE_CR(4, READ_CR(4) & ~CR4_PSE);
    flush();
    report("32-bit: PS without CR4.PSE walks a table", rd(0x800000 + 0x123));
    WRITE_CR(0, READ_CR(0) & ~CR0_PG);

    /* ---- PAE ---- */
    for (int i = 0; i < 512; i++) {
        pae_pt[i] = (uint64_t)i << 12 | 7; /* 0..2 MiB */
    }
    pae_pd[0] = (uint64_t)(ureg)pae_pt | 7;
    pae_pd[1] = 0x200000 | 0x87; /* 2..4 MiB: a 2 MiB page */
    pae_pd[2] = (uint64_t)(ureg)pae_pt1 | 7;
    pae_pt1[0] = (uint64_t)(ureg)frames[0] | 7;
    pae_pt1[1] = (uint64_t)(ureg)frames[1] | 7 | (1ull << 63); /* XD */
    pae_pt1[2] = (uint64_t)(ureg)frames[2] | 7 | (1ull << 51); /* reserved */
    pdpt[0] = (uint64_t)(ureg)pae_pd | 1;
    WRITE_CR(3, (ureg)pdpt);
    WRITE_CR(4, READ_CR(4) | CR4_PAE);
    WRITE_CR(0, READ_CR(0) | CR0_PG);
    report("pae: read 4k page", rd(WIN + 8));
    report("pae: read 2 MiB page", rd(0x200000 + 0x10));
    pr("pae: 2 MiB pde A %d D %d\n", (int)((pae_pd[1] >> 5) & 1), (int)((pae_pd[1] >> 6) & 1));
    report("pae: read xd page, nxe=0 (reserved)", rd(WIN + 0x1000));
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | (1u << 11));
    flush();
    report("pae: read xd page, nxe=1", rd(WIN + 0x1000));
    frames[1][0] = 0xc3;
    long v = TRYI("call *%0", "r"(WIN + 0x1000));
    report("pae: fetch xd page", v);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~(1ull << 11));
    flush();
    report("pae: read reserved bit 51", rd(WIN + 0x2000));
    report("pae: read beyond the pdpt entry (not present)", rd(0x40000000));
    WRITE_CR(0, READ_CR(0) & ~CR0_PG);
    WRITE_CR(4, READ_CR(4) & ~CR4_PAE);
    return 0;
}
