//! Terminal and fd ioctls, passed through to the host fd.
//!
//! The asm-generic request numbers and `struct termios` (4 × u32 flags,
//! c_line, c_cc[19]: 36 bytes, no speed fields) are also the x86-64 and
//! aarch64 host kernels' own, so the structs copy across byte for byte; only
//! the sizes are checked here. Anything else is -ENOTTY, reported once.

use super::host;
use super::syscall::{Mem, Process};

const TCGETS: u64 = 0x5401;
const TCSETS: u64 = 0x5402;
const TCSETSW: u64 = 0x5403;
const TCSETSF: u64 = 0x5404;
const TIOCSCTTY: u64 = 0x540e;
const TIOCGPGRP: u64 = 0x540f;
const TIOCSPGRP: u64 = 0x5410;
const TIOCGWINSZ: u64 = 0x5413;
const TIOCSWINSZ: u64 = 0x5414;
const FIONREAD: u64 = 0x541b;
const FIONBIO: u64 = 0x5421;
const FIONCLEX: u64 = 0x5450;
const FIOCLEX: u64 = 0x5451;
/// Pseudo-terminal master: unlockpt and ptsname.
const TIOCGPTN: u64 = 0x8004_5430;
const TIOCSPTLCK: u64 = 0x4004_5431;

const TERMIOS_SIZE: usize = 36;

/// Copies `len` guest bytes in, runs the ioctl on them, copies them back if `out`.
fn via_buf(mem: &mut Mem, fd: i32, req: u64, arg: u64, len: usize, inp: bool, out: bool) -> Result<u64, i32> {
    let mut buf = if inp { mem.read(arg, len)? } else { vec![0u8; len] };
    let r = host::ioctl_buf(fd, req, &mut buf)?;
    if out {
        mem.write(arg, &buf)?;
    }
    Ok(r)
}

pub fn ioctl(proc: &mut Process, mem: &mut Mem, fd: i32, req: u64, arg: u64) -> Result<u64, i32> {
    let req32 = req & 0xffff_ffff;
    match req32 {
        TCGETS => via_buf(mem, fd, req32, arg, TERMIOS_SIZE, false, true),
        TCSETS | TCSETSW | TCSETSF => via_buf(mem, fd, req32, arg, TERMIOS_SIZE, true, false),
        TIOCGWINSZ => via_buf(mem, fd, req32, arg, 8, false, true),
        TIOCSWINSZ => via_buf(mem, fd, req32, arg, 8, true, false),
        TIOCGPGRP | FIONREAD | TIOCGPTN => via_buf(mem, fd, req32, arg, 4, false, true),
        TIOCSPGRP | FIONBIO | TIOCSPTLCK => via_buf(mem, fd, req32, arg, 4, true, false),
        TIOCSCTTY | FIOCLEX | FIONCLEX => host::ioctl_int(fd, req32, arg),
        _ => {
            proc.report_once(
                0x1_0000_0000 | req32,
                &format!("unsupported ioctl {req32:#x} on fd {fd} (returning -ENOTTY)"),
            );
            Err(libc::ENOTTY)
        }
    }
}
