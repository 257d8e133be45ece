/*
 * test-arm-virt-reboot.c — in-place reboot of the virt board with real cores
 * (system/cpus.c): a bare-metal guest counts its boots in RAM, which a reset
 * keeps, starts core 1 with PSCI CPU_ON on every boot (ALREADY_ON would mean
 * core 1 was not powered off by the reset), waits for core 1 to count the
 * boot too, prints the boot number on the PL011 and asks for SYSTEM_RESET
 * until the third boot, then SYSTEM_OFF. Core 1 spins in guest code the
 * whole time, so each reset must stop a running core. Without -no-reboot the
 * serial output is "123" and the status 0, on one thread per core (2 and 4
 * cores), on one thread for all, and with the IR interpreter; with
 * -no-reboot the first reset ends the run: "1", status 0. Each run is a
 * child process (cpus_run owns process-wide state) with a time limit.
 *
 * The guest (aarch64-linux-gnu-as; ld -T: . = 0x40000000; objcopy -O binary):
 *
 * // Bare-metal guest for test-arm-virt-reboot: counts its boots in RAM that the
 * // reset keeps, starts core 1 each boot, prints the boot number, reboots with
 * // PSCI SYSTEM_RESET until the third boot, then SYSTEM_OFF.
 *     .text
 * _head:                              // arm64 Image header (booting.rst)
 *     b _start
 *     .word 0
 *     .quad 0                         // text_offset
 *     .quad _end - _head              // image_size
 *     .quad 2                         // flags: little-endian, 4K pages
 *     .quad 0, 0, 0
 *     .ascii "ARM\x64"
 *     .word 0
 *
 * _start:
 *     ldr x10, =0x40100000            // counters: [0] boots of core 0, [4] of core 1
 *     ldr x20, =0x09000000            // PL011
 *     ldr w2, [x10]
 *     add w2, w2, #1
 *     str w2, [x10]
 *     ldr x0, =0xc4000003             // CPU_ON core 1 at secondary
 *     mov x1, #1
 *     ldr x2, =secondary
 *     mov x3, #0
 *     hvc #0
 *     cbnz x0, fail                   // e.g. ALREADY_ON: core 1 was not off after the reset
 * 1:  ldr w3, [x10, #4]               // wait until core 1 counted this boot
 *     ldr w2, [x10]
 *     cmp w3, w2
 *     b.ne 1b
 *     add w4, w2, #'0'
 *     str w4, [x20]                   // the boot number on the UART
 *     cmp w2, #3
 *     b.hs off
 *     ldr x0, =0x84000009             // SYSTEM_RESET
 *     hvc #0
 *     b .
 * off:
 *     ldr x0, =0x84000008             // SYSTEM_OFF
 *     hvc #0
 *     b .
 * fail:
 *     mov w4, #'F'
 *     str w4, [x20]
 *     b off
 *
 * secondary:
 *     ldr x10, =0x40100000
 *     ldr w2, [x10, #4]
 *     add w2, w2, #1
 *     str w2, [x10, #4]
 * 2:  b 2b                            // spin in guest code: the reset must stop it
 *     .ltorg
 *     .balign 16
 * _end:
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hw/arm/virt.h"
#include "system/chardev.h"
#include "system/cpus.h"
#include "target/arm/cpu.h"

static int failures;
static char why[512];

static void run(const char *name, bool (*fn)(void))
{
    why[0] = 0;
    if (fn()) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
    fflush(stdout);
}

static const uint32_t guest_reboot[] = {
    0x14000010, 0x00000000, 0x00000000, 0x00000000, 0x00000100, 0x00000000,
    0x00000002, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x644d5241, 0x00000000, 0x5800044a, 0x58000474,
    0xb9400142, 0x11000442, 0xb9000142, 0x58000420, 0xd2800021, 0x58000422,
    0xd2800003, 0xd4000002, 0xb50001e0, 0xb9400543, 0xb9400142, 0x6b02007f,
    0x54ffffa1, 0x1100c044, 0xb9000284, 0x71000c5f, 0x54000082, 0x580002e0,
    0xd4000002, 0x14000000, 0x580002c0, 0xd4000002, 0x14000000, 0x528008c4,
    0xb9000284, 0x17fffffb, 0x580000ca, 0xb9400542, 0x11000442, 0xb9000542,
    0x14000000, 0x00000000, 0x40100000, 0x00000000, 0x09000000, 0x00000000,
    0xc4000003, 0x00000000, 0x400000b0, 0x00000000, 0x84000009, 0x00000000,
    0x84000008, 0x00000000, 0xd503201f, 0xd503201f,
};

#define GUEST_TIMEOUT_S 60

static char image_path[64];

static bool write_image(void)
{
    strcpy(image_path, "/tmp/coremu-virt-reboot-XXXXXX");
    int fd = mkstemp(image_path);
    bool ok = fd >= 0 && write(fd, guest_reboot, sizeof(guest_reboot)) == sizeof(guest_reboot);
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

/* Child: build the board like main() and run it; exit with the machine's status. */
static _Noreturn void child_run(int smp, bool no_reboot, const CpusConfig *cfg,
                                const char *out_path)
{
    static MachineOptions opts;
    const MachineClass *mc = machine_find("virt");
    Machine *m = calloc(1, sizeof(*m));
    char spec[96];
    if (!mc || !m) {
        _exit(90);
    }
    opts.kernel = image_path;
    opts.ram_size = 128u << 20;
    opts.smp = smp;
    opts.no_reboot = no_reboot;
    opts.single_thread = cfg->single_thread;
    opts.interp = cfg->backend == &tcg_backend_interp;
    m->mc = mc;
    m->opts = &opts;
    m->as = address_space_new("memory");
    m->ncpus = smp;
    snprintf(spec, sizeof(spec), "file:%s", out_path);
    m->serial = chardev_open(spec);
    if (!m->serial) {
        _exit(91);
    }
    for (int i = 0; i < smp; i++) {
        m->cpus[i] = cpu_create(m, mc->cpu_class, i, "cortex-a57");
    }
    if (!mc->init(m)) {
        _exit(92);
    }
    int status = cpus_run(m, cfg);
    chardev_close(m->serial);
    _exit(status); /* no atexit handlers, no parent stdio re-flushed */
}

/* Run the guest; true if it exited 0 with exactly `want` on the serial port. */
static bool run_guest(int smp, bool no_reboot, bool single_thread, const TCGBackend *backend,
                      const char *want)
{
    char out_path[] = "/tmp/coremu-virt-reboot-serial-XXXXXX";
    int fd = mkstemp(out_path);
    if (fd < 0) {
        snprintf(why, sizeof(why), "mkstemp");
        return false;
    }
    close(fd);
    CpusConfig cfg = { .single_thread = single_thread, .backend = backend,
                       .tb_size = 16u << 20, .icount = false };
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        child_run(smp, no_reboot, &cfg, out_path);
    }
    int status = 0;
    bool done = false;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (pid > 0) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            done = true;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > GUEST_TIMEOUT_S) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        usleep(10000);
    }
    char out[64] = { 0 };
    FILE *f = fopen(out_path, "r");
    if (f) {
        size_t n = fread(out, 1, sizeof(out) - 1, f);
        out[n] = 0;
        fclose(f);
    }
    unlink(out_path);
    if (pid < 0 || !done) {
        snprintf(why, sizeof(why), "%s after %d s; serial: '%s'",
                 pid < 0 ? "fork failed" : "guest timed out", GUEST_TIMEOUT_S, out);
        return false;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(why, sizeof(why), "emulator %s %d; serial: '%s'",
                 WIFEXITED(status) ? "exited with" : "killed by signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), out);
        return false;
    }
    if (strcmp(out, want) != 0) {
        snprintf(why, sizeof(why), "serial output '%s', expected '%s'", out, want);
        return false;
    }
    return true;
}

static bool test_jit_2cores(void)
{
    return run_guest(2, false, false, &tcg_backend_x86_64, "123");
}

static bool test_jit_4cores(void)
{
    return run_guest(4, false, false, &tcg_backend_x86_64, "123"); /* 2, 3 stay off */
}

static bool test_single_thread(void)
{
    return run_guest(2, false, true, &tcg_backend_x86_64, "123");
}

static bool test_interp(void)
{
    return run_guest(2, false, false, &tcg_backend_interp, "123");
}

static bool test_no_reboot(void)
{
    return run_guest(2, true, false, &tcg_backend_x86_64, "1");
}

int main(void)
{
    if (!write_image()) {
        printf("FAIL virt_reboot_setup: cannot write the guest image\n");
        return 1;
    }
    run("virt_reboot_3_boots_jit_2cores", test_jit_2cores);
    run("virt_reboot_3_boots_jit_4cores", test_jit_4cores);
    run("virt_reboot_3_boots_single_thread", test_single_thread);
    run("virt_reboot_3_boots_interp", test_interp);
    run("virt_no_reboot_exits_on_reset", test_no_reboot);
    unlink(image_path);
    return failures ? 1 : 0;
}
