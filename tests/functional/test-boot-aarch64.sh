#!/usr/bin/env bash
# test-boot-aarch64.sh — Debian's arm64 kernel boots on coremu (virt, cortex-a57,
# one core) to the initramfs marker, runs a command whose output is checked, and
# `poweroff -f` ends the emulator with status 0. The same boot on the interpreter
# backend is in test-boot-aarch64-interp.sh.
set -u
source "$(dirname "$0")/lib.sh"
need_images

boot_aarch64 boot 300 'echo "sum=$((6 * 7))"; grep -c ^processor /proc/cpuinfo; cat /proc/version'
check boot-marker "no COREMU-GUEST-READY marker within the time limit" grep -q 'COREMU-GUEST-READY arch=aarch64 cpus=1' "$OUT"
check boot-command-output "guest command output missing" grep -q '^sum=42' "$OUT"
check boot-kernel-version "kernel banner missing" grep -q 'Linux version 6\.1' "$OUT"
check boot-command-done "command did not complete with rc=0" grep -q 'COREMU-GUEST-DONE rc=0' "$OUT"
check boot-poweroff-status "emulator exit status $RC, expected 0 after poweroff" test "$RC" -eq 0
echo "boot-to-poweroff took ${ELAPSED}s" >&2
