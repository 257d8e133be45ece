/*
 * test-tcg-liveness.c — the liveness pass (dead ops, DEAD_ARG bits, the
 * agreed lifetimes of EBB/TB temps and globals; docs/tcg-ops.md
 * "Liveness") and the -d op dump format.
 */
#include <inttypes.h>
#include <stdarg.h>

#include "tcg-harness.h"

static int failures;
static Harness *H;

static void report(const char *name, bool ok, const char *fmt, ...)
{
    if (ok) {
        printf("PASS %s\n", name);
        return;
    }
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printf("FAIL %s: %s\n", name, buf);
    failures++;
}

static int ri(int r)
{
    return tcgv_i64_idx(H->r[r]);
}

/* the n-th (0-based) live op writing temp idx, in program order; NULL if none */
static const TCGOp *writer(int idx, int n)
{
    for (int i = 0; i < H->s->nb_ops; i++) {
        const TCGOp *op = &H->s->ops[i];
        if (op->opc == INDEX_op_nop) {
            continue;
        }
        for (unsigned k = 0; k < tcg_op_nb_oargs(op); k++) {
            if ((int)op->args[k] == idx && n-- == 0) {
                return op;
            }
        }
    }
    return NULL;
}

static const TCGOp *first_op(TCGOpcode opc)
{
    for (int i = 0; i < H->s->nb_ops; i++) {
        if (H->s->ops[i].opc == opc) {
            return &H->s->ops[i];
        }
    }
    return NULL;
}

static void live(void)
{
    tcg_gen_exit_tb(NULL, 0);
    tcg_liveness(H->s);
}

static uint64_t helper_any(CPUState *cpu)
{
    (void)cpu;
    return 1;
}
static const TCGHelperInfo info_rwg = {
    .func = (void *)helper_any, .name = "rwg", .flags = 0, .nb_args = 1,
    .ret = TCG_CALL_I64, .args = {TCG_CALL_PTR},
};
static const TCGHelperInfo info_norwg = {
    .func = (void *)helper_any, .name = "norwg", .flags = TCG_CALL_NO_RWG, .nb_args = 1,
    .ret = TCG_CALL_I64, .args = {TCG_CALL_PTR},
};
static const TCGHelperInfo info_pure = {
    .func = (void *)helper_any, .name = "pure", .flags = TCG_CALL_PURE, .nb_args = 1,
    .ret = TCG_CALL_I64, .args = {TCG_CALL_PTR},
};

static void test_dead_ops(void)
{
    harness_begin(H);
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_addi_i64(t, H->r[0], 1);
    tcg_gen_addi_i64(H->r[2], H->r[0], 2);
    live();
    report("dead_temp_op_removed", writer(tcgv_i64_idx(t), 0) == NULL &&
                                       writer(ri(2), 0) != NULL,
           "temp writer %p", (void *)writer(tcgv_i64_idx(t), 0));

    /* a global overwritten with no read, fault or BB end between: first write dead */
    harness_begin(H);
    tcg_gen_movi_i64(H->r[2], 1);
    tcg_gen_movi_i64(H->r[2], 2);
    live();
    report("global_overwritten_first_write_removed",
           writer(ri(2), 0) && writer(ri(2), 1) == NULL, "two writers remain");

    /* ... but not across an op that may fault (its memory copy must be current) */
    harness_begin(H);
    tcg_gen_movi_i64(H->r[2], 1);
    tcg_gen_guest_ld_i64(H->r[3], H->r[0], HARNESS_MMU_IDX, MO_UQ);
    tcg_gen_movi_i64(H->r[2], 2);
    live();
    report("global_write_kept_before_guest_mem", writer(ri(2), 1) != NULL, "first write removed");

    /* ... nor across a BB end */
    harness_begin(H);
    TCGLabel *l = gen_new_label();
    tcg_gen_movi_i64(H->r[2], 1);
    tcg_gen_brcondi_i64(TCG_COND_EQ, H->r[0], 0, l);
    tcg_gen_movi_i64(H->r[2], 2);
    gen_set_label(l);
    live();
    report("global_write_kept_before_brcond", writer(ri(2), 1) != NULL, "first write removed");

    /* calls: reading globals keeps the write; NO_RWG does not */
    for (int k = 0; k < 2; k++) {
        harness_begin(H);
        TCGv_i64 r = tcg_temp_new_i64();
        int a[1] = {tcg_ctx->env_temp};
        tcg_gen_movi_i64(H->r[2], 1);
        tcg_gen_callN(k ? &info_norwg : &info_rwg, tcgv_i64_idx(r), 1, a);
        tcg_gen_movi_i64(H->r[2], 2);
        live();
        if (k == 0) {
            report("global_write_kept_before_call", writer(ri(2), 1) != NULL,
                   "first write removed");
        } else {
            report("global_write_dead_before_call_no_rwg", writer(ri(2), 1) == NULL,
                   "first write kept");
        }
    }

    /* calls with unused results: removed only when TCG_CALL_NO_SIDE_EFFECTS */
    harness_begin(H);
    TCGv_i64 r1 = tcg_temp_new_i64(), r2 = tcg_temp_new_i64();
    int a[1] = {tcg_ctx->env_temp};
    tcg_gen_callN(&info_pure, tcgv_i64_idx(r1), 1, a);
    tcg_gen_callN(&info_norwg, tcgv_i64_idx(r2), 1, a);
    live();
    const TCGOp *c = first_op(INDEX_op_call);
    report("call_pure_unused_removed_other_kept",
           c && tcg_call_info(c) == &info_norwg && IS_DEAD_ARG(c, 0),
           "first call %s", c ? tcg_call_info(c)->name : "(none)");
}

static void test_dead_args(void)
{
    harness_begin(H);
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_addi_i64(t, H->r[0], 1);
    tcg_gen_add_i64(H->r[2], t, H->r[1]);
    tcg_gen_add_i64(H->r[3], H->r[1], H->r[1]);
    live();
    const TCGOp *o1 = writer(tcgv_i64_idx(t), 0), *o2 = writer(ri(2), 0), *o3 = writer(ri(3), 0);
    /* o1: t live after, r0 (global, last read) dead, constant dead */
    /* o2: t dead, r1 live (read by o3); o3: r1 dead */
    bool ok = o1 && o2 && o3 && !IS_DEAD_ARG(o1, 0) && IS_DEAD_ARG(o1, 1) &&
              IS_DEAD_ARG(o2, 1) && !IS_DEAD_ARG(o2, 2) && IS_DEAD_ARG(o3, 1) &&
              IS_DEAD_ARG(o2, 0);
    /* outputs that are globals read by nobody later are "dead" (may be released) */
    ok = ok && IS_DEAD_ARG(o3, 0) && (o1->life & 0xffff0000u) == 0;
    report("dead_arg_bits", ok, "life %#x %#x %#x", o1 ? o1->life : 0, o2 ? o2->life : 0,
           o3 ? o3->life : 0);

    harness_begin(H);
    t = tcg_temp_new_i64();
    tcg_gen_movi_i64(t, 5);
    tcg_gen_discard_i64(t);
    live();
    const TCGOp *d = first_op(INDEX_op_discard);
    /* discard counts as a writer: the mov before it must be gone */
    report("discard_marks_dead", d && IS_DEAD_ARG(d, 0) && writer(tcgv_i64_idx(t), 0) == d,
           "discard %p", (void *)d);
}

static void test_lifetimes(void)
{
    /* an EBB temp survives a brcond's fall-through */
    harness_begin(H);
    TCGv_i64 t = tcg_temp_new_i64();
    TCGLabel *l = gen_new_label();
    tcg_gen_addi_i64(t, H->r[0], 7);
    tcg_gen_brcondi_i64(TCG_COND_EQ, H->r[1], 0, l);
    tcg_gen_mov_i64(H->r[2], t);
    gen_set_label(l);
    live();
    const TCGOp *p = writer(tcgv_i64_idx(t), 0), *m = writer(ri(2), 0);
    report("ebb_temp_survives_brcond_fallthrough", p && !IS_DEAD_ARG(p, 0) && m &&
                                                       IS_DEAD_ARG(m, 1),
           "producer %p", (void *)p);
    H->cpu->regs[0] = 1;
    H->cpu->regs[1] = 1;
    uint8_t *code = H->code + H->prologue_size;
    ptrdiff_t n = H->backend->gen_code(H->s, &H->tb, code, 65536);
    H->tb.tc_ptr = code;
    H->tb.tc_size = (uint32_t)n;
    harness_exec(H);
    report("ebb_temp_survives_brcond_runs", H->cpu->regs[2] == 8, "r2 %" PRIu64,
           H->cpu->regs[2]);

    /* a TB temp lives across a label; an EBB temp does not (its write is dead) */
    harness_begin(H);
    TCGv_i64 tb = tcg_temp_new_tb_i64(), eb = tcg_temp_new_i64();
    l = gen_new_label();
    tcg_gen_addi_i64(tb, H->r[0], 1);
    tcg_gen_addi_i64(eb, H->r[0], 2);
    gen_set_label(l);
    tcg_gen_mov_i64(H->r[2], tb);
    tcg_gen_mov_i64(H->r[3], eb); /* invalid IR on purpose: eb is dead here */
    live();
    report("tb_temp_lives_across_label_ebb_dies",
           writer(tcgv_i64_idx(tb), 0) != NULL && writer(tcgv_i64_idx(eb), 0) == NULL,
           "tb writer %p ebb writer %p", (void *)writer(tcgv_i64_idx(tb), 0),
           (void *)writer(tcgv_i64_idx(eb), 0));

    /* double-width ops with an unused half are narrowed */
    harness_begin(H);
    TCGv_i64 hi = tcg_temp_new_i64(), lo = tcg_temp_new_i64();
    tcg_gen_add2_i64(H->r[2], hi, H->r[0], H->r[1], H->r[0], H->r[1]);
    tcg_gen_mulu2_i64(lo, H->r[3], H->r[0], H->r[1]);
    live();
    const TCGOp *a = writer(ri(2), 0), *b = writer(ri(3), 0);
    report("double_width_narrowed", a && a->opc == INDEX_op_add && b && b->opc == INDEX_op_muluh,
           "ops %s %s", a ? tcg_op_defs[a->opc].name : "-", b ? tcg_op_defs[b->opc].name : "-");
    H->cpu->regs[0] = ~0ull;
    H->cpu->regs[1] = 3;
    uint8_t *code2 = H->code + H->prologue_size;
    n = H->backend->gen_code(H->s, &H->tb, code2, 65536);
    H->tb.tc_ptr = code2;
    H->tb.tc_size = (uint32_t)n;
    harness_exec(H);
    report("double_width_narrowed_runs", H->cpu->regs[2] == ~0ull - 1 && H->cpu->regs[3] == 2,
           "r2 %" PRIx64 " r3 %" PRIx64, H->cpu->regs[2], H->cpu->regs[3]);
}

static void test_forwarding(void)
{
    /* t = r0 + 1; r2 = t  ->  r2 = r0 + 1 */
    harness_begin(H);
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_addi_i64(t, H->r[0], 1);
    tcg_gen_mov_i64(H->r[2], t);
    live();
    const TCGOp *w = writer(ri(2), 0);
    report("forward_mov_into_def", w && w->opc == INDEX_op_add && first_op(INDEX_op_mov) == NULL,
           "op %s", w ? tcg_op_defs[w->opc].name : "-");

    /* ldp-style: both loads before the register writes. The second load may
     * fault, so the first register must not be written before it. */
    harness_begin(H);
    TCGv_i64 t1 = tcg_temp_new_i64(), t2 = tcg_temp_new_i64(), a8 = tcg_temp_new_i64();
    tcg_gen_addi_i64(a8, H->r[0], 8);
    tcg_gen_guest_ld_i64(t1, H->r[0], HARNESS_MMU_IDX, MO_UQ);
    tcg_gen_guest_ld_i64(t2, a8, HARNESS_MMU_IDX, MO_UQ);
    tcg_gen_mov_i64(H->r[2], t1);
    tcg_gen_mov_i64(H->r[3], t2);
    live();
    const TCGOp *w2 = writer(ri(2), 0), *w3 = writer(ri(3), 0);
    report("forward_mov_not_across_fault",
           w2 && w2->opc == INDEX_op_mov && w3 && w3->opc == INDEX_op_guest_ld,
           "r2 by %s, r3 by %s", w2 ? tcg_op_defs[w2->opc].name : "-",
           w3 ? tcg_op_defs[w3->opc].name : "-");
    /* and the fault still leaves r2 untouched */
    H->cpu->regs[0] = HARNESS_RAM_BASE + HARNESS_RAM_SIZE - 8; /* second load unmapped */
    H->cpu->regs[2] = 0x2222;
    H->cpu->regs[3] = 0x3333;
    harness_gen_at(H, &H->tb, 0);
    uintptr_t r = harness_exec(H);
    report("forward_mov_fault_keeps_registers",
           r == HARNESS_FAULT && H->cpu->regs[2] == 0x2222 && H->cpu->regs[3] == 0x3333,
           "ret %#lx r2 %#" PRIx64 " r3 %#" PRIx64, (unsigned long)r, H->cpu->regs[2],
           H->cpu->regs[3]);

    /* not when t is read later, nor when x is read in between */
    harness_begin(H);
    t = tcg_temp_new_i64();
    tcg_gen_addi_i64(t, H->r[0], 1);
    tcg_gen_mov_i64(H->r[2], t);
    tcg_gen_add_i64(H->r[3], t, t);
    TCGv_i64 u = tcg_temp_new_i64();
    tcg_gen_addi_i64(u, H->r[0], 2);
    tcg_gen_addi_i64(H->r[5], H->r[4], 1);
    tcg_gen_mov_i64(H->r[4], u);
    live();
    w2 = writer(ri(2), 0);
    const TCGOp *w4 = writer(ri(4), 0);
    report("forward_mov_blocked_by_uses",
           w2 && w2->opc == INDEX_op_mov && w4 && w4->opc == INDEX_op_mov,
           "r2 by %s, r4 by %s", w2 ? tcg_op_defs[w2->opc].name : "-",
           w4 ? tcg_op_defs[w4->opc].name : "-");
}

static void test_dump(void)
{
    harness_begin(H);
    TCGv_i64 t = tcg_temp_new_i64();
    TCGLabel *l = gen_new_label();
    tcg_gen_insn_start(0x40001000, 0);
    tcg_gen_addi_i64(t, H->r[0], 5);
    tcg_gen_brcondi_i64(TCG_COND_LTU, t, 0x10, l);
    tcg_gen_guest_ld_i64(H->r[1], t, 2, MO_SL | MO_ALIGN);
    int a[1] = {tcg_ctx->env_temp};
    tcg_gen_callN(&info_norwg, tcgv_i64_idx(H->r[2]), 1, a);
    gen_set_label(l);
    tcg_gen_exit_tb(NULL, 0);
    tcg_liveness(H->s);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tcg_dump_ops(H->s, f, true);
    fclose(f);
    static const char *const want[] = {
        " ---- 0000000040001000 0000000000000000\n",
        " add_i64 tmp0,r0,$0x5",
        " brcond_i64 tmp0,$0x10,ltu,L0",
        " guest_ld_i64 r1,tmp0,sl+al,2",
        " call norwg,$0x3,$1,r2,env",
        " set_label L0\n",
        " exit_tb $0x0\n",
        "dead: 1",
    };
    const char *missing = NULL;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (!strstr(buf, want[i])) {
            missing = want[i];
            break;
        }
    }
    report("dump_format", missing == NULL, "missing \"%s\" in:\n%s", missing ? missing : "",
           buf);
    free(buf);
}

int main(void)
{
    H = harness_new(&tcg_backend_interp);
    test_dead_ops();
    test_dead_args();
    test_lifetimes();
    test_forwarding();
    test_dump();
    harness_free(H);
    return failures ? 1 : 0;
}
