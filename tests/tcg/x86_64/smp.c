/*
 * smp.c — starting an application processor the way Linux does (SDM Vol.3
 * §8.4.4, run with -smp 2): INIT, then STARTUP IPIs (vector 0x09) through the
 * BSP's local APIC; the AP starts in real mode at 0900:0000 and climbs
 * through protected mode to long mode with the BSP's page tables (the same
 * path as Linux's trampoline), reporting each step in low memory; it reads
 * its APIC ID and parks in HLT. The BSP also checks that a second SIPI does
 * not restart a running AP.
 */
#include "lib.h"

#define APIC 0xfee00000ul
#define TRAMP 0x9000u
#define FLAG 0x9f00u
#define APIC_ID_OUT 0x9f04u
#define COUNT 0x9f08u
#define GDTDESC 0x9f10u
#define CR3SAVE 0x9f20u

extern char ap_tramp[], ap_tramp_end[];
#define T(l) "(" #l " - ap_tramp + 0x9000)"
asm(".text\n"
    ".code16\n"
    "ap_tramp:\n"
    "  cli\n"
    "  xor %ax, %ax\n  mov %ax, %ds\n"
    "  movw $1, 0x9f00\n"
    "  lock incw 0x9f08\n"
    "  lgdtl 0x9f10\n"
    "  mov %cr0, %eax\n  or $1, %eax\n  mov %eax, %cr0\n"
    "  ljmpl $0x08, $" T(ap_pm) "\n"
    ".code32\n"
    "ap_pm:\n"
    "  mov $0x18, %ax\n  mov %ax, %ds\n  mov %ax, %ss\n"
    "  movl $2, 0x9f00\n"
    "  mov %cr4, %eax\n  or $0x20, %eax\n  mov %eax, %cr4\n"
    "  mov 0x9f20, %eax\n  mov %eax, %cr3\n"
    "  mov $0xc0000080, %ecx\n  rdmsr\n  or $0x100, %eax\n  wrmsr\n"
    "  mov %cr0, %eax\n  or $0x80000000, %eax\n  mov %eax, %cr0\n"
    "  ljmp $0x10, $" T(ap_lm) "\n"
    ".code64\n"
    "ap_lm:\n"
    "  mov $0xfee00020, %eax\n  mov (%rax), %eax\n  shr $24, %eax\n"
    "  mov $0x9f04, %edx\n  mov %eax, (%rdx)\n"
    "  mov $0x9f00, %edx\n  movl $3, (%rdx)\n"
    "1: cli\n  hlt\n  jmp 1b\n"
    "ap_tramp_end:\n");

static void apic_write(unsigned reg, uint32_t v)
{
    *(volatile uint32_t *)(APIC + reg) = v;
}
static uint32_t apic_read(unsigned reg)
{
    return *(volatile uint32_t *)(APIC + reg);
}

static void spin(int n)
{
    for (volatile int i = 0; i < n; i++) {
    }
}

static int wait_flag(uint32_t want)
{
    for (int i = 0; i < 2000000; i++) {
        if (*(volatile uint32_t *)FLAG == want) {
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
    *(volatile uint32_t *)(ureg)FLAG = 0;
    *(volatile uint32_t *)(ureg)COUNT = 0;
    *(volatile uint16_t *)(ureg)GDTDESC = 32 * 8 - 1;
    *(volatile uint32_t *)(ureg)(GDTDESC + 2) = (uint32_t)(ureg)gdt;
    *(volatile uint32_t *)(ureg)CR3SAVE = (uint32_t)READ_CR(3);
    apic_write(0xf0, 0x1ff);
    pr("bsp apic id %d\n", (int)(apic_read(0x20) >> 24));

    /* INIT (assert), then two STARTUP IPIs with vector 0x09 to APIC ID 1 */
    apic_write(0x310, 1u << 24);
    apic_write(0x300, 0x00004500);
    spin(100000);
    apic_write(0x310, 1u << 24);
    apic_write(0x300, 0x00004600 | (TRAMP >> 12));
    int ok = wait_flag(3);
    pr("ap after the first SIPI: reached long mode %d, apic id %d\n", ok,
       (int)*(volatile uint32_t *)(ureg)APIC_ID_OUT);
    apic_write(0x310, 1u << 24);
    apic_write(0x300, 0x00004600 | (TRAMP >> 12));
    spin(200000);
    pr("second SIPI to a running AP: trampoline entries %d, flag %d\n",
       (int)*(volatile uint16_t *)(ureg)COUNT, (int)*(volatile uint32_t *)(ureg)FLAG);
    pr("icr delivery status idle %d\n", !(apic_read(0x300) & (1u << 12)));
    return 0;
}
