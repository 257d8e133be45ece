/*
 * guest-aarch64.S — a bare-metal program for test-gdbstub.sh (EL1, MMU off,
 * loaded at 0x40080000 on -M virt). Core 0 starts core 1 (PSCI CPU_ON),
 * which counts forever in `counter1`; core 0 counts x19 from 1 to 100,
 * storing each value in `counter0`, passing `marker` on every round and
 * `done` once, with x19 == 100, x20 == 0xc0de; then it powers off (PSCI
 * SYSTEM_OFF). The test sets breakpoints at these symbols and predicts the
 * registers and memory there.
 */
    .section .text.boot, "ax"
    .global _start
_start:
    mrs     x0, mpidr_el1
    and     x0, x0, #0xff
    cbnz    x0, secondary
    ldr     x0, =stack_top
    mov     sp, x0
    ldr     x0, =0xc4000003         /* PSCI CPU_ON: x1 target, x2 entry, x3 context */
    mov     x1, #1
    adr     x2, secondary
    mov     x3, #0
    hvc     #0
    ldr     x5, =counter0
    mov     x19, #0
    mov     x20, #0
    .global loop0
loop0:
    add     x19, x19, #1
    str     x19, [x5]
    .global marker
marker:
    cmp     x19, #100
    b.lo    loop0
    movz    x20, #0xc0de
    .global done
done:
    nop
    ldr     x0, =0x84000008         /* PSCI SYSTEM_OFF */
    hvc     #0
1:  wfi
    b       1b

    .global secondary
secondary:
    ldr     x5, =counter1
2:  ldr     x6, [x5]
    add     x6, x6, #1
    str     x6, [x5]
    b       2b

    .data
    .balign 8
    .global counter0, counter1
counter0: .quad 0
    .balign 64
counter1: .quad 0
    .balign 16
    .space  4096
stack_top:
