/*
 * translate-ldst.c — A64 loads and stores (Arm ARM C3.3, C6): literal,
 * immediate (unscaled, pre/post-index, unsigned offset, unprivileged),
 * register offset, pairs, exclusives, load-acquire/store-release, LSE
 * atomics and CAS, and AdvSIMD structure loads/stores.
 *
 * Exclusives follow coremu's rule (docs/architecture.md): LDXR records
 * (address, value) in the per-core monitor; STXR succeeds iff the address
 * matches and a host compare-and-swap of the recorded value against memory
 * succeeds (tcg atomic_cmpxchg / cmpxchg128). There is no global lock: an
 * ABA store between the two is not detected, as on QEMU, which Linux's
 * LL/SC loops tolerate.
 *
 * Every multi-register load first loads into temps, then writes registers
 * and the base, so a fault on a later access leaves the state untouched.
 */
#include "target/arm/translate.h"

#define HELPER_H "target/arm/helper.h"
#include "exec/helper-gen.h"

#include "target/arm/a64-ldst.c.inc"

TCGv_i64 gen_addr_clean(DisasContext *s, TCGv_i64 addr)
{
    (void)s;
    /* TODO: TBI (TCR_EL1.TBI0/1) — the MMU walk ignores the top byte today */
    return addr;
}

static void do_gpr_ld(DisasContext *s, TCGv_i64 dst, TCGv_i64 addr, MemOp mop, int mmu_idx)
{
    (void)s;
    tcg_gen_guest_ld_i64(dst, addr, (unsigned)mmu_idx, mop);
}

static void do_gpr_st(DisasContext *s, TCGv_i64 val, TCGv_i64 addr, MemOp mop, int mmu_idx)
{
    (void)s;
    tcg_gen_guest_st_i64(val, addr, (unsigned)mmu_idx, mop);
}

/* FP/SIMD register load of 1 << size bytes (size 0..4), zeroing the rest */
static void do_fp_ld(DisasContext *s, int rt, TCGv_i64 addr, int size, int mmu_idx)
{
    TCGv_i64 lo = tcg_temp_new_i64();
    if (size == 4) {
        TCGv_i64 hi = tcg_temp_new_i64(), a2 = tcg_temp_new_i64();
        tcg_gen_guest_ld_i64(lo, addr, (unsigned)mmu_idx, MO_64);
        tcg_gen_addi_i64(a2, addr, 8);
        tcg_gen_guest_ld_i64(hi, a2, (unsigned)mmu_idx, MO_64);
        tcg_gen_st_i64(lo, tcg_env(), vreg_off(rt));
        tcg_gen_st_i64(hi, tcg_env(), vreg_hi_off(rt));
        return;
    }
    tcg_gen_guest_ld_i64(lo, addr, (unsigned)mmu_idx, (MemOp)size);
    tcg_gen_st_i64(lo, tcg_env(), vreg_off(rt));
    clear_vec_high(s, rt);
}

static void do_fp_st(DisasContext *s, int rt, TCGv_i64 addr, int size, int mmu_idx)
{
    (void)s;
    TCGv_i64 lo = tcg_temp_new_i64();
    tcg_gen_ld_i64(lo, tcg_env(), vreg_off(rt));
    tcg_gen_guest_st_i64(lo, addr, (unsigned)mmu_idx, (MemOp)(size == 4 ? MO_64 : size));
    if (size == 4) {
        TCGv_i64 hi = tcg_temp_new_i64(), a2 = tcg_temp_new_i64();
        tcg_gen_ld_i64(hi, tcg_env(), vreg_hi_off(rt));
        tcg_gen_addi_i64(a2, addr, 8);
        tcg_gen_guest_st_i64(hi, a2, (unsigned)mmu_idx, MO_64);
    }
}

/*
 * Classify a single-register load/store by size:V:opc (C4.1.66 tables).
 * Returns false for reserved encodings. *prefetch = PRFM (no access).
 */
typedef struct LdstKind {
    bool is_load, is_vector, prefetch, sign, ext32; /* ext32: sign-extend to 32 then zero */
    int size;                                       /* log2 bytes; 4 = Q */
} LdstKind;

static bool classify_ldst(int size, int v, int opc, LdstKind *k)
{
    *k = (LdstKind){0};
    if (v) {
        k->is_vector = true;
        k->size = size | ((opc & 2) << 1);
        if (k->size > 4) {
            return false;
        }
        k->is_load = opc & 1;
        return true;
    }
    k->size = size;
    switch (opc) {
    case 0:
        return true;
    case 1:
        k->is_load = true;
        return true;
    case 2:
        if (size == 3) {
            k->prefetch = true;
            return true;
        }
        k->is_load = k->sign = true;
        return true;
    default:
        if (size >= 2) {
            return false;
        }
        k->is_load = k->sign = k->ext32 = true;
        return true;
    }
}

static void do_ldst_one(DisasContext *s, const LdstKind *k, int rt, TCGv_i64 addr,
                        int mmu_idx)
{
    if (k->prefetch) {
        return;
    }
    if (k->is_vector) {
        if (!fp_access_check(s)) {
            return;
        }
        if (k->is_load) {
            do_fp_ld(s, rt, addr, k->size, mmu_idx);
        } else {
            do_fp_st(s, rt, addr, k->size, mmu_idx);
        }
        return;
    }
    MemOp mop = (MemOp)(k->size | (k->sign ? MO_SIGN : 0));
    if (k->is_load) {
        TCGv_i64 t = tcg_temp_new_i64();
        do_gpr_ld(s, t, addr, mop, mmu_idx);
        write_x(s, rt, t, !k->ext32);
    } else {
        do_gpr_st(s, read_x(s, rt), addr, mop, mmu_idx);
    }
}

static bool trans_LDR_lit(DisasContext *s, arg_LDR_lit *a)
{
    LdstKind k = {0};
    if (a->v) {
        if (a->opc == 3) {
            return false;
        }
        k.is_vector = true;
        k.is_load = true;
        k.size = 2 + a->opc;
    } else {
        switch (a->opc) {
        case 0: k.size = 2; k.is_load = true; break;
        case 1: k.size = 3; k.is_load = true; break;
        case 2: k.size = 2; k.is_load = true; k.sign = true; break;
        default: k.prefetch = true; break;
        }
    }
    TCGv_i64 addr = tcg_constant_i64((int64_t)(s->pc_curr + (int64_t)a->imm * 4));
    do_ldst_one(s, &k, a->rt, addr, s->mmu_idx);
    return true;
}

static bool trans_LDSTP(DisasContext *s, arg_LDSTP *a)
{
    int size;
    bool sign = false;
    if (a->v) {
        if (a->opc == 3) {
            return false;
        }
        size = 2 + a->opc;
    } else {
        switch (a->opc) {
        case 0: size = 2; break;
        case 1:
            if (!a->l || a->type == 0) {
                return false; /* STGP (MTE) / reserved */
            }
            size = 2;
            sign = true;
            break;
        case 2: size = 3; break;
        default: return false;
        }
    }
    if (a->v && !fp_access_check(s)) {
        return true;
    }
    bool post = a->type == 1, wback = a->type == 1 || a->type == 3;
    int64_t off = (int64_t)((uint64_t)(int64_t)a->imm << size);
    TCGv_i64 base = reg_sp(s, a->rn);
    TCGv_i64 addr = tcg_temp_new_i64(), addr2 = tcg_temp_new_i64();
    tcg_gen_addi_i64(addr, base, post ? 0 : off);
    tcg_gen_addi_i64(addr2, addr, 1 << size);
    int midx = s->mmu_idx;
    if (a->l) {
        if (a->v) {
            /* load both into temps first */
            TCGv_i64 t[4];
            for (int i = 0; i < 4; i++) {
                t[i] = tcg_temp_new_i64();
            }
            TCGv_i64 a3 = tcg_temp_new_i64(), a4 = tcg_temp_new_i64();
            if (size == 4) {
                tcg_gen_addi_i64(a3, addr, 8);
                tcg_gen_addi_i64(a4, addr2, 8);
                tcg_gen_guest_ld_i64(t[0], addr, (unsigned)midx, MO_64);
                tcg_gen_guest_ld_i64(t[1], a3, (unsigned)midx, MO_64);
                tcg_gen_guest_ld_i64(t[2], addr2, (unsigned)midx, MO_64);
                tcg_gen_guest_ld_i64(t[3], a4, (unsigned)midx, MO_64);
            } else {
                tcg_gen_guest_ld_i64(t[0], addr, (unsigned)midx, (MemOp)size);
                tcg_gen_guest_ld_i64(t[2], addr2, (unsigned)midx, (MemOp)size);
                tcg_gen_movi_i64(t[1], 0);
                tcg_gen_movi_i64(t[3], 0);
            }
            tcg_gen_st_i64(t[0], tcg_env(), vreg_off(a->rt));
            tcg_gen_st_i64(t[1], tcg_env(), vreg_hi_off(a->rt));
            tcg_gen_st_i64(t[2], tcg_env(), vreg_off(a->rt2));
            tcg_gen_st_i64(t[3], tcg_env(), vreg_hi_off(a->rt2));
        } else {
            TCGv_i64 t1 = tcg_temp_new_i64(), t2 = tcg_temp_new_i64();
            MemOp mop = (MemOp)(size | (sign ? MO_SIGN : 0));
            do_gpr_ld(s, t1, addr, mop, midx);
            do_gpr_ld(s, t2, addr2, mop, midx);
            write_x(s, a->rt, t1, true);
            write_x(s, a->rt2, t2, true);
        }
    } else {
        if (a->v) {
            do_fp_st(s, a->rt, addr, size, midx);
            do_fp_st(s, a->rt2, addr2, size, midx);
        } else {
            /* read both sources before any store (rt may equal rn with writeback) */
            TCGv_i64 v1 = tcg_temp_new_i64(), v2 = tcg_temp_new_i64();
            tcg_gen_mov_i64(v1, read_x(s, a->rt));
            tcg_gen_mov_i64(v2, read_x(s, a->rt2));
            do_gpr_st(s, v1, addr, (MemOp)size, midx);
            do_gpr_st(s, v2, addr2, (MemOp)size, midx);
        }
    }
    if (wback) {
        if (post) {
            tcg_gen_addi_i64(addr, addr, off);
        }
        tcg_gen_mov_i64(reg_sp(s, a->rn), addr);
    }
    return true;
}

static bool trans_LDST_imm9(DisasContext *s, arg_LDST_imm9 *a)
{
    LdstKind k;
    if (!classify_ldst(a->size, a->v, a->opc, &k)) {
        return false;
    }
    int midx = s->mmu_idx;
    if (a->idx == 2) { /* LDTR/STTR: unprivileged */
        if (a->v) {
            return false;
        }
        if (s->el == 1) {
            midx = ARM_MMU_EL0;
        }
    }
    if (k.prefetch && a->idx != 0) {
        return false;
    }
    bool post = a->idx == 1, wback = a->idx == 1 || a->idx == 3;
    TCGv_i64 addr = tcg_temp_new_i64();
    tcg_gen_addi_i64(addr, reg_sp(s, a->rn), post ? 0 : a->imm);
    if (k.is_vector && !fp_access_check(s)) {
        return true;
    }
    do_ldst_one(s, &k, a->rt, addr, midx);
    if (wback) {
        if (post) {
            tcg_gen_addi_i64(addr, addr, a->imm);
        }
        tcg_gen_mov_i64(reg_sp(s, a->rn), addr);
    }
    return true;
}

static bool trans_LDST_reg(DisasContext *s, arg_LDST_reg *a)
{
    LdstKind k;
    if (!(a->opt & 2) || !classify_ldst(a->size, a->v, a->opc, &k)) {
        return false;
    }
    static const MemOp ext[8] = {MO_UB, MO_UW, MO_UL, MO_UQ, MO_SB, MO_SW, MO_SL, MO_UQ};
    TCGv_i64 off = tcg_temp_new_i64(), addr = tcg_temp_new_i64();
    tcg_gen_ext_i64(off, read_x(s, a->rm), ext[a->opt]);
    if (a->s && k.size) {
        tcg_gen_shli_i64(off, off, k.size);
    }
    tcg_gen_add_i64(addr, reg_sp(s, a->rn), off);
    do_ldst_one(s, &k, a->rt, addr, s->mmu_idx);
    return true;
}

static bool trans_LDST_uimm(DisasContext *s, arg_LDST_uimm *a)
{
    LdstKind k;
    if (!classify_ldst(a->size, a->v, a->opc, &k)) {
        return false;
    }
    TCGv_i64 addr = tcg_temp_new_i64();
    tcg_gen_addi_i64(addr, reg_sp(s, a->rn), (int64_t)a->imm << k.size);
    do_ldst_one(s, &k, a->rt, addr, s->mmu_idx);
    return true;
}

/* ---------------------------------------------------------------- exclusives */

static void gen_load_exclusive(DisasContext *s, int rt, int rt2, TCGv_i64 addr, int size,
                               bool pair)
{
    unsigned midx = (unsigned)s->mmu_idx;
    if (!pair) {
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_guest_ld_i64(t, addr, midx, (MemOp)(size | MO_ALIGN));
        tcg_gen_mov_i64(cpu_excl_val, t);
        write_x(s, rt, t, true);
    } else if (size == 2) {
        TCGv_i64 t = tcg_temp_new_i64(), hi = tcg_temp_new_i64();
        tcg_gen_guest_ld_i64(t, addr, midx, (MemOp)(MO_64 | MO_ALIGN));
        tcg_gen_mov_i64(cpu_excl_val, t);
        tcg_gen_shri_i64(hi, t, 32);
        write_x(s, rt, t, false);
        write_x(s, rt2, hi, false);
    } else {
        TCGv_i64 lo = tcg_temp_new_i64(), hi = tcg_temp_new_i64();
        tcg_gen_guest_ld_i128(lo, hi, addr, midx, (MemOp)(MO_128 | MO_ALIGN));
        tcg_gen_mov_i64(cpu_excl_val, lo);
        tcg_gen_mov_i64(cpu_excl_val2, hi);
        write_x(s, rt, lo, true);
        write_x(s, rt2, hi, true);
    }
    tcg_gen_mov_i64(cpu_excl_addr, addr);
}

static void gen_store_exclusive(DisasContext *s, int rs, int rt, int rt2, TCGv_i64 addr,
                                int size, bool pair)
{
    unsigned midx = (unsigned)s->mmu_idx;
    TCGLabel *fail = gen_new_label(), *done = gen_new_label();
    TCGv_i64 status = tcg_temp_new_tb_i64();
    TCGv_i64 a = tcg_temp_new_tb_i64();
    tcg_gen_mov_i64(a, addr);
    tcg_gen_brcond_i64(TCG_COND_NE, a, cpu_excl_addr, fail);
    if (!pair) {
        TCGv_i64 old = tcg_temp_new_i64();
        tcg_gen_atomic_cmpxchg_i64(old, a, cpu_excl_val, read_x(s, rt), midx,
                                   (MemOp)(size | MO_ALIGN));
        tcg_gen_setcond_i64(TCG_COND_NE, status, old, cpu_excl_val);
    } else if (size == 2) {
        TCGv_i64 nv = tcg_temp_new_i64(), old = tcg_temp_new_i64();
        tcg_gen_ext32u_i64(nv, read_x(s, rt));
        tcg_gen_deposit_i64(nv, nv, read_x(s, rt2), 32, 32);
        tcg_gen_atomic_cmpxchg_i64(old, a, cpu_excl_val, nv, midx, (MemOp)(MO_64 | MO_ALIGN));
        tcg_gen_setcond_i64(TCG_COND_NE, status, old, cpu_excl_val);
    } else {
        TCGv_i64 olo = tcg_temp_new_i64(), ohi = tcg_temp_new_i64(), t = tcg_temp_new_i64();
        tcg_gen_atomic_cmpxchg_i128(olo, ohi, a, cpu_excl_val, cpu_excl_val2, read_x(s, rt),
                                    read_x(s, rt2), midx, (MemOp)(MO_128 | MO_ALIGN));
        tcg_gen_xor_i64(olo, olo, cpu_excl_val);
        tcg_gen_xor_i64(ohi, ohi, cpu_excl_val2);
        tcg_gen_or_i64(t, olo, ohi);
        tcg_gen_setcondi_i64(TCG_COND_NE, status, t, 0);
    }
    tcg_gen_br(done);
    gen_set_label(fail);
    tcg_gen_movi_i64(status, 1);
    gen_set_label(done);
    tcg_gen_movi_i64(cpu_excl_addr, -1);
    write_x(s, rs, status, true);
}

static bool trans_LDSTX(DisasContext *s, arg_LDSTX *a)
{
    TCGv_i64 addr = tcg_temp_new_i64();
    tcg_gen_mov_i64(addr, reg_sp(s, a->rn));
    if (!a->o2) {
        bool pair = a->o1;
        if (pair && a->size < 2) {
            return false;
        }
        if (a->l) {
            gen_load_exclusive(s, a->rt, a->rt2, addr, a->size, pair);
            if (a->o0) {
                tcg_gen_mb(TCG_MO_LD_LD | TCG_MO_LD_ST);
            }
        } else {
            if (a->o0) {
                tcg_gen_mb(TCG_MO_LD_ST | TCG_MO_ST_ST);
            }
            gen_store_exclusive(s, a->rs, a->rt, a->rt2, addr, a->size, pair);
        }
        return true;
    }
    if (a->o1) {
        return false; /* CAS space handled by trans_CAS/CASP */
    }
    /* LDAR/STLR (o0 = 1); LDLAR/STLLR (o0 = 0) need FEAT_LOR, which no model has */
    if (!a->o0) {
        return false;
    }
    MemOp mop = (MemOp)(a->size | MO_ALIGN);
    if (a->l) {
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_guest_ld_i64(t, addr, (unsigned)s->mmu_idx, mop);
        tcg_gen_mb(TCG_MO_LD_LD | TCG_MO_LD_ST);
        write_x(s, a->rt, t, true);
    } else {
        tcg_gen_mb(TCG_MO_LD_ST | TCG_MO_ST_ST);
        tcg_gen_guest_st_i64(read_x(s, a->rt), addr, (unsigned)s->mmu_idx, mop);
    }
    return true;
}

static bool trans_CAS(DisasContext *s, arg_CAS *a)
{
    if (!s->env->has_lse) {
        return false;
    }
    TCGv_i64 addr = tcg_temp_new_i64(), old = tcg_temp_new_i64();
    TCGv_i64 cmp = tcg_temp_new_i64();
    tcg_gen_mov_i64(addr, reg_sp(s, a->rn));
    tcg_gen_ext_i64(cmp, read_x(s, a->rs), (MemOp)a->size);
    tcg_gen_atomic_cmpxchg_i64(old, addr, cmp, read_x(s, a->rt), (unsigned)s->mmu_idx,
                               (MemOp)(a->size | MO_ALIGN));
    write_x(s, a->rs, old, true);
    return true;
}

static bool trans_CASP(DisasContext *s, arg_CASP *a)
{
    if (!s->env->has_lse || (a->rs & 1) || (a->rt & 1)) {
        return false;
    }
    TCGv_i64 addr = tcg_temp_new_i64();
    tcg_gen_mov_i64(addr, reg_sp(s, a->rn));
    unsigned midx = (unsigned)s->mmu_idx;
    if (!a->sz) {
        TCGv_i64 cmp = tcg_temp_new_i64(), nv = tcg_temp_new_i64(), old = tcg_temp_new_i64();
        TCGv_i64 hi = tcg_temp_new_i64();
        tcg_gen_ext32u_i64(cmp, read_x(s, a->rs));
        tcg_gen_deposit_i64(cmp, cmp, read_x(s, a->rs + 1), 32, 32);
        tcg_gen_ext32u_i64(nv, read_x(s, a->rt));
        tcg_gen_deposit_i64(nv, nv, read_x(s, a->rt + 1), 32, 32);
        tcg_gen_atomic_cmpxchg_i64(old, addr, cmp, nv, midx, (MemOp)(MO_64 | MO_ALIGN));
        tcg_gen_shri_i64(hi, old, 32);
        write_x(s, a->rs, old, false);
        write_x(s, a->rs + 1, hi, false);
    } else {
        TCGv_i64 olo = tcg_temp_new_i64(), ohi = tcg_temp_new_i64();
        tcg_gen_atomic_cmpxchg_i128(olo, ohi, addr, read_x(s, a->rs), read_x(s, a->rs + 1),
                                    read_x(s, a->rt), read_x(s, a->rt + 1), midx,
                                    (MemOp)(MO_128 | MO_ALIGN));
        write_x(s, a->rs, olo, true);
        write_x(s, a->rs + 1, ohi, true);
    }
    return true;
}

static bool trans_LSE_ATOMIC(DisasContext *s, arg_LSE_ATOMIC *a)
{
    static const TCGAtomicOp ops[8] = {
        TCG_ATOMIC_ADD,  TCG_ATOMIC_ANDC, TCG_ATOMIC_XOR,  TCG_ATOMIC_OR,
        TCG_ATOMIC_SMAX, TCG_ATOMIC_SMIN, TCG_ATOMIC_UMAX, TCG_ATOMIC_UMIN,
    };
    if (!s->env->has_lse) {
        return false;
    }
    TCGAtomicOp op;
    if (a->o3) {
        if (a->opc != 0) {
            return false; /* LDAPR (v8.3) and reserved */
        }
        op = TCG_ATOMIC_XCHG;
    } else {
        op = ops[a->opc];
    }
    bool sign = op == TCG_ATOMIC_SMAX || op == TCG_ATOMIC_SMIN;
    MemOp mop = (MemOp)(a->size | MO_ALIGN | (sign ? MO_SIGN : 0));
    TCGv_i64 addr = tcg_temp_new_i64(), val = tcg_temp_new_i64(), old = tcg_temp_new_i64();
    tcg_gen_mov_i64(addr, reg_sp(s, a->rn));
    tcg_gen_ext_i64(val, read_x(s, a->rs), (MemOp)(a->size | (sign ? MO_SIGN : 0)));
    tcg_gen_atomic_rmw_i64(op, old, addr, val, (unsigned)s->mmu_idx, mop);
    tcg_gen_ext_i64(old, old, (MemOp)a->size);
    write_x(s, a->rt, old, true);
    return true;
}

/* ---------------------------------------------------------------- AdvSIMD structures */

static void gen_post_index(DisasContext *s, int rn, int rm, TCGv_i64 addr, int total)
{
    if (rm == 31) {
        tcg_gen_addi_i64(addr, addr, total);
    } else {
        tcg_gen_add_i64(addr, addr, cpu_X[rm]);
    }
    tcg_gen_mov_i64(reg_sp(s, rn), addr);
}

static bool trans_LDST_MULT(DisasContext *s, arg_LDST_MULT *a)
{
    int rpt, selem;
    switch (a->opcode) {
    case 0x0: rpt = 1; selem = 4; break;
    case 0x2: rpt = 4; selem = 1; break;
    case 0x4: rpt = 1; selem = 3; break;
    case 0x6: rpt = 3; selem = 1; break;
    case 0x7: rpt = 1; selem = 1; break;
    case 0x8: rpt = 1; selem = 2; break;
    case 0xa: rpt = 2; selem = 1; break;
    default: return false;
    }
    if (a->size == 3 && !a->q && selem != 1) {
        return false;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    unsigned midx = (unsigned)s->mmu_idx;
    int ebytes = 1 << a->size, elements = (a->q ? 16 : 8) / ebytes;
    TCGv_i64 addr = tcg_temp_new_i64();
    tcg_gen_mov_i64(addr, reg_sp(s, a->rn));
    TCGv_i64 ea = tcg_temp_new_i64(), t = tcg_temp_new_i64();
    int off = 0;
    if (selem == 1) {
        /* LD1/ST1: contiguous, so move whole 64-bit halves */
        for (int r = 0; r < rpt; r++) {
            int tt = (a->rt + r) % 32;
            for (int h = 0; h < (a->q ? 2 : 1); h++) {
                tcg_gen_addi_i64(ea, addr, off);
                intptr_t ofs = h ? vreg_hi_off(tt) : vreg_off(tt);
                if (a->l) {
                    tcg_gen_guest_ld_i64(t, ea, midx, MO_64);
                    tcg_gen_st_i64(t, tcg_env(), ofs);
                } else {
                    tcg_gen_ld_i64(t, tcg_env(), ofs);
                    tcg_gen_guest_st_i64(t, ea, midx, MO_64);
                }
                off += 8;
            }
        }
    } else {
        for (int e = 0; e < elements; e++) {
            for (int sx = 0; sx < selem; sx++) {
                int tt = (a->rt + sx) % 32;
                tcg_gen_addi_i64(ea, addr, off);
                intptr_t ofs = vreg_elt_off(tt, e, a->size);
                if (a->l) {
                    tcg_gen_guest_ld_i64(t, ea, midx, (MemOp)a->size);
                    switch (a->size) {
                    case 0: tcg_gen_st8_i64(t, tcg_env(), ofs); break;
                    case 1: tcg_gen_st16_i64(t, tcg_env(), ofs); break;
                    case 2: tcg_gen_st32_i64(t, tcg_env(), ofs); break;
                    default: tcg_gen_st_i64(t, tcg_env(), ofs); break;
                    }
                } else {
                    switch (a->size) {
                    case 0: tcg_gen_ld8u_i64(t, tcg_env(), ofs); break;
                    case 1: tcg_gen_ld16u_i64(t, tcg_env(), ofs); break;
                    case 2: tcg_gen_ld32u_i64(t, tcg_env(), ofs); break;
                    default: tcg_gen_ld_i64(t, tcg_env(), ofs); break;
                    }
                    tcg_gen_guest_st_i64(t, ea, midx, (MemOp)a->size);
                }
                off += ebytes;
            }
        }
    }
    if (a->l && !a->q) {
        for (int r = 0; r < rpt * selem; r++) {
            clear_vec_high(s, (a->rt + r) % 32);
        }
    }
    if (a->post) {
        gen_post_index(s, a->rn, a->rm, addr, off);
    }
    return true;
}

static bool trans_LDST_SINGLE(DisasContext *s, arg_LDST_SINGLE *a)
{
    int selem = ((a->opcode & 1) << 1 | a->r) + 1;
    int scale = a->opcode >> 1, index;
    bool replicate = false;
    switch (scale) {
    case 0:
        index = a->q << 3 | a->s << 2 | a->size;
        break;
    case 1:
        if (a->size & 1) {
            return false;
        }
        index = a->q << 2 | a->s << 1 | (a->size >> 1);
        break;
    case 2:
        if (a->size & 2) {
            return false;
        }
        if (a->size & 1) {
            if (a->s) {
                return false;
            }
            index = a->q;
            scale = 3;
        } else {
            index = a->q << 1 | a->s;
        }
        break;
    default:
        if (!a->l || a->s) {
            return false;
        }
        replicate = true;
        scale = a->size;
        index = 0;
        break;
    }
    if (!fp_access_check(s)) {
        return true;
    }
    unsigned midx = (unsigned)s->mmu_idx;
    int ebytes = 1 << scale;
    TCGv_i64 addr = tcg_temp_new_i64(), ea = tcg_temp_new_i64(), t = tcg_temp_new_i64();
    tcg_gen_mov_i64(addr, reg_sp(s, a->rn));
    for (int sx = 0; sx < selem; sx++) {
        int tt = (a->rt + sx) % 32;
        tcg_gen_addi_i64(ea, addr, sx * ebytes);
        if (replicate) {
            static const int64_t rep[4] = {0x0101010101010101ll, 0x0001000100010001ll,
                                           0x0000000100000001ll, 1};
            tcg_gen_guest_ld_i64(t, ea, midx, (MemOp)scale);
            tcg_gen_muli_i64(t, t, rep[scale]);
            tcg_gen_st_i64(t, tcg_env(), vreg_off(tt));
            if (a->q) {
                tcg_gen_st_i64(t, tcg_env(), vreg_hi_off(tt));
            } else {
                clear_vec_high(s, tt);
            }
            continue;
        }
        intptr_t ofs = vreg_elt_off(tt, index, scale);
        if (a->l) {
            tcg_gen_guest_ld_i64(t, ea, midx, (MemOp)scale);
            switch (scale) {
            case 0: tcg_gen_st8_i64(t, tcg_env(), ofs); break;
            case 1: tcg_gen_st16_i64(t, tcg_env(), ofs); break;
            case 2: tcg_gen_st32_i64(t, tcg_env(), ofs); break;
            default: tcg_gen_st_i64(t, tcg_env(), ofs); break;
            }
        } else {
            switch (scale) {
            case 0: tcg_gen_ld8u_i64(t, tcg_env(), ofs); break;
            case 1: tcg_gen_ld16u_i64(t, tcg_env(), ofs); break;
            case 2: tcg_gen_ld32u_i64(t, tcg_env(), ofs); break;
            default: tcg_gen_ld_i64(t, tcg_env(), ofs); break;
            }
            tcg_gen_guest_st_i64(t, ea, midx, (MemOp)scale);
        }
    }
    if (a->post) {
        gen_post_index(s, a->rn, a->rm, addr, selem * ebytes);
    }
    return true;
}

bool a64_decode_ldst(DisasContext *s, uint32_t insn)
{
    return decode_a64_ldst(s, insn);
}
