/* hello.c — the harness itself (also built 32-bit as hello_32 by a link): COM1 output, CPU mode at main, a trap and its fixup. */
#include "lib.h"

int main(void)
{
    pr("hello from %s mode\n", sizeof(long) == 8 ? "64-bit" : "32-bit");
    pr("cs %x ds %x ss %x\n", read_seg_cs(), READ_SEG(ds), READ_SEG(ss));
    pr("cr0 %lx cr4 %lx efer %llx\n", READ_CR(0) & 0x80000011, READ_CR(4) & 0x20,
       rdmsr(MSR_EFER) & 0xd01);
    long v = TRY("ud2");
    pr("ud2 -> vector %d\n", (int)v);
    v = TRY("int3");
    pr("int3 -> vector %d\n", (int)v);
    return 0;
}
