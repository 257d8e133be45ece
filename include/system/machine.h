/*
 * machine.h — machine registry, options, interrupt lines.
 *
 * A machine type (hw/arm/virt.c, hw/i386/pc.c) registers a MachineClass
 * with machine_register() from a constructor. system/main.c parses the
 * command line into MachineOptions, picks the class by -M, creates the
 * CPUs and calls the class's init, which maps RAM and devices into the
 * address space, loads the kernel and sets the boot CPU's entry state.
 */
#ifndef SYSTEM_MACHINE_H
#define SYSTEM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/cpu.h"
#include "exec/memory.h"

#define MAX_CPUS 255
#define MAX_DRIVES 8

typedef struct DriveOptions {
    const char *file;
    const char *id;
    const char *format; /* "raw" */
    const char *interface; /* "virtio", "none" */
    bool readonly;
} DriveOptions;

typedef struct MachineOptions {
    const char *machine;  /* -M name */
    const char *dumpdtb;  /* -M ...,dumpdtb=FILE */
    const char *cpu_model;
    int smp;
    uint64_t ram_size;
    const char *kernel, *initrd, *append, *dtb;
    const char *serial;   /* "stdio", "file:PATH", "none" */
    bool nographic;
    bool no_reboot;
    bool single_thread;   /* -accel tcg,thread=single */
    bool interp;          /* -accel tcg,backend=interp */
    bool icount;          /* exact instruction counting */
    int ndrives;
    DriveOptions drives[MAX_DRIVES];
} MachineOptions;

typedef struct Machine Machine;
struct Chardev;

typedef struct MachineClass {
    const char *name;
    const char *desc;
    const char *arch;          /* must match the binary's target */
    const char *default_cpu;
    const char *const *cpu_models; /* NULL-terminated, for -cpu help */
    int max_cpus;
    uint64_t default_ram;
    const CPUClass *cpu_class;
    /* Build the machine; print one error line and return false on failure. */
    bool (*init)(Machine *m);
    void (*reset)(Machine *m);
} MachineClass;

struct Machine {
    const MachineClass *mc;
    const MachineOptions *opts;
    AddressSpace *as;
    int ncpus;
    CPUState *cpus[MAX_CPUS];
    struct Chardev *serial;
    void *board; /* machine-private state */
    /* shutdown: set by devices/PSCI; the run loop exits with exit_status */
    int shutdown_requested; /* 0 none, 1 poweroff, 2 reset */
    int exit_status;
};

void machine_register(const MachineClass *mc);
const MachineClass *machine_find(const char *name);
const MachineClass *machine_default(void);
void machine_list(FILE *f);
/* Request poweroff (status) or reset, from any thread. */
void machine_request_shutdown(Machine *m, int kind, int status);

/* An interrupt line: a device drives it, an interrupt controller receives it. */
typedef struct IRQLine {
    void (*handler)(void *opaque, int n, int level);
    void *opaque;
    int n;
} IRQLine;

static inline void irq_set(const IRQLine *irq, int level)
{
    if (irq && irq->handler) {
        irq->handler(irq->opaque, irq->n, level);
    }
}

#endif
