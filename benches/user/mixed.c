/* Mixed workload: quicksort of records, an open-addressing hash table of strings,
 * string building/search and a small text tokenizer. Usage: mixed [scale]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ull;
static uint64_t xorshift(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

typedef struct { uint32_t key; uint32_t val; } rec_t;

static void quicksort(rec_t *a, long lo, long hi) {
    while (lo < hi) {
        uint32_t pivot = a[lo + (hi - lo) / 2].key;
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i].key < pivot) i++;
            while (a[j].key > pivot) j--;
            if (i <= j) { rec_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
        else { quicksort(a, i, hi); hi = j; }
    }
}

static int cmp_u32(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

#define HBITS 16
typedef struct { char *key; uint32_t count; } slot_t;
static slot_t table[1u << HBITS];

static uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    while (*s) { h ^= (uint8_t)*s++; h *= 16777619u; }
    return h;
}

static void hash_add(const char *word) {
    uint32_t h = fnv1a(word) & ((1u << HBITS) - 1);
    while (table[h].key) {
        if (strcmp(table[h].key, word) == 0) { table[h].count++; return; }
        h = (h + 1) & ((1u << HBITS) - 1);
    }
    table[h].key = strdup(word);
    table[h].count = 1;
}

int main(int argc, char **argv) {
    int scale = argc > 1 ? atoi(argv[1]) : 1;
    uint64_t sum = 0;

    /* sorting */
    long n = 600000L * scale;
    rec_t *r = malloc(n * sizeof *r);
    for (long i = 0; i < n; i++) { r[i].key = xorshift() % 1000000; r[i].val = i; }
    quicksort(r, 0, n - 1);
    for (long i = 1; i < n; i++) if (r[i - 1].key > r[i].key) { puts("unsorted"); return 1; }
    for (long i = 0; i < n; i += 97) sum = sum * 131 + r[i].key + r[i].val;
    uint32_t *u = malloc(n / 2 * sizeof *u);
    for (long i = 0; i < n / 2; i++) u[i] = xorshift();
    qsort(u, n / 2, sizeof *u, cmp_u32);
    sum += u[0] ^ u[n / 4] ^ u[n / 2 - 1];

    /* text: generate words, tokenize, count in the hash table */
    static const char *syll[] = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "qua", "str", "ing"};
    size_t cap = 3200000u * scale;
    char *text = malloc(cap + 64);
    size_t len = 0;
    while (len < cap) {
        int ns = 1 + xorshift() % 3;
        for (int s = 0; s < ns; s++) {
            const char *p = syll[xorshift() % 12];
            size_t l = strlen(p);
            memcpy(text + len, p, l);
            len += l;
        }
        text[len++] = (xorshift() % 10) ? ' ' : '\n';
    }
    text[len] = 0;
    char word[64];
    size_t words = 0;
    for (char *p = text; *p;) {
        while (*p == ' ' || *p == '\n') p++;
        size_t l = 0;
        while (*p && *p != ' ' && *p != '\n' && l < 63) word[l++] = *p++;
        if (!l) break;
        word[l] = 0;
        hash_add(word);
        words++;
    }
    uint64_t distinct = 0;
    for (uint32_t i = 0; i < (1u << HBITS); i++)
        if (table[i].key) { distinct++; sum += (uint64_t)table[i].count * fnv1a(table[i].key); }

    /* substring searches */
    uint64_t hits = 0;
    const char *needles[] = {"quastr", "kalomi", "zezeze", "ingsa\n", "rutovi"};
    for (int k = 0; k < 5; k++)
        for (char *p = text; (p = strstr(p, needles[k])); p++) hits++;

    printf("words %zu distinct %llu hits %llu\n", words, (unsigned long long)distinct,
           (unsigned long long)hits);
    printf("checksum %016llx\n", (unsigned long long)(sum ^ (hits << 20) ^ words));
    return 0;
}
