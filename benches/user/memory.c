/* Memory-bound work: streaming over a large array (triad), pointer-chasing random
 * access through an LCG permutation, and byte copies/compares. Usage: memory [scale]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N (1u << 21) /* 2M 64-bit words = 16 MiB per array */

static uint64_t lcg(uint64_t *s) {
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

int main(int argc, char **argv) {
    int scale = argc > 1 ? atoi(argv[1]) : 1;
    uint64_t *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    uint32_t *next = malloc(N * sizeof *next);
    uint64_t seed = 42, sum = 0;

    for (uint32_t i = 0; i < N; i++) { a[i] = i * 3u + 1; b[i] = i ^ 0x5a5a; }

    /* streaming triad passes */
    for (int pass = 0; pass < 8 * scale; pass++)
        for (uint32_t i = 0; i < N; i++) a[i] = b[i] + 3 * a[i] + (uint64_t)pass;
    for (uint32_t i = 0; i < N; i++) sum += a[i];

    /* random cyclic permutation (Sattolo), then chase it */
    for (uint32_t i = 0; i < N; i++) next[i] = i;
    for (uint32_t i = N - 1; i > 0; i--) {
        uint32_t j = lcg(&seed) % i;
        uint32_t t = next[i]; next[i] = next[j]; next[j] = t;
    }
    uint32_t p = 0;
    for (uint32_t k = 0; k < 2 * N * scale; k++) { p = next[p]; sum += p; }

    /* random read-modify-write */
    for (uint32_t k = 0; k < 2 * N * scale; k++) {
        uint32_t i = lcg(&seed) & (N - 1);
        b[i] += a[(i * 7) & (N - 1)];
    }

    /* byte copies and compares with varying sizes and alignments */
    uint8_t *src = (uint8_t *)a, *dst = (uint8_t *)b;
    for (int r = 0; r < 80 * scale; r++) {
        uint32_t off = lcg(&seed) % 4096, len = 65536 + lcg(&seed) % 65536;
        memcpy(dst + off + r, src + off, len);
        sum += memcmp(dst + off + r, src + off, len) == 0;
        memset(dst + off, r, 333);
    }
    for (uint32_t i = 0; i < N; i++) sum = sum * 31 + b[i];

    printf("checksum %016llx\n", (unsigned long long)sum);
    free(a); free(b); free(next);
    return 0;
}
