/* File, process and descriptor calls beyond the basics, as coreutils and
 * busybox use them; prints what it sees so the run compares with qemu. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/personality.h>
#include <sys/timerfd.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_alarm(int sig) { (void)sig; }

#define CHECK(x) do { if ((x) < 0) { printf("%s: %s\n", #x, strerror(errno)); } } while (0)

static void files(const char *dir) {
    char a[256], b[256], c[256], buf[256];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(c, sizeof c, "%s/c", dir);
    const char *names[] = {"a", "b", "c", "d", "fifo"};
    for (int k = 0; k < 5; k++) { /* what a failed run left */
        snprintf(buf, sizeof buf, "%s/%s", dir, names[k]);
        unlink(buf);
    }
    int fd = open(a, O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(write(fd, "hello, files\n", 13));
    CHECK(fchmod(fd, 0600));
    CHECK(fchown(fd, getuid(), getgid()));
    CHECK(fdatasync(fd));
    CHECK(flock(fd, LOCK_EX));
    CHECK(flock(fd, LOCK_UN));
    CHECK(fallocate(fd, 0, 0, 4096));
    struct stat st;
    fstat(fd, &st);
    printf("mode %o size %lld\n", st.st_mode & 0777, (long long)st.st_size);
    CHECK(ftruncate(fd, 13));
    CHECK(symlinkat("a", AT_FDCWD, b));
    ssize_t n = readlink(b, buf, sizeof buf);
    printf("symlink -> %.*s\n", (int)n, buf);
    CHECK(linkat(AT_FDCWD, a, AT_FDCWD, c, 0));
    stat(a, &st);
    printf("links %d\n", (int)st.st_nlink);
    CHECK(fchmodat(AT_FDCWD, c, 0640, 0));
    CHECK(fchownat(AT_FDCWD, c, getuid(), getgid(), 0));
    struct timespec times[2] = {{1000000000, 5}, {1200000000, 7}};
    CHECK(utimensat(AT_FDCWD, c, times, 0));
    stat(a, &st);
    printf("mode %o mtime %lld.%09ld\n", st.st_mode & 0777, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    CHECK(truncate(c, 5));
    stat(a, &st);
    printf("size after truncate %lld\n", (long long)st.st_size);
    struct statfs sf;
    CHECK(statfs(dir, &sf));
    struct statfs sf2;
    CHECK(fstatfs(fd, &sf2));
    printf("statfs agree %d, bsize>0 %d\n", sf.f_type == sf2.f_type && sf.f_blocks == sf2.f_blocks, sf.f_bsize > 0);
    /* sendfile and copy_file_range move bytes between files. */
    char d[256];
    snprintf(d, sizeof d, "%s/d", dir);
    int out = open(d, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    off_t off = 1;
    CHECK(sendfile(out, fd, &off, 3));
    printf("sendfile offset now %lld\n", (long long)off);
    loff_t in_off = 0;
    CHECK(copy_file_range(fd, &in_off, out, NULL, 2, 0));
    close(out);
    int rd = open(d, O_RDONLY);
    n = read(rd, buf, sizeof buf);
    printf("file now: %.*s\n", (int)n, buf);
    close(rd);
    snprintf(buf, sizeof buf, "%s/fifo", dir);
    CHECK(mkfifo(buf, 0600));
    stat(buf, &st);
    printf("fifo %d\n", S_ISFIFO(st.st_mode));
    int mfd = memfd_create("scratch", 0);
    CHECK(write(mfd, "memfd", 5));
    printf("memfd size %lld\n", (long long)lseek(mfd, 0, SEEK_END));
    close(mfd);
    close(fd);
    unlink(buf), unlink(a), unlink(b), unlink(c), unlink(d);
}

static void process(void) {
    printf("sid==pid after setsid in child:");
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        pid_t s = setsid();
        printf(" %d %d\n", s == getpid(), getsid(0) == getpid() && getpgid(0) == getpid());
        fflush(stdout);
        _exit(0);
    }
    waitpid(p, NULL, 0);
    uid_t r, e, s;
    getresuid(&r, &e, &s);
    printf("resuid match %d\n", r == getuid() && e == geteuid());
    gid_t groups[256];
    int ng = getgroups(256, groups);
    printf("groups %d same count %d\n", ng > 0, ng == getgroups(0, NULL));
    CHECK(setuid(getuid()));
    struct rlimit rl, want = {512, 0};
    CHECK(getrlimit(RLIMIT_NOFILE, &rl));
    want.rlim_max = rl.rlim_max;
    CHECK(setrlimit(RLIMIT_NOFILE, &want));
    CHECK(getrlimit(RLIMIT_NOFILE, &rl));
    printf("nofile limit now %llu\n", (unsigned long long)rl.rlim_cur);
    /* An absolute sleep waits until the clock reaches it; an interrupted
     * relative one tells how much was left. */
    struct timespec t0, t1, until;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    until = t0;
    until.tv_nsec += 50000000;
    if (until.tv_nsec >= 1000000000) until.tv_sec++, until.tv_nsec -= 1000000000;
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long waited = (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
    printf("absolute sleep waited %d\n", waited >= 45000000);
    struct sigaction alrm;
    memset(&alrm, 0, sizeof alrm);
    alrm.sa_handler = on_alarm;
    sigaction(SIGALRM, &alrm, NULL);
    struct itimerval it = {.it_value = {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec req = {2, 0}, rem = {0, 0};
    int slept = nanosleep(&req, &rem);
    printf("interrupted sleep %d, some left %d\n", slept == -1 && errno == EINTR, rem.tv_sec == 1 && rem.tv_nsec > 0);
    struct rusage ru;
    CHECK(getrusage(RUSAGE_SELF, &ru));
    printf("rusage maxrss>0 %d\n", ru.ru_maxrss > 0);
    char name[16] = {0};
    CHECK(prctl(PR_SET_NAME, "xl-test"));
    CHECK(prctl(PR_GET_NAME, name));
    printf("thread name %s\n", name);
    cpu_set_t set;
    CHECK(sched_getaffinity(0, sizeof set, &set));
    printf("cpus %d\n", CPU_COUNT(&set) == sysconf(_SC_NPROCESSORS_ONLN));
    struct sysinfo si;
    CHECK(sysinfo(&si));
    printf("sysinfo ram>0 %d unit %u\n", si.totalram > 0, si.mem_unit);
    struct utsname u;
    uname(&u);
    char host[256];
    gethostname(host, sizeof host);
    printf("machine %s, nodename is hostname %d\n", u.machine, strcmp(u.nodename, host) == 0);
}

static void descriptors(const char *dir) {
    /* dup2 onto stdout and back, as shells redirect. */
    char path[256], buf[64];
    snprintf(path, sizeof path, "%s/redirected", dir);
    fflush(stdout);
    int saved = dup(1);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    CHECK(dup2(fd, 1));
    close(fd);
    printf("into the file\n");
    fflush(stdout);
    CHECK(dup2(saved, 1));
    close(saved);
    fd = open(path, O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    unlink(path);
    printf("redirected: %.*s", (int)n, buf);
}

static void exec_host(const char *dir) {
    /* A host program and a script for the host shell run natively. */
    char script[256];
    snprintf(script, sizeof script, "%s/script.sh", dir);
    FILE *f = fopen(script, "w");
    fprintf(f, "#!/bin/sh\necho \"script says $1\"\n");
    fclose(f);
    chmod(script, 0755);
    fflush(stdout);
    for (int k = 0; k < 3; k++) {
        pid_t p = fork();
        if (p == 0) {
            if (k == 0)
                execl("/bin/echo", "echo", "host echo ran", (char *)NULL);
            else if (k == 1)
                execl(script, script, "hi", (char *)NULL);
            /* An ignored signal stays ignored in the new program. */
            signal(SIGHUP, SIG_IGN);
            execl("/bin/sh", "sh", "-c", "kill -HUP $$; echo host shell survived SIGHUP", (char *)NULL);
            _exit(127);
        }
        int status;
        waitpid(p, &status, 0);
        printf("exit %d\n", WEXITSTATUS(status));
    }
    unlink(script);
}

static void *chatter(void *arg) {
    (void)arg;
    usleep(20000);
    printf("another thread ran while the lock was awaited\n");
    fflush(stdout);
    return NULL;
}

static void more_fds(const char *dir) {
    char path[256], buf[512];
    snprintf(path, sizeof path, "%s/locked", dir);
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    CHECK(fcntl(fd, F_SETLK, &fl));
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1};
        fcntl(fd, F_GETLK, &q);
        printf("lock seen by child: write %d, held by parent %d\n", q.l_type == F_WRLCK, q.l_pid == getppid());
        fflush(stdout);
        _exit(0);
    }
    waitpid(p, NULL, 0);
    /* A waiting lock request: other threads go on meanwhile, and a signal
     * ends the wait. */
    fflush(stdout);
    p = fork();
    if (p == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm; /* no SA_RESTART */
        sigaction(SIGALRM, &sa, NULL);
        pthread_t t;
        pthread_create(&t, NULL, chatter, NULL);
        struct itimerval it = {.it_value = {0, 200000}};
        setitimer(ITIMER_REAL, &it, NULL);
        struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
        int r = fcntl(fd, F_SETLKW, &q);
        printf("setlkw %d: %s\n", r, strerror(errno));
        fflush(stdout);
        _exit(0);
    }
    waitpid(p, NULL, 0);
    close(fd);
    unlink(path);
    /* pwritev/preadv at an offset. */
    fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    struct iovec w[2] = {{"vec", 3}, {"tored", 5}};
    CHECK(pwritev(fd, w, 2, 2));
    char p1[4] = {0}, p2[8] = {0};
    struct iovec r[2] = {{p1, 2}, {p2, 8}};
    ssize_t n = preadv(fd, r, 2, 0);
    printf("preadv %zd: %d %d %.6s\n", n, p1[0], p1[1], p2);
    close(fd);
    unlink(path);
    /* inotify sees a file created in the directory. */
    int in = inotify_init1(IN_CLOEXEC);
    int wd = inotify_add_watch(in, dir, IN_CREATE);
    snprintf(path, sizeof path, "%s/watched", dir);
    close(open(path, O_CREAT | O_WRONLY, 0644));
    n = read(in, buf, sizeof buf);
    struct inotify_event *ev = (struct inotify_event *)buf;
    printf("inotify: %d bytes, create %d, name %s\n", n > 0, (ev->mask & IN_CREATE) != 0, ev->name);
    CHECK(inotify_rm_watch(in, wd));
    close(in);
    unlink(path);
    /* A timerfd fires. */
    int tf = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec its = {.it_value = {0, 10000000}}, cur;
    CHECK(timerfd_settime(tf, 0, &its, NULL));
    unsigned long long ticks = 0;
    CHECK(read(tf, &ticks, sizeof ticks));
    CHECK(timerfd_gettime(tf, &cur));
    printf("timerfd fired %d, disarmed %d\n", ticks >= 1, cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    close(tf);
    /* splice and tee between pipes. */
    int a[2], b[2], c[2];
    CHECK(pipe(a));
    CHECK(pipe(b));
    CHECK(pipe(c));
    CHECK(write(a[1], "spliced", 7));
    CHECK(tee(a[0], c[1], 7, 0));
    CHECK(splice(a[0], NULL, b[1], NULL, 7, 0));
    char s1[8] = {0}, s2[8] = {0};
    CHECK(read(b[0], s1, 7));
    CHECK(read(c[0], s2, 7));
    printf("splice %s tee %s\n", s1, s2);
    for (int k = 0; k < 2; k++) close(a[k]), close(b[k]), close(c[k]);
    struct tms tm;
    printf("times ticks>0 %d\n", times(&tm) > 0);
    printf("personality linux %d\n", (personality(0xffffffff) & 0xff) == PER_LINUX);
    printf("close_range %d\n", (int)syscall(SYS_close_range, 500, 600, 0));
}

/* The re-executed program sees its own argv[0], /proc/self/cmdline and exe. */
static void exec_self(const char *dir) {
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        /* Ignored signals and the mask survive execve. */
        signal(SIGHUP, SIG_IGN);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR2);
        sigprocmask(SIG_BLOCK, &set, NULL);
        execl("/proc/self/exe", "renamed", dir, "child", (char *)NULL);
        _exit(127);
    }
    int status;
    waitpid(p, &status, 0);
    printf("exec self: exit %d\n", WEXITSTATUS(status));
}

static void child(char **argv) {
    char buf[256], exe[256];
    int fd = open("/proc/self/cmdline", O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    for (ssize_t k = 0; k < n; k++)
        if (buf[k] == 0) buf[k] = ' ';
    snprintf(exe, sizeof exe, "/proc/%d/exe", (int)getpid());
    char target[256];
    ssize_t m = readlink(exe, target, sizeof target);
    const char *base = m > 0 ? (target[m] = 0, strrchr(target, '/') + 1) : "?";
    printf("child argv[0] %s, cmdline has 3 words %d, exe %s\n", argv[0], strncmp(buf, "renamed ", 8) == 0, base);
    struct sigaction sa;
    sigaction(SIGHUP, NULL, &sa);
    sigset_t set;
    sigprocmask(SIG_BLOCK, NULL, &set);
    printf("child: SIGHUP ignored %d, SIGUSR2 blocked %d\n", sa.sa_handler == SIG_IGN, sigismember(&set, SIGUSR2));
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    if (argc > 2 && strcmp(argv[2], "exec-self") == 0) {
        exec_self(dir); /* qemu-user cannot: no binfmt_misc here */
        return 0;
    }
    if (argc > 2) {
        child(argv);
        return 0;
    }
    files(dir);
    process();
    descriptors(dir);
    more_fds(dir);
    exec_host(dir);
    return 0;
}
