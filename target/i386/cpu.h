/*
 * cpu.h — x86-64 CPU state for coremu.
 *
 * Design:
 *  - X86CPU embeds CPUState first; generated code addresses guest registers
 *    as env + offsetof(X86CPU, env.field) (x86_translate_init()).
 *  - Condition codes are LAZY (the classic design): an arithmetic
 *    instruction stores its operands/result in cc_dst/cc_src/cc_src2 and the
 *    operation kind in cc_op; EFLAGS' arithmetic bits (OF SF ZF AF PF CF) are
 *    computed only when something reads them (x86_compute_eflags(), or
 *    inline IR for the common conditions in translate.c). Invariant: the
 *    OSZAPC bits of env->eflags are stale/zero; every other EFLAGS bit (DF,
 *    IF, TF, IOPL, ...) lives only in env->eflags. cpu_compute_eflags()
 *    gives the architectural value.
 *    cc_op meanings (size suffix B/W/L/Q = 8/16/32/64 bits):
 *      CC_OP_EFLAGS   cc_src = OSZAPC bits in their EFLAGS positions
 *      ADD/ADC/SUB/SBB  cc_dst = result, cc_src = src2, cc_src2 = src1; the carry-in
 *                     of ADC/SBB is recovered as (dst - src1 - src2) / (src1 - src2 - dst)
 *      LOGIC          cc_dst = result (CF = OF = 0)
 *      INC/DEC        cc_dst = result, cc_src = CF before the instruction
 *      SHL/SAR        cc_dst = result, cc_src = value shifted by count-1
 *                     (CF = msb of cc_src for SHL, bit 0 for SAR/SHR)
 *      MUL            cc_dst = low result, cc_src = non-zero iff CF=OF=1
 *      BMILG          cc_dst = result, cc_src = source (LZCNT/TZCNT style)
 *  - Segment registers keep the hidden part (base, limit, flags in the
 *    descriptor's attribute layout: bits 8..23 of the descriptor high word).
 *  - hflags caches mode bits derived from CR0/CR4/EFER/CS/SS (HF_*), kept
 *    up to date by x86_update_hflags() after any write to those; the TB key
 *    is hflags plus the EFLAGS bits translation depends on.
 *  - Modes: real (CR0.PE=0), protected, virtual-8086 (unsupported so far),
 *    long (EFER.LMA) with 64-bit (CS.L) or compatibility code segments.
 *    A "flat 64-bit test mode" is HF_LMA|HF_CS64 with CR0.PG clear: the MMU
 *    then maps identity (tests/unit/test-x86-diff.c uses it).
 *  - mmu_idx: 0 = supervisor (CPL 0..2), 1 = user (CPL 3).
 */
#ifndef TARGET_I386_CPU_H
#define TARGET_I386_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/cpu.h"
#include "system/machine.h"
#include "target/i386/cpu-hooks.h"

/* ---- general registers ---- */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI };
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS };

/* ---- EFLAGS (SDM Vol.1 §3.4.3) ---- */
#define CC_C 0x0001u
#define CC_P 0x0004u
#define CC_A 0x0010u
#define CC_Z 0x0040u
#define CC_S 0x0080u
#define CC_O 0x0800u
#define CC_OSZAPC (CC_O | CC_S | CC_Z | CC_A | CC_P | CC_C)
#define TF_MASK 0x00000100u
#define IF_MASK 0x00000200u
#define DF_MASK 0x00000400u
#define IOPL_MASK 0x00003000u
#define IOPL_SHIFT 12
#define NT_MASK 0x00004000u
#define RF_MASK 0x00010000u
#define VM_MASK 0x00020000u
#define AC_MASK 0x00040000u
#define VIF_MASK 0x00080000u
#define VIP_MASK 0x00100000u
#define ID_MASK 0x00200000u

/* ---- lazy condition codes ---- */
typedef enum CCOp {
    CC_OP_DYNAMIC, /* translation time only: the value lives in env->cc_op */
    CC_OP_EFLAGS,
#define CC_OP_4(name) CC_OP_##name##B, CC_OP_##name##W, CC_OP_##name##L, CC_OP_##name##Q
    CC_OP_4(ADD),
    CC_OP_4(ADC),
    CC_OP_4(SUB),
    CC_OP_4(SBB),
    CC_OP_4(LOGIC),
    CC_OP_4(INC),
    CC_OP_4(DEC),
    CC_OP_4(SHL),
    CC_OP_4(SAR),
    CC_OP_4(MUL),
    CC_OP_4(BMILG),
#undef CC_OP_4
    CC_OP_NB,
} CCOp;

/* size index 0..3 (MemOp MO_8..MO_64) of a sized cc_op */
static inline int cc_op_size(CCOp op)
{
    return (int)(op - CC_OP_ADDB) & 3;
}
static inline CCOp cc_op_base(CCOp op)
{
    return (CCOp)(CC_OP_ADDB + ((op - CC_OP_ADDB) & ~3));
}

/* ---- hflags (cached mode, part of the TB key) ---- */
#define HF_CPL_MASK 0x3u
#define HF_CS32 (1u << 2)   /* 32-bit default operand/address size (CS.D) */
#define HF_SS32 (1u << 3)   /* 32-bit stack (SS.B) */
#define HF_CS64 (1u << 4)   /* 64-bit code segment (LMA && CS.L) */
#define HF_LMA (1u << 5)    /* long mode active */
#define HF_PE (1u << 6)     /* protected mode */
#define HF_ADDSEG (1u << 7) /* non-zero DS/ES/SS bases: add segment bases (legacy modes) */
#define HF_OSFXSR (1u << 8) /* CR4.OSFXSR: SSE enabled */
#define HF_EM (1u << 9)     /* CR0.EM */
#define HF_TS (1u << 10)    /* CR0.TS */
#define HF_INHIBIT_IRQ (1u << 11) /* one-instruction interrupt shadow (STI, MOV SS) */
#define HF_VM (1u << 12)    /* virtual-8086 */
#define HF_SMAP (1u << 13)  /* CR4.SMAP */
#define HF_TF (1u << 14)    /* EFLAGS.TF single-step */
#define HF_IOPL_SHIFT 16    /* EFLAGS.IOPL copy (2 bits) */
#define HF_IF (1u << 18)    /* EFLAGS.IF copy */
#define HF_SEGLIM (1u << 19) /* legacy protected mode with a data/stack segment that is not
                              * flat 4 GiB (or is expand-down): accesses check limits */

/* ---- control registers ---- */
#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_VME (1u << 0)
#define CR4_PVI (1u << 1)
#define CR4_TSD (1u << 2)
#define CR4_DE (1u << 3)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_MCE (1u << 6)
#define CR4_PGE (1u << 7)
#define CR4_PCE (1u << 8)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_UMIP (1u << 11)
#define CR4_LA57 (1u << 12)
#define CR4_FSGSBASE (1u << 16)
#define CR4_PCIDE (1u << 17)
#define CR4_OSXSAVE (1u << 18)
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* ---- MSRs ---- */
#define MSR_IA32_TSC 0x10
#define MSR_IA32_APICBASE 0x1b
#define MSR_IA32_MTRRCAP 0xfe
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_MTRR_PHYSBASE0 0x200
#define MSR_MTRR_FIX64K 0x250
#define MSR_MTRR_FIX16K_80000 0x258
#define MSR_MTRR_FIX16K_A0000 0x259
#define MSR_MTRR_FIX4K_C0000 0x268
#define MSR_IA32_PAT 0x277
#define MSR_MTRR_DEFTYPE 0x2ff
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_FMASK 0xc0000084
#define MSR_FSBASE 0xc0000100
#define MSR_GSBASE 0xc0000101
#define MSR_KERNELGSBASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define X86_NB_VAR_MTRRS 8

/* ---- exception vectors (SDM Vol.3 §6.3.1) ---- */
enum {
    EXCP00_DE = 0, EXCP01_DB, EXCP02_NMI, EXCP03_BP, EXCP04_OF, EXCP05_BR, EXCP06_UD,
    EXCP07_NM, EXCP08_DF, EXCP09_XERR, EXCP0A_TS, EXCP0B_NP, EXCP0C_SS, EXCP0D_GP,
    EXCP0E_PF, EXCP10_MF = 16, EXCP11_AC, EXCP12_MC, EXCP13_XF,
    /* exception_index values above the vectors (target-defined, < EXCP_INTERRUPT) */
    EXCP_SYSCALL = 0x100, /* SYSCALL: handled by do_interrupt as a fast system call */
    EXCP_SWINT = 0x200,   /* INT n: 0x200 | n (software interrupt, gate DPL checked) */
};

/* segment descriptor attribute bits as kept in SegmentCache.flags (desc word 1 layout) */
#define DESC_TYPE_SHIFT 8
#define DESC_S_MASK (1u << 12)
#define DESC_DPL_SHIFT 13
#define DESC_P_MASK (1u << 15)
#define DESC_L_MASK (1u << 21)
#define DESC_B_MASK (1u << 22)
#define DESC_G_MASK (1u << 23)
#define DESC_CS_MASK (1u << 11) /* type bit 3: code */
#define DESC_W_MASK (1u << 9)   /* data: writable; code: readable (R) */
#define DESC_A_MASK (1u << 8)

typedef struct SegmentCache {
    uint32_t selector;
    uint32_t limit;
    uint64_t base;
    uint32_t flags;
} SegmentCache;

typedef union XMMReg {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t l[4];
    uint64_t q[2];
    int8_t sb[16];
    int16_t sw[8];
    int32_t sl[4];
    int64_t sq[2];
    float f[4];
    double d[2];
} XMMReg;

typedef struct CPUX86State {
    /* ---- registers generated code keeps as TCG globals ---- */
    uint64_t regs[16];
    uint64_t rip;
    uint64_t cc_dst, cc_src, cc_src2;
    uint32_t cc_op;
    uint32_t eflags; /* all bits but OSZAPC (see the header) */
    uint32_t hflags;
    uint32_t pad0;

    SegmentCache segs[6];
    SegmentCache ldt, tr;
    SegmentCache gdt, idt; /* base and limit only */

    uint64_t cr[9]; /* cr0, cr2, cr3, cr4, cr8 (others unused) */
    uint64_t dr[8];
    uint64_t efer;
    uint64_t star, lstar, cstar, fmask, kernelgsbase;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t apic_base;
    uint64_t tsc_offset; /* guest TSC = host counter + offset */
    uint64_t tsc_aux;
    uint64_t pat;
    uint64_t misc_enable;
    uint64_t mtrr_deftype;
    uint64_t mtrr_fixed[11];
    uint64_t mtrr_var[X86_NB_VAR_MTRRS][2]; /* base, mask */

    /* x87: the FNSAVE image (32-bit protected-mode layout, SDM Vol.1 Figure 8-9:
     * FCW, FSW (with TOP), full tag word, FIP/FCS/FOP, FDP/FDS, then ST(0)..ST(7)
     * as 80-bit values); fpu_helper.c executes x87 instructions on it */
    uint8_t fsave[108] __attribute__((aligned(16)));
    /* SSE */
    uint32_t mxcsr;
    XMMReg xmm[16];
    XMMReg xmm_t0; /* scratch for helpers (a memory operand) */

    /* exceptions */
    int error_code;
    bool exception_is_int; /* software INT n / INT3 / INTO: return to the next insn */
    uint64_t exception_next_eip;
    bool has_error_code;
    int old_exception;      /* for #DF detection, -1 none */
    bool nmi_blocked;       /* an NMI was delivered; the next IRET unblocks (SDM §6.7.1) */

    /* test seam (test-x86-diff.c): guest exceptions are recorded, not delivered */
    bool user_exceptions;
    int last_exception;      /* vector, or -1 */
    uint64_t last_exception_rip;

    uint8_t sipi_vector;
    bool wait_for_sipi; /* an AP after RESET/INIT: only a SIPI starts it (SDM §8.4) */

    /* ---- identification (CPUID) ---- */
    uint32_t cpuid_level, cpuid_xlevel;
    uint32_t cpuid_features_edx, cpuid_features_ecx;     /* leaf 1 */
    uint32_t cpuid_ext_features_edx, cpuid_ext_features_ecx; /* 0x80000001 */
    uint32_t cpuid_7_ebx, cpuid_7_ecx, cpuid_7_edx;
    uint32_t cpuid_version;
    char cpuid_vendor[13];
    char cpuid_model_id[49];
    uint32_t apic_id;
} CPUX86State;

typedef struct X86CPU {
    CPUState parent;
    CPUX86State env;
    X86PortIO port_io;
    X86ApicHooks apic;
    bool has_apic_hooks;
    const char *model;
} X86CPU;

static inline X86CPU *x86_cpu(CPUState *cs)
{
    return (X86CPU *)cs;
}
static inline CPUX86State *cpu_env(CPUState *cs)
{
    return &((X86CPU *)cs)->env;
}
static inline CPUState *env_cpu(CPUX86State *env)
{
    return (CPUState *)((char *)env - offsetof(X86CPU, env));
}

#define ENV_OFF(field) ((intptr_t)offsetof(X86CPU, env.field))

/* CPUID feature bits (leaf 1 EDX/ECX, leaf 7 EBX, 0x80000001 EDX/ECX) */
#define CPUID_FPU (1u << 0)
#define CPUID_VME (1u << 1)
#define CPUID_DE (1u << 2)
#define CPUID_PSE (1u << 3)
#define CPUID_TSC (1u << 4)
#define CPUID_MSR (1u << 5)
#define CPUID_PAE (1u << 6)
#define CPUID_MCE (1u << 7)
#define CPUID_CX8 (1u << 8)
#define CPUID_APIC (1u << 9)
#define CPUID_SEP (1u << 11)
#define CPUID_MTRR (1u << 12)
#define CPUID_PGE (1u << 13)
#define CPUID_MCA (1u << 14)
#define CPUID_CMOV (1u << 15)
#define CPUID_PAT (1u << 16)
#define CPUID_PSE36 (1u << 17)
#define CPUID_CLFLUSH (1u << 19)
#define CPUID_MMX (1u << 23)
#define CPUID_FXSR (1u << 24)
#define CPUID_SSE (1u << 25)
#define CPUID_SSE2 (1u << 26)
#define CPUID_EXT_SSE3 (1u << 0)
#define CPUID_EXT_PCLMULQDQ (1u << 1)
#define CPUID_EXT_SSSE3 (1u << 9)
#define CPUID_EXT_CX16 (1u << 13)
#define CPUID_EXT_SSE41 (1u << 19)
#define CPUID_EXT_SSE42 (1u << 20)
#define CPUID_EXT_MOVBE (1u << 22)
#define CPUID_EXT_POPCNT (1u << 23)
#define CPUID_EXT_AES (1u << 25)
#define CPUID_7_BMI1 (1u << 3)
#define CPUID_7_BMI2 (1u << 8)
#define CPUID_7_ADX (1u << 19)
#define CPUID_EXT2_SYSCALL (1u << 11)
#define CPUID_EXT2_NX (1u << 20)
#define CPUID_EXT2_MMXEXT (1u << 22) /* AMD: the SSE integer ops on MMX registers */
#define CPUID_EXT2_PDPE1GB (1u << 26)
#define CPUID_EXT2_RDTSCP (1u << 27)
#define CPUID_EXT2_LM (1u << 29)
#define CPUID_EXT3_LAHF_LM (1u << 0)
#define CPUID_EXT3_ABM (1u << 5) /* LZCNT */

extern const CPUClass x86_cpu_class;
extern const char *const x86_cpu_models[];

/* cpu.c */
uint32_t cpu_compute_eflags(CPUX86State *env);
/* write EFLAGS: arithmetic bits become CC_OP_EFLAGS; mask says which others may change */
void cpu_load_eflags(CPUX86State *env, uint32_t eflags, uint32_t update_mask);
void x86_update_hflags(CPUX86State *env);
void x86_cpu_load_seg_cache(CPUX86State *env, int seg, uint32_t selector, uint64_t base,
                            uint32_t limit, uint32_t flags);
void x86_cpu_dump_state(CPUState *cs, FILE *f);
void x86_cpuid(CPUX86State *env, uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
               uint32_t *c, uint32_t *d);
uint64_t x86_host_tsc(void);

/* cc_helper.c */
uint32_t x86_compute_eflags(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2);
uint32_t x86_compute_cf(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2);

/* translate.c */
void x86_translate_init(CPUState *cs);
void x86_translate(CPUState *cs, TranslationBlock *tb, int max_insns);
void x86_restore_state(CPUState *cs, const TranslationBlock *tb, const uint64_t *data);

/* excp_helper.c / seg_helper.c */
_Noreturn void raise_exception(CPUX86State *env, int vector);
_Noreturn void raise_exception_err(CPUX86State *env, int vector, int error_code);
_Noreturn void raise_exception_ra(CPUX86State *env, int vector, uintptr_t ra);
_Noreturn void raise_exception_err_ra(CPUX86State *env, int vector, int error_code,
                                      uintptr_t ra);
void x86_cpu_do_interrupt(CPUState *cs);
/* the bytes [off, off + n - 1] lie within the segment's limit (expand-down aware) */
bool x86_seg_limit_ok(const SegmentCache *sc, uint64_t off, unsigned n);
bool x86_cpu_exec_interrupt(CPUState *cs, uint32_t interrupt_request);
void x86_do_interrupt_all(CPUX86State *env, int intno, bool is_int, int error_code,
                          uint64_t next_eip, bool is_hw);

/* mmu.c */
bool x86_cpu_tlb_fill(CPUState *cs, uint64_t vaddr, int size, MMUAccessType access,
                      int mmu_idx, bool probe, uintptr_t ra);
/* Translate for a debugger/loader: physical address or -1. */
uint64_t x86_cpu_get_phys_page_debug(CPUState *cs, uint64_t vaddr);

/* fpu_helper.c */
void x86_fpu_reset(CPUX86State *env);
uint16_t x86_fpu_fcw(const CPUX86State *env);
uint16_t x86_fpu_fsw(const CPUX86State *env);

/* misc_helper.c */
bool x86_rdmsr(CPUX86State *env, uint32_t msr, uint64_t *val);
bool x86_wrmsr(CPUX86State *env, uint32_t msr, uint64_t val);

static inline int x86_cpl(const CPUX86State *env)
{
    return (int)(env->hflags & HF_CPL_MASK);
}

static inline int x86_mmu_idx(const CPUX86State *env)
{
    return x86_cpl(env) == 3 ? 1 : 0;
}

#endif
