/*
 * vm86_32.c — virtual-8086 mode (SDM Vol.3 chapter 20): entered by a 32-bit
 * IRET at CPL 0 with EFLAGS.VM (EIP CS EFLAGS ESP SS ES DS FS GS popped),
 * real-mode addressing at CPL 3, far CALL/RET inside it, INT n with IOPL 3
 * through a DPL-3 protected-mode gate (the frame with ES DS FS GS on the
 * ring-0 stack, null data segments in the handler) and IRET back, and the
 * IOPL-sensitive instructions (CLI, PUSHF, POPF, INT n, IRET) and HLT
 * raising #GP(0) with IOPL 0. The 16-bit code runs at 0800:0000.
 */
#include "lib.h"

#define LOW 0x8000u
#define VM_MASK 0x20000u

extern char vm_code[], vm_code_end[], vm_sub[], vm_cli[], vm_pushf[], vm_popf[], vm_int[],
    vm_iret[], vm_hlt[];
#define OFF(l) "(" #l " - vm_code)"
asm(".text\n"
    ".code16\n"
    "vm_code:\n"
    "  mov %cs, %ax\n  mov %ax, %ds\n"
    "  movw $0x1234, 0xf00\n"
    "  mov %ss, %ax\n  mov %ax, 0xf02\n"
    "  pushf\n  pop %ax\n  mov %ax, 0xf04\n"
    "  cli\n  sti\n  cli\n"
    "  mov $0x55, %bx\n"
    "  int $0x81\n"
    "  mov %bx, 0xf06\n"
    "  lcall $0x0800, $" OFF(vm_sub) "\n"
    "  mov %ax, 0xf08\n"
    "  mov %sp, 0xf0a\n"
    "  int $0x80\n"
    "vm_sub:\n"
    "  mov $0x99, %ax\n"
    "  lret\n"
    "vm_cli: cli\n"
    "vm_pushf: pushf\n"
    "vm_popf: popf\n"
    "vm_int: int $0x81\n"
    "vm_iret: iret\n"
    "vm_hlt: hlt\n"
    "vm_code_end:\n"
    ".code32\n"
    /* long enter_vm86(uint32_t ip, uint32_t eflags) */
    "enter_vm86:\n"
    "  push %ebx\n  push %ebp\n  push %esi\n  push %edi\n"
    "  mov 20(%esp), %eax\n  mov 24(%esp), %edx\n"
    "  mov %esp, user_saved_sp\n"
    "  pushl $0\n  pushl $0\n  pushl $0x0800\n  pushl $0x0800\n"
    "  pushl $0x0700\n  pushl $0x1000\n"
    "  push %edx\n  pushl $0x0800\n  push %eax\n"
    "  iret\n");
long enter_vm86(uint32_t ip, uint32_t eflags);

static volatile struct frame seen;
static int hook_81(struct frame *f)
{
    if (!(f->flags & VM_MASK)) {
        return 0;
    }
    seen = *f;
    seen.ds = READ_SEG(fs); /* reuse: the handler's FS (null) */
    f->bx = 0x77;
    return 1;
}
static int hook_exit(struct frame *f)
{
    if (!(f->flags & VM_MASK)) {
        return 0;
    }
    seen = *f;
    user_return((long)f->vec);
}

int main(void)
{
    uint8_t *low = (uint8_t *)LOW;
    for (int i = 0; i < vm_code_end - vm_code; i++) {
        low[i] = (uint8_t)vm_code[i];
    }
    set_idt_default(0x81, 3);
    trap_hook[0x81] = hook_81;
    trap_hook[0x80] = hook_exit;
    trap_hook[13] = hook_exit;

    long v = enter_vm86(0, VM_MASK | 0x3000 | 2);
    pr("iopl 3 run: exit vector %d\n", (int)v);
    pr("  in vm86: ds:f00 %x ss %x flags %x bx after int81 %x far call ax %x sp %x\n",
       *(volatile uint16_t *)0x8f00, *(volatile uint16_t *)0x8f02,
       *(volatile uint16_t *)0x8f04, *(volatile uint16_t *)0x8f06,
       *(volatile uint16_t *)0x8f08, *(volatile uint16_t *)0x8f0a);
    pr("  int 0x81 frame: ip %lx cs %lx flags %lx sp %lx ss %lx es %lx ds %lx fs %lx gs %lx;"
       " handler fs %lx\n",
       seen.ip, seen.cs, seen.flags & ~0x10000ul, seen.sp, seen.ss, seen.vm_es, seen.vm_ds,
       seen.vm_fs, seen.vm_gs, seen.ds);

    static const struct {
        const char *name;
        char *ip;
    } sens[] = {{"cli", vm_cli}, {"pushf", vm_pushf}, {"popf", vm_popf}, {"int 0x81", vm_int},
                {"iret", vm_iret}, {"hlt", vm_hlt}};
    for (unsigned i = 0; i < sizeof(sens) / sizeof(sens[0]); i++) {
        v = enter_vm86((uint32_t)(sens[i].ip - vm_code), VM_MASK | 2);
        pr("iopl 0 %s: vector %d err %lx at ip %lx cs %lx\n", sens[i].name, (int)v, seen.err,
           seen.ip, seen.cs);
    }
    asm volatile("mov %0, %%fs\n\tmov %0, %%gs" ::"r"(SEL_KDATA));
    trap_hook[13] = 0;
    return 0;
}
