/* Signals: handlers with siginfo/ucontext, siglongjmp out of SIGSEGV,
 * raise(), sigaltstack, masks, SIGILL/SIGTRAP, alarm. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile void *fault_addr;
static volatile int usr1_count, usr1_code, alt_used, alrm;
static char altstack[65536];

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    fault_addr = si->si_addr;
    siglongjmp(jb, sig);
}

static void on_usr1(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    char here;
    usr1_count++;
    usr1_code = si->si_code;
    if ((uintptr_t)&here >= (uintptr_t)altstack && (uintptr_t)&here < (uintptr_t)altstack + sizeof altstack)
        alt_used = 1;
    /* The kernel blocks the signal while its handler runs. */
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("in usr1: sig=%d blocked-self=%d pc-nonzero=%d\n", sig, sigismember(&cur, SIGUSR1),
           uc->uc_mcontext.__gregs[0] != 0);
}

static void on_trap(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    (void)si;
    printf("got signal %d\n", sig);
    /* Skip the faulting instruction (4 bytes: c.ebreak is avoided below). */
    uc->uc_mcontext.__gregs[0] += 4;
}

static void on_alrm(int sig) {
    (void)sig;
    alrm = 1;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    for (int i = 0; i < 3; i++) {
        int s = sigsetjmp(jb, 1);
        if (s == 0) {
            volatile int *p = (volatile int *)(uintptr_t)(0x10 + i * 8);
            *p = 1;
            printf("not reached\n");
        } else {
            printf("caught signal %d at %p (round %d)\n", s, (void *)fault_addr, i);
        }
    }

    /* raise() with SIGUSR1, first on the normal stack, then on an altstack. */
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("usr1 count=%d code=%d alt=%d\n", usr1_count, usr1_code, alt_used);

    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) perror("sigaltstack");
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("usr1 count=%d alt=%d\n", usr1_count, alt_used);
    stack_t old;
    sigaltstack(NULL, &old);
    printf("altstack size=%zu flags=%d same=%d\n", old.ss_size, old.ss_flags, old.ss_sp == altstack);

    /* A blocked signal stays pending until unblocked. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGUSR1);
    printf("while blocked: count=%d\n", usr1_count);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("after unblock: count=%d\n", usr1_count);

    /* Old action is reported back. */
    struct sigaction got;
    sigaction(SIGUSR1, NULL, &got);
    printf("old action matches=%d onstack=%d\n", got.sa_sigaction == on_usr1, !!(got.sa_flags & SA_ONSTACK));

    /* SIGILL and SIGTRAP from instructions, resumed by editing the ucontext pc. */
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    __asm__ volatile(".option push\n.option norvc\n.word 0\n.option pop" ::: "memory");
    __asm__ volatile(".option push\n.option norvc\nebreak\n.option pop" ::: "memory");
    printf("resumed after traps\n");

    /* Registers survive a signal. */
    double d = 1.5;
    long acc = 7;
    for (int i = 0; i < 3; i++) {
        raise(SIGUSR1);
        d *= 2.0;
        acc = acc * 3 + 1;
    }
    printf("fp=%g acc=%ld count=%d\n", d, acc, usr1_count);

    /* SIGALRM from alarm(). */
    signal(SIGALRM, on_alrm);
    alarm(1);
    while (!alrm) {
    }
    printf("alarm fired\n");

    /* Default action of SIGUSR2: terminate. */
    fflush(stdout);
    signal(SIGUSR2, SIG_DFL);
    raise(SIGUSR2);
    printf("not reached\n");
    return 0;
}
