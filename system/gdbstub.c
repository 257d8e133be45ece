/*
 * gdbstub.c — a GDB remote-protocol server (GDB manual, appendix E "GDB
 * Remote Serial Protocol"), one client at a time over TCP, all-stop mode.
 *
 *   coremu-system-aarch64 ... -S -s            # wait for gdb on port 1234
 *   gdb-multiarch -ex 'target remote :1234'    # then break, continue, step
 *
 * Threads: one stub thread owns the sockets and speaks the protocol; core
 * threads meet it in three places (include/system/gdbstub.h):
 *   - gdbstub_core_sync(), before running a core: a core parks there while
 *     a stop is pending or the debugger holds it, sleeping on its own sleep
 *     word (coremu_halt) so TLB shootdowns from other cores still complete;
 *     it drops its TBs when the breakpoint list changed since it last ran;
 *   - gdbstub_debug_exception(), when cpu_exec returned EXCP_DEBUG
 *     (a breakpoint TB, or a single step done): it asks every core to stop
 *     (cpu_exit: the exit word, no signal) and wakes the stub;
 *   - the translator, which reads the breakpoint list (only while no core
 *     can be changing it: the list changes while every core is stopped).
 *
 * "Stopped" for the stub means every core is parked, asleep in WFI/HLT or
 * powered off (none of them runs guest code until it passes the sync
 * point). A core that cannot reach an instruction boundary (a replay wait
 * on a parked core) is given STOP_WAIT_NS and then reported as it is.
 *
 * Thread ids are core index + 1. Memory goes through the selected core's
 * current translation (GdbArch.virt_to_phys) and reaches guest RAM only:
 * an unmapped address, a device or a hole answers E14. A memory write
 * drops every core's TBs, like a breakpoint change.
 */
#include "system/gdbstub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "coremu/coremu.h"
#include "exec/memory.h"
#include "exec/tb.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "util/log.h"

#define PACKET_MAX 0x4000 /* PacketSize we announce (bytes of packet data) */
#define MAX_BREAKPOINTS 256
#define STOP_WAIT_NS (2 * 1000000000ull)

int gdbstub_attention;
int gdbstub_nb_breakpoints;

/* ---- target registry ---- */

static const GdbArch *arches[4];
static int nb_arches;

void gdbstub_register_arch(const GdbArch *a)
{
    if (nb_arches < (int)(sizeof(arches) / sizeof(arches[0]))) {
        arches[nb_arches++] = a;
    }
}

const GdbArch *gdbstub_find_arch(const char *arch)
{
    for (int i = 0; i < nb_arches; i++) {
        if (strcmp(arches[i]->arch, arch) == 0) {
            return arches[i];
        }
    }
    return NULL;
}

/* ---- state ---- */

typedef enum Action { ACT_NONE, ACT_CONTINUE, ACT_STEP } Action;

typedef struct Breakpoint {
    uint64_t addr;
    int type; /* 0 software, 1 hardware: both are taken by the translator */
} Breakpoint;

static struct {
    bool enabled;      /* -s / -gdb given */
    bool start_stopped; /* -S */
    char *host;        /* NULL: any address */
    int port;

    Machine *m;
    const GdbArch *arch;
    bool single_thread;
    int listen_fd, fd, event_fd;

    pthread_mutex_t lock; /* everything below */
    pthread_cond_t cond;  /* a core parked */
    int stop_pending;     /* atomic: every core parks at its next sync */
    bool *parked;         /* [core] in the park loop */
    bool *hold;           /* [core] the debugger did not resume it */
    int nb_held;          /* cores with hold set (atomic) */
    bool single_parked;   /* thread=single: the one thread parked */
    CoreSleep single_sleep;
    CPUState *stop_cpu;   /* the core whose EXCP_DEBUG started the stop */
    uint64_t gen;         /* breakpoint/memory generation (atomic) */
    uint64_t *seen_gen;   /* [core] generation of its TBs (owner only) */

    Breakpoint bps[MAX_BREAKPOINTS];

    /* stub thread only */
    bool running;         /* resumed; a stop reply is owed (read by gdbstub_finish) */
    bool no_ack;
    int g_cpu, c_cpu;     /* Hg / Hc selections (core index) */
    const char *xml;      /* target.xml */
    pthread_mutex_t send_lock;
} G = {
    .listen_fd = -1,
    .fd = -1,
    .event_fd = -1,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .cond = PTHREAD_COND_INITIALIZER,
    .send_lock = PTHREAD_MUTEX_INITIALIZER,
};

/* ---- options ---- */

bool gdbstub_is_option(const char *name)
{
    return strcmp(name, "s") == 0 || strcmp(name, "S") == 0 || strcmp(name, "gdb") == 0;
}

bool gdbstub_option_takes_value(const char *name)
{
    return strcmp(name, "gdb") == 0;
}

/* tcp::PORT, tcp:HOST:PORT, :PORT or PORT; none: no stub */
bool gdbstub_parse_option(const char *name, const char *value)
{
    if (strcmp(name, "S") == 0) {
        G.start_stopped = true;
        return true;
    }
    if (strcmp(name, "s") == 0) {
        G.enabled = true;
        G.port = 1234;
        free(G.host);
        G.host = NULL;
        return true;
    }
    const char *v = value;
    if (strcmp(v, "none") == 0) {
        G.enabled = false; /* as QEMU: no stub */
        return true;
    }
    if (strncmp(v, "tcp:", 4) == 0) {
        v += 4;
    }
    const char *colon = strrchr(v, ':');
    const char *portstr = colon ? colon + 1 : v;
    char *end;
    errno = 0;
    long port = strtol(portstr, &end, 10);
    if (!*portstr || *end || errno || port < 1 || port > 65535 ||
        (strncmp(value, "tcp:", 4) != 0 && colon && colon != v) ||
        (strncmp(value, "tcp:", 4) == 0 && !colon)) {
        error_report("option -gdb: '%s' is not tcp::PORT or tcp:HOST:PORT (PORT 1..65535)",
                     value);
        return false;
    }
    free(G.host);
    G.host = (colon && colon != v) ? strndup(v, (size_t)(colon - v)) : NULL;
    G.port = (int)port;
    G.enabled = true;
    return true;
}

/* ---- breakpoints (translator side) ---- */

bool gdbstub_breakpoint_at(uint64_t pc)
{
    int n = __atomic_load_n(&gdbstub_nb_breakpoints, __ATOMIC_ACQUIRE);
    for (int i = 0; i < n; i++) {
        if (G.bps[i].addr == pc) {
            return true;
        }
    }
    return false;
}

static void helper_gdbstub_debug(CPUState *cpu)
{
    cpu->exception_index = EXCP_DEBUG;
    cpu_loop_exit_restore(cpu, GETPC());
}

const TCGHelperInfo helper_info_gdbstub_debug = {
    .func = (void *)helper_gdbstub_debug,
    .name = "gdbstub_debug",
    .flags = 0,
    .nb_args = 1,
    .ret = TCG_CALL_VOID,
    .args = {TCG_CALL_PTR},
};

/* ---- the cores' side ---- */

static bool shutting_down(void)
{
    return __atomic_load_n(&G.m->shutdown_requested, __ATOMIC_ACQUIRE) != 0;
}

static bool must_park(int i)
{
    return (__atomic_load_n(&G.stop_pending, __ATOMIC_SEQ_CST) ||
            __atomic_load_n(&G.hold[i], __ATOMIC_ACQUIRE)) &&
           !shutting_down();
}

static bool park_ready(void *opaque)
{
    CPUState *cpu = opaque;
    return !must_park(cpu->cpu_index) || coremu_has_mail(cpu);
}

static bool single_ready(void *opaque)
{
    (void)opaque;
    return !__atomic_load_n(&G.stop_pending, __ATOMIC_SEQ_CST) || shutting_down();
}

static void sync_gen(CPUState *cpu)
{
    uint64_t gen = __atomic_load_n(&G.gen, __ATOMIC_ACQUIRE);
    if (G.seen_gen[cpu->cpu_index] != gen) {
        G.seen_gen[cpu->cpu_index] = gen;
        tb_flush_core(cpu);
    }
}

static void park(CPUState *cpu)
{
    int i = cpu->cpu_index;
    pthread_mutex_lock(&G.lock);
    G.parked[i] = true;
    pthread_cond_broadcast(&G.cond);
    while (must_park(i)) {
        pthread_mutex_unlock(&G.lock);
        coremu_drain(cpu); /* shootdowns from cores not yet stopped */
        coremu_halt(cpu, park_ready);
        pthread_mutex_lock(&G.lock);
    }
    G.parked[i] = false;
    pthread_mutex_unlock(&G.lock);
}

static void park_single(void)
{
    pthread_mutex_lock(&G.lock);
    G.single_parked = true;
    pthread_cond_broadcast(&G.cond);
    while (!single_ready(NULL)) {
        pthread_mutex_unlock(&G.lock);
        coremu_sleep(&G.single_sleep, single_ready, NULL, 50000000ull);
        pthread_mutex_lock(&G.lock);
    }
    G.single_parked = false;
    pthread_mutex_unlock(&G.lock);
}

bool gdbstub_core_sync(CPUState *cpu)
{
    int i = cpu->cpu_index;
    bool parked = false;
    /* pairs with the stub's seq_cst store of stop_pending before it reads
     * halted: either it sees this core awake or this core sees the stop */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (G.single_thread) {
        if (!single_ready(NULL)) {
            park_single();
            parked = true;
        }
        sync_gen(cpu);
        return !parked && (!__atomic_load_n(&G.hold[i], __ATOMIC_ACQUIRE) || shutting_down());
    }
    if (must_park(i)) {
        park(cpu);
        parked = true;
    }
    sync_gen(cpu);
    return !parked;
}

static void stop_all_cores(CPUState *except)
{
    for (int i = 0; i < G.m->ncpus; i++) {
        if (G.m->cpus[i] != except) {
            cpu_exit(G.m->cpus[i]);
        }
    }
}

static void wake_stub(void)
{
    uint64_t one = 1;
    if (write(G.event_fd, &one, sizeof(one)) < 0) {
        /* the counter cannot overflow with one writer per stop */
    }
}

void gdbstub_debug_exception(CPUState *cpu)
{
    if (__atomic_load_n(&G.fd, __ATOMIC_ACQUIRE) < 0) {
        return; /* a leftover of a debugger that left (its TBs go at the next sync) */
    }
    pthread_mutex_lock(&G.lock);
    bool first = !__atomic_load_n(&G.stop_pending, __ATOMIC_RELAXED);
    if (first) {
        __atomic_store_n(&G.stop_pending, 1, __ATOMIC_SEQ_CST);
    }
    if (!G.stop_cpu) {
        G.stop_cpu = cpu;
    }
    pthread_mutex_unlock(&G.lock);
    if (first) {
        stop_all_cores(cpu);
    }
    wake_stub();
    /* the caller's loop parks this core at its next gdbstub_core_sync() */
}

/* ---- the stub's side: stopping and resuming ---- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool core_quiet(int i)
{
    CPUState *cpu = G.m->cpus[i];
    return G.parked[i] || G.single_parked || __atomic_load_n(&cpu->halted, __ATOMIC_ACQUIRE) ||
           __atomic_load_n(&cpu->stopped, __ATOMIC_ACQUIRE);
}

/* Ask every core to stop and wait until none runs guest code. */
static void stop_and_wait(void)
{
    pthread_mutex_lock(&G.lock);
    __atomic_store_n(&G.stop_pending, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&G.lock);
    stop_all_cores(NULL);
    uint64_t deadline = now_ns() + STOP_WAIT_NS;
    pthread_mutex_lock(&G.lock);
    for (;;) {
        bool all = true;
        for (int i = 0; i < G.m->ncpus && all; i++) {
            all = core_quiet(i);
        }
        if (all || shutting_down() || now_ns() > deadline) {
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 5000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&G.cond, &G.lock, &ts);
    }
    /* a finished step is not repeated */
    for (int i = 0; i < G.m->ncpus; i++) {
        G.m->cpus[i]->singlestep = false;
    }
    pthread_mutex_unlock(&G.lock);
}

/* Resume with one action per core (ACT_NONE: it stays stopped). */
static void resume(const Action *act)
{
    /* events of the stop being left: every core that wrote one is parked */
    uint64_t v;
    while (read(G.event_fd, &v, sizeof(v)) > 0) {
    }
    pthread_mutex_lock(&G.lock);
    int held = 0;
    for (int i = 0; i < G.m->ncpus; i++) {
        G.m->cpus[i]->singlestep = act[i] == ACT_STEP;
        __atomic_store_n(&G.hold[i], act[i] == ACT_NONE, __ATOMIC_RELEASE);
        held += act[i] == ACT_NONE;
    }
    __atomic_store_n(&G.nb_held, held, __ATOMIC_RELEASE);
    G.stop_cpu = NULL;
    __atomic_store_n(&G.running, true, __ATOMIC_RELEASE);
    __atomic_store_n(&G.stop_pending, 0, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&G.lock);
    for (int i = 0; i < G.m->ncpus; i++) {
        if (G.single_thread) {
            coremu_sleep_notify(&G.single_sleep);
        } else {
            cpu_kick(G.m->cpus[i]);
        }
    }
}

static void resume_all(void)
{
    Action act[MAX_CPUS];
    for (int i = 0; i < G.m->ncpus; i++) {
        act[i] = ACT_CONTINUE;
    }
    resume(act);
}

static void changed_code(void)
{
    __atomic_fetch_add(&G.gen, 1, __ATOMIC_ACQ_REL);
}

static void clear_breakpoints(void)
{
    if (gdbstub_nb_breakpoints) {
        __atomic_store_n(&gdbstub_nb_breakpoints, 0, __ATOMIC_RELEASE);
        changed_code();
    }
}

/* ---- packets ---- */

static const char hexchars[] = "0123456789abcdef";

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static bool send_all(const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = send(G.fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* Frame and send one packet ($data#cs); binary-safe. */
static void put_packet_len(const char *data, size_t len)
{
    char *buf = malloc(len * 2 + 5);
    if (!buf) {
        fatal("out of memory");
    }
    size_t n = 0;
    uint8_t sum = 0;
    buf[n++] = '$';
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            buf[n++] = '}';
            sum += '}';
            c ^= 0x20;
        }
        buf[n++] = c;
        sum += (uint8_t)c;
    }
    buf[n++] = '#';
    buf[n++] = hexchars[sum >> 4];
    buf[n++] = hexchars[sum & 15];
    pthread_mutex_lock(&G.send_lock);
    if (G.fd >= 0) {
        send_all(buf, n);
    }
    pthread_mutex_unlock(&G.send_lock);
    free(buf);
}

static void put_packet(const char *s)
{
    put_packet_len(s, strlen(s));
}

static void put_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(n * 2 + 1);
    if (!s) {
        fatal("out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = hexchars[p[i] >> 4];
        s[2 * i + 1] = hexchars[p[i] & 15];
    }
    s[2 * n] = 0;
    put_packet(s);
    free(s);
}

/* Parse hex digits; *end past them. */
static uint64_t parse_hex(const char *s, const char **end)
{
    uint64_t v = 0;
    while (hexval(*s) >= 0) {
        v = v << 4 | (uint64_t)hexval(*s);
        s++;
    }
    *end = s;
    return v;
}

static size_t hex_to_bytes(const char *s, uint8_t *out, size_t max)
{
    size_t n = 0;
    while (n < max && hexval(s[0]) >= 0 && hexval(s[1]) >= 0) {
        out[n++] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
        s += 2;
    }
    return n;
}

/* Thread id in a packet: -1 all, 0 any, N core N-1; false if no such core. */
static bool parse_thread(const char *s, int *tid)
{
    if (strncmp(s, "-1", 2) == 0) {
        *tid = -1;
        return true;
    }
    const char *end;
    if (*s == 'p') { /* multiprocess form p1.N */
        parse_hex(s + 1, &end);
        s = *end == '.' ? end + 1 : end;
        if (strncmp(s, "-1", 2) == 0) {
            *tid = -1;
            return true;
        }
    }
    uint64_t v = parse_hex(s, &end);
    if (end == s || v > (uint64_t)G.m->ncpus) {
        return false;
    }
    *tid = (int)v;
    return true;
}

static void stop_reply(int sig)
{
    CPUState *cpu = G.stop_cpu ? G.stop_cpu : G.m->cpus[G.c_cpu];
    char buf[64];
    snprintf(buf, sizeof(buf), "T%02xthread:%x;", sig, cpu->cpu_index + 1);
    put_packet(buf);
    G.g_cpu = G.c_cpu = cpu->cpu_index;
}

/* Debug access to guest RAM through cpu's translation; false: E14. */
static bool access_memory(CPUState *cpu, uint64_t va, uint8_t *buf, size_t len, bool write)
{
    while (len) {
        uint64_t pa;
        size_t n = TARGET_PAGE_SIZE - (va & (TARGET_PAGE_SIZE - 1));
        if (n > len) {
            n = len;
        }
        if (!G.arch->virt_to_phys(cpu, va, &pa)) {
            return false;
        }
        uint8_t *host = memory_ram_ptr(G.m->as, pa, n);
        if (!host) {
            return false;
        }
        if (write) {
            memcpy(host, buf, n);
        } else {
            memcpy(buf, host, n);
        }
        va += n;
        buf += n;
        len -= n;
    }
    return true;
}

static void handle_read_memory(const char *p)
{
    const char *end;
    uint64_t addr = parse_hex(p, &end);
    if (*end != ',') {
        put_packet("E01");
        return;
    }
    uint64_t len = parse_hex(end + 1, &end);
    if (len > PACKET_MAX / 2) {
        len = PACKET_MAX / 2;
    }
    uint8_t buf[PACKET_MAX / 2];
    if (!access_memory(G.m->cpus[G.g_cpu], addr, buf, len, false)) {
        put_packet("E14");
        return;
    }
    put_hex(buf, len);
}

/* M addr,len:hex  or (binary) X addr,len:bytes */
static void handle_write_memory(const char *p, size_t plen, bool binary)
{
    const char *end;
    const char *start = p;
    uint64_t addr = parse_hex(p, &end);
    if (*end != ',') {
        put_packet("E01");
        return;
    }
    uint64_t len = parse_hex(end + 1, &end);
    if (*end != ':' || len > PACKET_MAX) {
        put_packet("E01");
        return;
    }
    const char *data = end + 1;
    size_t avail = plen - (size_t)(data - start);
    uint8_t buf[PACKET_MAX];
    if (binary) {
        if (avail < len) {
            put_packet("E01");
            return;
        }
        memcpy(buf, data, len);
    } else if (hex_to_bytes(data, buf, len) != len) {
        put_packet("E01");
        return;
    }
    if (len && !access_memory(G.m->cpus[G.g_cpu], addr, buf, len, true)) {
        put_packet("E14");
        return;
    }
    if (len) {
        changed_code(); /* the bytes may be code some core translated */
    }
    put_packet("OK");
}

static void handle_read_regs(void)
{
    uint8_t buf[4096];
    size_t n = 0;
    CPUState *cpu = G.m->cpus[G.g_cpu];
    for (int r = 0; r < G.arch->num_regs; r++) {
        n += (size_t)G.arch->read_reg(cpu, r, buf + n);
    }
    put_hex(buf, n);
}

static void handle_write_regs(const char *p)
{
    uint8_t buf[4096];
    size_t len = hex_to_bytes(p, buf, sizeof(buf));
    CPUState *cpu = G.m->cpus[G.g_cpu];
    size_t off = 0;
    uint8_t tmp[64];
    for (int r = 0; r < G.arch->num_regs; r++) {
        int sz = G.arch->read_reg(cpu, r, tmp);
        if (off + (size_t)sz > len) {
            break;
        }
        G.arch->write_reg(cpu, r, buf + off);
        off += (size_t)sz;
    }
    put_packet("OK");
}

static void handle_breakpoint(const char *p, bool insert)
{
    const char *end;
    uint64_t type = parse_hex(p, &end);
    if (type > 1) {
        put_packet(""); /* watchpoints are not supported */
        return;
    }
    if (*end != ',') {
        put_packet("E01");
        return;
    }
    uint64_t addr = parse_hex(end + 1, &end);
    int n = gdbstub_nb_breakpoints;
    int found = -1;
    for (int i = 0; i < n; i++) {
        if (G.bps[i].addr == addr && G.bps[i].type == (int)type) {
            found = i;
        }
    }
    if (insert) {
        if (found < 0) {
            if (n == MAX_BREAKPOINTS) {
                put_packet("E22");
                return;
            }
            G.bps[n].addr = addr;
            G.bps[n].type = (int)type;
            __atomic_store_n(&gdbstub_nb_breakpoints, n + 1, __ATOMIC_RELEASE);
            changed_code();
        }
    } else if (found >= 0) {
        G.bps[found] = G.bps[n - 1];
        __atomic_store_n(&gdbstub_nb_breakpoints, n - 1, __ATOMIC_RELEASE);
        changed_code();
    }
    put_packet("OK");
}

/* vCont;ACTION[:TID];...  (c, C sig, s, S sig, t); cores without an action stay stopped */
static void handle_vcont(const char *p)
{
    Action act[MAX_CPUS];
    bool set[MAX_CPUS];
    memset(set, 0, sizeof(set));
    for (int i = 0; i < G.m->ncpus; i++) {
        act[i] = ACT_NONE;
    }
    while (*p == ';') {
        p++;
        char a = *p++;
        Action what;
        if (a == 'c' || a == 'C') {
            what = ACT_CONTINUE;
        } else if (a == 's' || a == 'S') {
            what = ACT_STEP;
        } else if (a == 't') {
            what = ACT_NONE;
        } else {
            put_packet("E01");
            return;
        }
        if (a == 'C' || a == 'S') {
            const char *end;
            parse_hex(p, &end); /* the signal is not delivered to the guest */
            p = end;
        }
        int tid = -1;
        if (*p == ':') {
            if (!parse_thread(p + 1, &tid)) {
                put_packet("E22");
                return;
            }
            p++;
            while (*p && *p != ';') {
                p++;
            }
        }
        for (int i = 0; i < G.m->ncpus; i++) {
            if (!set[i] && (tid <= 0 || tid == i + 1)) {
                act[i] = what;
                set[i] = true;
            }
        }
    }
    bool any = false;
    for (int i = 0; i < G.m->ncpus; i++) {
        any |= act[i] != ACT_NONE;
    }
    if (!any) {
        put_packet("E01");
        return;
    }
    resume(act);
}

static void handle_xfer(const char *p)
{
    /* qXfer:features:read:target.xml:OFFSET,LENGTH */
    const char *q = "qXfer:features:read:target.xml:";
    if (strncmp(p, q, strlen(q)) != 0) {
        put_packet("E00");
        return;
    }
    const char *end;
    uint64_t off = parse_hex(p + strlen(q), &end);
    if (*end != ',') {
        put_packet("E00");
        return;
    }
    uint64_t len = parse_hex(end + 1, &end);
    size_t total = strlen(G.xml);
    if (off > total) {
        put_packet("E00");
        return;
    }
    if (len > PACKET_MAX - 16) {
        len = PACKET_MAX - 16;
    }
    size_t n = total - off < len ? total - off : len;
    char *buf = malloc(n + 1);
    if (!buf) {
        fatal("out of memory");
    }
    buf[0] = off + n < total ? 'm' : 'l';
    memcpy(buf + 1, G.xml + off, n);
    put_packet_len(buf, n + 1);
    free(buf);
}

/* The debugger leaves (D, or the connection closed): breakpoints go, every
 * core runs, held ones included. */
static void detach(void)
{
    clear_breakpoints();
    resume_all();
    __atomic_store_n(&G.running, false, __ATOMIC_RELEASE);
}

/* Handle one packet; false: close the connection. */
static bool handle_packet(char *p, size_t len)
{
    char buf[256];
    const char *end;
    int tid;
    switch (p[0]) {
    case '?':
        stop_reply(5);
        return true;
    case 'g':
        handle_read_regs();
        return true;
    case 'G':
        handle_write_regs(p + 1);
        return true;
    case 'p': {
        uint64_t r = parse_hex(p + 1, &end);
        uint8_t v[64];
        int n = r < 4096 ? G.arch->read_reg(G.m->cpus[G.g_cpu], (int)r, v) : 0;
        if (n == 0) {
            put_packet("E45");
        } else {
            put_hex(v, (size_t)n);
        }
        return true;
    }
    case 'P': {
        uint64_t r = parse_hex(p + 1, &end);
        uint8_t v[64];
        size_t n = *end == '=' ? hex_to_bytes(end + 1, v, sizeof(v)) : 0;
        uint8_t cur[64];
        int want = r < 4096 ? G.arch->read_reg(G.m->cpus[G.g_cpu], (int)r, cur) : 0;
        if (want == 0 || n != (size_t)want) {
            put_packet("E45");
        } else {
            G.arch->write_reg(G.m->cpus[G.g_cpu], (int)r, v);
            put_packet("OK");
        }
        return true;
    }
    case 'm':
        handle_read_memory(p + 1);
        return true;
    case 'M':
        handle_write_memory(p + 1, len - 1, false);
        return true;
    case 'X':
        handle_write_memory(p + 1, len - 1, true);
        return true;
    case 'c':
    case 's': {
        CPUState *cpu = G.m->cpus[G.c_cpu];
        if (p[1]) {
            G.arch->set_pc(cpu, parse_hex(p + 1, &end)); /* resume at addr */
        }
        /* s: this core steps, the others run (as QEMU); vCont gives control */
        Action act[MAX_CPUS];
        for (int i = 0; i < G.m->ncpus; i++) {
            act[i] = (p[0] == 's' && i == G.c_cpu) ? ACT_STEP : ACT_CONTINUE;
        }
        resume(act);
        return true;
    }
    case 'v':
        if (strncmp(p, "vCont?", 6) == 0) {
            put_packet("vCont;c;C;s;S;t");
        } else if (strncmp(p, "vCont", 5) == 0) {
            handle_vcont(p + 5);
        } else {
            put_packet("");
        }
        return true;
    case 'H':
        if ((p[1] == 'g' || p[1] == 'c') && parse_thread(p + 2, &tid)) {
            int idx = tid > 0 ? tid - 1 : (p[1] == 'g' ? G.g_cpu : G.c_cpu);
            if (p[1] == 'g') {
                G.g_cpu = idx;
            } else {
                G.c_cpu = idx;
            }
            put_packet("OK");
        } else {
            put_packet("E22");
        }
        return true;
    case 'T':
        put_packet(parse_thread(p + 1, &tid) && tid > 0 ? "OK" : "E22");
        return true;
    case 'Z':
    case 'z':
        handle_breakpoint(p + 1, p[0] == 'Z');
        return true;
    case 'D':
        put_packet("OK");
        detach();
        return false;
    case 'k':
        clear_breakpoints();
        machine_request_shutdown(G.m, 1, 0);
        resume_all();
        return false;
    case 'q':
        if (strncmp(p, "qSupported", 10) == 0) {
            snprintf(buf, sizeof(buf),
                     "PacketSize=%x;qXfer:features:read+;vContSupported+;QStartNoAckMode+",
                     PACKET_MAX);
            put_packet(buf);
        } else if (strncmp(p, "qXfer:", 6) == 0) {
            handle_xfer(p);
        } else if (strcmp(p, "qfThreadInfo") == 0) {
            size_t n = 0;
            char *s = malloc((size_t)G.m->ncpus * 4 + 2);
            if (!s) {
                fatal("out of memory");
            }
            s[n++] = 'm';
            for (int i = 0; i < G.m->ncpus; i++) {
                n += (size_t)sprintf(s + n, i ? ",%x" : "%x", i + 1);
            }
            s[n] = 0;
            put_packet(s);
            free(s);
        } else if (strcmp(p, "qsThreadInfo") == 0) {
            put_packet("l");
        } else if (strcmp(p, "qC") == 0) {
            snprintf(buf, sizeof(buf), "QC%x", G.c_cpu + 1);
            put_packet(buf);
        } else if (strncmp(p, "qAttached", 9) == 0) {
            put_packet("1");
        } else if (strncmp(p, "qThreadExtraInfo,", 17) == 0 && parse_thread(p + 17, &tid) &&
                   tid > 0) {
            CPUState *cpu = G.m->cpus[tid - 1];
            const char *st = __atomic_load_n(&cpu->stopped, __ATOMIC_ACQUIRE)  ? "powered off"
                             : __atomic_load_n(&cpu->halted, __ATOMIC_ACQUIRE) ? "halted"
                                                                               : "stopped";
            snprintf(buf, sizeof(buf), "CPU#%d [%s]", tid - 1, st);
            put_hex((const uint8_t *)buf, strlen(buf));
        } else if (strncmp(p, "qSymbol", 7) == 0) {
            put_packet("OK");
        } else {
            put_packet("");
        }
        return true;
    case 'Q':
        if (strcmp(p, "QStartNoAckMode") == 0) {
            put_packet("OK");
            G.no_ack = true;
        } else {
            put_packet("");
        }
        return true;
    default:
        put_packet("");
        return true;
    }
}

/* ---- the connection ---- */

typedef struct Reader {
    char buf[PACKET_MAX * 2 + 64];
    size_t len;
    bool in_packet;
    bool escape;
    uint8_t sum;
    int cs_digits;
    uint8_t cs;
} Reader;

/*
 * Feed one byte. Returns 1 when a packet is complete (in r->buf, r->len),
 * 3 for a Ctrl-C outside a packet, 0 otherwise.
 */
static int reader_feed(Reader *r, uint8_t c)
{
    if (!r->in_packet) {
        if (c == 0x03) {
            return 3;
        }
        if (c == '$') {
            r->in_packet = true;
            r->len = 0;
            r->sum = 0;
            r->escape = false;
            r->cs_digits = -1;
        }
        return 0; /* '+', '-' and noise */
    }
    if (r->cs_digits >= 0) {
        int v = hexval(c);
        r->cs = (uint8_t)(r->cs << 4 | (v < 0 ? 0 : v));
        if (++r->cs_digits == 2) {
            r->in_packet = false;
            if (r->cs != r->sum && !G.no_ack) {
                pthread_mutex_lock(&G.send_lock);
                send_all("-", 1);
                pthread_mutex_unlock(&G.send_lock);
                return 0;
            }
            if (!G.no_ack) {
                pthread_mutex_lock(&G.send_lock);
                send_all("+", 1);
                pthread_mutex_unlock(&G.send_lock);
            }
            r->buf[r->len] = 0;
            return 1;
        }
        return 0;
    }
    if (c == '#') {
        r->cs_digits = 0;
        r->cs = 0;
        return 0;
    }
    r->sum += c;
    if (r->escape) {
        c ^= 0x20;
        r->escape = false;
    } else if (c == '}') {
        r->escape = true;
        return 0;
    }
    if (r->len < sizeof(r->buf) - 1) {
        r->buf[r->len++] = (char)c;
    }
    return 0;
}

static void serve_client(void)
{
    static Reader r;
    memset(&r, 0, sizeof(r));
    G.no_ack = false;
    G.g_cpu = G.c_cpu = 0;
    stop_and_wait(); /* a debugger that attaches finds the machine stopped (-S: already) */
    __atomic_store_n(&G.running, false, __ATOMIC_RELEASE);
    for (;;) {
        struct pollfd pf[3] = {
            {G.fd, POLLIN, 0}, {G.event_fd, POLLIN, 0}, {G.listen_fd, POLLIN, 0}};
        int n = poll(pf, 3, 100);
        if (n < 0 && errno != EINTR) {
            break;
        }
        if (pf[2].revents & POLLIN) {
            int other = accept(G.listen_fd, NULL, NULL);
            if (other >= 0) {
                close(other); /* one debugger at a time */
            }
        }
        if (pf[1].revents & POLLIN) {
            uint64_t v;
            if (read(G.event_fd, &v, sizeof(v)) < 0) {
                /* nothing to drain */
            }
            if (G.running) {
                stop_and_wait();
                __atomic_store_n(&G.running, false, __ATOMIC_RELEASE);
                stop_reply(5);
            }
        }
        /* when the machine shuts down while running, gdbstub_finish() sends
         * the exit status (W) once the cores stopped, then closes */
        if (!(pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            continue;
        }
        uint8_t in[4096];
        ssize_t got = recv(G.fd, in, sizeof(in), 0);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            detach(); /* the debugger went away: let the guest run */
            break;
        }
        bool keep = true;
        for (ssize_t i = 0; i < got && keep; i++) {
            int k = reader_feed(&r, in[i]);
            if (k == 3 && G.running) {
                stop_and_wait();
                __atomic_store_n(&G.running, false, __ATOMIC_RELEASE);
                stop_reply(2);
            } else if (k == 1 && !G.running) {
                keep = handle_packet(r.buf, r.len);
            }
        }
        if (!keep) {
            break;
        }
    }
    pthread_mutex_lock(&G.send_lock);
    close(G.fd);
    G.fd = -1;
    pthread_mutex_unlock(&G.send_lock);
}

static void *stub_thread(void *arg)
{
    (void)arg;
    for (;;) {
        int fd = accept(G.listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            return NULL;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        pthread_mutex_lock(&G.send_lock);
        G.fd = fd;
        pthread_mutex_unlock(&G.send_lock);
        serve_client();
    }
}

static int open_listener(void)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", G.port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int e = getaddrinfo(G.host, port, &hints, &res);
    if (e != 0) {
        error_report("-gdb: cannot resolve '%s': %s", G.host ? G.host : "", gai_strerror(e));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 1) == 0) {
            break;
        }
        err = errno;
        close(fd);
        fd = -1;
        if (err == EADDRINUSE) {
            break; /* taken on one family: do not quietly take it on another */
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        error_report("-gdb: cannot listen on tcp:%s:%d: %s", G.host ? G.host : "", G.port,
                     strerror(err));
    }
    return fd;
}

bool gdbstub_start(Machine *m, bool single_thread)
{
    if (!G.enabled) {
        if (G.start_stopped) {
            error_report("-S needs a debugger to start the cores: add -s or -gdb tcp::PORT");
            return false;
        }
        return true;
    }
    G.m = m;
    G.single_thread = single_thread;
    G.arch = gdbstub_find_arch(cpu_arch_name(m->cpus[0]));
    if (!G.arch) {
        error_report("-gdb: no debugger support for %s", cpu_arch_name(m->cpus[0]));
        return false;
    }
    G.xml = G.arch->xml;
    G.parked = calloc((size_t)m->ncpus, sizeof(bool));
    G.hold = calloc((size_t)m->ncpus, sizeof(bool));
    G.seen_gen = calloc((size_t)m->ncpus, sizeof(uint64_t));
    if (!G.parked || !G.hold || !G.seen_gen) {
        fatal("out of memory");
    }
    G.listen_fd = open_listener();
    if (G.listen_fd < 0) {
        return false;
    }
    G.event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (G.event_fd < 0) {
        fatal("eventfd: %s", strerror(errno));
    }
    if (G.start_stopped) {
        G.stop_pending = 1; /* cores park before their first instruction */
    }
    gdbstub_attention = 1;
    pthread_t th;
    if (pthread_create(&th, NULL, stub_thread, NULL) != 0) {
        fatal("cannot start the gdb stub thread");
    }
    pthread_detach(th);
    return true;
}

void gdbstub_finish(int status)
{
    if (!G.enabled) {
        return;
    }
    pthread_mutex_lock(&G.send_lock);
    int fd = G.fd;
    pthread_mutex_unlock(&G.send_lock);
    if (fd >= 0 && __atomic_load_n(&G.running, __ATOMIC_ACQUIRE)) {
        char buf[8];
        snprintf(buf, sizeof(buf), "W%02x", status & 0xff);
        put_packet(buf); /* the debugger waits for a stop reply: the process exited */
    }
    pthread_mutex_lock(&G.send_lock);
    if (G.fd >= 0) {
        shutdown(G.fd, SHUT_RDWR);
    }
    pthread_mutex_unlock(&G.send_lock);
}

bool gdbstub_stopped(void)
{
    return __atomic_load_n(&G.stop_pending, __ATOMIC_ACQUIRE) != 0 ||
           __atomic_load_n(&G.nb_held, __ATOMIC_ACQUIRE) != 0;
}
