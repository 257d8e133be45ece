/*
 * test-tcg-jit-mem.c — guest memory through the JIT's softmmu paths, the
 * atomics and 128-bit accesses, faults, and the host return address that
 * maps a fault back to its guest instruction; differential against the
 * interpreter.
 *
 * Each backend gets its own fake machine (1 MiB of RAM plus a small
 * device) and a fake CPU class whose MMU maps vaddr = paddr + VOFF, faults
 * outside, and makes one page read-only. Programs run twice: with a cold TLB
 * (every access misses: the out-of-line slow path, then the TLB fill) and
 * with the TLB warm (the inline fast path). RAM, device registers and guest
 * registers must match the interpreter's after every run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/cputlb.h"
#include "exec/memory.h"
#include "system/machine.h"
#include "tcg-harness.h"
#include "tcg/x86_64/jit.h"

static int failures;
static char why[512];
static bool case_ok;

static void case_begin(void)
{
    case_ok = true;
    why[0] = 0;
}

static void case_end(const char *name)
{
    if (case_ok) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
}

static void fail(const char *fmt, ...)
{
    if (!case_ok) {
        return;
    }
    case_ok = false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
}

#define VOFF 0x10000000ull
#define RAM_BASE 0x40000000ull
#define RAM_SIZE (1u << 20)
#define DEV_BASE 0x09000000ull
#define VRAM (VOFF + RAM_BASE)
#define VDEV (VOFF + DEV_BASE)
#define RO_PAGE (RAM_BASE + 0x8000) /* physical page mapped read-only */
#define MMU_IDX 1

/* ---------------------------------------------------------------- fake machine */

typedef struct Side {
    Harness *h;
    Machine m;
    uint8_t *ram;
    uint64_t dev[8];
    int fills, faults;
    uintptr_t fault_ra;
} Side;

static Side J, I;

static Side *side_of(CPUState *cpu)
{
    return cpu == &J.h->cpu->parent ? &J : &I;
}

static uint64_t dev_read(void *opaque, uint64_t off, unsigned size)
{
    uint64_t *d = opaque;
    return d[(off / 8) % 8] >> (8 * (off % 8));
}

static void dev_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    uint64_t *d = opaque;
    d[(off / 8) % 8] = val * 3 + size; /* visible, size-dependent side effect */
}

static const MemoryRegionOps dev_ops = {.read = dev_read, .write = dev_write,
                                        .min_access = 1, .max_access = 8};

static bool fake_tlb_fill(CPUState *cpu, uint64_t vaddr, int size, MMUAccessType access,
                          int mmu_idx, bool probe, uintptr_t ra)
{
    Side *sd = side_of(cpu);
    uint64_t pa = vaddr - VOFF;
    bool in_ram = vaddr >= VOFF && pa >= RAM_BASE && pa < RAM_BASE + RAM_SIZE;
    bool in_dev = vaddr >= VOFF && pa >= DEV_BASE && pa < DEV_BASE + 0x1000;
    bool ro = (pa & TARGET_PAGE_MASK) == RO_PAGE;
    if (!(in_ram || in_dev) || (ro && access == MMU_DATA_STORE)) {
        if (probe) {
            return false;
        }
        sd->faults++;
        sd->fault_ra = ra;
        cpu_loop_exit_restore(cpu, ra);
    }
    sd->fills++;
    tlb_set_page(cpu, vaddr & TARGET_PAGE_MASK, pa & TARGET_PAGE_MASK, 0,
                 PAGE_READ | PAGE_EXEC | (ro ? 0 : PAGE_WRITE), mmu_idx);
    return true;
}

static void fake_unaligned(CPUState *cpu, uint64_t vaddr, MMUAccessType access, int mmu_idx,
                           uintptr_t ra)
{
    Side *sd = side_of(cpu);
    sd->faults++;
    sd->fault_ra = ra;
    cpu_loop_exit_restore(cpu, ra);
}

static void fake_tx_failed(CPUState *cpu, uint64_t paddr, uint64_t vaddr,
                           MMUAccessType access, int mmu_idx, uintptr_t ra)
{
}

static int fake_mmu_index(CPUState *cpu, bool ifetch)
{
    return MMU_IDX;
}

static const CPUClass fake_class = {
    .arch = "fake",
    .instance_size = sizeof(HarnessCPU),
    .tlb_fill = fake_tlb_fill,
    .do_unaligned_access = fake_unaligned,
    .do_transaction_failed = fake_tx_failed,
    .mmu_index = fake_mmu_index,
};

static void side_init(Side *sd, const TCGBackend *be)
{
    sd->h = harness_new(be);
    sd->m.as = address_space_new("test");
    MemoryRegion *mr = memory_map_ram(sd->m.as, "ram", RAM_BASE, RAM_SIZE);
    sd->ram = mr->host;
    memory_map_mmio(sd->m.as, "dev", DEV_BASE, 0x1000, &dev_ops, sd->dev);
    CPUState *cpu = &sd->h->cpu->parent;
    cpu->cc = &fake_class;
    cpu->machine = &sd->m;
    memset(cpu->tlb, 0xff, sizeof(cpu->tlb));
}

static void reset_state(Side *sd, const uint64_t *in, int nin, uint64_t pattern_seed)
{
    uint64_t x = pattern_seed | 1;
    for (unsigned i = 0; i < 4 * 4096; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(sd->ram + i, &x, 8);
        memcpy(sd->ram + 0x8000 + (i % 4096), &x, 8); /* the read-only page */
    }
    for (int i = 0; i < 8; i++) {
        sd->dev[i] = 0x0101010101010101ull * (uint64_t)(i + 1);
    }
    memset(sd->h->cpu->regs, 0, sizeof(sd->h->cpu->regs));
    for (int i = 0; i < nin; i++) {
        sd->h->cpu->regs[i] = in[i];
    }
    sd->faults = 0;
}

static bool compare(const char *what)
{
    for (int i = 0; i < HARNESS_NREGS; i++) {
        if (J.h->cpu->regs[i] != I.h->cpu->regs[i]) {
            fail("%s: r%d jit %#llx interp %#llx", what, i,
                 (unsigned long long)J.h->cpu->regs[i], (unsigned long long)I.h->cpu->regs[i]);
            return false;
        }
    }
    for (unsigned i = 0; i < 4 * 4096; i++) {
        if (J.ram[i] != I.ram[i]) {
            fail("%s: ram[%#x] jit %#x interp %#x", what, i, J.ram[i], I.ram[i]);
            return false;
        }
    }
    for (int i = 0; i < 8; i++) {
        if (J.dev[i] != I.dev[i]) {
            fail("%s: dev[%d] jit %#llx interp %#llx", what, i, (unsigned long long)J.dev[i],
                 (unsigned long long)I.dev[i]);
            return false;
        }
    }
    if (J.faults != I.faults) {
        fail("%s: faults jit %d interp %d", what, J.faults, I.faults);
        return false;
    }
    return true;
}

/* run the last generated code; false if it left through a guest fault
 * (harness_exec catches the siglongjmp of cpu_loop_exit_restore) */
static bool exec_side(Side *sd)
{
    return harness_exec(sd->h) != HARNESS_FAULT;
}

typedef void (*BuildFn)(Side *sd, void *arg);

static void build_both(BuildFn fn, void *arg)
{
    Side *sides[2] = {&J, &I};
    for (int k = 0; k < 2; k++) {
        Side *sd = sides[k];
        harness_begin(sd->h);
        fn(sd, arg);
        /* generate (running once on zeroed registers touches no memory:
         * every program checks r15 first) */
        memset(sd->h->cpu->regs, 0, sizeof(sd->h->cpu->regs));
        harness_run(sd->h, HARNESS_OPT | HARNESS_LIVENESS);
    }
}

/* ---------------------------------------------------------------- random ld/st programs */

typedef struct Rng {
    uint64_t s;
} Rng;

static uint64_t rnd(Rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

static const MemOp sizes[] = {MO_8, MO_16, MO_32, MO_64};

static void build_ldst(Side *sd, void *arg)
{
    Harness *h = sd->h;
    Rng r = {*(uint64_t *)arg};
    TCGLabel *go = gen_new_label();
    tcg_gen_brcondi_i64(TCG_COND_NE, h->r[15], 0, go);
    tcg_gen_exit_tb(NULL, 0);
    gen_set_label(go);
    int n = 4 + (int)(rnd(&r) % 24);
    TCGv_i64 t = tcg_temp_new_i64();
    TCGv_i32 x = tcg_temp_new_i32();
    for (int i = 0; i < n; i++) {
        /* address: RAM (pages 0..3, any alignment, page ends) or the device */
        uint64_t off;
        switch (rnd(&r) % 4) {
        case 0: off = 4096 * (rnd(&r) % 4) + 4096 - 1 - rnd(&r) % 8; break;
        case 1: off = rnd(&r) % (4 * 4096 - 16); break;
        default: off = (rnd(&r) % (4 * 4096 / 8 - 2)) * 8; break;
        }
        TCGv_i64 base = h->r[14]; /* VRAM */
        if (rnd(&r) % 8 == 0) {
            base = h->r[13]; /* VDEV */
            off = (rnd(&r) % 16) * 4;
        }
        MemOp mop = sizes[rnd(&r) % 4];
        if (rnd(&r) & 1) {
            mop |= MO_SIGN;
        }
        if (rnd(&r) % 4 == 0) {
            mop |= MO_BSWAP;
        }
        tcg_gen_addi_i64(t, base, (int64_t)off);
        int d = (int)(rnd(&r) % 12), s = (int)(rnd(&r) % 12);
        bool w32 = (mop & MO_SIZE) != MO_64 && (rnd(&r) & 1);
        unsigned what = (unsigned)(rnd(&r) % 7);
        if (what >= 5 && base == h->r[13]) {
            what = 0; /* no 128-bit device accesses */
        }
        switch (what) {
        case 5:
            /* 128-bit load: any alignment (crossing pages too) */
            tcg_gen_guest_ld_i128(h->r[d], h->r[(d + 1) % 12], t, MMU_IDX, MO_128);
            break;
        case 6:
            tcg_gen_guest_st_i128(h->r[s], h->r[(s + 5) % 12], t, MMU_IDX, MO_128);
            break;
        case 0:
        case 1:
            if (w32) {
                tcg_gen_guest_ld_i32(x, t, MMU_IDX, mop);
                tcg_gen_extu_i32_i64(h->r[d], x);
            } else {
                tcg_gen_guest_ld_i64(h->r[d], t, MMU_IDX, mop);
            }
            break;
        case 2:
            if (w32) {
                tcg_gen_extrl_i64_i32(x, h->r[s]);
                tcg_gen_guest_st_i32(x, t, MMU_IDX, mop & ~MO_SIGN);
            } else {
                tcg_gen_guest_st_i64(h->r[s], t, MMU_IDX, mop & ~MO_SIGN);
            }
            break;
        case 3:
            /* constant store value */
            tcg_gen_guest_st_i64(tcg_constant_i64((int64_t)rnd(&r)), t, MMU_IDX, mop & ~MO_SIGN);
            break;
        default:
            /* arithmetic on globals between accesses (values live across slow paths) */
            tcg_gen_add_i64(h->r[d], h->r[d], h->r[s]);
            tcg_gen_rotli_i64(h->r[s], h->r[s], 13);
            break;
        }
    }
    tcg_gen_exit_tb(NULL, 0);
}

static void test_random_ldst(int nprogs)
{
    case_begin();
    for (int p = 0; p < nprogs && case_ok; p++) {
        uint64_t seed = 0x5eed0000ull + (uint64_t)p * 7919;
        build_both(build_ldst, &seed);
        for (int run = 0; run < 2 && case_ok; run++) {
            Rng vr = {seed * 31 + 1};
            uint64_t in[16];
            for (int k = 0; k < 13; k++) {
                in[k] = rnd(&vr);
            }
            in[13] = VDEV;
            in[14] = VRAM;
            in[15] = 1;
            if (run == 0) {
                memset(J.h->cpu->parent.tlb, 0xff, sizeof(J.h->cpu->parent.tlb));
                memset(I.h->cpu->parent.tlb, 0xff, sizeof(I.h->cpu->parent.tlb));
            }
            reset_state(&J, in, 16, seed);
            reset_state(&I, in, 16, seed);
            bool okj = exec_side(&J), oki = exec_side(&I);
            char what[96];
            snprintf(what, sizeof(what), "seed %#llx %s TLB", (unsigned long long)seed,
                     run ? "warm" : "cold");
            if (okj != oki) {
                fail("%s: completed jit %d interp %d", what, okj, oki);
            }
            compare(what);
        }
    }
    case_end("guest_ld_st_random_cold_and_warm_tlb");
}

/* ---------------------------------------------------------------- faults and ra */

static int insn_of(Side *sd, uintptr_t ra)
{
    TCGContext *s = sd->h->s;
    uintptr_t start = (uintptr_t)sd->h->tb.tc_ptr;
    if (ra <= start || ra > start + sd->h->tb.tc_size) {
        return -1;
    }
    uintptr_t off = ra - 1 - start;
    int i = 0;
    while (i < s->nb_insns - 1 && off >= s->insn_end_off[i]) {
        i++;
    }
    return i;
}

typedef struct FaultCase {
    MemOp mop;
    bool store;
    bool w32;
} FaultCase;

/* insn 0: r1 += 1 (dirty global); insn 1: the access at r2; insn 2: r3 = 7 */
static void build_fault(Side *sd, void *arg)
{
    const FaultCase *c = arg;
    Harness *h = sd->h;
    TCGLabel *go = gen_new_label();
    tcg_gen_brcondi_i64(TCG_COND_NE, h->r[15], 0, go);
    tcg_gen_exit_tb(NULL, 0);
    gen_set_label(go);
    tcg_gen_insn_start(0x1000, 0);
    tcg_gen_addi_i64(h->r[1], h->r[1], 1);
    tcg_gen_movi_i64(h->r[4], 0x4444);
    tcg_gen_insn_start(0x1004, 0);
    if ((c->mop & MO_SIZE) == MO_128) {
        if (c->store) {
            tcg_gen_guest_st_i128(h->r[5], h->r[1], h->r[2], MMU_IDX, c->mop);
        } else {
            tcg_gen_guest_ld_i128(h->r[6], h->r[7], h->r[2], MMU_IDX, c->mop);
        }
    } else if (c->store) {
        tcg_gen_guest_st_i64(h->r[5], h->r[2], MMU_IDX, c->mop);
    } else if (c->w32) {
        TCGv_i32 x = tcg_temp_new_i32();
        tcg_gen_guest_ld_i32(x, h->r[2], MMU_IDX, c->mop);
        tcg_gen_extu_i32_i64(h->r[6], x);
    } else {
        tcg_gen_guest_ld_i64(h->r[6], h->r[2], MMU_IDX, c->mop);
    }
    tcg_gen_insn_start(0x1008, 0);
    tcg_gen_movi_i64(h->r[3], 7);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_faults(void)
{
    static const FaultCase cases[] = {
        {MO_32, false, false},        {MO_64, true, false},
        {MO_16 | MO_SIGN, false, true}, {MO_32 | MO_ALIGN, false, false},
        {MO_64 | MO_ALIGN, true, false},
        {MO_128 | MO_ALIGN, false, false}, {MO_128, true, false},
        {MO_128 | MO_ALIGN, true, false},
    };
    case_begin();
    for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]) && case_ok; ci++) {
        const FaultCase *c = &cases[ci];
        build_both(build_fault, (void *)c);
        /* a faulting address: unmapped, the read-only page for stores, or misaligned */
        uint64_t addrs[3] = {0x2000, VOFF + RO_PAGE + 8, VRAM + 4097};
        for (int ai = 0; ai < 3 && case_ok; ai++) {
            if (ai == 1 && !c->store) {
                continue;
            }
            if (ai == 2 && !(c->mop & MO_ALIGN)) {
                continue;
            }
            for (int run = 0; run < 2 && case_ok; run++) {
                uint64_t in[16] = {0, 100, addrs[ai], 0x3333, 0, 0x5555, 0x6666};
                in[15] = 1;
                reset_state(&J, in, 16, 9);
                reset_state(&I, in, 16, 9);
                bool okj = exec_side(&J), oki = exec_side(&I);
                char what[96];
                snprintf(what, sizeof(what), "case %zu addr %#llx run %d", ci,
                         (unsigned long long)addrs[ai], run);
                if (okj || oki) {
                    fail("%s: no fault (jit %d interp %d)", what, okj, oki);
                    break;
                }
                compare(what);
                if (J.h->cpu->regs[1] != 101) {
                    fail("%s: dirty global not written back before the access", what);
                }
                if (J.h->cpu->regs[3] != 0x3333) {
                    fail("%s: an instruction after the fault ran", what);
                }
                int ij = insn_of(&J, J.fault_ra);
                if (ij != 1) {
                    fail("%s: ra %#lx maps to insn %d, want 1", what, (unsigned long)J.fault_ra, ij);
                }
            }
        }
    }
    case_end("faults_sync_globals_and_ra_maps_to_insn");
}

/* ---------------------------------------------------------------- atomics, 128-bit */

static const TCGAtomicOp aops[] = {
    TCG_ATOMIC_XCHG, TCG_ATOMIC_ADD, TCG_ATOMIC_AND, TCG_ATOMIC_ANDC, TCG_ATOMIC_OR,
    TCG_ATOMIC_XOR, TCG_ATOMIC_SMIN, TCG_ATOMIC_SMAX, TCG_ATOMIC_UMIN, TCG_ATOMIC_UMAX,
};

static void build_atomics(Side *sd, void *arg)
{
    Harness *h = sd->h;
    (void)arg;
    TCGLabel *go = gen_new_label();
    tcg_gen_brcondi_i64(TCG_COND_NE, h->r[15], 0, go);
    tcg_gen_exit_tb(NULL, 0);
    gen_set_label(go);
    TCGv_i64 a = tcg_temp_new_i64();
    TCGv_i32 x = tcg_temp_new_i32(), y = tcg_temp_new_i32(), z = tcg_temp_new_i32();
    int slot = 0;
    for (int s = 0; s < 4; s++) {
        for (int sign = 0; sign < 2; sign++) {
            MemOp mop = sizes[s] | (sign ? MO_SIGN : 0);
            /* cmpxchg: one that succeeds (cmp = old), one that fails */
            for (int k = 0; k < 2; k++) {
                tcg_gen_addi_i64(a, h->r[14], 8 * slot++);
                TCGv_i64 cmp = tcg_temp_new_i64();
                tcg_gen_guest_ld_i64(cmp, a, MMU_IDX, sizes[s]);
                if (k) {
                    tcg_gen_addi_i64(cmp, cmp, 1);
                }
                tcg_gen_atomic_cmpxchg_i64(h->r[(slot % 8) + 1], a, cmp, h->r[0], MMU_IDX, mop);
                tcg_gen_add_i64(h->r[10], h->r[10], h->r[(slot % 8) + 1]);
            }
            if (s < 3) {
                tcg_gen_addi_i64(a, h->r[14], 8 * slot++);
                tcg_gen_extrl_i64_i32(y, h->r[0]);
                tcg_gen_extrl_i64_i32(z, h->r[1]);
                tcg_gen_atomic_cmpxchg_i32(x, a, y, z, MMU_IDX, mop);
                tcg_gen_extu_i32_i64(h->r[9], x);
                tcg_gen_add_i64(h->r[11], h->r[11], h->r[9]);
            }
            for (size_t o = 0; o < sizeof(aops) / sizeof(aops[0]); o++) {
                tcg_gen_addi_i64(a, h->r[14], 8 * slot++);
                tcg_gen_atomic_rmw_i64(aops[o], h->r[8], a, h->r[2], MMU_IDX, mop);
                tcg_gen_xor_i64(h->r[12], h->r[12], h->r[8]);
                tcg_gen_rotli_i64(h->r[12], h->r[12], 7);
                if (s < 3) {
                    tcg_gen_addi_i64(a, h->r[14], 8 * slot++);
                    tcg_gen_extrl_i64_i32(y, h->r[3]);
                    tcg_gen_atomic_rmw_i32(aops[o], x, a, y, MMU_IDX, mop);
                    tcg_gen_extu_i32_i64(h->r[9], x);
                    tcg_gen_xor_i64(h->r[11], h->r[11], h->r[9]);
                    tcg_gen_rotli_i64(h->r[11], h->r[11], 5);
                }
            }
        }
    }
    /* byte-swapped atomics */
    tcg_gen_addi_i64(a, h->r[14], 8 * slot++);
    tcg_gen_atomic_rmw_i64(TCG_ATOMIC_ADD, h->r[7], a, h->r[2], MMU_IDX, MO_32 | MO_BSWAP);
    tcg_gen_addi_i64(a, h->r[14], 8 * slot++);
    tcg_gen_atomic_cmpxchg_i64(h->r[6], a, h->r[5], h->r[4], MMU_IDX, MO_64 | MO_BSWAP);
    /* 128-bit: store, load back, compare-and-swap (success and failure) */
    tcg_gen_addi_i64(a, h->r[14], 2048);
    tcg_gen_guest_st_i128(h->r[0], h->r[1], a, MMU_IDX, MO_128 | MO_ALIGN);
    tcg_gen_guest_ld_i128(h->r[4], h->r[5], a, MMU_IDX, MO_128 | MO_ALIGN);
    tcg_gen_atomic_cmpxchg_i128(h->r[6], h->r[7], a, h->r[0], h->r[1], h->r[2], h->r[3],
                                MMU_IDX, MO_128 | MO_ALIGN);
    tcg_gen_atomic_cmpxchg_i128(h->r[13], h->r[15], a, h->r[0], h->r[1], h->r[8], h->r[9],
                                MMU_IDX, MO_128 | MO_ALIGN);
    tcg_gen_guest_ld_i128(h->r[0], h->r[1], a, MMU_IDX, MO_128);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_atomics(void)
{
    case_begin();
    build_both(build_atomics, NULL);
    for (int run = 0; run < 6 && case_ok; run++) {
        Rng vr = {0xa70111c5ull + (uint64_t)run};
        uint64_t in[16];
        for (int k = 0; k < 13; k++) {
            in[k] = run & 1 ? rnd(&vr) : rnd(&vr) % 300;
        }
        in[13] = 0;
        in[14] = VRAM + 4096 * (uint64_t)(run % 3);
        in[15] = 1;
        if (run % 3 == 0) {
            memset(J.h->cpu->parent.tlb, 0xff, sizeof(J.h->cpu->parent.tlb));
            memset(I.h->cpu->parent.tlb, 0xff, sizeof(I.h->cpu->parent.tlb));
        }
        reset_state(&J, in, 16, 77 + (uint64_t)run);
        reset_state(&I, in, 16, 77 + (uint64_t)run);
        bool okj = exec_side(&J), oki = exec_side(&I);
        char what[64];
        snprintf(what, sizeof(what), "run %d", run);
        if (!okj || !oki) {
            fail("%s: unexpected fault (jit %d interp %d)", what, okj, oki);
        }
        compare(what);
    }
    case_end("atomics_cmpxchg_rmw_all_ops_sizes_and_128bit");
}

int main(void)
{
    side_init(&J, &tcg_backend_x86_64);
    side_init(&I, &tcg_backend_interp);
    X86Features host = x86_features;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            memset(&x86_features, 0, sizeof(x86_features)); /* no movbe: bswap stores */
        }
        test_random_ldst(400);
        test_faults();
        test_atomics();
    }
    x86_features = host;
    return failures ? 1 : 0;
}
