//! Waiting for host fds: poll, ppoll, pselect6, epoll.
//!
//! The host kernel does the waiting, in slices of at most 20 ms, so that a
//! guest signal (which the host never sees) can interrupt the wait with
//! -EINTR and a process exit can end it. The p-variants' signal masks are
//! applied by the caller ([`super::task`]), which knows the thread.
//! `struct pollfd` (8 bytes) is the same everywhere; riscv64's
//! `struct epoll_event` is {u32 events; u32 pad; u64 data} (16 bytes).

use std::time::{Duration, Instant};

use super::host;
use super::syscall::Mem;

type R = Result<u64, i32>;
/// True when a deliverable guest signal (or the end of the process) is pending.
pub type Interrupted<'a> = &'a dyn Fn() -> bool;

const SLICE: Duration = Duration::from_millis(20);
const MAX_FDS: u64 = 4096;

const POLLIN: i16 = 0x1;
const POLLPRI: i16 = 0x2;
const POLLOUT: i16 = 0x4;
const POLLERR: i16 = 0x8;
const POLLHUP: i16 = 0x10;
const POLLNVAL: i16 = 0x20;

/// A guest `struct timespec` as a deadline; None for a null pointer (forever).
fn deadline(mem: &Mem, addr: u64) -> Result<Option<Instant>, i32> {
    if addr == 0 {
        return Ok(None);
    }
    let (sec, nsec) = (mem.u64(addr)? as i64, mem.u64(addr + 8)? as i64);
    if sec < 0 || !(0..1_000_000_000).contains(&nsec) {
        return Err(libc::EINVAL);
    }
    Ok(Some(Instant::now() + Duration::new((sec as u64).min(1 << 40), nsec as u32)))
}

fn ms_deadline(ms: i32) -> Option<Instant> {
    (ms >= 0).then(|| Instant::now() + Duration::from_millis(ms as u64))
}

/// Runs `step(timeout_ms)` until it reports something, the deadline passes
/// or a signal interrupts.
fn wait<T>(
    deadline: Option<Instant>,
    intr: Interrupted,
    mut step: impl FnMut(i32) -> Result<Option<T>, i32>,
) -> Result<Option<T>, i32> {
    loop {
        let left = deadline.map_or(SLICE, |d| d.saturating_duration_since(Instant::now()).min(SLICE));
        // A host signal caught for the guest ends a host wait early: not an error.
        match step(left.as_millis() as i32) {
            Ok(Some(v)) => return Ok(Some(v)),
            Ok(None) | Err(libc::EINTR) => {}
            Err(e) => return Err(e),
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(None);
        }
        if intr() {
            return Err(libc::EINTR);
        }
    }
}

fn poll_fds(fds: &mut [libc::pollfd], deadline: Option<Instant>, intr: Interrupted) -> R {
    let r = wait(deadline, intr, |ms| {
        let n = host::poll(fds, ms)?;
        Ok((n > 0).then_some(n))
    })?;
    Ok(r.unwrap_or(0))
}

/// Writes the time left until `deadline` back to a guest timespec.
fn put_left(mem: &mut Mem, addr: u64, deadline: Option<Instant>) -> Result<(), i32> {
    if let (Some(d), true) = (deadline, addr != 0) {
        let left = d.saturating_duration_since(Instant::now());
        mem.put_u64(addr, left.as_secs())?;
        mem.put_u64(addr + 8, u64::from(left.subsec_nanos()))?;
    }
    Ok(())
}

/// poll(fds, nfds, timeout_ms) (`ppoll` false) or ppoll(fds, nfds, timespec*, ...).
pub fn poll(mem: &mut Mem, a: [u64; 6], ppoll: bool, intr: Interrupted) -> R {
    let (addr, n) = (a[0], a[1]);
    if n > MAX_FDS {
        return Err(libc::EINVAL);
    }
    let raw = mem.read(addr, 8 * n as usize)?;
    let mut fds: Vec<libc::pollfd> = raw
        .chunks(8)
        .map(|c| libc::pollfd {
            fd: i32::from_le_bytes([c[0], c[1], c[2], c[3]]),
            events: i16::from_le_bytes([c[4], c[5]]),
            revents: 0,
        })
        .collect();
    let dl = if ppoll { deadline(mem, a[2])? } else { ms_deadline(a[2] as i32) };
    let r = poll_fds(&mut fds, dl, intr);
    if ppoll {
        put_left(mem, a[2], dl)?;
    }
    let r = r?;
    for (i, f) in fds.iter().enumerate() {
        mem.write(addr + 8 * i as u64 + 6, &f.revents.to_le_bytes())?;
    }
    Ok(r)
}

/// pselect6(nfds, readfds, writefds, exceptfds, timespec*, sigmask-pair*), on poll.
pub fn pselect6(mem: &mut Mem, a: [u64; 6], intr: Interrupted) -> R {
    let nfds = a[0] as i64;
    if !(0..=1024).contains(&nfds) {
        return Err(libc::EINVAL);
    }
    let words = (nfds as usize).div_ceil(64);
    let mut sets = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
    for (k, set) in sets.iter_mut().enumerate() {
        if a[1 + k] != 0 {
            for (w, v) in set.iter_mut().enumerate() {
                *v = mem.u64(a[1 + k] + 8 * w as u64)?;
            }
        }
    }
    let is_set = |set: &[u64], fd: usize| set[fd / 64] >> (fd % 64) & 1 != 0;
    let mut fds = Vec::new();
    for fd in 0..nfds as usize {
        let mut events = 0;
        for (k, ev) in [POLLIN, POLLOUT, POLLPRI].into_iter().enumerate() {
            if is_set(&sets[k], fd) {
                events |= ev;
            }
        }
        if events != 0 {
            fds.push(libc::pollfd { fd: fd as i32, events, revents: 0 });
        }
    }
    let dl = deadline(mem, a[4])?;
    let r = poll_fds(&mut fds, dl, intr);
    put_left(mem, a[4], dl)?;
    r?;
    let mut out = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
    let mut count = 0;
    for f in &fds {
        if f.revents & POLLNVAL != 0 {
            return Err(libc::EBADF);
        }
        let fd = f.fd as usize;
        let ready = [POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, POLLPRI];
        for k in 0..3 {
            if is_set(&sets[k], fd) && f.revents & ready[k] != 0 {
                out[k][fd / 64] |= 1 << (fd % 64);
                count += 1;
            }
        }
    }
    for (k, set) in out.iter().enumerate() {
        if a[1 + k] != 0 {
            for (w, v) in set.iter().enumerate() {
                mem.put_u64(a[1 + k] + 8 * w as u64, *v)?;
            }
        }
    }
    Ok(count)
}

pub fn epoll_create1(flags: u64) -> R {
    host::epoll_create1(flags as i32)
}

/// epoll_ctl(epfd, op, fd, struct epoll_event*).
pub fn epoll_ctl(mem: &Mem, a: [u64; 6]) -> R {
    const EPOLL_CTL_DEL: u64 = 2;
    let (events, data) = if a[1] == EPOLL_CTL_DEL || a[3] == 0 {
        (0, 0)
    } else {
        (mem.read(a[3], 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))?, mem.u64(a[3] + 8)?)
    };
    host::epoll_ctl(a[0] as i32, a[1] as i32, a[2] as i32, events, data)
}

/// epoll_pwait(epfd, events*, max, timeout_ms, ...) or epoll_pwait2 (timespec*).
pub fn epoll_pwait(mem: &mut Mem, a: [u64; 6], pwait2: bool, intr: Interrupted) -> R {
    let max = a[2] as i32;
    if max <= 0 || max > 1 << 16 {
        return Err(libc::EINVAL);
    }
    // Fail on an unwritable buffer before consuming events.
    mem.write(a[1], &vec![0u8; 16 * max as usize])?;
    let dl = if pwait2 { deadline(mem, a[3])? } else { ms_deadline(a[3] as i32) };
    let evs = wait(dl, intr, |ms| {
        let evs = host::epoll_wait(a[0] as i32, max as usize, ms)?;
        Ok((!evs.is_empty()).then_some(evs))
    })?
    .unwrap_or_default();
    for (i, (events, data)) in evs.iter().enumerate() {
        let at = a[1] + 16 * i as u64;
        mem.put_u32(at, *events)?;
        mem.put_u32(at + 4, 0)?;
        mem.put_u64(at + 8, *data)?;
    }
    Ok(evs.len() as u64)
}

/// Waits until `fd` is readable (or the wait is interrupted), so that a
/// blocking read can be interrupted by a guest signal; non-blocking fds and
/// fds poll cannot watch return at once.
pub fn wait_readable(fd: i32, intr: Interrupted) -> Result<(), i32> {
    const O_NONBLOCK: u64 = 0o4000;
    match host::fcntl(fd, libc::F_GETFL, 0) {
        Ok(fl) if fl & O_NONBLOCK == 0 => {}
        _ => return Ok(()),
    }
    let mut fds = [libc::pollfd { fd, events: POLLIN, revents: 0 }];
    poll_fds(&mut fds, None, intr).map(|_| ())
}
