#!/usr/bin/env bash
# boot-time.sh — boot-to-marker and boot-to-poweroff time of the reference
# Debian arm64 guest on coremu and on Debian's qemu-system-aarch64, measured
# side by side in the same run (alternating, REPS times each), plus peak RSS.
#
# Usage: [ARCH=aarch64|x86_64] bench/boot-time.sh [REPS=3] [SMP=1]
# ARCH=x86_64: the Debian amd64 guest on the "pc" machine, coremu's direct
# bzImage boot against qemu-system-x86_64 -M pc (which boots through SeaBIOS
# and its linuxboot option ROM; -nic none), same kernel, initrd and append line.
# Prints a markdown table; paste it into docs/performance.md with the date
# and the host (nproc, CPU model).
set -u
cd "$(dirname "$0")/.."
REPS=${1:-3}
SMP=${2:-1}
IMAGES=${COREMU_IMAGES:-images}
ARCH=${ARCH:-aarch64}
case $ARCH in
aarch64) MACHINE=(-M virt -cpu cortex-a57) KERNEL=$IMAGES/aarch64/Image CONSOLE=ttyAMA0 QEMU_ARGS=() ;;
x86_64) MACHINE=(-M pc) KERNEL=$IMAGES/x86_64/bzImage CONSOLE=ttyS0 QEMU_ARGS=(-nic none) ;;
*) echo "boot-time: ARCH is aarch64 or x86_64"; exit 1 ;;
esac
COREMU=build/coremu-system-$ARCH
QEMU=$(command -v qemu-system-$ARCH)
[[ -x $COREMU && -n $QEMU ]] || { echo "need $COREMU and qemu-system-$ARCH"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { # emulator out -> "ready_s done_s rss_kb"
    local emu=$1 out=$2
    local extra=()
    [[ $emu == "$QEMU" ]] && extra=(-accel tcg,thread=multi "${QEMU_ARGS[@]}")
    local t0
    t0=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$out.rss" timeout 600 "$emu" "${MACHINE[@]}" -smp "$SMP" -m 1G \
        -nographic -no-reboot "${extra[@]}" -kernel "$KERNEL" \
        -initrd "$IMAGES/$ARCH/rootfs.cpio.gz" -append "console=$CONSOLE panic=-1" </dev/null |
        while IFS= read -r line; do
            case $line in
            *COREMU-GUEST-READY*) echo "ready $(date +%s.%N)" ;;
            *COREMU-GUEST-DONE*) echo "done $(date +%s.%N)" ;;
            esac
        done > "$out"
    local t1
    t1=$(date +%s.%N)
    awk -v t0="$t0" -v t1="$t1" -v rss="$(tail -1 "$out.rss")" '
        $1 == "ready" { r = $2 - t0 } $1 == "done" { d = $2 - t0 }
        END { printf "%.2f %.2f %.2f %d\n", (r ? r : -1), (d ? d : -1), t1 - t0, rss }' "$out"
}

printf '| run | coremu ready (s) | coremu exit (s) | coremu RSS (MiB) | QEMU ready (s) | QEMU exit (s) | QEMU RSS (MiB) |\n|---|---|---|---|---|---|---|\n'
sum_c=0 sum_q=0
for i in $(seq 1 "$REPS"); do
    read -r cr cd ce crss < <(run "$COREMU" "$tmp/c$i")
    read -r qr qd qe qrss < <(run "$QEMU" "$tmp/q$i")
    printf '| %d | %s | %s | %d | %s | %s | %d |\n' "$i" "$cr" "$ce" $((crss / 1024)) "$qr" "$qe" $((qrss / 1024))
    sum_c=$(awk -v a="$sum_c" -v b="$cr" 'BEGIN { print a + b }')
    sum_q=$(awk -v a="$sum_q" -v b="$qr" 'BEGIN { print a + b }')
done
awk -v c="$sum_c" -v q="$sum_q" -v n="$REPS" -v smp="$SMP" 'BEGIN {
    printf "\nmean boot-to-marker, %d core(s): coremu %.2f s, QEMU %.2f s, ratio coremu/QEMU = %.2f\n", smp, c / n, q / n, (c / n) / (q / n) }'
