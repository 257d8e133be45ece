/* lib.c — UART output and the exception handler of the virt-board GIC/timer
 * tests (adapted from tests/tcg/aarch64/lib.c). The handler's frame (start.S)
 * holds the saved ELR_EL1 at regs[20] and SPSR_EL1 at regs[21]: those are
 * what ERET uses, so the handler edits them instead of the registers. */
#include <stdarg.h>
#include "lib.h"

#define UART_DR ((volatile uint32_t *)0x09000000)
#define UART_FR ((volatile uint32_t *)0x09000018)

int failures;
volatile uint64_t last_exc_type, last_esr, last_elr, last_far;
volatile int exc_skip;
volatile uint64_t exc_count;
void (*volatile irq_handler)(void);
void (*volatile fiq_handler)(void);

void putc_uart(char c)
{
    while (*UART_FR & (1 << 5)) {
    }
    *UART_DR = (uint32_t)c;
}

void puts_uart(const char *s)
{
    while (*s) {
        if (*s == '\n') {
            putc_uart('\r');
        }
        putc_uart(*s++);
    }
}

void print_hex(uint64_t v)
{
    char buf[19];
    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 16; i++) {
        buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
    }
    buf[18] = 0;
    puts_uart(buf);
}

void print_dec(int64_t v)
{
    char buf[24];
    int n = 0;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    if (v < 0) {
        putc_uart('-');
    }
    do {
        buf[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n) {
        putc_uart(buf[--n]);
    }
}

void check(const char *name, uint64_t got, uint64_t expected)
{
    if (got == expected) {
        puts_uart("ok ");
        puts_uart(name);
        puts_uart("\n");
    } else {
        failures++;
        puts_uart("FAIL ");
        puts_uart(name);
        puts_uart(" got ");
        print_hex(got);
        puts_uart(" expected ");
        print_hex(expected);
        puts_uart("\n");
    }
}

void exc_handler(uint64_t type, uint64_t esr, uint64_t elr, uint64_t far, uint64_t *regs);
void exc_handler(uint64_t type, uint64_t esr, uint64_t elr, uint64_t far, uint64_t *regs)
{
    if ((type & 3) == 1 && irq_handler) {
        irq_handler();
        return;
    }
    if ((type & 3) == 2 && fiq_handler) {
        fiq_handler();
        return;
    }
    last_exc_type = type;
    last_esr = esr;
    last_elr = elr;
    last_far = far;
    exc_count++;
    if (exc_skip) {
        uint64_t ec = esr >> 26;
        if (ec != 0x15 && ec != 0x16 && ec != 0x17) {
            regs[20] = elr + 4;
        }
        return;
    }
    puts_uart("unexpected exception type ");
    print_dec((int64_t)type);
    puts_uart(" esr ");
    print_hex(esr);
    puts_uart(" elr ");
    print_hex(elr);
    puts_uart(" far ");
    print_hex(far);
    puts_uart("\n");
    extern void psci_off(void);
    psci_off();
}

/* Default entry of a core started by PSCI CPU_ON (tests override it). */
__attribute__((weak)) void secondary_main(void);
__attribute__((weak)) void secondary_main(void)
{
}
