/* mremap (shrink, grow in place, move), munmap'd memory reused by mmap,
   mprotect/madvise on unmapped ranges, MADV_DONTNEED zeroing. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096

static int all(const char *p, size_t n, char c) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != c) return 0;
    return 1;
}

int main(void) {
    char *a = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED) return 1;
    memset(a, 'a', 8 * PG);
    printf("munmap top 6: %d\n", munmap(a + 2 * PG, 6 * PG));
    errno = 0;
    printf("mprotect unmapped: %d %s\n", mprotect(a + 3 * PG, PG, PROT_READ), strerror(errno));
    printf("mprotect mapped: %d\n", mprotect(a, 2 * PG, PROT_READ | PROT_WRITE));
    char *g = mremap(a, 2 * PG, 4 * PG, 0);
    printf("grow in place: %s kept=%d new-zero=%d\n", g == a ? "same" : g == MAP_FAILED ? strerror(errno) : "moved",
           all(a, 2 * PG, 'a'), all(a + 2 * PG, 2 * PG, 0));
    char *s = mremap(a, 4 * PG, PG, 0);
    printf("shrink: %s kept=%d\n", s == a ? "same" : "moved", all(a, PG, 'a'));
    /* Block growth with a fixed mapping right after it. */
    char *blk = mmap(a + 2 * PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("fixed blocker: %d\n", blk == a + 2 * PG);
    errno = 0;
    char *f = mremap(a, PG, 4 * PG, 0);
    printf("grow blocked: %s\n", f == MAP_FAILED ? strerror(errno) : "succeeded?");
    char *m = mremap(a, PG, 64 * PG, MREMAP_MAYMOVE);
    printf("grow maymove: %s kept=%d new-zero=%d\n", m == a ? "same" : m == MAP_FAILED ? "failed" : "moved",
           all(m, PG, 'a'), all(m + PG, 63 * PG, 0));
    memset(m, 'm', 64 * PG);
    printf("madvise dontneed: %d\n", madvise(m + 8 * PG, 8 * PG, MADV_DONTNEED));
    printf("zeroed=%d around=%d,%d\n", all(m + 8 * PG, 8 * PG, 0), all(m, 8 * PG, 'm'), all(m + 16 * PG, 48 * PG, 'm'));
    errno = 0;
    char *bad = mremap(a + 5 * PG, PG, 2 * PG, MREMAP_MAYMOVE);
    printf("mremap unmapped: %s\n", bad == MAP_FAILED ? strerror(errno) : "succeeded?");
    printf("munmap: %d\n", munmap(m, 64 * PG));
    /* Freed space reads as zero when mapped again. */
    char *r = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("fresh mapping zero: %d\n", all(r, 64 * PG, 0));
    return 0;
}
