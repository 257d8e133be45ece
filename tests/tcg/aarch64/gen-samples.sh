#!/bin/sh
# gen-samples.sh — regenerate the sample encodings embedded in
# tests/unit/test-arm-decode.c: each line below is "PATTERN|assembly"; the
# script assembles them with aarch64-linux-gnu-as and prints C initialisers
#     {0xWORD, "PATTERN", "assembly"},
# to paste into the samples[] table of the unit test.
set -eu
AS=${AS:-aarch64-linux-gnu-as}
OBJDUMP=${OBJDUMP:-aarch64-linux-gnu-objdump}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/list" <<'LIST'
ADDSUB_i|add x1, x2, #3
ADDSUB_i|subs w3, w4, #0x123, lsl #12
ADDSUB_i|mov sp, x5
ADDSUB_r|add x0, x1, x2, lsl #7
ADDSUB_r|cmp w3, w4, asr #2
ADDSUB_x|add x0, sp, w1, uxtw #2
ADDSUB_x|subs x2, x3, x4, sxtx
ADC|adcs x1, x2, x3
ADC|sbc w4, w5, w6
LOGIC_i|and x0, x1, #0xff00
LOGIC_i|orr w2, wzr, #0x1
LOGIC_i|tst x3, #0x8000000000000000
LOGIC_r|eon x0, x1, x2, ror #3
LOGIC_r|mov x7, x8
LOGIC_r|bics w1, w2, w3
MOVW|movz x0, #0x1234, lsl #16
MOVW|movk w1, #0xffff
MOVW|movn x2, #0
BITFIELD|ubfx x0, x1, #4, #8
BITFIELD|sbfiz w2, w3, #5, #3
BITFIELD|bfi x4, x5, #60, #4
BITFIELD|lsl x1, x2, #3
EXTR|extr x0, x1, x2, #17
EXTR|ror w3, w4, #5
ADR|adr x0, .+0x1234
ADRP|adrp x1, .-0x3000
B|b .-8
BL|bl .+0x4000000-4
CBZ|cbz w3, .+0x40
CBZ|cbnz x4, .-0x100000
TBZ|tbz x5, #35, .+0x20
TBZ|tbnz w6, #7, .-4
B_cond|b.ne .+16
B_cond|b.al .-0x40
BR|br x17
BLR|blr x3
RET|ret
ERET|eret
SVC|svc #0
HVC|hvc #0x4242
SMC|smc #1
BRK|brk #0x800
HINT|nop
HINT|wfi
HINT|yield
HINT|paciasp
CLREX|clrex
DSB_DMB|dmb ish
DSB_DMB|dsb sy
DSB_DMB|isb
MSR_i|msr daifset, #2
MSR_i|msr spsel, #1
SYS|dc zva, x0
SYS|ic ivau, x1
SYS|tlbi vmalle1is
SYS|tlbi vae1, x2
SYS|at s1e1r, x3
SYSREG|mrs x0, sctlr_el1
SYSREG|msr ttbr0_el1, x1
SYSREG|mrs x2, cntvct_el0
SYSREG|mrs x3, nzcv
SYSREG|msr mdscr_el1, x4
CSEL|csel x0, x1, x2, eq
CSEL|cset w3, hi
CSEL|cneg x4, x5, lt
CCMP|ccmp x1, x2, #4, ne
CCMP|ccmn w3, #5, #0, ge
DP3|madd x0, x1, x2, x3
DP3|mul w4, w5, w6
DP3|umulh x7, x8, x9
DP3|smaddl x1, w2, w3, x4
DP2|udiv x0, x1, x2
DP2|lsl w3, w4, w5
DP2|crc32cx w6, w7, x8
DP1|rbit x0, x1
DP1|rev w2, w3
DP1|clz x4, x5
DP1|cls w6, w7
LDST_uimm|ldr x0, [x1, #8]
LDST_uimm|strb w2, [sp, #4095]
LDST_uimm|ldrsw x3, [x4]
LDST_uimm|ldr q5, [x6, #32]
LDST_uimm|prfm pldl1keep, [x7]
LDST_imm9|ldur w0, [x1, #-1]
LDST_imm9|str x2, [sp, #-16]!
LDST_imm9|ldrb w3, [x4], #1
LDST_imm9|ldtr x5, [x6]
LDST_reg|ldr x0, [x1, x2, lsl #3]
LDST_reg|strh w3, [x4, w5, sxtw #1]
LDST_reg|ldrsb x6, [x7, x8]
LDSTP|stp x29, x30, [sp, #-16]!
LDSTP|ldp x19, x20, [sp], #32
LDSTP|ldpsw x0, x1, [x2, #8]
LDSTP|stp q0, q1, [x3, #64]
LDSTP|ldnp d2, d3, [x4]
LDR_lit|ldr x0, .+0x100
LDR_lit|ldrsw x1, .-8
LDR_lit|ldr d2, .+0x40
LDSTX|ldxr x0, [x1]
LDSTX|stlxr w2, x3, [x4]
LDSTX|ldaxp x5, x6, [x7]
LDSTX|ldar w8, [x9]
LDSTX|stlrb w10, [x11]
CAS|casal x0, x1, [x2]
CASP|caspa x2, x3, x4, x5, [x6]
LSE_ATOMIC|ldadd x0, x1, [x2]
LSE_ATOMIC|swpal w3, w4, [x5]
LSE_ATOMIC|stclr x6, [x7]
LDST_MULT|ld1 {v0.16b}, [x0]
LDST_MULT|st1 {v1.2d, v2.2d}, [x1], #32
LDST_MULT|ld4 {v4.4s, v5.4s, v6.4s, v7.4s}, [x2], x3
LDST_SINGLE|ld1 {v0.s}[1], [x0]
LDST_SINGLE|ld1r {v1.8h}, [x1], #2
FP_DP2|fadd d0, d1, d2
FP_DP2|fdiv s3, s4, s5
FP_DP1|fsqrt d0, d1
FP_DP1|fcvt s2, d3
FP_DP1|fmov s4, s5
FP_DP3|fmadd d0, d1, d2, d3
FP_CMP|fcmp d0, #0.0
FP_CMP|fcmpe s1, s2
FP_CCMP|fccmp d0, d1, #4, eq
FP_CSEL|fcsel s0, s1, s2, gt
FP_IMM|fmov d0, #1.0
FP_INT|fmov x0, d1
FP_INT|fmov s2, w3
FP_INT|scvtf d4, x5
FP_INT|fcvtzu w6, s7
FP_INT|fmov v8.d[1], x9
FP_FIXED|fcvtzs x0, d1, #16
SIMD_3SAME|and v0.16b, v1.16b, v2.16b
SIMD_3SAME|cmeq v3.8h, v4.8h, v5.8h
SIMD_3SAME|addp v6.4s, v7.4s, v8.4s
SIMD_3SAME|orr v9.8b, v10.8b, v11.8b
SIMD_2MISC|cnt v0.8b, v1.8b
SIMD_2MISC|rev64 v2.16b, v3.16b
SIMD_2MISC|xtn v4.8b, v5.8h
SIMD_ACROSS|uminv b0, v1.16b
SIMD_ACROSS|addv s2, v3.4s
SIMD_COPY|dup v0.16b, w1
SIMD_COPY|umov w2, v3.b[5]
SIMD_COPY|ins v4.s[1], w5
SIMD_COPY|mov v6.d[1], v7.d[0]
SIMD_MODIMM|movi v0.16b, #0x40
SIMD_MODIMM|movi d1, #0xff00ff00ff00ff00
SIMD_MODIMM|mvni v2.4s, #0x12, lsl #8
SIMD_SHIFT|ushr v0.2d, v1.2d, #3
SIMD_SHIFT|shrn v2.8b, v3.8h, #4
SIMD_SHIFT|uxtl v4.8h, v5.8b
SIMD_EXT|ext v0.16b, v1.16b, v2.16b, #3
SIMD_TBL|tbl v0.16b, {v1.16b, v2.16b}, v3.16b
SIMD_PERM|zip1 v0.4s, v1.4s, v2.4s
SIMD_PERM|uzp2 v3.8b, v4.8b, v5.8b
SIMD_SPAIR|addp d0, v1.2d
SIMD_SCOPY|mov s0, v1.s[2]
SIMD_S3SAME|add d0, d1, d2
SIMD_SSHIFT|ushr d0, d1, #7
SIMD_ELEM|fmla v0.4s, v1.4s, v2.s[3]
SIMD_ELEM|mul v3.8h, v4.8h, v5.h[7]
CRYPTO_AES|aese v0.16b, v1.16b
CRYPTO_AES|aesimc v2.16b, v3.16b
CRYPTO_SHA3|sha256h q0, q1, v2.4s
CRYPTO_SHA3|sha1c q3, s4, v5.4s
CRYPTO_SHA2|sha1h s0, s1
CRYPTO_SHA2|sha256su0 v2.4s, v3.4s
SIMD_3DIFF|pmull v0.1q, v1.1d, v2.1d
UNDEF|.inst 0x00000000
UNDEF|.inst 0xffffffff
LIST
{
    printf '\t.arch armv8.1-a+crc+lse+crypto\n\t.text\n'
    while IFS='|' read -r pat insn; do
        printf '\t%s\n' "$insn"
    done < "$tmp/list"
} > "$tmp/s.S"
$AS -o "$tmp/s.o" "$tmp/s.S"
$OBJDUMP -d "$tmp/s.o" | awk '/^ *[0-9a-f]+:/ { print $2 }' > "$tmp/words"
paste -d'|' "$tmp/words" "$tmp/list" | while IFS='|' read -r w pat insn; do
    printf '    {0x%s, "%s", "%s"},\n' "$w" "$pat" "$insn"
done
