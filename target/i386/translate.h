/*
 * translate.h — shared between the x86 translator files: the disassembly
 * context, TCG globals and the small emitters every area uses.
 */
#ifndef TARGET_I386_TRANSLATE_H
#define TARGET_I386_TRANSLATE_H

#include "exec/translator.h"
#include "target/i386/cpu.h"
#include "target/i386/decode.h"

typedef struct DisasContext {
    DisasContextBase base;
    X86Insn in;         /* the instruction being translated */
    uint64_t pc_curr;   /* linear address of its first byte */
    uint64_t cs_base;
    uint32_t flags;     /* TB flags (hflags image) */
    X86CodeMode mode;
    int cpl;
    int mem_idx;
    CCOp cc_op;         /* known at translation time, or CC_OP_DYNAMIC */
    bool ss32, addseg;
    TCGv_i64 A0;        /* effective (linear) address of the memory operand */
    /* addresses this instruction stored to (same-TB self-modifying code check) */
    TCGv_i64 store_addr[4];
    int nstore;
    /* out-of-line exits of those checks, emitted after the TB's end */
#define X86_SMC_EXITS 32
    struct {
        TCGLabel *label;
        uint64_t next_eip;
    } smc_exit[X86_SMC_EXITS];
    int n_smc_exit;
} DisasContext;

/* string-instruction descriptor for helper_string */
enum {
    STR_MOVS, STR_STOS, STR_LODS, STR_SCAS, STR_CMPS, STR_INS, STR_OUTS,
};
#define STR_DESC(kind, size, asize, rep, seg, mmu)                                     \
    ((kind) | ((size) << 4) | ((asize) << 6) | ((rep) << 8) | (((seg) + 1) << 12) |   \
     ((mmu) << 16))
#define STR_KIND(d) ((d) & 15)
#define STR_SIZE(d) (((d) >> 4) & 3)
#define STR_ASIZE(d) (((d) >> 6) & 3)
#define STR_REP(d) (((d) >> 8) & 3) /* 0 none, 1 REP/REPE (F3), 2 REPNE (F2) */
#define STR_SEG(d) ((int)(((d) >> 12) & 15) - 1) /* -1: default DS */
#define STR_MMU(d) (((d) >> 16) & 3)

/* SSE ops handled by helper_sse_op: the X86Mnem value names the operation */

typedef void TransFn(DisasContext *s, X86Insn *in);

static inline uint64_t cur_eip(DisasContext *s)
{
    return s->pc_curr - s->cs_base;
}

static inline uint64_t next_eip(DisasContext *s)
{
    return s->base.pc_next - s->cs_base;
}

/* temps that survive labels (the TB's own lifetime) */
static inline TCGv_i64 tmp64(void)
{
    return tcg_temp_new_tb_i64();
}

static inline TCGv_i32 tmp32(void)
{
    return tcg_temp_new_tb_i32();
}

/* translate.c: emitters shared by the translator files */
void gen_update_rip(DisasContext *s, uint64_t eip);
void gen_exception(DisasContext *s, int vec);
void gen_exception_err(DisasContext *s, int vec, int err);
void gen_illegal(DisasContext *s);
void note_store(DisasContext *s, TCGv_i64 addr);
void gen_read_reg(TCGv_i64 d, int reg, bool hi, MemOp sz);
void gen_write_reg(int reg, bool hi, MemOp sz, TCGv_i64 v);
void gen_load(DisasContext *s, X86Insn *in, int n, TCGv_i64 d);
TCGv_i64 load_op(DisasContext *s, X86Insn *in, int n);
void gen_store(DisasContext *s, X86Insn *in, int n, TCGv_i64 v);

/* translate-sse.c */
TransFn trans_FPU, trans_sse_mov, trans_sse_logic, trans_sse_helper, trans_sse_fp,
    trans_mxcsr, trans_fxsave, trans_mmx, trans_mmx_shift_imm;
/* the translator of a mnemonic trans_table[] lacks (MMX .. SSE4.2, AES, BMI,
 * MOVBE, CRC32, ADX), or NULL; and the CPUID feature check of those */
TransFn *trans_vec_lookup(X86Insn *in);
bool vec_feature_ok(CPUX86State *env, X86Insn *in);

/* translate-bmi.c */
TransFn trans_bmi, trans_MOVBE, trans_CRC32, trans_ADX;

#endif
