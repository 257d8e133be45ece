/*
 * test-x86-diff.c — differential test of the x86-64 frontend against the
 * host CPU.
 *
 * Random instruction sequences are generated from the decoder's own opcode
 * tables (target/i386/decode-tables.c: every cell whose mnemonic is in the
 * whitelist below, with random prefixes, REX bits, registers, memory
 * operands and immediates), seeded and reproducible. Each sequence runs:
 *   - natively, in a forked child: code, data and stack live at the same
 *     fixed addresses as in the guest; a small asm trampoline loads all
 *     registers, flags and XMM registers, jumps to the code, and the code
 *     ends with a jump to the trampoline's exit, which stores them back.
 *     SIGFPE/SIGSEGV/SIGILL are caught, the faulting state is recorded from
 *     the signal context and the child continues with the next sequence;
 *   - on coremu's CPU (x86_cpu_class, flat 64-bit test mode: long mode with
 *     paging off, CPL 0) through each TCG backend, ending in HLT; guest
 *     exceptions are recorded (env->user_exceptions) instead of delivered.
 * Registers, RIP at a fault, the defined arithmetic flags (undefined ones
 * are tracked per instruction from the SDM and masked), XMM registers, the
 * data window and the stack window are compared.
 *
 * Environment: X86_DIFF_SEED (default: time), X86_DIFF_N (sequences,
 * default 20000), X86_DIFF_VERBOSE=1 (print every sequence).
 * On a mismatch the seed, the sequence index and its disassembly are printed.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "exec/cputlb.h"
#include "exec/memory.h"
#include "exec/tb-cache.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "target/i386/cpu.h"
#include "target/i386/decode.h"

/* the JIT may not be linked in yet: a weak reference tells */
extern const TCGBackend tcg_backend_x86_64 __attribute__((weak));

/* ---- fixed layout, identical natively and in the guest ---- */
#define CODE_ADDR 0x10000000ull
#define CODE_SIZE 0x10000ull
#define DATA_ADDR 0x10100000ull
#define DATA_SIZE 0x2000ull      /* two pages: accesses may cross */
#define WIN_LO (DATA_ADDR + 0x800) /* compared window [WIN_LO, WIN_HI) */
#define WIN_HI (DATA_ADDR + 0x1800)
#define STACK_ADDR 0x10200000ull
#define STACK_SIZE 0x10000ull
#define STACK_TOP (STACK_ADDR + 0x8000)
#define SWIN_LO (STACK_TOP - 0x300)
#define SWIN_HI (STACK_TOP + 0x100)
#define CTRL_ADDR 0x10300000ull
#define RAM_BASE 0x10000000ull
#define RAM_SIZE 0x400000ull

#define MAX_INSNS 24
#define MAX_CODE 1024

typedef struct Ctx {
    uint64_t regs[16];
    uint64_t rflags;
    uint64_t xmm[16][2];
    uint64_t mxcsr; /* offset 392 */
    uint8_t fsave[108]; /* offset 400: x87 state (FNSAVE image) */
    uint8_t fpu_valid;  /* the x87 image was captured (not after a native fault) */
} Ctx;

typedef struct Result {
    Ctx ctx;
    uint64_t rip;
    int fault; /* 0 none; else a vector: 0 #DE, 6 #UD, 13 #GP/#PF (SIGSEGV), -1 other */
    uint8_t win[WIN_HI - WIN_LO];
    uint8_t swin[SWIN_HI - SWIN_LO];
} Result;

typedef struct Seq {
    uint8_t code[MAX_CODE];
    int len;         /* bytes before the terminator */
    int ninsn;
    uint16_t off[MAX_INSNS * 4 + 1]; /* start offset of instruction i */
    uint8_t undef_in[MAX_INSNS * 4 + 1];
    uint8_t undef_end;
    Ctx init;
    uint64_t mem_seed;
    bool m32; /* 32-bit compatibility-mode code */
} Seq;

/* ---- undefined-flag tracking: bit per flag ---- */
enum { UF_C = 1, UF_P = 2, UF_A = 4, UF_Z = 8, UF_S = 16, UF_O = 32, UF_ALL = 63 };

static uint32_t uf_to_eflags(unsigned uf)
{
    uint32_t m = 0;
    if (uf & UF_C) m |= CC_C;
    if (uf & UF_P) m |= CC_P;
    if (uf & UF_A) m |= CC_A;
    if (uf & UF_Z) m |= CC_Z;
    if (uf & UF_S) m |= CC_S;
    if (uf & UF_O) m |= CC_O;
    return m;
}

/* flags a condition code reads (Jcc encoding) */
static unsigned cc_reads(int cc)
{
    static const unsigned r[8] = {UF_O, UF_C, UF_Z, UF_C | UF_Z, UF_S, UF_P, UF_S | UF_O,
                                  UF_Z | UF_S | UF_O};
    return r[(cc >> 1) & 7];
}

/* ---- random numbers (xorshift64*) ---- */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}
static unsigned rn(unsigned n)
{
    return (unsigned)(rnd() % n);
}
static uint64_t rnd_value(void)
{
    switch (rn(10)) {
    case 0: return 0;
    case 1: return rn(256);
    case 2: return (uint64_t)-(int64_t)rn(256);
    case 3: return 0x7fffffffull + rn(3) - 1;
    case 4: return 0x80000000ull + rn(3) - 1;
    case 5: return 0x8000000000000000ull + rn(3) - 1;
    case 6: return rn(65536);
    default: return rnd();
    }
}

/* ---- candidates from the decoder's tables ---- */
typedef struct Cand {
    uint8_t map, opcode;
    int8_t greg;   /* group: ModRM.reg; -1 */
    int8_t mod3;   /* 1: register form only; 0 any */
    uint8_t mand;  /* 0, 0x66, 0xf3, 0xf2 */
    uint16_t mnem;
    uint16_t flags;
    uint16_t kinds[3];
    int nk;
} Cand;

static Cand cands_all[2][1024]; /* [0] 64-bit mode, [1] 32-bit compatibility mode */
static int ncands_all[2];
static Cand *cands;
static int ncands;
static bool gen_m32; /* generating / collecting for 32-bit code */
static bool have_compat32 = true; /* the host runs 32-bit code (USER32_CS) */

static bool whitelisted(int mn)
{
    switch (mn) {
    case MN_ADD: case MN_OR: case MN_ADC: case MN_SBB: case MN_AND: case MN_SUB:
    case MN_XOR: case MN_CMP: case MN_TEST: case MN_INC: case MN_DEC: case MN_NOT:
    case MN_NEG: case MN_MUL: case MN_IMUL: case MN_IMUL2: case MN_IMUL3: case MN_DIV:
    case MN_IDIV: case MN_ROL: case MN_ROR: case MN_RCL: case MN_RCR: case MN_SHL:
    case MN_SHR: case MN_SAL: case MN_SAR: case MN_SHLD: case MN_SHRD: case MN_BT:
    case MN_BTS: case MN_BTR: case MN_BTC: case MN_BSF: case MN_BSR: case MN_LZCNT:
    case MN_POPCNT: case MN_MOV: case MN_MOVZX: case MN_MOVSX: case MN_MOVSXD:
    case MN_LEA: case MN_XCHG: case MN_CMPXCHG: case MN_XADD: case MN_CMPXCHG8B:
    case MN_BSWAP: case MN_CBW: case MN_CWD: case MN_SETCC: case MN_CMOVCC: case MN_JCC:
    case MN_JMP: case MN_CALL: case MN_PUSH: case MN_POP: case MN_LAHF: case MN_SAHF:
    case MN_CLC: case MN_STC: case MN_CMC: case MN_NOP: case MN_MOVS: case MN_STOS:
    case MN_LODS: case MN_SCAS: case MN_CMPS: case MN_PUSHF: case MN_LOOP: case MN_LOOPE:
    case MN_LOOPNE: case MN_JRCXZ: case MN_ENTER: case MN_MFENCE: case MN_LFENCE:
    case MN_SFENCE: case MN_XLAT:
    /* SSE2 integer */
    case MN_MOVUPS: case MN_MOVUPD: case MN_MOVAPS: case MN_MOVAPD: case MN_MOVDQA:
    case MN_MOVDQU: case MN_MOVD: case MN_MOVQ: case MN_MOVD_ST: case MN_MOVQ_ST:
    case MN_MOVDQA_ST: case MN_MOVDQU_ST: case MN_MOVAPS_ST: case MN_MOVUPS_ST:
    case MN_MOVSS: case MN_MOVSD: case MN_MOVLPS: case MN_MOVHPS: case MN_MOVLPD:
    case MN_MOVHPD: case MN_MOVLPS_ST: case MN_MOVHPS_ST: case MN_MOVNTDQ: case MN_MOVNTPS:
    case MN_PXOR: case MN_POR: case MN_PAND: case MN_PANDN: case MN_XORPS: case MN_ORPS:
    case MN_ANDPS: case MN_ANDNPS: case MN_PCMPEQB: case MN_PCMPEQW: case MN_PCMPEQD:
    case MN_PCMPGTB: case MN_PCMPGTW: case MN_PCMPGTD: case MN_PMOVMSKB: case MN_MOVMSKPS:
    case MN_PMINUB: case MN_PMAXUB: case MN_PSUBB: case MN_PSUBW: case MN_PSUBD:
    case MN_PSUBQ: case MN_PADDB: case MN_PADDW: case MN_PADDD: case MN_PADDQ:
    case MN_PSUBUSB: case MN_PSUBUSW: case MN_PADDUSB: case MN_PADDUSW: case MN_PSHUFD:
    case MN_PSHUFHW: case MN_PSHUFLW: case MN_PUNPCKLBW: case MN_PUNPCKLWD:
    case MN_PUNPCKLDQ: case MN_PUNPCKLQDQ: case MN_PUNPCKHBW: case MN_PUNPCKHWD:
    case MN_PUNPCKHDQ: case MN_PUNPCKHQDQ: case MN_PSRLDQ: case MN_PSLLDQ: case MN_PSRLW:
    case MN_PSRLD: case MN_PSRLQ: case MN_PSLLW: case MN_PSLLD: case MN_PSLLQ:
    case MN_PSRAW: case MN_PSRAD: case MN_SHUFPS:
    /* SSE/SSE2 floating point */
    case MN_ADDPS: case MN_ADDPD: case MN_ADDSS: case MN_ADDSD: case MN_SUBPS: case MN_SUBPD:
    case MN_SUBSS: case MN_SUBSD: case MN_MULPS: case MN_MULPD: case MN_MULSS: case MN_MULSD:
    case MN_DIVPS: case MN_DIVPD: case MN_DIVSS: case MN_DIVSD: case MN_MINPS: case MN_MINPD:
    case MN_MINSS: case MN_MINSD: case MN_MAXPS: case MN_MAXPD: case MN_MAXSS: case MN_MAXSD:
    case MN_SQRTPS: case MN_SQRTPD: case MN_SQRTSS: case MN_SQRTSD: case MN_CVTPS2PD:
    case MN_CVTPD2PS: case MN_CVTSS2SD: case MN_CVTSD2SS: case MN_CVTDQ2PS: case MN_CVTPS2DQ:
    case MN_CVTTPS2DQ: case MN_CVTTPD2DQ: case MN_CVTDQ2PD: case MN_CVTPD2DQ:
    case MN_CVTSI2SS: case MN_CVTSI2SD: case MN_CVTTSS2SI: case MN_CVTTSD2SI:
    case MN_CVTSS2SI: case MN_CVTSD2SI: case MN_UCOMISS: case MN_UCOMISD: case MN_COMISS:
    case MN_COMISD: case MN_CMPPS: case MN_CMPPD: case MN_CMPSS: case MN_CMPSD:
    case MN_SHUFPD: case MN_MOVMSKPD:
    /* SSE2 integer ops added with MMX, SSE3, RCP/RSQRT (the host's own approximations) */
    case MN_PADDSB: case MN_PADDSW: case MN_PSUBSB: case MN_PSUBSW: case MN_PMULLW:
    case MN_PMULHW: case MN_PMULHUW: case MN_PMADDWD: case MN_PACKSSWB: case MN_PACKSSDW:
    case MN_PACKUSWB: case MN_PAVGB: case MN_PAVGW: case MN_PMINSW: case MN_PMAXSW:
    case MN_PSADBW: case MN_PMULUDQ: case MN_PINSRW: case MN_PEXTRW: case MN_ADDSUBPS:
    case MN_ADDSUBPD: case MN_HADDPS: case MN_HADDPD: case MN_HSUBPS: case MN_HSUBPD:
    case MN_MOVSLDUP: case MN_MOVSHDUP: case MN_MOVDDUP: case MN_LDDQU: case MN_RCPPS:
    case MN_RCPSS: case MN_RSQRTPS: case MN_RSQRTSS:
    /* 0F 38 / 0F 3A: SSSE3, SSE4.1, SSE4.2, PCLMULQDQ, AES; MOVBE, CRC32, ADX */
    case MN_PSHUFB: case MN_PHADDW: case MN_PHADDD: case MN_PHADDSW: case MN_PMADDUBSW:
    case MN_PHSUBW: case MN_PHSUBD: case MN_PHSUBSW: case MN_PSIGNB: case MN_PSIGNW:
    case MN_PSIGND: case MN_PMULHRSW: case MN_PABSB: case MN_PABSW: case MN_PABSD:
    case MN_PALIGNR: case MN_PBLENDVB: case MN_BLENDVPS: case MN_BLENDVPD: case MN_PTEST:
    case MN_PMOVSXBW: case MN_PMOVSXBD: case MN_PMOVSXBQ: case MN_PMOVSXWD: case MN_PMOVSXWQ:
    case MN_PMOVSXDQ: case MN_PMOVZXBW: case MN_PMOVZXBD: case MN_PMOVZXBQ: case MN_PMOVZXWD:
    case MN_PMOVZXWQ: case MN_PMOVZXDQ: case MN_PMULDQ: case MN_PCMPEQQ: case MN_PACKUSDW:
    case MN_PCMPGTQ: case MN_PMINSB: case MN_PMINSD: case MN_PMINUW: case MN_PMINUD:
    case MN_PMAXSB: case MN_PMAXSD: case MN_PMAXUW: case MN_PMAXUD: case MN_PMULLD:
    case MN_PHMINPOSUW: case MN_ROUNDPS: case MN_ROUNDPD: case MN_ROUNDSS: case MN_ROUNDSD:
    case MN_BLENDPS: case MN_BLENDPD: case MN_PBLENDW: case MN_PEXTRB: case MN_PEXTRD:
    case MN_EXTRACTPS: case MN_PINSRB: case MN_INSERTPS: case MN_PINSRD: case MN_DPPS:
    case MN_DPPD: case MN_MPSADBW: case MN_PCMPESTRM: case MN_PCMPESTRI: case MN_PCMPISTRM:
    case MN_PCMPISTRI: case MN_PCLMULQDQ: case MN_AESENC: case MN_AESENCLAST: case MN_AESDEC:
    case MN_AESDECLAST: case MN_AESIMC: case MN_AESKEYGENASSIST: case MN_MOVBE: case MN_CRC32:
    case MN_ADCX: case MN_ADOX:
    /* legacy-mode only (32-bit sequences) */
    case MN_DAA: case MN_DAS: case MN_AAA: case MN_AAS: case MN_AAM: case MN_AAD:
    case MN_SALC: case MN_PUSHA: case MN_POPA:
    case MN_RET: case MN_POPF: case MN_FPU:
        return true;
    default:
        return false;
    }
}

static void add_cand(uint8_t map, uint8_t op, int greg, int mod3, uint8_t mand,
                     const X86OpEntry *e, const X86OpEntry *cell, uint16_t flags)
{
    if (!whitelisted(e->mnem) || ncands >= (int)(sizeof(cands_all[0]) / sizeof(cands_all[0][0]))) {
        return;
    }
    if (gen_m32 ? (flags & X86F_O64) != 0 : (flags & X86F_I64) != 0) {
        return;
    }
    if (flags & X86F_MMX) {
        return; /* MMX forms: test-x86-diff-mmx.c */
    }
    /* indirect branches and sreg pushes are excluded; FF /2 /4 have E operands */
    if ((e->mnem == MN_CALL || e->mnem == MN_JMP) && OPK_METHOD(e->op[0]) == A_E) {
        return;
    }
    if ((e->mnem == MN_PUSH || e->mnem == MN_POP) && !e->op[0] && !(cell && cell->op[0])) {
        return;
    }
    Cand *c = &cands[ncands++];
    memset(c, 0, sizeof(*c));
    c->map = map;
    c->opcode = op;
    c->greg = (int8_t)greg;
    c->mod3 = (int8_t)mod3;
    c->mand = mand;
    c->mnem = e->mnem;
    c->flags = flags;
    const uint16_t *k = e->op;
    if (!e->op[0] && cell && cell != e) {
        k = cell->op;
    }
    int n = 0;
    while (n < 3 && k[n]) {
        c->kinds[n] = k[n];
        n++;
    }
    if ((flags & X86F_OP1) && n > 1) {
        n = 1;
    }
    c->nk = n;
}

static void collect_map(uint8_t map, const X86OpEntry *tab)
{
    for (int op = 0; op < 256; op++) {
        const X86OpEntry *e = &tab[op];
        if (map == X86_MAP_1B && (op == 0x0f)) {
            continue;
        }
        if (e->flags & X86F_GROUP) {
            for (int r = 0; r < 8; r++) {
                const X86OpEntry *g = &x86_groups[e->ext][0][r];
                add_cand(map, (uint8_t)op, r, 0, 0, g, e, (uint16_t)((e->flags & ~X86F_GROUP) | g->flags));
                const X86OpEntry *g3 = &x86_groups[e->ext][1][r];
                if (g3->mnem != MN_INVALID) {
                    /* register-only group forms: the SSE shift groups need 66 */
                    uint8_t mand = (map == X86_MAP_0F && op >= 0x71 && op <= 0x73) ? 0x66 : 0;
                    add_cand(map, (uint8_t)op, r, 1, mand, g3, e,
                             (uint16_t)((e->flags & ~X86F_GROUP) | g3->flags));
                }
            }
        } else if (e->flags & X86F_SSE) {
            static const uint8_t pfx[4] = {0, 0x66, 0xf3, 0xf2};
            for (int col = 0; col < 4; col++) {
                const X86OpEntry *s = &x86_sse[e->ext][col];
                if (s->mnem != MN_INVALID) {
                    add_cand(map, (uint8_t)op, -1, 0, pfx[col], s, NULL, s->flags);
                }
            }
        } else if (e->mnem != MN_INVALID) {
            add_cand(map, (uint8_t)op, -1, 0, 0, e, NULL, e->flags);
        }
    }
}

/* ---- the encoder ---- */
typedef struct Gen {
    Seq *q;
    unsigned undef;            /* flags undefined now */
    unsigned pending[MAX_INSNS * 4 + 2]; /* undefined flags flowing into insn i by jumps */
    struct { int at, size, src_end, target; } fix[MAX_INSNS * 2];
    int nfix;
} Gen;

static bool is_gpr_kind(uint16_t k)
{
    X86AddrMethod m = OPK_METHOD(k);
    return m == A_E || m == A_G || m == A_Z || m == A_R;
}

static int pick_reg(bool gpr)
{
    for (;;) {
        int r = (int)rn(gen_m32 ? 8 : 16);
        if (!gpr || r != 4) {
            return r;
        }
    }
}

static void emit(Gen *g, uint8_t b)
{
    g->q->code[g->q->len++] = b;
}

static void emit_le(Gen *g, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        emit(g, (uint8_t)(v >> (8 * i)));
    }
}

static void begin_insn(Gen *g)
{
    Seq *q = g->q;
    q->off[q->ninsn] = (uint16_t)q->len;
    g->undef |= g->pending[q->ninsn];
    q->undef_in[q->ninsn] = (uint8_t)g->undef;
}

static void end_insn(Gen *g)
{
    g->q->ninsn++;
}

/* mov $imm32, %r32 (B8+r) */
static void emit_mov_imm32(Gen *g, int reg, uint32_t v)
{
    begin_insn(g);
    if (reg >= 8) {
        emit(g, 0x41);
    }
    emit(g, (uint8_t)(0xb8 + (reg & 7)));
    emit_le(g, v, 4);
    end_insn(g);
}

typedef struct Sem {
    unsigned reads, undef_after, defined_after;
    bool ok;
} Sem;

/* flag semantics of one generated instruction (SDM flag tables) */
static Sem flag_sem(const Cand *c, int opsize_bytes, bool count_is_imm, int count, int cc)
{
    Sem s = {0, 0, 0, true};
    int bits = opsize_bytes * 8;
    switch (c->mnem) {
    case MN_ADD: case MN_SUB: case MN_CMP: case MN_NEG: case MN_CMPXCHG: case MN_XADD:
    case MN_SCAS: case MN_CMPS:
        s.defined_after = UF_ALL;
        break;
    case MN_ADC: case MN_SBB:
        s.reads = UF_C;
        s.defined_after = UF_ALL;
        break;
    case MN_AND: case MN_OR: case MN_XOR: case MN_TEST:
        s.defined_after = UF_ALL & ~UF_A;
        s.undef_after = UF_A;
        break;
    case MN_INC: case MN_DEC:
        s.defined_after = UF_ALL & ~UF_C;
        break;
    case MN_MUL: case MN_IMUL: case MN_IMUL2: case MN_IMUL3:
        s.defined_after = UF_C | UF_O;
        s.undef_after = UF_S | UF_Z | UF_A | UF_P;
        break;
    case MN_DIV: case MN_IDIV:
        s.undef_after = UF_ALL;
        break;
    case MN_SHL: case MN_SAL: case MN_SHR: case MN_SAR:
        if (!count_is_imm) {
            s.undef_after = UF_O | UF_A | (bits < 32 && c->mnem != MN_SAR ? UF_C : 0);
        } else {
            int m = count & (bits == 64 ? 63 : 31);
            if (m == 0) {
                break;
            }
            s.defined_after = UF_ALL & ~UF_A;
            s.undef_after = UF_A;
            if (m != 1) {
                s.undef_after |= UF_O;
                s.defined_after &= ~UF_O;
            }
            if (m >= bits && c->mnem != MN_SAR) {
                s.undef_after |= UF_C;
                s.defined_after &= ~UF_C;
            }
        }
        break;
    case MN_ROL: case MN_ROR: case MN_RCL: case MN_RCR:
        if (c->mnem == MN_RCL || c->mnem == MN_RCR) {
            s.reads = UF_C;
        }
        if (!count_is_imm) {
            s.undef_after = UF_O;
        } else {
            int m = count & (bits == 64 ? 63 : 31);
            if (m == 0) {
                break;
            }
            s.defined_after = UF_C | (m == 1 ? UF_O : 0);
            s.undef_after = m == 1 ? 0 : UF_O;
        }
        break;
    case MN_SHLD: case MN_SHRD:
        if (!count_is_imm) {
            s.undef_after = UF_O | UF_A;
        } else {
            int m = count & (bits == 64 ? 63 : 31);
            if (m == 0) {
                break;
            }
            s.defined_after = UF_ALL & ~UF_A;
            s.undef_after = UF_A;
            if (m != 1) {
                s.undef_after |= UF_O;
                s.defined_after &= ~UF_O;
            }
        }
        break;
    case MN_BT: case MN_BTS: case MN_BTR: case MN_BTC:
        s.defined_after = UF_C;
        s.undef_after = UF_O | UF_S | UF_A | UF_P;
        break;
    case MN_BSF: case MN_BSR:
        s.defined_after = UF_Z;
        s.undef_after = UF_ALL & ~UF_Z;
        break;
    case MN_LZCNT:
        s.defined_after = UF_Z | UF_C;
        s.undef_after = UF_O | UF_S | UF_A | UF_P;
        break;
    case MN_POPCNT: case MN_UCOMISS: case MN_UCOMISD: case MN_COMISS: case MN_COMISD:
    case MN_PTEST: case MN_PCMPESTRM: case MN_PCMPESTRI: case MN_PCMPISTRM: case MN_PCMPISTRI:
        s.defined_after = UF_ALL;
        break;
    case MN_ADCX:
        s.reads = UF_C;
        s.defined_after = UF_C;
        break;
    case MN_ADOX:
        s.reads = UF_O;
        s.defined_after = UF_O;
        break;
    case MN_CMPXCHG8B:
        s.defined_after = UF_Z;
        break;
    case MN_DAA: case MN_DAS:
        s.reads = UF_C | UF_A;
        s.defined_after = UF_ALL & ~UF_O;
        s.undef_after = UF_O;
        break;
    case MN_AAA: case MN_AAS:
        s.reads = UF_A;
        s.defined_after = UF_A | UF_C;
        s.undef_after = UF_O | UF_S | UF_Z | UF_P;
        break;
    case MN_AAM: case MN_AAD:
        s.defined_after = UF_S | UF_Z | UF_P;
        s.undef_after = UF_O | UF_A | UF_C;
        break;
    case MN_SALC:
        s.reads = UF_C;
        break;
    case MN_SETCC: case MN_CMOVCC: case MN_JCC:
        s.reads = cc_reads(cc);
        break;
    case MN_LOOPE: case MN_LOOPNE:
        s.reads = UF_Z;
        break;
    case MN_LAHF:
        s.reads = UF_S | UF_Z | UF_A | UF_P | UF_C;
        break;
    case MN_SAHF:
        s.defined_after = UF_S | UF_Z | UF_A | UF_P | UF_C;
        break;
    case MN_PUSHF:
        s.reads = UF_ALL;
        break;
    case MN_CLC: case MN_STC:
        s.defined_after = UF_C;
        break;
    case MN_CMC:
        s.reads = UF_C;
        s.defined_after = UF_C;
        break;
    default:
        break;
    }
    return s;
}

static bool is_branch(int mn)
{
    return mn == MN_JCC || mn == MN_JMP || mn == MN_CALL || mn == MN_LOOP ||
           mn == MN_LOOPE || mn == MN_LOOPNE || mn == MN_JRCXZ;
}

static bool needs_align16(int mn)
{
    switch (mn) {
    case MN_MOVUPS: case MN_MOVUPD: case MN_MOVDQU: case MN_MOVDQU_ST: case MN_MOVUPS_ST:
    case MN_MOVSS: case MN_MOVSD: case MN_MOVLPS: case MN_MOVHPS: case MN_MOVLPD:
    case MN_MOVHPD: case MN_MOVLPS_ST: case MN_MOVHPS_ST: case MN_MOVD: case MN_MOVQ:
    case MN_MOVD_ST: case MN_MOVQ_ST:
        return false;
    default:
        return true;
    }
}

/* Try to generate one instruction from candidate c; false to pick another. */
static bool gen_one(Gen *g, const Cand *c)
{
    Seq *q = g->q;
    int mn = c->mnem;
    bool sse = mn >= MN_MOVUPS;
    bool string = mn == MN_MOVS || mn == MN_STOS || mn == MN_LODS || mn == MN_SCAS ||
                  mn == MN_CMPS;

    /* prefixes and sizes */
    bool p66 = false, p67 = false, lock = false;
    uint8_t rex = 0;
    uint8_t rep = 0;
    /* 66 on near branches: Intel ignores it in 64-bit mode, AMD truncates rip */
    if (!sse && rn(4) == 0 && !(c->flags & X86F_F64)) {
        p66 = true;
    }
    if (rn(8) == 0 && !gen_m32) {
        p67 = true; /* (in 32-bit code 67 selects 16-bit ModRM forms: not generated) */
    }
    if (rn(3) != 0 && !gen_m32) {
        rex = (uint8_t)(0x40 | rn(16));
    }
    if (mn == MN_NOP && c->map == X86_MAP_1B) {
        rex &= ~1; /* 0x90 with REX.B is XCHG r8, rax: generated as XCHG */
    }
    if (string && rn(2)) {
        rep = rn(2) ? 0xf3 : 0xf2;
    }
    int opsize;
    if (gen_m32) {
        opsize = p66 ? 2 : 4;
    } else if (c->flags & X86F_F64) {
        opsize = 8;
    } else if (c->flags & X86F_D64) {
        opsize = (rex & 8) || !p66 ? 8 : 2; /* REX.W beats 66 */
    } else {
        opsize = (rex & 8) ? 8 : p66 ? 2 : 4;
    }
    /* operand sizes per kind (for immediates and semantics) */
    bool has_modrm = c->greg >= 0 || (c->flags & (X86F_MODRM | X86F_SSE)) || c->mand || sse;
    bool has_mem_kind = false, mem_only = false;
    for (int k = 0; k < c->nk; k++) {
        X86AddrMethod m = OPK_METHOD(c->kinds[k]);
        if (m == A_E || m == A_G || m == A_M || m == A_R || m == A_V || m == A_W ||
            m == A_U) {
            has_modrm = true;
        }
        if (m == A_E || m == A_M || m == A_W) {
            has_mem_kind = true;
        }
        if (m == A_M) {
            mem_only = true;
        }
    }
    if (c->map == X86_MAP_1B && c->greg < 0 && !c->nk) {
        has_modrm = false;
    }
    if (c->map == X86_MAP_0F && (c->opcode == 0xae)) {
        has_modrm = true; /* fences: 0F AE /5-/7 with mod=3 */
    }
    bool mem = has_mem_kind && (mem_only || rn(2) == 0) && c->mod3 != 1;
    if (c->map == X86_MAP_0F && c->opcode == 0xae) {
        mem = false;
    }
    if (mn == MN_CMPXCHG8B) {
        mem = true;
    }
    /* bit-string forms with a register offset and memory: the offset register is
     * loaded with a small value just before (else the access would reach far away) */
    bool bitstring = (mn == MN_BT || mn == MN_BTS || mn == MN_BTR || mn == MN_BTC) &&
                     OPK_METHOD(c->kinds[1]) == A_G && mem;
    if (mem && rn(3) == 0 && (c->flags & X86F_LOCK)) {
        lock = true;
    }
    int group_first = q->ninsn; /* setup instructions + this one form a group */
    if (mn == MN_XLAT) {
        emit_mov_imm32(g, 3, (uint32_t)(DATA_ADDR + 0x1000 - 128));
    }
    if (mn == MN_ENTER) {
        p66 = false;
        opsize = gen_m32 ? 4 : 8;
    }
    if (string) {
        int n = (int)rn(12) + ((mn == MN_SCAS || mn == MN_CMPS) ? 1 : 0);
        emit_mov_imm32(g, 6, (uint32_t)(DATA_ADDR + 0x1000 - 256 + rn(64) * 4));
        emit_mov_imm32(g, 7, (uint32_t)(DATA_ADDR + 0x1000 - 200 + rn(64) * 4));
        emit_mov_imm32(g, 1, (uint32_t)n);
        if (rep == 0 && rn(2)) {
            rep = 0xf3;
        }
    }

    /* choose the operands */
    int reg = c->greg >= 0 ? c->greg : -1, rm = -1;
    int count = 0;
    bool count_imm = false;
    int cc = (c->flags & X86F_CC) ? (c->opcode & 15) : 0;
    for (int k = 0; k < c->nk; k++) {
        X86AddrMethod m = OPK_METHOD(c->kinds[k]);
        bool gpr = is_gpr_kind(c->kinds[k]);
        if ((m == A_G || m == A_V) && reg < 0) {
            reg = pick_reg(gpr || m == A_G);
        } else if ((m == A_E || m == A_W || m == A_U || m == A_R) && !mem) {
            rm = pick_reg(gpr);
        }
        if (m == A_CX) {
            count_imm = false;
        }
        if (m == A_ONE) {
            count_imm = true;
            count = 1;
        }
    }
    if (has_modrm && reg < 0) {
        reg = pick_reg(true);
    }
    if (has_modrm && rm < 0 && !mem) {
        rm = pick_reg(true);
    }
    /* the Z-kind register lives in the opcode */
    uint8_t opcode = c->opcode;
    if (c->nk && OPK_METHOD(c->kinds[0]) == A_Z && ((opcode & 7) == 4) && !(rex & 1)) {
        return false; /* rsp / spl */
    }
    if (mn == MN_NOP && c->map == X86_MAP_1B && opcode != 0x90) {
        return false;
    }
    if ((mn == MN_XCHG) && c->map == X86_MAP_1B && (opcode & 0xf8) == 0x90 &&
        (opcode & 7) == 4 && !(rex & 1)) {
        return false;
    }
    /* REX bits must match the register numbers */
    if (has_modrm) {
        rex = (uint8_t)((rex & ~5) | ((reg >> 3) & 1) << 2);
        if (!mem) {
            rex |= (uint8_t)((rm >> 3) & 1);
        }
        if (mem) {
            rex &= ~3; /* REX.X/B only for the base+index form, set below */
        }
        if ((rex & 0xf) == 0 && rn(2)) {
            rex = 0; /* sometimes no REX at all (AH..BH for byte operands) */
        }
    }
    if (rex & 0xf) {
        rex |= 0x40;
    } else if (rex && rn(2)) {
        rex = 0;
    }
    if (gen_m32) {
        rex = 0;
    }
    if (sse && rex) {
        /* REX.W changes MOVD to MOVQ: fine; keep */
    }
    /* the memory operand: absolute [disp32], [rip+disp32], or [base+index*scale+disp32]
     * with base and index loaded by setup instructions just before */
    int mform = -1, breg = -1, xreg = -1, scale = 0;
    int32_t mdisp = 0;
    uint64_t maddr = 0;
    if (mem && !(c->map == X86_MAP_0F && c->opcode == 0xae)) {
        bool m128 = false;
        for (int k = 0; k < c->nk; k++) {
            X86AddrMethod m = OPK_METHOD(c->kinds[k]);
            if ((m == A_W || m == A_M) && OPK_SIZE(c->kinds[k]) == S_x) {
                m128 = true;
            }
        }
        unsigned align = (m128 && needs_align16(mn)) ? 16
                       : mn == MN_CMPXCHG8B && (rex & 8) ? 16 : 1;
        if (rn(64) == 0) {
            align = 1; /* now and then a misaligned one: #GP on both sides */
        }
        maddr = WIN_LO + 64 + rn((unsigned)(WIN_HI - WIN_LO - 160));
        if (rn(4) == 0) {
            maddr = DATA_ADDR + 0x1000 - rn(17); /* crossing the page boundary */
        }
        maddr &= ~(uint64_t)(align - 1);
        mform = (int)rn(3);
        if (mform == 2) {
            breg = pick_reg(true);
            do {
                xreg = pick_reg(true);
            } while (xreg == breg);
            scale = (int)rn(4);
            uint64_t x = rn(32);
            mdisp = (int32_t)rn(512) - 256;
            uint64_t b = maddr - (x << scale) - (uint64_t)(int64_t)mdisp;
            emit_mov_imm32(g, xreg, (uint32_t)x);
            emit_mov_imm32(g, breg, (uint32_t)b);
            if (!gen_m32) {
                rex = (uint8_t)(rex | 0x40 | ((xreg >> 3) << 1) | (breg >> 3));
            }
        }
    }
    /* recompute the operand size after REX edits */
    if (gen_m32) {
        opsize = p66 ? 2 : 4;
    } else if (!(c->flags & (X86F_F64 | X86F_D64))) {
        opsize = (rex & 8) ? 8 : p66 ? 2 : 4;
    } else if (c->flags & X86F_D64) {
        opsize = (rex & 8) || !p66 ? 8 : 2;
    }
    if (mn == MN_ENTER) {
        opsize = gen_m32 ? 4 : 8;
    }
    if (has_modrm && !mem && rex == 0) {
        /* byte registers 4..7 without REX are AH..BH: fine; 4 excluded by pick_reg */
    }
    /* byte operand on register 4-7 with REX would be SPL..DIL: rsp low byte is excluded */

    /* immediates */
    uint64_t imms[3] = {0};
    int imm_n[3] = {0};
    for (int k = 0; k < c->nk; k++) {
        X86AddrMethod m = OPK_METHOD(c->kinds[k]);
        X86SizeCode sz = OPK_SIZE(c->kinds[k]);
        int n = 0;
        if (m == A_I) {
            n = sz == S_b ? 1 : sz == S_w ? 2 : sz == S_z ? (opsize == 2 ? 2 : 4)
              : sz == S_v ? opsize : 4;
        } else if (m == A_IS) {
            n = 1;
        } else if (m == A_J) {
            n = sz == S_b ? 1 : 4;
        } else if (m == A_O) {
            n = gen_m32 ? 4 : p67 ? 4 : 8;
        }
        imm_n[k] = n;
        imms[k] = rnd_value();
        if ((mn >= MN_ROL && mn <= MN_SAR) && k == 1 && m == A_I) {
            imms[k] = rn(70);
            count = (int)imms[k];
            count_imm = true;
        }
        if ((mn == MN_SHLD || mn == MN_SHRD) && k == 2) {
            if (m == A_I) {
                imms[k] = rn(opsize == 2 ? 17 : 70);
                count = (int)imms[k];
                count_imm = true;
            } else if (opsize == 2) {
                return false; /* 16-bit SHLD by CL: results undefined above 16 */
            }
        }
        if (mn == MN_ENTER) {
            imms[0] = rn(64) * 8;
            imms[1] = 0;
        }
        if ((mn == MN_AAM || mn == MN_AAD) && rn(16)) {
            imms[0] = 10 + rn(6); /* AAM 0 is #DE: rare */
        }
    }
    if ((mn == MN_SHLD || mn == MN_SHRD) && opsize == 2 && count_imm && count > 16) {
        return false;
    }

    /* flags */
    int width = 0;
    for (int k = 0; k < c->nk; k++) {
        X86SizeCode sz = OPK_SIZE(c->kinds[k]);
        if (sz == S_b) {
            width = width ? width : 1;
        } else if (sz == S_v || sz == S_y || sz == S_z) {
            width = width ? width : (sz == S_y && opsize != 8 ? 4 : opsize);
        }
    }
    if (!width) {
        width = opsize;
    }
    if (mn >= MN_ROL && mn <= MN_SAR && OPK_SIZE(c->kinds[0]) == S_b) {
        width = 1;
    }
    Sem s = flag_sem(c, width, count_imm, count, cc);
    if (s.reads & (g->undef | g->pending[q->ninsn])) {
        return false; /* would read a flag an earlier instruction left undefined */
    }

    if (bitstring) {
        if (mform == 2 && (reg == breg || reg == xreg)) {
            return false;
        }
        emit_mov_imm32(g, reg, rn(1024));
    }

    /* branches: forward targets */
    int target = -1;
    if (is_branch(mn)) {
        target = q->ninsn + 1 + (int)rn(3);
    }

    /* ---- emit ---- */
    begin_insn(g);
    int start = q->len;
    if (rn(10) == 0) {
        static const uint8_t segs[4] = {0x26, 0x36, 0x3e, 0x2e};
        /* ignored in 64-bit mode; real in 32-bit code, where CS is not writable
         * (segment rights are not modelled yet) */
        emit(g, segs[rn(gen_m32 ? 3 : 4)]);
    }
    if (lock) {
        emit(g, 0xf0);
    }
    if (p66 && c->mand != 0x66) {
        emit(g, 0x66);
    }
    if (p67) {
        emit(g, 0x67);
    }
    if (rep) {
        emit(g, rep);
    }
    if (c->mand) {
        emit(g, c->mand);
    }
    if (rex) {
        emit(g, rex);
    }
    if (c->map != X86_MAP_1B) {
        emit(g, 0x0f);
        if (c->map == X86_MAP_0F38) {
            emit(g, 0x38);
        } else if (c->map == X86_MAP_0F3A) {
            emit(g, 0x3a);
        }
    }
    emit(g, opcode);
    int disp_at = -1;
    if (has_modrm) {
        if (c->map == X86_MAP_0F && c->opcode == 0xae) {
            emit(g, (uint8_t)(0xc0 | (c->greg << 3)));
        } else if (mem) {
            if (mform == 2) {
                emit(g, (uint8_t)(0x80 | ((reg & 7) << 3) | 4));
                emit(g, (uint8_t)((scale << 6) | ((xreg & 7) << 3) | (breg & 7)));
                emit_le(g, (uint32_t)mdisp, 4);
            } else if (mform == 1) {
                emit(g, (uint8_t)(((reg & 7) << 3) | 4));
                emit(g, 0x25);
                emit_le(g, maddr, 4);
            } else if (gen_m32) {
                emit(g, (uint8_t)(((reg & 7) << 3) | 5)); /* [disp32] in 32-bit code */
                emit_le(g, maddr, 4);
            } else {
                emit(g, (uint8_t)(((reg & 7) << 3) | 5));
                disp_at = q->len;
                emit_le(g, 0, 4);
            }
        } else {
            emit(g, (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7)));
        }
    }
    for (int k = 0; k < c->nk; k++) {
        if (!imm_n[k]) {
            continue;
        }
        X86AddrMethod m = OPK_METHOD(c->kinds[k]);
        if (m == A_J) {
            if (g->nfix < (int)(sizeof(g->fix) / sizeof(g->fix[0]))) {
                g->fix[g->nfix].at = q->len;
                g->fix[g->nfix].size = imm_n[k];
                g->fix[g->nfix].target = target;
                g->fix[g->nfix].src_end = -1;
                g->nfix++;
            }
            emit_le(g, 0, imm_n[k]);
        } else if (m == A_O) {
            uint64_t a = WIN_LO + 64 + rn((unsigned)(WIN_HI - WIN_LO - 160));
            emit_le(g, a, imm_n[k]);
        } else {
            emit_le(g, imms[k], imm_n[k]);
        }
    }
    if (disp_at >= 0) {
        uint64_t end = CODE_ADDR + (uint64_t)q->len;
        uint32_t d = (uint32_t)(maddr - end);
        memcpy(&q->code[disp_at], &d, 4);
    }
    if (target >= 0 && g->nfix) {
        g->fix[g->nfix - 1].src_end = q->len;
    }

    if (q->len - start > 15) {
        return false; /* over the architectural limit */
    }
    /* flag state after */
    g->undef = (g->undef | s.undef_after) & ~s.defined_after;
    /* a jump into the middle of a setup group would skip the setup: retarget it to
     * the instruction after the group, carrying its flag state along */
    for (int x = group_first + 1; x <= q->ninsn; x++) {
        for (int f = 0; f < g->nfix; f++) {
            if (g->fix[f].target == x) {
                g->fix[f].target = q->ninsn + 1;
                g->pending[q->ninsn + 1] |= g->pending[x];
            }
        }
    }
    if (target >= 0 && target < (int)(sizeof(g->pending) / sizeof(g->pending[0]))) {
        g->pending[target] |= g->undef;
    }
    end_insn(g);
    return true;
}

/* RET / RET imm16: mov $after_ret, %r; push %r; ret — a forward return */
static bool gen_ret(Gen *g, const Cand *c)
{
    Seq *q = g->q;
    int r;
    do {
        r = (int)rn(8);
    } while (r == 4);
    int group_first = q->ninsn;
    int retlen = c->nk ? 3 : 1;
    uint64_t after = CODE_ADDR + (uint64_t)q->len + 5 + 1 + (uint64_t)retlen;
    emit_mov_imm32(g, r, (uint32_t)after);
    begin_insn(g);
    emit(g, (uint8_t)(0x50 + r));
    end_insn(g);
    begin_insn(g);
    emit(g, c->opcode);
    if (c->nk) {
        emit_le(g, rn(8) * (gen_m32 ? 4 : 8), 2);
    }
    /* jumps into the group would skip the push: send them past the RET */
    for (int x = group_first + 1; x <= q->ninsn; x++) {
        for (int f = 0; f < g->nfix; f++) {
            if (g->fix[f].target == x) {
                g->fix[f].target = q->ninsn + 1;
                g->pending[q->ninsn + 1] |= g->pending[x];
            }
        }
    }
    end_insn(g);
    return true;
}

/* POPF of a known-safe image: push $flags; popf (IF stays 1, IOPL 0, no TF/AC,
 * so CPL 0 in the emulator and CPL 3 natively agree) */
static bool gen_popf(Gen *g, const Cand *c)
{
    Seq *q = g->q;
    int group_first = q->ninsn;
    uint32_t v = 0x202 | ((uint32_t)rnd() & CC_OSZAPC) | (rn(4) == 0 ? DF_MASK : 0);
    begin_insn(g);
    emit(g, 0x68);
    emit_le(g, v, 4);
    end_insn(g);
    begin_insn(g);
    emit(g, 0x9d);
    g->undef = 0; /* every arithmetic flag comes from the image */
    for (int x = group_first + 1; x <= q->ninsn; x++) {
        for (int f = 0; f < g->nfix; f++) {
            if (g->fix[f].target == x) {
                g->fix[f].target = q->ninsn + 1;
                g->pending[q->ninsn + 1] |= g->pending[x];
            }
        }
    }
    end_insn(g);
    (void)c;
    return true;
}

/* x87 forms defined by the SDM (same rule as target/i386/fpu_helper.c) */
static bool x87_reg_form_ok(int esc, int modrm)
{
    switch (esc) {
    case 0: return true;
    case 4: return modrm < 0xd0 || modrm >= 0xe0;
    case 1: return modrm < 0xd1 || modrm == 0xe0 || modrm == 0xe1 || modrm == 0xe4 ||
                   modrm == 0xe5 || (modrm >= 0xe8 && modrm <= 0xee) || modrm >= 0xf0;
    case 2: return modrm < 0xe0 || modrm == 0xe9;
    case 3: return modrm < 0xe0 || modrm == 0xe2 || modrm == 0xe3 ||
                   (modrm >= 0xe8 && modrm < 0xf8);
    case 5: return modrm < 0xc8 || (modrm >= 0xd0 && modrm < 0xf0);
    case 6: return modrm < 0xd0 || modrm == 0xd9 || modrm >= 0xe0;
    default: return modrm == 0xe0 || (modrm >= 0xe8 && modrm < 0xf8);
    }
}

/* one x87 instruction: a register form, or a memory form on the data window;
 * never FLDENV/FLDCW/FRSTOR (could unmask exceptions) nor FNSTENV/FNSAVE (they
 * store instruction pointers, which differ) */
static bool gen_x87(Gen *g, const Cand *c)
{
    Seq *q = g->q;
    int esc = c->opcode & 7;
    int modrm;
    unsigned reads = 0, defines = 0;
    if (rn(2)) {
        do {
            modrm = 0xc0 | (int)rn(64);
        } while (!x87_reg_form_ok(esc, modrm));
        if ((esc == 2 || esc == 3) && modrm < 0xe0) {
            static const unsigned rd[4] = {UF_C, UF_Z, UF_C | UF_Z, UF_P}; /* FCMOVcc */
            reads = rd[(modrm >> 3) & 3];
        }
        if ((esc == 3 || esc == 7) && modrm >= 0xe8 && modrm < 0xf8) {
            defines = UF_ALL; /* FCOMI, FUCOMI(P) */
        }
    } else {
        int reg = (int)rn(8);
        if ((esc == 1 && (reg == 1 || reg >= 4)) || (esc == 3 && (reg == 4 || reg == 6)) ||
            (esc == 5 && (reg == 4 || reg == 5 || reg == 6))) {
            return false;
        }
        modrm = (reg << 3) | 4; /* [disp32] through a SIB with no base/index */
    }
    if (reads & (g->undef | g->pending[q->ninsn])) {
        return false;
    }
    begin_insn(g);
    emit(g, c->opcode);
    emit(g, (uint8_t)modrm);
    if (modrm < 0xc0) {
        uint64_t a = WIN_LO + 64 + rn((unsigned)(WIN_HI - WIN_LO - 160));
        emit(g, 0x25);
        emit_le(g, a, 4);
    }
    g->undef &= ~defines;
    end_insn(g);
    return true;
}

static void gen_seq(Seq *q, uint64_t seed, int n)
{
    Gen g;
    memset(&g, 0, sizeof(g));
    memset(q, 0, sizeof(*q));
    g.q = q;
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    q->m32 = have_compat32 && rn(4) == 0;
    gen_m32 = q->m32;
    cands = cands_all[q->m32];
    ncands = ncands_all[q->m32];
    for (int i = 0; i < 16; i++) {
        q->init.regs[i] = rnd_value();
    }
    q->init.regs[4] = STACK_TOP;
    q->init.rflags = 0x202 | (rnd() & (CC_OSZAPC)) | (rn(8) == 0 ? DF_MASK : 0);
    for (int i = 0; i < 16; i++) {
        q->init.xmm[i][0] = rnd_value();
        q->init.xmm[i][1] = rnd_value();
    }
    /* MXCSR: all exceptions masked, random rounding, sometimes FTZ/DAZ, rarely an
     * unmasked exception (#XM) */
    q->init.mxcsr = 0x1f80 | (rn(4) << 13) | (rn(8) == 0 ? 0x8040 : 0);
    /* x87: all exceptions masked, random rounding/precision, random TOP, some
     * registers valid with random contents, the others empty */
    {
        static const unsigned pcs[3] = {0, 2, 3};
        uint16_t fcw = (uint16_t)(0x037f & ~0x0300u) | (uint16_t)(pcs[rn(3)] << 8) |
                       (uint16_t)(rn(4) << 10);
        unsigned top = rn(8);
        uint16_t fsw = (uint16_t)(top << 11);
        uint16_t ftw = 0;
        for (int r = 0; r < 8; r++) {
            ftw |= (uint16_t)((rn(3) == 0 ? 3 : 0) << (2 * r));
        }
        memset(q->init.fsave, 0, sizeof(q->init.fsave));
        memcpy(q->init.fsave + 0, &fcw, 2);
        memcpy(q->init.fsave + 4, &fsw, 2);
        memcpy(q->init.fsave + 8, &ftw, 2);
        for (int i = 0; i < 8; i++) {
            uint64_t mant = rnd() | (1ull << 63); /* normal numbers mostly */
            uint16_t se = (uint16_t)((rn(2) << 15) | (0x3fff - 40 + rn(80)));
            if (rn(16) == 0) {
                mant = rnd(); /* sometimes anything at all */
                se = (uint16_t)rnd();
            }
            memcpy(q->init.fsave + 28 + 10 * i, &mant, 8);
            memcpy(q->init.fsave + 36 + 10 * i, &se, 2);
        }
        /* let the host classify the tags (FNSAVE writes the full tag word from the
         * register contents) so both sides start from the same canonical image */
        uint8_t img[108] __attribute__((aligned(16)));
        memcpy(img, q->init.fsave, sizeof(img));
        __asm__ volatile("frstor %0\n\tfnsave %0" : "+m"(img));
        memset(img + 12, 0, 16); /* pointers */
        memcpy(q->init.fsave, img, sizeof(img));
    }
    if (rn(16) == 0) {
        /* unmask one exception; not OM/UM: the flags of an unmasked overflow or
         * underflow trap (UE for exact tiny results, PE from the scaled result)
         * are not derived from the masked host computation (documented limit) */
        unsigned bit = rn(6);
        if (bit != 3 && bit != 4) {
            q->init.mxcsr &= ~(uint64_t)(0x80u << bit);
        }
    }
    q->mem_seed = rnd();
    int emitted = 0, tries = 0;
    while (emitted < n && tries < n * 50 && q->len < MAX_CODE - 96 &&
           q->ninsn < MAX_INSNS * 4 - 8) {
        tries++;
        const Cand *c = &cands[rn((unsigned)ncands)];
        if ((c->mnem == MN_DIV || c->mnem == MN_IDIV) && rn(4)) {
            continue; /* keep #DE occasional */
        }
        int save_len = q->len, save_n = q->ninsn, save_fix = g.nfix;
        unsigned save_undef = g.undef;
        bool ok = c->mnem == MN_RET ? gen_ret(&g, c)
                : c->mnem == MN_POPF ? gen_popf(&g, c)
                : c->mnem == MN_FPU ? gen_x87(&g, c) : gen_one(&g, c);
        if (ok) {
            emitted++;
        } else {
            q->len = save_len;
            q->ninsn = save_n;
            g.nfix = save_fix;
            g.undef = save_undef;
        }
    }
    /* terminator index: jumps aimed past the end arrive here too */
    for (int i = q->ninsn + 1; i < (int)(sizeof(g.pending) / sizeof(g.pending[0])); i++) {
        g.pending[q->ninsn] |= g.pending[i];
    }
    begin_insn(&g);
    q->undef_end = (uint8_t)g.undef;
    q->off[q->ninsn] = (uint16_t)q->len;
    /* resolve branches (targets past the end go to the end) */
    for (int i = 0; i < g.nfix; i++) {
        int t = g.fix[i].target > q->ninsn ? q->ninsn : g.fix[i].target;
        int64_t rel = (int64_t)q->off[t] - g.fix[i].src_end;
        if (g.fix[i].size == 1 && (rel > 127 || rel < -128)) {
            rel = 0; /* out of reach: fall through (flag tracking stays conservative) */
        }
        memcpy(&q->code[g.fix[i].at], &rel, (size_t)g.fix[i].size);
    }
}

/* ---- memory images ---- */
static void fill_mem(uint64_t seed, uint8_t *data, uint8_t *stack)
{
    uint64_t s = seed | 1;
    for (size_t i = 0; i < DATA_SIZE; i++) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        data[i] = (uint8_t)s;
        if ((i & 63) == 0 && (s & 3) == 0) {
            data[i] = 0; /* some zero bytes for SCAS/BSF */
        }
    }
    for (size_t i = 0; i < STACK_SIZE; i++) {
        stack[i] = (uint8_t)(i * 7);
    }
}

/* ---- native execution ---- */
extern void x86diff_enter(const Ctx *in);
extern void x86diff_exit(void);
extern void x86diff_fault_resume(void);
Ctx x86diff_out;
uint64_t x86diff_host_rsp;
uint32_t x86diff_host_mxcsr = 0x1f80;
uint64_t x86diff_code_ptr = CODE_ADDR;

__asm__(
    ".text\n"
    ".globl x86diff_enter\n"
    "x86diff_enter:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  mov %rsp, x86diff_host_rsp(%rip)\n"
    "  movdqu 136(%rdi), %xmm0\n  movdqu 152(%rdi), %xmm1\n  movdqu 168(%rdi), %xmm2\n"
    "  movdqu 184(%rdi), %xmm3\n  movdqu 200(%rdi), %xmm4\n  movdqu 216(%rdi), %xmm5\n"
    "  movdqu 232(%rdi), %xmm6\n  movdqu 248(%rdi), %xmm7\n  movdqu 264(%rdi), %xmm8\n"
    "  movdqu 280(%rdi), %xmm9\n  movdqu 296(%rdi), %xmm10\n  movdqu 312(%rdi), %xmm11\n"
    "  movdqu 328(%rdi), %xmm12\n  movdqu 344(%rdi), %xmm13\n  movdqu 360(%rdi), %xmm14\n"
    "  movdqu 376(%rdi), %xmm15\n"
    "  ldmxcsr 392(%rdi)\n"
    "  frstor 400(%rdi)\n"
    "  mov $0x2b, %eax\n  mov %eax, %ds\n  mov %eax, %es\n" /* flat data for 32-bit code */
    "  push 128(%rdi)\n  popfq\n"
    "  mov 0(%rdi), %rax\n  mov 8(%rdi), %rcx\n  mov 16(%rdi), %rdx\n  mov 24(%rdi), %rbx\n"
    "  mov 40(%rdi), %rbp\n  mov 48(%rdi), %rsi\n  mov 64(%rdi), %r8\n  mov 72(%rdi), %r9\n"
    "  mov 80(%rdi), %r10\n  mov 88(%rdi), %r11\n  mov 96(%rdi), %r12\n  mov 104(%rdi), %r13\n"
    "  mov 112(%rdi), %r14\n  mov 120(%rdi), %r15\n  mov 32(%rdi), %rsp\n  mov 56(%rdi), %rdi\n"
    "  jmp *x86diff_code_ptr(%rip)\n"
    ".globl x86diff_exit\n"
    "x86diff_exit:\n"
    "  mov %rax, x86diff_out+0(%rip)\n  mov %rcx, x86diff_out+8(%rip)\n"
    "  mov %rdx, x86diff_out+16(%rip)\n  mov %rbx, x86diff_out+24(%rip)\n"
    "  mov %rsp, x86diff_out+32(%rip)\n  mov %rbp, x86diff_out+40(%rip)\n"
    "  mov %rsi, x86diff_out+48(%rip)\n  mov %rdi, x86diff_out+56(%rip)\n"
    "  mov %r8, x86diff_out+64(%rip)\n  mov %r9, x86diff_out+72(%rip)\n"
    "  mov %r10, x86diff_out+80(%rip)\n  mov %r11, x86diff_out+88(%rip)\n"
    "  mov %r12, x86diff_out+96(%rip)\n  mov %r13, x86diff_out+104(%rip)\n"
    "  mov %r14, x86diff_out+112(%rip)\n  mov %r15, x86diff_out+120(%rip)\n"
    "  mov x86diff_host_rsp(%rip), %rsp\n"
    "  pushfq\n  pop x86diff_out+128(%rip)\n"
    "  stmxcsr x86diff_out+392(%rip)\n"
    "  fnsave x86diff_out+400(%rip)\n"
    "  movb $1, x86diff_out+508(%rip)\n"
    "  ldmxcsr x86diff_host_mxcsr(%rip)\n"
    "  movdqu %xmm0, x86diff_out+136(%rip)\n  movdqu %xmm1, x86diff_out+152(%rip)\n"
    "  movdqu %xmm2, x86diff_out+168(%rip)\n  movdqu %xmm3, x86diff_out+184(%rip)\n"
    "  movdqu %xmm4, x86diff_out+200(%rip)\n  movdqu %xmm5, x86diff_out+216(%rip)\n"
    "  movdqu %xmm6, x86diff_out+232(%rip)\n  movdqu %xmm7, x86diff_out+248(%rip)\n"
    "  movdqu %xmm8, x86diff_out+264(%rip)\n  movdqu %xmm9, x86diff_out+280(%rip)\n"
    "  movdqu %xmm10, x86diff_out+296(%rip)\n  movdqu %xmm11, x86diff_out+312(%rip)\n"
    "  movdqu %xmm12, x86diff_out+328(%rip)\n  movdqu %xmm13, x86diff_out+344(%rip)\n"
    "  movdqu %xmm14, x86diff_out+360(%rip)\n  movdqu %xmm15, x86diff_out+376(%rip)\n"
    ".globl x86diff_fault_resume\n"
    "x86diff_fault_resume:\n"
    "  cld\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
    "  ret\n");

static volatile int native_fault;
static volatile uint64_t native_fault_rip;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *gr = uc->uc_mcontext.gregs;
    static const int map[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                REG_R12, REG_R13, REG_R14, REG_R15};
    for (int i = 0; i < 16; i++) {
        x86diff_out.regs[i] = (uint64_t)gr[map[i]];
    }
    x86diff_out.rflags = (uint64_t)gr[REG_EFL];
    if (uc->uc_mcontext.fpregs) {
        for (int i = 0; i < 16; i++) {
            memcpy(x86diff_out.xmm[i], &uc->uc_mcontext.fpregs->_xmm[i], 16);
        }
        x86diff_out.mxcsr = uc->uc_mcontext.fpregs->mxcsr;
        x86diff_out.fpu_valid = 0;
        /* leave the host x87 clean for the C code that follows */
        uc->uc_mcontext.fpregs->cwd = 0x37f;
        uc->uc_mcontext.fpregs->swd = 0;
        uc->uc_mcontext.fpregs->ftw = 0;
        uc->uc_mcontext.fpregs->mxcsr = 0x1f80;
    }
    int vec = sig == SIGILL ? 6 : sig == SIGTRAP ? 3 : 13;
    if (sig == SIGFPE) {
        vec = (si->si_code == FPE_INTDIV || si->si_code == FPE_INTOVF) ? 0 : 19;
    }
    native_fault = 1 + vec;
    native_fault_rip = (uint64_t)gr[REG_RIP];
    gr[REG_RSP] = (greg_t)x86diff_host_rsp;
    /* back to 64-bit code (a 32-bit sequence faulted with CS = USER32_CS) */
    gr[REG_CSGSFS] = (gr[REG_CSGSFS] & ~(greg_t)0xffff) | 0x33;
    gr[REG_RIP] = (greg_t)(uintptr_t)x86diff_fault_resume;
    gr[REG_EFL] &= ~(greg_t)(DF_MASK | TF_MASK | AC_MASK);
}

static void *map_fixed(uint64_t addr, uint64_t size, int prot)
{
    void *p = mmap((void *)(uintptr_t)addr, size, prot,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED || (uint64_t)(uintptr_t)p != addr) {
        perror("test-x86-diff: mmap at a fixed address");
        exit(2);
    }
    return p;
}

static void run_native_all(const Seq *seqs, int n, Result *res)
{
    uint8_t *code = map_fixed(CODE_ADDR, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC);
    uint8_t *data = map_fixed(DATA_ADDR, DATA_SIZE, PROT_READ | PROT_WRITE);
    uint8_t *stack = map_fixed(STACK_ADDR, STACK_SIZE, PROT_READ | PROT_WRITE);
    uint64_t *ctrl = map_fixed(CTRL_ADDR, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
    ctrl[0] = (uint64_t)(uintptr_t)x86diff_exit;
    /* 64-bit stubs for 32-bit sequences: CTRL+0x100 jmp *CTRL (exit);
     * CTRL+0x200 ljmpl *(CTRL+0x300) with the far pointer CODE_ADDR:USER32_CS */
    uint8_t *cb = (uint8_t *)ctrl;
    uint32_t c32 = (uint32_t)CTRL_ADDR, fp = (uint32_t)(CTRL_ADDR + 0x300);
    cb[0x100] = 0xff;
    cb[0x101] = 0x24;
    cb[0x102] = 0x25;
    memcpy(cb + 0x103, &c32, 4);
    cb[0x200] = 0xff;
    cb[0x201] = 0x2c;
    cb[0x202] = 0x25;
    memcpy(cb + 0x203, &fp, 4);
    uint32_t code32 = (uint32_t)CODE_ADDR;
    uint16_t user32_cs = 0x23;
    memcpy(cb + 0x300, &code32, 4);
    memcpy(cb + 0x304, &user32_cs, 2);

    static uint8_t altstack[65536];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);

    for (int i = 0; i < n; i++) {
        const Seq *q = &seqs[i];
        memcpy(code, q->code, (size_t)q->len);
        uint32_t a = (uint32_t)CTRL_ADDR;
        if (q->m32) {
            /* ljmp $0x33, $CTRL+0x100: back to 64-bit code, then jmp *CTRL */
            uint32_t back = (uint32_t)(CTRL_ADDR + 0x100);
            code[q->len] = 0xea;
            memcpy(code + q->len + 1, &back, 4);
            code[q->len + 5] = 0x33;
            code[q->len + 6] = 0x00;
            x86diff_code_ptr = CTRL_ADDR + 0x200;
        } else {
            /* jmp *CTRL_ADDR */
            code[q->len] = 0xff;
            code[q->len + 1] = 0x24;
            code[q->len + 2] = 0x25;
            memcpy(code + q->len + 3, &a, 4);
            x86diff_code_ptr = CODE_ADDR;
        }
        __builtin___clear_cache((char *)code, (char *)code + q->len + 7);
        fill_mem(q->mem_seed, data, stack);
        native_fault = 0;
        x86diff_enter(&q->init);
        Result *r = &res[i];
        r->ctx = x86diff_out;
        r->fault = native_fault ? native_fault - 1 : -2;
        r->rip = native_fault ? native_fault_rip : CODE_ADDR + (uint64_t)q->len;
        memcpy(r->win, data + (WIN_LO - DATA_ADDR), sizeof(r->win));
        memcpy(r->swin, stack + (SWIN_LO - STACK_ADDR), sizeof(r->swin));
    }
}

/* ---- coremu execution ---- */
typedef struct Emu {
    const char *name;
    Machine m;
    CPUState *cpu;
} Emu;

static AddressSpace *emu_as;

static void emu_init(Emu *e, const char *name, const TCGBackend *be)
{
    memset(e, 0, sizeof(*e));
    e->name = name;
    e->m.as = emu_as;
    e->m.ncpus = 1;
    e->cpu = cpu_create(&e->m, &x86_cpu_class, 0, "max");
    e->m.cpus[0] = e->cpu;
    tb_cache_new(e->cpu, be, 32u << 20);
}

static void emu_run(Emu *e, const Seq *q, Result *r)
{
    CPUState *cs = e->cpu;
    CPUX86State *env = cpu_env(cs);
    static uint8_t data[DATA_SIZE], stack[STACK_SIZE];
    uint8_t code[MAX_CODE + 8];

    memcpy(code, q->code, (size_t)q->len);
    code[q->len] = 0xf4; /* hlt */
    tb_invalidate_phys_range(cs, CODE_ADDR, CODE_SIZE);
    memory_rw(emu_as, CODE_ADDR, code, (uint64_t)q->len + 1, true);
    fill_mem(q->mem_seed, data, stack);
    memory_rw(emu_as, DATA_ADDR, data, DATA_SIZE, true);
    memory_rw(emu_as, STACK_ADDR, stack, STACK_SIZE, true);

    /* flat 64-bit test mode: long mode, paging off, CPL 0, SSE on */
    env->cr[0] = CR0_PE | CR0_ET | CR0_NE | CR0_MP;
    env->cr[4] = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    env->efer = EFER_LME | EFER_LMA | EFER_NXE;
    x86_cpu_load_seg_cache(env, R_CS, 0x10, 0, 0xffffffff,
                           DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                               DESC_W_MASK | DESC_A_MASK |
                               (q->m32 ? DESC_B_MASK : DESC_L_MASK));
    for (int s = R_ES; s <= R_GS; s++) {
        if (s != R_CS) {
            x86_cpu_load_seg_cache(env, s, s == R_SS ? 0x18 : 0, 0, 0xffffffff,
                                   DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                                       DESC_W_MASK | DESC_A_MASK);
        }
    }
    memcpy(env->regs, q->init.regs, sizeof(env->regs));
    for (int i = 0; i < 16; i++) {
        env->xmm[i].q[0] = q->init.xmm[i][0];
        env->xmm[i].q[1] = q->init.xmm[i][1];
    }
    cpu_load_eflags(env, (uint32_t)q->init.rflags, ~0u);
    env->mxcsr = (uint32_t)q->init.mxcsr;
    memcpy(env->fsave, q->init.fsave, sizeof(env->fsave));
    env->rip = CODE_ADDR;
    env->user_exceptions = true;
    env->last_exception = -1;
    env->hflags &= ~HF_INHIBIT_IRQ;
    x86_update_hflags(env);
    cs->halted = 0;
    cs->exception_index = EXCP_NONE;

    /* a bounded run: a wild jump into unassigned memory (which reads as zeros,
     * ADD [rax], al forever) must end the run, not hang the test */
    cs->icount_enabled = true;
    cpu_icount_set_budget(cs, 100000);
    int ret;
    for (int guard = 0; guard < 64; guard++) {
        ret = cpu_exec(cs);
        if (ret == EXCP_HLT || ret == EXCP_ICOUNT || env->last_exception >= 0) {
            break;
        }
    }
    cs->halted = 0;
    memcpy(r->ctx.regs, env->regs, sizeof(env->regs));
    r->ctx.rflags = cpu_compute_eflags(env);
    r->ctx.mxcsr = env->mxcsr;
    memcpy(r->ctx.fsave, env->fsave, sizeof(r->ctx.fsave));
    for (int i = 0; i < 16; i++) {
        r->ctx.xmm[i][0] = env->xmm[i].q[0];
        r->ctx.xmm[i][1] = env->xmm[i].q[1];
    }
    if (env->last_exception >= 0) {
        int v = env->last_exception;
        r->fault = v == EXCP0E_PF ? 13 : v;
        r->rip = env->last_exception_rip;
    } else {
        r->fault = -2;
        /* HLT leaves rip after itself */
        r->rip = env->rip - 1;
    }
    memory_rw(emu_as, WIN_LO, r->win, sizeof(r->win), false);
    memory_rw(emu_as, SWIN_LO, r->swin, sizeof(r->swin), false);
}

/* ---- reporting ---- */
static uint8_t fetch_seq(void *opaque, uint64_t addr)
{
    const Seq *q = opaque;
    uint64_t o = addr - CODE_ADDR;
    return o < (uint64_t)q->len ? q->code[o] : 0xf4;
}

static void dump_seq(const Seq *q)
{
    for (int i = 0; i < q->ninsn; i++) {
        X86Insn in;
        char txt[200];
        x86_decode(&in, q->m32 ? X86_MODE32 : X86_MODE64, CODE_ADDR + q->off[i], fetch_seq,
                   (void *)q);
        x86_insn_format(&in, txt, sizeof(txt));
        printf("    %3d %08llx: ", i, (unsigned long long)(CODE_ADDR + q->off[i]));
        for (int b = 0; b < in.len; b++) {
            printf("%02x", in.bytes[b]);
        }
        printf("  %-40s undef_in=%02x\n", txt, q->undef_in[i]);
    }
}

static int insn_at(const Seq *q, uint64_t rip)
{
    for (int i = 0; i <= q->ninsn; i++) {
        if (CODE_ADDR + q->off[i] == rip) {
            return i;
        }
    }
    return -1;
}

static const char *const rnames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                       "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

/* returns true if equal; prints the differences otherwise */
static bool compare(const Seq *q, const Result *nat, const Result *emu, bool print)
{
    bool ok = true;
    char why[512];
    int w = 0;
    why[0] = 0;
#define DIFF(...)                                                                      \
    do {                                                                               \
        ok = false;                                                                    \
        if (print && w < (int)sizeof(why) - 80) {                                      \
            w += snprintf(why + w, sizeof(why) - (size_t)w, __VA_ARGS__);              \
        }                                                                              \
    } while (0)
    if (nat->fault != emu->fault) {
        DIFF(" fault native=%d emu=%d", nat->fault, emu->fault);
    }
    if (nat->rip != emu->rip) {
        DIFF(" rip native=%llx emu=%llx", (unsigned long long)nat->rip,
             (unsigned long long)emu->rip);
    }
    for (int i = 0; i < 16; i++) {
        if (nat->ctx.regs[i] != emu->ctx.regs[i]) {
            DIFF(" %s native=%llx emu=%llx", rnames[i], (unsigned long long)nat->ctx.regs[i],
                 (unsigned long long)emu->ctx.regs[i]);
        }
    }
    unsigned undef = q->undef_end;
    if (nat->fault != -2) {
        int k = insn_at(q, nat->rip);
        undef = k >= 0 ? q->undef_in[k] : UF_ALL;
    }
    uint32_t mask = (CC_OSZAPC & ~uf_to_eflags(undef)) | DF_MASK;
    if ((nat->ctx.rflags & mask) != (emu->ctx.rflags & mask)) {
        DIFF(" flags native=%03llx emu=%03llx (mask %03x)",
             (unsigned long long)(nat->ctx.rflags & 0xfff),
             (unsigned long long)(emu->ctx.rflags & 0xfff), mask);
    }
    if (nat->fault == -2 && nat->ctx.fpu_valid) {
        /* control, status, tags and registers; not the instruction/data pointers */
        if (memcmp(nat->ctx.fsave, emu->ctx.fsave, 12) != 0 ||
            memcmp(nat->ctx.fsave + 28, emu->ctx.fsave + 28, 80) != 0) {
            uint16_t nsw, esw, ntw, etw;
            memcpy(&nsw, nat->ctx.fsave + 4, 2);
            memcpy(&esw, emu->ctx.fsave + 4, 2);
            memcpy(&ntw, nat->ctx.fsave + 8, 2);
            memcpy(&etw, emu->ctx.fsave + 8, 2);
            DIFF(" x87 fsw native=%04x emu=%04x ftw native=%04x emu=%04x", nsw, esw, ntw, etw);
        }
    }
    if (nat->ctx.mxcsr != emu->ctx.mxcsr) {
        DIFF(" mxcsr native=%llx emu=%llx", (unsigned long long)nat->ctx.mxcsr,
             (unsigned long long)emu->ctx.mxcsr);
    }
    for (int i = 0; i < 16; i++) {
        if (memcmp(nat->ctx.xmm[i], emu->ctx.xmm[i], 16) != 0) {
            DIFF(" xmm%d native=%016llx:%016llx emu=%016llx:%016llx", i,
                 (unsigned long long)nat->ctx.xmm[i][1], (unsigned long long)nat->ctx.xmm[i][0],
                 (unsigned long long)emu->ctx.xmm[i][1], (unsigned long long)emu->ctx.xmm[i][0]);
        }
    }
    for (size_t i = 0; i < sizeof(nat->win); i++) {
        if (nat->win[i] != emu->win[i]) {
            DIFF(" mem[%llx] native=%02x emu=%02x", (unsigned long long)(WIN_LO + i),
                 nat->win[i], emu->win[i]);
            break;
        }
    }
    for (size_t i = 0; i < sizeof(nat->swin); i++) {
        if (nat->swin[i] != emu->swin[i]) {
            DIFF(" stack[%llx] native=%02x emu=%02x", (unsigned long long)(SWIN_LO + i),
                 nat->swin[i], emu->swin[i]);
            break;
        }
    }
    if (!ok && print) {
        printf("     diff:%s\n", why);
    }
    return ok;
}

int main(void)
{
    const char *es = getenv("X86_DIFF_SEED");
    const char *en = getenv("X86_DIFF_N");
    bool verbose = getenv("X86_DIFF_VERBOSE") != NULL;
    uint64_t seed = es ? strtoull(es, NULL, 0) : (uint64_t)time(NULL);
    int n = en ? atoi(en) : 20000;
    int failures = 0;

    for (int m = 0; m < 2; m++) {
        gen_m32 = m;
        cands = cands_all[m];
        ncands = 0;
        collect_map(X86_MAP_1B, x86_map_1b);
        collect_map(X86_MAP_0F, x86_map_0f);
        collect_map(X86_MAP_0F38, x86_map_0f38);
        collect_map(X86_MAP_0F3A, x86_map_0f3a);
        ncands_all[m] = ncands;
    }
    ncands = ncands_all[0] + ncands_all[1];
    printf("# seed %llu, %d sequences, %d candidate encodings\n", (unsigned long long)seed, n,
           ncands);

    /* can this host run 32-bit compatibility-mode code? (a kernel without IA-32
     * emulation marks USER32_CS not present): try one trivial sequence */
    {
        static Seq probe;
        static Result pres;
        probe.m32 = true;
        probe.code[0] = 0x90; /* nop */
        probe.len = 1;
        probe.off[1] = 1;
        probe.init.regs[4] = STACK_TOP;
        probe.init.rflags = 0x202;
        probe.init.mxcsr = 0x1f80;
        fflush(stdout);
        pid_t pp = fork();
        if (pp == 0) {
            run_native_all(&probe, 1, &pres);
            _exit(pres.fault == -2 ? 0 : 1);
        }
        int st = 0;
        waitpid(pp, &st, 0);
        have_compat32 = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (!have_compat32) {
            printf("SKIP diff-compat32: the host cannot run 32-bit code; 64-bit sequences only\n");
        }
    }
    static Seq *seqs; /* static: reachable until exit */
    seqs = calloc((size_t)n, sizeof(Seq));
    long total_insns = 0;
    for (int i = 0; i < n; i++) {
        gen_seq(&seqs[i], seed * 0x100000001b3ull + (uint64_t)i, 4 + (int)((seed + (uint64_t)i) % 13));
        total_insns += seqs[i].ninsn;
    }

    /* self-check of the encoder: our decoder agrees with the instruction boundaries */
    int enc_bad = 0;
    for (int i = 0; i < n && enc_bad < 5; i++) {
        const Seq *q = &seqs[i];
        for (int k = 0; k < q->ninsn; k++) {
            X86Insn in;
            X86DecodeStatus st =
                x86_decode(&in, q->m32 ? X86_MODE32 : X86_MODE64, CODE_ADDR + q->off[k],
                           fetch_seq, (void *)q);
            if (st != X86_DEC_OK || q->off[k] + in.len != q->off[k + 1]) {
                printf("FAIL encoder self-check: seq %d insn %d (status %d len %d)\n", i, k, st,
                       in.len);
                dump_seq(q);
                enc_bad++;
                break;
            }
        }
    }
    if (enc_bad) {
        failures++;
    } else {
        printf("PASS encoder self-check (%ld instructions decode to their generated lengths)\n",
               total_insns);
    }

    /* native results, in a child */
    Result *nat = mmap(NULL, sizeof(Result) * (size_t)n, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (nat == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        run_native_all(seqs, n, nat);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("FAIL native run: child status %#x (seed %llu)\n", status,
               (unsigned long long)seed);
        return 1;
    }

    emu_as = address_space_new("x86-diff");
    memory_map_ram(emu_as, "ram", RAM_BASE, RAM_SIZE);

    struct { const char *name; const TCGBackend *be; } backends[2] = {
        {"interp", &tcg_backend_interp},
        {"jit", &tcg_backend_x86_64},
    };
    for (int b = 0; b < 2; b++) {
        if (!backends[b].be) {
            printf("SKIP diff-%s: backend not linked\n", backends[b].name);
            continue;
        }
        static Emu emus[2]; /* cores live until exit */
        Emu *ep = &emus[b];
        emu_init(ep, backends[b].name, backends[b].be);
        Emu e = *ep;
        int bad = 0, faults = 0;
        Result *r = malloc(sizeof(Result));
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < n; i++) {
            memset(r, 0, sizeof(*r));
            emu_run(&e, &seqs[i], r);
            if (nat[i].fault >= 0) {
                faults++;
            }
            bool ok = compare(&seqs[i], &nat[i], r, false);
            if (!ok || verbose) {
                if (!ok && bad < 8) {
                    printf("  %s: mismatch in sequence %d (X86_DIFF_SEED=%llu, index %d):\n",
                           e.name, i, (unsigned long long)seed, i);
                    dump_seq(&seqs[i]);
                    compare(&seqs[i], &nat[i], r, true);
                }
                if (!ok) {
                    bad++;
                }
            }
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (bad) {
            printf("FAIL diff-%s: %d of %d sequences differ (seed %llu)\n", e.name, bad, n,
                   (unsigned long long)seed);
            failures++;
        } else {
            printf("PASS diff-%s: %d sequences, %ld instructions, %d ending in a fault, "
                   "%.1f s\n",
                   e.name, n, total_insns, faults, secs);
        }
        free(r);
    }
    return failures ? 1 : 0;
}
