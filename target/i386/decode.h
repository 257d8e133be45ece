/*
 * decode.h — the x86 instruction decoder: opcode-map tables in the SDM's
 * notation (Vol.2 Appendix A) and a generic parser of prefixes, REX,
 * opcode, ModRM, SIB, displacement and immediates.
 *
 * Tables (decode-tables.c) are C initialisers written in the SDM's operand
 * notation: an entry reads like the opcode map cell,
 *     [0x00] = I(ADD, Eb, Gb, X86F_LOCK),
 * where the operand kind is an addressing method (E G I J M O Z S C D V W U
 * P Q N R, and the fixed registers AL/rAX/CL/DX/1) and a size code
 * (b w d q v z y x) from SDM Vol.2 §A.2. Groups (SDM Table A-6) pick the
 * entry by ModRM.reg; SSE cells of the 0F, 0F 38 and 0F 3A maps pick it by
 * the mandatory prefix (none, 66, F3, F2; for VEX, VEX.pp). MMX forms are
 * the X86F_MMX entries (P Q N operands). VEX-encoded instructions have their
 * own maps (x86_vex_0f38/0f3a), holding only BMI1/BMI2: AVX is #UD.
 *
 * The decoder is independent of TCG: x86_decode() reads bytes through a
 * callback and fills an X86Insn; translate.c turns that into IR, the unit
 * test checks lengths and operands, and the differential test uses the
 * same tables to generate random instructions.
 *
 * Size rules: operand size v is 16/32/64 by 66/REX.W/CS.D; z is v capped at
 * 32; y is 32 or 64 (REX.W); X86F_D64 entries default to 64 bits in 64-bit
 * mode (66 selects 16), X86F_F64 entries are always 64 bits there.
 */
#ifndef TARGET_I386_DECODE_H
#define TARGET_I386_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* mnemonics; the order inside each line of a group matters for the groups */
#define X86_MNEMONICS(X)                                                               \
    X(INVALID) X(ADD) X(OR) X(ADC) X(SBB) X(AND) X(SUB) X(XOR) X(CMP)                 \
    X(ROL) X(ROR) X(RCL) X(RCR) X(SHL) X(SHR) X(SAL) X(SAR)                           \
    X(TEST) X(NOT) X(NEG) X(MUL) X(IMUL) X(DIV) X(IDIV) X(IMUL3) X(IMUL2)             \
    X(INC) X(DEC) X(CALL) X(CALLF) X(JMP) X(JMPF) X(PUSH) X(POP)                      \
    X(MOV) X(MOVZX) X(MOVSX) X(MOVSXD) X(LEA) X(XCHG) X(CMPXCHG) X(XADD) X(BSWAP)     \
    X(CMPXCHG8B) X(BT) X(BTS) X(BTR) X(BTC) X(BSF) X(BSR) X(LZCNT) X(TZCNT)           \
    X(POPCNT) X(SHLD) X(SHRD) X(SETCC) X(CMOVCC) X(JCC) X(RET) X(RETF) X(ENTER)       \
    X(LEAVE) X(CBW) X(CWD) X(MOVS) X(STOS) X(LODS) X(SCAS) X(CMPS) X(INS) X(OUTS)     \
    X(CPUID) X(RDTSC) X(RDTSCP) X(RDPMC) X(NOP) X(HLT) X(UD2) X(UD1) X(UD0) X(INT3)   \
    X(INT) X(INTO) X(INT1) X(IRET) X(SYSCALL) X(SYSRET) X(SYSENTER) X(SYSEXIT)        \
    X(SWAPGS) X(MFENCE) X(LFENCE) X(SFENCE) X(CLFLUSH) X(PREFETCH) X(MOV_CR)          \
    X(MOV_DR) X(MOV_SEG) X(RDMSR) X(WRMSR) X(IN) X(OUT) X(PUSHF) X(POPF) X(SAHF)     \
    X(LAHF) X(CMC) X(CLC) X(STC) X(CLI) X(STI) X(CLD) X(STD) X(LOOP) X(LOOPE)        \
    X(LOOPNE) X(JRCXZ) X(XLAT) X(LGDT) X(LIDT) X(SGDT) X(SIDT) X(LLDT) X(LTR)         \
    X(SLDT) X(STR) X(VERR) X(VERW) X(LMSW) X(SMSW) X(INVLPG) X(CLTS) X(INVD)          \
    X(WBINVD) X(LAR) X(LSL) X(LSS) X(LFS) X(LGS) X(LES) X(LDS) X(WAIT) X(FPU)         \
    X(FXSAVE) X(FXRSTOR) X(LDMXCSR) X(STMXCSR) X(XSAVE) X(XRSTOR) X(MONITOR)          \
    X(MWAIT) X(RDRAND) X(RDSEED) X(PUSHA) X(POPA) X(DAA) X(DAS) X(AAA) X(AAS)         \
    X(AAM) X(AAD) X(SALC) X(BOUND) X(ARPL) X(MOVBE) X(CRC32)                           \
    /* SSE/SSE2 */                                                                     \
    X(MOVUPS) X(MOVUPD) X(MOVSS) X(MOVSD) X(MOVAPS) X(MOVAPD) X(MOVDQA) X(MOVDQU)      \
    X(MOVD) X(MOVQ) X(MOVD_ST) X(MOVQ_ST) X(MOVDQA_ST) X(MOVDQU_ST) X(MOVAPS_ST)       \
    X(MOVUPS_ST) X(MOVNTDQ) X(MOVNTPS) X(MOVLPS) X(MOVHPS) X(MOVLPD) X(MOVHPD)         \
    X(MOVLPS_ST) X(MOVHPS_ST) X(MOVQ2) X(PXOR) X(POR) X(PAND) X(PANDN) X(XORPS)        \
    X(ORPS) X(ANDPS) X(ANDNPS) X(PCMPEQB) X(PCMPEQW) X(PCMPEQD) X(PCMPGTB)            \
    X(PCMPGTW) X(PCMPGTD) X(PMOVMSKB) X(MOVMSKPS) X(PMINUB) X(PMAXUB) X(PSUBB)         \
    X(PSUBW) X(PSUBD) X(PSUBQ) X(PADDB) X(PADDW) X(PADDD) X(PADDQ) X(PSUBUSB)         \
    X(PSUBUSW) X(PADDUSB) X(PADDUSW) X(PSHUFD) X(PSHUFHW) X(PSHUFLW) X(PUNPCKLBW)     \
    X(PUNPCKLWD) X(PUNPCKLDQ) X(PUNPCKLQDQ) X(PUNPCKHBW) X(PUNPCKHWD) X(PUNPCKHDQ)    \
    X(PUNPCKHQDQ) X(PSRLDQ) X(PSLLDQ) X(PSRLW) X(PSRLD) X(PSRLQ) X(PSLLW) X(PSLLD)     \
    X(PSLLQ) X(PSRAW) X(PSRAD) X(SHUFPS) X(PSHUFB)                                     \
    /* SSE/SSE2 floating point (executed by the host's SSE unit: sse_helper.c) */      \
    X(ADDPS) X(ADDPD) X(ADDSS) X(ADDSD) X(SUBPS) X(SUBPD) X(SUBSS) X(SUBSD)            \
    X(MULPS) X(MULPD) X(MULSS) X(MULSD) X(DIVPS) X(DIVPD) X(DIVSS) X(DIVSD)            \
    X(MINPS) X(MINPD) X(MINSS) X(MINSD) X(MAXPS) X(MAXPD) X(MAXSS) X(MAXSD)            \
    X(SQRTPS) X(SQRTPD) X(SQRTSS) X(SQRTSD) X(CVTPS2PD) X(CVTPD2PS) X(CVTSS2SD)        \
    X(CVTSD2SS) X(CVTDQ2PS) X(CVTPS2DQ) X(CVTTPS2DQ) X(CVTTPD2DQ) X(CVTDQ2PD)          \
    X(CVTPD2DQ) X(CVTSI2SS) X(CVTSI2SD) X(CVTTSS2SI) X(CVTTSD2SI) X(CVTSS2SI)          \
    X(CVTSD2SI) X(UCOMISS) X(UCOMISD) X(COMISS) X(COMISD) X(CMPPS) X(CMPPD) X(CMPSS)   \
    X(CMPSD) X(SHUFPD) X(MOVMSKPD) X(UNPCKLPD) X(UNPCKHPD)                             \
    /* MMX, and the SSE/SSE2 integer ops that have both MMX and XMM forms */          \
    X(EMMS) X(PADDSB) X(PADDSW) X(PSUBSB) X(PSUBSW) X(PMULLW) X(PMULHW) X(PMULHUW)    \
    X(PMADDWD) X(PACKSSWB) X(PACKSSDW) X(PACKUSWB) X(PAVGB) X(PAVGW) X(PMINSW)        \
    X(PMAXSW) X(PSADBW) X(PMULUDQ) X(PSHUFW) X(PINSRW) X(PEXTRW) X(MASKMOVQ)          \
    X(MOVNTQ) X(MOVQ2DQ) X(MOVDQ2Q) X(CVTPI2PS) X(CVTPS2PI) X(CVTTPS2PI) X(CVTPI2PD)  \
    X(CVTPD2PI) X(CVTTPD2PI) X(MOVHLPS) X(MOVLHPS) X(RCPPS) X(RCPSS) X(RSQRTPS)       \
    X(RSQRTSS)                                                                         \
    /* SSE3 */                                                                         \
    X(ADDSUBPS) X(ADDSUBPD) X(HADDPS) X(HADDPD) X(HSUBPS) X(HSUBPD) X(MOVSLDUP)       \
    X(MOVSHDUP) X(MOVDDUP) X(LDDQU)                                                    \
    /* SSSE3 */                                                                        \
    X(PHADDW) X(PHADDD) X(PHADDSW) X(PMADDUBSW) X(PHSUBW) X(PHSUBD) X(PHSUBSW)        \
    X(PSIGNB) X(PSIGNW) X(PSIGND) X(PMULHRSW) X(PABSB) X(PABSW) X(PABSD) X(PALIGNR)   \
    /* SSE4.1 / SSE4.2 */                                                              \
    X(PBLENDVB) X(BLENDVPS) X(BLENDVPD) X(PTEST) X(PMOVSXBW) X(PMOVSXBD) X(PMOVSXBQ)  \
    X(PMOVSXWD) X(PMOVSXWQ) X(PMOVSXDQ) X(PMOVZXBW) X(PMOVZXBD) X(PMOVZXBQ)           \
    X(PMOVZXWD) X(PMOVZXWQ) X(PMOVZXDQ) X(PMULDQ) X(PCMPEQQ) X(MOVNTDQA) X(PACKUSDW)  \
    X(PCMPGTQ) X(PMINSB) X(PMINSD) X(PMINUW) X(PMINUD) X(PMAXSB) X(PMAXSD) X(PMAXUW)  \
    X(PMAXUD) X(PMULLD) X(PHMINPOSUW) X(ROUNDPS) X(ROUNDPD) X(ROUNDSS) X(ROUNDSD)     \
    X(BLENDPS) X(BLENDPD) X(PBLENDW) X(PEXTRB) X(PEXTRD) X(EXTRACTPS) X(PINSRB)       \
    X(INSERTPS) X(PINSRD) X(DPPS) X(DPPD) X(MPSADBW) X(PCMPESTRM) X(PCMPESTRI)        \
    X(PCMPISTRM) X(PCMPISTRI)                                                          \
    /* PCLMULQDQ, AES-NI */                                                            \
    X(PCLMULQDQ) X(AESENC) X(AESENCLAST) X(AESDEC) X(AESDECLAST) X(AESIMC)            \
    X(AESKEYGENASSIST)                                                                 \
    /* BMI1, BMI2 (VEX), ADX */                                                        \
    X(ANDN) X(BEXTR) X(BLSI) X(BLSMSK) X(BLSR) X(BZHI) X(MULX) X(PDEP) X(PEXT)        \
    X(RORX) X(SARX) X(SHLX) X(SHRX) X(ADCX) X(ADOX)

typedef enum X86Mnem {
#define X86_MN_ENUM(n) MN_##n,
    X86_MNEMONICS(X86_MN_ENUM)
#undef X86_MN_ENUM
    MN_NB
} X86Mnem;

extern const char *const x86_mnem_names[MN_NB];

/* addressing methods (SDM Vol.2 §A.2.1) */
typedef enum X86AddrMethod {
    A_NONE,
    A_E,   /* ModRM r/m: register or memory */
    A_G,   /* ModRM reg: general register */
    A_I,   /* immediate */
    A_IS,  /* 8-bit immediate sign-extended to the operand size */
    A_J,   /* relative offset (sign-extended) added to the next rip */
    A_M,   /* ModRM r/m: memory only */
    A_R,   /* ModRM r/m: register only */
    A_O,   /* moffs: absolute address of address size, no ModRM */
    A_Z,   /* low 3 bits of the opcode (+ REX.B): general register */
    A_S,   /* ModRM reg: segment register */
    A_C,   /* ModRM reg: control register */
    A_D,   /* ModRM reg: debug register */
    A_V,   /* ModRM reg: XMM */
    A_W,   /* ModRM r/m: XMM or memory */
    A_U,   /* ModRM r/m: XMM only */
    A_P,   /* ModRM reg: MMX */
    A_Q,   /* ModRM r/m: MMX or memory */
    A_N,   /* ModRM r/m: MMX only */
    A_AX,  /* fixed: AL / rAX by size */
    A_CX,  /* fixed: CL */
    A_DX,  /* fixed: DX (port) */
    A_ONE, /* constant 1 (shift count) */
    A_B,   /* VEX.vvvv: general register */
} X86AddrMethod;

/* operand size codes (SDM Vol.2 §A.2.2) */
typedef enum X86SizeCode {
    S_NONE, S_b, S_w, S_d, S_q, S_v, S_z, S_y, S_x, S_dq,
} X86SizeCode;

#define OPK(m, s) ((uint16_t)(((m) << 8) | (s)))
#define OPK_METHOD(k) ((X86AddrMethod)((k) >> 8))
#define OPK_SIZE(k) ((X86SizeCode)((k) & 0xff))

/* the SDM's operand notation */
#define Eb OPK(A_E, S_b)
#define Ew OPK(A_E, S_w)
#define Ed OPK(A_E, S_d)
#define Eq OPK(A_E, S_q)
#define Ev OPK(A_E, S_v)
#define Ey OPK(A_E, S_y)
#define Gb OPK(A_G, S_b)
#define Gw OPK(A_G, S_w)
#define Gd OPK(A_G, S_d)
#define Gv OPK(A_G, S_v)
#define Gz OPK(A_G, S_z)
#define Gy OPK(A_G, S_y)
#define Ib OPK(A_I, S_b)
#define Iw OPK(A_I, S_w)
#define Iz OPK(A_I, S_z)
#define Iv OPK(A_I, S_v)
#define Ibs OPK(A_IS, S_v)
#define Jb OPK(A_J, S_b)
#define Jz OPK(A_J, S_z)
#define M OPK(A_M, S_NONE)
#define Mb OPK(A_M, S_b)
#define Mw OPK(A_M, S_w)
#define Md OPK(A_M, S_d)
#define Mq OPK(A_M, S_q)
#define Mv OPK(A_M, S_v)
#define Mdq OPK(A_M, S_dq)
#define Rd OPK(A_R, S_d)
#define Ry OPK(A_R, S_y)
#define Ob OPK(A_O, S_b)
#define Ov OPK(A_O, S_v)
#define Zb OPK(A_Z, S_b)
#define Zv OPK(A_Z, S_v)
#define Zy OPK(A_Z, S_y)
#define Sw OPK(A_S, S_w)
#define Cy OPK(A_C, S_y)
#define Dy OPK(A_D, S_y)
#define Vx OPK(A_V, S_x)
#define Vdq OPK(A_V, S_dq)
#define Vq OPK(A_V, S_q)
#define Vd OPK(A_V, S_d)
#define Vy OPK(A_V, S_y)
#define Wx OPK(A_W, S_x)
#define Wdq OPK(A_W, S_dq)
#define Wq OPK(A_W, S_q)
#define Wd OPK(A_W, S_d)
#define Ww OPK(A_W, S_w)
#define Qd OPK(A_Q, S_d)
#define By OPK(A_B, S_y)
#define Ux OPK(A_U, S_x)
#define Pq OPK(A_P, S_q)
#define Qq OPK(A_Q, S_q)
#define Nq OPK(A_N, S_q)
#define AL OPK(A_AX, S_b)
#define rAX OPK(A_AX, S_v)
#define eAX OPK(A_AX, S_z)
#define CL OPK(A_CX, S_b)
#define DXw OPK(A_DX, S_w)
#define ONE OPK(A_ONE, S_b)

/* entry flags */
enum {
    X86F_LOCK = 1 << 0,   /* LOCK allowed (with a memory destination) */
    X86F_D64 = 1 << 1,    /* default operand size 64 in 64-bit mode */
    X86F_F64 = 1 << 2,    /* operand size forced to 64 in 64-bit mode */
    X86F_I64 = 1 << 3,    /* invalid in 64-bit mode */
    X86F_O64 = 1 << 4,    /* valid only in 64-bit mode */
    X86F_GROUP = 1 << 5,  /* ext = group number: ModRM.reg picks the entry */
    X86F_SSE = 1 << 6,    /* ext = SSE cell: the mandatory prefix picks the entry */
    X86F_MODRM = 1 << 7,  /* has ModRM even though no operand says so */
    X86F_REP = 1 << 8,    /* string instruction: F2/F3 are REP prefixes */
    X86F_PRIV = 1 << 9,   /* CPL 0 only */
    X86F_CC = 1 << 10,    /* condition in the low 4 bits of the opcode */
    X86F_MOD3 = 1 << 11,  /* group: this entry only for ModRM.mod == 3 */
    X86F_XCHGLOCK = 1 << 12, /* XCHG with memory: always locked */
    X86F_MMX = 1 << 13,   /* MMX form (operands in the x87/MMX register file) */
    X86F_OP1 = 1 << 14,   /* group entry: only the first operand of the main entry */
};

typedef struct X86OpEntry {
    uint16_t mnem;  /* X86Mnem */
    uint16_t op[3]; /* operand kinds (OPK), destination first */
    uint8_t ext;    /* group number / SSE cell */
    uint16_t flags;
} X86OpEntry;

enum { X86_MAP_1B, X86_MAP_0F, X86_MAP_0F38, X86_MAP_0F3A };

extern const X86OpEntry x86_map_1b[256];
extern const X86OpEntry x86_map_0f[256];
extern const X86OpEntry x86_map_0f38[256];
extern const X86OpEntry x86_map_0f3a[256];
/* VEX-encoded cells (BMI1/BMI2 only: AVX is not implemented) */
extern const X86OpEntry x86_vex_0f38[256];
extern const X86OpEntry x86_vex_0f3a[256];
#define X86_NB_GROUPS 20
/* [group][mod==3][reg]; a group entry with mnem INVALID is #UD */
extern const X86OpEntry x86_groups[X86_NB_GROUPS][2][8];
#define X86_NB_SSE 256
/* [cell][prefix: 0 none, 1 66, 2 F3, 3 F2] */
extern const X86OpEntry x86_sse[X86_NB_SSE][4];

/* prefix bits */
enum {
    PFX_66 = 1, PFX_67 = 2, PFX_F2 = 4, PFX_F3 = 8, PFX_LOCK = 16, PFX_REX = 32,
};

/* decoder mode */
typedef enum X86CodeMode { X86_MODE16, X86_MODE32, X86_MODE64 } X86CodeMode;

typedef enum X86DecodeStatus {
    X86_DEC_OK,
    X86_DEC_UD,      /* invalid opcode / LOCK where not allowed */
    X86_DEC_TOOLONG, /* more than 15 bytes: #GP(0) */
} X86DecodeStatus;

/* A decoded operand. */
typedef enum X86OpType { OT_NONE, OT_REG, OT_MEM, OT_IMM, OT_SEG, OT_CR, OT_DR, OT_XMM, OT_MMX } X86OpType;

typedef struct X86Operand {
    uint8_t type; /* X86OpType */
    uint8_t size; /* MemOp size MO_8..MO_128 (4 = 128-bit) */
    uint8_t reg;  /* OT_REG (0..15, or 4..7 = AH..BH when hibyte), OT_XMM, ... */
    bool hibyte;  /* AH/CH/DH/BH (8-bit register 4..7 with no REX) */
    int64_t imm;  /* OT_IMM: value, sign- or zero-extended per the kind; J: target */
} X86Operand;

typedef struct X86Insn {
    uint64_t pc;        /* linear address of the first byte (eip + cs base) */
    uint8_t len;
    uint8_t bytes[15];
    uint8_t map;        /* X86_MAP_* */
    uint8_t opcode;
    uint8_t prefixes;   /* PFX_* */
    uint8_t rex;        /* 0x40..0x4f or 0 */
    uint8_t mand;       /* mandatory prefix index 0..3 actually used (SSE) */
    int8_t seg;         /* segment override R_ES..R_GS, -1 none */
    uint8_t rep;        /* 0, or 0xf2/0xf3: the LAST of F2/F3 */
    uint8_t mode;       /* X86CodeMode */
    uint8_t opsize;     /* MO_16/MO_32/MO_64 effective operand size (v) */
    uint8_t addrsize;   /* MO_16/MO_32/MO_64 */
    bool has_modrm;
    uint8_t modrm, mod, reg, rm; /* reg and rm include REX.R / REX.B */
    /* memory operand: seg:[base + index*scale + disp] (rip-relative: base = -2) */
    bool has_mem;
    int8_t base, index; /* -1 none; -2 rip */
    uint8_t scale;      /* log2 */
    int64_t disp;
    const X86OpEntry *e; /* the final table entry */
    uint16_t mnem;
    uint8_t nops;
    X86Operand op[3];
    uint8_t cc;          /* X86F_CC: condition 0..15 */
    /* VEX prefix (SDM Vol.2 §2.3): vex = 2 (C5) or 3 (C4), 0 none; its R/X/B/W
     * bits are folded into rex; vex_v = the register named by VEX.vvvv */
    uint8_t vex, vex_l, vex_v, vex_pp;
} X86Insn;

typedef uint8_t (*X86FetchFn)(void *opaque, uint64_t addr);

/* Decode one instruction at pc. Never reads more than 15 bytes. */
X86DecodeStatus x86_decode(X86Insn *insn, X86CodeMode mode, uint64_t pc, X86FetchFn fetch,
                           void *opaque);

/* Format "mnemonic operands" into buf (for logs and tests). */
void x86_insn_format(const X86Insn *insn, char *buf, size_t len);

#endif
