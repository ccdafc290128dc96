//! The libslirp backend of `--netdev user` (cargo feature `slirp`: needs the
//! system libslirp, glib and pkg-config at build time).

use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixDatagram;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use libslirp::{Context, Handler, PollEvents};

use super::*;
use crate::virtio::net::{NetBackend, NetRx, MAX_FRAME};

/// Longest wait in the poll loop (to notice the backend was dropped).
const MAX_WAIT_MS: u32 = 100;

/// libslirp behind a virtio-net device.
pub struct SlirpBackend {
    opts: SlirpOptions,
    tx: Option<UnixDatagram>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SlirpBackend {
    pub fn new(opts: SlirpOptions) -> SlirpBackend {
        SlirpBackend { opts, tx: None, stop: Arc::new(AtomicBool::new(false)), thread: None }
    }
}

impl Drop for SlirpBackend {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wait until slirp has closed its sockets (forwarded ports are free
        // again for a rebooted machine), unless this is the slirp thread.
        if let Some(t) = self.thread.take() {
            if t.thread().id() != std::thread::current().id() {
                let _ = t.join();
            }
        }
    }
}

impl NetBackend for SlirpBackend {
    fn start(&mut self, rx: NetRx) -> io::Result<()> {
        let (tx, frames) = UnixDatagram::pair()?;
        tx.set_nonblocking(true)?;
        frames.set_nonblocking(true)?;
        let (done, ready) = std::sync::mpsc::channel();
        let opts = self.opts.clone();
        let stop = self.stop.clone();
        let thread = std::thread::Builder::new().name("slirp".into()).spawn(move || {
            let ctx = match SlirpLoop::new(&opts, rx) {
                Ok(l) => {
                    let _ = done.send(Ok(()));
                    l
                }
                Err(e) => {
                    let _ = done.send(Err(e));
                    return;
                }
            };
            ctx.run(&frames, &stop);
        })?;
        ready.recv().map_err(|_| io::Error::other("the slirp thread died"))??;
        self.tx = Some(tx);
        self.thread = Some(thread);
        Ok(())
    }

    fn send(&mut self, frame: &[u8]) {
        if let Some(tx) = &self.tx {
            // A full socket drops the frame, as a busy link would.
            let _ = tx.send(frame);
        }
    }
}

type TimerFn = Box<dyn FnMut()>;

/// slirp's timers: callback (absent while it runs) and expiry in ms.
#[derive(Default)]
struct Timers {
    next: usize,
    map: HashMap<usize, (Option<TimerFn>, Option<i64>)>,
}

struct SlirpHandler {
    start: Instant,
    rx: NetRx,
    timers: Rc<RefCell<Timers>>,
}

fn now_ns(start: Instant) -> i64 {
    i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX)
}

impl Handler for SlirpHandler {
    type Timer = usize;

    fn clock_get_ns(&mut self) -> i64 {
        now_ns(self.start)
    }

    fn send_packet(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.rx.push(buf);
        Ok(buf.len())
    }

    fn register_poll_fd(&mut self, _fd: i32) {}

    fn unregister_poll_fd(&mut self, _fd: i32) {}

    fn guest_error(&mut self, msg: &str) {
        eprintln!("xlate: slirp: guest error: {msg}");
    }

    fn notify(&mut self) {}

    fn timer_new(&mut self, func: Box<dyn FnMut()>) -> Box<usize> {
        let mut t = self.timers.borrow_mut();
        let id = t.next;
        t.next += 1;
        t.map.insert(id, (Some(func), None));
        Box::new(id)
    }

    fn timer_mod(&mut self, timer: &mut Box<usize>, expire_time: i64) {
        if let Some(e) = self.timers.borrow_mut().map.get_mut(&**timer) {
            e.1 = Some(expire_time);
        }
    }

    fn timer_free(&mut self, timer: Box<usize>) {
        self.timers.borrow_mut().map.remove(&*timer);
    }
}

struct SlirpLoop {
    ctx: Context<SlirpHandler>,
    timers: Rc<RefCell<Timers>>,
    start: Instant,
}

impl SlirpLoop {
    fn new(opts: &SlirpOptions, rx: NetRx) -> io::Result<SlirpLoop> {
        let start = Instant::now();
        let timers = Rc::new(RefCell::new(Timers::default()));
        let handler = SlirpHandler { start, rx, timers: timers.clone() };
        let cfg = libslirp_sys::SlirpConfig {
            // Version 4 would make libslirp use callbacks (`timer_new_opaque`)
            // that the bindings' `SlirpCb` lacks.
            version: 3,
            restricted: 0,
            in_enabled: true,
            vnetwork: NETWORK.into(),
            vnetmask: NETMASK.into(),
            vhost: HOST.into(),
            in6_enabled: false,
            vprefix_addr6: std::net::Ipv6Addr::UNSPECIFIED.into(),
            vprefix_len: 0,
            vhost6: std::net::Ipv6Addr::UNSPECIFIED.into(),
            vhostname: std::ptr::null(),
            tftp_server_name: std::ptr::null(),
            tftp_path: std::ptr::null(),
            bootfile: std::ptr::null(),
            vdhcp_start: DHCP_START.into(),
            vnameserver: DNS.into(),
            vnameserver6: std::net::Ipv6Addr::UNSPECIFIED.into(),
            vdnssearch: std::ptr::null_mut(),
            vdomainname: std::ptr::null(),
            if_mtu: 1500,
            if_mru: 1500,
            disable_host_loopback: false,
            enable_emu: false,
            outbound_addr: std::ptr::null(),
            outbound_addr6: std::ptr::null(),
            disable_dns: false,
            disable_dhcp: false,
        };
        let ctx = Context::new_with_config(&cfg, handler);
        for f in &opts.hostfwd {
            // SAFETY: `ctx.inner.context` is the live slirp instance owned by
            // `ctx`; the call takes its arguments by value.
            let r = unsafe {
                libslirp_sys::slirp_add_hostfwd(
                    ctx.inner.context,
                    i32::from(f.udp),
                    HOSTFWD_ADDR.into(),
                    i32::from(f.host_port),
                    f.guest_addr.into(),
                    i32::from(f.guest_port),
                )
            };
            if r < 0 {
                return Err(io::Error::other(format!(
                    "hostfwd: cannot forward {}:{} (port in use?)",
                    HOSTFWD_ADDR, f.host_port
                )));
            }
        }
        Ok(SlirpLoop { ctx, timers, start })
    }

    fn run(self, frames: &UnixDatagram, stop: &AtomicBool) {
        let mut fds: Vec<libc::pollfd> = Vec::new();
        let mut buf = vec![0u8; MAX_FRAME];
        while !stop.load(Ordering::Relaxed) {
            let mut timeout = self.next_timer_ms().map_or(MAX_WAIT_MS, |ms| ms.min(MAX_WAIT_MS));
            fds.clear();
            fds.push(libc::pollfd { fd: frames.as_raw_fd(), events: libc::POLLIN, revents: 0 });
            self.ctx.pollfds_fill(&mut timeout, |fd, ev| {
                fds.push(libc::pollfd { fd, events: to_poll(ev), revents: 0 });
                (fds.len() - 1) as i32
            });
            // SAFETY: `fds` is a live, initialised array of `fds.len()` pollfds.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout as i32) };
            if fds[0].revents & libc::POLLIN != 0 {
                while let Ok(len) = frames.recv(&mut buf) {
                    self.ctx.input(&buf[..len]);
                }
            }
            self.ctx
                .pollfds_poll(n < 0, |idx| fds.get(idx as usize).map_or(PollEvents::empty(), |p| from_poll(p.revents)));
            self.run_timers();
        }
    }

    /// Milliseconds until the next timer is due.
    fn next_timer_ms(&self) -> Option<u32> {
        let now = now_ns(self.start) / 1_000_000;
        let t = self.timers.borrow();
        t.map.values().filter_map(|e| e.1).min().map(|e| u32::try_from((e - now).max(0)).unwrap_or(u32::MAX))
    }

    fn run_timers(&self) {
        let now = now_ns(self.start) / 1_000_000;
        let due: Vec<usize> =
            self.timers.borrow().map.iter().filter(|(_, e)| e.1.is_some_and(|t| t <= now)).map(|(&id, _)| id).collect();
        for id in due {
            let f = match self.timers.borrow_mut().map.get_mut(&id) {
                Some(e) => {
                    e.1 = None;
                    e.0.take()
                }
                None => None,
            };
            if let Some(mut f) = f {
                f(); // may re-arm or free this timer
                if let Some(e) = self.timers.borrow_mut().map.get_mut(&id) {
                    e.0 = Some(f);
                }
            }
        }
    }
}

fn to_poll(ev: PollEvents) -> libc::c_short {
    let mut p = 0;
    if ev.has_in() {
        p |= libc::POLLIN;
    }
    if ev.has_out() {
        p |= libc::POLLOUT;
    }
    if ev.has_pri() {
        p |= libc::POLLPRI;
    }
    p
}

fn from_poll(p: libc::c_short) -> PollEvents {
    let mut ev = PollEvents::empty();
    if p & libc::POLLIN != 0 {
        ev |= PollEvents::poll_in();
    }
    if p & libc::POLLOUT != 0 {
        ev |= PollEvents::poll_out();
    }
    if p & libc::POLLPRI != 0 {
        ev |= PollEvents::poll_pri();
    }
    if p & libc::POLLERR != 0 {
        ev |= PollEvents::poll_err();
    }
    if p & libc::POLLHUP != 0 {
        ev |= PollEvents::poll_hup();
    }
    ev
}
