#!/usr/bin/env bash
# test-smp-many-x86_64.sh — Debian's amd64 kernel on the "pc" machine with 16,
# 64 (and, with X86_MANY_SMP="16 64 255", 255) cores (each on its own host thread,
# oversubscribing the host):
# the kernel brings every core up (INIT-SIPI-SIPI, "smp: Brought up 1 node, N
# CPUs"), all are online in /sys and /proc/cpuinfo, and `poweroff -f` ends
# the emulator with status 0.  X86_MANY_SMP picks the core counts (default "16 64": on
# 2026-11-21 the 255-core boot stopped making progress after "pnp: PnP ACPI: found 3
# devices" on this 2-CPU host with the session-3 binary as with the session-4 one — a
# host/guest-kernel interaction under investigation, so it is not in make check).
# Kept apart from test-boot-x86_64.sh: slow on a small host.
#
# The append line works around what 255 host threads on a few host cores do
# to the guest's sense of time (the AArch64 kernel needs none of it: it has
# a clocksource, hence tickless idle, from its first instructions; x86 Linux
# ticks every core periodically at HZ=250 until fs_initcall switches away
# from the jiffies clocksource, so an idle core still wakes 250 times a
# second of host time during SMP bring-up):
#   lpj=4000000     the delay loop the boot CPU computes from the TSC (1 GHz:
#                   guest TSC = host CLOCK_MONOTONIC ns, hw/i386/apic.c) at
#                   HZ=250.  Without it every application processor
#                   calibrates against jiffies (the CPU model reports no
#                   invariant TSC and one core per package, so
#                   calibrate_delay_is_known() cannot reuse the boot CPU's
#                   value); with the boot CPU starved the ticks arrive
#                   irregularly, calibrate_delay_direct() fails ("Consider
#                   using lpj=") and the slow converging loop runs: 64 cores
#                   took 224-240 s to the marker instead of ~90 s.
#   no_timer_check  the "8254 timer not connected" probe can misfire when
#                   the boot CPU is starved.
# 255 cores only (each guest core gets under 1% of a host core):
#   nowatchdog, rcupdate.rcu_cpu_stall_suppress=1  the soft-lockup detector
#                   and RCU stall warnings measure host starvation here; on a
#                   loaded host they fired and their NMI backtraces of every
#                   core over the 16550 snowballed (no marker in 20 min);
#                   at load ~5 the boot passes without them (98 s, no report).
set -u
source "$(dirname "$0")/lib.sh"
BIN=${BIN_X86:-$ROOT/build/coremu-system-x86_64}

if [[ ! -s "$IMAGES/x86_64/bzImage" || ! -s "$IMAGES/x86_64/rootfs.cpio.gz" ]]; then
    echo "FAIL x86-many-images: $IMAGES/x86_64 missing (run scripts/fetch-images.sh)"
    exit 1
fi
if [[ ! -x "$BIN" ]]; then
    echo "FAIL x86-many-binary: $BIN not built (make)"
    exit 1
fi

job='echo "online=$(cat /sys/devices/system/cpu/online) n=$(grep -c ^processor /proc/cpuinfo)"'
for smp in ${X86_MANY_SMP:-16 64}; do
    APPEND=
    [[ $smp -le 64 ]] || APPEND="nowatchdog rcupdate.rcu_cpu_stall_suppress=1"
    X86_APPEND="lpj=4000000 no_timer_check $APPEND " GUEST_MEM=2G boot_x86_64 x86-many$smp 1200 "$job" -smp $smp
    check "x86-smp$smp-many-marker" "marker with cpus=$smp missing (${ELAPSED}s)" \
        grep -q "COREMU-GUEST-READY arch=x86_64 cpus=$smp" "$OUT"
    check "x86-smp$smp-many-kernel-log" "kernel did not bring up $smp CPUs" \
        grep -q "smp: Brought up 1 node, $smp CPUs" "$OUT"
    check "x86-smp$smp-many-online" "not all $smp cores online" \
        grep -q "online=0-$((smp - 1)) n=$smp" "$OUT"
    check "x86-smp$smp-many-exit" "exit status $RC" test "$RC" -eq 0
    echo "x86 smp$smp: ${ELAPSED}s" >&2
done
