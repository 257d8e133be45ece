#!/usr/bin/env bash
# test-smp-aarch64.sh — the Debian arm64 kernel with several cores, each core on
# its own host thread (thread=multi; 2 to 16 cores) and all on one (thread=single;
# 2 and 4): every core
# comes online, and a parallel job (one busy shell per core, summed) is exact.
set -u
source "$(dirname "$0")/lib.sh"
need_images

job='n=$(grep -c ^processor /proc/cpuinfo); echo "online=$(cat /sys/devices/system/cpu/online)"
for i in $(seq 1 $n); do (s=0; j=0; while [ $j -lt 2000 ]; do j=$((j+1)); s=$((s+j)); done; echo $s > /tmp/r$i) & done; wait
t=0; for i in $(seq 1 $n); do t=$((t + $(cat /tmp/r$i))); done; echo "total=$t expect=$((n * 2001000))"'
for cfg in 2:multi 2:single 4:multi 4:single 8:multi 16:multi; do
    smp=${cfg%:*} mode=${cfg#*:}
    {
        boot_aarch64 smp$smp-$mode 300 "$job" -smp $smp -accel tcg,thread=$mode
        check "smp$smp-$mode-marker" "marker with cpus=$smp missing" grep -q "COREMU-GUEST-READY arch=aarch64 cpus=$smp" "$OUT"
        check "smp$smp-$mode-online" "not all cores online" grep -q "online=0-$((smp - 1))" "$OUT"
        check "smp$smp-$mode-parallel-sum" "parallel job total wrong" grep -q "total=$((smp * 2001000)) expect=$((smp * 2001000))" "$OUT"
        check "smp$smp-$mode-exit" "exit status $RC" test "$RC" -eq 0
    }
done
