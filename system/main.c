/*
 * main.c — the command line (QEMU-compatible where QEMU has the option),
 * machine creation and the run.
 *
 * Every option is validated before anything starts: an unknown option, a
 * bad value, or a file that cannot be read ends the program with one line
 * on stderr naming the problem and exit status 1. The machine's own init
 * reports malformed kernels, initrds and disk images the same way.
 * docs/user-guide.md documents every option; keep it in step.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coremu/sched.h"
#include "exec/memory.h"
#include "reemu/reemu.h"
#include "system/block.h"
#include "system/chardev.h"
#include "system/cpus.h"
#include "system/gdbstub.h"
#include "system/loader.h"
#include "system/machine.h"
#include "tcg/tcg.h"
#include "util/log.h"

#define COREMU_VERSION "0.1.0"

typedef struct Options {
    MachineOptions mo;
    CpusConfig cfg;
    bool machine_help, cpu_help, log_help;
    const char *log_items;
    const char *log_file;
    bool ram_given;
} Options;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: %s [options]\n"
            "coremu %s — parallel full-system emulator\n\n"
            "Machine:\n"
            "  -M, -machine NAME[,dumpdtb=FILE]  machine type ('help' lists them)\n"
            "  -cpu MODEL                 CPU model ('help' lists them)\n"
            "  -smp N | cpus=N            number of cores (1..255)\n"
            "  -m SIZE                    guest RAM, suffix K/M/G/T (default M)\n"
            "Boot:\n"
            "  -kernel FILE               Linux kernel (arm64 Image) or bare-metal ELF\n"
            "  -initrd FILE               initial ramdisk\n"
            "  -append CMDLINE            kernel command line\n"
            "  -dtb FILE                  use this device tree instead of the generated one\n"
            "Devices and display:\n"
            "  -drive file=IMG[,format=raw][,if=virtio|none][,id=ID][,readonly=on]\n"
            "  -device virtio-blk-device,drive=ID\n"
            "  -snapshot                  disk writes go to memory, the images stay unchanged\n"
            "  -serial stdio|file:PATH|none   first serial port back-end\n"
            "  -nographic                 no display; serial on stdio\n"
            "  -display none              no display\n"
            "  -no-reboot                 exit instead of rebooting\n"
            "Execution:\n"
            "  -accel tcg[,thread=multi|single][,backend=jit|interp][,tb-size=MiB]\n"
            "  -icount                    exact instruction counting\n"
            "  -coremu stats=FILE         per-core statistics (JSON lines) at exit\n"
            "Record/replay (docs/reemu.md):\n"
            "  -record FILE | -replay FILE  record a run (any -smp) / replay it exactly\n"
            "  -icount shift=0,rr=record|replay,rrfile=FILE  the same, QEMU's spelling\n"
            "  -reemu obj=N,delay=US,verbose=1  object size 2^N bytes (default 6);\n"
            "                             random host delays (testing); a summary line\n"
            "  -coremu sched=feedback|pin|none  core threads on host CPUs (default feedback)\n"
            "  -coremu backoff=on|off     oversubscribed spinners sleep briefly (off)\n"
            "Debugging:\n"
            "  -d ITEM[,ITEM...]          log items ('-d help' lists them)\n"
            "  -D FILE                    write the log to FILE\n"
            "  -gdb tcp::PORT | tcp:HOST:PORT  wait for gdb's remote protocol there\n"
            "  -s                         the same as -gdb tcp::1234\n"
            "  -S                         do not start the cores until gdb continues\n"
            "Other:\n"
            "  -version                   print the version\n"
            "  -h, -help                  this help\n",
            prog_name, COREMU_VERSION);
}

/* ---- value parsers: each reports its own error ---- */

static bool parse_uint(const char *opt, const char *s, uint64_t min, uint64_t max,
                       uint64_t *out)
{
    char *end;
    if (!*s || !isdigit((unsigned char)*s)) {
        error_report("option %s: '%s' is not a number", opt, s);
        return false;
    }
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v < min || v > max) {
        error_report("option %s: '%s' is not a number in %" PRIu64 "..%" PRIu64, opt, s, min,
                     max);
        return false;
    }
    *out = v;
    return true;
}

static bool parse_size(const char *opt, const char *s, uint64_t *out)
{
    char *end;
    if (!isdigit((unsigned char)*s)) {
        error_report("option %s: '%s' is not a size (e.g. 512M, 2G)", opt, s);
        return false;
    }
    errno = 0;
    double v = strtod(s, &end);
    uint64_t mul = 1 << 20; /* no suffix: MiB, as QEMU */
    if (*end) {
        switch (toupper((unsigned char)*end)) {
        case 'B': mul = 1; break;
        case 'K': mul = 1ull << 10; break;
        case 'M': mul = 1ull << 20; break;
        case 'G': mul = 1ull << 30; break;
        case 'T': mul = 1ull << 40; break;
        default:
            error_report("option %s: '%s' has an unknown size suffix (use K, M, G or T)", opt, s);
            return false;
        }
        end++;
        if (*end == 'i' || *end == 'I') {
            end++;
        }
        if (*end == 'b' || *end == 'B') {
            end++;
        }
        if (*end) {
            error_report("option %s: '%s' is not a size (e.g. 512M, 2G)", opt, s);
            return false;
        }
    }
    if (errno || v <= 0 || v * (double)mul > (double)(1ull << 48)) {
        error_report("option %s: size '%s' is out of range", opt, s);
        return false;
    }
    *out = (uint64_t)(v * (double)mul);
    return true;
}

/* "a,b=c,d=e": first element (no '=') returned in *head; calls fn per key=value. */
typedef bool (*KvFn)(Options *o, const char *opt, const char *key, const char *val);

static bool parse_kv(Options *o, const char *opt, const char *arg, bool allow_head,
                     char **head, KvFn fn)
{
    char *copy = strdup(arg);
    char *save = NULL;
    bool first = true;
    if (!copy) {
        fatal("out of memory");
    }
    if (head) {
        *head = NULL;
    }
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            if (first && allow_head) {
                *head = strdup(tok);
                first = false;
                continue;
            }
            error_report("option %s: '%s' is not of the form key=value", opt, tok);
            free(copy);
            return false;
        }
        first = false;
        *eq = 0;
        if (!fn(o, opt, tok, eq + 1)) {
            free(copy);
            return false;
        }
    }
    free(copy);
    return true;
}

static bool check_readable(const char *what, const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        error_report("cannot open %s '%s': %s", what, path, strerror(errno));
        return false;
    }
    close(fd);
    return true;
}

static bool kv_machine(Options *o, const char *opt, const char *k, const char *v)
{
    if (strcmp(k, "type") == 0) {
        o->mo.machine = strdup(v);
    } else if (strcmp(k, "dumpdtb") == 0) {
        o->mo.dumpdtb = strdup(v);
    } else if (strcmp(k, "gic-version") == 0) {
        if (strcmp(v, "3") != 0 && strcmp(v, "max") != 0 && strcmp(v, "host") != 0) {
            error_report("option %s: gic-version '%s' is not supported (only 3)", opt, v);
            return false;
        }
    } else {
        error_report("option %s: unknown property '%s'", opt, k);
        return false;
    }
    return true;
}

static bool kv_smp(Options *o, const char *opt, const char *k, const char *v)
{
    uint64_t n;
    if (!parse_uint(opt, v, 1, MAX_CPUS, &n)) {
        return false;
    }
    if (strcmp(k, "cpus") == 0) {
        o->mo.smp = (int)n;
    } else if (strcmp(k, "maxcpus") != 0 && strcmp(k, "sockets") != 0 &&
               strcmp(k, "cores") != 0 && strcmp(k, "threads") != 0 &&
               strcmp(k, "clusters") != 0 && strcmp(k, "dies") != 0) {
        error_report("option %s: unknown property '%s'", opt, k);
        return false;
    }
    return true;
}

static bool kv_mem(Options *o, const char *opt, const char *k, const char *v)
{
    if (strcmp(k, "size") == 0) {
        return parse_size(opt, v, &o->mo.ram_size);
    }
    if (strcmp(k, "slots") == 0 || strcmp(k, "maxmem") == 0) {
        return true;
    }
    error_report("option %s: unknown property '%s'", opt, k);
    return false;
}

static bool kv_accel(Options *o, const char *opt, const char *k, const char *v)
{
    if (strcmp(k, "thread") == 0) {
        if (strcmp(v, "multi") == 0) {
            o->cfg.single_thread = false;
        } else if (strcmp(v, "single") == 0) {
            o->cfg.single_thread = true;
        } else {
            error_report("option %s: thread must be 'multi' or 'single', not '%s'", opt, v);
            return false;
        }
    } else if (strcmp(k, "backend") == 0) {
        if (strcmp(v, "jit") == 0) {
            o->cfg.backend = &tcg_backend_x86_64;
        } else if (strcmp(v, "interp") == 0) {
            o->cfg.backend = &tcg_backend_interp;
        } else {
            error_report("option %s: backend must be 'jit' or 'interp', not '%s'", opt, v);
            return false;
        }
    } else if (strcmp(k, "tb-size") == 0) {
        uint64_t mb;
        if (!parse_uint(opt, v, 1, 2047, &mb)) {
            return false;
        }
        o->cfg.tb_size = (size_t)mb << 20;
    } else {
        error_report("option %s: unknown property '%s'", opt, k);
        return false;
    }
    return true;
}

static bool kv_drive(Options *o, const char *opt, const char *k, const char *v)
{
    DriveOptions *d = &o->mo.drives[o->mo.ndrives];
    if (strcmp(k, "file") == 0) {
        d->file = strdup(v);
    } else if (strcmp(k, "format") == 0) {
        if (strcmp(v, "raw") != 0) {
            error_report("option %s: format '%s' is not supported (only raw)", opt, v);
            return false;
        }
        d->format = "raw";
    } else if (strcmp(k, "if") == 0) {
        if (strcmp(v, "virtio") != 0 && strcmp(v, "none") != 0) {
            error_report("option %s: if='%s' is not supported (virtio or none)", opt, v);
            return false;
        }
        d->interface = strcmp(v, "virtio") == 0 ? "virtio" : "none";
    } else if (strcmp(k, "id") == 0) {
        d->id = strdup(v);
    } else if (strcmp(k, "readonly") == 0) {
        if (strcmp(v, "on") == 0) {
            d->readonly = true;
        } else if (strcmp(v, "off") == 0) {
            d->readonly = false;
        } else {
            error_report("option %s: readonly must be 'on' or 'off', not '%s'", opt, v);
            return false;
        }
    } else if (strcmp(k, "cache") == 0 || strcmp(k, "media") == 0) {
        /* accepted for compatibility */
    } else {
        error_report("option %s: unknown property '%s'", opt, k);
        return false;
    }
    return true;
}

static bool kv_coremu(Options *o, const char *opt, const char *k, const char *v)
{
    if (strcmp(k, "stats") == 0) {
        if (!*v) {
            error_report("option %s: stats= needs a file name", opt);
            return false;
        }
        o->cfg.stats_file = strdup(v);
        return true;
    }
    if (strcmp(k, "sched") == 0) {
        CoreSchedPolicy p;
        if (!coremu_sched_parse(v, &p)) {
            error_report("option %s: sched must be feedback, pin or none, not '%s'", opt, v);
            return false;
        }
        o->cfg.sched = (int)p;
        return true;
    }
    if (strcmp(k, "backoff") == 0) {
        if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
            error_report("option %s: backoff must be 'on' or 'off', not '%s'", opt, v);
            return false;
        }
        o->cfg.spin_backoff = strcmp(v, "on") == 0;
        return true;
    }
    error_report("option %s: unknown property '%s'", opt, k);
    return false;
}

static const char *device_drive_id;
static bool kv_device(Options *o, const char *opt, const char *k, const char *v)
{
    if (strcmp(k, "drive") == 0) {
        device_drive_id = strdup(v);
        return true;
    }
    error_report("option %s: unknown property '%s'", opt, k);
    return false;
}

static bool handle_device(Options *o, const char *opt, const char *arg)
{
    char *model = NULL;
    device_drive_id = NULL;
    if (!parse_kv(o, opt, arg, true, &model, kv_device)) {
        return false;
    }
    if (!model || (strcmp(model, "virtio-blk-device") != 0 && strcmp(model, "virtio-blk") != 0 &&
                   strcmp(model, "virtio-blk-pci") != 0)) {
        error_report("option %s: unknown device '%s' (supported: virtio-blk-device)", opt,
                     model ? model : "");
        return false;
    }
    if (!device_drive_id) {
        error_report("option %s: %s needs drive=ID", opt, model);
        return false;
    }
    for (int i = 0; i < o->mo.ndrives; i++) {
        DriveOptions *d = &o->mo.drives[i];
        if (d->id && strcmp(d->id, device_drive_id) == 0) {
            d->interface = "virtio";
            free(model);
            return true;
        }
    }
    error_report("option %s: no -drive with id=%s (give -drive before -device)", opt,
                 device_drive_id);
    return false;
}

/* ---- the option table ---- */

static bool parse_args(Options *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') {
            error_report("unexpected argument '%s' (options start with '-')", a);
            return false;
        }
        const char *name = a + (a[1] == '-' ? 2 : 1);
        /* options without a value */
        if (strcmp(name, "nographic") == 0) {
            o->mo.nographic = true;
            continue;
        }
        if (strcmp(name, "no-reboot") == 0) {
            o->mo.no_reboot = true;
            continue;
        }
        if (strcmp(name, "snapshot") == 0) {
            block_snapshot = true; /* disk writes to an overlay in memory (system/block.h) */
            continue;
        }
        if (strcmp(name, "icount") == 0 && (i + 1 >= argc || argv[i + 1][0] == '-')) {
            o->cfg.icount = true;
            continue;
        }
        if (strcmp(name, "version") == 0) {
            printf("coremu %s (%s)\n", COREMU_VERSION, prog_name);
            exit(0);
        }
        if (strcmp(name, "h") == 0 || strcmp(name, "help") == 0) {
            usage(stdout);
            exit(0);
        }
        if (gdbstub_is_option(name)) {
            /* -s, -S, -gdb tcp::PORT (system/gdbstub.c) */
            const char *v = NULL;
            if (gdbstub_option_takes_value(name)) {
                if (i + 1 >= argc) {
                    error_report("option %s needs a value", a);
                    return false;
                }
                v = argv[++i];
            }
            if (!gdbstub_parse_option(name, v)) {
                return false;
            }
            continue;
        }
        if (reemu_is_option(name)) {
            /* -record FILE, -replay FILE, -reemu obj=N,delay=US (reemu/reemu.c) */
            if (i + 1 >= argc) {
                error_report("option %s needs a value", a);
                return false;
            }
            if (!reemu_parse_option(name, argv[++i])) {
                return false;
            }
            continue;
        }
        static const char *const with_value[] = {
            "M", "machine", "cpu", "smp", "m", "kernel", "initrd", "append", "dtb", "serial",
            "display", "accel", "d", "D", "drive", "device", "icount", "coremu", NULL};
        bool known = false;
        for (int k = 0; with_value[k]; k++) {
            known |= strcmp(name, with_value[k]) == 0;
        }
        if (!known) {
            error_report("unknown option '%s' (see -help)", a);
            return false;
        }
        if (i + 1 >= argc) {
            error_report("option %s needs a value", a);
            return false;
        }
        const char *v = argv[++i];
        if (strcmp(name, "M") == 0 || strcmp(name, "machine") == 0) {
            char *head = NULL;
            if (!parse_kv(o, a, v, true, &head, kv_machine)) {
                return false;
            }
            if (head) {
                o->mo.machine = head;
            }
            if (o->mo.machine && strcmp(o->mo.machine, "help") == 0) {
                o->machine_help = true;
            }
        } else if (strcmp(name, "cpu") == 0) {
            o->mo.cpu_model = v;
            if (strcmp(v, "help") == 0) {
                o->cpu_help = true;
            }
        } else if (strcmp(name, "smp") == 0) {
            char *head = NULL;
            if (!parse_kv(o, a, v, true, &head, kv_smp)) {
                return false;
            }
            if (head) {
                uint64_t n;
                bool ok = parse_uint(a, head, 1, MAX_CPUS, &n);
                free(head);
                if (!ok) {
                    return false;
                }
                o->mo.smp = (int)n;
            }
        } else if (strcmp(name, "m") == 0) {
            if (strchr(v, '=')) {
                if (!parse_kv(o, a, v, false, NULL, kv_mem)) {
                    return false;
                }
            } else if (!parse_size(a, v, &o->mo.ram_size)) {
                return false;
            }
            o->ram_given = true;
        } else if (strcmp(name, "kernel") == 0) {
            o->mo.kernel = v;
        } else if (strcmp(name, "initrd") == 0) {
            o->mo.initrd = v;
        } else if (strcmp(name, "append") == 0) {
            o->mo.append = v;
        } else if (strcmp(name, "dtb") == 0) {
            o->mo.dtb = v;
        } else if (strcmp(name, "serial") == 0) {
            if (strcmp(v, "stdio") != 0 && strcmp(v, "none") != 0 &&
                strcmp(v, "null") != 0 && strncmp(v, "file:", 5) != 0) {
                error_report("option %s: unknown back-end '%s' (use stdio, file:PATH or none)",
                             a, v);
                return false;
            }
            if (strncmp(v, "file:", 5) == 0 && !v[5]) {
                error_report("option %s: file: needs a path", a);
                return false;
            }
            o->mo.serial = strcmp(v, "null") == 0 ? "none" : v;
        } else if (strcmp(name, "display") == 0) {
            if (strcmp(v, "none") != 0) {
                error_report("option %s: display '%s' is not available (only none)", a, v);
                return false;
            }
        } else if (strcmp(name, "accel") == 0) {
            char *head = NULL;
            if (!parse_kv(o, a, v, true, &head, kv_accel)) {
                return false;
            }
            bool tcg = !head || strcmp(head, "tcg") == 0;
            if (!tcg) {
                error_report("option %s: accelerator '%s' is not available (only tcg)", a, head);
            }
            free(head);
            if (!tcg) {
                return false;
            }
        } else if (strcmp(name, "d") == 0) {
            if (strcmp(v, "help") == 0) {
                o->log_help = true;
            } else {
                o->log_items = v;
                const char *bad;
                size_t badlen;
                uint32_t mask;
                if (!log_parse_items(v, &mask, &bad, &badlen)) {
                    error_report("option -d: unknown log item '%.*s' ('-d help' lists them)",
                                 (int)badlen, bad);
                    return false;
                }
                log_mask = mask;
            }
        } else if (strcmp(name, "D") == 0) {
            o->log_file = v;
        } else if (strcmp(name, "drive") == 0) {
            if (o->mo.ndrives >= MAX_DRIVES) {
                error_report("option %s: at most %d drives", a, MAX_DRIVES);
                return false;
            }
            DriveOptions *d = &o->mo.drives[o->mo.ndrives];
            d->interface = "virtio";
            d->format = "raw";
            if (!parse_kv(o, a, v, false, NULL, kv_drive)) {
                return false;
            }
            if (!d->file) {
                error_report("option %s: file= is required", a);
                return false;
            }
            o->mo.ndrives++;
        } else if (strcmp(name, "device") == 0) {
            if (!handle_device(o, a, v)) {
                return false;
            }
        } else if (strcmp(name, "coremu") == 0) {
            if (!parse_kv(o, a, v, false, NULL, kv_coremu)) {
                return false;
            }
        } else if (strcmp(name, "icount") == 0) {
            /* -icount shift=N / auto: exact counting; the shift is not used */
            o->cfg.icount = true;
            if (!reemu_parse_icount(v)) { /* rr=record|replay,rrfile=FILE */
                return false;
            }
        }
    }
    return true;
}

static void quit_from_console(void *opaque)
{
    /* Ctrl-A x: a clean shutdown through the same path as a guest power-off */
    machine_request_shutdown(opaque, 1, 0);
}

static void print_cpu_models(const MachineClass *mc)
{
    printf("Available CPUs:\n");
    for (int i = 0; mc->cpu_models && mc->cpu_models[i]; i++) {
        printf("  %s%s\n", mc->cpu_models[i],
               strcmp(mc->cpu_models[i], mc->default_cpu) == 0 ? " (default)" : "");
    }
}

int main(int argc, char **argv)
{
    const char *slash = strrchr(argv[0], '/');
    prog_name = slash ? slash + 1 : argv[0];
    signal(SIGPIPE, SIG_IGN); /* `coremu ... | head` must not kill the emulator */

    static Options o; /* static: the option strings stay reachable (LeakSanitizer) */
    memset(&o, 0, sizeof(o));
    o.mo.smp = 1;
    o.cfg.backend = &tcg_backend_x86_64;
    o.cfg.tb_size = 32u << 20;

    if (!parse_args(&o, argc, argv)) {
        return 1;
    }
    if (o.log_help) {
        log_print_items(stdout);
        return 0;
    }
    if (o.machine_help) {
        machine_list(stdout);
        return 0;
    }
    const MachineClass *mc = o.mo.machine ? machine_find(o.mo.machine) : machine_default();
    if (!mc) {
        if (o.mo.machine) {
            error_report("unknown machine '%s' ('-M help' lists them)", o.mo.machine);
        } else {
            error_report("no machine type is built into this binary");
        }
        return 1;
    }
    if (o.cpu_help) {
        print_cpu_models(mc);
        return 0;
    }
    if (!o.mo.cpu_model) {
        o.mo.cpu_model = mc->default_cpu;
    } else {
        bool found = false;
        for (int i = 0; mc->cpu_models && mc->cpu_models[i]; i++) {
            found |= strcmp(mc->cpu_models[i], o.mo.cpu_model) == 0;
        }
        if (!found) {
            error_report("unknown CPU model '%s' for machine '%s' ('-cpu help' lists them)",
                         o.mo.cpu_model, mc->name);
            return 1;
        }
    }
    if (o.mo.smp > mc->max_cpus) {
        error_report("machine '%s' supports at most %d cores, -smp asked for %d", mc->name,
                     mc->max_cpus, o.mo.smp);
        return 1;
    }
    if (!o.ram_given) {
        o.mo.ram_size = mc->default_ram;
    }
    if (o.mo.ram_size < (16u << 20)) {
        error_report("-m: %" PRIu64 " bytes of RAM is too small (at least 16M)", o.mo.ram_size);
        return 1;
    }
    if (!o.mo.kernel && !o.mo.dumpdtb) {
        error_report("no kernel given (use -kernel FILE)");
        return 1;
    }
    if ((o.mo.kernel && !check_readable("kernel", o.mo.kernel)) ||
        (o.mo.initrd && !check_readable("initrd", o.mo.initrd)) ||
        (o.mo.dtb && !check_readable("device tree", o.mo.dtb))) {
        return 1;
    }
    if (o.mo.initrd && !initrd_check(o.mo.initrd)) {
        return 1;
    }
    if (!reemu_configure(&o.mo, &o.cfg)) { /* record/replay: exact counting, -snapshot */
        return 1;
    }
    for (int i = 0; i < o.mo.ndrives; i++) {
        const DriveOptions *d = &o.mo.drives[i];
        bool ro = d->readonly || block_snapshot;
        int fd = open(d->file, ro ? O_RDONLY : O_RDWR);
        if (fd < 0) {
            error_report("cannot open disk image '%s'%s: %s", d->file, ro ? "" : " for writing",
                         strerror(errno));
            return 1;
        }
        close(fd);
    }
    if (o.log_file && !log_set_file(o.log_file)) {
        error_report("cannot open log file '%s': %s", o.log_file, strerror(errno));
        return 1;
    }
    if (!o.mo.serial) {
        o.mo.serial = "stdio"; /* -nographic or not: there is no display */
    }
    o.mo.single_thread = o.cfg.single_thread;
    o.mo.interp = o.cfg.backend == &tcg_backend_interp;
    o.mo.icount = o.cfg.icount;

    Machine *m = calloc(1, sizeof(*m));
    if (!m) {
        fatal("out of memory");
    }
    m->mc = mc;
    m->opts = &o.mo;
    m->as = address_space_new("memory");
    m->ncpus = o.mo.smp;
    if (!o.mo.dumpdtb) {
        m->serial = chardev_open(o.mo.serial);
        if (!m->serial) {
            return 1;
        }
        chardev_set_quit_handler(m->serial, quit_from_console, m);
    }
    for (int i = 0; i < m->ncpus; i++) {
        m->cpus[i] = cpu_create(m, mc->cpu_class, i, o.mo.cpu_model);
    }
    if (!mc->init(m)) {
        return 1;
    }
    if (o.mo.dumpdtb) {
        return 0; /* the board wrote the device tree */
    }
    if (!reemu_start(m, &o.cfg)) { /* -record: open the log; -replay: read and check it */
        return 1;
    }
    if (!gdbstub_start(m, o.cfg.single_thread)) { /* -s/-gdb: listen; -S: cores wait */
        return 1;
    }
    int status = cpus_run(m, &o.cfg);
    gdbstub_finish(status);
    status = reemu_finish(m, status); /* -record: the trailer; -replay: the comparison */
    chardev_close(m->serial); /* joins its input thread, restores the terminal */
    fflush(stdout);
    return status;
}
