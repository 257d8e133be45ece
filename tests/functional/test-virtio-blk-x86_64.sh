#!/usr/bin/env bash
# test-virtio-blk-x86_64.sh — a virtio-pci (modern) block disk on the Debian amd64
# guest (-M pc): boot 1 finds the function on PCI bus 0, binds virtio_blk
# (/dev/vda), writes a random token and syncs; the token is in the image file
# after exit; boot 2 reads it back from the disk. Boot 1 uses MSI-X (one vector
# per queue), boot 2 runs with pci=nomsi so the same driver takes the INTx
# fallback (level GSI through the IOAPIC, the ISR register). Boot 3 checks that
# a write acknowledged after a flush survives SIGKILL of the emulator.
set -u
source "$(dirname "$0")/lib.sh"
BIN_X86=${BIN_X86:-$ROOT/build/coremu-system-x86_64}

if [[ ! -s "$IMAGES/x86_64/bzImage" || ! -s "$IMAGES/x86_64/rootfs.cpio.gz" ]]; then
    echo "FAIL images: $IMAGES/x86_64 missing (run scripts/fetch-images.sh)"
    exit 1
fi
if [[ ! -x "$BIN_X86" ]]; then
    echo "FAIL vblk-x86-binary: $BIN_X86 not built"
    exit 1
fi

# boot NAME TIMEOUT CMD [extra emulator args...]: console in $OUT, status in $RC;
# $APPEND_EXTRA goes on the kernel command line
boot_pc() {
    local name=$1 tmo=$2 cmd=$3; shift 3
    OUT=$WORK/$name.out
    timeout --kill-after=5 "$tmo" "$BIN_X86" -M pc -m "${GUEST_MEM:-1G}" -nographic -no-reboot \
        -kernel "$IMAGES/x86_64/bzImage" -initrd "$IMAGES/x86_64/rootfs.cpio.gz" \
        -append "console=ttyS0 panic=-1 ${APPEND_EXTRA:-} coremu.cmd=$(printf '%s' "$cmd" | base64 -w0)" \
        "$@" >"$OUT" 2>&1 </dev/null
    RC=$?
}

DISK=$WORK/disk.img
truncate -s 16M "$DISK"
TOKEN=coremu-$RANDOM$RANDOM-$$

boot_pc vblk-x86-write 300 "ls -l /dev/vda && grep virtio0 /proc/interrupts && echo $TOKEN | dd of=/dev/vda bs=512 seek=8 conv=fsync 2>/dev/null && sync && echo WROTE" \
    -drive file="$DISK",format=raw,if=virtio
check vblk-x86-pci-enumerated "the kernel did not find 1af4:1042 on bus 0" \
    grep -q '\[1af4:1042\] type 00 class 0x010000' "$OUT"
check vblk-x86-driver-bound "virtio_blk did not report vda" grep -q 'virtio_blk virtio[0-9]*: .*\[vda\]' "$OUT"
check vblk-x86-device-present "/dev/vda not listed" grep -q '/dev/vda' "$OUT"
check vblk-x86-msix "virtio0 did not get MSI-X vectors" grep -q 'PCI-MSI.*virtio0-req.0' "$OUT"
check vblk-x86-write-done "guest write did not complete" grep -q '^WROTE' "$OUT"
check vblk-x86-write-exit "emulator exit status $RC after the first boot" test "$RC" -eq 0
check vblk-x86-token-in-image "token not found at sector 8 of the image file" \
    bash -c "dd if='$DISK' bs=512 skip=8 count=1 2>/dev/null | grep -q '$TOKEN'"

APPEND_EXTRA=pci=nomsi boot_pc vblk-x86-read 300 \
    "dd if=/dev/vda bs=512 skip=8 count=1 2>/dev/null | head -1; grep virtio0 /proc/interrupts" \
    -drive file="$DISK",format=raw,if=virtio
check vblk-x86-read-back "second boot did not read the token back" grep -q "^$TOKEN" "$OUT"
check vblk-x86-intx "with pci=nomsi virtio0 is not on an IO-APIC line" grep -q 'IO-APIC.*virtio0' "$OUT"
check vblk-x86-read-exit "emulator exit status $RC after the second boot" test "$RC" -eq 0

# A write the guest saw acknowledged (fsync: VIRTIO_BLK_T_FLUSH) survives the
# emulator being killed (SIGKILL) right after.
TOKEN2=coremu-killed-$RANDOM$RANDOM-$$
OUT=$WORK/vblk-x86-kill.out
"$BIN_X86" -M pc -m "${GUEST_MEM:-1G}" -nographic -no-reboot \
    -kernel "$IMAGES/x86_64/bzImage" -initrd "$IMAGES/x86_64/rootfs.cpio.gz" \
    -append "console=ttyS0 panic=-1 coremu.cmd=$(printf '%s' "echo $TOKEN2 | dd of=/dev/vda bs=512 seek=16 conv=fsync 2>/dev/null && echo SYNCED; sleep 600" | base64 -w0)" \
    -drive file="$DISK",format=raw,if=virtio >"$OUT" 2>&1 </dev/null &
PID=$!
for _ in $(seq 300); do
    grep -q '^SYNCED' "$OUT" && break
    kill -0 $PID 2>/dev/null || break
    sleep 1
done
kill -KILL $PID 2>/dev/null
wait $PID 2>/dev/null
check vblk-x86-kill-synced "the guest did not finish its synced write" grep -q '^SYNCED' "$OUT"
check vblk-x86-kill-survives "acknowledged write lost after SIGKILL" \
    bash -c "dd if='$DISK' bs=512 skip=16 count=1 2>/dev/null | grep -q '$TOKEN2'"
