/*
 * tcg.h — the intermediate representation shared by every guest frontend and
 * both backends (tcg/x86_64 JIT, tcg/tci interpreter).
 *
 * One TCGContext per translating host thread (tcg_ctx, thread-local): each
 * emulated core translates into its own context and its own code buffer, so
 * nothing here takes a lock. A translation is:
 *
 *     tcg_func_start(s);                 forget the previous TB's temps and ops
 *     ... frontend emits ops with tcg_gen_*() (tcg-op.h) ...
 *     tcg_optimize(s);                   constant/copy folding, known-zero bits
 *     tcg_liveness(s);                   dead temps, dead ops, global syncs
 *     n = s->backend->gen_code(s, tb, buf, cap);
 *
 * Temps are referred to by index (TCGv_* handles encode index + 1), so the
 * temp and op arrays may grow: never keep a TCGTemp * across an allocation.
 *
 * Value invariant (both backends rely on it): an I32 value is held in a
 * 64-bit container with its high 32 bits zero.
 */
#ifndef TCG_TCG_H
#define TCG_TCG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TCG_INSN_START_WORDS 2 /* data words carried by insn_start */
#define TCG_MAX_OP_ARGS 16     /* upper bound of args in one op (calls) */
#define TCG_MAX_CALL_IARGS 8
#define TCG_MAX_CALL_OARGS 2

typedef enum TCGType {
    TCG_TYPE_I32,
    TCG_TYPE_I64,
    TCG_TYPE_PTR = TCG_TYPE_I64, /* 64-bit hosts only */
} TCGType;

/* Op flags (tcg-opc.h) */
enum {
    TCG_OPF_BB_END = 0x01,       /* ends a basic block */
    TCG_OPF_BB_EXIT = 0x02,      /* leaves the TB */
    TCG_OPF_CALL_CLOBBER = 0x04, /* clobbers host call-clobbered registers */
    TCG_OPF_SIDE_EFFECTS = 0x08, /* never removed; globals synced before */
    TCG_OPF_INT = 0x10,          /* typed by TCGOp.type */
    TCG_OPF_COND_BRANCH = 0x20,
    TCG_OPF_NOT_PRESENT = 0x40,  /* no direct code (handled specially) */
    TCG_OPF_GUEST_MEM = 0x80,    /* softmmu access: may fault and unwind */
};

typedef enum TCGOpcode {
#define DEF(name, oargs, iargs, cargs, flags) INDEX_op_##name,
#include "tcg/tcg-opc.h"
#undef DEF
    NB_OPS,
} TCGOpcode;

typedef struct TCGOpDef {
    const char *name;
    uint8_t nb_oargs, nb_iargs, nb_cargs, nb_args;
    uint8_t flags;
} TCGOpDef;

extern const TCGOpDef tcg_op_defs[NB_OPS];

/*
 * Conditions. Bit layout: bit 0 inverts, bit 1 = unsigned, bits 2..3 the
 * relation; tcg_invert_cond / tcg_swap_cond work on any of them.
 */
typedef enum TCGCond {
    TCG_COND_NEVER = 0,
    TCG_COND_ALWAYS = 1,
    TCG_COND_EQ = 8,
    TCG_COND_NE = 9,
    TCG_COND_LT = 12,
    TCG_COND_GE = 13,
    TCG_COND_LTU = 14,
    TCG_COND_GEU = 15,
    TCG_COND_LE = 16,
    TCG_COND_GT = 17,
    TCG_COND_LEU = 18,
    TCG_COND_GTU = 19,
} TCGCond;

static inline TCGCond tcg_invert_cond(TCGCond c)
{
    return (TCGCond)(c ^ 1);
}

/* the condition that holds for (b, a) when c holds for (a, b) */
static inline TCGCond tcg_swap_cond(TCGCond c)
{
    switch (c) {
    case TCG_COND_LT: return TCG_COND_GT;
    case TCG_COND_GT: return TCG_COND_LT;
    case TCG_COND_LE: return TCG_COND_GE;
    case TCG_COND_GE: return TCG_COND_LE;
    case TCG_COND_LTU: return TCG_COND_GTU;
    case TCG_COND_GTU: return TCG_COND_LTU;
    case TCG_COND_LEU: return TCG_COND_GEU;
    case TCG_COND_GEU: return TCG_COND_LEU;
    default: return c;
    }
}

bool tcg_cond_eval(TCGCond c, TCGType type, uint64_t a, uint64_t b);
const char *tcg_cond_name(TCGCond c);

/*
 * Memory operation descriptor for guest_ld/guest_st/atomic_*.
 * Guests of this project are little-endian; MO_BSWAP asks for the other
 * byte order. Alignment: MO_ALIGN faults (target hook) on a misaligned
 * address; without it the access may be unaligned and may cross a page.
 */
typedef enum MemOp {
    MO_8 = 0,
    MO_16 = 1,
    MO_32 = 2,
    MO_64 = 3,
    MO_128 = 4,
    MO_SIZE = 7,
    MO_SIGN = 8,
    MO_BSWAP = 16,
    MO_ALIGN = 32, /* natural alignment required */

    MO_UB = MO_8,
    MO_UW = MO_16,
    MO_UL = MO_32,
    MO_UQ = MO_64,
    MO_SB = MO_8 | MO_SIGN,
    MO_SW = MO_16 | MO_SIGN,
    MO_SL = MO_32 | MO_SIGN,
} MemOp;

/* MemOp plus the MMU index (target-defined translation regime) */
typedef uint32_t MemOpIdx;
static inline MemOpIdx make_memop_idx(MemOp op, unsigned mmu_idx)
{
    return ((uint32_t)op << 8) | mmu_idx;
}
static inline MemOp get_memop(MemOpIdx oi)
{
    return (MemOp)(oi >> 8);
}
static inline unsigned get_mmuidx(MemOpIdx oi)
{
    return oi & 0xff;
}
static inline unsigned memop_size(MemOp op)
{
    return 1u << (op & MO_SIZE);
}

/* Barrier kinds for mb: which earlier accesses are ordered before which later ones */
typedef enum TCGBar {
    TCG_MO_LD_LD = 1,
    TCG_MO_ST_LD = 2,
    TCG_MO_LD_ST = 4,
    TCG_MO_ST_ST = 8,
    TCG_MO_ALL = 15,
} TCGBar;

/* atomic_rmw operations; all return the old memory value */
typedef enum TCGAtomicOp {
    TCG_ATOMIC_XCHG,
    TCG_ATOMIC_ADD,
    TCG_ATOMIC_AND,
    TCG_ATOMIC_ANDC, /* mem &= ~val (AArch64 LDCLR) */
    TCG_ATOMIC_OR,
    TCG_ATOMIC_XOR,
    TCG_ATOMIC_SMIN,
    TCG_ATOMIC_SMAX,
    TCG_ATOMIC_UMIN,
    TCG_ATOMIC_UMAX,
} TCGAtomicOp;

typedef enum TCGTempKind {
    TEMP_EBB,    /* dead at the next set_label or BB end */
    TEMP_TB,     /* lives for the whole TB */
    TEMP_GLOBAL, /* a field of the CPU state at env + mem_offset */
    TEMP_FIXED,  /* lives in a fixed host register (env) */
    TEMP_CONST,  /* constant value, read only */
} TCGTempKind;

typedef struct TCGTemp {
    uint8_t type; /* TCGType */
    uint8_t kind; /* TCGTempKind */
    /* register allocator state, owned by the backend */
    int8_t reg;           /* host register, -1 if none */
    uint8_t val_type;     /* backend-defined: dead, reg, mem, const */
    bool mem_coherent;    /* memory copy is up to date */
    bool mem_allocated;   /* spill slot assigned */
    uint16_t state;       /* liveness scratch */
    int64_t val;          /* TEMP_CONST: the value */
    intptr_t mem_offset;  /* GLOBAL: offset from env; others: spill slot */
    const char *name;     /* globals and fixed temps */
    void *opt_info;       /* optimizer scratch */
} TCGTemp;

typedef struct TCGLabel {
    int id;
    bool present;   /* set_label emitted */
    bool has_value; /* backend: value known */
    uintptr_t value; /* backend: code offset */
    int first_reloc; /* backend: head of pending relocation list, -1 none */
} TCGLabel;

/* Helper call description; see include/exec/helper-gen.h for declaring one */
enum {
    TCG_CALL_NO_READ_GLOBALS = 0x1,  /* reads no guest register from env */
    TCG_CALL_NO_WRITE_GLOBALS = 0x2, /* writes no guest register to env */
    TCG_CALL_NO_SIDE_EFFECTS = 0x4,  /* removable when its result is unused */
    TCG_CALL_NO_RWG = TCG_CALL_NO_READ_GLOBALS | TCG_CALL_NO_WRITE_GLOBALS,
    TCG_CALL_NO_WG = TCG_CALL_NO_WRITE_GLOBALS,
    TCG_CALL_PURE = TCG_CALL_NO_RWG | TCG_CALL_NO_SIDE_EFFECTS,
    TCG_CALL_NO_RETURN = 0x8, /* never returns normally (raises) */
};

/* dh_typecode: what a helper's return or argument is */
typedef enum TCGCallType {
    TCG_CALL_VOID,
    TCG_CALL_I32, /* uint32_t / int32_t, zero-extended in the container */
    TCG_CALL_S32, /* int32_t passed sign-extended to the C ABI */
    TCG_CALL_I64,
    TCG_CALL_PTR,
} TCGCallType;

typedef struct TCGHelperInfo {
    void *func;
    const char *name;
    uint8_t flags;
    uint8_t nb_args;
    uint8_t ret;                          /* TCGCallType */
    uint8_t args[TCG_MAX_CALL_IARGS];     /* TCGCallType */
} TCGHelperInfo;

typedef struct TCGOp {
    uint16_t opc;    /* TCGOpcode */
    uint8_t type;    /* TCGType for TCG_OPF_INT ops */
    uint8_t nb_oargs; /* call only (others: from tcg_op_defs) */
    uint8_t nb_iargs; /* call only */
    uint8_t pad[3];
    uint32_t life;   /* liveness: DEAD_ARG(i) | SYNC_ARG(i) bits */
    uint64_t args[TCG_MAX_OP_ARGS];
} TCGOp;

/* life bits: after the op, input/output arg i is dead; output i must be synced to memory */
#define DEAD_ARG(i) (1u << (i))
#define SYNC_ARG(i) (1u << ((i) + TCG_MAX_OP_ARGS))
#define IS_DEAD_ARG(op, i) (((op)->life & DEAD_ARG(i)) != 0)
#define NEED_SYNC_ARG(op, i) (((op)->life & SYNC_ARG(i)) != 0)

/* call op layout: args[0..nb_oargs-1] outputs, then inputs, then
 * args[nb_oargs+nb_iargs] = (uintptr_t)TCGHelperInfo *, next = flags */
static inline const TCGHelperInfo *tcg_call_info(const TCGOp *op)
{
    return (const TCGHelperInfo *)(uintptr_t)op->args[op->nb_oargs + op->nb_iargs];
}

static inline unsigned tcg_op_nb_oargs(const TCGOp *op)
{
    return op->opc == INDEX_op_call ? op->nb_oargs : tcg_op_defs[op->opc].nb_oargs;
}
static inline unsigned tcg_op_nb_iargs(const TCGOp *op)
{
    return op->opc == INDEX_op_call ? op->nb_iargs : tcg_op_defs[op->opc].nb_iargs;
}

struct TranslationBlock;
struct CPUState;
typedef struct TCGContext TCGContext;

/*
 * A backend turns a finished op list into something runnable in the core's
 * code buffer: host machine code (JIT) or a compact bytecode (interpreter).
 * Both record, for every guest instruction, the offset just past its code
 * (insn_end_off) so that a fault can be mapped back to the instruction.
 */
typedef struct TCGBackend {
    const char *name;
    bool needs_exec; /* code buffer must be executable */
    /* Emit shared entry/exit code at buf; returns bytes used, or -1. */
    ptrdiff_t (*gen_prologue)(TCGContext *s, uint8_t *buf, size_t cap);
    /* Emit the TB; returns bytes used, or -1 if it does not fit in cap. */
    ptrdiff_t (*gen_code)(TCGContext *s, struct TranslationBlock *tb, uint8_t *buf,
                          size_t cap);
    /* Run code at tc_ptr with env = cpu; returns the exit_tb value. */
    uintptr_t (*exec)(TCGContext *s, struct CPUState *cpu, const void *tc_ptr);
    /* Point goto_tb slot n of tb at addr (another TB's code, or back to its
     * own exit path when addr == 0). Called only by the owning core. */
    void (*set_jmp_target)(struct TranslationBlock *tb, int n, uintptr_t addr);
} TCGBackend;

extern const TCGBackend tcg_backend_x86_64;
extern const TCGBackend tcg_backend_interp;

/* exit_tb values: a TB pointer (aligned to 8) with the low bits as an index */
enum {
    TB_EXIT_IDX0 = 0,      /* left through goto_tb slot 0: may chain */
    TB_EXIT_IDX1 = 1,      /* left through goto_tb slot 1: may chain */
    TB_EXIT_REQUESTED = 3, /* exit word was set: stop before the TB ran */
    TB_EXIT_MASK = 7,
};

struct TCGContext {
    /* temps: [0, nb_globals) are globals and fixed, then per-TB temps */
    TCGTemp *temps;
    int nb_temps, cap_temps, nb_globals;
    /* ops */
    TCGOp *ops;
    int nb_ops, cap_ops;
    /* labels */
    TCGLabel *labels;
    int nb_labels, cap_labels;
    /* insn_start count in this TB */
    int nb_insns;

    /* code generation output (filled by the backend) */
    uint32_t *insn_end_off; /* [nb_insns]: code offset just past insn i */
    int cap_insn_end;
    uint16_t goto_tb_off[2];   /* offset of the patchable jump of slot n */
    uint16_t goto_tb_reset[2]; /* offset the slot jumps to when unchained */

    const TCGBackend *backend;
    void *backend_priv;       /* backend-owned per-context state */
    const uint8_t *code_base; /* start of the code buffer (prologue) */
    uintptr_t epilogue;       /* address the JIT's exit_tb returns through */
    /* code that returns 0 to the exec loop ("no TB here"): what
     * helper_lookup_tb_ptr returns when it finds nothing; 0 for the
     * interpreter, whose goto_ptr treats 0 as that exit */
    uintptr_t exit_zero;

    int env_temp; /* index of the fixed env temp */
    bool instrument_mem; /* this TB reports guest memory accesses (CF_INSTRUMENT) */
    uint32_t log_mask;
    FILE *log_file;
};

extern __thread TCGContext *tcg_ctx;

/* --- context lifetime --- */
TCGContext *tcg_context_new(const TCGBackend *backend);
void tcg_context_free(TCGContext *s);
void tcg_func_start(TCGContext *s);

/* --- temps (indices) --- */
int tcg_temp_alloc(TCGContext *s, TCGType type, TCGTempKind kind);
int tcg_global_mem_new(TCGContext *s, TCGType type, intptr_t offset, const char *name);
int tcg_constant_temp(TCGContext *s, TCGType type, int64_t val);

static inline TCGTemp *tcg_temp(TCGContext *s, int idx)
{
    return &s->temps[idx];
}

/* --- labels: op args name a label by its id (index in s->labels) --- */
TCGLabel *tcg_label_new(TCGContext *s);

/* --- ops --- */
TCGOp *tcg_emit_op(TCGContext *s, TCGOpcode opc, TCGType type);
TCGOp *tcg_op_insert_before(TCGContext *s, int op_index, TCGOpcode opc, TCGType type);
void tcg_op_remove(TCGContext *s, TCGOp *op); /* turns it into a nop */

/* --- passes --- */
void tcg_optimize(TCGContext *s);
void tcg_liveness(TCGContext *s);

/* --- dumps (-d op, op_opt) --- */
void tcg_dump_ops(TCGContext *s, FILE *f, bool with_life);

#endif
