/*
 * tci.c — the portable interpreter backend (tcg_backend_interp): the
 * reference every other engine is compared against.
 *
 * gen_code lowers the optimized op list into a compact bytecode in the code
 * buffer; exec runs it. One bytecode instruction per IR op (markers such as
 * insn_start, set_label and nop emit nothing):
 *
 *     TciHdr (8 bytes)          opcode, type, #outputs, #inputs, #cargs, length
 *     uint32_t operand[nout+nin] operand descriptors, padded to 8 bytes
 *     uint64_t carg[ncarg]      the op's constant args (labels as addresses)
 *     uint64_t const[]          values of constant temps used as operands
 *
 * An operand descriptor names where a temp lives (bits 31..30) and a byte
 * offset from that place's base (bits 29..0):
 *     0  frame slot, base = the frame (uint64_t array; slot 0 always holds env)
 *     1  64-bit global, base = env           2  32-bit global, base = env
 *     3  constant, base = the instruction's start
 * so reading an operand is one table lookup, one add and one load.
 * I32 values are kept zero-extended (the IR invariant): results of I32 ops
 * are masked before they are written, 32-bit globals are read zero-extended.
 *
 * Every TB starts with TCI_ENTER (frame size); chaining jumps land on it.
 * goto_tb reads tb->jmp_target[n] at run time: nonzero means "continue at
 * that bytecode" (another TB's tc_ptr), zero falls through to the unchained
 * exit path the frontend emitted after it. The prologue is one `exit_tb 0`
 * instruction at s->epilogue; s->exit_zero (what helper_lookup_tb_ptr returns
 * when it finds no TB) is 0, and goto_ptr of 0 leaves returning 0.
 *
 * GETPC() under the interpreter: before every helper call and guest memory
 * op, tci_retaddr is set to the address of the next instruction, so
 * ra - 1 lies inside the current instruction's bytes and insn_end_off[]
 * (offsets of the first byte after each guest instruction) maps it back.
 *
 * Undefined IR cases never trap here: shift counts are masked to the width,
 * division by zero gives 0, INT_MIN / -1 gives INT_MIN (remainder 0).
 */
#include <stdlib.h>
#include <string.h>

#include "exec/cpu.h"
#include "exec/cputlb.h"
#include "exec/tb.h"
#include "tcg/tcg.h"
#include "util/log.h"

__thread uintptr_t tci_retaddr;
__thread bool tci_active;

enum {
    TCI_ENTER = NB_OPS, /* carg: frame slots needed */
};

#define TCI_TYPE_MASK 1
#define TCI_OUT32 2

typedef struct TciHdr {
    uint16_t opc;
    uint8_t type; /* TCGType in bit 0; TCI_OUT32: results are 32-bit values */
    uint8_t nout;
    uint8_t nin;
    uint8_t ncarg;
    uint16_t len; /* bytes to the next instruction */
} TciHdr;

#define D_KIND_SHIFT 30
#define D_VAL_MASK ((1u << D_KIND_SHIFT) - 1)
enum { D_SLOT = 0u, D_G64 = 1u, D_G32 = 2u, D_CONST = 3u };

/* ---------------------------------------------------------------- codegen */

typedef struct Reloc {
    uint32_t at; /* byte offset (from buf) of the uint64_t to patch */
    int label;
} Reloc;

typedef struct Gen {
    TCGContext *s;
    uint8_t *buf;
    size_t cap, off;
    bool overflow;
    uint32_t *label_off; /* [nb_labels], UINT32_MAX: not yet placed */
    Reloc *relocs;
    int nb_relocs, cap_relocs;
} Gen;

static void add_reloc(Gen *g, uint32_t at, int label)
{
    if (g->nb_relocs == g->cap_relocs) {
        g->cap_relocs = g->cap_relocs ? g->cap_relocs * 2 : 32;
        g->relocs = realloc(g->relocs, sizeof(Reloc) * g->cap_relocs);
        if (!g->relocs) {
            fatal("tci: out of memory");
        }
    }
    g->relocs[g->nb_relocs].at = at;
    g->relocs[g->nb_relocs].label = label;
    g->nb_relocs++;
}

/*
 * Emit one instruction. args: nt temp indices then ncarg constant args.
 * Returns the byte offset of the cargs array (for label relocations), or 0
 * when the buffer is full (g->overflow set).
 */
static size_t emit_insn(Gen *g, unsigned opc, unsigned type, unsigned nout, unsigned nin,
                        const uint64_t *targs, unsigned ncarg, const uint64_t *cargs)
{
    TCGContext *s = g->s;
    unsigned nt = nout + nin;
    unsigned nconst = 0;
    for (unsigned i = 0; i < nt; i++) {
        if (s->temps[targs[i]].kind == TEMP_CONST) {
            nconst++;
        }
    }
    size_t desc_bytes = (nt * 4 + 7) & ~(size_t)7;
    size_t len = sizeof(TciHdr) + desc_bytes + 8 * (ncarg + nconst);
    if (g->overflow || g->off + len > g->cap || len > 0xffff) {
        g->overflow = true;
        return 0;
    }
    uint8_t *p = g->buf + g->off;
    memset(p, 0, len);
    TciHdr *h = (TciHdr *)p;
    h->opc = (uint16_t)opc;
    bool out32 = opc < NB_OPS && ((((tcg_op_defs[opc].flags & TCG_OPF_INT) && type == TCG_TYPE_I32)) ||
                                  opc == INDEX_op_extrl_i64_i32 || opc == INDEX_op_extrh_i64_i32);
    h->type = (uint8_t)((type & TCI_TYPE_MASK) | (out32 ? TCI_OUT32 : 0));
    h->nout = (uint8_t)nout;
    h->nin = (uint8_t)nin;
    h->ncarg = (uint8_t)ncarg;
    h->len = (uint16_t)len;
    uint32_t *desc = (uint32_t *)(p + sizeof(TciHdr));
    uint64_t *ca = (uint64_t *)(p + sizeof(TciHdr) + desc_bytes);
    uint64_t *cv = ca + ncarg;
    for (unsigned i = 0; i < ncarg; i++) {
        ca[i] = cargs[i];
    }
    for (unsigned i = 0; i < nt; i++) {
        int idx = (int)targs[i];
        const TCGTemp *t = &s->temps[idx];
        uint32_t d;
        switch (t->kind) {
        case TEMP_CONST:
            *cv = (uint64_t)t->val;
            d = ((uint32_t)D_CONST << D_KIND_SHIFT) | (uint32_t)((uint8_t *)cv - p);
            cv++;
            break;
        case TEMP_GLOBAL:
            if (t->mem_offset < 0 || t->mem_offset > (intptr_t)D_VAL_MASK) {
                fatal("tci: global %s at offset %ld out of range", t->name,
                      (long)t->mem_offset);
            }
            d = ((uint32_t)(t->type == TCG_TYPE_I32 ? D_G32 : D_G64) << D_KIND_SHIFT) |
                (uint32_t)t->mem_offset;
            break;
        case TEMP_FIXED:
            d = (uint32_t)D_SLOT << D_KIND_SHIFT; /* slot 0: env */
            break;
        default:
            d = (uint32_t)(8 * (1 + idx - s->nb_globals)); /* byte offset in the frame */
            break;
        }
        desc[i] = d;
    }
    size_t cargs_at = g->off + sizeof(TciHdr) + desc_bytes;
    g->off += len;
    return cargs_at;
}

static void emit_label_ref(Gen *g, size_t at, unsigned k, int label)
{
    if (at) {
        add_reloc(g, (uint32_t)(at + 8 * k), label);
    }
}

static ptrdiff_t tci_gen_code(TCGContext *s, TranslationBlock *tb, uint8_t *buf, size_t cap)
{
    Gen g = {.s = s, .buf = buf, .cap = cap};
    int insn = 0;
    g.label_off = malloc(sizeof(uint32_t) * (s->nb_labels ? s->nb_labels : 1));
    if (!g.label_off) {
        fatal("tci: out of memory");
    }
    for (int i = 0; i < s->nb_labels; i++) {
        g.label_off[i] = UINT32_MAX;
    }
    /* insn_end_off has room for every insn_start, however the ops were made */
    int ninsns = 0;
    for (int oi = 0; oi < s->nb_ops; oi++) {
        ninsns += s->ops[oi].opc == INDEX_op_insn_start;
    }
    if (ninsns > s->cap_insn_end) {
        s->insn_end_off = realloc(s->insn_end_off, sizeof(uint32_t) * (size_t)ninsns);
        if (!s->insn_end_off) {
            fatal("tci: out of memory");
        }
        s->cap_insn_end = ninsns;
    }
    s->goto_tb_off[0] = s->goto_tb_off[1] = 0xffff;
    s->goto_tb_reset[0] = s->goto_tb_reset[1] = 0xffff;

    uint64_t nslots = 1 + (uint64_t)(s->nb_temps - s->nb_globals);
    emit_insn(&g, TCI_ENTER, 0, 0, 0, NULL, 1, &nslots);

    for (int oi = 0; oi < s->nb_ops && !g.overflow; oi++) {
        const TCGOp *op = &s->ops[oi];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        unsigned nout = tcg_op_nb_oargs(op), nin = tcg_op_nb_iargs(op);
        const uint64_t *ca = &op->args[nout + nin];
        size_t at;

        switch (op->opc) {
        case INDEX_op_nop:
        case INDEX_op_discard:
            break;
        case INDEX_op_insn_start:
            if (insn > 0) {
                s->insn_end_off[insn - 1] = (uint32_t)g.off;
            }
            insn++;
            break;
        case INDEX_op_set_label:
            g.label_off[ca[0]] = (uint32_t)g.off;
            break;
        case INDEX_op_br:
            at = emit_insn(&g, op->opc, op->type, 0, 0, NULL, 1, ca);
            emit_label_ref(&g, at, 0, (int)ca[0]);
            break;
        case INDEX_op_brcond:
            at = emit_insn(&g, op->opc, op->type, 0, 2, op->args, 2, ca);
            emit_label_ref(&g, at, 1, (int)ca[1]);
            break;
        case INDEX_op_goto_tb: {
            uint64_t c[2] = {ca[0], (uintptr_t)tb};
            unsigned n = (unsigned)ca[0] & 1;
            size_t start = g.off;
            emit_insn(&g, op->opc, 0, 0, 0, NULL, 2, c);
            s->goto_tb_off[n] = (uint16_t)(start > 0xfffe ? 0xfffe : start);
            s->goto_tb_reset[n] = (uint16_t)(g.off > 0xfffe ? 0xfffe : g.off);
            break;
        }
        case INDEX_op_call:
            emit_insn(&g, op->opc, 0, nout, nin, op->args, 1, ca);
            break;
        default:
            emit_insn(&g, op->opc, op->type, nout, nin, op->args, def->nb_cargs, ca);
            break;
        }
    }
    /* a label placed after the last op must still land on an instruction */
    for (int i = 0; i < s->nb_labels && !g.overflow; i++) {
        if (g.label_off[i] == g.off) {
            uint64_t zero = 0;
            emit_insn(&g, INDEX_op_exit_tb, 0, 0, 0, NULL, 1, &zero);
            break;
        }
    }
    if (!g.overflow) {
        for (int i = 0; i < g.nb_relocs; i++) {
            uint32_t lo = g.label_off[g.relocs[i].label];
            if (lo == UINT32_MAX) {
                fatal("tci: branch to label L%d that was never set", g.relocs[i].label);
            }
            uint64_t target = (uintptr_t)(buf + lo);
            memcpy(buf + g.relocs[i].at, &target, 8);
        }
        if (insn > 0) {
            s->insn_end_off[insn - 1] = (uint32_t)g.off;
        }
    }
    free(g.label_off);
    free(g.relocs);
    return g.overflow ? -1 : (ptrdiff_t)g.off;
}

static ptrdiff_t tci_gen_prologue(TCGContext *s, uint8_t *buf, size_t cap)
{
    Gen g = {.s = s, .buf = buf, .cap = cap};
    uint64_t zero = 0;
    emit_insn(&g, INDEX_op_exit_tb, 0, 0, 0, NULL, 1, &zero);
    if (g.overflow) {
        return -1;
    }
    s->epilogue = (uintptr_t)buf;
    s->exit_zero = 0;
    return (ptrdiff_t)g.off;
}

static void tci_set_jmp_target(TranslationBlock *tb, int n, uintptr_t addr)
{
    /* only the owning core runs or patches its TBs: a plain store will do */
    __atomic_store_n(&tb->jmp_target[n], addr, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- execution */

/* The frame: per thread, grown on TCI_ENTER; survives a longjmp out of a helper. */
static __thread uint64_t *tci_frame;
static __thread size_t tci_frame_cap;

static uint64_t *frame_reserve(size_t n)
{
    if (n > tci_frame_cap) {
        size_t cap = tci_frame_cap ? tci_frame_cap : 256;
        while (cap < n) {
            cap *= 2;
        }
        uint64_t *f = realloc(tci_frame, sizeof(uint64_t) * cap);
        if (!f) {
            fatal("tci: out of memory");
        }
        tci_frame = f;
        tci_frame_cap = cap;
    }
    return tci_frame;
}

/* base[kind]: the frame, env, env, the current instruction */
static inline uint64_t rd(uint8_t *const *base, uint32_t d)
{
    uint32_t k = d >> D_KIND_SHIFT;
    const uint8_t *p = base[k] + (d & D_VAL_MASK);
    if (k == D_G32) {
        uint32_t x;
        memcpy(&x, p, 4);
        return x;
    }
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

static inline void wr(uint8_t *const *base, uint32_t d, uint64_t x)
{
    uint32_t k = d >> D_KIND_SHIFT;
    uint8_t *p = base[k] + (d & D_VAL_MASK);
    if (k == D_G32) {
        uint32_t y = (uint32_t)x;
        memcpy(p, &y, 4);
    } else {
        memcpy(p, &x, 8); /* never a constant: constants are not written */
    }
}

static uint64_t bits_mask(unsigned len)
{
    return len >= 64 ? ~0ull : (1ull << len) - 1;
}

static uint64_t do_rotl(uint64_t a, unsigned c, unsigned w)
{
    c &= w - 1;
    if (c == 0) {
        return a;
    }
    if (w == 32) {
        uint32_t x = (uint32_t)a;
        return (uint32_t)((x << c) | (x >> (32 - c)));
    }
    return (a << c) | (a >> (64 - c));
}

static uint64_t call_helper(const TCGHelperInfo *info, const uint64_t *in, unsigned n)
{
    uint64_t a[TCG_MAX_CALL_IARGS] = {0};
    for (unsigned i = 0; i < n && i < TCG_MAX_CALL_IARGS; i++) {
        a[i] = info->args[i] == TCG_CALL_S32 ? (uint64_t)(int64_t)(int32_t)in[i] : in[i];
    }
    void *f = info->func;
    uint64_t r;
    switch (n) {
    case 0: r = ((uint64_t (*)(void))f)(); break;
    case 1: r = ((uint64_t (*)(uint64_t))f)(a[0]); break;
    case 2: r = ((uint64_t (*)(uint64_t, uint64_t))f)(a[0], a[1]); break;
    case 3: r = ((uint64_t (*)(uint64_t, uint64_t, uint64_t))f)(a[0], a[1], a[2]); break;
    case 4:
        r = ((uint64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t))f)(a[0], a[1], a[2], a[3]);
        break;
    case 5:
        r = ((uint64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t))f)(
            a[0], a[1], a[2], a[3], a[4]);
        break;
    case 6:
        r = ((uint64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t))f)(
            a[0], a[1], a[2], a[3], a[4], a[5]);
        break;
    case 7:
        r = ((uint64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                           uint64_t))f)(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
        break;
    default:
        r = ((uint64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                           uint64_t, uint64_t))f)(a[0], a[1], a[2], a[3], a[4], a[5], a[6],
                                                  a[7]);
        break;
    }
    switch (info->ret) {
    case TCG_CALL_I32:
    case TCG_CALL_S32:
        return (uint32_t)r; /* the upper half of rax is not defined by the ABI */
    default:
        return r;
    }
}

/* Integer op semantics, shared with nothing else: w is 32 or 64; inputs
 * of I32 ops are zero-extended, the result is masked by the caller. */
static void compute(unsigned opc, unsigned w, const uint64_t *in, const uint64_t *c,
                    uint64_t *out, uint8_t *env)
{
    uint64_t a = in[0], b = in[1];
    unsigned sh = (unsigned)b & (w - 1);
    int64_t sa = w == 32 ? (int64_t)(int32_t)a : (int64_t)a;
    int64_t sb = w == 32 ? (int64_t)(int32_t)b : (int64_t)b;
    uint64_t wmask = bits_mask(w);

    switch (opc) {
    case INDEX_op_mov: out[0] = a; break;
    case INDEX_op_setcond:
        out[0] = tcg_cond_eval((TCGCond)c[0], w == 32 ? TCG_TYPE_I32 : TCG_TYPE_I64, a, b);
        break;
    case INDEX_op_negsetcond:
        out[0] = tcg_cond_eval((TCGCond)c[0], w == 32 ? TCG_TYPE_I32 : TCG_TYPE_I64, a, b)
                     ? ~0ull
                     : 0;
        break;
    case INDEX_op_movcond:
        out[0] = tcg_cond_eval((TCGCond)c[0], w == 32 ? TCG_TYPE_I32 : TCG_TYPE_I64, a, b)
                     ? in[2]
                     : in[3];
        break;

    case INDEX_op_ld8u: out[0] = *(uint8_t *)(uintptr_t)(a + c[0]); break;
    case INDEX_op_ld8s: out[0] = (uint64_t)(int64_t) * (int8_t *)(uintptr_t)(a + c[0]); break;
    case INDEX_op_ld16u: {
        uint16_t x;
        memcpy(&x, (void *)(uintptr_t)(a + c[0]), 2);
        out[0] = x;
        break;
    }
    case INDEX_op_ld16s: {
        int16_t x;
        memcpy(&x, (void *)(uintptr_t)(a + c[0]), 2);
        out[0] = (uint64_t)(int64_t)x;
        break;
    }
    case INDEX_op_ld32u: {
        uint32_t x;
        memcpy(&x, (void *)(uintptr_t)(a + c[0]), 4);
        out[0] = x;
        break;
    }
    case INDEX_op_ld32s: {
        int32_t x;
        memcpy(&x, (void *)(uintptr_t)(a + c[0]), 4);
        out[0] = (uint64_t)(int64_t)x;
        break;
    }
    case INDEX_op_ld:
        if (w == 32) {
            uint32_t x;
            memcpy(&x, (void *)(uintptr_t)(a + c[0]), 4);
            out[0] = x;
        } else {
            memcpy(&out[0], (void *)(uintptr_t)(a + c[0]), 8);
        }
        break;
    /* stores: in[0] value, in[1] base */
    case INDEX_op_st8: *(uint8_t *)(uintptr_t)(b + c[0]) = (uint8_t)a; break;
    case INDEX_op_st16: {
        uint16_t x = (uint16_t)a;
        memcpy((void *)(uintptr_t)(b + c[0]), &x, 2);
        break;
    }
    case INDEX_op_st32: {
        uint32_t x = (uint32_t)a;
        memcpy((void *)(uintptr_t)(b + c[0]), &x, 4);
        break;
    }
    case INDEX_op_st:
        memcpy((void *)(uintptr_t)(b + c[0]), &a, w / 8);
        break;

    case INDEX_op_add: out[0] = a + b; break;
    case INDEX_op_sub: out[0] = a - b; break;
    case INDEX_op_neg: out[0] = 0 - a; break;
    case INDEX_op_mul: out[0] = a * b; break;
    case INDEX_op_mulu2:
        if (w == 32) {
            uint64_t p = (a & wmask) * (b & wmask);
            out[0] = p;
            out[1] = p >> 32;
        } else {
            unsigned __int128 p = (unsigned __int128)a * b;
            out[0] = (uint64_t)p;
            out[1] = (uint64_t)(p >> 64);
        }
        break;
    case INDEX_op_muls2:
        if (w == 32) {
            int64_t p = sa * sb;
            out[0] = (uint64_t)p;
            out[1] = (uint64_t)p >> 32;
        } else {
            __int128 p = (__int128)sa * sb;
            out[0] = (uint64_t)p;
            out[1] = (uint64_t)((unsigned __int128)p >> 64);
        }
        break;
    case INDEX_op_muluh:
        out[0] = w == 32 ? (a * b) >> 32 : (uint64_t)(((unsigned __int128)a * b) >> 64);
        break;
    case INDEX_op_mulsh:
        out[0] = w == 32 ? (uint64_t)(sa * sb) >> 32
                         : (uint64_t)((unsigned __int128)((__int128)sa * sb) >> 64);
        break;
    case INDEX_op_add2: {
        /* in: al, ah, bl, bh */
        uint64_t al = in[0], ah = in[1], bl = in[2], bh = in[3];
        uint64_t lo = (al + bl) & wmask;
        out[0] = lo;
        out[1] = ah + bh + (lo < (bl & wmask));
        break;
    }
    case INDEX_op_sub2: {
        uint64_t al = in[0], ah = in[1], bl = in[2], bh = in[3];
        out[0] = al - bl;
        out[1] = ah - bh - ((al & wmask) < (bl & wmask));
        break;
    }
    case INDEX_op_div:
        if (sb == 0) {
            out[0] = 0;
        } else if (sb == -1) {
            out[0] = 0 - (uint64_t)sa; /* INT_MIN / -1 wraps to INT_MIN */
        } else {
            out[0] = (uint64_t)(sa / sb);
        }
        break;
    case INDEX_op_divu: out[0] = (b & wmask) ? (a & wmask) / (b & wmask) : 0; break;
    case INDEX_op_rem:
        out[0] = (sb == 0 || sb == -1) ? 0 : (uint64_t)(sa % sb);
        break;
    case INDEX_op_remu: out[0] = (b & wmask) ? (a & wmask) % (b & wmask) : 0; break;

    case INDEX_op_and: out[0] = a & b; break;
    case INDEX_op_or: out[0] = a | b; break;
    case INDEX_op_xor: out[0] = a ^ b; break;
    case INDEX_op_andc: out[0] = a & ~b; break;
    case INDEX_op_orc: out[0] = a | ~b; break;
    case INDEX_op_eqv: out[0] = ~(a ^ b); break;
    case INDEX_op_nand: out[0] = ~(a & b); break;
    case INDEX_op_nor: out[0] = ~(a | b); break;
    case INDEX_op_not: out[0] = ~a; break;

    case INDEX_op_shl: out[0] = (a & wmask) << sh; break;
    case INDEX_op_shr: out[0] = (a & wmask) >> sh; break;
    case INDEX_op_sar: out[0] = (uint64_t)(sa >> sh); break;
    case INDEX_op_rotl: out[0] = do_rotl(a, sh, w); break;
    case INDEX_op_rotr: out[0] = do_rotl(a, (w - sh) & (w - 1), w); break;

    case INDEX_op_ext8s: out[0] = (uint64_t)(int64_t)(int8_t)a; break;
    case INDEX_op_ext8u: out[0] = (uint8_t)a; break;
    case INDEX_op_ext16s: out[0] = (uint64_t)(int64_t)(int16_t)a; break;
    case INDEX_op_ext16u: out[0] = (uint16_t)a; break;
    case INDEX_op_ext32s: out[0] = (uint64_t)(int64_t)(int32_t)a; break;
    case INDEX_op_ext32u: out[0] = (uint32_t)a; break;

    case INDEX_op_extract: {
        unsigned ofs = (unsigned)c[0], len = (unsigned)c[1];
        out[0] = ofs < 64 ? (a >> ofs) & bits_mask(len) : 0;
        break;
    }
    case INDEX_op_sextract: {
        unsigned ofs = (unsigned)c[0], len = (unsigned)c[1];
        if (len == 0 || ofs + len > 64) {
            out[0] = 0;
        } else {
            out[0] = (uint64_t)((int64_t)(a << (64 - ofs - len)) >> (64 - len));
        }
        break;
    }
    case INDEX_op_deposit: {
        unsigned ofs = (unsigned)c[0], len = (unsigned)c[1];
        if (ofs >= 64) {
            out[0] = a;
        } else {
            uint64_t m = bits_mask(len) << ofs;
            out[0] = (a & ~m) | ((b << ofs) & m);
        }
        break;
    }
    case INDEX_op_extract2: {
        unsigned ofs = (unsigned)c[0];
        if (w == 32) {
            uint64_t v = (a & wmask) | (b << 32);
            out[0] = ofs < 64 ? v >> ofs : 0;
        } else if (ofs == 0) {
            out[0] = a;
        } else if (ofs >= 64) {
            out[0] = b;
        } else {
            out[0] = (a >> ofs) | (b << (64 - ofs));
        }
        break;
    }

    case INDEX_op_bswap16: out[0] = __builtin_bswap16((uint16_t)a); break;
    case INDEX_op_bswap32: out[0] = __builtin_bswap32((uint32_t)a); break;
    case INDEX_op_bswap64: out[0] = __builtin_bswap64(a); break;
    case INDEX_op_clz:
        a &= wmask;
        out[0] = a ? (uint64_t)(__builtin_clzll(a) - (64 - w)) : b;
        break;
    case INDEX_op_ctz:
        a &= wmask;
        out[0] = a ? (uint64_t)__builtin_ctzll(a) : b;
        break;
    case INDEX_op_ctpop: out[0] = (uint64_t)__builtin_popcountll(a & wmask); break;

    /* conversions (untyped) */
    case INDEX_op_ext_i32_i64: out[0] = (uint64_t)(int64_t)(int32_t)a; break;
    case INDEX_op_extu_i32_i64: out[0] = (uint32_t)a; break;
    case INDEX_op_extrl_i64_i32: out[0] = (uint32_t)a; break;
    case INDEX_op_extrh_i64_i32: out[0] = a >> 32; break;

    default:
        fatal("tci: op %s not implemented",
              opc < NB_OPS ? tcg_op_defs[opc].name : "(internal)");
    }
    (void)env;
}

static uintptr_t tci_exec(TCGContext *s, CPUState *cpu, const void *tc_ptr)
{
    uint8_t *env = (uint8_t *)cpu;
    const uint8_t *pc = tc_ptr;
    uint64_t *frame = frame_reserve(1);
    uint64_t in[TCG_MAX_CALL_IARGS], out[2];
    uint8_t *base[4] = {(uint8_t *)frame, env, env, NULL};
    (void)s;

    frame[0] = (uintptr_t)env;
    tci_active = true;
    for (;;) {
        const TciHdr *h = (const TciHdr *)pc;
        const uint8_t *next = pc + h->len;
        const uint32_t *desc = (const uint32_t *)(pc + sizeof(TciHdr));
        const uint64_t *c = (const uint64_t *)(pc + sizeof(TciHdr) +
                                               (((h->nout + h->nin) * 4 + 7) & ~7u));
        unsigned w = (h->type & TCI_TYPE_MASK) == TCG_TYPE_I32 ? 32 : 64;

        base[D_CONST] = (uint8_t *)pc;
        for (unsigned i = 0; i < h->nin; i++) {
            in[i] = rd(base, desc[h->nout + i]);
        }

        switch (h->opc) {
        case TCI_ENTER:
            frame = frame_reserve((size_t)c[0]);
            frame[0] = (uintptr_t)env;
            base[D_SLOT] = (uint8_t *)frame;
            break;
        case INDEX_op_br:
            next = (const uint8_t *)(uintptr_t)c[0];
            break;
        case INDEX_op_brcond:
            if (tcg_cond_eval((TCGCond)c[0], (TCGType)(h->type & TCI_TYPE_MASK), in[0], in[1])) {
                next = (const uint8_t *)(uintptr_t)c[1];
            }
            break;
        case INDEX_op_exit_tb:
            tci_active = false;
            return (uintptr_t)c[0];
        case INDEX_op_goto_tb: {
            const TranslationBlock *tb = (const TranslationBlock *)(uintptr_t)c[1];
            uintptr_t t = __atomic_load_n(&tb->jmp_target[c[0] & 1], __ATOMIC_RELAXED);
            if (t) {
                next = (const uint8_t *)t;
            }
            break;
        }
        case INDEX_op_goto_ptr:
            if (in[0] == 0) {
                tci_active = false;
                return 0;
            }
            next = (const uint8_t *)(uintptr_t)in[0];
            break;
        case INDEX_op_mb:
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            break;
        case INDEX_op_call: {
            const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)c[0];
            tci_retaddr = (uintptr_t)next;
            uint64_t r = call_helper(info, in, h->nin);
            if (h->nout) {
                wr(base, desc[0], r);
            }
            break;
        }
        case INDEX_op_guest_ld: {
            tci_retaddr = (uintptr_t)next;
            uint64_t v = helper_guest_ld(cpu, in[0], (MemOpIdx)c[0], tci_retaddr);
            wr(base, desc[0], v & bits_mask(w));
            break;
        }
        case INDEX_op_guest_st:
            tci_retaddr = (uintptr_t)next;
            helper_guest_st(cpu, in[1], in[0] & bits_mask(w), (MemOpIdx)c[0], tci_retaddr);
            break;
        case INDEX_op_guest_ld128:
            tci_retaddr = (uintptr_t)next;
            helper_guest_ld128(cpu, in[0], (MemOpIdx)c[0], tci_retaddr);
            wr(base, desc[0], cpu->scratch128[0]);
            wr(base, desc[1], cpu->scratch128[1]);
            break;
        case INDEX_op_guest_st128:
            tci_retaddr = (uintptr_t)next;
            cpu->scratch128[0] = in[0];
            cpu->scratch128[1] = in[1];
            helper_guest_st128(cpu, in[2], (MemOpIdx)c[0], tci_retaddr);
            break;
        case INDEX_op_atomic_cmpxchg: {
            tci_retaddr = (uintptr_t)next;
            uint64_t v =
                helper_atomic_cmpxchg(cpu, in[0], in[1], in[2], (MemOpIdx)c[0], tci_retaddr);
            wr(base, desc[0], v & bits_mask(w));
            break;
        }
        case INDEX_op_atomic_rmw: {
            tci_retaddr = (uintptr_t)next;
            uint64_t v = helper_atomic_rmw(cpu, in[0], in[1], (MemOpIdx)c[0], (uint32_t)c[1],
                                           tci_retaddr);
            wr(base, desc[0], v & bits_mask(w));
            break;
        }
        case INDEX_op_atomic_cmpxchg128:
            tci_retaddr = (uintptr_t)next;
            cpu->scratch128[0] = in[1];
            cpu->scratch128[1] = in[2];
            cpu->scratch128[2] = in[3];
            cpu->scratch128[3] = in[4];
            helper_atomic_cmpxchg128(cpu, in[0], (MemOpIdx)c[0], tci_retaddr);
            wr(base, desc[0], cpu->scratch128[0]);
            wr(base, desc[1], cpu->scratch128[1]);
            break;
        default: {
            compute(h->opc, w, in, c, out, env);
            /* I32 results are kept zero-extended (TCI_OUT32 covers typed
             * I32 ops and the conversions extrl/extrh) */
            uint64_t m = (h->type & TCI_OUT32) ? 0xffffffffull : ~0ull;
            for (unsigned i = 0; i < h->nout; i++) {
                wr(base, desc[i], out[i] & m);
            }
            break;
        }
        }
        pc = next;
    }
}

const TCGBackend tcg_backend_interp = {
    .name = "interp",
    .needs_exec = false,
    .gen_prologue = tci_gen_prologue,
    .gen_code = tci_gen_code,
    .exec = tci_exec,
    .set_jmp_target = tci_set_jmp_target,
};
