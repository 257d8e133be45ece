#!/usr/bin/env bash
# test-smp-many-aarch64.sh — the Debian arm64 kernel with 64, 128 and 255 cores
# (each on its own host thread, oversubscribing the host): every core comes
# online and the guest powers off cleanly. The slowest test (~6 min on 2 host cores).
set -u
source "$(dirname "$0")/lib.sh"
need_images

job='echo "online=$(cat /sys/devices/system/cpu/online)"'
for smp in 64 128 255; do
    GUEST_MEM=4G boot_aarch64 smp$smp 900 "$job" -smp $smp
    check "smp$smp-marker" "marker with cpus=$smp missing" grep -q "COREMU-GUEST-READY arch=aarch64 cpus=$smp" "$OUT"
    check "smp$smp-online" "not all $smp cores online" grep -q "online=0-$((smp - 1))" "$OUT"
    check "smp$smp-exit" "exit status $RC" test "$RC" -eq 0
    echo "smp$smp: ${ELAPSED}s" >&2
done
