/*
 * seg_helper.c — exceptions, interrupt delivery, and the segment machinery
 * a kernel needs: IDT delivery in real, protected and long mode (SDM Vol.3
 * §6.12 / §6.14), IRET, far RET, segment-register loads with their
 * descriptor checks (§5.4-5.8), LGDT/LIDT/LLDT/LTR, SYSCALL/SYSRET.
 *
 * Raising: raise_exception*() record the vector and error code, then leave
 * generated code (restoring rip from `ra` when given); x86_cpu_do_interrupt()
 * later performs the delivery on the core's loop. Software interrupts
 * (INT n, INT3, INTO) record the address of the next instruction as the
 * return address; faults return to the faulting instruction.
 *
 * Hardware task switches (32-bit TSS) through JMP/CALL, task gates and IRET
 * with NT; segment-limit checks (HF_SEGLIM); virtual-8086 mode (entered by
 * IRET, left by interrupts to a CPL-0 handler; IOPL-sensitive instructions
 * in translate.c); the TSS I/O permission bitmap. Not yet: 16-bit TSSs,
 * CR4.VME.
 */
#include <string.h>

#include "target/i386/cpu.h"

#include "exec/cputlb.h"
#include "target/i386/decode.h"
#include "target/i386/reemu-x86.h"
#include "util/log.h"

#define HELPER_H "target/i386/helper.h"
#include "exec/helper-proto.h"

/* ---------------------------------------------------------------- raising */

static bool excp_has_error_code(int vec)
{
    return vec == EXCP08_DF || (vec >= EXCP0A_TS && vec <= EXCP0E_PF) || vec == EXCP11_AC;
}

_Noreturn void raise_exception_err_ra(CPUX86State *env, int vec, int err, uintptr_t ra)
{
    CPUState *cs = env_cpu(env);
    cs->exception_index = vec;
    env->error_code = err;
    env->has_error_code = excp_has_error_code(vec);
    env->exception_is_int = false;
    env->exception_next_eip = 0;
    cpu_loop_exit_restore(cs, ra);
}

_Noreturn void raise_exception_ra(CPUX86State *env, int vec, uintptr_t ra)
{
    raise_exception_err_ra(env, vec, 0, ra);
}

_Noreturn void raise_exception(CPUX86State *env, int vec)
{
    raise_exception_err_ra(env, vec, 0, 0);
}

_Noreturn void raise_exception_err(CPUX86State *env, int vec, int err)
{
    raise_exception_err_ra(env, vec, err, 0);
}

void helper_raise_exception(CPUState *cs, uint32_t vec)
{
    raise_exception(cpu_env(cs), (int)vec);
}

void helper_raise_exception_err(CPUState *cs, uint32_t vec, uint32_t err)
{
    raise_exception_err(cpu_env(cs), (int)vec, (int)err);
}

/* INT n / INT3 / INTO / INT1: rip = the instruction; len = its length */
void helper_raise_interrupt(CPUState *cs, uint32_t intno, uint32_t len)
{
    CPUX86State *env = cpu_env(cs);
    if ((env->eflags & VM_MASK) && ((env->eflags & IOPL_MASK) >> IOPL_SHIFT) < 3 &&
        (intno & 0x100)) {
        raise_exception_err(env, EXCP0D_GP, 0); /* INT n is IOPL-sensitive in virtual-8086 */
    }
    intno &= 0xff;
    cs->exception_index = (int)intno;
    env->error_code = 0;
    env->has_error_code = false;
    env->exception_is_int = true;
    env->exception_next_eip = env->rip + len;
    cpu_loop_exit(cs);
}

void helper_hlt(CPUState *cs, uint32_t len)
{
    CPUX86State *env = cpu_env(cs);
    env->rip += len;
    env->hflags &= ~HF_INHIBIT_IRQ;
    if (!__builtin_expect(reemu_mode == REEMU_REPLAY, 0)) {
        /* replay does not halt: the next boundary applies the logged
         * interrupt that woke the record's core (at the same icount) */
        __atomic_store_n(&cs->halted, 1, __ATOMIC_RELEASE);
    }
    cs->exception_index = EXCP_HLT;
    cpu_loop_exit(cs);
}

void helper_pause(CPUState *cs, uint32_t len)
{
    cpu_env(cs)->rip += len;
    cs->exception_index = EXCP_YIELD;
    cpu_loop_exit(cs);
}

void helper_syscall(CPUState *cs, uint32_t len)
{
    CPUX86State *env = cpu_env(cs);
    if (!(env->efer & EFER_SCE)) {
        raise_exception(env, EXCP06_UD);
    }
    cs->exception_index = EXCP_SYSCALL;
    env->exception_is_int = true;
    env->exception_next_eip = env->rip + len;
    cpu_loop_exit(cs);
}

/* EFLAGS.TF: a #DB trap after the instruction, rip already at the next one
 * (SDM Vol.3 §17.3.1.4); DR6.BS records the cause */
void helper_single_step(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    env->dr[6] |= 1u << 14;
    raise_exception(env, EXCP01_DB);
}

void helper_cli(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    int iopl = (env->eflags & IOPL_MASK) >> IOPL_SHIFT;
    if ((env->hflags & HF_PE) && x86_cpl(env) > iopl) {
        raise_exception_err(env, EXCP0D_GP, 0);
    }
    env->eflags &= ~IF_MASK;
    x86_update_hflags(env);
}

void helper_sti(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    int iopl = (env->eflags & IOPL_MASK) >> IOPL_SHIFT;
    if ((env->hflags & HF_PE) && x86_cpl(env) > iopl) {
        raise_exception_err(env, EXCP0D_GP, 0);
    }
    if (!(env->eflags & IF_MASK)) {
        env->hflags |= HF_INHIBIT_IRQ; /* STI shadow: one more instruction first */
    }
    env->eflags |= IF_MASK;
    x86_update_hflags(env);
}

/* -------------------------------------------------------- system memory */

/* implicit supervisor-mode accesses (descriptor tables, TSS, stacks on entry) */
static uint64_t sys_ld(CPUX86State *env, uint64_t addr, MemOp sz, uintptr_t ra)
{
    return cpu_ld_mmu(env_cpu(env), addr, make_memop_idx(sz, 0), ra);
}

static void sys_st(CPUX86State *env, uint64_t addr, uint64_t v, MemOp sz, uintptr_t ra)
{
    cpu_st_mmu(env_cpu(env), addr, v, make_memop_idx(sz, 0), ra);
}

/* read the 8-byte descriptor for selector; false if outside the table */
static bool load_descriptor(CPUX86State *env, uint32_t sel, uint32_t *lo, uint32_t *hi,
                            uintptr_t ra)
{
    SegmentCache *dt = (sel & 4) ? &env->ldt : &env->gdt;
    uint32_t index = sel & ~7u;
    if (index + 7 > dt->limit) {
        return false;
    }
    uint64_t d = sys_ld(env, dt->base + index, MO_64, ra);
    *lo = (uint32_t)d;
    *hi = (uint32_t)(d >> 32);
    return true;
}

static uint64_t desc_base(uint32_t lo, uint32_t hi)
{
    return (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
}

static uint32_t desc_limit(uint32_t lo, uint32_t hi)
{
    uint32_t limit = (lo & 0xffff) | (hi & 0x000f0000u);
    if (hi & DESC_G_MASK) {
        limit = (limit << 12) | 0xfff;
    }
    return limit;
}

static void set_desc_accessed(CPUX86State *env, uint32_t sel, uint32_t hi, uintptr_t ra)
{
    if (!(hi & DESC_A_MASK)) {
        SegmentCache *dt = (sel & 4) ? &env->ldt : &env->gdt;
        sys_st(env, dt->base + (sel & ~7u) + 4, hi | DESC_A_MASK, MO_32, ra);
    }
}

/* ------------------------------------------------------ segment loading */

static void load_seg_real(CPUX86State *env, int seg, uint32_t sel)
{
    SegmentCache *sc = &env->segs[seg];
    uint32_t flags = sc->flags;
    if (env->eflags & VM_MASK) {
        /* virtual-8086 (SDM Vol.3 §20.1.1): 64 KiB 16-bit segments at CPL 3 */
        flags = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK | (3u << DESC_DPL_SHIFT) |
                (seg == R_CS ? DESC_CS_MASK : 0);
    } else if (!(env->hflags & HF_PE)) {
        flags = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK |
                (seg == R_CS ? DESC_CS_MASK : 0) | (flags & DESC_B_MASK);
    }
    x86_cpu_load_seg_cache(env, seg, sel & 0xffff, (uint64_t)(sel & 0xffff) << 4, 0xffff,
                           flags);
}

/* MOV/POP to a data segment register or SS (SDM MOV "Operation") */
static void load_seg(CPUX86State *env, int seg, uint32_t sel, uintptr_t ra)
{
    sel &= 0xffff;
    if (!(env->hflags & HF_PE) || (env->eflags & VM_MASK)) {
        load_seg_real(env, seg, sel);
        return;
    }
    int cpl = x86_cpl(env);
    if ((sel & ~3u) == 0) {
        /* null selector: fine for DS/ES/FS/GS; SS only in 64-bit mode at CPL < 3 */
        if (seg == R_SS && (!(env->hflags & HF_CS64) || cpl == 3 || (int)(sel & 3) != cpl)) {
            raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
        }
        uint64_t keep_base = (seg == R_FS || seg == R_GS) && (env->hflags & HF_LMA)
                                 ? env->segs[seg].base : 0;
        x86_cpu_load_seg_cache(env, seg, sel, keep_base, 0,
                               seg == R_SS ? ((uint32_t)cpl << DESC_DPL_SHIFT) |
                                                 DESC_W_MASK | DESC_S_MASK | DESC_P_MASK
                                           : 0);
        return;
    }
    uint32_t lo, hi;
    if (!load_descriptor(env, sel, &lo, &hi, ra)) {
        raise_exception_err_ra(env, EXCP0D_GP, (int)(sel & 0xfffc), ra);
    }
    int dpl = (hi >> DESC_DPL_SHIFT) & 3, rpl = sel & 3;
    if (!(hi & DESC_S_MASK)) {
        raise_exception_err_ra(env, EXCP0D_GP, (int)(sel & 0xfffc), ra);
    }
    if (seg == R_SS) {
        /* writable data, RPL == DPL == CPL */
        if ((hi & DESC_CS_MASK) || !(hi & DESC_W_MASK) || rpl != cpl || dpl != cpl) {
            raise_exception_err_ra(env, EXCP0D_GP, (int)(sel & 0xfffc), ra);
        }
        if (!(hi & DESC_P_MASK)) {
            raise_exception_err_ra(env, EXCP0C_SS, (int)(sel & 0xfffc), ra);
        }
    } else {
        /* data or readable code; non-conforming: max(CPL, RPL) <= DPL */
        if ((hi & (DESC_CS_MASK | DESC_W_MASK)) == DESC_CS_MASK) {
            raise_exception_err_ra(env, EXCP0D_GP, (int)(sel & 0xfffc), ra);
        }
        bool conforming = (hi & DESC_CS_MASK) && (hi & (1u << 10));
        if (!conforming && (dpl < cpl || dpl < rpl)) {
            raise_exception_err_ra(env, EXCP0D_GP, (int)(sel & 0xfffc), ra);
        }
        if (!(hi & DESC_P_MASK)) {
            raise_exception_err_ra(env, EXCP0B_NP, (int)(sel & 0xfffc), ra);
        }
    }
    set_desc_accessed(env, sel, hi, ra);
    x86_cpu_load_seg_cache(env, seg, sel, desc_base(lo, hi), desc_limit(lo, hi),
                           (hi & 0x00f0ff00u) | DESC_A_MASK);
}

void helper_load_seg(CPUState *cs, uint32_t seg, uint32_t sel)
{
    CPUX86State *env = cpu_env(cs);
    load_seg(env, (int)seg, sel, GETPC());
    if (seg == R_SS) {
        env->hflags |= HF_INHIBIT_IRQ; /* MOV SS / POP SS shadow (SDM MOV) */
    }
}

/* load CS from a descriptor already checked by the caller */
static void load_cs(CPUX86State *env, uint32_t sel, uint32_t lo, uint32_t hi, int cpl)
{
    x86_cpu_load_seg_cache(env, R_CS, (sel & ~3u) | (uint32_t)cpl, desc_base(lo, hi),
                           desc_limit(lo, hi), (hi & 0x00f0ff00u) | DESC_A_MASK);
    env->hflags = (env->hflags & ~HF_CPL_MASK) | (uint32_t)cpl;
    x86_update_hflags(env);
}

static void fetch_code_desc(CPUX86State *env, uint32_t sel, uint32_t *lo, uint32_t *hi,
                            uintptr_t ra)
{
    if ((sel & ~3u) == 0 || !load_descriptor(env, sel, lo, hi, ra)) {
        raise_exception_err_ra(env, EXCP0D_GP, (int)(sel & 0xfffc), ra);
    }
    if (!(*hi & DESC_S_MASK) || !(*hi & DESC_CS_MASK)) {
        raise_exception_err_ra(env, EXCP0D_GP, (int)(sel & 0xfffc), ra);
    }
    if (!(*hi & DESC_P_MASK)) {
        raise_exception_err_ra(env, EXCP0B_NP, (int)(sel & 0xfffc), ra);
    }
}

/*
 * LAR / LSL / VERR / VERW (SDM): ZF = 1 if the selector names a descriptor
 * of an accepted type that is visible at max(CPL, RPL); LAR returns the
 * access rights (descriptor bits 8..23), LSL the byte-granular limit. No
 * fault for bad selectors: ZF = 0. (The vDSO's getcpu reads its CPU number
 * with LSL when RDPID/RDTSCP are absent.)
 */
uint64_t helper_lar_lsl(CPUState *cs, uint32_t op, uint32_t sel)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    uint32_t f = cpu_compute_eflags(env) & CC_OSZAPC & ~CC_Z;
    uint64_t result = 0;
    uint32_t lo, hi;
    sel &= 0xffff;
    bool ok = (sel & ~3u) != 0 && load_descriptor(env, sel, &lo, &hi, ra);
    if (ok) {
        int type = (hi >> 8) & 0xf, dpl = (hi >> DESC_DPL_SHIFT) & 3;
        int cpl = x86_cpl(env), rpl = sel & 3;
        bool code = (hi & DESC_S_MASK) && (hi & DESC_CS_MASK);
        bool conforming = code && (type & 4);
        if (!(hi & DESC_S_MASK)) {
            bool lma = env->hflags & HF_LMA;
            switch (type) {
            case 2: case 9: case 11: ok = true; break;           /* LDT, TSS */
            case 1: case 3: ok = !lma; break;                    /* 16-bit TSS */
            case 4: case 5: ok = op == MN_LAR && !lma; break;    /* gates (LAR) */
            case 12: ok = op == MN_LAR; break;                   /* call gate */
            default: ok = false; break;
            }
            if (op == MN_VERR || op == MN_VERW) {
                ok = false;
            }
        } else if (op == MN_VERR) {
            ok = !code || (type & 2); /* readable */
        } else if (op == MN_VERW) {
            ok = !code && (type & 2); /* writable data */
        }
        if (ok && !conforming && (dpl < cpl || dpl < rpl)) {
            ok = false;
        }
        if (ok) {
            result = op == MN_LSL ? desc_limit(lo, hi) : (hi & 0x00f0ff00u);
        }
    }
    env->cc_src = f | (ok ? CC_Z : 0);
    env->cc_op = CC_OP_EFLAGS;
    return result;
}

/* ARPL (SDM ARPL): raise the destination selector's RPL to the source's; ZF says it did */
uint64_t helper_arpl(CPUState *cs, uint64_t dst, uint64_t src)
{
    CPUX86State *env = cpu_env(cs);
    uint32_t f = cpu_compute_eflags(env) & CC_OSZAPC & ~CC_Z;
    if ((dst & 3) < (src & 3)) {
        dst = (dst & ~3ull) | (src & 3);
        f |= CC_Z;
    }
    env->cc_src = f;
    env->cc_op = CC_OP_EFLAGS;
    return dst & 0xffff;
}

void helper_lgdt_lidt(CPUState *cs, uint64_t addr, uint32_t desc)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    uint32_t limit = (uint32_t)sys_ld(env, addr, MO_16, ra);
    uint64_t base;
    if (env->hflags & HF_CS64) {
        base = sys_ld(env, addr + 2, MO_64, ra);
    } else {
        base = sys_ld(env, addr + 2, MO_32, ra);
        if (((desc >> 4) & 3) == MO_16) {
            base &= 0xffffff;
        }
    }
    SegmentCache *dt = (desc & 1) ? &env->idt : &env->gdt;
    dt->base = base;
    dt->limit = limit;
}

void helper_sgdt_sidt(CPUState *cs, uint64_t addr, uint32_t is_idt)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    SegmentCache *dt = is_idt ? &env->idt : &env->gdt;
    sys_st(env, addr, dt->limit, MO_16, ra);
    if (env->hflags & HF_CS64) {
        sys_st(env, addr + 2, dt->base, MO_64, ra);
    } else {
        sys_st(env, addr + 2, (uint32_t)dt->base, MO_32, ra);
    }
}

/* LLDT / LTR: system descriptors are 16 bytes in long mode (SDM §7.2.3) */
static void load_sys_desc(CPUX86State *env, SegmentCache *sc, uint32_t sel, int want_type,
                          uintptr_t ra)
{
    if ((sel & ~3u) == 0) {
        if (want_type == 2) {
            sc->selector = 0;
            sc->base = 0;
            sc->limit = 0;
            sc->flags = 0;
            return;
        }
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
    if (sel & 4) {
        raise_exception_err_ra(env, EXCP0D_GP, (int)(sel & 0xfffc), ra);
    }
    uint32_t lo, hi;
    if (!load_descriptor(env, sel, &lo, &hi, ra)) {
        raise_exception_err_ra(env, EXCP0D_GP, (int)(sel & 0xfffc), ra);
    }
    int type = (hi >> 8) & 0xf;
    if ((hi & DESC_S_MASK) || (want_type == 2 ? type != 2 : (type != 1 && type != 9))) {
        raise_exception_err_ra(env, EXCP0D_GP, (int)(sel & 0xfffc), ra);
    }
    if (!(hi & DESC_P_MASK)) {
        raise_exception_err_ra(env, EXCP0B_NP, (int)(sel & 0xfffc), ra);
    }
    uint64_t base = desc_base(lo, hi);
    if (env->hflags & HF_LMA) {
        uint32_t base_hi = (uint32_t)sys_ld(env, env->gdt.base + (sel & ~7u) + 8, MO_32, ra);
        base |= (uint64_t)base_hi << 32;
    }
    sc->selector = sel;
    sc->base = base;
    sc->limit = desc_limit(lo, hi);
    sc->flags = hi & 0x00f0ff00u;
    if (want_type != 2) {
        /* mark the TSS busy */
        sys_st(env, env->gdt.base + (sel & ~7u) + 4, hi | (2u << 8), MO_32, ra);
        sc->flags |= 2u << 8;
    }
}

void helper_lldt(CPUState *cs, uint32_t sel)
{
    CPUX86State *env = cpu_env(cs);
    load_sys_desc(env, &env->ldt, sel & 0xffff, 2, GETPC());
}

void helper_ltr(CPUState *cs, uint32_t sel)
{
    CPUX86State *env = cpu_env(cs);
    load_sys_desc(env, &env->tr, sel & 0xffff, 9, GETPC());
}

/*
 * Segment-limit check of a data access in legacy protected mode (SDM Vol.3
 * §5.3, generated code calls it only under HF_SEGLIM): the bytes [off,
 * off + n - 1] must lie within the limit, or for an expand-down data
 * segment above it and below 64 KiB or 4 GiB (B flag). #SS(0) for SS,
 * #GP(0) for the others.
 */
bool x86_seg_limit_ok(const SegmentCache *sc, uint64_t off, unsigned n)
{
    uint64_t last = off + n - 1;
    bool expand_down = (sc->flags & (DESC_S_MASK | DESC_CS_MASK | (1u << 10))) ==
                       (DESC_S_MASK | (1u << 10));
    if (expand_down) {
        uint64_t top = (sc->flags & DESC_B_MASK) ? 0xffffffffull : 0xffffull;
        return off > sc->limit && last <= top;
    }
    return last <= sc->limit;
}

void helper_check_seg_limit(CPUState *cs, uint64_t off, uint32_t desc)
{
    CPUX86State *env = cpu_env(cs);
    int seg = (int)(desc & 7);
    unsigned n = desc >> 4;
    if (!x86_seg_limit_ok(&env->segs[seg], off, n)) {
        raise_exception_err_ra(env, seg == R_SS ? EXCP0C_SS : EXCP0D_GP, 0, GETPC());
    }
}

/*
 * The TSS I/O permission bitmap (SDM Vol.1 §18.5.2): the TR must be a
 * 32/64-bit TSS; the bitmap starts at the 16-bit offset at TSS+0x66; the
 * two bytes holding the first port's bit must lie within the TSS limit, and
 * the bits of all `bytes` ports must be clear, else #GP(0).
 */
void helper_check_io(CPUState *cs, uint32_t port, uint32_t bytes)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    int type = (env->tr.flags >> 8) & 0xf;
    if ((type != 9 && type != 11) || env->tr.limit < 0x67) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
    uint32_t base = (uint32_t)sys_ld(env, env->tr.base + 0x66, MO_16, ra);
    uint32_t off = base + (port >> 3);
    if (off + 1 > env->tr.limit) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
    uint32_t bits = (uint32_t)sys_ld(env, env->tr.base + off, MO_16, ra);
    if ((bits >> (port & 7)) & ((1u << bytes) - 1)) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
}

/* ---------------------------------------------------- interrupt delivery */

static void push16(CPUX86State *env, uint64_t *sp, uint64_t ssbase, uint32_t spmask,
                   uint32_t v)
{
    *sp -= 2;
    sys_st(env, (ssbase + (*sp & spmask)) & 0xffffffffull, v, MO_16, 0);
}

static void push32(CPUX86State *env, uint64_t *sp, uint64_t ssbase, uint32_t spmask,
                   uint32_t v)
{
    *sp -= 4;
    sys_st(env, (ssbase + (*sp & spmask)) & 0xffffffffull, v, MO_32, 0);
}

static void do_interrupt_real(CPUX86State *env, int intno, bool is_int, uint64_t next_eip)
{
    uint32_t off = (uint32_t)intno * 4;
    if (off + 3 > env->idt.limit) {
        raise_exception_err(env, EXCP0D_GP, intno * 8 + 2);
    }
    uint32_t ip = (uint32_t)sys_ld(env, env->idt.base + off, MO_16, 0);
    uint32_t cs = (uint32_t)sys_ld(env, env->idt.base + off + 2, MO_16, 0);
    uint64_t sp = env->regs[R_ESP];
    uint64_t ssb = env->segs[R_SS].base;
    uint32_t ret = (uint32_t)(is_int ? next_eip : env->rip);
    push16(env, &sp, ssb, 0xffff, cpu_compute_eflags(env));
    push16(env, &sp, ssb, 0xffff, env->segs[R_CS].selector);
    push16(env, &sp, ssb, 0xffff, ret);
    env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | (sp & 0xffff);
    env->rip = ip;
    load_seg_real(env, R_CS, cs);
    env->eflags &= ~(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
    x86_update_hflags(env);
}

/* stack pointer for privilege level dpl from the TSS (32-bit or 64-bit) */
static void tss_stack(CPUX86State *env, int dpl, int ist, uint64_t *sp, uint32_t *ss)
{
    if (env->hflags & HF_LMA) {
        uint32_t off = ist ? 0x24 + 8 * (uint32_t)(ist - 1) : 4 + 8 * (uint32_t)dpl;
        if (off + 7 > env->tr.limit) {
            raise_exception_err(env, EXCP0A_TS, (int)(env->tr.selector & 0xfffc));
        }
        *sp = sys_ld(env, env->tr.base + off, MO_64, 0);
        *ss = 0;
        return;
    }
    uint32_t off = 4 + 8 * (uint32_t)dpl;
    if (off + 5 > env->tr.limit) {
        raise_exception_err(env, EXCP0A_TS, (int)(env->tr.selector & 0xfffc));
    }
    *sp = sys_ld(env, env->tr.base + off, MO_32, 0);
    *ss = (uint32_t)sys_ld(env, env->tr.base + off + 4, MO_16, 0);
}

/* --------------------------------------------------------- task switches */

enum { TS_JMP, TS_CALL, TS_IRET }; /* interrupts and exceptions through a task gate: CALL */

static void tss_set_busy(CPUX86State *env, uint32_t sel, bool busy, uintptr_t ra)
{
    uint64_t a = env->gdt.base + (sel & ~7u) + 4;
    uint32_t hi = (uint32_t)sys_ld(env, a, MO_32, ra);
    hi = busy ? (hi | (2u << 8)) : (hi & ~(2u << 8));
    sys_st(env, a, hi, MO_32, ra);
}

/* a segment register of the incoming task (SDM Vol.3 §7.3 step 12): #TS(selector) for
 * a bad one, #NP (#SS for SS) if not present */
static void task_load_seg(CPUX86State *env, int seg, uint32_t sel, int cpl, uintptr_t ra)
{
    int err = (int)(sel & 0xfffc);
    if ((sel & ~3u) == 0) {
        if (seg == R_CS || seg == R_SS) {
            raise_exception_err_ra(env, EXCP0A_TS, err, ra);
        }
        x86_cpu_load_seg_cache(env, seg, sel, 0, 0, 0);
        return;
    }
    uint32_t lo, hi;
    if (!load_descriptor(env, sel, &lo, &hi, ra) || !(hi & DESC_S_MASK)) {
        raise_exception_err_ra(env, EXCP0A_TS, err, ra);
    }
    int dpl = (hi >> DESC_DPL_SHIFT) & 3, rpl = sel & 3;
    bool code = hi & DESC_CS_MASK, conforming = code && (hi & (1u << 10));
    bool bad;
    if (seg == R_CS) {
        bad = !code || (conforming ? dpl > rpl : dpl != rpl);
    } else if (seg == R_SS) {
        bad = code || !(hi & DESC_W_MASK) || dpl != cpl || rpl != cpl;
    } else {
        bad = (code && !(hi & DESC_W_MASK)) || (!conforming && (dpl < cpl || dpl < rpl));
    }
    if (bad) {
        raise_exception_err_ra(env, EXCP0A_TS, err, ra);
    }
    if (!(hi & DESC_P_MASK)) {
        raise_exception_err_ra(env, seg == R_SS ? EXCP0C_SS : EXCP0B_NP, err, ra);
    }
    set_desc_accessed(env, sel, hi, ra);
    x86_cpu_load_seg_cache(env, seg, sel, desc_base(lo, hi), desc_limit(lo, hi),
                           (hi & 0x00f0ff00u) | DESC_A_MASK);
}

/*
 * Hardware task switch to the 32-bit TSS named by sel (SDM Vol.3 §7.3,
 * legacy protected mode only): JMP/CALL to a TSS descriptor or a task gate,
 * INT n / exceptions / interrupts through a task gate (as CALL), IRET with
 * NT set (to the back link). The new TSS must be present (#NP), at least
 * 0x68 bytes (#TS), not busy (busy for IRET: #TS). The outgoing task's
 * EIP (next_eip), EFLAGS (NT cleared by IRET), general registers and
 * segment selectors go to its TSS, which stops being busy after JMP/IRET;
 * CALL writes the back link and sets NT in the new task. TR is loaded, the
 * new TSS marked busy, CR0.TS set, then CR3 (with paging), EFLAGS, EIP,
 * registers, LDTR and the segments, whose faults are taken in the new
 * task. An exception's error code is pushed on the new task's stack.
 * 16-bit TSSs are #GP (not implemented).
 */
static void task_switch(CPUX86State *env, uint32_t sel, int source, uint64_t next_eip,
                        bool push_err, int err_code, uintptr_t ra)
{
    int err = (int)(sel & 0xfffc);
    uint32_t lo, hi;
    if ((sel & 4) || (sel & ~3u) == 0 || !load_descriptor(env, sel, &lo, &hi, ra) ||
        (hi & DESC_S_MASK)) {
        raise_exception_err_ra(env, source == TS_IRET ? EXCP0A_TS : EXCP0D_GP, err, ra);
    }
    int type = (hi >> 8) & 0xf;
    bool busy = type == 11;
    if ((type != 9 && type != 11) || (source == TS_IRET) != busy) {
        raise_exception_err_ra(env, source == TS_IRET ? EXCP0A_TS : EXCP0D_GP, err, ra);
    }
    if (!(hi & DESC_P_MASK)) {
        raise_exception_err_ra(env, EXCP0B_NP, err, ra);
    }
    uint32_t limit = desc_limit(lo, hi);
    if (limit < 0x67 || env->tr.limit < 0x67) {
        raise_exception_err_ra(env, EXCP0A_TS, limit < 0x67 ? err : (int)(env->tr.selector & 0xfffc),
                               ra);
    }
    uint64_t nb = desc_base(lo, hi), ob = env->tr.base;
    /* the incoming state first: a fault here leaves the outgoing task untouched */
    uint32_t n_cr3 = (uint32_t)sys_ld(env, nb + 0x1c, MO_32, ra);
    uint32_t n_eip = (uint32_t)sys_ld(env, nb + 0x20, MO_32, ra);
    uint32_t n_efl = (uint32_t)sys_ld(env, nb + 0x24, MO_32, ra);
    uint32_t n_regs[8], n_segs[6];
    for (int i = 0; i < 8; i++) {
        n_regs[i] = (uint32_t)sys_ld(env, nb + 0x28 + 4 * (uint64_t)i, MO_32, ra);
    }
    for (int i = 0; i < 6; i++) {
        n_segs[i] = (uint32_t)sys_ld(env, nb + 0x48 + 4 * (uint64_t)i, MO_16, ra);
    }
    uint32_t n_ldt = (uint32_t)sys_ld(env, nb + 0x60, MO_16, ra);

    /* the outgoing task */
    uint32_t eflags = cpu_compute_eflags(env);
    if (source != TS_CALL) {
        tss_set_busy(env, env->tr.selector, false, ra);
    }
    if (source == TS_IRET) {
        eflags &= ~NT_MASK;
    }
    sys_st(env, ob + 0x20, (uint32_t)next_eip, MO_32, ra);
    sys_st(env, ob + 0x24, eflags, MO_32, ra);
    for (int i = 0; i < 8; i++) {
        sys_st(env, ob + 0x28 + 4 * (uint64_t)i, (uint32_t)env->regs[i], MO_32, ra);
    }
    for (int i = 0; i < 6; i++) {
        sys_st(env, ob + 0x48 + 4 * (uint64_t)i, env->segs[i].selector, MO_16, ra);
    }

    /* the incoming task */
    if (source == TS_CALL) {
        sys_st(env, nb, env->tr.selector, MO_16, ra);
        n_efl |= NT_MASK;
    }
    if (source != TS_IRET) {
        tss_set_busy(env, sel, true, ra);
    }
    env->tr.selector = sel;
    env->tr.base = nb;
    env->tr.limit = limit;
    env->tr.flags = (hi & 0x00f0ff00u) | (2u << 8);
    env->cr[0] |= CR0_TS;
    if (env->cr[0] & CR0_PG) {
        env->cr[3] = n_cr3;
        tlb_flush(env_cpu(env));
    }
    cpu_load_eflags(env, (n_efl | 2u) & ~VM_MASK, ~0u); /* virtual-8086 tasks: not yet */
    env->rip = n_eip;
    for (int i = 0; i < 8; i++) {
        env->regs[i] = n_regs[i];
    }
    /* selectors first (a later fault reports them), then the descriptors */
    for (int i = 0; i < 6; i++) {
        env->segs[i].selector = n_segs[i];
    }
    env->ldt.selector = n_ldt;
    if ((n_ldt & ~3u) == 0) {
        env->ldt.base = 0;
        env->ldt.limit = 0;
        env->ldt.flags = 0;
    } else {
        uint32_t llo, lhi;
        if ((n_ldt & 4) || !load_descriptor(env, n_ldt & ~4u, &llo, &lhi, ra) ||
            (lhi & DESC_S_MASK) || ((lhi >> 8) & 0xf) != 2) {
            raise_exception_err_ra(env, EXCP0A_TS, (int)(n_ldt & 0xfffc), ra);
        }
        if (!(lhi & DESC_P_MASK)) {
            raise_exception_err_ra(env, EXCP0A_TS, (int)(n_ldt & 0xfffc), ra);
        }
        env->ldt.base = desc_base(llo, lhi);
        env->ldt.limit = desc_limit(llo, lhi);
        env->ldt.flags = lhi & 0x00f0ff00u;
    }
    int cpl = n_segs[R_CS] & 3;
    task_load_seg(env, R_CS, n_segs[R_CS], cpl, ra);
    env->hflags = (env->hflags & ~HF_CPL_MASK) | (uint32_t)cpl;
    x86_update_hflags(env);
    task_load_seg(env, R_SS, n_segs[R_SS], cpl, ra);
    static const int data_segs[4] = {R_DS, R_ES, R_FS, R_GS};
    for (int i = 0; i < 4; i++) {
        task_load_seg(env, data_segs[i], n_segs[data_segs[i]], cpl, ra);
    }
    if (push_err) {
        uint64_t sp = env->regs[R_ESP];
        uint32_t spmask = (env->hflags & HF_SS32) ? 0xffffffffu : 0xffffu;
        push32(env, &sp, env->segs[R_SS].base, spmask, (uint32_t)err_code);
        env->regs[R_ESP] = spmask == 0xffff ? (env->regs[R_ESP] & ~0xffffull) | (sp & 0xffff)
                                            : (uint32_t)sp;
    }
    x86_update_hflags(env);
}

/*
 * The inner stack segment named by the TSS for new_cpl (SDM Vol.3 §6.12.1,
 * "Protection of Exception- and Interrupt-Handler Procedures", and CALL
 * through a call gate): a non-null selector inside its table with RPL = DPL
 * = new CPL naming a writable data segment, else #TS(selector); not present:
 * #SS(selector).
 */
static void load_tss_ss(CPUX86State *env, uint32_t ss, int new_cpl, uint32_t *slo,
                        uint32_t *shi, uintptr_t ra)
{
    if ((ss & ~3u) == 0 || !load_descriptor(env, ss, slo, shi, ra) || (int)(ss & 3) != new_cpl ||
        (int)((*shi >> DESC_DPL_SHIFT) & 3) != new_cpl || !(*shi & DESC_S_MASK) ||
        (*shi & DESC_CS_MASK) || !(*shi & DESC_W_MASK)) {
        raise_exception_err_ra(env, EXCP0A_TS, (int)(ss & 0xfffc), ra);
    }
    if (!(*shi & DESC_P_MASK)) {
        raise_exception_err_ra(env, EXCP0C_SS, (int)(ss & 0xfffc), ra);
    }
}

static void do_interrupt_prot(CPUX86State *env, int intno, bool is_int, int error_code,
                              uint64_t next_eip, bool is_hw)
{
    bool lma = env->hflags & HF_LMA;
    uint32_t gsize = lma ? 16 : 8;
    uint32_t off = (uint32_t)intno * gsize;
    int ext = is_hw || !is_int ? 1 : 0;
    bool has_err = !is_int && !is_hw && excp_has_error_code(intno);
    if (off + gsize - 1 > env->idt.limit) {
        raise_exception_err(env, EXCP0D_GP, intno * 8 + 2 + ext);
    }
    uint64_t g = sys_ld(env, env->idt.base + off, MO_64, 0);
    uint32_t glo = (uint32_t)g, ghi = (uint32_t)(g >> 32);
    int type = (ghi >> 8) & 0x1f, gdpl = (ghi >> DESC_DPL_SHIFT) & 3;
    uint64_t target = (glo & 0xffff) | (ghi & 0xffff0000u);
    if (lma) {
        target |= sys_ld(env, env->idt.base + off + 8, MO_32, 0) << 32;
    }
    if (!lma && type == 5) {
        /* task gate (SDM §6.12.2): DPL checked for INT n only; the TSS's DPL is not */
        if (is_int && gdpl < x86_cpl(env)) {
            raise_exception_err(env, EXCP0D_GP, intno * 8 + 2);
        }
        if (!(ghi & DESC_P_MASK)) {
            raise_exception_err(env, EXCP0B_NP, intno * 8 + 2 + ext);
        }
        task_switch(env, glo >> 16, TS_CALL, is_int ? next_eip : env->rip, has_err, error_code, 0);
        return;
    }
    /* 0xE/0xF: 32-/64-bit interrupt/trap gate; 6/7: 16-bit (legacy only) */
    bool is32 = (type & 8) != 0;
    if (lma ? (type != 0xe && type != 0xf) : (type != 0xe && type != 0xf && type != 6 && type != 7)) {
        raise_exception_err(env, EXCP0D_GP, intno * 8 + 2 + ext);
    }
    int cpl = x86_cpl(env);
    if (is_int && gdpl < cpl) {
        raise_exception_err(env, EXCP0D_GP, intno * 8 + 2);
    }
    if (!(ghi & DESC_P_MASK)) {
        raise_exception_err(env, EXCP0B_NP, intno * 8 + 2 + ext);
    }
    uint32_t csel = glo >> 16, lo, hi;
    fetch_code_desc(env, csel, &lo, &hi, 0);
    int dpl = (hi >> DESC_DPL_SHIFT) & 3;
    if (dpl > cpl) {
        raise_exception_err(env, EXCP0D_GP, (int)(csel & 0xfffc));
    }
    if (lma && (!(hi & DESC_L_MASK) || (hi & DESC_B_MASK))) {
        raise_exception_err(env, EXCP0D_GP, (int)(csel & 0xfffc));
    }
    bool conforming = hi & (1u << 10);
    int new_cpl = conforming ? cpl : dpl;
    uint32_t eflags = cpu_compute_eflags(env);
    bool from_vm86 = (env->eflags & VM_MASK) != 0;
    if (from_vm86 && (conforming || dpl != 0)) {
        /* out of virtual-8086 mode only to a CPL-0 handler (SDM §20.3.1.1) */
        raise_exception_err(env, EXCP0D_GP, (int)(csel & 0xfffc));
    }
    uint64_t ret = is_int ? next_eip : env->rip;

    if (lma) {
        int ist = (int)(ghi & 7); /* IST: bits 2..0 of the gate's second dword */
        uint64_t sp;
        uint32_t ss = 0;
        uint64_t old_ss = env->segs[R_SS].selector, old_sp = env->regs[R_ESP];
        if (new_cpl != cpl || ist) {
            tss_stack(env, new_cpl, ist, &sp, &ss); /* IST switches even at the same CPL */
        } else {
            sp = env->regs[R_ESP];
        }
        sp &= ~15ull; /* 64-bit mode aligns the new stack (SDM §6.14.2) */
        uint64_t frame[6] = {old_ss, old_sp, eflags, env->segs[R_CS].selector, ret,
                             (uint64_t)(uint32_t)error_code};
        int n = 5;
        sp -= 8;
        sys_st(env, sp, frame[0], MO_64, 0);
        for (int i = 1; i < n; i++) {
            sp -= 8;
            sys_st(env, sp, frame[i], MO_64, 0);
        }
        if (has_err) {
            sp -= 8;
            sys_st(env, sp, frame[5], MO_64, 0);
        }
        if (new_cpl != cpl) {
            /* SS is a null selector with RPL = new CPL */
            x86_cpu_load_seg_cache(env, R_SS, (uint32_t)new_cpl, 0, 0,
                                   ((uint32_t)new_cpl << DESC_DPL_SHIFT) | DESC_W_MASK |
                                       DESC_S_MASK | DESC_P_MASK);
        }
        env->regs[R_ESP] = sp;
        load_cs(env, csel, lo, hi, new_cpl);
        env->rip = target;
    } else {
        uint64_t sp, ssbase;
        uint32_t spmask, ss = 0;
        bool switched = new_cpl < cpl;
        uint32_t old_ss = env->segs[R_SS].selector;
        uint32_t old_esp = (uint32_t)env->regs[R_ESP];
        uint32_t slo = 0, shi = 0;
        if (switched) {
            tss_stack(env, new_cpl, 0, &sp, &ss);
            load_tss_ss(env, ss, new_cpl, &slo, &shi, 0);
            ssbase = desc_base(slo, shi);
            spmask = (shi & DESC_B_MASK) ? 0xffffffffu : 0xffffu;
        } else {
            sp = env->regs[R_ESP];
            ssbase = env->segs[R_SS].base;
            spmask = (env->hflags & HF_SS32) ? 0xffffffffu : 0xffffu;
            if (env->hflags & HF_SEGLIM) {
                /* the whole frame must fit below SS's limit (SDM §6.12.1: #SS(0)); a
                 * stack overflow in a handler becomes a double fault */
                unsigned bytes = (is32 ? 4u : 2u) * (3u + (has_err ? 1u : 0u));
                if (!x86_seg_limit_ok(&env->segs[R_SS], (sp - bytes) & spmask, bytes)) {
                    raise_exception_err(env, EXCP0C_SS, 0);
                }
            }
        }
        if (from_vm86) {
            /* the virtual-8086 frame: GS FS DS ES above SS:ESP, then null selectors */
            push32(env, &sp, ssbase, spmask, env->segs[R_GS].selector);
            push32(env, &sp, ssbase, spmask, env->segs[R_FS].selector);
            push32(env, &sp, ssbase, spmask, env->segs[R_DS].selector);
            push32(env, &sp, ssbase, spmask, env->segs[R_ES].selector);
            static const int nulled[4] = {R_ES, R_DS, R_FS, R_GS};
            for (int i = 0; i < 4; i++) {
                x86_cpu_load_seg_cache(env, nulled[i], 0, 0, 0, 0);
            }
        }
        if (is32) {
            if (switched) {
                push32(env, &sp, ssbase, spmask, old_ss);
                push32(env, &sp, ssbase, spmask, old_esp);
            }
            push32(env, &sp, ssbase, spmask, eflags);
            push32(env, &sp, ssbase, spmask, env->segs[R_CS].selector);
            push32(env, &sp, ssbase, spmask, (uint32_t)ret);
            if (has_err) {
                push32(env, &sp, ssbase, spmask, (uint32_t)error_code);
            }
        } else {
            if (switched) {
                push16(env, &sp, ssbase, spmask, old_ss);
                push16(env, &sp, ssbase, spmask, old_esp);
            }
            push16(env, &sp, ssbase, spmask, eflags);
            push16(env, &sp, ssbase, spmask, env->segs[R_CS].selector);
            push16(env, &sp, ssbase, spmask, (uint32_t)ret);
            if (has_err) {
                push16(env, &sp, ssbase, spmask, (uint32_t)error_code);
            }
        }
        if (switched) {
            /* SS changes only once the frame is written (a fault above keeps the old one) */
            x86_cpu_load_seg_cache(env, R_SS, ss, ssbase, desc_limit(slo, shi),
                                   (shi & 0x00f0ff00u) | DESC_A_MASK);
        }
        if (spmask == 0xffff) {
            env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | (sp & 0xffff);
        } else {
            env->regs[R_ESP] = (uint32_t)sp;
        }
        load_cs(env, csel, lo, hi, new_cpl);
        env->rip = is32 ? (uint32_t)target : (target & 0xffff);
    }
    /* interrupt gates clear IF; all gates clear TF, NT, VM, RF (SDM §6.12.1.3) */
    if ((type & 1) == 0) {
        env->eflags &= ~IF_MASK;
    }
    env->eflags &= ~(TF_MASK | NT_MASK | VM_MASK | RF_MASK);
    x86_update_hflags(env);
}

static void do_syscall(CPUX86State *env, uint64_t next_eip)
{
    /* SDM SYSCALL: RCX = next rip, R11 = RFLAGS; CS/SS from STAR[47:32] */
    uint32_t sel = (uint32_t)(env->star >> 32) & 0xffff;
    uint32_t eflags = cpu_compute_eflags(env);
    if (env->hflags & HF_LMA) {
        /* LSTAR from 64-bit mode, CSTAR from compatibility mode: decided before CS changes */
        uint64_t target = (env->hflags & HF_CS64) ? env->lstar : env->cstar;
        env->regs[R_ECX] = next_eip;
        env->regs[11] = eflags & ~RF_MASK;
        cpu_load_eflags(env, eflags & ~(uint32_t)env->fmask, ~0u);
        env->eflags &= ~RF_MASK;
        x86_cpu_load_seg_cache(env, R_CS, sel & 0xfffc, 0, 0xffffffff,
                               DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                                   DESC_W_MASK | DESC_A_MASK | DESC_L_MASK);
        x86_cpu_load_seg_cache(env, R_SS, (sel + 8) & 0xfffc, 0, 0xffffffff,
                               DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                                   DESC_W_MASK | DESC_A_MASK);
        env->rip = target;
    } else {
        env->regs[R_ECX] = (uint32_t)next_eip;
        env->eflags &= ~(IF_MASK | RF_MASK | VM_MASK);
        x86_cpu_load_seg_cache(env, R_CS, sel & 0xfffc, 0, 0xffffffff,
                               DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                                   DESC_CS_MASK | DESC_W_MASK | DESC_A_MASK);
        x86_cpu_load_seg_cache(env, R_SS, (sel + 8) & 0xfffc, 0, 0xffffffff,
                               DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                                   DESC_W_MASK | DESC_A_MASK);
        env->rip = (uint32_t)env->star;
    }
    env->hflags &= ~HF_CPL_MASK;
    x86_update_hflags(env);
}

void helper_sysret(CPUState *cs, uint32_t dflag)
{
    CPUX86State *env = cpu_env(cs);
    if (!(env->efer & EFER_SCE)) {
        raise_exception(env, EXCP06_UD);
    }
    if (!(env->hflags & HF_PE) || x86_cpl(env) != 0) {
        raise_exception_err(env, EXCP0D_GP, 0);
    }
    uint32_t sel = (uint32_t)(env->star >> 48) & 0xffff;
    if (env->hflags & HF_LMA) {
        uint32_t r11 = (uint32_t)env->regs[11];
        if (dflag == 2) {
            x86_cpu_load_seg_cache(env, R_CS, (sel + 16) | 3, 0, 0xffffffff,
                                   DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                                       DESC_W_MASK | DESC_A_MASK | DESC_L_MASK |
                                       (3u << DESC_DPL_SHIFT));
            env->rip = env->regs[R_ECX];
        } else {
            x86_cpu_load_seg_cache(env, R_CS, sel | 3, 0, 0xffffffff,
                                   DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                                       DESC_CS_MASK | DESC_W_MASK | DESC_A_MASK |
                                       (3u << DESC_DPL_SHIFT));
            env->rip = (uint32_t)env->regs[R_ECX];
        }
        x86_cpu_load_seg_cache(env, R_SS, (sel + 8) | 3, 0, 0xffffffff,
                               DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                                   DESC_W_MASK | DESC_A_MASK | (3u << DESC_DPL_SHIFT));
        env->hflags |= 3;
        cpu_load_eflags(env, r11 | 2, TF_MASK | AC_MASK | ID_MASK | IF_MASK | IOPL_MASK |
                                          DF_MASK | NT_MASK | RF_MASK);
    } else {
        x86_cpu_load_seg_cache(env, R_CS, sel | 3, 0, 0xffffffff,
                               DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                                   DESC_CS_MASK | DESC_W_MASK | DESC_A_MASK |
                                   (3u << DESC_DPL_SHIFT));
        env->rip = (uint32_t)env->regs[R_ECX];
        x86_cpu_load_seg_cache(env, R_SS, (sel + 8) | 3, 0, 0xffffffff,
                               DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                                   DESC_W_MASK | DESC_A_MASK | (3u << DESC_DPL_SHIFT));
        env->hflags |= 3;
        env->eflags |= IF_MASK;
    }
    x86_update_hflags(env);
}

/*
 * SYSENTER / SYSEXIT (SDM Vol.2 SYSENTER, SYSEXIT; Vol.3 §5.8.7): flat
 * segments derived from IA32_SYSENTER_CS without reading the GDT. SYSENTER
 * (any CPL, protected mode; allowed in IA-32e mode as on Intel CPUs) enters
 * CPL 0 at SYSENTER_EIP/ESP with CS = SYSENTER_CS (64-bit code in IA-32e
 * mode), SS = CS + 8, and clears VM, IF, RF. SYSEXIT (CPL 0) returns to CPL 3
 * at RDX/RCX with CS = SYSENTER_CS + 16, SS = + 24, or with REX.W (to 64-bit
 * mode) + 32 and + 40. SYSENTER_CS[15:2] = 0 makes both #GP(0).
 */
void helper_sysenter(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    uint32_t sel = (uint32_t)env->sysenter_cs & 0xfffc;
    if (!(env->hflags & HF_PE) || sel == 0) {
        raise_exception_err(env, EXCP0D_GP, 0);
    }
    bool lma = env->hflags & HF_LMA;
    env->eflags &= ~(VM_MASK | IF_MASK | RF_MASK);
    x86_cpu_load_seg_cache(env, R_CS, sel, 0, 0xffffffff,
                           DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                               DESC_W_MASK | DESC_A_MASK | (lma ? DESC_L_MASK : DESC_B_MASK));
    x86_cpu_load_seg_cache(env, R_SS, sel + 8, 0, 0xffffffff,
                           DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                               DESC_W_MASK | DESC_A_MASK);
    env->regs[R_ESP] = lma ? env->sysenter_esp : (uint32_t)env->sysenter_esp;
    env->rip = lma ? env->sysenter_eip : (uint32_t)env->sysenter_eip;
    env->hflags &= ~HF_CPL_MASK;
    x86_update_hflags(env);
    cpu_loop_exit(cs);
}

void helper_sysexit(CPUState *cs, uint32_t dflag)
{
    CPUX86State *env = cpu_env(cs);
    uint32_t sel = (uint32_t)env->sysenter_cs & 0xfffc;
    if (!(env->hflags & HF_PE) || x86_cpl(env) != 0 || sel == 0) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, GETPC());
    }
    uint32_t dpl3 = 3u << DESC_DPL_SHIFT;
    if (dflag == 2) {
        x86_cpu_load_seg_cache(env, R_CS, (sel + 32) | 3, 0, 0xffffffff,
                               DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                                   DESC_W_MASK | DESC_A_MASK | DESC_L_MASK | dpl3);
        x86_cpu_load_seg_cache(env, R_SS, (sel + 40) | 3, 0, 0xffffffff,
                               DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                                   DESC_W_MASK | DESC_A_MASK | dpl3);
        env->regs[R_ESP] = env->regs[R_ECX];
        env->rip = env->regs[R_EDX];
    } else {
        x86_cpu_load_seg_cache(env, R_CS, (sel + 16) | 3, 0, 0xffffffff,
                               DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                                   DESC_CS_MASK | DESC_W_MASK | DESC_A_MASK | dpl3);
        x86_cpu_load_seg_cache(env, R_SS, (sel + 24) | 3, 0, 0xffffffff,
                               DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                                   DESC_W_MASK | DESC_A_MASK | dpl3);
        env->regs[R_ESP] = (uint32_t)env->regs[R_ECX];
        env->rip = (uint32_t)env->regs[R_EDX];
    }
    env->hflags = (env->hflags & ~HF_CPL_MASK) | 3;
    x86_update_hflags(env);
}

/*
 * Deliver a vector. Nested faults during delivery: a contributory fault or
 * #PF while delivering a contributory fault or #PF is a double fault; a
 * fault while delivering #DF shuts the machine down (SDM §6.15 Table 6-5).
 */
void x86_do_interrupt_all(CPUX86State *env, int intno, bool is_int, int error_code,
                          uint64_t next_eip, bool is_hw)
{
    if (log_enabled(LOG_INT)) {
        log_printf("x86: %s 0x%02x err=%x rip=%016llx cpl=%d\n",
                   is_hw ? "irq" : is_int ? "int" : "exception", intno, error_code,
                   (unsigned long long)env->rip, x86_cpl(env));
    }
    if (!is_int && !is_hw && intno == EXCP0E_PF) {
        /* cr2 was set by the MMU */
    }
    if (env->hflags & HF_PE) {
        do_interrupt_prot(env, intno, is_int, error_code, next_eip, is_hw);
    } else {
        do_interrupt_real(env, intno, is_int, next_eip);
    }
    env->hflags &= ~HF_INHIBIT_IRQ;
}

static bool contributory(int v)
{
    return v == EXCP00_DE || (v >= EXCP0A_TS && v <= EXCP0D_GP);
}

void x86_cpu_do_interrupt(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    int vec = cs->exception_index;

    if (env->user_exceptions) {
        /* test seam: record and stop the loop instead of delivering */
        env->last_exception = vec;
        env->last_exception_rip = env->rip;
        cpu_exit(cs);
        return;
    }
    if (vec == EXCP_SYSCALL) {
        do_syscall(env, env->exception_next_eip);
        return;
    }
    bool is_int = env->exception_is_int;
    int err = env->error_code;
    if (!is_int) {
        int old = env->old_exception;
        if (old == EXCP08_DF) {
            log_mask_printf(LOG_GUEST_ERROR, "x86: triple fault at rip=%llx\n",
                            (unsigned long long)env->rip);
            if (cs->machine) {
                machine_request_shutdown(cs->machine, 2, 0);
            }
            cpu_exit(cs);
            return;
        }
        if (old >= 0 && ((contributory(old) && contributory(vec)) ||
                         (old == EXCP0E_PF && (contributory(vec) || vec == EXCP0E_PF)))) {
            vec = EXCP08_DF;
            err = 0;
        }
        env->old_exception = vec;
    }
    x86_do_interrupt_all(env, vec, is_int, err, env->exception_next_eip, false);
    env->old_exception = -1;
}

bool x86_cpu_exec_interrupt(CPUState *cs, uint32_t req)
{
    CPUX86State *env = cpu_env(cs);
    X86CPU *cpu = x86_cpu(cs);
    if (req & CPU_INTERRUPT_INIT) {
        /* INIT: the reset state, then wait for SIPI. The APIC base, the MTRRs
         * and the PAT survive it (SDM Vol.3 Table 9-1, "INIT" column): firmware
         * sets the MTRRs once per core and Linux checks the APs against the BSP */
        cpu_reset_interrupt(cs, CPU_INTERRUPT_INIT);
        uint64_t apic_base = env->apic_base, pat = env->pat;
        uint64_t mtrr_deftype = env->mtrr_deftype;
        uint64_t mtrr_fixed[11], mtrr_var[X86_NB_VAR_MTRRS][2];
        memcpy(mtrr_fixed, env->mtrr_fixed, sizeof(mtrr_fixed));
        memcpy(mtrr_var, env->mtrr_var, sizeof(mtrr_var));
        cs->cc->reset(cs);
        env->apic_base = apic_base;
        env->pat = pat;
        env->mtrr_deftype = mtrr_deftype;
        memcpy(env->mtrr_fixed, mtrr_fixed, sizeof(mtrr_fixed));
        memcpy(env->mtrr_var, mtrr_var, sizeof(mtrr_var));
        env->wait_for_sipi = true;
        cs->exception_index = EXCP_HALTED;
        return true;
    }
    if (req & CPU_INTERRUPT_SIPI) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_SIPI);
        if (!env->wait_for_sipi) {
            return false; /* a SIPI to a running CPU is ignored */
        }
        env->wait_for_sipi = false;
        if (__builtin_expect(reemu_mode, 0)) {
            /* the vector another core's APIC wrote: an input (replay: the log's) */
            env->sipi_vector = (uint8_t)x86_reemu_input(cs, X86_RR_SIPI, env->sipi_vector, 0);
        }
        /* real mode at vector << 12 (SDM §8.4.4.2) */
        x86_cpu_load_seg_cache(env, R_CS, (uint32_t)env->sipi_vector << 8,
                               (uint64_t)env->sipi_vector << 12, 0xffff,
                               DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_W_MASK |
                                   DESC_A_MASK);
        env->rip = 0;
        __atomic_store_n(&cs->halted, 0, __ATOMIC_RELEASE);
        x86_update_hflags(env);
        return true;
    }
    if (env->hflags & HF_INHIBIT_IRQ) {
        return false;
    }
    if (env->wait_for_sipi) {
        return false;
    }
    if ((req & CPU_INTERRUPT_NMI) && !env->nmi_blocked) {
        /* NMIs stay blocked until the next IRET; one more waits as pending */
        cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI);
        env->nmi_blocked = true;
        x86_do_interrupt_all(env, EXCP02_NMI, false, 0, 0, true);
        return true;
    }
    if ((req & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK)) {
        int vec = -1;
        if (__builtin_expect(reemu_mode == REEMU_REPLAY, 0)) {
            /* the APIC's state differs in replay: the log has the vector the
             * record's INTA returned (the log has this interrupt only if one was) */
            vec = (int)x86_reemu_input(cs, X86_RR_INTA, 0, 0);
        } else if (cpu->has_apic_hooks && cpu->apic.get_interrupt) {
            vec = cpu->apic.get_interrupt(cpu->apic.opaque, cs);
        }
        if (vec < 0) {
            cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
            return false;
        }
        if (__builtin_expect(reemu_mode == REEMU_RECORD, 0)) {
            x86_reemu_input(cs, X86_RR_INTA, (uint64_t)vec, 0); /* taken: log the vector */
        }
        x86_do_interrupt_all(env, vec, false, 0, 0, true);
        return true;
    }
    return false;
}

/* -------------------------------------------------------------- IRET */

static uint64_t pop(CPUX86State *env, uint64_t *sp, int size, uintptr_t ra)
{
    uint64_t addr;
    if (env->hflags & HF_CS64) {
        addr = *sp;
    } else if (env->hflags & HF_SS32) {
        addr = (env->segs[R_SS].base + (uint32_t)*sp) & 0xffffffffull;
    } else {
        addr = (env->segs[R_SS].base + (*sp & 0xffff)) & 0xffffffffull;
    }
    uint64_t v = cpu_ld_mmu(env_cpu(env), addr, make_memop_idx((MemOp)(size == 8 ? MO_64 : size == 4 ? MO_32 : MO_16), (unsigned)x86_mmu_idx(env)), ra);
    *sp += (uint64_t)size;
    return v;
}

static void set_sp(CPUX86State *env, uint64_t sp)
{
    if (env->hflags & HF_CS64) {
        env->regs[R_ESP] = sp;
    } else if (env->hflags & HF_SS32) {
        env->regs[R_ESP] = (uint32_t)sp;
    } else {
        env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | (sp & 0xffff);
    }
}

/* common to IRET and far RET in protected/long mode */
static void do_far_return(CPUX86State *env, int opsize, int extra, bool is_iret, uintptr_t ra)
{
    int n = opsize == MO_64 ? 8 : opsize == MO_32 ? 4 : 2;
    uint64_t sp = env->regs[R_ESP];
    uint64_t new_eip = pop(env, &sp, n, ra);
    uint32_t new_cs = (uint32_t)pop(env, &sp, n, ra) & 0xffff;
    uint32_t new_eflags = 0;
    if (is_iret) {
        new_eflags = (uint32_t)pop(env, &sp, n, ra);
        if (n == 2) {
            new_eflags = (cpu_compute_eflags(env) & 0xffff0000u) | (new_eflags & 0xffff);
        }
    }
    bool vm86 = (env->eflags & VM_MASK) != 0;
    if (!(env->hflags & HF_PE) || vm86) {
        /* real mode; virtual-8086 mode (the translator let only IOPL 3 get here):
         * IOPL and VM stay (SDM IRET "RETURN-FROM-VIRTUAL-8086-MODE") */
        set_sp(env, sp + (uint64_t)extra);
        load_seg_real(env, R_CS, new_cs);
        env->rip = new_eip & (n == 2 ? 0xffff : 0xffffffff);
        if (is_iret) {
            cpu_load_eflags(env, new_eflags, TF_MASK | AC_MASK | ID_MASK | IF_MASK |
                                                 (vm86 ? 0 : IOPL_MASK) | DF_MASK | NT_MASK |
                                                 (n == 2 ? 0 : RF_MASK));
        }
        x86_update_hflags(env);
        return;
    }
    if (is_iret && n == 4 && (new_eflags & VM_MASK) && x86_cpl(env) == 0 &&
        !(env->hflags & HF_LMA)) {
        /* to virtual-8086 mode (SDM IRET "RETURN-TO-VIRTUAL-8086-MODE"): EIP CS
         * EFLAGS ESP SS ES DS FS GS, all 32-bit slots */
        uint32_t new_esp = (uint32_t)pop(env, &sp, 4, ra);
        uint32_t vsel[5];
        for (int i = 0; i < 5; i++) {
            vsel[i] = (uint32_t)pop(env, &sp, 4, ra) & 0xffff; /* SS ES DS FS GS */
        }
        cpu_load_eflags(env, new_eflags | 2u, ~0u);
        load_seg_real(env, R_CS, new_cs);
        static const int order[5] = {R_SS, R_ES, R_DS, R_FS, R_GS};
        for (int i = 0; i < 5; i++) {
            load_seg_real(env, order[i], vsel[i]);
        }
        env->hflags = (env->hflags & ~HF_CPL_MASK) | 3;
        env->regs[R_ESP] = new_esp;
        env->rip = new_eip & 0xffff;
        x86_update_hflags(env);
        return;
    }
    int cpl = x86_cpl(env), rpl = new_cs & 3;
    uint32_t lo, hi;
    if (rpl < cpl) {
        raise_exception_err_ra(env, EXCP0D_GP, (int)(new_cs & 0xfffc), ra);
    }
    fetch_code_desc(env, new_cs, &lo, &hi, ra);
    bool to_outer = rpl > cpl;
    uint64_t new_sp = 0;
    uint32_t new_ss = 0;
    if (to_outer || (env->hflags & HF_CS64 && is_iret && n == 8)) {
        /* 64-bit IRET always pops SS:RSP (SDM IRET) */
        sp += (uint64_t)extra;
        new_sp = pop(env, &sp, n, ra);
        new_ss = (uint32_t)pop(env, &sp, n, ra) & 0xffff;
    }
    load_cs(env, new_cs, lo, hi, rpl);
    env->rip = (env->hflags & HF_CS64) ? new_eip : (n == 2 ? new_eip & 0xffff : (uint32_t)new_eip);
    if (to_outer || (new_ss | new_sp)) {
        if (to_outer || (new_ss & ~3u)) {
            if ((new_ss & ~3u) == 0 && (env->hflags & HF_LMA) && rpl != 3) {
                x86_cpu_load_seg_cache(env, R_SS, new_ss, 0, 0,
                                       ((uint32_t)rpl << DESC_DPL_SHIFT) | DESC_W_MASK |
                                           DESC_S_MASK | DESC_P_MASK);
            } else {
                load_seg(env, R_SS, new_ss, ra);
            }
        } else {
            x86_cpu_load_seg_cache(env, R_SS, new_ss, 0, 0,
                                   ((uint32_t)rpl << DESC_DPL_SHIFT) | DESC_W_MASK |
                                       DESC_S_MASK | DESC_P_MASK);
        }
        x86_update_hflags(env);
        set_sp(env, new_sp + (uint64_t)(to_outer ? extra : 0));
        if (to_outer) {
            /*
             * Data segments not accessible at the new CPL become null (SDM
             * IRET/RET: "IF segment register points to data or non-conforming
             * code segment AND CPL > DPL"). A null selector points to no
             * segment and is left alone: in 64-bit mode a null FS/GS still
             * carries the base from IA32_FS_BASE/GS_BASE, which Linux gives
             * every user thread for TLS and returns to with IRETQ. A segment
             * that is nulled keeps its base (only the selector and P change).
             */
            for (int seg = R_ES; seg <= R_GS; seg++) {
                if (seg == R_CS || seg == R_SS) {
                    continue;
                }
                SegmentCache *sc = &env->segs[seg];
                if ((sc->selector & ~3u) == 0) {
                    continue;
                }
                int dpl = (sc->flags >> DESC_DPL_SHIFT) & 3;
                bool code_conf = (sc->flags & DESC_CS_MASK) && (sc->flags & (1u << 10));
                if (!code_conf && dpl < rpl) {
                    x86_cpu_load_seg_cache(env, seg, 0, sc->base, sc->limit,
                                           sc->flags & ~DESC_P_MASK);
                }
            }
        }
    } else {
        set_sp(env, sp + (uint64_t)extra);
    }
    if (is_iret) {
        uint32_t mask = TF_MASK | AC_MASK | ID_MASK | RF_MASK | NT_MASK | DF_MASK;
        int iopl = (env->eflags & IOPL_MASK) >> IOPL_SHIFT;
        if (cpl == 0) {
            mask |= IOPL_MASK | IF_MASK;
        } else if (cpl <= iopl) {
            mask |= IF_MASK;
        }
        if (n == 2) {
            mask &= 0xffff;
        }
        cpu_load_eflags(env, new_eflags, mask);
    }
    x86_update_hflags(env);
}

/* push for far CALL: v at the current SS:rSP (sz bytes), in the current mode */
static void push_far(CPUX86State *env, uint64_t *sp, uint64_t base, uint64_t spmask, int sz,
                     uint64_t v, int mmu_idx, uintptr_t ra)
{
    *sp -= (uint64_t)sz;
    uint64_t a = base + (*sp & spmask);
    if (spmask != ~0ull) {
        a &= 0xffffffffull;
    }
    cpu_st_mmu(env_cpu(env), a, v, make_memop_idx(sz == 8 ? MO_64 : sz == 4 ? MO_32 : MO_16,
                                                  (unsigned)mmu_idx), ra);
}

static void write_sp(CPUX86State *env, uint64_t sp, uint64_t spmask)
{
    env->regs[R_ESP] = spmask == 0xffff ? (env->regs[R_ESP] & ~0xffffull) | (sp & 0xffff)
                     : spmask == 0xffffffffull ? (uint32_t)sp : sp;
}

/*
 * Far JMP/CALL through a call gate (SDM CALL "far call to call gate", JMP;
 * §5.8.3-5.8.6): gate DPL >= max(CPL, RPL), gate present (#NP(gate)); the
 * gate's code segment must be code with DPL <= CPL (64-bit code in long
 * mode). JMP, or CALL to a conforming segment or one at the same DPL, keeps
 * the CPL and the stack. CALL to a more privileged non-conforming segment
 * switches to the TSS stack of the new CPL (long mode: RSP from the TSS and
 * a null SS with RPL = new CPL) and pushes the old SS:rSP, (legacy: the
 * gate's parameter count of words/dwords copied from the old stack), then
 * CS:rIP, with the gate's width (16-bit gate 2 bytes, 32-bit 4, 64-bit 8).
 */
static void far_via_gate(CPUX86State *env, uint32_t sel, uint32_t glo, uint32_t ghi, bool call,
                         uint64_t next_eip, uintptr_t ra)
{
    bool lma = env->hflags & HF_LMA;
    int type = (ghi >> 8) & 0x1f, gdpl = (ghi >> DESC_DPL_SHIFT) & 3;
    int cpl = x86_cpl(env), rpl = sel & 3;
    int err = (int)(sel & 0xfffc);
    if ((lma ? type != 0xc : (type != 0xc && type != 4)) || gdpl < cpl || gdpl < rpl) {
        raise_exception_err_ra(env, EXCP0D_GP, err, ra);
    }
    if (!(ghi & DESC_P_MASK)) {
        raise_exception_err_ra(env, EXCP0B_NP, err, ra);
    }
    uint64_t target = (glo & 0xffff) | (ghi & 0xffff0000u);
    if (lma) {
        uint64_t hi2 = sys_ld(env, ((sel & 4) ? env->ldt.base : env->gdt.base) + (sel & ~7u) + 8,
                              MO_64, ra);
        if (((sel & ~7u) + 15 > ((sel & 4) ? env->ldt.limit : env->gdt.limit)) ||
            ((hi2 >> 40) & 0x1f) != 0) {
            raise_exception_err_ra(env, EXCP0D_GP, err, ra);
        }
        target |= (hi2 & 0xffffffffull) << 32;
    }
    int gsz = lma ? 8 : (type == 0xc ? 4 : 2);
    uint32_t csel = glo >> 16, lo, hi;
    if ((csel & ~3u) == 0) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
    if (!load_descriptor(env, csel, &lo, &hi, ra) || !(hi & DESC_S_MASK) ||
        !(hi & DESC_CS_MASK)) {
        raise_exception_err_ra(env, EXCP0D_GP, (int)(csel & 0xfffc), ra);
    }
    int dpl = (hi >> DESC_DPL_SHIFT) & 3;
    bool conforming = hi & (1u << 10);
    if (dpl > cpl || (!call && !conforming && dpl != cpl) ||
        (lma && (!(hi & DESC_L_MASK) || (hi & DESC_B_MASK)))) {
        raise_exception_err_ra(env, EXCP0D_GP, (int)(csel & 0xfffc), ra);
    }
    if (!(hi & DESC_P_MASK)) {
        raise_exception_err_ra(env, EXCP0B_NP, (int)(csel & 0xfffc), ra);
    }
    int new_cpl = (call && !conforming) ? dpl : cpl;
    uint64_t old_sp = env->regs[R_ESP];
    uint32_t old_ss = env->segs[R_SS].selector, old_cs = env->segs[R_CS].selector;
    if (call && new_cpl < cpl) {
        uint64_t sp;
        uint32_t ss;
        tss_stack(env, new_cpl, 0, &sp, &ss);
        if (lma) {
            push_far(env, &sp, 0, ~0ull, 8, old_ss, 0, ra);
            push_far(env, &sp, 0, ~0ull, 8, old_sp, 0, ra);
            push_far(env, &sp, 0, ~0ull, 8, old_cs, 0, ra);
            push_far(env, &sp, 0, ~0ull, 8, next_eip, 0, ra);
            x86_cpu_load_seg_cache(env, R_SS, (uint32_t)new_cpl, 0, 0,
                                   ((uint32_t)new_cpl << DESC_DPL_SHIFT) | DESC_W_MASK |
                                       DESC_S_MASK | DESC_P_MASK);
            env->regs[R_ESP] = sp;
        } else {
            uint32_t slo, shi;
            load_tss_ss(env, ss, new_cpl, &slo, &shi, ra);
            uint64_t nbase = desc_base(slo, shi);
            uint64_t nmask = (shi & DESC_B_MASK) ? 0xffffffffull : 0xffff;
            uint64_t obase = env->segs[R_SS].base;
            uint64_t omask = (env->hflags & HF_SS32) ? 0xffffffffull : 0xffff;
            int nparams = (int)(ghi & 0x1f);
            push_far(env, &sp, nbase, nmask, gsz, old_ss, 0, ra);
            push_far(env, &sp, nbase, nmask, gsz, old_sp & omask, 0, ra);
            for (int i = nparams - 1; i >= 0; i--) {
                uint64_t a = (obase + ((old_sp + (uint64_t)(i * gsz)) & omask)) & 0xffffffffull;
                uint64_t v = cpu_ld_mmu(env_cpu(env), a,
                                        make_memop_idx(gsz == 4 ? MO_32 : MO_16,
                                                       (unsigned)x86_mmu_idx(env)), ra);
                push_far(env, &sp, nbase, nmask, gsz, v, 0, ra);
            }
            push_far(env, &sp, nbase, nmask, gsz, old_cs, 0, ra);
            push_far(env, &sp, nbase, nmask, gsz, next_eip, 0, ra);
            set_desc_accessed(env, ss, shi, ra);
            x86_cpu_load_seg_cache(env, R_SS, ss, nbase, desc_limit(slo, shi),
                                   (shi & 0x00f0ff00u) | DESC_A_MASK);
            write_sp(env, sp, nmask);
        }
    } else if (call) {
        uint64_t sp = env->regs[R_ESP];
        uint64_t base = (env->hflags & HF_CS64) ? 0 : env->segs[R_SS].base;
        uint64_t spmask = (env->hflags & HF_CS64) ? ~0ull
                        : (env->hflags & HF_SS32) ? 0xffffffffull : 0xffffull;
        push_far(env, &sp, base, spmask, gsz, old_cs, x86_mmu_idx(env), ra);
        push_far(env, &sp, base, spmask, gsz, next_eip, x86_mmu_idx(env), ra);
        write_sp(env, sp, spmask);
    }
    set_desc_accessed(env, csel, hi, ra);
    load_cs(env, csel, lo, hi, new_cpl);
    env->rip = (env->hflags & HF_CS64) ? target : gsz == 2 ? (target & 0xffff) : (uint32_t)target;
}

/*
 * Far JMP/CALL (SDM JMP/CALL "far"): real mode loads CS directly; protected
 * and long mode accept a code-segment descriptor (conforming: DPL <= CPL;
 * non-conforming: RPL <= CPL and DPL == CPL) or a call gate (far_via_gate);
 * task gates and TSS descriptors (task switches) are #GP. CALL pushes CS
 * then the return offset.
 */
void helper_ljmp(CPUState *cs, uint32_t sel, uint64_t off, uint32_t desc, uint64_t next_eip)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    bool call = desc & 1;
    int osz = (int)((desc >> 4) & 3), n = 1 << osz;
    sel &= 0xffff;
    uint32_t lo = 0, hi = 0;
    bool prot = (env->hflags & HF_PE) && !(env->eflags & VM_MASK);
    if (prot) {
        if ((sel & ~3u) == 0 || !load_descriptor(env, sel, &lo, &hi, ra)) {
            raise_exception_err_ra(env, EXCP0D_GP, (int)(sel & 0xfffc), ra);
        }
        int stype = (hi >> 8) & 0xf;
        if (!(hi & DESC_S_MASK) && !(env->hflags & HF_LMA) &&
            (stype == 5 || stype == 9 || stype == 11)) {
            /* TSS descriptor or task gate: DPL >= max(CPL, RPL) (SDM JMP/CALL) */
            int dpl = (hi >> DESC_DPL_SHIFT) & 3;
            if (dpl < x86_cpl(env) || dpl < (int)(sel & 3)) {
                raise_exception_err_ra(env, EXCP0D_GP, (int)(sel & 0xfffc), ra);
            }
            if (!(hi & DESC_P_MASK)) {
                raise_exception_err_ra(env, EXCP0B_NP, (int)(sel & 0xfffc), ra);
            }
            task_switch(env, stype == 5 ? lo >> 16 : sel, call ? TS_CALL : TS_JMP, next_eip,
                        false, 0, ra);
            return;
        }
        if (!(hi & DESC_S_MASK)) {
            far_via_gate(env, sel, lo, hi, call, next_eip, ra);
            return;
        }
        fetch_code_desc(env, sel, &lo, &hi, ra);
        int cpl = x86_cpl(env), dpl = (hi >> DESC_DPL_SHIFT) & 3, rpl = sel & 3;
        bool conforming = hi & (1u << 10);
        if (conforming ? dpl > cpl : (rpl > cpl || dpl != cpl)) {
            raise_exception_err_ra(env, EXCP0D_GP, (int)(sel & 0xfffc), ra);
        }
    }
    if (call) {
        uint64_t sp = env->regs[R_ESP];
        uint64_t base = (env->hflags & HF_CS64) ? 0 : env->segs[R_SS].base;
        uint64_t spmask = (env->hflags & HF_CS64) ? ~0ull
                        : (env->hflags & HF_SS32) ? 0xffffffffull : 0xffffull;
        push_far(env, &sp, base, spmask, n, env->segs[R_CS].selector, x86_mmu_idx(env), ra);
        push_far(env, &sp, base, spmask, n, next_eip, x86_mmu_idx(env), ra);
        write_sp(env, sp, spmask);
    }
    if (prot) {
        load_cs(env, sel, lo, hi, x86_cpl(env));
    } else {
        load_seg_real(env, R_CS, sel);
    }
    env->rip = (env->hflags & HF_CS64) ? off : osz == MO_16 ? (off & 0xffff) : (uint32_t)off;
}

/* desc = operand size | instruction length << 8 */
void helper_iret(CPUState *cs, uint32_t desc)
{
    CPUX86State *env = cpu_env(cs);
    env->nmi_blocked = false; /* every IRET ends NMI blocking (SDM §6.7.1) */
    if ((env->hflags & HF_PE) && (env->eflags & NT_MASK) && !(env->hflags & HF_LMA)) {
        /* return from a nested task to the back link (SDM IRET "TASK-RETURN") */
        uint32_t link = (uint32_t)sys_ld(env, env->tr.base, MO_16, GETPC());
        task_switch(env, link, TS_IRET, env->rip + (desc >> 8), false, 0, GETPC());
        env->old_exception = -1;
        return;
    }
    do_far_return(env, (int)(desc & 0xff), 0, true, GETPC());
    env->old_exception = -1;
}

void helper_lret(CPUState *cs, uint32_t opsize, uint32_t extra)
{
    do_far_return(cpu_env(cs), (int)opsize, (int)extra, false, GETPC());
}
