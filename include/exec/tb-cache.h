/*
 * tb-cache.h — a core's private translation cache (accel/tcg/tb-cache.c).
 */
#ifndef EXEC_TB_CACHE_H
#define EXEC_TB_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "exec/tb.h"
#include "tcg/tcg.h"

#define TB_JMP_CACHE_BITS 14

typedef struct TBCache {
    const TCGBackend *backend;
    uint8_t *buf;          /* code buffer (RWX for the JIT) */
    size_t size, used, prologue_size;
    TranslationBlock *jmp_cache[1 << TB_JMP_CACHE_BITS];
    TranslationBlock **htable;
    struct PageDesc **pages;
    TranslationBlock **tbs; /* in code-address order, for tb_find_by_host_pc */
    int nb_tbs, cap_tbs;
    uint64_t flush_count;
} TBCache;

/* Create the cache and TCG context of a core; runs the backend prologue
 * and the target's tcg_init. Sets the calling thread's tcg_ctx. */
TBCache *tb_cache_new(CPUState *cpu, const TCGBackend *backend, size_t size);

#endif
