/*
 * instrument.h — instrumentation points for analysis tools (instruction and
 * basic-block counts, BBVs, memory traces).
 *
 * A tool installs one InstrumentOps before the cores start. From then on the
 * loop translates TBs with CF_INSTRUMENT, and only those TBs carry calls:
 * at TB entry (tb_exec), before each guest instruction (insn_exec) and after
 * each guest memory access made through tcg_gen_guest_ld/st (mem). With no
 * tool installed, no call is generated anywhere: the feature costs nothing.
 * Callbacks run on the core's thread, with guest registers synced to the
 * CPU state (they may read it, not write it).
 */
#ifndef EXEC_INSTRUMENT_H
#define EXEC_INSTRUMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/cpu.h"
#include "tcg/tcg.h"

typedef struct InstrumentOps {
    void (*tb_exec)(CPUState *cpu, uint64_t pc, unsigned ninsns, void *opaque);
    void (*insn_exec)(CPUState *cpu, uint64_t pc, void *opaque);
    /* value: loaded (after the load) or stored; oi: size, sign, mmu index */
    void (*mem)(CPUState *cpu, uint64_t vaddr, uint64_t value, MemOpIdx oi, bool is_store,
                void *opaque);
    void *opaque;
} InstrumentOps;

/* Install (or with NULL remove) the tool; call before cores run. */
void instrument_set(const InstrumentOps *ops);
extern const InstrumentOps *instrument_ops;

/* for translator.c and tcg-op.c */
extern const TCGHelperInfo helper_info_instrument_tb;
extern const TCGHelperInfo helper_info_instrument_insn;
extern const TCGHelperInfo helper_info_instrument_mem;
#define INSTRUMENT_MEM_STORE (1ull << 32) /* in the info argument, above the MemOpIdx */

#endif
