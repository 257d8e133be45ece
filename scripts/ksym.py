#!/usr/bin/env python3
"""ksym.py — turn guest kernel addresses into symbol+offset with a System.map.

Usage: scripts/ksym.py System.map ADDR...      (or addresses on stdin, one per line;
       any line's hex words that fall inside the kernel are annotated in place)
The System.map of the reference kernels is inside the Debian package cached
under images/.apt/<arch>/debs (dpkg-deb -x it).
"""
import bisect
import re
import sys


def load(path):
    syms = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1].lower() in "ttwwdbr":
                syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return syms


def lookup(syms, addrs, a):
    i = bisect.bisect_right(addrs, a) - 1
    if i < 0 or a - addrs[i] > 0x100000:
        return None
    return "%s+0x%x" % (syms[i][1], a - addrs[i])


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 1
    syms = load(sys.argv[1])
    addrs = [a for a, _ in syms]
    if len(sys.argv) > 2:
        for a in sys.argv[2:]:
            print(a, lookup(syms, addrs, int(a, 16)) or "?")
        return 0
    for line in sys.stdin:
        def rep(m):
            s = lookup(syms, addrs, int(m.group(0), 16))
            return m.group(0) + ("<" + s + ">" if s else "")
        sys.stdout.write(re.sub(r"\bffff[0-9a-f]{12}\b", rep, line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
