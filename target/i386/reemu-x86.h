/*
 * reemu-x86.h — the x86-64 inputs of record/replay (docs/reemu.md, "x86-64").
 *
 * Every value an x86 core reads from outside itself — a port (IN, INS), the
 * TSC (RDTSC, RDTSCP, RDMSR 0x10), an APIC MSR (x2APIC 0x800..0x8ff,
 * TSC_DEADLINE 0x6e0), CR8 (the APIC's TPR), the vector of an external
 * interrupt (INTA) and of a SIPI — goes through reemu_io_reg_read() with one
 * of the keys below: record logs the answer at the instruction's exact
 * icount, replay returns the logged answer and never asks the device (its
 * state differs in replay). Port and MSR writes stay real in replay (serial
 * output appears again).
 *
 * Pattern at a call site (cost when off: one test of reemu_mode):
 *     if (__builtin_expect(reemu_mode, 0)) {
 *         uint64_t v = reemu_mode == REEMU_RECORD ? device_read() : 0;
 *         v = x86_reemu_input(cs, KEY, v, ra);   // replay: the log's value
 *     }
 * ra: the helper's GETPC() (exact icount inside a TB), 0 at a TB boundary.
 */
#ifndef TARGET_I386_REEMU_X86_H
#define TARGET_I386_REEMU_X86_H

#include <stdint.h>

#include "exec/cpu.h"
#include "reemu/reemu.h"
#include "target/i386/cpu.h"

/* keys (the SYSREG event's register field); disjoint ranges by the top byte */
#define X86_RR_IN(port, size) (0x10000000u | ((uint32_t)(size) << 16) | (uint32_t)(port))
#define X86_RR_TSC            0x20000000u /* RDTSC, RDTSCP, RDMSR IA32_TSC */
#define X86_RR_MSR(msr)       (0x30000000u | ((uint32_t)(msr) & 0xffffu))
#define X86_RR_MSR_OK(msr)    (0x38000000u | ((uint32_t)(msr) & 0xffffu)) /* 0: #GP */
#define X86_RR_INTA           0x40000000u /* vector of an external interrupt */
#define X86_RR_SIPI           0x41000000u /* vector of a start-up IPI */
#define X86_RR_CR8            0x42000000u

/* Record: log v (the device's answer) under key and return it; replay:
 * return the logged value (v is ignored). Only when reemu_mode != 0. */
uint64_t x86_reemu_input(CPUState *cs, uint32_t key, uint64_t v, uintptr_t ra);
/* A port read from the board's hook (all ones with none): the device side. */
uint64_t x86_port_in(X86CPU *cpu, uint32_t port, uint32_t size);

#endif
