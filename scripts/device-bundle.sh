#!/usr/bin/env bash
# device-bundle.sh — pack what a scalability run needs on a machine with no
# package archive and no cross compiler (the 16-core "device" machine) into
# dev-bundle/bundle.tar.gz (ignored by git; carry it with the run):
#   bin/   coremu-system-aarch64, qemu-system-aarch64, each behind a wrapper that
#          starts it with the bundled dynamic loader and libraries (the host's
#          libc may differ)
#   lib/   every shared library either binary needs (from ldd), the loader too
#   images/aarch64/Image, images/aarch64/rootfs-scaling.cpio.gz (bench initramfs
#          with pigz and the prebuilt word count)
# On the device: scripts/device-run.sh [MAXCORES] [WORKLOAD] [MB] unpacks it and
# runs bench/scaling.sh with these binaries; results go to $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
out=dev-bundle
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out" "$stage"/{bin,lib,images/aarch64}
[[ -x build/coremu-system-aarch64 ]] || make -s all
scripts/fetch-images.sh --with-bench >/dev/null

qemu=$(command -v qemu-system-aarch64) || { echo "device-bundle: qemu-system-aarch64 missing" >&2; exit 1; }
for b in build/coremu-system-aarch64 "$qemu"; do
    name=$(basename "$b")
    cp "$b" "$stage/bin/$name.real"
    ldd "$b" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' | while read -r l; do
        cp -Ln "$l" "$stage/lib/" 2>/dev/null || true
    done
    cat >"$stage/bin/$name" <<WRAP
#!/bin/sh
d=\$(cd "\$(dirname "\$0")/.." && pwd)
exec "\$d/lib/ld-linux-x86-64.so.2" --library-path "\$d/lib" "\$d/bin/$name.real" "\$@"
WRAP
    chmod +x "$stage/bin/$name"
done
cp images/aarch64/Image "$stage/images/aarch64/Image"
w=$(mktemp -d)
mkdir -p "$w/bench"
aarch64-linux-gnu-gcc -O2 -static -pthread -o "$w/bench/wordcount" guest/bench/wordcount.c
(cd "$w" && echo bench/wordcount | cpio -o -H newc --quiet | gzip -9) >"$w/extra.cpio.gz"
cat images/aarch64/rootfs-bench.cpio.gz "$w/extra.cpio.gz" >"$stage/images/aarch64/rootfs-scaling.cpio.gz"
rm -rf "$w"
tar -C "$stage" -czf "$out/bundle.tar.gz" .
ls -la "$out/bundle.tar.gz"
