/*
 * excp_32.c — 32-bit protected mode: exceptions and their reported state
 * (#DE, #UD, #BP and #OF as traps after the instruction, #BR, #NP, #SS, #GP
 * for selectors), POP DS to a based segment taking effect at once, LDS LES
 * LFS LGS LSS (and a not-present selector), ARPL, fault priorities (type
 * and privilege before presence, for segments and gates), ring 3 via IRET and back through a DPL-3 gate with the TSS
 * ESP0/SS0 stack switch (32-bit frame), a 32-bit call gate from ring 3 with
 * two parameters copied to the inner stack and RET imm16 back, #TS/#SS
 * for bad inner stacks in the TSS, and SYSENTER/SYSEXIT (with their #GP
 * cases).
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

extern char de_insn[], bp_next[], into_next[], bound_insn[];
volatile uint32_t bound_pair[2] = {10, 20};

static int hook_int80(struct frame *f)
{
    pr("int80 frame: cs %lx ss %lx eflags %lx esp ok %d at esp0-%lx\n", f->cs, f->ss,
       f->flags, f->sp <= (ureg)user_stack_top && f->sp > (ureg)user_stack_top - 64,
       (ureg)intr_stack_top - (ureg)&f->ip);
    return 0;
}
static void user_int80(void)
{
    asm volatile("int $0x80");
}
static void user_int87(void)
{
    asm volatile("int $0x87");
}
/* the gate's P bit (bit 47 of the IDT entry) */
static void idt_clear_present(int vec)
{
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) d;
    asm volatile("sidt %0" : "=m"(d));
    ((volatile uint64_t *)(ureg)d.base)[vec] &= ~(1ull << 47);
}

volatile ureg ts_vec, ts_err, ts_cpl;
static int hook_ts(struct frame *f)
{
    ts_vec = f->vec;
    ts_err = f->err;
    ts_cpl = f->cs & 3;
    *(volatile uint32_t *)(tss + 8) = SEL_KDATA;
    return 1;
}

/* SYSENTER / SYSEXIT */
extern char sysenter_entry[], user_sysenter[], user_sysenter_ret[];
volatile ureg se_cs, se_ss, se_esp, se_flags, sx_cs, sx_ss, sx_esp;
asm(".text\n"
    "sysenter_entry:\n"
    "  mov %cs, %eax\n  mov %eax, se_cs\n"
    "  mov %ss, %eax\n  mov %eax, se_ss\n"
    "  mov %esp, se_esp\n"
    "  pushf\n  popl se_flags\n"
    "  sysexit\n"
    "user_sysenter:\n"
    "  mov $user_sysenter_ret, %edx\n"
    "  mov %esp, %ecx\n"
    "  sysenter\n"
    "user_sysenter_ret:\n"
    "  mov %cs, %eax\n  mov %eax, sx_cs\n"
    "  mov %ss, %eax\n  mov %eax, sx_ss\n"
    "  mov %esp, sx_esp\n"
    "  int $0x80\n");
static void user_sysexit(void)
{
    asm volatile("sysexit");
}

/* 32-bit call gate with 2 dword parameters */
extern char gate32_target[];
volatile ureg g_frame[6];
asm(".text\n"
    "gate32_target:\n"
    "  mov 0(%esp), %eax\n  mov %eax, g_frame\n"
    "  mov 4(%esp), %eax\n  mov %eax, g_frame+4\n"
    "  mov 8(%esp), %eax\n  mov %eax, g_frame+8\n"
    "  mov 12(%esp), %eax\n  mov %eax, g_frame+12\n"
    "  mov 16(%esp), %eax\n  mov %eax, g_frame+16\n"
    "  mov 20(%esp), %eax\n  mov %eax, g_frame+20\n"
    "  lret $8\n");
volatile ureg after_gate_esp, before_gate_esp;
static void user_gate32(void)
{
    asm volatile("pushl $0x2222\n\tpushl $0x1111\n\t"
                 "mov %%esp, before_gate_esp\n\t"
                 "lcall $0x83, $0\n\t"
                 "mov %%esp, after_gate_esp\n\t"
                 "int $0x80" ::: "eax", "memory");
}

int main(void)
{
    /* faults report the faulting instruction, traps the next one */
    report("div 0", TRY("xor %%edx, %%edx\n\txor %%ecx, %%ecx\n\tmov $1, %%eax\n"
                        "de_insn: div %%ecx", "eax", "ecx", "edx"));
    pr("  ip at div %d\n", last_ip == (ureg)de_insn);
    report("ud2", TRY("ud2"));
    report("int3", TRY("int3\nbp_next:"));
    pr("  ip after int3 %d\n", last_ip == (ureg)bp_next);
    report("into of=0", TRY("xor %%eax, %%eax\n\tinto", "eax"));
    report("into of=1", TRY("mov $0x7fffffff, %%eax\n\tinc %%eax\n\tinto\ninto_next:", "eax"));
    pr("  ip after into %d\n", last_ip == (ureg)into_next);
    report("bound in", TRYI("bound %0, bound_pair", "r"(15)));
    report("bound out", TRYI("bound_insn: bound %0, bound_pair", "r"(21)));
    pr("  ip at bound %d\n", last_ip == (ureg)bound_insn);

    /* selectors */
    set_gdt(0x90, seg_desc(0, 0xfffff, 0x12, 0xc)); /* data, not present */
    report("mov ds, not present", TRYI("mov %0, %%ds", "r"(0x90)));
    set_gdt(0x98, seg_desc(0, 0xfffff, 0x12, 0xc)); /* stack, not present */
    report("mov ss, not present", TRYI("mov %0, %%ss", "r"(0x98)));
    report("mov ss, code", TRYI("mov %0, %%ss", "r"(SEL_KCODE32)));
    report("mov ss, null", TRYI("mov %0, %%ss", "r"(0)));
    report("mov ds, beyond gdt", TRYI("mov %0, %%ds", "r"(0x200)));
    report("ljmp to data", TRY("ljmp $0x18, $0"));
    set_gdt(0xa0, seg_desc(0, 0xfffff, 0x1a, 0xc)); /* code, not present */
    report("ljmp not present", TRY("ljmp $0xa0, $0"));

    /* POP DS to a segment with a base: the next instruction uses the base */
    set_gdt(0xc8, seg_desc(0x300000, 0xfffff, 0x92, 0xc));
    *(volatile uint32_t *)0x300010 = 0xfeed;
    asm volatile("movl $0x1111, 0x10" ::: "memory"); /* linear 0x10, what a stale base reads */
    uint32_t got;
    asm volatile("push %%ds\n\tpushl $0xc8\n\tpop %%ds\n\tmov 0x10, %0\n\tpop %%ds"
                 : "=r"(got)::"memory");
    pr("pop ds (base 0x300000); ds:10 -> %x\n", got);

    /* LDS LES LFS LGS LSS */
    static struct {
        uint32_t off;
        uint16_t sel;
    } __attribute__((packed)) fp = {0x12345678, 0xc8}, fpbad = {0x87654321, 0x90};
    uint32_t r1 = 0, r2 = 0;
    asm volatile("push %%ds\n\tlds %2, %0\n\tmov 0x10, %1\n\tpop %%ds"
                 : "=&r"(r1), "=&r"(r2) : "m"(fp) : "memory");
    pr("lds: reg %x ds:10 %x\n", r1, r2);
    asm volatile("les %2, %0\n\tmov %%es:0x10, %1\n\tmov %3, %%es"
                 : "=&r"(r1), "=&r"(r2) : "m"(fp), "r"(SEL_KDATA) : "memory");
    pr("les: reg %x es:10 %x\n", r1, r2);
    asm volatile("lfs %2, %0\n\tmov %%fs:0x10, %1\n\tmov %3, %%fs"
                 : "=&r"(r1), "=&r"(r2) : "m"(fp), "r"(SEL_KDATA) : "memory");
    pr("lfs: reg %x fs:10 %x\n", r1, r2);
    asm volatile("lgs %2, %0\n\tmov %%gs:0x10, %1\n\tmov %3, %%gs"
                 : "=&r"(r1), "=&r"(r2) : "m"(fp), "r"(SEL_KDATA) : "memory");
    pr("lgs: reg %x gs:10 %x\n", r1, r2);
    static struct {
        uint32_t off;
        uint16_t sel;
    } __attribute__((packed)) sp_ptr;
    uint32_t esp_before, esp_after;
    asm volatile("mov %%esp, %0\n\t"
                 "mov %%esp, %2\n\tsubl $64, %2\n\tmovw $0x18, %3\n\t"
                 "lss %2, %%esp\n\t"
                 "mov %%esp, %1\n\t"
                 "mov %0, %%esp"
                 : "=&r"(esp_before), "=&r"(esp_after), "=m"(sp_ptr.off), "=m"(sp_ptr.sel)::"memory");
    pr("lss: esp moved by %d, ss %x\n", (int)(esp_before - esp_after), READ_SEG(ss));
    r1 = 0x5555;
    long v = TRYI("lfs %0, %1", "m"(fpbad), "r"(r1));
    pr("lfs not present: vector %d err %lx\n", (int)v, last_err);
    asm volatile("mov %0, %%fs" ::"r"(SEL_KDATA));

    /* ARPL */
    uint16_t msel = 0x10;
    uint32_t a1;
    uint8_t z1, z2, z3;
    asm volatile("mov $0x18, %%eax\n\tmov $0x22, %%edx\n\tarpl %%dx, %%ax\n\tsetz %1\n\t"
                 "arpl %%dx, %%ax\n\tsetz %2\n\tarpl %%dx, %4\n\tsetz %3"
                 : "=&a"(a1), "=m"(z1), "=m"(z2), "=m"(z3), "+m"(msel)::"edx", "memory");
    pr("arpl: ax %x zf %d, again zf %d; memory %x zf %d\n", a1 & 0xffff, z1 & 1, z2 & 1, msel,
       z3 & 1);

    /* priorities among a descriptor's faults: type and privilege before presence */
    set_gdt(0xd0, seg_desc(0, 0xfffff, 0x12, 0xc));   /* data, DPL 0, not present */
    set_gdt(0xd8, seg_desc(0, 0xfffff, 0x18, 0xc));   /* execute-only code, not present */
    report("ljmp to a not-present data segment", TRY("ljmp $0xd0, $0"));
    report("mov ds, not-present execute-only code", TRYI("mov %0, %%ds", "r"(0xd8)));
    set_gdt(0xd0, seg_desc(0, 0xfffff, 0x72, 0xc));   /* data, DPL 3, not present */
    report("mov ss, dpl 3 not present", TRYI("mov %0, %%ss", "r"(0xd3)));

    /* ring 3 and back */
    trap_hook[0x80] = hook_int80;
    report("user int80", run_user(user_int80, user_stack_top));
    trap_hook[0x80] = 0;
    /* INT n from ring 3 to a gate that is DPL 0 and not present: #GP first */
    set_idt(0x87, isr_stub(0x87), 0xe, 0, 0, SEL_KCODE32);
    idt_clear_present(0x87);
    report("user int 0x87 (gate dpl 0, not present)", run_user(user_int87, user_stack_top));
    set_idt(0x87, isr_stub(0x87), 0xe, 3, 0, SEL_KCODE32);
    idt_clear_present(0x87);
    report("user int 0x87 (gate dpl 3, not present)", run_user(user_int87, user_stack_top));
    set_idt_default(0x87, 0);

    /* a bad SS0 in the TSS: #TS(SS0) while delivering INT 0x80 from ring 3. The
     * #TS gate leads to a conforming code segment, so its handler runs at CPL 3
     * on the user stack (no second stack switch); it repairs SS0 and returns to
     * the INT, which then goes through. */
    set_gdt(0xa8, seg_desc(0, 0xfffff, 0x9e, 0xc));
    set_idt(10, isr_stub(10), 0xe, 0, 0, 0xa8);
    set_idt(12, isr_stub(12), 0xe, 0, 0, 0xa8);
    trap_hook[10] = hook_ts;
    trap_hook[12] = hook_ts;
    set_gdt(0xb0, seg_desc(0, 0xfffff, 0x12, 0xc)); /* writable data, DPL 0, not present */
    static const uint32_t bad_ss0[] = {0, SEL_UDATA | 3, SEL_UDATA, SEL_KCODE32, 0x1f8, 0xb0};
    for (unsigned i = 0; i < sizeof(bad_ss0) / sizeof(bad_ss0[0]); i++) {
        *(volatile uint32_t *)(tss + 8) = bad_ss0[i];
        ts_vec = ts_err = ts_cpl = 0xff;
        long v = run_user(user_int80, user_stack_top);
        pr("ss0 %x: vector %d err %lx at cpl %lx, then vector %d\n", bad_ss0[i], (int)ts_vec,
           ts_err, ts_cpl, (int)v);
    }
    *(volatile uint32_t *)(tss + 8) = SEL_KDATA;
    trap_hook[10] = trap_hook[12] = 0;
    set_idt_default(10, 0);
    set_idt_default(12, 0);

    /* call gate: DPL 3, 2 parameters, to kernel code32 */
    set_gdt(0x80, ((ureg)gate32_target & 0xffff) | (uint64_t)SEL_KCODE32 << 16 | 2ull << 32 |
                      0xecull << 40 | (uint64_t)((ureg)gate32_target >> 16) << 48);
    report("user lcall gate32", run_user(user_gate32, user_stack_top));
    pr("  frame: eip ok %d cs %lx p1 %lx p2 %lx esp ok %d ss %lx; esp back %d\n",
       g_frame[0] > (ureg)user_gate32 && g_frame[0] < (ureg)user_gate32 + 64, g_frame[1],
       g_frame[2], g_frame[3], g_frame[4] == before_gate_esp, g_frame[5],
       after_gate_esp == before_gate_esp + 8);

    /* SYSENTER / SYSEXIT: 0x60 code, 0x68 stack, 0x70 user code, 0x78 user data */
    set_gdt(0x60, gdt[SEL_KCODE32 >> 3]);
    set_gdt(0x68, gdt[SEL_KDATA >> 3]);
    set_gdt(0x70, gdt[SEL_UCODE32 >> 3]);
    set_gdt(0x78, gdt[SEL_UDATA >> 3]);
    wrmsr(MSR_SYSENTER_CS, 0x60);
    wrmsr(MSR_SYSENTER_ESP, (ureg)intr_stack_top - 256);
    wrmsr(MSR_SYSENTER_EIP, (ureg)sysenter_entry);
    report("sysenter", run_user((void (*)(void))user_sysenter, user_stack_top));
    pr("  entry: cs %lx ss %lx esp ok %d eflags %lx; exit: cs %lx ss %lx esp ok %d\n", se_cs,
       se_ss, se_esp == (ureg)intr_stack_top - 256, se_flags, sx_cs, sx_ss,
       sx_esp == (ureg)user_stack_top);
    report("sysexit at cpl 3", run_user(user_sysexit, user_stack_top));
    wrmsr(MSR_SYSENTER_CS, 0);
    report("sysenter with cs 0", run_user((void (*)(void))user_sysenter, user_stack_top));
    return 0;
}
