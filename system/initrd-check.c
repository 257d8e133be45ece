/*
 * initrd-check.c — reject an initrd that is visibly damaged before booting.
 *
 * Linux only notices a truncated initramfs deep into boot ("junk in
 * compressed archive" or a missing /init), so we check what we can cheaply:
 * a gzip stream must inflate to its end with a matching trailer; a plain
 * newc cpio archive must reach its TRAILER!!! entry. Other formats (xz,
 * zstd, a raw disk image used as initrd) are passed through unchecked.
 */
#include "system/loader.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/log.h"

static bool check_gzip(const char *path, const uint8_t *data, uint64_t size)
{
    static uint8_t out[1 << 16];
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (size > UINT32_MAX || inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        return true; /* cannot check: let the kernel decide */
    }
    zs.next_in = (uint8_t *)data;
    zs.avail_in = (uInt)size;
    bool ok = false;
    for (;;) {
        zs.next_out = out;
        zs.avail_out = sizeof(out);
        int r = inflate(&zs, Z_NO_FLUSH);
        if (r == Z_OK) {
            continue;
        }
        if (r == Z_STREAM_END) {
            /* Linux accepts zero padding and further gzip members after one */
            while (zs.avail_in && *zs.next_in == 0) {
                zs.next_in++;
                zs.avail_in--;
            }
            if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
                inflateReset(&zs);
                continue;
            }
            ok = true;
        } else if (r == Z_BUF_ERROR) {
            error_report("initrd '%s' is truncated (the gzip stream ends early)", path);
        } else {
            error_report("initrd '%s' is corrupt (gzip: %s)", path, zs.msg ? zs.msg : "bad data");
        }
        break;
    }
    inflateEnd(&zs);
    return ok;
}

bool initrd_check(const char *path)
{
    uint8_t *data;
    uint64_t size;
    if (!load_file(path, 4ull << 30, &data, &size)) {
        return false;
    }
    bool ok = true;
    if (size == 0) {
        error_report("initrd '%s' is empty", path);
        ok = false;
    } else if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        ok = check_gzip(path, data, size);
    } else if (size >= 6 && memcmp(data, "070701", 6) == 0) {
        if (!memmem(data, size, "TRAILER!!!", 10)) {
            error_report("initrd '%s' is truncated (no cpio TRAILER!!! entry)", path);
            ok = false;
        }
    }
    free(data);
    return ok;
}
