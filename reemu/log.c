/*
 * log.c — the reemu log file (include/reemu/log.h): event encoding, the
 * per-core chunked zlib writer and the checked reader.
 *
 * Writer: each core appends encoded events to its own buffer; a full buffer
 * is compressed and written at an offset reserved with one atomic add on
 * the file's end, with pwrite: cores never take a common lock. Reader: the
 * whole file is read, every record's CRC and lengths checked, chunks of
 * each core checked to follow each other (sequence numbers), the trailer
 * required; any problem gives one line of explanation and NULL, never a
 * crash (tests/unit/test-reemu-log.c fuzzes it).
 */
#include "reemu/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util/log.h"

#define MAGIC "REEMU\0\r\n"
#define END_MAGIC "REEMUEND"
#define TAG_CHUNK 0x4b4e4843u   /* "CHNK" */
#define TAG_TRAILER 0x524c5254u /* "TRLR" */
#define CHUNK_RAW (64u << 10)
#define REC_HDR 24

/* ---- events ---- */

/* fields per kind, in order: bit 0 icount, 1 pos, 2 a, 3 b, 4 c, 5 d */
static const uint8_t ev_fields[REEMU_EV_KINDS] = {
    [REEMU_EV_RAW] = 0x02 | 0x04 | 0x08,
    [REEMU_EV_WRITE] = 0x02 | 0x04 | 0x08,
    [REEMU_EV_WAR] = 0x02 | 0x04 | 0x08,
    [REEMU_EV_INTR] = 0x01 | 0x04,
    [REEMU_EV_TLB] = 0x01 | 0x04 | 0x08 | 0x10 | 0x20,
    [REEMU_EV_TBINV] = 0x01 | 0x04 | 0x08 | 0x10 | 0x20,
    [REEMU_EV_RUN] = 0x01,
    [REEMU_EV_HALT] = 0x01,
    [REEMU_EV_MMIO] = 0x01 | 0x02 | 0x04 | 0x08 | 0x10,
    [REEMU_EV_SYSREG] = 0x01 | 0x02 | 0x04 | 0x10,
    [REEMU_EV_START] = 0x01,
    [REEMU_EV_CODEW] = 0x02 | 0x04 | 0x08,
};

static const char *const ev_names[REEMU_EV_KINDS] = {
    [REEMU_EV_RAW] = "RAW",       [REEMU_EV_WRITE] = "WRITE", [REEMU_EV_WAR] = "WAR",
    [REEMU_EV_INTR] = "INTR",     [REEMU_EV_TLB] = "TLB",     [REEMU_EV_TBINV] = "TBINV",
    [REEMU_EV_RUN] = "RUN",       [REEMU_EV_HALT] = "HALT",   [REEMU_EV_MMIO] = "MMIO",
    [REEMU_EV_SYSREG] = "SYSREG", [REEMU_EV_START] = "START",   [REEMU_EV_CODEW] = "CODEW",
};

const char *reemu_event_name(int kind)
{
    if (kind < 0 || kind >= REEMU_EV_KINDS || !ev_names[kind]) {
        return "?";
    }
    return ev_names[kind];
}

void reemu_event_format(const ReemuEvent *ev, char *buf, size_t len)
{
    unsigned long long ic = ev->icount, pos = ev->pos, a = ev->a, b = ev->b, c = ev->c,
                       d = ev->d;
    switch (ev->kind) {
    case REEMU_EV_RAW:
        snprintf(buf, len, "acc %llu RAW obj 0x%llx version %llu (read waits until >=)", pos, a,
                 b);
        break;
    case REEMU_EV_WRITE:
        snprintf(buf, len, "acc %llu WRITE obj 0x%llx from version %llu", pos, a, b);
        break;
    case REEMU_EV_WAR:
        snprintf(buf, len, "acc %llu WAR obj 0x%llx version %llu (its writer waits for this acc)",
                 pos, a, b);
        break;
    case REEMU_EV_INTR:
        snprintf(buf, len, "icount %llu INTR request 0x%llx", ic, a);
        break;
    case REEMU_EV_TLB:
        if (a == ~0ull) {
            snprintf(buf, len, "icount %llu TLB flush all idxmap 0x%llx from core %llu acc %llu",
                     ic, b, c, d);
        } else {
            snprintf(buf, len,
                     "icount %llu TLB flush page 0x%llx idxmap 0x%llx from core %llu acc %llu", ic,
                     a, b, c, d);
        }
        break;
    case REEMU_EV_TBINV:
        snprintf(buf, len, "icount %llu TB invalidate 0x%llx+%llu from core %llu acc %llu", ic, a,
                 b, c, d);
        break;
    case REEMU_EV_MMIO:
        snprintf(buf, len, "icount %llu acc %llu MMIO read 0x%llx size %llu = 0x%llx", ic, pos, a,
                 b, c);
        break;
    case REEMU_EV_SYSREG:
        snprintf(buf, len, "icount %llu acc %llu SYSREG read key 0x%llx = 0x%llx", ic, pos, a, c);
        break;
    case REEMU_EV_CODEW:
        snprintf(buf, len, "acc %llu CODEW store to code 0x%llx+%llu (old bytes kept)", pos, a,
                 b);
        break;
    default:
        snprintf(buf, len, "icount %llu %s", ic, reemu_event_name(ev->kind));
        break;
    }
}

static size_t put_leb(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        p[n++] = b | (v ? 0x80 : 0);
    } while (v);
    return n;
}

static bool get_leb(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*p >= end) {
            return false;
        }
        uint8_t b = *(*p)++;
        if (shift == 63 && (b & 0x7e)) {
            return false;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* ---- hashing ---- */

uint64_t reemu_hash_bytes(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    const uint64_t k1 = 0x9e3779b97f4a7c15ull, k2 = 0xc2b2ae3d27d4eb4full;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        h = (h ^ (w * k1)) * k2;
        h ^= h >> 29;
        b += 8;
        n -= 8;
    }
    while (n--) {
        h = (h ^ *b++) * k1;
    }
    h ^= h >> 32;
    return h;
}

bool reemu_hash_file(const char *path, uint64_t *hash, uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return false;
    }
    static __thread uint8_t buf[1 << 16];
    uint64_t h = 0x5245454d55ull, total = 0;
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        h = reemu_hash_bytes(h, buf, n);
        total += n;
    }
    bool ok = !ferror(f);
    fclose(f);
    *hash = h;
    *size = total;
    return ok;
}

/* ---- writer ---- */

typedef struct CoreBuf {
    uint8_t *raw; /* allocated at the first event of its stream */
    size_t used;
    uint32_t seq;
    char pad[40];
} CoreBuf;

struct ReemuWriter {
    int fd;
    int ncores;
    uint64_t end; /* next free file offset (atomic) */
    CoreBuf *cb;  /* [core * REEMU_NCATS + category] */
    bool io_error;
};

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static bool write_at(ReemuWriter *w, const void *buf, size_t len)
{
    uint64_t off = __atomic_fetch_add(&w->end, len, __ATOMIC_RELAXED);
    const uint8_t *p = buf;
    while (len) {
        ssize_t r = pwrite(w->fd, p, len, (off_t)off);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) {
                continue;
            }
            w->io_error = true;
            return false;
        }
        p += r;
        len -= (size_t)r;
        off += (uint64_t)r;
    }
    return true;
}

static void write_record(ReemuWriter *w, uint32_t tag, uint32_t core, uint32_t seq,
                         const uint8_t *raw, size_t rawlen, bool compress)
{
    uLongf zlen = compress ? compressBound((uLong)rawlen) : (uLongf)rawlen;
    uint8_t *rec = malloc(REC_HDR + zlen);
    if (!rec) {
        fatal("out of memory");
    }
    if (compress) {
        if (compress2(rec + REC_HDR, &zlen, raw, (uLong)rawlen, 1) != Z_OK) {
            fatal("reemu: zlib compression failed");
        }
    } else {
        memcpy(rec + REC_HDR, raw, rawlen);
    }
    put32(rec, tag);
    put32(rec + 4, core);
    put32(rec + 8, seq);
    put32(rec + 12, (uint32_t)rawlen);
    put32(rec + 16, (uint32_t)zlen);
    uint32_t crc = (uint32_t)crc32(0, rec, 20);
    crc = (uint32_t)crc32(crc, rec + REC_HDR, (uInt)zlen);
    put32(rec + 20, crc);
    write_at(w, rec, REC_HDR + zlen);
    free(rec);
}

ReemuWriter *reemu_writer_open(const char *path, const char *header, int ncores, char *err,
                               size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create record log '%s': %s", path, strerror(errno));
        return NULL;
    }
    ReemuWriter *w = calloc(1, sizeof(*w));
    if (!w || !(w->cb = calloc((size_t)ncores * REEMU_NCATS, sizeof(*w->cb)))) {
        fatal("out of memory");
    }
    w->fd = fd;
    w->ncores = ncores;
    size_t hlen = strlen(header);
    uint8_t *h = malloc(16 + hlen + 4);
    memcpy(h, MAGIC, 8);
    put32(h + 8, REEMU_LOG_VERSION);
    put32(h + 12, (uint32_t)hlen);
    memcpy(h + 16, header, hlen);
    put32(h + 16 + hlen, (uint32_t)crc32(0, (const Bytef *)header, (uInt)hlen));
    write_at(w, h, 16 + hlen + 4);
    free(h);
    if (w->io_error) {
        snprintf(err, errlen, "cannot write record log '%s': %s", path, strerror(errno));
        close(fd);
        free(w);
        return NULL;
    }
    return w;
}

static void flush_buf(ReemuWriter *w, int core, int cat)
{
    CoreBuf *b = &w->cb[core * REEMU_NCATS + cat];
    if (!b->used) {
        return;
    }
    write_record(w, TAG_CHUNK, (uint32_t)core | (uint32_t)cat << 16, b->seq++, b->raw, b->used,
                 true);
    b->used = 0;
}

void reemu_writer_event(ReemuWriter *w, int core, const ReemuEvent *ev)
{
    int cat = reemu_event_cat(ev->kind);
    CoreBuf *b = &w->cb[core * REEMU_NCATS + cat];
    if (!b->raw) {
        b->raw = malloc(CHUNK_RAW + 128);
        if (!b->raw) {
            fatal("out of memory");
        }
    }
    uint8_t *p = b->raw + b->used;
    uint8_t f = ev_fields[ev->kind];
    size_t n = 0;
    p[n++] = ev->kind;
    const uint64_t vals[6] = {ev->icount, ev->pos, ev->a, ev->b, ev->c, ev->d};
    for (int i = 0; i < 6; i++) {
        if (f & (1u << i)) {
            n += put_leb(p + n, vals[i]);
        }
    }
    b->used += n;
    if (b->used >= CHUNK_RAW) {
        flush_buf(w, core, cat);
    }
}

uint64_t reemu_writer_bytes(const ReemuWriter *w)
{
    return __atomic_load_n(&w->end, __ATOMIC_RELAXED);
}

bool reemu_writer_close(ReemuWriter *w, const ReemuTrailer *t)
{
    for (int i = 0; i < w->ncores; i++) {
        for (int c = 0; c < REEMU_NCATS; c++) {
            flush_buf(w, i, c);
        }
    }
    size_t tlen = 4 + (size_t)t->ncores * 24 + 8 + 4;
    uint8_t *tr = malloc(tlen);
    put32(tr, (uint32_t)t->ncores);
    for (int i = 0; i < t->ncores; i++) {
        put64(tr + 4 + i * 24, t->core[i].icount);
        put64(tr + 4 + i * 24 + 8, t->core[i].acc);
        put64(tr + 4 + i * 24 + 16, t->core[i].cpu_hash);
    }
    put64(tr + 4 + (size_t)t->ncores * 24, t->ram_hash);
    put32(tr + 4 + (size_t)t->ncores * 24 + 8, (uint32_t)t->exit_status);
    write_record(w, TAG_TRAILER, (uint32_t)t->ncores, 0, tr, tlen, false);
    free(tr);
    write_at(w, END_MAGIC, 8);
    bool ok = !w->io_error && fsync(w->fd) == 0;
    ok &= close(w->fd) == 0;
    for (int i = 0; i < w->ncores * REEMU_NCATS; i++) {
        free(w->cb[i].raw);
    }
    free(w->cb);
    free(w);
    return ok;
}

/* ---- reader ---- */

/* Where the log's bytes are: memory (reemu_log_parse) or a file. */
typedef struct ReemuLogSrc {
    const uint8_t *mem;
    int fd;
    uint64_t len;
} ReemuLogSrc;

typedef struct ChunkRef {
    uint64_t off; /* of the record */
    uint32_t zlen, rawlen;
} ChunkRef;

typedef struct ReemuChunkList {
    ChunkRef *c;
    size_t n, cap;
} ReemuChunkList;

static bool src_read(const ReemuLogSrc *s, uint64_t off, void *buf, size_t n)
{
    if (off > s->len || n > s->len - off) {
        return false;
    }
    if (s->mem) {
        memcpy(buf, s->mem + off, n);
        return true;
    }
    uint8_t *p = buf;
    while (n) {
        ssize_t r = pread(s->fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return false;
        }
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return true;
}

static ReemuLog *fail(ReemuLog *l, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    reemu_log_free(l);
    return NULL;
}

/* Reads the record at off (header + data into *buf, grown as needed) and
 * checks its CRC. NULL if fine, else why not. */
static const char *read_record(const ReemuLogSrc *src, uint64_t off, uint8_t **buf, size_t *cap,
                               uint32_t *tag, uint32_t *core, uint32_t *seq, uint32_t *rawlen,
                               uint32_t *zlen)
{
    uint8_t h[REC_HDR];
    if (src->len - off < REC_HDR || !src_read(src, off, h, REC_HDR)) {
        return "truncated log (no trailer)";
    }
    *tag = get32(h);
    *core = get32(h + 4);
    *seq = get32(h + 8);
    *rawlen = get32(h + 12);
    *zlen = get32(h + 16);
    if (*zlen > src->len - off - REC_HDR) {
        return "truncated log (a record runs past the end)";
    }
    if (*zlen > *cap) {
        uint8_t *n = realloc(*buf, *zlen);
        if (!n) {
            return "corrupt log (a record too large)";
        }
        *buf = n;
        *cap = *zlen;
    }
    if (!src_read(src, off + REC_HDR, *buf, *zlen)) {
        return "cannot read the log";
    }
    uint32_t crc = (uint32_t)crc32(0, h, 20);
    crc = (uint32_t)crc32(crc, *buf, *zlen);
    if (crc != get32(h + 20)) {
        return "corrupt log (record checksum)";
    }
    return NULL;
}

/* Checks the whole log (every record's CRC and lengths, the chunk order of
 * every stream, the trailer, the end mark) and indexes the chunks; decodes
 * no event. */
static ReemuLog *log_scan(ReemuLogSrc src, char *err, size_t errlen)
{
    ReemuLog *l = calloc(1, sizeof(*l));
    if (!l || !(l->src = malloc(sizeof(*l->src)))) {
        fatal("out of memory");
    }
    *l->src = src;
    l->file_bytes = src.len;
    uint8_t start[20];
    if (src.len < 20 || !src_read(&src, 0, start, 20) || memcmp(start, MAGIC, 8) != 0) {
        return fail(l, err, errlen, "not a reemu log (bad magic)");
    }
    l->version = get32(start + 8);
    if (l->version != REEMU_LOG_VERSION) {
        return fail(l, err, errlen, "log format version %u, this coremu reads version %u",
                    l->version, REEMU_LOG_VERSION);
    }
    uint64_t hlen = get32(start + 12);
    if (hlen > src.len - 20) {
        return fail(l, err, errlen, "truncated log (header)");
    }
    l->header = malloc(hlen + 5);
    if (!l->header || !src_read(&src, 16, l->header, hlen + 4)) {
        return fail(l, err, errlen, "truncated log (header)");
    }
    if (get32((uint8_t *)l->header + hlen) != (uint32_t)crc32(0, (Bytef *)l->header, (uInt)hlen) ||
        memchr(l->header, 0, hlen)) {
        return fail(l, err, errlen, "corrupt log (header checksum)");
    }
    l->header[hlen] = 0;
    char smp[32];
    if (!reemu_header_get(l->header, "smp", smp, sizeof(smp))) {
        return fail(l, err, errlen, "corrupt log (no smp in the header)");
    }
    long n = strtol(smp, NULL, 10);
    if (n < 1 || n > 4096) {
        return fail(l, err, errlen, "corrupt log (smp=%s)", smp);
    }
    l->ncores = (int)n;
    l->chunks = calloc((size_t)n * REEMU_NCATS, sizeof(*l->chunks));
    if (!l->chunks) {
        fatal("out of memory");
    }
    uint8_t *buf = NULL;
    size_t cap = 0;
    uint64_t off = 16 + hlen + 4;
    bool trailer = false;
    const char *why = NULL;
    while (!why) {
        uint32_t tag, core, sq, rawlen, zlen;
        if ((why = read_record(&src, off, &buf, &cap, &tag, &core, &sq, &rawlen, &zlen))) {
            break;
        }
        if (tag == TAG_CHUNK) {
            uint32_t c = core & 0xffff, cat = core >> 16;
            ReemuChunkList *cl = &l->chunks[c * REEMU_NCATS + cat];
            if (c >= (uint32_t)n || cat >= REEMU_NCATS || rawlen > CHUNK_RAW + 128 ||
                sq != cl->n) {
                why = "corrupt log (chunk out of place)";
                break;
            }
            if (cl->n == cl->cap) {
                cl->cap = cl->cap ? cl->cap * 2 : 16;
                cl->c = realloc(cl->c, cl->cap * sizeof(*cl->c));
                if (!cl->c) {
                    fatal("out of memory");
                }
            }
            cl->c[cl->n++] = (ChunkRef){.off = off, .zlen = zlen, .rawlen = rawlen};
        } else if (tag == TAG_TRAILER) {
            if (core != (uint32_t)n || rawlen != zlen || zlen != 4 + n * 24 + 12 ||
                get32(buf) != (uint32_t)n) {
                why = "corrupt log (trailer)";
                break;
            }
            const uint8_t *t = buf + 4;
            l->trailer.ncores = (int)n;
            l->trailer.core = calloc((size_t)n, sizeof(ReemuCoreEnd));
            for (long i = 0; i < n; i++) {
                l->trailer.core[i].icount = get64(t + i * 24);
                l->trailer.core[i].acc = get64(t + i * 24 + 8);
                l->trailer.core[i].cpu_hash = get64(t + i * 24 + 16);
            }
            l->trailer.ram_hash = get64(t + n * 24);
            l->trailer.exit_status = (int32_t)get32(t + n * 24 + 8);
            off += REC_HDR + zlen;
            uint8_t endm[8];
            if (src.len - off != 8 || !src_read(&src, off, endm, 8) ||
                memcmp(endm, END_MAGIC, 8) != 0) {
                why = src.len - off < 8 ? "truncated log (end mark)" : "corrupt log (after the trailer)";
                break;
            }
            trailer = true;
            break;
        } else {
            why = "corrupt log (unknown record)";
            break;
        }
        off += REC_HDR + zlen;
    }
    free(buf);
    if (!trailer) {
        return fail(l, err, errlen, "%s", why ? why : "truncated log");
    }
    return l;
}

int reemu_event_cat(int kind)
{
    switch (kind) {
    case REEMU_EV_RAW:
    case REEMU_EV_WRITE:
        return REEMU_CAT_ORDER;
    case REEMU_EV_WAR:
        return REEMU_CAT_WAR;
    case REEMU_EV_MMIO:
    case REEMU_EV_SYSREG:
        return REEMU_CAT_VALUE;
    case REEMU_EV_CODEW:
        return REEMU_CAT_CODE;
    default:
        return REEMU_CAT_ASYNC;
    }
}

struct ReemuStream {
    const ReemuLog *l;
    const ReemuChunkList *cl;
    int cat;
    size_t next_chunk;
    uint8_t *raw, *z;
    size_t rawlen, pos, zcap;
};

ReemuStream *reemu_stream_open(const ReemuLog *l, int core, int cat)
{
    ReemuStream *s = calloc(1, sizeof(*s));
    if (!s || !(s->raw = malloc(CHUNK_RAW + 128))) {
        fatal("out of memory");
    }
    s->l = l;
    s->cl = &l->chunks[core * REEMU_NCATS + cat];
    s->cat = cat;
    return s;
}

void reemu_stream_close(ReemuStream *s)
{
    if (s) {
        free(s->raw);
        free(s->z);
        free(s);
    }
}

int reemu_stream_next(ReemuStream *s, ReemuEvent *ev, char *err, size_t errlen)
{
    while (s->pos == s->rawlen) {
        if (s->next_chunk == s->cl->n) {
            return 0;
        }
        const ChunkRef *c = &s->cl->c[s->next_chunk++];
        uint32_t tag, core, sq, rawlen, zlen;
        /* read and checked again: the file may have changed since it was opened */
        const char *why =
            read_record(s->l->src, c->off, &s->z, &s->zcap, &tag, &core, &sq, &rawlen, &zlen);
        uLongf out = c->rawlen;
        if (!why && (tag != TAG_CHUNK || zlen != c->zlen || rawlen != c->rawlen ||
                     uncompress(s->raw, &out, s->z, zlen) != Z_OK || out != c->rawlen)) {
            why = "corrupt log (a chunk does not decompress)";
        }
        if (why) {
            snprintf(err, errlen, "%s", why);
            return -1;
        }
        s->rawlen = c->rawlen;
        s->pos = 0;
    }
    const uint8_t *p = s->raw + s->pos, *end = s->raw + s->rawlen;
    uint8_t kind = *p++;
    if (kind >= REEMU_EV_KINDS || !ev_fields[kind] || reemu_event_cat(kind) != s->cat) {
        snprintf(err, errlen, "corrupt log (bad event encoding)");
        return -1;
    }
    uint64_t vals[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 6; i++) {
        if ((ev_fields[kind] & (1u << i)) && !get_leb(&p, end, &vals[i])) {
            snprintf(err, errlen, "corrupt log (bad event encoding)");
            return -1;
        }
    }
    s->pos = (size_t)(p - s->raw);
    *ev = (ReemuEvent){.kind = kind, .icount = vals[0], .pos = vals[1], .a = vals[2],
                       .b = vals[3], .c = vals[4], .d = vals[5]};
    return 1;
}

/* Decodes every stream into l->ev (per core, category by category). */
static ReemuLog *log_decode_all(ReemuLog *l, char *err, size_t errlen)
{
    l->ev = calloc((size_t)l->ncores, sizeof(*l->ev));
    l->nev = calloc((size_t)l->ncores, sizeof(*l->nev));
    if (!l->ev || !l->nev) {
        fatal("out of memory");
    }
    for (int c = 0; c < l->ncores; c++) {
        size_t cap = 0;
        for (int cat = 0; cat < REEMU_NCATS; cat++) {
            ReemuStream *s = reemu_stream_open(l, c, cat);
            ReemuEvent e;
            int r;
            while ((r = reemu_stream_next(s, &e, err, errlen)) == 1) {
                if (l->nev[c] == cap) {
                    cap = cap ? cap * 2 : 4096;
                    ReemuEvent *n = realloc(l->ev[c], cap * sizeof(ReemuEvent));
                    if (!n) {
                        fatal("out of memory");
                    }
                    l->ev[c] = n;
                }
                l->ev[c][l->nev[c]++] = e;
            }
            reemu_stream_close(s);
            if (r < 0) {
                char why[200];
                snprintf(why, sizeof(why), "%s", err);
                return fail(l, err, errlen, "%s", why);
            }
        }
    }
    return l;
}

ReemuLog *reemu_log_parse(const uint8_t *data, size_t len, char *err, size_t errlen)
{
    ReemuLog *l = log_scan((ReemuLogSrc){.mem = data, .fd = -1, .len = len}, err, errlen);
    if (!l) {
        return NULL;
    }
    l = log_decode_all(l, err, errlen);
    if (l) {
        l->src->mem = NULL; /* the caller's buffer: not kept */
        l->src->len = 0;
    }
    return l;
}

ReemuLog *reemu_log_open(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open replay log '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "replay log '%s' is not a regular file", path);
        close(fd);
        return NULL;
    }
    char e2[200];
    ReemuLog *l = log_scan((ReemuLogSrc){.fd = fd, .len = (uint64_t)st.st_size}, e2, sizeof(e2));
    if (!l) { /* the fd was closed with it */
        snprintf(err, errlen, "replay log '%s': %s", path, e2);
    }
    return l;
}

ReemuLog *reemu_log_read(const char *path, char *err, size_t errlen)
{
    ReemuLog *l = reemu_log_open(path, err, errlen);
    if (!l) {
        return NULL;
    }
    char e2[200];
    l = log_decode_all(l, e2, sizeof(e2));
    if (!l) {
        snprintf(err, errlen, "replay log '%s': %s", path, e2);
    }
    return l;
}

void reemu_log_free(ReemuLog *l)
{
    if (!l) {
        return;
    }
    for (int i = 0; i < l->ncores && l->ev; i++) {
        free(l->ev[i]);
    }
    free(l->ev);
    free(l->nev);
    for (int i = 0; l->chunks && i < l->ncores * REEMU_NCATS; i++) {
        free(l->chunks[i].c);
    }
    free(l->chunks);
    if (l->src && !l->src->mem && l->src->fd >= 0) {
        close(l->src->fd);
    }
    free(l->src);
    free(l->header);
    free(l->trailer.core);
    free(l);
}

bool reemu_header_get(const char *header, const char *key, char *out, size_t outlen)
{
    size_t kl = strlen(key);
    const char *p = header;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t ll = nl ? (size_t)(nl - p) : strlen(p);
        if (ll > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
            size_t vl = ll - kl - 1;
            if (vl >= outlen) {
                vl = outlen - 1;
            }
            memcpy(out, p + kl + 1, vl);
            out[vl] = 0;
            return true;
        }
        p = nl ? nl + 1 : NULL;
    }
    return false;
}
