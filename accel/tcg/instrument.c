/*
 * instrument.c — the run-time side of include/exec/instrument.h: the helpers
 * that CF_INSTRUMENT TBs call, forwarding to the installed tool.
 */
#include "exec/instrument.h"

const InstrumentOps *instrument_ops;

void instrument_set(const InstrumentOps *ops)
{
    instrument_ops = ops;
}

static void helper_instrument_tb(CPUState *cpu, uint64_t pc, uint64_t ninsns)
{
    const InstrumentOps *ops = instrument_ops;
    if (ops && ops->tb_exec) {
        ops->tb_exec(cpu, pc, (unsigned)ninsns, ops->opaque);
    }
}

static void helper_instrument_insn(CPUState *cpu, uint64_t pc)
{
    const InstrumentOps *ops = instrument_ops;
    if (ops && ops->insn_exec) {
        ops->insn_exec(cpu, pc, ops->opaque);
    }
}

static void helper_instrument_mem(CPUState *cpu, uint64_t vaddr, uint64_t value, uint64_t info)
{
    const InstrumentOps *ops = instrument_ops;
    if (ops && ops->mem) {
        ops->mem(cpu, vaddr, value, (MemOpIdx)info, (info & INSTRUMENT_MEM_STORE) != 0,
                 ops->opaque);
    }
}

/* NO_WG: callbacks may read the guest registers (synced before the call) but not write them */
const TCGHelperInfo helper_info_instrument_tb = {
    .func = (void *)helper_instrument_tb,
    .name = "instrument_tb",
    .flags = TCG_CALL_NO_WG,
    .nb_args = 3,
    .ret = TCG_CALL_VOID,
    .args = {TCG_CALL_PTR, TCG_CALL_I64, TCG_CALL_I64},
};

const TCGHelperInfo helper_info_instrument_insn = {
    .func = (void *)helper_instrument_insn,
    .name = "instrument_insn",
    .flags = TCG_CALL_NO_WG,
    .nb_args = 2,
    .ret = TCG_CALL_VOID,
    .args = {TCG_CALL_PTR, TCG_CALL_I64},
};

const TCGHelperInfo helper_info_instrument_mem = {
    .func = (void *)helper_instrument_mem,
    .name = "instrument_mem",
    .flags = TCG_CALL_NO_WG,
    .nb_args = 4,
    .ret = TCG_CALL_VOID,
    .args = {TCG_CALL_PTR, TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64},
};
