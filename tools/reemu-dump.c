/*
 * reemu-dump.c — print a reemu record/replay log readably (docs/reemu.md).
 *
 *   build/reemu-dump run.rr          header, every event per core, trailer
 *   build/reemu-dump -s run.rr       header, event counts per core and kind, trailer
 *   build/reemu-dump -c 1 run.rr     only core 1's events
 *
 * The log is checked exactly as -replay checks it: a truncated or corrupt
 * log prints one error line and exits 1. Ordering events on a device's
 * pseudo-object (header: dev_obj, devices) name the device; the summary
 * counts them per core as "device=N".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reemu/log.h"

/* the header's device objects (docs/reemu.md): ids dev_obj.. and their names */
static uint64_t dev_obj = UINT64_MAX;
static char devices[1024];
static int ndevices;

static const char *device_name(const ReemuEvent *e, char *buf, size_t len)
{
    bool order = e->kind == REEMU_EV_RAW || e->kind == REEMU_EV_WRITE || e->kind == REEMU_EV_WAR;
    if (!order || e->a < dev_obj || e->a - dev_obj >= (uint64_t)ndevices) {
        return NULL;
    }
    const char *p = devices;
    for (uint64_t i = e->a - dev_obj; i > 0 && p; i--) {
        p = strchr(p, ',');
        p = p ? p + 1 : NULL;
    }
    if (!p) {
        return NULL;
    }
    snprintf(buf, len, "device %" PRIu64 " %.*s", e->a - dev_obj, (int)strcspn(p, ","), p);
    return buf;
}

static void usage(void)
{
    fprintf(stderr, "usage: reemu-dump [-s] [-c CORE] FILE\n");
    exit(2);
}

int main(int argc, char **argv)
{
    bool summary = false;
    int only = -1;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-s") == 0) {
            summary = true;
        } else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            only = atoi(argv[++i]);
        } else if (argv[i][0] == '-' || path) {
            usage();
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        usage();
    }
    char err[300];
    ReemuLog *l = reemu_log_read(path, err, sizeof(err));
    if (!l) {
        fprintf(stderr, "reemu-dump: %s\n", err);
        return 1;
    }
    printf("reemu log %s: format version %u, %" PRIu64 " bytes, %d cores\n", path, l->version,
           l->file_bytes, l->ncores);
    char v[64];
    if (reemu_header_get(l->header, "dev_obj", v, sizeof(v))) {
        dev_obj = strtoull(v, NULL, 10);
    }
    if (reemu_header_get(l->header, "devices", devices, sizeof(devices)) && devices[0]) {
        ndevices = 1;
        for (const char *p = devices; *p; p++) {
            ndevices += *p == ',';
        }
    }
    printf("header:\n");
    for (const char *p = l->header; *p;) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);
        printf("  %.*s\n", n, p);
        p += n + (nl ? 1 : 0);
    }
    for (int c = 0; c < l->ncores; c++) {
        if (only >= 0 && c != only) {
            continue;
        }
        size_t counts[REEMU_EV_KINDS] = {0}, ndev = 0;
        char dname[128];
        for (size_t i = 0; i < l->nev[c]; i++) {
            counts[l->ev[c][i].kind]++;
            ndev += device_name(&l->ev[c][i], dname, sizeof(dname)) != NULL;
        }
        printf("core %d: %zu events", c, l->nev[c]);
        for (int k = 0; k < REEMU_EV_KINDS; k++) {
            if (counts[k]) {
                printf(" %s=%zu", reemu_event_name(k), counts[k]);
            }
        }
        if (ndev) {
            printf(" device=%zu", ndev);
        }
        printf("\n");
        if (summary) {
            continue;
        }
        char line[256];
        for (size_t i = 0; i < l->nev[c]; i++) {
            const ReemuEvent *e = &l->ev[c][i];
            reemu_event_format(e, line, sizeof(line));
            if (device_name(e, dname, sizeof(dname))) {
                printf("  core %d #%zu: %s [%s]\n", c, i, line, dname);
            } else {
                printf("  core %d #%zu: %s\n", c, i, line);
            }
        }
    }
    printf("trailer: exit status %d, RAM hash %016" PRIx64 "\n", l->trailer.exit_status,
           l->trailer.ram_hash);
    for (int c = 0; c < l->trailer.ncores; c++) {
        printf("  core %d: final icount %" PRIu64 ", accesses %" PRIu64
               ", CPU state hash %016" PRIx64 "\n",
               c, l->trailer.core[c].icount, l->trailer.core[c].acc, l->trailer.core[c].cpu_hash);
    }
    reemu_log_free(l);
    return 0;
}
