/*
 * int.c — A64 integer data processing: each operation runs over a set of
 * interesting inputs and prints result and NZCV; run.sh diffs the output
 * against Debian's qemu-system-aarch64.
 */
#include "lib.h"

static const uint64_t vals[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
    0x123456789abcdef0ull, 0xfedcba9876543210ull, 63, 64, 31, 32, 0x5555aaaa5555aaaaull,
};
#define NV (sizeof(vals) / sizeof(vals[0]))

static void out(const char *name, uint64_t a, uint64_t b, uint64_t r, uint64_t nzcv)
{
    puts_uart(name);
    putc_uart(' ');
    print_hex(a);
    putc_uart(' ');
    print_hex(b);
    putc_uart(' ');
    print_hex(r);
    putc_uart(' ');
    print_hex(nzcv >> 28);
    putc_uart('\n');
}

#define OP2(name, insn)                                                                \
    static void t_##name(uint64_t a, uint64_t b)                                       \
    {                                                                                  \
        uint64_t r, f;                                                                 \
        __asm__ volatile("msr nzcv, xzr\n" insn "\nmrs %1, nzcv"                       \
                         : "=&r"(r), "=&r"(f) : "r"(a), "r"(b) : "cc");                \
        out(#name, a, b, r, f);                                                        \
    }
/* with carry in set */
#define OP2C(name, insn)                                                               \
    static void t_##name(uint64_t a, uint64_t b)                                       \
    {                                                                                  \
        uint64_t r, f, c = 1ull << 29;                                                 \
        __asm__ volatile("msr nzcv, %4\n" insn "\nmrs %1, nzcv"                        \
                         : "=&r"(r), "=&r"(f) : "r"(a), "r"(b), "r"(c) : "cc");        \
        out(#name, a, b, r, f);                                                        \
    }

OP2(adds, "adds %0, %2, %3")
OP2(adds_w, "adds %w0, %w2, %w3")
OP2(subs, "subs %0, %2, %3")
OP2(subs_w, "subs %w0, %w2, %w3")
OP2C(adcs, "adcs %0, %2, %3")
OP2C(adcs_w, "adcs %w0, %w2, %w3")
OP2C(sbcs, "sbcs %0, %2, %3")
OP2C(sbcs_w, "sbcs %w0, %w2, %w3")
OP2C(adc, "adc %0, %2, %3")
OP2C(sbc_w, "sbc %w0, %w2, %w3")
OP2(ands, "ands %0, %2, %3")
OP2(ands_w, "ands %w0, %w2, %w3")
OP2(bics, "bics %0, %2, %3, lsl #3")
OP2(orn, "orn %0, %2, %3, ror #7")
OP2(eon_w, "eon %w0, %w2, %w3, asr #5")
OP2(add_lsr, "add %0, %2, %3, lsr #13")
OP2(sub_asr_w, "sub %w0, %w2, %w3, asr #31")
OP2(add_sxtb, "add %0, %2, %w3, sxtb #2")
OP2(sub_uxth, "sub %0, %2, %w3, uxth #1")
OP2(adds_sxtw, "adds %0, %2, %w3, sxtw #4")
OP2(cmp_uxtx, "cmp %2, %3, uxtx #0\ncset %0, hi")
OP2(ccmp, "cmp %2, %3\nccmp %2, #5, #2, ge\ncset %0, lt")
OP2(ccmn, "cmp %2, %3\nccmn %w2, %w3, #9, ne\ncset %0, vs")
OP2(csel, "cmp %2, %3\ncsel %0, %2, %3, gt")
OP2(csinc, "cmp %2, %3\ncsinc %0, %2, %3, le")
OP2(csinv_w, "cmp %w2, %w3\ncsinv %w0, %w2, %w3, hs")
OP2(csneg, "cmp %2, %3\ncsneg %0, %2, %3, mi")
OP2(conds, "cmp %2, %3\ncset x9, eq\ncset x10, cs\ncset x11, hi\ncset x12, ge\n"
           "cset x13, gt\ncset x14, vs\nadd %0, x9, x10, lsl #1\nadd %0, %0, x11, lsl #2\n"
           "add %0, %0, x12, lsl #3\nadd %0, %0, x13, lsl #4\nadd %0, %0, x14, lsl #5")
OP2(mul, "mul %0, %2, %3")
OP2(madd_w, "madd %w0, %w2, %w3, %w2")
OP2(msub, "msub %0, %2, %3, %3")
OP2(smulh, "smulh %0, %2, %3")
OP2(umulh, "umulh %0, %2, %3")
OP2(smaddl, "smaddl %0, %w2, %w3, %2")
OP2(umsubl, "umsubl %0, %w2, %w3, %3")
OP2(sdiv, "sdiv %0, %2, %3")
OP2(udiv, "udiv %0, %2, %3")
OP2(sdiv_w, "sdiv %w0, %w2, %w3")
OP2(udiv_w, "udiv %w0, %w2, %w3")
OP2(lslv, "lsl %0, %2, %3")
OP2(lsrv_w, "lsr %w0, %w2, %w3")
OP2(asrv, "asr %0, %2, %3")
OP2(asrv_w, "asr %w0, %w2, %w3")
OP2(rorv, "ror %0, %2, %3")
OP2(rorv_w, "ror %w0, %w2, %w3")
OP2(extr, "extr %0, %2, %3, #17")
OP2(extr_w, "extr %w0, %w2, %w3, #5")
OP2(bfi, "mov %0, %3\nbfi %0, %2, #12, #20")
OP2(bfxil_w, "mov %0, %3\nbfxil %w0, %w2, #3, #9")
OP2(ubfx, "ubfx %0, %2, #7, #33")
OP2(sbfx, "sbfx %0, %2, #60, #4")
OP2(sbfiz_w, "sbfiz %w0, %w2, #9, #13")
OP2(ubfiz, "ubfiz %0, %2, #40, #24")
OP2(sxtw, "sxtw %0, %w2")
OP2(sxth_w, "sxth %w0, %w2")
OP2(sxtb, "sxtb %0, %w2")
OP2(lsl_imm, "lsl %0, %2, #61")
OP2(asr_imm_w, "asr %w0, %w2, #17")
OP2(clz, "clz %0, %2")
OP2(clz_w, "clz %w0, %w2")
OP2(cls, "cls %0, %2")
OP2(cls_w, "cls %w0, %w2")
OP2(rbit, "rbit %0, %2")
OP2(rbit_w, "rbit %w0, %w2")
OP2(rev, "rev %0, %2")
OP2(rev_w, "rev %w0, %w2")
OP2(rev16, "rev16 %0, %2")
OP2(rev32, "rev32 %0, %2")
OP2(and_imm, "and %0, %2, #0xff00ff00ff00ff00")
OP2(orr_imm_w, "orr %w0, %w2, #0x3c")
OP2(eor_imm, "eor %0, %2, #0x5555555555555555")
OP2(ands_imm_w, "ands %w0, %w2, #0x80000001")
OP2(tst_imm, "tst %2, #0x7e0\ncset %0, ne")
OP2(movk, "mov %0, %2\nmovk %0, #0xbeef, lsl #32")
OP2(movk_w, "mov %0, %2\nmovk %w0, #0xbeef, lsl #16")
OP2(movn, "movn %0, #0x1234, lsl #16")
OP2(movn_w, "movn %w0, #0x1234, lsl #16")
OP2(crc32b, "crc32b %w0, %w2, %w3")
OP2(crc32h, "crc32h %w0, %w2, %w3")
OP2(crc32w, "crc32w %w0, %w2, %w3")
OP2(crc32x, "crc32x %w0, %w2, %3")
OP2(crc32cb, "crc32cb %w0, %w2, %w3")
OP2(crc32cx, "crc32cx %w0, %w2, %3")
OP2(negs, "negs %0, %3")
OP2(ngcs_w, "ngcs %w0, %w3")
OP2(adds_imm, "adds %0, %2, #4095")
OP2(subs_imm_w, "subs %w0, %w2, #1, lsl #12")
OP2(cmn_imm, "cmn %2, #1\ncset %0, eq")

typedef void (*Fn)(uint64_t, uint64_t);
static const Fn fns[] = {
    t_adds, t_adds_w, t_subs, t_subs_w, t_adcs, t_adcs_w, t_sbcs, t_sbcs_w, t_adc, t_sbc_w,
    t_ands, t_ands_w, t_bics, t_orn, t_eon_w, t_add_lsr, t_sub_asr_w, t_add_sxtb, t_sub_uxth,
    t_adds_sxtw, t_cmp_uxtx, t_ccmp, t_ccmn, t_csel, t_csinc, t_csinv_w, t_csneg, t_conds,
    t_mul, t_madd_w, t_msub, t_smulh, t_umulh, t_smaddl, t_umsubl, t_sdiv, t_udiv, t_sdiv_w,
    t_udiv_w, t_lslv, t_lsrv_w, t_asrv, t_asrv_w, t_rorv, t_rorv_w, t_extr, t_extr_w, t_bfi,
    t_bfxil_w, t_ubfx, t_sbfx, t_sbfiz_w, t_ubfiz, t_sxtw, t_sxth_w, t_sxtb, t_lsl_imm,
    t_asr_imm_w, t_clz, t_clz_w, t_cls, t_cls_w, t_rbit, t_rbit_w, t_rev, t_rev_w, t_rev16,
    t_rev32, t_and_imm, t_orr_imm_w, t_eor_imm, t_ands_imm_w, t_tst_imm, t_movk, t_movk_w,
    t_movn, t_movn_w, t_crc32b, t_crc32h, t_crc32w, t_crc32x, t_crc32cb, t_crc32cx, t_negs,
    t_ngcs_w, t_adds_imm, t_subs_imm_w, t_cmn_imm,
};

int main(void)
{
    for (unsigned f = 0; f < sizeof(fns) / sizeof(fns[0]); f++) {
        for (unsigned i = 0; i < NV; i++) {
            for (unsigned j = 0; j < NV; j += 3) {
                fns[f](vals[i], vals[(i + j) % NV]);
            }
        }
    }
    puts_uart("int done\n");
    return 0;
}
