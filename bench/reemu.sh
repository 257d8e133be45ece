#!/usr/bin/env bash
# bench/reemu.sh — record/replay cost (docs/reemu.md, docs/performance.md).
#
#   bench/reemu.sh [SMP...]          default: 1 2 4
#
# For each core count: the wall time of the same boot + guest job as a normal coremu run
# (exact counting on, as record needs), a -record run and a -replay run, and the log's
# size (bytes, bytes per second per core). For 1 core also Debian QEMU's record/replay
# (-icount shift=0,rr=record|replay,rrfile=; QEMU refuses rr with more than one core).
# The job: the racy stress programs if the initramfs has them, and a shell loop.
# Prints a markdown table.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/coremu-system-aarch64}
IMAGES=${COREMU_IMAGES:-$ROOT/images}
QEMU=${QEMU:-$(command -v qemu-system-aarch64)}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cp "$IMAGES/aarch64/Image" "$IMAGES/aarch64/rootfs.cpio.gz" "$W/"
SMPS=${*:-1 2 4}

JOB='i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo loop=$i'
if zcat "$W/rootfs.cpio.gz" | cpio -t 2>/dev/null | grep -q '^stress/racy-counter$'; then
    JOB="/stress/racy-counter 4 20000; $JOB"
fi
APPEND="console=ttyAMA0 panic=-1 quiet coremu.cmd=$(printf '%s' "$JOB" | base64 -w0)"

# t EMULATOR ARGS...: wall seconds of one run (status must be 0)
t() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" -M virt -cpu cortex-a57 -m 256M -nographic -no-reboot -kernel "$W/Image" \
        -initrd "$W/rootfs.cpio.gz" -append "$APPEND" >"$W/out" 2>&1 </dev/null || {
        echo "run failed: $*" >&2
        tail -5 "$W/out" >&2
    }
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}'
}

echo "| cores | normal (s) | record (s) | replay (s) | record/normal | replay/normal | log bytes | log bytes/s/core |"
echo "|---|---|---|---|---|---|---|---|"
for n in $SMPS; do
    tn=$(t "$BIN" -smp "$n" -icount shift=0)
    tr=$(t "$BIN" -smp "$n" -record "$W/r$n.rr")
    tp=$(t "$BIN" -smp "$n" -replay "$W/r$n.rr")
    grep -q "matched the record" "$W/out" || echo "replay at -smp $n did not match" >&2
    b=$(stat -c %s "$W/r$n.rr")
    awk -v n="$n" -v tn="$tn" -v tr="$tr" -v tp="$tp" -v b="$b" 'BEGIN {
        printf "| %d | %.2f | %.2f | %.2f | %.2f | %.2f | %d | %.0f |\n",
               n, tn, tr, tp, tr / tn, tp / tn, b, b / tr / n }'
done
if [[ -n $QEMU ]]; then
    qn=$(t "$QEMU" -smp 1 -icount shift=0)
    qr=$(t "$QEMU" -smp 1 -icount shift=0,rr=record,rrfile="$W/q.rr")
    qp=$(t "$QEMU" -smp 1 -icount shift=0,rr=replay,rrfile="$W/q.rr")
    qb=$(stat -c %s "$W/q.rr" 2>/dev/null || echo 0)
    echo
    echo "| Debian QEMU, 1 core | normal -icount (s) | rr=record (s) | rr=replay (s) | record/normal | replay/normal | log bytes | log bytes/s |"
    echo "|---|---|---|---|---|---|---|---|"
    awk -v tn="$qn" -v tr="$qr" -v tp="$qp" -v b="$qb" 'BEGIN {
        printf "| 1 | %.2f | %.2f | %.2f | %.2f | %.2f | %d | %.0f |\n",
               tn, tr, tp, tr / tn, tp / tn, b, b / tr }'
fi
