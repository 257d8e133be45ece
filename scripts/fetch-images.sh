#!/bin/bash
# fetch-images.sh - build the reference guest images for coremu's tests.
#
# Usage: scripts/fetch-images.sh [--with-bench] [--force]
#
#   --with-bench  also build <arch>/rootfs-bench.cpio.gz: the rootfs plus
#                 Debian's pigz and the shared libraries it needs (libc6,
#                 zlib1g, libgcc-s1), for the scalability benchmark
#                 (/bench/pigz, run with coremu.run=pigz).
#   --force       rebuild even when the images are up to date.
#
# Environment:
#   COREMU_IMAGES          output directory (default: <repo>/images)
#   COREMU_KERNEL_ABI      pin the kernel, e.g. 6.1.0-56 (default: whatever
#                          linux-image-cloud-<arch> depends on today)
#   COREMU_DEBIAN_MIRROR   default http://deb.debian.org/debian
#   COREMU_DEBIAN_SECURITY default http://deb.debian.org/debian-security
#
# Everything comes from Debian bookworm through apt.  Each Debian architecture
# (arm64, amd64) gets a private apt configuration under $COREMU_IMAGES/.apt/
# (own sources, package lists, cache and an empty dpkg status), so packages of
# a foreign architecture can be downloaded without `dpkg --add-architecture`
# and without touching the host's apt state.  Downloaded .debs are cached
# there too.  Packages are unpacked with dpkg-deb -x; nothing is installed.
#
# Outputs (one summary line each):
#   aarch64/Image            raw arm64 Image ("ARM\x64" at 0x38)
#   aarch64/vmlinuz          the kernel as Debian ships it
#   aarch64/rootfs.cpio.gz   initramfs: static busybox + applet links,
#                            /init (guest/init), virtio modules, /bench,
#                            /stress (guest/stress/*.c, built here)
#   x86_64/bzImage           amd64 bzImage ("HdrS" at 0x202)
#   x86_64/rootfs.cpio.gz    same as above for x86-64
#   <arch>/manifest.txt      package versions, kernel release, module list
#   versions.txt             the resolved Debian packages, one per line
# The initramfs loads its modules in the order of /etc/modules.order, which
# is computed here from the modules' "depends=" modinfo fields.
#
# Guest programs: every guest/stress/*.c is compiled (static, -pthread) for
# each architecture -- aarch64-linux-gnu-gcc for aarch64, the host gcc (or
# x86_64-linux-gnu-gcc) for x86_64 -- into one multi-call binary
# /stress/stress of the initramfs, with a link /stress/<name> per program.
# A hash of their sources, flags and compiler versions is recorded in each
# manifest ("guest-programs: HASH"), and a manifest with another hash makes
# the images out of date whatever the file times say.
#
# Idempotent: when every output exists, is newer than this script and the
# guest/ sources, and the manifests name the current guest-program hash, it
# prints "images up to date" and does nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SELF="$ROOT/scripts/fetch-images.sh"
GUEST="$ROOT/guest"
IMAGES=${COREMU_IMAGES:-$ROOT/images}
MIRROR=${COREMU_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECMIRROR=${COREMU_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
ARCHES="aarch64 x86_64"

WITH_BENCH=0
FORCE=0
for a in "$@"; do
    case "$a" in
    --with-bench) WITH_BENCH=1 ;;
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$SELF"; exit 0 ;;
    *) echo "fetch-images: unknown argument: $a (try --help)" >&2; exit 2 ;;
    esac
done

die() { echo "fetch-images: error: $*" >&2; exit 1; }
debarch() { case "$1" in aarch64) echo arm64 ;; x86_64) echo amd64 ;; esac; }

# ----------------------------------------------------------- guest programs
STRESS_SRC="$GUEST/stress"
GUEST_CFLAGS="-O2 -static -pthread -s -Wall -Wextra"
guest_cc() {       # guest_cc ARCH: the C compiler that builds ARCH's programs
    case "$1" in
    aarch64) [ "$(uname -m)" = aarch64 ] && echo gcc || echo aarch64-linux-gnu-gcc ;;
    x86_64) [ "$(uname -m)" = x86_64 ] && echo gcc || echo x86_64-linux-gnu-gcc ;;
    esac
}
# guest_programs_hash: what the built programs depend on, hashed
guest_programs_hash() {
    local f arch
    {
        echo "flags: $GUEST_CFLAGS"
        for arch in $ARCHES; do
            echo "$arch: $("$(guest_cc "$arch")" --version 2>/dev/null | head -n 1)"
        done
        for f in "$STRESS_SRC"/*.c "$STRESS_SRC"/*.h; do
            [ -f "$f" ] || continue
            echo "== ${f##*/}"
            cat "$f"
        done
    } | sha256sum | cut -c1-16
}
GUEST_HASH=$(guest_programs_hash)

# build_guest_programs ARCH DESTDIR: compile guest/stress/*.c into one
# multi-call binary DESTDIR/stress (guest/stress/multicall.c) with a link
# DESTDIR/<name> per program
build_guest_programs() {
    local arch=$1 dest=$2 cc f name objs=() list=""
    cc=$(guest_cc "$arch")
    command -v "$cc" >/dev/null 2>&1 ||
        die "$cc not found: needed to build the $arch guest programs (run scripts/install-deps.sh)"
    mkdir -p "$dest" "$WORK/stress-$arch"
    for f in "$STRESS_SRC"/*.c; do
        [ -f "$f" ] || continue
        name=${f##*/}; name=${name%.c}
        [ "$name" = multicall ] && continue
        # shellcheck disable=SC2086 # GUEST_CFLAGS is a list of words
        "$cc" $GUEST_CFLAGS -c "-Dmain=main_${name//-/_}" -o "$WORK/stress-$arch/$name.o" "$f" ||
            die "cannot build guest program $f for $arch"
        objs+=("$WORK/stress-$arch/$name.o")
        list+="X(${name//-/_}) "
        ln -s stress "$dest/$name"
    done
    [ ${#objs[@]} -gt 0 ] || return 0
    # shellcheck disable=SC2086
    "$cc" $GUEST_CFLAGS "-DSTRESS_PROGRAMS=$list" -o "$dest/stress" "$STRESS_SRC/multicall.c" \
        "${objs[@]}" || die "cannot link the $arch guest programs"
}

# ---------------------------------------------------------------- freshness
outputs() {
    echo versions.txt
    for arch in $ARCHES; do
        case $arch in
        aarch64) echo aarch64/Image; echo aarch64/vmlinuz ;;
        x86_64) echo x86_64/bzImage ;;
        esac
        echo "$arch/rootfs.cpio.gz"
        echo "$arch/manifest.txt"
        [ "$WITH_BENCH" = 1 ] && echo "$arch/rootfs-bench.cpio.gz"
    done
    return 0
}

stamp="$IMAGES/.stamp"
[ "$WITH_BENCH" = 1 ] && stamp="$IMAGES/.stamp-bench"
up_to_date() {
    [ -e "$stamp" ] || return 1
    local f
    for f in $(outputs); do
        [ -e "$IMAGES/$f" ] || return 1
    done
    [ -z "$(find "$SELF" "$GUEST" -newer "$stamp" -print -quit)" ] || return 1
    local arch
    for arch in $ARCHES; do
        grep -qx "guest-programs: $GUEST_HASH" "$IMAGES/$arch/manifest.txt" || return 1
    done
}
if [ "$FORCE" = 0 ] && up_to_date; then
    echo "images up to date"
    exit 0
fi

for tool in apt-get apt-cache dpkg-deb cpio gzip od; do
    command -v $tool >/dev/null 2>&1 || die "$tool not found (run scripts/install-deps.sh)"
done
[ -x "$GUEST/init" ] || die "$GUEST/init missing or not executable"

mkdir -p "$IMAGES"
# One build at a time (tests may call this concurrently); re-check after waiting.
exec 9>"$IMAGES/.lock"
flock 9
if [ "$FORCE" = 0 ] && up_to_date; then
    echo "images up to date"
    exit 0
fi
WORK=$(mktemp -d "$IMAGES/.work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ------------------------------------------------------------- private apt
APTDIR="$IMAGES/.apt"
mkdir -p "$APTDIR"
cat >"$APTDIR/debian.sources.new" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECMIRROR
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
mv "$APTDIR/debian.sources.new" "$APTDIR/debian.sources"

APT_OPTS=()
apt_config() {     # apt_config DEBARCH: point APT_OPTS at that arch's private state
    local d="$APTDIR/$1"
    mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/debs"
    : >"$d/status"
    APT_OPTS=(-q
        -o "APT::Architecture=$1" -o "APT::Architectures::=$1"
        -o "Dir::State::Lists=$d/lists" -o "Dir::State::status=$d/status"
        -o "Dir::State::extended_states=$d/extended_states"
        -o "Dir::Cache=$d/cache"
        -o "Dir::Etc::SourceList=$APTDIR/debian.sources"
        -o "Dir::Etc::SourceParts=$APTDIR/no-source-parts")
    # The _apt sandbox user cannot write into a root-owned private tree.
    [ "$(id -u)" -eq 0 ] && APT_OPTS+=(-o "APT::Sandbox::User=root")
    return 0
}

apt_update() {     # apt_update DEBARCH
    local d="$APTDIR/$1"
    if ! apt-get "${APT_OPTS[@]}" update >"$WORK/apt-update.log" 2>&1 ||
            grep -q '^[WE]: Failed to fetch' "$WORK/apt-update.log"; then
        if ls "$d/lists/"*_Packages >/dev/null 2>&1; then
            echo "fetch-images: warning: apt-get update for $1 failed, using old package lists" >&2
        else
            cat "$WORK/apt-update.log" >&2
            die "apt-get update for $1 failed"
        fi
    fi
}

# resolve PKG...: look up the versions apt would take (apt-cache is slow to
# start, so ask once); candidate PKG prints one of them
declare -A CAND=()
resolve() {
    local p v
    CAND=()
    while read -r p v; do
        [ "$v" = "(none)" ] || CAND[$p]=$v
    done < <(apt-cache "${APT_OPTS[@]}" policy "$@" 2>/dev/null |
        awk '/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) }
             /^ +Candidate:/ { print p, $2 }')
}
candidate() { echo "${CAND[$1]:-}"; }

# deb_path DEBARCH PKG: where the candidate .deb of PKG is cached
deb_path() {
    local v; v=$(candidate "$2")
    echo "$APTDIR/$1/debs/${2}_${v//:/%3a}_$1.deb"
}

# fetch DEBARCH PKG...: download the candidates into the cache (if not there)
fetch() {
    local darch=$1; shift
    local d="$APTDIR/$darch/debs" p v want=()
    for p in "$@"; do
        v=$(candidate "$p")
        [ -n "$v" ] || die "package $p ($darch) not found in Debian bookworm"
        [ -s "$(deb_path "$darch" "$p")" ] || want+=("$p=$v")
        echo "$darch $p $v" >>"$WORK/versions.txt"
    done
    if [ ${#want[@]} -gt 0 ]; then
        (cd "$d" && apt-get "${APT_OPTS[@]}" download "${want[@]}") \
            >"$WORK/apt-download.log" 2>&1 ||
            { cat "$WORK/apt-download.log" >&2; die "apt-get download ${want[*]} failed"; }
    fi
}

# Drop cached .debs that are no longer the candidate versions.
prune_debs() {     # prune_debs DEBARCH KEEP...
    local d="$APTDIR/$1/debs" f k keep; shift
    for f in "$d"/*.deb; do
        [ -e "$f" ] || continue
        keep=0
        for k in "$@"; do [ "$f" = "$k" ] && keep=1; done
        [ $keep = 1 ] || rm -f "$f"
    done
}

# --------------------------------------------------------------- helpers
# bytes FILE OFFSET COUNT: the bytes as printable text (od -c, squeezed)
bytes() { od -An -c -j "$2" -N "$3" "$1" | tr -d ' \n'; }

size_line() {
    local f=$1 n
    n=$(stat -c %s "$f")
    printf '%-40s %10d bytes (%s)\n' "${f#"$ROOT"/}" "$n" "$(numfmt --to=iec "$n")"
}

# install_out SRC DEST: move into place atomically
install_out() { mkdir -p "$(dirname "$2")"; mv -f "$1" "$2.tmp" && mv -f "$2.tmp" "$2"; }

# Modules wanted in the initramfs (paths below lib/modules/<ver>/kernel/,
# without the .ko* suffix); the whole of drivers/virtio/ is added as well.
WANTED_MODULES="
drivers/block/virtio_blk
drivers/char/virtio_console
drivers/char/hw_random/virtio-rng
drivers/net/virtio_net
"

# modinfo_depends KO: the module's "depends=" field (comma separated)
modinfo_depends() {
    local ko=$1
    case "$ko" in
    *.ko.xz) xz -dc "$ko" ;;
    *.ko.zst) zstd -qdc "$ko" ;;
    *.ko.gz) gzip -dc "$ko" ;;
    *) cat "$ko" ;;
    esac | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n 1
}

# select_modules MODDIR STAGE MANIFEST: copy the wanted modules of kernel
# MODDIR (.../lib/modules/<release>) and their dependencies into the same
# place under STAGE; write STAGE/etc/modules.order (load order)
select_modules() {
    local mdir=$1 stage=$2 manifest=$3
    local sdir="$stage/lib/modules/${1##*/}" orderfile="$stage/etc/modules.order"
    local -A path_of=() state=()
    local order=() builtin=() f rel name

    while IFS= read -r rel; do
        name=${rel##*/}; name=${name%%.ko*}; name=${name//-/_}
        path_of[$name]=$rel
    done < <(cd "$mdir" && find kernel -name '*.ko*' | LC_ALL=C sort)

    visit() {      # depth-first: dependencies first
        local n=$1 dep
        case "${state[$n]:-}" in visited|busy) return 0 ;; esac
        if [ -z "${path_of[$n]:-}" ]; then
            if grep -q "/${n}.ko\$\|/${n//_/-}.ko\$" "$mdir/modules.builtin" 2>/dev/null; then
                builtin+=("$n")
            else
                echo "fetch-images: warning: module $n not found" >&2
            fi
            state[$n]=visited; return 0
        fi
        state[$n]=busy
        for dep in $(modinfo_depends "$mdir/${path_of[$n]}" | tr ',' ' '); do
            visit "$dep"
        done
        state[$n]=visited
        order+=("$n")
    }

    local roots=() m
    for m in $WANTED_MODULES; do roots+=("${m##*/}"); done
    for f in "$mdir"/kernel/drivers/virtio/*.ko*; do
        [ -e "$f" ] && { m=${f##*/}; roots+=("${m%%.ko*}"); }
    done
    for m in "${roots[@]}"; do visit "${m//-/_}"; done

    local out dep
    mkdir -p "$sdir" "$stage/etc"
    : >"$orderfile"
    for name in "${order[@]}"; do
        rel=${path_of[$name]}
        out=${rel%%.ko*}.ko
        mkdir -p "$sdir/$(dirname "$rel")"
        case "$rel" in      # busybox insmod wants plain .ko files
        *.ko.xz) xz -dc "$mdir/$rel" >"$sdir/$out" ;;
        *.ko.zst) zstd -qdc "$mdir/$rel" >"$sdir/$out" ;;
        *.ko.gz) gzip -dc "$mdir/$rel" >"$sdir/$out" ;;
        *) cp "$mdir/$rel" "$sdir/$out" ;;
        esac
        echo "$out" >>"$orderfile"
    done
    # modules.dep in depmod's format, for busybox modprobe.
    for name in "${order[@]}"; do
        rel=${path_of[$name]}
        printf '%s:' "${rel%%.ko*}.ko"
        for dep in $(modinfo_depends "$mdir/$rel" | tr ',' ' '); do
            [ -n "${path_of[$dep]:-}" ] && printf ' %s' "${path_of[$dep]%%.ko*}.ko"
        done
        echo
    done >"$sdir/modules.dep"
    for f in modules.builtin modules.order; do
        [ -e "$mdir/$f" ] && cp "$mdir/$f" "$sdir/$f"
    done
    {
        echo "modules (load order): ${order[*]}"
        echo "built into the kernel: ${builtin[*]:-(none of the wanted ones)}"
    } >>"$manifest"
}

# run_foreign ARCH BINARY ARGS...: run a static binary of ARCH on this host
run_foreign() {
    local arch=$1; shift
    if [ "$(uname -m)" = "$arch" ]; then
        "$@"
    elif command -v "qemu-$arch" >/dev/null 2>&1; then
        "qemu-$arch" "$@"
    elif command -v "qemu-$arch-static" >/dev/null 2>&1; then
        "qemu-$arch-static" "$@"
    else
        return 1
    fi
}

# so_closure STAGE SYSROOT ELF: copy ELF's interpreter and DT_NEEDED libraries
# (recursively) from SYSROOT into STAGE, keeping their paths
so_closure() {
    local stage=$1 sys=$2 elf=$3 lib interp dir found
    interp=$(readelf -lW "$elf" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
    [ -n "$interp" ] && copy_sys_file "$stage" "$sys" "$interp"
    for lib in $(readelf -dW "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        found=""
        for dir in /lib/*-linux-gnu /usr/lib/*-linux-gnu /lib /usr/lib; do
            for f in "$sys"$dir/"$lib"; do
                [ -e "$f" ] || continue
                found=${f#"$sys"}; break 2
            done
        done
        [ -n "$found" ] || die "$lib needed by ${elf##*/} not found in the bench packages"
        if [ ! -e "$stage$found" ]; then
            copy_sys_file "$stage" "$sys" "$found"
            so_closure "$stage" "$sys" "$sys$(sys_resolve "$sys" "$found")"
        fi
    done
}
sys_resolve() {    # sys_resolve SYSROOT PATH: follow symlinks inside SYSROOT
    local sys=$1 p=$2 t n=0
    while [ -L "$sys$p" ] && [ $n -lt 20 ]; do
        t=$(readlink "$sys$p")
        case "$t" in /*) p=$t ;; *) p=$(dirname "$p")/$t ;; esac
        n=$((n + 1))
    done
    echo "$p"
}
copy_sys_file() {  # copy_sys_file STAGE SYSROOT PATH (follows symlinks in SYSROOT)
    local stage=$1 sys=$2 p=$3 t
    mkdir -p "$stage$(dirname "$p")"
    if [ -L "$sys$p" ]; then
        t=$(readlink "$sys$p")
        ln -sfn "$t" "$stage$p"
        case "$t" in /*) ;; *) t=$(dirname "$p")/$t ;; esac
        copy_sys_file "$stage" "$sys" "$t"
    else
        cp "$sys$p" "$stage$p"
    fi
}

# pack STAGE OUT: newc cpio of STAGE, gzip'd, reproducible, owned by root
pack() {
    local stage=$1 out=$2
    local cmd="set -e
mknod -m 600 '$stage/dev/console' c 5 1
mknod -m 666 '$stage/dev/null' c 1 3
find '$stage' -exec touch -h -d @${SOURCE_DATE_EPOCH:-0} {} +
cd '$stage' && find . -mindepth 1 | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --reproducible --quiet | gzip -9 -n >'$out'
rm -f '$stage/dev/console' '$stage/dev/null'"
    if [ "$(id -u)" -eq 0 ]; then
        sh -c "$cmd"
    elif command -v fakeroot >/dev/null 2>&1; then
        fakeroot -- sh -c "$cmd"
    else
        die "creating /dev/console in the initramfs needs root or fakeroot"
    fi
}

# ------------------------------------------------------------- per arch
: >"$WORK/versions.txt"
build_arch() {
    local arch=$1 darch kpkg kdeb bbdeb ver mdir vmlinuz
    darch=$(debarch "$arch")
    local w="$WORK/$arch" out="$IMAGES/$arch"
    mkdir -p "$w" "$out"
    apt_config "$darch"
    apt_update "$darch"

    if [ -n "${COREMU_KERNEL_ABI:-}" ]; then
        kpkg="linux-image-$COREMU_KERNEL_ABI-cloud-$darch"
    else
        kpkg=$(apt-cache "${APT_OPTS[@]}" depends "linux-image-cloud-$darch" |
            awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
        [ -n "$kpkg" ] || die "cannot resolve linux-image-cloud-$darch"
    fi
    local pkgs=("$kpkg" busybox-static) benchpkgs=(pigz libc6 zlib1g libgcc-s1)
    resolve "${pkgs[@]}" "${benchpkgs[@]}"
    [ "$WITH_BENCH" = 1 ] && pkgs+=("${benchpkgs[@]}")
    local debs=() p
    fetch "$darch" "${pkgs[@]}"
    for p in "${pkgs[@]}"; do debs+=("$(deb_path "$darch" "$p")"); done
    # Keep the cached bench packages even in a default run.
    local keep=("${debs[@]}") b
    if [ "$WITH_BENCH" = 0 ]; then
        for b in "${benchpkgs[@]}"; do keep+=("$(deb_path "$darch" "$b")"); done
    fi
    prune_debs "$darch" "${keep[@]}"
    kdeb=${debs[0]} bbdeb=${debs[1]}

    dpkg-deb -x "$kdeb" "$w/kernel"
    dpkg-deb -x "$bbdeb" "$w/busybox"
    ver=$(ls "$w/kernel/lib/modules")
    [ "$(echo "$ver" | wc -w)" = 1 ] || die "expected one kernel in $kpkg, found: $ver"
    mdir="$w/kernel/lib/modules/$ver"
    vmlinuz="$w/kernel/boot/vmlinuz-$ver"
    [ -f "$vmlinuz" ] || die "$kpkg has no /boot/vmlinuz-$ver"

    local manifest="$w/manifest.txt"
    {
        echo "arch: $arch (Debian $darch)"
        echo "kernel: $kpkg $(candidate "$kpkg") release $ver"
        echo "busybox: busybox-static $(candidate busybox-static)"
    } >"$manifest"

    # Kernel.
    case $arch in
    aarch64)
        if [ "$(bytes "$vmlinuz" 0 2)" = "037213" ]; then  # gzip magic 1f 8b
            gzip -dc "$vmlinuz" >"$w/Image"
        else
            cp "$vmlinuz" "$w/Image"
        fi
        [ "$(bytes "$w/Image" 56 4)" = "ARMd" ] ||
            die "$vmlinuz is not an arm64 Image (no ARM\\x64 magic at 0x38)"
        cp "$vmlinuz" "$w/vmlinuz"
        ;;
    x86_64)
        [ "$(bytes "$vmlinuz" 514 4)" = "HdrS" ] ||
            die "$vmlinuz is not a bzImage (no HdrS magic at 0x202)"
        cp "$vmlinuz" "$w/bzImage"
        ;;
    esac

    # Root file system.
    local r="$w/root" bb="$w/busybox/bin/busybox" a
    mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc,bench,lib/modules}
    chmod 1777 "$r/tmp"
    cp "$bb" "$r/bin/busybox"
    chmod 755 "$r/bin/busybox"
    if applets=$(run_foreign "$arch" "$bb" --list-full 2>/dev/null); then
        for a in $applets; do
            [ -e "$r/$a" ] || [ -L "$r/$a" ] || ln -s /bin/busybox "$r/$a"
        done
    else
        echo "fetch-images: note: cannot run $arch busybox here; /init will create the applet links" >&2
    fi
    [ -L "$r/bin/sh" ] || ln -s busybox "$r/bin/sh"
    install -m 755 "$GUEST/init" "$r/init"
    if [ -d "$GUEST/bench" ]; then
        for f in "$GUEST"/bench/*; do
            [ -f "$f" ] && install -m 755 "$f" "$r/bench/"
        done
    fi
    build_guest_programs "$arch" "$r/stress"
    echo "guest-programs: $GUEST_HASH" >>"$manifest"
    select_modules "$mdir" "$r" "$manifest"
    pack "$r" "$w/rootfs.cpio.gz"

    if [ "$WITH_BENCH" = 1 ]; then
        local sys="$w/sysroot" d
        for d in "${debs[@]:2}"; do dpkg-deb -x "$d" "$sys"; done
        copy_sys_file "$r" "$sys" /usr/bin/pigz
        so_closure "$r" "$sys" "$sys/usr/bin/pigz"
        # libgcc_s is dlopen()ed by glibc for thread cancellation/unwinding.
        for d in "$sys"/lib/*-linux-gnu/libgcc_s.so.1 "$sys"/usr/lib/*-linux-gnu/libgcc_s.so.1; do
            [ -e "$d" ] && copy_sys_file "$r" "$sys" "${d#"$sys"}"
        done
        echo "bench: pigz $(candidate pigz), libc6 $(candidate libc6), zlib1g $(candidate zlib1g), libgcc-s1 $(candidate libgcc-s1)" >>"$manifest"
        pack "$r" "$w/rootfs-bench.cpio.gz"
    fi

    # Install the outputs.
    case $arch in
    aarch64) install_out "$w/Image" "$out/Image"; install_out "$w/vmlinuz" "$out/vmlinuz" ;;
    x86_64) install_out "$w/bzImage" "$out/bzImage" ;;
    esac
    install_out "$w/rootfs.cpio.gz" "$out/rootfs.cpio.gz"
    [ "$WITH_BENCH" = 1 ] && install_out "$w/rootfs-bench.cpio.gz" "$out/rootfs-bench.cpio.gz"
    install_out "$manifest" "$out/manifest.txt"

    echo "fetch-images: $arch: $kpkg $(candidate "$kpkg"), busybox-static $(candidate busybox-static)"
    for f in $(outputs); do
        case $f in "$arch"/*) [ "${f##*/}" = manifest.txt ] || size_line "$IMAGES/$f" ;; esac
    done
}

for arch in $ARCHES; do
    build_arch "$arch"
done
sort -u "$WORK/versions.txt" >"$WORK/versions.sorted"
install_out "$WORK/versions.sorted" "$IMAGES/versions.txt"
touch "$stamp"
# A bench build also contains everything a default build makes.
[ "$WITH_BENCH" = 1 ] && touch -r "$stamp" "$IMAGES/.stamp"
exit 0
