/*
 * test-tcg-optimize.c — the optimizer, fold by fold: for each rewrite, an
 * input that must be rewritten and a close one that must not. Each case
 * emits IR with the harness (r0..r15 are 64-bit globals), runs
 * tcg_optimize, inspects the op that last writes the result register, and
 * then runs the optimized program on the interpreter to check the value.
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

static int ridx(int r)
{
    return tcgv_i64_idx(H->r[r]);
}

/* the last live op that writes temp idx */
static const TCGOp *last_writer(int idx)
{
    for (int i = H->s->nb_ops - 1; i >= 0; i--) {
        const TCGOp *op = &H->s->ops[i];
        if (op->opc == INDEX_op_nop) {
            continue;
        }
        for (unsigned k = 0; k < tcg_op_nb_oargs(op); k++) {
            if ((int)op->args[k] == idx) {
                return op;
            }
        }
    }
    return NULL;
}

static bool is_movi(const TCGOp *op, uint64_t v)
{
    if (!op || op->opc != INDEX_op_mov) {
        return false;
    }
    const TCGTemp *t = &H->s->temps[op->args[1]];
    return t->kind == TEMP_CONST && (uint64_t)t->val == v;
}

static bool is_mov_from(const TCGOp *op, int src)
{
    return op && op->opc == INDEX_op_mov && (int)op->args[1] == src;
}

static const char *opname(const TCGOp *op)
{
    return op ? tcg_op_defs[op->opc].name : "(none)";
}

static int count_ops(TCGOpcode opc)
{
    int n = 0;
    for (int i = 0; i < H->s->nb_ops; i++) {
        n += H->s->ops[i].opc == opc;
    }
    return n;
}

/* optimize, then run on the interpreter; returns r2 */
static uint64_t opt_run(uint64_t r0, uint64_t r1)
{
    tcg_gen_exit_tb(NULL, 0);
    tcg_optimize(H->s);
    H->cpu->regs[0] = r0;
    H->cpu->regs[1] = r1;
    harness_run(H, 0); /* no liveness: the ops stay as the optimizer left them */
    return H->cpu->regs[2];
}

#define C64(v) tcg_constant_i64(v)
#define C32(v) tcg_constant_i32(v)

/* r2 = op(const a, const b) folds to movi want */
typedef void (*Gen64)(TCGv_i64, TCGv_i64, TCGv_i64);
static void fold_pair(const char *name, Gen64 g, uint64_t a, uint64_t b, uint64_t want)
{
    char n1[64];
    harness_begin(H);
    g(H->r[2], C64((int64_t)a), C64((int64_t)b));
    uint64_t v = opt_run(0, 0);
    const TCGOp *w = last_writer(ridx(2));
    snprintf(n1, sizeof(n1), "fold_%s_const", name);
    report(n1, is_movi(w, want) && v == want, "op %s value 0x%" PRIx64, opname(w), v);
    /* with a non-constant operand it stays */
    harness_begin(H);
    g(H->r[2], H->r[0], C64((int64_t)b));
    v = opt_run(a, 0);
    w = last_writer(ridx(2));
    snprintf(n1, sizeof(n1), "nofold_%s_var", name);
    report(n1, w && w->opc != INDEX_op_mov && v == want, "op %s value 0x%" PRIx64, opname(w),
           v);
}

static void test_const_folds(void)
{
    fold_pair("add", tcg_gen_add_i64, 5, 7, 12);
    fold_pair("sub", tcg_gen_sub_i64, 5, 7, (uint64_t)-2);
    fold_pair("mul", tcg_gen_mul_i64, 0x100000001ull, 3, 0x300000003ull);
    fold_pair("and", tcg_gen_and_i64, 0xf0f0, 0x3c3c, 0x3030);
    fold_pair("or", tcg_gen_or_i64, 0xf000, 0x0f0f, 0xff0f);
    fold_pair("xor", tcg_gen_xor_i64, 0xff, 0x0f, 0xf0);
    fold_pair("andc", tcg_gen_andc_i64, 0xff, 0x0f, 0xf0);
    fold_pair("orc", tcg_gen_orc_i64, 0, 0xffffffffffffff00ull, 0xff);
    fold_pair("eqv", tcg_gen_eqv_i64, 0xf0, 0x0f, ~0xffull);
    fold_pair("nand", tcg_gen_nand_i64, 0xff, 0x0f, ~0x0full);
    fold_pair("nor", tcg_gen_nor_i64, 0xf0, 0x0f, ~0xffull);
    fold_pair("shl", tcg_gen_shl_i64, 1, 63, 1ull << 63);
    fold_pair("shr", tcg_gen_shr_i64, 1ull << 63, 63, 1);
    fold_pair("sar", tcg_gen_sar_i64, 1ull << 63, 63, ~0ull);
    fold_pair("rotl", tcg_gen_rotl_i64, 0x8000000000000001ull, 1, 3);
    fold_pair("rotr", tcg_gen_rotr_i64, 3, 1, 0x8000000000000001ull);
    fold_pair("muluh", tcg_gen_muluh_i64, ~0ull, ~0ull, ~0ull - 1);
    fold_pair("mulsh", tcg_gen_mulsh_i64, ~0ull, ~0ull, 0);
    fold_pair("div", tcg_gen_div_i64, (uint64_t)-7, 2, (uint64_t)-3);
    fold_pair("divu", tcg_gen_divu_i64, 7, 2, 3);
    fold_pair("rem", tcg_gen_rem_i64, (uint64_t)-7, 2, (uint64_t)-1);
    fold_pair("remu", tcg_gen_remu_i64, 7, 2, 1);
    fold_pair("clz", tcg_gen_clz_i64, 0, 64, 64);
    fold_pair("ctz", tcg_gen_ctz_i64, 0x100, 64, 8);

    /* unary and bit-field folds on constants */
    harness_begin(H);
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_movi_i64(t, 0x80f0);
    tcg_gen_ext8s_i64(H->r[3], t);
    tcg_gen_ext16s_i64(H->r[4], t);
    tcg_gen_bswap16_i64(H->r[5], t);
    tcg_gen_ctpop_i64(H->r[6], t);
    tcg_gen_extract_i64(H->r[7], t, 4, 8);
    tcg_gen_sextract_i64(H->r[8], t, 8, 8);
    tcg_gen_deposit_i64(H->r[9], t, C64(0xa), 60, 4);
    tcg_gen_extract2_i64(H->r[10], t, C64(1), 4);
    tcg_gen_neg_i64(H->r[11], t);
    tcg_gen_not_i64(H->r[12], t);
    tcg_gen_bswap64_i64(H->r[13], t);
    opt_run(0, 0);
    static const struct {
        int r;
        uint64_t v;
    } want[] = {
        {3, 0xfffffffffffffff0ull}, {4, 0xffffffffffff80f0ull}, {5, 0xf080},
        {6, 5},  {7, 0x0f}, {8, 0xffffffffffffff80ull}, {9, 0xa0000000000080f0ull},
        {10, 0x100000000000080full}, {11, (uint64_t)-0x80f0}, {12, ~0x80f0ull},
        {13, 0xf080000000000000ull},
    };
    bool ok = true;
    char why[128] = "";
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const TCGOp *w = last_writer(ridx(want[i].r));
        if (!is_movi(w, want[i].v) || H->cpu->regs[want[i].r] != want[i].v) {
            ok = false;
            snprintf(why, sizeof(why), "r%d: op %s value 0x%" PRIx64, want[i].r, opname(w),
                     H->cpu->regs[want[i].r]);
            break;
        }
    }
    report("fold_unary_bitfield_consts", ok, "%s", why);
}

static void test_undefined_not_folded(void)
{
    harness_begin(H);
    tcg_gen_shl_i64(H->r[2], C64(1), C64(64));
    tcg_gen_div_i64(H->r[3], C64(6), C64(0));
    tcg_gen_div_i64(H->r[4], C64(INT64_MIN), C64(-1));
    tcg_gen_remu_i64(H->r[5], C64(6), C64(0));
    tcg_gen_rotr_i64(H->r[6], C64(6), C64(70));
    TCGv_i32 x = tcg_temp_new_i32();
    tcg_gen_shr_i32(x, C32(8), C32(32));
    tcg_gen_extu_i32_i64(H->r[7], x);
    opt_run(0, 0);
    const struct {
        int r;
        TCGOpcode opc;
    } want[] = {{2, INDEX_op_shl}, {3, INDEX_op_div}, {4, INDEX_op_div}, {5, INDEX_op_remu},
                {6, INDEX_op_rotr}};
    bool ok = true;
    char why[128] = "";
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const TCGOp *w = last_writer(ridx(want[i].r));
        if (!w || w->opc != want[i].opc) {
            ok = false;
            snprintf(why, sizeof(why), "r%d: op %s", want[i].r, opname(w));
        }
    }
    const TCGOp *w = last_writer(tcgv_i32_idx(x));
    if (!w || w->opc != INDEX_op_shr) {
        ok = false;
        snprintf(why, sizeof(why), "shr_i32 by 32: op %s", opname(w));
    }
    /* and nothing crashed running them */
    report("nofold_undefined_shift_div", ok, "%s", why);
}

static void test_i32_invariant(void)
{
    harness_begin(H);
    TCGv_i32 x = tcg_temp_new_i32();
    tcg_gen_add_i32(x, C32(-1), C32(1));
    tcg_gen_extu_i32_i64(H->r[2], x);
    TCGv_i32 y = tcg_temp_new_i32();
    tcg_gen_sub_i32(y, C32(0), C32(1));
    tcg_gen_extu_i32_i64(H->r[3], y);
    TCGv_i32 z = tcg_temp_new_i32();
    tcg_gen_shl_i32(z, C32(0x80000001), C32(1));
    tcg_gen_ext_i32_i64(H->r[4], z);
    opt_run(0, 0);
    const TCGOp *wx = last_writer(tcgv_i32_idx(x));
    const TCGOp *wy = last_writer(tcgv_i32_idx(y));
    const TCGOp *w4 = last_writer(ridx(4));
    report("fold_i32_wraps_zero_extended",
           is_movi(wx, 0) && is_movi(wy, 0xffffffff) && H->cpu->regs[2] == 0 &&
               H->cpu->regs[3] == 0xffffffff && is_movi(w4, 2) && H->cpu->regs[4] == 2,
           "x %s y %s r2 0x%" PRIx64 " r3 0x%" PRIx64, opname(wx), opname(wy),
           H->cpu->regs[2], H->cpu->regs[3]);
}

static void identity(const char *name, Gen64 g, int64_t k, int expect /* 0 mov r0, 1 movi */,
                     uint64_t v, bool same)
{
    harness_begin(H);
    g(H->r[2], H->r[0], same ? H->r[0] : C64(k));
    uint64_t got = opt_run(0x123456789abcdef0ull, 0);
    const TCGOp *w = last_writer(ridx(2));
    bool ok = expect == 0 ? is_mov_from(w, ridx(0)) : is_movi(w, v);
    uint64_t want = expect == 0 ? 0x123456789abcdef0ull : v;
    report(name, ok && got == want, "op %s value 0x%" PRIx64, opname(w), got);
}

static void test_identities(void)
{
    identity("ident_add_0", tcg_gen_add_i64, 0, 0, 0, false);
    identity("ident_sub_0", tcg_gen_sub_i64, 0, 0, 0, false);
    identity("ident_mul_1", tcg_gen_mul_i64, 1, 0, 0, false);
    identity("ident_and_m1", tcg_gen_and_i64, -1, 0, 0, false);
    identity("ident_or_0", tcg_gen_or_i64, 0, 0, 0, false);
    identity("ident_xor_0", tcg_gen_xor_i64, 0, 0, 0, false);
    identity("ident_shl_0", tcg_gen_shl_i64, 0, 0, 0, false);
    identity("ident_sar_0", tcg_gen_sar_i64, 0, 0, 0, false);
    identity("ident_rotr_0", tcg_gen_rotr_i64, 0, 0, 0, false);
    identity("ident_and_0", tcg_gen_and_i64, 0, 1, 0, false);
    identity("ident_mul_0", tcg_gen_mul_i64, 0, 1, 0, false);
    identity("ident_or_m1", tcg_gen_or_i64, -1, 1, ~0ull, false);
    identity("ident_xor_self", tcg_gen_xor_i64, 0, 1, 0, true);
    identity("ident_sub_self", tcg_gen_sub_i64, 0, 1, 0, true);
    identity("ident_and_self", tcg_gen_and_i64, 0, 0, 0, true);
    identity("ident_andc_self", tcg_gen_andc_i64, 0, 1, 0, true);

    /* not identities: x + 1, x * 2, x & 0xff00 stay */
    harness_begin(H);
    tcg_gen_add_i64(H->r[2], H->r[0], C64(1));
    tcg_gen_mul_i64(H->r[3], H->r[0], C64(2));
    tcg_gen_and_i64(H->r[4], H->r[0], C64(0xff00));
    uint64_t v = opt_run(5, 0);
    report("nofold_non_identities",
           last_writer(ridx(2))->opc == INDEX_op_add && last_writer(ridx(3))->opc == INDEX_op_mul &&
               last_writer(ridx(4))->opc == INDEX_op_and && H->cpu->regs[2] == 6 &&
               H->cpu->regs[3] == 10 && H->cpu->regs[4] == 0,
           "ops %s %s %s", opname(last_writer(ridx(2))), opname(last_writer(ridx(3))),
           opname(last_writer(ridx(4))));
    /* x - c becomes x + (-c) */
    harness_begin(H);
    tcg_gen_sub_i64(H->r[2], H->r[0], C64(5));
    v = opt_run(7, 0);
    const TCGOp *ws = last_writer(ridx(2));
    report("canon_sub_const_is_add",
           ws && ws->opc == INDEX_op_add && H->s->temps[ws->args[2]].val == -5 && v == 2,
           "op %s", opname(ws));
    /* constant on the left of a commutative op */
    harness_begin(H);
    tcg_gen_add_i64(H->r[2], C64(0), H->r[0]);
    v = opt_run(77, 0);
    report("ident_commuted_0_add", is_mov_from(last_writer(ridx(2)), ridx(0)) && v == 77,
           "op %s", opname(last_writer(ridx(2))));
}

static void test_known_zero(void)
{
    /* ext32u of a value known to fit 32 bits is a mov */
    harness_begin(H);
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_ext16u_i64(t, H->r[0]);
    tcg_gen_ext32u_i64(H->r[2], t);
    uint64_t v = opt_run(0x123456789abcdef0ull, 0);
    const TCGOp *w = last_writer(ridx(2));
    report("knownzero_ext32u_is_mov", is_mov_from(w, tcgv_i64_idx(t)) && v == 0xdef0,
           "op %s value 0x%" PRIx64, opname(w), v);
    harness_begin(H);
    tcg_gen_ext32u_i64(H->r[2], H->r[0]);
    v = opt_run(0x123456789abcdef0ull, 0);
    w = last_writer(ridx(2));
    report("knownzero_ext32u_unknown_stays", w && w->opc == INDEX_op_ext32u && v == 0x9abcdef0,
           "op %s", opname(w));

    /* and with a mask covering the known bits is a mov; a narrower one is not */
    harness_begin(H);
    t = tcg_temp_new_i64();
    tcg_gen_ext16u_i64(t, H->r[0]);
    tcg_gen_and_i64(H->r[2], t, C64(0xffff));
    tcg_gen_and_i64(H->r[3], t, C64(0xff));
    v = opt_run(0x1234, 0);
    w = last_writer(ridx(2));
    const TCGOp *w3 = last_writer(ridx(3));
    report("knownzero_and_mask_is_mov",
           is_mov_from(w, tcgv_i64_idx(t)) && w3 && w3->opc != INDEX_op_mov && v == 0x1234 &&
               H->cpu->regs[3] == 0x34,
           "ops %s %s", opname(w), opname(w3));

    /* a result with every bit known zero is the constant 0 */
    harness_begin(H);
    t = tcg_temp_new_i64();
    tcg_gen_ext32u_i64(t, H->r[0]);
    tcg_gen_shr_i64(H->r[2], t, C64(32));
    tcg_gen_shr_i64(H->r[3], t, C64(31));
    v = opt_run(~0ull, 0);
    w = last_writer(ridx(2));
    w3 = last_writer(ridx(3));
    report("knownzero_shr_out_of_known_bits_is_0",
           is_movi(w, 0) && v == 0 && w3->opc == INDEX_op_shr && H->cpu->regs[3] == 1,
           "ops %s %s", opname(w), opname(w3));

    /* an op folded to a no-op on itself keeps what is known: here the second
     * ext32u sees that t still fits 32 bits (the frontend's "mov w3, w0") */
    harness_begin(H);
    t = tcg_temp_new_i64();
    TCGv_i32 lo = tcg_temp_new_i32();
    tcg_gen_extrl_i64_i32(lo, H->r[0]);
    tcg_gen_extu_i32_i64(t, lo);
    tcg_gen_ext32u_i64(t, t);
    tcg_gen_ext32u_i64(H->r[2], t);
    v = opt_run(0x123456789abcdef0ull, 0);
    w3 = last_writer(ridx(2));
    report("knownzero_kept_after_self_fold",
           is_mov_from(w3, tcgv_i64_idx(t)) && v == 0x9abcdef0, "op %s", opname(w3));

    /* ext8s of a value known to be < 0x80 is a mov; extract of low known bits too */
    harness_begin(H);
    t = tcg_temp_new_i64();
    tcg_gen_andi_i64(t, H->r[0], 0x7f);
    tcg_gen_ext8s_i64(H->r[2], t);
    tcg_gen_extract_i64(H->r[3], t, 0, 7);
    tcg_gen_extract_i64(H->r[4], t, 0, 6);
    v = opt_run(0xfff, 0);
    report("knownzero_ext8s_extract_are_mov",
           is_mov_from(last_writer(ridx(2)), tcgv_i64_idx(t)) &&
               /* a copy of t: copy propagation may name r2 instead */
               (is_mov_from(last_writer(ridx(3)), tcgv_i64_idx(t)) ||
                is_mov_from(last_writer(ridx(3)), ridx(2))) &&
               last_writer(ridx(4))->opc == INDEX_op_extract && v == 0x7f &&
               H->cpu->regs[4] == 0x3f,
           "ops %s %s %s", opname(last_writer(ridx(2))), opname(last_writer(ridx(3))),
           opname(last_writer(ridx(4))));
}

static void test_conditions(void)
{
    harness_begin(H);
    tcg_gen_setcond_i64(TCG_COND_LT, H->r[2], C64(-1), C64(0));
    tcg_gen_setcond_i64(TCG_COND_LTU, H->r[3], C64(-1), C64(0));
    tcg_gen_setcond_i64(TCG_COND_LE, H->r[4], H->r[0], H->r[0]);
    tcg_gen_negsetcond_i64(TCG_COND_NE, H->r[5], H->r[0], H->r[0]);
    tcg_gen_movcond_i64(TCG_COND_GT, H->r[6], C64(2), C64(1), H->r[0], H->r[1]);
    tcg_gen_setcond_i64(TCG_COND_LTU, H->r[7], H->r[0], C64(0));
    tcg_gen_setcond_i64(TCG_COND_EQ, H->r[8], H->r[0], H->r[1]);
    tcg_gen_movcond_i64(TCG_COND_EQ, H->r[9], H->r[0], H->r[1], H->r[0], H->r[1]);
    opt_run(10, 20);
    bool ok = is_movi(last_writer(ridx(2)), 1) && is_movi(last_writer(ridx(3)), 0) &&
              is_movi(last_writer(ridx(4)), 1) && is_movi(last_writer(ridx(5)), 0) &&
              is_mov_from(last_writer(ridx(6)), ridx(0)) && is_movi(last_writer(ridx(7)), 0) &&
              last_writer(ridx(8))->opc == INDEX_op_setcond &&
              last_writer(ridx(9))->opc == INDEX_op_movcond;
    uint64_t *r = H->cpu->regs;
    ok = ok && r[2] == 1 && r[3] == 0 && r[4] == 1 && r[5] == 0 && r[6] == 10 && r[8] == 0 &&
         r[9] == 20;
    report("fold_setcond_movcond", ok, "ops %s %s %s %s %s", opname(last_writer(ridx(2))),
           opname(last_writer(ridx(3))), opname(last_writer(ridx(4))),
           opname(last_writer(ridx(6))), opname(last_writer(ridx(8))));

    /* brcond: constant true -> br, false -> gone, unknown stays */
    harness_begin(H);
    TCGLabel *l1 = gen_new_label(), *l2 = gen_new_label(), *l3 = gen_new_label();
    tcg_gen_brcond_i64(TCG_COND_GEU, C64(3), C64(2), l1);
    tcg_gen_movi_i64(H->r[2], 1);
    gen_set_label(l1);
    tcg_gen_brcondi_i64(TCG_COND_EQ, H->r[0], 0, l3);
    tcg_gen_brcond_i64(TCG_COND_LT, C64(3), C64(2), l2);
    tcg_gen_movi_i64(H->r[3], 1);
    gen_set_label(l2);
    gen_set_label(l3);
    tcg_gen_movi_i64(H->r[4], 1);
    H->cpu->regs[2] = H->cpu->regs[3] = 0;
    opt_run(5, 0);
    report("fold_brcond_to_br_or_nop",
           count_ops(INDEX_op_br) == 1 && count_ops(INDEX_op_brcond) == 1 &&
               H->cpu->regs[2] == 0 && H->cpu->regs[3] == 1 && H->cpu->regs[4] == 1,
           "br %d brcond %d r2 %" PRIu64 " r3 %" PRIu64, count_ops(INDEX_op_br),
           count_ops(INDEX_op_brcond), H->cpu->regs[2], H->cpu->regs[3]);
}

static void test_copies(void)
{
    /* t = r0; r2 = t + 1 reads r0 directly */
    harness_begin(H);
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_mov_i64(t, H->r[0]);
    tcg_gen_addi_i64(H->r[2], t, 1);
    uint64_t v = opt_run(41, 0);
    const TCGOp *w = last_writer(ridx(2));
    report("copyprop_reads_global", w && w->opc == INDEX_op_add &&
                                        (int)w->args[1] == ridx(0) && v == 42,
           "op %s in %d", opname(w), w ? (int)w->args[1] : -1);

    /* once r0 is overwritten, t is no longer its copy */
    harness_begin(H);
    t = tcg_temp_new_i64();
    tcg_gen_mov_i64(t, H->r[0]);
    tcg_gen_movi_i64(H->r[0], 100);
    tcg_gen_addi_i64(H->r[2], t, 1);
    v = opt_run(41, 0);
    w = last_writer(ridx(2));
    report("copyprop_killed_by_write",
           w && w->opc == INDEX_op_add && (int)w->args[1] == tcgv_i64_idx(t) && v == 42,
           "op %s value %" PRIu64, opname(w), v);

    /* constants flow through a brcond fall-through but not across a label */
    harness_begin(H);
    TCGLabel *l = gen_new_label();
    tcg_gen_movi_i64(H->r[1], 3);
    tcg_gen_brcondi_i64(TCG_COND_EQ, H->r[0], 0, l);
    tcg_gen_addi_i64(H->r[2], H->r[1], 1);
    gen_set_label(l);
    tcg_gen_addi_i64(H->r[3], H->r[1], 1);
    v = opt_run(5, 0);
    report("constprop_brcond_fallthrough_not_label",
           is_movi(last_writer(ridx(2)), 4) && last_writer(ridx(3))->opc == INDEX_op_add &&
               v == 4 && H->cpu->regs[3] == 4,
           "ops %s %s", opname(last_writer(ridx(2))), opname(last_writer(ridx(3))));
}

static uint64_t helper_clobber(CPUState *cpu)
{
    ((HarnessCPU *)cpu)->regs[1] = 1000;
    return 0;
}
static const TCGHelperInfo info_clobber = {
    .func = (void *)helper_clobber, .name = "clobber", .flags = 0, .nb_args = 1,
    .ret = TCG_CALL_I64, .args = {TCG_CALL_PTR},
};
static uint64_t helper_pure(CPUState *cpu)
{
    (void)cpu;
    return 0;
}
static const TCGHelperInfo info_pure = {
    .func = (void *)helper_pure, .name = "pure", .flags = TCG_CALL_NO_RWG, .nb_args = 1,
    .ret = TCG_CALL_I64, .args = {TCG_CALL_PTR},
};

static void test_calls(void)
{
    for (int k = 0; k < 2; k++) {
        harness_begin(H);
        TCGv_i64 ret = tcg_temp_new_i64();
        tcg_gen_movi_i64(H->r[1], 5);
        int a[1] = {tcg_ctx->env_temp};
        tcg_gen_callN(k ? &info_pure : &info_clobber, tcgv_i64_idx(ret), 1, a);
        tcg_gen_addi_i64(H->r[2], H->r[1], 1);
        uint64_t v = opt_run(0, 0);
        const TCGOp *w = last_writer(ridx(2));
        if (k == 0) {
            report("call_writing_globals_kills_consts", w && w->opc == INDEX_op_add && v == 1001,
                   "op %s value %" PRIu64, opname(w), v);
        } else {
            report("call_no_wg_keeps_consts", is_movi(w, 6) && v == 6, "op %s value %" PRIu64,
                   opname(w), v);
        }
    }
}

static void test_double(void)
{
    harness_begin(H);
    tcg_gen_add2_i64(H->r[2], H->r[3], C64(-1), C64(0), C64(1), C64(0));
    tcg_gen_mulu2_i64(H->r[4], H->r[5], C64(-1), C64(-1));
    tcg_gen_mulu2_i64(H->r[6], H->r[7], H->r[0], C64(2));
    opt_run(1ull << 63, 0);
    uint64_t *r = H->cpu->regs;
    report("fold_add2_mulu2_consts",
           is_movi(last_writer(ridx(2)), 0) && is_movi(last_writer(ridx(3)), 1) &&
               is_movi(last_writer(ridx(4)), 1) && is_movi(last_writer(ridx(5)), ~0ull - 1) &&
               last_writer(ridx(6))->opc == INDEX_op_mulu2 && r[2] == 0 && r[3] == 1 &&
               r[4] == 1 && r[5] == ~0ull - 1 && r[6] == 0 && r[7] == 1,
           "ops %s %s", opname(last_writer(ridx(2))), opname(last_writer(ridx(6))));
}

int main(void)
{
    H = harness_new(&tcg_backend_interp);
    test_const_folds();
    test_undefined_not_folded();
    test_i32_invariant();
    test_identities();
    test_known_zero();
    test_conditions();
    test_copies();
    test_calls();
    test_double();
    harness_free(H);
    return failures ? 1 : 0;
}
