/*
 * serial-16550.h — the National Semiconductor PC16550D UART (the PC's COM
 * ports), as Linux's 8250 driver sees it.
 *
 * Eight byte registers at offsets 0..7 (port I/O on a PC: COM1 = 0x3f8).
 * TX is immediate (chardev_write; THR and the TX FIFO are always empty, so
 * LSR.THRE = LSR.TEMT = 1); RX has a 16-byte FIFO (a 1-byte holding register
 * with FCR.FIFOE clear) fed from the chardev's input thread. The interrupt
 * output is the "interrupt pending" state of IIR (level: 1 while a source is
 * pending and enabled); the board gates nothing (MCR.OUT2 is stored only).
 */
#ifndef HW_CHAR_SERIAL_16550_H
#define HW_CHAR_SERIAL_16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exec/memory.h"
#include "system/chardev.h"
#include "system/machine.h"

typedef struct Serial16550State Serial16550State;

/* chr may be NULL (output dropped, no input). */
Serial16550State *serial16550_new(Chardev *chr, IRQLine irq);
void serial16550_free(Serial16550State *s);
void serial16550_reset(Serial16550State *s);

/* Register access (offset 0..7, size 1; wider accesses touch the first byte only). */
uint64_t serial16550_read(void *opaque, uint64_t offset, unsigned size);
void serial16550_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);
/* Input path (what the chardev calls); returns bytes accepted. */
size_t serial16550_receive(void *opaque, const uint8_t *buf, size_t len);
/* Ops for a port-I/O or MMIO registration of 8 bytes (opaque = the state). */
extern const MemoryRegionOps serial16550_ops;

/* Register offsets (PC16550D data sheet, Table II) */
#define UART_RBR 0 /* read, DLAB=0 */
#define UART_THR 0 /* write, DLAB=0 */
#define UART_DLL 0 /* DLAB=1 */
#define UART_IER 1 /* DLAB=0 */
#define UART_DLM 1 /* DLAB=1 */
#define UART_IIR 2 /* read */
#define UART_FCR 2 /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI 0x01  /* received data available */
#define UART_IER_THRI 0x02 /* THR empty */
#define UART_IER_RLSI 0x04 /* receiver line status */
#define UART_IER_MSI 0x08  /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI 0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_CTI 0x0c   /* character timeout */
#define UART_IIR_FIFO 0xc0  /* FIFOs enabled */

#define UART_FCR_FIFOE 0x01
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_FCR_CLEAR_XMIT 0x04

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_BI 0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80

#endif
