/*
 * cpu.h — the target-independent part of an emulated core.
 *
 * A target's CPU struct embeds CPUState as its FIRST member
 * (struct ARMCPU { CPUState parent; CPUARMState env; }), and generated code
 * holds a pointer to that struct as its base register: every guest register
 * is a TCG global at offsetof(ARMCPU, env.field). The fields generated code
 * reads (exit word, TLB) are at the front.
 *
 * Ownership: a CPUState belongs to its core thread. Other threads may only
 * touch the fields marked "cross-thread", and only with atomics (coremu/
 * wraps them); everything else is private to the core.
 */
#ifndef EXEC_CPU_H
#define EXEC_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_SIZE (1ull << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(TARGET_PAGE_SIZE - 1))

#define NB_MMU_MODES 4
#define CPU_TLB_BITS 10
#define CPU_TLB_SIZE (1 << CPU_TLB_BITS)

/*
 * One softmmu TLB entry. addr_{read,write,code} hold the page address of a
 * valid mapping with low bits clear, or have flag bits set that force the
 * slow path. Generated code tests:
 *     (vaddr & (TARGET_PAGE_MASK | (size - 1))) == entry->addr_read
 * so misaligned accesses and flagged entries always take the slow path;
 * on a hit the host address is vaddr + addend.
 */
typedef struct CPUTLBEntry {
    uint64_t addr_read;
    uint64_t addr_write;
    uint64_t addr_code;
    uintptr_t addend;
} CPUTLBEntry;

#define TLB_INVALID (1ull << 11)  /* no mapping: an all-ones entry */
#define TLB_MMIO (1ull << 10)     /* device or unassigned: go through the dispatch */
#define TLB_NOTDIRTY (1ull << 9)  /* RAM page holding translated code: writes invalidate */
#define TLB_WATCH (1ull << 8)     /* instrumented (record/replay, watchpoints) */
#define TLB_FLAGS_MASK (0xffull << 4)

/* Slow-path side table for a TLB entry: where the page really is. */
typedef struct CPUTLBFull {
    uint64_t paddr;  /* guest physical page address */
    const struct MemoryRegion *mr;
    uint32_t prot;   /* PAGE_READ | PAGE_WRITE | PAGE_EXEC */
    uint32_t attrs;  /* target-defined */
} CPUTLBFull;

enum { PAGE_READ = 1, PAGE_WRITE = 2, PAGE_EXEC = 4 };

typedef enum MMUAccessType {
    MMU_DATA_LOAD = 0,
    MMU_DATA_STORE = 1,
    MMU_INST_FETCH = 2,
} MMUAccessType;

/* interrupt_request bits (cross-thread; set with atomics + a kick) */
enum {
    CPU_INTERRUPT_HARD = 1 << 0,   /* IRQ line */
    CPU_INTERRUPT_FIQ = 1 << 1,
    CPU_INTERRUPT_VIRQ = 1 << 2,
    CPU_INTERRUPT_SERROR = 1 << 3,
    CPU_INTERRUPT_NMI = 1 << 4,
    CPU_INTERRUPT_INIT = 1 << 5,
    CPU_INTERRUPT_SIPI = 1 << 6,
    CPU_INTERRUPT_EXITTB = 1 << 7, /* re-read CPU state flags (e.g. after a mode change) */
    CPU_INTERRUPT_TGT_0 = 1 << 8,  /* target-defined from here up */
};

/* exception_index values below 0 are loop-internal */
enum {
    EXCP_NONE = -1,
    EXCP_INTERRUPT = 0x10000, /* exit request: check interrupts, inbox */
    EXCP_HLT,                 /* WFI/HLT: sleep until an interrupt */
    EXCP_HALTED,
    EXCP_YIELD,               /* WFE/YIELD/PAUSE hint */
    EXCP_DEBUG,
    EXCP_ATOMIC,              /* retry the instruction alone, serialised */
    EXCP_STOP,                /* machine shutting down */
    EXCP_ICOUNT,              /* the exact instruction budget ran out */
};

typedef struct CPUState CPUState;
typedef struct TranslationBlock TranslationBlock;
struct Machine;
struct TCGContext;
struct TBCache;

/* Target hooks: one static instance per CPU model family. */
typedef struct CPUClass {
    const char *arch; /* "aarch64", "x86_64" */
    size_t instance_size;
    /* capstone: cs_arch / cs_mode for -d in_asm */
    int cs_arch, cs_mode;

    void (*init)(CPUState *cpu, const char *model); /* once, at machine creation */
    void (*reset)(CPUState *cpu);
    void (*tcg_init)(CPUState *cpu); /* register TCG globals in tcg_ctx (same order each core) */
    /* The key that selects a TB for the current state. */
    void (*get_tb_cpu_state)(CPUState *cpu, uint64_t *pc, uint64_t *cs_base, uint32_t *flags);
    /* Emit the IR for one TB (the generic loop in translator.c calls back). */
    void (*translate)(CPUState *cpu, TranslationBlock *tb, int max_insns);
    /* Restore guest state from insn_start data of the faulting instruction. */
    void (*restore_state)(CPUState *cpu, const TranslationBlock *tb, const uint64_t *data);
    /* Take an interrupt if one is pending and unmasked; true if taken. */
    bool (*exec_interrupt)(CPUState *cpu, uint32_t interrupt_request);
    /* Deliver cpu->exception_index (a guest exception) to the guest. */
    void (*do_interrupt)(CPUState *cpu);
    /* True if the core has work (wakes it from halt). */
    bool (*has_work)(CPUState *cpu);
    /*
     * Translate vaddr for an access; on success call tlb_set_page() and
     * return true. On a fault: if probe, return false; else raise the guest
     * exception (cpu_loop_exit_restore(cpu, ra)) and do not return.
     */
    bool (*tlb_fill)(CPUState *cpu, uint64_t vaddr, int size, MMUAccessType access,
                     int mmu_idx, bool probe, uintptr_t ra);
    /* Raise the target's alignment fault; does not return. */
    void (*do_unaligned_access)(CPUState *cpu, uint64_t vaddr, MMUAccessType access,
                                int mmu_idx, uintptr_t ra);
    /* Raise the target's fault for an access no device answered (or ignore: return). */
    void (*do_transaction_failed)(CPUState *cpu, uint64_t paddr, uint64_t vaddr,
                                  MMUAccessType access, int mmu_idx, uintptr_t ra);
    /* MMU index (0 .. NB_MMU_MODES-1) of the current regime, for data or ifetch. */
    int (*mmu_index)(CPUState *cpu, bool ifetch);
    void (*dump_state)(CPUState *cpu, FILE *f);
    uint64_t (*get_pc)(CPUState *cpu);
    /*
     * The instruction stream is coherent with stores from every core (x86):
     * a store to a page holding translated code drops that code on all
     * cores, and a page that becomes code write-protects every core's TLB
     * entries for it. Without it (AArch64) other cores' code is dropped only
     * by the architecture's maintenance (IC IVAU), the writer's own at once.
     */
    bool icache_coherent;
} CPUClass;

/* Per-core statistics (see -coremu stats=FILE in docs/user-guide.md). */
typedef struct CPUStats {
    uint64_t insns;           /* retired guest instructions (exact in icount mode) */
    uint64_t tbs_executed;
    uint64_t tbs_translated;
    uint64_t code_flushes;    /* whole code buffer flushes */
    uint64_t tlb_flushes;
    uint64_t tlb_misses;
    uint64_t exceptions;
    uint64_t interrupts;
    uint64_t kicks_received;
    uint64_t idle_ns;
    uint64_t spin_exits;      /* spin-wait hints (WFE, YIELD, PAUSE) that left cpu_exec */
} CPUStats;

/*
 * Statistics are written only by the owning core and may be read by any
 * thread (the scheduler, the stats writer): a relaxed load/store pair, no
 * locked instruction, and no data race.
 */
#define CPU_STAT_ADD(cpu, field, n)                                                    \
    __atomic_store_n(&(cpu)->stats.field,                                              \
                     __atomic_load_n(&(cpu)->stats.field, __ATOMIC_RELAXED) + (n),       \
                     __ATOMIC_RELAXED)

struct CPUState {
    /* ---- read and written by generated code: keep first ---- */
    /*
     * The exit word. Every TB starts by reading icount_decr.u32; negative
     * means leave before running the TB. Another thread asks this core to
     * stop by storing -1 into u16.high (atomic 16-bit store). In exact
     * counting mode TBs subtract their instruction count from u16.low.
     */
    union {
        int32_t u32;
        struct {
            uint16_t low;
            int16_t high;
        } u16;
    } icount_decr;
    uint32_t pad0;
    uint64_t scratch128[4]; /* operands of 128-bit memory helpers */
    CPUTLBEntry tlb[NB_MMU_MODES][CPU_TLB_SIZE];

    /* ---- private to the core thread ---- */
    CPUTLBFull tlb_full[NB_MMU_MODES][CPU_TLB_SIZE];
    int cpu_index;
    const CPUClass *cc;
    struct Machine *machine;
    struct TCGContext *tcg;
    struct TBCache *tbc;
    sigjmp_buf jmp_env;
    int exception_index;
    bool can_do_io;        /* in a TB's last insn / or outside generated code */
    bool icount_enabled;   /* exact instruction counting */
    int64_t icount_extra;  /* instructions left beyond icount_decr.u16.low */
    uint64_t icount_stop;  /* stop after this many instructions (0: never) */
    uint64_t icount_budget_base; /* budget given by cpu_icount_set_budget */
    uint32_t tb_flags_cache;
    bool singlestep;       /* gdb stub: TBs of one instruction, then EXCP_DEBUG */
    CPUStats stats;

    /* ---- cross-thread (atomics only) ---- */
    uint32_t interrupt_request;
    uint32_t halted;   /* 1 while in WFI/HLT */
    uint32_t stopped;  /* powered off (PSCI CPU_OFF) or not yet started */
    uint32_t exit_request;
    void *coremu;      /* coremu/ per-core state (inbox, thread, futex word) */
};

static inline const char *cpu_arch_name(const CPUState *cpu)
{
    return cpu->cc->arch;
}

/* --- accel/tcg: execution --- */
int cpu_exec(CPUState *cpu); /* runs until an EXCP_* needing the caller */
_Noreturn void cpu_loop_exit(CPUState *cpu);
_Noreturn void cpu_loop_exit_restore(CPUState *cpu, uintptr_t ra);
_Noreturn void cpu_loop_exit_noexc(CPUState *cpu);
/* Restore guest state for the instruction whose code contains ra - 1. */
bool cpu_restore_state(CPUState *cpu, uintptr_t ra);
/* Ask the core to leave generated code at its next TB boundary (any thread). */
void cpu_exit(CPUState *cpu);
void cpu_interrupt(CPUState *cpu, uint32_t mask);       /* any thread */
void cpu_reset_interrupt(CPUState *cpu, uint32_t mask); /* any thread */
/* Exact counting (cpu->icount_enabled): run at most n more instructions,
 * then cpu_exec returns EXCP_ICOUNT; stats.insns counts retired ones. */
void cpu_icount_set_budget(CPUState *cpu, uint64_t n);
uint64_t cpu_icount_budget_left(CPUState *cpu);
uint64_t cpu_icount_get(CPUState *cpu);

/*
 * GETPC(): the host return address of the current helper, for
 * cpu_loop_exit_restore(). Under the interpreter it is the bytecode
 * position the interpreter published before the call.
 */
extern __thread uintptr_t tci_retaddr;
extern __thread bool tci_active;
#define GETPC() (tci_active ? tci_retaddr : (uintptr_t)__builtin_return_address(0))

#endif
