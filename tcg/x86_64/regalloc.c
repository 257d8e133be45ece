/*
 * regalloc.c — the JIT's local register allocator and helper-call emission.
 *
 * One forward pass over the ops (codegen.c drives it). Each temp's state is
 * kept in its TCGTemp (val_type, reg, mem_coherent, mem_offset); each host
 * register knows its temp (reg_temp). For one op:
 *   1. inputs are brought into registers (ra_load) or fixed registers
 *      (ra_load_into) and locked;
 *   2. outputs get a register: a dead input's (ra_out_from reuses it, which
 *      suits x86's two-operand forms) or a fresh one (ra_alloc);
 *   3. the op's code is emitted; ra_set_out binds the outputs (dirty);
 *   4. ra_finish_op releases inputs/outputs marked DEAD_ARG by liveness.
 * A dead global or TB temp is written back first if dirty (DEAD only means
 * "the register copy may go") unless the block overwrites it before anything
 * could read memory (overwritten_before_use); a dead EBB temp just vanishes.
 * An input that stays live but must be copied (two-operand forms) is first
 * loaded into a register of its own, so later ops do not reload it.
 *
 * When registers run out the victim is the least recently used unlocked
 * register, preferring values already in memory (no store needed).
 * Callee-saved registers are handed out first so values survive calls.
 *
 * Spill slots: globals live at env + offset; other temps get an 8-byte slot
 * in the frame on their first spill. EBB slots are recycled when the temp
 * dies (and all of them at set_label); TB temps keep theirs for the TB.
 */
#include <stdlib.h>
#include <string.h>

#include "tcg/x86_64/jit.h"
#include "util/log.h"

static const int8_t alloc_order[14] = {
    RBX, R12, R13, R14, R15, R10, R11, R9, R8, RDI, RSI, RCX, RDX, RAX,
};

static const int8_t call_arg_regs[6] = {RDI, RSI, RDX, RCX, R8, R9};

void ra_init(Gen *g)
{
    TCGContext *s = g->s;
    for (int r = 0; r < 16; r++) {
        g->reg_temp[r] = -1;
        g->reg_stamp[r] = 0;
    }
    g->locked = 0;
    memset(g->slot_used, 0, sizeof(g->slot_used));
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *t = &s->temps[i];
        t->reg = -1;
        t->mem_allocated = false;
        switch (t->kind) {
        case TEMP_FIXED:
            t->val_type = VAL_REG;
            t->reg = TCG_AREG0;
            t->mem_coherent = true;
            g->reg_temp[TCG_AREG0] = (int16_t)i;
            break;
        case TEMP_GLOBAL:
            t->val_type = VAL_MEM;
            t->mem_coherent = true;
            break;
        case TEMP_CONST:
            t->val_type = VAL_CONST;
            t->mem_coherent = false;
            break;
        default:
            t->val_type = VAL_DEAD;
            t->mem_coherent = false;
            break;
        }
    }
}

/* --- spill slots --- */

static int32_t slot_alloc(Gen *g)
{
    for (int w = 0; w < NB_SPILL_SLOTS / 64; w++) {
        uint64_t free_bits = ~g->slot_used[w];
        if (free_bits) {
            int b = __builtin_ctzll(free_bits);
            g->slot_used[w] |= 1ull << b;
            return FRAME_SPILL_OFF + (w * 64 + b) * 8;
        }
    }
    fatal("tcg/x86_64: out of spill slots (%d)", NB_SPILL_SLOTS);
}

static void slot_free(Gen *g, TCGTemp *t)
{
    if (t->mem_allocated && (t->kind == TEMP_EBB || t->kind == TEMP_TB)) {
        int n = (int)(t->mem_offset - FRAME_SPILL_OFF) / 8;
        g->slot_used[n / 64] &= ~(1ull << (n % 64));
        t->mem_allocated = false;
    }
}

void ra_mem_loc(Gen *g, TCGTemp *t, int *base, int32_t *disp)
{
    if (t->kind == TEMP_GLOBAL) {
        *base = TCG_AREG0;
        *disp = (int32_t)t->mem_offset;
        return;
    }
    if (!t->mem_allocated) {
        t->mem_offset = slot_alloc(g);
        t->mem_allocated = true;
    }
    *base = RSP;
    *disp = (int32_t)t->mem_offset;
}

static void store_temp(Gen *g, TCGTemp *t, int r)
{
    int base;
    int32_t disp;
    ra_mem_loc(g, t, &base, &disp);
    emit_rm(&g->a, OPC_MOV_STORE | (t->type == TCG_TYPE_I64 ? P_W : 0), r, base, disp);
}

static void load_temp(Gen *g, TCGTemp *t, int r)
{
    int base;
    int32_t disp;
    ra_mem_loc(g, t, &base, &disp);
    emit_rm(&g->a, OPC_MOV_LOAD | (t->type == TCG_TYPE_I64 ? P_W : 0), r, base, disp);
}

static void bind(Gen *g, TCGTemp *t, int r)
{
    g->reg_temp[r] = (int16_t)temp_idx(g, t);
    g->reg_stamp[r] = (uint32_t)g->op_idx;
    t->reg = (int8_t)r;
    t->val_type = VAL_REG;
}

/*
 * A TB temp that no op after the current one reads (and that no backward
 * branch can bring back to a read) is as dead as an EBB temp: no write-back,
 * slot recycled.
 * Frontends that use TB temps for every scratch value (target/i386) would
 * otherwise store each one at its last use and keep a slot per temp.
 */
bool ra_tb_temp_done(Gen *g, const TCGTemp *t)
{
    if (t->kind != TEMP_TB || !g->tb_last_read) {
        return false;
    }
    int last = g->tb_last_read[temp_idx(g, t)];
    /* no later read, and no backward branch can bring execution back to one */
    return last <= g->op_idx && (g->op_idx > g->loop_end || last < g->loop_head);
}

/* --- state transitions --- */

void ra_sync(Gen *g, TCGTemp *t)
{
    if (t->val_type == VAL_REG && !t->mem_coherent &&
        (t->kind == TEMP_GLOBAL || t->kind == TEMP_TB || t->kind == TEMP_EBB)) {
        store_temp(g, t, t->reg);
        t->mem_coherent = true;
    }
}

void ra_release(Gen *g, TCGTemp *t)
{
    if (t->val_type != VAL_REG || t->kind == TEMP_FIXED) {
        return;
    }
    g->reg_temp[t->reg] = -1;
    t->reg = -1;
    if (t->kind == TEMP_CONST) {
        t->val_type = VAL_CONST;
    } else {
        t->val_type = t->mem_coherent ? VAL_MEM : VAL_DEAD;
    }
}

static void ra_spill(Gen *g, TCGTemp *t)
{
    ra_sync(g, t);
    ra_release(g, t);
}

/*
 * A dirty global or TB temp that dies here need not be written back when a
 * later op of the same block overwrites it before anything could look at
 * memory (a block end, a call, a possible fault, an env load/store, a read).
 * Liveness marks such an input dead but cannot say so (SYNC_ARG is unused),
 * so look ahead a little.
 */
#define OVERWRITE_SCAN_OPS 64

static bool overwritten_before_use(Gen *g, int idx)
{
    TCGContext *s = g->s;
    int end = g->op_idx + 1 + OVERWRITE_SCAN_OPS;
    if (end > s->nb_ops) {
        end = s->nb_ops;
    }
    for (int i = g->op_idx + 1; i < end; i++) {
        TCGOp *op = &s->ops[i];
        if (op->opc == INDEX_op_nop || op->opc == INDEX_op_insn_start) {
            continue;
        }
        unsigned flags = tcg_op_defs[op->opc].flags;
        if (flags & (TCG_OPF_BB_END | TCG_OPF_BB_EXIT | TCG_OPF_SIDE_EFFECTS |
                     TCG_OPF_GUEST_MEM | TCG_OPF_CALL_CLOBBER)) {
            return false;
        }
        if (op->opc >= INDEX_op_ld8u && op->opc <= INDEX_op_st) {
            return false; /* may alias a global's home */
        }
        unsigned nout = tcg_op_nb_oargs(op), nin = tcg_op_nb_iargs(op);
        for (unsigned k = nout; k < nout + nin; k++) {
            if ((int)op->args[k] == idx) {
                return false;
            }
        }
        for (unsigned k = 0; k < nout; k++) {
            if ((int)op->args[k] == idx) {
                return true;
            }
        }
    }
    return false;
}

void ra_kill(Gen *g, TCGTemp *t)
{
    switch (t->kind) {
    case TEMP_FIXED:
        return;
    case TEMP_CONST:
        ra_release(g, t);
        return;
    case TEMP_GLOBAL:
    case TEMP_TB:
        if (ra_tb_temp_done(g, t)) {
            ra_release(g, t);
            t->val_type = VAL_DEAD;
            t->mem_coherent = false;
            slot_free(g, t);
            return;
        }
        if (t->val_type == VAL_REG && !t->mem_coherent &&
            overwritten_before_use(g, temp_idx(g, t))) {
            ra_release(g, t); /* -> VAL_DEAD until the overwrite */
            return;
        }
        ra_spill(g, t);
        return;
    default:
        ra_release(g, t);
        t->val_type = VAL_DEAD;
        t->mem_coherent = false;
        slot_free(g, t);
        return;
    }
}

/* --- allocation --- */

int ra_alloc(Gen *g, uint16_t allowed, uint16_t prefer)
{
    allowed &= REGS_ALLOC & ~g->locked;
    if (!allowed) {
        fatal("tcg/x86_64: no allocatable register (op %d)", g->op_idx);
    }
    int r = -1;
    for (int pass = 0; pass < 2 && r < 0; pass++) {
        uint16_t want = pass == 0 ? (allowed & prefer) : allowed;
        for (int i = 0; i < 14; i++) {
            int c = alloc_order[i];
            if ((want & (1u << c)) && g->reg_temp[c] < 0) {
                r = c;
                break;
            }
        }
    }
    if (r < 0) {
        /* spill: cheapest (already in memory), then least recently used */
        int best_cost = 1 << 30;
        for (int i = 0; i < 14; i++) {
            int c = alloc_order[i];
            if (!(allowed & (1u << c))) {
                continue;
            }
            TCGTemp *t = &g->s->temps[g->reg_temp[c]];
            int cost = (t->kind == TEMP_CONST || t->mem_coherent) ? 0 : (1 << 20);
            cost += (int)(g->reg_stamp[c] & 0xfffff);
            if (cost < best_cost) {
                best_cost = cost;
                r = c;
            }
        }
        ra_spill(g, &g->s->temps[g->reg_temp[r]]);
    }
    g->locked |= (uint16_t)(1u << r);
    g->reg_stamp[r] = (uint32_t)g->op_idx;
    return r;
}

void ra_copy_into(Gen *g, TCGTemp *t, int r, bool keep_flags)
{
    switch (t->val_type) {
    case VAL_REG:
        emit_mov_rr(&g->a, 1, r, t->reg);
        break;
    case VAL_MEM:
        load_temp(g, t, r);
        break;
    case VAL_CONST:
        emit_movi(&g->a, t->type == TCG_TYPE_I64, r, t->val, keep_flags);
        break;
    default:
        break; /* undefined value */
    }
}

int ra_load(Gen *g, TCGTemp *t, uint16_t allowed)
{
    if (t->kind == TEMP_FIXED) {
        return t->reg;
    }
    if (t->val_type == VAL_REG) {
        int r = t->reg;
        if (allowed & (1u << r)) {
            g->locked |= (uint16_t)(1u << r);
            g->reg_stamp[r] = (uint32_t)g->op_idx;
            return r;
        }
        bool was_locked = g->locked & (1u << r);
        int nr = ra_alloc(g, allowed, 0);
        emit_mov_rr(&g->a, 1, nr, r);
        if (!was_locked) {
            g->reg_temp[r] = -1;
            bind(g, t, nr);
        }
        return nr;
    }
    int nr = ra_alloc(g, allowed, 0);
    switch (t->val_type) {
    case VAL_CONST:
        emit_movi(&g->a, t->type == TCG_TYPE_I64, nr, t->val, false);
        break;
    case VAL_MEM:
        load_temp(g, t, nr);
        t->mem_coherent = true;
        break;
    default:
        t->mem_coherent = false;
        break;
    }
    bind(g, t, nr);
    return nr;
}

void ra_evict(Gen *g, int r)
{
    int u = g->reg_temp[r];
    if (u < 0) {
        return;
    }
    TCGTemp *t = &g->s->temps[u];
    if (t->kind == TEMP_FIXED) {
        fatal("tcg/x86_64: cannot evict the env register");
    }
    if (t->kind == TEMP_CONST || t->mem_coherent) {
        ra_release(g, t);
        return;
    }
    uint16_t freeregs = REGS_ALLOC & ~g->locked & ~(1u << r);
    for (int i = 0; i < 14; i++) {
        int c = alloc_order[i];
        if ((freeregs & (1u << c)) && g->reg_temp[c] < 0) {
            emit_mov_rr(&g->a, 1, c, r);
            g->reg_temp[r] = -1;
            bind(g, t, c);
            return;
        }
    }
    ra_spill(g, t);
}

int ra_scratch(Gen *g, int r)
{
    ra_evict(g, r);
    g->locked |= (uint16_t)(1u << r);
    return r;
}

bool ra_arg_dead(Gen *g, int argi)
{
    TCGOp *op = g->op;
    if (!IS_DEAD_ARG(op, argi)) {
        return false;
    }
    unsigned nout = tcg_op_nb_oargs(op), nin = tcg_op_nb_iargs(op);
    for (unsigned i = nout; i < nout + nin; i++) {
        if ((int)i != argi && op->args[i] == op->args[argi]) {
            return false;
        }
    }
    return true;
}

int ra_load_into(Gen *g, int argi, int r)
{
    TCGTemp *t = arg_temp(g, argi);
    if (t->val_type == VAL_REG && t->reg == r && t->kind != TEMP_FIXED) {
        if (ra_arg_dead(g, argi)) {
            ra_kill(g, t); /* the value stays in r physically */
        } else {
            ra_evict(g, r);
        }
    } else {
        ra_evict(g, r);
        ra_copy_into(g, t, r, false);
    }
    g->locked |= (uint16_t)(1u << r);
    g->reg_stamp[r] = (uint32_t)g->op_idx;
    return r;
}

int ra_out_from(Gen *g, int out_argi, int in_argi, uint16_t avoid)
{
    TCGTemp *o = arg_temp(g, out_argi);
    TCGTemp *t = arg_temp(g, in_argi);
    if (t->val_type == VAL_REG && t->kind != TEMP_FIXED && !(avoid & (1u << t->reg))) {
        int r = t->reg;
        if (t == o) {
            g->locked |= (uint16_t)(1u << r);
            g->reg_stamp[r] = (uint32_t)g->op_idx;
            return r;
        }
        if (ra_arg_dead(g, in_argi)) {
            ra_kill(g, t);
            g->locked |= (uint16_t)(1u << r);
            g->reg_stamp[r] = (uint32_t)g->op_idx;
            return r;
        }
    }
    if (t->val_type == VAL_MEM && !IS_DEAD_ARG(g->op, in_argi)) {
        /* read again later: keep a register copy bound to t, work on another */
        int rs = ra_load(g, t, REGS_ALLOC);
        int r = ra_alloc(g, REGS_ALLOC & ~avoid, 0);
        emit_mov_rr(&g->a, 1, r, rs);
        return r;
    }
    int r = ra_alloc(g, REGS_ALLOC & ~avoid, 0);
    ra_copy_into(g, t, r, false);
    return r;
}

void ra_set_out(Gen *g, TCGTemp *t, int r)
{
    if (t->val_type == VAL_REG && t->reg != r) {
        g->reg_temp[t->reg] = -1;
    }
    int u = g->reg_temp[r];
    if (u >= 0 && u != temp_idx(g, t)) {
        /* a value nobody releases: only legal for a reg the op took over */
        fatal("tcg/x86_64: output register %d still holds temp %d (op %d)", r, u,
              g->op_idx);
    }
    bind(g, t, r);
    t->mem_coherent = false;
}

void ra_finish_op(Gen *g)
{
    TCGOp *op = g->op;
    unsigned nout = tcg_op_nb_oargs(op), nin = tcg_op_nb_iargs(op);
    for (unsigned i = nout; i < nout + nin; i++) {
        if (!IS_DEAD_ARG(op, i)) {
            continue;
        }
        bool is_out = false;
        for (unsigned j = 0; j < nout; j++) {
            is_out |= op->args[j] == op->args[i];
        }
        if (!is_out) {
            ra_kill(g, arg_temp(g, (int)i));
        }
    }
    for (unsigned j = 0; j < nout; j++) {
        if (IS_DEAD_ARG(op, j)) {
            ra_kill(g, arg_temp(g, (int)j));
        }
    }
    g->locked = 0;
}

/* --- block boundaries --- */

void ra_sync_globals(Gen *g, bool tb_temps_too)
{
    for (int r = 0; r < 16; r++) {
        int u = g->reg_temp[r];
        if (u < 0) {
            continue;
        }
        TCGTemp *t = &g->s->temps[u];
        if (t->kind == TEMP_GLOBAL ||
            (tb_temps_too && t->kind == TEMP_TB && !ra_tb_temp_done(g, t))) {
            ra_sync(g, t);
        }
    }
}

void ra_drop_all(Gen *g)
{
    TCGContext *s = g->s;
    for (int r = 0; r < 16; r++) {
        int u = g->reg_temp[r];
        if (u < 0) {
            continue;
        }
        TCGTemp *t = &s->temps[u];
        if (t->kind == TEMP_FIXED) {
            continue;
        }
        if (t->kind == TEMP_GLOBAL || t->kind == TEMP_TB) {
            ra_kill(g, t); /* spill, unless a done TB temp */
        } else {
            ra_release(g, t);
        }
    }
    for (int i = 0; i < s->nb_globals; i++) {
        if (s->temps[i].kind == TEMP_GLOBAL && s->temps[i].val_type == VAL_DEAD) {
            fatal("tcg/x86_64: global %s has no value at a block end", s->temps[i].name);
        }
    }
    /* EBB temps are dead at a label: recycle their slots */
    memset(g->slot_used, 0, sizeof(g->slot_used));
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        TCGTemp *t = &s->temps[i];
        if (t->kind == TEMP_EBB) {
            t->val_type = VAL_DEAD;
            t->mem_coherent = false;
            t->mem_allocated = false;
        } else if (t->kind == TEMP_TB && t->mem_allocated) {
            if (ra_tb_temp_done(g, t)) {
                t->val_type = VAL_DEAD;
                t->mem_allocated = false;
                continue;
            }
            int n = (int)(t->mem_offset - FRAME_SPILL_OFF) / 8;
            g->slot_used[n / 64] |= 1ull << (n % 64);
        }
    }
}

/* after a TB exit: nothing is reachable until the next label, emit nothing */
void ra_forget_all(Gen *g)
{
    TCGContext *s = g->s;
    for (int r = 0; r < 16; r++) {
        int u = g->reg_temp[r];
        if (u < 0 || s->temps[u].kind == TEMP_FIXED) {
            continue;
        }
        TCGTemp *t = &s->temps[u];
        if (t->kind == TEMP_GLOBAL) {
            t->mem_coherent = true; /* synced before the exit */
        }
        ra_release(g, t);
    }
}

void ra_drop_globals(Gen *g)
{
    for (int r = 0; r < 16; r++) {
        int u = g->reg_temp[r];
        if (u >= 0 && g->s->temps[u].kind == TEMP_GLOBAL) {
            ra_spill(g, &g->s->temps[u]);
        }
    }
}

/* Loads/stores of env fields may alias a global's home: keep them coherent. */
static bool overlaps(const TCGTemp *t, intptr_t ofs, int size)
{
    intptr_t tsz = t->type == TCG_TYPE_I64 ? 8 : 4;
    return t->kind == TEMP_GLOBAL && t->mem_offset < ofs + size && ofs < t->mem_offset + tsz;
}

void ra_env_load_alias(Gen *g, intptr_t ofs, int size)
{
    for (int r = 0; r < 16; r++) {
        int u = g->reg_temp[r];
        if (u >= 0 && overlaps(&g->s->temps[u], ofs, size)) {
            ra_sync(g, &g->s->temps[u]);
        }
    }
}

void ra_env_store_alias(Gen *g, intptr_t ofs, int size)
{
    for (int r = 0; r < 16; r++) {
        int u = g->reg_temp[r];
        if (u >= 0 && overlaps(&g->s->temps[u], ofs, size)) {
            ra_spill(g, &g->s->temps[u]);
        }
    }
}

uint16_t ra_live_caller_saved(Gen *g, uint16_t exclude)
{
    uint16_t m = 0;
    for (int r = 0; r < 16; r++) {
        if (g->reg_temp[r] >= 0 && (REGS_CALLER_SAVED & (1u << r)) && !(exclude & (1u << r))) {
            m |= (uint16_t)(1u << r);
        }
    }
    return m;
}

/* --- calls (SysV AMD64 ABI, 3.2.3) --- */

void emit_call_abs(Gen *g, const void *func)
{
    intptr_t disp = (intptr_t)func - (intptr_t)(g->a.ptr + 5);
    if (disp == (int32_t)disp) {
        emit8(&g->a, OPC_CALL_REL);
        emit32(&g->a, (uint32_t)disp);
    } else {
        emit_movi(&g->a, 1, RAX, (int64_t)(uintptr_t)func, true);
        emit_rr(&g->a, OPC_GRP5, G5_CALL, RAX);
    }
}

/* is temp idx an input of the current op that liveness marks dead here? */
static bool temp_dies_here(Gen *g, int idx)
{
    TCGOp *op = g->op;
    unsigned nout = tcg_op_nb_oargs(op), nin = tcg_op_nb_iargs(op);
    for (unsigned i = nout; i < nout + nin; i++) {
        if ((int)op->args[i] == idx && IS_DEAD_ARG(op, i)) {
            return true;
        }
    }
    return false;
}

static int64_t call_const(const CallArg *a, int64_t v, TCGType type)
{
    if (a->ctype == TCG_CALL_S32) {
        return (int32_t)v;
    }
    if (a->ctype == TCG_CALL_I32 || type == TCG_TYPE_I32) {
        return (uint32_t)v;
    }
    return v;
}

/* Move a set of registers into place at once (cycles resolved with xchg). */
void ra_parallel_move(Gen *g, int n, int8_t *dst, int8_t *src)
{
    while (n > 0) {
        int pick = -1;
        for (int i = 0; i < n && pick < 0; i++) {
            bool blocked = false;
            for (int j = 0; j < n; j++) {
                blocked |= j != i && src[j] == dst[i];
            }
            if (!blocked) {
                pick = i;
            }
        }
        if (pick >= 0) {
            emit_mov_rr(&g->a, 1, dst[pick], src[pick]);
        } else {
            /* only permutation cycles remain */
            pick = 0;
            emit_rr(&g->a, OPC_XCHG | P_W, dst[0], src[0]);
            for (int j = 1; j < n; j++) {
                if (src[j] == dst[0]) {
                    src[j] = src[0];
                }
            }
        }
        dst[pick] = dst[n - 1];
        src[pick] = src[n - 1];
        n--;
    }
}

void ra_call(Gen *g, const void *func, int nargs, const CallArg *args, unsigned flags)
{
    TCGContext *s = g->s;
    X86Asm *a = &g->a;

    if (nargs > 8) {
        fatal("tcg/x86_64: helper with %d arguments", nargs);
    }
    /* 1. guest registers the helper may read or write must be in memory */
    if ((flags & TCG_CALL_NO_RWG) != TCG_CALL_NO_RWG) {
        ra_sync_globals(g, false);
    }
    /* 2. stack arguments from memory go through a register */
    for (int i = 6; i < nargs; i++) {
        if (args[i].kind == CA_TEMP) {
            TCGTemp *t = &s->temps[args[i].temp];
            if (t->val_type == VAL_MEM) {
                ra_load(g, t, REGS_ALLOC);
            }
        }
    }
    /* 3. values that must outlive the call leave the call-clobbered regs */
    for (int r = 0; r < 16; r++) {
        int u = g->reg_temp[r];
        if (u < 0 || !(REGS_CALLER_SAVED & (1u << r))) {
            continue;
        }
        TCGTemp *t = &s->temps[u];
        if (t->kind == TEMP_CONST || t->mem_coherent ||
            (t->kind == TEMP_EBB && temp_dies_here(g, u)) || ra_tb_temp_done(g, t)) {
            continue;
        }
        int f = -1;
        for (int c = 0; c < 16 && f < 0; c++) {
            if ((REGS_CALLEE_SAVED & ~g->locked & (1u << c)) && g->reg_temp[c] < 0) {
                f = c;
            }
        }
        if (f >= 0) {
            emit_mov_rr(a, 1, f, r);
            g->reg_temp[r] = -1;
            if (g->locked & (1u << r)) {
                g->locked = (uint16_t)((g->locked & ~(1u << r)) | (1u << f));
            }
            bind(g, t, f);
        } else {
            ra_sync(g, t);
        }
    }
    /* 4. stack arguments */
    for (int i = 6; i < nargs; i++) {
        int32_t off = (i - 6) * 8;
        const CallArg *ca = &args[i];
        if (ca->kind == CA_TEMP) {
            TCGTemp *t = &s->temps[ca->temp];
            if (t->val_type == VAL_REG) {
                int r = t->reg;
                if (ca->ctype == TCG_CALL_S32) {
                    emit_rr(a, OPC_MOVSXD, r, r);
                    emit_rm(a, OPC_MOV_STORE | P_W, r, RSP, off);
                    emit_rr(a, OPC_MOV_LOAD, r, r); /* back to zero-extended */
                } else {
                    emit_rm(a, OPC_MOV_STORE | P_W, r, RSP, off);
                }
                continue;
            }
            if (t->val_type == VAL_CONST) {
                int64_t v = call_const(ca, t->val, (TCGType)t->type);
                emit_rm(a, OPC_MOV_IMM_RM, 0, RSP, off);
                emit32(a, (uint32_t)v);
                emit_rm(a, OPC_MOV_IMM_RM, 0, RSP, off + 4);
                emit32(a, (uint32_t)((uint64_t)v >> 32));
            }
        } else if (ca->kind == CA_CONST) {
            int64_t v = ca->val;
            emit_rm(a, OPC_MOV_IMM_RM, 0, RSP, off);
            emit32(a, (uint32_t)v);
            emit_rm(a, OPC_MOV_IMM_RM, 0, RSP, off + 4);
            emit32(a, (uint32_t)((uint64_t)v >> 32));
        } else if (ca->kind == CA_ENV) {
            emit_rm(a, OPC_MOV_STORE | P_W, TCG_AREG0, RSP, off);
        } else {
            fatal("tcg/x86_64: return address as a stack argument");
        }
    }
    /* 5. register arguments held in registers: one parallel move */
    int nreg = nargs < 6 ? nargs : 6;
    int8_t dst[6], src[6];
    int nm = 0;
    for (int i = 0; i < nreg; i++) {
        if (args[i].kind == CA_TEMP) {
            TCGTemp *t = &s->temps[args[i].temp];
            if (t->val_type == VAL_REG && t->reg != call_arg_regs[i]) {
                dst[nm] = call_arg_regs[i];
                src[nm] = t->reg;
                nm++;
            }
        }
    }
    ra_parallel_move(g, nm, dst, src);
    /* 6. the others: from memory, constants, env, return address */
    uint32_t ra_patch[6];
    int nra = 0;
    for (int i = 0; i < nreg; i++) {
        const CallArg *ca = &args[i];
        int r = call_arg_regs[i];
        switch (ca->kind) {
        case CA_TEMP: {
            TCGTemp *t = &s->temps[ca->temp];
            if (t->val_type == VAL_MEM) {
                load_temp(g, t, r);
            } else if (t->val_type == VAL_CONST) {
                int64_t v = call_const(ca, t->val, (TCGType)t->type);
                emit_movi(a, 1, r, v, false);
                break;
            }
            if (ca->ctype == TCG_CALL_S32) {
                emit_rr(a, OPC_MOVSXD, r, r);
            }
            break;
        }
        case CA_CONST:
            emit_movi(a, 1, r, ca->val, false);
            break;
        case CA_ENV:
            emit_mov_rr(a, 1, r, TCG_AREG0);
            break;
        case CA_RA:
            ra_patch[nra++] = emit_rip(a, OPC_LEA | P_W, r);
            break;
        }
    }
    /* 7. the call; a return address argument points just past it */
    emit_call_abs(g, func);
    for (int i = 0; i < nra; i++) {
        patch32(a, ra_patch[i], asm_off(a) - (ra_patch[i] + 4));
    }
    /* 8. call-clobbered registers hold nothing now */
    for (int r = 0; r < 16; r++) {
        int u = g->reg_temp[r];
        if (u < 0 || !(REGS_CALLER_SAVED & (1u << r))) {
            continue;
        }
        TCGTemp *t = &s->temps[u];
        if ((t->kind == TEMP_EBB && !t->mem_coherent) || ra_tb_temp_done(g, t)) {
            ra_kill(g, t);
        } else {
            ra_release(g, t);
        }
    }
    g->locked &= (uint16_t)~REGS_CALLER_SAVED;
    if (!(flags & TCG_CALL_NO_WRITE_GLOBALS)) {
        ra_drop_globals(g);
    }
}
