/*
 * translate.c — x86 instructions to TCG IR.
 *
 * Each instruction is decoded by x86_decode() (decode.c, tables in
 * decode-tables.c) into an X86Insn; trans_table[mnemonic] emits its IR
 * through a small set of operand emitters (gen_load/gen_store on the
 * decoded operands, the memory operand's linear address in s->A0), so one
 * trans_ function serves every encoding of a mnemonic.
 *
 * Flags are lazy (cpu.h): an arithmetic instruction writes cc_dst/cc_src/
 * cc_src2 and, if it changes, cc_op (a TCG global kept in sync eagerly;
 * s->cc_op remembers the value known at translation time so conditions
 * after CMP/SUB/TEST/logic are evaluated inline without the helper).
 *
 * Ordering rule for precise exceptions: every instruction does all its
 * memory accesses that may fault before it writes any guest register, so a
 * fault restores state by resetting rip alone (x86_restore_state). A REP
 * string instruction is a helper that updates RCX/RSI/RDI per element.
 *
 * TB boundaries: an instruction that may change the TB key (hflags, CS,
 * IF, TF) ends the TB and returns to the loop (gen_eob). Translation stops
 * 15 bytes before the end of a page, so an instruction that straddles two
 * pages always starts its own TB and a fetch fault is reported at its rip.
 * With EFLAGS.TF every instruction is its own TB followed by a #DB trap; in
 * an interrupt shadow (STI, MOV SS) the first instruction clears it.
 * Self-modifying code: after a store into the TB's own page the TB is left
 * at the next instruction (gen_smc_check); other TBs are invalidated by
 * accel/tcg's TLB_NOTDIRTY path.
 */
#include <inttypes.h>
#include <stddef.h>

#include "target/i386/translate.h"

#include "exec/cputlb.h"
#include "exec/tb.h"
#include "reemu/reemu.h"
#include "util/log.h"

#define HELPER_H "target/i386/helper.h"
#include "exec/helper-gen.h"

#define DISAS_EOB DISAS_TARGET_0 /* rip set: back to the loop (state changed) */

static __thread TCGv_i64 cpu_regs[16];
static __thread TCGv_i64 cpu_rip, cpu_cc_dst, cpu_cc_src, cpu_cc_src2;
static __thread TCGv_i32 cpu_cc_op;

static const char *const reg_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

void x86_translate_init(CPUState *cs)
{
    (void)cs;
    for (int i = 0; i < 16; i++) {
        cpu_regs[i] = tcg_global_mem_new_i64(ENV_OFF(regs[i]), reg_names[i]);
    }
    cpu_rip = tcg_global_mem_new_i64(ENV_OFF(rip), "rip");
    cpu_cc_dst = tcg_global_mem_new_i64(ENV_OFF(cc_dst), "cc_dst");
    cpu_cc_src = tcg_global_mem_new_i64(ENV_OFF(cc_src), "cc_src");
    cpu_cc_src2 = tcg_global_mem_new_i64(ENV_OFF(cc_src2), "cc_src2");
    cpu_cc_op = tcg_global_mem_new_i32(ENV_OFF(cc_op), "cc_op");
}


/* ------------------------------------------------------------------ basics */


static uint64_t mask_of(MemOp sz)
{
    return sz >= MO_64 ? ~0ull : (1ull << (8 << sz)) - 1;
}

static void set_cc_op(DisasContext *s, CCOp op)
{
    if (s->cc_op != op) {
        tcg_gen_movi_i32(cpu_cc_op, op);
        s->cc_op = op;
    }
}

void gen_update_rip(DisasContext *s, uint64_t eip)
{
    tcg_gen_movi_i64(cpu_rip, (int64_t)eip);
}

void gen_exception(DisasContext *s, int vec)
{
    gen_update_rip(s, cur_eip(s));
    gen_helper_raise_exception(tcg_env(), tcg_constant_i32(vec));
    s->base.is_jmp = DISAS_NORETURN;
}

void gen_exception_err(DisasContext *s, int vec, int err)
{
    gen_update_rip(s, cur_eip(s));
    gen_helper_raise_exception_err(tcg_env(), tcg_constant_i32(vec), tcg_constant_i32(err));
    s->base.is_jmp = DISAS_NORETURN;
}

void gen_illegal(DisasContext *s)
{
    log_mask_printf(LOG_UNIMP, "x86: #UD %s at %016" PRIx64 "\n",
                    x86_mnem_names[s->in.mnem], s->pc_curr);
    gen_exception(s, EXCP06_UD);
}

/* back to the execution loop after this instruction (the TB key may have changed) */
static void gen_eob_next(DisasContext *s)
{
    gen_update_rip(s, next_eip(s));
    s->base.is_jmp = DISAS_EOB;
}

/*
 * A direct jump into another page may be chained only while that page still
 * maps to the physical page it mapped to at translation time (the jump cache
 * asks the same of a lookup, tb-cache.c): before the goto_tb the code checks
 * this core's code TLB entry for the target page (virtual page, no
 * TLB_INVALID/TLB_MMIO, physical page); any difference goes the long way,
 * through lookup_and_goto_ptr. 64-bit mode only (cs_base 0). Linux/x86's
 * `jmp __x86_return_thunk` and calls into other pages went through a lookup
 * each before this.
 */
static bool gen_goto_tb_guarded(DisasContext *s, uint64_t eip, int n)
{
    if (s->mode != X86_MODE64 || (s->base.tb->cflags & (CF_NOCHAIN | CF_SINGLE_STEP)) ||
        log_enabled(LOG_NOCHAIN)) {
        return false;
    }
    CPUState *cpu = s->base.cpu;
    uint64_t page = eip & TARGET_PAGE_MASK;
    int idx = s->mem_idx;
    unsigned i = (unsigned)(eip >> TARGET_PAGE_BITS) & (CPU_TLB_SIZE - 1);
    const CPUTLBEntry *e = &cpu->tlb[idx][i];
    uint64_t paddr;
    if ((e->addr_code & (TARGET_PAGE_MASK | TLB_INVALID | TLB_MMIO)) == page) {
        paddr = cpu->tlb_full[idx][i].paddr;
    } else if (reemu_mode) {
        return false; /* no page walk at translation time in record/replay */
    } else {
        paddr = probe_paddr(cpu, eip, MMU_INST_FETCH, idx);
        if (paddr == ~0ull ||
            (e->addr_code & (TARGET_PAGE_MASK | TLB_INVALID | TLB_MMIO)) != page) {
            return false; /* no mapping, or not executable RAM */
        }
        paddr &= TARGET_PAGE_MASK;
    }
    intptr_t cpu_off = (intptr_t)offsetof(X86CPU, parent);
    intptr_t code_off = cpu_off + (intptr_t)((const char *)&e->addr_code - (const char *)cpu);
    intptr_t pa_off = cpu_off + (intptr_t)((const char *)&cpu->tlb_full[idx][i].paddr -
                                           (const char *)cpu);
    TCGLabel *slow = gen_new_label();
    TCGv_i64 t = tmp64();
    tcg_gen_ld_i64(t, tcg_env(), code_off);
    tcg_gen_andi_i64(t, t, (int64_t)(TARGET_PAGE_MASK | TLB_INVALID | TLB_MMIO));
    tcg_gen_brcondi_i64(TCG_COND_NE, t, (int64_t)page, slow);
    tcg_gen_ld_i64(t, tcg_env(), pa_off);
    tcg_gen_brcondi_i64(TCG_COND_NE, t, (int64_t)paddr, slow);
    tcg_gen_goto_tb((unsigned)n);
    gen_update_rip(s, eip);
    tcg_gen_exit_tb(s->base.tb, (unsigned)n);
    gen_set_label(slow);
    gen_update_rip(s, eip);
    tcg_gen_lookup_and_goto_ptr();
    return true;
}

static void gen_jmp_tb(DisasContext *s, uint64_t eip, int n)
{
    if (s->mode != X86_MODE64) {
        /* the target was truncated to the operand size by jump_target(); here the
         * instruction pointer wraps at the code segment's size */
        eip &= s->mode == X86_MODE32 ? 0xffffffffull : 0xffff;
    }
    if (s->flags & HF_TF) {
        gen_update_rip(s, eip);
        gen_helper_single_step(tcg_env());
        s->base.is_jmp = DISAS_NORETURN;
        return;
    }
    if (!(s->flags & (HF_TF | HF_INHIBIT_IRQ)) &&
        translator_use_goto_tb(&s->base, s->cs_base + eip)) {
        tcg_gen_goto_tb((unsigned)n);
        gen_update_rip(s, eip);
        tcg_gen_exit_tb(s->base.tb, (unsigned)n);
    } else if (!(s->flags & (HF_TF | HF_INHIBIT_IRQ)) && gen_goto_tb_guarded(s, eip, n)) {
        /* chained through a TLB check */
    } else {
        gen_update_rip(s, eip);
        if (s->flags & (HF_TF | HF_INHIBIT_IRQ)) {
            tcg_gen_exit_tb(NULL, 0);
        } else {
            tcg_gen_lookup_and_goto_ptr();
        }
    }
    s->base.is_jmp = DISAS_NORETURN;
}

/* indirect jump: rip already holds the target */
static void gen_jmp_rip(DisasContext *s)
{
    if (s->flags & HF_TF) {
        gen_helper_single_step(tcg_env());
    } else if (s->flags & HF_INHIBIT_IRQ) {
        tcg_gen_exit_tb(NULL, 0);
    } else {
        tcg_gen_lookup_and_goto_ptr();
    }
    s->base.is_jmp = DISAS_NORETURN;
}

/* remember that this instruction stores to addr (see gen_smc_check) */
void note_store(DisasContext *s, TCGv_i64 addr)
{
    for (int i = 0; i < s->nstore; i++) {
        if (s->store_addr[i] == addr) {
            return;
        }
    }
    if (s->nstore < 4) {
        s->store_addr[s->nstore++] = addr;
    }
}

/* ------------------------------------------------------------- registers */

static void gen_ext(TCGv_i64 d, TCGv_i64 v, MemOp sz, bool sign)
{
    if (sz >= MO_64) {
        tcg_gen_mov_i64(d, v);
    } else {
        tcg_gen_ext_i64(d, v, (MemOp)(sz | (sign ? MO_SIGN : 0)));
    }
}

void gen_read_reg(TCGv_i64 d, int reg, bool hi, MemOp sz)
{
    if (hi) {
        tcg_gen_extract_i64(d, cpu_regs[reg], 8, 8);
    } else {
        gen_ext(d, cpu_regs[reg], sz, false);
    }
}

/* write a general register with x86-64 semantics: 8/16-bit writes merge,
 * 32-bit writes zero-extend (SDM Vol.1 §3.4.1.1) */
void gen_write_reg(int reg, bool hi, MemOp sz, TCGv_i64 v)
{
    switch (sz) {
    case MO_8:
        tcg_gen_deposit_i64(cpu_regs[reg], cpu_regs[reg], v, hi ? 8 : 0, 8);
        break;
    case MO_16:
        tcg_gen_deposit_i64(cpu_regs[reg], cpu_regs[reg], v, 0, 16);
        break;
    case MO_32:
        tcg_gen_ext32u_i64(cpu_regs[reg], v);
        break;
    default:
        tcg_gen_mov_i64(cpu_regs[reg], v);
        break;
    }
}

/* --------------------------------------------------------------- addresses */

static void gen_add_seg_base(TCGv_i64 a, int seg)
{
    TCGv_i64 b = tcg_temp_new_i64();
    tcg_gen_ld_i64(b, tcg_env(), ENV_OFF(segs[seg].base));
    tcg_gen_add_i64(a, a, b);
}

/* turn an offset (already truncated to the address size) into a linear address */
static void gen_seg_linear(DisasContext *s, TCGv_i64 a, int def_seg, int override)
{
    if (s->mode == X86_MODE64) {
        if (override == R_FS || override == R_GS) {
            gen_add_seg_base(a, override);
        }
        return;
    }
    int seg = override >= 0 ? override : def_seg;
    if (override >= 0 || s->addseg) {
        gen_add_seg_base(a, seg);
    }
    tcg_gen_ext32u_i64(a, a);
}

static void gen_trunc_addr(DisasContext *s, TCGv_i64 a, MemOp asize)
{
    if (asize == MO_32) {
        tcg_gen_ext32u_i64(a, a);
    } else if (asize == MO_16) {
        tcg_gen_ext16u_i64(a, a);
    }
}

/* effective address (offset within the segment) of the ModRM memory operand */
static TCGv_i64 gen_ea_offset(DisasContext *s, X86Insn *in)
{
    TCGv_i64 a = tmp64();
    if (in->base == -2) {
        tcg_gen_movi_i64(a, (int64_t)(next_eip(s) + (uint64_t)in->disp));
    } else {
        tcg_gen_movi_i64(a, in->disp);
        if (in->base >= 0) {
            tcg_gen_add_i64(a, a, cpu_regs[in->base]);
        }
        if (in->index >= 0) {
            TCGv_i64 t = tcg_temp_new_i64();
            tcg_gen_shli_i64(t, cpu_regs[in->index], in->scale);
            tcg_gen_add_i64(a, a, t);
        }
    }
    gen_trunc_addr(s, a, (MemOp)in->addrsize);
    return a;
}

static int default_seg(X86Insn *in)
{
    /* SDM Vol.1 §3.7.4: rBP/rSP as base default to SS */
    if (in->addrsize == MO_16) {
        int rm = in->modrm & 7;
        if (in->has_modrm && (rm == 2 || rm == 3 || (rm == 6 && in->mod != 0))) {
            return R_SS;
        }
        return R_DS;
    }
    return (in->base == R_ESP || in->base == R_EBP) ? R_SS : R_DS;
}

/* HF_SEGLIM: check [off, off + bytes) against the segment's limit before the access */
static void gen_check_limit(DisasContext *s, TCGv_i64 off, int seg, unsigned bytes)
{
    if ((s->flags & HF_SEGLIM) && s->mode != X86_MODE64) {
        gen_helper_check_seg_limit(tcg_env(), off, tcg_constant_i32(seg | (int)(bytes << 4)));
    }
}

static void gen_lea_modrm(DisasContext *s, X86Insn *in)
{
    TCGv_i64 a = gen_ea_offset(s, in);
    if (s->flags & HF_SEGLIM) {
        /* the memory operand's size; far pointers and other multi-part operands
         * are checked by their first part */
        unsigned bytes = 1;
        for (int i = 0; i < in->nops; i++) {
            if (in->op[i].type == OT_MEM) {
                bytes = in->op[i].size <= MO_128 ? 1u << in->op[i].size : 1;
            }
        }
        gen_check_limit(s, a, in->seg >= 0 ? in->seg : default_seg(in), bytes);
    }
    gen_seg_linear(s, a, default_seg(in), in->seg);
    s->A0 = a;
}

/* linear address of a stack slot at offset sp (truncated per SS.B) */
static TCGv_i64 gen_stack_addr(DisasContext *s, TCGv_i64 sp)
{
    TCGv_i64 a = tmp64();
    if (s->mode == X86_MODE64) {
        tcg_gen_mov_i64(a, sp);
        return a;
    }
    if (s->ss32) {
        tcg_gen_ext32u_i64(a, sp);
    } else {
        tcg_gen_ext16u_i64(a, sp);
    }
    gen_check_limit(s, a, R_SS, 1); /* the first byte: the push or pop size is not known here */
    if (s->addseg) {
        gen_add_seg_base(a, R_SS);
        tcg_gen_ext32u_i64(a, a);
    }
    return a;
}

static void gen_write_sp(DisasContext *s, TCGv_i64 v)
{
    if (s->mode == X86_MODE64) {
        tcg_gen_mov_i64(cpu_regs[R_ESP], v);
    } else if (s->ss32) {
        tcg_gen_ext32u_i64(cpu_regs[R_ESP], v);
    } else {
        tcg_gen_deposit_i64(cpu_regs[R_ESP], cpu_regs[R_ESP], v, 0, 16);
    }
}

static void gen_push(DisasContext *s, TCGv_i64 v, MemOp sz)
{
    TCGv_i64 nsp = tmp64();
    tcg_gen_subi_i64(nsp, cpu_regs[R_ESP], 1 << sz);
    TCGv_i64 a = gen_stack_addr(s, nsp);
    tcg_gen_guest_st_i64(v, a, (unsigned)s->mem_idx, sz);
    note_store(s, a);
    gen_write_sp(s, nsp);
}

/* load the top of stack (does not move rsp) */
static TCGv_i64 gen_pop_load(DisasContext *s, MemOp sz)
{
    TCGv_i64 v = tmp64();
    TCGv_i64 a = gen_stack_addr(s, cpu_regs[R_ESP]);
    tcg_gen_guest_ld_i64(v, a, (unsigned)s->mem_idx, sz);
    return v;
}

static void gen_pop_update(DisasContext *s, int bytes)
{
    TCGv_i64 nsp = tmp64();
    tcg_gen_addi_i64(nsp, cpu_regs[R_ESP], bytes);
    gen_write_sp(s, nsp);
}

static MemOp stack_size(DisasContext *s, X86Insn *in)
{
    return (MemOp)in->opsize;
}

/* ---------------------------------------------------------------- operands */

void gen_load(DisasContext *s, X86Insn *in, int n, TCGv_i64 d)
{
    X86Operand *o = &in->op[n];
    switch (o->type) {
    case OT_REG:
        gen_read_reg(d, o->reg, o->hibyte, (MemOp)o->size);
        break;
    case OT_MEM:
        tcg_gen_guest_ld_i64(d, s->A0, (unsigned)s->mem_idx, (MemOp)o->size);
        break;
    case OT_IMM:
        tcg_gen_movi_i64(d, o->imm & (int64_t)mask_of((MemOp)o->size));
        break;
    default:
        tcg_gen_movi_i64(d, 0);
        break;
    }
}

TCGv_i64 load_op(DisasContext *s, X86Insn *in, int n)
{
    TCGv_i64 t = tmp64();
    gen_load(s, in, n, t);
    return t;
}

void gen_store(DisasContext *s, X86Insn *in, int n, TCGv_i64 v)
{
    X86Operand *o = &in->op[n];
    if (o->type == OT_REG) {
        gen_write_reg(o->reg, o->hibyte, (MemOp)o->size, v);
    } else if (o->type == OT_MEM) {
        tcg_gen_guest_st_i64(v, s->A0, (unsigned)s->mem_idx, (MemOp)o->size);
        note_store(s, s->A0);
    }
}

/* ------------------------------------------------------------------- flags */

static void gen_set_cc(DisasContext *s, CCOp base, MemOp sz, TCGv_i64 dst, TCGv_i64 src,
                       TCGv_i64 src2)
{
    tcg_gen_mov_i64(cpu_cc_dst, dst);
    if (src) {
        tcg_gen_mov_i64(cpu_cc_src, src);
    }
    if (src2) {
        tcg_gen_mov_i64(cpu_cc_src2, src2);
    }
    set_cc_op(s, (CCOp)(base + (sz > MO_64 ? MO_64 : sz)));
}

/* EFLAGS.OSZAPC as a 64-bit value */
static TCGv_i64 gen_compute_eflags(DisasContext *s)
{
    TCGv_i64 r = tcg_temp_new_i64();
    if (s->cc_op == CC_OP_EFLAGS) {
        tcg_gen_andi_i64(r, cpu_cc_src, CC_OSZAPC);
        return r;
    }
    TCGv_i32 t = tcg_temp_new_i32();
    gen_helper_cc_compute_all(t, cpu_cc_dst, cpu_cc_src, cpu_cc_src2, cpu_cc_op);
    tcg_gen_extu_i32_i64(r, t);
    return r;
}

/* materialise the flags: cc_op becomes EFLAGS (before changing a subset) */
static void gen_flags_to_eflags(DisasContext *s)
{
    if (s->cc_op == CC_OP_EFLAGS) {
        return;
    }
    TCGv_i64 f = gen_compute_eflags(s);
    tcg_gen_mov_i64(cpu_cc_src, f);
    set_cc_op(s, CC_OP_EFLAGS);
}

static TCGv_i64 gen_compute_cf(DisasContext *s)
{
    TCGv_i64 r = tcg_temp_new_i64();
    CCOp op = s->cc_op;
    if (op == CC_OP_EFLAGS) {
        tcg_gen_andi_i64(r, cpu_cc_src, CC_C);
        return r;
    }
    if (op >= CC_OP_ADDB && op < CC_OP_NB) {
        MemOp sz = (MemOp)cc_op_size(op);
        CCOp base = cc_op_base(op);
        TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64();
        switch (base) {
        case CC_OP_SUBB:
            gen_ext(a, cpu_cc_src2, sz, false);
            gen_ext(b, cpu_cc_src, sz, false);
            tcg_gen_setcond_i64(TCG_COND_LTU, r, a, b);
            return r;
        case CC_OP_ADDB:
            gen_ext(a, cpu_cc_dst, sz, false);
            gen_ext(b, cpu_cc_src, sz, false);
            tcg_gen_setcond_i64(TCG_COND_LTU, r, a, b);
            return r;
        case CC_OP_LOGICB:
            tcg_gen_movi_i64(r, 0);
            return r;
        case CC_OP_INCB:
        case CC_OP_DECB:
            tcg_gen_andi_i64(r, cpu_cc_src, 1);
            return r;
        case CC_OP_SHLB:
            tcg_gen_extract_i64(r, cpu_cc_src, (8u << sz) - 1, 1);
            return r;
        case CC_OP_SARB:
            tcg_gen_andi_i64(r, cpu_cc_src, 1);
            return r;
        case CC_OP_MULB:
            tcg_gen_setcondi_i64(TCG_COND_NE, r, cpu_cc_src, 0);
            return r;
        default:
            break;
        }
    }
    TCGv_i32 t = tcg_temp_new_i32();
    gen_helper_cc_compute_c(t, cpu_cc_dst, cpu_cc_src, cpu_cc_src2, cpu_cc_op);
    tcg_gen_extu_i32_i64(r, t);
    return r;
}

typedef struct CCPrep {
    TCGCond cond;
    TCGv_i64 a, b;
} CCPrep;

/* Evaluate condition cc (Jcc encoding, SDM Vol.1 Appendix B) */
static CCPrep gen_prepare_cc(DisasContext *s, int cc)
{
    CCPrep p;
    int base = cc >> 1;
    bool inv = cc & 1;
    CCOp op = s->cc_op;
    p.b = tcg_constant_i64(0);
    p.a = tcg_temp_new_i64();

    if (op >= CC_OP_ADDB && op < CC_OP_NB) {
        MemOp sz = (MemOp)cc_op_size(op);
        CCOp kind = cc_op_base(op);
        bool done = true;
        if (kind == CC_OP_SUBB && (base == 1 || base == 3 || base == 6 || base == 7)) {
            /* compare src1 (cc_src2) with src2 (cc_src) directly */
            bool sign = base >= 6;
            TCGv_i64 b = tcg_temp_new_i64();
            gen_ext(p.a, cpu_cc_src2, sz, sign);
            gen_ext(b, cpu_cc_src, sz, sign);
            p.b = b;
            p.cond = base == 1 ? TCG_COND_LTU : base == 3 ? TCG_COND_LEU
                   : base == 6 ? TCG_COND_LT : TCG_COND_LE;
        } else if (base == 2 && kind != CC_OP_BMILGB) { /* ZF */
            gen_ext(p.a, cpu_cc_dst, sz, false);
            p.cond = TCG_COND_EQ;
        } else if (base == 4 && kind != CC_OP_BMILGB) { /* SF */
            gen_ext(p.a, cpu_cc_dst, sz, true);
            p.cond = TCG_COND_LT;
        } else if (kind == CC_OP_LOGICB && (base == 0 || base == 1)) {
            p.cond = TCG_COND_NEVER; /* OF = CF = 0 */
        } else if (kind == CC_OP_LOGICB && (base == 3 || base == 6)) {
            gen_ext(p.a, cpu_cc_dst, sz, base == 6); /* BE: ZF; L: SF */
            p.cond = base == 3 ? TCG_COND_EQ : TCG_COND_LT;
        } else if (kind == CC_OP_LOGICB && base == 7) {
            gen_ext(p.a, cpu_cc_dst, sz, true);
            p.cond = TCG_COND_LE; /* ZF | SF */
        } else if (base == 1 && (kind == CC_OP_ADDB || kind == CC_OP_INCB ||
                                 kind == CC_OP_DECB)) {
            p.a = gen_compute_cf(s);
            p.cond = TCG_COND_NE;
        } else {
            done = false;
        }
        if (done) {
            if (inv) {
                p.cond = tcg_invert_cond(p.cond);
            }
            return p;
        }
    }

    TCGv_i64 f = gen_compute_eflags(s);
    switch (base) {
    case 0: tcg_gen_andi_i64(p.a, f, CC_O); break;
    case 1: tcg_gen_andi_i64(p.a, f, CC_C); break;
    case 2: tcg_gen_andi_i64(p.a, f, CC_Z); break;
    case 3: tcg_gen_andi_i64(p.a, f, CC_C | CC_Z); break;
    case 4: tcg_gen_andi_i64(p.a, f, CC_S); break;
    case 5: tcg_gen_andi_i64(p.a, f, CC_P); break;
    case 6: /* SF != OF */
    case 7: { /* ZF || SF != OF */
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_shri_i64(t, f, 4); /* OF (bit 11) -> bit 7 */
        tcg_gen_xor_i64(t, t, f);
        tcg_gen_andi_i64(p.a, t, CC_S);
        if (base == 7) {
            tcg_gen_andi_i64(t, f, CC_Z);
            tcg_gen_or_i64(p.a, p.a, t);
        }
        break;
    }
    }
    p.cond = inv ? TCG_COND_EQ : TCG_COND_NE;
    return p;
}

static TCGv_i64 gen_setcc_value(DisasContext *s, int cc)
{
    CCPrep p = gen_prepare_cc(s, cc);
    TCGv_i64 r = tmp64();
    tcg_gen_setcond_i64(p.cond, r, p.a, p.b);
    return r;
}

/* ---------------------------------------------------------- the ALU group */

static void gen_alu(DisasContext *s, X86Insn *in, int op)
{
    MemOp sz = (MemOp)in->op[0].size;
    bool locked = (in->prefixes & PFX_LOCK) != 0;
    TCGv_i64 src2 = load_op(s, in, 1);
    TCGv_i64 src1 = tmp64(), res = tmp64();
    TCGv_i64 cf = NULL;

    if (op == MN_ADC || op == MN_SBB) {
        cf = gen_compute_cf(s);
    }
    if (locked) {
        TCGv_i64 v = tmp64();
        switch (op) {
        case MN_ADD: case MN_ADC: case MN_SUB: case MN_SBB:
            tcg_gen_mov_i64(v, src2);
            if (cf) {
                tcg_gen_add_i64(v, v, cf);
            }
            if (op == MN_SUB || op == MN_SBB) {
                tcg_gen_neg_i64(v, v);
            }
            tcg_gen_atomic_rmw_i64(TCG_ATOMIC_ADD, src1, s->A0, v, (unsigned)s->mem_idx, sz);
            note_store(s, s->A0);
            tcg_gen_add_i64(res, src1, v);
            break;
        case MN_AND:
            tcg_gen_atomic_rmw_i64(TCG_ATOMIC_AND, src1, s->A0, src2, (unsigned)s->mem_idx, sz);
            note_store(s, s->A0);
            tcg_gen_and_i64(res, src1, src2);
            break;
        case MN_OR:
            tcg_gen_atomic_rmw_i64(TCG_ATOMIC_OR, src1, s->A0, src2, (unsigned)s->mem_idx, sz);
            note_store(s, s->A0);
            tcg_gen_or_i64(res, src1, src2);
            break;
        case MN_XOR:
            tcg_gen_atomic_rmw_i64(TCG_ATOMIC_XOR, src1, s->A0, src2, (unsigned)s->mem_idx, sz);
            note_store(s, s->A0);
            tcg_gen_xor_i64(res, src1, src2);
            break;
        default:
            gen_illegal(s);
            return;
        }
    } else {
        gen_load(s, in, 0, src1);
        switch (op) {
        case MN_ADD: tcg_gen_add_i64(res, src1, src2); break;
        case MN_ADC: tcg_gen_add_i64(res, src1, src2); tcg_gen_add_i64(res, res, cf); break;
        case MN_SUB: case MN_CMP: tcg_gen_sub_i64(res, src1, src2); break;
        case MN_SBB: tcg_gen_sub_i64(res, src1, src2); tcg_gen_sub_i64(res, res, cf); break;
        case MN_AND: case MN_TEST: tcg_gen_and_i64(res, src1, src2); break;
        case MN_OR: tcg_gen_or_i64(res, src1, src2); break;
        case MN_XOR: tcg_gen_xor_i64(res, src1, src2); break;
        }
        if (op != MN_CMP && op != MN_TEST) {
            gen_store(s, in, 0, res);
        }
    }
    switch (op) {
    case MN_ADD: gen_set_cc(s, CC_OP_ADDB, sz, res, src2, src1); break;
    case MN_ADC: gen_set_cc(s, CC_OP_ADCB, sz, res, src2, src1); break;
    case MN_SUB: case MN_CMP: gen_set_cc(s, CC_OP_SUBB, sz, res, src2, src1); break;
    case MN_SBB: gen_set_cc(s, CC_OP_SBBB, sz, res, src2, src1); break;
    default: gen_set_cc(s, CC_OP_LOGICB, sz, res, NULL, NULL); break;
    }
}

static void trans_alu(DisasContext *s, X86Insn *in)
{
    gen_alu(s, in, in->mnem);
}

static void trans_INC_DEC(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    int d = in->mnem == MN_INC ? 1 : -1;
    TCGv_i64 cf = gen_compute_cf(s);
    TCGv_i64 res = tmp64(), cfk = tmp64();
    tcg_gen_mov_i64(cfk, cf);
    if (in->prefixes & PFX_LOCK) {
        TCGv_i64 old = tmp64();
        tcg_gen_atomic_rmw_i64(TCG_ATOMIC_ADD, old, s->A0, tcg_constant_i64(d),
                               (unsigned)s->mem_idx, sz);
        note_store(s, s->A0);
        tcg_gen_addi_i64(res, old, d);
    } else {
        TCGv_i64 v = load_op(s, in, 0);
        tcg_gen_addi_i64(res, v, d);
        gen_store(s, in, 0, res);
    }
    gen_set_cc(s, d > 0 ? CC_OP_INCB : CC_OP_DECB, sz, res, cfk, NULL);
}

static void trans_NOT(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    if (in->prefixes & PFX_LOCK) {
        TCGv_i64 old = tmp64();
        tcg_gen_atomic_rmw_i64(TCG_ATOMIC_XOR, old, s->A0, tcg_constant_i64(-1),
                               (unsigned)s->mem_idx, sz);
        note_store(s, s->A0);
        return;
    }
    TCGv_i64 v = load_op(s, in, 0);
    tcg_gen_not_i64(v, v);
    gen_store(s, in, 0, v);
}

static void trans_NEG(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    TCGv_i64 v = tmp64(), res = tmp64();
    if (in->prefixes & PFX_LOCK) {
        /* compare-and-swap loop: NEG has no atomic_rmw form */
        TCGLabel *again = gen_new_label();
        TCGv_i64 old = tmp64();
        gen_set_label(again);
        tcg_gen_guest_ld_i64(v, s->A0, (unsigned)s->mem_idx, sz);
        tcg_gen_neg_i64(res, v);
        tcg_gen_atomic_cmpxchg_i64(old, s->A0, v, res, (unsigned)s->mem_idx, sz);
        note_store(s, s->A0);
        tcg_gen_brcond_i64(TCG_COND_NE, old, v, again);
    } else {
        gen_load(s, in, 0, v);
        tcg_gen_neg_i64(res, v);
        gen_store(s, in, 0, res);
    }
    gen_set_cc(s, CC_OP_SUBB, sz, res, v, tcg_constant_i64(0));
}

/* ---------------------------------------------------------- multiply/divide */

static void trans_MUL(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    bool sign = in->mnem == MN_IMUL;
    TCGv_i64 v = load_op(s, in, 0);
    TCGv_i64 a = tmp64(), lo = tmp64(), hi = tmp64(), ov = tmp64();
    if (sz == MO_64) {
        if (sign) {
            tcg_gen_muls2_i64(lo, hi, cpu_regs[R_EAX], v);
            tcg_gen_sari_i64(ov, lo, 63);
            tcg_gen_sub_i64(ov, ov, hi);
        } else {
            tcg_gen_mulu2_i64(lo, hi, cpu_regs[R_EAX], v);
            tcg_gen_mov_i64(ov, hi);
        }
        tcg_gen_mov_i64(cpu_regs[R_EAX], lo);
        tcg_gen_mov_i64(cpu_regs[R_EDX], hi);
        gen_set_cc(s, CC_OP_MULB, sz, lo, ov, NULL);
        return;
    }
    gen_ext(a, cpu_regs[R_EAX], sz, sign);
    if (sign) {
        gen_ext(v, v, sz, true);
    }
    tcg_gen_mul_i64(lo, a, v); /* the full product fits in 64 bits */
    int bits = 8 << sz;
    if (sign) {
        gen_ext(ov, lo, sz, true);
        tcg_gen_sub_i64(ov, ov, lo);
    } else {
        tcg_gen_shri_i64(ov, lo, bits);
    }
    if (sz == MO_8) {
        gen_write_reg(R_EAX, false, MO_16, lo);
    } else {
        tcg_gen_shri_i64(hi, lo, bits);
        gen_write_reg(R_EAX, false, sz, lo);
        gen_write_reg(R_EDX, false, sz, hi);
    }
    gen_set_cc(s, CC_OP_MULB, sz, lo, ov, NULL);
}

/* IMUL Gv, Ev[, imm] (SDM IMUL: two- and three-operand forms) */
static void trans_IMUL23(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    TCGv_i64 a = load_op(s, in, 1);
    TCGv_i64 b = in->mnem == MN_IMUL3 ? load_op(s, in, 2) : load_op(s, in, 0);
    TCGv_i64 lo = tmp64(), hi = tmp64(), ov = tmp64();
    if (in->mnem == MN_IMUL3) {
        tcg_gen_movi_i64(b, in->op[2].imm); /* already sign-extended */
    }
    if (sz == MO_64) {
        tcg_gen_muls2_i64(lo, hi, a, b);
        tcg_gen_sari_i64(ov, lo, 63);
        tcg_gen_sub_i64(ov, ov, hi);
    } else {
        gen_ext(a, a, sz, true);
        gen_ext(b, b, sz, true);
        tcg_gen_mul_i64(lo, a, b);
        gen_ext(ov, lo, sz, true);
        tcg_gen_sub_i64(ov, ov, lo);
    }
    gen_store(s, in, 0, lo);
    gen_set_cc(s, CC_OP_MULB, sz, lo, ov, NULL);
}

static void trans_DIV(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    TCGv_i64 v = load_op(s, in, 0);
    gen_update_rip(s, cur_eip(s));
    bool sign = in->mnem == MN_IDIV;
    switch (sz) {
    case MO_8: sign ? gen_helper_idivb(tcg_env(), v) : gen_helper_divb(tcg_env(), v); break;
    case MO_16: sign ? gen_helper_idivw(tcg_env(), v) : gen_helper_divw(tcg_env(), v); break;
    case MO_32: sign ? gen_helper_idivl(tcg_env(), v) : gen_helper_divl(tcg_env(), v); break;
    default: sign ? gen_helper_idivq(tcg_env(), v) : gen_helper_divq(tcg_env(), v); break;
    }
}

/* ----------------------------------------------------------- shifts/rotates */

static void trans_shift(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    int kind = in->mnem - MN_ROL; /* 0 ROL .. 7 SAR (SAL = SHL) */
    if (kind == 6) {
        kind = 4;
    }
    TCGv_i64 v = load_op(s, in, 0);
    int cmask = sz == MO_64 ? 63 : 31;

    if (in->op[1].type == OT_IMM && (kind == 4 || kind == 5 || kind == 7)) {
        int count = (int)(in->op[1].imm & cmask);
        TCGv_i64 res = tmp64(), pre = tmp64(), x = tmp64();
        if (count == 0) {
            gen_store(s, in, 0, v);
            return;
        }
        if (kind == 4) {
            tcg_gen_shli_i64(pre, v, count - 1);
            tcg_gen_shli_i64(res, v, count);
            gen_store(s, in, 0, res);
            gen_set_cc(s, CC_OP_SHLB, sz, res, pre, NULL);
            return;
        }
        gen_ext(x, v, sz, kind == 7);
        if (kind == 7) {
            tcg_gen_sari_i64(pre, x, count - 1);
            tcg_gen_sari_i64(res, x, count);
        } else {
            tcg_gen_shri_i64(pre, x, count - 1);
            tcg_gen_shri_i64(res, x, count);
        }
        gen_store(s, in, 0, res);
        TCGv_i64 of = tmp64();
        if (kind == 5) {
            tcg_gen_extract_i64(of, x, (8u << sz) - 1, 1); /* SHR: OF = old top bit */
        } else {
            tcg_gen_movi_i64(of, 0);
        }
        gen_set_cc(s, CC_OP_SARB, sz, res, pre, of);
        return;
    }
    if (in->op[1].type != OT_IMM && (kind == 4 || kind == 5 || kind == 7)) {
        /* SHL/SHR/SAR by CL inline: the result is always written; the flags
         * only when the masked count is non-zero (then cc_op is known only at
         * run time) */
        TCGv_i64 c = tmp64(), c1 = tmp64(), x = tmp64(), res = tmp64(), pre = tmp64();
        TCGv_i64 of = tmp64();
        tcg_gen_andi_i64(c, cpu_regs[R_ECX], cmask);
        tcg_gen_subi_i64(c1, c, 1);
        tcg_gen_andi_i64(c1, c1, 63); /* count 0: unused, but keep the shift defined */
        if (kind == 4) {
            tcg_gen_shl_i64(res, v, c);
            tcg_gen_shl_i64(pre, v, c1);
            tcg_gen_movi_i64(of, 0);
        } else {
            gen_ext(x, v, sz, kind == 7);
            if (kind == 7) {
                tcg_gen_sar_i64(res, x, c);
                tcg_gen_sar_i64(pre, x, c1);
                tcg_gen_movi_i64(of, 0);
            } else {
                tcg_gen_shr_i64(res, x, c);
                tcg_gen_shr_i64(pre, x, c1);
                tcg_gen_extract_i64(of, x, (8u << sz) - 1, 1);
            }
        }
        gen_store(s, in, 0, res);
        TCGLabel *skip = gen_new_label();
        tcg_gen_brcondi_i64(TCG_COND_EQ, c, 0, skip);
        tcg_gen_mov_i64(cpu_cc_dst, res);
        tcg_gen_mov_i64(cpu_cc_src, pre);
        tcg_gen_mov_i64(cpu_cc_src2, of);
        tcg_gen_movi_i32(cpu_cc_op, (kind == 4 ? CC_OP_SHLB : CC_OP_SARB) + sz);
        gen_set_label(skip);
        s->cc_op = CC_OP_DYNAMIC;
        return;
    }
    if (in->op[1].type == OT_IMM && (kind == 0 || kind == 1)) {
        /* ROL/ROR by an immediate inline (hashes, ciphers): only CF and OF
         * change, after the store, so a faulting store leaves the flags alone */
        int count = (int)(in->op[1].imm & cmask);
        if (count == 0) {
            gen_store(s, in, 0, v);
            return;
        }
        int bits = 8 << sz;
        int left = (kind == 0 ? count : bits - count % bits) % bits;
        TCGv_i64 x = tmp64(), res = tmp64(), hi = tmp64(), cf = tmp64(), of = tmp64();
        gen_ext(x, v, sz, false);
        if (left == 0) {
            tcg_gen_mov_i64(res, x);
        } else if (sz == MO_64) {
            tcg_gen_rotli_i64(res, x, left);
        } else {
            tcg_gen_shli_i64(hi, x, left);
            tcg_gen_shri_i64(res, x, bits - left);
            tcg_gen_or_i64(res, res, hi);
            gen_ext(res, res, sz, false);
        }
        gen_store(s, in, 0, res);
        if (kind == 0) { /* ROL: CF = result bit 0, OF = MSB ^ CF */
            tcg_gen_andi_i64(cf, res, 1);
            tcg_gen_extract_i64(of, res, bits - 1, 1);
            tcg_gen_xor_i64(of, of, cf);
        } else { /* ROR: CF = MSB, OF = MSB ^ (MSB - 1) */
            tcg_gen_extract_i64(cf, res, bits - 1, 1);
            tcg_gen_extract_i64(of, res, bits - 2, 1);
            tcg_gen_xor_i64(of, of, cf);
        }
        gen_flags_to_eflags(s);
        tcg_gen_andi_i64(cpu_cc_src, cpu_cc_src, ~(int64_t)(CC_C | CC_O));
        tcg_gen_or_i64(cpu_cc_src, cpu_cc_src, cf);
        tcg_gen_shli_i64(of, of, 11); /* OF is EFLAGS bit 11 */
        tcg_gen_or_i64(cpu_cc_src, cpu_cc_src, of);
        return;
    }
    TCGv_i32 cnt = tmp32();
    if (in->op[1].type == OT_IMM) {
        tcg_gen_movi_i32(cnt, (int32_t)(in->op[1].imm & cmask));
    } else {
        tcg_gen_extrl_i64_i32(cnt, cpu_regs[R_ECX]);
        tcg_gen_andi_i32(cnt, cnt, cmask);
    }
    TCGv_i64 res = tmp64();
    gen_helper_shift(res, tcg_env(), v, cnt, tcg_constant_i32(kind | (sz << 4)));
    s->cc_op = CC_OP_DYNAMIC;
    gen_store(s, in, 0, res);
}

static void trans_SHLD_SHRD(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    TCGv_i64 d = load_op(s, in, 0);
    TCGv_i64 src = load_op(s, in, 1);
    TCGv_i32 cnt = tmp32();
    int cmask = sz == MO_64 ? 63 : 31;
    if (in->op[2].type == OT_IMM) {
        tcg_gen_movi_i32(cnt, (int32_t)(in->op[2].imm & cmask));
    } else {
        tcg_gen_extrl_i64_i32(cnt, cpu_regs[R_ECX]);
        tcg_gen_andi_i32(cnt, cnt, cmask);
    }
    TCGv_i64 res = tmp64();
    gen_helper_shld(res, tcg_env(), d, src, cnt,
                    tcg_constant_i32((in->mnem == MN_SHRD) | (sz << 4)));
    s->cc_op = CC_OP_DYNAMIC;
    gen_store(s, in, 0, res);
}

/* ------------------------------------------------------------ bit scanning */

static void gen_bt_common(DisasContext *s, X86Insn *in, TCGv_i64 v, TCGv_i64 bit)
{
    /* CF = the bit; ZF kept; OF SF AF PF undefined (SDM BT) — we keep them */
    TCGv_i64 cf = tmp64();
    tcg_gen_shr_i64(cf, v, bit);
    tcg_gen_andi_i64(cf, cf, 1);
    gen_flags_to_eflags(s);
    tcg_gen_andi_i64(cpu_cc_src, cpu_cc_src, ~(int64_t)CC_C);
    tcg_gen_or_i64(cpu_cc_src, cpu_cc_src, cf);
}

static void trans_BT(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    int bits = 8 << sz;
    TCGv_i64 off = load_op(s, in, 1);
    TCGv_i64 bit = tmp64();
    if (in->op[0].type == OT_MEM && in->op[1].type == OT_REG) {
        /* bit-string addressing: the offset is signed and may leave the operand */
        TCGv_i64 so = tmp64();
        gen_ext(so, off, sz, true);
        tcg_gen_sari_i64(so, so, 3 + sz);
        tcg_gen_shli_i64(so, so, sz);
        tcg_gen_add_i64(s->A0, s->A0, so);
        if (s->mode != X86_MODE64) {
            tcg_gen_ext32u_i64(s->A0, s->A0);
        }
    }
    tcg_gen_andi_i64(bit, off, bits - 1);
    TCGv_i64 mask = tmp64();
    tcg_gen_shl_i64(mask, tcg_constant_i64(1), bit);
    TCGv_i64 v = tmp64(), res = tmp64();
    if (in->mnem != MN_BT && (in->prefixes & PFX_LOCK)) {
        TCGAtomicOp aop = in->mnem == MN_BTS ? TCG_ATOMIC_OR
                        : in->mnem == MN_BTR ? TCG_ATOMIC_ANDC : TCG_ATOMIC_XOR;
        tcg_gen_atomic_rmw_i64(aop, v, s->A0, mask, (unsigned)s->mem_idx, sz);
        note_store(s, s->A0);
    } else {
        gen_load(s, in, 0, v);
        switch (in->mnem) {
        case MN_BTS: tcg_gen_or_i64(res, v, mask); break;
        case MN_BTR: tcg_gen_andc_i64(res, v, mask); break;
        case MN_BTC: tcg_gen_xor_i64(res, v, mask); break;
        default: break;
        }
        if (in->mnem != MN_BT) {
            gen_store(s, in, 0, res);
        }
    }
    gen_bt_common(s, in, v, bit);
}

static void trans_BSF_BSR(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    TCGv_i64 v = load_op(s, in, 1);
    TCGv_i64 old = load_op(s, in, 0);
    TCGv_i64 r = tmp64();
    /* source zero: ZF = 1 and the destination is not written at all, not even
     * zero-extended (AMD documents it; Intel leaves it "undefined" but does the same) */
    TCGLabel *zero = gen_new_label();
    if (in->mnem == MN_BSF) {
        tcg_gen_ctzi_i64(r, v, 0);
    } else {
        tcg_gen_clzi_i64(r, v, 0);
        tcg_gen_xori_i64(r, r, 63);
    }
    tcg_gen_brcondi_i64(TCG_COND_EQ, v, 0, zero);
    gen_store(s, in, 0, r);
    gen_set_label(zero);
    (void)old;
    TCGv_i64 z = tmp64();
    tcg_gen_setcondi_i64(TCG_COND_EQ, z, v, 0);
    tcg_gen_shli_i64(cpu_cc_src, z, 6); /* ZF only; the others are undefined (0 here) */
    set_cc_op(s, CC_OP_EFLAGS);
    (void)sz;
}

static void trans_LZCNT_TZCNT(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    int bits = 8 << sz;
    TCGv_i64 v = load_op(s, in, 1);
    TCGv_i64 r = tmp64();
    if (in->mnem == MN_TZCNT) {
        tcg_gen_ctzi_i64(r, v, bits);
    } else {
        tcg_gen_clzi_i64(r, v, 64);
        tcg_gen_subi_i64(r, r, 64 - bits);
    }
    gen_store(s, in, 0, r);
    gen_set_cc(s, CC_OP_BMILGB, sz, r, v, NULL);
}

static void trans_POPCNT(DisasContext *s, X86Insn *in)
{
    TCGv_i64 v = load_op(s, in, 1);
    TCGv_i64 r = tmp64(), z = tmp64();
    tcg_gen_ctpop_i64(r, v);
    gen_store(s, in, 0, r);
    tcg_gen_setcondi_i64(TCG_COND_EQ, z, v, 0);
    tcg_gen_shli_i64(cpu_cc_src, z, 6);
    set_cc_op(s, CC_OP_EFLAGS);
}

/* ------------------------------------------------------------- data moves */

static void trans_MOV(DisasContext *s, X86Insn *in)
{
    if (in->map == X86_MAP_0F && (in->prefixes & (PFX_66 | PFX_F2 | PFX_F3))) {
        gen_illegal(s); /* MOVNTI has no prefixed forms */
        return;
    }
    TCGv_i64 v = load_op(s, in, 1);
    gen_store(s, in, 0, v);
}

static void trans_MOVZX_MOVSX(DisasContext *s, X86Insn *in)
{
    TCGv_i64 v = load_op(s, in, 1);
    gen_ext(v, v, (MemOp)in->op[1].size, in->mnem != MN_MOVZX);
    gen_store(s, in, 0, v);
}

static void trans_LEA(DisasContext *s, X86Insn *in)
{
    TCGv_i64 a = gen_ea_offset(s, in);
    gen_store(s, in, 0, a);
}

static void trans_XCHG(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    TCGv_i64 b = load_op(s, in, 1);
    if (in->op[0].type == OT_MEM) {
        /* XCHG with memory is always locked (SDM XCHG) */
        TCGv_i64 old = tmp64();
        tcg_gen_atomic_rmw_i64(TCG_ATOMIC_XCHG, old, s->A0, b, (unsigned)s->mem_idx, sz);
        note_store(s, s->A0);
        gen_store(s, in, 1, old);
        return;
    }
    TCGv_i64 a = load_op(s, in, 0);
    gen_store(s, in, 1, a);
    gen_store(s, in, 0, b);
}

static void trans_CMPXCHG(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    TCGv_i64 newv = load_op(s, in, 1);
    TCGv_i64 cmp = tmp64(), old = tmp64();
    gen_read_reg(cmp, R_EAX, false, sz);
    if (in->op[0].type == OT_MEM && (in->prefixes & PFX_LOCK)) {
        tcg_gen_atomic_cmpxchg_i64(old, s->A0, cmp, newv, (unsigned)s->mem_idx, sz);
        note_store(s, s->A0);
    } else if (in->op[0].type == OT_MEM) {
        gen_load(s, in, 0, old);
        TCGv_i64 w = tmp64();
        tcg_gen_movcond_i64(TCG_COND_EQ, w, old, cmp, newv, old);
        /* memory is always written (SDM CMPXCHG: the old value on failure) */
        gen_store(s, in, 0, w);
    } else {
        /* a register destination is written only on success: a failing 32-bit
         * CMPXCHG leaves its upper half alone (as the hardware oracle does) */
        gen_load(s, in, 0, old);
        TCGLabel *ne = gen_new_label();
        tcg_gen_brcond_i64(TCG_COND_NE, old, cmp, ne);
        gen_store(s, in, 0, newv);
        gen_set_label(ne);
    }
    /* accumulator loaded only on failure (a 32-bit RAX is then zero-extended) */
    TCGLabel *done = gen_new_label();
    tcg_gen_brcond_i64(TCG_COND_EQ, old, cmp, done);
    gen_write_reg(R_EAX, false, sz, old);
    gen_set_label(done);
    TCGv_i64 res = tmp64();
    tcg_gen_sub_i64(res, cmp, old);
    gen_set_cc(s, CC_OP_SUBB, sz, res, old, cmp);
}

static void trans_XADD(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->op[0].size;
    TCGv_i64 src = load_op(s, in, 1);
    TCGv_i64 old = tmp64(), res = tmp64();
    if (in->prefixes & PFX_LOCK) {
        tcg_gen_atomic_rmw_i64(TCG_ATOMIC_ADD, old, s->A0, src, (unsigned)s->mem_idx, sz);
        note_store(s, s->A0);
        tcg_gen_add_i64(res, old, src);
    } else {
        gen_load(s, in, 0, old);
        tcg_gen_add_i64(res, old, src);
        if (in->op[0].type == OT_MEM) {
            gen_store(s, in, 0, res);
        }
    }
    gen_store(s, in, 1, old);
    if (in->op[0].type != OT_MEM) {
        gen_store(s, in, 0, res); /* the destination wins when both name one register */
    }
    gen_set_cc(s, CC_OP_ADDB, sz, res, src, old);
}

static void trans_CMPXCHG8B(DisasContext *s, X86Insn *in)
{
    bool is16 = in->opsize == MO_64;
    if (is16) {
        TCGv_i64 olo = tmp64(), ohi = tmp64();
        TCGLabel *fail = gen_new_label(), *done = gen_new_label();
        /* 16-byte alignment is required (#GP otherwise; SDM CMPXCHG16B) */
        tcg_gen_atomic_cmpxchg_i128(olo, ohi, s->A0, cpu_regs[R_EAX], cpu_regs[R_EDX],
                                    cpu_regs[R_EBX], cpu_regs[R_ECX], (unsigned)s->mem_idx,
                                    (MemOp)(MO_128 | MO_ALIGN));
        note_store(s, s->A0);
        gen_flags_to_eflags(s);
        tcg_gen_andi_i64(cpu_cc_src, cpu_cc_src, ~(int64_t)CC_Z);
        tcg_gen_brcond_i64(TCG_COND_NE, olo, cpu_regs[R_EAX], fail);
        tcg_gen_brcond_i64(TCG_COND_NE, ohi, cpu_regs[R_EDX], fail);
        tcg_gen_ori_i64(cpu_cc_src, cpu_cc_src, CC_Z);
        tcg_gen_br(done);
        gen_set_label(fail);
        tcg_gen_mov_i64(cpu_regs[R_EAX], olo);
        tcg_gen_mov_i64(cpu_regs[R_EDX], ohi);
        gen_set_label(done);
        return;
    }
    TCGv_i64 cmp = tmp64(), nv = tmp64(), old = tmp64();
    tcg_gen_deposit_i64(cmp, cpu_regs[R_EAX], cpu_regs[R_EDX], 32, 32);
    tcg_gen_deposit_i64(nv, cpu_regs[R_EBX], cpu_regs[R_ECX], 32, 32);
    tcg_gen_atomic_cmpxchg_i64(old, s->A0, cmp, nv, (unsigned)s->mem_idx, MO_64);
    note_store(s, s->A0);
    gen_flags_to_eflags(s);
    TCGv_i64 z = tmp64();
    tcg_gen_setcond_i64(TCG_COND_EQ, z, old, cmp);
    tcg_gen_andi_i64(cpu_cc_src, cpu_cc_src, ~(int64_t)CC_Z);
    tcg_gen_shli_i64(z, z, 6);
    tcg_gen_or_i64(cpu_cc_src, cpu_cc_src, z);
    TCGLabel *done = gen_new_label();
    tcg_gen_brcond_i64(TCG_COND_EQ, old, cmp, done);
    tcg_gen_ext32u_i64(cpu_regs[R_EAX], old);
    tcg_gen_shri_i64(cpu_regs[R_EDX], old, 32);
    gen_set_label(done);
}

static void trans_BSWAP(DisasContext *s, X86Insn *in)
{
    int r = in->op[0].reg;
    if (in->opsize == MO_16) {
        /* undefined by the SDM; Intel and AMD parts clear the low word */
        TCGv_i64 z = tcg_constant_i64(0);
        tcg_gen_deposit_i64(cpu_regs[r], cpu_regs[r], z, 0, 16);
    } else if (in->op[0].size == MO_64) {
        tcg_gen_bswap64_i64(cpu_regs[r], cpu_regs[r]);
    } else {
        TCGv_i64 t = tmp64();
        tcg_gen_bswap32_i64(t, cpu_regs[r]);
        tcg_gen_mov_i64(cpu_regs[r], t);
    }
}

static void trans_CBW(DisasContext *s, X86Insn *in)
{
    TCGv_i64 t = tmp64();
    MemOp sz = (MemOp)in->opsize;
    gen_ext(t, cpu_regs[R_EAX], (MemOp)(sz - 1), true);
    gen_write_reg(R_EAX, false, sz, t);
}

static void trans_CWD(DisasContext *s, X86Insn *in)
{
    TCGv_i64 t = tmp64();
    MemOp sz = (MemOp)in->opsize;
    gen_ext(t, cpu_regs[R_EAX], sz, true);
    tcg_gen_sari_i64(t, t, 63);
    gen_write_reg(R_EDX, false, sz, t);
}

static void trans_SETCC(DisasContext *s, X86Insn *in)
{
    TCGv_i64 v = gen_setcc_value(s, in->cc);
    gen_store(s, in, 0, v);
}

static void trans_CMOVCC(DisasContext *s, X86Insn *in)
{
    TCGv_i64 src = load_op(s, in, 1);
    TCGv_i64 old = load_op(s, in, 0);
    CCPrep p = gen_prepare_cc(s, in->cc);
    TCGv_i64 r = tmp64();
    tcg_gen_movcond_i64(p.cond, r, p.a, p.b, src, old);
    gen_store(s, in, 0, r); /* a 32-bit CMOV zero-extends even when false */
}

/* ------------------------------------------------------------ control flow */

static uint64_t jump_target(DisasContext *s, X86Insn *in)
{
    uint64_t t = next_eip(s) + (uint64_t)in->op[0].imm;
    if (s->mode != X86_MODE64) {
        t &= in->opsize == MO_16 ? 0xffff : 0xffffffffull;
    }
    return t;
}

static void trans_JCC(DisasContext *s, X86Insn *in)
{
    CCPrep p = gen_prepare_cc(s, in->cc);
    TCGLabel *taken = gen_new_label();
    tcg_gen_brcond_i64(p.cond, p.a, p.b, taken);
    gen_jmp_tb(s, next_eip(s), 0);
    gen_set_label(taken);
    gen_jmp_tb(s, jump_target(s, in), 1);
}

static void trans_JMP(DisasContext *s, X86Insn *in)
{
    if (in->op[0].type == OT_IMM) {
        gen_jmp_tb(s, jump_target(s, in), 0);
        return;
    }
    TCGv_i64 t = load_op(s, in, 0);
    tcg_gen_mov_i64(cpu_rip, t);
    gen_jmp_rip(s);
}

static void trans_CALL(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->opsize;
    TCGv_i64 target = NULL;
    if (in->op[0].type != OT_IMM) {
        target = load_op(s, in, 0);
    }
    gen_push(s, tcg_constant_i64((int64_t)(next_eip(s) & mask_of(sz))), sz);
    if (!target) {
        gen_jmp_tb(s, jump_target(s, in), 0);
        return;
    }
    tcg_gen_mov_i64(cpu_rip, target);
    gen_jmp_rip(s);
}

static void trans_RET(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->opsize;
    TCGv_i64 t = gen_pop_load(s, sz);
    int extra = in->nops ? (int)(in->op[0].imm & 0xffff) : 0;
    gen_pop_update(s, (1 << sz) + extra);
    tcg_gen_mov_i64(cpu_rip, t);
    gen_jmp_rip(s);
}

static void trans_LOOP(DisasContext *s, X86Insn *in)
{
    MemOp asz = (MemOp)in->addrsize;
    TCGLabel *taken = gen_new_label();
    TCGv_i64 c = tmp64();
    if (in->mnem != MN_JRCXZ) {
        tcg_gen_subi_i64(c, cpu_regs[R_ECX], 1);
        gen_write_reg(R_ECX, false, asz, c);
    }
    gen_ext(c, cpu_regs[R_ECX], asz, false);
    if (in->mnem == MN_JRCXZ) {
        tcg_gen_brcondi_i64(TCG_COND_EQ, c, 0, taken);
    } else if (in->mnem == MN_LOOP) {
        tcg_gen_brcondi_i64(TCG_COND_NE, c, 0, taken);
    } else {
        TCGLabel *not_taken = gen_new_label();
        tcg_gen_brcondi_i64(TCG_COND_EQ, c, 0, not_taken);
        CCPrep p = gen_prepare_cc(s, in->mnem == MN_LOOPE ? 4 : 5);
        tcg_gen_brcond_i64(p.cond, p.a, p.b, taken);
        gen_set_label(not_taken);
    }
    gen_jmp_tb(s, next_eip(s), 0);
    gen_set_label(taken);
    gen_jmp_tb(s, jump_target(s, in), 1);
}

static void trans_PUSH(DisasContext *s, X86Insn *in)
{
    MemOp sz = stack_size(s, in);
    TCGv_i64 v;
    if (in->nops == 0) {
        /* PUSH sreg: 06 0E 16 1E, 0F A0 / A8 */
        int seg = in->map == X86_MAP_0F ? (in->opcode == 0xa0 ? R_FS : R_GS)
                                        : (in->opcode >> 3) & 7;
        v = tmp64();
        tcg_gen_ld32u_i64(v, tcg_env(), ENV_OFF(segs[seg].selector));
    } else if (in->op[0].type == OT_IMM) {
        v = tcg_constant_i64(in->op[0].imm);
    } else {
        v = load_op(s, in, 0);
    }
    gen_push(s, v, sz);
}

static void trans_POP(DisasContext *s, X86Insn *in)
{
    MemOp sz = stack_size(s, in);
    TCGv_i64 v = gen_pop_load(s, sz);
    if (in->nops == 0) {
        int seg = in->map == X86_MAP_0F ? (in->opcode == 0xa1 ? R_FS : R_GS)
                                        : (in->opcode >> 3) & 7;
        TCGv_i32 sel = tmp32();
        tcg_gen_extrl_i64_i32(sel, v);
        gen_update_rip(s, cur_eip(s));
        gen_helper_load_seg(tcg_env(), tcg_constant_i32(seg), sel);
        gen_pop_update(s, 1 << sz);
        gen_eob_next(s); /* hflags may change (ADDSEG, HF_SEGLIM); POP SS inhibits interrupts */
        return;
    }
    gen_pop_update(s, 1 << sz);
    if (in->op[0].type == OT_MEM) {
        /* rsp as a base is used after the increment (SDM POP) */
        gen_lea_modrm(s, in);
    }
    gen_store(s, in, 0, v);
}

static void trans_LEAVE(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->opsize;
    TCGv_i64 a = gen_stack_addr(s, cpu_regs[R_EBP]);
    TCGv_i64 v = tmp64(), nsp = tmp64();
    tcg_gen_guest_ld_i64(v, a, (unsigned)s->mem_idx, sz);
    tcg_gen_addi_i64(nsp, cpu_regs[R_EBP], 1 << sz);
    gen_write_sp(s, nsp);
    gen_write_reg(R_EBP, false, sz, v);
}

static void trans_ENTER(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->opsize;
    int frame = (int)(in->op[0].imm & 0xffff);
    int level = (int)(in->op[1].imm & 31);
    int d = 1 << sz;
    /* SDM ENTER: push rbp; copy level-1 frame pointers; push the new frame pointer */
    TCGv_i64 sp = tmp64(), fp = tmp64(), a, v = tmp64();
    tcg_gen_subi_i64(sp, cpu_regs[R_ESP], d);
    a = gen_stack_addr(s, sp);
    tcg_gen_guest_st_i64(cpu_regs[R_EBP], a, (unsigned)s->mem_idx, sz);
    note_store(s, a);
    tcg_gen_mov_i64(fp, sp);
    for (int i = 1; i < level; i++) {
        TCGv_i64 src = tmp64();
        tcg_gen_subi_i64(src, cpu_regs[R_EBP], i * d);
        a = gen_stack_addr(s, src);
        tcg_gen_guest_ld_i64(v, a, (unsigned)s->mem_idx, sz);
        tcg_gen_subi_i64(sp, sp, d);
        a = gen_stack_addr(s, sp);
        tcg_gen_guest_st_i64(v, a, (unsigned)s->mem_idx, sz);
        note_store(s, a);
    }
    if (level > 0) {
        tcg_gen_subi_i64(sp, sp, d);
        a = gen_stack_addr(s, sp);
        tcg_gen_guest_st_i64(fp, a, (unsigned)s->mem_idx, sz);
        note_store(s, a);
    }
    tcg_gen_subi_i64(sp, sp, frame);
    /* probe the lowest byte of the new frame before committing (restartable) */
    gen_write_reg(R_EBP, false, s->mode == X86_MODE64 ? MO_64 : s->ss32 ? MO_32 : MO_16, fp);
    gen_write_sp(s, sp);
}

/* ------------------------------------------------------------------ flags */

/* virtual-8086 mode with IOPL < 3: PUSHF POPF INT n IRET CLI STI are #GP(0) (SDM §20.2.7) */
static bool vm86_iopl_ok(DisasContext *s)
{
    if ((s->flags & HF_VM) && ((s->flags >> HF_IOPL_SHIFT) & 3) < 3) {
        gen_exception_err(s, EXCP0D_GP, 0);
        return false;
    }
    return true;
}

static void trans_PUSHF(DisasContext *s, X86Insn *in)
{
    if (!vm86_iopl_ok(s)) {
        return;
    }
    TCGv_i32 f = tmp32();
    TCGv_i64 v = tmp64();
    gen_helper_read_eflags(f, tcg_env());
    tcg_gen_extu_i32_i64(v, f);
    tcg_gen_andi_i64(v, v, ~(int64_t)(VM_MASK | RF_MASK));
    gen_push(s, v, (MemOp)in->opsize);
}

static void trans_POPF(DisasContext *s, X86Insn *in)
{
    if (!vm86_iopl_ok(s)) {
        return;
    }
    MemOp sz = (MemOp)in->opsize;
    TCGv_i64 v = gen_pop_load(s, sz);
    TCGv_i32 f = tmp32();
    tcg_gen_extrl_i64_i32(f, v);
    /* which bits may change depends on CPL and IOPL (SDM POPF, Table 4-?) */
    uint32_t mask = TF_MASK | AC_MASK | ID_MASK | NT_MASK | DF_MASK;
    int iopl = (int)((s->flags >> HF_IOPL_SHIFT) & 3);
    if (s->cpl == 0) {
        mask |= IF_MASK | IOPL_MASK;
    } else if (s->cpl <= iopl) {
        mask |= IF_MASK;
    }
    if (sz == MO_16) {
        mask &= 0xffff;
    }
    gen_helper_write_eflags(tcg_env(), f, tcg_constant_i32((int32_t)mask));
    s->cc_op = CC_OP_EFLAGS;
    gen_pop_update(s, 1 << sz);
    gen_eob_next(s);
}

static void trans_LAHF(DisasContext *s, X86Insn *in)
{
    TCGv_i64 f = gen_compute_eflags(s);
    TCGv_i64 v = tmp64();
    tcg_gen_andi_i64(v, f, CC_S | CC_Z | CC_A | CC_P | CC_C);
    tcg_gen_ori_i64(v, v, 2);
    gen_write_reg(R_EAX, true, MO_8, v);
}

static void trans_SAHF(DisasContext *s, X86Insn *in)
{
    gen_flags_to_eflags(s);
    TCGv_i64 v = tmp64();
    tcg_gen_extract_i64(v, cpu_regs[R_EAX], 8, 8);
    tcg_gen_andi_i64(v, v, CC_S | CC_Z | CC_A | CC_P | CC_C);
    tcg_gen_andi_i64(cpu_cc_src, cpu_cc_src, CC_O);
    tcg_gen_or_i64(cpu_cc_src, cpu_cc_src, v);
}

static void trans_flagop(DisasContext *s, X86Insn *in)
{
    switch (in->mnem) {
    case MN_CLC:
    case MN_STC:
    case MN_CMC:
        gen_flags_to_eflags(s);
        if (in->mnem == MN_CLC) {
            tcg_gen_andi_i64(cpu_cc_src, cpu_cc_src, ~(int64_t)CC_C);
        } else if (in->mnem == MN_STC) {
            tcg_gen_ori_i64(cpu_cc_src, cpu_cc_src, CC_C);
        } else {
            tcg_gen_xori_i64(cpu_cc_src, cpu_cc_src, CC_C);
        }
        return;
    case MN_CLD:
    case MN_STD: {
        TCGv_i32 t = tmp32();
        tcg_gen_ld_i32(t, tcg_env(), ENV_OFF(eflags));
        if (in->mnem == MN_CLD) {
            tcg_gen_andi_i32(t, t, ~(int32_t)DF_MASK);
        } else {
            tcg_gen_ori_i32(t, t, DF_MASK);
        }
        tcg_gen_st_i32(t, tcg_env(), ENV_OFF(eflags));
        return;
    }
    case MN_CLI:
        gen_update_rip(s, cur_eip(s));
        gen_helper_cli(tcg_env());
        gen_eob_next(s);
        return;
    case MN_STI:
        gen_update_rip(s, cur_eip(s));
        gen_helper_sti(tcg_env());
        gen_eob_next(s);
        return;
    default:
        gen_illegal(s);
    }
}

/* ---------------------------------------------------- legacy-mode extras */

static void trans_BCD(DisasContext *s, X86Insn *in)
{
    int imm = in->nops ? (int)(in->op[0].imm & 0xff) : 0;
    gen_update_rip(s, cur_eip(s));
    gen_helper_bcd(tcg_env(), tcg_constant_i32(in->mnem), tcg_constant_i32(imm));
    s->cc_op = CC_OP_EFLAGS;
}

static void trans_SALC(DisasContext *s, X86Insn *in)
{
    TCGv_i64 cf = gen_compute_cf(s);
    TCGv_i64 v = tmp64();
    tcg_gen_neg_i64(v, cf);
    gen_write_reg(R_EAX, false, MO_8, v);
}

/* PUSHA/POPA: every stack access first, then the registers (restartable) */
static void trans_PUSHA(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->opsize;
    int n = 1 << sz;
    TCGv_i64 sp = tmp64();
    for (int r = 0; r < 8; r++) {
        tcg_gen_subi_i64(sp, cpu_regs[R_ESP], n * (r + 1));
        TCGv_i64 a = gen_stack_addr(s, sp);
        tcg_gen_guest_st_i64(cpu_regs[r], a, (unsigned)s->mem_idx, sz);
        note_store(s, a);
    }
    tcg_gen_subi_i64(sp, cpu_regs[R_ESP], 8 * n);
    gen_write_sp(s, sp);
}

static void trans_POPA(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->opsize;
    int n = 1 << sz;
    TCGv_i64 v[8];
    TCGv_i64 sp = tmp64();
    for (int r = 7; r >= 0; r--) {
        v[r] = tmp64();
        if (r == R_ESP) {
            continue; /* the stored ESP is skipped */
        }
        tcg_gen_addi_i64(sp, cpu_regs[R_ESP], n * (7 - r));
        TCGv_i64 a = gen_stack_addr(s, sp);
        tcg_gen_guest_ld_i64(v[r], a, (unsigned)s->mem_idx, sz);
    }
    tcg_gen_addi_i64(sp, cpu_regs[R_ESP], 8 * n);
    for (int r = 0; r < 8; r++) {
        if (r != R_ESP) {
            gen_write_reg(r, false, sz, v[r]);
        }
    }
    gen_write_sp(s, sp);
}

/* ------------------------------------------------------------------ strings */

/*
 * I/O permission (SDM Vol.1 §18.5): in protected mode with CPL > IOPL, and
 * always in virtual-8086 mode, the TSS I/O permission bitmap decides
 * (helper_check_io: #GP(0) unless every port's bit is clear).
 */
static void check_io(DisasContext *s, TCGv_i32 port, int bytes)
{
    int iopl = (int)((s->flags >> HF_IOPL_SHIFT) & 3);
    if ((s->flags & HF_PE) && (s->cpl > iopl || (s->flags & HF_VM))) {
        gen_update_rip(s, cur_eip(s));
        gen_helper_check_io(tcg_env(), port, tcg_constant_i32(bytes));
    }
}

static void trans_string(DisasContext *s, X86Insn *in)
{
    static const uint8_t kinds[MN_NB] = {
        [MN_MOVS] = STR_MOVS, [MN_STOS] = STR_STOS, [MN_LODS] = STR_LODS,
        [MN_SCAS] = STR_SCAS, [MN_CMPS] = STR_CMPS, [MN_INS] = STR_INS,
        [MN_OUTS] = STR_OUTS,
    };
    MemOp sz = (MemOp)in->op[0].size;
    int rep = in->rep == 0xf3 ? 1 : in->rep == 0xf2 ? 2 : 0;
    if (in->mnem != MN_SCAS && in->mnem != MN_CMPS && rep) {
        rep = 1; /* F2 on MOVS/STOS/LODS/INS/OUTS acts as REP */
    }
    uint32_t desc = STR_DESC(kinds[in->mnem], sz, in->addrsize, rep, in->seg, s->mem_idx);
    if (in->mnem == MN_INS || in->mnem == MN_OUTS) {
        TCGv_i32 p = tmp32();
        tcg_gen_extrl_i64_i32(p, cpu_regs[R_EDX]);
        tcg_gen_andi_i32(p, p, 0xffff);
        check_io(s, p, 1 << sz);
    }
    TCGv_i32 ret = tmp32();
    gen_update_rip(s, cur_eip(s));
    gen_helper_string(ret, tcg_env(), tcg_constant_i32((int32_t)desc));
    if (in->mnem == MN_SCAS || in->mnem == MN_CMPS) {
        s->cc_op = CC_OP_DYNAMIC;
    }
    if (!rep) {
        if (in->mnem == MN_MOVS || in->mnem == MN_STOS || in->mnem == MN_INS) {
            /* the store may hit this TB's own code: continue in a new TB */
            gen_jmp_tb(s, next_eip(s), 0);
        }
        return;
    }
    /* the helper returns non-zero when it stopped early (budget): run it again */
    TCGv_i64 r64 = tmp64();
    tcg_gen_extu_i32_i64(r64, ret);
    tcg_gen_movcond_i64(TCG_COND_NE, cpu_rip, r64, tcg_constant_i64(0),
                        tcg_constant_i64((int64_t)cur_eip(s)),
                        tcg_constant_i64((int64_t)next_eip(s)));
    gen_jmp_rip(s);
}

/* ------------------------------------------------------------- misc system */

static bool check_cpl0(DisasContext *s)
{
    if (s->cpl != 0) {
        gen_exception_err(s, EXCP0D_GP, 0);
        return false;
    }
    return true;
}

static void trans_NOP(DisasContext *s, X86Insn *in)
{
    if (in->map == X86_MAP_1B && in->opcode == 0x90 && in->rep == 0xf3) {
        /* PAUSE: a spin-wait hint; let the loop see it (EXCP_YIELD) */
        gen_update_rip(s, cur_eip(s));
        gen_helper_pause(tcg_env(), tcg_constant_i32((int32_t)(next_eip(s) - cur_eip(s))));
        s->base.is_jmp = DISAS_NORETURN;
    }
}

static void trans_HLT(DisasContext *s, X86Insn *in)
{
    if (!check_cpl0(s)) {
        return;
    }
    gen_update_rip(s, cur_eip(s));
    gen_helper_hlt(tcg_env(), tcg_constant_i32((int32_t)(next_eip(s) - cur_eip(s))));
    s->base.is_jmp = DISAS_NORETURN;
}

static void trans_UD(DisasContext *s, X86Insn *in)
{
    gen_exception(s, EXCP06_UD);
}

static void gen_interrupt(DisasContext *s, int intno)
{
    gen_update_rip(s, cur_eip(s));
    gen_helper_raise_interrupt(tcg_env(), tcg_constant_i32(intno),
                               tcg_constant_i32((int32_t)(next_eip(s) - cur_eip(s))));
    s->base.is_jmp = DISAS_NORETURN;
}

static void trans_INT(DisasContext *s, X86Insn *in)
{
    switch (in->mnem) {
    case MN_INT3: gen_interrupt(s, EXCP03_BP); break;
    case MN_INT1: gen_interrupt(s, EXCP01_DB); break;
    case MN_INT: gen_interrupt(s, 0x100 | (int)(in->op[0].imm & 0xff)); break; /* 0x100: INT n */
    default: { /* INTO */
        CCPrep p = gen_prepare_cc(s, 0);
        TCGLabel *no = gen_new_label();
        tcg_gen_brcond_i64(tcg_invert_cond(p.cond), p.a, p.b, no);
        gen_interrupt(s, EXCP04_OF);
        gen_set_label(no);
        s->base.is_jmp = DISAS_NEXT;
        break;
    }
    }
}

static void trans_SYSCALL(DisasContext *s, X86Insn *in)
{
    gen_update_rip(s, cur_eip(s));
    gen_helper_syscall(tcg_env(), tcg_constant_i32((int32_t)(next_eip(s) - cur_eip(s))));
    s->base.is_jmp = DISAS_NORETURN;
}

static void trans_SYSRET(DisasContext *s, X86Insn *in)
{
    if (!check_cpl0(s)) {
        return;
    }
    gen_update_rip(s, cur_eip(s));
    gen_helper_sysret(tcg_env(), tcg_constant_i32(in->rex & 8 ? 2 : 1));
    s->base.is_jmp = DISAS_EOB;
}

static void trans_SYSENTER(DisasContext *s, X86Insn *in)
{
    gen_update_rip(s, cur_eip(s));
    gen_helper_sysenter(tcg_env());
    s->base.is_jmp = DISAS_NORETURN;
}

static void trans_SYSEXIT(DisasContext *s, X86Insn *in)
{
    if (!check_cpl0(s)) {
        return;
    }
    gen_update_rip(s, cur_eip(s));
    gen_helper_sysexit(tcg_env(), tcg_constant_i32(in->rex & 8 ? 2 : 1));
    s->base.is_jmp = DISAS_EOB;
}

static void trans_IRET(DisasContext *s, X86Insn *in)
{
    if (!vm86_iopl_ok(s)) {
        return;
    }
    gen_update_rip(s, cur_eip(s));
    gen_helper_iret(tcg_env(), tcg_constant_i32(in->opsize | (int)(next_eip(s) - cur_eip(s)) << 8));
    s->cc_op = CC_OP_EFLAGS;
    s->base.is_jmp = DISAS_EOB;
}

static void trans_RETF(DisasContext *s, X86Insn *in)
{
    int extra = in->nops ? (int)(in->op[0].imm & 0xffff) : 0;
    gen_update_rip(s, cur_eip(s));
    gen_helper_lret(tcg_env(), tcg_constant_i32(in->opsize), tcg_constant_i32(extra));
    s->base.is_jmp = DISAS_EOB;
}

/* far JMP / CALL: direct ptr16:16/32 (legacy modes) or indirect m16:16/32/64 */
static void trans_far(DisasContext *s, X86Insn *in)
{
    TCGv_i32 sel = tmp32();
    TCGv_i64 off = tmp64();
    MemOp osz = (MemOp)in->opsize;
    if (in->op[0].type == OT_IMM) {
        tcg_gen_movi_i64(off, in->op[0].imm & (int64_t)mask_of(osz));
        tcg_gen_movi_i32(sel, (int32_t)(in->op[1].imm & 0xffff));
    } else {
        TCGv_i64 a = tmp64(), v = tmp64();
        tcg_gen_guest_ld_i64(off, s->A0, (unsigned)s->mem_idx, osz);
        tcg_gen_addi_i64(a, s->A0, 1 << osz);
        tcg_gen_guest_ld_i64(v, a, (unsigned)s->mem_idx, MO_16);
        tcg_gen_extrl_i64_i32(sel, v);
    }
    gen_update_rip(s, cur_eip(s));
    gen_helper_ljmp(tcg_env(), sel, off,
                    tcg_constant_i32((in->mnem == MN_CALLF) | (osz << 4)),
                    tcg_constant_i64((int64_t)next_eip(s)));
    s->cc_op = CC_OP_DYNAMIC;
    s->base.is_jmp = DISAS_EOB;
}

static void trans_CPUID(DisasContext *s, X86Insn *in)
{
    gen_update_rip(s, cur_eip(s));
    gen_helper_cpuid(tcg_env());
}

static void trans_RDTSC(DisasContext *s, X86Insn *in)
{
    gen_update_rip(s, cur_eip(s));
    if (in->mnem == MN_RDTSCP) {
        gen_helper_rdtscp(tcg_env());
    } else {
        gen_helper_rdtsc(tcg_env());
    }
}

static void trans_RDPMC(DisasContext *s, X86Insn *in)
{
    gen_update_rip(s, cur_eip(s));
    gen_helper_rdpmc(tcg_env());
}

static void trans_MSR(DisasContext *s, X86Insn *in)
{
    if (!check_cpl0(s)) {
        return;
    }
    gen_update_rip(s, cur_eip(s));
    if (in->mnem == MN_RDMSR) {
        gen_helper_rdmsr(tcg_env());
    } else {
        gen_helper_wrmsr(tcg_env());
        gen_eob_next(s);
    }
}

static void trans_fence(DisasContext *s, X86Insn *in)
{
    if ((in->mnem == MN_MFENCE || in->mnem == MN_LFENCE || in->mnem == MN_SFENCE) &&
        (in->prefixes & (PFX_66 | PFX_F2 | PFX_F3))) {
        gen_illegal(s); /* prefixed forms are other instructions (not implemented) */
        return;
    }
    switch (in->mnem) {
    case MN_MFENCE: tcg_gen_mb(TCG_MO_ALL); break;
    case MN_LFENCE: tcg_gen_mb(TCG_MO_LD_LD | TCG_MO_LD_ST); break;
    case MN_SFENCE: tcg_gen_mb(TCG_MO_ST_ST); break;
    default: break; /* CLFLUSH, PREFETCH: no cache model */
    }
}

static void trans_MOV_CR(DisasContext *s, X86Insn *in)
{
    if (!check_cpl0(s)) {
        return;
    }
    bool to_cr = in->op[0].type == OT_CR;
    int cr = to_cr ? in->op[0].reg : in->op[1].reg;
    if (cr != 0 && cr != 2 && cr != 3 && cr != 4 && cr != 8) {
        gen_illegal(s);
        return;
    }
    gen_update_rip(s, cur_eip(s));
    if (to_cr) {
        TCGv_i64 v = tmp64();
        gen_read_reg(v, in->op[1].reg, false, (MemOp)in->op[1].size);
        gen_helper_write_cr(tcg_env(), tcg_constant_i32(cr), v);
        gen_eob_next(s);
    } else {
        TCGv_i64 v = tmp64();
        gen_helper_read_cr(v, tcg_env(), tcg_constant_i32(cr));
        gen_write_reg(in->op[0].reg, false, (MemOp)in->op[0].size, v);
    }
}

static void trans_MOV_DR(DisasContext *s, X86Insn *in)
{
    if (!check_cpl0(s)) {
        return;
    }
    if (in->op[0].type == OT_DR) {
        TCGv_i64 v = load_op(s, in, 1);
        gen_helper_write_dr(tcg_env(), tcg_constant_i32(in->op[0].reg & 7), v);
    } else {
        TCGv_i64 v = tmp64();
        tcg_gen_ld_i64(v, tcg_env(), ENV_OFF(dr[in->op[1].reg & 7]));
        gen_store(s, in, 0, v);
    }
}

static void trans_MOV_SEG(DisasContext *s, X86Insn *in)
{
    if (in->op[0].type == OT_SEG) {
        int seg = in->op[0].reg;
        if (seg == R_CS) {
            gen_illegal(s);
            return;
        }
        TCGv_i64 v = load_op(s, in, 1);
        TCGv_i32 sel = tmp32();
        tcg_gen_extrl_i64_i32(sel, v);
        gen_update_rip(s, cur_eip(s));
        gen_helper_load_seg(tcg_env(), tcg_constant_i32(seg), sel);
        gen_eob_next(s); /* hflags may change; MOV SS also inhibits interrupts */
        return;
    }
    TCGv_i64 v = tmp64();
    tcg_gen_ld32u_i64(v, tcg_env(), ENV_OFF(segs[in->op[1].reg].selector));
    if (in->op[0].type == OT_MEM) {
        in->op[0].size = MO_16;
    }
    gen_store(s, in, 0, v);
}

static void trans_desc_table(DisasContext *s, X86Insn *in)
{
    gen_update_rip(s, cur_eip(s));
    switch (in->mnem) {
    case MN_LGDT:
    case MN_LIDT:
        if (!check_cpl0(s)) {
            return;
        }
        gen_helper_lgdt_lidt(tcg_env(), s->A0,
                             tcg_constant_i32((in->mnem == MN_LIDT) | (in->opsize << 4)));
        gen_eob_next(s);
        break;
    case MN_SGDT:
    case MN_SIDT:
        gen_helper_sgdt_sidt(tcg_env(), s->A0, tcg_constant_i32(in->mnem == MN_SIDT));
        note_store(s, s->A0);
        break;
    case MN_LLDT:
    case MN_LTR: {
        if (!check_cpl0(s)) {
            return;
        }
        TCGv_i64 v = load_op(s, in, 0);
        TCGv_i32 sel = tmp32();
        tcg_gen_extrl_i64_i32(sel, v);
        if (in->mnem == MN_LLDT) {
            gen_helper_lldt(tcg_env(), sel);
        } else {
            gen_helper_ltr(tcg_env(), sel);
        }
        break;
    }
    case MN_SLDT:
    case MN_STR: {
        TCGv_i64 v = tmp64();
        if (in->mnem == MN_SLDT) {
            tcg_gen_ld32u_i64(v, tcg_env(), ENV_OFF(ldt.selector));
        } else {
            tcg_gen_ld32u_i64(v, tcg_env(), ENV_OFF(tr.selector));
        }
        if (in->op[0].type == OT_REG) {
            in->op[0].size = (uint8_t)in->opsize;
        }
        gen_store(s, in, 0, v);
        break;
    }
    case MN_SMSW: {
        TCGv_i64 v = tmp64();
        tcg_gen_ld_i64(v, tcg_env(), ENV_OFF(cr[0]));
        if (in->op[0].type == OT_REG) {
            in->op[0].size = (uint8_t)in->opsize;
        }
        gen_store(s, in, 0, v);
        break;
    }
    case MN_LMSW: {
        if (!check_cpl0(s)) {
            return;
        }
        TCGv_i64 v = load_op(s, in, 0);
        gen_helper_lmsw(tcg_env(), v);
        gen_eob_next(s);
        break;
    }
    case MN_INVLPG:
        if (!check_cpl0(s)) {
            return;
        }
        gen_helper_invlpg(tcg_env(), s->A0);
        gen_eob_next(s);
        break;
    case MN_CLTS:
        if (!check_cpl0(s)) {
            return;
        }
        gen_helper_clts(tcg_env());
        gen_eob_next(s);
        break;
    case MN_SWAPGS:
        if (!check_cpl0(s)) {
            return;
        }
        gen_helper_swapgs(tcg_env());
        break;
    case MN_INVD:
    case MN_WBINVD:
        check_cpl0(s);
        break;
    default:
        gen_illegal(s);
    }
}

static void trans_LAR_LSL(DisasContext *s, X86Insn *in)
{
    bool verify = in->mnem == MN_VERR || in->mnem == MN_VERW;
    if (!(s->flags & HF_PE)) {
        gen_illegal(s); /* real mode: #UD */
        return;
    }
    TCGv_i64 v = tmp64();
    gen_load(s, in, verify ? 0 : 1, v);
    TCGv_i32 sel = tmp32();
    tcg_gen_extrl_i64_i32(sel, v);
    TCGv_i64 r = tmp64();
    gen_update_rip(s, cur_eip(s));
    gen_helper_lar_lsl(r, tcg_env(), tcg_constant_i32(in->mnem), sel);
    s->cc_op = CC_OP_EFLAGS;
    if (!verify) {
        /* the destination is written only when ZF = 1 */
        TCGLabel *skip = gen_new_label();
        TCGv_i64 z = tmp64();
        tcg_gen_andi_i64(z, cpu_cc_src, CC_Z);
        tcg_gen_brcondi_i64(TCG_COND_EQ, z, 0, skip);
        gen_store(s, in, 0, r);
        gen_set_label(skip);
    }
}

static void trans_IN_OUT(DisasContext *s, X86Insn *in)
{
    bool is_in = in->mnem == MN_IN;
    X86Operand *data = &in->op[is_in ? 0 : 1];
    X86Operand *port = &in->op[is_in ? 1 : 0];
    TCGv_i32 p = tmp32();
    if (port->type == OT_IMM) {
        tcg_gen_movi_i32(p, (int32_t)(port->imm & 0xff));
    } else {
        tcg_gen_extrl_i64_i32(p, cpu_regs[R_EDX]);
        tcg_gen_andi_i32(p, p, 0xffff);
    }
    check_io(s, p, 1 << data->size);
    gen_update_rip(s, cur_eip(s));
    TCGv_i32 size = tcg_constant_i32(1 << data->size);
    if (is_in) {
        TCGv_i64 v = tmp64();
        gen_helper_in(v, tcg_env(), p, size);
        gen_write_reg(R_EAX, false, (MemOp)data->size, v);
    } else {
        TCGv_i64 v = tmp64();
        gen_read_reg(v, R_EAX, false, (MemOp)data->size);
        gen_helper_out(tcg_env(), p, v, size);
    }
}

/*
 * LDS LES LSS LFS LGS r, m16:16/32/64 (SDM LDS/LES/LFS/LGS/LSS): the offset,
 * then the selector after it; the segment load (with its checks) comes
 * before the register is written, so a fault leaves the register alone.
 */
static void trans_LxS(DisasContext *s, X86Insn *in)
{
    int seg = in->mnem == MN_LES ? R_ES : in->mnem == MN_LDS ? R_DS
            : in->mnem == MN_LSS ? R_SS : in->mnem == MN_LFS ? R_FS : R_GS;
    MemOp sz = (MemOp)in->opsize;
    TCGv_i64 off = tmp64(), a = tmp64(), v = tmp64();
    tcg_gen_guest_ld_i64(off, s->A0, (unsigned)s->mem_idx, sz);
    tcg_gen_addi_i64(a, s->A0, 1 << sz);
    if (s->mode != X86_MODE64) {
        tcg_gen_ext32u_i64(a, a);
    }
    tcg_gen_guest_ld_i64(v, a, (unsigned)s->mem_idx, MO_16);
    TCGv_i32 sel = tmp32();
    tcg_gen_extrl_i64_i32(sel, v);
    gen_update_rip(s, cur_eip(s));
    gen_helper_load_seg(tcg_env(), tcg_constant_i32(seg), sel);
    gen_write_reg(in->op[0].reg, false, sz, off);
    gen_eob_next(s);
}

/* ARPL r/m16, r16 (protected mode only; 0x63 is MOVSXD in 64-bit mode): the
 * destination is written only when its RPL is raised (ZF = 1) */
static void trans_ARPL(DisasContext *s, X86Insn *in)
{
    if (!(s->flags & HF_PE) || (s->flags & HF_VM)) {
        gen_illegal(s);
        return;
    }
    in->op[1].size = MO_16;
    TCGv_i64 dst = load_op(s, in, 1), src = tmp64(), r = tmp64();
    gen_read_reg(src, in->op[0].reg, false, MO_16);
    gen_update_rip(s, cur_eip(s));
    gen_helper_arpl(r, tcg_env(), dst, src);
    s->cc_op = CC_OP_EFLAGS;
    TCGLabel *skip = gen_new_label();
    TCGv_i64 z = tmp64();
    tcg_gen_andi_i64(z, cpu_cc_src, CC_Z);
    tcg_gen_brcondi_i64(TCG_COND_EQ, z, 0, skip);
    gen_store(s, in, 1, r);
    gen_set_label(skip);
}

/* BOUND r, m16&16 / m32&32 (legacy modes): #BR (a fault) unless lower <= r <= upper, signed */
static void trans_BOUND(DisasContext *s, X86Insn *in)
{
    MemOp sz = (MemOp)in->opsize;
    TCGv_i64 lo = tmp64(), hi = tmp64(), a = tmp64(), v = tmp64();
    tcg_gen_guest_ld_i64(lo, s->A0, (unsigned)s->mem_idx, (MemOp)(sz | MO_SIGN));
    tcg_gen_addi_i64(a, s->A0, 1 << sz);
    tcg_gen_ext32u_i64(a, a);
    tcg_gen_guest_ld_i64(hi, a, (unsigned)s->mem_idx, (MemOp)(sz | MO_SIGN));
    gen_read_reg(v, in->op[0].reg, false, sz);
    gen_ext(v, v, sz, true);
    TCGLabel *fail = gen_new_label(), *ok = gen_new_label();
    tcg_gen_brcond_i64(TCG_COND_LT, v, lo, fail);
    tcg_gen_brcond_i64(TCG_COND_LE, v, hi, ok);
    gen_set_label(fail);
    gen_exception(s, EXCP05_BR);
    gen_set_label(ok);
    s->base.is_jmp = DISAS_NEXT;
}

static void trans_XLAT(DisasContext *s, X86Insn *in)
{
    TCGv_i64 a = tmp64(), al = tmp64(), v = tmp64();
    tcg_gen_ext8u_i64(al, cpu_regs[R_EAX]);
    tcg_gen_add_i64(a, cpu_regs[R_EBX], al);
    gen_trunc_addr(s, a, (MemOp)in->addrsize);
    gen_seg_linear(s, a, R_DS, in->seg);
    tcg_gen_guest_ld_i64(v, a, (unsigned)s->mem_idx, MO_8);
    gen_write_reg(R_EAX, false, MO_8, v);
}

static void trans_MOVSXD(DisasContext *s, X86Insn *in)
{
    TCGv_i64 v = load_op(s, in, 1);
    gen_ext(v, v, MO_32, true);
    gen_store(s, in, 0, v);
}

static void trans_WAIT(DisasContext *s, X86Insn *in)
{
    /* CR0.MP && TS: #NM; a pending unmasked x87 exception: #MF */
    gen_update_rip(s, cur_eip(s));
    gen_helper_fwait(tcg_env());
}

/* ------------------------------------------------------------- dispatch */

static TransFn *const trans_table[MN_NB] = {
    [MN_ADD] = trans_alu, [MN_OR] = trans_alu, [MN_ADC] = trans_alu, [MN_SBB] = trans_alu,
    [MN_AND] = trans_alu, [MN_SUB] = trans_alu, [MN_XOR] = trans_alu, [MN_CMP] = trans_alu,
    [MN_TEST] = trans_alu,
    [MN_INC] = trans_INC_DEC, [MN_DEC] = trans_INC_DEC,
    [MN_NOT] = trans_NOT, [MN_NEG] = trans_NEG,
    [MN_MUL] = trans_MUL, [MN_IMUL] = trans_MUL,
    [MN_IMUL2] = trans_IMUL23, [MN_IMUL3] = trans_IMUL23,
    [MN_DIV] = trans_DIV, [MN_IDIV] = trans_DIV,
    [MN_ROL] = trans_shift, [MN_ROR] = trans_shift, [MN_RCL] = trans_shift,
    [MN_RCR] = trans_shift, [MN_SHL] = trans_shift, [MN_SHR] = trans_shift,
    [MN_SAL] = trans_shift, [MN_SAR] = trans_shift,
    [MN_SHLD] = trans_SHLD_SHRD, [MN_SHRD] = trans_SHLD_SHRD,
    [MN_BT] = trans_BT, [MN_BTS] = trans_BT, [MN_BTR] = trans_BT, [MN_BTC] = trans_BT,
    [MN_BSF] = trans_BSF_BSR, [MN_BSR] = trans_BSF_BSR,
    [MN_LZCNT] = trans_LZCNT_TZCNT, [MN_TZCNT] = trans_LZCNT_TZCNT,
    [MN_POPCNT] = trans_POPCNT,
    [MN_MOV] = trans_MOV, [MN_MOVZX] = trans_MOVZX_MOVSX, [MN_MOVSX] = trans_MOVZX_MOVSX,
    [MN_MOVSXD] = trans_MOVSXD, [MN_LEA] = trans_LEA, [MN_XCHG] = trans_XCHG,
    [MN_CMPXCHG] = trans_CMPXCHG, [MN_XADD] = trans_XADD, [MN_CMPXCHG8B] = trans_CMPXCHG8B,
    [MN_BSWAP] = trans_BSWAP, [MN_CBW] = trans_CBW, [MN_CWD] = trans_CWD,
    [MN_SETCC] = trans_SETCC, [MN_CMOVCC] = trans_CMOVCC,
    [MN_JCC] = trans_JCC, [MN_JMP] = trans_JMP, [MN_CALL] = trans_CALL, [MN_RET] = trans_RET,
    [MN_LOOP] = trans_LOOP, [MN_LOOPE] = trans_LOOP, [MN_LOOPNE] = trans_LOOP,
    [MN_JRCXZ] = trans_LOOP,
    [MN_PUSH] = trans_PUSH, [MN_POP] = trans_POP, [MN_LEAVE] = trans_LEAVE,
    [MN_ENTER] = trans_ENTER,
    [MN_PUSHF] = trans_PUSHF, [MN_POPF] = trans_POPF, [MN_LAHF] = trans_LAHF,
    [MN_SAHF] = trans_SAHF,
    [MN_CLC] = trans_flagop, [MN_STC] = trans_flagop, [MN_CMC] = trans_flagop,
    [MN_CLD] = trans_flagop, [MN_STD] = trans_flagop, [MN_CLI] = trans_flagop,
    [MN_STI] = trans_flagop,
    [MN_MOVS] = trans_string, [MN_STOS] = trans_string, [MN_LODS] = trans_string,
    [MN_SCAS] = trans_string, [MN_CMPS] = trans_string, [MN_INS] = trans_string,
    [MN_OUTS] = trans_string,
    [MN_NOP] = trans_NOP, [MN_PREFETCH] = trans_fence, [MN_CLFLUSH] = trans_fence,
    [MN_HLT] = trans_HLT, [MN_UD2] = trans_UD, [MN_UD1] = trans_UD, [MN_UD0] = trans_UD,
    [MN_INT3] = trans_INT, [MN_INT] = trans_INT, [MN_INTO] = trans_INT, [MN_INT1] = trans_INT,
    [MN_SYSCALL] = trans_SYSCALL, [MN_SYSRET] = trans_SYSRET, [MN_IRET] = trans_IRET,
    [MN_SYSENTER] = trans_SYSENTER, [MN_SYSEXIT] = trans_SYSEXIT, [MN_BOUND] = trans_BOUND,
    [MN_LDS] = trans_LxS, [MN_LES] = trans_LxS, [MN_LSS] = trans_LxS, [MN_LFS] = trans_LxS,
    [MN_LGS] = trans_LxS, [MN_ARPL] = trans_ARPL,
    [MN_RETF] = trans_RETF, [MN_JMPF] = trans_far, [MN_CALLF] = trans_far,
    [MN_CPUID] = trans_CPUID, [MN_RDTSC] = trans_RDTSC, [MN_RDTSCP] = trans_RDTSC,
    [MN_RDPMC] = trans_RDPMC,
    [MN_RDMSR] = trans_MSR, [MN_WRMSR] = trans_MSR,
    [MN_MFENCE] = trans_fence, [MN_LFENCE] = trans_fence, [MN_SFENCE] = trans_fence,
    [MN_MOV_CR] = trans_MOV_CR, [MN_MOV_DR] = trans_MOV_DR, [MN_MOV_SEG] = trans_MOV_SEG,
    [MN_LGDT] = trans_desc_table, [MN_LIDT] = trans_desc_table,
    [MN_SGDT] = trans_desc_table, [MN_SIDT] = trans_desc_table,
    [MN_LLDT] = trans_desc_table, [MN_LTR] = trans_desc_table,
    [MN_SLDT] = trans_desc_table, [MN_STR] = trans_desc_table,
    [MN_SMSW] = trans_desc_table, [MN_LMSW] = trans_desc_table,
    [MN_INVLPG] = trans_desc_table, [MN_CLTS] = trans_desc_table,
    [MN_SWAPGS] = trans_desc_table, [MN_INVD] = trans_desc_table,
    [MN_WBINVD] = trans_desc_table,
    [MN_LAR] = trans_LAR_LSL, [MN_LSL] = trans_LAR_LSL, [MN_VERR] = trans_LAR_LSL,
    [MN_VERW] = trans_LAR_LSL,
    [MN_IN] = trans_IN_OUT, [MN_OUT] = trans_IN_OUT, [MN_XLAT] = trans_XLAT,
    [MN_WAIT] = trans_WAIT, [MN_FPU] = trans_FPU,
    [MN_DAA] = trans_BCD, [MN_DAS] = trans_BCD, [MN_AAA] = trans_BCD, [MN_AAS] = trans_BCD,
    [MN_AAM] = trans_BCD, [MN_AAD] = trans_BCD, [MN_SALC] = trans_SALC,
    [MN_PUSHA] = trans_PUSHA, [MN_POPA] = trans_POPA,
    /* SSE */
    [MN_MOVUPS] = trans_sse_mov, [MN_MOVUPD] = trans_sse_mov, [MN_MOVSS] = trans_sse_mov,
    [MN_MOVSD] = trans_sse_mov, [MN_MOVAPS] = trans_sse_mov, [MN_MOVAPD] = trans_sse_mov,
    [MN_MOVDQA] = trans_sse_mov, [MN_MOVDQU] = trans_sse_mov, [MN_MOVD] = trans_sse_mov,
    [MN_MOVQ] = trans_sse_mov, [MN_MOVD_ST] = trans_sse_mov, [MN_MOVQ_ST] = trans_sse_mov,
    [MN_MOVDQA_ST] = trans_sse_mov, [MN_MOVDQU_ST] = trans_sse_mov,
    [MN_MOVAPS_ST] = trans_sse_mov, [MN_MOVUPS_ST] = trans_sse_mov,
    [MN_MOVNTDQ] = trans_sse_mov, [MN_MOVNTPS] = trans_sse_mov,
    [MN_MOVLPS] = trans_sse_mov, [MN_MOVHPS] = trans_sse_mov, [MN_MOVLPD] = trans_sse_mov,
    [MN_MOVHPD] = trans_sse_mov, [MN_MOVLPS_ST] = trans_sse_mov,
    [MN_MOVHPS_ST] = trans_sse_mov,
    [MN_PXOR] = trans_sse_logic, [MN_POR] = trans_sse_logic, [MN_PAND] = trans_sse_logic,
    [MN_PANDN] = trans_sse_logic, [MN_XORPS] = trans_sse_logic, [MN_ORPS] = trans_sse_logic,
    [MN_ANDPS] = trans_sse_logic, [MN_ANDNPS] = trans_sse_logic,
    [MN_PCMPEQB] = trans_sse_helper, [MN_PCMPEQW] = trans_sse_helper,
    [MN_PCMPEQD] = trans_sse_helper, [MN_PCMPGTB] = trans_sse_helper,
    [MN_PCMPGTW] = trans_sse_helper, [MN_PCMPGTD] = trans_sse_helper,
    [MN_PMOVMSKB] = trans_sse_helper, [MN_MOVMSKPS] = trans_sse_helper,
    [MN_PMINUB] = trans_sse_helper, [MN_PMAXUB] = trans_sse_helper,
    [MN_PSUBB] = trans_sse_helper, [MN_PSUBW] = trans_sse_helper,
    [MN_PSUBD] = trans_sse_helper, [MN_PSUBQ] = trans_sse_helper,
    [MN_PADDB] = trans_sse_helper, [MN_PADDW] = trans_sse_helper,
    [MN_PADDD] = trans_sse_helper, [MN_PADDQ] = trans_sse_helper,
    [MN_PSUBUSB] = trans_sse_helper, [MN_PSUBUSW] = trans_sse_helper,
    [MN_PADDUSB] = trans_sse_helper, [MN_PADDUSW] = trans_sse_helper,
    [MN_PSHUFD] = trans_sse_helper, [MN_PSHUFHW] = trans_sse_helper,
    [MN_PSHUFLW] = trans_sse_helper, [MN_PUNPCKLBW] = trans_sse_helper,
    [MN_PUNPCKLWD] = trans_sse_helper, [MN_PUNPCKLDQ] = trans_sse_helper,
    [MN_PUNPCKLQDQ] = trans_sse_helper, [MN_PUNPCKHBW] = trans_sse_helper,
    [MN_PUNPCKHWD] = trans_sse_helper, [MN_PUNPCKHDQ] = trans_sse_helper,
    [MN_PUNPCKHQDQ] = trans_sse_helper, [MN_PSRLDQ] = trans_sse_helper,
    [MN_PSLLDQ] = trans_sse_helper, [MN_PSRLW] = trans_sse_helper,
    [MN_PSRLD] = trans_sse_helper, [MN_PSRLQ] = trans_sse_helper,
    [MN_PSLLW] = trans_sse_helper, [MN_PSLLD] = trans_sse_helper,
    [MN_PSLLQ] = trans_sse_helper, [MN_PSRAW] = trans_sse_helper,
    [MN_PSRAD] = trans_sse_helper, [MN_SHUFPS] = trans_sse_helper,
    [MN_LDMXCSR] = trans_mxcsr, [MN_STMXCSR] = trans_mxcsr,
#define FP_ALL(mn) [MN_##mn##PS] = trans_sse_fp, [MN_##mn##PD] = trans_sse_fp,                  \
                   [MN_##mn##SS] = trans_sse_fp, [MN_##mn##SD] = trans_sse_fp
    FP_ALL(ADD), FP_ALL(SUB), FP_ALL(MUL), FP_ALL(DIV), FP_ALL(MIN), FP_ALL(MAX), FP_ALL(SQRT),
    FP_ALL(CMP),
#undef FP_ALL
    [MN_CVTPS2PD] = trans_sse_fp, [MN_CVTPD2PS] = trans_sse_fp, [MN_CVTSS2SD] = trans_sse_fp,
    [MN_CVTSD2SS] = trans_sse_fp, [MN_CVTDQ2PS] = trans_sse_fp, [MN_CVTPS2DQ] = trans_sse_fp,
    [MN_CVTTPS2DQ] = trans_sse_fp, [MN_CVTTPD2DQ] = trans_sse_fp, [MN_CVTDQ2PD] = trans_sse_fp,
    [MN_CVTPD2DQ] = trans_sse_fp, [MN_CVTSI2SS] = trans_sse_fp, [MN_CVTSI2SD] = trans_sse_fp,
    [MN_CVTTSS2SI] = trans_sse_fp, [MN_CVTTSD2SI] = trans_sse_fp, [MN_CVTSS2SI] = trans_sse_fp,
    [MN_CVTSD2SI] = trans_sse_fp, [MN_UCOMISS] = trans_sse_fp, [MN_UCOMISD] = trans_sse_fp,
    [MN_COMISS] = trans_sse_fp, [MN_COMISD] = trans_sse_fp, [MN_SHUFPD] = trans_sse_fp,
    [MN_MOVMSKPD] = trans_sse_fp,
    [MN_FXSAVE] = trans_fxsave, [MN_FXRSTOR] = trans_fxsave,
};

/* Instructions that need a CPUID feature the model may lack. */
static bool feature_ok(DisasContext *s, X86Insn *in)
{
    CPUX86State *env = cpu_env(s->base.cpu);
    switch (in->mnem) {
    case MN_POPCNT:
        return env->cpuid_features_ecx & CPUID_EXT_POPCNT;
    case MN_LZCNT:
        return env->cpuid_ext_features_ecx & CPUID_EXT3_ABM;
    case MN_TZCNT:
        return env->cpuid_7_ebx & CPUID_7_BMI1;
    case MN_CMPXCHG8B:
        return in->opsize != MO_64 || (env->cpuid_features_ecx & CPUID_EXT_CX16);
    case MN_LAHF: case MN_SAHF:
        return s->mode != X86_MODE64 || (env->cpuid_ext_features_ecx & CPUID_EXT3_LAHF_LM);
    case MN_RDTSCP:
        return env->cpuid_ext_features_edx & CPUID_EXT2_RDTSCP;
    default:
        return vec_feature_ok(env, in); /* translate-sse.c: SSE3.., BMI, ADX, MOVBE */
    }
}

/*
 * Same-TB self-modifying code (SDM Vol.3 §11.6): a store into this TB's own
 * code page(s) must be seen by the next instruction. accel/tcg invalidates
 * the TBs of a code page on a write (TLB_NOTDIRTY) but the running TB goes
 * on with its stale code, so after an instruction that stored to one of the
 * TB's virtual pages, leave the TB with rip at the next instruction: the
 * loop then translates the new bytes. Cost: a shift, compare and branch per
 * store. Aliases (the same physical page under another virtual address) are
 * not caught here.
 */
static void gen_smc_check(DisasContext *s)
{
    uint64_t p0 = s->base.page_first >> TARGET_PAGE_BITS;
    bool two = s->base.crossed_page ||
               ((s->base.pc_next - 1) >> TARGET_PAGE_BITS) != p0;
    /* The exit is out of line (x86_tr_tb_stop emits it after the TB's end):
     * the fall-through is no join point, so the register allocator and the
     * optimizer keep what they know across the check. */
    TCGLabel *hit = gen_new_label();
    for (int i = 0; i < s->nstore; i++) {
        TCGv_i64 pg = tcg_temp_new_i64();
        tcg_gen_shri_i64(pg, s->store_addr[i], TARGET_PAGE_BITS);
        tcg_gen_brcondi_i64(TCG_COND_EQ, pg, (int64_t)p0, hit);
        if (two) {
            tcg_gen_brcondi_i64(TCG_COND_EQ, pg, (int64_t)(p0 + 1), hit);
        }
    }
    s->smc_exit[s->n_smc_exit].label = hit;
    s->smc_exit[s->n_smc_exit].next_eip = next_eip(s);
    if (++s->n_smc_exit == X86_SMC_EXITS) {
        s->base.is_jmp = DISAS_TOO_MANY; /* no room for another: end the TB here */
    }
}

static uint8_t fetch_code(void *opaque, uint64_t addr)
{
    DisasContext *s = opaque;
    return translator_ldub(s->base.cpu, &s->base, addr);
}

static void x86_tr_init_disas_context(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = (DisasContext *)db;
    CPUX86State *env = cpu_env(cpu);
    uint32_t f = db->tb->flags;
    s->flags = f;
    s->cs_base = db->tb->cs_base;
    s->cpl = (int)(f & HF_CPL_MASK);
    s->mem_idx = s->cpl == 3 ? 1 : 0;
    s->mode = (f & HF_CS64) ? X86_MODE64 : (f & HF_CS32) ? X86_MODE32 : X86_MODE16;
    s->ss32 = (f & HF_SS32) != 0;
    s->addseg = (f & HF_ADDSEG) != 0;
    s->cc_op = CC_OP_DYNAMIC;
    (void)env;
}

static void x86_tr_tb_start(DisasContextBase *db, CPUState *cpu)
{
}

static void x86_tr_insn_start(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = (DisasContext *)db;
    tcg_gen_insn_start(db->pc_next - s->cs_base, (uint64_t)s->cc_op);
}

static void x86_tr_translate_insn(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = (DisasContext *)db;
    X86Insn *in = &s->in;
    s->pc_curr = db->pc_next;
    X86DecodeStatus st = x86_decode(in, s->mode, s->pc_curr, fetch_code, s);
    db->pc_next = s->pc_curr + in->len;
    if (st == X86_DEC_TOOLONG) {
        gen_exception_err(s, EXCP0D_GP, 0);
        return;
    }
    if ((s->flags & HF_SEGLIM) && s->mode != X86_MODE64) {
        /* the CS limit (SDM Vol.3 §5.3): #GP(0) at an instruction that does not lie
         * within it (a jump past it faults at the target, not at the jump). Checked at
         * run time: the limit is not part of the TB key. */
        TCGv_i64 lim = tmp64();
        TCGLabel *ok = gen_new_label();
        tcg_gen_ld32u_i64(lim, tcg_env(), ENV_OFF(segs[R_CS].limit));
        tcg_gen_brcondi_i64(TCG_COND_GEU, lim, (int64_t)(cur_eip(s) + in->len - 1), ok);
        gen_exception_err(s, EXCP0D_GP, 0);
        gen_set_label(ok);
        s->base.is_jmp = DISAS_NEXT;
    }
    if (st == X86_DEC_OK && (in->mnem == MN_TZCNT || in->mnem == MN_LZCNT) &&
        !feature_ok(s, in)) {
        /* without BMI1 / ABM the F3 prefix is ignored: BSF / BSR (SDM LZCNT, TZCNT) */
        in->mnem = in->mnem == MN_TZCNT ? MN_BSF : MN_BSR;
    }
    TransFn *fn = st == X86_DEC_OK ? trans_table[in->mnem] : NULL;
    if (st == X86_DEC_OK && !fn) {
        fn = trans_vec_lookup(in); /* MMX, SSE3..SSE4.2, AES, BMI, ...: translate-sse.c */
    }
    if (!fn || !feature_ok(s, in)) {
        gen_illegal(s);
        return;
    }
    if ((in->e->flags & X86F_PRIV) && s->cpl != 0) {
        gen_exception_err(s, EXCP0D_GP, 0);
        return;
    }
    if (s->flags & HF_INHIBIT_IRQ) {
        /* this instruction ends the interrupt shadow (STI / MOV SS) */
        TCGv_i32 h = tmp32();
        tcg_gen_ld_i32(h, tcg_env(), ENV_OFF(hflags));
        tcg_gen_andi_i32(h, h, ~(int32_t)HF_INHIBIT_IRQ);
        tcg_gen_st_i32(h, tcg_env(), ENV_OFF(hflags));
    }
    s->A0 = NULL;
    s->nstore = 0;
    if (in->has_mem && in->mnem != MN_LEA) {
        gen_lea_modrm(s, in);
    }
    fn(s, in);

    if (db->is_jmp == DISAS_NEXT && s->nstore) {
        gen_smc_check(s);
    }
    if (db->is_jmp == DISAS_NEXT) {
        if (s->flags & (HF_TF | HF_INHIBIT_IRQ)) {
            /* single-step, or the end of an interrupt shadow: one instruction per TB */
            if (s->flags & HF_TF) {
                gen_update_rip(s, next_eip(s));
                gen_helper_single_step(tcg_env());
                db->is_jmp = DISAS_NORETURN;
            } else {
                gen_eob_next(s);
            }
        } else if (((db->pc_next + 15) & TARGET_PAGE_MASK) != db->page_first) {
            /* the next instruction may straddle a page: it starts a new TB */
            db->is_jmp = DISAS_TOO_MANY;
        }
    }
}

static bool loads_ss(const X86Insn *in)
{
    return (in->mnem == MN_MOV_SEG && in->op[0].type == OT_SEG && in->op[0].reg == R_SS) ||
           (in->mnem == MN_POP && in->nops == 0 && in->map == X86_MAP_1B && in->opcode == 0x17);
}

static void x86_tr_tb_stop(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = (DisasContext *)db;
    switch (db->is_jmp) {
    case DISAS_NORETURN:
        break;
    case DISAS_TOO_MANY:
        gen_jmp_tb(s, next_eip(s), 0);
        break;
    case DISAS_EOB:
        /* rip is set; leave to the loop so the new state (flags, interrupts) is seen.
         * MOV SS / POP SS hold back the single-step trap for one more instruction
         * (SDM MOV: "blocks ... single-step trap exceptions"); that instruction's TB
         * starts in the shadow and traps after it. */
        if ((s->flags & HF_TF) && !loads_ss(&s->in)) {
            gen_helper_single_step(tcg_env());
            break;
        }
        tcg_gen_exit_tb(NULL, 0);
        break;
    default:
        gen_update_rip(s, next_eip(s));
        tcg_gen_exit_tb(NULL, 0);
        break;
    }
    /* a store hit this TB's own code: leave after the storing instruction */
    for (int i = 0; i < s->n_smc_exit; i++) {
        gen_set_label(s->smc_exit[i].label);
        gen_update_rip(s, s->smc_exit[i].next_eip);
        tcg_gen_exit_tb(NULL, 0);
    }
}

static const TranslatorOps x86_ops = {
    .init_disas_context = x86_tr_init_disas_context,
    .tb_start = x86_tr_tb_start,
    .insn_start = x86_tr_insn_start,
    .translate_insn = x86_tr_translate_insn,
    .tb_stop = x86_tr_tb_stop,
};

void x86_translate(CPUState *cs, TranslationBlock *tb, int max_insns)
{
    DisasContext s = {0};
    translator_loop(cs, tb, max_insns, &x86_ops, &s.base);
}

void x86_restore_state(CPUState *cs, const TranslationBlock *tb, const uint64_t *data)
{
    CPUX86State *env = cpu_env(cs);
    (void)tb;
    env->rip = data[0];
    if (data[1] != CC_OP_DYNAMIC) {
        env->cc_op = (uint32_t)data[1];
    }
}
