/*
 * irq.c — interrupts, NMI and their ordering in long mode, through the
 * local APIC (xAPIC MMIO at 0xfee00000): a fixed self-IPI held while IF = 0
 * and taken after the instruction that follows STI (the STI shadow), STI;
 * HLT with a pending interrupt (wakes, returns after HLT), an NMI
 * self-IPI taken with IF = 0, NMI before a pending maskable interrupt when
 * both wait, EOI; NMI blocking until IRET (an NMI sent from the NMI
 * handler is taken after it returns, not nested); EFLAGS.TF single-step (#DB after the instruction that
 * follows POPF, DR6.BS) and a fault inside a single-stepped instruction
 * (the fault, not #DB).
 */
#include "lib.h"

#define APIC 0xfee00000ul
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310

static void apic_write(unsigned reg, uint32_t v)
{
    *(volatile uint32_t *)(APIC + reg) = v;
}

static volatile int order[8], norder;
static volatile ureg irq_ip;
static int hook_irq(struct frame *f)
{
    irq_ip = f->ip;
    order[norder++] = (int)f->vec;
    if (f->vec != 2) {
        apic_write(APIC_EOI, 0);
    }
    return 1;
}

/* NMI blocking: a second NMI sent from inside the NMI handler waits for its IRET */
static volatile int nmi_depth, nmi_max_depth, nmi_count, nmi_inner_sent;
static int hook_nmi_nested(struct frame *f)
{
    nmi_depth++;
    nmi_count++;
    if (nmi_depth > nmi_max_depth) {
        nmi_max_depth = nmi_depth;
    }
    if (!nmi_inner_sent) {
        nmi_inner_sent = 1;
        *(volatile uint32_t *)(0xfee00300ul) = 0x40000 | 0x400;
        for (volatile int i = 0; i < 20000; i++) {
        }
    }
    nmi_depth--;
    return 1;
}

extern char after_sti[], after_nop[], tf_after[], tf_ud[], after_hlt[], after_ss_nop[];
static int hook_db(struct frame *f)
{
    ureg dr6;
    asm volatile("mov %%dr6, %0" : "=r"(dr6));
    pr("#DB at %s, dr6.bs %d, tf in frame %d\n",
       f->ip == (ureg)tf_after ? "the instruction after the stepped one" : "?",
       (int)((dr6 >> 14) & 1), (int)((f->flags >> 8) & 1));
    f->flags &= ~0x100ul;
    return 1;
}

static volatile ureg db_ip;
static int hook_db_ss(struct frame *f)
{
    db_ip = f->ip;
    f->flags &= ~0x100ul;
    return 1;
}

static int hook_ud(struct frame *f)
{
    f->flags &= ~0x100ul;
    f->ip = fixup_ip;
    fixup_ip = 0;
    return 1;
}

int main(void)
{
    for (int v = 0x40; v < 0x50; v++) {
        trap_hook[v] = hook_irq;
    }
    trap_hook[2] = hook_irq;
    apic_write(APIC_SVR, 0x1ff);

    /* a fixed self-IPI waits for IF; STI lets one more instruction run first */
    norder = 0;
    apic_write(APIC_ICR_LO, 0x40000 | 0x41);
    for (volatile int i = 0; i < 100; i++) {
    }
    pr("pending with IF=0: taken %d\n", norder);
    asm volatile("sti\n"
                 "after_sti: nop\n"
                 "after_nop: nop\n"
                 "cli"
                 ::: "memory");
    pr("fixed 0x41 taken: %d (vector %x), after the shadow instruction %d\n", norder, order[0],
       irq_ip == (ureg)after_nop);

    /* STI; HLT with an interrupt already pending (Linux's idle): the shadow lets
     * HLT start, the interrupt then ends the halt and returns after HLT */
    norder = 0;
    apic_write(APIC_ICR_LO, 0x40000 | 0x44);
    for (volatile int i = 0; i < 100; i++) {
    }
    asm volatile("sti\n"
                 "hlt\n"
                 "after_hlt: cli" ::: "memory");
    pr("sti; hlt with 0x44 pending: taken %d, returned after hlt %d\n", norder,
       irq_ip == (ureg)after_hlt);

    /* NMI with IF = 0 */
    norder = 0;
    apic_write(APIC_ICR_LO, 0x40000 | 0x400);
    for (volatile int i = 0; i < 100; i++) {
    }
    pr("nmi with IF=0: taken %d vector %d\n", norder, order[0]);

    /* both pending: NMI first, then the fixed one once IF = 1 */
    norder = 0;
    apic_write(APIC_ICR_LO, 0x40000 | 0x42);
    apic_write(APIC_ICR_LO, 0x40000 | 0x400);
    for (volatile int i = 0; i < 100; i++) {
    }
    asm volatile("sti; nop; nop; cli" ::: "memory");
    pr("nmi + fixed: order");
    for (int i = 0; i < norder; i++) {
        pr(" %x", order[i]);
    }
    pr("\n");

    /* two fixed vectors pending: the higher priority class first */
    norder = 0;
    apic_write(APIC_ICR_LO, 0x40000 | 0x43);
    apic_write(APIC_ICR_LO, 0x40000 | 0x4f);
    asm volatile("sti; nop; nop; nop; cli" ::: "memory");
    pr("fixed 0x43 + 0x4f: order");
    for (int i = 0; i < norder; i++) {
        pr(" %x", order[i]);
    }
    pr("\n");

    /* NMIs are blocked from delivery until the handler's IRET */
    trap_hook[2] = hook_nmi_nested;
    apic_write(APIC_ICR_LO, 0x40000 | 0x400);
    for (volatile int i = 0; i < 20000; i++) {
    }
    pr("nmi sent from an nmi handler: taken %d, nested depth %d\n", nmi_count, nmi_max_depth);
    trap_hook[2] = hook_irq;

    /* single-step */
    trap_hook[1] = hook_db;
    asm volatile("mov %0, %%dr6" ::"r"(0ul));
    asm volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
                 "nop\n"
                 "tf_after: nop" ::: "memory");
    /* the MOV SS shadow also holds back the single-step trap: #DB comes after
     * the instruction that follows MOV SS */
    trap_hook[1] = hook_db_ss;
    asm volatile("mov %%ss, %%ax\n\t"
                 "pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
                 "mov %%ax, %%ss\n\t"
                 "nop\n"
                 "after_ss_nop: nop" ::: "rax", "memory");
    pr("mov ss under TF: #DB after the instruction following it %d\n",
       db_ip == (ureg)after_ss_nop);
    trap_hook[1] = hook_db;

    /* a faulting instruction under TF reports the fault (the #UD hook returns
     * with TF clear, so no #DB follows the IRET) */
    trap_hook[6] = hook_ud;
    long v = TRY("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
                 "tf_ud: ud2");
    trap_hook[6] = 0;
    pr("ud2 under TF: vector %d, ip at ud2 %d, tf in frame %d\n", (int)v,
       last_ip == (ureg)tf_ud, (int)((last_flags >> 8) & 1));
    asm volatile("pushfq\n\tandq $~0x100, (%%rsp)\n\tpopfq" ::: "memory");
    trap_hook[1] = 0;
    return 0;
}
