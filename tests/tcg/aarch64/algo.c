/*
 * algo.c — compiler-generated code under register pressure: a BLAKE2s-style
 * compression (RFC 7693 structure), a SHA-256-style round function, a sort
 * and 64-bit multiply/divide mixes. Prints digests for diffing against QEMU.
 */
#include "lib.h"

static inline uint32_t ror32(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
static const uint8_t sigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

struct state {
    uint32_t h[8], t[2], f[2];
};

static void compress(struct state *s, const uint8_t *block, uint32_t inc)
{
    uint32_t m[16], v[16];
    for (int i = 0; i < 16; i++) {
        m[i] = block[4 * i] | (uint32_t)block[4 * i + 1] << 8 | (uint32_t)block[4 * i + 2] << 16 |
               (uint32_t)block[4 * i + 3] << 24;
    }
    s->t[0] += inc;
    s->t[1] += s->t[0] < inc;
    for (int i = 0; i < 8; i++) {
        v[i] = s->h[i];
        v[i + 8] = iv[i];
    }
    v[12] ^= s->t[0];
    v[13] ^= s->t[1];
    v[14] ^= s->f[0];
    v[15] ^= s->f[1];
#define G(r, i, a, b, c, d)                                                            \
    do {                                                                               \
        a += b + m[sigma[r][2 * i]];                                                   \
        d = ror32(d ^ a, 16);                                                          \
        c += d;                                                                        \
        b = ror32(b ^ c, 12);                                                          \
        a += b + m[sigma[r][2 * i + 1]];                                               \
        d = ror32(d ^ a, 8);                                                           \
        c += d;                                                                        \
        b = ror32(b ^ c, 7);                                                           \
    } while (0)
    for (int r = 0; r < 10; r++) {
        G(r, 0, v[0], v[4], v[8], v[12]);
        G(r, 1, v[1], v[5], v[9], v[13]);
        G(r, 2, v[2], v[6], v[10], v[14]);
        G(r, 3, v[3], v[7], v[11], v[15]);
        G(r, 4, v[0], v[5], v[10], v[15]);
        G(r, 5, v[1], v[6], v[11], v[12]);
        G(r, 6, v[2], v[7], v[8], v[13]);
        G(r, 7, v[3], v[4], v[9], v[14]);
    }
    for (int i = 0; i < 8; i++) {
        s->h[i] ^= v[i] ^ v[i + 8];
    }
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

static void sort(uint64_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        uint64_t k = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > k) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = k;
    }
}

static uint8_t data[4096];
static uint64_t arr[200];

int main(void)
{
    for (int i = 0; i < 4096; i++) {
        data[i] = (uint8_t)mix64((uint64_t)i);
    }
    struct state s;
    for (int i = 0; i < 8; i++) {
        s.h[i] = iv[i];
    }
    s.h[0] ^= 0x01010020;
    s.t[0] = s.t[1] = s.f[0] = s.f[1] = 0;
    for (int b = 0; b < 64; b++) {
        compress(&s, data + 64 * b, 64);
        if (b % 8 == 7) {
            for (int i = 0; i < 8; i++) {
                print_hex(s.h[i]);
                putc_uart(' ');
            }
            putc_uart('\n');
        }
    }
    for (int i = 0; i < 200; i++) {
        arr[i] = mix64((uint64_t)i * 7919u) % 100000u;
    }
    sort(arr, 200);
    uint64_t acc = 0;
    for (int i = 0; i < 200; i++) {
        acc = acc * 31 + arr[i];
        acc ^= (int64_t)acc / (int64_t)(i + 3) + (acc % 977);
    }
    print_hex(acc);
    putc_uart('\n');
    puts_uart("algo done\n");
    return 0;
}
