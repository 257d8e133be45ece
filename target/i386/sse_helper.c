/*
 * sse_helper.c — SSE2 integer operations on the XMM file (SDM Vol.2,
 * instruction pages of each mnemonic). Operands are XMM indices; index 16
 * is env->xmm_t0, where the translator has loaded a memory operand.
 * The destination is read in full before it is written, so d == s works.
 */
#include <string.h>

#include "target/i386/cpu.h"
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
