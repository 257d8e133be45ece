/*
 * translate-sse.c — x87, MMX and SSE..SSE4.2 (plus PCLMULQDQ and AES)
 * instructions to TCG IR (the rest of the x86 translator is translate.c;
 * BMI, MOVBE, CRC32, ADX in translate-bmi.c; shared emitters in
 * translate.h).
 *
 * MMX: every MMX instruction is a helper call (sse_helper.c), because the
 * MMX registers alias the x87 registers in an FNSAVE image whose layout
 * depends on TOP at run time; the helper performs the x87->MMX transition
 * (TOP = 0, tags valid) first. A memory operand is loaded into xmm_t0 and
 * named as MMX register 8. CR0.EM: #UD, CR0.TS: #NM (SDM Vol.3 §2.5).
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
    if (in->e->flags & X86F_MMX) {
        trans_mmx(s, in);
        return;
    }
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
        if (src->type == OT_XMM) {
            /* MOVHLPS (0F 12 /r, mod 3): low <- source high; MOVLHPS (0F 16): high <- low */
            tcg_gen_ld_i64(t, tcg_env(), xmm_off(src->reg) + (half ? 0 : 8));
        } else {
            tcg_gen_guest_ld_i64(t, s->A0, (unsigned)s->mem_idx, MO_64);
        }
        tcg_gen_st_i64(t, tcg_env(), xmm_off(d->reg) + half);
        break;
    }
    case MN_LDDQU: case MN_MOVNTDQA: {
        int r = sse_src(s, in, 1, in->mnem == MN_MOVNTDQA);
        gen_xmm_copy(d->reg, r);
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
    if (in->e->flags & X86F_MMX) {
        trans_mmx(s, in);
        return;
    }
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
/*
 * The SSE2 integer operations glibc's string and memory functions live on,
 * inline on the two 64-bit halves (SWAR: h is the top bit of every lane, so
 * no carry or borrow crosses a lane): PADD/PSUB B/W/D/Q, PCMPEQB/W/D,
 * PMINUB/PMAXUB. The rest go to helper_sse_op. d, r: XMM indices (r = 16: the loaded operand).
 */
static bool gen_sse_int_inline(int op, int d, int r)
{
    uint64_t h;
    int bits;
    switch (op) {
    case MN_PADDB: case MN_PSUBB: case MN_PCMPEQB: h = 0x8080808080808080ull; bits = 8; break;
    case MN_PADDW: case MN_PSUBW: case MN_PCMPEQW: h = 0x8000800080008000ull; bits = 16; break;
    case MN_PADDD: case MN_PSUBD: case MN_PCMPEQD: h = 0x8000000080000000ull; bits = 32; break;
    case MN_PADDQ: case MN_PSUBQ: h = 0; bits = 64; break;
    case MN_PMINUB: case MN_PMAXUB: h = 0x8080808080808080ull; bits = 8; break;
    default: return false;
    }
    TCGv_i64 a = tmp64(), b = tmp64(), t = tmp64();
    for (int k = 0; k < 2; k++) {
        tcg_gen_ld_i64(a, tcg_env(), xmm_off(d) + 8 * k);
        tcg_gen_ld_i64(b, tcg_env(), xmm_off(r) + 8 * k);
        switch (op) {
        case MN_PADDQ:
            tcg_gen_add_i64(a, a, b);
            break;
        case MN_PSUBQ:
            tcg_gen_sub_i64(a, a, b);
            break;
        case MN_PADDB: case MN_PADDW: case MN_PADDD:
            /* ((a & ~h) + (b & ~h)) ^ ((a ^ b) & h) */
            tcg_gen_xor_i64(t, a, b);
            tcg_gen_andi_i64(t, t, (int64_t)h);
            tcg_gen_andi_i64(a, a, (int64_t)~h);
            tcg_gen_andi_i64(b, b, (int64_t)~h);
            tcg_gen_add_i64(a, a, b);
            tcg_gen_xor_i64(a, a, t);
            break;
        case MN_PMINUB: case MN_PMAXUB: {
            /* the borrow out of each byte of a - b is (~a & b) | (~(a ^ b) & (a - b)) at
             * the byte's top bit: a < b; spread to a byte mask m, min = b ^ ((a ^ b) & m) */
            TCGv_i64 dd = tmp64(), x = tmp64();
            tcg_gen_eqv_i64(t, a, b);
            tcg_gen_andi_i64(t, t, (int64_t)h);
            tcg_gen_ori_i64(dd, a, (int64_t)h);
            tcg_gen_andi_i64(x, b, (int64_t)~h);
            tcg_gen_sub_i64(dd, dd, x);
            tcg_gen_xor_i64(dd, dd, t);             /* dd = a - b per byte */
            tcg_gen_eqv_i64(t, a, b);               /* ~(a ^ b) */
            tcg_gen_and_i64(t, t, dd);
            tcg_gen_andc_i64(x, b, a);              /* ~a & b */
            tcg_gen_or_i64(t, t, x);
            tcg_gen_andi_i64(t, t, (int64_t)h);
            tcg_gen_shri_i64(t, t, 7);
            tcg_gen_muli_i64(t, t, 0xff);           /* m: 0xff where a < b */
            tcg_gen_xor_i64(x, a, b);
            if (op == MN_PMINUB) {
                tcg_gen_and_i64(x, x, t);
                tcg_gen_xor_i64(a, b, x);
            } else {
                tcg_gen_andc_i64(x, x, t);
                tcg_gen_xor_i64(a, b, x);
            }
            break;
        }
        case MN_PSUBB: case MN_PSUBW: case MN_PSUBD:
            /* ((a | h) - (b & ~h)) ^ ((a ^ ~b) & h) */
            tcg_gen_eqv_i64(t, a, b);
            tcg_gen_andi_i64(t, t, (int64_t)h);
            tcg_gen_ori_i64(a, a, (int64_t)h);
            tcg_gen_andi_i64(b, b, (int64_t)~h);
            tcg_gen_sub_i64(a, a, b);
            tcg_gen_xor_i64(a, a, t);
            break;
        default:
            /* a lane of x = a ^ b is zero iff the top bit of ~(((x & ~h) + ~h) | x) is
             * set; that bit, moved to the lane's bit 0, times 2^bits - 1 fills the lane */
            tcg_gen_xor_i64(a, a, b);
            tcg_gen_andi_i64(t, a, (int64_t)~h);
            tcg_gen_addi_i64(t, t, (int64_t)~h);
            tcg_gen_or_i64(t, t, a);
            tcg_gen_andc_i64(t, tcg_constant_i64((int64_t)h), t);
            tcg_gen_shri_i64(t, t, bits - 1);
            tcg_gen_muli_i64(a, t, (int64_t)((bits == 32 ? 0xffffffffull : (1ull << bits) - 1)));
            break;
        }
        tcg_gen_st_i64(a, tcg_env(), xmm_off(d) + 8 * k);
    }
    return true;
}

/* PMOVMSKB inline: per half, the byte sign bits moved to bit 0 of each byte
 * and gathered into the top byte by one multiply (no two partial products
 * share a bit position, so nothing carries) */
static void gen_pmovmskb_inline(TCGv_i64 res, int r)
{
    TCGv_i64 v = tmp64();
    for (int k = 1; k >= 0; k--) {
        tcg_gen_ld_i64(v, tcg_env(), xmm_off(r) + 8 * k);
        tcg_gen_shri_i64(v, v, 7);
        tcg_gen_andi_i64(v, v, 0x0101010101010101ll);
        tcg_gen_muli_i64(v, v, 0x0102040810204080ll);
        tcg_gen_shri_i64(v, v, 56);
        if (k) {
            tcg_gen_shli_i64(res, v, 8);
        } else {
            tcg_gen_or_i64(res, res, v);
        }
    }
}

void trans_sse_helper(DisasContext *s, X86Insn *in)
{
    if (in->e->flags & X86F_MMX) {
        trans_mmx(s, in);
        return;
    }
    if (in->op[1].type == OT_IMM && in->mand != 1 && !(in->prefixes & PFX_66)) {
        trans_mmx_shift_imm(s, in); /* 0F 71..73 without 66: the MMX form */
        return;
    }
    if (!sse_check(s)) {
        return;
    }
    switch (in->mnem) {
    case MN_PMOVMSKB:
    case MN_MOVMSKPS: {
        TCGv_i32 m = tmp32();
        TCGv_i64 v = tmp64();
        if (in->mnem == MN_PMOVMSKB) {
            gen_pmovmskb_inline(v, in->op[1].reg);
        } else {
            gen_helper_movmskps(m, tcg_env(), tcg_constant_i32(in->op[1].reg));
            tcg_gen_extu_i32_i64(v, m);
        }
        gen_write_reg(in->op[0].reg, false, MO_64, v);
        return;
    }
    case MN_PSRLW: case MN_PSRLD: case MN_PSRLQ: case MN_PSLLW: case MN_PSLLD:
    case MN_PSLLQ: case MN_PSRAW: case MN_PSRAD: case MN_PSRLDQ: case MN_PSLLDQ:
        if (in->op[1].type == OT_IMM) {
            if (in->rep) {
                gen_illegal(s);
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
    /* legacy SSE: a 128-bit memory operand must be 16-byte aligned */
    int r = sse_src(s, in, 1, true);
    if (in->nops == 3) {
        int imm = (int)(in->op[2].imm & 0xff);
        if (in->mnem == MN_INSERTPS && in->op[1].type == OT_MEM) {
            imm &= 0x3f; /* the loaded dword is element 0 */
        }
        gen_helper_sse_op_imm(tcg_env(), tcg_constant_i32(in->mnem),
                              tcg_constant_i32(in->op[0].reg), tcg_constant_i32(r),
                              tcg_constant_i32(imm));
    } else if (!gen_sse_int_inline(in->mnem, in->op[0].reg, r)) {
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

/* ----------------------------------------------------------------- MMX */

static bool mmx_check(DisasContext *s)
{
    if (s->flags & HF_EM) {
        gen_exception(s, EXCP06_UD);
        return false;
    }
    if (s->flags & HF_TS) {
        gen_exception(s, EXCP07_NM);
        return false;
    }
    return true;
}

/* operand n as an MMX index; a memory operand is loaded into xmm_t0 (8) */
static int mmx_src(DisasContext *s, X86Insn *in, int n)
{
    X86Operand *o = &in->op[n];
    if (o->type == OT_MMX) {
        return o->reg;
    }
    TCGv_i64 v = tmp64();
    tcg_gen_guest_ld_i64(v, s->A0, (unsigned)s->mem_idx, (MemOp)o->size);
    tcg_gen_st_i64(v, tcg_env(), ENV_OFF(xmm_t0.q[0]));
    return 8;
}

static TCGv_i64 gen_mmx_read(int op, int reg, int imm)
{
    TCGv_i64 v = tmp64();
    gen_helper_mmx_read(v, tcg_env(), tcg_constant_i32(op), tcg_constant_i32(reg),
                        tcg_constant_i32(imm));
    return v;
}

/* MASKMOVQ / MASKMOVDQU: byte stores to DS:rDI (a segment override applies) */
static void trans_maskmov(DisasContext *s, X86Insn *in)
{
    bool mmx = in->e->flags & X86F_MMX;
    if (mmx ? !mmx_check(s) : !sse_check(s)) {
        return;
    }
    uint32_t desc = (mmx ? 8u : 16u) | ((uint32_t)(in->seg & 0xf) << 8) |
                    ((uint32_t)in->addrsize << 12);
    gen_update_rip(s, cur_eip(s));
    gen_helper_maskmov(tcg_env(), tcg_constant_i32(in->op[0].reg),
                       tcg_constant_i32(in->op[1].reg), tcg_constant_i32((int32_t)desc));
}

/* the conversions between MMX integers and XMM floating point (SSE/SSE2) */
static void trans_cvt_mmx(DisasContext *s, X86Insn *in)
{
    if (!sse_check(s)) {
        return;
    }
    int d = in->op[0].reg, r;
    if (in->mnem == MN_CVTPI2PS || in->mnem == MN_CVTPI2PD) {
        r = mmx_src(s, in, 1);
    } else {
        r = sse_src(s, in, 1, in->op[1].size == MO_128);
    }
    gen_update_rip(s, cur_eip(s));
    gen_helper_sse_cvt_mmx(tcg_env(), tcg_constant_i32(in->mnem), tcg_constant_i32(d),
                           tcg_constant_i32(r));
}

/* the MMX forms of PSRLW/PSRAW/PSLLW (0F 71), D (0F 72), Q (0F 73) by an immediate */
void trans_mmx_shift_imm(DisasContext *s, X86Insn *in)
{
    if (in->rep || in->mnem == MN_PSRLDQ || in->mnem == MN_PSLLDQ) {
        gen_illegal(s);
        return;
    }
    if (!mmx_check(s)) {
        return;
    }
    int reg = in->modrm & 7;
    gen_update_rip(s, cur_eip(s));
    gen_helper_mmx_op(tcg_env(), tcg_constant_i32(in->mnem), tcg_constant_i32(reg),
                      tcg_constant_i32(reg),
                      tcg_constant_i32((int32_t)(0x100 | (in->op[1].imm & 0xff))));
}

/* every instruction with an MMX operand (X86F_MMX entries) */
void trans_mmx(DisasContext *s, X86Insn *in)
{
    X86Operand *d = &in->op[0];
    switch (in->mnem) {
    case MN_CVTPI2PS: case MN_CVTPI2PD: case MN_CVTPS2PI: case MN_CVTTPS2PI:
    case MN_CVTPD2PI: case MN_CVTTPD2PI:
        trans_cvt_mmx(s, in);
        return;
    case MN_MASKMOVQ:
        trans_maskmov(s, in);
        return;
    case MN_MOVQ2DQ: case MN_MOVDQ2Q:
        if (!sse_check(s)) {
            return;
        }
        break;
    default:
        if (!mmx_check(s)) {
            return;
        }
        break;
    }
    gen_update_rip(s, cur_eip(s)); /* the helpers may raise #MF */
    switch (in->mnem) {
    case MN_EMMS:
        gen_helper_emms(tcg_env());
        return;
    case MN_MOVD: /* MOVD/MOVQ mm, r/m32/64: zero-extended */
        gen_helper_mmx_write(tcg_env(), tcg_constant_i32(d->reg), load_op(s, in, 1));
        return;
    case MN_MOVQ:
        if (in->op[1].type == OT_MMX) {
            gen_helper_mmx_op(tcg_env(), tcg_constant_i32(MN_MOVQ), tcg_constant_i32(d->reg),
                              tcg_constant_i32(in->op[1].reg), tcg_constant_i32(0));
        } else {
            gen_helper_mmx_write(tcg_env(), tcg_constant_i32(d->reg), load_op(s, in, 1));
        }
        return;
    case MN_MOVD_ST:
        gen_store(s, in, 0, gen_mmx_read(MN_MOVD_ST, in->op[1].reg, 0));
        return;
    case MN_MOVQ_ST: case MN_MOVNTQ:
        if (d->type == OT_MMX) {
            gen_helper_mmx_op(tcg_env(), tcg_constant_i32(MN_MOVQ), tcg_constant_i32(d->reg),
                              tcg_constant_i32(in->op[1].reg), tcg_constant_i32(0));
        } else {
            TCGv_i64 v = gen_mmx_read(MN_MOVQ_ST, in->op[1].reg, 0);
            tcg_gen_guest_st_i64(v, s->A0, (unsigned)s->mem_idx, MO_64);
            note_store(s, s->A0);
        }
        return;
    case MN_MOVQ2DQ: {
        TCGv_i64 v = gen_mmx_read(MN_MOVQ_ST, in->op[1].reg, 0);
        tcg_gen_st_i64(v, tcg_env(), xmm_off(d->reg));
        tcg_gen_st_i64(tcg_constant_i64(0), tcg_env(), xmm_off(d->reg) + 8);
        return;
    }
    case MN_MOVDQ2Q: {
        TCGv_i64 v = tmp64();
        tcg_gen_ld_i64(v, tcg_env(), xmm_off(in->op[1].reg));
        gen_helper_mmx_write(tcg_env(), tcg_constant_i32(d->reg), v);
        return;
    }
    case MN_PMOVMSKB: case MN_PEXTRW: {
        int imm = in->nops == 3 ? (int)(in->op[2].imm & 0xff) : 0;
        gen_write_reg(d->reg, false, MO_64, gen_mmx_read(in->mnem, in->op[1].reg, imm));
        return;
    }
    case MN_PINSRW: {
        TCGv_i64 v = load_op(s, in, 1);
        tcg_gen_st_i64(v, tcg_env(), ENV_OFF(xmm_t0.q[0]));
        gen_helper_mmx_op(tcg_env(), tcg_constant_i32(MN_PINSRW), tcg_constant_i32(d->reg),
                          tcg_constant_i32(8), tcg_constant_i32((int32_t)(in->op[2].imm & 3)));
        return;
    }
    default: {
        /* d = op(d, s[, imm8]) */
        int r = mmx_src(s, in, 1);
        int imm = in->nops == 3 ? (int)(in->op[2].imm & 0xff) : 0;
        gen_helper_mmx_op(tcg_env(), tcg_constant_i32(in->mnem), tcg_constant_i32(d->reg),
                          tcg_constant_i32(r), tcg_constant_i32(imm));
        return;
    }
    }
}

/* --------------------------------------------- SSE2..SSE4.2 special forms */

/* the register operand of PEXTRB/PINSRB is r32/r64 even without REX (no AH..BH) */
static int gpr_of_rm(X86Insn *in)
{
    return in->rm;
}

/* PEXTRB/W/D/Q, EXTRACTPS (to r/m), PINSRB/W/D/Q (from r/m): inline loads/stores
 * of one element of the XMM register; the index is imm8 modulo the element count */
static void trans_sse_insext(DisasContext *s, X86Insn *in)
{
    if (in->e->flags & X86F_MMX) {
        trans_mmx(s, in);
        return;
    }
    if (!sse_check(s)) {
        return;
    }
    int imm = (int)(in->op[2].imm & 0xff);
    TCGv_i64 v = tmp64();
    MemOp sz;
    switch (in->mnem) {
    case MN_PEXTRB: case MN_PINSRB: sz = MO_8; break;
    case MN_PEXTRW: case MN_PINSRW: sz = MO_16; break;
    case MN_EXTRACTPS: sz = MO_32; break;
    default: sz = (in->rex & 8) && s->mode == X86_MODE64 ? MO_64 : MO_32; break;
    }
    int idx = imm & ((16 >> sz) - 1);
    switch (in->mnem) {
    case MN_PEXTRB: case MN_PEXTRW: case MN_PEXTRD: case MN_EXTRACTPS: {
        int x = in->op[1].reg;
        tcg_gen_ld_i64(v, tcg_env(), xmm_off(x) + (idx << sz));
        if (sz < MO_64) {
            tcg_gen_extract_i64(v, v, 0, 8u << sz);
        }
        if (in->op[0].type == OT_MEM) {
            tcg_gen_guest_st_i64(v, s->A0, (unsigned)s->mem_idx, sz);
            note_store(s, s->A0);
        } else {
            int r = in->map == X86_MAP_0F ? in->op[0].reg : gpr_of_rm(in);
            gen_write_reg(r, false, sz == MO_64 ? MO_64 : MO_32, v);
        }
        return;
    }
    default: { /* inserts */
        if (in->op[1].type == OT_MEM) {
            tcg_gen_guest_ld_i64(v, s->A0, (unsigned)s->mem_idx, sz);
        } else {
            gen_read_reg(v, gpr_of_rm(in), false, sz);
        }
        intptr_t off = xmm_off(in->op[0].reg) + (idx << sz);
        switch (sz) {
        case MO_8: tcg_gen_st8_i64(v, tcg_env(), off); break;
        case MO_16: tcg_gen_st16_i64(v, tcg_env(), off); break;
        case MO_32: tcg_gen_st32_i64(v, tcg_env(), off); break;
        default: tcg_gen_st_i64(v, tcg_env(), off); break;
        }
        return;
    }
    }
}

/* PTEST and the SSE4.2 string compares: flags (and ECX or XMM0) from a helper */
static void trans_sse_flags(DisasContext *s, X86Insn *in)
{
    if (!sse_check(s)) {
        return;
    }
    bool str = in->mnem != MN_PTEST;
    int r = sse_src(s, in, 1, !str); /* PCMPxSTRx: no alignment requirement */
    if (str) {
        uint32_t desc = (uint32_t)(in->op[2].imm & 0xff) |
                        (((in->rex & 8) && s->mode == X86_MODE64) ? 0x100u : 0);
        gen_helper_pcmpstr(tcg_env(), tcg_constant_i32(in->mnem),
                           tcg_constant_i32(in->op[0].reg), tcg_constant_i32(r),
                           tcg_constant_i32((int32_t)desc));
    } else {
        gen_helper_ptest(tcg_env(), tcg_constant_i32(in->op[0].reg), tcg_constant_i32(r));
    }
    s->cc_op = CC_OP_EFLAGS;
}

/* ------------------------------------------- the mnemonics translate.c lacks */

static TransFn *const vec_table[MN_NB] = {
    [MN_EMMS] = trans_mmx, [MN_PSHUFW] = trans_mmx, [MN_MOVNTQ] = trans_mmx,
    [MN_MOVQ2DQ] = trans_mmx, [MN_MOVDQ2Q] = trans_mmx, [MN_MASKMOVQ] = trans_mmx,
    [MN_CVTPI2PS] = trans_mmx, [MN_CVTPS2PI] = trans_mmx, [MN_CVTTPS2PI] = trans_mmx,
    [MN_CVTPI2PD] = trans_mmx, [MN_CVTPD2PI] = trans_mmx, [MN_CVTTPD2PI] = trans_mmx,
#define H(mn) [MN_##mn] = trans_sse_helper
    H(PADDSB), H(PADDSW), H(PSUBSB), H(PSUBSW), H(PMULLW), H(PMULHW), H(PMULHUW),
    H(PMADDWD), H(PACKSSWB), H(PACKSSDW), H(PACKUSWB), H(PAVGB), H(PAVGW), H(PMINSW),
    H(PMAXSW), H(PSADBW), H(PMULUDQ), H(PSHUFB),
    H(PHADDW), H(PHADDD), H(PHADDSW), H(PMADDUBSW), H(PHSUBW), H(PHSUBD), H(PHSUBSW),
    H(PSIGNB), H(PSIGNW), H(PSIGND), H(PMULHRSW), H(PABSB), H(PABSW), H(PABSD), H(PALIGNR),
    H(MOVSLDUP), H(MOVSHDUP), H(MOVDDUP),
    H(PBLENDVB), H(BLENDVPS), H(BLENDVPD), H(PMOVSXBW), H(PMOVSXBD), H(PMOVSXBQ),
    H(PMOVSXWD), H(PMOVSXWQ), H(PMOVSXDQ), H(PMOVZXBW), H(PMOVZXBD), H(PMOVZXBQ),
    H(PMOVZXWD), H(PMOVZXWQ), H(PMOVZXDQ), H(PMULDQ), H(PCMPEQQ), H(PACKUSDW), H(PCMPGTQ),
    H(PMINSB), H(PMINSD), H(PMINUW), H(PMINUD), H(PMAXSB), H(PMAXSD), H(PMAXUW), H(PMAXUD),
    H(PMULLD), H(PHMINPOSUW), H(BLENDPS), H(BLENDPD), H(PBLENDW), H(INSERTPS), H(MPSADBW),
    H(PCLMULQDQ), H(AESENC), H(AESENCLAST), H(AESDEC), H(AESDECLAST), H(AESIMC),
    H(AESKEYGENASSIST),
#undef H
#define F(mn) [MN_##mn] = trans_sse_fp
    F(RCPPS), F(RCPSS), F(RSQRTPS), F(RSQRTSS), F(ADDSUBPS), F(ADDSUBPD), F(HADDPS),
    F(HADDPD), F(HSUBPS), F(HSUBPD), F(ROUNDPS), F(ROUNDPD), F(ROUNDSS), F(ROUNDSD),
    F(DPPS), F(DPPD),
#undef F
    [MN_PINSRW] = trans_sse_insext, [MN_PEXTRW] = trans_sse_insext,
    [MN_PEXTRB] = trans_sse_insext, [MN_PEXTRD] = trans_sse_insext,
    [MN_EXTRACTPS] = trans_sse_insext, [MN_PINSRB] = trans_sse_insext,
    [MN_PINSRD] = trans_sse_insext,
    [MN_PTEST] = trans_sse_flags, [MN_PCMPESTRM] = trans_sse_flags,
    [MN_PCMPESTRI] = trans_sse_flags, [MN_PCMPISTRM] = trans_sse_flags,
    [MN_PCMPISTRI] = trans_sse_flags,
    [MN_LDDQU] = trans_sse_mov, [MN_MOVNTDQA] = trans_sse_mov,
    [MN_MOVBE] = trans_MOVBE, [MN_CRC32] = trans_CRC32, [MN_ADCX] = trans_ADX,
    [MN_ADOX] = trans_ADX, [MN_ANDN] = trans_bmi, [MN_BEXTR] = trans_bmi,
    [MN_BLSI] = trans_bmi, [MN_BLSMSK] = trans_bmi, [MN_BLSR] = trans_bmi,
    [MN_BZHI] = trans_bmi, [MN_MULX] = trans_bmi, [MN_PDEP] = trans_bmi,
    [MN_PEXT] = trans_bmi, [MN_RORX] = trans_bmi, [MN_SARX] = trans_bmi,
    [MN_SHLX] = trans_bmi, [MN_SHRX] = trans_bmi,
};

TransFn *trans_vec_lookup(X86Insn *in)
{
    return in->mnem < MN_NB ? vec_table[in->mnem] : NULL;
}

/*
 * CPUID gate of every instruction this file and translate-bmi.c add: an
 * instruction whose feature the model does not report is #UD, so CPUID and
 * behaviour agree (SDM Vol.2 CPUID, Table 3-10 / 3-11 and leaf 7).
 */
bool vec_feature_ok(CPUX86State *env, X86Insn *in)
{
    uint32_t c1 = env->cpuid_features_ecx, b7 = env->cpuid_7_ebx;
    switch (in->mnem) {
    case MN_ADDSUBPS: case MN_ADDSUBPD: case MN_HADDPS: case MN_HADDPD: case MN_HSUBPS:
    case MN_HSUBPD: case MN_MOVSLDUP: case MN_MOVSHDUP: case MN_MOVDDUP: case MN_LDDQU:
        return c1 & CPUID_EXT_SSE3;
    case MN_PSHUFB: case MN_PHADDW: case MN_PHADDD: case MN_PHADDSW: case MN_PMADDUBSW:
    case MN_PHSUBW: case MN_PHSUBD: case MN_PHSUBSW: case MN_PSIGNB: case MN_PSIGNW:
    case MN_PSIGND: case MN_PMULHRSW: case MN_PABSB: case MN_PABSW: case MN_PABSD:
    case MN_PALIGNR:
        return c1 & CPUID_EXT_SSSE3;
    case MN_PBLENDVB: case MN_BLENDVPS: case MN_BLENDVPD: case MN_PTEST: case MN_PMOVSXBW:
    case MN_PMOVSXBD: case MN_PMOVSXBQ: case MN_PMOVSXWD: case MN_PMOVSXWQ: case MN_PMOVSXDQ:
    case MN_PMOVZXBW: case MN_PMOVZXBD: case MN_PMOVZXBQ: case MN_PMOVZXWD: case MN_PMOVZXWQ:
    case MN_PMOVZXDQ: case MN_PMULDQ: case MN_PCMPEQQ: case MN_MOVNTDQA: case MN_PACKUSDW:
    case MN_PMINSB: case MN_PMINSD: case MN_PMINUW: case MN_PMINUD: case MN_PMAXSB:
    case MN_PMAXSD: case MN_PMAXUW: case MN_PMAXUD: case MN_PMULLD: case MN_PHMINPOSUW:
    case MN_ROUNDPS: case MN_ROUNDPD: case MN_ROUNDSS: case MN_ROUNDSD: case MN_BLENDPS:
    case MN_BLENDPD: case MN_PBLENDW: case MN_PEXTRB: case MN_PEXTRD: case MN_EXTRACTPS:
    case MN_PINSRB: case MN_INSERTPS: case MN_PINSRD: case MN_DPPS: case MN_DPPD:
    case MN_MPSADBW:
        return c1 & CPUID_EXT_SSE41;
    case MN_PEXTRW:
        return in->map == X86_MAP_0F || (c1 & CPUID_EXT_SSE41); /* 0F 3A 15: SSE4.1 */
    case MN_PCMPGTQ: case MN_PCMPESTRM: case MN_PCMPESTRI: case MN_PCMPISTRM:
    case MN_PCMPISTRI: case MN_CRC32:
        return c1 & CPUID_EXT_SSE42;
    case MN_PCLMULQDQ:
        return c1 & CPUID_EXT_PCLMULQDQ;
    case MN_AESENC: case MN_AESENCLAST: case MN_AESDEC: case MN_AESDECLAST: case MN_AESIMC:
    case MN_AESKEYGENASSIST:
        return c1 & CPUID_EXT_AES;
    case MN_MOVBE:
        return c1 & CPUID_EXT_MOVBE;
    case MN_ANDN: case MN_BEXTR: case MN_BLSI: case MN_BLSMSK: case MN_BLSR:
        return b7 & CPUID_7_BMI1;
    case MN_BZHI: case MN_MULX: case MN_PDEP: case MN_PEXT: case MN_RORX: case MN_SARX:
    case MN_SHLX: case MN_SHRX:
        return b7 & CPUID_7_BMI2;
    case MN_ADCX: case MN_ADOX:
        return b7 & CPUID_7_ADX;
    default:
        return true;
    }
}
