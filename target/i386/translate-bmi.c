/*
 * translate-bmi.c — BMI1, BMI2 (VEX-encoded general-register instructions),
 * ADX, MOVBE and CRC32 to TCG IR.
 *
 * Operand size is 32 or 64 bits (VEX.W / REX.W); a 32-bit result is
 * zero-extended into the 64-bit register like every 32-bit write. Values
 * are computed on 64-bit temps holding the zero-extended operand, so the
 * 32-bit forms only need a final mask (and a sign bit at 31).
 *
 * Flags (SDM Vol.2, each page's "Flags Affected"): the instructions that set
 * some flags and clear or leave others produce the whole OSZAPC set in one
 * go: the bits are computed inline and handed to helper_write_eflags (mask
 * 0: only the arithmetic flags change), i.e. CC_OP_EFLAGS. Flags the SDM
 * calls undefined (AF, PF; SF for BEXTR) are written as 0. ADCX/ADOX read
 * the architectural EFLAGS first and change CF (ADCX) or OF (ADOX) only.
 * BZHI/MULX/PDEP/PEXT/RORX/SARX/SHLX/SHRX and MOVBE/CRC32 leave flags alone.
 */
#include "target/i386/translate.h"

#define HELPER_H "target/i386/helper.h"
#include "exec/helper-gen.h"

/* OSZAPC <- ZF/SF from r (unless zf_never), CF from cf (0 if NULL), OF = AF = PF = 0 */
static void gen_bmi_flags(DisasContext *s, TCGv_i64 r, int bits, TCGv_i64 cf, bool sf,
                          bool zf)
{
    TCGv_i64 f = tmp64(), t = tmp64();
    tcg_gen_movi_i64(f, 0);
    if (zf) {
        tcg_gen_setcondi_i64(TCG_COND_EQ, t, r, 0);
        tcg_gen_shli_i64(t, t, 6);
        tcg_gen_or_i64(f, f, t);
    }
    if (sf) {
        tcg_gen_extract_i64(t, r, (unsigned)bits - 1, 1);
        tcg_gen_shli_i64(t, t, 7);
        tcg_gen_or_i64(f, f, t);
    }
    if (cf) {
        tcg_gen_or_i64(f, f, cf);
    }
    TCGv_i32 f32 = tmp32();
    tcg_gen_extrl_i64_i32(f32, f);
    gen_helper_write_eflags(tcg_env(), f32, tcg_constant_i32(0));
    s->cc_op = CC_OP_EFLAGS;
}

static void gen_trunc(TCGv_i64 v, int bits)
{
    if (bits == 32) {
        tcg_gen_ext32u_i64(v, v);
    }
}

/* the VEX.vvvv, ModRM.reg and ModRM.r/m operands, by kind */
void trans_bmi(DisasContext *s, X86Insn *in)
{
    if (!(s->flags & HF_PE) || (s->flags & HF_VM)) {
        gen_illegal(s); /* VEX is #UD in real and virtual-8086 mode (SDM Vol.2 §2.3.2) */
        return;
    }
    MemOp sz = (MemOp)in->op[0].size;
    int bits = sz == MO_64 ? 64 : 32;
    TCGv_i64 r = tmp64(), t = tmp64(), c = tmp64();
    switch (in->mnem) {
    case MN_ANDN: { /* Gy <- ~By & Ey */
        TCGv_i64 b = load_op(s, in, 1), e = load_op(s, in, 2);
        tcg_gen_andc_i64(r, e, b);
        gen_store(s, in, 0, r);
        gen_bmi_flags(s, r, bits, NULL, true, true);
        return;
    }
    case MN_BEXTR: { /* Gy <- (Ey >> By[7:0]) & ((1 << By[15:8]) - 1) */
        TCGv_i64 e = load_op(s, in, 1), b = load_op(s, in, 2);
        TCGv_i64 st = tmp64(), ln = tmp64(), m = tmp64(), z = tcg_constant_i64(0);
        tcg_gen_extract_i64(st, b, 0, 8);
        tcg_gen_extract_i64(ln, b, 8, 8);
        tcg_gen_andi_i64(t, st, 63);
        tcg_gen_shr_i64(r, e, t);
        tcg_gen_movcond_i64(TCG_COND_GEU, r, st, tcg_constant_i64(bits), z, r);
        tcg_gen_andi_i64(t, ln, 63);
        tcg_gen_shl_i64(m, tcg_constant_i64(1), t);
        tcg_gen_subi_i64(m, m, 1);
        tcg_gen_movcond_i64(TCG_COND_GEU, m, ln, tcg_constant_i64(bits), tcg_constant_i64(-1), m);
        tcg_gen_and_i64(r, r, m);
        gen_store(s, in, 0, r);
        gen_bmi_flags(s, r, bits, NULL, false, true);
        return;
    }
    case MN_BLSI: case MN_BLSMSK: case MN_BLSR: { /* By <- f(Ey) */
        TCGv_i64 e = load_op(s, in, 1);
        if (in->mnem == MN_BLSI) {
            tcg_gen_neg_i64(r, e);
            tcg_gen_and_i64(r, r, e);
            tcg_gen_setcondi_i64(TCG_COND_NE, c, e, 0); /* CF: source non-zero */
        } else {
            tcg_gen_subi_i64(r, e, 1);
            if (in->mnem == MN_BLSMSK) {
                tcg_gen_xor_i64(r, r, e);
            } else {
                tcg_gen_and_i64(r, r, e);
            }
            tcg_gen_setcondi_i64(TCG_COND_EQ, c, e, 0); /* CF: source zero */
        }
        gen_trunc(r, bits);
        gen_store(s, in, 0, r);
        gen_bmi_flags(s, r, bits, c, true, in->mnem != MN_BLSMSK);
        return;
    }
    case MN_BZHI: { /* Gy <- Ey with bits from By[7:0] up cleared; CF: index > bits-1 */
        TCGv_i64 e = load_op(s, in, 1), b = load_op(s, in, 2);
        TCGv_i64 n = tmp64(), m = tmp64();
        tcg_gen_extract_i64(n, b, 0, 8);
        tcg_gen_andi_i64(t, n, 63);
        tcg_gen_shl_i64(m, tcg_constant_i64(1), t);
        tcg_gen_subi_i64(m, m, 1);
        tcg_gen_and_i64(r, e, m);
        tcg_gen_movcond_i64(TCG_COND_GEU, r, n, tcg_constant_i64(bits), e, r);
        tcg_gen_setcondi_i64(TCG_COND_GTU, c, n, bits - 1);
        gen_store(s, in, 0, r);
        gen_bmi_flags(s, r, bits, c, true, true);
        return;
    }
    case MN_MULX: { /* ModRM.reg:VEX.vvvv <- rDX * Ey; the high half wins if they are one */
        TCGv_i64 e = load_op(s, in, 2), dx = tmp64(), lo = tmp64(), hi = tmp64();
        gen_read_reg(dx, 2, false, sz);
        if (bits == 64) {
            tcg_gen_mulu2_i64(lo, hi, dx, e);
        } else {
            tcg_gen_mul_i64(lo, dx, e);
            tcg_gen_shri_i64(hi, lo, 32);
            tcg_gen_ext32u_i64(lo, lo);
        }
        gen_store(s, in, 0, lo);
        gen_store(s, in, 1, hi);
        return;
    }
    case MN_PDEP: case MN_PEXT: {
        TCGv_i64 b = load_op(s, in, 1), e = load_op(s, in, 2);
        if (in->mnem == MN_PDEP) {
            gen_helper_pdep(r, b, e);
        } else {
            gen_helper_pext(r, b, e);
        }
        gen_store(s, in, 0, r);
        return;
    }
    case MN_RORX: {
        TCGv_i64 e = load_op(s, in, 1);
        int n = (int)(in->op[2].imm & (bits - 1));
        if (bits == 64) {
            tcg_gen_rotri_i64(r, e, n);
        } else {
            TCGv_i32 w = tmp32();
            tcg_gen_extrl_i64_i32(w, e);
            tcg_gen_rotri_i32(w, w, n);
            tcg_gen_extu_i32_i64(r, w);
        }
        gen_store(s, in, 0, r);
        return;
    }
    default: { /* SARX SHLX SHRX: Gy <- Ey shifted by By mod the width */
        TCGv_i64 e = load_op(s, in, 1), b = load_op(s, in, 2);
        tcg_gen_andi_i64(t, b, bits - 1);
        if (in->mnem == MN_SHLX) {
            tcg_gen_shl_i64(r, e, t);
        } else if (in->mnem == MN_SHRX) {
            tcg_gen_shr_i64(r, e, t);
        } else {
            if (bits == 32) {
                tcg_gen_ext32s_i64(e, e);
            }
            tcg_gen_sar_i64(r, e, t);
        }
        gen_trunc(r, bits);
        gen_store(s, in, 0, r);
        return;
    }
    }
}

/* MOVBE (SDM MOVBE): a load or store with the bytes reversed; register forms are #UD */
void trans_MOVBE(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    TCGv_i64 v = load_op(s, in, 1);
    switch (sz) {
    case MO_16: tcg_gen_bswap16_i64(v, v); break;
    case MO_32: tcg_gen_bswap32_i64(v, v); break;
    default: tcg_gen_bswap64_i64(v, v); break;
    }
    gen_store(s, in, 0, v);
}

/* CRC32 r32/r64, r/m8/16/32/64 (SSE4.2): accumulate into the destination's low 32 bits */
void trans_CRC32(DisasContext *s, X86Insn *in)
{
    TCGv_i64 acc = tmp64(), v = load_op(s, in, 1), r = tmp64();
    gen_read_reg(acc, in->op[0].reg, false, MO_32);
    gen_helper_crc32(r, acc, v, tcg_constant_i32(1 << in->op[1].size));
    gen_store(s, in, 0, r);
}

/* ADCX (CF) / ADOX (OF): dest <- dest + src + flag; only that flag changes */
void trans_ADX(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    int bits = sz == MO_64 ? 64 : 32;
    bool ox = in->mnem == MN_ADOX;
    uint32_t fbit = ox ? CC_O : CC_C;
    TCGv_i64 a = load_op(s, in, 0), b = load_op(s, in, 1);
    TCGv_i32 f32 = tmp32();
    TCGv_i64 f = tmp64(), cin = tmp64(), r = tmp64(), co = tmp64(), t = tmp64();
    gen_helper_read_eflags(f32, tcg_env());
    tcg_gen_extu_i32_i64(f, f32);
    tcg_gen_extract_i64(cin, f, ox ? 11 : 0, 1);
    if (bits == 64) {
        /* carry out of a + b + cin: (a + b < a) | (a + b + cin < cin) */
        tcg_gen_add_i64(r, a, b);
        tcg_gen_setcond_i64(TCG_COND_LTU, co, r, a);
        tcg_gen_add_i64(r, r, cin);
        tcg_gen_setcond_i64(TCG_COND_LTU, t, r, cin);
        tcg_gen_or_i64(co, co, t);
    } else {
        tcg_gen_add_i64(r, a, b);
        tcg_gen_add_i64(r, r, cin);
        tcg_gen_shri_i64(co, r, 32);
        tcg_gen_ext32u_i64(r, r);
    }
    gen_store(s, in, 0, r);
    tcg_gen_andi_i64(f, f, CC_OSZAPC & ~fbit);
    tcg_gen_shli_i64(co, co, ox ? 11 : 0);
    tcg_gen_or_i64(f, f, co);
    tcg_gen_extrl_i64_i32(f32, f);
    gen_helper_write_eflags(tcg_env(), f32, tcg_constant_i32(0));
    s->cc_op = CC_OP_EFLAGS;
}
