#!/usr/bin/env python3
"""test-shell-aarch64.py — an interactive shell on the serial console, through a
real pseudo-terminal (the emulator's stdin is a TTY, so it runs in raw mode):
boot with coremu.shell=1, type a command, read its output, exit the shell
(the guest powers off: status 0); then Ctrl-A x quits a second boot (status 0)
and the terminal settings are restored."""
import os
import pty
import select
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "build/coremu-system-aarch64")
IMG = os.environ.get("COREMU_IMAGES", os.path.join(ROOT, "images")) + "/aarch64"
ARGS = [BIN, "-M", "virt", "-cpu", "cortex-a57", "-m", "1G", "-nographic", "-no-reboot",
        "-kernel", IMG + "/Image", "-initrd", IMG + "/rootfs.cpio.gz",
        "-append", "console=ttyAMA0 panic=-1 coremu.shell=1"]
failures = 0


def result(name, ok, why):
    global failures
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)), flush=True)
    failures += 0 if ok else 1


class Guest:
    def __init__(self):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(BIN, ARGS)
        self.buf = b""

    def expect(self, pat, timeout):
        end = time.time() + timeout
        while pat not in self.buf:
            left = end - time.time()
            if left <= 0:
                return False
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    return False
                if not data:
                    return False
                self.buf += data
        self.buf = self.buf[self.buf.index(pat) + len(pat):]
        return True

    def send(self, data):
        os.write(self.fd, data)

    def wait(self, timeout):
        end = time.time() + timeout
        while time.time() < end:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(st)
            try:
                r, _, _ = select.select([self.fd], [], [], 0.2)
                if r:
                    os.read(self.fd, 4096)
            except OSError:
                pass
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        return None


g = Guest()
ok = g.expect(b"COREMU-GUEST-READY", 240) and g.expect(b"# ", 60)
result("shell-prompt", ok, "no marker and shell prompt")
time.sleep(1)  # ash drops input typed before it set up line editing, like real hardware
g.send(b"echo $((1000 + 337))\r")
result("shell-command-output", g.expect(b"1337", 60), "typed command's output not seen")
g.send(b"exit\r")
result("shell-exit-poweroff", g.expect(b"COREMU-GUEST-DONE rc=0", 60), "no DONE after exit")
st = g.wait(60)
result("shell-exit-status", st == 0, "emulator exit status %r, expected 0" % st)

g = Guest()
ok = g.expect(b"# ", 240)
time.sleep(1)
g.send(b"\x01x")
st = g.wait(30)
result("ctrl-a-x-quits", st == 0, "exit status %r after Ctrl-A x, expected 0" % st)
sys.exit(1 if failures else 0)
