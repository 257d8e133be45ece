/*
 * block.h — a raw disk image as the block devices see it, optionally with
 * a copy-on-write overlay in host memory (snapshot mode, as QEMU's -snapshot).
 *
 * In snapshot mode the image is opened read-only and shared-locked: reads
 * come from the overlay where the guest has written, else from the file;
 * writes go to the overlay only (4 KiB clusters, filled from the file on
 * their first write); flush succeeds without touching the file. The file
 * is never modified, so every run starts from the same content: what
 * -record/-replay need (reemu sets block_snapshot for them), and what a
 * user asks for with -snapshot. The overlay grows with the data written.
 *
 * A backend is not thread-safe: its device serialises its requests.
 */
#ifndef SYSTEM_BLOCK_H
#define SYSTEM_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* -snapshot (or -record/-replay): every image opened from now on gets an overlay */
extern bool block_snapshot;

typedef struct BlockBackend BlockBackend;

/*
 * Open a raw image: read-only (readonly or snapshot) or read-write, locked
 * against another emulator writing it (flock: exclusive for a writer, shared
 * otherwise). On a missing, unreadable, unwritable, locked or non-regular
 * image: one error line, NULL.
 */
BlockBackend *blk_open(const char *path, bool readonly, bool snapshot);
void blk_close(BlockBackend *b);
uint64_t blk_size(const BlockBackend *b); /* bytes */
bool blk_snapshot(const BlockBackend *b);
/* Whole transfers only: false on any error, a short transfer or a range past the end. */
bool blk_pread(BlockBackend *b, uint64_t off, void *buf, size_t len);
bool blk_pwrite(BlockBackend *b, uint64_t off, const void *buf, size_t len);
/* Make acknowledged writes durable (fdatasync); true at once in snapshot mode. */
bool blk_flush(BlockBackend *b);
/* Snapshot mode: clusters held in the overlay (tests). */
uint64_t blk_overlay_clusters(const BlockBackend *b);

#endif
