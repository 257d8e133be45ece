/*
 * disas.c — capstone-based disassembly for the -d logs. Translation-time
 * only: never on a run-time path.
 */
#include "exec/disas.h"

#include <capstone.h>
#include <inttypes.h>
#include <stdlib.h>

#include "exec/cputlb.h"

static void disas_bytes(FILE *f, csh h, uint64_t addr, const uint8_t *bytes, size_t size)
{
    cs_insn *insn;
    size_t n = cs_disasm(h, bytes, size, addr, 0, &insn);
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "0x%016" PRIx64 ":  %-10s %s\n", insn[i].address, insn[i].mnemonic,
                insn[i].op_str);
        done += insn[i].size;
    }
    if (n) {
        cs_free(insn, n);
    }
    if (done < size) {
        fprintf(f, "0x%016" PRIx64 ":  .byte", addr + done);
        for (size_t i = done; i < size && i < done + 16; i++) {
            fprintf(f, " 0x%02x", bytes[i]);
        }
        fprintf(f, "%s\n", size - done > 16 ? " ..." : "");
    }
}

void disas_guest(CPUState *cpu, FILE *f, uint64_t pc, uint32_t size)
{
    csh h;
    if (cs_open((cs_arch)cpu->cc->cs_arch, (cs_mode)cpu->cc->cs_mode, &h) != CS_ERR_OK) {
        fprintf(f, "(capstone cannot open this architecture)\n");
        return;
    }
    uint8_t *bytes = malloc(size ? size : 1);
    if (!bytes) {
        cs_close(&h);
        return;
    }
    for (uint32_t i = 0; i < size; i++) {
        bytes[i] = cpu_ldub_code(cpu, pc + i); /* already translated: cannot fault */
    }
    disas_bytes(f, h, pc, bytes, size);
    free(bytes);
    cs_close(&h);
}

void disas_host(FILE *f, const uint8_t *code, uint32_t size, bool native)
{
    if (!native) {
        for (uint32_t i = 0; i < size; i += 16) {
            fprintf(f, "%p:", (const void *)(code + i));
            for (uint32_t j = i; j < size && j < i + 16; j++) {
                fprintf(f, " %02x", code[j]);
            }
            fputc('\n', f);
        }
        return;
    }
    csh h;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
        return;
    }
    disas_bytes(f, h, (uint64_t)(uintptr_t)code, code, size);
    cs_close(&h);
}

const char *disas_one(int arch, int mode, uint64_t pc, const uint8_t *bytes, size_t len,
                      char *buf, size_t buflen)
{
    csh h;
    cs_insn *insn;
    buf[0] = 0;
    if (cs_open((cs_arch)arch, (cs_mode)mode, &h) != CS_ERR_OK) {
        return buf;
    }
    if (cs_disasm(h, bytes, len, pc, 1, &insn) == 1) {
        snprintf(buf, buflen, "%s %s", insn[0].mnemonic, insn[0].op_str);
        cs_free(insn, 1);
    } else {
        snprintf(buf, buflen, "(unknown)");
    }
    cs_close(&h);
    return buf;
}
