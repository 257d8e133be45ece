/*
 * atomic_max.c — ARMv8.1 features of -cpu max: LSE atomics (LD<op>, ST<op>,
 * SWP) at every size with every ordering, CAS/CASP success and failure, and
 * the PAN bit; prints old values and memory for diffing against QEMU.
 */
#include "lib.h"

static uint64_t mem[4] __attribute__((aligned(16)));
static const uint64_t inits[] = {0, 0x7f, 0x80, 0xffffffffffffffffull, 0x8000000000000000ull,
                                 0x123456789abcdef0ull, 0x7fffffff80000000ull};
static const uint64_t ops[] = {1, 0xff, 0x8000, 0x7fffffffffffffffull, 0xfedcba9876543210ull};

static void out(const char *n, uint64_t a, uint64_t b, uint64_t old)
{
    puts_uart(n);
    putc_uart(' ');
    print_hex(a);
    putc_uart(' ');
    print_hex(b);
    putc_uart(' ');
    print_hex(old);
    putc_uart(' ');
    print_hex(mem[0]);
    putc_uart('\n');
}

#define A(name, insn)                                                                  \
    static void name(uint64_t init, uint64_t op)                                       \
    {                                                                                  \
        uint64_t old;                                                                  \
        mem[0] = init;                                                                 \
        __asm__ volatile(insn : "=&r"(old) : "r"(op), "r"(mem) : "memory");            \
        out(#name, init, op, old);                                                     \
    }

A(ldadd, "ldadd %1, %0, [%2]")
A(ldadda_w, "ldadda %w1, %w0, [%2]")
A(ldaddlh, "ldaddlh %w1, %w0, [%2]")
A(ldaddalb, "ldaddalb %w1, %w0, [%2]")
A(ldclr, "ldclr %1, %0, [%2]")
A(ldclrh, "ldclrh %w1, %w0, [%2]")
A(ldeor_w, "ldeor %w1, %w0, [%2]")
A(ldset, "ldsetal %1, %0, [%2]")
A(ldsetb, "ldsetb %w1, %w0, [%2]")
A(ldsmax, "ldsmax %1, %0, [%2]")
A(ldsmax_w, "ldsmax %w1, %w0, [%2]")
A(ldsmaxh, "ldsmaxh %w1, %w0, [%2]")
A(ldsminb, "ldsminb %w1, %w0, [%2]")
A(ldsmin, "ldsminl %1, %0, [%2]")
A(ldumax, "ldumax %1, %0, [%2]")
A(ldumaxb, "ldumaxb %w1, %w0, [%2]")
A(ldumin_w, "ldumin %w1, %w0, [%2]")
A(lduminh, "lduminh %w1, %w0, [%2]")
A(swp, "swp %1, %0, [%2]")
A(swpal_w, "swpal %w1, %w0, [%2]")
A(swpb, "swpb %w1, %w0, [%2]")
A(stadd, "stadd %1, [%2]\nmov %0, #0")
A(stsmaxh, "stsmaxh %w1, [%2]\nmov %0, #0")
A(cas_hit, "mov %0, %1\nldr x9, [%2]\nmov %0, x9\ncas %0, %1, [%2]")
A(cas_miss, "mov %0, %1\ncasal %0, %1, [%2]")
A(casb, "ldrb w9, [%2]\nmov %w0, w9\ncasb %w0, %w1, [%2]")
A(cash_miss, "mov %w0, #0x1234\ncash %w0, %w1, [%2]")
A(cas_w, "ldr w9, [%2]\nmov %w0, w9\ncasl %w0, %w1, [%2]")

typedef void (*Fn)(uint64_t, uint64_t);
static const Fn fns[] = {
    ldadd, ldadda_w, ldaddlh, ldaddalb, ldclr, ldclrh, ldeor_w, ldset, ldsetb, ldsmax,
    ldsmax_w, ldsmaxh, ldsminb, ldsmin, ldumax, ldumaxb, ldumin_w, lduminh, swp, swpal_w,
    swpb, stadd, stsmaxh, cas_hit, cas_miss, casb, cash_miss, cas_w,
};

int main(void)
{
    for (unsigned f = 0; f < sizeof(fns) / sizeof(fns[0]); f++) {
        for (unsigned i = 0; i < sizeof(inits) / sizeof(inits[0]); i++) {
            for (unsigned j = 0; j < sizeof(ops) / sizeof(ops[0]); j++) {
                fns[f](inits[i], ops[j]);
            }
        }
    }
    /* CASP: 128-bit and 2x32-bit compare-and-swap pairs */
    for (int hit = 0; hit < 2; hit++) {
        mem[0] = 0x1111111122222222ull;
        mem[1] = 0x3333333344444444ull;
        register uint64_t x0 __asm__("x0") = hit ? mem[0] : 5;
        register uint64_t x1 __asm__("x1") = hit ? mem[1] : 6;
        register uint64_t x2 __asm__("x2") = 0xaaaa;
        register uint64_t x3 __asm__("x3") = 0xbbbb;
        __asm__ volatile("caspal x0, x1, x2, x3, [%4]"
                         : "+r"(x0), "+r"(x1) : "r"(x2), "r"(x3), "r"(mem) : "memory");
        out("casp", x0, x1, mem[1]);
        mem[0] = 0x1111111122222222ull;
        x0 = hit ? 0x22222222 : 7;
        x1 = hit ? 0x11111111 : 8;
        __asm__ volatile("casp w0, w1, w2, w3, [%4]"
                         : "+r"(x0), "+r"(x1) : "r"(x2), "r"(x3), "r"(mem) : "memory");
        out("casp_w", x0, x1, 0);
    }
    /* PAN */
    uint64_t pan;
    __asm__ volatile("mrs %0, pan" : "=r"(pan));
    out("pan reset", pan, 0, 0);
    __asm__ volatile("msr pan, #1\nmrs %0, pan" : "=r"(pan));
    out("pan set", pan, 0, 0);
    __asm__ volatile("msr pan, xzr\nmrs %0, pan" : "=r"(pan));
    out("pan clear", pan, 0, 0);
    uint64_t isar0, mmfr1;
    __asm__ volatile("mrs %0, id_aa64isar0_el1\nmrs %1, id_aa64mmfr1_el1" : "=r"(isar0), "=r"(mmfr1));
    out("atomic/pan fields", (isar0 >> 20) & 0xf, (mmfr1 >> 20) & 0xf, 0);
    puts_uart("atomic done\n");
    return 0;
}
