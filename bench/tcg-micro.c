/*
 * tcg-micro.c — micro-benchmarks of the two TCG backends (x86-64 JIT and
 * the IR interpreter) on hand-built IR, without a guest frontend.
 *
 *   alu     a loop of 12 integer ops on guest registers (globals) and
 *           temps per iteration, with a backward brcond: what the register
 *           allocator and the block-boundary syncs cost;
 *   ldst    a loop of guest load + add + guest store per iteration, every
 *           access a TLB hit (the inline softmmu fast path);
 *   call    a loop calling a pure helper with 3 arguments.
 * Prints ns per loop iteration for each backend and the ratio.
 *
 * Build and run (after `make`, from the repository root):
 *   cc -std=gnu11 -O2 -D_GNU_SOURCE -Iinclude -I. -Itests/unit -o build/tcg-micro \
 *      bench/tcg-micro.c $(ls build/obj/util/*.o build/obj/system/*.o \
 *      build/obj/accel/tcg/*.o build/obj/tcg/*.o build/obj/tcg/tci/*.o \
 *      build/obj/tcg/x86_64/*.o build/obj/coremu/*.o | grep -v system/main.o) \
 *      -lglib-2.0 -lz -lcapstone -lfdt -lpthread -lm
 *   build/tcg-micro [iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tcg-harness.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* loop r0 times; body built by fn */
static void build_loop(Harness *h, void (*body)(Harness *h, TCGv_i64 i))
{
    harness_begin(h);
    TCGv_i64 i = tcg_temp_new_tb_i64();
    TCGLabel *top = gen_new_label(), *out = gen_new_label();
    tcg_gen_mov_i64(i, h->r[0]);
    tcg_gen_brcondi_i64(TCG_COND_EQ, i, 0, out);
    gen_set_label(top);
    body(h, i);
    tcg_gen_subi_i64(i, i, 1);
    tcg_gen_brcondi_i64(TCG_COND_NE, i, 0, top);
    gen_set_label(out);
    tcg_gen_exit_tb(NULL, 0);
}

static void body_alu(Harness *h, TCGv_i64 i)
{
    TCGv_i64 t = tcg_temp_new_i64(), u = tcg_temp_new_i64();
    tcg_gen_add_i64(t, h->r[1], i);
    tcg_gen_xor_i64(u, t, h->r[2]);
    tcg_gen_shli_i64(t, u, 3);
    tcg_gen_sub_i64(h->r[1], t, h->r[3]);
    tcg_gen_andi_i64(u, h->r[1], 0xff0);
    tcg_gen_or_i64(h->r[2], h->r[2], u);
    tcg_gen_mul_i64(t, h->r[4], i);
    tcg_gen_add_i64(h->r[4], h->r[4], t);
    tcg_gen_rotri_i64(h->r[5], h->r[5], 7);
    tcg_gen_add_i64(h->r[5], h->r[5], h->r[1]);
    tcg_gen_setcond_i64(TCG_COND_LTU, t, h->r[5], h->r[4]);
    tcg_gen_add_i64(h->r[6], h->r[6], t);
}

static void body_ldst(Harness *h, TCGv_i64 i)
{
    /* addr = r7 + (i & 1023) * 8: 8 KiB of RAM, every access a TLB hit */
    TCGv_i64 a = tcg_temp_new_i64(), v = tcg_temp_new_i64();
    tcg_gen_andi_i64(a, i, 1023);
    tcg_gen_shli_i64(a, a, 3);
    tcg_gen_add_i64(a, a, h->r[7]);
    tcg_gen_guest_ld_i64(v, a, HARNESS_MMU_IDX, MO_64);
    tcg_gen_add_i64(v, v, i);
    tcg_gen_guest_st_i64(v, a, HARNESS_MMU_IDX, MO_64);
    tcg_gen_add_i64(h->r[1], h->r[1], v);
}

static uint64_t helper_mix3(uint64_t a, uint64_t b, uint64_t c)
{
    return (a ^ (b << 1)) + c;
}
static const TCGHelperInfo info_mix3 = {
    .func = (void *)helper_mix3,
    .name = "mix3",
    .flags = TCG_CALL_PURE,
    .nb_args = 3,
    .ret = TCG_CALL_I64,
    .args = {TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64},
};

static void body_call(Harness *h, TCGv_i64 i)
{
    int args[3] = {tcgv_i64_idx(h->r[1]), tcgv_i64_idx(i), tcgv_i64_idx(h->r[2])};
    tcg_gen_callN(&info_mix3, tcgv_i64_idx(h->r[1]), 3, args);
    tcg_gen_addi_i64(h->r[2], h->r[2], 3);
}

static double run(const TCGBackend *be, void (*body)(Harness *, TCGv_i64), uint64_t iters,
                  uint64_t *check)
{
    Harness *h = harness_new(be);
    build_loop(h, body);
    memset(h->cpu->regs, 0, sizeof(h->cpu->regs));
    harness_run(h, HARNESS_OPT | HARNESS_LIVENESS); /* r0 = 0: generate only */
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        memset(h->cpu->regs, 0, sizeof(h->cpu->regs));
        memset(h->ram, 0, 8192);
        h->cpu->regs[0] = iters;
        h->cpu->regs[7] = HARNESS_RAM_BASE;
        double t0 = now_ns();
        harness_exec(h);
        double dt = (now_ns() - t0) / (double)iters;
        if (dt < best) {
            best = dt;
        }
    }
    *check = h->cpu->regs[1] ^ h->cpu->regs[4] ^ h->cpu->regs[6];
    harness_free(h);
    return best;
}

int main(int argc, char **argv)
{
    uint64_t iters = argc > 1 ? strtoull(argv[1], NULL, 0) : 20000000;
    static const struct {
        const char *name;
        void (*body)(Harness *, TCGv_i64);
    } benches[] = {
        {"alu", body_alu},
        {"ldst", body_ldst},
        {"call", body_call},
    };
    printf("%-6s %12s %12s %8s\n", "bench", "jit ns/it", "interp ns/it", "ratio");
    int bad = 0;
    for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++) {
        uint64_t cj, ci;
        double tj = run(&tcg_backend_x86_64, benches[b].body, iters, &cj);
        double ti = run(&tcg_backend_interp, benches[b].body, iters / 10, &ci);
        /* same program on the same inputs: results must agree (on iters/10 too) */
        uint64_t cj2;
        run(&tcg_backend_x86_64, benches[b].body, iters / 10, &cj2);
        if (cj2 != ci) {
            printf("%-6s results differ: jit %#llx interp %#llx\n", benches[b].name,
                   (unsigned long long)cj2, (unsigned long long)ci);
            bad = 1;
        }
        (void)cj;
        printf("%-6s %12.2f %12.2f %7.1fx\n", benches[b].name, tj, ti, ti / tj);
    }
    return bad;
}
