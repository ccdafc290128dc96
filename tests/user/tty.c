/* Terminal ioctls on a pipe (not a tty: ENOTTY) and on a pseudo-terminal
   pair opened through /dev/ptmx: termios, window size, FIONREAD, FIONBIO. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int main(void) {
    int p[2];
    if (pipe(p)) return 1;
    struct termios t;
    errno = 0;
    printf("pipe tcgetattr: %d %s, isatty %d\n", tcgetattr(p[0], &t), strerror(errno), isatty(p[0]));
    errno = 0;
    printf("pipe unknown ioctl: %d %s\n", ioctl(p[0], 0x12345678, 0), strerror(errno));
    write(p[1], "hello", 5);
    int n = -1;
    printf("pipe FIONREAD: %d n=%d\n", ioctl(p[0], FIONREAD, &n), n);
    char buf[64];
    read(p[0], buf, 5);
    int on = 1;
    printf("FIONBIO: %d\n", ioctl(p[0], FIONBIO, &on));
    errno = 0;
    printf("nonblocking read: %zd %s\n", read(p[0], buf, 1), strerror(errno));

    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0) { printf("no ptmx: %s\n", strerror(errno)); return 0; }
    printf("grantpt %d unlockpt %d\n", grantpt(m), unlockpt(m));
    char *name = ptsname(m);
    printf("ptsname: %s\n", name && !strncmp(name, "/dev/pts/", 9) ? "/dev/pts/N" : "?");
    int s = open(name, O_RDWR | O_NOCTTY);
    printf("slave open: %d isatty %d\n", s >= 0, isatty(s));
    printf("tcgetattr: %d icanon=%d echo=%d\n", tcgetattr(s, &t), !!(t.c_lflag & ICANON), !!(t.c_lflag & ECHO));
    cfmakeraw(&t);
    t.c_cc[VMIN] = 1;
    printf("tcsetattr raw: %d\n", tcsetattr(s, TCSAFLUSH, &t));
    memset(&t, 0, sizeof t);
    printf("tcgetattr: %d icanon=%d echo=%d vmin=%d\n", tcgetattr(s, &t), !!(t.c_lflag & ICANON), !!(t.c_lflag & ECHO),
           t.c_cc[VMIN]);
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    printf("TIOCSWINSZ: %d\n", ioctl(m, TIOCSWINSZ, &ws));
    memset(&ws, 0, sizeof ws);
    printf("TIOCGWINSZ: %d %dx%d\n", ioctl(s, TIOCGWINSZ, &ws), ws.ws_row, ws.ws_col);
    write(m, "ping", 4);
    struct pollfd pf = {s, POLLIN, 0};
    poll(&pf, 1, 5000); /* the pty passes data on asynchronously */
    n = -1;
    printf("slave FIONREAD: %d n=%d\n", ioctl(s, FIONREAD, &n), n);
    n = read(s, buf, sizeof buf);
    printf("slave read: %.*s\n", n, buf);
    pid_t pg = -2;
    errno = 0;
    printf("TIOCGPGRP (not our ctty): %d %s\n", ioctl(s, TIOCGPGRP, &pg), strerror(errno));
    return 0;
}
