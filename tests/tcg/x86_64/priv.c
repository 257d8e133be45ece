/*
 * priv.c — privilege transitions in long mode: IRETQ to ring 3 and back
 * through a DPL-3 interrupt gate with the TSS RSP0 stack switch (frame
 * checked), IRETQ to a compatibility-mode ring 3 and INT back (frame), IST
 * stacks, #GP error codes for gates and selectors (IDT vector*8+2, GDT/LDT
 * indices, system and not-present descriptors: #NP), privileged
 * instructions at CPL 3, SYSCALL/SYSRETQ and SYSRETL to a compatibility-mode
 * segment, SYSCALL from compatibility mode (CSTAR), SWAPGS, RDTSCP with
 * TSC_AUX, a 64-bit call gate from ring 3, the TSS I/O permission bitmap for
 * IN/OUT/OUTS at CPL 3, IRETQ at the same privilege (always pops SS:RSP),
 * and a double fault (#PF while delivering #PF on an unmapped stack) taken
 * on IST1.
 */
#include "lib.h"

static void report(const char *what, long v)
{
    if (v >= 0) {
        pr("%s: vector %d err %lx\n", what, (int)v, last_err);
    } else {
        pr("%s: no fault\n", what);
    }
}

/* ---- ring 3 and back: frame contents on the RSP0 stack ---- */
static int hook_int80(struct frame *f)
{
    pr("int80 frame: cs %lx ss %lx rflags %lx rsp %lx at rsp0-%lx\n", f->cs, f->ss,
       f->flags, f->sp, (ureg)intr_stack_top - (ureg)&f->ip);
    return 0; /* ends run_user */
}
static void user_int80(void)
{
    asm volatile("int $0x80");
}
static void user_int81(void)
{
    asm volatile("int $0x81");
}
static void user_hlt(void)
{
    asm volatile("hlt");
}
static void user_cli(void)
{
    asm volatile("cli");
}
static void user_in(void)
{
    asm volatile("inb $0x80, %%al" ::: "rax");
}
static void user_movcr(void)
{
    asm volatile("mov %%cr0, %%rax" ::: "rax");
}
/* IRETQ to a compatibility-mode segment at CPL 3, back with INT 0x80 */
extern char compat_int80[], compat_int80_ret[];
long run_user32(void *fn, void *stack);
asm(".text\n"
    "run_user32:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  mov %rsp, user_saved_sp\n"
    "  pushq $0x2b\n  push %rsi\n  pushq $2\n  pushq $0x23\n  push %rdi\n"
    "  iretq\n"
    ".code32\n"
    "compat_int80:\n"
    "  mov $0x1234, %eax\n"
    "  int $0x80\n"
    "compat_int80_ret:\n"
    ".code64\n");

static int hook_int80_compat(struct frame *f)
{
    pr("compat int80 frame: rip ok %d cs %lx ss %lx rsp ok %d rflags %lx rax %lx\n",
       f->ip == (ureg)compat_int80_ret, f->cs, f->ss, f->sp == (ureg)user_stack_top - 16,
       f->flags, f->ax);
    return 0;
}

static int hook_ist(struct frame *f)
{
    pr("int82 on IST1: at ist-%lx, rsp restored %d\n", (ureg)ist_stack_top - (ureg)&f->ip,
       f->sp == last_sp);
    return 1;
}

/* ---- SYSCALL / SYSRET ---- */
extern char sys64_entry[], sys32_entry[], user_sys[], user_sys_ret[], compat_code[],
    compat_after[];
volatile ureg sys_rcx, sys_r11, sys_cs, sys_ss, sys_flags, sys_ret_cs, sys_ret_ss, sys_mode,
    compat_cs, compat_sys_cs, compat_rcx;
asm(".text\n"
    /* LSTAR: record, then SYSRETQ (mode 0) or SYSRETL to compat_code (mode 1) */
    "sys64_entry:\n"
    "  mov %rcx, sys_rcx\n"
    "  mov %r11, sys_r11\n"
    "  mov %cs, %eax\n  mov %rax, sys_cs\n"
    "  mov %ss, %eax\n  mov %rax, sys_ss\n"
    "  pushfq\n  popq sys_flags\n"
    "  cmpq $1, sys_mode\n"
    "  je 1f\n"
    "  sysretq\n"
    "1: mov $compat_code, %ecx\n"
    "  sysretl\n"
    /* CSTAR: from compatibility mode; back with SYSRETL to the caller */
    "sys32_entry:\n"
    "  mov %cs, %eax\n  mov %rax, compat_sys_cs\n"
    "  mov %rcx, compat_rcx\n"
    "  sysretl\n"
    /* 64-bit user code: SYSCALL, then report CS/SS through INT 0x80 */
    "user_sys:\n"
    "  pushfq\n  orq $0x40d5, (%rsp)\n  popfq\n" /* NT and some arithmetic flags */
    "  syscall\n"
    "user_sys_ret:\n"
    "  mov %cs, %eax\n  mov %rax, sys_ret_cs\n"
    "  mov %ss, %eax\n  mov %rax, sys_ret_ss\n"
    "  int $0x80\n"
    ".code32\n"
    "compat_code:\n"
    "  mov %cs, %eax\n  mov %eax, compat_cs\n"
    "  syscall\n"
    "compat_after:\n"
    "  int $0x80\n"
    ".code64\n");

/* ---- 64-bit call gate ---- */
extern char gate_target[];
volatile ureg gate_frame[4], gate_rsp;
asm(".text\n"
    "gate_target:\n"
    "  mov %rsp, gate_rsp\n"
    "  mov 0(%rsp), %rax\n  mov %rax, gate_frame\n"
    "  mov 8(%rsp), %rax\n  mov %rax, gate_frame+8\n"
    "  mov 16(%rsp), %rax\n  mov %rax, gate_frame+16\n"
    "  mov 24(%rsp), %rax\n  mov %rax, gate_frame+24\n"
    "  lretq\n");
struct {
    uint32_t off;
    uint16_t sel;
} __attribute__((packed)) gate_ptr = {0, 0x60 | 3};
volatile ureg after_gate_cs;
static void user_gate(void)
{
    asm volatile("lcall *gate_ptr\n\tmov %%cs, %%eax\n\tmov %%rax, after_gate_cs\n\tint $0x80"
                 ::: "rax", "memory");
}

/* ---- the TSS I/O permission bitmap: ports 0x00..0x3f, only 0x21 open ---- */
static void user_in21(void)
{
    asm volatile("inb $0x21, %%al\n\tint $0x80" ::: "rax");
}
static void user_in20(void)
{
    asm volatile("inb $0x20, %%al" ::: "rax");
}
static void user_inw21(void)
{
    asm volatile("inw $0x21, %%ax" ::: "rax");
}
static void user_in38(void)
{
    asm volatile("inb $0x38, %%al" ::: "rax");
}
const uint8_t mask_all = 0xff;
static void user_outsb20(void)
{
    asm volatile("mov $0x20, %%dx\n\tlea mask_all(%%rip), %%rsi\n\toutsb\n\tint $0x80" ::: "rdx",
                 "rsi", "memory");
}
static void user_outsb21(void)
{
    asm volatile("mov $0x21, %%dx\n\tlea mask_all(%%rip), %%rsi\n\toutsb\n\tint $0x80" ::: "rdx",
                 "rsi", "memory");
}

static void load_tss(uint32_t limit)
{
    ureg t = (ureg)tss;
    set_gdt(SEL_TSS, seg_desc((uint32_t)t, limit, 0x89, 0)); /* available (not busy) */
    set_gdt(SEL_TSS + 8, (uint64_t)t >> 32);
    asm volatile("ltr %w0" ::"r"(SEL_TSS));
}

/* ---- #DF ---- */
static volatile ureg df_saved_sp, df_fixup;
static int hook_df(struct frame *f)
{
    pr("#DF err %lx, on IST1 %d, cr2 %lx\n", f->err,
       (ureg)ist_stack_top - (ureg)&f->ip == 48, READ_CR(2));
    f->sp = df_saved_sp;
    f->ip = df_fixup;
    return 1;
}

int main(void)
{
    /* ring 3 and back */
    trap_hook[0x80] = hook_int80;
    report("user int80", run_user(user_int80, user_stack_top));
    trap_hook[0x80] = hook_int80_compat;
    report("compat user int80", run_user32(compat_int80, user_stack_top - 16));
    trap_hook[0x80] = 0;
    report("user int81 (gate dpl 0)", run_user(user_int81, user_stack_top));
    report("user hlt", run_user(user_hlt, user_stack_top));
    report("user cli", run_user(user_cli, user_stack_top));
    report("user in", run_user(user_in, user_stack_top));
    report("user mov cr0", run_user(user_movcr, user_stack_top));

    /* IST */
    set_idt(0x82, isr_stub(0x82), 0xe, 0, 1, SEL_KCODE);
    trap_hook[0x82] = hook_ist;
    asm volatile("mov %%rsp, %0\n\tint $0x82" : "=m"(last_sp));
    trap_hook[0x82] = 0;

    /* selector faults at CPL 0 */
    report("mov ds, beyond gdt", TRYI("mov %0, %%ds", "r"(0x1f8)));
    asm volatile("lldt %w0" ::"r"(0)); /* a null LDTR: every LDT selector faults */
    report("mov ds, ldt no ldt", TRYI("mov %0, %%ds", "r"(0x0c)));
    report("mov ds, tss", TRYI("mov %0, %%ds", "r"(SEL_TSS)));
    set_gdt(0x68, seg_desc(0, 0xfffff, 0x98, 0xc)); /* execute-only code */
    report("mov ds, exec-only", TRYI("mov %0, %%ds", "r"(0x68)));
    set_gdt(0x70, seg_desc(0, 0xfffff, 0x12, 0xc)); /* data, not present */
    report("mov ds, not present", TRYI("mov %0, %%ds", "r"(0x70)));
    report("mov ss, dpl 3", TRYI("mov %0, %%ss", "r"(SEL_UDATA | 3)));
    report("mov ss, rpl 3", TRYI("mov %0, %%ss", "r"(SEL_KDATA | 3)));
    report("mov ds, null", TRYI("mov %0, %%ds", "r"(0)));
    asm volatile("mov %0, %%ds" ::"r"(SEL_KDATA));
    set_gdt(0x78, seg_desc(0, 0xfffff, 0x92, 0xc));
    report("mov es, fresh", TRYI("mov %0, %%es", "r"(0x78)));
    pr("accessed bit set: %d\n", (int)((gdt[0x78 >> 3] >> 40) & 1));
    asm volatile("mov %0, %%es" ::"r"(SEL_KDATA));

    /* SYSCALL / SYSRET */
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);
    wrmsr(MSR_STAR, (uint64_t)SEL_UCODE32 << 48 | (uint64_t)SEL_KCODE64 << 32);
    wrmsr(MSR_LSTAR, (ureg)sys64_entry);
    wrmsr(MSR_CSTAR, (ureg)sys32_entry);
    wrmsr(MSR_FMASK, 0x4700); /* NT, DF, IF, TF */
    sys_mode = 0;
    report("syscall 64", run_user((void (*)(void))user_sys, user_stack_top));
    pr("  in kernel: cs %lx ss %lx rflags %lx rcx ok %d r11 %lx\n", sys_cs, sys_ss, sys_flags,
       sys_rcx == (ureg)user_sys_ret, sys_r11);
    pr("  after sysretq: cs %lx ss %lx\n", sys_ret_cs, sys_ret_ss);
    sys_mode = 1;
    report("syscall 64 -> sysretl", run_user((void (*)(void))user_sys, user_stack_top));
    pr("  compat cs %lx, syscall from compat: cs %lx rcx ok %d\n", compat_cs, compat_sys_cs,
       compat_rcx == (ureg)compat_after);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~1ull);
    report("syscall with SCE clear", TRY("syscall"));

    /* SWAPGS */
    static volatile uint64_t gsvar[2] = {0x1111, 0x2222};
    wrmsr(MSR_GSBASE, (ureg)&gsvar[0]);
    wrmsr(MSR_KGSBASE, (ureg)&gsvar[1]);
    uint64_t v;
    asm volatile("swapgs\n\tmov %%gs:0, %0" : "=r"(v));
    pr("swapgs: gs:0 %llx gsbase ok %d kgsbase ok %d\n", v, rdmsr(MSR_GSBASE) == (ureg)&gsvar[1],
       rdmsr(MSR_KGSBASE) == (ureg)&gsvar[0]);
    asm volatile("swapgs");

    /* RDTSCP */
    wrmsr(MSR_TSC_AUX, 0x1234);
    uint32_t aux, lo, hi;
    asm volatile("rdtscp" : "=c"(aux), "=a"(lo), "=d"(hi));
    pr("rdtscp aux %x\n", aux);

    /* 64-bit call gate, DPL 3, to kernel code: from ring 3 */
    set_gdt(0x60, ((ureg)gate_target & 0xffff) | (uint64_t)SEL_KCODE64 << 16 |
                      (uint64_t)0xec << 40 | (((ureg)gate_target >> 16) & 0xffff) << 48);
    set_gdt(0x68, (ureg)gate_target >> 32);
    report("user lcall gate", run_user(user_gate, user_stack_top));
    pr("  gate frame: rip ok %d cs %lx rsp ok %d ss %lx; at rsp0-%lx; back in cs %lx\n",
       gate_frame[0] > (ureg)user_gate && gate_frame[0] < (ureg)user_gate + 64, gate_frame[1],
       gate_frame[2] <= (ureg)user_stack_top && gate_frame[2] > (ureg)user_stack_top - 64,
       gate_frame[3], (ureg)intr_stack_top - gate_rsp, after_gate_cs);
    set_gdt(0x60, gdt[0x60 >> 3] & ~(1ull << 47));
    report("user lcall gate not present", run_user(user_gate, user_stack_top));
    set_gdt(0x60, (gdt[0x60 >> 3] | (1ull << 47)) & ~(3ull << 45));
    report("user lcall gate dpl 0", run_user(user_gate, user_stack_top));

    /* I/O permission bitmap at TSS+0x68 (8 bytes: ports 0..0x3f), only port 0x21 open */
    for (int i = 0; i < 8; i++) {
        tss[0x68 + i] = 0xff;
    }
    tss[0x68 + 4] = 0xfd;
    report("user out to port 0x20 by outsb, no bitmap", run_user(user_outsb20, user_stack_top));
    load_tss(0x6f);
    report("user in 0x21 (open)", run_user(user_in21, user_stack_top));
    report("user in 0x20 (closed)", run_user(user_in20, user_stack_top));
    report("user inw 0x21 (0x22 closed)", run_user(user_inw21, user_stack_top));
    report("user in 0x38 (second byte past the limit)", run_user(user_in38, user_stack_top));
    report("user outsb 0x20 (closed)", run_user(user_outsb20, user_stack_top));
    report("user outsb 0x21 (open)", run_user(user_outsb21, user_stack_top));
    load_tss(0x67);
    report("user in 0x21, bitmap past the limit", run_user(user_in21, user_stack_top));

    /* IRETQ at CPL 0 pops SS:RSP */
    ureg rsp_after;
    asm volatile("mov %%rsp, %%rcx\n\t"
                 "sub $0x100, %%rcx\n\t"
                 "pushq $0x18\n\tpushq %%rcx\n\tpushfq\n\tpushq $0x10\n\tpushq $1f\n\t"
                 "iretq\n1:\n\t"
                 "mov %%rsp, %0\n\t"
                 "add $0x100, %%rsp"
                 : "=r"(rsp_after)::"rcx", "memory");
    pr("iretq same cpl: rsp moved by %lx\n", (ureg)&rsp_after - rsp_after > 0x80 ? 0x100ul : 0ul);

    /* #DF: #UD with an unmapped stack -> #PF -> #PF -> #DF on IST1 */
    set_idt(8, isr_stub(8), 0xe, 0, 1, SEL_KCODE);
    trap_hook[8] = hook_df;
    asm volatile("movq $1f, %0\n\t"
                 "mov %%rsp, %1\n\t"
                 "movabs $0x8000001000, %%rsp\n\t"
                 "ud2\n"
                 "1:"
                 : "=m"(df_fixup), "=m"(df_saved_sp)::"memory");
    trap_hook[8] = 0;
    return 0;
}
