/*
 * simd.c — AdvSIMD integer operations, run in C on the register file.
 *
 * translate-fp.c decodes an AdvSIMD instruction into a SimdOp code plus the
 * element size, Q, and registers, packed into two words (see simd.h), and
 * calls helper_simd_op, which computes the whole result into a temporary
 * before writing Vd (so Vd may alias a source), and zeroes bits 127:64 when
 * the operation is 64-bit (Q = 0), as every AdvSIMD write does (C7.2).
 * One generic helper is slower than inline IR but small, obviously right,
 * and easy to extend; hot operations can move inline later.
 */
#include <string.h>

#include "target/arm/cpu.h"
#include "target/arm/fpu.h"
#include "target/arm/simd.h"

#define HELPER_H "target/arm/helper.h"
#include "exec/helper-proto.h"

typedef struct Vec {
    uint8_t b[16];
} Vec;

#define FPSR_QC (1u << 27)

static uint64_t get_e(const Vec *v, int i, int size)
{
    uint64_t x = 0;
    memcpy(&x, v->b + (i << size), 1u << size);
    return x;
}

static int64_t get_se(const Vec *v, int i, int size)
{
    uint64_t x = get_e(v, i, size);
    int sh = 64 - (8 << size);
    return sh ? (int64_t)(x << sh) >> sh : (int64_t)x;
}

static void set_e(Vec *v, int i, int size, uint64_t x)
{
    memcpy(v->b + (i << size), &x, 1u << size);
}

static uint64_t emask(int size)
{
    return size == 3 ? ~0ull : (1ull << (8 << size)) - 1;
}

static void load_v(CPUARMState *env, int r, Vec *v)
{
    memcpy(v->b, env->v[r], 16);
}

static void store_v(CPUARMState *env, int r, const Vec *v, bool q)
{
    memcpy(env->v[r], v->b, q ? 16 : 8);
    if (!q) {
        env->v[r][1] = 0;
    }
}

static uint64_t bitrev8(uint64_t x)
{
    x = ((x >> 1) & 0x55) | ((x & 0x55) << 1);
    x = ((x >> 2) & 0x33) | ((x & 0x33) << 2);
    return ((x >> 4) & 0x0f) | ((x & 0x0f) << 4);
}

static bool simd_extra(CPUState *cs, int op, int size, bool *qp, int imm, const Vec *n,
                       const Vec *m, const Vec *d, Vec *r);

/* elementwise loop over n, m into r with typed elements: a, b (unsigned),
 * sa, sb (signed), ones (all bits set) are visible to EXPR */
#define ELOOP(UT, ST, EXPR)                                                            \
    do {                                                                               \
        const UT ones = (UT)~(UT)0;                                                    \
        (void)ones;                                                                    \
        for (int i = 0; i < elems; i++) {                                              \
            UT a, b;                                                                   \
            memcpy(&a, n.b + i * sizeof(UT), sizeof(UT));                              \
            memcpy(&b, m.b + i * sizeof(UT), sizeof(UT));                              \
            ST sa = (ST)a, sb = (ST)b;                                                 \
            (void)sa, (void)sb;                                                        \
            UT x = (UT)(EXPR);                                                         \
            memcpy(r.b + i * sizeof(UT), &x, sizeof(UT));                              \
        }                                                                              \
    } while (0)
/* pairwise: element i of the result from adjacent elements of n (low half) or m */
#define PLOOP(UT, ST, EXPR)                                                            \
    do {                                                                               \
        int half_ = elems / 2;                                                         \
        for (int i = 0; i < elems; i++) {                                              \
            const uint8_t *src = (i < half_ ? n.b : m.b) + (i % half_) * 2 * sizeof(UT); \
            UT a, b;                                                                   \
            memcpy(&a, src, sizeof(UT));                                               \
            memcpy(&b, src + sizeof(UT), sizeof(UT));                                  \
            ST sa = (ST)a, sb = (ST)b;                                                 \
            (void)sa, (void)sb;                                                        \
            UT x = (UT)(EXPR);                                                         \
            memcpy(r.b + i * sizeof(UT), &x, sizeof(UT));                              \
        }                                                                              \
    } while (0)
/* unary: a (unsigned), sa (signed) of n */
#define ULOOP(UT, ST, EXPR)                                                            \
    do {                                                                               \
        const UT ones = (UT)~(UT)0;                                                    \
        (void)ones;                                                                    \
        for (int i = 0; i < elems; i++) {                                              \
            UT a;                                                                      \
            memcpy(&a, n.b + i * sizeof(UT), sizeof(UT));                              \
            ST sa = (ST)a;                                                             \
            (void)sa;                                                                  \
            UT x = (UT)(EXPR);                                                         \
            memcpy(r.b + i * sizeof(UT), &x, sizeof(UT));                              \
        }                                                                              \
    } while (0)
#define BY_SIZE(LOOP, EXPR)                                                            \
    do {                                                                               \
        switch (size) {                                                                \
        case 0: LOOP(uint8_t, int8_t, EXPR); break;                                    \
        case 1: LOOP(uint16_t, int16_t, EXPR); break;                                  \
        case 2: LOOP(uint32_t, int32_t, EXPR); break;                                  \
        default: LOOP(uint64_t, int64_t, EXPR); break;                                 \
        }                                                                              \
    } while (0)
#define PAIRWISE(EXPR) BY_SIZE(PLOOP, EXPR)
#define UNARY(EXPR) BY_SIZE(ULOOP, EXPR)
#define ELEMWISE(EXPR)                                                                 \
    do {                                                                               \
        switch (size) {                                                                \
        case 0: ELOOP(uint8_t, int8_t, EXPR); break;                                   \
        case 1: ELOOP(uint16_t, int16_t, EXPR); break;                                 \
        case 2: ELOOP(uint32_t, int32_t, EXPR); break;                                 \
        default: ELOOP(uint64_t, int64_t, EXPR); break;                                \
        }                                                                              \
    } while (0)

/*
 * Compute one operation on register values n, m, d (d: the old destination)
 * into r; returns the effective Q (false: bits 127:64 of the result are zero).
 */
static bool simd_compute(CPUState *cs, int op, int size, bool q, int imm, Vec n, Vec m, Vec d,
                         Vec *rp)
{
    CPUARMState *env = cpu_env(cs);
    Vec r;
    memset(&r, 0, sizeof(r));
    if (simd_extra(cs, op, size, &q, imm, &n, &m, &d, &r)) {
        *rp = r;
        return q;
    }
    int esz = 8 << size;
    int elems = (q ? 128 : 64) / esz;
    uint64_t em = emask(size);

    switch (op) {
    case SOP_AND: case SOP_BIC: case SOP_ORR: case SOP_ORN: case SOP_EOR:
    case SOP_BSL: case SOP_BIT: case SOP_BIF:
        for (int i = 0; i < 2; i++) {
            uint64_t a, b, c, x;
            memcpy(&a, n.b + 8 * i, 8);
            memcpy(&b, m.b + 8 * i, 8);
            memcpy(&c, d.b + 8 * i, 8);
            switch (op) {
            case SOP_AND: x = a & b; break;
            case SOP_BIC: x = a & ~b; break;
            case SOP_ORR: x = a | b; break;
            case SOP_ORN: x = a | ~b; break;
            case SOP_EOR: x = a ^ b; break;
            case SOP_BSL: x = (c & a) | (~c & b); break;
            case SOP_BIT: x = (b & a) | (~b & c); break;
            default: x = (~b & a) | (b & c); break;
            }
            memcpy(r.b + 8 * i, &x, 8);
        }
        break;
    case SOP_ADD: case SOP_SUB: case SOP_MUL: case SOP_CMTST: case SOP_CMEQ:
    case SOP_CMGT: case SOP_CMHI: case SOP_CMGE: case SOP_CMHS:
    case SOP_SMAX: case SOP_UMAX: case SOP_SMIN: case SOP_UMIN:
        /* hot (string and zlib code): loops specialised by element type */
        switch (op) {
        case SOP_ADD: ELEMWISE(a + b); break;
        case SOP_SUB: ELEMWISE(a - b); break;
        case SOP_MUL: ELEMWISE((uint64_t)a * b); break; /* no int promotion overflow */
        case SOP_CMTST: ELEMWISE((a & b) ? ones : 0); break;
        case SOP_CMEQ: ELEMWISE(a == b ? ones : 0); break;
        case SOP_CMGT: ELEMWISE(sa > sb ? ones : 0); break;
        case SOP_CMHI: ELEMWISE(a > b ? ones : 0); break;
        case SOP_CMGE: ELEMWISE(sa >= sb ? ones : 0); break;
        case SOP_CMHS: ELEMWISE(a >= b ? ones : 0); break;
        case SOP_SMAX: ELEMWISE(sa > sb ? a : b); break;
        case SOP_UMAX: ELEMWISE(a > b ? a : b); break;
        case SOP_SMIN: ELEMWISE(sa < sb ? a : b); break;
        default: ELEMWISE(a < b ? a : b); break;
        }
        break;
    case SOP_USHL: case SOP_SSHL: /* shift by the signed low byte of each Vm element */
        for (int i = 0; i < elems; i++) {
            uint64_t a = get_e(&n, i, size), b = get_e(&m, i, size), x;
            int64_t sa = get_se(&n, i, size);
            int sh = (int8_t)b;
            if (sh >= esz) {
                x = 0;
            } else if (sh >= 0) {
                x = a << sh;
            } else if (-sh >= esz) {
                x = op == SOP_SSHL && sa < 0 ? em : 0;
            } else {
                x = op == SOP_SSHL ? (uint64_t)(sa >> -sh) : a >> -sh;
            }
            set_e(&r, i, size, x & em);
        }
        break;
    case SOP_ADDP: case SOP_SMAXP: case SOP_UMAXP: case SOP_SMINP: case SOP_UMINP:
        switch (op) {
        case SOP_ADDP: PAIRWISE(a + b); break;
        case SOP_SMAXP: PAIRWISE(sa > sb ? a : b); break;
        case SOP_UMAXP: PAIRWISE(a > b ? a : b); break;
        case SOP_SMINP: PAIRWISE(sa < sb ? a : b); break;
        default: PAIRWISE(a < b ? a : b); break;
        }
        break;
    case SOP_CNT:
        for (int i = 0; i < elems; i++) {
            set_e(&r, i, 0, (uint64_t)__builtin_popcount((unsigned)get_e(&n, i, 0)));
        }
        break;
    case SOP_NOT:
        for (int i = 0; i < 16; i++) {
            r.b[i] = (uint8_t)~n.b[i];
        }
        break;
    case SOP_RBIT:
        for (int i = 0; i < 16; i++) {
            r.b[i] = (uint8_t)bitrev8(n.b[i]);
        }
        break;
    case SOP_CMEQ0: case SOP_CMGT0: case SOP_CMGE0: case SOP_CMLE0: case SOP_CMLT0:
    case SOP_ABS: case SOP_NEG:
        switch (op) {
        case SOP_CMEQ0: UNARY(sa == 0 ? ones : 0); break;
        case SOP_CMGT0: UNARY(sa > 0 ? ones : 0); break;
        case SOP_CMGE0: UNARY(sa >= 0 ? ones : 0); break;
        case SOP_CMLE0: UNARY(sa <= 0 ? ones : 0); break;
        case SOP_CMLT0: UNARY(sa < 0 ? ones : 0); break;
        case SOP_ABS: UNARY(sa < 0 ? (uint64_t)0 - a : a); break;
        default: UNARY((uint64_t)0 - a); break;
        }
        break;
    case SOP_REV: { /* reverse elements of `size` within containers of 1 << imm bytes */
        int per = (1 << imm) >> size;
        for (int i = 0; i < elems; i++) {
            int base = i - i % per;
            set_e(&r, i, size, get_e(&n, base + per - 1 - i % per, size));
        }
        break;
    }
    case SOP_XTN: { /* narrow 2*size elements of Vn into the low/high half (Q) */
        int ne = 64 / esz;
        r = d;
        if (!q) {
            memset(r.b + 8, 0, 8);
        }
        for (int i = 0; i < ne; i++) {
            set_e(&r, (q ? ne : 0) + i, size, get_e(&n, i, size + 1) & em);
        }
        break;
    }
    case SOP_ADDV: case SOP_SMAXV: case SOP_UMAXV: case SOP_SMINV: case SOP_UMINV:
    case SOP_UADDLV: case SOP_SADDLV: {
        uint64_t acc = get_e(&n, 0, size);
        int64_t sacc = get_se(&n, 0, size);
        for (int i = 1; i < elems; i++) {
            uint64_t a = get_e(&n, i, size);
            int64_t sa = get_se(&n, i, size);
            switch (op) {
            case SOP_ADDV: case SOP_UADDLV: acc += a; break;
            case SOP_SADDLV: sacc += sa; break;
            case SOP_SMAXV: sacc = sa > sacc ? sa : sacc; break;
            case SOP_UMAXV: acc = a > acc ? a : acc; break;
            case SOP_SMINV: sacc = sa < sacc ? sa : sacc; break;
            default: acc = a < acc ? a : acc; break;
            }
        }
        if (op == SOP_SADDLV) {
            set_e(&r, 0, size + 1, (uint64_t)sacc & emask(size + 1));
        } else if (op == SOP_UADDLV) {
            set_e(&r, 0, size + 1, acc & emask(size + 1));
        } else if (op == SOP_SMAXV || op == SOP_SMINV) {
            set_e(&r, 0, size, (uint64_t)sacc & em);
        } else {
            set_e(&r, 0, size, acc & em);
        }
        *rp = r;
        return false;
    }
    case SOP_DUPE: /* DUP Vd.T, Vn.Ts[imm] */
        for (int i = 0; i < elems; i++) {
            set_e(&r, i, size, get_e(&n, imm, size));
        }
        break;
    case SOP_INSE: /* INS Vd.Ts[imm & 15], Vn.Ts[imm >> 4] */
        r = d;
        set_e(&r, imm & 15, size, get_e(&n, imm >> 4, size));
        q = true;
        break;
    case SOP_EXT: { /* bytes imm.. of Vm:Vn */
        uint8_t cat[32];
        int nb = q ? 16 : 8;
        memcpy(cat, n.b, nb);
        memcpy(cat + nb, m.b, nb);
        memcpy(r.b, cat + imm, nb);
        break;
    }
    case SOP_ZIP1: case SOP_ZIP2: case SOP_UZP1: case SOP_UZP2: case SOP_TRN1: case SOP_TRN2: {
        int half = elems / 2;
        for (int i = 0; i < elems; i++) {
            uint64_t x;
            switch (op) {
            case SOP_ZIP1:
            case SOP_ZIP2: {
                int base = op == SOP_ZIP2 ? half : 0;
                x = (i & 1) ? get_e(&m, base + i / 2, size) : get_e(&n, base + i / 2, size);
                break;
            }
            case SOP_UZP1:
            case SOP_UZP2: {
                int k = 2 * i + (op == SOP_UZP2);
                x = k < elems ? get_e(&n, k, size) : get_e(&m, k - elems, size);
                break;
            }
            default: {
                int p = op == SOP_TRN2;
                x = (i & 1) ? get_e(&m, (i & ~1) + p, size) : get_e(&n, (i & ~1) + p, size);
                break;
            }
            }
            set_e(&r, i, size, x);
        }
        break;
    }
    case SOP_SHR: case SOP_SSHR: case SOP_SHL: case SOP_USRA: case SOP_SSRA:
        for (int i = 0; i < elems; i++) {
            uint64_t a = get_e(&n, i, size), x;
            int64_t sa = get_se(&n, i, size);
            switch (op) {
            case SOP_SHR: x = imm >= esz ? 0 : a >> imm; break;
            case SOP_SSHR: x = (uint64_t)(sa >> (imm >= esz ? esz - 1 : imm)); break;
            case SOP_SHL: x = a << imm; break;
            case SOP_USRA: x = get_e(&d, i, size) + (imm >= esz ? 0 : a >> imm); break;
            default:
                x = get_e(&d, i, size) + (uint64_t)(sa >> (imm >= esz ? esz - 1 : imm));
                break;
            }
            set_e(&r, i, size, x & em);
        }
        break;
    case SOP_SHRN: { /* narrow (Vn.2T >> imm) into half of Vd */
        int ne = 64 / esz;
        r = d;
        if (!q) {
            memset(r.b + 8, 0, 8);
        }
        for (int i = 0; i < ne; i++) {
            set_e(&r, (q ? ne : 0) + i, size, (get_e(&n, i, size + 1) >> imm) & em);
        }
        break;
    }
    case SOP_USHLL: case SOP_SSHLL: { /* widen half of Vn (Q picks which) << imm */
        const uint8_t *src = n.b + (q ? 8 : 0);
        bool sg = op == SOP_SSHLL;
#define WIDEN(NT, SNT, WT)                                                             \
    for (int i = 0; i < (int)(8 / sizeof(NT)); i++) {                                  \
        NT v;                                                                          \
        memcpy(&v, src + i * sizeof(NT), sizeof(NT));                                  \
        WT w = sg ? (WT)(SNT)v : (WT)v;                                                \
        w = (WT)(w << imm);                                                            \
        memcpy(r.b + i * sizeof(WT), &w, sizeof(WT));                                  \
    }
        switch (size) {
        case 0: WIDEN(uint8_t, int8_t, uint16_t); break;
        case 1: WIDEN(uint16_t, int16_t, uint32_t); break;
        default: WIDEN(uint32_t, int32_t, uint64_t); break;
        }
#undef WIDEN
        q = true;
        break;
    }
    case SOP_SADDL: case SOP_UADDL: case SOP_SADDW: case SOP_UADDW: case SOP_SSUBL:
    case SOP_USUBL: case SOP_SSUBW: case SOP_USUBW: case SOP_SABAL: case SOP_UABAL:
    case SOP_SABDL: case SOP_UABDL: case SOP_SMLAL: case SOP_UMLAL: case SOP_SMLSL:
    case SOP_UMLSL: case SOP_SMULL: case SOP_UMULL: {
        /* widening: elements of the low (q=0) or high (q=1) half of Vn/Vm */
        int ne = 64 / esz, w = size + 1;
        uint64_t wm = emask(w);
        bool sgn = op == SOP_SADDL || op == SOP_SADDW || op == SOP_SSUBL || op == SOP_SSUBW ||
                   op == SOP_SABAL || op == SOP_SABDL || op == SOP_SMLAL || op == SOP_SMLSL ||
                   op == SOP_SMULL;
        bool wide = op == SOP_SADDW || op == SOP_UADDW || op == SOP_SSUBW || op == SOP_USUBW;
        for (int i = 0; i < ne; i++) {
            int j = (q ? ne : 0) + i;
            int64_t a = wide ? (int64_t)get_e(&n, i, w)
                             : (sgn ? get_se(&n, j, size) : (int64_t)get_e(&n, j, size));
            int64_t b = sgn ? get_se(&m, j, size) : (int64_t)get_e(&m, j, size);
            uint64_t acc = get_e(&d, i, w), x;
            switch (op) {
            case SOP_SADDL: case SOP_UADDL: case SOP_SADDW: case SOP_UADDW:
                x = (uint64_t)(a + b);
                break;
            case SOP_SSUBL: case SOP_USUBL: case SOP_SSUBW: case SOP_USUBW:
                x = (uint64_t)(a - b);
                break;
            case SOP_SABAL: case SOP_UABAL:
                x = acc + (uint64_t)(a > b ? a - b : b - a);
                break;
            case SOP_SABDL: case SOP_UABDL:
                x = (uint64_t)(a > b ? a - b : b - a);
                break;
            case SOP_SMLAL: case SOP_UMLAL:
                x = acc + (uint64_t)a * (uint64_t)b;
                break;
            case SOP_SMLSL: case SOP_UMLSL:
                x = acc - (uint64_t)a * (uint64_t)b;
                break;
            default:
                x = (uint64_t)a * (uint64_t)b;
                break;
            }
            set_e(&r, i, w, x & wm);
        }
        q = true;
        break;
    }
    case SOP_ADDHN: case SOP_RADDHN: case SOP_SUBHN: case SOP_RSUBHN: {
        /* narrowing high half of (Vn.2T op Vm.2T) into the low/high half of Vd */
        int ne = 64 / esz, w = size + 1;
        r = d;
        if (!q) {
            memset(r.b + 8, 0, 8);
        }
        for (int i = 0; i < ne; i++) {
            uint64_t a = get_e(&n, i, w), b = get_e(&m, i, w);
            uint64_t x = (op == SOP_ADDHN || op == SOP_RADDHN) ? a + b : a - b;
            if (op == SOP_RADDHN || op == SOP_RSUBHN) {
                x += 1ull << (esz - 1);
            }
            set_e(&r, (q ? ne : 0) + i, size, (x >> esz) & em);
        }
        q = true;
        break;
    }
    case SOP_MLA: case SOP_MLS: case SOP_SABD: case SOP_UABD:
        for (int i = 0; i < elems; i++) {
            uint64_t a = get_e(&n, i, size), b = get_e(&m, i, size), x;
            int64_t sa = get_se(&n, i, size), sb = get_se(&m, i, size);
            switch (op) {
            case SOP_MLA: x = get_e(&d, i, size) + a * b; break;
            case SOP_MLS: x = get_e(&d, i, size) - a * b; break;
            case SOP_SABD: x = (uint64_t)(sa > sb ? sa - sb : sb - sa); break;
            default: x = a > b ? a - b : b - a; break;
            }
            set_e(&r, i, size, x & em);
        }
        break;
    case SOP_FNEG: case SOP_FABS:
        for (int i = 0; i < elems; i++) {
            uint64_t a = get_e(&n, i, size), sign = 1ull << (esz - 1);
            set_e(&r, i, size, op == SOP_FNEG ? a ^ sign : a & ~sign);
        }
        break;
    case SOP_SCVTF: case SOP_UCVTF:
        for (int i = 0; i < elems; i++) {
            /* int_to_fp op: signed << 2 | from64 << 1 | dbl */
            uint32_t fop = (op == SOP_SCVTF) << 2 | (size == 3) << 1 | (size == 3);
            set_e(&r, i, size, helper_int_to_fp(cs, fop, get_e(&n, i, size), 0));
        }
        break;
    case SOP_FCVTI:
        for (int i = 0; i < elems; i++) {
            /* fp_to_int op: rmode << 3 | signed << 2 | to64 << 1 | dbl */
            uint32_t fop = (uint32_t)(imm >> 1) << 3 | !(imm & 1) << 2 | (size == 3) << 1 |
                           (size == 3);
            set_e(&r, i, size, helper_fp_to_int(cs, fop, get_e(&n, i, size), 0));
        }
        break;
    case SOP_FARITH: case SOP_FMLA: case SOP_FMLS: case SOP_FABD: case SOP_FADDP:
    case SOP_FCMEQ: case SOP_FCMGE: case SOP_FCMGT: case SOP_FACGE: case SOP_FACGT: {
        uint32_t dbl = size == 3;
        uint64_t sign = 1ull << (esz - 1);
        for (int i = 0; i < elems; i++) {
            uint64_t a = get_e(&n, i, size), b = get_e(&m, i, size), x;
            switch (op) {
            case SOP_FARITH:
                x = helper_fp_arith(cs, (uint32_t)imm << 1 | dbl, a, b);
                break;
            case SOP_FMLA:
                x = helper_fp_fma(cs, FPF_MADD << 1 | dbl, a, b, get_e(&d, i, size));
                break;
            case SOP_FMLS: /* Vd - Vn * Vm, with Vn negated first */
                x = helper_fp_fma(cs, FPF_MSUB << 1 | dbl, a, b, get_e(&d, i, size));
                break;
            case SOP_FABD:
                /* FPAbs(FPSub()): the sign is cleared even on a NaN */
                x = helper_fp_arith(cs, FPA_SUB << 1 | dbl, a, b) & ~sign;
                break;
            case SOP_FADDP: {
                const Vec *src = i < elems / 2 ? &n : &m;
                int j = (i % (elems / 2)) * 2;
                x = helper_fp_arith(cs, FPA_ADD << 1 | dbl, get_e(src, j, size),
                                    get_e(src, j + 1, size));
                break;
            }
            default: {
                /* fp_cmp: NZCV = 0110 eq, 1000 lt, 0010 gt, 0011 unordered;
                 * FCMEQ is quiet, the ordered compares signal on any NaN */
                if (op == SOP_FACGE || op == SOP_FACGT) {
                    a &= ~sign;
                    b &= ~sign;
                }
                uint32_t sig = op != SOP_FCMEQ;
                uint32_t f = helper_fp_cmp(cs, sig << 1 | dbl, a, b) >> 28;
                bool t;
                switch (op) {
                case SOP_FCMEQ: t = f == 0x6; break;
                case SOP_FCMGE: case SOP_FACGE: t = f == 0x6 || f == 0x2; break;
                default: t = f == 0x2; break;
                }
                x = t ? em : 0;
                break;
            }
            }
            set_e(&r, i, size, x & em);
        }
        break;
    }
    default:
        break;
    }
    (void)env;
    *rp = r;
    return q;
}

void helper_simd_op(CPUState *cs, uint32_t desc, uint32_t regs)
{
    CPUARMState *env = cpu_env(cs);
    int op = SIMD_DESC_OP(desc), size = SIMD_DESC_SIZE(desc);
    bool q = SIMD_DESC_Q(desc);
    int imm = SIMD_DESC_IMM(desc);
    int rd = regs & 31, rn = (regs >> 5) & 31, rm = (regs >> 10) & 31;
    Vec n, m, d, r;
    load_v(env, rn, &n);
    load_v(env, rm, &m);
    load_v(env, rd, &d);
    bool scalar = (desc & SIMD_DESC_SCALAR) != 0;
    if (scalar) {
        /* lanes above element 0 read as zero (no flags come from them) */
        for (int i = 1; i < (16 >> size); i++) {
            set_e(&n, i, size, 0);
            set_e(&m, i, size, 0);
        }
    }
    if (op == SOP_BYELEM) {
        /* "by element": Vm's element (index in imm >> 8) in every lane, then the base op */
        int idx = imm >> 8;
        uint64_t e = get_e(&m, idx, size);
        for (int i = 0; i < (16 >> size); i++) {
            set_e(&m, i, size, e);
        }
        op = imm & 0xff;
        imm = 0;
        if (op == SOP_FMULE) {
            op = SOP_FARITH;
            imm = FPA_MUL;
        }
    }
    q = simd_compute(cs, op, size, q, imm, n, m, d, &r);
    if (scalar) {
        for (int i = 1; i < (16 >> size); i++) {
            set_e(&r, i, size, 0);
        }
        q = false;
    }
    store_v(env, rd, &r, q);
}

/* TBL/TBX: desc = q << 3 | (len - 1) << 1 | tbx; regs = rd | rn << 5 | rm << 10 */
void helper_simd_tbl(CPUState *cs, uint32_t desc, uint32_t regs)
{
    CPUARMState *env = cpu_env(cs);
    int rd = regs & 31, rn = (regs >> 5) & 31, rm = (regs >> 10) & 31;
    int len = (int)((desc >> 1) & 3) + 1;
    bool tbx = desc & 1, q = (desc >> 3) & 1;
    uint8_t table[64];
    for (int i = 0; i < len; i++) {
        memcpy(table + 16 * i, env->v[(rn + i) % 32], 16);
    }
    Vec idx, d, r;
    load_v(env, rm, &idx);
    load_v(env, rd, &d);
    for (int i = 0; i < 16; i++) {
        int k = idx.b[i];
        r.b[i] = k < 16 * len ? table[k] : (tbx ? d.b[i] : 0);
    }
    store_v(env, rd, &r, q);
}

/* ---------------------------------------------------------------- saturating & co */

typedef __int128 i128;

/* clamp v to the signed (sgn) or unsigned range of esz bits; sets FPSR.QC */
static uint64_t sat(CPUState *cs, i128 v, int esz, bool sgn)
{
    i128 lo, hi;
    if (sgn) {
        hi = ((i128)1 << (esz - 1)) - 1;
        lo = -hi - 1;
    } else {
        lo = 0;
        hi = ((i128)1 << esz) - 1;
    }
    if (v < lo || v > hi) {
        cpu_env(cs)->fpsr |= FPSR_QC;
        v = v < lo ? lo : hi;
    }
    return (uint64_t)v & emask(esz == 64 ? 3 : esz == 32 ? 2 : esz == 16 ? 1 : 0);
}

static i128 elt(const Vec *v, int i, int size, bool sgn)
{
    return sgn ? (i128)get_se(v, i, size) : (i128)get_e(v, i, size);
}

/* a << sh for a signed shift count (right when negative), infinite precision;
 * *big when the left shift leaves the 128-bit range (only matters when saturating) */
static i128 shift_any(i128 a, int sh, bool round, bool *big)
{
    *big = false;
    if (sh >= 0) {
        if (a != 0 && sh >= 64) {
            *big = true;
            return a < 0 ? -((i128)1 << 100) : ((i128)1 << 100);
        }
        return a * ((i128)1 << sh);
    }
    int n = -sh > 126 ? 126 : -sh;
    if (round) {
        a += (i128)1 << (n - 1);
    }
    return a >> n;
}

static bool simd_extra(CPUState *cs, int op, int size, bool *qp, int imm, const Vec *n,
                       const Vec *m, const Vec *d, Vec *r)
{
    bool q = *qp, uns = imm & 1;
    int esz = 8 << size, elems = (q ? 128 : 64) / esz;
    uint64_t em = emask(size);
    switch (op) {
    case SOP_HADD: case SOP_RHADD: case SOP_HSUB: case SOP_QADD: case SOP_QSUB:
    case SOP_ABA: case SOP_RSHL: case SOP_QSHL: case SOP_QRSHL: case SOP_QDMULH:
    case SOP_QRDMULH: case SOP_PMUL:
        for (int i = 0; i < elems; i++) {
            i128 a = elt(n, i, size, !uns), b = elt(m, i, size, !uns);
            uint64_t x;
            bool big;
            switch (op) {
            case SOP_HADD: x = (uint64_t)((a + b) >> 1); break;
            case SOP_RHADD: x = (uint64_t)((a + b + 1) >> 1); break;
            case SOP_HSUB: x = (uint64_t)((a - b) >> 1); break;
            case SOP_QADD: x = sat(cs, a + b, esz, !uns); break;
            case SOP_QSUB: x = sat(cs, a - b, esz, !uns); break;
            case SOP_ABA:
                x = get_e(d, i, size) + (uint64_t)(a > b ? a - b : b - a);
                break;
            case SOP_RSHL: {
                i128 v = shift_any(a, (int8_t)get_e(m, i, size), true, &big);
                x = big ? 0 : (uint64_t)v;
                break;
            }
            case SOP_QSHL:
            case SOP_QRSHL: {
                i128 v = shift_any(a, (int8_t)get_e(m, i, size), op == SOP_QRSHL, &big);
                x = sat(cs, v, esz, !uns);
                break;
            }
            case SOP_QDMULH:
            case SOP_QRDMULH: {
                i128 p = 2 * a * b + (op == SOP_QRDMULH ? (i128)1 << (esz - 1) : 0);
                x = sat(cs, p >> esz, esz, true);
                break;
            }
            default: { /* PMUL: carry-less multiply of bytes */
                uint64_t pa = (uint64_t)a & 0xff, pb = (uint64_t)b & 0xff, pr = 0;
                for (int k = 0; k < 8; k++) {
                    if (pb & (1u << k)) {
                        pr ^= pa << k;
                    }
                }
                x = pr;
                break;
            }
            }
            set_e(r, i, size, x & em);
        }
        return true;
    case SOP_CLS: case SOP_CLZ:
        for (int i = 0; i < elems; i++) {
            uint64_t a = get_e(n, i, size);
            if (op == SOP_CLS) {
                int64_t sa = get_se(n, i, size);
                a = (uint64_t)(sa ^ (sa >> 63)) & em;
            }
            int c = 0;
            for (int b = esz - 1; b >= 0 && !(a >> b & 1); b--) {
                c++;
            }
            set_e(r, i, size, (uint64_t)(op == SOP_CLS ? c - 1 : c));
        }
        return true;
    case SOP_ADDLP: case SOP_ADALP: {
        int ne = elems / 2;
        for (int i = 0; i < ne; i++) {
            i128 s2 = elt(n, 2 * i, size, !uns) + elt(n, 2 * i + 1, size, !uns);
            if (op == SOP_ADALP) {
                s2 += (i128)get_e(d, i, size + 1);
            }
            set_e(r, i, size + 1, (uint64_t)s2 & emask(size + 1));
        }
        return true;
    }
    case SOP_QABS: case SOP_QNEG:
        for (int i = 0; i < elems; i++) {
            i128 a = elt(n, i, size, true);
            set_e(r, i, size, sat(cs, op == SOP_QABS ? (a < 0 ? -a : a) : -a, esz, true));
        }
        return true;
    case SOP_SUQADD: case SOP_USQADD:
        /* SUQADD: signed acc + unsigned n -> signed sat; USQADD: unsigned acc + signed n */
        for (int i = 0; i < elems; i++) {
            i128 acc = elt(d, i, size, op == SOP_SUQADD);
            i128 a = elt(n, i, size, op == SOP_USQADD);
            set_e(r, i, size, sat(cs, acc + a, esz, op == SOP_SUQADD));
        }
        return true;
    case SOP_QXTN: case SOP_QXTUN: {
        /* saturating narrow of 2*size elements of Vn into the low/high half of Vd */
        int ne = 64 / esz;
        *r = *d;
        if (!q) {
            memset(r->b + 8, 0, 8);
        }
        for (int i = 0; i < ne; i++) {
            i128 a = elt(n, i, size + 1, op == SOP_QXTUN ? true : !uns);
            set_e(r, (q ? ne : 0) + i, size, sat(cs, a, esz, op == SOP_QXTUN ? false : !uns));
        }
        *qp = true;
        return true;
    }
    case SOP_RSHR: case SOP_RSRA: case SOP_SRI: case SOP_SLI: case SOP_QSHLI: case SOP_QSHLU: {
        /* shifts by immediate: imm = count << 1 | unsigned */
        int sh = imm >> 1;
        for (int i = 0; i < elems; i++) {
            i128 a = elt(n, i, size, !uns);
            uint64_t x, old = get_e(d, i, size);
            bool big;
            switch (op) {
            case SOP_RSHR: x = (uint64_t)shift_any(a, -sh, true, &big); break;
            case SOP_RSRA: x = old + (uint64_t)shift_any(a, -sh, true, &big); break;
            case SOP_SRI: {
                uint64_t keep = sh >= esz ? em : ~(em >> sh) & em;
                x = (old & keep) | (sh >= esz ? 0 : (get_e(n, i, size) >> sh));
                break;
            }
            case SOP_SLI: {
                uint64_t keep = (1ull << sh) - 1;
                x = (old & keep) | (get_e(n, i, size) << sh);
                break;
            }
            case SOP_QSHLI: x = sat(cs, shift_any(a, sh, false, &big), esz, !uns); break;
            default: /* SQSHLU: signed source, unsigned saturation */
                x = sat(cs, shift_any(elt(n, i, size, true), sh, false, &big), esz, false);
                break;
            }
            set_e(r, i, size, x & em);
        }
        return true;
    }
    case SOP_QSHRN: case SOP_QRSHRN: case SOP_QSHRUN: case SOP_QRSHRUN: case SOP_RSHRN: {
        /* narrowing shifts: source elements 2*size, imm = count << 1 | unsigned */
        int sh = imm >> 1, ne = 64 / esz;
        bool round = op == SOP_QRSHRN || op == SOP_QRSHRUN || op == SOP_RSHRN;
        bool src_signed = (op == SOP_QSHRUN || op == SOP_QRSHRUN) ? true : !uns;
        *r = *d;
        if (!q) {
            memset(r->b + 8, 0, 8);
        }
        for (int i = 0; i < ne; i++) {
            bool big;
            i128 v = shift_any(elt(n, i, size + 1, src_signed), -sh, round, &big);
            uint64_t x;
            if (op == SOP_RSHRN) {
                x = (uint64_t)v & em;
            } else {
                x = sat(cs, v, esz, (op == SOP_QSHRUN || op == SOP_QRSHRUN) ? false : !uns);
            }
            set_e(r, (q ? ne : 0) + i, size, x);
        }
        *qp = true;
        return true;
    }
    case SOP_FCVTL: { /* widen the low/high half: size 3: S -> D, size 2: H -> S */
        int ne = size == 3 ? 2 : 4, ssz = size - 1;
        for (int i = 0; i < ne; i++) {
            uint64_t a = get_e(n, (q ? ne : 0) + i, ssz);
            set_e(r, i, size, helper_fp_cvt(cs, size == 3 ? 0 : 5, a) & emask(size));
        }
        *qp = true;
        return true;
    }
    case SOP_FCVTN: { /* narrow into the low/high half: size 2: D -> S, size 1: S -> H */
        int ne = size == 2 ? 2 : 4;
        *r = *d;
        if (!q) {
            memset(r->b + 8, 0, 8);
        }
        for (int i = 0; i < ne; i++) {
            uint32_t cop = size == 1 ? 3 : imm ? 2 : 1; /* imm: FCVTXN */
            set_e(r, (q ? ne : 0) + i, size,
                  helper_fp_cvt(cs, cop, get_e(n, i, size + 1)) & emask(size));
        }
        *qp = true;
        return true;
    }
    case SOP_FUNARY: /* imm = FPU_* kind */
        for (int i = 0; i < elems; i++) {
            set_e(r, i, size, helper_fp_unary(cs, (uint32_t)imm << 1 | (size == 3),
                                              get_e(n, i, size)));
        }
        return true;
    case SOP_FCMZ: { /* compare with zero: imm 0 GT, 1 EQ, 2 LT, 3 GE, 4 LE */
        for (int i = 0; i < elems; i++) {
            uint32_t sig = imm != 1;
            uint32_t f = helper_fp_cmp(cs, sig << 1 | (size == 3), get_e(n, i, size), 0) >> 28;
            bool t;
            switch (imm) {
            case 0: t = f == 0x2; break;
            case 1: t = f == 0x6; break;
            case 2: t = f == 0x8; break;
            case 3: t = f == 0x2 || f == 0x6; break;
            default: t = f == 0x8 || f == 0x6; break;
            }
            set_e(r, i, size, t ? em : 0);
        }
        return true;
    }
    case SOP_FCVTFIX: case SOP_CVTFFIX: {
        /* fixed-point conversions: imm = fbits << 1 | unsigned */
        int fb = imm >> 1;
        for (int i = 0; i < elems; i++) {
            uint64_t a = get_e(n, i, size), x;
            if (op == SOP_FCVTFIX) { /* FCVTZS/FCVTZU #fbits */
                x = helper_fp_to_int(cs, (uint32_t)FPR_Z << 3 | !uns << 2 | (size == 3) << 1 |
                                             (size == 3), a, (uint32_t)fb);
            } else { /* SCVTF/UCVTF #fbits */
                x = helper_int_to_fp(cs, !uns << 2 | (size == 3) << 1 | (size == 3), a,
                                     (uint32_t)fb);
            }
            set_e(r, i, size, x & em);
        }
        return true;
    }
    case SOP_PMULL8: /* polynomial 8x8 -> 16 of the low/high half */
        for (int i = 0; i < 8; i++) {
            uint32_t pa = (uint32_t)get_e(n, (q ? 8 : 0) + i, 0);
            uint32_t pb = (uint32_t)get_e(m, (q ? 8 : 0) + i, 0), pr = 0;
            for (int k = 0; k < 8; k++) {
                if (pb & (1u << k)) {
                    pr ^= pa << k;
                }
            }
            set_e(r, i, 1, pr);
        }
        *qp = true;
        return true;
    case SOP_URECPE: case SOP_URSQRTE:
        for (int i = 0; i < elems; i++) {
            uint32_t a = (uint32_t)get_e(n, i, 2), x;
            if (op == SOP_URECPE) {
                x = (a >> 31) ? (uint32_t)arm_recip_estimate((int)(a >> 23)) << 23 : ~0u;
            } else {
                x = (a >> 30) ? (uint32_t)arm_rsqrt_estimate((int)(a >> 23)) << 23 : ~0u;
            }
            set_e(r, i, 2, x);
        }
        return true;
    case SOP_FMULX: case SOP_FRECPS: case SOP_FRSQRTS: {
        uint32_t dbl = size == 3;
        uint64_t sign = 1ull << (esz - 1), mag = sign - 1;
        uint64_t inf = dbl ? 0x7ff0000000000000ull : 0x7f800000u;
        uint64_t two = dbl ? 0x4000000000000000ull : 0x40000000u;
        CPUARMState *fenv = cpu_env(cs);
        bool fz = (fenv->fpcr & (1u << 24)) != 0; /* FPCR.FZ */
        uint64_t min_normal = dbl ? 1ull << 52 : 1ull << 23;
        for (int i = 0; i < elems; i++) {
            uint64_t a = get_e(n, i, size), b = get_e(m, i, size), x;
            /* with FPCR.FZ a denormal input counts as zero here too, and sets IDC */
            bool a_den = (a & mag) != 0 && (a & mag) < min_normal;
            bool b_den = (b & mag) != 0 && (b & mag) < min_normal;
            bool a_zero = (a & mag) == 0 || (fz && a_den);
            bool b_zero = (b & mag) == 0 || (fz && b_den);
            bool inf_zero = ((a & mag) == inf && b_zero) || (a_zero && (b & mag) == inf);
            if (inf_zero && fz && (a_den || b_den)) {
                fenv->fpsr |= 1u << 7; /* FPSR.IDC */
            }
            bool nan = ((a & mag) > inf) || ((b & mag) > inf);
            if (op == SOP_FMULX) {
                x = (inf_zero && !nan) ? (two | ((a ^ b) & sign))
                                       : helper_fp_arith(cs, FPA_MUL << 1 | dbl, a, b);
            } else if (op == SOP_FRECPS) { /* 2 - a*b, fused; inf*0 gives 2.0 */
                x = (inf_zero && !nan) ? two
                                       : helper_fp_fma(cs, FPF_MSUB << 1 | dbl, a, b, two);
            } else { /* (3 - a*b) / 2 with one rounding; inf*0 gives 1.5 */
                if (inf_zero && !nan) {
                    x = dbl ? 0x3ff8000000000000ull : 0x3fc00000u;
                } else {
                    /* = 1.5 - a * (b / 2): halve an operand whose halving is exact
                     * (exponent field >= 2; not NaN/inf). If both are tiny the
                     * product is far below 1.5's ulp and halving does not matter. */
                    int fb = dbl ? 52 : 23;
                    uint64_t emask_ = dbl ? 0x7ff : 0xff;
                    uint64_t one_e = 1ull << fb;
                    uint64_t eb = (b >> fb) & emask_, ea = (a >> fb) & emask_;
                    uint64_t onehalf = dbl ? 0x3ff8000000000000ull : 0x3fc00000u;
                    if (eb >= 2 && eb != emask_) {
                        b -= one_e;
                    } else if (ea >= 2 && ea != emask_) {
                        a -= one_e;
                    }
                    x = helper_fp_fma(cs, FPF_MSUB << 1 | dbl, a, b, onehalf);
                }
            }
            set_e(r, i, size, x & em);
        }
        return true;
    }
    case SOP_FMAXP: case SOP_FMINP: case SOP_FMAXNMP: case SOP_FMINNMP: {
        static const int kind[4] = {FPA_MAX, FPA_MIN, FPA_MAXNM, FPA_MINNM};
        uint32_t k = (uint32_t)kind[op - SOP_FMAXP] << 1 | (size == 3);
        for (int i = 0; i < elems; i++) {
            const Vec *src = i < elems / 2 ? n : m;
            int j = (i % (elems / 2)) * 2;
            set_e(r, i, size, helper_fp_arith(cs, k, get_e(src, j, size), get_e(src, j + 1, size)));
        }
        return true;
    }
    case SOP_FMAXV: case SOP_FMINV: case SOP_FMAXNMV: case SOP_FMINNMV: {
        /* reduction as a tree: (e0 op e1) op (e2 op e3) (FPReduce) */
        static const int kind[4] = {FPA_MAX, FPA_MIN, FPA_MAXNM, FPA_MINNM};
        uint32_t k = (uint32_t)kind[op - SOP_FMAXV] << 1;
        uint64_t lo = helper_fp_arith(cs, k, get_e(n, 0, 2), get_e(n, 1, 2));
        uint64_t hi = helper_fp_arith(cs, k, get_e(n, 2, 2), get_e(n, 3, 2));
        set_e(r, 0, 2, helper_fp_arith(cs, k, lo, hi));
        *qp = false;
        return true;
    }
    case SOP_SQDMULL: case SOP_SQDMLAL: case SOP_SQDMLSL: {
        int ne = 64 / esz, w = size + 1, wesz = 2 * esz;
        for (int i = 0; i < ne; i++) {
            int j = (q ? ne : 0) + i;
            i128 p = sat(cs, 2 * elt(n, j, size, true) * elt(m, j, size, true), wesz, true);
            p = wesz == 64 ? (i128)(int64_t)p : (i128)(int32_t)p;
            uint64_t x;
            if (op == SOP_SQDMULL) {
                x = (uint64_t)p;
            } else {
                i128 acc = elt(d, i, w, true);
                x = sat(cs, op == SOP_SQDMLAL ? acc + p : acc - p, wesz, true);
            }
            set_e(r, i, w, x & emask(w));
        }
        *qp = true;
        return true;
    }
    default:
        return false;
    }
}
