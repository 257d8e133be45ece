/*
 * test-x86-diff-bmi.c — BMI1 (ANDN BEXTR BLSI BLSMSK BLSR TZCNT), BMI2
 * (BZHI MULX PDEP PEXT RORX SARX SHLX SHRX), ADX (ADCX ADOX), MOVBE, and
 * LZCNT/POPCNT against the host CPU (test-x86-vec-harness.h): every
 * encoding of the decoder's tables, VEX-encoded ones included, with random
 * registers (VEX.vvvv too), operand sizes (VEX.W / REX.W) and memory
 * operands; the defined flags are compared (AF/PF, and SF for BEXTR, are
 * undefined). A class whose CPUID bit the host lacks is skipped, by name.
 */
#include "test-x86-vec-harness.h"

static bool f_bmi1(int mn, uint16_t fl)
{
    return mn == MN_ANDN || mn == MN_BEXTR || mn == MN_BLSI || mn == MN_BLSMSK ||
           mn == MN_BLSR || mn == MN_TZCNT;
}

static bool f_bmi2(int mn, uint16_t fl)
{
    return mn == MN_BZHI || mn == MN_MULX || mn == MN_PDEP || mn == MN_PEXT ||
           mn == MN_RORX || mn == MN_SARX || mn == MN_SHLX || mn == MN_SHRX;
}

static bool f_adx(int mn, uint16_t fl)
{
    return mn == MN_ADCX || mn == MN_ADOX;
}

static bool f_movbe(int mn, uint16_t fl)
{
    return mn == MN_MOVBE;
}

static bool f_abm(int mn, uint16_t fl)
{
    return mn == MN_LZCNT || mn == MN_POPCNT;
}

int main(void)
{
    uint32_t c1 = vh_cpuid(1, 2), b7 = vh_cpuid(7, 1);
    uint32_t e81c;
    {
        unsigned a, b, c, d;
        __cpuid(0x80000001, a, b, c, d);
        e81c = c;
    }
    const VhClass classes[] = {
        {"bmi1", f_bmi1, false, b7 & (1u << 3), "BMI1"},
        {"bmi2", f_bmi2, false, b7 & (1u << 8), "BMI2"},
        {"adx", f_adx, false, b7 & (1u << 19), "ADX"},
        {"movbe", f_movbe, false, c1 & (1u << 22), "MOVBE"},
        {"lzcnt-popcnt", f_abm, false, (e81c & (1u << 5)) && (c1 & (1u << 23)), "ABM/POPCNT"},
    };
    vh_init();
    int failures = 0;
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        failures += vh_run_class(&classes[i], vh_seed(), vh_n());
    }
    return failures ? 1 : 0;
}
