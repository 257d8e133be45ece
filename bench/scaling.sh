#!/usr/bin/env bash
# scaling.sh — the scalability benchmark: boot the Debian arm64 guest at 1..N
# cores and run a workload with as many threads as cores, on coremu and on
# Debian's qemu-system-aarch64 (MTTCG) side by side in the same run.
#
# Usage: bench/scaling.sh [MAXCORES=nproc] [WORKLOAD=wordcount|pigz] [MB]
#   wordcount: the project's Phoenix-style word count (guest/bench/wordcount.c),
#              time of the parallel count measured in the guest; its checksum must
#              be the same at every core count and on both emulators
#   pigz:      Debian's pigz -p N compressing MB MiB (guest/bench/pigz)
# Prints a markdown table (cores, coremu s, QEMU s, coremu speedup over 1 core,
# QEMU speedup, ratio coremu/QEMU) and writes build/bench/scaling-WORKLOAD.png
# (gnuplot). Run it on a 16-core host for 1..16; record figures with the host's
# core count in docs/performance.md.
set -u
cd "$(dirname "$0")/.."
MAXC=${1:-$(nproc)}
WORKLOAD=${2:-wordcount}
MB=${3:-64}
OUTDIR=build/bench
IMAGES=${COREMU_IMAGES:-images}
# Overridable for the device bundle (scripts/device-bundle.sh): the emulators,
# extra QEMU options (-L for its ROMs) and a prebuilt initramfs (no cross compiler there).
COREMU=${COREMU:-build/coremu-system-aarch64}
QEMU=${QEMU:-$(command -v qemu-system-aarch64)}
QEMU_EXTRA=${QEMU_EXTRA:-}
mkdir -p "$OUTDIR"
[[ -x $COREMU && -n $QEMU ]] || { echo "scaling: need $COREMU and qemu-system-aarch64"; exit 1; }

INITRD=${SCALING_INITRD:-$OUTDIR/rootfs-scaling.cpio.gz}
if [[ -z ${SCALING_INITRD:-} ]]; then
    [[ -s $IMAGES/aarch64/rootfs-bench.cpio.gz ]] || scripts/fetch-images.sh --with-bench >/dev/null ||
        { echo "scaling: cannot build the bench initramfs"; exit 1; }
    # the bench initramfs plus /bench/wordcount, appended as a second cpio member
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' EXIT
    mkdir -p "$stage/bench"
    aarch64-linux-gnu-gcc -O2 -static -pthread -o "$stage/bench/wordcount" guest/bench/wordcount.c ||
        { echo "scaling: cannot build guest/bench/wordcount.c"; exit 1; }
    (cd "$stage" && echo bench/wordcount | cpio -o -H newc --quiet | gzip -9) > "$stage/extra.cpio.gz"
    cat "$IMAGES/aarch64/rootfs-bench.cpio.gz" "$stage/extra.cpio.gz" > "$INITRD"
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
    timeout 1800 "$emu" -M virt -cpu cortex-a57 -smp "$n" -m 2G -nographic -no-reboot \
        "${extra[@]}" -kernel "$IMAGES/aarch64/Image" -initrd "$INITRD" \
        -append "console=ttyAMA0 panic=-1 $append" </dev/null 2>&1 |
        awk '/COREMU-BENCH/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                              print v["seconds"], (v["checksum"] != "" ? v["checksum"] : v["ok"]); found = 1 }
             END { if (!found) print "-1 none" }'
}

printf '%s, %d MiB, host: %s cores (%s)\n\n' "$WORKLOAD" "$MB" "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '| cores | coremu (s) | QEMU (s) | coremu speedup | QEMU speedup | coremu/QEMU |\n|---|---|---|---|---|---|\n'
: > "$OUTDIR/scaling-$WORKLOAD.dat"
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
    echo "$n $cs $qs" >> "$OUTDIR/scaling-$WORKLOAD.dat"
done
if command -v gnuplot >/dev/null; then
    gnuplot <<GP
set terminal png size 800,500
set output "$OUTDIR/scaling-$WORKLOAD.png"
set title "$WORKLOAD ($MB MiB): speedup over one core, $(nproc)-core host"
set xlabel "guest cores (= threads)"
set ylabel "speedup"
set key left top
set grid
plot "$OUTDIR/scaling-$WORKLOAD.dat" using 1:($c1/\$2) with linespoints title "coremu", \
     "$OUTDIR/scaling-$WORKLOAD.dat" using 1:($q1/\$3) with linespoints title "QEMU 7.2 MTTCG", \
     x with lines dt 2 title "linear"
GP
    echo; echo "plot: $OUTDIR/scaling-$WORKLOAD.png"
fi
exit $status
