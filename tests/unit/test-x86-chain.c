/*
 * test-x86-chain.c — direct jumps and calls into another page (translate.c,
 * gen_goto_tb_guarded): they are chained, and the chain is used only while
 * the target page still maps to the physical page it mapped to when the jump
 * was translated. The guest runs with 4-level paging; between runs the test
 * points the callee's virtual page at another physical page (another body)
 * and flushes the TLB, as a guest does with a PTE write and a CR3 reload, but
 * without touching any code page, so no translation is invalidated: only the
 * guard can notice. On both backends.
 *
 * Guest at VA 0x400000 (GNU as, .code64):
 *       mov $100, %ecx
 *       xor %ebx, %ebx
 *   1:  call 0x401000        ( the callee's page )
 *       add %eax, %ebx
 *       dec %ecx
 *       jnz 1b
 *       jmp 0x402000         ( a direct jump into a third page: hlt there )
 * Callee bodies: physical 0x21000 `mov $1,%eax; ret`, 0x23000 `mov $2,%eax; ret`.
 */
#include <stdio.h>
#include <string.h>

#include "exec/cputlb.h"
#include "exec/memory.h"
#include "exec/tb-cache.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "target/i386/cpu.h"

extern const TCGBackend tcg_backend_x86_64 __attribute__((weak));

#define P 1ull
#define RW 2ull

static const uint8_t caller[] = {
    0xb9, 0x64, 0x00, 0x00, 0x00,       /* mov $100, %ecx */
    0x31, 0xdb,                         /* xor %ebx, %ebx */
    0xe8, 0xf4, 0x0f, 0x00, 0x00,       /* call 0x401000 */
    0x01, 0xc3,                         /* add %eax, %ebx */
    0xff, 0xc9,                         /* dec %ecx */
    0x75, 0xf5,                         /* jnz -11 (the call) */
    0xe9, 0xe9, 0x1f, 0x00, 0x00,       /* jmp 0x402000 */
};
static const uint8_t body1[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3};
static const uint8_t body2[] = {0xb8, 0x02, 0x00, 0x00, 0x00, 0xc3};

static int failures;
static CPUState *keep_cpu[2];
static AddressSpace *keep_as[2];

static void put64(AddressSpace *as, uint64_t addr, uint64_t v)
{
    memory_rw(as, addr, &v, 8, true);
}

static int run(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    cs->halted = 0;
    env->rip = 0x400000;
    int ret = -1;
    for (int guard = 0; guard < 10000 && ret != EXCP_HLT; guard++) {
        ret = cpu_exec(cs);
    }
    return ret;
}

static void check(const char *be, const char *what, bool ok, uint64_t got, uint64_t want)
{
    printf("%s %s: %s", ok ? "PASS" : "FAIL", be, what);
    if (!ok) {
        printf(": got %#llx want %#llx", (unsigned long long)got, (unsigned long long)want);
        failures++;
    }
    printf("\n");
}

static void run_on(int k, const char *name, const TCGBackend *be)
{
    AddressSpace *as = address_space_new("x86-chain");
    memory_map_ram(as, "ram", 0, 1u << 20);
    static Machine m[2];
    m[k].as = as;
    m[k].ncpus = 1;
    CPUState *cs = cpu_create(&m[k], &x86_cpu_class, 0, "qemu64");
    keep_cpu[k] = cs;
    keep_as[k] = as;
    tb_cache_new(cs, be, 16u << 20);

    /* PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000 (VA 0..2 MiB);
     * PD[2] -> PT 0x5000 (VA 0x400000..): caller 0x20000, callee 0x21000, hlt 0x22000 */
    put64(as, 0x1000, 0x2000 | P | RW);
    put64(as, 0x2000, 0x3000 | P | RW);
    put64(as, 0x3000, 0x4000 | P | RW);
    put64(as, 0x3000 + 8 * 2, 0x5000 | P | RW);
    for (uint64_t i = 0x10; i < 0x80; i++) { /* VA 0x10000..0x80000: stack, identity */
        put64(as, 0x4000 + 8 * i, (i << 12) | P | RW);
    }
    put64(as, 0x5000 + 8 * 0, 0x20000 | P | RW);
    put64(as, 0x5000 + 8 * 1, 0x21000 | P | RW);
    put64(as, 0x5000 + 8 * 2, 0x22000 | P | RW);
    memory_rw(as, 0x20000, (void *)caller, sizeof(caller), true);
    memory_rw(as, 0x21000, (void *)body1, sizeof(body1), true);
    memory_rw(as, 0x23000, (void *)body2, sizeof(body2), true);
    uint8_t hlt = 0xf4;
    memory_rw(as, 0x22000, &hlt, 1, true);

    CPUX86State *env = cpu_env(cs);
    env->cr[0] = CR0_PE | CR0_PG | CR0_ET | CR0_NE;
    env->cr[4] = CR4_PAE | CR4_OSFXSR;
    env->cr[3] = 0x1000;
    env->efer = EFER_LME | EFER_LMA;
    x86_cpu_load_seg_cache(env, R_CS, 0x10, 0, 0xffffffff,
                           DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                               DESC_W_MASK | DESC_A_MASK | DESC_L_MASK);
    x86_cpu_load_seg_cache(env, R_SS, 0x18, 0, 0xffffffff,
                           DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                               DESC_W_MASK | DESC_A_MASK);
    x86_update_hflags(env);
    env->regs[R_ESP] = 0x70000;

    int ret = run(cs);
    check(name, "100 calls into another page", ret == EXCP_HLT && env->regs[R_EBX] == 100,
          env->regs[R_EBX], 100);
    check(name, "the direct jump into a third page reached its hlt",
          ret == EXCP_HLT && env->rip == 0x402001, env->rip, 0x402001);

    /* the callee's virtual page now maps another physical page (no code written) */
    put64(as, 0x5000 + 8 * 1, 0x23000 | P | RW);
    tlb_flush(cs);
    ret = run(cs);
    check(name, "after the remap, the chained call reaches the new page",
          ret == EXCP_HLT && env->regs[R_EBX] == 200, env->regs[R_EBX], 200);

    /* and back: the first translation of the callee is still in the cache */
    put64(as, 0x5000 + 8 * 1, 0x21000 | P | RW);
    tlb_flush(cs);
    ret = run(cs);
    check(name, "mapped back to the first page: its old translation again",
          ret == EXCP_HLT && env->regs[R_EBX] == 100, env->regs[R_EBX], 100);

    /* a remap without a TLB flush is not seen (the TLB still holds the old entry) */
    put64(as, 0x5000 + 8 * 1, 0x23000 | P | RW);
    ret = run(cs);
    check(name, "a remap without a flush keeps the TLB's mapping (as the hardware does)",
          ret == EXCP_HLT && env->regs[R_EBX] == 100, env->regs[R_EBX], 100);
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
