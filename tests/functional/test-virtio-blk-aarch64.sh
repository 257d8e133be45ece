#!/usr/bin/env bash
# test-virtio-blk-aarch64.sh — a virtio-blk disk on the Debian arm64 guest:
# boot 1 writes a random token to /dev/vda and syncs; the token is in the image
# file after exit; boot 2 reads it back from the disk.
set -u
source "$(dirname "$0")/lib.sh"
need_images

DISK=$WORK/disk.img
truncate -s 16M "$DISK"
TOKEN=coremu-$RANDOM$RANDOM-$$

boot_aarch64 vblk-write 300 "ls -l /dev/vda && echo $TOKEN | dd of=/dev/vda bs=512 seek=8 conv=fsync 2>/dev/null && sync && echo WROTE" \
    -drive file="$DISK",format=raw,if=virtio
check vblk-device-present "/dev/vda not listed" grep -q '/dev/vda' "$OUT"
check vblk-write-done "guest write did not complete" grep -q '^WROTE' "$OUT"
check vblk-write-exit "emulator exit status $RC after the first boot" test "$RC" -eq 0
check vblk-token-in-image "token not found at sector 8 of the image file" \
    bash -c "dd if='$DISK' bs=512 skip=8 count=1 2>/dev/null | grep -q '$TOKEN'"

boot_aarch64 vblk-read 300 "dd if=/dev/vda bs=512 skip=8 count=1 2>/dev/null | head -1" \
    -drive file="$DISK",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0
check vblk-read-back "second boot did not read the token back" grep -q "^$TOKEN" "$OUT"
check vblk-read-exit "emulator exit status $RC after the second boot" test "$RC" -eq 0
