/*
 * tcg-opc.h — the IR opcode table, the single definition of every op.
 *
 * Included with DEF(name, oargs, iargs, cargs, flags) defined by the user:
 *   oargs  temps written by the op           (args[0 .. oargs-1])
 *   iargs  temps read by the op              (args[oargs .. oargs+iargs-1])
 *   cargs  constant arguments (not temps)    (the args after the inputs)
 *   flags  TCG_OPF_* (see tcg.h)
 *
 * Ops flagged TCG_OPF_INT are typed: TCGOp.type is TCG_TYPE_I32 or
 * TCG_TYPE_I64 and every temp argument has that type unless the op's
 * documentation says otherwise. The semantics of each op, including the
 * cases it leaves undefined, are in docs/tcg-ops.md; keep the two in step.
 * `call` is variadic: its counts live in TCGOp.nb_oargs/nb_iargs.
 */

/* control flow and markers */
DEF(nop, 0, 0, 0, TCG_OPF_NOT_PRESENT)
DEF(discard, 1, 0, 0, TCG_OPF_NOT_PRESENT)
DEF(insn_start, 0, 0, TCG_INSN_START_WORDS, TCG_OPF_NOT_PRESENT)
DEF(set_label, 0, 0, 1, TCG_OPF_BB_END)
DEF(br, 0, 0, 1, TCG_OPF_BB_END)
DEF(brcond, 0, 2, 2, TCG_OPF_BB_END | TCG_OPF_COND_BRANCH | TCG_OPF_INT)
DEF(call, 0, 0, 2, TCG_OPF_CALL_CLOBBER)
DEF(mb, 0, 0, 1, TCG_OPF_SIDE_EFFECTS)
DEF(exit_tb, 0, 0, 1, TCG_OPF_BB_EXIT | TCG_OPF_BB_END)
DEF(goto_tb, 0, 0, 1, TCG_OPF_BB_EXIT | TCG_OPF_BB_END)
DEF(goto_ptr, 0, 1, 0, TCG_OPF_BB_EXIT | TCG_OPF_BB_END)

/* moves and conditionals */
DEF(mov, 1, 1, 0, TCG_OPF_INT | TCG_OPF_NOT_PRESENT)
DEF(setcond, 1, 2, 1, TCG_OPF_INT)
DEF(negsetcond, 1, 2, 1, TCG_OPF_INT)
DEF(movcond, 1, 4, 1, TCG_OPF_INT)

/* host memory (CPU state) access: base temp + constant offset */
DEF(ld8u, 1, 1, 1, TCG_OPF_INT)
DEF(ld8s, 1, 1, 1, TCG_OPF_INT)
DEF(ld16u, 1, 1, 1, TCG_OPF_INT)
DEF(ld16s, 1, 1, 1, TCG_OPF_INT)
DEF(ld32u, 1, 1, 1, TCG_OPF_INT)
DEF(ld32s, 1, 1, 1, TCG_OPF_INT)
DEF(ld, 1, 1, 1, TCG_OPF_INT)
DEF(st8, 0, 2, 1, TCG_OPF_INT | TCG_OPF_SIDE_EFFECTS)
DEF(st16, 0, 2, 1, TCG_OPF_INT | TCG_OPF_SIDE_EFFECTS)
DEF(st32, 0, 2, 1, TCG_OPF_INT | TCG_OPF_SIDE_EFFECTS)
DEF(st, 0, 2, 1, TCG_OPF_INT | TCG_OPF_SIDE_EFFECTS)

/* arithmetic */
DEF(add, 1, 2, 0, TCG_OPF_INT)
DEF(sub, 1, 2, 0, TCG_OPF_INT)
DEF(neg, 1, 1, 0, TCG_OPF_INT)
DEF(mul, 1, 2, 0, TCG_OPF_INT)
DEF(mulu2, 2, 2, 0, TCG_OPF_INT)
DEF(muls2, 2, 2, 0, TCG_OPF_INT)
DEF(muluh, 1, 2, 0, TCG_OPF_INT)
DEF(mulsh, 1, 2, 0, TCG_OPF_INT)
DEF(add2, 2, 4, 0, TCG_OPF_INT)
DEF(sub2, 2, 4, 0, TCG_OPF_INT)
DEF(div, 1, 2, 0, TCG_OPF_INT)
DEF(divu, 1, 2, 0, TCG_OPF_INT)
DEF(rem, 1, 2, 0, TCG_OPF_INT)
DEF(remu, 1, 2, 0, TCG_OPF_INT)

/* logic */
DEF(and, 1, 2, 0, TCG_OPF_INT)
DEF(or, 1, 2, 0, TCG_OPF_INT)
DEF(xor, 1, 2, 0, TCG_OPF_INT)
DEF(andc, 1, 2, 0, TCG_OPF_INT)
DEF(orc, 1, 2, 0, TCG_OPF_INT)
DEF(eqv, 1, 2, 0, TCG_OPF_INT)
DEF(nand, 1, 2, 0, TCG_OPF_INT)
DEF(nor, 1, 2, 0, TCG_OPF_INT)
DEF(not, 1, 1, 0, TCG_OPF_INT)

/* shifts and rotates (count >= width: undefined result) */
DEF(shl, 1, 2, 0, TCG_OPF_INT)
DEF(shr, 1, 2, 0, TCG_OPF_INT)
DEF(sar, 1, 2, 0, TCG_OPF_INT)
DEF(rotl, 1, 2, 0, TCG_OPF_INT)
DEF(rotr, 1, 2, 0, TCG_OPF_INT)

/* extensions within a type */
DEF(ext8s, 1, 1, 0, TCG_OPF_INT)
DEF(ext8u, 1, 1, 0, TCG_OPF_INT)
DEF(ext16s, 1, 1, 0, TCG_OPF_INT)
DEF(ext16u, 1, 1, 0, TCG_OPF_INT)
DEF(ext32s, 1, 1, 0, TCG_OPF_INT) /* I64 only */
DEF(ext32u, 1, 1, 0, TCG_OPF_INT) /* I64 only */

/* conversions between types (untyped: argument types are fixed) */
DEF(ext_i32_i64, 1, 1, 0, 0)   /* out I64 = sign-extend(in I32) */
DEF(extu_i32_i64, 1, 1, 0, 0)  /* out I64 = zero-extend(in I32) */
DEF(extrl_i64_i32, 1, 1, 0, 0) /* out I32 = low half of in I64 */
DEF(extrh_i64_i32, 1, 1, 0, 0) /* out I32 = high half of in I64 */

/* bit fields */
DEF(extract, 1, 1, 2, TCG_OPF_INT)  /* cargs: ofs, len */
DEF(sextract, 1, 1, 2, TCG_OPF_INT) /* cargs: ofs, len */
DEF(deposit, 1, 2, 2, TCG_OPF_INT)  /* out = in0 with in1[len-1:0] at ofs */
DEF(extract2, 1, 2, 1, TCG_OPF_INT) /* out = (in1:in0) >> ofs, low width bits */

/* byte swaps and bit counts */
DEF(bswap16, 1, 1, 0, TCG_OPF_INT)
DEF(bswap32, 1, 1, 0, TCG_OPF_INT)
DEF(bswap64, 1, 1, 0, TCG_OPF_INT) /* I64 only */
DEF(clz, 1, 2, 0, TCG_OPF_INT)     /* in1: result when in0 == 0 */
DEF(ctz, 1, 2, 0, TCG_OPF_INT)     /* in1: result when in0 == 0 */
DEF(ctpop, 1, 1, 0, TCG_OPF_INT)

/* guest memory through the softmmu; address is always I64; carg: MemOpIdx */
DEF(guest_ld, 1, 1, 1, TCG_OPF_INT | TCG_OPF_GUEST_MEM | TCG_OPF_SIDE_EFFECTS)
DEF(guest_st, 0, 2, 1, TCG_OPF_INT | TCG_OPF_GUEST_MEM | TCG_OPF_SIDE_EFFECTS)
/* 128-bit, single-copy atomic as a whole: out/in lo, hi (I64) */
DEF(guest_ld128, 2, 1, 1, TCG_OPF_GUEST_MEM | TCG_OPF_SIDE_EFFECTS)
DEF(guest_st128, 0, 3, 1, TCG_OPF_GUEST_MEM | TCG_OPF_SIDE_EFFECTS)

/* guest atomics (host atomic instructions; see docs/tcg-ops.md) */
/* out = old; in: addr, cmp, new; carg: MemOpIdx */
DEF(atomic_cmpxchg, 1, 3, 1, TCG_OPF_INT | TCG_OPF_GUEST_MEM | TCG_OPF_SIDE_EFFECTS)
/* out = old; in: addr, val; cargs: MemOpIdx, TCGAtomicOp */
DEF(atomic_rmw, 1, 2, 2, TCG_OPF_INT | TCG_OPF_GUEST_MEM | TCG_OPF_SIDE_EFFECTS)
/* out: oldlo, oldhi; in: addr, cmplo, cmphi, newlo, newhi; carg: MemOpIdx */
DEF(atomic_cmpxchg128, 2, 5, 1, TCG_OPF_GUEST_MEM | TCG_OPF_SIDE_EFFECTS)
