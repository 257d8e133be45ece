/*
 * helper.h — every run-time helper of the AArch64 translator, declared once
 * (see include/exec/helper-head.h). No include guard: included three ways.
 * `env` is the CPUState pointer (an ARMCPU).
 */

/* exceptions and the CPU loop (helper.c) */
DEF_HELPER_3(exception, TCG_CALL_NO_RETURN | TCG_CALL_NO_WG, void, env, i32, i32)
DEF_HELPER_1(wfi, TCG_CALL_NO_RETURN | TCG_CALL_NO_WG, void, env)
DEF_HELPER_1(yield, TCG_CALL_NO_RETURN | TCG_CALL_NO_WG, void, env)
DEF_HELPER_1(eret, 0, void, env)
DEF_HELPER_2(hvc, 0, void, env, i32)
DEF_HELPER_3(msr_i_pstate, 0, void, env, i32, i32)

/* system registers and maintenance (sysreg.c, mmu.c) */
DEF_HELPER_2(mrs, TCG_CALL_NO_WG, i64, env, i32)
DEF_HELPER_3(msr, 0, void, env, i32, i64)
DEF_HELPER_3(tlbi, TCG_CALL_NO_RWG, void, env, i32, i64)
DEF_HELPER_3(at, TCG_CALL_NO_RWG, void, env, i32, i64)
DEF_HELPER_2(dc_zva, TCG_CALL_NO_WG, void, env, i64)
DEF_HELPER_2(ic_ivau, TCG_CALL_NO_RWG, void, env, i64)

/* integer (helper.c) */
DEF_HELPER_2(sdiv64, TCG_CALL_PURE, s64, s64, s64)
DEF_HELPER_2(udiv64, TCG_CALL_PURE, i64, i64, i64)
DEF_HELPER_2(sdiv32, TCG_CALL_PURE, s32, s32, s32)
DEF_HELPER_2(udiv32, TCG_CALL_PURE, i32, i32, i32)
DEF_HELPER_1(rbit64, TCG_CALL_PURE, i64, i64)
DEF_HELPER_3(crc32, TCG_CALL_PURE, i32, i32, i64, i32)
DEF_HELPER_3(crc32c, TCG_CALL_PURE, i32, i32, i64, i32)

/* scalar FP (fpu.c): ptr args point at the FP status/env; values are raw bits */
DEF_HELPER_4(fp_arith, TCG_CALL_NO_RWG, i64, env, i32, i64, i64)
DEF_HELPER_5(fp_fma, TCG_CALL_NO_RWG, i64, env, i32, i64, i64, i64)
DEF_HELPER_3(fp_unary, TCG_CALL_NO_RWG, i64, env, i32, i64)
DEF_HELPER_4(fp_cmp, TCG_CALL_NO_RWG, i32, env, i32, i64, i64)
DEF_HELPER_4(fp_to_int, TCG_CALL_NO_RWG, i64, env, i32, i64, i32)
DEF_HELPER_4(int_to_fp, TCG_CALL_NO_RWG, i64, env, i32, i64, i32)
DEF_HELPER_3(fp_cvt, TCG_CALL_NO_RWG, i64, env, i32, i64)

/* AdvSIMD (simd_helper.c): operate on env->v[] by register number */
DEF_HELPER_3(simd_tbl, TCG_CALL_NO_RWG, void, env, i32, i32)
DEF_HELPER_3(simd_op, TCG_CALL_NO_RWG, void, env, i32, i32)

/* Cryptographic Extension (crypto.c): registers by number */
DEF_HELPER_3(crypto_aes, TCG_CALL_NO_RWG, void, env, i32, i32)
DEF_HELPER_3(crypto_sha3, TCG_CALL_NO_RWG, void, env, i32, i32)
DEF_HELPER_3(crypto_sha2, TCG_CALL_NO_RWG, void, env, i32, i32)
DEF_HELPER_3(crypto_pmull64, TCG_CALL_NO_RWG, void, env, i32, i32)
