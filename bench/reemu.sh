#!/usr/bin/env bash
# bench/reemu.sh — record/replay cost (docs/reemu.md, docs/performance.md).
#
#   [ARCH=aarch64|x86_64] bench/reemu.sh [SMP...]          default: 1 2 4
#
# ARCH=x86_64: the Debian amd64 guest on the "pc" machine (default: arm64 on "virt").
#
# For each core count: the time of the same boot + guest job as a normal coremu run
# (exact counting on, as record needs), a -record run and a -replay run, and the log's
# size (bytes, bytes per second per core). For 1 core also Debian QEMU's record/replay
# (-icount shift=0,rr=record|replay,rrfile=; QEMU refuses rr with more than one core).
# The job: the racy stress programs if the initramfs has them, and a shell loop.
# Each run is timed two ways: wall seconds and CPU seconds (user + system of the emulator's
# process, /usr/bin/time): on a host shared with other work the wall time of one run
# varies 2-3x, its CPU time much less, so the CPU ratios are the ones to compare.
# REPS=N (default 1) repeats every run and keeps the one with the least CPU time;
# BIN=path another coremu binary (A/B comparisons); REC_ARGS="..." extra options of the
# record run (e.g. "-reemu fast=1": without the inline fast path); QEMU=none skips the QEMU table. A replay
# that does not match keeps its log (the path is printed).
# Prints a markdown table.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARCH=${ARCH:-aarch64}
case $ARCH in
aarch64) MACHINE=(-M virt -cpu cortex-a57) KERNEL=Image CONSOLE=ttyAMA0 ;;
x86_64) MACHINE=(-M pc) KERNEL=bzImage CONSOLE=ttyS0 ;;
*) echo "bench/reemu.sh: ARCH is aarch64 or x86_64" >&2; exit 1 ;;
esac
BIN=${BIN:-$ROOT/build/coremu-system-$ARCH}
IMAGES=${COREMU_IMAGES:-$ROOT/images}
QEMU=${QEMU:-$(command -v qemu-system-$ARCH)}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cp "$IMAGES/$ARCH/$KERNEL" "$IMAGES/$ARCH/rootfs.cpio.gz" "$W/"
SMPS=${*:-1 2 4}

JOB='i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo loop=$i'
if zcat "$W/rootfs.cpio.gz" | cpio -t 2>/dev/null | grep -q '^stress/racy-counter$'; then
    JOB="/stress/racy-counter 4 20000; $JOB"
fi
APPEND="console=$CONSOLE panic=-1 quiet coremu.cmd=$(printf '%s' "$JOB" | base64 -w0)"

REPS=${REPS:-1}

# t EMULATOR ARGS...: "wall cpu" seconds of one run (status must be 0): of REPS runs, the
# one with the least CPU time
t() {
    local best="" bc="" e u sy c r
    for ((r = 0; r < REPS; r++)); do
        /usr/bin/time -f "%e %U %S" -o "$W/time" \
            "$@" "${MACHINE[@]}" -m 256M -nographic -no-reboot -kernel "$W/$KERNEL" \
            -initrd "$W/rootfs.cpio.gz" -append "$APPEND" >"$W/out" 2>&1 </dev/null || {
            echo "run failed: $*" >&2
            tail -5 "$W/out" >&2
        }
        read -r e u sy < <(tail -1 "$W/time")
        c=$(awk -v u="$u" -v s="$sy" 'BEGIN { printf "%.2f", u + s }')
        if [[ -z $bc ]] || awk -v a="$c" -v b="$bc" 'BEGIN { exit !(a < b) }'; then
            best="$e $c" bc=$c
        fi
    done
    echo "$best"
}

echo "| cores | normal wall / CPU (s) | record wall / CPU (s) | replay wall / CPU (s) | record/normal wall, CPU | replay/normal wall, CPU | log bytes | log bytes/s/core |"
echo "|---|---|---|---|---|---|---|---|"
for n in $SMPS; do
    read -r wn cn < <(t "$BIN" -smp "$n" -icount shift=0)
    # shellcheck disable=SC2086 # REC_ARGS: words
    read -r wr cr < <(t "$BIN" -smp "$n" -record "$W/r$n.rr" ${REC_ARGS:-})
    read -r wp cp < <(t "$BIN" -smp "$n" -replay "$W/r$n.rr")
    if ! grep -q "matched the record" "$W/out"; then
        keep=$(mktemp --tmpdir "reemu-bench-smp$n-XXXXXX.rr")
        cp "$W/r$n.rr" "$keep"
        echo "replay at -smp $n did not match (the log is kept: $keep)" >&2
    fi
    b=$(stat -c %s "$W/r$n.rr")
    awk -v n="$n" -v wn="$wn" -v cn="$cn" -v wr="$wr" -v cr="$cr" -v wp="$wp" -v cp="$cp" \
        -v b="$b" 'BEGIN {
        printf "| %d | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %.2f, %.2f | %.2f, %.2f | %d | %.0f |\n",
               n, wn, cn, wr, cr, wp, cp, wr / wn, cr / cn, wp / wn, cp / cn, b, b / wr / n }'
done
if [[ -n $QEMU && $QEMU != none ]]; then
    read -r qn qcn < <(t "$QEMU" -smp 1 -icount shift=0)
    read -r qr qcr < <(t "$QEMU" -smp 1 -icount shift=0,rr=record,rrfile="$W/q.rr")
    read -r qp qcp < <(t "$QEMU" -smp 1 -icount shift=0,rr=replay,rrfile="$W/q.rr")
    qb=$(stat -c %s "$W/q.rr" 2>/dev/null || echo 0)
    echo
    echo "| Debian QEMU, 1 core | normal -icount wall / CPU (s) | rr=record wall / CPU (s) | rr=replay wall / CPU (s) | record/normal wall, CPU | replay/normal wall, CPU | log bytes | log bytes/s |"
    echo "|---|---|---|---|---|---|---|---|"
    awk -v wn="$qn" -v cn="$qcn" -v wr="$qr" -v cr="$qcr" -v wp="$qp" -v cp="$qcp" -v b="$qb" 'BEGIN {
        printf "| 1 | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %.2f, %.2f | %.2f, %.2f | %d | %.0f |\n",
               wn, cn, wr, cr, wp, cp, wr / wn, cr / cn, wp / wn, cp / cn, b, b / wr }'
fi
