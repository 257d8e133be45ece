#!/usr/bin/env python3
"""
decodetree.py — generate a C instruction decoder from a compact pattern file.

Written for coremu from scratch, in the spirit of QEMU's decodetree. Usage:

    python3 scripts/decodetree.py [-o OUT.c.inc] [--decode NAME] [--insnwidth 32] FILE.decode

The output is meant to be #included by the translator, which must define
`DisasContext` before the include and provide one `trans_<PATTERN>` function
per pattern name:

    static bool trans_ADD_i(DisasContext *ctx, arg_ADD_i *a) { ... }

The generated entry point is

    static bool decode_<NAME>(DisasContext *ctx, uint32_t insn);

(NAME defaults to the file's basename: a64.decode -> decode_a64). It returns
true when some pattern matched and its trans_ function returned true; a
trans_ function returning false means "not mine after all" and decoding goes
on with the next candidate (so UNDEFINED encodings inside a pattern can be
refused by the translator).

Syntax (one definition per line; `#` starts a comment; a trailing `\\`
continues the line):

  Fields      %name  POS:LEN[s] [POS:LEN ...]  [!function=FUNC]
              Bits POS..POS+LEN-1 of the instruction; `s` = sign-extend.
              Several parts are concatenated, the first one most
              significant:  %imm19_2  5:s19 0:2  -> (sext(insn[23:5]) << 2) | insn[1:0].
              A part may also be a bare `LEN'CONST`-free shift form
              `POS:LEN` only. !function=FUNC passes the value through
              `int FUNC(DisasContext *ctx, int x)`.

  Arg sets    &name  field1 field2 ...
              Becomes `typedef struct { int field1; int field2; } arg_name;`.

  Formats     @name  BITS... [ARGS...]
  Patterns    NAME   BITS... [ARGS...]
              BITS tokens, read left to right from the most significant bit,
              must cover exactly insnwidth bits:
                0 1        fixed bits
                . -        don't care
                name:LEN   an inline field of LEN bits at this position
                name:sLEN  the same, sign-extended
              ARGS tokens:
                @fmt       use format fmt (its bits merge with the pattern's:
                           a bit fixed in either is fixed)
                &set       store the fields in arg set `set`
                %field     assign field `field` to the member of the same name
                m=%field   assign field `field` to member m
                m=CONST    assign a constant (decimal or 0x hex)
              Without an explicit &set, a format gets arg_<format> and a
              pattern without format or set gets arg_<PATTERN>, made of the
              members it assigns.

  Groups      {  ...  }  overlapping patterns: tried in order, the first whose
                         trans_ returns true wins.
              [  ...  ]  non-overlapping patterns (same code; documents intent).
              Groups nest. Outside a group, patterns may overlap too: this
              generator always tries candidates in file order, so the file
              order is the priority order everywhere.

The generated decoder is a small decision tree: at each node it switches on
the bits that every remaining candidate fixes (at most 8 of them), and falls
back to an ordered list of mask/value tests.
"""

import argparse
import os
import re
import sys


class DecodeError(Exception):
    pass


class Field:
    def __init__(self, name, parts, func):
        self.name = name
        self.parts = parts  # list of (pos, len, signed)
        self.func = func

    def c_expr(self, insn='insn'):
        """Parts are concatenated, the first most significant; only a part's
        own `s` makes it sign-extend (useful on the first part)."""
        expr = None
        for pos, ln, sgn in self.parts:
            fn = 'sextract32' if sgn else 'extract32'
            e = f'{fn}({insn}, {pos}, {ln})'
            if expr is None:
                expr = e
            else:
                expr = f'(int)(((uint32_t)({expr}) << {ln}) | (uint32_t){e})'
        if self.func:
            expr = f'{self.func}(ctx, {expr})'
        return expr


class ArgSet:
    def __init__(self, name, members, explicit):
        self.name = name
        self.members = list(members)
        self.explicit = explicit


class Pattern:
    def __init__(self, name, mask, value, assigns, argset, lineno):
        self.name = name
        self.mask = mask
        self.value = value
        self.assigns = assigns  # list of (member, kind, payload): kind 'field'|'const'
        self.argset = argset
        self.lineno = lineno


class Group:
    def __init__(self, kind, items):
        self.kind = kind
        self.items = items
        m = 0xffffffffffffffff
        for it in items:
            m &= it.mask
        self.mask = m & ((1 << 64) - 1)
        # a group's value is only meaningful on the common mask
        self.value = items[0].value & self.mask if items else 0
        consistent = all((it.value & self.mask) == self.value for it in items)
        if not consistent:
            # shrink the common mask to the bits on which all members agree
            agree = self.mask
            for it in items:
                agree &= ~(it.value ^ items[0].value)
            self.mask = agree
            self.value = items[0].value & agree


class Parser:
    def __init__(self, width):
        self.width = width
        self.fields = {}
        self.argsets = {}
        self.formats = {}
        self.root = []
        self.stack = [('root', self.root)]
        self.pattern_names = {}

    def error(self, lineno, msg):
        raise DecodeError(f'line {lineno}: {msg}')

    def parse(self, text):
        lines = text.split('\n')
        buf = ''
        start = 0
        for i, raw in enumerate(lines, 1):
            line = raw.split('#', 1)[0].rstrip()
            if line.endswith('\\'):
                if not buf:
                    start = i
                buf += line[:-1] + ' '
                continue
            if buf:
                line = buf + line
                buf = ''
            else:
                start = i
            if line.strip():
                self.parse_line(line.split(), start)
        if len(self.stack) != 1:
            raise DecodeError('unterminated group at end of file')

    def parse_line(self, toks, lineno):
        head = toks[0]
        if head in ('{', '['):
            if len(toks) != 1:
                self.error(lineno, 'group brace must be alone on its line')
            items = []
            self.stack[-1][1].append(('open', head, items))
            self.stack.append((head, items))
            return
        if head in ('}', ']'):
            want = '{' if head == '}' else '['
            if len(toks) != 1 or self.stack[-1][0] != want:
                self.error(lineno, f'unbalanced {head}')
            self.stack.pop()
            return
        if head.startswith('%'):
            self.parse_field(head[1:], toks[1:], lineno)
        elif head.startswith('&'):
            name = head[1:]
            if name in self.argsets:
                self.error(lineno, f'duplicate arg set {name}')
            self.check_ident(name, lineno)
            self.argsets[name] = ArgSet(name, toks[1:], True)
        elif head.startswith('@'):
            name = head[1:]
            if name in self.formats:
                self.error(lineno, f'duplicate format {name}')
            self.formats[name] = self.parse_body(toks[1:], lineno, is_format=True)
        else:
            self.check_ident(head, lineno)
            body = self.parse_body(toks[1:], lineno, is_format=False)
            self.stack[-1][1].append(('pat', head, body, lineno))

    def check_ident(self, name, lineno):
        if not re.fullmatch(r'[A-Za-z_][A-Za-z0-9_]*', name):
            self.error(lineno, f'bad identifier {name!r}')

    def parse_field(self, name, toks, lineno):
        self.check_ident(name, lineno)
        parts = []
        func = None
        for t in toks:
            if t.startswith('!function='):
                func = t.split('=', 1)[1]
                continue
            m = re.fullmatch(r'(\d+):(s?)(\d+)', t)
            if not m:
                self.error(lineno, f'bad field part {t!r}')
            pos, sgn, ln = int(m.group(1)), m.group(2) == 's', int(m.group(3))
            if ln == 0 or pos + ln > self.width:
                self.error(lineno, f'field part {t} out of range')
            parts.append((pos, ln, sgn))
        if not parts:
            self.error(lineno, f'field {name} has no parts')
        if name in self.fields:
            self.error(lineno, f'duplicate field {name}')
        self.fields[name] = Field(name, parts, func)

    def parse_body(self, toks, lineno, is_format):
        """Returns dict(mask, value, nbits, assigns, fmt, argset)."""
        mask = value = 0
        nbits = 0
        assigns = []
        fmt = None
        argset = None
        for t in toks:
            if re.fullmatch(r'[01.\-]+', t):
                for ch in t:
                    nbits += 1
                    mask <<= 1
                    value <<= 1
                    if ch in '01':
                        mask |= 1
                        value |= int(ch)
                continue
            m = re.fullmatch(r'([A-Za-z_][A-Za-z0-9_]*):(s?)(\d+)', t)
            if m:
                ln = int(m.group(3))
                nbits += ln
                mask <<= ln
                value <<= ln
                pos = self.width - nbits
                if pos < 0:
                    self.error(lineno, 'too many bits')
                f = Field(m.group(1), [(pos, ln, m.group(2) == 's')], None)
                assigns.append((m.group(1), 'field', f))
                continue
            if t.startswith('@'):
                if is_format:
                    self.error(lineno, 'a format cannot use a format')
                if fmt is not None:
                    self.error(lineno, 'two formats')
                fmt = t[1:]
                if fmt not in self.formats:
                    self.error(lineno, f'unknown format {fmt}')
                continue
            if t.startswith('&'):
                if argset is not None:
                    self.error(lineno, 'two arg sets')
                argset = t[1:]
                if argset not in self.argsets:
                    self.error(lineno, f'unknown arg set {argset}')
                continue
            if t.startswith('%'):
                fname = t[1:]
                if fname not in self.fields:
                    self.error(lineno, f'unknown field {fname}')
                assigns.append((fname, 'field', self.fields[fname]))
                continue
            m = re.fullmatch(r'([A-Za-z_][A-Za-z0-9_]*)=(.+)', t)
            if m:
                mem, rhs = m.group(1), m.group(2)
                if rhs.startswith('%'):
                    if rhs[1:] not in self.fields:
                        self.error(lineno, f'unknown field {rhs[1:]}')
                    assigns.append((mem, 'field', self.fields[rhs[1:]]))
                else:
                    try:
                        v = int(rhs, 0)
                    except ValueError:
                        self.error(lineno, f'bad constant {rhs!r}')
                    assigns.append((mem, 'const', v))
                continue
            self.error(lineno, f'unrecognised token {t!r}')
        if nbits != 0 and nbits != self.width:
            self.error(lineno, f'{nbits} bits given, {self.width} expected')
        if nbits == 0 and fmt is None:
            self.error(lineno, 'no bits and no format')
        return dict(mask=mask, value=value, nbits=nbits, assigns=assigns, fmt=fmt,
                    argset=argset, lineno=lineno)

    # ---- resolution ----
    def resolve(self):
        self.implicit = {}
        return self.resolve_list(self.root)

    def resolve_list(self, items):
        out = []
        for it in items:
            if it[0] == 'open':
                out.append(Group(it[1], self.resolve_list(it[2])))
            else:
                out.append(self.resolve_pattern(it[1], it[2], it[3]))
        return out

    def resolve_pattern(self, name, body, lineno):
        mask, value = body['mask'], body['value']
        assigns = list(body['assigns'])
        argset = body['argset']
        implicit_name = name
        if body['fmt']:
            f = self.formats[body['fmt']]
            if body['nbits'] == 0:
                mask, value = f['mask'], f['value']
            else:
                if (f['mask'] & mask) & (f['value'] ^ value):
                    self.error(lineno, f'pattern bits conflict with format {body["fmt"]}')
                mask2 = mask | f['mask']
                value = (value & mask) | (f['value'] & f['mask'])
                mask = mask2
            own = {a[0] for a in assigns}
            assigns = [a for a in f['assigns'] if a[0] not in own] + assigns
            if argset is None:
                argset = f['argset']
            implicit_name = body['fmt']
        members = []
        for a in assigns:
            if a[0] not in members:
                members.append(a[0])
        if argset is None:
            key = implicit_name
            if key in self.argsets and self.argsets[key].explicit:
                key = key + '_'
            if key in self.implicit:
                prev = self.implicit[key]
                for m in members:
                    if m not in prev.members:
                        prev.members.append(m)
            else:
                self.implicit[key] = ArgSet(key, members, False)
            argset = key
        else:
            aset = self.argsets[argset]
            for m in members:
                if m not in aset.members:
                    self.error(lineno, f'member {m} not in arg set {argset}')
        prev = self.pattern_names.get(name)
        if prev is not None and prev != argset:
            self.error(lineno, f'pattern {name} used with arg sets {prev} and {argset}')
        self.pattern_names[name] = argset
        return Pattern(name, mask, value, assigns, argset, lineno)


class Emitter:
    def __init__(self, width, out):
        self.width = width
        self.out = out
        self.full = (1 << width) - 1

    def w(self, depth, s):
        self.out.append('    ' * depth + s)

    def hx(self, v):
        return f'0x{v:0{self.width // 4}x}'

    def emit_pattern(self, p, depth):
        cond = f'(insn & {self.hx(p.mask)}) == {self.hx(p.value)}'
        if p.mask == 0:
            cond = 'true'
        self.w(depth, f'if ({cond}) {{')
        self.w(depth + 1, f'arg_{p.argset} u = {{0}};')
        for mem, kind, payload in p.assigns:
            if kind == 'const':
                self.w(depth + 1, f'u.{mem} = {payload};')
            else:
                self.w(depth + 1, f'u.{mem} = {payload.c_expr()};')
        self.w(depth + 1, f'if (trans_{p.name}(ctx, &u)) {{')
        self.w(depth + 2, 'return true;')
        self.w(depth + 1, '}')
        self.w(depth, '}')

    def emit_list(self, items, depth, tested):
        """Emit candidates in order; `tested` = bits already known to match."""
        if len(items) > 3:
            common = self.full & ~tested
            for it in items:
                common &= it.mask
            # keep at most the 8 most significant common bits
            bits = [b for b in range(self.width - 1, -1, -1) if common >> b & 1][:8]
            if bits:
                sw = 0
                for b in bits:
                    sw |= 1 << b
                cases = {}
                order = []
                for it in items:
                    v = it.value & sw
                    if v not in cases:
                        cases[v] = []
                        order.append(v)
                    cases[v].append(it)
                if len(cases) > 1:
                    self.w(depth, f'switch (insn & {self.hx(sw)}) {{')
                    for v in sorted(order):
                        self.w(depth, f'case {self.hx(v)}:')
                        self.emit_list(cases[v], depth + 1, tested | sw)
                        self.w(depth + 1, 'break;')
                    self.w(depth, '}')
                    return
        for it in items:
            if isinstance(it, Group):
                if it.mask & ~tested:
                    self.w(depth, f'if ((insn & {self.hx(it.mask)}) == {self.hx(it.value)}) {{')
                    self.emit_list(it.items, depth + 1, tested | it.mask)
                    self.w(depth, '}')
                else:
                    self.emit_list(it.items, depth, tested)
            else:
                self.emit_pattern(it, depth)


def generate(text, fname, decode_name, width):
    p = Parser(width)
    p.parse(text)
    items = p.resolve()
    out = []
    out.append(f'/* Generated by scripts/decodetree.py from {fname}; do not edit. */')
    out.append('')
    out.append('#include <stdbool.h>')
    out.append('#include <stdint.h>')
    out.append('')
    out.append('#ifndef DECODETREE_HELPERS')
    out.append('#define DECODETREE_HELPERS')
    out.append('static inline int extract32(uint32_t v, int pos, int len)')
    out.append('{')
    out.append('    return (int)((v >> pos) & (0xffffffffu >> (32 - len)));')
    out.append('}')
    out.append('static inline int sextract32(uint32_t v, int pos, int len)')
    out.append('{')
    out.append('    return (int)((int32_t)(v << (32 - len - pos)) >> (32 - len));')
    out.append('}')
    out.append('#endif')
    out.append('')
    allsets = dict(p.argsets)
    allsets.update(p.implicit)
    for name in sorted(allsets):
        a = allsets[name]
        out.append('typedef struct {')
        if not a.members:
            out.append('    int unused_;')
        for m in a.members:
            out.append(f'    int {m};')
        out.append(f'}} arg_{name};')
        out.append('')
    for name in sorted(p.pattern_names):
        out.append(f'static bool trans_{name}(DisasContext *ctx, arg_{p.pattern_names[name]} *a);')
    out.append('')
    funcs = sorted({f.func for f in p.fields.values() if f.func})
    if funcs:
        for f in funcs:
            out.append(f'static int {f}(DisasContext *ctx, int x);')
        out.append('')
    itype = 'uint32_t' if width <= 32 else 'uint64_t'
    out.append(f'static bool decode_{decode_name}(DisasContext *ctx, {itype} insn)')
    out.append('{')
    em = Emitter(width, out)
    em.emit_list(items, 1, 0)
    out.append('    return false;')
    out.append('}')
    return '\n'.join(out) + '\n'


def main():
    ap = argparse.ArgumentParser(description='decoder generator')
    ap.add_argument('-o', '--output', default='-')
    ap.add_argument('--decode', default=None, help='suffix of the decode_ function')
    ap.add_argument('--insnwidth', type=int, default=32)
    ap.add_argument('input')
    args = ap.parse_args()
    if args.insnwidth not in (16, 32):
        sys.exit('decodetree.py: --insnwidth must be 16 or 32')
    name = args.decode or os.path.splitext(os.path.basename(args.input))[0]
    name = re.sub(r'[^A-Za-z0-9_]', '_', name)
    with open(args.input) as f:
        text = f.read()
    try:
        code = generate(text, args.input, name, args.insnwidth)
    except DecodeError as e:
        sys.exit(f'{args.input}: {e}')
    if args.output == '-':
        sys.stdout.write(code)
    else:
        tmp = args.output + '.tmp'
        with open(tmp, 'w') as f:
            f.write(code)
        os.replace(tmp, args.output)


if __name__ == '__main__':
    main()
