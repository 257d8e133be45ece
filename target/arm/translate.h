/*
 * translate.h — shared state of the A64 translator, split by area:
 *   translate-a64.c   loop hooks, integer data processing, branches, system
 *   translate-ldst.c  loads, stores, exclusives, atomics
 *   translate-fp.c    scalar FP; translate-simd.c AdvSIMD
 * Each file includes its own generated decoder (a64*.decode) and exports one
 * a64_decode_*() entry; translate-a64.c tries them in turn.
 *
 * TCG globals are per core context but registered in the same order on
 * every core, so their handles are equal everywhere; they are __thread only
 * to keep the registration free of cross-thread writes.
 */
#ifndef TARGET_ARM_TRANSLATE_H
#define TARGET_ARM_TRANSLATE_H

#include "exec/translator.h"
#include "target/arm/cpu.h"
#include "tcg/tcg-op.h"
#include "util/log.h"

typedef struct DisasContext {
    DisasContextBase base;
    CPUARMState *env;
    uint64_t pc_curr; /* address of the instruction being translated */
    uint32_t insn;
    int el;
    int mmu_idx;
    bool fp_enabled;
    bool fp_checked; /* FP access check emitted for this insn */
    bool uma;
    bool spsel; /* PSTATE.SP (TB flag) */
} DisasContext;

/* frontend jump types */
#define DISAS_UPDATE_EXIT DISAS_TARGET_0    /* pc := next; back to the loop (irqs) */
#define DISAS_UPDATE_NOCHAIN DISAS_TARGET_1 /* pc := next; lookup next TB */
#define DISAS_JUMP DISAS_TARGET_2           /* cpu_pc already set; lookup next TB */
#define DISAS_WFI DISAS_TARGET_3
#define DISAS_WFE DISAS_TARGET_4

extern __thread TCGv_i64 cpu_X[31];
extern __thread TCGv_i64 cpu_SP, cpu_pc;
extern __thread TCGv_i32 cpu_NF, cpu_ZF, cpu_CF, cpu_VF;
extern __thread TCGv_i64 cpu_excl_addr, cpu_excl_val, cpu_excl_val2;

#define ENV_OFF(field) ((intptr_t)offsetof(ARMCPU, env.field))

/* register 31 reads as zero / writes are dropped */
TCGv_i64 read_x(DisasContext *s, int r);
TCGv_i64 dest_x(DisasContext *s, int r);
/* register 31 is SP */
TCGv_i64 reg_sp(DisasContext *s, int r);
/* write a result, zero-extending 32-bit ones */
void write_x(DisasContext *s, int r, TCGv_i64 v, bool sf);

void gen_exception_insn(DisasContext *s, int excp, uint32_t syndrome);
void unallocated(DisasContext *s);
/* Emit the FP/SIMD access check; false if the insn trapped (stop translating it). */
bool fp_access_check(DisasContext *s);
void gen_goto_tb(DisasContext *s, int n, uint64_t dest);

typedef struct DisasCompare {
    TCGCond cond;
    TCGv_i32 value; /* compare value against 0 with cond */
} DisasCompare;
void arm_test_cc(DisasCompare *c, int cc);

/* NZCV from a result (N, Z) and explicit C/V */
void gen_set_nz64(TCGv_i64 r);
void gen_logic_cc(bool sf, TCGv_i64 r);
void gen_add_cc(bool sf, TCGv_i64 dest, TCGv_i64 a, TCGv_i64 b);
void gen_sub_cc(bool sf, TCGv_i64 dest, TCGv_i64 a, TCGv_i64 b);

/* FP/SIMD register file offsets (relative to env base register) */
static inline intptr_t vreg_off(int r)
{
    return ENV_OFF(v[r][0]);
}
static inline intptr_t vreg_hi_off(int r)
{
    return ENV_OFF(v[r][1]);
}
/* offset of element idx of size (log2 bytes) */
static inline intptr_t vreg_elt_off(int r, int idx, int size)
{
    return vreg_off(r) + ((intptr_t)idx << size);
}
void clear_vec_high(DisasContext *s, int rd); /* zero bits 127:64 */

bool a64_decode_ldst(DisasContext *s, uint32_t insn);
bool a64_decode_fp(DisasContext *s, uint32_t insn);

/* address computation helpers shared by ldst */
TCGv_i64 gen_addr_clean(DisasContext *s, TCGv_i64 addr);

#endif
