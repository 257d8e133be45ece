/*
 * pl011.h — Arm PrimeCell UART (PL011), Arm DDI 0183.
 *
 * TX is immediate (chardev_write, the FIFO never fills); RX has a 32-entry
 * FIFO (1 entry with LCR_H.FEN clear) fed from the chardev's input thread.
 * Interrupts: RX (FIFO at or above the IFLS trigger), RT (data waiting below
 * the trigger, standing in for the receive timeout), TX (FIFO at or below its
 * trigger: always true once a character was sent or TX is enabled); the
 * output line is (RIS & IMSC) != 0.
 */
#ifndef HW_CHAR_PL011_H
#define HW_CHAR_PL011_H

#include <stdint.h>

#include "exec/memory.h"
#include "system/chardev.h"
#include "system/machine.h"

#define PL011_MMIO_SIZE 0x1000

typedef struct PL011State PL011State;

/* chr may be NULL (output dropped, no input). */
PL011State *pl011_new(Chardev *chr, IRQLine irq);
void pl011_free(PL011State *s);
void pl011_reset(PL011State *s);
void pl011_map(PL011State *s, AddressSpace *as, uint64_t base);

/* MMIO callbacks (opaque = PL011State*), for tests */
uint64_t pl011_read(void *opaque, uint64_t offset, unsigned size);
void pl011_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);
/* Input path (what the chardev calls); returns bytes accepted */
size_t pl011_receive(void *opaque, const uint8_t *buf, size_t len);

/* Registers (DDI 0183 §3.2) */
#define UARTDR 0x000
#define UARTRSR 0x004
#define UARTFR 0x018
#define UARTILPR 0x020
#define UARTIBRD 0x024
#define UARTFBRD 0x028
#define UARTLCR_H 0x02c
#define UARTCR 0x030
#define UARTIFLS 0x034
#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define UARTMIS 0x040
#define UARTICR 0x044
#define UARTDMACR 0x048
#define UARTPERIPHID0 0xfe0

#define PL011_FR_BUSY (1u << 3)
#define PL011_FR_RXFE (1u << 4)
#define PL011_FR_TXFF (1u << 5)
#define PL011_FR_RXFF (1u << 6)
#define PL011_FR_TXFE (1u << 7)
#define PL011_INT_RX (1u << 4)
#define PL011_INT_TX (1u << 5)
#define PL011_INT_RT (1u << 6)
#define PL011_LCRH_FEN (1u << 4)
#define PL011_CR_UARTEN (1u << 0)
#define PL011_CR_TXE (1u << 8)
#define PL011_CR_RXE (1u << 9)

#endif
