/*
 * fp.c — scalar floating point against QEMU: arithmetic, fused multiply-add,
 * min/max, square root, rounding, conversions and comparisons over special
 * values (signed zeros, infinities, quiet and signalling NaNs, subnormals,
 * extremes), under each FPCR rounding mode and with FZ and DN. Prints the
 * result bits and the FPSR cumulative flags of every operation.
 */
#include "lib.h"

static const uint64_t dv[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, /* 0 -0 1 */
    0xbff8000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull, /* -1.5 inf -inf */
    0x7ff8000000000001ull, 0x7ff0000000000002ull, 0xfff4000000000003ull, /* qnan snan -snan */
    0x0000000000000001ull, 0x800fffffffffffffull, 0x7fefffffffffffffull, /* denorms, max */
    0x0010000000000000ull, 0x4202a05f20000000ull, 0x400a666666666666ull, /* min, 1e10, 3.3 */
    0xc3e0000000000000ull, 0x43f0000000000000ull, 0x3fe0000000000000ull, /* -2^63 2^64 0.5 */
    0x4004000000000000ull, 0xc01c000000000000ull,                        /* 2.5 -7 */
};
static const uint32_t sv[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbfc00000, 0x7f800000, 0xff800000, 0x7fc00001,
    0x7f800002, 0xffa00003, 0x00000001, 0x807fffff, 0x7f7fffff, 0x00800000, 0x501502f9,
    0x40533333, 0xdf000000, 0x5f800000, 0x3f000000, 0x40200000, 0xc0e00000,
};
#define ND (sizeof(dv) / sizeof(dv[0]))
#define NS (sizeof(sv) / sizeof(sv[0]))

static void set_fpcr(uint64_t v)
{
    __asm__ volatile("msr fpcr, %0" ::"r"(v));
}

static void out(const char *n, uint64_t a, uint64_t b, uint64_t r, uint64_t fpsr)
{
    puts_uart(n);
    putc_uart(' ');
    print_hex(a);
    putc_uart(' ');
    print_hex(b);
    putc_uart(' ');
    print_hex(r);
    putc_uart(' ');
    print_hex(fpsr);
    putc_uart('\n');
}

#define D2(name, insn)                                                                 \
    static void name(uint64_t a, uint64_t b)                                           \
    {                                                                                  \
        uint64_t r, f;                                                                 \
        __asm__ volatile("msr fpsr, xzr\nfmov d0, %2\nfmov d1, %3\n" insn              \
                         "\nfmov %0, d2\nmrs %1, fpsr"                                 \
                         : "=r"(r), "=r"(f) : "r"(a), "r"(b) : "v0", "v1", "v2", "v3");\
        out(#name, a, b, r, f);                                                        \
    }
#define S2(name, insn)                                                                 \
    static void name(uint64_t a, uint64_t b)                                           \
    {                                                                                  \
        uint64_t r, f;                                                                 \
        __asm__ volatile("msr fpsr, xzr\nfmov s0, %w2\nfmov s1, %w3\n" insn            \
                         "\nfmov %w0, s2\nmrs %1, fpsr"                                \
                         : "=r"(r), "=r"(f) : "r"(a), "r"(b) : "v0", "v1", "v2", "v3");\
        out(#name, a, b, r, f);                                                        \
    }
/* to a general register */
#define DX(name, insn)                                                                 \
    static void name(uint64_t a, uint64_t b)                                           \
    {                                                                                  \
        uint64_t r, f;                                                                 \
        (void)b;                                                                       \
        __asm__ volatile("msr fpsr, xzr\nfmov d0, %2\n" insn "\nmrs %1, fpsr"          \
                         : "=&r"(r), "=r"(f) : "r"(a) : "v0", "v1", "v2");             \
        out(#name, a, 0, r, f);                                                        \
    }
#define SX(name, insn)                                                                 \
    static void name(uint64_t a, uint64_t b)                                           \
    {                                                                                  \
        uint64_t r, f;                                                                 \
        (void)b;                                                                       \
        __asm__ volatile("msr fpsr, xzr\nfmov s0, %w2\n" insn "\nmrs %1, fpsr"         \
                         : "=&r"(r), "=r"(f) : "r"(a) : "v0", "v1", "v2");             \
        out(#name, a, 0, r, f);                                                        \
    }

D2(fadd_d, "fadd d2, d0, d1")
D2(fsub_d, "fsub d2, d0, d1")
D2(fmul_d, "fmul d2, d0, d1")
D2(fdiv_d, "fdiv d2, d0, d1")
D2(fnmul_d, "fnmul d2, d0, d1")
D2(fmax_d, "fmax d2, d0, d1")
D2(fmin_d, "fmin d2, d0, d1")
D2(fmaxnm_d, "fmaxnm d2, d0, d1")
D2(fminnm_d, "fminnm d2, d0, d1")
D2(fmadd_d, "fmov d3, #0.5\nfmadd d2, d0, d1, d3")
D2(fmsub_d, "fmsub d2, d0, d1, d0")
D2(fnmadd_d, "fnmadd d2, d1, d1, d0")
D2(fnmsub_d, "fmov d3, #-2.0\nfnmsub d2, d0, d3, d1")
D2(fsqrt_d, "fsqrt d2, d0")
D2(fabs_neg_d, "fabs d2, d0\nfneg d2, d2")
D2(frintn_d, "frintn d2, d0")
D2(frintp_d, "frintp d2, d0")
D2(frintm_d, "frintm d2, d0")
D2(frintz_d, "frintz d2, d0")
D2(frinta_d, "frinta d2, d0")
D2(frintx_d, "frintx d2, d0")
D2(frinti_d, "frinti d2, d0")
D2(fcvt_ds, "fcvt s2, d0\nfmov w9, s2\nfmov d2, x9")
D2(fcsel_d, "fcmp d0, d1\nfcsel d2, d0, d1, gt")
D2(fccmp_d, "fcmp d0, #0.0\nfccmp d0, d1, #5, ge\nmrs x9, nzcv\nfmov d2, x9")
DX(fcmp_d, "fmov d1, #1.0\nfcmp d0, d1\nmrs %0, nzcv")
DX(fcmpe_d, "fcmpe d0, #0.0\nmrs %0, nzcv")
DX(fcvtzs_xd, "fcvtzs %0, d0")
DX(fcvtzu_xd, "fcvtzu %0, d0")
DX(fcvtzs_wd, "fcvtzs %w0, d0")
DX(fcvtzu_wd, "fcvtzu %w0, d0")
DX(fcvtns_xd, "fcvtns %0, d0")
DX(fcvtas_wd, "fcvtas %w0, d0")
DX(fcvtms_xd, "fcvtms %0, d0")
DX(fcvtpu_xd, "fcvtpu %0, d0")
DX(fcvtzs_fix_xd, "fcvtzs %0, d0, #8")
DX(scvtf_dx, "scvtf d1, %2\nfmov %0, d1")
DX(ucvtf_dx, "ucvtf d1, %2\nfmov %0, d1")
DX(scvtf_dw, "scvtf d1, %w2\nfmov %0, d1")
DX(ucvtf_fix_dx, "ucvtf d1, %2, #12\nfmov %0, d1")
DX(scvtf_sx, "scvtf s1, %2\nfmov %w0, s1")
DX(ucvtf_sw, "ucvtf s1, %w2\nfmov %w0, s1")

S2(fadd_s, "fadd s2, s0, s1")
S2(fsub_s, "fsub s2, s0, s1")
S2(fmul_s, "fmul s2, s0, s1")
S2(fdiv_s, "fdiv s2, s0, s1")
S2(fmax_s, "fmax s2, s0, s1")
S2(fminnm_s, "fminnm s2, s0, s1")
S2(fmadd_s, "fmadd s2, s0, s1, s0")
S2(fsqrt_s, "fsqrt s2, s0")
S2(frinta_s, "frinta s2, s0")
S2(frintm_s, "frintm s2, s0")
S2(fcvt_sd, "fcvt d3, s0\nfmov x9, d3\nlsr x9, x9, #32\nfmov s2, w9")
S2(fcvt_sd_lo, "fcvt d3, s0\nfmov x9, d3\nfmov s2, w9")
SX(fcmp_s, "fcmp s0, #0.0\nmrs %0, nzcv")
SX(fcvtzs_ws, "fcvtzs %w0, s0")
SX(fcvtzu_xs, "fcvtzu %0, s0")
SX(fcvtns_ws, "fcvtns %w0, s0")
DX(ucvtf_dd, "fmov d1, %2\nucvtf d1, d1\nfmov %0, d1")
DX(scvtf_dd, "fmov d1, %2\nscvtf d1, d1\nfmov %0, d1")
DX(fcvtzs_dd, "fcvtzs d1, d0\nfmov %0, d1")
DX(fcvtmu_dd, "fcvtmu d1, d0\nfmov %0, d1")
DX(fcvtas_v2d, "dup v1.2d, v0.d[0]\nfcvtas v1.2d, v1.2d\nmov %0, v1.d[1]")
SX(ucvtf_ss, "fmov s1, %w2\nucvtf s1, s1\nfmov %w0, s1")
SX(fcvtnu_ss, "fcvtnu s1, s0\nfmov %w0, s1")
SX(fcvtps_v4s, "dup v1.4s, v0.s[0]\nfcvtps v1.4s, v1.4s\nmov %w0, v1.s[3]")
DX(frecpe_d, "frecpe d1, d0\nfmov %0, d1")
DX(frsqrte_d, "frsqrte d1, d0\nfmov %0, d1")
DX(frecpx_d, "frecpx d1, d0\nfmov %0, d1")
DX(fcvtxn_d, "fcvtxn s1, d0\nfmov %w0, s1")
SX(frecpe_s, "frecpe s1, s0\nfmov %w0, s1")
SX(frsqrte_s, "frsqrte s1, s0\nfmov %w0, s1")
DX(fcvt_hd, "fcvt h1, d0\nfmov %w0, s1")
DX(fcvt_dh, "fcvt d1, h0\nfmov %0, d1")
SX(fcvt_hs, "fcvt h1, s0\nfmov %w0, s1")
SX(fcvt_sh, "fcvt s1, h0\nfmov %w0, s1")
SX(fcvtl_h, "dup v1.4s, v0.s[0]\nfcvtl v2.4s, v1.4h\nmov %w0, v2.s[1]")
SX(fcvtn_h, "dup v1.4s, v0.s[0]\nfcvtn v2.4h, v1.4s\nfmov %0, d2")
SX(fmov_imm, "fmov s1, #-0.1875\nfmov d2, #31.0\nfmov %w0, s1\nfmov x9, d2\nadd %0, %0, x9")

typedef void (*Fn)(uint64_t, uint64_t);
static const Fn dfns[] = {
    fadd_d, fsub_d, fmul_d, fdiv_d, fnmul_d, fmax_d, fmin_d, fmaxnm_d, fminnm_d, fmadd_d,
    fmsub_d, fnmadd_d, fnmsub_d, fsqrt_d, fabs_neg_d, frintn_d, frintp_d, frintm_d,
    frintz_d, frinta_d, frintx_d, frinti_d, fcvt_ds, fcsel_d, fccmp_d, fcmp_d, fcmpe_d,
    fcvtzs_xd, fcvtzu_xd, fcvtzs_wd, fcvtzu_wd, fcvtns_xd, fcvtas_wd, fcvtms_xd, fcvtpu_xd,
    fcvtzs_fix_xd, scvtf_dx, ucvtf_dx, scvtf_dw, ucvtf_fix_dx, scvtf_sx, ucvtf_sw,
    ucvtf_dd, scvtf_dd, fcvtzs_dd, fcvtmu_dd, fcvtas_v2d, frecpe_d, frsqrte_d, frecpx_d,
    fcvtxn_d, fcvt_hd, fcvt_dh,
};
static const Fn sfns[] = {
    fadd_s, fsub_s, fmul_s, fdiv_s, fmax_s, fminnm_s, fmadd_s, fsqrt_s, frinta_s, frintm_s,
    fcvt_sd, fcvt_sd_lo, fcmp_s, fcvtzs_ws, fcvtzu_xs, fcvtns_ws, fmov_imm, ucvtf_ss,
    fcvtnu_ss, fcvtps_v4s, frecpe_s, frsqrte_s, fcvt_hs, fcvt_sh, fcvtl_h, fcvtn_h,
};

int main(void)
{
    uint64_t fpcr_all, fpsr_all;
    __asm__ volatile("msr fpcr, %2\nmrs %0, fpcr\nmsr fpsr, %2\nmrs %1, fpsr\nmsr fpsr, xzr"
                     : "=&r"(fpcr_all), "=&r"(fpsr_all) : "r"(~0ull));
    out("fpcr/fpsr writable bits", fpcr_all, fpsr_all, 0, 0);
    /* FPCR: default, RP, RM, RZ, FZ, DN */
    static const uint64_t modes[] = {0, 1u << 22, 2u << 22, 3u << 22, 1u << 24, 1u << 25};
    for (unsigned m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        set_fpcr(modes[m]);
        puts_uart("fpcr ");
        print_hex(modes[m]);
        putc_uart('\n');
        for (unsigned f = 0; f < sizeof(dfns) / sizeof(dfns[0]); f++) {
            for (unsigned i = 0; i < ND; i++) {
                for (unsigned j = 0; j < ND; j += (m ? 7 : 3)) {
                    dfns[f](dv[i], dv[(i + j) % ND]);
                }
            }
        }
        for (unsigned f = 0; f < sizeof(sfns) / sizeof(sfns[0]); f++) {
            for (unsigned i = 0; i < NS; i++) {
                for (unsigned j = 0; j < NS; j += (m ? 7 : 3)) {
                    sfns[f](sv[i], sv[(i + j) % NS]);
                }
            }
        }
    }
    /* every half value to single and double; a spread of singles and doubles to half,
     * in two rounding modes: digests of results and flags */
    static const uint64_t hmodes[] = {0, 3u << 22, 1u << 26 /* AHP */, (1u << 26) | (1u << 22)};
    for (unsigned hm = 0; hm < sizeof(hmodes) / sizeof(hmodes[0]); hm++) {
        set_fpcr(hmodes[hm]);
        uint64_t acc = 0, fl = 0, f;
        for (uint32_t h = 0; h < 65536; h++) {
            uint64_t rs, rd;
            __asm__ volatile("msr fpsr, xzr\nfmov s0, %w3\nfcvt s1, h0\nfcvt d2, h0\n"
                             "fmov %w0, s1\nfmov %1, d2\nmrs %2, fpsr"
                             : "=r"(rs), "=r"(rd), "=r"(f) : "r"(h) : "v0", "v1", "v2");
            acc = acc * 1000003u + rs + rd * 7;
            fl |= f << (h & 7);
            if ((h & 16383) == 16383) {
                out("half->s/d digest", h, fl, acc, 0);
            }
        }
        acc = fl = 0;
        for (uint32_t i = 0; i < 65536; i++) {
            uint32_t sv32 = i * 0x9e3779b9u;
            uint64_t dv64 = (uint64_t)sv32 << 32 | (i * 0x85ebca6bu);
            uint64_t rh, rh2;
            __asm__ volatile("msr fpsr, xzr\nfmov s0, %w3\nfcvt h1, s0\nfmov d2, %4\n"
                             "fcvt h3, d2\nfmov %w0, s1\nfmov %w1, s3\nmrs %2, fpsr"
                             : "=r"(rh), "=r"(rh2), "=r"(f) : "r"((uint64_t)sv32), "r"(dv64)
                             : "v0", "v1", "v2", "v3");
            acc = acc * 1000003u + rh + (rh2 << 16) + f;
            if ((i & 16383) == 16383) {
                out("s/d->half digest", i, 0, acc, 0);
            }
        }
    }
    set_fpcr(0);
    puts_uart("fp done\n");
    return 0;
}
