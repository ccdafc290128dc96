#define _GNU_SOURCE
/* Sockets: a TCP echo over loopback with a forked client, UDP datagrams with
 * their source address, fd passing over a Unix socketpair (SCM_RIGHTS),
 * scatter reads with recvmsg, and a blocking accept a signal interrupts. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(x) do { if ((x) < 0) { printf("%s: %s\n", #x, strerror(errno)); return; } } while (0)

static struct sockaddr_in loopback(void) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static void tcp(void) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    struct sockaddr_in a = loopback();
    CHECK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK(listen(l, 4));
    socklen_t len = sizeof a;
    CHECK(getsockname(l, (struct sockaddr *)&a, &len));
    int type = 0;
    len = sizeof type;
    CHECK(getsockopt(l, SOL_SOCKET, SO_TYPE, &type, &len));
    printf("tcp: listening, type stream %d, len %u\n", type == SOCK_STREAM, len);
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(c, (struct sockaddr *)&a, sizeof a) != 0) _exit(1);
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        send(c, "ping", 4, 0);
        char buf[16];
        ssize_t n = recv(c, buf, sizeof buf, MSG_WAITALL);
        printf("client got %.*s\n", (int)n, buf);
        fflush(stdout);
        close(c);
        _exit(0);
    }
    struct sockaddr_in peer;
    len = sizeof peer;
    int s = accept4(l, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
    CHECK(s);
    printf("accepted from loopback %d, addr len %u\n", peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK), len);
    char buf[16];
    ssize_t n = recv(s, buf, 4, MSG_WAITALL);
    printf("server got %.*s\n", (int)n, buf);
    fflush(stdout);
    send(s, "pong", 4, 0);
    CHECK(shutdown(s, SHUT_WR));
    n = recv(s, buf, sizeof buf, 0);
    printf("after shutdown: recv %zd\n", n);
    int status;
    waitpid(p, &status, 0);
    printf("client exit %d\n", WEXITSTATUS(status));
    close(s);
    close(l);
}

static void udp(void) {
    int r = socket(AF_INET, SOCK_DGRAM, 0), w = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(), from, wa;
    socklen_t len = sizeof a;
    CHECK(bind(r, (struct sockaddr *)&a, sizeof a));
    CHECK(getsockname(r, (struct sockaddr *)&a, &len));
    CHECK(sendto(w, "datagram", 8, 0, (struct sockaddr *)&a, sizeof a));
    char buf[32];
    len = sizeof from;
    ssize_t n = recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    len = sizeof wa;
    getsockname(w, (struct sockaddr *)&wa, &len);
    printf("udp: %.*s from the sender's port %d\n", (int)n, buf, from.sin_port == wa.sin_port);
    close(r);
    close(w);
}

static void unix_pair(void) {
    int sv[2], pipefd[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK(pipe(pipefd));
    char one = '!';
    struct iovec iov = {.iov_base = &one, .iov_len = 1};
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pipefd[1], sizeof(int));
    CHECK(sendmsg(sv[0], &m, 0));
    char got;
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } rctl;
    struct iovec riov = {.iov_base = &got, .iov_len = 1};
    struct msghdr rm = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = rctl.b, .msg_controllen = sizeof rctl.b};
    CHECK(recvmsg(sv[1], &rm, 0));
    struct cmsghdr *rc = CMSG_FIRSTHDR(&rm);
    int passed = -1;
    if (rc && rc->cmsg_type == SCM_RIGHTS) memcpy(&passed, CMSG_DATA(rc), sizeof(int));
    CHECK(write(passed, "through the passed fd", 21));
    char buf[32];
    ssize_t n = read(pipefd[0], buf, sizeof buf);
    printf("unix: byte %c, fd passed %d: %.*s\n", got, passed != pipefd[1], (int)n, buf);
    /* Scatter one message over three buffers. */
    CHECK(send(sv[0], "abcdefghij", 10, 0));
    char x[3], y[4], z[8];
    struct iovec three[3] = {{x, 3}, {y, 4}, {z, 8}};
    struct msghdr sm = {.msg_iov = three, .msg_iovlen = 3};
    n = recvmsg(sv[1], &sm, 0);
    printf("scatter %zd: %.3s|%.4s|%.3s\n", n, x, y, z);
    close(sv[0]), close(sv[1]), close(pipefd[0]), close(pipefd[1]), close(passed);
}

static void on_alarm(int sig) { (void)sig; }

static void interrupted_accept(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART */
    sigaction(SIGALRM, &sa, NULL);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback();
    CHECK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK(listen(l, 1));
    struct itimerval t = {.it_value = {0, 50000}};
    setitimer(ITIMER_REAL, &t, NULL);
    int s = accept(l, NULL, NULL);
    printf("accept interrupted: %d %s\n", s, strerror(errno));
    close(l);
}

int main(void) {
    tcp();
    udp();
    unix_pair();
    interrupted_accept();
    return 0;
}
