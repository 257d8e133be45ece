/*
 * tcg-op.h — the API a guest frontend uses to emit IR into tcg_ctx.
 *
 * Handles are typed (TCGv_i32, TCGv_i64, TCGv_ptr) so the C compiler checks
 * widths; each encodes a temp index + 1. Temps from tcg_temp_new_*() die at
 * the next label (TEMP_EBB); use tcg_temp_new_tb_*() for values that must
 * live across labels. Temps are never freed: they are dropped with the TB.
 *
 * Naming follows the op table: tcg_gen_<op>_<type>(ret, args...), with an
 * `i` suffix for a constant second operand (tcg_gen_addi_i64).
 * Functions here may expand to several ops (e.g. rotli with 0 is a mov).
 */
#ifndef TCG_TCG_OP_H
#define TCG_TCG_OP_H

#include "tcg/tcg.h"

typedef struct TCGv_i32_d *TCGv_i32;
typedef struct TCGv_i64_d *TCGv_i64;
typedef struct TCGv_i64_d *TCGv_ptr; /* host pointer: 64-bit hosts only */

static inline int tcgv_i32_idx(TCGv_i32 v)
{
    return (int)((uintptr_t)v - 1);
}
static inline int tcgv_i64_idx(TCGv_i64 v)
{
    return (int)((uintptr_t)v - 1);
}
static inline TCGv_i32 idx_tcgv_i32(int idx)
{
    return (TCGv_i32)(uintptr_t)(idx + 1);
}
static inline TCGv_i64 idx_tcgv_i64(int idx)
{
    return (TCGv_i64)(uintptr_t)(idx + 1);
}

/* the fixed temp holding the CPUState pointer (base of every global) */
TCGv_ptr tcg_env(void);

/* --- temps --- */
TCGv_i32 tcg_temp_new_i32(void);
TCGv_i64 tcg_temp_new_i64(void);
TCGv_i32 tcg_temp_new_tb_i32(void);
TCGv_i64 tcg_temp_new_tb_i64(void);
TCGv_i32 tcg_constant_i32(int32_t val);
TCGv_i64 tcg_constant_i64(int64_t val);
/* globals: a field of the CPU state at offset from the CPUState pointer.
 * Register them in the same order on every context (done once per core). */
TCGv_i32 tcg_global_mem_new_i32(intptr_t offset, const char *name);
TCGv_i64 tcg_global_mem_new_i64(intptr_t offset, const char *name);

/* --- labels and control flow --- */
TCGLabel *gen_new_label(void);
void gen_set_label(TCGLabel *l);
void tcg_gen_br(TCGLabel *l);
void tcg_gen_brcond_i32(TCGCond cond, TCGv_i32 a, TCGv_i32 b, TCGLabel *l);
void tcg_gen_brcond_i64(TCGCond cond, TCGv_i64 a, TCGv_i64 b, TCGLabel *l);
void tcg_gen_brcondi_i32(TCGCond cond, TCGv_i32 a, int32_t b, TCGLabel *l);
void tcg_gen_brcondi_i64(TCGCond cond, TCGv_i64 a, int64_t b, TCGLabel *l);

void tcg_gen_insn_start(uint64_t d0, uint64_t d1);
void tcg_gen_exit_tb(const struct TranslationBlock *tb, unsigned idx);
void tcg_gen_goto_tb(unsigned idx);
void tcg_gen_goto_ptr(TCGv_ptr dest);
/* lookup_and_goto_ptr: find the next TB by the CPU's current state and
 * jump to it, or return to the loop; ends the TB. */
void tcg_gen_lookup_and_goto_ptr(void);
void tcg_gen_mb(TCGBar kind);
void tcg_gen_discard_i32(TCGv_i32 a);
void tcg_gen_discard_i64(TCGv_i64 a);

/* --- generic families, both widths --- */
#define TCG_GEN_DECL2(name)                                                    \
    void tcg_gen_##name##_i32(TCGv_i32 ret, TCGv_i32 a);                       \
    void tcg_gen_##name##_i64(TCGv_i64 ret, TCGv_i64 a);
#define TCG_GEN_DECL3(name)                                                    \
    void tcg_gen_##name##_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);           \
    void tcg_gen_##name##_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
#define TCG_GEN_DECL3I(name)                                                   \
    void tcg_gen_##name##_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b);            \
    void tcg_gen_##name##_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b);

TCG_GEN_DECL2(mov)
TCG_GEN_DECL2(neg)
TCG_GEN_DECL2(not)
TCG_GEN_DECL2(ext8s)
TCG_GEN_DECL2(ext8u)
TCG_GEN_DECL2(ext16s)
TCG_GEN_DECL2(ext16u)
TCG_GEN_DECL2(bswap16) /* swap the low 2 bytes; result zero-extended */
TCG_GEN_DECL2(bswap32) /* swap the low 4 bytes; result zero-extended */
TCG_GEN_DECL2(ctpop)
TCG_GEN_DECL3(add)
TCG_GEN_DECL3(sub)
TCG_GEN_DECL3(mul)
TCG_GEN_DECL3(muluh)
TCG_GEN_DECL3(mulsh)
TCG_GEN_DECL3(div)  /* b == 0 or overflow: undefined; guard in the frontend */
TCG_GEN_DECL3(divu)
TCG_GEN_DECL3(rem)
TCG_GEN_DECL3(remu)
TCG_GEN_DECL3(and)
TCG_GEN_DECL3(or)
TCG_GEN_DECL3(xor)
TCG_GEN_DECL3(andc)
TCG_GEN_DECL3(orc)
TCG_GEN_DECL3(eqv)
TCG_GEN_DECL3(nand)
TCG_GEN_DECL3(nor)
TCG_GEN_DECL3(shl) /* count >= width: undefined */
TCG_GEN_DECL3(shr)
TCG_GEN_DECL3(sar)
TCG_GEN_DECL3(rotl)
TCG_GEN_DECL3(rotr)
TCG_GEN_DECL3(clz) /* ret = a ? clz(a) : b */
TCG_GEN_DECL3(ctz) /* ret = a ? ctz(a) : b */
TCG_GEN_DECL3I(addi)
TCG_GEN_DECL3I(subi)
TCG_GEN_DECL3I(muli)
TCG_GEN_DECL3I(andi)
TCG_GEN_DECL3I(ori)
TCG_GEN_DECL3I(xori)
TCG_GEN_DECL3I(shli) /* 0 <= b < width */
TCG_GEN_DECL3I(shri)
TCG_GEN_DECL3I(sari)
TCG_GEN_DECL3I(rotli)
TCG_GEN_DECL3I(rotri)
TCG_GEN_DECL3I(clzi)
TCG_GEN_DECL3I(ctzi)

void tcg_gen_movi_i32(TCGv_i32 ret, int32_t val);
void tcg_gen_movi_i64(TCGv_i64 ret, int64_t val);
void tcg_gen_ext32s_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_ext32u_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_bswap64_i64(TCGv_i64 ret, TCGv_i64 a);
/* width-generic extension by MemOp size|sign (MO_8..MO_64, MO_SIGN) */
void tcg_gen_ext_i64(TCGv_i64 ret, TCGv_i64 a, MemOp mop);

void tcg_gen_ext_i32_i64(TCGv_i64 ret, TCGv_i32 a);
void tcg_gen_extu_i32_i64(TCGv_i64 ret, TCGv_i32 a);
void tcg_gen_extrl_i64_i32(TCGv_i32 ret, TCGv_i64 a);
void tcg_gen_extrh_i64_i32(TCGv_i32 ret, TCGv_i64 a);
void tcg_gen_concat_i32_i64(TCGv_i64 ret, TCGv_i32 lo, TCGv_i32 hi);

void tcg_gen_mulu2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_mulu2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_muls2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_muls2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_add2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 al, TCGv_i64 ah, TCGv_i64 bl,
                      TCGv_i64 bh);
void tcg_gen_sub2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 al, TCGv_i64 ah, TCGv_i64 bl,
                      TCGv_i64 bh);
void tcg_gen_add2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 al, TCGv_i32 ah, TCGv_i32 bl,
                      TCGv_i32 bh);
void tcg_gen_sub2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 al, TCGv_i32 ah, TCGv_i32 bl,
                      TCGv_i32 bh);

void tcg_gen_setcond_i32(TCGCond c, TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_setcond_i64(TCGCond c, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_setcondi_i32(TCGCond c, TCGv_i32 ret, TCGv_i32 a, int32_t b);
void tcg_gen_setcondi_i64(TCGCond c, TCGv_i64 ret, TCGv_i64 a, int64_t b);
/* ret = cond ? -1 : 0 */
void tcg_gen_negsetcond_i32(TCGCond c, TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_negsetcond_i64(TCGCond c, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
/* ret = cond(c1, c2) ? v1 : v2 */
void tcg_gen_movcond_i32(TCGCond c, TCGv_i32 ret, TCGv_i32 c1, TCGv_i32 c2, TCGv_i32 v1,
                         TCGv_i32 v2);
void tcg_gen_movcond_i64(TCGCond c, TCGv_i64 ret, TCGv_i64 c1, TCGv_i64 c2, TCGv_i64 v1,
                         TCGv_i64 v2);

/* bit fields: 0 < len, ofs + len <= width */
void tcg_gen_extract_i32(TCGv_i32 ret, TCGv_i32 a, unsigned ofs, unsigned len);
void tcg_gen_extract_i64(TCGv_i64 ret, TCGv_i64 a, unsigned ofs, unsigned len);
void tcg_gen_sextract_i32(TCGv_i32 ret, TCGv_i32 a, unsigned ofs, unsigned len);
void tcg_gen_sextract_i64(TCGv_i64 ret, TCGv_i64 a, unsigned ofs, unsigned len);
void tcg_gen_deposit_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b, unsigned ofs, unsigned len);
void tcg_gen_deposit_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b, unsigned ofs, unsigned len);
/* ret = ((hi:lo) >> ofs), low width bits; 0 <= ofs <= width */
void tcg_gen_extract2_i32(TCGv_i32 ret, TCGv_i32 lo, TCGv_i32 hi, unsigned ofs);
void tcg_gen_extract2_i64(TCGv_i64 ret, TCGv_i64 lo, TCGv_i64 hi, unsigned ofs);

/* --- CPU state (host memory) access: base + constant offset --- */
void tcg_gen_ld8u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld8s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld16u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld16s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st8_i32(TCGv_i32 val, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st16_i32(TCGv_i32 val, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st_i32(TCGv_i32 val, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld8u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld8s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld16u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld16s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld32u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld32s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st8_i64(TCGv_i64 val, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st16_i64(TCGv_i64 val, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st32_i64(TCGv_i64 val, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st_i64(TCGv_i64 val, TCGv_ptr base, intptr_t ofs);

/* --- guest memory (softmmu); addr is the guest virtual address --- */
void tcg_gen_guest_ld_i32(TCGv_i32 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop);
void tcg_gen_guest_ld_i64(TCGv_i64 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop);
void tcg_gen_guest_st_i32(TCGv_i32 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop);
void tcg_gen_guest_st_i64(TCGv_i64 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop);
/* 16 bytes, single-copy atomic; lo at the lower address */
void tcg_gen_guest_ld_i128(TCGv_i64 lo, TCGv_i64 hi, TCGv_i64 addr, unsigned mmu_idx,
                           MemOp mop);
void tcg_gen_guest_st_i128(TCGv_i64 lo, TCGv_i64 hi, TCGv_i64 addr, unsigned mmu_idx,
                           MemOp mop);

/* --- guest atomics; ret receives the old value (extended per mop) --- */
void tcg_gen_atomic_cmpxchg_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 cmp, TCGv_i32 newv,
                                unsigned mmu_idx, MemOp mop);
void tcg_gen_atomic_cmpxchg_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 cmp, TCGv_i64 newv,
                                unsigned mmu_idx, MemOp mop);
void tcg_gen_atomic_rmw_i32(TCGAtomicOp aop, TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val,
                            unsigned mmu_idx, MemOp mop);
void tcg_gen_atomic_rmw_i64(TCGAtomicOp aop, TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val,
                            unsigned mmu_idx, MemOp mop);
void tcg_gen_atomic_cmpxchg_i128(TCGv_i64 retlo, TCGv_i64 rethi, TCGv_i64 addr,
                                 TCGv_i64 cmplo, TCGv_i64 cmphi, TCGv_i64 newlo,
                                 TCGv_i64 newhi, unsigned mmu_idx, MemOp mop);

/* --- helper calls (normally through gen_helper_* from helper-gen.h) --- */
/* args: temp indices; ret: temp index or -1 for void */
void tcg_gen_callN(const TCGHelperInfo *info, int ret, int nargs, const int *args);

#endif
