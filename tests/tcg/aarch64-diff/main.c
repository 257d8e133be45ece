/*
 * main.c — driver of the randomized differential tester (see gen.py).
 *
 * The generated program provides seq_count sequences: seq_table[i] is the
 * code of one (ending in `b seq_end`), seq_ids[i] its number, and
 * seq_inputs + i * 1280 its input state (layout: struct State).  For each,
 * run_seq() (start.S) runs it in place on that block; then we print
 *     seq <id> <hash>                     (a hash over the whole block), or
 *     seq <id> EXC esr=.. far=.. pc=+.. vec=.. <hash>
 *                                         (an exception; pc relative to the
 *                                         sequence start, far only for aborts,
 *                                         hash of the state at the exception)
 * With dump_mode set, every field of the block is printed too, one per line
 * ("<id> x3 0123..."), for the bisecting run of run.sh.
 * Built with -mgeneral-regs-only: this file never touches FP/SIMD state.
 */
#include <stdint.h>

struct State {
    uint64_t x[28];
    uint64_t nzcv, fpcr, fpsr, pad;
    uint64_t q[32][2];          /* [0] = low half */
    uint64_t scratch[64];
};
_Static_assert(sizeof(struct State) == 1280, "layout shared with start.S/gen.py");

extern const uint8_t seq_inputs[];
extern const uint64_t seq_table[], seq_ids[], seq_count, dump_mode, irq_mode, smp_cpus;
extern uint64_t irq_state[2];
/* per CPU (start.S): saved sp, in_seq, exc_info[5] = esr, far, elr, vector index, run_seq's result */
extern uint64_t cpu_data[8][8];
extern uint64_t run_seq(uint64_t body, struct State *st);
extern void psci_off(void);
extern void secondary_entry(void);

#define UART_DR ((volatile uint32_t *)0x09000000)
#define UART_FR ((volatile uint32_t *)0x09000018)

static void out_c(char c)
{
    while (*UART_FR & (1 << 5)) {
    }
    *UART_DR = (uint32_t)c;
}

static void out_s(const char *s)
{
    while (*s) {
        out_c(*s++);
    }
}

static void out_hex(uint64_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--) {
        out_c("0123456789abcdef"[(v >> (4 * i)) & 15]);
    }
}

static void out_dec(uint64_t v)
{
    char b[24];
    int n = 0;
    do {
        b[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        out_c(b[--n]);
    }
}

static void dump_field(uint64_t id, const char *name, int idx, uint64_t hi, uint64_t lo, int wide)
{
    out_dec(id);
    out_c(' ');
    out_s(name);
    if (idx >= 0) {
        out_dec((uint64_t)idx);
    }
    out_c(' ');
    if (wide) {
        out_hex(hi, 16);
        out_c(':');
    }
    out_hex(lo, 16);
    out_c('\n');
}

static void dump(uint64_t id, const struct State *st)
{
    for (int i = 0; i < 28; i++) {
        dump_field(id, "x", i, 0, st->x[i], 0);
    }
    dump_field(id, "nzcv", -1, 0, st->nzcv, 0);
    dump_field(id, "fpsr", -1, 0, st->fpsr, 0);
    for (int i = 0; i < 32; i++) {
        dump_field(id, "q", i, st->q[i][1], st->q[i][0], 1);
    }
    for (int i = 0; i < 64; i++) {
        dump_field(id, "m", i * 8, 0, st->scratch[i], 0);
    }
}

static uint64_t hash_state(const struct State *st)
{
    const uint64_t *p = (const uint64_t *)st;
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (unsigned i = 0; i < sizeof(*st) / 8; i++) {
        h ^= p[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    return h;
}

/* The sequences run on a copy of their input placed so that the scratch
 * buffer straddles a page boundary (256 bytes on each side): accesses that
 * cross it take the page-crossing paths of the softmmu.  One such area per CPU. */
#define MAX_CPUS 4
uint8_t work_pages[MAX_CPUS][3 * 4096] __attribute__((aligned(4096)));
#define WORK_OFFSET (2 * 4096 - 256 - 768)   /* start.S maps work_pages[0] + 4096 at VA 0xc0000000 */

struct Result {
    uint64_t exc, esr, far, pc, vec, hash;
};
#define MAX_SEQS 16384
static struct Result results[MAX_SEQS];
static volatile uint64_t cpus_done;
#define MAX_DUMPS 2048
static struct State dumps[MAX_DUMPS];    /* dump_mode with several CPUs: printed by CPU 0 */

static void print_result(uint64_t id, const struct Result *r)
{
    out_s("seq ");
    out_dec(id);
    if (r->exc) {
        out_s(" EXC esr=");
        out_hex(r->esr, 8);
        out_s(" far=");
        out_hex(r->far, 16);
        out_s(" pc=+");
        out_hex(r->pc, 4);
        out_s(" vec=");
        out_dec(r->vec);
        if (r->exc == 2) {      /* the state at the exception was saved */
            out_c(' ');
            out_hex(r->hash, 16);
        }
    } else {
        out_c(' ');
        out_hex(r->hash, 16);
    }
    out_c('\n');
}

/* Runs the sequences i with i % ncpus == cpu; with one CPU prints as it goes. */
static void worker(uint64_t cpu)
{
    struct State *st = (struct State *)(work_pages[cpu] + WORK_OFFSET);
    uint64_t ncpus = smp_cpus > 1 ? smp_cpus : 1;
    for (uint64_t i = cpu; i < seq_count; i += ncpus) {
        const uint64_t *in = (const uint64_t *)(seq_inputs + i * sizeof(struct State));
        for (unsigned w = 0; w < sizeof(*st) / 8; w++) {
            ((uint64_t *)st)[w] = in[w];
        }
        uint64_t exc = run_seq(seq_table[i], st);
        const uint64_t *ei = &cpu_data[cpu][2];
        struct Result r = { exc, 0, 0, 0, 0, 0 };
        if (exc) {
            uint64_t ec = ei[0] >> 26;
            int abort = ec == 0x20 || ec == 0x21 || ec == 0x22 || ec == 0x24 || ec == 0x25 || ec == 0x26;
            r.esr = ei[0];
            r.far = abort ? ei[1] : 0;
            r.pc = ei[2] - seq_table[i];
            r.vec = ei[3];
        }
        if (exc != 1) {
            r.hash = hash_state(st);
        }
        if (ncpus == 1) {
            print_result(seq_ids[i], &r);
            if (dump_mode && exc != 1) {
                dump(seq_ids[i], st);
            }
        } else {
            results[i] = r;
            if (dump_mode && i < MAX_DUMPS) {
                for (unsigned w = 0; w < sizeof(*st) / 8; w++) {
                    ((uint64_t *)&dumps[i])[w] = ((const uint64_t *)st)[w];
                }
            }
        }
    }
    __atomic_fetch_add(&cpus_done, 1, __ATOMIC_RELEASE);
}

void secondary_main(uint64_t cpu);
void secondary_main(uint64_t cpu)
{
    worker(cpu);
}

static int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry)
{
    register uint64_t x0 __asm__("x0") = 0xc4000003;
    register uint64_t x1 __asm__("x1") = mpidr;
    register uint64_t x2 __asm__("x2") = entry;
    register uint64_t x3 __asm__("x3") = 0;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
    return (int64_t)x0;
}

int main(void)
{
    uint64_t ncpus = smp_cpus > 1 ? smp_cpus : 1;
    if (ncpus > MAX_CPUS || (ncpus > 1 && seq_count > MAX_SEQS)) {
        out_s("bad smp_cpus/seq_count\n");
        psci_off();
    }
    for (uint64_t c = 1; c < ncpus; c++) {
        if (psci_cpu_on(c, (uint64_t)secondary_entry) != 0) {
            out_s("CPU_ON failed\n");
            psci_off();
        }
    }
    worker(0);
    while (__atomic_load_n(&cpus_done, __ATOMIC_ACQUIRE) != ncpus) {
    }
    if (ncpus > 1) {
        for (uint64_t i = 0; i < seq_count; i++) {
            print_result(seq_ids[i], &results[i]);
            if (dump_mode && i < MAX_DUMPS && results[i].exc != 1) {
                dump(seq_ids[i], &dumps[i]);
            }
        }
    }
    out_s("done\n");
    if (irq_mode) {
        /* the count differs between emulators: a line the comparison ignores */
        out_s("irqs ");
        out_dec(irq_state[1]);
        out_c('\n');
    }
    psci_off();
    return 0;
}
