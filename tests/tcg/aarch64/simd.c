/*
 * simd.c — AdvSIMD integer operations against QEMU: each instruction runs on
 * pseudo-random and edge-case vectors (v0, v1 sources; v2 destination
 * pre-loaded, so accumulating and insert forms are covered) and prints the
 * full 128-bit result.
 */
#include "lib.h"

typedef struct {
    uint64_t lo, hi;
} V;

static V vecs[8];

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void out(const char *n, int i, int j, V r)
{
    puts_uart(n);
    putc_uart(' ');
    print_dec(i);
    putc_uart(' ');
    print_dec(j);
    putc_uart(' ');
    print_hex(r.hi);
    putc_uart(' ');
    print_hex(r.lo);
    putc_uart('\n');
}

#define T(name, insn)                                                                  \
    static V name(const V *a, const V *b, const V *d)                                  \
    {                                                                                  \
        V r;                                                                           \
        __asm__ volatile("ldr q0, [%1]\nldr q1, [%2]\nldr q2, [%3]\n" insn             \
                         "\nstr q2, [%0]"                                              \
                         : : "r"(&r), "r"(a), "r"(b), "r"(d)                           \
                         : "v0", "v1", "v2", "v3", "x9", "memory");                    \
        return r;                                                                      \
    }

T(and16, "and v2.16b, v0.16b, v1.16b")
T(bic8, "bic v2.8b, v0.8b, v1.8b")
T(orr16, "orr v2.16b, v0.16b, v1.16b")
T(orn16, "orn v2.16b, v0.16b, v1.16b")
T(eor8, "eor v2.8b, v0.8b, v1.8b")
T(bsl16, "bsl v2.16b, v0.16b, v1.16b")
T(bit8, "bit v2.8b, v0.8b, v1.8b")
T(bif16, "bif v2.16b, v0.16b, v1.16b")
T(add4s, "add v2.4s, v0.4s, v1.4s")
T(add2d, "add v2.2d, v0.2d, v1.2d")
T(sub8h, "sub v2.8h, v0.8h, v1.8h")
T(sub2s, "sub v2.2s, v0.2s, v1.2s")
T(mul8h, "mul v2.8h, v0.8h, v1.8h")
T(mla2s, "mla v2.2s, v0.2s, v1.2s")
T(mls16b, "mls v2.16b, v0.16b, v1.16b")
T(cmeq16b, "cmeq v2.16b, v0.16b, v1.16b")
T(cmeq8b, "cmeq v2.8b, v0.8b, v1.8b")
T(cmtst4s, "cmtst v2.4s, v0.4s, v1.4s")
T(cmgt8h, "cmgt v2.8h, v0.8h, v1.8h")
T(cmhi16b, "cmhi v2.16b, v0.16b, v1.16b")
T(cmge2d, "cmge v2.2d, v0.2d, v1.2d")
T(cmhs4s, "cmhs v2.4s, v0.4s, v1.4s")
T(smax8h, "smax v2.8h, v0.8h, v1.8h")
T(umin16b, "umin v2.16b, v0.16b, v1.16b")
T(sabd4s, "sabd v2.4s, v0.4s, v1.4s")
T(uabd8b, "uabd v2.8b, v0.8b, v1.8b")
T(ushl2d, "ushl v2.2d, v0.2d, v1.2d")
T(sshl16b, "sshl v2.16b, v0.16b, v1.16b")
T(addp16b, "addp v2.16b, v0.16b, v1.16b")
T(addp2d, "addp v2.2d, v0.2d, v1.2d")
T(umaxp16b, "umaxp v2.16b, v0.16b, v1.16b")
T(uminp4s, "uminp v2.4s, v0.4s, v1.4s")
T(sminp4h, "sminp v2.4h, v0.4h, v1.4h")
T(cnt16b, "cnt v2.16b, v0.16b")
T(not8b, "mvn v2.8b, v0.8b")
T(rbit16b, "rbit v2.16b, v0.16b")
T(cmeq0_4s, "cmeq v2.4s, v0.4s, #0")
T(cmgt0_8b, "cmgt v2.8b, v0.8b, #0")
T(cmge0_2d, "cmge v2.2d, v0.2d, #0")
T(cmle0_8h, "cmle v2.8h, v0.8h, #0")
T(cmlt0_16b, "cmlt v2.16b, v0.16b, #0")
T(abs8h, "abs v2.8h, v0.8h")
T(neg2d, "neg v2.2d, v0.2d")
T(rev64_16b, "rev64 v2.16b, v0.16b")
T(rev64_4s, "rev64 v2.4s, v0.4s")
T(rev32_8h, "rev32 v2.8h, v0.8h")
T(rev16_8b, "rev16 v2.8b, v0.8b")
T(xtn8b, "xtn v2.8b, v0.8h")
T(xtn2_4s, "xtn2 v2.4s, v0.2d")
T(addv16b, "addv b2, v0.16b")
T(addv4s, "addv s2, v0.4s")
T(uminv16b, "uminv b2, v0.16b")
T(umaxv8h, "umaxv h2, v0.8h")
T(smaxv4s, "smaxv s2, v0.4s")
T(sminv8b, "sminv b2, v0.8b")
T(uaddlv8h, "uaddlv s2, v0.8h")
T(saddlv16b, "saddlv h2, v0.16b")
T(dup16b, "dup v2.16b, v0.b[5]")
T(dup2d, "dup v2.2d, v0.d[1]")
T(dupw4h, "fmov x9, d1\ndup v2.4h, w9")
T(dupx2d, "fmov x9, d1\ndup v2.2d, x9")
T(ins_s, "ins v2.s[3], v0.s[1]")
T(ins_b, "ins v2.b[9], v1.b[15]")
T(insw_h, "fmov x9, d0\nins v2.h[6], w9")
T(umov_b, "umov w9, v0.b[13]\nfmov d2, x9")
T(smov_h, "smov x9, v0.h[6]\nfmov d2, x9")
T(smov_bw, "smov w9, v0.b[3]\nfmov d2, x9")
T(umov_d, "mov x9, v0.d[1]\nfmov d2, x9")
T(fmov_hi, "fmov x9, d1\nfmov v2.d[1], x9")
T(fmov_hi_r, "fmov x9, v0.d[1]\nfmov d2, x9")
T(movi16b, "movi v2.16b, #0xa5")
T(movi2d, "movi v2.2d, #0xff00ff0000ffff00")
T(movi4s_lsl, "movi v2.4s, #0x7f, lsl #16")
T(movi4h, "movi v2.4h, #0x12, lsl #8")
T(movi_msl, "movi v2.2s, #0x34, msl #16")
T(mvni4s, "mvni v2.4s, #0x12, lsl #8")
T(orr_imm, "orr v2.4s, #0x80, lsl #24")
T(bic_imm, "bic v2.8h, #0xff")
T(fmov_v, "fmov v2.4s, #-1.25")
T(fmov_v2d, "fmov v2.2d, #0.5")
T(ushr2d, "ushr v2.2d, v0.2d, #3")
T(sshr4s, "sshr v2.4s, v0.4s, #31")
T(ushr8b, "ushr v2.8b, v0.8b, #8")
T(shl8h, "shl v2.8h, v0.8h, #15")
T(usra2d, "usra v2.2d, v0.2d, #60")
T(ssra16b, "ssra v2.16b, v0.16b, #1")
T(shrn8b, "shrn v2.8b, v0.8h, #4")
T(shrn2_4s, "shrn2 v2.4s, v0.2d, #17")
T(uxtl8h, "uxtl v2.8h, v0.8b")
T(uxtl2_4s, "uxtl2 v2.4s, v0.8h")
T(sxtl2d, "sxtl v2.2d, v0.2s")
T(ushll_sh, "ushll v2.4s, v0.4h, #7")
T(ext16, "ext v2.16b, v0.16b, v1.16b, #3")
T(ext8, "ext v2.8b, v0.8b, v1.8b, #7")
T(tbl1, "tbl v2.16b, {v0.16b}, v1.16b")
T(tbl2, "mov v3.16b, v1.16b\nand v1.16b, v1.16b, v0.16b\ntbl v2.8b, {v0.16b, v1.16b}, v3.8b")
T(tbx1, "tbx v2.16b, {v0.16b}, v1.16b")
T(zip1_4s, "zip1 v2.4s, v0.4s, v1.4s")
T(zip2_16b, "zip2 v2.16b, v0.16b, v1.16b")
T(uzp1_8h, "uzp1 v2.8h, v0.8h, v1.8h")
T(uzp2_8b, "uzp2 v2.8b, v0.8b, v1.8b")
T(trn1_4h, "trn1 v2.4h, v0.4h, v1.4h")
T(trn2_2d, "trn2 v2.2d, v0.2d, v1.2d")
T(uaddl8h, "uaddl v2.8h, v0.8b, v1.8b")
T(saddl2_2d, "saddl2 v2.2d, v0.4s, v1.4s")
T(uaddw2d, "uaddw v2.2d, v0.2d, v1.2s")
T(saddw2_4s, "saddw2 v2.4s, v0.4s, v1.8h")
T(usubl4s, "usubl v2.4s, v0.4h, v1.4h")
T(ssubw8h, "ssubw v2.8h, v0.8h, v1.8b")
T(addhn8b, "addhn v2.8b, v0.8h, v1.8h")
T(raddhn2_8h, "raddhn2 v2.8h, v0.4s, v1.4s")
T(subhn4h, "subhn v2.4h, v0.4s, v1.4s")
T(umull2d, "umull v2.2d, v0.2s, v1.2s")
T(smull2_8h, "smull2 v2.8h, v0.16b, v1.16b")
T(umlal4s, "umlal v2.4s, v0.4h, v1.4h")
T(smlsl2d, "smlsl v2.2d, v0.2s, v1.2s")
T(uabal8h, "uabal v2.8h, v0.8b, v1.8b")
T(sabdl2_4s, "sabdl2 v2.4s, v0.8h, v1.8h")
T(fneg2d, "fneg v2.2d, v0.2d")
T(fabs4s, "fabs v2.4s, v0.4s")
T(scvtf2d, "scvtf v2.2d, v0.2d")
T(ucvtf4s, "ucvtf v2.4s, v0.4s")
T(fadd4s, "fadd v2.4s, v0.4s, v1.4s")
T(fsub2d, "fsub v2.2d, v0.2d, v1.2d")
T(fmul2s, "fmul v2.2s, v0.2s, v1.2s")
T(fdiv2d, "fdiv v2.2d, v0.2d, v1.2d")
T(fmla4s, "fmla v2.4s, v0.4s, v1.4s")
T(fmls2d, "fmls v2.2d, v0.2d, v1.2d")
T(fmax4s, "fmax v2.4s, v0.4s, v1.4s")
T(fminnm2d, "fminnm v2.2d, v0.2d, v1.2d")
T(fabd4s, "fabd v2.4s, v0.4s, v1.4s")
T(faddp4s, "faddp v2.4s, v0.4s, v1.4s")
T(fcmeq4s, "fcmeq v2.4s, v0.4s, v1.4s")
T(fcmge2d, "fcmge v2.2d, v0.2d, v1.2d")
T(fcmgt4s, "fcmgt v2.4s, v0.4s, v1.4s")
T(facgt2d, "facgt v2.2d, v0.2d, v1.2d")
T(shadd8h, "shadd v2.8h, v0.8h, v1.8h")
T(uhadd16b, "uhadd v2.16b, v0.16b, v1.16b")
T(urhadd4s, "urhadd v2.4s, v0.4s, v1.4s")
T(shsub2s, "shsub v2.2s, v0.2s, v1.2s")
T(sqadd16b, "sqadd v2.16b, v0.16b, v1.16b")
T(uqadd2d, "uqadd v2.2d, v0.2d, v1.2d")
T(sqsub4s, "sqsub v2.4s, v0.4s, v1.4s")
T(uqsub8h, "uqsub v2.8h, v0.8h, v1.8h")
T(sqshl8b, "sqshl v2.8b, v0.8b, v1.8b")
T(uqrshl4s, "uqrshl v2.4s, v0.4s, v1.4s")
T(srshl2d, "srshl v2.2d, v0.2d, v1.2d")
T(uaba16b, "uaba v2.16b, v0.16b, v1.16b")
T(pmul16b, "pmul v2.16b, v0.16b, v1.16b")
T(sqdmulh8h, "sqdmulh v2.8h, v0.8h, v1.8h")
T(sqrdmulh4s, "sqrdmulh v2.4s, v0.4s, v1.4s")
T(cls8h, "cls v2.8h, v0.8h")
T(clz4s, "clz v2.4s, v0.4s")
T(uaddlp8h, "uaddlp v2.8h, v0.16b")
T(sadalp2d, "sadalp v2.2d, v0.4s")
T(sqabs16b, "sqabs v2.16b, v0.16b")
T(sqneg2d, "sqneg v2.2d, v0.2d")
T(suqadd4s, "suqadd v2.4s, v0.4s")
T(usqadd8b, "usqadd v2.8b, v0.8b")
T(sqxtn4h, "sqxtn v2.4h, v0.4s")
T(uqxtn2_16b, "uqxtn2 v2.16b, v0.8h")
T(sqxtun2s, "sqxtun v2.2s, v0.2d")
T(fcvtl2d, "fcvtl v2.2d, v0.2s")
T(fcvtn2_4s, "fcvtn2 v2.4s, v0.2d")
T(frintm4s, "frintm v2.4s, v0.4s")
T(frinta2d, "frinta v2.2d, v0.2d")
T(fsqrt4s, "fsqrt v2.4s, v0.4s")
T(fcmgt0_4s, "fcmgt v2.4s, v0.4s, #0.0")
T(fcmle0_2d, "fcmle v2.2d, v0.2d, #0.0")
T(srshr4s, "srshr v2.4s, v0.4s, #7")
T(ursra16b, "ursra v2.16b, v0.16b, #3")
T(sri8h, "sri v2.8h, v0.8h, #5")
T(sli2d, "sli v2.2d, v0.2d, #13")
T(sqshlu4s, "sqshlu v2.4s, v0.4s, #9")
T(uqshl8b, "uqshl v2.8b, v0.8b, #3")
T(sqshrn8b, "sqshrn v2.8b, v0.8h, #3")
T(uqrshrn2_8h, "uqrshrn2 v2.8h, v0.4s, #11")
T(sqshrun2s, "sqshrun v2.2s, v0.2d, #20")
T(rshrn4h, "rshrn v2.4h, v0.4s, #9")
T(scvtf_fix4s, "scvtf v2.4s, v0.4s, #8")
T(fcvtzu_fix2d, "fcvtzu v2.2d, v0.2d, #3")
T(mul_elem4s, "mul v2.4s, v0.4s, v1.s[2]")
T(mla_elem8h, "mla v2.8h, v0.8h, v1.h[7]")
T(mls_elem4h, "mls v2.4h, v0.4h, v1.h[3]")
T(fmla_elem4s, "fmla v2.4s, v0.4s, v1.s[1]")
T(fmul_elem2d, "fmul v2.2d, v0.2d, v1.d[1]")
T(sqdmulh_elem, "sqdmulh v2.4s, v0.4s, v1.s[3]")
T(fmulx4s, "fmulx v2.4s, v0.4s, v1.4s")
T(frecps2d, "frecps v2.2d, v0.2d, v1.2d")
T(frsqrts4s, "frsqrts v2.4s, v0.4s, v1.4s")
T(fmaxp4s, "fmaxp v2.4s, v0.4s, v1.4s")
T(fminnmp2d, "fminnmp v2.2d, v0.2d, v1.2d")
T(fmaxv4s, "fmaxv s2, v0.4s")
T(fminnmv4s, "fminnmv s2, v0.4s")
T(sqdmull2_4s, "sqdmull2 v2.4s, v0.8h, v1.8h")
T(sqdmlal2d, "sqdmlal v2.2d, v0.2s, v1.2s")
T(sqdmlsl4s, "sqdmlsl v2.4s, v0.4h, v1.4h")
T(s_fabd, "fabd s2, s0, s1")
T(s_fcmge, "fcmge d2, d0, d1")
T(s_facgt, "facgt s2, s0, s1")
T(s_fmulx, "fmulx d2, d0, d1")
T(s_frecps, "frecps s2, s0, s1")
T(s_sqadd_b, "sqadd b2, b0, b1")
T(s_uqsub_h, "uqsub h2, h0, h1")
T(s_sqshl_s, "sqshl s2, s0, s1")
T(s_urshl_d, "urshl d2, d0, d1")
T(s_sqrdmulh_s, "sqrdmulh s2, s0, s1")
T(s_faddp_d, "faddp d2, v0.2d")
T(s_fmaxp_s, "fmaxp s2, v0.2s")
T(s_fminnmp_d, "fminnmp d2, v0.2d")
T(fcvtxn2s, "fcvtxn v2.2s, v0.2d")
T(s_fcvtxn, "fcvtxn s2, d0")
T(s_frecpx_d, "frecpx d2, d0")
T(s_frecpx_s, "frecpx s2, s0")
T(fmulx_elem, "fmulx v2.4s, v0.4s, v1.s[2]")
T(frecpe4s, "frecpe v2.4s, v0.4s")
T(frsqrte2d, "frsqrte v2.2d, v0.2d")
T(s_frecpe_d, "frecpe d2, d0")
T(s_frsqrte_s, "frsqrte s2, s0")
T(urecpe4s, "urecpe v2.4s, v0.4s")
T(ursqrte2s, "ursqrte v2.2s, v0.2s")
T(aese, "aese v2.16b, v0.16b")
T(aesd, "aesd v2.16b, v0.16b")
T(aesmc, "aesmc v2.16b, v0.16b")
T(aesimc, "aesimc v2.16b, v0.16b")
T(sha1c, "sha1c q2, s0, v1.4s")
T(sha1p, "sha1p q2, s0, v1.4s")
T(sha1m, "sha1m q2, s0, v1.4s")
T(sha1h, "sha1h s2, s0")
T(sha1su0, "sha1su0 v2.4s, v0.4s, v1.4s")
T(sha1su1, "sha1su1 v2.4s, v0.4s")
T(sha256h, "sha256h q2, q0, v1.4s")
T(sha256h2, "sha256h2 q2, q0, v1.4s")
T(sha256su0, "sha256su0 v2.4s, v0.4s")
T(sha256su1, "sha256su1 v2.4s, v0.4s, v1.4s")
T(pmull1q, "pmull v2.1q, v0.1d, v1.1d")
T(pmull2_1q, "pmull2 v2.1q, v0.2d, v1.2d")
T(pmull8h, "pmull v2.8h, v0.8b, v1.8b")
T(pmull2_8h, "pmull2 v2.8h, v0.16b, v1.16b")
T(smull_elem, "smull v2.4s, v0.4h, v1.h[5]")
T(umlal2_elem, "umlal2 v2.2d, v0.4s, v1.s[3]")
T(sqdmull_elem, "sqdmull v2.4s, v0.4h, v1.h[2]")
T(sqdmlal2_elem, "sqdmlal2 v2.2d, v0.4s, v1.s[1]")
T(s_add, "add d2, d0, d1")
T(s_sub, "sub d2, d0, d1")
T(s_cmeq, "cmeq d2, d0, d1")
T(s_cmhi, "cmhi d2, d0, d1")
T(s_cmgt0, "cmgt d2, d0, #0")
T(s_neg, "neg d2, d0")
T(s_addp, "addp d2, v0.2d")
T(s_ushr, "ushr d2, d0, #9")
T(s_shl, "shl d2, d0, #63")
T(s_dup, "mov s2, v0.s[3]")
T(s_dupb, "mov b2, v0.b[11]")
T(ld1r, "ld1r {v2.4s}, [%1]")
T(ld1_lane, "ld1 {v2.h}[5], [%2]")

typedef V (*Fn)(const V *, const V *, const V *);
#define E(n) {#n, n}
static const struct {
    const char *name;
    Fn fn;
} tests[] = {
    E(and16), E(bic8), E(orr16), E(orn16), E(eor8), E(bsl16), E(bit8), E(bif16), E(add4s),
    E(add2d), E(sub8h), E(sub2s), E(mul8h), E(mla2s), E(mls16b), E(cmeq16b), E(cmeq8b),
    E(cmtst4s), E(cmgt8h), E(cmhi16b), E(cmge2d), E(cmhs4s), E(smax8h), E(umin16b),
    E(sabd4s), E(uabd8b), E(ushl2d), E(sshl16b), E(addp16b), E(addp2d), E(umaxp16b),
    E(uminp4s), E(sminp4h), E(cnt16b), E(not8b), E(rbit16b), E(cmeq0_4s), E(cmgt0_8b),
    E(cmge0_2d), E(cmle0_8h), E(cmlt0_16b), E(abs8h), E(neg2d), E(rev64_16b), E(rev64_4s),
    E(rev32_8h), E(rev16_8b), E(xtn8b), E(xtn2_4s), E(addv16b), E(addv4s), E(uminv16b),
    E(umaxv8h), E(smaxv4s), E(sminv8b), E(uaddlv8h), E(saddlv16b), E(dup16b), E(dup2d),
    E(dupw4h), E(dupx2d), E(ins_s), E(ins_b), E(insw_h), E(umov_b), E(smov_h), E(smov_bw),
    E(umov_d), E(fmov_hi), E(fmov_hi_r), E(movi16b), E(movi2d), E(movi4s_lsl), E(movi4h),
    E(movi_msl), E(mvni4s), E(orr_imm), E(bic_imm), E(fmov_v), E(fmov_v2d), E(ushr2d),
    E(sshr4s), E(ushr8b), E(shl8h), E(usra2d), E(ssra16b), E(shrn8b), E(shrn2_4s),
    E(uxtl8h), E(uxtl2_4s), E(sxtl2d), E(ushll_sh), E(ext16), E(ext8), E(tbl1), E(tbl2),
    E(tbx1), E(zip1_4s), E(zip2_16b), E(uzp1_8h), E(uzp2_8b), E(trn1_4h), E(trn2_2d),
    E(uaddl8h), E(saddl2_2d), E(uaddw2d), E(saddw2_4s), E(usubl4s), E(ssubw8h), E(addhn8b),
    E(raddhn2_8h), E(subhn4h), E(umull2d), E(smull2_8h), E(umlal4s), E(smlsl2d), E(uabal8h),
    E(sabdl2_4s), E(fadd4s), E(fsub2d), E(fmul2s), E(fdiv2d), E(fmla4s), E(fmls2d), E(fmax4s),
    E(fminnm2d), E(fabd4s), E(faddp4s), E(fcmeq4s), E(fcmge2d), E(fcmgt4s), E(facgt2d), E(fneg2d), E(fabs4s), E(scvtf2d), E(ucvtf4s), E(shadd8h), E(uhadd16b), E(urhadd4s), E(shsub2s), E(sqadd16b), E(uqadd2d), E(sqsub4s),
    E(uqsub8h), E(sqshl8b), E(uqrshl4s), E(srshl2d), E(uaba16b), E(pmul16b), E(sqdmulh8h),
    E(sqrdmulh4s), E(cls8h), E(clz4s), E(uaddlp8h), E(sadalp2d), E(sqabs16b), E(sqneg2d),
    E(suqadd4s), E(usqadd8b), E(sqxtn4h), E(uqxtn2_16b), E(sqxtun2s), E(fcvtl2d), E(fcvtn2_4s),
    E(frintm4s), E(frinta2d), E(fsqrt4s), E(fcmgt0_4s), E(fcmle0_2d), E(srshr4s), E(ursra16b),
    E(sri8h), E(sli2d), E(sqshlu4s), E(uqshl8b), E(sqshrn8b), E(uqrshrn2_8h), E(sqshrun2s),
    E(rshrn4h), E(scvtf_fix4s), E(fcvtzu_fix2d), E(mul_elem4s), E(mla_elem8h), E(mls_elem4h),
    E(fmla_elem4s), E(fmul_elem2d), E(sqdmulh_elem), E(fmulx4s), E(frecps2d), E(frsqrts4s), E(fmaxp4s), E(fminnmp2d), E(fmaxv4s), E(fminnmv4s),
    E(sqdmull2_4s), E(sqdmlal2d), E(sqdmlsl4s), E(s_fabd), E(s_fcmge), E(s_facgt), E(s_fmulx),
    E(s_frecps), E(s_sqadd_b), E(s_uqsub_h), E(s_sqshl_s), E(s_urshl_d), E(s_sqrdmulh_s),
    E(s_faddp_d), E(s_fmaxp_s), E(s_fminnmp_d), E(fcvtxn2s), E(s_fcvtxn), E(s_frecpx_d), E(s_frecpx_s), E(fmulx_elem), E(frecpe4s), E(frsqrte2d), E(s_frecpe_d), E(s_frsqrte_s), E(urecpe4s),
    E(ursqrte2s), E(aese), E(aesd), E(aesmc), E(aesimc), E(sha1c), E(sha1p), E(sha1m),
    E(sha1h), E(sha1su0), E(sha1su1), E(sha256h), E(sha256h2), E(sha256su0), E(sha256su1),
    E(pmull1q), E(pmull2_1q), E(pmull8h), E(pmull2_8h), E(smull_elem), E(umlal2_elem), E(sqdmull_elem),
    E(sqdmlal2_elem), E(s_add), E(s_sub),
    E(s_cmeq), E(s_cmhi), E(s_cmgt0), E(s_neg), E(s_addp), E(s_ushr), E(s_shl), E(s_dup),
    E(s_dupb), E(ld1r), E(ld1_lane),
};

int main(void)
{
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    vecs[0] = (V){0, 0};
    vecs[1] = (V){~0ull, ~0ull};
    vecs[2] = (V){0x8000000080000000ull, 0x7fffffff7fffffffull};
    vecs[3] = (V){0x0f0e0d0c0b0a0908ull, 0x0706050403020100ull};
    vecs[4] = (V){0x3f800000bfc00000ull, 0x7fc000007f800000ull};       /* 1 -1.5 | qnan inf */
    vecs[5] = (V){0x4008000000000000ull, 0xfff0000000000000ull};       /* 3.0 | -inf */
    for (int i = 6; i < 8; i++) {
        vecs[i].lo = rnd(&seed);
        vecs[i].hi = rnd(&seed);
    }
    for (unsigned t = 0; t < sizeof(tests) / sizeof(tests[0]); t++) {
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 8; j += 3) {
                V r = tests[t].fn(&vecs[i], &vecs[j], &vecs[(i + j + 5) % 8]);
                out(tests[t].name, i, j, r);
            }
        }
    }
    /* FPSR.QC after saturating ops */
    uint64_t qc;
    __asm__ volatile("msr fpsr, xzr\nmovi v0.16b, #0x7f\nsqadd v1.16b, v0.16b, v0.16b\n"
                     "mrs %0, fpsr" : "=r"(qc) : : "v0", "v1");
    out("qc", 0, 0, (V){qc, 0});
    puts_uart("simd done\n");
    return 0;
}
