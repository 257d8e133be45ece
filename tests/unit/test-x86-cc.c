/*
 * test-x86-cc.c — lazy flags (target/i386/cc_helper.c): x86_compute_cf, the
 * CF-only evaluation that JB/JAE/ADC/SBB use when cc_op is known only at run
 * time, agrees with the CF of x86_compute_eflags for every cc_op, on random
 * operands and on the edge values (0, 1, sign bits, all ones) of each size.
 */
#include <stdio.h>

#include "target/i386/cpu.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t pick(void)
{
    static const uint64_t edge[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                                    0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffull,
                                    0x8000000000000000ull, ~0ull};
    uint64_t r = next();
    return (r & 3) == 0 ? edge[(r >> 2) % (sizeof(edge) / sizeof(edge[0]))] : next();
}

int main(void)
{
    int failures = 0;
    for (uint32_t op = CC_OP_EFLAGS; op < CC_OP_NB; op++) {
        long bad = 0;
        for (int i = 0; i < 200000; i++) {
            uint64_t dst = pick(), src = pick(), src2 = pick();
            if ((next() & 1) && op >= CC_OP_ADDB) {
                /* consistent operands: dst = src2 op src for the add/sub families */
                int sz = cc_op_size((CCOp)op);
                uint64_t cin = next() & 1;
                switch (cc_op_base((CCOp)op)) {
                case CC_OP_ADDB: dst = src2 + src; break;
                case CC_OP_ADCB: dst = src2 + src + cin; break;
                case CC_OP_SUBB: dst = src2 - src; break;
                case CC_OP_SBBB: dst = src2 - src - cin; break;
                default: break;
                }
                (void)sz;
            }
            uint32_t want = x86_compute_eflags(op, dst, src, src2) & CC_C;
            uint32_t got = x86_compute_cf(op, dst, src, src2);
            if (got != want) {
                if (bad++ == 0) {
                    printf("  cc_op %u dst %#llx src %#llx src2 %#llx: cf %u want %u\n", op,
                           (unsigned long long)dst, (unsigned long long)src,
                           (unsigned long long)src2, got, want);
                }
            }
        }
        printf("%s x86_compute_cf agrees with x86_compute_eflags for cc_op %u", bad ? "FAIL" : "PASS",
               op);
        if (bad) {
            printf(": %ld of 200000 differ", bad);
            failures++;
        }
        printf("\n");
    }
    return failures ? 1 : 0;
}
