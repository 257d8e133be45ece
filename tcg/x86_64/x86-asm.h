/*
 * x86-asm.h — a small x86-64 instruction encoder for the JIT backend.
 *
 * Every instruction is built from one "opcode word": the low byte is the
 * primary opcode, the P_* bits above it add the escape bytes (0F, 0F 38,
 * 0F 3A), mandatory prefixes (66, F3, F2), REX.W, and "byte register" hints
 * (so that sil/dil/spl/bpl get a REX prefix instead of meaning ah..bh).
 * emit_opc() writes prefixes, REX and opcode; emit_rr()/emit_rm() add the
 * ModRM (and SIB/displacement) for a register or a [base + index + disp]
 * memory operand (Intel SDM vol. 2, 2.1 and 2.2.1). VEX-encoded BMI
 * instructions go through emit_vex() (SDM vol. 2, 2.3).
 *
 * Callers guarantee room in the buffer (the backend checks a per-op bound).
 */
#ifndef TCG_X86_64_X86_ASM_H
#define TCG_X86_64_X86_ASM_H

#include <stdint.h>
#include <string.h>

enum {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
    R8, R9, R10, R11, R12, R13, R14, R15,
};

enum {
    P_0F = 0x100,      /* 0F escape */
    P_0F38 = 0x200,    /* 0F 38 escape */
    P_0F3A = 0x400,    /* 0F 3A escape */
    P_66 = 0x800,      /* operand-size prefix (16-bit operand) */
    P_F3 = 0x1000,
    P_F2 = 0x2000,
    P_W = 0x4000,      /* REX.W: 64-bit operand */
    P_BYTE_R = 0x8000, /* ModRM.reg names a byte register */
    P_BYTE_M = 0x10000, /* ModRM.rm names a byte register */
    P_LOCK = 0x20000,
};

/* primary opcodes (with their escapes) */
enum {
    OPC_ALU_RM = 0x03,      /* op r, r/m; the ALU op in bits 3..5 */
    OPC_ALU_IMM8 = 0x83,    /* op r/m, imm8 (sign-extended) */
    OPC_ALU_IMM32 = 0x81,
    OPC_MOV_STORE = 0x89,   /* mov r/m, r */
    OPC_MOV_STORE8 = 0x88 | P_BYTE_R,
    OPC_MOV_LOAD = 0x8b,    /* mov r, r/m */
    OPC_MOV_IMM_RM = 0xc7,  /* mov r/m, imm32 */
    OPC_MOV_IMM8_RM = 0xc6, /* mov r/m8, imm8 */
    OPC_LEA = 0x8d,
    OPC_TEST = 0x85,
    OPC_XCHG = 0x87,
    OPC_MOVSXD = 0x63 | P_W,
    OPC_MOVZBL = 0xb6 | P_0F,
    OPC_MOVZWL = 0xb7 | P_0F,
    OPC_MOVSBL = 0xbe | P_0F,
    OPC_MOVSWL = 0xbf | P_0F,
    OPC_IMUL_RM = 0xaf | P_0F,
    OPC_IMUL_IMM8 = 0x6b,
    OPC_IMUL_IMM32 = 0x69,
    OPC_SHIFT_1 = 0xd1,
    OPC_SHIFT_CL = 0xd3,
    OPC_SHIFT_IMM = 0xc1,
    OPC_GRP3 = 0xf7,       /* not/neg/mul/imul/div/idiv r/m */
    OPC_GRP5 = 0xff,       /* call/jmp r/m */
    OPC_SETCC = 0x90 | P_0F | P_BYTE_M,
    OPC_CMOVCC = 0x40 | P_0F,
    OPC_JCC_LONG = 0x80 | P_0F,
    OPC_JCC_SHORT = 0x70,
    OPC_JMP_LONG = 0xe9,
    OPC_JMP_SHORT = 0xeb,
    OPC_CALL_REL = 0xe8,
    OPC_BSWAP = 0xc8 | P_0F,
    OPC_BSF = 0xbc | P_0F,
    OPC_BSR = 0xbd | P_0F,
    OPC_TZCNT = 0xbc | P_0F | P_F3,
    OPC_LZCNT = 0xbd | P_0F | P_F3,
    OPC_POPCNT = 0xb8 | P_0F | P_F3,
    OPC_SHLD_IMM = 0xa4 | P_0F,
    OPC_SHRD_IMM = 0xac | P_0F,
    OPC_MOVBE_LOAD = 0xf0 | P_0F38,
    OPC_MOVBE_STORE = 0xf1 | P_0F38,
    OPC_CMPXCHG = 0xb1 | P_0F,
    OPC_CMPXCHG8 = 0xb0 | P_0F | P_BYTE_R,
    OPC_XADD = 0xc1 | P_0F,
    OPC_XADD8 = 0xc0 | P_0F | P_BYTE_R,
    OPC_GRP9 = 0xc7 | P_0F, /* /1: cmpxchg8b/16b */
};

/* ALU ops (ModRM.reg of 0x81/0x83, bits 3..5 of the r, r/m forms) */
enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };
/* shift group (ModRM.reg of C1/D1/D3) */
enum { SH_ROL = 0, SH_ROR = 1, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };
/* group 3 (F7) */
enum { G3_NOT = 2, G3_NEG = 3, G3_MUL = 4, G3_IMUL = 5, G3_DIV = 6, G3_IDIV = 7 };
/* group 5 (FF) */
enum { G5_CALL = 2, G5_JMP = 4 };

/* condition codes (low nibble of Jcc/SETcc/CMOVcc) */
enum {
    CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
    CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G,
};

typedef struct X86Asm {
    uint8_t *start; /* code offset 0 */
    uint8_t *ptr;   /* next byte */
    uint8_t *end;   /* first byte past the room */
} X86Asm;

static inline uint32_t asm_off(const X86Asm *a)
{
    return (uint32_t)(a->ptr - a->start);
}

static inline void emit8(X86Asm *a, uint8_t v)
{
    *a->ptr++ = v;
}

static inline void emit16(X86Asm *a, uint16_t v)
{
    memcpy(a->ptr, &v, 2);
    a->ptr += 2;
}

static inline void emit32(X86Asm *a, uint32_t v)
{
    memcpy(a->ptr, &v, 4);
    a->ptr += 4;
}

static inline void emit64(X86Asm *a, uint64_t v)
{
    memcpy(a->ptr, &v, 8);
    a->ptr += 8;
}

static inline void patch32(X86Asm *a, uint32_t off, uint32_t v)
{
    memcpy(a->start + off, &v, 4);
}

/* prefixes, REX (R from r, X from x, B from rm), escapes, opcode */
static inline void emit_opc(X86Asm *a, int opc, int r, int rm, int x)
{
    int rex = 0;
    if (opc & P_LOCK) {
        emit8(a, 0xf0);
    }
    if (opc & P_66) {
        emit8(a, 0x66);
    }
    if (opc & P_F3) {
        emit8(a, 0xf3);
    }
    if (opc & P_F2) {
        emit8(a, 0xf2);
    }
    if (opc & P_W) {
        rex |= 8;
    }
    rex |= (r & 8) >> 1;
    rex |= (x & 8) >> 2;
    rex |= (rm & 8) >> 3;
    if (((opc & P_BYTE_R) && r >= 4) || ((opc & P_BYTE_M) && rm >= 4)) {
        rex |= 0x40;
    }
    if (rex) {
        emit8(a, 0x40 | rex);
    }
    if (opc & (P_0F | P_0F38 | P_0F3A)) {
        emit8(a, 0x0f);
        if (opc & P_0F38) {
            emit8(a, 0x38);
        } else if (opc & P_0F3A) {
            emit8(a, 0x3a);
        }
    }
    emit8(a, (uint8_t)opc);
}

/* register-direct ModRM: reg field r, rm field rm */
static inline void emit_rr(X86Asm *a, int opc, int r, int rm)
{
    emit_opc(a, opc, r, rm, 0);
    emit8(a, 0xc0 | (r & 7) << 3 | (rm & 7));
}

/* memory operand [base + index + disp] (index < 0: none) */
static inline void emit_rm_idx(X86Asm *a, int opc, int r, int base, int index,
                               int32_t disp)
{
    int mod;
    if (disp == 0 && (base & 7) != RBP) {
        mod = 0;
    } else if (disp == (int8_t)disp) {
        mod = 1;
    } else {
        mod = 2;
    }
    if (index < 0 && (base & 7) != RSP) {
        emit_opc(a, opc, r, base, 0);
        emit8(a, mod << 6 | (r & 7) << 3 | (base & 7));
    } else {
        int idx = index < 0 ? RSP : index; /* SIB index 100 without REX.X: none */
        emit_opc(a, opc, r, base, index < 0 ? 0 : index);
        emit8(a, mod << 6 | (r & 7) << 3 | 4);
        emit8(a, (idx & 7) << 3 | (base & 7));
    }
    if (mod == 1) {
        emit8(a, (uint8_t)disp);
    } else if (mod == 2) {
        emit32(a, (uint32_t)disp);
    }
}

static inline void emit_rm(X86Asm *a, int opc, int r, int base, int32_t disp)
{
    emit_rm_idx(a, opc, r, base, -1, disp);
}

/* [rip + disp32]; returns the offset of the disp32 (relative to the end of
 * the instruction, which is the disp32's end when no immediate follows). */
static inline uint32_t emit_rip(X86Asm *a, int opc, int r)
{
    emit_opc(a, opc, r, 0, 0);
    emit8(a, 0x05 | (r & 7) << 3);
    uint32_t off = asm_off(a);
    emit32(a, 0);
    return off;
}

/*
 * VEX (3-byte form, C4): map 1 = 0F, 2 = 0F38, 3 = 0F3A; pp 0 none,
 * 1 = 66, 2 = F3, 3 = F2; vvvv is the extra register operand.
 */
static inline void emit_vex_rr(X86Asm *a, int map, int pp, int w, uint8_t opc, int r,
                               int vvvv, int rm)
{
    emit8(a, 0xc4);
    emit8(a, (uint8_t)((((~r) & 8) << 4) | 0x40 /* ~X */ | (((~rm) & 8) << 2) | map));
    emit8(a, (uint8_t)((w << 7) | (((~vvvv) & 15) << 3) | pp));
    emit8(a, opc);
    emit8(a, 0xc0 | (r & 7) << 3 | (rm & 7));
}

/* --- common instructions --- */

static inline void emit_mov_rr(X86Asm *a, int w64, int dst, int src)
{
    if (dst != src || !w64) {
        emit_rr(a, OPC_MOV_LOAD | (w64 ? P_W : 0), dst, src);
    }
}

static inline void emit_alu_rr(X86Asm *a, int w64, int alu, int dst, int src)
{
    emit_rr(a, (alu << 3 | OPC_ALU_RM) | (w64 ? P_W : 0), dst, src);
}

static inline void emit_alu_ri(X86Asm *a, int w64, int alu, int dst, int32_t imm)
{
    int w = w64 ? P_W : 0;
    if (imm == (int8_t)imm) {
        emit_rr(a, OPC_ALU_IMM8 | w, alu, dst);
        emit8(a, (uint8_t)imm);
    } else if (dst == RAX) {
        /* short form: op eax/rax, imm32 */
        emit_opc(a, (alu << 3 | 5) | w, 0, 0, 0);
        emit32(a, (uint32_t)imm);
    } else {
        emit_rr(a, OPC_ALU_IMM32 | w, alu, dst);
        emit32(a, (uint32_t)imm);
    }
}

static inline void emit_shift_ri(X86Asm *a, int w64, int sh, int dst, int n)
{
    int w = w64 ? P_W : 0;
    if (n == 1) {
        emit_rr(a, OPC_SHIFT_1 | w, sh, dst);
    } else {
        emit_rr(a, OPC_SHIFT_IMM | w, sh, dst);
        emit8(a, (uint8_t)n);
    }
}

/* Load a constant into a register; may clobber flags when !keep_flags. */
static inline void emit_movi(X86Asm *a, int w64, int dst, int64_t val, int keep_flags)
{
    if (!w64) {
        val = (uint32_t)val;
    }
    if (val == 0 && !keep_flags) {
        emit_rr(a, ALU_XOR << 3 | OPC_ALU_RM, dst, dst);
    } else if ((uint64_t)val <= 0xffffffffu) {
        emit_opc(a, 0xb8 + (dst & 7), 0, dst, 0);
        emit32(a, (uint32_t)val);
    } else if (val == (int32_t)val) {
        emit_rr(a, OPC_MOV_IMM_RM | P_W, 0, dst);
        emit32(a, (uint32_t)val);
    } else {
        emit_opc(a, (0xb8 + (dst & 7)) | P_W, 0, dst, 0);
        emit64(a, (uint64_t)val);
    }
}

static inline void emit_jcc_rel32(X86Asm *a, int cc)
{
    emit8(a, 0x0f);
    emit8(a, (uint8_t)(0x80 + cc));
    emit32(a, 0);
}

/* multi-byte nop of n bytes (1..8), SDM vol. 2 "NOP" recommended forms */
static inline void emit_nops(X86Asm *a, int n)
{
    static const uint8_t nops[8][8] = {
        {0x90},
        {0x66, 0x90},
        {0x0f, 0x1f, 0x00},
        {0x0f, 0x1f, 0x40, 0x00},
        {0x0f, 0x1f, 0x44, 0x00, 0x00},
        {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
        {0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00},
        {0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    };
    while (n > 0) {
        int k = n > 8 ? 8 : n;
        memcpy(a->ptr, nops[k - 1], (size_t)k);
        a->ptr += k;
        n -= k;
    }
}

#endif
