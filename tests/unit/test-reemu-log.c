/*
 * test-reemu-log.c — the reemu log format (reemu/log.c): a log written by
 * several threads at once reads back exactly; every truncation and random
 * corruption is refused with an error line (never a crash: also run under
 * ASan+UBSan); the header lookup.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reemu/log.h"

static int failures;

static void report(bool ok, const char *name, const char *why)
{
    if (ok) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
}

#define NCORES 3
#define NEV 40000

static int nev = NEV;

static ReemuWriter *wr;

static ReemuEvent make_event(int core, int i)
{
    static const uint8_t kinds[] = {REEMU_EV_RAW,   REEMU_EV_WRITE, REEMU_EV_WAR,
                                    REEMU_EV_INTR,  REEMU_EV_TLB,   REEMU_EV_TBINV,
                                    REEMU_EV_MMIO,  REEMU_EV_SYSREG, REEMU_EV_HALT,
                                    REEMU_EV_CODEW};
    uint64_t x = (uint64_t)i * 2654435761u + (uint64_t)core;
    ReemuEvent ev = {0};
    ev.kind = kinds[x % sizeof(kinds)];
    /* only the fields the kind carries survive; fill exactly those */
    switch (ev.kind) {
    case REEMU_EV_RAW:
    case REEMU_EV_WRITE:
    case REEMU_EV_WAR:
    case REEMU_EV_CODEW:
        ev.pos = (uint64_t)i;
        ev.a = x >> 3;
        ev.b = x * 2;
        break;
    case REEMU_EV_INTR:
        ev.icount = (uint64_t)i * 1000;
        ev.a = 1;
        break;
    case REEMU_EV_TLB:
    case REEMU_EV_TBINV:
        ev.icount = (uint64_t)i * 7;
        ev.a = i % 2 ? ~0ull : x << 12;
        ev.b = 15;
        ev.c = (uint64_t)(core + 1) % NCORES;
        ev.d = x;
        break;
    case REEMU_EV_MMIO:
        ev.icount = (uint64_t)i;
        ev.pos = (uint64_t)i / 2;
        ev.a = 0x9000000 + (x & 0xfff);
        ev.b = 4;
        ev.c = x ^ 0xdeadbeefcafeull;
        break;
    case REEMU_EV_SYSREG:
        ev.icount = (uint64_t)i;
        ev.pos = (uint64_t)i / 3;
        ev.a = 0xdf02;
        ev.c = ~x;
        break;
    default:
        ev.icount = (uint64_t)i;
        break;
    }
    return ev;
}

static void *writer_thread(void *arg)
{
    int core = (int)(intptr_t)arg;
    for (int i = 0; i < nev; i++) {
        ReemuEvent ev = make_event(core, i);
        reemu_writer_event(wr, core, &ev);
    }
    return NULL;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *d = malloc(*len);
    if (fread(d, 1, *len, f) != *len) {
        free(d);
        d = NULL;
    }
    fclose(f);
    return d;
}

static bool same_event(const ReemuEvent *g, const ReemuEvent *e)
{
    return g->kind == e->kind && g->icount == e->icount && g->pos == e->pos && g->a == e->a &&
           g->b == e->b && g->c == e->c && g->d == e->d;
}

static ReemuCoreEnd ends[NCORES] = {{100, 200, 300}, {101, 201, 301}, {102, 202, 302}};

/* NCORES threads write nev events each at once */
static bool write_log(const char *path, const char *header, char *err, size_t errlen)
{
    wr = reemu_writer_open(path, header, NCORES, err, errlen);
    report(wr != NULL, "writer-open", err);
    if (!wr) {
        return false;
    }
    pthread_t th[NCORES];
    for (int i = 0; i < NCORES; i++) {
        pthread_create(&th[i], NULL, writer_thread, (void *)(intptr_t)i);
    }
    for (int i = 0; i < NCORES; i++) {
        pthread_join(th[i], NULL);
    }
    ReemuTrailer t = {.ncores = NCORES, .core = ends, .ram_hash = 0x1234, .exit_status = 3};
    bool ok = reemu_writer_close(wr, &t);
    report(ok, "writer-close", "I/O error");
    return ok;
}

int main(void)
{
    char path[] = "/tmp/test-reemu-log-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    char err[256];
    const char *header = "machine=virt\ncpu=cortex-a57\nsmp=3\nram=268435456\nappend=a b=c\n";

    if (!write_log(path, header, err, sizeof(err))) {
        return 1;
    }

    ReemuLog *l = reemu_log_read(path, err, sizeof(err));
    report(l != NULL, "read-back", err);
    if (!l) {
        return 1;
    }
    /* a core's events come back category by category, each in the order written */
    bool same = l->ncores == NCORES;
    for (int c = 0; c < NCORES && same; c++) {
        same &= l->nev[c] == NEV;
        size_t k = 0;
        for (int cat = 0; cat < REEMU_NCATS && same; cat++) {
            for (int i = 0; i < NEV && same; i++) {
                ReemuEvent e = make_event(c, i);
                if (reemu_event_cat(e.kind) == cat) {
                    same &= k < l->nev[c] && same_event(&l->ev[c][k++], &e);
                }
            }
        }
    }
    report(same, "events-roundtrip", "events differ after reading back");
    /* the same through the streams replay reads (the file indexed, nothing decoded) */
    ReemuLog *ls = reemu_log_open(path, err, sizeof(err));
    report(ls != NULL && ls->ev == NULL, "open-index", err);
    bool streamed = ls != NULL;
    for (int c = 0; c < NCORES && streamed; c++) {
        for (int cat = 0; cat < REEMU_NCATS && streamed; cat++) {
            ReemuStream *st = reemu_stream_open(ls, c, cat);
            ReemuEvent g;
            for (int i = 0; i < NEV && streamed; i++) {
                ReemuEvent e = make_event(c, i);
                if (reemu_event_cat(e.kind) == cat) {
                    streamed &= reemu_stream_next(st, &g, err, sizeof(err)) == 1 &&
                                same_event(&g, &e);
                }
            }
            streamed &= reemu_stream_next(st, &g, err, sizeof(err)) == 0;
            reemu_stream_close(st);
        }
    }
    report(streamed, "events-streamed", "a stream differs from what was written");
    reemu_log_free(ls);
    report(l->trailer.ram_hash == 0x1234 && l->trailer.exit_status == 3 &&
               l->trailer.core[2].icount == 102 && l->trailer.core[1].cpu_hash == 301,
           "trailer-roundtrip", "trailer differs");
    char v[64];
    report(reemu_header_get(l->header, "append", v, sizeof(v)) && strcmp(v, "a b=c") == 0 &&
               !reemu_header_get(l->header, "kernel", v, sizeof(v)),
           "header-get", "header lookup wrong");
    reemu_log_free(l);

    /* the damage tests use a small log (two chunks per core are enough) */
    nev = 2500;
    if (!write_log(path, header, err, sizeof(err))) {
        return 1;
    }
    size_t len = 0;
    uint8_t *data = slurp(path, &len);
    unlink(path);
    if (!data) {
        report(false, "slurp", "cannot read the log back");
        return 1;
    }

    /* every truncation is refused */
    bool all_refused = true;
    char first[512] = "";
    for (size_t cut = 0; cut < len; cut += (cut < 64 ? 1 : 97)) {
        ReemuLog *x = reemu_log_parse(data, cut, err, sizeof(err));
        if (x) {
            all_refused = false;
            snprintf(first, sizeof(first), "accepted a log cut at %zu of %zu bytes", cut, len);
            reemu_log_free(x);
            break;
        }
        if (!strstr(err, "truncated") && !strstr(err, "magic") && !strstr(err, "corrupt")) {
            all_refused = false;
            snprintf(first, sizeof(first), "cut at %zu: unexpected message '%s'", cut, err);
            break;
        }
    }
    report(all_refused, "truncated-refused", first);
    {
        ReemuLog *x = reemu_log_parse(data, len - 3, err, sizeof(err));
        report(!x && strstr(err, "truncated"), "truncated-end-says-truncated", err);
        reemu_log_free(x);
    }

    /* random corruption: flip bytes, never crash, always refuse */
    uint64_t s = 88172645463325252ull;
    bool all_bad = true;
    for (int k = 0; k < 1500; k++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        size_t at = (size_t)(s % len);
        uint8_t old = data[at];
        data[at] ^= (uint8_t)(1u << (s >> 61)) | 1;
        ReemuLog *x = reemu_log_parse(data, len, err, sizeof(err));
        if (x) {
            all_bad = false;
            snprintf(first, sizeof(first), "accepted a log with byte %zu changed", at);
            reemu_log_free(x);
        }
        data[at] = old;
        if (!all_bad) {
            break;
        }
    }
    report(all_bad, "corrupt-refused", first);
    free(data);
    return failures ? 1 : 0;
}
