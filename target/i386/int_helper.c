/*
 * int_helper.c — integer helpers too awkward to inline: flag materialisation,
 * DIV/IDIV (with #DE), rotates and shifts by a run-time count, SHLD/SHRD,
 * CMPXCHG8B without LOCK, and the string instructions.
 *
 * Helpers that may fault take GETPC() in the helper itself and pass it to
 * the memory accessors: a fault then restores rip to the instruction.
 * String instructions update RCX/RSI/RDI after every element (REP MOVS/STOS:
 * after every page-bounded run, str_run), so a fault in the middle of a REP
 * leaves a state from which the instruction restarts (SDM Vol.2 "REP":
 * interruptible, restartable).
 */
#include <string.h>

#include "target/i386/cpu.h"

#include "exec/cputlb.h"
#include "target/i386/decode.h"
#include "target/i386/reemu-x86.h"
#include "target/i386/translate.h"

#define HELPER_H "target/i386/helper.h"
#include "exec/helper-proto.h"
/* the one file that instantiates helper_info_* for helper.h */
#include "exec/helper-info.c.inc"

static inline uint64_t size_mask(int sz)
{
    return sz >= 3 ? ~0ull : (1ull << (8 << sz)) - 1;
}

/* ---------------------------------------------------------------- flags */

uint32_t helper_cc_compute_all(uint64_t dst, uint64_t src, uint64_t src2, uint32_t op)
{
    return x86_compute_eflags(op, dst, src, src2);
}

uint32_t helper_cc_compute_c(uint64_t dst, uint64_t src, uint64_t src2, uint32_t op)
{
    return x86_compute_cf(op, dst, src, src2);
}

uint32_t helper_read_eflags(CPUState *cs)
{
    return cpu_compute_eflags(cpu_env(cs));
}

void helper_write_eflags(CPUState *cs, uint32_t val, uint32_t mask)
{
    CPUX86State *env = cpu_env(cs);
    cpu_load_eflags(env, val, mask);
}

static uint32_t cur_flags(CPUX86State *env)
{
    return x86_compute_eflags(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);
}

static void set_flags(CPUX86State *env, uint32_t f)
{
    env->cc_src = f & CC_OSZAPC;
    env->cc_op = CC_OP_EFLAGS;
}

static uint32_t szp(uint64_t res, int sz)
{
    uint64_t m = size_mask(sz);
    uint32_t f = __builtin_parity((unsigned)(res & 0xff)) ? 0 : CC_P;
    if ((res & m) == 0) {
        f |= CC_Z;
    }
    if ((res >> ((8 << sz) - 1)) & 1) {
        f |= CC_S;
    }
    return f;
}

/* ---------------------------------------------------------- DIV / IDIV */

void helper_divb(CPUState *cs, uint64_t v)
{
    CPUX86State *env = cpu_env(cs);
    unsigned d = v & 0xff, n = env->regs[R_EAX] & 0xffff;
    if (d == 0 || n / d > 0xff) {
        raise_exception_ra(env, EXCP00_DE, GETPC());
    }
    unsigned q = n / d, r = n % d;
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | (r << 8) | q;
}

void helper_idivb(CPUState *cs, uint64_t v)
{
    CPUX86State *env = cpu_env(cs);
    int d = (int8_t)v, n = (int16_t)env->regs[R_EAX];
    if (d == 0) {
        raise_exception_ra(env, EXCP00_DE, GETPC());
    }
    int q = n / d, r = n % d;
    if (q != (int8_t)q) {
        raise_exception_ra(env, EXCP00_DE, GETPC());
    }
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | ((uint64_t)(r & 0xff) << 8) |
                       (uint64_t)(q & 0xff);
}

void helper_divw(CPUState *cs, uint64_t v)
{
    CPUX86State *env = cpu_env(cs);
    uint32_t d = v & 0xffff;
    uint32_t n = (uint32_t)((env->regs[R_EDX] & 0xffff) << 16) | (env->regs[R_EAX] & 0xffff);
    if (d == 0 || n / d > 0xffff) {
        raise_exception_ra(env, EXCP00_DE, GETPC());
    }
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | (n / d);
    env->regs[R_EDX] = (env->regs[R_EDX] & ~0xffffull) | (n % d);
}

void helper_idivw(CPUState *cs, uint64_t v)
{
    CPUX86State *env = cpu_env(cs);
    int32_t d = (int16_t)v;
    int32_t n = (int32_t)(((env->regs[R_EDX] & 0xffff) << 16) | (env->regs[R_EAX] & 0xffff));
    if (d == 0) {
        raise_exception_ra(env, EXCP00_DE, GETPC());
    }
    int32_t q = n / d, r = n % d;
    if (q != (int16_t)q) {
        raise_exception_ra(env, EXCP00_DE, GETPC());
    }
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | (uint16_t)q;
    env->regs[R_EDX] = (env->regs[R_EDX] & ~0xffffull) | (uint16_t)r;
}

void helper_divl(CPUState *cs, uint64_t v)
{
    CPUX86State *env = cpu_env(cs);
    uint64_t d = (uint32_t)v;
    uint64_t n = ((env->regs[R_EDX] & 0xffffffffull) << 32) | (uint32_t)env->regs[R_EAX];
    if (d == 0 || n / d > 0xffffffffull) {
        raise_exception_ra(env, EXCP00_DE, GETPC());
    }
    env->regs[R_EAX] = (uint32_t)(n / d);
    env->regs[R_EDX] = (uint32_t)(n % d);
}

void helper_idivl(CPUState *cs, uint64_t v)
{
    CPUX86State *env = cpu_env(cs);
    int64_t d = (int32_t)v;
    int64_t n = (int64_t)(((env->regs[R_EDX] & 0xffffffffull) << 32) |
                          (uint32_t)env->regs[R_EAX]);
    if (d == 0 || (n == INT64_MIN && d == -1)) {
        raise_exception_ra(env, EXCP00_DE, GETPC());
    }
    int64_t q = n / d, r = n % d;
    if (q != (int32_t)q) {
        raise_exception_ra(env, EXCP00_DE, GETPC());
    }
    env->regs[R_EAX] = (uint32_t)q;
    env->regs[R_EDX] = (uint32_t)r;
}

void helper_divq(CPUState *cs, uint64_t v)
{
    CPUX86State *env = cpu_env(cs);
    unsigned __int128 n = ((unsigned __int128)env->regs[R_EDX] << 64) | env->regs[R_EAX];
    if (v == 0 || (n / v) >> 64) {
        raise_exception_ra(env, EXCP00_DE, GETPC());
    }
    env->regs[R_EAX] = (uint64_t)(n / v);
    env->regs[R_EDX] = (uint64_t)(n % v);
}

void helper_idivq(CPUState *cs, uint64_t v)
{
    CPUX86State *env = cpu_env(cs);
    __int128 n = (__int128)(((unsigned __int128)env->regs[R_EDX] << 64) | env->regs[R_EAX]);
    int64_t d = (int64_t)v;
    __int128 min128 = (__int128)((unsigned __int128)1 << 127);
    if (d == 0 || (n == min128 && d == -1)) {
        raise_exception_ra(env, EXCP00_DE, GETPC());
    }
    __int128 q = n / d, r = n % d;
    if (q != (int64_t)q) {
        raise_exception_ra(env, EXCP00_DE, GETPC());
    }
    env->regs[R_EAX] = (uint64_t)(int64_t)q;
    env->regs[R_EDX] = (uint64_t)(int64_t)r;
}

/* ------------------------------------------------------------- rotates */

/*
 * Group-2 operations by a count already masked to 5 (6 for 64-bit) bits
 * (SDM "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR"). A zero count changes nothing,
 * flags included. Rotates change only CF and OF.
 */
uint64_t helper_shift(CPUState *cs, uint64_t val, uint32_t count, uint32_t desc)
{
    CPUX86State *env = cpu_env(cs);
    int kind = desc & 7, sz = (desc >> 4) & 3, bits = 8 << sz;
    uint64_t m = size_mask(sz), msb = 1ull << (bits - 1);
    uint32_t f = cur_flags(env);
    uint64_t res;
    uint32_t cf = f & CC_C, of;

    val &= m;
    if (count == 0) {
        set_flags(env, f);
        return val;
    }
    switch (kind) {
    case 0: { /* ROL */
        unsigned c = count % (unsigned)bits;
        res = c ? ((val << c) | (val >> (bits - c))) & m : val;
        cf = res & 1;
        of = (((res & msb) != 0) ^ cf) ? CC_O : 0;
        f = (f & ~(CC_C | CC_O)) | cf | of;
        break;
    }
    case 1: { /* ROR */
        unsigned c = count % (unsigned)bits;
        res = c ? ((val >> c) | (val << (bits - c))) & m : val;
        cf = (res & msb) ? CC_C : 0;
        of = (((res >> (bits - 1)) ^ (res >> (bits - 2))) & 1) ? CC_O : 0;
        f = (f & ~(CC_C | CC_O)) | cf | of;
        break;
    }
    case 2: { /* RCL: rotate through CF, modulo width + 1 */
        unsigned c = bits < 32 ? count % (unsigned)(bits + 1) : count;
        res = val;
        for (unsigned k = 0; k < c; k++) {
            uint32_t out = (res & msb) ? 1 : 0;
            res = ((res << 1) | cf) & m;
            cf = out;
        }
        of = (((res & msb) != 0) ^ cf) ? CC_O : 0;
        f = (f & ~(CC_C | CC_O)) | cf | of;
        break;
    }
    case 3: { /* RCR */
        unsigned c = bits < 32 ? count % (unsigned)(bits + 1) : count;
        res = val;
        for (unsigned k = 0; k < c; k++) {
            uint32_t out = res & 1;
            res = (res >> 1) | ((uint64_t)cf << (bits - 1));
            cf = out;
        }
        of = (((res >> (bits - 1)) ^ (res >> (bits - 2))) & 1) ? CC_O : 0;
        f = (f & ~(CC_C | CC_O)) | cf | of;
        break;
    }
    case 4:
    case 6: /* SHL */
        res = count < (unsigned)bits ? (val << count) & m : 0;
        cf = count <= (unsigned)bits ? (val >> (bits - count)) & 1 : 0;
        of = (((res & msb) != 0) ^ cf) ? CC_O : 0;
        f = szp(res, sz) | cf | of;
        break;
    case 5: /* SHR */
        res = count < (unsigned)bits ? val >> count : 0;
        cf = count <= (unsigned)bits ? (val >> (count - 1)) & 1 : 0;
        of = (val & msb) ? CC_O : 0;
        f = szp(res, sz) | cf | of;
        break;
    default: { /* SAR */
        int64_t sv = (int64_t)(val << (64 - bits)) >> (64 - bits);
        unsigned c = count > 63 ? 63 : count;
        res = (uint64_t)(sv >> c) & m;
        cf = (uint32_t)((sv >> (c - 1 > 63 ? 63 : c - 1)) & 1);
        f = szp(res, sz) | cf;
        break;
    }
    }
    set_flags(env, f);
    return res;
}

/* SHLD / SHRD (SDM): count masked to 5/6 bits; 0 changes nothing */
uint64_t helper_shld(CPUState *cs, uint64_t dst, uint64_t src, uint32_t count, uint32_t desc)
{
    CPUX86State *env = cpu_env(cs);
    bool right = desc & 1;
    int sz = (desc >> 4) & 3, bits = 8 << sz;
    uint64_t m = size_mask(sz), msb = 1ull << (bits - 1);
    uint32_t f = cur_flags(env);
    dst &= m;
    src &= m;
    if (count == 0) {
        set_flags(env, f);
        return dst;
    }
    uint64_t res;
    uint32_t cf;
    if (bits == 16) {
        /* 16-bit: counts above 16 give undefined results; use the 32-bit pattern dst:src:dst */
        uint64_t cat = right ? (dst | (src << 16) | (dst << 32)) : ((dst << 32) | (src << 16) | dst);
        if (right) {
            res = (cat >> count) & m;
            cf = (cat >> (count - 1)) & 1;
        } else {
            res = (cat << count >> 32) & m;
            cf = (cat << (count - 1) >> 47) & 1;
        }
    } else if (right) {
        res = ((dst >> count) | (src << (bits - count))) & m;
        cf = (dst >> (count - 1)) & 1;
    } else {
        res = ((dst << count) | (src >> (bits - count))) & m;
        cf = (dst >> (bits - count)) & 1;
    }
    uint32_t of = (((res ^ dst) & msb) != 0) ? CC_O : 0;
    set_flags(env, szp(res, sz) | cf | of);
    return res;
}

/* CMPXCHG8B/16B without LOCK are still done atomically: LOCK is implied by
 * the translator for these (it emits the atomic form); kept for 8B in
 * legacy code paths that want a helper. */
void helper_cmpxchg8b(CPUState *cs, uint64_t addr, uint32_t desc)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    int mmu = x86_mmu_idx(env);
    uint64_t old = cpu_ld_mmu(cs, addr, make_memop_idx(MO_64, (unsigned)mmu), ra);
    uint64_t cmp = ((env->regs[R_EDX] & 0xffffffffull) << 32) | (uint32_t)env->regs[R_EAX];
    uint32_t f = cur_flags(env);
    (void)desc;
    if (old == cmp) {
        uint64_t nv = ((env->regs[R_ECX] & 0xffffffffull) << 32) | (uint32_t)env->regs[R_EBX];
        cpu_st_mmu(cs, addr, nv, make_memop_idx(MO_64, (unsigned)mmu), ra);
        f |= CC_Z;
    } else {
        cpu_st_mmu(cs, addr, old, make_memop_idx(MO_64, (unsigned)mmu), ra);
        env->regs[R_EAX] = (uint32_t)old;
        env->regs[R_EDX] = old >> 32;
        f &= ~CC_Z;
    }
    set_flags(env, f);
}

/* ------------------------------------------------------------ decimal (BCD) */

/* SDM DAA/DAS/AAA/AAS/AAM/AAD "Operation"; flags the SDM leaves undefined are 0 */
void helper_bcd(CPUState *cs, uint32_t op, uint32_t imm)
{
    CPUX86State *env = cpu_env(cs);
    uint32_t f = cur_flags(env);
    uint32_t al = env->regs[R_EAX] & 0xff, ah = (env->regs[R_EAX] >> 8) & 0xff;
    bool cf = f & CC_C, af = f & CC_A;
    uint32_t nf = 0;
    switch (op) {
    case MN_DAA:
    case MN_DAS: {
        uint32_t old_al = al;
        bool ncf = false;
        if ((al & 0xf) > 9 || af) {
            if (op == MN_DAA) {
                ncf = cf || al + 6 > 0xff;
                al = (al + 6) & 0xff;
            } else {
                ncf = cf || al < 6;
                al = (al - 6) & 0xff;
            }
            nf |= CC_A;
        }
        if (old_al > 0x99 || cf) {
            al = (op == MN_DAA ? al + 0x60 : al - 0x60) & 0xff;
            ncf = true;
        }
        nf |= szp(al, 0) | (ncf ? CC_C : 0);
        break;
    }
    case MN_AAA:
    case MN_AAS: {
        uint32_t ax = al | (ah << 8);
        if ((al & 0xf) > 9 || af) {
            if (op == MN_AAA) {
                ax += 0x106;
            } else {
                ax -= 6;
                ax -= 0x100;
            }
            nf = CC_A | CC_C;
        }
        al = ax & 0x0f;
        ah = (ax >> 8) & 0xff;
        /* OF SF ZF PF are undefined: left clear */
        break;
    }
    case MN_AAM:
        if (imm == 0) {
            raise_exception_ra(env, EXCP00_DE, GETPC());
        }
        ah = al / imm;
        al = al % imm;
        nf = szp(al, 0);
        break;
    default: /* AAD */
        al = (al + ah * imm) & 0xff;
        ah = 0;
        nf = szp(al, 0);
        break;
    }
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | (ah << 8) | al;
    set_flags(env, nf);
}

/* ---------------------------------------------------------------- strings */

static void write_areg(CPUX86State *env, int r, uint64_t v, int asize)
{
    if (asize == MO_16) {
        env->regs[r] = (env->regs[r] & ~0xffffull) | (v & 0xffff);
    } else if (asize == MO_32) {
        env->regs[r] = (uint32_t)v;
    } else {
        env->regs[r] = v;
    }
}

static uint64_t str_linear(CPUX86State *env, int seg, uint64_t off, int asize)
{
    off &= size_mask(asize);
    if (env->hflags & HF_CS64) {
        if (seg == R_FS || seg == R_GS) {
            off += env->segs[seg].base;
        }
        return off;
    }
    return (off + env->segs[seg].base) & 0xffffffffull;
}

#define STR_BUDGET 4096 /* elements per helper call: bounds interrupt latency */

/* elements of size esz from offset off before the address-size wrap (asize < 64) */
static uint64_t str_before_wrap(uint64_t off, int asize, unsigned esz)
{
    if (asize >= MO_64) {
        return ~0ull;
    }
    uint64_t am = size_mask(asize);
    return (am - (off & am) + 1) / esz;
}

/*
 * REP MOVS / REP STOS, forward (DF=0), flat segments: one run of up to max
 * elements that stays inside one source and one destination page, done on
 * host memory (probe_access: RAM only, faults raised at the run's first
 * element as the element loop would, translated code on the destination
 * page invalidated first). Elements are copied in order, so an overlapping
 * MOVS (destination a few bytes above the source, as LZ decoders do) gives
 * the bytes of the element loop. Returns the elements done; 0: take the
 * element loop for one element (an element straddling a page, MMIO, a page
 * watched by record/replay).
 */
static uint64_t str_run(CPUState *cs, CPUX86State *env, int kind, int sz, int asize, int sseg,
                        int mmu, uint64_t max, uintptr_t ra)
{
    unsigned esz = 1u << sz;
    uint64_t si = env->regs[R_ESI], di = env->regs[R_EDI];
    uint64_t dst = str_linear(env, R_ES, di, asize);
    uint64_t n = max;
    uint64_t room = (TARGET_PAGE_SIZE - (dst & ~TARGET_PAGE_MASK)) / esz;
    n = n < room ? n : room;
    room = str_before_wrap(di, asize, esz);
    n = n < room ? n : room;
    uint64_t src = 0;
    if (kind == STR_MOVS) {
        src = str_linear(env, sseg, si, asize);
        room = (TARGET_PAGE_SIZE - (src & ~TARGET_PAGE_MASK)) / esz;
        n = n < room ? n : room;
        room = str_before_wrap(si, asize, esz);
        n = n < room ? n : room;
    }
    if (n == 0) {
        return 0;
    }
    int len = (int)(n * esz);
    uint8_t *s = NULL;
    if (kind == STR_MOVS) {
        s = probe_access(cs, src, len, MMU_DATA_LOAD, mmu, false, ra);
        if (!s) {
            return 0;
        }
    }
    uint8_t *d = probe_access(cs, dst, len, MMU_DATA_STORE, mmu, false, ra);
    if (!d) {
        return 0;
    }
    if (kind == STR_MOVS) {
        if (d >= s + len || s >= d + len) {
            memcpy(d, s, (size_t)len);
        } else {
            for (uint64_t k = 0; k < n; k++) { /* overlapping: element by element */
                uint64_t v;
                memcpy(&v, s + k * esz, esz);
                memcpy(d + k * esz, &v, esz);
            }
        }
        write_areg(env, R_ESI, si + n * esz, asize);
    } else if (esz == 1) {
        memset(d, (int)(env->regs[R_EAX] & 0xff), (size_t)len);
    } else {
        uint64_t v = env->regs[R_EAX];
        for (uint64_t k = 0; k < n; k++) {
            memcpy(d + k * esz, &v, esz); /* little-endian host: the low esz bytes */
        }
    }
    write_areg(env, R_EDI, di + n * esz, asize);
    return n;
}

uint32_t helper_string(CPUState *cs, uint32_t desc)
{
    CPUX86State *env = cpu_env(cs);
    uintptr_t ra = GETPC();
    int kind = STR_KIND(desc), sz = STR_SIZE(desc), asize = STR_ASIZE(desc);
    int rep = STR_REP(desc), mmu = STR_MMU(desc);
    int sseg = STR_SEG(desc) >= 0 ? STR_SEG(desc) : R_DS;
    MemOpIdx oi = make_memop_idx((MemOp)sz, (unsigned)mmu);
    int64_t step = (env->eflags & DF_MASK) ? -(1 << sz) : (1 << sz);
    uint64_t am = size_mask(asize), m = size_mask(sz);
    X86CPU *cpu = x86_cpu(cs);

    bool runs = rep && (kind == STR_MOVS || kind == STR_STOS) && step > 0 &&
                !(env->hflags & HF_SEGLIM) && !reemu_mode;
    for (int n = 0; n < STR_BUDGET; n++) {
        if (rep && (env->regs[R_ECX] & am) == 0) {
            return 0;
        }
        if (runs) {
            uint64_t left = env->regs[R_ECX] & am;
            uint64_t max = (uint64_t)(STR_BUDGET - n);
            uint64_t done = str_run(cs, env, kind, sz, asize, sseg, mmu, left < max ? left : max, ra);
            if (done) {
                write_areg(env, R_ECX, env->regs[R_ECX] - done, asize);
                n += (int)done - 1;
                continue;
            }
        }
        uint64_t si = env->regs[R_ESI], di = env->regs[R_EDI];
        uint64_t src = str_linear(env, sseg, si, asize);
        uint64_t dst = str_linear(env, R_ES, di, asize);
        if (env->hflags & HF_SEGLIM) {
            /* segment limits (SDM Vol.3 §5.3): ES:rDI is the destination, seg:rSI the source */
            bool uses_src = kind == STR_MOVS || kind == STR_LODS || kind == STR_CMPS ||
                            kind == STR_OUTS;
            bool uses_dst = kind != STR_LODS && kind != STR_OUTS;
            if (uses_src && !x86_seg_limit_ok(&env->segs[sseg], si & am, 1u << sz)) {
                raise_exception_err_ra(env, sseg == R_SS ? EXCP0C_SS : EXCP0D_GP, 0, ra);
            }
            if (uses_dst && !x86_seg_limit_ok(&env->segs[R_ES], di & am, 1u << sz)) {
                raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
            }
        }
        uint64_t a, b;
        switch (kind) {
        case STR_MOVS:
            a = cpu_ld_mmu(cs, src, oi, ra);
            cpu_st_mmu(cs, dst, a, oi, ra);
            write_areg(env, R_ESI, si + step, asize);
            write_areg(env, R_EDI, di + step, asize);
            break;
        case STR_STOS:
            cpu_st_mmu(cs, dst, env->regs[R_EAX] & m, oi, ra);
            write_areg(env, R_EDI, di + step, asize);
            break;
        case STR_LODS:
            a = cpu_ld_mmu(cs, src, oi, ra);
            if (sz == MO_32) {
                env->regs[R_EAX] = a;
            } else {
                env->regs[R_EAX] = (env->regs[R_EAX] & ~m) | a;
            }
            write_areg(env, R_ESI, si + step, asize);
            break;
        case STR_SCAS:
            b = cpu_ld_mmu(cs, dst, oi, ra);
            a = env->regs[R_EAX] & m;
            env->cc_src2 = a;
            env->cc_src = b;
            env->cc_dst = a - b;
            env->cc_op = CC_OP_SUBB + (uint32_t)sz;
            write_areg(env, R_EDI, di + step, asize);
            break;
        case STR_CMPS:
            a = cpu_ld_mmu(cs, src, oi, ra);
            b = cpu_ld_mmu(cs, dst, oi, ra);
            env->cc_src2 = a;
            env->cc_src = b;
            env->cc_dst = a - b;
            env->cc_op = CC_OP_SUBB + (uint32_t)sz;
            write_areg(env, R_ESI, si + step, asize);
            write_areg(env, R_EDI, di + step, asize);
            break;
        case STR_INS: {
            /* probe the destination first so a fault does not lose the port read */
            probe_access(cs, dst, 1 << sz, MMU_DATA_STORE, mmu, false, ra);
            uint16_t port = env->regs[R_EDX] & 0xffff;
            if (__builtin_expect(reemu_mode, 0)) { /* an input: replay reads the log */
                a = x86_reemu_input(cs, X86_RR_IN(port, 1u << sz),
                                    reemu_mode == REEMU_RECORD ? x86_port_in(cpu, port, 1u << sz) : 0,
                                    ra);
            } else {
                a = cpu->port_io.in ? cpu->port_io.in(cpu->port_io.opaque, port, 1u << sz) : m;
            }
            cpu_st_mmu(cs, dst, a & m, oi, ra);
            write_areg(env, R_EDI, di + step, asize);
            break;
        }
        default: { /* OUTS */
            uint16_t port = env->regs[R_EDX] & 0xffff;
            a = cpu_ld_mmu(cs, src, oi, ra);
            if (cpu->port_io.out) {
                cpu->port_io.out(cpu->port_io.opaque, port, a & m, 1u << sz);
            }
            write_areg(env, R_ESI, si + step, asize);
            break;
        }
        }
        if (!rep) {
            return 0;
        }
        write_areg(env, R_ECX, env->regs[R_ECX] - 1, asize);
        if (kind == STR_SCAS || kind == STR_CMPS) {
            bool zf = ((env->cc_dst) & m) == 0;
            if ((rep == 1 && !zf) || (rep == 2 && zf)) {
                return 0;
            }
        }
    }
    return (env->regs[R_ECX] & am) != 0;
}
