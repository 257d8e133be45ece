/*
 * jit.h — state shared by the files of the x86-64 JIT backend
 * (regalloc.c: register allocator and calls; codegen.c: ops, prologue,
 * backend entry points; ldst.c: guest memory through the softmmu TLB).
 *
 * Host register use:
 *   rbp        env (the TEMP_FIXED temp s->env_temp), for the whole TB
 *   rsp        the frame set up by the prologue, 16-byte aligned:
 *                [rsp + 0, +16)                 stack arguments of calls
 *                [rsp + FRAME_SAVE_OFF, +128)   slow paths save live regs here
 *                [rsp + FRAME_SPILL_OFF, ...)   NB_SPILL_SLOTS spill slots
 *   the other 14 registers are allocated, callee-saved ones first.
 *
 * Temp states (TCGTemp.val_type): VAL_DEAD (no value), VAL_REG (in t->reg;
 * mem_coherent says whether memory holds the same value), VAL_MEM (only in
 * memory: env + mem_offset for globals, rsp + mem_offset for the others),
 * VAL_CONST (a TEMP_CONST with no register copy).
 */
#ifndef TCG_X86_64_JIT_H
#define TCG_X86_64_JIT_H

#include <stdbool.h>
#include <stdint.h>

#include "tcg/tcg.h"
#include "tcg/x86_64/x86-asm.h"

enum { VAL_DEAD, VAL_REG, VAL_MEM, VAL_CONST };

#define TCG_AREG0 RBP
#define NB_SPILL_SLOTS 2048
#define FRAME_CALL_AREA 16
#define FRAME_SAVE_OFF FRAME_CALL_AREA
#define FRAME_SPILL_OFF (FRAME_SAVE_OFF + 16 * 8)
/* 6 pushes + return address = 56 bytes; frame size = 8 mod 16 keeps rsp aligned */
#define FRAME_SIZE (FRAME_SPILL_OFF + NB_SPILL_SLOTS * 8 + 8)

#define REGS_ALL 0xffffu
#define REGS_ALLOC (REGS_ALL & ~(1u << RSP) & ~(1u << RBP))
#define REGS_CALLER_SAVED                                                              \
    ((1u << RAX) | (1u << RCX) | (1u << RDX) | (1u << RSI) | (1u << RDI) | (1u << R8) |  \
     (1u << R9) | (1u << R10) | (1u << R11))
#define REGS_CALLEE_SAVED (REGS_ALLOC & ~REGS_CALLER_SAVED)

/* host CPU features, probed once (cpuid) */
typedef struct X86Features {
    bool lzcnt, bmi1, bmi2, popcnt, movbe, cx16, sse41, avx;
} X86Features;
extern X86Features x86_features;

/* An out-of-line guest memory slow path, emitted after the TB's code. */
enum { SP_LD, SP_ST, SP_CMPXCHG, SP_RMW, SP_CMPXCHG128, SP_LD128, SP_ST128 };
typedef struct SlowPath {
    uint8_t kind;       /* SP_* */
    uint8_t type;       /* TCGType of the value */
    int8_t addr_reg;
    int8_t val_reg;     /* load: destination; store/rmw: value (-1: val_imm); cmpxchg: new */
    int8_t cmp_reg;     /* cmpxchg: compare value; ld128/st128: high half */
    int8_t out_reg;     /* rmw/cmpxchg: where the old value goes; ld128: low half */
    int64_t val_imm;
    MemOpIdx oi;
    uint32_t aop;       /* rmw: TCGAtomicOp */
    uint16_t save_mask; /* caller-saved registers live across the access */
    uint32_t jcc_off;   /* disp32 of the inline branch to the slow path */
    uint32_t ret_off;   /* where the slow path jumps back to */
    uint32_t ra_off;    /* the "return address" passed to the helper */
    uint32_t jcc_more[4]; /* more branches to it (reemu's inline fast path) */
    uint8_t n_more;
} SlowPath;

typedef struct Reloc {
    uint32_t off; /* disp32 to patch (relative to off + 4) */
    int label;
} Reloc;

typedef struct Gen {
    X86Asm a;
    TCGContext *s;
    TCGOp *op;      /* op being compiled */
    int op_idx;
    int16_t reg_temp[16];  /* temp held by each register, -1 none */
    uint32_t reg_stamp[16]; /* last use (op index) for the spill choice */
    uint16_t locked;        /* registers the current op must not lose */
    /* flags left by the last ALU op (a later "test r, r" may be skipped):
     * valid while asm_off == flags_off */
    uint32_t flags_off;
    int8_t flags_reg;
    bool flags_w64, flags_logic; /* logic: CF = OF = 0 as after test */
    uint64_t slot_used[NB_SPILL_SLOTS / 64];
    SlowPath *slow;
    int nb_slow, cap_slow;
    Reloc *relocs;
    int nb_relocs, cap_relocs;
    /* [temp]: index of the last op reading it; the first loop head (set_label
     * targeted by a backward branch) and the last backward branch, if any */
    int *tb_last_read;
    int loop_head, loop_end;
} Gen;

/* argument descriptor for ra_call */
enum { CA_TEMP, CA_CONST, CA_ENV, CA_RA };
typedef struct CallArg {
    uint8_t kind;
    uint8_t ctype; /* TCGCallType */
    int temp;
    int64_t val;
} CallArg;

static inline TCGTemp *arg_temp(Gen *g, int i)
{
    return &g->s->temps[g->op->args[i]];
}

static inline int temp_idx(Gen *g, const TCGTemp *t)
{
    return (int)(t - g->s->temps);
}

static inline bool fits_s32(int64_t v)
{
    return v == (int32_t)v;
}

/* regalloc.c */
void ra_init(Gen *g);
bool ra_tb_temp_done(Gen *g, const TCGTemp *t);
int ra_alloc(Gen *g, uint16_t allowed, uint16_t prefer);
int ra_load(Gen *g, TCGTemp *t, uint16_t allowed);
void ra_copy_into(Gen *g, TCGTemp *t, int r, bool keep_flags);
void ra_evict(Gen *g, int r);
int ra_scratch(Gen *g, int r);
int ra_load_into(Gen *g, int argi, int r);
bool ra_arg_dead(Gen *g, int argi);
int ra_out_from(Gen *g, int out_argi, int in_argi, uint16_t avoid);
void ra_set_out(Gen *g, TCGTemp *t, int r);
void ra_finish_op(Gen *g);
void ra_sync(Gen *g, TCGTemp *t);
void ra_release(Gen *g, TCGTemp *t);
void ra_kill(Gen *g, TCGTemp *t);
void ra_sync_globals(Gen *g, bool tb_temps_too);
void ra_drop_all(Gen *g);
void ra_drop_globals(Gen *g);
void ra_forget_all(Gen *g);
void ra_parallel_move(Gen *g, int n, int8_t *dst, int8_t *src);
void ra_mem_loc(Gen *g, TCGTemp *t, int *base, int32_t *disp);
void ra_call(Gen *g, const void *func, int nargs, const CallArg *args, unsigned flags);
uint16_t ra_live_caller_saved(Gen *g, uint16_t exclude);
void ra_env_load_alias(Gen *g, intptr_t ofs, int size);
void ra_env_store_alias(Gen *g, intptr_t ofs, int size);
void emit_call_abs(Gen *g, const void *func);

/* ldst.c */
void gen_guest_ld(Gen *g);
void gen_guest_st(Gen *g);
void gen_guest_ld128(Gen *g);
void gen_guest_st128(Gen *g);
void gen_atomic_cmpxchg(Gen *g);
void gen_atomic_rmw(Gen *g);
void gen_atomic_cmpxchg128(Gen *g);
bool gen_slow_paths(Gen *g);

#endif
