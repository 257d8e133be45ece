/*
 * tcg.c — the IR container: op table, per-thread contexts, temps, labels,
 * op list editing, conditions, and the -d op / op_opt dumps.
 *
 * Design:
 *  - A TCGContext is allocated inside a private wrapper (TCGContextPriv) that
 *    holds what the public struct does not need to show: the per-TB constant
 *    table (constants are deduplicated per TB, so `$0x1` used ten times is one
 *    temp) and old label arrays.
 *  - Temps, ops and labels live in growable arrays and are referred to by
 *    index. Op args that name a label hold the label's id (its index in
 *    s->labels). gen_new_label() hands out TCGLabel pointers, which frontends
 *    keep across later allocations; when the label array grows, the old copy is
 *    kept (not freed) until tcg_func_start, and every function that takes a
 *    TCGLabel * reads only its immutable `id` field. So a stale pointer stays a
 *    valid handle; the live state is always s->labels[id].
 *  - Per-TB state (temps >= nb_globals, ops, labels, constants, insn count) is
 *    dropped by tcg_func_start; globals and the fixed env temp persist.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tcg/tcg.h"
#include "util/log.h"

#define TB_MAX_INSNS_HINT 512

__thread TCGContext *tcg_ctx;

const TCGOpDef tcg_op_defs[NB_OPS] = {
#define DEF(nm, oa, ia, ca, fl)                                                        \
    [INDEX_op_##nm] = {                                                                \
        .name = #nm,                                                                   \
        .nb_oargs = (oa),                                                              \
        .nb_iargs = (ia),                                                              \
        .nb_cargs = (ca),                                                              \
        .nb_args = (oa) + (ia) + (ca),                                                 \
        .flags = (fl),                                                                 \
    },
#include "tcg/tcg-opc.h"
#undef DEF
};

typedef struct ConstEntry {
    int64_t val;
    int idx; /* temp index, -1: empty slot */
    uint8_t type;
} ConstEntry;

typedef struct TCGContextPriv {
    TCGContext s; /* first: a TCGContext * is a TCGContextPriv * */
    ConstEntry *consts;
    unsigned consts_cap, nb_consts; /* open addressing, power of two */
    TCGLabel **old_labels;
    int nb_old_labels, cap_old_labels;
} TCGContextPriv;

static TCGContextPriv *priv(TCGContext *s)
{
    return (TCGContextPriv *)s;
}

static void *xrealloc(void *p, size_t n)
{
    void *r = realloc(p, n ? n : 1);
    if (!r) {
        fatal("tcg: out of memory (%zu bytes)", n);
    }
    return r;
}

static void consts_clear(TCGContextPriv *p)
{
    for (unsigned i = 0; i < p->consts_cap; i++) {
        p->consts[i].idx = -1;
    }
    p->nb_consts = 0;
}

static void free_old_labels(TCGContextPriv *p)
{
    for (int i = 0; i < p->nb_old_labels; i++) {
        free(p->old_labels[i]);
    }
    p->nb_old_labels = 0;
}

TCGContext *tcg_context_new(const TCGBackend *backend)
{
    TCGContextPriv *p = calloc(1, sizeof(*p));
    if (!p) {
        fatal("tcg: out of memory");
    }
    TCGContext *s = &p->s;
    s->backend = backend;
    s->cap_temps = 256;
    s->temps = xrealloc(NULL, sizeof(TCGTemp) * s->cap_temps);
    s->cap_ops = 512;
    s->ops = xrealloc(NULL, sizeof(TCGOp) * s->cap_ops);
    s->cap_labels = 64;
    s->labels = xrealloc(NULL, sizeof(TCGLabel) * s->cap_labels);
    s->cap_insn_end = TB_MAX_INSNS_HINT;
    s->insn_end_off = xrealloc(NULL, sizeof(uint32_t) * s->cap_insn_end);
    p->consts_cap = 256;
    p->consts = xrealloc(NULL, sizeof(ConstEntry) * p->consts_cap);
    consts_clear(p);

    s->env_temp = tcg_temp_alloc(s, TCG_TYPE_PTR, TEMP_FIXED);
    s->temps[s->env_temp].name = "env";
    s->nb_globals = s->nb_temps;
    return s;
}

void tcg_context_free(TCGContext *s)
{
    if (!s) {
        return;
    }
    TCGContextPriv *p = priv(s);
    if (tcg_ctx == s) {
        tcg_ctx = NULL;
    }
    free_old_labels(p);
    free(p->old_labels);
    free(p->consts);
    free(s->temps);
    free(s->ops);
    free(s->labels);
    free(s->insn_end_off);
    free(p);
}

void tcg_func_start(TCGContext *s)
{
    TCGContextPriv *p = priv(s);
    s->nb_temps = s->nb_globals;
    s->nb_ops = 0;
    s->nb_labels = 0;
    s->nb_insns = 0;
    s->goto_tb_off[0] = s->goto_tb_off[1] = 0xffff;
    s->goto_tb_reset[0] = s->goto_tb_reset[1] = 0xffff;
    consts_clear(p);
    free_old_labels(p);
}

/* --- temps --- */

int tcg_temp_alloc(TCGContext *s, TCGType type, TCGTempKind kind)
{
    if (s->nb_temps == s->cap_temps) {
        s->cap_temps *= 2;
        s->temps = xrealloc(s->temps, sizeof(TCGTemp) * s->cap_temps);
    }
    int idx = s->nb_temps++;
    TCGTemp *t = &s->temps[idx];
    memset(t, 0, sizeof(*t));
    t->type = type;
    t->kind = kind;
    t->reg = -1;
    return idx;
}

int tcg_global_mem_new(TCGContext *s, TCGType type, intptr_t offset, const char *name)
{
    /* Globals occupy [0, nb_globals): register them before any per-TB temp. */
    if (s->nb_temps != s->nb_globals) {
        fatal("tcg: global '%s' registered after per-TB temps", name);
    }
    int idx = tcg_temp_alloc(s, type, TEMP_GLOBAL);
    s->temps[idx].mem_offset = offset;
    s->temps[idx].name = name;
    s->nb_globals = s->nb_temps;
    return idx;
}

static unsigned const_hash(TCGType type, int64_t val)
{
    uint64_t h = (uint64_t)val * 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
    return (unsigned)(h + type);
}

/* I32 constants are stored zero-extended (the I32 value invariant). */
int tcg_constant_temp(TCGContext *s, TCGType type, int64_t val)
{
    TCGContextPriv *p = priv(s);
    if (type == TCG_TYPE_I32) {
        val = (int64_t)(uint32_t)val;
    }
    if ((p->nb_consts + 1) * 2 > p->consts_cap) {
        ConstEntry *old = p->consts;
        unsigned oldcap = p->consts_cap;
        p->consts_cap *= 2;
        p->consts = xrealloc(NULL, sizeof(ConstEntry) * p->consts_cap);
        consts_clear(p);
        for (unsigned i = 0; i < oldcap; i++) {
            if (old[i].idx >= 0) {
                unsigned h = const_hash(old[i].type, old[i].val) & (p->consts_cap - 1);
                while (p->consts[h].idx >= 0) {
                    h = (h + 1) & (p->consts_cap - 1);
                }
                p->consts[h] = old[i];
                p->nb_consts++;
            }
        }
        free(old);
    }
    unsigned h = const_hash(type, val) & (p->consts_cap - 1);
    while (p->consts[h].idx >= 0) {
        if (p->consts[h].val == val && p->consts[h].type == type) {
            return p->consts[h].idx;
        }
        h = (h + 1) & (p->consts_cap - 1);
    }
    int idx = tcg_temp_alloc(s, type, TEMP_CONST);
    s->temps[idx].val = val;
    p->consts[h].idx = idx;
    p->consts[h].val = val;
    p->consts[h].type = type;
    p->nb_consts++;
    return idx;
}

/* --- labels --- */

TCGLabel *tcg_label_new(TCGContext *s)
{
    if (s->nb_labels == s->cap_labels) {
        /* keep the old array alive: frontends hold pointers into it (ids only) */
        TCGContextPriv *p = priv(s);
        TCGLabel *n = xrealloc(NULL, sizeof(TCGLabel) * s->cap_labels * 2);
        memcpy(n, s->labels, sizeof(TCGLabel) * s->nb_labels);
        if (p->nb_old_labels == p->cap_old_labels) {
            p->cap_old_labels = p->cap_old_labels ? p->cap_old_labels * 2 : 8;
            p->old_labels = xrealloc(p->old_labels, sizeof(TCGLabel *) * p->cap_old_labels);
        }
        p->old_labels[p->nb_old_labels++] = s->labels;
        s->labels = n;
        s->cap_labels *= 2;
    }
    TCGLabel *l = &s->labels[s->nb_labels];
    memset(l, 0, sizeof(*l));
    l->id = s->nb_labels++;
    l->first_reloc = -1;
    return l;
}

/* --- ops --- */

static void op_init(TCGOp *op, TCGOpcode opc, TCGType type)
{
    memset(op, 0, sizeof(*op));
    op->opc = opc;
    op->type = type;
    if (opc != INDEX_op_call) {
        op->nb_oargs = tcg_op_defs[opc].nb_oargs;
        op->nb_iargs = tcg_op_defs[opc].nb_iargs;
    }
}

static void ops_reserve(TCGContext *s)
{
    if (s->nb_ops == s->cap_ops) {
        s->cap_ops *= 2;
        s->ops = xrealloc(s->ops, sizeof(TCGOp) * s->cap_ops);
    }
}

TCGOp *tcg_emit_op(TCGContext *s, TCGOpcode opc, TCGType type)
{
    ops_reserve(s);
    TCGOp *op = &s->ops[s->nb_ops++];
    op_init(op, opc, type);
    return op;
}

TCGOp *tcg_op_insert_before(TCGContext *s, int op_index, TCGOpcode opc, TCGType type)
{
    assert(op_index >= 0 && op_index <= s->nb_ops);
    ops_reserve(s);
    memmove(&s->ops[op_index + 1], &s->ops[op_index],
            sizeof(TCGOp) * (size_t)(s->nb_ops - op_index));
    s->nb_ops++;
    TCGOp *op = &s->ops[op_index];
    op_init(op, opc, type);
    return op;
}

void tcg_op_remove(TCGContext *s, TCGOp *op)
{
    (void)s;
    op_init(op, INDEX_op_nop, TCG_TYPE_I64);
}

/* --- conditions --- */

bool tcg_cond_eval(TCGCond c, TCGType type, uint64_t a, uint64_t b)
{
    int64_t sa, sb;
    if (type == TCG_TYPE_I32) {
        a = (uint32_t)a;
        b = (uint32_t)b;
        sa = (int32_t)a;
        sb = (int32_t)b;
    } else {
        sa = (int64_t)a;
        sb = (int64_t)b;
    }
    switch (c) {
    case TCG_COND_NEVER: return false;
    case TCG_COND_ALWAYS: return true;
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return sa < sb;
    case TCG_COND_GE: return sa >= sb;
    case TCG_COND_LE: return sa <= sb;
    case TCG_COND_GT: return sa > sb;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    }
    return false;
}

const char *tcg_cond_name(TCGCond c)
{
    switch (c) {
    case TCG_COND_NEVER: return "never";
    case TCG_COND_ALWAYS: return "always";
    case TCG_COND_EQ: return "eq";
    case TCG_COND_NE: return "ne";
    case TCG_COND_LT: return "lt";
    case TCG_COND_GE: return "ge";
    case TCG_COND_LE: return "le";
    case TCG_COND_GT: return "gt";
    case TCG_COND_LTU: return "ltu";
    case TCG_COND_GEU: return "geu";
    case TCG_COND_LEU: return "leu";
    case TCG_COND_GTU: return "gtu";
    }
    return "?";
}

/* --- dumps --- */

static void temp_name(TCGContext *s, int idx, char *buf, size_t n)
{
    if (idx < 0 || idx >= s->nb_temps) {
        snprintf(buf, n, "<bad%d>", idx);
        return;
    }
    const TCGTemp *t = &s->temps[idx];
    switch (t->kind) {
    case TEMP_GLOBAL:
    case TEMP_FIXED:
        snprintf(buf, n, "%s", t->name ? t->name : "?");
        break;
    case TEMP_CONST:
        if (t->type == TCG_TYPE_I32) {
            snprintf(buf, n, "$0x%" PRIx32, (uint32_t)t->val);
        } else {
            snprintf(buf, n, "$0x%" PRIx64, (uint64_t)t->val);
        }
        break;
    case TEMP_TB:
        snprintf(buf, n, "loc%d", idx - s->nb_globals);
        break;
    default:
        snprintf(buf, n, "tmp%d", idx - s->nb_globals);
        break;
    }
}

static void memop_name(MemOpIdx oi, char *buf, size_t n)
{
    static const char *const sizes[] = {"b", "w", "l", "q", "o", "?5", "?6", "?7"};
    MemOp mop = get_memop(oi);
    snprintf(buf, n, "%s%s%s%s,%u", (mop & MO_BSWAP) ? "be" : "",
             (mop & MO_SIGN) ? "s" : "u", sizes[mop & MO_SIZE],
             (mop & MO_ALIGN) ? "+al" : "", get_mmuidx(oi));
}

static const char *atomic_op_name(unsigned a)
{
    static const char *const names[] = {"xchg", "add", "and", "andc", "or",
                                        "xor",  "smin", "smax", "umin", "umax"};
    return a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

void tcg_dump_ops(TCGContext *s, FILE *f, bool with_life)
{
    char nb[64];
    for (int i = 0; i < s->nb_ops; i++) {
        const TCGOp *op = &s->ops[i];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        unsigned nout = tcg_op_nb_oargs(op), nin = tcg_op_nb_iargs(op);
        int col = 0;

        if (op->opc == INDEX_op_nop) {
            continue;
        }
        if (op->opc == INDEX_op_insn_start) {
            fprintf(f, " ---- %016" PRIx64 " %016" PRIx64 "\n", op->args[0], op->args[1]);
            continue;
        }
        if (op->opc == INDEX_op_call) {
            const TCGHelperInfo *info = tcg_call_info(op);
            col += fprintf(f, " call %s,$0x%x,$%u", info->name ? info->name : "?",
                           (unsigned)op->args[nout + nin + 1], nout);
            for (unsigned k = 0; k < nout + nin; k++) {
                temp_name(s, (int)op->args[k], nb, sizeof(nb));
                col += fprintf(f, ",%s", nb);
            }
        } else {
            if (def->flags & TCG_OPF_INT) {
                col += fprintf(f, " %s_%s", def->name,
                               op->type == TCG_TYPE_I32 ? "i32" : "i64");
            } else {
                col += fprintf(f, " %s", def->name);
            }
            unsigned k;
            for (k = 0; k < nout + nin; k++) {
                temp_name(s, (int)op->args[k], nb, sizeof(nb));
                col += fprintf(f, "%s%s", k ? "," : " ", nb);
            }
            const char *sep = k ? "," : " ";
            const uint64_t *c = &op->args[k];
            switch (op->opc) {
            case INDEX_op_set_label:
            case INDEX_op_br:
                col += fprintf(f, "%sL%d", sep, (int)c[0]);
                break;
            case INDEX_op_brcond:
                col += fprintf(f, "%s%s,L%d", sep, tcg_cond_name((TCGCond)c[0]), (int)c[1]);
                break;
            case INDEX_op_setcond:
            case INDEX_op_negsetcond:
            case INDEX_op_movcond:
                col += fprintf(f, "%s%s", sep, tcg_cond_name((TCGCond)c[0]));
                break;
            case INDEX_op_guest_ld:
            case INDEX_op_guest_st:
            case INDEX_op_guest_ld128:
            case INDEX_op_guest_st128:
            case INDEX_op_atomic_cmpxchg:
            case INDEX_op_atomic_cmpxchg128:
                memop_name((MemOpIdx)c[0], nb, sizeof(nb));
                col += fprintf(f, "%s%s", sep, nb);
                break;
            case INDEX_op_atomic_rmw:
                memop_name((MemOpIdx)c[0], nb, sizeof(nb));
                col += fprintf(f, "%s%s,%s", sep, nb, atomic_op_name((unsigned)c[1]));
                break;
            case INDEX_op_exit_tb:
                col += fprintf(f, "%s$0x%" PRIx64, sep, c[0]);
                break;
            default:
                for (unsigned j = 0; j < def->nb_cargs; j++) {
                    col += fprintf(f, "%s$0x%" PRIx64, j ? "," : sep, c[j]);
                }
                break;
            }
        }
        if (with_life && op->life) {
            fprintf(f, "%*s", col < 48 ? 48 - col : 1, "");
            const char *pre = " dead:";
            for (unsigned k = 0; k < nout + nin; k++) {
                if (IS_DEAD_ARG(op, k)) {
                    fprintf(f, "%s %u", pre, k);
                    pre = "";
                }
            }
            pre = " sync:";
            for (unsigned k = 0; k < nout; k++) {
                if (NEED_SYNC_ARG(op, k)) {
                    fprintf(f, "%s %u", pre, k);
                    pre = "";
                }
            }
        }
        fputc('\n', f);
    }
}
