/* What one thread does to memory that another thread sees: code patched and
 * made visible with __riscv_flush_icache, and a page made read-only while
 * the other thread's earlier stores could still be cached. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

extern void __riscv_flush_icache(void *start, void *end, unsigned long flags);

static _Atomic int step;
static uint32_t *code;
static volatile char *page;
static sigjmp_buf env;

static void wait_for(int s) { while (atomic_load(&step) != s) sched_yield(); }

static void on_segv(int sig) { (void)sig; siglongjmp(env, 1); }

static void *other(void *arg) {
    (void)arg;
    int (*f)(void) = (int (*)(void))code;
    int sum = 0;
    for (int k = 0; k < 1000; k++) sum += f(); /* hot: translated */
    printf("before the patch: %d\n", f());
    page[0] = 1; /* a store that may leave a cached write entry */
    atomic_store(&step, 1);
    wait_for(2);
    printf("after the patch and flush: %d\n", f());
    if (sigsetjmp(env, 1) == 0) {
        page[1] = 2;
        printf("store to the read-only page went through\n");
    } else {
        printf("store to the read-only page faulted\n");
    }
    return (void *)(intptr_t)sum;
}

int main(void) {
    signal(SIGSEGV, on_segv);
    code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    code[0] = 0x00100513; /* li a0, 1 */
    code[1] = 0x00008067; /* ret */
    __riscv_flush_icache(code, code + 2, 0);
    pthread_t t;
    pthread_create(&t, NULL, other, NULL);
    wait_for(1);
    code[0] = 0x00200513; /* li a0, 2 */
    __riscv_flush_icache(code, code + 2, 0);
    mprotect((void *)page, 4096, PROT_READ);
    atomic_store(&step, 2);
    void *r;
    pthread_join(t, &r);
    printf("sum %d\n", (int)(intptr_t)r);
    return 0;
}
