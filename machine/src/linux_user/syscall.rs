//! Linux system calls, implemented once for every guest ISA.
//!
//! An ISA's module maps its numbers to [`Sys`] and supplies the struct
//! layouts that differ between ABIs ([`Abi`]); everything else is here. Guest
//! file descriptors are host file descriptors (as in QEMU's user mode), and
//! guest memory is reached only through [`Mem`], whose every access is
//! bounds-checked: a bad guest pointer gives -EFAULT.

use std::collections::{BTreeMap, HashSet};
use std::ffi::CString;
use std::path::{Path, PathBuf};

use xlate_softmmu::{Bus, Ram, PAGE_SIZE};

use super::{host, ioctl};

/// ISA-neutral system call identities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sys {
    Read,
    Write,
    Readv,
    Writev,
    Openat,
    Close,
    Fstat,
    Newfstatat,
    Statx,
    Lseek,
    Pread64,
    Pwrite64,
    Readlinkat,
    Getcwd,
    Chdir,
    Brk,
    Mmap,
    Munmap,
    Mremap,
    Mprotect,
    Madvise,
    Exit,
    ExitGroup,
    Uname,
    SetTidAddress,
    SetRobustList,
    Rseq,
    Prlimit64,
    Getrlimit,
    Setrlimit,
    Getrandom,
    ClockGettime,
    ClockGetres,
    ClockNanosleep,
    Nanosleep,
    Gettimeofday,
    Times,
    Getpid,
    Getppid,
    Gettid,
    Getuid,
    Geteuid,
    Getgid,
    Getegid,
    Ioctl,
    RtSigaction,
    RtSigprocmask,
    Kill,
    Tkill,
    Tgkill,
    Fcntl,
    Dup,
    Dup3,
    Pipe2,
    Unlinkat,
    Mkdirat,
    Renameat,
    Renameat2,
    Getdents64,
    Faccessat,
    Faccessat2,
    Ftruncate,
    Fsync,
    Futex,
    SchedYield,
    SchedGetaffinity,
    Sysinfo,
    Umask,
    Mknodat,
    Symlinkat,
    Linkat,
    Fchmodat,
    Fchownat,
    Truncate,
    Statfs,
    Fstatfs,
    Utimensat,
    Sendfile,
    CopyFileRange,
    MemfdCreate,
    Getgroups,
    Setgroups,
    Getresuid,
    Getresgid,
    Getrusage,
    SchedSetaffinity,
    SchedGetparam,
    Getcpu,
    Prctl,
    /// Calls with integer arguments only, passed through.
    Int(IntCall),
    Socketpair,
    Bind,
    Accept,
    Accept4,
    Connect,
    Getsockname,
    Getpeername,
    Sendto,
    Recvfrom,
    Setsockopt,
    Getsockopt,
    Sendmsg,
    Recvmsg,
    InotifyAddWatch,
    TimerfdSettime,
    TimerfdGettime,
    Splice,
    Preadv,
    Pwritev,
    Msync,
    // Per-thread calls (task.rs): signals, waits, threads, blocking I/O.
    GetRobustList,
    RtSigsuspend,
    RtSigtimedwait,
    RtSigpending,
    RtSigreturn,
    Sigaltstack,
    EpollCreate1,
    EpollCtl,
    EpollPwait,
    EpollPwait2,
    Ppoll,
    Pselect6,
    Wait4,
    Waitid,
    Execve,
    Clone,
    Clone3,
    Getitimer,
    Setitimer,
    FlushIcache,
}

/// System calls that take only integers (fds, ids, modes, flags, lengths):
/// no host memory is passed, so any argument values are safe to hand over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntCall {
    Flock,
    Fallocate,
    Fchdir,
    Fchmod,
    Fchown,
    Sync,
    Fdatasync,
    SyncFileRange,
    Setpgid,
    Getpgid,
    Getsid,
    Setsid,
    Setuid,
    Setgid,
    Setreuid,
    Setregid,
    Setresuid,
    Setresgid,
    Setfsuid,
    Setfsgid,
    Getpriority,
    Setpriority,
    SchedGetscheduler,
    SchedGetPriorityMax,
    SchedGetPriorityMin,
    Socket,
    Listen,
    Shutdown,
    Eventfd2,
    Tee,
    Readahead,
    Fadvise64,
    Syncfs,
    CloseRange,
    InotifyInit1,
    InotifyRmWatch,
    TimerfdCreate,
    Personality,
}

impl Sys {
    pub fn name(self) -> String {
        let dbg = match self {
            Sys::Int(c) => format!("{c:?}"),
            _ => format!("{self:?}"),
        };
        let mut out = String::new();
        for (i, c) in dbg.char_indices() {
            if c.is_ascii_uppercase() && i > 0 && !dbg[..i].ends_with(|p: char| p.is_ascii_digit()) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }
}

/// File status in ISA-neutral form; [`Abi::encode_stat`] lays it out.
#[derive(Clone, Debug, Default)]
pub struct Stat {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub nlink: u32,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u64,
    pub size: i64,
    pub blksize: i32,
    pub blocks: i64,
    pub atime: (i64, i64),
    pub mtime: (i64, i64),
    pub ctime: (i64, i64),
}

/// What one guest ABI contributes: its numbers, layouts and errno values.
pub struct Abi {
    pub name: &'static str,
    pub uname_machine: &'static str,
    pub sysno: fn(u64) -> Option<Sys>,
    pub encode_stat: fn(&Stat) -> Vec<u8>,
    /// Host errno → guest errno.
    pub errno: fn(i32) -> i32,
}

type R = Result<u64, i32>;

const EFAULT: i32 = libc::EFAULT;
const EINVAL: i32 = libc::EINVAL;
const ENOMEM: i32 = libc::ENOMEM;
pub const ENOSYS: i32 = libc::ENOSYS;

/// Guest memory as seen by system calls: bounds-checked copies through the bus.
pub struct Mem<'a> {
    pub bus: &'a Bus,
    /// Pages holding translated code that a call wrote (to invalidate).
    pub dirty_code: Vec<u64>,
    /// A call changed page protections: the caller's TLB may hold stale
    /// write entries.
    pub protections_changed: bool,
}

impl<'a> Mem<'a> {
    pub fn new(bus: &'a Bus) -> Mem<'a> {
        Mem { bus, dirty_code: Vec::new(), protections_changed: false }
    }

    /// Makes guest stores to the pages of `[addr, addr + len)` fault, or not.
    pub fn write_protect(&mut self, addr: u64, len: u64, protect: bool) {
        self.bus.set_write_protect(addr, len, protect);
        self.protections_changed = true;
    }

    /// The RAM holding `[addr, addr + len)` for a host-side write; records
    /// the pages holding translated code it covers.
    fn writable(&mut self, addr: u64, len: u64) -> Result<&Ram, i32> {
        let ram = self.bus.ram_at(addr, len).filter(|r| !r.readonly()).ok_or(EFAULT)?;
        let mut p = addr & !(PAGE_SIZE - 1);
        while p < addr + len {
            if ram.is_code(p) {
                self.dirty_code.push(p);
            }
            p += PAGE_SIZE;
        }
        Ok(ram)
    }

    pub fn read(&self, addr: u64, len: usize) -> Result<Vec<u8>, i32> {
        let mut v = vec![0u8; len];
        if len > 0 && !self.bus.read_bytes(addr, &mut v) {
            return Err(EFAULT);
        }
        Ok(v)
    }
    pub fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), i32> {
        if data.is_empty() {
            return Ok(());
        }
        let ram = self.writable(addr, data.len() as u64)?;
        if ram.write(addr, data) {
            Ok(())
        } else {
            Err(EFAULT)
        }
    }
    pub fn zero(&mut self, addr: u64, len: u64) -> Result<(), i32> {
        if len == 0 {
            return Ok(());
        }
        let ram = self.writable(addr, len)?;
        if ram.zero(addr, len) {
            Ok(())
        } else {
            Err(EFAULT)
        }
    }
    /// A fixed-size struct's bytes.
    pub fn array<const N: usize>(&self, addr: u64) -> Result<[u8; N], i32> {
        self.read(addr, N)?.try_into().map_err(|_| EFAULT)
    }
    pub fn u32(&self, addr: u64) -> Result<u32, i32> {
        let b = self.read(addr, 4)?;
        Ok(u32::from_le_bytes(b.try_into().unwrap_or([0; 4])))
    }
    pub fn u64(&self, addr: u64) -> Result<u64, i32> {
        let b = self.read(addr, 8)?;
        Ok(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }
    pub fn put_u64(&mut self, addr: u64, v: u64) -> Result<(), i32> {
        self.write(addr, &v.to_le_bytes())
    }
    pub fn put_u32(&mut self, addr: u64, v: u32) -> Result<(), i32> {
        self.write(addr, &v.to_le_bytes())
    }
    /// A NUL-terminated string of at most 4096 bytes.
    pub fn cstr(&self, addr: u64) -> Result<Vec<u8>, i32> {
        let mut out = Vec::new();
        let mut at = addr;
        loop {
            let mut b = [0u8; 1];
            if !self.bus.read_bytes(at, &mut b) {
                return Err(EFAULT);
            }
            if b[0] == 0 {
                return Ok(out);
            }
            out.push(b[0]);
            if out.len() >= 4096 {
                return Err(libc::ENAMETOOLONG);
            }
            at += 1;
        }
    }
}

/// For `/proc/self/X` and `/proc/<this pid>/X`, the X: files the host would
/// answer about xlate rather than the guest.
fn proc_self(p: &[u8]) -> Option<&[u8]> {
    let rest = p.strip_prefix(b"/proc/")?;
    let slash = rest.iter().position(|&c| c == b'/')?;
    let (who, what) = (&rest[..slash], &rest[slash + 1..]);
    (who == b"self" || who == std::process::id().to_string().as_bytes()).then_some(what)
}

/// read, write and their vector and positioned forms: they need no process
/// state, so callers may run them without the process lock (a blocking
/// pipe write must not stall every other thread).
pub fn fd_io(mem: &mut Mem, sys: Sys, a: [u64; 6]) -> R {
    use Sys::*;
    let fd = a[0] as i32;
    match sys {
        Read | Pread64 => {
            let len = a[2].min(1 << 24) as usize;
            let mut buf = vec![0u8; len];
            let n = if sys == Read { host::read(fd, &mut buf)? } else { host::pread(fd, &mut buf, a[3] as i64)? };
            mem.write(a[1], &buf[..n as usize])?;
            Ok(n)
        }
        Write | Pwrite64 => {
            let buf = mem.read(a[1], a[2].min(1 << 24) as usize)?;
            if sys == Write {
                host::write(fd, &buf)
            } else {
                host::pwrite(fd, &buf, a[3] as i64)
            }
        }
        Writev => host::write(fd, &gather(mem, &iovec(mem, a[1], a[2].min(1024))?)?),
        Readv => {
            let mut total = 0u64;
            for k in 0..a[2].min(1024) {
                let base = mem.u64(a[1] + 16 * k)?;
                let len = mem.u64(a[1] + 16 * k + 8)?.min(1 << 24) as usize;
                let mut buf = vec![0u8; len];
                let n = host::read(fd, &mut buf)?;
                mem.write(base, &buf[..n as usize])?;
                total += n;
                if (n as usize) < len {
                    break;
                }
            }
            Ok(total)
        }
        _ => Err(ENOSYS),
    }
}

/// A call of the (fd_in, off_in*, fd_out, off_out*, len, flags) shape
/// (copy_file_range, splice): the optional offsets are read from and
/// written back to guest memory around `call(off_in, off_out, len)`.
fn with_offsets(mem: &mut Mem, a: [u64; 6], call: impl FnOnce(Option<&mut i64>, Option<&mut i64>, usize) -> R) -> R {
    let (mut oi, mut oo) = (read_offset(mem, a[1])?, read_offset(mem, a[3])?);
    let n = call(oi.as_mut(), oo.as_mut(), a[4].min(1 << 30) as usize)?;
    write_offset(mem, a[1], oi)?;
    write_offset(mem, a[3], oo)?;
    Ok(n)
}

/// An optional `loff_t *` argument's value (None for a null pointer).
fn read_offset(mem: &Mem, at: u64) -> Result<Option<i64>, i32> {
    Ok(if at != 0 { Some(mem.u64(at)? as i64) } else { None })
}

/// Puts an offset `read_offset` gave back where it came from.
fn write_offset(mem: &mut Mem, at: u64, off: Option<i64>) -> Result<(), i32> {
    match off {
        Some(o) => mem.put_u64(at, o as u64),
        None => Ok(()),
    }
}

/// Most bytes one gathered or scattered call moves.
pub const IO_MAX: u64 = 1 << 24;

/// A guest `struct iovec` array of `count` entries: (base, length), each
/// length at most [`IO_MAX`].
pub fn iovec(mem: &Mem, at: u64, count: u64) -> Result<Vec<(u64, u64)>, i32> {
    (0..count).map(|k| Ok((mem.u64(at + 16 * k)?, mem.u64(at + 16 * k + 8)?.min(IO_MAX)))).collect()
}

/// The bytes of a guest `iovec` array's buffers, in order, up to 16 MiB in
/// all (a write may be partial; a guest cannot make xlate copy more), and
/// up to the first bad buffer (a short write, as Linux does; EFAULT if that
/// is the first).
pub fn gather(mem: &Mem, iov: &[(u64, u64)]) -> Result<Vec<u8>, i32> {
    let mut data = Vec::new();
    for &(base, len) in iov {
        let n = len.min(IO_MAX - data.len() as u64);
        match mem.read(base, n as usize) {
            Ok(b) => data.extend(b),
            Err(e) if data.is_empty() => return Err(e),
            Err(_) => break,
        }
        if data.len() as u64 == IO_MAX {
            break;
        }
    }
    Ok(data)
}

pub const fn page_up(x: u64) -> u64 {
    (x + PAGE_SIZE - 1) & !(PAGE_SIZE - 1)
}

/// Why the process stopped running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Exited(i32),
    Signaled(i32),
}

/// The emulated process: its address-space bookkeeping and host-side state.
#[derive(Clone)]
pub struct Process {
    pub abi: &'static Abi,
    pub strace: bool,
    /// Guest paths under / are looked up here first (dynamic loader, libraries).
    pub sysroot: Option<PathBuf>,
    pub exe: PathBuf,
    /// The guest's argv, each NUL-terminated (`/proc/self/cmdline`).
    pub cmdline: Vec<u8>,
    pub brk_start: u64,
    pub brk: u64,
    pub brk_max: u64,
    /// Lowest and highest (exclusive) address mmap may hand out.
    pub mmap_min: u64,
    pub mmap_top: u64,
    /// Mapped ranges start → end (page aligned, non-overlapping).
    pub maps: BTreeMap<u64, u64>,
    pub ending: Option<Ending>,
    reported: HashSet<u64>,
}

const MAP_SHARED: u64 = 0x01;
const MAP_FIXED: u64 = 0x10;
const MAP_ANONYMOUS: u64 = 0x20;
/// mmap/mprotect: the pages may be written.
pub const PROT_WRITE: u64 = 2;
const MAP_FIXED_NOREPLACE: u64 = 0x100000;

impl Process {
    pub fn new(abi: &'static Abi, exe: PathBuf, sysroot: Option<PathBuf>, strace: bool) -> Process {
        Process {
            abi,
            strace,
            sysroot,
            exe,
            cmdline: Vec::new(),
            brk_start: 0,
            brk: 0,
            brk_max: 0,
            mmap_min: 0,
            mmap_top: 0,
            maps: BTreeMap::new(),
            ending: None,
            reported: HashSet::new(),
        }
    }

    /// Prints `msg` the first time `key` is seen (unsupported calls, ioctls).
    pub fn report_once(&mut self, key: u64, msg: &str) {
        if self.reported.insert(key) {
            eprintln!("xlate: {msg}");
        }
    }

    /// Records `[start, end)` as mapped, replacing what was there.
    pub fn map_range(&mut self, start: u64, end: u64) {
        self.unmap_range(start, end);
        self.maps.insert(start, end);
    }

    /// Forgets `[start, end)`, splitting mappings that straddle it.
    pub fn unmap_range(&mut self, start: u64, end: u64) {
        let hits: Vec<(u64, u64)> = self.maps.range(..end).filter(|(_, &e)| e > start).map(|(&s, &e)| (s, e)).collect();
        for (s, e) in hits {
            self.maps.remove(&s);
            if s < start {
                self.maps.insert(s, start);
            }
            if e > end {
                self.maps.insert(end, e);
            }
        }
    }

    pub(super) fn overlaps(&self, start: u64, end: u64) -> bool {
        self.maps.range(..end).any(|(_, &e)| e > start)
    }

    /// The highest free gap of `len` bytes below `mmap_top`.
    pub(super) fn find_free(&self, len: u64) -> Option<u64> {
        let mut top = self.mmap_top;
        for (&s, &e) in self.maps.range(..self.mmap_top).rev() {
            if e <= top && top - e >= len {
                break;
            }
            top = top.min(s);
        }
        let addr = top.checked_sub(len)?;
        (addr >= self.mmap_min).then_some(addr)
    }

    /// Maps a guest path to the host path to open (sysroot first).
    pub(super) fn host_path(&self, p: &[u8]) -> Result<CString, i32> {
        use std::os::unix::ffi::OsStrExt;
        if proc_self(p) == Some(b"exe") {
            return CString::new(self.exe.as_os_str().as_bytes()).map_err(|_| EINVAL);
        }
        if let (Some(root), Some(b'/')) = (&self.sysroot, p.first()) {
            let cand = root.join(Path::new(std::ffi::OsStr::from_bytes(&p[1..])));
            if cand.symlink_metadata().is_ok() && !p.starts_with(b"/proc") && !p.starts_with(b"/tmp") {
                return CString::new(cand.as_os_str().as_bytes()).map_err(|_| EINVAL);
            }
        }
        CString::new(p).map_err(|_| EINVAL)
    }

    /// Runs one system call. `nr` is the guest's number; returns the value for
    /// the guest's result register (negative errno on failure).
    pub fn syscall(&mut self, mem: &mut Mem, nr: u64, a: [u64; 6], pc: u64) -> u64 {
        let Some(sys) = (self.abi.sysno)(nr) else {
            if self.reported.insert(nr) {
                eprintln!("xlate: unsupported {} syscall {nr} at pc {pc:#x} (returning -ENOSYS)", self.abi.name);
            }
            if self.strace {
                eprintln!("[strace] syscall_{nr}({:#x}, {:#x}, {:#x}) = -ENOSYS", a[0], a[1], a[2]);
            }
            return (-(i64::from((self.abi.errno)(ENOSYS)))) as u64;
        };
        let r = self.dispatch(mem, sys, a);
        let ret = match r {
            Ok(v) => v,
            Err(e) => (-(i64::from((self.abi.errno)(e)))) as u64,
        };
        if self.strace {
            let res = match r {
                Ok(v) => format!("{:#x}", v),
                Err(e) => format!("-{} ({})", e, std::io::Error::from_raw_os_error(e)),
            };
            eprintln!(
                "[strace] {}({:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}) = {res}",
                sys.name(),
                a[0],
                a[1],
                a[2],
                a[3],
                a[4],
                a[5]
            );
        }
        ret
    }

    fn stat_out(&self, mem: &mut Mem, st: &libc::stat, addr: u64) -> R {
        let s = Stat {
            dev: st.st_dev,
            ino: st.st_ino,
            mode: st.st_mode,
            nlink: st.st_nlink as u32,
            uid: st.st_uid,
            gid: st.st_gid,
            rdev: st.st_rdev,
            size: st.st_size,
            blksize: st.st_blksize as i32,
            blocks: st.st_blocks,
            atime: (st.st_atime, st.st_atime_nsec),
            mtime: (st.st_mtime, st.st_mtime_nsec),
            ctime: (st.st_ctime, st.st_ctime_nsec),
        };
        mem.write(addr, &(self.abi.encode_stat)(&s))?;
        Ok(0)
    }

    fn dispatch(&mut self, mem: &mut Mem, sys: Sys, a: [u64; 6]) -> R {
        use Sys::*;
        let fd = a[0] as i32;
        // Directory fds: AT_FDCWD is -100 on every Linux ABI.
        let dirfd = a[0] as i32;
        match sys {
            Read | Pread64 | Write | Pwrite64 | Readv | Writev => fd_io(mem, sys, a),
            Openat => {
                let p = mem.cstr(a[1])?;
                if proc_self(&p) == Some(b"cmdline") {
                    // The guest's argv, not xlate's.
                    let fd = host::memfd_create(
                        c"cmdline",
                        if a[2] & libc::O_CLOEXEC as u64 != 0 { libc::MFD_CLOEXEC } else { 0 },
                    )? as i32;
                    let _ = host::write(fd, &self.cmdline).and_then(|_| host::lseek(fd, 0, libc::SEEK_SET));
                    return Ok(fd as u64);
                }
                let path = self.host_path(&p)?;
                host::openat(dirfd, &path, a[2] as i32, a[3] as u32)
            }
            Close => host::close(fd),
            Fstat => {
                let st = host::fstat(fd)?;
                self.stat_out(mem, &st, a[1])
            }
            Newfstatat => {
                let path = self.host_path(&mem.cstr(a[1])?)?;
                let st = host::fstatat(dirfd, &path, a[3] as i32)?;
                self.stat_out(mem, &st, a[2])
            }
            Statx => {
                let path = self.host_path(&mem.cstr(a[1])?)?;
                // struct statx has the same layout on every architecture.
                let mut buf = [0u8; 256];
                host::statx(dirfd, &path, a[2] as i32, a[3] as u32, &mut buf)?;
                mem.write(a[4], &buf)?;
                Ok(0)
            }
            Lseek => host::lseek(fd, a[1] as i64, a[2] as i32),
            Readlinkat => {
                let p = mem.cstr(a[1])?;
                let target = if proc_self(&p) == Some(b"exe") {
                    use std::os::unix::ffi::OsStrExt;
                    let abs = std::fs::canonicalize(&self.exe).unwrap_or(self.exe.clone());
                    abs.as_os_str().as_bytes().to_vec()
                } else {
                    let path = self.host_path(&p)?;
                    let mut buf = vec![0u8; 4096];
                    let n = host::readlinkat(dirfd, &path, &mut buf)?;
                    buf.truncate(n as usize);
                    buf
                };
                let n = target.len().min(a[3] as usize);
                mem.write(a[2], &target[..n])?;
                Ok(n as u64)
            }
            Getcwd => {
                use std::os::unix::ffi::OsStrExt;
                let cwd = std::env::current_dir().map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))?;
                let mut b = cwd.as_os_str().as_bytes().to_vec();
                b.push(0);
                if b.len() as u64 > a[1] {
                    return Err(libc::ERANGE);
                }
                mem.write(a[0], &b)?;
                Ok(b.len() as u64)
            }
            Chdir => {
                let path = self.host_path(&mem.cstr(a[0])?)?;
                host::chdir(&path)
            }
            Brk => {
                let want = a[0];
                if want >= self.brk_start && want <= self.brk_max {
                    if want < self.brk {
                        // Shrinking: memory above brk must read as zero when it grows again.
                        mem.zero(want, self.brk - want).ok();
                    }
                    self.brk = want;
                }
                Ok(self.brk)
            }
            Mmap => self.mmap(mem, a),
            Munmap => {
                let (start, len) = (a[0], page_up(a[1]));
                if start % PAGE_SIZE != 0 || len == 0 {
                    return Err(EINVAL);
                }
                let end = start.checked_add(len).ok_or(EINVAL)?;
                if start < self.mmap_min || end > self.mmap_top {
                    return Err(EINVAL);
                }
                // Freed memory reads as zero when mapped again.
                let ranges: Vec<(u64, u64)> = self
                    .maps
                    .range(..end)
                    .filter(|(_, &e)| e > start)
                    .map(|(&s, &e)| (s.max(start), e.min(end)))
                    .collect();
                for (s, e) in ranges {
                    mem.zero(s, e - s).ok();
                }
                self.unmap_range(start, end);
                // Stores to unmapped pages fault.
                mem.write_protect(start, len, true);
                Ok(0)
            }
            Mremap => self.mremap(mem, a),
            Mprotect => self.mprotect(mem, a),
            Madvise => self.madvise(mem, a),
            Exit | ExitGroup => {
                self.ending = Some(Ending::Exited(a[0] as i32 & 0xff));
                Ok(0)
            }
            Uname => {
                // The host's names and kernel, as QEMU reports; the guest's machine.
                let mut b = host::uname()?;
                let m = self.abi.uname_machine.as_bytes();
                b[4 * 65..5 * 65].fill(0);
                b[4 * 65..4 * 65 + m.len()].copy_from_slice(m);
                mem.write(a[0], &b)?;
                Ok(0)
            }
            SetTidAddress | Gettid | Getpid => Ok(std::process::id() as u64),
            Getppid => Ok(host::getppid()),
            SetRobustList => Ok(0),
            Rseq => Err(ENOSYS),
            Prlimit64 | Getrlimit | Setrlimit => {
                // The host's limits (struct rlimit64 is two u64 everywhere).
                // Address space, data and stack limits would bind xlate's own
                // memory, not the guest's: setting them is accepted and
                // ignored, as qemu-user does.
                const RLIMIT_DATA: u64 = 2;
                const RLIMIT_STACK: u64 = 3;
                const RLIMIT_AS: u64 = 9;
                let (pid, resource, new, old) = match sys {
                    Prlimit64 => (a[0] as i32, a[1], a[2], a[3]),
                    Getrlimit => (0, a[0], 0, a[1]),
                    _ => (0, a[0], a[1], 0),
                };
                let new = match new {
                    0 => None,
                    _ if matches!(resource, RLIMIT_DATA | RLIMIT_STACK | RLIMIT_AS) => None,
                    p => Some([mem.u64(p)?, mem.u64(p + 8)?]),
                };
                let got = host::prlimit(pid, resource as i32, new)?;
                if old != 0 {
                    mem.put_u64(old, got[0])?;
                    mem.put_u64(old + 8, got[1])?;
                }
                Ok(0)
            }
            Getrandom => {
                let len = a[1].min(1 << 20) as usize;
                let mut buf = vec![0u8; len];
                let n = host::getrandom(&mut buf)?;
                mem.write(a[0], &buf[..n as usize])?;
                Ok(n)
            }
            ClockGettime | ClockGetres => {
                let (sec, nsec) = host::clock(a[0] as i32, sys == ClockGetres)?;
                if a[1] != 0 {
                    mem.put_u64(a[1], sec as u64)?;
                    mem.put_u64(a[1] + 8, nsec as u64)?;
                }
                Ok(0)
            }
            Gettimeofday => {
                if a[0] != 0 {
                    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                    mem.put_u64(a[0], now.as_secs())?;
                    mem.put_u64(a[0] + 8, u64::from(now.subsec_micros()))?;
                }
                Ok(0)
            }
            Times => {
                // struct tms: four clock_t (8 bytes each on 64-bit ABIs).
                let (ticks, tms) = host::times()?;
                if a[0] != 0 {
                    mem.write(a[0], &tms)?;
                }
                Ok(ticks)
            }
            Getuid => Ok(u64::from(host::ids().0)),
            Geteuid => Ok(u64::from(host::ids().1)),
            Getgid => Ok(u64::from(host::ids().2)),
            Getegid => Ok(u64::from(host::ids().3)),
            Ioctl => ioctl::ioctl(self, mem, fd, a[1], a[2]),
            RtSigaction => {
                if a[2] != 0 {
                    mem.write(a[2], &[0u8; 32])?;
                }
                Ok(0)
            }
            RtSigprocmask => {
                if a[2] != 0 {
                    mem.put_u64(a[2], 0)?;
                }
                Ok(0)
            }
            Kill | Tkill | Tgkill => {
                let sig = if sys == Tgkill { a[2] } else { a[1] } as i32;
                if sig != 0 {
                    self.ending = Some(Ending::Signaled(sig));
                }
                Ok(0)
            }
            Fcntl => {
                const F_DUPFD: u64 = 0;
                const F_GETFD: u64 = 1;
                const F_SETFD: u64 = 2;
                const F_GETFL: u64 = 3;
                const F_SETFL: u64 = 4;
                const F_DUPFD_CLOEXEC: u64 = 1030;
                // Owner, signal, lease, notify, pipe size and seal commands take integers.
                const INTS: [u64; 9] = [8, 9, 10, 11, 1024, 1025, 1026, 1031, 1032];
                const SEALS: [u64; 2] = [1033, 1034];
                // F_GETLK, F_SETLK, F_SETLKW and the OFD forms: struct flock,
                // 32 bytes on 64-bit ABIs.
                const LOCKS: [u64; 6] = [5, 6, 7, 36, 37, 38];
                match a[1] {
                    F_DUPFD | F_GETFD | F_SETFD | F_GETFL | F_SETFL | F_DUPFD_CLOEXEC => {
                        host::fcntl(fd, a[1] as i32, a[2])
                    }
                    c if INTS.contains(&c) || SEALS.contains(&c) => host::fcntl(fd, c as i32, a[2]),
                    c if LOCKS.contains(&c) => {
                        let mut fl: [u8; 32] = mem.array(a[2])?;
                        let r = host::fcntl_lock(fd, c as i32, &mut fl)?;
                        mem.write(a[2], &fl)?;
                        Ok(r)
                    }
                    _ => Err(EINVAL),
                }
            }
            Dup => host::dup(fd),
            Dup3 => host::dup3(fd, a[1] as i32, a[2] as i32),
            Pipe2 => {
                let fds = host::pipe2(a[1] as i32)?;
                mem.put_u32(a[0], fds[0] as u32)?;
                mem.put_u32(a[0] + 4, fds[1] as u32)?;
                Ok(0)
            }
            Unlinkat => {
                let path = self.host_path(&mem.cstr(a[1])?)?;
                host::unlinkat(dirfd, &path, a[2] as i32)
            }
            Mkdirat => {
                let path = self.host_path(&mem.cstr(a[1])?)?;
                host::mkdirat(dirfd, &path, a[2] as u32)
            }
            Renameat | Renameat2 => {
                let from = self.host_path(&mem.cstr(a[1])?)?;
                let to = self.host_path(&mem.cstr(a[3])?)?;
                let flags = if sys == Renameat2 { a[4] as u32 } else { 0 };
                host::renameat2(dirfd, &from, a[2] as i32, &to, flags)
            }
            Getdents64 => {
                // struct linux_dirent64 is the same on every architecture.
                let len = a[2].min(1 << 20) as usize;
                let mut buf = vec![0u8; len];
                let n = host::getdents64(fd, &mut buf)?;
                mem.write(a[1], &buf[..n as usize])?;
                Ok(n)
            }
            Faccessat | Faccessat2 => {
                let path = self.host_path(&mem.cstr(a[1])?)?;
                let flags = if sys == Faccessat2 { a[3] as i32 } else { 0 };
                host::faccessat(dirfd, &path, a[2] as i32, flags)
            }
            Ftruncate => host::ftruncate(fd, a[1] as i64),
            Fsync => host::fsync(fd),
            Futex => {
                // One thread: a wait would block forever, a wake wakes no one.
                match a[1] & 0x7f {
                    0 | 9 => Err(libc::EAGAIN),
                    _ => Ok(0),
                }
            }
            SchedYield => Ok(0),
            Sysinfo => {
                // struct sysinfo: the same 112 bytes on every 64-bit Linux.
                let mut b = [0u8; 112];
                host::sysinfo(&mut b)?;
                mem.write(a[0], &b)?;
                Ok(0)
            }
            Umask => Ok(host::umask(a[0] as u32)),
            Mknodat => {
                let path = self.host_path(&mem.cstr(a[1])?)?;
                host::mknodat(dirfd, &path, a[2] as u32, a[3])
            }
            Symlinkat => {
                // The link's text is the guest's, as given.
                let target = CString::new(mem.cstr(a[0])?).map_err(|_| EINVAL)?;
                let path = self.host_path(&mem.cstr(a[2])?)?;
                host::symlinkat(&target, a[1] as i32, &path)
            }
            Linkat => {
                let from = self.host_path(&mem.cstr(a[1])?)?;
                let to = self.host_path(&mem.cstr(a[3])?)?;
                host::linkat(dirfd, &from, a[2] as i32, &to, a[4] as i32)
            }
            Fchmodat => {
                let path = self.host_path(&mem.cstr(a[1])?)?;
                host::fchmodat(dirfd, &path, a[2] as u32)
            }
            Fchownat => {
                let path = self.host_path(&mem.cstr(a[1])?)?;
                host::fchownat(dirfd, &path, a[2] as u32, a[3] as u32, a[4] as i32)
            }
            Truncate => {
                let path = self.host_path(&mem.cstr(a[0])?)?;
                host::truncate(&path, a[1] as i64)
            }
            Statfs | Fstatfs => {
                // struct statfs: the same 120 bytes on every 64-bit Linux.
                let mut b = [0u8; 120];
                if sys == Statfs {
                    let path = self.host_path(&mem.cstr(a[0])?)?;
                    host::statfs(Some(&path), -1, &mut b)?;
                } else {
                    host::statfs(None, fd, &mut b)?;
                }
                mem.write(a[1], &b)?;
                Ok(0)
            }
            Utimensat => {
                let path = if a[1] != 0 { Some(self.host_path(&mem.cstr(a[1])?)?) } else { None };
                let times: Option<[u8; 32]> = if a[2] != 0 { Some(mem.array(a[2])?) } else { None };
                host::utimensat(dirfd, path.as_deref(), times.as_ref(), a[3] as i32)
            }
            Sendfile => {
                let mut off = read_offset(mem, a[2])?;
                let n = host::sendfile(a[0] as i32, a[1] as i32, off.as_mut(), a[3].min(1 << 30) as usize)?;
                write_offset(mem, a[2], off)?;
                Ok(n)
            }
            CopyFileRange => {
                with_offsets(mem, a, |i, o, len| host::copy_file_range(fd, i, a[2] as i32, o, len, a[5] as u32))
            }
            MemfdCreate => {
                let name = CString::new(mem.cstr(a[0])?).map_err(|_| EINVAL)?;
                host::memfd_create(&name, a[1] as u32)
            }
            Getgroups => {
                let n = (a[0] as i32).clamp(0, 65536) as usize;
                let mut list = vec![0u32; n];
                let got = host::getgroups(&mut list)?;
                if n > 0 {
                    let bytes: Vec<u8> = list[..got as usize].iter().flat_map(|g| g.to_le_bytes()).collect();
                    mem.write(a[1], &bytes)?;
                }
                Ok(got)
            }
            Setgroups => {
                let n = a[0].min(65536) as usize;
                let bytes = mem.read(a[1], 4 * n)?;
                let list: Vec<u32> =
                    bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
                host::setgroups(&list)
            }
            Getresuid | Getresgid => {
                let ids = host::getres(sys == Getresuid)?;
                for (k, id) in ids.iter().enumerate() {
                    mem.put_u32(a[k], *id)?;
                }
                Ok(0)
            }
            Getrusage => {
                // struct rusage: the same 144 bytes on every 64-bit Linux.
                let mut b = [0u8; 144];
                host::getrusage(a[0] as i32, &mut b)?;
                mem.write(a[1], &b)?;
                Ok(0)
            }
            SchedGetaffinity | SchedSetaffinity => {
                let n = (a[1].min(1024) as usize) & !7;
                if n == 0 {
                    return Err(EINVAL);
                }
                if sys == SchedSetaffinity {
                    let mut mask = mem.read(a[2], n)?;
                    return host::affinity(a[0] as i32, &mut mask, true);
                }
                let mut mask = vec![0u8; n];
                let got = host::affinity(a[0] as i32, &mut mask, false)?;
                mem.write(a[2], &mask[..got as usize])?;
                Ok(got)
            }
            SchedGetparam => {
                let prio = host::sched_getparam(a[0] as i32)?;
                mem.put_u32(a[1], prio as u32)?;
                Ok(0)
            }
            Getcpu => {
                let (cpu, node) = host::getcpu()?;
                if a[0] != 0 {
                    mem.put_u32(a[0], cpu)?;
                }
                if a[1] != 0 {
                    mem.put_u32(a[1], node)?;
                }
                Ok(0)
            }
            Prctl => {
                const PR_SET_NAME: u64 = 15;
                const PR_GET_NAME: u64 = 16;
                let mut name = [0u8; 16];
                if a[0] == PR_SET_NAME {
                    let s = mem.cstr(a[1])?;
                    let n = s.len().min(15);
                    name[..n].copy_from_slice(&s[..n]);
                }
                let r = host::prctl(a[0] as i32, a[1], &mut name)?;
                if a[0] == PR_GET_NAME {
                    mem.write(a[1], &name)?;
                }
                Ok(r)
            }
            Int(c) => host::int_call(c, a),
            InotifyAddWatch => {
                let path = self.host_path(&mem.cstr(a[1])?)?;
                host::inotify_add_watch(fd, &path, a[2] as u32)
            }
            TimerfdSettime => {
                // struct itimerspec: four 8-byte fields on 64-bit ABIs.
                let new: [u8; 32] = mem.array(a[2])?;
                let old = host::timerfd_settime(fd, a[1] as i32, &new)?;
                if a[3] != 0 {
                    mem.write(a[3], &old)?;
                }
                Ok(0)
            }
            TimerfdGettime => {
                let cur = host::timerfd_gettime(fd)?;
                mem.write(a[1], &cur)?;
                Ok(0)
            }
            Splice => with_offsets(mem, a, |i, o, len| host::splice(fd, i, a[2] as i32, o, len, a[5] as u32)),
            Preadv | Pwritev => {
                // Gathered into (or scattered from) one buffer at the offset.
                let iov = iovec(mem, a[1], a[2].min(1024))?;
                if sys == Pwritev {
                    return host::pwrite(fd, &gather(mem, &iov)?, a[3] as i64);
                }
                let mut data = vec![0u8; iov.iter().map(|(_, l)| *l).sum::<u64>().min(IO_MAX) as usize];
                let n = host::pread(fd, &mut data, a[3] as i64)? as usize;
                let mut left = &data[..n];
                for (base, len) in &iov {
                    let k = (*len as usize).min(left.len());
                    mem.write(*base, &left[..k])?;
                    left = &left[k..];
                }
                Ok(n as u64)
            }
            Msync => {
                // Every mapping is private guest memory: nothing to write back.
                if !a[0].is_multiple_of(PAGE_SIZE) || a[2] & !7 != 0 {
                    return Err(EINVAL);
                }
                let end = a[0].checked_add(a[1]).ok_or(libc::ENOMEM)?;
                if a[1] > 0 && !self.overlaps(a[0], end) {
                    return Err(libc::ENOMEM);
                }
                Ok(0)
            }
            // Each thread runs these itself (task.rs, net.rs).
            Socketpair | Bind | Accept | Accept4 | Connect | Getsockname | Getpeername | Sendto | Recvfrom
            | Setsockopt | Getsockopt | Sendmsg | Recvmsg | GetRobustList | RtSigsuspend | RtSigtimedwait
            | RtSigpending | RtSigreturn | Sigaltstack | EpollCreate1 | EpollCtl | EpollPwait | EpollPwait2 | Ppoll
            | Pselect6 | Wait4 | Waitid | Execve | Clone | Clone3 | Getitimer | Setitimer | FlushIcache | Nanosleep
            | ClockNanosleep => Err(ENOSYS),
        }
    }

    fn mmap(&mut self, mem: &mut Mem, a: [u64; 6]) -> R {
        let (addr, len, _prot, flags, fd, off) = (a[0], a[1], a[2], a[3], a[4] as i32, a[5]);
        if len == 0 || off % PAGE_SIZE != 0 {
            return Err(EINVAL);
        }
        let len = page_up(len);
        if flags & MAP_SHARED != 0 && flags & MAP_ANONYMOUS == 0 {
            // Shared file mappings would need write-back: not emulated.
            return Err(libc::ENODEV);
        }
        let fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0;
        let start = if fixed {
            if addr % PAGE_SIZE != 0 {
                return Err(EINVAL);
            }
            let end = addr.checked_add(len).ok_or(EINVAL)?;
            if addr < self.mmap_min || end > self.mmap_top {
                return Err(ENOMEM);
            }
            if flags & MAP_FIXED_NOREPLACE != 0 && self.overlaps(addr, end) {
                return Err(libc::EEXIST);
            }
            mem.zero(addr, len)?;
            addr
        } else {
            self.find_free(len).ok_or(ENOMEM)?
        };
        if flags & MAP_ANONYMOUS == 0 {
            // Private file mapping: copy the file's bytes in.
            let mut done = 0u64;
            let mut buf = vec![0u8; 1 << 20];
            while done < len {
                let want = (len - done).min(buf.len() as u64) as usize;
                let n = match host::pread(fd, &mut buf[..want], (off + done) as i64) {
                    Ok(n) => n,
                    Err(e) if done == 0 => return Err(e),
                    Err(_) => break,
                };
                if n == 0 {
                    break;
                }
                mem.write(start + done, &buf[..n as usize])?;
                done += n as u64;
            }
        }
        self.map_range(start, start + len);
        mem.write_protect(start, len, a[2] & PROT_WRITE == 0);
        Ok(start)
    }
}
