/*
 * codegen.c — the x86-64 JIT backend: prologue/epilogue, one emitter per
 * IR op, TB chaining, and the TCGBackend entry points.
 *
 * gen_code() walks the op list once (after tcg_optimize + tcg_liveness),
 * letting regalloc.c place values, and emits host code directly. Forward
 * branches to labels are patched at the end; guest memory slow paths
 * (ldst.c) are appended after the TB's inline code, so insn_end_off covers
 * only inline code.
 *
 * Block boundaries (the liveness contract, docs/tcg-ops.md):
 *   brcond      dirty globals and TB temps are written back, registers kept
 *               for the fall-through;
 *   set_label   everything written back, every register forgotten;
 *   br / exit   globals written back; code after them is unreachable.
 * Ops with SIDE_EFFECTS or GUEST_MEM see every guest register in memory
 * (register copies stay valid: they are coherent).
 *
 * Value invariant: an I32 value's container has its high 32 bits zero. All
 * I32 ops use 32-bit x86 forms, which zero-extend their destination.
 *
 * Usage (what accel/tcg does):
 *     n = tcg_backend_x86_64.gen_prologue(s, buf, cap);    once per buffer
 *     ... tcg_optimize(s); tcg_liveness(s);
 *     len = tcg_backend_x86_64.gen_code(s, tb, buf + n, cap - n);
 *     ret = tcg_backend_x86_64.exec(s, cpu, buf + n);
 */
#include <cpuid.h>
#include <stdlib.h>
#include <string.h>

#include "exec/cpu.h"
#include "exec/tb.h"
#include "tcg/x86_64/jit.h"
#include "util/log.h"

#define OP_MAX_BYTES 1024 /* generous bound on one op's code */

X86Features x86_features;

__attribute__((constructor)) static void probe_host_features(void)
{
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        x86_features.popcnt = (c >> 23) & 1;
        x86_features.movbe = (c >> 22) & 1;
        x86_features.cx16 = (c >> 13) & 1;
        x86_features.sse41 = (c >> 19) & 1;
        x86_features.avx = (c >> 28) & 1;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        x86_features.bmi1 = (b >> 3) & 1;
        x86_features.bmi2 = (b >> 8) & 1;
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) {
        x86_features.lzcnt = (c >> 5) & 1;
    }
    const char *env = getenv("COREMU_JIT_BASELINE"); /* tests: force the fallbacks */
    if (env && *env == '1') {
        memset(&x86_features, 0, sizeof(x86_features));
    }
}

static int cond_cc(TCGCond c)
{
    switch (c) {
    case TCG_COND_EQ: return CC_E;
    case TCG_COND_NE: return CC_NE;
    case TCG_COND_LT: return CC_L;
    case TCG_COND_GE: return CC_GE;
    case TCG_COND_LTU: return CC_B;
    case TCG_COND_GEU: return CC_AE;
    case TCG_COND_LE: return CC_LE;
    case TCG_COND_GT: return CC_G;
    case TCG_COND_LEU: return CC_BE;
    case TCG_COND_GTU: return CC_A;
    default: fatal("tcg/x86_64: bad condition %d", c);
    }
}

static inline bool is_const(const TCGTemp *t)
{
    return t->kind == TEMP_CONST;
}

static inline int op_w64(Gen *g)
{
    return g->op->type == TCG_TYPE_I64;
}

static inline int type_w(Gen *g)
{
    return op_w64(g) ? 64 : 32;
}

/* immediate usable in an ALU op of this width (sign-extended imm32) */
static bool imm_ok(Gen *g, const TCGTemp *t)
{
    return is_const(t) && (!op_w64(g) || fits_s32(t->val));
}

/* Can the input's register become the output's (same temp, or input dead)? */
static bool reusable(Gen *g, int out_argi, int in_argi)
{
    TCGTemp *t = arg_temp(g, in_argi);
    if (t->val_type != VAL_REG || t->kind == TEMP_FIXED) {
        return false;
    }
    return t == arg_temp(g, out_argi) || ra_arg_dead(g, in_argi);
}

/* Output register for an op whose input is already in register rs and that
 * writes a separate destination: reuse rs if allowed, else a fresh one. */
static int out_reuse(Gen *g, int out_argi, int in_argi, int rs, uint16_t avoid)
{
    TCGTemp *t = arg_temp(g, in_argi);
    if (t->val_type == VAL_REG && t->reg == rs && !(avoid & (1u << rs)) &&
        reusable(g, out_argi, in_argi)) {
        if (t != arg_temp(g, out_argi)) {
            ra_kill(g, t);
        }
        g->locked |= (uint16_t)(1u << rs);
        return rs;
    }
    return ra_alloc(g, REGS_ALLOC & ~avoid, 0);
}

/* --- labels --- */

static void add_reloc(Gen *g, uint32_t off, int label)
{
    if (g->nb_relocs == g->cap_relocs) {
        g->cap_relocs = g->cap_relocs ? g->cap_relocs * 2 : 64;
        g->relocs = realloc(g->relocs, sizeof(Reloc) * (size_t)g->cap_relocs);
        if (!g->relocs) {
            fatal("tcg/x86_64: out of memory");
        }
    }
    g->relocs[g->nb_relocs++] = (Reloc){off, label};
}

/* jump (cc < 0) or conditional jump to a label */
static void emit_jump_label(Gen *g, int cc, int label)
{
    TCGLabel *l = &g->s->labels[label];
    X86Asm *a = &g->a;
    if (l->has_value) {
        intptr_t target = (intptr_t)l->value;
        intptr_t d8 = target - (intptr_t)(asm_off(a) + 2);
        if (d8 == (int8_t)d8) {
            emit8(a, cc < 0 ? OPC_JMP_SHORT : (uint8_t)(OPC_JCC_SHORT + cc));
            emit8(a, (uint8_t)d8);
            return;
        }
        if (cc < 0) {
            emit8(a, OPC_JMP_LONG);
        } else {
            emit8(a, 0x0f);
            emit8(a, (uint8_t)(0x80 + cc));
        }
        emit32(a, (uint32_t)(target - (intptr_t)(asm_off(a) + 4)));
        return;
    }
    if (cc < 0) {
        emit8(a, OPC_JMP_LONG);
    } else {
        emit8(a, 0x0f);
        emit8(a, (uint8_t)(0x80 + cc));
    }
    add_reloc(g, asm_off(a), label);
    emit32(a, 0);
}

/* jump to an absolute address in the code buffer (epilogue) */
static void emit_jmp_abs(Gen *g, uintptr_t target)
{
    emit8(&g->a, OPC_JMP_LONG);
    emit32(&g->a, (uint32_t)(target - ((uintptr_t)g->a.ptr + 4)));
}

/* short forward branch inside one op: returns the disp8 offset to patch */
static uint32_t emit_jcc_short_fwd(Gen *g, int cc)
{
    emit8(&g->a, cc < 0 ? OPC_JMP_SHORT : (uint8_t)(OPC_JCC_SHORT + cc));
    emit8(&g->a, 0);
    return asm_off(&g->a) - 1;
}

static void patch_short_here(Gen *g, uint32_t off)
{
    g->a.start[off] = (uint8_t)(asm_off(&g->a) - (off + 1));
}

/* --- comparisons --- */

typedef struct CmpPrep {
    int w64;
    int ra, rb; /* rb < 0: immediate */
    int32_t imm;
    TCGCond cond;
} CmpPrep;

/* bring the operands of a comparison into registers (no code that sets flags after) */
static CmpPrep cmp_prep(Gen *g, TCGCond cond, int ia, int ib)
{
    CmpPrep c = {.w64 = op_w64(g), .cond = cond};
    TCGTemp *a = arg_temp(g, ia), *b = arg_temp(g, ib);
    if (is_const(a) && !is_const(b)) {
        TCGTemp *t = a;
        a = b;
        b = t;
        c.cond = tcg_swap_cond(cond);
    }
    c.ra = ra_load(g, a, REGS_ALLOC);
    if (imm_ok(g, b)) {
        c.rb = -1;
        c.imm = (int32_t)b->val;
    } else {
        c.rb = ra_load(g, b, REGS_ALLOC);
    }
    return c;
}

/* the last instruction was an ALU op on r: remember what its flags say */
static void note_flags(Gen *g, int r, bool w64, bool logic)
{
    g->flags_off = asm_off(&g->a);
    g->flags_reg = (int8_t)r;
    g->flags_w64 = w64;
    g->flags_logic = logic;
}

static int cmp_emit(Gen *g, const CmpPrep *c)
{
    bool eq_ne = c->cond == TCG_COND_EQ || c->cond == TCG_COND_NE;
    if (c->rb < 0 && c->imm == 0 && g->flags_off == asm_off(&g->a) && g->flags_off &&
        g->flags_reg == c->ra && g->flags_w64 == (c->w64 != 0) && (g->flags_logic || eq_ne)) {
        /* the op that computed ra already set ZF/SF (and CF = OF = 0 for logic) */
    } else if (c->rb >= 0) {
        emit_alu_rr(&g->a, c->w64, ALU_CMP, c->ra, c->rb);
    } else if (c->imm == 0) {
        /* test sets ZF/SF and clears CF/OF: right for every condition vs 0 */
        emit_rr(&g->a, OPC_TEST | (c->w64 ? P_W : 0), c->ra, c->ra);
    } else {
        emit_alu_ri(&g->a, c->w64, ALU_CMP, c->ra, c->imm);
    }
    return cond_cc(c->cond);
}

/* --- moves and conditionals --- */

static void gen_mov(Gen *g)
{
    TCGTemp *o = arg_temp(g, 0), *t = arg_temp(g, 1);
    if (o == t) {
        return;
    }
    int r;
    if (t->val_type == VAL_REG && t->kind != TEMP_FIXED && ra_arg_dead(g, 1)) {
        r = t->reg;
        ra_kill(g, t);
        g->locked |= (uint16_t)(1u << r);
    } else if (t->val_type == VAL_MEM && t->kind != TEMP_FIXED) {
        /* t stays live: load it bound (later reads hit the register), then copy */
        int rs = ra_load(g, t, REGS_ALLOC);
        r = ra_alloc(g, REGS_ALLOC, 0);
        emit_mov_rr(&g->a, 1, r, rs);
    } else {
        r = ra_alloc(g, REGS_ALLOC, 0);
        ra_copy_into(g, t, r, false);
    }
    ra_set_out(g, o, r);
}

static void gen_setcond(Gen *g, bool neg)
{
    TCGCond cond = (TCGCond)g->op->args[3];
    int w64 = op_w64(g);
    int r;
    if (cond == TCG_COND_ALWAYS || cond == TCG_COND_NEVER) {
        r = ra_alloc(g, REGS_ALLOC, 0);
        emit_movi(&g->a, w64, r, cond == TCG_COND_ALWAYS ? (neg ? -1 : 1) : 0, false);
    } else {
        CmpPrep c = cmp_prep(g, cond, 1, 2);
        r = ra_alloc(g, REGS_ALLOC, 0); /* distinct from the (locked) operands */
        emit_movi(&g->a, 0, r, 0, false); /* xor before cmp: no movzx needed */
        int cc = cmp_emit(g, &c);
        emit_rr(&g->a, OPC_SETCC + cc, 0, r);
        if (neg) {
            emit_rr(&g->a, OPC_GRP3 | (w64 ? P_W : 0), G3_NEG, r);
        }
    }
    ra_set_out(g, arg_temp(g, 0), r);
}

static void gen_movcond(Gen *g)
{
    TCGCond cond = (TCGCond)g->op->args[5];
    int w64 = op_w64(g);
    int iv1 = 3, iv2 = 4;
    if (cond == TCG_COND_ALWAYS || cond == TCG_COND_NEVER) {
        /* degenerate: a move */
        int src = cond == TCG_COND_ALWAYS ? iv1 : iv2;
        int r = ra_alloc(g, REGS_ALLOC, 0);
        ra_copy_into(g, arg_temp(g, src), r, false);
        ra_set_out(g, arg_temp(g, 0), r);
        return;
    }
    /* out starts as v2 and takes v1 when cond holds; swap to reuse a dead v1 */
    if (!reusable(g, 0, iv2) && reusable(g, 0, iv1)) {
        iv1 = 4;
        iv2 = 3;
        cond = tcg_invert_cond(cond);
    }
    CmpPrep c = cmp_prep(g, cond, 1, 2);
    TCGTemp *v1 = arg_temp(g, iv1), *v2 = arg_temp(g, iv2);
    int rv1 = ra_load(g, v1, REGS_ALLOC);
    int r = ra_out_from(g, 0, iv2, v1 != v2 ? (uint16_t)(1u << rv1) : 0);
    /* r must not be a comparison operand that the copy above overwrote */
    if (r == c.ra || r == c.rb) {
        TCGTemp *ta = arg_temp(g, 1), *tb = arg_temp(g, 2);
        if (!(ta == v2 || tb == v2)) {
            fatal("tcg/x86_64: movcond register clash");
        }
    }
    int cc = cmp_emit(g, &c);
    emit_rr(&g->a, (OPC_CMOVCC + cc) | (w64 ? P_W : 0), r, rv1);
    ra_set_out(g, arg_temp(g, 0), r);
}

/* --- host memory (CPU state) --- */

static void gen_ld(Gen *g, int opc_kind)
{
    int w64 = op_w64(g);
    TCGTemp *base = arg_temp(g, 1);
    intptr_t ofs = (intptr_t)g->op->args[2];
    static const int sizes[] = {1, 1, 2, 2, 4, 4, 8};
    int size = sizes[opc_kind];
    if (size == 8 && !w64) {
        size = 4;
    }
    if (!fits_s32(ofs)) {
        fatal("tcg/x86_64: ld offset out of range");
    }
    int rb = ra_load(g, base, REGS_ALLOC);
    if (base->kind == TEMP_FIXED) {
        ra_env_load_alias(g, ofs, size);
    }
    int r = out_reuse(g, 0, 1, rb, 0);
    int opc;
    switch (opc_kind) {
    case 0: opc = OPC_MOVZBL; break;
    case 1: opc = OPC_MOVSBL | (w64 ? P_W : 0); break;
    case 2: opc = OPC_MOVZWL; break;
    case 3: opc = OPC_MOVSWL | (w64 ? P_W : 0); break;
    case 4: opc = OPC_MOV_LOAD; break;
    case 5: opc = w64 ? OPC_MOVSXD : OPC_MOV_LOAD; break;
    default: opc = OPC_MOV_LOAD | (w64 ? P_W : 0); break;
    }
    emit_rm(&g->a, opc, r, rb, (int32_t)ofs);
    ra_set_out(g, arg_temp(g, 0), r);
}

static void gen_st(Gen *g, int size)
{
    TCGTemp *val = arg_temp(g, 0), *base = arg_temp(g, 1);
    intptr_t ofs = (intptr_t)g->op->args[2];
    if (size == 8 && !op_w64(g)) {
        size = 4;
    }
    if (!fits_s32(ofs)) {
        fatal("tcg/x86_64: st offset out of range");
    }
    int rb = ra_load(g, base, REGS_ALLOC);
    X86Asm *a = &g->a;
    if (is_const(val) && (size < 8 || fits_s32(val->val))) {
        switch (size) {
        case 1:
            emit_rm(a, OPC_MOV_IMM8_RM, 0, rb, (int32_t)ofs);
            emit8(a, (uint8_t)val->val);
            break;
        case 2:
            emit_rm(a, OPC_MOV_IMM_RM | P_66, 0, rb, (int32_t)ofs);
            emit16(a, (uint16_t)val->val);
            break;
        case 4:
            emit_rm(a, OPC_MOV_IMM_RM, 0, rb, (int32_t)ofs);
            emit32(a, (uint32_t)val->val);
            break;
        default:
            emit_rm(a, OPC_MOV_IMM_RM | P_W, 0, rb, (int32_t)ofs);
            emit32(a, (uint32_t)val->val);
            break;
        }
    } else {
        int rv = ra_load(g, val, REGS_ALLOC);
        int opc = size == 1   ? OPC_MOV_STORE8
                  : size == 2 ? OPC_MOV_STORE | P_66
                  : size == 4 ? OPC_MOV_STORE
                              : OPC_MOV_STORE | P_W;
        emit_rm(a, opc, rv, rb, (int32_t)ofs);
    }
    if (base->kind == TEMP_FIXED) {
        ra_env_store_alias(g, ofs, size);
    }
}

/* --- arithmetic and logic --- */

/* out = a OP b for the two-operand ALU forms (add/sub/and/or/xor/cmp group) */
static void gen_alu(Gen *g, int alu, bool commutative)
{
    int w64 = op_w64(g);
    int ia = 1, ib = 2;
    if (commutative) {
        TCGTemp *a = arg_temp(g, 1), *b = arg_temp(g, 2);
        if ((is_const(a) && !is_const(b)) ||
            (!is_const(b) && !reusable(g, 0, 1) && reusable(g, 0, 2))) {
            ia = 2;
            ib = 1;
        }
    }
    TCGTemp *a = arg_temp(g, ia), *b = arg_temp(g, ib);
    int r;
    if (alu == ALU_AND && w64 && is_const(b) && b->val == 0xffffffffll) {
        int rs = ra_load(g, a, REGS_ALLOC);
        r = out_reuse(g, 0, ia, rs, 0);
        emit_rr(&g->a, OPC_MOV_LOAD, r, rs);
    } else if (imm_ok(g, b)) {
        r = ra_out_from(g, 0, ia, 0);
        emit_alu_ri(&g->a, w64, alu, r, (int32_t)b->val);
        note_flags(g, r, w64, alu != ALU_ADD && alu != ALU_SUB);
    } else {
        int rb = ra_load(g, b, REGS_ALLOC);
        r = ra_out_from(g, 0, ia, a != b ? (uint16_t)(1u << rb) : 0);
        emit_alu_rr(&g->a, w64, alu, r, rb);
        note_flags(g, r, w64, alu != ALU_ADD && alu != ALU_SUB);
    }
    ra_set_out(g, arg_temp(g, 0), r);
}

static void gen_add(Gen *g)
{
    int w64 = op_w64(g);
    TCGTemp *a = arg_temp(g, 1), *b = arg_temp(g, 2);
    int ia = 1;
    if (is_const(a) && !is_const(b)) {
        ia = 2;
        TCGTemp *t = a;
        a = b;
        b = t;
    }
    int ib = 3 - ia;
    if (reusable(g, 0, ia) || (!imm_ok(g, b) && reusable(g, 0, ib)) || is_const(a)) {
        gen_alu(g, ALU_ADD, true);
        return;
    }
    /* neither input may be clobbered: three-operand lea */
    int r;
    int rs = ra_load(g, a, REGS_ALLOC);
    if (imm_ok(g, b)) {
        r = ra_alloc(g, REGS_ALLOC, 0);
        emit_rm(&g->a, OPC_LEA | (w64 ? P_W : 0), r, rs, (int32_t)b->val);
    } else {
        int rb = ra_load(g, b, REGS_ALLOC);
        r = ra_alloc(g, REGS_ALLOC, 0);
        emit_rm_idx(&g->a, OPC_LEA | (w64 ? P_W : 0), r, rs, rb, 0);
    }
    ra_set_out(g, arg_temp(g, 0), r);
}

static void gen_sub(Gen *g)
{
    int w64 = op_w64(g);
    TCGTemp *b = arg_temp(g, 2);
    if (is_const(b) && !is_const(arg_temp(g, 1)) && !reusable(g, 0, 1)) {
        int64_t nv = w64 ? (int64_t)(0 - (uint64_t)b->val) : (int32_t)(0u - (uint32_t)b->val);
        if (!w64 || fits_s32(nv)) {
            int rs = ra_load(g, arg_temp(g, 1), REGS_ALLOC);
            int r = ra_alloc(g, REGS_ALLOC, 0);
            emit_rm(&g->a, OPC_LEA | (w64 ? P_W : 0), r, rs, (int32_t)nv);
            ra_set_out(g, arg_temp(g, 0), r);
            return;
        }
    }
    gen_alu(g, ALU_SUB, false);
}

static void gen_unary_grp3(Gen *g, int ext)
{
    int r = ra_out_from(g, 0, 1, 0);
    emit_rr(&g->a, OPC_GRP3 | (op_w64(g) ? P_W : 0), ext, r);
    ra_set_out(g, arg_temp(g, 0), r);
}

static void gen_mul(Gen *g)
{
    int w64 = op_w64(g);
    int ia = 1, ib = 2;
    if (is_const(arg_temp(g, 1)) && !is_const(arg_temp(g, 2))) {
        ia = 2;
        ib = 1;
    }
    TCGTemp *a = arg_temp(g, ia), *b = arg_temp(g, ib);
    if (imm_ok(g, b)) {
        int rs = ra_load(g, a, REGS_ALLOC);
        int r = out_reuse(g, 0, ia, rs, 0);
        int32_t v = (int32_t)b->val;
        if (v == (int8_t)v) {
            emit_rr(&g->a, OPC_IMUL_IMM8 | (w64 ? P_W : 0), r, rs);
            emit8(&g->a, (uint8_t)v);
        } else {
            emit_rr(&g->a, OPC_IMUL_IMM32 | (w64 ? P_W : 0), r, rs);
            emit32(&g->a, (uint32_t)v);
        }
        ra_set_out(g, arg_temp(g, 0), r);
        return;
    }
    if (!reusable(g, 0, ia) && reusable(g, 0, ib)) {
        int t = ia;
        ia = ib;
        ib = t;
        a = arg_temp(g, ia);
        b = arg_temp(g, ib);
    }
    int rb = ra_load(g, b, REGS_ALLOC);
    int r = ra_out_from(g, 0, ia, a != b ? (uint16_t)(1u << rb) : 0);
    emit_rr(&g->a, OPC_IMUL_RM | (w64 ? P_W : 0), r, rb);
    ra_set_out(g, arg_temp(g, 0), r);
}

/* mulu2/muls2 (two outputs) and muluh/mulsh (high part only): rdx:rax = rax * b */
static void gen_mul2(Gen *g, bool is_signed, bool two_outs)
{
    int w64 = op_w64(g);
    int ia = two_outs ? 2 : 1;
    ra_load_into(g, ia, RAX);
    ra_scratch(g, RDX);
    int rb = ra_load(g, arg_temp(g, ia + 1), REGS_ALLOC & ~((1u << RAX) | (1u << RDX)));
    emit_rr(&g->a, OPC_GRP3 | (w64 ? P_W : 0), is_signed ? G3_IMUL : G3_MUL, rb);
    if (two_outs) {
        ra_set_out(g, arg_temp(g, 0), RAX);
        ra_set_out(g, arg_temp(g, 1), RDX);
    } else {
        ra_set_out(g, arg_temp(g, 0), RDX);
    }
}

/* add2/sub2: (rl, rh) = (al, ah) +/- (bl, bh) with a carry/borrow chain */
static void gen_addsub2(Gen *g, bool is_sub)
{
    int w64 = op_w64(g);
    X86Asm *a = &g->a;
    TCGTemp *bl = arg_temp(g, 4), *ah = arg_temp(g, 3), *bh = arg_temp(g, 5);
    int rbl = imm_ok(g, bl) ? -1 : ra_load(g, bl, REGS_ALLOC);
    int rah = ra_load(g, ah, REGS_ALLOC); /* in a register before flags are live */
    int rbh = imm_ok(g, bh) ? -1 : ra_load(g, bh, REGS_ALLOC);
    uint16_t avoid = (uint16_t)(1u << rah);
    if (rbh >= 0) {
        avoid |= (uint16_t)(1u << rbh);
    }
    if (rbl >= 0 && bl != arg_temp(g, 2)) {
        avoid |= (uint16_t)(1u << rbl);
    }
    int rl = ra_out_from(g, 0, 2, avoid);
    if (rbl >= 0) {
        emit_alu_rr(a, w64, is_sub ? ALU_SUB : ALU_ADD, rl, rbl);
    } else {
        emit_alu_ri(a, w64, is_sub ? ALU_SUB : ALU_ADD, rl, (int32_t)bl->val);
    }
    /* flags are live: only plain movs until adc/sbb */
    uint16_t avoid_h = (uint16_t)(1u << rl);
    if (rbh >= 0 && bh != ah) {
        avoid_h |= (uint16_t)(1u << rbh);
    }
    int rh = ra_out_from(g, 1, 3, avoid_h);
    if (rbh >= 0) {
        emit_alu_rr(a, w64, is_sub ? ALU_SBB : ALU_ADC, rh, rbh);
    } else {
        emit_alu_ri(a, w64, is_sub ? ALU_SBB : ALU_ADC, rh, (int32_t)bh->val);
    }
    ra_set_out(g, arg_temp(g, 0), rl);
    ra_set_out(g, arg_temp(g, 1), rh);
}

/*
 * div/divu/rem/remu. x86 div traps on a zero divisor and on INT_MIN / -1;
 * the IR leaves both undefined but the host must not trap, so we guard,
 * with the interpreter's results (tcg/tci): x / 0 = 0, x % 0 = 0,
 * INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0.
 */
static void gen_div(Gen *g, bool is_signed, bool want_rem)
{
    int w64 = op_w64(g);
    X86Asm *a = &g->a;
    int w = w64 ? P_W : 0;
    ra_load_into(g, 1, RAX);
    ra_scratch(g, RDX);
    int rb = ra_load(g, arg_temp(g, 2), REGS_ALLOC & ~((1u << RAX) | (1u << RDX)));
    uint32_t j_zero, j_neg1 = 0, j_done1, j_done2 = 0;

    emit_rr(a, OPC_TEST | w, rb, rb);
    j_zero = emit_jcc_short_fwd(g, CC_E);
    if (is_signed) {
        emit_alu_ri(a, w64, ALU_CMP, rb, -1);
        j_neg1 = emit_jcc_short_fwd(g, CC_E);
        emit_opc(a, 0x99 | w, 0, 0, 0); /* cdq / cqo */
    } else {
        emit_rr(a, ALU_XOR << 3 | OPC_ALU_RM, RDX, RDX);
    }
    emit_rr(a, OPC_GRP3 | w, is_signed ? G3_IDIV : G3_DIV, rb);
    j_done1 = emit_jcc_short_fwd(g, -1);
    if (is_signed) {
        patch_short_here(g, j_neg1);
        if (want_rem) {
            emit_rr(a, ALU_XOR << 3 | OPC_ALU_RM, RDX, RDX);
        } else {
            emit_rr(a, OPC_GRP3 | w, G3_NEG, RAX);
        }
        j_done2 = emit_jcc_short_fwd(g, -1);
    }
    patch_short_here(g, j_zero);
    emit_rr(a, ALU_XOR << 3 | OPC_ALU_RM, want_rem ? RDX : RAX, want_rem ? RDX : RAX);
    patch_short_here(g, j_done1);
    if (is_signed) {
        patch_short_here(g, j_done2);
    }
    ra_set_out(g, arg_temp(g, 0), want_rem ? RDX : RAX);
}

/* andc/orc/eqv/nand/nor */
static void gen_logic_not(Gen *g, TCGOpcode opc)
{
    int w64 = op_w64(g);
    X86Asm *a = &g->a;
    TCGTemp *ta = arg_temp(g, 1), *tb = arg_temp(g, 2);
    int r;
    if (opc == INDEX_op_andc || opc == INDEX_op_orc) {
        int alu = opc == INDEX_op_andc ? ALU_AND : ALU_OR;
        if (imm_ok(g, tb)) {
            r = ra_out_from(g, 0, 1, 0);
            emit_alu_ri(a, w64, alu, r, (int32_t)~tb->val);
        } else if (opc == INDEX_op_andc && x86_features.bmi1 && !is_const(ta)) {
            int rs = ra_load(g, ta, REGS_ALLOC);
            int rb = ra_load(g, tb, REGS_ALLOC);
            r = ra_alloc(g, REGS_ALLOC, 0);
            /* andn r, rb, rs: r = ~rb & rs */
            emit_vex_rr(a, 2, 0, w64, 0xf2, r, rb, rs);
        } else {
            /* r = ~b, then r op= a */
            int ra_ = is_const(ta) ? -1 : ra_load(g, ta, REGS_ALLOC);
            /* r must not be a's register, even when a and b are one temp */
            r = ra_out_from(g, 0, 2, ra_ >= 0 ? (uint16_t)(1u << ra_) : 0);
            emit_rr(a, OPC_GRP3 | (w64 ? P_W : 0), G3_NOT, r);
            if (ra_ >= 0) {
                emit_alu_rr(a, w64, alu, r, ra_);
            } else if (imm_ok(g, ta)) {
                emit_alu_ri(a, w64, alu, r, (int32_t)ta->val);
            } else {
                int rc = ra_load(g, ta, REGS_ALLOC & ~(1u << r));
                emit_alu_rr(a, w64, alu, r, rc);
            }
        }
    } else {
        int alu = opc == INDEX_op_eqv ? ALU_XOR : opc == INDEX_op_nand ? ALU_AND : ALU_OR;
        int ia = 1, ib = 2;
        if (is_const(ta) && !is_const(tb)) {
            ia = 2;
            ib = 1;
        }
        TCGTemp *b = arg_temp(g, ib);
        if (imm_ok(g, b)) {
            r = ra_out_from(g, 0, ia, 0);
            emit_alu_ri(a, w64, alu, r, (int32_t)b->val);
        } else {
            int rb = ra_load(g, b, REGS_ALLOC);
            r = ra_out_from(g, 0, ia, arg_temp(g, ia) != b ? (uint16_t)(1u << rb) : 0);
            emit_alu_rr(a, w64, alu, r, rb);
        }
        emit_rr(a, OPC_GRP3 | (w64 ? P_W : 0), G3_NOT, r);
    }
    ra_set_out(g, arg_temp(g, 0), r);
}

static void gen_shift(Gen *g, int sh)
{
    int w64 = op_w64(g);
    X86Asm *a = &g->a;
    TCGTemp *b = arg_temp(g, 2);
    int r;
    if (is_const(b)) {
        int n = (int)(b->val & (type_w(g) - 1));
        r = ra_out_from(g, 0, 1, 0);
        if (n) {
            emit_shift_ri(a, w64, sh, r, n);
        }
    } else if (x86_features.bmi2 && (sh == SH_SHL || sh == SH_SHR || sh == SH_SAR)) {
        int rs = ra_load(g, arg_temp(g, 1), REGS_ALLOC);
        int rb = ra_load(g, b, REGS_ALLOC);
        r = out_reuse(g, 0, 1, rs, 0);
        int pp = sh == SH_SHL ? 1 : sh == SH_SAR ? 2 : 3;
        emit_vex_rr(a, 2, pp, w64, 0xf7, r, rb, rs);
    } else {
        ra_load_into(g, 2, RCX);
        r = ra_out_from(g, 0, 1, 1u << RCX);
        emit_rr(a, OPC_SHIFT_CL | (w64 ? P_W : 0), sh, r);
    }
    ra_set_out(g, arg_temp(g, 0), r);
}

/* movzx/movsx family: out = ext(in) with a separate source register */
static void gen_ext(Gen *g, int opc, bool skip_if_same)
{
    int rs = ra_load(g, arg_temp(g, 1), REGS_ALLOC);
    int r = out_reuse(g, 0, 1, rs, 0);
    if (!(skip_if_same && r == rs)) {
        int byte_src = (opc == OPC_MOVZBL || (opc & 0xff) == (OPC_MOVSBL & 0xff)) ? P_BYTE_M : 0;
        emit_rr(&g->a, opc | byte_src, r, rs);
    }
    ra_set_out(g, arg_temp(g, 0), r);
}

static void gen_extract(Gen *g, bool is_signed)
{
    int w64 = op_w64(g);
    int w = type_w(g);
    int ofs = (int)g->op->args[2], len = (int)g->op->args[3];
    X86Asm *a = &g->a;
    if (ofs == 0 && (len == 8 || len == 16 || (len == 32 && w64))) {
        int opc;
        if (len == 32) {
            opc = is_signed ? OPC_MOVSXD : OPC_MOV_LOAD;
        } else if (len == 8) {
            opc = (is_signed ? OPC_MOVSBL : OPC_MOVZBL) | (is_signed && w64 ? P_W : 0);
        } else {
            opc = (is_signed ? OPC_MOVSWL : OPC_MOVZWL) | (is_signed && w64 ? P_W : 0);
        }
        gen_ext(g, opc, false);
        return;
    }
    int r = ra_out_from(g, 0, 1, 0);
    int sr = is_signed ? SH_SAR : SH_SHR;
    if (len == w) {
        /* whole value */
    } else if (ofs + len == w) {
        emit_shift_ri(a, w64, sr, r, ofs);
    } else if (!is_signed && len <= 31) {
        if (ofs) {
            emit_shift_ri(a, w64, SH_SHR, r, ofs);
        }
        emit_alu_ri(a, w64, ALU_AND, r, (int32_t)((1u << len) - 1));
    } else {
        emit_shift_ri(a, w64, SH_SHL, r, w - ofs - len);
        emit_shift_ri(a, w64, sr, r, w - len);
    }
    ra_set_out(g, arg_temp(g, 0), r);
}

/* deposit: out = a with b[len-1:0] at ofs (rotate the field to bit 0, shift b in) */
static void gen_deposit(Gen *g)
{
    int w64 = op_w64(g);
    int w = type_w(g);
    int ofs = (int)g->op->args[3], len = (int)g->op->args[4];
    X86Asm *a = &g->a;
    TCGTemp *b = arg_temp(g, 2);
    int r;
    if (len == w) {
        r = ra_alloc(g, REGS_ALLOC, 0);
        ra_copy_into(g, b, r, false);
        ra_set_out(g, arg_temp(g, 0), r);
        return;
    }
    uint64_t fmask = (len == 64 ? ~0ull : ((1ull << len) - 1)) << ofs;
    if (!w64) {
        fmask &= 0xffffffffu;
    }
    if (is_const(b)) {
        uint64_t c = ((uint64_t)b->val << ofs) & fmask;
        int64_t keep = (int64_t)~fmask;
        r = ra_out_from(g, 0, 1, 0);
        if (!w64 || fits_s32(keep)) {
            emit_alu_ri(a, w64, ALU_AND, r, (int32_t)keep);
        } else {
            int sc = ra_alloc(g, REGS_ALLOC, 0);
            emit_movi(a, 1, sc, keep, false);
            emit_alu_rr(a, 1, ALU_AND, r, sc);
        }
        if (c) {
            if (!w64 || fits_s32((int64_t)c)) {
                emit_alu_ri(a, w64, ALU_OR, r, (int32_t)c);
            } else {
                int sc = ra_alloc(g, REGS_ALLOC, 0);
                emit_movi(a, 1, sc, (int64_t)c, false);
                emit_alu_rr(a, 1, ALU_OR, r, sc);
            }
        }
        ra_set_out(g, arg_temp(g, 0), r);
        return;
    }
    int rb = ra_load(g, b, REGS_ALLOC);
    r = ra_out_from(g, 0, 1, (uint16_t)(1u << rb));
    if (ofs == 0 && (len == 8 || len == 16)) {
        emit_rr(a, len == 8 ? (OPC_MOV_STORE8 | P_BYTE_M) : (OPC_MOV_STORE | P_66), rb, r);
    } else {
        if (ofs) {
            emit_shift_ri(a, w64, SH_ROR, r, ofs);
        }
        emit_rr(a, OPC_SHRD_IMM | (w64 ? P_W : 0), rb, r);
        emit8(a, (uint8_t)len);
        int rot = (ofs + len) % w;
        if (rot) {
            emit_shift_ri(a, w64, SH_ROL, r, rot);
        }
    }
    ra_set_out(g, arg_temp(g, 0), r);
}

static void gen_extract2(Gen *g)
{
    int w64 = op_w64(g);
    int ofs = (int)g->op->args[3];
    int r;
    if (ofs == 0 || ofs == type_w(g)) {
        r = ra_alloc(g, REGS_ALLOC, 0);
        ra_copy_into(g, arg_temp(g, ofs == 0 ? 1 : 2), r, false);
    } else {
        int rh = ra_load(g, arg_temp(g, 2), REGS_ALLOC);
        r = ra_out_from(g, 0, 1, (uint16_t)(1u << rh));
        emit_rr(&g->a, OPC_SHRD_IMM | (w64 ? P_W : 0), rh, r);
        emit8(&g->a, (uint8_t)ofs);
    }
    ra_set_out(g, arg_temp(g, 0), r);
}

static void gen_bswap(Gen *g, int bits)
{
    X86Asm *a = &g->a;
    int r;
    if (bits == 16) {
        int rs = ra_load(g, arg_temp(g, 1), REGS_ALLOC);
        r = out_reuse(g, 0, 1, rs, 0);
        emit_rr(a, OPC_MOVZWL, r, rs);
        emit_rr(a, OPC_SHIFT_IMM | P_66, SH_ROL, r);
        emit8(a, 8);
    } else {
        r = ra_out_from(g, 0, 1, 0);
        emit_opc(a, (OPC_BSWAP + (r & 7)) | (bits == 64 ? P_W : 0), 0, r, 0);
    }
    ra_set_out(g, arg_temp(g, 0), r);
}

/* clz/ctz: out = a ? count(a) : b */
static void gen_count_zeros(Gen *g, bool leading)
{
    int w64 = op_w64(g);
    int w = w64 ? P_W : 0;
    X86Asm *a = &g->a;
    TCGTemp *b = arg_temp(g, 2);
    bool fast = leading ? x86_features.lzcnt : x86_features.bmi1;
    int rs = ra_load(g, arg_temp(g, 1), REGS_ALLOC);
    int r;
    if (fast) {
        /* lzcnt/tzcnt give the width for 0 and set CF */
        if (is_const(b) && b->val == type_w(g)) {
            r = out_reuse(g, 0, 1, rs, 0);
            emit_rr(a, (leading ? OPC_LZCNT : OPC_TZCNT) | w, r, rs);
        } else {
            int rb = ra_load(g, b, REGS_ALLOC);
            r = out_reuse(g, 0, 1, rs, (uint16_t)(1u << rb));
            emit_rr(a, (leading ? OPC_LZCNT : OPC_TZCNT) | w, r, rs);
            emit_rr(a, (OPC_CMOVCC + CC_B) | w, r, rb);
        }
    } else {
        int rb = ra_load(g, b, REGS_ALLOC);
        r = ra_alloc(g, REGS_ALLOC, 0); /* distinct from rs and rb */
        if (leading) {
            /* clz = (w-1) ^ bsr(a) */
            emit_rr(a, OPC_BSR | w, r, rs);
            emit_alu_ri(a, w64, ALU_XOR, r, type_w(g) - 1);
            emit_rr(a, OPC_TEST | w, rs, rs);
        } else {
            emit_rr(a, OPC_BSF | w, r, rs);
        }
        emit_rr(a, (OPC_CMOVCC + CC_E) | w, r, rb);
    }
    ra_set_out(g, arg_temp(g, 0), r);
}

static uint64_t ctpop_helper(uint64_t x)
{
    return (uint64_t)__builtin_popcountll(x);
}

static void gen_ctpop(Gen *g)
{
    int w64 = op_w64(g);
    if (x86_features.popcnt) {
        int rs = ra_load(g, arg_temp(g, 1), REGS_ALLOC);
        int r = out_reuse(g, 0, 1, rs, 0);
        emit_rr(&g->a, OPC_POPCNT | (w64 ? P_W : 0), r, rs);
        ra_set_out(g, arg_temp(g, 0), r);
        return;
    }
    CallArg ca = {.kind = CA_TEMP, .ctype = TCG_CALL_I64, .temp = (int)g->op->args[1]};
    ra_call(g, (const void *)ctpop_helper, 1, &ca, TCG_CALL_NO_RWG);
    ra_set_out(g, arg_temp(g, 0), RAX);
}

/* --- conversions --- */

static void gen_conv(Gen *g, TCGOpcode opc)
{
    int rs = ra_load(g, arg_temp(g, 1), REGS_ALLOC);
    int r = out_reuse(g, 0, 1, rs, 0);
    switch (opc) {
    case INDEX_op_ext_i32_i64:
        emit_rr(&g->a, OPC_MOVSXD, r, rs);
        break;
    case INDEX_op_extu_i32_i64:
        emit_mov_rr(&g->a, 1, r, rs); /* already zero-extended */
        break;
    case INDEX_op_extrl_i64_i32:
        emit_rr(&g->a, OPC_MOV_LOAD, r, rs);
        break;
    default: /* extrh_i64_i32 */
        emit_mov_rr(&g->a, 1, r, rs);
        emit_shift_ri(&g->a, 1, SH_SHR, r, 32);
        break;
    }
    ra_set_out(g, arg_temp(g, 0), r);
}

/* --- control flow --- */

static void gen_brcond(Gen *g)
{
    TCGCond cond = (TCGCond)g->op->args[2];
    int label = (int)g->op->args[3];
    if (cond == TCG_COND_NEVER) {
        ra_sync_globals(g, true);
        return;
    }
    if (cond == TCG_COND_ALWAYS) {
        ra_sync_globals(g, true);
        emit_jump_label(g, -1, label);
        return;
    }
    CmpPrep c = cmp_prep(g, cond, 0, 1);
    ra_sync_globals(g, true); /* the taken path starts a new block */
    int cc = cmp_emit(g, &c);
    emit_jump_label(g, cc, label);
}

static void gen_set_label(Gen *g)
{
    int label = (int)g->op->args[0];
    ra_sync_globals(g, true);
    ra_drop_all(g);
    TCGLabel *l = &g->s->labels[label];
    l->has_value = true;
    l->value = asm_off(&g->a);
    g->flags_off = 0; /* other paths arrive here with other flags */
}

static void gen_call(Gen *g)
{
    TCGOp *op = g->op;
    const TCGHelperInfo *info = tcg_call_info(op);
    int nin = op->nb_iargs, nout = op->nb_oargs;
    CallArg args[TCG_MAX_CALL_IARGS];
    for (int i = 0; i < nin; i++) {
        args[i] = (CallArg){.kind = CA_TEMP,
                            .ctype = i < info->nb_args ? info->args[i] : TCG_CALL_I64,
                            .temp = (int)op->args[nout + i]};
    }
    ra_call(g, info->func, nin, args, info->flags);
    if (nout > 0) {
        TCGTemp *o = arg_temp(g, 0);
        if (o->type == TCG_TYPE_I32) {
            emit_rr(&g->a, OPC_MOV_LOAD, RAX, RAX); /* C leaves bits 63:32 undefined */
        }
        ra_set_out(g, o, RAX);
        if (nout > 1) {
            TCGTemp *o1 = arg_temp(g, 1);
            if (o1->type == TCG_TYPE_I32) {
                emit_rr(&g->a, OPC_MOV_LOAD, RDX, RDX);
            }
            ra_set_out(g, o1, RDX);
        }
    }
}

static void gen_exit_tb(Gen *g)
{
    uintptr_t val = (uintptr_t)g->op->args[0];
    ra_sync_globals(g, false);
    if (val == 0) {
        emit_jmp_abs(g, g->s->exit_zero);
    } else {
        emit_movi(&g->a, 1, RAX, (int64_t)val, false);
        emit_jmp_abs(g, g->s->epilogue);
    }
}

static void gen_goto_tb(Gen *g)
{
    int n = (int)g->op->args[0];
    ra_sync_globals(g, false);
    if (asm_off(&g->a) + 16 > 0xffff) {
        /* offsets are 16-bit (TranslationBlock): a huge TB just never chains */
        return;
    }
    /* the jmp's disp32 must be 4-aligned so one store re-targets it atomically */
    int pad = (int)((3 - ((uintptr_t)g->a.ptr & 3)) & 3);
    emit_nops(&g->a, pad);
    g->s->goto_tb_off[n] = (uint16_t)asm_off(&g->a);
    emit8(&g->a, OPC_JMP_LONG);
    emit32(&g->a, 0); /* unchained: falls through to the exit_tb that follows */
    g->s->goto_tb_reset[n] = (uint16_t)asm_off(&g->a);
}

static void gen_goto_ptr(Gen *g)
{
    int r = ra_load(g, arg_temp(g, 0), REGS_ALLOC);
    ra_sync_globals(g, false);
    emit_rr(&g->a, OPC_GRP5, G5_JMP, r);
}

static void gen_discard(Gen *g)
{
    TCGTemp *t = arg_temp(g, 0);
    if (t->val_type == VAL_REG && t->kind != TEMP_FIXED && t->kind != TEMP_CONST) {
        g->reg_temp[t->reg] = -1;
        t->reg = -1;
    }
    if (t->kind == TEMP_GLOBAL) {
        t->val_type = VAL_MEM;
        t->mem_coherent = true;
    } else if (t->kind == TEMP_EBB || t->kind == TEMP_TB) {
        t->val_type = VAL_DEAD;
        t->mem_coherent = false;
    }
}

/* --- the op dispatcher --- */

static void gen_op(Gen *g, TCGOpcode opc)
{
    switch (opc) {
    case INDEX_op_mov: gen_mov(g); break;
    case INDEX_op_setcond: gen_setcond(g, false); break;
    case INDEX_op_negsetcond: gen_setcond(g, true); break;
    case INDEX_op_movcond: gen_movcond(g); break;
    case INDEX_op_ld8u: gen_ld(g, 0); break;
    case INDEX_op_ld8s: gen_ld(g, 1); break;
    case INDEX_op_ld16u: gen_ld(g, 2); break;
    case INDEX_op_ld16s: gen_ld(g, 3); break;
    case INDEX_op_ld32u: gen_ld(g, 4); break;
    case INDEX_op_ld32s: gen_ld(g, 5); break;
    case INDEX_op_ld: gen_ld(g, 6); break;
    case INDEX_op_st8: gen_st(g, 1); break;
    case INDEX_op_st16: gen_st(g, 2); break;
    case INDEX_op_st32: gen_st(g, 4); break;
    case INDEX_op_st: gen_st(g, 8); break;
    case INDEX_op_add: gen_add(g); break;
    case INDEX_op_sub: gen_sub(g); break;
    case INDEX_op_neg: gen_unary_grp3(g, G3_NEG); break;
    case INDEX_op_not: gen_unary_grp3(g, G3_NOT); break;
    case INDEX_op_mul: gen_mul(g); break;
    case INDEX_op_mulu2: gen_mul2(g, false, true); break;
    case INDEX_op_muls2: gen_mul2(g, true, true); break;
    case INDEX_op_muluh: gen_mul2(g, false, false); break;
    case INDEX_op_mulsh: gen_mul2(g, true, false); break;
    case INDEX_op_add2: gen_addsub2(g, false); break;
    case INDEX_op_sub2: gen_addsub2(g, true); break;
    case INDEX_op_div: gen_div(g, true, false); break;
    case INDEX_op_divu: gen_div(g, false, false); break;
    case INDEX_op_rem: gen_div(g, true, true); break;
    case INDEX_op_remu: gen_div(g, false, true); break;
    case INDEX_op_and: gen_alu(g, ALU_AND, true); break;
    case INDEX_op_or: gen_alu(g, ALU_OR, true); break;
    case INDEX_op_xor: gen_alu(g, ALU_XOR, true); break;
    case INDEX_op_andc:
    case INDEX_op_orc:
    case INDEX_op_eqv:
    case INDEX_op_nand:
    case INDEX_op_nor: gen_logic_not(g, opc); break;
    case INDEX_op_shl: gen_shift(g, SH_SHL); break;
    case INDEX_op_shr: gen_shift(g, SH_SHR); break;
    case INDEX_op_sar: gen_shift(g, SH_SAR); break;
    case INDEX_op_rotl: gen_shift(g, SH_ROL); break;
    case INDEX_op_rotr: gen_shift(g, SH_ROR); break;
    case INDEX_op_ext8s: gen_ext(g, OPC_MOVSBL | (op_w64(g) ? P_W : 0), false); break;
    case INDEX_op_ext8u: gen_ext(g, OPC_MOVZBL, false); break;
    case INDEX_op_ext16s: gen_ext(g, OPC_MOVSWL | (op_w64(g) ? P_W : 0), false); break;
    case INDEX_op_ext16u: gen_ext(g, OPC_MOVZWL, false); break;
    case INDEX_op_ext32s: gen_ext(g, OPC_MOVSXD, false); break;
    case INDEX_op_ext32u: gen_ext(g, OPC_MOV_LOAD, false); break;
    case INDEX_op_ext_i32_i64:
    case INDEX_op_extu_i32_i64:
    case INDEX_op_extrl_i64_i32:
    case INDEX_op_extrh_i64_i32: gen_conv(g, opc); break;
    case INDEX_op_extract: gen_extract(g, false); break;
    case INDEX_op_sextract: gen_extract(g, true); break;
    case INDEX_op_deposit: gen_deposit(g); break;
    case INDEX_op_extract2: gen_extract2(g); break;
    case INDEX_op_bswap16: gen_bswap(g, 16); break;
    case INDEX_op_bswap32: gen_bswap(g, 32); break;
    case INDEX_op_bswap64: gen_bswap(g, 64); break;
    case INDEX_op_clz: gen_count_zeros(g, true); break;
    case INDEX_op_ctz: gen_count_zeros(g, false); break;
    case INDEX_op_ctpop: gen_ctpop(g); break;
    case INDEX_op_guest_ld: gen_guest_ld(g); break;
    case INDEX_op_guest_st: gen_guest_st(g); break;
    case INDEX_op_guest_ld128: gen_guest_ld128(g); break;
    case INDEX_op_guest_st128: gen_guest_st128(g); break;
    case INDEX_op_atomic_cmpxchg: gen_atomic_cmpxchg(g); break;
    case INDEX_op_atomic_rmw: gen_atomic_rmw(g); break;
    case INDEX_op_atomic_cmpxchg128: gen_atomic_cmpxchg128(g); break;
    case INDEX_op_brcond: gen_brcond(g); break;
    case INDEX_op_br:
        ra_sync_globals(g, true);
        emit_jump_label(g, -1, (int)g->op->args[0]);
        break;
    case INDEX_op_set_label: gen_set_label(g); break;
    case INDEX_op_call: gen_call(g); break;
    case INDEX_op_mb:
        if (g->op->args[0] & TCG_MO_ST_LD) {
            /* lock or [rsp], 0: a full barrier, cheaper than mfence */
            emit_rm(&g->a, OPC_ALU_IMM8 | P_LOCK, ALU_OR, RSP, 0);
            emit8(&g->a, 0);
        }
        break;
    case INDEX_op_exit_tb: gen_exit_tb(g); break;
    case INDEX_op_goto_tb: gen_goto_tb(g); break;
    case INDEX_op_goto_ptr: gen_goto_ptr(g); break;
    case INDEX_op_discard: gen_discard(g); break;
    default:
        fatal("tcg/x86_64: op %s not supported", tcg_op_defs[opc].name);
    }
}

/*
 * For each temp, the last op that reads it (ra_tb_temp_done). With backward
 * branches, ops from the earliest loop head on may run again, so a temp read
 * there stays live until the last backward branch has been passed.
 */
static void scan_tb_temps(Gen *g)
{
    TCGContext *s = g->s;
    int min_head = s->nb_ops, last_back = -1;
    int *label_pos = malloc(sizeof(int) * (size_t)(s->nb_labels + 1));
    int *last = malloc(sizeof(int) * (size_t)(s->nb_temps + 1));
    if (!label_pos || !last) {
        fatal("tcg/x86_64: out of memory");
    }
    for (int i = 0; i < s->nb_labels; i++) {
        label_pos[i] = -1;
    }
    for (int i = 0; i < s->nb_temps; i++) {
        last[i] = -1;
    }
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        int label = -1;
        if (op->opc == INDEX_op_nop || op->opc == INDEX_op_insn_start) {
            continue;
        }
        if (op->opc == INDEX_op_set_label) {
            label_pos[op->args[0]] = i;
        } else if (op->opc == INDEX_op_br) {
            label = (int)op->args[0];
        } else if (op->opc == INDEX_op_brcond) {
            label = (int)op->args[3];
        }
        if (label >= 0 && label_pos[label] >= 0) {
            /* a backward branch */
            last_back = i;
            if (label_pos[label] < min_head) {
                min_head = label_pos[label];
            }
        }
        unsigned nout = tcg_op_nb_oargs(op), nin = tcg_op_nb_iargs(op);
        for (unsigned k = nout; k < nout + nin; k++) {
            last[op->args[k]] = i;
        }
    }
    free(label_pos);
    g->tb_last_read = last;
    g->loop_head = min_head;
    g->loop_end = last_back;
}

static ptrdiff_t x86_gen_code(TCGContext *s, TranslationBlock *tb, uint8_t *buf, size_t cap)
{
    Gen gs;
    Gen *g = &gs;
    memset(g, 0, sizeof(*g));
    g->s = s;
    g->a.start = g->a.ptr = buf;
    g->a.end = buf + cap;
    ra_init(g);
    scan_tb_temps(g);
    for (int i = 0; i < s->nb_labels; i++) {
        s->labels[i].has_value = false;
    }
    s->goto_tb_off[0] = s->goto_tb_off[1] = 0xffff;
    s->goto_tb_reset[0] = s->goto_tb_reset[1] = 0xffff;

    ptrdiff_t ret = -1;
    int insn = 0;
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        TCGOpcode opc = (TCGOpcode)op->opc;
        if (g->a.ptr + OP_MAX_BYTES > g->a.end) {
            goto out;
        }
        g->op = op;
        g->op_idx = i;
        if (opc == INDEX_op_nop) {
            continue;
        }
        if (opc == INDEX_op_insn_start) {
            if (insn > 0 && insn - 1 < s->cap_insn_end) {
                s->insn_end_off[insn - 1] = asm_off(&g->a);
            }
            insn++;
            continue;
        }
        unsigned flags = tcg_op_defs[opc].flags;
        if (flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_GUEST_MEM)) {
            ra_sync_globals(g, false);
        }
        gen_op(g, opc);
        ra_finish_op(g);
        if (opc == INDEX_op_br) {
            ra_drop_all(g); /* everything was synced: emits nothing */
        } else if ((flags & TCG_OPF_BB_EXIT) && opc != INDEX_op_goto_tb) {
            ra_forget_all(g);
        }
    }
    if (insn > 0 && insn - 1 < s->cap_insn_end) {
        s->insn_end_off[insn - 1] = asm_off(&g->a);
    }
    if (!gen_slow_paths(g)) {
        goto out;
    }
    for (int i = 0; i < g->nb_relocs; i++) {
        TCGLabel *l = &s->labels[g->relocs[i].label];
        if (!l->has_value) {
            fatal("tcg/x86_64: branch to label %d that is never set", l->id);
        }
        uint32_t off = g->relocs[i].off;
        patch32(&g->a, off, (uint32_t)((int64_t)l->value - (int64_t)(off + 4)));
    }
    ret = g->a.ptr - buf;
    (void)tb;
out:
    free(g->relocs);
    free(g->slow);
    free(g->tb_last_read);
    return ret;
}

/* --- prologue / epilogue --- */

static const int8_t saved_regs[6] = {RBP, RBX, R12, R13, R14, R15};

static ptrdiff_t x86_gen_prologue(TCGContext *s, uint8_t *buf, size_t cap)
{
    if (cap < 128) {
        return -1;
    }
    X86Asm as = {.start = buf, .ptr = buf, .end = buf + cap};
    X86Asm *a = &as;
    /* uintptr_t prologue(void *tc_ptr, CPUState *env) */
    for (int i = 0; i < 6; i++) {
        emit_opc(a, 0x50 + (saved_regs[i] & 7), 0, saved_regs[i], 0);
    }
    emit_rr(a, OPC_ALU_IMM32 | P_W, ALU_SUB, RSP);
    emit32(a, FRAME_SIZE);
    emit_mov_rr(a, 1, TCG_AREG0, RSI);
    emit_rr(a, OPC_GRP5, G5_JMP, RDI);

    /* exit_tb(0) and "no TB found" land here */
    s->exit_zero = (uintptr_t)a->ptr;
    emit_rr(a, ALU_XOR << 3 | OPC_ALU_RM, RAX, RAX);
    /* exit_tb(v): rax = v */
    s->epilogue = (uintptr_t)a->ptr;
    emit_rr(a, OPC_ALU_IMM32 | P_W, ALU_ADD, RSP);
    emit32(a, FRAME_SIZE);
    for (int i = 5; i >= 0; i--) {
        emit_opc(a, 0x58 + (saved_regs[i] & 7), 0, saved_regs[i], 0);
    }
    emit8(a, 0xc3);
    s->code_base = buf;
    return a->ptr - buf;
}

static uintptr_t x86_exec(TCGContext *s, CPUState *cpu, const void *tc_ptr)
{
    uintptr_t (*entry)(const void *, CPUState *);
    entry = (uintptr_t (*)(const void *, CPUState *))(uintptr_t)s->code_base;
    return entry(tc_ptr, cpu);
}

static void x86_set_jmp_target(TranslationBlock *tb, int n, uintptr_t addr)
{
    if (tb->jmp_insn_off[n] == 0xffff) {
        return;
    }
    uintptr_t jmp = (uintptr_t)tb->tc_ptr + tb->jmp_insn_off[n];
    if (addr == 0) {
        addr = (uintptr_t)tb->tc_ptr + tb->jmp_reset_off[n];
    }
    uint32_t disp = (uint32_t)(addr - (jmp + 5));
    /* gen_goto_tb aligned the displacement: one atomic store re-targets it */
    __atomic_store_n((uint32_t *)(jmp + 1), disp, __ATOMIC_RELAXED);
}

const TCGBackend tcg_backend_x86_64 = {
    .name = "x86_64",
    .needs_exec = true,
    .gen_prologue = x86_gen_prologue,
    .gen_code = x86_gen_code,
    .exec = x86_exec,
    .set_jmp_target = x86_set_jmp_target,
};
