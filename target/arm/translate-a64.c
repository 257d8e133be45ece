/*
 * translate-a64.c — A64 instructions to TCG IR: the translator hooks, integer
 * data processing, branches, exception generation and system instructions.
 *
 * One trans_<PATTERN>() per pattern of a64.decode. A trans_ function returns
 * false only for a reserved encoding it has not started emitting code for;
 * the caller then raises UNDEFINED. Flags use the split NF/ZF/CF/VF words of
 * cpu.h. Register 31 is XZR or SP depending on the operand (read_x/reg_sp).
 * Helpers are declared in helper.h; anything that may change the TB key
 * (EL, PAN, FP enable) or unmask interrupts ends the TB and returns to the
 * loop (DISAS_UPDATE_EXIT).
 */
#include <inttypes.h>

#include "target/arm/translate.h"

#include "exec/cputlb.h"

#define HELPER_H "target/arm/helper.h"
#include "exec/helper-gen.h"

#define DISAS_EXIT DISAS_TARGET_5 /* cpu_pc already set; back to the loop */

__thread TCGv_i64 cpu_X[31];
__thread TCGv_i64 cpu_SP, cpu_pc;
__thread TCGv_i32 cpu_NF, cpu_ZF, cpu_CF, cpu_VF;
__thread TCGv_i64 cpu_excl_addr, cpu_excl_val, cpu_excl_val2;

static const char *const xnames[31] = {
    "x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",  "x9",  "x10",
    "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21",
    "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "lr",
};

void arm_translate_init(CPUState *cs)
{
    (void)cs;
    for (int i = 0; i < 31; i++) {
        cpu_X[i] = tcg_global_mem_new_i64(ENV_OFF(x[i]), xnames[i]);
    }
    cpu_SP = tcg_global_mem_new_i64(ENV_OFF(sp), "sp");
    cpu_pc = tcg_global_mem_new_i64(ENV_OFF(pc), "pc");
    cpu_NF = tcg_global_mem_new_i32(ENV_OFF(NF), "NF");
    cpu_ZF = tcg_global_mem_new_i32(ENV_OFF(ZF), "ZF");
    cpu_CF = tcg_global_mem_new_i32(ENV_OFF(CF), "CF");
    cpu_VF = tcg_global_mem_new_i32(ENV_OFF(VF), "VF");
    cpu_excl_addr = tcg_global_mem_new_i64(ENV_OFF(excl_addr), "excl_addr");
    cpu_excl_val = tcg_global_mem_new_i64(ENV_OFF(excl_val), "excl_val");
    cpu_excl_val2 = tcg_global_mem_new_i64(ENV_OFF(excl_val2), "excl_val2");
}

/* ---------------------------------------------------------------- registers */

TCGv_i64 read_x(DisasContext *s, int r)
{
    (void)s;
    return r == 31 ? tcg_constant_i64(0) : cpu_X[r];
}

TCGv_i64 dest_x(DisasContext *s, int r)
{
    (void)s;
    return r == 31 ? tcg_temp_new_i64() : cpu_X[r];
}

TCGv_i64 reg_sp(DisasContext *s, int r)
{
    (void)s;
    return r == 31 ? cpu_SP : cpu_X[r];
}

void write_x(DisasContext *s, int r, TCGv_i64 v, bool sf)
{
    if (r == 31) {
        return;
    }
    if (sf) {
        tcg_gen_mov_i64(cpu_X[r], v);
    } else {
        tcg_gen_ext32u_i64(cpu_X[r], v);
    }
    (void)s;
}

static void write_sp_or_x(DisasContext *s, int r, TCGv_i64 v, bool sf)
{
    TCGv_i64 d = reg_sp(s, r);
    if (sf) {
        tcg_gen_mov_i64(d, v);
    } else {
        tcg_gen_ext32u_i64(d, v);
    }
}

/* ---------------------------------------------------------------- exceptions */

static void gen_exception_at(DisasContext *s, uint64_t pc, int excp, uint32_t syndrome)
{
    tcg_gen_movi_i64(cpu_pc, (int64_t)pc);
    gen_helper_exception(tcg_env(), tcg_constant_i32(excp), tcg_constant_i32((int32_t)syndrome));
    s->base.is_jmp = DISAS_NORETURN;
}

void gen_exception_insn(DisasContext *s, int excp, uint32_t syndrome)
{
    gen_exception_at(s, s->pc_curr, excp, syndrome);
}

void unallocated(DisasContext *s)
{
    log_mask_printf(LOG_UNIMP, "a64: UNDEFINED/unimplemented insn %08x at %016" PRIx64 "\n",
                    s->insn, s->pc_curr);
    gen_exception_insn(s, ARM_EXCP_UDEF, syn_make(EC_UNCATEGORIZED, 0));
}

bool fp_access_check(DisasContext *s)
{
    if (s->fp_enabled) {
        return true;
    }
    /* CPACR_EL1.FPEN trap: EC 0x07; from AArch64 the ISS reports CV = 1, COND = 0xE */
    gen_exception_insn(s, ARM_EXCP_UDEF, syn_make(EC_FPACCESS, 1u << 24 | 0xeu << 20));
    return false;
}

void gen_goto_tb(DisasContext *s, int n, uint64_t dest)
{
    if (translator_use_goto_tb(&s->base, dest)) {
        /*
         * pc is stored BEFORE the patchable jump: when the jump is chained
         * and the next TB leaves at entry (exit request), the loop sees a
         * correct pc without having to resynchronise it from the TB.
         */
        tcg_gen_movi_i64(cpu_pc, (int64_t)dest);
        tcg_gen_goto_tb((unsigned)n);
        tcg_gen_exit_tb(s->base.tb, (unsigned)n);
    } else {
        tcg_gen_movi_i64(cpu_pc, (int64_t)dest);
        tcg_gen_lookup_and_goto_ptr();
    }
    s->base.is_jmp = DISAS_NORETURN;
}

/* ---------------------------------------------------------------- flags */

void arm_test_cc(DisasCompare *c, int cc)
{
    TCGv_i32 v;
    TCGCond cond;
    switch (cc >> 1) {
    case 0: /* EQ / NE */
        cond = TCG_COND_EQ;
        v = cpu_ZF;
        break;
    case 1: /* CS / CC */
        cond = TCG_COND_NE;
        v = cpu_CF;
        break;
    case 2: /* MI / PL */
        cond = TCG_COND_LT;
        v = cpu_NF;
        break;
    case 3: /* VS / VC */
        cond = TCG_COND_LT;
        v = cpu_VF;
        break;
    case 4: /* HI: C && !Z;  LS */
        cond = TCG_COND_NE;
        v = tcg_temp_new_i32();
        tcg_gen_neg_i32(v, cpu_CF);
        tcg_gen_and_i32(v, v, cpu_ZF);
        break;
    case 5: /* GE: N == V;  LT */
        cond = TCG_COND_GE;
        v = tcg_temp_new_i32();
        tcg_gen_xor_i32(v, cpu_VF, cpu_NF);
        break;
    case 6: /* GT: !Z && N == V;  LE */
        cond = TCG_COND_NE;
        v = tcg_temp_new_i32();
        tcg_gen_xor_i32(v, cpu_VF, cpu_NF);
        tcg_gen_sari_i32(v, v, 31);
        tcg_gen_andc_i32(v, cpu_ZF, v);
        break;
    default: /* AL, NV */
        cond = TCG_COND_ALWAYS;
        v = cpu_ZF;
        break;
    }
    if ((cc & 1) && (cc >> 1) != 7) {
        cond = tcg_invert_cond(cond);
    }
    c->cond = cond;
    c->value = v;
}

void gen_set_nz64(TCGv_i64 r)
{
    tcg_gen_extrl_i64_i32(cpu_ZF, r);
    tcg_gen_extrh_i64_i32(cpu_NF, r);
    tcg_gen_or_i32(cpu_ZF, cpu_ZF, cpu_NF);
}

void gen_logic_cc(bool sf, TCGv_i64 r)
{
    if (sf) {
        gen_set_nz64(r);
    } else {
        tcg_gen_extrl_i64_i32(cpu_ZF, r);
        tcg_gen_mov_i32(cpu_NF, cpu_ZF);
    }
    tcg_gen_movi_i32(cpu_CF, 0);
    tcg_gen_movi_i32(cpu_VF, 0);
}

void gen_add_cc(bool sf, TCGv_i64 dest, TCGv_i64 a, TCGv_i64 b)
{
    if (sf) {
        TCGv_i64 res = tcg_temp_new_i64(), flag = tcg_temp_new_i64();
        TCGv_i64 z = tcg_constant_i64(0), t = tcg_temp_new_i64();
        tcg_gen_add2_i64(res, flag, a, z, b, z);
        tcg_gen_extrl_i64_i32(cpu_CF, flag);
        gen_set_nz64(res);
        tcg_gen_xor_i64(flag, res, a);
        tcg_gen_xor_i64(t, a, b);
        tcg_gen_andc_i64(flag, flag, t);
        tcg_gen_extrh_i64_i32(cpu_VF, flag);
        tcg_gen_mov_i64(dest, res);
    } else {
        TCGv_i32 a32 = tcg_temp_new_i32(), b32 = tcg_temp_new_i32();
        TCGv_i32 z = tcg_constant_i32(0), t = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(a32, a);
        tcg_gen_extrl_i64_i32(b32, b);
        tcg_gen_add2_i32(cpu_NF, cpu_CF, a32, z, b32, z);
        tcg_gen_mov_i32(cpu_ZF, cpu_NF);
        tcg_gen_xor_i32(cpu_VF, cpu_NF, a32);
        tcg_gen_xor_i32(t, a32, b32);
        tcg_gen_andc_i32(cpu_VF, cpu_VF, t);
        tcg_gen_extu_i32_i64(dest, cpu_NF);
    }
}

void gen_sub_cc(bool sf, TCGv_i64 dest, TCGv_i64 a, TCGv_i64 b)
{
    if (sf) {
        TCGv_i64 res = tcg_temp_new_i64(), t = tcg_temp_new_i64(), f = tcg_temp_new_i64();
        tcg_gen_sub_i64(res, a, b);
        gen_set_nz64(res);
        tcg_gen_setcond_i64(TCG_COND_GEU, f, a, b);
        tcg_gen_extrl_i64_i32(cpu_CF, f);
        tcg_gen_xor_i64(f, res, a);
        tcg_gen_xor_i64(t, a, b);
        tcg_gen_and_i64(f, f, t);
        tcg_gen_extrh_i64_i32(cpu_VF, f);
        tcg_gen_mov_i64(dest, res);
    } else {
        TCGv_i32 a32 = tcg_temp_new_i32(), b32 = tcg_temp_new_i32(), t = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(a32, a);
        tcg_gen_extrl_i64_i32(b32, b);
        tcg_gen_sub_i32(cpu_NF, a32, b32);
        tcg_gen_mov_i32(cpu_ZF, cpu_NF);
        tcg_gen_setcond_i32(TCG_COND_GEU, cpu_CF, a32, b32);
        tcg_gen_xor_i32(cpu_VF, cpu_NF, a32);
        tcg_gen_xor_i32(t, a32, b32);
        tcg_gen_and_i32(cpu_VF, cpu_VF, t);
        tcg_gen_extu_i32_i64(dest, cpu_NF);
    }
}

/* dest = a + b + C, setting flags (SBC: b inverted by the caller) */
static void gen_adc_cc(bool sf, TCGv_i64 dest, TCGv_i64 a, TCGv_i64 b)
{
    if (sf) {
        TCGv_i64 res = tcg_temp_new_i64(), flag = tcg_temp_new_i64();
        TCGv_i64 z = tcg_constant_i64(0), c = tcg_temp_new_i64(), t = tcg_temp_new_i64();
        tcg_gen_extu_i32_i64(c, cpu_CF);
        tcg_gen_add2_i64(res, flag, a, z, c, z);
        tcg_gen_add2_i64(res, flag, res, flag, b, z);
        tcg_gen_extrl_i64_i32(cpu_CF, flag);
        gen_set_nz64(res);
        tcg_gen_xor_i64(flag, res, a);
        tcg_gen_xor_i64(t, a, b);
        tcg_gen_andc_i64(flag, flag, t);
        tcg_gen_extrh_i64_i32(cpu_VF, flag);
        tcg_gen_mov_i64(dest, res);
    } else {
        TCGv_i32 a32 = tcg_temp_new_i32(), b32 = tcg_temp_new_i32();
        TCGv_i32 z = tcg_constant_i32(0), t = tcg_temp_new_i32(), c = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(a32, a);
        tcg_gen_extrl_i64_i32(b32, b);
        tcg_gen_add2_i32(t, c, a32, z, cpu_CF, z);
        tcg_gen_add2_i32(cpu_NF, cpu_CF, t, c, b32, z);
        tcg_gen_mov_i32(cpu_ZF, cpu_NF);
        tcg_gen_xor_i32(cpu_VF, cpu_NF, a32);
        tcg_gen_xor_i32(t, a32, b32);
        tcg_gen_andc_i32(cpu_VF, cpu_VF, t);
        tcg_gen_extu_i32_i64(dest, cpu_NF);
    }
}

/* ---------------------------------------------------------------- decoder */

#include "target/arm/a64.c.inc"

/* ---------------------------------------------------------------- DP immediate */

static bool trans_ADR(DisasContext *s, arg_ADR *a)
{
    tcg_gen_movi_i64(dest_x(s, a->rd), (int64_t)(s->pc_curr + (int64_t)a->imm));
    return true;
}

static bool trans_ADRP(DisasContext *s, arg_ADRP *a)
{
    uint64_t base = s->pc_curr & ~0xfffull;
    tcg_gen_movi_i64(dest_x(s, a->rd), (int64_t)(base + ((uint64_t)(int64_t)a->imm << 12)));
    return true;
}

static bool trans_ADDSUB_i(DisasContext *s, arg_ADDSUB_i *a)
{
    TCGv_i64 rn = reg_sp(s, a->rn);
    TCGv_i64 imm = tcg_constant_i64((int64_t)a->imm << (a->sh ? 12 : 0));
    TCGv_i64 res = tcg_temp_new_i64();
    if (a->s) {
        if (a->op) {
            gen_sub_cc(a->sf, res, rn, imm);
        } else {
            gen_add_cc(a->sf, res, rn, imm);
        }
        write_x(s, a->rd, res, a->sf);
    } else {
        if (a->op) {
            tcg_gen_sub_i64(res, rn, imm);
        } else {
            tcg_gen_add_i64(res, rn, imm);
        }
        write_sp_or_x(s, a->rd, res, a->sf);
    }
    return true;
}

static uint64_t ones64(int n)
{
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

/* DecodeBitMasks (Arm ARM J1 shared pseudocode) for logical immediates */
static bool decode_bitmask(int n, int imms, int immr, bool sf, uint64_t *out)
{
    int v = (n << 6) | (~imms & 0x3f);
    if (v == 0) {
        return false;
    }
    int len = 31 - __builtin_clz((unsigned)v);
    if (len < 1) {
        return false;
    }
    int e = 1 << len;
    int levels = e - 1;
    int sv = imms & levels, r = immr & levels;
    if (sv == levels) {
        return false;
    }
    uint64_t welem = ones64(sv + 1);
    if (r) {
        welem = ((welem >> r) | (welem << (e - r))) & ones64(e);
    }
    while (e < 64) {
        welem |= welem << e;
        e *= 2;
    }
    if (!sf) {
        welem &= 0xffffffffull;
    }
    *out = welem;
    return true;
}

static bool trans_LOGIC_i(DisasContext *s, arg_LOGIC_i *a)
{
    uint64_t imm;
    if (!a->sf && a->n) {
        return false;
    }
    if (!decode_bitmask(a->n, a->imms, a->immr, a->sf, &imm)) {
        return false;
    }
    TCGv_i64 rn = read_x(s, a->rn), res = tcg_temp_new_i64();
    switch (a->opc) {
    case 0: tcg_gen_andi_i64(res, rn, (int64_t)imm); break;
    case 1: tcg_gen_ori_i64(res, rn, (int64_t)imm); break;
    case 2: tcg_gen_xori_i64(res, rn, (int64_t)imm); break;
    default:
        tcg_gen_andi_i64(res, rn, (int64_t)imm);
        gen_logic_cc(a->sf, res);
        write_x(s, a->rd, res, a->sf);
        return true;
    }
    write_sp_or_x(s, a->rd, res, a->sf);
    return true;
}

static bool trans_MOVW(DisasContext *s, arg_MOVW *a)
{
    if (a->opc == 1 || (!a->sf && a->hw >= 2)) {
        return false;
    }
    int pos = a->hw * 16;
    uint64_t imm = (uint64_t)a->imm << pos;
    if (a->rd == 31) {
        return true;
    }
    TCGv_i64 rd = cpu_X[a->rd];
    switch (a->opc) {
    case 0: /* MOVN */
        imm = ~imm;
        if (!a->sf) {
            imm &= 0xffffffffull;
        }
        tcg_gen_movi_i64(rd, (int64_t)imm);
        break;
    case 2: /* MOVZ */
        tcg_gen_movi_i64(rd, (int64_t)imm);
        break;
    default: /* MOVK */
        tcg_gen_deposit_i64(rd, rd, tcg_constant_i64(a->imm), (unsigned)pos, 16);
        if (!a->sf) {
            tcg_gen_ext32u_i64(rd, rd);
        }
        break;
    }
    return true;
}

static bool trans_BITFIELD(DisasContext *s, arg_BITFIELD *a)
{
    int size = a->sf ? 64 : 32;
    if (a->opc == 3 || a->n != a->sf || a->immr >= size || a->imms >= size) {
        return false;
    }
    TCGv_i64 src = read_x(s, a->rn), res = tcg_temp_new_i64();
    int r = a->immr, sv = a->imms;
    if (sv >= r) {
        unsigned len = (unsigned)(sv - r + 1);
        switch (a->opc) {
        case 0: tcg_gen_sextract_i64(res, src, (unsigned)r, len); break;
        case 2: tcg_gen_extract_i64(res, src, (unsigned)r, len); break;
        default: {
            TCGv_i64 f = tcg_temp_new_i64();
            tcg_gen_extract_i64(f, src, (unsigned)r, len);
            tcg_gen_deposit_i64(res, read_x(s, a->rd), f, 0, len);
            break;
        }
        }
    } else {
        unsigned pos = (unsigned)(size - r), len = (unsigned)(sv + 1);
        switch (a->opc) {
        case 0:
            tcg_gen_sextract_i64(res, src, 0, len);
            tcg_gen_shli_i64(res, res, (int64_t)pos);
            break;
        case 2:
            tcg_gen_extract_i64(res, src, 0, len);
            tcg_gen_shli_i64(res, res, (int64_t)pos);
            break;
        default:
            tcg_gen_deposit_i64(res, read_x(s, a->rd), src, pos, len);
            break;
        }
    }
    write_x(s, a->rd, res, a->sf);
    return true;
}

static bool trans_EXTR(DisasContext *s, arg_EXTR *a)
{
    if (a->n != a->sf || (!a->sf && a->imms >= 32)) {
        return false;
    }
    TCGv_i64 res = tcg_temp_new_i64();
    if (a->sf) {
        tcg_gen_extract2_i64(res, read_x(s, a->rm), read_x(s, a->rn), (unsigned)a->imms);
    } else {
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_ext32u_i64(t, read_x(s, a->rm));
        tcg_gen_deposit_i64(t, t, read_x(s, a->rn), 32, 32);
        tcg_gen_shri_i64(res, t, a->imms);
    }
    write_x(s, a->rd, res, a->sf);
    return true;
}

/* ---------------------------------------------------------------- branches */

static bool trans_B(DisasContext *s, arg_B *a)
{
    gen_goto_tb(s, 0, s->pc_curr + (int64_t)a->imm * 4);
    return true;
}

static bool trans_BL(DisasContext *s, arg_BL *a)
{
    tcg_gen_movi_i64(cpu_X[30], (int64_t)(s->pc_curr + 4));
    gen_goto_tb(s, 0, s->pc_curr + (int64_t)a->imm * 4);
    return true;
}

static void gen_cond_branch(DisasContext *s, TCGCond cond, TCGv_i64 v, int64_t off)
{
    TCGLabel *taken = gen_new_label();
    tcg_gen_brcondi_i64(cond, v, 0, taken);
    gen_goto_tb(s, 0, s->base.pc_next);
    gen_set_label(taken);
    gen_goto_tb(s, 1, s->pc_curr + off);
}

static bool trans_CBZ(DisasContext *s, arg_CBZ *a)
{
    TCGv_i64 t = tcg_temp_new_i64();
    if (a->sf) {
        tcg_gen_mov_i64(t, read_x(s, a->rt));
    } else {
        tcg_gen_ext32u_i64(t, read_x(s, a->rt));
    }
    gen_cond_branch(s, a->nz ? TCG_COND_NE : TCG_COND_EQ, t, (int64_t)a->imm * 4);
    return true;
}

static bool trans_TBZ(DisasContext *s, arg_TBZ *a)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_andi_i64(t, read_x(s, a->rt), (int64_t)(1ull << a->bitpos));
    gen_cond_branch(s, a->nz ? TCG_COND_NE : TCG_COND_EQ, t, (int64_t)a->imm * 4);
    return true;
}

static bool trans_B_cond(DisasContext *s, arg_B_cond *a)
{
    if (a->cond >= 14) {
        gen_goto_tb(s, 0, s->pc_curr + (int64_t)a->imm * 4);
        return true;
    }
    DisasCompare c;
    arm_test_cc(&c, a->cond);
    TCGLabel *taken = gen_new_label();
    tcg_gen_brcondi_i32(c.cond, c.value, 0, taken);
    gen_goto_tb(s, 0, s->base.pc_next);
    gen_set_label(taken);
    gen_goto_tb(s, 1, s->pc_curr + (int64_t)a->imm * 4);
    return true;
}

static void gen_branch_reg(DisasContext *s, int rn, bool link)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_mov_i64(t, read_x(s, rn));
    if (link) {
        tcg_gen_movi_i64(cpu_X[30], (int64_t)(s->pc_curr + 4));
    }
    tcg_gen_mov_i64(cpu_pc, t);
    s->base.is_jmp = DISAS_JUMP;
}

static bool trans_BR(DisasContext *s, arg_BR *a)
{
    gen_branch_reg(s, a->rn, false);
    return true;
}

static bool trans_BLR(DisasContext *s, arg_BLR *a)
{
    gen_branch_reg(s, a->rn, true);
    return true;
}

static bool trans_RET(DisasContext *s, arg_RET *a)
{
    gen_branch_reg(s, a->rn, false);
    return true;
}

static bool trans_ERET(DisasContext *s, arg_ERET *a)
{
    (void)a;
    if (s->el == 0) {
        unallocated(s);
        return true;
    }
    gen_helper_eret(tcg_env());
    s->base.is_jmp = DISAS_EXIT;
    return true;
}

/* ---------------------------------------------------------------- exception generation */

static bool trans_SVC(DisasContext *s, arg_SVC *a)
{
    /* preferred return address: the next instruction */
    gen_exception_at(s, s->base.pc_next, ARM_EXCP_SWI, syn_make(EC_SVC, (uint32_t)a->imm));
    return true;
}

static bool trans_HVC(DisasContext *s, arg_HVC *a)
{
    if (s->el == 0) {
        unallocated(s);
        return true;
    }
    tcg_gen_movi_i64(cpu_pc, (int64_t)s->pc_curr);
    gen_helper_hvc(tcg_env(), tcg_constant_i32(a->imm));
    s->base.is_jmp = DISAS_UPDATE_EXIT;
    return true;
}

/* SMC with EL3 not implemented is UNDEFINED (Arm ARM C6.2.283); the board's
 * PSCI conduit is HVC, as its device tree says. */
static bool trans_SMC(DisasContext *s, arg_SMC *a)
{
    unallocated(s);
    return true;
}

static bool trans_BRK(DisasContext *s, arg_BRK *a)
{
    gen_exception_insn(s, ARM_EXCP_BKPT, syn_make(EC_BRK, (uint32_t)a->imm));
    return true;
}

static bool trans_HLT(DisasContext *s, arg_HLT *a)
{
    (void)a;
    unallocated(s); /* halting debug is not enabled */
    return true;
}

/* ---------------------------------------------------------------- hints, barriers, PSTATE */

static bool trans_HINT(DisasContext *s, arg_HINT *a)
{
    int op = a->crm << 3 | a->op2;
    switch (op) {
    case 1: /* YIELD */
    case 2: /* WFE */
        tcg_gen_movi_i64(cpu_pc, (int64_t)s->base.pc_next);
        s->base.is_jmp = DISAS_WFE;
        break;
    case 3: /* WFI */
        tcg_gen_movi_i64(cpu_pc, (int64_t)s->base.pc_next);
        s->base.is_jmp = DISAS_WFI;
        break;
    default:
        /* NOP, SEV, SEVL, ESB, PSB, CSDB, PAC* and BTI hints (not implemented
         * features execute as NOP, per the hint space rules) */
        break;
    }
    return true;
}

static bool trans_CLREX(DisasContext *s, arg_CLREX *a)
{
    (void)s;
    (void)a;
    tcg_gen_movi_i64(cpu_excl_addr, -1);
    return true;
}

static bool trans_DSB_DMB(DisasContext *s, arg_DSB_DMB *a)
{
    switch (a->op) {
    case 0: /* DSB (incl. SSBB/PSSBB) */
    case 1: { /* DMB */
        TCGBar bar;
        switch (a->crm & 3) {
        case 1: bar = TCG_MO_LD_LD | TCG_MO_LD_ST; break;
        case 2: bar = TCG_MO_ST_ST; break;
        default: bar = TCG_MO_ALL; break;
        }
        tcg_gen_mb(bar);
        return true;
    }
    case 2: /* ISB: context synchronisation; leave to pick up new state */
        s->base.is_jmp = DISAS_UPDATE_EXIT;
        return true;
    default: /* SB */
        if (a->crm != 0) {
            return false;
        }
        tcg_gen_mb(TCG_MO_ALL);
        return true;
    }
}

static bool trans_MSR_i(DisasContext *s, arg_MSR_i *a)
{
    int op = a->op1 << 3 | a->op2;
    switch (op) {
    case 0x05: /* SPSel */
    case 0x04: /* PAN */
        if (s->el == 0 || (op == 0x04 && !s->env->has_pan)) {
            unallocated(s);
            return true;
        }
        break;
    case 0x1e: /* DAIFSet */
    case 0x1f: /* DAIFClr */
        if (s->el == 0 && !s->uma) {
            gen_exception_insn(s, ARM_EXCP_UDEF, syn_make(EC_SYSREG, 0));
            return true;
        }
        break;
    default:
        unallocated(s);
        return true;
    }
    gen_helper_msr_i_pstate(tcg_env(), tcg_constant_i32(op), tcg_constant_i32(a->crm));
    s->base.is_jmp = DISAS_UPDATE_EXIT;
    return true;
}

/* ---------------------------------------------------------------- SYS: caches, TLBI, AT */

static bool trans_SYS(DisasContext *s, arg_SYS *a)
{
    if (a->l) {
        unallocated(s); /* SYSL: nothing defined */
        return true;
    }
    int key = a->op1 << 11 | a->crn << 7 | a->crm << 3 | a->op2;
#define SYSK(op1, crn, crm, op2) ((op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))
    bool el0_ok = a->op1 == 3;
    if (s->el == 0 && !el0_ok) {
        unallocated(s);
        return true;
    }
    if (a->crn == 8 && a->op1 == 0) {
        /* TLBI ...E1: this core; the IS forms are also broadcast (mmu.c) */
        gen_helper_tlbi(tcg_env(), tcg_constant_i32(key), read_x(s, a->rt));
        s->base.is_jmp = DISAS_UPDATE_NOCHAIN;
        return true;
    }
    switch (key) {
    case SYSK(3, 7, 5, 1): /* IC IVAU: every core drops that line's translations */
        gen_helper_ic_ivau(tcg_env(), read_x(s, a->rt));
        s->base.is_jmp = DISAS_UPDATE_NOCHAIN;
        return true;
    case SYSK(0, 7, 1, 0): /* IC IALLUIS */
    case SYSK(0, 7, 5, 0): /* IC IALLU: end the TB so modified code is re-fetched */
        s->base.is_jmp = DISAS_UPDATE_NOCHAIN;
        return true;
    case SYSK(3, 7, 4, 1): /* DC ZVA */
        gen_helper_dc_zva(tcg_env(), read_x(s, a->rt));
        return true;
    case SYSK(0, 7, 6, 1): /* DC IVAC */
    case SYSK(0, 7, 6, 2): /* DC ISW */
    case SYSK(0, 7, 10, 2): /* DC CSW */
    case SYSK(0, 7, 14, 2): /* DC CISW */
    case SYSK(3, 7, 10, 1): /* DC CVAC */
    case SYSK(3, 7, 11, 1): /* DC CVAU */
    case SYSK(3, 7, 12, 1): /* DC CVAP */
    case SYSK(3, 7, 13, 1): /* DC CVADP */
    case SYSK(3, 7, 14, 1): /* DC CIVAC */
        return true; /* caches are coherent here */
    case SYSK(0, 7, 8, 0): /* AT S1E1R */
    case SYSK(0, 7, 8, 1): /* AT S1E1W */
    case SYSK(0, 7, 8, 2): /* AT S1E0R */
    case SYSK(0, 7, 8, 3): /* AT S1E0W */
    case SYSK(0, 7, 9, 0): /* AT S1E1RP */
    case SYSK(0, 7, 9, 1): /* AT S1E1WP */
        tcg_gen_movi_i64(cpu_pc, (int64_t)s->pc_curr);
        gen_helper_at(tcg_env(), tcg_constant_i32(key), read_x(s, a->rt));
        return true;
    default:
        break;
    }
#undef SYSK
    unallocated(s);
    return true;
}

/* ---------------------------------------------------------------- MRS / MSR */

static bool trans_SYSREG(DisasContext *s, arg_SYSREG *a)
{
    uint32_t key = ARM_SYSREG(2 + a->o0, a->op1, a->crn, a->crm, a->op2);
    bool is_read = a->l;
    const ARMSysReg *r = arm_sysreg_find(key);
    if (!r) {
        log_mask_printf(LOG_UNIMP, "a64: unknown sysreg %s op0=%d op1=%d CRn=%d CRm=%d op2=%d\n",
                        is_read ? "read" : "write", 2 + a->o0, a->op1, a->crn, a->crm,
                        a->op2);
        unallocated(s);
        return true;
    }
    if (!arm_sysreg_access_ok(r, s->el, is_read)) {
        /* EL0 access to an EL1 register, or a write to a read-only one: UNDEFINED */
        unallocated(s);
        return true;
    }
    /* NZCV inline: the flags live in TCG globals */
    if (key == ARM_SYSREG(3, 3, 4, 2, 0)) {
        if (is_read) {
            TCGv_i64 d = dest_x(s, a->rt);
            TCGv_i32 t = tcg_temp_new_i32(), u = tcg_temp_new_i32();
            tcg_gen_andi_i32(t, cpu_NF, (int32_t)0x80000000u);
            tcg_gen_setcondi_i32(TCG_COND_EQ, u, cpu_ZF, 0);
            tcg_gen_shli_i32(u, u, 30);
            tcg_gen_or_i32(t, t, u);
            tcg_gen_shli_i32(u, cpu_CF, 29);
            tcg_gen_or_i32(t, t, u);
            tcg_gen_shri_i32(u, cpu_VF, 31);
            tcg_gen_shli_i32(u, u, 28);
            tcg_gen_or_i32(t, t, u);
            tcg_gen_extu_i32_i64(d, t);
        } else {
            TCGv_i32 v = tcg_temp_new_i32();
            tcg_gen_extrl_i64_i32(v, read_x(s, a->rt));
            tcg_gen_andi_i32(cpu_NF, v, (int32_t)0x80000000u);
            tcg_gen_andi_i32(cpu_ZF, v, 1 << 30);
            tcg_gen_xori_i32(cpu_ZF, cpu_ZF, 1 << 30);
            tcg_gen_extract_i32(cpu_CF, v, 29, 1);
            tcg_gen_shli_i32(cpu_VF, v, 3);
            tcg_gen_andi_i32(cpu_VF, cpu_VF, (int32_t)0x80000000u);
        }
        return true;
    }
    /* SP_EL0 at EL1h (the kernel's `current`): a plain field access */
    if (key == ARM_SYSREG(3, 0, 4, 1, 0) && s->spsel && s->el == 1) {
        if (is_read) {
            tcg_gen_ld_i64(dest_x(s, a->rt), tcg_env(), ENV_OFF(sp_el[0]));
        } else {
            tcg_gen_st_i64(read_x(s, a->rt), tcg_env(), ENV_OFF(sp_el[0]));
        }
        return true;
    }
    /* registers that are plain fields (TPIDR*, ELR, SPSR, VBAR ...): inline */
    intptr_t fo = arm_sysreg_plain_field(r, is_read);
    if (fo >= 0) {
        intptr_t off = (intptr_t)offsetof(ARMCPU, env) + fo;
        if (is_read) {
            tcg_gen_ld_i64(dest_x(s, a->rt), tcg_env(), off);
        } else {
            tcg_gen_st_i64(read_x(s, a->rt), tcg_env(), off);
        }
        return true;
    }
    /* helpers may raise (GIC register refused): pc must be exact */
    tcg_gen_movi_i64(cpu_pc, (int64_t)s->pc_curr);
    if (is_read) {
        TCGv_i64 t = tcg_temp_new_i64();
        gen_helper_mrs(t, tcg_env(), tcg_constant_i32((int32_t)key));
        write_x(s, a->rt, t, true);
    } else {
        gen_helper_msr(tcg_env(), tcg_constant_i32((int32_t)key), read_x(s, a->rt));
    }
    if (arm_sysreg_ends_tb(r, is_read)) {
        s->base.is_jmp = DISAS_UPDATE_EXIT;
    }
    return true;
}

/* ---------------------------------------------------------------- DP register */

/* shift a register operand (imm amount); 32-bit forms shift the low word */
static void gen_shift_imm(TCGv_i64 dst, TCGv_i64 src, bool sf, int type, int amt)
{
    if (sf) {
        switch (type) {
        case 0: tcg_gen_shli_i64(dst, src, amt); break;
        case 1: tcg_gen_shri_i64(dst, src, amt); break;
        case 2: tcg_gen_sari_i64(dst, src, amt); break;
        default: tcg_gen_rotri_i64(dst, src, amt); break;
        }
    } else {
        TCGv_i32 t = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(t, src);
        switch (type) {
        case 0: tcg_gen_shli_i32(t, t, amt); break;
        case 1: tcg_gen_shri_i32(t, t, amt); break;
        case 2: tcg_gen_sari_i32(t, t, amt); break;
        default: tcg_gen_rotri_i32(t, t, amt); break;
        }
        tcg_gen_extu_i32_i64(dst, t);
    }
}

static bool trans_LOGIC_r(DisasContext *s, arg_LOGIC_r *a)
{
    if (!a->sf && a->imm >= 32) {
        return false;
    }
    TCGv_i64 rm = tcg_temp_new_i64(), res = tcg_temp_new_i64();
    TCGv_i64 rn = read_x(s, a->rn);
    gen_shift_imm(rm, read_x(s, a->rm), a->sf, a->shift, a->imm);
    switch (a->opc << 1 | a->n) {
    case 0: tcg_gen_and_i64(res, rn, rm); break;
    case 1: tcg_gen_andc_i64(res, rn, rm); break;
    case 2: tcg_gen_or_i64(res, rn, rm); break;
    case 3: tcg_gen_orc_i64(res, rn, rm); break;
    case 4: tcg_gen_xor_i64(res, rn, rm); break;
    case 5: tcg_gen_eqv_i64(res, rn, rm); break;
    case 6: tcg_gen_and_i64(res, rn, rm); break;
    default: tcg_gen_andc_i64(res, rn, rm); break;
    }
    if (!a->sf) {
        tcg_gen_ext32u_i64(res, res);
    }
    if (a->opc == 3) {
        gen_logic_cc(a->sf, res);
    }
    write_x(s, a->rd, res, a->sf);
    return true;
}

static void gen_addsub(DisasContext *s, bool sf, bool sub, bool setflags, int rd,
                       bool rd_sp, TCGv_i64 rn, TCGv_i64 rm)
{
    TCGv_i64 res = tcg_temp_new_i64();
    if (setflags) {
        if (sub) {
            gen_sub_cc(sf, res, rn, rm);
        } else {
            gen_add_cc(sf, res, rn, rm);
        }
        write_x(s, rd, res, sf);
        return;
    }
    if (sub) {
        tcg_gen_sub_i64(res, rn, rm);
    } else {
        tcg_gen_add_i64(res, rn, rm);
    }
    if (rd_sp) {
        write_sp_or_x(s, rd, res, sf);
    } else {
        write_x(s, rd, res, sf);
    }
}

static bool trans_ADDSUB_r(DisasContext *s, arg_ADDSUB_r *a)
{
    if (a->shift == 3 || (!a->sf && a->imm >= 32)) {
        return false;
    }
    TCGv_i64 rm = tcg_temp_new_i64();
    gen_shift_imm(rm, read_x(s, a->rm), a->sf, a->shift, a->imm);
    gen_addsub(s, a->sf, a->op, a->s, a->rd, false, read_x(s, a->rn), rm);
    return true;
}

/* ExtendReg: option 0..7 = UXTB UXTH UXTW UXTX SXTB SXTH SXTW SXTX, then << shift */
static void gen_extend(TCGv_i64 dst, TCGv_i64 src, int option, int shift)
{
    static const MemOp ext[8] = {MO_UB, MO_UW, MO_UL, MO_UQ, MO_SB, MO_SW, MO_SL, MO_UQ};
    tcg_gen_ext_i64(dst, src, ext[option]);
    if (shift) {
        tcg_gen_shli_i64(dst, dst, shift);
    }
}

static bool trans_ADDSUB_x(DisasContext *s, arg_ADDSUB_x *a)
{
    if (a->imm > 4) {
        return false;
    }
    TCGv_i64 rm = tcg_temp_new_i64();
    gen_extend(rm, read_x(s, a->rm), a->opt, a->imm);
    gen_addsub(s, a->sf, a->op, a->s, a->rd, !a->s, reg_sp(s, a->rn), rm);
    return true;
}

static bool trans_ADC(DisasContext *s, arg_ADC *a)
{
    TCGv_i64 rn = read_x(s, a->rn), rm = read_x(s, a->rm), res = tcg_temp_new_i64();
    if (a->op) {
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_not_i64(t, rm);
        rm = t;
    }
    if (a->s) {
        gen_adc_cc(a->sf, res, rn, rm);
    } else {
        TCGv_i64 c = tcg_temp_new_i64();
        tcg_gen_extu_i32_i64(c, cpu_CF);
        tcg_gen_add_i64(res, rn, rm);
        tcg_gen_add_i64(res, res, c);
    }
    write_x(s, a->rd, res, a->sf);
    return true;
}

static bool trans_CCMP(DisasContext *s, arg_CCMP *a)
{
    DisasCompare c;
    TCGLabel *skip = gen_new_label(), *done = gen_new_label();
    arm_test_cc(&c, a->cond);
    tcg_gen_brcondi_i32(tcg_invert_cond(c.cond), c.value, 0, skip);
    TCGv_i64 y = a->imm ? tcg_constant_i64(a->y) : read_x(s, a->y);
    TCGv_i64 res = tcg_temp_new_i64();
    if (a->op) {
        gen_sub_cc(a->sf, res, read_x(s, a->rn), y);
    } else {
        gen_add_cc(a->sf, res, read_x(s, a->rn), y);
    }
    tcg_gen_br(done);
    gen_set_label(skip);
    tcg_gen_movi_i32(cpu_NF, (a->nzcv & 8) ? (int32_t)0x80000000u : 0);
    tcg_gen_movi_i32(cpu_ZF, (a->nzcv & 4) ? 0 : 1);
    tcg_gen_movi_i32(cpu_CF, (a->nzcv >> 1) & 1);
    tcg_gen_movi_i32(cpu_VF, (a->nzcv & 1) ? (int32_t)0x80000000u : 0);
    gen_set_label(done);
    return true;
}

static bool trans_CSEL(DisasContext *s, arg_CSEL *a)
{
    DisasCompare c;
    arm_test_cc(&c, a->cond);
    TCGv_i64 f = tcg_temp_new_i64(), res = tcg_temp_new_i64(), cv = tcg_temp_new_i64();
    TCGv_i64 rm = read_x(s, a->rm);
    switch (a->op << 1 | a->o2) {
    case 0: tcg_gen_mov_i64(f, rm); break;     /* CSEL */
    case 1: tcg_gen_addi_i64(f, rm, 1); break; /* CSINC */
    case 2: tcg_gen_not_i64(f, rm); break;     /* CSINV */
    default: tcg_gen_neg_i64(f, rm); break;    /* CSNEG */
    }
    if (c.cond == TCG_COND_ALWAYS) {
        tcg_gen_mov_i64(res, read_x(s, a->rn));
    } else {
        tcg_gen_ext_i32_i64(cv, c.value);
        tcg_gen_movcond_i64(c.cond, res, cv, tcg_constant_i64(0), read_x(s, a->rn), f);
    }
    write_x(s, a->rd, res, a->sf);
    return true;
}

static bool trans_DP3(DisasContext *s, arg_DP3 *a)
{
    TCGv_i64 rn = read_x(s, a->rn), rm = read_x(s, a->rm), ra = read_x(s, a->ra);
    TCGv_i64 p = tcg_temp_new_i64(), res = tcg_temp_new_i64();
    switch (a->op31) {
    case 0: /* MADD / MSUB */
        tcg_gen_mul_i64(p, rn, rm);
        break;
    case 1: /* SMADDL / SMSUBL */
    case 5: { /* UMADDL / UMSUBL */
        if (!a->sf) {
            return false;
        }
        TCGv_i64 x = tcg_temp_new_i64(), y = tcg_temp_new_i64();
        if (a->op31 == 1) {
            tcg_gen_ext32s_i64(x, rn);
            tcg_gen_ext32s_i64(y, rm);
        } else {
            tcg_gen_ext32u_i64(x, rn);
            tcg_gen_ext32u_i64(y, rm);
        }
        tcg_gen_mul_i64(p, x, y);
        break;
    }
    case 2: /* SMULH */
    case 6: /* UMULH */
        if (!a->sf || a->o0) {
            return false;
        }
        if (a->op31 == 2) {
            tcg_gen_mulsh_i64(res, rn, rm);
        } else {
            tcg_gen_muluh_i64(res, rn, rm);
        }
        write_x(s, a->rd, res, true);
        return true;
    default:
        return false;
    }
    if (a->op31 != 0 && !a->sf) {
        return false;
    }
    if (a->o0) {
        tcg_gen_sub_i64(res, ra, p);
    } else {
        tcg_gen_add_i64(res, ra, p);
    }
    write_x(s, a->rd, res, a->sf);
    return true;
}

static void gen_shift_reg(TCGv_i64 dst, TCGv_i64 src, TCGv_i64 cnt, bool sf, int type)
{
    if (sf) {
        TCGv_i64 c = tcg_temp_new_i64();
        tcg_gen_andi_i64(c, cnt, 63);
        switch (type) {
        case 0: tcg_gen_shl_i64(dst, src, c); break;
        case 1: tcg_gen_shr_i64(dst, src, c); break;
        case 2: tcg_gen_sar_i64(dst, src, c); break;
        default: tcg_gen_rotr_i64(dst, src, c); break;
        }
    } else {
        TCGv_i32 t = tcg_temp_new_i32(), c = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(t, src);
        tcg_gen_extrl_i64_i32(c, cnt);
        tcg_gen_andi_i32(c, c, 31);
        switch (type) {
        case 0: tcg_gen_shl_i32(t, t, c); break;
        case 1: tcg_gen_shr_i32(t, t, c); break;
        case 2: tcg_gen_sar_i32(t, t, c); break;
        default: tcg_gen_rotr_i32(t, t, c); break;
        }
        tcg_gen_extu_i32_i64(dst, t);
    }
}

static bool trans_DP2(DisasContext *s, arg_DP2 *a)
{
    TCGv_i64 rn = read_x(s, a->rn), rm = read_x(s, a->rm), res = tcg_temp_new_i64();
    switch (a->opcode) {
    case 2: /* UDIV */
    case 3: /* SDIV */
        if (a->sf) {
            if (a->opcode == 2) {
                gen_helper_udiv64(res, rn, rm);
            } else {
                gen_helper_sdiv64(res, rn, rm);
            }
        } else {
            TCGv_i32 x = tcg_temp_new_i32(), y = tcg_temp_new_i32();
            tcg_gen_extrl_i64_i32(x, rn);
            tcg_gen_extrl_i64_i32(y, rm);
            if (a->opcode == 2) {
                gen_helper_udiv32(x, x, y);
            } else {
                gen_helper_sdiv32(x, x, y);
            }
            tcg_gen_extu_i32_i64(res, x);
        }
        break;
    case 8: case 9: case 10: case 11: /* LSLV LSRV ASRV RORV */
        gen_shift_reg(res, rn, rm, a->sf, a->opcode - 8);
        break;
    case 16: case 17: case 18: case 19: /* CRC32B/H/W/X */
    case 20: case 21: case 22: case 23: { /* CRC32CB/H/W/X */
        int sz = a->opcode & 3;
        if (!s->env->has_crc32 || (sz == 3) != a->sf) {
            return false;
        }
        TCGv_i32 acc = tcg_temp_new_i32();
        TCGv_i64 v = tcg_temp_new_i64();
        tcg_gen_extrl_i64_i32(acc, rn);
        tcg_gen_ext_i64(v, rm, (MemOp)sz);
        if (a->opcode & 4) {
            gen_helper_crc32c(acc, acc, v, tcg_constant_i32(1 << sz));
        } else {
            gen_helper_crc32(acc, acc, v, tcg_constant_i32(1 << sz));
        }
        tcg_gen_extu_i32_i64(res, acc);
        write_x(s, a->rd, res, true);
        return true;
    }
    default:
        return false;
    }
    write_x(s, a->rd, res, a->sf);
    return true;
}

static bool trans_DP1(DisasContext *s, arg_DP1 *a)
{
    TCGv_i64 rn = read_x(s, a->rn), res = tcg_temp_new_i64();
    switch (a->opcode) {
    case 0: /* RBIT */
        gen_helper_rbit64(res, rn);
        if (!a->sf) {
            tcg_gen_shri_i64(res, res, 32);
        }
        break;
    case 1: { /* REV16 */
        TCGv_i64 t = tcg_temp_new_i64();
        TCGv_i64 m = tcg_constant_i64(0x00ff00ff00ff00ffll);
        tcg_gen_shri_i64(t, rn, 8);
        tcg_gen_and_i64(t, t, m);
        tcg_gen_and_i64(res, rn, m);
        tcg_gen_shli_i64(res, res, 8);
        tcg_gen_or_i64(res, res, t);
        break;
    }
    case 2: /* REV (32-bit) / REV32 */
        if (a->sf) {
            tcg_gen_bswap64_i64(res, rn);
            tcg_gen_rotri_i64(res, res, 32);
        } else {
            tcg_gen_bswap32_i64(res, rn);
        }
        break;
    case 3: /* REV (64-bit) */
        if (!a->sf) {
            return false;
        }
        tcg_gen_bswap64_i64(res, rn);
        break;
    case 4: /* CLZ */
    case 5: /* CLS */
        if (a->sf) {
            if (a->opcode == 4) {
                tcg_gen_clzi_i64(res, rn, 64);
            } else {
                TCGv_i64 t = tcg_temp_new_i64();
                tcg_gen_sari_i64(t, rn, 63);
                tcg_gen_xor_i64(t, t, rn);
                tcg_gen_clzi_i64(res, t, 64);
                tcg_gen_subi_i64(res, res, 1);
            }
        } else {
            TCGv_i32 t = tcg_temp_new_i32();
            tcg_gen_extrl_i64_i32(t, rn);
            if (a->opcode == 5) {
                TCGv_i32 u = tcg_temp_new_i32();
                tcg_gen_sari_i32(u, t, 31);
                tcg_gen_xor_i32(t, t, u);
            }
            tcg_gen_clzi_i32(t, t, 32);
            if (a->opcode == 5) {
                tcg_gen_subi_i32(t, t, 1);
            }
            tcg_gen_extu_i32_i64(res, t);
        }
        break;
    default:
        return false;
    }
    write_x(s, a->rd, res, a->sf);
    return true;
}

/* ---------------------------------------------------------------- translator hooks */

static void a64_init_disas_context(DisasContextBase *db, CPUState *cs)
{
    DisasContext *s = (DisasContext *)db;
    uint32_t f = db->tb->flags;
    s->env = cpu_env(cs);
    s->el = (f >> TBF_EL_SHIFT) & 3;
    s->mmu_idx = (f >> TBF_MMUIDX_SHIFT) & 3;
    s->fp_enabled = (f & TBF_FPEN) != 0;
    s->uma = (f & TBF_UMA) != 0;
    s->spsel = (f & TBF_SPSEL) != 0;
}

static void a64_tb_start(DisasContextBase *db, CPUState *cs)
{
    (void)db;
    (void)cs;
}

static void a64_insn_start(DisasContextBase *db, CPUState *cs)
{
    (void)cs;
    tcg_gen_insn_start(db->pc_next, 0);
}

static void a64_translate_insn(DisasContextBase *db, CPUState *cs)
{
    DisasContext *s = (DisasContext *)db;
    s->pc_curr = db->pc_next;
    if (s->pc_curr & 3) {
        /* PC alignment fault (D1.10.2): ESR EC 0x22, FAR = PC (helper.c) */
        gen_exception_insn(s, ARM_EXCP_PREFETCH, syn_make(EC_PCALIGN, 0));
        db->pc_next += 4;
        return;
    }
    uint32_t insn = translator_ldl(cs, db, s->pc_curr);
    s->insn = insn;
    s->fp_checked = false;
    db->pc_next += 4;
    if (!decode_a64(s, insn) && !a64_decode_ldst(s, insn) && !a64_decode_fp(s, insn)) {
        unallocated(s);
    }
}

static void a64_tb_stop(DisasContextBase *db, CPUState *cs)
{
    DisasContext *s = (DisasContext *)db;
    (void)cs;
    switch (db->is_jmp) {
    case DISAS_NEXT:
    case DISAS_TOO_MANY:
        gen_goto_tb(s, 0, db->pc_next);
        break;
    case DISAS_UPDATE_EXIT:
        tcg_gen_movi_i64(cpu_pc, (int64_t)db->pc_next);
        tcg_gen_exit_tb(NULL, 0);
        break;
    case DISAS_UPDATE_NOCHAIN:
        tcg_gen_movi_i64(cpu_pc, (int64_t)db->pc_next);
        tcg_gen_lookup_and_goto_ptr();
        break;
    case DISAS_JUMP:
        tcg_gen_lookup_and_goto_ptr();
        break;
    case DISAS_EXIT:
        tcg_gen_exit_tb(NULL, 0);
        break;
    case DISAS_WFI:
        gen_helper_wfi(tcg_env());
        break;
    case DISAS_WFE:
        gen_helper_yield(tcg_env());
        break;
    default: /* DISAS_NORETURN */
        break;
    }
}

static const TranslatorOps a64_ops = {
    .init_disas_context = a64_init_disas_context,
    .tb_start = a64_tb_start,
    .insn_start = a64_insn_start,
    .translate_insn = a64_translate_insn,
    .tb_stop = a64_tb_stop,
};

void arm_translate(CPUState *cs, TranslationBlock *tb, int max_insns)
{
    DisasContext s = {0};
    translator_loop(cs, tb, max_insns, &a64_ops, &s.base);
}

void arm_restore_state(CPUState *cs, const TranslationBlock *tb, const uint64_t *data)
{
    (void)tb;
    cpu_env(cs)->pc = data[0];
}
