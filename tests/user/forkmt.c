/* fork from a multi-threaded process (busy threads, a JIT warming up):
   only the forking thread lives on in each child. */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int stop;
static volatile unsigned long spins[2];

static void *busy(void *arg) {
    long i = (long)arg;
    while (!stop) spins[i]++;
    return NULL;
}

static void *forker(void *arg) {
    int sum = 0;
    for (int i = 0; i < 20; i++) {
        pid_t c = fork();
        if (c == 0) {
            unsigned long x = 0;
            for (int k = 0; k < 100000; k++) x += k * (unsigned long)i;
            _exit((int)(x % 7) + i);
        }
        int st;
        waitpid(c, &st, 0);
        sum += WEXITSTATUS(st);
    }
    *(int *)arg = sum;
    return NULL;
}

int main(void) {
    pthread_t t[3];
    int sum = 0;
    pthread_create(&t[0], NULL, busy, (void *)0);
    pthread_create(&t[1], NULL, busy, (void *)1);
    pthread_create(&t[2], NULL, forker, &sum); /* fork from a non-main thread */
    pthread_join(t[2], NULL);
    stop = 1;
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    printf("children's statuses add up to %d\n", sum);
    fflush(stdout);
    pid_t c = fork(); /* and from the main thread */
    if (c == 0) { printf("child of main thread\n"); return 4; }
    int st;
    waitpid(c, &st, 0);
    printf("main child exited %d\n", WEXITSTATUS(st));
    return 0;
}
