/*
 * lib.h — the runtime of the bare-metal x86 tests (start.S, lib.c).
 *
 * A test is one C file with main(); it is built either 64-bit (the default:
 * start.S enters long mode with 4 GiB identity-mapped in 2 MiB pages,
 * user-accessible, before main) or 32-bit (a name ending in _32: main runs
 * in flat 32-bit protected mode, paging off). Output goes to COM1; the
 * test ends by writing 0x06 to port 0xcf9 (a reset, which -no-reboot turns
 * into an exit on coremu and on Debian's QEMU alike).
 *
 * GDT (start.S, writable; selectors the SYSCALL/SYSENTER layouts need):
 *   0x08 kernel code32   0x10 kernel code64   0x18 kernel data
 *   0x20 user code32     0x28 user data       0x30 user code64
 *   0x38 user data       0x40 code16 (base 0, limit 0xffff)
 *   0x48 data16          0x50 TSS (16 bytes in long mode)
 *   0x60..0xf8 free for the tests
 * Every vector has an interrupt gate (DPL 0, vector 0x80 DPL 3) to trap();
 * a fault either resumes at the fixup set by TRY(), is handed to a test's
 * hook, or ends run_user() when it came from ring 3.
 */
#ifndef TESTS_TCG_X86_64_LIB_H
#define TESTS_TCG_X86_64_LIB_H

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef unsigned long ureg;
#endif

#define SEL_KCODE32 0x08
#define SEL_KCODE64 0x10
#define SEL_KDATA 0x18
#define SEL_UCODE32 0x20
#define SEL_UDATA 0x28
#define SEL_UCODE64 0x30
#define SEL_UDATA2 0x38
#define SEL_CODE16 0x40
#define SEL_DATA16 0x48
#define SEL_TSS 0x50
#define SEL_FREE 0x60

#ifdef __x86_64__
#define SEL_KCODE SEL_KCODE64
#define PTRMOV "movq"
#else
#define SEL_KCODE SEL_KCODE32
#define PTRMOV "movl"
#endif

#ifndef __ASSEMBLER__

/* the interrupt frame trap() gets: saved registers, then the hardware frame */
struct frame {
#ifdef __x86_64__
    ureg r15, r14, r13, r12, r11, r10, r9, r8;
    ureg di, si, bp, bx, dx, cx, ax;
#else
    ureg es, ds;
    ureg di, si, bp, esp_unused, bx, dx, cx, ax;
#endif
    ureg vec, err;
    ureg ip, cs, flags, sp, ss; /* sp, ss: only after a privilege change (or 64-bit) */
#ifndef __x86_64__
    ureg vm_es, vm_ds, vm_fs, vm_gs; /* only from virtual-8086 mode */
#endif
};

extern uint64_t gdt[32];
extern uint8_t tss[0x68 + 8];
extern uint8_t intr_stack_top[], ist_stack_top[];

/* serial output */
void putc_com1(char c);
void pr(const char *fmt, ...); /* %d %u %x %lx %llx %s %c; %0Nx width */
void check(const char *name, uint64_t got, uint64_t expected);
extern int failures;
__attribute__((noreturn)) void exit_test(void);

/* last trap */
extern volatile ureg last_vec, last_err, last_ip, last_cs, last_cr2, last_sp, last_flags;
extern volatile int trap_count;
/* resume address after a fault (TRY), 0 = none */
extern volatile ureg fixup_ip;
/* per-vector hook: return 1 if it handled the trap (it may edit the frame) */
extern int (*volatile trap_hook[256])(struct frame *f);
void trap(struct frame *f);

/*
 * TRY(code, clobbers...): run the asm `code`; a fault inside resumes after
 * it. Returns the vector (last_vec) or -1 if nothing trapped.
 */
#define TRY(code, ...)                                                      \
    ({                                                                      \
        last_vec = (ureg)-1;                                                \
        asm volatile(PTRMOV " $1f, fixup_ip\n\t" code "\n1:\n\t"            \
                     PTRMOV " $0, fixup_ip" ::: "memory", ##__VA_ARGS__);   \
        (long)last_vec;                                                     \
    })

/* TRYI(code, inputs...): TRY with input operands (no clobbers but memory) */
#define TRYI(code, ...)                                                     \
    ({                                                                      \
        last_vec = (ureg)-1;                                                \
        asm volatile(PTRMOV " $1f, fixup_ip\n\t" code "\n1:\n\t"            \
                     PTRMOV " $0, fixup_ip" ::__VA_ARGS__ : "memory");      \
        (long)last_vec;                                                     \
    })

/* TRYIC(code, clobber, inputs...): TRYI that also clobbers one register */
#define TRYIC(code, clobber, ...)                                           \
    ({                                                                      \
        last_vec = (ureg)-1;                                                \
        asm volatile(PTRMOV " $1f, fixup_ip\n\t" code "\n1:\n\t"            \
                     PTRMOV " $0, fixup_ip" ::__VA_ARGS__ : "memory", clobber); \
        (long)last_vec;                                                     \
    })

/* descriptors */
void set_gdt(int sel, uint64_t desc);
uint64_t seg_desc(uint32_t base, uint32_t limit, uint32_t type_s_dpl_p, uint32_t flags);
void set_idt(int vec, void *handler, int type, int dpl, int ist, int sel);
void *isr_stub(int vec); /* the default entry of a vector */
void set_idt_default(int vec, int dpl);

/*
 * run_user(fn, stack): enter fn at CPL 3 (IRET, user code/data selectors
 * of the current mode, IF clear). A trap from ring 3 that no hook or fixup
 * takes returns here with its vector; so does user code doing INT 0x80.
 */
long run_user(void (*fn)(void), void *stack_top);
__attribute__((noreturn)) void user_return(long v);
extern uint8_t user_stack_top[];

/* system registers */
static inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return lo | (uint64_t)hi << 32;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    asm volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
#define READ_CR(n)                                          \
    ({                                                      \
        ureg v_;                                            \
        asm volatile("mov %%cr" #n ", %0" : "=r"(v_));      \
        v_;                                                 \
    })
#define WRITE_CR(n, v) asm volatile("mov %0, %%cr" #n ::"r"((ureg)(v)) : "memory")
static inline ureg read_flags(void)
{
    ureg f;
    asm volatile("pushf; pop %0" : "=r"(f));
    return f;
}
static inline uint16_t read_seg_cs(void)
{
    uint16_t v;
    asm volatile("mov %%cs, %0" : "=r"(v));
    return v;
}
#define READ_SEG(s)                                         \
    ({                                                      \
        uint16_t v_;                                        \
        asm volatile("mov %%" #s ", %0" : "=r"(v_));        \
        v_;                                                 \
    })

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_FMASK 0xc0000084
#define MSR_FSBASE 0xc0000100
#define MSR_GSBASE 0xc0000101
#define MSR_KGSBASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

#endif /* __ASSEMBLER__ */
#endif
