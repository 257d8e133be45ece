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
#define CHUNK_RAW (256u << 10)
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
    uint8_t *raw;
    size_t used;
    uint32_t seq;
    char pad[40];
} CoreBuf;

struct ReemuWriter {
    int fd;
    int ncores;
    uint64_t end; /* next free file offset (atomic) */
    CoreBuf *cb;
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
    w->cb = calloc((size_t)ncores, sizeof(*w->cb));
    if (!w || !w->cb) {
        fatal("out of memory");
    }
    w->fd = fd;
    w->ncores = ncores;
    for (int i = 0; i < ncores; i++) {
        w->cb[i].raw = malloc(CHUNK_RAW + 128);
        if (!w->cb[i].raw) {
            fatal("out of memory");
        }
    }
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

static void flush_core(ReemuWriter *w, int core)
{
    CoreBuf *b = &w->cb[core];
    if (!b->used) {
        return;
    }
    write_record(w, TAG_CHUNK, (uint32_t)core, b->seq++, b->raw, b->used, true);
    b->used = 0;
}

void reemu_writer_event(ReemuWriter *w, int core, const ReemuEvent *ev)
{
    CoreBuf *b = &w->cb[core];
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
        flush_core(w, core);
    }
}

uint64_t reemu_writer_bytes(const ReemuWriter *w)
{
    return __atomic_load_n(&w->end, __ATOMIC_RELAXED);
}

bool reemu_writer_close(ReemuWriter *w, const ReemuTrailer *t)
{
    for (int i = 0; i < w->ncores; i++) {
        flush_core(w, i);
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
    for (int i = 0; i < w->ncores; i++) {
        free(w->cb[i].raw);
    }
    free(w->cb);
    free(w);
    return ok;
}

/* ---- reader ---- */

static ReemuLog *fail(ReemuLog *l, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    reemu_log_free(l);
    return NULL;
}

static bool decode_events(ReemuLog *l, int core, const uint8_t *p, size_t len, size_t *cap)
{
    const uint8_t *end = p + len;
    while (p < end) {
        uint8_t kind = *p++;
        if (kind >= REEMU_EV_KINDS || !ev_fields[kind]) {
            return false;
        }
        uint64_t vals[6] = {0, 0, 0, 0, 0, 0};
        for (int i = 0; i < 6; i++) {
            if ((ev_fields[kind] & (1u << i)) && !get_leb(&p, end, &vals[i])) {
                return false;
            }
        }
        if (l->nev[core] == *cap) {
            *cap = *cap ? *cap * 2 : 4096;
            ReemuEvent *n = realloc(l->ev[core], *cap * sizeof(ReemuEvent));
            if (!n) {
                return false;
            }
            l->ev[core] = n;
        }
        l->ev[core][l->nev[core]++] = (ReemuEvent){.kind = kind, .icount = vals[0],
                                                   .pos = vals[1], .a = vals[2], .b = vals[3],
                                                   .c = vals[4], .d = vals[5]};
    }
    return true;
}

ReemuLog *reemu_log_parse(const uint8_t *data, size_t len, char *err, size_t errlen)
{
    ReemuLog *l = calloc(1, sizeof(*l));
    if (!l) {
        fatal("out of memory");
    }
    l->file_bytes = len;
    if (len < 20 || memcmp(data, MAGIC, 8) != 0) {
        return fail(l, err, errlen, "not a reemu log (bad magic)");
    }
    l->version = get32(data + 8);
    if (l->version != REEMU_LOG_VERSION) {
        return fail(l, err, errlen, "log format version %u, this coremu reads version %u",
                    l->version, REEMU_LOG_VERSION);
    }
    uint64_t hlen = get32(data + 12);
    if (hlen > len - 20) {
        return fail(l, err, errlen, "truncated log (header)");
    }
    if (get32(data + 16 + hlen) != (uint32_t)crc32(0, data + 16, (uInt)hlen) ||
        memchr(data + 16, 0, hlen)) {
        return fail(l, err, errlen, "corrupt log (header checksum)");
    }
    l->header = malloc(hlen + 1);
    memcpy(l->header, data + 16, hlen);
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
    l->ev = calloc((size_t)n, sizeof(*l->ev));
    l->nev = calloc((size_t)n, sizeof(*l->nev));
    size_t *cap = calloc((size_t)n, sizeof(*cap));
    uint32_t *seq = calloc((size_t)n, sizeof(*seq));
    uint8_t *raw = malloc(CHUNK_RAW + 128);
    if (!l->ev || !l->nev || !cap || !seq || !raw) {
        fatal("out of memory");
    }
    size_t off = 16 + hlen + 4;
    bool trailer = false;
    const char *why = NULL;
    while (!why) {
        if (len - off < REC_HDR) {
            why = "truncated log (no trailer)";
            break;
        }
        const uint8_t *r = data + off;
        uint32_t tag = get32(r), core = get32(r + 4), sq = get32(r + 8);
        uint32_t rawlen = get32(r + 12), zlen = get32(r + 16);
        if (zlen > len - off - REC_HDR) {
            why = "truncated log (a record runs past the end)";
            break;
        }
        uint32_t crc = (uint32_t)crc32(0, r, 20);
        crc = (uint32_t)crc32(crc, r + REC_HDR, zlen);
        if (crc != get32(r + 20)) {
            why = "corrupt log (record checksum)";
            break;
        }
        if (tag == TAG_CHUNK) {
            if (core >= (uint32_t)n || rawlen > CHUNK_RAW + 128 || sq != seq[core]) {
                why = "corrupt log (chunk out of place)";
                break;
            }
            seq[core]++;
            uLongf out = rawlen;
            if (uncompress(raw, &out, r + REC_HDR, zlen) != Z_OK || out != rawlen) {
                why = "corrupt log (a chunk does not decompress)";
                break;
            }
            if (!decode_events(l, (int)core, raw, rawlen, &cap[core])) {
                why = "corrupt log (bad event encoding)";
                break;
            }
        } else if (tag == TAG_TRAILER) {
            if (core != (uint32_t)n || rawlen != zlen || zlen != 4 + n * 24 + 12 ||
                get32(r + REC_HDR) != (uint32_t)n) {
                why = "corrupt log (trailer)";
                break;
            }
            const uint8_t *t = r + REC_HDR + 4;
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
            if (len - off != 8 || memcmp(data + off, END_MAGIC, 8) != 0) {
                why = len - off < 8 ? "truncated log (end mark)" : "corrupt log (after the trailer)";
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
    free(cap);
    free(seq);
    free(raw);
    if (!trailer) {
        return fail(l, err, errlen, "%s", why ? why : "truncated log");
    }
    return l;
}

ReemuLog *reemu_log_read(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY);
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
    size_t len = (size_t)st.st_size;
    uint8_t *data = malloc(len ? len : 1);
    size_t got = 0;
    while (data && got < len) {
        ssize_t r = read(fd, data + got, len - got);
        if (r <= 0) {
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    if (!data || got != len) {
        free(data);
        snprintf(err, errlen, "cannot read replay log '%s'", path);
        return NULL;
    }
    char e2[200];
    ReemuLog *l = reemu_log_parse(data, len, e2, sizeof(e2));
    free(data);
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
