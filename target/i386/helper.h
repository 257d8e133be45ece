/*
 * helper.h — the x86 target's helpers, declared once (exec/helper-head.h).
 * Flags: TCG_CALL_PURE for pure functions of their arguments; 0 (the
 * default) where the helper reads or writes guest registers in env or may
 * raise an exception.
 */
/* flags */
DEF_HELPER_4(cc_compute_all, TCG_CALL_PURE, i32, i64, i64, i64, i32)
DEF_HELPER_4(cc_compute_c, TCG_CALL_PURE, i32, i64, i64, i64, i32)
DEF_HELPER_1(read_eflags, TCG_CALL_NO_WG, i32, env)
DEF_HELPER_3(write_eflags, 0, void, env, i32, i32)
/* desc: kind (0 ROL .. 7 SAR) | size << 4; returns the result, flags in env */
DEF_HELPER_4(shift, 0, i64, env, i64, i32, i32)
/* desc: 0 SHLD / 1 SHRD | size << 4 */
DEF_HELPER_5(shld, 0, i64, env, i64, i64, i32, i32)

/* exceptions and control */
DEF_HELPER_2(raise_exception, TCG_CALL_NO_RETURN, void, env, i32)
DEF_HELPER_3(raise_exception_err, TCG_CALL_NO_RETURN, void, env, i32, i32)
DEF_HELPER_3(raise_interrupt, TCG_CALL_NO_RETURN, void, env, i32, i32)
DEF_HELPER_2(hlt, TCG_CALL_NO_RETURN, void, env, i32)
DEF_HELPER_2(pause, TCG_CALL_NO_RETURN, void, env, i32)
DEF_HELPER_2(syscall, TCG_CALL_NO_RETURN, void, env, i32)
DEF_HELPER_2(sysret, 0, void, env, i32)
/* SYSENTER; SYSEXIT with dflag 2 (REX.W: to 64-bit) or 1 (to 32-bit) */
DEF_HELPER_1(sysenter, TCG_CALL_NO_RETURN, void, env)
DEF_HELPER_2(sysexit, 0, void, env, i32)
/* segment-limit check (HF_SEGLIM): offset, desc = seg | bytes << 4 */
DEF_HELPER_3(check_seg_limit, 0, void, env, i64, i32)
/* I/O permission bitmap check (CPL > IOPL or virtual-8086): port, bytes */
DEF_HELPER_3(check_io, 0, void, env, i32, i32)
DEF_HELPER_2(iret, 0, void, env, i32)
DEF_HELPER_3(lret, 0, void, env, i32, i32)
/* far JMP/CALL: selector, offset, desc = call | opsize << 4, next eip (CALL) */
DEF_HELPER_5(ljmp, 0, void, env, i32, i64, i32, i64)
DEF_HELPER_1(single_step, TCG_CALL_NO_RETURN, void, env)
DEF_HELPER_1(cli, 0, void, env)
DEF_HELPER_1(sti, 0, void, env)

/* arithmetic */
DEF_HELPER_2(divb, 0, void, env, i64)
DEF_HELPER_2(divw, 0, void, env, i64)
DEF_HELPER_2(divl, 0, void, env, i64)
DEF_HELPER_2(divq, 0, void, env, i64)
DEF_HELPER_2(idivb, 0, void, env, i64)
DEF_HELPER_2(idivw, 0, void, env, i64)
DEF_HELPER_2(idivl, 0, void, env, i64)
DEF_HELPER_2(idivq, 0, void, env, i64)
/* DAA DAS AAA AAS AAM AAD (legacy modes): op = X86Mnem, imm = AAM/AAD base */
DEF_HELPER_3(bcd, 0, void, env, i32, i32)
/* CMPXCHG8B/16B (not locked): address, desc bit 0 = 16B */
DEF_HELPER_3(cmpxchg8b, 0, void, env, i64, i32)

/* string instructions: desc in translate.c (STR_*) */
DEF_HELPER_2(string, 0, i32, env, i32)

/* system */
DEF_HELPER_1(cpuid, 0, void, env)
DEF_HELPER_1(rdtsc, 0, void, env)
DEF_HELPER_1(rdtscp, 0, void, env)
DEF_HELPER_1(rdpmc, 0, void, env)
DEF_HELPER_1(rdmsr, 0, void, env)
DEF_HELPER_1(wrmsr, 0, void, env)
DEF_HELPER_2(read_cr, 0, i64, env, i32)
DEF_HELPER_3(write_cr, 0, void, env, i32, i64)
DEF_HELPER_3(write_dr, 0, void, env, i32, i64)
DEF_HELPER_2(invlpg, 0, void, env, i64)
DEF_HELPER_3(lgdt_lidt, 0, void, env, i64, i32)
DEF_HELPER_3(sgdt_sidt, 0, void, env, i64, i32)
DEF_HELPER_2(lldt, 0, void, env, i32)
DEF_HELPER_2(ltr, 0, void, env, i32)
DEF_HELPER_3(load_seg, 0, void, env, i32, i32)
/* LAR/LSL/VERR/VERW: op = X86Mnem; sets ZF; returns the LAR/LSL value */
DEF_HELPER_3(lar_lsl, 0, i64, env, i32, i32)
/* ARPL: returns the adjusted destination selector, ZF in env (CC_OP_EFLAGS) */
DEF_HELPER_3(arpl, 0, i64, env, i64, i64)
DEF_HELPER_1(swapgs, 0, void, env)
DEF_HELPER_2(lmsw, 0, void, env, i64)
DEF_HELPER_1(clts, 0, void, env)
DEF_HELPER_3(in, 0, i64, env, i32, i32)
DEF_HELPER_4(out, 0, void, env, i32, i64, i32)

/* SSE: operands are XMM indices (16 = env->xmm_t0, a loaded memory operand). The XMM
 * and x87/MMX state is not a TCG global: helpers that cannot fault are NO_RWG, those
 * that may raise (#XM, #MF, a store fault) NO_WG (globals synced, none written) */
DEF_HELPER_4(sse_op, TCG_CALL_NO_RWG, void, env, i32, i32, i32)
DEF_HELPER_5(sse_op_imm, TCG_CALL_NO_RWG, void, env, i32, i32, i32, i32)
DEF_HELPER_2(pmovmskb, TCG_CALL_NO_RWG, i32, env, i32)
DEF_HELPER_2(movmskps, TCG_CALL_NO_RWG, i32, env, i32)
DEF_HELPER_2(ldmxcsr, 0, void, env, i32)
DEF_HELPER_3(fxsave, 0, void, env, i64, i32)
/* x87: insn = escape byte (D8..DF) | ModRM << 8; addr = memory operand */
DEF_HELPER_3(x87, 0, void, env, i32, i64)
DEF_HELPER_1(fwait, 0, void, env)
/* SSE floating point: op = X86Mnem; may raise #XM / #UD for unmasked exceptions */
DEF_HELPER_5(sse_fp, TCG_CALL_NO_WG, void, env, i32, i32, i32, i32)
DEF_HELPER_4(sse_cvt2si, TCG_CALL_NO_WG, i64, env, i32, i32, i32)
DEF_HELPER_5(sse_cvtsi2s, TCG_CALL_NO_WG, void, env, i32, i32, i64, i32)
DEF_HELPER_4(sse_comis, 0, void, env, i32, i32, i32)
/* MMX (sse_helper.c): MMX register indices 0..7, 8 = a memory operand in xmm_t0 */
DEF_HELPER_5(mmx_op, TCG_CALL_NO_WG, void, env, i32, i32, i32, i32)
DEF_HELPER_3(mmx_write, TCG_CALL_NO_WG, void, env, i32, i64)
DEF_HELPER_4(mmx_read, TCG_CALL_NO_WG, i64, env, i32, i32, i32)
DEF_HELPER_1(emms, TCG_CALL_NO_WG, void, env)
DEF_HELPER_4(maskmov, TCG_CALL_NO_WG, void, env, i32, i32, i32)
DEF_HELPER_4(sse_cvt_mmx, TCG_CALL_NO_WG, void, env, i32, i32, i32)
/* SSE4.1 PTEST, SSE4.2 PCMPxSTRx (write flags, ECX or XMM0) */
DEF_HELPER_3(ptest, 0, void, env, i32, i32)
DEF_HELPER_5(pcmpstr, 0, void, env, i32, i32, i32, i32)
/* BMI / CRC32 (bmi_helper.c): pure functions of their operands */
DEF_HELPER_3(crc32, TCG_CALL_PURE, i64, i64, i64, i32)
DEF_HELPER_2(pdep, TCG_CALL_PURE, i64, i64, i64)
DEF_HELPER_2(pext, TCG_CALL_PURE, i64, i64, i64)
