/*
 * reemu-dump.c — print a reemu record/replay log readably (docs/reemu.md).
 *
 *   build/reemu-dump run.rr          header, every event per core, trailer
 *   build/reemu-dump -s run.rr       header, event counts per core and kind, trailer
 *   build/reemu-dump -c 1 run.rr     only core 1's events
 * A core's events are printed stream by stream (ordering, WAR, asynchronous,
 * input values, code stores: include/reemu/log.h), each in its order.
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
#include "target/arm/cpu-hooks.h"
#include "target/i386/reemu-x86.h"

/* the guest architecture named by the header's arch= line ("" if none) */
static void header_arch(const char *header, char *arch, size_t len)
{
    arch[0] = 0;
    const char *p = strstr(header, "arch=");
    if (p && (p == header || p[-1] == '\n')) {
        p += 5;
        size_t n = strcspn(p, "\n");
        snprintf(arch, len, "%.*s", (int)(n < len ? n : len - 1), p);
    }
}

/*
 * What a SYSREG event's key names. AArch64: the MRS encoding
 * (target/arm/cpu-hooks.h ARM_SYSREG), with the architectural name of the
 * registers record/replay logs (Arm ARM D23: generic timer, GICv3 CPU
 * interface, ISR_EL1). x86-64: the input kinds of target/i386/reemu-x86.h.
 */
static void key_name(const char *arch, uint64_t key, char *buf, size_t len)
{
    if (strcmp(arch, "x86_64") == 0) {
        uint32_t k = (uint32_t)key;
        switch (k >> 24) {
        case X86_RR_IN(0, 0) >> 24:
            snprintf(buf, len, "IN port 0x%x size %u", k & 0xffff, (k >> 16) & 0xff);
            return;
        case X86_RR_TSC >> 24:
            snprintf(buf, len, "TSC");
            return;
        case X86_RR_MSR(0) >> 24:
            snprintf(buf, len, "RDMSR 0x%x value", k & 0xffff);
            return;
        case X86_RR_MSR_OK(0) >> 24:
            snprintf(buf, len, "RDMSR 0x%x exists", k & 0xffff);
            return;
        case X86_RR_INTA >> 24:
            snprintf(buf, len, "INTA vector");
            return;
        case X86_RR_SIPI >> 24:
            snprintf(buf, len, "SIPI vector");
            return;
        case X86_RR_CR8 >> 24:
            snprintf(buf, len, "CR8");
            return;
        }
        snprintf(buf, len, "unknown");
        return;
    }
    if (strcmp(arch, "aarch64") == 0 && key < (1u << 16)) {
        static const struct {
            uint32_t key;
            const char *name;
        } names[] = {
            { ARM_SYSREG(3, 3, 14, 0, 1), "CNTPCT_EL0" },
            { ARM_SYSREG(3, 3, 14, 0, 2), "CNTVCT_EL0" },
            { ARM_SYSREG(3, 3, 14, 2, 0), "CNTP_TVAL_EL0" },
            { ARM_SYSREG(3, 3, 14, 2, 1), "CNTP_CTL_EL0" },
            { ARM_SYSREG(3, 3, 14, 2, 2), "CNTP_CVAL_EL0" },
            { ARM_SYSREG(3, 3, 14, 3, 0), "CNTV_TVAL_EL0" },
            { ARM_SYSREG(3, 3, 14, 3, 1), "CNTV_CTL_EL0" },
            { ARM_SYSREG(3, 3, 14, 3, 2), "CNTV_CVAL_EL0" },
            { ARM_SYSREG(3, 0, 12, 1, 0), "ISR_EL1" },
            { ARM_SYSREG(3, 0, 12, 12, 0), "ICC_IAR1_EL1" },
            { ARM_SYSREG(3, 0, 12, 8, 0), "ICC_IAR0_EL1" },
            { ARM_SYSREG(3, 0, 12, 12, 2), "ICC_HPPIR1_EL1" },
            { ARM_SYSREG(3, 0, 12, 8, 2), "ICC_HPPIR0_EL1" },
            { ARM_SYSREG(3, 0, 12, 11, 3), "ICC_RPR_EL1" },
            { ARM_SYSREG(3, 0, 12, 12, 4), "ICC_CTLR_EL1" },
            { ARM_SYSREG(3, 0, 12, 12, 5), "ICC_SRE_EL1" },
            { ARM_SYSREG(3, 0, 12, 12, 7), "ICC_IGRPEN1_EL1" },
            { ARM_SYSREG(3, 0, 4, 6, 0), "ICC_PMR_EL1" },
            { ARM_SYSREG(3, 0, 12, 11, 1), "ICC_EOIR1_EL1" },
        };
        unsigned op0 = (unsigned)(key >> 14) & 3, op1 = (unsigned)(key >> 11) & 7;
        unsigned crn = (unsigned)(key >> 7) & 15, crm = (unsigned)(key >> 3) & 15;
        unsigned op2 = (unsigned)key & 7;
        int n = snprintf(buf, len, "S%u_%u_C%u_C%u_%u", op0, op1, crn, crm, op2);
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            if (names[i].key == key && n > 0 && (size_t)n < len) {
                snprintf(buf + n, len - (size_t)n, " %s", names[i].name);
            }
        }
        return;
    }
    snprintf(buf, len, "?");
}

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
    char arch[32];
    header_arch(l->header, arch, sizeof(arch));
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
        char line[256], name[64];
        for (size_t i = 0; i < l->nev[c]; i++) {
            const ReemuEvent *e = &l->ev[c][i];
            reemu_event_format(e, line, sizeof(line));
            if (e->kind == REEMU_EV_SYSREG) {
                key_name(arch, e->a, name, sizeof(name));
                printf("  core %d #%zu: %s (%s)\n", c, i, line, name);
            } else if (device_name(e, dname, sizeof(dname))) {
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
