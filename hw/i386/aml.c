/*
 * aml.c — ACPI Machine Language byte-code builder (ACPI 6.4 chapter 20).
 *
 * Terms with a PkgLength are built back to front only in one place:
 * aml_open() remembers where the body starts, aml_close() encodes the
 * body's length (20.2.4: the PkgLength counts its own bytes) and inserts it
 * there. Nested terms close innermost first, so every inner length is final
 * before the outer one is measured. The cost is one memmove per close,
 * which is nothing for a table of a few kilobytes.
 */
#include "hw/i386/aml.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

void aml_init(Aml *a)
{
    memset(a, 0, sizeof(*a));
}

void aml_free(Aml *a)
{
    free(a->buf);
    memset(a, 0, sizeof(*a));
}

static void reserve(Aml *a, size_t extra)
{
    if (a->len + extra <= a->cap) {
        return;
    }
    size_t cap = a->cap ? a->cap : 256;
    while (cap < a->len + extra) {
        cap *= 2;
    }
    uint8_t *p = realloc(a->buf, cap);
    if (!p) {
        fatal("out of memory");
    }
    a->buf = p;
    a->cap = cap;
}

void aml_bytes(Aml *a, const void *p, size_t n)
{
    reserve(a, n);
    memcpy(a->buf + a->len, p, n);
    a->len += n;
}

void aml_byte(Aml *a, uint8_t b)
{
    aml_bytes(a, &b, 1);
}

static void le(Aml *a, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        aml_byte(a, (uint8_t)(v >> (8 * i)));
    }
}

/* Insert n bytes at offset at (shifting the tail). */
static void insert(Aml *a, size_t at, const uint8_t *p, size_t n)
{
    reserve(a, n);
    memmove(a->buf + at + n, a->buf + at, a->len - at);
    memcpy(a->buf + at, p, n);
    a->len += n;
}

/* 20.2.2 NameSeg: lead [A-Z_], then [A-Z0-9_]; short segments padded '_' */
static void name_seg(Aml *a, const char *s, size_t n)
{
    if (n == 0 || n > 4) {
        fatal("aml: bad name segment '%.*s'", (int)n, s);
    }
    for (size_t i = 0; i < 4; i++) {
        char c = i < n ? s[i] : '_';
        bool ok = (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
        if (!ok) {
            fatal("aml: bad name segment '%.*s'", (int)n, s);
        }
        aml_byte(a, (uint8_t)c);
    }
}

void aml_name_string(Aml *a, const char *path)
{
    const char *p = path;
    if (*p == '\\') {
        aml_byte(a, AML_ROOT_CHAR);
        p++;
    } else {
        while (*p == '^') {
            aml_byte(a, AML_PARENT_PREFIX);
            p++;
        }
    }
    int nseg = 0;
    if (*p) {
        nseg = 1;
        for (const char *q = p; *q; q++) {
            nseg += *q == '.';
        }
    }
    if (nseg == 0) {
        aml_byte(a, 0x00); /* NullName */
        return;
    }
    if (nseg == 2) {
        aml_byte(a, AML_DUAL_NAME_PREFIX);
    } else if (nseg > 2) {
        if (nseg > 255) {
            fatal("aml: name too long");
        }
        aml_byte(a, AML_MULTI_NAME_PREFIX);
        aml_byte(a, (uint8_t)nseg);
    }
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        name_seg(a, p, n);
        p += n + (dot != NULL);
    }
}

void aml_int(Aml *a, uint64_t v)
{
    if (v == 0) {
        aml_byte(a, AML_ZERO_OP);
    } else if (v == 1) {
        aml_byte(a, AML_ONE_OP);
    } else if (v == ~0ull) {
        aml_byte(a, AML_ONES_OP);
    } else if (v <= 0xff) {
        aml_byte(a, AML_BYTE_PREFIX);
        le(a, v, 1);
    } else if (v <= 0xffff) {
        aml_byte(a, AML_WORD_PREFIX);
        le(a, v, 2);
    } else if (v <= 0xffffffffull) {
        aml_byte(a, AML_DWORD_PREFIX);
        le(a, v, 4);
    } else {
        aml_byte(a, AML_QWORD_PREFIX);
        le(a, v, 8);
    }
}

void aml_string(Aml *a, const char *s)
{
    aml_byte(a, AML_STRING_PREFIX);
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p < 0x01 || (unsigned char)*p > 0x7f) {
            fatal("aml: non-ASCII string");
        }
    }
    aml_bytes(a, s, strlen(s) + 1);
}

/* 6.1.5: three letters of 5 bits ('A' = 1) and four hex digits, big-endian */
uint32_t aml_eisaid(const char *id)
{
    if (strlen(id) != 7) {
        fatal("aml: bad EISA id '%s'", id);
    }
    uint32_t v = 0;
    for (int i = 0; i < 3; i++) {
        if (id[i] < 'A' || id[i] > 'Z') {
            fatal("aml: bad EISA id '%s'", id);
        }
        v = (v << 5) | (uint32_t)(id[i] - 'A' + 1);
    }
    for (int i = 3; i < 7; i++) {
        char c = id[i];
        uint32_t d;
        if (c >= '0' && c <= '9') {
            d = (uint32_t)(c - '0');
        } else if (c >= 'A' && c <= 'F') {
            d = (uint32_t)(c - 'A' + 10);
        } else {
            fatal("aml: bad EISA id '%s'", id);
        }
        v = (v << 4) | d;
    }
    /* bytes in memory: letters hi, letters lo, digits hi, digits lo */
    return __builtin_bswap32(v);
}

void aml_name(Aml *a, const char *name)
{
    aml_byte(a, AML_NAME_OP);
    aml_name_string(a, name);
}

void aml_name_int(Aml *a, const char *name, uint64_t v)
{
    aml_name(a, name);
    aml_int(a, v);
}

void aml_name_str(Aml *a, const char *name, const char *s)
{
    aml_name(a, name);
    aml_string(a, s);
}

void aml_name_eisaid(Aml *a, const char *name, const char *id)
{
    aml_name(a, name);
    aml_byte(a, AML_DWORD_PREFIX);
    le(a, aml_eisaid(id), 4);
}

static void aml_open(Aml *a, uint8_t kind)
{
    if (a->depth == AML_MAX_DEPTH) {
        fatal("aml: nesting too deep");
    }
    a->open[a->depth].body = a->len;
    a->open[a->depth].kind = kind;
    a->depth++;
}

void aml_scope(Aml *a, const char *path)
{
    aml_byte(a, AML_SCOPE_OP);
    aml_open(a, AML_SCOPE_OP);
    aml_name_string(a, path);
}

void aml_device(Aml *a, const char *name)
{
    aml_byte(a, AML_EXT_OP_PREFIX);
    aml_byte(a, AML_EXT_DEVICE_OP);
    aml_open(a, AML_EXT_DEVICE_OP);
    aml_name_string(a, name);
}

void aml_method(Aml *a, const char *name, int nargs, bool serialized)
{
    aml_byte(a, AML_METHOD_OP);
    aml_open(a, AML_METHOD_OP);
    aml_name_string(a, name);
    /* 20.2.5.2 MethodFlags: ArgCount 2:0, SerializeFlag 3, SyncLevel 7:4 */
    aml_byte(a, (uint8_t)((nargs & 7) | (serialized ? 8 : 0)));
}

void aml_package(Aml *a, uint8_t nelems)
{
    aml_byte(a, AML_PACKAGE_OP);
    aml_open(a, AML_PACKAGE_OP);
    aml_byte(a, nelems);
}

void aml_buffer(Aml *a)
{
    aml_byte(a, AML_BUFFER_OP);
    aml_open(a, AML_BUFFER_OP);
}

void aml_return(Aml *a)
{
    aml_byte(a, AML_RETURN_OP);
}

/*
 * 20.2.4 PkgLength for a body of n bytes: one byte (bits 5:0) if the total
 * is below 64, else a lead byte with the count of following bytes in bits
 * 7:6 and the low nibble in bits 3:0, then the rest 8 bits at a time.
 */
static size_t pkg_length(uint8_t out[4], size_t body)
{
    for (size_t n = 1; n <= 4; n++) {
        size_t total = body + n;
        size_t limit = n == 1 ? 64 : (size_t)1 << (4 + 8 * (n - 1));
        if (total >= limit) {
            continue;
        }
        if (n == 1) {
            out[0] = (uint8_t)total;
        } else {
            out[0] = (uint8_t)(((n - 1) << 6) | (total & 0xf));
            for (size_t i = 1; i < n; i++) {
                out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
            }
        }
        return n;
    }
    fatal("aml: package too long");
}

void aml_close(Aml *a)
{
    if (a->depth == 0) {
        fatal("aml: close without open");
    }
    a->depth--;
    size_t at = a->open[a->depth].body;
    uint8_t prefix[16];
    size_t np = 0;
    size_t body = a->len - at;
    if (a->open[a->depth].kind == AML_BUFFER_OP) {
        /* BufferOp PkgLength BufferSize ByteList: the size is a TermArg */
        Aml sz;
        aml_init(&sz);
        aml_int(&sz, body);
        np = pkg_length(prefix, body + sz.len);
        memcpy(prefix + np, sz.buf, sz.len);
        np += sz.len;
        aml_free(&sz);
    } else {
        np = pkg_length(prefix, body);
    }
    insert(a, at, prefix, np);
}

/* ---- resource descriptors (6.4) ---- */

void aml_res_io(Aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
    aml_byte(a, 0x47); /* 6.4.2.5 I/O port, small item 0x08, length 7 */
    aml_byte(a, 0x01); /* 16-bit decode */
    le(a, min, 2);
    le(a, max, 2);
    aml_byte(a, align);
    aml_byte(a, len);
}

void aml_res_irq(Aml *a, uint16_t mask)
{
    aml_byte(a, 0x22); /* 6.4.2.1 IRQ, small item 0x04, length 2: edge, high */
    le(a, mask, 2);
}

/*
 * 6.4.3.5 address space descriptors: producer (bit 0 = 0), positive decode,
 * min and max fixed (bits 3:2 set), granularity 0, no translation.
 */
static void addr_space(Aml *a, uint8_t tag, int width, uint8_t type, uint8_t tflags,
                       uint64_t min, uint64_t max)
{
    aml_byte(a, tag);
    le(a, (uint64_t)(3 + 5 * width), 2);
    aml_byte(a, type);
    aml_byte(a, 0x0c);
    aml_byte(a, tflags);
    le(a, 0, width);              /* _GRA */
    le(a, min, width);            /* _MIN */
    le(a, max, width);            /* _MAX */
    le(a, 0, width);              /* _TRA */
    le(a, max - min + 1, width);  /* _LEN */
}

void aml_res_word_bus(Aml *a, uint16_t min, uint16_t max)
{
    addr_space(a, 0x88, 2, 2, 0x00, min, max);
}

void aml_res_word_io(Aml *a, uint16_t min, uint16_t max)
{
    addr_space(a, 0x88, 2, 1, 0x03 /* _RNG: entire range */, min, max);
}

/* memory type-specific flags: _RW bit 0, _MEM bits 2:1 (0 non-cacheable, 1 cacheable) */
void aml_res_dword_mem(Aml *a, uint32_t min, uint32_t max, bool cacheable)
{
    addr_space(a, 0x87, 4, 0, cacheable ? 0x03 : 0x01, min, max);
}

void aml_res_qword_mem(Aml *a, uint64_t min, uint64_t max, bool cacheable)
{
    addr_space(a, 0x8a, 8, 0, cacheable ? 0x03 : 0x01, min, max);
}

void aml_res_mem32_fixed(Aml *a, uint32_t base, uint32_t len, bool writable)
{
    aml_byte(a, 0x86); /* 6.4.3.4 32-bit fixed memory range */
    le(a, 9, 2);
    aml_byte(a, writable ? 1 : 0);
    le(a, base, 4);
    le(a, len, 4);
}

void aml_res_end(Aml *a)
{
    aml_byte(a, 0x79); /* 6.4.2.9 end tag; checksum 0 means "treat as valid" */
    aml_byte(a, 0x00);
}
