/*
 * seglim_32.c — segment-limit checks in 32-bit protected mode (SDM Vol.3
 * §5.3): byte- and page-granular limits (the last byte of a multi-byte
 * access counts), expand-down data segments (valid above the limit, up to
 * 4 GiB with B set), writes and reads, #GP(0) for data segments and
 * #SS(0) for SS-relative accesses, and a REP MOVSB that stops at the limit
 * with ECX/EDI left where the instruction can restart, the CS limit on
 * instruction fetch, and a stack
 * overflow in a handler (#UD, then #SS while pushing its frame, #SS again:
 * a double fault, taken through a task gate onto a good stack). The test
 * changes FS, ES and SS only (the C code keeps its flat DS).
 *
 * Debian's QEMU (TCG) does not check segment limits at all, so it cannot be
 * the oracle: every case checks itself against the SDM's rule and the run
 * compares with seglim_32.golden (run.sh), the "ok" lines of a correct run.
 */
#include "lib.h"

#define SEL_LIM 0x60
#define SEL_LIM_G 0x68
#define SEL_EXPDOWN 0x70
#define SEL_STACK 0x78
#define BASE 0x200000u

#define OK (-1)
#define GP 13
#define SS 12

/* the access faulted with `want` (error code 0) or, for OK, not at all */
static void expect(const char *what, long v, long want)
{
    check(what, (uint64_t)(v == OK ? OK : v * 0x10000 + (long)last_err),
          (uint64_t)(want == OK ? OK : want * 0x10000));
}

static long rd_fs(uint32_t off, int size)
{
    switch (size) {
    case 1: return TRYIC("movb %%fs:(%0), %%al", "eax", "r"(off));
    case 2: return TRYIC("movw %%fs:(%0), %%ax", "eax", "r"(off));
    default: return TRYIC("movl %%fs:(%0), %%eax", "eax", "r"(off));
    }
}

static long wr_fs(uint32_t off)
{
    return TRYI("movl $0x12345678, %%fs:(%0)", "r"(off));
}

/* ---- a stack overflow in a handler: #UD, #SS, #SS -> #DF through a task gate ---- */
#define SEL_EXPSTACK 0x80
#define SEL_DFTSS 0x88
static uint8_t df_tss[0x68] __attribute__((aligned(16)));
static uint8_t df_stack[2048] __attribute__((aligned(16)));
extern char df_task[], df_ud[], df_resume[];
volatile uint32_t df_err, df_old_eip, df_old_esp, df_old_ss, df_saved_esp;
asm(".text\n"
    "df_task:\n"
    "  popl df_err\n"
    "  mov tss+0x20, %eax\n  mov %eax, df_old_eip\n"
    "  mov tss+0x38, %eax\n  mov %eax, df_old_esp\n"
    "  mov tss+0x50, %eax\n  mov %eax, df_old_ss\n"
    "  movl $df_resume, tss+0x20\n"                    /* resume task 1 with a good stack */
    "  mov df_saved_esp, %eax\n  mov %eax, tss+0x38\n"
    "  movl $0x18, tss+0x50\n"
    "  iret\n"
    "  jmp df_task\n");

static void double_fault_test(void)
{
    for (int i = 0; i < 0x68; i++) {
        df_tss[i] = 0;
    }
    *(volatile uint32_t *)(df_tss + 0x20) = (uint32_t)(ureg)df_task;
    *(volatile uint32_t *)(df_tss + 0x24) = 2;
    *(volatile uint32_t *)(df_tss + 0x38) = (uint32_t)(ureg)(df_stack + sizeof(df_stack));
    *(volatile uint32_t *)(df_tss + 0x48) = SEL_KDATA;
    *(volatile uint32_t *)(df_tss + 0x4c) = SEL_KCODE32;
    for (int i = 0x50; i <= 0x5c; i += 4) {
        *(volatile uint32_t *)(df_tss + i) = SEL_KDATA;
    }
    set_gdt(SEL_DFTSS, seg_desc((uint32_t)(ureg)df_tss, 0x67, 0x89, 0));
    set_idt(8, 0, 5, 0, 0, SEL_DFTSS);
    /* an expand-down stack segment whose valid offsets start at `bottom` */
    ureg esp;
    asm volatile("mov %%esp, %0" : "=r"(esp));
    uint32_t bottom = (uint32_t)((esp - 0x3000) & ~0xffful);
    set_gdt(SEL_EXPSTACK, seg_desc(0, (bottom >> 12) - 1, 0x96, 0xc));
    asm volatile("mov %%esp, df_saved_esp\n\t"
                 "mov %0, %%ss\n\t"
                 "mov %1, %%esp\n"
                 "df_ud: ud2\n"
                 "df_resume:\n\t"
                 "mov $0x18, %%eax\n\tmov %%eax, %%ss\n\t"
                 "mov df_saved_esp, %%esp"
                 ::"r"(SEL_EXPSTACK), "r"(bottom + 8) : "eax", "memory");
    asm volatile("clts");
    set_idt_default(8, 0);
    check("#DF through the task gate: error code 0", df_err, 0);
    check("#DF: the outgoing task was at the ud2", df_old_eip, (uint32_t)(ureg)df_ud);
    check("#DF: its esp untouched by the failed deliveries", df_old_esp, bottom + 8);
    check("#DF: its ss the expand-down segment", df_old_ss, SEL_EXPSTACK);
}

/* ---- the CS limit: code in a segment whose limit ends right after an LRET ---- */
#define SEL_CODELIM 0x90
extern char cl_start[], cl_lret[], cl_end[];
asm(".text\n"
    "cl_start:\n"
    "  nop\n  nop\n"
    "cl_lret:\n"
    "  lret\n"
    "cl_end:\n");
static volatile ureg cl_fault_ip, cl_fault_cs;
static int hook_cs_limit(struct frame *f)
{
    if (f->cs != SEL_CODELIM) {
        return 0;
    }
    cl_fault_ip = f->ip;
    cl_fault_cs = f->cs;
    f->cs = SEL_KCODE32;
    f->ip = fixup_ip;
    fixup_ip = 0;
    return 1;
}

/* the segment's base is the page holding cl_start, its limit byte-granular */
struct {
    uint32_t off;
    uint16_t sel;
} __attribute__((packed)) cl_ptr;

static long call_limited(uint32_t base, uint32_t limit)
{
    set_gdt(SEL_CODELIM, seg_desc(base, limit, 0x9a, 0x4));
    cl_ptr.off = (uint32_t)(ureg)cl_start - base;
    cl_ptr.sel = SEL_CODELIM;
    last_vec = (ureg)-1;
    asm volatile("movl $3f, fixup_ip\n\t"
                 "lcall *cl_ptr\n\t"
                 "jmp 4f\n"
                 "3:\tadd $8, %%esp\n" /* the far CALL's CS:EIP, never popped */
                 "4:\tmovl $0, fixup_ip" ::: "memory");
    return (long)last_vec;
}

static void cs_limit_test(void)
{
    uint32_t base = (uint32_t)(ureg)cl_start & ~0xfffu;
    trap_hook[13] = hook_cs_limit;
    expect("code ending at the CS limit",
           call_limited(base, (uint32_t)(ureg)cl_end - 1 - base), OK);
    expect("lret one byte past the CS limit",
           call_limited(base, (uint32_t)(ureg)cl_lret - 1 - base), GP);
    check("  #GP at the lret", cl_fault_ip, (uint32_t)(ureg)cl_lret - base);
    check("  in the limited segment", cl_fault_cs, SEL_CODELIM);
    trap_hook[13] = 0;
}

int main(void)
{
    /* byte-granular limit 0xfff */
    set_gdt(SEL_LIM, seg_desc(BASE, 0xfff, 0x92, 0x4));
    asm volatile("mov %0, %%fs" ::"r"(SEL_LIM));
    expect("fs:ffc dword", rd_fs(0xffc, 4), OK);
    expect("fs:ffd dword", rd_fs(0xffd, 4), GP);
    expect("fs:ffe word", rd_fs(0xffe, 2), OK);
    expect("fs:fff byte", rd_fs(0xfff, 1), OK);
    expect("fs:1000 byte", rd_fs(0x1000, 1), GP);
    expect("fs:ffff0000 dword", rd_fs(0xffff0000u, 4), GP);
    expect("write fs:ffc", wr_fs(0xffc), OK);
    check("write landed", *(volatile uint32_t *)(BASE + 0xffc), 0x12345678);
    expect("write fs:ffe", wr_fs(0xffe), GP);

    /* page-granular: limit 0 means 0xfff */
    set_gdt(SEL_LIM_G, seg_desc(BASE, 0, 0x92, 0xc));
    asm volatile("mov %0, %%fs" ::"r"(SEL_LIM_G));
    expect("G=1 fs:ffc dword", rd_fs(0xffc, 4), OK);
    expect("G=1 fs:1000 byte", rd_fs(0x1000, 1), GP);

    /* expand-down, B=1: valid offsets are 0x1000..0xffffffff */
    set_gdt(SEL_EXPDOWN, seg_desc(0, 0xfff, 0x96, 0x4));
    asm volatile("mov %0, %%fs" ::"r"(SEL_EXPDOWN));
    expect("expand-down fs:fff", rd_fs(0xfff, 1), GP);
    expect("expand-down fs:ffe dword", rd_fs(0xffe, 4), GP);
    expect("expand-down fs:1000 dword", rd_fs(BASE, 4), OK);
    expect("expand-down fs:fffffffc dword", rd_fs(0xfffffffcu, 4), OK);
    expect("expand-down fs:fffffffd dword", rd_fs(0xfffffffdu, 4), GP);

    /* SS limit: 1 GiB (page granular), an EBP access above it */
    set_gdt(SEL_STACK, seg_desc(0, 0x3ffff, 0x92, 0xc));
    asm volatile("mov %0, %%ss" ::"r"(SEL_STACK));
    expect("ss:3ffffffc dword", TRYIC("push %%ebp\n\tmov %0, %%ebp\n\tmov (%%ebp), %%eax\n\t"
                                     "pop %%ebp", "eax", "r"(0x3ffffffc)), OK);
    long v = TRYIC("push %%ebp\n\tmov %0, %%ebp\n\tmov (%%ebp), %%eax", "eax", "r"(0x40000000));
    asm volatile("pop %%ebp" ::: "memory");
    expect("ss:40000000 dword", v, SS);
    expect("ds override, same offset", TRYIC("mov %%ds:(%0), %%eax", "eax", "r"(0x40000000)), OK);
    asm volatile("mov %0, %%ss" ::"r"(SEL_KDATA));

    /* REP MOVSB into a limited ES stops at the limit, restartable */
    asm volatile("mov %0, %%es" ::"r"(SEL_LIM));
    uint32_t ecx, edi;
    last_vec = (ureg)-1;
    asm volatile("movl $1f, fixup_ip\n\t"
                 "mov $0xff0, %%edi\n\tmov $0x100000, %%esi\n\tmov $0x20, %%ecx\n\t"
                 "rep movsb\n1:\n\tmovl $0, fixup_ip"
                 : "=c"(ecx), "=D"(edi)::"esi", "memory");
    asm volatile("mov %0, %%es" ::"r"(SEL_KDATA));
    check("rep movsb to es limit: #GP", last_vec, GP);
    check("rep movsb: ecx left", ecx, 0x10);
    check("rep movsb: edi at the limit", edi, 0x1000);

    double_fault_test();
    cs_limit_test();

    /* back to flat: no checks */
    asm volatile("mov %0, %%fs" ::"r"(SEL_KDATA));
    expect("flat fs:200000", rd_fs(BASE, 4), OK);
    return 0;
}
