/*
 * decode-tables.c — the x86 opcode maps, transcribed from SDM Vol.2
 * Appendix A (Tables A-2 one-byte map, A-3 two-byte 0F map, A-4/A-5 three-
 * byte maps, A-6 groups) in the SDM's own operand notation (decode.h).
 *
 *   OP(mnem, flags, operands...)   one cell
 *   GRP(n, flags, operands...)     ModRM.reg selects in group n; the group's
 *                                  entry may give its own operands
 *   SSE(n)                         the mandatory prefix selects in x86_sse[n]
 *
 * Cells left out are invalid (#UD). MMX forms (0F / 0F 38 / 0F 3A cells
 * without a prefix) are X86F_MMX entries with P/Q/N operands.
 */
#include "target/i386/decode.h"

#define OP(mn, fl, ...) {.mnem = MN_##mn, .op = {__VA_ARGS__}, .flags = (fl)}
#define OP0(mn, fl) {.mnem = MN_##mn, .flags = (fl)}
#define GRP(n, fl, ...) {.mnem = MN_INVALID, .op = {__VA_ARGS__}, .ext = (n), .flags = X86F_GROUP | (fl)}
#define SSE(n) {.mnem = MN_INVALID, .ext = (n), .flags = X86F_SSE | X86F_MODRM}

const char *const x86_mnem_names[MN_NB] = {
#define X86_MN_NAME(n) #n,
    X86_MNEMONICS(X86_MN_NAME)
#undef X86_MN_NAME
};

/* group numbers */
enum {
    G1 = 1, G2, G3, G4, G5, G6, G7, G8, G9, G10, G11, G12, G13, G14, G15, G16, G1A,
    G17, /* VEX 0F 38 F3: BLSR BLSMSK BLSI */
};

/* SSE cells */
enum {
    S_0F10, S_0F11, S_0F12, S_0F13, S_0F14, S_0F15, S_0F16, S_0F17, S_0F28, S_0F29,
    S_0F2B, S_0F50, S_0F54, S_0F55, S_0F56, S_0F57, S_0F60, S_0F61, S_0F62, S_0F63,
    S_0F64, S_0F65, S_0F66, S_0F67, S_0F68, S_0F69, S_0F6A, S_0F6B, S_0F6C, S_0F6D,
    S_0F6E, S_0F6F, S_0F70, S_0F74, S_0F75, S_0F76, S_0F7E, S_0F7F, S_0FD6, S_0FD7,
    S_0FDA, S_0FDE, S_0FDB, S_0FDF, S_0FEB, S_0FEF, S_0FF8, S_0FF9, S_0FFA, S_0FFB,
    S_0FFC, S_0FFD, S_0FFE, S_0FD4, S_0FD8, S_0FD9, S_0FDC, S_0FDD, S_0FE7, S_0FC6,
    S_0FB8, S_0FBC, S_0FBD, S_0F3800, S_0FD1, S_0FD2, S_0FD3, S_0FE1, S_0FE2, S_0FF1,
    S_0FF2, S_0FF3, S_0F51, S_0F58, S_0F59, S_0F5A, S_0F5B, S_0F5C, S_0F5D, S_0F5E,
    S_0F5F, S_0F2A, S_0F2C, S_0F2D, S_0F2E, S_0F2F, S_0FC2, S_0FE6,
    /* MMX / SSE2 integer, SSE3 */
    S_0F52, S_0F53, S_0F77, S_0F7C, S_0F7D, S_0FC4, S_0FC5,
    S_0FD0, S_0FD5, S_0FE0, S_0FE3, S_0FE4, S_0FE5, S_0FE8, S_0FE9, S_0FEA, S_0FEC,
    S_0FED, S_0FEE, S_0FF0, S_0FF4, S_0FF5, S_0FF6, S_0FF7,
    /* 0F 38 */
    S_3801, S_3802, S_3803, S_3804, S_3805, S_3806, S_3807, S_3808, S_3809, S_380A,
    S_380B, S_381C, S_381D, S_381E, S_3810, S_3814, S_3815, S_3817, S_3820, S_3821,
    S_3822, S_3823, S_3824, S_3825, S_3828, S_3829, S_382A, S_382B, S_3830, S_3831,
    S_3832, S_3833, S_3834, S_3835, S_3837, S_3838, S_3839, S_383A, S_383B, S_383C,
    S_383D, S_383E, S_383F, S_3840, S_3841, S_38DB, S_38DC, S_38DD, S_38DE, S_38DF,
    S_38F0, S_38F1, S_38F6,
    /* 0F 3A */
    S_3A08, S_3A09, S_3A0A, S_3A0B, S_3A0C, S_3A0D, S_3A0E, S_3A0F, S_3A14, S_3A15,
    S_3A16, S_3A17, S_3A20, S_3A21, S_3A22, S_3A40, S_3A41, S_3A42, S_3A44, S_3A60,
    S_3A61, S_3A62, S_3A63, S_3ADF,
    /* VEX 0F 38 / 0F 3A (BMI) */
    S_V38F2, S_V38F3, S_V38F5, S_V38F6, S_V38F7, S_V3AF0,
    S_NB_CELLS
};
_Static_assert(S_NB_CELLS <= X86_NB_SSE, "x86_sse[] too small");

/* ALU block at 0x00, 0x08, ..., 0x38: the six forms of SDM Table A-2 */
#define ALU6(base, mn, fl)                                                             \
    [(base) + 0] = OP(mn, fl, Eb, Gb), [(base) + 1] = OP(mn, fl, Ev, Gv),              \
    [(base) + 2] = OP(mn, 0, Gb, Eb), [(base) + 3] = OP(mn, 0, Gv, Ev),                \
    [(base) + 4] = OP(mn, 0, AL, Ib), [(base) + 5] = OP(mn, 0, rAX, Iz)

#define ROW8(base, ...)                                                                \
    [(base) + 0] = __VA_ARGS__, [(base) + 1] = __VA_ARGS__, [(base) + 2] = __VA_ARGS__, \
    [(base) + 3] = __VA_ARGS__, [(base) + 4] = __VA_ARGS__, [(base) + 5] = __VA_ARGS__, \
    [(base) + 6] = __VA_ARGS__, [(base) + 7] = __VA_ARGS__
#define ROW16(base, ...) ROW8(base, __VA_ARGS__), ROW8((base) + 8, __VA_ARGS__)

/* SDM Table A-2: one-byte opcode map */
const X86OpEntry x86_map_1b[256] = {
    ALU6(0x00, ADD, X86F_LOCK),
    [0x06] = OP0(PUSH, X86F_I64), [0x07] = OP0(POP, X86F_I64),
    ALU6(0x08, OR, X86F_LOCK),
    [0x0e] = OP0(PUSH, X86F_I64),
    ALU6(0x10, ADC, X86F_LOCK),
    [0x16] = OP0(PUSH, X86F_I64), [0x17] = OP0(POP, X86F_I64),
    ALU6(0x18, SBB, X86F_LOCK),
    [0x1e] = OP0(PUSH, X86F_I64), [0x1f] = OP0(POP, X86F_I64),
    ALU6(0x20, AND, X86F_LOCK),
    [0x27] = OP0(DAA, X86F_I64),
    ALU6(0x28, SUB, X86F_LOCK),
    [0x2f] = OP0(DAS, X86F_I64),
    ALU6(0x30, XOR, X86F_LOCK),
    [0x37] = OP0(AAA, X86F_I64),
    ALU6(0x38, CMP, 0),
    [0x3f] = OP0(AAS, X86F_I64),
    ROW8(0x40, OP(INC, X86F_I64, Zv)),
    ROW8(0x48, OP(DEC, X86F_I64, Zv)),
    ROW8(0x50, OP(PUSH, X86F_D64, Zv)),
    ROW8(0x58, OP(POP, X86F_D64, Zv)),
    [0x60] = OP0(PUSHA, X86F_I64), [0x61] = OP0(POPA, X86F_I64),
    [0x62] = OP(BOUND, X86F_I64, Gv, M),
    [0x63] = OP(MOVSXD, X86F_O64, Gv, Ed),
    [0x68] = OP(PUSH, X86F_D64, Iz), [0x69] = OP(IMUL3, 0, Gv, Ev, Iz),
    [0x6a] = OP(PUSH, X86F_D64, Ibs), [0x6b] = OP(IMUL3, 0, Gv, Ev, Ibs),
    [0x6c] = OP(INS, X86F_REP, OPK(A_NONE, S_b)), [0x6d] = OP(INS, X86F_REP, OPK(A_NONE, S_z)),
    [0x6e] = OP(OUTS, X86F_REP, OPK(A_NONE, S_b)), [0x6f] = OP(OUTS, X86F_REP, OPK(A_NONE, S_z)),
    ROW16(0x70, OP(JCC, X86F_CC | X86F_F64, Jb)),
    [0x80] = GRP(G1, 0, Eb, Ib), [0x81] = GRP(G1, 0, Ev, Iz),
    [0x82] = GRP(G1, X86F_I64, Eb, Ib), [0x83] = GRP(G1, 0, Ev, Ibs),
    [0x84] = OP(TEST, 0, Eb, Gb), [0x85] = OP(TEST, 0, Ev, Gv),
    [0x86] = OP(XCHG, X86F_LOCK | X86F_XCHGLOCK, Eb, Gb),
    [0x87] = OP(XCHG, X86F_LOCK | X86F_XCHGLOCK, Ev, Gv),
    [0x88] = OP(MOV, 0, Eb, Gb), [0x89] = OP(MOV, 0, Ev, Gv),
    [0x8a] = OP(MOV, 0, Gb, Eb), [0x8b] = OP(MOV, 0, Gv, Ev),
    [0x8c] = OP(MOV_SEG, 0, Ev, Sw), [0x8d] = OP(LEA, 0, Gv, M),
    [0x8e] = OP(MOV_SEG, 0, Sw, Ew), [0x8f] = GRP(G1A, 0),
    ROW8(0x90, OP(XCHG, 0, Zv, rAX)),
    [0x98] = OP0(CBW, 0), [0x99] = OP0(CWD, 0),
    [0x9a] = OP(CALLF, X86F_I64, Iz, Iw), [0x9b] = OP0(WAIT, 0), /* Ap: offset, selector */
    [0x9c] = OP0(PUSHF, X86F_D64), [0x9d] = OP0(POPF, X86F_D64),
    [0x9e] = OP0(SAHF, 0), [0x9f] = OP0(LAHF, 0),
    [0xa0] = OP(MOV, 0, AL, Ob), [0xa1] = OP(MOV, 0, rAX, Ov),
    [0xa2] = OP(MOV, 0, Ob, AL), [0xa3] = OP(MOV, 0, Ov, rAX),
    [0xa4] = OP(MOVS, X86F_REP, OPK(A_NONE, S_b)), [0xa5] = OP(MOVS, X86F_REP, OPK(A_NONE, S_v)),
    [0xa6] = OP(CMPS, X86F_REP, OPK(A_NONE, S_b)), [0xa7] = OP(CMPS, X86F_REP, OPK(A_NONE, S_v)),
    [0xa8] = OP(TEST, 0, AL, Ib), [0xa9] = OP(TEST, 0, rAX, Iz),
    [0xaa] = OP(STOS, X86F_REP, OPK(A_NONE, S_b)), [0xab] = OP(STOS, X86F_REP, OPK(A_NONE, S_v)),
    [0xac] = OP(LODS, X86F_REP, OPK(A_NONE, S_b)), [0xad] = OP(LODS, X86F_REP, OPK(A_NONE, S_v)),
    [0xae] = OP(SCAS, X86F_REP, OPK(A_NONE, S_b)), [0xaf] = OP(SCAS, X86F_REP, OPK(A_NONE, S_v)),
    ROW8(0xb0, OP(MOV, 0, Zb, Ib)),
    ROW8(0xb8, OP(MOV, 0, Zv, Iv)),
    [0xc0] = GRP(G2, 0, Eb, Ib), [0xc1] = GRP(G2, 0, Ev, Ib),
    [0xc2] = OP(RET, X86F_F64, Iw), [0xc3] = OP0(RET, X86F_F64),
    [0xc4] = OP(LES, X86F_I64, Gz, M), [0xc5] = OP(LDS, X86F_I64, Gz, M),
    [0xc6] = GRP(G11, 0, Eb, Ib), [0xc7] = GRP(G11, 0, Ev, Iz),
    [0xc8] = OP(ENTER, X86F_D64, Iw, Ib), [0xc9] = OP0(LEAVE, X86F_D64),
    [0xca] = OP(RETF, 0, Iw), [0xcb] = OP0(RETF, 0),
    [0xcc] = OP0(INT3, 0), [0xcd] = OP(INT, 0, Ib), [0xce] = OP0(INTO, X86F_I64),
    [0xcf] = OP0(IRET, 0),
    [0xd0] = GRP(G2, 0, Eb, ONE), [0xd1] = GRP(G2, 0, Ev, ONE),
    [0xd2] = GRP(G2, 0, Eb, CL), [0xd3] = GRP(G2, 0, Ev, CL),
    [0xd4] = OP(AAM, X86F_I64, Ib), [0xd5] = OP(AAD, X86F_I64, Ib), [0xd6] = OP0(SALC, X86F_I64),
    [0xd7] = OP0(XLAT, 0),
    ROW8(0xd8, OP0(FPU, X86F_MODRM)),
    [0xe0] = OP(LOOPNE, X86F_F64, Jb), [0xe1] = OP(LOOPE, X86F_F64, Jb),
    [0xe2] = OP(LOOP, X86F_F64, Jb), [0xe3] = OP(JRCXZ, X86F_F64, Jb),
    [0xe4] = OP(IN, 0, AL, Ib), [0xe5] = OP(IN, 0, eAX, Ib),
    [0xe6] = OP(OUT, 0, Ib, AL), [0xe7] = OP(OUT, 0, Ib, eAX),
    [0xe8] = OP(CALL, X86F_F64, Jz), [0xe9] = OP(JMP, X86F_F64, Jz),
    [0xea] = OP(JMPF, X86F_I64, Iz, Iw), [0xeb] = OP(JMP, X86F_F64, Jb),
    [0xec] = OP(IN, 0, AL, DXw), [0xed] = OP(IN, 0, eAX, DXw),
    [0xee] = OP(OUT, 0, DXw, AL), [0xef] = OP(OUT, 0, DXw, eAX),
    [0xf1] = OP0(INT1, 0), [0xf4] = OP0(HLT, X86F_PRIV), [0xf5] = OP0(CMC, 0),
    [0xf6] = GRP(G3, 0, Eb, Ib), [0xf7] = GRP(G3, 0, Ev, Iz),
    [0xf8] = OP0(CLC, 0), [0xf9] = OP0(STC, 0), [0xfa] = OP0(CLI, 0), [0xfb] = OP0(STI, 0),
    [0xfc] = OP0(CLD, 0), [0xfd] = OP0(STD, 0),
    [0xfe] = GRP(G4, 0, Eb), [0xff] = GRP(G5, 0),
};

/* SDM Table A-3: two-byte opcode map (0F xx) */
const X86OpEntry x86_map_0f[256] = {
    [0x00] = GRP(G6, 0), [0x01] = GRP(G7, 0),
    [0x02] = OP(LAR, 0, Gv, Ew), [0x03] = OP(LSL, 0, Gv, Ew),
    [0x05] = OP0(SYSCALL, 0), [0x06] = OP0(CLTS, X86F_PRIV), [0x07] = OP0(SYSRET, X86F_PRIV),
    [0x08] = OP0(INVD, X86F_PRIV), [0x09] = OP0(WBINVD, X86F_PRIV),
    [0x0b] = OP0(UD2, 0), [0x0d] = OP(PREFETCH, 0, Ev),
    [0x10] = SSE(S_0F10), [0x11] = SSE(S_0F11), [0x12] = SSE(S_0F12), [0x13] = SSE(S_0F13),
    [0x14] = SSE(S_0F14), [0x15] = SSE(S_0F15), [0x16] = SSE(S_0F16), [0x17] = SSE(S_0F17),
    [0x18] = GRP(G16, 0),
    [0x19] = OP(NOP, 0, Ev), [0x1a] = OP(NOP, 0, Ev), [0x1b] = OP(NOP, 0, Ev),
    [0x1c] = OP(NOP, 0, Ev), [0x1d] = OP(NOP, 0, Ev), [0x1e] = OP(NOP, 0, Ev),
    [0x1f] = OP(NOP, 0, Ev),
    [0x20] = OP(MOV_CR, X86F_F64 | X86F_PRIV, Ry, Cy), [0x21] = OP(MOV_DR, X86F_F64 | X86F_PRIV, Ry, Dy),
    [0x22] = OP(MOV_CR, X86F_F64 | X86F_PRIV, Cy, Ry), [0x23] = OP(MOV_DR, X86F_F64 | X86F_PRIV, Dy, Ry),
    [0x28] = SSE(S_0F28), [0x29] = SSE(S_0F29), [0x2a] = SSE(S_0F2A), [0x2b] = SSE(S_0F2B),
    [0x2c] = SSE(S_0F2C), [0x2d] = SSE(S_0F2D), [0x2e] = SSE(S_0F2E), [0x2f] = SSE(S_0F2F),
    [0x30] = OP0(WRMSR, X86F_PRIV), [0x31] = OP0(RDTSC, 0), [0x32] = OP0(RDMSR, X86F_PRIV),
    [0x33] = OP0(RDPMC, 0), [0x34] = OP0(SYSENTER, 0), [0x35] = OP0(SYSEXIT, X86F_PRIV),
    ROW16(0x40, OP(CMOVCC, X86F_CC, Gv, Ev)),
    [0x50] = SSE(S_0F50), [0x51] = SSE(S_0F51), [0x52] = SSE(S_0F52), [0x53] = SSE(S_0F53),
    [0x54] = SSE(S_0F54), [0x55] = SSE(S_0F55), [0x56] = SSE(S_0F56),
    [0x57] = SSE(S_0F57), [0x58] = SSE(S_0F58), [0x59] = SSE(S_0F59), [0x5a] = SSE(S_0F5A),
    [0x5b] = SSE(S_0F5B), [0x5c] = SSE(S_0F5C), [0x5d] = SSE(S_0F5D), [0x5e] = SSE(S_0F5E),
    [0x5f] = SSE(S_0F5F),
    [0x60] = SSE(S_0F60), [0x61] = SSE(S_0F61), [0x62] = SSE(S_0F62), [0x63] = SSE(S_0F63),
    [0x64] = SSE(S_0F64), [0x65] = SSE(S_0F65), [0x66] = SSE(S_0F66), [0x67] = SSE(S_0F67),
    [0x68] = SSE(S_0F68), [0x69] = SSE(S_0F69), [0x6a] = SSE(S_0F6A), [0x6b] = SSE(S_0F6B),
    [0x77] = OP0(EMMS, X86F_MMX), [0x7c] = SSE(S_0F7C), [0x7d] = SSE(S_0F7D),
    [0xc4] = SSE(S_0FC4), [0xc5] = SSE(S_0FC5), [0xd0] = SSE(S_0FD0), [0xd5] = SSE(S_0FD5),
    [0xe0] = SSE(S_0FE0), [0xe3] = SSE(S_0FE3), [0xe4] = SSE(S_0FE4), [0xe5] = SSE(S_0FE5),
    [0xe8] = SSE(S_0FE8), [0xe9] = SSE(S_0FE9), [0xea] = SSE(S_0FEA), [0xec] = SSE(S_0FEC),
    [0xed] = SSE(S_0FED), [0xee] = SSE(S_0FEE), [0xf0] = SSE(S_0FF0), [0xf4] = SSE(S_0FF4),
    [0xf5] = SSE(S_0FF5), [0xf6] = SSE(S_0FF6), [0xf7] = SSE(S_0FF7),
    [0x6c] = SSE(S_0F6C), [0x6d] = SSE(S_0F6D), [0x6e] = SSE(S_0F6E), [0x6f] = SSE(S_0F6F),
    [0x70] = SSE(S_0F70), [0x71] = GRP(G12, 0, Ux, Ib), [0x72] = GRP(G13, 0, Ux, Ib),
    [0x73] = GRP(G14, 0, Ux, Ib),
    [0x74] = SSE(S_0F74), [0x75] = SSE(S_0F75), [0x76] = SSE(S_0F76),
    [0x7e] = SSE(S_0F7E), [0x7f] = SSE(S_0F7F),
    ROW16(0x80, OP(JCC, X86F_CC | X86F_F64, Jz)),
    ROW16(0x90, OP(SETCC, X86F_CC, Eb)),
    [0xa0] = OP0(PUSH, X86F_D64), [0xa1] = OP0(POP, X86F_D64), [0xa2] = OP0(CPUID, 0),
    [0xa3] = OP(BT, 0, Ev, Gv), [0xa4] = OP(SHLD, 0, Ev, Gv, Ib),
    [0xa5] = OP(SHLD, 0, Ev, Gv, CL),
    [0xa8] = OP0(PUSH, X86F_D64), [0xa9] = OP0(POP, X86F_D64),
    [0xab] = OP(BTS, X86F_LOCK, Ev, Gv), [0xac] = OP(SHRD, 0, Ev, Gv, Ib),
    [0xad] = OP(SHRD, 0, Ev, Gv, CL), [0xae] = GRP(G15, 0), [0xaf] = OP(IMUL2, 0, Gv, Ev),
    [0xb0] = OP(CMPXCHG, X86F_LOCK, Eb, Gb), [0xb1] = OP(CMPXCHG, X86F_LOCK, Ev, Gv),
    [0xb2] = OP(LSS, 0, Gv, M), [0xb3] = OP(BTR, X86F_LOCK, Ev, Gv),
    [0xb4] = OP(LFS, 0, Gv, M), [0xb5] = OP(LGS, 0, Gv, M),
    [0xb6] = OP(MOVZX, 0, Gv, Eb), [0xb7] = OP(MOVZX, 0, Gv, Ew),
    [0xb8] = SSE(S_0FB8), [0xb9] = OP(UD1, 0, Gv, Ev), [0xba] = GRP(G8, 0, Ev, Ib),
    [0xbb] = OP(BTC, X86F_LOCK, Ev, Gv), [0xbc] = SSE(S_0FBC), [0xbd] = SSE(S_0FBD),
    [0xbe] = OP(MOVSX, 0, Gv, Eb), [0xbf] = OP(MOVSX, 0, Gv, Ew),
    [0xc0] = OP(XADD, X86F_LOCK, Eb, Gb), [0xc1] = OP(XADD, X86F_LOCK, Ev, Gv),
    [0xc3] = OP(MOV, 0, OPK(A_M, S_y), Gy), /* MOVNTI */
    [0xc2] = SSE(S_0FC2), [0xc6] = SSE(S_0FC6), [0xc7] = GRP(G9, 0),
    ROW8(0xc8, OP(BSWAP, 0, Zy)),
    [0xd1] = SSE(S_0FD1), [0xd2] = SSE(S_0FD2), [0xd3] = SSE(S_0FD3),
    [0xd4] = SSE(S_0FD4), [0xd6] = SSE(S_0FD6), [0xd7] = SSE(S_0FD7),
    [0xd8] = SSE(S_0FD8), [0xd9] = SSE(S_0FD9), [0xda] = SSE(S_0FDA), [0xdb] = SSE(S_0FDB),
    [0xdc] = SSE(S_0FDC), [0xdd] = SSE(S_0FDD), [0xde] = SSE(S_0FDE), [0xdf] = SSE(S_0FDF),
    [0xe1] = SSE(S_0FE1), [0xe2] = SSE(S_0FE2), [0xe6] = SSE(S_0FE6),
    [0xe7] = SSE(S_0FE7), [0xeb] = SSE(S_0FEB), [0xef] = SSE(S_0FEF),
    [0xf1] = SSE(S_0FF1), [0xf2] = SSE(S_0FF2), [0xf3] = SSE(S_0FF3),
    [0xf8] = SSE(S_0FF8), [0xf9] = SSE(S_0FF9), [0xfa] = SSE(S_0FFA), [0xfb] = SSE(S_0FFB),
    [0xfc] = SSE(S_0FFC), [0xfd] = SSE(S_0FFD), [0xfe] = SSE(S_0FFE),
    [0xff] = OP(UD0, 0, Gv, Ev),
};

/* SDM Table A-4: three-byte map 0F 38 */
const X86OpEntry x86_map_0f38[256] = {
    [0x00] = SSE(S_0F3800), [0x01] = SSE(S_3801), [0x02] = SSE(S_3802), [0x03] = SSE(S_3803),
    [0x04] = SSE(S_3804), [0x05] = SSE(S_3805), [0x06] = SSE(S_3806), [0x07] = SSE(S_3807),
    [0x08] = SSE(S_3808), [0x09] = SSE(S_3809), [0x0a] = SSE(S_380A), [0x0b] = SSE(S_380B),
    [0x10] = SSE(S_3810), [0x14] = SSE(S_3814), [0x15] = SSE(S_3815), [0x17] = SSE(S_3817),
    [0x1c] = SSE(S_381C), [0x1d] = SSE(S_381D), [0x1e] = SSE(S_381E),
    [0x20] = SSE(S_3820), [0x21] = SSE(S_3821), [0x22] = SSE(S_3822), [0x23] = SSE(S_3823),
    [0x24] = SSE(S_3824), [0x25] = SSE(S_3825), [0x28] = SSE(S_3828), [0x29] = SSE(S_3829),
    [0x2a] = SSE(S_382A), [0x2b] = SSE(S_382B),
    [0x30] = SSE(S_3830), [0x31] = SSE(S_3831), [0x32] = SSE(S_3832), [0x33] = SSE(S_3833),
    [0x34] = SSE(S_3834), [0x35] = SSE(S_3835), [0x37] = SSE(S_3837),
    [0x38] = SSE(S_3838), [0x39] = SSE(S_3839), [0x3a] = SSE(S_383A), [0x3b] = SSE(S_383B),
    [0x3c] = SSE(S_383C), [0x3d] = SSE(S_383D), [0x3e] = SSE(S_383E), [0x3f] = SSE(S_383F),
    [0x40] = SSE(S_3840), [0x41] = SSE(S_3841),
    [0xdb] = SSE(S_38DB), [0xdc] = SSE(S_38DC), [0xdd] = SSE(S_38DD), [0xde] = SSE(S_38DE),
    [0xdf] = SSE(S_38DF),
    [0xf0] = SSE(S_38F0), [0xf1] = SSE(S_38F1), [0xf6] = SSE(S_38F6),
};

/* SDM Table A-5: three-byte map 0F 3A */
const X86OpEntry x86_map_0f3a[256] = {
    [0x08] = SSE(S_3A08), [0x09] = SSE(S_3A09), [0x0a] = SSE(S_3A0A), [0x0b] = SSE(S_3A0B),
    [0x0c] = SSE(S_3A0C), [0x0d] = SSE(S_3A0D), [0x0e] = SSE(S_3A0E), [0x0f] = SSE(S_3A0F),
    [0x14] = SSE(S_3A14), [0x15] = SSE(S_3A15), [0x16] = SSE(S_3A16), [0x17] = SSE(S_3A17),
    [0x20] = SSE(S_3A20), [0x21] = SSE(S_3A21), [0x22] = SSE(S_3A22),
    [0x40] = SSE(S_3A40), [0x41] = SSE(S_3A41), [0x42] = SSE(S_3A42), [0x44] = SSE(S_3A44),
    [0x60] = SSE(S_3A60), [0x61] = SSE(S_3A61), [0x62] = SSE(S_3A62), [0x63] = SSE(S_3A63),
    [0xdf] = SSE(S_3ADF),
};

/* VEX-encoded maps (SDM Table, the "v" cells): BMI1/BMI2 only */
const X86OpEntry x86_vex_0f38[256] = {
    [0xf2] = SSE(S_V38F2), [0xf3] = SSE(S_V38F3), [0xf5] = SSE(S_V38F5),
    [0xf6] = SSE(S_V38F6), [0xf7] = SSE(S_V38F7),
};

const X86OpEntry x86_vex_0f3a[256] = {
    [0xf0] = SSE(S_V3AF0),
};

#define GALL(mn, fl, ...) OP(mn, fl, __VA_ARGS__)

/* SDM Table A-6: groups; [n][0] memory forms (and register forms unless [n][1] says
 * otherwise), [n][1] register-only (mod == 3) forms */
const X86OpEntry x86_groups[X86_NB_GROUPS][2][8] = {
    [G1] = {{OP0(ADD, X86F_LOCK), OP0(OR, X86F_LOCK), OP0(ADC, X86F_LOCK), OP0(SBB, X86F_LOCK),
             OP0(AND, X86F_LOCK), OP0(SUB, X86F_LOCK), OP0(XOR, X86F_LOCK), OP0(CMP, 0)}},
    [G1A] = {{OP(POP, X86F_D64, Ev)}},
    [G2] = {{OP0(ROL, 0), OP0(ROR, 0), OP0(RCL, 0), OP0(RCR, 0), OP0(SHL, 0), OP0(SHR, 0),
             OP0(SAL, 0), OP0(SAR, 0)}},
    [G3] = {{OP0(TEST, 0), OP0(TEST, 0), OP0(NOT, X86F_LOCK | X86F_OP1), OP0(NEG, X86F_LOCK | X86F_OP1),
             OP0(MUL, X86F_OP1), OP0(IMUL, X86F_OP1), OP0(DIV, X86F_OP1), OP0(IDIV, X86F_OP1)}},
    [G4] = {{OP0(INC, X86F_LOCK), OP0(DEC, X86F_LOCK)}},
    [G5] = {{OP(INC, X86F_LOCK, Ev), OP(DEC, X86F_LOCK, Ev), OP(CALL, X86F_F64, Ev), OP(CALLF, 0, M),
             OP(JMP, X86F_F64, Ev), OP(JMPF, 0, M), OP(PUSH, X86F_D64, Ev)}},
    [G6] = {{OP(SLDT, 0, Ew), OP(STR, 0, Ew), OP(LLDT, X86F_PRIV, Ew), OP(LTR, X86F_PRIV, Ew),
             OP(VERR, 0, Ew), OP(VERW, 0, Ew)}},
    [G7] = {{OP(SGDT, 0, M), OP(SIDT, 0, M), OP(LGDT, X86F_PRIV, M), OP(LIDT, X86F_PRIV, M),
             OP(SMSW, 0, Ew), OP0(INVALID, 0), OP(LMSW, X86F_PRIV, Ew), OP(INVLPG, X86F_PRIV, M)},
            /* mod == 3: refined by ModRM.rm in the decoder (x86_decode) */
            {OP0(INVALID, 0), OP0(MONITOR, 0), OP0(INVALID, 0), OP0(INVALID, 0),
             OP(SMSW, 0, Ev), OP0(INVALID, 0), OP(LMSW, X86F_PRIV, Ew), OP0(SWAPGS, 0)}},
    [G8] = {{OP0(INVALID, 0), OP0(INVALID, 0), OP0(INVALID, 0), OP0(INVALID, 0),
             OP0(BT, 0), OP0(BTS, X86F_LOCK), OP0(BTR, X86F_LOCK), OP0(BTC, X86F_LOCK)}},
    [G9] = {{OP0(INVALID, 0), OP(CMPXCHG8B, X86F_LOCK, Mq)},
            {OP0(INVALID, 0), OP0(INVALID, 0), OP0(INVALID, 0), OP0(INVALID, 0),
             OP0(INVALID, 0), OP0(INVALID, 0), OP(RDRAND, 0, Rd), OP(RDSEED, 0, Rd)}},
    [G11] = {{OP0(MOV, 0)}},
    [G12] = {{OP0(INVALID, 0)},
             {OP0(INVALID, 0), OP0(INVALID, 0), OP0(PSRLW, 0), OP0(INVALID, 0), OP0(PSRAW, 0),
              OP0(INVALID, 0), OP0(PSLLW, 0)}},
    [G13] = {{OP0(INVALID, 0)},
             {OP0(INVALID, 0), OP0(INVALID, 0), OP0(PSRLD, 0), OP0(INVALID, 0), OP0(PSRAD, 0),
              OP0(INVALID, 0), OP0(PSLLD, 0)}},
    [G14] = {{OP0(INVALID, 0)},
             {OP0(INVALID, 0), OP0(INVALID, 0), OP0(PSRLQ, 0), OP0(PSRLDQ, 0), OP0(INVALID, 0),
              OP0(INVALID, 0), OP0(PSLLQ, 0), OP0(PSLLDQ, 0)}},
    [G15] = {{OP(FXSAVE, 0, M), OP(FXRSTOR, 0, M), OP(LDMXCSR, 0, Md), OP(STMXCSR, 0, Md),
              OP(XSAVE, 0, M), OP(XRSTOR, 0, M), OP0(INVALID, 0), OP(CLFLUSH, 0, Mb)},
             {OP0(INVALID, 0), OP0(INVALID, 0), OP0(INVALID, 0), OP0(INVALID, 0),
              OP0(INVALID, 0), OP0(LFENCE, 0), OP0(MFENCE, 0), OP0(SFENCE, 0)}},
    [G16] = {{OP(PREFETCH, 0, M), OP(PREFETCH, 0, M), OP(PREFETCH, 0, M), OP(PREFETCH, 0, M),
              OP(NOP, 0, Ev), OP(NOP, 0, Ev), OP(NOP, 0, Ev), OP(NOP, 0, Ev)},
             {OP(NOP, 0, Ev), OP(NOP, 0, Ev), OP(NOP, 0, Ev), OP(NOP, 0, Ev), OP(NOP, 0, Ev),
              OP(NOP, 0, Ev), OP(NOP, 0, Ev), OP(NOP, 0, Ev)}},
    [G17] = {{OP0(INVALID, 0), OP0(BLSR, 0), OP0(BLSMSK, 0), OP0(BLSI, 0)}},
};

/* one SSE2+ integer op, 66 prefix only */
#define P66(mn, ...) {OP0(INVALID, 0), OP(mn, 0, __VA_ARGS__)}
/* an integer op with an MMX form (no prefix: Pq, Qq) and an XMM form (66: Vx, Wx) */
#define PMX(mn) {OP(mn, X86F_MMX, Pq, Qq), OP(mn, 0, Vx, Wx)}
#define PMXI(mn) {OP(mn, X86F_MMX, Pq, Qq, Ib), OP(mn, 0, Vx, Wx, Ib)}
/* the low-half unpacks read 32 bits of an MMX memory operand */
#define PMXL(mn) {OP(mn, X86F_MMX, Pq, Qd), OP(mn, 0, Vx, Wx)}
#define PS_PD(mn1, mn2, ...) {OP(mn1, 0, __VA_ARGS__), OP(mn2, 0, __VA_ARGS__)}

/* cells of the 0F/0F38 maps selected by the mandatory prefix: {none, 66, F3, F2} */
const X86OpEntry x86_sse[X86_NB_SSE][4] = {
    [S_0F10] = {OP(MOVUPS, 0, Vx, Wx), OP(MOVUPD, 0, Vx, Wx), OP(MOVSS, 0, Vx, Wd),
                OP(MOVSD, 0, Vx, Wq)},
    [S_0F11] = {OP(MOVUPS_ST, 0, Wx, Vx), OP(MOVUPS_ST, 0, Wx, Vx), OP(MOVSS, 0, Wd, Vx),
                OP(MOVSD, 0, Wq, Vx)},
    [S_0F12] = {OP(MOVLPS, 0, Vq, Wq), OP(MOVLPD, 0, Vq, Mq), OP(MOVSLDUP, 0, Vx, Wx),
                OP(MOVDDUP, 0, Vx, Wq)},
    [S_0F13] = {OP(MOVLPS_ST, 0, Mq, Vq), OP(MOVLPS_ST, 0, Mq, Vq)},
    [S_0F14] = PS_PD(PUNPCKLDQ, PUNPCKLQDQ, Vx, Wx),
    [S_0F15] = PS_PD(PUNPCKHDQ, PUNPCKHQDQ, Vx, Wx),
    [S_0F16] = {OP(MOVHPS, 0, Vq, Wq), OP(MOVHPD, 0, Vq, Mq), OP(MOVSHDUP, 0, Vx, Wx)},
    [S_0F17] = {OP(MOVHPS_ST, 0, Mq, Vq), OP(MOVHPS_ST, 0, Mq, Vq)},
    [S_0F28] = PS_PD(MOVAPS, MOVAPD, Vx, Wx),
    [S_0F29] = PS_PD(MOVAPS_ST, MOVAPS_ST, Wx, Vx),
    [S_0F2B] = PS_PD(MOVNTPS, MOVNTPS, OPK(A_M, S_x), Vx),
    [S_0F50] = PS_PD(MOVMSKPS, MOVMSKPD, Gd, Ux),
    [S_0F54] = PS_PD(ANDPS, ANDPS, Vx, Wx),
    [S_0F55] = PS_PD(ANDNPS, ANDNPS, Vx, Wx),
    [S_0F56] = PS_PD(ORPS, ORPS, Vx, Wx),
    [S_0F57] = PS_PD(XORPS, XORPS, Vx, Wx),
    [S_0F60] = PMXL(PUNPCKLBW),
    [S_0F61] = PMXL(PUNPCKLWD),
    [S_0F62] = PMXL(PUNPCKLDQ),
    [S_0F64] = PMX(PCMPGTB),
    [S_0F65] = PMX(PCMPGTW),
    [S_0F66] = PMX(PCMPGTD),
    [S_0F68] = PMX(PUNPCKHBW),
    [S_0F69] = PMX(PUNPCKHWD),
    [S_0F6A] = PMX(PUNPCKHDQ),
    [S_0F6C] = P66(PUNPCKLQDQ, Vx, Wx),
    [S_0F6D] = P66(PUNPCKHQDQ, Vx, Wx),
    [S_0F6E] = {OP(MOVD, X86F_MMX, Pq, Ey), OP(MOVD, 0, Vy, Ey)},
    [S_0F6F] = {OP(MOVQ, X86F_MMX, Pq, Qq), OP(MOVDQA, 0, Vx, Wx), OP(MOVDQU, 0, Vx, Wx)},
    [S_0F70] = {OP(PSHUFW, X86F_MMX, Pq, Qq, Ib), OP(PSHUFD, 0, Vx, Wx, Ib),
                OP(PSHUFHW, 0, Vx, Wx, Ib), OP(PSHUFLW, 0, Vx, Wx, Ib)},
    [S_0F74] = PMX(PCMPEQB),
    [S_0F75] = PMX(PCMPEQW),
    [S_0F76] = PMX(PCMPEQD),
    [S_0F7E] = {OP(MOVD_ST, X86F_MMX, Ey, Pq), OP(MOVD_ST, 0, Ey, Vy), OP(MOVQ, 0, Vx, Wq)},
    [S_0F7F] = {OP(MOVQ_ST, X86F_MMX, Qq, Pq), OP(MOVDQA_ST, 0, Wx, Vx),
                OP(MOVDQU_ST, 0, Wx, Vx)},
    [S_0FD6] = {OP0(INVALID, 0), OP(MOVQ_ST, 0, Wq, Vq), OP(MOVQ2DQ, X86F_MMX, Vx, Nq),
                OP(MOVDQ2Q, X86F_MMX, Pq, Ux)},
    [S_0FD7] = {OP(PMOVMSKB, X86F_MMX, Gd, Nq), OP(PMOVMSKB, 0, Gd, Ux)},
    [S_0FDA] = PMX(PMINUB),
    [S_0FDE] = PMX(PMAXUB),
    [S_0FDB] = PMX(PAND),
    [S_0FDF] = PMX(PANDN),
    [S_0FEB] = PMX(POR),
    [S_0FEF] = PMX(PXOR),
    [S_0FF8] = PMX(PSUBB),
    [S_0FF9] = PMX(PSUBW),
    [S_0FFA] = PMX(PSUBD),
    [S_0FFB] = PMX(PSUBQ),
    [S_0FFC] = PMX(PADDB),
    [S_0FFD] = PMX(PADDW),
    [S_0FFE] = PMX(PADDD),
    [S_0FD4] = PMX(PADDQ),
    [S_0FD8] = PMX(PSUBUSB),
    [S_0FD9] = PMX(PSUBUSW),
    [S_0FDC] = PMX(PADDUSB),
    [S_0FDD] = PMX(PADDUSW),
    [S_0FE7] = {OP(MOVNTQ, X86F_MMX, Mq, Pq), OP(MOVNTDQ, 0, OPK(A_M, S_x), Vx)},
    [S_0FC6] = {OP(SHUFPS, 0, Vx, Wx, Ib), OP(SHUFPD, 0, Vx, Wx, Ib)},
    [S_0FD1] = PMX(PSRLW),
    [S_0FD2] = PMX(PSRLD),
    [S_0FD3] = PMX(PSRLQ),
    [S_0FE1] = PMX(PSRAW),
    [S_0FE2] = PMX(PSRAD),
    [S_0FF1] = PMX(PSLLW),
    [S_0FF2] = PMX(PSLLD),
    [S_0FF3] = PMX(PSLLQ),
    /* integer cells: 66 is an operand-size prefix here (decoder keeps it) */
    [S_0FB8] = {OP0(INVALID, 0), OP0(INVALID, 0), OP(POPCNT, 0, Gv, Ev)},
    [S_0FBC] = {OP(BSF, 0, Gv, Ev), OP(BSF, 0, Gv, Ev), OP(TZCNT, 0, Gv, Ev)},
    [S_0FBD] = {OP(BSR, 0, Gv, Ev), OP(BSR, 0, Gv, Ev), OP(LZCNT, 0, Gv, Ev)},
    [S_0F3800] = PMX(PSHUFB),
    /* MMX / SSE2 integer */
    [S_0F63] = PMX(PACKSSWB), [S_0F67] = PMX(PACKUSWB), [S_0F6B] = PMX(PACKSSDW),
    [S_0FC4] = {OP(PINSRW, X86F_MMX, Pq, Ew, Ib), OP(PINSRW, 0, Vx, Ew, Ib)},
    [S_0FC5] = {OP(PEXTRW, X86F_MMX, Gd, Nq, Ib), OP(PEXTRW, 0, Gd, Ux, Ib)},
    [S_0FD5] = PMX(PMULLW), [S_0FE0] = PMX(PAVGB), [S_0FE3] = PMX(PAVGW),
    [S_0FE4] = PMX(PMULHUW), [S_0FE5] = PMX(PMULHW), [S_0FE8] = PMX(PSUBSB),
    [S_0FE9] = PMX(PSUBSW), [S_0FEA] = PMX(PMINSW), [S_0FEC] = PMX(PADDSB),
    [S_0FED] = PMX(PADDSW), [S_0FEE] = PMX(PMAXSW), [S_0FF4] = PMX(PMULUDQ),
    [S_0FF5] = PMX(PMADDWD), [S_0FF6] = PMX(PSADBW),
    [S_0FF7] = {OP(MASKMOVQ, X86F_MMX, Pq, Nq), OP(MASKMOVQ, 0, Vx, Ux)},
    [S_0F52] = {OP(RSQRTPS, 0, Vx, Wx), OP0(INVALID, 0), OP(RSQRTSS, 0, Vx, Wd)},
    [S_0F53] = {OP(RCPPS, 0, Vx, Wx), OP0(INVALID, 0), OP(RCPSS, 0, Vx, Wd)},
    /* SSE3 */
    [S_0F7C] = {OP0(INVALID, 0), OP(HADDPD, 0, Vx, Wx), OP0(INVALID, 0), OP(HADDPS, 0, Vx, Wx)},
    [S_0F7D] = {OP0(INVALID, 0), OP(HSUBPD, 0, Vx, Wx), OP0(INVALID, 0), OP(HSUBPS, 0, Vx, Wx)},
    [S_0FD0] = {OP0(INVALID, 0), OP(ADDSUBPD, 0, Vx, Wx), OP0(INVALID, 0),
                OP(ADDSUBPS, 0, Vx, Wx)},
    [S_0FF0] = {OP0(INVALID, 0), OP0(INVALID, 0), OP0(INVALID, 0),
                OP(LDDQU, 0, Vx, OPK(A_M, S_x))},
    /* SSSE3 (0F 38 00..1E, 0F 3A 0F) */
    [S_3801] = PMX(PHADDW), [S_3802] = PMX(PHADDD), [S_3803] = PMX(PHADDSW),
    [S_3804] = PMX(PMADDUBSW), [S_3805] = PMX(PHSUBW), [S_3806] = PMX(PHSUBD),
    [S_3807] = PMX(PHSUBSW), [S_3808] = PMX(PSIGNB), [S_3809] = PMX(PSIGNW),
    [S_380A] = PMX(PSIGND), [S_380B] = PMX(PMULHRSW), [S_381C] = PMX(PABSB),
    [S_381D] = PMX(PABSW), [S_381E] = PMX(PABSD), [S_3A0F] = PMXI(PALIGNR),
    /* SSE4.1 */
    [S_3810] = P66(PBLENDVB, Vx, Wx), [S_3814] = P66(BLENDVPS, Vx, Wx),
    [S_3815] = P66(BLENDVPD, Vx, Wx), [S_3817] = P66(PTEST, Vx, Wx),
    [S_3820] = P66(PMOVSXBW, Vx, Wq), [S_3821] = P66(PMOVSXBD, Vx, Wd),
    [S_3822] = P66(PMOVSXBQ, Vx, Ww), [S_3823] = P66(PMOVSXWD, Vx, Wq),
    [S_3824] = P66(PMOVSXWQ, Vx, Wd), [S_3825] = P66(PMOVSXDQ, Vx, Wq),
    [S_3830] = P66(PMOVZXBW, Vx, Wq), [S_3831] = P66(PMOVZXBD, Vx, Wd),
    [S_3832] = P66(PMOVZXBQ, Vx, Ww), [S_3833] = P66(PMOVZXWD, Vx, Wq),
    [S_3834] = P66(PMOVZXWQ, Vx, Wd), [S_3835] = P66(PMOVZXDQ, Vx, Wq),
    [S_3828] = P66(PMULDQ, Vx, Wx), [S_3829] = P66(PCMPEQQ, Vx, Wx),
    [S_382A] = P66(MOVNTDQA, Vx, OPK(A_M, S_x)), [S_382B] = P66(PACKUSDW, Vx, Wx),
    [S_3837] = P66(PCMPGTQ, Vx, Wx),
    [S_3838] = P66(PMINSB, Vx, Wx), [S_3839] = P66(PMINSD, Vx, Wx),
    [S_383A] = P66(PMINUW, Vx, Wx), [S_383B] = P66(PMINUD, Vx, Wx),
    [S_383C] = P66(PMAXSB, Vx, Wx), [S_383D] = P66(PMAXSD, Vx, Wx),
    [S_383E] = P66(PMAXUW, Vx, Wx), [S_383F] = P66(PMAXUD, Vx, Wx),
    [S_3840] = P66(PMULLD, Vx, Wx), [S_3841] = P66(PHMINPOSUW, Vx, Wx),
    [S_3A08] = P66(ROUNDPS, Vx, Wx, Ib), [S_3A09] = P66(ROUNDPD, Vx, Wx, Ib),
    [S_3A0A] = P66(ROUNDSS, Vx, Wd, Ib), [S_3A0B] = P66(ROUNDSD, Vx, Wq, Ib),
    [S_3A0C] = P66(BLENDPS, Vx, Wx, Ib), [S_3A0D] = P66(BLENDPD, Vx, Wx, Ib),
    [S_3A0E] = P66(PBLENDW, Vx, Wx, Ib),
    /* extracts and inserts: a register operand is r32/r64 (never AH..BH) */
    [S_3A14] = P66(PEXTRB, Eb, Vx, Ib), [S_3A15] = P66(PEXTRW, Ew, Vx, Ib),
    [S_3A16] = P66(PEXTRD, Ey, Vx, Ib), [S_3A17] = P66(EXTRACTPS, Ed, Vx, Ib),
    [S_3A20] = P66(PINSRB, Vx, Eb, Ib), [S_3A21] = P66(INSERTPS, Vx, Wd, Ib),
    [S_3A22] = P66(PINSRD, Vx, Ey, Ib),
    [S_3A40] = P66(DPPS, Vx, Wx, Ib), [S_3A41] = P66(DPPD, Vx, Wx, Ib),
    [S_3A42] = P66(MPSADBW, Vx, Wx, Ib),
    /* SSE4.2 string compares (unaligned memory operand allowed) */
    [S_3A60] = P66(PCMPESTRM, Vx, Wx, Ib), [S_3A61] = P66(PCMPESTRI, Vx, Wx, Ib),
    [S_3A62] = P66(PCMPISTRM, Vx, Wx, Ib), [S_3A63] = P66(PCMPISTRI, Vx, Wx, Ib),
    /* PCLMULQDQ, AES */
    [S_3A44] = P66(PCLMULQDQ, Vx, Wx, Ib),
    [S_38DB] = P66(AESIMC, Vx, Wx), [S_38DC] = P66(AESENC, Vx, Wx),
    [S_38DD] = P66(AESENCLAST, Vx, Wx), [S_38DE] = P66(AESDEC, Vx, Wx),
    [S_38DF] = P66(AESDECLAST, Vx, Wx), [S_3ADF] = P66(AESKEYGENASSIST, Vx, Wx, Ib),
    /* integer cells of 0F 38: MOVBE (66 = 16-bit operand), CRC32, ADCX/ADOX */
    [S_38F0] = {OP(MOVBE, 0, Gv, Mv), OP(MOVBE, 0, Gv, Mv), OP0(INVALID, 0),
                OP(CRC32, 0, Gy, Eb)},
    [S_38F1] = {OP(MOVBE, 0, Mv, Gv), OP(MOVBE, 0, Mv, Gv), OP0(INVALID, 0),
                OP(CRC32, 0, Gy, Ev)},
    [S_38F6] = {OP0(INVALID, 0), OP(ADCX, 0, Gy, Ey), OP(ADOX, 0, Gy, Ey)},
    /* VEX: BMI1 / BMI2 {none, 66, F3, F2} = VEX.pp */
    [S_V38F2] = {OP(ANDN, 0, Gy, By, Ey)},
    [S_V38F3] = {GRP(G17, 0, By, Ey)},
    [S_V38F5] = {OP(BZHI, 0, Gy, Ey, By), OP0(INVALID, 0), OP(PEXT, 0, Gy, By, Ey),
                 OP(PDEP, 0, Gy, By, Ey)},
    [S_V38F6] = {OP0(INVALID, 0), OP0(INVALID, 0), OP0(INVALID, 0), OP(MULX, 0, By, Gy, Ey)},
    [S_V38F7] = {OP(BEXTR, 0, Gy, Ey, By), OP(SHLX, 0, Gy, Ey, By), OP(SARX, 0, Gy, Ey, By),
                 OP(SHRX, 0, Gy, Ey, By)},
    [S_V3AF0] = {OP0(INVALID, 0), OP0(INVALID, 0), OP0(INVALID, 0), OP(RORX, 0, Gy, Ey, Ib)},
    /* floating point: {PS, PD, SS, SD} */
#define FP4(mn) {OP(mn##PS, 0, Vx, Wx), OP(mn##PD, 0, Vx, Wx), OP(mn##SS, 0, Vx, Wd),      \
                 OP(mn##SD, 0, Vx, Wq)}
    [S_0F51] = FP4(SQRT),
    [S_0F58] = FP4(ADD),
    [S_0F59] = FP4(MUL),
    [S_0F5C] = FP4(SUB),
    [S_0F5D] = FP4(MIN),
    [S_0F5E] = FP4(DIV),
    [S_0F5F] = FP4(MAX),
#undef FP4
    [S_0F5A] = {OP(CVTPS2PD, 0, Vx, Wq), OP(CVTPD2PS, 0, Vx, Wx), OP(CVTSS2SD, 0, Vx, Wd),
                OP(CVTSD2SS, 0, Vx, Wq)},
    [S_0F5B] = {OP(CVTDQ2PS, 0, Vx, Wx), OP(CVTPS2DQ, 0, Vx, Wx), OP(CVTTPS2DQ, 0, Vx, Wx)},
    [S_0FE6] = {OP0(INVALID, 0), OP(CVTTPD2DQ, 0, Vx, Wx), OP(CVTDQ2PD, 0, Vx, Wq),
                OP(CVTPD2DQ, 0, Vx, Wx)},
    [S_0F2A] = {OP(CVTPI2PS, X86F_MMX, Vx, Qq), OP(CVTPI2PD, X86F_MMX, Vx, Qq),
                OP(CVTSI2SS, 0, Vx, Ey), OP(CVTSI2SD, 0, Vx, Ey)},
    [S_0F2C] = {OP(CVTTPS2PI, X86F_MMX, Pq, Wq), OP(CVTTPD2PI, X86F_MMX, Pq, Wx),
                OP(CVTTSS2SI, 0, Gy, Wd), OP(CVTTSD2SI, 0, Gy, Wq)},
    [S_0F2D] = {OP(CVTPS2PI, X86F_MMX, Pq, Wq), OP(CVTPD2PI, X86F_MMX, Pq, Wx),
                OP(CVTSS2SI, 0, Gy, Wd), OP(CVTSD2SI, 0, Gy, Wq)},
    [S_0F2E] = {OP(UCOMISS, 0, Vx, Wd), OP(UCOMISD, 0, Vx, Wq)},
    [S_0F2F] = {OP(COMISS, 0, Vx, Wd), OP(COMISD, 0, Vx, Wq)},
    [S_0FC2] = {OP(CMPPS, 0, Vx, Wx, Ib), OP(CMPPD, 0, Vx, Wx, Ib), OP(CMPSS, 0, Vx, Wd, Ib),
                OP(CMPSD, 0, Vx, Wq, Ib)},
};
