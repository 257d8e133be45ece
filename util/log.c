/* log.c — -d/-D logging and error reporting (see include/util/log.h). */
#include "util/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

uint32_t log_mask;
FILE *log_file;
const char *prog_name = "coremu";

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;

static const struct {
    const char *name;
    uint32_t mask;
    const char *help;
} log_items[] = {
    {"in_asm", LOG_IN_ASM, "show guest code of each new translation block"},
    {"op", LOG_OP, "show the IR as emitted"},
    {"op_opt", LOG_OP_OPT, "show the IR after optimisation and liveness"},
    {"out_asm", LOG_OUT_ASM, "show the generated host code"},
    {"exec", LOG_EXEC, "show every translation block entered"},
    {"cpu", LOG_CPU, "show the CPU state before each block (with exec)"},
    {"int", LOG_INT, "show interrupts and exceptions"},
    {"guest_errors", LOG_GUEST_ERROR, "log when the guest does something undefined"},
    {"unimp", LOG_UNIMP, "log when the guest uses something not implemented"},
    {"mmu", LOG_MMU, "log page-table walks and MMU faults"},
    {"page", LOG_PAGE, "log translation block invalidation"},
    {"nochain", LOG_NOCHAIN, "do not chain translation blocks"},
};

bool log_parse_items(const char *str, uint32_t *mask, const char **bad, size_t *badlen)
{
    uint32_t m = 0;
    const char *p = str;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        bool found = false;
        if (len == 3 && strncmp(p, "all", 3) == 0) {
            for (size_t i = 0; i < sizeof(log_items) / sizeof(log_items[0]); i++) {
                if (log_items[i].mask != LOG_NOCHAIN) {
                    m |= log_items[i].mask;
                }
            }
            found = true;
        }
        for (size_t i = 0; !found && i < sizeof(log_items) / sizeof(log_items[0]); i++) {
            if (strlen(log_items[i].name) == len && strncmp(p, log_items[i].name, len) == 0) {
                m |= log_items[i].mask;
                found = true;
            }
        }
        if (!found) {
            *bad = p;
            *badlen = len;
            return false;
        }
        p += len;
        if (*p == ',') {
            p++;
        }
    }
    *mask = m;
    return true;
}

void log_print_items(FILE *f)
{
    fprintf(f, "Log items (comma separated):\n");
    for (size_t i = 0; i < sizeof(log_items) / sizeof(log_items[0]); i++) {
        fprintf(f, "%-13s %s\n", log_items[i].name, log_items[i].help);
    }
    fprintf(f, "%-13s %s\n", "all", "everything above except nochain");
}

bool log_set_file(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    log_file = f;
    return true;
}

FILE *log_stream(void)
{
    return log_file ? log_file : stderr;
}

void log_lock(void)
{
    pthread_mutex_lock(&log_mutex);
}

void log_unlock(void)
{
    pthread_mutex_unlock(&log_mutex);
}

void log_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flockfile(log_stream());
    vfprintf(log_stream(), fmt, ap);
    funlockfile(log_stream());
    va_end(ap);
}

#define MAX_CLEANUPS 16
static void (*cleanups[MAX_CLEANUPS])(void);
static int nb_cleanups;

void atexit_cleanup(void (*fn)(void))
{
    if (nb_cleanups < MAX_CLEANUPS) {
        cleanups[nb_cleanups++] = fn;
    }
}

static void run_cleanups(void)
{
    while (nb_cleanups > 0) {
        cleanups[--nb_cleanups]();
    }
}

__attribute__((constructor)) static void log_init(void)
{
    atexit(run_cleanups);
}

void error_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}
