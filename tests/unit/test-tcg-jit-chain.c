/*
 * test-tcg-jit-chain.c — the JIT's block exits: exit_tb values, goto_tb
 * direct chaining (patched with set_jmp_target, reset with addr 0, the
 * displacement 4-byte aligned so one store re-targets it), a TB chained to
 * itself as a loop, goto_ptr to another TB or to the "return 0" exit
 * (TCGContext.exit_zero), and insn_end_off.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tcg-harness.h"

static int failures;

#define CHECK(name, cond)                                                              \
    do {                                                                               \
        if (cond) {                                                                    \
            printf("PASS %s\n", name);                                                 \
        } else {                                                                       \
            printf("FAIL %s: %s (line %d)\n", name, #cond, __LINE__);                  \
            failures++;                                                                \
        }                                                                              \
    } while (0)

static Harness *H;
static TranslationBlock tb_a, tb_b, tb_c, tb_loop;

static bool jmp_aligned(const TranslationBlock *tb, int n)
{
    return tb->jmp_insn_off[n] != 0xffff &&
           ((uintptr_t)tb->tc_ptr + tb->jmp_insn_off[n] + 1) % 4 == 0 &&
           tb->tc_ptr[tb->jmp_insn_off[n]] == 0xe9 &&
           tb->jmp_reset_off[n] == tb->jmp_insn_off[n] + 5;
}

static uintptr_t exec_tb(const TranslationBlock *tb)
{
    tcg_ctx = H->s;
    return H->backend->exec(H->s, &H->cpu->parent, tb->tc_ptr);
}

/* A: r1 += 1; if (r0 == 1) { goto_tb 1; exit 1 } else { goto_tb 0; exit 0 } */
static void gen_a(void)
{
    harness_begin(H);
    TCGLabel *l = gen_new_label();
    tcg_gen_insn_start(0x100, 0);
    tcg_gen_addi_i64(H->r[1], H->r[1], 1);
    tcg_gen_insn_start(0x104, 0);
    tcg_gen_brcondi_i64(TCG_COND_EQ, H->r[0], 1, l);
    tcg_gen_goto_tb(0);
    tcg_gen_exit_tb(&tb_a, 0);
    gen_set_label(l);
    tcg_gen_goto_tb(1);
    tcg_gen_exit_tb(&tb_a, 1);
    tcg_liveness(H->s);
    harness_gen_at(H, &tb_a, 0);
}

/* B: r2 += 10 (r1 still dirty in a register in A must have been synced) */
static void gen_b(void)
{
    harness_begin(H);
    tcg_gen_insn_start(0x200, 0);
    tcg_gen_add_i64(H->r[2], H->r[2], H->r[1]);
    tcg_gen_addi_i64(H->r[2], H->r[2], 10);
    tcg_gen_exit_tb(&tb_b, 0);
    tcg_liveness(H->s);
    harness_gen_at(H, &tb_b, 4096);
}

/* loop: r3 -= 1; r4 += r3; if (r3 == 0) exit 2; goto_tb 0; exit 0 */
static void gen_loop(void)
{
    harness_begin(H);
    TCGLabel *done = gen_new_label();
    tcg_gen_insn_start(0x300, 0);
    tcg_gen_subi_i64(H->r[3], H->r[3], 1);
    tcg_gen_add_i64(H->r[4], H->r[4], H->r[3]);
    tcg_gen_brcondi_i64(TCG_COND_EQ, H->r[3], 0, done);
    tcg_gen_goto_tb(0);
    tcg_gen_exit_tb(&tb_loop, 0);
    gen_set_label(done);
    tcg_gen_exit_tb(NULL, 0x40);
    tcg_liveness(H->s);
    harness_gen_at(H, &tb_loop, 8192);
}

/* C: r5 += 1; goto_ptr(lookup(env)) */
static uintptr_t helper_lookup(CPUState *cpu)
{
    HarnessCPU *c = (HarnessCPU *)cpu;
    return c->regs[6] ? (uintptr_t)tb_b.tc_ptr : H->s->exit_zero;
}
static const TCGHelperInfo info_lookup = {
    .func = (void *)helper_lookup, .name = "lookup", .flags = TCG_CALL_NO_WG, .nb_args = 1,
    .ret = TCG_CALL_PTR, .args = {TCG_CALL_PTR},
};

static void gen_c(void)
{
    harness_begin(H);
    tcg_gen_insn_start(0x400, 0);
    tcg_gen_addi_i64(H->r[5], H->r[5], 1);
    TCGv_ptr p = tcg_temp_new_i64();
    int a[1] = {tcg_ctx->env_temp};
    tcg_gen_callN(&info_lookup, tcgv_i64_idx(p), 1, a);
    tcg_gen_goto_ptr(p);
    tcg_liveness(H->s);
    harness_gen_at(H, &tb_c, 12288);
}

int main(void)
{
    H = harness_new(&tcg_backend_x86_64);
    gen_a();
    /* (the context's insn_end_off array is reused by the next TB: check now) */
    CHECK("insn_end_off_monotonic", tb_a.icount == 2 && tb_a.insn_end_off[0] > 0 &&
                                        tb_a.insn_end_off[0] <= tb_a.insn_end_off[1] &&
                                        tb_a.insn_end_off[1] <= tb_a.tc_size);
    gen_b();
    gen_loop();
    gen_c();
    uint64_t *R = H->cpu->regs;

    CHECK("goto_tb_jmp_disp_aligned_slot0", jmp_aligned(&tb_a, 0));
    CHECK("goto_tb_jmp_disp_aligned_slot1", jmp_aligned(&tb_a, 1));
    CHECK("goto_tb_absent_in_b", tb_b.jmp_insn_off[0] == 0xffff && tb_b.jmp_insn_off[1] == 0xffff);

    /* unchained: both slots fall through to their exit_tb */
    R[0] = 0, R[1] = 5, R[2] = 0;
    uintptr_t ret = exec_tb(&tb_a);
    CHECK("unchained_slot0_exit", ret == (uintptr_t)&tb_a && R[1] == 6 && R[2] == 0);
    R[0] = 1;
    ret = exec_tb(&tb_a);
    CHECK("unchained_slot1_exit", ret == (uintptr_t)&tb_a + 1 && R[1] == 7);

    /* chain slot 0 to B: A's dirty r1 is visible to B */
    harness_chain(H, &tb_a, 0, &tb_b);
    R[0] = 0, R[1] = 100, R[2] = 1;
    ret = exec_tb(&tb_a);
    CHECK("chained_slot0_runs_b", ret == (uintptr_t)&tb_b && R[1] == 101 && R[2] == 1 + 101 + 10);
    R[0] = 1;
    ret = exec_tb(&tb_a);
    CHECK("slot1_still_unchained", ret == (uintptr_t)&tb_a + 1);
    harness_chain(H, &tb_a, 1, &tb_b);
    R[0] = 1, R[2] = 0;
    ret = exec_tb(&tb_a);
    CHECK("chained_slot1_runs_b", ret == (uintptr_t)&tb_b && R[2] == R[1] + 10);

    /* reset (addr 0) returns to the TB's own exit path */
    harness_chain(H, &tb_a, 0, NULL);
    harness_chain(H, &tb_a, 1, NULL);
    R[0] = 0;
    ret = exec_tb(&tb_a);
    CHECK("reset_slot0", ret == (uintptr_t)&tb_a);
    R[0] = 1;
    ret = exec_tb(&tb_a);
    CHECK("reset_slot1", ret == (uintptr_t)&tb_a + 1);

    /* a TB chained to itself: a loop of 1000 trips inside generated code */
    harness_chain(H, &tb_loop, 0, &tb_loop);
    R[3] = 1000, R[4] = 0;
    ret = exec_tb(&tb_loop);
    CHECK("self_chained_loop", ret == 0x40 && R[3] == 0 && R[4] == 999ull * 1000 / 2);

    /* goto_ptr: to B, or to exit_zero (returns 0 to the loop) */
    R[5] = 0, R[6] = 1, R[1] = 1, R[2] = 0;
    ret = exec_tb(&tb_c);
    CHECK("goto_ptr_to_tb", ret == (uintptr_t)&tb_b && R[5] == 1 && R[2] == 11);
    R[6] = 0;
    ret = exec_tb(&tb_c);
    CHECK("goto_ptr_to_exit_zero", ret == 0 && R[5] == 2);
    CHECK("exit_zero_and_epilogue_in_prologue_area",
          H->s->exit_zero >= (uintptr_t)H->code && H->s->exit_zero < H->s->epilogue &&
              H->s->epilogue < (uintptr_t)H->code + H->prologue_size);

    harness_free(H);
    return failures ? 1 : 0;
}
