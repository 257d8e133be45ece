/*
 * decode.c — the generic x86 instruction parser (SDM Vol.2 chapter 2):
 *
 *   legacy prefixes (any order, groups 1-4) -> REX (64-bit mode, must be
 *   last) or VEX (C4/C5: map, R/X/B/W, vvvv, L, implied prefix; only the
 *   BMI cells of x86_vex_0f38/0f3a exist, AVX is #UD)
 *   -> opcode (1 byte, 0F xx, 0F 38 xx, 0F 3A xx) -> table entry ->
 *   group / mandatory-prefix refinement -> ModRM -> SIB -> displacement ->
 *   immediates, then the operands are resolved from the entry's kinds.
 *
 * Invariants: at most 15 bytes are read (a longer instruction is
 * X86_DEC_TOOLONG, #GP); a REX prefix that is followed by another prefix is
 * ignored (SDM §2.2.1); with both F2 and F3 the last one counts; LOCK is
 * legal only on X86F_LOCK entries with a memory destination (else #UD).
 */
#include "target/i386/decode.h"

#include <stdio.h>
#include <string.h>

#include "tcg/tcg.h"

/* register and segment numbers (as in cpu.h, kept local so the decoder stands alone) */
enum { R_EBX_ = 3, R_EBP_ = 5, R_ESI_ = 6, R_EDI_ = 7 };
enum { R_ES_ = 0, R_CS_ = 1, R_SS_ = 2, R_DS_ = 3, R_FS_ = 4, R_GS_ = 5 };

typedef struct Reader {
    X86Insn *insn;
    X86FetchFn fetch;
    void *opaque;
    bool too_long;
} Reader;

static uint8_t next_byte(Reader *r)
{
    X86Insn *i = r->insn;
    if (i->len >= 15) {
        r->too_long = true;
        return 0;
    }
    uint8_t b = r->fetch(r->opaque, i->pc + i->len);
    i->bytes[i->len++] = b;
    return b;
}

static uint64_t next_le(Reader *r, int n)
{
    uint64_t v = 0;
    for (int k = 0; k < n; k++) {
        v |= (uint64_t)next_byte(r) << (8 * k);
    }
    return v;
}

static int64_t sext(uint64_t v, int bytes)
{
    int sh = 64 - 8 * bytes;
    return sh ? (int64_t)(v << sh) >> sh : (int64_t)v;
}

static bool kind_has_modrm(uint16_t k)
{
    switch (OPK_METHOD(k)) {
    case A_E: case A_G: case A_M: case A_R: case A_S: case A_C: case A_D:
    case A_V: case A_W: case A_U: case A_P: case A_Q: case A_N:
        return true;
    default:
        return false;
    }
}

static bool entry_has_modrm(const X86OpEntry *e)
{
    if (e->flags & (X86F_MODRM | X86F_GROUP | X86F_SSE)) {
        return true;
    }
    for (int k = 0; k < 3; k++) {
        if (kind_has_modrm(e->op[k])) {
            return true;
        }
    }
    return false;
}

static bool entry_is_mem_only(const X86OpEntry *e)
{
    for (int k = 0; k < 3; k++) {
        if (OPK_METHOD(e->op[k]) == A_M) {
            return true;
        }
    }
    return false;
}

/* operand size code -> MemOp size, given the effective operand size */
static int size_of(X86SizeCode s, const X86Insn *i)
{
    switch (s) {
    case S_b: return MO_8;
    case S_w: return MO_16;
    case S_d: return MO_32;
    case S_q: return MO_64;
    case S_v: return i->opsize;
    case S_z: return i->opsize == MO_16 ? MO_16 : MO_32;
    case S_y: return i->opsize == MO_64 ? MO_64 : MO_32;
    case S_x: case S_dq: return MO_128;
    default: return i->opsize;
    }
}

static void parse_modrm_mem(Reader *r)
{
    X86Insn *i = r->insn;
    i->has_mem = true;
    i->base = i->index = -1;
    i->scale = 0;
    i->disp = 0;
    int mod = i->mod, rm = i->modrm & 7;

    if (i->addrsize == MO_16) {
        static const int8_t b16[8] = {R_EBX_, R_EBX_, R_EBP_, R_EBP_, R_ESI_, R_EDI_, R_EBP_, R_EBX_};
        static const int8_t x16[8] = {R_ESI_, R_EDI_, R_ESI_, R_EDI_, -1, -1, -1, -1};
        if (mod == 0 && rm == 6) {
            i->disp = sext(next_le(r, 2), 2);
            return;
        }
        i->base = b16[rm];
        i->index = x16[rm];
        if (mod == 1) {
            i->disp = sext(next_le(r, 1), 1);
        } else if (mod == 2) {
            i->disp = sext(next_le(r, 2), 2);
        }
        return;
    }

    int rex_b = (i->rex & 1) << 3, rex_x = (i->rex & 2) << 2;
    if (rm == 4) {
        uint8_t sib = next_byte(r);
        int base = sib & 7, index = ((sib >> 3) & 7) | rex_x;
        i->scale = sib >> 6;
        i->index = index == 4 ? -1 : index; /* SDM Table 2-3: index 100b (no REX.X) = none */
        if (base == 5 && mod == 0) {
            i->base = -1;
            i->disp = sext(next_le(r, 4), 4);
        } else {
            i->base = base | rex_b;
        }
    } else if (rm == 5 && mod == 0) {
        i->base = i->mode == X86_MODE64 ? -2 : -1; /* rip-relative in 64-bit mode */
        i->disp = sext(next_le(r, 4), 4);
        return;
    } else {
        i->base = rm | rex_b;
    }
    if (mod == 1) {
        i->disp = sext(next_le(r, 1), 1);
    } else if (mod == 2) {
        i->disp = sext(next_le(r, 4), 4);
    }
}

/* ModRM.mod == 3 refinements of group 7 by ModRM.rm (SDM Table A-6 note) */
static uint16_t group7_reg_form(const X86Insn *i, uint16_t mnem)
{
    int rm = i->modrm & 7;
    switch (i->modrm & 0x38) {
    case 0x08:
        return rm == 0 ? MN_MONITOR : rm == 1 ? MN_MWAIT : MN_INVALID;
    case 0x38:
        if (rm == 0) {
            return i->mode == X86_MODE64 ? MN_SWAPGS : MN_INVALID;
        }
        return rm == 1 ? MN_RDTSCP : MN_INVALID;
    default:
        return mnem;
    }
}

static void resolve_operand(X86Insn *i, int n, uint16_t kind)
{
    X86Operand *o = &i->op[n];
    X86AddrMethod m = OPK_METHOD(kind);
    int size = size_of(OPK_SIZE(kind), i);
    o->size = (uint8_t)size;
    o->hibyte = false;
    switch (m) {
    case A_E: case A_M: case A_R:
        if (i->mod == 3) {
            o->type = OT_REG;
            o->reg = i->rm;
        } else {
            o->type = OT_MEM;
        }
        break;
    case A_G:
        o->type = OT_REG;
        o->reg = i->reg;
        break;
    case A_Z:
        o->type = OT_REG;
        o->reg = (uint8_t)((i->opcode & 7) | ((i->rex & 1) << 3));
        break;
    case A_AX:
        o->type = OT_REG;
        o->reg = 0;
        break;
    case A_CX:
        o->type = OT_REG;
        o->reg = 1;
        break;
    case A_DX:
        o->type = OT_REG;
        o->reg = 2;
        break;
    case A_ONE:
        o->type = OT_IMM;
        o->imm = 1;
        break;
    case A_B:
        o->type = OT_REG;
        o->reg = i->vex_v;
        break;
    case A_O:
        o->type = OT_MEM;
        break;
    case A_S:
        o->type = OT_SEG;
        o->reg = (uint8_t)((i->modrm >> 3) & 7);
        break;
    case A_C:
        o->type = OT_CR;
        o->reg = i->reg;
        break;
    case A_D:
        o->type = OT_DR;
        o->reg = i->reg;
        break;
    case A_V:
        o->type = OT_XMM;
        o->reg = i->reg;
        break;
    case A_W: case A_U:
        if (i->mod == 3) {
            o->type = OT_XMM;
            o->reg = i->rm;
        } else {
            o->type = OT_MEM;
        }
        break;
    case A_P:
        o->type = OT_MMX;
        o->reg = (uint8_t)((i->modrm >> 3) & 7);
        break;
    case A_Q: case A_N:
        if (i->mod == 3) {
            o->type = OT_MMX;
            o->reg = i->modrm & 7;
        } else {
            o->type = OT_MEM;
        }
        break;
    case A_I: case A_IS: case A_J:
        o->type = OT_IMM; /* value filled when the bytes are read */
        if (OPK_SIZE(kind) == S_z) {
            o->size = i->opsize; /* Iz is sign-extended to the operand size */
        }
        break;
    default:
        o->type = OT_NONE;
        break;
    }
    /* AH/CH/DH/BH: 8-bit registers 4..7 when no REX prefix is present */
    if (o->type == OT_REG && size == MO_8 && !(i->prefixes & PFX_REX) && o->reg >= 4 &&
        o->reg < 8) {
        o->hibyte = true;
        o->reg -= 4;
    }
}

/* bytes of an immediate operand kind */
static int imm_bytes(const X86Insn *i, uint16_t kind)
{
    X86SizeCode s = OPK_SIZE(kind);
    switch (OPK_METHOD(kind)) {
    case A_IS:
        return 1;
    case A_I:
        switch (s) {
        case S_b: return 1;
        case S_w: return 2;
        case S_z: return i->opsize == MO_16 ? 2 : 4;
        case S_v: return 1 << i->opsize;
        default: return 4;
        }
    case A_J:
        if (s == S_b) {
            return 1;
        }
        return i->opsize == MO_16 ? 2 : 4;
    default:
        return 0;
    }
}

static X86DecodeStatus decode_rest(Reader *rd, X86Insn *i, const X86OpEntry *e);

X86DecodeStatus x86_decode(X86Insn *i, X86CodeMode mode, uint64_t pc, X86FetchFn fetch,
                           void *opaque)
{
    Reader r = {.insn = i, .fetch = fetch, .opaque = opaque};
    memset(i, 0, sizeof(*i));
    i->pc = pc;
    i->mode = (uint8_t)mode;
    i->seg = -1;
    i->base = i->index = -1;

    /* ---- prefixes (SDM §2.1.1) ---- */
    uint8_t b;
    for (;;) {
        b = next_byte(&r);
        if (r.too_long) {
            return X86_DEC_TOOLONG;
        }
        switch (b) {
        case 0xf0: i->prefixes |= PFX_LOCK; i->rex = 0; continue;
        case 0xf2: i->prefixes |= PFX_F2; i->rep = 0xf2; i->rex = 0; continue;
        case 0xf3: i->prefixes |= PFX_F3; i->rep = 0xf3; i->rex = 0; continue;
        case 0x2e: i->seg = R_CS_; i->rex = 0; continue;
        case 0x36: i->seg = R_SS_; i->rex = 0; continue;
        case 0x3e: i->seg = R_DS_; i->rex = 0; continue;
        case 0x26: i->seg = R_ES_; i->rex = 0; continue;
        case 0x64: i->seg = R_FS_; i->rex = 0; continue;
        case 0x65: i->seg = R_GS_; i->rex = 0; continue;
        case 0x66: i->prefixes |= PFX_66; i->rex = 0; continue;
        case 0x67: i->prefixes |= PFX_67; i->rex = 0; continue;
        default:
            break;
        }
        if (mode == X86_MODE64 && (b & 0xf0) == 0x40) {
            i->rex = b; /* only effective if the opcode follows directly */
            continue;
        }
        break;
    }
    /* VEX (SDM Vol.2 §2.3.5): C4/C5 outside 64-bit mode are LES/LDS unless
     * the next byte has ModRM.mod == 3. A legacy 66/F2/F3/LOCK or REX prefix
     * before VEX is #UD. The map, R/X/B/W and the implied prefix come from
     * its payload; only BMI1/BMI2 cells exist (x86_vex_0f38/0f3a). */
    if ((b == 0xc4 || b == 0xc5) &&
        (mode == X86_MODE64 || (fetch(opaque, pc + i->len) & 0xc0) == 0xc0)) {
        bool bad = (i->prefixes & (PFX_66 | PFX_F2 | PFX_F3 | PFX_LOCK)) || i->rex;
        uint8_t p1 = next_byte(&r), p2 = p1;
        int mmmmm = 1;
        i->vex = b == 0xc5 ? 2 : 3;
        if (b == 0xc4) {
            mmmmm = p1 & 0x1f;
            p2 = next_byte(&r);
        }
        if (mode == X86_MODE64) {
            i->rex = (uint8_t)(0x40 | ((~p1 >> 5) & 4));
            if (b == 0xc4) {
                i->rex |= (uint8_t)(((~p1 >> 5) & 3) | ((p2 >> 4) & 8));
            }
        }
        i->vex_v = (uint8_t)((~p2 >> 3) & (mode == X86_MODE64 ? 15 : 7));
        i->vex_l = (p2 >> 2) & 1;
        i->vex_pp = p2 & 3;
        b = next_byte(&r);
        i->opcode = b;
        if (r.too_long) {
            return X86_DEC_TOOLONG;
        }
        const X86OpEntry *ve = mmmmm == 2 ? &x86_vex_0f38[b] : mmmmm == 3 ? &x86_vex_0f3a[b]
                                                                           : NULL;
        if (bad || !ve || !ve->flags) {
            return X86_DEC_UD; /* (the length is not known: AVX is not decoded) */
        }
        i->map = mmmmm == 2 ? X86_MAP_0F38 : X86_MAP_0F3A;
        if (i->rex) {
            i->prefixes |= PFX_REX;
        }
        return decode_rest(&r, i, ve);
    }
    if (i->rex) {
        i->prefixes |= PFX_REX;
    }
    /* in legacy modes CS/DS/ES/SS overrides are real; in 64-bit mode they are ignored */
    if (mode == X86_MODE64 && i->seg >= 0 && i->seg != R_FS_ && i->seg != R_GS_) {
        i->seg = -1;
    }

    /* ---- opcode ---- */
    const X86OpEntry *e;
    i->map = X86_MAP_1B;
    if (b == 0x0f) {
        b = next_byte(&r);
        if (b == 0x38) {
            i->map = X86_MAP_0F38;
            b = next_byte(&r);
            e = &x86_map_0f38[b];
        } else if (b == 0x3a) {
            i->map = X86_MAP_0F3A;
            b = next_byte(&r);
            e = &x86_map_0f3a[b];
        } else {
            i->map = X86_MAP_0F;
            e = &x86_map_0f[b];
        }
    } else {
        e = &x86_map_1b[b];
    }
    i->opcode = b;
    if (r.too_long) {
        return X86_DEC_TOOLONG;
    }
    return decode_rest(&r, i, e);
}

/* everything after the opcode byte: ModRM, refinements, operands, validity */
static X86DecodeStatus decode_rest(Reader *rd, X86Insn *i, const X86OpEntry *e)
{
    Reader *rp = rd;
#define r (*rp)
    X86CodeMode mode = (X86CodeMode)i->mode;
    /* ---- sizes (SDM §2.2.1.2, Table 2-4) ---- */
    bool p66 = i->prefixes & PFX_66, p67 = i->prefixes & PFX_67;
    if (mode == X86_MODE64) {
        i->addrsize = p67 ? MO_32 : MO_64;
    } else if (mode == X86_MODE32) {
        i->addrsize = p67 ? MO_16 : MO_32;
    } else {
        i->addrsize = p67 ? MO_32 : MO_16;
    }

    /* ---- ModRM and the entry refinements ---- */
    if (entry_has_modrm(e)) {
        i->has_modrm = true;
        i->modrm = next_byte(&r);
        i->mod = i->modrm >> 6;
        i->reg = (uint8_t)(((i->modrm >> 3) & 7) | ((i->rex & 4) << 1));
        i->rm = (uint8_t)((i->modrm & 7) | ((i->rex & 1) << 3));
    }
    const X86OpEntry *main = e;
    uint16_t flags = e->flags;
    if (e->flags & X86F_SSE) {
        int col = i->vex ? i->vex_pp : i->rep == 0xf3 ? 2 : i->rep == 0xf2 ? 3 : p66 ? 1 : 0;
        i->mand = (uint8_t)col;
        e = &x86_sse[e->ext][col];
        flags = e->flags;
        main = e;
        if (col == 1 && e->mnem >= MN_MOVUPS) {
            p66 = false; /* a mandatory 66 is not an operand-size prefix */
        }
    }
    if (e->flags & X86F_GROUP) {
        int reg = (i->modrm >> 3) & 7;
        const X86OpEntry *g = &x86_groups[e->ext][1][reg];
        if (i->mod != 3 || g->mnem == MN_INVALID) {
            g = &x86_groups[e->ext][0][reg];
            if (i->mod == 3 && entry_is_mem_only(g)) {
                g = &x86_groups[0][0][0]; /* invalid */
            }
        }
        flags = (uint16_t)((e->flags & ~X86F_GROUP) | g->flags);
        main = e;
        e = g;
    }
    i->e = e;
    i->mnem = e->mnem;
    if (i->map == X86_MAP_0F && i->opcode == 0x01 && i->mod == 3) {
        i->mnem = group7_reg_form(i, i->mnem);
    }
    if (i->map == X86_MAP_1B && i->opcode == 0x90 && !(i->rex & 1)) {
        i->mnem = MN_NOP; /* XCHG eAX, eAX is NOP, and does not zero-extend (SDM XCHG) */
    }
    if (i->mnem == MN_MOVSXD && mode != X86_MODE64) {
        i->mnem = MN_ARPL;
    }

    if (mode == X86_MODE64) {
        if (flags & X86F_F64) {
            i->opsize = MO_64;
        } else if (flags & X86F_D64) {
            i->opsize = (i->rex & 8) || !p66 ? MO_64 : MO_16; /* REX.W beats 66 */
        } else {
            i->opsize = (i->rex & 8) ? MO_64 : p66 ? MO_16 : MO_32;
        }
    } else if (mode == X86_MODE32) {
        i->opsize = p66 ? MO_16 : MO_32;
    } else {
        i->opsize = p66 ? MO_32 : MO_16;
    }

    /* operand kinds: the group entry's own, else the cell's */
    const uint16_t *kinds = e->op;
    int nk = 0;
    if (e->op[0] == 0 && main != e) {
        kinds = main->op;
    }
    for (nk = 0; nk < 3 && kinds[nk]; nk++) {
    }
    if ((flags & X86F_OP1) && nk > 1) {
        nk = 1;
    }
    i->nops = (uint8_t)nk;

    if (i->has_modrm && i->mod != 3) {
        parse_modrm_mem(&r);
    }
    for (int k = 0; k < nk; k++) {
        resolve_operand(i, k, kinds[k]);
        if (OPK_METHOD(kinds[k]) == A_O) {
            i->has_mem = true;
            i->base = i->index = -1;
            i->disp = (int64_t)next_le(&r, 1 << i->addrsize);
        }
    }
    /* immediates follow the displacement, in operand order */
    for (int k = 0; k < nk; k++) {
        int n = imm_bytes(i, kinds[k]);
        if (n) {
            uint64_t v = next_le(&r, n);
            X86AddrMethod m = OPK_METHOD(kinds[k]);
            if (m == A_IS || m == A_J || (OPK_SIZE(kinds[k]) == S_z && i->opsize == MO_64)) {
                i->op[k].imm = sext(v, n);
            } else {
                i->op[k].imm = (int64_t)v;
            }
        }
    }
    if (r.too_long) {
        return X86_DEC_TOOLONG;
    }
    if (flags & X86F_CC) {
        i->cc = i->opcode & 15;
    }

    /* ---- validity ---- */
    if (i->mnem == MN_INVALID) {
        return X86_DEC_UD;
    }
    if ((flags & X86F_I64) && mode == X86_MODE64) {
        return X86_DEC_UD;
    }
    if (i->prefixes & PFX_LOCK) {
        if (!(flags & X86F_LOCK) || !i->has_mem || i->op[0].type != OT_MEM) {
            return X86_DEC_UD;
        }
    }
    for (int k = 0; k < nk; k++) {
        X86AddrMethod m = OPK_METHOD(kinds[k]);
        if (m == A_M && i->mod == 3) {
            return X86_DEC_UD;
        }
        if ((m == A_R || m == A_U || m == A_N) && i->mod != 3) {
            return X86_DEC_UD;
        }
        if (m == A_S && i->op[k].reg > 5) {
            return X86_DEC_UD;
        }
    }
    if (i->vex && (i->vex_l || i->mnem < MN_ANDN)) {
        return X86_DEC_UD; /* VEX.L = 1 (256-bit) forms of BMI are #UD */
    }
    return X86_DEC_OK;
#undef r
}

static const char *const reg_names64[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

void x86_insn_format(const X86Insn *i, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "%s", x86_mnem_names[i->mnem]);
    for (int k = 0; k < i->nops && n < len; k++) {
        const X86Operand *o = &i->op[k];
        const char *sep = k ? "," : " ";
        switch (o->type) {
        case OT_REG:
            n += (size_t)snprintf(buf + n, len - n, "%s%s%s/%d", sep,
                                  o->hibyte ? "hi:" : "", reg_names64[o->reg], 8 << o->size);
            break;
        case OT_MEM:
            n += (size_t)snprintf(buf + n, len - n, "%s[%s%s+%s*%d%+lld]/%d", sep,
                                  i->seg >= 0 ? "seg:" : "",
                                  i->base == -2 ? "rip" : i->base >= 0 ? reg_names64[i->base] : "",
                                  i->index >= 0 ? reg_names64[i->index] : "", 1 << i->scale,
                                  (long long)i->disp, 8 << o->size);
            break;
        case OT_IMM:
            n += (size_t)snprintf(buf + n, len - n, "%s$%#llx", sep,
                                  (unsigned long long)o->imm);
            break;
        case OT_XMM:
            n += (size_t)snprintf(buf + n, len - n, "%sxmm%d", sep, o->reg);
            break;
        case OT_MMX:
            n += (size_t)snprintf(buf + n, len - n, "%smm%d", sep, o->reg);
            break;
        case OT_NONE:
            n += (size_t)snprintf(buf + n, len - n, "%s/%d", sep, 8 << o->size);
            break;
        default:
            n += (size_t)snprintf(buf + n, len - n, "%s?%d", sep, o->reg);
            break;
        }
    }
}
