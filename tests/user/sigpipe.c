/* Writing to a pipe with no reader: EPIPE with SIGPIPE ignored, the handler
 * with one installed, and death by SIGPIPE by default (status 141). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t caught;
static void on_pipe(int sig) { caught = sig; }

static int write_to_closed_pipe(void) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    close(fds[0]);
    ssize_t n = write(fds[1], "x", 1);
    int err = n < 0 ? errno : 0;
    close(fds[1]);
    return err;
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    printf("ignored: errno %s\n", strerror(write_to_closed_pipe()));
    signal(SIGPIPE, on_pipe);
    int err = write_to_closed_pipe();
    printf("handled: signal %d errno %s\n", (int)caught, strerror(err));
    fflush(stdout);
    signal(SIGPIPE, SIG_DFL);
    write_to_closed_pipe();
    printf("not reached\n");
    return 0;
}
