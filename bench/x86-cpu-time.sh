#!/usr/bin/env bash
# x86-cpu-time.sh — single-core x86-64 speed, coremu against Debian's
# qemu-system-x86_64, in host CPU time (user+sys of the emulator process),
# which a busy shared host disturbs much less than wall time. Alternating,
# REPS times each, three measurements:
#   boot     the Debian amd64 guest booted to poweroff (initramfs marker, then
#            `poweroff -f`): CPU seconds
#   first    wall seconds from start to the kernel's first line with
#            earlyprintk (the bzImage decompressor and early setup; QEMU's
#            figure includes SeaBIOS, its "Booting from ROM" time is shown)
#   work     boot + a CPU-bound guest command (seq | pigz -p 1 -n | md5sum,
#            a 100000-iteration shell loop; needs rootfs-bench.cpio.gz from
#            scripts/fetch-images.sh --with-bench): CPU seconds; the md5 must
#            match between the emulators
# Usage: bench/x86-cpu-time.sh [REPS=3]   (env COREMU= another coremu binary)
# Prints one line per run and the minimum of each column.
set -u
cd "$(dirname "$0")/.."
REPS=${1:-3}
IMAGES=${COREMU_IMAGES:-images}/x86_64
COREMU=${COREMU:-build/coremu-system-x86_64}
QEMU=$(command -v qemu-system-x86_64)
[[ -x $COREMU && -n $QEMU ]] || { echo "need $COREMU and qemu-system-x86_64"; exit 1; }
[[ -f $IMAGES/rootfs-bench.cpio.gz ]] || { echo "need $IMAGES/rootfs-bench.cpio.gz"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CMD='seq 1 1000000 > /tmp/s; pigz -p 1 -n -c /tmp/s | md5sum; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo WL-END $i'

emu() { # binary initrd append... -> runs it, output in $tmp/out
    local bin=$1 initrd=$2 append=$3 extra=()
    [[ $bin == "$QEMU" ]] && extra=(-accel tcg -nic none)
    /usr/bin/time -f '%U %S' -o "$tmp/time" timeout 300 "$bin" -M pc -smp 1 -m 1G -nographic \
        -no-reboot "${extra[@]}" -kernel "$IMAGES/bzImage" -initrd "$IMAGES/$initrd" \
        -append "$append" </dev/null >"$tmp/out" 2>&1
}

cpu() { awk '{ printf "%.2f", $1 + $2 }' "$tmp/time"; }

first() { # binary -> "seconds to the first kernel line [rom seconds]"
    local bin=$1 extra=()
    [[ $bin == "$QEMU" ]] && extra=(-accel tcg -nic none)
    local t0
    t0=$(date +%s.%N)
    timeout 60 "$bin" -M pc -smp 1 -m 1G -nographic -no-reboot "${extra[@]}" \
        -kernel "$IMAGES/bzImage" -initrd "$IMAGES/rootfs.cpio.gz" \
        -append "console=ttyS0 earlyprintk=serial panic=-1" </dev/null 2>/dev/null |
        while IFS= read -r line; do
            case $line in
            *"Booting from ROM"*) echo "rom $(date +%s.%N)" ;;
            *"Linux version"*) echo "linux $(date +%s.%N)"; break ;;
            esac
        done | awk -v t0="$t0" '$1 == "rom" { r = $2 - t0 } $1 == "linux" { l = $2 - t0 }
            END { printf "%.2f", l; if (r) printf " (rom %.2f)", r }'
}

printf '| run | emulator | boot CPU (s) | first kernel line (s) | boot + work CPU (s) | md5 |\n|---|---|---|---|---|---|\n'
for i in $(seq 1 "$REPS"); do
    for bin in "$COREMU" "$QEMU"; do
        name=$(basename "$bin")
        emu "$bin" rootfs.cpio.gz "console=ttyS0 panic=-1"
        grep -q COREMU-GUEST-DONE "$tmp/out" && b=$(cpu) || b=fail
        f=$(first "$bin")
        emu "$bin" rootfs-bench.cpio.gz \
            "console=ttyS0 panic=-1 coremu.cmd=$(printf '%s' "$CMD" | base64 -w0)"
        grep -q 'WL-END 100000' "$tmp/out" && w=$(cpu) || w=fail
        md5=$(grep -a -o -m1 '^[0-9a-f]\{32\}' "$tmp/out")
        printf '| %d | %s | %s | %s | %s | %s |\n' "$i" "$name" "$b" "$f" "$w" "${md5:0:8}"
    done
done | tee "$tmp/table"
awk -F'|' '{ e = $3; gsub(/ /, "", e); for (k = 4; k <= 6; k++) { v = $k + 0;
        if ($k ~ /[0-9]/ && (!(e SUBSEP k in m) || v < m[e, k])) m[e, k] = v } ; names[e] = 1 }
    END { for (e in names) printf "min %s: boot CPU %.2f s, first line %.2f s, boot+work CPU %.2f s\n",
        e, m[e, 4], m[e, 5], m[e, 6] }' "$tmp/table"
