/* Small kernels, one instruction mix each, to find where a translator is far
 * off QEMU or native (not the headline benchmark: see benches/user).
 * Usage: kernels NAME | --list. Prints the kernel's result. */
#include <fenv.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 20000000L

static double k_fsingle(void) { float s = 0, x = 1.0001f; for (long i = 0; i < N; i++) { s = s * 0.999f + x; x += 0.5f; } return s; }
static double k_fma(void) { double s = 0; for (long i = 0; i < N; i++) s = fma(s, 0.999, (double)i); return s; }
/* Integer-valued doubles: exact results never set fflags.NX. */
static double k_exactfp(void) { double s = 0; for (long i = 0; i < N; i++) { double a = i * 0.5, b = (N - i) * 0.25; s += isless(a, b) ? a : -b; } return s; }
static double k_div(void) { uint64_t s = 1; for (long i = 1; i < N; i++) s += (s * 7 + i) / (uint64_t)(i | 3) + (s % (i | 5)); return s; }
static double k_atomic(void) { _Atomic long c = 0; for (long i = 0; i < N; i++) atomic_fetch_add(&c, i); return c; }
static double k_cas(void) { _Atomic long c = 0; for (long i = 0; i < N; i++) { long o = c; while (!atomic_compare_exchange_weak(&c, &o, o + i)); } return c; }
static double k_memcpy(void) { char *a = malloc(1 << 16), *b = malloc(1 << 16); memset(a, 1, 1 << 16); long s = 0; for (long i = 0; i < N / 4096; i++) { memcpy(b, a, 1 << 16); s += b[i & 0xffff]; } free(a); free(b); return s; }
static double k_str(void) { char buf[64]; long s = 0; for (long i = 0; i < N / 16; i++) { snprintf(buf, sizeof buf, "item%ld", i & 1023); s += strlen(buf) + strcmp(buf, "item512"); } return s; }
static double k_cvt(void) { double s = 0; for (long i = 0; i < N; i++) { double d = i * 0.37; s += (long)d + (int)(float)d; } return s; }
static double k_minmax(void) { double s = 0, x = 0.5; for (long i = 0; i < N; i++) { x = fabs(x - 0.3) + 0.1; s = fmax(s, x) + fmin(x, 0.2) + copysign(x, -1.0); } return s; }
static double k_mulh(void) { unsigned __int128 s = 1; uint64_t x = 0x9e3779b97f4a7c15ull; for (long i = 0; i < N; i++) { s += (unsigned __int128)x * (x + i); x ^= (uint64_t)(s >> 64); } return (double)(uint64_t)s; }
static double k_sqrtf(void) { float s = 0; for (long i = 1; i < N; i++) s += sqrtf((float)i); return s; }
static double k_fenv(void) { double s = 0; for (long i = 1; i < N; i++) { feclearexcept(FE_ALL_EXCEPT); s += 1.0 / i; if (fetestexcept(FE_INEXACT)) s += 1; } return s; }
struct __attribute__((packed)) P { char c; uint64_t v; uint32_t w; };
static double k_unaligned(void) { struct P *p = calloc(1024, sizeof *p); uint64_t s = 0; for (long i = 0; i < N; i++) { p[i & 1023].v += i; s += p[(i * 7) & 1023].v + p[i & 1023].w; } free(p); return s; }
static long fib(int k) { return k < 2 ? k : fib(k - 1) + fib(k - 2); }
static double k_calls(void) { return fib(32); }

static const struct { const char *name; double (*f)(void); } kernels[] = {
    {"fsingle", k_fsingle}, {"fma", k_fma}, {"exactfp", k_exactfp}, {"div", k_div},
    {"atomic", k_atomic}, {"cas", k_cas}, {"memcpy", k_memcpy}, {"str", k_str},
    {"cvt", k_cvt}, {"minmax", k_minmax}, {"mulh", k_mulh}, {"sqrtf", k_sqrtf},
    {"fenv", k_fenv}, {"unaligned", k_unaligned}, {"calls", k_calls},
};

int main(int argc, char **argv) {
    for (unsigned k = 0; k < sizeof kernels / sizeof *kernels; k++) {
        if (argc > 1 && !strcmp(argv[1], "--list"))
            printf("%s\n", kernels[k].name);
        else if (argc > 1 && !strcmp(argv[1], kernels[k].name))
            printf("%s %.6g\n", kernels[k].name, kernels[k].f());
    }
    return 0;
}
