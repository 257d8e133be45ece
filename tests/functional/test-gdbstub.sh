#!/usr/bin/env bash
# test-gdbstub.sh — the gdb remote stub (-s, -S, -gdb tcp::PORT), both targets.
#
#   tests/functional/test-gdbstub.sh
#
# 1. Command-line errors: one line on stderr, exit status 1.
# 2. gdbstub/gdbremote.py speaks the remote protocol itself (no gdb needed):
#    - AArch64: a bare-metal guest (gdbstub/guest-aarch64.S, built here) on 2
#      cores, both tcg backends: stopped at the entry under -S, target.xml,
#      'g', threads, memory against the ELF, E14 for unmapped addresses,
#      breakpoints with predictable registers, all-stop (core 1's counter
#      does not move while stopped), one-instruction steps, register and
#      memory writes, vCont for one thread, Ctrl-C, a breakpoint on core 1,
#      detach (the guest then powers off by itself); also with thread=single;
#    - the same under -replay of a recorded run (the replay must still match);
#    - 80 rounds of breakpoints on both cores, stepped over as gdb does;
#    - W00 when the guest powers off under 'c', and 'k' (4 cores);
#    - the Debian arm64 kernel (MMU on): memory at each core's pc against the
#      Image, a breakpoint on the IRQ vector (VBAR_EL1 read through the stub);
#    - x86-64: the Debian bzImage, stopped at startup_64 (0x100200, rsi =
#      the zero page), code bytes against the file, a one-byte step (cld), a
#      breakpoint at the decompressed kernel's entry (JIT) or mid-TB
#      (interpreter), Ctrl-C, detach.
# 3. Real gdb (gdb-multiarch) in batch mode against the AArch64 guest and the
#    x86-64 kernel's entry; SKIP when it is not installed.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
A64=build/coremu-system-aarch64
X86=build/coremu-system-x86_64
PY=tests/functional/gdbstub/gdbremote.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect_error NAME PATTERN ARGS...: exit 1 and one stderr line matching PATTERN
expect_error() {
    local name=$1 pat=$2; shift 2
    timeout 20 "$A64" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local rc=$? lines
    lines=$(wc -l <"$tmp/err")
    if [[ $rc -eq 1 && $lines -eq 1 ]] && grep -qiE -e "$pat" "$tmp/err"; then
        echo "PASS $name"
    else
        echo "FAIL $name: exit $rc, stderr: $(head -c 300 "$tmp/err" | tr '\n' '|')"
        fail=1
    fi
}

if [[ ! -x $A64 ]]; then
    echo "FAIL gdb-setup: $A64 not built"
    exit 1
fi
if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
    echo "FAIL gdb-setup: aarch64-linux-gnu-gcc missing (scripts/install-deps.sh installs it)"
    exit 1
fi
ELF=$tmp/guest.elf
if ! aarch64-linux-gnu-gcc -nostdlib -static -no-pie -Wl,-Ttext=0x40080000 \
        -Wl,--no-warn-rwx-segments -o "$ELF" tests/functional/gdbstub/guest-aarch64.S; then
    echo "FAIL gdb-setup: cannot build the guest"
    exit 1
fi

# ---- 1. options
expect_error gdb-cli-bad-spec "-gdb.*not tcp::PORT" -kernel "$ELF" -gdb foo
expect_error gdb-cli-bad-port "-gdb.*not tcp::PORT" -kernel "$ELF" -gdb tcp::99999
expect_error gdb-cli-no-value "needs a value" -kernel "$ELF" -gdb
expect_error gdb-cli-S-alone "-S needs a debugger" -kernel "$ELF" -S
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -c "
import socket, time
s = socket.socket()
s.bind(('0.0.0.0', $port)); s.listen(1); open('$tmp/held', 'w').close(); time.sleep(15)" &
holder=$!
for _ in $(seq 100); do [[ -e $tmp/held ]] && break; sleep 0.1; done
expect_error gdb-cli-port-busy "cannot listen" -M virt -kernel "$ELF" -gdb tcp::$port
kill $holder 2>/dev/null
wait $holder 2>/dev/null

# ---- 2. the protocol, spoken directly
for eng in jit interp jit,thread=single; do
    python3 $PY aarch64 "$A64" "$ELF" $eng || fail=1
    python3 $PY stress "$A64" "$ELF" $eng || fail=1
done
for eng in jit interp; do
    python3 $PY replay "$A64" "$ELF" $eng || fail=1
done
python3 $PY exit-kill "$A64" "$ELF" jit || fail=1
if [[ -s images/aarch64/Image ]]; then
    python3 $PY linux "$A64" images/aarch64/Image jit || fail=1
else
    echo "SKIP gdb-aarch64-linux: images/aarch64/Image missing (scripts/fetch-images.sh)"
fi
if [[ -x $X86 && -s images/x86_64/bzImage ]]; then
    for eng in jit interp; do
        python3 $PY x86_64 "$X86" images/x86_64/bzImage $eng || fail=1
    done
else
    echo "SKIP gdb-x86_64: needs $X86 and images/x86_64/bzImage (scripts/fetch-images.sh)"
fi

# ---- 3. gdb itself
GDB=$(command -v gdb-multiarch || true)
if [[ -z $GDB ]]; then
    echo "SKIP gdb-multiarch-batch: gdb-multiarch not installed (apt-get install gdb-multiarch)"
else
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    timeout 60 "$A64" -M virt -cpu cortex-a57 -smp 2 -m 128M -nographic -kernel "$ELF" \
        -S -gdb tcp::$port >"$tmp/emu.out" 2>&1 </dev/null &
    emu=$!
    timeout 50 "$GDB" -batch -nx "$ELF" -ex "target remote :$port" \
        -ex 'break marker' -ex 'continue' -ex 'printf "X19=%d\n", $x19' \
        -ex 'stepi' -ex 'printf "PC=%#lx\n", $pc' -ex 'info threads' \
        -ex 'delete' -ex 'break done' -ex 'continue' -ex 'printf "DONE=%d,%#lx\n", $x19, $x20' \
        -ex 'printf "MEM=%d\n", *(long *)&counter0' -ex 'p $v0.d.u[0]' -ex 'detach' \
        >"$tmp/gdb.out" 2>&1 </dev/null
    wait $emu
    rc=$?
    marker=$(aarch64-linux-gnu-nm "$ELF" | awk '$3 == "marker" { print $1 }')
    marker4=$(printf "0x%x" $((0x$marker + 4)))
    if grep -q '^X19=1$' "$tmp/gdb.out" && grep -q "^PC=$marker4\$" "$tmp/gdb.out" &&
       grep -q 'Thread 2 ' "$tmp/gdb.out" && grep -q '^DONE=100,0xc0de$' "$tmp/gdb.out" &&
       grep -q '^MEM=100$' "$tmp/gdb.out" && [[ $rc -eq 0 ]]; then
        echo "PASS gdb-multiarch-batch"
    else
        echo "FAIL gdb-multiarch-batch: emulator exit $rc; gdb said: $(tail -15 "$tmp/gdb.out" | tr '\n' '|')"
        fail=1
    fi
    if [[ -x $X86 && -s images/x86_64/bzImage ]]; then
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
        timeout 60 "$X86" -M pc -smp 2 -m 512M -nographic -kernel images/x86_64/bzImage \
            -S -gdb tcp::$port >"$tmp/emu.out" 2>&1 </dev/null &
        emu=$!
        timeout 50 "$GDB" -batch -nx -ex "target remote :$port" \
            -ex 'printf "PC=%#lx RSI=%#lx\n", $pc, $rsi' -ex 'stepi' -ex 'printf "PC=%#lx\n", $pc' \
            -ex 'x/2i $pc' -ex 'info threads' -ex 'p $xmm0.uint128' -ex 'p/x $cr0' -ex 'kill' \
            >"$tmp/gdb.out" 2>&1 </dev/null
        wait $emu
        rc=$?
        if grep -q '^PC=0x100200 RSI=0x7000$' "$tmp/gdb.out" && grep -q '^PC=0x100201$' "$tmp/gdb.out" &&
           grep -q '0x100201:.*cli' "$tmp/gdb.out" && grep -q 'Thread 2 ' "$tmp/gdb.out" &&
           [[ $rc -eq 0 ]]; then
            echo "PASS gdb-multiarch-batch-x86_64"
        else
            echo "FAIL gdb-multiarch-batch-x86_64: emulator exit $rc; gdb said: $(tail -15 "$tmp/gdb.out" | tr '\n' '|')"
            fail=1
        fi
    fi
fi
exit $fail
