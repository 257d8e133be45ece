#!/usr/bin/env bash
# test-cli.sh — every command-line error path: bad input gets exactly one
# line on stderr naming the problem, and exit status 1; help/version exit 0.
#
# Usage: tests/functional/test-cli.sh [BINARY]  (default build/coremu-system-aarch64)
set -u
cd "$(dirname "$0")/../.."
BIN=${1:-build/coremu-system-aarch64}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[[ -x "$BIN" ]] || { echo "FAIL cli-binary: $BIN not built"; exit 1; }

# a minimal valid kernel for cases that must get past the kernel check:
# an AArch64 ELF that powers off through PSCI (hvc #0 with x0 = SYSTEM_OFF)
KERNEL=$tmp/off.elf
if command -v aarch64-linux-gnu-gcc >/dev/null; then
    printf '.globl _start\n_start: movz x0, #0x0008\n movk x0, #0x8400, lsl #16\n hvc #0\n1: b 1b\n' > "$tmp/off.S"
    aarch64-linux-gnu-gcc -nostdlib -static -Wl,-Ttext=0x40080000 -o "$KERNEL" "$tmp/off.S"
else
    echo "FAIL cli-setup: aarch64-linux-gnu-gcc missing (scripts/install-deps.sh installs it)"; exit 1
fi
head -c 1000 /dev/urandom > "$tmp/garbage"
: > "$tmp/empty"
mkdir "$tmp/adir"
seq 1 20000 | gzip > "$tmp/initrd.gz"
head -c 2000 "$tmp/initrd.gz" > "$tmp/initrd-trunc.gz"
{ head -c 100 "$tmp/initrd.gz"; head -c 3000 /dev/zero | tr '\0' 'x'; } > "$tmp/initrd-corrupt.gz"

# expect_error NAME PATTERN ARGS... : exit 1, one stderr line matching PATTERN, no stdout noise
expect_error() {
    local name=$1 pat=$2; shift 2
    timeout 20 "$BIN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local rc=$? lines
    lines=$(wc -l <"$tmp/err")
    if [[ $rc -ne 1 ]]; then
        echo "FAIL $name: exit status $rc, expected 1 (stderr: $(head -c 200 "$tmp/err"))"
    elif [[ $lines -ne 1 ]]; then
        echo "FAIL $name: $lines lines on stderr, expected 1: $(head -c 300 "$tmp/err" | tr '\n' '|')"
    elif ! grep -qiE "$pat" "$tmp/err"; then
        echo "FAIL $name: stderr '$(cat "$tmp/err")' does not match /$pat/"
    else
        echo "PASS $name"
    fi
}

# expect_ok NAME PATTERN ARGS... : exit 0 and stdout matching PATTERN
expect_ok() {
    local name=$1 pat=$2; shift 2
    timeout 20 "$BIN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local rc=$?
    if [[ $rc -ne 0 ]]; then
        echo "FAIL $name: exit status $rc (stderr: $(head -c 200 "$tmp/err"))"
    elif ! grep -qE "$pat" "$tmp/out"; then
        echo "FAIL $name: stdout does not match /$pat/: $(head -c 200 "$tmp/out")"
    else
        echo "PASS $name"
    fi
}

K=(-kernel "$KERNEL" -nographic)
expect_error unknown-option "unknown option '-frobnicate'" -frobnicate
expect_error unknown-option-dashdash "unknown option" --frobnicate "${K[@]}"
expect_error missing-value "needs a value" "${K[@]}" -m
expect_error stray-argument "unexpected argument" "${K[@]}" stray
expect_error smp-zero "not a number in 1\.\.255" "${K[@]}" -smp 0
expect_error smp-text "'abc' is not a number" "${K[@]}" -smp abc
expect_error smp-too-many "not a number in 1\.\.255" "${K[@]}" -smp 300
expect_error smp-bad-key "unknown property 'bogus'" "${K[@]}" -smp cpus=2,bogus=1
expect_error mem-suffix "unknown size suffix" "${K[@]}" -m 12X
expect_error mem-text "not a size" "${K[@]}" -m lots
expect_error mem-too-small "too small" "${K[@]}" -m 1
expect_error machine-unknown "unknown machine 'nosuch'" "${K[@]}" -M nosuch
expect_error machine-prop "unknown property" "${K[@]}" -M virt,frob=1
expect_error cpu-unknown "unknown CPU model 'nosuch'" "${K[@]}" -cpu nosuch
expect_error no-kernel "no kernel given" -nographic
expect_error kernel-missing "cannot open kernel '/nonexistent/k'" -kernel /nonexistent/k
expect_error kernel-dir "kernel" -kernel "$tmp/adir" -nographic
expect_error kernel-garbage "not an arm64 Image|not .*(ELF|Image)" -kernel "$tmp/garbage" -nographic
expect_error kernel-empty "kernel" -kernel "$tmp/empty" -nographic
expect_error initrd-missing "cannot open initrd '/nonexistent/i'" "${K[@]}" -initrd /nonexistent/i
expect_error initrd-empty "initrd.*empty" "${K[@]}" -initrd "$tmp/empty"
expect_error initrd-truncated "initrd .* is truncated" "${K[@]}" -initrd "$tmp/initrd-trunc.gz"
expect_error initrd-corrupt "initrd .* is (corrupt|truncated)" "${K[@]}" -initrd "$tmp/initrd-corrupt.gz"
expect_error dtb-missing "cannot open device tree" "${K[@]}" -dtb /nonexistent/d
expect_error serial-bad "unknown back-end 'bogus'" "${K[@]}" -serial bogus
expect_error serial-file-unwritable "serial|cannot" "${K[@]}" -serial file:/nonexistent/dir/out
expect_error display-bad "display 'gtk' is not available" "${K[@]}" -display gtk
expect_error accel-bad "accelerator 'kvm' is not available" "${K[@]}" -accel kvm
expect_error accel-thread-bad "thread must be 'multi' or 'single'" "${K[@]}" -accel tcg,thread=triple
expect_error accel-backend-bad "backend must be 'jit' or 'interp'" "${K[@]}" -accel tcg,backend=fpga
expect_error log-item-bad "unknown log item 'bogus'" "${K[@]}" -d in_asm,bogus
expect_error log-file-bad "cannot open log file" "${K[@]}" -D /nonexistent/dir/log
expect_error drive-missing "cannot open disk image '/nonexistent/disk'" "${K[@]}" -drive file=/nonexistent/disk,format=raw,if=virtio
expect_error drive-unwritable "cannot open disk image .* for writing" "${K[@]}" -drive file="$tmp/adir",format=raw,if=virtio
expect_error drive-format "format 'qcow2' is not supported" "${K[@]}" -drive file="$tmp/empty",format=qcow2
expect_error drive-nofile "file= is required" "${K[@]}" -drive format=raw
expect_error coremu-bad-key "unknown property 'frob'" "${K[@]}" -coremu frob=1
expect_error coremu-stats-empty "stats= needs a file name" "${K[@]}" -coremu stats=
expect_error device-unknown "unknown device 'e1000'" "${K[@]}" -device e1000
expect_error device-nodrive "no -drive with id=d0" "${K[@]}" -device virtio-blk-device,drive=d0

expect_ok version "coremu [0-9]" -version
expect_ok help "usage:" -help
expect_ok machine-help "virt" -M help
expect_ok cpu-help "cortex-a57" -cpu help
expect_ok log-help "in_asm" -d help
# a bare-metal ELF that powers off through PSCI: exit 0, nothing on stderr
timeout 20 "$BIN" "${K[@]}" -serial none >"$tmp/out" 2>"$tmp/err" </dev/null
rc=$?
if [[ $rc -eq 0 && ! -s "$tmp/err" ]]; then echo "PASS poweroff-elf"; else echo "FAIL poweroff-elf: exit $rc, stderr: $(head -c 200 "$tmp/err")"; fi
timeout 20 "$BIN" "${K[@]}" -serial none -accel tcg,backend=interp >"$tmp/out" 2>"$tmp/err" </dev/null
rc=$?
if [[ $rc -eq 0 && ! -s "$tmp/err" ]]; then echo "PASS poweroff-elf-interp"; else echo "FAIL poweroff-elf-interp: exit $rc, stderr: $(head -c 200 "$tmp/err")"; fi

# per-core statistics: one JSON object per core, with translated TBs counted
timeout 20 "$BIN" "${K[@]}" -serial none -smp 2 -coremu stats="$tmp/stats.json" >/dev/null 2>&1 </dev/null
if python3 -c "
import json, sys
rows = [json.loads(l) for l in open('$tmp/stats.json')]
assert [r['core'] for r in rows] == [0, 1], rows
assert rows[0]['tbs_translated'] > 0 and rows[0]['tbs_executed'] > 0, rows[0]
assert rows[1]['tbs_translated'] == 0, rows[1]  # never started (PSCI CPU_ON)
" 2>"$tmp/err"; then echo "PASS coremu-stats-file"; else echo "FAIL coremu-stats-file: $(tail -1 "$tmp/err")"; fi
