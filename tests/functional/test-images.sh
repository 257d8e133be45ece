#!/bin/sh
# test-images.sh - check that the reference guest images are well formed.
#
# Usage: tests/functional/test-images.sh   (images from scripts/fetch-images.sh,
#        in $COREMU_IMAGES, default <repo>/images)
#
# Checks: aarch64/Image has the arm64 Image magic "ARM\x64" at 0x38;
# x86_64/bzImage has the boot protocol magic "HdrS" at 0x202; each
# <arch>/rootfs.cpio.gz is a gzip'd cpio archive holding init, bin/busybox,
# dev/console, etc/modules.order and at least one virtio kernel module.
# Prints "PASS test-images" (exit 0) or "FAIL test-images: reason" (exit 1).

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
IMAGES=${COREMU_IMAGES:-$ROOT/images}

fail() { echo "FAIL test-images: $*"; exit 1; }

# magic FILE OFFSET COUNT: those bytes as od -c text, blanks removed
magic() { od -An -c -j "$2" -N "$3" "$1" 2>/dev/null | tr -d ' \n'; }

for f in aarch64/Image x86_64/bzImage aarch64/rootfs.cpio.gz x86_64/rootfs.cpio.gz; do
    [ -s "$IMAGES/$f" ] || fail "$IMAGES/$f missing or empty (run scripts/fetch-images.sh)"
done

[ "$(magic "$IMAGES/aarch64/Image" 56 4)" = "ARMd" ] ||
    fail "aarch64/Image: no arm64 Image magic ARM\\x64 at 0x38"
[ "$(magic "$IMAGES/x86_64/bzImage" 514 4)" = "HdrS" ] ||
    fail "x86_64/bzImage: no HdrS magic at 0x202"

for arch in aarch64 x86_64; do
    cpio_gz="$IMAGES/$arch/rootfs.cpio.gz"
    list=$(gzip -dc "$cpio_gz" | cpio -t --quiet 2>/dev/null) ||
        fail "$arch/rootfs.cpio.gz: not a gzip'd cpio archive"
    for want in init bin/busybox dev/console etc/modules.order; do
        echo "$list" | grep -qx "$want" || fail "$arch/rootfs.cpio.gz: no $want"
    done
    echo "$list" | grep -q '^lib/modules/[^/]*/kernel/.*virtio.*\.ko$' ||
        fail "$arch/rootfs.cpio.gz: no virtio kernel module"
done

echo "PASS test-images"
exit 0
