/*
 * cpu-exec.c — one core's execution loop.
 *
 *   cpu_exec(cpu):
 *     deliver a pending guest exception (CPUClass.do_interrupt)
 *     loop: take a pending interrupt (exec_interrupt); honour exit requests;
 *           find the TB for the current state (jump cache, hash, translate);
 *           chain the previous TB to it; run it until it leaves generated code.
 *
 * Generated code leaves through exit_tb with (tb | slot): slot 0/1 asks to
 * chain that goto_tb slot to whatever runs next; TB_EXIT_REQUESTED means
 * the exit word was negative at TB entry (an exit request from any thread,
 * or the exact-count budget ran out) and the TB did not run.
 *
 * Helpers leave generated code with cpu_loop_exit*() (siglongjmp back here).
 * Everything in this file runs on the core's own thread.
 */
#include <inttypes.h>
#include <string.h>

#include "exec/cputlb.h"
#include "exec/instrument.h"
#include "exec/tb-cache.h"
#include "exec/tb.h"
#include "reemu/reemu.h"
#include "system/cpus.h"
#include "tcg/tcg.h"
#include "util/log.h"

void cpu_exit(CPUState *cpu)
{
    __atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&cpu->icount_decr.u16.high, -1, __ATOMIC_RELEASE);
}

void cpu_interrupt(CPUState *cpu, uint32_t mask)
{
    __atomic_fetch_or(&cpu->interrupt_request, mask, __ATOMIC_ACQ_REL);
    __atomic_store_n(&cpu->icount_decr.u16.high, -1, __ATOMIC_RELEASE);
    cpu_kick(cpu); /* wakes it if halted */
}

void cpu_reset_interrupt(CPUState *cpu, uint32_t mask)
{
    __atomic_fetch_and(&cpu->interrupt_request, ~mask, __ATOMIC_ACQ_REL);
}

bool cpu_restore_state(CPUState *cpu, uintptr_t ra)
{
    TranslationBlock *tb = tb_find_by_host_pc(cpu, ra);
    if (!tb || tb->icount == 0) {
        return false;
    }
    uintptr_t off = ra - 1 - (uintptr_t)tb->tc_ptr;
    int i = 0;
    while (i < tb->icount - 1 && off >= tb->insn_end_off[i]) {
        i++;
    }
    if (tb->cflags & CF_ICOUNT) {
        /* the TB paid for all its instructions up front; give back the
         * ones that did not retire (the faulting one included) */
        cpu->icount_decr.u16.low += (uint16_t)(tb->icount - i);
    }
    cpu->cc->restore_state(cpu, tb, &tb->insn_data[i * TCG_INSN_START_WORDS]);
    return true;
}

void cpu_loop_exit(CPUState *cpu)
{
    siglongjmp(cpu->jmp_env, 1);
}

void cpu_loop_exit_noexc(CPUState *cpu)
{
    cpu->exception_index = EXCP_NONE;
    siglongjmp(cpu->jmp_env, 1);
}

void cpu_loop_exit_restore(CPUState *cpu, uintptr_t ra)
{
    if (ra) {
        cpu_restore_state(cpu, ra);
    }
    siglongjmp(cpu->jmp_env, 1);
}

/* Total retired instructions of an exact-counting core. */
uint64_t cpu_icount_get(CPUState *cpu)
{
    return cpu->stats.insns;
}

uint32_t cpu_tb_cflags(CPUState *cpu)
{
    uint32_t cf = 0;
    if (cpu->icount_enabled) {
        cf |= CF_ICOUNT;
    }
    if (log_enabled(LOG_NOCHAIN)) {
        cf |= CF_NOCHAIN;
    }
    if (instrument_ops) {
        cf |= CF_INSTRUMENT;
    }
    if (__builtin_expect(cpu->singlestep, 0)) {
        cf |= CF_SINGLE_STEP; /* gdb stub: one instruction per TB */
    }
    return cf;
}

/*
 * Exact counting: the budget lives in icount_decr.u16.low (<= 0xffff) plus
 * icount_extra. Called when a TB left with TB_EXIT_REQUESTED and no exit
 * request was pending: the next TB did not fit. Returns the max number of
 * instructions the next TB may have (0: budget exhausted).
 */
static int icount_refill(CPUState *cpu)
{
    uint64_t left = cpu->icount_decr.u16.low + (uint64_t)cpu->icount_extra;
    uint16_t low = left > 0xffff ? 0xffff : (uint16_t)left;
    cpu->icount_extra = (int64_t)(left - low);
    cpu->icount_decr.u16.low = low;
    return low;
}

/* Set the exact-count budget to n instructions from now. */
void cpu_icount_set_budget(CPUState *cpu, uint64_t n)
{
    uint16_t low = n > 0xffff ? 0xffff : (uint16_t)n;
    cpu->icount_decr.u16.low = low;
    cpu->icount_extra = (int64_t)(n - low);
    cpu->icount_budget_base = n;
}

uint64_t cpu_icount_budget_left(CPUState *cpu)
{
    return cpu->icount_decr.u16.low + (uint64_t)cpu->icount_extra;
}

static void log_exec(CPUState *cpu, TranslationBlock *tb)
{
    log_lock();
    log_printf("Trace %d: %p [%016" PRIx64 "/%08x/%08x]\n", cpu->cpu_index,
               (void *)tb->tc_ptr, tb->pc, tb->flags, tb->cflags);
    if (log_enabled(LOG_CPU) && cpu->cc->dump_state) {
        cpu->cc->dump_state(cpu, log_stream());
    }
    log_unlock();
}

int cpu_exec(CPUState *cpu)
{
    const CPUClass *cc = cpu->cc;
    TCGContext *s = cpu->tcg;
    TBCache *c = cpu->tbc;
    int ret;

    tcg_ctx = s;
    if (sigsetjmp(cpu->jmp_env, 0) != 0) {
        /* back from a helper that left generated code */
        tci_active = false;
        cpu->can_do_io = true;
    }

    for (;;) {
        if (cpu->exception_index >= 0) {
            if (cpu->exception_index >= EXCP_INTERRUPT) {
                ret = cpu->exception_index;
                cpu->exception_index = EXCP_NONE;
                return ret;
            }
            if (log_enabled(LOG_INT)) {
                log_printf("core %d: exception %d at pc 0x%" PRIx64 "\n", cpu->cpu_index,
                           cpu->exception_index, cc->get_pc ? cc->get_pc(cpu) : 0);
            }
            cc->do_interrupt(cpu);
            CPU_STAT_ADD(cpu, exceptions, 1);
            cpu->exception_index = EXCP_NONE;
            if (__builtin_expect(cpu->singlestep, 0)) {
                return EXCP_DEBUG; /* a step that raised an exception stops at the vector */
            }
        }

        TranslationBlock *last_tb = NULL;
        int tb_exit = 0;
        uint64_t flushes = c->flush_count;
        int max_insns = 0;

        for (;;) {
            uint32_t ir = __atomic_load_n(&cpu->interrupt_request, __ATOMIC_ACQUIRE);
            if (__builtin_expect(reemu_mode == REEMU_REPLAY, 0)) {
                /* replay (reemu/reemu.c): apply the log's events due at this
                 * icount; real interrupt lines are ignored, the log has them */
                if (reemu_replay_boundary(cpu)) {
                    last_tb = NULL;
                }
                if (cpu->exception_index >= 0) {
                    break;
                }
                ir &= CPU_INTERRUPT_EXITTB;
            }
            if (__builtin_expect(ir && cpu->singlestep, 0)) {
                ir &= CPU_INTERRUPT_EXITTB; /* gdb stub: steps do not take interrupts */
            }
            if (ir) {
                if (ir & CPU_INTERRUPT_EXITTB) {
                    cpu_reset_interrupt(cpu, CPU_INTERRUPT_EXITTB);
                    last_tb = NULL;
                }
                if (cc->exec_interrupt(cpu, ir)) {
                    if (__builtin_expect(reemu_mode == REEMU_RECORD, 0)) {
                        reemu_record_interrupt(cpu, ir); /* reemu: log it at this icount */
                    }
                    CPU_STAT_ADD(cpu, interrupts, 1);
                    last_tb = NULL;
                }
                if (cpu->exception_index >= 0) {
                    break;
                }
            }
            if (__atomic_load_n(&cpu->exit_request, __ATOMIC_ACQUIRE)) {
                __atomic_store_n(&cpu->exit_request, 0, __ATOMIC_RELAXED);
                return EXCP_INTERRUPT;
            }

            uint64_t pc, cs_base;
            uint32_t flags, cflags = cpu_tb_cflags(cpu);
            cc->get_tb_cpu_state(cpu, &pc, &cs_base, &flags);
            if (max_insns) {
                cflags |= (uint32_t)max_insns;
                last_tb = NULL;
            }
            TranslationBlock *tb = tb_lookup(cpu, pc, cs_base, flags, cflags);
            if (!tb) {
                tb = tb_gen_code(cpu, pc, cs_base, flags, cflags);
                if (c->flush_count != flushes) {
                    flushes = c->flush_count;
                    last_tb = NULL; /* it went with the flush */
                }
            }
            if (last_tb && !last_tb->invalid) {
                tb_add_jump(last_tb, tb_exit, tb);
            }
            max_insns = 0;
            if (log_enabled(LOG_EXEC)) {
                log_exec(cpu, tb);
            }

            uintptr_t r = c->backend->exec(s, cpu, tb->tc_ptr);
            CPU_STAT_ADD(cpu, tbs_executed, 1);
            last_tb = (TranslationBlock *)(r & ~(uintptr_t)TB_EXIT_MASK);
            tb_exit = (int)(r & TB_EXIT_MASK);

            if (tb_exit == TB_EXIT_REQUESTED) {
                /* The TB that saw the request ran none of its instructions; it
                 * may have been entered by a chained jump that left the guest
                 * pc stale, so put the state at its first instruction. */
                if (last_tb && last_tb->icount) {
                    cc->restore_state(cpu, last_tb, &last_tb->insn_data[0]);
                }
                last_tb = NULL;
                if (__atomic_load_n(&cpu->icount_decr.u16.high, __ATOMIC_ACQUIRE) != 0) {
                    /* an exit request: clear the flag, then look at requests */
                    __atomic_store_n(&cpu->icount_decr.u16.high, 0, __ATOMIC_SEQ_CST);
                    continue;
                }
                /* exact counting: the budget does not cover the next TB */
                int n = icount_refill(cpu);
                if (n == 0 && __builtin_expect(reemu_mode == REEMU_REPLAY, 0) &&
                    reemu_replay_budget_out(cpu)) {
                    continue; /* replay: events applied, a new budget set */
                }
                if (n == 0) {
                    __atomic_store_n(&cpu->stats.insns, cpu->icount_budget_base, __ATOMIC_RELAXED);
                    return EXCP_ICOUNT;
                }
                if (n < TB_MAX_INSNS) {
                    max_insns = n;
                }
            }
            if (cpu->icount_enabled) {
                __atomic_store_n(&cpu->stats.insns, cpu->icount_budget_base - cpu_icount_budget_left(cpu),
                                 __ATOMIC_RELAXED);
            }
            if (__builtin_expect(cflags & CF_SINGLE_STEP, 0) && tb_exit != TB_EXIT_REQUESTED) {
                cpu->exception_index = EXCP_DEBUG; /* gdb stub: the step is done */
                break;
            }
        }
    }
}
