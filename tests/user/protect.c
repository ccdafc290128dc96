/* Page protections: stores to read-only mappings, mprotect'ed pages, the
 * program's own text and rodata, and unmapped pages raise SIGSEGV; a store
 * to a read-only page with no handler kills the program (status 139). */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>

static sigjmp_buf jb;
static void on_segv(int sig) { siglongjmp(jb, sig); }
static const char rodata[] = "constant";

/* Runs a store; prints whether it faulted. */
#define TRY(what, store)                                                     \
    do {                                                                     \
        if (!sigsetjmp(jb, 1)) {                                             \
            store;                                                           \
            printf("%-22s stored\n", what);                                  \
        } else {                                                             \
            printf("%-22s SIGSEGV\n", what);                                 \
        }                                                                    \
    } while (0)

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGSEGV, on_segv);
    volatile char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TRY("rw mapping", p[0] = 1);
    mprotect((void *)p, 4096, PROT_READ);
    TRY("after mprotect(READ)", p[0] = 2);
    printf("value kept: %d\n", p[0]);
    TRY("next page still rw", p[4096] = 3);
    mprotect((void *)p, 4096, PROT_READ | PROT_WRITE);
    TRY("rw again", p[0] = 4);
    volatile char *r = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TRY("PROT_READ mapping", r[10] = 1);
    TRY("rodata", ((volatile char *)rodata)[0] = 'X');
    TRY("text", ((volatile char *)(void *)main)[0] = 0);
    munmap((void *)p, 8192);
    TRY("unmapped", p[4096] = 5);
    /* An atomic read-modify-write to a read-only page faults too. */
    TRY("atomic on rodata", __atomic_fetch_add((int *)(void *)rodata, 1, __ATOMIC_SEQ_CST));
    printf("rodata: %s\n", rodata);
    signal(SIGSEGV, SIG_DFL);
    ((volatile char *)r)[0] = 1;
    printf("not reached\n");
    return 0;
}
