/* rt_sigsuspend, pause, SA_RESTART vs EINTR for a blocking pipe read,
   sigtimedwait, FUTEX_WAKE_OP, and a robust mutex whose owner dies. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int hits;
static void on_sig(int s) { (void)s; hits++; }
static int pipefd[2];
static pthread_mutex_t robust;

static void ms(int n) { usleep(n * 1000); }

static void *late_writer(void *arg) {
    while (!hits) ms(1); /* the read was interrupted by the handler... */
    ms(50);              /* ...and is waiting again */
    write(pipefd[1], "w", 1);
    return arg;
}

static int raw_exit;

static void *owner(void *arg) {
    pthread_mutex_lock(&robust);
    *(int *)arg = 1;
    ms(100);
    /* Exit holding the lock. A thread that returns lets glibc itself mark
       its robust mutexes; a raw exit leaves that to the kernel's walk of
       the set_robust_list list (which qemu-riscv64 does not have). */
    if (raw_exit) syscall(SYS_exit, 0);
    return NULL;
}

static void *futex_waiter(void *w) {
    syscall(SYS_futex, w, FUTEX_WAIT, 0, NULL, NULL, 0);
    return NULL;
}

static void handler(int sig, int flags) {
    struct sigaction sa = {0};
    sa.sa_handler = on_sig;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

static void timer_ms(int n) {
    struct itimerval it = {{0, 0}, {0, n * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

int main(int argc, char **argv) {
    raw_exit = argc > 1 && !strcmp(argv[1], "raw-exit");
    pipe(pipefd);
    char c;
    pthread_t t;

    handler(SIGALRM, SA_RESTART);
    pthread_create(&t, NULL, late_writer, NULL);
    timer_ms(30);
    ssize_t n = read(pipefd[0], &c, 1);
    printf("SA_RESTART read: %zd '%c' hits=%d\n", n, n == 1 ? c : '?', hits);
    pthread_join(t, NULL);

    handler(SIGALRM, 0);
    timer_ms(30);
    errno = 0;
    n = read(pipefd[0], &c, 1);
    printf("plain read: %zd %s hits=%d\n", n, strerror(errno), hits);

    timer_ms(20);
    errno = 0;
    printf("pause: %d %s hits=%d\n", pause(), strerror(errno), hits);

    sigset_t usr1, empty, now;
    sigemptyset(&usr1); sigaddset(&usr1, SIGUSR1); sigemptyset(&empty);
    handler(SIGUSR1, 0);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    raise(SIGUSR1);
    printf("blocked: hits=%d\n", hits);
    errno = 0;
    printf("sigsuspend: %d %s hits=%d\n", sigsuspend(&empty), strerror(errno), hits);
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("still blocked after: %d\n", sigismember(&now, SIGUSR1));

    raise(SIGUSR1);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int s = sigtimedwait(&usr1, &si, NULL);
    printf("sigtimedwait: %d signo=%d code=%d hits=%d\n", s, si.si_signo, si.si_code, hits);
    struct timespec ts = {0, 20000000};
    errno = 0;
    printf("sigtimedwait timeout: %d %s\n", sigtimedwait(&usr1, &si, &ts), strerror(errno));

    /* FUTEX_WAKE_OP with nobody waiting: *w2 += 5, returns 0 woken. */
    static int w1 = 0, w2 = 10;
    long r = syscall(SYS_futex, &w1, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, (void *)1, &w2,
                     FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_GT, 0));
    printf("wake_op: %ld w2=%d\n", r, w2);
    r = syscall(SYS_futex, &w1, FUTEX_WAKE_OP, 1, (void *)1, &w2, FUTEX_OP((FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_EQ, 15));
    printf("wake_op shift-or: %ld w2=%d\n", r, w2);

    /* FUTEX_WAKE_OP waking a real waiter on the first word (retried until
       the waiter is asleep; SET keeps the second word's value stable). */
    pthread_create(&t, NULL, futex_waiter, &w1);
    do {
        ms(1);
        r = syscall(SYS_futex, &w1, FUTEX_WAKE_OP, 1, (void *)1, &w2, FUTEX_OP(FUTEX_OP_SET, 7, FUTEX_OP_CMP_EQ, 0));
    } while (r == 0);
    pthread_join(t, NULL);
    printf("wake_op woke: %ld w2=%d\n", r, w2);

    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &a);
    volatile int locked = 0;
    pthread_create(&t, NULL, owner, (void *)&locked);
    while (!locked) ms(1);
    int e = pthread_mutex_lock(&robust); /* blocks until the owner exits */
    printf("robust lock: %s\n", e == EOWNERDEAD ? "EOWNERDEAD" : strerror(e));
    printf("consistent: %d\n", pthread_mutex_consistent(&robust));
    printf("unlock: %d\n", pthread_mutex_unlock(&robust));
    printf("lock again: %d\n", pthread_mutex_lock(&robust));
    pthread_mutex_unlock(&robust);
    pthread_join(t, NULL);
    return 0;
}
