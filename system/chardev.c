/*
 * chardev.c — serial character back-ends (see include/system/chardev.h).
 *
 * Three kinds: "none" (or QEMU's "null") drops output; "file:PATH" truncates PATH and writes
 * output to it; "stdio" writes output to fd 1 and reads fd 0.
 *
 * Output: chardev_write() may be called from any core thread; each chardev
 * has an output mutex so one call's bytes are never interleaved with
 * another's. Writes are unbuffered and whole: a short write, EINTR or
 * EAGAIN (non-blocking stdout: we poll for POLLOUT) is retried; a hard
 * error (EIO, EPIPE, ...) is reported once and further output dropped.
 *
 * Input (stdio only): one reader thread per chardev polls fd 0 and a wake-up
 * pipe (used by chardev_close()), turns the bytes through the Ctrl-A escape
 * state machine and hands the result to the receiver callback, with no
 * chardev lock held (so the callback may call chardev_write() or
 * chardev_accept_input()). Bytes the receiver did not accept are kept and
 * re-offered when the device calls chardev_accept_input() (a condition
 * variable; a 50 ms timed wait is the safety net for a device that never
 * calls it). While nothing is accepted the reader does not read more, so
 * the host tty's own buffer provides the back-pressure. Input read before a
 * receiver is registered waits for one. At EOF (or a read error) the
 * reader stops; the emulator goes on.
 *
 * Escapes (like QEMU's -nographic mux, handled whether or not stdin is a
 * terminal so a pipe can drive them): Ctrl-A x prints "coremu: terminated"
 * and calls the quit handler if one is set (a clean machine shutdown; a
 * second Ctrl-A x forces the exit), else exit(0)s (atexit cleanups then
 * restore the terminal), Ctrl-A h
 * prints the list, Ctrl-A c is reserved for the monitor, Ctrl-A Ctrl-A
 * sends one Ctrl-A, Ctrl-A + any other byte sends both bytes.
 *
 * Terminal: if fd 0 is a terminal it is put in raw mode (no echo, no line
 * editing, no signals from ^C/^Z: those bytes go to the guest, 8-bit clean,
 * no CR/NL translation on input). Output processing (OPOST) is left as it
 * was, as QEMU does: a guest that prints a bare "\n" still starts the next
 * line at column 0, and the usual guest "\r\n" looks the same. The saved
 * settings are restored by chardev_close(), by an atexit_cleanup() hook
 * (exit(), fatal(), Ctrl-A x) and by SIGTERM/SIGINT/SIGHUP handlers that
 * restore and then re-raise the signal with its default action. Handlers
 * are installed only where the signal still had its default action, so a
 * handler main() installed itself is not replaced. Only one stdio chardev
 * can be open at a time.
 */
#include "system/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#define CTRL_A 0x01
#define READ_CHUNK 256
#define RETRY_NS (50 * 1000 * 1000) /* safety-net retry of refused input */

typedef enum ChardevKind { CHR_NONE, CHR_FILE, CHR_STDIO } ChardevKind;

struct Chardev {
    ChardevKind kind;
    char *name;                /* for messages: "stdio", the file path */

    /* output */
    int out_fd;                /* -1: discard */
    bool own_out_fd;           /* close out_fd in chardev_close() */
    bool out_broken;           /* a write failed for good: drop output */
    pthread_mutex_t out_lock;  /* serialises writers; guards out_broken */

    /* input (stdio): in_lock guards recv, recv_opaque, kick, closing */
    pthread_mutex_t in_lock;
    pthread_cond_t in_cond;
    ChardevReceiveFn recv;
    void *recv_opaque;
    bool kick;                 /* chardev_accept_input() since last offer */
    bool in_callback;          /* the reader is inside recv() right now */
    bool closing;
    bool esc_pending;          /* reader thread only: last byte was Ctrl-A */
    ChardevQuitFn quit_fn;     /* Ctrl-A x handler (in_lock) */
    void *quit_opaque;
    bool quit_requested;       /* reader thread only: Ctrl-A x seen once */
    bool reader_started;
    pthread_t reader;
    int wake_pipe[2];
};

/* ---- terminal state (one stdio chardev at a time) ----------------------- */

static pthread_mutex_t stdio_lock = PTHREAD_MUTEX_INITIALIZER;
static Chardev *stdio_owner;           /* guarded by stdio_lock */
static struct termios saved_tio;
static volatile sig_atomic_t tty_raw; /* saved_tio is valid and must be restored */
static bool cleanup_registered;
static bool signals_installed;
static const int tty_signals[] = {SIGTERM, SIGINT, SIGHUP};

/* Async-signal-safe: tcsetattr() is, and the flag makes it idempotent. */
static void tty_restore(void)
{
    if (tty_raw) {
        tty_raw = 0;
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
    }
}

/* SA_RESETHAND put the default action back; the raised signal is delivered on return. */
static void tty_signal_handler(int sig)
{
    int saved_errno = errno;
    tty_restore();
    raise(sig);
    errno = saved_errno;
}

static void tty_install_signals(void)
{
    if (signals_installed) {
        return;
    }
    signals_installed = true;
    for (size_t i = 0; i < sizeof(tty_signals) / sizeof(tty_signals[0]); i++) {
        struct sigaction old, sa;
        if (sigaction(tty_signals[i], NULL, &old) < 0 || old.sa_handler != SIG_DFL ||
            (old.sa_flags & SA_SIGINFO)) {
            continue; /* someone else handles (or ignores) it */
        }
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = tty_signal_handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        sigaction(tty_signals[i], &sa, NULL);
    }
}

static void tty_make_raw(void)
{
    struct termios tio;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0) {
        return;
    }
    tio = saved_tio;
    tio.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL |
                               IXON);
    tio.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    tio.c_cflag |= CS8;
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    /* c_oflag untouched: see the header comment */
    if (!cleanup_registered) {
        cleanup_registered = true;
        atexit_cleanup(tty_restore);
    }
    tty_install_signals();
    if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0) {
        tty_raw = 1;
    }
}

/* ---- output ------------------------------------------------------------- */

/* Write all of buf to fd; false on a hard error (errno set). */
static bool write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct pollfd pfd = {.fd = fd, .events = POLLOUT};
                poll(&pfd, 1, 1000);
                continue;
            }
            return false;
        }
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

/* Caller holds out_lock. */
static void write_locked(Chardev *chr, const uint8_t *buf, size_t len)
{
    if (chr->out_fd < 0 || chr->out_broken || len == 0) {
        return;
    }
    if (!write_all(chr->out_fd, buf, len)) {
        chr->out_broken = true;
        error_report("serial output to %s failed: %s (further output dropped)", chr->name,
                     strerror(errno));
    }
}

void chardev_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    if (!chr || chr->out_fd < 0) {
        return;
    }
    pthread_mutex_lock(&chr->out_lock);
    write_locked(chr, buf, len);
    pthread_mutex_unlock(&chr->out_lock);
}

static void write_str(Chardev *chr, const char *s)
{
    chardev_write(chr, (const uint8_t *)s, strlen(s));
}

/* ---- input -------------------------------------------------------------- */

static const char escape_help[] =
    "\r\n"
    "C-a h    print this help\r\n"
    "C-a x    exit the emulator\r\n"
    "C-a c    switch to the monitor (no monitor yet)\r\n"
    "C-a C-a  send C-a to the guest\r\n";

/*
 * Run the escape state machine over in[0..n); bytes for the guest go to
 * out (at most 2n of them). Ctrl-A x does not return.
 */
static size_t process_escapes(Chardev *chr, const uint8_t *in, size_t n, uint8_t *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = in[i];
        if (!chr->esc_pending) {
            if (c == CTRL_A) {
                chr->esc_pending = true;
            } else {
                out[m++] = c;
            }
            continue;
        }
        chr->esc_pending = false;
        switch (c) {
        case 'x':
        case 'X': {
            pthread_mutex_lock(&chr->in_lock);
            ChardevQuitFn fn = chr->quit_fn;
            void *opaque = chr->quit_opaque;
            pthread_mutex_unlock(&chr->in_lock);
            if (!chr->quit_requested) {
                write_str(chr, "\r\ncoremu: terminated\r\n");
            }
            if (fn && !chr->quit_requested) {
                chr->quit_requested = true;
                fn(opaque); /* a clean shutdown; a second Ctrl-A x forces it */
                break;
            }
            exit(0); /* atexit cleanups restore the terminal */
        }
        case 'h':
        case 'H':
        case '?':
            write_str(chr, escape_help);
            break;
        case 'c':
        case 'C':
            write_str(chr, "\r\n(no monitor yet)\r\n");
            break;
        case CTRL_A:
            out[m++] = CTRL_A;
            break;
        default:
            out[m++] = CTRL_A;
            out[m++] = c;
            break;
        }
    }
    return m;
}

static void deadline_in(struct timespec *ts, long ns)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_nsec += ns;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec += ts->tv_nsec / 1000000000L;
        ts->tv_nsec %= 1000000000L;
    }
}

/*
 * Offer buf to the receiver until all of it is accepted. Returns false if
 * the chardev is closing (the rest is dropped).
 */
static bool deliver(Chardev *chr, const uint8_t *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        pthread_mutex_lock(&chr->in_lock);
        while (!chr->recv && !chr->closing) {
            pthread_cond_wait(&chr->in_cond, &chr->in_lock);
        }
        if (chr->closing) {
            pthread_mutex_unlock(&chr->in_lock);
            return false;
        }
        ChardevReceiveFn fn = chr->recv;
        void *opaque = chr->recv_opaque;
        chr->kick = false; /* a kick from now on means "try again" */
        chr->in_callback = true;
        pthread_mutex_unlock(&chr->in_lock);

        size_t n = fn(opaque, buf + off, len - off);

        pthread_mutex_lock(&chr->in_lock);
        chr->in_callback = false;
        pthread_cond_broadcast(&chr->in_cond); /* chardev_set_receiver() may wait for this */
        pthread_mutex_unlock(&chr->in_lock);
        off += n < len - off ? n : len - off;
        if (off == len) {
            break;
        }
        /* refused (some of) it: wait until the device has room */
        pthread_mutex_lock(&chr->in_lock);
        if (!chr->kick && !chr->closing) {
            struct timespec ts;
            deadline_in(&ts, RETRY_NS);
            while (!chr->kick && !chr->closing &&
                   pthread_cond_timedwait(&chr->in_cond, &chr->in_lock, &ts) == 0) {
            }
        }
        pthread_mutex_unlock(&chr->in_lock);
    }
    return true;
}

static void *stdio_reader(void *arg)
{
    Chardev *chr = arg;
    uint8_t in[READ_CHUNK], out[2 * READ_CHUNK];
    for (;;) {
        struct pollfd pfd[2] = {
            {.fd = STDIN_FILENO, .events = POLLIN},
            {.fd = chr->wake_pipe[0], .events = POLLIN},
        };
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (pfd[1].revents) {
            break; /* chardev_close() */
        }
        if (pfd[0].revents & POLLNVAL) {
            break;
        }
        if (!pfd[0].revents) {
            continue;
        }
        ssize_t n = read(STDIN_FILENO, in, sizeof(in));
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
                continue;
            }
            break; /* EIO (hung-up terminal) and friends: like EOF */
        }
        if (n == 0) {
            break; /* EOF: no more input, the emulator goes on */
        }
        size_t m = process_escapes(chr, in, (size_t)n, out);
        if (m > 0 && !deliver(chr, out, m)) {
            break;
        }
    }
    return NULL;
}

/*
 * When this returns, the previous receiver is not running and will not be
 * called again (unless called from inside the receiver itself), so a device
 * may detach and free itself: pl011_free() relies on it.
 */
void chardev_set_receiver(Chardev *chr, ChardevReceiveFn fn, void *opaque)
{
    if (!chr) {
        return;
    }
    pthread_mutex_lock(&chr->in_lock);
    if (!(chr->reader_started && pthread_equal(chr->reader, pthread_self()))) {
        while (chr->in_callback) {
            pthread_cond_wait(&chr->in_cond, &chr->in_lock);
        }
    }
    chr->recv = fn;
    chr->recv_opaque = opaque;
    chr->kick = true;
    pthread_cond_broadcast(&chr->in_cond);
    pthread_mutex_unlock(&chr->in_lock);
}

void chardev_set_quit_handler(Chardev *chr, ChardevQuitFn fn, void *opaque)
{
    if (!chr) {
        return;
    }
    pthread_mutex_lock(&chr->in_lock);
    chr->quit_fn = fn;
    chr->quit_opaque = opaque;
    pthread_mutex_unlock(&chr->in_lock);
}

void chardev_accept_input(Chardev *chr)
{
    if (!chr) {
        return;
    }
    pthread_mutex_lock(&chr->in_lock);
    chr->kick = true;
    pthread_cond_broadcast(&chr->in_cond);
    pthread_mutex_unlock(&chr->in_lock);
}

/* ---- open / close ------------------------------------------------------- */

static Chardev *chardev_new(ChardevKind kind, const char *name)
{
    Chardev *chr = calloc(1, sizeof(*chr));
    if (!chr || !(chr->name = strdup(name))) {
        free(chr);
        error_report("out of memory opening serial back-end '%s'", name);
        return NULL;
    }
    chr->kind = kind;
    chr->out_fd = -1;
    chr->wake_pipe[0] = chr->wake_pipe[1] = -1;
    pthread_mutex_init(&chr->out_lock, NULL);
    pthread_mutex_init(&chr->in_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&chr->in_cond, &ca);
    pthread_condattr_destroy(&ca);
    return chr;
}

static void chardev_free(Chardev *chr)
{
    if (chr->own_out_fd && chr->out_fd >= 0) {
        close(chr->out_fd);
    }
    for (int i = 0; i < 2; i++) {
        if (chr->wake_pipe[i] >= 0) {
            close(chr->wake_pipe[i]);
        }
    }
    pthread_mutex_destroy(&chr->out_lock);
    pthread_mutex_destroy(&chr->in_lock);
    pthread_cond_destroy(&chr->in_cond);
    free(chr->name);
    free(chr);
}

static Chardev *open_stdio(void)
{
    pthread_mutex_lock(&stdio_lock);
    if (stdio_owner) {
        pthread_mutex_unlock(&stdio_lock);
        error_report("serial back-end 'stdio' is already in use");
        return NULL;
    }
    Chardev *chr = chardev_new(CHR_STDIO, "stdio");
    if (!chr) {
        pthread_mutex_unlock(&stdio_lock);
        return NULL;
    }
    chr->out_fd = STDOUT_FILENO;
    /* no input if fd 0 is closed */
    if (fcntl(STDIN_FILENO, F_GETFL) >= 0) {
        if (pipe2(chr->wake_pipe, O_CLOEXEC) < 0) {
            error_report("cannot open serial back-end 'stdio': %s", strerror(errno));
            chardev_free(chr);
            pthread_mutex_unlock(&stdio_lock);
            return NULL;
        }
        tty_make_raw();
        /* the reader thread must not take the process-directed signals */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        int err = pthread_create(&chr->reader, NULL, stdio_reader, chr);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (err) {
            tty_restore();
            error_report("cannot start the serial input thread: %s", strerror(err));
            chardev_free(chr);
            pthread_mutex_unlock(&stdio_lock);
            return NULL;
        }
        chr->reader_started = true;
    }
    stdio_owner = chr;
    pthread_mutex_unlock(&stdio_lock);
    return chr;
}

Chardev *chardev_open(const char *spec)
{
    if (!spec) {
        spec = "";
    }
    if (strcmp(spec, "none") == 0 || strcmp(spec, "null") == 0) { /* "null": QEMU's name */
        return chardev_new(CHR_NONE, "none");
    }
    if (strcmp(spec, "stdio") == 0) {
        return open_stdio();
    }
    if (strncmp(spec, "file:", 5) == 0) {
        const char *path = spec + 5;
        if (!*path) {
            error_report("serial back-end 'file:' needs a path (file:PATH)");
            return NULL;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) {
            error_report("cannot open serial output file '%s': %s", path, strerror(errno));
            return NULL;
        }
        Chardev *chr = chardev_new(CHR_FILE, path);
        if (!chr) {
            close(fd);
            return NULL;
        }
        chr->out_fd = fd;
        chr->own_out_fd = true;
        return chr;
    }
    error_report("unknown serial back-end '%s' (use stdio, file:PATH or none)", spec);
    return NULL;
}

void chardev_close(Chardev *chr)
{
    if (!chr) {
        return;
    }
    if (chr->kind == CHR_STDIO) {
        if (chr->reader_started) {
            pthread_mutex_lock(&chr->in_lock);
            chr->closing = true;
            pthread_cond_broadcast(&chr->in_cond);
            pthread_mutex_unlock(&chr->in_lock);
            ssize_t r;
            do {
                r = write(chr->wake_pipe[1], "", 1);
            } while (r < 0 && errno == EINTR);
            if (pthread_equal(chr->reader, pthread_self())) {
                /* closed from the reader itself (an exit path): it never reads again */
                pthread_detach(chr->reader);
                tty_restore();
                return; /* leak chr: the reader is still on its stack */
            }
            pthread_join(chr->reader, NULL);
        }
        tty_restore();
        pthread_mutex_lock(&stdio_lock);
        if (stdio_owner == chr) {
            stdio_owner = NULL;
        }
        pthread_mutex_unlock(&stdio_lock);
    }
    chardev_free(chr);
}
