/* Integer arithmetic and branches: sieve of Eratosthenes, Collatz chain lengths,
 * bit tricks (popcount, reverse, gcd). Usage: intbranch [scale]. Prints a checksum. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t sieve(uint32_t n) {
    uint8_t *composite = calloc(n + 1, 1);
    uint64_t count = 0, sum = 0;
    for (uint32_t i = 2; i <= n; i++) {
        if (composite[i]) continue;
        count++;
        sum += i;
        for (uint64_t j = (uint64_t)i * i; j <= n; j += i) composite[j] = 1;
    }
    free(composite);
    return count * 1000003u + sum;
}

static uint64_t collatz(uint32_t limit) {
    uint64_t best = 0, best_n = 0, total = 0;
    for (uint64_t n = 1; n < limit; n++) {
        uint64_t x = n, steps = 0;
        while (x != 1) {
            x = (x & 1) ? 3 * x + 1 : x >> 1;
            steps++;
        }
        total += steps;
        if (steps > best) { best = steps; best_n = n; }
    }
    return total ^ (best << 32) ^ best_n;
}

static unsigned popcount64(uint64_t x) {
    unsigned c = 0;
    while (x) { x &= x - 1; c++; }
    return c;
}

static uint64_t reverse64(uint64_t x) {
    x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
    x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
    x = ((x >> 4) & 0x0f0f0f0f0f0f0f0full) | ((x & 0x0f0f0f0f0f0f0f0full) << 4);
    x = ((x >> 8) & 0x00ff00ff00ff00ffull) | ((x & 0x00ff00ff00ff00ffull) << 8);
    x = ((x >> 16) & 0x0000ffff0000ffffull) | ((x & 0x0000ffff0000ffffull) << 16);
    return (x >> 32) | (x << 32);
}

static uint64_t gcd(uint64_t a, uint64_t b) {
    while (b) { uint64_t t = a % b; a = b; b = t; }
    return a;
}

static uint64_t bits(uint32_t iters) {
    uint64_t x = 0x9e3779b97f4a7c15ull, acc = 0;
    for (uint32_t i = 0; i < iters; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        acc += popcount64(x);
        acc ^= reverse64(x + acc);
        acc += gcd((x >> 40) | 1, (acc >> 44) | 1);
        acc = (acc << 5) | (acc >> 59);
        acc += (int64_t)x < 0 ? (x / 7) : (x % 1000003);
    }
    return acc;
}

int main(int argc, char **argv) {
    int scale = argc > 1 ? atoi(argv[1]) : 1;
    uint64_t a = sieve(4000000u * scale);
    uint64_t b = collatz(600000u * scale);
    uint64_t c = bits(800000u * scale);
    printf("sieve %llu collatz %llu bits %llu\n", (unsigned long long)a,
           (unsigned long long)b, (unsigned long long)c);
    printf("checksum %016llx\n", (unsigned long long)(a * 31 + b * 17 + c));
    return 0;
}
