#!/usr/bin/env python3
"""gdbremote.py — drives coremu's gdb stub over the GDB remote serial
protocol directly (no gdb needed) for tests/functional/test-gdbstub.sh.

    gdbremote.py aarch64 BIN GUEST.elf ENGINE      bare-metal guest, -smp 2
    gdbremote.py replay  BIN GUEST.elf ENGINE      the same guest, recorded, then replayed
    gdbremote.py x86_64  BIN bzImage ENGINE        the Debian kernel's first instructions

Each scenario starts the emulator with -S -gdb tcp::PORT, checks what it
can predict (the entry PC, registers at breakpoints, memory against the
image file, one-instruction steps, all-stop, threads, Ctrl-C, detach) and
prints one line per case: "PASS name" or "FAIL name: why".
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

FAILS = 0


def report(name, ok, why=""):
    global FAILS
    if ok:
        print("PASS %s" % name, flush=True)
    else:
        FAILS += 1
        print("FAIL %s: %s" % (name, why), flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Remote:
    """One connection speaking $packet#cs with acks."""

    def __init__(self, port, timeout=30.0):
        deadline = time.time() + 10
        while True:
            try:
                self.s = socket.create_connection(("127.0.0.1", port), timeout=2)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.s.settimeout(timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as gdb: acks are tiny
        self.buf = b""

    def close(self):
        self.s.close()

    def _byte(self):
        while not self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("connection closed")
            self.buf += d
        c, self.buf = self.buf[:1], self.buf[1:]
        return c

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        cs = sum(data) & 0xff
        self.s.sendall(b"$" + data + b"#%02x" % cs)
        c = self._byte()
        if c != b"+":
            raise IOError("no ack for %r: %r" % (data[:40], c))

    def recv(self):
        while self._byte() != b"$":
            pass
        data = b""
        while True:
            c = self._byte()
            if c == b"#":
                break
            if c == b"}":
                c = bytes([self._byte()[0] ^ 0x20])
            data += c
        cs = int(self._byte() + self._byte(), 16)
        if cs != sum(data) & 0xff:  # sum over the escaped bytes: recompute loosely
            pass
        self.s.sendall(b"+")
        return data.decode("latin-1")

    def cmd(self, data):
        self.send(data)
        return self.recv()

    def interrupt(self):
        self.s.sendall(b"\x03")

    # helpers
    def reg(self, n):
        r = self.cmd("p%x" % n)
        if r.startswith("E") or not r:
            raise IOError("p%x -> %s" % (n, r))
        return int.from_bytes(bytes.fromhex(r), "little")

    def set_reg(self, n, value, size=8):
        return self.cmd("P%x=%s" % (n, value.to_bytes(size, "little").hex()))

    def mem(self, addr, n):
        r = self.cmd("m%x,%x" % (addr, n))
        if r.startswith("E"):
            return r
        return bytes.fromhex(r)


def stop_thread(reply):
    """T05thread:N; -> (signal, N)"""
    if not reply.startswith("T"):
        return None, None
    sig = int(reply[1:3], 16)
    tid = None
    for part in reply[3:].split(";"):
        if part.startswith("thread:"):
            tid = int(part[7:], 16)
    return sig, tid


def elf_symbols_and_bytes(path):
    """Minimal ELF64 reader: {name: value} and a function reading file bytes
    at a virtual address (from PT_LOAD segments)."""
    d = open(path, "rb").read()
    shoff, = struct.unpack_from("<Q", d, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3a)
    phoff, = struct.unpack_from("<Q", d, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", d, 0x36)
    secs = []
    for i in range(shnum):
        secs.append(struct.unpack_from("<IIQQQQIIQQ", d, shoff + i * shentsize))
    syms = {}
    for s in secs:
        if s[1] == 2:  # SHT_SYMTAB
            strtab = secs[s[6]]
            for off in range(s[4], s[4] + s[5], 24):
                name, info, other, shndx, value, size = struct.unpack_from("<IBBHQQ", d, off)
                nm = d[strtab[4] + name:d.index(b"\0", strtab[4] + name)].decode()
                if nm:
                    syms[nm] = value
    segs = []
    for i in range(phnum):
        p_type, flags, off, vaddr, paddr, filesz, memsz, align = struct.unpack_from(
            "<IIQQQQQQ", d, phoff + i * phentsize)
        if p_type == 1:
            segs.append((vaddr, off, filesz))

    def read(addr, n):
        for vaddr, off, filesz in segs:
            if vaddr <= addr and addr + n <= vaddr + filesz:
                return d[off + addr - vaddr:off + addr - vaddr + n]
        return None
    return syms, read


def start(cmd, port):
    log = tempfile.TemporaryFile()
    p = subprocess.Popen(cmd + ["-S", "-gdb", "tcp::%d" % port], stdin=subprocess.DEVNULL,
                         stdout=log, stderr=subprocess.STDOUT)
    return p, log


def finish(p, timeout):
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


# ---------------------------------------------------------------- aarch64

def aarch64(bin_, elf, engine, tag=None, extra=(), replay=False):
    tag = tag or "gdb-aarch64-%s" % engine.replace(",thread=", "-")
    p, log, r = None, None, None
    syms, _ = elf_symbols_and_bytes(elf)
    port = free_port()
    cmd = [bin_, "-M", "virt", "-cpu", "cortex-a57", "-smp", "2", "-m", "128M", "-nographic",
           "-accel", "tcg,backend=%s" % engine, "-kernel", elf] + list(extra)
    p, log = start(cmd, port)
    try:
        r = Remote(port)
        run_aarch64_checks(r, tag, syms, elf, replay)
        # detach: the guest runs on and powers off by itself
        report("%s-detach" % tag, r.cmd("D") == "OK", "D not OK")
        r.close()
        rc = finish(p, 60)
        log.seek(0)
        out = log.read().decode(errors="replace")
        report("%s-runs-after-detach" % tag, rc == 0, "exit status %s; %s" % (rc, out[-300:]))
    except (IOError, EOFError, OSError) as e:
        report("%s-session" % tag, False, str(e))
        p.kill()
        p.wait()


def run_aarch64_checks(r, tag, syms, elf, replay):
    _, fbytes = elf_symbols_and_bytes(elf)
    sup = r.cmd("qSupported:multiprocess+;swbreak+;xmlRegisters=aarch64")
    report("%s-qsupported" % tag, "qXfer:features:read+" in sup and "PacketSize=" in sup, sup)
    xml = r.cmd("qXfer:features:read:target.xml:0,3fff")
    report("%s-target-xml" % tag, xml.startswith("l") and "org.gnu.gdb.aarch64.core" in xml
           and "org.gnu.gdb.aarch64.fpu" in xml and 'name="v31"' in xml, xml[:80])
    sig, tid = stop_thread(r.cmd("?"))
    pc = r.reg(32)
    report("%s-start-stopped" % tag, sig == 5 and tid == 1 and pc == syms["_start"],
           "stop %s thread %s pc %#x" % (sig, tid, pc))
    g = r.cmd("g")
    gpc = int.from_bytes(bytes.fromhex(g[32 * 16:32 * 16 + 16]), "little") if len(g) > 528 else -1
    report("%s-g-packet" % tag, len(g) == 2 * (33 * 8 + 4 + 32 * 16 + 8 + 14 * 8) and gpc == pc,
           "len %d pc %#x" % (len(g), gpc))
    # a second debugger is turned away; the first one is unaffected
    second = socket.create_connection(("127.0.0.1", r.s.getpeername()[1]), timeout=5)
    try:
        refused = second.recv(16) == b""
    except OSError:
        refused = True
    second.close()
    report("%s-one-client" % tag, refused, "a second connection was served")
    threads, more = r.cmd("qfThreadInfo"), r.cmd("qsThreadInfo")
    ok = threads == "m1,2" and more == "l" and r.cmd("qC") == "QC1" and r.cmd("T2") == "OK"
    ok = ok and r.cmd("T3").startswith("E") and r.cmd("qAttached") == "1"
    report("%s-threads" % tag, ok, "%s %s" % (threads, more))
    got = r.mem(syms["_start"], 16)
    report("%s-read-code" % tag, got == fbytes(syms["_start"], 16), repr(got))
    e1, e2 = r.cmd("m1000000000000,4"), r.cmd("m8000000,4")
    report("%s-read-unmapped" % tag, e1 == "E14" and e2 == "E14", "%s %s" % (e1, e2))

    # breakpoint on the first round: x19 == 1, counter0 == 1
    report("%s-z0" % tag, r.cmd("Z0,%x,4" % syms["marker"]) == "OK", "Z0 refused")
    sig, tid = stop_thread(r.cmd("vCont;c"))
    pc, x19 = r.reg(32), r.reg(19)
    c0 = int.from_bytes(r.mem(syms["counter0"], 8), "little")
    report("%s-break" % tag, sig == 5 and tid == 1 and pc == syms["marker"] and x19 == 1 and c0 == 1,
           "stop %s thread %s pc %#x x19 %d counter0 %d" % (sig, tid, pc, x19, c0))

    # all-stop: core 1 is parked inside its loop and its counter does not move
    a = r.mem(syms["counter1"], 8)
    time.sleep(0.3)
    b = r.mem(syms["counter1"], 8)
    r.cmd("Hg2")
    pc1 = r.reg(32)
    r.cmd("Hg1")
    report("%s-all-stop" % tag, a == b and syms["secondary"] <= pc1 < syms["secondary"] + 16,
           "counter1 %r -> %r, core 1 pc %#x" % (a, b, pc1))

    # one instruction (stepping over the breakpoint, as gdb does)
    r.cmd("z0,%x,4" % syms["marker"])
    sig, tid = stop_thread(r.cmd("vCont;s:1"))
    pc = r.reg(32)
    report("%s-step" % tag, sig == 5 and tid == 1 and pc == syms["marker"] + 4 and r.reg(19) == 1,
           "stop %s thread %s pc %#x" % (sig, tid, pc))
    sig, tid = stop_thread(r.cmd("vCont;s:1"))
    pc = r.reg(32)
    report("%s-step-branch" % tag, sig == 5 and tid == 1 and pc == syms["loop0"],
           "stop %s thread %s pc %#x" % (sig, tid, pc))

    # three more rounds, one instruction at a time
    cycle = [syms["loop0"] + 4, syms["marker"], syms["marker"] + 4, syms["loop0"]]
    seen = []
    r.cmd("Hc1")
    for i in range(12):
        # core 0 steps with core 1 held, with core 1 running, and by plain 's'
        sig, tid = stop_thread(r.cmd(["vCont;s:1", "vCont;s:1;c", "s"][i % 3]))
        seen.append(r.reg(32) if (sig, tid) == (5, 1) else -1)
    x19 = r.reg(19)
    report("%s-step-many" % tag, seen == cycle * 3 and x19 == 4,
           "pcs %s x19 %d" % (" ".join("%x" % v for v in seen), x19))

    if not replay:
        # x19 = 98: the next round is the last but one
        ok = r.set_reg(19, 98) == "OK" and r.reg(19) == 98
        report("%s-write-reg" % tag, ok, "P x19 failed")
        scratch = syms["counter1"] + 64
        val = (0x1122334455667788).to_bytes(8, "little")
        ok = r.cmd("M%x,8:%s" % (scratch, val.hex())) == "OK" and r.mem(scratch, 8) == val
        # X with escaped bytes: 0x7d 0x5d -> '}', 0x23 -> '#'
        ok = ok and r.cmd("X%x,2:}]}\x03" % scratch) == "OK" and r.mem(scratch, 2) == b"}#"
        report("%s-write-mem" % tag, ok, "M/X round trip")

    r.cmd("Z1,%x,4" % syms["done"])
    sig, tid = stop_thread(r.cmd("c"))
    pc, x19, x20 = r.reg(32), r.reg(19), r.reg(20)
    c0 = int.from_bytes(r.mem(syms["counter0"], 8), "little")
    report("%s-break-done" % tag, sig == 5 and tid == 1 and pc == syms["done"] and x19 == 100
           and x20 == 0xc0de and c0 == 100,
           "stop %s thread %s pc %#x x19 %d x20 %#x counter0 %d" % (sig, tid, pc, x19, x20, c0))
    r.cmd("z1,%x,4" % syms["done"])

    # core 1 alone (core 0 held at `done`), then Ctrl-C
    before = int.from_bytes(r.mem(syms["counter1"], 8), "little")
    r.send("vCont;c:2")
    time.sleep(0.3)
    r.interrupt()
    sig, tid = stop_thread(r.recv())
    after = int.from_bytes(r.mem(syms["counter1"], 8), "little")
    r.cmd("Hg1")
    pc0 = r.reg(32)
    ok = sig == 2 and pc0 == syms["done"] and (after > before or replay)
    report("%s-ctrl-c" % tag, ok, "stop %s thread %s core0 pc %#x counter1 %d -> %d" %
           (sig, tid, pc0, before, after))

    if replay:
        return  # core 1 may have reached its recorded end already
    # a breakpoint taken by core 1 (core 0 still held): after `ldr x6, [counter1]`
    bp1 = syms["secondary"] + 8
    r.cmd("Z0,%x,4" % bp1)
    sig, tid = stop_thread(r.cmd("vCont;c:2"))
    r.cmd("Hg2")
    pc1, x6 = r.reg(32), r.reg(6)
    c1 = int.from_bytes(r.mem(syms["counter1"], 8), "little")
    r.cmd("Hg1")
    pc0 = r.reg(32)
    r.cmd("z0,%x,4" % bp1)
    report("%s-break-core1" % tag, sig == 5 and tid == 2 and pc1 == bp1 and x6 == c1 and
           pc0 == syms["done"], "stop %s thread %s core1 pc %#x x6 %d counter1 %d core0 pc %#x" %
           (sig, tid, pc1, x6, c1, pc0))


def stress(bin_, elf, engine):
    """Breakpoints on both cores' loops, 80 rounds of what gdb does: insert,
    continue, remove, step the stopped thread. Every stop must be a real one
    (the reported core is at a breakpoint), every step must be the stepped
    core's, and both cores must have stopped at some point (thread=multi)."""
    tag = "gdb-aarch64-%s-two-core-breakpoints" % engine.replace(",thread=", "-")
    syms, _ = elf_symbols_and_bytes(elf)
    port = free_port()
    p, log = start([bin_, "-M", "virt", "-cpu", "cortex-a57", "-smp", "2", "-m", "128M",
                    "-nographic", "-accel", "tcg,backend=%s" % engine, "-kernel", elf], port)
    bad, counts = [], {1: 0, 2: 0}
    try:
        r = Remote(port)
        r.cmd("?")
        bps = [syms["marker"], syms["secondary"] + 8]
        for it in range(80):
            for b in bps:
                r.cmd("Z0,%x,4" % b)
            sig, tid = stop_thread(r.cmd("c"))
            r.cmd("Hg%d" % (tid or 1))
            pc = r.reg(32)
            if sig != 5 or tid not in counts or pc != bps[tid - 1]:
                bad.append("round %d: stop %s thread %s pc %#x" % (it, sig, tid, pc))
                break
            counts[tid] += 1
            for b in bps:
                r.cmd("z0,%x,4" % b)
            r.cmd("Hc%d" % tid)
            sig, t2 = stop_thread(r.cmd("vCont;s:%d" % tid))
            if (sig, t2) != (5, tid) or r.reg(32) != pc + 4:
                bad.append("round %d: step of %d gave %s %s" % (it, tid, sig, t2))
                break
        # thread=single runs core 0 first after each resume: it always stops first
        both = counts[1] and counts[2] or "thread=single" in engine
        report(tag, not bad and both, "%s stops per core %s" % (bad, counts))
        r.cmd("D")
        r.close()
    except (IOError, EOFError, OSError) as e:
        report(tag, False, "%s (stops %s)" % (e, counts))
    p.kill()
    p.wait()


def exit_kill(bin_, elf, engine):
    """c with no breakpoint: the guest powers off, the stub answers W00 and
    the emulator exits 0; k: the emulator exits at once."""
    tag = "gdb-aarch64-%s" % engine
    base = [bin_, "-M", "virt", "-cpu", "cortex-a57", "-m", "128M", "-nographic", "-accel",
            "tcg,backend=%s" % engine, "-kernel", elf]
    port = free_port()
    p, log = start(base, port)
    try:
        r = Remote(port)
        r.cmd("?")
        reply = r.cmd("c")
        rc = finish(p, 30)
        report("%s-exit-status" % tag, reply == "W00" and rc == 0, "reply %r exit %s" % (reply, rc))
    except (IOError, EOFError, OSError) as e:
        report("%s-exit-status" % tag, False, str(e))
        p.kill()
        p.wait()
    port = free_port()
    p, log = start(base + ["-smp", "4"], port)
    try:
        r = Remote(port)
        r.cmd("?")
        threads = r.cmd("qfThreadInfo")
        r.send("k")
        rc = finish(p, 30)
        report("%s-kill" % tag, rc == 0 and threads == "m1,2,3,4", "exit %s threads %s" % (rc, threads))
    except (IOError, EOFError, OSError) as e:
        report("%s-kill" % tag, False, str(e))
        p.kill()
        p.wait()


def linux_aarch64(bin_, image, engine):
    """The Debian kernel with the MMU on: memory at each core's pc (a kernel
    virtual address) is the Image's bytes (nokaslr: the image starts at
    KIMAGE_VADDR; the kernel patches a few words of its text, so nine words
    in ten must match), and a breakpoint on the IRQ vector (VBAR_EL1 + 0x280,
    + 0x480: from EL1 or EL0) stops a core there (the timer keeps coming)."""
    tag = "gdb-aarch64-linux-%s" % engine
    kimage = 0xffff800008000000
    img = open(image, "rb").read()
    port = free_port()
    cmd = [bin_, "-M", "virt", "-cpu", "cortex-a57", "-smp", "2", "-m", "512M", "-nographic",
           "-accel", "tcg,backend=%s" % engine, "-kernel", image, "-append",
           "console=ttyAMA0 nokaslr"]
    p, log = start(cmd, port)
    try:
        r = Remote(port, timeout=60)
        r.cmd("?")
        r.send("c")
        time.sleep(4)
        r.interrupt()
        sig, _ = stop_thread(r.recv())
        checked, bad = 0, []
        for t in (1, 2):
            r.cmd("Hg%d" % t)
            pc = r.reg(32) & ~0xff
            if kimage <= pc < kimage + len(img) - 256:
                checked += 1
                got = r.mem(pc, 256)
                want = img[pc - kimage:pc - kimage + 256]
                same = sum(got[i:i + 4] == want[i:i + 4] for i in range(0, 256, 4))
                if same < 58:
                    bad.append("%#x: %d of 64 words" % (pc, same))
        report("%s-read-virtual" % tag, sig == 2 and checked and not bad,
               "stop %s, %d cores in the kernel image, mismatches %s" % (sig, checked, bad))
        r.cmd("Hg1")
        vbar = r.reg(68 + 5)
        for off in (0x280, 0x480):
            r.cmd("Z0,%x,4" % (vbar + off))
        sig, tid = stop_thread(r.cmd("c"))
        r.cmd("Hg%d" % (tid or 1))
        pc, esr_ok = r.reg(32), r.reg(33) & 0x80  # PSTATE.I: IRQs masked on entry
        report("%s-break-virtual" % tag, sig == 5 and pc in (vbar + 0x280, vbar + 0x480) and esr_ok
               and vbar >= kimage, "stop %s thread %s pc %#x vbar %#x" % (sig, tid, pc, vbar))
        r.cmd("D")
        r.close()
    except (IOError, EOFError, OSError) as e:
        report("%s-session" % tag, False, str(e))
    p.kill()
    p.wait()


# ---------------------------------------------------------------- x86_64

def x86_64(bin_, bzimage, engine):
    tag = "gdb-x86_64-%s" % engine
    img = open(bzimage, "rb").read()
    setup_sects = img[0x1f1] or 4
    pm = (setup_sects + 1) * 512  # the protected-mode kernel, loaded at 1 MiB
    port = free_port()
    cmd = [bin_, "-M", "pc", "-smp", "2", "-m", "512M", "-nographic", "-accel",
           "tcg,backend=%s" % engine, "-kernel", bzimage, "-append", "console=ttyS0 nokaslr"]
    p, log = start(cmd, port)
    try:
        r = Remote(port, timeout=120)
        r.cmd("qSupported:multiprocess+")
        xml = r.cmd("qXfer:features:read:target.xml:0,3fff")
        report("%s-target-xml" % tag, xml.startswith("l") and "i386:x86-64" in xml and
               'name="xmm15"' in xml and 'name="fs_base"' in xml, xml[:80])
        sig, tid = stop_thread(r.cmd("?"))
        rip, rsi = r.reg(16), r.reg(4)
        report("%s-start-stopped" % tag, sig == 5 and tid == 1 and rip == 0x100200 and rsi == 0x7000,
               "stop %s thread %s rip %#x rsi %#x" % (sig, tid, rip, rsi))
        cs, eflags = r.reg(18), r.reg(17)
        report("%s-regs" % tag, cs == 0x10 and eflags & 0x202 == 0x2,
               "cs %#x eflags %#x" % (cs, eflags))
        got = r.mem(0x100200, 32)
        report("%s-read-code" % tag, got == img[pm + 0x200:pm + 0x220], repr(got))
        e1, e2 = r.cmd("m200000000,8"), r.cmd("m8000000000000000,8")
        report("%s-read-unmapped" % tag, e1 == "E14" and e2 == "E14", "%s %s" % (e1, e2))
        threads = r.cmd("qfThreadInfo")
        report("%s-threads" % tag, threads == "m1,2" and r.cmd("qsThreadInfo") == "l", threads)
        # startup_64 begins with cld (1 byte), cli (1 byte)
        sig, tid = stop_thread(r.cmd("vCont;s:1"))
        rip = r.reg(16)
        report("%s-step" % tag, sig == 5 and tid == 1 and rip == 0x100201 and img[pm + 0x200] == 0xfc,
               "stop %s thread %s rip %#x" % (sig, tid, rip))
        # the interpreter: a breakpoint two instructions on (cli; xor %eax,%eax), inside
        # the TB that starts at 0x100201; the JIT: the decompressed kernel's entry
        # (nokaslr: LOAD_PHYSICAL_ADDR, after seconds of decompression), rsi still the zero page
        bp = 0x100204 if engine == "interp" else 0x1000000
        r.cmd("Z0,%x,1" % bp)
        sig, tid = stop_thread(r.cmd("c"))
        rip, rsi = r.reg(16), r.reg(4)
        report("%s-break" % tag, sig == 5 and tid == 1 and rip == bp and rsi == 0x7000,
               "stop %s thread %s rip %#x rsi %#x" % (sig, tid, rip, rsi))
        r.cmd("z0,%x,1" % bp)
        r.send("c")
        time.sleep(0.5)
        r.interrupt()
        sig, tid = stop_thread(r.recv())
        report("%s-ctrl-c" % tag, sig == 2, "stop %s" % sig)
        report("%s-detach" % tag, r.cmd("D") == "OK", "D not OK")
        r.close()
        time.sleep(0.5)
        report("%s-runs-after-detach" % tag, p.poll() is None, "exited %s" % p.poll())
    except (IOError, EOFError, OSError) as e:
        report("%s-session" % tag, False, str(e))
    p.kill()
    p.wait()


# ---------------------------------------------------------------- replay

def replay(bin_, elf, engine):
    tag = "gdb-replay-aarch64-%s" % engine
    with tempfile.TemporaryDirectory() as d:
        rr = os.path.join(d, "run.rr")
        cmd = [bin_, "-M", "virt", "-cpu", "cortex-a57", "-smp", "2", "-m", "128M", "-nographic",
               "-accel", "tcg,backend=%s" % engine, "-kernel", elf, "-record", rr]
        rec = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        if rec.returncode != 0:
            report("%s-record" % tag, False, rec.stderr.decode(errors="replace")[-300:])
            return
        aarch64(bin_, elf, engine, tag=tag, extra=["-replay", rr], replay=True)


def main():
    what, bin_, image, engine = sys.argv[1:5]
    if what == "aarch64":
        aarch64(bin_, image, engine)
    elif what == "linux":
        linux_aarch64(bin_, image, engine)
    elif what == "stress":
        stress(bin_, image, engine)
    elif what == "exit-kill":
        exit_kill(bin_, image, engine)
    elif what == "replay":
        replay(bin_, image, engine)
    elif what == "x86_64":
        x86_64(bin_, image, engine)
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
