#!/usr/bin/env python3
"""difftest.py — build, run and compare the random AArch64 programs of gen.py.

For each seed: gen.py writes the program, aarch64-linux-gnu-gcc builds it with
start.S and main.c, and it runs on the oracle (Debian's qemu-system-aarch64
-M virt) and on coremu with each engine (-accel tcg,backend=jit / interp), in
parallel.  The outputs are one line per sequence ("seq K HASH" or "seq K EXC
..."); any line that differs from the oracle's is a failing sequence.  The
first few failing sequences of each engine are then bisected: gen.py
regenerates that sequence alone as prefixes of 0..L templates, each printing
its full state, and the first prefix whose state differs names the first
template whose result differs.  We print it with its encoding, the inputs
it read (the oracle's state before it) and both results.

Prints "PASS seed=S (engine)" or "FAIL seed=S (engine): ..." lines; exits 1
on any difference.  With --survey (L=1: each sequence is one template), all
failing sequences are reported, deduplicated by mnemonic and operand shape,
which lists the instructions an engine does not implement or gets wrong.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import gen  # noqa: E402

CC = 'aarch64-linux-gnu-gcc'
SMP = [1]       # CPUs of the current run
T_START = time.time()
QEMU = 'qemu-system-aarch64'


def build(outdir, cpu_march, mmu):
    elf = os.path.join(outdir, 'prog.elf')
    cmd = [CC, '-O2', '-ffreestanding', '-nostdlib', '-fno-pic', '-no-pie', '-static', '-march=' + cpu_march,
           '-mgeneral-regs-only', '-mno-outline-atomics', '-Wall', '-Werror', '-Wl,--no-warn-rwx-segments',
           '-T', os.path.join(HERE, 'link.ld'), '-o', elf,
           os.path.join(HERE, 'start.S'), os.path.join(HERE, 'main.c'), os.path.join(outdir, 'prog.S')]
    if not mmu:
        cmd.insert(1, '-DDIFF_NO_MMU')
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise SystemExit('FAIL build: %s\n%s' % (' '.join(cmd), p.stdout[-3000:]))
    return elf


def run_all(elf, engines, cpu, binary, timeout):
    """Run the ELF on QEMU and each engine in parallel; returns {name: (rc, text)}."""
    procs = {}
    smp = ['-smp', str(SMP[0])] if SMP[0] > 1 else []
    cmds = {'qemu': [QEMU, '-M', 'virt,gic-version=3'] + smp + ['-cpu', cpu, '-nographic', '-kernel', elf]}
    for e in engines:
        cmds[e] = [binary, '-M', 'virt'] + smp + ['-cpu', cpu, '-nographic', '-accel',
                   'tcg,backend=' + e + os.environ.get('DIFF_ACCEL_OPTS', ''), '-kernel', elf]
    for name, cmd in cmds.items():
        procs[name] = subprocess.Popen(['timeout', '-k', '5', str(timeout)] + cmd, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    res = {}
    for name, p in procs.items():
        out, _ = p.communicate()
        res[name] = (p.returncode, out.decode('latin-1').replace('\r', ''))
    return res


def seq_lines(text):
    d = {}
    for ln in text.split('\n'):
        m = re.match(r'seq (\d+) (.*)$', ln)
        if m:
            d[int(m.group(1))] = m.group(2)
    return d


def dump_fields(text):
    """Bisect output: {prefix: {'line': seq-line, field: value}}."""
    d = {}
    for ln in text.split('\n'):
        m = re.match(r'seq (\d+) (.*)$', ln)
        if m:
            d.setdefault(int(m.group(1)), {})['line'] = m.group(2)
            continue
        m = re.match(r'(\d+) (\w+) ([0-9a-f:]+)$', ln)
        if m:
            d.setdefault(int(m.group(1)), {})[m.group(2)] = m.group(3)
    return d


REG_RE = re.compile(r'\b([xwqdshb])(\d+)\b|\bv(\d+)\b|\bnzcv\b')


def fields_read(text):
    """State fields a template mentions (to show its inputs)."""
    f = []
    for m in REG_RE.finditer(text):
        if m.group(0) == 'nzcv':
            name = 'nzcv'
        elif m.group(3) is not None:
            name = 'q%s' % m.group(3)
        elif m.group(1) in 'xw':
            name = 'x%s' % m.group(2)
        else:
            name = 'q%s' % m.group(2)
        if name not in f and name != 'x28':
            f.append(name)
    return f


def encodings(elf, body_index, n_insns):
    """Hex + disassembly of the last n_insns instructions of body_<body_index> (before `b seq_end`)."""
    p = subprocess.run(['aarch64-linux-gnu-objdump', '-d', elf], stdout=subprocess.PIPE, text=True)
    lines = p.stdout.split('\n')
    start = None
    for i, ln in enumerate(lines):
        if ln.endswith('<body_%d>:' % body_index):
            start = i + 1
            break
    if start is None:
        return []
    insns = []
    for ln in lines[start:]:
        if not ln.strip() or ln.endswith('>:'):
            break
        m = re.match(r'\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(.*)$', ln)
        if m:
            if '<seq_end>' in m.group(3):
                break
            insns.append('%s  %s' % (m.group(2), m.group(3).split('//')[0].strip().replace('\t', ' ')))
    return insns[-n_insns:] if n_insns else []


def bisect(args, seed, k, engine, classes, out_base):
    """Regenerate sequence k as prefixes; report the first template whose state differs."""
    outdir = os.path.join(out_base, 'bisect-%s-%d' % (seed, k))
    os.makedirs(outdir, exist_ok=True)
    cmd = [sys.executable, os.path.join(HERE, 'gen.py'), str(seed), str(args.k), str(args.l), outdir,
           '--classes', ','.join(classes), '--only', str(k), '--bisect']
    if not args.mmu:
        cmd.append('--aligned')
    if args.irq:
        cmd += ['--irq', str(args.irq)]
    if args.exclude:
        cmd += ['--exclude', args.exclude]
    if args.smp > 1:
        cmd += ['--smp', str(args.smp)]
    subprocess.run(cmd, check=True)
    elf = build(outdir, args.march, args.mmu)
    SMP[0] = args.smp
    res = run_all(elf, [engine], args.cpu, args.binary, args.timeout)
    SMP[0] = 1
    q = dump_fields(res['qemu'][1])
    e = dump_fields(res[engine][1])
    _, body = gen.gen_sequence(str(seed), k, args.l, classes, not args.mmu, args.exclude, args.irq > 0, args.smp)
    rep = []
    for j in range(len(body) + 1):
        qj, ej = q.get(j, {}), e.get(j, {})
        if qj == ej:
            continue
        if j == 0:
            rep.append('  differs before any generated instruction (harness/state load-store?)')
        tmpl = body[j - 1] if j else ''
        n_insns = len([x for x in tmpl.split('\n') if x and not x.endswith(':')])
        rep.append('  first differing template #%d of %d:' % (j, len(body)))
        for ins in encodings(elf, j * args.smp + k % args.smp, n_insns):
            rep.append('    ' + ins)
        prev = q.get(j - 1, {}) if j else {}
        names = fields_read(tmpl)
        rep.append('  inputs (state before, from qemu): ' +
                   ' '.join('%s=%s' % (n, prev.get(n, '?')) for n in names + ['nzcv', 'fpsr']
                            if n in prev or n not in ('nzcv', 'fpsr')))
        fpcr = gen.gen_inputs(gen.random.Random('%s:%d' % (seed, k)))
        fpcr_v = int.from_bytes(fpcr[232:240], 'little')
        if fpcr_v:
            rep.append('  fpcr=%#x' % fpcr_v)
        if qj.get('line', '').startswith('EXC') or ej.get('line', '').startswith('EXC') or \
                'line' not in qj or 'line' not in ej:
            rep.append('  qemu:   %s' % qj.get('line', '(no output)'))
            rep.append('  %-7s %s' % (engine + ':', ej.get('line', '(no output)')))
            if len(qj) < 3 or len(ej) < 3:      # no state dump on one side
                return rep, tmpl
        keys = [x for x in qj if x != 'line' and qj.get(x) != ej.get(x)]
        keys += [x for x in ej if x != 'line' and x not in qj]
        for key in keys:
            rep.append('  %-6s qemu=%s %s=%s' % (key, qj.get(key, '-'), engine, ej.get(key, '-')))
        return rep, tmpl
    return ['  bisect: every prefix agrees (the difference needs the whole sequence in one TB, '
            'or is non-deterministic); rerun: %s' % ' '.join(cmd)], None


def shape(tmpl):
    """Dedup key of a template: mnemonic(s) and operand kinds, registers/immediates dropped."""
    last = [x for x in tmpl.split('\n') if x and not x.endswith(':')][-1]
    s = re.sub(r'#-?[0-9a-fx.]+', '#i', last)
    s = re.sub(r'\b([xwqdshbv])\d+', r'\1', s)
    s = re.sub(r'\[\d+\]', '[i]', s)
    s = re.sub(r'\b(eq|ne|cs|cc|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al|nv)\b', 'cond', s)
    return s


def report_survey(args, survey, classes, out_base):
    """Group survey failures: not implemented (UNDEF only on the engine), wrong results, other."""
    undef, wrong, other = {}, {}, {}
    for (e, key), v in survey.items():
        for item in v:
            seed, k, t, qv, ev = item
            mnem = key.split()[0]
            if ev.startswith('EXC esr=02') and not qv.startswith('EXC'):
                undef.setdefault((e, mnem), []).append(key)
            elif not ev.startswith('EXC') and not qv.startswith('EXC'):
                wrong.setdefault((e, key), []).append(item)
            else:
                other.setdefault((e, key), []).append(item)
    for e in sorted(set(x[0] for x in survey)):
        names = sorted(m for (ee, m) in undef if ee == e)
        if names:
            print('SURVEY %s: UNDEF on %s only (not implemented?), %d mnemonics:' % (e, e, len(names)))
            for i in range(0, len(names), 12):
                print('    ' + ' '.join(names[i:i + 12]))
    for title, grp in (('wrong result', wrong), ('exception differs', other)):
        for (e, key), v in sorted(grp.items()):
            seed, k, t, qv, ev = v[0]
            print('SURVEY %s: %s: %s (%d cases) e.g. seed %s seq %d: %s' % (e, title, key, len(v), seed, k,
                                                                        t.replace('\n', '; ')))
            print('  qemu %s | %s %s' % (qv, e, ev))
            rep, _ = bisect(args, seed, k, e, classes, out_base)
            for ln in rep:
                print(ln)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('seeds', nargs='*')
    ap.add_argument('-k', type=int, default=500)
    ap.add_argument('-l', type=int, default=100)
    ap.add_argument('--classes', default=os.environ.get('DIFF_CLASSES', ','.join(gen.CLASSES)))
    ap.add_argument('--engines', default=os.environ.get('DIFF_ENGINES', 'jit,interp'))
    ap.add_argument('--cpu', default=os.environ.get('DIFF_CPU', 'cortex-a57'))
    ap.add_argument('--binary', default=os.path.join(ROOT, 'build', 'coremu-system-aarch64'))
    ap.add_argument('--bisect-max', type=int, default=int(os.environ.get('DIFF_BISECT_MAX', '3')))
    ap.add_argument('--bisect-budget', type=int, default=int(os.environ.get('DIFF_BISECT_BUDGET', '75')),
                    help='seconds after which no more bisections start')
    ap.add_argument('--no-mmu', dest='mmu', action='store_false')
    ap.add_argument('--survey', action='store_true')
    ap.add_argument('--timeout', type=int, default=120)
    ap.add_argument('--smp', type=int, default=int(os.environ.get('DIFF_SMP', '1')),
                    help='CPUs running the sequences in parallel (no interrupts then)')
    ap.add_argument('--exclude', default=os.environ.get('DIFF_EXCLUDE') or None,
                    help='regex over template text: such templates are re-drawn (known bugs)')
    ap.add_argument('--irq', default=os.environ.get('DIFF_IRQ', 'auto'),
                    help='virtual timer interrupts every IRQ + 0..511 ticks during sequences (0: off; '
                    'auto: 1 on every second seed)')
    args = ap.parse_args()
    args.march = 'armv8-a+crc+crypto'
    if 'lse' in args.classes.split(','):
        args.march = 'armv8.1-a+crc+crypto+lse'
        if 'DIFF_CPU' not in os.environ:
            args.cpu = 'max'
    if os.environ.get('DIFF_MMU', '1') == '0':
        args.mmu = False
    if args.survey:
        args.l = 1
    classes = [c for c in args.classes.split(',') if c]
    engines = [e for e in args.engines.split(',') if e]
    # one folder per run: several people run this at once
    out_base = os.path.join(ROOT, 'build', 'tests', 'tcg', 'aarch64-diff', 'run-%d' % os.getpid())
    fail = False
    survey = {}
    irq_opt = args.irq
    for n_seed, seed in enumerate(args.seeds):
        t0 = time.time()
        args.irq = (n_seed % 2) if irq_opt == 'auto' else int(irq_opt)
        if args.smp > 1:
            args.irq = 0
        if args.survey and irq_opt == 'auto':
            args.irq = 0
        outdir = os.path.join(out_base, 'seed-%s' % seed)
        cmd = [sys.executable, os.path.join(HERE, 'gen.py'), seed, str(args.k), str(args.l), outdir,
               '--classes', ','.join(classes)]
        if not args.mmu:
            cmd.append('--aligned')
        if args.irq:
            cmd += ['--irq', str(args.irq)]
        if args.exclude:
            cmd += ['--exclude', args.exclude]
        if args.smp > 1:
            cmd += ['--smp', str(args.smp)]
        subprocess.run(cmd, check=True)
        elf = build(outdir, args.march, args.mmu)
        SMP[0] = args.smp
        res = run_all(elf, engines, args.cpu, args.binary, args.timeout)
        SMP[0] = 1
        qrc, qtext = res['qemu']
        qs = seq_lines(qtext)
        if len(qs) != args.k or 'done' not in qtext:
            print('FAIL seed=%s (qemu): oracle printed %d of %d sequences (rc=%d)' % (seed, len(qs), args.k, qrc))
            fail = True
            continue
        nexc = sum(1 for v in qs.values() if v.startswith('EXC'))
        qirqs = re.findall(r'irqs (\d+)', qtext)
        if qirqs:
            print('  seed=%s: %s timer interrupts on qemu' % (seed, qirqs[0]))
        for e in engines:
            rc, text = res[e]
            es = seq_lines(text)
            bad = [k for k in range(args.k) if es.get(k) != qs[k]]
            dt = time.time() - t0
            irqs = re.findall(r'irqs (\d+)', text)
            irqs = ', %s interrupts' % irqs[0] if irqs else ''
            if not bad and rc == 0:
                print('PASS seed=%s (%s): %d sequences x %d templates, %d oracle exceptions%s, %.1fs' % (
                    seed, e, args.k, args.l, nexc, irqs or ', no interrupts', dt))
                continue
            fail = True
            why = '' if rc == 0 else ' (rc=%d%s)' % (rc, ', timed out' if rc in (124, 137) else '')
            print('FAIL seed=%s (%s): %d of %d sequences differ%s; classes=%s%s; first: %s' % (
                seed, e, len(bad), args.k, why, ','.join(classes), ' irq=%d' % args.irq if args.irq else '',
                ' '.join(map(str, bad[:12]))))
            if args.survey:
                for k in bad:
                    _, body = gen.gen_sequence(seed, k, 1, classes, not args.mmu, args.exclude, args.irq > 0,
                                               args.smp)
                    key = shape(body[0])
                    survey.setdefault((e, key), []).append((seed, k, body[0], qs[k], es.get(k, '(none)')))
                continue
            for k in bad[:args.bisect_max]:
                print('  seq %d: qemu %s | %s %s' % (k, qs[k], e, es.get(k, '(no output)')))
                if time.time() - T_START > args.bisect_budget:
                    print('  (bisection time budget of %ds spent: DIFF_BISECT_BUDGET)' % args.bisect_budget)
                    continue
                rep, _ = bisect(args, seed, k, e, classes, out_base)
                for ln in rep:
                    print(ln)
            sys.stdout.flush()
    if survey:
        report_survey(args, survey, classes, out_base)
    if fail:
        print('(programs and outputs kept in %s)' % out_base)
    else:
        shutil.rmtree(out_base, ignore_errors=True)
    return 1 if fail else 0


if __name__ == '__main__':
    sys.exit(main())
