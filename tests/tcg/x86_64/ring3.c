/*
 * ring3.c — what CPL 3 may and may not do in 64-bit mode: LRETQ from CPL 0
 * to ring 3 (SS:RSP popped); POPF and IRETQ at CPL 3 cannot change IF or
 * IOPL (silently); with IOPL 3 (from the kernel's IRET frame) CLI/STI and
 * IN are allowed; INTO is #UD in 64-bit mode; INT3 through a DPL-0 gate is
 * #GP(3*8+2|2), through a DPL-3 gate #BP; SGDT/SIDT/SLDT/STR/SMSW work
 * without UMIP; LSL/LAR/VERR/VERW see only what CPL 3 may; RDTSC with
 * CR4.TSD, RDPMC without CR4.PCE and the privileged system instructions are
 * #GP(0).
 */
#include "lib.h"

static volatile ureg out[8];

static void report(const char *what, long v)
{
    if (v >= 0) {
        pr("%s: vector %d err %lx\n", what, (int)v, last_err);
    } else {
        pr("%s: no fault\n", what);
    }
}

/* LRETQ to ring 3 */
extern char lret_user[];
asm(".text\n"
    "lret_user:\n"
    "  mov %cs, %eax\n  mov %rax, out\n"
    "  mov %ss, %eax\n  mov %rax, out+8\n"
    "  mov %rsp, out+16\n"
    "  int $0x80\n");
long lret_to_user(void *fn, void *stack);
asm(".text\n"
    "lret_to_user:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  mov %rsp, user_saved_sp\n"
    "  pushq $0x3b\n  push %rsi\n  pushq $0x33\n  push %rdi\n"
    "  lretq\n");

static void user_popf(void)
{
    ureg f;
    asm volatile("pushfq\n\torq $0x3200, (%%rsp)\n\tpopfq\n\tpushfq\n\tpop %0" : "=r"(f));
    out[0] = f;
    asm volatile("int $0x80");
}
static void user_iretq(void)
{
    ureg f;
    asm volatile("mov %%rsp, %%rcx\n\t"
                 "pushq $0x3b\n\tpushq %%rcx\n\tpushfq\n\torq $0x3200, (%%rsp)\n\t"
                 "pushq $0x33\n\tpushq $1f\n\tiretq\n"
                 "1:\tpushfq\n\tpop %0"
                 : "=r"(f)::"rcx", "memory");
    out[0] = f;
    asm volatile("int $0x80");
}
static void user_iopl3(void)
{
    asm volatile("cli\n\tsti\n\tinb $0x21, %%al\n\tint $0x80" ::: "rax");
}
static void user_into(void)
{
    asm volatile(".byte 0xce"); /* INTO: invalid in 64-bit mode */
}
static void user_int3(void)
{
    asm volatile("int3\n\tint $0x80");
}
static void user_desc_tables(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) g, i;
    uint16_t ldt, tr;
    ureg msw;
    asm volatile("sgdt %0\n\tsidt %1\n\tsldt %2\n\tstr %3\n\tsmsw %4"
                 : "=m"(g), "=m"(i), "=m"(ldt), "=m"(tr), "=r"(msw));
    out[0] = g.limit;
    out[1] = i.limit;
    out[2] = ldt;
    out[3] = tr;
    out[4] = msw & 0xf; /* PE MP EM TS (NE and ET depend on the loader) */
    out[5] = g.base == (ureg)gdt;
    asm volatile("int $0x80");
}
static void user_lsl_lar(void)
{
    ureg lim = 0, ar = 0, zf1, zf2, zf3, zf4;
    asm volatile("lsl %2, %0\n\tsetz %b1" : "=r"(lim), "=q"(zf1) : "r"(0x2bul));
    asm volatile("lar %2, %0\n\tsetz %b1" : "=r"(ar), "=q"(zf2) : "r"((ureg)SEL_TSS));
    asm volatile("verr %w1\n\tsetz %b0" : "=q"(zf3) : "r"(SEL_KDATA));
    asm volatile("verw %w1\n\tsetz %b0" : "=q"(zf4) : "r"(0x2b));
    out[0] = lim;
    out[1] = zf1 & 1;
    out[2] = zf2 & 1;
    out[3] = zf3 & 1;
    out[4] = zf4 & 1;
    asm volatile("int $0x80");
}
static void user_rdtsc(void)
{
    asm volatile("rdtsc\n\tint $0x80" ::: "rax", "rdx");
}
static void user_rdpmc(void)
{
    asm volatile("xor %%ecx, %%ecx\n\trdpmc" ::: "rax", "rcx", "rdx");
}
static void user_wrmsr(void)
{
    asm volatile("wrmsr" ::"c"(MSR_TSC_AUX), "a"(0), "d"(0));
}
static void user_invlpg(void)
{
    asm volatile("invlpg (%0)" ::"r"(out));
}
static void user_clts(void)
{
    asm volatile("clts");
}
static void user_wbinvd(void)
{
    asm volatile("wbinvd");
}
static void user_lidt(void)
{
    asm volatile("lidt (%0)" ::"r"(out));
}

/* ring 3 with IOPL 3 */
long run_user_iopl3(void (*fn)(void), void *stack);
asm(".text\n"
    "run_user_iopl3:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  mov %rsp, user_saved_sp\n"
    "  pushq $0x3b\n  push %rsi\n  pushq $0x3002\n  pushq $0x33\n  push %rdi\n"
    "  iretq\n");

int main(void)
{
    report("lretq to ring 3", lret_to_user(lret_user, user_stack_top));
    pr("  cs %lx ss %lx rsp ok %d\n", out[0], out[1], out[2] == (ureg)user_stack_top);
    report("popf at cpl 3", run_user(user_popf, user_stack_top));
    pr("  if %d iopl %d\n", (int)((out[0] >> 9) & 1), (int)((out[0] >> 12) & 3));
    report("iretq at cpl 3", run_user(user_iretq, user_stack_top));
    pr("  if %d iopl %d\n", (int)((out[0] >> 9) & 1), (int)((out[0] >> 12) & 3));
    report("cli/sti/in with iopl 3", run_user_iopl3(user_iopl3, user_stack_top));
    report("into in 64-bit mode", run_user(user_into, user_stack_top));
    report("int3, gate dpl 0", run_user(user_int3, user_stack_top));
    set_idt_default(3, 3);
    report("int3, gate dpl 3", run_user(user_int3, user_stack_top));
    set_idt_default(3, 0);
    report("sgdt/sidt/sldt/str/smsw", run_user(user_desc_tables, user_stack_top));
    pr("  gdt limit %lx idt limit %lx ldt %lx tr %lx msw %lx gdt base ok %d\n", out[0], out[1],
       out[2], out[3], out[4], (int)out[5]);
    report("lsl/lar/verr/verw", run_user(user_lsl_lar, user_stack_top));
    pr("  lsl 0x2b %lx zf %d; lar tss zf %d; verr kdata zf %d; verw 0x2b zf %d\n", out[0],
       (int)out[1], (int)out[2], (int)out[3], (int)out[4]);
    report("rdtsc", run_user(user_rdtsc, user_stack_top));
    WRITE_CR(4, READ_CR(4) | 4);
    report("rdtsc with cr4.tsd", run_user(user_rdtsc, user_stack_top));
    WRITE_CR(4, READ_CR(4) & ~4ul);
    report("rdpmc without cr4.pce", run_user(user_rdpmc, user_stack_top));
    report("wrmsr", run_user(user_wrmsr, user_stack_top));
    report("invlpg", run_user(user_invlpg, user_stack_top));
    report("clts", run_user(user_clts, user_stack_top));
    report("wbinvd", run_user(user_wbinvd, user_stack_top));
    report("lidt", run_user(user_lidt, user_stack_top));
    return 0;
}
