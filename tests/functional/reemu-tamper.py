#!/usr/bin/env python3
"""reemu-tamper.py SRC DST KIND DELTA — a well-formed log that does not fit its run.

Copies the reemu log SRC to DST with the first event of kind KIND of core 0 moved:
its first field (icount, or pos for ordering events) plus DELTA. The chunk holding
it is re-encoded and re-compressed with valid lengths and checksums
(include/reemu/log.h), so a replay must find the change by diverging, not by
refusing the file. Exit status 0 if such an event was found, 1 if not.
"""
import struct
import sys
import zlib

# fields per kind (bit 0 icount, 1 pos, 2 a, 3 b, 4 c, 5 d), as in reemu/log.c
FIELDS = {1: 0x0e, 2: 0x0e, 3: 0x0e, 16: 0x05, 17: 0x3d, 18: 0x3d, 19: 0x01, 20: 0x01,
          21: 0x1f, 22: 0x17, 23: 0x01, 24: 0x0e}
# the stream (category) a kind is written to: REEMU_CAT_* in include/reemu/log.h
CATS = {1: 0, 2: 0, 3: 1, 21: 3, 22: 3, 24: 4}


def leb(b, i):
    v = s = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7f) << s
        s += 7
        if not c & 0x80:
            return v, i


def put(v):
    out = bytearray()
    while True:
        c = v & 0x7f
        v >>= 7
        out.append(c | (0x80 if v else 0))
        if not v:
            return out


def main():
    src, dst, kind, delta = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    want_stream = 0 | CATS.get(kind, 2) << 16  # core 0
    d = bytearray(open(src, 'rb').read())
    hlen = struct.unpack_from('<I', d, 12)[0]
    off = 16 + hlen + 4
    done = False
    while off + 24 <= len(d) and not done:
        tag, stream, seq, rawlen, zlen, crc = struct.unpack_from('<6I', d, off)
        if tag == 0x4b4e4843 and stream == want_stream:
            raw = zlib.decompress(bytes(d[off + 24: off + 24 + zlen]))
            i, out = 0, bytearray()
            while i < len(raw):
                k = raw[i]
                i += 1
                vals = []
                for f in range(6):
                    if FIELDS[k] & (1 << f):
                        v, i = leb(raw, i)
                        vals.append(v)
                if k == kind and not done:
                    vals[0] += delta
                    done = True
                out.append(k)
                for v in vals:
                    out += put(v)
            if done:
                z = zlib.compress(bytes(out), 1)
                hdr = struct.pack('<5I', tag, stream, seq, len(out), len(z))
                c = zlib.crc32(z, zlib.crc32(hdr)) & 0xffffffff
                d[off: off + 24 + zlen] = hdr + struct.pack('<I', c) + z
                break
        off += 24 + zlen
    open(dst, 'wb').write(d)
    sys.exit(0 if done else 1)


main()
