/*
 * reemu.h — deterministic record and replay of parallel multi-core runs
 * (docs/reemu.md). The hooks the rest of the emulator calls.
 *
 * Every hook is guarded at its call site by a test of reemu_mode (or of
 * reemu_order_on), a global written once before the cores start: with
 * record/replay off, the feature costs one predictable branch on paths that
 * are already slow (TB boundaries, the softmmu slow path, MMIO, MRS of I/O
 * registers, inbox messages), and nothing per memory access: only record and
 * replay runs mark RAM TLB entries TLB_WATCH, which sends their accesses to
 * the slow path.
 */
#ifndef REEMU_REEMU_H
#define REEMU_REEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exec/cpu.h"
#include "reemu/order.h"

struct Machine;
struct MachineOptions;
struct CpusConfig;
struct CoreMsg;
struct MemoryRegion;

enum { REEMU_OFF = 0, REEMU_RECORD = 1, REEMU_REPLAY = 2 };

extern int reemu_mode;      /* REEMU_*: set before the cores start */
extern bool reemu_order_on; /* shared-memory ordering (more than one core) */

/* ---- options (system/main.c) ---- */
/* name without the leading '-': "record", "replay", "reemu" */
bool reemu_is_option(const char *name);
bool reemu_parse_option(const char *name, const char *value);
/* -icount's value: the rr=record|replay and rrfile=FILE keys (others ignored) */
bool reemu_parse_icount(const char *value);
/* After parsing: turns on exact counting, refuses what cannot be replayed. */
bool reemu_configure(struct MachineOptions *mo, struct CpusConfig *cfg);
/* After the machine is built, before the cores start: open/check the log. */
bool reemu_start(struct Machine *m, const struct CpusConfig *cfg);
/* After the cores stopped: write the trailer, or compare with it. Returns
 * the exit status (1 on a replay mismatch). */
int reemu_finish(struct Machine *m, int status);

/* ---- execution loop (accel/tcg/cpu-exec.c) ---- */
/* Record: the core took an interrupt for these request bits at a TB boundary. */
void reemu_record_interrupt(CPUState *cpu, uint32_t request);
/* Replay, at every TB boundary: apply the log's events due at this icount;
 * true if the core's state changed (do not chain from the last TB). */
bool reemu_replay_boundary(CPUState *cpu);
/* Replay: the instruction budget ran out. True: events applied, keep
 * running; false: the core reached its recorded end. */
bool reemu_replay_budget_out(CPUState *cpu);

/* ---- inputs (accel/tcg/cputlb.c, target sysregs) ---- */
/* An MMIO read: record logs the device's answer, replay returns the log's
 * without calling the device. ra: the helper's return address (0: none). */
uint64_t reemu_mmio_read(CPUState *cpu, const struct MemoryRegion *mr, uint64_t paddr,
                         unsigned size, uintptr_t ra);
/* A read of a register that reads time or devices (key: the target's id). */
uint64_t reemu_io_reg_read(CPUState *cpu, uint32_t key, uintptr_t ra,
                           uint64_t (*read)(CPUState *cpu, uint32_t key, uintptr_t ra));

/* ---- ordered guest RAM accesses (accel/tcg/cputlb.c, reemu_order_on) ---- */
typedef OrderTok ReemuAccess;
/* Around one access to guest physical [paddr, paddr+size). A read repeats
 * its host load while reemu_access_end() returns false (a writer was inside). */
void reemu_access_begin(CPUState *cpu, ReemuAccess *a, uint64_t paddr, unsigned size,
                        bool write);
bool reemu_access_end(CPUState *cpu, ReemuAccess *a);
/* The same for a store to a page holding code (its TLB entry is
 * TLB_NOTDIRTY) on a target with a coherent instruction stream: record keeps
 * the bytes it overwrites for the other cores' translators (reemu/code.c). */
void reemu_access_begin_code(CPUState *cpu, ReemuAccess *a, uint64_t paddr, unsigned size);
/* Translator (accel/tcg/cputlb.c code_load): size bytes of code just read
 * from guest physical paddr, as this core may see them: other cores' stores
 * it has not yet handled the invalidation of are undone. Call only while
 * reemu_code_live is nonzero, after an acquire fence following the read. */
extern int reemu_code_live;
uint64_t reemu_code_view(CPUState *cpu, uint64_t paddr, uint64_t val, unsigned size);
/* The fast path's view (accel/tcg/cputlb.c: an aligned access to one RAM
 * object done with order_fast_*, docs/reemu.md): set before the cores start;
 * cores NULL when off (no ordering, -reemu fast=0, or -reemu delay= wants
 * every access). */
typedef struct ReemuFast {
    OrderCore **cores; /* by cpu_index */
    uint64_t nobjs;    /* objects below this are guest RAM */
    unsigned obj_shift;
    bool inline_record; /* record: generated code does it inline (tcg/x86_64/ldst.c) */
} ReemuFast;
extern ReemuFast reemu_fast;
struct TCGContext;
/* The record core whose code s translates, if the JIT is to inline the fast path. */
OrderCore *reemu_fast_inline_core(const struct TCGContext *s);

/* ---- devices (hw/virtio): ordered device state and DMA ---- */
/*
 * A device whose state the cores share (a virtio transport and its device)
 * registers once while the machine is built and gets a pseudo-object in the
 * version table, past RAM (at most REEMU_MAX_DEVICES; -1 beyond: unordered).
 * Every guest write to the device runs inside reemu_device_begin/end: in
 * record/replay with ordering on (more than one core), an exclusive section
 * on that object of the core that made the access, so the cores' device
 * writes, and what they start (a notify processes a queue), happen in the
 * recorded order. Reads of the device stay logged inputs (reemu_mmio_read).
 * Inside a section, reemu_dma_read/write copy guest RAM as ordered accesses
 * of that core, one per object the range touches; elsewhere (ordering off,
 * not on a core thread, unit tests) they are a plain memcpy.
 * Take the section before the device's own lock (a replay waits inside it).
 */
#define REEMU_MAX_DEVICES 64
int reemu_device_register(const char *name);
typedef struct ReemuDevSection {
    OrderTok tok;
    bool on;
} ReemuDevSection;
void reemu_device_begin_slow(int dev, ReemuDevSection *s);
void reemu_device_end_slow(ReemuDevSection *s);
static inline void reemu_device_begin(int dev, ReemuDevSection *s)
{
    s->on = false;
    if (__builtin_expect(reemu_order_on, 0)) {
        reemu_device_begin_slow(dev, s);
    }
}
static inline void reemu_device_end(ReemuDevSection *s)
{
    if (__builtin_expect(s->on, 0)) {
        reemu_device_end_slow(s);
    }
}
/* guest physical paddr, its host pointer host, len bytes */
void reemu_dma_read(void *buf, const void *host, uint64_t paddr, size_t len);
void reemu_dma_write(void *host, uint64_t paddr, const void *buf, size_t len);

/* ---- cross-core messages (coremu/core.c) ---- */
/* The sender's stamp to carry in a TLB/TB message (CoreMsg.opaque). */
void *reemu_stamp(CPUState *src);
/* Record: target handled a message (its own thread, or asleep and claimed). */
void reemu_note_msg(CPUState *target, const struct CoreMsg *m);
/* Record: a flush applied to target directly by src (target asleep/claimed,
 * or thread=single). kind: a COREMU_MSG_* kind. */
void reemu_note_remote(CPUState *target, CPUState *src, int kind, uint64_t a0, uint64_t a1);

/* ---- secondary cores start (hw/arm/virt-psci.c CPU_ON, hw/i386/apic.c INIT/SIPI) ---- */
/*
 * Record: while no core but the boot core can run (the others powered off or
 * waiting for a SIPI since reset), the boot core's shared-memory ordering
 * events are not logged: every version it sees it made itself, and another
 * core's later accesses come after its start, which the boot core requests
 * at a position the replay keeps (docs/reemu.md, "Before the second core").
 * The board calls this, on the requesting core's thread, before it lets
 * another core run.
 */
extern int reemu_solo;
static inline void reemu_solo_end(void)
{
    if (__builtin_expect(__atomic_load_n(&reemu_solo, __ATOMIC_RELAXED), 0)) {
        __atomic_store_n(&reemu_solo, 0, __ATOMIC_RELEASE);
    }
}

/* ---- system/cpus.c ---- */
/* Replay: a shutdown request waits until every core reached its recorded end
 * (reemu requests it then); returns true if the caller must not shut down now. */
bool reemu_defer_shutdown(void);

#endif
