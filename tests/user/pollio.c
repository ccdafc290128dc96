/* poll, ppoll, select, pselect and epoll on pipes: timeouts, readiness after
   a write, hang-up, the 16-byte riscv64 struct epoll_event, and ppoll's
   signal mask letting a blocked pending signal in (EINTR). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

static volatile int got;
static void on_usr1(int s) { (void)s; got++; }

int main(int argc, char **argv) {
    int p[2], q[2];
    if (pipe(p) || pipe(q)) return 1;
    printf("sizeof(struct epoll_event) = %zu\n", sizeof(struct epoll_event));

    struct pollfd fds[2] = {{p[0], POLLIN, 0}, {q[1], POLLOUT, 0}};
    int n = poll(fds, 1, 30);
    printf("poll empty pipe, 30ms: %d revents=%#x\n", n, fds[0].revents);
    write(p[1], "abc", 3);
    n = poll(fds, 2, -1);
    printf("poll after write: %d revents=%#x,%#x\n", n, fds[0].revents, fds[1].revents);

    fd_set r, w;
    FD_ZERO(&r); FD_ZERO(&w);
    FD_SET(q[0], &r);
    struct timeval tv = {0, 20000};
    n = select(q[0] + 1, &r, NULL, NULL, &tv);
    printf("select empty, 20ms: %d isset=%d\n", n, FD_ISSET(q[0], &r));
    FD_ZERO(&r);
    FD_SET(p[0], &r); FD_SET(q[0], &r); FD_SET(q[1], &w);
    n = select(q[1] + 1, &r, &w, NULL, NULL);
    printf("select: %d p=%d q=%d qw=%d\n", n, FD_ISSET(p[0], &r), FD_ISSET(q[0], &r), FD_ISSET(q[1], &w));
    struct timespec ts = {0, 10000000};
    FD_ZERO(&r); FD_SET(q[0], &r);
    n = pselect(q[0] + 1, &r, NULL, NULL, &ts, NULL);
    printf("pselect empty, 10ms: %d\n", n);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ull};
    printf("epoll_ctl add: %d\n", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    ev.data.u64 = 0xa5a5;
    printf("epoll_ctl add q: %d\n", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev));
    printf("epoll_ctl add again: %d %s\n", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev), strerror(errno));
    struct epoll_event out[4];
    memset(out, 0xff, sizeof out);
    n = epoll_wait(ep, out, 4, 0);
    printf("epoll_wait: %d events=%#x data=%#llx\n", n, out[0].events, (unsigned long long)out[0].data.u64);
    char buf[8];
    read(p[0], buf, 3);
    n = epoll_wait(ep, out, 4, 25);
    printf("epoll_wait drained, 25ms: %d\n", n);
    write(q[1], "x", 1);
    n = epoll_wait(ep, out, 4, -1);
    printf("epoll_wait after write: %d data=%#llx\n", n, (unsigned long long)out[0].data.u64);
    ev.events = EPOLLIN | EPOLLET;
    printf("epoll_ctl mod: %d\n", epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &ev));
    printf("epoll_ctl del: %d\n", epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
    n = epoll_wait(ep, out, 4, 0);
    printf("epoll_wait after del: %d\n", n);
    close(p[1]);
    n = epoll_pwait(ep, out, 4, -1, NULL);
    printf("epoll_pwait hang-up: %d events=%#x\n", n, out[0].events);

    /* A blocked, pending signal is let in by ppoll's mask: EINTR. */
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t block, empty, now;
    sigemptyset(&block); sigaddset(&block, SIGUSR1); sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR1);
    printf("pending, blocked: got=%d\n", got);
    struct pollfd f1 = {q[0], POLLIN, 0};
    read(q[0], buf, 1);
    errno = 0;
    n = ppoll(&f1, 1, NULL, &empty);
    printf("ppoll: %d errno=%s got=%d\n", n, strerror(errno), got);
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("mask restored: %d\n", sigismember(&now, SIGUSR1));
    epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    raise(SIGUSR1);
    errno = 0;
    n = epoll_pwait(ep, out, 4, -1, &empty);
    printf("epoll_pwait: %d errno=%s got=%d\n", n, strerror(errno), got);
    if (argc < 2 || strcmp(argv[1], "pwait2")) return 0;
    /* qemu-riscv64 lacks epoll_pwait2: only run when asked. */
    ev.events = EPOLLIN;
    ev.data.u64 = 0xbeef;
    epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev);
    struct timespec two = {0, 2000000};
    errno = 0;
    n = epoll_pwait2(ep, out, 4, &two, NULL);
    printf("epoll_pwait2 2ms: %d %s\n", n, strerror(errno));
    write(q[1], "y", 1);
    n = epoll_pwait2(ep, out, 4, NULL, NULL);
    printf("epoll_pwait2 after write: %d data=%#llx\n", n, (unsigned long long)out[0].data.u64);
    return 0;
}
