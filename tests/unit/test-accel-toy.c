/*
 * test-accel-toy.c — accel/tcg end to end with a toy guest ISA, on both
 * backends: the exec loop, TB cache and chaining, exact instruction counting
 * (stop after exactly N instructions), fault restore to the faulting
 * instruction, self-modifying code, and the instrumentation callbacks.
 * A C reference interpreter of the toy ISA is the oracle.
 *
 * Toy ISA: 32-bit little-endian words, 16 registers, op in bits 31..24.
 *   01 MOVI rA, imm16     rA = imm16
 *   02 LD   rA, [rB]      rA = mem64[rB]
 *   03 ST   rA, [rB]      mem64[rB] = rA
 *   04 ADD  rA, rB        rA += rB
 *   05 HALT               stop (the loop returns EXCP_HLT)
 *   06 BNZ  rA, simm16    if rA != 0: pc += simm16 * 4
 *   07 SUBI rA, imm16     rA -= imm16
 *   08 STW  rA, [rB]      mem32[rB] = rA  (used to patch code)
 * Memory: 64 KiB of RAM at 0x10000000, identity-mapped; other addresses fault.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/cputlb.h"
#include "exec/instrument.h"
#include "exec/memory.h"
#include "exec/tb-cache.h"
#include "exec/translator.h"
#include "system/machine.h"
#include "tcg/tcg-op.h"

#define RAM_BASE 0x10000000ull
#define RAM_SIZE 0x10000u
#define EXCP_TOY_FAULT 1

typedef struct ToyCPU {
    CPUState parent;
    uint64_t r[16];
    uint64_t pc;
    uint64_t fault_pc; /* pc at the last guest fault */
    int faults;
} ToyCPU;

static int failures;
#define CHECK(name, cond, ...)                                                         \
    do {                                                                               \
        if (cond) {                                                                    \
            printf("PASS %s\n", name);                                                 \
        } else {                                                                       \
            printf("FAIL %s: ", name);                                                 \
            printf(__VA_ARGS__);                                                       \
            printf("\n");                                                              \
            failures++;                                                                \
        }                                                                              \
    } while (0)

static uint32_t enc(unsigned op, unsigned a, unsigned b, unsigned imm)
{
    return (op << 24) | (a << 16) | (b << 12) | (imm & 0xffff);
}

/* ---- translation ---- */

static TCGv_i64 cpu_r[16], cpu_pc;

static void toy_tcg_init(CPUState *cs)
{
    static const char *names[16] = {"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7",
                                    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    for (int i = 0; i < 16; i++) {
        cpu_r[i] = tcg_global_mem_new_i64(offsetof(ToyCPU, r[i]), names[i]);
    }
    cpu_pc = tcg_global_mem_new_i64(offsetof(ToyCPU, pc), "pc");
}

static void helper_halt(CPUState *cs)
{
    cs->exception_index = EXCP_HLT;
    cpu_loop_exit(cs);
}

static const TCGHelperInfo info_halt = {
    .func = (void *)helper_halt, .name = "halt", .flags = 0, .nb_args = 1,
    .ret = TCG_CALL_VOID, .args = {TCG_CALL_PTR}};

static void toy_init_disas(DisasContextBase *db, CPUState *cs) {}
static void toy_tb_start(DisasContextBase *db, CPUState *cs) {}

static void toy_insn_start(DisasContextBase *db, CPUState *cs)
{
    tcg_gen_insn_start(db->pc_next, 0);
}

static void gen_goto(DisasContextBase *db, int slot, uint64_t dest)
{
    if (translator_use_goto_tb(db, dest)) {
        tcg_gen_goto_tb(slot);
        tcg_gen_movi_i64(cpu_pc, (int64_t)dest);
        tcg_gen_exit_tb(db->tb, slot);
    } else {
        tcg_gen_movi_i64(cpu_pc, (int64_t)dest);
        tcg_gen_lookup_and_goto_ptr();
    }
}

static void toy_translate_insn(DisasContextBase *db, CPUState *cs)
{
    uint64_t pc = db->pc_next;
    uint32_t w = translator_ldl(cs, db, pc);
    unsigned op = w >> 24, a = (w >> 16) & 15, b = (w >> 12) & 15;
    uint16_t imm = w & 0xffff;
    db->pc_next = pc + 4;
    switch (op) {
    case 1: tcg_gen_movi_i64(cpu_r[a], imm); break;
    case 2: tcg_gen_guest_ld_i64(cpu_r[a], cpu_r[b], 0, MO_64); break;
    case 3: tcg_gen_guest_st_i64(cpu_r[a], cpu_r[b], 0, MO_64); break;
    case 4: tcg_gen_add_i64(cpu_r[a], cpu_r[a], cpu_r[b]); break;
    case 7: tcg_gen_subi_i64(cpu_r[a], cpu_r[a], imm); break;
    case 8: {
        TCGv_i32 t = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(t, cpu_r[a]);
        tcg_gen_guest_st_i32(t, cpu_r[b], 0, MO_32);
        /* code may have changed: end the TB so the next fetch sees it */
        tcg_gen_movi_i64(cpu_pc, (int64_t)db->pc_next);
        tcg_gen_exit_tb(NULL, 0);
        db->is_jmp = DISAS_NORETURN;
        break;
    }
    case 6: {
        TCGLabel *l = gen_new_label();
        tcg_gen_brcondi_i64(TCG_COND_EQ, cpu_r[a], 0, l);
        gen_goto(db, 0, pc + 4 * (int64_t)(int16_t)imm);
        gen_set_label(l);
        gen_goto(db, 1, pc + 4);
        db->is_jmp = DISAS_NORETURN;
        break;
    }
    default: { /* HALT and anything else */
        tcg_gen_movi_i64(cpu_pc, (int64_t)db->pc_next);
        int arg = tcgv_i64_idx(tcg_env());
        tcg_gen_callN(&info_halt, -1, 1, &arg);
        db->is_jmp = DISAS_NORETURN;
        break;
    }
    }
}

static void toy_tb_stop(DisasContextBase *db, CPUState *cs)
{
    if (db->is_jmp == DISAS_TOO_MANY) {
        gen_goto(db, 0, db->pc_next);
    }
}

static const TranslatorOps toy_ops = {
    .init_disas_context = toy_init_disas,
    .tb_start = toy_tb_start,
    .insn_start = toy_insn_start,
    .translate_insn = toy_translate_insn,
    .tb_stop = toy_tb_stop,
};

static void toy_translate(CPUState *cs, TranslationBlock *tb, int max_insns)
{
    DisasContextBase db;
    translator_loop(cs, tb, max_insns, &toy_ops, &db);
}

static void toy_get_tb_cpu_state(CPUState *cs, uint64_t *pc, uint64_t *cs_base, uint32_t *flags)
{
    *pc = ((ToyCPU *)cs)->pc;
    *cs_base = 0;
    *flags = 0;
}

static void toy_restore_state(CPUState *cs, const TranslationBlock *tb, const uint64_t *data)
{
    ((ToyCPU *)cs)->pc = data[0];
}

static bool toy_exec_interrupt(CPUState *cs, uint32_t req)
{
    return false;
}

static void toy_do_interrupt(CPUState *cs)
{
    ToyCPU *t = (ToyCPU *)cs;
    t->fault_pc = t->pc;
    t->faults++;
    t->pc += 4; /* skip the faulting instruction */
}

static bool toy_has_work(CPUState *cs)
{
    return true;
}

static bool toy_tlb_fill(CPUState *cs, uint64_t vaddr, int size, MMUAccessType access,
                         int mmu_idx, bool probe, uintptr_t ra)
{
    if (vaddr < RAM_BASE || vaddr >= RAM_BASE + RAM_SIZE) {
        if (probe) {
            return false;
        }
        cs->exception_index = EXCP_TOY_FAULT;
        cpu_loop_exit_restore(cs, ra);
    }
    tlb_set_page(cs, vaddr, vaddr, 0, PAGE_READ | PAGE_WRITE | PAGE_EXEC, mmu_idx);
    return true;
}

static int toy_mmu_index(CPUState *cs, bool ifetch)
{
    return 0;
}

static uint64_t toy_get_pc(CPUState *cs)
{
    return ((ToyCPU *)cs)->pc;
}

static void toy_noop_init(CPUState *cs, const char *model) {}
static void toy_reset(CPUState *cs) {}

static const CPUClass toy_class = {
    .arch = "toy",
    .instance_size = sizeof(ToyCPU),
    .init = toy_noop_init,
    .reset = toy_reset,
    .tcg_init = toy_tcg_init,
    .get_tb_cpu_state = toy_get_tb_cpu_state,
    .translate = toy_translate,
    .restore_state = toy_restore_state,
    .exec_interrupt = toy_exec_interrupt,
    .do_interrupt = toy_do_interrupt,
    .has_work = toy_has_work,
    .tlb_fill = toy_tlb_fill,
    .mmu_index = toy_mmu_index,
    .get_pc = toy_get_pc,
};

/* ---- the reference interpreter ---- */

typedef struct RefState {
    uint64_t r[16], pc;
    uint8_t mem[RAM_SIZE];
    int faults;
    uint64_t insns;
} RefState;

/* one instruction; returns false at HALT */
static bool ref_step(RefState *s)
{
    uint32_t w;
    memcpy(&w, &s->mem[s->pc - RAM_BASE], 4);
    unsigned op = w >> 24, a = (w >> 16) & 15, b = (w >> 12) & 15;
    uint16_t imm = w & 0xffff;
    uint64_t next = s->pc + 4;
    s->insns++;
    switch (op) {
    case 1: s->r[a] = imm; break;
    case 2:
    case 3:
    case 8: {
        uint64_t addr = s->r[b];
        unsigned size = op == 8 ? 4 : 8;
        if (addr < RAM_BASE || addr + size > RAM_BASE + RAM_SIZE) {
            s->faults++; /* the fault handler skips it; it does not retire */
            s->insns--;
            break;
        }
        if (op == 2) {
            memcpy(&s->r[a], &s->mem[addr - RAM_BASE], 8);
        } else {
            memcpy(&s->mem[addr - RAM_BASE], &s->r[a], size);
        }
        break;
    }
    case 4: s->r[a] += s->r[b]; break;
    case 6: if (s->r[a]) { next = s->pc + 4 * (int64_t)(int16_t)imm; } break;
    case 7: s->r[a] -= imm; break;
    default: s->pc = next; return false;
    }
    s->pc = next;
    return true;
}

/* ---- harness ---- */

static Machine machine;
static uint8_t *ram;

static ToyCPU *new_cpu(const TCGBackend *be, const uint32_t *prog, size_t n, bool icount)
{
    static int index;
    ToyCPU *t = aligned_alloc(64, (sizeof(ToyCPU) + 63) & ~(size_t)63);
    memset(t, 0, sizeof(*t));
    CPUState *cs = &t->parent;
    cs->cc = &toy_class;
    cs->cpu_index = index++;
    cs->machine = &machine;
    cs->exception_index = EXCP_NONE;
    memset(cs->tlb, 0xff, sizeof(cs->tlb));
    memset(ram, 0, RAM_SIZE);
    memcpy(ram, prog, n * 4);
    t->pc = RAM_BASE;
    tb_cache_new(cs, be, 4u << 20);
    cs->icount_enabled = icount;
    return t;
}

/* run until HALT (or budget end); returns the last cpu_exec result */
static int run(ToyCPU *t)
{
    for (int guard = 0; guard < 1000; guard++) {
        int r = cpu_exec(&t->parent);
        if (r == EXCP_HLT || r == EXCP_ICOUNT) {
            return r;
        }
    }
    return -1;
}

static void ref_init(RefState *s, const uint32_t *prog, size_t n)
{
    memset(s, 0, sizeof(*s));
    memcpy(s->mem, prog, n * 4);
    s->pc = RAM_BASE;
}

/* r0 = sum of 3, 10 times; the total stored at 0x10008000 and read back into r5;
 * then a load from an unmapped address (faults, skipped), then HALT */
static const uint32_t prog_loop[] = {
    0x01010000 | 10,              /* movi r1, 10 */
    0x01020000 | 3,               /* movi r2, 3 */
    0x01000000,                   /* movi r0, 0 */
    0x04000000 | (2 << 12),       /* loop: add r0, r2 */
    0x07010000 | 1,               /* subi r1, 1 */
    0x0601fffe,                   /* bnz r1, loop (-2) */
    0x01030000 | 0x1000,          /* movi r3, 0x1000 */
    0x01040000 | 0x8000,          /* movi r4, 0x8000 */
    0x04030000 | (3 << 12),       /* add r3, r3 ... r3 = 0x2000 */
    0x04030000 | (3 << 12),       /* r3 = 0x4000 */
    0x04030000 | (3 << 12),       /* r3 = 0x8000 */
    0x04030000 | (3 << 12),       /* r3 = 0x10000 */
    0x04030000 | (3 << 12),       /* r3 = 0x20000 */
    0x04030000 | (3 << 12),       /* r3 = 0x40000 */
    0x04030000 | (3 << 12),       /* r3 = 0x80000 */
    0x04030000 | (3 << 12),       /* r3 = 0x100000 */
    0x04030000 | (3 << 12),       /* r3 = 0x200000 */
    0x04030000 | (3 << 12),       /* r3 = 0x400000 */
    0x04030000 | (3 << 12),       /* r3 = 0x800000 */
    0x04030000 | (3 << 12),       /* r3 = 0x1000000 */
    0x04030000 | (3 << 12),       /* r3 = 0x2000000 */
    0x04030000 | (3 << 12),       /* r3 = 0x4000000 */
    0x04030000 | (3 << 12),       /* r3 = 0x8000000 */
    0x04030000 | (3 << 12),       /* r3 = 0x10000000 */
    0x04040000 | (3 << 12),       /* add r4, r3: r4 = 0x10008000 */
    0x03000000 | (4 << 12),       /* st r0, [r4] */
    0x02050000 | (4 << 12),       /* ld r5, [r4] */
    0x02060000 | (2 << 12),       /* ld r6, [r2]: address 3 faults */
    0x05000000,                   /* halt */
};

static bool same_state(ToyCPU *t, RefState *s, char *why, size_t n)
{
    if (t->pc != s->pc) {
        snprintf(why, n, "pc 0x%llx, expected 0x%llx", (unsigned long long)t->pc,
                 (unsigned long long)s->pc);
        return false;
    }
    for (int i = 0; i < 16; i++) {
        if (t->r[i] != s->r[i]) {
            snprintf(why, n, "r%d = 0x%llx, expected 0x%llx", i, (unsigned long long)t->r[i],
                     (unsigned long long)s->r[i]);
            return false;
        }
    }
    if (memcmp(ram, s->mem, RAM_SIZE) != 0) {
        snprintf(why, n, "memory differs");
        return false;
    }
    return true;
}

static void test_run_to_halt(const TCGBackend *be, const char *bn)
{
    char name[96], why[160] = "";
    RefState ref;
    ref_init(&ref, prog_loop, sizeof(prog_loop) / 4);
    while (ref_step(&ref)) {
    }
    ToyCPU *t = new_cpu(be, prog_loop, sizeof(prog_loop) / 4, false);
    int r = run(t);
    snprintf(name, sizeof(name), "toy-run-to-halt-%s", bn);
    bool ok = r == EXCP_HLT && same_state(t, &ref, why, sizeof(why));
    CHECK(name, ok, "exit %d; %s", r, why);
    snprintf(name, sizeof(name), "toy-fault-restores-pc-%s", bn);
    CHECK(name, t->faults == 1 && t->fault_pc == RAM_BASE + 27 * 4,
          "faults %d at 0x%llx, expected 1 at 0x%llx", t->faults,
          (unsigned long long)t->fault_pc, (unsigned long long)(RAM_BASE + 27 * 4));
    snprintf(name, sizeof(name), "toy-loop-chained-%s", bn);
    /* 10 iterations of the loop TB: with chaining the loop needs few dispatches */
    CHECK(name, t->parent.stats.tbs_executed < 10 && t->parent.stats.tbs_translated <= 6,
          "%llu TBs dispatched, %llu translated",
          (unsigned long long)t->parent.stats.tbs_executed,
          (unsigned long long)t->parent.stats.tbs_translated);
}

/* exact counting: stop after exactly n instructions, for every n */
static void test_icount_exact(const TCGBackend *be, const char *bn)
{
    char name[96], why[160] = "";
    bool ok = true;
    RefState ref;
    ref_init(&ref, prog_loop, sizeof(prog_loop) / 4);
    while (ref_step(&ref)) {
    }
    /* every budget that ends before the HALT (which itself counts) */
    uint64_t total = ref.insns - 1;
    for (uint64_t n = 1; n <= total && ok; n++) {
        ref_init(&ref, prog_loop, sizeof(prog_loop) / 4);
        while (ref.insns < n && ref_step(&ref)) {
        }
        ToyCPU *t = new_cpu(be, prog_loop, sizeof(prog_loop) / 4, true);
        cpu_icount_set_budget(&t->parent, n);
        int r = run(t);
        ok = r == EXCP_ICOUNT && same_state(t, &ref, why, sizeof(why)) &&
             t->parent.stats.insns == n;
        if (!ok) {
            snprintf(why + strlen(why), sizeof(why) - strlen(why),
                     " (budget %llu, exit %d, counted %llu)", (unsigned long long)n, r,
                     (unsigned long long)t->parent.stats.insns);
        }
    }
    snprintf(name, sizeof(name), "toy-icount-stop-after-exactly-n-%s", bn);
    CHECK(name, ok, "%s", why);
}

/* self-modifying code: patch a later instruction, then run it */
static void test_smc(const TCGBackend *be, const char *bn)
{
    char name[96], why[160] = "";
    uint32_t p2[] = {
        enc(2, 11, 12, 0),                /* 0: ld r11, [r12]   r12 preset: address of const */
        enc(2, 13, 14, 0),                /* 1: ld r13, [r14]   r14 preset: new insn word */
        enc(8, 13, 11, 0),                /* 2: stw r13, [r11]  patch insn 5 */
        enc(1, 1, 0, 0),                  /* 3: movi r1, 0 */
        enc(6, 15, 0, 1),                 /* 4: bnz r15, +1 (r15 preset 1: new TB) */
        enc(1, 7, 0, 1),                  /* 5: movi r7, 1  -> patched to movi r7, 0x77 */
        enc(5, 0, 0, 0),                  /* 6: halt */
    };
    RefState ref;
    ToyCPU *t = new_cpu(be, p2, 7, false);
    ref_init(&ref, p2, 7);
    /* data: the address of insn 5 and the replacement word */
    uint64_t addr5 = RAM_BASE + 5 * 4, word = enc(1, 7, 0, 0x77);
    memcpy(ram + 0x100, &addr5, 8);
    memcpy(ram + 0x108, &word, 8);
    memcpy(ref.mem + 0x100, &addr5, 8);
    memcpy(ref.mem + 0x108, &word, 8);
    t->r[12] = ref.r[12] = RAM_BASE + 0x100;
    t->r[14] = ref.r[14] = RAM_BASE + 0x108;
    t->r[15] = ref.r[15] = 1;
    /* translate insn 5 first (run it once from pc 5), so the patch must invalidate it */
    t->pc = RAM_BASE + 5 * 4;
    run(t);
    t->pc = RAM_BASE;
    t->r[7] = 0;
    int r = run(t);
    while (ref_step(&ref)) {
    }
    snprintf(name, sizeof(name), "toy-self-modifying-code-%s", bn);
    CHECK(name, r == EXCP_HLT && same_state(t, &ref, why, sizeof(why)) && t->r[7] == 0x77,
          "exit %d, r7 = 0x%llx; %s", r, (unsigned long long)t->r[7], why);
}

/* instrumentation: every instruction, TB and memory access reported */
static uint64_t seen_insns, seen_tb_insns, seen_loads, seen_stores, last_store_addr,
    last_store_val;

static void on_tb(CPUState *cs, uint64_t pc, unsigned n, void *o)
{
    seen_tb_insns += n;
}

static void on_insn(CPUState *cs, uint64_t pc, void *o)
{
    seen_insns++;
}

static void on_mem(CPUState *cs, uint64_t vaddr, uint64_t value, MemOpIdx oi, bool st, void *o)
{
    if (st) {
        seen_stores++;
        last_store_addr = vaddr;
        last_store_val = value;
    } else {
        seen_loads++;
    }
}

static void test_instrument(const TCGBackend *be, const char *bn)
{
    char name[96], why[160] = "";
    static const InstrumentOps ops = {.tb_exec = on_tb, .insn_exec = on_insn, .mem = on_mem};
    RefState ref;
    ref_init(&ref, prog_loop, sizeof(prog_loop) / 4);
    while (ref_step(&ref)) {
    }
    seen_insns = seen_tb_insns = seen_loads = seen_stores = 0;
    instrument_set(&ops);
    ToyCPU *t = new_cpu(be, prog_loop, sizeof(prog_loop) / 4, false);
    int r = run(t);
    instrument_set(NULL);
    bool ok = r == EXCP_HLT && same_state(t, &ref, why, sizeof(why));
    snprintf(name, sizeof(name), "toy-instrumented-run-same-result-%s", bn);
    CHECK(name, ok, "%s", why);
    /* ref.insns counts retired instructions incl. HALT; the faulting load is reported
     * before it faults, the HALT before it runs */
    snprintf(name, sizeof(name), "toy-instrument-insn-count-%s", bn);
    CHECK(name, seen_insns == ref.insns + 1, "%llu insn callbacks, expected %llu",
          (unsigned long long)seen_insns, (unsigned long long)(ref.insns + 1));
    snprintf(name, sizeof(name), "toy-instrument-mem-%s", bn);
    CHECK(name, seen_stores == 1 && seen_loads == 1 && last_store_addr == RAM_BASE + 0x8000 &&
                    last_store_val == 30,
          "%llu loads, %llu stores, last store 0x%llx <- %llu", (unsigned long long)seen_loads,
          (unsigned long long)seen_stores, (unsigned long long)last_store_addr,
          (unsigned long long)last_store_val);
    snprintf(name, sizeof(name), "toy-instrument-tb-covers-insns-%s", bn);
    CHECK(name, seen_tb_insns >= seen_insns, "TB callbacks cover %llu insns, %llu ran",
          (unsigned long long)seen_tb_insns, (unsigned long long)seen_insns);
    /* and uninstrumented TBs carry no calls: a fresh run sees no callbacks */
    seen_insns = 0;
    t = new_cpu(be, prog_loop, sizeof(prog_loop) / 4, false);
    run(t);
    snprintf(name, sizeof(name), "toy-uninstrumented-no-callbacks-%s", bn);
    CHECK(name, seen_insns == 0, "%llu callbacks without a tool", (unsigned long long)seen_insns);
}

int main(void)
{
    machine.as = address_space_new("toy");
    ram = memory_map_ram(machine.as, "ram", RAM_BASE, RAM_SIZE)->host;
    const struct {
        const TCGBackend *be;
        const char *name;
    } backends[] = {{&tcg_backend_x86_64, "jit"}, {&tcg_backend_interp, "interp"}};
    for (int i = 0; i < 2; i++) {
        test_run_to_halt(backends[i].be, backends[i].name);
        test_icount_exact(backends[i].be, backends[i].name);
        test_smc(backends[i].be, backends[i].name);
        test_instrument(backends[i].be, backends[i].name);
    }
    return failures ? 1 : 0;
}
