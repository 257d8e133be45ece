#!/usr/bin/env bash
# demo.sh — what `make demo` runs after building: fetch the default guest
# (Debian bookworm's arm64 cloud kernel + a busybox initramfs) and boot it
# on coremu, with a job that shows the machine, then power off.
# Says clearly how far it got; exit status is the emulator's.
set -u
cd "$(dirname "$0")/.."
BIN=build/coremu-system-aarch64
SMP=${SMP:-1}
echo "demo: fetching the reference guest images (Debian arm64 kernel + busybox initramfs)"
scripts/fetch-images.sh || { echo "demo: could not fetch the guest images"; exit 1; }
job='echo "hello from coremu: $(uname -sr) on $(grep -c ^processor /proc/cpuinfo) core(s)"; cat /proc/cpuinfo | head -8; free -m'
echo "demo: booting images/aarch64/Image with $SMP core(s): $BIN -M virt -cpu cortex-a57 -smp $SMP -m 1G -nographic ..."
t0=$(date +%s.%N)
timeout "${DEMO_TIMEOUT:-600}" "$BIN" -M virt -cpu cortex-a57 -smp "$SMP" -m 1G -nographic -no-reboot \
    -kernel images/aarch64/Image -initrd images/aarch64/rootfs.cpio.gz \
    -append "console=ttyAMA0 panic=-1 coremu.cmd=$(printf '%s' "$job" | base64 -w0)"
rc=$?
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v rc="$rc" 'BEGIN { printf "demo: emulator exited with status %d after %.1f s\n", rc, b - a }'
if [[ $rc -ne 0 ]]; then
    echo "demo: the guest did not run to completion; see docs/status.md for what boots today"
fi
exit $rc
