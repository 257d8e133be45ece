/*
 * test-tcg-interp.c — hand-written IR programs run on the interpreter
 * backend, with expected values computed in C; plus a seeded random-program
 * test comparing optimized against unoptimized execution.
 *
 * Every case uses tests/unit/tcg-harness.h: r0..r15 are 64-bit globals over
 * HarnessCPU.regs; w0..w3 are 32-bit globals over the low words of
 * scratch[0..3] (so I32 results are observed in 32-bit memory, as a
 * frontend's 32-bit register would be).
 *
 * TCG_TEST_BACKEND=x86_64 in the environment runs every case on the JIT
 * instead (the interpreter is the default and what `make unit` checks).
 */
#include <inttypes.h>
#include <stdarg.h>

#include "tcg-harness.h"

static int failures;
static char why[512];
static bool case_ok;

static void case_begin(void)
{
    case_ok = true;
    why[0] = 0;
}
static void case_end(const char *name)
{
    if (case_ok) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
}
static void fail(const char *fmt, ...)
{
    if (!case_ok) {
        return; /* keep the first reason */
    }
    case_ok = false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
}
#define EXPECT(what, got, want)                                                        \
    do {                                                                               \
        uint64_t g_ = (got), w_ = (want);                                              \
        if (g_ != w_) {                                                                \
            fail("%s: got 0x%" PRIx64 " want 0x%" PRIx64, what, g_, w_);               \
        }                                                                              \
    } while (0)

static Harness *H;
static TCGv_i32 W[4];

static uint64_t *R(int i)
{
    return &H->cpu->regs[i];
}
static uint32_t Wv(int i)
{
    uint32_t v;
    memcpy(&v, &H->cpu->scratch[i], 4);
    return v;
}
static void set_w(int i, uint32_t v)
{
    H->cpu->scratch[i] = 0xdeadbeef00000000ull | v; /* high word must be ignored */
}

static const uint64_t vals[] = {
    0,
    1,
    2,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x100000000ull,
    0x123456789abcdef0ull,
    0xfedcba9876543210ull,
    0x7fffffffffffffffull,
    0x8000000000000000ull,
    0xffffffffffffffffull,
    31,
    32,
    63,
};
#define NVALS (sizeof(vals) / sizeof(vals[0]))

/* ------------------------------------------------------------ binary ops */

typedef void (*Gen32)(TCGv_i32, TCGv_i32, TCGv_i32);
typedef void (*Gen64)(TCGv_i64, TCGv_i64, TCGv_i64);
typedef uint64_t (*Ref)(unsigned w, uint64_t a, uint64_t b);

static uint64_t m(unsigned w, uint64_t x)
{
    return w == 32 ? (uint32_t)x : x;
}
static int64_t sx(unsigned w, uint64_t x)
{
    return w == 32 ? (int64_t)(int32_t)x : (int64_t)x;
}

static uint64_t r_add(unsigned w, uint64_t a, uint64_t b) { return m(w, a + b); }
static uint64_t r_sub(unsigned w, uint64_t a, uint64_t b) { return m(w, a - b); }
static uint64_t r_mul(unsigned w, uint64_t a, uint64_t b) { return m(w, m(w, a) * m(w, b)); }
static uint64_t r_and(unsigned w, uint64_t a, uint64_t b) { return m(w, a & b); }
static uint64_t r_or(unsigned w, uint64_t a, uint64_t b) { return m(w, a | b); }
static uint64_t r_xor(unsigned w, uint64_t a, uint64_t b) { return m(w, a ^ b); }
static uint64_t r_andc(unsigned w, uint64_t a, uint64_t b) { return m(w, a & ~b); }
static uint64_t r_orc(unsigned w, uint64_t a, uint64_t b) { return m(w, a | ~b); }
static uint64_t r_eqv(unsigned w, uint64_t a, uint64_t b) { return m(w, ~(a ^ b)); }
static uint64_t r_nand(unsigned w, uint64_t a, uint64_t b) { return m(w, ~(a & b)); }
static uint64_t r_nor(unsigned w, uint64_t a, uint64_t b) { return m(w, ~(a | b)); }
static uint64_t r_muluh(unsigned w, uint64_t a, uint64_t b)
{
    if (w == 32) {
        return (m(w, a) * m(w, b)) >> 32;
    }
    /* schoolbook on 32-bit halves */
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}
static uint64_t r_mulsh(unsigned w, uint64_t a, uint64_t b)
{
    if (w == 32) {
        return m(w, (uint64_t)(sx(w, a) * sx(w, b)) >> 32);
    }
    /* signed high = unsigned high - (a<0 ? b : 0) - (b<0 ? a : 0) */
    uint64_t h = r_muluh(64, a, b);
    if ((int64_t)a < 0) {
        h -= b;
    }
    if ((int64_t)b < 0) {
        h -= a;
    }
    return h;
}
static uint64_t r_divu(unsigned w, uint64_t a, uint64_t b)
{
    return m(w, b) ? m(w, a) / m(w, b) : 0;
}
static uint64_t r_remu(unsigned w, uint64_t a, uint64_t b)
{
    return m(w, b) ? m(w, a) % m(w, b) : 0;
}
static uint64_t r_div(unsigned w, uint64_t a, uint64_t b)
{
    int64_t x = sx(w, a), y = sx(w, b);
    if (y == 0) {
        return 0;
    }
    if (y == -1) {
        return m(w, 0 - (uint64_t)x);
    }
    return m(w, (uint64_t)(x / y));
}
static uint64_t r_rem(unsigned w, uint64_t a, uint64_t b)
{
    int64_t x = sx(w, a), y = sx(w, b);
    if (y == 0 || y == -1) {
        return 0;
    }
    return m(w, (uint64_t)(x % y));
}
/* shifts: only defined counts (< w) are tested against the reference */
static uint64_t r_shl(unsigned w, uint64_t a, uint64_t b) { return m(w, m(w, a) << b); }
static uint64_t r_shr(unsigned w, uint64_t a, uint64_t b) { return m(w, a) >> b; }
static uint64_t r_sar(unsigned w, uint64_t a, uint64_t b)
{
    uint64_t x = m(w, a);
    for (uint64_t i = 0; i < b; i++) {
        uint64_t sign = x & (1ull << (w - 1));
        x = (x >> 1) | sign;
    }
    return x;
}
static uint64_t r_rotl(unsigned w, uint64_t a, uint64_t b)
{
    uint64_t x = m(w, a);
    for (uint64_t i = 0; i < b; i++) {
        uint64_t top = (x >> (w - 1)) & 1;
        x = m(w, x << 1) | top;
    }
    return x;
}
static uint64_t r_rotr(unsigned w, uint64_t a, uint64_t b)
{
    return r_rotl(w, a, (w - b) % w);
}
static uint64_t r_clz(unsigned w, uint64_t a, uint64_t b)
{
    uint64_t x = m(w, a);
    if (!x) {
        return m(w, b);
    }
    unsigned n = 0;
    for (int i = (int)w - 1; i >= 0 && !((x >> i) & 1); i--) {
        n++;
    }
    return n;
}
static uint64_t r_ctz(unsigned w, uint64_t a, uint64_t b)
{
    uint64_t x = m(w, a);
    if (!x) {
        return m(w, b);
    }
    unsigned n = 0;
    while (!((x >> n) & 1)) {
        n++;
    }
    return n;
}

typedef struct BinOp {
    const char *name;
    Gen32 g32;
    Gen64 g64;
    Ref ref;
    bool shift; /* second operand reduced modulo the width */
} BinOp;

static const BinOp binops[] = {
    {"add", tcg_gen_add_i32, tcg_gen_add_i64, r_add, false},
    {"sub", tcg_gen_sub_i32, tcg_gen_sub_i64, r_sub, false},
    {"mul", tcg_gen_mul_i32, tcg_gen_mul_i64, r_mul, false},
    {"and", tcg_gen_and_i32, tcg_gen_and_i64, r_and, false},
    {"or", tcg_gen_or_i32, tcg_gen_or_i64, r_or, false},
    {"xor", tcg_gen_xor_i32, tcg_gen_xor_i64, r_xor, false},
    {"andc", tcg_gen_andc_i32, tcg_gen_andc_i64, r_andc, false},
    {"orc", tcg_gen_orc_i32, tcg_gen_orc_i64, r_orc, false},
    {"eqv", tcg_gen_eqv_i32, tcg_gen_eqv_i64, r_eqv, false},
    {"nand", tcg_gen_nand_i32, tcg_gen_nand_i64, r_nand, false},
    {"nor", tcg_gen_nor_i32, tcg_gen_nor_i64, r_nor, false},
    {"muluh", tcg_gen_muluh_i32, tcg_gen_muluh_i64, r_muluh, false},
    {"mulsh", tcg_gen_mulsh_i32, tcg_gen_mulsh_i64, r_mulsh, false},
    {"div", tcg_gen_div_i32, tcg_gen_div_i64, r_div, false},
    {"divu", tcg_gen_divu_i32, tcg_gen_divu_i64, r_divu, false},
    {"rem", tcg_gen_rem_i32, tcg_gen_rem_i64, r_rem, false},
    {"remu", tcg_gen_remu_i32, tcg_gen_remu_i64, r_remu, false},
    {"shl", tcg_gen_shl_i32, tcg_gen_shl_i64, r_shl, true},
    {"shr", tcg_gen_shr_i32, tcg_gen_shr_i64, r_shr, true},
    {"sar", tcg_gen_sar_i32, tcg_gen_sar_i64, r_sar, true},
    {"rotl", tcg_gen_rotl_i32, tcg_gen_rotl_i64, r_rotl, true},
    {"rotr", tcg_gen_rotr_i32, tcg_gen_rotr_i64, r_rotr, true},
    {"clz", tcg_gen_clz_i32, tcg_gen_clz_i64, r_clz, false},
    {"ctz", tcg_gen_ctz_i32, tcg_gen_ctz_i64, r_ctz, false},
};

/* r2 = op64(r0, r1); w2 = op32(w0, w1) */
static void test_binops(void)
{
    for (size_t k = 0; k < sizeof(binops) / sizeof(binops[0]); k++) {
        const BinOp *op = &binops[k];
        char name[64];
        snprintf(name, sizeof(name), "binop_%s", op->name);
        case_begin();
        harness_begin(H);
        op->g64(H->r[2], H->r[0], H->r[1]);
        op->g32(W[2], W[0], W[1]);
        tcg_gen_exit_tb(NULL, 0);
        harness_run(H, HARNESS_LIVENESS);
        for (size_t i = 0; i < NVALS; i++) {
            for (size_t j = 0; j < NVALS; j++) {
                uint64_t a = vals[i], b = vals[j];
                uint64_t b64 = op->shift ? b % 64 : b, b32 = op->shift ? b % 32 : b;
                *R(0) = a;
                *R(1) = b64;
                set_w(0, (uint32_t)a);
                set_w(1, (uint32_t)b32);
                harness_exec(H);
                char what[96];
                snprintf(what, sizeof(what), "i64 0x%" PRIx64 ",0x%" PRIx64, a, b64);
                EXPECT(what, *R(2), op->ref(64, a, b64));
                snprintf(what, sizeof(what), "i32 0x%" PRIx64 ",0x%" PRIx64, a, b32);
                EXPECT(what, Wv(2), op->ref(32, a, b32));
            }
        }
        case_end(name);
    }
}

/* ------------------------------------------------------------ shifts by immediates */

static void test_shift_imm(void)
{
    case_begin();
    static const int counts[] = {0, 1, 31, 63};
    for (size_t c = 0; c < 4; c++) {
        int n = counts[c];
        harness_begin(H);
        tcg_gen_shli_i64(H->r[2], H->r[0], n);
        tcg_gen_shri_i64(H->r[3], H->r[0], n);
        tcg_gen_sari_i64(H->r[4], H->r[0], n);
        tcg_gen_rotli_i64(H->r[5], H->r[0], n);
        tcg_gen_rotri_i64(H->r[6], H->r[0], n);
        if (n < 32) {
            tcg_gen_shli_i32(W[0], W[1], n);
            tcg_gen_sari_i32(W[2], W[1], n);
            tcg_gen_rotri_i32(W[3], W[1], n);
        }
        tcg_gen_exit_tb(NULL, 0);
        harness_run(H, HARNESS_LIVENESS);
        for (size_t i = 0; i < NVALS; i++) {
            uint64_t a = vals[i];
            *R(0) = a;
            set_w(1, (uint32_t)a);
            harness_exec(H);
            EXPECT("shli", *R(2), r_shl(64, a, n));
            EXPECT("shri", *R(3), r_shr(64, a, n));
            EXPECT("sari", *R(4), r_sar(64, a, n));
            EXPECT("rotli", *R(5), r_rotl(64, a, n));
            EXPECT("rotri", *R(6), r_rotr(64, a, n));
            if (n < 32) {
                EXPECT("shli32", Wv(0), r_shl(32, a, n));
                EXPECT("sari32", Wv(2), r_sar(32, a, n));
                EXPECT("rotri32", Wv(3), r_rotr(32, a, n));
            }
        }
    }
    case_end("shift_immediate_0_1_31_63");
}

/* ------------------------------------------------------------ extensions */

static void test_ext(void)
{
    case_begin();
    harness_begin(H);
    tcg_gen_ext8s_i64(H->r[1], H->r[0]);
    tcg_gen_ext8u_i64(H->r[2], H->r[0]);
    tcg_gen_ext16s_i64(H->r[3], H->r[0]);
    tcg_gen_ext16u_i64(H->r[4], H->r[0]);
    tcg_gen_ext32s_i64(H->r[5], H->r[0]);
    tcg_gen_ext32u_i64(H->r[6], H->r[0]);
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_extrl_i64_i32(t, H->r[0]);
    tcg_gen_ext_i32_i64(H->r[7], t);
    tcg_gen_extu_i32_i64(H->r[8], t);
    tcg_gen_ext8s_i32(W[0], t);
    tcg_gen_ext16s_i32(W[1], t);
    TCGv_i32 hi = tcg_temp_new_i32();
    tcg_gen_extrh_i64_i32(hi, H->r[0]);
    tcg_gen_extu_i32_i64(H->r[9], hi);
    tcg_gen_concat_i32_i64(H->r[10], hi, t);
    tcg_gen_ext_i64(H->r[11], H->r[0], MO_SW);
    tcg_gen_exit_tb(NULL, 0);
    harness_run(H, HARNESS_LIVENESS);
    for (size_t i = 0; i < NVALS; i++) {
        uint64_t a = vals[i];
        *R(0) = a;
        harness_exec(H);
        EXPECT("ext8s", *R(1), (uint64_t)(int64_t)(int8_t)a);
        EXPECT("ext8u", *R(2), a & 0xff);
        EXPECT("ext16s", *R(3), (uint64_t)(int64_t)(int16_t)a);
        EXPECT("ext16u", *R(4), a & 0xffff);
        EXPECT("ext32s", *R(5), (uint64_t)(int64_t)(int32_t)a);
        EXPECT("ext32u", *R(6), a & 0xffffffff);
        EXPECT("ext_i32_i64", *R(7), (uint64_t)(int64_t)(int32_t)a);
        EXPECT("extu_i32_i64", *R(8), a & 0xffffffff);
        EXPECT("ext8s_i32", Wv(0), (uint32_t)(int32_t)(int8_t)a);
        EXPECT("ext16s_i32", Wv(1), (uint32_t)(int32_t)(int16_t)a);
        EXPECT("extrh", *R(9), a >> 32);
        EXPECT("concat", *R(10), (a >> 32) | (a << 32));
        EXPECT("ext_i64 MO_SW", *R(11), (uint64_t)(int64_t)(int16_t)a);
    }
    case_end("extensions");
}

/* ------------------------------------------------------------ double-width */

static void test_double(void)
{
    case_begin();
    harness_begin(H);
    tcg_gen_add2_i64(H->r[4], H->r[5], H->r[0], H->r[1], H->r[2], H->r[3]);
    tcg_gen_sub2_i64(H->r[6], H->r[7], H->r[0], H->r[1], H->r[2], H->r[3]);
    tcg_gen_mulu2_i64(H->r[8], H->r[9], H->r[0], H->r[2]);
    tcg_gen_muls2_i64(H->r[10], H->r[11], H->r[0], H->r[2]);
    TCGv_i32 a = tcg_temp_new_i32(), b = tcg_temp_new_i32(), l = tcg_temp_new_i32(),
             h = tcg_temp_new_i32();
    tcg_gen_extrl_i64_i32(a, H->r[0]);
    tcg_gen_extrl_i64_i32(b, H->r[2]);
    tcg_gen_mulu2_i32(l, h, a, b);
    tcg_gen_concat_i32_i64(H->r[12], l, h);
    tcg_gen_muls2_i32(l, h, a, b);
    tcg_gen_concat_i32_i64(H->r[13], l, h);
    tcg_gen_add2_i32(l, h, a, b, b, a);
    tcg_gen_concat_i32_i64(H->r[14], l, h);
    tcg_gen_sub2_i32(l, h, a, a, b, b);
    tcg_gen_concat_i32_i64(H->r[15], l, h);
    tcg_gen_exit_tb(NULL, 0);
    harness_run(H, HARNESS_LIVENESS);
    for (size_t i = 0; i < NVALS; i++) {
        for (size_t j = 0; j < NVALS; j++) {
            uint64_t x = vals[i], y = vals[j];
            *R(0) = x;
            *R(1) = ~x;
            *R(2) = y;
            *R(3) = y >> 3;
            harness_exec(H);
            unsigned __int128 A = ((unsigned __int128)~x << 64) | x;
            unsigned __int128 B = ((unsigned __int128)(y >> 3) << 64) | y;
            unsigned __int128 S = A + B, D = A - B;
            EXPECT("add2 lo", *R(4), (uint64_t)S);
            EXPECT("add2 hi", *R(5), (uint64_t)(S >> 64));
            EXPECT("sub2 lo", *R(6), (uint64_t)D);
            EXPECT("sub2 hi", *R(7), (uint64_t)(D >> 64));
            unsigned __int128 P = (unsigned __int128)x * y;
            EXPECT("mulu2 lo", *R(8), (uint64_t)P);
            EXPECT("mulu2 hi", *R(9), (uint64_t)(P >> 64));
            __int128 Q = (__int128)(int64_t)x * (int64_t)y;
            EXPECT("muls2 lo", *R(10), (uint64_t)Q);
            EXPECT("muls2 hi", *R(11), (uint64_t)((unsigned __int128)Q >> 64));
            uint64_t p32 = (uint64_t)(uint32_t)x * (uint32_t)y;
            EXPECT("mulu2_i32", *R(12), p32);
            EXPECT("muls2_i32", *R(13), (uint64_t)((int64_t)(int32_t)x * (int32_t)y));
            uint64_t A32 = ((uint64_t)(uint32_t)y << 32) | (uint32_t)x;
            uint64_t B32 = ((uint64_t)(uint32_t)x << 32) | (uint32_t)y;
            EXPECT("add2_i32", *R(14), A32 + B32);
            uint64_t C32 = ((uint64_t)(uint32_t)x << 32) | (uint32_t)x;
            uint64_t D32 = ((uint64_t)(uint32_t)y << 32) | (uint32_t)y;
            EXPECT("sub2_i32", *R(15), C32 - D32);
        }
    }
    case_end("add2_sub2_mulu2_muls2");
}

/* ------------------------------------------------------------ unary: bswap, ctpop, clz(0) */

static void test_unary(void)
{
    case_begin();
    harness_begin(H);
    tcg_gen_bswap16_i64(H->r[1], H->r[0]);
    tcg_gen_bswap32_i64(H->r[2], H->r[0]);
    tcg_gen_bswap64_i64(H->r[3], H->r[0]);
    tcg_gen_bswap16_i32(W[0], W[3]);
    tcg_gen_bswap32_i32(W[1], W[3]);
    tcg_gen_ctpop_i64(H->r[4], H->r[0]);
    tcg_gen_ctpop_i32(W[2], W[3]);
    tcg_gen_clzi_i64(H->r[5], H->r[0], 64);
    tcg_gen_ctzi_i64(H->r[6], H->r[0], 99);
    tcg_gen_neg_i64(H->r[7], H->r[0]);
    tcg_gen_not_i64(H->r[8], H->r[0]);
    tcg_gen_exit_tb(NULL, 0);
    harness_run(H, HARNESS_LIVENESS);
    for (size_t i = 0; i < NVALS; i++) {
        uint64_t a = vals[i];
        *R(0) = a;
        set_w(3, (uint32_t)a);
        harness_exec(H);
        uint64_t b16 = ((a & 0xff) << 8) | ((a >> 8) & 0xff);
        uint64_t b32 = ((a & 0xff) << 24) | ((a & 0xff00) << 8) | ((a >> 8) & 0xff00) |
                       ((a >> 24) & 0xff);
        uint64_t b64 = 0;
        for (int k = 0; k < 8; k++) {
            b64 |= ((a >> (8 * k)) & 0xff) << (56 - 8 * k);
        }
        EXPECT("bswap16", *R(1), b16);
        EXPECT("bswap32", *R(2), b32);
        EXPECT("bswap64", *R(3), b64);
        EXPECT("bswap16_i32", Wv(0), b16);
        EXPECT("bswap32_i32", Wv(1), b32);
        unsigned pc = 0;
        for (int k = 0; k < 64; k++) {
            pc += (a >> k) & 1;
        }
        EXPECT("ctpop", *R(4), pc);
        unsigned pc32 = 0;
        for (int k = 0; k < 32; k++) {
            pc32 += (a >> k) & 1;
        }
        EXPECT("ctpop_i32", Wv(2), pc32);
        EXPECT("clzi 64", *R(5), r_clz(64, a, 64));
        EXPECT("ctzi 99", *R(6), r_ctz(64, a, 99));
        EXPECT("neg", *R(7), 0 - a);
        EXPECT("not", *R(8), ~a);
    }
    case_end("bswap_ctpop_clz_ctz_neg_not");
}

/* ------------------------------------------------------------ bit fields */

static void test_bitfields(void)
{
    case_begin();
    static const unsigned fields[][2] = {
        {0, 1}, {0, 8}, {0, 32}, {0, 63}, {1, 63}, {63, 1}, {31, 2}, {32, 32}, {4, 12}, {60, 4},
    };
    for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
        unsigned ofs = fields[f][0], len = fields[f][1];
        harness_begin(H);
        tcg_gen_extract_i64(H->r[2], H->r[0], ofs, len);
        tcg_gen_sextract_i64(H->r[3], H->r[0], ofs, len);
        tcg_gen_deposit_i64(H->r[4], H->r[0], H->r[1], ofs, len);
        tcg_gen_extract2_i64(H->r[5], H->r[0], H->r[1], ofs);
        bool f32 = ofs + len <= 32;
        if (f32) {
            tcg_gen_extract_i32(W[0], W[2], ofs, len);
            tcg_gen_sextract_i32(W[1], W[2], ofs, len);
            tcg_gen_deposit_i32(W[3], W[2], W[1], ofs, len); /* W1 is read after set */
        }
        tcg_gen_exit_tb(NULL, 0);
        harness_run(H, HARNESS_LIVENESS);
        for (size_t i = 0; i < NVALS; i++) {
            uint64_t a = vals[i], b = vals[(i * 7 + 3) % NVALS];
            *R(0) = a;
            *R(1) = b;
            set_w(2, (uint32_t)a);
            harness_exec(H);
            uint64_t mask = len == 64 ? ~0ull : (1ull << len) - 1;
            uint64_t ex = (a >> ofs) & mask;
            uint64_t sex = (ex & (1ull << (len - 1))) ? ex | ~mask : ex;
            uint64_t dep = (a & ~(mask << ofs)) | ((b & mask) << ofs);
            uint64_t ex2 = ofs == 0 ? a : (a >> ofs) | (b << (64 - ofs));
            EXPECT("extract", *R(2), ex);
            EXPECT("sextract", *R(3), sex);
            EXPECT("deposit", *R(4), dep);
            EXPECT("extract2", *R(5), ex2);
            if (f32) {
                uint32_t a32 = (uint32_t)a;
                uint32_t m32 = len == 32 ? ~0u : (1u << len) - 1;
                uint32_t e32 = (a32 >> ofs) & m32;
                uint32_t s32 = (e32 & (1u << (len - 1))) ? e32 | ~m32 : e32;
                uint32_t d32 = (a32 & ~(m32 << ofs)) | ((s32 & m32) << ofs);
                EXPECT("extract_i32", Wv(0), e32);
                EXPECT("sextract_i32", Wv(1), s32);
                EXPECT("deposit_i32", Wv(3), d32);
            }
        }
    }
    /* extract2 at the ends and in the middle, both widths */
    harness_begin(H);
    tcg_gen_extract2_i64(H->r[2], H->r[0], H->r[1], 64);
    tcg_gen_extract2_i64(H->r[3], H->r[0], H->r[1], 0);
    tcg_gen_extract2_i32(W[0], W[1], W[2], 8);
    tcg_gen_extract2_i32(W[3], W[1], W[2], 32);
    tcg_gen_exit_tb(NULL, 0);
    harness_run(H, HARNESS_LIVENESS);
    *R(0) = 0x1111;
    *R(1) = 0x2222;
    set_w(1, 0x89abcdef);
    set_w(2, 0x01234567);
    harness_exec(H);
    EXPECT("extract2 64", *R(2), 0x2222);
    EXPECT("extract2 0", *R(3), 0x1111);
    EXPECT("extract2_i32 8", Wv(0), 0x6789abcd);
    EXPECT("extract2_i32 32", Wv(3), 0x01234567);
    case_end("extract_sextract_deposit_extract2");
}

/* ------------------------------------------------------------ conditions */

static const TCGCond conds[] = {
    TCG_COND_EQ,  TCG_COND_NE,  TCG_COND_LT,  TCG_COND_GE,  TCG_COND_LE,  TCG_COND_GT,
    TCG_COND_LTU, TCG_COND_GEU, TCG_COND_LEU, TCG_COND_GTU, TCG_COND_ALWAYS, TCG_COND_NEVER,
};

static bool ref_cond(TCGCond c, unsigned w, uint64_t a, uint64_t b)
{
    uint64_t ua = m(w, a), ub = m(w, b);
    int64_t sa = sx(w, a), sb = sx(w, b);
    switch (c) {
    case TCG_COND_EQ: return ua == ub;
    case TCG_COND_NE: return ua != ub;
    case TCG_COND_LT: return sa < sb;
    case TCG_COND_GE: return !(sa < sb);
    case TCG_COND_LE: return !(sb < sa);
    case TCG_COND_GT: return sb < sa;
    case TCG_COND_LTU: return ua < ub;
    case TCG_COND_GEU: return !(ua < ub);
    case TCG_COND_LEU: return !(ub < ua);
    case TCG_COND_GTU: return ub < ua;
    case TCG_COND_ALWAYS: return true;
    default: return false;
    }
}

static void test_conditions(void)
{
    for (size_t k = 0; k < sizeof(conds) / sizeof(conds[0]); k++) {
        TCGCond c = conds[k];
        char name[64];
        snprintf(name, sizeof(name), "cond_%s", tcg_cond_name(c));
        case_begin();
        harness_begin(H);
        tcg_gen_setcond_i64(c, H->r[2], H->r[0], H->r[1]);
        tcg_gen_negsetcond_i64(c, H->r[3], H->r[0], H->r[1]);
        tcg_gen_movcond_i64(c, H->r[4], H->r[0], H->r[1], H->r[5], H->r[6]);
        tcg_gen_setcond_i32(c, W[2], W[0], W[1]);
        tcg_gen_negsetcond_i32(c, W[3], W[0], W[1]);
        /* brcond: r7 = cond ? 1 : 2 */
        TCGLabel *l = gen_new_label(), *done = gen_new_label();
        tcg_gen_brcond_i64(c, H->r[0], H->r[1], l);
        tcg_gen_movi_i64(H->r[7], 2);
        tcg_gen_br(done);
        gen_set_label(l);
        tcg_gen_movi_i64(H->r[7], 1);
        gen_set_label(done);
        /* brcond i32 on w0/w1: r8 = cond ? 1 : 2 */
        l = gen_new_label();
        done = gen_new_label();
        tcg_gen_brcond_i32(c, W[0], W[1], l);
        tcg_gen_movi_i64(H->r[8], 2);
        tcg_gen_br(done);
        gen_set_label(l);
        tcg_gen_movi_i64(H->r[8], 1);
        gen_set_label(done);
        tcg_gen_exit_tb(NULL, 0);
        harness_run(H, HARNESS_LIVENESS);
        for (size_t i = 0; i < NVALS; i++) {
            for (size_t j = 0; j < NVALS; j++) {
                uint64_t a = vals[i], b = vals[j];
                *R(0) = a;
                *R(1) = b;
                *R(5) = 0x5555;
                *R(6) = 0x6666;
                set_w(0, (uint32_t)a);
                set_w(1, (uint32_t)b);
                harness_exec(H);
                bool t64 = ref_cond(c, 64, a, b), t32 = ref_cond(c, 32, a, b);
                char what[96];
                snprintf(what, sizeof(what), "setcond 0x%" PRIx64 ",0x%" PRIx64, a, b);
                EXPECT(what, *R(2), t64);
                EXPECT("negsetcond", *R(3), t64 ? ~0ull : 0);
                EXPECT("movcond", *R(4), t64 ? 0x5555 : 0x6666);
                EXPECT("setcond_i32", Wv(2), t32);
                EXPECT("negsetcond_i32", Wv(3), t32 ? 0xffffffffu : 0);
                EXPECT("brcond_i64", *R(7), t64 ? 1 : 2);
                EXPECT("brcond_i32", *R(8), t32 ? 1 : 2);
            }
        }
        case_end(name);
    }
}

/* ------------------------------------------------------------ loops, TB temps */

static void test_loop(void)
{
    case_begin();
    /* r1 = sum(1..r0), r2 = iterations, using a TB temp across labels */
    harness_begin(H);
    TCGv_i64 i = tcg_temp_new_tb_i64();
    TCGLabel *top = gen_new_label(), *out = gen_new_label();
    tcg_gen_movi_i64(H->r[1], 0);
    tcg_gen_movi_i64(H->r[2], 0);
    tcg_gen_mov_i64(i, H->r[0]);
    gen_set_label(top);
    tcg_gen_brcondi_i64(TCG_COND_EQ, i, 0, out);
    tcg_gen_add_i64(H->r[1], H->r[1], i);
    tcg_gen_addi_i64(H->r[2], H->r[2], 1);
    tcg_gen_subi_i64(i, i, 1);
    tcg_gen_br(top);
    gen_set_label(out);
    tcg_gen_exit_tb(NULL, 1);
    uintptr_t ret = harness_run(H, HARNESS_OPT | HARNESS_LIVENESS);
    EXPECT("exit value", ret, 1);
    for (uint64_t n = 0; n < 200; n += 37) {
        *R(0) = n;
        harness_exec(H);
        EXPECT("sum", *R(1), n * (n + 1) / 2);
        EXPECT("iterations", *R(2), n);
    }
    case_end("brcond_loop");
}

/* ------------------------------------------------------------ helper calls */

static uint64_t helper_mix7(uint64_t a, int32_t b, uint32_t c, uint64_t d, int32_t e,
                            uint64_t f, uint32_t g)
{
    /* a weighted sum that tells every argument (and its extension) apart */
    return a * 3 + (uint64_t)(int64_t)b * 5 + (uint64_t)c * 7 + d * 11 +
           (uint64_t)(int64_t)e * 13 + f * 17 + (uint64_t)g * 19;
}
static const TCGHelperInfo info_mix7 = {
    .func = (void *)helper_mix7,
    .name = "mix7",
    .flags = TCG_CALL_PURE,
    .nb_args = 7,
    .ret = TCG_CALL_I64,
    .args = {TCG_CALL_I64, TCG_CALL_S32, TCG_CALL_I32, TCG_CALL_I64, TCG_CALL_S32,
             TCG_CALL_I64, TCG_CALL_I32},
};

static int32_t helper_neg32(int32_t x)
{
    return (int32_t)(0u - (uint32_t)x);
}
static const TCGHelperInfo info_neg32 = {
    .func = (void *)helper_neg32,
    .name = "neg32",
    .flags = TCG_CALL_PURE,
    .nb_args = 1,
    .ret = TCG_CALL_S32,
    .args = {TCG_CALL_S32},
};

static uint64_t env_seen;
static void helper_store_env(CPUState *cpu, uint64_t v)
{
    env_seen = (uintptr_t)cpu;
    ((HarnessCPU *)cpu)->regs[15] = v * 2; /* writes a global: flags must say so */
}
static const TCGHelperInfo info_store_env = {
    .func = (void *)helper_store_env,
    .name = "store_env",
    .flags = 0,
    .nb_args = 2,
    .ret = TCG_CALL_VOID,
    .args = {TCG_CALL_PTR, TCG_CALL_I64},
};

static void test_calls(void)
{
    case_begin();
    harness_begin(H);
    TCGv_i32 b = tcg_temp_new_i32(), c = tcg_temp_new_i32(), e = tcg_temp_new_i32(),
             g = tcg_temp_new_i32(), n = tcg_temp_new_i32();
    tcg_gen_extrl_i64_i32(b, H->r[1]);
    tcg_gen_extrl_i64_i32(c, H->r[2]);
    tcg_gen_extrl_i64_i32(e, H->r[4]);
    tcg_gen_extrl_i64_i32(g, H->r[6]);
    int args[7] = {tcgv_i64_idx(H->r[0]), tcgv_i32_idx(b), tcgv_i32_idx(c),
                   tcgv_i64_idx(H->r[3]), tcgv_i32_idx(e), tcgv_i64_idx(H->r[5]),
                   tcgv_i32_idx(g)};
    tcg_gen_callN(&info_mix7, tcgv_i64_idx(H->r[7]), 7, args);
    int a1[1] = {tcgv_i32_idx(b)};
    tcg_gen_callN(&info_neg32, tcgv_i32_idx(n), 1, a1);
    tcg_gen_extu_i32_i64(H->r[8], n);
    /* r14 is written before the call; the helper writes r15; then read r15 */
    tcg_gen_addi_i64(H->r[14], H->r[0], 1);
    int a2[2] = {tcg_ctx->env_temp, tcgv_i64_idx(H->r[14])};
    tcg_gen_callN(&info_store_env, -1, 2, a2);
    tcg_gen_addi_i64(H->r[9], H->r[15], 1);
    tcg_gen_exit_tb(NULL, 0);
    harness_run(H, HARNESS_OPT | HARNESS_LIVENESS);
    for (size_t i = 0; i < NVALS; i++) {
        for (int k = 0; k < 7; k++) {
            *R(k) = vals[(i + (size_t)k * 3) % NVALS];
        }
        harness_exec(H);
        uint64_t want = helper_mix7(*R(0), (int32_t)*R(1), (uint32_t)*R(2), *R(3),
                                    (int32_t)*R(4), *R(5), (uint32_t)*R(6));
        EXPECT("mix7", *R(7), want);
        EXPECT("neg32 (I32 result zero-extended)", *R(8), (uint32_t)(0 - (uint32_t)*R(1)));
        EXPECT("env passed", env_seen, (uintptr_t)H->cpu);
        EXPECT("global written before call", *R(14), *R(0) + 1);
        EXPECT("global written by helper", *R(9), (*R(0) + 1) * 2 + 1);
    }
    case_end("call_7_args_s32_i32_env");
}

/* ------------------------------------------------------------ ld/st on env */

static void test_ldst(void)
{
    case_begin();
    harness_begin(H);
    TCGv_ptr env = tcg_env();
    tcg_gen_st_i64(H->r[0], env, HARNESS_SCRATCH_OFS(8));
    tcg_gen_ld8u_i64(H->r[1], env, HARNESS_SCRATCH_OFS(8) + 7);
    tcg_gen_ld8s_i64(H->r[2], env, HARNESS_SCRATCH_OFS(8) + 7);
    tcg_gen_ld16s_i64(H->r[3], env, HARNESS_SCRATCH_OFS(8) + 6);
    tcg_gen_ld32u_i64(H->r[4], env, HARNESS_SCRATCH_OFS(8) + 4);
    tcg_gen_ld32s_i64(H->r[5], env, HARNESS_SCRATCH_OFS(8) + 4);
    tcg_gen_st8_i64(H->r[0], env, HARNESS_SCRATCH_OFS(9));
    tcg_gen_st16_i64(H->r[0], env, HARNESS_SCRATCH_OFS(9) + 2);
    tcg_gen_st32_i64(H->r[0], env, HARNESS_SCRATCH_OFS(9) + 4);
    tcg_gen_ld_i64(H->r[6], env, HARNESS_SCRATCH_OFS(9));
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_ld16u_i32(t, env, HARNESS_SCRATCH_OFS(8));
    tcg_gen_st_i32(t, env, HARNESS_SCRATCH_OFS(10));
    tcg_gen_ld_i32(t, env, HARNESS_SCRATCH_OFS(8) + 4);
    tcg_gen_st16_i32(t, env, HARNESS_SCRATCH_OFS(10) + 4);
    tcg_gen_exit_tb(NULL, 0);
    harness_run(H, HARNESS_OPT | HARNESS_LIVENESS);
    uint64_t a = 0x8899aabbccddeeffull;
    *R(0) = a;
    H->cpu->scratch[10] = ~0ull;
    harness_exec(H);
    EXPECT("ld8u", *R(1), 0x88);
    EXPECT("ld8s", *R(2), 0xffffffffffffff88ull);
    EXPECT("ld16s", *R(3), 0xffffffffffff8899ull);
    EXPECT("ld32u", *R(4), 0x8899aabbull);
    EXPECT("ld32s", *R(5), 0xffffffff8899aabbull);
    EXPECT("st8/16/32", *R(6), 0xccddeeffeeff00ffull & 0xffffffffeeffffffull);
    EXPECT("ld16u_i32/st_i32/st16_i32", H->cpu->scratch[10], 0xffffaabb0000eeffull);
    case_end("ld_st_env");
}

/* ------------------------------------------------------------ control: goto_tb, insn_start */

static void test_goto_tb(void)
{
    case_begin();
    harness_begin(H);
    tcg_gen_insn_start(0x1000, 0);
    tcg_gen_addi_i64(H->r[0], H->r[0], 1);
    tcg_gen_insn_start(0x1004, 0);
    tcg_gen_addi_i64(H->r[1], H->r[1], 1);
    tcg_gen_goto_tb(1);
    tcg_gen_movi_i64(H->r[2], 0x1008);
    tcg_gen_exit_tb(&H->tb, 1);
    uintptr_t ret = harness_run(H, HARNESS_OPT | HARNESS_LIVENESS);
    EXPECT("unchained exit value", ret, (uintptr_t)&H->tb + 1);
    EXPECT("pc store after goto_tb runs when unchained", *R(2), 0x1008);
    EXPECT("nb_insns", H->s->nb_insns, 2);
    if (!(H->s->insn_end_off[0] <= H->s->insn_end_off[1] &&
          H->s->insn_end_off[1] == H->tb.tc_size)) {
        fail("insn_end_off not monotonic or last != size (%u %u %u)",
             H->s->insn_end_off[0], H->s->insn_end_off[1], H->tb.tc_size);
    }
    if (H->s->goto_tb_off[1] == 0xffff || H->s->goto_tb_reset[1] <= H->s->goto_tb_off[1]) {
        fail("goto_tb offsets not recorded");
    }
    /* a second TB further into the buffer; chain slot 1 of the first to it */
    TranslationBlock tb2;
    memset(&tb2, 0, sizeof(tb2));
    tcg_func_start(H->s);
    tcg_gen_addi_i64(H->r[3], H->r[3], 100);
    tcg_gen_exit_tb(NULL, 7);
    tcg_liveness(H->s);
    harness_gen_at(H, &tb2, (H->tb.tc_size + 4096) & ~(size_t)63);
    harness_chain(H, &H->tb, 1, &tb2);
    *R(2) = 0;
    *R(3) = 0;
    ret = harness_exec(H);
    EXPECT("chained exit value", ret, 7);
    EXPECT("chained TB ran", *R(3), 100);
    EXPECT("pc store skipped when chained", *R(2), 0);
    harness_chain(H, &H->tb, 1, NULL);
    ret = harness_exec(H);
    EXPECT("unchained again", ret, (uintptr_t)&H->tb + 1);
    EXPECT("second TB not run", *R(3), 100);
    case_end("goto_tb_chain_and_insn_end_off");
}

static void test_retaddr(void);

/* undefined results, but never a host trap, on any backend */
static void test_undefined_no_trap(void)
{
    case_begin();
    static const int64_t counts[] = {64, 65, 127, 255, -1, INT64_MIN};
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        harness_begin(H);
        tcg_gen_shl_i64(H->r[2], H->r[0], H->r[1]);
        tcg_gen_shr_i64(H->r[3], H->r[0], H->r[1]);
        tcg_gen_sar_i64(H->r[4], H->r[0], H->r[1]);
        tcg_gen_rotl_i64(H->r[5], H->r[0], H->r[1]);
        tcg_gen_rotr_i32(W[0], W[1], W[2]);
        tcg_gen_sar_i32(W[3], W[1], W[2]);
        tcg_gen_div_i64(H->r[6], H->r[0], H->r[7]);
        tcg_gen_rem_i64(H->r[8], H->r[0], H->r[7]);
        tcg_gen_divu_i32(W[1], W[1], W[0]);
        /* bit fields outside their constraints, built by hand */
        TCGOp *op = tcg_emit_op(tcg_ctx, INDEX_op_extract, TCG_TYPE_I64);
        op->args[0] = (uint64_t)tcgv_i64_idx(H->r[9]);
        op->args[1] = (uint64_t)tcgv_i64_idx(H->r[0]);
        op->args[2] = 60;
        op->args[3] = 10;
        op = tcg_emit_op(tcg_ctx, INDEX_op_deposit, TCG_TYPE_I64);
        op->args[0] = (uint64_t)tcgv_i64_idx(H->r[10]);
        op->args[1] = (uint64_t)tcgv_i64_idx(H->r[0]);
        op->args[2] = (uint64_t)tcgv_i64_idx(H->r[1]);
        op->args[3] = 70;
        op->args[4] = 3;
        op = tcg_emit_op(tcg_ctx, INDEX_op_extract2, TCG_TYPE_I32);
        op->args[0] = (uint64_t)tcgv_i32_idx(W[2]);
        op->args[1] = (uint64_t)tcgv_i32_idx(W[1]);
        op->args[2] = (uint64_t)tcgv_i32_idx(W[0]);
        op->args[3] = 40;
        tcg_gen_exit_tb(NULL, 0);
        *R(0) = 0x8000000000000000ull;
        *R(1) = (uint64_t)counts[i];
        *R(7) = i & 1 ? 0 : ~0ull; /* by 0, or INT64_MIN / -1 */
        set_w(0, 0);
        set_w(1, 0x80000000);
        set_w(2, (uint32_t)counts[i]);
        uintptr_t r = harness_run(H, (i & 1) ? HARNESS_OPT | HARNESS_LIVENESS : 0);
        EXPECT("ran to the end", r, 0);
        EXPECT("I32 result stays 32-bit", H->cpu->scratch[2] >> 32, 0xdeadbeef);
        if (H->backend == &tcg_backend_interp) {
            /* the interpreter's documented choices */
            unsigned c = (unsigned)counts[i];
            EXPECT("interp: shl by count mod 64", *R(2), 0x8000000000000000ull << (c & 63));
            EXPECT("interp: div by 0 is 0 / INT_MIN/-1 is INT_MIN", *R(6),
                   (i & 1) ? 0 : 0x8000000000000000ull);
            EXPECT("interp: rem is 0", *R(8), 0);
        }
    }
    case_end("undefined_cases_never_trap");
}

static void test_goto_ptr(void)
{
    case_begin();
    /* a target TB placed far into the buffer */
    TranslationBlock tb2;
    memset(&tb2, 0, sizeof(tb2));
    harness_begin(H);
    tcg_gen_addi_i64(H->r[3], H->r[3], 5);
    tcg_gen_exit_tb(NULL, 7);
    tcg_liveness(H->s);
    harness_gen_at(H, &tb2, 256 * 1024);
    for (int k = 0; k < 2; k++) {
        /* goto_ptr to tb2's code, or to exit_zero ("no TB found") */
        harness_begin(H);
        TCGv_ptr p = tcg_temp_new_i64();
        tcg_gen_mov_i64(p, H->r[0]);
        tcg_gen_addi_i64(H->r[4], H->r[4], 1);
        tcg_gen_goto_ptr(p);
        uintptr_t target = k ? H->s->exit_zero : (uintptr_t)tb2.tc_ptr;
        *R(0) = target;
        *R(3) = 0;
        *R(4) = 0;
        uintptr_t ret = harness_run(H, HARNESS_OPT | HARNESS_LIVENESS);
        EXPECT("goto_ptr exit value", ret, k ? 0 : 7);
        EXPECT("goto_ptr target ran", *R(3), k ? 0 : 5);
        EXPECT("global synced before goto_ptr", *R(4), 1);
    }
    case_end("goto_ptr_to_tb_and_exit_zero");
}

/* ------------------------------------------------------------ guest memory */

static uint64_t ram_rd(uint64_t addr, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, H->ram + (addr - HARNESS_RAM_BASE), size);
    return v;
}

static void test_guest_mem(void)
{
    case_begin();
    const uint64_t B = HARNESS_RAM_BASE;
    const unsigned mi = HARNESS_MMU_IDX;
    harness_begin(H);
    /* r0 = address, r1 = value */
    tcg_gen_guest_st_i64(H->r[1], H->r[0], mi, MO_UQ);
    tcg_gen_guest_ld_i64(H->r[2], H->r[0], mi, MO_UB);
    tcg_gen_guest_ld_i64(H->r[3], H->r[0], mi, MO_SW);
    tcg_gen_guest_ld_i64(H->r[4], H->r[0], mi, MO_SL);
    tcg_gen_guest_ld_i64(H->r[5], H->r[0], mi, MO_UL | MO_BSWAP);
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_guest_ld_i32(t, H->r[0], mi, MO_SW);
    tcg_gen_extu_i32_i64(H->r[6], t);
    TCGv_i64 a2 = tcg_temp_new_i64();
    tcg_gen_addi_i64(a2, H->r[0], 16);
    tcg_gen_guest_st_i32(t, a2, mi, MO_UW | MO_BSWAP);
    tcg_gen_guest_ld_i64(H->r[7], a2, mi, MO_UQ);
    tcg_gen_exit_tb(NULL, 0);
    harness_run(H, HARNESS_OPT | HARNESS_LIVENESS);
    static const uint64_t addrs[] = {0x100, 0x1ffd /* crosses a page */, 0x3, 0xffe8};
    for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
        memset(H->ram, 0, HARNESS_RAM_SIZE);
        uint64_t a = B + addrs[i], v = 0x8182838485868788ull;
        *R(0) = a;
        *R(1) = v;
        uintptr_t r = harness_exec(H);
        if (r) {
            fail("st/ld at 0x%" PRIx64 ": fault at 0x%" PRIx64, a, H->fault_vaddr);
        }
        EXPECT("st64", ram_rd(a, 8), v);
        EXPECT("ld ub", *R(2), 0x88);
        EXPECT("ld sw", *R(3), 0xffffffffffff8788ull);
        EXPECT("ld sl", *R(4), 0xffffffff85868788ull);
        EXPECT("ld ul bswap", *R(5), 0x88878685ull);
        EXPECT("ld_i32 sw", *R(6), 0xffff8788ull);
        EXPECT("st_i32 uw bswap", *R(7), 0x8887);
    }

    /* 128-bit */
    harness_begin(H);
    tcg_gen_guest_st_i128(H->r[1], H->r[2], H->r[0], mi, MO_128);
    tcg_gen_guest_ld_i128(H->r[3], H->r[4], H->r[0], mi, MO_128 | MO_ALIGN);
    tcg_gen_exit_tb(NULL, 0);
    harness_run(H, HARNESS_OPT | HARNESS_LIVENESS);
    *R(0) = B + 0x200;
    *R(1) = 0x1111222233334444ull;
    *R(2) = 0x5555666677778888ull;
    EXPECT("128 no fault", harness_exec(H), 0);
    EXPECT("st128 lo", ram_rd(B + 0x200, 8), *R(1));
    EXPECT("st128 hi", ram_rd(B + 0x208, 8), *R(2));
    EXPECT("ld128 lo", *R(3), *R(1));
    EXPECT("ld128 hi", *R(4), *R(2));

    /* atomics: cmpxchg (hit and miss), every rmw op, cmpxchg128 */
    harness_begin(H);
    tcg_gen_atomic_cmpxchg_i64(H->r[3], H->r[0], H->r[1], H->r[2], mi, MO_UQ);
    TCGv_i32 c32 = tcg_temp_new_i32(), n32 = tcg_temp_new_i32(), o32 = tcg_temp_new_i32();
    TCGv_i64 a4 = tcg_temp_new_i64();
    tcg_gen_addi_i64(a4, H->r[0], 8);
    tcg_gen_extrl_i64_i32(c32, H->r[1]);
    tcg_gen_extrl_i64_i32(n32, H->r[2]);
    tcg_gen_atomic_cmpxchg_i32(o32, a4, c32, n32, mi, MO_SL);
    tcg_gen_extu_i32_i64(H->r[4], o32);
    tcg_gen_exit_tb(NULL, 0);
    harness_run(H, HARNESS_OPT | HARNESS_LIVENESS);
    uint64_t a = B + 0x300;
    memset(H->ram + 0x300, 0, 16);
    *R(0) = a;
    *R(1) = 0;
    *R(2) = 0x80000005;
    harness_exec(H);
    EXPECT("cmpxchg hit old", *R(3), 0);
    EXPECT("cmpxchg hit mem", ram_rd(a, 8), 0x80000005);
    EXPECT("cmpxchg_i32 hit old", *R(4), 0);
    EXPECT("cmpxchg_i32 mem", ram_rd(a + 8, 4), 0x80000005);
    *R(2) = 7;
    harness_exec(H);
    EXPECT("cmpxchg miss old", *R(3), 0x80000005);
    EXPECT("cmpxchg miss mem", ram_rd(a, 8), 0x80000005);
    EXPECT("cmpxchg_i32 miss old (MO_SL, I32 container)", *R(4), 0x80000005);

    static const struct {
        TCGAtomicOp op;
        uint64_t mem, val, want;
    } rmw[] = {
        {TCG_ATOMIC_XCHG, 5, 9, 9},
        {TCG_ATOMIC_ADD, 5, 9, 14},
        {TCG_ATOMIC_AND, 6, 3, 2},
        {TCG_ATOMIC_ANDC, 7, 2, 5},
        {TCG_ATOMIC_OR, 4, 1, 5},
        {TCG_ATOMIC_XOR, 6, 3, 5},
        {TCG_ATOMIC_SMIN, 5, (uint64_t)-1, (uint64_t)-1},
        {TCG_ATOMIC_SMAX, 5, (uint64_t)-1, 5},
        {TCG_ATOMIC_UMIN, 5, (uint64_t)-1, 5},
        {TCG_ATOMIC_UMAX, 5, (uint64_t)-1, (uint64_t)-1},
    };
    for (size_t i = 0; i < sizeof(rmw) / sizeof(rmw[0]); i++) {
        harness_begin(H);
        tcg_gen_atomic_rmw_i64(rmw[i].op, H->r[3], H->r[0], H->r[1], mi, MO_UQ);
        tcg_gen_exit_tb(NULL, 0);
        harness_run(H, HARNESS_LIVENESS);
        memcpy(H->ram + 0x400, &rmw[i].mem, 8);
        *R(0) = B + 0x400;
        *R(1) = rmw[i].val;
        harness_exec(H);
        EXPECT("rmw old", *R(3), rmw[i].mem);
        EXPECT("rmw new", ram_rd(B + 0x400, 8), rmw[i].want);
    }

    harness_begin(H);
    tcg_gen_atomic_cmpxchg_i128(H->r[5], H->r[6], H->r[0], H->r[1], H->r[2], H->r[3], H->r[4],
                                mi, MO_128 | MO_ALIGN);
    tcg_gen_exit_tb(NULL, 0);
    harness_run(H, HARNESS_LIVENESS);
    memset(H->ram + 0x500, 0, 16);
    *R(0) = B + 0x500;
    *R(1) = 0;
    *R(2) = 0;
    *R(3) = 0xaaaa;
    *R(4) = 0xbbbb;
    harness_exec(H);
    EXPECT("cmpxchg128 old lo", *R(5), 0);
    EXPECT("cmpxchg128 old hi", *R(6), 0);
    EXPECT("cmpxchg128 mem lo", ram_rd(B + 0x500, 8), 0xaaaa);
    EXPECT("cmpxchg128 mem hi", ram_rd(B + 0x508, 8), 0xbbbb);
    case_end("guest_ld_st_atomic");

    /* faults: out-of-range and misaligned MO_ALIGN map back to their insn */
    case_begin();
    harness_begin(H);
    tcg_gen_insn_start(0x1000, 0);
    tcg_gen_movi_i64(H->r[1], 1);
    tcg_gen_insn_start(0x1004, 0);
    tcg_gen_guest_ld_i64(H->r[2], H->r[0], mi, MO_UL | MO_ALIGN);
    tcg_gen_insn_start(0x1008, 0);
    tcg_gen_movi_i64(H->r[3], 3);
    tcg_gen_exit_tb(NULL, 0);
    harness_run(H, HARNESS_OPT | HARNESS_LIVENESS);
    *R(0) = 0x10; /* unmapped */
    *R(1) = *R(3) = 0;
    uintptr_t r = harness_exec(H);
    EXPECT("unmapped: faulted", r, HARNESS_FAULT);
    EXPECT("unmapped: fault address", H->fault_vaddr, 0x10);
    EXPECT("unmapped: faulting insn", (uint64_t)harness_fault_insn(H), 1);
    EXPECT("earlier insn's global stored", *R(1), 1);
    EXPECT("later insn did not run", *R(3), 0);
    EXPECT("tci_active cleared", tci_active, 0);
    *R(0) = B + 2; /* misaligned with MO_ALIGN */
    int before = H->nb_unaligned;
    r = harness_exec(H);
    EXPECT("misaligned: faulted", r, HARNESS_FAULT);
    EXPECT("misaligned: unaligned hook", (uint64_t)(H->nb_unaligned - before), 1);
    EXPECT("misaligned: faulting insn", (uint64_t)harness_fault_insn(H), 1);
    *R(0) = B + 4;
    r = harness_exec(H);
    EXPECT("aligned: no fault", r, 0);
    EXPECT("aligned: ran to the end", *R(3), 3);
    case_end("guest_fault_maps_to_insn");
}

/* ------------------------------------------------------------ random programs */

typedef struct Rng {
    uint64_t s;
} Rng;
static uint64_t rnd(Rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}
static uint64_t rnd_val(Rng *r)
{
    switch (rnd(r) % 4) {
    case 0: return vals[rnd(r) % NVALS];
    case 1: return rnd(r) % 16;
    default: return rnd(r);
    }
}

/* helpers the random programs call: one pure, one that writes a global */
static uint64_t helper_rnd_pure(uint64_t a, uint64_t b)
{
    return (a ^ (b >> 3)) * 0x9e3779b97f4a7c15ull;
}
static const TCGHelperInfo info_rnd_pure = {
    .func = (void *)helper_rnd_pure, .name = "rnd_pure", .flags = TCG_CALL_PURE, .nb_args = 2,
    .ret = TCG_CALL_I64, .args = {TCG_CALL_I64, TCG_CALL_I64},
};
static uint32_t helper_rnd_wg(CPUState *cpu, uint32_t x)
{
    HarnessCPU *c = (HarnessCPU *)cpu;
    c->regs[x & 7] += c->regs[(x >> 3) & 7] | 1; /* reads and writes globals */
    return x * 3u;
}
static const TCGHelperInfo info_rnd_wg = {
    .func = (void *)helper_rnd_wg, .name = "rnd_wg", .flags = 0, .nb_args = 2,
    .ret = TCG_CALL_I32, .args = {TCG_CALL_PTR, TCG_CALL_I32},
};

/* one random op writing v[d] from v[a], v[b]; nv 64-bit values, nx 32-bit values */
static void random_op(Rng *r, TCGv_i64 *v, int nv, TCGv_i32 *x, int nx)
{
    int di = (int)(rnd(r) % nv), xdi = (int)(rnd(r) % nx);
    TCGv_i64 d = v[di], a = v[rnd(r) % nv], b = v[rnd(r) % nv];
    /* e, xe: second outputs of double-width ops, distinct from d, xd (docs) */
    TCGv_i64 e = v[(di + 1 + (int)(rnd(r) % (nv - 1))) % nv], f = v[rnd(r) % nv];
    TCGv_i32 xd = x[xdi], xa = x[rnd(r) % nx], xb = x[rnd(r) % nx];
    TCGv_i32 xe = x[(xdi + 1 + (int)(rnd(r) % (nx - 1))) % nx];
    int64_t k = (int64_t)rnd_val(r);
    unsigned ofs = (unsigned)(rnd(r) % 64), len = 1 + (unsigned)(rnd(r) % (64 - ofs));
    unsigned ofs32 = ofs % 32, len32 = 1 + (unsigned)(rnd(r) % (32 - ofs32));
    TCGCond c = conds[rnd(r) % 10];
    switch (rnd(r) % 92) {
    case 0: tcg_gen_add_i64(d, a, b); break;
    case 1: tcg_gen_sub_i64(d, a, b); break;
    case 2: tcg_gen_mul_i64(d, a, b); break;
    case 3: tcg_gen_and_i64(d, a, b); break;
    case 4: tcg_gen_or_i64(d, a, b); break;
    case 5: tcg_gen_xor_i64(d, a, b); break;
    case 6: tcg_gen_addi_i64(d, a, k); break;
    case 7: tcg_gen_andi_i64(d, a, k); break;
    case 8: tcg_gen_ori_i64(d, a, k); break;
    case 9: tcg_gen_xori_i64(d, a, k); break;
    case 10: tcg_gen_muli_i64(d, a, k); break;
    case 11: tcg_gen_shli_i64(d, a, (int)(k & 63)); break;
    case 12: tcg_gen_shri_i64(d, a, (int)(k & 63)); break;
    case 13: tcg_gen_sari_i64(d, a, (int)(k & 63)); break;
    case 14: tcg_gen_rotli_i64(d, a, (int)(k & 63)); break;
    case 15: tcg_gen_movi_i64(d, k); break;
    case 16: tcg_gen_mov_i64(d, a); break;
    case 17: tcg_gen_neg_i64(d, a); break;
    case 18: tcg_gen_not_i64(d, a); break;
    case 19: tcg_gen_ext8s_i64(d, a); break;
    case 20: tcg_gen_ext16u_i64(d, a); break;
    case 21: tcg_gen_ext32u_i64(d, a); break;
    case 22: tcg_gen_ext32s_i64(d, a); break;
    case 23: tcg_gen_extract_i64(d, a, ofs, len); break;
    case 24: tcg_gen_sextract_i64(d, a, ofs, len); break;
    case 25: tcg_gen_deposit_i64(d, a, b, ofs, len); break;
    case 26: tcg_gen_setcond_i64(c, d, a, b); break;
    case 27: tcg_gen_movcond_i64(c, d, a, b, e, f); break;
    case 28: tcg_gen_clzi_i64(d, a, 64); break;
    case 29: tcg_gen_ctpop_i64(d, a); break;
    case 30: tcg_gen_bswap64_i64(d, a); break;
    case 31: tcg_gen_divu_i64(d, a, b); break; /* b == 0: undefined, but not folded */
    case 32: tcg_gen_shl_i64(d, a, b); break;  /* counts >= 64 likewise */
    case 33: tcg_gen_extrl_i64_i32(xd, a); break;
    case 34: tcg_gen_extu_i32_i64(d, xa); break;
    case 35: tcg_gen_ext_i32_i64(d, xa); break;
    case 36: tcg_gen_add_i32(xd, xa, xb); break;
    case 37: tcg_gen_shli_i32(xd, xa, (int)(k & 31)); break;
    case 38: tcg_gen_sari_i32(xd, xa, (int)(k & 31)); break;
    case 39: tcg_gen_extract_i32(xd, xa, ofs32, len32); break;
    case 40: tcg_gen_andi_i32(xd, xa, (int32_t)k); break;
    case 41: tcg_gen_setcondi_i32(c, xd, xa, (int32_t)k); break;
    case 42: tcg_gen_mulu2_i64(d, e, a, b); break;
    case 43: tcg_gen_extract2_i64(d, a, b, ofs); break;
    case 44: tcg_gen_andc_i64(d, a, b); break;
    case 45: tcg_gen_orc_i64(d, a, b); break;
    case 46: tcg_gen_eqv_i64(d, a, b); break;
    case 47: tcg_gen_nand_i64(d, a, b); break;
    case 48: tcg_gen_nor_i64(d, a, b); break;
    case 49: tcg_gen_rotr_i64(d, a, b); break;
    case 50: tcg_gen_sar_i64(d, a, b); break;
    case 51: tcg_gen_ctzi_i64(d, a, (int64_t)ofs); break;
    case 52: tcg_gen_clz_i64(d, a, b); break;
    case 53: tcg_gen_bswap16_i64(d, a); break;
    case 54: tcg_gen_bswap32_i64(d, a); break;
    case 55: tcg_gen_muls2_i64(d, e, a, b); break;
    case 56: tcg_gen_add2_i64(d, e, a, b, f, v[rnd(r) % nv]); break;
    case 57: tcg_gen_sub2_i64(d, e, a, b, f, v[rnd(r) % nv]); break;
    case 58: tcg_gen_muluh_i64(d, a, b); break;
    case 59: tcg_gen_mulsh_i64(d, a, b); break;
    case 60: tcg_gen_extrh_i64_i32(xd, a); break;
    case 61: tcg_gen_div_i64(d, a, b); break;
    case 62: tcg_gen_rem_i64(d, a, b); break;
    case 63: tcg_gen_remu_i64(d, a, b); break;
    case 64: tcg_gen_negsetcond_i64(c, d, a, b); break;
    case 65: tcg_gen_sub_i32(xd, xa, xb); break;
    case 66: tcg_gen_mul_i32(xd, xa, xb); break;
    case 67: tcg_gen_xor_i32(xd, xa, xb); break;
    case 68: tcg_gen_shr_i32(xd, xa, xb); break;
    case 69: tcg_gen_rotli_i32(xd, xa, (int)(k & 31)); break;
    case 70: tcg_gen_clzi_i32(xd, xa, 32); break;
    case 71: tcg_gen_bswap32_i32(xd, xa); break;
    case 72: tcg_gen_movcond_i32(c, xd, xa, xb, xe, x[rnd(r) % nx]); break;
    case 73: tcg_gen_negsetcond_i32(c, xd, xa, xb); break;
    case 74: tcg_gen_deposit_i32(xd, xa, xb, ofs32, len32); break;
    case 75: tcg_gen_extract2_i32(xd, xa, xb, ofs32); break;
    case 76: tcg_gen_mulu2_i32(xd, xe, xa, xb); break;
    case 77: tcg_gen_add2_i32(xd, xe, xa, xb, xb, xa); break;
    case 78: tcg_gen_sextract_i32(xd, xa, ofs32, len32); break;
    case 79: tcg_gen_ext8s_i32(xd, xa); break;
    case 80: tcg_gen_ctpop_i32(xd, xa); break;
    case 81: tcg_gen_nor_i32(xd, xa, xb); break;
    case 82: tcg_gen_divu_i32(xd, xa, xb); break;
    case 83: tcg_gen_rem_i32(xd, xa, xb); break;
    case 84: tcg_gen_movi_i32(xd, (int32_t)k); break;
    case 85: /* CPU-state store and load back */
        tcg_gen_st_i64(a, tcg_env(), HARNESS_SCRATCH_OFS(8 + (ofs & 3)));
        tcg_gen_ld32s_i64(d, tcg_env(), HARNESS_SCRATCH_OFS(8 + (len & 3)) + 4 * (k & 1));
        break;
    case 86: {
        int args[2] = {tcgv_i64_idx(a), tcgv_i64_idx(b)};
        tcg_gen_callN(&info_rnd_pure, tcgv_i64_idx(d), 2, args);
        break;
    }
    case 87: {
        int args[2] = {tcg_ctx->env_temp, tcgv_i32_idx(xa)};
        tcg_gen_callN(&info_rnd_wg, tcgv_i32_idx(xd), 2, args);
        break;
    }
    case 90: { /* compute into a fresh EBB temp, then write the "register" */
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_xor_i64(t, a, b);
        if (k & 1) {
            tcg_gen_addi_i64(e, f, 1); /* an unrelated op in between */
        }
        tcg_gen_mov_i64(d, t);
        break;
    }
    case 91: { /* ldp-style guest loads through temps, and a store */
        TCGv_i64 ad = tcg_temp_new_i64(), t1 = tcg_temp_new_i64(), t2 = tcg_temp_new_i64();
        tcg_gen_andi_i64(ad, a, 0xff0);
        tcg_gen_addi_i64(ad, ad, (int64_t)HARNESS_RAM_BASE);
        tcg_gen_guest_st_i64(b, ad, HARNESS_MMU_IDX, (k & 1) ? MO_UQ : MO_UL);
        TCGv_i64 ad8 = tcg_temp_new_i64();
        tcg_gen_addi_i64(ad8, ad, 8);
        tcg_gen_guest_ld_i64(t1, ad, HARNESS_MMU_IDX, MO_UQ);
        tcg_gen_guest_ld_i64(t2, ad8, HARNESS_MMU_IDX, (k & 2) ? MO_SL : MO_UW);
        tcg_gen_mov_i64(d, t1);
        tcg_gen_mov_i64(e, t2);
        break;
    }
    case 88: tcg_gen_muls2_i32(xd, xe, xa, xb); break;
    case 89: tcg_gen_sub2_i32(xd, xe, xa, xb, xe, xa); break;
    }
}

static void test_random(void)
{
    case_begin();
    Rng rng = {0x2545f4914f6cdd1dull};
    int programs = 10000;
    /* TCG_RANDOM_DUMP=n prints program n's ops (both runs) to stderr */
    const char *dump_env = getenv("TCG_RANDOM_DUMP");
    int dump = dump_env ? atoi(dump_env) : -1;
    for (int p = 0; p < programs && case_ok; p++) {
        uint64_t seed = rnd(&rng);
        uint64_t inputs[8];
        for (int i = 0; i < 8; i++) {
            inputs[i] = rnd_val(&rng);
        }
        uint64_t results[2][8];
        for (int pass = 0; pass < 2; pass++) {
            Rng r = {seed};
            harness_begin(H);
            TCGv_i64 v[12];
            TCGv_i32 x[4];
            for (int i = 0; i < 8; i++) {
                v[i] = H->r[i];
            }
            for (int i = 8; i < 12; i++) {
                v[i] = tcg_temp_new_tb_i64();
                tcg_gen_movi_i64(v[i], (int64_t)rnd_val(&r));
            }
            for (int i = 0; i < 4; i++) {
                x[i] = tcg_temp_new_tb_i32();
                tcg_gen_movi_i32(x[i], (int32_t)rnd_val(&r));
            }
            int nops = 4 + (int)(rnd(&r) % 40);
            for (int i = 0; i < nops; i++) {
                if (rnd(&r) % 10 == 0) {
                    /* a forward conditional skip over a few ops */
                    TCGLabel *l = gen_new_label();
                    TCGv_i64 a = v[rnd(&r) % 12];
                    int how = (int)(rnd(&r) % 3);
                    if (how == 0) {
                        tcg_gen_brcondi_i64(conds[rnd(&r) % 10], a, (int64_t)rnd_val(&r), l);
                    } else if (how == 1) {
                        tcg_gen_brcond_i32(conds[rnd(&r) % 10], x[rnd(&r) % 4], x[rnd(&r) % 4], l);
                    } else {
                        tcg_gen_brcond_i64(conds[rnd(&r) % 10], a, v[rnd(&r) % 12], l);
                    }
                    int k = 1 + (int)(rnd(&r) % 4);
                    for (int j = 0; j < k; j++) {
                        random_op(&r, v, 12, x, 4);
                    }
                    gen_set_label(l);
                } else {
                    random_op(&r, v, 12, x, 4);
                }
            }
            /* fold the temps into the outputs */
            for (int i = 8; i < 12; i++) {
                tcg_gen_xor_i64(H->r[i - 8], H->r[i - 8], v[i]);
            }
            for (int i = 0; i < 4; i++) {
                TCGv_i64 t = tcg_temp_new_i64();
                tcg_gen_extu_i32_i64(t, x[i]);
                tcg_gen_add_i64(H->r[i + 4], H->r[i + 4], t);
            }
            tcg_gen_exit_tb(NULL, 0);
            memcpy(H->cpu->regs, inputs, sizeof(inputs));
            memset(&H->cpu->scratch[8], 0, 4 * sizeof(uint64_t)); /* st/ld area */
            memset(H->ram, 0, 0x1000);                             /* guest ld/st area */
            unsigned fl = pass ? HARNESS_OPT | HARNESS_LIVENESS : 0;
            if (p == dump) {
                fprintf(stderr, "--- program %d, %s\n", p, pass ? "optimized" : "as emitted");
                fl |= HARNESS_DUMP;
            }
            harness_run(H, fl);
            memcpy(results[pass], H->cpu->regs, sizeof(inputs));
        }
        for (int i = 0; i < 8; i++) {
            if (results[0][i] != results[1][i]) {
                fail("program %d (seed 0x%" PRIx64 "): r%d unoptimized 0x%" PRIx64
                     " optimized 0x%" PRIx64,
                     p, seed, i, results[0][i], results[1][i]);
                break;
            }
        }
    }
    case_end("random_programs_opt_vs_unopt_10000");
}

int main(void)
{
    /* TCG_TEST_BACKEND=x86_64 runs the same programs on the JIT */
    const char *be = getenv("TCG_TEST_BACKEND");
    H = harness_new(be && !strcmp(be, "x86_64") ? &tcg_backend_x86_64 : &tcg_backend_interp);
    for (int i = 0; i < 4; i++) {
        static const char *const names[4] = {"w0", "w1", "w2", "w3"};
        W[i] = tcg_global_mem_new_i32(HARNESS_SCRATCH_OFS(i), names[i]);
    }
    test_binops();
    test_shift_imm();
    test_ext();
    test_double();
    test_unary();
    test_bitfields();
    test_conditions();
    test_loop();
    test_calls();
    test_ldst();
    test_goto_tb();
    test_goto_ptr();
    test_undefined_no_trap();
    test_retaddr();
    test_guest_mem();
    test_random();
    harness_free(H);
    return failures ? 1 : 0;
}

/* ------------------------------------------------------------ GETPC under the interpreter */

static uintptr_t seen_ra;
static bool seen_active;
static void helper_getpc(CPUState *cpu)
{
    (void)cpu;
    seen_ra = GETPC();
    seen_active = tci_active;
}
static const TCGHelperInfo info_getpc = {
    .func = (void *)helper_getpc,
    .name = "getpc",
    .flags = TCG_CALL_NO_RWG,
    .nb_args = 1,
    .ret = TCG_CALL_VOID,
    .args = {TCG_CALL_PTR},
};

static void test_retaddr(void)
{
    case_begin();
    harness_begin(H);
    int a[1] = {tcg_ctx->env_temp};
    tcg_gen_insn_start(0x1000, 0);
    tcg_gen_addi_i64(H->r[0], H->r[0], 1);
    tcg_gen_insn_start(0x1004, 0);
    tcg_gen_addi_i64(H->r[1], H->r[1], 1);
    tcg_gen_callN(&info_getpc, -1, 1, a);
    tcg_gen_insn_start(0x1008, 0);
    tcg_gen_addi_i64(H->r[2], H->r[2], 1);
    tcg_gen_exit_tb(NULL, 0);
    harness_run(H, HARNESS_OPT | HARNESS_LIVENESS);
    uintptr_t off = seen_ra - 1 - (uintptr_t)H->tb.tc_ptr;
    int insn = 0;
    while (insn < 2 && off >= H->s->insn_end_off[insn]) {
        insn++;
    }
    EXPECT("tci_active inside helper", seen_active, H->backend == &tcg_backend_interp);
    EXPECT("tci_active after exec", tci_active, 0);
    EXPECT("GETPC maps to the calling insn", insn, 1);
    case_end("getpc_maps_to_insn");
}
