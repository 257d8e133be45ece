/*
 * bmi_helper.c — the few BMI2 / SSE4.2 integer operations that are not a
 * handful of TCG ops: PDEP, PEXT (SDM Vol.2 PDEP/PEXT: bit scatter and
 * gather under a mask) and CRC32 (the Castagnoli polynomial 0x1EDC6F41,
 * bit-reflected, as SDM CRC32 specifies; no initial or final inversion).
 * All are pure functions of their operands; everything else of BMI1/BMI2,
 * MOVBE and ADX is inline IR (translate-bmi.c).
 */
#include "target/i386/cpu.h"

#define HELPER_H "target/i386/helper.h"
#include "exec/helper-proto.h"

uint64_t helper_pdep(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    for (uint64_t bit = 1; mask; bit <<= 1) {
        uint64_t low = mask & -mask;
        if (src & bit) {
            r |= low;
        }
        mask &= mask - 1;
    }
    return r;
}

uint64_t helper_pext(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    for (uint64_t bit = 1; mask; bit <<= 1) {
        uint64_t low = mask & -mask;
        if (src & low) {
            r |= bit;
        }
        mask &= mask - 1;
    }
    return r;
}

/* crc: the accumulator (low 32 bits); val: bytes little-endian, `bytes` of them */
uint64_t helper_crc32(uint64_t crc, uint64_t val, uint32_t bytes)
{
    uint32_t c = (uint32_t)crc;
    for (uint32_t i = 0; i < bytes; i++) {
        c ^= (uint8_t)(val >> (8 * i));
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ ((c & 1) ? 0x82f63b78u : 0);
        }
    }
    return c;
}
