/*
 * ldst.c — loads and stores: every addressing mode, sign extension, pairs,
 * literal loads, exclusives, acquire/release, DC ZVA; prints the memory and
 * register results for diffing against QEMU.
 */
#include "lib.h"

static uint8_t buf[512] __attribute__((aligned(64)));

static void fill(void)
{
    for (int i = 0; i < 512; i++) {
        buf[i] = (uint8_t)(i * 37 + 11);
    }
}

static void show(const char *name, uint64_t a, uint64_t b)
{
    puts_uart(name);
    putc_uart(' ');
    print_hex(a);
    putc_uart(' ');
    print_hex(b);
    putc_uart('\n');
}

static void dump_buf(int from, int n)
{
    uint64_t *p = (uint64_t *)(buf + from);
    for (int i = 0; i < n; i++) {
        print_hex(p[i]);
        putc_uart(i % 4 == 3 ? '\n' : ' ');
    }
    putc_uart('\n');
}

int main(void)
{
    uint64_t r0, r1, base;
    fill();
    for (int off = 0; off < 16; off++) {
        uint8_t *p = buf + 64 + off;
        __asm__ volatile("ldrb %w0, [%2]\nldrsb %1, [%2, #1]" : "=&r"(r0), "=&r"(r1) : "r"(p));
        show("ldrb/ldrsb", r0, r1);
        __asm__ volatile("ldurh %w0, [%2, #-3]\nldrsh %w1, [%2, #5]" : "=&r"(r0), "=&r"(r1) : "r"(p));
        show("ldurh/ldrsh_w", r0, r1);
        __asm__ volatile("ldur %w0, [%2, #-1]\nldrsw %1, [%2, #7]" : "=&r"(r0), "=&r"(r1) : "r"(p));
        show("ldur_w/ldrsw", r0, r1);
        __asm__ volatile("ldur %0, [%2, #3]\nldrsh %1, [%2, #-7]" : "=&r"(r0), "=&r"(r1) : "r"(p));
        show("ldur/ldrsh", r0, r1);
    }
    /* scaled unsigned offset and register offset with extends */
    base = (uint64_t)buf;
    for (int64_t idx = -2; idx < 6; idx++) {
        uint64_t b2 = base + 128;
        __asm__ volatile("ldr %0, [%2, %3, lsl #3]\nldr %w1, [%2, %w3, sxtw #2]"
                         : "=&r"(r0), "=&r"(r1) : "r"(b2), "r"(idx));
        show("ldr_reg", r0, r1);
        __asm__ volatile("ldrh %w0, [%2, %w3, sxtw]\nldrsb %w1, [%2, %3]"
                         : "=&r"(r0), "=&r"(r1) : "r"(b2), "r"(idx));
        show("ldrh_reg", r0, r1);
    }
    __asm__ volatile("ldr %0, [%2, #4088]\nldrh %w1, [%2, #4094]" : "=&r"(r0), "=&r"(r1) : "r"(base - 4000));
    show("ldr_uimm", r0, r1);

    /* pre/post index writeback */
    uint64_t p = base + 256;
    __asm__ volatile("ldr %0, [%1, #16]!" : "=&r"(r0), "+r"(p));
    show("pre", r0, p - base);
    __asm__ volatile("ldr %0, [%1], #-24" : "=&r"(r0), "+r"(p));
    show("post", r0, p - base);
    __asm__ volatile("ldrb %w0, [%1, #-1]!" : "=&r"(r0), "+r"(p));
    show("preb", r0, p - base);
    __asm__ volatile("strh %w2, [%1], #6" : "=m"(buf[0]), "+r"(p) : "r"(0xabcdu));
    show("posth", 0, p - base);
    dump_buf(224, 8);

    /* stores of every size, incl. unaligned */
    p = base + 301;
    __asm__ volatile("str %2, [%1]\nstr %w2, [%1, #9]\nstrh %w2, [%1, #15]\nstrb %w2, [%1, #18]\n"
                     "stur %2, [%1, #-17]" : "=m"(buf[0]) : "r"(p), "r"(0x1122334455667788ull));
    dump_buf(280, 8);

    /* pairs */
    p = base + 64;
    __asm__ volatile("ldp %0, %1, [%2, #-16]" : "=&r"(r0), "=&r"(r1) : "r"(p));
    show("ldp", r0, r1);
    __asm__ volatile("ldp %w0, %w1, [%2, #8]" : "=&r"(r0), "=&r"(r1) : "r"(p));
    show("ldp_w", r0, r1);
    __asm__ volatile("ldpsw %0, %1, [%2, #-4]" : "=&r"(r0), "=&r"(r1) : "r"(p));
    show("ldpsw", r0, r1);
    __asm__ volatile("ldp %0, %1, [%2, #32]!" : "=&r"(r0), "=&r"(r1), "+r"(p));
    show("ldp_pre", r0 ^ r1, p - base);
    __asm__ volatile("stp %2, %3, [%1], #-48" : "=m"(buf[0]), "+r"(p) : "r"(1ull), "r"(2ull));
    show("stp_post", 0, p - base);
    __asm__ volatile("stp %w2, %w3, [%1, #200]" : "=m"(buf[0]) : "r"(p), "r"(0x33u), "r"(0x44u));
    __asm__ volatile("stnp %2, %3, [%1, #216]" : "=m"(buf[0]) : "r"(p), "r"(0x55ull), "r"(0x66ull));
    dump_buf(48, 36);

    /* literal */
    __asm__ volatile("ldr %0, 1f\nldrsw %1, 1f\nb 2f\n.balign 8\n1: .quad 0x80000000fedcba98\n2:"
                     : "=&r"(r0), "=&r"(r1));
    show("literal", r0, r1);

    /* exclusives: success, failure after clrex, and pairs */
    uint64_t status, val;
    uint64_t *word = (uint64_t *)(buf + 384);
    *word = 41;
    __asm__ volatile("1: ldxr %0, [%2]\nadd %0, %0, #1\nstxr %w1, %0, [%2]\ncbnz %w1, 1b"
                     : "=&r"(val), "=&r"(status) : "r"(word) : "memory");
    show("ldxr/stxr", *word, status);
    __asm__ volatile("ldaxr %0, [%2]\nclrex\nstlxr %w1, %0, [%2]"
                     : "=&r"(val), "=&r"(status) : "r"(word) : "memory");
    show("clrex fails", val, status);
    __asm__ volatile("ldxr %0, [%2]\nstxr %w1, %0, [%2]\nstxr %w1, %0, [%2]"
                     : "=&r"(val), "=&r"(status) : "r"(word) : "memory");
    show("second stxr fails", val, status);
    uint32_t *w32 = (uint32_t *)(buf + 392);
    __asm__ volatile("1: ldxrh %w0, [%2]\nadd %w0, %w0, #0x101\nstxrh %w1, %w0, [%2]\ncbnz %w1, 1b"
                     : "=&r"(val), "=&r"(status) : "r"(w32) : "memory");
    show("ldxrh", *w32, status);
    uint64_t lo, hi;
    __asm__ volatile("1: ldxp %0, %1, [%3]\nadd %0, %0, #1\nadd %1, %1, #2\n"
                     "stxp %w2, %0, %1, [%3]\ncbnz %w2, 1b"
                     : "=&r"(lo), "=&r"(hi), "=&r"(status) : "r"(buf + 400) : "memory");
    show("ldxp/stxp", lo, hi);
    __asm__ volatile("1: ldaxp %w0, %w1, [%3]\nadd %w0, %w0, #1\n"
                     "stlxp %w2, %w0, %w1, [%3]\ncbnz %w2, 1b"
                     : "=&r"(lo), "=&r"(hi), "=&r"(status) : "r"(buf + 416) : "memory");
    show("ldaxp_w", lo, hi);
    __asm__ volatile("ldar %0, [%2]\nstlr %0, [%3]\nldarb %w1, [%2]"
                     : "=&r"(r0), "=&r"(r1) : "r"(buf + 400), "r"(buf + 432) : "memory");
    show("ldar/stlr", r0, r1);
    dump_buf(384, 8);

    /* DC ZVA clears a 64-byte block */
    uint64_t dcz;
    __asm__ volatile("mrs %0, dczid_el0" : "=r"(dcz));
    show("dczid", dcz, 0);
    __asm__ volatile("dc zva, %0" ::"r"(buf + 448 + 13) : "memory");
    dump_buf(440, 10);
    puts_uart("ldst done\n");
    return 0;
}
