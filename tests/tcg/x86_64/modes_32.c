/*
 * modes_32.c — mode switches from 32-bit protected mode (SDM Vol.3 §9.9):
 *  - to real mode and back: a 16-bit protected-mode segment, CR0.PE clear,
 *    far JMP; in real mode a real-mode IVT (LIDT), INT/IRET, segment
 *    arithmetic (ES = 0x1000), 32-bit operands; then CR0.PE and a far JMP
 *    (66 EA) back. The real-mode code is copied below 64 KiB at run time.
 *  - to long mode: CR4.PAE, CR3, EFER.LME, CR0.PG -> EFER.LMA with CS still
 *    32-bit (compatibility mode), far JMP to a 64-bit segment, a far CALL
 *    from 64-bit code to a compatibility-mode segment and a 32-bit far RET
 *    back, a far JMP to compatibility mode, CR0.PG clear (leaves long mode).
 *  - the #GP(0) for CR0.PG with EFER.LME and CR4.PAE clear.
 */
#include "lib.h"

#define LOW 0x8000u
#define R_CS 0x8f00u
#define R_BX 0x8f02u
#define R_FL 0x8f04u
#define R_EAX 0x8f08u
#define IVT_DESC 0x8fd0u
#define SAVED_IDT 0x8fe0u
#define SAVED_ESP 0x8ff0u
#define IVT 0x9000u

extern char rm_blob[], rm_blob_end[], rm_int40[];
#define BLOB(l) "(" #l " - rm_blob + 0x8000)"
asm(".text\n"
    ".code32\n"
    "rm_blob:\n"
    "  pushal\n"
    "  mov %esp, 0x8ff0\n"
    "  sidt 0x8fe0\n"
    "  ljmp $0x40, $" BLOB(rm_16) "\n"
    ".code16\n"
    "rm_16:\n"
    "  mov $0x48, %ax\n  mov %ax, %ds\n  mov %ax, %es\n  mov %ax, %ss\n"
    "  mov %ax, %fs\n  mov %ax, %gs\n"
    "  mov %cr0, %eax\n  and $~1, %eax\n  mov %eax, %cr0\n"
    "  ljmp $0, $" BLOB(rm_real) "\n"
    "rm_real:\n"
    "  xor %ax, %ax\n  mov %ax, %ds\n  mov %ax, %es\n  mov %ax, %ss\n"
    "  mov $0x7000, %sp\n"
    "  lidt 0x8fd0\n"
    "  mov %cs, %ax\n  mov %ax, 0x8f00\n"
    "  xor %bx, %bx\n  int $0x40\n  mov %bx, 0x8f02\n"
    "  mov $0x1000, %ax\n  mov %ax, %es\n  movw $0x5a5a, %es:0x10\n"
    "  xor %ax, %ax\n  mov %ax, %es\n"
    "  pushf\n  pop %ax\n  mov %ax, 0x8f04\n"
    "  mov $0x12345678, %eax\n  mov %eax, 0x8f08\n"
    "  mov %cr0, %eax\n  or $1, %eax\n  mov %eax, %cr0\n"
    "  ljmpl $0x08, $" BLOB(rm_back) "\n"
    "rm_int40:\n"
    "  mov $0x1234, %bx\n"
    "  iret\n"
    ".code32\n"
    "rm_back:\n"
    "  mov $0x18, %ax\n  mov %ax, %ds\n  mov %ax, %es\n  mov %ax, %ss\n"
    "  mov %ax, %fs\n  mov %ax, %gs\n"
    "  lidt 0x8fe0\n"
    "  mov 0x8ff0, %esp\n"
    "  popal\n"
    "  ret\n"
    "rm_blob_end:\n");

/* long mode round trip */
volatile uint32_t lm_efer, lm_efer_after, lm_cs64, lm_compat_cs, lm_pushsz, lm_cr0_after;
volatile uint64_t lm_val;
struct farptr {
    uint32_t off;
    uint16_t sel;
} __attribute__((packed));
extern char lm_compat[], lm_back32[];
struct farptr lm_farptr = {(uint32_t)(ureg)lm_compat, SEL_KCODE32};
struct farptr lm_farptr2 = {(uint32_t)(ureg)lm_back32, SEL_KCODE32};
void lm_roundtrip(uint32_t cr3);
asm(".text\n"
    ".code32\n"
    "lm_roundtrip:\n"
    "  push %ebx\n  push %esi\n  push %edi\n  push %ebp\n"
    "  mov 20(%esp), %eax\n  mov %eax, %cr3\n"
    "  mov %cr4, %eax\n  or $0x20, %eax\n  mov %eax, %cr4\n"
    "  mov $0xc0000080, %ecx\n  rdmsr\n  or $0x100, %eax\n  wrmsr\n"
    "  mov %cr0, %eax\n  or $0x80000000, %eax\n  mov %eax, %cr0\n"
    "  mov $0xc0000080, %ecx\n  rdmsr\n  mov %eax, lm_efer\n"
    "  ljmp $0x10, $lm64\n"
    ".code64\n"
    "lm64:\n"
    "  movabs $0x123456789abcdef0, %rax\n"
    "  ror $8, %rax\n"
    /* a 32-bit ELF has no 64-bit absolute relocations: addresses via registers */
    "  mov $lm_val, %edx\n  mov %rax, (%rdx)\n"
    "  mov %cs, %eax\n  mov $lm_cs64, %edx\n  mov %eax, (%rdx)\n"
    "  mov $lm_farptr, %edx\n  lcall *(%rdx)\n"
    "  mov $lm_compat_cs, %edx\n  mov %eax, (%rdx)\n"
    "  mov %rsp, %rbx\n  push %rax\n  sub %rsp, %rbx\n  pop %rax\n"
    "  mov $lm_pushsz, %edx\n  mov %ebx, (%rdx)\n"
    "  mov $lm_farptr2, %edx\n  ljmp *(%rdx)\n"
    ".code32\n"
    "lm_compat:\n"
    "  mov %cs, %eax\n"
    "  lret\n"
    "lm_back32:\n"
    "  mov %cr0, %eax\n  and $0x7fffffff, %eax\n  mov %eax, %cr0\n"
    "  mov %eax, lm_cr0_after\n"
    "  mov $0xc0000080, %ecx\n  rdmsr\n  mov %eax, lm_efer_after\n"
    "  and $~0x100, %eax\n  wrmsr\n"
    "  mov %cr4, %eax\n  and $~0x20, %eax\n  mov %eax, %cr4\n"
    "  pop %ebp\n  pop %edi\n  pop %esi\n  pop %ebx\n"
    "  ret\n");

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));

int main(void)
{
    /* real mode */
    uint8_t *low = (uint8_t *)LOW;
    for (int i = 0; i < rm_blob_end - rm_blob; i++) {
        low[i] = (uint8_t)rm_blob[i];
    }
    volatile uint32_t *ivt = (uint32_t *)IVT;
    for (int i = 0; i < 256; i++) {
        ivt[i] = 0;
    }
    ivt[0x40] = LOW + (uint32_t)(rm_int40 - rm_blob);
    *(volatile uint16_t *)IVT_DESC = 0x3ff;
    *(volatile uint32_t *)(IVT_DESC + 2) = IVT;
    *(volatile uint16_t *)0x10010 = 0;
    ((void (*)(void))LOW)();
    pr("real mode: cs %x, int 0x40 bx %x, flags %x, eax %x, es:10 -> %x\n",
       *(volatile uint16_t *)R_CS, *(volatile uint16_t *)R_BX,
       *(volatile uint16_t *)R_FL & 0x0fd5, *(volatile uint32_t *)R_EAX,
       *(volatile uint16_t *)0x10010);
    pr("back in protected mode: cs %x ds %x cr0.pe %d\n", read_seg_cs(), READ_SEG(ds),
       (int)(READ_CR(0) & 1));
    pr("int3 after the round trip -> vector %d\n", (int)TRY("int3"));

    /* CR0.PG with EFER.LME and no PAE: #GP(0) */
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 0x100);
    long v = TRYI("mov %0, %%cr3\n\tmov %%cr0, %%eax\n\tor $0x80000000, %%eax\n\tmov %%eax, %%cr0",
                  "r"((ureg)pml4));
    pr("cr0.pg with lme, no pae: vector %d err %lx, cr0.pg %d\n", (int)v, last_err,
       (int)(READ_CR(0) >> 31));
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~0x100ull);

    /* long mode and back */
    pml4[0] = (uint64_t)(ureg)pdpt | 3;
    for (int i = 0; i < 4; i++) {
        pdpt[i] = (uint64_t)(ureg)pd[i] | 3;
        for (int j = 0; j < 512; j++) {
            pd[i][j] = ((uint64_t)i << 30 | (uint64_t)j << 21) | 0x83;
        }
    }
    lm_roundtrip((uint32_t)(ureg)pml4);
    pr("long mode: efer in compat %x, cs %x, rax %llx, far call to compat: cs %x, push size %d\n",
       lm_efer & 0xd01, lm_cs64, lm_val, lm_compat_cs, lm_pushsz);
    pr("left long mode: cr0 %x efer %x; now cs %x efer %llx\n", lm_cr0_after & 0x80000001,
       lm_efer_after & 0xd01, read_seg_cs(), rdmsr(MSR_EFER) & 0xd01);
    pr("int3 after long mode -> vector %d\n", (int)TRY("int3"));
    return 0;
}
