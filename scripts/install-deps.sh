#!/bin/sh
# install-deps.sh - install every build and test dependency of coremu.
#
# Usage: scripts/install-deps.sh
#
# Installs the Debian (bookworm) packages needed to build coremu, cross-build
# the AArch64 test programs, build the reference guest images
# (scripts/fetch-images.sh) and run the tests against Debian's QEMU as oracle
# (scripts/qemu-ref-boot.sh); gdb-multiarch (4 MB) drives the gdb stub in
# tests/functional/test-gdbstub.sh.  Only the missing packages are installed, via
# `apt-get install -y --no-install-recommends` (preceded by `apt-get update`).
# Prints nothing when everything is already present, one summary line when it
# installs something.  Needs root, or sudo when run as a normal user.
# Exits non-zero with a message on failure.
set -eu

PACKAGES="
build-essential gcc make pkg-config
libglib2.0-dev zlib1g-dev libfdt-dev libcapstone-dev libpixman-1-dev
gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
qemu-system-arm qemu-system-x86 qemu-user
cpio gzip xz-utils zstd file device-tree-compiler python3 coreutils
gnuplot-nox expect clang fakeroot
gdb-multiarch
"
# Sanitizer runtimes for clang (ASan/UBSan/TSan); only where the archive has it.
OPTIONAL_PACKAGES="libclang-rt-14-dev"

die() { echo "install-deps: error: $*" >&2; exit 1; }

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script needs Debian (bookworm)"

missing=""
for p in $PACKAGES; do
    is_installed "$p" || missing="$missing $p"
done
for p in $OPTIONAL_PACKAGES; do
    is_installed "$p" && continue
    # Only ask for it when some configured archive offers it.
    if apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    die "missing packages:$missing; run as root (or install sudo)"
fi

echo "install-deps: installing$missing"
log=$(mktemp "${TMPDIR:-/tmp}/install-deps.XXXXXX")
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -q >"$log" 2>&1; then
    cat "$log" >&2
    die "apt-get update failed"
fi
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -q --no-install-recommends $missing >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "apt-get install failed for:$missing"
fi
still=""
for p in $missing; do
    is_installed "$p" || still="$still $p"
done
[ -z "$still" ] || die "still not installed after apt-get:$still"
exit 0
