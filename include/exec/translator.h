/*
 * translator.h — the generic translation loop every guest frontend plugs into.
 *
 * translator_loop() emits the TB prologue (the exit-word check, and in
 * exact-counting mode the instruction budget), then for each guest
 * instruction: insn_start hook, translate_insn hook, until the frontend
 * sets is_jmp, the TB reaches max_insns, or the next instruction would
 * start on another page; then tb_stop and the TB epilogue. It also fills
 * tb->size and tb->icount. Frontends fetch code with translator_ld*() so
 * that page crossings are recorded for invalidation.
 */
#ifndef EXEC_TRANSLATOR_H
#define EXEC_TRANSLATOR_H

#include "exec/tb.h"
#include "tcg/tcg-op.h"

typedef enum DisasJumpType {
    DISAS_NEXT,     /* keep translating */
    DISAS_TOO_MANY, /* stopped by the loop (budget/page): PC is pc_next */
    DISAS_NORETURN, /* the frontend emitted the TB exit itself */
    DISAS_TARGET_0, /* frontend-defined from here up */
    DISAS_TARGET_1,
    DISAS_TARGET_2,
    DISAS_TARGET_3,
    DISAS_TARGET_4,
    DISAS_TARGET_5,
} DisasJumpType;

typedef struct DisasContextBase {
    TranslationBlock *tb;
    CPUState *cpu;
    uint64_t pc_first;
    uint64_t pc_next;
    DisasJumpType is_jmp;
    int num_insns;
    int max_insns;
    uint64_t page_first; /* virtual page of pc_first */
    bool crossed_page;   /* an instruction's bytes reached the next page */
} DisasContextBase;

typedef struct TranslatorOps {
    void (*init_disas_context)(DisasContextBase *db, CPUState *cpu);
    void (*tb_start)(DisasContextBase *db, CPUState *cpu);
    void (*insn_start)(DisasContextBase *db, CPUState *cpu); /* must call tcg_gen_insn_start */
    void (*translate_insn)(DisasContextBase *db, CPUState *cpu); /* advances pc_next */
    void (*tb_stop)(DisasContextBase *db, CPUState *cpu);
} TranslatorOps;

void translator_loop(CPUState *cpu, TranslationBlock *tb, int max_insns,
                     const TranslatorOps *ops, DisasContextBase *db);

/* True if a direct (chained) jump to dest is allowed: same guest page as the TB. */
bool translator_use_goto_tb(DisasContextBase *db, uint64_t dest);

uint32_t translator_ldl(CPUState *cpu, DisasContextBase *db, uint64_t pc);
uint16_t translator_lduw(CPUState *cpu, DisasContextBase *db, uint64_t pc);
uint8_t translator_ldub(CPUState *cpu, DisasContextBase *db, uint64_t pc);

/* Instrumentation (CF_INSTRUMENT TBs only; see docs/architecture.md) */
typedef void (*InsnCallback)(CPUState *cpu, uint64_t pc, void *opaque);
typedef void (*TBCallback)(CPUState *cpu, const TranslationBlock *tb, void *opaque);
typedef void (*MemCallback)(CPUState *cpu, uint64_t vaddr, uint64_t value, MemOpIdx oi,
                            bool is_store, void *opaque);

#endif
