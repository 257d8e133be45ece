/*
 * liveness.c — one backward pass over the op list: computes op->life
 * (DEAD_ARG bits) and removes ops whose results nobody needs.
 *
 * Per temp we track, at the current point of the backward walk, a state:
 *     0              live: its value (in a register) is read later
 *     TS_DEAD        its value is not read later
 *     TS_DEAD|TS_MEM not read later from a register, but its memory copy
 *                    must be current here (globals at BB ends, before faults
 *                    and calls; TB temps at BB ends)
 * The agreed semantics (docs/tcg-ops.md, "Liveness") in short:
 *  - EBB temps and constants die at set_label and every BB end except that
 *    they survive a brcond's fall-through; TB temps and globals are
 *    "in memory" (TS_DEAD|TS_MEM) at every BB end.
 *  - Globals must be in memory before ops with SIDE_EFFECTS/GUEST_MEM and
 *    before calls without TCG_CALL_NO_READ_GLOBALS; after a call without
 *    TCG_CALL_NO_WRITE_GLOBALS their register copies are stale.
 *  - DEAD_ARG(i) on an arg: the value is not needed after this op. For a
 *    global or TB temp it means only "the register copy may be released" (the
 *    backend writes a dirty one back first). SYNC_ARG is never set.
 *  - An op is removed (turned into nop) when every output is TS_DEAD without
 *    TS_MEM and it has no side effects (no SIDE_EFFECTS/BB_END flag; a call
 *    only with TCG_CALL_NO_SIDE_EFFECTS). Double-width ops with one half
 *    unused are narrowed (add2 -> add, mulu2 -> mul or muluh).
 *  - "t = op ...; mov x, t" with t dead afterwards becomes "x = op ..."
 *    when nothing between may fault or touch x or t (forward_mov).
 * The fixed env temp is never dead.
 */
#include "tcg/tcg.h"

enum { TS_DEAD = 1, TS_MEM = 2 };

static void la_bb_end(TCGContext *s)
{
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *t = &s->temps[i];
        switch (t->kind) {
        case TEMP_GLOBAL:
        case TEMP_TB:
            t->state = TS_DEAD | TS_MEM;
            break;
        case TEMP_FIXED:
            t->state = 0;
            break;
        default:
            t->state = TS_DEAD;
            break;
        }
    }
}

/* brcond: the taken path starts a new BB (globals and TB temps in memory);
 * the fall-through keeps everything, EBB temps included. */
static void la_bb_cond(TCGContext *s)
{
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *t = &s->temps[i];
        if (t->kind == TEMP_GLOBAL || t->kind == TEMP_TB) {
            t->state |= TS_MEM;
        }
    }
}

static void la_sync_globals(TCGContext *s)
{
    for (int i = 0; i < s->nb_globals; i++) {
        if (s->temps[i].kind == TEMP_GLOBAL) {
            s->temps[i].state |= TS_MEM;
        }
    }
}

static void la_clobber_globals(TCGContext *s)
{
    for (int i = 0; i < s->nb_globals; i++) {
        if (s->temps[i].kind == TEMP_GLOBAL) {
            s->temps[i].state = TS_DEAD | TS_MEM;
        }
    }
}

static bool op_removable(const TCGContext *s, const TCGOp *op, unsigned nout)
{
    unsigned flags = tcg_op_defs[op->opc].flags;
    if (nout == 0) {
        return op->opc == INDEX_op_call &&
               (tcg_call_info(op)->flags & TCG_CALL_NO_SIDE_EFFECTS) &&
               !(tcg_call_info(op)->flags & TCG_CALL_NO_RETURN);
    }
    if (flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_END | TCG_OPF_GUEST_MEM)) {
        return false;
    }
    if (op->opc == INDEX_op_call) {
        unsigned cf = tcg_call_info(op)->flags;
        if (!(cf & TCG_CALL_NO_SIDE_EFFECTS) || (cf & TCG_CALL_NO_RETURN)) {
            return false;
        }
    }
    for (unsigned i = 0; i < nout; i++) {
        if (s->temps[op->args[i]].state != TS_DEAD) {
            return false;
        }
    }
    return true;
}

static bool out_dead(const TCGContext *s, const TCGOp *op, unsigned i)
{
    return s->temps[op->args[i]].state == TS_DEAD;
}

/* add2/sub2/mulu2/muls2 with one unused half become single-width ops */
static void narrow_double(TCGContext *s, TCGOp *op)
{
    switch (op->opc) {
    case INDEX_op_add2:
    case INDEX_op_sub2:
        if (out_dead(s, op, 1) && !out_dead(s, op, 0)) {
            uint64_t rl = op->args[0], al = op->args[2], bl = op->args[4];
            op->opc = op->opc == INDEX_op_add2 ? INDEX_op_add : INDEX_op_sub;
            op->nb_oargs = 1;
            op->nb_iargs = 2;
            op->args[0] = rl;
            op->args[1] = al;
            op->args[2] = bl;
            op->args[3] = op->args[4] = op->args[5] = 0;
        }
        break;
    case INDEX_op_mulu2:
    case INDEX_op_muls2:
        if (out_dead(s, op, 1) && !out_dead(s, op, 0)) {
            uint64_t a = op->args[2], b = op->args[3];
            op->opc = INDEX_op_mul;
            op->nb_oargs = 1;
            op->nb_iargs = 2;
            op->args[1] = a;
            op->args[2] = b;
            op->args[3] = 0;
        } else if (out_dead(s, op, 0) && !out_dead(s, op, 1)) {
            uint64_t a = op->args[2], b = op->args[3];
            op->opc = op->opc == INDEX_op_mulu2 ? INDEX_op_muluh : INDEX_op_mulsh;
            op->nb_oargs = 1;
            op->nb_iargs = 2;
            op->args[0] = op->args[1];
            op->args[1] = a;
            op->args[2] = b;
            op->args[3] = 0;
        }
        break;
    default:
        break;
    }
}

static bool op_uses(const TCGOp *op, uint64_t t)
{
    unsigned n = tcg_op_nb_oargs(op) + tcg_op_nb_iargs(op);
    for (unsigned i = 0; i < n; i++) {
        if (op->args[i] == t) {
            return true;
        }
    }
    return false;
}

/*
 * Output forwarding: "D: t = ...; ...; mov x, t" with t dead after the mov
 * becomes "D: x = ...". Frontends compute into a temp and then write the
 * guest register (so a fault in between leaves the register untouched); the
 * rewrite keeps that property because nothing between D and the mov may
 * fault, call, end the BB or touch x or t. Only EBB/TB temps are forwarded.
 */
#define FORWARD_WINDOW 16

static bool forward_mov(TCGContext *s, int oi)
{
    TCGOp *mov = &s->ops[oi];
    uint64_t x = mov->args[0], t = mov->args[1];
    const TCGTemp *tt = &s->temps[t], *tx = &s->temps[x];
    if (x == t || (tt->kind != TEMP_EBB && tt->kind != TEMP_TB) ||
        tx->kind == TEMP_FIXED || tx->kind == TEMP_CONST || tt->state != TS_DEAD) {
        return false;
    }
    for (int j = oi - 1; j >= 0 && j >= oi - FORWARD_WINDOW; j--) {
        TCGOp *d = &s->ops[j];
        if (d->opc == INDEX_op_nop || d->opc == INDEX_op_insn_start) {
            continue;
        }
        unsigned nout = tcg_op_nb_oargs(d);
        int k = -1;
        for (unsigned i = 0; i < nout; i++) {
            if (d->args[i] == t) {
                k = (int)i;
            }
        }
        if (k >= 0) {
            /* the definition of t: not a call or a discard; x not its other output */
            if (d->opc == INDEX_op_call || d->opc == INDEX_op_discard) {
                return false;
            }
            for (unsigned i = 0; i < nout; i++) {
                if (d->args[i] == x) {
                    return false;
                }
            }
            d->args[k] = x;
            tcg_op_remove(s, mov);
            return true;
        }
        unsigned fl = tcg_op_defs[d->opc].flags;
        if (d->opc == INDEX_op_call ||
            (fl & (TCG_OPF_BB_END | TCG_OPF_SIDE_EFFECTS | TCG_OPF_GUEST_MEM)) ||
            op_uses(d, t) || op_uses(d, x)) {
            return false;
        }
    }
    return false;
}

void tcg_liveness(TCGContext *s)
{
    la_bb_end(s); /* the end of the TB */

    for (int oi = s->nb_ops - 1; oi >= 0; oi--) {
        TCGOp *op = &s->ops[oi];
        unsigned flags = tcg_op_defs[op->opc].flags;

        if (op->opc == INDEX_op_nop || op->opc == INDEX_op_insn_start) {
            op->life = 0;
            continue;
        }
        if (op->opc == INDEX_op_discard) {
            TCGTemp *t = &s->temps[op->args[0]];
            op->life = DEAD_ARG(0);
            if (t->kind == TEMP_EBB || t->kind == TEMP_TB) {
                t->state = TS_DEAD;
            }
            continue;
        }

        if (op->opc == INDEX_op_mov && forward_mov(s, oi)) {
            continue; /* the mov is gone; its definition now writes x */
        }
        narrow_double(s, op);
        unsigned nout = tcg_op_nb_oargs(op), nin = tcg_op_nb_iargs(op);
        if (op_removable(s, op, nout)) {
            tcg_op_remove(s, op);
            continue;
        }

        uint32_t life = 0;
        /* outputs: dead after the op if nobody reads them; not needed before
         * (all marked before any state changes, in case two outputs alias) */
        for (unsigned i = 0; i < nout; i++) {
            TCGTemp *t = &s->temps[op->args[i]];
            if (t->kind != TEMP_FIXED && (t->state & TS_DEAD)) {
                life |= DEAD_ARG(i);
            }
        }
        for (unsigned i = 0; i < nout; i++) {
            TCGTemp *t = &s->temps[op->args[i]];
            if (t->kind != TEMP_FIXED) {
                t->state = TS_DEAD;
            }
        }

        /* the op's effect on what must be in memory just before it */
        if (flags & TCG_OPF_BB_END) {
            if (flags & TCG_OPF_COND_BRANCH) {
                la_bb_cond(s);
            } else {
                la_bb_end(s);
            }
        } else if (op->opc == INDEX_op_call) {
            unsigned cf = tcg_call_info(op)->flags;
            if (!(cf & TCG_CALL_NO_WRITE_GLOBALS)) {
                la_clobber_globals(s);
            } else if (!(cf & TCG_CALL_NO_READ_GLOBALS)) {
                la_sync_globals(s);
            }
        } else if (flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_GUEST_MEM)) {
            la_sync_globals(s);
        }

        /* inputs: dead after the op if not read later; live before it */
        for (unsigned i = nout; i < nout + nin; i++) {
            TCGTemp *t = &s->temps[op->args[i]];
            if (t->kind == TEMP_FIXED) {
                continue;
            }
            if (t->state & TS_DEAD) {
                life |= DEAD_ARG(i);
            }
        }
        for (unsigned i = nout; i < nout + nin; i++) {
            TCGTemp *t = &s->temps[op->args[i]];
            if (t->kind != TEMP_FIXED) {
                t->state &= ~TS_DEAD;
            }
        }
        op->life = life;
    }
}
