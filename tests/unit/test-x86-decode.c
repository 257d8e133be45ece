/*
 * test-x86-decode.c — the x86 decoder (target/i386/decode.c) on encodings
 * produced by the host assembler (GNU as; bytes embedded from objdump -d):
 * instruction length, mnemonic and operands (through x86_insn_format()),
 * plus prefix rules and the invalid cases (#UD, >15 bytes).
 */
#include <stdio.h>
#include <string.h>

#include "target/i386/decode.h"

static int failures;

typedef struct Case {
    const char *as;      /* what the assembler was given (objdump's spelling) */
    uint8_t bytes[16];
    int len;
    X86CodeMode mode;
    const char *expect;  /* x86_insn_format() output */
} Case;

static const Case cases[] = {
    {"add    %rax,(%rbx)", {0x48, 0x01, 0x03}, 3, X86_MODE64, "ADD [rbx+*1+0]/64,rax/64"},
    {"add    %al,0x10(%rbx,%rcx,4)", {0x00, 0x44, 0x8b, 0x10}, 4, X86_MODE64, "ADD [rbx+rcx*4+16]/8,rax/8"},
    {"lock add %eax,-0x8(%rbp)", {0xf0, 0x01, 0x45, 0xf8}, 4, X86_MODE64, "ADD [rbp+*1-8]/32,rax/32"},
    {"movabs $0x1122334455667788,%r9", {0x49, 0xb9, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, 10, X86_MODE64, "MOV r9/64,$0x1122334455667788"},
    {"mov    0x100(%rip),%r10d        # 0x11c", {0x44, 0x8b, 0x15, 0x00, 0x01, 0x00, 0x00}, 7, X86_MODE64, "MOV r10/32,[rip+*1+256]/32"},
    {"movzbl %ah,%ecx", {0x0f, 0xb6, 0xcc}, 3, X86_MODE64, "MOVZX rcx/32,hi:rax/8"},
    {"movsbq %sil,%rax", {0x48, 0x0f, 0xbe, 0xc6}, 4, X86_MODE64, "MOVSX rax/64,rsi/8"},
    {"movslq %edx,%r8", {0x4c, 0x63, 0xc2}, 3, X86_MODE64, "MOVSXD r8/64,rdx/32"},
    {"imul   $0x3e8,%r11,%rdx", {0x49, 0x69, 0xd3, 0xe8, 0x03, 0x00, 0x00}, 7, X86_MODE64, "IMUL3 rdx/64,r11/64,$0x3e8"},
    {"imul   $0xfffd,%ax,%bx", {0x66, 0x6b, 0xd8, 0xfd}, 4, X86_MODE64, "IMUL3 rbx/16,rax/16,$0xfffffffffffffffd"},
    {"shl    $0x5,%r12w", {0x66, 0x41, 0xc1, 0xe4, 0x05}, 5, X86_MODE64, "SHL r12/16,$0x5"},
    {"rcr    %cl,%bl", {0xd2, 0xdb}, 2, X86_MODE64, "RCR rbx/8,rcx/8"},
    {"jne    0x58", {0x75, 0x1e}, 2, X86_MODE64, "JCC $0x1e"},
    {"jmp    0xfffffffffffff03a", {0xe9, 0xfb, 0xef, 0xff, 0xff}, 5, X86_MODE64, "JMP $0xffffffffffffeffb"},
    {"call   *%rax", {0xff, 0xd0}, 2, X86_MODE64, "CALL rax/64"},
    {"push   %r15", {0x41, 0x57}, 2, X86_MODE64, "PUSH r15/64"},
    {"pop    %rbx", {0x5b}, 1, X86_MODE64, "POP rbx/64"},
    {"lea    0x7(%r13,%r14,8),%rsi", {0x4b, 0x8d, 0x74, 0xf5, 0x07}, 5, X86_MODE64, "LEA rsi/64,[r13+r14*8+7]/64"},
    {"rep movsq %ds:(%rsi),%es:(%rdi)", {0xf3, 0x48, 0xa5}, 3, X86_MODE64, "MOVS /64"},
    {"repnz scas %es:(%rdi),%al", {0xf2, 0xae}, 2, X86_MODE64, "SCAS /8"},
    {"xchg   %rax,%r8", {0x49, 0x90}, 2, X86_MODE64, "XCHG r8/64,rax/64"},
    {"cmpxchg %rcx,(%rdx)", {0x48, 0x0f, 0xb1, 0x0a}, 4, X86_MODE64, "CMPXCHG [rdx+*1+0]/64,rcx/64"},
    {"lock cmpxchg16b (%rdi)", {0xf0, 0x48, 0x0f, 0xc7, 0x0f}, 5, X86_MODE64, "CMPXCHG8B [rdi+*1+0]/64"},
    {"cpuid", {0x0f, 0xa2}, 2, X86_MODE64, "CPUID"},
    {"syscall", {0x0f, 0x05}, 2, X86_MODE64, "SYSCALL"},
    {"mov    (%eax),%ecx", {0x67, 0x8b, 0x08}, 3, X86_MODE64, "MOV rcx/32,[rax+*1+0]/32"},
    {"mov    %fs:0x28,%rax", {0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00}, 9, X86_MODE64, "MOV rax/64,[seg:+*1+40]/64"},
    {"movdqa %xmm9,%xmm2", {0x66, 0x41, 0x0f, 0x6f, 0xd1}, 5, X86_MODE64, "MOVDQA xmm2,xmm9"},
    {"pxor   (%rax),%xmm15", {0x66, 0x44, 0x0f, 0xef, 0x38}, 5, X86_MODE64, "PXOR xmm15,[rax+*1+0]/128"},
    {"pshufd $0x1b,%xmm1,%xmm0", {0x66, 0x0f, 0x70, 0xc1, 0x1b}, 5, X86_MODE64, "PSHUFD xmm0,xmm1,$0x1b"},
    {"popcnt %rbx,%rcx", {0xf3, 0x48, 0x0f, 0xb8, 0xcb}, 5, X86_MODE64, "POPCNT rcx/64,rbx/64"},
    {"tzcnt  %eax,%edx", {0xf3, 0x0f, 0xbc, 0xd0}, 4, X86_MODE64, "TZCNT rdx/32,rax/32"},
    {"bt     $0x3,%ecx", {0x0f, 0xba, 0xe1, 0x03}, 4, X86_MODE64, "BT rcx/32,$0x3"},
    {"nop", {0x90}, 1, X86_MODE64, "NOP rax/32,rax/32"},
    {"pause", {0xf3, 0x90}, 2, X86_MODE64, "NOP rax/32,rax/32"},
    {"nopw   (%rax,%rax,1)", {0x66, 0x0f, 0x1f, 0x04, 0x00}, 5, X86_MODE64, "NOP [rax+rax*1+0]/16"},
    {"enter  $0x10,$0x0", {0xc8, 0x10, 0x00, 0x00}, 4, X86_MODE64, "ENTER $0x10,$0"},
    {"test   $0x12345678,%rax", {0x48, 0xa9, 0x78, 0x56, 0x34, 0x12}, 6, X86_MODE64, "TEST rax/64,$0x12345678"},
    {"mov    %eax,%ds", {0x8e, 0xd8}, 2, X86_MODE64, "MOV_SEG ?3,rax/16"},
    {"sub    $0xffffffffffffffff,%rsp", {0x48, 0x83, 0xec, 0xff}, 4, X86_MODE64, "SUB rsp/64,$0xffffffffffffffff"},
};

typedef struct Buf {
    const uint8_t *b;
    size_t n;
} Buf;

static uint8_t fetch(void *opaque, uint64_t addr)
{
    Buf *buf = opaque;
    return addr < buf->n ? buf->b[addr] : 0x90;
}

static void check_case(const Case *c)
{
    X86Insn in;
    Buf buf = {c->bytes, (size_t)c->len};
    X86DecodeStatus st = x86_decode(&in, c->mode, 0, fetch, &buf);
    char txt[160];
    x86_insn_format(&in, txt, sizeof(txt));
    if (st != X86_DEC_OK || in.len != c->len || strcmp(txt, c->expect) != 0) {
        printf("FAIL decode '%s': status %d len %d (want %d) got \"%s\" want \"%s\"\n", c->as,
               st, in.len, c->len, txt, c->expect);
        failures++;
    } else {
        printf("PASS decode '%s'\n", c->as);
    }
}

static void check_status(const char *name, const uint8_t *b, size_t n, X86CodeMode mode,
                         X86DecodeStatus want, int want_len, const char *want_txt)
{
    X86Insn in;
    Buf buf = {b, n};
    X86DecodeStatus st = x86_decode(&in, mode, 0, fetch, &buf);
    char txt[160] = "";
    if (st == X86_DEC_OK) {
        x86_insn_format(&in, txt, sizeof(txt));
    }
    bool ok = st == want && (want_len < 0 || in.len == want_len) &&
              (!want_txt || strcmp(txt, want_txt) == 0);
    if (ok) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: status %d len %d \"%s\"\n", name, st, in.len, txt);
        failures++;
    }
}

int main(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check_case(&cases[i]);
    }
    /* prefix rules and invalid encodings */
    static const uint8_t lock_reg[] = {0xf0, 0x01, 0xc0};        /* lock add %eax,%eax */
    check_status("lock on a register destination is #UD", lock_reg, 3, X86_MODE64,
                 X86_DEC_UD, -1, NULL);
    static const uint8_t lock_mov[] = {0xf0, 0x89, 0x03};        /* lock mov %eax,(%rbx) */
    check_status("lock on MOV is #UD", lock_mov, 3, X86_MODE64, X86_DEC_UD, -1, NULL);
    static const uint8_t push_es[] = {0x06};
    check_status("push es is #UD in 64-bit mode", push_es, 1, X86_MODE64, X86_DEC_UD, -1, NULL);
    check_status("push es is valid in 32-bit mode", push_es, 1, X86_MODE32, X86_DEC_OK, 1,
                 "PUSH");
    static const uint8_t toolong[16] = {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                        0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90};
    check_status("15 bytes decode", toolong + 1, 15, X86_MODE64, X86_DEC_OK, 15, "NOP rax/16,rax/16");
    check_status("16 bytes are #GP (too long)", toolong, 16, X86_MODE64, X86_DEC_TOOLONG, -1,
                 NULL);
    static const uint8_t rex_then_66[] = {0x48, 0x66, 0x01, 0xc0};  /* REX ignored: add %ax,%ax */
    check_status("REX before a legacy prefix is ignored", rex_then_66, 4, X86_MODE64,
                 X86_DEC_OK, 4, "ADD rax/16,rax/16");
    static const uint8_t inc32[] = {0x40};                        /* inc %eax in 32-bit mode */
    check_status("0x40 is INC in 32-bit mode", inc32, 1, X86_MODE32, X86_DEC_OK, 1,
                 "INC rax/32");
    static const uint8_t m16[] = {0x8b, 0x42, 0x04};              /* mov 4(%bp,%si),%ax (16-bit) */
    check_status("16-bit addressing [bp+si+disp8]", m16, 3, X86_MODE16, X86_DEC_OK, 3,
                 "MOV rax/16,[rbp+rsi*1+4]/16");
    static const uint8_t m16abs[] = {0x8b, 0x1e, 0x34, 0x12};     /* mov 0x1234,%bx (16-bit) */
    check_status("16-bit addressing [disp16]", m16abs, 4, X86_MODE16, X86_DEC_OK, 4,
                 "MOV rbx/16,[+*1+4660]/16");
    static const uint8_t sib_nobase[] = {0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00};
    check_status("SIB without base or index: absolute disp32", sib_nobase, 7, X86_MODE64,
                 X86_DEC_OK, 7, "MOV rax/32,[+*1+4096]/32");
    static const uint8_t r12_base[] = {0x41, 0x8b, 0x04, 0x24};   /* mov (%r12),%eax */
    check_status("r12 base needs a SIB", r12_base, 4, X86_MODE64, X86_DEC_OK, 4,
                 "MOV rax/32,[r12+*1+0]/32");
    static const uint8_t r13_base[] = {0x41, 0x8b, 0x45, 0x00};   /* mov 0(%r13),%eax */
    check_status("r13 base with mod=01", r13_base, 4, X86_MODE64, X86_DEC_OK, 4,
                 "MOV rax/32,[r13+*1+0]/32");
    static const uint8_t ud2[] = {0x0f, 0x0b};
    check_status("ud2 decodes (raises at translation)", ud2, 2, X86_MODE64, X86_DEC_OK, 2,
                 "UD2");
    static const uint8_t mmx[] = {0x0f, 0xef, 0xc1};              /* pxor %mm1,%mm0 */
    check_status("MMX pxor decodes to MMX operands", mmx, 3, X86_MODE64, X86_DEC_OK, 3,
                 "PXOR mm0,mm1");
    static const uint8_t pshufb_mmx[] = {0x0f, 0x38, 0x00, 0xd1}; /* pshufb %mm1,%mm2 */
    check_status("SSSE3 pshufb MMX form", pshufb_mmx, 4, X86_MODE64, X86_DEC_OK, 4,
                 "PSHUFB mm2,mm1");
    static const uint8_t palignr[] = {0x66, 0x0f, 0x3a, 0x0f, 0xd1, 0x03};
    check_status("palignr $3,%xmm1,%xmm2", palignr, 6, X86_MODE64, X86_DEC_OK, 6,
                 "PALIGNR xmm2,xmm1,$0x3");
    static const uint8_t pcmpistri[] = {0x66, 0x0f, 0x3a, 0x63, 0x08, 0x0c};
    check_status("pcmpistri $0xc,(%rax),%xmm1", pcmpistri, 6, X86_MODE64, X86_DEC_OK, 6,
                 "PCMPISTRI xmm1,[rax+*1+0]/128,$0xc");
    /* VEX (BMI) */
    static const uint8_t andn[] = {0xc4, 0xe2, 0xe0, 0xf2, 0xc1}; /* andn %rcx,%rbx,%rax */
    check_status("VEX andn %rcx,%rbx,%rax", andn, 5, X86_MODE64, X86_DEC_OK, 5,
                 "ANDN rax/64,rbx/64,rcx/64");
    static const uint8_t andn_m[] = {0xc4, 0x62, 0x30, 0xf2, 0x16}; /* andn (%rsi),%r9d,%r10d */
    check_status("VEX andn (%rsi),%r9d,%r10d", andn_m, 5, X86_MODE64, X86_DEC_OK, 5,
                 "ANDN r10/32,r9/32,[rsi+*1+0]/32");
    static const uint8_t rorx[] = {0xc4, 0x43, 0xfb, 0xf0, 0xf8, 0x05}; /* rorx $5,%r8,%r15 */
    check_status("VEX rorx $5,%r8,%r15", rorx, 6, X86_MODE64, X86_DEC_OK, 6,
                 "RORX r15/64,r8/64,$0x5");
    static const uint8_t blsi[] = {0xc4, 0xe2, 0xa0, 0xf3, 0xda}; /* blsi %rdx,%r11 */
    check_status("VEX group 17: blsi %rdx,%r11", blsi, 5, X86_MODE64, X86_DEC_OK, 5,
                 "BLSI r11/64,rdx/64");
    static const uint8_t andn_l1[] = {0xc4, 0xe2, 0xe4, 0xf2, 0xc1}; /* VEX.L = 1 */
    check_status("VEX.L=1 andn is #UD", andn_l1, 5, X86_MODE64, X86_DEC_UD, -1, NULL);
    static const uint8_t avx[] = {0xc5, 0xe8, 0x55, 0xd9};         /* vandnps: AVX */
    check_status("AVX (vandnps) is #UD", avx, 4, X86_MODE64, X86_DEC_UD, -1, NULL);
    static const uint8_t rex_vex[] = {0x48, 0xc4, 0xe2, 0xe0, 0xf2, 0xc1};
    check_status("REX before VEX is #UD", rex_vex, 6, X86_MODE64, X86_DEC_UD, -1, NULL);
    static const uint8_t les[] = {0xc4, 0x06};                      /* les (%esi),%eax */
    check_status("C4 with mod!=3 in 32-bit mode is LES", les, 2, X86_MODE32, X86_DEC_OK, 2,
                 NULL);
    static const uint8_t movbe[] = {0x0f, 0x38, 0xf0, 0x08};       /* movbe (%rax),%ecx */
    check_status("movbe (%rax),%ecx", movbe, 4, X86_MODE64, X86_DEC_OK, 4,
                 "MOVBE rcx/32,[rax+*1+0]/32");
    static const uint8_t movbe_r[] = {0x0f, 0x38, 0xf0, 0xc8};     /* register form */
    check_status("movbe with a register operand is #UD", movbe_r, 4, X86_MODE64, X86_DEC_UD,
                 -1, NULL);
    static const uint8_t crc[] = {0xf2, 0x0f, 0x38, 0xf0, 0xc8};   /* crc32b %al,%ecx */
    check_status("crc32b %al,%ecx", crc, 5, X86_MODE64, X86_DEC_OK, 5, "CRC32 rcx/32,rax/8");
    static const uint8_t adcx[] = {0x66, 0x48, 0x0f, 0x38, 0xf6, 0xd8}; /* adcx %rax,%rbx */
    check_status("adcx %rax,%rbx", adcx, 6, X86_MODE64, X86_DEC_OK, 6, "ADCX rbx/64,rax/64");
    return failures ? 1 : 0;
}
