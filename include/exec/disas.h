/* disas.h — capstone disassembly for -d in_asm / out_asm (util/disas.c). */
#ifndef EXEC_DISAS_H
#define EXEC_DISAS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "exec/cpu.h"

/* Guest code at virtual pc, size bytes, fetched through the core's code TLB. */
void disas_guest(CPUState *cpu, FILE *f, uint64_t pc, uint32_t size);
/* Host code; native=false (interpreter bytecode) prints a hex dump instead. */
void disas_host(FILE *f, const uint8_t *code, uint32_t size, bool native);
/* One guest instruction word into buf (for unimp logs); returns buf. */
const char *disas_one(int arch, int mode, uint64_t pc, const uint8_t *bytes,
                      size_t len, char *buf, size_t buflen);

#endif
