/*
 * start.S — bare-metal runtime for the virt-board GIC/timer tests (adapted
 * from tests/tcg/aarch64/start.S). Runs at EL1, MMU off. Differences:
 *  - every vector saves ELR_EL1/SPSR_EL1 in its frame and restores them
 *    before ERET, so an IRQ handler may unmask IRQs (DAIF.I) and be
 *    preempted by a higher-priority interrupt (nested exceptions);
 *  - secondary_entry: PSCI CPU_ON target; x0 (context_id) is the core's
 *    stack top, it then calls secondary_main().
 * main() returning powers off through PSCI SYSTEM_OFF (HVC #0).
 */
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

    .global secondary_entry
secondary_entry:
    mov     sp, x0
    adr     x1, vectors
    msr     vbar_el1, x1
    mov     x1, #(3 << 20)
    msr     cpacr_el1, x1
    isb
    bl      secondary_main
4:  wfi
    b       4b

    .macro vent type
    .balign 0x80
    sub     sp, sp, #24*8
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
    b       vcommon
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

vcommon:
    mrs     x1, elr_el1
    mrs     x2, spsr_el1
    stp     x1, x2, [sp, #160]
    mrs     x1, esr_el1
    mrs     x2, elr_el1
    mrs     x3, far_el1
    mov     x4, sp
    bl      exc_handler
    ldp     x1, x2, [sp, #160]
    msr     elr_el1, x1
    msr     spsr_el1, x2
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
    add     sp, sp, #24*8
    eret
