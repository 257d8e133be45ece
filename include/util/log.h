/*
 * log.h — -d/-D logging and error reporting.
 *
 * log_mask is a set of LOG_* bits chosen with -d; log_enabled() is one load
 * and a test, cheap enough for translation-time paths (never put a log call
 * on a per-instruction run-time path). Output goes to -D FILE or stderr.
 * Lines from different core threads do not interleave within a line.
 */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum {
    LOG_IN_ASM = 1 << 0,       /* guest code of each new TB (capstone) */
    LOG_OP = 1 << 1,           /* IR as emitted */
    LOG_OP_OPT = 1 << 2,       /* IR after optimisation and liveness */
    LOG_OUT_ASM = 1 << 3,      /* host code of each new TB (capstone) */
    LOG_EXEC = 1 << 4,         /* every TB entered */
    LOG_INT = 1 << 5,          /* interrupts and exceptions taken */
    LOG_GUEST_ERROR = 1 << 6,  /* guest did something undefined */
    LOG_UNIMP = 1 << 7,        /* guest used something not implemented */
    LOG_CPU = 1 << 8,          /* CPU state before each TB (with exec) */
    LOG_MMU = 1 << 9,          /* page-table walks and faults */
    LOG_PAGE = 1 << 10,        /* TB invalidation */
    LOG_NOCHAIN = 1 << 11,     /* do not chain TBs (debug) */
};

extern uint32_t log_mask;
extern FILE *log_file; /* NULL: stderr */

static inline bool log_enabled(uint32_t mask)
{
    return (log_mask & mask) != 0;
}

/* "-d in_asm,int" -> mask; on an unknown item returns false and names it in *bad */
bool log_parse_items(const char *str, uint32_t *mask, const char **bad, size_t *badlen);
void log_print_items(FILE *f); /* -d help */
bool log_set_file(const char *path); /* -D FILE; false (with errno) on failure */

void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_lock(void);   /* group several log_printf lines */
void log_unlock(void);
FILE *log_stream(void);

#define log_mask_printf(mask, ...)                                                     \
    do {                                                                               \
        if (log_enabled(mask)) {                                                       \
            log_printf(__VA_ARGS__);                                                   \
        }                                                                              \
    } while (0)

/* Program name for messages ("coremu-system-aarch64"). */
extern const char *prog_name;
/* One line on stderr: "<prog>: <message>". */
void error_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* error_report then exit(1) (restores the terminal first). */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Register a function run on every exit path (terminal restore, flush disks). */
void atexit_cleanup(void (*fn)(void));

#endif
