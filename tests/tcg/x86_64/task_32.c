/*
 * task_32.c — hardware task switches with 32-bit TSSs (SDM Vol.3 §7.3):
 * JMP to a TSS and back (busy bits move, the outgoing EIP/registers are
 * saved and restored), CALL to a TSS and IRET with NT (back link, NT in the
 * new task), INT n through a task gate, an exception (#GP with its error
 * code pushed on the new task's stack) through a task gate, CR0.TS set by
 * the switch, and the faults: JMP to the busy current task (#GP), IRET to a
 * back link that is not busy (#TS), a task gate with DPL 0 from ring 3.
 */
#include "lib.h"

#define SEL_TSS2 0xb8
#define SEL_GATE 0xc0

static uint8_t tss2[0x68] __attribute__((aligned(16)));
static uint8_t stack2[4096] __attribute__((aligned(16)));

static void report(const char *what, long v)
{
    if (v >= 0) {
        pr("%s: vector %d err %lx\n", what, (int)v, last_err);
    } else {
        pr("%s: no fault\n", what);
    }
}

static uint32_t rd32(const uint8_t *t, int off)
{
    return *(volatile uint32_t *)(t + off);
}
static void wr32(uint8_t *t, int off, uint32_t v)
{
    *(volatile uint32_t *)(t + off) = v;
}

static int busy(int sel)
{
    return (int)((gdt[sel >> 3] >> 41) & 1);
}

/* task 2's code: records what it sees, then goes back */
extern char task2_jmp[], task2_iret[], task2_gp[];
volatile uint32_t t2_tr, t2_flags, t2_link, t2_err, t2_cr0, t2_eax, t2_ss;
volatile uint32_t t1_resume;
asm(".text\n"
    "task2_jmp:\n"
    "  str %ax\n  movzwl %ax, %eax\n  mov %eax, t2_tr\n"
    "  pushf\n  popl t2_flags\n"
    "  mov %cr0, %eax\n  mov %eax, t2_cr0\n"
    "  mov %ss, %eax\n  mov %eax, t2_ss\n"
    "  ljmp $0x50, $0\n"
    "task2_iret:\n"
    "  str %ax\n  movzwl %ax, %eax\n  mov %eax, t2_tr\n"
    "  pushf\n  popl t2_flags\n"
    "  mov %ebx, t2_eax\n"
    "  iret\n"
    "task2_gp:\n"
    "  popl t2_err\n"
    "  pushf\n  popl t2_flags\n"
    "  mov t1_resume, %eax\n  mov %eax, tss+0x20\n" /* resume task 1 past the fault */
    "  iret\n");

static void setup_task2(void *entry)
{
    for (int i = 0; i < 0x68; i++) {
        tss2[i] = 0;
    }
    wr32(tss2, 0x20, (uint32_t)(ureg)entry);
    wr32(tss2, 0x24, 2);
    wr32(tss2, 0x28 + 4 * 3, 0xb0b0); /* EBX */
    wr32(tss2, 0x28 + 4 * 4, (uint32_t)(ureg)(stack2 + sizeof(stack2)));
    wr32(tss2, 0x48, SEL_KDATA);      /* ES */
    wr32(tss2, 0x4c, SEL_KCODE32);    /* CS */
    wr32(tss2, 0x50, SEL_KDATA);      /* SS */
    wr32(tss2, 0x54, SEL_KDATA);      /* DS */
    wr32(tss2, 0x58, SEL_KDATA);
    wr32(tss2, 0x5c, SEL_KDATA);
    *(volatile uint16_t *)(tss2 + 0x66) = 0x68;
    set_gdt(SEL_TSS2, seg_desc((uint32_t)(ureg)tss2, 0x67, 0x89, 0));
}

static void user_int86(void)
{
    asm volatile("int $0x86");
}

int main(void)
{
    /* JMP to task 2 and back */
    setup_task2(task2_jmp);
    uint32_t keep = 0x1234abcd, seen;
    asm volatile("mov %1, %%esi\n\t"
                 "ljmp $0xb8, $0\n\t"
                 "mov %%esi, %0"
                 : "=r"(seen) : "r"(keep) : "esi", "memory");
    asm volatile("clts");
    pr("jmp: task 2 saw tr %x nt %d cr0.ts %d ss %x; back with esi kept %d\n", t2_tr,
       (int)((t2_flags >> 14) & 1), (int)((t2_cr0 >> 3) & 1), t2_ss, seen == keep);
    pr("  busy: tss1 %d tss2 %d; tss2 saved eip at its ljmp+7 %d, link %x\n", busy(SEL_TSS),
       busy(SEL_TSS2), rd32(tss2, 0x20) > (uint32_t)(ureg)task2_jmp, rd32(tss2, 0));

    /* CALL to task 2, IRET back */
    setup_task2(task2_iret);
    asm volatile("lcall $0xb8, $0" ::: "memory");
    asm volatile("clts");
    pr("call: task 2 tr %x nt %d ebx %x link %x; after iret busy tss1 %d tss2 %d, nt now %d\n",
       t2_tr, (int)((t2_flags >> 14) & 1), t2_eax, rd32(tss2, 0), busy(SEL_TSS), busy(SEL_TSS2),
       (int)((read_flags() >> 14) & 1));
    pr("  tss2 saved eflags nt %d\n", (int)((rd32(tss2, 0x24) >> 14) & 1));

    /* INT through a task gate */
    setup_task2(task2_iret);
    set_idt(0x85, 0, 5, 0, 0, SEL_TSS2);
    t2_tr = 0;
    asm volatile("int $0x85" ::: "memory");
    asm volatile("clts");
    pr("int 0x85 via task gate: task 2 tr %x nt %d\n", t2_tr, (int)((t2_flags >> 14) & 1));

    /* #GP through a task gate: the error code on task 2's stack */
    setup_task2(task2_gp);
    set_idt(13, 0, 5, 0, 0, SEL_TSS2);
    extern char gp_resume[];
    t1_resume = (uint32_t)(ureg)gp_resume;
    asm volatile("mov %0, %%ds\n"
                 "gp_resume:" ::"r"(0x1f8) : "memory");
    asm volatile("clts");
    set_idt_default(13, 0);
    pr("#GP via task gate: err %x nt %d\n", t2_err, (int)((t2_flags >> 14) & 1));

    /* faults */
    report("jmp to the busy current task", TRY("ljmp $0x50, $0"));
    setup_task2(task2_iret);
    wr32(tss, 0, SEL_TSS2); /* a back link to a task that is not busy */
    report("iret with nt to a non-busy task",
           TRY("pushf\n\torl $0x4000, (%%esp)\n\tpopf\n\tpushf\n\tpushl %%cs\n\tpushl $1f\n\tiret"));
    asm volatile("pushf\n\tandl $~0x4000, (%%esp)\n\tpopf" ::: "memory");
    set_idt(0x86, 0, 5, 0, 0, SEL_TSS2);
    report("int 0x86 (task gate dpl 0) from ring 3", run_user(user_int86, user_stack_top));
    return 0;
}
