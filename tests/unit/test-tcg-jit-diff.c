/*
 * test-tcg-jit-diff.c — differential tests of the x86-64 JIT against the IR
 * interpreter (tcg/tci, the reference backend).
 *
 * The same IR program is built twice (once per backend's context) from the
 * same description or seed, both run on the same inputs, and every guest
 * register (16 I64 globals, 4 I32 globals) plus the exit value must agree.
 *   - edge_*: every integer op, both types, register and immediate forms,
 *     over a table of boundary values (0, +-1, INT_MIN/MAX of both widths,
 *     byte/half boundaries), including shifts by 0 and width-1, add2/sub2
 *     carries, mulu2/muls2, division guards, and every condition of
 *     setcond/negsetcond/movcond/brcond;
 *   - pressure/calls/globals: more live temps than host registers, helpers
 *     with 7 arguments (S32/I32/I64), globals live across calls and labels;
 *   - random_*: thousands of seeded programs with forward branches, loops,
 *     calls, env loads/stores (some aliasing a global), I32 and I64 temps of
 *     every kind. A failure prints the seed.
 * Everything runs twice: with the host's features (BMI1/2, LZCNT, POPCNT,
 * MOVBE) and with all of them off (the bsr/bsf/cl/helper fallbacks).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcg-harness.h"
#include "tcg/x86_64/jit.h"

static int failures;
static char why[512];
static bool case_ok;
static const char *feature_tag = "";

static void case_begin(void)
{
    case_ok = true;
    why[0] = 0;
}

static void case_end(const char *name)
{
    if (case_ok) {
        printf("PASS %s%s\n", name, feature_tag);
    } else {
        printf("FAIL %s%s: %s\n", name, feature_tag, why);
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

/* ---------------------------------------------------------------- two backends */

#define NW 4 /* I32 globals over HarnessCPU.scratch[0..1] */

typedef struct Side {
    Harness *h;
    TCGv_i32 w[NW];
} Side;

static Side J, I; /* JIT, interpreter */

static void side_init(Side *sd, const TCGBackend *be)
{
    static const char *const wn[NW] = {"w0", "w1", "w2", "w3"};
    sd->h = harness_new(be);
    for (int i = 0; i < NW; i++) {
        sd->w[i] = tcg_global_mem_new_i32(HARNESS_SCRATCH_OFS(0) + 4 * i, wn[i]);
    }
}

/* the current side while building IR */
static Side *S;

static TCGv_i64 R(int i)
{
    return S->h->r[i];
}

typedef void (*BuildFn)(void *arg);

static void set_inputs(Harness *h, const uint64_t *in, int n)
{
    memset(h->cpu->regs, 0, sizeof(h->cpu->regs));
    memset(h->cpu->scratch, 0, sizeof(h->cpu->scratch));
    for (int i = 0; i < n && i < HARNESS_NREGS; i++) {
        h->cpu->regs[i] = in[i];
    }
    /* I32 globals: from the inputs too, so they start non-zero */
    for (int i = 0; i < NW; i++) {
        uint32_t v = (uint32_t)(in[i % (n ? n : 1)] * 0x9e3779b1u + (uint64_t)i);
        memcpy((uint8_t *)h->cpu->scratch + 4 * i, &v, 4);
    }
    for (int i = 2; i < 16; i++) {
        h->cpu->scratch[i] = in[i % (n ? n : 1)] ^ (0x1111111111111111ull * (uint64_t)i);
    }
}

static bool compare_sides(uintptr_t rj, uintptr_t ri, const char *what)
{
    if (rj != ri) {
        fail("%s: exit value jit %#lx interp %#lx", what, (unsigned long)rj,
             (unsigned long)ri);
        return false;
    }
    for (int i = 0; i < HARNESS_NREGS; i++) {
        if (J.h->cpu->regs[i] != I.h->cpu->regs[i]) {
            fail("%s: r%d jit %#llx interp %#llx", what, i,
                 (unsigned long long)J.h->cpu->regs[i], (unsigned long long)I.h->cpu->regs[i]);
            return false;
        }
    }
    for (int i = 0; i < 16; i++) {
        if (J.h->cpu->scratch[i] != I.h->cpu->scratch[i]) {
            fail("%s: scratch[%d] jit %#llx interp %#llx", what, i,
                 (unsigned long long)J.h->cpu->scratch[i],
                 (unsigned long long)I.h->cpu->scratch[i]);
            return false;
        }
    }
    return true;
}

/* Build the same program on both sides and generate code. */
static void build_both(BuildFn fn, void *arg, unsigned flags, uintptr_t *rj, uintptr_t *ri,
                       const uint64_t *in, int nin)
{
    Side *sides[2] = {&J, &I};
    uintptr_t r[2];
    for (int k = 0; k < 2; k++) {
        S = sides[k];
        harness_begin(S->h);
        fn(arg);
        set_inputs(S->h, in, nin);
        r[k] = harness_run(S->h, flags);
    }
    *rj = r[0];
    *ri = r[1];
}

/* Run the generated pair again on new inputs. */
static bool rerun_both(const uint64_t *in, int nin, const char *what)
{
    set_inputs(J.h, in, nin);
    set_inputs(I.h, in, nin);
    uintptr_t rj = harness_exec(J.h), ri = harness_exec(I.h);
    return compare_sides(rj, ri, what);
}

/* ---------------------------------------------------------------- boundary values */

static const uint64_t vals[] = {
    0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
    0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x100000000ull,
    0x100000001ull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0x8000000000000001ull,
    0xfffffffffffffffeull, 0xffffffffffffffffull, 0xffffffff80000000ull, 0x123456789abcdef0ull,
    0xfedcba9876543210ull, 0x00000000deadbeefull, 0xdeadbeef00000000ull,
};
#define NVALS (sizeof(vals) / sizeof(vals[0]))

/* ---------------------------------------------------------------- binary ops */

typedef enum {
    B_ADD, B_SUB, B_MUL, B_AND, B_OR, B_XOR, B_ANDC, B_ORC, B_EQV, B_NAND, B_NOR,
    B_MULUH, B_MULSH, B_DIV, B_DIVU, B_REM, B_REMU, B_SHL, B_SHR, B_SAR, B_ROTL, B_ROTR,
    B_CLZ, B_CTZ, NB_BIN,
} BinKind;

static const char *const bin_names[NB_BIN] = {
    "add", "sub", "mul", "and", "or", "xor", "andc", "orc", "eqv", "nand", "nor", "muluh",
    "mulsh", "div", "divu", "rem", "remu", "shl", "shr", "sar", "rotl", "rotr", "clz", "ctz",
};

static bool bin_is_shift(int k)
{
    return k >= B_SHL && k <= B_ROTR;
}

static void gen_bin64(int k, TCGv_i64 d, TCGv_i64 a, TCGv_i64 b)
{
    switch (k) {
    case B_ADD: tcg_gen_add_i64(d, a, b); break;
    case B_SUB: tcg_gen_sub_i64(d, a, b); break;
    case B_MUL: tcg_gen_mul_i64(d, a, b); break;
    case B_AND: tcg_gen_and_i64(d, a, b); break;
    case B_OR: tcg_gen_or_i64(d, a, b); break;
    case B_XOR: tcg_gen_xor_i64(d, a, b); break;
    case B_ANDC: tcg_gen_andc_i64(d, a, b); break;
    case B_ORC: tcg_gen_orc_i64(d, a, b); break;
    case B_EQV: tcg_gen_eqv_i64(d, a, b); break;
    case B_NAND: tcg_gen_nand_i64(d, a, b); break;
    case B_NOR: tcg_gen_nor_i64(d, a, b); break;
    case B_MULUH: tcg_gen_muluh_i64(d, a, b); break;
    case B_MULSH: tcg_gen_mulsh_i64(d, a, b); break;
    case B_DIV: tcg_gen_div_i64(d, a, b); break;
    case B_DIVU: tcg_gen_divu_i64(d, a, b); break;
    case B_REM: tcg_gen_rem_i64(d, a, b); break;
    case B_REMU: tcg_gen_remu_i64(d, a, b); break;
    case B_SHL: tcg_gen_shl_i64(d, a, b); break;
    case B_SHR: tcg_gen_shr_i64(d, a, b); break;
    case B_SAR: tcg_gen_sar_i64(d, a, b); break;
    case B_ROTL: tcg_gen_rotl_i64(d, a, b); break;
    case B_ROTR: tcg_gen_rotr_i64(d, a, b); break;
    case B_CLZ: tcg_gen_clz_i64(d, a, b); break;
    case B_CTZ: tcg_gen_ctz_i64(d, a, b); break;
    }
}

static void gen_bin32(int k, TCGv_i32 d, TCGv_i32 a, TCGv_i32 b)
{
    switch (k) {
    case B_ADD: tcg_gen_add_i32(d, a, b); break;
    case B_SUB: tcg_gen_sub_i32(d, a, b); break;
    case B_MUL: tcg_gen_mul_i32(d, a, b); break;
    case B_AND: tcg_gen_and_i32(d, a, b); break;
    case B_OR: tcg_gen_or_i32(d, a, b); break;
    case B_XOR: tcg_gen_xor_i32(d, a, b); break;
    case B_ANDC: tcg_gen_andc_i32(d, a, b); break;
    case B_ORC: tcg_gen_orc_i32(d, a, b); break;
    case B_EQV: tcg_gen_eqv_i32(d, a, b); break;
    case B_NAND: tcg_gen_nand_i32(d, a, b); break;
    case B_NOR: tcg_gen_nor_i32(d, a, b); break;
    case B_MULUH: tcg_gen_muluh_i32(d, a, b); break;
    case B_MULSH: tcg_gen_mulsh_i32(d, a, b); break;
    case B_DIV: tcg_gen_div_i32(d, a, b); break;
    case B_DIVU: tcg_gen_divu_i32(d, a, b); break;
    case B_REM: tcg_gen_rem_i32(d, a, b); break;
    case B_REMU: tcg_gen_remu_i32(d, a, b); break;
    case B_SHL: tcg_gen_shl_i32(d, a, b); break;
    case B_SHR: tcg_gen_shr_i32(d, a, b); break;
    case B_SAR: tcg_gen_sar_i32(d, a, b); break;
    case B_ROTL: tcg_gen_rotl_i32(d, a, b); break;
    case B_ROTR: tcg_gen_rotr_i32(d, a, b); break;
    case B_CLZ: tcg_gen_clz_i32(d, a, b); break;
    case B_CTZ: tcg_gen_ctz_i32(d, a, b); break;
    }
}

typedef struct BinCase {
    int kind;
    bool w64;
    int form; /* 0: reg,reg  1: reg,imm  2: imm,reg  3: same temp twice  4: dead inputs */
    uint64_t k; /* the constant for forms 1/2 */
} BinCase;

/* r2 = a op b; r3 = the I32 form's result, zero-extended; inputs r0, r1 */
static void build_bin(void *arg)
{
    const BinCase *c = arg;
    uint64_t k = c->k;
    if (bin_is_shift(c->kind)) {
        k &= c->w64 ? 63 : 31;
    }
    if (c->w64) {
        TCGv_i64 a = R(0), b = R(1);
        if (bin_is_shift(c->kind) && c->form != 1 && c->form != 2) {
            b = tcg_temp_new_i64();
            tcg_gen_andi_i64(b, R(1), 63);
        }
        switch (c->form) {
        case 1: b = tcg_constant_i64((int64_t)k); break;
        case 2: a = tcg_constant_i64((int64_t)k); break;
        case 3:
            /* one temp as both operands (a shift count must stay in range) */
            if (bin_is_shift(c->kind)) {
                b = tcg_temp_new_i64();
                tcg_gen_andi_i64(b, R(0), 63);
            } else {
                b = a;
            }
            break;
        default: break;
        }
        if (c->form == 4) {
            /* inputs in EBB temps that die here: the output may take their regs */
            TCGv_i64 ta = tcg_temp_new_i64(), tb = tcg_temp_new_i64();
            tcg_gen_mov_i64(ta, a);
            tcg_gen_mov_i64(tb, b);
            gen_bin64(c->kind, ta, ta, tb);
            tcg_gen_mov_i64(R(2), ta);
        } else {
            gen_bin64(c->kind, R(2), a, b);
        }
        /* the inputs stay intact */
        tcg_gen_xor_i64(R(4), R(0), R(1));
    } else {
        TCGv_i32 a = tcg_temp_new_i32(), b = tcg_temp_new_i32(), d = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(a, R(0));
        tcg_gen_extrl_i64_i32(b, R(1));
        if (bin_is_shift(c->kind)) {
            tcg_gen_andi_i32(b, b, 31);
        }
        switch (c->form) {
        case 1: b = tcg_constant_i32((int32_t)k); break;
        case 2: a = tcg_constant_i32((int32_t)k); break;
        case 3:
            if (!bin_is_shift(c->kind)) {
                b = a;
            }
            break;
        default: break;
        }
        gen_bin32(c->kind, d, a, b);
        tcg_gen_extu_i32_i64(R(3), d);
        /* an I32 global written by the op must keep the high half clear */
        gen_bin32(c->kind, S->w[1], a, b);
        tcg_gen_extu_i32_i64(R(5), S->w[1]);
    }
    tcg_gen_exit_tb(NULL, 0);
}

static void test_edge_binops(void)
{
    for (int kind = 0; kind < NB_BIN; kind++) {
        for (int w = 0; w < 2; w++) {
            case_begin();
            char name[64];
            snprintf(name, sizeof(name), "edge_%s_i%d", bin_names[kind], w ? 64 : 32);
            for (int form = 0; form < 5 && case_ok; form++) {
                int nk = (form == 1 || form == 2) ? (int)NVALS : 1;
                for (int ki = 0; ki < nk && case_ok; ki++) {
                    BinCase c = {kind, w != 0, form, vals[ki]};
                    if (bin_is_shift(kind) && (form == 1 || form == 2) && vals[ki] > 64) {
                        continue;
                    }
                    unsigned flags = HARNESS_LIVENESS; /* constants reach the backend */
                    uintptr_t rj, ri;
                    uint64_t in[2] = {0, 0};
                    build_both(build_bin, &c, flags, &rj, &ri, in, 2);
                    for (size_t i = 0; i < NVALS && case_ok; i++) {
                        for (size_t j = 0; j < NVALS && case_ok; j++) {
                            uint64_t v[2] = {vals[i], vals[j]};
                            char what[96];
                            snprintf(what, sizeof(what), "form %d k %#llx a %#llx b %#llx", form,
                                     (unsigned long long)c.k, (unsigned long long)v[0],
                                     (unsigned long long)v[1]);
                            rerun_both(v, 2, what);
                        }
                    }
                }
            }
            case_end(name);
        }
    }
}

/* ---------------------------------------------------------------- unary ops */

static void build_unary(void *arg)
{
    int w64 = *(int *)arg;
    if (w64) {
        TCGv_i64 a = R(0);
        tcg_gen_neg_i64(R(1), a);
        tcg_gen_not_i64(R(2), a);
        tcg_gen_ext8s_i64(R(3), a);
        tcg_gen_ext8u_i64(R(4), a);
        tcg_gen_ext16s_i64(R(5), a);
        tcg_gen_ext16u_i64(R(6), a);
        tcg_gen_ext32s_i64(R(7), a);
        tcg_gen_ext32u_i64(R(8), a);
        tcg_gen_bswap16_i64(R(9), a);
        tcg_gen_bswap32_i64(R(10), a);
        tcg_gen_bswap64_i64(R(11), a);
        tcg_gen_ctpop_i64(R(12), a);
        TCGv_i32 t = tcg_temp_new_i32();
        tcg_gen_extrh_i64_i32(t, a);
        tcg_gen_ext_i32_i64(R(13), t);
        tcg_gen_extrl_i64_i32(t, a);
        tcg_gen_ext_i32_i64(R(14), t);
        tcg_gen_extu_i32_i64(R(15), t);
    } else {
        TCGv_i32 a = tcg_temp_new_i32(), d = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(a, R(0));
#define U32(n, stmt)                                                                   \
    stmt;                                                                              \
    tcg_gen_extu_i32_i64(R(n), d);
        U32(1, tcg_gen_neg_i32(d, a))
        U32(2, tcg_gen_not_i32(d, a))
        U32(3, tcg_gen_ext8s_i32(d, a))
        U32(4, tcg_gen_ext8u_i32(d, a))
        U32(5, tcg_gen_ext16s_i32(d, a))
        U32(6, tcg_gen_ext16u_i32(d, a))
        U32(9, tcg_gen_bswap16_i32(d, a))
        U32(10, tcg_gen_bswap32_i32(d, a))
        U32(12, tcg_gen_ctpop_i32(d, a))
        U32(13, tcg_gen_clzi_i32(d, a, 32))
        U32(14, tcg_gen_ctzi_i32(d, a, 32))
#undef U32
        /* in place on an I32 global */
        tcg_gen_mov_i32(S->w[0], a);
        tcg_gen_neg_i32(S->w[0], S->w[0]);
        tcg_gen_not_i32(S->w[2], a);
    }
    tcg_gen_exit_tb(NULL, 0);
}

static void test_edge_unary(void)
{
    for (int w = 0; w < 2; w++) {
        case_begin();
        uintptr_t rj, ri;
        uint64_t in[1] = {0};
        build_both(build_unary, &w, HARNESS_LIVENESS, &rj, &ri, in, 1);
        for (size_t i = 0; i < NVALS && case_ok; i++) {
            char what[64];
            snprintf(what, sizeof(what), "a %#llx", (unsigned long long)vals[i]);
            rerun_both(&vals[i], 1, what);
        }
        case_end(w ? "edge_unary_ext_bswap_ctpop_i64" : "edge_unary_ext_bswap_ctpop_i32");
    }
}

/* ---------------------------------------------------------------- shifts by immediates */

static void build_shifti(void *arg)
{
    int n = *(int *)arg;
    tcg_gen_shli_i64(R(1), R(0), n);
    tcg_gen_shri_i64(R(2), R(0), n);
    tcg_gen_sari_i64(R(3), R(0), n);
    tcg_gen_rotli_i64(R(4), R(0), n);
    tcg_gen_rotri_i64(R(5), R(0), n);
    TCGv_i32 a = tcg_temp_new_i32(), d = tcg_temp_new_i32();
    tcg_gen_extrl_i64_i32(a, R(0));
    int m = n & 31;
    tcg_gen_shli_i32(d, a, m);
    tcg_gen_extu_i32_i64(R(6), d);
    tcg_gen_shri_i32(d, a, m);
    tcg_gen_extu_i32_i64(R(7), d);
    tcg_gen_sari_i32(d, a, m);
    tcg_gen_extu_i32_i64(R(8), d);
    tcg_gen_rotli_i32(d, a, m);
    tcg_gen_extu_i32_i64(R(9), d);
    tcg_gen_rotri_i32(d, a, m);
    tcg_gen_extu_i32_i64(R(10), d);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_edge_shift_imm(void)
{
    static const int counts[] = {0, 1, 2, 7, 8, 15, 16, 31, 32, 33, 62, 63};
    case_begin();
    for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]) && case_ok; c++) {
        int n = counts[c];
        uintptr_t rj, ri;
        uint64_t in[1] = {0};
        build_both(build_shifti, &n, HARNESS_LIVENESS, &rj, &ri, in, 1);
        for (size_t i = 0; i < NVALS && case_ok; i++) {
            char what[64];
            snprintf(what, sizeof(what), "n %d a %#llx", n, (unsigned long long)vals[i]);
            rerun_both(&vals[i], 1, what);
        }
    }
    case_end("edge_shift_by_0_1_w-1_imm");
}

/* ---------------------------------------------------------------- double-width ops */

static void build_double(void *arg)
{
    int form = *(int *)arg;
    TCGv_i64 bl = form ? tcg_constant_i64(-1) : R(2);
    TCGv_i64 bh = form ? tcg_constant_i64(0x7fffffff) : R(3);
    tcg_gen_add2_i64(R(4), R(5), R(0), R(1), bl, bh);
    tcg_gen_sub2_i64(R(6), R(7), R(0), R(1), bl, bh);
    tcg_gen_mulu2_i64(R(8), R(9), R(0), R(2));
    tcg_gen_muls2_i64(R(10), R(11), R(0), R(2));
    TCGv_i32 al = tcg_temp_new_i32(), ah = tcg_temp_new_i32(), xl = tcg_temp_new_i32(),
             xh = tcg_temp_new_i32(), ol = tcg_temp_new_i32(), oh = tcg_temp_new_i32();
    tcg_gen_extrl_i64_i32(al, R(0));
    tcg_gen_extrh_i64_i32(ah, R(0));
    tcg_gen_extrl_i64_i32(xl, R(2));
    tcg_gen_extrh_i64_i32(xh, R(2));
    tcg_gen_add2_i32(ol, oh, al, ah, xl, xh);
    tcg_gen_concat_i32_i64(R(12), ol, oh);
    tcg_gen_sub2_i32(ol, oh, al, ah, xl, xh);
    tcg_gen_concat_i32_i64(R(13), ol, oh);
    tcg_gen_mulu2_i32(ol, oh, al, xl);
    tcg_gen_concat_i32_i64(R(14), ol, oh);
    tcg_gen_muls2_i32(ol, oh, al, xh);
    tcg_gen_concat_i32_i64(R(15), ol, oh);
    /* in place: (r0, r1) += (r2, r3) */
    tcg_gen_add2_i64(R(0), R(1), R(0), R(1), R(2), R(3));
    tcg_gen_exit_tb(NULL, 0);
}

static void test_edge_double(void)
{
    case_begin();
    for (int form = 0; form < 2 && case_ok; form++) {
        uintptr_t rj, ri;
        uint64_t in[4] = {0};
        build_both(build_double, &form, HARNESS_LIVENESS, &rj, &ri, in, 4);
        for (size_t i = 0; i < NVALS && case_ok; i++) {
            for (size_t j = 0; j < NVALS && case_ok; j++) {
                uint64_t v[4] = {vals[i], vals[j], vals[(i + j) % NVALS], vals[(i * 7 + j) % NVALS]};
                char what[96];
                snprintf(what, sizeof(what), "form %d i %zu j %zu", form, i, j);
                rerun_both(v, 4, what);
            }
        }
    }
    case_end("edge_add2_sub2_mulu2_muls2_carries");
}

/* ---------------------------------------------------------------- bit fields */

typedef struct BfCase {
    int ofs, len;
    bool w64;
} BfCase;

static void build_bitfield(void *arg)
{
    const BfCase *c = arg;
    if (c->w64) {
        tcg_gen_extract_i64(R(2), R(0), c->ofs, c->len);
        tcg_gen_sextract_i64(R(3), R(0), c->ofs, c->len);
        tcg_gen_deposit_i64(R(4), R(0), R(1), c->ofs, c->len);
        tcg_gen_deposit_i64(R(5), R(0), tcg_constant_i64(0x5a5a5a5a5a5a5a5aull), c->ofs, c->len);
        tcg_gen_deposit_i64(R(6), R(0), R(0), c->ofs, c->len);
        tcg_gen_extract2_i64(R(7), R(0), R(1), c->ofs);
    } else {
        TCGv_i32 a = tcg_temp_new_i32(), b = tcg_temp_new_i32(), d = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(a, R(0));
        tcg_gen_extrl_i64_i32(b, R(1));
        tcg_gen_extract_i32(d, a, c->ofs, c->len);
        tcg_gen_extu_i32_i64(R(2), d);
        tcg_gen_sextract_i32(d, a, c->ofs, c->len);
        tcg_gen_extu_i32_i64(R(3), d);
        tcg_gen_deposit_i32(d, a, b, c->ofs, c->len);
        tcg_gen_extu_i32_i64(R(4), d);
        tcg_gen_deposit_i32(d, a, tcg_constant_i32(0x5a5a5a5a), c->ofs, c->len);
        tcg_gen_extu_i32_i64(R(5), d);
        tcg_gen_extract2_i32(d, a, b, c->ofs);
        tcg_gen_extu_i32_i64(R(7), d);
    }
    tcg_gen_exit_tb(NULL, 0);
}

static void test_edge_bitfields(void)
{
    for (int w = 0; w < 2; w++) {
        case_begin();
        int width = w ? 64 : 32;
        for (int ofs = 0; ofs < width && case_ok; ofs += (ofs < 9 ? 1 : 7)) {
            for (int len = 1; ofs + len <= width && case_ok; len += (len < 9 ? 1 : 5)) {
                BfCase c = {ofs, len, w != 0};
                uintptr_t rj, ri;
                uint64_t in[2] = {0};
                build_both(build_bitfield, &c, HARNESS_LIVENESS, &rj, &ri, in, 2);
                for (size_t i = 0; i < NVALS && case_ok; i += 3) {
                    uint64_t v[2] = {vals[i], vals[NVALS - 1 - i]};
                    char what[96];
                    snprintf(what, sizeof(what), "ofs %d len %d a %#llx", ofs, len,
                             (unsigned long long)v[0]);
                    rerun_both(v, 2, what);
                }
            }
        }
        case_end(w ? "edge_extract_sextract_deposit_extract2_i64"
                   : "edge_extract_sextract_deposit_extract2_i32");
    }
}

/* ---------------------------------------------------------------- conditions */

static const TCGCond conds[] = {
    TCG_COND_EQ, TCG_COND_NE, TCG_COND_LT, TCG_COND_GE, TCG_COND_LE,
    TCG_COND_GT, TCG_COND_LTU, TCG_COND_GEU, TCG_COND_LEU, TCG_COND_GTU,
    TCG_COND_ALWAYS, TCG_COND_NEVER,
};

typedef struct CondCase {
    TCGCond c;
    bool w64;
    int form; /* 0: reg,reg  1: reg,imm  2: imm,reg */
    uint64_t k;
} CondCase;

static void build_cond(void *arg)
{
    const CondCase *c = arg;
    TCGLabel *l = gen_new_label(), *done = gen_new_label();
    if (c->w64) {
        TCGv_i64 a = R(0), b = R(1);
        if (c->form == 1) {
            b = tcg_constant_i64((int64_t)c->k);
        } else if (c->form == 2) {
            a = tcg_constant_i64((int64_t)c->k);
        }
        tcg_gen_setcond_i64(c->c, R(2), a, b);
        tcg_gen_negsetcond_i64(c->c, R(3), a, b);
        tcg_gen_movcond_i64(c->c, R(4), a, b, R(5), R(6));
        tcg_gen_movcond_i64(c->c, R(7), a, b, R(0), tcg_constant_i64(77));
        tcg_gen_brcond_i64(c->c, a, b, l);
    } else {
        TCGv_i32 a = tcg_temp_new_tb_i32(), b = tcg_temp_new_tb_i32(), d = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(a, R(0));
        tcg_gen_extrl_i64_i32(b, R(1));
        if (c->form == 1) {
            b = tcg_constant_i32((int32_t)c->k);
        } else if (c->form == 2) {
            a = tcg_constant_i32((int32_t)c->k);
        }
        tcg_gen_setcond_i32(c->c, d, a, b);
        tcg_gen_extu_i32_i64(R(2), d);
        tcg_gen_negsetcond_i32(c->c, d, a, b);
        tcg_gen_extu_i32_i64(R(3), d);
        TCGv_i32 v1 = tcg_temp_new_i32(), v2 = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(v1, R(5));
        tcg_gen_extrl_i64_i32(v2, R(6));
        tcg_gen_movcond_i32(c->c, d, a, b, v1, v2);
        tcg_gen_extu_i32_i64(R(4), d);
        tcg_gen_brcond_i32(c->c, a, b, l);
    }
    tcg_gen_movi_i64(R(8), 1);
    tcg_gen_br(done);
    gen_set_label(l);
    tcg_gen_movi_i64(R(8), 2);
    gen_set_label(done);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_edge_conditions(void)
{
    static const uint64_t cvals[] = {
        0, 1, 2, 0x7f, 0x80, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0x100000000ull,
        0x7fffffffffffffffull, 0x8000000000000000ull, 0xfffffffffffffffeull,
        0xffffffffffffffffull, 0xffffffff7fffffffull,
    };
    const size_t nc = sizeof(cvals) / sizeof(cvals[0]);
    for (size_t ci = 0; ci < sizeof(conds) / sizeof(conds[0]); ci++) {
        case_begin();
        for (int w = 0; w < 2 && case_ok; w++) {
            for (int form = 0; form < 3 && case_ok; form++) {
                size_t nk = form ? nc : 1;
                for (size_t ki = 0; ki < nk && case_ok; ki++) {
                    CondCase c = {conds[ci], w != 0, form, cvals[ki]};
                    uintptr_t rj, ri;
                    uint64_t in[7] = {0};
                    build_both(build_cond, &c, HARNESS_LIVENESS, &rj, &ri, in, 7);
                    for (size_t i = 0; i < nc && case_ok; i++) {
                        for (size_t j = 0; j < nc && case_ok; j++) {
                            uint64_t v[7] = {cvals[i], cvals[j], 0, 0, 0, 0x1111, 0x2222};
                            char what[96];
                            snprintf(what, sizeof(what), "i%d form %d k %#llx a %#llx b %#llx",
                                     w ? 64 : 32, form, (unsigned long long)c.k,
                                     (unsigned long long)v[0], (unsigned long long)v[1]);
                            rerun_both(v, 7, what);
                        }
                    }
                }
            }
        }
        char name[64];
        snprintf(name, sizeof(name), "edge_cond_%s", tcg_cond_name(conds[ci]));
        case_end(name);
    }
}

/* an ALU result compared with 0 right away (the JIT reuses the ALU's flags) */
typedef struct FlagCase {
    TCGCond c;
    int alu; /* 0 and, 1 or, 2 xor, 3 add, 4 sub */
    bool w64;
    bool imm;
} FlagCase;

static void build_flags(void *arg)
{
    const FlagCase *c = arg;
    TCGLabel *l = gen_new_label();
    tcg_gen_movi_i64(R(8), 1);
    if (c->w64) {
        TCGv_i64 t = tcg_temp_new_i64();
        TCGv_i64 b = c->imm ? tcg_constant_i64(0x80000001ll) : R(1);
        switch (c->alu) {
        case 0: tcg_gen_and_i64(t, R(0), b); break;
        case 1: tcg_gen_or_i64(t, R(0), b); break;
        case 2: tcg_gen_xor_i64(t, R(0), b); break;
        case 3: tcg_gen_add_i64(t, R(0), b); break;
        default: tcg_gen_sub_i64(t, R(0), b); break;
        }
        tcg_gen_brcondi_i64(c->c, t, 0, l);
    } else {
        TCGv_i32 a = tcg_temp_new_i32(), t = tcg_temp_new_i32();
        TCGv_i32 b = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(a, R(0));
        tcg_gen_extrl_i64_i32(b, R(1));
        if (c->imm) {
            b = tcg_constant_i32(0x80000001);
        }
        switch (c->alu) {
        case 0: tcg_gen_and_i32(t, a, b); break;
        case 1: tcg_gen_or_i32(t, a, b); break;
        case 2: tcg_gen_xor_i32(t, a, b); break;
        case 3: tcg_gen_add_i32(t, a, b); break;
        default: tcg_gen_sub_i32(t, a, b); break;
        }
        tcg_gen_brcondi_i32(c->c, t, 0, l);
    }
    tcg_gen_movi_i64(R(8), 2);
    gen_set_label(l);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_flags_reuse(void)
{
    case_begin();
    for (int ci = 0; ci < 10 && case_ok; ci++) {
        for (int alu = 0; alu < 5 && case_ok; alu++) {
            for (int w = 0; w < 4 && case_ok; w++) {
                FlagCase c = {conds[ci], alu, (w & 1) != 0, (w & 2) != 0};
                uintptr_t rj, ri;
                uint64_t in[2] = {0};
                build_both(build_flags, &c, HARNESS_LIVENESS | HARNESS_OPT, &rj, &ri, in, 2);
                for (size_t i = 0; i < NVALS && case_ok; i++) {
                    for (size_t j = 0; j < NVALS && case_ok; j += 3) {
                        uint64_t v[2] = {vals[i], vals[j]};
                        char what[96];
                        snprintf(what, sizeof(what), "%s alu %d w %d a %#llx b %#llx",
                                 tcg_cond_name(c.c), alu, w, (unsigned long long)v[0],
                                 (unsigned long long)v[1]);
                        rerun_both(v, 2, what);
                    }
                }
            }
        }
    }
    case_end("alu_result_compared_with_zero_all_conditions");
}

/* ---------------------------------------------------------------- helpers */

static uint64_t helper_mix7(uint64_t a, int32_t b, uint32_t c, uint64_t d, int32_t e,
                            uint64_t f, uint32_t g)
{
    return a * 3 + (uint64_t)(int64_t)b * 5 + (uint64_t)c * 7 + d * 11 +
           (uint64_t)(int64_t)e * 13 + f * 17 + (uint64_t)g * 19;
}
static const TCGHelperInfo info_mix7 = {
    .func = (void *)helper_mix7, .name = "mix7", .flags = TCG_CALL_PURE, .nb_args = 7,
    .ret = TCG_CALL_I64,
    .args = {TCG_CALL_I64, TCG_CALL_S32, TCG_CALL_I32, TCG_CALL_I64, TCG_CALL_S32,
             TCG_CALL_I64, TCG_CALL_I32},
};

/* 7 args with the S32 one on the stack */
static uint64_t helper_stack_s32(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                                 uint64_t f, int32_t g)
{
    return (a ^ b ^ c ^ d ^ e ^ f) + (uint64_t)(int64_t)g;
}
static const TCGHelperInfo info_stack_s32 = {
    .func = (void *)helper_stack_s32, .name = "stack_s32", .flags = TCG_CALL_PURE,
    .nb_args = 7, .ret = TCG_CALL_I64,
    .args = {TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64,
             TCG_CALL_I64, TCG_CALL_S32},
};

static uint32_t helper_ret32(uint32_t a, uint64_t b)
{
    return a * 7u + (uint32_t)(b >> 13);
}
static const TCGHelperInfo info_ret32 = {
    .func = (void *)helper_ret32, .name = "ret32", .flags = TCG_CALL_PURE, .nb_args = 2,
    .ret = TCG_CALL_I32, .args = {TCG_CALL_I32, TCG_CALL_I64},
};

/* reads and writes guest registers through env: flags 0 */
static void helper_env_rw(CPUState *cpu, uint64_t v)
{
    HarnessCPU *c = (HarnessCPU *)cpu;
    c->regs[14] = c->regs[1] * 3 + v;
    c->regs[1] ^= 0x5555;
    uint32_t w;
    memcpy(&w, (uint8_t *)c->scratch + 4, 4);
    w += 0x1001;
    memcpy((uint8_t *)c->scratch + 4, &w, 4);
}
static const TCGHelperInfo info_env_rw = {
    .func = (void *)helper_env_rw, .name = "env_rw", .flags = 0, .nb_args = 2,
    .ret = TCG_CALL_VOID, .args = {TCG_CALL_PTR, TCG_CALL_I64},
};

/* reads guest registers, writes none */
static uint64_t helper_env_read(CPUState *cpu)
{
    HarnessCPU *c = (HarnessCPU *)cpu;
    return c->regs[0] + c->regs[5] * 2 + c->regs[9] * 4;
}
static const TCGHelperInfo info_env_read = {
    .func = (void *)helper_env_read, .name = "env_read", .flags = TCG_CALL_NO_WG,
    .nb_args = 1, .ret = TCG_CALL_I64, .args = {TCG_CALL_PTR},
};

static void build_calls(void *arg)
{
    (void)arg;
    TCGv_i32 b = tcg_temp_new_i32(), c = tcg_temp_new_i32(), e = tcg_temp_new_i32(),
             g = tcg_temp_new_i32(), n = tcg_temp_new_i32();
    TCGv_i64 keep = tcg_temp_new_tb_i64();
    tcg_gen_extrl_i64_i32(b, R(1));
    tcg_gen_extrl_i64_i32(c, R(2));
    tcg_gen_extrl_i64_i32(e, R(4));
    tcg_gen_extrl_i64_i32(g, R(6));
    tcg_gen_addi_i64(keep, R(0), 12345);
    /* globals dirty in registers across calls */
    tcg_gen_addi_i64(R(9), R(9), 1);
    tcg_gen_addi_i64(R(5), R(5), 3);
    int args[7] = {tcgv_i64_idx(R(0)), tcgv_i32_idx(b), tcgv_i32_idx(c), tcgv_i64_idx(R(3)),
                   tcgv_i32_idx(e), tcgv_i64_idx(R(5)), tcgv_i32_idx(g)};
    tcg_gen_callN(&info_mix7, tcgv_i64_idx(R(7)), 7, args);
    int args2[7] = {tcgv_i64_idx(R(0)), tcgv_i64_idx(R(1)), tcgv_i64_idx(R(2)),
                    tcgv_i64_idx(R(3)), tcgv_i64_idx(R(4)), tcgv_i64_idx(R(5)),
                    tcgv_i32_idx(e)};
    tcg_gen_callN(&info_stack_s32, tcgv_i64_idx(R(8)), 7, args2);
    /* constant arguments, including the stack one */
    int args3[7] = {tcg_constant_temp(tcg_ctx, TCG_TYPE_I64, -5),
                    tcg_constant_temp(tcg_ctx, TCG_TYPE_I64, 0x123456789ll),
                    tcgv_i64_idx(R(2)), tcgv_i64_idx(R(3)), tcgv_i64_idx(R(4)),
                    tcgv_i64_idx(R(5)), tcg_constant_temp(tcg_ctx, TCG_TYPE_I32, -7)};
    tcg_gen_callN(&info_stack_s32, tcgv_i64_idx(R(10)), 7, args3);
    int a1[2] = {tcgv_i32_idx(b), tcgv_i64_idx(keep)};
    tcg_gen_callN(&info_ret32, tcgv_i32_idx(n), 2, a1);
    tcg_gen_extu_i32_i64(R(11), n);
    /* the helper reads r1 and writes r1, r14, w1 */
    tcg_gen_addi_i64(R(1), R(1), 100);
    tcg_gen_addi_i32(S->w[1], S->w[1], 7);
    int a2[2] = {tcg_ctx->env_temp, tcgv_i64_idx(keep)};
    tcg_gen_callN(&info_env_rw, -1, 2, a2);
    tcg_gen_add_i64(R(12), R(14), R(1));
    tcg_gen_extu_i32_i64(R(13), S->w[1]);
    int a3[1] = {tcg_ctx->env_temp};
    tcg_gen_callN(&info_env_read, tcgv_i64_idx(R(15)), 1, a3);
    tcg_gen_add_i64(R(6), R(6), keep);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_calls(void)
{
    case_begin();
    for (int opt = 0; opt < 2 && case_ok; opt++) {
        uintptr_t rj, ri;
        uint64_t in[8] = {0};
        build_both(build_calls, NULL, HARNESS_LIVENESS | (opt ? HARNESS_OPT : 0), &rj, &ri, in, 8);
        for (size_t i = 0; i < NVALS && case_ok; i++) {
            uint64_t v[8];
            for (int k = 0; k < 8; k++) {
                v[k] = vals[(i + (size_t)k * 5) % NVALS];
            }
            rerun_both(v, 8, "calls");
        }
    }
    case_end("calls_7_args_stack_s32_globals_across_calls");
}

/* ---------------------------------------------------------------- register pressure */

static void build_pressure(void *arg)
{
    int n = *(int *)arg;
    TCGv_i64 t[40];
    TCGv_i32 x[8];
    for (int i = 0; i < n; i++) {
        t[i] = (i & 1) ? tcg_temp_new_tb_i64() : tcg_temp_new_i64();
        tcg_gen_muli_i64(t[i], R(i % 16), 2 * i + 1);
        tcg_gen_xor_i64(t[i], t[i], R((i + 3) % 16));
    }
    for (int i = 0; i < 8; i++) {
        x[i] = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(x[i], t[i]);
        tcg_gen_muli_i32(x[i], x[i], 0x10001 * (i + 1));
    }
    /* all of them live at once; then combine */
    for (int i = 0; i < n; i++) {
        tcg_gen_add_i64(R(i % 16), R(i % 16), t[(i * 7) % n]);
        tcg_gen_rotli_i64(t[i], t[i], i % 64);
    }
    TCGLabel *l = gen_new_label();
    tcg_gen_brcondi_i64(TCG_COND_EQ, R(0), 0, l);
    for (int i = 0; i < n; i++) {
        tcg_gen_sub_i64(R((i + 5) % 16), R((i + 5) % 16), t[i]);
    }
    for (int i = 0; i < 8; i++) {
        TCGv_i64 z = tcg_temp_new_i64();
        tcg_gen_extu_i32_i64(z, x[i]);
        tcg_gen_add_i64(R(i), R(i), z);
    }
    gen_set_label(l);
    /* TB temps survive the label */
    for (int i = 1; i < n; i += 2) {
        tcg_gen_xor_i64(R(i % 16), R(i % 16), t[i]);
    }
    tcg_gen_exit_tb(NULL, 0);
}

static void test_pressure(void)
{
    case_begin();
    for (int n = 14; n <= 40 && case_ok; n += 13) {
        for (int opt = 0; opt < 2 && case_ok; opt++) {
            uintptr_t rj, ri;
            uint64_t in[16] = {0};
            build_both(build_pressure, &n, HARNESS_LIVENESS | (opt ? HARNESS_OPT : 0), &rj,
                       &ri, in, 16);
            for (size_t i = 0; i < NVALS && case_ok; i++) {
                uint64_t v[16];
                for (int k = 0; k < 16; k++) {
                    v[k] = vals[(i + (size_t)k * 3) % NVALS];
                }
                char what[64];
                snprintf(what, sizeof(what), "n %d opt %d i %zu", n, opt, i);
                rerun_both(v, 16, what);
            }
        }
    }
    case_end("register_pressure_40_live_temps_spills");
}

/* ---------------------------------------------------------------- TB temps and loops */

/* TB temps read only before a loop, inside it, only after it, and across
 * forward branches: the JIT drops them after their last read */
static void build_tb_loops(void *arg)
{
    int nloops = *(int *)arg;
    TCGv_i64 t1 = tcg_temp_new_tb_i64(), t2 = tcg_temp_new_tb_i64();
    TCGv_i64 t3 = tcg_temp_new_tb_i64(), t4 = tcg_temp_new_tb_i64();
    TCGv_i64 cnt = tcg_temp_new_tb_i64();
    tcg_gen_muli_i64(t1, R(0), 3);
    tcg_gen_addi_i64(t2, R(1), 5);
    tcg_gen_xori_i64(t3, R(2), 7);
    tcg_gen_addi_i64(R(5), t1, 1);
    for (int l = 0; l < nloops; l++) {
        TCGLabel *top = gen_new_label();
        tcg_gen_andi_i64(cnt, R(3), 3);
        tcg_gen_addi_i64(cnt, cnt, 1);
        gen_set_label(top);
        tcg_gen_add_i64(R(6), R(6), t2);
        tcg_gen_muli_i64(t2, t2, 3);
        tcg_gen_subi_i64(cnt, cnt, 1);
        tcg_gen_brcondi_i64(TCG_COND_NE, cnt, 0, top);
    }
    tcg_gen_add_i64(R(7), t3, R(6));
    TCGLabel *skip = gen_new_label();
    tcg_gen_addi_i64(t4, R(3), 1);
    tcg_gen_brcondi_i64(TCG_COND_EQ, R(4), 0, skip);
    tcg_gen_mov_i64(R(8), t4);
    gen_set_label(skip);
    tcg_gen_addi_i64(R(9), t4, 1);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_tb_loops(void)
{
    case_begin();
    for (int nloops = 0; nloops < 3 && case_ok; nloops++) {
        uintptr_t rj, ri;
        uint64_t in[5] = {0};
        build_both(build_tb_loops, &nloops, HARNESS_LIVENESS | HARNESS_OPT, &rj, &ri, in, 5);
        for (size_t i = 0; i < NVALS && case_ok; i++) {
            uint64_t v[5] = {vals[i], vals[(i + 1) % NVALS], vals[(i + 2) % NVALS], i, i & 1};
            char what[64];
            snprintf(what, sizeof(what), "loops %d i %zu", nloops, i);
            rerun_both(v, 5, what);
        }
    }
    case_end("tb_temps_before_inside_after_loops");
}

/* ---------------------------------------------------------------- env ld/st */

static void build_ldst_env(void *arg)
{
    (void)arg;
    TCGv_ptr env = tcg_env();
    /* loads of every width from scratch */
    tcg_gen_ld8u_i64(R(2), env, HARNESS_SCRATCH_OFS(2) + 1);
    tcg_gen_ld8s_i64(R(3), env, HARNESS_SCRATCH_OFS(2) + 7);
    tcg_gen_ld16u_i64(R(4), env, HARNESS_SCRATCH_OFS(3) + 2);
    tcg_gen_ld16s_i64(R(5), env, HARNESS_SCRATCH_OFS(3) + 6);
    tcg_gen_ld32u_i64(R(6), env, HARNESS_SCRATCH_OFS(4) + 4);
    tcg_gen_ld32s_i64(R(7), env, HARNESS_SCRATCH_OFS(4) + 4);
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_ld16s_i32(t, env, HARNESS_SCRATCH_OFS(5));
    tcg_gen_extu_i32_i64(R(8), t);
    tcg_gen_ld8s_i32(t, env, HARNESS_SCRATCH_OFS(5) + 3);
    tcg_gen_extu_i32_i64(R(9), t);
    /* stores of every width, register and immediate */
    tcg_gen_st8_i64(R(0), env, HARNESS_SCRATCH_OFS(6) + 3);
    tcg_gen_st16_i64(R(0), env, HARNESS_SCRATCH_OFS(7) + 2);
    tcg_gen_st32_i64(R(0), env, HARNESS_SCRATCH_OFS(8) + 4);
    tcg_gen_st_i64(R(1), env, HARNESS_SCRATCH_OFS(9));
    tcg_gen_st8_i64(tcg_constant_i64(0x1ab), env, HARNESS_SCRATCH_OFS(10));
    tcg_gen_st16_i64(tcg_constant_i64(0x12345), env, HARNESS_SCRATCH_OFS(10) + 2);
    tcg_gen_st32_i64(tcg_constant_i64(-3), env, HARNESS_SCRATCH_OFS(10) + 4);
    tcg_gen_st_i64(tcg_constant_i64(-9), env, HARNESS_SCRATCH_OFS(11));
    tcg_gen_st_i64(tcg_constant_i64(0x123456789abcll), env, HARNESS_SCRATCH_OFS(12));
    tcg_gen_st_i32(t, env, HARNESS_SCRATCH_OFS(13));
    /* aliasing a global's home: a dirty r10 must be visible to the load, and a
     * store over r11's home must be seen by the next use of r11 */
    tcg_gen_addi_i64(R(10), R(10), 5);
    tcg_gen_ld_i64(R(12), env, HARNESS_REG_OFS(10));
    tcg_gen_addi_i64(R(11), R(11), 1);
    tcg_gen_st_i64(R(0), env, HARNESS_REG_OFS(11));
    tcg_gen_addi_i64(R(13), R(11), 1);
    tcg_gen_ld32u_i64(R(14), env, HARNESS_SCRATCH_OFS(0)); /* I32 global w0's home */
    tcg_gen_exit_tb(NULL, 0);
}

static void test_ldst_env(void)
{
    case_begin();
    uintptr_t rj, ri;
    uint64_t in[2] = {0};
    build_both(build_ldst_env, NULL, HARNESS_LIVENESS | HARNESS_OPT, &rj, &ri, in, 2);
    for (size_t i = 0; i < NVALS && case_ok; i++) {
        uint64_t v[14] = {vals[i], vals[NVALS - 1 - i]};
        for (int k = 2; k < 14; k++) {
            v[k] = vals[(i * 3 + (size_t)k) % NVALS];
        }
        rerun_both(v, 14, "ld/st env");
    }
    case_end("ld_st_env_widths_and_global_aliasing");
}

/* ---------------------------------------------------------------- random programs */

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
    case 1: return rnd(r) % 64;
    default: return rnd(r);
    }
}

enum { NTB64 = 6, NEBB64 = 6, NTB32 = 3, NEBB32 = 3 };

typedef struct ProgGen {
    Rng r;
    TCGv_i64 tb64[NTB64], ebb64[NEBB64];
    TCGv_i32 tb32[NTB32], ebb32[NEBB32];
    unsigned ebb64_valid, ebb32_valid;
    unsigned ebb64_new, ebb32_new; /* written by the op being built: valid after it */
    TCGLabel *pending[8];
    int npending;
    TCGv_i64 loop_cnt;
    bool in_loop;
} ProgGen;

static TCGv_i64 src64(ProgGen *g)
{
    for (;;) {
        unsigned k = (unsigned)(rnd(&g->r) % 28);
        if (k < 16) {
            return R((int)k);
        }
        if (k < 16 + NTB64) {
            return g->tb64[k - 16];
        }
        k -= 16 + NTB64;
        if (k < NEBB64 && (g->ebb64_valid & (1u << k))) {
            return g->ebb64[k];
        }
        if (k >= NEBB64) {
            return tcg_constant_i64((int64_t)rnd_val(&g->r));
        }
    }
}

static TCGv_i64 dst64(ProgGen *g)
{
    unsigned k = (unsigned)(rnd(&g->r) % 28);
    if (k < 16) {
        return R((int)k);
    }
    if (k < 16 + NTB64) {
        return g->tb64[k - 16];
    }
    k = (k - 16 - NTB64) % NEBB64;
    g->ebb64_new |= 1u << k;
    return g->ebb64[k];
}

static TCGv_i32 src32(ProgGen *g)
{
    for (;;) {
        unsigned k = (unsigned)(rnd(&g->r) % 12);
        if (k < NW) {
            return S->w[k];
        }
        k -= NW;
        if (k < NTB32) {
            return g->tb32[k];
        }
        k -= NTB32;
        if (k < NEBB32 && (g->ebb32_valid & (1u << k))) {
            return g->ebb32[k];
        }
        if (k >= NEBB32) {
            return tcg_constant_i32((int32_t)rnd_val(&g->r));
        }
    }
}

static TCGv_i32 dst32(ProgGen *g)
{
    unsigned k = (unsigned)(rnd(&g->r) % 10);
    if (k < NW) {
        return S->w[k];
    }
    k -= NW;
    if (k < NTB32) {
        return g->tb32[k];
    }
    k = (k - NTB32) % NEBB32;
    g->ebb32_new |= 1u << k;
    return g->ebb32[k];
}

static void set_label_here(ProgGen *g, TCGLabel *l)
{
    gen_set_label(l);
    g->ebb64_valid = g->ebb32_valid = 0;
}

static void random_op(ProgGen *g)
{
    Rng *r = &g->r;
    unsigned pick = (unsigned)(rnd(r) % 100);
    if (pick < 40) {
        /* 64-bit binary op (shift counts masked into range) */
        int k = (int)(rnd(r) % NB_BIN);
        TCGv_i64 a = src64(g), b = src64(g), d = dst64(g);
        if (bin_is_shift(k)) {
            TCGv_i64 c = tcg_temp_new_i64();
            tcg_gen_andi_i64(c, b, 63);
            b = c;
        }
        gen_bin64(k, d, a, b);
    } else if (pick < 58) {
        int k = (int)(rnd(r) % NB_BIN);
        TCGv_i32 a = src32(g), b = src32(g), d = dst32(g);
        if (bin_is_shift(k)) {
            TCGv_i32 c = tcg_temp_new_i32();
            tcg_gen_andi_i32(c, b, 31);
            b = c;
        }
        gen_bin32(k, d, a, b);
    } else if (pick < 75) {
        TCGv_i64 a = src64(g), b = src64(g);
        TCGv_i32 x = src32(g);
        unsigned before64 = g->ebb64_new, before32 = g->ebb32_new;
        TCGv_i64 d = dst64(g);
        TCGv_i32 xd = dst32(g);
        unsigned kind = (unsigned)(rnd(r) % 24);
        /* only the destination the op really writes becomes valid */
        bool writes32 = kind >= 16 && kind != 22;
        if (writes32) {
            g->ebb64_new = before64;
        } else {
            g->ebb32_new = before32;
        }
        unsigned ofs = (unsigned)(rnd(r) % 64), len = 1 + (unsigned)(rnd(r) % (64 - ofs));
        unsigned o32 = ofs % 32, l32 = 1 + (unsigned)(rnd(r) % (32 - o32));
        TCGCond c = conds[rnd(r) % 10];
        switch (kind) {
        case 0: tcg_gen_neg_i64(d, a); break;
        case 1: tcg_gen_not_i64(d, a); break;
        case 2: tcg_gen_ext8s_i64(d, a); break;
        case 3: tcg_gen_ext16u_i64(d, a); break;
        case 4: tcg_gen_ext32s_i64(d, a); break;
        case 5: tcg_gen_bswap64_i64(d, a); break;
        case 6: tcg_gen_ctpop_i64(d, a); break;
        case 7: tcg_gen_extract_i64(d, a, ofs, len); break;
        case 8: tcg_gen_sextract_i64(d, a, ofs, len); break;
        case 9: tcg_gen_deposit_i64(d, a, b, ofs, len); break;
        case 10: tcg_gen_extract2_i64(d, a, b, ofs); break;
        case 11: tcg_gen_setcond_i64(c, d, a, b); break;
        case 12: tcg_gen_movcond_i64(c, d, a, b, src64(g), src64(g)); break;
        case 13: tcg_gen_negsetcond_i64(c, d, a, b); break;
        case 14: tcg_gen_ext_i32_i64(d, x); break;
        case 15: tcg_gen_extu_i32_i64(d, x); break;
        case 16: tcg_gen_extrl_i64_i32(xd, a); break;
        case 17: tcg_gen_extrh_i64_i32(xd, a); break;
        case 18: tcg_gen_extract_i32(xd, x, o32, l32); break;
        case 19: tcg_gen_deposit_i32(xd, x, src32(g), o32, l32); break;
        case 20: tcg_gen_movcond_i32(c, xd, x, src32(g), src32(g), src32(g)); break;
        case 21: tcg_gen_bswap32_i32(xd, x); break;
        case 22: tcg_gen_mov_i64(d, a); break;
        default: tcg_gen_mov_i32(xd, x); break;
        }
    } else if (pick < 82) {
        TCGv_i64 d1 = dst64(g), d2 = dst64(g);
        if (d1 == d2) {
            d2 = g->tb64[0] == d1 ? g->tb64[1] : g->tb64[0];
        }
        TCGv_i64 a = src64(g), b = src64(g), c = src64(g), e = src64(g);
        switch (rnd(r) % 4) {
        case 0: tcg_gen_add2_i64(d1, d2, a, b, c, e); break;
        case 1: tcg_gen_sub2_i64(d1, d2, a, b, c, e); break;
        case 2: tcg_gen_mulu2_i64(d1, d2, a, b); break;
        default: tcg_gen_muls2_i64(d1, d2, a, b); break;
        }
    } else if (pick < 88) {
        /* env loads/stores in scratch[2..15] (not the I32 globals' home) */
        TCGv_ptr env = tcg_env();
        intptr_t ofs = HARNESS_SCRATCH_OFS(2) + (intptr_t)(rnd(r) % (14 * 8 - 8));
        switch (rnd(r) % 6) {
        case 0: tcg_gen_ld8s_i64(dst64(g), env, ofs); break;
        case 1: tcg_gen_ld32u_i64(dst64(g), env, ofs); break;
        case 2: tcg_gen_ld_i64(dst64(g), env, ofs); break;
        case 3: tcg_gen_st16_i64(src64(g), env, ofs); break;
        case 4: tcg_gen_st_i64(src64(g), env, ofs); break;
        default: tcg_gen_st_i32(src32(g), env, ofs); break;
        }
    } else if (pick < 92) {
        /* calls */
        switch (rnd(r) % 3) {
        case 0: {
            TCGv_i32 b = src32(g), c = src32(g);
            int args[7] = {tcgv_i64_idx(src64(g)), tcgv_i32_idx(b), tcgv_i32_idx(c),
                           tcgv_i64_idx(src64(g)), tcgv_i32_idx(src32(g)),
                           tcgv_i64_idx(src64(g)), tcgv_i32_idx(src32(g))};
            tcg_gen_callN(&info_mix7, tcgv_i64_idx(dst64(g)), 7, args);
            break;
        }
        case 1: {
            int args[2] = {tcg_ctx->env_temp, tcgv_i64_idx(src64(g))};
            tcg_gen_callN(&info_env_rw, -1, 2, args);
            break;
        }
        default: {
            int args[2] = {tcgv_i32_idx(src32(g)), tcgv_i64_idx(src64(g))};
            tcg_gen_callN(&info_ret32, tcgv_i32_idx(dst32(g)), 2, args);
            break;
        }
        }
    } else if (pick < 97) {
        /* forward branch, or set a pending label */
        if (g->npending > 0 && (rnd(r) & 1)) {
            int i = (int)(rnd(r) % (unsigned)g->npending);
            set_label_here(g, g->pending[i]);
            g->pending[i] = g->pending[--g->npending];
        } else if (g->npending < 8) {
            TCGLabel *l = gen_new_label();
            g->pending[g->npending++] = l;
            if (rnd(r) % 8 == 0) {
                tcg_gen_br(l);
            } else if (rnd(r) & 1) {
                tcg_gen_brcond_i64(conds[rnd(r) % 10], src64(g), src64(g), l);
            } else {
                tcg_gen_brcond_i32(conds[rnd(r) % 10], src32(g), src32(g), l);
            }
        }
    } else {
        TCGv_i64 d = dst64(g);
        tcg_gen_movi_i64(d, (int64_t)rnd_val(r));
    }
}

/* one op; its EBB outputs become readable only after it */
static void random_op_commit(ProgGen *g)
{
    g->ebb64_new = g->ebb32_new = 0;
    random_op(g);
    g->ebb64_valid |= g->ebb64_new;
    g->ebb32_valid |= g->ebb32_new;
}

static void flush_pending(ProgGen *g)
{
    while (g->npending > 0) {
        set_label_here(g, g->pending[--g->npending]);
    }
}

static void build_random(void *arg)
{
    ProgGen g;
    memset(&g, 0, sizeof(g));
    g.r.s = *(uint64_t *)arg;
    int nops = 10 + (int)(rnd(&g.r) % 60);
    for (int i = 0; i < NTB64; i++) {
        g.tb64[i] = tcg_temp_new_tb_i64();
        tcg_gen_movi_i64(g.tb64[i], (int64_t)rnd_val(&g.r));
    }
    for (int i = 0; i < NEBB64; i++) {
        g.ebb64[i] = tcg_temp_new_i64();
    }
    for (int i = 0; i < NTB32; i++) {
        g.tb32[i] = tcg_temp_new_tb_i32();
        tcg_gen_movi_i32(g.tb32[i], (int32_t)rnd_val(&g.r));
    }
    for (int i = 0; i < NEBB32; i++) {
        g.ebb32[i] = tcg_temp_new_i32();
    }
    g.loop_cnt = tcg_temp_new_tb_i64();
    for (int i = 0; i < nops; i++) {
        if (rnd(&g.r) % 40 == 0) {
            /* a small counted loop */
            flush_pending(&g);
            TCGLabel *top = gen_new_label();
            tcg_gen_movi_i64(g.loop_cnt, 1 + (int64_t)(rnd(&g.r) % 4));
            set_label_here(&g, top);
            int body = 1 + (int)(rnd(&g.r) % 8);
            for (int k = 0; k < body; k++) {
                random_op_commit(&g);
            }
            flush_pending(&g);
            tcg_gen_subi_i64(g.loop_cnt, g.loop_cnt, 1);
            tcg_gen_brcondi_i64(TCG_COND_NE, g.loop_cnt, 0, top);
        } else {
            random_op_commit(&g);
        }
    }
    flush_pending(&g);
    /* make some TB temps observable at the end; the others die earlier
     * (their last read is somewhere in the middle) */
    for (int i = 0; i < NTB64; i++) {
        if (rnd(&g.r) & 1) {
            tcg_gen_xor_i64(R(i), R(i), g.tb64[i]);
        }
    }
    for (int i = 0; i < NTB32; i++) {
        if (rnd(&g.r) & 1) {
            tcg_gen_xor_i32(S->w[i], S->w[i], g.tb32[i]);
        }
    }
    tcg_gen_exit_tb(NULL, (unsigned)(rnd(&g.r) % 3));
}

static void test_random(int nprogs, unsigned flags, const char *name, uint64_t seed0)
{
    case_begin();
    for (int p = 0; p < nprogs && case_ok; p++) {
        uint64_t seed = seed0 + (uint64_t)p * 0x9e3779b97f4a7c15ull;
        if (!seed) {
            seed = 1;
        }
        Rng vr = {seed ^ 0xabcdef};
        uint64_t in[16];
        for (int k = 0; k < 16; k++) {
            in[k] = rnd_val(&vr);
        }
        uintptr_t rj, ri;
        build_both(build_random, &seed, flags, &rj, &ri, in, 16);
        char what[96];
        snprintf(what, sizeof(what), "seed %#llx (first run)", (unsigned long long)seed);
        if (!compare_sides(rj, ri, what)) {
            break;
        }
        for (int run = 0; run < 3 && case_ok; run++) {
            for (int k = 0; k < 16; k++) {
                in[k] = rnd_val(&vr);
            }
            snprintf(what, sizeof(what), "seed %#llx run %d", (unsigned long long)seed, run);
            rerun_both(in, 16, what);
        }
    }
    case_end(name);
}

int main(int argc, char **argv)
{
    int nrand = argc > 1 ? atoi(argv[1]) : 2000;
    side_init(&J, &tcg_backend_x86_64);
    side_init(&I, &tcg_backend_interp);
    if (argc > 2) {
        /* debugging: test-tcg-jit-diff 1 SEED [noopt] dumps that program's ops */
        uint64_t seed = strtoull(argv[2], NULL, 0);
        unsigned fl = HARNESS_LIVENESS | HARNESS_DUMP | (argc > 3 ? 0 : HARNESS_OPT);
        test_random(1, fl, "random_one", seed);
        return failures ? 1 : 0;
    }
    X86Features host = x86_features;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            memset(&x86_features, 0, sizeof(x86_features));
            feature_tag = "_baseline";
        }
        test_edge_binops();
        test_edge_unary();
        test_edge_shift_imm();
        test_edge_double();
        test_edge_bitfields();
        test_edge_conditions();
        test_flags_reuse();
        test_calls();
        test_pressure();
        test_tb_loops();
        test_ldst_env();
        test_random(nrand, HARNESS_LIVENESS | HARNESS_OPT, "random_programs_opt", 0x1234);
        test_random(nrand / 2, HARNESS_LIVENESS, "random_programs_noopt", 0x777);
    }
    x86_features = host;
    harness_free(J.h);
    harness_free(I.h);
    return failures ? 1 : 0;
}
