/*
 * helper-head.h — type plumbing for helpers declared once.
 *
 * A target lists its helpers in one file (e.g. target/arm/helper.h) as
 *     DEF_HELPER_2(udiv64, TCG_CALL_PURE, i64, i64, i64)
 *              ^arity  name   flags         ret  args...
 * and includes that file three ways, each with HELPER_H naming the list:
 *     exec/helper-proto.h    C prototypes   (uint64_t helper_udiv64(uint64_t, uint64_t))
 *     exec/helper-gen.h      emitters       (gen_helper_udiv64(TCGv_i64 ret, a, b))
 *     exec/helper-info.c.inc TCGHelperInfo  (one .c file per target includes it)
 * Type tokens: void, i32 (uint32_t), s32 (int32_t), i64 (uint64_t),
 * s64 (int64_t), ptr (void *), env (struct CPUState *).
 */
#ifndef EXEC_HELPER_HEAD_H
#define EXEC_HELPER_HEAD_H

#include <stdint.h>

struct CPUState;

#define dh_ctype_void void
#define dh_ctype_i32 uint32_t
#define dh_ctype_s32 int32_t
#define dh_ctype_i64 uint64_t
#define dh_ctype_s64 int64_t
#define dh_ctype_ptr void *
#define dh_ctype_env struct CPUState *
#define dh_ctype(t) dh_ctype_##t

#define dh_gentype_i32 TCGv_i32
#define dh_gentype_s32 TCGv_i32
#define dh_gentype_i64 TCGv_i64
#define dh_gentype_s64 TCGv_i64
#define dh_gentype_ptr TCGv_ptr
#define dh_gentype_env TCGv_ptr
#define dh_gentype(t) dh_gentype_##t

#define dh_idx_i32(v) tcgv_i32_idx(v)
#define dh_idx_s32(v) tcgv_i32_idx(v)
#define dh_idx_i64(v) tcgv_i64_idx(v)
#define dh_idx_s64(v) tcgv_i64_idx(v)
#define dh_idx_ptr(v) tcgv_i64_idx(v)
#define dh_idx_env(v) tcgv_i64_idx(v)
#define dh_idx(t, v) dh_idx_##t(v)

#define dh_code_void TCG_CALL_VOID
#define dh_code_i32 TCG_CALL_I32
#define dh_code_s32 TCG_CALL_S32
#define dh_code_i64 TCG_CALL_I64
#define dh_code_s64 TCG_CALL_I64
#define dh_code_ptr TCG_CALL_PTR
#define dh_code_env TCG_CALL_PTR
#define dh_code(t) dh_code_##t

/* gen_helper_* return slot: void helpers take no ret argument */
#define dh_retarg_void
#define dh_retarg_i32 TCGv_i32 retval,
#define dh_retarg_s32 TCGv_i32 retval,
#define dh_retarg_i64 TCGv_i64 retval,
#define dh_retarg_s64 TCGv_i64 retval,
#define dh_retarg_ptr TCGv_ptr retval,
#define dh_retarg(t) dh_retarg_##t
#define dh_retidx_void -1
#define dh_retidx_i32 tcgv_i32_idx(retval)
#define dh_retidx_s32 tcgv_i32_idx(retval)
#define dh_retidx_i64 tcgv_i64_idx(retval)
#define dh_retidx_s64 tcgv_i64_idx(retval)
#define dh_retidx_ptr tcgv_i64_idx(retval)
#define dh_retidx(t) dh_retidx_##t

#endif
