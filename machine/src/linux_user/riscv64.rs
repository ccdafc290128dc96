//! riscv64 Linux ABI: system call numbers (asm-generic), struct layouts and
//! the register convention (a7 = number, a0..a5 = arguments, a0 = result).

use super::syscall::{Abi, Stat, Sys};

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
