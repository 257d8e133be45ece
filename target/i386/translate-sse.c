/*
 * translate-sse.c — x87 and SSE/SSE2 instructions to TCG IR (the
 * rest of the x86 translator is translate.c; shared emitters in
 * translate.h).
 *
 * XMM registers live in env->xmm[]; a memory operand is first loaded into
 * env->xmm_t0 (index 16) so helpers take register indices only. Moves and
 * bitwise logic are inline 64-bit halves; everything else is a helper
 * (sse_helper.c), floating point executed on the host's SSE unit. Legacy
 * SSE requires 16-byte alignment of 128-bit memory operands except for the
 * unaligned moves (MO_ALIGN: #GP through CPUClass.do_unaligned_access).
 */
#include "target/i386/translate.h"

#include "exec/cputlb.h"

#define HELPER_H "target/i386/helper.h"
#include "exec/helper-gen.h"

/*
 * x87: every D8..DF instruction is executed by helper_x87 on the host's x87
 * unit (fpu_helper.c). CR0.EM or CR0.TS: #NM (SDM Vol.3 §2.5).
 */
void trans_FPU(DisasContext *s, X86Insn *in)
{
    if (s->flags & (HF_EM | HF_TS)) {
        gen_exception(s, EXCP07_NM);
        return;
    }
    uint32_t insn = (in->opcode & 7) | ((uint32_t)in->modrm << 8);
    gen_update_rip(s, cur_eip(s));
    gen_helper_x87(tcg_env(), tcg_constant_i32((int32_t)insn),
                   in->has_mem ? s->A0 : tcg_constant_i64(0));
    if (in->has_mem) {
        note_store(s, s->A0);
    }
    if (in->mod == 3 && (in->opcode == 0xdb || in->opcode == 0xdf) && in->modrm >= 0xe8 &&
        in->modrm < 0xf8) {
        s->cc_op = CC_OP_EFLAGS; /* FCOMI, FUCOMI(P) */
    }
}

/* ----------------------------------------------------------------- SSE */

static intptr_t xmm_off(int r)
{
    return r == 16 ? ENV_OFF(xmm_t0) : ENV_OFF(xmm[r]);
}

static bool sse_check(DisasContext *s)
{
    if (s->flags & HF_EM) {
        gen_exception(s, EXCP06_UD);
        return false;
    }
    if (!(s->flags & HF_OSFXSR)) {
        gen_exception(s, EXCP06_UD);
        return false;
    }
    if (s->flags & HF_TS) {
        gen_exception(s, EXCP07_NM);
        return false;
    }
    return true;
}

/* operand n as an XMM index; a memory operand is loaded into xmm_t0 (16) */
static int sse_src(DisasContext *s, X86Insn *in, int n, bool aligned)
{
    X86Operand *o = &in->op[n];
    if (o->type == OT_XMM) {
        return o->reg;
    }
    TCGv_i64 lo = tmp64(), hi = tmp64();
    if (o->size == MO_128) {
        tcg_gen_guest_ld_i128(lo, hi, s->A0, (unsigned)s->mem_idx,
                              (MemOp)(MO_128 | (aligned ? MO_ALIGN : 0)));
    } else {
        tcg_gen_guest_ld_i64(lo, s->A0, (unsigned)s->mem_idx, (MemOp)o->size);
        tcg_gen_movi_i64(hi, 0);
    }
    tcg_gen_st_i64(lo, tcg_env(), ENV_OFF(xmm_t0.q[0]));
    tcg_gen_st_i64(hi, tcg_env(), ENV_OFF(xmm_t0.q[1]));
    return 16;
}

static void gen_xmm_copy(int d, int src)
{
    TCGv_i64 t = tmp64();
    for (int k = 0; k < 2; k++) {
        tcg_gen_ld_i64(t, tcg_env(), xmm_off(src) + 8 * k);
        tcg_gen_st_i64(t, tcg_env(), xmm_off(d) + 8 * k);
    }
}

/* store the XMM register r (low `size` bytes) to operand 0 */
static void gen_xmm_store(DisasContext *s, X86Insn *in, int r, MemOp size, bool aligned)
{
    X86Operand *o = &in->op[0];
    TCGv_i64 lo = tmp64(), hi = tmp64();
    tcg_gen_ld_i64(lo, tcg_env(), xmm_off(r));
    if (size == MO_128) {
        tcg_gen_ld_i64(hi, tcg_env(), xmm_off(r) + 8);
        tcg_gen_guest_st_i128(lo, hi, s->A0, (unsigned)s->mem_idx,
                              (MemOp)(MO_128 | (aligned ? MO_ALIGN : 0)));
        note_store(s, s->A0);
    } else {
        tcg_gen_guest_st_i64(lo, s->A0, (unsigned)s->mem_idx, size);
        note_store(s, s->A0);
    }
    (void)o;
}

void trans_sse_mov(DisasContext *s, X86Insn *in)
{
    if (!sse_check(s)) {
        return;
    }
    X86Operand *d = &in->op[0], *src = &in->op[1];
    bool aligned = in->mnem == MN_MOVAPS || in->mnem == MN_MOVAPD ||
                   in->mnem == MN_MOVDQA || in->mnem == MN_MOVDQA_ST ||
                   in->mnem == MN_MOVAPS_ST || in->mnem == MN_MOVNTDQ ||
                   in->mnem == MN_MOVNTPS;
    TCGv_i64 t = tmp64();
    switch (in->mnem) {
    case MN_MOVUPS: case MN_MOVUPD: case MN_MOVAPS: case MN_MOVAPD:
    case MN_MOVDQA: case MN_MOVDQU: {
        int r = sse_src(s, in, 1, aligned);
        gen_xmm_copy(d->reg, r);
        break;
    }
    case MN_MOVUPS_ST: case MN_MOVAPS_ST: case MN_MOVDQA_ST: case MN_MOVDQU_ST:
    case MN_MOVNTDQ: case MN_MOVNTPS:
        if (d->type == OT_XMM) {
            gen_xmm_copy(d->reg, src->reg);
        } else {
            gen_xmm_store(s, in, src->reg, MO_128, aligned);
        }
        break;
    case MN_MOVSS: case MN_MOVSD: {
        MemOp sz = in->mnem == MN_MOVSS ? MO_32 : MO_64;
        if (d->type == OT_MEM) {
            gen_xmm_store(s, in, src->reg, sz, false);
        } else if (src->type == OT_MEM) {
            int r = sse_src(s, in, 1, false);
            gen_xmm_copy(d->reg, r); /* load zeroes the upper part */
        } else if (sz == MO_32) {
            TCGv_i32 w = tmp32();
            tcg_gen_ld_i32(w, tcg_env(), xmm_off(src->reg));
            tcg_gen_st_i32(w, tcg_env(), xmm_off(d->reg));
        } else {
            tcg_gen_ld_i64(t, tcg_env(), xmm_off(src->reg));
            tcg_gen_st_i64(t, tcg_env(), xmm_off(d->reg));
        }
        break;
    }
    case MN_MOVD: case MN_MOVQ: {
        /* MOVD/MOVQ xmm, r/m (66 0F 6E) and MOVQ xmm, xmm/m64 (F3 0F 7E): zero-extend */
        if (src->type == OT_XMM) {
            tcg_gen_ld_i64(t, tcg_env(), xmm_off(src->reg));
        } else {
            gen_load(s, in, 1, t);
        }
        tcg_gen_st_i64(t, tcg_env(), xmm_off(d->reg));
        tcg_gen_st_i64(tcg_constant_i64(0), tcg_env(), xmm_off(d->reg) + 8);
        break;
    }
    case MN_MOVD_ST:
        tcg_gen_ld_i64(t, tcg_env(), xmm_off(src->reg));
        gen_store(s, in, 0, t);
        break;
    case MN_MOVQ_ST:
        if (d->type == OT_XMM) {
            tcg_gen_ld_i64(t, tcg_env(), xmm_off(src->reg));
            tcg_gen_st_i64(t, tcg_env(), xmm_off(d->reg));
            tcg_gen_st_i64(tcg_constant_i64(0), tcg_env(), xmm_off(d->reg) + 8);
        } else {
            gen_xmm_store(s, in, src->reg, MO_64, false);
        }
        break;
    case MN_MOVLPS: case MN_MOVLPD: case MN_MOVHPS: case MN_MOVHPD: {
        int half = (in->mnem == MN_MOVHPS || in->mnem == MN_MOVHPD) ? 8 : 0;
        tcg_gen_guest_ld_i64(t, s->A0, (unsigned)s->mem_idx, MO_64);
        tcg_gen_st_i64(t, tcg_env(), xmm_off(d->reg) + half);
        break;
    }
    case MN_MOVLPS_ST: case MN_MOVHPS_ST: {
        int half = in->mnem == MN_MOVHPS_ST ? 8 : 0;
        tcg_gen_ld_i64(t, tcg_env(), xmm_off(src->reg) + half);
        tcg_gen_guest_st_i64(t, s->A0, (unsigned)s->mem_idx, MO_64);
        note_store(s, s->A0);
        break;
    }
    default:
        gen_illegal(s);
    }
}

void trans_sse_logic(DisasContext *s, X86Insn *in)
{
    if (!sse_check(s)) {
        return;
    }
    int d = in->op[0].reg;
    int r = sse_src(s, in, 1, true);
    TCGv_i64 a = tmp64(), b = tmp64();
    for (int k = 0; k < 2; k++) {
        tcg_gen_ld_i64(a, tcg_env(), xmm_off(d) + 8 * k);
        tcg_gen_ld_i64(b, tcg_env(), xmm_off(r) + 8 * k);
        switch (in->mnem) {
        case MN_PXOR: case MN_XORPS: tcg_gen_xor_i64(a, a, b); break;
        case MN_POR: case MN_ORPS: tcg_gen_or_i64(a, a, b); break;
        case MN_PAND: case MN_ANDPS: tcg_gen_and_i64(a, a, b); break;
        default: tcg_gen_andc_i64(a, b, a); break; /* PANDN: ~d & s */
        }
        tcg_gen_st_i64(a, tcg_env(), xmm_off(d) + 8 * k);
    }
}

/* everything else: helper_sse_op(env, op, d, s) or with an immediate */
void trans_sse_helper(DisasContext *s, X86Insn *in)
{
    if (!sse_check(s)) {
        return;
    }
    switch (in->mnem) {
    case MN_PMOVMSKB:
    case MN_MOVMSKPS: {
        TCGv_i32 m = tmp32();
        TCGv_i64 v = tmp64();
        if (in->mnem == MN_PMOVMSKB) {
            gen_helper_pmovmskb(m, tcg_env(), tcg_constant_i32(in->op[1].reg));
        } else {
            gen_helper_movmskps(m, tcg_env(), tcg_constant_i32(in->op[1].reg));
        }
        tcg_gen_extu_i32_i64(v, m);
        gen_write_reg(in->op[0].reg, false, MO_64, v);
        return;
    }
    case MN_PSRLW: case MN_PSRLD: case MN_PSRLQ: case MN_PSLLW: case MN_PSLLD:
    case MN_PSLLQ: case MN_PSRAW: case MN_PSRAD: case MN_PSRLDQ: case MN_PSLLDQ:
        if (in->op[1].type == OT_IMM) {
            if (in->mand != 1 && !(in->prefixes & PFX_66)) {
                gen_illegal(s); /* MMX form */
                return;
            }
            gen_helper_sse_op_imm(tcg_env(), tcg_constant_i32(in->mnem),
                                  tcg_constant_i32(in->op[0].reg),
                                  tcg_constant_i32(in->op[0].reg),
                                  tcg_constant_i32((int32_t)(in->op[1].imm & 0xff)));
            return;
        }
        break;
    default:
        break;
    }
    bool aligned = in->mnem != MN_PSHUFB || true;
    int r = sse_src(s, in, 1, aligned);
    if (in->nops == 3) {
        gen_helper_sse_op_imm(tcg_env(), tcg_constant_i32(in->mnem),
                              tcg_constant_i32(in->op[0].reg), tcg_constant_i32(r),
                              tcg_constant_i32((int32_t)(in->op[2].imm & 0xff)));
    } else {
        gen_helper_sse_op(tcg_env(), tcg_constant_i32(in->mnem),
                          tcg_constant_i32(in->op[0].reg), tcg_constant_i32(r));
    }
}

/* SSE/SSE2 floating point: computed by the host's SSE unit (sse_helper.c) */
void trans_sse_fp(DisasContext *s, X86Insn *in)
{
    if (!sse_check(s)) {
        return;
    }
    int op = in->mnem;
    switch (op) {
    case MN_CVTSI2SS:
    case MN_CVTSI2SD: {
        TCGv_i64 v = load_op(s, in, 1);
        gen_update_rip(s, cur_eip(s));
        gen_helper_sse_cvtsi2s(tcg_env(), tcg_constant_i32(op), tcg_constant_i32(in->op[0].reg),
                               v, tcg_constant_i32(in->op[1].size == MO_64));
        return;
    }
    case MN_CVTTSS2SI: case MN_CVTTSD2SI: case MN_CVTSS2SI: case MN_CVTSD2SI: {
        int r = sse_src(s, in, 1, false);
        TCGv_i64 v = tmp64();
        gen_update_rip(s, cur_eip(s));
        gen_helper_sse_cvt2si(v, tcg_env(), tcg_constant_i32(op), tcg_constant_i32(r),
                              tcg_constant_i32(in->op[0].size == MO_64));
        gen_store(s, in, 0, v);
        return;
    }
    case MN_UCOMISS: case MN_UCOMISD: case MN_COMISS: case MN_COMISD: {
        int r = sse_src(s, in, 1, false);
        gen_update_rip(s, cur_eip(s));
        gen_helper_sse_comis(tcg_env(), tcg_constant_i32(op), tcg_constant_i32(in->op[0].reg),
                             tcg_constant_i32(r));
        s->cc_op = CC_OP_EFLAGS;
        return;
    }
    case MN_MOVMSKPD: {
        TCGv_i64 lo = tmp64(), hi = tmp64();
        tcg_gen_ld_i64(lo, tcg_env(), xmm_off(in->op[1].reg));
        tcg_gen_ld_i64(hi, tcg_env(), xmm_off(in->op[1].reg) + 8);
        tcg_gen_shri_i64(lo, lo, 63);
        tcg_gen_shri_i64(hi, hi, 63);
        tcg_gen_shli_i64(hi, hi, 1);
        tcg_gen_or_i64(lo, lo, hi);
        gen_write_reg(in->op[0].reg, false, MO_64, lo);
        return;
    }
    default: {
        bool packed = in->op[1].size == MO_128;
        int r = sse_src(s, in, 1, packed);
        int imm = in->nops == 3 ? (int)(in->op[2].imm & 0xff) : 0;
        gen_update_rip(s, cur_eip(s));
        gen_helper_sse_fp(tcg_env(), tcg_constant_i32(op), tcg_constant_i32(in->op[0].reg),
                          tcg_constant_i32(r), tcg_constant_i32(imm));
        return;
    }
    }
}

void trans_mxcsr(DisasContext *s, X86Insn *in)
{
    if (!sse_check(s)) {
        return;
    }
    TCGv_i64 v = tmp64();
    if (in->mnem == MN_STMXCSR) {
        tcg_gen_ld32u_i64(v, tcg_env(), ENV_OFF(mxcsr));
        gen_store(s, in, 0, v);
    } else {
        TCGv_i32 w = tmp32();
        gen_load(s, in, 0, v);
        tcg_gen_extrl_i64_i32(w, v);
        gen_update_rip(s, cur_eip(s));
        gen_helper_ldmxcsr(tcg_env(), w);
    }
}

void trans_fxsave(DisasContext *s, X86Insn *in)
{
    if (s->flags & HF_EM) {
        gen_exception(s, EXCP06_UD);
        return;
    }
    gen_update_rip(s, cur_eip(s));
    gen_helper_fxsave(tcg_env(), s->A0,
                      tcg_constant_i32((in->mnem == MN_FXRSTOR) | ((in->rex & 8) ? 2 : 0)));
    note_store(s, s->A0);
}
