/*
 * test-arm-virt-baremetal.c — the virt board running real guest code on real
 * cores: a bare-metal guest (source below) boots like a kernel (arm64 Image
 * header, x0 = DTB), starts two secondaries with PSCI CPU_ON, checks
 * ALREADY_ON, sends them an SGI through ICC_SGI1R_EL1, takes a virtual timer
 * interrupt (PPI 27) and a PL011 TX interrupt (SPI 1 routed by IROUTER),
 * reads the magic of all 32 virtio-mmio slots (eight share each page),
 * watches the secondaries CPU_OFF through AFFINITY_INFO, prints "ALL OK" on
 * the PL011 and powers off with SYSTEM_OFF. Each run is a child process
 * (cpus_run owns process-wide state) with a time limit; it runs with the
 * JIT on one thread per core, with one thread for all cores, and with the
 * IR interpreter.
 *
 * The guest, assembled with GNU as and linked at 0x40000000
 * (aarch64-linux-gnu-as; ld -T: . = 0x40000000; objcopy -O binary):
 *
 * // Bare-metal guest for test-arm-virt-baremetal: 3 cores, PSCI, GICv3 SGIs,
 * // the virtual timer PPI, the PL011 TX interrupt as an SPI, AFFINITY_INFO.
 * // Prints "ALL OK" and powers off, or "FAIL <stage>".
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
 *     mov x28, #1                     // stage 1: x0 points at a DTB
 *     ldr w1, [x0]
 *     ldr w2, =0xedfe0dd0
 *     cmp w1, w2
 *     b.ne fail
 *     ldr x1, =vectors
 *     msr vbar_el1, x1
 *     ldr x1, =stack0_top
 *     mov sp, x1
 *     ldr x20, =0x09000000            // PL011
 *     mov x28, #8                     // stage 8: every virtio-mmio slot answers
 *     ldr x1, =0x0a000000             // from guest code (8 slots share a page)
 *     ldr w3, =0x74726976
 *     mov x4, #32
 * 0:  ldr w2, [x1]
 *     cmp w2, w3
 *     b.ne fail
 *     add x1, x1, #0x200
 *     subs x4, x4, #1
 *     b.ne 0b
 *     ldr x21, =0x08000000            // GICD
 *     mov w1, #0x12                   // ARE | EnableGrp1
 *     str w1, [x21]
 *     mov w1, #-1
 *     str w1, [x21, #0x84]            // IGROUPR1: INTIDs 32..63 group 1
 *     mov w1, #2
 *     str w1, [x21, #0x104]           // ISENABLER1: INTID 33 (UART)
 *     bl cpu_gic_init
 *     mov x28, #2                     // stage 2: CPU_ON cores 1 and 2
 *     mov x19, #1
 * 1:  ldr x0, =0xc4000003
 *     mov x1, x19
 *     ldr x2, =secondary
 *     mov x3, x19
 *     hvc #0
 *     cbnz x0, fail
 *     add x19, x19, #1
 *     cmp x19, #3
 *     b.ne 1b
 *     mov x28, #3                     // stage 3: CPU_ON again -> ALREADY_ON
 *     ldr x0, =0xc4000003
 *     mov x1, #1
 *     ldr x2, =secondary
 *     hvc #0
 *     cmn x0, #4
 *     b.ne fail
 *     ldr x5, =ready
 * 2:  ldr w6, [x5, #4]
 *     ldr w7, [x5, #8]
 *     and w6, w6, w7
 *     cbz w6, 2b
 *     mov x28, #4                     // stage 4: SGI 2 to cores 1 and 2
 *     ldr x0, =(2 << 24) | 6
 *     msr S3_0_C12_C11_5, x0          // ICC_SGI1R_EL1
 *     isb
 *     ldr x5, =got
 * 3:  ldr w6, [x5, #4]
 *     ldr w7, [x5, #8]
 *     and w6, w6, w7
 *     cbz w6, 3b
 *     mov x28, #5                     // stage 5: virtual timer -> PPI 27
 *     msr daifclr, #2
 *     mov x0, #1000
 *     msr cntv_tval_el0, x0
 *     mov x0, #1
 *     msr cntv_ctl_el0, x0
 * 4:  msr daifset, #2                 // check, then sleep with IRQs masked:
 *     ldr w6, [x5]                    // WFI still wakes on the pending IRQ,
 *     cbnz w6, 41f                    // so none is lost between check and sleep
 *     wfi
 *     msr daifclr, #2
 *     b 4b
 * 41: msr daifclr, #2
 *     mov x28, #6                     // stage 6: UART TX interrupt -> SPI 1
 *     mov w0, #0x20
 *     str w0, [x20, #0x38]            // UARTIMSC = TXIM
 *     mov w0, #'*'
 *     str w0, [x20]
 *     ldr x5, =uart_irq
 * 5:  msr daifset, #2
 *     ldr w6, [x5]
 *     cbnz w6, 51f
 *     wfi
 *     msr daifclr, #2
 *     b 5b
 * 51: msr daifclr, #2
 *     mov x28, #7                     // stage 7: cores 1, 2 report OFF
 *     mov x19, #1
 * 6:  ldr x0, =0xc4000004
 *     mov x1, x19
 *     mov x2, #0
 *     hvc #0
 *     cmp x0, #1
 *     b.ne 6b
 *     add x19, x19, #1
 *     cmp x19, #3
 *     b.ne 6b
 *     ldr x1, =m_ok
 *     bl puts
 *     ldr x0, =0x84000008             // SYSTEM_OFF
 *     hvc #0
 *     b .
 *
 * fail:
 *     ldr x1, =m_fail
 *     bl puts
 *     add w2, w28, #'0'
 *     str w2, [x20]
 *     mov w2, #'\n'
 *     str w2, [x20]
 *     ldr x0, =0x84000008
 *     hvc #0
 *     b .
 *
 * puts:                               // x1: string
 *     ldrb w2, [x1], #1
 *     cbz w2, 1f
 *     str w2, [x20]
 *     b puts
 * 1:  ret
 *
 * cpu_gic_init:                       // this core's redistributor and CPU interface
 *     mrs x1, mpidr_el1
 *     and x1, x1, #0xff
 *     ldr x2, =0x080a0000
 *     add x2, x2, x1, lsl #17
 *     str wzr, [x2, #0x14]            // GICR_WAKER: awake
 * 1:  ldr w3, [x2, #0x14]
 *     tbnz w3, #2, 1b
 *     add x2, x2, #0x10000
 *     mov w3, #-1
 *     str w3, [x2, #0x80]             // IGROUPR0
 *     ldr w3, =(1 << 27) | (1 << 2)
 *     str w3, [x2, #0x100]            // ISENABLER0: PPI 27, SGI 2
 *     mrs x3, S3_0_C12_C12_5          // ICC_SRE_EL1
 *     orr x3, x3, #1
 *     msr S3_0_C12_C12_5, x3
 *     mov x3, #0xf0
 *     msr S3_0_C4_C6_0, x3            // ICC_PMR_EL1
 *     mov x3, #1
 *     msr S3_0_C12_C12_7, x3          // ICC_IGRPEN1_EL1
 *     isb
 *     ret
 *
 * secondary:                          // x0 = context id = core number
 *     mov x19, x0
 *     ldr x1, =vectors
 *     msr vbar_el1, x1
 *     ldr x1, =stacks_top             // core n: 4 KiB below stacks_top - (n-1) * 4 KiB
 *     sub x2, x19, #1
 *     sub x1, x1, x2, lsl #12
 *     mov sp, x1
 *     bl cpu_gic_init
 *     msr daifclr, #2
 *     ldr x5, =ready
 *     mov w6, #1
 *     str w6, [x5, x19, lsl #2]
 *     ldr x5, =got
 * 1:  msr daifset, #2
 *     ldr w6, [x5, x19, lsl #2]
 *     cbnz w6, 2f
 *     wfi
 *     msr daifclr, #2
 *     b 1b
 * 2:
 *     ldr x0, =0x84000002             // CPU_OFF
 *     hvc #0
 *     b .
 *
 * irq:
 *     sub sp, sp, #96
 *     stp x0, x1, [sp]
 *     stp x2, x3, [sp, #16]
 *     stp x4, x5, [sp, #32]
 *     stp x6, x7, [sp, #48]
 *     stp x8, x9, [sp, #64]
 *     str x30, [sp, #80]
 *     mrs x9, S3_0_C12_C12_0          // ICC_IAR1_EL1
 *     mrs x8, mpidr_el1
 *     and x8, x8, #0xff
 *     ldr x5, =got
 *     mov w6, #1
 *     cmp x9, #2
 *     b.ne 1f
 *     str w6, [x5, x8, lsl #2]        // got[core]
 *     b 8f
 * 1:  cmp x9, #27
 *     b.ne 2f
 *     msr cntv_ctl_el0, xzr           // timer off: line low
 *     str w6, [x5]                    // got[0]
 *     b 8f
 * 2:  cmp x9, #33
 *     b.ne 9f
 *     ldr x1, =0x09000000
 *     str wzr, [x1, #0x38]            // UARTIMSC = 0
 *     mov w0, #0x20
 *     str w0, [x1, #0x44]             // UARTICR = TX
 *     ldr x5, =uart_irq
 *     str w6, [x5]
 * 8:  msr S3_0_C12_C12_1, x9          // ICC_EOIR1_EL1
 * 9:  ldp x0, x1, [sp]
 *     ldp x2, x3, [sp, #16]
 *     ldp x4, x5, [sp, #32]
 *     ldp x6, x7, [sp, #48]
 *     ldp x8, x9, [sp, #64]
 *     ldr x30, [sp, #80]
 *     add sp, sp, #96
 *     eret
 *     .ltorg
 *
 *     .p2align 11, 0
 * vectors:
 *     .skip 0x280
 *     b irq                           // IRQ, current EL with SP_ELx
 *     .p2align 11, 0
 *
 * m_ok:   .asciz "ALL OK\n"
 * m_fail: .asciz "FAIL "
 *     .p2align 4, 0
 * ready:  .word 0, 0, 0, 0
 * got:    .word 0, 0, 0, 0
 * uart_irq: .word 0
 *     .p2align 12, 0
 *     .skip 4096
 * stack0_top:
 *     .skip 4096 * 2
 * stacks_top:
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

/* The assembled guest; words not listed are zero. */
static const uint32_t guest_smp[] = {
    [0x0] = /* byte offset 0x0 */
        0x14000010, 0x00000000, 0x00000000, 0x00000000, 0x00005000, 0x00000000,
        0x00000002, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
        0x00000000, 0x00000000, 0x644d5241, 0x00000000, 0xd280003c, 0xb9400001,
        0x18001862, 0x6b02003f, 0x54000c41, 0x58001861, 0xd518c001, 0x58001861,
        0x9100003f, 0x58001874, 0xd280011c, 0x58001861, 0x18001743, 0xd2800404,
        0xb9400022, 0x6b03005f, 0x54000ac1, 0x91080021, 0xf1000484, 0x54ffff61,
        0x58001795, 0x52800241, 0xb90002a1, 0x12800001, 0xb90086a1, 0x52800041,
        0xb90106a1, 0x94000059, 0xd280005c, 0xd2800033, 0x58001680, 0xaa1303e1,
        0x58001682, 0xaa1303e3, 0xd4000002, 0xb5000860, 0x91000673, 0xf1000e7f,
        0x54ffff01, 0xd280007c, 0x58001540, 0xd2800021, 0x58001542, 0xd4000002,
        0xb100101f, 0x54000721, 0x58001505, 0xb94004a6, 0xb94008a7, 0x0a0700c6,
        0x34ffffa6, 0xd280009c, 0x58001480, 0xd518cba0, 0xd5033fdf, 0x58001465,
        0xb94004a6, 0xb94008a7, 0x0a0700c6, 0x34ffffa6, 0xd28000bc, 0xd50342ff,
        0xd2807d00, 0xd51be300, 0xd2800020, 0xd51be320, 0xd50342df, 0xb94000a6,
        0x35000086, 0xd503207f, 0xd50342ff, 0x17fffffb, 0xd50342ff, 0xd28000dc,
        0x52800400, 0xb9003a80, 0x52800540, 0xb9000280, 0x580011c5, 0xd50342df,
        0xb94000a6, 0x35000086, 0xd503207f, 0xd50342ff, 0x17fffffb, 0xd50342ff,
        0xd28000fc, 0xd2800033, 0x580010c0, 0xaa1303e1, 0xd2800002, 0xd4000002,
        0xf100041f, 0x54ffff61, 0x91000673, 0xf1000e7f, 0x54ffff01, 0x58000fe1,
        0x9400000d, 0x58000fe0, 0xd4000002, 0x14000000, 0x58000fc1, 0x94000008,
        0x1100c382, 0xb9000282, 0x52800142, 0xb9000282, 0x58000ec0, 0xd4000002,
        0x14000000, 0x38401422, 0x34000062, 0xb9000282, 0x17fffffd, 0xd65f03c0,
        0xd53800a1, 0x92401c21, 0x58000e02, 0x8b014442, 0xb900145f, 0xb9401443,
        0x3717ffe3, 0x91404042, 0x12800003, 0xb9008043, 0x18000923, 0xb9010043,
        0xd538cca3, 0xb2400063, 0xd518cca3, 0xd2801e03, 0xd5184603, 0xd2800023,
        0xd518cce3, 0xd5033fdf, 0xd65f03c0, 0xaa0003f3, 0x580007c1, 0xd518c001,
        0x58000b81, 0xd1000662, 0xcb023021, 0x9100003f, 0x97ffffe4, 0xd50342ff,
        0x58000885, 0x52800026, 0xb83378a6, 0x580008a5, 0xd50342df, 0xb87378a6,
        0x35000086, 0xd503207f, 0xd50342ff, 0x17fffffb, 0x580009c0, 0xd4000002,
        0x14000000, 0xd10183ff, 0xa90007e0, 0xa9010fe2, 0xa90217e4, 0xa9031fe6,
        0xa90427e8, 0xf9002bfe, 0xd538cc09, 0xd53800a8, 0x92401d08, 0x58000625,
        0x52800026, 0xf100093f, 0x54000061, 0xb82878a6, 0x1400000e, 0xf1006d3f,
        0x54000081, 0xd51be33f, 0xb90000a6, 0x14000009, 0xf100853f, 0x54000101,
        0x580002c1, 0xb900383f, 0x52800400, 0xb9004420, 0x58000445, 0xb90000a6,
        0xd518cc29, 0xa94007e0, 0xa9410fe2, 0xa94217e4, 0xa9431fe6, 0xa94427e8,
        0xf9402bfe, 0x910183ff, 0xd69f03e0, 0xedfe0dd0, 0x74726976, 0x08000004,
        0x40000800, 0x00000000, 0x40003000, 0x00000000, 0x09000000, 0x00000000,
        0x0a000000, 0x00000000, 0x08000000, 0x00000000, 0xc4000003, 0x00000000,
        0x40000264, 0x00000000, 0x40001010, 0x00000000, 0x02000006, 0x00000000,
        0x40001020, 0x00000000, 0x40001030, 0x00000000, 0xc4000004, 0x00000000,
        0x40001000, 0x00000000, 0x84000008, 0x00000000, 0x40001008, 0x00000000,
        0x080a0000, 0x00000000, 0x40005000, 0x00000000, 0x84000002,
    [0x2a0] = /* byte offset 0xa80 */
        0x17fffe0f,
    [0x400] = /* byte offset 0x1000 */
        0x204c4c41, 0x000a4b4f, 0x4c494146, 0x00000020,
};

#define GUEST_TIMEOUT_S 60

static char image_path[64];

static bool write_image(void)
{
    uint32_t image_size = guest_smp[4]; /* header: image_size (low word) */
    uint8_t *buf = calloc(1, image_size);
    if (!buf || sizeof(guest_smp) > image_size) {
        return false;
    }
    memcpy(buf, guest_smp, sizeof(guest_smp));
    strcpy(image_path, "/tmp/coremu-virt-guest-XXXXXX");
    int fd = mkstemp(image_path);
    bool ok = fd >= 0 && write(fd, buf, image_size) == (ssize_t)image_size;
    if (fd >= 0) {
        close(fd);
    }
    free(buf);
    return ok;
}

/* Child: build the board like main() and run it; exit with the machine's status. */
static _Noreturn void child_run(int smp, const CpusConfig *cfg, const char *out_path)
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
    /* a forked child leaves with _exit: no atexit handlers, no parent stdio re-flushed */
    _exit(status);
}

static bool run_guest(int smp, bool single_thread, const TCGBackend *backend)
{
    char out_path[] = "/tmp/coremu-virt-serial-XXXXXX";
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
        child_run(smp, &cfg, out_path);
    }
    int status = 0;
    bool done = false;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (pid > 0) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
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
    char out[256] = { 0 };
    FILE *f = fopen(out_path, "r");
    if (f) {
        size_t n = fread(out, 1, sizeof(out) - 1, f);
        out[n] = 0;
        fclose(f);
    }
    unlink(out_path);
    for (char *p = out; *p; p++) {
        if (*p == '\n') {
            *p = ' ';
        }
    }
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
    if (!strstr(out, "ALL OK") || strstr(out, "FAIL")) {
        snprintf(why, sizeof(why), "serial output '%s'", out);
        return false;
    }
    return true;
}

static bool test_jit_multithread(void)
{
    return run_guest(3, false, &tcg_backend_x86_64);
}

static bool test_jit_multithread_idle_core(void)
{
    return run_guest(4, false, &tcg_backend_x86_64); /* core 3 is never started */
}

static bool test_single_thread(void)
{
    return run_guest(3, true, &tcg_backend_x86_64);
}

static bool test_interp(void)
{
    return run_guest(3, false, &tcg_backend_interp);
}

int main(void)
{
    if (!write_image()) {
        printf("FAIL virt_baremetal_setup: cannot write the guest image\n");
        return 1;
    }
    run("virt_baremetal_smp_gic_psci_jit", test_jit_multithread);
    run("virt_baremetal_smp_gic_psci_jit_4cores", test_jit_multithread_idle_core);
    run("virt_baremetal_smp_gic_psci_single_thread", test_single_thread);
    run("virt_baremetal_smp_gic_psci_interp", test_interp);
    unlink(image_path);
    return failures ? 1 : 0;
}
