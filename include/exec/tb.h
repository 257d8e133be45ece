/*
 * tb.h — translation blocks and their per-core cache.
 *
 * A TB is a straight run of guest instructions translated together,
 * keyed by (pc, cs_base, flags, cflags) and by the physical page(s) it was
 * read from. TBs, their code, and the cache that finds them belong to one
 * core (COREMU's private code caches): nothing here is shared.
 */
#ifndef EXEC_TB_H
#define EXEC_TB_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/cpu.h"

/* cflags */
enum {
    CF_COUNT_MASK = 0x1ff,  /* max guest insns in this TB (0: default) */
    CF_ICOUNT = 1 << 10,    /* exact counting: subtract insns from icount_decr */
    CF_NOCHAIN = 1 << 11,   /* never chain into this TB */
    CF_LAST_IO = 1 << 12,   /* last instruction may do I/O */
    CF_SINGLE_STEP = 1 << 13,
    CF_INSTRUMENT = 1 << 14, /* translated with instrumentation callbacks */
};

#define TB_MAX_INSNS 256

struct TranslationBlock {
    uint64_t pc;
    uint64_t cs_base;
    uint32_t flags;
    uint32_t cflags;
    uint64_t phys_pc;    /* physical address of the first byte */
    uint64_t phys_page2; /* physical page of the second page, or -1 */
    uint32_t size;       /* guest bytes */
    uint16_t icount;     /* guest instructions */
    bool invalid;

    const uint8_t *tc_ptr; /* code (JIT) or bytecode (interpreter) */
    uint32_t tc_size;
    const uint32_t *insn_end_off; /* [icount] code offset just past insn i */
    const uint64_t *insn_data;    /* [icount][TCG_INSN_START_WORDS] */

    /* direct chaining */
    uint16_t jmp_reset_off[2]; /* code offset of the slot's unchained target */
    uint16_t jmp_insn_off[2];  /* code offset of the patchable jump; 0xffff: none */
    uintptr_t jmp_target[2];   /* current target address of slot n */
    struct TranslationBlock *jmp_dest[2]; /* TB slot n is chained to */
    /* incoming jumps: tagged (tb | n) lists through jmp_next[n] */
    uintptr_t jmp_list_head;
    uintptr_t jmp_next[2];

    struct TranslationBlock *hash_next; /* per-core hash chain */
    /* per physical page lists, tagged (tb | page index 0/1) */
    uintptr_t page_next[2];
};

/* The cflags of TBs this core runs now (exact counting, instrumentation, ...). */
uint32_t cpu_tb_cflags(CPUState *cpu);

/* accel/tcg/tb-cache.c: the per-core cache */
TranslationBlock *tb_lookup(CPUState *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags,
                            uint32_t cflags);
TranslationBlock *tb_gen_code(CPUState *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags,
                              uint32_t cflags);
/* Find the TB whose code contains host address ra - 1 (NULL if none). */
TranslationBlock *tb_find_by_host_pc(CPUState *cpu, uintptr_t ra);
void tb_flush_core(CPUState *cpu); /* drop every TB of this core */
/* Invalidate this core's TBs that overlap [paddr, paddr + len). */
void tb_invalidate_phys_range(CPUState *cpu, uint64_t paddr, uint64_t len);
void tb_add_jump(TranslationBlock *from, int n, TranslationBlock *to);

#endif
