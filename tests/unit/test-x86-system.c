/*
 * test-x86-system.c — the system side of the x86-64 CPU, end to end: a tiny
 * guest starts in real mode, enters protected mode (LGDT, CR0.PE, far JMP),
 * turns on PAE paging and long mode (CR4, CR3, EFER via WRMSR, CR0.PG, far
 * JMP to a 64-bit code segment), loads an IDT and a TSS, and then takes
 * exceptions through the IDT and returns with IRETQ: #DE (DIV by zero),
 * #PF (not-present page: CR2 and error code), INT 0x80; it sets up
 * SYSCALL (STAR/LSTAR/FMASK), drops to CPL 3 with IRETQ, comes back with
 * SYSCALL, returns with SYSRETQ, and a privileged HLT at CPL 3 raises #GP(0)
 * delivered on the TSS's RSP0 stack. The guest reports each step with OUT to
 * the CPU's port hook (cpu-hooks.h); the test compares the port log, the
 * final state and the page-table Accessed/Dirty bits, on both backends.
 *
 * The guest was assembled with GNU as/ld (-Ttext=0x8000, objcopy -O binary)
 * from this source; its first 32 bytes are a table of label addresses:
 *
 *   (loaded at 0x8000; the descriptor tables and page tables are built in C below)
 *       .text
 *       .globl _start
 *   _start:
 *   hdr:
 *       .long entry16, h_de, h_gp, h_pf, h_int80, user64, h_syscall, lm64
 *       .code16
 *   entry16:
 *       cli
 *       lgdtl 0x7000
 *       mov %cr0, %eax
 *       or $1, %eax
 *       mov %eax, %cr0
 *       ljmpl $0x08, $pm32
 *       .code32
 *   pm32:
 *       mov $0x18, %ax
 *       mov %ax, %ds
 *       mov %ax, %es
 *       mov %ax, %ss
 *       mov $0x9f000, %esp
 *       mov $0x11, %al
 *       out %al, $0x80
 *       mov %cr4, %eax
 *       or $0x220, %eax
 *       mov %eax, %cr4
 *       mov $0x1000, %eax
 *       mov %eax, %cr3
 *       mov $0xc0000080, %ecx
 *       rdmsr
 *       or $0x901, %eax
 *       wrmsr
 *       mov %cr0, %eax
 *       or $0x80000000, %eax
 *       mov %eax, %cr0
 *       ljmp $0x10, $lm64
 *       .code64
 *   lm64:
 *       mov $0x22, %al
 *       out %al, $0x80
 *       lidt 0x7010
 *       mov $0x38, %ax
 *       ltr %ax
 *       mov $0x9f000, %rsp
 *       mov $0x28, %ecx
 *       lsl %ecx, %eax
 *       out %eax, $0xa0
 *       mov $0x38, %ecx
 *       lsl %ecx, %eax
 *       out %eax, $0xa4
 *       lar %ecx, %eax
 *       out %eax, $0xa8
 *       mov $0x7f8, %ecx
 *       mov $0x1234, %eax
 *       lsl %ecx, %eax
 *       out %eax, $0xac
 *       verw %cx
 *       setz %al
 *       out %al, $0xb0
 *       xor %ecx, %ecx
 *       mov $5, %eax
 *       div %ecx
 *       mov $0x33, %al
 *       out %al, $0x80
 *       mov 0x400000, %rax
 *       mov $0x44, %al
 *       out %al, $0x80
 *       int $0x80
 *       mov $0x55, %al
 *       out %al, $0x80
 *       mov $0xc0000081, %ecx
 *       xor %eax, %eax
 *       mov $0x00200010, %edx
 *       wrmsr
 *       mov $0xc0000082, %ecx
 *       mov $h_syscall, %eax
 *       xor %edx, %edx
 *       wrmsr
 *       mov $0xc0000084, %ecx
 *       mov $0x200, %eax
 *       wrmsr
 *       pushq $0x2b
 *       pushq $0x80000
 *       pushq $0x202
 *       pushq $0x33
 *       pushq $user64
 *       iretq
 *   h_de:
 *       mov $0xde, %al
 *       out %al, $0x80
 *       addq $2, (%rsp)
 *       iretq
 *   h_pf:
 *       mov %cr2, %rax
 *       out %eax, $0x84
 *       mov (%rsp), %rax
 *       out %eax, $0x88
 *       add $8, %rsp
 *       addq $8, (%rsp)
 *       iretq
 *   h_int80:
 *       mov $0x80, %al
 *       out %al, $0x80
 *       iretq
 *   h_syscall:
 *       mov %rcx, %rax
 *       out %eax, $0x8c
 *       mov %r11, %rax
 *       out %eax, $0x90
 *       mov $0x66, %al
 *       out %al, $0x80
 *       sysretq
 *   h_gp:
 *       mov (%rsp), %rax
 *       out %eax, $0x94
 *       mov 16(%rsp), %rax
 *       out %eax, $0x98
 *       mov %rsp, %rax
 *       out %eax, $0x9c
 *       mov $0x77, %al
 *       out %al, $0x80
 *       hlt
 *   user64:
 *       mov $1, %eax
 *       syscall
 *   after_syscall:
 *       hlt
 *       .globl after_syscall
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/memory.h"
#include "exec/tb-cache.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "target/i386/cpu.h"

extern const TCGBackend tcg_backend_x86_64 __attribute__((weak));

static const uint8_t guest[] = {
    0x20, 0x80, 0x00, 0x00, 0x25, 0x81, 0x00, 0x00, 0x5d, 0x81, 0x00, 0x00, 0x30, 0x81, 0x00, 0x00,
    0x46, 0x81, 0x00, 0x00, 0x74, 0x81, 0x00, 0x00, 0x4c, 0x81, 0x00, 0x00, 0x7f, 0x80, 0x00, 0x00,
    0xfa, 0x66, 0x0f, 0x01, 0x16, 0x00, 0x70, 0x0f, 0x20, 0xc0, 0x66, 0x83, 0xc8, 0x01, 0x0f, 0x22,
    0xc0, 0x66, 0xea, 0x39, 0x80, 0x00, 0x00, 0x08, 0x00, 0x66, 0xb8, 0x18, 0x00, 0x8e, 0xd8, 0x8e,
    0xc0, 0x8e, 0xd0, 0xbc, 0x00, 0xf0, 0x09, 0x00, 0xb0, 0x11, 0xe6, 0x80, 0x0f, 0x20, 0xe0, 0x0d,
    0x20, 0x02, 0x00, 0x00, 0x0f, 0x22, 0xe0, 0xb8, 0x00, 0x10, 0x00, 0x00, 0x0f, 0x22, 0xd8, 0xb9,
    0x80, 0x00, 0x00, 0xc0, 0x0f, 0x32, 0x0d, 0x01, 0x09, 0x00, 0x00, 0x0f, 0x30, 0x0f, 0x20, 0xc0,
    0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0, 0xea, 0x7f, 0x80, 0x00, 0x00, 0x10, 0x00, 0xb0,
    0x22, 0xe6, 0x80, 0x0f, 0x01, 0x1c, 0x25, 0x10, 0x70, 0x00, 0x00, 0x66, 0xb8, 0x38, 0x00, 0x0f,
    0x00, 0xd8, 0x48, 0xc7, 0xc4, 0x00, 0xf0, 0x09, 0x00, 0xb9, 0x28, 0x00, 0x00, 0x00, 0x0f, 0x03,
    0xc1, 0xe7, 0xa0, 0xb9, 0x38, 0x00, 0x00, 0x00, 0x0f, 0x03, 0xc1, 0xe7, 0xa4, 0x0f, 0x02, 0xc1,
    0xe7, 0xa8, 0xb9, 0xf8, 0x07, 0x00, 0x00, 0xb8, 0x34, 0x12, 0x00, 0x00, 0x0f, 0x03, 0xc1, 0xe7,
    0xac, 0x0f, 0x00, 0xe9, 0x0f, 0x94, 0xc0, 0xe6, 0xb0, 0x31, 0xc9, 0xb8, 0x05, 0x00, 0x00, 0x00,
    0xf7, 0xf1, 0xb0, 0x33, 0xe6, 0x80, 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x40, 0x00, 0xb0, 0x44,
    0xe6, 0x80, 0xcd, 0x80, 0xb0, 0x55, 0xe6, 0x80, 0xb9, 0x81, 0x00, 0x00, 0xc0, 0x31, 0xc0, 0xba,
    0x10, 0x00, 0x20, 0x00, 0x0f, 0x30, 0xb9, 0x82, 0x00, 0x00, 0xc0, 0xb8, 0x4c, 0x81, 0x00, 0x00,
    0x31, 0xd2, 0x0f, 0x30, 0xb9, 0x84, 0x00, 0x00, 0xc0, 0xb8, 0x00, 0x02, 0x00, 0x00, 0x0f, 0x30,
    0x6a, 0x2b, 0x68, 0x00, 0x00, 0x08, 0x00, 0x68, 0x02, 0x02, 0x00, 0x00, 0x6a, 0x33, 0x68, 0x74,
    0x81, 0x00, 0x00, 0x48, 0xcf, 0xb0, 0xde, 0xe6, 0x80, 0x48, 0x83, 0x04, 0x24, 0x02, 0x48, 0xcf,
    0x0f, 0x20, 0xd0, 0xe7, 0x84, 0x48, 0x8b, 0x04, 0x24, 0xe7, 0x88, 0x48, 0x83, 0xc4, 0x08, 0x48,
    0x83, 0x04, 0x24, 0x08, 0x48, 0xcf, 0xb0, 0x80, 0xe6, 0x80, 0x48, 0xcf, 0x48, 0x89, 0xc8, 0xe7,
    0x8c, 0x4c, 0x89, 0xd8, 0xe7, 0x90, 0xb0, 0x66, 0xe6, 0x80, 0x48, 0x0f, 0x07, 0x48, 0x8b, 0x04,
    0x24, 0xe7, 0x94, 0x48, 0x8b, 0x44, 0x24, 0x10, 0xe7, 0x98, 0x48, 0x89, 0xe0, 0xe7, 0x9c, 0xb0,
    0x77, 0xe6, 0x80, 0xf4, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xf4
};

static int failures;
#define CHECK(name, cond)                                                              \
    do {                                                                               \
        if (cond) {                                                                    \
            printf("PASS %s\n", name);                                                 \
        } else {                                                                       \
            printf("FAIL %s: %s (line %d)\n", name, #cond, __LINE__);                  \
            failures++;                                                                \
        }                                                                              \
    } while (0)

typedef struct PortLog {
    int n;
    uint16_t port[64];
    uint64_t val[64];
} PortLog;

static void port_out(void *opaque, uint16_t port, uint64_t val, unsigned size)
{
    PortLog *l = opaque;
    if (l->n < 64) {
        l->port[l->n] = port;
        l->val[l->n] = val;
        l->n++;
    }
}

static uint64_t port_in(void *opaque, uint16_t port, unsigned size)
{
    return 0;
}

static void put64(AddressSpace *as, uint64_t addr, uint64_t v)
{
    memory_rw(as, addr, &v, 8, true);
}

static uint64_t get64(AddressSpace *as, uint64_t addr)
{
    uint64_t v = 0;
    memory_rw(as, addr, &v, 8, false);
    return v;
}

static uint32_t label(int i)
{
    uint32_t v;
    memcpy(&v, guest + 4 * i, 4);
    return v;
}

enum { L_ENTRY16, L_DE, L_GP, L_PF, L_INT80, L_USER64, L_SYSCALL, L_LM64 };

static void build_tables(AddressSpace *as)
{
    /* GDT at 0x7100; descriptor (limit, 32-bit base) at 0x7000 */
    static const uint64_t gdt[7] = {
        0,
        0x00cf9a000000ffffull, /* 0x08 kernel code32 */
        0x00af9a000000ffffull, /* 0x10 kernel code64 */
        0x00cf92000000ffffull, /* 0x18 kernel data */
        0x00cffa000000ffffull, /* 0x20 user code32 */
        0x00cff2000000ffffull, /* 0x28 user data */
        0x00affa000000ffffull, /* 0x30 user code64 */
    };
    for (int i = 0; i < 7; i++) {
        put64(as, 0x7100 + 8 * (uint64_t)i, gdt[i]);
    }
    /* 0x38: 64-bit available TSS at 0x6000, limit 0x67 (16-byte descriptor) */
    uint64_t base = 0x6000, limit = 0x67;
    uint64_t tss = limit | ((base & 0xffffff) << 16) | (0x89ull << 40) | ((base >> 24) << 56);
    put64(as, 0x7100 + 0x38, tss);
    put64(as, 0x7100 + 0x40, base >> 32);
    uint16_t glim = 0x48 - 1;
    uint32_t gbase = 0x7100;
    memory_rw(as, 0x7000, &glim, 2, true);
    memory_rw(as, 0x7002, &gbase, 4, true);
    /* TSS: RSP0 = 0x9e000 */
    put64(as, 0x6000 + 4, 0x9e000);
    /* IDT at 0x4000, descriptor at 0x7010 (64-bit base) */
    uint16_t ilim = 4095;
    uint64_t ibase = 0x4000;
    memory_rw(as, 0x7010, &ilim, 2, true);
    memory_rw(as, 0x7012, &ibase, 8, true);
    struct { int vec, label; } gates[] = {
        {0, L_DE}, {13, L_GP}, {14, L_PF}, {0x80, L_INT80},
    };
    for (size_t i = 0; i < sizeof(gates) / sizeof(gates[0]); i++) {
        uint64_t off = label(gates[i].label);
        uint64_t lo = (off & 0xffff) | (0x10ull << 16) | (0x8eull << 40) |
                      ((off >> 16) & 0xffff) << 48;
        put64(as, 0x4000 + 16 * (uint64_t)gates[i].vec, lo);
        put64(as, 0x4000 + 16 * (uint64_t)gates[i].vec + 8, off >> 32);
    }
    /* 4-level tables: PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000; PD[0] maps the first
     * 2 MiB (user, writable); 0x400000 (PD[2]) is not present */
    put64(as, 0x1000, 0x2000 | 7);
    put64(as, 0x2000, 0x3000 | 7);
    put64(as, 0x3000, 0x0 | 0x87);
}

/* cores and address spaces live until exit (kept reachable for LeakSanitizer) */
static CPUState *keep_cpu[2];
static AddressSpace *keep_as[2];
static int nkeep;

static void run_on(const char *name, const TCGBackend *be)
{
    char tn[128];
    AddressSpace *as = address_space_new("x86-system");
    memory_map_ram(as, "ram", 0, 1u << 20);
    Machine m;
    memset(&m, 0, sizeof(m));
    m.as = as;
    m.ncpus = 1;
    CPUState *cs = cpu_create(&m, &x86_cpu_class, 0, "qemu64");
    m.cpus[0] = cs;
    tb_cache_new(cs, be, 16u << 20);
    keep_cpu[nkeep] = cs;
    keep_as[nkeep++] = as;
    PortLog log = {0};
    X86PortIO io = {.in = port_in, .out = port_out, .opaque = &log};
    x86_cpu_set_port_io(cs, &io);

    memory_rw(as, 0x8000, (void *)guest, sizeof(guest), true);
    build_tables(as);

    /* start in real mode at 0000:entry16 */
    CPUX86State *env = cpu_env(cs);
    x86_cpu_load_seg_cache(env, R_CS, 0, 0, 0xffff,
                           DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_W_MASK | DESC_A_MASK);
    env->rip = label(L_ENTRY16);

    int ret = -1;
    for (int guard = 0; guard < 100; guard++) {
        ret = cpu_exec(cs);
        if (ret == EXCP_HLT) {
            break;
        }
    }
    snprintf(tn, sizeof(tn), "%s: guest ran to its final HLT", name);
    CHECK(tn, ret == EXCP_HLT);

    static const struct { uint16_t port; uint64_t val; const char *what; } want[] = {
        {0x80, 0x11, "protected mode after LGDT/CR0.PE/far JMP"},
        {0x80, 0x22, "long mode after PAE/EFER.LME/CR0.PG/far JMP"},
        {0xa0, 0xffffffff, "LSL of a flat data segment: its limit"},
        {0xa4, 0x67, "LSL of the (busy) TSS: limit 0x67"},
        {0xa8, 0x00008b00, "LAR of the TSS: access rights"},
        {0xac, 0x1234, "LSL past the GDT limit: ZF = 0, destination unchanged"},
        {0xb0, 0, "VERW of a system segment: ZF = 0"},
        {0x80, 0xde, "#DE delivered through the IDT"},
        {0x80, 0x33, "IRETQ resumed after the DIV"},
        {0x84, 0x400000, "#PF sets CR2"},
        {0x88, 0, "#PF error code (not present, read, supervisor)"},
        {0x80, 0x44, "IRETQ after #PF"},
        {0x80, 0x80, "INT 0x80"},
        {0x80, 0x55, "IRETQ after INT 0x80"},
        {0x8c, 0, "SYSCALL: RCX = return rip"},
        {0x90, 0x202, "SYSCALL: R11 = user RFLAGS"},
        {0x80, 0x66, "SYSCALL entered the kernel"},
        {0x94, 0, "#GP(0) for HLT at CPL 3"},
        {0x98, 0x33, "#GP frame holds the user CS"},
        {0x9c, 0x9e000 - 48, "#GP on the TSS RSP0 stack (6 quadwords)"},
        {0x80, 0x77, "#GP handler reached"},
    };
    int nwant = (int)(sizeof(want) / sizeof(want[0]));
    uint64_t after_syscall = label(L_USER64) + 7;
    for (int i = 0; i < nwant; i++) {
        uint64_t v = want[i].val;
        if (want[i].port == 0x8c) {
            v = after_syscall;
        }
        snprintf(tn, sizeof(tn), "%s: %s", name, want[i].what);
        bool ok = i < log.n && log.port[i] == want[i].port && (log.val[i] & 0xffffffff) == v;
        if (!ok) {
            printf("FAIL %s: log[%d] = port %#x val %#llx (want %#x %#llx; %d entries)\n", tn, i,
                   i < log.n ? log.port[i] : 0, i < log.n ? (unsigned long long)log.val[i] : 0ull,
                   want[i].port, (unsigned long long)v, log.n);
            failures++;
        } else {
            printf("PASS %s\n", tn);
        }
    }
    snprintf(tn, sizeof(tn), "%s: final state CPL 0, 64-bit kernel CS, CR2", name);
    CHECK(tn, x86_cpl(env) == 0 && env->segs[R_CS].selector == 0x10 &&
                  (env->hflags & HF_CS64) && env->cr[2] == 0x400000 &&
                  (env->efer & EFER_LMA));
    uint64_t pde = get64(as, 0x3000), pml4e = get64(as, 0x1000);
    snprintf(tn, sizeof(tn), "%s: page walk set Accessed (all levels) and Dirty (leaf)", name);
    CHECK(tn, (pde & 0x60) == 0x60 && (pml4e & 0x20));
    uint64_t tssd = get64(as, 0x7100 + 0x38);
    snprintf(tn, sizeof(tn), "%s: LTR marked the TSS busy", name);
    CHECK(tn, ((tssd >> 40) & 0xf) == 0xb);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    run_on("interp", &tcg_backend_interp);
    if (&tcg_backend_x86_64) {
        run_on("jit", &tcg_backend_x86_64);
    } else {
        printf("SKIP jit: backend not linked\n");
    }
    return failures ? 1 : 0;
}
