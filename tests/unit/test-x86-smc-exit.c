/*
 * test-x86-smc-exit.c — the same-TB self-modifying-code check of
 * translate.c (gen_smc_check) with the store address in a register, after
 * N other stores in the same TB: each storing instruction gets an
 * out-of-line exit, emitted after the TB's end, and a TB ends once it holds
 * X86_SMC_EXITS of them. N runs across that limit. On both backends, in the
 * flat 64-bit test mode. Guest (N copies of the store to a scratch word):
 *
 *       lea target(%rip), %rdi
 *       lea 0x80000(%rip), %rsi    ( a scratch word in another page )
 *       mov %eax, (%rsi)           ( x N )
 *       movb $0x2a, 1(%rdi)        ( the immediate of the next instruction )
 *   target:
 *       mov $0x11, %eax
 *       hlt
 */
#include <stdio.h>
#include <string.h>

#include "exec/memory.h"
#include "exec/tb-cache.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "target/i386/cpu.h"
#include "target/i386/translate.h"

extern const TCGBackend tcg_backend_x86_64 __attribute__((weak));

#define BASE 0x10000000ull

static int failures;
static CPUState *keep_cpu[2]; /* reachable at exit (LeakSanitizer) */
static AddressSpace *keep_as[2];

static size_t build(uint8_t *p, int n)
{
    size_t k = 0;
    size_t target = 7 + 7 + 2 * (size_t)n + 4;
    uint32_t d = (uint32_t)(target - 7);
    p[k++] = 0x48, p[k++] = 0x8d, p[k++] = 0x3d; /* lea target(%rip), %rdi */
    memcpy(p + k, &d, 4), k += 4;
    p[k++] = 0x48, p[k++] = 0x8d, p[k++] = 0x35; /* lea 0x80000(%rip), %rsi */
    d = 0x80000;
    memcpy(p + k, &d, 4), k += 4;
    for (int i = 0; i < n; i++) {
        p[k++] = 0x89, p[k++] = 0x06; /* mov %eax, (%rsi) */
    }
    p[k++] = 0xc6, p[k++] = 0x47, p[k++] = 0x01, p[k++] = 0x2a; /* movb $0x2a, 1(%rdi) */
    p[k++] = 0xb8, p[k++] = 0x11, p[k++] = 0, p[k++] = 0, p[k++] = 0; /* mov $0x11, %eax */
    p[k++] = 0xf4;
    return k;
}

static void run_on(int which, const char *name, const TCGBackend *be)
{
    AddressSpace *as = address_space_new("x86-smc-exit");
    memory_map_ram(as, "ram", BASE, 1u << 20);
    static Machine machines[2];
    Machine *m = &machines[which];
    m->as = as;
    m->ncpus = 1;
    CPUState *cs = cpu_create(m, &x86_cpu_class, 0, "qemu64");
    keep_cpu[which] = cs;
    keep_as[which] = as;
    tb_cache_new(cs, be, 16u << 20);
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
    static const int counts[] = {0, 3, X86_SMC_EXITS - 2, X86_SMC_EXITS - 1, X86_SMC_EXITS,
                                 X86_SMC_EXITS + 1, 2 * X86_SMC_EXITS + 5};
    for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
        uint8_t code[512];
        uint64_t at = BASE + 0x1000 * (c + 1);
        size_t len = build(code, counts[c]);
        memory_rw(as, at, code, len, true);
        cs->halted = 0;
        env->rip = at;
        env->regs[R_EAX] = 0;
        int ret = -1;
        for (int guard = 0; guard < 100 && ret != EXCP_HLT; guard++) {
            ret = cpu_exec(cs);
        }
        bool ok = ret == EXCP_HLT && env->regs[R_EAX] == 0x2a;
        printf("%s %s: a register-addressed store into the next instruction after %d other "
               "stores",
               ok ? "PASS" : "FAIL", name, counts[c]);
        if (!ok) {
            printf(": eax %#llx", (unsigned long long)env->regs[R_EAX]);
            failures++;
        }
        printf("\n");
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    run_on(0, "interp", &tcg_backend_interp);
    if (&tcg_backend_x86_64) {
        run_on(1, "jit", &tcg_backend_x86_64);
    } else {
        printf("SKIP jit: backend not linked\n");
    }
    return failures ? 1 : 0;
}
