/*
 * tcg-harness.h — build a small IR program and run it on one backend,
 * without a guest frontend or the execution loop. Header-only (static
 * functions), shared by the IR/interpreter tests and the JIT's tests.
 *
 * API:
 *   Harness *h = harness_new(&tcg_backend_interp);   // or &tcg_backend_x86_64
 *   harness_begin(h);              // tcg_ctx = h->s; tcg_func_start
 *   ... emit IR with tcg_gen_*(); h->r[0..15] are TCGv_i64 globals over
 *       h->cpu->regs[0..15] (names r0..r15); tcg_env() is the HarnessCPU * ...
 *   tcg_gen_exit_tb(NULL, 0);      // every program must end by leaving the TB
 *   h->cpu->regs[i] = ...;         // inputs
 *   uintptr_t ret = harness_run(h, HARNESS_OPT | HARNESS_LIVENESS);
 *   ... h->cpu->regs[i] are the outputs; ret is the exit_tb value ...
 *   ret = harness_exec(h);         // run the same code again on new inputs
 *   harness_free(h);
 *
 * harness_run() runs tcg_optimize (if HARNESS_OPT), tcg_liveness (if
 * HARNESS_LIVENESS; the JIT needs it), gen_code into the code buffer just
 * after the prologue, then backend->exec. h->tb is the TranslationBlock
 * passed to gen_code (goto_tb reads h->tb.jmp_target[n]; leave them 0).
 * HARNESS_DUMP prints the op list (after the passes) to stderr.
 * Several TBs: harness_gen_at(h, &tb2, offset) generates the current IR for
 * another TB further into the buffer; harness_chain(h, &h->tb, n, &tb2)
 * chains goto_tb slot n like accel/tcg's tb_add_jump (NULL unchains).
 *
 * The IR is left in h->s after harness_run, so a test can inspect the ops
 * (e.g. what the optimizer made of them). The code buffer is mmap'ed
 * read/write/exec when backend->needs_exec.
 *
 * Guest memory: every harness has a machine whose address space maps
 * HARNESS_RAM_SIZE bytes of RAM at guest physical HARNESS_RAM_BASE, and a
 * fake CPUClass whose MMU maps vaddr == paddr for exactly that range (any
 * mmu_idx; use HARNESS_MMU_IDX). The TLB is pre-filled for the whole range
 * in every mmu_idx (so the JIT's inline fast path hits from the first
 * access), and misses go through accel/tcg/cputlb.c as in the emulator.
 * h->ram is the host view of the guest RAM. An access outside the range, or
 * a misaligned one with MO_ALIGN, is a guest fault: harness_run/exec then
 * return HARNESS_FAULT, with h->fault_vaddr, h->fault_ra (the ra the slow
 * path passed) and harness_fault_insn(h) (index of the guest instruction,
 * i.e. insn_start, whose code contains fault_ra - 1; -1 if none).
 */
#ifndef TESTS_UNIT_TCG_HARNESS_H
#define TESTS_UNIT_TCG_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <setjmp.h>

#include "exec/cpu.h"
#include "exec/cputlb.h"
#include "exec/memory.h"
#include "exec/tb.h"
#include "system/machine.h"
#include "tcg/tcg-op.h"
#include "tcg/tcg.h"

#define HARNESS_NREGS 16
#define HARNESS_CODE_SIZE (1u << 20)
#define HARNESS_RAM_BASE 0x100000ull
#define HARNESS_RAM_SIZE 0x10000ull
#define HARNESS_MMU_IDX 1
#define HARNESS_FAULT ((uintptr_t)-1)

enum {
    HARNESS_OPT = 1,
    HARNESS_LIVENESS = 2,
    HARNESS_DUMP = 4,
};

typedef struct HarnessCPU {
    CPUState parent; /* first, like every target CPU */
    uint64_t regs[HARNESS_NREGS];
    uint64_t scratch[16]; /* free space for tests (ld/st at env offsets) */
    struct Harness *h;
} HarnessCPU;

typedef struct Harness {
    const TCGBackend *backend;
    TCGContext *s;
    HarnessCPU *cpu;
    TranslationBlock tb;
    uint8_t *code;
    size_t code_size, prologue_size;
    TCGv_i64 r[HARNESS_NREGS];
    /* guest memory */
    Machine machine;
    uint8_t *ram;
    bool faulted;
    uint64_t fault_vaddr;
    uintptr_t fault_ra;
    int nb_faults, nb_unaligned;
} Harness;

static inline void harness_record_fault(CPUState *cpu, uint64_t vaddr, uintptr_t ra)
{
    Harness *h = ((HarnessCPU *)cpu)->h;
    h->faulted = true;
    h->fault_vaddr = vaddr;
    h->fault_ra = ra;
    cpu_loop_exit_restore(cpu, ra); /* no TB cache here: just leaves */
}

static inline bool harness_tlb_fill(CPUState *cpu, uint64_t vaddr, int size,
                                    MMUAccessType access, int mmu_idx, bool probe, uintptr_t ra)
{
    (void)size;
    (void)access;
    if (vaddr >= HARNESS_RAM_BASE && vaddr < HARNESS_RAM_BASE + HARNESS_RAM_SIZE) {
        tlb_set_page(cpu, vaddr, vaddr, 0, PAGE_READ | PAGE_WRITE | PAGE_EXEC, mmu_idx);
        return true;
    }
    if (probe) {
        return false;
    }
    ((HarnessCPU *)cpu)->h->nb_faults++;
    harness_record_fault(cpu, vaddr, ra);
    return false;
}

static inline void harness_unaligned(CPUState *cpu, uint64_t vaddr, MMUAccessType access,
                                     int mmu_idx, uintptr_t ra)
{
    (void)access;
    (void)mmu_idx;
    ((HarnessCPU *)cpu)->h->nb_unaligned++;
    harness_record_fault(cpu, vaddr, ra);
}

static inline int harness_mmu_index(CPUState *cpu, bool ifetch)
{
    (void)cpu;
    (void)ifetch;
    return HARNESS_MMU_IDX;
}

static const CPUClass harness_cpu_class = {
    .arch = "harness",
    .instance_size = sizeof(HarnessCPU),
    .tlb_fill = harness_tlb_fill,
    .do_unaligned_access = harness_unaligned,
    .mmu_index = harness_mmu_index,
};

/* Pre-fill the TLB for all of RAM in every mmu_idx (the JIT fast path hits). */
static inline void harness_tlb_prefill(Harness *h)
{
    CPUState *cpu = &h->cpu->parent;
    tlb_flush(cpu);
    for (int idx = 0; idx < NB_MMU_MODES; idx++) {
        for (uint64_t a = HARNESS_RAM_BASE; a < HARNESS_RAM_BASE + HARNESS_RAM_SIZE;
             a += TARGET_PAGE_SIZE) {
            tlb_set_page(cpu, a, a, 0, PAGE_READ | PAGE_WRITE | PAGE_EXEC, idx);
        }
    }
}

#define HARNESS_REG_OFS(i) ((intptr_t)(offsetof(HarnessCPU, regs) + 8 * (size_t)(i)))
#define HARNESS_SCRATCH_OFS(i) ((intptr_t)(offsetof(HarnessCPU, scratch) + 8 * (size_t)(i)))

static inline Harness *harness_new(const TCGBackend *backend)
{
    static const char *const names[HARNESS_NREGS] = {
        "r0", "r1", "r2",  "r3",  "r4",  "r5",  "r6",  "r7",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    };
    Harness *h = calloc(1, sizeof(*h));
    h->backend = backend;
    h->cpu = calloc(1, sizeof(*h->cpu));
    h->s = tcg_context_new(backend);
    h->cpu->parent.tcg = h->s;
    h->cpu->parent.cc = &harness_cpu_class;
    h->cpu->h = h;
    h->machine.as = address_space_new("harness");
    h->machine.ncpus = 1;
    h->machine.cpus[0] = &h->cpu->parent;
    h->ram = memory_map_ram(h->machine.as, "ram", HARNESS_RAM_BASE, HARNESS_RAM_SIZE)->host;
    h->cpu->parent.machine = &h->machine;
    harness_tlb_prefill(h);
    tcg_ctx = h->s;
    for (int i = 0; i < HARNESS_NREGS; i++) {
        h->r[i] = tcg_global_mem_new_i64(HARNESS_REG_OFS(i), names[i]);
    }
    h->code_size = HARNESS_CODE_SIZE;
    int prot = PROT_READ | PROT_WRITE | (backend->needs_exec ? PROT_EXEC : 0);
    h->code = mmap(NULL, h->code_size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (h->code == MAP_FAILED) {
        perror("harness: mmap");
        exit(2);
    }
    h->s->code_base = h->code;
    ptrdiff_t n = backend->gen_prologue(h->s, h->code, h->code_size);
    if (n < 0) {
        fprintf(stderr, "harness: gen_prologue failed\n");
        exit(2);
    }
    h->prologue_size = ((size_t)n + 63) & ~(size_t)63;
    return h;
}

static inline void harness_begin(Harness *h)
{
    tcg_ctx = h->s;
    tcg_func_start(h->s);
    memset(&h->tb, 0, sizeof(h->tb));
}

/* Run the code generated by the last harness_run again (new inputs in regs). */
static inline uintptr_t harness_exec(Harness *h)
{
    tcg_ctx = h->s;
    h->faulted = false;
    if (sigsetjmp(h->cpu->parent.jmp_env, 0) != 0) {
        tci_active = false; /* as cpu_exec does after a longjmp out of generated code */
        return HARNESS_FAULT;
    }
    return h->backend->exec(h->s, &h->cpu->parent, h->tb.tc_ptr);
}

/*
 * Generate the IR now in h->s for tb, at byte offset `at` after the
 * prologue, and fill tb as accel/tcg does (tc_ptr, tc_size, icount,
 * insn_end_off, goto_tb offsets, unchained jmp_target).
 */
static inline void harness_gen_at(Harness *h, TranslationBlock *tb, size_t at)
{
    uint8_t *code = h->code + h->prologue_size + at;
    ptrdiff_t n = h->backend->gen_code(h->s, tb, code, h->code_size - h->prologue_size - at);
    if (n < 0) {
        fprintf(stderr, "harness: gen_code failed\n");
        exit(2);
    }
    tb->tc_ptr = code;
    tb->tc_size = (uint32_t)n;
    tb->icount = (uint16_t)h->s->nb_insns;
    tb->insn_end_off = h->s->insn_end_off;
    for (int j = 0; j < 2; j++) {
        tb->jmp_insn_off[j] = h->s->goto_tb_off[j];
        tb->jmp_reset_off[j] = h->s->goto_tb_reset[j];
        tb->jmp_target[j] = 0;
    }
}

/* Chain goto_tb slot n of `from` to `to` (to == NULL: unchain), as tb_add_jump does. */
static inline void harness_chain(Harness *h, TranslationBlock *from, int n,
                                 const TranslationBlock *to)
{
    uintptr_t addr = to ? (uintptr_t)to->tc_ptr : 0;
    from->jmp_target[n] = addr;
    h->backend->set_jmp_target(from, n, addr);
}

static inline uintptr_t harness_run(Harness *h, unsigned flags)
{
    tcg_ctx = h->s;
    if (flags & HARNESS_OPT) {
        tcg_optimize(h->s);
    }
    if (flags & HARNESS_LIVENESS) {
        tcg_liveness(h->s);
    }
    if (flags & HARNESS_DUMP) {
        tcg_dump_ops(h->s, stderr, (flags & HARNESS_LIVENESS) != 0);
    }
    harness_gen_at(h, &h->tb, 0);
    return harness_exec(h);
}

/* Index of the guest instruction whose code holds h->fault_ra - 1, or -1. */
static inline int harness_fault_insn(const Harness *h)
{
    uintptr_t start = (uintptr_t)h->tb.tc_ptr;
    if (!h->faulted || h->fault_ra <= start || h->fault_ra > start + h->tb.tc_size) {
        return -1;
    }
    uintptr_t off = h->fault_ra - 1 - start;
    for (int i = 0; i < h->s->nb_insns; i++) {
        if (off < h->s->insn_end_off[i]) {
            return i;
        }
    }
    return -1;
}

static inline void harness_free(Harness *h)
{
    address_space_free(h->machine.as);
    munmap(h->code, h->code_size);
    tcg_context_free(h->s);
    free(h->cpu);
    free(h);
}

#endif
