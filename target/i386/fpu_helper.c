/*
 * fpu_helper.c — x87 instructions, executed by the host's own x87 unit.
 *
 * The host is x86-64, so a guest x87 instruction runs as the same host
 * instruction on the guest state: the state lives in env->fsave as an
 * FNSAVE image; a tiny per-thread stub
 *
 *     push %rdx; popfq            guest CF/PF/ZF (FCMOVcc reads them)
 *     frstor (%rdi)               guest state in
 *     <escape> <ModRM'>           the instruction; a memory operand is
 *                                 rewritten to (%rsi), a scratch copy
 *     pushfq; pop %rax            FCOMI & co. write CF/PF/ZF
 *     fnsave (%rdi)               guest state out (and the host FPU reset)
 *     ret
 *
 * is written and called. Results are bit-exact, transcendental functions
 * included. Memory operands are copied in before (reads) and out after
 * (writes, probed first so a fault leaves the FPU untouched).
 *
 * Exceptions: the host never takes an x87 trap: an unmasked exception only
 * sets FSW.ES, and FNSAVE does not wait. The NEXT waiting guest x87
 * instruction (or FWAIT) sees ES and raises #MF (CR0.NE) before the host
 * could. Encodings the SDM leaves undefined are #UD here (not the aliases
 * some parts execute). The instruction/data pointers in the image are the
 * host's, not the guest's (FNSTENV/FNSAVE report them: a documented
 * difference). 16-bit FLDENV/FNSTENV/FRSTOR/FNSAVE layouts are not modelled
 * (the 32-bit layout is used).
 *
 * FXSAVE/FXRSTOR convert between the FNSAVE image and the FXSAVE area with
 * the host's FXSAVE/FXRSTOR too.
 */
#include <string.h>
#include <sys/mman.h>

#include "exec/cputlb.h"
#include "target/i386/cpu.h"

#define HELPER_H "target/i386/helper.h"
#include "exec/helper-proto.h"

/* FNINIT state */
void x86_fpu_reset(CPUX86State *env)
{
    memset(env->fsave, 0, sizeof(env->fsave));
    env->fsave[0] = 0x7f; /* FCW 0x037f */
    env->fsave[1] = 0x03;
    env->fsave[8] = 0xff; /* FTW: all empty */
    env->fsave[9] = 0xff;
}

uint16_t x86_fpu_fcw(const CPUX86State *env)
{
    return (uint16_t)(env->fsave[0] | (env->fsave[1] << 8));
}

uint16_t x86_fpu_fsw(const CPUX86State *env)
{
    return (uint16_t)(env->fsave[4] | (env->fsave[5] << 8));
}

/* memory operand of escape byte (0..7) and ModRM.reg: size and direction */
enum { MEM_NONE = 0, MEM_R = 1, MEM_W = 2 };
typedef struct X87Mem {
    uint8_t size, dir;
} X87Mem;

static X87Mem x87_mem(int esc, int reg)
{
    static const X87Mem d9[8] = {{4, MEM_R}, {0, 0}, {4, MEM_W}, {4, MEM_W},
                                 {28, MEM_R}, {2, MEM_R}, {28, MEM_W}, {2, MEM_W}};
    static const X87Mem db[8] = {{4, MEM_R}, {4, MEM_W}, {4, MEM_W}, {4, MEM_W},
                                 {0, 0}, {10, MEM_R}, {0, 0}, {10, MEM_W}};
    static const X87Mem dd[8] = {{8, MEM_R}, {8, MEM_W}, {8, MEM_W}, {8, MEM_W},
                                 {108, MEM_R}, {0, 0}, {108, MEM_W}, {2, MEM_W}};
    static const X87Mem df[8] = {{2, MEM_R}, {2, MEM_W}, {2, MEM_W}, {2, MEM_W},
                                 {10, MEM_R}, {8, MEM_R}, {10, MEM_W}, {8, MEM_W}};
    switch (esc) {
    case 0: return (X87Mem){4, MEM_R};  /* D8: m32fp arithmetic */
    case 1: return d9[reg];
    case 2: return (X87Mem){4, MEM_R};  /* DA: m32int arithmetic */
    case 3: return db[reg];
    case 4: return (X87Mem){8, MEM_R};  /* DC: m64fp arithmetic */
    case 5: return dd[reg];
    case 6: return (X87Mem){2, MEM_R};  /* DE: m16int arithmetic */
    default: return df[reg];
    }
}

/* register forms the SDM defines (undocumented aliases are #UD here) */
static bool x87_reg_valid(int esc, int modrm)
{
    switch (esc) {
    case 0: case 4: /* D8, DC: all arithmetic forms (DC D0-DF are aliases) */
        return esc == 0 || modrm < 0xd0 || modrm >= 0xe0;
    case 1:
        return modrm < 0xd1 || modrm == 0xe0 || modrm == 0xe1 || modrm == 0xe4 ||
               modrm == 0xe5 || (modrm >= 0xe8 && modrm <= 0xee) || modrm >= 0xf0;
    case 2:
        return modrm < 0xe0 || modrm == 0xe9;
    case 3:
        return modrm < 0xe0 || modrm == 0xe2 || modrm == 0xe3 || (modrm >= 0xe8 && modrm < 0xf8);
    case 5:
        return modrm < 0xc8 || (modrm >= 0xd0 && modrm < 0xf0);
    case 6:
        return modrm < 0xd0 || modrm == 0xd9 || modrm >= 0xe0;
    default:
        return modrm == 0xe0 || (modrm >= 0xe8 && modrm < 0xf8);
    }
}

/* instructions that do not check for pending exceptions (the FN* forms) */
static bool x87_no_wait(int esc, int modrm)
{
    int reg = (modrm >> 3) & 7;
    if (modrm >= 0xc0) {
        return (esc == 3 && (modrm == 0xe2 || modrm == 0xe3)) || (esc == 7 && modrm == 0xe0);
    }
    return (esc == 1 && (reg == 6 || reg == 7)) || (esc == 5 && (reg == 6 || reg == 7));
}

typedef uint64_t X87Stub(void *image, void *mem, uint64_t flags);

static __thread uint8_t *stub_page;

static X87Stub *x87_stub(int esc, int modrm)
{
    if (!stub_page) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            return NULL;
        }
        stub_page = p;
    }
    uint8_t *c = stub_page;
    int n = 0;
    c[n++] = 0x52;                  /* push %rdx */
    c[n++] = 0x9d;                  /* popfq */
    c[n++] = 0xdd; c[n++] = 0x27;   /* frstor (%rdi) */
    c[n++] = (uint8_t)(0xd8 + esc);
    c[n++] = (uint8_t)(modrm >= 0xc0 ? modrm : ((modrm & 0x38) | 0x06)); /* (%rsi) */
    c[n++] = 0x9c;                  /* pushfq */
    c[n++] = 0x58;                  /* pop %rax */
    c[n++] = 0xdd; c[n++] = 0x37;   /* fnsave (%rdi) */
    c[n++] = 0xc3;                  /* ret */
    return (X87Stub *)(void *)c;
}

static void x87_check_pending(CPUX86State *env, uintptr_t ra)
{
    uint16_t fsw = x86_fpu_fsw(env);
    if (fsw & 0x80) { /* ES: an unmasked exception is pending */
        raise_exception_ra(env, EXCP10_MF, ra);
    }
}

void helper_fwait(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    if ((env->cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
        raise_exception_ra(env, EXCP07_NM, GETPC());
    }
    x87_check_pending(env, GETPC());
}

void helper_x87(CPUState *cs, uint32_t insn, uint64_t addr)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    int esc = insn & 7, modrm = (insn >> 8) & 0xff, reg = (modrm >> 3) & 7;
    int mmu = x86_mmu_idx(env);
    uint8_t mem[128] __attribute__((aligned(16)));
    X87Mem m = {0, 0};

    if (modrm >= 0xc0) {
        if (!x87_reg_valid(esc, modrm)) {
            raise_exception_ra(env, EXCP06_UD, ra);
        }
    } else {
        m = x87_mem(esc, reg);
        if (!m.size) {
            raise_exception_ra(env, EXCP06_UD, ra);
        }
    }
    if (!x87_no_wait(esc, modrm)) {
        x87_check_pending(env, ra);
    }
    memset(mem, 0, sizeof(mem));
    if (m.dir == MEM_R) {
        for (int i = 0; i < m.size; i++) {
            mem[i] = (uint8_t)cpu_ld_mmu(cs, addr + (uint64_t)i, make_memop_idx(MO_8, (unsigned)mmu), ra);
        }
    } else if (m.dir == MEM_W) {
        /* fault before any effect: probe both ends */
        probe_access(cs, addr, 1, MMU_DATA_STORE, mmu, false, ra);
        probe_access(cs, addr + m.size - 1, 1, MMU_DATA_STORE, mmu, false, ra);
    }
    X87Stub *stub = x87_stub(esc, modrm);
    if (!stub) {
        raise_exception_ra(env, EXCP06_UD, ra);
    }
    uint32_t f = x86_compute_eflags(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);
    uint64_t in_flags = 2 | (f & (CC_C | CC_P | CC_Z)); /* reserved bit 1 + FCMOV inputs */
    uint8_t image[108] __attribute__((aligned(16)));
    memcpy(image, env->fsave, sizeof(image));
    uint64_t out_flags = stub(image, mem, in_flags);
    memcpy(env->fsave, image, sizeof(image));

    if (m.dir == MEM_W) {
        for (int i = 0; i < m.size; i++) {
            cpu_st_mmu(cs, addr + (uint64_t)i, mem[i], make_memop_idx(MO_8, (unsigned)mmu), ra);
        }
    }
    if (modrm >= 0xc0 && ((esc == 3 && modrm >= 0xe8 && modrm < 0xf8) ||
                          (esc == 7 && modrm >= 0xe8 && modrm < 0xf8))) {
        /* FCOMI/FUCOMI(P): ZF PF CF from the comparison, OF SF AF cleared */
        env->cc_src = out_flags & (CC_Z | CC_P | CC_C);
        env->cc_op = CC_OP_EFLAGS;
    }
    if (esc == 7 && modrm == 0xe0) {
        /* FNSTSW AX */
        env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | x86_fpu_fsw(env);
    }
}

/*
 * FXSAVE/FXRSTOR (SDM Vol.2 FXSAVE, 64-bit layout): the x87 part converts
 * between the FNSAVE image and the FXSAVE area through the host's FRSTOR/
 * FXSAVE and FXRSTOR/FNSAVE; MXCSR and XMM0-15 come from env. 16-byte
 * aligned (#GP otherwise). desc bit 0: restore; bit 1: REX.W (64-bit
 * FIP/FDP format; the pointers are not modelled).
 */
void helper_fxsave(CPUState *cs, uint64_t addr, uint32_t desc)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    int mmu = x86_mmu_idx(env);
    MemOpIdx o64 = make_memop_idx(MO_64, (unsigned)mmu);
    uint8_t area[512] __attribute__((aligned(16)));
    uint8_t image[108] __attribute__((aligned(16)));
    uint32_t host_mxcsr;
    if (addr & 15) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
    int nxmm = (env->hflags & HF_CS64) ? 16 : 8;
    __asm__ volatile("stmxcsr %0" : "=m"(host_mxcsr));
    if (desc & 1) {
        for (int i = 0; i < 512; i += 8) {
            uint64_t v = cpu_ld_mmu(cs, addr + (uint64_t)i, o64, ra);
            memcpy(area + i, &v, 8);
        }
        uint32_t mx;
        memcpy(&mx, area + 24, 4);
        if (mx & 0xffff0000u) {
            raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
        }
        memcpy(area + 24, &host_mxcsr, 4); /* keep the host's MXCSR */
        __asm__ volatile("fxrstor %1\n\tfnsave %0"
                         : "=m"(image)
                         : "m"(area)
                         : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
                           "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
                           "xmm13", "xmm14", "xmm15");
        __asm__ volatile("ldmxcsr %0" : : "m"(host_mxcsr));
        memcpy(env->fsave, image, sizeof(image));
        env->mxcsr = mx;
        for (int i = 0; i < nxmm; i++) {
            memcpy(&env->xmm[i], area + 160 + 16 * i, 16);
        }
        return;
    }
    probe_access(cs, addr, 256, MMU_DATA_STORE, mmu, false, ra);
    probe_access(cs, addr + 256, 256, MMU_DATA_STORE, mmu, false, ra);
    memcpy(image, env->fsave, sizeof(image));
    memset(area, 0, sizeof(area));
    __asm__ volatile("frstor %1\n\tfxsave %0\n\tfninit"
                     : "=m"(area)
                     : "m"(image)
                     : "memory");
    memcpy(area + 24, &env->mxcsr, 4);
    uint32_t mxmask = 0xffff;
    memcpy(area + 28, &mxmask, 4);
    memset(area + 8, 0, 16); /* FIP/FDP: not modelled */
    for (int i = 0; i < nxmm; i++) {
        memcpy(area + 160 + 16 * i, &env->xmm[i], 16);
    }
    for (int i = 0; i < (nxmm == 16 ? 416 : 288); i += 8) {
        uint64_t v;
        memcpy(&v, area + i, 8);
        cpu_st_mmu(cs, addr + (uint64_t)i, v, o64, ra);
    }
}
