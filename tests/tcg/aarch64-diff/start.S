/*
 * start.S — runtime of the randomized differential tester (see gen.py).
 *
 * Boot: EL1, stack, FP/SIMD on, exception vectors, and (unless built with
 * -DDIFF_NO_MMU) an identity map with the MMU and caches on: VA[38:0], 4 KiB
 * granule, two level-1 blocks — 0..1 GiB Device-nGnRnE (the UART), 1..2 GiB
 * Normal write-back (RAM) — so generated loads/stores may be unaligned
 * (SCTLR_EL1.A = 0) and DC ZVA works.  Then main() in main.c.
 *
 * run_seq(body, state): the harness around one generated sequence.  state is
 * the 1280-byte block of main.c (x0..x27, NZCV, FPCR, FPSR, q0..q31, a 512-byte
 * scratch buffer).  It loads every register from the block, points x28 at the
 * scratch buffer and branches to body (x30 = body); the generated code
 * never writes x28, x29, x30 or sp and ends with `b seq_end`, which stores the
 * registers back.  Returns 0.  Any exception during the sequence goes to
 * exc_common, which stores the registers as they were at the exception,
 * records ESR/FAR/ELR/vector index in this CPU's exc_info (cpu_data) and ERETs to exc_resume
 * (same PSTATE: EL1h, DAIF masked), which reloads sp and returns 2 (1 for an
 * exception outside a sequence).
 */
#define ST_NZCV 224
#define ST_FPCR 232
#define ST_FPSR 240
#define ST_Q 256
#define ST_SCRATCH 768

/* Per-CPU harness data (cpu_data + 64 * Aff0): saved sp, in_seq, exc_info[5] */
#define CPU_SAVED_SP 0
#define CPU_IN_SEQ 8
#define CPU_EXC 16
    .macro cpu_ptr reg, tmp
    mrs     \tmp, mpidr_el1
    and     \tmp, \tmp, #0xff
    ldr     \reg, =cpu_data
    add     \reg, \reg, \tmp, lsl #6
    .endm

    .section .text.boot, "ax"
    .global _start
_start:
    ldr     x0, =stack_top
    mov     sp, x0
    adr     x0, vectors
    msr     vbar_el1, x0
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0
    isb
    /* clear .bss (before the MMU: the page table lives there) */
    ldr     x0, =__bss_start
    ldr     x1, =__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:
#ifndef DIFF_NO_MMU
    /* TTBR1: VA 0xffffff8040000000 is a third alias of the RAM (high
     * addresses like the kernel's) */
    ldr     x0, =l1_hi_table
    ldr     x1, =(0x40000000 | (1 << 10) | (3 << 8) | (1 << 2) | 1)
    str     x1, [x0, #8]
    ldr     x0, =l1_table
    /* block 0: Device, AF; block 1: Normal, inner shareable, AF; block 2
     * (VA 0x80000000) an alias of block 1: same TLB set, other VA */
    mov     x1, #((1 << 10) | 1)
    str     x1, [x0]
    ldr     x1, =(0x40000000 | (1 << 10) | (3 << 8) | (1 << 2) | 1)
    str     x1, [x0, #8]
    orr     x1, x1, #(1 << 6)       /* AP[1]: EL0 access too (LDTR/STTR) */
    str     x1, [x0, #16]           /* block 2: alias of block 1 */
    bic     x1, x1, #(1 << 6)
    /* VA 0xc0000000: one 4 KiB page, the first page of the scratch buffer (the
     * one before the page boundary it straddles), then nothing: accesses that
     * cross from it into the unmapped page must fault without a partial
     * write (exc class).  L1[3] -> L2[0] -> L3[0]. */
    ldr     x1, =l2_table
    orr     x1, x1, #3
    str     x1, [x0, #24]
    ldr     x0, =l2_table
    ldr     x1, =l3_table
    orr     x1, x1, #3
    str     x1, [x0]
    ldr     x0, =l3_table
    ldr     x1, =work_pages + 4096
    ldr     x2, =((1 << 10) | (3 << 8) | (1 << 2) | 3)
    orr     x1, x1, x2
    str     x1, [x0]
    bl      mmu_on
#endif
    ldr     x0, =irq_mode
    ldr     x0, [x0]
    cbz     x0, 4f
    bl      irq_init
4:  bl      main
/* mmu_on: program MAIR/TCR/TTBR0/TTBR1 and turn the MMU on (every CPU; the
 * tables are built once by CPU 0).  Clobbers x0. */
mmu_on:
#ifndef DIFF_NO_MMU
    /* MAIR: attr0 Device-nGnRnE, attr1 Normal WB RW-allocate */
    mov     x0, #0xff00
    msr     mair_el1, x0
    /* TCR: T0SZ=T1SZ=25, IRGN=ORGN=WB, SH=inner, TG0=TG1=4K, IPS=40 bits,
     * TBI0 (top byte ignored below, as Linux has for user space) */
    ldr     x0, =(25 | (1 << 8) | (1 << 10) | (3 << 12) | (25 << 16) | (1 << 24) | (1 << 26) | (3 << 28) | (2 << 30) | (2 << 32) | (1 << 37))
    msr     tcr_el1, x0
    ldr     x0, =l1_hi_table
    msr     ttbr1_el1, x0
    ldr     x0, =l1_table
    msr     ttbr0_el1, x0
    dsb     sy
    tlbi    vmalle1
    dsb     sy
    isb
    mrs     x0, sctlr_el1
    orr     x0, x0, #1              /* M */
    orr     x0, x0, #(1 << 2)       /* C */
    orr     x0, x0, #(1 << 12)      /* I */
    bic     x0, x0, #2              /* A: no alignment checks */
    orr     x0, x0, #(1 << 3)       /* SA: SP alignment checks (reset values differ) */
    msr     sctlr_el1, x0
    isb
#endif
    ret

/* Secondary CPUs (PSCI CPU_ON from main.c, -smp N): own stack
 * (stack_top - cpu * 16 KiB), vectors, FP, MMU, then secondary_main(cpu). */
    .global secondary_entry
secondary_entry:
    mrs     x19, mpidr_el1
    and     x19, x19, #0xff
    ldr     x0, =stack_top
    sub     x0, x0, x19, lsl #14
    mov     sp, x0
    adr     x0, vectors
    msr     vbar_el1, x0
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0
    isb
    bl      mmu_on
    mov     x0, x19
    bl      secondary_main
4:  wfi
    b       4b

    .global psci_off
psci_off:
    ldr     x0, =0x84000008
    hvc     #0
3:  wfi
    b       3b

    .text
    .global run_seq
run_seq:
    stp     x29, x30, [sp, #-176]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    stp     d8, d9, [sp, #96]
    stp     d10, d11, [sp, #112]
    stp     d12, d13, [sp, #128]
    stp     d14, d15, [sp, #144]
    mov     x29, sp
    cpu_ptr x2, x3
    str     x29, [x2, #CPU_SAVED_SP]
    mov     x3, #1
    str     x3, [x2, #CPU_IN_SEQ]
    mov     x30, x0
    mov     x28, x1
    ldr     x2, [x28, #ST_NZCV]
    msr     nzcv, x2
    ldr     x2, [x28, #ST_FPCR]
    msr     fpcr, x2
    ldr     x2, [x28, #ST_FPSR]
    msr     fpsr, x2
    add     x2, x28, #ST_Q
    ldp     q0, q1, [x2, #0]
    ldp     q2, q3, [x2, #32]
    ldp     q4, q5, [x2, #64]
    ldp     q6, q7, [x2, #96]
    ldp     q8, q9, [x2, #128]
    ldp     q10, q11, [x2, #160]
    ldp     q12, q13, [x2, #192]
    ldp     q14, q15, [x2, #224]
    ldp     q16, q17, [x2, #256]
    ldp     q18, q19, [x2, #288]
    ldp     q20, q21, [x2, #320]
    ldp     q22, q23, [x2, #352]
    ldp     q24, q25, [x2, #384]
    ldp     q26, q27, [x2, #416]
    ldp     q28, q29, [x2, #448]
    ldp     q30, q31, [x2, #480]
    ldp     x0, x1, [x28, #0]
    ldp     x2, x3, [x28, #16]
    ldp     x4, x5, [x28, #32]
    ldp     x6, x7, [x28, #48]
    ldp     x8, x9, [x28, #64]
    ldp     x10, x11, [x28, #80]
    ldp     x12, x13, [x28, #96]
    ldp     x14, x15, [x28, #112]
    ldp     x16, x17, [x28, #128]
    ldp     x18, x19, [x28, #144]
    ldp     x20, x21, [x28, #160]
    ldp     x22, x23, [x28, #176]
    ldp     x24, x25, [x28, #192]
    ldp     x26, x27, [x28, #208]
    add     x28, x28, #ST_SCRATCH
    msr     daifclr, #2             /* IRQs on (only the timer, if irq_mode) */
    br      x30

    .global seq_end
seq_end:
    msr     daifset, #2
    bl      save_state
    cpu_ptr x0, x2
    str     xzr, [x0, #CPU_IN_SEQ]
    mov     x0, #0
    b       restore

/* save_state: x0..x27, NZCV, FPSR, q0..q31 into the block x28 - 768 points to
 * (clobbers x0, x2, x28 := the block; x30 is the return address) */
save_state:
    sub     x28, x28, #ST_SCRATCH
    stp     x0, x1, [x28, #0]
    stp     x2, x3, [x28, #16]
    stp     x4, x5, [x28, #32]
    stp     x6, x7, [x28, #48]
    stp     x8, x9, [x28, #64]
    stp     x10, x11, [x28, #80]
    stp     x12, x13, [x28, #96]
    stp     x14, x15, [x28, #112]
    stp     x16, x17, [x28, #128]
    stp     x18, x19, [x28, #144]
    stp     x20, x21, [x28, #160]
    stp     x22, x23, [x28, #176]
    stp     x24, x25, [x28, #192]
    stp     x26, x27, [x28, #208]
    mrs     x0, nzcv
    str     x0, [x28, #ST_NZCV]
    mrs     x0, fpsr
    str     x0, [x28, #ST_FPSR]
    add     x2, x28, #ST_Q
    stp     q0, q1, [x2, #0]
    stp     q2, q3, [x2, #32]
    stp     q4, q5, [x2, #64]
    stp     q6, q7, [x2, #96]
    stp     q8, q9, [x2, #128]
    stp     q10, q11, [x2, #160]
    stp     q12, q13, [x2, #192]
    stp     q14, q15, [x2, #224]
    stp     q16, q17, [x2, #256]
    stp     q18, q19, [x2, #288]
    stp     q20, q21, [x2, #320]
    stp     q22, q23, [x2, #352]
    stp     q24, q25, [x2, #384]
    stp     q26, q27, [x2, #416]
    stp     q28, q29, [x2, #448]
    stp     q30, q31, [x2, #480]
    ret

/* Exceptions: every vector saves x0/x1 on the stack and comes here with
 * x0 = vector index.  Inside a sequence (in_seq set) the interrupted state is
 * saved to the block first (so the hash covers the registers at the
 * exception: precise-state checks), and run_seq returns 2; elsewhere 1. */
exc_common:
    stp     x2, x3, [sp, #-16]!
    cpu_ptr x1, x2
    str     x0, [x1, #(CPU_EXC + 24)]
    ldr     x2, [x1, #CPU_IN_SEQ]
    cbz     x2, 1f
    ldp     x2, x3, [sp], #16
    ldp     x0, x1, [sp], #16
    mov     x29, x30                /* x29/x30 are the harness's: free here */
    bl      save_state
    mov     x30, x29
    mrs     x0, spsr_el1            /* NZCV as interrupted */
    and     x0, x0, #0xf0000000
    str     x0, [x28, #ST_NZCV]
    cpu_ptr x3, x0
    str     xzr, [x3, #CPU_IN_SEQ]
    mov     x0, #2
    b       2f
1:  ldp     x2, x3, [sp], #16
    ldp     x0, x1, [sp], #16
    cpu_ptr x3, x0
    mov     x0, #1
2:  add     x3, x3, #CPU_EXC
    mrs     x1, esr_el1
    mrs     x2, far_el1
    stp     x1, x2, [x3]
    mrs     x1, elr_el1
    str     x1, [x3, #16]
    str     x0, [x3, #32]
    adr     x3, exc_resume
    msr     elr_el1, x3
    mov     x3, #0x3c5
    msr     spsr_el1, x3
    eret

exc_resume:
    cpu_ptr x5, x6
    ldr     x6, [x5, #CPU_SAVED_SP]
    mov     sp, x6
    ldr     x0, [x5, #(CPU_EXC + 32)]
restore:
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     d8, d9, [sp, #96]
    ldp     d10, d11, [sp, #112]
    ldp     d12, d13, [sp, #128]
    ldp     d14, d15, [sp, #144]
    ldp     x29, x30, [sp], #176
    ret

    .macro vent idx
    .balign 0x80
    /* realign sp first (an SP alignment fault comes here with sp misaligned;
     * exc_resume reloads sp anyway), with SP_EL0 as a scratch register */
    msr     sp_el0, x0
    mov     x0, sp
    and     x0, x0, #~15
    mov     sp, x0
    mrs     x0, sp_el0
    stp     x0, x1, [sp, #-16]!
    mov     x0, #\idx
    b       exc_common
    .endm

    .macro virq
    .balign 0x80
    stp     x0, x1, [sp, #-16]!
    b       irq_handler
    .endm

    .balign 0x800
vectors:
    vent 0
    vent 1
    vent 2
    vent 3
    vent 4
    virq
    vent 6
    vent 7
    vent 8
    vent 9
    vent 10
    vent 11
    vent 12
    vent 13
    vent 14
    vent 15

/* Timer interrupts during sequences (irq_mode != 0, gen.py --irq): the
 * virtual timer (PPI 27) fires every irq_mode + (0..511) ticks; the handler
 * touches only x0..x3 (saved on the stack) and memory outside the state, and
 * ERET restores PSTATE: a correct CPU ends every sequence in the same state
 * whatever instructions the interrupts land between. */
#define GICD 0x08000000
#define GICR 0x080a0000
irq_init:
    mov     x0, #GICD
    mov     w1, #0x13               /* ARE, EnableGrp1, EnableGrp0 */
    str     w1, [x0]
    ldr     x0, =GICR
    ldr     w1, [x0, #0x14]         /* GICR_WAKER: wake the redistributor */
    bic     w1, w1, #2
    str     w1, [x0, #0x14]
1:  ldr     w1, [x0, #0x14]
    tbnz    w1, #2, 1b
    add     x0, x0, #0x10000        /* SGI frame */
    mov     w1, #(1 << 27)
    str     w1, [x0, #0x80]         /* GICR_IGROUPR0: group 1 */
    mov     w1, #0x80
    strb    w1, [x0, #(0x400 + 27)] /* priority */
    mov     w1, #(1 << 27)
    str     w1, [x0, #0x100]        /* GICR_ISENABLER0 */
    mov     x1, #1
    msr     S3_0_C12_C12_5, x1      /* ICC_SRE_EL1.SRE */
    isb
    mov     x1, #0xff
    msr     S3_0_C4_C6_0, x1        /* ICC_PMR_EL1 */
    mov     x1, #1
    msr     S3_0_C12_C12_7, x1      /* ICC_IGRPEN1_EL1 */
    isb
    ldr     x1, =irq_mode
    ldr     x1, [x1]
    msr     cntv_tval_el0, x1
    mov     x1, #1
    msr     cntv_ctl_el0, x1
    isb
    ret

irq_handler:
    stp     x2, x3, [sp, #-16]!
    mrs     x0, S3_0_C12_C12_0      /* ICC_IAR1_EL1 */
    cmp     x0, #1020
    b.hs    2f
    cmp     x0, #27
    b.ne    1f
    ldr     x1, =irq_state
    ldr     x2, [x1]
    eor     x2, x2, x2, lsl #13
    eor     x2, x2, x2, lsr #7
    eor     x2, x2, x2, lsl #17
    str     x2, [x1]
    ldr     x3, [x1, #8]
    add     x3, x3, #1
    str     x3, [x1, #8]
    ldr     x3, =irq_mode
    ldr     x3, [x3]
    and     x2, x2, #0x1ff
    add     x3, x3, x2
    msr     cntv_tval_el0, x3
1:  msr     S3_0_C12_C12_1, x0      /* ICC_EOIR1_EL1 */
2:  ldp     x2, x3, [sp], #16
    ldp     x0, x1, [sp], #16
    eret

    .ltorg

    .data
    .balign 8
    .global irq_state
irq_state:
    .quad 0x2545f4914f6cdd1d, 0     /* xorshift state, interrupt count */

    .bss
    .balign 64
    .global cpu_data
cpu_data:
    .skip 64 * 8
    .balign 4096
l1_table:
    .skip 4096
l1_hi_table:
    .skip 4096
l2_table:
    .skip 4096
    .global l3_table
l3_table:
    .skip 4096
