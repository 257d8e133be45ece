/*
 * fpu.c — scalar IEEE 754 helpers with Arm semantics (Arm ARM A1.5, J1
 * FPProcessNaNs, FPMax/FPMin, FPToFixed, FPCompare).
 *
 * The arithmetic itself runs on the host FPU (SSE2 on x86-64), which rounds
 * IEEE-correctly in the mode we set from FPCR.RMode with fesetround(); the
 * cumulative flags come from fetestexcept() and are OR-ed into FPSR. What
 * the host does differently is handled here before calling it: NaN
 * selection (an SNaN operand wins over a QNaN, the first operand over the
 * second, result quietened; FPCR.DN gives the default NaN), flush-to-zero of
 * denormal inputs (FPCR.FZ, sets IDC), saturating float->int conversion
 * (NaN -> 0, IOC), and FMAXNM/FMINNM's "number beats quiet NaN".
 * Values travel as raw bits (uint64_t) so no host NaN canonicalisation
 * happens on the way. Half precision is not implemented.
 */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "target/arm/cpu.h"
#include "target/arm/fpu.h"

#define HELPER_H "target/arm/helper.h"
#include "exec/helper-proto.h"

/* FPSR cumulative bits */
#define FPSR_IOC 1u
#define FPSR_DZC 2u
#define FPSR_OFC 4u
#define FPSR_UFC 8u
#define FPSR_IXC 16u
#define FPSR_IDC 128u
#define FPCR_FZ (1u << 24)
#define FPCR_DN (1u << 25)

typedef struct FPCtx {
    CPUARMState *env;
    bool dbl;
    int saved_round;
} FPCtx;

static void fp_begin(FPCtx *c, CPUState *cs, bool dbl)
{
    static const int modes[4] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    c->env = cpu_env(cs);
    c->dbl = dbl;
    c->saved_round = fegetround();
    fesetround(modes[(c->env->fpcr >> 22) & 3]);
    feclearexcept(FE_ALL_EXCEPT);
}

static void fp_end(FPCtx *c)
{
    int ex = fetestexcept(FE_ALL_EXCEPT);
    uint32_t f = 0;
    if (ex & FE_INVALID) {
        f |= FPSR_IOC;
    }
    if (ex & FE_DIVBYZERO) {
        f |= FPSR_DZC;
    }
    if (ex & FE_OVERFLOW) {
        f |= FPSR_OFC;
    }
    if (ex & FE_UNDERFLOW) {
        f |= FPSR_UFC;
    }
    if (ex & FE_INEXACT) {
        f |= FPSR_IXC;
    }
    c->env->fpsr |= f;
    fesetround(c->saved_round);
}

static void fp_raise(FPCtx *c, uint32_t bits)
{
    c->env->fpsr |= bits;
}

/* ---- bit-level classification ---- */

static bool is_nan(const FPCtx *c, uint64_t v)
{
    if (c->dbl) {
        return (v & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
               (v & 0x000fffffffffffffull);
    }
    return (v & 0x7f800000u) == 0x7f800000u && (v & 0x007fffffu);
}

static bool is_snan(const FPCtx *c, uint64_t v)
{
    return is_nan(c, v) && !(v & (c->dbl ? 0x0008000000000000ull : 0x00400000u));
}

static uint64_t quiet(const FPCtx *c, uint64_t v)
{
    return v | (c->dbl ? 0x0008000000000000ull : 0x00400000u);
}

static uint64_t default_nan(const FPCtx *c)
{
    return c->dbl ? 0x7ff8000000000000ull : 0x7fc00000u;
}

static uint64_t sign_bit(const FPCtx *c)
{
    return c->dbl ? 0x8000000000000000ull : 0x80000000u;
}

static bool is_zero(const FPCtx *c, uint64_t v)
{
    return (v & ~sign_bit(c)) == 0;
}

/* flush a denormal input to a signed zero when FPCR.FZ (sets IDC) */
static uint64_t flush_in(FPCtx *c, uint64_t v)
{
    if (!(c->env->fpcr & FPCR_FZ)) {
        return v;
    }
    bool denorm = c->dbl ? !(v & 0x7ff0000000000000ull) && (v & 0x000fffffffffffffull)
                         : !(v & 0x7f800000u) && (v & 0x007fffffu);
    if (denorm) {
        fp_raise(c, FPSR_IDC);
        return v & sign_bit(c);
    }
    return v;
}

static uint64_t flush_out(FPCtx *c, uint64_t v)
{
    if (!(c->env->fpcr & FPCR_FZ)) {
        return v;
    }
    bool denorm = c->dbl ? !(v & 0x7ff0000000000000ull) && (v & 0x000fffffffffffffull)
                         : !(v & 0x7f800000u) && (v & 0x007fffffu);
    if (denorm) {
        fp_raise(c, FPSR_UFC);
        return v & sign_bit(c);
    }
    return v;
}

/* FPProcessNaN(s): *out set and true if a NaN operand decides the result */
static bool process_nans(FPCtx *c, int n, const uint64_t *v, uint64_t *out)
{
    int pick = -1;
    for (int i = 0; i < n; i++) {
        if (is_snan(c, v[i])) {
            pick = i;
            break;
        }
    }
    if (pick >= 0) {
        fp_raise(c, FPSR_IOC);
    } else {
        for (int i = 0; i < n; i++) {
            if (is_nan(c, v[i])) {
                pick = i;
                break;
            }
        }
    }
    if (pick < 0) {
        return false;
    }
    *out = (c->env->fpcr & FPCR_DN) ? default_nan(c) : quiet(c, v[pick]);
    return true;
}

static double to_d(uint64_t v)
{
    double d;
    memcpy(&d, &v, 8);
    return d;
}

static float to_f(uint64_t v)
{
    uint32_t u = (uint32_t)v;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint64_t from_d(double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    return v;
}

static uint64_t from_f(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* a host result that is a NaN produced by an invalid operation: Arm's default NaN */
static uint64_t fix_result(FPCtx *c, uint64_t r)
{
    if (is_nan(c, r)) {
        return default_nan(c);
    }
    return flush_out(c, r);
}

/* raw host operation under the current rounding mode (operands not NaN) */
static uint64_t host_op(bool dbl, int kind, uint64_t a, uint64_t b, uint64_t c)
{
    if (dbl) {
        volatile double x = to_d(a), y = to_d(b), w = to_d(c), z;
        switch (kind) {
        case FPA_ADD: z = x + y; break;
        case FPA_SUB: z = x - y; break;
        case FPA_DIV: z = x / y; break;
        case FPA_MUL: z = x * y; break;
        default: z = fma(x, y, w); break; /* FMA */
        }
        return from_d(z);
    }
    volatile float x = to_f(a), y = to_f(b), w = to_f(c), z;
    switch (kind) {
    case FPA_ADD: z = x + y; break;
    case FPA_SUB: z = x - y; break;
    case FPA_DIV: z = x / y; break;
    case FPA_MUL: z = x * y; break;
    default: z = fmaf(x, y, w); break;
    }
    return from_f(z);
}
#define KIND_FMA 100

static bool is_min_normal(const FPCtx *c, uint64_t r)
{
    return (r & ~sign_bit(c)) == (c->dbl ? 0x0010000000000000ull : 0x00800000u);
}

/*
 * Run a host operation with Arm's flag semantics: Arm detects tininess
 * BEFORE rounding (A1.5.6), x86 after; a result that rounded up to the
 * smallest normal from below is tiny for Arm. Decide by recomputing toward
 * zero: the exact value is below the smallest normal iff that result is.
 * FZ flushes such tiny results to zero (UFC, no IXC).
 */
static uint64_t arith_result(FPCtx *c, int kind, uint64_t a, uint64_t b, uint64_t w)
{
    uint64_t r = host_op(c->dbl, kind, a, b, w);
    if (is_nan(c, r)) {
        return default_nan(c); /* invalid operation */
    }
    int ex = fetestexcept(FE_INEXACT | FE_UNDERFLOW);
    bool tiny = (ex & FE_UNDERFLOW) != 0;
    if (!tiny && (ex & FE_INEXACT) && is_min_normal(c, r)) {
        int mode = fegetround();
        fesetround(FE_TOWARDZERO);
        uint64_t rz = host_op(c->dbl, kind, a, b, w);
        fesetround(mode);
        if (!is_min_normal(c, rz)) {
            tiny = true;
            feraiseexcept(FE_UNDERFLOW);
        }
    }
    if (tiny && (c->env->fpcr & FPCR_FZ)) {
        feclearexcept(FE_INEXACT | FE_UNDERFLOW);
        fp_raise(c, FPSR_UFC);
        return r & sign_bit(c);
    }
    return flush_out(c, r);
}

uint64_t helper_fp_arith(CPUState *cs, uint32_t op, uint64_t a, uint64_t b)
{
    FPCtx c;
    int kind = (int)(op >> 1);
    fp_begin(&c, cs, op & 1);
    if (!c.dbl) {
        a = (uint32_t)a;
        b = (uint32_t)b;
    }
    a = flush_in(&c, a);
    b = flush_in(&c, b);
    uint64_t v[2] = {a, b}, r;
    bool negate = kind == FPA_NMUL; /* FPNeg(FPMul()): the NaN is negated too */
    if (negate) {
        kind = FPA_MUL;
    }
    if (kind == FPA_MAXNM || kind == FPA_MINNM) {
        /* a quiet NaN loses against a number (FPMaxNum/FPMinNum) */
        bool qa = is_nan(&c, a) && !is_snan(&c, a), qb = is_nan(&c, b) && !is_snan(&c, b);
        if (qa && !is_nan(&c, b)) {
            v[0] = a = b;
        } else if (qb && !is_nan(&c, a)) {
            v[1] = b = a;
        }
        kind = kind == FPA_MAXNM ? FPA_MAX : FPA_MIN;
    }
    if (process_nans(&c, 2, v, &r)) {
        fp_end(&c);
        return negate ? r ^ sign_bit(&c) : r;
    }
    if (kind == FPA_MAX || kind == FPA_MIN) {
        if (is_zero(&c, a) && is_zero(&c, b)) {
            /* max(+0,-0) = +0, min(+0,-0) = -0 */
            r = kind == FPA_MAX ? (a & b) : (a | b);
        } else if (c.dbl) {
            double x = to_d(a), y = to_d(b);
            r = ((kind == FPA_MAX) ? (x > y) : (x < y)) ? a : b;
        } else {
            float x = to_f(a), y = to_f(b);
            r = ((kind == FPA_MAX) ? (x > y) : (x < y)) ? a : b;
        }
        fp_end(&c);
        return r;
    }
    r = arith_result(&c, kind, a, b, 0);
    fp_end(&c);
    return negate ? r ^ sign_bit(&c) : r;
}

uint64_t helper_fp_fma(CPUState *cs, uint32_t op, uint64_t n, uint64_t m, uint64_t a)
{
    FPCtx c;
    int kind = (int)(op >> 1);
    fp_begin(&c, cs, op & 1);
    if (!c.dbl) {
        n = (uint32_t)n;
        m = (uint32_t)m;
        a = (uint32_t)a;
    }
    /* negations first, as in the pseudocode (FPNeg flips NaN signs too) */
    if (kind == FPF_MSUB || kind == FPF_NMADD) {
        n ^= sign_bit(&c);
    }
    if (kind == FPF_NMADD || kind == FPF_NMSUB) {
        a ^= sign_bit(&c);
    }
    n = flush_in(&c, n);
    m = flush_in(&c, m);
    a = flush_in(&c, a);
    /* FPMulAdd: addend first in NaN priority; inf*0 + qNaN is Invalid */
    uint64_t v[3] = {a, n, m}, r;
    bool inf_zero = false;
    if (c.dbl) {
        inf_zero = (isinf(to_d(n)) && to_d(m) == 0) || (isinf(to_d(m)) && to_d(n) == 0);
    } else {
        inf_zero = (isinf(to_f(n)) && to_f(m) == 0) || (isinf(to_f(m)) && to_f(n) == 0);
    }
    if (is_nan(&c, a) && !is_snan(&c, a) && inf_zero) {
        fp_raise(&c, FPSR_IOC);
        fp_end(&c);
        return default_nan(&c);
    }
    if (process_nans(&c, 3, v, &r)) {
        fp_end(&c);
        return r;
    }
    r = arith_result(&c, KIND_FMA, n, m, a);
    fp_end(&c);
    return r;
}

/*
 * Round to an integral value in rounding mode rmode (FPR_*), exactly and
 * without relying on the host's rint() (compilers inline it assuming
 * round-to-nearest). *inexact is set when the value changed.
 */
static double round_int(double x, int rmode, bool *inexact)
{
    static const int modes[4] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    int save = fegetround();
    double r;
    if (rmode == FPR_A) {
        fesetround(FE_TOWARDZERO);
        volatile double t = nearbyint(x);
        double frac = x - t; /* exact */
        r = t;
        if (fabs(frac) >= 0.5) {
            r = t + copysign(1.0, x);
        }
    } else {
        fesetround(modes[rmode]);
        volatile double t = nearbyint(x);
        r = t;
    }
    fesetround(save);
    *inexact = r != x;
    return r;
}

/* RecipEstimate (J1): a in 256..511 (0.5 <= x < 1), result 256..511 */
int arm_recip_estimate(int a)
{
    a = a * 2 + 1;
    int b = (1 << 19) / a;
    return (b + 1) / 2;
}

/* RecipSqrtEstimate (J1, without FEAT_RPRES): a in 128..511 (0.25 <= x < 1) */
int arm_rsqrt_estimate(int a)
{
    if (a < 256) {
        a = a * 2 + 1;
    } else {
        a = (a >> 1) << 1;
        a = (a + 1) * 2;
    }
    int64_t b = 512;
    while ((int64_t)a * (b + 1) * (b + 1) < (1ll << 28)) {
        b++;
    }
    return (int)((b + 1) / 2);
}

/* FPRecipEstimate / FPRSqrtEstimate (J1) on a non-NaN operand */
static uint64_t estimate(FPCtx *c, int kind, uint64_t a)
{
    bool dbl = c->dbl;
    uint64_t sign = a & sign_bit(c);
    int fbits = dbl ? 52 : 23, ebits = dbl ? 11 : 8;
    uint64_t emax = (1ull << ebits) - 1;
    int64_t exp = (int64_t)((a >> fbits) & emax);
    uint64_t frac52 = dbl ? (a & ((1ull << 52) - 1)) : (a & 0x7fffff) << 29;
    uint64_t inf = emax << fbits;
    bool zero = is_zero(c, a), isinf_ = (a & ~sign_bit(c)) == inf;
    if (kind == FPU_RECPE) {
        if (isinf_) {
            return sign;
        }
        if (zero) {
            fp_raise(c, FPSR_DZC);
            return sign | inf;
        }
        /* |value| < 2^-128 (single) / 2^-1024 (double): the estimate overflows */
        if (exp == 0 && !((frac52 >> 50) & 3)) {
            int rm = (int)((c->env->fpcr >> 22) & 3);
            bool to_inf = rm == 0 || (rm == 1 && !sign) || (rm == 2 && sign);
            fp_raise(c, FPSR_OFC | FPSR_IXC);
            uint64_t maxn = ((emax - 1) << fbits) | ((1ull << fbits) - 1);
            return sign | (to_inf ? inf : maxn);
        }
        if ((c->env->fpcr & FPCR_FZ) && exp >= (int64_t)(dbl ? 2045 : 253)) {
            fp_raise(c, FPSR_UFC);
            return sign;
        }
        if (exp == 0) {
            if (!((frac52 >> 51) & 1)) {
                exp = -1;
                frac52 = (frac52 << 2) & ((1ull << 52) - 1);
            } else {
                frac52 = (frac52 << 1) & ((1ull << 52) - 1);
            }
        }
        int scaled = (int)(256 | (frac52 >> 44));
        int64_t rexp = (dbl ? 2045 : 253) - exp;
        uint64_t est = (uint64_t)arm_recip_estimate(scaled);
        uint64_t f = (est & 0xff) << 44;
        if (rexp == 0) {
            f = (1ull << 51) | (f >> 1);
        } else if (rexp == -1) {
            f = (1ull << 50) | (f >> 2);
            rexp = 0;
        }
        if (dbl) {
            return sign | ((uint64_t)rexp & 0x7ff) << 52 | f;
        }
        return sign | ((uint64_t)rexp & 0xff) << 23 | f >> 29;
    }
    /* FPU_RSQRTE */
    if (zero) {
        fp_raise(c, FPSR_DZC);
        return sign | inf;
    }
    if (sign) {
        fp_raise(c, FPSR_IOC);
        return default_nan(c);
    }
    if (isinf_) {
        return 0;
    }
    if (exp == 0) {
        while (!((frac52 >> 51) & 1)) {
            frac52 = (frac52 << 1) & ((1ull << 52) - 1);
            exp--;
        }
        frac52 = (frac52 << 1) & ((1ull << 52) - 1);
    }
    int scaled = (exp & 1) == 0 ? (int)(256 | (frac52 >> 44)) : (int)(128 | (frac52 >> 45));
    int64_t num = (dbl ? 3068 : 380) - exp;
    int64_t rexp = num >= 0 ? num / 2 : -((-num + 1) / 2); /* DIV rounds toward -inf */
    uint64_t est = (uint64_t)arm_rsqrt_estimate(scaled);
    if (dbl) {
        return ((uint64_t)rexp & 0x7ff) << 52 | (est & 0xff) << 44;
    }
    return ((uint64_t)rexp & 0xff) << 23 | (est & 0xff) << 15;
}

uint64_t helper_fp_unary(CPUState *cs, uint32_t op, uint64_t a)
{
    FPCtx c;
    int kind = (int)(op >> 1);
    fp_begin(&c, cs, op & 1);
    if (!c.dbl) {
        a = (uint32_t)a;
    }
    a = flush_in(&c, a);
    uint64_t r;
    if (process_nans(&c, 1, &a, &r)) {
        fp_end(&c);
        return r;
    }
    if (kind == FPU_RECPE || kind == FPU_RSQRTE) {
        r = estimate(&c, kind, a);
        fp_end(&c);
        return r;
    }
    if (kind == FPU_RECPX) {
        /* FPRecpX: sign kept, exponent inverted (zero/denormal: max finite exponent),
         * fraction zero */
        uint64_t sign = a & sign_bit(&c);
        int ebits = c.dbl ? 11 : 8, fbits = c.dbl ? 52 : 23;
        uint64_t emax = (1ull << ebits) - 1;
        uint64_t e = (a >> fbits) & emax;
        uint64_t ne = e == 0 ? emax - 1 : (~e & emax);
        fp_end(&c);
        return sign | ne << fbits;
    }
    if (kind == FPU_SQRT) {
        if (c.dbl) {
            volatile double x = to_d(a), z = sqrt(x);
            r = from_d(z);
        } else {
            volatile float x = to_f(a), z = sqrtf(x);
            r = from_f(z);
        }
        r = fix_result(&c, r);
        fp_end(&c);
        return r;
    }
    int rmode;
    switch (kind) {
    case FPU_RINTN: rmode = FPR_N; break;
    case FPU_RINTP: rmode = FPR_P; break;
    case FPU_RINTM: rmode = FPR_M; break;
    case FPU_RINTZ: rmode = FPR_Z; break;
    case FPU_RINTA: rmode = FPR_A; break;
    default: rmode = (int)((c.env->fpcr >> 22) & 3); break; /* X, I: FPCR */
    }
    bool inexact;
    double x = c.dbl ? to_d(a) : (double)to_f(a);
    double z = is_zero(&c, a) || isinf(x) ? x : round_int(x, rmode, &inexact);
    if (kind == FPU_RINTX && !is_zero(&c, a) && !isinf(x) && inexact) {
        fp_raise(&c, FPSR_IXC);
    }
    feclearexcept(FE_ALL_EXCEPT);
    r = c.dbl ? from_d(z) : from_f((float)z);
    fp_end(&c);
    return r;
}

uint32_t helper_fp_cmp(CPUState *cs, uint32_t op, uint64_t a, uint64_t b)
{
    FPCtx c;
    fp_begin(&c, cs, op & 1);
    bool signalling = (op >> 1) & 1;
    if (!c.dbl) {
        a = (uint32_t)a;
        b = (uint32_t)b;
    }
    a = flush_in(&c, a);
    b = flush_in(&c, b);
    uint32_t nzcv;
    if (is_nan(&c, a) || is_nan(&c, b)) {
        if (signalling || is_snan(&c, a) || is_snan(&c, b)) {
            fp_raise(&c, FPSR_IOC);
        }
        nzcv = 0x3; /* unordered: C V */
    } else {
        double x = c.dbl ? to_d(a) : (double)to_f(a);
        double y = c.dbl ? to_d(b) : (double)to_f(b);
        nzcv = x == y ? 0x6 : x < y ? 0x8 : 0x2;
    }
    feclearexcept(FE_ALL_EXCEPT);
    fp_end(&c);
    return nzcv << 28;
}

/* FPToFixed with saturation (J1): round per rmode, NaN -> 0 and IOC */
uint64_t helper_fp_to_int(CPUState *cs, uint32_t op, uint64_t a, uint32_t scale)
{
    FPCtx c;
    fp_begin(&c, cs, op & 1);
    bool to64 = (op >> 1) & 1, sgn = (op >> 2) & 1;
    int rmode = (int)(op >> 3);
    if (!c.dbl) {
        a = (uint32_t)a;
    }
    a = flush_in(&c, a);
    uint64_t r;
    if (is_nan(&c, a)) {
        fp_raise(&c, FPSR_IOC);
        fp_end(&c);
        return 0;
    }
    double x = c.dbl ? to_d(a) : (double)to_f(a);
    bool inexact = false;
    double rx;
    if (isinf(x)) {
        rx = x;
    } else {
        x = ldexp(x, (int)scale); /* exact unless it overflows to inf: saturates anyway */
        rx = isinf(x) ? x : round_int(x, rmode, &inexact);
    }
    /* bounds as exact doubles: [lo, hi) with hi = 2^63, 2^31, 2^64, 2^32 */
    double lo, hi;
    if (sgn) {
        lo = to64 ? -9223372036854775808.0 : -2147483648.0;
        hi = to64 ? 9223372036854775808.0 : 2147483648.0;
    } else {
        lo = 0;
        hi = to64 ? 18446744073709551616.0 : 4294967296.0;
    }
    if (rx < lo) {
        fp_raise(&c, FPSR_IOC);
        r = sgn ? (to64 ? (uint64_t)INT64_MIN : (uint64_t)(uint32_t)INT32_MIN) : 0;
    } else if (rx >= hi) {
        fp_raise(&c, FPSR_IOC);
        r = sgn ? (to64 ? (uint64_t)INT64_MAX : (uint64_t)INT32_MAX)
                : (to64 ? UINT64_MAX : UINT32_MAX);
    } else {
        if (inexact) {
            fp_raise(&c, FPSR_IXC);
        }
        if (sgn) {
            r = (uint64_t)(int64_t)rx;
        } else {
            r = (uint64_t)rx;
        }
        if (!to64) {
            r = (uint32_t)r;
        }
    }
    feclearexcept(FE_ALL_EXCEPT);
    fp_end(&c);
    return r;
}

uint64_t helper_int_to_fp(CPUState *cs, uint32_t op, uint64_t a, uint32_t scale)
{
    FPCtx c;
    fp_begin(&c, cs, op & 1);
    bool from64 = (op >> 1) & 1, sgn = (op >> 2) & 1;
    uint64_t r;
    if (!from64) {
        a = sgn ? (uint64_t)(int64_t)(int32_t)a : (uint32_t)a;
    }
    if (c.dbl) {
        volatile double z = sgn ? (double)(int64_t)a : (double)a;
        if (scale) {
            z = ldexp(z, -(int)scale);
        }
        r = from_d(z);
    } else {
        volatile float z = sgn ? (float)(int64_t)a : (float)a;
        if (scale) {
            z = ldexpf(z, -(int)scale);
        }
        r = from_f(z);
    }
    fp_end(&c);
    return r;
}

/*
 * Half precision, IEEE or Arm's alternative format (FPCR.AHP: no infinities
 * or NaNs, exponent 31 is normal; out-of-range results saturate with IOC).
 * Conversions to half round the exact value M * 2^E in FPCR's mode; from
 * half are exact.
 */
#define FPCR_AHP (1u << 26)

static uint16_t round_to_half(FPCtx *c, bool sign, uint64_t m, int e)
{
    bool ahp = (c->env->fpcr & FPCR_AHP) != 0;
    uint16_t sbit = sign ? 0x8000 : 0;
    if (m == 0) {
        return sbit;
    }
    int bl = 64 - __builtin_clzll(m);
    int p = bl - 1 + e;              /* value in [2^p, 2^(p+1)) */
    int qe = p - 10 < -24 ? -24 : p - 10; /* quantum exponent */
    int shift = qe - e;
    uint64_t n;
    bool inexact = false, half_bit = false, sticky = false;
    if (shift <= 0) {
        n = m << -shift;
    } else if (shift >= 64) {
        n = 0;
        half_bit = shift == 64 ? (m >> 63) & 1 : false;
        sticky = true;
        inexact = true;
    } else {
        n = m >> shift;
        half_bit = (m >> (shift - 1)) & 1;
        sticky = (m & ((1ull << (shift - 1)) - 1)) != 0;
        inexact = half_bit || sticky;
    }
    int rm = (int)((c->env->fpcr >> 22) & 3);
    bool up = false;
    switch (rm) {
    case 0: up = half_bit && (sticky || (n & 1)); break;
    case 1: up = inexact && !sign; break;
    case 2: up = inexact && sign; break;
    default: break;
    }
    n += up;
    bool tiny = p < -14;
    /* recompose: n counts quanta of 2^qe; normal numbers have n in [2^10, 2^11) */
    uint32_t bits;
    if (qe == -24) {
        bits = (uint32_t)n; /* subnormal, or it rounded up into the smallest normal */
    } else {
        int exp = qe + 10 + 15; /* biased exponent of n = 1.xxx */
        if (n >= (1u << 11)) {
            n >>= 1;
            exp++;
        }
        if (ahp && exp >= 32) {
            fp_raise(c, FPSR_IOC);
            return sbit | 0x7fff;
        }
        if (!ahp && exp >= 31) {
            fp_raise(c, FPSR_OFC | FPSR_IXC);
            bool to_inf = rm == 0 || (rm == 1 && !sign) || (rm == 2 && sign);
            return sbit | (to_inf ? 0x7c00 : 0x7bff);
        }
        bits = (uint32_t)exp << 10 | (uint32_t)(n & 0x3ff);
    }
    if (inexact) {
        fp_raise(c, FPSR_IXC | (tiny ? FPSR_UFC : 0));
    }
    return (uint16_t)(sbit | bits);
}

static uint64_t cvt_to_half(FPCtx *c, uint64_t a, bool from_dbl)
{
    c->dbl = from_dbl;
    a = flush_in(c, from_dbl ? a : (uint32_t)a);
    bool sign = (a & sign_bit(c)) != 0;
    bool ahp = (c->env->fpcr & FPCR_AHP) != 0;
    if (ahp && is_nan(c, a)) {
        fp_raise(c, FPSR_IOC);
        return sign ? 0x8000u : 0;
    }
    if (is_nan(c, a)) {
        if (is_snan(c, a)) {
            fp_raise(c, FPSR_IOC);
        }
        if (c->env->fpcr & FPCR_DN) {
            return 0x7e00;
        }
        uint64_t top = from_dbl ? (a >> 42) & 0x3ff : (a >> 13) & 0x3ff;
        return (sign ? 0x8000u : 0) | 0x7e00 | top;
    }
    int fbits = from_dbl ? 52 : 23, bias = from_dbl ? 1023 : 127;
    uint64_t emax = from_dbl ? 0x7ff : 0xff;
    uint64_t exp = (a >> fbits) & emax, frac = a & ((1ull << fbits) - 1);
    if (exp == emax) {
        if (ahp) {
            fp_raise(c, FPSR_IOC);
            return (sign ? 0x8000u : 0) | 0x7fff;
        }
        return (sign ? 0x8000u : 0) | 0x7c00; /* infinity */
    }
    uint64_t m = exp ? frac | (1ull << fbits) : frac;
    int e = (exp ? (int)exp : 1) - bias - fbits;
    return round_to_half(c, sign, m, e);
}

static uint64_t cvt_from_half(FPCtx *c, uint64_t h, bool to_dbl)
{
    h &= 0xffff;
    bool sign = (h >> 15) & 1;
    uint64_t exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    c->dbl = to_dbl;
    uint64_t sb = sign ? sign_bit(c) : 0;
    if (exp == 0x1f && !(c->env->fpcr & FPCR_AHP)) {
        if (!frac) {
            return sb | (to_dbl ? 0x7ff0000000000000ull : 0x7f800000u);
        }
        if (!(frac & 0x200)) {
            fp_raise(c, FPSR_IOC);
        }
        if (c->env->fpcr & FPCR_DN) {
            return default_nan(c);
        }
        return to_dbl ? sb | 0x7ff8000000000000ull | (frac & 0x1ff) << 42
                      : sb | 0x7fc00000u | (frac & 0x1ff) << 13;
    }
    if (exp == 0 && frac == 0) {
        return sb;
    }
    int e = exp ? (int)exp - 15 : -14; /* value = (exp ? 1.frac : 0.frac) * 2^e */
    uint64_t m = exp ? (frac | 0x400) : frac;
    while (!(m & 0x400)) {
        m <<= 1;
        e--;
    }
    m &= 0x3ff;
    if (to_dbl) {
        return sb | (uint64_t)(e + 1023) << 52 | m << 42;
    }
    return sb | (uint64_t)(e + 127) << 23 | m << 13;
}

uint64_t helper_fp_cvt(CPUState *cs, uint32_t op, uint64_t a)
{
    if (op >= 3) {
        /* 3: single->half, 4: double->half, 5: half->single, 6: half->double */
        FPCtx c;
        fp_begin(&c, cs, false);
        uint64_t r = op <= 4 ? cvt_to_half(&c, a, op == 4) : cvt_from_half(&c, a, op == 6);
        feclearexcept(FE_ALL_EXCEPT);
        fp_end(&c);
        return r;
    }
    FPCtx c;
    bool to_single = op != 0; /* 0: S->D; 1: D->S; 2: D->S rounding to odd (FCVTXN) */
    fp_begin(&c, cs, to_single); /* input precision: double when narrowing */
    uint64_t r;
    if (!to_single) {
        /* single -> double */
        c.dbl = false;
        a = flush_in(&c, (uint32_t)a);
        if (is_nan(&c, a)) {
            if (is_snan(&c, a)) {
                fp_raise(&c, FPSR_IOC);
            }
            c.dbl = true;
            if (c.env->fpcr & FPCR_DN) {
                r = default_nan(&c);
            } else {
                r = ((a & 0x80000000ull) << 32) | 0x7ff8000000000000ull |
                    ((a & 0x003fffffull) << 29);
            }
        } else {
            volatile double z = (double)to_f(a);
            r = from_d(z);
        }
    } else {
        a = flush_in(&c, a);
        if (is_nan(&c, a)) {
            if (is_snan(&c, a)) {
                fp_raise(&c, FPSR_IOC);
            }
            c.dbl = false;
            if (c.env->fpcr & FPCR_DN) {
                r = default_nan(&c);
            } else {
                r = ((a >> 32) & 0x80000000u) | 0x7fc00000u | ((a >> 29) & 0x003fffffu);
            }
        } else {
            int mode = fegetround();
            if (op == 2) {
                fesetround(FE_TOWARDZERO); /* FCVTXN: round to odd */
            }
            volatile float z = (float)to_d(a);
            c.dbl = false;
            r = from_f(z);
            if (op == 2) {
                fesetround(mode);
                if (fetestexcept(FE_INEXACT) && !is_nan(&c, r) && (r & 0x7fffffffu) != 0x7f800000u) {
                    r |= 1;
                }
            }
            /* tininess before rounding, FZ flush: as in arith_result() */
            int ex = fetestexcept(FE_INEXACT | FE_UNDERFLOW);
            bool tiny = (ex & FE_UNDERFLOW) != 0;
            if (!tiny && (ex & FE_INEXACT) && is_min_normal(&c, r)) {
                int mode = fegetround();
                fesetround(FE_TOWARDZERO);
                volatile float rz = (float)to_d(a);
                fesetround(mode);
                if (!is_min_normal(&c, from_f(rz))) {
                    tiny = true;
                    feraiseexcept(FE_UNDERFLOW);
                }
            }
            if (tiny && (c.env->fpcr & FPCR_FZ)) {
                feclearexcept(FE_INEXACT | FE_UNDERFLOW);
                fp_raise(&c, FPSR_UFC);
                r &= sign_bit(&c);
            }
        }
    }
    fp_end(&c);
    return r;
}
