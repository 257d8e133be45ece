/*
 * optimize.c — one forward pass over the op list: constant folding, copy
 * propagation, algebraic identities and known-zero-bits tracking.
 *
 * What we know about each temp at the current op (TempInfo):
 *   is_const/val  its value is this constant (val kept zero-extended for I32)
 *   z_mask        bits that may be nonzero (a zero bit is known zero); for
 *                 I32 temps it never has bits above 31 (the I32 invariant)
 *   copy list     temps known to hold the same value (a circular list of
 *                 same-type temps); a read is replaced by the "best" member:
 *                 a constant, else a global, else a TB temp, else itself.
 * Knowledge is dropped for every temp at set_label and at every BB end except
 * a brcond's fall-through (nothing changes along it); for globals also after
 * calls that may write them (no TCG_CALL_NO_WRITE_GLOBALS).
 *
 * Folding never evaluates what docs/tcg-ops.md leaves undefined: shifts and
 * rotates by >= width, div/rem by zero and signed INT_MIN / -1 stay as ops.
 * Rewrites only change an op in place (to mov, br or nop) or, for all-constant
 * double-width ops (add2, sub2, mulu2, muls2), insert one extra mov.
 */
#include <stdlib.h>
#include <string.h>

#include "tcg/tcg.h"
#include "util/log.h"

typedef struct TempInfo {
    bool is_const;
    uint64_t val;
    uint64_t z_mask;
    int next_copy, prev_copy;
} TempInfo;

typedef struct Opt {
    TCGContext *s;
    TempInfo *ti;
    int cap;    /* entries allocated */
    int n_init; /* entries initialised: [0, n_init) */
} Opt;

static uint64_t type_mask(TCGType t)
{
    return t == TCG_TYPE_I32 ? 0xffffffffull : ~0ull;
}

static unsigned type_width(TCGType t)
{
    return t == TCG_TYPE_I32 ? 32 : 64;
}

static void info_init(Opt *o, int idx)
{
    TCGTemp *t = &o->s->temps[idx];
    TempInfo *i = &o->ti[idx];
    i->next_copy = i->prev_copy = idx;
    if (t->kind == TEMP_CONST) {
        i->is_const = true;
        i->val = (uint64_t)t->val & type_mask((TCGType)t->type);
        i->z_mask = i->val;
    } else {
        i->is_const = false;
        i->val = 0;
        i->z_mask = type_mask((TCGType)t->type);
    }
}

/* info for temp idx; temps created during the pass (constants) start fresh */
static TempInfo *ti(Opt *o, int idx)
{
    if (idx >= o->n_init) {
        int need = o->s->nb_temps;
        if (need > o->cap) {
            int cap = o->cap * 2;
            while (cap < need) {
                cap *= 2;
            }
            o->ti = realloc(o->ti, sizeof(TempInfo) * (size_t)cap);
            if (!o->ti) {
                fatal("tcg optimize: out of memory");
            }
            o->cap = cap;
        }
        for (int k = o->n_init; k < need; k++) {
            info_init(o, k);
        }
        o->n_init = need;
    }
    return &o->ti[idx];
}

/*
 * A new constant temp, with its info entry made at once: pointers returned
 * by ti() stay valid until the next temp is created, so every creation
 * goes through here.
 */
static int opt_const(Opt *o, TCGType type, uint64_t val)
{
    int c = tcg_constant_temp(o->s, type, (int64_t)(val & type_mask(type)));
    ti(o, c);
    return c;
}

/* forget what we know about idx (its value changes) */
static void reset_temp(Opt *o, int idx)
{
    TempInfo *i = ti(o, idx);
    if (o->s->temps[idx].kind == TEMP_CONST) {
        return;
    }
    if (i->next_copy != idx) {
        ti(o, i->next_copy)->prev_copy = i->prev_copy;
        ti(o, i->prev_copy)->next_copy = i->next_copy;
    }
    info_init(o, idx);
}

static void reset_all(Opt *o)
{
    ti(o, o->s->nb_temps - 1);
    for (int k = 0; k < o->s->nb_temps; k++) {
        info_init(o, k);
    }
}

static void reset_globals(Opt *o)
{
    for (int k = 0; k < o->s->nb_globals; k++) {
        if (o->s->temps[k].kind == TEMP_GLOBAL) {
            reset_temp(o, k);
        }
    }
}

static int kind_rank(TCGTempKind k)
{
    switch (k) {
    case TEMP_CONST: return 4;
    case TEMP_FIXED:
    case TEMP_GLOBAL: return 3;
    case TEMP_TB: return 2;
    default: return 1;
    }
}

/* the temp to read instead of idx: a constant, or the longest-lived copy */
static int best_copy(Opt *o, int idx)
{
    TempInfo *i = ti(o, idx);
    TCGTemp *t = &o->s->temps[idx];
    if (i->is_const && t->kind != TEMP_CONST) {
        return opt_const(o, (TCGType)t->type, i->val);
    }
    int best = idx, rank = kind_rank((TCGTempKind)t->kind);
    for (int k = i->next_copy; k != idx; k = ti(o, k)->next_copy) {
        int r = kind_rank((TCGTempKind)o->s->temps[k].kind);
        if (r > rank) {
            best = k;
            rank = r;
        }
    }
    return best;
}

static bool same_value(Opt *o, int a, int b)
{
    if (a == b) {
        return true;
    }
    TempInfo *ia = ti(o, a), *ib = ti(o, b);
    if (ia->is_const && ib->is_const) {
        return ia->val == ib->val;
    }
    for (int k = ia->next_copy; k != a; k = ti(o, k)->next_copy) {
        if (k == b) {
            return true;
        }
    }
    return false;
}

static bool is_const(Opt *o, int idx)
{
    return ti(o, idx)->is_const;
}
static uint64_t cval(Opt *o, int idx)
{
    return ti(o, idx)->val;
}
static bool is_const_val(Opt *o, int idx, uint64_t v)
{
    return is_const(o, idx) && cval(o, idx) == v;
}

/* ---------------------------------------------------------------- rewrites */

static void set_op_mov(TCGOp *op, int dst, int src)
{
    uint8_t type = op->type;
    memset(op, 0, sizeof(*op));
    op->opc = INDEX_op_mov;
    op->type = type;
    op->nb_oargs = 1;
    op->nb_iargs = 1;
    op->args[0] = (uint64_t)dst;
    op->args[1] = (uint64_t)src;
}

/* record dst = src (a mov just emitted or rewritten) */
static void note_mov(Opt *o, int dst, int src)
{
    reset_temp(o, dst);
    if (dst == src) {
        return;
    }
    TempInfo *d = ti(o, dst), *s = ti(o, src);
    d->is_const = s->is_const;
    d->val = s->val;
    d->z_mask = s->z_mask;
    if (o->s->temps[src].kind != TEMP_CONST &&
        o->s->temps[src].type == o->s->temps[dst].type) {
        /* join src's copy list */
        d->next_copy = s->next_copy;
        d->prev_copy = src;
        ti(o, s->next_copy)->prev_copy = dst;
        s->next_copy = dst;
    }
}

/* op becomes "mov dst, $val" (dst's type) */
static void fold_to_const(Opt *o, TCGOp *op, int dst, uint64_t val)
{
    TCGType t = (TCGType)o->s->temps[dst].type;
    int c = opt_const(o, t, val);
    set_op_mov(op, dst, c);
    op->type = t;
    note_mov(o, dst, c);
}

static void fold_to_copy(Opt *o, TCGOp *op, int dst, int src)
{
    TCGType t = (TCGType)o->s->temps[dst].type;
    if (dst == src) {
        /* the value does not change: everything known about dst stays true */
        tcg_op_remove(o->s, op);
        return;
    }
    set_op_mov(op, dst, src);
    op->type = t;
    note_mov(o, dst, src);
}

/* ---------------------------------------------------------------- evaluation */

static uint64_t bits(unsigned len)
{
    return len >= 64 ? ~0ull : (1ull << len) - 1;
}

static int64_t sext(uint64_t x, unsigned w)
{
    return w == 32 ? (int64_t)(int32_t)x : (int64_t)x;
}

/*
 * Evaluate a pure op on constants. Returns false for undefined cases (which
 * stay as ops) and for ops we do not fold. w is the op's width; inputs are
 * the (zero-extended) constant values; c the constant args.
 */
static bool eval_op(TCGOpcode opc, unsigned w, const uint64_t *x, const uint64_t *c,
                    uint64_t *r)
{
    uint64_t a = x[0], b = x[1];
    uint64_t m = bits(w);
    switch (opc) {
    case INDEX_op_add: *r = a + b; break;
    case INDEX_op_sub: *r = a - b; break;
    case INDEX_op_mul: *r = a * b; break;
    case INDEX_op_neg: *r = -a; break;
    case INDEX_op_and: *r = a & b; break;
    case INDEX_op_or: *r = a | b; break;
    case INDEX_op_xor: *r = a ^ b; break;
    case INDEX_op_andc: *r = a & ~b; break;
    case INDEX_op_orc: *r = a | ~b; break;
    case INDEX_op_eqv: *r = ~(a ^ b); break;
    case INDEX_op_nand: *r = ~(a & b); break;
    case INDEX_op_nor: *r = ~(a | b); break;
    case INDEX_op_not: *r = ~a; break;
    case INDEX_op_shl:
        if (b >= w) {
            return false;
        }
        *r = a << b;
        break;
    case INDEX_op_shr:
        if (b >= w) {
            return false;
        }
        *r = (a & m) >> b;
        break;
    case INDEX_op_sar:
        if (b >= w) {
            return false;
        }
        *r = (uint64_t)(sext(a, w) >> b);
        break;
    case INDEX_op_rotl:
    case INDEX_op_rotr: {
        if (b >= w) {
            return false;
        }
        unsigned n = opc == INDEX_op_rotl ? (unsigned)b : (unsigned)((w - b) % w);
        a &= m;
        *r = n ? (a << n) | (a >> (w - n)) : a;
        break;
    }
    case INDEX_op_muluh:
        *r = w == 32 ? ((a & m) * (b & m)) >> 32
                     : (uint64_t)(((unsigned __int128)a * b) >> 64);
        break;
    case INDEX_op_mulsh:
        *r = w == 32 ? (uint64_t)(sext(a, 32) * sext(b, 32)) >> 32
                     : (uint64_t)((unsigned __int128)((__int128)(int64_t)a * (int64_t)b) >> 64);
        break;
    case INDEX_op_div:
    case INDEX_op_rem: {
        int64_t sa = sext(a, w), sb = sext(b, w);
        int64_t min = w == 32 ? INT32_MIN : INT64_MIN;
        if (sb == 0 || (sa == min && sb == -1)) {
            return false;
        }
        *r = (uint64_t)(opc == INDEX_op_div ? sa / sb : sa % sb);
        break;
    }
    case INDEX_op_divu:
    case INDEX_op_remu:
        a &= m;
        b &= m;
        if (b == 0) {
            return false;
        }
        *r = opc == INDEX_op_divu ? a / b : a % b;
        break;
    case INDEX_op_ext8s: *r = (uint64_t)(int64_t)(int8_t)a; break;
    case INDEX_op_ext8u: *r = a & 0xff; break;
    case INDEX_op_ext16s: *r = (uint64_t)(int64_t)(int16_t)a; break;
    case INDEX_op_ext16u: *r = a & 0xffff; break;
    case INDEX_op_ext32s:
    case INDEX_op_ext_i32_i64: *r = (uint64_t)(int64_t)(int32_t)a; break;
    case INDEX_op_ext32u:
    case INDEX_op_extu_i32_i64:
    case INDEX_op_extrl_i64_i32: *r = a & 0xffffffff; break;
    case INDEX_op_extrh_i64_i32: *r = a >> 32; break;
    case INDEX_op_extract: {
        unsigned ofs = (unsigned)c[0], len = (unsigned)c[1];
        if (len == 0 || ofs + len > w) {
            return false;
        }
        *r = (a >> ofs) & bits(len);
        break;
    }
    case INDEX_op_sextract: {
        unsigned ofs = (unsigned)c[0], len = (unsigned)c[1];
        if (len == 0 || ofs + len > w) {
            return false;
        }
        *r = (uint64_t)((int64_t)(a << (64 - ofs - len)) >> (64 - len));
        break;
    }
    case INDEX_op_deposit: {
        unsigned ofs = (unsigned)c[0], len = (unsigned)c[1];
        if (len == 0 || ofs + len > w) {
            return false;
        }
        uint64_t fm = bits(len) << ofs;
        *r = (a & ~fm) | ((b << ofs) & fm);
        break;
    }
    case INDEX_op_extract2: {
        unsigned ofs = (unsigned)c[0];
        if (ofs > w) {
            return false;
        }
        if (ofs == 0) {
            *r = a;
        } else if (ofs == w) {
            *r = b;
        } else {
            *r = ((a & m) >> ofs) | (b << (w - ofs));
        }
        break;
    }
    case INDEX_op_bswap16: *r = __builtin_bswap16((uint16_t)a); break;
    case INDEX_op_bswap32: *r = __builtin_bswap32((uint32_t)a); break;
    case INDEX_op_bswap64: *r = __builtin_bswap64(a); break;
    case INDEX_op_clz:
        a &= m;
        *r = a ? (uint64_t)(__builtin_clzll(a) - (64 - (int)w)) : b;
        break;
    case INDEX_op_ctz:
        a &= m;
        *r = a ? (uint64_t)__builtin_ctzll(a) : b;
        break;
    case INDEX_op_ctpop: *r = (uint64_t)__builtin_popcountll(a & m); break;
    case INDEX_op_setcond:
        *r = tcg_cond_eval((TCGCond)c[0], w == 32 ? TCG_TYPE_I32 : TCG_TYPE_I64, a, b);
        break;
    case INDEX_op_negsetcond:
        *r = tcg_cond_eval((TCGCond)c[0], w == 32 ? TCG_TYPE_I32 : TCG_TYPE_I64, a, b)
                 ? ~0ull
                 : 0;
        break;
    default:
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------- known zero bits */

static uint64_t sext_mask(uint64_t z, unsigned from, uint64_t wm)
{
    /* z of a value sign-extended from bit `from`-1 */
    uint64_t low = bits(from);
    if (z & (1ull << (from - 1))) {
        return (z & low) | (~low & wm);
    }
    return z & low & (low >> 1);
}

static uint64_t out_z_mask(Opt *o, const TCGOp *op, unsigned w)
{
    uint64_t wm = bits(w);
    const uint64_t *a = op->args;
    TCGOpcode opc = (TCGOpcode)op->opc;
    uint64_t za = 0, zb = 0;
    unsigned nin = tcg_op_nb_iargs(op), nout = tcg_op_nb_oargs(op);
    if (nin >= 1) {
        za = ti(o, (int)a[nout])->z_mask;
    }
    if (nin >= 2) {
        zb = ti(o, (int)a[nout + 1])->z_mask;
    }
    const uint64_t *c = &a[nout + nin];

    switch (opc) {
    case INDEX_op_and: return za & zb;
    case INDEX_op_or:
    case INDEX_op_xor: return za | zb;
    case INDEX_op_andc: return za;
    case INDEX_op_ext8u:
    case INDEX_op_ld8u: return (opc == INDEX_op_ld8u ? 0xff : za & 0xff);
    case INDEX_op_ext16u:
    case INDEX_op_ld16u: return (opc == INDEX_op_ld16u ? 0xffff : za & 0xffff);
    case INDEX_op_ld32u: return 0xffffffff;
    case INDEX_op_ext32u:
    case INDEX_op_extu_i32_i64:
    case INDEX_op_extrl_i64_i32: return za & 0xffffffff;
    case INDEX_op_extrh_i64_i32: return za >> 32;
    case INDEX_op_ext8s: return sext_mask(za, 8, wm);
    case INDEX_op_ext16s: return sext_mask(za, 16, wm);
    case INDEX_op_ext32s:
    case INDEX_op_ext_i32_i64: return sext_mask(za, 32, ~0ull);
    case INDEX_op_shl:
        if (is_const(o, (int)a[2]) && cval(o, (int)a[2]) < w) {
            return (za << cval(o, (int)a[2])) & wm;
        }
        return wm;
    case INDEX_op_shr:
        if (is_const(o, (int)a[2]) && cval(o, (int)a[2]) < w) {
            return za >> cval(o, (int)a[2]);
        }
        return wm;
    case INDEX_op_sar:
        if (is_const(o, (int)a[2]) && cval(o, (int)a[2]) < w) {
            return ((uint64_t)(sext(za, w) >> cval(o, (int)a[2]))) & wm;
        }
        return wm;
    case INDEX_op_extract: {
        unsigned ofs = (unsigned)c[0], len = (unsigned)c[1];
        return ofs < 64 ? (za >> ofs) & bits(len) : wm;
    }
    case INDEX_op_sextract: {
        unsigned ofs = (unsigned)c[0], len = (unsigned)c[1];
        if (ofs >= 64 || len == 0 || len > 64) {
            return wm;
        }
        uint64_t f = (za >> ofs) & bits(len);
        return sext_mask(f, len, wm);
    }
    case INDEX_op_deposit: {
        unsigned ofs = (unsigned)c[0], len = (unsigned)c[1];
        if (ofs >= 64) {
            return wm;
        }
        uint64_t fm = bits(len) << ofs;
        return ((za & ~fm) | ((zb << ofs) & fm)) & wm;
    }
    case INDEX_op_setcond: return 1;
    case INDEX_op_clz:
    case INDEX_op_ctz: return (w == 32 ? 0x3f : 0x7f) | zb;
    case INDEX_op_ctpop: return w == 32 ? 0x3f : 0x7f;
    case INDEX_op_bswap16: return __builtin_bswap16((uint16_t)za);
    case INDEX_op_bswap32: return __builtin_bswap32((uint32_t)za);
    case INDEX_op_bswap64: return __builtin_bswap64(za);
    case INDEX_op_movcond: return ti(o, (int)a[3])->z_mask | ti(o, (int)a[4])->z_mask;
    case INDEX_op_guest_ld: {
        MemOp mop = get_memop((MemOpIdx)c[0]);
        if (!(mop & MO_SIGN) && (mop & MO_SIZE) < MO_64) {
            return bits(8u << (mop & MO_SIZE)) & wm;
        }
        return wm;
    }
    default: return wm;
    }
}

/* ---------------------------------------------------------------- per-op folding */

static bool is_commutative(TCGOpcode opc)
{
    switch (opc) {
    case INDEX_op_add:
    case INDEX_op_mul:
    case INDEX_op_and:
    case INDEX_op_or:
    case INDEX_op_xor:
    case INDEX_op_eqv:
    case INDEX_op_nand:
    case INDEX_op_nor:
    case INDEX_op_muluh:
    case INDEX_op_mulsh:
        return true;
    default:
        return false;
    }
}

/* x op x with a known result; returns 0 none, 1 result is a (mov), 2 const in *v */
static int fold_same(TCGOpcode opc, uint64_t *v, uint64_t wm)
{
    switch (opc) {
    case INDEX_op_and:
    case INDEX_op_or: return 1;
    case INDEX_op_sub:
    case INDEX_op_xor:
    case INDEX_op_andc: *v = 0; return 2;
    case INDEX_op_orc:
    case INDEX_op_eqv: *v = wm; return 2;
    default: return 0;
    }
}

/* identities with a constant second operand b: 1 -> mov a, 2 -> const *v */
static int fold_identity(TCGOpcode opc, uint64_t b, unsigned w, uint64_t *v)
{
    uint64_t wm = bits(w);
    switch (opc) {
    case INDEX_op_add:
    case INDEX_op_sub:
    case INDEX_op_or:
    case INDEX_op_xor:
    case INDEX_op_andc:
    case INDEX_op_shl:
    case INDEX_op_shr:
    case INDEX_op_sar:
    case INDEX_op_rotl:
    case INDEX_op_rotr:
        if (b == 0) {
            return 1;
        }
        if (opc == INDEX_op_or && b == wm) {
            *v = wm;
            return 2;
        }
        if (opc == INDEX_op_andc && b == wm) {
            *v = 0;
            return 2;
        }
        return 0;
    case INDEX_op_and:
        if (b == wm) {
            return 1;
        }
        if (b == 0) {
            *v = 0;
            return 2;
        }
        return 0;
    case INDEX_op_orc:
        if (b == wm) {
            return 1;
        }
        if (b == 0) {
            *v = wm;
            return 2;
        }
        return 0;
    case INDEX_op_eqv:
        return b == wm ? 1 : 0;
    case INDEX_op_mul:
        if (b == 1) {
            return 1;
        }
        if (b == 0) {
            *v = 0;
            return 2;
        }
        return 0;
    case INDEX_op_muluh:
    case INDEX_op_mulsh:
        if (b == 0) {
            *v = 0;
            return 2;
        }
        return 0;
    case INDEX_op_div:
    case INDEX_op_divu:
        return b == 1 ? 1 : 0;
    default:
        return 0;
    }
}

/* swap inputs 1 and 2 of a commutative op so a constant comes second */
static void canon_commutative(Opt *o, TCGOp *op)
{
    if (is_const(o, (int)op->args[1]) && !is_const(o, (int)op->args[2])) {
        uint64_t t = op->args[1];
        op->args[1] = op->args[2];
        op->args[2] = t;
    }
}

/* brcond/setcond/movcond: constant to the right (swap the condition) */
static void canon_cond(Opt *o, TCGOp *op, int ia, int ib, int ic)
{
    if (is_const(o, (int)op->args[ia]) && !is_const(o, (int)op->args[ib])) {
        uint64_t t = op->args[ia];
        op->args[ia] = op->args[ib];
        op->args[ib] = t;
        op->args[ic] = tcg_swap_cond((TCGCond)op->args[ic]);
    }
}

/* the outcome of cond(a, b) if known: -1 unknown, 0 false, 1 true */
static int cond_known(Opt *o, TCGCond c, TCGType t, int a, int b)
{
    if (c == TCG_COND_ALWAYS) {
        return 1;
    }
    if (c == TCG_COND_NEVER) {
        return 0;
    }
    if (is_const(o, a) && is_const(o, b)) {
        return tcg_cond_eval(c, t, cval(o, a), cval(o, b));
    }
    if (same_value(o, a, b)) {
        switch (c) {
        case TCG_COND_EQ:
        case TCG_COND_GE:
        case TCG_COND_LE:
        case TCG_COND_GEU:
        case TCG_COND_LEU: return 1;
        default: return 0;
        }
    }
    if (is_const_val(o, b, 0)) {
        /* unsigned compares against zero */
        if (c == TCG_COND_GEU) {
            return 1;
        }
        if (c == TCG_COND_LTU) {
            return 0;
        }
        /* a value with a known nonzero bit is != 0 -- not tracked (z_mask only
         * knows zeros); but a value whose every bit is known zero is 0 */
    }
    return -1;
}

static void fold_double(Opt *o, int *oi)
{
    TCGContext *s = o->s;
    TCGOp *op = &s->ops[*oi];
    TCGType t = (TCGType)op->type;
    unsigned w = type_width(t);
    uint64_t wm = type_mask(t);
    int n_in = op->opc == INDEX_op_add2 || op->opc == INDEX_op_sub2 ? 4 : 2;
    for (int k = 0; k < n_in; k++) {
        if (!is_const(o, (int)op->args[2 + k])) {
            reset_temp(o, (int)op->args[0]);
            reset_temp(o, (int)op->args[1]);
            return;
        }
    }
    uint64_t x[4];
    for (int k = 0; k < n_in; k++) {
        x[k] = cval(o, (int)op->args[2 + k]);
    }
    uint64_t lo, hi;
    switch (op->opc) {
    case INDEX_op_add2:
        lo = (x[0] + x[2]) & wm;
        hi = x[1] + x[3] + (lo < (x[2] & wm));
        break;
    case INDEX_op_sub2:
        lo = (x[0] - x[2]) & wm;
        hi = x[1] - x[3] - ((x[0] & wm) < (x[2] & wm));
        break;
    case INDEX_op_mulu2:
        if (w == 32) {
            uint64_t p = x[0] * x[1];
            lo = p;
            hi = p >> 32;
        } else {
            unsigned __int128 p = (unsigned __int128)x[0] * x[1];
            lo = (uint64_t)p;
            hi = (uint64_t)(p >> 64);
        }
        break;
    default: /* muls2 */
        if (w == 32) {
            int64_t p = sext(x[0], 32) * sext(x[1], 32);
            lo = (uint64_t)p;
            hi = (uint64_t)p >> 32;
        } else {
            __int128 p = (__int128)(int64_t)x[0] * (int64_t)x[1];
            lo = (uint64_t)p;
            hi = (uint64_t)((unsigned __int128)p >> 64);
        }
        break;
    }
    int rl = (int)op->args[0], rh = (int)op->args[1];
    /* rl = lo first, then rh = hi (if rl == rh the second write wins, as in the op) */
    TCGOp *first = tcg_op_insert_before(s, *oi, INDEX_op_mov, t);
    (void)first;
    fold_to_const(o, &s->ops[*oi], rl, lo);
    (*oi)++;
    fold_to_const(o, &s->ops[*oi], rh, hi);
}

static void fold_op(Opt *o, int *oi)
{
    TCGContext *s = o->s;
    TCGOp *op = &s->ops[*oi];
    TCGOpcode opc = (TCGOpcode)op->opc;
    const TCGOpDef *def = &tcg_op_defs[opc];
    unsigned nout = tcg_op_nb_oargs(op), nin = tcg_op_nb_iargs(op);
    TCGType type = (TCGType)op->type;
    unsigned w = type_width(type);
    uint64_t wm = type_mask(type);

    /* copy propagation on every input */
    for (unsigned k = nout; k < nout + nin; k++) {
        op->args[k] = (uint64_t)best_copy(o, (int)op->args[k]);
    }

    switch (opc) {
    case INDEX_op_nop:
    case INDEX_op_insn_start:
        return;
    case INDEX_op_discard:
        reset_temp(o, (int)op->args[0]);
        return;
    case INDEX_op_call: {
        unsigned cf = tcg_call_info(op)->flags;
        if (!(cf & TCG_CALL_NO_WRITE_GLOBALS)) {
            reset_globals(o);
        }
        for (unsigned k = 0; k < nout; k++) {
            reset_temp(o, (int)op->args[k]);
        }
        return;
    }
    case INDEX_op_set_label:
    case INDEX_op_br:
    case INDEX_op_exit_tb:
    case INDEX_op_goto_tb:
    case INDEX_op_goto_ptr:
        reset_all(o);
        return;
    case INDEX_op_brcond: {
        canon_cond(o, op, 0, 1, 2);
        int k = cond_known(o, (TCGCond)op->args[2], type, (int)op->args[0],
                           (int)op->args[1]);
        if (k == 1) {
            uint64_t label = op->args[3];
            memset(op, 0, sizeof(*op));
            op->opc = INDEX_op_br;
            op->type = TCG_TYPE_I64;
            op->args[0] = label;
            reset_all(o);
        } else if (k == 0) {
            tcg_op_remove(s, op); /* falls through: knowledge stays */
        }
        /* unknown: the fall-through path changes nothing */
        return;
    }
    case INDEX_op_mov: {
        int d = (int)op->args[0], src = (int)op->args[1];
        if (same_value(o, d, src)) {
            tcg_op_remove(s, op); /* d already holds that value */
            return;
        }
        if (d == src) {
            tcg_op_remove(s, op);
            return;
        }
        note_mov(o, d, src);
        return;
    }
    case INDEX_op_add2:
    case INDEX_op_sub2:
    case INDEX_op_mulu2:
    case INDEX_op_muls2:
        fold_double(o, oi);
        return;
    default:
        break;
    }

    /* ops that touch memory, or have other effects: no folding */
    if ((def->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_GUEST_MEM | TCG_OPF_BB_END)) ||
        nout != 1) {
        for (unsigned k = 0; k < nout; k++) {
            int d = (int)op->args[k];
            uint64_t z = out_z_mask(o, op, w);
            reset_temp(o, d);
            ti(o, d)->z_mask = z & type_mask((TCGType)s->temps[d].type);
        }
        return;
    }

    int d = (int)op->args[0];
    TCGType dtype = (TCGType)s->temps[d].type;
    if (is_commutative(opc)) {
        canon_commutative(o, op);
    }
    if (opc == INDEX_op_setcond || opc == INDEX_op_negsetcond) {
        canon_cond(o, op, 1, 2, 3);
    } else if (opc == INDEX_op_movcond) {
        canon_cond(o, op, 1, 2, 5);
    }

    /* all inputs constant: evaluate */
    bool all_const = true;
    uint64_t x[4] = {0, 0, 0, 0};
    for (unsigned k = 0; k < nin && k < 4; k++) {
        int a = (int)op->args[1 + k];
        if (!is_const(o, a)) {
            all_const = false;
        } else {
            x[k] = cval(o, a);
        }
    }
    if (all_const && nin > 0) {
        uint64_t r;
        if (opc == INDEX_op_movcond) {
            bool t = tcg_cond_eval((TCGCond)op->args[5], type, x[0], x[1]);
            fold_to_const(o, op, d, t ? x[2] : x[3]);
            return;
        }
        if (eval_op(opc, w, x, &op->args[1 + nin], &r)) {
            fold_to_const(o, op, d, r);
            return;
        }
    }

    /* partial knowledge */
    if (nin == 2 && opc != INDEX_op_setcond && opc != INDEX_op_negsetcond) {
        int a = (int)op->args[1], b = (int)op->args[2];
        uint64_t v;
        int k;
        if (same_value(o, a, b) && (k = fold_same(opc, &v, wm)) != 0) {
            if (k == 1) {
                fold_to_copy(o, op, d, a);
            } else {
                fold_to_const(o, op, d, v);
            }
            return;
        }
        if (is_const(o, b) && (k = fold_identity(opc, cval(o, b), w, &v)) != 0) {
            if (k == 1) {
                fold_to_copy(o, op, d, a);
            } else {
                fold_to_const(o, op, d, v);
            }
            return;
        }
        /* x - c is x + (-c): one canonical form for the backends */
        if (opc == INDEX_op_sub && is_const(o, b)) {
            op->opc = INDEX_op_add;
            op->args[2] = (uint64_t)opt_const(o, type, 0 - cval(o, b));
            opc = INDEX_op_add;
        }
        /* and with a mask that keeps every possibly-nonzero bit: a mov */
        if (opc == INDEX_op_and && is_const(o, b) &&
            (ti(o, a)->z_mask & ~cval(o, b)) == 0) {
            fold_to_copy(o, op, d, a);
            return;
        }
    }
    switch (opc) {
    case INDEX_op_setcond:
    case INDEX_op_negsetcond: {
        int k = cond_known(o, (TCGCond)op->args[3], type, (int)op->args[1],
                           (int)op->args[2]);
        if (k >= 0) {
            fold_to_const(o, op, d, k ? (opc == INDEX_op_setcond ? 1 : wm) : 0);
            return;
        }
        break;
    }
    case INDEX_op_movcond: {
        int k = cond_known(o, (TCGCond)op->args[5], type, (int)op->args[1],
                           (int)op->args[2]);
        if (k >= 0) {
            fold_to_copy(o, op, d, (int)op->args[k ? 3 : 4]);
            return;
        }
        if (same_value(o, (int)op->args[3], (int)op->args[4])) {
            fold_to_copy(o, op, d, (int)op->args[3]);
            return;
        }
        break;
    }
    case INDEX_op_ext8u:
    case INDEX_op_ext16u:
    case INDEX_op_ext32u: {
        uint64_t keep = opc == INDEX_op_ext8u ? 0xff : opc == INDEX_op_ext16u ? 0xffff
                                                                              : 0xffffffff;
        if ((ti(o, (int)op->args[1])->z_mask & ~keep) == 0) {
            fold_to_copy(o, op, d, (int)op->args[1]);
            return;
        }
        break;
    }
    case INDEX_op_ext8s:
    case INDEX_op_ext16s:
    case INDEX_op_ext32s: {
        uint64_t keep = opc == INDEX_op_ext8s ? 0x7f : opc == INDEX_op_ext16s ? 0x7fff
                                                                              : 0x7fffffff;
        if ((ti(o, (int)op->args[1])->z_mask & ~keep) == 0) {
            fold_to_copy(o, op, d, (int)op->args[1]);
            return;
        }
        break;
    }
    case INDEX_op_extract:
        if (op->args[2] == 0 && op->args[3] < 64 &&
            (ti(o, (int)op->args[1])->z_mask & ~bits((unsigned)op->args[3])) == 0) {
            fold_to_copy(o, op, d, (int)op->args[1]);
            return;
        }
        break;
    default:
        break;
    }

    /* the result's known zero bits; all zero means the constant 0 */
    uint64_t z = out_z_mask(o, op, w) & type_mask(dtype);
    bool pure = !(def->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_GUEST_MEM));
    bool reads_mem = opc >= INDEX_op_ld8u && opc <= INDEX_op_ld;
    if (z == 0 && pure && !reads_mem && opc != INDEX_op_div && opc != INDEX_op_rem &&
        opc != INDEX_op_divu && opc != INDEX_op_remu) {
        fold_to_const(o, op, d, 0);
        return;
    }
    reset_temp(o, d);
    ti(o, d)->z_mask = z;
}

void tcg_optimize(TCGContext *s)
{
    Opt o = {.s = s, .cap = 64};
    while (o.cap < s->nb_temps + 16) {
        o.cap *= 2;
    }
    o.ti = malloc(sizeof(TempInfo) * (size_t)o.cap);
    if (!o.ti) {
        fatal("tcg optimize: out of memory");
    }
    for (int k = 0; k < s->nb_temps; k++) {
        info_init(&o, k);
    }
    o.n_init = s->nb_temps;
    for (int oi = 0; oi < s->nb_ops; oi++) {
        fold_op(&o, &oi);
    }
    free(o.ti);
}
