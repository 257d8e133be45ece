/*
 * seglim_32.c — segment-limit checks in 32-bit protected mode (SDM Vol.3
 * §5.3): byte- and page-granular limits (the last byte of a multi-byte
 * access counts), expand-down data segments (valid above the limit, up to
 * 4 GiB with B set), writes and reads, #GP(0) for data segments and
 * #SS(0) for SS-relative accesses, and a REP MOVSB that stops at the limit
 * with ECX/EDI left where the instruction can restart. The test changes
 * FS, ES and SS only (the C code keeps its flat DS).
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

    /* back to flat: no checks */
    asm volatile("mov %0, %%fs" ::"r"(SEL_KDATA));
    expect("flat fs:200000", rd_fs(BASE, 4), OK);
    return 0;
}
