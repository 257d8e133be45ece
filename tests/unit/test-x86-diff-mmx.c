/*
 * test-x86-diff-mmx.c — MMX against the host CPU (test-x86-vec-harness.h):
 * every MMX encoding of the decoder's tables (arithmetic, compares, packs,
 * unpacks, shifts by register, memory and immediate, logic, MOVD/MOVQ,
 * EMMS, the SSE-era PAVG/PMIN/PMAX/PSADBW/PSHUFW/PINSRW/PEXTRW/PMOVMSKB/
 * MASKMOVQ/MOVNTQ, MOVQ2DQ/MOVDQ2Q), with random TOP and tags before each
 * instruction so the x87->MMX transition (TOP = 0, tags valid; EMMS: empty)
 * and the aliasing of MMn with the x87 registers are checked through the
 * FXSAVE image; the MMX<->XMM conversions (CVTPI2PS ...); and the XMM forms
 * of the SSE2 integer operations added with them.
 */
#include "test-x86-vec-harness.h"

static bool is_cvt(int mn)
{
    return mn == MN_CVTPI2PS || mn == MN_CVTPS2PI || mn == MN_CVTTPS2PI ||
           mn == MN_CVTPI2PD || mn == MN_CVTPD2PI || mn == MN_CVTTPD2PI;
}

static bool is_ssse3(int mn)
{
    return (mn >= MN_PHADDW && mn <= MN_PALIGNR) || mn == MN_PSHUFB;
}

static bool f_mmx(int mn, uint16_t fl)
{
    return (fl & X86F_MMX) && !is_cvt(mn) && !is_ssse3(mn);
}

static bool f_mmx_cvt(int mn, uint16_t fl)
{
    return is_cvt(mn);
}

static bool f_ssse3_mmx(int mn, uint16_t fl)
{
    return (fl & X86F_MMX) && is_ssse3(mn);
}

/* the XMM forms of the SSE2 integer operations (the inline ones included) and
 * MOVHLPS/MOVLHPS */
static bool f_sse2_int(int mn, uint16_t fl)
{
    if (fl & X86F_MMX) {
        return false;
    }
    switch (mn) {
    case MN_PADDSB: case MN_PADDSW: case MN_PSUBSB: case MN_PSUBSW: case MN_PMULLW:
    case MN_PMULHW: case MN_PMULHUW: case MN_PMADDWD: case MN_PACKSSWB: case MN_PACKSSDW:
    case MN_PACKUSWB: case MN_PAVGB: case MN_PAVGW: case MN_PMINSW: case MN_PMAXSW:
    case MN_PSADBW: case MN_PMULUDQ: case MN_PINSRW: case MN_PEXTRW: case MN_MASKMOVQ:
    case MN_MOVLPS: case MN_MOVHPS: case MN_PMINUB: case MN_PMAXUB: case MN_PADDQ:
    case MN_PSUBQ: case MN_PUNPCKLBW: case MN_PUNPCKHBW: case MN_PADDB: case MN_PADDW:
    case MN_PADDD: case MN_PSUBB: case MN_PSUBW: case MN_PSUBD: case MN_PCMPEQB:
    case MN_PCMPEQW: case MN_PCMPEQD: case MN_PMOVMSKB:
        return true;
    default:
        return false;
    }
}

static bool f_rcp(int mn, uint16_t fl)
{
    return mn == MN_RCPPS || mn == MN_RCPSS || mn == MN_RSQRTPS || mn == MN_RSQRTSS;
}

int main(void)
{
    uint32_t c1 = vh_cpuid(1, 2), d1 = vh_cpuid(1, 3);
    bool mmx = d1 & (1u << 23), sse2 = d1 & (1u << 26), ssse3 = c1 & (1u << 9);
    const VhClass classes[] = {
        {"mmx", f_mmx, false, mmx && sse2, "MMX/SSE2"},
        {"mmx-cvt", f_mmx_cvt, true, sse2, "SSE2"},
        {"mmx-ssse3", f_ssse3_mmx, false, ssse3, "SSSE3"},
        {"sse2-int", f_sse2_int, false, sse2, "SSE2"},
        {"sse-rcp", f_rcp, true, sse2, "SSE"},
    };
    vh_init();
    int failures = 0;
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        failures += vh_run_class(&classes[i], vh_seed(), vh_n());
    }
    return failures ? 1 : 0;
}
