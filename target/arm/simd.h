/*
 * simd.h — AdvSIMD operation codes shared by translate-fp.c and simd.c.
 * desc = op | size << 8 | q << 10 | imm << 12 (imm: 0..1023)
 */
#ifndef TARGET_ARM_SIMD_H
#define TARGET_ARM_SIMD_H

#define SIMD_DESC(op, size, q, imm) ((uint32_t)(op) | (uint32_t)(size) << 8 | \
                                     (uint32_t)(q) << 10 | (uint32_t)(imm) << 12)
#define SIMD_DESC_OP(d) ((int)((d) & 0xff))
#define SIMD_DESC_SIZE(d) ((int)(((d) >> 8) & 3))
#define SIMD_DESC_Q(d) ((((d) >> 10) & 1) != 0)
#define SIMD_DESC_IMM(d) ((int)((d) >> 12))
/* bit 11: scalar form: only element 0 is computed, the rest of Vd is zeroed */
#define SIMD_DESC_SCALAR (1u << 11)
#define SIMD_REGS(rd, rn, rm) ((uint32_t)(rd) | (uint32_t)(rn) << 5 | (uint32_t)(rm) << 10)

enum SimdOp {
    SOP_NONE,
    /* three same */
    SOP_AND, SOP_BIC, SOP_ORR, SOP_ORN, SOP_EOR, SOP_BSL, SOP_BIT, SOP_BIF,
    SOP_ADD, SOP_SUB, SOP_MUL, SOP_CMTST, SOP_CMEQ, SOP_CMGT, SOP_CMHI, SOP_CMGE, SOP_CMHS,
    SOP_SMAX, SOP_UMAX, SOP_SMIN, SOP_UMIN, SOP_USHL, SOP_SSHL,
    SOP_ADDP, SOP_SMAXP, SOP_UMAXP, SOP_SMINP, SOP_UMINP,
    /* two-reg misc */
    SOP_CNT, SOP_NOT, SOP_RBIT, SOP_CMEQ0, SOP_CMGT0, SOP_CMGE0, SOP_CMLE0, SOP_CMLT0,
    SOP_ABS, SOP_NEG, SOP_REV, SOP_XTN,
    /* across lanes (result in element 0, rest zero) */
    SOP_ADDV, SOP_SMAXV, SOP_UMAXV, SOP_SMINV, SOP_UMINV, SOP_UADDLV, SOP_SADDLV,
    /* copy / permute */
    SOP_DUPE, SOP_INSE, SOP_EXT, SOP_ZIP1, SOP_ZIP2, SOP_UZP1, SOP_UZP2, SOP_TRN1, SOP_TRN2,
    /* shifts by immediate */
    SOP_SHR, SOP_SSHR, SOP_SHL, SOP_USRA, SOP_SSRA, SOP_SHRN, SOP_USHLL, SOP_SSHLL,
    /* three different (size = narrow element size; q = the "2" upper-half forms) */
    SOP_SADDL, SOP_UADDL, SOP_SADDW, SOP_UADDW, SOP_SSUBL, SOP_USUBL, SOP_SSUBW, SOP_USUBW,
    SOP_ADDHN, SOP_RADDHN, SOP_SUBHN, SOP_RSUBHN, SOP_SABAL, SOP_UABAL, SOP_SABDL, SOP_UABDL,
    SOP_SMLAL, SOP_UMLAL, SOP_SMLSL, SOP_UMLSL, SOP_SMULL, SOP_UMULL,
    /* more three same */
    SOP_MLA, SOP_MLS, SOP_SABD, SOP_UABD,
    /* vector FP (size 2: single, 3: double) */
    SOP_FNEG, SOP_FABS, SOP_SCVTF, SOP_UCVTF,
    SOP_FCVTI, /* float -> integer, imm = rmode (FPR_*) << 1 | unsigned */
    /* vector FP three same: imm = FPA_* kind; FMLA/FMLS fused; compares */
    SOP_FARITH, SOP_FMLA, SOP_FMLS, SOP_FABD, SOP_FADDP, SOP_FCMEQ, SOP_FCMGE, SOP_FCMGT,
    SOP_FACGE, SOP_FACGT,
    /* "by element": imm = base op | index << 8, Vm's element broadcast */
    SOP_BYELEM,
    /* integer extras (imm bit 0 = unsigned unless noted) */
    SOP_HADD, SOP_RHADD, SOP_HSUB, SOP_QADD, SOP_QSUB, SOP_ABA, SOP_RSHL, SOP_QSHL, SOP_QRSHL,
    SOP_QDMULH, SOP_QRDMULH, SOP_PMUL, SOP_CLS, SOP_CLZ, SOP_ADDLP, SOP_ADALP, SOP_QABS,
    SOP_QNEG, SOP_SUQADD, SOP_USQADD, SOP_QXTN, SOP_QXTUN,
    /* shifts by immediate: imm = count << 1 | unsigned */
    SOP_RSHR, SOP_RSRA, SOP_SRI, SOP_SLI, SOP_QSHLI, SOP_QSHLU, SOP_QSHRN, SOP_QRSHRN,
    SOP_QSHRUN, SOP_QRSHRUN, SOP_RSHRN,
    /* FP extras */
    SOP_FCVTL, SOP_FCVTN, SOP_FUNARY, SOP_FCMZ, SOP_FCVTFIX, SOP_CVTFFIX,
    SOP_FMULE, /* FMUL (by element base op) */
    SOP_FMULX, SOP_FRECPS, SOP_FRSQRTS,
    SOP_FMAXP, SOP_FMINP, SOP_FMAXNMP, SOP_FMINNMP,      /* pairwise */
    SOP_FMAXV, SOP_FMINV, SOP_FMAXNMV, SOP_FMINNMV,      /* across (4S) */
    SOP_SQDMULL, SOP_SQDMLAL, SOP_SQDMLSL,               /* three different */
    SOP_URECPE, SOP_URSQRTE,
    SOP_PMULL8, /* PMULL/PMULL2 .8H, .8B/.16B */
};

#endif
