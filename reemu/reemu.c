/*
 * reemu.c — record and replay of parallel runs (include/reemu/reemu.h,
 * docs/reemu.md).
 *
 * Position of an event on a core: its exact retired-instruction count
 * (icount mode: cpu->icount_budget_base - budget left; the budget base is
 * kept absolute during replay so the two always agree) and, for inputs and
 * memory events, the core's count of ordered RAM accesses (`acc`, the
 * ordering module's pos). Both are deterministic in replay.
 *
 * Record: every core thread appends its own events to its own buffer in
 * the log writer (no global lock). Replay: the log is read and checked at
 * start; each core's stream is split into asynchronous events (applied at
 * TB boundaries: the core runs with an instruction budget that ends exactly
 * at the next one), input values (consumed in order, each checked against
 * its icount, acc and address) and ordering events (reemu/order.c).
 * A monitor thread notices when every core reached its recorded end and
 * only then lets the machine shut down.
 */
#include "reemu/reemu.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "coremu/coremu.h"
#include "exec/cputlb.h"
#include "exec/memory.h"
#include "exec/tb.h"
#include "reemu/code.h"
#include "reemu/log.h"
#include "reemu/order.h"
#include "system/cpus.h"
#include "system/block.h"
#include "system/machine.h"
#include "tcg/tcg.h"
#include "util/log.h"

int reemu_mode;
bool reemu_order_on;
int reemu_solo;

/*
 * Replay: one of a core's event streams (include/reemu/log.h, REEMU_CAT_*),
 * read from the log file a window at a time as the core consumes it. The
 * window is refilled as soon as it is used up, so an empty one means the
 * stream ended. Only the core's own thread touches it once the cores run.
 */
#define QWIN 1024
typedef struct EvQueue {
    ReemuStream *s; /* NULL: read to the end */
    ReemuEvent *buf;
    size_t n, next;
    uint64_t popped; /* atomic (reports) */
} EvQueue;

typedef struct ReemuCore {
    CPUState *cpu;
    OrderCore *oc;
    uint64_t rng;
    /* replay */
    EvQueue async, vals, codew;
    ReemuStream *order_s; /* RAW/WRITE, into the order module's window */
    OrderEvent *order_win;
    int async_end;        /* atomic: no asynchronous event left */
    uint64_t final_icount;
    uint64_t stop; /* absolute icount the budget ends at */
    bool stop_set;
    int finished;  /* atomic */
    char pad[64];
} ReemuCore;

static struct {
    const char *file;
    unsigned obj_shift;
    bool obj_shift_given;
    unsigned delay_us;
    bool no_solo;  /* -reemu solo=0: log the boot core's ordering before others start too */
    unsigned fast; /* -reemu fast=: 0 generic path only, 1 the helpers' C fast path,
                    * 2 (default) also inline in generated code while recording */
    bool code;    /* stores to code pages keep undo entries (reemu/code.c) */
    bool verbose;
    Machine *m;
    int ncores;
    ReemuCore *cores;
    ReemuWriter *w;
    ReemuLog *log;
    Order *order;
    uint64_t nobjs;
    uint64_t ram_objs; /* objects 0..ram_objs-1: guest physical memory (the last: the rest) */
    int ndev;          /* devices registered (reemu_device_register) */
    const char *dev_name[REEMU_MAX_DEVICES];
    int abort;       /* atomic: the run is ending (waits give up) */
    int shutdown_ok; /* atomic: replay: every core reached its end */
    pthread_t monitor;
    bool monitor_started;
    uint64_t t0_ns;
} R = {.obj_shift = 6, .fast = 2};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t core_icount(CPUState *cpu)
{
    return cpu->icount_budget_base - cpu_icount_budget_left(cpu);
}

/* Retired instructions before the one whose code contains ra. */
static uint64_t exact_icount(CPUState *cpu, uintptr_t ra)
{
    uint64_t now = core_icount(cpu);
    if (!ra) {
        return now;
    }
    TranslationBlock *tb = tb_find_by_host_pc(cpu, ra);
    if (!tb || !(tb->cflags & CF_ICOUNT) || tb->icount == 0) {
        return now;
    }
    uintptr_t off = ra - 1 - (uintptr_t)tb->tc_ptr;
    int i = 0;
    while (i < tb->icount - 1 && off >= tb->insn_end_off[i]) {
        i++;
    }
    return now - tb->icount + (uint64_t)i;
}

static inline uint64_t core_acc(ReemuCore *rc)
{
    return rc->oc ? rc->oc->pos : 0;
}

/* ---- divergence ---- */

static _Noreturn void diverge(int core, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    __atomic_store_n(&R.abort, 1, __ATOMIC_RELEASE);
    fflush(stdout);
    fprintf(stderr, "reemu: replay of '%s' diverged on core %d: %s\n", R.file, core, msg);
    fflush(stderr);
    _exit(1);
}

static void order_diverged(void *opaque, int core, const char *what)
{
    (void)opaque;
    diverge(core, "%s", what);
}

/* -reemu delay=N: random host delays of up to N us, about one call in rate_mask+1
 * (TB boundaries: 1/64; memory accesses, a hundred times more frequent: 1/8192) */
static void maybe_delay(ReemuCore *rc, uint64_t rate_mask)
{
    uint64_t x = rc->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rc->rng = x;
    if ((x & rate_mask) == 0) {
        uint64_t us = (x >> 20) % (R.delay_us + 1);
        if (us) {
            usleep((useconds_t)us);
        } else {
            sched_yield();
        }
    }
}

/* ---- options ---- */

bool reemu_is_option(const char *name)
{
    return strcmp(name, "record") == 0 || strcmp(name, "replay") == 0 ||
           strcmp(name, "reemu") == 0;
}

static bool set_mode(const char *opt, int mode, const char *file)
{
    if (reemu_mode && reemu_mode != mode) {
        error_report("option %s: -record and -replay exclude each other", opt);
        return false;
    }
    if (!file || !*file) {
        error_report("option %s needs a file name", opt);
        return false;
    }
    reemu_mode = mode;
    R.file = strdup(file);
    return true;
}

bool reemu_parse_option(const char *name, const char *value)
{
    if (strcmp(name, "record") == 0) {
        return set_mode("-record", REEMU_RECORD, value);
    }
    if (strcmp(name, "replay") == 0) {
        return set_mode("-replay", REEMU_REPLAY, value);
    }
    char *copy = strdup(value), *save = NULL;
    bool ok = true;
    for (char *tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        char *end = NULL;
        if (!eq) {
            error_report("option -reemu: '%s' is not of the form key=value", tok);
            ok = false;
            break;
        }
        *eq = 0;
        unsigned long v = strtoul(eq + 1, &end, 0);
        if (strcmp(tok, "obj") == 0) {
            if (!eq[1] || *end || v < 3 || v > 20) {
                error_report("option -reemu: obj must be a shift in 3..20 (object = 2^obj bytes), not '%s'",
                             eq + 1);
                ok = false;
            } else {
                R.obj_shift = (unsigned)v;
                R.obj_shift_given = true;
            }
        } else if (strcmp(tok, "delay") == 0) {
            if (!eq[1] || *end || v > 100000) {
                error_report("option -reemu: delay must be microseconds in 0..100000, not '%s'",
                             eq + 1);
                ok = false;
            } else {
                R.delay_us = (unsigned)v;
            }
        } else if (strcmp(tok, "verbose") == 0) {
            R.verbose = strcmp(eq + 1, "0") != 0 && strcmp(eq + 1, "off") != 0;
        } else if (strcmp(tok, "solo") == 0) {
            if (!eq[1] || *end || v > 1) {
                error_report("option -reemu: solo must be 0 or 1, not '%s'", eq + 1);
                ok = false;
            } else {
                R.no_solo = v == 0;
            }
        } else if (strcmp(tok, "fast") == 0) {
            if (!eq[1] || *end || v > 2) {
                error_report("option -reemu: fast must be 0, 1 or 2, not '%s'", eq + 1);
                ok = false;
            } else {
                R.fast = (unsigned)v;
            }
        } else {
            error_report("option -reemu: unknown property '%s' (obj, delay, fast, solo, verbose)",
                         tok);
            ok = false;
        }
    }
    free(copy);
    return ok;
}

bool reemu_parse_icount(const char *value)
{
    char *copy = strdup(value), *save = NULL;
    const char *rr = NULL, *file = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strncmp(tok, "rr=", 3) == 0) {
            rr = tok + 3;
        } else if (strncmp(tok, "rrfile=", 7) == 0) {
            file = tok + 7;
        }
    }
    bool ok = true;
    if (rr) {
        if (strcmp(rr, "record") == 0) {
            ok = set_mode("-icount rr=record", REEMU_RECORD, file);
        } else if (strcmp(rr, "replay") == 0) {
            ok = set_mode("-icount rr=replay", REEMU_REPLAY, file);
        } else if (strcmp(rr, "off") != 0) {
            error_report("option -icount: rr must be record, replay or off, not '%s'", rr);
            ok = false;
        }
    } else if (file) {
        error_report("option -icount: rrfile= needs rr=record or rr=replay");
        ok = false;
    }
    free(copy);
    return ok;
}

bool reemu_configure(MachineOptions *mo, CpusConfig *cfg)
{
    if (!reemu_mode) {
        return true;
    }
    /* disks: writes go to an overlay in memory, so record and replay start from the
     * image's content (the header names its size and hash) and leave the file alone */
    block_snapshot = true;
    if (reemu_mode == REEMU_REPLAY && mo->smp > 1 && cfg->single_thread) {
        error_report("-replay: a run of %d cores replays with thread=multi only (a core waiting "
                     "for another would block the one thread)",
                     mo->smp);
        return false;
    }
    cfg->icount = true;
    mo->icount = true;
    return true;
}

/* ---- header ---- */

static const uint64_t ram_bases[] = {0, 0x40000000ull, 0x80000000ull, 0x100000000ull};

static void ram_extent(Machine *m, uint64_t *end)
{
    *end = 0;
    for (size_t i = 0; i < sizeof(ram_bases) / sizeof(ram_bases[0]); i++) {
        const MemoryRegion *mr = memory_lookup(m->as, ram_bases[i]);
        if (mr && mr->is_ram && mr->base == ram_bases[i] && mr->base + mr->size > *end) {
            *end = mr->base + mr->size;
        }
    }
}

static uint64_t ram_hash(Machine *m)
{
    uint64_t h = 0x52414d;
    for (size_t i = 0; i < sizeof(ram_bases) / sizeof(ram_bases[0]); i++) {
        const MemoryRegion *mr = memory_lookup(m->as, ram_bases[i]);
        if (mr && mr->is_ram && mr->base == ram_bases[i] && mr->host) {
            h = reemu_hash_bytes(h, mr->host, mr->size);
        }
    }
    return h;
}

static uint64_t cpu_hash(CPUState *cpu)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        return 0;
    }
    if (cpu->cc->dump_state) {
        cpu->cc->dump_state(cpu, f);
    }
    fclose(f);
    uint64_t h = reemu_hash_bytes(0x435055, buf, len);
    free(buf);
    return h;
}

static void add(char **h, size_t *len, const char *key, const char *fmt, ...)
{
    char val[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    for (char *p = val; *p; p++) {
        if (*p == '\n') {
            *p = ' ';
        }
    }
    size_t need = strlen(key) + strlen(val) + 3;
    *h = realloc(*h, *len + need);
    *len += (size_t)sprintf(*h + *len, "%s=%s\n", key, val);
}

static void add_file(char **h, size_t *len, const char *key, const char *path)
{
    uint64_t hash = 0, size = 0;
    char k[64];
    add(h, len, key, "%s", path ? path : "");
    if (path && reemu_hash_file(path, &hash, &size)) {
        snprintf(k, sizeof(k), "%s_size", key);
        add(h, len, k, "%" PRIu64, size);
        snprintf(k, sizeof(k), "%s_hash", key);
        add(h, len, k, "%016" PRIx64, hash);
    }
}

static char *make_header(Machine *m, const CpusConfig *cfg)
{
    const MachineOptions *o = m->opts;
    char *h = NULL;
    size_t len = 0;
    add(&h, &len, "format", "coremu reemu log");
    add(&h, &len, "arch", "%s", m->mc->arch);
    add(&h, &len, "machine", "%s", m->mc->name);
    add(&h, &len, "cpu", "%s", o->cpu_model ? o->cpu_model : "");
    add(&h, &len, "smp", "%d", m->ncpus);
    add(&h, &len, "ram", "%" PRIu64, o->ram_size);
    add_file(&h, &len, "kernel", o->kernel);
    add_file(&h, &len, "initrd", o->initrd);
    add_file(&h, &len, "dtb", o->dtb);
    add(&h, &len, "append", "%s", o->append ? o->append : "");
    add(&h, &len, "drives", "%d", o->ndrives);
    for (int i = 0; i < o->ndrives; i++) {
        char k[32];
        snprintf(k, sizeof(k), "drive%d", i);
        add_file(&h, &len, k, o->drives[i].file);
        snprintf(k, sizeof(k), "drive%d_ro", i);
        add(&h, &len, k, "%d", o->drives[i].readonly ? 1 : 0);
    }
    add(&h, &len, "obj_shift", "%u", R.obj_shift);
    add(&h, &len, "dev_obj", "%" PRIu64, R.ram_objs);
    char devs[1024] = "";
    for (int i = 0; i < R.ndev; i++) {
        size_t l = strlen(devs);
        snprintf(devs + l, sizeof(devs) - l, "%s%s", i ? "," : "", R.dev_name[i]);
    }
    add(&h, &len, "devices", "%s", devs);
    add(&h, &len, "backend", "%s", o->interp ? "interp" : "jit");
    add(&h, &len, "thread", "%s", cfg->single_thread ? "single" : "multi");
    return h;
}

/* the keys a replay must match, and the option each comes from */
static const struct {
    const char *key, *option;
} checked_keys[] = {
    {"arch", "the emulator binary"},
    {"machine", "-M"},
    {"cpu", "-cpu"},
    {"smp", "-smp"},
    {"ram", "-m"},
    {"kernel_size", "-kernel"},
    {"kernel_hash", "-kernel"},
    {"initrd_size", "-initrd"},
    {"initrd_hash", "-initrd"},
    {"dtb_hash", "-dtb"},
    {"append", "-append"},
    {"drives", "-drive"},
    {"obj_shift", "-reemu obj="},
    {"dev_obj", "-m"},
    {"devices", "-drive"},
};

static bool check_key(const char *logged, const char *mine, const char *key,
                      const char *option)
{
    char a[4096], b[4096];
    bool ha = reemu_header_get(logged, key, a, sizeof(a));
    bool hb = reemu_header_get(mine, key, b, sizeof(b));
    if (ha != hb || (ha && strcmp(a, b) != 0)) {
        error_report("-replay %s: %s differs from the record (%s: recorded '%s', now '%s')",
                     R.file, option, key, ha ? a : "(none)", hb ? b : "(none)");
        return false;
    }
    return true;
}

static bool check_header(const char *logged, const char *mine)
{
    for (size_t i = 0; i < sizeof(checked_keys) / sizeof(checked_keys[0]); i++) {
        if (!check_key(logged, mine, checked_keys[i].key, checked_keys[i].option)) {
            return false;
        }
    }
    /* every disk: the same size and content (by hash) and the same readonly flag */
    char n[16];
    int ndrives = reemu_header_get(mine, "drives", n, sizeof(n)) ? atoi(n) : 0;
    for (int i = 0; i < ndrives; i++) {
        static const char *const sfx[] = {"_size", "_hash", "_ro"};
        for (size_t k = 0; k < 3; k++) {
            char key[32];
            snprintf(key, sizeof(key), "drive%d%s", i, sfx[k]);
            if (!check_key(logged, mine, key, "-drive")) {
                return false;
            }
        }
    }
    return true;
}

/* ---- start ---- */

static void record_sink(void *opaque, const OrderEvent *ev)
{
    ReemuCore *rc = opaque;
    if (__atomic_load_n(&reemu_solo, __ATOMIC_RELAXED)) {
        return; /* only the boot core runs: nothing to order (reemu_solo_end) */
    }
    ReemuEvent e = {.kind = ev->kind, .pos = ev->pos, .a = ev->obj, .b = ev->v};
    reemu_writer_event(R.w, rc->cpu->cpu_index, &e);
}

/* A stream that does not decode, found while replaying: one line, exit 1. */
static _Noreturn void log_corrupt(const char *why)
{
    __atomic_store_n(&R.abort, 1, __ATOMIC_RELEASE);
    fflush(stdout);
    error_report("-replay %s: %s", R.file, why);
    fflush(stderr);
    _exit(1);
}

static void q_fill(EvQueue *q)
{
    q->n = q->next = 0;
    char err[200];
    while (q->s && q->n < QWIN) {
        int r = reemu_stream_next(q->s, &q->buf[q->n], err, sizeof(err));
        if (r < 0) {
            log_corrupt(err);
        }
        if (r == 0) {
            reemu_stream_close(q->s);
            q->s = NULL;
            break;
        }
        q->n++;
    }
}

static void q_open(EvQueue *q, int core, int cat)
{
    q->s = reemu_stream_open(R.log, core, cat);
    q->buf = malloc(QWIN * sizeof(ReemuEvent));
    if (!q->buf) {
        fatal("out of memory");
    }
    q_fill(q);
}

/* The next event (valid until q_pop), or NULL: none left. */
static inline const ReemuEvent *q_peek(const EvQueue *q)
{
    return q->next < q->n ? &q->buf[q->next] : NULL;
}

static void q_pop(EvQueue *q)
{
    q->next++;
    __atomic_store_n(&q->popped, q->popped + 1, __ATOMIC_RELAXED);
    if (q->next == q->n) {
        q_fill(q);
    }
}

/* Events left (the end of a replay: drains the queue). */
static uint64_t q_drain(EvQueue *q)
{
    uint64_t n = 0;
    while (q_peek(q)) {
        q_pop(q);
        n++;
    }
    return n;
}

/* The order module's window of this core's RAW/WRITE events, refilled. */
static void order_refill(void *opaque, OrderCore *c)
{
    ReemuCore *rc = opaque;
    size_t n = 0;
    char err[200];
    while (rc->order_s && n < QWIN) {
        ReemuEvent e;
        int r = reemu_stream_next(rc->order_s, &e, err, sizeof(err));
        if (r < 0) {
            log_corrupt(err);
        }
        if (r == 0) {
            reemu_stream_close(rc->order_s);
            rc->order_s = NULL;
            break;
        }
        if (e.a >= R.nobjs) {
            snprintf(err, sizeof(err), "corrupt log (object 0x%" PRIx64 " outside RAM)", e.a);
            log_corrupt(err);
        }
        rc->order_win[n++] = (OrderEvent){.kind = e.kind, .pos = e.pos, .obj = e.a, .v = e.b};
    }
    order_core_set_replay(c, rc->order_win, n);
}

static void set_hook_pos(ReemuCore *rc)
{
    const ReemuEvent *e = q_peek(&rc->codew);
    if (e && (!e->b || e->b > CODE_UNDO_MAX)) {
        log_corrupt("corrupt log (code store events)");
    }
    rc->oc->hook_pos = e ? e->pos : ~0ull;
}

static bool stream_nonempty(int core, int cat)
{
    ReemuStream *st = reemu_stream_open(R.log, core, cat);
    ReemuEvent e;
    char err[200];
    int r = reemu_stream_next(st, &e, err, sizeof(err));
    reemu_stream_close(st);
    return r != 0;
}

static bool setup_replay(void)
{
    ReemuLog *l = R.log;
    /* every WAR up front: a write waits for readers whose WARs the log holds
     * later (the reader notices the new version afterwards) */
    size_t nw = 0, capw = 0;
    OrderWar *wars = NULL;
    char err[200];
    for (int c = 0; c < l->ncores; c++) {
        ReemuStream *st = reemu_stream_open(l, c, REEMU_CAT_WAR);
        ReemuEvent e;
        int r;
        while ((r = reemu_stream_next(st, &e, err, sizeof(err))) == 1) {
            if (nw == capw) {
                capw = capw ? capw * 2 : 4096;
                wars = realloc(wars, capw * sizeof(*wars));
                if (!wars) {
                    fatal("out of memory");
                }
            }
            if (e.a >= R.nobjs || e.b > UINT32_MAX || e.pos >= (1ull << 48)) {
                free(wars);
                reemu_stream_close(st);
                error_report("-replay %s: corrupt log (a WAR out of range)", R.file);
                return false;
            }
            wars[nw++] = (OrderWar){.obj = (uint32_t)e.a, .v = (uint32_t)e.b, .p0 = e.pos,
                                    .core = (unsigned)c};
        }
        reemu_stream_close(st);
        if (r < 0) {
            free(wars);
            error_report("-replay %s: %s", R.file, err);
            return false;
        }
    }
    if (nw && !R.order) {
        free(wars);
        error_report("-replay %s: corrupt log (ordering events in a run without ordering)",
                     R.file);
        return false;
    }
    for (int c = 0; c < l->ncores; c++) {
        ReemuCore *rc = &R.cores[c];
        rc->final_icount = l->trailer.core[c].icount;
        q_open(&rc->async, c, REEMU_CAT_ASYNC);
        q_open(&rc->vals, c, REEMU_CAT_VALUE);
        q_open(&rc->codew, c, REEMU_CAT_CODE);
        rc->async_end = !q_peek(&rc->async);
        if (rc->oc) {
            rc->order_s = reemu_stream_open(l, c, REEMU_CAT_ORDER);
            rc->order_win = malloc(QWIN * sizeof(OrderEvent));
            if (!rc->order_win) {
                fatal("out of memory");
            }
            order_core_set_refill(rc->oc, order_refill, rc);
            set_hook_pos(rc);
        } else if (q_peek(&rc->codew) || stream_nonempty(c, REEMU_CAT_ORDER)) {
            error_report("-replay %s: corrupt log (ordering events in a run without ordering)",
                         R.file);
            return false;
        }
    }
    if (R.order) {
        OrderWar *fit = nw ? realloc(wars, nw * sizeof(*wars)) : NULL;
        order_take_wars(R.order, fit ? fit : wars, nw);
    } else {
        free(wars);
    }
    return true;
}

static void *replay_monitor(void *arg);

static void fast_path_start(uint64_t ram_objs);

bool reemu_start(Machine *m, const CpusConfig *cfg)
{
    if (!reemu_mode) {
        return true;
    }
    if (strcmp(m->mc->arch, "aarch64") != 0 && strcmp(m->mc->arch, "x86_64") != 0) {
        /* a target needs its input hooks (x86: target/i386/reemu-x86.h) to replay */
        error_report("%s: record/replay is not available for %s yet (docs/reemu.md)",
                     reemu_mode == REEMU_RECORD ? "-record" : "-replay", m->mc->arch);
        return false;
    }
    R.m = m;
    R.ncores = m->ncpus;
    if (R.ndev > REEMU_MAX_DEVICES) {
        error_report("%s: more than %d devices with shared state (record/replay orders at most "
                     "that many)",
                     reemu_mode == REEMU_RECORD ? "-record" : "-replay", REEMU_MAX_DEVICES);
        return false;
    }
    R.t0_ns = now_ns();
    char err[512];
    if (reemu_mode == REEMU_REPLAY) {
        R.log = reemu_log_open(R.file, err, sizeof(err));
        if (!R.log) {
            error_report("-replay: %s", err);
            return false;
        }
        char shift[16];
        if (!R.obj_shift_given && reemu_header_get(R.log->header, "obj_shift", shift, sizeof(shift))) {
            R.obj_shift = (unsigned)strtoul(shift, NULL, 10);
            if (R.obj_shift < 3 || R.obj_shift > 20) {
                error_report("-replay %s: corrupt log (obj_shift=%s)", R.file, shift);
                return false;
            }
        }
    }
    /* objects: RAM (plus one for anything past it), then one per registered device */
    uint64_t ram_end;
    ram_extent(m, &ram_end);
    R.ram_objs = (ram_end >> R.obj_shift) + 2;
    R.nobjs = R.ram_objs + REEMU_MAX_DEVICES;
    if (R.nobjs > UINT32_MAX) {
        error_report("%s: -reemu obj=%u makes more than 2^32 objects of this RAM: choose a larger "
                     "object size",
                     reemu_mode == REEMU_RECORD ? "-record" : "-replay", R.obj_shift);
        return false;
    }
    char *header = make_header(m, cfg);
    if (reemu_mode == REEMU_REPLAY) {
        bool ok = check_header(R.log->header, header);
        free(header);
        if (!ok) {
            return false;
        }
        if (R.log->ncores != m->ncpus) {
            error_report("-replay %s: -smp differs from the record", R.file);
            return false;
        }
    } else {
        R.w = reemu_writer_open(R.file, header, m->ncpus, err, sizeof(err));
        free(header);
        if (!R.w) {
            error_report("-record: %s", err);
            return false;
        }
    }
    reemu_order_on = m->ncpus > 1;
    if (reemu_order_on) {
        R.order = order_new(reemu_mode == REEMU_RECORD ? ORDER_RECORD : ORDER_REPLAY, R.nobjs,
                            m->ncpus);
        R.order->abort_flag = &R.abort;
        R.order->diverge = order_diverged;
        R.order->stuck_ns = 0; /* a slow host is not a divergence: the monitor judges */
        /* stores to code reach the other cores as invalidations (every
         * target: accel/tcg/cputlb.c coherent_smp), their translators see
         * them only then (reemu/code.c) */
        R.code = true;
        code_undo_init(m->ncpus);
    }
    R.cores = calloc((size_t)m->ncpus, sizeof(*R.cores));
    if (!R.cores) {
        fatal("out of memory");
    }
    for (int i = 0; i < m->ncpus; i++) {
        ReemuCore *rc = &R.cores[i];
        rc->cpu = m->cpus[i];
        rc->rng = (now_ns() ^ (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull) | 1;
        if (R.order) {
            rc->oc = order_core_new(R.order, i, record_sink, rc);
        }
    }
    if (reemu_mode == REEMU_RECORD && R.order) {
        /* the other cores powered off (AArch64 virt) or waiting for a SIPI (x86) */
        bool solo = true;
        for (int i = 1; i < m->ncpus; i++) {
            solo &= __atomic_load_n(&m->cpus[i]->stopped, __ATOMIC_ACQUIRE) ||
                    __atomic_load_n(&m->cpus[i]->halted, __ATOMIC_ACQUIRE);
        }
        reemu_solo = solo && !R.no_solo;
    }
    fast_path_start(R.ram_objs - 1);
    if (reemu_mode == REEMU_REPLAY) {
        if (!setup_replay()) {
            return false;
        }
        if (pthread_create(&R.monitor, NULL, replay_monitor, NULL) != 0) {
            fatal("reemu: cannot start the replay monitor");
        }
        R.monitor_started = true;
    }
    return true;
}

/* ---- record: events ---- */

static void put(CPUState *cpu, ReemuEvent *e)
{
    reemu_writer_event(R.w, cpu->cpu_index, e);
}

void reemu_record_interrupt(CPUState *cpu, uint32_t request)
{
    ReemuEvent e = {.kind = REEMU_EV_INTR,
                    .icount = core_icount(cpu),
                    .a = request & ~(uint32_t)CPU_INTERRUPT_EXITTB};
    put(cpu, &e);
}

void *reemu_stamp(CPUState *src)
{
    ReemuCore *rc = &R.cores[src->cpu_index];
    uint64_t s = ((uint64_t)(src->cpu_index + 1) << 52) | (core_acc(rc) & ((1ull << 52) - 1));
    return (void *)(uintptr_t)s;
}

static void note(CPUState *target, int kind, uint64_t a0, uint64_t a1, uint64_t stamp)
{
    ReemuEvent e = {.icount = core_icount(target)};
    e.c = stamp ? (stamp >> 52) - 1 : (uint64_t)target->cpu_index;
    e.d = stamp & ((1ull << 52) - 1);
    switch (kind) {
    case COREMU_MSG_TLB_FLUSH:
        e.kind = REEMU_EV_TLB;
        e.a = ~0ull;
        e.b = a1;
        break;
    case COREMU_MSG_TLB_FLUSH_PAGE:
        e.kind = REEMU_EV_TLB;
        e.a = a0;
        e.b = a1;
        if (a0 == COREMU_FLUSH_ALL) {
            e.a = ~0ull;
        }
        break;
    case COREMU_MSG_TB_INVALIDATE:
        e.kind = REEMU_EV_TBINV;
        e.a = a0;
        e.b = a1;
        if (R.code && stamp) {
            code_seen_set(target->cpu_index, (int)e.c, e.d);
        }
        break;
    case COREMU_MSG_RUN:
        e.kind = REEMU_EV_RUN;
        break;
    default:
        return;
    }
    put(target, &e);
}

void reemu_note_msg(CPUState *target, const CoreMsg *m)
{
    uint64_t stamp = m->kind == COREMU_MSG_RUN ? 0 : (uint64_t)(uintptr_t)m->opaque;
    note(target, (int)m->kind, m->a0, m->a1, stamp);
}

void reemu_note_remote(CPUState *target, CPUState *src, int kind, uint64_t a0, uint64_t a1)
{
    note(target, kind, a0, a1, (uint64_t)(uintptr_t)reemu_stamp(src));
}

/* ---- inputs ---- */

/* The logged value of this input (checked to be the one the core makes). */
static uint64_t next_value(ReemuCore *rc, int kind, uint64_t addr, uint64_t icount, uint64_t acc)
{
    int core = rc->cpu->cpu_index;
    const char *what = kind == REEMU_EV_MMIO ? "an MMIO read of" : "a read of register";
    const ReemuEvent *e = q_peek(&rc->vals);
    if (!e) {
        diverge(core, "at icount %" PRIu64 " the core made %s 0x%" PRIx64
                      ", the log has no more input values",
                icount, what, addr);
    }
    if (e->kind != kind || e->a != addr || e->icount != icount || e->pos != acc) {
        char exp[256];
        reemu_event_format(e, exp, sizeof(exp));
        diverge(core, "at icount %" PRIu64 " (acc %" PRIu64 ") the core made %s 0x%" PRIx64
                      "; the log expected: %s",
                icount, acc, what, addr, exp);
    }
    uint64_t v = e->c;
    q_pop(&rc->vals);
    return v;
}

uint64_t reemu_mmio_read(CPUState *cpu, const MemoryRegion *mr, uint64_t paddr, unsigned size,
                         uintptr_t ra)
{
    ReemuCore *rc = &R.cores[cpu->cpu_index];
    uint64_t icount = exact_icount(cpu, ra), acc = core_acc(rc);
    if (reemu_mode == REEMU_REPLAY) {
        return next_value(rc, REEMU_EV_MMIO, paddr, icount, acc);
    }
    uint64_t v = memory_region_dispatch_read(mr, paddr - mr->base, size);
    ReemuEvent e = {.kind = REEMU_EV_MMIO, .icount = icount, .pos = acc, .a = paddr, .b = size,
                    .c = v};
    put(cpu, &e);
    return v;
}

uint64_t reemu_io_reg_read(CPUState *cpu, uint32_t key, uintptr_t ra,
                           uint64_t (*read)(CPUState *cpu, uint32_t key, uintptr_t ra))
{
    ReemuCore *rc = &R.cores[cpu->cpu_index];
    uint64_t icount = exact_icount(cpu, ra), acc = core_acc(rc);
    if (reemu_mode == REEMU_REPLAY) {
        return next_value(rc, REEMU_EV_SYSREG, key, icount, acc);
    }
    uint64_t v = read(cpu, key, ra);
    ReemuEvent e = {.kind = REEMU_EV_SYSREG, .icount = icount, .pos = acc, .a = key, .c = v};
    put(cpu, &e);
    return v;
}

/* ---- ordered accesses ---- */

/* Replay: the core's write at pos is a store the record kept the old bytes
 * of (a CODEW event): keep them the same way, before the store. */
static void replay_code_store(ReemuCore *rc, uint64_t pos, uint64_t paddr, unsigned size)
{
    const ReemuEvent *e = q_peek(&rc->codew);
    if (e->a != paddr || e->b != size) {
        char exp[200];
        reemu_event_format(e, exp, sizeof(exp));
        diverge(rc->cpu->cpu_index,
                "access %" PRIu64 ": the core stored to 0x%" PRIx64 "+%u; the log expected: %s",
                pos, paddr, size, exp);
    }
    const void *host = memory_ram_ptr(R.m->as, paddr, size);
    if (host) {
        code_undo_add(rc->cpu->cpu_index, pos, paddr, host, size);
    }
    q_pop(&rc->codew);
    set_hook_pos(rc);
}

void reemu_access_begin(CPUState *cpu, ReemuAccess *a, uint64_t paddr, unsigned size,
                        bool write)
{
    ReemuCore *rc = &R.cores[cpu->cpu_index];
    uint64_t lo = paddr >> R.obj_shift, hi = (paddr + size - 1) >> R.obj_shift;
    if (hi >= R.ram_objs) {
        lo = hi = R.ram_objs - 1; /* not RAM the table knows: one catch-all object */
    }
    if (R.delay_us) {
        maybe_delay(rc, 8191);
    }
    uint64_t pos = rc->oc->pos;
    order_begin(rc->oc, lo, hi, write, a);
    if (__builtin_expect(pos == rc->oc->hook_pos, 0) && write) {
        replay_code_store(rc, pos, paddr, size); /* replay: the record kept old bytes here */
    }
}

void reemu_access_begin_code(CPUState *cpu, ReemuAccess *a, uint64_t paddr, unsigned size)
{
    ReemuCore *rc = &R.cores[cpu->cpu_index];
    uint64_t pos = rc->oc->pos;
    reemu_access_begin(cpu, a, paddr, size, true);
    if (R.code && reemu_mode == REEMU_RECORD && !a->aborted) {
        const void *host = memory_ram_ptr(R.m->as, paddr, size);
        if (host) {
            code_undo_add(cpu->cpu_index, pos, paddr, host, size);
            ReemuEvent e = {.kind = REEMU_EV_CODEW, .pos = pos, .a = paddr, .b = size};
            put(cpu, &e);
        }
    }
}

uint64_t reemu_code_view(CPUState *cpu, uint64_t paddr, uint64_t val, unsigned size)
{
    return code_undo_view(cpu->cpu_index, paddr, val, size);
}

bool reemu_access_end(CPUState *cpu, ReemuAccess *a)
{
    return order_end(R.cores[cpu->cpu_index].oc, a);
}

ReemuFast reemu_fast;

static void fast_path_start(uint64_t ram_objs)
{
    static OrderCore **cores;
    if (!R.order || R.delay_us || !R.fast) {
        return; /* delay= injects its delays in reemu_access_begin */
    }
    cores = calloc((size_t)R.ncores, sizeof(*cores));
    if (!cores) {
        fatal("out of memory");
    }
    for (int i = 0; i < R.ncores; i++) {
        cores[i] = R.cores[i].oc;
    }
    reemu_fast.nobjs = ram_objs;
    reemu_fast.obj_shift = R.obj_shift;
    reemu_fast.inline_record = R.fast >= 2 && reemu_mode == REEMU_RECORD;
    reemu_fast.cores = cores;
}

static ReemuCore *core_of_ctx(const TCGContext *ctx);

OrderCore *reemu_fast_inline_core(const TCGContext *s)
{
    if (!reemu_fast.inline_record || !reemu_fast.cores) {
        return NULL;
    }
    ReemuCore *rc = core_of_ctx(s);
    return rc ? reemu_fast.cores[rc - R.cores] : NULL; /* NULL: the helper's path */
}

/* ---- devices: ordered state and DMA ---- */

int reemu_device_register(const char *name)
{
    int i = __atomic_fetch_add(&R.ndev, 1, __ATOMIC_RELAXED);
    if (i >= REEMU_MAX_DEVICES) {
        return -1; /* never ordered: record/replay refuses such a machine at start */
    }
    R.dev_name[i] = name;
    return i;
}

static __thread const TCGContext *cur_ctx;
static __thread ReemuCore *cur_core;
static __thread ReemuCore *dma_core; /* inside a device section: whose accesses DMA is */

/* The core whose code context ctx is (each core has its own), cached per thread. */
static ReemuCore *core_of_ctx(const TCGContext *ctx)
{
    if (!ctx || !R.cores) {
        return NULL;
    }
    if (ctx == cur_ctx) {
        return cur_core;
    }
    for (int i = 0; i < R.ncores; i++) {
        if (R.cores[i].cpu->tcg == ctx) {
            cur_ctx = ctx;
            cur_core = &R.cores[i];
            return cur_core;
        }
    }
    return NULL;
}

/* The core this thread runs now: cpu_exec sets tcg_ctx to the core's own context. */
static ReemuCore *current_core(void)
{
    return core_of_ctx(tcg_ctx);
}

void reemu_device_begin_slow(int dev, ReemuDevSection *s)
{
    ReemuCore *rc = current_core();
    if (dev < 0 || dev >= REEMU_MAX_DEVICES || !rc || !rc->oc || dma_core) {
        return; /* not a core's access (or nested: the outer section orders it) */
    }
    if (R.delay_us) {
        maybe_delay(rc, 7);
    }
    order_excl_begin(rc->oc, R.ram_objs + (uint64_t)dev, &s->tok);
    s->on = true;
    dma_core = rc;
    if (R.delay_us) {
        maybe_delay(rc, 1); /* the device's work (its DMA) late: its readers must wait */
    }
}

void reemu_device_end_slow(ReemuDevSection *s)
{
    order_excl_end(dma_core->oc, &s->tok);
    dma_core = NULL;
    s->on = false;
}

/* One ordered access per object of [paddr, paddr+len) of the core in a device section. */
static void dma_copy(void *dst, const void *src, uint64_t paddr, size_t len, bool write)
{
    ReemuCore *rc = dma_core;
    if (!rc) {
        memcpy(dst, src, len);
        return;
    }
    uint64_t osize = 1ull << R.obj_shift;
    uint8_t *d = dst;
    const uint8_t *p = src;
    while (len > 0) {
        size_t n = (size_t)(osize - (paddr & (osize - 1)));
        n = n < len ? n : len;
        uint64_t obj = paddr >> R.obj_shift;
        if (obj >= R.ram_objs) {
            obj = R.ram_objs - 1;
        }
        OrderTok t;
        order_begin(rc->oc, obj, obj, write, &t);
        do {
            memcpy(d, p, n);
        } while (!order_end(rc->oc, &t));
        d += n;
        p += n;
        paddr += n;
        len -= n;
    }
}

void reemu_dma_read(void *buf, const void *host, uint64_t paddr, size_t len)
{
    dma_copy(buf, host, paddr, len, false);
}

void reemu_dma_write(void *host, uint64_t paddr, const void *buf, size_t len)
{
    dma_copy(host, buf, paddr, len, true);
}

/* ---- replay: asynchronous events ---- */

static void set_stop(ReemuCore *rc, uint64_t stop)
{
    CPUState *cpu = rc->cpu;
    uint64_t n = stop - core_icount(cpu);
    uint16_t low = n > 0xffff ? 0xffff : (uint16_t)n;
    cpu->icount_decr.u16.low = low;
    cpu->icount_extra = (int64_t)(n - low);
    cpu->icount_budget_base = stop;
    rc->stop = stop;
    rc->stop_set = true;
}

static void wait_sender(ReemuCore *rc, const ReemuEvent *e)
{
    if (!R.order || e->c >= (uint64_t)R.ncores || (int)e->c == rc->cpu->cpu_index) {
        return;
    }
    OrderCore *s = R.cores[e->c].oc;
    uint64_t t0 = 0;
    unsigned spins = 0;
    while (order_progress(s) < e->d) {
        if (__atomic_load_n(&R.abort, __ATOMIC_ACQUIRE)) {
            return;
        }
        if (++spins > 64) {
            if (spins < 64 + 16) {
                sched_yield();
            } else {
                unsigned k = (spins - 80) / 32;
                usleep(20u << (k < 5 ? k : 5)); /* let the sender have a host CPU */
            }
            if ((spins & 63) == 0) {
                uint64_t t = now_ns();
                if (!t0) {
                    t0 = t;
                } else if (t - t0 > 60ull * 1000000000ull) {
                    char ev[200];
                    reemu_event_format(e, ev, sizeof(ev));
                    diverge(rc->cpu->cpu_index,
                            "waits for core %" PRIu64 " to reach acc %" PRIu64 " (now %" PRIu64
                            ") before: %s",
                            e->c, e->d, order_progress(s), ev);
                }
            }
        }
    }
}

static void apply(ReemuCore *rc, const ReemuEvent *e)
{
    CPUState *cpu = rc->cpu;
    switch (e->kind) {
    case REEMU_EV_INTR:
        if (!cpu->cc->exec_interrupt(cpu, (uint32_t)e->a)) {
            diverge(cpu->cpu_index,
                    "the log has an interrupt (request 0x%" PRIx64 ") taken at icount %" PRIu64
                    ", but the core cannot take it there (masked)",
                    e->a, e->icount);
        }
        CPU_STAT_ADD(cpu, interrupts, 1);
        break;
    case REEMU_EV_TLB:
        wait_sender(rc, e);
        if (e->a == ~0ull) {
            tlb_flush_by_mmuidx(cpu, (uint16_t)e->b);
        } else {
            tlb_flush_page_by_mmuidx(cpu, e->a, (uint16_t)e->b);
        }
        break;
    case REEMU_EV_TBINV:
        wait_sender(rc, e);
        tb_invalidate_phys_range(cpu, e->a, e->b);
        if (R.code) {
            code_seen_set(cpu->cpu_index, (int)e->c, e->d);
        }
        break;
    default:
        break; /* RUN, HALT, START: information */
    }
}

bool reemu_replay_boundary(CPUState *cpu)
{
    ReemuCore *rc = &R.cores[cpu->cpu_index];
    uint64_t now = core_icount(cpu);
    bool changed = false;
    if (R.delay_us) {
        maybe_delay(rc, 63);
    }
    const ReemuEvent *e;
    while ((e = q_peek(&rc->async))) {
        if (e->icount > now) {
            break;
        }
        if (e->icount < now) {
            char ev[200];
            reemu_event_format(e, ev, sizeof(ev));
            diverge(cpu->cpu_index, "the core reached icount %" PRIu64 " past a logged event: %s",
                    now, ev);
        }
        ReemuEvent ev = *e;
        q_pop(&rc->async);
        if (!q_peek(&rc->async)) {
            __atomic_store_n(&rc->async_end, 1, __ATOMIC_RELEASE);
        }
        apply(rc, &ev);
        changed = true;
        if (cpu->exception_index >= 0) {
            break; /* deliver it; the next boundary has the same icount */
        }
    }
    e = q_peek(&rc->async);
    uint64_t stop = e ? e->icount : rc->final_icount;
    if (stop < now) {
        diverge(cpu->cpu_index, "the core ran to icount %" PRIu64 ", past its recorded end %" PRIu64,
                now, stop);
    }
    if (!rc->stop_set || rc->stop != stop) {
        set_stop(rc, stop);
    }
    return changed;
}

bool reemu_replay_budget_out(CPUState *cpu)
{
    ReemuCore *rc = &R.cores[cpu->cpu_index];
    reemu_replay_boundary(cpu);
    if (cpu_icount_budget_left(cpu) > 0 || q_peek(&rc->async)) {
        return true;
    }
    /* the recorded end: stop here (cpus.c marks the core stopped) */
    __atomic_store_n(&rc->finished, 1, __ATOMIC_RELEASE);
    return false;
}

/* ---- replay: the end ---- */

static bool core_done(ReemuCore *rc)
{
    if (__atomic_load_n(&rc->finished, __ATOMIC_ACQUIRE)) {
        return true;
    }
    /* a core powered off (or never started) at its recorded end: its state was
     * published by the release store of `stopped` */
    CPUState *cpu = rc->cpu;
    return __atomic_load_n(&cpu->stopped, __ATOMIC_ACQUIRE) &&
           __atomic_load_n(&rc->async_end, __ATOMIC_ACQUIRE) &&
           core_icount(cpu) == rc->final_icount;
}

/* No core moved for this long and some did not reach its end: a divergence
 * that left a core stopped or waiting for something the log never brings. */
#define REPLAY_STALL_NS (90ull * 1000000000ull)

static void report_stall(void)
{
    fflush(stdout);
    for (int i = 0; i < R.ncores; i++) {
        ReemuCore *rc = &R.cores[i];
        OrderCore *oc = rc->oc;
        char what[200] = "";
        uint32_t k = oc ? __atomic_load_n(&oc->waiting, __ATOMIC_RELAXED) : 0;
        char dev[96] = "";
        if (k && oc->wait_obj >= R.ram_objs && oc->wait_obj - R.ram_objs < (uint64_t)R.ndev) {
            snprintf(dev, sizeof(dev), " (device %" PRIu64 " %s)", oc->wait_obj - R.ram_objs,
                     R.dev_name[oc->wait_obj - R.ram_objs]);
        }
        if (k == ORDER_EV_RAW || k == ORDER_EV_WRITE) {
            snprintf(what, sizeof(what), "; it waits for object 0x%" PRIx64 "%s to reach version %" PRIu64
                     " (now %u)",
                     oc->wait_obj, dev, oc->wait_v, R.order->w[oc->wait_obj]);
        } else if (k == ORDER_EV_WAR) {
            snprintf(what, sizeof(what), "; its write of object 0x%" PRIx64
                     "%s waits for core %d to pass acc %" PRIu64,
                     oc->wait_obj, dev, oc->wait_core, oc->wait_v);
        }
        fprintf(stderr, "reemu: core %d: %s at icount %" PRIu64 " (acc %" PRIu64
                        "), recorded end icount %" PRIu64 ", %" PRIu64
                        " asynchronous events applied%s%s\n",
                i, core_done(rc) ? "done" : "stalled",
                __atomic_load_n(&rc->cpu->stats.insns, __ATOMIC_RELAXED),
                oc ? order_progress(oc) : 0, rc->final_icount,
                __atomic_load_n(&rc->async.popped, __ATOMIC_RELAXED),
                __atomic_load_n(&rc->async_end, __ATOMIC_ACQUIRE) ? " (all)" : "", what);
    }
    for (int i = 0; i < R.ncores; i++) {
        if (!core_done(&R.cores[i])) {
            diverge(i, "no core made progress for %llu s (states above)",
                    REPLAY_STALL_NS / 1000000000ull);
        }
    }
}

static void *replay_monitor(void *arg)
{
    (void)arg;
    uint64_t last_sig = 0, last_change = now_ns();
    for (;;) {
        usleep(2000);
        if (__atomic_load_n(&R.m->shutdown_requested, __ATOMIC_ACQUIRE)) {
            return NULL;
        }
        bool all = true;
        uint64_t sig = 0;
        for (int i = 0; i < R.ncores; i++) {
            ReemuCore *rc = &R.cores[i];
            all &= core_done(rc);
            sig = sig * 1000003 + __atomic_load_n(&rc->cpu->stats.insns, __ATOMIC_RELAXED) +
                  (rc->oc ? order_progress(rc->oc) : 0);
        }
        if (all) {
            break;
        }
        uint64_t t = now_ns();
        if (sig != last_sig) {
            last_sig = sig;
            last_change = t;
        } else if (t - last_change > REPLAY_STALL_NS) {
            report_stall();
        }
    }
    for (int i = 0; i < R.ncores; i++) {
        if (R.cores[i].oc) {
            order_core_finish(R.cores[i].oc);
        }
    }
    __atomic_store_n(&R.shutdown_ok, 1, __ATOMIC_RELEASE);
    cpus_request_shutdown(R.m, 1, R.log->trailer.exit_status);
    return NULL;
}

bool reemu_defer_shutdown(void)
{
    return reemu_mode == REEMU_REPLAY && !__atomic_load_n(&R.shutdown_ok, __ATOMIC_ACQUIRE);
}

int reemu_finish(Machine *m, int status)
{
    if (!reemu_mode) {
        return status;
    }
    __atomic_store_n(&R.abort, 1, __ATOMIC_RELEASE);
    double secs = (double)(now_ns() - R.t0_ns) / 1e9;
    if (reemu_mode == REEMU_RECORD) {
        ReemuTrailer t = {.ncores = m->ncpus, .exit_status = status};
        t.core = calloc((size_t)m->ncpus, sizeof(ReemuCoreEnd));
        for (int i = 0; i < m->ncpus; i++) {
            ReemuCore *rc = &R.cores[i];
            if (rc->oc) {
                order_flush(rc->oc); /* every core stopped: the end-of-record WARs */
            }
            t.core[i].icount = core_icount(m->cpus[i]);
            t.core[i].acc = core_acc(rc);
            t.core[i].cpu_hash = cpu_hash(m->cpus[i]);
        }
        t.ram_hash = ram_hash(m);
        uint64_t bytes_before = reemu_writer_bytes(R.w);
        if (!reemu_writer_close(R.w, &t)) {
            error_report("-record: cannot write the log '%s'", R.file);
            status = 1;
        }
        if (R.verbose) {
            fprintf(stderr, "reemu: recorded %d cores in %.2f s, log %" PRIu64 " bytes\n",
                    m->ncpus, secs, bytes_before);
        }
        free(t.core);
        return status;
    }
    /* replay: compare with the trailer */
    const ReemuTrailer *t = &R.log->trailer;
    int bad = 0;
    for (int i = 0; i < m->ncpus; i++) {
        ReemuCore *rc = &R.cores[i];
        uint64_t ic = core_icount(m->cpus[i]), acc = core_acc(rc), h = cpu_hash(m->cpus[i]);
        if (ic != t->core[i].icount) {
            fprintf(stderr, "reemu: replay of '%s': core %d ended at icount %" PRIu64
                            ", the record at %" PRIu64 "\n",
                    R.file, i, ic, t->core[i].icount);
            bad++;
        } else if (acc != t->core[i].acc) {
            fprintf(stderr, "reemu: replay of '%s': core %d made %" PRIu64
                            " ordered accesses, the record %" PRIu64 "\n",
                    R.file, i, acc, t->core[i].acc);
            bad++;
        } else if (h != t->core[i].cpu_hash) {
            fprintf(stderr, "reemu: replay of '%s': core %d ended at icount %" PRIu64
                            " with another CPU state than the record\n",
                    R.file, i, ic);
            bad++;
        } else if (q_peek(&rc->vals) || q_peek(&rc->async) || q_peek(&rc->codew) ||
                   (rc->oc && order_core_unconsumed(rc->oc))) {
            size_t left_order = rc->oc ? order_core_unconsumed(rc->oc) : 0;
            uint64_t lv = q_drain(&rc->vals), la = q_drain(&rc->async), lc = q_drain(&rc->codew);
            fprintf(stderr, "reemu: replay of '%s': core %d left events of the log unused "
                            "(%" PRIu64 " inputs, %" PRIu64 " asynchronous, %s ordering, %" PRIu64
                            " code stores)\n",
                    R.file, i, lv, la, left_order ? "some" : "no", lc);
            bad++;
        }
    }
    uint64_t rh = ram_hash(m);
    if (!bad && rh != t->ram_hash) {
        fprintf(stderr, "reemu: replay of '%s': guest RAM differs from the record at the end\n",
                R.file);
        bad++;
    }
    if (R.verbose) {
        for (int i = 0; i < m->ncpus; i++) {
            const OrderCore *oc = R.cores[i].oc;
            if (oc) {
                fprintf(stderr, "reemu: core %d: %" PRIu64 " accesses; waited for %" PRIu64
                                " RAW, %" PRIu64 " WRITE, %" PRIu64 " WAR; %" PRIu64
                                " sleeps\n",
                        i, oc->pos, oc->blocked[ORDER_EV_RAW], oc->blocked[ORDER_EV_WRITE],
                        oc->blocked[ORDER_EV_WAR], oc->sleeps);
            }
        }
    }
    if (bad) {
        return 1;
    }
    fprintf(stderr, "reemu: replay of '%s' matched the record: %d cores, icounts", R.file,
            m->ncpus);
    for (int i = 0; i < m->ncpus; i++) {
        fprintf(stderr, " %" PRIu64, t->core[i].icount);
    }
    fprintf(stderr, ", RAM hash %016" PRIx64 " (%.2f s)\n", rh, secs);
    return status;
}
