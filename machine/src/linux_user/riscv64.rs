//! riscv64 Linux ABI: system call numbers (asm-generic), struct layouts and
//! the register convention (a7 = number, a0..a5 = arguments, a0 = result).

use super::syscall::{Abi, IntCall, Stat, Sys};

/// asm-generic system call numbers used by riscv64.
fn sysno(nr: u64) -> Option<Sys> {
    use Sys::*;
    Some(match nr {
        17 => Getcwd,
        23 => Dup,
        24 => Dup3,
        25 => Fcntl,
        29 => Ioctl,
        34 => Mkdirat,
        35 => Unlinkat,
        38 => Renameat,
        46 => Ftruncate,
        48 => Faccessat,
        49 => Chdir,
        56 => Openat,
        57 => Close,
        59 => Pipe2,
        61 => Getdents64,
        62 => Lseek,
        63 => Read,
        64 => Write,
        65 => Readv,
        66 => Writev,
        67 => Pread64,
        68 => Pwrite64,
        78 => Readlinkat,
        79 => Newfstatat,
        80 => Fstat,
        82 => Fsync,
        93 => Exit,
        94 => ExitGroup,
        96 => SetTidAddress,
        98 => Futex,
        99 => SetRobustList,
        101 => Nanosleep,
        113 => ClockGettime,
        114 => ClockGetres,
        115 => ClockNanosleep,
        123 => SchedGetaffinity,
        124 => SchedYield,
        129 => Kill,
        130 => Tkill,
        131 => Tgkill,
        134 => RtSigaction,
        135 => RtSigprocmask,
        153 => Times,
        160 => Uname,
        163 => Getrlimit,
        164 => Setrlimit,
        166 => Umask,
        169 => Gettimeofday,
        172 => Getpid,
        173 => Getppid,
        174 => Getuid,
        175 => Geteuid,
        176 => Getgid,
        177 => Getegid,
        178 => Gettid,
        179 => Sysinfo,
        214 => Brk,
        215 => Munmap,
        216 => Mremap,
        222 => Mmap,
        226 => Mprotect,
        233 => Madvise,
        261 => Prlimit64,
        276 => Renameat2,
        278 => Getrandom,
        291 => Statx,
        293 => Rseq,
        439 => Faccessat2,
        19 => Int(IntCall::Eventfd2),
        32 => Int(IntCall::Flock),
        33 => Mknodat,
        36 => Symlinkat,
        37 => Linkat,
        43 => Statfs,
        44 => Fstatfs,
        45 => Truncate,
        47 => Int(IntCall::Fallocate),
        50 => Int(IntCall::Fchdir),
        52 => Int(IntCall::Fchmod),
        53 => Fchmodat,
        54 => Fchownat,
        55 => Int(IntCall::Fchown),
        71 => Sendfile,
        81 => Int(IntCall::Sync),
        83 => Int(IntCall::Fdatasync),
        84 => Int(IntCall::SyncFileRange),
        88 => Utimensat,
        120 => Int(IntCall::SchedGetscheduler),
        121 => SchedGetparam,
        122 => SchedSetaffinity,
        125 => Int(IntCall::SchedGetPriorityMax),
        126 => Int(IntCall::SchedGetPriorityMin),
        140 => Int(IntCall::Setpriority),
        141 => Int(IntCall::Getpriority),
        143 => Int(IntCall::Setregid),
        144 => Int(IntCall::Setgid),
        145 => Int(IntCall::Setreuid),
        146 => Int(IntCall::Setuid),
        147 => Int(IntCall::Setresuid),
        148 => Getresuid,
        149 => Int(IntCall::Setresgid),
        150 => Getresgid,
        151 => Int(IntCall::Setfsuid),
        152 => Int(IntCall::Setfsgid),
        154 => Int(IntCall::Setpgid),
        155 => Int(IntCall::Getpgid),
        156 => Int(IntCall::Getsid),
        157 => Int(IntCall::Setsid),
        158 => Getgroups,
        159 => Setgroups,
        165 => Getrusage,
        167 => Prctl,
        168 => Getcpu,
        198 => Socket,
        199 => Socketpair,
        200 => Bind,
        201 => Listen,
        202 => Accept,
        203 => Connect,
        204 => Getsockname,
        205 => Getpeername,
        206 => Sendto,
        207 => Recvfrom,
        208 => Setsockopt,
        209 => Getsockopt,
        210 => Shutdown,
        211 => Sendmsg,
        212 => Recvmsg,
        242 => Accept4,
        279 => MemfdCreate,
        285 => CopyFileRange,
        26 => Int(IntCall::InotifyInit1),
        27 => InotifyAddWatch,
        28 => Int(IntCall::InotifyRmWatch),
        69 => Preadv,
        70 => Pwritev,
        76 => Splice,
        77 => Int(IntCall::Tee),
        85 => Int(IntCall::TimerfdCreate),
        86 => TimerfdSettime,
        87 => TimerfdGettime,
        92 => Int(IntCall::Personality),
        213 => Int(IntCall::Readahead),
        223 => Int(IntCall::Fadvise64),
        227 => Msync,
        267 => Int(IntCall::Syncfs),
        436 => Int(IntCall::CloseRange),
        _ => return None,
    })
}

/// `struct stat` of asm-generic 64-bit (128 bytes).
fn encode_stat(s: &Stat) -> Vec<u8> {
    let mut b = Vec::with_capacity(128);
    b.extend_from_slice(&s.dev.to_le_bytes());
    b.extend_from_slice(&s.ino.to_le_bytes());
    b.extend_from_slice(&s.mode.to_le_bytes());
    b.extend_from_slice(&s.nlink.to_le_bytes());
    b.extend_from_slice(&s.uid.to_le_bytes());
    b.extend_from_slice(&s.gid.to_le_bytes());
    b.extend_from_slice(&s.rdev.to_le_bytes());
    b.extend_from_slice(&0u64.to_le_bytes()); // __pad1
    b.extend_from_slice(&s.size.to_le_bytes());
    b.extend_from_slice(&s.blksize.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes()); // __pad2
    b.extend_from_slice(&s.blocks.to_le_bytes());
    for (sec, nsec) in [s.atime, s.mtime, s.ctime] {
        b.extend_from_slice(&sec.to_le_bytes());
        b.extend_from_slice(&(nsec as u64).to_le_bytes());
    }
    b.extend_from_slice(&[0u8; 8]); // __unused4, __unused5
    debug_assert_eq!(b.len(), 128);
    b
}

pub static ABI: Abi = Abi {
    name: "riscv64",
    uname_machine: "riscv64",
    sysno,
    encode_stat,
    // Generic errno numbers: the same as the host's (x86-64, aarch64).
    errno: |e| e,
};
