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

#endif
