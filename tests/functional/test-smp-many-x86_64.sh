#!/usr/bin/env bash
# test-smp-many-x86_64.sh — Debian's amd64 kernel on the "pc" machine with many
# cores (16 and 64 by default; X86_MANY_SMP overrides): every core is started
# by the kernel with INIT-SIPI-SIPI and comes online, and the guest powers off
# with status 0. Slow on a small host (64 cores: about 5 minutes on 2 busy host
# cores), so it is kept apart from test-boot-x86_64.sh.
set -u
source "$(dirname "$0")/lib.sh"
BIN=${BIN_X86:-$ROOT/build/coremu-system-x86_64}

if [[ ! -s "$IMAGES/x86_64/bzImage" || ! -s "$IMAGES/x86_64/rootfs.cpio.gz" ]]; then
    echo "FAIL x86-many-images: $IMAGES/x86_64 missing (run scripts/fetch-images.sh)"
    exit 1
fi

for smp in ${X86_MANY_SMP:-16 64}; do
    OUT=$WORK/many$smp.out
    t0=$SECONDS
    cmd='echo "online=$(cat /sys/devices/system/cpu/online) n=$(grep -c ^processor /proc/cpuinfo)"'
    timeout --kill-after=5 1500 "$BIN" -M pc -m 2G -smp "$smp" -nographic -no-reboot \
        -kernel "$IMAGES/x86_64/bzImage" -initrd "$IMAGES/x86_64/rootfs.cpio.gz" \
        -append "console=ttyS0 panic=-1 coremu.cmd=$(printf '%s' "$cmd" | base64 -w0)" \
        >"$OUT" 2>&1 </dev/null
    RC=$?
    check "x86-smp$smp-many-marker" "marker with cpus=$smp missing" grep -q "COREMU-GUEST-READY arch=x86_64 cpus=$smp" "$OUT"
    check "x86-smp$smp-many-online" "not all cores online" grep -q "online=0-$((smp - 1)) n=$smp" "$OUT"
    check "x86-smp$smp-many-exit" "exit status $RC" test "$RC" -eq 0
    echo "x86 -smp $smp boot-to-poweroff took $((SECONDS - t0))s" >&2
done
