/*
 * cpu-hooks.h — the seam between the x86-64 CPU (target/i386) and the PC
 * board (hw/i386/, not yet written). The CPU knows no device: the board
 * plugs these in after creating each core.
 *
 *  - Port I/O: IN/OUT/INS/OUTS call X86PortIO.in/out with the port and the
 *    access size (1, 2 or 4). With no hook, IN reads all ones and OUT is
 *    dropped (an unconnected ISA bus), like a PC with nothing decoded there.
 *  - Local APIC: RDMSR/WRMSR of the x2APIC MSRs (0x800..0x8ff), writes of
 *    IA32_APIC_BASE, MOV to/from CR8 (TPR) and the INTA cycle of an external
 *    interrupt go through X86ApicHooks. The board's APIC model raises
 *    CPU_INTERRUPT_HARD (cpu_interrupt()) when it has a deliverable vector;
 *    the CPU asks get_interrupt() for the vector when it takes it.
 *  - Memory-mapped xAPIC (0xfee00000) is an MMIO region of the board, not
 *    part of the CPU.
 */
#ifndef TARGET_I386_CPU_HOOKS_H
#define TARGET_I386_CPU_HOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/cpu.h"

typedef struct X86PortIO {
    uint64_t (*in)(void *opaque, uint16_t port, unsigned size);
    void (*out)(void *opaque, uint16_t port, uint64_t val, unsigned size);
    void *opaque;
} X86PortIO;

typedef struct X86ApicHooks {
    /* x2APIC MSR space; return false if the MSR does not exist (#GP) */
    bool (*rdmsr)(void *opaque, CPUState *cpu, uint32_t msr, uint64_t *val);
    bool (*wrmsr)(void *opaque, CPUState *cpu, uint32_t msr, uint64_t val);
    /* IA32_APIC_BASE was written (enable bit, x2APIC mode, base address) */
    void (*set_base)(void *opaque, CPUState *cpu, uint64_t val);
    /* CR8 <-> TPR[7:4] */
    void (*set_tpr)(void *opaque, CPUState *cpu, uint8_t cr8);
    uint8_t (*get_tpr)(void *opaque, CPUState *cpu);
    /* INTA: the highest-priority pending vector (it becomes in-service), or -1 */
    int (*get_interrupt)(void *opaque, CPUState *cpu);
    void *opaque;
} X86ApicHooks;

void x86_cpu_set_port_io(CPUState *cpu, const X86PortIO *io);
void x86_cpu_set_apic_hooks(CPUState *cpu, const X86ApicHooks *hooks);
/* 64-bit boot entry (Linux boot protocol §64-bit): long mode, flat segments,
 * identity-mapped page tables the board built at cr3; rsi = boot_params. */
void x86_cpu_set_long_mode_entry(CPUState *cpu, uint64_t rip, uint64_t cr3, uint64_t rsi);
/* 32-bit protected-mode entry with flat 4 GiB segments, paging off. */
void x86_cpu_set_protected_mode_entry(CPUState *cpu, uint32_t eip, uint32_t esi);
/* INIT / SIPI (the board's APIC delivers these through cpu_interrupt with
 * CPU_INTERRUPT_INIT / CPU_INTERRUPT_SIPI after setting the vector here). */
void x86_cpu_set_sipi_vector(CPUState *cpu, uint8_t vector);

#endif
