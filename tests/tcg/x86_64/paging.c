/*
 * paging.c — 4-level paging faults and their reports (SDM Vol.3 §4.7):
 * #PF error codes (P, W/R, U/S, RSVD, I/D) and CR2 for not-present pages,
 * writes to read-only pages with CR0.WP on and off, user accesses to
 * supervisor pages, NX fetches (EFER.NXE), reserved bits (bit 51, and NX
 * with NXE clear), an access that crosses into a not-present page, the
 * Accessed/Dirty bits of every level, INVLPG, and non-canonical addresses
 * (#GP(0), #SS(0) for stack references). The test maps a private region at 512 GiB (PML4[1]).
 */
#include "lib.h"

#define VBASE 0x8000000000ul
#define PAGE(i) (VBASE + 0x1000ul * (i))
#define PTE_P 1ul
#define PTE_RW 2ul
#define PTE_US 4ul
#define PTE_A 0x20ul
#define PTE_D 0x40ul
#define PTE_NX (1ul << 63)
#define PTE_RSVD51 (1ul << 51)

extern uint64_t pml4[512];
static uint64_t pdpt2[512] __attribute__((aligned(4096)));
static uint64_t pd2[512] __attribute__((aligned(4096)));
static uint64_t pt2[512] __attribute__((aligned(4096)));
static uint8_t frames[8][4096] __attribute__((aligned(4096)));

static void flush_all(void)
{
    WRITE_CR(3, READ_CR(3));
}

static void set_pte(int i, uint64_t flags)
{
    pt2[i] = (uint64_t)(ureg)frames[i] | flags;
    asm volatile("invlpg (%0)" ::"r"(PAGE(i)) : "memory");
}

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

static long read_at(ureg a)
{
    last_vec = (ureg)-1;
    asm volatile("movq $1f, fixup_ip\n\tmov (%0), %%rax\n1:\n\tmovq $0, fixup_ip"
                 ::"r"(a) : "rax", "memory");
    return (long)last_vec;
}

static long write_at(ureg a)
{
    last_vec = (ureg)-1;
    asm volatile("movq $1f, fixup_ip\n\tmovq $0x1234, (%0)\n1:\n\tmovq $0, fixup_ip"
                 ::"r"(a) : "memory");
    return (long)last_vec;
}

static long read8_at(ureg a)
{
    last_vec = (ureg)-1;
    asm volatile("movq $1f, fixup_ip\n\tmovq (%0), %%rax\n1:\n\tmovq $0, fixup_ip"
                 ::"r"(a) : "rax", "memory");
    return (long)last_vec;
}

static long call_at(ureg a)
{
    last_vec = (ureg)-1;
    long r = 0;
    asm volatile("movq $1f, fixup_ip\n\tcall *%1\n1:\n\tmovq $0, fixup_ip"
                 : "=a"(r) : "r"(a) : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
                   "memory");
    return last_vec == (ureg)-1 ? r : -1000 - (long)last_vec;
}

/* a fault in a user function returns to run_user() with its vector */
static volatile ureg user_addr;
static void user_read(void)
{
    asm volatile("mov (%0), %%rax; int $0x80" ::"r"(user_addr) : "rax");
}
static void user_write(void)
{
    asm volatile("movq $5, (%0); int $0x80" ::"r"(user_addr) : "memory");
}
static void user_fetch(void)
{
    asm volatile("call *%0; int $0x80" ::"r"(user_addr) : "rax", "memory");
}

int main(void)
{
    pml4[1] = (uint64_t)(ureg)pdpt2 | 7;
    pdpt2[0] = (uint64_t)(ureg)pd2 | 7;
    pd2[0] = (uint64_t)(ureg)pt2 | 7;
    for (int i = 0; i < 8; i++) {
        pt2[i] = (uint64_t)(ureg)frames[i] | PTE_P | PTE_RW | PTE_US;
    }
    pt2[1] = 0;                                                  /* not present */
    pt2[2] = (uint64_t)(ureg)frames[2] | PTE_P | PTE_US;         /* read-only */
    pt2[3] = (uint64_t)(ureg)frames[3] | PTE_P | PTE_RW;         /* supervisor */
    frames[6][0] = 0xb8; /* mov $42, %eax; ret */
    frames[6][1] = 42;
    frames[6][5] = 0xc3;
    frames[4][0] = 0xc3;
    flush_all();

    /* accessed and dirty bits */
    report("read p0", read_at(PAGE(0)));
    pr("p0 after read: pte A %d D %d, pd A %d, pdpt A %d, pml4 A %d\n",
       !!(pt2[0] & PTE_A), !!(pt2[0] & PTE_D), !!(pd2[0] & PTE_A), !!(pdpt2[0] & PTE_A),
       !!(pml4[1] & PTE_A));
    report("write p0", write_at(PAGE(0) + 8));
    pr("p0 after write: D %d\n", !!(pt2[0] & PTE_D));
    check("p0 data", *(volatile uint64_t *)(frames[0] + 8), 0x1234);

    /* not present */
    report("read p1", read_at(PAGE(1) + 0x10));
    report("write p1", write_at(PAGE(1) + 0x18));
    report("fetch p1", call_at(PAGE(1) + 0x20) + 1000 == -14 ? 14 : -1);
    report("split read p0/p1", read8_at(PAGE(1) - 4));

    /* read-only, CR0.WP */
    WRITE_CR(0, READ_CR(0) | (1ul << 16));
    report("read p2", read_at(PAGE(2)));
    report("write p2 wp=1", write_at(PAGE(2)));
    WRITE_CR(0, READ_CR(0) & ~(1ul << 16));
    report("write p2 wp=0", write_at(PAGE(2)));
    check("p2 written", *(volatile uint64_t *)frames[2], 0x1234);
    pr("p2 D %d\n", !!(pt2[2] & PTE_D));
    WRITE_CR(0, READ_CR(0) | (1ul << 16));

    /* NX, then the same bit with NXE clear is reserved */
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | (1u << 11));
    set_pte(4, PTE_P | PTE_RW | PTE_US | PTE_NX);
    report("fetch p4 nx", call_at(PAGE(4)) == -1014 ? 14 : -1);
    report("read p4 nx", read_at(PAGE(4)));
    report("read p1 nxe", read_at(PAGE(1)));
    report("fetch p6", call_at(PAGE(6)) == 42 ? -1 : 99);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~(1u << 11));
    flush_all();
    report("read p4 rsvd nx, nxe=0", read_at(PAGE(4)));
    report("fetch p4 rsvd nx, nxe=0", call_at(PAGE(4)) == -1014 ? 14 : -1);

    /* reserved bit 51 in a PTE, in a PDE */
    set_pte(5, PTE_P | PTE_RW | PTE_US | PTE_RSVD51);
    report("read p5 rsvd", read_at(PAGE(5)));
    report("write p5 rsvd", write_at(PAGE(5)));
    pd2[1] = (uint64_t)(ureg)pt2 | 7 | PTE_RSVD51;
    flush_all();
    report("read pde rsvd", read_at(VBASE + 0x200000));
    pd2[1] = 0;
    flush_all();
    report("read pde np", read_at(VBASE + 0x200000 + 0x123));

    /* user accesses */
    user_addr = PAGE(3);
    report("user read sup", run_user(user_read, user_stack_top));
    report("user write sup", run_user(user_write, user_stack_top));
    user_addr = PAGE(2);
    report("user read ro", run_user(user_read, user_stack_top));
    report("user write ro", run_user(user_write, user_stack_top));
    user_addr = PAGE(1);
    report("user read np", run_user(user_read, user_stack_top));
    user_addr = PAGE(6);
    report("user fetch ok", run_user(user_fetch, user_stack_top));
    frames[3][0] = 0xc3;
    user_addr = PAGE(3);
    report("user fetch sup", run_user(user_fetch, user_stack_top));

    /* INVLPG makes a changed PTE visible */
    frames[7][0] = 0x77;
    frames[0][0] = 0x11;
    pr("p0 byte %x\n", *(volatile uint8_t *)PAGE(0));
    pt2[0] = (uint64_t)(ureg)frames[7] | PTE_P | PTE_RW | PTE_US;
    asm volatile("invlpg (%0)" ::"r"(PAGE(0)) : "memory");
    pr("p0 byte after remap+invlpg %x\n", *(volatile uint8_t *)PAGE(0));

    /* non-canonical: #GP(0), CR2 unchanged */
    WRITE_CR(2, 0x5555);
    report("read non-canonical", read_at(0x0000800000000000ul));
    pr("cr2 %lx\n", READ_CR(2));
    /* ... but #SS(0) for a stack reference: RBP-based, PUSH at a bad RSP
     * (#SS taken on IST1, the frame's RSP put back by the fixup) */
    set_idt(12, isr_stub(12), 0xe, 0, 1, SEL_KCODE);
    set_idt(13, isr_stub(13), 0xe, 0, 1, SEL_KCODE); /* an emulator giving #GP must survive too */
    static volatile ureg saved_rsp;
    last_vec = (ureg)-1;
    asm volatile("push %%rbp\n\t"
                 "movq $1f, fixup_ip\n\t"
                 "movabs $0x0000800000000000, %%rbp\n\t"
                 "mov 8(%%rbp), %%rax\n"
                 "1:\tpop %%rbp\n\t"
                 "movq $0, fixup_ip" ::: "rax", "memory");
    report("read 8(rbp) non-canonical", (long)last_vec);
    report("read (rax) non-canonical", TRYIC("mov (%0), %%rax", "rax", "r"(0x0000800000000000ul)));
    last_vec = (ureg)-1;
    asm volatile("mov %%rsp, %0\n\t"
                 "movq $1f, fixup_ip\n\t"
                 "movabs $0x0000800000000008, %%rsp\n\t"
                 "push %%rax\n"
                 "1:\tmov %0, %%rsp\n\t"
                 "movq $0, fixup_ip"
                 : "+m"(saved_rsp)::"memory");
    report("push at a non-canonical rsp", (long)last_vec);
    set_idt_default(12, 0);
    set_idt_default(13, 0);
    return 0;
}
