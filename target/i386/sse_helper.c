/*
 * sse_helper.c — SSE2 integer operations on the XMM file (SDM Vol.2,
 * instruction pages of each mnemonic). Operands are XMM indices; index 16
 * is env->xmm_t0, where the translator has loaded a memory operand.
 * The destination is read in full before it is written, so d == s works.
 *
 * Floating point runs on the host's own SSE unit: the host is x86-64, so
 * each guest FP instruction is executed as the same host instruction on
 * copies of the operands, with the guest's MXCSR (rounding, DAZ, FTZ)
 * loaded and every exception masked; the exception flags raised are ORed
 * into the guest MXCSR, and a flag the guest has unmasked raises #XM
 * (CR4.OSXMMEXCPT) or #UD before the destination is written (SDM Vol.1
 * §11.5). This gives bit-exact results, NaN propagation included.
 * Known limit: with OM or UM unmasked, the flags of the trapping instruction
 * come from the masked computation (an exact tiny result does not set UE;
 * PE is not recomputed for the scaled result).
 */
#include <string.h>

#include "target/i386/cpu.h"
#include "exec/cputlb.h"
#include "target/i386/decode.h"

#define HELPER_H "target/i386/helper.h"
#include "exec/helper-proto.h"

static XMMReg *xmm(CPUX86State *env, uint32_t r)
{
    return r == 16 ? &env->xmm_t0 : &env->xmm[r & 15];
}

static uint8_t sat_ub(int v)
{
    return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

static uint16_t sat_uw(int v)
{
    return v < 0 ? 0 : v > 65535 ? 65535 : (uint16_t)v;
}

static void shift_words(XMMReg *r, int width, int kind, uint64_t count)
{
    /* kind 0: logical right, 1: left, 2: arithmetic right */
    int lanes = 16 / width, bits = width * 8;
    for (int i = 0; i < lanes; i++) {
        uint64_t v;
        int64_t sv;
        switch (width) {
        case 2: v = r->w[i]; sv = r->sw[i]; break;
        case 4: v = r->l[i]; sv = r->sl[i]; break;
        default: v = r->q[i]; sv = r->sq[i]; break;
        }
        uint64_t res;
        if (kind == 2) {
            res = (uint64_t)(sv >> (count >= (uint64_t)bits ? bits - 1 : (int)count));
        } else if (count >= (uint64_t)bits) {
            res = 0;
        } else {
            res = kind == 0 ? v >> count : v << count;
        }
        switch (width) {
        case 2: r->w[i] = (uint16_t)res; break;
        case 4: r->l[i] = (uint32_t)res; break;
        default: r->q[i] = res; break;
        }
    }
}

static void byte_shift(XMMReg *r, int n, bool left)
{
    XMMReg t = {{0}};
    if (n > 16) {
        n = 16;
    }
    for (int i = 0; i < 16; i++) {
        int src = left ? i - n : i + n;
        t.b[i] = (src >= 0 && src < 16) ? r->b[src] : 0;
    }
    *r = t;
}

void helper_sse_op(CPUState *cs, uint32_t op, uint32_t d, uint32_t s)
{
    CPUX86State *env = cpu_env(cs);
    XMMReg a = *xmm(env, d), b = *xmm(env, s), r = a;
    switch (op) {
    case MN_PCMPEQB: for (int i = 0; i < 16; i++) r.b[i] = a.b[i] == b.b[i] ? 0xff : 0; break;
    case MN_PCMPEQW: for (int i = 0; i < 8; i++) r.w[i] = a.w[i] == b.w[i] ? 0xffff : 0; break;
    case MN_PCMPEQD: for (int i = 0; i < 4; i++) r.l[i] = a.l[i] == b.l[i] ? ~0u : 0; break;
    case MN_PCMPGTB: for (int i = 0; i < 16; i++) r.b[i] = a.sb[i] > b.sb[i] ? 0xff : 0; break;
    case MN_PCMPGTW: for (int i = 0; i < 8; i++) r.w[i] = a.sw[i] > b.sw[i] ? 0xffff : 0; break;
    case MN_PCMPGTD: for (int i = 0; i < 4; i++) r.l[i] = a.sl[i] > b.sl[i] ? ~0u : 0; break;
    case MN_PMINUB: for (int i = 0; i < 16; i++) r.b[i] = a.b[i] < b.b[i] ? a.b[i] : b.b[i]; break;
    case MN_PMAXUB: for (int i = 0; i < 16; i++) r.b[i] = a.b[i] > b.b[i] ? a.b[i] : b.b[i]; break;
    case MN_PSUBB: for (int i = 0; i < 16; i++) r.b[i] = (uint8_t)(a.b[i] - b.b[i]); break;
    case MN_PSUBW: for (int i = 0; i < 8; i++) r.w[i] = (uint16_t)(a.w[i] - b.w[i]); break;
    case MN_PSUBD: for (int i = 0; i < 4; i++) r.l[i] = a.l[i] - b.l[i]; break;
    case MN_PSUBQ: for (int i = 0; i < 2; i++) r.q[i] = a.q[i] - b.q[i]; break;
    case MN_PADDB: for (int i = 0; i < 16; i++) r.b[i] = (uint8_t)(a.b[i] + b.b[i]); break;
    case MN_PADDW: for (int i = 0; i < 8; i++) r.w[i] = (uint16_t)(a.w[i] + b.w[i]); break;
    case MN_PADDD: for (int i = 0; i < 4; i++) r.l[i] = a.l[i] + b.l[i]; break;
    case MN_PADDQ: for (int i = 0; i < 2; i++) r.q[i] = a.q[i] + b.q[i]; break;
    case MN_PSUBUSB: for (int i = 0; i < 16; i++) r.b[i] = sat_ub(a.b[i] - b.b[i]); break;
    case MN_PSUBUSW: for (int i = 0; i < 8; i++) r.w[i] = sat_uw(a.w[i] - b.w[i]); break;
    case MN_PADDUSB: for (int i = 0; i < 16; i++) r.b[i] = sat_ub(a.b[i] + b.b[i]); break;
    case MN_PADDUSW: for (int i = 0; i < 8; i++) r.w[i] = sat_uw(a.w[i] + b.w[i]); break;
    case MN_PUNPCKLBW:
        for (int i = 0; i < 8; i++) { r.b[2 * i] = a.b[i]; r.b[2 * i + 1] = b.b[i]; }
        break;
    case MN_PUNPCKHBW:
        for (int i = 0; i < 8; i++) { r.b[2 * i] = a.b[8 + i]; r.b[2 * i + 1] = b.b[8 + i]; }
        break;
    case MN_PUNPCKLWD:
        for (int i = 0; i < 4; i++) { r.w[2 * i] = a.w[i]; r.w[2 * i + 1] = b.w[i]; }
        break;
    case MN_PUNPCKHWD:
        for (int i = 0; i < 4; i++) { r.w[2 * i] = a.w[4 + i]; r.w[2 * i + 1] = b.w[4 + i]; }
        break;
    case MN_PUNPCKLDQ:
        r.l[0] = a.l[0]; r.l[1] = b.l[0]; r.l[2] = a.l[1]; r.l[3] = b.l[1];
        break;
    case MN_PUNPCKHDQ:
        r.l[0] = a.l[2]; r.l[1] = b.l[2]; r.l[2] = a.l[3]; r.l[3] = b.l[3];
        break;
    case MN_PUNPCKLQDQ: r.q[0] = a.q[0]; r.q[1] = b.q[0]; break;
    case MN_PUNPCKHQDQ: r.q[0] = a.q[1]; r.q[1] = b.q[1]; break;
    case MN_PSRLW: shift_words(&r, 2, 0, b.q[0]); break;
    case MN_PSRLD: shift_words(&r, 4, 0, b.q[0]); break;
    case MN_PSRLQ: shift_words(&r, 8, 0, b.q[0]); break;
    case MN_PSLLW: shift_words(&r, 2, 1, b.q[0]); break;
    case MN_PSLLD: shift_words(&r, 4, 1, b.q[0]); break;
    case MN_PSLLQ: shift_words(&r, 8, 1, b.q[0]); break;
    case MN_PSRAW: shift_words(&r, 2, 2, b.q[0]); break;
    case MN_PSRAD: shift_words(&r, 4, 2, b.q[0]); break;
    case MN_PSHUFB:
        for (int i = 0; i < 16; i++) r.b[i] = (b.b[i] & 0x80) ? 0 : a.b[b.b[i] & 15];
        break;
    default:
        break;
    }
    *xmm(env, d) = r;
}

void helper_sse_op_imm(CPUState *cs, uint32_t op, uint32_t d, uint32_t s, uint32_t imm)
{
    CPUX86State *env = cpu_env(cs);
    XMMReg a = *xmm(env, d), b = *xmm(env, s), r = a;
    switch (op) {
    case MN_PSHUFD:
        for (int i = 0; i < 4; i++) r.l[i] = b.l[(imm >> (2 * i)) & 3];
        break;
    case MN_PSHUFHW:
        r.q[0] = b.q[0];
        for (int i = 0; i < 4; i++) r.w[4 + i] = b.w[4 + ((imm >> (2 * i)) & 3)];
        break;
    case MN_PSHUFLW:
        r.q[1] = b.q[1];
        for (int i = 0; i < 4; i++) r.w[i] = b.w[(imm >> (2 * i)) & 3];
        break;
    case MN_SHUFPS:
        r.l[0] = a.l[imm & 3];
        r.l[1] = a.l[(imm >> 2) & 3];
        r.l[2] = b.l[(imm >> 4) & 3];
        r.l[3] = b.l[(imm >> 6) & 3];
        break;
    case MN_PSRLW: shift_words(&r, 2, 0, imm); break;
    case MN_PSRLD: shift_words(&r, 4, 0, imm); break;
    case MN_PSRLQ: shift_words(&r, 8, 0, imm); break;
    case MN_PSLLW: shift_words(&r, 2, 1, imm); break;
    case MN_PSLLD: shift_words(&r, 4, 1, imm); break;
    case MN_PSLLQ: shift_words(&r, 8, 1, imm); break;
    case MN_PSRAW: shift_words(&r, 2, 2, imm); break;
    case MN_PSRAD: shift_words(&r, 4, 2, imm); break;
    case MN_PSRLDQ: byte_shift(&r, (int)imm, false); break;
    case MN_PSLLDQ: byte_shift(&r, (int)imm, true); break;
    default:
        break;
    }
    *xmm(env, d) = r;
}

uint32_t helper_pmovmskb(CPUState *cs, uint32_t s)
{
    XMMReg *r = xmm(cpu_env(cs), s);
    uint32_t m = 0;
    for (int i = 0; i < 16; i++) {
        m |= (uint32_t)(r->b[i] >> 7) << i;
    }
    return m;
}

uint32_t helper_movmskps(CPUState *cs, uint32_t s)
{
    XMMReg *r = xmm(cpu_env(cs), s);
    uint32_t m = 0;
    for (int i = 0; i < 4; i++) {
        m |= (r->l[i] >> 31) << i;
    }
    return m;
}

/* ------------------------------------------------------------ floating point */

typedef double V2D __attribute__((vector_size(16)));

static uint32_t guest_mxcsr_masked(CPUX86State *env)
{
    return (env->mxcsr | 0x1f80u) & ~0x3fu;
}

static uint32_t host_mxcsr_save(void)
{
    uint32_t m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m;
}

static void host_mxcsr_restore(uint32_t m)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
}

/* after a host operation: merge flags; true if the result may be written */
static void sse_check_exc(CPUX86State *env, uint32_t out, uintptr_t ra)
{
    uint32_t flags = out & 0x3f;
    uint32_t unmasked = flags & ~(env->mxcsr >> 7) & 0x3f;
    if (unmasked & 0x7) {
        /* an unmasked pre-computation exception (IE, DE, ZE) stops the
         * instruction before the result is computed: no post-computation
         * flags (SDM Vol.1 §11.5.2) */
        flags &= 0x7;
    }
    env->mxcsr |= flags;
    if (unmasked) {
        raise_exception_ra(env, (env->cr[4] & CR4_OSXMMEXCPT) ? EXCP13_XF : EXCP06_UD, ra);
    }
}

#define SSE_ASM2(insn)                                                                 \
    __asm__ volatile("ldmxcsr %[g]\n\t" insn " %[b], %[a]\n\tstmxcsr %[o]"             \
                     : [a] "+x"(a), [o] "=m"(out)                                      \
                     : [b] "x"(b), [g] "m"(g))
#define SSE_CMP(insn, n)                                                               \
    __asm__ volatile("ldmxcsr %[g]\n\t" insn " $" #n ", %[b], %[a]\n\tstmxcsr %[o]"    \
                     : [a] "+x"(a), [o] "=m"(out)                                      \
                     : [b] "x"(b), [g] "m"(g))
#define CMP8(insn)                                                                     \
    switch (imm & 7) {                                                                 \
    case 0: SSE_CMP(insn, 0); break;                                                   \
    case 1: SSE_CMP(insn, 1); break;                                                   \
    case 2: SSE_CMP(insn, 2); break;                                                   \
    case 3: SSE_CMP(insn, 3); break;                                                   \
    case 4: SSE_CMP(insn, 4); break;                                                   \
    case 5: SSE_CMP(insn, 5); break;                                                   \
    case 6: SSE_CMP(insn, 6); break;                                                   \
    default: SSE_CMP(insn, 7); break;                                                  \
    }

void helper_sse_fp(CPUState *cs, uint32_t op, uint32_t d, uint32_t s, uint32_t imm)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    V2D a, b;
    memcpy(&a, xmm(env, d), 16);
    memcpy(&b, xmm(env, s), 16);
    uint32_t g = guest_mxcsr_masked(env), out = g;
    uint32_t host = host_mxcsr_save();
    switch (op) {
    case MN_ADDPS: SSE_ASM2("addps"); break;
    case MN_ADDPD: SSE_ASM2("addpd"); break;
    case MN_ADDSS: SSE_ASM2("addss"); break;
    case MN_ADDSD: SSE_ASM2("addsd"); break;
    case MN_SUBPS: SSE_ASM2("subps"); break;
    case MN_SUBPD: SSE_ASM2("subpd"); break;
    case MN_SUBSS: SSE_ASM2("subss"); break;
    case MN_SUBSD: SSE_ASM2("subsd"); break;
    case MN_MULPS: SSE_ASM2("mulps"); break;
    case MN_MULPD: SSE_ASM2("mulpd"); break;
    case MN_MULSS: SSE_ASM2("mulss"); break;
    case MN_MULSD: SSE_ASM2("mulsd"); break;
    case MN_DIVPS: SSE_ASM2("divps"); break;
    case MN_DIVPD: SSE_ASM2("divpd"); break;
    case MN_DIVSS: SSE_ASM2("divss"); break;
    case MN_DIVSD: SSE_ASM2("divsd"); break;
    case MN_MINPS: SSE_ASM2("minps"); break;
    case MN_MINPD: SSE_ASM2("minpd"); break;
    case MN_MINSS: SSE_ASM2("minss"); break;
    case MN_MINSD: SSE_ASM2("minsd"); break;
    case MN_MAXPS: SSE_ASM2("maxps"); break;
    case MN_MAXPD: SSE_ASM2("maxpd"); break;
    case MN_MAXSS: SSE_ASM2("maxss"); break;
    case MN_MAXSD: SSE_ASM2("maxsd"); break;
    case MN_SQRTPS: SSE_ASM2("sqrtps"); break;
    case MN_SQRTPD: SSE_ASM2("sqrtpd"); break;
    case MN_SQRTSS: SSE_ASM2("sqrtss"); break;
    case MN_SQRTSD: SSE_ASM2("sqrtsd"); break;
    case MN_CVTPS2PD: SSE_ASM2("cvtps2pd"); break;
    case MN_CVTPD2PS: SSE_ASM2("cvtpd2ps"); break;
    case MN_CVTSS2SD: SSE_ASM2("cvtss2sd"); break;
    case MN_CVTSD2SS: SSE_ASM2("cvtsd2ss"); break;
    case MN_CVTDQ2PS: SSE_ASM2("cvtdq2ps"); break;
    case MN_CVTPS2DQ: SSE_ASM2("cvtps2dq"); break;
    case MN_CVTTPS2DQ: SSE_ASM2("cvttps2dq"); break;
    case MN_CVTTPD2DQ: SSE_ASM2("cvttpd2dq"); break;
    case MN_CVTDQ2PD: SSE_ASM2("cvtdq2pd"); break;
    case MN_CVTPD2DQ: SSE_ASM2("cvtpd2dq"); break;
    case MN_CMPPS: CMP8("cmpps"); break;
    case MN_CMPPD: CMP8("cmppd"); break;
    case MN_CMPSS: CMP8("cmpss"); break;
    case MN_CMPSD: CMP8("cmpsd"); break;
    case MN_UNPCKLPD: SSE_ASM2("unpcklpd"); break;
    case MN_UNPCKHPD: SSE_ASM2("unpckhpd"); break;
    case MN_SHUFPD: {
        XMMReg x, y, r;
        memcpy(&x, &a, 16);
        memcpy(&y, &b, 16);
        r.q[0] = x.q[imm & 1];
        r.q[1] = y.q[(imm >> 1) & 1];
        memcpy(&a, &r, 16);
        break;
    }
    default:
        break;
    }
    host_mxcsr_restore(host);
    sse_check_exc(env, out, ra);
    memcpy(xmm(env, d), &a, 16);
}

/* CVT(T)SS2SI / CVT(T)SD2SI to a 32- or 64-bit register */
uint64_t helper_sse_cvt2si(CPUState *cs, uint32_t op, uint32_t s, uint32_t is64)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    V2D b;
    memcpy(&b, xmm(env, s), 16);
    uint32_t g = guest_mxcsr_masked(env), out = g;
    uint32_t host = host_mxcsr_save();
    uint64_t r = 0;
#define CVT_ASM(insn, reg)                                                             \
    __asm__ volatile("ldmxcsr %[g]\n\t" insn " %[b], %[r]\n\tstmxcsr %[o]"             \
                     : [r] "=r"(reg), [o] "=m"(out)                                    \
                     : [b] "x"(b), [g] "m"(g))
    if (is64) {
        switch (op) {
        case MN_CVTTSS2SI: CVT_ASM("cvttss2si", r); break;
        case MN_CVTTSD2SI: CVT_ASM("cvttsd2si", r); break;
        case MN_CVTSS2SI: CVT_ASM("cvtss2si", r); break;
        default: CVT_ASM("cvtsd2si", r); break;
        }
    } else {
        uint32_t r32 = 0;
        switch (op) {
        case MN_CVTTSS2SI: CVT_ASM("cvttss2si", r32); break;
        case MN_CVTTSD2SI: CVT_ASM("cvttsd2si", r32); break;
        case MN_CVTSS2SI: CVT_ASM("cvtss2si", r32); break;
        default: CVT_ASM("cvtsd2si", r32); break;
        }
        r = r32;
    }
#undef CVT_ASM
    host_mxcsr_restore(host);
    sse_check_exc(env, out, ra);
    return r;
}

/* CVTSI2SS / CVTSI2SD from a 32- or 64-bit integer */
void helper_sse_cvtsi2s(CPUState *cs, uint32_t op, uint32_t d, uint64_t val, uint32_t is64)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    V2D a;
    memcpy(&a, xmm(env, d), 16);
    uint32_t g = guest_mxcsr_masked(env), out = g;
    uint32_t host = host_mxcsr_save();
    uint32_t v32 = (uint32_t)val;
#define CVTI_ASM(insn, src)                                                            \
    __asm__ volatile("ldmxcsr %[g]\n\t" insn " %[v], %[a]\n\tstmxcsr %[o]"             \
                     : [a] "+x"(a), [o] "=m"(out)                                      \
                     : [v] "r"(src), [g] "m"(g))
    if (op == MN_CVTSI2SS) {
        if (is64) {
            CVTI_ASM("cvtsi2ssq", val);
        } else {
            CVTI_ASM("cvtsi2ssl", v32);
        }
    } else if (is64) {
        CVTI_ASM("cvtsi2sdq", val);
    } else {
        CVTI_ASM("cvtsi2sdl", v32);
    }
#undef CVTI_ASM
    host_mxcsr_restore(host);
    sse_check_exc(env, out, ra);
    memcpy(xmm(env, d), &a, 16);
}

/* (U)COMISS / (U)COMISD: ZF PF CF from the comparison, OF SF AF cleared */
void helper_sse_comis(CPUState *cs, uint32_t op, uint32_t d, uint32_t s)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    V2D a, b;
    memcpy(&a, xmm(env, d), 16);
    memcpy(&b, xmm(env, s), 16);
    uint32_t g = guest_mxcsr_masked(env), out = g;
    uint32_t host = host_mxcsr_save();
    uint64_t ax = 0;
#define COM_ASM(insn)                                                                  \
    __asm__ volatile("ldmxcsr %[g]\n\t" insn " %[b], %[a]\n\tlahf\n\tstmxcsr %[o]"     \
                     : "=a"(ax), [o] "=m"(out)                                         \
                     : [a] "x"(a), [b] "x"(b), [g] "m"(g))
    switch (op) {
    case MN_UCOMISS: COM_ASM("ucomiss"); break;
    case MN_UCOMISD: COM_ASM("ucomisd"); break;
    case MN_COMISS: COM_ASM("comiss"); break;
    default: COM_ASM("comisd"); break;
    }
#undef COM_ASM
    host_mxcsr_restore(host);
    sse_check_exc(env, out, ra);
    env->cc_src = (ax >> 8) & (CC_Z | CC_P | CC_C);
    env->cc_op = CC_OP_EFLAGS;
}
