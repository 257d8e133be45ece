#!/usr/bin/env python3
"""gen.py — generator of the randomized AArch64 differential test program.

Design: a seed gives K sequences; sequence k is drawn from its own RNG
(seeded with "SEED:k"), so any one sequence can be regenerated alone, with
the same instructions and inputs (for bisection).  A sequence is L random
*templates*; a template is one instruction, or a few when it needs a set-up
(a base address for a load, a divisor of 0, a branch over an instruction).
Templates are Python functions of a register/immediate chooser; the text is
assembled by aarch64-linux-gnu-as, so every encoding is a valid one.

Register contract with the harness (start.S): generated code reads and writes
x0..x27, v0..v31, NZCV, FPSR; x28 holds the 512-byte scratch buffer and is
never written (write-back addressing uses a copy in another register), x29,
x30 and sp are never touched, and every memory access stays inside the buffer.

Output (in OUTDIR): prog.S (code + tables) and inputs.bin (the 1280-byte
input state of each sequence, layout struct State in main.c).  With
--only k --bisect, sequence k is emitted as T+1 prefixes (0..T templates),
ids 0..T, and dump_mode on; prefixes.txt lists the templates' text.

Classes: alu (data processing, W and X), branch (conditional/compare/test
branches, loops, calls, literals, hints, cache maintenance), ldst (every
load/store form, also through other VAs of the buffer: +1 GiB, TTBR1, tagged),
sp (SP as operand), sys (system registers, HVC), smc (code patching), mmu
(page-table edits + TLBI, AT), exc (exceptions with precise state), fp, simd,
crypto; lse (-cpu max) on request.

Usage: gen.py SEED K L OUTDIR [--classes a,b] [--only k] [--bisect] [--aligned] [--irq TICKS]
       [--exclude REGEX]
"""
import argparse
import os
import random
import re
import struct

CLASSES = ['alu', 'branch', 'ldst', 'sp', 'sys', 'smc', 'mmu', 'exc', 'fp', 'simd', 'crypto']
EXTRA_CLASSES = ['lse']     # need -cpu max (difftest.py switches to it); not in the default set

COND = 'eq ne cs cc mi pl vs vc hi ls ge lt gt le'.split()
COND_ALL = COND + ['al', 'nv']


class Chooser:
    """Random operands.  Registers are 0..27 unless zr is allowed."""

    def __init__(self, rng, aligned):
        self.g = rng
        self.aligned = aligned
        self.recent = []
        self.smp = 1

    def i(self, a, b):
        return self.g.randint(a, b)

    def c(self, seq):
        return self.g.choice(seq)

    def num(self):
        # a third of the picks among the registers written last: long dependency chains, and
        # constants that the translator's optimizer can propagate (movz/movk... then use)
        if self.recent and self.g.random() < 0.35:
            return self.g.choice(self.recent)
        return self.g.randrange(28)

    def wrote(self, text):
        """Note the destination (first operand) of a template's last instruction."""
        last = [x for x in text.split('\n') if x and not x.endswith(':')][-1]
        m = re.match(r'\S+\s+[xw](\d+)\b', last)
        if m and int(m.group(1)) < 28:
            self.recent = (self.recent + [int(m.group(1))])[-4:]

    def r(self, sf, zr=False, n=None):
        if n is None:
            if zr and self.g.random() < 0.08:
                return sf + 'zr'
            n = self.num()
        return '%s%d' % (sf, n)

    def distinct(self, k, avoid=()):
        s = [n for n in range(28) if n not in avoid]
        return self.g.sample(s, k)

    def v(self):
        return self.g.randrange(32)


TEMPLATES = []   # (class, weight, fn)


def T(cls, w=1):
    def deco(f):
        TEMPLATES.append((cls, w, f))
        return f
    return deco


def bits(sf):
    return 32 if sf == 'w' else 64


def bitmask_imm(r, n):
    e = r.c([2, 4, 8, 16, 32, 64] if n == 64 else [2, 4, 8, 16, 32])
    s = r.i(1, e - 1)
    rot = r.i(0, e - 1)
    pat = (1 << s) - 1
    pat = ((pat >> rot) | (pat << (e - rot))) & ((1 << e) - 1)
    v = 0
    for k in range(n // e):
        v |= pat << (k * e)
    return v


SF = ['w', 'x']

# ---------------------------------------------------------------- integer ALU


@T('alu', 3)
def add_imm(r):
    sf = r.c(SF)
    return '%s %s, %s, #%d%s' % (r.c(['add', 'adds', 'sub', 'subs']), r.r(sf), r.r(sf),
                                 r.i(0, 4095), r.c(['', ', lsl #12']))


@T('alu', 3)
def add_shifted(r):
    sf = r.c(SF)
    return '%s %s, %s, %s, %s #%d' % (r.c(['add', 'adds', 'sub', 'subs']), r.r(sf), r.r(sf, True),
                                      r.r(sf, True), r.c(['lsl', 'lsr', 'asr']), r.i(0, bits(sf) - 1))


@T('alu', 2)
def add_ext(r):
    op = r.c(['add', 'adds', 'sub', 'subs'])
    if r.c(SF) == 'w':
        return '%s %s, %s, %s, %s #%d' % (op, r.r('w'), r.r('w'), r.r('w', True),
                                          r.c(['uxtb', 'uxth', 'uxtw', 'sxtb', 'sxth', 'sxtw']), r.i(0, 4))
    if r.i(0, 3) == 0:
        return '%s %s, %s, %s, %s #%d' % (op, r.r('x'), r.r('x'), r.r('x', True), r.c(['uxtx', 'sxtx']), r.i(0, 4))
    return '%s %s, %s, %s, %s #%d' % (op, r.r('x'), r.r('x'), r.r('w', True),
                                      r.c(['uxtb', 'uxth', 'uxtw', 'sxtb', 'sxth', 'sxtw']), r.i(0, 4))


@T('alu', 2)
def adc(r):
    sf = r.c(SF)
    if r.i(0, 4) == 0:
        return '%s %s, %s' % (r.c(['ngc', 'ngcs']), r.r(sf), r.r(sf, True))
    return '%s %s, %s, %s' % (r.c(['adc', 'adcs', 'sbc', 'sbcs']), r.r(sf), r.r(sf, True), r.r(sf, True))


@T('alu', 2)
def cmp_(r):
    sf = r.c(SF)
    k = r.i(0, 3)
    if k == 0:
        return '%s %s, #%d' % (r.c(['cmp', 'cmn']), r.r(sf), r.i(0, 4095))
    if k == 1:
        return '%s %s, %s, %s #%d' % (r.c(['cmp', 'cmn']), r.r(sf), r.r(sf), r.c(['lsl', 'lsr', 'asr']),
                                      r.i(0, bits(sf) - 1))
    if k == 2:
        return 'tst %s, #0x%x' % (r.r(sf), bitmask_imm(r, bits(sf)))
    return '%s %s, %s, %s #%d' % (r.c(['neg', 'negs']), r.r(sf), r.r(sf), r.c(['lsl', 'lsr', 'asr']),
                                  r.i(0, bits(sf) - 1))


@T('alu', 3)
def logic_imm(r):
    sf = r.c(SF)
    return '%s %s, %s, #0x%x' % (r.c(['and', 'orr', 'eor', 'ands']), r.r(sf), r.r(sf), bitmask_imm(r, bits(sf)))


@T('alu', 3)
def logic_reg(r):
    sf = r.c(SF)
    if r.i(0, 5) == 0:
        return 'mvn %s, %s, %s #%d' % (r.r(sf), r.r(sf, True), r.c(['lsl', 'lsr', 'asr', 'ror']), r.i(0, bits(sf) - 1))
    return '%s %s, %s, %s, %s #%d' % (r.c(['and', 'orr', 'eor', 'bic', 'orn', 'eon', 'ands', 'bics']),
                                      r.r(sf), r.r(sf, True), r.r(sf, True),
                                      r.c(['lsl', 'lsr', 'asr', 'ror']), r.i(0, bits(sf) - 1))


@T('alu', 2)
def movimm(r):
    sf = r.c(SF)
    k = r.i(0, 2)
    if k == 0:
        return 'mov %s, #0x%x' % (r.r(sf), bitmask_imm(r, bits(sf)))
    if k == 1:
        return 'mov %s, #%d' % (r.r(sf), r.c([0, 1, -1, 31, 32, 63, 64, 0xffff, -0x10000, r.i(-65536, 65535)]))
    return 'mov %s, %s' % (r.r(sf), r.r(sf, True))


@T('alu', 2)
def movw(r):
    sf = r.c(SF)
    return '%s %s, #0x%x, lsl #%d' % (r.c(['movz', 'movk', 'movn']), r.r(sf), r.i(0, 0xffff),
                                      r.c([0, 16] if sf == 'w' else [0, 16, 32, 48]))


@T('alu', 3)
def shift(r):
    sf = r.c(SF)
    op = r.c(['lsl', 'lsr', 'asr', 'ror'])
    if r.i(0, 1):
        return '%s %s, %s, %s' % (op, r.r(sf), r.r(sf, True), r.r(sf, True))
    return '%s %s, %s, #%d' % (op, r.r(sf), r.r(sf), r.i(0, bits(sf) - 1))


@T('alu', 3)
def bitfield(r):
    sf = r.c(SF)
    n = bits(sf)
    k = r.i(0, 2)
    if k == 0:
        return '%s %s, %s, #%d, #%d' % (r.c(['bfm', 'ubfm', 'sbfm']), r.r(sf), r.r(sf, True), r.i(0, n - 1), r.i(0, n - 1))
    if k == 1:
        lsb = r.i(0, n - 1)
        return '%s %s, %s, #%d, #%d' % (r.c(['bfi', 'bfxil', 'ubfx', 'sbfx', 'ubfiz', 'sbfiz']), r.r(sf),
                                        r.r(sf, True), lsb, r.i(1, n - lsb))
    if sf == 'w':
        return '%s %s, %s' % (r.c(['uxtb', 'uxth', 'sxtb', 'sxth']), r.r('w'), r.r('w'))
    return '%s %s, %s' % (r.c(['sxtb', 'sxth', 'sxtw']), r.r('x'), r.r('w'))


@T('alu', 1)
def extr(r):
    sf = r.c(SF)
    return 'extr %s, %s, %s, #%d' % (r.r(sf), r.r(sf, True), r.r(sf, True), r.i(0, bits(sf) - 1))


@T('alu', 3)
def csel(r):
    sf = r.c(SF)
    k = r.i(0, 2)
    if k == 0:
        return '%s %s, %s, %s, %s' % (r.c(['csel', 'csinc', 'csinv', 'csneg']), r.r(sf), r.r(sf, True),
                                      r.r(sf, True), r.c(COND_ALL))
    if k == 1:
        return '%s %s, %s' % (r.c(['cset', 'csetm']), r.r(sf), r.c(COND))
    return '%s %s, %s, %s' % (r.c(['cinc', 'cinv', 'cneg']), r.r(sf), r.r(sf), r.c(COND))


@T('alu', 2)
def ccmp(r):
    sf = r.c(SF)
    op = r.c(['ccmp', 'ccmn'])
    if r.i(0, 1):
        return '%s %s, %s, #%d, %s' % (op, r.r(sf), r.r(sf, True), r.i(0, 15), r.c(COND_ALL))
    return '%s %s, #%d, #%d, %s' % (op, r.r(sf), r.i(0, 31), r.i(0, 15), r.c(COND_ALL))


@T('alu', 3)
def mul(r):
    k = r.i(0, 4)
    if k == 0:
        sf = r.c(SF)
        return '%s %s, %s, %s, %s' % (r.c(['madd', 'msub']), r.r(sf), r.r(sf, True), r.r(sf, True), r.r(sf, True))
    if k == 1:
        sf = r.c(SF)
        return '%s %s, %s, %s' % (r.c(['mul', 'mneg']), r.r(sf), r.r(sf), r.r(sf))
    if k == 2:
        return '%s %s, %s, %s, %s' % (r.c(['smaddl', 'umaddl', 'smsubl', 'umsubl']), r.r('x'), r.r('w', True),
                                      r.r('w', True), r.r('x', True))
    if k == 3:
        return '%s %s, %s, %s' % (r.c(['smull', 'umull', 'smnegl', 'umnegl']), r.r('x'), r.r('w'), r.r('w'))
    return '%s %s, %s, %s' % (r.c(['smulh', 'umulh']), r.r('x'), r.r('x', True), r.r('x', True))


@T('alu', 3)
def div(r):
    sf = r.c(SF)
    op = r.c(['udiv', 'sdiv'])
    k = r.i(0, 3)
    d, n, m = r.r(sf), r.num(), r.num()
    if k == 0:
        return 'mov %s, #0\n%s %s, %s, %s' % (r.r(sf, n=m), op, d, r.r(sf, n=n), r.r(sf, n=m))
    if k == 1 and n != m:
        return 'mov %s, #0x%x\nmov %s, #-1\n%s %s, %s, %s' % (
            r.r(sf, n=n), 1 << (bits(sf) - 1), r.r(sf, n=m), op, d, r.r(sf, n=n), r.r(sf, n=m))
    return '%s %s, %s, %s' % (op, d, r.r(sf, True, n), r.r(sf, True, m))


@T('alu', 2)
def bitop(r):
    sf = r.c(SF)
    if sf == 'x' and r.i(0, 5) == 0:
        return 'rev32 %s, %s' % (r.r('x'), r.r('x', True))
    return '%s %s, %s' % (r.c(['clz', 'cls', 'rbit', 'rev', 'rev16']), r.r(sf), r.r(sf, True))


@T('alu', 1)
def crc(r):
    c = r.c(['', 'c'])
    sz = r.c('bhwx')
    return 'crc32%s%s %s, %s, %s' % (c, sz, r.r('w'), r.r('w'), r.r('x' if sz == 'x' else 'w'))


@T('alu', 1)
def nzcv(r):
    if r.i(0, 1):
        return 'mrs %s, nzcv' % r.r('x')
    return 'msr nzcv, %s' % r.r('x')


# ------------------------------------------------------------------- branches

def alu_body(r):
    while True:
        cls, w, f = r.c(TEMPLATES)
        if cls == 'alu' and f is not div:
            return f(r)


@T('branch', 2)
def bcond(r):
    k = r.i(0, 4)
    if k == 0:
        return 'b.%s 1f\n%s\n1:' % (r.c(COND_ALL), alu_body(r))
    elif k == 1:
        br = '%s %s' % (r.c(['cbz', 'cbnz']), r.r(r.c(SF)))
    elif k == 2:
        sf = r.c(SF)
        br = '%s %s, #%d' % (r.c(['tbz', 'tbnz']), r.r(sf), r.i(0, bits(sf) - 1))
    elif k == 3:
        return 'adr %s, 1f\n1:' % r.r('x')
    else:
        return 'b 1f\n%s\n1:' % alu_body(r)
    return '%s, 1f\n%s\n1:' % (br, alu_body(r))


@T('branch', 1)
def loop(r):
    """A counted loop (backward branch: chained TBs) over 1-5 ALU/load-store templates that
    leave its counter alone."""
    c = r.num()
    body = []
    while len(body) < r.i(1, 5):
        cls, w, f = r.c(TEMPLATES)
        if cls not in ('alu', 'ldst') or f is div or (f is ls_unpriv and r.aligned):
            continue
        t = f(r)
        if re.search(r'\b[xw]%d\b' % c, t) or 'nzcv' in t:
            continue
        body.append(t)
    dec = r.c(['subs w%d, w%d, #1\nb.ne 2b' % (c, c), 'sub x%d, x%d, #1\ncbnz x%d, 2b' % (c, c, c),
               'sub w%d, w%d, #1\ncbnz w%d, 2b' % (c, c, c)])
    return 'mov x%d, #%d\n2:\n%s\n%s' % (c, r.i(1, 20), '\n'.join(body), dec)


@T('branch', 1)
def call(r):
    """Calls and indirect branches (x30 is free for the generated code: the harness reloads it)."""
    k = r.i(0, 3)
    if k == 0:
        return 'bl 3f\nb 4f\n3:\n%s\nret\n4:' % alu_body(r)
    t = r.num()
    if k == 1:
        return 'adr x%d, 3f\nblr x%d\nb 4f\n3:\n%s\nret\n4:' % (t, t, alu_body(r))
    if k == 2:
        return 'adr x%d, 3f\nbr x%d\n%s\n3:' % (t, t, alu_body(r))
    return 'adr x30, 3f\nret\n%s\n3:' % alu_body(r)


# ----------------------------------------------------------- code patching
# Self-modifying code as the kernel does it (alternatives, jump labels, ftrace):
# an instruction slot runs, is rewritten with STR + DC CVAU/DSB/IC IVAU/DSB/ISB,
# and must run as the new instruction at once, translated code or not.

def enc_random(r):
    """(encoding, text) of a random simple instruction with destination in x0..x27."""
    d, n, m = r.num(), r.num(), r.num()
    k = r.i(0, 4)
    if k == 0:
        imm = r.i(0, 4095)
        return 0x91000000 | imm << 10 | n << 5 | d, 'add x%d, x%d, #%d' % (d, n, imm)
    if k == 1:
        imm = r.i(0, 4095)
        return 0x51000000 | imm << 10 | n << 5 | d, 'sub w%d, w%d, #%d' % (d, n, imm)
    if k == 2:
        sh = r.i(0, 63)
        return 0xca000000 | m << 16 | sh << 10 | n << 5 | d, 'eor x%d, x%d, x%d, lsl #%d' % (d, n, m, sh)
    if k == 3:
        imm, hw = r.i(0, 0xffff), r.i(0, 3)
        return 0xd2800000 | hw << 21 | imm << 5 | d, 'movz x%d, #0x%x, lsl #%d' % (d, imm, 16 * hw)
    return 0xd503201f, 'nop'


@T('smc', 1)
def smc(r):
    a = r.num()
    b = r.c([n for n in range(28) if n != a])
    lines = ['adr x%d, 6f' % a]
    for _ in range(r.i(1, 3)):
        enc, text = enc_random(r)
        while re.search(r'\b[xw](%d|%d)\b' % (a, b), text):
            enc, text = enc_random(r)
        lines += ['mov w%d, #0x%x' % (b, enc & 0xffff), 'movk w%d, #0x%x, lsl #16  // %s' % (b, enc >> 16, text),
                  'str w%d, [x%d]' % (b, a), 'dc cvau, x%d' % a, 'dsb ish', 'ic ivau, x%d' % a, 'dsb ish', 'isb',
                  'bl 6f']
    lines += ['b 7f', '6:', 'nop', 'ret', '7:']
    return '\n'.join(lines)


# ---------------------------------------------------------- page table edits
# start.S's L3 table maps VA 0xc0000000 to the first page of the scratch buffer.
# A template rewrites entry 2 (VA 0xc0002000) — to the first or the second
# scratch page, or invalid — invalidates the TLB (several TLBI forms) and
# accesses the page: the new mapping must be used (or fault, precisely).

@T('mmu', 1)
def at(r):
    """Address translation instructions: PAR_EL1 (address, attributes, or the fault)."""
    v, p = r.distinct(2)
    k = r.i(0, 7)
    va = ['mov x%d, x28' % v, 'mov x%d, #0x40000000\nadd x%d, x28, x%d' % (v, v, v),
          'mov x%d, #0xffffff8000000000\nadd x%d, x28, x%d' % (v, v, v),
          'mov x%d, #0x%x\norr x%d, x28, x%d' % (v, r.i(1, 255) << 56, v, v),
          'mov x%d, #0xc0100000' % v, 'mov x%d, #0xc0000000\nadd x%d, x%d, #%d' % (v, v, v, r.i(0, 4095)),
          'mov x%d, #0x9000000' % v, 'mov x%d, #0xc0000000\nadd x%d, x%d, #2, lsl #12' % (v, v, v)][k]
    op = r.c(['s1e1r', 's1e1w', 's1e0r', 's1e0w'])
    return '%s\nat %s, x%d\nisb\nmrs x%d, par_el1' % (va, op, v, p)


@T('mmu', 1)
def mmu(r):
    l, p, t, v, d = r.distinct(5)
    lines = ['adrp x%d, l3_table' % l, 'add x%d, x%d, :lo12:l3_table' % (l, l)]
    # a first mapping, used once (fills the TLB), then the one under test: nothing depends on
    # the mapping left by an earlier sequence (bisection runs sequences alone)
    pages = [r.c([1, 2]), r.c([1, 2, 1, 2, 1, 0])] if r.i(0, 2) == 0 else [r.c([1, 2, 1, 2, 1, 0])]
    for n, page in enumerate(pages):
        if page:
            lines += ['adrp x%d, work_pages' % p, 'add x%d, x%d, :lo12:work_pages' % (p, p),
                      'add x%d, x%d, #%d' % (p, p, 4096 * page), 'mov x%d, #0x70f' % t,
                      'orr x%d, x%d, x%d' % (p, p, t), 'str x%d, [x%d, #16]' % (p, l)]
        else:
            lines += ['str xzr, [x%d, #16]' % l]
        tlbi = r.c(['vae1', 'vale1', 'vaae1', 'vaale1', 'vmalle1', 'vae1is', 'vmalle1is'])
        lines += ['dsb ishst', 'mov x%d, #0xc0000' % v, 'add x%d, x%d, #2' % (v, v)]
        lines += ['tlbi %s, x%d' % (tlbi, v) if 'vmalle1' not in tlbi else 'tlbi %s' % tlbi]
        lines += ['dsb ish', 'isb']
        off = 8 * r.i(0x1e0, 0x1ff) if page == 1 else 8 * r.i(0, 31)
        lines += ['mov x%d, #0xc0000000' % v, 'add x%d, x%d, #2, lsl #12' % (v, v),
                  'add x%d, x%d, #%d' % (v, v, off)]
        if n + 1 < len(pages) or r.i(0, 1):
            lines += ['ldr x%d, [x%d]' % (d, v)]
        else:
            lines += ['str x%d, [x%d]' % (d, v)]
    return '\n'.join(lines)


# ------------------------------------------------------------------------ sp
# SP as an operand (the kernel's stack): lowered by a multiple of 16 (SCTLR.SA),
# used, restored from a saved copy, all inside one template.

@T('sp', 3)
def sp_ops(r):
    s, a, b, c = r.distinct(4)
    n = 16 * r.i(1, 4)
    # the area is filled first: stack memory below sp holds what the harness and the interrupt
    # handler left there, which differs between emulators
    ops = ['stp x%d, x%d, [sp, #%d]' % (r.num(), r.num(), 16 * i) for i in range(n // 16)]
    for _ in range(r.i(1, 4)):
        k = r.i(0, 6)
        if k == 0:
            ops.append('stp x%d, x%d, [sp, #%d]' % (a, b, 8 * r.i(0, n // 8 - 2)))
        elif k == 1:
            ops.append('ldp x%d, x%d, [sp, #%d]' % (a, b, 8 * r.i(0, n // 8 - 2)))
        elif k == 2:
            ops.append('%s x%d, [sp, #%d]' % (r.c(['ldr', 'str']), c, 8 * r.i(0, n // 8 - 1)))
        elif k == 3:
            ops.append('add x%d, sp, #%d' % (c, r.i(0, 4095)))
        elif k == 4:
            ops.append('%s x%d, sp, w%d, %s #%d' % (r.c(['add', 'sub', 'adds', 'subs']), c, a,
                                                   r.c(['uxtb', 'uxth', 'uxtw', 'sxtw', 'sxtb']), r.i(0, 4)))
        elif k == 5:
            ops.append('%s sp, #%d' % (r.c(['cmp', 'cmn']), r.i(0, 4095)))
        else:
            ops.append('stp x%d, x%d, [sp, #-16]!\nldp x%d, x%d, [sp], #16' % (a, b, b, a))
    lower = r.c(['sub sp, sp, #%d' % n, 'mov x%d, #%d\nsub sp, sp, x%d' % (c, n, c)])
    return 'mov x%d, sp\n%s\n%s\nmov sp, x%d' % (s, lower, '\n'.join(ops), s)


# --------------------------------------------------------- system registers

SYSREGS = ['tpidr_el0', 'tpidr_el1', 'tpidrro_el0', 'sp_el0', 'contextidr_el1', 'par_el1', 'amair_el1',
           'cntkctl_el1']


@T('sys', 1)
def hvc(r):
    """HVC is virt's PSCI/SMCCC conduit: function IDs that are not PSCI must return
    NOT_SUPPORTED.  (Real PSCI IDs 0x84000000-1f / 0xc4000000-1f are never drawn: CPU_ON,
    SYSTEM_OFF...)"""
    fid = r.c([r.g.getrandbits(32), 0x84000000 + r.i(0x20, 0xffff), 0xc4000000 + r.i(0x20, 0xffff),
               0x80000000 + r.i(0, 0xffff), r.g.getrandbits(64)])
    return 'mov x0, #0x%x\nmovk x0, #0x%x, lsl #16\nmovk x0, #0x%x, lsl #32\nmovk x0, #0x%x, lsl #48\nhvc #%d' % (
        fid & 0xffff, (fid >> 16) & 0xffff, (fid >> 32) & 0xffff, fid >> 48, r.c([0, 0, r.i(1, 0xffff)]))


@T('sys', 2)
def sysreg(r):
    k = r.i(0, 2)
    if k <= 1:      # write then read back (a lone read would see an earlier sequence's value)
        reg = r.c(SYSREGS)
        return 'msr %s, %s\n%s\nmrs %s, %s' % (reg, r.r('x', True), alu_body(r), r.r('x'), reg)
    if k == 2:
        # (FPCR.FZ16, bit 19, left 0: QEMU's -cpu max has FEAT_FP16, coremu's does not)
        reg = r.c(['fpcr', 'fpsr'])
        t = r.num()
        return 'and x%d, x%d, #0xfffffffffff7ffff\nmsr %s, x%d\nmrs %s, %s' % (t, t, reg, t, r.r('x'), reg)
    return 'mrs %s, %s' % (r.r('x'), r.c(['currentel', 'spsel', 'daif', 'fpcr', 'fpsr', 'nzcv']))


@T('branch', 1)
def misc(r):
    """PC-relative data, hints and barriers."""
    k = r.i(0, 4)
    if k == 0:
        kind = r.c(['x', 'w', 'sw', 'q', 'd', 's'])
        val = r.g.getrandbits(128)
        reg = {'x': 'x%d' % r.num(), 'w': 'w%d' % r.num(), 'sw': 'x%d' % r.num(), 'q': 'q%d' % r.v(),
               'd': 'd%d' % r.v(), 's': 's%d' % r.v()}[kind]
        return '%s %s, 5f\nb 6f\n.balign 16\n5:\n.quad 0x%x, 0x%x\n6:' % (
            'ldrsw' if kind == 'sw' else 'ldr', reg, val & (2 ** 64 - 1), val >> 64)
    if k == 1:
        return 'adrp %s, seq_end' % r.r('x')
    if k == 2:
        return r.c(['yield', 'nop', 'sevl\nwfe', 'dmb ish', 'dmb oshld', 'dsb sy', 'dsb ishst', 'isb', 'clrex',
                    'csdb', 'hint #0x22', 'sev'])
    if k == 3:
        b = r.num()
        return 'add x%d, x28, #%d\ndc %s, x%d' % (b, r.i(0, 511), r.c(['civac', 'cvac', 'cvau']), b)
    return 'ic iallu\ndsb ish\nisb'


# ---------------------------------------------------------------- loads/stores

BUF = 512
GPR_LS = [  # mnemonic, unscaled mnemonic, register kind, size
    ('ldrb', 'ldurb', 'w', 1), ('ldrsb', 'ldursb', 'w', 1), ('ldrsb', 'ldursb', 'x', 1),
    ('ldrh', 'ldurh', 'w', 2), ('ldrsh', 'ldursh', 'w', 2), ('ldrsh', 'ldursh', 'x', 2),
    ('ldr', 'ldur', 'w', 4), ('ldrsw', 'ldursw', 'x', 4), ('ldr', 'ldur', 'x', 8),
    ('strb', 'sturb', 'w', 1), ('strh', 'sturh', 'w', 2), ('str', 'stur', 'w', 4), ('str', 'stur', 'x', 8),
]
FP_LS = [('ldr', 'ldur', p, s) for p, s in (('b', 1), ('h', 2), ('s', 4), ('d', 8), ('q', 16))] + \
        [('str', 'stur', p, s) for p, s in (('b', 1), ('h', 2), ('s', 4), ('d', 8), ('q', 16))]
LOG2 = {1: 0, 2: 1, 4: 2, 8: 3, 16: 4}


def ls_reg(r, kind, avoid=()):
    if kind in 'wx':
        return r.r(kind, n=r.distinct(1, avoid)[0])
    return '%s%d' % (kind, r.v())


def offs(r, size, lo=0, hi=None):
    """An offset in [lo, hi] (hi: last valid start), aligned unless unaligned allowed."""
    if hi is None:
        hi = BUF - size
    if r.aligned or r.i(0, 1):
        return size * r.i((lo + size - 1) // size, hi // size)
    return r.i(lo, hi)


@T('ldst', 4)
def ls_single(r):
    op, uop, kind, size = r.c(GPR_LS + FP_LS if r.i(0, 3) == 0 else GPR_LS)
    k = r.i(0, 5)
    if k == 0:      # scaled unsigned offset
        return '%s %s, [x28, #%d]' % (op, ls_reg(r, kind), size * r.i(0, BUF // size - 1))
    if k == 1:      # unscaled, positive from x28 or negative from x28+256
        if r.i(0, 1):
            return '%s %s, [x28, #%d]' % (uop, ls_reg(r, kind), offs(r, size, 0, 255))
        b = r.num()
        return 'add x%d, x28, #256\n%s %s, [x%d, #%d]' % (b, uop, ls_reg(r, kind, (b,)), b, -offs(r, size, 1, 256))
    if k == 2:      # pre/post index write-back
        b = r.num()
        t = ls_reg(r, kind, (b,))
        pre = r.i(0, 1)
        imm = offs(r, size, 0, BUF - size) - 256
        if pre:
            return 'add x%d, x28, #256\n%s %s, [x%d, #%d]!' % (b, op, t, b, imm)
        return 'add x%d, x28, #%d\n%s %s, [x%d], #%d' % (b, 256 + imm, op, t, b, r.i(-256, 255))
    # register offset
    ix = r.num()
    sh = r.c([0, LOG2[size]]) if size > 1 else 0
    shtxt = r.c(['', ', lsl #0']) if sh == 0 else ', lsl #%d' % sh
    idx = offs(r, size) >> sh if sh else offs(r, size)
    ext = r.i(0, 3)
    if ext == 0:
        return 'mov x%d, #%d\n%s %s, [x28, x%d%s]' % (ix, idx, op, ls_reg(r, kind), ix, shtxt)
    if ext == 1:
        return 'mov x%d, #%d\nmovk x%d, #0x%x, lsl #%d\n%s %s, [x28, w%d, uxtw #%d]' % (
            ix, idx, ix, r.i(0, 0xffff), r.c([32, 48]), op, ls_reg(r, kind), ix, sh)
    b = r.c([n for n in range(28) if n != ix])
    neg = (offs(r, size, 0, 256) >> sh) - (256 >> sh)
    if ext == 2:
        return 'add x%d, x28, #256\nmov w%d, #%d\nmovk x%d, #0x%x, lsl #%d\n%s %s, [x%d, w%d, sxtw #%d]' % (
            b, ix, neg, ix, r.i(0, 0xffff), r.c([32, 48]), op, ls_reg(r, kind), b, ix, sh)
    return 'add x%d, x28, #256\nmov x%d, #%d\n%s %s, [x%d, x%d, sxtx #%d]' % (
        b, ix, neg, op, ls_reg(r, kind), b, ix, sh)


@T('ldst', 1)
def ls_unpriv(r):
    """LDTR/STTR: EL0 permissions; start.S lets EL0 use only the VA+1GiB alias."""
    op = r.c(['ldtrb', 'ldtrsb', 'ldtrh', 'ldtrsh', 'ldtr', 'ldtrsw', 'sttrb', 'sttrh', 'sttr'])
    kind = 'x' if op == 'ldtrsw' or (op in ('ldtr', 'sttr', 'ldtrsb', 'ldtrsh') and r.i(0, 1)) else 'w'
    b = r.num()
    t = r.r(kind, n=r.distinct(1, (b,))[0])
    return 'mov x%d, #0x40000000\nadd x%d, x28, x%d\n%s %s, [x%d, #%d]' % (b, b, b, op, t, b, r.i(0, 255))


@T('ldst', 2)
def ls_pair(r):
    kind, size, ops = r.c([('w', 4, ['ldp', 'stp', 'ldnp', 'stnp']), ('x', 8, ['ldp', 'stp', 'ldnp', 'stnp']),
                           ('x', 4, ['ldpsw']), ('s', 4, ['ldp', 'stp', 'ldnp', 'stnp']),
                           ('d', 8, ['ldp', 'stp', 'ldnp', 'stnp']), ('q', 16, ['ldp', 'stp', 'ldnp', 'stnp'])])
    op = r.c(ops)
    k = r.i(0, 2) if 'n' not in op else 0
    b = r.num()
    if kind in 'wx':
        t1, t2 = r.distinct(2, (b,))
        t1, t2 = r.r(kind, n=t1), r.r(kind, n=t2)
    else:
        t1, t2 = r.g.sample(range(32), 2)
        t1, t2 = '%s%d' % (kind, t1), '%s%d' % (kind, t2)
    hi = min(BUF - 2 * size, 63 * size)
    if k == 0:
        return '%s %s, %s, [x28, #%d]' % (op, t1, t2, size * r.i(0, hi // size))
    lo_i = max(-64, -(256 // size))
    hi_i = min(63, (BUF - 256 - 2 * size) // size)
    imm = size * r.i(lo_i, hi_i)
    if k == 1:
        return 'add x%d, x28, #256\n%s %s, %s, [x%d, #%d]!' % (b, op, t1, t2, b, imm)
    return 'add x%d, x28, #%d\n%s %s, %s, [x%d], #%d' % (b, 256 + imm, op, t1, t2, b, size * r.i(-64, 63))


@T('ldst', 2)
def ls_excl(r):
    b, s, t, t2 = r.distinct(4)
    k = r.i(0, 3)
    if k == 3:      # exclusive pair
        kind = r.c('wx')
        size = 8 if kind == 'w' else 16
        return 'add x%d, x28, #%d\n%s %s, %s, [x%d]\n%s w%d, %s, %s, [x%d]' % (
            b, size * r.i(0, BUF // size - 1), r.c(['ldxp', 'ldaxp']), r.r(kind, n=t), r.r(kind, n=t2), b,
            r.c(['stxp', 'stlxp']), s, r.r(kind, n=t2), r.r(kind, n=t), b)
    sfx, kind, size = r.c([('b', 'w', 1), ('h', 'w', 2), ('', 'w', 4), ('', 'x', 8)])
    a = r.c(['', 'a'])
    l = r.c(['', 'l'])
    if k == 2:      # acquire / release
        return 'add x%d, x28, #%d\n%s %s, [x%d]' % (b, size * r.i(0, BUF // size - 1),
                                                   r.c(['ldar', 'stlr']) + sfx, r.r(kind, n=t), b)
    return 'add x%d, x28, #%d\nld%sxr%s %s, [x%d]\nst%sxr%s w%d, %s, [x%d]' % (
        b, size * r.i(0, BUF // size - 1), a, sfx, r.r(kind, n=t), b, l, sfx, s, r.r(kind, n=t2), b)


@T('lse', 3)
def lse(r):
    """ARMv8.1 atomics (aligned: no FEAT_LSE2 in the oracle)."""
    sfx, kind, size = r.c([('b', 'w', 1), ('h', 'w', 2), ('', 'w', 4), ('', 'x', 8)])
    order = r.c(['', 'a', 'l', 'al'])
    b = r.num()
    s, t = r.distinct(2, (b,))
    setup = 'add x%d, x28, #%d\n' % (b, size * r.i(0, BUF // size - 1))
    k = r.i(0, 3)
    if k <= 1:
        op = r.c(['ldadd', 'ldclr', 'ldeor', 'ldset', 'ldsmax', 'ldsmin', 'ldumax', 'ldumin', 'swp'])
        tt = r.r(kind, True, t) if op != 'swp' else r.r(kind, n=t)
        return setup + '%s%s%s %s, %s, [x%d]' % (op, order, sfx, r.r(kind, True, s), tt, b)
    if k == 2:
        pre = 'ldr%s %s, [x%d]\n' % (sfx, r.r(kind, n=s), b) if r.i(0, 1) else ''
        return setup + pre + 'cas%s%s %s, %s, [x%d]' % (order, sfx, r.r(kind, n=s), r.r(kind, True, t), b)
    kind = r.c('wx')
    psize = 8 if kind == 'w' else 16
    s, t = r.c(range(0, 28, 2)), r.c(range(0, 28, 2))
    b = r.c([n for n in range(28) if n not in (s, s + 1, t, t + 1)])
    setup = 'add x%d, x28, #%d\n' % (b, psize * r.i(0, BUF // psize - 1))
    pre = 'ldp %s%d, %s%d, [x%d]\n' % (kind, s, kind, s + 1, b) if r.i(0, 1) else ''
    return setup + pre + 'casp%s %s%d, %s%d, %s%d, %s%d, [x%d]' % (order, kind, s, kind, s + 1, kind, t, kind, t + 1, b)


@T('ldst', 1)
def ls_base_dest(r):
    """Loads whose destination is also the base register (no write-back: allowed): the address
    must be taken before the register is overwritten, also for the second half of a pair."""
    b, c = r.distinct(2)
    setup = 'add x%d, x28, #%d\n' % (b, 8 * r.i(0, 32))
    k = r.i(0, 3)
    if k == 0:
        pair = ('x%d, x%d' % (b, c)) if r.i(0, 1) else ('x%d, x%d' % (c, b))
        return setup + 'ldp %s, [x%d, #%d]' % (pair, b, 8 * r.i(0, 30))
    if k == 1:
        pair = ('w%d, w%d' % (b, c)) if r.i(0, 1) else ('w%d, w%d' % (c, b))
        if r.i(0, 1):
            return setup + 'ldp %s, [x%d, #%d]' % (pair, b, 4 * r.i(0, 60))
        return setup + 'ldpsw %s, [x%d, #%d]' % (pair.replace('w', 'x'), b, 4 * r.i(0, 60))
    if k == 2:
        op, uop, kind, size = r.c([x for x in GPR_LS if x[0].startswith('ld')])
        return setup + '%s %s%d, [x%d, #%d]' % (op, kind, b, b, size * r.i(0, 200 // size))
    return setup + 'mov x%d, #%d\nldr x%d, [x%d, x%d]' % (c, r.i(0, 200), b, b, c)


def vlist(r, n, arr):
    v = r.v()
    return '{%s}' % ', '.join('v%d.%s' % ((v + i) % 32, arr) for i in range(n))


@T('ldst', 2)
def ls_struct(r):
    b = r.num()
    k = r.i(0, 2)
    if k == 0:      # multiple structures
        arr = r.c(['8b', '16b', '4h', '8h', '2s', '4s', '1d', '2d'])
        nb = 8 if arr in ('8b', '4h', '2s', '1d') else 16
        op = r.c(['ld1', 'st1', 'ld2', 'st2', 'ld3', 'st3', 'ld4', 'st4'])
        n = int(op[2]) if op[2] != '1' else r.i(1, 4)
        if arr == '1d' and op[2] != '1':
            arr = '2d'
            nb = 16
        total = n * nb
        off = offs(r, 8, 0, BUF - total)
        post = r.i(0, 2)
        suffix = '' if post == 0 else (', #%d' % total if post == 1 else ', x%d' % r.num())
        if post == 2:
            # register post-increment: value must keep the base inside the buffer only for later uses,
            # which always re-derive the base, so any value is fine
            pass
        return 'add x%d, x28, #%d\n%s %s, [x%d]%s' % (b, off, op, vlist(r, n, arr), b, suffix)
    if k == 1:      # single lane
        es = r.c(['b', 'h', 's', 'd'])
        size = {'b': 1, 'h': 2, 's': 4, 'd': 8}[es]
        op = r.c(['ld1', 'st1', 'ld2', 'st2', 'ld3', 'st3', 'ld4', 'st4'])
        n = int(op[2])
        v = r.v()
        lst = '{%s}' % ', '.join('v%d.%s' % ((v + i) % 32, es) for i in range(n))
        return 'add x%d, x28, #%d\n%s %s[%d], [x%d]' % (b, offs(r, size, 0, BUF - n * size), op, lst,
                                                      r.i(0, 16 // size - 1), b)
    arr = r.c(['8b', '16b', '4h', '8h', '2s', '4s', '1d', '2d'])
    op = r.c(['ld1r', 'ld2r', 'ld3r', 'ld4r'])
    n = int(op[2])
    return 'add x%d, x28, #%d\n%s %s, [x%d]' % (b, offs(r, 8, 0, BUF - 8 * n), op, vlist(r, n, arr), b)


@T('ldst', 1)
def ls_misc(r):
    b = r.num()
    if not r.aligned and r.i(0, 1):
        return 'add x%d, x28, #%d\ndc zva, x%d' % (b, r.i(0, BUF - 1), b)
    return 'prfm %s, [x28, #%d]' % (r.c(['pldl1keep', 'pstl2strm', 'pldl3keep']), 8 * r.i(0, 63))


# ----------------------------------------------------------------- exceptions
# Mid-sequence exceptions: the harness saves the registers as they were at the
# exception, so these check precise state (everything before the faulting
# instruction done, nothing of it or after it) and the syndrome.

UNMAPPED = [0xc0100000, 0xc0110000, 0xfffff0000000, 0x7f00000000]


@T('exc', 1)
def exc(r):
    # (no misaligned-SP case: QEMU 7.2 does not check SCTLR_EL1.SA, so it cannot be the oracle)
    k = r.i(0, 6 if r.smp == 1 else 5)     # (case 6 uses CPU 0's pages)
    if k == 6:      # straddles the mapped VA 0xc0000f00.. (scratch[0..255]) and the unmapped next page
        b, t, t2 = r.distinct(3)
        j = r.i(0, 3)
        if j == 0:
            op, uop, kind, size = r.c([x for x in GPR_LS + FP_LS if x[3] > 1])
            a = '%s %s, [x%d, #%d]' % (uop, ls_reg(r, kind, (b,)), b, r.i(257 - size, 255))
        elif j == 1:
            kind, size = r.c([('w', 4), ('x', 8), ('q', 16)])
            regs = ('%s%d' % (kind, t), '%s%d' % (kind, t2)) if kind != 'q' else ('q%d' % t, 'q%d' % (t2 + 1))
            # (only stores: the first register of a faulting LDP may be written or not, both are allowed)
            a = '%s %s, %s, [x%d, #%d]' % ('stp', regs[0], regs[1], b,
                                           size * r.i((256 - 2 * size) // size + 1, 256 // size - 1))
        elif j == 2:
            a = '%s %s, [x%d]' % (r.c(['ld1', 'st1']), vlist(r, r.i(1, 4), '16b'), b)
            return 'mov x%d, #0xc0000000\nadd x%d, x%d, #%d\n%s' % (b, b, b, 3840 + 256 - 16 * r.i(1, 3), a)
        else:
            a = 'stp x%d, x%d, [x%d, #%d]!' % (t, t2, b, 8 * r.i(30, 31))
        return 'mov x%d, #0xc0000000\nadd x%d, x%d, #3840\n%s' % (b, b, b, a)
    if k == 0:
        return 'udf #%d' % r.i(0, 0xffff)
    if k == 1:
        return '%s #%d' % (r.c(['brk', 'svc', 'svc', 'brk', 'hlt', 'dcps1', 'smc']), r.i(0, 0xffff))
    b, t, t2 = r.distinct(3)
    if k == 2:      # exclusive/acquire at an unaligned address: alignment fault
        op = r.c(['ldxr w%d, [x%d]' % (t, b), 'ldaxr x%d, [x%d]' % (t, b), 'stlr w%d, [x%d]' % (t, b),
                  'ldxrh w%d, [x%d]' % (t, b), 'ldar x%d, [x%d]' % (t, b)])
        return 'add x%d, x28, #%d\n%s' % (b, r.c([1, 2, 3, 5, 6, 7, 9, 13, 15]), op)
    # translation fault (read or write, all forms; write-back must not happen)
    base = r.c(UNMAPPED)
    off = r.c([0, 8 * r.i(0, 16)])
    op, uop, kind, size = r.c(GPR_LS)
    tt = r.r(kind, n=t)
    j = r.i(0, 4)
    if j == 0:
        a = '%s %s, [x%d, #%d]' % (op, tt, b, size * r.i(0, 8))
    elif j == 1:
        a = '%s %s, [x%d, #%d]!' % (op, tt, b, r.i(-64, 64))
    elif j == 2:
        a = '%s %s, [x%d], #%d' % (op, tt, b, r.i(-64, 64))
    elif j == 3:
        a = '%s %s, %s, [x%d, #%d]%s' % (r.c(['ldp', 'stp']), r.r('x', n=t), r.r('x', n=t2), b, 8 * r.i(-4, 4),
                                         r.c(['', '!']))
    else:
        a = '%s {v%d.16b, v%d.16b}, [x%d], #32' % (r.c(['ld1', 'st1']), r.v() % 31, 0, b)
        a = re.sub(r'v(\d+)\.16b, v0', lambda m: 'v%s.16b, v%d' % (m.group(1), int(m.group(1)) + 1), a)
    return 'mov x%d, #0x%x\n%s%s' % (b, base, 'add x%d, x%d, #%d\n' % (b, b, off) if off else '', a)


def irq_wfi(r):
    """With timer interrupts on (--irq): WFI waits for one; an exclusive pair around it must
    fail (the handler's ERET clears the local monitor)."""
    if r.i(0, 1):
        return 'wfi'
    b, s, t, t2 = r.distinct(4)
    return 'add x%d, x28, #%d\nldxr x%d, [x%d]\nwfi\nstxr w%d, x%d, [x%d]' % (b, 8 * r.i(0, 63), t, b, s, t2, b)


# -------------------------------------------------------------- scalar FP

FPIMMS = []
for _s in (1, -1):
    for _e in range(-3, 5):
        for _m in range(16):
            FPIMMS.append(repr(_s * (16 + _m) / 16 * 2.0 ** _e))


def fr(r, p):
    return '%s%d' % (p, r.v())


@T('fp', 4)
def fp_arith(r):
    p = r.c('sd')
    k = r.i(0, 3)
    if k <= 1:
        return '%s %s, %s, %s' % (r.c(['fadd', 'fsub', 'fmul', 'fdiv', 'fmax', 'fmin', 'fmaxnm', 'fminnm',
                                       'fnmul']),
                                  fr(r, p), fr(r, p), fr(r, p))
    if k == 2:
        return '%s %s, %s, %s, %s' % (r.c(['fmadd', 'fmsub', 'fnmadd', 'fnmsub']), fr(r, p), fr(r, p), fr(r, p),
                                      fr(r, p))
    return '%s %s, %s' % (r.c(['fabs', 'fneg', 'fsqrt', 'frintn', 'frinta', 'frintm', 'frintp', 'frintz',
                               'frinti', 'frintx', 'fmov']), fr(r, p), fr(r, p))


@T('simd', 1)
def simd_scalar_fp(r):
    p = r.c('sd')
    if r.i(0, 1):
        return '%s %s, %s, %s' % (r.c(['fabd', 'fmulx', 'frecps', 'frsqrts', 'fcmeq', 'fcmge', 'fcmgt', 'facge',
                                       'facgt']), fr(r, p), fr(r, p), fr(r, p))
    return '%s %s, %s' % (r.c(['frecpe', 'frsqrte', 'frecpx', 'fcvtzs', 'fcvtzu', 'fcvtns', 'fcvtnu', 'scvtf',
                               'ucvtf']), fr(r, p), fr(r, p))


@T('fp', 2)
def fp_cmp(r):
    p = r.c('sd')
    k = r.i(0, 3)
    if k == 0:
        return '%s %s, %s' % (r.c(['fcmp', 'fcmpe']), fr(r, p), fr(r, p))
    if k == 1:
        return '%s %s, #0.0' % (r.c(['fcmp', 'fcmpe']), fr(r, p))
    if k == 2:
        return '%s %s, %s, #%d, %s' % (r.c(['fccmp', 'fccmpe']), fr(r, p), fr(r, p), r.i(0, 15), r.c(COND_ALL))
    return 'fcsel %s, %s, %s, %s' % (fr(r, p), fr(r, p), fr(r, p), r.c(COND_ALL))


@T('fp', 3)
def fp_cvt(r):
    k = r.i(0, 4)
    if k == 0:
        a, b = r.c([('d', 's'), ('s', 'd'), ('h', 's'), ('s', 'h'), ('h', 'd'), ('d', 'h')])
        return 'fcvt %s, %s' % (fr(r, a), fr(r, b))
    p = r.c('sd')
    sf = r.c(SF)
    if k == 1:
        return '%s %s, %s' % (r.c(['scvtf', 'ucvtf']), fr(r, p), r.r(sf, True))
    if k == 2:
        return '%s %s, %s, #%d' % (r.c(['scvtf', 'ucvtf']), fr(r, p), r.r(sf, True), r.i(1, bits(sf)))
    if k == 3:
        return '%s %s, %s' % (r.c(['fcvtzs', 'fcvtzu', 'fcvtns', 'fcvtnu', 'fcvtas', 'fcvtau', 'fcvtms',
                                   'fcvtmu', 'fcvtps', 'fcvtpu']), r.r(sf), fr(r, p))
    return '%s %s, %s, #%d' % (r.c(['fcvtzs', 'fcvtzu']), r.r(sf), fr(r, p), r.i(1, bits(sf)))


@T('fp', 2)
def fp_mov(r):
    k = r.i(0, 6)
    if k == 0:
        return 'fmov %s, #%s' % (fr(r, r.c('sd')), r.c(FPIMMS))
    if k == 1:
        return 'fmov %s, %s' % (r.r('w'), fr(r, 's'))
    if k == 2:
        return 'fmov %s, %s' % (fr(r, 's'), r.r('w', True))
    if k == 3:
        return 'fmov %s, %s' % (r.r('x'), fr(r, 'd'))
    if k == 4:
        return 'fmov %s, %s' % (fr(r, 'd'), r.r('x', True))
    if k == 5:
        return 'fmov %s, v%d.d[1]' % (r.r('x'), r.v())
    return 'fmov v%d.d[1], %s' % (r.v(), r.r('x', True))


# -------------------------------------------------------------- AdvSIMD

A_ALL = ['8b', '16b', '4h', '8h', '2s', '4s', '2d']
A_NO2D = ['8b', '16b', '4h', '8h', '2s', '4s']
A_B = ['8b', '16b']
A_F = ['2s', '4s', '2d']
ESIZE = {'b': 8, 'h': 16, 's': 32, 'd': 64}


def vv(r, arr):
    return 'v%d.%s' % (r.v(), arr)


def esz(arr):
    return ESIZE[arr[-1]]


@T('simd', 2)
def simd_logic(r):
    a = r.c(A_B)
    if r.i(0, 5) == 0:
        return '%s %s, %s' % (r.c(['not', 'mvn']), vv(r, a), vv(r, a))
    return '%s %s, %s, %s' % (r.c(['and', 'orr', 'eor', 'bic', 'orn', 'bsl', 'bit', 'bif']), vv(r, a), vv(r, a),
                              vv(r, a))


@T('simd', 6)
def simd_int3(r):
    op = r.c(['add', 'sub', 'cmeq', 'cmgt', 'cmge', 'cmhi', 'cmhs', 'cmtst', 'addp', 'uqadd', 'sqadd', 'uqsub',
              'sqsub', 'sshl', 'ushl', 'srshl', 'urshl', 'sqshl', 'uqshl', 'sqrshl', 'uqrshl',
              'mul', 'mla', 'mls', 'smax', 'smin', 'umax', 'umin', 'sabd', 'uabd', 'saba', 'uaba', 'smaxp',
              'sminp', 'umaxp', 'uminp', 'shadd', 'uhadd', 'srhadd', 'urhadd', 'shsub', 'uhsub',
              'sqdmulh', 'sqrdmulh', 'pmul'])
    if op == 'pmul':
        a = r.c(A_B)
    elif op.startswith('sq') and 'mulh' in op:
        a = r.c(['4h', '8h', '2s', '4s'])
    elif op in ('add', 'sub', 'cmeq', 'cmgt', 'cmge', 'cmhi', 'cmhs', 'cmtst', 'addp', 'uqadd', 'sqadd', 'uqsub',
                'sqsub', 'sshl', 'ushl', 'srshl', 'urshl', 'sqshl', 'uqshl', 'sqrshl', 'uqrshl'):
        a = r.c(A_ALL)
    else:
        a = r.c(A_NO2D)
    return '%s %s, %s, %s' % (op, vv(r, a), vv(r, a), vv(r, a))


@T('simd', 3)
def simd_int2(r):
    k = r.i(0, 5)
    if k == 0:
        a = r.c(A_ALL)
        return '%s %s, %s' % (r.c(['abs', 'neg', 'sqabs', 'sqneg', 'suqadd', 'usqadd']), vv(r, a), vv(r, a))
    if k == 1:
        a = r.c(A_NO2D)
        return '%s %s, %s' % (r.c(['cls', 'clz', 'rev64']), vv(r, a), vv(r, a))
    if k == 2:
        a = r.c(A_B)
        op = r.c(['cnt', 'rbit', 'rev16', 'rev32'])
        if op == 'rev32' and r.i(0, 1):
            a = r.c(['4h', '8h'])
        return '%s %s, %s' % (op, vv(r, a), vv(r, a))
    if k == 3:
        a = r.c(A_ALL)
        return '%s %s, %s, #0' % (r.c(['cmeq', 'cmge', 'cmgt', 'cmle', 'cmlt']), vv(r, a), vv(r, a))
    if k == 4:
        d, s = r.c([('4h', '8b'), ('8h', '16b'), ('2s', '4h'), ('4s', '8h'), ('1d', '2s'), ('2d', '4s')])
        return '%s %s, %s' % (r.c(['saddlp', 'uaddlp', 'sadalp', 'uadalp']), vv(r, d), vv(r, s))
    d, s = r.c([('8b', '8h'), ('4h', '4s'), ('2s', '2d'), ('16b', '8h'), ('8h', '4s'), ('4s', '2d')])
    op = r.c(['xtn', 'sqxtn', 'uqxtn', 'sqxtun'])
    if d in ('16b', '8h', '4s'):
        op += '2'
    return '%s %s, %s' % (op, vv(r, d), vv(r, s))


@T('simd', 2)
def simd_across(r):
    k = r.i(0, 1)
    a = r.c(['8b', '16b', '4h', '8h', '4s'])
    e = a[-1]
    if k == 0:
        return '%s %s%d, %s' % (r.c(['addv', 'smaxv', 'sminv', 'umaxv', 'uminv']), e, r.v(), vv(r, a))
    w = {'b': 'h', 'h': 's', 's': 'd'}[e]
    return '%s %s%d, %s' % (r.c(['saddlv', 'uaddlv']), w, r.v(), vv(r, a))


@T('simd', 4)
def simd_shift(r):
    k = r.i(0, 3)
    if k <= 1:
        a = r.c(A_ALL)
        n = esz(a)
        op = r.c(['shl', 'sli', 'sqshl', 'uqshl', 'sqshlu', 'sshr', 'ushr', 'ssra', 'usra', 'srshr', 'urshr',
                  'srsra', 'ursra', 'sri'])
        sh = r.i(0, n - 1) if op in ('shl', 'sli', 'sqshl', 'uqshl', 'sqshlu') else r.i(1, n)
        return '%s %s, %s, #%d' % (op, vv(r, a), vv(r, a), sh)
    if k == 2:
        d, s = r.c([('8b', '8h'), ('4h', '4s'), ('2s', '2d'), ('16b', '8h'), ('8h', '4s'), ('4s', '2d')])
        op = r.c(['shrn', 'rshrn', 'sqshrn', 'uqshrn', 'sqrshrn', 'uqrshrn', 'sqshrun', 'sqrshrun'])
        if d in ('16b', '8h', '4s'):
            op += '2'
        return '%s %s, %s, #%d' % (op, vv(r, d), vv(r, s), r.i(1, esz(d)))
    d, s = r.c([('8h', '8b'), ('4s', '4h'), ('2d', '2s'), ('8h', '16b'), ('4s', '8h'), ('2d', '4s')])
    op = r.c(['sshll', 'ushll', 'sxtl', 'uxtl'])
    if s in ('16b', '8h', '4s'):
        op += '2'
    if 'xtl' in op:
        return '%s %s, %s' % (op, vv(r, d), vv(r, s))
    return '%s %s, %s, #%d' % (op, vv(r, d), vv(r, s), r.i(0, esz(s) - 1))


@T('simd', 3)
def simd_long(r):
    k = r.i(0, 2)
    two = r.i(0, 1)
    if k == 0:
        d, s = r.c([('8h', '8b'), ('4s', '4h'), ('2d', '2s')])
        if two:
            s = {'8b': '16b', '4h': '8h', '2s': '4s'}[s]
        op = r.c(['saddl', 'uaddl', 'ssubl', 'usubl', 'smull', 'umull', 'smlal', 'umlal', 'smlsl', 'umlsl',
                  'sabdl', 'uabdl', 'sabal', 'uabal'] + (['sqdmull', 'sqdmlal', 'sqdmlsl'] if d != '8h' else []))
        return '%s%s %s, %s, %s' % (op, '2' if two else '', vv(r, d), vv(r, s), vv(r, s))
    if k == 1:
        d, s = r.c([('8h', '8b'), ('4s', '4h'), ('2d', '2s')])
        if two:
            s = {'8b': '16b', '4h': '8h', '2s': '4s'}[s]
        return '%s%s %s, %s, %s' % (r.c(['saddw', 'uaddw', 'ssubw', 'usubw']), '2' if two else '', vv(r, d),
                                    vv(r, d), vv(r, s))
    d, s = r.c([('8b', '8h'), ('4h', '4s'), ('2s', '2d')])
    if two:
        d = {'8b': '16b', '4h': '8h', '2s': '4s'}[d]
    return '%s%s %s, %s, %s' % (r.c(['addhn', 'subhn', 'raddhn', 'rsubhn']), '2' if two else '', vv(r, d),
                                vv(r, s), vv(r, s))


@T('simd', 3)
def simd_perm(r):
    k = r.i(0, 2)
    if k == 0:
        a = r.c(A_ALL)
        return '%s %s, %s, %s' % (r.c(['zip1', 'zip2', 'uzp1', 'uzp2', 'trn1', 'trn2']), vv(r, a), vv(r, a),
                                  vv(r, a))
    if k == 1:
        a = r.c(A_B)
        return 'ext %s, %s, %s, #%d' % (vv(r, a), vv(r, a), vv(r, a), r.i(0, 7 if a == '8b' else 15))
    a = r.c(A_B)
    return '%s %s, %s, %s' % (r.c(['tbl', 'tbx']), vv(r, a), vlist(r, r.i(1, 4), '16b'), vv(r, a))


def lanes(arr):
    return 128 // esz(arr)


@T('simd', 4)
def simd_copy(r):
    k = r.i(0, 6)
    e = r.c('bhsd')
    n = 16 // (ESIZE[e] // 8)
    if k == 0:
        a = r.c([x for x in A_ALL if x[-1] == e] or ['2d'])
        return 'dup %s, v%d.%s[%d]' % (vv(r, a), r.v(), a[-1], r.i(0, 16 // (esz(a) // 8) - 1))
    if k == 1:
        a = r.c([x for x in A_ALL if x[-1] == e])
        return 'dup %s, %s' % (vv(r, a), r.r('x' if e == 'd' else 'w', True))
    if k == 2:
        return 'ins v%d.%s[%d], v%d.%s[%d]' % (r.v(), e, r.i(0, n - 1), r.v(), e, r.i(0, n - 1))
    if k == 3:
        return 'ins v%d.%s[%d], %s' % (r.v(), e, r.i(0, n - 1), r.r('x' if e == 'd' else 'w', True))
    if k == 4:
        if e == 'd':
            return 'umov %s, v%d.d[%d]' % (r.r('x'), r.v(), r.i(0, 1))
        if e == 's' or r.i(0, 1):
            if e == 's':
                return '%s v%d.s[%d]' % (r.c(['umov %s,' % r.r('w'), 'smov %s,' % r.r('x')]), r.v(), r.i(0, 3))
            return 'umov %s, v%d.%s[%d]' % (r.r('w'), r.v(), e, r.i(0, n - 1))
        return 'smov %s, v%d.%s[%d]' % (r.r(r.c(SF)), r.v(), e, r.i(0, n - 1))
    if k == 5:   # modified immediates
        j = r.i(0, 6)
        if j == 0:
            return 'movi %s, #0x%x' % (vv(r, r.c(A_B)), r.i(0, 255))
        if j == 1:
            return '%s %s, #0x%x, lsl #%d' % (r.c(['movi', 'mvni', 'orr', 'bic']), vv(r, r.c(['2s', '4s'])),
                                             r.i(0, 255), r.c([0, 8, 16, 24]))
        if j == 2:
            return '%s %s, #0x%x, lsl #%d' % (r.c(['movi', 'mvni', 'orr', 'bic']), vv(r, r.c(['4h', '8h'])),
                                             r.i(0, 255), r.c([0, 8]))
        if j == 3:
            return '%s %s, #0x%x, msl #%d' % (r.c(['movi', 'mvni']), vv(r, r.c(['2s', '4s'])), r.i(0, 255),
                                             r.c([8, 16]))
        if j == 4:
            v = 0
            for b in range(8):
                v |= r.c([0, 0xff]) << (8 * b)
            return 'movi %s, #0x%x' % (r.c([vv(r, '2d'), 'd%d' % r.v()]), v)
        return 'fmov %s, #%s' % (vv(r, r.c(A_F)), r.c(FPIMMS))
    # scalar SIMD integer
    j = r.i(0, 4)
    v = r.v
    if j == 0:
        return '%s d%d, d%d, d%d' % (r.c(['add', 'sub', 'cmeq', 'cmgt', 'cmhi', 'cmtst', 'sshl', 'ushl']), v(), v(), v())
    if j == 1:
        return '%s d%d, d%d, #%d' % (r.c(['shl', 'sli']), v(), v(), r.i(0, 63))
    if j == 2:
        return '%s d%d, d%d, #%d' % (r.c(['sshr', 'ushr', 'ssra', 'usra', 'srshr', 'urshr', 'sri']), v(), v(),
                                     r.i(1, 64))
    if j == 3:
        return '%s %s%d, %s%d, %s%d' % ((r.c(['sqadd', 'uqadd', 'sqsub', 'uqsub']),) + (e, v()) * 3)
    return 'addp d%d, v%d.2d' % (v(), v())


@T('simd', 4)
def simd_fp(r):
    k = r.i(0, 6)
    a = r.c(A_F)
    if k <= 1:
        op = r.c(['fadd', 'fsub', 'fmul', 'fdiv', 'fmax', 'fmin', 'fmaxnm', 'fminnm', 'fmla', 'fmls', 'fabd',
                  'fmulx', 'frecps', 'frsqrts', 'faddp', 'fmaxp', 'fminp', 'fmaxnmp', 'fminnmp', 'fcmeq', 'fcmge',
                  'fcmgt', 'facge', 'facgt'])
        return '%s %s, %s, %s' % (op, vv(r, a), vv(r, a), vv(r, a))
    if k == 2:
        op = r.c(['fabs', 'fneg', 'fsqrt', 'frintn', 'frinta', 'frintm', 'frintp', 'frintz', 'frinti', 'frintx',
                  'frecpe', 'frsqrte', 'fcvtzs', 'fcvtzu', 'fcvtns', 'fcvtnu', 'fcvtas', 'fcvtau', 'fcvtms',
                  'fcvtmu', 'fcvtps', 'fcvtpu', 'scvtf', 'ucvtf'])
        if op in ('frecpe', ) and r.i(0, 2) == 0:
            a = r.c(['2s', '4s'])
            op = 'urecpe'
        return '%s %s, %s' % (op, vv(r, a), vv(r, a))
    if k == 3:
        return '%s %s, %s, #%d' % (r.c(['fcvtzs', 'fcvtzu', 'scvtf', 'ucvtf']), vv(r, a), vv(r, a), r.i(1, esz(a)))
    if k == 4:
        j = r.i(0, 2)
        if j == 0:
            return r.c(['fcvtl v%d.4s, v%d.4h', 'fcvtl2 v%d.4s, v%d.8h', 'fcvtl v%d.2d, v%d.2s',
                        'fcvtl2 v%d.2d, v%d.4s', 'fcvtn v%d.4h, v%d.4s', 'fcvtn2 v%d.8h, v%d.4s',
                        'fcvtn v%d.2s, v%d.2d', 'fcvtn2 v%d.4s, v%d.2d', 'fcvtxn v%d.2s, v%d.2d',
                        'fcvtxn2 v%d.4s, v%d.2d']) % (r.v(), r.v())
        if j == 1:
            return '%s s%d, v%d.4s' % (r.c(['fmaxv', 'fminv', 'fmaxnmv', 'fminnmv']), r.v(), r.v())
        op = r.c(['faddp', 'fmaxp', 'fminp', 'fmaxnmp', 'fminnmp'])
        return r.c(['%s s%%d, v%%d.2s' % op, '%s d%%d, v%%d.2d' % op]) % (r.v(), r.v())
    if k == 5:   # by element
        e = a[-1]
        n = 4 if e == 's' else 2
        return '%s %s, %s, v%d.%s[%d]' % (r.c(['fmul', 'fmla', 'fmls', 'fmulx']), vv(r, a), vv(r, a), r.v(), e,
                                          r.i(0, n - 1))
    a = r.c(['4h', '8h', '2s', '4s'])
    e = a[-1]
    m = r.i(0, 15) if e == 'h' else r.v()
    return '%s %s, %s, v%d.%s[%d]' % (r.c(['mul', 'mla', 'mls', 'sqdmulh', 'sqrdmulh']), vv(r, a), vv(r, a), m, e,
                                      r.i(0, 7 if e == 'h' else 3))


@T('crypto', 1)
def crypto(r):
    v = r.v
    k = r.i(0, 4)
    if k == 0:
        return '%s v%d.16b, v%d.16b' % (r.c(['aese', 'aesd', 'aesmc', 'aesimc']), v(), v())
    if k == 1:
        return '%s q%d, s%d, v%d.4s' % (r.c(['sha1c', 'sha1p', 'sha1m']), v(), v(), v())
    if k == 2:
        return r.c(['sha1h s%d, s%d', 'sha1su1 v%d.4s, v%d.4s', 'sha256su0 v%d.4s, v%d.4s']) % (v(), v())
    if k == 3:
        return r.c(['sha1su0 v%d.4s, v%d.4s, v%d.4s', 'sha256h q%d, q%d, v%d.4s', 'sha256h2 q%d, q%d, v%d.4s',
                    'sha256su1 v%d.4s, v%d.4s, v%d.4s']) % (v(), v(), v())
    return r.c(['pmull v%d.1q, v%d.1d, v%d.1d', 'pmull2 v%d.1q, v%d.2d, v%d.2d', 'pmull v%d.8h, v%d.8b, v%d.8b',
                'pmull2 v%d.8h, v%d.16b, v%d.16b']) % (v(), v(), v())


# ------------------------------------------------------------------- inputs

XEDGE = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
         0x100000000, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0xffffffff00000000,
         0x0000000500000000, 0xffffffff80000000, 0x00000000ffffff80, 63, 64, 31, 32]

F64 = [0x0000000000000000, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000,
       0x7ff4000000000001, 0xfff8000000000123, 0x0000000000000001, 0x000fffffffffffff, 0x0010000000000000,
       0x7fefffffffffffff, 0x3ff0000000000000, 0xbff0000000000000, 0x3fe0000000000000, 0x43e0000000000000,
       0xc3e0000000000000, 0x41dfffffffc00000, 0x41f0000000000000, 0x3ff8000000000000, 0x4330000000000000]
F32 = [0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00001, 0xffc00123, 0x00000001,
       0x007fffff, 0x00800000, 0x7f7fffff, 0x3f800000, 0xbf800000, 0x3f000000, 0x4f000000, 0xcf000000,
       0x5f000000, 0x3fc00000, 0x4b000000, 0x4effffff]
F16 = [0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x7d01, 0x0001, 0x03ff, 0x0400, 0x7bff, 0x3c00, 0xbc00, 0x3800]


def rand_x(g):
    k = g.randrange(6)
    if k == 0:
        return g.choice(XEDGE)
    if k == 1:
        return g.randrange(-64, 64) & (2 ** 64 - 1)
    if k == 2:
        return g.getrandbits(32)
    if k == 3:
        return (g.getrandbits(32) << 32) | g.choice(XEDGE) & 0xffffffff
    return g.getrandbits(64)


def rand_f64(g):
    k = g.randrange(5)
    if k == 0:
        return g.choice(F64)
    if k == 1:   # normal with a small exponent range
        return (g.getrandbits(1) << 63) | (g.randrange(1023 - 70, 1023 + 70) << 52) | g.getrandbits(52)
    if k == 2:   # integral-ish values
        v = float(g.randrange(-2 ** 33, 2 ** 33)) + g.choice([0, 0.5, 0.25, 0.75])
        return struct.unpack('<Q', struct.pack('<d', v))[0]
    if k == 3:   # denormal or NaN payloads
        return (g.getrandbits(1) << 63) | (g.choice([0, 0x7ff]) << 52) | g.getrandbits(52)
    return g.getrandbits(64)


def rand_f32(g):
    k = g.randrange(5)
    if k == 0:
        return g.choice(F32)
    if k == 1:
        return (g.getrandbits(1) << 31) | (g.randrange(127 - 40, 127 + 40) << 23) | g.getrandbits(23)
    if k == 2:
        v = float(g.randrange(-2 ** 25, 2 ** 25)) + g.choice([0, 0.5, 0.25])
        return struct.unpack('<I', struct.pack('<f', v))[0]
    if k == 3:
        return (g.getrandbits(1) << 31) | (g.choice([0, 0xff]) << 23) | g.getrandbits(23)
    return g.getrandbits(32)


def rand_half64(g):
    k = g.randrange(5)
    if k == 0:
        return rand_f64(g)
    if k == 1:
        return rand_f32(g) | (rand_f32(g) << 32)
    if k == 2:
        return sum((g.choice(F16) if g.randrange(2) else g.getrandbits(16)) << (16 * i) for i in range(4))
    if k == 3:
        return sum(g.choice([0, 1, 0x7f, 0x80, 0xff, g.getrandbits(8)]) << (8 * i) for i in range(8))
    return g.getrandbits(64)


FPCRS = [0, 0, 0, 0, 0, 0, 1 << 22, 2 << 22, 3 << 22, 1 << 24, 1 << 25, (1 << 24) | (1 << 25), 1 << 26,
         (3 << 22) | (1 << 24)]


def gen_inputs(g):
    x = [rand_x(g) for _ in range(28)]
    nzcv = g.getrandbits(4) << 28
    fpcr = g.choice(FPCRS)
    fpsr = g.choice([0, 0, 0, 0x9f, 1 << 27])
    q = []
    for _ in range(32):
        q += [rand_half64(g), rand_half64(g)]
    scratch = [rand_half64(g) if g.randrange(3) else rand_x(g) for _ in range(64)]
    return struct.pack('<28Q4Q64Q64Q', *x, nzcv, fpcr, fpsr, 0, *q, *scratch)


def gen_sequence(seed, k, length, classes, aligned, exclude=None, irq=False, smp=1):
    g = random.Random('%s:%d' % (seed, k))
    inputs = gen_inputs(g)
    r = Chooser(g, aligned)
    r.smp = smp
    pool = [(c, w, f) for c, w, f in TEMPLATES if c in classes and (c != 'exc' or classes == ['exc'])]
    if aligned:     # MMU off (DIFF_MMU=0): no aliases, page tables or translation faults
        pool = [(c, w, f) for c, w, f in pool if f not in (ls_unpriv, mmu, at) and c != 'exc'] or pool
        exc_ok = False
    else:
        exc_ok = True
    if smp > 1:     # the page-table template edits a table (and pages) of CPU 0
        pool = [(c, w, f) for c, w, f in pool if f is not mmu] or pool
    if irq:
        # an interrupt between LDXR and STXR clears the monitor (ERET does): the STXR result
        # would depend on timing; the wfi templates test it deterministically instead
        pool = [(c, w, f) for c, w, f in pool if f is not ls_excl]
        if 'exc' in classes or 'ldst' in classes:
            pool.append(('irq', 1, irq_wfi))
    weights = [w for _, w, _ in pool]
    # exceptions end a sequence: at most one, in a third of the sequences, at a random place
    exc_at = -1
    if exc_ok and 'exc' in classes and classes != ['exc'] and g.randrange(3) == 0:
        exc_at = g.randrange(length)
    body = []
    for n in range(length):
        cls, _, f = g.choices(pool, weights)[0]
        if n == exc_at:
            cls, f = 'exc', exc
        t = f(r)
        while exclude and re.search(exclude, t):   # known bugs/gaps left out on request
            cls, _, f = g.choices(pool, weights)[0]
            t = f(r)
        if cls == 'ldst' and 'x28' in t and '0x40000000' not in t and not aligned and g.randrange(3) == 0:
            t = alias_base(r, t)
        r.wrote(t)
        body.append(t)
    return inputs, body


def alias_base(r, t):
    """Use the scratch buffer through another VA (start.S): 1 GiB above (same index in a
    direct-mapped TLB), in the TTBR1 half (0xffffff80...), or with a tag in the top byte."""
    used = set(int(n) for n in re.findall(r'\b[xw](\d+)\b', t))
    free = [n for n in range(28) if n not in used]
    a = r.c(free)
    k = r.i(0, 2)
    if k == 0:      # VA + 1 GiB
        setup = 'mov x%d, #0x40000000\nadd x%d, x28, x%d' % (a, a, a)
    elif k == 1:    # through TTBR1: 0xffffff8000000000 + VA
        setup = 'mov x%d, #0xffffff8000000000\nadd x%d, x28, x%d' % (a, a, a)
    else:           # a tag in the top byte (TCR_EL1.TBI0)
        setup = 'mov x%d, #0x%x\norr x%d, x28, x%d' % (a, r.i(1, 255) << 56, a, a)
    return '%s\n%s' % (setup, re.sub(r'\bx28\b', 'x%d' % a, t))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('seed')
    ap.add_argument('k', type=int)
    ap.add_argument('l', type=int)
    ap.add_argument('outdir')
    ap.add_argument('--classes', default=','.join(CLASSES))
    ap.add_argument('--only', type=int)
    ap.add_argument('--bisect', action='store_true')
    ap.add_argument('--dump', action='store_true', help='print the full state of every sequence')
    ap.add_argument('--aligned', action='store_true')
    ap.add_argument('--exclude', help='regex: re-draw templates whose text matches')
    ap.add_argument('--smp', type=int, default=1, help='CPUs sharing the sequences (no mmu class, no '
                    'VA 0xc0000000 straddles: those use CPU 0\'s pages)')
    ap.add_argument('--irq', type=int, default=0, help='timer interrupt interval in ticks (0: none)')
    a = ap.parse_args()
    classes = [c for c in a.classes.split(',') if c]
    for c in classes:
        if c not in CLASSES + EXTRA_CLASSES:
            raise SystemExit('gen.py: unknown class %r (known: %s)' % (c, ','.join(CLASSES + EXTRA_CLASSES)))
    os.makedirs(a.outdir, exist_ok=True)
    seqs = []      # (id, inputs, body lines)
    ks = [a.only] if a.only is not None else range(a.k)
    for k in ks:
        inputs, body = gen_sequence(a.seed, k, a.l, classes, a.aligned, a.exclude, a.irq > 0, a.smp)
        if a.bisect:
            with open(os.path.join(a.outdir, 'prefixes.txt'), 'w') as f:
                for j, t in enumerate(body):
                    f.write('T %d\n%s\n' % (j + 1, t))
            for j in range(len(body) + 1):
                # with --smp N the prefixes run on the CPU that ran the sequence (k mod N):
                # the other slots hold empty sequences (ids from 100000)
                for c in range(a.smp):
                    if c == k % a.smp:
                        seqs.append((j, inputs, body[:j]))
                    else:
                        seqs.append((100000 + len(seqs), inputs, []))
        else:
            seqs.append((k, inputs, body))
    with open(os.path.join(a.outdir, 'inputs.bin'), 'wb') as f:
        for _, inputs, _ in seqs:
            f.write(inputs)
    out = ['/* generated by gen.py %s %d %d classes=%s%s%s */' % (
        a.seed, a.k, a.l, ','.join(classes), ' only=%d' % a.only if a.only is not None else '',
        ' bisect' if a.bisect else ''),
        '    .section .rodata', '    .balign 8',
        '    .global seq_count, seq_ids, seq_table, dump_mode',
        'seq_count: .quad %d' % len(seqs), 'dump_mode: .quad %d' % (1 if a.bisect or a.dump else 0),
        '    .global irq_mode', 'irq_mode: .quad %d' % a.irq,
        '    .global smp_cpus', 'smp_cpus: .quad %d' % a.smp, 'seq_ids:']
    out += ['    .quad %d' % i for i, _, _ in seqs]
    out.append('seq_table:')
    out += ['    .quad body_%d' % n for n in range(len(seqs))]
    out += ['    .data', '    .balign 4096', '    .global seq_inputs', 'seq_inputs:',
            '    .incbin "%s"' % os.path.abspath(os.path.join(a.outdir, 'inputs.bin')), '    .text']
    for n, (_, _, body) in enumerate(seqs):
        out.append('    .balign 16')
        out.append('body_%d:' % n)
        for t in body:
            out += ['    ' + ln if not ln.endswith(':') else ln for ln in t.split('\n')]
        out.append('    b seq_end')
    with open(os.path.join(a.outdir, 'prog.S'), 'w') as f:
        f.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
