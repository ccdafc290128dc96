/* Floating point as programs see it: results and accrued exception flags
 * (fetestexcept) of arithmetic, conversions and compares under every rounding
 * mode, with the flags cleared or already set, in hot loops that the JIT
 * compiles. Prints one line per case. */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const double dv[] = {1.0, -2.5, 3.0e-310, 1.0e308, -0.0, 0.1, 1.5e-323, 6.0, INFINITY, NAN, 2.2250738585072014e-308};
static const float fv[] = {1.0f, -2.5f, 1.0e-40f, 3.0e38f, -0.0f, 0.1f, 16777217.0f, 6.0f, INFINITY, NAN};
#define ND (sizeof dv / sizeof dv[0])
#define NF (sizeof fv / sizeof fv[0])

static uint64_t bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static int flags(void) { return fetestexcept(FE_ALL_EXCEPT); }

int main(void) {
    static const int modes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        for (int preset = 0; preset < 2; preset++) {
            uint64_t h = 0;
            int acc = 0;
            /* Enough rounds for the hot loop to be compiled. */
            for (int round = 0; round < 400; round++) {
                for (unsigned i = 0; i < ND; i++)
                    for (unsigned j = 0; j < ND; j++) {
                        volatile double a = dv[i], b = dv[j];
                        feclearexcept(FE_ALL_EXCEPT);
                        if (preset) feraiseexcept(FE_INEXACT);
                        double r[] = {a + b, a - b, a * b, a / b, sqrt(a), fma(a, b, a)};
                        long l = (long)a;
                        int w = (int)b;
                        double c = (double)(long)(a * 1e6);
                        int cmp = (a < b) + 2 * (a <= b) + 4 * (a == b);
                        float s = (float)a;
                        for (int k = 0; k < 6; k++) h = h * 31 + bits(r[k]);
                        h = h * 31 + (uint64_t)l + (uint64_t)w * 7 + bits(c) + (uint64_t)cmp + fbits(s);
                        acc = acc * 3 + flags();
                    }
                for (unsigned i = 0; i < NF; i++)
                    for (unsigned j = 0; j < NF; j++) {
                        volatile float a = fv[i], b = fv[j];
                        feclearexcept(FE_ALL_EXCEPT);
                        if (preset) feraiseexcept(FE_INEXACT);
                        float r[] = {a + b, a - b, a * b, a / b, sqrtf(a), fmaf(a, b, b)};
                        int w = (int)a;
                        double d = (double)a;
                        float c = (float)(int)(a * 1000.0f);
                        for (int k = 0; k < 6; k++) h = h * 31 + fbits(r[k]);
                        h = h * 31 + (uint64_t)w + bits(d) + fbits(c) + (a < b);
                        acc = acc * 3 + flags();
                    }
            }
            printf("mode %d preset %d: results %016llx flags %08x\n", m, preset, (unsigned long long)h, (unsigned)acc);
        }
    }
    return 0;
}
