/*
 * crypto.c — the Armv8 Cryptographic Extension (FEAT_AES, FEAT_PMULL,
 * FEAT_SHA1, FEAT_SHA256), following the Arm ARM pseudocode (C7.2 AESE ...
 * SHA256SU1; shared functions SHAchoose, SHAmajority, SHAparity,
 * SHA256hash). The AES S-boxes are computed at first use from their
 * definition (multiplicative inverse in GF(2^8) and the affine map), not
 * copied from a table. Registers are read and written whole in env->v.
 */
#include <pthread.h>
#include <string.h>

#include "target/arm/cpu.h"

#define HELPER_H "target/arm/helper.h"
#include "exec/helper-proto.h"

static uint8_t sbox[256], inv_sbox[256];
static pthread_once_t sbox_once = PTHREAD_ONCE_INIT;

static uint8_t gf_mul(uint8_t a, uint8_t b)
{
    uint8_t p = 0;
    while (b) {
        if (b & 1) {
            p ^= a;
        }
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
        b >>= 1;
    }
    return p;
}

static uint8_t rotl8(uint8_t x, int n)
{
    return (uint8_t)((x << n) | (x >> (8 - n)));
}

static void sbox_init(void)
{
    for (int i = 0; i < 256; i++) {
        uint8_t inv = 0;
        for (int j = 1; j < 256 && i; j++) {
            if (gf_mul((uint8_t)i, (uint8_t)j) == 1) {
                inv = (uint8_t)j;
                break;
            }
        }
        uint8_t s = (uint8_t)(inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^
                              rotl8(inv, 4) ^ 0x63);
        sbox[i] = s;
        inv_sbox[s] = (uint8_t)i;
    }
}

static void load(CPUState *cs, int r, uint8_t *b)
{
    memcpy(b, cpu_env(cs)->v[r], 16);
}

static void store(CPUState *cs, int r, const uint8_t *b)
{
    memcpy(cpu_env(cs)->v[r], b, 16);
}

/* op: 0 AESE, 1 AESD, 2 AESMC, 3 AESIMC; regs = rd | rn << 5 */
void helper_crypto_aes(CPUState *cs, uint32_t op, uint32_t regs)
{
    static const uint8_t shift_rows[16] = {0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11};
    static const uint8_t inv_shift_rows[16] = {0, 13, 10, 7, 4, 1, 14, 11,
                                               8, 5, 2, 15, 12, 9, 6, 3};
    pthread_once(&sbox_once, sbox_init);
    int rd = regs & 31, rn = (regs >> 5) & 31;
    uint8_t d[16], n[16], r[16];
    load(cs, rd, d);
    load(cs, rn, n);
    if (op <= 1) {
        for (int i = 0; i < 16; i++) {
            d[i] ^= n[i];
        }
        for (int i = 0; i < 16; i++) {
            r[i] = op == 0 ? sbox[d[shift_rows[i]]] : inv_sbox[d[inv_shift_rows[i]]];
        }
    } else {
        /* (Inv)MixColumns on each 4-byte column of Vn */
        static const uint8_t m[2][4] = {{2, 3, 1, 1}, {14, 11, 13, 9}};
        const uint8_t *k = m[op - 2];
        for (int c = 0; c < 4; c++) {
            const uint8_t *col = n + 4 * c;
            for (int row = 0; row < 4; row++) {
                uint8_t x = 0;
                for (int j = 0; j < 4; j++) {
                    x ^= gf_mul(k[(j - row + 4) % 4], col[j]);
                }
                r[4 * c + row] = x;
            }
        }
    }
    store(cs, rd, r);
}

static uint32_t ror32(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static uint32_t rol32(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static uint32_t sha_choose(uint32_t x, uint32_t y, uint32_t z)
{
    return ((y ^ z) & x) ^ z;
}

static uint32_t sha_majority(uint32_t x, uint32_t y, uint32_t z)
{
    return (x & y) | ((x | y) & z);
}

static uint32_t sha_parity(uint32_t x, uint32_t y, uint32_t z)
{
    return x ^ y ^ z;
}

/*
 * Three-register SHA: op 0 SHA1C, 1 SHA1P, 2 SHA1M, 3 SHA1SU0, 4 SHA256H,
 * 5 SHA256H2, 6 SHA256SU1; regs = rd | rn << 5 | rm << 10
 */
void helper_crypto_sha3(CPUState *cs, uint32_t op, uint32_t regs)
{
    int rd = regs & 31, rn = (regs >> 5) & 31, rm = (regs >> 10) & 31;
    uint32_t d[4], n[4], m[4], r[4];
    CPUARMState *env = cpu_env(cs);
    memcpy(d, env->v[rd], 16);
    memcpy(n, env->v[rn], 16);
    memcpy(m, env->v[rm], 16);
    switch (op) {
    case 0: case 1: case 2: { /* SHA1C/P/M Qd, Sn, Vm.4S */
        uint32_t x[4] = {d[0], d[1], d[2], d[3]}, y = n[0];
        for (int e = 0; e < 4; e++) {
            uint32_t t = op == 0 ? sha_choose(x[1], x[2], x[3])
                         : op == 1 ? sha_parity(x[1], x[2], x[3])
                                   : sha_majority(x[1], x[2], x[3]);
            y = y + rol32(x[0], 5) + t + m[e];
            x[1] = rol32(x[1], 30);
            /* <Y, X> = ROL(Y : X, 32) */
            uint32_t ny = x[3];
            x[3] = x[2];
            x[2] = x[1];
            x[1] = x[0];
            x[0] = y;
            y = ny;
        }
        memcpy(r, x, 16);
        break;
    }
    case 3: /* SHA1SU0: (Vn<63:0> : Vd<127:64>) ^ Vd ^ Vm */
        r[0] = d[2] ^ d[0] ^ m[0];
        r[1] = d[3] ^ d[1] ^ m[1];
        r[2] = n[0] ^ d[2] ^ m[2];
        r[3] = n[1] ^ d[3] ^ m[3];
        break;
    case 4: case 5: { /* SHA256H (X = Qd, Y = Qn) / SHA256H2 (X = Qn, Y = Qd) */
        uint32_t x[4], y[4];
        memcpy(x, op == 4 ? d : n, 16);
        memcpy(y, op == 4 ? n : d, 16);
        for (int e = 0; e < 4; e++) {
            uint32_t chs = sha_choose(y[0], y[1], y[2]);
            uint32_t maj = sha_majority(x[0], x[1], x[2]);
            uint32_t s1 = ror32(y[0], 6) ^ ror32(y[0], 11) ^ ror32(y[0], 25);
            uint32_t s0 = ror32(x[0], 2) ^ ror32(x[0], 13) ^ ror32(x[0], 22);
            uint32_t t = y[3] + s1 + chs + m[e];
            x[3] = t + x[3];
            y[3] = t + s0 + maj;
            /* <Y, X> = ROL(Y : X, 32) */
            uint32_t xt = x[3], yt = y[3];
            x[3] = x[2];
            x[2] = x[1];
            x[1] = x[0];
            x[0] = yt;
            y[3] = y[2];
            y[2] = y[1];
            y[1] = y[0];
            y[0] = xt;
        }
        memcpy(r, op == 4 ? x : y, 16);
        break;
    }
    default: { /* SHA256SU1 */
        uint32_t t0[4] = {n[1], n[2], n[3], m[0]};
        for (int e = 0; e < 4; e++) {
            uint32_t el = e < 2 ? m[2 + e] : r[e - 2];
            el = ror32(el, 17) ^ ror32(el, 19) ^ (el >> 10);
            r[e] = el + d[e] + t0[e];
        }
        break;
    }
    }
    memcpy(env->v[rd], r, 16);
}

/* Two-register SHA: op 0 SHA1H, 1 SHA1SU1, 2 SHA256SU0; regs = rd | rn << 5 */
void helper_crypto_sha2(CPUState *cs, uint32_t op, uint32_t regs)
{
    int rd = regs & 31, rn = (regs >> 5) & 31;
    uint32_t d[4], n[4], r[4] = {0, 0, 0, 0};
    CPUARMState *env = cpu_env(cs);
    memcpy(d, env->v[rd], 16);
    memcpy(n, env->v[rn], 16);
    switch (op) {
    case 0: /* SHA1H Sd, Sn */
        r[0] = rol32(n[0], 30);
        break;
    case 1: { /* SHA1SU1 */
        uint32_t t[4] = {d[0] ^ n[1], d[1] ^ n[2], d[2] ^ n[3], d[3]};
        r[0] = rol32(t[0], 1);
        r[1] = rol32(t[1], 1);
        r[2] = rol32(t[2], 1);
        r[3] = rol32(t[3], 1) ^ rol32(t[0], 2);
        break;
    }
    default: { /* SHA256SU0 */
        uint32_t t[4] = {d[1], d[2], d[3], n[0]};
        for (int e = 0; e < 4; e++) {
            uint32_t el = t[e];
            el = ror32(el, 7) ^ ror32(el, 18) ^ (el >> 3);
            r[e] = el + d[e];
        }
        break;
    }
    }
    memcpy(env->v[rd], r, 16);
}

/* PMULL/PMULL2 Vd.1Q, Vn.1D/2D, Vm.1D/2D: 64x64 -> 128 carry-less; hi selects the upper D */
void helper_crypto_pmull64(CPUState *cs, uint32_t hi, uint32_t regs)
{
    int rd = regs & 31, rn = (regs >> 5) & 31, rm = (regs >> 10) & 31;
    CPUARMState *env = cpu_env(cs);
    uint64_t a = env->v[rn][hi & 1], b = env->v[rm][hi & 1], lo = 0, h = 0;
    for (int i = 0; i < 64; i++) {
        if ((b >> i) & 1) {
            lo ^= a << i;
            h ^= i ? a >> (64 - i) : 0;
        }
    }
    env->v[rd][0] = lo;
    env->v[rd][1] = h;
}
