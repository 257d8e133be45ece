/*
 * ldst.c — guest memory in the JIT: the softmmu TLB fast path inline, the
 * slow path out of line after the TB, 128-bit accesses and atomics.
 *
 * Fast path (include/exec/cpu.h, CPUTLBEntry), for an access of size bytes:
 *     mov   t0, addr
 *     shr   t0, TARGET_PAGE_BITS - 5          ; 32-byte entries
 *     and   t0d, (CPU_TLB_SIZE - 1) << 5
 *     lea   t1, [addr + size - 1]             ; or: mov t1, addr (aligned)
 *     and   t1, TARGET_PAGE_MASK              ;     and t1, PAGE_MASK|(size-1)
 *     cmp   t1, [env + t0 + tlb[mmu_idx] + addr_read/addr_write]
 *     jne   slow                              ; ra = the address after this
 *     mov   t1, [env + t0 + tlb[mmu_idx] + addend]
 *     op    [addr + t1]
 *   done:
 * (tlb_check explains the two forms of the compare.) The slow path saves
 * the caller-saved registers that hold live values (the access is not a
 * call for the register allocator, so values stay in registers across it),
 * calls helper_guest_ld/st(env, addr, [val,] oi, ra) and jumps back to
 * done. ra is the address just after the jne, inside this guest
 * instruction's inline code, as accel/tcg expects (ra - 1).
 *
 * Atomics hit only on the write entry of an aligned address and then use
 * the host's atomic instruction (lock cmpxchg/xadd, xchg, a cmpxchg loop,
 * lock cmpxchg16b); 128-bit loads/stores go through xmm0 on AVX hosts.
 * Everything else (byte-swapped atomics, 8/16-bit min/max, hosts without
 * the features) calls the cputlb.h helpers directly.
 */
#include <stddef.h>
#include <stdlib.h>

#include "exec/cpu.h"
#include "exec/cputlb.h"
#include "reemu/reemu.h"
#include "tcg/x86_64/jit.h"
#include "util/log.h"

_Static_assert(sizeof(CPUTLBEntry) == 32, "TLB entry size is hard-coded in the fast path");
_Static_assert(offsetof(CPUState, tlb) + sizeof(((CPUState *)0)->tlb) < (1u << 31),
               "TLB must be reachable with a disp32");
_Static_assert(offsetof(CPUState, tlb_full) + sizeof(((CPUState *)0)->tlb_full) < (1u << 31),
               "the TLB's side table must be reachable with a disp32");
_Static_assert(sizeof(CPUTLBFull) == 24, "reemu's inline path scales the TLB index by 24");
_Static_assert(sizeof(OrderCacheEntry) == 16 && offsetof(OrderCacheEntry, v) == 4 &&
                   offsetof(OrderCacheEntry, pos) == 8,
               "reemu's inline path knows the cache entry's layout");
_Static_assert(offsetof(OrderCore, progress) == offsetof(OrderCore, pos) + 8,
               "reemu's inline path stores pos and progress from one base");

static void add_slow(Gen *g, const SlowPath *sp)
{
    if (g->nb_slow == g->cap_slow) {
        g->cap_slow = g->cap_slow ? g->cap_slow * 2 : 16;
        g->slow = realloc(g->slow, sizeof(SlowPath) * (size_t)g->cap_slow);
        if (!g->slow) {
            fatal("tcg/x86_64: out of memory");
        }
    }
    g->slow[g->nb_slow++] = *sp;
}

enum { CHK_WRITE = 1, CHK_ALIGNED = 2, CHK_WATCH = 4 };

/* One more branch to sp's slow path (patched by gen_slow_paths). */
static void jcc_slow(Gen *g, SlowPath *sp, int cc)
{
    if (sp->n_more >= sizeof(sp->jcc_more) / sizeof(sp->jcc_more[0])) {
        fatal("tcg/x86_64: too many branches to one slow path");
    }
    emit_jcc_rel32(&g->a, cc);
    sp->jcc_more[sp->n_more++] = asm_off(&g->a) - 4;
}

/*
 * reemu record: the fast path of include/reemu/order.h (docs/reemu.md, "The
 * fast path") inline, for an aligned access of at most 8 bytes. The TLB check
 * (CHK_WATCH) hit only an entry that is exactly page | TLB_WATCH (plain RAM,
 * no code on the page). Code buffers are per core, so the core's cache, the
 * version table and the core's position are constants here. Every "no"
 * branches to the slow path before anything was changed, and the helper
 * then does the access (its C fast path, or the generic path).
 */
typedef struct InlineOrder {
    OrderCore *c; /* NULL: not inline */
    int re, rw, rt; /* cache entry, &W(o), scratch */
} InlineOrder;

/* Allocate the registers before the TLB check: nothing may be spilled after
 * a branch to the slow path (the slow path would skip the spill). */
static InlineOrder inline_order_start(Gen *g, MemOp mop, bool write)
{
    InlineOrder io = {.c = NULL};
    if ((mop & MO_SIZE) > MO_64 || !(io.c = reemu_fast_inline_core(g->s))) {
        io.c = NULL;
        return io;
    }
    if (write) {
        ra_scratch(g, RAX); /* lock cmpxchg compares with eax */
    }
    io.re = ra_alloc(g, REGS_ALLOC, 0);
    io.rw = ra_alloc(g, REGS_ALLOC, 0);
    io.rt = ra_alloc(g, REGS_ALLOC, 0);
    return io;
}

/* After the TLB hit (t0: the entry's index * 32): io->re = this core's cache
 * entry of the object, io->rw = &W(o); to the slow path if the entry holds
 * another object. t0 is free afterwards. */
static void inline_order_locate(Gen *g, InlineOrder *io, int raddr, int t0, MemOpIdx oi,
                                SlowPath *sp)
{
    X86Asm *a = &g->a;
    unsigned shift = reemu_fast.obj_shift;
    int32_t full_ofs = (int32_t)(offsetof(CPUState, tlb_full) +
                                 get_mmuidx(oi) * sizeof(CPUTLBFull) * CPU_TLB_SIZE +
                                 offsetof(CPUTLBFull, paddr));
    int re = io->re, rw = io->rw, rt = io->rt;
    /* the page's guest physical address: tlb_full[mmu][i], 24-byte entries */
    emit_shift_ri(a, 1, SH_SHR, t0, 2);    /* i * 8 */
    emit_mov_rr(a, 1, rt, t0);
    emit_alu_rr(a, 1, ALU_ADD, t0, t0);    /* i * 16 */
    emit_alu_rr(a, 1, ALU_ADD, t0, rt);    /* i * 24 */
    emit_rm_idx(a, OPC_MOV_LOAD | P_W, rw, TCG_AREG0, t0, full_ofs);
    emit_mov_rr(a, 0, rt, raddr);
    emit_alu_ri(a, 0, ALU_AND, rt, (int32_t)~TARGET_PAGE_MASK);
    emit_alu_rr(a, 1, ALU_OR, rw, rt);     /* paddr */
    /* rw = o * 4 (the version's offset), shift >= 3 */
    emit_shift_ri(a, 1, SH_SHR, rw, (int)shift - 2);
    emit_alu_ri(a, 1, ALU_AND, rw, -4);
    /* t0 = tag, (o >> ORDER_CACHE_BITS) + 1; re = the entry's offset, (o & mask) * 16 */
    emit_mov_rr(a, 1, t0, rw);
    emit_shift_ri(a, 1, SH_SHR, t0, ORDER_CACHE_BITS + 2);
    emit_alu_ri(a, 0, ALU_ADD, t0, 1);
    emit_mov_rr(a, 1, re, rw);
    emit_shift_ri(a, 1, SH_SHL, re, 2);
    emit_alu_ri(a, 1, ALU_AND, re, (int32_t)(((1u << ORDER_CACHE_BITS) - 1) << 4));
    emit_movi(a, 1, rt, (int64_t)(uintptr_t)io->c->cache, false);
    emit_alu_rr(a, 1, ALU_ADD, re, rt);
    emit_rm(a, ALU_CMP << 3 | OPC_ALU_RM, t0, re, (int32_t)offsetof(OrderCacheEntry, tag));
    jcc_slow(g, sp, CC_NE);
    emit_movi(a, 1, rt, (int64_t)(uintptr_t)io->c->w, false);
    emit_alu_rr(a, 1, ALU_ADD, rw, rt);
}

/* The access is done: the entry's pos = this position; pos++; publish. */
static void inline_order_count(Gen *g, InlineOrder *io, int t0)
{
    X86Asm *a = &g->a;
    emit_movi(a, 1, io->rt, (int64_t)(uintptr_t)&io->c->pos, false);
    emit_rm(a, OPC_MOV_LOAD | P_W, t0, io->rt, 0);
    emit_rm(a, OPC_MOV_STORE | P_W, t0, io->re, (int32_t)offsetof(OrderCacheEntry, pos));
    emit_alu_ri(a, 1, ALU_ADD, t0, 1);
    emit_rm(a, OPC_MOV_STORE | P_W, t0, io->rt, 0);
    emit_rm(a, OPC_MOV_STORE | P_W, t0, io->rt, 8); /* progress (a release store on x86) */
}

/*
 * Emit the TLB check; returns the addend register t1 (host = addr + t1).
 * An access that must be aligned (MO_ALIGN, host atomics) compares
 * addr & (PAGE_MASK | (size - 1)), so a misaligned one misses. Others compare
 * the page of their last byte, (addr + size - 1) & PAGE_MASK: a misaligned
 * access inside one page hits (x86 loads/stores any alignment), one that
 * crosses into the next page cannot match the entry of addr's page (the next
 * page has another index), and flagged entries never match either way.
 */
static int tlb_check(Gen *g, int raddr, MemOpIdx oi, int chk, int *t0_out, SlowPath *sp)
{
    X86Asm *a = &g->a;
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    int32_t tlb_ofs = (int32_t)(offsetof(CPUState, tlb) +
                                get_mmuidx(oi) * sizeof(CPUTLBEntry) * CPU_TLB_SIZE);
    int t0 = ra_alloc(g, REGS_ALLOC, 0);
    int t1 = ra_alloc(g, REGS_ALLOC, 0);

    emit_mov_rr(a, 1, t0, raddr);
    emit_shift_ri(a, 1, SH_SHR, t0, TARGET_PAGE_BITS - 5);
    emit_alu_ri(a, 0, ALU_AND, t0, (CPU_TLB_SIZE - 1) << 5);
    if ((chk & (CHK_ALIGNED | CHK_WATCH)) || (mop & MO_ALIGN) || size == 1) {
        emit_mov_rr(a, 1, t1, raddr);
        emit_alu_ri(a, 1, ALU_AND, t1, (int32_t)(TARGET_PAGE_MASK | (size - 1)));
        if (chk & CHK_WATCH) {
            emit_alu_ri(a, 1, ALU_OR, t1, (int32_t)TLB_WATCH); /* only plain watched RAM hits */
        }
    } else {
        emit_rm(a, OPC_LEA | P_W, t1, raddr, (int32_t)size - 1);
        emit_alu_ri(a, 1, ALU_AND, t1, (int32_t)TARGET_PAGE_MASK);
    }
    int32_t cmp_ofs = (chk & CHK_WRITE) ? (int32_t)offsetof(CPUTLBEntry, addr_write)
                                        : (int32_t)offsetof(CPUTLBEntry, addr_read);
    emit_rm_idx(a, (ALU_CMP << 3 | OPC_ALU_RM) | P_W, t1, TCG_AREG0, t0, tlb_ofs + cmp_ofs);
    emit_jcc_rel32(a, CC_NE);
    sp->jcc_off = asm_off(a) - 4;
    sp->ra_off = asm_off(a);
    emit_rm_idx(a, OPC_MOV_LOAD | P_W, t1, TCG_AREG0, t0,
                tlb_ofs + (int32_t)offsetof(CPUTLBEntry, addend));
    *t0_out = t0;
    return t1;
}

void gen_guest_ld(Gen *g)
{
    X86Asm *a = &g->a;
    MemOpIdx oi = (MemOpIdx)g->op->args[2];
    MemOp mop = get_memop(oi);
    int w64 = g->op->type == TCG_TYPE_I64;
    TCGTemp *ta = arg_temp(g, 1);
    int raddr = ra_load(g, ta, REGS_ALLOC);
    /*
     * The output may take the address register if the address dies here;
     * decide (and write back a dying TB temp) before the check, so the slow
     * path sees the same state as the fast path. Not with reemu's inline
     * path: its re-check after the load may still go to the slow path,
     * which needs the address.
     */
    InlineOrder io = inline_order_start(g, mop, false);
    bool reuse_addr = !io.c && ta->kind != TEMP_FIXED && ta->val_type == VAL_REG &&
                      ta->reg == raddr && (ta == arg_temp(g, 0) || ra_arg_dead(g, 1));
    if (reuse_addr && ta != arg_temp(g, 0)) {
        ra_kill(g, ta);
    }
    SlowPath sp = {.kind = SP_LD, .type = g->op->type, .addr_reg = (int8_t)raddr, .oi = oi};
    int t0;
    int t1 = tlb_check(g, raddr, oi, io.c ? CHK_WATCH : 0, &t0, &sp);
    int r = reuse_addr ? raddr : t1; /* the addend register is free after the access */
    if (io.c) {
        /* v = W(o), equal to the cached version; after the load, W(o) still v */
        inline_order_locate(g, &io, raddr, t0, oi, &sp);
        emit_rm(a, OPC_MOV_LOAD, t0, io.rw, 0);
        emit_rm(a, ALU_CMP << 3 | OPC_ALU_RM, t0, io.re, (int32_t)offsetof(OrderCacheEntry, v));
        jcc_slow(g, &sp, CC_NE);
    }
    bool sign = mop & MO_SIGN, bswap = mop & MO_BSWAP;
    int opc;
    switch (mop & MO_SIZE) {
    case MO_8:
        opc = sign ? (OPC_MOVSBL | (w64 ? P_W : 0)) : OPC_MOVZBL;
        emit_rm_idx(a, opc, r, raddr, t1, 0);
        break;
    case MO_16:
        if (bswap) {
            emit_rm_idx(a, OPC_MOVZWL, r, raddr, t1, 0);
            emit_rr(a, OPC_SHIFT_IMM | P_66, SH_ROL, r);
            emit8(a, 8);
            if (sign) {
                emit_rr(a, OPC_MOVSWL | (w64 ? P_W : 0), r, r);
            }
        } else {
            opc = sign ? (OPC_MOVSWL | (w64 ? P_W : 0)) : OPC_MOVZWL;
            emit_rm_idx(a, opc, r, raddr, t1, 0);
        }
        break;
    case MO_32:
        if (bswap) {
            emit_rm_idx(a, OPC_MOV_LOAD, r, raddr, t1, 0);
            emit_opc(a, OPC_BSWAP + (r & 7), 0, r, 0);
            if (sign && w64) {
                emit_rr(a, OPC_MOVSXD, r, r);
            }
        } else {
            emit_rm_idx(a, (sign && w64) ? OPC_MOVSXD : OPC_MOV_LOAD, r, raddr, t1, 0);
        }
        break;
    default:
        emit_rm_idx(a, OPC_MOV_LOAD | P_W, r, raddr, t1, 0);
        if (bswap) {
            emit_opc(a, (OPC_BSWAP + (r & 7)) | P_W, 0, r, 0);
        }
        break;
    }
    if (io.c) {
        emit_rm(a, ALU_CMP << 3 | OPC_ALU_RM, t0, io.rw, 0); /* TSO: loads stay in order */
        jcc_slow(g, &sp, CC_NE);
        inline_order_count(g, &io, t0);
    }
    sp.ret_off = asm_off(a);
    sp.val_reg = (int8_t)r;
    sp.save_mask = ra_live_caller_saved(g, (uint16_t)(1u << r));
    (void)w64;
    add_slow(g, &sp);
    ra_set_out(g, arg_temp(g, 0), r);
}

static uint64_t bswap_const(uint64_t v, unsigned size)
{
    switch (size) {
    case 2: return __builtin_bswap16((uint16_t)v);
    case 4: return __builtin_bswap32((uint32_t)v);
    case 8: return __builtin_bswap64(v);
    default: return v & 0xff;
    }
}

void gen_guest_st(Gen *g)
{
    X86Asm *a = &g->a;
    MemOpIdx oi = (MemOpIdx)g->op->args[2];
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    bool bswap = (mop & MO_BSWAP) && size > 1;
    TCGTemp *tv = arg_temp(g, 0);
    InlineOrder io = inline_order_start(g, mop, true);
    uint16_t allowed = io.c ? REGS_ALLOC & ~(1u << RAX) : REGS_ALLOC;
    int raddr = ra_load(g, arg_temp(g, 1), allowed);
    int rv = -1;
    int64_t imm = 0;
    bool use_imm = tv->kind == TEMP_CONST && (size < 8 || fits_s32(tv->val)) &&
                   (!bswap || size < 8 || fits_s32((int64_t)bswap_const((uint64_t)tv->val, 8)));
    if (use_imm) {
        imm = tv->val;
    } else {
        rv = ra_load(g, tv, allowed);
    }
    SlowPath sp = {.kind = SP_ST, .type = g->op->type, .addr_reg = (int8_t)raddr,
                   .val_reg = (int8_t)rv, .val_imm = imm, .oi = oi};
    int t0;
    int t1 = tlb_check(g, raddr, oi, io.c ? CHK_WRITE | CHK_WATCH : CHK_WRITE, &t0, &sp);
    if (io.c) {
        /* CAS W(o) from the cached version v to v + 1 (fails if it moved or is held) */
        inline_order_locate(g, &io, raddr, t0, oi, &sp);
        emit_rm(a, OPC_MOV_LOAD, RAX, io.re, (int32_t)offsetof(OrderCacheEntry, v));
        emit_rm(a, OPC_LEA, t0, RAX, 1);
        emit_rm(a, OPC_CMPXCHG | P_LOCK, t0, io.rw, 0);
        jcc_slow(g, &sp, CC_NE);
    }
    static const int mov_st[4] = {OPC_MOV_STORE8, OPC_MOV_STORE | P_66, OPC_MOV_STORE,
                                  OPC_MOV_STORE | P_W};
    int sz = mop & MO_SIZE;
    if (use_imm) {
        uint64_t v = bswap ? bswap_const((uint64_t)imm, size) : (uint64_t)imm;
        switch (sz) {
        case MO_8:
            emit_rm_idx(a, OPC_MOV_IMM8_RM, 0, raddr, t1, 0);
            emit8(a, (uint8_t)v);
            break;
        case MO_16:
            emit_rm_idx(a, OPC_MOV_IMM_RM | P_66, 0, raddr, t1, 0);
            emit16(a, (uint16_t)v);
            break;
        case MO_32:
            emit_rm_idx(a, OPC_MOV_IMM_RM, 0, raddr, t1, 0);
            emit32(a, (uint32_t)v);
            break;
        default:
            emit_rm_idx(a, OPC_MOV_IMM_RM | P_W, 0, raddr, t1, 0);
            emit32(a, (uint32_t)v);
            break;
        }
    } else if (!bswap) {
        emit_rm_idx(a, mov_st[sz], rv, raddr, t1, 0);
    } else if (x86_features.movbe) {
        int w = sz == MO_16 ? P_66 : sz == MO_64 ? P_W : 0;
        emit_rm_idx(a, OPC_MOVBE_STORE | w, rv, raddr, t1, 0);
    } else {
        /* t0 (the TLB index) is free now: swap a copy of the value there */
        emit_mov_rr(a, 1, t0, rv);
        if (sz == MO_16) {
            emit_rr(a, OPC_SHIFT_IMM | P_66, SH_ROL, t0);
            emit8(a, 8);
        } else {
            emit_opc(a, (OPC_BSWAP + (t0 & 7)) | (sz == MO_64 ? P_W : 0), 0, t0, 0);
        }
        emit_rm_idx(a, mov_st[sz], t0, raddr, t1, 0);
    }
    if (io.c) {
        /* W(o) = v + 2 (a release store on x86), the entry's version too */
        emit_alu_ri(a, 0, ALU_ADD, RAX, 2);
        emit_rm(a, OPC_MOV_STORE, RAX, io.rw, 0);
        emit_rm(a, OPC_MOV_STORE, RAX, io.re, (int32_t)offsetof(OrderCacheEntry, v));
        inline_order_count(g, &io, t0);
    }
    sp.ret_off = asm_off(a);
    sp.save_mask = ra_live_caller_saved(g, 0);
    add_slow(g, &sp);
}

/* --- helper-based ops --- */

static CallArg ca_temp(Gen *g, int argi)
{
    return (CallArg){.kind = CA_TEMP, .ctype = TCG_CALL_I64, .temp = (int)g->op->args[argi]};
}

static CallArg ca_const(int64_t v)
{
    return (CallArg){.kind = CA_CONST, .ctype = TCG_CALL_I64, .val = v};
}

static const CallArg ca_env = {.kind = CA_ENV, .ctype = TCG_CALL_PTR};
static const CallArg ca_ra = {.kind = CA_RA, .ctype = TCG_CALL_PTR};

/* store a temp into env->scratch128[idx] */
static void put_scratch(Gen *g, int argi, int idx)
{
    TCGTemp *t = arg_temp(g, argi);
    int32_t off = (int32_t)(offsetof(CPUState, scratch128) + 8 * (size_t)idx);
    if (t->kind == TEMP_CONST && fits_s32(t->val)) {
        emit_rm(&g->a, OPC_MOV_IMM_RM | P_W, 0, TCG_AREG0, off);
        emit32(&g->a, (uint32_t)t->val);
    } else {
        int r = ra_load(g, t, REGS_ALLOC);
        emit_rm(&g->a, OPC_MOV_STORE | P_W, r, TCG_AREG0, off);
    }
}

static void get_scratch(Gen *g, int argi, int idx)
{
    int32_t off = (int32_t)(offsetof(CPUState, scratch128) + 8 * (size_t)idx);
    int r = ra_alloc(g, REGS_ALLOC, 0);
    emit_rm(&g->a, OPC_MOV_LOAD | P_W, r, TCG_AREG0, off);
    ra_set_out(g, arg_temp(g, argi), r);
}

/*
 * 128-bit loads/stores inline through xmm0 (caller-saved, never holds a
 * value between ops): movdqu plus movq/pextrq (SSE4.1). Only on hosts with
 * AVX, whose aligned 16-byte accesses are single-copy atomic (Intel SDM
 * vol. 3A, 9.1.1); elsewhere, and for MO_BSWAP, the helpers.
 */
static bool inline_128(MemOp mop)
{
    return x86_features.sse41 && x86_features.avx && !(mop & MO_BSWAP);
}

/* 66 REX.W 0F 3A op /r ib (pextrq/pinsrq), reg = xmm, rm = gpr */
static void emit_xmm_q_lane(X86Asm *a, uint8_t op, int xmm, int gpr, int lane)
{
    emit_rr(a, op | P_0F3A | P_66 | P_W, xmm, gpr);
    emit8(a, (uint8_t)lane);
}

void gen_guest_ld128(Gen *g)
{
    MemOpIdx oi = (MemOpIdx)g->op->args[3];
    if (!inline_128(get_memop(oi))) {
        CallArg args[4] = {ca_env, ca_temp(g, 2), ca_const(oi), ca_ra};
        ra_call(g, (const void *)helper_guest_ld128, 4, args, TCG_CALL_NO_RWG);
        get_scratch(g, 0, 0);
        get_scratch(g, 1, 1);
        return;
    }
    X86Asm *a = &g->a;
    int raddr = ra_load(g, arg_temp(g, 2), REGS_ALLOC);
    SlowPath sp = {.kind = SP_LD128, .type = TCG_TYPE_I64, .addr_reg = (int8_t)raddr,
                   .val_reg = -1, .oi = oi};
    int t0;
    int t1 = tlb_check(g, raddr, oi, 0, &t0, &sp);
    emit_rm_idx(a, 0x6f | P_0F | P_F3, 0, raddr, t1, 0); /* movdqu xmm0, [m] */
    emit_rr(a, 0x7e | P_0F | P_66 | P_W, 0, t0);        /* movq t0, xmm0 */
    emit_xmm_q_lane(a, 0x16, 0, t1, 1);                  /* pextrq t1, xmm0, 1 */
    sp.ret_off = asm_off(a);
    sp.out_reg = (int8_t)t0;
    sp.cmp_reg = (int8_t)t1;
    sp.save_mask = ra_live_caller_saved(g, (uint16_t)((1u << t0) | (1u << t1)));
    add_slow(g, &sp);
    ra_set_out(g, arg_temp(g, 0), t0);
    ra_set_out(g, arg_temp(g, 1), t1);
}

void gen_guest_st128(Gen *g)
{
    MemOpIdx oi = (MemOpIdx)g->op->args[3];
    if (!inline_128(get_memop(oi))) {
        put_scratch(g, 0, 0);
        put_scratch(g, 1, 1);
        CallArg args[4] = {ca_env, ca_temp(g, 2), ca_const(oi), ca_ra};
        ra_call(g, (const void *)helper_guest_st128, 4, args, TCG_CALL_NO_RWG);
        return;
    }
    X86Asm *a = &g->a;
    int rlo = ra_load(g, arg_temp(g, 0), REGS_ALLOC);
    int rhi = ra_load(g, arg_temp(g, 1), REGS_ALLOC);
    int raddr = ra_load(g, arg_temp(g, 2), REGS_ALLOC);
    SlowPath sp = {.kind = SP_ST128, .type = TCG_TYPE_I64, .addr_reg = (int8_t)raddr,
                   .val_reg = (int8_t)rlo, .cmp_reg = (int8_t)rhi, .oi = oi};
    int t0;
    int t1 = tlb_check(g, raddr, oi, CHK_WRITE, &t0, &sp);
    emit_rr(a, 0x6e | P_0F | P_66 | P_W, 0, rlo);        /* movq xmm0, rlo */
    emit_xmm_q_lane(a, 0x22, 0, rhi, 1);                  /* pinsrq xmm0, rhi, 1 */
    emit_rm_idx(a, 0x7f | P_0F | P_F3, 0, raddr, t1, 0); /* movdqu [m], xmm0 */
    sp.ret_off = asm_off(a);
    sp.save_mask = ra_live_caller_saved(g, 0);
    add_slow(g, &sp);
}

/*
 * cmpxchg16b: compare rdx:rax with [m] (16-aligned: the TLB check's low
 * bits guarantee it on the fast path), store rcx:rbx if equal, else load
 * [m] into rdx:rax. Either way rdx:rax ends as the old value.
 */
static void atomic_cmpxchg128_inline(Gen *g)
{
    X86Asm *a = &g->a;
    MemOpIdx oi = (MemOpIdx)g->op->args[7];
    ra_load_into(g, 3, RAX);
    ra_load_into(g, 4, RDX);
    ra_load_into(g, 5, RBX);
    ra_load_into(g, 6, RCX);
    uint16_t fixed = (1u << RAX) | (1u << RDX) | (1u << RBX) | (1u << RCX);
    int raddr = ra_load(g, arg_temp(g, 2), REGS_ALLOC & ~fixed);
    SlowPath sp = {.kind = SP_CMPXCHG128, .type = TCG_TYPE_I64, .addr_reg = (int8_t)raddr,
                   .val_reg = -1, .cmp_reg = -1, .out_reg = RAX, .oi = oi};
    int t0;
    int t1 = tlb_check(g, raddr, oi, CHK_WRITE | CHK_ALIGNED, &t0, &sp);
    emit_rm_idx(a, OPC_GRP9 | P_W | P_LOCK, 1, raddr, t1, 0);
    sp.ret_off = asm_off(a);
    sp.save_mask = ra_live_caller_saved(g, fixed);
    add_slow(g, &sp);
    ra_set_out(g, arg_temp(g, 0), RAX);
    ra_set_out(g, arg_temp(g, 1), RDX);
}

void gen_atomic_cmpxchg128(Gen *g)
{
    MemOpIdx oi = (MemOpIdx)g->op->args[7];
    if (x86_features.cx16 && !(get_memop(oi) & MO_BSWAP)) {
        atomic_cmpxchg128_inline(g);
        return;
    }
    put_scratch(g, 3, 0);
    put_scratch(g, 4, 1);
    put_scratch(g, 5, 2);
    put_scratch(g, 6, 3);
    CallArg args[4] = {ca_env, ca_temp(g, 2), ca_const(oi), ca_ra};
    ra_call(g, (const void *)helper_atomic_cmpxchg128, 4, args, TCG_CALL_NO_RWG);
    get_scratch(g, 0, 0);
    get_scratch(g, 1, 1);
}

static void set_call_result(Gen *g)
{
    if (g->op->type == TCG_TYPE_I32) {
        emit_rr(&g->a, OPC_MOV_LOAD, RAX, RAX);
    }
    ra_set_out(g, arg_temp(g, 0), RAX);
}

static void atomic_cmpxchg_helper(Gen *g)
{
    MemOpIdx oi = (MemOpIdx)g->op->args[4];
    CallArg args[6] = {ca_env, ca_temp(g, 1), ca_temp(g, 2), ca_temp(g, 3), ca_const(oi), ca_ra};
    ra_call(g, (const void *)helper_atomic_cmpxchg, 6, args, TCG_CALL_NO_RWG);
    set_call_result(g);
}

static void atomic_rmw_helper(Gen *g)
{
    MemOpIdx oi = (MemOpIdx)g->op->args[3];
    uint32_t aop = (uint32_t)g->op->args[4];
    CallArg args[6] = {ca_env, ca_temp(g, 1), ca_temp(g, 2), ca_const(oi), ca_const(aop), ca_ra};
    ra_call(g, (const void *)helper_atomic_rmw, 6, args, TCG_CALL_NO_RWG);
    set_call_result(g);
}

/* r = the old memory value, extended per mop into the op's type */
static void extend_result(Gen *g, int r, MemOp mop)
{
    X86Asm *a = &g->a;
    int w64 = g->op->type == TCG_TYPE_I64;
    bool sign = mop & MO_SIGN;
    switch (mop & MO_SIZE) {
    case MO_8:
        emit_rr(a, (sign ? OPC_MOVSBL | (w64 ? P_W : 0) : OPC_MOVZBL) | P_BYTE_M, r, r);
        break;
    case MO_16:
        emit_rr(a, sign ? OPC_MOVSWL | (w64 ? P_W : 0) : OPC_MOVZWL, r, r);
        break;
    case MO_32:
        emit_rr(a, sign && w64 ? OPC_MOVSXD : OPC_MOV_LOAD, r, r);
        break;
    default:
        break;
    }
}

/* operand-size bits of a locked op on [mem], reg for an access of mop's size */
static int size_opc(MemOp mop, int opc32, int opc8)
{
    switch (mop & MO_SIZE) {
    case MO_8: return opc8;
    case MO_16: return opc32 | P_66;
    case MO_32: return opc32;
    default: return opc32 | P_W;
    }
}

/*
 * Inline atomics: the TLB check uses addr_write only (an atomic needs write
 * permission; in this emulator a writable page is always readable), so a
 * hit means plain RAM that may be written; the host instruction is then
 * the guest atomic (lock cmpxchg / lock xadd / xchg / a cmpxchg loop).
 * Misaligned, MMIO, not-dirty and byte-swapped accesses use the helpers.
 */
void gen_atomic_cmpxchg(Gen *g)
{
    MemOpIdx oi = (MemOpIdx)g->op->args[4];
    MemOp mop = get_memop(oi);
    if (mop & MO_BSWAP) {
        atomic_cmpxchg_helper(g);
        return;
    }
    X86Asm *a = &g->a;
    ra_load_into(g, 2, RAX); /* cmpxchg compares with and returns in rax */
    int raddr = ra_load(g, arg_temp(g, 1), REGS_ALLOC & ~(1u << RAX));
    int rnew = ra_load(g, arg_temp(g, 3), REGS_ALLOC & ~(1u << RAX));
    SlowPath sp = {.kind = SP_CMPXCHG, .type = g->op->type, .addr_reg = (int8_t)raddr,
                   .val_reg = (int8_t)rnew, .cmp_reg = RAX, .out_reg = RAX, .oi = oi};
    int t0;
    int t1 = tlb_check(g, raddr, oi, CHK_WRITE | CHK_ALIGNED, &t0, &sp);
    emit_rm_idx(a, size_opc(mop, OPC_CMPXCHG, OPC_CMPXCHG8) | P_LOCK, rnew, raddr, t1, 0);
    sp.ret_off = asm_off(a);
    sp.save_mask = ra_live_caller_saved(g, 1u << RAX);
    add_slow(g, &sp);
    extend_result(g, RAX, mop);
    ra_set_out(g, arg_temp(g, 0), RAX);
}

void gen_atomic_rmw(Gen *g)
{
    MemOpIdx oi = (MemOpIdx)g->op->args[3];
    MemOp mop = get_memop(oi);
    TCGAtomicOp aop = (TCGAtomicOp)g->op->args[4];
    bool small = (mop & MO_SIZE) < MO_32;
    bool minmax = aop == TCG_ATOMIC_SMIN || aop == TCG_ATOMIC_SMAX || aop == TCG_ATOMIC_UMIN ||
                  aop == TCG_ATOMIC_UMAX;
    if ((mop & MO_BSWAP) || (minmax && small)) {
        atomic_rmw_helper(g);
        return;
    }
    X86Asm *a = &g->a;
    SlowPath sp = {.kind = SP_RMW, .type = g->op->type, .oi = oi, .aop = aop, .cmp_reg = -1};
    int t0, t1, r;
    if (aop == TCG_ATOMIC_XCHG || aop == TCG_ATOMIC_ADD) {
        /* xchg [m], r / lock xadd [m], r: r = value in, old value out */
        int raddr = ra_load(g, arg_temp(g, 1), REGS_ALLOC);
        r = ra_out_from(g, 0, 2, (uint16_t)(1u << raddr));
        sp.addr_reg = (int8_t)raddr;
        sp.val_reg = sp.out_reg = (int8_t)r;
        t1 = tlb_check(g, raddr, oi, CHK_WRITE | CHK_ALIGNED, &t0, &sp);
        if (aop == TCG_ATOMIC_XCHG) {
            emit_rm_idx(a, size_opc(mop, OPC_XCHG, 0x86 | P_BYTE_R), r, raddr, t1, 0);
        } else {
            emit_rm_idx(a, size_opc(mop, OPC_XADD, OPC_XADD8) | P_LOCK, r, raddr, t1, 0);
        }
    } else {
        /* rax = old; loop: new = op(rax, val); lock cmpxchg [m], new; jne loop */
        ra_scratch(g, RAX);
        int raddr = ra_load(g, arg_temp(g, 1), REGS_ALLOC & ~(1u << RAX));
        int rv = ra_load(g, arg_temp(g, 2), REGS_ALLOC & ~(1u << RAX));
        sp.addr_reg = (int8_t)raddr;
        sp.val_reg = (int8_t)rv;
        sp.out_reg = RAX;
        r = RAX;
        t1 = tlb_check(g, raddr, oi, CHK_WRITE | CHK_ALIGNED, &t0, &sp);
        int rnew = t0; /* the TLB index is no longer needed */
        emit_alu_rr(a, 1, ALU_ADD, t1, raddr); /* t1 = host address */
        int w64 = (mop & MO_SIZE) == MO_64;
        switch (mop & MO_SIZE) {
        case MO_8: emit_rm(a, OPC_MOVZBL, RAX, t1, 0); break;
        case MO_16: emit_rm(a, OPC_MOVZWL, RAX, t1, 0); break;
        case MO_32: emit_rm(a, OPC_MOV_LOAD, RAX, t1, 0); break;
        default: emit_rm(a, OPC_MOV_LOAD | P_W, RAX, t1, 0); break;
        }
        uint32_t loop = asm_off(a);
        switch (aop) {
        case TCG_ATOMIC_ANDC:
            emit_mov_rr(a, 1, rnew, rv);
            emit_rr(a, OPC_GRP3 | P_W, G3_NOT, rnew);
            emit_alu_rr(a, 1, ALU_AND, rnew, RAX);
            break;
        case TCG_ATOMIC_SMIN:
        case TCG_ATOMIC_SMAX:
        case TCG_ATOMIC_UMIN:
        case TCG_ATOMIC_UMAX: {
            /* new = old; if (old <cond> val) new = val, compared at the access size */
            static const int take_val[4] = {CC_G, CC_L, CC_A, CC_B};
            int cc = take_val[aop - TCG_ATOMIC_SMIN];
            emit_mov_rr(a, 1, rnew, RAX);
            emit_alu_rr(a, w64, ALU_CMP, rnew, rv);
            emit_rr(a, (OPC_CMOVCC + cc) | P_W, rnew, rv);
            break;
        }
        default: {
            int alu = aop == TCG_ATOMIC_AND ? ALU_AND : aop == TCG_ATOMIC_OR ? ALU_OR : ALU_XOR;
            emit_mov_rr(a, 1, rnew, RAX);
            emit_alu_rr(a, 1, alu, rnew, rv);
            break;
        }
        }
        emit_rm(a, size_opc(mop, OPC_CMPXCHG, OPC_CMPXCHG8) | P_LOCK, rnew, t1, 0);
        int32_t back = (int32_t)loop - (int32_t)(asm_off(a) + 2);
        emit8(a, OPC_JCC_SHORT + CC_NE);
        emit8(a, (uint8_t)back);
    }
    sp.ret_off = asm_off(a);
    sp.save_mask = ra_live_caller_saved(g, (uint16_t)(1u << r));
    add_slow(g, &sp);
    extend_result(g, r, mop);
    ra_set_out(g, arg_temp(g, 0), r);
}

/* --- out-of-line slow paths --- */

static void save_regs(Gen *g, uint16_t mask, bool restore)
{
    for (int r = 0; r < 16; r++) {
        if (mask & (1u << r)) {
            emit_rm(&g->a, (restore ? OPC_MOV_LOAD : OPC_MOV_STORE) | P_W, r, RSP,
                    FRAME_SAVE_OFF + r * 8);
        }
    }
}

bool gen_slow_paths(Gen *g)
{
    X86Asm *a = &g->a;
    for (int i = 0; i < g->nb_slow; i++) {
        SlowPath *sp = &g->slow[i];
        if (a->ptr + 512 > a->end) {
            return false;
        }
        patch32(a, sp->jcc_off, asm_off(a) - (sp->jcc_off + 4));
        for (int k = 0; k < sp->n_more; k++) {
            patch32(a, sp->jcc_more[k], asm_off(a) - (sp->jcc_more[k] + 4));
        }
        save_regs(g, sp->save_mask, false);
        uint32_t ra_patch;
        const void *helper;
        /* SysV arguments: env, addr, then per helper (include/exec/cputlb.h) */
        int8_t dst[3] = {RSI, RDX, RCX}, src[3] = {sp->addr_reg, sp->val_reg, sp->cmp_reg};
        switch (sp->kind) {
        case SP_LD:
            ra_parallel_move(g, 1, dst, src);
            emit_mov_rr(a, 1, RDI, TCG_AREG0);
            emit_movi(a, 0, RDX, sp->oi, false);
            ra_patch = emit_rip(a, OPC_LEA | P_W, RCX);
            helper = (const void *)helper_guest_ld;
            break;
        case SP_ST:
        case SP_RMW:
            ra_parallel_move(g, sp->val_reg >= 0 ? 2 : 1, dst, src);
            if (sp->val_reg < 0) {
                emit_movi(a, 1, RDX, sp->val_imm, false);
            }
            emit_mov_rr(a, 1, RDI, TCG_AREG0);
            emit_movi(a, 0, RCX, sp->oi, false);
            if (sp->kind == SP_ST) {
                ra_patch = emit_rip(a, OPC_LEA | P_W, R8);
                helper = (const void *)helper_guest_st;
            } else {
                emit_movi(a, 0, R8, sp->aop, false);
                ra_patch = emit_rip(a, OPC_LEA | P_W, R9);
                helper = (const void *)helper_atomic_rmw;
            }
            break;
        case SP_LD128:
        case SP_ST128:
            /* (env, addr, oi, ra); the value through env->scratch128[0..1] */
            if (sp->kind == SP_ST128) {
                emit_rm(a, OPC_MOV_STORE | P_W, sp->val_reg, TCG_AREG0,
                        (int32_t)offsetof(CPUState, scratch128));
                emit_rm(a, OPC_MOV_STORE | P_W, sp->cmp_reg, TCG_AREG0,
                        (int32_t)offsetof(CPUState, scratch128) + 8);
            }
            ra_parallel_move(g, 1, dst, src);
            emit_mov_rr(a, 1, RDI, TCG_AREG0);
            emit_movi(a, 0, RDX, sp->oi, false);
            ra_patch = emit_rip(a, OPC_LEA | P_W, RCX);
            helper = sp->kind == SP_LD128 ? (const void *)helper_guest_ld128
                                          : (const void *)helper_guest_st128;
            break;
        case SP_CMPXCHG128: {
            /* operands through env->scratch128 (cputlb.h): cmp, new in; old out */
            static const int8_t regs[4] = {RAX, RDX, RBX, RCX};
            for (int k = 0; k < 4; k++) {
                emit_rm(a, OPC_MOV_STORE | P_W, regs[k], TCG_AREG0,
                        (int32_t)(offsetof(CPUState, scratch128) + 8 * (size_t)k));
            }
            ra_parallel_move(g, 1, dst, src);
            emit_mov_rr(a, 1, RDI, TCG_AREG0);
            emit_movi(a, 0, RDX, sp->oi, false);
            ra_patch = emit_rip(a, OPC_LEA | P_W, RCX);
            helper = (const void *)helper_atomic_cmpxchg128;
            break;
        }
        default: /* SP_CMPXCHG: (env, addr, cmp, new, oi, ra) */
            src[1] = sp->cmp_reg;
            src[2] = sp->val_reg;
            ra_parallel_move(g, 3, dst, src);
            emit_mov_rr(a, 1, RDI, TCG_AREG0);
            emit_movi(a, 0, R8, sp->oi, false);
            ra_patch = emit_rip(a, OPC_LEA | P_W, R9);
            helper = (const void *)helper_atomic_cmpxchg;
            break;
        }
        patch32(a, ra_patch, sp->ra_off - (ra_patch + 4));
        emit_call_abs(g, helper);
        if (sp->kind == SP_LD) {
            /* the helper extends to 64 bits; an I32 keeps its high half zero */
            if (sp->type == TCG_TYPE_I32) {
                emit_rr(a, OPC_MOV_LOAD, sp->val_reg, RAX);
            } else {
                emit_mov_rr(a, 1, sp->val_reg, RAX);
            }
        } else if (sp->kind == SP_LD128) {
            emit_rm(a, OPC_MOV_LOAD | P_W, sp->out_reg, TCG_AREG0,
                    (int32_t)offsetof(CPUState, scratch128));
            emit_rm(a, OPC_MOV_LOAD | P_W, sp->cmp_reg, TCG_AREG0,
                    (int32_t)offsetof(CPUState, scratch128) + 8);
        } else if (sp->kind == SP_CMPXCHG128) {
            for (int k = 0; k < 2; k++) {
                emit_rm(a, OPC_MOV_LOAD | P_W, k ? RDX : RAX, TCG_AREG0,
                        (int32_t)(offsetof(CPUState, scratch128) + 8 * (size_t)k));
            }
        } else if (sp->kind == SP_CMPXCHG || sp->kind == SP_RMW) {
            emit_mov_rr(a, 1, sp->out_reg, RAX); /* extended again at ret_off */
        }
        save_regs(g, sp->save_mask, true);
        emit8(a, OPC_JMP_LONG);
        emit32(a, sp->ret_off - (asm_off(a) + 4));
    }
    return true;
}
