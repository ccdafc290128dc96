//! Sockets. Guest sockets are host sockets; socket addresses, option values
//! and control messages (`struct cmsghdr`) are laid out the same on every
//! 64-bit Linux, so they are copied through as bytes (a 32-bit ABI adds its
//! `msghdr` and `cmsghdr` layouts here). Calls that may block run without
//! the process lock and wait interruptibly first, as reads do.

use super::fdwait::{wait_readable, Interrupted};
use super::host;
use super::syscall::{gather, iovec, Mem, Sys, IO_MAX};

type R = Result<u64, i32>;

/// Room for any socket address (`struct sockaddr_storage`).
const ADDR_MAX: usize = 128;
/// Most control bytes one call moves (data: `IO_MAX`).
const CONTROL_MAX: u64 = 1 << 16;
const MSG_DONTWAIT: u64 = 0x40;

pub fn is_net(sys: Sys) -> bool {
    use Sys::*;
    matches!(
        sys,
        Socketpair
            | Bind
            | Accept
            | Accept4
            | Connect
            | Getsockname
            | Getpeername
            | Sendto
            | Recvfrom
            | Setsockopt
            | Getsockopt
            | Sendmsg
            | Recvmsg
    )
}

pub fn call(mem: &mut Mem, sys: Sys, a: [u64; 6], intr: Interrupted) -> R {
    use Sys::*;
    let fd = a[0] as i32;
    match sys {
        Socketpair => {
            let sv = host::socketpair(a[0] as i32, a[1] as i32, a[2] as i32)?;
            let put = mem.put_u32(a[3], sv[0] as u32).and_then(|()| mem.put_u32(a[3] + 4, sv[1] as u32));
            if let Err(e) = put {
                let _ = (host::close(sv[0]), host::close(sv[1]));
                return Err(e);
            }
            Ok(0)
        }
        Bind | Connect => {
            if a[2] as usize > ADDR_MAX {
                return Err(libc::EINVAL);
            }
            let addr = mem.read(a[1], a[2] as usize)?;
            host::bind_or_connect(fd, &addr, sys == Connect)
        }
        Accept | Accept4 => {
            wait_readable(fd, intr)?;
            let flags = if sys == Accept4 { a[3] as i32 } else { 0 };
            let mut addr = [0u8; ADDR_MAX];
            let (new, len) = host::accept4(fd, &mut addr, flags)?;
            if a[1] != 0 {
                if let Err(e) = put_addr(mem, a[1], a[2], &addr, len) {
                    let _ = host::close(new as i32);
                    return Err(e);
                }
            }
            Ok(new)
        }
        Getsockname | Getpeername => {
            let mut addr = [0u8; ADDR_MAX];
            let len = host::sockname(fd, &mut addr, sys == Getpeername)?;
            put_addr(mem, a[1], a[2], &addr, len)?;
            Ok(0)
        }
        Setsockopt => {
            let val = mem.read(a[3], a[4].min(4096) as usize)?;
            host::setsockopt(fd, a[1] as i32, a[2] as i32, &val)
        }
        Getsockopt => {
            let room = mem.u32(a[4])?;
            let mut val = vec![0u8; room.min(4096) as usize];
            let len = host::getsockopt(fd, a[1] as i32, a[2] as i32, &mut val)?;
            mem.write(a[3], &val[..(len as usize).min(val.len())])?;
            mem.put_u32(a[4], len)?;
            Ok(0)
        }
        Sendto => {
            let data = mem.read(a[1], a[2].min(IO_MAX) as usize)?;
            let name = if a[4] != 0 { mem.read(a[4], (a[5] as usize).min(ADDR_MAX))? } else { Vec::new() };
            host::sendmsg(fd, &name, &data, &[], a[3] as i32)
        }
        Recvfrom => {
            if a[3] & MSG_DONTWAIT == 0 {
                wait_readable(fd, intr)?;
            }
            let mut data = vec![0u8; a[2].min(IO_MAX) as usize];
            let mut addr = if a[4] != 0 { vec![0u8; ADDR_MAX] } else { Vec::new() };
            let got = host::recvmsg(fd, &mut addr, &mut data, &mut [], a[3] as i32)?;
            mem.write(a[1], &data[..(got.len as usize).min(data.len())])?;
            if a[4] != 0 {
                put_addr(mem, a[4], a[5], &addr, got.namelen)?;
            }
            Ok(got.len)
        }
        Sendmsg => {
            let m = MsgHdr::read(mem, a[1])?;
            let data = gather(mem, &m.iov)?;
            let name = if m.name != 0 { mem.read(m.name, (m.namelen as usize).min(ADDR_MAX))? } else { Vec::new() };
            let control = if m.control != 0 { mem.read(m.control, m.controllen as usize)? } else { Vec::new() };
            host::sendmsg(fd, &name, &data, &control, a[2] as i32)
        }
        Recvmsg => {
            let m = MsgHdr::read(mem, a[1])?;
            if a[2] & MSG_DONTWAIT == 0 {
                wait_readable(fd, intr)?;
            }
            let mut data = vec![0u8; m.iov.iter().map(|(_, l)| l).sum::<u64>().min(IO_MAX) as usize];
            let mut name = if m.name != 0 { vec![0u8; ADDR_MAX] } else { Vec::new() };
            let mut control = vec![0u8; if m.control != 0 { m.controllen as usize } else { 0 }];
            let got = host::recvmsg(fd, &mut name, &mut data, &mut control, a[2] as i32)?;
            let mut left = &data[..(got.len as usize).min(data.len())];
            for (base, len) in &m.iov {
                let n = (*len as usize).min(left.len());
                mem.write(*base, &left[..n])?;
                left = &left[n..];
            }
            if m.name != 0 {
                let n = (got.namelen as usize).min(m.namelen as usize).min(ADDR_MAX);
                mem.write(m.name, &name[..n])?;
            }
            mem.put_u32(a[1] + 8, got.namelen)?;
            mem.write(m.control, &control[..got.controllen.min(control.len())])?;
            mem.put_u64(a[1] + 40, got.controllen as u64)?;
            mem.put_u32(a[1] + 48, got.flags as u32)?;
            Ok(got.len)
        }
        _ => Err(libc::ENOSYS),
    }
}

/// Writes a socket address back: at most the guest's room (`*len_addr`),
/// then the address's real length, as the kernel does.
fn put_addr(mem: &mut Mem, addr: u64, len_addr: u64, buf: &[u8], len: u32) -> Result<(), i32> {
    if addr == 0 {
        return Ok(());
    }
    let room = mem.u32(len_addr)?;
    let n = (len as usize).min(room as usize).min(buf.len());
    mem.write(addr, &buf[..n])?;
    mem.put_u32(len_addr, len)
}

/// A guest `struct msghdr` (64-bit layout: name, namelen, iov, iovlen,
/// control, controllen, flags at 0, 8, 16, 24, 32, 40, 48).
struct MsgHdr {
    name: u64,
    namelen: u32,
    iov: Vec<(u64, u64)>,
    control: u64,
    controllen: u64,
}

impl MsgHdr {
    fn read(mem: &Mem, at: u64) -> Result<MsgHdr, i32> {
        let iovlen = mem.u64(at + 24)?;
        if iovlen > 1024 {
            return Err(libc::EMSGSIZE);
        }
        let iov = iovec(mem, mem.u64(at + 16)?, iovlen)?;
        let controllen = mem.u64(at + 40)?;
        if controllen > CONTROL_MAX {
            return Err(libc::ENOBUFS);
        }
        Ok(MsgHdr { name: mem.u64(at)?, namelen: mem.u32(at + 8)?, iov, control: mem.u64(at + 32)?, controllen })
    }
}
