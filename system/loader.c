/*
 * loader.c — putting guest software into guest RAM (see include/system/loader.h).
 *
 * Every loader works in two phases: read the whole file into a host buffer
 * and validate everything (headers, every offset and size against the file
 * size, every destination range against the guest RAM map), and only then
 * copy into guest RAM. So a rejected file leaves guest RAM untouched, and a
 * write outside RAM is impossible by construction: every destination range
 * is checked with ram_range_ok() before memory_rw() touches it.
 *
 * All arithmetic on untrusted 64-bit values is overflow-checked
 * (add_ok()); a parser never reads a header field past the end of the
 * buffer (rd32()/rd64() callers check the bounds first).
 *
 * Formats:
 *   - arm64 Image: Linux Documentation/arm64/booting.rst, "Call the kernel
 *     image": 64-byte header, magic "ARM\x64" at 0x38, text_offset at 8,
 *     image_size at 16 (0 in kernels before 3.17: text_offset is then
 *     0x80000), flags at 24 (bit 0 big-endian, bits 1-2 page size, bit 3
 *     physical placement). The Image goes at a 2 MiB aligned base +
 *     text_offset. If the Image carries its EFI stub's PE/COFF header (magic
 *     "MZ", PE offset at 0x3c), its section table tells how many bytes the
 *     file must hold: that is how a truncated kernel is recognised (the
 *     arm64 header's image_size includes BSS, so it cannot).
 *   - gzip'd Image (as in some distributions' vmlinuz), or an EFI zboot
 *     image (drivers/firmware/efi/libstub/zboot-header.S: "zimg" at 4,
 *     payload offset at 8, compression name at 0x18) with a gzip payload:
 *     inflated with zlib, then treated like the file itself.
 *   - ELF64 little-endian (System V gABI, "Program Header"): PT_LOAD
 *     segments at p_paddr; p_filesz bytes copied, p_memsz - p_filesz zeroed.
 *     A segment outside RAM is an error, except one holding only the ELF
 *     header, program headers and notes (GNU ld's first segment of a
 *     program linked with -Ttext into RAM): that one is skipped.
 *     *highest is exclusive (first byte after the highest segment).
 */
#include "system/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util/log.h"

#define MiB ((uint64_t)1024 * 1024)
#define SZBUF 64 /* buffers for fmt_size() */

#define ARM64_IMAGE_HDR_SIZE 64
#define ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" read little-endian */
#define ARM64_OLD_TEXT_OFFSET 0x80000ull
#define ARM64_BASE_ALIGN (2 * MiB)

#define ELF_EHDR_SIZE 64
#define ELF_PHDR_SIZE 56
#define ELF_PT_LOAD 1
#define ELF_PT_NOTE 4
#define ELF_ET_EXEC 2
#define ELF_ET_DYN 3
#define ELF_EM_X86_64 62
#define ELF_EM_AARCH64 183

/* ---- small helpers ---------------------------------------------------- */

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* *sum = a + b; false if that overflows 64 bits */
static bool add_ok(uint64_t a, uint64_t b, uint64_t *sum)
{
    *sum = a + b;
    return *sum >= a;
}

/*
 * Human-readable size for messages: "512 bytes", "12 KiB", "40 MiB",
 * "26.7 MiB", "4.0 GiB"; absurd sizes (from corrupt headers) in hex.
 */
static const char *fmt_size(char *buf, size_t bufsz, uint64_t n)
{
    static const char *const units[] = {"KiB", "MiB", "GiB"};
    if (n < 1024) {
        snprintf(buf, bufsz, "%" PRIu64 " bytes", n);
        return buf;
    }
    if (n >= 1024 * 1024 * MiB) {
        snprintf(buf, bufsz, "0x%" PRIx64 " bytes", n);
        return buf;
    }
    int u = n >= 1024 * MiB ? 2 : n >= MiB ? 1 : 0;
    uint64_t unit = (uint64_t)1024 << (10 * u);
    if (n % unit == 0) {
        snprintf(buf, bufsz, "%" PRIu64 " %s", n / unit, units[u]);
    } else {
        snprintf(buf, bufsz, "%.1f %s", (double)n / (double)unit, units[u]);
    }
    return buf;
}

/*
 * "header says A, file has B": when rounding would make A and B look
 * alike, both in bytes.
 */
static void fmt_two_sizes(char *a, char *b, size_t bufsz, uint64_t x, uint64_t y)
{
    fmt_size(a, bufsz, x);
    fmt_size(b, bufsz, y);
    if (strcmp(a, b) == 0 || (x > y ? x - y : y - x) < (x > y ? x : y) / 64) {
        snprintf(a, bufsz, "%" PRIu64 " bytes", x);
        snprintf(b, bufsz, "%" PRIu64 " bytes", y);
    }
}

static const char *elf_machine_name(int machine)
{
    switch (machine) {
    case ELF_EM_AARCH64: return "AArch64";
    case ELF_EM_X86_64: return "x86-64";
    default: return "this machine";
    }
}

/*
 * True if every byte of [addr, addr+len) is guest RAM (or ROM: loaders may
 * fill ROM). The range may span adjacent RAM regions. len 0 is trivially ok
 * as long as addr itself does not overflow anything.
 */
static bool ram_range_ok(AddressSpace *as, uint64_t addr, uint64_t len)
{
    uint64_t last;
    if (len == 0) {
        return true;
    }
    if (!add_ok(addr, len - 1, &last)) {
        return false;
    }
    for (;;) {
        const MemoryRegion *mr = memory_lookup(as, addr);
        if (!mr || !mr->is_ram) {
            return false;
        }
        uint64_t region_last = mr->base + (mr->size - 1);
        if (region_last >= last) {
            return true;
        }
        addr = region_last + 1;
    }
}

/* Zero [addr, addr+len); the caller has checked the range with ram_range_ok(). */
static bool ram_zero(AddressSpace *as, uint64_t addr, uint64_t len)
{
    while (len > 0) {
        const MemoryRegion *mr = memory_lookup(as, addr);
        if (!mr || !mr->is_ram) {
            return false;
        }
        uint64_t off = addr - mr->base;
        uint64_t n = mr->size - off < len ? mr->size - off : len;
        memset(mr->host + off, 0, n);
        addr += n;
        len -= n;
    }
    return true;
}

/*
 * A too-big size against its limit: "5 MiB" / "4 MiB", in bytes where
 * rounding would blur them; a size of limit + 1 comes from a file whose end
 * we never saw (a pipe, a device) and reads "more than <limit>".
 */
static void fmt_too_big(char *a, char *b, size_t bufsz, uint64_t size, uint64_t limit)
{
    fmt_two_sizes(a, b, bufsz, size, limit);
    if (size == limit + 1) {
        char tmp[SZBUF];
        snprintf(tmp, sizeof(tmp), "more than %.40s", b);
        snprintf(a, bufsz, "%.50s", tmp);
    }
}

/* ---- reading files ---------------------------------------------------- */

enum { READ_OK = 0, READ_ERROR = -1, READ_TOO_BIG = -2 };

/*
 * Read the whole of `path` into a malloc'd buffer. At most `max` bytes are
 * accepted: a longer file gives READ_TOO_BIG with *size set to its length
 * (a regular file's real length, or max + 1 for a pipe or device) and no
 * message, so the caller can say what it did not fit in. Every other
 * failure prints one line naming `kind` and `path` and gives READ_ERROR.
 */
static int read_whole_file(const char *kind, const char *path, uint64_t max, uint8_t **data,
                           uint64_t *size)
{
    *data = NULL;
    *size = 0;
    if (max > UINT64_MAX / 4) {
        max = UINT64_MAX / 4; /* keeps max + 1 and cap * 2 from overflowing */
    }
    if (!path || !*path) {
        error_report("no %s file name given", kind);
        return READ_ERROR;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error_report("cannot open %s '%s': %s", kind, path, strerror(errno));
        return READ_ERROR;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        error_report("cannot read %s '%s': %s", kind, path, strerror(errno));
        close(fd);
        return READ_ERROR;
    }
    if (S_ISDIR(st.st_mode)) {
        error_report("%s '%s' is a directory, not a file", kind, path);
        close(fd);
        return READ_ERROR;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
        *size = (uint64_t)st.st_size;
        close(fd);
        return READ_TOO_BIG;
    }

    /* Read until EOF: the file may change size under us, or not be regular. */
    uint64_t cap = S_ISREG(st.st_mode) ? (uint64_t)st.st_size + 1 : 64 * 1024;
    if (cap > max + 1 || cap == 0) {
        cap = max + 1;
    }
    uint64_t len = 0;
    uint8_t *buf = malloc(cap ? cap : 1);
    if (!buf) {
        error_report("out of memory reading %s '%s'", kind, path);
        close(fd);
        return READ_ERROR;
    }
    for (;;) {
        if (len == cap) {
            if (cap > max) {
                /* read max + 1 bytes: it does not fit */
                free(buf);
                close(fd);
                *size = S_ISREG(st.st_mode) && (uint64_t)st.st_size > len
                            ? (uint64_t)st.st_size : len;
                return READ_TOO_BIG;
            }
            uint64_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            uint8_t *nbuf = realloc(buf, ncap);
            if (!nbuf) {
                error_report("out of memory reading %s '%s'", kind, path);
                free(buf);
                close(fd);
                return READ_ERROR;
            }
            buf = nbuf;
            cap = ncap;
        }
        uint64_t want = cap - len;
        if (want > (1u << 30)) {
            want = 1u << 30;
        }
        ssize_t n = read(fd, buf + len, (size_t)want);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            error_report("cannot read %s '%s': %s", kind, path, strerror(errno));
            free(buf);
            close(fd);
            return READ_ERROR;
        }
        if (n == 0) {
            break;
        }
        len += (uint64_t)n;
    }
    close(fd);
    *data = buf;
    *size = len;
    return READ_OK;
}

bool load_file(const char *path, uint64_t max, uint8_t **data, uint64_t *size)
{
    char b1[SZBUF], b2[SZBUF];
    int r = read_whole_file("file", path, max, data, size);
    if (r == READ_TOO_BIG) {
        fmt_too_big(b1, b2, sizeof(b1), *size, max);
        error_report("file '%s' is too large (%s, at most %s)", path, b1, b2);
        *size = 0;
        return false;
    }
    return r == READ_OK;
}

/* ---- gzip --------------------------------------------------------------- */

static bool is_gzip(const uint8_t *d, uint64_t len)
{
    return len >= 2 && d[0] == 0x1f && d[1] == 0x8b;
}

/*
 * Inflate a gzip stream (RFC 1952) into a malloc'd buffer of at most max
 * bytes. On failure prints one line and returns false.
 */
static bool gunzip(const char *kind, const char *path, const uint8_t *in, uint64_t in_len,
                   uint64_t max, uint8_t **out, uint64_t *out_len)
{
    char b1[SZBUF];
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (max > UINT64_MAX / 8) {
        max = UINT64_MAX / 8; /* keeps max + 1 and cap * 2 from overflowing */
    }
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        error_report("cannot decompress %s '%s': zlib initialisation failed", kind, path);
        return false;
    }
    uint64_t cap = in_len * 4 < 1024 * 1024 ? 1024 * 1024 : in_len * 4;
    if (cap > max + 1) {
        cap = max + 1;
    }
    uint8_t *buf = malloc(cap ? cap : 1);
    uint64_t len = 0, in_pos = 0;
    int ret = Z_OK;
    while (buf) {
        if (len == cap) {
            if (cap > max) {
                error_report("%s '%s' decompresses to more than %s, the RAM available",
                             kind, path, fmt_size(b1, sizeof(b1), max));
                free(buf);
                inflateEnd(&zs);
                return false;
            }
            uint64_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            uint8_t *nbuf = realloc(buf, ncap);
            if (!nbuf) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nbuf;
            cap = ncap;
        }
        /* zlib counts in uInt: feed and drain in chunks of at most 1 GiB */
        uint64_t in_chunk = in_len - in_pos > (1u << 30) ? (1u << 30) : in_len - in_pos;
        uint64_t out_chunk = cap - len > (1u << 30) ? (1u << 30) : cap - len;
        zs.next_in = (Bytef *)(in + in_pos);
        zs.avail_in = (uInt)in_chunk;
        zs.next_out = buf + len;
        zs.avail_out = (uInt)out_chunk;
        ret = inflate(&zs, Z_NO_FLUSH);
        in_pos += in_chunk - zs.avail_in;
        len += out_chunk - zs.avail_out;
        if (ret == Z_STREAM_END) {
            break;
        }
        if (ret == Z_BUF_ERROR && in_pos == in_len && len < cap) {
            break; /* input ended before the stream did */
        }
        if (ret != Z_OK && ret != Z_BUF_ERROR) {
            break;
        }
    }
    if (!buf) {
        error_report("out of memory decompressing %s '%s'", kind, path);
        inflateEnd(&zs);
        return false;
    }
    if (ret != Z_STREAM_END) {
        error_report("%s '%s' is gzip-compressed but corrupt or truncated (%s)", kind, path,
                     ret == Z_BUF_ERROR ? "unexpected end of data"
                     : zs.msg         ? zs.msg
                                      : "bad data");
        inflateEnd(&zs);
        free(buf);
        return false;
    }
    inflateEnd(&zs);
    *out = buf;
    *out_len = len;
    return true;
}

/* ---- ELF64 -------------------------------------------------------------- */

typedef struct ElfSeg {
    uint64_t offset, paddr, vaddr, filesz, memsz;
} ElfSeg;

static bool is_elf(const uint8_t *d, uint64_t len)
{
    return len >= 4 && d[0] == 0x7f && d[1] == 'E' && d[2] == 'L' && d[3] == 'F';
}

/*
 * True if a PT_LOAD segment holds nothing but the ELF header, the program
 * headers and PT_NOTE contents (and no BSS). GNU ld makes such a segment at
 * its default base (0x400000) for a program whose text is linked into guest
 * RAM with -Ttext; it lies outside RAM and is skipped instead of rejected.
 * The caller has bounds-checked the program header table.
 */
static bool elf_seg_is_metadata(const uint8_t *d, uint64_t phoff, unsigned phnum,
                                unsigned phentsize, const ElfSeg *s)
{
    uint64_t pos = s->offset, end = s->offset + s->filesz;
    uint64_t hdr_end = phoff + (uint64_t)phnum * phentsize;
    if (s->memsz != s->filesz || phoff > ELF_EHDR_SIZE + 4096) {
        return false;
    }
    while (pos < end) {
        uint64_t next = pos;
        if (pos < hdr_end) {
            next = hdr_end; /* ELF header, padding, program headers */
        }
        for (unsigned i = 0; i < phnum && next == pos; i++) {
            const uint8_t *ph = d + phoff + (uint64_t)i * phentsize;
            uint64_t off = rd64(ph + 8), sz = rd64(ph + 32);
            if (rd32(ph) == ELF_PT_NOTE && off <= pos && pos - off < sz) {
                if (!add_ok(off, sz, &next)) {
                    next = UINT64_MAX; /* always > pos: the loop ends */
                }
            }
        }
        if (next == pos) {
            return false;
        }
        pos = next;
    }
    return true;
}

/*
 * Validate and load an ELF64 image held in memory. Every program header
 * and every segment's file range is checked against `len`, every
 * destination range against the RAM map, before any byte is copied.
 * *highest is exclusive: the first byte after the highest segment.
 */
static bool elf_load_buf(AddressSpace *as, const char *kind, const char *path,
                         const uint8_t *d, uint64_t len, int machine, uint64_t *entry,
                         uint64_t *lowest, uint64_t *highest)
{
    char b1[SZBUF], b2[SZBUF];
    if (len < ELF_EHDR_SIZE) {
        error_report("%s '%s' is truncated: an ELF header is %d bytes, the file has %s", kind,
                     path, ELF_EHDR_SIZE, fmt_size(b1, sizeof(b1), len));
        return false;
    }
    if (!is_elf(d, len)) {
        error_report("%s '%s' is not an ELF file", kind, path);
        return false;
    }
    if (d[4] != 2) {
        error_report("%s '%s' is not a 64-bit ELF (class %u)", kind, path, d[4]);
        return false;
    }
    if (d[5] != 1) {
        error_report("%s '%s' is not a little-endian ELF", kind, path);
        return false;
    }
    uint16_t type = rd16(d + 16), mach = rd16(d + 18);
    if (mach != machine) {
        error_report("%s '%s' is an ELF for machine %u, not %s", kind, path, mach,
                     elf_machine_name(machine));
        return false;
    }
    if (type != ELF_ET_EXEC && type != ELF_ET_DYN) {
        error_report("%s '%s' is not an executable ELF (type %u)", kind, path, type);
        return false;
    }
    uint64_t e_entry = rd64(d + 24), phoff = rd64(d + 32);
    uint16_t phentsize = rd16(d + 54), phnum = rd16(d + 56);
    if (phnum == 0 || phnum == 0xffff) {
        error_report("%s '%s' has no usable program headers", kind, path);
        return false;
    }
    if (phentsize < ELF_PHDR_SIZE) {
        error_report("%s '%s' has a bad program header size (%u)", kind, path, phentsize);
        return false;
    }
    uint64_t ph_end;
    if (!add_ok(phoff, (uint64_t)phnum * phentsize, &ph_end) || ph_end > len) {
        error_report("%s '%s' is truncated: program headers end past the end of the file",
                     kind, path);
        return false;
    }

    ElfSeg *segs = calloc(phnum, sizeof(*segs));
    if (!segs) {
        error_report("out of memory loading %s '%s'", kind, path);
        return false;
    }
    int nsegs = 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = d + phoff + (uint64_t)i * phentsize;
        if (rd32(ph) != ELF_PT_LOAD) {
            continue;
        }
        ElfSeg s = {
            .offset = rd64(ph + 8),
            .vaddr = rd64(ph + 16),
            .paddr = rd64(ph + 24),
            .filesz = rd64(ph + 32),
            .memsz = rd64(ph + 40),
        };
        uint64_t file_end, mem_end;
        if (s.filesz > s.memsz) {
            error_report("%s '%s': segment %u has file size %" PRIu64
                         " larger than memory size %" PRIu64, kind, path, i, s.filesz,
                         s.memsz);
            goto fail;
        }
        if (!add_ok(s.offset, s.filesz, &file_end) || file_end > len) {
            fmt_two_sizes(b1, b2, sizeof(b1), file_end < s.offset ? UINT64_MAX : file_end, len);
            error_report("%s '%s' is truncated: segment %u needs %s of file, the file has %s",
                         kind, path, i, b1, b2);
            goto fail;
        }
        if (!add_ok(s.paddr, s.memsz, &mem_end)) {
            error_report("%s '%s': segment %u at 0x%" PRIx64 " wraps around the address space",
                         kind, path, i, s.paddr);
            goto fail;
        }
        if (s.memsz == 0) {
            continue;
        }
        if (!ram_range_ok(as, s.paddr, s.memsz) &&
            elf_seg_is_metadata(d, phoff, phnum, phentsize, &s)) {
            continue; /* headers and notes only, linked outside RAM: nothing to run */
        }
        if (!ram_range_ok(as, s.paddr, s.memsz)) {
            error_report("%s '%s': segment %u (0x%" PRIx64 "-0x%" PRIx64
                         ", %s) is not inside guest RAM", kind, path, i, s.paddr,
                         mem_end - 1, fmt_size(b1, sizeof(b1), s.memsz));
            goto fail;
        }
        lo = s.paddr < lo ? s.paddr : lo;
        hi = mem_end > hi ? mem_end : hi;
        segs[nsegs++] = s;
    }
    if (nsegs == 0) {
        error_report("%s '%s' has no loadable segments", kind, path);
        goto fail;
    }

    /* All checked: copy. */
    for (int i = 0; i < nsegs; i++) {
        const ElfSeg *s = &segs[i];
        if (!memory_rw(as, s->paddr, (void *)(d + s->offset), s->filesz, true) ||
            !ram_zero(as, s->paddr + s->filesz, s->memsz - s->filesz)) {
            error_report("%s '%s': cannot write segment at 0x%" PRIx64, kind, path,
                         s->paddr);
            goto fail;
        }
    }
    /*
     * The entry point is a virtual address; when a segment is linked at a
     * virtual address other than where it is loaded, translate it (the
     * guest starts with its MMU off).
     */
    uint64_t ent = e_entry;
    for (int i = 0; i < nsegs; i++) {
        const ElfSeg *s = &segs[i];
        if (s->vaddr != s->paddr && e_entry >= s->vaddr && e_entry - s->vaddr < s->memsz) {
            ent = s->paddr + (e_entry - s->vaddr);
            break;
        }
    }
    free(segs);
    if (entry) {
        *entry = ent;
    }
    if (lowest) {
        *lowest = lo;
    }
    if (highest) {
        *highest = hi;
    }
    return true;

fail:
    free(segs);
    return false;
}

bool load_elf64(AddressSpace *as, const char *path, int machine, uint64_t *entry,
                uint64_t *lowest, uint64_t *highest)
{
    uint8_t *data;
    uint64_t size;
    char b1[SZBUF];
    /* An ELF cannot place more than the address space holds; cap reads at 4 GiB. */
    int r = read_whole_file("ELF file", path, 4096 * MiB, &data, &size);
    if (r == READ_TOO_BIG) {
        error_report("ELF file '%s' is too large (%s)", path, fmt_size(b1, sizeof(b1), size));
        return false;
    }
    if (r != READ_OK) {
        return false;
    }
    bool ok = elf_load_buf(as, "ELF file", path, data, size, machine, entry, lowest, highest);
    free(data);
    return ok;
}

/* ---- arm64 Image -------------------------------------------------------- */

/*
 * If the Image has its EFI stub's PE/COFF header, return in *need the
 * number of bytes its sections occupy in the file (PointerToRawData +
 * SizeOfRawData, largest over the section table). Returns false if there is
 * no recognisable PE header; *need may then still say that the file is too
 * short to hold the header itself.
 */
static bool pe_raw_end(const uint8_t *d, uint64_t len, uint64_t *need)
{
    *need = 0;
    if (len < ARM64_IMAGE_HDR_SIZE || d[0] != 'M' || d[1] != 'Z') {
        return false;
    }
    uint64_t pe = rd32(d + 0x3c);
    if (pe < ARM64_IMAGE_HDR_SIZE || pe > 64 * 1024) {
        return false; /* not a PE offset this header would use */
    }
    /* COFF file header: "PE\0\0", machine, nsections, ..., optional header size */
    if (pe + 24 > len) {
        *need = pe + 24;
        return false;
    }
    if (memcmp(d + pe, "PE\0\0", 4) != 0) {
        return false;
    }
    uint64_t nsec = rd16(d + pe + 6), optsz = rd16(d + pe + 20);
    uint64_t sec = pe + 24 + optsz;
    if (sec + nsec * 40 > len) {
        *need = sec + nsec * 40;
        return true;
    }
    for (uint64_t i = 0; i < nsec; i++) {
        const uint8_t *s = d + sec + i * 40;
        uint64_t end = (uint64_t)rd32(s + 16) + rd32(s + 20); /* SizeOfRawData + Pointer */
        if (end > *need) {
            *need = end;
        }
    }
    return true;
}

static bool load_image_buf(AddressSpace *as, const char *path, const uint8_t *d, uint64_t len,
                           uint64_t ram_base, uint64_t ram_size, uint64_t *entry,
                           uint64_t *image_end)
{
    char b1[SZBUF], b2[SZBUF];
    /* flags (booting.rst): bit 0 endianness, bits 1-2 page size, bit 3 placement */
    uint64_t text_offset = rd64(d + 8), image_size = rd64(d + 16), flags = rd64(d + 24);

    if (flags & 1) {
        error_report("kernel '%s' is a big-endian arm64 Image (only little-endian is supported)",
                     path);
        return false;
    }
    uint64_t need;
    if (pe_raw_end(d, len, &need) || need) {
        if (need > len) {
            fmt_two_sizes(b1, b2, sizeof(b1), need, len);
            error_report("kernel '%s' is truncated: header says %s, file has %s", path, b1, b2);
            return false;
        }
    }
    if (image_size == 0) {
        /* kernels before 3.17: no image_size, text_offset fixed at 0x80000 */
        text_offset = ARM64_OLD_TEXT_OFFSET;
    }
    uint64_t span = image_size > len ? image_size : len;

    /* the base is the first 2 MiB boundary in RAM */
    uint64_t base, ram_end, load, end;
    if (!add_ok(ram_base, ARM64_BASE_ALIGN - 1, &base) || !add_ok(ram_base, ram_size, &ram_end)) {
        error_report("kernel '%s': RAM at 0x%" PRIx64 " has a bad size", path, ram_base);
        return false;
    }
    base &= ~(ARM64_BASE_ALIGN - 1);
    if (!add_ok(base, text_offset, &load) || !add_ok(load, span, &end) || end > ram_end ||
        load < base) {
        uint64_t avail = ram_end > base ? ram_end - base : 0;
        uint64_t want;
        if (!add_ok(text_offset, span, &want)) {
            want = UINT64_MAX;
        }
        error_report("kernel '%s' (%s with text_offset 0x%" PRIx64 ") does not fit in RAM at "
                     "0x%" PRIx64 " (%s free)", path, fmt_size(b1, sizeof(b1), want),
                     text_offset, base, fmt_size(b2, sizeof(b2), avail));
        return false;
    }
    if (!ram_range_ok(as, load, span)) {
        error_report("kernel '%s': 0x%" PRIx64 "-0x%" PRIx64 " is not guest RAM", path, load,
                     end - 1);
        return false;
    }
    if (!memory_rw(as, load, (void *)d, len, true) || !ram_zero(as, load + len, span - len)) {
        error_report("kernel '%s': cannot write guest RAM at 0x%" PRIx64, path, load);
        return false;
    }
    *entry = load;
    if (image_end) {
        *image_end = end;
    }
    return true;
}

/* Linux EFI zboot (drivers/firmware/efi/libstub/zboot-header.S): "MZ", "zimg" at 4,
 * payload offset at 8, payload size at 12, compression name at 0x18. */
static bool is_zboot(const uint8_t *d, uint64_t len)
{
    return len >= ARM64_IMAGE_HDR_SIZE && d[0] == 'M' && d[1] == 'Z' &&
           memcmp(d + 4, "zimg", 4) == 0;
}

static bool is_arm64_image(const uint8_t *d, uint64_t len)
{
    return len >= ARM64_IMAGE_HDR_SIZE && rd32(d + 0x38) == ARM64_IMAGE_MAGIC;
}

bool load_arm64_image(AddressSpace *as, const char *path, uint64_t ram_base, uint64_t ram_size,
                      uint64_t *entry, uint64_t *image_end)
{
    char b1[SZBUF], b2[SZBUF];
    uint8_t *data;
    uint64_t size;
    int r = read_whole_file("kernel", path, ram_size, &data, &size);
    if (r == READ_TOO_BIG) {
        fmt_too_big(b1, b2, sizeof(b1), size, ram_size);
        error_report("kernel '%s' (%s) does not fit in RAM at 0x%" PRIx64 " (%s of RAM)", path,
                     b1, ram_base, b2);
        return false;
    }
    if (r != READ_OK) {
        return false;
    }
    uint64_t zoff = 0;
    if (is_zboot(data, size)) {
        /* EFI zboot: the Image is a compressed payload inside a PE stub */
        char comp[33];
        uint64_t n = size - 0x18 < 32 ? size - 0x18 : 32;
        memcpy(comp, data + 0x18, n);
        comp[n] = 0;
        zoff = rd32(data + 8);
        if (strcmp(comp, "gzip") != 0) {
            error_report("kernel '%s' is an EFI zboot image compressed with '%.32s' "
                         "(only gzip is supported: decompress it first)", path, comp);
            free(data);
            return false;
        }
        if (zoff >= size || !is_gzip(data + zoff, size - zoff)) {
            error_report("kernel '%s' is a truncated or corrupt EFI zboot image", path);
            free(data);
            return false;
        }
    }
    if (zoff || is_gzip(data, size)) {
        uint8_t *raw;
        uint64_t raw_len;
        /* trailing bytes after the stream (zboot's PE sections) are ignored */
        bool ok = gunzip("kernel", path, data + zoff, size - zoff, ram_size, &raw, &raw_len);
        free(data);
        if (!ok) {
            return false;
        }
        data = raw;
        size = raw_len;
    }

    bool ok;
    if (size == 0) {
        error_report("kernel '%s' is empty", path);
        ok = false;
    } else if (is_arm64_image(data, size)) {
        ok = load_image_buf(as, path, data, size, ram_base, ram_size, entry, image_end);
    } else if (is_elf(data, size)) {
        uint64_t lo, hi;
        ok = elf_load_buf(as, "kernel", path, data, size, ELF_EM_AARCH64, entry, &lo, &hi);
        if (ok && image_end) {
            *image_end = hi;
        }
    } else if (size < ARM64_IMAGE_HDR_SIZE && size >= 2 && data[0] == 'M' && data[1] == 'Z') {
        error_report("kernel '%s' is truncated: %s, an arm64 Image header is %d bytes", path,
                     fmt_size(b1, sizeof(b1), size), ARM64_IMAGE_HDR_SIZE);
        ok = false;
    } else {
        error_report("kernel '%s' is not an arm64 Image or AArch64 ELF", path);
        ok = false;
    }
    free(data);
    return ok;
}

/* ---- raw files and initrd ---------------------------------------------- */

static bool load_blob(AddressSpace *as, const char *kind, const char *path, uint64_t addr,
                      uint64_t max_size, bool allow_empty, uint64_t *size)
{
    char b1[SZBUF], b2[SZBUF];
    uint8_t *data;
    uint64_t len;
    int r = read_whole_file(kind, path, max_size, &data, &len);
    if (r == READ_TOO_BIG) {
        fmt_too_big(b1, b2, sizeof(b1), len, max_size);
        error_report("%s '%s' (%s) does not fit in RAM at 0x%" PRIx64 " (%s free)", kind, path,
                     b1, addr, b2);
        return false;
    }
    if (r != READ_OK) {
        return false;
    }
    if (len == 0 && !allow_empty) {
        error_report("%s '%s' is empty", kind, path);
        free(data);
        return false;
    }
    if (!ram_range_ok(as, addr, len)) {
        error_report("%s '%s' (%s) does not fit in RAM at 0x%" PRIx64
                     " (that range is not guest RAM)", kind, path,
                     fmt_size(b1, sizeof(b1), len), addr);
        free(data);
        return false;
    }
    bool ok = memory_rw(as, addr, data, len, true);
    free(data);
    if (!ok) {
        error_report("%s '%s': cannot write guest RAM at 0x%" PRIx64, kind, path, addr);
        return false;
    }
    if (size) {
        *size = len;
    }
    return true;
}

bool load_raw(AddressSpace *as, const char *path, uint64_t addr, uint64_t max_size,
              uint64_t *size)
{
    return load_blob(as, "file", path, addr, max_size, true, size);
}

bool load_initrd(AddressSpace *as, const char *path, uint64_t addr, uint64_t max_size,
                 uint64_t *size)
{
    return load_blob(as, "initrd", path, addr, max_size, false, size);
}
