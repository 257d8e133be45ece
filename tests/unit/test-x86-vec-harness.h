/*
 * test-x86-vec-harness.h — a host-CPU differential harness for single
 * vector / BMI instructions, shared by test-x86-diff-mmx.c,
 * test-x86-diff-sse4.c and test-x86-diff-bmi.c.
 *
 * A test names a class of mnemonics; the candidate encodings are collected
 * from the decoder's own tables (decode-tables.c: plain cells, groups,
 * mandatory-prefix cells and the VEX maps), so every encoding the decoder
 * accepts for a mnemonic is exercised. Each case is
 *
 *     fxrstor64 [IN]      random x87/MMX, MXCSR and XMM state (and TOP/tags)
 *     <instruction>       random registers, [disp32] memory operand, imm8
 *     setcc [FLAGS+i]     each condition whose flags the SDM defines
 *     fxsave64  [OUT]
 *
 * (memory operands misaligned and page-crossing where the instruction allows)
 * run natively (in this process, through an asm trampoline that loads and
 * stores the general registers and RFLAGS; code and data at the same fixed
 * addresses as in the guest) and on coremu (flat 64-bit test mode, "max"
 * CPU) through each TCG backend. The general registers, the defined
 * arithmetic flags, the FXSAVE image (x87/MMX registers, FSW with TOP, the
 * abridged tag word, MXCSR, XMM0-15; the instruction/data pointers and
 * MXCSR_MASK excepted) and the memory window are compared.
 *
 * Environment: X86_VEC_SEED (default 1: reproducible), X86_VEC_N (cases per
 * class, default 3000; 1000 under ASan; a third of them in 32-bit mode),
 * X86_VEC_VERBOSE.
 */
#ifndef TEST_X86_VEC_HARNESS_H
#define TEST_X86_VEC_HARNESS_H

#include <cpuid.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/cputlb.h"
#include "exec/memory.h"
#include "exec/tb-cache.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "target/i386/cpu.h"
#include "target/i386/decode.h"

extern const TCGBackend tcg_backend_x86_64 __attribute__((weak));

#define VH_CODE 0x10000000ull
#define VH_DATA 0x10100000ull
#define VH_DATA_SIZE 0x2000ull
#define VH_IN (VH_DATA + 0x000)  /* FXRSTOR image */
#define VH_OUT (VH_DATA + 0x200) /* FXSAVE image */
#define VH_MEM (VH_DATA + 0x400) /* memory operands: [VH_MEM, VH_MEM + 0x400) */
#define VH_WIN_LO VH_OUT
#define VH_WIN_HI (VH_DATA + 0x1100) /* [VH_MEM, ..) and across the page boundary */
#define VH_STACK 0x10200000ull
#define VH_STACK_SIZE 0x10000ull
#define VH_CTRL 0x10300000ull

typedef struct VhRegs {
    uint64_t r[16];
    uint64_t rflags;
} VhRegs;

typedef struct VhCase {
    uint8_t code[160];
    int len;         /* bytes before the terminator */
    int insn_off;    /* where the tested instruction starts */
    int insn_len;
    VhRegs in;
    uint8_t data[VH_DATA_SIZE];
    uint32_t undef_flags; /* EFLAGS bits the SDM leaves undefined */
    bool m32;             /* 32-bit compatibility-mode code */
} VhCase;

typedef struct VhResult {
    VhRegs regs;
    uint8_t win[VH_WIN_HI - VH_WIN_LO];
    int fault; /* -1 none */
} VhResult;

/* ---- random numbers (xorshift64*) ---- */
static uint64_t vh_rng;
static uint64_t vh_rnd(void)
{
    vh_rng ^= vh_rng >> 12;
    vh_rng ^= vh_rng << 25;
    vh_rng ^= vh_rng >> 27;
    return vh_rng * 0x2545F4914F6CDD1Dull;
}
static unsigned vh_rn(unsigned n)
{
    return (unsigned)(vh_rnd() % n);
}

/* a 32-bit lane: a float worth testing, or raw bits */
static uint32_t vh_f32(void)
{
    static const uint32_t special[] = {
        0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000,
        0x7fc00000, 0x7fa00000, 0x00000001, 0x807fffff, 0x7f7fffff, 0x3fc00000,
        0x40200000, 0xc0600000, 0x4b000001, 0x4afffffe, 0x3effffff, 0x5f000000,
        0xcf000000, 0x4f000000,
    };
    switch (vh_rn(6)) {
    case 0: return special[vh_rn(sizeof(special) / sizeof(special[0]))];
    case 1: { /* a small value with a fraction: rounding */
        float f = (float)((int)vh_rn(2001) - 1000) / (float)(1 + vh_rn(8));
        uint32_t u;
        memcpy(&u, &f, 4);
        return u;
    }
    case 2: return (uint32_t)vh_rn(256) - 128;
    default: return (uint32_t)vh_rnd();
    }
}

static uint64_t vh_f64(void)
{
    static const uint64_t special[] = {
        0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff8000000000000ull,
        0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
        0x7ff4000000000000ull, 1, 0x800fffffffffffffull, 0x4330000000000001ull,
        0x432ffffffffffffeull, 0x3fe0000000000000ull, 0x41e0000000000000ull,
    };
    switch (vh_rn(6)) {
    case 0: return special[vh_rn(sizeof(special) / sizeof(special[0]))];
    case 1: {
        double d = (double)((int)vh_rn(2001) - 1000) / (double)(1 + vh_rn(8));
        uint64_t u;
        memcpy(&u, &d, 8);
        return u;
    }
    default: return vh_rnd();
    }
}

/* a 64-bit chunk of vector data */
static uint64_t vh_chunk(bool fp)
{
    if (fp) {
        if (vh_rn(2)) {
            return vh_f64();
        }
        return vh_f32() | (uint64_t)vh_f32() << 32;
    }
    switch (vh_rn(5)) {
    case 0: return 0;
    case 1: return ~0ull;
    case 2: { /* small and sign-boundary lanes (saturation, compares, strings) */
        uint64_t v = 0;
        for (int i = 0; i < 8; i++) {
            static const uint8_t b[] = {0, 1, 0x7f, 0x80, 0xff, 0x41, 0x61, 0x7a};
            v |= (uint64_t)b[vh_rn(8)] << (8 * i);
        }
        return v;
    }
    default: return vh_rnd();
    }
}

/* ---- the candidates ---- */
typedef struct VhCand {
    uint8_t map;  /* X86_MAP_0F / 0F38 / 0F3A */
    bool vex;
    uint8_t opcode;
    int8_t greg;  /* group: ModRM.reg, else -1 */
    uint8_t col;  /* mandatory prefix column: 0 none, 1 66, 2 F3, 3 F2 */
    uint16_t mnem, flags;
    uint16_t kinds[3];
    int nk;
} VhCand;

static VhCand vh_cands[512];
static int vh_ncands;

typedef bool VhFilter(int mnem, uint16_t flags);

static void vh_add(uint8_t map, bool vex, int op, int greg, int col, const X86OpEntry *e,
                   const X86OpEntry *cell, uint16_t flags, VhFilter *f)
{
    if (e->mnem == MN_INVALID || !f(e->mnem, flags) ||
        vh_ncands >= (int)(sizeof(vh_cands) / sizeof(vh_cands[0]))) {
        return;
    }
    VhCand *c = &vh_cands[vh_ncands++];
    memset(c, 0, sizeof(*c));
    c->map = map;
    c->vex = vex;
    c->opcode = (uint8_t)op;
    c->greg = (int8_t)greg;
    c->col = (uint8_t)col;
    c->mnem = e->mnem;
    c->flags = flags;
    const uint16_t *k = (e->op[0] || !cell) ? e->op : cell->op;
    while (c->nk < 3 && k[c->nk]) {
        c->kinds[c->nk] = k[c->nk];
        c->nk++;
    }
    if ((flags & X86F_OP1) && c->nk > 1) {
        c->nk = 1;
    }
}

static void vh_collect_entry(uint8_t map, bool vex, int op, const X86OpEntry *e, int col,
                             VhFilter *f)
{
    if (e->flags & X86F_GROUP) {
        for (int r = 0; r < 8; r++) {
            for (int m3 = 0; m3 < 2; m3++) {
                const X86OpEntry *g = &x86_groups[e->ext][m3][r];
                /* the 0F 71..73 shift groups: register forms, MMX (col 0) or XMM (66) */
                if (map == X86_MAP_0F && op >= 0x71 && op <= 0x73) {
                    if (m3 == 1 && g->mnem != MN_INVALID) {
                        if (g->mnem != MN_PSRLDQ && g->mnem != MN_PSLLDQ) { /* no MMX form */
                            vh_add(map, vex, op, r, 0, g, e, (uint16_t)(g->flags | X86F_MMX), f);
                        }
                        vh_add(map, vex, op, r, 1, g, e, g->flags, f);
                    }
                    continue;
                }
                if (m3 == 0) {
                    vh_add(map, vex, op, r, col, g, e, (uint16_t)(e->flags | g->flags), f);
                }
            }
        }
    } else if (e->flags & X86F_SSE) {
        for (int c = 0; c < 4; c++) {
            vh_collect_entry(map, vex, op, &x86_sse[e->ext][c], c, f);
        }
    } else {
        vh_add(map, vex, op, -1, col, e, NULL, e->flags, f);
    }
}

static void vh_collect(VhFilter *f)
{
    vh_ncands = 0;
    for (int op = 0; op < 256; op++) {
        vh_collect_entry(X86_MAP_0F, false, op, &x86_map_0f[op], 0, f);
        vh_collect_entry(X86_MAP_0F38, false, op, &x86_map_0f38[op], 0, f);
        vh_collect_entry(X86_MAP_0F3A, false, op, &x86_map_0f3a[op], 0, f);
        vh_collect_entry(X86_MAP_0F38, true, op, &x86_vex_0f38[op], 0, f);
        vh_collect_entry(X86_MAP_0F3A, true, op, &x86_vex_0f3a[op], 0, f);
    }
}

/* ---- the generator ---- */
static bool vh_kind_gpr(uint16_t k)
{
    X86AddrMethod m = OPK_METHOD(k);
    return m == A_E || m == A_G || m == A_R || m == A_B;
}

static bool vh_m32; /* generating 32-bit code: registers 0..7, no REX */

static int vh_xreg(void)
{
    return (int)vh_rn(vh_m32 ? 8 : 16);
}

static int vh_gpr(void)
{
    for (;;) {
        int r = vh_xreg();
        if (r != 4) {
            return r;
        }
    }
}

static void vh_emit(VhCase *q, uint8_t b)
{
    q->code[q->len++] = b;
}

static void vh_emit32(VhCase *q, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        vh_emit(q, (uint8_t)(v >> (8 * i)));
    }
}

/* fxrstor64 / fxsave64 [abs32]: REX.W 0F AE /1 or /0, ModRM 00 r 100, SIB 25 */
static void vh_emit_fx(VhCase *q, int reg, uint32_t addr)
{
    if (!q->m32) {
        vh_emit(q, 0x48); /* 32-bit code: the 32-bit layout (FIP/FDP differ; not compared) */
    }
    vh_emit(q, 0x0f);
    vh_emit(q, 0xae);
    vh_emit(q, (uint8_t)(reg << 3 | 4));
    vh_emit(q, 0x25);
    vh_emit32(q, addr);
}

/* the random initial state: FXRSTOR image, registers, memory */
static void vh_state(VhCase *q, bool fp)
{
    uint8_t *fx = q->data + (VH_IN - VH_DATA);
    memset(q->data, 0, sizeof(q->data));
    uint16_t fcw = 0x037f, fsw = (uint16_t)(vh_rn(2) ? vh_rn(8) << 11 : 0);
    memcpy(fx + 0, &fcw, 2);
    memcpy(fx + 2, &fsw, 2);
    fx[4] = (uint8_t)(vh_rn(3) == 0 ? 0 : vh_rn(3) == 0 ? 0xff : vh_rn(256)); /* abridged tags */
    uint32_t mxcsr = 0x1f80;
    if (fp) {
        mxcsr |= (uint32_t)vh_rn(4) << 13;                  /* rounding */
        mxcsr |= vh_rn(4) == 0 ? 0x8000u : 0;               /* FTZ */
        mxcsr |= vh_rn(4) == 0 ? 0x40u : 0;                 /* DAZ */
    }
    mxcsr |= vh_rn(2) ? (uint32_t)vh_rn(64) : 0;            /* sticky flags */
    memcpy(fx + 24, &mxcsr, 4);
    for (int i = 0; i < 8; i++) { /* ST0-7 / MM0-7: 80-bit registers */
        uint64_t m = vh_chunk(false);
        uint16_t e = (uint16_t)vh_rnd();
        memcpy(fx + 32 + 16 * i, &m, 8);
        memcpy(fx + 40 + 16 * i, &e, 2);
    }
    for (int i = 0; i < 16; i++) {
        uint64_t lo = vh_chunk(fp), hi = vh_chunk(fp);
        memcpy(fx + 160 + 16 * i, &lo, 8);
        memcpy(fx + 168 + 16 * i, &hi, 8);
    }
    for (uint64_t a = VH_MEM; a < VH_DATA + VH_DATA_SIZE; a += 8) {
        uint64_t v = vh_chunk(fp);
        memcpy(q->data + (a - VH_DATA), &v, 8);
    }
    for (int i = 0; i < 16; i++) {
        uint64_t v = vh_rnd();
        switch (vh_rn(6)) {
        case 0: v = 0; break;
        case 1: v = vh_rn(64); break;
        case 2: v = (uint64_t)vh_rn(40) - 20; break; /* string lengths, small counts */
        case 3: v &= 0xffffffffull; break;
        default: break;
        }
        q->in.r[i] = v;
    }
    q->in.r[4] = VH_STACK + 0x8000;
    q->in.rflags = 0x202 | (vh_rnd() & (CC_OSZAPC));
}

/* build case q from candidate c */
static void vh_gen(VhCase *q, const VhCand *c, bool fp, bool m32)
{
    vh_state(q, fp);
    q->m32 = vh_m32 = m32;
    q->len = 0;
    vh_emit_fx(q, 1, (uint32_t)VH_IN); /* fxrstor64 */
    q->insn_off = q->len;

    /* operands: which fields are registers, and which kinds are in them */
    bool mem = false, rm_used = false, has_imm = false, w = vh_rn(2);
    int reg = -1, rm = -1, vvvv = 0;
    bool mem_only = false, reg_only = false;
    for (int k = 0; k < c->nk; k++) {
        X86AddrMethod m = OPK_METHOD(c->kinds[k]);
        switch (m) {
        case A_E: case A_W: case A_Q: rm_used = true; break;
        case A_M: rm_used = mem_only = true; break;
        case A_R: case A_U: case A_N: rm_used = reg_only = true; break;
        case A_I: has_imm = true; break;
        default: break;
        }
    }
    if (c->greg >= 0) {
        reg = c->greg;
    }
    mem = rm_used && !reg_only && (mem_only || vh_rn(2) == 0);
    for (int k = 0; k < c->nk; k++) {
        uint16_t kd = c->kinds[k];
        X86AddrMethod m = OPK_METHOD(kd);
        if ((m == A_G || m == A_V || m == A_P) && reg < 0) {
            reg = vh_kind_gpr(kd) ? vh_gpr() : vh_xreg();
        } else if ((m == A_E || m == A_W || m == A_Q || m == A_R || m == A_U || m == A_N) &&
                   !mem) {
            rm = vh_kind_gpr(kd) ? vh_gpr() : vh_xreg();
        } else if (m == A_B) {
            vvvv = vh_gpr();
        }
    }
    if (reg < 0) {
        reg = vh_gpr();
    }
    if (rm < 0) {
        rm = vh_gpr();
    }
    uint32_t maddr = (uint32_t)(VH_MEM + 16 * vh_rn(56));
    /* a memory operand narrower than 16 bytes, or of an instruction that allows it
     * (PCMPxSTRx, LDDQU), is misaligned half the time; other m128 operands of
     * legacy SSE would #GP (test-x86-isa checks that) */
    bool m128 = false;
    for (int k = 0; k < c->nk; k++) {
        X86AddrMethod m = OPK_METHOD(c->kinds[k]);
        if ((m == A_W || m == A_M) && OPK_SIZE(c->kinds[k]) == S_x) {
            m128 = true;
        }
    }
    if ((!m128 || (c->mnem >= MN_PCMPESTRM && c->mnem <= MN_PCMPISTRI) ||
         c->mnem == MN_LDDQU) && vh_rn(2)) {
        maddr += 1 + vh_rn(15);
        if (vh_rn(4) == 0) {
            maddr = (uint32_t)(VH_DATA + 0x1000 - 1 - vh_rn(15)); /* crossing a page */
        }
    }
    if (c->mnem == MN_MASKMOVQ) {
        q->in.r[7] = VH_MEM + 16 * vh_rn(56); /* rDI: the destination */
    }
    /* flags the SDM leaves undefined */
    switch (c->mnem) {
    case MN_ANDN: case MN_BLSI: case MN_BLSMSK: case MN_BLSR: case MN_BZHI:
        q->undef_flags = CC_A | CC_P;
        break;
    case MN_BEXTR:
        q->undef_flags = CC_A | CC_P | CC_S;
        break;
    case MN_TZCNT: case MN_LZCNT:
        q->undef_flags = CC_O | CC_S | CC_A | CC_P;
        break;
    default:
        q->undef_flags = 0;
        break;
    }

    if (c->vex) {
        uint8_t rbits = (uint8_t)(((reg >> 3) & 1) << 7 | (!mem ? ((rm >> 3) & 1) << 5 : 0));
        vh_emit(q, 0xc4);
        vh_emit(q, (uint8_t)((~rbits & 0xe0) | (c->map == X86_MAP_0F38 ? 2 : 3)));
        vh_emit(q, (uint8_t)((w ? 0x80 : 0) | ((~vvvv & 15) << 3) | c->col));
    } else {
        static const uint8_t pfx[4] = {0, 0x66, 0xf3, 0xf2};
        /* an operand-size prefix beside a mandatory F2/F3 (CRC32 r/m16, POPCNT r16) */
        bool v16 = false;
        for (int k = 0; k < c->nk; k++) {
            v16 |= vh_kind_gpr(c->kinds[k]) && OPK_SIZE(c->kinds[k]) == S_v;
        }
        if (v16 && c->col >= 2 && vh_rn(3) == 0) {
            vh_emit(q, 0x66);
        }
        if (c->col) {
            vh_emit(q, pfx[c->col]);
        }
        uint8_t rex = (uint8_t)(0x40 | (w ? 8 : 0) | ((reg >> 3) & 1) << 2 |
                                (!mem ? (rm >> 3) & 1 : 0));
        if (!m32 && (rex != 0x40 || vh_rn(4) == 0)) {
            vh_emit(q, rex);
        }
        vh_emit(q, 0x0f);
        if (c->map == X86_MAP_0F38) {
            vh_emit(q, 0x38);
        } else if (c->map == X86_MAP_0F3A) {
            vh_emit(q, 0x3a);
        }
    }
    vh_emit(q, c->opcode);
    if (c->nk == 0 && c->greg < 0) {
        /* no ModRM (EMMS) */
    } else if (mem) {
        vh_emit(q, (uint8_t)((reg & 7) << 3 | 4));
        vh_emit(q, 0x25);
        vh_emit32(q, maddr);
    } else {
        vh_emit(q, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
    }
    if (has_imm) {
        vh_emit(q, (uint8_t)vh_rnd());
    }
    q->insn_len = q->len - q->insn_off;
    /* the flags as the next instruction sees them in the same TB (lazy flags after
     * a helper): SETcc of every condition whose flags are all defined, to memory */
    static const struct { uint8_t cc; uint32_t reads; } conds[] = {
        {0x0, CC_O}, {0x2, CC_C}, {0x4, CC_Z}, {0x6, CC_C | CC_Z}, {0x8, CC_S},
        {0xa, CC_P}, {0xc, CC_S | CC_O}, {0xe, CC_Z | CC_S | CC_O},
    };
    for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++) {
        if (!(conds[i].reads & q->undef_flags)) {
            vh_emit(q, 0x0f);
            vh_emit(q, (uint8_t)(0x90 | conds[i].cc)); /* setcc [abs32] */
            vh_emit(q, 0x04);
            vh_emit(q, 0x25);
            vh_emit32(q, (uint32_t)(VH_DATA + 0x1080 + i));
        }
    }
    vh_emit_fx(q, 0, (uint32_t)VH_OUT); /* fxsave64 */
}

/* ---- native execution ---- */
extern void vh_enter(const VhRegs *in);
extern void vh_exit(void);
VhRegs vh_out;
uint64_t vh_host_rsp;
uint32_t vh_host_mxcsr = 0x1f80;

__asm__(".text\n"
        ".globl vh_enter\n"
        "vh_enter:\n"
        "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
        "  mov %rsp, vh_host_rsp(%rip)\n"
        "  mov $0x2b, %eax\n  mov %eax, %ds\n  mov %eax, %es\n" /* flat data for 32-bit code */
        "  push 128(%rdi)\n  popfq\n"
        "  mov 0(%rdi), %rax\n  mov 8(%rdi), %rcx\n  mov 16(%rdi), %rdx\n  mov 24(%rdi), %rbx\n"
        "  mov 40(%rdi), %rbp\n  mov 48(%rdi), %rsi\n  mov 64(%rdi), %r8\n  mov 72(%rdi), %r9\n"
        "  mov 80(%rdi), %r10\n  mov 88(%rdi), %r11\n  mov 96(%rdi), %r12\n  mov 104(%rdi), %r13\n"
        "  mov 112(%rdi), %r14\n  mov 120(%rdi), %r15\n  mov 32(%rdi), %rsp\n  mov 56(%rdi), %rdi\n"
        "  jmp *vh_code_ptr(%rip)\n"
        ".globl vh_exit\n"
        "vh_exit:\n"
        "  mov %rax, vh_out+0(%rip)\n  mov %rcx, vh_out+8(%rip)\n"
        "  mov %rdx, vh_out+16(%rip)\n  mov %rbx, vh_out+24(%rip)\n"
        "  mov %rsp, vh_out+32(%rip)\n  mov %rbp, vh_out+40(%rip)\n"
        "  mov %rsi, vh_out+48(%rip)\n  mov %rdi, vh_out+56(%rip)\n"
        "  mov %r8, vh_out+64(%rip)\n  mov %r9, vh_out+72(%rip)\n"
        "  mov %r10, vh_out+80(%rip)\n  mov %r11, vh_out+88(%rip)\n"
        "  mov %r12, vh_out+96(%rip)\n  mov %r13, vh_out+104(%rip)\n"
        "  mov %r14, vh_out+112(%rip)\n  mov %r15, vh_out+120(%rip)\n"
        "  mov vh_host_rsp(%rip), %rsp\n"
        "  pushfq\n  pop vh_out+128(%rip)\n"
        "  fninit\n"
        "  ldmxcsr vh_host_mxcsr(%rip)\n"
        "  cld\n"
        "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
        "  ret\n"
        ".data\n"
        ".globl vh_code_ptr\n"
        "vh_code_ptr: .quad 0x10000000\n"
        ".text\n");

extern uint64_t vh_code_ptr;
static const VhCase *vh_current;

static void vh_on_fault(int sig)
{
    char buf[256];
    int n = snprintf(buf, sizeof(buf), "FAIL native run: signal %d on the case's code:", sig);
    for (int i = 0; vh_current && i < vh_current->len && n < 240; i++) {
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %02x", vh_current->code[i]);
    }
    buf[n++] = '\n';
    if (write(1, buf, (size_t)n) < 0) {
        _exit(3);
    }
    _exit(1);
}

static void *vh_map(uint64_t addr, uint64_t size, int prot)
{
    void *p = mmap((void *)(uintptr_t)addr, size, prot,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED || (uint64_t)(uintptr_t)p != addr) {
        perror("test-x86-vec: mmap at a fixed address");
        exit(2);
    }
    return p;
}

static uint8_t *vh_ncode, *vh_ndata;

static void vh_native_init(void)
{
    vh_ncode = vh_map(VH_CODE, 0x10000, PROT_READ | PROT_WRITE | PROT_EXEC);
    vh_ndata = vh_map(VH_DATA, VH_DATA_SIZE, PROT_READ | PROT_WRITE);
    vh_map(VH_STACK, VH_STACK_SIZE, PROT_READ | PROT_WRITE);
    uint64_t *ctrl = vh_map(VH_CTRL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
    ctrl[0] = (uint64_t)(uintptr_t)vh_exit;
    /* for 32-bit code: CTRL+0x100 jmp *CTRL (64-bit, back to the exit); CTRL+0x200
     * ljmpl *(CTRL+0x300), the far pointer VH_CODE:USER32_CS */
    uint8_t *cb = (uint8_t *)ctrl;
    uint32_t c32 = (uint32_t)VH_CTRL, fp = (uint32_t)(VH_CTRL + 0x300), code32 = (uint32_t)VH_CODE;
    uint16_t user32_cs = 0x23;
    cb[0x100] = 0xff;
    cb[0x101] = 0x24;
    cb[0x102] = 0x25;
    memcpy(cb + 0x103, &c32, 4);
    cb[0x200] = 0xff;
    cb[0x201] = 0x2c;
    cb[0x202] = 0x25;
    memcpy(cb + 0x203, &fp, 4);
    memcpy(cb + 0x300, &code32, 4);
    memcpy(cb + 0x304, &user32_cs, 2);
    signal(SIGILL, vh_on_fault);
    signal(SIGSEGV, vh_on_fault);
    signal(SIGBUS, vh_on_fault);
    signal(SIGFPE, vh_on_fault);
}

static void vh_run_native(const VhCase *q, VhResult *r)
{
    vh_current = q;
    memcpy(vh_ncode, q->code, (size_t)q->len);
    uint8_t *t = vh_ncode + q->len;
    uint32_t a = (uint32_t)VH_CTRL;
    if (q->m32) {
        /* ljmp $0x33, $CTRL+0x100: back to 64-bit code, then jmp *CTRL */
        uint32_t back = (uint32_t)(VH_CTRL + 0x100);
        t[0] = 0xea;
        memcpy(t + 1, &back, 4);
        t[5] = 0x33;
        t[6] = 0x00;
        vh_code_ptr = VH_CTRL + 0x200;
    } else {
        /* jmp *VH_CTRL */
        t[0] = 0xff;
        t[1] = 0x24;
        t[2] = 0x25;
        memcpy(t + 3, &a, 4);
        vh_code_ptr = VH_CODE;
    }
    __builtin___clear_cache((char *)vh_ncode, (char *)vh_ncode + q->len + 7);
    memcpy(vh_ndata, q->data, VH_DATA_SIZE);
    vh_enter(&q->in);
    r->regs = vh_out;
    memcpy(r->win, vh_ndata + (VH_WIN_LO - VH_DATA), sizeof(r->win));
    r->fault = -1;
    vh_current = NULL;
}

/* ---- coremu execution ---- */
static AddressSpace *vh_as;

/* one core per backend, created on first use; it lives until exit (still reachable) */
static CPUState *vh_emu_get(int idx, const TCGBackend *be)
{
    static Machine m[2];
    static CPUState *cpus[2];
    if (!cpus[idx]) {
        m[idx].as = vh_as;
        m[idx].ncpus = 1;
        cpus[idx] = cpu_create(&m[idx], &x86_cpu_class, 0, "max");
        m[idx].cpus[0] = cpus[idx];
        tb_cache_new(cpus[idx], be, 16u << 20);
    }
    return cpus[idx];
}

static void vh_run_emu(CPUState *cs, const VhCase *q, VhResult *r)
{
    CPUX86State *env = cpu_env(cs);
    uint8_t code[176];
    memcpy(code, q->code, (size_t)q->len);
    code[q->len] = 0xf4; /* hlt */
    tb_invalidate_phys_range(cs, VH_CODE, 0x1000);
    memory_rw(vh_as, VH_CODE, code, (uint64_t)q->len + 1, true);
    memory_rw(vh_as, VH_DATA, (void *)q->data, VH_DATA_SIZE, true);

    env->cr[0] = CR0_PE | CR0_ET | CR0_NE | CR0_MP;
    env->cr[4] = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    env->efer = EFER_LME | EFER_LMA | EFER_NXE;
    x86_cpu_load_seg_cache(env, R_CS, 0x10, 0, 0xffffffff,
                           DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                               DESC_W_MASK | DESC_A_MASK | (q->m32 ? DESC_B_MASK : DESC_L_MASK));
    for (int s = R_ES; s <= R_GS; s++) {
        if (s != R_CS) {
            x86_cpu_load_seg_cache(env, s, s == R_SS ? 0x18 : 0, 0, 0xffffffff,
                                   DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                                       DESC_W_MASK | DESC_A_MASK);
        }
    }
    memcpy(env->regs, q->in.r, sizeof(env->regs));
    cpu_load_eflags(env, (uint32_t)q->in.rflags, ~0u);
    x86_fpu_reset(env);
    env->mxcsr = 0x1f80;
    env->rip = VH_CODE;
    env->user_exceptions = true;
    env->last_exception = -1;
    env->hflags &= ~HF_INHIBIT_IRQ;
    x86_update_hflags(env);
    cs->halted = 0;
    cs->exception_index = EXCP_NONE;
    cs->icount_enabled = true;
    cpu_icount_set_budget(cs, 1000);
    for (int guard = 0; guard < 16; guard++) {
        int ret = cpu_exec(cs);
        if (ret == EXCP_HLT || ret == EXCP_ICOUNT || env->last_exception >= 0) {
            break;
        }
    }
    cs->halted = 0;
    memcpy(r->regs.r, env->regs, sizeof(env->regs));
    r->regs.rflags = cpu_compute_eflags(env);
    r->fault = env->last_exception;
    memory_rw(vh_as, VH_WIN_LO, r->win, sizeof(r->win), false);
}

/* ---- comparison ---- */
static bool vh_byte_ignored(uint64_t addr)
{
    uint64_t o = addr - VH_OUT;
    /* FXSAVE: FOP, FIP, FDP (6..23), MXCSR_MASK (28..31), bytes 416.. (reserved) */
    return o < 512 && ((o >= 6 && o < 24) || (o >= 28 && o < 32) || o >= 416);
}

static uint8_t vh_fetch_buf(void *opaque, uint64_t addr)
{
    return addr < 16 ? ((uint8_t *)opaque)[addr] : 0;
}

static void vh_dump(const VhCase *q)
{
    X86Insn in;
    char txt[200] = "?";
    uint8_t buf[16] = {0};
    int n = q->insn_len;
    printf("    bytes:");
    for (int i = 0; i < n; i++) {
        printf(" %02x", q->code[q->insn_off + i]);
    }
    memcpy(buf, q->code + q->insn_off, (size_t)(n < 16 ? n : 16));
    if (x86_decode(&in, q->m32 ? X86_MODE32 : X86_MODE64, 0, vh_fetch_buf, buf) == X86_DEC_OK) {
        x86_insn_format(&in, txt, sizeof(txt));
    }
    printf("   (%s)\n", txt);
}

static bool vh_compare(const VhCase *q, const VhResult *n, const VhResult *e, bool print)
{
    bool ok = true;
    if (e->fault >= 0) {
        if (print) {
            printf("    coremu raised exception %d, native ran\n", e->fault);
        }
        return false;
    }
    for (int i = 0; i < 16; i++) {
        if (n->regs.r[i] != e->regs.r[i]) {
            ok = false;
            if (print) {
                printf("    r%d: native %016llx coremu %016llx\n", i,
                       (unsigned long long)n->regs.r[i], (unsigned long long)e->regs.r[i]);
            }
        }
    }
    uint32_t fm = CC_OSZAPC & ~q->undef_flags;
    if ((n->regs.rflags & fm) != (e->regs.rflags & fm)) {
        ok = false;
        if (print) {
            printf("    flags: native %04llx coremu %04llx (compared %04x)\n",
                   (unsigned long long)(n->regs.rflags & CC_OSZAPC),
                   (unsigned long long)(e->regs.rflags & CC_OSZAPC), fm);
        }
    }
    int shown = 0;
    for (uint64_t a = VH_WIN_LO; a < VH_WIN_HI; a++) {
        size_t o = (size_t)(a - VH_WIN_LO);
        if (!vh_byte_ignored(a) && n->win[o] != e->win[o]) {
            ok = false;
            if (print && shown++ < 6) {
                uint64_t fo = a - VH_OUT;
                printf("    byte %s+%#llx: native %02x coremu %02x\n",
                       fo < 512 ? "FXSAVE" : "data", (unsigned long long)(fo < 512 ? fo : a - VH_DATA),
                       n->win[o], e->win[o]);
            }
        }
    }
    return ok;
}

/* ---- one class ---- */
typedef struct VhClass {
    const char *name;
    VhFilter *filter;
    bool fp;            /* random floating-point data and MXCSR modes */
    bool host_ok;       /* the host runs these instructions */
    const char *needs;  /* host feature, for the SKIP line */
    void (*setup)(void); /* before the class runs, or NULL */
} VhClass;

static bool vh_have_m32; /* the host runs 32-bit compatibility-mode code */

static int vh_run_class(const VhClass *k, uint64_t seed, int n)
{
    if (!k->host_ok) {
        printf("SKIP %s: the host CPU lacks %s\n", k->name, k->needs);
        return 0;
    }
    if (k->setup) {
        k->setup();
    }
    vh_collect(k->filter);
    if (!vh_ncands) {
        printf("FAIL %s: no encodings of the class in the decoder's tables\n", k->name);
        return 1;
    }
    static VhCase q;
    static VhResult nat, emu;
    int failures = 0;
    struct { const char *name; const TCGBackend *be; } bes[2] = {
        {"interp", &tcg_backend_interp}, {"jit", &tcg_backend_x86_64}};
    bool verbose = getenv("X86_VEC_VERBOSE") != NULL;
    for (int m32 = 0; m32 < 2; m32++) {
        const char *mode = m32 ? "-m32" : "";
        if (m32 && !vh_have_m32) {
            printf("SKIP %s-m32: the host cannot run 32-bit code\n", k->name);
            continue;
        }
        for (int b = 0; b < 2; b++) {
            if (!bes[b].be) {
                printf("SKIP %s%s-%s: backend not linked\n", k->name, mode, bes[b].name);
                continue;
            }
            CPUState *cs = vh_emu_get(b, bes[b].be);
            int bad = 0, cases = m32 ? n / 3 : n;
            vh_rng = seed * 0x9e3779b97f4a7c15ull + 0x1234567ull + (uint64_t)m32;
            for (int i = 0; i < cases; i++) {
                const VhCand *c = &vh_cands[vh_rn((unsigned)vh_ncands)];
                vh_gen(&q, c, k->fp, m32);
                vh_run_native(&q, &nat);
                memset(&emu, 0, sizeof(emu));
                vh_run_emu(cs, &q, &emu);
                if (!vh_compare(&q, &nat, &emu, false)) {
                    if (bad < 6) {
                        printf("  %s%s-%s: case %d differs (X86_VEC_SEED=%llu): %s\n", k->name,
                               mode, bes[b].name, i, (unsigned long long)seed,
                               x86_mnem_names[c->mnem]);
                        vh_dump(&q);
                        vh_compare(&q, &nat, &emu, true);
                    }
                    bad++;
                } else if (verbose) {
                    printf("  ok %s\n", x86_mnem_names[c->mnem]);
                }
            }
            if (bad) {
                printf("FAIL %s%s-%s: %d of %d cases differ (seed %llu)\n", k->name, mode,
                       bes[b].name, bad, cases, (unsigned long long)seed);
                failures++;
            } else {
                printf("PASS %s%s-%s: %d cases over %d encodings agree with the host\n",
                       k->name, mode, bes[b].name, cases, vh_ncands);
            }
        }
    }
    return failures;
}

static void vh_init(void)
{
    vh_native_init();
    /* can this host run 32-bit code (a kernel without IA-32 emulation marks
     * USER32_CS not present)? try a NOP in a child */
    {
        static VhCase probe;
        static VhResult pr;
        probe.m32 = true;
        probe.code[0] = 0x90;
        probe.len = 1;
        probe.in.r[4] = VH_STACK + 0x8000;
        probe.in.rflags = 0x202;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            signal(SIGSEGV, SIG_DFL);
            signal(SIGILL, SIG_DFL);
            signal(SIGBUS, SIG_DFL);
            vh_run_native(&probe, &pr);
            _exit(0);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        vh_have_m32 = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    vh_as = address_space_new("x86-vec");
    memory_map_ram(vh_as, "ram", VH_CODE, 0x400000);
}

static uint64_t vh_seed(void)
{
    const char *s = getenv("X86_VEC_SEED");
    return s ? strtoull(s, NULL, 0) : 1;
}

static int vh_n(void)
{
    const char *s = getenv("X86_VEC_N");
#ifdef __SANITIZE_ADDRESS__
    return s ? atoi(s) : 1000; /* the sanitizer build: the same classes, fewer cases */
#else
    return s ? atoi(s) : 3000;
#endif
}

/* host CPUID leaf 1 ECX / EDX and leaf 7 EBX */
static uint32_t vh_cpuid(int leaf, int reg)
{
    unsigned a, b, c, d;
    __cpuid_count(leaf, 0, a, b, c, d);
    return reg == 0 ? a : reg == 1 ? b : reg == 2 ? c : d;
}

#endif
