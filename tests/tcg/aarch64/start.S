/*
 * start.S — bare-metal runtime for the AArch64 ISA tests: runs at EL1 with
 * the MMU off, sets a stack, installs the exception vectors (vectors.S style,
 * every entry calls exc_handler(type, esr, elr, far) in lib.c), calls main(),
 * and powers off through PSCI SYSTEM_OFF (HVC #0, x0 = 0x84000008).
 */
    .section .text.boot, "ax"
    .global _start
_start:
    ldr     x0, =stack_top
    mov     sp, x0
    adr     x0, vectors
    msr     vbar_el1, x0
    /* FP/SIMD on at EL0 and EL1 */
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0
    isb
    /* clear .bss */
    ldr     x0, =__bss_start
    ldr     x1, =__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:  bl      main
    .global psci_off
psci_off:
    ldr     x0, =0x84000008
    hvc     #0
3:  wfi
    b       3b

    .macro vent type
    .balign 0x80
    sub     sp, sp, #32*8
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x30, [sp, #144]
    mov     x0, #\type
    mrs     x1, esr_el1
    mrs     x2, elr_el1
    mrs     x3, far_el1
    mov     x4, sp
    bl      exc_handler
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x30, [sp, #144]
    add     sp, sp, #32*8
    eret
    .endm

    .balign 0x800
    .global vectors
vectors:
    vent 0
    vent 1
    vent 2
    vent 3
    vent 4
    vent 5
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
