#!/usr/bin/env bash
# test-sanitized-boot.sh — the whole emulator built with AddressSanitizer and
# UndefinedBehaviorSanitizer (build/asan, made by `make check`) boots the Debian
# arm64 and amd64 kernels on 2 cores to the marker and powers off: no
# out-of-bounds access, use-after-free or undefined behaviour anywhere on the
# boot path (UBSan aborts on the first report: -fno-sanitize-recover).
# Leak reports are off (process-lifetime allocations).
set -u
source "$(dirname "$0")/lib.sh"

sanboot() { # NAME BIN ARGS...
    local name=$1 bin=$2; shift 2
    if [[ ! -x $bin ]]; then
        echo "SKIP $name: $bin not built (make O=build/asan SAN=asan OPT=-O1 all)"
        return
    fi
    OUT=$WORK/$name.out
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        timeout --kill-after=5 600 "$bin" -smp 2 -m 512M -nographic -no-reboot "$@" \
        >"$OUT" 2>&1 </dev/null
    RC=$?
    check "$name-clean" "sanitizer report: $(grep -m1 'runtime error\|ERROR: AddressSanitizer' "$OUT")" \
        bash -c "! grep -q 'runtime error\|ERROR: AddressSanitizer' '$OUT'"
    check "$name-marker" "no marker (rc=$RC): $(tail -c 300 "$OUT" | tr '\n' ' ')" \
        grep -q COREMU-GUEST-READY "$OUT"
    check "$name-exit" "exit status $RC" test "$RC" -eq 0
}

sanboot asan-boot-aarch64 "$ROOT/build/asan/coremu-system-aarch64" -M virt -cpu max \
    -kernel "$IMAGES/aarch64/Image" -initrd "$IMAGES/aarch64/rootfs.cpio.gz" \
    -append "console=ttyAMA0 panic=-1"
sanboot asan-boot-x86_64 "$ROOT/build/asan/coremu-system-x86_64" -M pc -cpu max \
    -kernel "$IMAGES/x86_64/bzImage" -initrd "$IMAGES/x86_64/rootfs.cpio.gz" \
    -append "console=ttyS0 panic=-1"
