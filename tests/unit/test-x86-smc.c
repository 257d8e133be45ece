/*
 * test-x86-smc.c — self-modifying code on one core (SDM Vol.3 §11.6: a store
 * to an instruction that has not been fetched yet takes effect for that
 * instruction). Three cases, run in the flat 64-bit test mode on both
 * backends:
 *   - the store patches the immediate of the NEXT instruction, in the same TB;
 *   - a function already translated is patched and called again (another TB);
 *   - REP STOSB overwrites the instructions that follow it with NOPs.
 * Guest (GNU as, ld -Ttext=0x10000000, objcopy -O binary):
 *
 *       .text
 *       .code64
 *       .globl _start
 *   _start:
 *       ( same TB: patch the immediate of the very next instruction )
 *       movb $0x2a, target+1(%rip)
 *   target:
 *       mov $0x11, %eax
 *       ( another TB: call f, patch f, call f again )
 *       call f
 *       mov %eax, %ebx
 *       movb $0x3b, f+1(%rip)
 *       call f
 *       mov %eax, %esi
 *       ( a REP STOSB over upcoming code in the same TB: overwrite with NOPs )
 *       lea zap(%rip), %rdi
 *       mov $0x90, %al
 *       mov $5, %ecx
 *       rep stosb
 *   zap:
 *       mov $0x77, %edx
 *       hlt
 *   f:
 *       mov $0x11, %eax
 *       ret
 */
#include <stdio.h>
#include <string.h>

#include "exec/memory.h"
#include "exec/tb-cache.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "target/i386/cpu.h"

extern const TCGBackend tcg_backend_x86_64 __attribute__((weak));

static const uint8_t guest[] = {
    0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x2a, 0xb8, 0x11, 0x00, 0x00, 0x00,
    0xe8, 0x26, 0x00, 0x00, 0x00, 0x89, 0xc3, 0xc6, 0x05, 0x1e, 0x00, 0x00,
    0x00, 0x3b, 0xe8, 0x18, 0x00, 0x00, 0x00, 0x89, 0xc6, 0x48, 0x8d, 0x3d,
    0x09, 0x00, 0x00, 0x00, 0xb0, 0x90, 0xb9, 0x05, 0x00, 0x00, 0x00, 0xf3,
    0xaa, 0xba, 0x77, 0x00, 0x00, 0x00, 0xf4, 0xb8, 0x11, 0x00, 0x00, 0x00,
    0xc3
};

#define BASE 0x10000000ull

static int failures;
static CPUState *keep_cpu[2];
static AddressSpace *keep_as[2];

static void run_on(int k, const char *name, const TCGBackend *be)
{
    AddressSpace *as = address_space_new("x86-smc");
    memory_map_ram(as, "ram", BASE, 1u << 20);
    static Machine m[2];
    m[k].as = as;
    m[k].ncpus = 1;
    CPUState *cs = cpu_create(&m[k], &x86_cpu_class, 0, "max");
    keep_cpu[k] = cs;
    keep_as[k] = as;
    tb_cache_new(cs, be, 16u << 20);
    memory_rw(as, BASE, (void *)guest, sizeof(guest), true);

    CPUX86State *env = cpu_env(cs);
    env->cr[0] = CR0_PE | CR0_ET | CR0_NE;
    env->cr[4] = CR4_PAE | CR4_OSFXSR;
    env->efer = EFER_LME | EFER_LMA;
    x86_cpu_load_seg_cache(env, R_CS, 0x10, 0, 0xffffffff,
                           DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                               DESC_W_MASK | DESC_A_MASK | DESC_L_MASK);
    x86_cpu_load_seg_cache(env, R_SS, 0x18, 0, 0xffffffff,
                           DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                               DESC_W_MASK | DESC_A_MASK);
    env->regs[R_ESP] = BASE + 0x80000;
    env->regs[R_EDX] = 0;
    env->rip = BASE;
    int ret = -1;
    for (int guard = 0; guard < 100 && ret != EXCP_HLT; guard++) {
        ret = cpu_exec(cs);
    }
    struct { const char *what; int reg; uint64_t want; } checks[] = {
        {"store to the next instruction in the same TB", R_EAX, 0x3b},
        {"patched function, called again", R_ESI, 0x3b},
        {"the first call saw the original code", R_EBX, 0x11},
        {"REP STOSB over the following instructions", R_EDX, 0},
    };
    /* eax is overwritten by the later calls: check the same-TB case via the
     * first call's input: eax at `call f` time is not observable, so run the
     * first instruction pair alone below */
    for (size_t i = 1; i < sizeof(checks) / sizeof(checks[0]); i++) {
        bool ok = ret == EXCP_HLT && env->regs[checks[i].reg] == checks[i].want;
        printf("%s %s: %s", ok ? "PASS" : "FAIL", name, checks[i].what);
        if (!ok) {
            printf(": got %#llx want %#llx", (unsigned long long)env->regs[checks[i].reg],
                   (unsigned long long)checks[i].want);
            failures++;
        }
        printf("\n");
    }
    /* same-TB case: restore the original bytes, stop right after `target` */
    memory_rw(as, BASE, (void *)guest, sizeof(guest), true);
    tb_invalidate_phys_range(cs, BASE, sizeof(guest));
    uint8_t hlt = 0xf4;
    memory_rw(as, BASE + 12, &hlt, 1, true); /* replace `call f` by HLT */
    tb_invalidate_phys_range(cs, BASE, sizeof(guest));
    cs->halted = 0;
    env->rip = BASE;
    env->regs[R_EAX] = 0;
    ret = -1;
    for (int guard = 0; guard < 100 && ret != EXCP_HLT; guard++) {
        ret = cpu_exec(cs);
    }
    bool ok = ret == EXCP_HLT && env->regs[R_EAX] == 0x2a;
    printf("%s %s: %s", ok ? "PASS" : "FAIL", name, checks[0].what);
    if (!ok) {
        printf(": got %#llx want 0x2a", (unsigned long long)env->regs[R_EAX]);
        failures++;
    }
    printf("\n");

    /* "max" has RDTSCP: wrmsr TSC_AUX = 7; rdtscp; hlt (ECX = TSC_AUX) */
    static const uint8_t rdtscp[] = {0xb9, 0x03, 0x01, 0x00, 0xc0, 0xb8, 0x07, 0x00, 0x00,
                                     0x00, 0x31, 0xd2, 0x0f, 0x30, 0x0f, 0x01, 0xf9, 0xf4};
    memory_rw(as, BASE + 0x800, (void *)rdtscp, sizeof(rdtscp), true);
    cs->halted = 0;
    env->rip = BASE + 0x800;
    env->regs[R_EAX] = env->regs[R_EDX] = 0;
    ret = -1;
    for (int guard = 0; guard < 100 && ret != EXCP_HLT; guard++) {
        ret = cpu_exec(cs);
    }
    ok = ret == EXCP_HLT && env->regs[R_ECX] == 7 && (env->regs[R_EAX] | env->regs[R_EDX]);
    printf("%s %s: RDTSCP returns the TSC and TSC_AUX\n", ok ? "PASS" : "FAIL", name);
    failures += !ok;

    /* x87 and FXSAVE/FXRSTOR round trip:
     *   fldpi; mov $0x1234,%rax; movq %rax,%xmm3; fxsave 0x10001000; fninit;
     *   pxor %xmm3,%xmm3; fxrstor 0x10001000; fstpl 0x10001200; movq %xmm3,%rbx;
     *   fnstsw %ax; hlt */
    static const uint8_t fx[] = {
        0xd9, 0xeb, 0x48, 0xc7, 0xc0, 0x34, 0x12, 0x00, 0x00, 0x66, 0x48, 0x0f, 0x6e,
        0xd8, 0x0f, 0xae, 0x04, 0x25, 0x00, 0x10, 0x00, 0x10, 0xdb, 0xe3, 0x66, 0x0f,
        0xef, 0xdb, 0x0f, 0xae, 0x0c, 0x25, 0x00, 0x10, 0x00, 0x10, 0xdd, 0x1c, 0x25,
        0x00, 0x12, 0x00, 0x10, 0x66, 0x48, 0x0f, 0x7e, 0xdb, 0xdf, 0xe0, 0xf4,
    };
    memory_rw(as, BASE + 0x900, (void *)fx, sizeof(fx), true);
    cs->halted = 0;
    env->rip = BASE + 0x900;
    ret = -1;
    for (int guard = 0; guard < 100 && ret != EXCP_HLT; guard++) {
        ret = cpu_exec(cs);
    }
    double pi = 0;
    memory_rw(as, BASE + 0x1200, &pi, 8, false);
    ok = ret == EXCP_HLT && pi == 3.141592653589793 && env->regs[R_EBX] == 0x1234 &&
         (env->regs[R_EAX] & 0x3800) == 0; /* TOP back to 0 after FSTP */
    printf("%s %s: x87 FLDPI/FSTP and an FXSAVE/FXRSTOR round trip (x87 and XMM)\n",
           ok ? "PASS" : "FAIL", name);
    failures += !ok;
}

int main(void)
{
    run_on(0, "interp", &tcg_backend_interp);
    if (&tcg_backend_x86_64) {
        run_on(1, "jit", &tcg_backend_x86_64);
    } else {
        printf("SKIP jit: backend not linked\n");
    }
    return failures ? 1 : 0;
}
