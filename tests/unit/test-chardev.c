/*
 * test-chardev.c — system/chardev.c: none, file:PATH, stdio, bad specs.
 *
 * The stdio cases run in a forked child whose fd 0 is a pipe (or a pseudo
 * terminal) fed by the parent and whose fds 1 and 2 are files the parent
 * reads afterwards. The child registers a receiver that appends every byte
 * it gets to a shared buffer and, when told how many bytes to expect,
 * writes them to a result file and exits 0. The parent then compares the
 * result file with what the receiver should have seen. A child that hangs
 * is killed after a timeout and the case fails.
 *
 * Sequence per child: child opens the back-end, writes one byte to the
 * "ready" pipe; the parent then feeds input (in chunks, with pauses where a
 * case needs them, e.g. an escape split across two reads), closes or keeps
 * stdin open, and waits for the child's exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "system/chardev.h"
#include "util/log.h"

static int nb_fail, nb_pass;
static char why[1024];
static char tmpdir[64];

static void __attribute__((format(printf, 1, 2))) set_why(const char *fmt, ...)
{
    char tmp[sizeof(why)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    memcpy(why, tmp, sizeof(why));
}

#define REQUIRE(cond, ...)                                                            \
    do {                                                                              \
        if (!(cond)) {                                                                \
            set_why(__VA_ARGS__);                                                     \
            return false;                                                             \
        }                                                                             \
    } while (0)

static void run_case(const char *name, bool (*fn)(void))
{
    why[0] = 0;
    if (fn()) {
        printf("PASS %s\n", name);
        nb_pass++;
    } else {
        printf("FAIL %s: %s\n", name, why);
        nb_fail++;
    }
    fflush(stdout);
}

static const char *tpath(const char *name)
{
    static char buf[8][256];
    static int i;
    i = (i + 1) % 8;
    snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
    return buf[i];
}

/* whole file into a static buffer (NUL-terminated); length in *len */
static const char *slurp(const char *path, size_t *len)
{
    static char buf[4][1 << 16];
    static int i;
    i = (i + 1) % 4;
    size_t n = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        n = fread(buf[i], 1, sizeof(buf[i]) - 1, f);
        fclose(f);
    }
    buf[i][n] = 0;
    if (len) {
        *len = n;
    }
    return buf[i];
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) {
        n += *s == '\n';
    }
    return n;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* stderr of an in-process call, captured into a file */
static int saved_fd = -1;
static void capture_fd_begin(int fd, const char *path)
{
    fflush(fd == 1 ? stdout : stderr);
    int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    saved_fd = dup(fd);
    dup2(f, fd);
    close(f);
}

static void capture_fd_end(int fd)
{
    fflush(fd == 1 ? stdout : stderr);
    dup2(saved_fd, fd);
    close(saved_fd);
}

/* ---- none, file, bad specs (in process) -------------------------------- */

static bool t_none(void)
{
    const char *out = tpath("none-stdout");
    capture_fd_begin(1, out);
    Chardev *c = chardev_open("none");
    if (c) {
        chardev_write(c, (const uint8_t *)"dropped", 7);
        chardev_set_receiver(c, NULL, NULL);
        chardev_accept_input(c);
        chardev_close(c);
    }
    capture_fd_end(1);
    REQUIRE(c, "'none' not opened");
    size_t n;
    slurp(out, &n);
    REQUIRE(n == 0, "'none' wrote %zu bytes to stdout", n);
    c = chardev_open("null");
    REQUIRE(c, "QEMU's 'null' not accepted");
    chardev_close(c);
    return true;
}

static bool t_file_basic(void)
{
    const char *p = tpath("serial.txt");
    FILE *f = fopen(p, "w");
    fputs("old contents that must disappear\n", f);
    fclose(f);
    char spec[300];
    snprintf(spec, sizeof(spec), "file:%s", p);
    Chardev *c = chardev_open(spec);
    REQUIRE(c, "file back-end not opened");
    const uint8_t bin[] = {'h', 'i', 0, 0xff, '\r', '\n'};
    chardev_write(c, bin, sizeof(bin));
    chardev_write(c, (const uint8_t *)"", 0);
    chardev_write(c, (const uint8_t *)"more\n", 5);
    chardev_close(c);
    size_t n;
    const char *got = slurp(p, &n);
    REQUIRE(n == sizeof(bin) + 5, "file has %zu bytes, want %zu (truncated? appended?)", n,
            sizeof(bin) + 5);
    REQUIRE(memcmp(got, bin, sizeof(bin)) == 0 && memcmp(got + sizeof(bin), "more\n", 5) == 0,
            "file contents differ");
    return true;
}

/* 8 threads write fixed-size records at once: none lost, none torn */
#define NTHREADS 8
#define NRECORDS 2000
static Chardev *shared_chr;

static void *writer_thread(void *arg)
{
    int id = (int)(intptr_t)arg;
    char rec[64];
    for (int i = 0; i < NRECORDS; i++) {
        /* 32 bytes: "T<id> <seq>" padded with the id's letter, then \n */
        int n = snprintf(rec, sizeof(rec), "T%d %06d ", id, i);
        memset(rec + n, 'a' + id, 31 - (size_t)n);
        rec[31] = '\n';
        chardev_write(shared_chr, (const uint8_t *)rec, 32);
    }
    return NULL;
}

static bool t_file_threads(void)
{
    const char *p = tpath("serial-mt.txt");
    char spec[300];
    snprintf(spec, sizeof(spec), "file:%s", p);
    shared_chr = chardev_open(spec);
    REQUIRE(shared_chr, "file back-end not opened");
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        pthread_create(&t[i], NULL, writer_thread, (void *)(intptr_t)i);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
    }
    chardev_close(shared_chr);
    FILE *f = fopen(p, "rb");
    REQUIRE(f, "no output file");
    int next[NTHREADS] = {0};
    char rec[33];
    int total = 0;
    bool ok = true;
    while (ok && fread(rec, 1, 32, f) == 32) {
        rec[32] = 0;
        int id, seq;
        if (sscanf(rec, "T%d %d ", &id, &seq) != 2 || id < 0 || id >= NTHREADS ||
            seq != next[id] || rec[31] != '\n' || rec[30] != 'a' + id) {
            ok = false;
            break;
        }
        next[id]++;
        total++;
    }
    fclose(f);
    REQUIRE(ok, "torn or reordered record after %d records: '%.32s'", total, rec);
    REQUIRE(total == NTHREADS * NRECORDS, "%d records, want %d", total, NTHREADS * NRECORDS);
    return true;
}

/* A bad spec: NULL result and exactly one error line containing `needle`. */
static bool expect_bad_spec(const char *spec, const char *needle)
{
    const char *err = tpath("bad-spec-stderr");
    capture_fd_begin(2, err);
    Chardev *c = chardev_open(spec);
    capture_fd_end(2);
    if (c) {
        chardev_close(c);
    }
    REQUIRE(!c, "spec '%s' accepted", spec ? spec : "(null)");
    const char *msg = slurp(err, NULL);
    REQUIRE(count_lines(msg) == 1, "want one error line, got: '%s'", msg);
    REQUIRE(strstr(msg, needle), "error lacks '%s': %s", needle, msg);
    return true;
}

static bool t_bad_specs(void)
{
    return expect_bad_spec("tcp:1234",
                           "unknown serial back-end 'tcp:1234' (use stdio, file:PATH or none)") &&
           expect_bad_spec("", "unknown serial back-end ''") &&
           expect_bad_spec("STDIO", "unknown serial back-end 'STDIO'") &&
           expect_bad_spec("stdio:", "unknown serial back-end") &&
           expect_bad_spec("file:", "needs a path") &&
           expect_bad_spec(NULL, "unknown serial back-end");
}

static bool t_file_unwritable(void)
{
    char spec[300];
    snprintf(spec, sizeof(spec), "file:%s/no-such-dir/out.txt", tmpdir);
    if (!expect_bad_spec(spec, "no-such-dir/out.txt")) {
        return false;
    }
    REQUIRE(strstr(slurp(tpath("bad-spec-stderr"), NULL), "No such file or directory"),
            "no reason given");
    snprintf(spec, sizeof(spec), "file:%s", tmpdir); /* a directory */
    return expect_bad_spec(spec, "Is a directory");
}

/* ---- stdio, in a child --------------------------------------------------- */

/* child side: the receiver's shared buffer */
static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rx_cond = PTHREAD_COND_INITIALIZER;
static uint8_t rx_buf[1 << 16];
static size_t rx_len;
static size_t rx_limit = SIZE_MAX;   /* backpressure cases: FIFO capacity */
static size_t rx_fifo;               /* bytes in the "FIFO" */
static Chardev *child_chr;
static int ready_fd = -1;

static size_t rx_all(void *opaque, const uint8_t *buf, size_t len)
{
    pthread_mutex_lock(&rx_lock);
    size_t room = rx_limit == SIZE_MAX ? len : rx_limit - rx_fifo;
    size_t n = len < room ? len : room;
    if (rx_len + n > sizeof(rx_buf)) {
        n = sizeof(rx_buf) - rx_len;
    }
    memcpy(rx_buf + rx_len, buf, n);
    rx_len += n;
    rx_fifo += n;
    pthread_cond_broadcast(&rx_cond);
    pthread_mutex_unlock(&rx_lock);
    return n;
}

/* wait until the receiver has `want` bytes (or ms pass); returns what it has */
static size_t rx_wait(size_t want, int ms)
{
    double end = now_s() + ms / 1000.0;
    pthread_mutex_lock(&rx_lock);
    while (rx_len < want && now_s() < end) {
        pthread_mutex_unlock(&rx_lock);
        sleep_ms(2);
        pthread_mutex_lock(&rx_lock);
    }
    size_t n = rx_len;
    pthread_mutex_unlock(&rx_lock);
    return n;
}

static void child_ready(void)
{
    if (write(ready_fd, "r", 1) != 1) {
        _exit(90);
    }
}

/* write what the receiver got to the result file */
static void child_save_result(void)
{
    FILE *f = fopen(tpath("result"), "wb");
    pthread_mutex_lock(&rx_lock);
    fwrite(rx_buf, 1, rx_len, f);
    pthread_mutex_unlock(&rx_lock);
    fclose(f);
}

typedef struct Chunk {
    const char *data;
    size_t len;     /* 0: strlen(data) */
    int pause_ms;   /* before writing it */
} Chunk;

typedef struct ChildRun {
    void (*child)(size_t expect);
    size_t expect;          /* passed to the child: how many received bytes to wait for */
    const Chunk *chunks;
    int nchunks;
    bool keep_stdin_open;   /* else close it after the chunks: EOF */
    bool use_pty;           /* stdin is a pseudo terminal slave */
    int kill_sig;           /* send this after the chunks (0: none) */
    int timeout_ms;
    /* out */
    int status;
    bool timed_out;
    const char *out, *err, *result;
    size_t result_len;
    struct termios tio_before, tio_during, tio_after; /* use_pty */
} ChildRun;

static void cleanup_marker(void)
{
    static const char m[] = "[cleanup ran]\n";
    if (write(2, m, sizeof(m) - 1) < 0) {
        _exit(91);
    }
}

static bool run_child(ChildRun *r)
{
    int in[2] = {-1, -1}, ready[2];
    int master = -1, slave = -1;
    if (r->use_pty) {
        master = posix_openpt(O_RDWR | O_NOCTTY);
        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
            set_why("no pseudo terminal: %s", strerror(errno));
            return false;
        }
        slave = open(ptsname(master), O_RDWR | O_NOCTTY);
        REQUIRE(slave >= 0, "cannot open pty slave");
        tcgetattr(slave, &r->tio_before);
    } else if (pipe(in) < 0) {
        set_why("pipe: %s", strerror(errno));
        return false;
    }
    REQUIRE(pipe(ready) == 0, "pipe failed");
    unlink(tpath("result"));
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        int o = open(tpath("child-out"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(tpath("child-err"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(r->use_pty ? slave : in[0], 0);
        dup2(o, 1);
        dup2(e, 2);
        close(o);
        close(e);
        if (r->use_pty) {
            close(master);
            close(slave);
        } else {
            close(in[0]);
            close(in[1]);
        }
        close(ready[0]);
        ready_fd = ready[1];
        /* a shell may start background jobs with SIGINT ignored: undo that */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        atexit_cleanup(cleanup_marker);
        r->child(r->expect);
        _exit(0);
    }
    close(ready[1]);
    int wfd = r->use_pty ? master : in[1];
    if (!r->use_pty) {
        close(in[0]);
    }
    /* wait for "ready" */
    struct pollfd pfd = {.fd = ready[0], .events = POLLIN};
    char c;
    bool ready_ok = poll(&pfd, 1, 5000) == 1 && read(ready[0], &c, 1) == 1;
    close(ready[0]);
    if (r->use_pty) {
        tcgetattr(slave, &r->tio_during);
    }
    for (int i = 0; ready_ok && i < r->nchunks; i++) {
        const Chunk *ch = &r->chunks[i];
        if (ch->pause_ms) {
            sleep_ms(ch->pause_ms);
        }
        size_t len = ch->len ? ch->len : strlen(ch->data);
        if (write(wfd, ch->data, len) != (ssize_t)len) {
            break;
        }
    }
    if (r->kill_sig) {
        sleep_ms(50);
        kill(pid, r->kill_sig);
    }
    if (!r->keep_stdin_open) {
        close(wfd);
        wfd = -1;
    }
    /* wait for the child, killing it on timeout */
    double end = now_s() + (r->timeout_ms ? r->timeout_ms : 5000) / 1000.0;
    r->timed_out = false;
    for (;;) {
        pid_t w = waitpid(pid, &r->status, WNOHANG);
        if (w == pid) {
            break;
        }
        if (now_s() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &r->status, 0);
            r->timed_out = true;
            break;
        }
        sleep_ms(5);
    }
    if (r->use_pty) {
        tcgetattr(slave, &r->tio_after);
        close(slave);
    }
    if (wfd >= 0) {
        close(wfd);
    }
    r->out = slurp(tpath("child-out"), NULL);
    r->err = slurp(tpath("child-err"), NULL);
    r->result = slurp(tpath("result"), &r->result_len);
    REQUIRE(ready_ok, "child never became ready; its stderr: %s", r->err);
    REQUIRE(!r->timed_out, "child hung (killed after timeout); stderr: %s", r->err);
    return true;
}

static bool exited_ok(const ChildRun *r)
{
    REQUIRE(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
            "child status 0x%x (exit %d, signal %d); stderr: %s", r->status,
            WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1,
            WIFSIGNALED(r->status) ? WTERMSIG(r->status) : 0, r->err);
    return true;
}

static bool result_is(const ChildRun *r, const void *want, size_t len)
{
    if (r->result_len != len || memcmp(r->result, want, len) != 0) {
        char hex[200] = "";
        for (size_t i = 0; i < r->result_len && i < 40; i++) {
            snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), "%02x ",
                     (uint8_t)r->result[i]);
        }
        set_why("receiver got %zu bytes (%s), want %zu", r->result_len, hex, len);
        return false;
    }
    return true;
}

/* typical child: open stdio, receive `expect` bytes, save them, close, exit 0 */
static void child_receive(size_t expect)
{
    child_chr = chardev_open("stdio");
    if (!child_chr) {
        _exit(10);
    }
    chardev_set_receiver(child_chr, rx_all, NULL);
    child_ready();
    rx_wait(expect, 3000);
    sleep_ms(50); /* anything extra would show up now */
    child_save_result();
    chardev_close(child_chr);
    exit(0);
}

static bool stdio_case(const Chunk *chunks, int n, const void *want, size_t want_len)
{
    ChildRun r = {.child = child_receive, .expect = want_len, .chunks = chunks, .nchunks = n};
    return run_child(&r) && exited_ok(&r) && result_is(&r, want, want_len);
}

static bool t_stdio_input(void)
{
    const Chunk c[] = {{"hello, guest\r", 0, 0}, {"\x7f\x1b[A", 0, 20}};
    return stdio_case(c, 2, "hello, guest\r\x7f\x1b[A", 17);
}

static bool t_stdio_binary(void)
{
    static char data[4096];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (char)(i * 7 + 2);
        if (data[i] == 1) {
            data[i] = 2; /* no Ctrl-A here */
        }
    }
    const Chunk c[] = {{data, sizeof(data), 0}};
    return stdio_case(c, 1, data, sizeof(data));
}

static bool t_stdio_ctrl_a_ctrl_a(void)
{
    const Chunk c[] = {{"a\x01\x01" "b", 0, 0}};
    return stdio_case(c, 1, "a\x01" "b", 3);
}

/* the escape prefix and its command arrive in different reads */
static bool t_stdio_ctrl_a_split(void)
{
    const Chunk c[] = {{"q\x01", 0, 0}, {"\x01z", 0, 100}};
    return stdio_case(c, 2, "q\x01z", 3);
}

static bool t_stdio_ctrl_a_other(void)
{
    const Chunk c[] = {{"\x01z\x01\x7f", 0, 0}};
    return stdio_case(c, 1, "\x01z\x01\x7f", 4);
}

static bool t_stdio_ctrl_a_help(void)
{
    const Chunk c[] = {{"1\x01h2", 0, 0}};
    ChildRun r = {.child = child_receive, .expect = 2, .chunks = c, .nchunks = 1};
    if (!run_child(&r) || !exited_ok(&r) || !result_is(&r, "12", 2)) {
        return false;
    }
    REQUIRE(strstr(r.out, "C-a x") && strstr(r.out, "C-a h") && strstr(r.out, "C-a c") &&
            strstr(r.out, "C-a C-a"), "help text incomplete: '%s'", r.out);
    return true;
}

static bool t_stdio_ctrl_a_monitor(void)
{
    const Chunk c[] = {{"\x01" "c", 0, 0}, {"k", 0, 30}};
    ChildRun r = {.child = child_receive, .expect = 1, .chunks = c, .nchunks = 1 + 1};
    if (!run_child(&r) || !exited_ok(&r) || !result_is(&r, "k", 1)) {
        return false;
    }
    REQUIRE(strstr(r.out, "(no monitor yet)"), "no monitor message: '%s'", r.out);
    return true;
}

/* child that never exits by itself: only Ctrl-A x (or a signal) ends it */
static void child_forever(size_t expect)
{
    child_chr = chardev_open("stdio");
    if (!child_chr) {
        _exit(10);
    }
    chardev_set_receiver(child_chr, rx_all, NULL);
    chardev_write(child_chr, (const uint8_t *)"guest says hi\n", 14);
    child_ready();
    for (;;) {
        pause();
    }
}

static bool t_stdio_ctrl_a_x(void)
{
    const Chunk c[] = {{"abc\x01x", 0, 0}};
    ChildRun r = {.child = child_forever, .chunks = c, .nchunks = 1, .keep_stdin_open = true};
    if (!run_child(&r) || !exited_ok(&r)) {
        return false;
    }
    REQUIRE(strstr(r.out, "guest says hi\n"), "guest output missing: '%s'", r.out);
    REQUIRE(strstr(r.out, "coremu: terminated"), "no 'coremu: terminated' on stdout: '%s'",
            r.out);
    REQUIRE(strstr(r.err, "[cleanup ran]"), "exit did not run the atexit cleanups: '%s'", r.err);
    return true;
}

/*
 * With a quit handler, Ctrl-A x calls it (no exit from the input thread):
 * the machine shuts down cleanly — here the child closes the chardev and
 * exits 7 by itself. A second Ctrl-A x (handler case 2) exits 0 at once.
 */
static int quit_calls; /* atomic */
static void on_quit(void *opaque)
{
    __atomic_fetch_add(&quit_calls, 1, __ATOMIC_ACQ_REL);
}

static void child_quit(size_t second_ctrl_a_x)
{
    child_chr = chardev_open("stdio");
    if (!child_chr) {
        _exit(10);
    }
    chardev_set_receiver(child_chr, rx_all, NULL);
    chardev_set_quit_handler(child_chr, on_quit, NULL);
    child_ready();
    double end = now_s() + 3;
    while (__atomic_load_n(&quit_calls, __ATOMIC_ACQUIRE) == 0 && now_s() < end) {
        sleep_ms(2);
    }
    if (__atomic_load_n(&quit_calls, __ATOMIC_ACQUIRE) != 1) {
        _exit(14);
    }
    if (second_ctrl_a_x) {
        for (;;) {
            pause(); /* a stuck shutdown: the second Ctrl-A x must end us */
        }
    }
    chardev_close(child_chr);
    exit(7);
}

static bool t_stdio_quit_handler(void)
{
    const Chunk c[] = {{"\x01x", 0, 0}};
    ChildRun r = {.child = child_quit, .expect = 0, .chunks = c, .nchunks = 1,
                  .keep_stdin_open = true};
    if (!run_child(&r)) {
        return false;
    }
    REQUIRE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 7,
            "want the child's own exit 7 after the handler, status 0x%x", r.status);
    REQUIRE(strstr(r.out, "coremu: terminated"), "no 'terminated' line: '%s'", r.out);
    return true;
}

static bool t_stdio_quit_handler_second_x(void)
{
    const Chunk c[] = {{"\x01x", 0, 0}, {"\x01x", 0, 200}};
    ChildRun r = {.child = child_quit, .expect = 1, .chunks = c, .nchunks = 2,
                  .keep_stdin_open = true};
    if (!run_child(&r) || !exited_ok(&r)) {
        return false;
    }
    const char *t = strstr(r.out, "coremu: terminated");
    REQUIRE(t && !strstr(t + 1, "coremu: terminated"), "want one 'terminated' line: '%s'",
            r.out);
    return true;
}

/* EOF on stdin: input stops, the emulator (and its output) goes on */
static void child_eof(size_t expect)
{
    child_chr = chardev_open("stdio");
    if (!child_chr) {
        _exit(10);
    }
    chardev_set_receiver(child_chr, rx_all, NULL);
    child_ready();
    rx_wait(expect, 3000);
    sleep_ms(200); /* EOF has been seen by now; we must still be alive */
    chardev_write(child_chr, (const uint8_t *)"still running\n", 14);
    child_save_result();
    double t0 = now_s();
    chardev_close(child_chr);
    if (now_s() - t0 > 1.0) {
        _exit(11); /* close after EOF must not hang */
    }
    exit(0);
}

static bool t_stdio_eof(void)
{
    const Chunk c[] = {{"xyz", 0, 0}};
    ChildRun r = {.child = child_eof, .expect = 3, .chunks = c, .nchunks = 1};
    if (!run_child(&r) || !exited_ok(&r) || !result_is(&r, "xyz", 3)) {
        return false;
    }
    REQUIRE(strstr(r.out, "still running"), "no output after EOF: '%s'", r.out);
    return true;
}

/* an escape prefix right before EOF is dropped, not delivered */
static bool t_stdio_eof_after_ctrl_a(void)
{
    const Chunk c[] = {{"ok\x01", 0, 0}};
    ChildRun r = {.child = child_eof, .expect = 2, .chunks = c, .nchunks = 1};
    return run_child(&r) && exited_ok(&r) && result_is(&r, "ok", 2);
}

/* Receiver registered only after the input arrived: nothing lost. */
static void child_late_receiver(size_t expect)
{
    child_chr = chardev_open("stdio");
    if (!child_chr) {
        _exit(10);
    }
    child_ready();
    sleep_ms(300);
    chardev_set_receiver(child_chr, rx_all, NULL);
    rx_wait(expect, 3000);
    child_save_result();
    chardev_close(child_chr);
    exit(0);
}

static bool t_stdio_late_receiver(void)
{
    const Chunk c[] = {{"early bytes", 0, 0}};
    ChildRun r = {.child = child_late_receiver, .expect = 11, .chunks = c, .nchunks = 1};
    return run_child(&r) && exited_ok(&r) && result_is(&r, "early bytes", 11);
}

/*
 * Back-pressure: a 4-byte "FIFO" that a guest thread drains every 2 ms,
 * calling chardev_accept_input() each time. 3000 bytes must arrive in order.
 */
static bool drain_stop; /* atomic */
static void *drain_thread(void *arg)
{
    while (!__atomic_load_n(&drain_stop, __ATOMIC_ACQUIRE)) {
        sleep_ms(2);
        pthread_mutex_lock(&rx_lock);
        rx_fifo = 0;
        pthread_mutex_unlock(&rx_lock);
        chardev_accept_input(child_chr);
    }
    return NULL;
}

static void child_backpressure(size_t expect)
{
    rx_limit = 4;
    child_chr = chardev_open("stdio");
    if (!child_chr) {
        _exit(10);
    }
    chardev_set_receiver(child_chr, rx_all, NULL);
    pthread_t t;
    pthread_create(&t, NULL, drain_thread, NULL);
    child_ready();
    rx_wait(expect, 8000);
    __atomic_store_n(&drain_stop, true, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    child_save_result();
    chardev_close(child_chr);
    exit(0);
}

static bool t_stdio_backpressure(void)
{
    static char data[3000];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (char)('A' + i % 26);
    }
    const Chunk c[] = {{data, sizeof(data), 0}};
    ChildRun r = {.child = child_backpressure, .expect = sizeof(data), .chunks = c,
                  .nchunks = 1, .timeout_ms = 10000};
    return run_child(&r) && exited_ok(&r) && result_is(&r, data, sizeof(data));
}

/* chardev_set_receiver(NULL) waits for a receiver call in progress to finish */
static int slow_state; /* 1: inside, 2: finished; atomic */
static size_t rx_slow(void *opaque, const uint8_t *buf, size_t len)
{
    __atomic_store_n(&slow_state, 1, __ATOMIC_RELEASE);
    sleep_ms(300);
    __atomic_store_n(&slow_state, 2, __ATOMIC_RELEASE);
    return len;
}

static void child_detach(size_t expect)
{
    child_chr = chardev_open("stdio");
    if (!child_chr) {
        _exit(10);
    }
    chardev_set_receiver(child_chr, rx_slow, NULL);
    child_ready();
    double end = now_s() + 3;
    while (__atomic_load_n(&slow_state, __ATOMIC_ACQUIRE) == 0 && now_s() < end) {
        sleep_ms(1);
    }
    if (__atomic_load_n(&slow_state, __ATOMIC_ACQUIRE) != 1) {
        _exit(12); /* the receiver was never called */
    }
    chardev_set_receiver(child_chr, NULL, NULL);
    if (__atomic_load_n(&slow_state, __ATOMIC_ACQUIRE) != 2) {
        _exit(13); /* returned while the old receiver was still running */
    }
    chardev_close(child_chr);
    exit(0);
}

static bool t_stdio_detach_waits(void)
{
    const Chunk c[] = {{"z", 0, 0}};
    ChildRun r = {.child = child_detach, .chunks = c, .nchunks = 1, .keep_stdin_open = true};
    return run_child(&r) && exited_ok(&r);
}

/* Only one stdio at a time; close with stdin still open and idle is prompt. */
static void child_twice(size_t expect)
{
    Chardev *a = chardev_open("stdio");
    Chardev *b = chardev_open("stdio");
    if (!a || b) {
        _exit(20);
    }
    child_ready();
    sleep_ms(50);
    double t0 = now_s();
    chardev_close(a); /* reader is blocked in poll(): must wake up */
    if (now_s() - t0 > 1.0) {
        _exit(21);
    }
    Chardev *c = chardev_open("stdio");
    if (!c) {
        _exit(22);
    }
    chardev_close(c);
    exit(0);
}

static bool t_stdio_single_owner(void)
{
    ChildRun r = {.child = child_twice, .keep_stdin_open = true};
    if (!run_child(&r) || !exited_ok(&r)) {
        return false;
    }
    REQUIRE(strstr(r.err, "'stdio' is already in use") && count_lines(r.err) == 2,
            "want one 'already in use' line (plus the cleanup marker): '%s'", r.err);
    return true;
}

/* Output of several threads to stdout: whole writes, nothing lost. */
static void child_output_threads(size_t expect)
{
    child_chr = chardev_open("stdio");
    shared_chr = child_chr;
    if (!child_chr) {
        _exit(10);
    }
    child_ready();
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        pthread_create(&t[i], NULL, writer_thread, (void *)(intptr_t)i);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
    }
    chardev_close(child_chr);
    exit(0);
}

static bool t_stdio_output_threads(void)
{
    ChildRun r = {.child = child_output_threads, .keep_stdin_open = true};
    if (!run_child(&r) || !exited_ok(&r)) {
        return false;
    }
    static char out[NTHREADS * NRECORDS * 32 + 1];
    FILE *f = fopen(tpath("child-out"), "rb");
    size_t n = f ? fread(out, 1, sizeof(out), f) : 0;
    if (f) {
        fclose(f);
    }
    REQUIRE(n == NTHREADS * NRECORDS * 32, "stdout has %zu bytes, want %d", n,
            NTHREADS * NRECORDS * 32);
    int next[NTHREADS] = {0};
    for (size_t off = 0; off < n; off += 32) {
        int id, seq;
        REQUIRE(sscanf(out + off, "T%d %d ", &id, &seq) == 2 && id >= 0 && id < NTHREADS &&
                    seq == next[id] && out[off + 31] == '\n',
                "torn record at %zu", off);
        next[id]++;
    }
    return true;
}

/* A non-blocking stdin (a shell may leave it so): poll, EAGAIN, retry. */
static void child_receive_nonblock(size_t expect)
{
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    child_receive(expect);
}

static bool t_stdio_nonblocking_stdin(void)
{
    const Chunk c[] = {{"slow", 0, 0}, {" and", 0, 50}, {" steady", 0, 50}};
    ChildRun r = {.child = child_receive_nonblock, .expect = 15, .chunks = c, .nchunks = 3};
    return run_child(&r) && exited_ok(&r) && result_is(&r, "slow and steady", 15);
}

/*
 * A non-blocking stdout pipe that fills up: chardev_write() must wait
 * (EAGAIN -> poll) and deliver every byte, in order, whole.
 */
static bool t_stdio_nonblocking_stdout_full(void)
{
    enum { TOTAL = 512 * 1024, CHUNK = 3000 };
    int p[2];
    REQUIRE(pipe(p) == 0, "pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);
        Chardev *c = chardev_open("stdio");
        if (!c) {
            _exit(10);
        }
        static uint8_t buf[CHUNK];
        for (size_t off = 0; off < TOTAL; off += CHUNK) {
            size_t n = TOTAL - off < CHUNK ? TOTAL - off : CHUNK;
            for (size_t i = 0; i < n; i++) {
                buf[i] = (uint8_t)((off + i) * 131 >> 3);
            }
            chardev_write(c, buf, n);
        }
        chardev_close(c);
        _exit(0);
    }
    close(p[1]);
    size_t got = 0;
    bool same = true;
    uint8_t buf[4096];
    for (;;) {
        sleep_ms(1); /* a slow reader: the pipe fills */
        ssize_t n = read(p[0], buf, sizeof(buf));
        if (n <= 0) {
            break;
        }
        for (ssize_t i = 0; i < n && same; i++) {
            same = buf[i] == (uint8_t)((got + (size_t)i) * 131 >> 3);
        }
        got += (size_t)n;
    }
    close(p[0]);
    int status;
    waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status 0x%x", status);
    REQUIRE(got == TOTAL, "got %zu bytes, want %d", got, TOTAL);
    REQUIRE(same, "bytes reordered or corrupted");
    return true;
}

/* ---- stdio on a terminal ------------------------------------------------ */

static void child_tty_close(size_t expect)
{
    child_chr = chardev_open("stdio");
    if (!child_chr) {
        _exit(10);
    }
    chardev_set_receiver(child_chr, rx_all, NULL);
    child_ready();
    rx_wait(expect, 3000);
    child_save_result();
    chardev_close(child_chr);
    /* restored right here, before exit */
    struct termios t;
    tcgetattr(0, &t);
    if (!(t.c_lflag & ICANON) || !(t.c_lflag & ECHO)) {
        _exit(30);
    }
    exit(0);
}

static bool tty_raw(const struct termios *t)
{
    return !(t->c_lflag & (ICANON | ECHO | ISIG | IEXTEN)) && !(t->c_iflag & (ICRNL | IXON)) &&
           (t->c_cflag & CSIZE) == CS8 && t->c_cc[VMIN] == 1;
}

static bool tty_same(const struct termios *a, const struct termios *b)
{
    return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
           a->c_lflag == b->c_lflag && a->c_cflag == b->c_cflag &&
           memcmp(a->c_cc, b->c_cc, sizeof(a->c_cc)) == 0;
}

/* raw while open (^C, CR and ^S pass through as bytes), restored by close */
static bool t_tty_raw_restored_on_close(void)
{
    const Chunk c[] = {{"a\x03\r\x13" "b", 0, 0}};
    ChildRun r = {.child = child_tty_close, .expect = 5, .chunks = c, .nchunks = 1,
                  .use_pty = true, .keep_stdin_open = true};
    if (!run_child(&r) || !exited_ok(&r) || !result_is(&r, "a\x03\r\x13" "b", 5)) {
        return false;
    }
    REQUIRE(!tty_raw(&r.tio_before), "pty started raw?");
    REQUIRE(tty_raw(&r.tio_during), "terminal not in raw mode while open");
    REQUIRE(r.tio_during.c_oflag == r.tio_before.c_oflag, "output processing changed");
    REQUIRE(tty_same(&r.tio_before, &r.tio_after), "terminal settings not restored");
    return true;
}

static bool t_tty_restored_on_ctrl_a_x(void)
{
    const Chunk c[] = {{"\x01x", 0, 0}};
    ChildRun r = {.child = child_forever, .chunks = c, .nchunks = 1, .use_pty = true,
                  .keep_stdin_open = true};
    if (!run_child(&r) || !exited_ok(&r)) {
        return false;
    }
    REQUIRE(tty_raw(&r.tio_during), "terminal not in raw mode while open");
    REQUIRE(strstr(r.out, "coremu: terminated"), "no 'terminated' line: '%s'", r.out);
    REQUIRE(tty_same(&r.tio_before, &r.tio_after), "terminal left raw after Ctrl-A x");
    return true;
}

static bool tty_signal_case(int sig)
{
    ChildRun r = {.child = child_forever, .use_pty = true, .keep_stdin_open = true,
                  .kill_sig = sig};
    if (!run_child(&r)) {
        return false;
    }
    REQUIRE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == sig,
            "child should die of signal %d, status 0x%x", sig, r.status);
    REQUIRE(tty_raw(&r.tio_during), "terminal not in raw mode while open");
    REQUIRE(tty_same(&r.tio_before, &r.tio_after), "terminal left raw after signal %d", sig);
    return true;
}

static bool t_tty_restored_on_sigterm(void) { return tty_signal_case(SIGTERM); }
static bool t_tty_restored_on_sighup(void) { return tty_signal_case(SIGHUP); }
static bool t_tty_restored_on_sigint(void) { return tty_signal_case(SIGINT); }

/* fatal() (exit(1) through the cleanups) restores it too */
static void child_fatal(size_t expect)
{
    child_chr = chardev_open("stdio");
    if (!child_chr) {
        _exit(10);
    }
    child_ready();
    sleep_ms(50);
    fatal("guest exploded");
}

static bool t_tty_restored_on_fatal(void)
{
    ChildRun r = {.child = child_fatal, .use_pty = true, .keep_stdin_open = true};
    if (!run_child(&r)) {
        return false;
    }
    REQUIRE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1, "status 0x%x", r.status);
    REQUIRE(tty_raw(&r.tio_during), "terminal not in raw mode while open");
    REQUIRE(tty_same(&r.tio_before, &r.tio_after), "terminal left raw after fatal()");
    return true;
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-chardev.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);

    run_case("none_discards", t_none);
    run_case("file_writes_and_truncates", t_file_basic);
    run_case("file_threads_whole_writes", t_file_threads);
    run_case("bad_specs", t_bad_specs);
    run_case("file_unwritable", t_file_unwritable);
    run_case("stdio_input_delivered", t_stdio_input);
    run_case("stdio_input_binary_4k", t_stdio_binary);
    run_case("stdio_ctrl_a_ctrl_a_sends_one", t_stdio_ctrl_a_ctrl_a);
    run_case("stdio_ctrl_a_split_across_reads", t_stdio_ctrl_a_split);
    run_case("stdio_ctrl_a_other_sends_both", t_stdio_ctrl_a_other);
    run_case("stdio_ctrl_a_h_help", t_stdio_ctrl_a_help);
    run_case("stdio_ctrl_a_c_monitor", t_stdio_ctrl_a_monitor);
    run_case("stdio_ctrl_a_x_exits_0", t_stdio_ctrl_a_x);
    run_case("stdio_quit_handler_instead_of_exit", t_stdio_quit_handler);
    run_case("stdio_quit_handler_second_ctrl_a_x_exits", t_stdio_quit_handler_second_x);
    run_case("stdio_eof_keeps_running", t_stdio_eof);
    run_case("stdio_eof_after_ctrl_a", t_stdio_eof_after_ctrl_a);
    run_case("stdio_late_receiver", t_stdio_late_receiver);
    run_case("stdio_backpressure_accept_input", t_stdio_backpressure);
    run_case("stdio_detach_waits_for_receiver", t_stdio_detach_waits);
    run_case("stdio_single_owner_and_prompt_close", t_stdio_single_owner);
    run_case("stdio_output_threads_whole_writes", t_stdio_output_threads);
    run_case("stdio_nonblocking_stdin", t_stdio_nonblocking_stdin);
    run_case("stdio_nonblocking_stdout_full", t_stdio_nonblocking_stdout_full);
    run_case("tty_raw_restored_on_close", t_tty_raw_restored_on_close);
    run_case("tty_restored_on_ctrl_a_x", t_tty_restored_on_ctrl_a_x);
    run_case("tty_restored_on_sigterm", t_tty_restored_on_sigterm);
    run_case("tty_restored_on_sighup", t_tty_restored_on_sighup);
    run_case("tty_restored_on_sigint", t_tty_restored_on_sigint);
    run_case("tty_restored_on_fatal", t_tty_restored_on_fatal);

    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) {
        fprintf(stderr, "test-chardev: could not remove %s\n", tmpdir);
    }
    printf("%d passed, %d failed\n", nb_pass, nb_fail);
    return nb_fail ? 1 : 0;
}
