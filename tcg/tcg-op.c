/*
 * tcg-op.c — the frontend API (tcg-op.h): each tcg_gen_* appends ops to
 * tcg_ctx.
 *
 * Immediates become constant temps (deduplicated per TB). Trivial cases are
 * simplified here, before the optimizer sees them (shli by 0 is a mov, andi
 * with 0 is movi 0, andi with 0xff is ext8u, ...), so a frontend never needs
 * to special-case them. Op argument layouts are listed in docs/tcg-ops.md.
 */
#include <assert.h>
#include <stdlib.h>

#include "exec/cpu.h"
#include "exec/helper-tcg-common.h"
#include "tcg/tcg-op.h"
#include "exec/instrument.h"
#include "util/log.h"

/*
 * helper_lookup_tb_ptr lives in accel/tcg; a weak reference keeps tcg/
 * linkable (unit tests, partial trees) where nothing defines it.
 */
#pragma weak helper_lookup_tb_ptr

static int ti32(TCGv_i32 v)
{
    return tcgv_i32_idx(v);
}
static int ti64(TCGv_i64 v)
{
    return tcgv_i64_idx(v);
}

static TCGOp *emit(TCGOpcode opc, TCGType type)
{
    return tcg_emit_op(tcg_ctx, opc, type);
}

static void op1(TCGOpcode opc, TCGType t, uint64_t a0)
{
    TCGOp *op = emit(opc, t);
    op->args[0] = a0;
}
static void op2(TCGOpcode opc, TCGType t, uint64_t a0, uint64_t a1)
{
    TCGOp *op = emit(opc, t);
    op->args[0] = a0;
    op->args[1] = a1;
}
static void op3(TCGOpcode opc, TCGType t, uint64_t a0, uint64_t a1, uint64_t a2)
{
    TCGOp *op = emit(opc, t);
    op->args[0] = a0;
    op->args[1] = a1;
    op->args[2] = a2;
}
static void op4(TCGOpcode opc, TCGType t, uint64_t a0, uint64_t a1, uint64_t a2,
                uint64_t a3)
{
    TCGOp *op = emit(opc, t);
    op->args[0] = a0;
    op->args[1] = a1;
    op->args[2] = a2;
    op->args[3] = a3;
}
static void op5(TCGOpcode opc, TCGType t, uint64_t a0, uint64_t a1, uint64_t a2,
                uint64_t a3, uint64_t a4)
{
    TCGOp *op = emit(opc, t);
    op->args[0] = a0;
    op->args[1] = a1;
    op->args[2] = a2;
    op->args[3] = a3;
    op->args[4] = a4;
}
static void op6(TCGOpcode opc, TCGType t, uint64_t a0, uint64_t a1, uint64_t a2,
                uint64_t a3, uint64_t a4, uint64_t a5)
{
    TCGOp *op = emit(opc, t);
    op->args[0] = a0;
    op->args[1] = a1;
    op->args[2] = a2;
    op->args[3] = a3;
    op->args[4] = a4;
    op->args[5] = a5;
}

static int cst(TCGType t, int64_t v)
{
    return tcg_constant_temp(tcg_ctx, t, v);
}

static unsigned width(TCGType t)
{
    return t == TCG_TYPE_I32 ? 32 : 64;
}

/* --- temps --- */

TCGv_ptr tcg_env(void)
{
    return idx_tcgv_i64(tcg_ctx->env_temp);
}

TCGv_i32 tcg_temp_new_i32(void)
{
    return idx_tcgv_i32(tcg_temp_alloc(tcg_ctx, TCG_TYPE_I32, TEMP_EBB));
}
TCGv_i64 tcg_temp_new_i64(void)
{
    return idx_tcgv_i64(tcg_temp_alloc(tcg_ctx, TCG_TYPE_I64, TEMP_EBB));
}
TCGv_i32 tcg_temp_new_tb_i32(void)
{
    return idx_tcgv_i32(tcg_temp_alloc(tcg_ctx, TCG_TYPE_I32, TEMP_TB));
}
TCGv_i64 tcg_temp_new_tb_i64(void)
{
    return idx_tcgv_i64(tcg_temp_alloc(tcg_ctx, TCG_TYPE_I64, TEMP_TB));
}
TCGv_i32 tcg_constant_i32(int32_t val)
{
    return idx_tcgv_i32(cst(TCG_TYPE_I32, val));
}
TCGv_i64 tcg_constant_i64(int64_t val)
{
    return idx_tcgv_i64(cst(TCG_TYPE_I64, val));
}
TCGv_i32 tcg_global_mem_new_i32(intptr_t offset, const char *name)
{
    return idx_tcgv_i32(tcg_global_mem_new(tcg_ctx, TCG_TYPE_I32, offset, name));
}
TCGv_i64 tcg_global_mem_new_i64(intptr_t offset, const char *name)
{
    return idx_tcgv_i64(tcg_global_mem_new(tcg_ctx, TCG_TYPE_I64, offset, name));
}

/* --- labels and control flow --- */

TCGLabel *gen_new_label(void)
{
    return tcg_label_new(tcg_ctx);
}

void gen_set_label(TCGLabel *l)
{
    tcg_ctx->labels[l->id].present = true;
    op1(INDEX_op_set_label, TCG_TYPE_I64, (uint64_t)l->id);
}

void tcg_gen_br(TCGLabel *l)
{
    op1(INDEX_op_br, TCG_TYPE_I64, (uint64_t)l->id);
}

static void gen_brcond(TCGType t, TCGCond c, int a, int b, TCGLabel *l)
{
    if (c == TCG_COND_ALWAYS) {
        tcg_gen_br(l);
    } else if (c != TCG_COND_NEVER) {
        op4(INDEX_op_brcond, t, (uint64_t)a, (uint64_t)b, c, (uint64_t)l->id);
    }
}

void tcg_gen_brcond_i32(TCGCond cond, TCGv_i32 a, TCGv_i32 b, TCGLabel *l)
{
    gen_brcond(TCG_TYPE_I32, cond, ti32(a), ti32(b), l);
}
void tcg_gen_brcond_i64(TCGCond cond, TCGv_i64 a, TCGv_i64 b, TCGLabel *l)
{
    gen_brcond(TCG_TYPE_I64, cond, ti64(a), ti64(b), l);
}
void tcg_gen_brcondi_i32(TCGCond cond, TCGv_i32 a, int32_t b, TCGLabel *l)
{
    gen_brcond(TCG_TYPE_I32, cond, ti32(a), cst(TCG_TYPE_I32, b), l);
}
void tcg_gen_brcondi_i64(TCGCond cond, TCGv_i64 a, int64_t b, TCGLabel *l)
{
    gen_brcond(TCG_TYPE_I64, cond, ti64(a), cst(TCG_TYPE_I64, b), l);
}

void tcg_gen_insn_start(uint64_t d0, uint64_t d1)
{
    TCGContext *s = tcg_ctx;
    op2(INDEX_op_insn_start, TCG_TYPE_I64, d0, d1);
    s->nb_insns++;
    if (s->nb_insns > s->cap_insn_end) {
        s->cap_insn_end = s->cap_insn_end ? s->cap_insn_end * 2 : 64;
        s->insn_end_off = realloc(s->insn_end_off, sizeof(uint32_t) * s->cap_insn_end);
        if (!s->insn_end_off) {
            fatal("tcg: out of memory");
        }
    }
}

void tcg_gen_exit_tb(const struct TranslationBlock *tb, unsigned idx)
{
    op1(INDEX_op_exit_tb, TCG_TYPE_I64, (uintptr_t)tb + idx);
}

void tcg_gen_goto_tb(unsigned idx)
{
    assert(idx < 2);
    op1(INDEX_op_goto_tb, TCG_TYPE_I64, idx);
}

void tcg_gen_goto_ptr(TCGv_ptr dest)
{
    op1(INDEX_op_goto_ptr, TCG_TYPE_I64, (uint64_t)ti64(dest));
}

static const TCGHelperInfo helper_info_lookup_tb_ptr = {
    .func = (void *)helper_lookup_tb_ptr,
    .name = "lookup_tb_ptr",
    .flags = TCG_CALL_NO_WG,
    .nb_args = 1,
    .ret = TCG_CALL_PTR,
    .args = {TCG_CALL_PTR},
};

void tcg_gen_lookup_and_goto_ptr(void)
{
    TCGv_ptr t = tcg_temp_new_i64();
    int a = tcg_ctx->env_temp;
    tcg_gen_callN(&helper_info_lookup_tb_ptr, ti64(t), 1, &a);
    tcg_gen_goto_ptr(t);
}

void tcg_gen_mb(TCGBar kind)
{
    op1(INDEX_op_mb, TCG_TYPE_I64, kind);
}

void tcg_gen_discard_i32(TCGv_i32 a)
{
    op1(INDEX_op_discard, TCG_TYPE_I32, (uint64_t)ti32(a));
}
void tcg_gen_discard_i64(TCGv_i64 a)
{
    op1(INDEX_op_discard, TCG_TYPE_I64, (uint64_t)ti64(a));
}

/* --- width-generic emitters (indices) --- */

static void g_mov(TCGType t, int r, int a)
{
    if (r != a) {
        op2(INDEX_op_mov, t, (uint64_t)r, (uint64_t)a);
    }
}
static void g_movi(TCGType t, int r, int64_t v)
{
    op2(INDEX_op_mov, t, (uint64_t)r, (uint64_t)cst(t, v));
}
static void g_op2(TCGOpcode opc, TCGType t, int r, int a)
{
    op2(opc, t, (uint64_t)r, (uint64_t)a);
}
static void g_op3(TCGOpcode opc, TCGType t, int r, int a, int b)
{
    op3(opc, t, (uint64_t)r, (uint64_t)a, (uint64_t)b);
}

static void g_addi(TCGType t, int r, int a, int64_t b)
{
    if (t == TCG_TYPE_I32) {
        b = (int32_t)b;
    }
    if (b == 0) {
        g_mov(t, r, a);
    } else {
        g_op3(INDEX_op_add, t, r, a, cst(t, b));
    }
}
static void g_subi(TCGType t, int r, int a, int64_t b)
{
    g_addi(t, r, a, (int64_t)(0 - (uint64_t)b));
}
static void g_muli(TCGType t, int r, int a, int64_t b)
{
    uint64_t ub = t == TCG_TYPE_I32 ? (uint32_t)b : (uint64_t)b;
    if (ub == 0) {
        g_movi(t, r, 0);
    } else if (ub == 1) {
        g_mov(t, r, a);
    } else if ((ub & (ub - 1)) == 0) {
        g_op3(INDEX_op_shl, t, r, a, cst(t, __builtin_ctzll(ub)));
    } else {
        g_op3(INDEX_op_mul, t, r, a, cst(t, b));
    }
}
static void g_andi(TCGType t, int r, int a, int64_t b)
{
    uint64_t ub = t == TCG_TYPE_I32 ? (uint32_t)b : (uint64_t)b;
    uint64_t all = t == TCG_TYPE_I32 ? 0xffffffffull : ~0ull;
    if (ub == 0) {
        g_movi(t, r, 0);
    } else if (ub == all) {
        g_mov(t, r, a);
    } else if (ub == 0xff) {
        g_op2(INDEX_op_ext8u, t, r, a);
    } else if (ub == 0xffff) {
        g_op2(INDEX_op_ext16u, t, r, a);
    } else if (ub == 0xffffffffull) {
        g_op2(INDEX_op_ext32u, t, r, a);
    } else {
        g_op3(INDEX_op_and, t, r, a, cst(t, b));
    }
}
static void g_ori(TCGType t, int r, int a, int64_t b)
{
    uint64_t ub = t == TCG_TYPE_I32 ? (uint32_t)b : (uint64_t)b;
    uint64_t all = t == TCG_TYPE_I32 ? 0xffffffffull : ~0ull;
    if (ub == 0) {
        g_mov(t, r, a);
    } else if (ub == all) {
        g_movi(t, r, -1);
    } else {
        g_op3(INDEX_op_or, t, r, a, cst(t, b));
    }
}
static void g_xori(TCGType t, int r, int a, int64_t b)
{
    uint64_t ub = t == TCG_TYPE_I32 ? (uint32_t)b : (uint64_t)b;
    uint64_t all = t == TCG_TYPE_I32 ? 0xffffffffull : ~0ull;
    if (ub == 0) {
        g_mov(t, r, a);
    } else if (ub == all) {
        g_op2(INDEX_op_not, t, r, a);
    } else {
        g_op3(INDEX_op_xor, t, r, a, cst(t, b));
    }
}
/* shifts and rotates by an immediate: 0 is a mov; >= width is undefined and
 * emitted unchanged (the backends never trap on it) */
static void g_shifti(TCGOpcode opc, TCGType t, int r, int a, int64_t b)
{
    if (b == 0) {
        g_mov(t, r, a);
    } else {
        g_op3(opc, t, r, a, cst(t, b));
    }
}

/* --- generic families --- */

#define GEN2(name, opc)                                                                \
    void tcg_gen_##name##_i32(TCGv_i32 ret, TCGv_i32 a)                                \
    {                                                                                  \
        g_op2(opc, TCG_TYPE_I32, ti32(ret), ti32(a));                                  \
    }                                                                                  \
    void tcg_gen_##name##_i64(TCGv_i64 ret, TCGv_i64 a)                                \
    {                                                                                  \
        g_op2(opc, TCG_TYPE_I64, ti64(ret), ti64(a));                                  \
    }
#define GEN3(name, opc)                                                                \
    void tcg_gen_##name##_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)                    \
    {                                                                                  \
        g_op3(opc, TCG_TYPE_I32, ti32(ret), ti32(a), ti32(b));                         \
    }                                                                                  \
    void tcg_gen_##name##_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)                    \
    {                                                                                  \
        g_op3(opc, TCG_TYPE_I64, ti64(ret), ti64(a), ti64(b));                         \
    }
#define GEN3I(name, fn)                                                                \
    void tcg_gen_##name##_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)                     \
    {                                                                                  \
        fn(TCG_TYPE_I32, ti32(ret), ti32(a), b);                                       \
    }                                                                                  \
    void tcg_gen_##name##_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)                     \
    {                                                                                  \
        fn(TCG_TYPE_I64, ti64(ret), ti64(a), b);                                       \
    }

void tcg_gen_mov_i32(TCGv_i32 ret, TCGv_i32 a)
{
    g_mov(TCG_TYPE_I32, ti32(ret), ti32(a));
}
void tcg_gen_mov_i64(TCGv_i64 ret, TCGv_i64 a)
{
    g_mov(TCG_TYPE_I64, ti64(ret), ti64(a));
}

GEN2(neg, INDEX_op_neg)
GEN2(not, INDEX_op_not)
GEN2(ext8s, INDEX_op_ext8s)
GEN2(ext8u, INDEX_op_ext8u)
GEN2(ext16s, INDEX_op_ext16s)
GEN2(ext16u, INDEX_op_ext16u)
GEN2(bswap16, INDEX_op_bswap16)
GEN2(bswap32, INDEX_op_bswap32)
GEN2(ctpop, INDEX_op_ctpop)
GEN3(add, INDEX_op_add)
GEN3(sub, INDEX_op_sub)
GEN3(mul, INDEX_op_mul)
GEN3(muluh, INDEX_op_muluh)
GEN3(mulsh, INDEX_op_mulsh)
GEN3(div, INDEX_op_div)
GEN3(divu, INDEX_op_divu)
GEN3(rem, INDEX_op_rem)
GEN3(remu, INDEX_op_remu)
GEN3(and, INDEX_op_and)
GEN3(or, INDEX_op_or)
GEN3(xor, INDEX_op_xor)
GEN3(andc, INDEX_op_andc)
GEN3(orc, INDEX_op_orc)
GEN3(eqv, INDEX_op_eqv)
GEN3(nand, INDEX_op_nand)
GEN3(nor, INDEX_op_nor)
GEN3(shl, INDEX_op_shl)
GEN3(shr, INDEX_op_shr)
GEN3(sar, INDEX_op_sar)
GEN3(rotl, INDEX_op_rotl)
GEN3(rotr, INDEX_op_rotr)
GEN3(clz, INDEX_op_clz)
GEN3(ctz, INDEX_op_ctz)

static void g_shli(TCGType t, int r, int a, int64_t b)
{
    g_shifti(INDEX_op_shl, t, r, a, b);
}
static void g_shri(TCGType t, int r, int a, int64_t b)
{
    g_shifti(INDEX_op_shr, t, r, a, b);
}
static void g_sari(TCGType t, int r, int a, int64_t b)
{
    g_shifti(INDEX_op_sar, t, r, a, b);
}
static void g_rotli(TCGType t, int r, int a, int64_t b)
{
    g_shifti(INDEX_op_rotl, t, r, a, b);
}
static void g_rotri(TCGType t, int r, int a, int64_t b)
{
    g_shifti(INDEX_op_rotr, t, r, a, b);
}
static void g_clzi(TCGType t, int r, int a, int64_t b)
{
    g_op3(INDEX_op_clz, t, r, a, cst(t, b));
}
static void g_ctzi(TCGType t, int r, int a, int64_t b)
{
    g_op3(INDEX_op_ctz, t, r, a, cst(t, b));
}

GEN3I(addi, g_addi)
GEN3I(subi, g_subi)
GEN3I(muli, g_muli)
GEN3I(andi, g_andi)
GEN3I(ori, g_ori)
GEN3I(xori, g_xori)
GEN3I(shli, g_shli)
GEN3I(shri, g_shri)
GEN3I(sari, g_sari)
GEN3I(rotli, g_rotli)
GEN3I(rotri, g_rotri)
GEN3I(clzi, g_clzi)
GEN3I(ctzi, g_ctzi)

void tcg_gen_movi_i32(TCGv_i32 ret, int32_t val)
{
    g_movi(TCG_TYPE_I32, ti32(ret), val);
}
void tcg_gen_movi_i64(TCGv_i64 ret, int64_t val)
{
    g_movi(TCG_TYPE_I64, ti64(ret), val);
}
void tcg_gen_ext32s_i64(TCGv_i64 ret, TCGv_i64 a)
{
    g_op2(INDEX_op_ext32s, TCG_TYPE_I64, ti64(ret), ti64(a));
}
void tcg_gen_ext32u_i64(TCGv_i64 ret, TCGv_i64 a)
{
    g_op2(INDEX_op_ext32u, TCG_TYPE_I64, ti64(ret), ti64(a));
}
void tcg_gen_bswap64_i64(TCGv_i64 ret, TCGv_i64 a)
{
    g_op2(INDEX_op_bswap64, TCG_TYPE_I64, ti64(ret), ti64(a));
}

void tcg_gen_ext_i64(TCGv_i64 ret, TCGv_i64 a, MemOp mop)
{
    static const TCGOpcode ext[3][2] = {
        {INDEX_op_ext8u, INDEX_op_ext8s},
        {INDEX_op_ext16u, INDEX_op_ext16s},
        {INDEX_op_ext32u, INDEX_op_ext32s},
    };
    unsigned size = mop & MO_SIZE;
    if (size >= MO_64) {
        tcg_gen_mov_i64(ret, a);
    } else {
        g_op2(ext[size][(mop & MO_SIGN) != 0], TCG_TYPE_I64, ti64(ret), ti64(a));
    }
}

void tcg_gen_ext_i32_i64(TCGv_i64 ret, TCGv_i32 a)
{
    op2(INDEX_op_ext_i32_i64, TCG_TYPE_I64, (uint64_t)ti64(ret), (uint64_t)ti32(a));
}
void tcg_gen_extu_i32_i64(TCGv_i64 ret, TCGv_i32 a)
{
    op2(INDEX_op_extu_i32_i64, TCG_TYPE_I64, (uint64_t)ti64(ret), (uint64_t)ti32(a));
}
void tcg_gen_extrl_i64_i32(TCGv_i32 ret, TCGv_i64 a)
{
    op2(INDEX_op_extrl_i64_i32, TCG_TYPE_I32, (uint64_t)ti32(ret), (uint64_t)ti64(a));
}
void tcg_gen_extrh_i64_i32(TCGv_i32 ret, TCGv_i64 a)
{
    op2(INDEX_op_extrh_i64_i32, TCG_TYPE_I32, (uint64_t)ti32(ret), (uint64_t)ti64(a));
}
void tcg_gen_concat_i32_i64(TCGv_i64 ret, TCGv_i32 lo, TCGv_i32 hi)
{
    TCGv_i64 tl = tcg_temp_new_i64();
    TCGv_i64 th = tcg_temp_new_i64();
    tcg_gen_extu_i32_i64(tl, lo);
    tcg_gen_extu_i32_i64(th, hi);
    tcg_gen_deposit_i64(ret, tl, th, 32, 32);
}

#define GEN_DOUBLE(name, opc)                                                          \
    void tcg_gen_##name##_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 a, TCGv_i32 b)        \
    {                                                                                  \
        op4(opc, TCG_TYPE_I32, (uint64_t)ti32(rl), (uint64_t)ti32(rh),                 \
            (uint64_t)ti32(a), (uint64_t)ti32(b));                                     \
    }                                                                                  \
    void tcg_gen_##name##_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 a, TCGv_i64 b)        \
    {                                                                                  \
        op4(opc, TCG_TYPE_I64, (uint64_t)ti64(rl), (uint64_t)ti64(rh),                 \
            (uint64_t)ti64(a), (uint64_t)ti64(b));                                     \
    }
GEN_DOUBLE(mulu2, INDEX_op_mulu2)
GEN_DOUBLE(muls2, INDEX_op_muls2)

#define GEN_ADDSUB2(name, opc)                                                         \
    void tcg_gen_##name##_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 al, TCGv_i64 ah,      \
                              TCGv_i64 bl, TCGv_i64 bh)                                \
    {                                                                                  \
        op6(opc, TCG_TYPE_I64, (uint64_t)ti64(rl), (uint64_t)ti64(rh),                 \
            (uint64_t)ti64(al), (uint64_t)ti64(ah), (uint64_t)ti64(bl),                \
            (uint64_t)ti64(bh));                                                       \
    }                                                                                  \
    void tcg_gen_##name##_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 al, TCGv_i32 ah,      \
                              TCGv_i32 bl, TCGv_i32 bh)                                \
    {                                                                                  \
        op6(opc, TCG_TYPE_I32, (uint64_t)ti32(rl), (uint64_t)ti32(rh),                 \
            (uint64_t)ti32(al), (uint64_t)ti32(ah), (uint64_t)ti32(bl),                \
            (uint64_t)ti32(bh));                                                       \
    }
GEN_ADDSUB2(add2, INDEX_op_add2)
GEN_ADDSUB2(sub2, INDEX_op_sub2)

/* --- conditionals --- */

static void g_setcond(TCGOpcode opc, TCGType t, TCGCond c, int r, int a, int b)
{
    int64_t yes = opc == INDEX_op_negsetcond ? -1 : 1;
    if (c == TCG_COND_ALWAYS) {
        g_movi(t, r, yes);
    } else if (c == TCG_COND_NEVER) {
        g_movi(t, r, 0);
    } else {
        op4(opc, t, (uint64_t)r, (uint64_t)a, (uint64_t)b, c);
    }
}

void tcg_gen_setcond_i32(TCGCond c, TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    g_setcond(INDEX_op_setcond, TCG_TYPE_I32, c, ti32(ret), ti32(a), ti32(b));
}
void tcg_gen_setcond_i64(TCGCond c, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    g_setcond(INDEX_op_setcond, TCG_TYPE_I64, c, ti64(ret), ti64(a), ti64(b));
}
void tcg_gen_setcondi_i32(TCGCond c, TCGv_i32 ret, TCGv_i32 a, int32_t b)
{
    g_setcond(INDEX_op_setcond, TCG_TYPE_I32, c, ti32(ret), ti32(a), cst(TCG_TYPE_I32, b));
}
void tcg_gen_setcondi_i64(TCGCond c, TCGv_i64 ret, TCGv_i64 a, int64_t b)
{
    g_setcond(INDEX_op_setcond, TCG_TYPE_I64, c, ti64(ret), ti64(a), cst(TCG_TYPE_I64, b));
}
void tcg_gen_negsetcond_i32(TCGCond c, TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    g_setcond(INDEX_op_negsetcond, TCG_TYPE_I32, c, ti32(ret), ti32(a), ti32(b));
}
void tcg_gen_negsetcond_i64(TCGCond c, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    g_setcond(INDEX_op_negsetcond, TCG_TYPE_I64, c, ti64(ret), ti64(a), ti64(b));
}

static void g_movcond(TCGType t, TCGCond c, int r, int c1, int c2, int v1, int v2)
{
    if (c == TCG_COND_ALWAYS) {
        g_mov(t, r, v1);
    } else if (c == TCG_COND_NEVER) {
        g_mov(t, r, v2);
    } else {
        op6(INDEX_op_movcond, t, (uint64_t)r, (uint64_t)c1, (uint64_t)c2, (uint64_t)v1,
            (uint64_t)v2, c);
    }
}
void tcg_gen_movcond_i32(TCGCond c, TCGv_i32 ret, TCGv_i32 c1, TCGv_i32 c2, TCGv_i32 v1,
                         TCGv_i32 v2)
{
    g_movcond(TCG_TYPE_I32, c, ti32(ret), ti32(c1), ti32(c2), ti32(v1), ti32(v2));
}
void tcg_gen_movcond_i64(TCGCond c, TCGv_i64 ret, TCGv_i64 c1, TCGv_i64 c2, TCGv_i64 v1,
                         TCGv_i64 v2)
{
    g_movcond(TCG_TYPE_I64, c, ti64(ret), ti64(c1), ti64(c2), ti64(v1), ti64(v2));
}

/* --- bit fields --- */

static void g_extract(TCGOpcode opc, TCGType t, int r, int a, unsigned ofs, unsigned len)
{
    assert(len > 0 && ofs + len <= width(t));
    if (len == width(t)) {
        g_mov(t, r, a);
    } else {
        op4(opc, t, (uint64_t)r, (uint64_t)a, ofs, len);
    }
}
void tcg_gen_extract_i32(TCGv_i32 ret, TCGv_i32 a, unsigned ofs, unsigned len)
{
    g_extract(INDEX_op_extract, TCG_TYPE_I32, ti32(ret), ti32(a), ofs, len);
}
void tcg_gen_extract_i64(TCGv_i64 ret, TCGv_i64 a, unsigned ofs, unsigned len)
{
    g_extract(INDEX_op_extract, TCG_TYPE_I64, ti64(ret), ti64(a), ofs, len);
}
void tcg_gen_sextract_i32(TCGv_i32 ret, TCGv_i32 a, unsigned ofs, unsigned len)
{
    g_extract(INDEX_op_sextract, TCG_TYPE_I32, ti32(ret), ti32(a), ofs, len);
}
void tcg_gen_sextract_i64(TCGv_i64 ret, TCGv_i64 a, unsigned ofs, unsigned len)
{
    g_extract(INDEX_op_sextract, TCG_TYPE_I64, ti64(ret), ti64(a), ofs, len);
}

static void g_deposit(TCGType t, int r, int a, int b, unsigned ofs, unsigned len)
{
    assert(len > 0 && ofs + len <= width(t));
    if (len == width(t)) {
        g_mov(t, r, b);
    } else {
        op5(INDEX_op_deposit, t, (uint64_t)r, (uint64_t)a, (uint64_t)b, ofs, len);
    }
}
void tcg_gen_deposit_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b, unsigned ofs, unsigned len)
{
    g_deposit(TCG_TYPE_I32, ti32(ret), ti32(a), ti32(b), ofs, len);
}
void tcg_gen_deposit_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b, unsigned ofs, unsigned len)
{
    g_deposit(TCG_TYPE_I64, ti64(ret), ti64(a), ti64(b), ofs, len);
}

static void g_extract2(TCGType t, int r, int lo, int hi, unsigned ofs)
{
    assert(ofs <= width(t));
    if (ofs == 0) {
        g_mov(t, r, lo);
    } else if (ofs == width(t)) {
        g_mov(t, r, hi);
    } else {
        op4(INDEX_op_extract2, t, (uint64_t)r, (uint64_t)lo, (uint64_t)hi, ofs);
    }
}
void tcg_gen_extract2_i32(TCGv_i32 ret, TCGv_i32 lo, TCGv_i32 hi, unsigned ofs)
{
    g_extract2(TCG_TYPE_I32, ti32(ret), ti32(lo), ti32(hi), ofs);
}
void tcg_gen_extract2_i64(TCGv_i64 ret, TCGv_i64 lo, TCGv_i64 hi, unsigned ofs)
{
    g_extract2(TCG_TYPE_I64, ti64(ret), ti64(lo), ti64(hi), ofs);
}

/* --- CPU state access --- */

static void ldst(TCGOpcode opc, TCGType t, int v, TCGv_ptr base, intptr_t ofs)
{
    op3(opc, t, (uint64_t)v, (uint64_t)ti64(base), (uint64_t)ofs);
}

void tcg_gen_ld8u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_ld8u, TCG_TYPE_I32, ti32(ret), base, ofs);
}
void tcg_gen_ld8s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_ld8s, TCG_TYPE_I32, ti32(ret), base, ofs);
}
void tcg_gen_ld16u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_ld16u, TCG_TYPE_I32, ti32(ret), base, ofs);
}
void tcg_gen_ld16s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_ld16s, TCG_TYPE_I32, ti32(ret), base, ofs);
}
void tcg_gen_ld_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_ld, TCG_TYPE_I32, ti32(ret), base, ofs);
}
void tcg_gen_st8_i32(TCGv_i32 val, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_st8, TCG_TYPE_I32, ti32(val), base, ofs);
}
void tcg_gen_st16_i32(TCGv_i32 val, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_st16, TCG_TYPE_I32, ti32(val), base, ofs);
}
void tcg_gen_st_i32(TCGv_i32 val, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_st, TCG_TYPE_I32, ti32(val), base, ofs);
}
void tcg_gen_ld8u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_ld8u, TCG_TYPE_I64, ti64(ret), base, ofs);
}
void tcg_gen_ld8s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_ld8s, TCG_TYPE_I64, ti64(ret), base, ofs);
}
void tcg_gen_ld16u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_ld16u, TCG_TYPE_I64, ti64(ret), base, ofs);
}
void tcg_gen_ld16s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_ld16s, TCG_TYPE_I64, ti64(ret), base, ofs);
}
void tcg_gen_ld32u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_ld32u, TCG_TYPE_I64, ti64(ret), base, ofs);
}
void tcg_gen_ld32s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_ld32s, TCG_TYPE_I64, ti64(ret), base, ofs);
}
void tcg_gen_ld_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_ld, TCG_TYPE_I64, ti64(ret), base, ofs);
}
void tcg_gen_st8_i64(TCGv_i64 val, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_st8, TCG_TYPE_I64, ti64(val), base, ofs);
}
void tcg_gen_st16_i64(TCGv_i64 val, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_st16, TCG_TYPE_I64, ti64(val), base, ofs);
}
void tcg_gen_st32_i64(TCGv_i64 val, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_st32, TCG_TYPE_I64, ti64(val), base, ofs);
}
void tcg_gen_st_i64(TCGv_i64 val, TCGv_ptr base, intptr_t ofs)
{
    ldst(INDEX_op_st, TCG_TYPE_I64, ti64(val), base, ofs);
}

/* --- guest memory --- */

/*
 * Instrumented TBs (tcg_ctx->instrument_mem) report each access after it is
 * done: the address is copied first, since a load may overwrite its base.
 */
static TCGv_i64 instr_addr(TCGv_i64 addr)
{
    if (!tcg_ctx->instrument_mem) {
        return NULL;
    }
    TCGv_i64 a = tcg_temp_new_i64();
    tcg_gen_mov_i64(a, addr);
    return a;
}

static void instr_report(TCGv_i64 a, TCGv_i64 val, MemOpIdx oi, bool store)
{
    int args[4] = {tcg_ctx->env_temp, ti64(a), ti64(val),
                   ti64(tcg_constant_i64((int64_t)(oi | (store ? INSTRUMENT_MEM_STORE : 0))))};
    tcg_gen_callN(&helper_info_instrument_mem, -1, 4, args);
}

/* One guest access (val: temp index of type type); instrumented TBs report it after. */
static void gen_guest_access(TCGOpcode opc, TCGType type, int val, TCGv_i64 addr, MemOpIdx oi)
{
    TCGv_i64 a = instr_addr(addr);
    op3(opc, type, (uint64_t)val, (uint64_t)ti64(addr), oi);
    if (a) {
        TCGv_i64 v = idx_tcgv_i64(val);
        if (type == TCG_TYPE_I32) {
            v = tcg_temp_new_i64();
            tcg_gen_extu_i32_i64(v, idx_tcgv_i32(val));
        }
        instr_report(a, v, oi, opc == INDEX_op_guest_st);
    }
}

void tcg_gen_guest_ld_i32(TCGv_i32 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop)
{
    gen_guest_access(INDEX_op_guest_ld, TCG_TYPE_I32, ti32(val), addr, make_memop_idx(mop, mmu_idx));
}
void tcg_gen_guest_ld_i64(TCGv_i64 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop)
{
    gen_guest_access(INDEX_op_guest_ld, TCG_TYPE_I64, ti64(val), addr, make_memop_idx(mop, mmu_idx));
}
void tcg_gen_guest_st_i32(TCGv_i32 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop)
{
    gen_guest_access(INDEX_op_guest_st, TCG_TYPE_I32, ti32(val), addr, make_memop_idx(mop, mmu_idx));
}
void tcg_gen_guest_st_i64(TCGv_i64 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop)
{
    gen_guest_access(INDEX_op_guest_st, TCG_TYPE_I64, ti64(val), addr, make_memop_idx(mop, mmu_idx));
}
void tcg_gen_guest_ld_i128(TCGv_i64 lo, TCGv_i64 hi, TCGv_i64 addr, unsigned mmu_idx,
                           MemOp mop)
{
    op4(INDEX_op_guest_ld128, TCG_TYPE_I64, (uint64_t)ti64(lo), (uint64_t)ti64(hi),
        (uint64_t)ti64(addr), make_memop_idx(mop, mmu_idx));
}
void tcg_gen_guest_st_i128(TCGv_i64 lo, TCGv_i64 hi, TCGv_i64 addr, unsigned mmu_idx,
                           MemOp mop)
{
    op4(INDEX_op_guest_st128, TCG_TYPE_I64, (uint64_t)ti64(lo), (uint64_t)ti64(hi),
        (uint64_t)ti64(addr), make_memop_idx(mop, mmu_idx));
}

/* --- guest atomics --- */

void tcg_gen_atomic_cmpxchg_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 cmp, TCGv_i32 newv,
                                unsigned mmu_idx, MemOp mop)
{
    op5(INDEX_op_atomic_cmpxchg, TCG_TYPE_I32, (uint64_t)ti32(ret), (uint64_t)ti64(addr),
        (uint64_t)ti32(cmp), (uint64_t)ti32(newv), make_memop_idx(mop, mmu_idx));
}
void tcg_gen_atomic_cmpxchg_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 cmp, TCGv_i64 newv,
                                unsigned mmu_idx, MemOp mop)
{
    op5(INDEX_op_atomic_cmpxchg, TCG_TYPE_I64, (uint64_t)ti64(ret), (uint64_t)ti64(addr),
        (uint64_t)ti64(cmp), (uint64_t)ti64(newv), make_memop_idx(mop, mmu_idx));
}
void tcg_gen_atomic_rmw_i32(TCGAtomicOp aop, TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val,
                            unsigned mmu_idx, MemOp mop)
{
    op5(INDEX_op_atomic_rmw, TCG_TYPE_I32, (uint64_t)ti32(ret), (uint64_t)ti64(addr),
        (uint64_t)ti32(val), make_memop_idx(mop, mmu_idx), aop);
}
void tcg_gen_atomic_rmw_i64(TCGAtomicOp aop, TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val,
                            unsigned mmu_idx, MemOp mop)
{
    op5(INDEX_op_atomic_rmw, TCG_TYPE_I64, (uint64_t)ti64(ret), (uint64_t)ti64(addr),
        (uint64_t)ti64(val), make_memop_idx(mop, mmu_idx), aop);
}
void tcg_gen_atomic_cmpxchg_i128(TCGv_i64 retlo, TCGv_i64 rethi, TCGv_i64 addr,
                                 TCGv_i64 cmplo, TCGv_i64 cmphi, TCGv_i64 newlo,
                                 TCGv_i64 newhi, unsigned mmu_idx, MemOp mop)
{
    TCGOp *op = emit(INDEX_op_atomic_cmpxchg128, TCG_TYPE_I64);
    op->args[0] = (uint64_t)ti64(retlo);
    op->args[1] = (uint64_t)ti64(rethi);
    op->args[2] = (uint64_t)ti64(addr);
    op->args[3] = (uint64_t)ti64(cmplo);
    op->args[4] = (uint64_t)ti64(cmphi);
    op->args[5] = (uint64_t)ti64(newlo);
    op->args[6] = (uint64_t)ti64(newhi);
    op->args[7] = make_memop_idx(mop, mmu_idx);
}

/* --- helper calls --- */

/*
 * call op layout (tcg.h): args[0 .. nb_oargs-1] outputs (0 or 1 here), then
 * the nb_iargs inputs, then (uintptr_t)info, then info->flags.
 */
void tcg_gen_callN(const TCGHelperInfo *info, int ret, int nargs, const int *args)
{
    assert(nargs <= TCG_MAX_CALL_IARGS);
    TCGOp *op = emit(INDEX_op_call, TCG_TYPE_I64);
    int k = 0;
    op->nb_oargs = ret >= 0 ? 1 : 0;
    op->nb_iargs = (uint8_t)nargs;
    if (ret >= 0) {
        op->args[k++] = (uint64_t)ret;
    }
    for (int i = 0; i < nargs; i++) {
        op->args[k++] = (uint64_t)args[i];
    }
    op->args[k++] = (uintptr_t)info;
    op->args[k] = info->flags;
}
