/*
 * smp_ipi.c — two cores at work together (-smp 2): the AP is started as in
 * smp.c and continues in C in long mode on its own stack with the shared
 * IDT; then
 *  - both cores increment one counter 100000 times with LOCK XADD and with
 *    LOCK CMPXCHG loops: the sum is exact (coremu turns LOCK into host
 *    atomics);
 *  - IPI ping-pong: the BSP sends fixed vector 0x50 to APIC ID 1, the AP's
 *    handler answers with vector 0x51 to APIC ID 0, 200 round trips, each
 *    handler with its EOI;
 *  - an NMI IPI to the AP while it halts with interrupts enabled, and a
 *    fixed IPI to it while it runs with IF = 0 (held until STI).
 */
#include "lib.h"

#define APIC 0xfee00000ul
#define TRAMP 0x9000u
#define FLAG 0x9f00u
#define GDTDESC 0x9f10u
#define CR3SAVE 0x9f20u
#define ENTRY 0x9f28u
#define STACK 0x9f30u
#define ROUNDS 200
#define ADDS 100000

extern char ap_tramp[], ap_tramp_end[];
#define T(l) "(" #l " - ap_tramp + 0x9000)"
asm(".text\n"
    ".code16\n"
    "ap_tramp:\n"
    "  cli\n"
    "  xor %ax, %ax\n  mov %ax, %ds\n"
    "  lgdtl 0x9f10\n"
    "  mov %cr0, %eax\n  or $1, %eax\n  mov %eax, %cr0\n"
    "  ljmpl $0x08, $" T(ap_pm) "\n"
    ".code32\n"
    "ap_pm:\n"
    "  mov $0x18, %ax\n  mov %ax, %ds\n  mov %ax, %es\n  mov %ax, %ss\n"
    "  mov %cr4, %eax\n  or $0x20, %eax\n  mov %eax, %cr4\n"
    "  mov 0x9f20, %eax\n  mov %eax, %cr3\n"
    "  mov $0xc0000080, %ecx\n  rdmsr\n  or $0x100, %eax\n  wrmsr\n"
    "  mov %cr0, %eax\n  or $0x80000000, %eax\n  mov %eax, %cr0\n"
    "  ljmp $0x10, $" T(ap_lm) "\n"
    ".code64\n"
    "ap_lm:\n"
    "  mov $0x9f30, %edx\n  mov (%rdx), %rsp\n"
    "  mov $0x9f28, %edx\n  mov (%rdx), %rax\n"
    "  jmp *%rax\n"
    "ap_tramp_end:\n");

static void apic_write(unsigned reg, uint32_t v)
{
    *(volatile uint32_t *)(APIC + reg) = v;
}
static void send_ipi(uint32_t dest, uint32_t icr)
{
    apic_write(0x310, dest << 24);
    apic_write(0x300, icr);
}

static struct {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed)) idt_desc;
static uint8_t ap_stack[16384] __attribute__((aligned(16)));
static volatile int ap_up, go, ap_done, ap_nmis, ap_fixed, ap_if_seen, ap_may_sti, ap_stop;
static volatile int ping_seen, pong_seen;
static volatile uint64_t counter;

static int hook_ping(struct frame *f) /* on the AP */
{
    ping_seen++;
    apic_write(0xb0, 0);
    send_ipi(0, 0x51);
    return 1;
}
static int hook_pong(struct frame *f) /* on the BSP */
{
    pong_seen++;
    apic_write(0xb0, 0);
    return 1;
}
static int hook_nmi(struct frame *f)
{
    ap_nmis++;
    return 1;
}
static int hook_held(struct frame *f)
{
    ap_fixed++;
    ap_if_seen = ap_may_sti;
    apic_write(0xb0, 0);
    return 1;
}

static void add_loop(void)
{
    for (int i = 0; i < ADDS; i++) {
        if (i & 1) {
            __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST); /* LOCK XADD / ADD */
        } else {
            uint64_t old = counter, nv;
            do {
                nv = old + 1;
            } while (!__atomic_compare_exchange_n(&counter, &old, nv, 0, __ATOMIC_SEQ_CST,
                                                  __ATOMIC_SEQ_CST)); /* LOCK CMPXCHG */
        }
    }
}

void ap_main(void)
{
    asm volatile("lidt %0" ::"m"(idt_desc));
    apic_write(0xf0, 0x1ff);
    ap_up = 1;
    while (!go) {
        asm volatile("pause");
    }
    add_loop();
    ap_done = 1;
    /* a fixed IPI sent now is held: IF = 0 until the BSP says so */
    while (!ap_may_sti) {
        asm volatile("pause");
    }
    asm volatile("sti");
    while (!ap_stop) {
        asm volatile("hlt");
    }
    asm volatile("cli");
    for (;;) {
        asm volatile("hlt");
    }
}

static int wait_for(volatile int *p, int want)
{
    for (long i = 0; i < 20000000; i++) {
        if (*p >= want) {
            return 1;
        }
        asm volatile("pause");
    }
    return 0;
}

int main(void)
{
    uint8_t *low = (uint8_t *)(ureg)TRAMP;
    for (int i = 0; i < ap_tramp_end - ap_tramp; i++) {
        low[i] = (uint8_t)ap_tramp[i];
    }
    asm volatile("sidt %0" : "=m"(idt_desc));
    *(volatile uint16_t *)(ureg)GDTDESC = 32 * 8 - 1;
    *(volatile uint32_t *)(ureg)(GDTDESC + 2) = (uint32_t)(ureg)gdt;
    *(volatile uint32_t *)(ureg)CR3SAVE = (uint32_t)READ_CR(3);
    *(volatile uint64_t *)(ureg)ENTRY = (ureg)ap_main;
    *(volatile uint64_t *)(ureg)STACK = (ureg)(ap_stack + sizeof(ap_stack));
    trap_hook[0x50] = hook_ping;
    trap_hook[0x51] = hook_pong;
    trap_hook[0x52] = hook_held;
    trap_hook[2] = hook_nmi;
    apic_write(0xf0, 0x1ff);

    send_ipi(1, 0x4500); /* INIT */
    for (volatile int i = 0; i < 100000; i++) {
    }
    send_ipi(1, 0x4600 | (TRAMP >> 12)); /* SIPI */
    pr("ap in C on its own stack: %d\n", wait_for(&ap_up, 1));

    go = 1;
    add_loop();
    pr("ap finished adding: %d\n", wait_for(&ap_done, 1));
    pr("counter %llu (expected %d)\n", (unsigned long long)counter, 2 * ADDS);

    /* a fixed IPI to the AP while its IF = 0: held until it executes STI */
    send_ipi(1, 0x52);
    for (volatile int i = 0; i < 200000; i++) {
    }
    int early = ap_fixed;
    ap_may_sti = 1;
    int taken = wait_for(&ap_fixed, 1);
    pr("fixed ipi with IF=0: taken early %d, after sti %d (handler saw the sti flag %d)\n",
       early, taken, ap_if_seen);

    /* ping-pong */
    asm volatile("sti");
    int ok = 1;
    for (int r = 0; r < ROUNDS && ok; r++) {
        send_ipi(1, 0x50);
        ok = wait_for(&pong_seen, r + 1);
    }
    asm volatile("cli");
    pr("ipi ping-pong: %d pings, %d pongs\n", ping_seen, pong_seen);

    /* NMI to the halted AP */
    send_ipi(1, 0x400);
    pr("nmi to the ap: %d\n", wait_for(&ap_nmis, 1));
    ap_stop = 1;
    send_ipi(1, 0x52); /* wake it from HLT to see ap_stop */
    return 0;
}
