/*
 * block.c — raw disk images with an optional copy-on-write overlay in host
 * memory (include/system/block.h).
 *
 * The overlay is a two-level table of 4 KiB clusters: a directory of
 * pointers to tables of 1024 cluster pointers, both allocated on first
 * write, so an untouched disk of any size costs one pointer per 4 MiB.
 * A cluster's first write copies the file's bytes into it (zeros past the
 * end of a file whose size is not a multiple of the cluster).
 */
#include "system/block.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

bool block_snapshot;

#define CLUSTER_BITS 12
#define CLUSTER_SIZE (1u << CLUSTER_BITS)
#define L2_BITS 10
#define L2_SIZE (1u << L2_BITS)

struct BlockBackend {
    int fd;
    bool snapshot;
    uint64_t size;
    uint8_t ***dir; /* snapshot: dir[c >> L2_BITS][c & (L2_SIZE-1)] = cluster c */
    uint64_t ndir;
    uint64_t nclusters_held;
};

BlockBackend *blk_open(const char *path, bool readonly, bool snapshot)
{
    bool ro = readonly || snapshot;
    int fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        error_report("cannot open drive image '%s'%s: %s", path, ro ? "" : " for writing",
                     strerror(errno));
        return NULL;
    }
    struct stat st;
    off_t size = lseek(fd, 0, SEEK_END);
    if (fstat(fd, &st) < 0 || size < 0 || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
        error_report("drive image '%s' is not a regular file or block device", path);
        close(fd);
        return NULL;
    }
    /* two emulators writing one image would corrupt it */
    if (flock(fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
        error_report("drive image '%s' is in use by another process", path);
        close(fd);
        return NULL;
    }
    BlockBackend *b = calloc(1, sizeof(*b));
    if (!b) {
        fatal("out of memory");
    }
    b->fd = fd;
    b->snapshot = snapshot;
    b->size = (uint64_t)size;
    if (snapshot) {
        uint64_t nclusters = (b->size + CLUSTER_SIZE - 1) >> CLUSTER_BITS;
        b->ndir = (nclusters + L2_SIZE - 1) >> L2_BITS;
        b->dir = calloc(b->ndir ? b->ndir : 1, sizeof(*b->dir));
        if (!b->dir) {
            fatal("out of memory");
        }
    }
    return b;
}

void blk_close(BlockBackend *b)
{
    if (!b) {
        return;
    }
    for (uint64_t i = 0; i < b->ndir; i++) {
        if (b->dir[i]) {
            for (unsigned j = 0; j < L2_SIZE; j++) {
                free(b->dir[i][j]);
            }
            free(b->dir[i]);
        }
    }
    free(b->dir);
    close(b->fd);
    free(b);
}

uint64_t blk_size(const BlockBackend *b)
{
    return b->size;
}

bool blk_snapshot(const BlockBackend *b)
{
    return b->snapshot;
}

uint64_t blk_overlay_clusters(const BlockBackend *b)
{
    return b->nclusters_held;
}

/* pread/pwrite all of it; false on an error or end of file */
static bool file_io(int fd, uint64_t off, void *buf, size_t len, bool write)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t r = write ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return false;
        }
        p += r;
        off += (uint64_t)r;
        len -= (size_t)r;
    }
    return true;
}

static bool in_range(const BlockBackend *b, uint64_t off, size_t len)
{
    return off <= b->size && len <= b->size - off;
}

/* The overlay's cluster c, or NULL; alloc: create it from the file's content. */
static uint8_t *cluster(BlockBackend *b, uint64_t c, bool alloc)
{
    uint8_t ***l2 = &b->dir[c >> L2_BITS];
    if (!*l2) {
        if (!alloc) {
            return NULL;
        }
        *l2 = calloc(L2_SIZE, sizeof(**l2));
        if (!*l2) {
            fatal("out of memory");
        }
    }
    uint8_t **slot = &(*l2)[c & (L2_SIZE - 1)];
    if (!*slot && alloc) {
        uint8_t *p = calloc(1, CLUSTER_SIZE);
        if (!p) {
            fatal("out of memory");
        }
        uint64_t off = c << CLUSTER_BITS;
        uint64_t n = b->size - off < CLUSTER_SIZE ? b->size - off : CLUSTER_SIZE;
        if (!file_io(b->fd, off, p, (size_t)n, false)) {
            free(p);
            return NULL;
        }
        *slot = p;
        b->nclusters_held++;
    }
    return *slot;
}

bool blk_pread(BlockBackend *b, uint64_t off, void *buf, size_t len)
{
    if (!in_range(b, off, len)) {
        return false;
    }
    if (!b->snapshot) {
        return file_io(b->fd, off, buf, len, false);
    }
    uint8_t *p = buf;
    while (len > 0) {
        uint64_t c = off >> CLUSTER_BITS, in = off & (CLUSTER_SIZE - 1);
        size_t n = CLUSTER_SIZE - in < len ? CLUSTER_SIZE - in : len;
        const uint8_t *held = cluster(b, c, false);
        if (held) {
            memcpy(p, held + in, n);
        } else if (!file_io(b->fd, off, p, n, false)) {
            return false;
        }
        p += n;
        off += n;
        len -= n;
    }
    return true;
}

bool blk_pwrite(BlockBackend *b, uint64_t off, const void *buf, size_t len)
{
    if (!in_range(b, off, len)) {
        return false;
    }
    if (!b->snapshot) {
        return file_io(b->fd, off, (void *)buf, len, true);
    }
    const uint8_t *p = buf;
    while (len > 0) {
        uint64_t c = off >> CLUSTER_BITS, in = off & (CLUSTER_SIZE - 1);
        size_t n = CLUSTER_SIZE - in < len ? CLUSTER_SIZE - in : len;
        uint8_t *held = cluster(b, c, true);
        if (!held) {
            return false;
        }
        memcpy(held + in, p, n);
        p += n;
        off += n;
        len -= n;
    }
    return true;
}

bool blk_flush(BlockBackend *b)
{
    return b->snapshot || fdatasync(b->fd) == 0;
}
