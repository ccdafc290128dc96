/* Threads: 4 pthreads contend on a mutex, a condition-variable handoff,
 * thread-local storage, gettid and pthread_join. */
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 4
#define ITERS 100000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread long mine;
static pid_t tids[THREADS];

static void *worker(void *arg) {
    long id = (long)arg;
    tids[id] = (pid_t)syscall(SYS_gettid);
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        mine++;
    }
    return (void *)(mine * 10 + id);
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stage;

static void *ponger(void *arg) {
    (void)arg;
    for (int round = 0; round < 1000; round++) {
        pthread_mutex_lock(&m);
        while (stage % 2 == 0)
            pthread_cond_wait(&cv, &m);
        stage++;
        pthread_cond_signal(&cv);
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

int main(void) {
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    long sum = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)r;
    }
    printf("counter=%ld (expected %d)\n", counter, THREADS * ITERS);
    printf("returns=%ld main-tls=%ld\n", sum, mine);
    int distinct = 1;
    pid_t self = (pid_t)syscall(SYS_gettid);
    for (int i = 0; i < THREADS; i++) {
        if (tids[i] == self || tids[i] <= 0) distinct = 0;
        for (int j = 0; j < i; j++)
            if (tids[i] == tids[j]) distinct = 0;
    }
    printf("distinct tids=%d main-tid-is-pid=%d\n", distinct, self == getpid());

    pthread_t p;
    pthread_create(&p, NULL, ponger, NULL);
    for (int round = 0; round < 1000; round++) {
        pthread_mutex_lock(&m);
        while (stage % 2 == 1)
            pthread_cond_wait(&cv, &m);
        stage++;
        pthread_cond_signal(&cv);
        pthread_mutex_unlock(&m);
    }
    pthread_join(p, NULL);
    printf("handoff stage=%d\n", stage);
    return 0;
}
