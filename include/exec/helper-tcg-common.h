/*
 * helper-tcg-common.h — helpers that tcg/tcg-op.c itself emits calls to
 * (not tied to a guest). Implemented in accel/tcg/.
 */
#ifndef EXEC_HELPER_TCG_COMMON_H
#define EXEC_HELPER_TCG_COMMON_H

struct CPUState;

/*
 * Emitted by tcg_gen_lookup_and_goto_ptr(): find the TB for the CPU's
 * current state (get_tb_cpu_state) in this core's cache and return its code
 * pointer (tb->tc_ptr), or the context's exit_zero (cpu->tcg->exit_zero:
 * code that leaves to the loop returning 0; 0 under the interpreter) when
 * there is none or the core must leave the loop. The result feeds goto_ptr.
 * Call flags: TCG_CALL_NO_WG (it reads the guest registers, writes none).
 */
const void *helper_lookup_tb_ptr(struct CPUState *cpu);

#endif
