/*
 * fpu.h — operation codes shared by translate-fp.c and fpu.c.
 * A helper's `op` argument is (kind << 1) | dbl, dbl = 1 for double precision.
 */
#ifndef TARGET_ARM_FPU_H
#define TARGET_ARM_FPU_H

enum {
    FPA_ADD, FPA_SUB, FPA_MUL, FPA_DIV, FPA_MAX, FPA_MIN, FPA_MAXNM, FPA_MINNM, FPA_NMUL,
};
enum { FPF_MADD, FPF_MSUB, FPF_NMADD, FPF_NMSUB };
enum {
    FPU_SQRT, FPU_RINTN, FPU_RINTP, FPU_RINTM, FPU_RINTZ, FPU_RINTA, FPU_RINTX, FPU_RINTI,
    FPU_RECPX, FPU_RECPE, FPU_RSQRTE,
};
/* the 9-bit estimate tables of the Arm ARM (RecipEstimate, RecipSqrtEstimate) */
int arm_recip_estimate(int a);
int arm_rsqrt_estimate(int a);
/* fp_to_int op: rmode (FPR_*) << 3 | signed << 2 | to64 << 1 | dbl */
enum { FPR_N, FPR_P, FPR_M, FPR_Z, FPR_A };
/* int_to_fp op: signed << 2 | from64 << 1 | dbl */
/* fp_cvt op: 0 single->double, 1 double->single, 2 double->single rounding to odd,
 * 3 single->half, 4 double->half, 5 half->single, 6 half->double */
/* fp_cmp op: signalling << 1 | dbl; result NZCV in bits 31:28 */

#endif
