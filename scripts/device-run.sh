#!/usr/bin/env bash
# device-run.sh — run the scalability benchmark from dev-bundle/bundle.tar.gz
# (scripts/device-bundle.sh) on a machine with nothing installed; copies the
# table, data and log to $OUT (default build/bench).
#   scripts/device-run.sh [MAXCORES] [WORKLOAD=wordcount|pigz] [MB]
set -u
cd "$(dirname "$0")/.."
B=/tmp/coremu-bundle
rm -rf "$B" && mkdir -p "$B" && tar -C "$B" -xzf dev-bundle/bundle.tar.gz || exit 1
OUT=${OUT:-build/bench}
mkdir -p "$OUT"
COREMU=$B/bin/coremu-system-aarch64 QEMU=$B/bin/qemu-system-aarch64 \
    SCALING_INITRD=$B/images/aarch64/rootfs-scaling.cpio.gz COREMU_IMAGES=$B/images \
    bench/scaling.sh "$@" 2>&1 | tee "$OUT/scaling-${2:-wordcount}.txt"
cp build/bench/*.dat build/bench/*.png "$OUT/" 2>/dev/null || true
