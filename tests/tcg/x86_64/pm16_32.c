/*
 * pm16_32.c — 16-bit protected-mode code (a 286-style code segment, D=0)
 * called from 32-bit code with a 32-bit far CALL and left with a 32-bit far
 * RET (66 CB); inside it, operand- and address-size prefixes, a 16-bit
 * interrupt gate (type 6) whose 16-bit frame (IP, CS, FLAGS) goes on the
 * 32-bit stack, a 16-bit IRET, and a 16-bit far CALL/RET within the
 * segment. The segment's base is the code's own address (limit 64 KiB).
 */
#include "lib.h"

#define SEL_C16 0x60

extern char c16_base[], c16_after_int[], c16_handler[], c16_sub[], c16_end[];
volatile uint32_t f16_ip, f16_cs, f16_flags, f16_esp_delta, c16_ax, c16_sub_ret;
#define O(l) "(" #l " - c16_base)"
asm(".text\n"
    ".code16\n"
    "c16_base:\n"
    "  mov $0x1234, %ax\n"
    "  mov %esp, %edi\n"
    "  int $0x85\n"
    "c16_after_int:\n"
    "  mov $c16_ax, %ebx\n  movl %eax, (%ebx)\n"
    "  lcall $0x60, $" O(c16_sub) "\n"
    "  mov $c16_sub_ret, %ebx\n  movl %eax, (%ebx)\n"
    "  lretl\n"
    "c16_handler:\n"
    "  mov %edi, %ecx\n  sub %esp, %ecx\n"
    "  mov $f16_esp_delta, %ebx\n  movl %ecx, (%ebx)\n"
    "  movzwl (%esp), %ecx\n  mov $f16_ip, %ebx\n  movl %ecx, (%ebx)\n"
    "  movzwl 2(%esp), %ecx\n  mov $f16_cs, %ebx\n  movl %ecx, (%ebx)\n"
    "  movzwl 4(%esp), %ecx\n  mov $f16_flags, %ebx\n  movl %ecx, (%ebx)\n"
    "  add $0x1111, %ax\n"
    "  iret\n"
    "c16_sub:\n"
    "  mov $0x5678, %eax\n"
    "  lret\n"
    "c16_end:\n"
    ".code32\n");

int main(void)
{
    uint32_t base = (uint32_t)(ureg)c16_base;
    set_gdt(SEL_C16, seg_desc(base, 0xffff, 0x9a, 0));
    set_idt(0x85, (void *)(ureg)(c16_handler - c16_base), 6, 0, 0, SEL_C16);
    asm volatile("lcall $0x60, $0" ::: "eax", "ebx", "ecx", "edi", "memory");
    pr("16-bit int gate frame: ip at the next insn %d cs %x flags %x, 6 bytes pushed %d\n",
       f16_ip == (uint32_t)(c16_after_int - c16_base), f16_cs, f16_flags & 0xfd5,
       f16_esp_delta == 6);
    pr("ax after the handler %x, 16-bit far call returned eax %x\n", c16_ax & 0xffff,
       c16_sub_ret);
    return 0;
}
