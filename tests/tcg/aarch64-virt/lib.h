/* lib.h — tiny runtime for the virt-board GIC/timer tests (PL011 at 0x09000000). */
#ifndef TESTS_TCG_AARCH64_VIRT_LIB_H
#define TESTS_TCG_AARCH64_VIRT_LIB_H
#include <stdint.h>

void putc_uart(char c);
void puts_uart(const char *s);
void print_hex(uint64_t v);
void print_dec(int64_t v);
void printf_min(const char *fmt, ...);
/* check(): prints "ok NAME" or "FAIL NAME got/expected" */
void check(const char *name, uint64_t got, uint64_t expected);
extern int failures;
/* Set by exc_handler: last exception type (vector index), ESR, ELR, FAR. */
extern volatile uint64_t last_exc_type, last_esr, last_elr, last_far;
/* When non-zero, exc_handler skips the faulting instruction (ELR += 4;
 * SVC/HVC/SMC already return past themselves). */
extern volatile int exc_skip;
extern volatile uint64_t exc_count;
/* Called for IRQ exceptions (vector types 1, 5, 9, 13) when set. */
extern void (*volatile irq_handler)(void);
/* Called for FIQ exceptions (vector types 2, 6, 10, 14) when set. */
extern void (*volatile fiq_handler)(void);
#endif
