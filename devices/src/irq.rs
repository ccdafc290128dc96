//! Interrupt plumbing between devices and harts.
//!
//! A hart's interrupt inputs are a bitmask ([`HartLines::bits`]) that the CPU
//! model ORs into its pending-interrupt register, plus a [`Wake`] so a hart
//! sleeping (WFI) on its own host thread wakes up when a line rises. An
//! [`IrqLine`] is one bit of one hart's mask: interrupt controllers (CLINT,
//! PLIC) drive those. Ordinary devices (UART, RTC, virtio) do not talk to harts
//! directly: they raise their wired interrupt number on an [`IrqSink`], which is
//! the interrupt controller (the PLIC on RISC-V boards).
//!
//! Lock order: a device may call [`IrqSink::set_irq`] while holding its own
//! locks; an interrupt controller never calls back into a device, and
//! [`IrqLine::set`] only takes the leaf lock inside [`Wake`]. So no cycle exists.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

/// Bit positions in [`HartLines::bits`] as RISC-V boards use them (the `mip`
/// layout): machine software, machine timer, supervisor external and machine
/// external interrupt.
pub const MSIP: u32 = 3;
pub const MTIP: u32 = 7;
pub const SEIP: u32 = 9;
pub const MEIP: u32 = 11;

/// A wake-up signal for a thread that sleeps until something happens.
///
/// [`Wake::notify`] sets a pending flag; [`Wake::wait_timeout`] returns at once
/// (consuming the flag) if it is set, so a notification that arrives between
/// the sleeper's last check of its interrupt lines and its call to
/// `wait_timeout` is never lost. A stale flag only causes one early return.
#[derive(Default)]
pub struct Wake {
    pending: Mutex<bool>,
    cv: Condvar,
}

impl Wake {
    pub fn new() -> Wake {
        Wake::default()
    }

    /// Wakes the sleeper (or makes its next wait return at once).
    pub fn notify(&self) {
        let mut p = self.pending.lock();
        *p = true;
        self.cv.notify_all();
    }

    /// Sleeps until notified or until `timeout` has passed. Returns true if
    /// woken by a notification (which it consumes).
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.wait_until(deadline),
            None => self.wait(),
        }
    }

    /// Sleeps until notified or until `deadline`. Returns true if notified.
    pub fn wait_until(&self, deadline: Instant) -> bool {
        let mut p = self.pending.lock();
        while !*p {
            if self.cv.wait_until(&mut p, deadline).timed_out() {
                break;
            }
        }
        std::mem::take(&mut *p)
    }

    /// Sleeps until notified. Always returns true.
    pub fn wait(&self) -> bool {
        let mut p = self.pending.lock();
        while !*p {
            self.cv.wait(&mut p);
        }
        *p = false;
        true
    }

    /// Drops a pending notification without sleeping.
    pub fn clear(&self) {
        *self.pending.lock() = false;
    }
}

/// One hart's interrupt inputs.
#[derive(Clone, Default)]
pub struct HartLines {
    /// The level of each input line, one bit each (see [`MSIP`] and friends).
    pub bits: Arc<AtomicU64>,
    /// Notified whenever a line rises.
    pub wake: Arc<Wake>,
}

impl HartLines {
    pub fn new() -> HartLines {
        HartLines::default()
    }

    /// The line driving bit `bit` (0..64) of this hart's mask.
    pub fn line(&self, bit: u32) -> IrqLine {
        IrqLine::new(self.clone(), bit)
    }

    /// The current levels of all lines.
    pub fn pending(&self) -> u64 {
        self.bits.load(Ordering::Acquire)
    }
}

/// One interrupt output wired to one bit of one hart's [`HartLines`].
#[derive(Clone)]
pub struct IrqLine {
    lines: HartLines,
    bit: u32,
}

impl IrqLine {
    /// `bit` is taken modulo 64.
    pub fn new(lines: HartLines, bit: u32) -> IrqLine {
        IrqLine { lines, bit: bit % 64 }
    }

    /// A line connected to nothing (for tests and unwired outputs).
    pub fn disconnected() -> IrqLine {
        IrqLine::new(HartLines::new(), 0)
    }

    fn mask(&self) -> u64 {
        1u64 << self.bit
    }

    /// Drives the line; a rising edge wakes the hart.
    pub fn set(&self, level: bool) {
        let mask = self.mask();
        if level {
            let old = self.lines.bits.fetch_or(mask, Ordering::AcqRel);
            if old & mask == 0 {
                self.lines.wake.notify();
            }
        } else {
            self.lines.bits.fetch_and(!mask, Ordering::AcqRel);
        }
    }

    pub fn level(&self) -> bool {
        self.lines.bits.load(Ordering::Acquire) & self.mask() != 0
    }

    pub fn bit(&self) -> u32 {
        self.bit
    }
}

/// Where a device raises its wired interrupt number: the interrupt controller.
/// Lines are level-triggered: `level` is the device's current output.
pub trait IrqSink: Send + Sync {
    fn set_irq(&self, irq: u32, level: bool);
}

/// A sink that drops every interrupt (for devices used without one, e.g. a
/// UART that firmware only polls).
pub struct NoIrq;

impl IrqSink for NoIrq {
    fn set_irq(&self, _irq: u32, _level: bool) {}
}

/// A device's interrupt output: a sink and the number it is wired to. Only
/// calls the sink when the level changes.
pub struct IrqPin {
    sink: Arc<dyn IrqSink>,
    irq: u32,
    level: bool,
}

impl IrqPin {
    pub fn new(sink: Arc<dyn IrqSink>, irq: u32) -> IrqPin {
        IrqPin { sink, irq, level: false }
    }

    pub fn unconnected() -> IrqPin {
        IrqPin::new(Arc::new(NoIrq), 0)
    }

    pub fn set(&mut self, level: bool) {
        if level != self.level {
            self.level = level;
            self.sink.set_irq(self.irq, level);
        }
    }

    pub fn level(&self) -> bool {
        self.level
    }

    pub fn irq(&self) -> u32 {
        self.irq
    }
}

/// An [`IrqSink`] that records the level of each interrupt number (for tests
/// of device models).
pub struct IrqLevels {
    levels: Vec<AtomicBool>,
    /// Number of `set_irq` calls seen.
    pub calls: AtomicU64,
}

impl IrqLevels {
    /// Records numbers `0..count`; others are ignored.
    pub fn new(count: usize) -> IrqLevels {
        IrqLevels { levels: (0..count).map(|_| AtomicBool::new(false)).collect(), calls: AtomicU64::new(0) }
    }

    pub fn level(&self, irq: u32) -> bool {
        self.levels.get(irq as usize).is_some_and(|l| l.load(Ordering::SeqCst))
    }
}

impl IrqSink for IrqLevels {
    fn set_irq(&self, irq: u32, level: bool) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(l) = self.levels.get(irq as usize) {
            l.store(level, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    #[test]
    fn line_sets_and_clears_its_bit() {
        let h = HartLines::new();
        let a = h.line(MTIP);
        let b = h.line(SEIP);
        a.set(true);
        b.set(true);
        assert_eq!(h.pending(), (1 << MTIP) | (1 << SEIP));
        a.set(false);
        assert_eq!(h.pending(), 1 << SEIP);
        assert!(b.level() && !a.level());
    }

    #[test]
    fn rising_edge_notifies_only_once() {
        let h = HartLines::new();
        let l = h.line(MSIP);
        l.set(true);
        assert!(h.wake.wait_timeout(Duration::ZERO), "rising edge leaves a pending wake-up");
        l.set(true); // already high: no new edge
        assert!(!h.wake.wait_timeout(Duration::from_millis(1)));
        l.set(false);
        assert!(!h.wake.wait_timeout(Duration::from_millis(1)));
    }

    #[test]
    fn wake_from_another_thread() {
        let h = HartLines::new();
        let l = h.line(MEIP);
        let t = thread::spawn(move || {
            thread::sleep(Duration::from_millis(5));
            l.set(true);
        });
        // Generous timeout: the machine may be loaded; we only need to be woken.
        let mut woke = false;
        for _ in 0..100 {
            if h.wake.wait_timeout(Duration::from_millis(100)) {
                woke = true;
                break;
            }
        }
        t.join().unwrap();
        assert!(woke);
        assert_ne!(h.pending() & (1 << MEIP), 0);
    }

    #[test]
    fn pin_calls_sink_on_change_only() {
        let sink = Arc::new(IrqLevels::new(16));
        let mut p = IrqPin::new(sink.clone(), 10);
        p.set(true);
        p.set(true);
        assert!(sink.level(10));
        p.set(false);
        assert!(!sink.level(10));
        assert_eq!(sink.calls.load(Ordering::SeqCst), 2);
    }
}
