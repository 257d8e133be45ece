/*
 * i8042.c — the PC keyboard controller (Intel 8042 as programmed on IBM
 * PC/AT compatibles): port 0x60 data, port 0x64 status (read) / command
 * (write), with a minimal PS/2 keyboard behind it and no AUX (mouse) port.
 *
 * What a kernel sees:
 *   - Controller commands: 0x20/0x60 read/write the command byte (CTR),
 *     0xaa self-test (answers 0x55, sets the SYS flag), 0xab keyboard-port
 *     test (0x00), 0xad/0xae disable/enable the keyboard, 0xa7/0xa8 the AUX
 *     enable bit, 0xd0/0xd1 read/write the output port, 0xd2 write to the
 *     output buffer as keyboard data, 0xf0..0xff pulse output-port bits.
 *     Bit 0 of the output port is the CPU reset line: 0xfe (pulse bit 0) or
 *     a 0xd1 write with bit 0 clear calls the board's reset callback.
 *   - No AUX device: 0xa9 (AUX interface test) reports "clock line stuck
 *     high" (0x02) and 0xd3 (AUX loopback) echoes its byte as keyboard data
 *     (without STR_AUXDATA). Linux's i8042_check_aux() then decides there is
 *     no AUX port at once, without waiting for a timeout.
 *   - The keyboard acknowledges every command (0xfa): 0xff reset answers
 *     0xfa 0xaa, 0xf2 identify answers 0xfa 0xab 0x83 (0x41 translated when
 *     CTR.XLATE is set), 0xee echo answers 0xee; commands with an argument
 *     (0xed LEDs, 0xf0 scan-code set, 0xf3 typematic) acknowledge it too.
 *     No key is ever pressed (input is the serial console).
 * Interrupts: IRQ 1 while the output buffer holds keyboard data and
 * CTR.KBDINT is set (the line drops when port 0x60 is read and is raised
 * again, an edge, for the next queued byte).
 */
#include <pthread.h>
#include <stdlib.h>

#include "hw/i386/pc-internal.h"
#include "util/log.h"

#define QUEUE_SIZE 16

struct I8042State {
    pthread_mutex_t lock;
    IRQLine kbd_irq, aux_irq;
    int kbd_level, aux_level;
    void (*reset_cb)(void *);
    void *reset_opaque;
    uint8_t queue[QUEUE_SIZE];
    bool queue_aux[QUEUE_SIZE];
    int head, count;
    uint8_t ctr;       /* controller command byte */
    uint8_t status;    /* SYS and CMD bits; OBF/AUXDATA derive from the queue */
    uint8_t outport;   /* bit 0 = not in reset, bit 1 = A20 */
    uint8_t pending;   /* controller command waiting for its data byte, or 0 */
    uint8_t kbd_pending; /* keyboard command waiting for its argument, or 0 */
};

static void queue_byte(I8042State *s, uint8_t v, bool aux)
{
    if (s->count == QUEUE_SIZE) {
        return; /* a real controller would lose it too */
    }
    int i = (s->head + s->count) % QUEUE_SIZE;
    s->queue[i] = v;
    s->queue_aux[i] = aux;
    s->count++;
}

/* Lock held: drive IRQ 1 / IRQ 12 from the byte at the head of the queue. */
static void update_irq(I8042State *s)
{
    int kbd = 0, aux = 0;
    if (s->count) {
        if (s->queue_aux[s->head]) {
            aux = (s->ctr & I8042_CTR_AUXINT) != 0;
        } else {
            kbd = (s->ctr & I8042_CTR_KBDINT) != 0;
        }
    }
    if (kbd != s->kbd_level) {
        s->kbd_level = kbd;
        irq_set(&s->kbd_irq, kbd);
    }
    if (aux != s->aux_level) {
        s->aux_level = aux;
        irq_set(&s->aux_irq, aux);
    }
}

/* Lock held: a byte written to port 0x60 with no controller command pending. */
static void keyboard_write(I8042State *s, uint8_t v)
{
    if (s->kbd_pending) {
        s->kbd_pending = 0;
        queue_byte(s, 0xfa, false); /* argument acknowledged */
        return;
    }
    switch (v) {
    case 0xff: /* reset and self-test */
        queue_byte(s, 0xfa, false);
        queue_byte(s, 0xaa, false);
        break;
    case 0xf2: /* identify */
        queue_byte(s, 0xfa, false);
        queue_byte(s, 0xab, false);
        queue_byte(s, (s->ctr & I8042_CTR_XLATE) ? 0x41 : 0x83, false);
        break;
    case 0xee: /* echo */
        queue_byte(s, 0xee, false);
        break;
    case 0xed: /* set LEDs */
    case 0xf0: /* scan-code set */
    case 0xf3: /* typematic rate */
        s->kbd_pending = v;
        queue_byte(s, 0xfa, false);
        break;
    default:
        queue_byte(s, 0xfa, false);
        break;
    }
}

/* Lock held; returns true if the CPU reset line was pulsed. */
static bool write_outport(I8042State *s, uint8_t v)
{
    s->outport = v | 0x01;
    return !(v & 0x01);
}

static bool controller_command(I8042State *s, uint8_t cmd)
{
    switch (cmd) {
    case 0x20: /* read CTR */
        queue_byte(s, s->ctr, false);
        break;
    case 0x60: /* write CTR */
    case 0xd1: /* write output port */
    case 0xd2: /* write keyboard output buffer */
    case 0xd3: /* write AUX output buffer (loopback) */
    case 0xd4: /* write to the AUX device */
        s->pending = cmd;
        break;
    case 0xa7:
        s->ctr |= I8042_CTR_AUXDIS;
        break;
    case 0xa8:
        s->ctr &= (uint8_t)~I8042_CTR_AUXDIS;
        break;
    case 0xa9: /* AUX interface test: clock line stuck high (no device) */
        queue_byte(s, 0x02, false);
        break;
    case 0xaa: /* controller self-test */
        s->status |= I8042_STR_SYS;
        queue_byte(s, 0x55, false);
        break;
    case 0xab: /* keyboard interface test */
        queue_byte(s, 0x00, false);
        break;
    case 0xad:
        s->ctr |= I8042_CTR_KBDDIS;
        break;
    case 0xae:
        s->ctr &= (uint8_t)~I8042_CTR_KBDDIS;
        break;
    case 0xc0: /* read input port: keyboard not inhibited */
        queue_byte(s, 0x80, false);
        break;
    case 0xd0: /* read output port */
        queue_byte(s, s->outport, false);
        break;
    default:
        if (cmd >= 0xf0) {
            /* pulse the output-port bits whose mask bit is 0; bit 0 is reset */
            return !(cmd & 0x01);
        }
        log_mask_printf(LOG_UNIMP, "i8042: command 0x%02x not implemented\n", cmd);
        break;
    }
    return false;
}

static bool data_write(I8042State *s, uint8_t v)
{
    uint8_t cmd = s->pending;
    s->pending = 0;
    switch (cmd) {
    case 0x60:
        s->ctr = v;
        s->status = (s->status & (uint8_t)~I8042_STR_SYS) | (v & I8042_CTR_SYS);
        break;
    case 0xd1:
        return write_outport(s, v);
    case 0xd2:
    case 0xd3: /* no AUX port: the echo comes back as keyboard data */
        queue_byte(s, v, false);
        break;
    case 0xd4:
        break; /* no AUX device: the byte goes nowhere */
    default:
        keyboard_write(s, v);
        break;
    }
    return false;
}

uint64_t i8042_read(void *opaque, uint64_t offset, unsigned size)
{
    I8042State *s = opaque;
    uint8_t v = 0xff;
    pthread_mutex_lock(&s->lock);
    if (offset == 0) {
        if (s->count) {
            v = s->queue[s->head];
            s->head = (s->head + 1) % QUEUE_SIZE;
            s->count--;
            /* drop the line so the next queued byte makes a fresh edge */
            if (s->kbd_level) {
                s->kbd_level = 0;
                irq_set(&s->kbd_irq, 0);
            }
            if (s->aux_level) {
                s->aux_level = 0;
                irq_set(&s->aux_irq, 0);
            }
        } else {
            v = 0x00;
        }
        update_irq(s);
    } else if (offset == 4) {
        v = s->status | I8042_STR_UNLOCKED;
        if (s->count) {
            v |= I8042_STR_OBF | (s->queue_aux[s->head] ? I8042_STR_AUXDATA : 0);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return v;
}

void i8042_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    I8042State *s = opaque;
    uint8_t v = (uint8_t)value;
    bool reset = false;
    pthread_mutex_lock(&s->lock);
    if (offset == 0) {
        s->status &= (uint8_t)~I8042_STR_CMD;
        reset = data_write(s, v);
    } else if (offset == 4) {
        s->status |= I8042_STR_CMD;
        s->pending = 0;
        reset = controller_command(s, v);
    }
    update_irq(s);
    pthread_mutex_unlock(&s->lock);
    if (reset && s->reset_cb) {
        s->reset_cb(s->reset_opaque);
    }
}

/* Port 0x64 as its own one-port range (port 0x61 lies between the two). */
static uint64_t i8042_cmd_read(void *opaque, uint64_t offset, unsigned size)
{
    return i8042_read(opaque, 4, size);
}

static void i8042_cmd_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    i8042_write(opaque, 4, value, size);
}

const MemoryRegionOps i8042_data_ops = {
    .read = i8042_read, .write = i8042_write, .min_access = 1, .max_access = 1,
};
const MemoryRegionOps i8042_cmd_ops = {
    .read = i8042_cmd_read, .write = i8042_cmd_write, .min_access = 1, .max_access = 1,
};

void i8042_reset(I8042State *s)
{
    pthread_mutex_lock(&s->lock);
    s->head = s->count = 0;
    /* what a BIOS leaves: keyboard interrupt on, translation on, AUX disabled */
    s->ctr = I8042_CTR_KBDINT | I8042_CTR_SYS | I8042_CTR_XLATE | I8042_CTR_AUXDIS;
    s->status = I8042_STR_SYS;
    s->outport = 0x03; /* not in reset, A20 enabled */
    s->pending = s->kbd_pending = 0;
    update_irq(s);
    pthread_mutex_unlock(&s->lock);
}

I8042State *i8042_new(IRQLine kbd_irq, IRQLine aux_irq, void (*reset)(void *), void *opaque)
{
    I8042State *s = calloc(1, sizeof(*s));
    if (!s) {
        fatal("out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    s->kbd_irq = kbd_irq;
    s->aux_irq = aux_irq;
    s->reset_cb = reset;
    s->reset_opaque = opaque;
    i8042_reset(s);
    return s;
}

void i8042_free(I8042State *s)
{
    if (s) {
        pthread_mutex_destroy(&s->lock);
        free(s);
    }
}
