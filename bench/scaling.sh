#!/usr/bin/env bash
# scaling.sh — the scalability benchmark: boot the Debian arm64 guest at 1..N
# cores and run a workload with as many threads as cores, on coremu and on
# Debian's qemu-system-aarch64 (MTTCG) side by side in the same run.
#
# Usage: [ARCH=aarch64|x86_64] bench/scaling.sh [MAXCORES=nproc] [WORKLOAD=wordcount|pigz] [MB]
#   wordcount: the project's Phoenix-style word count (guest/bench/wordcount.c),
#              time of the parallel count measured in the guest; its checksum must
#              be the same at every core count and on both emulators
#   pigz:      Debian's pigz -p N compressing MB MiB (guest/bench/pigz)
# Prints a markdown table (cores, coremu s, QEMU s, coremu speedup over 1 core,
# QEMU speedup, ratio coremu/QEMU) and writes build/bench/scaling-WORKLOAD.png
# (gnuplot). Run it on a 16-core host for 1..16; record figures with the host's
# core count in docs/performance.md.
# ARCH=x86_64: the Debian amd64 guest on the "pc" machine against
# qemu-system-x86_64 -M pc (SeaBIOS + linuxboot ROM there, direct boot here);
# the word count is built with the host gcc; files are named scaling-x86_64-*.
set -u
cd "$(dirname "$0")/.."
MAXC=${1:-$(nproc)}
WORKLOAD=${2:-wordcount}
MB=${3:-64}
OUTDIR=build/bench
IMAGES=${COREMU_IMAGES:-images}
# Overridable for the device bundle (scripts/device-bundle.sh): the emulators,
# extra QEMU options (-L for its ROMs) and a prebuilt initramfs (no cross compiler there).
ARCH=${ARCH:-aarch64}
case $ARCH in
aarch64) MACHINE=(-M virt -cpu cortex-a57) KERNEL=Image CONSOLE=ttyAMA0 CC=aarch64-linux-gnu-gcc TAG= ;;
x86_64) MACHINE=(-M pc) KERNEL=bzImage CONSOLE=ttyS0 CC=gcc TAG=x86_64- ;;
*) echo "scaling: ARCH is aarch64 or x86_64"; exit 1 ;;
esac
COREMU=${COREMU:-build/coremu-system-$ARCH}
QEMU=${QEMU:-$(command -v qemu-system-$ARCH)}
QEMU_EXTRA=${QEMU_EXTRA:-}
mkdir -p "$OUTDIR"
[[ -x $COREMU && -n $QEMU ]] || { echo "scaling: need $COREMU and qemu-system-$ARCH"; exit 1; }
DAT=$OUTDIR/scaling-$TAG$WORKLOAD

INITRD=${SCALING_INITRD:-$OUTDIR/rootfs-scaling${TAG:+-${TAG%-}}.cpio.gz}
if [[ -z ${SCALING_INITRD:-} ]]; then
    [[ -s $IMAGES/$ARCH/rootfs-bench.cpio.gz ]] || scripts/fetch-images.sh --with-bench >/dev/null ||
        { echo "scaling: cannot build the bench initramfs"; exit 1; }
    # the bench initramfs plus /bench/wordcount, appended as a second cpio member
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' EXIT
    mkdir -p "$stage/bench"
    $CC -O2 -static -pthread -o "$stage/bench/wordcount" guest/bench/wordcount.c ||
        { echo "scaling: cannot build guest/bench/wordcount.c"; exit 1; }
    (cd "$stage" && echo bench/wordcount | cpio -o -H newc --quiet | gzip -9) > "$stage/extra.cpio.gz"
    cat "$IMAGES/$ARCH/rootfs-bench.cpio.gz" "$stage/extra.cpio.gz" > "$INITRD"
fi

run() { # emulator cores -> "seconds checksum-or-ok"
    local emu=$1 n=$2 append extra=()
    # shellcheck disable=SC2206
    [[ $emu == "$QEMU" ]] && extra=(-accel tcg,thread=multi -nic none $QEMU_EXTRA)
    if [[ $WORKLOAD == wordcount ]]; then
        append="coremu.cmd=$(printf '/bench/wordcount -t %d -m %d' "$n" "$MB" | base64 -w0)"
    else
        append="coremu.run=pigz coremu.bench_mb=$MB coremu.bench_threads=$n"
    fi
    timeout 1800 "$emu" "${MACHINE[@]}" -smp "$n" -m 2G -nographic -no-reboot \
        "${extra[@]}" -kernel "$IMAGES/$ARCH/$KERNEL" -initrd "$INITRD" \
        -append "console=$CONSOLE panic=-1 $append" </dev/null 2>&1 |
        awk '/COREMU-BENCH/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                              print v["seconds"], (v["checksum"] != "" ? v["checksum"] : v["ok"]); found = 1 }
             END { if (!found) print "-1 none" }'
}

printf '%s, %d MiB, host: %s cores (%s)\n\n' "$WORKLOAD" "$MB" "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '| cores | coremu (s) | QEMU (s) | coremu speedup | QEMU speedup | coremu/QEMU |\n|---|---|---|---|---|---|\n'
: > "$DAT.dat"
c1= q1= ref= status=0
for n in $(seq 1 "$MAXC"); do
    read -r cs ck < <(run "$COREMU" "$n")
    read -r qs qk < <(run "$QEMU" "$n")
    [[ -z $c1 ]] && c1=$cs q1=$qs ref=$qk
    if [[ $ck != "$ref" || $qk != "$ref" ]]; then
        echo "scaling: result check failed at $n cores (coremu '$ck', QEMU '$qk', expected '$ref')"
        status=1
    fi
    awk -v n="$n" -v c="$cs" -v q="$qs" -v c1="$c1" -v q1="$q1" 'BEGIN {
        printf "| %d | %.2f | %.2f | %.2f | %.2f | %.2f |\n", n, c, q, c1 / c, q1 / q, c / q }'
    echo "$n $cs $qs" >> "$DAT.dat"
done
if command -v gnuplot >/dev/null; then
    gnuplot <<GP
set terminal png size 800,500
set output "$DAT.png"
set title "$WORKLOAD ($MB MiB): speedup over one core, $(nproc)-core host"
set xlabel "guest cores (= threads)"
set ylabel "speedup"
set key left top
set grid
plot "$DAT.dat" using 1:($c1/\$2) with linespoints title "coremu", \
     "$DAT.dat" using 1:($q1/\$3) with linespoints title "QEMU 7.2 MTTCG", \
     x with lines dt 2 title "linear"
GP
    echo; echo "plot: $DAT.png"
fi
exit $status
