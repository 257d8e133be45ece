/*
 * chardev.h — serial character back-ends: stdio, file:PATH, none.
 *
 * A UART model writes bytes with chardev_write() from any core thread and
 * receives input through the callback it registers; input is delivered
 * from the machine's I/O thread (system/chardev.c), so a device must lock
 * its own state in the callback. The stdio back-end puts an interactive
 * terminal in raw mode (restored on every exit path) and handles the
 * Ctrl-A escapes: Ctrl-A x quits, Ctrl-A h prints help, Ctrl-A c is
 * reserved for the monitor, Ctrl-A Ctrl-A sends one Ctrl-A.
 */
#ifndef SYSTEM_CHARDEV_H
#define SYSTEM_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Chardev Chardev;

/* Called with received bytes; returns how many it accepted (the rest is retried later). */
typedef size_t (*ChardevReceiveFn)(void *opaque, const uint8_t *buf, size_t len);

/* spec: "stdio", "file:PATH", "none"; NULL and an error line on failure */
Chardev *chardev_open(const char *spec);
void chardev_close(Chardev *chr);
void chardev_write(Chardev *chr, const uint8_t *buf, size_t len);
void chardev_set_receiver(Chardev *chr, ChardevReceiveFn fn, void *opaque);
/* A device that had to refuse input calls this once it can take more. */
void chardev_accept_input(Chardev *chr);

/*
 * Ctrl-A x on stdio: with no handler the process exit(0)s (atexit cleanups
 * restore the terminal). With one, "coremu: terminated" is printed and fn is
 * called from the input thread instead, so the machine can shut down cleanly
 * (e.g. fn calls machine_request_shutdown(m, 1, 0)); a second Ctrl-A x then
 * exits at once. fn must not call chardev_close() or chardev_set_receiver().
 */
typedef void (*ChardevQuitFn)(void *opaque);
void chardev_set_quit_handler(Chardev *chr, ChardevQuitFn fn, void *opaque);

#endif
