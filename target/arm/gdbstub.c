/*
 * gdbstub.c — the AArch64 register file and address translation for the
 * gdb stub (system/gdbstub.c).
 *
 * Register numbers (the 'g' packet order, and regnum in target.xml):
 *   0..30 x0..x30, 31 sp, 32 pc (8 bytes each), 33 cpsr (4),
 *   34..65 v0..v31 (16), 66 fpsr (4), 67 fpcr (4),
 *   68..81 EL1 system registers (8, read-only: org.coremu.aarch64.sys).
 * These are the features gdb's aarch64 target requires by name
 * (org.gnu.gdb.aarch64.core and .fpu; GDB manual, "AArch64 Features").
 * cpsr is PSTATE in SPSR layout (NZCV included); sp is the stack pointer of
 * the current regime. Memory is read through the EL1&0 stage-1 regime with
 * EL1 rights (a debugger also sees kernel memory while the core is at EL0),
 * without the fault or TLB side effects of a real access.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "system/gdbstub.h"
#include "target/arm/cpu.h"

static const char arm_target_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>aarch64</architecture>\n"
    "<feature name=\"org.gnu.gdb.aarch64.core\">\n"
    "<flags id=\"cpsr_flags\" size=\"4\">\n"
    "<field name=\"SP\" start=\"0\" end=\"0\"/>\n"
    "<field name=\"EL\" start=\"2\" end=\"3\"/>\n"
    "<field name=\"F\" start=\"6\" end=\"6\"/>\n"
    "<field name=\"I\" start=\"7\" end=\"7\"/>\n"
    "<field name=\"A\" start=\"8\" end=\"8\"/>\n"
    "<field name=\"D\" start=\"9\" end=\"9\"/>\n"
    "<field name=\"IL\" start=\"20\" end=\"20\"/>\n"
    "<field name=\"SS\" start=\"21\" end=\"21\"/>\n"
    "<field name=\"PAN\" start=\"22\" end=\"22\"/>\n"
    "<field name=\"V\" start=\"28\" end=\"28\"/>\n"
    "<field name=\"C\" start=\"29\" end=\"29\"/>\n"
    "<field name=\"Z\" start=\"30\" end=\"30\"/>\n"
    "<field name=\"N\" start=\"31\" end=\"31\"/>\n"
    "</flags>\n"
    "XREGS"
    "<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\" regnum=\"31\"/>\n"
    "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n"
    "<reg name=\"cpsr\" bitsize=\"32\" type=\"cpsr_flags\" regnum=\"33\"/>\n"
    "</feature>\n"
    "<feature name=\"org.gnu.gdb.aarch64.fpu\">\n"
    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
    "<vector id=\"v2u\" type=\"uint64\" count=\"2\"/>\n"
    "<vector id=\"v2i\" type=\"int64\" count=\"2\"/>\n"
    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
    "<vector id=\"v4u\" type=\"uint32\" count=\"4\"/>\n"
    "<vector id=\"v4i\" type=\"int32\" count=\"4\"/>\n"
    "<vector id=\"v8u\" type=\"uint16\" count=\"8\"/>\n"
    "<vector id=\"v8i\" type=\"int16\" count=\"8\"/>\n"
    "<vector id=\"v16u\" type=\"uint8\" count=\"16\"/>\n"
    "<vector id=\"v16i\" type=\"int8\" count=\"16\"/>\n"
    "<vector id=\"v1u\" type=\"uint128\" count=\"1\"/>\n"
    "<vector id=\"v1i\" type=\"int128\" count=\"1\"/>\n"
    "<union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/>"
    "<field name=\"s\" type=\"v2i\"/></union>\n"
    "<union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/>"
    "<field name=\"s\" type=\"v4i\"/></union>\n"
    "<union id=\"vnh\"><field name=\"u\" type=\"v8u\"/><field name=\"s\" type=\"v8i\"/></union>\n"
    "<union id=\"vnb\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/></union>\n"
    "<union id=\"vnq\"><field name=\"u\" type=\"v1u\"/><field name=\"s\" type=\"v1i\"/></union>\n"
    "<union id=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/>"
    "<field name=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/>"
    "<field name=\"q\" type=\"vnq\"/></union>\n"
    "VREGS"
    "<reg name=\"fpsr\" bitsize=\"32\" regnum=\"66\"/>\n"
    "<reg name=\"fpcr\" bitsize=\"32\" regnum=\"67\"/>\n"
    "</feature>\n"
    "<feature name=\"org.coremu.aarch64.sys\">\n"
    "SYSREGS"
    "</feature>\n"
    "</target>\n";

static char *xml;

enum {
    REG_SP = 31, REG_PC = 32, REG_CPSR = 33, REG_V0 = 34, REG_FPSR = 66, REG_FPCR = 67,
    REG_SYS0 = 68, NUM_REGS = 68 + 14,
};

/* EL1 system registers, read-only (gdb sees them in `info registers system`) */
static const char *const sys_names[14] = {
    "sctlr_el1", "tcr_el1", "ttbr0_el1", "ttbr1_el1", "mair_el1", "vbar_el1", "esr_el1",
    "far_el1", "elr_el1", "spsr_el1", "sp_el0", "sp_el1", "tpidr_el1", "cpacr_el1",
};

static uint64_t sys_read(CPUARMState *env, int k)
{
    /* the banked SP the current regime uses is live in env->sp */
    int active = (arm_current_el(env) == 0 || !(env->pstate & PSTATE_SP)) ? 0 : 1;
    switch (k) {
    case 0: return env->sctlr_el1;
    case 1: return env->tcr_el1;
    case 2: return env->ttbr0_el1;
    case 3: return env->ttbr1_el1;
    case 4: return env->mair_el1;
    case 5: return env->vbar_el1;
    case 6: return env->esr_el1;
    case 7: return env->far_el1;
    case 8: return env->elr_el1;
    case 9: return env->spsr_el1;
    case 10: return active == 0 ? env->sp : env->sp_el[0];
    case 11: return active == 1 ? env->sp : env->sp_el[1];
    case 12: return env->tpidr_el1;
    default: return env->cpacr_el1;
    }
}

static int arm_gdb_read_reg(CPUState *cs, int n, uint8_t *buf)
{
    CPUARMState *env = cpu_env(cs);
    uint64_t v64;
    uint32_t v32;
    if (n < 31) {
        v64 = env->x[n];
    } else if (n == REG_SP) {
        v64 = env->sp;
    } else if (n == REG_PC) {
        v64 = env->pc;
    } else if (n == REG_CPSR) {
        v32 = pstate_read(env);
        memcpy(buf, &v32, 4);
        return 4;
    } else if (n >= REG_V0 && n < REG_V0 + 32) {
        memcpy(buf, env->v[n - REG_V0], 16);
        return 16;
    } else if (n == REG_FPSR || n == REG_FPCR) {
        v32 = n == REG_FPSR ? env->fpsr : env->fpcr;
        memcpy(buf, &v32, 4);
        return 4;
    } else if (n >= REG_SYS0 && n < NUM_REGS) {
        v64 = sys_read(env, n - REG_SYS0);
    } else {
        return 0;
    }
    memcpy(buf, &v64, 8);
    return 8;
}

static int arm_gdb_write_reg(CPUState *cs, int n, const uint8_t *buf)
{
    CPUARMState *env = cpu_env(cs);
    uint64_t v64 = 0;
    uint32_t v32 = 0;
    if (n <= REG_PC) {
        memcpy(&v64, buf, 8);
        if (n < 31) {
            env->x[n] = v64;
        } else if (n == REG_SP) {
            env->sp = v64;
        } else {
            env->pc = v64;
        }
        return 8;
    }
    if (n >= REG_V0 && n < REG_V0 + 32) {
        memcpy(env->v[n - REG_V0], buf, 16);
        return 16;
    }
    if (n >= REG_SYS0 && n < NUM_REGS) {
        return 8; /* read-only: a 'G' packet carries them back unchanged */
    }
    memcpy(&v32, buf, 4);
    if (n == REG_CPSR) {
        pstate_write(env, v32); /* switches the SP bank, rebuilds hflags */
    } else if (n == REG_FPSR) {
        env->fpsr = v32;
    } else if (n == REG_FPCR) {
        env->fpcr = v32;
    } else {
        return 0;
    }
    return 4;
}

static bool arm_gdb_virt_to_phys(CPUState *cs, uint64_t va, uint64_t *pa)
{
    CPUARMState *env = cpu_env(cs);
    ARMTranslation t;
    ARMMMUFault f;
    if (!arm_get_phys_addr(env, va, MMU_DATA_LOAD, ARM_MMU_EL1, &t, &f) &&
        !arm_get_phys_addr(env, va, MMU_DATA_LOAD, ARM_MMU_EL0, &t, &f)) {
        return false;
    }
    *pa = (t.pa & TARGET_PAGE_MASK) | (va & ~TARGET_PAGE_MASK);
    return true;
}

static uint64_t arm_gdb_get_pc(CPUState *cs)
{
    return cpu_env(cs)->pc;
}

static void arm_gdb_set_pc(CPUState *cs, uint64_t pc)
{
    cpu_env(cs)->pc = pc;
}

static GdbArch arm_gdb_arch = {
    .arch = "aarch64",
    .num_regs = NUM_REGS,
    .read_reg = arm_gdb_read_reg,
    .write_reg = arm_gdb_write_reg,
    .virt_to_phys = arm_gdb_virt_to_phys,
    .get_pc = arm_gdb_get_pc,
    .set_pc = arm_gdb_set_pc,
};

/* expand the XREGS / VREGS placeholders into the numbered register lists */
static void build_xml(void)
{
    size_t cap = sizeof(arm_target_xml) + 31 * 80 + 32 * 80 + 14 * 100;
    xml = malloc(cap);
    if (!xml) {
        return;
    }
    char *o = xml;
    const char *p = arm_target_xml;
    while (*p) {
        if (strncmp(p, "XREGS", 5) == 0) {
            for (int i = 0; i < 31; i++) {
                o += sprintf(o, "<reg name=\"x%d\" bitsize=\"64\" type=\"int\" regnum=\"%d\"/>\n",
                             i, i);
            }
            p += 5;
        } else if (strncmp(p, "SYSREGS", 7) == 0) {
            for (int i = 0; i < 14; i++) {
                o += sprintf(o, "<reg name=\"%s\" bitsize=\"64\" type=\"uint64\" group=\"system\" "
                                "regnum=\"%d\"/>\n",
                             sys_names[i], REG_SYS0 + i);
            }
            p += 7;
        } else if (strncmp(p, "VREGS", 5) == 0) {
            for (int i = 0; i < 32; i++) {
                o += sprintf(o, "<reg name=\"v%d\" bitsize=\"128\" type=\"aarch64v\" regnum=\"%d\"/>\n",
                             i, REG_V0 + i);
            }
            p += 5;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
}

__attribute__((constructor)) static void arm_gdb_register(void)
{
    build_xml();
    arm_gdb_arch.xml = xml ? xml : "";
    gdbstub_register_arch(&arm_gdb_arch);
}
