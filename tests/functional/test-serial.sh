#!/usr/bin/env bash
# test-serial.sh — the serial back-ends end to end, through the real binary:
# Ctrl-A escapes on stdio (from a pipe and from a pseudo terminal), guest
# output to stdout and to -serial file:PATH, guest input reaching the PL011,
# EOF on stdin not ending the run, and the terminal restored after Ctrl-A x
# and after SIGTERM.
#
# Guests are three tiny bare-metal AArch64 programs built here with
# aarch64-linux-gnu-gcc: spin (b .), hello (prints a line on the PL011 and
# powers off through PSCI SYSTEM_OFF), echo (echoes PL011 input until 'q').
#
# Usage: tests/functional/test-serial.sh [BINARY]  (default build/coremu-system-aarch64)
set -u
cd "$(dirname "$0")/../.."
BIN=${1:-build/coremu-system-aarch64}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap "" PIPE  # input written after the emulator exited must not kill this script
[[ -x "$BIN" ]] || { echo "FAIL serial-binary: $BIN not built"; exit 1; }
command -v aarch64-linux-gnu-gcc >/dev/null ||
    { echo "FAIL serial-setup: aarch64-linux-gnu-gcc missing (scripts/install-deps.sh installs it)"; exit 1; }

# PL011 at 0x09000000 (DR at +0, FR at +0x18: RXFE bit 4); PSCI SYSTEM_OFF = 0x84000008
build() { # name, body
    printf '.globl _start\n_start:\n%s\n' "$2" > "$tmp/$1.S"
    aarch64-linux-gnu-gcc -nostdlib -static -Wl,-Ttext=0x40080000 -o "$tmp/$1.elf" "$tmp/$1.S" ||
        { echo "FAIL serial-setup: cannot assemble $1"; exit 1; }
}
OFF='    movz x0, #0x0008
    movk x0, #0x8400, lsl #16
    hvc #0
9:  b 9b'
build spin '1:  b 1b'
build hello "    ldr x1, =0x09000000
    adr x2, msg
1:  ldrb w3, [x2], #1
    cbz w3, 2f
    str w3, [x1]
    b 1b
2:
$OFF
msg: .asciz \"hello from the guest\\n\"
    .balign 8"
build echo "    ldr x1, =0x09000000
1:  ldr w3, [x1, #0x18]
    tbnz w3, #4, 1b
    ldr w3, [x1]
    and w3, w3, #0xff
    str w3, [x1]
    cmp w3, #'q'
    b.ne 1b
$OFF"

G=(-M virt -m 128M -nographic)

# run_fifo NAME TIMEOUT INPUT-SCRIPT ARGS...: the emulator reads a FIFO the shell
# writes with INPUT-SCRIPT (a shell snippet writing to fd 3); $OUT, $ERR, $RC after
run_fifo() {
    local name=$1 tmo=$2 input=$3; shift 3
    OUT=$tmp/$name.out ERR=$tmp/$name.err
    rm -f "$tmp/fifo"; mkfifo "$tmp/fifo"
    timeout --kill-after=5 "$tmo" "$BIN" "$@" <"$tmp/fifo" >"$OUT" 2>"$ERR" &
    local pid=$!
    exec 3>"$tmp/fifo"
    eval "$input"
    wait "$pid"; RC=$?
    exec 3>&-
}

result() { # name, condition-description, command...
    local name=$1 why=$2; shift 2
    if "$@"; then
        echo "PASS $name"
    else
        echo "FAIL $name: $why (status $RC; stdout: $(head -c 200 "$OUT" | tr '\n\r\001' '|| '); stderr: $(head -c 200 "$ERR" | tr '\n' '|'))"
    fi
}

run_fifo ctrl-a-x 20 'sleep 0.5; printf "\001x" >&3' -kernel "$tmp/spin.elf" "${G[@]}"
result serial-ctrl-a-x "Ctrl-A x should end the run with status 0 and 'coremu: terminated'" \
    eval '[[ $RC -eq 0 ]] && grep -q "coremu: terminated" "$OUT"'

run_fifo ctrl-a-h 20 'sleep 0.3; printf "\001h" >&3; sleep 0.3; printf "\001x" >&3' \
    -kernel "$tmp/spin.elf" "${G[@]}"
result serial-ctrl-a-h "Ctrl-A h should list the escapes" \
    eval '[[ $RC -eq 0 ]] && grep -q "C-a x" "$OUT" && grep -q "C-a h" "$OUT"'

run_fifo eof-keeps-running 3 'exec 3>&-' -kernel "$tmp/spin.elf" "${G[@]}"
result serial-eof-keeps-running "EOF on stdin must not end the run (expected the timeout's 124)" \
    test "$RC" -eq 124

run_fifo stdio-output 20 ':' -kernel "$tmp/hello.elf" "${G[@]}"
result serial-stdio-output "guest PL011 output should reach stdout; PSCI off should give status 0" \
    eval '[[ $RC -eq 0 ]] && grep -q "hello from the guest" "$OUT"'

run_fifo file-output 20 ':' -kernel "$tmp/hello.elf" -M virt -m 128M -serial "file:$tmp/serial.txt"
result serial-file-output "guest output should be in the -serial file, not on stdout" \
    eval '[[ $RC -eq 0 ]] && grep -q "hello from the guest" "$tmp/serial.txt" && ! grep -q hello "$OUT"'

run_fifo echo-input 20 'sleep 0.3; printf "ab\001\001cd" >&3; sleep 0.2; printf q >&3' \
    -kernel "$tmp/echo.elf" "${G[@]}"
result serial-input-echo "guest should echo 'ab<C-a>cdq' (C-a C-a sends one C-a) and power off" \
    eval '[[ $RC -eq 0 ]] && grep -q "ab$(printf "\001")cdq" "$OUT"'

# A real terminal: raw while running, restored after Ctrl-A x and after SIGTERM.
tty_case() { # name, how (ctrl-a-x | sigterm)
    python3 - "$BIN" "$tmp/spin.elf" "$2" <<'EOF'
import os, pty, signal, sys, termios, time
binary, kernel, how = sys.argv[1:4]
pid, master = pty.fork()
if pid == 0:
    os.execv(binary, [binary, "-M", "virt", "-m", "128M", "-nographic", "-kernel", kernel])
before = termios.tcgetattr(master)
def drain(t):
    out, end = b"", time.time() + t
    while time.time() < end:
        try:
            out += os.read(master, 4096)
        except OSError:
            break
    return out
# wait until the emulator has switched the terminal to raw mode
end, raw = time.time() + 10, None
while time.time() < end:
    attrs = termios.tcgetattr(master)
    if not attrs[3] & termios.ICANON:
        raw = attrs
        break
    time.sleep(0.05)
if raw is None:
    os.kill(pid, signal.SIGKILL); os.waitpid(pid, 0)
    print("terminal never became raw"); sys.exit(1)
if raw[3] & (termios.ECHO | termios.ISIG):
    print("raw mode keeps ECHO or ISIG"); sys.exit(1)
if how == "ctrl-a-x":
    os.write(master, b"\x01x")
else:
    os.kill(pid, signal.SIGTERM)
import select
status, end = None, time.time() + 10
while time.time() < end:
    select.select([master], [], [], 0.1)
    try:
        os.read(master, 4096)
    except OSError:
        pass
    p, st = os.waitpid(pid, os.WNOHANG)
    if p == pid:
        status = st
        break
if status is None:
    os.kill(pid, signal.SIGKILL); os.waitpid(pid, 0)
    print("emulator did not exit"); sys.exit(1)
after = termios.tcgetattr(master)
if how == "ctrl-a-x" and not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
    print("exit status %#x after Ctrl-A x" % status); sys.exit(1)
if how == "sigterm" and not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM):
    print("status %#x after SIGTERM (want death by SIGTERM)" % status); sys.exit(1)
if after != before:
    print("terminal settings not restored"); sys.exit(1)
print("ok")
EOF
}
for how in ctrl-a-x sigterm; do
    msg=$(tty_case "$how" "$how" 2>&1)
    if [[ "$msg" == ok ]]; then
        echo "PASS serial-tty-restored-$how"
    else
        echo "FAIL serial-tty-restored-$how: $msg"
    fi
done
