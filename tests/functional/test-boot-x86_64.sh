#!/usr/bin/env bash
# test-boot-x86_64.sh — Debian's amd64 kernel (bzImage, direct boot, no
# firmware) on coremu's "pc" machine: one core boots to the initramfs marker,
# runs a command whose output is checked, and `poweroff -f` (ACPI S5) ends the
# emulator with status 0; a virtio-blk disk (virtio-pci) keeps what one boot
# wrote for the next; with -smp 2, 4 and 8 (and 2 on one host thread,
# thread=single) every core comes online (the kernel starts the application
# processors with INIT-SIPI-SIPI) and a parallel job, one busy shell per
# core, sums exactly. test-smp-many-x86_64.sh does 16 and 64 cores. Bad input — a missing
# kernel, a kernel that is not a bzImage, a truncated initrd — ends with one
# error line and status 1.
set -u
source "$(dirname "$0")/lib.sh"
BIN=${BIN_X86:-$ROOT/build/coremu-system-x86_64}

if [[ ! -s "$IMAGES/x86_64/bzImage" || ! -s "$IMAGES/x86_64/rootfs.cpio.gz" ]]; then
    echo "FAIL x86-images: $IMAGES/x86_64 missing (run scripts/fetch-images.sh)"
    exit 1
fi
if [[ ! -x "$BIN" ]]; then
    echo "FAIL x86-binary: $BIN not built (make)"
    exit 1
fi


# ---- one core
boot_x86_64 x86-boot 300 'echo "sum=$((6 * 7))"; grep -c ^processor /proc/cpuinfo; cat /proc/version; cat /sys/class/rtc/rtc0/date'
check x86-boot-marker "no COREMU-GUEST-READY marker within the time limit" grep -q 'COREMU-GUEST-READY arch=x86_64 cpus=1' "$OUT"
check x86-boot-command-output "guest command output missing" grep -q '^sum=42' "$OUT"
check x86-boot-kernel-version "kernel banner missing" grep -q 'Linux version 6\.1' "$OUT"
check x86-boot-uart "the 8250 driver did not find a 16550A on COM1" grep -q 'ttyS0 at I/O 0x3f8 (irq = 4.*16550A' "$OUT"
check x86-boot-rtc "rtc_cmos did not register" grep -q 'rtc_cmos.*registered as rtc0' "$OUT"
check x86-boot-rtc-date "RTC date is not the host's date" grep -q "^$(date -u +%Y-%m-%d)" "$OUT"
check x86-boot-command-done "command did not complete with rc=0" grep -q 'COREMU-GUEST-DONE rc=0' "$OUT"
check x86-boot-poweroff-status "emulator exit status $RC, expected 0 after poweroff" test "$RC" -eq 0
echo "x86 boot-to-poweroff took ${ELAPSED}s" >&2

# ---- virtio-blk over virtio-pci: what one boot writes, the next reads back
disk=$WORK/x86-disk.img
truncate -s 8M "$disk"
boot_x86_64 x86-disk-write 300 'echo "coremu-x86-disk-$((40 + 2))" | dd of=/dev/vda bs=512 conv=sync 2>/dev/null; sync' \
    -drive "file=$disk,format=raw,if=virtio"
check x86-disk-write "write boot failed (rc $RC)" grep -q 'COREMU-GUEST-DONE rc=0' "$OUT"
check x86-disk-vda "no virtio disk vda" grep -q 'virtio_blk.*\[vda\]' "$OUT"
boot_x86_64 x86-disk-read 300 'head -c 18 /dev/vda; echo' -drive "file=$disk,format=raw,if=virtio"
check x86-disk-readback "the second boot did not read what the first wrote" grep -q '^coremu-x86-disk-42' "$OUT"

# ---- SMP
job='n=$(grep -c ^processor /proc/cpuinfo); echo "online=$(cat /sys/devices/system/cpu/online) n=$n"
for i in $(seq 1 $n); do (s=0; j=0; while [ $j -lt 2000 ]; do j=$((j+1)); s=$((s+j)); done; echo $s > /tmp/r$i) & done; wait
t=0; for i in $(seq 1 $n); do t=$((t + $(cat /tmp/r$i))); done; echo "total=$t expect=$((n * 2001000))"'
for cfg in ${X86_SMP_LIST:-2 4 8 2:single}; do
    smp=${cfg%:*} mode=multi
    [[ $cfg == *:* ]] && mode=${cfg#*:}
    name=x86-smp$smp
    [[ $mode == multi ]] || name=$name-$mode
    boot_x86_64 "$name" 400 "$job" -smp "$smp" -accel tcg,thread=$mode
    check "$name-marker" "marker with cpus=$smp missing" grep -q "COREMU-GUEST-READY arch=x86_64 cpus=$smp" "$OUT"
    check "$name-online" "not all cores online" grep -q "online=0-$((smp - 1)) n=$smp" "$OUT"
    check "$name-kernel-log" "kernel did not bring up $smp CPUs" grep -q "smp: Brought up 1 node, $smp CPUs" "$OUT"
    check "$name-parallel-sum" "parallel job total wrong" grep -q "total=$((smp * 2001000)) expect=$((smp * 2001000))" "$OUT"
    check "$name-exit" "exit status $RC" test "$RC" -eq 0
    echo "x86 -smp $smp thread=$mode boot-to-poweroff took ${ELAPSED}s" >&2
done

# ---- bad input: one error line, status 1
bad_input() { # NAME WANT-REGEX emulator args...
    local name=$1 want=$2; shift 2
    OUT=$WORK/$name.out
    timeout 30 "$BIN" -M pc -m 256M -nographic "$@" >"$OUT" 2>&1 </dev/null
    RC=$?
    check "$name-status" "exit status $RC, expected 1" test "$RC" -eq 1
    check "$name-message" "no error line matching '$want'" grep -qE "$want" "$OUT"
    check "$name-one-line" "$(wc -l <"$OUT") lines of output, expected 1" test "$(wc -l <"$OUT")" -eq 1
}
bad_input x86-missing-kernel "kernel.*(No such file|cannot)" -kernel "$WORK/no-such-bzImage"
head -c 4096 /dev/urandom >"$WORK/not-a-bzimage"
bad_input x86-not-bzimage "not a bzImage" -kernel "$WORK/not-a-bzimage"
head -c 20000 "$IMAGES/x86_64/rootfs.cpio.gz" >"$WORK/truncated.cpio.gz"
bad_input x86-dtb "no device tree" -kernel "$IMAGES/x86_64/bzImage" -dtb "$IMAGES/x86_64/bzImage"
bad_input x86-truncated-initrd "initrd.*(truncated|corrupt)" -kernel "$IMAGES/x86_64/bzImage" \
    -initrd "$WORK/truncated.cpio.gz"
