/*
 * test-x86-diff-sse4.c — SSE3, SSSE3, SSE4.1, SSE4.2, PCLMULQDQ and AES
 * against the host CPU (test-x86-vec-harness.h): every XMM encoding of
 * those mnemonics in the decoder's tables, with random register, memory
 * and imm8 operands, and for floating point random special values, MXCSR
 * rounding modes, FTZ and DAZ. A class whose CPUID bit the host lacks is
 * skipped, by name.
 */
#include "test-x86-vec-harness.h"

static bool in_range(int mn, int lo, int hi)
{
    return mn >= lo && mn <= hi;
}

static bool f_sse3(int mn, uint16_t fl)
{
    return in_range(mn, MN_ADDSUBPS, MN_LDDQU);
}

static bool f_ssse3(int mn, uint16_t fl)
{
    return !(fl & X86F_MMX) && (in_range(mn, MN_PHADDW, MN_PALIGNR) || mn == MN_PSHUFB);
}

static bool is_sse41_fp(int mn)
{
    return in_range(mn, MN_ROUNDPS, MN_ROUNDSD) || mn == MN_DPPS || mn == MN_DPPD;
}

static bool f_sse41_int(int mn, uint16_t fl)
{
    if (mn == MN_PEXTRW) {
        return false; /* 0F C5 is SSE2 (test-x86-diff-mmx); 0F 3A 15 below */
    }
    return in_range(mn, MN_PBLENDVB, MN_MPSADBW) && !is_sse41_fp(mn) && mn != MN_PCMPGTQ;
}

static bool f_pextrw41(int mn, uint16_t fl)
{
    return mn == MN_PEXTRW && !(fl & X86F_MMX);
}

static bool f_sse41_fp(int mn, uint16_t fl)
{
    return is_sse41_fp(mn);
}

static bool f_sse42(int mn, uint16_t fl)
{
    return mn == MN_PCMPGTQ || in_range(mn, MN_PCMPESTRM, MN_PCMPISTRI) || mn == MN_CRC32;
}

static bool f_pclmul(int mn, uint16_t fl)
{
    return mn == MN_PCLMULQDQ;
}

static bool f_aes(int mn, uint16_t fl)
{
    return in_range(mn, MN_AESENC, MN_AESKEYGENASSIST);
}

/* sse_helper.c's choice between the host's AES-NI/PCLMULQDQ and portable C */
extern int x86_sse_host_crypto;

static void crypto_auto(void)
{
    x86_sse_host_crypto = -1;
}

static void crypto_portable(void)
{
    x86_sse_host_crypto = 0;
}

int main(void)
{
    uint32_t c1 = vh_cpuid(1, 2);
    const VhClass classes[] = {
        {"sse3", f_sse3, true, c1 & (1u << 0), "SSE3"},
        {"ssse3", f_ssse3, false, c1 & (1u << 9), "SSSE3"},
        {"sse41-int", f_sse41_int, false, c1 & (1u << 19), "SSE4.1"},
        {"sse41-pextrw", f_pextrw41, false, c1 & (1u << 19), "SSE4.1"},
        {"sse41-fp", f_sse41_fp, true, c1 & (1u << 19), "SSE4.1"},
        {"sse42", f_sse42, false, c1 & (1u << 20), "SSE4.2"},
        {"pclmulqdq", f_pclmul, false, c1 & (1u << 1), "PCLMULQDQ", crypto_auto},
        {"aes", f_aes, false, c1 & (1u << 25), "AES-NI", crypto_auto},
        /* the portable C fallbacks, against the same oracle */
        {"pclmulqdq-portable", f_pclmul, false, c1 & (1u << 1), "PCLMULQDQ", crypto_portable},
        {"aes-portable", f_aes, false, c1 & (1u << 25), "AES-NI", crypto_portable},
    };
    vh_init();
    int failures = 0;
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        failures += vh_run_class(&classes[i], vh_seed(), vh_n());
    }
    return failures ? 1 : 0;
}
