/*
 * tcg-runtime.c — helpers the IR itself calls (include/exec/helper-tcg-common.h).
 */
#include "exec/cpu.h"
#include "exec/helper-tcg-common.h"
#include "exec/tb-cache.h"
#include "exec/tb.h"
#include "tcg/tcg.h"
#include "util/log.h"

/*
 * lookup_and_goto_ptr: an indirect branch finds its successor without
 * returning to the loop when this core already translated it. No
 * translation here (that may flush the buffer under our feet), and no
 * exit-word check: the next TB's own prologue checks it.
 */
const void *helper_lookup_tb_ptr(CPUState *cpu)
{
    uint64_t pc, cs_base;
    uint32_t flags;
    uint32_t cflags = cpu_tb_cflags(cpu);
    cpu->cc->get_tb_cpu_state(cpu, &pc, &cs_base, &flags);
    TranslationBlock *tb = tb_lookup(cpu, pc, cs_base, flags, cflags);
    if (!tb || log_enabled(LOG_EXEC) || (cflags & CF_SINGLE_STEP)) {
        /* a single step (gdb stub) ends in the loop after one instruction */
        return (const void *)cpu->tcg->exit_zero;
    }
    return tb->tc_ptr;
}
