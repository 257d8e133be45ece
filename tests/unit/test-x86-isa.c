/*
 * test-x86-isa.c — what the host cannot show from user mode about the ISA
 * extensions: CPUID reports exactly what is implemented ("max": SSE3,
 * SSSE3, SSE4.1, SSE4.2, POPCNT, PCLMULQDQ, AES, MOVBE, BMI1, BMI2, ADX;
 * never AVX/XSAVE; the baseline "qemu64" none of them), an instruction of
 * an unreported feature is #UD, MMX faults (CR0.EM: #UD, CR0.TS: #NM, a
 * pending x87 exception: #MF; SDM Vol.3 §2.5 and Vol.1 §9.5), the x87
 * state an MMX write leaves (TOP = 0, tags valid, exponent all ones) and
 * EMMS (tags empty), and 16-byte alignment (#GP for PMULLD m128, none for
 * PCMPISTRI and LDDQU). Each case runs one instruction on coremu's CPU in
 * the flat 64-bit test mode, on both TCG backends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/cputlb.h"
#include "exec/memory.h"
#include "exec/tb-cache.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "target/i386/cpu.h"

extern const TCGBackend tcg_backend_x86_64 __attribute__((weak));

#define CODE 0x100000ull
#define DATA 0x200000ull

static AddressSpace *as;
static int failures;

typedef struct Run {
    int exc; /* vector, or -1 */
    uint64_t regs[16];
    uint8_t fsave[108];
} Run;

static CPUState *new_cpu(const char *model, const TCGBackend *be)
{
    static Machine machines[4]; /* cores live until exit */
    static int nm;
    Machine *m = &machines[nm++ & 3];
    m->as = as;
    m->ncpus = 1;
    CPUState *cs = cpu_create(m, &x86_cpu_class, 0, model);
    m->cpus[0] = cs;
    tb_cache_new(cs, be, 4u << 20);
    return cs;
}

/* run `code` (then HLT) with rax..rdi = regs, CR0 |= cr0_extra, the x87 image fsave (or reset) */
static Run run(CPUState *cs, const uint8_t *code, int len, const uint64_t *regs,
               uint64_t cr0_extra, const uint8_t *fsave)
{
    CPUX86State *env = cpu_env(cs);
    uint8_t buf[64];
    Run r;
    memcpy(buf, code, (size_t)len);
    buf[len] = 0xf4;
    tb_invalidate_phys_range(cs, CODE, 0x1000);
    memory_rw(as, CODE, buf, (uint64_t)len + 1, true);
    env->cr[0] = CR0_PE | CR0_ET | CR0_NE | CR0_MP | cr0_extra;
    env->cr[4] = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    env->efer = EFER_LME | EFER_LMA | EFER_NXE;
    x86_cpu_load_seg_cache(env, R_CS, 0x10, 0, 0xffffffff,
                           DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                               DESC_W_MASK | DESC_A_MASK | DESC_L_MASK);
    for (int s = R_ES; s <= R_GS; s++) {
        if (s != R_CS) {
            x86_cpu_load_seg_cache(env, s, s == R_SS ? 0x18 : 0, 0, 0xffffffff,
                                   DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                                       DESC_W_MASK | DESC_A_MASK);
        }
    }
    memset(env->regs, 0, sizeof(env->regs));
    memcpy(env->regs, regs, 8 * sizeof(uint64_t));
    env->regs[R_ESP] = DATA + 0x800;
    cpu_load_eflags(env, 0x202, ~0u);
    if (fsave) {
        memcpy(env->fsave, fsave, sizeof(env->fsave));
    } else {
        x86_fpu_reset(env);
    }
    env->mxcsr = 0x1f80;
    env->rip = CODE;
    env->user_exceptions = true;
    env->last_exception = -1;
    env->hflags &= ~HF_INHIBIT_IRQ;
    x86_update_hflags(env);
    cs->halted = 0;
    cs->exception_index = EXCP_NONE;
    cs->icount_enabled = true;
    cpu_icount_set_budget(cs, 100);
    for (int g = 0; g < 8; g++) {
        int ret = cpu_exec(cs);
        if (ret == EXCP_HLT || ret == EXCP_ICOUNT || env->last_exception >= 0) {
            break;
        }
    }
    cs->halted = 0;
    r.exc = env->last_exception;
    memcpy(r.regs, env->regs, sizeof(r.regs));
    memcpy(r.fsave, env->fsave, sizeof(r.fsave));
    return r;
}

static void check(bool ok, const char *be, const char *name, const char *why)
{
    if (ok) {
        printf("PASS %s-%s\n", name, be);
    } else {
        printf("FAIL %s-%s: %s\n", name, be, why);
        failures++;
    }
}

typedef struct Insn {
    const char *name;
    uint8_t bytes[8];
    int len;
    uint32_t feature; /* documentation: the CPUID bit that gates it */
} Insn;

/* one instruction of each feature "max" adds (objdump of gas output) */
static const Insn gated[] = {
    {"ssse3-pshufb", {0x66, 0x0f, 0x38, 0x00, 0xd1}, 5, CPUID_EXT_SSSE3},
    {"sse3-haddps", {0xf2, 0x0f, 0x7c, 0xd1}, 4, CPUID_EXT_SSE3},
    {"sse41-pmulld", {0x66, 0x0f, 0x38, 0x40, 0xd1}, 5, CPUID_EXT_SSE41},
    {"sse42-pcmpgtq", {0x66, 0x0f, 0x38, 0x37, 0xd1}, 5, CPUID_EXT_SSE42},
    {"sse42-crc32", {0xf2, 0x0f, 0x38, 0xf1, 0xd8}, 5, CPUID_EXT_SSE42},
    {"pclmulqdq", {0x66, 0x0f, 0x3a, 0x44, 0xd1, 0x11}, 6, CPUID_EXT_PCLMULQDQ},
    {"aesenc", {0x66, 0x0f, 0x38, 0xdc, 0xd1}, 5, CPUID_EXT_AES},
    {"movbe", {0x0f, 0x38, 0xf0, 0x06}, 4, CPUID_EXT_MOVBE},
    {"bmi1-andn", {0xc4, 0xe2, 0xe0, 0xf2, 0xc8}, 5, CPUID_7_BMI1},
    {"bmi2-bzhi", {0xc4, 0xe2, 0xf8, 0xf5, 0xcb}, 5, CPUID_7_BMI2},
    {"adx-adcx", {0x66, 0x48, 0x0f, 0x38, 0xf6, 0xd8}, 6, CPUID_7_ADX},
};

static void test_backend(const char *be_name, const TCGBackend *be)
{
    CPUState *max = new_cpu("max", be), *base = new_cpu("qemu64", be);
    uint64_t regs[8] = {0};
    static const uint8_t cpuid[] = {0x0f, 0xa2};

    /* CPUID leaf 1 and 7 on both models */
    regs[R_EAX] = 1;
    Run r = run(max, cpuid, 2, regs, 0, NULL);
    uint32_t want_c = CPUID_EXT_SSE3 | CPUID_EXT_PCLMULQDQ | CPUID_EXT_SSSE3 | CPUID_EXT_CX16 |
                      CPUID_EXT_SSE41 | CPUID_EXT_SSE42 | CPUID_EXT_MOVBE | CPUID_EXT_POPCNT |
                      CPUID_EXT_AES;
    uint32_t want_d = CPUID_MMX | CPUID_FXSR | CPUID_SSE | CPUID_SSE2;
    check(r.exc < 0 && (uint32_t)r.regs[R_ECX] == want_c &&
              ((uint32_t)r.regs[R_EDX] & want_d) == want_d,
          be_name, "cpuid-max-leaf1", "ECX is not exactly SSE3 PCLMUL SSSE3 CX16 SSE4.1/4.2 MOVBE POPCNT AES");
    check(!(r.regs[R_ECX] & ((1u << 26) | (1u << 27) | (1u << 28) | (1u << 12) | (1u << 29))),
          be_name, "cpuid-max-no-avx-xsave-fma", "AVX, XSAVE, OSXSAVE, FMA or F16C reported");
    regs[R_EAX] = 7;
    regs[R_ECX] = 0;
    r = run(max, cpuid, 2, regs, 0, NULL);
    check(r.exc < 0 && (uint32_t)r.regs[R_EBX] == (CPUID_7_BMI1 | CPUID_7_BMI2 | CPUID_7_ADX),
          be_name, "cpuid-max-leaf7", "EBX is not exactly BMI1 BMI2 ADX (no AVX2)");
    regs[R_EAX] = 0x80000001;
    r = run(max, cpuid, 2, regs, 0, NULL);
    Run rb = run(base, cpuid, 2, regs, 0, NULL);
    check(r.exc < 0 && (r.regs[R_EDX] & CPUID_EXT2_MMXEXT) && (r.regs[R_EDX] & CPUID_MMX) &&
              !(rb.regs[R_EDX] & CPUID_EXT2_MMXEXT) && !(r.regs[R_ECX] & (1u << 6)),
          be_name, "cpuid-ext-mmxext", "MMXEXT not only on max, or SSE4A reported");
    regs[R_EAX] = 1;
    r = run(base, cpuid, 2, regs, 0, NULL);
    check(r.exc < 0 && (uint32_t)r.regs[R_ECX] == 0 &&
              ((uint32_t)r.regs[R_EDX] & want_d) == want_d,
          be_name, "cpuid-qemu64-leaf1", "the baseline reports more than SSE2");
    regs[R_EAX] = 7;
    r = run(base, cpuid, 2, regs, 0, NULL);
    check(r.exc < 0 && (uint32_t)r.regs[R_EBX] == 0, be_name, "cpuid-qemu64-leaf7",
          "the baseline reports BMI/ADX");

    /* each gated instruction: runs on max, #UD on the baseline */
    memset(regs, 0, sizeof(regs));
    regs[R_ESI] = DATA;
    for (size_t i = 0; i < sizeof(gated) / sizeof(gated[0]); i++) {
        char name[64];
        Run a = run(max, gated[i].bytes, gated[i].len, regs, 0, NULL);
        Run b = run(base, gated[i].bytes, gated[i].len, regs, 0, NULL);
        snprintf(name, sizeof(name), "gate-%s", gated[i].name);
        check(a.exc < 0 && b.exc == EXCP06_UD, be_name, name,
              "not (runs on max, #UD on qemu64)");
    }

    /* MMX faults and the x87 state */
    static const uint8_t paddb[] = {0x0f, 0xfc, 0xc1};       /* paddb %mm1,%mm0 */
    static const uint8_t emms[] = {0x0f, 0x77};
    static const uint8_t movq_in[] = {0x48, 0x0f, 0x6e, 0xd8}; /* movq %rax,%mm3 */
    static const uint8_t movq_out[] = {0x48, 0x0f, 0x7e, 0xdb}; /* movq %mm3,%rbx */
    r = run(base, paddb, 3, regs, 0, NULL);
    check(r.exc < 0, be_name, "mmx-baseline", "paddb %mm1,%mm0 faulted on qemu64");
    r = run(max, paddb, 3, regs, CR0_TS, NULL);
    check(r.exc == EXCP07_NM, be_name, "mmx-cr0-ts-nm", "CR0.TS did not give #NM");
    r = run(max, emms, 2, regs, CR0_TS, NULL);
    check(r.exc == EXCP07_NM, be_name, "emms-cr0-ts-nm", "CR0.TS did not give #NM");
    r = run(max, paddb, 3, regs, CR0_EM, NULL);
    check(r.exc == EXCP06_UD, be_name, "mmx-cr0-em-ud", "CR0.EM did not give #UD");
    uint8_t fs[108];
    memset(fs, 0, sizeof(fs));
    fs[0] = 0x7e; /* FCW: IM unmasked */
    fs[1] = 0x03;
    fs[4] = 0x81; /* FSW: IE + ES pending */
    fs[8] = fs[9] = 0xff;
    r = run(max, paddb, 3, regs, 0, fs);
    check(r.exc == EXCP10_MF, be_name, "mmx-pending-x87-mf", "a pending x87 exception did not give #MF");
    /* TOP = 5 and all empty; MOVQ mm3 <- rax: TOP 0, tags valid, R3 = rax with exponent ffff */
    memset(fs, 0, sizeof(fs));
    fs[0] = 0x7f;
    fs[1] = 0x03;
    fs[5] = 5 << 3; /* TOP */
    fs[8] = fs[9] = 0xff;
    regs[R_EAX] = 0x1122334455667788ull;
    r = run(max, movq_in, 4, regs, 0, fs);
    uint64_t m3;
    memcpy(&m3, r.fsave + 28 + 30, 8);
    check(r.exc < 0 && (r.fsave[5] & 0x38) == 0 && r.fsave[8] == 0 && r.fsave[9] == 0 &&
              m3 == regs[R_EAX] && r.fsave[28 + 38] == 0xff && r.fsave[28 + 39] == 0xff,
          be_name, "mmx-write-x87-state", "TOP, tags or R3 (mantissa, exponent) wrong");
    memcpy(fs, r.fsave, sizeof(fs));
    r = run(max, movq_out, 4, regs, 0, fs);
    check(r.exc < 0 && r.regs[R_EBX] == 0x1122334455667788ull, be_name, "mmx-read-back",
          "movq %mm3,%rbx did not read what was written");
    memcpy(fs, r.fsave, sizeof(fs));
    r = run(max, emms, 2, regs, 0, fs);
    check(r.exc < 0 && r.fsave[8] == 0xff && r.fsave[9] == 0xff, be_name, "emms-empties-tags",
          "EMMS did not set every tag empty");

    /* alignment of 128-bit memory operands (legacy SSE) */
    static const uint8_t pmulld_m[] = {0x66, 0x0f, 0x38, 0x40, 0x16};       /* pmulld (%rsi) */
    static const uint8_t pcmpistri_m[] = {0x66, 0x0f, 0x3a, 0x63, 0x0e, 0x00};
    static const uint8_t lddqu_m[] = {0xf2, 0x0f, 0xf0, 0x1e};
    regs[R_ESI] = DATA + 8;
    r = run(max, pmulld_m, 5, regs, 0, NULL);
    check(r.exc == EXCP0D_GP, be_name, "pmulld-misaligned-gp", "no #GP for a misaligned m128");
    r = run(max, pcmpistri_m, 6, regs, 0, NULL);
    check(r.exc < 0, be_name, "pcmpistri-misaligned-ok", "PCMPISTRI faulted on a misaligned m128");
    r = run(max, lddqu_m, 4, regs, 0, NULL);
    check(r.exc < 0, be_name, "lddqu-misaligned-ok", "LDDQU faulted on a misaligned m128");

    /* VEX: L = 1 forms of BMI and AVX are #UD even on max */
    static const uint8_t andn_l1[] = {0xc4, 0xe2, 0xe4, 0xf2, 0xc1};
    static const uint8_t vaddps[] = {0xc5, 0xe8, 0x58, 0xd9};
    r = run(max, andn_l1, 5, regs, 0, NULL);
    check(r.exc == EXCP06_UD, be_name, "vex-l1-ud", "ANDN with VEX.L=1 did not #UD");
    r = run(max, vaddps, 4, regs, 0, NULL);
    check(r.exc == EXCP06_UD, be_name, "avx-ud", "VADDPS did not #UD");
}

int main(void)
{
    as = address_space_new("x86-isa");
    memory_map_ram(as, "ram", 0, 0x400000);
    test_backend("interp", &tcg_backend_interp);
    if (&tcg_backend_x86_64) {
        test_backend("jit", &tcg_backend_x86_64);
    } else {
        printf("SKIP isa-jit: backend not linked\n");
    }
    return failures ? 1 : 0;
}
