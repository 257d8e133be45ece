/*
 * start.S — entry of the bare-metal x86 tests: a Multiboot v1 header (so
 * Debian's QEMU -kernel and coremu's -kernel both load the ELF and enter at
 * _start in flat 32-bit protected mode, paging off, EAX = 0x2BADB002), our
 * own GDT, a stack, BSS cleared, then
 *   - 64-bit build: identity page tables for 4 GiB (2 MiB pages, writable,
 *     user), CR4.PAE, EFER.LME, CR0.PG, far JMP to the 64-bit code segment;
 *   - 32-bit build: stays in protected mode;
 * lib_init() (IDT, TSS), main(), exit_test().
 * Also here: the 256 interrupt entry stubs (16 bytes each, pushing a zero
 * error code where the CPU pushes none, then the vector) and their common
 * path to trap(), run_user()/user_return(), the GDT and the stacks.
 */
#include "lib.h"

#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0

    .section .text.boot, "ax"
    .code32
    .align 4
mb_header:
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .globl _start
_start:
    cli
    cld
    mov %eax, mb_magic
    mov %ebx, mb_info
    lgdt gdt_desc
    ljmp $SEL_KCODE32, $1f
1:  mov $SEL_KDATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov $boot_stack_top, %esp
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
#ifdef __x86_64__
    /* PML4[0] -> PDPT; PDPT[0..3] -> PD0..3; 2048 PDEs of 2 MiB (P RW US PS) */
    mov $pdpt, %eax
    or $7, %eax
    mov %eax, pml4
    mov $pd, %eax
    or $7, %eax
    xor %ecx, %ecx
2:  mov %eax, pdpt(,%ecx,8)
    add $0x1000, %eax
    inc %ecx
    cmp $4, %ecx
    jne 2b
    xor %ecx, %ecx
3:  mov %ecx, %eax
    shl $21, %eax
    or $0x87, %eax
    mov %eax, pd(,%ecx,8)
    mov %ecx, %eax
    shr $11, %eax
    mov %eax, pd+4(,%ecx,8)
    inc %ecx
    cmp $2048, %ecx
    jne 3b
    mov %cr4, %eax
    or $0x20, %eax
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx
    rdmsr
    or $0x100, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax
    mov %eax, %cr0
    ljmp $SEL_KCODE64, $start64
    .code64
start64:
    mov $boot_stack_top, %esp
    call lib_init
    call main
    call exit_test
#else
    call lib_init
    call main
    call exit_test
#endif

/* ---------------------------------------------------------- interrupts */

    .text
    .align 16
    .globl isr_stubs
isr_stubs:
    .set vec, 0
    .rept 256
    .align 16
    .if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    push $0
    .endif
    .if vec < 128
    push $vec
    .else
    push $(vec - 256)
    .endif
    jmp isr_common
    .set vec, vec + 1
    .endr

#ifdef __x86_64__
isr_common:
    andq $0xff, (%rsp)
    push %rax
    push %rcx
    push %rdx
    push %rbx
    push %rbp
    push %rsi
    push %rdi
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    mov %rsp, %rbx
    and $~15, %rsp
    call trap
    mov %rbx, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rdi
    pop %rsi
    pop %rbp
    pop %rbx
    pop %rdx
    pop %rcx
    pop %rax
    add $16, %rsp
    iretq

/* long run_user(void (*fn)(void), void *stack) */
    .globl run_user
run_user:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, user_saved_sp
    pushq $(SEL_UDATA2 | 3)
    push %rsi
    pushq $2
    pushq $(SEL_UCODE64 | 3)
    push %rdi
    iretq

/* void user_return(long v): back to run_user's caller at CPL 0 */
    .globl user_return
user_return:
    mov user_saved_sp, %rsp
    mov %rdi, %rax
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret
#else
isr_common:
    andl $0xff, (%esp)
    pusha
    push %ds
    push %es
    mov %ss, %ax            /* from virtual-8086 mode the data segments are null; */
    mov %ax, %ds            /* SS is the handler's flat stack (also at CPL 3) */
    mov %ax, %es
    mov %esp, %eax
    push %eax
    call trap
    add $4, %esp
    pop %es
    pop %ds
    popa
    add $8, %esp
    iret

    .globl run_user
run_user:
    push %ebx
    push %ebp
    push %esi
    push %edi
    mov 20(%esp), %eax      /* fn */
    mov 24(%esp), %edx      /* stack */
    mov %esp, user_saved_sp
    mov $(SEL_UDATA | 3), %cx
    mov %cx, %ds
    mov %cx, %es
    pushl $(SEL_UDATA | 3)
    push %edx
    pushl $2
    pushl $(SEL_UCODE32 | 3)
    push %eax
    iret

    .globl user_return
user_return:
    mov 4(%esp), %eax
    mov $SEL_KDATA, %cx
    mov %cx, %ds
    mov %cx, %es
    mov %cx, %ss
    mov user_saved_sp, %esp
    pop %edi
    pop %esi
    pop %ebp
    pop %ebx
    ret
#endif

/* ---------------------------------------------------------------- data */

    .data
    .align 16
    .globl gdt
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff    /* 0x08 kernel code32 */
    .quad 0x00af9a000000ffff    /* 0x10 kernel code64 */
    .quad 0x00cf92000000ffff    /* 0x18 kernel data */
    .quad 0x00cffa000000ffff    /* 0x20 user code32 */
    .quad 0x00cff2000000ffff    /* 0x28 user data */
    .quad 0x00affa000000ffff    /* 0x30 user code64 */
    .quad 0x00cff2000000ffff    /* 0x38 user data */
    .quad 0x00009a000000ffff    /* 0x40 code16 */
    .quad 0x000092000000ffff    /* 0x48 data16 */
    .fill 22, 8, 0              /* 0x50 TSS (lib_init), 0x60.. free */
gdt_end:
    .align 4
    .word 0
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt

    .globl mb_magic, mb_info
mb_magic: .long 0
mb_info: .long 0

    .bss
    .align 4096
#ifdef __x86_64__
    .globl pml4, pdpt, pd
pml4: .fill 512, 8, 0
pdpt: .fill 512, 8, 0
pd: .fill 2048, 8, 0
#endif
    .align 16
    .globl user_saved_sp
user_saved_sp: .quad 0
    .fill 4096, 1, 0
    .globl intr_stack_top
intr_stack_top:
    .fill 4096, 1, 0
    .globl ist_stack_top
ist_stack_top:
    .fill 8192, 1, 0
    .globl user_stack_top
user_stack_top:
    .fill 16384, 1, 0
    .globl boot_stack_top
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
