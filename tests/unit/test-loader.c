/*
 * test-loader.c — system/loader.c: arm64 Image, ELF64, raw, initrd, load_file.
 *
 * Every case builds its input file in a private temporary directory, loads
 * it into a fresh address space (RAM at 0x40000000 followed by an MMIO
 * region, so "just past RAM" is a real, non-RAM address) and checks guest
 * RAM byte by byte. Error cases also check the error contract: the call
 * returns false, prints exactly one line on stderr, that line names the file,
 * and guest RAM is left untouched. The fuzz cases feed random and mutated
 * files and check the same contract (one line on failure, none on success).
 * The real Debian kernel (images/aarch64/Image) is used when present; its
 * cases print "SKIP" (not PASS) when it is absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "exec/memory.h"
#include "system/loader.h"

#define MiB ((uint64_t)1024 * 1024)
#define RAM_BASE 0x40000000ull
#define RAM_SIZE (64 * MiB)
#define RAM_FILL 0xa5

static int nb_fail, nb_pass;
static char why[512];
static char tmpdir[64];
static char err_text[4096]; /* stderr of the last captured call */
static AddressSpace *as;
static uint8_t *ram;        /* host view of the RAM region */

static void __attribute__((format(printf, 1, 2))) set_why(const char *fmt, ...)
{
    char tmp[sizeof(why)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap); /* tmp: the arguments may point into why */
    va_end(ap);
    memcpy(why, tmp, sizeof(why));
}

#define REQUIRE(cond, ...)                                                            \
    do {                                                                              \
        if (!(cond)) {                                                                \
            set_why(__VA_ARGS__);                                                     \
            return false;                                                             \
        }                                                                             \
    } while (0)

static void run_case(const char *name, bool (*fn)(void))
{
    why[0] = 0;
    if (fn()) {
        printf("PASS %s\n", name);
        nb_pass++;
    } else {
        printf("FAIL %s: %s\n", name, why);
        nb_fail++;
    }
    fflush(stdout);
}

/* ---- fixtures ---------------------------------------------------------- */

static void reset_as(uint64_t base, uint64_t size)
{
    static const MemoryRegionOps no_ops;
    if (as) {
        address_space_free(as);
    }
    as = address_space_new("test");
    MemoryRegion *mr = memory_map_ram(as, "ram", base, size);
    memory_map_mmio(as, "mmio-after-ram", base + size, 0x10000, &no_ops, NULL);
    ram = mr->host;
    memset(ram, RAM_FILL, size);
}

static const char *tpath(const char *name)
{
    static char buf[8][256];
    static int i;
    i = (i + 1) % 8;
    snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
    return buf[i];
}

static const char *write_tmp(const char *name, const void *data, size_t len)
{
    const char *p = tpath(name);
    FILE *f = fopen(p, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        fprintf(stderr, "test-loader: cannot write %s\n", p);
        exit(2);
    }
    return p;
}

static bool ram_all(uint64_t addr, uint64_t len, uint8_t v)
{
    for (uint64_t i = 0; i < len; i++) {
        if (ram[addr - RAM_BASE + i] != v) {
            return false;
        }
    }
    return true;
}

static bool ram_untouched(void)
{
    return ram_all(RAM_BASE, RAM_SIZE, RAM_FILL);
}

/* stderr capture: the call's messages land in err_text */
static int saved_stderr = -1;
static char cap_path[256];

static void capture_begin(void)
{
    fflush(stderr);
    snprintf(cap_path, sizeof(cap_path), "%s/stderr.txt", tmpdir);
    int fd = open(cap_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    saved_stderr = dup(2);
    dup2(fd, 2);
    close(fd);
}

static void capture_end(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    FILE *f = fopen(cap_path, "r");
    size_t n = f ? fread(err_text, 1, sizeof(err_text) - 1, f) : 0;
    err_text[n] = 0;
    if (f) {
        fclose(f);
    }
}

static int err_lines(void)
{
    int n = 0;
    for (const char *p = err_text; *p; p++) {
        n += *p == '\n';
    }
    return n;
}

/* The error contract: one line, naming the file, containing `needle`. */
static bool one_error_line(const char *path, const char *needle)
{
    if (getenv("TEST_LOADER_VERBOSE")) {
        printf("  stderr: %s", err_text); /* see the messages users would see */
    }
    REQUIRE(err_lines() == 1, "expected one error line, got %d: '%s'", err_lines(), err_text);
    if (path) {
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        REQUIRE(strstr(err_text, base), "error line does not name '%s': %s", base, err_text);
    }
    if (needle) {
        REQUIRE(strstr(err_text, needle), "error line lacks '%s': %s", needle, err_text);
    }
    return true;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* deterministic pseudo-random bytes (xorshift64*) */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/*
 * A synthetic arm64 Image of `len` bytes: header (booting.rst) plus a body
 * whose every byte is (offset * 7 + 3) & 0xff, so placement is checkable.
 */
static uint8_t *make_image(size_t len, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
    uint8_t *d = malloc(len);
    for (size_t i = 0; i < len; i++) {
        d[i] = (uint8_t)(i * 7 + 3);
    }
    memset(d, 0, 64 < len ? 64 : len);
    put32(d, 0x91005a4d); /* "MZ" + add x13, x18, #0x16 as real Images start */
    put32(d + 4, 0x14000000);
    put64(d + 8, text_offset);
    put64(d + 16, image_size);
    put64(d + 24, flags);
    put32(d + 0x38, 0x644d5241); /* "ARM\x64" */
    return d;
}

static bool image_body_at(uint64_t addr, const uint8_t *d, size_t len)
{
    return memcmp(ram + (addr - RAM_BASE), d, len) == 0;
}

/* ---- arm64 Image ------------------------------------------------------- */

static bool t_image_ok(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    size_t len = 0x3000;
    uint8_t *d = make_image(len, 0x80000, 0x10000, 0xa);
    const char *p = write_tmp("Image", d, len);
    uint64_t entry = 0, end = 0;
    capture_begin();
    bool ok = load_arm64_image(as, p, RAM_BASE, RAM_SIZE, &entry, &end);
    capture_end();
    bool body = ok && image_body_at(RAM_BASE + 0x80000, d, len);
    free(d);
    REQUIRE(ok, "load failed: %s", err_text);
    REQUIRE(err_lines() == 0, "unexpected output: %s", err_text);
    REQUIRE(entry == RAM_BASE + 0x80000, "entry 0x%" PRIx64, entry);
    REQUIRE(end == RAM_BASE + 0x80000 + 0x10000, "image_end 0x%" PRIx64, end);
    REQUIRE(body, "image bytes not at base + text_offset");
    REQUIRE(ram_all(RAM_BASE + 0x80000 + len, 0x10000 - len, 0), "BSS not zeroed");
    REQUIRE(ram_all(RAM_BASE, 0x80000, RAM_FILL), "bytes below the image written");
    REQUIRE(ram_all(end, 0x1000, RAM_FILL), "bytes past image_end written");
    return true;
}

/* image_size 0: a kernel older than 3.17, text_offset is 0x80000 whatever the field says */
static bool t_image_old_header(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    size_t len = 0x2345;
    uint8_t *d = make_image(len, 0x12345678, 0, 0);
    const char *p = write_tmp("Image-old", d, len);
    uint64_t entry = 0, end = 0;
    capture_begin();
    bool ok = load_arm64_image(as, p, RAM_BASE, RAM_SIZE, &entry, &end);
    capture_end();
    bool body = ok && image_body_at(RAM_BASE + 0x80000, d, len);
    free(d);
    REQUIRE(ok, "load failed: %s", err_text);
    REQUIRE(entry == RAM_BASE + 0x80000, "entry 0x%" PRIx64, entry);
    REQUIRE(end == RAM_BASE + 0x80000 + len, "image_end 0x%" PRIx64, end);
    REQUIRE(body, "image bytes misplaced");
    return true;
}

/* RAM that does not start on 2 MiB: the Image goes at the next 2 MiB boundary */
static bool t_image_unaligned_ram(void)
{
    uint64_t base = RAM_BASE + 0x100000;
    reset_as(base, RAM_SIZE);
    size_t len = 0x1000;
    uint8_t *d = make_image(len, 0, 0x1000, 0x8);
    const char *p = write_tmp("Image-unal", d, len);
    uint64_t entry = 0, end = 0;
    capture_begin();
    bool ok = load_arm64_image(as, p, base, RAM_SIZE, &entry, &end);
    capture_end();
    bool body = ok && memcmp(ram + (0x40200000 - base), d, len) == 0;
    free(d);
    REQUIRE(ok, "load failed: %s", err_text);
    REQUIRE(entry == 0x40200000, "entry 0x%" PRIx64 " (want 0x40200000)", entry);
    REQUIRE(end == 0x40201000, "image_end 0x%" PRIx64, end);
    REQUIRE(body, "image bytes misplaced");
    return true;
}

static bool expect_image_error(const char *name, const uint8_t *d, size_t len,
                               const char *needle)
{
    reset_as(RAM_BASE, RAM_SIZE);
    const char *p = write_tmp(name, d, len);
    uint64_t entry = 0xdead, end = 0xbeef;
    capture_begin();
    bool ok = load_arm64_image(as, p, RAM_BASE, RAM_SIZE, &entry, &end);
    capture_end();
    REQUIRE(!ok, "accepted a bad kernel");
    if (!one_error_line(p, needle)) {
        return false;
    }
    REQUIRE(ram_untouched(), "guest RAM modified by a failed load");
    return true;
}

static bool t_image_big_endian(void)
{
    uint8_t *d = make_image(0x1000, 0, 0x1000, 0x1);
    bool r = expect_image_error("Image-be", d, 0x1000, "big-endian");
    free(d);
    return r;
}

static bool t_image_too_big(void)
{
    uint8_t *d = make_image(0x1000, 0x80000, RAM_SIZE, 0xa); /* + text_offset > RAM */
    bool r = expect_image_error("Image-huge", d, 0x1000, "does not fit");
    free(d);
    return r;
}

static bool t_image_text_offset_wraps(void)
{
    uint8_t *d = make_image(0x1000, UINT64_MAX - 0x10, 0x1000, 0xa);
    bool r = expect_image_error("Image-wrap", d, 0x1000, "does not fit");
    free(d);
    return r;
}

static bool t_image_file_larger_than_ram(void)
{
    reset_as(RAM_BASE, 4 * MiB);
    size_t len = 5 * MiB;
    uint8_t *d = make_image(len, 0, len, 0xa);
    const char *p = write_tmp("Image-5M", d, len);
    free(d);
    uint64_t entry, end;
    capture_begin();
    bool ok = load_arm64_image(as, p, RAM_BASE, 4 * MiB, &entry, &end);
    capture_end();
    REQUIRE(!ok, "accepted a 5 MiB kernel in 4 MiB");
    if (!one_error_line(p, "does not fit")) {
        return false;
    }
    REQUIRE(strstr(err_text, "5 MiB"), "size not in message: %s", err_text);
    return ram_all(RAM_BASE, 4 * MiB, RAM_FILL) || (set_why("RAM written"), false);
}

static bool t_image_short_header(void)
{
    uint8_t *d = make_image(64, 0, 0x1000, 0xa);
    bool r = expect_image_error("Image-short", d, 40, "truncated");
    free(d);
    return r;
}

/* A PE/COFF header whose sections need 0x3000 bytes: complete vs cut short. */
static uint8_t *make_pe_image(size_t len)
{
    uint8_t *d = make_image(len, 0, 0x4000, 0xa);
    put32(d + 0x3c, 0x40);
    memset(d + 0x40, 0, 0x100);
    memcpy(d + 0x40, "PE\0\0", 4);
    put16(d + 0x44, 0xaa64);
    put16(d + 0x46, 2);     /* sections */
    put16(d + 0x54, 0);     /* optional header size */
    uint8_t *s = d + 0x58;
    memcpy(s, ".text", 5);
    put32(s + 16, 0x1000);  /* SizeOfRawData */
    put32(s + 20, 0x1000);  /* PointerToRawData */
    memcpy(s + 40, ".data", 5);
    put32(s + 40 + 16, 0x1000);
    put32(s + 40 + 20, 0x2000);
    return d;
}

static bool t_image_pe_complete(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    uint8_t *d = make_pe_image(0x3000);
    const char *p = write_tmp("Image-pe", d, 0x3000);
    uint64_t entry = 0, end = 0;
    capture_begin();
    bool ok = load_arm64_image(as, p, RAM_BASE, RAM_SIZE, &entry, &end);
    capture_end();
    bool body = ok && image_body_at(RAM_BASE, d, 0x3000);
    free(d);
    REQUIRE(ok, "load failed: %s", err_text);
    REQUIRE(entry == RAM_BASE && end == RAM_BASE + 0x4000, "entry/end 0x%" PRIx64 "/0x%" PRIx64,
            entry, end);
    REQUIRE(body, "image bytes misplaced");
    return true;
}

static bool t_image_pe_truncated(void)
{
    uint8_t *d = make_pe_image(0x3000);
    bool r = expect_image_error("Image-pe-trunc", d, 0x2800, "truncated");
    free(d);
    return r;
}

static bool t_image_not_kernel(void)
{
    uint8_t d[4096];
    for (size_t i = 0; i < sizeof(d); i++) {
        d[i] = (uint8_t)rng();
    }
    d[0] = 'X';
    return expect_image_error("not-a-kernel", d, sizeof(d), "not an arm64 Image or AArch64 ELF");
}

static bool t_image_empty(void)
{
    return expect_image_error("Image-empty", (const uint8_t *)"", 0, "empty");
}

static bool t_image_missing(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    const char *p = tpath("no-such-kernel");
    uint64_t entry, end;
    capture_begin();
    bool ok = load_arm64_image(as, p, RAM_BASE, RAM_SIZE, &entry, &end);
    capture_end();
    REQUIRE(!ok, "loaded a missing file");
    return one_error_line(p, "No such file");
}

static bool t_image_directory(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    uint64_t entry, end;
    capture_begin();
    bool ok = load_arm64_image(as, tmpdir, RAM_BASE, RAM_SIZE, &entry, &end);
    capture_end();
    REQUIRE(!ok, "loaded a directory");
    return one_error_line(tmpdir, "directory");
}

static uint8_t *gzip_bytes(const uint8_t *d, size_t len, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&zs, len) + 64;
    uint8_t *out = malloc(cap);
    zs.next_in = (Bytef *)d;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    deflate(&zs, Z_FINISH);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static bool t_image_gzip(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    size_t len = 0x20000, zlen;
    uint8_t *d = make_image(len, 0x80000, 0x30000, 0xa);
    uint8_t *z = gzip_bytes(d, len, &zlen);
    const char *p = write_tmp("Image.gz", z, zlen);
    uint64_t entry = 0, end = 0;
    capture_begin();
    bool ok = load_arm64_image(as, p, RAM_BASE, RAM_SIZE, &entry, &end);
    capture_end();
    bool body = ok && image_body_at(RAM_BASE + 0x80000, d, len);
    free(d);
    free(z);
    REQUIRE(ok, "gzip'd Image not loaded: %s", err_text);
    REQUIRE(entry == RAM_BASE + 0x80000 && end == RAM_BASE + 0xb0000, "entry/end");
    REQUIRE(body, "decompressed bytes misplaced");
    return true;
}

static bool t_image_gzip_truncated(void)
{
    size_t len = 0x20000, zlen;
    uint8_t *d = make_image(len, 0x80000, 0x30000, 0xa);
    for (size_t i = 64; i < len; i++) {
        d[i] = (uint8_t)rng(); /* incompressible, so cutting the stream loses data */
    }
    uint8_t *z = gzip_bytes(d, len, &zlen);
    bool r = expect_image_error("Image-cut.gz", z, zlen / 2, "gzip");
    free(d);
    free(z);
    return r;
}

static bool t_image_gzip_corrupt(void)
{
    uint8_t z[64] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    for (size_t i = 10; i < sizeof(z); i++) {
        z[i] = 0xff; /* an invalid deflate block type */
    }
    return expect_image_error("Image-bad.gz", z, sizeof(z), "gzip");
}

/* EFI zboot: "MZ\0\0zimg", payload offset/size, compression name at 0x18 */
static uint8_t *make_zboot(const char *comp, const uint8_t *payload, size_t plen, size_t *len)
{
    size_t off = 0x200;
    *len = off + plen + 0x100; /* trailing bytes: zboot's PE sections follow the payload */
    uint8_t *d = calloc(1, *len);
    memcpy(d, "MZ\0\0zimg", 8);
    put32(d + 8, (uint32_t)off);
    put32(d + 12, (uint32_t)plen);
    strcpy((char *)d + 0x18, comp);
    memcpy(d + 0x38, "\xcd\x23\x82\x81", 4);
    memcpy(d + off, payload, plen);
    memset(d + off + plen, 0x5a, 0x100);
    return d;
}

static bool t_image_zboot(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    size_t len = 0x20000, zlen, blen;
    uint8_t *d = make_image(len, 0, 0x30000, 0xa);
    uint8_t *z = gzip_bytes(d, len, &zlen);
    uint8_t *b = make_zboot("gzip", z, zlen, &blen);
    const char *p = write_tmp("vmlinuz.efi", b, blen);
    uint64_t entry = 0, end = 0;
    capture_begin();
    bool ok = load_arm64_image(as, p, RAM_BASE, RAM_SIZE, &entry, &end);
    capture_end();
    bool body = ok && image_body_at(RAM_BASE, d, len);
    free(d);
    free(z);
    free(b);
    REQUIRE(ok, "zboot image not loaded: %s", err_text);
    REQUIRE(entry == RAM_BASE && end == RAM_BASE + 0x30000, "entry/end");
    REQUIRE(body, "decompressed bytes misplaced");
    return true;
}

static bool t_image_zboot_zstd(void)
{
    size_t blen;
    uint8_t *b = make_zboot("zstd", (const uint8_t *)"\x28\xb5\x2f\xfd", 4, &blen);
    bool r = expect_image_error("vmlinuz-zstd.efi", b, blen, "compressed with 'zstd'");
    free(b);
    return r;
}

static bool t_image_zboot_bad_offset(void)
{
    size_t blen;
    uint8_t *b = make_zboot("gzip", (const uint8_t *)"\x1f\x8b", 2, &blen);
    put32(b + 8, 0xfffffff0);
    bool r = expect_image_error("vmlinuz-bad.efi", b, blen, "zboot");
    free(b);
    return r;
}

/* ---- ELF64 ------------------------------------------------------------- */

typedef struct TSeg {
    uint32_t type;
    uint64_t offset, vaddr, paddr, filesz, memsz;
} TSeg;

/* ELF64 LE: header, program headers at 64, then whatever the segments name */
static uint8_t *make_elf(size_t len, uint16_t machine, uint64_t entry, const TSeg *segs,
                         int nsegs)
{
    uint8_t *d = calloc(1, len);
    for (size_t i = 64 + 56 * (size_t)nsegs; i < len; i++) {
        d[i] = (uint8_t)(i * 13 + 1);
    }
    memcpy(d, "\x7f" "ELF", 4);
    d[4] = 2;            /* ELFCLASS64 */
    d[5] = 1;            /* ELFDATA2LSB */
    d[6] = 1;            /* EV_CURRENT */
    put16(d + 16, 2);    /* ET_EXEC */
    put16(d + 18, machine);
    put32(d + 20, 1);
    put64(d + 24, entry);
    put64(d + 32, 64);   /* e_phoff */
    put16(d + 52, 64);
    put16(d + 54, 56);
    put16(d + 56, (uint16_t)nsegs);
    for (int i = 0; i < nsegs; i++) {
        uint8_t *ph = d + 64 + 56 * i;
        put32(ph, segs[i].type);
        put32(ph + 4, 5);
        put64(ph + 8, segs[i].offset);
        put64(ph + 16, segs[i].vaddr);
        put64(ph + 24, segs[i].paddr);
        put64(ph + 32, segs[i].filesz);
        put64(ph + 40, segs[i].memsz);
        put64(ph + 48, 0x1000);
    }
    return d;
}

static const TSeg good_segs[] = {
    {1, 0x1000, 0xffff800010000000ull, RAM_BASE + 0x10000, 0x800, 0x800},
    {4, 0, 0, 0, 0, 0}, /* PT_NOTE: ignored */
    {1, 0x1800, 0xffff800010100000ull, RAM_BASE + 0x100000, 0x400, 0x2000},
};

static bool t_elf_ok(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    size_t len = 0x2000;
    uint8_t *d = make_elf(len, 183, 0xffff800010000040ull, good_segs, 3);
    const char *p = write_tmp("vmlinux.elf", d, len);
    uint64_t entry = 0, lo = 0, hi = 0;
    capture_begin();
    bool ok = load_elf64(as, p, 183, &entry, &lo, &hi);
    capture_end();
    bool s1 = ok && memcmp(ram + 0x10000, d + 0x1000, 0x800) == 0;
    bool s2 = ok && memcmp(ram + 0x100000, d + 0x1800, 0x400) == 0;
    free(d);
    REQUIRE(ok, "load failed: %s", err_text);
    REQUIRE(err_lines() == 0, "unexpected output: %s", err_text);
    REQUIRE(s1 && s2, "segment bytes misplaced");
    REQUIRE(ram_all(RAM_BASE + 0x100400, 0x2000 - 0x400, 0), "memsz - filesz not zeroed");
    REQUIRE(ram_all(RAM_BASE + 0x102000, 0x100, RAM_FILL), "wrote past memsz");
    REQUIRE(ram_all(RAM_BASE + 0x10800, 0x100, RAM_FILL), "wrote past segment 1");
    REQUIRE(lo == RAM_BASE + 0x10000, "lowest 0x%" PRIx64, lo);
    REQUIRE(hi == RAM_BASE + 0x102000, "highest 0x%" PRIx64 " (exclusive end)", hi);
    /* virtual entry inside segment 1 -> its physical address */
    REQUIRE(entry == RAM_BASE + 0x10040, "entry 0x%" PRIx64, entry);
    return true;
}

static bool t_elf_via_kernel_loader(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    TSeg s = {1, 0x1000, RAM_BASE + 0x200000, RAM_BASE + 0x200000, 0x1000, 0x3000};
    uint8_t *d = make_elf(0x2000, 183, RAM_BASE + 0x200000, &s, 1);
    const char *p = write_tmp("kernel.elf", d, 0x2000);
    uint64_t entry = 0, end = 0;
    capture_begin();
    bool ok = load_arm64_image(as, p, RAM_BASE, RAM_SIZE, &entry, &end);
    capture_end();
    bool body = ok && memcmp(ram + 0x200000, d + 0x1000, 0x1000) == 0;
    free(d);
    REQUIRE(ok, "AArch64 ELF kernel not loaded: %s", err_text);
    REQUIRE(entry == RAM_BASE + 0x200000, "entry 0x%" PRIx64, entry);
    REQUIRE(end == RAM_BASE + 0x203000, "image_end 0x%" PRIx64, end);
    REQUIRE(body, "segment misplaced");
    return true;
}

/*
 * What GNU ld makes of `gcc -nostdlib -static -Wl,-Ttext=0x40080000`: a
 * first PT_LOAD at 0x400000 (outside RAM) holding only the ELF header,
 * program headers and the build-id note. It is skipped; the text loads.
 */
static bool t_elf_ld_metadata_segment(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    uint64_t hdrs = 64 + 3 * 56;
    TSeg s[] = {
        {1, 0, 0x400000, 0x400000, hdrs + 0x24, hdrs + 0x24},
        {1, 0x1000, RAM_BASE + 0x80000, RAM_BASE + 0x80000, 4, 4},
        {4, hdrs, 0x400000 + hdrs, 0x400000 + hdrs, 0x24, 0x24},
    };
    uint8_t *d = make_elf(0x1004, 183, RAM_BASE + 0x80000, s, 3);
    const char *p = write_tmp("ld.elf", d, 0x1004);
    uint64_t entry = 0, lo = 0, hi = 0;
    capture_begin();
    bool ok = load_elf64(as, p, 183, &entry, &lo, &hi);
    capture_end();
    bool body = ok && memcmp(ram + 0x80000, d + 0x1000, 4) == 0;
    /* the same segment with one byte more than headers + note: real data, rejected */
    put64(d + 64 + 32, hdrs + 0x25);
    put64(d + 64 + 40, hdrs + 0x25);
    p = write_tmp("ld-data.elf", d, 0x1004);
    free(d);
    REQUIRE(ok, "ld-style ELF rejected: %s", err_text);
    REQUIRE(body && entry == RAM_BASE + 0x80000, "text not loaded / entry 0x%" PRIx64, entry);
    REQUIRE(lo == RAM_BASE + 0x80000 && hi == RAM_BASE + 0x80004,
            "lowest/highest 0x%" PRIx64 "/0x%" PRIx64 " count the skipped segment", lo, hi);
    capture_begin();
    ok = load_elf64(as, p, 183, &entry, &lo, &hi);
    capture_end();
    REQUIRE(!ok, "a data segment outside RAM was skipped");
    return one_error_line(p, "not inside guest RAM");
}

static bool t_elf_x86(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    TSeg s = {1, 0x100, RAM_BASE, RAM_BASE, 0x100, 0x100};
    uint8_t *d = make_elf(0x200, 62, RAM_BASE + 4, &s, 1);
    const char *p = write_tmp("x86.elf", d, 0x200);
    uint64_t entry = 0, lo = 0, hi = 0;
    capture_begin();
    bool ok = load_elf64(as, p, 62, &entry, &lo, &hi);
    bool wrong = load_elf64(as, p, 183, &entry, &lo, &hi);
    capture_end();
    free(d);
    REQUIRE(ok, "x86-64 ELF not loaded");
    REQUIRE(entry == RAM_BASE + 4 && lo == RAM_BASE && hi == RAM_BASE + 0x100, "entry/range");
    REQUIRE(!wrong, "x86-64 ELF accepted as AArch64");
    return one_error_line(p, "not AArch64");
}

/* Build an ELF from good_segs, let `mutate` spoil it, expect one error line and RAM intact. */
static bool expect_elf_error(const char *name, void (*mutate)(uint8_t *d, size_t *len),
                             const char *needle)
{
    reset_as(RAM_BASE, RAM_SIZE);
    size_t len = 0x2000;
    uint8_t *d = make_elf(len, 183, RAM_BASE + 0x10000, good_segs, 3);
    mutate(d, &len);
    const char *p = write_tmp(name, d, len);
    free(d);
    uint64_t entry, lo, hi;
    capture_begin();
    bool ok = load_elf64(as, p, 183, &entry, &lo, &hi);
    capture_end();
    REQUIRE(!ok, "accepted a bad ELF");
    if (!one_error_line(p, needle)) {
        return false;
    }
    REQUIRE(ram_untouched(), "guest RAM modified by a failed load");
    return true;
}

static uint8_t *ph(uint8_t *d, int i)
{
    return d + 64 + 56 * i;
}

static void m_class32(uint8_t *d, size_t *len) { d[4] = 1; }
static void m_big_endian(uint8_t *d, size_t *len) { d[5] = 2; }
static void m_machine(uint8_t *d, size_t *len) { put16(d + 18, 62); }
static void m_type_rel(uint8_t *d, size_t *len) { put16(d + 16, 1); }
static void m_magic(uint8_t *d, size_t *len) { d[1] = 'X'; }
static void m_short(uint8_t *d, size_t *len) { *len = 40; }
/* the last segment's data runs past the end of the file */
static void m_seg_past_eof(uint8_t *d, size_t *len) { put64(ph(d, 2) + 32, 0x1000); put64(ph(d, 2) + 40, 0x2000); }
/* p_offset + p_filesz wraps around 2^64 */
static void m_seg_offset_wraps(uint8_t *d, size_t *len) { put64(ph(d, 2) + 8, UINT64_MAX - 0x10); }
static void m_seg_filesz_huge(uint8_t *d, size_t *len)
{
    put64(ph(d, 2) + 32, UINT64_MAX);
    put64(ph(d, 2) + 40, UINT64_MAX);
}
/* p_paddr + p_memsz wraps */
static void m_seg_paddr_wraps(uint8_t *d, size_t *len) { put64(ph(d, 2) + 24, UINT64_MAX - 0x100); }
/* runs from RAM into the MMIO region after it: rejected, and segment 0 not written either */
static void m_seg_past_ram(uint8_t *d, size_t *len) { put64(ph(d, 2) + 24, RAM_BASE + RAM_SIZE - 0x1000); }
static void m_seg_below_ram(uint8_t *d, size_t *len) { put64(ph(d, 0) + 24, 0x1000); }
static void m_filesz_gt_memsz(uint8_t *d, size_t *len) { put64(ph(d, 0) + 40, 0x10); }
static void m_phdrs_past_eof(uint8_t *d, size_t *len) { put64(d + 32, 0x1fe0); }
static void m_phoff_wraps(uint8_t *d, size_t *len) { put64(d + 32, UINT64_MAX - 8); }
static void m_phentsize(uint8_t *d, size_t *len) { put16(d + 54, 8); }
static void m_no_load(uint8_t *d, size_t *len)
{
    put32(ph(d, 0), 4);
    put32(ph(d, 2), 6);
}

#define ELF_ERR(fn, needle)                                                             \
    static bool t_elf_##fn(void) { return expect_elf_error("elf-" #fn, m_##fn, needle); }
ELF_ERR(class32, "64-bit")
ELF_ERR(big_endian, "little-endian")
ELF_ERR(machine, "not AArch64")
ELF_ERR(type_rel, "executable")
ELF_ERR(magic, "not an ELF")
ELF_ERR(short, "truncated")
ELF_ERR(seg_past_eof, "truncated")
ELF_ERR(seg_offset_wraps, "truncated")
ELF_ERR(seg_filesz_huge, "truncated")
ELF_ERR(seg_paddr_wraps, "wraps")
ELF_ERR(seg_past_ram, "not inside guest RAM")
ELF_ERR(seg_below_ram, "not inside guest RAM")
ELF_ERR(filesz_gt_memsz, "larger than memory size")
ELF_ERR(phdrs_past_eof, "truncated")
ELF_ERR(phoff_wraps, "truncated")
ELF_ERR(phentsize, "program header size")
ELF_ERR(no_load, "no loadable segments")

/* ---- initrd, raw, load_file ------------------------------------------- */

static uint8_t *pattern(size_t len, uint8_t seed)
{
    uint8_t *d = malloc(len ? len : 1);
    for (size_t i = 0; i < len; i++) {
        d[i] = (uint8_t)(i * 31 + seed);
    }
    return d;
}

static bool t_initrd_ok(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    size_t len = 123457;
    uint8_t *d = pattern(len, 9);
    const char *p = write_tmp("initrd", d, len);
    uint64_t size = 0, addr = RAM_BASE + 0x2000000;
    capture_begin();
    bool ok = load_initrd(as, p, addr, RAM_SIZE - 0x2000000, &size);
    capture_end();
    bool body = ok && memcmp(ram + 0x2000000, d, len) == 0;
    free(d);
    REQUIRE(ok, "load failed: %s", err_text);
    REQUIRE(size == len, "size %" PRIu64, size);
    REQUIRE(body, "initrd bytes wrong");
    REQUIRE(ram_all(addr + len, 0x1000, RAM_FILL), "wrote past the initrd");
    return true;
}

/* exactly as large as the space: fits; one byte more: does not */
static bool t_initrd_exact_fit(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    size_t len = 0x10000;
    uint8_t *d = pattern(len, 1);
    const char *p = write_tmp("initrd-exact", d, len);
    free(d);
    uint64_t size = 0, addr = RAM_BASE + RAM_SIZE - len;
    capture_begin();
    bool ok = load_initrd(as, p, addr, len, &size);
    bool ok2 = load_initrd(as, p, addr + 1, len - 1, &size);
    capture_end();
    REQUIRE(ok, "exact fit refused");
    REQUIRE(!ok2, "one byte too many accepted");
    return one_error_line(p, "does not fit");
}

static bool t_initrd_too_big(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    size_t len = 40 * MiB;
    const char *p = tpath("initrd-40M");
    /* a sparse 40 MiB file */
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0 && ftruncate(fd, (off_t)len) == 0, "cannot make %s", p);
    close(fd);
    uint64_t size;
    capture_begin();
    bool ok = load_initrd(as, p, 0x48000000, 24 * MiB, &size);
    capture_end();
    REQUIRE(!ok, "40 MiB initrd accepted in 24 MiB");
    if (!one_error_line(p, "(40 MiB) does not fit in RAM at 0x48000000 (24 MiB free)")) {
        return false;
    }
    REQUIRE(ram_untouched(), "RAM written");
    return true;
}

static bool t_initrd_empty(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    const char *p = write_tmp("initrd-empty", "", 0);
    uint64_t size;
    capture_begin();
    bool ok = load_initrd(as, p, RAM_BASE, RAM_SIZE, &size);
    capture_end();
    REQUIRE(!ok, "empty initrd accepted");
    return one_error_line(p, "initrd") && one_error_line(p, "is empty");
}

static bool t_initrd_not_ram(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    uint8_t *d = pattern(0x2000, 3);
    const char *p = write_tmp("initrd-nr", d, 0x2000);
    free(d);
    uint64_t size;
    capture_begin();
    /* max_size lies: the range runs into the MMIO region */
    bool ok = load_initrd(as, p, RAM_BASE + RAM_SIZE - 0x1000, 0x100000, &size);
    capture_end();
    REQUIRE(!ok, "initrd straddling the end of RAM accepted");
    if (!one_error_line(p, "not guest RAM")) {
        return false;
    }
    REQUIRE(ram_untouched(), "RAM written");
    return true;
}

static bool t_initrd_missing(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    const char *p = tpath("no-initrd");
    uint64_t size;
    capture_begin();
    bool ok = load_initrd(as, p, RAM_BASE, RAM_SIZE, &size);
    capture_end();
    REQUIRE(!ok, "missing initrd accepted");
    return one_error_line(p, "cannot open initrd");
}

static bool t_raw_ok(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    uint8_t *d = pattern(777, 5);
    const char *p = write_tmp("raw.bin", d, 777);
    uint64_t size = 0;
    capture_begin();
    bool ok = load_raw(as, p, RAM_BASE + 3, 1000, &size);
    capture_end();
    bool body = ok && memcmp(ram + 3, d, 777) == 0;
    free(d);
    REQUIRE(ok && size == 777 && body, "raw load wrong: %s", err_text);
    REQUIRE(ram_all(RAM_BASE, 3, RAM_FILL) && ram_all(RAM_BASE + 780, 16, RAM_FILL),
            "wrote outside the file's range");
    return true;
}

static bool t_raw_empty(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    const char *p = write_tmp("raw-empty", "", 0);
    uint64_t size = 99;
    capture_begin();
    bool ok = load_raw(as, p, RAM_BASE, RAM_SIZE, &size);
    capture_end();
    REQUIRE(ok && size == 0 && err_lines() == 0, "empty raw file: ok=%d size=%" PRIu64, ok, size);
    return ram_untouched() || (set_why("RAM written"), false);
}

static bool t_raw_too_big(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    uint8_t *d = pattern(2000, 5);
    const char *p = write_tmp("raw-big", d, 2000);
    free(d);
    uint64_t size;
    capture_begin();
    bool ok = load_raw(as, p, RAM_BASE, 1999, &size);
    capture_end();
    REQUIRE(!ok, "raw file larger than max_size accepted");
    if (!one_error_line(p, "does not fit")) {
        return false;
    }
    return ram_untouched() || (set_why("RAM written"), false);
}

static bool t_raw_outside_ram(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    uint8_t *d = pattern(16, 5);
    const char *p = write_tmp("raw-out", d, 16);
    free(d);
    uint64_t size;
    capture_begin();
    bool a = load_raw(as, p, 0x1000, 0x100000, &size);            /* unassigned */
    bool b = load_raw(as, p, UINT64_MAX - 4, 0x100000, &size);    /* wraps */
    capture_end();
    REQUIRE(!a && !b, "raw load outside RAM accepted");
    REQUIRE(err_lines() == 2, "expected two error lines: %s", err_text);
    return ram_untouched() || (set_why("RAM written"), false);
}

static bool t_load_file(void)
{
    uint8_t *d = pattern(5000, 77);
    const char *p = write_tmp("blob", d, 5000);
    uint8_t *data = NULL;
    uint64_t size = 0;
    capture_begin();
    bool ok = load_file(p, 5000, &data, &size);
    bool same = ok && size == 5000 && memcmp(data, d, 5000) == 0;
    free(data);
    data = NULL;
    bool big = load_file(p, 4999, &data, &size);
    capture_end();
    free(d);
    REQUIRE(same, "load_file contents wrong");
    REQUIRE(!big && data == NULL, "file over max accepted");
    if (!one_error_line(p, "too large")) {
        return false;
    }
    /* a character device: read until EOF, no size from stat */
    capture_begin();
    ok = load_file("/dev/null", 10, &data, &size);
    capture_end();
    REQUIRE(ok && size == 0 && err_lines() == 0, "/dev/null: ok=%d size=%" PRIu64, ok, size);
    free(data);
    capture_begin();
    ok = load_file("/dev/zero", 4096, &data, &size);
    capture_end();
    REQUIRE(!ok, "endless /dev/zero accepted");
    if (!one_error_line("/dev/zero", "too large")) {
        return false;
    }
    capture_begin();
    ok = load_file(tpath("nope"), 10, &data, &size);
    capture_end();
    REQUIRE(!ok, "missing file accepted");
    return one_error_line("nope", "No such file");
}

/* ---- fuzz --------------------------------------------------------------- */

/*
 * Contract check for one call on arbitrary input: success prints nothing,
 * failure prints exactly one line naming the file. ASan/UBSan catch the
 * rest (out-of-bounds reads, overflows).
 */
static bool fuzz_one(const char *p, int which)
{
    uint64_t a, b, c;
    capture_begin();
    bool ok = which == 0 ? load_arm64_image(as, p, RAM_BASE, RAM_SIZE, &a, &b)
                         : load_elf64(as, p, 183, &a, &b, &c);
    capture_end();
    if (ok) {
        REQUIRE(err_lines() == 0, "success with output: %s", err_text);
        return true;
    }
    return one_error_line(p, NULL);
}

static bool t_fuzz_random(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    uint8_t buf[4096];
    for (int iter = 0; iter < 600; iter++) {
        size_t len = (size_t)(rng() % sizeof(buf));
        for (size_t i = 0; i < len; i++) {
            buf[i] = (uint8_t)rng();
        }
        /* sometimes start like one of the formats, so the parsers get further */
        switch (iter % 5) {
        case 4:
            if (len >= 0x50) { /* zboot with a gzip header and random deflate data */
                memcpy(buf, "MZ\0\0zimg", 8);
                put32(buf + 8, 0x40);
                memcpy(buf + 0x18, "gzip", 5);
                memcpy(buf + 0x40, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
            }
            break;
        case 1: if (len >= 4) memcpy(buf, "\x7f" "ELF", 4); break;
        case 2: if (len >= 0x3c) put32(buf + 0x38, 0x644d5241); break;
        case 3: if (len >= 2) { buf[0] = 0x1f; buf[1] = 0x8b; } break;
        }
        const char *p = write_tmp("fuzz", buf, len);
        if (!fuzz_one(p, iter & 1)) {
            set_why("iteration %d (%zu bytes): %s", iter, len, why);
            return false;
        }
    }
    return true;
}

/* Valid ELF/Image files with random header bytes changed, and every truncation. */
static bool t_fuzz_mutated(void)
{
    reset_as(RAM_BASE, RAM_SIZE);
    size_t elen = 0x2000;
    uint8_t *elf = make_elf(elen, 183, RAM_BASE, good_segs, 3);
    uint8_t *img = make_pe_image(0x3000);
    uint8_t *buf = malloc(0x3000);
    bool ok = true;
    for (int iter = 0; iter < 1500 && ok; iter++) {
        bool is_elf = iter & 1;
        size_t len = is_elf ? elen : 0x3000;
        memcpy(buf, is_elf ? elf : img, len);
        int flips = 1 + (int)(rng() % 4);
        size_t hdr = is_elf ? 64 + 56 * 3 : 0x100;
        for (int f = 0; f < flips; f++) {
            size_t at = (size_t)(rng() % hdr);
            /* bias toward extreme values: they find overflow bugs */
            buf[at] = (rng() & 1) ? 0xff : (uint8_t)rng();
        }
        const char *p = write_tmp("mut", buf, len);
        ok = fuzz_one(p, is_elf && (iter & 2) ? 1 : 0);
    }
    /* every prefix of the real files (every truncation point in the headers) */
    for (size_t cut = 0; cut < 0x200 && ok; cut++) {
        const char *p = write_tmp("cut-elf", elf, cut);
        ok = fuzz_one(p, 1) && fuzz_one(p, 0);
        if (ok) {
            p = write_tmp("cut-img", img, cut);
            ok = fuzz_one(p, 0);
        }
    }
    free(elf);
    free(img);
    free(buf);
    return ok;
}

/* ---- the real kernel ---------------------------------------------------- */

static const char *real_kernel(void)
{
    static char path[512];
    const char *dir = getenv("COREMU_IMAGES");
    snprintf(path, sizeof(path), "%s/aarch64/Image", dir ? dir : "images");
    return access(path, R_OK) == 0 ? path : NULL;
}

static bool t_real_kernel(void)
{
    const char *k = real_kernel();
    uint8_t *file;
    uint64_t flen;
    REQUIRE(load_file(k, 512 * MiB, &file, &flen), "cannot read %s", k);
    reset_as(RAM_BASE, 256 * MiB);
    uint64_t entry = 0, end = 0;
    capture_begin();
    bool ok = load_arm64_image(as, k, RAM_BASE, 256 * MiB, &entry, &end);
    capture_end();
    uint64_t text_offset, image_size;
    memcpy(&text_offset, file + 8, 8);
    memcpy(&image_size, file + 16, 8);
    uint64_t load = RAM_BASE + (image_size ? text_offset : 0x80000);
    bool body = ok && memcmp(ram + (load - RAM_BASE), file, flen) == 0;
    free(file);
    REQUIRE(ok, "Debian kernel not loaded: %s", err_text);
    REQUIRE(entry == load, "entry 0x%" PRIx64 ", want 0x%" PRIx64, entry, load);
    REQUIRE(end == load + (image_size > flen ? image_size : flen), "image_end 0x%" PRIx64, end);
    REQUIRE(body, "kernel bytes differ in guest RAM");
    return true;
}

/* the first MiB of the real kernel: its PE header says how much is missing */
static bool t_real_kernel_truncated(void)
{
    const char *k = real_kernel();
    uint8_t *file;
    uint64_t flen;
    REQUIRE(load_file(k, 512 * MiB, &file, &flen), "cannot read %s", k);
    const char *p = write_tmp("Image-1M", file, MiB);
    free(file);
    reset_as(RAM_BASE, 256 * MiB);
    uint64_t entry, end;
    capture_begin();
    bool ok = load_arm64_image(as, p, RAM_BASE, 256 * MiB, &entry, &end);
    capture_end();
    REQUIRE(!ok, "truncated Debian kernel accepted");
    return one_error_line(p, "truncated: header says") && one_error_line(p, "file has 1 MiB");
}

static bool t_real_kernel_small_ram(void)
{
    const char *k = real_kernel();
    reset_as(RAM_BASE, 16 * MiB);
    uint64_t entry, end;
    capture_begin();
    bool ok = load_arm64_image(as, k, RAM_BASE, 16 * MiB, &entry, &end);
    capture_end();
    REQUIRE(!ok, "26 MiB kernel accepted in 16 MiB of RAM");
    if (!one_error_line(k, "does not fit")) {
        return false;
    }
    return ram_all(RAM_BASE, 16 * MiB, RAM_FILL) || (set_why("RAM written"), false);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-loader.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }

    run_case("image_ok", t_image_ok);
    run_case("image_old_header_text_offset", t_image_old_header);
    run_case("image_unaligned_ram_base", t_image_unaligned_ram);
    run_case("image_big_endian", t_image_big_endian);
    run_case("image_too_big_for_ram", t_image_too_big);
    run_case("image_text_offset_wraps", t_image_text_offset_wraps);
    run_case("image_file_larger_than_ram", t_image_file_larger_than_ram);
    run_case("image_short_header", t_image_short_header);
    run_case("image_pe_complete", t_image_pe_complete);
    run_case("image_pe_truncated", t_image_pe_truncated);
    run_case("image_not_a_kernel", t_image_not_kernel);
    run_case("image_empty", t_image_empty);
    run_case("image_missing", t_image_missing);
    run_case("image_directory", t_image_directory);
    run_case("image_gzip", t_image_gzip);
    run_case("image_gzip_truncated", t_image_gzip_truncated);
    run_case("image_gzip_corrupt", t_image_gzip_corrupt);
    run_case("image_efi_zboot_gzip", t_image_zboot);
    run_case("image_efi_zboot_zstd_rejected", t_image_zboot_zstd);
    run_case("image_efi_zboot_bad_offset", t_image_zboot_bad_offset);
    run_case("elf_ok", t_elf_ok);
    run_case("elf_via_kernel_loader", t_elf_via_kernel_loader);
    run_case("elf_ld_metadata_segment_skipped", t_elf_ld_metadata_segment);
    run_case("elf_x86_64", t_elf_x86);
    run_case("elf_class32", t_elf_class32);
    run_case("elf_big_endian", t_elf_big_endian);
    run_case("elf_wrong_machine", t_elf_machine);
    run_case("elf_relocatable", t_elf_type_rel);
    run_case("elf_bad_magic", t_elf_magic);
    run_case("elf_short_header", t_elf_short);
    run_case("elf_segment_past_eof", t_elf_seg_past_eof);
    run_case("elf_segment_offset_wraps", t_elf_seg_offset_wraps);
    run_case("elf_segment_filesz_huge", t_elf_seg_filesz_huge);
    run_case("elf_segment_paddr_wraps", t_elf_seg_paddr_wraps);
    run_case("elf_segment_past_ram", t_elf_seg_past_ram);
    run_case("elf_segment_below_ram", t_elf_seg_below_ram);
    run_case("elf_filesz_gt_memsz", t_elf_filesz_gt_memsz);
    run_case("elf_phdrs_past_eof", t_elf_phdrs_past_eof);
    run_case("elf_phoff_wraps", t_elf_phoff_wraps);
    run_case("elf_bad_phentsize", t_elf_phentsize);
    run_case("elf_no_load_segments", t_elf_no_load);
    run_case("initrd_ok", t_initrd_ok);
    run_case("initrd_exact_fit", t_initrd_exact_fit);
    run_case("initrd_too_big", t_initrd_too_big);
    run_case("initrd_empty", t_initrd_empty);
    run_case("initrd_not_ram", t_initrd_not_ram);
    run_case("initrd_missing", t_initrd_missing);
    run_case("raw_ok", t_raw_ok);
    run_case("raw_empty", t_raw_empty);
    run_case("raw_too_big", t_raw_too_big);
    run_case("raw_outside_ram", t_raw_outside_ram);
    run_case("load_file", t_load_file);
    run_case("fuzz_random_files", t_fuzz_random);
    run_case("fuzz_mutated_headers_and_truncations", t_fuzz_mutated);
    if (real_kernel()) {
        run_case("real_kernel_debian_image", t_real_kernel);
        run_case("real_kernel_truncated", t_real_kernel_truncated);
        run_case("real_kernel_ram_too_small", t_real_kernel_small_ram);
    } else {
        printf("SKIP real_kernel_*: images/aarch64/Image absent (run scripts/fetch-images.sh)\n");
    }

    address_space_free(as);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) {
        fprintf(stderr, "test-loader: could not remove %s\n", tmpdir);
    }
    printf("%d passed, %d failed\n", nb_pass, nb_fail);
    return nb_fail ? 1 : 0;
}
