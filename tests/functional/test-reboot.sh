#!/usr/bin/env bash
# test-reboot.sh — in-place reboot (docs/user-guide.md, -no-reboot): without
# -no-reboot a guest `reboot -f` (AArch64: PSCI SYSTEM_RESET; x86: the reset
# Linux picks, ACPI reset register / 0xcf9 / keyboard controller) resets the
# machine and boots it again in the same process. The boots are counted on a
# virtio disk: the first writes a token to sector 0 and runs `reboot -f`; the
# second finds it, prints how many CPUs are online and lets the guest init
# power off (`poweroff -f`), which must end the emulator with status 0.
# -smp 2 throughout: the secondary core must come back online after the
# reboot (PSCI CPU_ON again; INIT-SIPI-SIPI again). aarch64 also on one host
# thread (thread=single); with -no-reboot the same `reboot -f` ends the
# emulator after one boot, with status 0 (both machines). 35 s on an idle host, 110 s at load 20.
set -u
source "$(dirname "$0")/lib.sh"
need_images
BIN_X86=${BIN_X86:-$ROOT/build/coremu-system-x86_64}

TOKEN=coremu-reboot-$RANDOM$RANDOM-$$
# sector 0 holds the token after the first boot; the second boot reports and returns
GUEST_CMD="if dd if=/dev/vda bs=512 count=1 2>/dev/null | grep -q $TOKEN; then
  echo \"SECOND-BOOT cpus=\$(grep -c ^processor /proc/cpuinfo) online=\$(cat /sys/devices/system/cpu/online)\"
else
  echo $TOKEN | dd of=/dev/vda bs=512 conv=fsync 2>/dev/null && sync && echo FIRST-BOOT && reboot -f
fi"

new_disk() {
    DISK=$WORK/disk-$1.img
    rm -f "$DISK"
    truncate -s 1M "$DISK"
}

boots() { grep -a -c 'Linux version' "$OUT"; }

# NAME: two boots, the second with both cores, status 0, in time
check_rebooted() {
    local name=$1
    local n; n=$(boots)
    check "$name-two-boots" "expected 2 kernel boots in the console output, saw $n" test "$n" -eq 2
    check "$name-first-boot-rebooted" "first boot did not write its token and reboot" \
        grep -a -q '^FIRST-BOOT' "$OUT"
    check "$name-second-boot-2-cpus" "second boot did not see 2 online CPUs" \
        grep -a -q '^SECOND-BOOT cpus=2 online=0-1' "$OUT"
    check "$name-poweroff-after-reboot" "no clean poweroff after the second boot" \
        grep -a -q 'COREMU-GUEST-DONE rc=0' "$OUT"
    check "$name-exit-0" "emulator exit status $RC (124: timed out after ${ELAPSED}s)" test "$RC" -eq 0
}

# ---- AArch64 virt, 2 cores, a core thread each
new_disk a64
NO_REBOOT='' boot_aarch64 reboot-a64 240 "$GUEST_CMD" -smp 2 -drive file="$DISK",format=raw,if=virtio
check_rebooted reboot-a64
echo "# reboot-a64: ${ELAPSED}s"

# ---- the same on one host thread
new_disk a64-single
NO_REBOOT='' boot_aarch64 reboot-a64-single 240 "$GUEST_CMD" -smp 2 -accel tcg,thread=single \
    -drive file="$DISK",format=raw,if=virtio
check_rebooted reboot-a64-single
echo "# reboot-a64-single: ${ELAPSED}s"

# ---- -no-reboot: the reset request ends the emulator
new_disk a64-noreboot
boot_aarch64 noreboot-a64 240 "$GUEST_CMD" -smp 2 -drive file="$DISK",format=raw,if=virtio
n=$(boots)
check noreboot-a64-one-boot "expected 1 kernel boot with -no-reboot, saw $n" test "$n" -eq 1
check noreboot-a64-reboot-requested "the guest did not get to reboot -f" grep -a -q '^FIRST-BOOT' "$OUT"
check noreboot-a64-exit-0 "emulator exit status $RC with -no-reboot" test "$RC" -eq 0
echo "# noreboot-a64: ${ELAPSED}s"

# ---- x86-64 pc, 2 cores
if [[ ! -s "$IMAGES/x86_64/bzImage" || ! -s "$IMAGES/x86_64/rootfs.cpio.gz" ]]; then
    echo "FAIL x86-images: $IMAGES/x86_64 missing (run scripts/fetch-images.sh)"
    exit 1
fi
BIN=$BIN_X86
new_disk x86
NO_REBOOT='' boot_x86_64 reboot-x86 300 "$GUEST_CMD" -smp 2 -drive file="$DISK",format=raw,if=virtio
check_rebooted reboot-x86
echo "# reboot-x86: ${ELAPSED}s"

new_disk x86-noreboot
boot_x86_64 noreboot-x86 300 "$GUEST_CMD" -smp 2 -drive file="$DISK",format=raw,if=virtio
n=$(boots)
check noreboot-x86-one-boot "expected 1 kernel boot with -no-reboot, saw $n" test "$n" -eq 1
check noreboot-x86-reboot-requested "the guest did not get to reboot -f" grep -a -q '^FIRST-BOOT' "$OUT"
check noreboot-x86-exit-0 "emulator exit status $RC with -no-reboot" test "$RC" -eq 0
echo "# noreboot-x86: ${ELAPSED}s"
