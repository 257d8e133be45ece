/*
 * cputlb.h — the softmmu: per-core TLB maintenance and the slow paths that
 * generated code (and the interpreter) call when the inline TLB check misses.
 *
 * Slow-path helpers take `ra`, the host return address inside the code of
 * the guest instruction doing the access (GETPC() in a helper; the JIT
 * passes the address just after its inline check). On a guest fault they
 * restore guest state to that instruction and leave via cpu_loop_exit.
 */
#ifndef EXEC_CPUTLB_H
#define EXEC_CPUTLB_H

#include "exec/cpu.h"
#include "tcg/tcg.h"

/* --- TLB maintenance (this core only; other cores via coremu/ messages) --- */
void tlb_flush(CPUState *cpu);                              /* all modes */
void tlb_flush_by_mmuidx(CPUState *cpu, uint16_t idxmap);   /* bit i: mode i */
void tlb_flush_page(CPUState *cpu, uint64_t vaddr);         /* all modes */
void tlb_flush_page_by_mmuidx(CPUState *cpu, uint64_t vaddr, uint16_t idxmap);
/* Install vaddr's page -> paddr for mmu_idx with prot (PAGE_*). attrs is target-defined. */
void tlb_set_page(CPUState *cpu, uint64_t vaddr, uint64_t paddr, uint32_t attrs, int prot,
                  int mmu_idx);
/* Drop write fast paths to a physical page that now holds translated code. */
void tlb_protect_code_page(CPUState *cpu, uint64_t paddr);

/* Pages holding translated code (any core): one bitmap by physical page, atomic bits. */
bool page_has_code(uint64_t paddr);
bool page_mark_code(uint64_t paddr); /* true if newly marked */

/* --- slow paths --- */
/* Load of get_memop(oi) size; result zero- or sign-extended to 64 bits. */
uint64_t helper_guest_ld(CPUState *cpu, uint64_t addr, MemOpIdx oi, uintptr_t ra);
void helper_guest_st(CPUState *cpu, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra);
/* 128-bit: value in/out in cpu->scratch128[0] (lo), [1] (hi) */
void helper_guest_ld128(CPUState *cpu, uint64_t addr, MemOpIdx oi, uintptr_t ra);
void helper_guest_st128(CPUState *cpu, uint64_t addr, MemOpIdx oi, uintptr_t ra);

/* Atomics, done with host atomic instructions on the host page. */
uint64_t helper_atomic_cmpxchg(CPUState *cpu, uint64_t addr, uint64_t cmp, uint64_t newv,
                               MemOpIdx oi, uintptr_t ra);
uint64_t helper_atomic_rmw(CPUState *cpu, uint64_t addr, uint64_t val, MemOpIdx oi,
                           uint32_t aop, uintptr_t ra);
/* scratch128: [0],[1] compare lo/hi; [2],[3] new lo/hi; result (old) in [0],[1] */
void helper_atomic_cmpxchg128(CPUState *cpu, uint64_t addr, MemOpIdx oi, uintptr_t ra);

/* --- for translators: instruction fetch (may raise a prefetch fault) --- */
uint32_t cpu_ldl_code(CPUState *cpu, uint64_t addr);
uint16_t cpu_lduw_code(CPUState *cpu, uint64_t addr);
uint8_t cpu_ldub_code(CPUState *cpu, uint64_t addr);
/* Physical address of the code page holding addr (fills the TLB); -1 if MMIO. */
uint64_t get_page_addr_code(CPUState *cpu, uint64_t addr);

/* Physical address of vaddr for access in mmu_idx, or ~0 if it does not
 * translate (never raises a fault): cache maintenance by VA. */
uint64_t probe_paddr(CPUState *cpu, uint64_t vaddr, MMUAccessType access, int mmu_idx);

/* --- for helpers and target code: data access by virtual address --- */
uint64_t cpu_ld_mmu(CPUState *cpu, uint64_t addr, MemOpIdx oi, uintptr_t ra);
void cpu_st_mmu(CPUState *cpu, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra);
/* Host pointer for [addr, addr+size) if it is RAM in one page and accessible; else NULL.
 * May fault unless probe (then NULL on fault). */
void *probe_access(CPUState *cpu, uint64_t addr, int size, MMUAccessType access,
                   int mmu_idx, bool probe, uintptr_t ra);

#endif
