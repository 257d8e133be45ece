/*
 * test-x86-reboot.c — in-place reboot of the pc board with real cores
 * (system/cpus.c, pc_reset): a bare-metal Multiboot guest counts its boots in
 * RAM, which a reset keeps, prints the count on COM1 and resets the machine
 * a different way on each boot — port 0xcf9, the keyboard controller's reset
 * pulse, port 0x92 bit 0, a triple fault — and powers off through ACPI S5 on
 * the fifth. Each boot also checks that port 0x92 is back at its reset value
 * (the guest prints 'P' otherwise). Without -no-reboot the serial output is
 * "12345" and the status 0, with the second core waiting for SIPI through
 * every reset, on one thread per core, on one thread for all, and with the
 * IR interpreter; with -no-reboot the first reset ends the run: "1", status
 * 0. Each run is a child process (cpus_run owns process-wide state) with a
 * time limit.
 *
 * The guest (as --32; ld -m elf_i386 -T: . = 0x100000; objcopy -O binary):
 *
 * # Bare-metal guest for test-x86-reboot: a Multiboot v1 image (address
 * # fields) entered in 32-bit protected mode. It counts its boots in RAM the
 * # reset keeps, prints the count on COM1, and resets the machine a different
 * # way on each boot: 1 port 0xcf9, 2 keyboard controller 0xfe, 3 port 0x92
 * # bit 0, 4 triple fault; boot 5 powers off (ACPI S5 via PM1a_CNT). Every boot
 * # first checks that port 0x92 reads its reset value 0x02 (else it prints P).
 *     .code32
 *     .text
 * _head:
 *     .long 0x1badb002                # Multiboot magic
 *     .long 0x00010000                # flags: the address fields below
 *     .long -(0x1badb002 + 0x00010000)
 *     .long _head                     # header_addr
 *     .long _head                     # load_addr
 *     .long _end                      # load_end_addr
 *     .long 0                         # bss_end_addr: none
 *     .long _start                    # entry_addr
 * _start:
 *     in $0x92, %al                   # 0x02 (A20 on, reset bit low) after every reset
 *     cmp $0x02, %al
 *     je 0f
 *     mov $'P', %al
 *     mov $0x3f8, %dx
 *     out %al, %dx
 * 0:  mov $0x300000, %ebx             # the boot counter
 *     incl (%ebx)
 *     mov (%ebx), %ecx
 *     mov %cl, %al
 *     add $'0', %al
 *     mov $0x3f8, %dx                 # COM1 THR
 *     out %al, %dx
 *     cmp $1, %ecx
 *     je 1f
 *     cmp $2, %ecx
 *     je 2f
 *     cmp $3, %ecx
 *     je 3f
 *     cmp $4, %ecx
 *     je 4f
 *     mov $0x604, %dx                 # PM1a_CNT: SLP_TYP 5 | SLP_EN
 *     mov $0x3400, %ax
 *     out %ax, %dx
 *     jmp hang
 * 1:  mov $0xcf9, %dx                 # reset control: hard reset selected, then reset
 *     mov $0x02, %al
 *     out %al, %dx
 *     mov $0x06, %al
 *     out %al, %dx
 *     jmp hang
 * 2:  mov $0xfe, %al                  # i8042: pulse the reset line
 *     out %al, $0x64
 *     jmp hang
 * 3:  mov $0x03, %al                  # System Control Port A: A20 on, reset bit 0 -> 1
 *     out %al, $0x92
 *     jmp hang
 * 4:  lidt idt0                       # an empty IDT: INT3 -> #GP -> #DF -> triple fault
 *     int $3
 * hang:
 *     hlt
 *     jmp hang
 *     .balign 8
 * idt0:
 *     .word 0
 *     .long 0
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

#include "system/chardev.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "target/i386/cpu.h"

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
    0x1badb002, 0x00010000, 0xe4514ffe, 0x00100000, 0x00100000, 0x00100090,
    0x00000000, 0x00100020, 0x023c92e4, 0x50b00774, 0x03f8ba66, 0x0000bbee,
    0x03ff0030, 0xc8880b8b, 0xba663004, 0x83ee03f8, 0x1b7401f9, 0x7402f983,
    0x03f98322, 0xf9832374, 0x66247404, 0x660604ba, 0x663400b8, 0x6620ebef,
    0xb00cf9ba, 0x06b0ee02, 0xb014ebee, 0xeb64e6fe, 0xe603b00e, 0x0f08eb92,
    0x00881d01, 0xf4cc0010, 0xb68dfdeb, 0x00000000, 0x00000000, 0x90660000,
};

#define GUEST_TIMEOUT_S 60

static char image_path[64];

static bool write_image(void)
{
    strcpy(image_path, "/tmp/coremu-pc-reboot-XXXXXX");
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
    const MachineClass *mc = machine_find("pc");
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
        m->cpus[i] = cpu_create(m, mc->cpu_class, i, mc->default_cpu);
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
    char out_path[] = "/tmp/coremu-pc-reboot-serial-XXXXXX";
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

static bool test_jit(void)
{
    return run_guest(2, false, false, &tcg_backend_x86_64, "12345");
}

static bool test_single_thread(void)
{
    return run_guest(2, false, true, &tcg_backend_x86_64, "12345");
}

static bool test_interp(void)
{
    return run_guest(2, false, false, &tcg_backend_interp, "12345");
}

static bool test_no_reboot(void)
{
    return run_guest(2, true, false, &tcg_backend_x86_64, "1");
}

int main(void)
{
    if (!write_image()) {
        printf("FAIL pc_reboot_setup: cannot write the guest image\n");
        return 1;
    }
    run("pc_reboot_cf9_kbd_port92_triple_fault_jit", test_jit);
    run("pc_reboot_cf9_kbd_port92_triple_fault_single_thread", test_single_thread);
    run("pc_reboot_cf9_kbd_port92_triple_fault_interp", test_interp);
    run("pc_no_reboot_exits_on_reset", test_no_reboot);
    unlink(image_path);
    return failures ? 1 : 0;
}
