/*
 * log.h — the reemu log file: format, writer and checked reader.
 *
 *   "REEMU\0\r\n" u32 version u32 hlen  header[hlen]  u32 crc32(header)
 *   records: u32 tag u32 stream u32 seq u32 rawlen u32 zlen u32 crc32 zdata[zlen]
 *     'CHNK': a piece of one stream, zlib-compressed. A core's events are
 *             written as one stream per category (REEMU_CAT_*: what replay
 *             consumes separately), stream = core | category << 16; chunks
 *             of one stream appear in order (seq), streams interleave freely
 *             (each core writes its own, no global lock)
 *     'TRLR': the trailer (not compressed): per core final icount, accesses,
 *             CPU-state hash; then the RAM hash and the exit status
 *   "REEMUEND"
 * All integers little-endian. The header is "key=value\n" text (machine,
 * cpu, smp, ram, kernel, kernel_size, kernel_hash, ..., drives, driveN_size,
 * driveN_hash, obj_shift, dev_obj, devices; docs/reemu.md section 4). Events
 * are a kind byte and LEB128 fields, the number of fields fixed by the kind.
 * The reader checks every CRC, the lengths, the chunk order per stream and
 * the trailer; replay then reads each stream as it goes (reemu_stream_*), so
 * a log is never decoded whole in memory. On any problem: NULL (or -1) with
 * one line of explanation.
 */
#ifndef REEMU_LOG_H
#define REEMU_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REEMU_LOG_VERSION 3

/* event kinds: 1..3 are the ordering events of reemu/order.h */
enum {
    REEMU_EV_RAW = 1,      /* pos=acc, a=obj, b=version */
    REEMU_EV_WRITE = 2,    /* pos=acc, a=obj, b=version */
    REEMU_EV_WAR = 3,      /* pos=p0, a=obj, b=version */
    REEMU_EV_INTR = 16,    /* icount, a=interrupt_request bits acted on */
    REEMU_EV_TLB = 17,     /* icount, a=vaddr (~0: all), b=idxmap, c=sender core, d=sender pos */
    REEMU_EV_TBINV = 18,   /* icount, a=paddr, b=len, c=sender core, d=sender pos */
    REEMU_EV_RUN = 19,     /* icount: a run_on_cpu work item ran (real in replay too) */
    REEMU_EV_HALT = 20,    /* icount: WFI/HLT (information; replay does not sleep) */
    REEMU_EV_MMIO = 21,    /* icount, pos=acc, a=paddr, b=size, c=value */
    REEMU_EV_SYSREG = 22,  /* icount, pos=acc, a=register key, c=value */
    REEMU_EV_START = 23,   /* icount: powered on by another core (checked) */
    REEMU_EV_CODEW = 24,   /* pos=acc, a=paddr, b=len: a store to a code page (reemu/code.c) */
    REEMU_EV_KINDS = 25,
};

/* the streams a core's events are written to, by kind */
enum {
    REEMU_CAT_ORDER = 0, /* RAW, WRITE */
    REEMU_CAT_WAR = 1,
    REEMU_CAT_ASYNC = 2, /* INTR, TLB, TBINV, RUN, HALT, START */
    REEMU_CAT_VALUE = 3, /* MMIO, SYSREG */
    REEMU_CAT_CODE = 4,  /* CODEW */
    REEMU_NCATS = 5,
};
int reemu_event_cat(int kind);

typedef struct ReemuEvent {
    uint8_t kind;
    uint64_t icount, pos;
    uint64_t a, b, c, d;
} ReemuEvent;

typedef struct ReemuCoreEnd {
    uint64_t icount;
    uint64_t acc;
    uint64_t cpu_hash;
} ReemuCoreEnd;

typedef struct ReemuTrailer {
    int ncores;
    ReemuCoreEnd *core; /* ncores */
    uint64_t ram_hash;
    int32_t exit_status;
} ReemuTrailer;

const char *reemu_event_name(int kind);
/* One line, no newline. */
void reemu_event_format(const ReemuEvent *ev, char *buf, size_t len);

/* ---- writer ---- */
typedef struct ReemuWriter ReemuWriter;
ReemuWriter *reemu_writer_open(const char *path, const char *header, int ncores,
                               char *err, size_t errlen);
/* Core thread (or while the core is not running): append to its stream. */
void reemu_writer_event(ReemuWriter *w, int core, const ReemuEvent *ev);
/* Flush every core's buffer, write the trailer, close. False on I/O error. */
bool reemu_writer_close(ReemuWriter *w, const ReemuTrailer *t);
uint64_t reemu_writer_bytes(const ReemuWriter *w);

/* ---- reader ---- */
typedef struct ReemuLog {
    char *header;   /* NUL-terminated text */
    uint32_t version;
    int ncores;
    /* reemu_log_read/parse only: every event of a core, category by category
     * (REEMU_CAT_* order), each in stream order */
    ReemuEvent **ev;
    size_t *nev;
    ReemuTrailer trailer;
    uint64_t file_bytes;
    struct ReemuLogSrc *src;        /* the file */
    struct ReemuChunkList *chunks;  /* [core * REEMU_NCATS + category] */
} ReemuLog;

/* Checks the whole file and indexes it; decodes no event (ev NULL). */
ReemuLog *reemu_log_open(const char *path, char *err, size_t errlen);
/* The same, then every event decoded into ev/nev (tools, tests). */
ReemuLog *reemu_log_read(const char *path, char *err, size_t errlen);
/* Same from memory (tests). */
ReemuLog *reemu_log_parse(const uint8_t *data, size_t len, char *err, size_t errlen);

/* One stream of an opened log, read chunk by chunk (one thread at a time). */
typedef struct ReemuStream ReemuStream;
ReemuStream *reemu_stream_open(const ReemuLog *l, int core, int cat);
/* 1: *ev is the next event; 0: the stream ended; -1: corrupt (why in err) */
int reemu_stream_next(ReemuStream *s, ReemuEvent *ev, char *err, size_t errlen);
void reemu_stream_close(ReemuStream *s);
void reemu_log_free(ReemuLog *l);
/* Copy the header value of key into out; false if the key is absent. */
bool reemu_header_get(const char *header, const char *key, char *out, size_t outlen);

/* Hash helpers (64-bit, fast, not cryptographic). */
uint64_t reemu_hash_bytes(uint64_t h, const void *p, size_t n);
bool reemu_hash_file(const char *path, uint64_t *hash, uint64_t *size);

#endif
