/*
 * gdbstub.h — the GDB remote-protocol stub (system/gdbstub.c): -s, -S,
 * -gdb tcp::PORT. docs/user-guide.md ("Debugging with gdb") has the usage.
 *
 * All-stop model: when a core hits a breakpoint, finishes a single step or
 * the debugger sends Ctrl-C, every core stops at its next instruction
 * boundary ("parks" in gdbstub_core_sync(), sleeping on its own sleep word
 * so it still answers cross-core messages); cores already asleep in WFI/HLT
 * stay asleep. The stub answers the debugger only once every core is parked
 * or asleep.
 *
 * Breakpoints are taken by the translator: with the list non-empty, a TB
 * ends before a breakpoint address and a TB starting at one only raises
 * EXCP_DEBUG (restoring the state of that instruction, so exact counting
 * stays exact). Changing the list flushes every core's TBs before it next
 * runs. With no debugger attached nothing here runs: the hooks test one
 * global (gdbstub_attention) on paths that are already slow.
 *
 * Targets describe their registers with a GdbArch, registered from a
 * constructor in target/<arch>/gdbstub.c and found by CPUClass.arch.
 */
#ifndef SYSTEM_GDBSTUB_H
#define SYSTEM_GDBSTUB_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/cpu.h"
#include "tcg/tcg.h"

struct Machine;

typedef struct GdbArch {
    const char *arch;     /* CPUClass.arch this describes */
    const char *xml;      /* target.xml (features inline) */
    int num_regs;         /* registers 0..num_regs-1 form the 'g' packet */
    /* Register n of a stopped core into buf (target byte order = little
     * endian); returns its size in bytes, 0 if n does not exist. */
    int (*read_reg)(CPUState *cpu, int n, uint8_t *buf);
    /* Write register n from buf; returns its size, 0 if n does not exist. */
    int (*write_reg)(CPUState *cpu, int n, const uint8_t *buf);
    /* Debug translation of a virtual address with the core's current
     * regime (no fault raised, no TLB change); false if unmapped. */
    bool (*virt_to_phys)(CPUState *cpu, uint64_t va, uint64_t *pa);
    /* The PC gdb sees (register 'pc'/'rip'), and setting it (c ADDR). */
    uint64_t (*get_pc)(CPUState *cpu);
    void (*set_pc)(CPUState *cpu, uint64_t pc);
} GdbArch;

/* From a constructor in the target's gdbstub.c. */
void gdbstub_register_arch(const GdbArch *a);
const GdbArch *gdbstub_find_arch(const char *arch);

/* ---- options (system/main.c) ---- */
/* name without the leading '-': "s", "S", "gdb" */
bool gdbstub_is_option(const char *name);
bool gdbstub_option_takes_value(const char *name);
/* Returns false after one error line (bad spec). */
bool gdbstub_parse_option(const char *name, const char *value);
/* After the machine is built: opens the listening socket (errors: one
 * line, false) and starts the stub thread. single_thread: thread=single. */
bool gdbstub_start(struct Machine *m, bool single_thread);
/* After the cores stopped: tell an attached debugger the exit status (W). */
void gdbstub_finish(int status);
/* True while the debugger has the machine stopped or holds some core (for
 * waits that time out, e.g. replay's stuck detection: a parked core makes
 * no progress). */
bool gdbstub_stopped(void);

/* ---- the run loop (system/cpus.c, accel/tcg) ---- */
/* Non-zero while a debugger may want cores to stop or re-sync: the core
 * loop then calls gdbstub_core_sync() before running a core. */
extern int gdbstub_attention;
/* The core's thread, before running it: parks while a stop is pending or
 * the debugger holds the core, drops TBs translated under an older
 * breakpoint list. False: it parked (re-check the core's state first) or,
 * with thread=single, the core is held (run another). */
bool gdbstub_core_sync(CPUState *cpu);
/* cpu_exec returned EXCP_DEBUG (breakpoint, or a single step done): stop
 * every core and report; returns once the debugger resumes this core. */
void gdbstub_debug_exception(CPUState *cpu);

/* ---- the translator (accel/tcg/translator.c) ---- */
extern int gdbstub_nb_breakpoints; /* TBs check addresses only when non-zero */
bool gdbstub_breakpoint_at(uint64_t pc);
/* env: raise EXCP_DEBUG at the instruction whose insn_start precedes the call */
extern const TCGHelperInfo helper_info_gdbstub_debug;

#endif
