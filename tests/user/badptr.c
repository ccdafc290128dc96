/* Bad guest pointers to the newer system calls: each must fail with EFAULT
   (or what Linux returns), never crash the emulator. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define BAD ((void *)8)
#define TRY(name, call)                                                   \
    do {                                                                  \
        errno = 0;                                                        \
        long r_ = (long)(call);                                           \
        printf("%-16s %ld %s\n", name, r_, r_ < 0 ? strerror(errno) : ""); \
    } while (0)

int main(void) {
    int p[2];
    pipe(p);
    TRY("ppoll", syscall(SYS_ppoll, BAD, 1, NULL, NULL, 8));
    TRY("ppoll ts", syscall(SYS_ppoll, NULL, 0, BAD, NULL, 8));
    TRY("pselect6", syscall(SYS_pselect6, 4, BAD, NULL, NULL, NULL, NULL));
    int ep = epoll_create1(0);
    TRY("epoll_ctl", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], BAD));
    struct epoll_event ev = {.events = EPOLLOUT};
    epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
    TRY("epoll_pwait", syscall(SYS_epoll_pwait, ep, BAD, 4, 0, NULL, 8));
    TRY("epoll_pwait mask", syscall(SYS_epoll_pwait, ep, &ev, 1, 0, BAD, 8));
    TRY("ioctl TIOCGWINSZ", syscall(SYS_ioctl, p[0], TIOCGWINSZ, BAD));
    TRY("ioctl FIONREAD", syscall(SYS_ioctl, p[0], FIONREAD, BAD));
    TRY("mremap", syscall(SYS_mremap, 0x1000, 4096, 8192, MREMAP_MAYMOVE, 0));
    TRY("rt_sigsuspend", syscall(SYS_rt_sigsuspend, BAD, 8));
    TRY("rt_sigtimedwait", syscall(SYS_rt_sigtimedwait, BAD, NULL, NULL, 8));
    static int w;
    TRY("futex wake_op", syscall(SYS_futex, &w, FUTEX_WAKE_OP, 1, 1, BAD, 0));
    TRY("execve", syscall(SYS_execve, BAD, NULL, NULL));
    TRY("execve argv", syscall(SYS_execve, "/proc/self/exe", BAD, NULL));
    pid_t c = fork();
    if (c == 0) _exit(3);
    TRY("wait4", syscall(SYS_wait4, c, BAD, 0, NULL));
    TRY("wait4 again", syscall(SYS_wait4, c, NULL, 0, NULL));
    TRY("waitid", syscall(SYS_waitid, P_ALL, 0, BAD, WEXITED, NULL));
    /* Bad pointers inside iovec arrays, and a huge writev (1024 times the
       same 16 MiB buffer to /dev/null): a partial write is fine, copying
       16 GiB is not. */
    struct iovec bad_iov[2] = {{"ok", 2}, {BAD, 8}};
    TRY("writev bad iovec", syscall(SYS_writev, p[1], bad_iov, 2));
    static struct iovec huge[1024];
    char *big = mmap(NULL, 1 << 24, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int k = 0; k < 1024; k++) huge[k] = (struct iovec){big, 1 << 24};
    int devnull = open("/dev/null", O_WRONLY);
    long n = syscall(SYS_writev, devnull, huge, 1024);
    printf("huge writev: wrote something %d\n", n > 0);
    /* Not printed: qemu-riscv64 lacks these (ENOSYS); Linux gives EFAULT, 0.
       Exiting with a bogus robust list must be harmless. */
    syscall(SYS_get_robust_list, 0, BAD, BAD);
    syscall(SYS_set_robust_list, BAD, 24);
    return 0;
}
