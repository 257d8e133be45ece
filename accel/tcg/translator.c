/*
 * translator.c — the generic translation loop (include/exec/translator.h).
 *
 * Every TB begins with the exit-word check: load CPUState.icount_decr as a
 * 32-bit value and leave with TB_EXIT_REQUESTED if it is negative (another
 * thread stored -1 in its high half). In exact-counting TBs (CF_ICOUNT) the
 * TB's instruction count is subtracted first and the low half written back
 * only if the TB may run: a TB never starts unless all its instructions fit
 * in the budget, so the loop can stop a core after exactly N instructions
 * by retranslating a shorter TB (see cpu-exec.c).
 */
#include "exec/translator.h"

#include <stddef.h>

#include "exec/cputlb.h"
#include "exec/instrument.h"
#include "system/gdbstub.h"
#include "util/log.h"

static int gen_tb_start(TranslationBlock *tb, TCGLabel **exit_label)
{
    TCGContext *s = tcg_ctx;
    TCGv_i32 t = tcg_temp_new_i32();
    int count_const = -1;
    *exit_label = gen_new_label();
    tcg_gen_ld_i32(t, tcg_env(), offsetof(CPUState, icount_decr.u32));
    if (tb->cflags & CF_ICOUNT) {
        /* the count is known only at the end: a private constant patched then */
        count_const = tcg_temp_alloc(s, TCG_TYPE_I32, TEMP_CONST);
        tcg_gen_sub_i32(t, t, idx_tcgv_i32(count_const));
    }
    tcg_gen_brcondi_i32(TCG_COND_LT, t, 0, *exit_label);
    if (tb->cflags & CF_ICOUNT) {
        tcg_gen_st16_i32(t, tcg_env(), offsetof(CPUState, icount_decr.u16.low));
    }
    return count_const;
}

static void gen_tb_end(TranslationBlock *tb, TCGLabel *exit_label, int count_const,
                       int num_insns)
{
    if (count_const >= 0) {
        tcg_temp(tcg_ctx, count_const)->val = num_insns;
    }
    gen_set_label(exit_label);
    tcg_gen_exit_tb(tb, TB_EXIT_REQUESTED);
}

/*
 * gdb stub breakpoint at the first instruction of a TB: the TB is that
 * instruction's insn_start and a call that raises EXCP_DEBUG with the state
 * restored to it (an exact-counting TB gives its one instruction back).
 * One byte long, so the page is tracked like any code.
 */
static void gen_breakpoint_trap(CPUState *cpu, const TranslatorOps *ops, DisasContextBase *db)
{
    db->num_insns++;
    ops->insn_start(db, cpu);
    int env = tcg_ctx->env_temp;
    tcg_gen_callN(&helper_info_gdbstub_debug, -1, 1, &env);
    db->is_jmp = DISAS_NORETURN;
    db->pc_next += 1;
}

void translator_loop(CPUState *cpu, TranslationBlock *tb, int max_insns,
                     const TranslatorOps *ops, DisasContextBase *db)
{
    TCGLabel *exit_label;

    db->tb = tb;
    db->cpu = cpu;
    db->pc_first = tb->pc;
    db->pc_next = tb->pc;
    db->is_jmp = DISAS_NEXT;
    db->num_insns = 0;
    db->max_insns = max_insns;
    db->page_first = tb->pc & TARGET_PAGE_MASK;
    db->crossed_page = false;
    if (tb->cflags & CF_SINGLE_STEP) {
        db->max_insns = 1; /* gdb stub single step */
    }
    /* breakpoints are looked up only while the gdb stub has some */
    bool check_bp = __atomic_load_n(&gdbstub_nb_breakpoints, __ATOMIC_ACQUIRE) != 0;

    const InstrumentOps *instr = (tb->cflags & CF_INSTRUMENT) ? instrument_ops : NULL;
    tcg_ctx->instrument_mem = instr && instr->mem;

    ops->init_disas_context(db, cpu);
    int count_const = gen_tb_start(tb, &exit_label);
    int ninsns_const = -1;
    if (instr && instr->tb_exec) {
        /* the instruction count is known at the end: a constant patched then */
        ninsns_const = tcg_temp_alloc(tcg_ctx, TCG_TYPE_I64, TEMP_CONST);
        int args[3] = {tcg_ctx->env_temp, tcgv_i64_idx(tcg_constant_i64((int64_t)tb->pc)),
                       ninsns_const};
        tcg_gen_callN(&helper_info_instrument_tb, -1, 3, args);
    }
    ops->tb_start(db, cpu);

    for (;;) {
        if (__builtin_expect(check_bp, 0) && gdbstub_breakpoint_at(db->pc_next)) {
            if (db->num_insns == 0) {
                gen_breakpoint_trap(cpu, ops, db);
            } else {
                db->is_jmp = DISAS_TOO_MANY; /* the breakpoint starts the next TB */
            }
            break;
        }
        db->num_insns++;
        ops->insn_start(db, cpu);
        if (instr && instr->insn_exec) {
            int args[2] = {tcg_ctx->env_temp,
                           tcgv_i64_idx(tcg_constant_i64((int64_t)db->pc_next))};
            tcg_gen_callN(&helper_info_instrument_insn, -1, 2, args);
        }
        ops->translate_insn(db, cpu);
        if (db->is_jmp != DISAS_NEXT) {
            break;
        }
        if (db->num_insns >= db->max_insns || db->crossed_page ||
            (db->pc_next & TARGET_PAGE_MASK) != db->page_first) {
            db->is_jmp = DISAS_TOO_MANY;
            break;
        }
    }
    ops->tb_stop(db, cpu);
    gen_tb_end(tb, exit_label, count_const, db->num_insns);
    if (ninsns_const >= 0) {
        tcg_temp(tcg_ctx, ninsns_const)->val = db->num_insns;
    }
    tcg_ctx->instrument_mem = false;
    tb->size = (uint32_t)(db->pc_next - db->pc_first);
    tb->icount = (uint16_t)db->num_insns;
}

bool translator_use_goto_tb(DisasContextBase *db, uint64_t dest)
{
    if ((db->tb->cflags & (CF_NOCHAIN | CF_SINGLE_STEP)) || log_enabled(LOG_NOCHAIN)) {
        return false;
    }
    return (dest & TARGET_PAGE_MASK) == db->page_first;
}

static void note_crossing(DisasContextBase *db, uint64_t pc, unsigned size)
{
    if (((pc + size - 1) & TARGET_PAGE_MASK) != db->page_first) {
        db->crossed_page = true;
    }
}

uint32_t translator_ldl(CPUState *cpu, DisasContextBase *db, uint64_t pc)
{
    note_crossing(db, pc, 4);
    return cpu_ldl_code(cpu, pc);
}

uint16_t translator_lduw(CPUState *cpu, DisasContextBase *db, uint64_t pc)
{
    note_crossing(db, pc, 2);
    return cpu_lduw_code(cpu, pc);
}

uint8_t translator_ldub(CPUState *cpu, DisasContextBase *db, uint64_t pc)
{
    note_crossing(db, pc, 1);
    return cpu_ldub_code(cpu, pc);
}
