/*
 * sse_helper.c — MMX, SSE..SSE4.2, PCLMULQDQ and AES operations on the
 * XMM and MMX register files (SDM Vol.2, instruction pages of each
 * mnemonic). Operands are XMM indices; index 16 is env->xmm_t0, where the
 * translator has loaded a memory operand (for MMX helpers: MMX indices, 8 =
 * the low half of xmm_t0). The destination is read in full before it is
 * written, so d == s works.
 *
 * Integer operations are one engine, vec_int(), whose lane loops take the
 * width (8 bytes for MMX, 16 for XMM), so each mnemonic is written once.
 * The MMX registers alias the x87 registers: see mmx_enter().
 * AES and PCLMULQDQ are portable C (an S-box computed from GF(2^8) at first
 * use, a shift-and-xor carry-less multiply), so they run on any host; the
 * host's AES-NI/PCLMULQDQ are used instead where it has them (host_crypto()),
 * AESKEYGENASSIST excepted (its imm8 would need 256 encodings).
 *
 * Floating point runs on the host's own SSE unit: the host is x86-64, so
 * each guest FP instruction is executed as the same host instruction on
 * copies of the operands, with the guest's MXCSR (rounding, DAZ, FTZ)
 * loaded and every exception masked; the exception flags raised are ORed
 * into the guest MXCSR, and a flag the guest has unmasked raises #XM
 * (CR4.OSXMMEXCPT) or #UD before the destination is written (SDM Vol.1
 * §11.5). This gives bit-exact results, NaN propagation included. The
 * SSE3/SSE4.1 operations made of several IEEE steps (HADDPS, DPPS, ROUNDPS,
 * ...) are built from scalar SSE2 steps in the SDM's order, so nothing here
 * needs more than the x86-64 baseline host (SSE2).
 * Known limit: with OM or UM unmasked, the flags of the trapping instruction
 * come from the masked computation (an exact tiny result does not set UE;
 * PE is not recomputed for the scaled result).
 */
#include <pthread.h>
#include <string.h>
#include <wmmintrin.h>

#include "target/i386/cpu.h"
#include "exec/cputlb.h"
#include "target/i386/decode.h"

#define HELPER_H "target/i386/helper.h"
#include "exec/helper-proto.h"

static XMMReg *xmm(CPUX86State *env, uint32_t r)
{
    return r == 16 ? &env->xmm_t0 : &env->xmm[r & 15];
}

/* ------------------------------------------------------ integer vector engine */

static int8_t sat_sb(int v)
{
    return v < -128 ? -128 : v > 127 ? 127 : (int8_t)v;
}

static int16_t sat_sw(int v)
{
    return v < -32768 ? -32768 : v > 32767 ? 32767 : (int16_t)v;
}

static uint8_t sat_ub(int v)
{
    return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

static uint16_t sat_uw(int64_t v)
{
    return v < 0 ? 0 : v > 65535 ? 65535 : (uint16_t)v;
}

/* shifts of every lane of `width` bytes by count (kind 0: logical right,
 * 1: left, 2: arithmetic right); a count >= the lane width gives 0 (or the
 * sign for arithmetic shifts) — SDM PSRLW/PSLLW/PSRAW */
static void shift_lanes(XMMReg *r, int n, int width, int kind, uint64_t count)
{
    int lanes = n / width, bits = width * 8;
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

/* carry-less 64x64 -> 128 multiply (PCLMULQDQ) */
static void clmul64(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    uint64_t l = 0, h = 0;
    for (int i = 0; i < 64; i++) {
        if ((b >> i) & 1) {
            l ^= a << i;
            h ^= i ? a >> (64 - i) : 0;
        }
    }
    *lo = l;
    *hi = h;
}

/* ---- AES (FIPS-197) on the XMM byte layout: byte 4c + r is row r of column c ---- */
static uint8_t aes_sbox[256], aes_isbox[256];
/* GF(2^8) products by the MixColumns coefficients: [0] x2, [1] x3, [2] x9, [3] x11,
 * [4] x13, [5] x14 */
static uint8_t aes_mul[6][256];

static uint8_t gf_mul(uint8_t a, uint8_t b)
{
    uint8_t p = 0;
    while (b) {
        if (b & 1) {
            p ^= a;
        }
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
        b >>= 1;
    }
    return p;
}

static void aes_build_tables(void)
{
    for (int x = 0; x < 256; x++) {
        uint8_t inv = 0;
        for (int y = 1; y < 256 && x; y++) {
            if (gf_mul((uint8_t)x, (uint8_t)y) == 1) {
                inv = (uint8_t)y;
                break;
            }
        }
        uint8_t s = inv;
        for (int k = 1; k <= 4; k++) {
            s ^= (uint8_t)((inv << k) | (inv >> (8 - k)));
        }
        s ^= 0x63;
        aes_sbox[x] = s;
        aes_isbox[s] = (uint8_t)x;
        static const uint8_t coef[6] = {2, 3, 9, 11, 13, 14};
        for (int k = 0; k < 6; k++) {
            aes_mul[k][x] = gf_mul((uint8_t)x, coef[k]);
        }
    }
}

/*
 * The host's own AES-NI / PCLMULQDQ, when it has them (the portable C above
 * is the reference and the fallback). x86_sse_host_crypto: -1 decide from
 * the host's CPUID at first use, 0 portable C, 1 host instructions; a test
 * seam (test-x86-diff-sse4 runs both against the host).
 */
int x86_sse_host_crypto = -1;

static bool host_crypto(void)
{
    int v = __atomic_load_n(&x86_sse_host_crypto, __ATOMIC_RELAXED);
    if (v < 0) {
        __builtin_cpu_init();
        v = __builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul");
        __atomic_store_n(&x86_sse_host_crypto, v, __ATOMIC_RELAXED);
    }
    return v;
}

__attribute__((target("aes"))) static void aes_host(uint32_t op, XMMReg *r, const XMMReg *b)
{
    __m128i x, k;
    memcpy(&x, r, 16);
    memcpy(&k, b, 16);
    switch (op) {
    case MN_AESENC: x = _mm_aesenc_si128(x, k); break;
    case MN_AESENCLAST: x = _mm_aesenclast_si128(x, k); break;
    case MN_AESDEC: x = _mm_aesdec_si128(x, k); break;
    case MN_AESDECLAST: x = _mm_aesdeclast_si128(x, k); break;
    default: x = _mm_aesimc_si128(k); break;
    }
    memcpy(r, &x, 16);
}

__attribute__((target("pclmul"))) static void clmul_host(XMMReg *r, const XMMReg *a,
                                                         const XMMReg *b, uint32_t imm)
{
    __m128i x, y;
    memcpy(&x, a, 16);
    memcpy(&y, b, 16);
    switch (imm & 0x11) {
    case 0x00: x = _mm_clmulepi64_si128(x, y, 0x00); break;
    case 0x01: x = _mm_clmulepi64_si128(x, y, 0x01); break;
    case 0x10: x = _mm_clmulepi64_si128(x, y, 0x10); break;
    default: x = _mm_clmulepi64_si128(x, y, 0x11); break;
    }
    memcpy(r, &x, 16);
}

static void aes_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, aes_build_tables);
}

static void aes_mix(XMMReg *st, bool inverse)
{
    for (int c = 0; c < 4; c++) {
        uint8_t *col = &st->b[4 * c], a[4];
        memcpy(a, col, 4);
        for (int r = 0; r < 4; r++) {
            if (!inverse) {
                col[r] = (uint8_t)(aes_mul[0][a[r]] ^ aes_mul[1][a[(r + 1) & 3]] ^
                                   a[(r + 2) & 3] ^ a[(r + 3) & 3]);
            } else {
                col[r] = (uint8_t)(aes_mul[5][a[r]] ^ aes_mul[3][a[(r + 1) & 3]] ^
                                   aes_mul[4][a[(r + 2) & 3]] ^ aes_mul[2][a[(r + 3) & 3]]);
            }
        }
    }
}

/* ShiftRows + SubBytes (or their inverses) */
static void aes_rows_sub(XMMReg *st, bool inverse)
{
    XMMReg t;
    for (int c = 0; c < 4; c++) {
        for (int r = 0; r < 4; r++) {
            int from = inverse ? (c - r + 4) & 3 : (c + r) & 3;
            uint8_t v = st->b[4 * from + r];
            t.b[4 * c + r] = inverse ? aes_isbox[v] : aes_sbox[v];
        }
    }
    *st = t;
}

static uint32_t aes_subword(uint32_t w)
{
    return (uint32_t)aes_sbox[w & 0xff] | (uint32_t)aes_sbox[(w >> 8) & 0xff] << 8 |
           (uint32_t)aes_sbox[(w >> 16) & 0xff] << 16 | (uint32_t)aes_sbox[w >> 24] << 24;
}

/*
 * One integer (or bitwise) vector operation on n = 8 (MMX) or 16 (XMM)
 * bytes: r = op(a, b[, imm]) where a is the destination's old value and b
 * the source; r starts as a copy of a. x0 is XMM0 (the implicit operand of
 * PBLENDVB / BLENDVPS / BLENDVPD). Lane formulas follow the SDM pseudo-code
 * of each mnemonic, written once for both widths.
 */
static void vec_int(uint32_t op, XMMReg *r, const XMMReg *a, const XMMReg *b, int n,
                    uint32_t imm, const XMMReg *x0)
{
    int nb = n, nw = n / 2, nd = n / 4, nq = n / 8;
    switch (op) {
    /* ---- add / subtract ---- */
    case MN_PADDB: for (int i = 0; i < nb; i++) r->b[i] = (uint8_t)(a->b[i] + b->b[i]); break;
    case MN_PADDW: for (int i = 0; i < nw; i++) r->w[i] = (uint16_t)(a->w[i] + b->w[i]); break;
    case MN_PADDD: for (int i = 0; i < nd; i++) r->l[i] = a->l[i] + b->l[i]; break;
    case MN_PADDQ: for (int i = 0; i < nq; i++) r->q[i] = a->q[i] + b->q[i]; break;
    case MN_PSUBB: for (int i = 0; i < nb; i++) r->b[i] = (uint8_t)(a->b[i] - b->b[i]); break;
    case MN_PSUBW: for (int i = 0; i < nw; i++) r->w[i] = (uint16_t)(a->w[i] - b->w[i]); break;
    case MN_PSUBD: for (int i = 0; i < nd; i++) r->l[i] = a->l[i] - b->l[i]; break;
    case MN_PSUBQ: for (int i = 0; i < nq; i++) r->q[i] = a->q[i] - b->q[i]; break;
    case MN_PADDSB: for (int i = 0; i < nb; i++) r->sb[i] = sat_sb(a->sb[i] + b->sb[i]); break;
    case MN_PADDSW: for (int i = 0; i < nw; i++) r->sw[i] = sat_sw(a->sw[i] + b->sw[i]); break;
    case MN_PSUBSB: for (int i = 0; i < nb; i++) r->sb[i] = sat_sb(a->sb[i] - b->sb[i]); break;
    case MN_PSUBSW: for (int i = 0; i < nw; i++) r->sw[i] = sat_sw(a->sw[i] - b->sw[i]); break;
    case MN_PADDUSB: for (int i = 0; i < nb; i++) r->b[i] = sat_ub(a->b[i] + b->b[i]); break;
    case MN_PADDUSW: for (int i = 0; i < nw; i++) r->w[i] = sat_uw(a->w[i] + b->w[i]); break;
    case MN_PSUBUSB: for (int i = 0; i < nb; i++) r->b[i] = sat_ub(a->b[i] - b->b[i]); break;
    case MN_PSUBUSW: for (int i = 0; i < nw; i++) r->w[i] = sat_uw(a->w[i] - b->w[i]); break;
    /* ---- compare ---- */
    case MN_PCMPEQB: for (int i = 0; i < nb; i++) r->b[i] = a->b[i] == b->b[i] ? 0xff : 0; break;
    case MN_PCMPEQW: for (int i = 0; i < nw; i++) r->w[i] = a->w[i] == b->w[i] ? 0xffff : 0; break;
    case MN_PCMPEQD: for (int i = 0; i < nd; i++) r->l[i] = a->l[i] == b->l[i] ? ~0u : 0; break;
    case MN_PCMPEQQ: for (int i = 0; i < nq; i++) r->q[i] = a->q[i] == b->q[i] ? ~0ull : 0; break;
    case MN_PCMPGTB: for (int i = 0; i < nb; i++) r->b[i] = a->sb[i] > b->sb[i] ? 0xff : 0; break;
    case MN_PCMPGTW: for (int i = 0; i < nw; i++) r->w[i] = a->sw[i] > b->sw[i] ? 0xffff : 0; break;
    case MN_PCMPGTD: for (int i = 0; i < nd; i++) r->l[i] = a->sl[i] > b->sl[i] ? ~0u : 0; break;
    case MN_PCMPGTQ: for (int i = 0; i < nq; i++) r->q[i] = a->sq[i] > b->sq[i] ? ~0ull : 0; break;
    /* ---- minimum / maximum ---- */
#define MINMAX(mn, f, cnt, cmp) \
    case mn: for (int i = 0; i < cnt; i++) r->f[i] = a->f[i] cmp b->f[i] ? a->f[i] : b->f[i]; break;
    MINMAX(MN_PMINUB, b, nb, <) MINMAX(MN_PMAXUB, b, nb, >)
    MINMAX(MN_PMINSB, sb, nb, <) MINMAX(MN_PMAXSB, sb, nb, >)
    MINMAX(MN_PMINUW, w, nw, <) MINMAX(MN_PMAXUW, w, nw, >)
    MINMAX(MN_PMINSW, sw, nw, <) MINMAX(MN_PMAXSW, sw, nw, >)
    MINMAX(MN_PMINUD, l, nd, <) MINMAX(MN_PMAXUD, l, nd, >)
    MINMAX(MN_PMINSD, sl, nd, <) MINMAX(MN_PMAXSD, sl, nd, >)
#undef MINMAX
    /* ---- multiply ---- */
    case MN_PMULLW:
        for (int i = 0; i < nw; i++) r->w[i] = (uint16_t)((int32_t)a->sw[i] * b->sw[i]);
        break;
    case MN_PMULHW:
        for (int i = 0; i < nw; i++) r->w[i] = (uint16_t)(((int32_t)a->sw[i] * b->sw[i]) >> 16);
        break;
    case MN_PMULHUW:
        for (int i = 0; i < nw; i++) r->w[i] = (uint16_t)(((uint32_t)a->w[i] * b->w[i]) >> 16);
        break;
    case MN_PMULHRSW:
        for (int i = 0; i < nw; i++) {
            int32_t t = (((int32_t)a->sw[i] * b->sw[i]) >> 14) + 1;
            r->w[i] = (uint16_t)(t >> 1);
        }
        break;
    case MN_PMULLD:
        for (int i = 0; i < nd; i++) r->l[i] = (uint32_t)((int64_t)a->sl[i] * b->sl[i]);
        break;
    case MN_PMULUDQ:
        for (int i = 0; i < nq; i++) r->q[i] = (uint64_t)a->l[2 * i] * b->l[2 * i];
        break;
    case MN_PMULDQ:
        for (int i = 0; i < nq; i++) r->q[i] = (uint64_t)((int64_t)a->sl[2 * i] * b->sl[2 * i]);
        break;
    case MN_PMADDWD:
        for (int i = 0; i < nd; i++) {
            r->l[i] = (uint32_t)((int32_t)a->sw[2 * i] * b->sw[2 * i]) +
                      (uint32_t)((int32_t)a->sw[2 * i + 1] * b->sw[2 * i + 1]);
        }
        break;
    case MN_PMADDUBSW:
        for (int i = 0; i < nw; i++) {
            r->sw[i] = sat_sw(a->b[2 * i] * b->sb[2 * i] + a->b[2 * i + 1] * b->sb[2 * i + 1]);
        }
        break;
    case MN_PAVGB: for (int i = 0; i < nb; i++) r->b[i] = (uint8_t)((a->b[i] + b->b[i] + 1) >> 1); break;
    case MN_PAVGW: for (int i = 0; i < nw; i++) r->w[i] = (uint16_t)((a->w[i] + b->w[i] + 1) >> 1); break;
    case MN_PSADBW:
        for (int g = 0; g < nq; g++) {
            int sum = 0;
            for (int i = 0; i < 8; i++) {
                int d = a->b[8 * g + i] - b->b[8 * g + i];
                sum += d < 0 ? -d : d;
            }
            r->q[g] = (uint64_t)sum;
        }
        break;
    case MN_MPSADBW: {
        int ao = (imm & 4) ? 4 : 0, bo = (imm & 3) * 4;
        for (int i = 0; i < 8; i++) {
            int sum = 0;
            for (int j = 0; j < 4; j++) {
                int d = a->b[ao + i + j] - b->b[bo + j];
                sum += d < 0 ? -d : d;
            }
            r->w[i] = (uint16_t)sum;
        }
        break;
    }
    /* ---- pack / unpack ---- */
    case MN_PACKSSWB:
        for (int i = 0; i < nw; i++) { r->sb[i] = sat_sb(a->sw[i]); r->sb[nw + i] = sat_sb(b->sw[i]); }
        break;
    case MN_PACKUSWB:
        for (int i = 0; i < nw; i++) { r->b[i] = sat_ub(a->sw[i]); r->b[nw + i] = sat_ub(b->sw[i]); }
        break;
    case MN_PACKSSDW:
        for (int i = 0; i < nd; i++) { r->sw[i] = sat_sw(a->sl[i]); r->sw[nd + i] = sat_sw(b->sl[i]); }
        break;
    case MN_PACKUSDW:
        for (int i = 0; i < nd; i++) { r->w[i] = sat_uw(a->sl[i]); r->w[nd + i] = sat_uw(b->sl[i]); }
        break;
    case MN_PUNPCKLBW: case MN_PUNPCKHBW: {
        int h = op == MN_PUNPCKHBW ? nb / 2 : 0;
        for (int i = 0; i < nb / 2; i++) { r->b[2 * i] = a->b[h + i]; r->b[2 * i + 1] = b->b[h + i]; }
        break;
    }
    case MN_PUNPCKLWD: case MN_PUNPCKHWD: {
        int h = op == MN_PUNPCKHWD ? nw / 2 : 0;
        for (int i = 0; i < nw / 2; i++) { r->w[2 * i] = a->w[h + i]; r->w[2 * i + 1] = b->w[h + i]; }
        break;
    }
    case MN_PUNPCKLDQ: case MN_PUNPCKHDQ: {
        int h = op == MN_PUNPCKHDQ ? nd / 2 : 0;
        for (int i = 0; i < nd / 2; i++) { r->l[2 * i] = a->l[h + i]; r->l[2 * i + 1] = b->l[h + i]; }
        break;
    }
    case MN_PUNPCKLQDQ: r->q[0] = a->q[0]; r->q[1] = b->q[0]; break;
    case MN_PUNPCKHQDQ: r->q[0] = a->q[1]; r->q[1] = b->q[1]; break;
    /* ---- shifts: count from the source (b) or the immediate ---- */
    case MN_PSRLW: shift_lanes(r, n, 2, 0, b->q[0]); break;
    case MN_PSRLD: shift_lanes(r, n, 4, 0, b->q[0]); break;
    case MN_PSRLQ: shift_lanes(r, n, 8, 0, b->q[0]); break;
    case MN_PSLLW: shift_lanes(r, n, 2, 1, b->q[0]); break;
    case MN_PSLLD: shift_lanes(r, n, 4, 1, b->q[0]); break;
    case MN_PSLLQ: shift_lanes(r, n, 8, 1, b->q[0]); break;
    case MN_PSRAW: shift_lanes(r, n, 2, 2, b->q[0]); break;
    case MN_PSRAD: shift_lanes(r, n, 4, 2, b->q[0]); break;
    /* ---- logic ---- */
    case MN_PAND: for (int i = 0; i < nq; i++) r->q[i] = a->q[i] & b->q[i]; break;
    case MN_PANDN: for (int i = 0; i < nq; i++) r->q[i] = ~a->q[i] & b->q[i]; break;
    case MN_POR: for (int i = 0; i < nq; i++) r->q[i] = a->q[i] | b->q[i]; break;
    case MN_PXOR: for (int i = 0; i < nq; i++) r->q[i] = a->q[i] ^ b->q[i]; break;
    /* ---- shuffles ---- */
    case MN_PSHUFB:
        for (int i = 0; i < nb; i++) r->b[i] = (b->b[i] & 0x80) ? 0 : a->b[b->b[i] & (nb - 1)];
        break;
    case MN_PSHUFW:
        for (int i = 0; i < 4; i++) r->w[i] = b->w[(imm >> (2 * i)) & 3];
        break;
    case MN_PSHUFD:
        for (int i = 0; i < 4; i++) r->l[i] = b->l[(imm >> (2 * i)) & 3];
        break;
    case MN_PSHUFHW:
        r->q[0] = b->q[0];
        for (int i = 0; i < 4; i++) r->w[4 + i] = b->w[4 + ((imm >> (2 * i)) & 3)];
        break;
    case MN_PSHUFLW:
        r->q[1] = b->q[1];
        for (int i = 0; i < 4; i++) r->w[i] = b->w[(imm >> (2 * i)) & 3];
        break;
    case MN_SHUFPS:
        r->l[0] = a->l[imm & 3];
        r->l[1] = a->l[(imm >> 2) & 3];
        r->l[2] = b->l[(imm >> 4) & 3];
        r->l[3] = b->l[(imm >> 6) & 3];
        break;
    case MN_PALIGNR: {
        uint8_t t[32];
        memcpy(t, b->b, (size_t)n);
        memcpy(t + n, a->b, (size_t)n);
        for (int i = 0; i < nb; i++) r->b[i] = i + imm < (uint32_t)(2 * n) ? t[i + imm] : 0;
        break;
    }
    case MN_MOVSLDUP: r->l[0] = r->l[1] = b->l[0]; r->l[2] = r->l[3] = b->l[2]; break;
    case MN_MOVSHDUP: r->l[0] = r->l[1] = b->l[1]; r->l[2] = r->l[3] = b->l[3]; break;
    case MN_MOVDDUP: r->q[0] = r->q[1] = b->q[0]; break;
    /* ---- horizontal (SSSE3): the low half from the destination's pairs ---- */
    case MN_PHADDW: case MN_PHSUBW: case MN_PHADDSW: case MN_PHSUBSW: {
        int16_t t[8];
        for (int i = 0; i < nw; i++) {
            const XMMReg *src = i < nw / 2 ? a : b;
            int k = 2 * (i % (nw / 2));
            int v = op == MN_PHADDW || op == MN_PHADDSW ? src->sw[k] + src->sw[k + 1]
                                                        : src->sw[k] - src->sw[k + 1];
            t[i] = (op == MN_PHADDSW || op == MN_PHSUBSW) ? sat_sw(v) : (int16_t)v;
        }
        memcpy(r->w, t, (size_t)(2 * nw));
        break;
    }
    case MN_PHADDD: case MN_PHSUBD: {
        uint32_t t[4];
        for (int i = 0; i < nd; i++) {
            const XMMReg *src = i < nd / 2 ? a : b;
            int k = 2 * (i % (nd / 2));
            t[i] = op == MN_PHADDD ? src->l[k] + src->l[k + 1] : src->l[k] - src->l[k + 1];
        }
        memcpy(r->l, t, (size_t)(4 * nd));
        break;
    }
    case MN_PSIGNB:
        for (int i = 0; i < nb; i++) r->b[i] = b->sb[i] < 0 ? (uint8_t)-a->b[i] : b->sb[i] ? a->b[i] : 0;
        break;
    case MN_PSIGNW:
        for (int i = 0; i < nw; i++) r->w[i] = b->sw[i] < 0 ? (uint16_t)-a->w[i] : b->sw[i] ? a->w[i] : 0;
        break;
    case MN_PSIGND:
        for (int i = 0; i < nd; i++) r->l[i] = b->sl[i] < 0 ? -a->l[i] : b->sl[i] ? a->l[i] : 0;
        break;
    case MN_PABSB: for (int i = 0; i < nb; i++) r->b[i] = (uint8_t)(b->sb[i] < 0 ? -b->sb[i] : b->sb[i]); break;
    case MN_PABSW: for (int i = 0; i < nw; i++) r->w[i] = (uint16_t)(b->sw[i] < 0 ? -b->sw[i] : b->sw[i]); break;
    case MN_PABSD: for (int i = 0; i < nd; i++) r->l[i] = b->sl[i] < 0 ? -b->l[i] : b->l[i]; break;
    /* ---- SSE4.1 blends, moves with extension, inserts ---- */
    case MN_PBLENDVB: for (int i = 0; i < 16; i++) r->b[i] = (x0->b[i] & 0x80) ? b->b[i] : a->b[i]; break;
    case MN_BLENDVPS: for (int i = 0; i < 4; i++) r->l[i] = (x0->l[i] >> 31) ? b->l[i] : a->l[i]; break;
    case MN_BLENDVPD: for (int i = 0; i < 2; i++) r->q[i] = (x0->q[i] >> 63) ? b->q[i] : a->q[i]; break;
    case MN_BLENDPS: for (int i = 0; i < 4; i++) r->l[i] = (imm >> i) & 1 ? b->l[i] : a->l[i]; break;
    case MN_BLENDPD: for (int i = 0; i < 2; i++) r->q[i] = (imm >> i) & 1 ? b->q[i] : a->q[i]; break;
    case MN_PBLENDW: for (int i = 0; i < 8; i++) r->w[i] = (imm >> i) & 1 ? b->w[i] : a->w[i]; break;
    case MN_PMOVSXBW: for (int i = 7; i >= 0; i--) r->sw[i] = b->sb[i]; break;
    case MN_PMOVSXBD: for (int i = 3; i >= 0; i--) r->sl[i] = b->sb[i]; break;
    case MN_PMOVSXBQ: for (int i = 1; i >= 0; i--) r->sq[i] = b->sb[i]; break;
    case MN_PMOVSXWD: for (int i = 3; i >= 0; i--) r->sl[i] = b->sw[i]; break;
    case MN_PMOVSXWQ: for (int i = 1; i >= 0; i--) r->sq[i] = b->sw[i]; break;
    case MN_PMOVSXDQ: for (int i = 1; i >= 0; i--) r->sq[i] = b->sl[i]; break;
    case MN_PMOVZXBW: for (int i = 7; i >= 0; i--) r->w[i] = b->b[i]; break;
    case MN_PMOVZXBD: for (int i = 3; i >= 0; i--) r->l[i] = b->b[i]; break;
    case MN_PMOVZXBQ: for (int i = 1; i >= 0; i--) r->q[i] = b->b[i]; break;
    case MN_PMOVZXWD: for (int i = 3; i >= 0; i--) r->l[i] = b->w[i]; break;
    case MN_PMOVZXWQ: for (int i = 1; i >= 0; i--) r->q[i] = b->w[i]; break;
    case MN_PMOVZXDQ: for (int i = 1; i >= 0; i--) r->q[i] = b->l[i]; break;
    case MN_PHMINPOSUW: {
        int idx = 0;
        for (int i = 1; i < 8; i++) {
            if (b->w[i] < b->w[idx]) {
                idx = i;
            }
        }
        uint16_t m = b->w[idx];
        memset(r, 0, sizeof(*r));
        r->w[0] = m;
        r->w[1] = (uint16_t)idx;
        break;
    }
    case MN_INSERTPS: {
        /* the translator passes a memory source at element 0 with imm[7:6] = 0 */
        uint32_t v = b->l[(imm >> 6) & 3];
        r->l[(imm >> 4) & 3] = v;
        for (int i = 0; i < 4; i++) {
            if ((imm >> i) & 1) {
                r->l[i] = 0;
            }
        }
        break;
    }
    /* ---- PCLMULQDQ, AES ---- */
    case MN_PCLMULQDQ:
        if (host_crypto()) {
            clmul_host(r, a, b, imm);
            break;
        }
        clmul64(a->q[imm & 1], b->q[(imm >> 4) & 1], &r->q[0], &r->q[1]);
        break;
    case MN_AESENC: case MN_AESENCLAST: case MN_AESDEC: case MN_AESDECLAST: {
        bool dec = op == MN_AESDEC || op == MN_AESDECLAST;
        if (host_crypto()) {
            aes_host(op, r, b);
            break;
        }
        aes_init();
        aes_rows_sub(r, dec);
        if (op == MN_AESENC || op == MN_AESDEC) {
            aes_mix(r, dec);
        }
        r->q[0] ^= b->q[0];
        r->q[1] ^= b->q[1];
        break;
    }
    case MN_AESIMC:
        if (host_crypto()) {
            aes_host(op, r, b);
            break;
        }
        aes_init();
        *r = *b;
        aes_mix(r, true);
        break;
    case MN_AESKEYGENASSIST: {
        aes_init();
        uint32_t x1 = aes_subword(b->l[1]), x3 = aes_subword(b->l[3]);
        r->l[0] = x1;
        r->l[1] = ((x1 >> 8) | (x1 << 24)) ^ imm;
        r->l[2] = x3;
        r->l[3] = ((x3 >> 8) | (x3 << 24)) ^ imm;
        break;
    }
    default:
        break;
    }
}

void helper_sse_op(CPUState *cs, uint32_t op, uint32_t d, uint32_t s)
{
    CPUX86State *env = cpu_env(cs);
    XMMReg a = *xmm(env, d), b = *xmm(env, s), r = a, x0 = env->xmm[0];
    vec_int(op, &r, &a, &b, 16, 0, &x0);
    *xmm(env, d) = r;
}

void helper_sse_op_imm(CPUState *cs, uint32_t op, uint32_t d, uint32_t s, uint32_t imm)
{
    CPUX86State *env = cpu_env(cs);
    XMMReg a = *xmm(env, d), b = *xmm(env, s), r = a, x0 = env->xmm[0];
    switch (op) {
    case MN_PSRLW: shift_lanes(&r, 16, 2, 0, imm); break;
    case MN_PSRLD: shift_lanes(&r, 16, 4, 0, imm); break;
    case MN_PSRLQ: shift_lanes(&r, 16, 8, 0, imm); break;
    case MN_PSLLW: shift_lanes(&r, 16, 2, 1, imm); break;
    case MN_PSLLD: shift_lanes(&r, 16, 4, 1, imm); break;
    case MN_PSLLQ: shift_lanes(&r, 16, 8, 1, imm); break;
    case MN_PSRAW: shift_lanes(&r, 16, 2, 2, imm); break;
    case MN_PSRAD: shift_lanes(&r, 16, 4, 2, imm); break;
    case MN_PSRLDQ: byte_shift(&r, (int)imm, false); break;
    case MN_PSLLDQ: byte_shift(&r, (int)imm, true); break;
    default: vec_int(op, &r, &a, &b, 16, imm, &x0); break;
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

/* PTEST (SDM PTEST): ZF = (d AND s) == 0, CF = (NOT d AND s) == 0, others 0 */
void helper_ptest(CPUState *cs, uint32_t d, uint32_t s)
{
    CPUX86State *env = cpu_env(cs);
    XMMReg *a = xmm(env, d), *b = xmm(env, s);
    bool z = !((a->q[0] & b->q[0]) | (a->q[1] & b->q[1]));
    bool c = !((~a->q[0] & b->q[0]) | (~a->q[1] & b->q[1]));
    env->cc_src = (z ? CC_Z : 0) | (c ? CC_C : 0);
    env->cc_op = CC_OP_EFLAGS;
}

/*
 * PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM (SDM Vol.2 §4.1, "Imm8 Control
 * Byte Operation for PCMPESTRI / ..."). a = xmm1 (the set / ranges /
 * pattern), b = xmm2/m128 (the string). desc = imm8 | REX.W << 8.
 */
void helper_pcmpstr(CPUState *cs, uint32_t op, uint32_t d, uint32_t s, uint32_t desc)
{
    CPUX86State *env = cpu_env(cs);
    XMMReg *a = xmm(env, d), *b = xmm(env, s);
    uint32_t imm = desc & 0xff;
    bool words = imm & 1, sgn = imm & 2;
    int n = words ? 8 : 16;
    int agg = (imm >> 2) & 3, pol = (imm >> 4) & 3;
    int la, lb;
#define ELEM(x, i) (words ? (sgn ? (int)(x)->sw[i] : (int)(x)->w[i])                    \
                          : (sgn ? (int)(x)->sb[i] : (int)(x)->b[i]))
    if (op == MN_PCMPESTRI || op == MN_PCMPESTRM) {
        int64_t ra = (desc & 0x100) ? (int64_t)env->regs[R_EAX] : (int32_t)env->regs[R_EAX];
        int64_t rd = (desc & 0x100) ? (int64_t)env->regs[R_EDX] : (int32_t)env->regs[R_EDX];
        /* the absolute value, saturated to n */
        la = (ra < -n || ra > n) ? n : (int)(ra < 0 ? -ra : ra);
        lb = (rd < -n || rd > n) ? n : (int)(rd < 0 ? -rd : rd);
    } else {
        for (la = 0; la < n && ELEM(a, la); la++) {
        }
        for (lb = 0; lb < n && ELEM(b, lb); lb++) {
        }
    }
    uint32_t res = 0;
    for (int j = 0; j < n; j++) { /* j: element of b */
        bool bit = false;
        switch (agg) {
        case 0: /* equal any */
            for (int i = 0; i < la && j < lb && !bit; i++) {
                bit = ELEM(a, i) == ELEM(b, j);
            }
            break;
        case 1: /* ranges: pairs (a[i], a[i+1]) */
            for (int i = 0; i + 1 < n && j < lb && !bit; i += 2) {
                if (i >= la) {
                    break;
                }
                bool ge = ELEM(b, j) >= ELEM(a, i);
                bool le = i + 1 < la && ELEM(b, j) <= ELEM(a, i + 1);
                bit = ge && le;
            }
            break;
        case 2: /* equal each */
            if (j >= la && j >= lb) {
                bit = true;
            } else if (j >= la || j >= lb) {
                bit = false;
            } else {
                bit = ELEM(a, j) == ELEM(b, j);
            }
            break;
        default: /* equal ordered: a (the needle) starts at b[j] */
            bit = true;
            for (int k = 0; k < n - j && bit; k++) {
                if (k >= la) {
                    break; /* needle ended: true */
                }
                if (j + k >= lb) {
                    bit = false;
                } else {
                    bit = ELEM(a, k) == ELEM(b, j + k);
                }
            }
            break;
        }
        res |= (uint32_t)bit << j;
    }
#undef ELEM
    uint32_t all = (1u << n) - 1;
    if (pol == 1) {
        res ^= all;
    } else if (pol == 3) {
        res ^= (1u << lb) - 1;
    }
    res &= all;
    if (op == MN_PCMPESTRI || op == MN_PCMPISTRI) {
        int idx = n;
        if (res) {
            idx = (imm & 0x40) ? 31 - __builtin_clz(res) : __builtin_ctz(res);
        }
        env->regs[R_ECX] = (uint64_t)idx;
    } else {
        XMMReg m = {{0}};
        if (imm & 0x40) {
            for (int i = 0; i < n; i++) {
                if ((res >> i) & 1) {
                    if (words) {
                        m.w[i] = 0xffff;
                    } else {
                        m.b[i] = 0xff;
                    }
                }
            }
        } else {
            m.l[0] = res;
        }
        env->xmm[0] = m;
    }
    env->cc_src = (res ? CC_C : 0) | (lb < n ? CC_Z : 0) | (la < n ? CC_S : 0) |
                  ((res & 1) ? CC_O : 0);
    env->cc_op = CC_OP_EFLAGS;
}

/* ------------------------------------------------------- MMX register file */

/*
 * The eight MMX registers are the mantissas of the x87 physical registers
 * R0..R7. The x87 state is kept as an FNSAVE image whose register area is
 * in stack order (ST(i) = R((TOP + i) & 7)), so every MMX instruction first
 * performs the transition of SDM Vol.1 §9.5 (Table 9-2): TOP = 0 (the
 * register area is rotated so that ST(i) = Ri) and every tag valid (00b).
 * Then MMi is the 8-byte mantissa of slot i; a write also sets the
 * exponent and sign (bits 64..79) to all ones. EMMS empties every tag.
 * A pending unmasked x87 exception (FSW.ES) raises #MF first.
 */
static void mmx_enter(CPUX86State *env, uintptr_t ra)
{
    uint16_t fsw = x86_fpu_fsw(env);
    if (fsw & 0x80) {
        raise_exception_ra(env, EXCP10_MF, ra);
    }
    int top = (fsw >> 11) & 7;
    if (top) {
        uint8_t st[80];
        memcpy(st, env->fsave + 28, 80);
        for (int i = 0; i < 8; i++) {
            memcpy(env->fsave + 28 + 10 * ((top + i) & 7), st + 10 * i, 10);
        }
        fsw &= (uint16_t)~0x3800;
        env->fsave[4] = (uint8_t)fsw;
        env->fsave[5] = (uint8_t)(fsw >> 8);
    }
    env->fsave[8] = 0;
    env->fsave[9] = 0;
}

static uint64_t mmx_get(CPUX86State *env, uint32_t i)
{
    uint64_t v;
    if (i >= 8) {
        return env->xmm_t0.q[0]; /* a memory operand */
    }
    memcpy(&v, env->fsave + 28 + 10 * i, 8);
    return v;
}

static void mmx_set(CPUX86State *env, uint32_t i, uint64_t v)
{
    memcpy(env->fsave + 28 + 10 * (i & 7), &v, 8);
    env->fsave[28 + 10 * (i & 7) + 8] = 0xff;
    env->fsave[28 + 10 * (i & 7) + 9] = 0xff;
}

/* an MMX operation d = op(d, s[, imm]); s = 8 names the memory operand (xmm_t0) */
void helper_mmx_op(CPUState *cs, uint32_t op, uint32_t d, uint32_t s, uint32_t imm)
{
    CPUX86State *env = cpu_env(cs);
    mmx_enter(env, GETPC());
    XMMReg a = {{0}}, b = {{0}}, r;
    a.q[0] = mmx_get(env, d);
    b.q[0] = mmx_get(env, s);
    r = a;
    switch (op) {
    case MN_PSRLW: case MN_PSRLD: case MN_PSRLQ: case MN_PSLLW: case MN_PSLLD:
    case MN_PSLLQ: case MN_PSRAW: case MN_PSRAD:
        if (imm & 0x100) { /* the immediate form (group 12-14): count in imm */
            b.q[0] = imm & 0xff;
        }
        vec_int(op, &r, &a, &b, 8, 0, &env->xmm[0]);
        break;
    case MN_MOVQ: case MN_MOVD:
        r.q[0] = b.q[0];
        break;
    case MN_PINSRW:
        r.w[imm & 3] = b.w[0];
        break;
    default:
        vec_int(op, &r, &a, &b, 8, imm, &env->xmm[0]);
        break;
    }
    mmx_set(env, d, r.q[0]);
}

/* write an MMX register from a general register / memory value (MOVD, MOVQ, MOVDQ2Q) */
void helper_mmx_write(CPUState *cs, uint32_t d, uint64_t v)
{
    CPUX86State *env = cpu_env(cs);
    mmx_enter(env, GETPC());
    mmx_set(env, d, v);
}

/* read an MMX register: op MOVD_ST/MOVQ_ST/MOVQ2DQ: the value; PMOVMSKB: the
 * byte sign mask; PEXTRW: word imm & 3 */
uint64_t helper_mmx_read(CPUState *cs, uint32_t op, uint32_t s, uint32_t imm)
{
    CPUX86State *env = cpu_env(cs);
    mmx_enter(env, GETPC());
    uint64_t v = mmx_get(env, s);
    switch (op) {
    case MN_PMOVMSKB: {
        uint64_t m = 0;
        for (int i = 0; i < 8; i++) {
            m |= ((v >> (8 * i + 7)) & 1) << i;
        }
        return m;
    }
    case MN_PEXTRW:
        return (v >> (16 * (imm & 3))) & 0xffff;
    default:
        return v;
    }
}

void helper_emms(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    mmx_enter(env, GETPC());
    env->fsave[8] = 0xff;
    env->fsave[9] = 0xff;
}

/*
 * MASKMOVQ / MASKMOVDQU: store the bytes of register d whose mask byte (in
 * register s) has its top bit set, to seg:rDI. desc = n (8 MMX, 16 XMM) |
 * seg << 8 (-1 = DS) | address size (MO_16..MO_64) << 12.
 */
void helper_maskmov(CPUState *cs, uint32_t d, uint32_t s, uint32_t desc)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    int n = desc & 0xff, seg = (int8_t)((desc >> 8) & 0xf), asz = (desc >> 12) & 3;
    XMMReg v = {{0}}, m = {{0}};
    if (n == 8) {
        mmx_enter(env, ra);
        v.q[0] = mmx_get(env, d);
        m.q[0] = mmx_get(env, s);
    } else {
        v = env->xmm[d & 15];
        m = env->xmm[s & 15];
    }
    if (seg == 0xf || seg < 0) {
        seg = R_DS;
    }
    uint64_t mask = asz == MO_64 ? ~0ull : asz == MO_32 ? 0xffffffffull : 0xffffull;
    uint64_t addr = env->regs[R_EDI] & mask;
    /* in 64-bit mode only FS and GS have bases */
    if (!(env->hflags & HF_CS64) || seg == R_FS || seg == R_GS) {
        addr += env->segs[seg].base;
    }
    if (!(env->hflags & HF_CS64)) {
        addr &= 0xffffffffull;
    }
    int mmu = x86_mmu_idx(env);
    for (int i = 0; i < n; i++) {
        if (m.b[i] & 0x80) {
            cpu_st_mmu(cs, addr + (uint64_t)i, v.b[i], make_memop_idx(MO_8, (unsigned)mmu), ra);
        }
    }
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

/*
 * One scalar IEEE operation (k: '+', '-', '*') on the host under MXCSR value
 * g (all exceptions masked); its flags are ORed into *flags. The SSE3 and
 * SSE4.1 composite operations (HADDPS, DPPS, ROUNDPS, ...) are built from
 * these in the SDM's order of operations, so results and flags are exact
 * and need nothing beyond the host's SSE2.
 */
static float f32_op(uint32_t g, int k, float x, float y, uint32_t *flags)
{
    uint32_t out;
    switch (k) {
    case '+':
        __asm__ volatile("ldmxcsr %[g]\n\taddss %[y], %[x]\n\tstmxcsr %[o]"
                         : [x] "+x"(x), [o] "=m"(out) : [y] "x"(y), [g] "m"(g));
        break;
    case '-':
        __asm__ volatile("ldmxcsr %[g]\n\tsubss %[y], %[x]\n\tstmxcsr %[o]"
                         : [x] "+x"(x), [o] "=m"(out) : [y] "x"(y), [g] "m"(g));
        break;
    default:
        __asm__ volatile("ldmxcsr %[g]\n\tmulss %[y], %[x]\n\tstmxcsr %[o]"
                         : [x] "+x"(x), [o] "=m"(out) : [y] "x"(y), [g] "m"(g));
        break;
    }
    *flags |= out & 0x3f;
    return x;
}

static double f64_op(uint32_t g, int k, double x, double y, uint32_t *flags)
{
    uint32_t out;
    switch (k) {
    case '+':
        __asm__ volatile("ldmxcsr %[g]\n\taddsd %[y], %[x]\n\tstmxcsr %[o]"
                         : [x] "+x"(x), [o] "=m"(out) : [y] "x"(y), [g] "m"(g));
        break;
    case '-':
        __asm__ volatile("ldmxcsr %[g]\n\tsubsd %[y], %[x]\n\tstmxcsr %[o]"
                         : [x] "+x"(x), [o] "=m"(out) : [y] "x"(y), [g] "m"(g));
        break;
    default:
        __asm__ volatile("ldmxcsr %[g]\n\tmulsd %[y], %[x]\n\tstmxcsr %[o]"
                         : [x] "+x"(x), [o] "=m"(out) : [y] "x"(y), [g] "m"(g));
        break;
    }
    *flags |= out & 0x3f;
    return x;
}

/*
 * ROUNDSS/ROUNDSD lane (SDM ROUNDPS): rounding mode imm[1:0], or MXCSR.RC
 * if imm[2]; PE unless imm[3]; IE only for an SNaN; no DE. For |x| below
 * 2^23 (2^52) the integer is (x + C) - C with C = +-2^23 (2^52) under that
 * rounding mode (x + C has an ulp of 1, so its rounding is the rounding of
 * x to an integer), with the sign of x kept for a zero result; larger
 * values, infinities and zeros are already integers.
 */
static uint32_t round_mxcsr(uint32_t g, uint32_t imm)
{
    uint32_t rc = (imm & 4) ? (g >> 13) & 3 : imm & 3;
    return (g & ~0x6000u) | (rc << 13);
}

static float round_f32(uint32_t g, uint32_t imm, float x, uint32_t *flags)
{
    uint32_t bits, f = 0;
    memcpy(&bits, &x, 4);
    if ((bits & 0x7f800000u) == 0x7f800000u) {
        if ((bits & 0x7fffffu) && !(bits & 0x400000u)) {
            *flags |= 1; /* SNaN: IE, quieted */
            bits |= 0x400000u;
        }
        memcpy(&x, &bits, 4);
        return x;
    }
    if ((bits & 0x7fffffffu) >= 0x4b000000u) {
        return x; /* |x| >= 2^23: an integer */
    }
    float c = (bits >> 31) ? -8388608.0f : 8388608.0f;
    uint32_t m = round_mxcsr(g, imm);
    float y = f32_op(m, '-', f32_op(m, '+', x, c, &f), c, &f);
    uint32_t yb;
    memcpy(&yb, &y, 4);
    yb = (yb & 0x7fffffffu) | (bits & 0x80000000u);
    memcpy(&y, &yb, 4);
    if (!(imm & 8) && yb != bits && !((g & 0x40) && !(bits & 0x7f800000u) && !(yb & 0x7fffffffu))) {
        *flags |= 0x20; /* PE (a DAZ-zeroed denormal rounds exactly) */
    }
    return y;
}

static double round_f64(uint32_t g, uint32_t imm, double x, uint32_t *flags)
{
    uint64_t bits;
    uint32_t f32 = 0;
    memcpy(&bits, &x, 8);
    if ((bits & 0x7ff0000000000000ull) == 0x7ff0000000000000ull) {
        if ((bits & 0xfffffffffffffull) && !(bits & 0x8000000000000ull)) {
            *flags |= 1;
            bits |= 0x8000000000000ull;
        }
        memcpy(&x, &bits, 8);
        return x;
    }
    if ((bits & 0x7fffffffffffffffull) >= 0x4330000000000000ull) {
        return x;
    }
    double c = (bits >> 63) ? -4503599627370496.0 : 4503599627370496.0;
    uint32_t m = round_mxcsr(g, imm);
    double y = f64_op(m, '-', f64_op(m, '+', x, c, &f32), c, &f32);
    uint64_t yb;
    memcpy(&yb, &y, 8);
    yb = (yb & 0x7fffffffffffffffull) | (bits & 0x8000000000000000ull);
    memcpy(&y, &yb, 8);
    if (!(imm & 8) && yb != bits &&
        !((g & 0x40) && !(bits & 0x7ff0000000000000ull) && !(yb & 0x7fffffffffffffffull))) {
        *flags |= 0x20;
    }
    return y;
}

/*
 * SSE3 horizontal / alternating and SSE4.1 dot-product and round operations.
 * unm: the exceptions the guest has unmasked. DPPS/DPPD are staged (SDM
 * DPPS: "exceptions are determined separately for each add and multiply"):
 * an unmasked exception in the multiplies ends the instruction before the
 * adds (whose flags, e.g. DE from a denormal product, are then not raised).
 * *flags are the flags of the last stage run, *prior those of the stages
 * completed before it (kept even if the last stage has an unmasked
 * pre-computation exception).
 */
static bool sse_fp_composite(uint32_t op, uint32_t g, uint32_t unm, XMMReg *r,
                             const XMMReg *a, const XMMReg *b, uint32_t imm, uint32_t *flags,
                             uint32_t *prior)
{
    *r = *a;
    switch (op) {
    case MN_ADDSUBPS:
        for (int i = 0; i < 4; i++) r->f[i] = f32_op(g, (i & 1) ? '+' : '-', a->f[i], b->f[i], flags);
        return true;
    case MN_ADDSUBPD:
        for (int i = 0; i < 2; i++) r->d[i] = f64_op(g, (i & 1) ? '+' : '-', a->d[i], b->d[i], flags);
        return true;
    case MN_HADDPS: case MN_HSUBPS: {
        int k = op == MN_HADDPS ? '+' : '-';
        r->f[0] = f32_op(g, k, a->f[0], a->f[1], flags);
        r->f[1] = f32_op(g, k, a->f[2], a->f[3], flags);
        r->f[2] = f32_op(g, k, b->f[0], b->f[1], flags);
        r->f[3] = f32_op(g, k, b->f[2], b->f[3], flags);
        return true;
    }
    case MN_HADDPD: case MN_HSUBPD: {
        int k = op == MN_HADDPD ? '+' : '-';
        r->d[0] = f64_op(g, k, a->d[0], a->d[1], flags);
        r->d[1] = f64_op(g, k, b->d[0], b->d[1], flags);
        return true;
    }
    case MN_DPPS: {
        float t[4];
        for (int i = 0; i < 4; i++) {
            t[i] = ((imm >> (4 + i)) & 1) ? f32_op(g, '*', a->f[i], b->f[i], flags) : 0.0f;
        }
        if (*flags & unm) {
            return true;
        }
        *prior = *flags;
        *flags = 0;
        float s1 = f32_op(g, '+', t[0], t[1], flags);
        float s2 = f32_op(g, '+', t[2], t[3], flags);
        if (*flags & unm) {
            return true;
        }
        *prior |= *flags;
        *flags = 0;
        float s = f32_op(g, '+', s1, s2, flags);
        for (int i = 0; i < 4; i++) {
            r->f[i] = ((imm >> i) & 1) ? s : 0.0f;
        }
        return true;
    }
    case MN_DPPD: {
        double t[2];
        for (int i = 0; i < 2; i++) {
            t[i] = ((imm >> (4 + i)) & 1) ? f64_op(g, '*', a->d[i], b->d[i], flags) : 0.0;
        }
        if (*flags & unm) {
            return true;
        }
        *prior = *flags;
        *flags = 0;
        double s = f64_op(g, '+', t[0], t[1], flags);
        for (int i = 0; i < 2; i++) {
            r->d[i] = ((imm >> i) & 1) ? s : 0.0;
        }
        return true;
    }
    case MN_ROUNDPS: for (int i = 0; i < 4; i++) r->f[i] = round_f32(g, imm, b->f[i], flags); return true;
    case MN_ROUNDSS: r->f[0] = round_f32(g, imm, b->f[0], flags); return true;
    case MN_ROUNDPD: for (int i = 0; i < 2; i++) r->d[i] = round_f64(g, imm, b->d[i], flags); return true;
    case MN_ROUNDSD: r->d[0] = round_f64(g, imm, b->d[0], flags); return true;
    default:
        return false;
    }
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
    XMMReg ca, cb, cr;
    uint32_t cflags = 0, cprior = 0;
    memcpy(&ca, &a, 16);
    memcpy(&cb, &b, 16);
    if (sse_fp_composite(op, g, ~(env->mxcsr >> 7) & 0x3f, &cr, &ca, &cb, imm, &cflags,
                         &cprior)) {
        host_mxcsr_restore(host);
        env->mxcsr |= cprior;
        sse_check_exc(env, g | cflags, ra);
        *xmm(env, d) = cr;
        return;
    }
    switch (op) {
    case MN_RCPPS: SSE_ASM2("rcpps"); break;
    case MN_RCPSS: SSE_ASM2("rcpss"); break;
    case MN_RSQRTPS: SSE_ASM2("rsqrtps"); break;
    case MN_RSQRTSS: SSE_ASM2("rsqrtss"); break;
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

/*
 * The SSE/SSE2 conversions with an MMX operand (CVTPI2PS, CVTPI2PD,
 * CVT(T)PS2PI, CVT(T)PD2PI), done as the XMM-only host conversions on a
 * copy (cvtdq2ps on {i0, i1, 0, 0} gives the same two lanes and flags as
 * cvtpi2ps): the host's own MMX state is never touched. d and s are XMM
 * indices (16: a memory operand) or MMX indices (8: a memory operand).
 */
void helper_sse_cvt_mmx(CPUState *cs, uint32_t op, uint32_t d, uint32_t s)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    uint32_t g = guest_mxcsr_masked(env), out = g;
    XMMReg x = {{0}};
    V2D a, b;
    if (op == MN_CVTPI2PS || op == MN_CVTPI2PD) {
        if (s < 8) {
            mmx_enter(env, ra); /* a memory source makes no MMX transition */
        }
        x.q[0] = mmx_get(env, s);
    } else {
        mmx_enter(env, ra);
        x = *xmm(env, s);
        if (op == MN_CVTPS2PI || op == MN_CVTTPS2PI) {
            x.q[1] = 0;
        }
    }
    memcpy(&b, &x, 16);
    memcpy(&a, &x, 16);
    uint32_t host = host_mxcsr_save();
    switch (op) {
    case MN_CVTPI2PS: SSE_ASM2("cvtdq2ps"); break;
    case MN_CVTPI2PD: SSE_ASM2("cvtdq2pd"); break;
    case MN_CVTPS2PI: SSE_ASM2("cvtps2dq"); break;
    case MN_CVTTPS2PI: SSE_ASM2("cvttps2dq"); break;
    case MN_CVTPD2PI: SSE_ASM2("cvtpd2dq"); break;
    default: SSE_ASM2("cvttpd2dq"); break;
    }
    host_mxcsr_restore(host);
    sse_check_exc(env, out, ra);
    memcpy(&x, &a, 16);
    if (op == MN_CVTPI2PS) {
        xmm(env, d)->q[0] = x.q[0];
    } else if (op == MN_CVTPI2PD) {
        *xmm(env, d) = x;
    } else {
        mmx_set(env, d, x.q[0]);
    }
}
