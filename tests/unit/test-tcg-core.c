/*
 * test-tcg-core.c — the IR container (tcg/tcg.c) and the emitting API
 * (tcg/tcg-op.c): contexts, globals vs per-TB temps, constant dedup, label
 * handles across growth, op editing, conditions, and the simplifications
 * tcg-op.c makes before the optimizer runs.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "exec/cpu.h"
#include "exec/tb.h"
#include "tcg/tcg-op.h"

static int failures;

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

static TCGContext *S;

static const TCGOp *last_op(void)
{
    return S->nb_ops ? &S->ops[S->nb_ops - 1] : NULL;
}

static void test_context(void)
{
    report("env_temp_fixed",
           S->env_temp == 0 && S->temps[0].kind == TEMP_FIXED && S->nb_globals == 1 &&
               tcgv_i64_idx(tcg_env()) == S->env_temp,
           "env %d kind %d", S->env_temp, S->temps[0].kind);
    TCGv_i64 g = tcg_global_mem_new_i64(16, "g");
    TCGv_i32 h = tcg_global_mem_new_i32(24, "h");
    report("globals_registered",
           S->nb_globals == 3 && S->temps[tcgv_i64_idx(g)].kind == TEMP_GLOBAL &&
               S->temps[tcgv_i64_idx(g)].mem_offset == 16 &&
               S->temps[tcgv_i32_idx(h)].type == TCG_TYPE_I32,
           "nb_globals %d", S->nb_globals);

    tcg_func_start(S);
    for (int i = 0; i < 1000; i++) {
        tcg_temp_new_i64(); /* grow the temp array well past its first size */
    }
    TCGv_i32 t = tcg_temp_new_tb_i32();
    report("temps_grow_and_kinds",
           S->nb_temps == 1004 && S->temps[tcgv_i32_idx(t)].kind == TEMP_TB &&
               S->temps[3].kind == TEMP_EBB && S->temps[tcgv_i64_idx(g)].name &&
               !strcmp(S->temps[tcgv_i64_idx(g)].name, "g"),
           "nb_temps %d", S->nb_temps);
    tcg_func_start(S);
    report("func_start_keeps_globals_only", S->nb_temps == 3 && S->nb_ops == 0 &&
                                                S->nb_labels == 0 && S->nb_insns == 0,
           "nb_temps %d", S->nb_temps);
}

static void test_constants(void)
{
    tcg_func_start(S);
    TCGv_i64 a = tcg_constant_i64(5), b = tcg_constant_i64(5), c = tcg_constant_i64(6);
    TCGv_i32 d = tcg_constant_i32(5), e = tcg_constant_i32(-1);
    int before = S->nb_temps;
    for (int i = 0; i < 3000; i++) {
        tcg_constant_i64(i); /* rehash the table several times */
    }
    TCGv_i64 a2 = tcg_constant_i64(5);
    report("constants_dedup_per_type_value",
           a == b && a != c && tcgv_i32_idx(d) != tcgv_i64_idx(a) && a2 == a &&
               S->nb_temps == before + 2998 /* 0..2999 minus the existing 5 and 6 */,
           "a %p b %p a2 %p nb %d before %d", (void *)a, (void *)b, (void *)a2, S->nb_temps,
           before);
    report("constant_i32_zero_extended",
           S->temps[tcgv_i32_idx(e)].val == 0xffffffffll &&
               S->temps[tcgv_i32_idx(e)].kind == TEMP_CONST,
           "val %" PRIx64, (uint64_t)S->temps[tcgv_i32_idx(e)].val);
    tcg_func_start(S);
    TCGv_i64 f = tcg_constant_i64(5);
    report("constants_dropped_with_tb", S->temps[tcgv_i64_idx(f)].val == 5 &&
                                            tcgv_i64_idx(f) == S->nb_globals,
           "idx %d", tcgv_i64_idx(f));
}

static void test_labels(void)
{
    tcg_func_start(S);
    TCGLabel *first = gen_new_label();
    TCGLabel *ls[300];
    for (int i = 0; i < 300; i++) {
        ls[i] = gen_new_label(); /* the label array is reallocated meanwhile */
    }
    tcg_gen_br(first);
    gen_set_label(first); /* through a handle from before the growth */
    gen_set_label(ls[299]);
    const TCGOp *br = &S->ops[0], *sl = &S->ops[1];
    report("label_handles_survive_growth",
           first->id == 0 && ls[299]->id == 300 && br->opc == INDEX_op_br && br->args[0] == 0 &&
               sl->opc == INDEX_op_set_label && sl->args[0] == 0 && S->labels[0].present &&
               S->labels[300].present && !S->labels[1].present && S->nb_labels == 301,
           "ids %d %d", first->id, ls[299]->id);
}

static void test_op_editing(void)
{
    tcg_func_start(S);
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_movi_i64(t, 1);
    tcg_gen_movi_i64(t, 3);
    TCGOp *op = tcg_op_insert_before(S, 1, INDEX_op_neg, TCG_TYPE_I64);
    op->args[0] = op->args[1] = (uint64_t)tcgv_i64_idx(t);
    tcg_op_remove(S, &S->ops[0]);
    report("insert_before_and_remove",
           S->nb_ops == 3 && S->ops[0].opc == INDEX_op_nop && S->ops[1].opc == INDEX_op_neg &&
               S->ops[2].opc == INDEX_op_mov && tcg_op_nb_oargs(&S->ops[1]) == 1 &&
               tcg_op_nb_iargs(&S->ops[1]) == 1,
           "ops %d", S->nb_ops);
}

static void test_conditions(void)
{
    static const TCGCond all[] = {TCG_COND_EQ,  TCG_COND_NE,  TCG_COND_LT,  TCG_COND_GE,
                                  TCG_COND_LE,  TCG_COND_GT,  TCG_COND_LTU, TCG_COND_GEU,
                                  TCG_COND_LEU, TCG_COND_GTU, TCG_COND_ALWAYS,
                                  TCG_COND_NEVER};
    static const uint64_t v[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
                                 0x8000000000000000ull, ~0ull};
    bool ok = true;
    char why[128] = "";
    for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
        TCGCond c = all[k];
        for (size_t i = 0; i < 8; i++) {
            for (size_t j = 0; j < 8; j++) {
                for (int t = 0; t < 2; t++) {
                    TCGType ty = t ? TCG_TYPE_I64 : TCG_TYPE_I32;
                    bool r = tcg_cond_eval(c, ty, v[i], v[j]);
                    if (tcg_cond_eval(tcg_invert_cond(c), ty, v[i], v[j]) == r ||
                        tcg_cond_eval(tcg_swap_cond(c), ty, v[j], v[i]) != r) {
                        ok = false;
                        snprintf(why, sizeof(why), "%s on %" PRIx64 ",%" PRIx64,
                                 tcg_cond_name(c), v[i], v[j]);
                    }
                }
            }
        }
    }
    /* a few absolute values: I32 compares the low words, signed */
    ok = ok && tcg_cond_eval(TCG_COND_LT, TCG_TYPE_I32, 0x80000000, 0) &&
         !tcg_cond_eval(TCG_COND_LT, TCG_TYPE_I64, 0x80000000, 0) &&
         tcg_cond_eval(TCG_COND_EQ, TCG_TYPE_I32, 0x100000000ull, 0) &&
         tcg_cond_eval(TCG_COND_GTU, TCG_TYPE_I64, ~0ull, 1) &&
         !strcmp(tcg_cond_name(TCG_COND_LEU), "leu");
    report("cond_eval_invert_swap", ok, "%s", why);
}

/* what the emitting API simplifies by itself */
static void test_gen_simplifications(void)
{
    tcg_func_start(S);
    TCGv_i64 a = tcg_temp_new_i64(), r = tcg_temp_new_i64();
    TCGv_i32 x = tcg_temp_new_i32(), y = tcg_temp_new_i32();
    struct {
        const char *name;
        TCGOpcode opc;
    } want[12];
    int n = 0;
    int start = S->nb_ops;
    tcg_gen_shli_i64(r, a, 0);
    want[n++] = (typeof(want[0])){"shli 0", INDEX_op_mov};
    tcg_gen_andi_i64(r, a, 0);
    want[n++] = (typeof(want[0])){"andi 0", INDEX_op_mov};
    tcg_gen_andi_i64(r, a, 0xff);
    want[n++] = (typeof(want[0])){"andi 0xff", INDEX_op_ext8u};
    tcg_gen_andi_i64(r, a, 0xffffffff);
    want[n++] = (typeof(want[0])){"andi 0xffffffff", INDEX_op_ext32u};
    tcg_gen_andi_i32(x, y, -1);
    want[n++] = (typeof(want[0])){"andi_i32 -1", INDEX_op_mov};
    tcg_gen_xori_i64(r, a, -1);
    want[n++] = (typeof(want[0])){"xori -1", INDEX_op_not};
    tcg_gen_muli_i64(r, a, 8);
    want[n++] = (typeof(want[0])){"muli 8", INDEX_op_shl};
    tcg_gen_subi_i64(r, a, 3);
    want[n++] = (typeof(want[0])){"subi", INDEX_op_add};
    tcg_gen_extract_i64(r, a, 0, 64);
    want[n++] = (typeof(want[0])){"extract full", INDEX_op_mov};
    tcg_gen_extract2_i32(x, y, y, 32);
    want[n++] = (typeof(want[0])){"extract2 32", INDEX_op_mov};
    tcg_gen_setcond_i64(TCG_COND_ALWAYS, r, a, a);
    want[n++] = (typeof(want[0])){"setcond always", INDEX_op_mov};
    tcg_gen_ext_i64(r, a, MO_SL);
    want[n++] = (typeof(want[0])){"ext_i64 MO_SL", INDEX_op_ext32s};
    bool ok = S->nb_ops - start == n;
    char why[128] = "";
    for (int i = 0; ok && i < n; i++) {
        if (S->ops[start + i].opc != want[i].opc) {
            ok = false;
            snprintf(why, sizeof(why), "%s gave %s", want[i].name,
                     tcg_op_defs[S->ops[start + i].opc].name);
        }
    }
    const TCGOp *sub = &S->ops[start + 7];
    ok = ok && S->temps[sub->args[2]].kind == TEMP_CONST && S->temps[sub->args[2]].val == -3;
    /* no op at all for mov to itself, brcond never */
    int before = S->nb_ops;
    tcg_gen_mov_i64(a, a);
    tcg_gen_brcondi_i64(TCG_COND_NEVER, a, 0, gen_new_label());
    ok = ok && S->nb_ops == before;
    report("gen_simplifications", ok, "%s (ops %d want %d)", why, S->nb_ops - start, n);

    /* call op layout */
    static const TCGHelperInfo info = {.name = "h", .flags = TCG_CALL_NO_WG, .nb_args = 2,
                                       .ret = TCG_CALL_I64,
                                       .args = {TCG_CALL_PTR, TCG_CALL_I32}};
    int args[2] = {S->env_temp, tcgv_i32_idx(x)};
    tcg_gen_callN(&info, tcgv_i64_idx(r), 2, args);
    const TCGOp *c = last_op();
    report("call_layout",
           c->opc == INDEX_op_call && c->nb_oargs == 1 && c->nb_iargs == 2 &&
               c->args[0] == (uint64_t)tcgv_i64_idx(r) && c->args[1] == (uint64_t)S->env_temp &&
               c->args[2] == (uint64_t)tcgv_i32_idx(x) && tcg_call_info(c) == &info &&
               c->args[4] == TCG_CALL_NO_WG,
           "layout");

    /* insn_start grows insn_end_off; exit_tb encodes tb | idx */
    for (int i = 0; i < 700; i++) {
        tcg_gen_insn_start((uint64_t)i, 0);
    }
    static TranslationBlock *const fake = (TranslationBlock *)(uintptr_t)0x1000;
    tcg_gen_exit_tb(fake, 1);
    report("insn_start_and_exit_tb",
           S->nb_insns == 700 && S->cap_insn_end >= 700 && last_op()->args[0] == 0x1001,
           "insns %d cap %d", S->nb_insns, S->cap_insn_end);
}

int main(void)
{
    S = tcg_context_new(&tcg_backend_interp);
    tcg_ctx = S;
    test_context();
    test_constants();
    test_labels();
    test_op_editing();
    test_conditions();
    test_gen_simplifications();
    tcg_context_free(S);
    return failures ? 1 : 0;
}
