/* Processes: fork + wait4/waitpid/waitid, getppid, kill of a child, and
   (with a program path argument) execve and posix_spawn of another program. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static volatile sig_atomic_t usr1, chld;
static void on_usr1(int s) { (void)s; usr1 = 1; }
static void on_chld(int s) { (void)s; chld++; }

static void report(const char *what, int st) {
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by signal %d\n", what, WTERMSIG(st));
    else
        printf("%s: status %#x\n", what, st);
    fflush(stdout);
}

int main(int argc, char **argv) {
    int st;
    pid_t me = getpid();
    struct sigaction sa = {0};
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) _exit(getppid() == me ? 7 : 99);
    printf("waitpid: %d\n", waitpid(c, &st, 0) == c);
    report("fork child", st);

    c = vfork();
    if (c == 0) _exit(9);
    waitpid(c, &st, 0);
    report("vfork child", st);

    static int shared = 1;
    c = fork();
    if (c == 0) { shared = 2; _exit(shared); }
    waitpid(c, &st, 0);
    printf("memory is a copy: parent sees %d, child exited %d\n", shared, WEXITSTATUS(st));

    int p[2];
    pipe(p);
    c = fork();
    if (c == 0) { close(p[0]); write(p[1], "r", 1); pause(); _exit(3); }
    char b;
    read(p[0], &b, 1);
    printf("kill: %d\n", kill(c, SIGTERM));
    waitpid(c, &st, 0);
    report("paused child", st);

    /* A signal to another process runs that process's guest handler. */
    c = fork();
    if (c == 0) {
        struct sigaction sa = {0};
        sa.sa_handler = on_usr1;
        sigaction(SIGUSR1, &sa, NULL);
        sigset_t block, empty;
        sigemptyset(&block); sigaddset(&block, SIGUSR1); sigemptyset(&empty);
        sigprocmask(SIG_BLOCK, &block, NULL); /* no race with the check below */
        close(p[0]);
        write(p[1], "r", 1);
        while (!usr1) sigsuspend(&empty);
        _exit(11);
    }
    read(p[0], &b, 1);
    printf("kill usr1: %d\n", kill(c, SIGUSR1));
    waitpid(c, &st, 0);
    report("handler child", st);
    printf("SIGCHLD handler ran: %d\n", chld > 0);

    c = fork();
    if (c == 0) _exit(5);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    printf("waitid: %d\n", waitid(P_PID, c, &si, WEXITED));
    printf("waitid: pid ok %d code %d status %d\n", si.si_pid == c, si.si_code, si.si_status);
    errno = 0;
    printf("no children: %d %s\n", wait(&st), strerror(errno));

    if (argc > 2) {
        /* argv[1]: a program that exits 42; argv[2]: one that prints its args. */
        fflush(stdout);
        c = fork();
        if (c == 0) {
            char *none[] = {"/nonexistent/prog", NULL};
            execve(none[0], none, environ);
            printf("execve missing: %s\n", strerror(errno));
            fflush(stdout);
            char *args[] = {argv[1], NULL};
            execve(argv[1], args, environ);
            _exit(100);
        }
        waitpid(c, &st, 0);
        report("execve child", st);
        char *args[] = {argv[2], "spawned", "by posix_spawn", NULL};
        char *env[] = {"SPAWN_VAR=yes", NULL};
        int e = posix_spawn(&c, argv[2], NULL, NULL, args, env);
        printf("posix_spawn: %d\n", e);
        fflush(stdout);
        waitpid(c, &st, 0);
        report("spawned", st);
        if (argc > 3) {
            /* A program that dies of SIGSEGV: the parent sees the signal. */
            char *segv[] = {argv[3], NULL};
            posix_spawn(&c, argv[3], NULL, NULL, segv, env);
            waitpid(c, &st, 0);
            report("segv child", st);
        }
    }
    return 0;
}
