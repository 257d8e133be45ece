/*
 * lib.c — COM1 output, descriptor helpers, the IDT/TSS set-up and trap(),
 * the C side of every interrupt of the bare-metal x86 tests (lib.h).
 */
#include <stdarg.h>

#include "lib.h"

#define COM1 0x3f8

int failures;
volatile ureg last_vec, last_err, last_ip, last_cs, last_cr2, last_sp, last_flags;
volatile int trap_count;
volatile ureg fixup_ip;
int (*volatile trap_hook[256])(struct frame *f);
uint8_t tss[0x68 + 8] __attribute__((aligned(16)));

#ifdef __x86_64__
static uint64_t idt[512] __attribute__((aligned(16)));
#else
static uint64_t idt[256] __attribute__((aligned(16)));
#endif
extern uint8_t isr_stubs[];

void putc_com1(char c)
{
    while (!(inb(COM1 + 5) & 0x20)) {
    }
    outb(COM1, (uint8_t)c);
}

static void puts_com1(const char *s)
{
    while (*s) {
        putc_com1(*s++);
    }
}

static void put_hex(uint64_t v, int width)
{
    char buf[16];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n < width) {
        buf[n++] = '0';
    }
    while (n) {
        putc_com1(buf[--n]);
    }
}

static void put_dec(long v)
{
    char buf[24];
    int n = 0;
    unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
    if (v < 0) {
        putc_com1('-');
    }
    do {
        buf[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n) {
        putc_com1(buf[--n]);
    }
}

void pr(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            putc_com1(*fmt);
            continue;
        }
        int width = 0, lng = 0;
        fmt++;
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l') {
            lng++;
            fmt++;
        }
        switch (*fmt) {
        case 'd': put_dec(lng ? va_arg(ap, long) : va_arg(ap, int)); break;
        case 'u': put_dec((long)(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned))); break;
        case 'x':
            put_hex(lng == 2 ? va_arg(ap, uint64_t) : lng ? va_arg(ap, unsigned long)
                                                         : va_arg(ap, unsigned),
                    width);
            break;
        case 's': puts_com1(va_arg(ap, const char *)); break;
        case 'c': putc_com1((char)va_arg(ap, int)); break;
        default: putc_com1('%'); putc_com1(*fmt); break;
        }
    }
    va_end(ap);
}

void check(const char *name, uint64_t got, uint64_t expected)
{
    if (got == expected) {
        pr("ok %s\n", name);
    } else {
        pr("FAIL %s got %llx expected %llx\n", name, got, expected);
        failures++;
    }
}

void exit_test(void)
{
    pr("done: %d failures\n", failures);
    outb(0xcf9, 0x02);
    outb(0xcf9, 0x06); /* reset; -no-reboot makes it an exit */
    for (;;) {
        asm volatile("cli; hlt");
    }
}

/* ---------------------------------------------------------- descriptors */

void set_gdt(int sel, uint64_t desc)
{
    gdt[sel >> 3] = desc;
}

/* access = the descriptor's byte 5 (type, S, DPL, P); flags = byte 6 high nibble (G D/B L AVL) */
uint64_t seg_desc(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
    return (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
           (uint64_t)(access & 0xff) << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
           (uint64_t)(flags & 0xf) << 52 | (uint64_t)(base >> 24) << 56;
}

void set_idt(int vec, void *handler, int type, int dpl, int ist, int sel)
{
    ureg h = (ureg)handler;
    uint64_t lo = (h & 0xffff) | (uint64_t)sel << 16 | (uint64_t)(ist & 7) << 32 |
                  (uint64_t)(type & 0x1f) << 40 | (uint64_t)dpl << 45 | 1ull << 47 |
                  (uint64_t)((h >> 16) & 0xffff) << 48;
#ifdef __x86_64__
    idt[2 * vec] = lo;
    idt[2 * vec + 1] = h >> 32;
#else
    idt[vec] = lo;
#endif
}

void *isr_stub(int vec)
{
    return isr_stubs + 16 * vec;
}

void set_idt_default(int vec, int dpl)
{
    set_idt(vec, isr_stub(vec), 0xe, dpl, 0, SEL_KCODE);
}

void lib_init(void)
{
    pr("\n@@start\n");
    /* the firmware may have left the 8259 unmasked (SeaBIOS: the PIT on IRQ 0 at
     * vector 8): tests see only the interrupts they cause */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    for (int v = 0; v < 256; v++) {
        set_idt_default(v, v == 0x80 ? 3 : 0);
    }
    struct {
        uint16_t limit;
        ureg base;
    } __attribute__((packed)) d = {sizeof(idt) - 1, (ureg)idt};
    asm volatile("lidt %0" ::"m"(d));
    ureg t = (ureg)tss;
#ifdef __x86_64__
    *(uint64_t *)(tss + 4) = (ureg)intr_stack_top;        /* RSP0 */
    *(uint64_t *)(tss + 0x24) = (ureg)ist_stack_top;      /* IST1 */
    *(uint16_t *)(tss + 0x66) = 0x68;                     /* no I/O bitmap */
    set_gdt(SEL_TSS, seg_desc((uint32_t)t, 0x67, 0x89, 0));
    set_gdt(SEL_TSS + 8, (uint64_t)t >> 32);
#else
    *(uint32_t *)(tss + 4) = (ureg)intr_stack_top;        /* ESP0 */
    *(uint32_t *)(tss + 8) = SEL_KDATA;                   /* SS0 */
    *(uint16_t *)(tss + 0x66) = 0x68;
    set_gdt(SEL_TSS, seg_desc((uint32_t)t, 0x67, 0x89, 0));
#endif
    asm volatile("ltr %w0" ::"r"(SEL_TSS));
}

/* --------------------------------------------------------------- traps */

void trap(struct frame *f)
{
    last_vec = f->vec;
    last_err = f->err;
    last_ip = f->ip;
    last_cs = f->cs;
    last_flags = f->flags;
    last_sp = f->sp;
    if (f->vec == 14) {
        last_cr2 = READ_CR(2);
    }
    trap_count++;
    int (*hook)(struct frame *) = trap_hook[f->vec];
    if (hook && hook(f)) {
        return;
    }
    if ((f->cs & 3) == 3) {
        user_return((long)f->vec);
    }
    if (fixup_ip) {
        f->ip = fixup_ip;
        fixup_ip = 0;
        return;
    }
    pr("unexpected trap %d err %lx at %lx cs %lx cr2 %lx\n", (int)f->vec, f->err, f->ip,
       f->cs, READ_CR(2));
    failures++;
    exit_test();
}
