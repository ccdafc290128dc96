//! Every host system call the Linux user-mode layer makes, as safe wrappers.
//!
//! This is the only file of `linux_user` with `unsafe`: each wrapper passes
//! the host kernel buffers it owns (slices, out-structs) and turns the C
//! convention (-1 + errno) into `Result<_, errno>`.

use std::ffi::{CStr, CString};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use xlate_softmmu::Bus;

pub use super::syscall::IntCall;

pub type R = Result<u64, i32>;

pub fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

fn ok(r: i64) -> R {
    if r < 0 {
        Err(errno())
    } else {
        Ok(r as u64)
    }
}

pub fn read(fd: i32, buf: &mut [u8]) -> R {
    // SAFETY: `buf` is a live, writable buffer of its length.
    ok(unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) } as i64)
}

pub fn pread(fd: i32, buf: &mut [u8], off: i64) -> R {
    // SAFETY: `buf` is a live, writable buffer of its length.
    ok(unsafe { libc::pread(fd, buf.as_mut_ptr().cast(), buf.len(), off) } as i64)
}

pub fn write(fd: i32, buf: &[u8]) -> R {
    // SAFETY: `buf` is a live buffer of its length.
    ok(unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) } as i64)
}

pub fn pwrite(fd: i32, buf: &[u8], off: i64) -> R {
    // SAFETY: `buf` is a live buffer of its length.
    ok(unsafe { libc::pwrite(fd, buf.as_ptr().cast(), buf.len(), off) } as i64)
}

pub fn openat(dirfd: i32, path: &CStr, flags: i32, mode: u32) -> R {
    // SAFETY: `path` is NUL-terminated.
    ok(unsafe { libc::openat(dirfd, path.as_ptr(), flags, mode as libc::c_uint) } as i64)
}

pub fn close(fd: i32) -> R {
    // SAFETY: plain fd syscall.
    ok(unsafe { libc::close(fd) } as i64)
}

fn zeroed_stat() -> libc::stat {
    // SAFETY: `struct stat` is plain integers; all-zero is a valid value.
    unsafe { std::mem::zeroed() }
}

pub fn fstat(fd: i32) -> Result<libc::stat, i32> {
    let mut st = zeroed_stat();
    // SAFETY: `st` is a valid out-pointer.
    ok(unsafe { libc::fstat(fd, &mut st) } as i64)?;
    Ok(st)
}

pub fn fstatat(dirfd: i32, path: &CStr, flags: i32) -> Result<libc::stat, i32> {
    let mut st = zeroed_stat();
    // SAFETY: NUL-terminated path and a valid out-pointer.
    ok(unsafe { libc::fstatat(dirfd, path.as_ptr(), &mut st, flags) } as i64)?;
    Ok(st)
}

/// `struct statx` (256 bytes, the same on every architecture).
pub fn statx(dirfd: i32, path: &CStr, flags: i32, mask: u32, out: &mut [u8; 256]) -> R {
    // SAFETY: NUL-terminated path and a 256-byte out-buffer.
    ok(unsafe { libc::syscall(libc::SYS_statx, dirfd, path.as_ptr(), flags, mask, out.as_mut_ptr()) })
}

pub fn lseek(fd: i32, off: i64, whence: i32) -> R {
    // SAFETY: plain fd syscall.
    ok(unsafe { libc::lseek(fd, off, whence) })
}

pub fn readlinkat(dirfd: i32, path: &CStr, buf: &mut [u8]) -> R {
    // SAFETY: NUL-terminated path and a live buffer of its length.
    ok(unsafe { libc::readlinkat(dirfd, path.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) } as i64)
}

pub fn chdir(path: &CStr) -> R {
    // SAFETY: NUL-terminated path.
    ok(unsafe { libc::chdir(path.as_ptr()) } as i64)
}

pub fn getrandom(buf: &mut [u8]) -> R {
    // SAFETY: live buffer of its length.
    ok(unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) } as i64)
}

/// clock_gettime (`res` false) or clock_getres: (seconds, nanoseconds).
pub fn clock(id: i32, res: bool) -> Result<(i64, i64), i32> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: valid out-pointer.
    let r = unsafe {
        if res {
            libc::clock_getres(id, &mut ts)
        } else {
            libc::clock_gettime(id, &mut ts)
        }
    };
    ok(r as i64)?;
    Ok((ts.tv_sec, ts.tv_nsec))
}

/// (uid, euid, gid, egid).
pub fn ids() -> (u32, u32, u32, u32) {
    // SAFETY: plain id queries; they cannot fail.
    unsafe { (libc::getuid(), libc::geteuid(), libc::getgid(), libc::getegid()) }
}

pub fn getppid() -> u64 {
    // SAFETY: plain process query.
    u64::from(unsafe { libc::getppid() } as u32)
}

pub fn umask(mask: u32) -> u64 {
    // SAFETY: plain process syscall.
    u64::from(unsafe { libc::umask(mask as libc::mode_t) })
}

/// An ioctl whose argument is a buffer the kernel reads and/or writes.
pub fn ioctl_buf(fd: i32, req: u64, buf: &mut [u8]) -> R {
    // SAFETY: `buf` is a live buffer at least as large as the struct `req` takes
    // (the caller sizes it from the request).
    ok(unsafe { libc::ioctl(fd, req as _, buf.as_mut_ptr()) } as i64)
}

/// An ioctl whose argument is a plain integer.
pub fn ioctl_int(fd: i32, req: u64, arg: u64) -> R {
    // SAFETY: no pointer is passed.
    ok(unsafe { libc::ioctl(fd, req as _, arg as libc::c_ulong) } as i64)
}

/// fcntl commands whose argument is an integer.
pub fn fcntl(fd: i32, cmd: i32, arg: u64) -> R {
    // SAFETY: no pointer is passed (the caller filters the commands).
    ok(unsafe { libc::fcntl(fd, cmd, arg as libc::c_long) } as i64)
}

pub fn dup(fd: i32) -> R {
    // SAFETY: plain fd syscall.
    ok(unsafe { libc::dup(fd) } as i64)
}

pub fn dup3(fd: i32, to: i32, flags: i32) -> R {
    // SAFETY: plain fd syscall.
    ok(unsafe { libc::dup3(fd, to, flags) } as i64)
}

pub fn pipe2(flags: i32) -> Result<[i32; 2], i32> {
    let mut fds = [0i32; 2];
    // SAFETY: two-int out-buffer.
    ok(unsafe { libc::pipe2(fds.as_mut_ptr(), flags) } as i64)?;
    Ok(fds)
}

pub fn unlinkat(dirfd: i32, path: &CStr, flags: i32) -> R {
    // SAFETY: NUL-terminated path.
    ok(unsafe { libc::unlinkat(dirfd, path.as_ptr(), flags) } as i64)
}

pub fn mkdirat(dirfd: i32, path: &CStr, mode: u32) -> R {
    // SAFETY: NUL-terminated path.
    ok(unsafe { libc::mkdirat(dirfd, path.as_ptr(), mode as libc::mode_t) } as i64)
}

pub fn renameat2(dirfd: i32, from: &CStr, newdirfd: i32, to: &CStr, flags: u32) -> R {
    // SAFETY: NUL-terminated paths.
    ok(unsafe { libc::syscall(libc::SYS_renameat2, dirfd, from.as_ptr(), newdirfd, to.as_ptr(), flags) })
}

/// `struct linux_dirent64` records (the same on every architecture).
pub fn getdents64(fd: i32, buf: &mut [u8]) -> R {
    // SAFETY: live buffer of its length.
    ok(unsafe { libc::syscall(libc::SYS_getdents64, fd, buf.as_mut_ptr(), buf.len()) })
}

pub fn faccessat(dirfd: i32, path: &CStr, mode: i32, flags: i32) -> R {
    // SAFETY: NUL-terminated path.
    ok(unsafe { libc::faccessat(dirfd, path.as_ptr(), mode, flags) } as i64)
}

pub fn ftruncate(fd: i32, len: i64) -> R {
    // SAFETY: plain fd syscall.
    ok(unsafe { libc::ftruncate(fd, len) } as i64)
}

pub fn fsync(fd: i32) -> R {
    // SAFETY: plain fd syscall.
    ok(unsafe { libc::fsync(fd) } as i64)
}

/// poll(2) on host `struct pollfd`s, `timeout_ms` < 0 = forever.
pub fn poll(fds: &mut [libc::pollfd], timeout_ms: i32) -> R {
    // SAFETY: `fds` is a live array of its length.
    ok(unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) } as i64)
}

pub fn epoll_create1(flags: i32) -> R {
    // SAFETY: plain syscall.
    ok(unsafe { libc::epoll_create1(flags) } as i64)
}

pub fn epoll_ctl(epfd: i32, op: i32, fd: i32, events: u32, data: u64) -> R {
    let mut ev = libc::epoll_event { events, u64: data };
    // SAFETY: `ev` is a valid event (ignored for EPOLL_CTL_DEL).
    ok(unsafe { libc::epoll_ctl(epfd, op, fd, &mut ev) } as i64)
}

/// Ready events as (events, data).
pub fn epoll_wait(epfd: i32, max: usize, timeout_ms: i32) -> Result<Vec<(u32, u64)>, i32> {
    let mut evs = vec![libc::epoll_event { events: 0, u64: 0 }; max.max(1)];
    // SAFETY: `evs` has room for `max` events.
    let n = ok(unsafe { libc::epoll_wait(epfd, evs.as_mut_ptr(), max as i32, timeout_ms) } as i64)?;
    Ok(evs[..n as usize].iter().map(|e| (e.events, e.u64)).collect())
}

/// fork(2); only the calling host thread lives on in the child.
pub fn fork() -> R {
    // SAFETY: the child touches only the state of the calling thread and
    // memory it owns (the caller rebuilds everything that needs threads).
    ok(unsafe { libc::fork() } as i64)
}

/// What a new program inherits from the guest: the signals it ignores
/// (bit `sig - 1`; every other disposition becomes the default, as execve
/// does) and the blocked mask.
#[derive(Clone, Copy)]
pub struct ExecSignals {
    pub ignored: u64,
    pub blocked: u64,
}

/// Blocks exactly the signals of `bits` (bit `sig - 1`) in this thread.
fn set_thread_mask(bits: u64) {
    // SAFETY: a sigset_t built with the libc calls, passed by pointer.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in 1..=64 {
            if bits >> (sig - 1) & 1 != 0 {
                libc::sigaddset(&mut set, sig);
            }
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    }
}

/// execve(2) with the guest's signal state instead of xlate's: returns only
/// on failure, with xlate's own state back.
pub fn execve(path: &CStr, argv: &[CString], envp: &[CString], sigs: ExecSignals) -> i32 {
    let mut a: Vec<*const libc::c_char> = argv.iter().map(|s| s.as_ptr()).collect();
    a.push(std::ptr::null());
    let mut e: Vec<*const libc::c_char> = envp.iter().map(|s| s.as_ptr()).collect();
    e.push(std::ptr::null());
    for sig in 1..=31 {
        if sig == libc::SIGKILL || sig == libc::SIGSTOP {
            continue;
        }
        let ignore = sigs.ignored >> (sig - 1) & 1 != 0;
        // SAFETY: setting a disposition to SIG_IGN or SIG_DFL.
        unsafe { libc::signal(sig, if ignore { libc::SIG_IGN } else { libc::SIG_DFL }) };
    }
    set_thread_mask(sigs.blocked);
    // SAFETY: NUL-terminated strings in NULL-terminated arrays, all alive here.
    unsafe { libc::execve(path.as_ptr(), a.as_ptr(), e.as_ptr()) };
    let err = errno();
    // Still here: xlate's own dispositions and mask again.
    set_thread_mask(0);
    // SAFETY: as above.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    catch_signals(&super::task::HOST_SIGNALS);
    err
}

/// wait4(2) without rusage: (pid, raw status).
pub fn wait4(pid: i32, options: i32) -> Result<(i32, i32), i32> {
    let mut status = 0i32;
    // SAFETY: valid out-pointer; no rusage.
    let r = ok(unsafe { libc::wait4(pid, &mut status, options, std::ptr::null_mut()) } as i64)?;
    Ok((r as i32, status))
}

pub fn kill(pid: i32, sig: i32) -> R {
    // SAFETY: plain process syscall.
    ok(unsafe { libc::kill(pid, sig) } as i64)
}

/// Ends this host process the way the guest ended: exit status or the same signal.
pub fn die(code: Option<i32>, sig: Option<i32>) -> ! {
    if let Some(sig) = sig {
        // SAFETY: setting a limit, resetting a disposition and unblocking
        // are plain syscalls on initialised structs.
        unsafe {
            // A guest's crash is not the emulator's: no core dump.
            let none = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            libc::setrlimit(libc::RLIMIT_CORE, &none);
            libc::signal(sig, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, sig);
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::raise(sig);
        }
    }
    // SAFETY: _exit ends the process without running this thread's destructors,
    // which may wait for threads that fork left behind.
    unsafe { libc::_exit(code.unwrap_or(128 + sig.unwrap_or(0))) }
}

/// An atomic view of the guest u32 at `addr` (a futex word): None if it is
/// misaligned, not RAM, or read-only.
pub fn guest_word(bus: &Bus, addr: u64) -> Option<&AtomicU32> {
    if !addr.is_multiple_of(4) {
        return None;
    }
    let (page, ro, _) = bus.host_page(addr)?;
    if ro {
        return None;
    }
    // SAFETY: the page is live guest RAM for as long as `bus` (the returned
    // borrow), and the word is aligned and inside the page.
    Some(unsafe { &*(page.add((addr & 0xfff) as usize) as *const AtomicU32) })
}

/// waitid(2) without rusage: the raw 128-byte `siginfo_t` (same layout on
/// every 64-bit Linux).
pub fn waitid(idtype: u32, id: u32, options: i32) -> Result<[u8; 128], i32> {
    let mut info = [0u8; 128];
    // SAFETY: `info` is as large as `siginfo_t`; no rusage.
    ok(unsafe { libc::syscall(libc::SYS_waitid, idtype, id, info.as_mut_ptr(), options, 0usize) })?;
    Ok(info)
}

/// Host signals caught for the guest (bit `sig - 1`), not yet taken.
static CAUGHT: AtomicU64 = AtomicU64::new(0);

extern "C" fn catch(sig: libc::c_int) {
    let bit = 1u64 << (sig - 1);
    let before = CAUGHT.fetch_or(bit, Ordering::SeqCst);
    // A second SIGHUP/SIGINT/SIGQUIT/SIGTERM before the guest took the first
    // (it is stuck in a host call): let the host's default action end us.
    if before & bit != 0 && matches!(sig, libc::SIGHUP | libc::SIGINT | libc::SIGQUIT | libc::SIGTERM) {
        // SAFETY: signal and raise are async-signal-safe.
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
    }
}

/// Catches `sigs` on the host (SA_RESTART) so they can be handed to the guest.
pub fn catch_signals(sigs: &[i32]) {
    for &sig in sigs {
        // SAFETY: `catch` only does an atomic OR, which is async-signal-safe;
        // the sigaction struct is fully initialised before the call.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = catch as extern "C" fn(libc::c_int) as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// The host signals caught since the last call.
pub fn take_caught() -> u64 {
    CAUGHT.swap(0, Ordering::SeqCst)
}

/// The host number of an integer-only call.
fn int_nr(c: IntCall) -> libc::c_long {
    use IntCall::*;
    match c {
        Flock => libc::SYS_flock,
        Fallocate => libc::SYS_fallocate,
        Fchdir => libc::SYS_fchdir,
        Fchmod => libc::SYS_fchmod,
        Fchown => libc::SYS_fchown,
        Sync => libc::SYS_sync,
        Fdatasync => libc::SYS_fdatasync,
        SyncFileRange => libc::SYS_sync_file_range,
        Setpgid => libc::SYS_setpgid,
        Getpgid => libc::SYS_getpgid,
        Getsid => libc::SYS_getsid,
        Setsid => libc::SYS_setsid,
        Setuid => libc::SYS_setuid,
        Setgid => libc::SYS_setgid,
        Setreuid => libc::SYS_setreuid,
        Setregid => libc::SYS_setregid,
        Setresuid => libc::SYS_setresuid,
        Setresgid => libc::SYS_setresgid,
        Setfsuid => libc::SYS_setfsuid,
        Setfsgid => libc::SYS_setfsgid,
        Getpriority => libc::SYS_getpriority,
        Setpriority => libc::SYS_setpriority,
        SchedGetscheduler => libc::SYS_sched_getscheduler,
        SchedGetPriorityMax => libc::SYS_sched_get_priority_max,
        SchedGetPriorityMin => libc::SYS_sched_get_priority_min,
        Socket => libc::SYS_socket,
        Listen => libc::SYS_listen,
        Shutdown => libc::SYS_shutdown,
        Eventfd2 => libc::SYS_eventfd2,
        Tee => libc::SYS_tee,
        Readahead => libc::SYS_readahead,
        Fadvise64 => libc::SYS_fadvise64,
        Syncfs => libc::SYS_syncfs,
        CloseRange => libc::SYS_close_range,
        InotifyInit1 => libc::SYS_inotify_init1,
        InotifyRmWatch => libc::SYS_inotify_rm_watch,
        TimerfdCreate => libc::SYS_timerfd_create,
        Personality => libc::SYS_personality,
    }
}

/// One of the integer-only calls, raw (set*id act on this thread alone, as
/// the raw calls do for the guest thread that made them).
pub fn int_call(c: IntCall, a: [u64; 6]) -> R {
    // SAFETY: every `IntCall` takes integers only (see the enum).
    ok(unsafe { libc::syscall(int_nr(c), a[0], a[1], a[2], a[3], a[4], a[5]) })
}

fn opt_ptr<T>(p: Option<&T>) -> *const T {
    p.map_or(std::ptr::null(), |p| p as *const T)
}

pub fn mknodat(dirfd: i32, path: &CStr, mode: u32, dev: u64) -> R {
    // SAFETY: NUL-terminated path.
    ok(unsafe { libc::syscall(libc::SYS_mknodat, dirfd, path.as_ptr(), mode, dev) })
}

pub fn symlinkat(target: &CStr, dirfd: i32, path: &CStr) -> R {
    // SAFETY: NUL-terminated strings.
    ok(unsafe { libc::symlinkat(target.as_ptr(), dirfd, path.as_ptr()) } as i64)
}

pub fn linkat(olddirfd: i32, old: &CStr, newdirfd: i32, new: &CStr, flags: i32) -> R {
    // SAFETY: NUL-terminated paths.
    ok(unsafe { libc::linkat(olddirfd, old.as_ptr(), newdirfd, new.as_ptr(), flags) } as i64)
}

pub fn fchmodat(dirfd: i32, path: &CStr, mode: u32) -> R {
    // SAFETY: NUL-terminated path (the raw call has no flags).
    ok(unsafe { libc::syscall(libc::SYS_fchmodat, dirfd, path.as_ptr(), mode) })
}

pub fn fchownat(dirfd: i32, path: &CStr, uid: u32, gid: u32, flags: i32) -> R {
    // SAFETY: NUL-terminated path.
    ok(unsafe { libc::fchownat(dirfd, path.as_ptr(), uid, gid, flags) } as i64)
}

pub fn truncate(path: &CStr, len: i64) -> R {
    // SAFETY: NUL-terminated path.
    ok(unsafe { libc::truncate(path.as_ptr(), len) } as i64)
}

/// statfs (`path`) or fstatfs (`fd`) into the kernel's 120-byte `struct
/// statfs` of 64-bit ABIs.
pub fn statfs(path: Option<&CStr>, fd: i32, out: &mut [u8; 120]) -> R {
    // SAFETY: NUL-terminated path or an fd, and an out-buffer of the struct's size.
    ok(unsafe {
        match path {
            Some(p) => libc::syscall(libc::SYS_statfs, p.as_ptr(), out.as_mut_ptr()),
            None => libc::syscall(libc::SYS_fstatfs, fd, out.as_mut_ptr()),
        }
    })
}

/// utimensat with an optional path (None: the fd itself) and optional
/// times (two 16-byte `struct timespec`s).
pub fn utimensat(dirfd: i32, path: Option<&CStr>, times: Option<&[u8; 32]>, flags: i32) -> R {
    let p = path.map_or(std::ptr::null(), |p| p.as_ptr());
    // SAFETY: NUL-terminated path or null, 32-byte times or null.
    ok(unsafe { libc::syscall(libc::SYS_utimensat, dirfd, p, opt_ptr(times), flags) })
}

pub fn sendfile(out: i32, input: i32, off: Option<&mut i64>, count: usize) -> R {
    let o = off.map_or(std::ptr::null_mut(), |p| p as *mut i64);
    // SAFETY: null or a live i64.
    ok(unsafe { libc::sendfile(out, input, o, count) } as i64)
}

pub fn copy_file_range(
    input: i32,
    off_in: Option<&mut i64>,
    out: i32,
    off_out: Option<&mut i64>,
    len: usize,
    flags: u32,
) -> R {
    let i = off_in.map_or(std::ptr::null_mut(), |p| p as *mut i64);
    let o = off_out.map_or(std::ptr::null_mut(), |p| p as *mut i64);
    // SAFETY: null or live i64s.
    ok(unsafe { libc::syscall(libc::SYS_copy_file_range, input, i, out, o, len, flags) })
}

pub fn memfd_create(name: &CStr, flags: u32) -> R {
    // SAFETY: NUL-terminated name.
    ok(unsafe { libc::syscall(libc::SYS_memfd_create, name.as_ptr(), flags) })
}

/// getgroups into `list` (empty: just the count).
pub fn getgroups(list: &mut [u32]) -> R {
    // SAFETY: live array of its length.
    ok(unsafe { libc::syscall(libc::SYS_getgroups, list.len(), list.as_mut_ptr()) })
}

pub fn setgroups(list: &[u32]) -> R {
    // SAFETY: live array of its length (raw call: this thread only).
    ok(unsafe { libc::syscall(libc::SYS_setgroups, list.len(), list.as_ptr()) })
}

/// getresuid (`uid`) or getresgid: (real, effective, saved).
pub fn getres(uid: bool) -> Result<[u32; 3], i32> {
    let mut v = [0u32; 3];
    let (a, b, c) = (&mut v[0] as *mut u32, &mut v[1] as *mut u32, &mut v[2] as *mut u32);
    let nr = if uid { libc::SYS_getresuid } else { libc::SYS_getresgid };
    // SAFETY: three live u32 out-pointers.
    ok(unsafe { libc::syscall(nr, a, b, c) })?;
    Ok(v)
}

/// getrusage into the 144-byte `struct rusage` of 64-bit ABIs.
pub fn getrusage(who: i32, out: &mut [u8; 144]) -> R {
    // SAFETY: out-buffer of the struct's size.
    ok(unsafe { libc::syscall(libc::SYS_getrusage, who, out.as_mut_ptr()) })
}

/// sysinfo into the 112-byte `struct sysinfo` of 64-bit ABIs.
pub fn sysinfo(out: &mut [u8; 112]) -> R {
    // SAFETY: out-buffer of the struct's size.
    ok(unsafe { libc::syscall(libc::SYS_sysinfo, out.as_mut_ptr()) })
}

/// The host's uname: six 65-byte fields.
pub fn uname() -> Result<[u8; 390], i32> {
    let mut b = [0u8; 390];
    // SAFETY: out-buffer of `struct utsname`'s size.
    ok(unsafe { libc::syscall(libc::SYS_uname, b.as_mut_ptr()) })?;
    Ok(b)
}

/// sched_getaffinity (raw: returns the bytes written) or, with `set`,
/// sched_setaffinity from `mask`.
pub fn affinity(pid: i32, mask: &mut [u8], set: bool) -> R {
    let nr = if set { libc::SYS_sched_setaffinity } else { libc::SYS_sched_getaffinity };
    // SAFETY: live buffer of its length.
    ok(unsafe { libc::syscall(nr, pid, mask.len(), mask.as_mut_ptr()) })
}

/// sched_getparam: the priority.
pub fn sched_getparam(pid: i32) -> Result<i32, i32> {
    let mut prio = 0i32;
    // SAFETY: `struct sched_param` is one int.
    ok(unsafe { libc::syscall(libc::SYS_sched_getparam, pid, &mut prio as *mut i32) })?;
    Ok(prio)
}

/// getcpu: (cpu, node).
pub fn getcpu() -> Result<(u32, u32), i32> {
    let (mut cpu, mut node) = (0u32, 0u32);
    // SAFETY: two live u32 out-pointers; no cache.
    ok(unsafe { libc::syscall(libc::SYS_getcpu, &mut cpu as *mut u32, &mut node as *mut u32, 0usize) })?;
    Ok((cpu, node))
}

/// prctl options whose arguments are integers, and the 16-byte thread name
/// (PR_SET_NAME, PR_GET_NAME); anything else is refused (a guest's seccomp
/// filter, for one, would apply to the emulator).
pub fn prctl(option: i32, arg: u64, name: &mut [u8; 16]) -> R {
    const PR_SET_PDEATHSIG: i32 = 1;
    const PR_GET_DUMPABLE: i32 = 3;
    const PR_SET_DUMPABLE: i32 = 4;
    const PR_SET_NAME: i32 = 15;
    const PR_GET_NAME: i32 = 16;
    const PR_SET_CHILD_SUBREAPER: i32 = 36;
    const PR_SET_NO_NEW_PRIVS: i32 = 38;
    const PR_GET_NO_NEW_PRIVS: i32 = 39;
    // SAFETY: integer arguments, or the 16-byte name buffer for the name options.
    ok(unsafe {
        match option {
            PR_SET_NAME | PR_GET_NAME => libc::prctl(option, name.as_mut_ptr(), 0, 0, 0),
            PR_SET_PDEATHSIG
            | PR_GET_DUMPABLE
            | PR_SET_DUMPABLE
            | PR_SET_CHILD_SUBREAPER
            | PR_SET_NO_NEW_PRIVS
            | PR_GET_NO_NEW_PRIVS => libc::prctl(option, arg as libc::c_ulong, 0, 0, 0),
            _ => return Err(libc::EINVAL),
        }
    } as i64)
}

pub fn socketpair(domain: i32, ty: i32, proto: i32) -> Result<[i32; 2], i32> {
    let mut sv = [0i32; 2];
    // SAFETY: two-int out-buffer.
    ok(unsafe { libc::socketpair(domain, ty, proto, sv.as_mut_ptr()) } as i64)?;
    Ok(sv)
}

/// bind (`connect` false) or connect with a socket address of `addr.len()` bytes.
pub fn bind_or_connect(fd: i32, addr: &[u8], connect: bool) -> R {
    let (p, n) = (addr.as_ptr().cast::<libc::sockaddr>(), addr.len() as libc::socklen_t);
    // SAFETY: live buffer of the length passed.
    ok(unsafe {
        if connect {
            libc::connect(fd, p, n)
        } else {
            libc::bind(fd, p, n)
        }
    } as i64)
}

/// accept4 with room for the peer address; returns (fd, address length).
pub fn accept4(fd: i32, addr: &mut [u8], flags: i32) -> Result<(u64, u32), i32> {
    let mut len = addr.len() as libc::socklen_t;
    // SAFETY: live buffer and its length.
    let r = ok(unsafe { libc::accept4(fd, addr.as_mut_ptr().cast(), &mut len, flags) } as i64)?;
    Ok((r, len))
}

/// getsockname (`peer` false) or getpeername; returns the address length.
pub fn sockname(fd: i32, addr: &mut [u8], peer: bool) -> Result<u32, i32> {
    let mut len = addr.len() as libc::socklen_t;
    let p = addr.as_mut_ptr().cast();
    // SAFETY: live buffer and its length.
    ok(unsafe {
        if peer {
            libc::getpeername(fd, p, &mut len)
        } else {
            libc::getsockname(fd, p, &mut len)
        }
    } as i64)?;
    Ok(len)
}

pub fn setsockopt(fd: i32, level: i32, name: i32, val: &[u8]) -> R {
    // SAFETY: live buffer of the length passed.
    ok(unsafe { libc::setsockopt(fd, level, name, val.as_ptr().cast(), val.len() as libc::socklen_t) } as i64)
}

/// getsockopt into `val`; returns the option's length.
pub fn getsockopt(fd: i32, level: i32, name: i32, val: &mut [u8]) -> Result<u32, i32> {
    let mut len = val.len() as libc::socklen_t;
    // SAFETY: live buffer and its length.
    ok(unsafe { libc::getsockopt(fd, level, name, val.as_mut_ptr().cast(), &mut len) } as i64)?;
    Ok(len)
}

/// sendmsg of one gathered buffer, with an optional destination and control
/// data (`struct cmsghdr` is the same on every 64-bit Linux).
pub fn sendmsg(fd: i32, name: &[u8], data: &[u8], control: &[u8], flags: i32) -> R {
    let mut iov = libc::iovec { iov_base: data.as_ptr() as *mut libc::c_void, iov_len: data.len() };
    // SAFETY: `struct msghdr` is plain data; all-zero is valid.
    let mut m: libc::msghdr = unsafe { std::mem::zeroed() };
    if !name.is_empty() {
        m.msg_name = name.as_ptr() as *mut libc::c_void;
        m.msg_namelen = name.len() as libc::socklen_t;
    }
    m.msg_iov = &mut iov;
    m.msg_iovlen = 1;
    if !control.is_empty() {
        m.msg_control = control.as_ptr() as *mut libc::c_void;
        m.msg_controllen = control.len();
    }
    // SAFETY: every pointer in `m` is a live buffer of the length beside it;
    // the kernel only reads them.
    ok(unsafe { libc::sendmsg(fd, &m, flags) } as i64)
}

/// What recvmsg received: bytes, address length, control length, flags.
pub struct Received {
    pub len: u64,
    pub namelen: u32,
    pub controllen: usize,
    pub flags: i32,
}

/// recvmsg into one buffer, with room for the source address and control data.
pub fn recvmsg(fd: i32, name: &mut [u8], data: &mut [u8], control: &mut [u8], flags: i32) -> Result<Received, i32> {
    let mut iov = libc::iovec { iov_base: data.as_mut_ptr().cast(), iov_len: data.len() };
    // SAFETY: `struct msghdr` is plain data; all-zero is valid.
    let mut m: libc::msghdr = unsafe { std::mem::zeroed() };
    if !name.is_empty() {
        m.msg_name = name.as_mut_ptr().cast();
        m.msg_namelen = name.len() as libc::socklen_t;
    }
    m.msg_iov = &mut iov;
    m.msg_iovlen = 1;
    if !control.is_empty() {
        m.msg_control = control.as_mut_ptr().cast();
        m.msg_controllen = control.len();
    }
    // SAFETY: every pointer in `m` is a live, writable buffer of the length beside it.
    let len = ok(unsafe { libc::recvmsg(fd, &mut m, flags) } as i64)?;
    Ok(Received { len, namelen: m.msg_namelen, controllen: m.msg_controllen, flags: m.msg_flags })
}

/// prlimit64: sets `new` if given; returns the previous (cur, max).
pub fn prlimit(pid: i32, resource: i32, new: Option<[u64; 2]>) -> Result<[u64; 2], i32> {
    let mut old = [0u64; 2];
    // SAFETY: `struct rlimit64` is two u64: a live input or null, and an out-buffer.
    ok(unsafe { libc::syscall(libc::SYS_prlimit64, pid, resource, opt_ptr(new.as_ref()), old.as_mut_ptr()) })?;
    Ok(old)
}

pub fn inotify_add_watch(fd: i32, path: &CStr, mask: u32) -> R {
    // SAFETY: NUL-terminated path.
    ok(unsafe { libc::inotify_add_watch(fd, path.as_ptr(), mask) } as i64)
}

/// timerfd_settime with a 32-byte `struct itimerspec`; returns the old one.
pub fn timerfd_settime(fd: i32, flags: i32, new: &[u8; 32]) -> Result<[u8; 32], i32> {
    let mut old = [0u8; 32];
    // SAFETY: two 32-byte buffers of `struct itimerspec`'s size.
    ok(unsafe { libc::syscall(libc::SYS_timerfd_settime, fd, flags, new.as_ptr(), old.as_mut_ptr()) })?;
    Ok(old)
}

pub fn timerfd_gettime(fd: i32) -> Result<[u8; 32], i32> {
    let mut cur = [0u8; 32];
    // SAFETY: a 32-byte out-buffer of `struct itimerspec`'s size.
    ok(unsafe { libc::syscall(libc::SYS_timerfd_gettime, fd, cur.as_mut_ptr()) })?;
    Ok(cur)
}

pub fn splice(input: i32, off_in: Option<&mut i64>, out: i32, off_out: Option<&mut i64>, len: usize, flags: u32) -> R {
    let i = off_in.map_or(std::ptr::null_mut(), |p| p as *mut i64);
    let o = off_out.map_or(std::ptr::null_mut(), |p| p as *mut i64);
    // SAFETY: null or live i64s.
    ok(unsafe { libc::syscall(libc::SYS_splice, input, i, out, o, len, flags) })
}

/// times(2): (clock ticks, the 32-byte `struct tms`).
pub fn times() -> Result<(u64, [u8; 32]), i32> {
    let mut tms = [0u8; 32];
    // SAFETY: a 32-byte out-buffer of `struct tms`'s size.
    let t = ok(unsafe { libc::syscall(libc::SYS_times, tms.as_mut_ptr()) })?;
    Ok((t, tms))
}

/// fcntl record locks with a 32-byte `struct flock`.
pub fn fcntl_lock(fd: i32, cmd: i32, fl: &mut [u8; 32]) -> R {
    // SAFETY: a buffer of `struct flock`'s size (the caller passes lock commands only).
    ok(unsafe { libc::fcntl(fd, cmd, fl.as_mut_ptr()) } as i64)
}

/// The signal state this process was started with: the signals it ignores
/// (SIGPIPE aside: Rust's runtime ignores it before `main`) and the blocked
/// mask; the mask is then cleared for xlate's own threads.
pub fn inherited_signals() -> ExecSignals {
    let mut ignored = 0u64;
    for sig in 1..=31 {
        if sig == libc::SIGPIPE || sig == libc::SIGKILL || sig == libc::SIGSTOP {
            continue;
        }
        // SAFETY: querying a disposition into a zeroed sigaction.
        let old = unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            libc::sigaction(sig, std::ptr::null(), &mut old);
            old.sa_sigaction
        };
        if old == libc::SIG_IGN {
            ignored |= 1 << (sig - 1);
        }
    }
    let mut blocked = 0u64;
    // SAFETY: reading the mask into a zeroed sigset_t.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_SETMASK, std::ptr::null(), &mut set);
        for sig in 1..=64 {
            if libc::sigismember(&set, sig) == 1 {
                blocked |= 1 << (sig - 1);
            }
        }
    }
    set_thread_mask(0);
    ExecSignals { ignored, blocked }
}
