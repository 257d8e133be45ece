/*
 * gdbstub.c — the x86-64 register file and address translation for the
 * gdb stub (system/gdbstub.c).
 *
 * Register numbers (the 'g' packet order, and regnum in target.xml), in the
 * layout gdb's amd64 target requires by name (GDB manual, "i386 Features":
 * org.gnu.gdb.i386.core, .sse, .segments):
 *   0..15  rax rbx rcx rdx rsi rdi rbp rsp r8..r15 (8 bytes)
 *   16 rip (8), 17 eflags (4), 18..23 cs ss ds es fs gs (4)
 *   24..31 st0..st7 (10: 80-bit, stack order), 32..39 fctrl fstat ftag
 *          fiseg fioff foseg fooff fop (4)
 *   40..55 xmm0..xmm15 (16), 56 mxcsr (4)
 *   57 fs_base, 58 gs_base (8)
 *   59..64 cr0 cr2 cr3 cr4 cr8 efer (8, read-only: org.coremu.i386.sys)
 * eflags is the architectural value (the lazy flags computed). Writes to
 * segment selectors and the system registers are ignored (loading a
 * selector would need the descriptor tables); x87 values are written into
 * the FNSAVE image the FPU helpers use.
 *
 * Memory: a walk of the current page tables (CR0.PG off: identity; 32-bit,
 * PAE and 4-level paging) that checks presence only and, unlike the one
 * behind tlb_fill, never sets Accessed/Dirty bits — a debugger must not
 * change what a replay will read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/memory.h"
#include "system/gdbstub.h"
#include "system/machine.h"
#include "target/i386/cpu.h"

static const char x86_target_xml_head[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>i386:x86-64</architecture>\n"
    "<feature name=\"org.gnu.gdb.i386.core\">\n"
    "<flags id=\"i386_eflags\" size=\"4\">\n"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>\n"
    "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>\n"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>\n"
    "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>\n"
    "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>\n"
    "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>\n"
    "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>\n"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
    "<field name=\"ID\" start=\"21\" end=\"21\"/>\n"
    "</flags>\n";

static const char *const gpr_names[16] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi",
                                          "rbp", "rsp", "r8",  "r9",  "r10", "r11",
                                          "r12", "r13", "r14", "r15"};
/* gdb's order -> env->regs index (R_EAX ...) */
static const int gpr_map[16] = {R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI, R_EBP, R_ESP,
                                8,     9,     10,    11,    12,    13,    14,    15};
static const char *const seg_names[6] = {"cs", "ss", "ds", "es", "fs", "gs"};
static const int seg_map[6] = {R_CS, R_SS, R_DS, R_ES, R_FS, R_GS};
static const char *const fpc_names[8] = {"fctrl", "fstat", "ftag", "fiseg",
                                         "fioff", "foseg", "fooff", "fop"};
static const char *const sys_names[6] = {"cr0", "cr2", "cr3", "cr4", "cr8", "efer"};

enum {
    REG_RIP = 16, REG_EFLAGS = 17, REG_SEG0 = 18, REG_ST0 = 24, REG_FCTRL = 32,
    REG_XMM0 = 40, REG_MXCSR = 56, REG_FS_BASE = 57, REG_GS_BASE = 58, REG_CR0 = 59,
    NUM_REGS = 65,
};

/* FNSAVE image offsets (32-bit protected-mode layout, SDM Vol.1 Figure 8-9) */
enum { FS_FCW = 0, FS_FSW = 4, FS_FTW = 8, FS_FIP = 12, FS_FCS = 16, FS_FDP = 20, FS_FDS = 24,
       FS_ST0 = 28 };

static char *xml;

static uint32_t rd16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static int put64(uint8_t *buf, uint64_t v)
{
    memcpy(buf, &v, 8);
    return 8;
}

static int put32(uint8_t *buf, uint32_t v)
{
    memcpy(buf, &v, 4);
    return 4;
}

static int x86_gdb_read_reg(CPUState *cs, int n, uint8_t *buf)
{
    CPUX86State *env = cpu_env(cs);
    const uint8_t *f = env->fsave;
    if (n < 16) {
        return put64(buf, env->regs[gpr_map[n]]);
    }
    if (n == REG_RIP) {
        return put64(buf, env->rip);
    }
    if (n == REG_EFLAGS) {
        return put32(buf, cpu_compute_eflags(env));
    }
    if (n >= REG_SEG0 && n < REG_SEG0 + 6) {
        return put32(buf, env->segs[seg_map[n - REG_SEG0]].selector);
    }
    if (n >= REG_ST0 && n < REG_ST0 + 8) {
        memcpy(buf, f + FS_ST0 + 10 * (n - REG_ST0), 10);
        return 10;
    }
    if (n >= REG_FCTRL && n < REG_FCTRL + 8) {
        static const int off[7] = {FS_FCW, FS_FSW, FS_FTW, FS_FCS, FS_FIP, FS_FDS, FS_FDP};
        int k = n - REG_FCTRL;
        if (k == 7) { /* fop: bits 26:16 of the FCS dword */
            return put32(buf, (rd32(f + FS_FCS) >> 16) & 0x7ff);
        }
        return put32(buf, (k == 4 || k == 6) ? rd32(f + off[k]) : rd16(f + off[k]));
    }
    if (n >= REG_XMM0 && n < REG_XMM0 + 16) {
        memcpy(buf, &env->xmm[n - REG_XMM0], 16);
        return 16;
    }
    if (n == REG_MXCSR) {
        return put32(buf, env->mxcsr);
    }
    if (n == REG_FS_BASE || n == REG_GS_BASE) {
        return put64(buf, env->segs[n == REG_FS_BASE ? R_FS : R_GS].base);
    }
    if (n >= REG_CR0 && n < REG_CR0 + 6) {
        static const int cr[5] = {0, 2, 3, 4, 8};
        int k = n - REG_CR0;
        return put64(buf, k == 5 ? env->efer : env->cr[cr[k]]);
    }
    return 0;
}

static int x86_gdb_write_reg(CPUState *cs, int n, const uint8_t *buf)
{
    CPUX86State *env = cpu_env(cs);
    uint8_t *f = env->fsave;
    uint64_t v64 = 0;
    uint32_t v32 = 0;
    if (n < 16 || n == REG_RIP || n == REG_FS_BASE || n == REG_GS_BASE ||
        (n >= REG_CR0 && n < NUM_REGS)) {
        memcpy(&v64, buf, 8);
        if (n < 16) {
            env->regs[gpr_map[n]] = v64;
        } else if (n == REG_RIP) {
            env->rip = v64;
        } else if (n == REG_FS_BASE || n == REG_GS_BASE) {
            env->segs[n == REG_FS_BASE ? R_FS : R_GS].base = v64;
        }
        return 8;
    }
    if (n >= REG_ST0 && n < REG_ST0 + 8) {
        memcpy(f + FS_ST0 + 10 * (n - REG_ST0), buf, 10);
        return 10;
    }
    if (n >= REG_XMM0 && n < REG_XMM0 + 16) {
        memcpy(&env->xmm[n - REG_XMM0], buf, 16);
        return 16;
    }
    memcpy(&v32, buf, 4);
    if (n == REG_EFLAGS) {
        cpu_load_eflags(env, v32,
                        TF_MASK | IF_MASK | DF_MASK | IOPL_MASK | NT_MASK | RF_MASK | AC_MASK |
                            ID_MASK);
    } else if (n >= REG_SEG0 && n < REG_SEG0 + 6) {
        /* selectors are read-only here */
    } else if (n >= REG_FCTRL && n < REG_FCTRL + 8) {
        static const int off[7] = {FS_FCW, FS_FSW, FS_FTW, FS_FCS, FS_FIP, FS_FDS, FS_FDP};
        int k = n - REG_FCTRL;
        if (k == 7) {
            uint32_t fcs = rd32(f + FS_FCS);
            fcs = (fcs & ~(0x7ffu << 16)) | (v32 & 0x7ff) << 16;
            memcpy(f + FS_FCS, &fcs, 4);
        } else if (k == 4 || k == 6) {
            memcpy(f + off[k], &v32, 4);
        } else {
            f[off[k]] = (uint8_t)v32;
            f[off[k] + 1] = (uint8_t)(v32 >> 8);
        }
    } else if (n == REG_MXCSR) {
        env->mxcsr = v32;
    } else {
        return 0;
    }
    return 4;
}

static bool pte_read(CPUState *cs, uint64_t pa, bool is64, uint64_t *pte)
{
    const void *p = memory_ram_ptr(cs->machine->as, pa, is64 ? 8 : 4);
    if (!p) {
        return false;
    }
    if (is64) {
        memcpy(pte, p, 8);
    } else {
        uint32_t v;
        memcpy(&v, p, 4);
        *pte = v;
    }
    return true;
}

#define PG_P 1ull
#define PG_PS (1ull << 7)
#define PG_ADDR 0x000ffffffffff000ull

/* presence-only walk (SDM Vol.3 §4.3-4.5); no A/D updates */
static bool x86_gdb_virt_to_phys(CPUState *cs, uint64_t va, uint64_t *pa)
{
    CPUX86State *env = cpu_env(cs);
    bool lma = (env->efer & EFER_LMA) != 0;
    uint64_t pte;
    if (lma && (uint64_t)((int64_t)(va << 16) >> 16) != va) {
        return false; /* not canonical */
    }
    if (!(env->cr[0] & CR0_PG)) {
        *pa = lma ? va : (va & 0xffffffffull);
        return true;
    }
    if (env->cr[4] & CR4_PAE) {
        int levels = lma ? 4 : 3;
        uint64_t table = lma ? (env->cr[3] & PG_ADDR) : (env->cr[3] & 0xffffffe0ull);
        for (int level = levels; level >= 1; level--) {
            int shift = 12 + 9 * (level - 1);
            uint64_t idx = (level == 3 && !lma) ? (va >> 30) & 3 : (va >> shift) & 511;
            if (!pte_read(cs, table + idx * 8, true, &pte) || !(pte & PG_P)) {
                return false;
            }
            if (level > 1 && level < 4 && (pte & PG_PS) && (lma || level != 3)) {
                uint64_t mask = (1ull << shift) - 1;
                *pa = (pte & PG_ADDR & ~mask) | (va & mask);
                return true;
            }
            table = pte & PG_ADDR;
        }
        *pa = table | (va & 0xfff);
        return true;
    }
    uint32_t va32 = (uint32_t)va;
    if (!pte_read(cs, (env->cr[3] & 0xfffff000ull) + (va32 >> 22) * 4, false, &pte) ||
        !(pte & PG_P)) {
        return false;
    }
    if ((pte & PG_PS) && (env->cr[4] & CR4_PSE)) {
        *pa = (pte & 0xffc00000ull) | ((pte & 0x1fe000ull) << 19) | (va32 & 0x3fffff);
        return true;
    }
    if (!pte_read(cs, (pte & 0xfffff000ull) + ((va32 >> 12) & 1023) * 4, false, &pte) ||
        !(pte & PG_P)) {
        return false;
    }
    *pa = (pte & 0xfffff000ull) | (va32 & 0xfff);
    return true;
}

static uint64_t x86_gdb_get_pc(CPUState *cs)
{
    return cpu_env(cs)->rip;
}

static void x86_gdb_set_pc(CPUState *cs, uint64_t pc)
{
    cpu_env(cs)->rip = pc;
}

static GdbArch x86_gdb_arch = {
    .arch = "x86_64",
    .num_regs = NUM_REGS,
    .read_reg = x86_gdb_read_reg,
    .write_reg = x86_gdb_write_reg,
    .virt_to_phys = x86_gdb_virt_to_phys,
    .get_pc = x86_gdb_get_pc,
    .set_pc = x86_gdb_set_pc,
};

static void reg(char **o, const char *name, int bits, const char *type, const char *group, int n)
{
    *o += sprintf(*o, "<reg name=\"%s\" bitsize=\"%d\" type=\"%s\"%s%s%s regnum=\"%d\"/>\n", name,
                  bits, type, group ? " group=\"" : "", group ? group : "", group ? "\"" : "", n);
}

static void build_xml(void)
{
    xml = malloc(sizeof(x86_target_xml_head) + 12000);
    if (!xml) {
        return;
    }
    char *o = xml;
    o += sprintf(o, "%s", x86_target_xml_head);
    for (int i = 0; i < 16; i++) {
        reg(&o, gpr_names[i], 64, i == 6 || i == 7 ? "data_ptr" : "int64", NULL, i);
    }
    reg(&o, "rip", 64, "code_ptr", NULL, REG_RIP);
    reg(&o, "eflags", 32, "i386_eflags", NULL, REG_EFLAGS);
    for (int i = 0; i < 6; i++) {
        reg(&o, seg_names[i], 32, "int32", NULL, REG_SEG0 + i);
    }
    for (int i = 0; i < 8; i++) {
        char nm[16];
        snprintf(nm, sizeof(nm), "st%d", i);
        reg(&o, nm, 80, "i387_ext", NULL, REG_ST0 + i);
    }
    for (int i = 0; i < 8; i++) {
        reg(&o, fpc_names[i], 32, "int", "float", REG_FCTRL + i);
    }
    o += sprintf(o, "</feature>\n<feature name=\"org.gnu.gdb.i386.sse\">\n"
                    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
                    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
                    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
                    "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
                    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
                    "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
                    "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
                    "<field name=\"v2_double\" type=\"v2d\"/>"
                    "<field name=\"v16_int8\" type=\"v16i8\"/>"
                    "<field name=\"v8_int16\" type=\"v8i16\"/>"
                    "<field name=\"v4_int32\" type=\"v4i32\"/>"
                    "<field name=\"v2_int64\" type=\"v2i64\"/>"
                    "<field name=\"uint128\" type=\"uint128\"/></union>\n");
    for (int i = 0; i < 16; i++) {
        char nm[16];
        snprintf(nm, sizeof(nm), "xmm%d", i);
        reg(&o, nm, 128, "vec128", "vector", REG_XMM0 + i);
    }
    reg(&o, "mxcsr", 32, "int", "vector", REG_MXCSR);
    o += sprintf(o, "</feature>\n<feature name=\"org.gnu.gdb.i386.segments\">\n");
    reg(&o, "fs_base", 64, "int", NULL, REG_FS_BASE);
    reg(&o, "gs_base", 64, "int", NULL, REG_GS_BASE);
    o += sprintf(o, "</feature>\n<feature name=\"org.coremu.i386.sys\">\n");
    for (int i = 0; i < 6; i++) {
        reg(&o, sys_names[i], 64, "int64", "system", REG_CR0 + i);
    }
    sprintf(o, "</feature>\n</target>\n");
}

__attribute__((constructor)) static void x86_gdb_register(void)
{
    build_xml();
    x86_gdb_arch.xml = xml ? xml : "";
    gdbstub_register_arch(&x86_gdb_arch);
}
