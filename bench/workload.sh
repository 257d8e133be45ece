#!/usr/bin/env bash
# workload.sh — one guest workload on coremu and on Debian's qemu-system-aarch64,
# side by side in the same run: the time from the initramfs marker
# (COREMU-GUEST-READY) to the end of the command (COREMU-GUEST-DONE), REPS times each.
#
# Usage: bench/workload.sh [REPS=3] [SMP=1] [CMD]
# Default CMD: md5sum of 64 MiB from /dev/zero plus a busybox shell arithmetic
# loop (integer work in the kernel's pipe code, in md5, and in the shell).
set -u
cd "$(dirname "$0")/.."
REPS=${1:-3}
SMP=${2:-1}
CMD=${3:-'dd if=/dev/zero bs=1M count=64 2>/dev/null | md5sum; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo $i'}
IMAGES=${COREMU_IMAGES:-images}
COREMU=build/coremu-system-aarch64
QEMU=$(command -v qemu-system-aarch64)
[[ -x $COREMU && -n $QEMU ]] || { echo "need $COREMU and qemu-system-aarch64"; exit 1; }
B64=$(printf '%s' "$CMD" | base64 -w0)

run() { # emulator -> "seconds ok"
    local emu=$1 extra=()
    [[ $emu == "$QEMU" ]] && extra=(-accel tcg,thread=multi)
    timeout 900 "$emu" -M virt -cpu cortex-a57 -smp "$SMP" -m 1G -nographic -no-reboot \
        "${extra[@]}" -kernel "$IMAGES/aarch64/Image" -initrd "$IMAGES/aarch64/rootfs.cpio.gz" \
        -append "console=ttyAMA0 panic=-1 coremu.cmd=$B64" </dev/null |
        while IFS= read -r line; do
            case $line in
            *COREMU-GUEST-READY*) echo "ready $(date +%s.%N)" ;;
            *COREMU-GUEST-DONE\ rc=0*) echo "done $(date +%s.%N)" ;;
            esac
        done | awk '$1 == "ready" { r = $2 } $1 == "done" { d = $2 }
                    END { if (r && d) printf "%.2f 1\n", d - r; else print "-1 0" }'
}

echo "workload: $CMD"
printf '| run | coremu (s) | QEMU (s) |\n|---|---|---|\n'
sc=0 sq=0
for i in $(seq 1 "$REPS"); do
    read -r c cok < <(run "$COREMU")
    read -r q qok < <(run "$QEMU")
    printf '| %d | %s%s | %s%s |\n' "$i" "$c" "$([[ $cok == 1 ]] || echo ' (failed)')" "$q" "$([[ $qok == 1 ]] || echo ' (failed)')"
    sc=$(awk -v a="$sc" -v b="$c" 'BEGIN { print a + b }')
    sq=$(awk -v a="$sq" -v b="$q" 'BEGIN { print a + b }')
done
awk -v c="$sc" -v q="$sq" -v n="$REPS" -v smp="$SMP" 'BEGIN {
    printf "\nmean, %d core(s): coremu %.2f s, QEMU %.2f s, ratio coremu/QEMU = %.2f\n", smp, c / n, q / n, (c / n) / (q / n) }'
