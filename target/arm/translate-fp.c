/*
 * translate-fp.c — A64 scalar floating point and AdvSIMD (Arm ARM C7).
 *
 * Scalar FP: operands are read from the low 64 bits of V registers as raw
 * bits and handed to the helpers of fpu.c (Arm NaN rules, FPCR rounding,
 * FPSR flags); results are written zero-extended to 128 bits. Moves,
 * FABS/FNEG/FCSEL and immediates are inline IR. AdvSIMD: element moves
 * (DUP/INS/UMOV/SMOV/MOVI) are inline; everything else goes through the
 * generic helper_simd_op of simd.c. An encoding whose trans_ returns false
 * is UNDEFINED; half precision is not implemented.
 */
#include "target/arm/translate.h"
#include "target/arm/fpu.h"
#include "target/arm/simd.h"

#define HELPER_H "target/arm/helper.h"
#include "exec/helper-gen.h"

#include "target/arm/a64-fp.c.inc"

void clear_vec_high(DisasContext *s, int rd)
{
    (void)s;
    tcg_gen_st_i64(tcg_constant_i64(0), tcg_env(), vreg_hi_off(rd));
}

/* ---------------------------------------------------------------- scalar FP */

static TCGv_i64 read_fp(int r)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_ld_i64(t, tcg_env(), vreg_off(r));
    return t;
}

/* write a scalar result: dbl keeps 64 bits, single zero-extends 32 */
static void write_fp(DisasContext *s, int rd, TCGv_i64 v, bool dbl)
{
    TCGv_i64 t = tcg_temp_new_i64();
    if (dbl) {
        tcg_gen_mov_i64(t, v);
    } else {
        tcg_gen_ext32u_i64(t, v);
    }
    tcg_gen_st_i64(t, tcg_env(), vreg_off(rd));
    clear_vec_high(s, rd);
}

/* ftype 0 = single, 1 = double; half (3) and 2 are refused */
static bool fp_type_ok(int ftype)
{
    return ftype == 0 || ftype == 1;
}

static bool trans_FP_DP1(DisasContext *s, arg_FP_DP1 *a)
{
    /* FCVT with half precision: Hd <- Sn/Dn (opcode 7), Sd/Dd <- Hn (ftype 3, opcode 4/5) */
    if ((a->opcode == 7 && fp_type_ok(a->ftype)) ||
        (a->ftype == 3 && (a->opcode == 4 || a->opcode == 5))) {
        if (!fp_access_check(s)) {
            return true;
        }
        TCGv_i64 r = tcg_temp_new_i64();
        int cop;
        if (a->opcode == 7) {
            cop = a->ftype == 1 ? 4 : 3;
        } else {
            cop = a->opcode == 5 ? 6 : 5;
        }
        gen_helper_fp_cvt(r, tcg_env(), tcg_constant_i32(cop), read_fp(a->rn));
        if (a->opcode == 7) {
            tcg_gen_ext16u_i64(r, r);
            write_fp(s, a->rd, r, true);
        } else {
            write_fp(s, a->rd, r, a->opcode == 5);
        }
        return true;
    }
    if (!fp_type_ok(a->ftype)) {
        return false;
    }
    bool dbl = a->ftype == 1;
    int kind;
    switch (a->opcode) {
    case 0: case 1: case 2: case 3: case 4: case 5:
    case 8: case 9: case 10: case 11: case 12: case 14: case 15:
        break;
    default:
        return false;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    TCGv_i64 v = read_fp(a->rn), r = tcg_temp_new_i64();
    uint64_t sign = dbl ? 0x8000000000000000ull : 0x80000000ull;
    switch (a->opcode) {
    case 0: /* FMOV */
        write_fp(s, a->rd, v, dbl);
        return true;
    case 1: /* FABS */
        tcg_gen_andi_i64(r, v, (int64_t)~sign);
        write_fp(s, a->rd, r, dbl);
        return true;
    case 2: /* FNEG */
        tcg_gen_xori_i64(r, v, (int64_t)sign);
        write_fp(s, a->rd, r, dbl);
        return true;
    case 3:
        kind = FPU_SQRT;
        break;
    case 4: /* FCVT to single */
    case 5: /* FCVT to double */
        if ((a->opcode == 4) == !dbl) {
            return false;
        }
        gen_helper_fp_cvt(r, tcg_env(), tcg_constant_i32(dbl ? 1 : 0), v);
        write_fp(s, a->rd, r, !dbl);
        return true;
    case 8: kind = FPU_RINTN; break;
    case 9: kind = FPU_RINTP; break;
    case 10: kind = FPU_RINTM; break;
    case 11: kind = FPU_RINTZ; break;
    case 12: kind = FPU_RINTA; break;
    case 14: kind = FPU_RINTX; break;
    default: kind = FPU_RINTI; break;
    }
    gen_helper_fp_unary(r, tcg_env(), tcg_constant_i32(kind << 1 | dbl), v);
    write_fp(s, a->rd, r, dbl);
    return true;
}

static bool trans_FP_DP2(DisasContext *s, arg_FP_DP2 *a)
{
    static const int kinds[9] = {FPA_MUL, FPA_DIV, FPA_ADD, FPA_SUB, FPA_MAX,
                                 FPA_MIN, FPA_MAXNM, FPA_MINNM, FPA_NMUL};
    if (!fp_type_ok(a->ftype) || a->opcode > 8) {
        return false;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    bool dbl = a->ftype == 1;
    TCGv_i64 r = tcg_temp_new_i64();
    gen_helper_fp_arith(r, tcg_env(), tcg_constant_i32(kinds[a->opcode] << 1 | dbl),
                        read_fp(a->rn), read_fp(a->rm));
    write_fp(s, a->rd, r, dbl);
    return true;
}

static bool trans_FP_DP3(DisasContext *s, arg_FP_DP3 *a)
{
    if (!fp_type_ok(a->ftype)) {
        return false;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    bool dbl = a->ftype == 1;
    int kind = a->o1 << 1 | a->o0; /* FMADD FMSUB FNMADD FNMSUB */
    TCGv_i64 r = tcg_temp_new_i64();
    gen_helper_fp_fma(r, tcg_env(), tcg_constant_i32(kind << 1 | dbl), read_fp(a->rn),
                      read_fp(a->rm), read_fp(a->ra));
    write_fp(s, a->rd, r, dbl);
    return true;
}

static void gen_set_nzcv_from(TCGv_i32 nzcv)
{
    tcg_gen_andi_i32(cpu_NF, nzcv, (int32_t)0x80000000u);
    tcg_gen_andi_i32(cpu_ZF, nzcv, 1 << 30);
    tcg_gen_xori_i32(cpu_ZF, cpu_ZF, 1 << 30);
    tcg_gen_extract_i32(cpu_CF, nzcv, 29, 1);
    tcg_gen_shli_i32(cpu_VF, nzcv, 3);
    tcg_gen_andi_i32(cpu_VF, cpu_VF, (int32_t)0x80000000u);
}

static bool trans_FP_CMP(DisasContext *s, arg_FP_CMP *a)
{
    if (!fp_type_ok(a->ftype) || (a->opc & 7)) {
        return false;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    bool dbl = a->ftype == 1, with_zero = (a->opc >> 3) & 1, sig = (a->opc >> 4) & 1;
    TCGv_i32 nzcv = tcg_temp_new_i32();
    TCGv_i64 m = with_zero ? tcg_constant_i64(0) : read_fp(a->rm);
    gen_helper_fp_cmp(nzcv, tcg_env(), tcg_constant_i32(sig << 1 | dbl), read_fp(a->rn), m);
    gen_set_nzcv_from(nzcv);
    return true;
}

static bool trans_FP_CCMP(DisasContext *s, arg_FP_CCMP *a)
{
    if (!fp_type_ok(a->ftype)) {
        return false;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    bool dbl = a->ftype == 1;
    DisasCompare c;
    TCGLabel *skip = gen_new_label(), *done = gen_new_label();
    arm_test_cc(&c, a->cond);
    tcg_gen_brcondi_i32(tcg_invert_cond(c.cond), c.value, 0, skip);
    TCGv_i32 nzcv = tcg_temp_new_i32();
    gen_helper_fp_cmp(nzcv, tcg_env(), tcg_constant_i32(a->op << 1 | dbl), read_fp(a->rn),
                      read_fp(a->rm));
    gen_set_nzcv_from(nzcv);
    tcg_gen_br(done);
    gen_set_label(skip);
    gen_set_nzcv_from(tcg_constant_i32(a->nzcv << 28));
    gen_set_label(done);
    return true;
}

static bool trans_FP_CSEL(DisasContext *s, arg_FP_CSEL *a)
{
    if (!fp_type_ok(a->ftype)) {
        return false;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    DisasCompare c;
    arm_test_cc(&c, a->cond);
    TCGv_i64 r = tcg_temp_new_i64(), cv = tcg_temp_new_i64();
    if (c.cond == TCG_COND_ALWAYS) {
        tcg_gen_mov_i64(r, read_fp(a->rn));
    } else {
        tcg_gen_ext_i32_i64(cv, c.value);
        tcg_gen_movcond_i64(c.cond, r, cv, tcg_constant_i64(0), read_fp(a->rn),
                            read_fp(a->rm));
    }
    write_fp(s, a->rd, r, a->ftype == 1);
    return true;
}

/* VFPExpandImm (J1) */
static uint64_t vfp_expand_imm(int imm8, bool dbl)
{
    uint64_t sign = (imm8 >> 7) & 1, b6 = (imm8 >> 6) & 1, low = imm8 & 0x3f;
    if (dbl) {
        uint64_t exp = ((b6 ^ 1) << 10) | (b6 ? 0x3fcull : 0) | ((low >> 4) & 3);
        return sign << 63 | exp << 52 | (low & 15) << 48;
    }
    uint64_t exp = ((b6 ^ 1) << 7) | (b6 ? 0x7cull : 0) | ((low >> 4) & 3);
    return sign << 31 | exp << 23 | (low & 15) << 19;
}

static bool trans_FP_IMM(DisasContext *s, arg_FP_IMM *a)
{
    if (!fp_type_ok(a->ftype)) {
        return false;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    write_fp(s, a->rd, tcg_constant_i64((int64_t)vfp_expand_imm(a->imm8, a->ftype == 1)),
             a->ftype == 1);
    return true;
}

static void gen_fcvt_to_int(DisasContext *s, int rd, int rn, bool sf, bool dbl, bool sgn,
                            int rmode, int scale)
{
    TCGv_i64 r = tcg_temp_new_i64();
    int op = rmode << 3 | sgn << 2 | sf << 1 | dbl;
    gen_helper_fp_to_int(r, tcg_env(), tcg_constant_i32(op), read_fp(rn),
                         tcg_constant_i32(scale));
    write_x(s, rd, r, sf);
}

static void gen_int_to_fcvt(DisasContext *s, int rd, int rn, bool sf, bool dbl, bool sgn,
                            int scale)
{
    TCGv_i64 r = tcg_temp_new_i64();
    int op = sgn << 2 | sf << 1 | dbl;
    gen_helper_int_to_fp(r, tcg_env(), tcg_constant_i32(op), read_x(s, rn),
                         tcg_constant_i32(scale));
    write_fp(s, rd, r, dbl);
}

static bool trans_FP_INT(DisasContext *s, arg_FP_INT *a)
{
    int op = a->rmode << 3 | a->opcode;
    /* FMOV between general and FP registers */
    if (a->opcode == 6 || a->opcode == 7) {
        bool to_fp = a->opcode == 7;
        if (a->rmode == 0 && a->sf == a->ftype && a->ftype < 2) {
            if (!fp_access_check(s)) {
                return true;
            }
            if (to_fp) {
                write_fp(s, a->rd, read_x(s, a->rn), a->sf);
            } else {
                write_x(s, a->rd, read_fp(a->rn), a->sf);
            }
            return true;
        }
        if (a->rmode == 1 && a->sf && a->ftype == 2) { /* FMOV Xd, Vn.D[1] / Vd.D[1], Xn */
            if (!fp_access_check(s)) {
                return true;
            }
            TCGv_i64 t = tcg_temp_new_i64();
            if (to_fp) {
                tcg_gen_st_i64(read_x(s, a->rn), tcg_env(), vreg_hi_off(a->rd));
            } else {
                tcg_gen_ld_i64(t, tcg_env(), vreg_hi_off(a->rn));
                write_x(s, a->rd, t, true);
            }
            return true;
        }
        return false;
    }
    if (!fp_type_ok(a->ftype)) {
        return false;
    }
    bool dbl = a->ftype == 1;
    switch (op) {
    case 0x00: case 0x01: case 0x08: case 0x09: case 0x10: case 0x11: case 0x18: case 0x19: {
        /* FCVT{N,P,M,Z}{S,U} */
        static const int rm[4] = {FPR_N, FPR_P, FPR_M, FPR_Z};
        if (!fp_access_check(s)) {
            return true;
        }
        gen_fcvt_to_int(s, a->rd, a->rn, a->sf, dbl, !(a->opcode & 1), rm[a->rmode], 0);
        return true;
    }
    case 0x04: case 0x05: /* FCVTA{S,U} */
        if (!fp_access_check(s)) {
            return true;
        }
        gen_fcvt_to_int(s, a->rd, a->rn, a->sf, dbl, !(a->opcode & 1), FPR_A, 0);
        return true;
    case 0x02: case 0x03: /* SCVTF, UCVTF */
        if (!fp_access_check(s)) {
            return true;
        }
        gen_int_to_fcvt(s, a->rd, a->rn, a->sf, dbl, a->opcode == 2, 0);
        return true;
    default:
        return false;
    }
}

static bool trans_FP_FIXED(DisasContext *s, arg_FP_FIXED *a)
{
    if (!fp_type_ok(a->ftype) || (!a->sf && a->scale < 32)) {
        return false;
    }
    int fbits = 64 - a->scale;
    bool dbl = a->ftype == 1;
    int op = a->rmode << 3 | a->opcode;
    switch (op) {
    case 0x02: case 0x03:
        if (!fp_access_check(s)) {
            return true;
        }
        gen_int_to_fcvt(s, a->rd, a->rn, a->sf, dbl, a->opcode == 2, fbits);
        return true;
    case 0x18: case 0x19:
        if (!fp_access_check(s)) {
            return true;
        }
        gen_fcvt_to_int(s, a->rd, a->rn, a->sf, dbl, a->opcode == 0x0, FPR_Z, fbits);
        return true;
    default:
        return false;
    }
}

/* ---------------------------------------------------------------- AdvSIMD */

static bool gen_simd(DisasContext *s, int op, int size, bool q, int imm, int rd, int rn, int rm)
{
    if (!fp_access_check(s)) {
        return true;
    }
    gen_helper_simd_op(tcg_env(), tcg_constant_i32((int32_t)SIMD_DESC(op, size, q, imm)),
                       tcg_constant_i32((int32_t)SIMD_REGS(rd, rn, rm)));
    return true;
}

static bool gen_simd_scalar(DisasContext *s, int op, int size, int imm, int rd, int rn, int rm)
{
    if (!fp_access_check(s)) {
        return true;
    }
    gen_helper_simd_op(tcg_env(),
                       tcg_constant_i32((int32_t)(SIMD_DESC(op, size, 0, imm) | SIMD_DESC_SCALAR)),
                       tcg_constant_i32((int32_t)SIMD_REGS(rd, rn, rm)));
    return true;
}

/* FP three-same op table shared by the vector and scalar forms; -1: none */
static int fp3same_op(int u, int size, int opcode, int *imm)
{
    int key = u << 4 | (size >> 1) << 3 | (opcode & 7);
    *imm = 0;
    switch (key) {
    case 0x00: *imm = FPA_MAXNM; return SOP_FARITH;
    case 0x01: return SOP_FMLA;
    case 0x02: *imm = FPA_ADD; return SOP_FARITH;
    case 0x03: return SOP_FMULX;
    case 0x04: return SOP_FCMEQ;
    case 0x06: *imm = FPA_MAX; return SOP_FARITH;
    case 0x07: return SOP_FRECPS;
    case 0x08: *imm = FPA_MINNM; return SOP_FARITH;
    case 0x09: return SOP_FMLS;
    case 0x0a: *imm = FPA_SUB; return SOP_FARITH;
    case 0x0e: *imm = FPA_MIN; return SOP_FARITH;
    case 0x0f: return SOP_FRSQRTS;
    case 0x10: return SOP_FMAXNMP;
    case 0x12: return SOP_FADDP;
    case 0x13: *imm = FPA_MUL; return SOP_FARITH;
    case 0x14: return SOP_FCMGE;
    case 0x15: return SOP_FACGE;
    case 0x16: return SOP_FMAXP;
    case 0x17: *imm = FPA_DIV; return SOP_FARITH;
    case 0x18: return SOP_FMINNMP;
    case 0x1a: return SOP_FABD;
    case 0x1c: return SOP_FCMGT;
    case 0x1d: return SOP_FACGT;
    case 0x1e: return SOP_FMINP;
    default: return -1;
    }
}

static int simd_3same_op(int opcode, int u, int size, bool *logical)
{
    *logical = false;
    switch (opcode) {
    case 0x03: {
        static const int lo[2][4] = {{SOP_AND, SOP_BIC, SOP_ORR, SOP_ORN},
                                     {SOP_EOR, SOP_BSL, SOP_BIT, SOP_BIF}};
        *logical = true;
        return lo[u][size];
    }
    case 0x10: return u ? SOP_SUB : SOP_ADD;
    case 0x11: return u ? SOP_CMEQ : SOP_CMTST;
    case 0x06: return u ? SOP_CMHI : SOP_CMGT;
    case 0x07: return u ? SOP_CMHS : SOP_CMGE;
    case 0x08: return u ? SOP_USHL : SOP_SSHL;
    case 0x0c: return u ? SOP_UMAX : SOP_SMAX;
    case 0x0d: return u ? SOP_UMIN : SOP_SMIN;
    case 0x13: return u ? SOP_NONE : SOP_MUL;
    case 0x12: return u ? SOP_MLS : SOP_MLA;
    case 0x0e: return u ? SOP_UABD : SOP_SABD;
    case 0x14: return u ? SOP_UMAXP : SOP_SMAXP;
    case 0x15: return u ? SOP_UMINP : SOP_SMINP;
    case 0x17: return u ? SOP_NONE : SOP_ADDP;
    default: return SOP_NONE;
    }
}

/* AdvSIMD three same, floating point (opcode 11xxx; size<1> picks the table) */
static bool do_simd_fp3same(DisasContext *s, arg_SIMD_3SAME *a)
{
    int imm, op = fp3same_op(a->u, a->size, a->opcode, &imm);
    if (op < 0) {
        return false;
    }
    int esz = (a->size & 1) ? 3 : 2;
    if (esz == 3 && !a->q) {
        return false;
    }
    return gen_simd(s, op, esz, a->q, imm, a->rd, a->rn, a->rm);
}

/*
 * Bitwise three-same ops inline on the two 64-bit halves (MOV Vd, Vn is
 * ORR Vd, Vn, Vn: among the most frequent AdvSIMD instructions).
 */
static bool do_simd_logic_inline(DisasContext *s, arg_SIMD_3SAME *a)
{
    if (!fp_access_check(s)) {
        return true;
    }
    TCGv_i64 n[2], m[2], d[2];
    int halves = a->q ? 2 : 1;
    for (int h = 0; h < halves; h++) {
        n[h] = tcg_temp_new_i64();
        m[h] = tcg_temp_new_i64();
        d[h] = tcg_temp_new_i64();
        tcg_gen_ld_i64(n[h], tcg_env(), h ? vreg_hi_off(a->rn) : vreg_off(a->rn));
        tcg_gen_ld_i64(m[h], tcg_env(), h ? vreg_hi_off(a->rm) : vreg_off(a->rm));
        if (a->u && a->size) {
            tcg_gen_ld_i64(d[h], tcg_env(), h ? vreg_hi_off(a->rd) : vreg_off(a->rd));
        }
    }
    for (int h = 0; h < halves; h++) {
        TCGv_i64 r = tcg_temp_new_i64(), t = tcg_temp_new_i64();
        switch (a->u << 2 | a->size) {
        case 0: tcg_gen_and_i64(r, n[h], m[h]); break;
        case 1: tcg_gen_andc_i64(r, n[h], m[h]); break;
        case 2: tcg_gen_or_i64(r, n[h], m[h]); break;
        case 3: tcg_gen_orc_i64(r, n[h], m[h]); break;
        case 4: tcg_gen_xor_i64(r, n[h], m[h]); break;
        case 5: /* BSL: d ? n : m */
            tcg_gen_and_i64(r, d[h], n[h]);
            tcg_gen_andc_i64(t, m[h], d[h]);
            tcg_gen_or_i64(r, r, t);
            break;
        case 6: /* BIT: m ? n : d */
            tcg_gen_and_i64(r, m[h], n[h]);
            tcg_gen_andc_i64(t, d[h], m[h]);
            tcg_gen_or_i64(r, r, t);
            break;
        default: /* BIF: m ? d : n */
            tcg_gen_andc_i64(r, n[h], m[h]);
            tcg_gen_and_i64(t, m[h], d[h]);
            tcg_gen_or_i64(r, r, t);
            break;
        }
        tcg_gen_st_i64(r, tcg_env(), h ? vreg_hi_off(a->rd) : vreg_off(a->rd));
    }
    if (!a->q) {
        clear_vec_high(s, a->rd);
    }
    return true;
}

static bool trans_SIMD_3SAME(DisasContext *s, arg_SIMD_3SAME *a)
{
    bool logical;
    if (a->opcode >= 0x18) {
        return do_simd_fp3same(s, a);
    }
    if (a->opcode == 0x03) {
        return do_simd_logic_inline(s, a);
    }
    {
        int xop = SOP_NONE;
        switch (a->opcode) {
        case 0x00: xop = SOP_HADD; break;
        case 0x01: xop = SOP_QADD; break;
        case 0x02: xop = SOP_RHADD; break;
        case 0x04: xop = SOP_HSUB; break;
        case 0x05: xop = SOP_QSUB; break;
        case 0x09: xop = SOP_QSHL; break;
        case 0x0a: xop = SOP_RSHL; break;
        case 0x0b: xop = SOP_QRSHL; break;
        case 0x0f: xop = SOP_ABA; break;
        case 0x13: xop = a->u ? SOP_PMUL : SOP_NONE; break;
        case 0x16: xop = a->u ? SOP_QRDMULH : SOP_QDMULH; break;
        default: break;
        }
        if (xop != SOP_NONE) {
            bool sz3_ok = xop == SOP_QADD || xop == SOP_QSUB || xop == SOP_QSHL ||
                          xop == SOP_RSHL || xop == SOP_QRSHL;
            if ((a->size == 3 && (!sz3_ok || !a->q)) ||
                ((xop == SOP_QDMULH || xop == SOP_QRDMULH) && (a->size == 0 || a->size == 3)) ||
                (xop == SOP_PMUL && a->size != 0)) {
                return false;
            }
            /* imm bit 0: unsigned; SQ(R)DMULH use U for rounding, always signed */
            int uns = (xop == SOP_QDMULH || xop == SOP_QRDMULH) ? 0 : a->u;
            return gen_simd(s, xop, a->size, a->q, uns, a->rd, a->rn, a->rm);
        }
    }
    int op = simd_3same_op(a->opcode, a->u, a->size, &logical);
    if (op == SOP_NONE) {
        return false;
    }
    if (!logical) {
        if (a->size == 3 && !a->q) {
            return false;
        }
        if (a->size == 3 && (op == SOP_MUL || op == SOP_MLA || op == SOP_MLS ||
                             op == SOP_SABD || op == SOP_UABD || op == SOP_SMAX || op == SOP_UMAX ||
                             op == SOP_SMIN || op == SOP_UMIN || op == SOP_SMAXP ||
                             op == SOP_UMAXP || op == SOP_SMINP || op == SOP_UMINP)) {
            return false;
        }
    }
    return gen_simd(s, op, logical ? 0 : a->size, a->q, 0, a->rd, a->rn, a->rm);
}

static bool trans_SIMD_S3SAME(DisasContext *s, arg_SIMD_S3SAME *a)
{
    if (a->opcode >= 0x18) {
        int imm, op = fp3same_op(a->u, a->size, a->opcode, &imm);
        /* scalar forms exist for these only */
        if (op != SOP_FMULX && op != SOP_FCMEQ && op != SOP_FRECPS && op != SOP_FRSQRTS &&
            op != SOP_FCMGE && op != SOP_FACGE && op != SOP_FABD && op != SOP_FCMGT &&
            op != SOP_FACGT) {
            return false;
        }
        return gen_simd_scalar(s, op, (a->size & 1) ? 3 : 2, imm, a->rd, a->rn, a->rm);
    }
    switch (a->opcode) {
    case 0x01: case 0x05: case 0x09: case 0x0b: /* SQADD SQSUB SQSHL SQRSHL (+U) */
        return gen_simd_scalar(s, a->opcode == 1 ? SOP_QADD : a->opcode == 5 ? SOP_QSUB
                                  : a->opcode == 9 ? SOP_QSHL : SOP_QRSHL,
                               a->size, a->u, a->rd, a->rn, a->rm);
    case 0x0a: /* SRSHL / URSHL: D only */
        if (a->size != 3) {
            return false;
        }
        return gen_simd_scalar(s, SOP_RSHL, 3, a->u, a->rd, a->rn, a->rm);
    case 0x16: /* SQDMULH / SQRDMULH: H, S */
        if (a->size != 1 && a->size != 2) {
            return false;
        }
        return gen_simd_scalar(s, a->u ? SOP_QRDMULH : SOP_QDMULH, a->size, 0, a->rd, a->rn,
                               a->rm);
    default:
        break;
    }
    bool logical;
    int op = simd_3same_op(a->opcode, a->u, a->size, &logical);
    if (logical || a->size != 3) {
        return false;
    }
    switch (op) {
    case SOP_ADD: case SOP_SUB: case SOP_CMEQ: case SOP_CMTST: case SOP_CMGT: case SOP_CMHI:
    case SOP_CMGE: case SOP_CMHS: case SOP_USHL: case SOP_SSHL:
        return gen_simd(s, op, 3, false, 0, a->rd, a->rn, a->rm);
    default:
        return false;
    }
}

/*
 * FP <-> integer conversions of the two-register-misc space (C4.1.95):
 * opcode 11010..11101 with size<1> choosing the table. Returns -1 if not one;
 * else *is_cvtf (SCVTF/UCVTF) or the FCVT rounding mode in *rmode.
 */
static int fcvt_misc_kind(int opcode, int size, int *rmode)
{
    if (!(size & 2)) {
        switch (opcode) {
        case 0x1a: *rmode = FPR_N; return 0;
        case 0x1b: *rmode = FPR_M; return 0;
        case 0x1c: *rmode = FPR_A; return 0;
        case 0x1d: return 1; /* SCVTF/UCVTF */
        default: return -1;
        }
    }
    switch (opcode) {
    case 0x1a: *rmode = FPR_P; return 0;
    case 0x1b: *rmode = FPR_Z; return 0;
    default: return -1;
    }
}

static bool trans_SIMD_2MISC(DisasContext *s, arg_SIMD_2MISC *a)
{
    if ((a->opcode == 0x1c || a->opcode == 0x1d) && (a->size & 2)) {
        if (a->opcode == 0x1c) { /* URECPE / URSQRTE: 32-bit lanes only */
            if (a->size != 2) {
                return false;
            }
            return gen_simd(s, a->u ? SOP_URSQRTE : SOP_URECPE, 2, a->q, 0, a->rd, a->rn, 0);
        }
        int esz = (a->size & 1) ? 3 : 2; /* FRECPE / FRSQRTE */
        if (esz == 3 && !a->q) {
            return false;
        }
        return gen_simd(s, SOP_FUNARY, esz, a->q, a->u ? FPU_RSQRTE : FPU_RECPE, a->rd, a->rn,
                        0);
    }
    int rmode = 0, k = fcvt_misc_kind(a->opcode, a->size, &rmode);
    if (k >= 0) {
        int esz = (a->size & 1) ? 3 : 2;
        if (esz == 3 && !a->q) {
            return false;
        }
        if (k == 1) {
            return gen_simd(s, a->u ? SOP_UCVTF : SOP_SCVTF, esz, a->q, 0, a->rd, a->rn, 0);
        }
        return gen_simd(s, SOP_FCVTI, esz, a->q, rmode << 1 | a->u, a->rd, a->rn, 0);
    }
    int op = SOP_NONE, imm = 0;
    switch (a->opcode << 1 | a->u) {
    case 0x0a: op = a->size == 0 ? SOP_CNT : SOP_NONE; break;
    case 0x0b: op = a->size == 0 ? SOP_NOT : a->size == 1 ? SOP_RBIT : SOP_NONE; break;
    case 0x12: op = SOP_CMEQ0; break;
    case 0x13: op = SOP_CMLE0; break;
    case 0x10: op = SOP_CMGT0; break;
    case 0x11: op = SOP_CMGE0; break;
    case 0x14: op = SOP_CMLT0; break;
    case 0x16: op = SOP_ABS; break;
    case 0x17: op = SOP_NEG; break;
    case 0x00: op = a->size < 3 ? SOP_REV : SOP_NONE; imm = 3; break; /* REV64 */
    case 0x01: op = a->size < 2 ? SOP_REV : SOP_NONE; imm = 2; break; /* REV32 */
    case 0x02: op = a->size < 1 ? SOP_REV : SOP_NONE; imm = 1; break; /* REV16 */
    case 0x1e: case 0x1f: /* FABS (u=0) / FNEG (u=1), size 1x */
        if (!(a->size & 2) || (a->size == 3 && !a->q)) {
            return false;
        }
        return gen_simd(s, a->u ? SOP_FNEG : SOP_FABS, a->size == 2 ? 2 : 3, a->q, 0, a->rd,
                        a->rn, 0);
    case 0x3a: case 0x3b: /* SCVTF / UCVTF (vector, integer), size 0x */
        if ((a->size & 2) || (a->size == 1 && !a->q)) {
            return false;
        }
        return gen_simd(s, a->u ? SOP_UCVTF : SOP_SCVTF, a->size ? 3 : 2, a->q, 0, a->rd,
                        a->rn, 0);
    case 0x08: case 0x09: /* CLS / CLZ */
        if (a->size == 3) {
            return false;
        }
        return gen_simd(s, a->u ? SOP_CLZ : SOP_CLS, a->size, a->q, 0, a->rd, a->rn, 0);
    case 0x04: case 0x05: case 0x0c: case 0x0d: /* SADDLP/UADDLP, SADALP/UADALP */
        if (a->size == 3) {
            return false;
        }
        return gen_simd(s, (a->opcode == 6) ? SOP_ADALP : SOP_ADDLP, a->size, a->q, a->u,
                        a->rd, a->rn, 0);
    case 0x0e: case 0x0f: /* SQABS / SQNEG */
        if (a->size == 3 && !a->q) {
            return false;
        }
        return gen_simd(s, a->u ? SOP_QNEG : SOP_QABS, a->size, a->q, 0, a->rd, a->rn, 0);
    case 0x06: case 0x07: /* SUQADD / USQADD */
        if (a->size == 3 && !a->q) {
            return false;
        }
        return gen_simd(s, a->u ? SOP_USQADD : SOP_SUQADD, a->size, a->q, 0, a->rd, a->rn, 0);
    case 0x28: case 0x29: /* SQXTN / UQXTN */
    case 0x25: /* SQXTUN */
        if (a->size == 3) {
            return false;
        }
        return gen_simd(s, a->opcode == 0x12 ? SOP_QXTUN : SOP_QXTN, a->size, a->q, a->u,
                        a->rd, a->rn, 0);
    case 0x2e: /* FCVTL: size<0> = 1: single -> double, 0: half -> single */
        if (a->size > 1) {
            return false;
        }
        return gen_simd(s, SOP_FCVTL, a->size ? 3 : 2, a->q, 0, a->rd, a->rn, 0);
    case 0x2c: /* FCVTN: double -> single, single -> half */
    case 0x2d: /* FCVTXN (round to odd, double -> single only) */
        if (a->size > 1 || (a->u && a->size != 1)) {
            return false;
        }
        return gen_simd(s, SOP_FCVTN, a->size ? 2 : 1, a->q, a->u, a->rd, a->rn, 0);
    case 0x30: case 0x31: case 0x32: case 0x33: case 0x3f: { /* FRINT*, FSQRT */
        int sz1 = a->size >> 1, esz = (a->size & 1) ? 3 : 2, kind;
        int k = (a->opcode & 1) | sz1 << 1 | a->u << 2;
        if (a->opcode == 0x1f) {
            if (!(a->u && sz1)) {
                return false;
            }
            kind = FPU_SQRT;
        } else {
            static const int kinds[8] = {FPU_RINTN, FPU_RINTM, FPU_RINTP, FPU_RINTZ,
                                         FPU_RINTA, FPU_RINTX, -1, FPU_RINTI};
            kind = kinds[k];
        }
        if (kind < 0 || (esz == 3 && !a->q)) {
            return false;
        }
        return gen_simd(s, SOP_FUNARY, esz, a->q, kind, a->rd, a->rn, 0);
    }
    case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: { /* FCM* #0.0 (size 1x) */
        static const int k0[2][3] = {{0, 1, 2}, {3, 4, -1}};
        int idx = a->opcode - 0x0c;
        if (!(a->size & 2) || idx > 2 || k0[a->u][idx] < 0 ||
            ((a->size & 1) && !a->q)) {
            return false;
        }
        return gen_simd(s, SOP_FCMZ, (a->size & 1) ? 3 : 2, a->q, k0[a->u][idx], a->rd, a->rn,
                        0);
    }
    case 0x24: /* XTN, XTN2 */
        if (a->size == 3) {
            return false;
        }
        return gen_simd(s, SOP_XTN, a->size, a->q, 0, a->rd, a->rn, 0);
    default: break;
    }
    if (op == SOP_NONE || (a->size == 3 && !a->q && op != SOP_NOT && op != SOP_RBIT)) {
        return false;
    }
    return gen_simd(s, op, (op == SOP_NOT || op == SOP_RBIT) ? 0 : a->size, a->q, imm, a->rd,
                    a->rn, 0);
}

static bool trans_SIMD_S2MISC(DisasContext *s, arg_SIMD_S2MISC *a)
{
    int op, rmode = 0, k = fcvt_misc_kind(a->opcode, a->size, &rmode);
    if (k >= 0) {
        /* scalar SCVTF/UCVTF/FCVT*S/U Sd|Dd, Sn|Dn: integer lives in the FP register */
        bool dbl = a->size & 1;
        if (!fp_access_check(s)) {
            return true;
        }
        TCGv_i64 r = tcg_temp_new_i64();
        if (k == 1) {
            gen_helper_int_to_fp(r, tcg_env(), tcg_constant_i32(!a->u << 2 | dbl << 1 | dbl),
                                 read_fp(a->rn), tcg_constant_i32(0));
        } else {
            gen_helper_fp_to_int(r, tcg_env(),
                                 tcg_constant_i32(rmode << 3 | !a->u << 2 | dbl << 1 | dbl),
                                 read_fp(a->rn), tcg_constant_i32(0));
        }
        write_fp(s, a->rd, r, dbl);
        return true;
    }
    if ((a->opcode << 1 | a->u) == 0x2d && a->size == 1) { /* FCVTXN Sd, Dn */
        if (!fp_access_check(s)) {
            return true;
        }
        TCGv_i64 r = tcg_temp_new_i64();
        gen_helper_fp_cvt(r, tcg_env(), tcg_constant_i32(2), read_fp(a->rn));
        write_fp(s, a->rd, r, false);
        return true;
    }
    if (a->opcode == 0x1d && (a->size & 2)) { /* FRECPE / FRSQRTE (scalar) */
        if (!fp_access_check(s)) {
            return true;
        }
        TCGv_i64 r = tcg_temp_new_i64();
        int kind = a->u ? FPU_RSQRTE : FPU_RECPE;
        gen_helper_fp_unary(r, tcg_env(), tcg_constant_i32(kind << 1 | (a->size & 1)),
                            read_fp(a->rn));
        write_fp(s, a->rd, r, a->size & 1);
        return true;
    }
    if ((a->opcode << 1 | a->u) == 0x3e && (a->size & 2)) { /* FRECPX */
        if (!fp_access_check(s)) {
            return true;
        }
        TCGv_i64 r = tcg_temp_new_i64();
        gen_helper_fp_unary(r, tcg_env(), tcg_constant_i32(FPU_RECPX << 1 | (a->size & 1)),
                            read_fp(a->rn));
        write_fp(s, a->rd, r, a->size & 1);
        return true;
    }
    if (a->size != 3) {
        return false;
    }
    switch (a->opcode << 1 | a->u) {
    case 0x12: op = SOP_CMEQ0; break;
    case 0x13: op = SOP_CMLE0; break;
    case 0x10: op = SOP_CMGT0; break;
    case 0x11: op = SOP_CMGE0; break;
    case 0x14: op = SOP_CMLT0; break;
    case 0x16: op = SOP_ABS; break;
    case 0x17: op = SOP_NEG; break;
    default: return false;
    }
    return gen_simd(s, op, 3, false, 0, a->rd, a->rn, 0);
}

static bool trans_SIMD_ACROSS(DisasContext *s, arg_SIMD_ACROSS *a)
{
    int op;
    if (a->u && (a->opcode == 0x0c || a->opcode == 0x0f)) {
        /* FMAXNMV FMAXV (size<1> = 0), FMINNMV FMINV (size<1> = 1): 4S only */
        if (!a->q || (a->size & 1)) {
            return false;
        }
        int k = (a->size >> 1) << 1 | (a->opcode == 0x0c);
        static const int ops[4] = {SOP_FMAXV, SOP_FMAXNMV, SOP_FMINV, SOP_FMINNMV};
        return gen_simd(s, ops[k], 2, true, 0, a->rd, a->rn, 0);
    }
    switch (a->opcode << 1 | a->u) {
    case 0x36: op = SOP_ADDV; break;
    case 0x14: op = SOP_SMAXV; break;
    case 0x15: op = SOP_UMAXV; break;
    case 0x34: op = SOP_SMINV; break;
    case 0x35: op = SOP_UMINV; break;
    case 0x06: op = SOP_SADDLV; break;
    case 0x07: op = SOP_UADDLV; break;
    default: return false;
    }
    if (a->size == 3 || (a->size == 2 && !a->q)) {
        return false;
    }
    return gen_simd(s, op, a->size, a->q, 0, a->rd, a->rn, 0);
}

static bool trans_SIMD_SPAIR(DisasContext *s, arg_SIMD_SPAIR *a)
{
    if (a->u) {
        /* FP pairwise of a 2-element vector (sz = size<0>: S from 2S, D from 2D) */
        int kind;
        switch ((a->size >> 1) << 5 | a->opcode) {
        case 0x0c: kind = FPA_MAXNM; break;
        case 0x0d: kind = FPA_ADD; break;
        case 0x0f: kind = FPA_MAX; break;
        case 0x2c: kind = FPA_MINNM; break;
        case 0x2f: kind = FPA_MIN; break;
        default: return false;
        }
        if (!fp_access_check(s)) {
            return true;
        }
        bool dbl = a->size & 1;
        TCGv_i64 e0 = tcg_temp_new_i64(), e1 = tcg_temp_new_i64(), r = tcg_temp_new_i64();
        if (dbl) {
            tcg_gen_ld_i64(e0, tcg_env(), vreg_off(a->rn));
            tcg_gen_ld_i64(e1, tcg_env(), vreg_hi_off(a->rn));
        } else {
            tcg_gen_ld32u_i64(e0, tcg_env(), vreg_off(a->rn));
            tcg_gen_ld32u_i64(e1, tcg_env(), vreg_off(a->rn) + 4);
        }
        gen_helper_fp_arith(r, tcg_env(), tcg_constant_i32(kind << 1 | dbl), e0, e1);
        write_fp(s, a->rd, r, dbl);
        return true;
    }
    if (a->opcode != 0x1b || a->size != 3) {
        return false; /* integer: only ADDP Dd, Vn.2D */
    }
    if (!fp_access_check(s)) {
        return true;
    }
    TCGv_i64 lo = tcg_temp_new_i64(), hi = tcg_temp_new_i64();
    tcg_gen_ld_i64(lo, tcg_env(), vreg_off(a->rn));
    tcg_gen_ld_i64(hi, tcg_env(), vreg_hi_off(a->rn));
    tcg_gen_add_i64(lo, lo, hi);
    write_fp(s, a->rd, lo, true);
    return true;
}

static void gen_ld_elt(TCGv_i64 t, int r, int idx, int size, bool sign)
{
    intptr_t ofs = vreg_elt_off(r, idx, size);
    switch (size | (sign ? 4 : 0)) {
    case 0: tcg_gen_ld8u_i64(t, tcg_env(), ofs); break;
    case 1: tcg_gen_ld16u_i64(t, tcg_env(), ofs); break;
    case 2: tcg_gen_ld32u_i64(t, tcg_env(), ofs); break;
    case 4: tcg_gen_ld8s_i64(t, tcg_env(), ofs); break;
    case 5: tcg_gen_ld16s_i64(t, tcg_env(), ofs); break;
    case 6: tcg_gen_ld32s_i64(t, tcg_env(), ofs); break;
    default: tcg_gen_ld_i64(t, tcg_env(), ofs); break;
    }
}

static void gen_st_elt(TCGv_i64 t, int r, int idx, int size)
{
    intptr_t ofs = vreg_elt_off(r, idx, size);
    switch (size) {
    case 0: tcg_gen_st8_i64(t, tcg_env(), ofs); break;
    case 1: tcg_gen_st16_i64(t, tcg_env(), ofs); break;
    case 2: tcg_gen_st32_i64(t, tcg_env(), ofs); break;
    default: tcg_gen_st_i64(t, tcg_env(), ofs); break;
    }
}

static const int64_t dup_rep[4] = {0x0101010101010101ll, 0x0001000100010001ll,
                                   0x0000000100000001ll, 1};

static bool trans_SIMD_COPY(DisasContext *s, arg_SIMD_COPY *a)
{
    if ((a->imm5 & 15) == 0) {
        return false;
    }
    int size = __builtin_ctz((unsigned)a->imm5);
    int index = a->imm5 >> (size + 1);
    if (a->op) { /* INS (element) */
        if (!a->q) {
            return false;
        }
        return gen_simd(s, SOP_INSE, size, true, index | (a->imm4 >> size) << 4, a->rd, a->rn,
                        0);
    }
    TCGv_i64 t = tcg_temp_new_i64();
    switch (a->imm4) {
    case 0: /* DUP (element) */
        if (size == 3 && !a->q) {
            return false;
        }
        return gen_simd(s, SOP_DUPE, size, a->q, index, a->rd, a->rn, 0);
    case 1: /* DUP (general) */
        if (size == 3 && !a->q) {
            return false;
        }
        if (!fp_access_check(s)) {
            return true;
        }
        tcg_gen_ext_i64(t, read_x(s, a->rn), (MemOp)size);
        tcg_gen_muli_i64(t, t, dup_rep[size]);
        tcg_gen_st_i64(t, tcg_env(), vreg_off(a->rd));
        if (a->q) {
            tcg_gen_st_i64(t, tcg_env(), vreg_hi_off(a->rd));
        } else {
            clear_vec_high(s, a->rd);
        }
        return true;
    case 3: /* INS (general) */
        if (!a->q) {
            return false;
        }
        if (!fp_access_check(s)) {
            return true;
        }
        gen_st_elt(read_x(s, a->rn), a->rd, index, size);
        return true;
    case 5: /* SMOV */
    case 7: /* UMOV */
        if (a->imm4 == 5 ? (size >= (a->q ? 3 : 2)) : (size == 3) != a->q) {
            return false;
        }
        if (!fp_access_check(s)) {
            return true;
        }
        gen_ld_elt(t, a->rn, index, size, a->imm4 == 5);
        write_x(s, a->rd, t, a->q);
        return true;
    default:
        return false;
    }
}

static bool trans_SIMD_SCOPY(DisasContext *s, arg_SIMD_SCOPY *a)
{
    if ((a->imm5 & 15) == 0) {
        return false;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    int size = __builtin_ctz((unsigned)a->imm5);
    TCGv_i64 t = tcg_temp_new_i64();
    gen_ld_elt(t, a->rn, a->imm5 >> (size + 1), size, false);
    tcg_gen_st_i64(t, tcg_env(), vreg_off(a->rd));
    clear_vec_high(s, a->rd);
    return true;
}

/* AdvSIMDExpandImm (J1) */
static uint64_t simd_expand_imm(int op, int cmode, int imm8)
{
    uint64_t i = (uint64_t)imm8;
    switch (cmode >> 1) {
    case 0: return i * 0x0000000100000001ull;
    case 1: return (i << 8) * 0x0000000100000001ull;
    case 2: return (i << 16) * 0x0000000100000001ull;
    case 3: return (i << 24) * 0x0000000100000001ull;
    case 4: return i * 0x0001000100010001ull;
    case 5: return (i << 8) * 0x0001000100010001ull;
    case 6:
        if (cmode & 1) {
            return ((i << 16) | 0xffff) * 0x0000000100000001ull;
        }
        return ((i << 8) | 0xff) * 0x0000000100000001ull;
    default:
        if (!(cmode & 1)) {
            if (!op) {
                return i * 0x0101010101010101ull;
            }
            uint64_t r = 0;
            for (int b = 0; b < 8; b++) {
                if (imm8 & (1 << b)) {
                    r |= 0xffull << (8 * b);
                }
            }
            return r;
        }
        if (!op) {
            return vfp_expand_imm(imm8, false) * 0x0000000100000001ull;
        }
        return vfp_expand_imm(imm8, true);
    }
}

static bool trans_SIMD_MODIMM(DisasContext *s, arg_SIMD_MODIMM *a)
{
    if (a->o2 || (a->cmode == 15 && a->op && !a->q)) {
        return false;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    int imm8 = a->abc << 5 | a->defgh;
    uint64_t imm = simd_expand_imm(a->op, a->cmode, imm8);
    bool orr_bic = (a->cmode & 1) && a->cmode < 12;
    bool invert = a->op && a->cmode < 14 && !orr_bic;
    if (invert) {
        imm = ~imm;
    }
    for (int h = 0; h < (a->q ? 2 : 1); h++) {
        intptr_t ofs = h ? vreg_hi_off(a->rd) : vreg_off(a->rd);
        if (orr_bic) {
            TCGv_i64 t = tcg_temp_new_i64();
            tcg_gen_ld_i64(t, tcg_env(), ofs);
            if (a->op) {
                tcg_gen_andi_i64(t, t, (int64_t)~imm);
            } else {
                tcg_gen_ori_i64(t, t, (int64_t)imm);
            }
            tcg_gen_st_i64(t, tcg_env(), ofs);
        } else {
            tcg_gen_st_i64(tcg_constant_i64((int64_t)imm), tcg_env(), ofs);
        }
    }
    if (!a->q) {
        clear_vec_high(s, a->rd);
    }
    return true;
}

static bool do_simd_shift(DisasContext *s, int q, int u, int immh, int immb, int opcode,
                          int rd, int rn, bool scalar)
{
    if (immh == 0) {
        return false;
    }
    int size = 31 - __builtin_clz((unsigned)immh);
    int esize = 8 << size;
    int immhb = immh << 3 | immb;
    int rshift = 2 * esize - immhb, lshift = immhb - esize;
    if (scalar && size != 3) {
        return false;
    }
    if (!scalar && size == 3 && !q) {
        return false;
    }
    switch (opcode << 1 | u) {
    case 0x00: return gen_simd(s, SOP_SSHR, size, q, rshift, rd, rn, 0);
    case 0x01: return gen_simd(s, SOP_SHR, size, q, rshift, rd, rn, 0);
    case 0x04: return gen_simd(s, SOP_SSRA, size, q, rshift, rd, rn, 0);
    case 0x05: return gen_simd(s, SOP_USRA, size, q, rshift, rd, rn, 0);
    case 0x14: return gen_simd(s, SOP_SHL, size, q, lshift, rd, rn, 0);
    case 0x08: case 0x09: /* SRSHR / URSHR */
        return gen_simd(s, SOP_RSHR, size, q, rshift << 1 | u, rd, rn, 0);
    case 0x0c: case 0x0d: /* SRSRA / URSRA */
        return gen_simd(s, SOP_RSRA, size, q, rshift << 1 | u, rd, rn, 0);
    case 0x11: /* SRI */
        return gen_simd(s, SOP_SRI, size, q, rshift << 1 | 1, rd, rn, 0);
    case 0x15: /* SLI */
        return gen_simd(s, SOP_SLI, size, q, lshift << 1 | 1, rd, rn, 0);
    case 0x19: /* SQSHLU */
        return gen_simd(s, SOP_QSHLU, size, q, lshift << 1, rd, rn, 0);
    case 0x1c: case 0x1d: /* SQSHL / UQSHL (immediate) */
        return gen_simd(s, SOP_QSHLI, size, q, lshift << 1 | u, rd, rn, 0);
    case 0x21: /* SQSHRUN */
    case 0x23: /* SQRSHRUN */
    case 0x22: /* RSHRN */
    case 0x24: case 0x25: /* SQSHRN / UQSHRN */
    case 0x26: case 0x27: { /* SQRSHRN / UQRSHRN */
        if (scalar || size == 3) {
            return false;
        }
        int k = opcode << 1 | u, nop;
        switch (k) {
        case 0x21: nop = SOP_QSHRUN; break;
        case 0x23: nop = SOP_QRSHRUN; break;
        case 0x22: nop = SOP_RSHRN; break;
        case 0x24: case 0x25: nop = SOP_QSHRN; break;
        default: nop = SOP_QRSHRN; break;
        }
        return gen_simd(s, nop, size, q, rshift << 1 | u, rd, rn, 0);
    }
    case 0x38: case 0x39: /* SCVTF / UCVTF (vector, fixed-point) */
    case 0x3e: case 0x3f: /* FCVTZS / FCVTZU (vector, fixed-point) */
        if (size < 2) {
            return false;
        }
        return gen_simd(s, opcode == 0x1c ? SOP_CVTFFIX : SOP_FCVTFIX, size, q,
                        rshift << 1 | u, rd, rn, 0);
    case 0x20: /* SHRN */
        if (scalar || size == 3) {
            return false;
        }
        return gen_simd(s, SOP_SHRN, size, q, rshift, rd, rn, 0);
    case 0x28: case 0x29: /* SSHLL, USHLL */
        if (scalar || size == 3) {
            return false;
        }
        return gen_simd(s, u ? SOP_USHLL : SOP_SSHLL, size, q, lshift, rd, rn, 0);
    default:
        return false;
    }
}

static bool trans_SIMD_SHIFT(DisasContext *s, arg_SIMD_SHIFT *a)
{
    return do_simd_shift(s, a->q, a->u, a->immh, a->immb, a->opcode, a->rd, a->rn, false);
}

static bool trans_SIMD_SSHIFT(DisasContext *s, arg_SIMD_SSHIFT *a)
{
    return do_simd_shift(s, 0, a->u, a->immh, a->immb, a->opcode, a->rd, a->rn, true);
}

static bool trans_SIMD_EXT(DisasContext *s, arg_SIMD_EXT *a)
{
    if (!a->q && (a->imm4 & 8)) {
        return false;
    }
    return gen_simd(s, SOP_EXT, 0, a->q, a->imm4, a->rd, a->rn, a->rm);
}

static bool trans_SIMD_TBL(DisasContext *s, arg_SIMD_TBL *a)
{
    if (!fp_access_check(s)) {
        return true;
    }
    gen_helper_simd_tbl(tcg_env(), tcg_constant_i32(a->q << 3 | a->len << 1 | a->op),
                        tcg_constant_i32((int32_t)SIMD_REGS(a->rd, a->rn, a->rm)));
    return true;
}

static bool trans_SIMD_PERM(DisasContext *s, arg_SIMD_PERM *a)
{
    static const int ops[8] = {SOP_NONE, SOP_UZP1, SOP_TRN1, SOP_ZIP1,
                               SOP_NONE, SOP_UZP2, SOP_TRN2, SOP_ZIP2};
    int op = ops[a->opcode];
    if (op == SOP_NONE || (a->size == 3 && !a->q)) {
        return false;
    }
    return gen_simd(s, op, a->size, a->q, 0, a->rd, a->rn, a->rm);
}

/* AdvSIMD vector x indexed element (C4.1.95): the base op on Vm[index] broadcast */
static bool trans_SIMD_ELEM(DisasContext *s, arg_SIMD_ELEM *a)
{
    int base = SOP_NONE, idx, rm, size = a->size;
    bool fp = false;
    switch (a->u << 4 | a->opcode) {
    case 0x08: base = SOP_MUL; break;
    case 0x10: base = SOP_MLA; break;
    case 0x14: base = SOP_MLS; break;
    case 0x0c: base = SOP_QDMULH; break;
    case 0x0d: base = SOP_QRDMULH; break;
    case 0x01: base = SOP_FMLA; fp = true; break;
    case 0x05: base = SOP_FMLS; fp = true; break;
    case 0x09: base = SOP_FARITH; fp = true; break; /* FMUL */
    case 0x19: base = SOP_FMULX; fp = true; break;
    /* long forms: Vn's low (Q=0) or high (Q=1) half times the element */
    case 0x0a: base = SOP_SMULL; break;
    case 0x1a: base = SOP_UMULL; break;
    case 0x02: base = SOP_SMLAL; break;
    case 0x12: base = SOP_UMLAL; break;
    case 0x06: base = SOP_SMLSL; break;
    case 0x16: base = SOP_UMLSL; break;
    case 0x0b: base = SOP_SQDMULL; break;
    case 0x03: base = SOP_SQDMLAL; break;
    case 0x07: base = SOP_SQDMLSL; break;
    default: return false;
    }
    if (fp) {
        if (size < 2) {
            return false;
        }
        idx = size == 2 ? (a->h << 1 | a->l) : a->h;
        if ((size == 3 && (a->l || !a->q))) {
            return false;
        }
        rm = a->m << 4 | a->rm;
    } else {
        if (size == 1) {
            idx = a->h << 2 | a->l << 1 | a->m;
            rm = a->rm;
        } else if (size == 2) {
            idx = a->h << 1 | a->l;
            rm = a->m << 4 | a->rm;
        } else {
            return false;
        }
    }
    if (base == SOP_FARITH) {
        /* FMUL by element: the FP arithmetic op with kind MUL in bits 7:0 is not
         * expressible with BYELEM's byte; use a dedicated base encoding */
        base = SOP_FMULE;
    }
    return gen_simd(s, SOP_BYELEM, size, a->q, base | idx << 8, a->rd, a->rn, rm);
}

static bool trans_SIMD_3DIFF(DisasContext *s, arg_SIMD_3DIFF *a)
{
    static const int ops[16][2] = {
        {SOP_SADDL, SOP_UADDL}, {SOP_SADDW, SOP_UADDW}, {SOP_SSUBL, SOP_USUBL},
        {SOP_SSUBW, SOP_USUBW}, {SOP_ADDHN, SOP_RADDHN}, {SOP_SABAL, SOP_UABAL},
        {SOP_SUBHN, SOP_RSUBHN}, {SOP_SABDL, SOP_UABDL}, {SOP_SMLAL, SOP_UMLAL},
        {SOP_NONE, SOP_NONE}, {SOP_SMLSL, SOP_UMLSL}, {SOP_NONE, SOP_NONE},
        {SOP_SMULL, SOP_UMULL}, {SOP_NONE, SOP_NONE}, {SOP_NONE, SOP_NONE},
        {SOP_NONE, SOP_NONE},
    };
    int op = ops[a->opcode][a->u];
    if (!a->u && a->opcode == 0xe) { /* PMULL / PMULL2 */
        if (a->size == 3) {
            if (!s->env->has_crypto) {
                return false;
            }
            if (!fp_access_check(s)) {
                return true;
            }
            gen_helper_crypto_pmull64(tcg_env(), tcg_constant_i32(a->q),
                                      tcg_constant_i32((int32_t)SIMD_REGS(a->rd, a->rn, a->rm)));
            return true;
        }
        if (a->size != 0) {
            return false;
        }
        return gen_simd(s, SOP_PMULL8, 0, a->q, 0, a->rd, a->rn, a->rm);
    }
    if (!a->u && (a->opcode == 0x9 || a->opcode == 0xb || a->opcode == 0xd)) {
        if (a->size != 1 && a->size != 2) {
            return false;
        }
        op = a->opcode == 0xd ? SOP_SQDMULL : a->opcode == 0x9 ? SOP_SQDMLAL : SOP_SQDMLSL;
        return gen_simd(s, op, a->size, a->q, 0, a->rd, a->rn, a->rm);
    }
    if (op == SOP_NONE || a->size == 3) {
        return false; /* saturating doubling forms and PMULL: not implemented */
    }
    return gen_simd(s, op, a->size, a->q, 0, a->rd, a->rn, a->rm);
}

/* ---------------------------------------------------------------- crypto */

static bool trans_CRYPTO_AES(DisasContext *s, arg_CRYPTO_AES *a)
{
    if (!s->env->has_crypto || a->opcode < 4 || a->opcode > 7) {
        return false;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    gen_helper_crypto_aes(tcg_env(), tcg_constant_i32(a->opcode - 4),
                          tcg_constant_i32((int32_t)SIMD_REGS(a->rd, a->rn, 0)));
    return true;
}

static bool trans_CRYPTO_SHA3(DisasContext *s, arg_CRYPTO_SHA3 *a)
{
    if (!s->env->has_crypto || a->opcode == 7) {
        return false;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    gen_helper_crypto_sha3(tcg_env(), tcg_constant_i32(a->opcode),
                           tcg_constant_i32((int32_t)SIMD_REGS(a->rd, a->rn, a->rm)));
    return true;
}

static bool trans_CRYPTO_SHA2(DisasContext *s, arg_CRYPTO_SHA2 *a)
{
    if (!s->env->has_crypto || a->opcode > 2) {
        return false;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    gen_helper_crypto_sha2(tcg_env(), tcg_constant_i32(a->opcode),
                           tcg_constant_i32((int32_t)SIMD_REGS(a->rd, a->rn, 0)));
    return true;
}

bool a64_decode_fp(DisasContext *s, uint32_t insn)
{
    return decode_a64_fp(s, insn);
}
