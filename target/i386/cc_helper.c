/*
 * cc_helper.c — lazy condition codes: EFLAGS.OSZAPC from (cc_op, cc_dst,
 * cc_src, cc_src2) as described in cpu.h, and the flag helpers generated
 * code calls when an inline evaluation is not worth it.
 *
 * Flag definitions: SDM Vol.1 §3.4.3.1 and Appendix A (EFLAGS cross
 * reference). PF is the even parity of the low byte of the result; AF is
 * the carry out of bit 3: ((src1 ^ src2 ^ result) & 0x10).
 */
#include "target/i386/cpu.h"

static inline uint64_t size_mask(int sz)
{
    return sz == 3 ? ~0ull : (1ull << (8 << sz)) - 1;
}

static inline uint64_t sign_bit(int sz)
{
    return 1ull << ((8 << sz) - 1);
}

static inline uint32_t parity(uint64_t v)
{
    return __builtin_parity((unsigned)(v & 0xff)) ? 0 : CC_P;
}

static inline uint32_t szp(uint64_t res, int sz)
{
    uint64_t m = size_mask(sz);
    uint32_t f = parity(res);
    if ((res & m) == 0) {
        f |= CC_Z;
    }
    if (res & sign_bit(sz)) {
        f |= CC_S;
    }
    return f;
}

uint32_t x86_compute_eflags(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2)
{
    if (cc_op == CC_OP_EFLAGS) {
        return (uint32_t)src & CC_OSZAPC;
    }
    if (cc_op < CC_OP_ADDB || cc_op >= CC_OP_NB) {
        return 0;
    }
    int sz = cc_op_size((CCOp)cc_op);
    uint64_t m = size_mask(sz), sb = sign_bit(sz);
    uint64_t res = dst & m;
    uint32_t f = szp(res, sz);
    uint64_t s1 = src2 & m, s2 = src & m, cin;

    switch (cc_op_base((CCOp)cc_op)) {
    case CC_OP_ADDB:
        f |= res < s2 ? CC_C : 0;
        f |= ((s1 ^ s2 ^ res) & 0x10) ? CC_A : 0;
        f |= ((~(s1 ^ s2) & (s1 ^ res)) & sb) ? CC_O : 0;
        break;
    case CC_OP_ADCB:
        cin = (res - s1 - s2) & m;
        f |= (cin ? res <= s1 : res < s1) ? CC_C : 0;
        f |= ((s1 ^ s2 ^ res) & 0x10) ? CC_A : 0;
        f |= ((~(s1 ^ s2) & (s1 ^ res)) & sb) ? CC_O : 0;
        break;
    case CC_OP_SUBB:
        f |= s1 < s2 ? CC_C : 0;
        f |= ((s1 ^ s2 ^ res) & 0x10) ? CC_A : 0;
        f |= (((s1 ^ s2) & (s1 ^ res)) & sb) ? CC_O : 0;
        break;
    case CC_OP_SBBB:
        cin = (s1 - s2 - res) & m;
        f |= (cin ? s1 <= s2 : s1 < s2) ? CC_C : 0;
        f |= ((s1 ^ s2 ^ res) & 0x10) ? CC_A : 0;
        f |= (((s1 ^ s2) & (s1 ^ res)) & sb) ? CC_O : 0;
        break;
    case CC_OP_LOGICB:
        break;
    case CC_OP_INCB:
        /* src = CF before; the operand was res - 1 */
        f |= src & 1 ? CC_C : 0;
        f |= (res & 0xf) == 0 ? CC_A : 0;
        f |= res == sb ? CC_O : 0;
        break;
    case CC_OP_DECB:
        f |= src & 1 ? CC_C : 0;
        f |= (res & 0xf) == 0xf ? CC_A : 0;
        f |= res == sb - 1 ? CC_O : 0;
        break;
    case CC_OP_SHLB:
        /* src = operand << (count - 1): CF = its top bit; OF = CF ^ top bit of the result */
        f |= (src & sb) ? CC_C : 0;
        f |= (((src & sb) != 0) ^ ((res & sb) != 0)) ? CC_O : 0;
        break;
    case CC_OP_SARB:
        /* src = operand >> (count - 1) (arithmetic or logical): CF = its bit 0.
         * OF: SAR clears it; SHR sets it to the operand's top bit — the
         * translator encodes SHR's OF in src2 bit 0 */
        f |= (src & 1) ? CC_C : 0;
        f |= (src2 & 1) ? CC_O : 0;
        break;
    case CC_OP_MULB:
        f |= src ? (CC_C | CC_O) : 0;
        break;
    case CC_OP_BMILGB:
        /* LZCNT/TZCNT: CF = source was zero (result == width), ZF = result zero */
        f = (res == 0 ? CC_Z : 0) | (src == 0 ? CC_C : 0);
        break;
    default:
        break;
    }
    return f;
}

/* CF alone (JB/JAE/ADC/SBB after a TB boundary): the cases of x86_compute_eflags
 * without parity, AF, ZF, SF and OF */
uint32_t x86_compute_cf(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2)
{
    if (cc_op == CC_OP_EFLAGS) {
        return (uint32_t)src & CC_C;
    }
    if (cc_op < CC_OP_ADDB || cc_op >= CC_OP_NB) {
        return 0;
    }
    int sz = cc_op_size((CCOp)cc_op);
    uint64_t m = size_mask(sz);
    uint64_t res = dst & m, s1 = src2 & m, s2 = src & m, cin;
    switch (cc_op_base((CCOp)cc_op)) {
    case CC_OP_ADDB:
        return res < s2;
    case CC_OP_ADCB:
        cin = (res - s1 - s2) & m;
        return cin ? res <= s1 : res < s1;
    case CC_OP_SUBB:
        return s1 < s2;
    case CC_OP_SBBB:
        cin = (s1 - s2 - res) & m;
        return cin ? s1 <= s2 : s1 < s2;
    case CC_OP_INCB:
    case CC_OP_DECB:
    case CC_OP_SARB:
        return (uint32_t)src & 1;
    case CC_OP_SHLB:
        return (src & sign_bit(sz)) != 0;
    case CC_OP_LOGICB:
        return 0;
    default:
        return x86_compute_eflags(cc_op, dst, src, src2) & CC_C;
    }
}
