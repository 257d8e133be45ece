/* strings.c — REP MOVS / REP STOS (coremu runs them a page-bounded run at a time on host memory): every element size, forward and backward (DF), overlapping copies (destination 1..7 bytes above the source), runs across page boundaries, a count of 0, 32-bit address size, a copy into the code that follows, and a fault in the middle of a REP (RCX/RSI/RDI at the fault, then the rest after the page is mapped). Checksums and registers are compared with QEMU. */
#include "lib.h"

#define VBASE 0x8000000000ul
#define PAGE(i) (VBASE + 0x1000ul * (i))

extern uint64_t pml4[512];
static uint64_t pdpt2[512] __attribute__((aligned(4096)));
static uint64_t pd2[512] __attribute__((aligned(4096)));
static uint64_t pt2[512] __attribute__((aligned(4096)));
static uint8_t frames[4][4096] __attribute__((aligned(4096)));
static uint8_t buf[3 * 4096 + 64] __attribute__((aligned(4096)));

static uint32_t sum(const uint8_t *p, unsigned n)
{
    uint32_t h = 2166136261u;
    for (unsigned i = 0; i < n; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

static void fill_pattern(void)
{
    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)(i * 7 + (i >> 8));
    }
}

struct regs {
    ureg si, di, cx;
};

#define REP_OP(name, insn)                                                           \
    static struct regs name(ureg si, ureg di, ureg cx, ureg ax, int down)            \
    {                                                                                \
        struct regs r;                                                               \
        if (down) {                                                                  \
            asm volatile("std\n\trep " insn "\n\tcld"                                \
                         : "+S"(si), "+D"(di), "+c"(cx) : "a"(ax) : "memory");       \
        } else {                                                                     \
            asm volatile("rep " insn : "+S"(si), "+D"(di), "+c"(cx) : "a"(ax) : "memory"); \
        }                                                                            \
        r.si = si, r.di = di, r.cx = cx;                                             \
        return r;                                                                    \
    }
REP_OP(rep_movsb, "movsb")
REP_OP(rep_movsw, "movsw")
REP_OP(rep_movsl, "movsl")
REP_OP(rep_movsq, "movsq")
REP_OP(rep_stosb, "stosb")
REP_OP(rep_stosw, "stosw")
REP_OP(rep_stosl, "stosl")
REP_OP(rep_stosq, "stosq")

typedef struct regs (*RepFn)(ureg, ureg, ureg, ureg, int);
static const RepFn movs[4] = {rep_movsb, rep_movsw, rep_movsl, rep_movsq};
static const RepFn stos[4] = {rep_stosb, rep_stosw, rep_stosl, rep_stosq};

static void one(const char *what, RepFn f, ureg src_off, ureg dst_off, ureg n, int down)
{
    fill_pattern();
    ureg b = (ureg)buf;
    struct regs r = f(b + src_off, b + dst_off, n, 0x1122334455667788ul, down);
    pr("%s src %lx dst %lx n %lx%s: sum %x si %lx di %lx cx %lx\n", what, src_off, dst_off, n,
       down ? " down" : "", sum(buf, sizeof(buf)), r.si - b, r.di - b, r.cx);
}

/* a 32-bit address size REP MOVSB: ESI/EDI/ECX, upper halves cleared */
static void addr32(void)
{
    fill_pattern();
    ureg si = (ureg)buf + 5, di = (ureg)buf + 4096 + 3, cx = 100;
    asm volatile("addr32 rep movsb" : "+S"(si), "+D"(di), "+c"(cx) :: "memory");
    pr("addr32 rep movsb: sum %x si %lx di %lx cx %lx\n", sum(buf, sizeof(buf)),
       si - (ureg)buf, di - (ureg)buf, cx);
}

/* REP STOSB over the instructions that follow it, in the same page */
static uint8_t code[64] __attribute__((aligned(64))); /* data pages are executable here (no NXE) */
static void overwrite_code(void)
{
    /* code: lea 1f(%rip),%rdi; mov $5,%ecx; mov $0x90,%al; rep stosb; 1: mov $0x77,%edx (5 bytes); ret */
    static const uint8_t prog[] = {0x48, 0x8d, 0x3d, 0x09, 0x00, 0x00, 0x00, 0xb9, 0x05, 0x00,
                                   0x00, 0x00, 0xb0, 0x90, 0xf3, 0xaa, 0xba, 0x77, 0x00, 0x00,
                                   0x00, 0xc3};
    for (unsigned i = 0; i < sizeof(prog); i++) {
        code[i] = prog[i];
    }
    ureg dx = 0x55;
    asm volatile("call *%1" : "+d"(dx) : "r"(code) : "rax", "rcx", "rdi", "memory");
    pr("rep stosb over the following code: edx %lx\n", dx);
}

/* a REP MOVSQ whose destination runs into a not-present page */
static void fault_mid_rep(void)
{
    pml4[1] = (uint64_t)(ureg)pdpt2 | 7;
    pdpt2[0] = (uint64_t)(ureg)pd2 | 7;
    pd2[0] = (uint64_t)(ureg)pt2 | 7;
    for (int i = 0; i < 4; i++) {
        pt2[i] = (uint64_t)(ureg)frames[i] | 7;
        for (int k = 0; k < 4096; k++) {
            frames[i][k] = (uint8_t)(i * 31 + k);
        }
    }
    pt2[2] = 0;
    WRITE_CR(3, READ_CR(3));
    fill_pattern();
    ureg si = (ureg)buf, di = PAGE(1) + 0x800, cx = 0x200; /* 0x100 qwords fit before page 2 */
    last_vec = (ureg)-1;
    asm volatile("movq $1f, fixup_ip\n\trep movsq\n1:\n\tmovq $0, fixup_ip"
                 : "+S"(si), "+D"(di), "+c"(cx) :: "memory");
    long v = (long)last_vec;
    pr("rep movsq into a not-present page: vector %d err %lx cr2 %lx\n", (int)v, last_err,
       last_cr2 - VBASE);
    pr("  at the fault: si %lx di %lx cx %lx\n", si - (ureg)buf, di - VBASE, cx);
    pr("  page 1 after the fault: sum %x\n", sum(frames[1], 4096));
    pt2[2] = (uint64_t)(ureg)frames[2] | 7;
    asm volatile("invlpg (%0)" ::"r"(PAGE(2)) : "memory");
    struct regs r = rep_movsq((ureg)buf, PAGE(1) + 0x800, 0x200, 0, 0);
    pr("  again with the page mapped: sum %x %x si %lx di %lx cx %lx\n", sum(frames[1], 4096),
       sum(frames[2], 4096), r.si - (ureg)buf, r.di - VBASE, r.cx);
}

int main(void)
{
    static const char *const names[4] = {"b", "w", "l", "q"};
    char what[16];
    for (int sz = 0; sz < 4; sz++) {
        what[0] = 'm', what[1] = 'o', what[2] = 'v', what[3] = 's';
        what[4] = names[sz][0], what[5] = 0;
        one(what, movs[sz], 3, 4096 + 5, 1000 >> sz, 0);      /* across a page */
        one(what, movs[sz], 0, 0, 0, 0);                      /* count 0 */
        one(what, movs[sz], 4096 + 7, 9, 3000 >> sz, 0);      /* downward copy, forward */
        one(what, movs[sz], 8192 - 8, 2 * 4096 + 100, 2000 >> sz, 1); /* DF=1 */
        for (int k = 1; k < 8; k++) {
            one(what, movs[sz], 64, 64 + k, 5000 >> sz, 0);  /* overlap: dst just above */
        }
        what[0] = 's', what[1] = 't', what[2] = 'o', what[3] = 's';
        one(what, stos[sz], 0, 4096 - 3, 6000 >> sz, 0);
        one(what, stos[sz], 0, 2 * 4096 + 50, 700 >> sz, 1);
    }
    addr32();
    overwrite_code();
    fault_mid_rep();
    return 0;
}
