#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    printf("hello from riscv64 user mode\n");
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    const char *v = getenv("XLATE_TEST_VAR");
    printf("XLATE_TEST_VAR=%s\n", v ? v : "(unset)");
    /* malloc: small (brk) and large (mmap) */
    char *small = malloc(100);
    char *big = malloc(4 << 20);
    if (!small || !big)
        return 3;
    memset(big, 'x', 4 << 20);
    strcpy(small, "heap ok");
    printf("%s %c\n", small, big[(4 << 20) - 1]);
    free(big);
    free(small);
    double d = 1.5;
    for (int i = 0; i < 10; i++)
        d = d * 1.25 + 0.5;
    printf("float %.6f\n", d);
    return 0;
}
