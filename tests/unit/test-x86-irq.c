/*
 * test-x86-irq.c — external interrupts and single-step, from the board's
 * side of cpu-hooks.h: the guest executes STI; HLT; cpu_exec returns
 * EXCP_HLT; has_work() stays false until the "APIC" raises
 * CPU_INTERRUPT_HARD; the next cpu_exec delivers the vector the
 * get_interrupt hook returns through the 64-bit IDT (the handler reports
 * and IRETQs back after the HLT). Then the guest sets EFLAGS.TF with POPF:
 * a #DB trap follows each instruction after the POPF, with the return rip
 * of the NEXT instruction, until the handler clears TF in the saved RFLAGS;
 * DR6.BS is set. Flat 64-bit test mode (long mode, paging off), both
 * backends. Guest (GNU as, ld -Ttext=0x10000000, objcopy -O binary):
 *
 *       .text
 *       .code64
 *       .globl _start
 *   _start:
 *   hdr:
 *       .quad entry, h_irq, h_db
 *   entry:
 *       lidt 0x7010
 *       mov $0x90000, %rsp
 *       sti
 *       hlt
 *       mov $0x11, %al
 *       out %al, $0x80
 *       cli
 *       pushfq
 *       orq $0x100, (%rsp)
 *       popfq
 *       nop
 *       mov $0x22, %al
 *       nop
 *       mov $0x33, %al
 *       out %al, $0x80
 *       hlt
 *   h_irq:
 *       mov $0x20, %al
 *       out %al, $0x80
 *       iretq
 *   h_db:
 *       push %rax
 *       mov 8(%rsp), %rax
 *       out %eax, $0x84
 *       incl count(%rip)
 *       cmpl $3, count(%rip)
 *       jne 1f
 *       andq $~0x100, 24(%rsp)
 *   1:
 *       pop %rax
 *       iretq
 *       .balign 8
 *   count:
 *       .long 0
 */
#include <stdio.h>
#include <string.h>

#include "exec/memory.h"
#include "exec/tb-cache.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "target/i386/cpu.h"
#include "util/log.h"
#include <stdlib.h>

extern const TCGBackend tcg_backend_x86_64 __attribute__((weak));

static const uint8_t guest[] = {
    0x18, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x41, 0x00, 0x00, 0x10,
    0x00, 0x00, 0x00, 0x00, 0x47, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,
    0x0f, 0x01, 0x1c, 0x25, 0x10, 0x70, 0x00, 0x00, 0x48, 0xc7, 0xc4, 0x00,
    0x00, 0x09, 0x00, 0xfb, 0xf4, 0xb0, 0x11, 0xe6, 0x80, 0xfa, 0x9c, 0x48,
    0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9d, 0x90, 0xb0, 0x22, 0x90,
    0xb0, 0x33, 0xe6, 0x80, 0xf4, 0xb0, 0x20, 0xe6, 0x80, 0x48, 0xcf, 0x50,
    0x48, 0x8b, 0x44, 0x24, 0x08, 0xe7, 0x84, 0xff, 0x05, 0x1b, 0x00, 0x00,
    0x00, 0x83, 0x3d, 0x14, 0x00, 0x00, 0x00, 0x03, 0x75, 0x09, 0x48, 0x81,
    0x64, 0x24, 0x18, 0xff, 0xfe, 0xff, 0xff, 0x58, 0x48, 0xcf, 0x66, 0x0f,
    0x1f, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};

#define BASE 0x10000000ull

static int failures;
static CPUState *keep_cpu[2];
static AddressSpace *keep_as[2];

typedef struct Board {
    int n;
    uint16_t port[16];
    uint64_t val[16];
    int pending_vector; /* -1: none */
    int acks;
} Board;

static void port_out(void *opaque, uint16_t port, uint64_t val, unsigned size)
{
    Board *b = opaque;
    if (b->n < 16) {
        b->port[b->n] = port;
        b->val[b->n++] = val;
    }
}

static uint64_t port_in(void *opaque, uint16_t port, unsigned size)
{
    return 0;
}

static int get_interrupt(void *opaque, CPUState *cs)
{
    Board *b = opaque;
    int v = b->pending_vector;
    if (v >= 0) {
        b->acks++;
    }
    b->pending_vector = -1;
    return v;
}

static void check(const char *name, const char *what, bool ok)
{
    printf("%s %s: %s\n", ok ? "PASS" : "FAIL", name, what);
    if (!ok) {
        failures++;
    }
}

static uint64_t label(int i)
{
    uint64_t v;
    memcpy(&v, guest + 8 * i, 8);
    return v;
}

static void put64(AddressSpace *as, uint64_t addr, uint64_t v)
{
    memory_rw(as, addr, &v, 8, true);
}

static void run_on(int k, const char *name, const TCGBackend *be)
{
    AddressSpace *as = address_space_new("x86-irq");
    memory_map_ram(as, "low", 0, 1u << 20);
    memory_map_ram(as, "ram", BASE, 1u << 20);
    static Machine m[2];
    m[k].as = as;
    m[k].ncpus = 1;
    CPUState *cs = cpu_create(&m[k], &x86_cpu_class, 0, "qemu64");
    m[k].cpus[0] = cs;
    keep_cpu[k] = cs;
    keep_as[k] = as;
    tb_cache_new(cs, be, 16u << 20);
    memory_rw(as, BASE, (void *)guest, sizeof(guest), true);
    static Board board[2];
    Board *b = &board[k];
    b->pending_vector = -1;
    X86PortIO io = {.in = port_in, .out = port_out, .opaque = b};
    x86_cpu_set_port_io(cs, &io);
    X86ApicHooks apic = {.get_interrupt = get_interrupt, .opaque = b};
    x86_cpu_set_apic_hooks(cs, &apic);

    /* GDT: 0x10 = 64-bit code, 0x18 = data; IDT at 0x4000 (vector 1: #DB, 0x20: the timer) */
    put64(as, 0x7100 + 0x10, 0x00af9a000000ffffull);
    put64(as, 0x7100 + 0x18, 0x00cf92000000ffffull); /* data: IRETQ reloads SS */
    uint16_t ilim = 4095;
    uint64_t ibase = 0x4000;
    memory_rw(as, 0x7010, &ilim, 2, true);
    memory_rw(as, 0x7012, &ibase, 8, true);
    struct { int vec; uint64_t off; } gates[] = {{0x20, label(1)}, {1, label(2)}};
    for (int i = 0; i < 2; i++) {
        uint64_t off = gates[i].off;
        put64(as, 0x4000 + 16 * (uint64_t)gates[i].vec,
              (off & 0xffff) | (0x10ull << 16) | (0x8eull << 40) | ((off >> 16) & 0xffff) << 48);
        put64(as, 0x4000 + 16 * (uint64_t)gates[i].vec + 8, off >> 32);
    }

    CPUX86State *env = cpu_env(cs);
    env->cr[0] = CR0_PE | CR0_ET | CR0_NE;
    env->cr[4] = CR4_PAE | CR4_OSFXSR;
    env->efer = EFER_LME | EFER_LMA;
    env->gdt.base = 0x7100;
    env->gdt.limit = 0xff;
    x86_cpu_load_seg_cache(env, R_CS, 0x10, 0, 0xffffffff,
                           DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                               DESC_W_MASK | DESC_A_MASK | DESC_L_MASK);
    x86_cpu_load_seg_cache(env, R_SS, 0x18, 0, 0xffffffff,
                           DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                               DESC_W_MASK | DESC_A_MASK);
    env->rip = label(0);

    int ret = cpu_exec(cs);
    check(name, "STI; HLT returns EXCP_HLT", ret == EXCP_HLT && cs->halted);
    check(name, "no work while no interrupt is pending", !cs->cc->has_work(cs));
    b->pending_vector = 0x20;
    cpu_interrupt(cs, CPU_INTERRUPT_HARD);
    check(name, "a pending interrupt with IF=1 is work", cs->cc->has_work(cs));
    cs->halted = 0;
    ret = -1;
    for (int guard = 0; guard < 50 && ret != EXCP_HLT; guard++) {
        ret = cpu_exec(cs);
    }
    check(name, "ran to the final HLT", ret == EXCP_HLT);
    check(name, "the vector was taken once (INTA)", b->acks == 1);
    static const struct { uint16_t port; uint64_t val; const char *what; } want[] = {
        {0x80, 0x20, "vector 0x20 delivered through the IDT"},
        {0x80, 0x11, "IRETQ resumed after the HLT"},
        {0x84, 0x39, "#DB after the first instruction with TF set (return rip)"},
        {0x84, 0x3b, "#DB after the second"},
        {0x84, 0x3c, "#DB after the third (handler clears TF)"},
        {0x80, 0x33, "execution continues without traps"},
    };
    for (int i = 0; i < 6; i++) {
        uint64_t v = want[i].val | (want[i].port == 0x84 ? (uint32_t)BASE : 0);
        bool ok = i < b->n && b->port[i] == want[i].port && (b->val[i] & 0xffffffff) == v;
        if (!ok) {
            printf("  log[%d]: port %#x val %#llx (want %#x %#llx)\n", i, i < b->n ? b->port[i] : 0,
                   i < b->n ? (unsigned long long)b->val[i] : 0ull, want[i].port,
                   (unsigned long long)v);
        }
        check(name, want[i].what, ok);
    }
    check(name, "DR6.BS set by the single-step trap", (env->dr[6] >> 14) & 1);
    check(name, "TF clear at the end", !(env->eflags & TF_MASK));
}

/* an application processor: waits for SIPI after reset and after INIT */
static void test_sipi(void)
{
    static Machine mm;
    AddressSpace *as = address_space_new("x86-sipi");
    memory_map_ram(as, "low", 0, 1u << 20);
    mm.as = as;
    mm.ncpus = 2;
    CPUState *ap = cpu_create(&mm, &x86_cpu_class, 1, "qemu64");
    mm.cpus[1] = ap;
    static CPUState *keep_ap;
    static AddressSpace *keep_ap_as;
    keep_ap = ap; /* reachable for LeakSanitizer */
    keep_ap_as = as;
    (void)keep_ap;
    (void)keep_ap_as;
    tb_cache_new(ap, &tcg_backend_interp, 8u << 20);
    static Board b = {.pending_vector = 0x30};
    X86PortIO io = {.in = port_in, .out = port_out, .opaque = &b};
    x86_cpu_set_port_io(ap, &io);
    X86ApicHooks apic = {.get_interrupt = get_interrupt, .opaque = &b};
    x86_cpu_set_apic_hooks(ap, &apic);
    /* real-mode code at 0x8000: mov $0x42, %al; out %al, $0x80; hlt */
    static const uint8_t tramp[] = {0xb0, 0x42, 0xe6, 0x80, 0xf4};
    memory_rw(as, 0x8000, (void *)tramp, sizeof(tramp), true);

    check("ap", "an AP is halted after reset", ap->halted);
    cpu_interrupt(ap, CPU_INTERRUPT_HARD);
    check("ap", "an AP waiting for SIPI ignores interrupts", !ap->cc->has_work(ap));
    cpu_reset_interrupt(ap, CPU_INTERRUPT_HARD);
    x86_cpu_set_sipi_vector(ap, 0x08);
    cpu_interrupt(ap, CPU_INTERRUPT_SIPI);
    check("ap", "SIPI is work", ap->cc->has_work(ap));
    ap->halted = 0;
    int ret = cpu_exec(ap);
    check("ap", "SIPI starts real mode at vector << 12", ret == EXCP_HLT && b.n == 1 &&
              b.port[0] == 0x80 && b.val[0] == 0x42 && cpu_env(ap)->segs[R_CS].selector == 0x800);
    cpu_interrupt(ap, CPU_INTERRUPT_INIT);
    ap->halted = 0;
    ret = cpu_exec(ap);
    check("ap", "INIT puts the AP back into wait-for-SIPI", ret == EXCP_HALTED &&
              cpu_env(ap)->wait_for_sipi && !ap->cc->has_work(ap));

    /*
     * A real-mode start-up routine in the style of Linux's trampoline, at
     * vector 0x99 (CS = 0x9900): segment loads from CS, a 16-bit stack, near
     * CALL/RET, PUSHFL/POPL with 66 prefixes, PUSH imm16, LODSW (as --32,
     * .code16):
     *   cli; mov %cs,%ax; mov %ax,%ds; mov %ax,%ss; mov $0x1000,%sp; call sub
     *   pushfl; popl %eax; outl %eax,$0x80; push $0x55aa; pop %cx; mov %cx,%ax
     *   out %ax,$0x84; lea data,%si; lodsw; out %ax,$0x86; hlt
     *   sub: movw $0x1234,data; mov data,%bx; mov %bx,%ax; out %ax,$0x82; ret
     *   data: .word 0
     */
    static const uint8_t rm[] = {
        0xfa, 0x8c, 0xc8, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x10, 0xe8, 0x17, 0x00, 0x66,
        0x9c, 0x66, 0x58, 0x66, 0xe7, 0x80, 0x68, 0xaa, 0x55, 0x59, 0x89, 0xc8, 0xe7, 0x84,
        0x8d, 0x36, 0x33, 0x00, 0xad, 0xe7, 0x86, 0xf4, 0xc7, 0x06, 0x33, 0x00, 0x34, 0x12,
        0x8b, 0x1e, 0x33, 0x00, 0x89, 0xd8, 0xe7, 0x82, 0xc3, 0x00, 0x00,
    };
    memory_rw(as, 0x99000, (void *)rm, sizeof(rm), true);
    x86_cpu_set_sipi_vector(ap, 0x99);
    cpu_interrupt(ap, CPU_INTERRUPT_SIPI);
    ap->halted = 0;
    ret = cpu_exec(ap);
    uint16_t data = 0;
    memory_rw(as, 0x99033, &data, 2, false);
    check("ap", "real-mode routine ran to HLT", ret == EXCP_HLT && b.n == 5);
    check("ap", "near CALL/RET and DS-relative stores (segment 0x9900)",
          b.port[1] == 0x82 && b.val[1] == 0x1234 && data == 0x1234);
    check("ap", "PUSHFL/POPL in 16-bit code (IF clear)", b.port[2] == 0x80 && b.val[2] == 2);
    check("ap", "PUSH imm16 / POP", b.port[3] == 0x84 && b.val[3] == 0x55aa);
    check("ap", "LEA + LODSW through DS", b.port[4] == 0x86 && b.val[4] == 0x1234);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (getenv("X86_IRQ_LOG")) {
        log_mask = LOG_INT | LOG_EXEC | LOG_CPU;
    }
    run_on(0, "interp", &tcg_backend_interp);
    if (&tcg_backend_x86_64) {
        run_on(1, "jit", &tcg_backend_x86_64);
    } else {
        printf("SKIP jit: backend not linked\n");
    }
    test_sipi();
    return failures ? 1 : 0;
}
