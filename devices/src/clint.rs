//! SiFive CLINT (core-local interruptor) as on QEMU's virt board (base
//! 0x2000000, size 0x10000):
//!
//! | offset | register |
//! |---|---|
//! | `0x0000 + 4·h` | `msip[h]` (bit 0 drives hart h's software interrupt) |
//! | `0x4000 + 8·h` | `mtimecmp[h]` (64 bits) |
//! | `0xbff8` | `mtime` (64 bits) |
//!
//! 64-bit registers accept 32-bit (and smaller) accesses to their parts.
//! The timer interrupt is a level: `mtime >= mtimecmp[h]`. Time flows without
//! MMIO accesses, so the board calls [`Clint::update`] periodically and can
//! sleep until [`Clint::next_deadline`].
//!
//! [`Clint`] is a cheap handle (clone it): the same state serves the bus (it
//! implements [`MmioDevice`]), the board and the CPU's `time` CSR without
//! going through the bus's lock.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::irq::{HartLines, IrqLine, MSIP, MTIP};
use crate::MmioDevice;

/// The timebase of QEMU's virt board (and the DT's `timebase-frequency`).
pub const TIMEBASE_HZ: u64 = 10_000_000;

pub const MSIP_BASE: u64 = 0x0;
pub const MTIMECMP_BASE: u64 = 0x4000;
pub const MTIME: u64 = 0xbff8;
pub const CLINT_SIZE: u64 = 0x10000;

/// The machine's timer, counting at [`TimeSource::frequency`].
pub trait TimeSource: Send + Sync {
    fn mtime(&self) -> u64;
    /// A guest write to `mtime`. The default ignores it.
    fn set_mtime(&self, _value: u64) {}
    /// Ticks per second.
    fn frequency(&self) -> u64 {
        TIMEBASE_HZ
    }
}

/// Host wall-clock time since creation, at [`TIMEBASE_HZ`], plus an offset that
/// guest writes to `mtime` adjust.
pub struct HostClock {
    start: Instant,
    offset: AtomicU64,
}

impl Default for HostClock {
    fn default() -> Self {
        HostClock::new()
    }
}

impl HostClock {
    pub fn new() -> HostClock {
        HostClock { start: Instant::now(), offset: AtomicU64::new(0) }
    }

    fn ticks(&self) -> u64 {
        let ns = self.start.elapsed().as_nanos();
        (ns / (1_000_000_000 / u128::from(TIMEBASE_HZ))) as u64
    }
}

impl TimeSource for HostClock {
    fn mtime(&self) -> u64 {
        self.ticks().wrapping_add(self.offset.load(Ordering::Acquire))
    }
    fn set_mtime(&self, value: u64) {
        self.offset.store(value.wrapping_sub(self.ticks()), Ordering::Release);
    }
}

/// A clock that only moves when told to (tests, deterministic runs).
#[derive(Default)]
pub struct ManualClock(pub AtomicU64);

impl ManualClock {
    pub fn new(start: u64) -> ManualClock {
        ManualClock(AtomicU64::new(start))
    }
    pub fn set(&self, v: u64) {
        self.0.store(v, Ordering::SeqCst)
    }
    pub fn advance(&self, ticks: u64) {
        self.0.fetch_add(ticks, Ordering::SeqCst);
    }
}

impl TimeSource for ManualClock {
    fn mtime(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
    fn set_mtime(&self, value: u64) {
        self.set(value)
    }
}

struct ClintHart {
    msip: AtomicBool,
    /// Held while comparing and driving MTIP, so a concurrent `update` and a
    /// `mtimecmp` write cannot leave a stale level on the line.
    mtimecmp: Mutex<u64>,
    msip_line: IrqLine,
    mtip_line: IrqLine,
}

pub struct ClintState {
    time: Arc<dyn TimeSource>,
    harts: Vec<ClintHart>,
}

/// A handle on the CLINT's shared state.
#[derive(Clone)]
pub struct Clint(Arc<ClintState>);

impl Clint {
    /// One `(msip, mtip)` line pair per hart.
    pub fn new(time: Arc<dyn TimeSource>, lines: Vec<(IrqLine, IrqLine)>) -> Clint {
        // 0x4000 / 4 msip words at most; keep mtimecmp below mtime.
        let harts = lines
            .into_iter()
            .take(((MTIME - MTIMECMP_BASE) / 8) as usize)
            .map(|(msip_line, mtip_line)| ClintHart {
                msip: AtomicBool::new(false),
                mtimecmp: Mutex::new(u64::MAX),
                msip_line,
                mtip_line,
            })
            .collect();
        Clint(Arc::new(ClintState { time, harts }))
    }

    /// Wires hart h's MSIP and MTIP to bits [`MSIP`] and [`MTIP`] of `harts[h]`.
    pub fn for_harts(time: Arc<dyn TimeSource>, harts: &[HartLines]) -> Clint {
        Clint::new(time, harts.iter().map(|h| (h.line(MSIP), h.line(MTIP))).collect())
    }

    pub fn num_harts(&self) -> usize {
        self.0.harts.len()
    }

    pub fn time_source(&self) -> &Arc<dyn TimeSource> {
        &self.0.time
    }

    /// The current `mtime` (the RISC-V `time` CSR).
    pub fn mtime(&self) -> u64 {
        self.0.time.mtime()
    }

    pub fn mtimecmp(&self, hart: usize) -> u64 {
        self.0.harts.get(hart).map_or(u64::MAX, |h| *h.mtimecmp.lock())
    }

    pub fn set_mtimecmp(&self, hart: usize, value: u64) {
        if let Some(h) = self.0.harts.get(hart) {
            let mut cmp = h.mtimecmp.lock();
            *cmp = value;
            h.mtip_line.set(self.0.time.mtime() >= value);
        }
    }

    pub fn msip(&self, hart: usize) -> bool {
        self.0.harts.get(hart).is_some_and(|h| h.msip.load(Ordering::Acquire))
    }

    pub fn set_msip(&self, hart: usize, level: bool) {
        if let Some(h) = self.0.harts.get(hart) {
            h.msip.store(level, Ordering::Release);
            h.msip_line.set(level);
        }
    }

    /// Recomputes every hart's MTIP from the current time.
    pub fn update(&self) {
        for h in &self.0.harts {
            let cmp = h.mtimecmp.lock();
            h.mtip_line.set(self.0.time.mtime() >= *cmp);
        }
    }

    /// The `mtime` value at which `hart`'s MTIP rises: `None` if it never will
    /// (`mtimecmp` is all ones or the hart does not exist). A value at or
    /// below the current time means "already due".
    pub fn next_deadline(&self, hart: usize) -> Option<u64> {
        let cmp = self.mtimecmp(hart);
        (cmp != u64::MAX && hart < self.num_harts()).then_some(cmp)
    }

    /// Host time from now until `hart`'s MTIP rises at the time source's
    /// frequency (`Duration::ZERO` if due, `None` if never).
    pub fn time_until_deadline(&self, hart: usize) -> Option<Duration> {
        let deadline = self.next_deadline(hart)?;
        let now = self.mtime();
        let ticks = deadline.saturating_sub(now);
        let hz = self.0.time.frequency().max(1);
        let nanos = u128::from(ticks) * 1_000_000_000 / u128::from(hz);
        Some(Duration::from_nanos(nanos.min(u128::from(u64::MAX)) as u64))
    }

    fn read64(&self, reg: Reg) -> u64 {
        match reg {
            Reg::Msip(h) => u64::from(self.msip(h)),
            Reg::Mtimecmp(h) => self.mtimecmp(h),
            Reg::Mtime => self.mtime(),
            Reg::None => 0,
        }
    }

    fn write64(&self, reg: Reg, value: u64) {
        match reg {
            Reg::Msip(h) => self.set_msip(h, value & 1 != 0),
            Reg::Mtimecmp(h) => self.set_mtimecmp(h, value),
            Reg::Mtime => {
                self.0.time.set_mtime(value);
                self.update();
            }
            Reg::None => {}
        }
    }

    /// The register containing `offset`, its start, and its width in bytes.
    fn decode(&self, offset: u64) -> (Reg, u64, u64) {
        let n = self.num_harts() as u64;
        if offset < MTIMECMP_BASE {
            let start = offset & !3;
            let h = offset / 4;
            (if h < n { Reg::Msip(h as usize) } else { Reg::None }, start, 4)
        } else if offset < MTIME {
            let start = offset & !7;
            let h = (offset - MTIMECMP_BASE) / 8;
            (if h < n { Reg::Mtimecmp(h as usize) } else { Reg::None }, start, 8)
        } else if offset < MTIME + 8 {
            (Reg::Mtime, MTIME, 8)
        } else {
            (Reg::None, offset & !7, 8)
        }
    }
}

#[derive(Clone, Copy)]
enum Reg {
    Msip(usize),
    Mtimecmp(usize),
    Mtime,
    None,
}

fn size_mask(size: u64) -> u64 {
    if size >= 8 {
        u64::MAX
    } else {
        (1u64 << (size * 8)) - 1
    }
}

impl MmioDevice for Clint {
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        let size = u64::from(size.clamp(1, 8));
        let (reg, start, width) = self.decode(offset);
        let shift = offset - start;
        let mut v = self.read64(reg) >> (shift * 8);
        // An 8-byte access to a 4-byte msip word reads the next hart's too.
        if width == 4 && shift == 0 && size == 8 {
            let (next, _, _) = self.decode(start + 4);
            v |= self.read64(next) << 32;
        }
        v & size_mask(size)
    }

    fn write(&mut self, offset: u64, size: u8, value: u64) {
        let size = u64::from(size.clamp(1, 8));
        let (reg, start, width) = self.decode(offset);
        let shift = offset - start;
        let value = value & size_mask(size);
        if width == 4 && shift == 0 && size == 8 {
            // 8-byte store over two msip words.
            self.write64(reg, value);
            let (next, _, _) = self.decode(start + 4);
            self.write64(next, value >> 32);
            return;
        }
        if shift == 0 && size >= width {
            self.write64(reg, value);
            return;
        }
        let mask = size_mask(size) << (shift * 8);
        let old = self.read64(reg);
        self.write64(reg, (old & !mask) | ((value << (shift * 8)) & mask));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(n: usize) -> (Arc<ManualClock>, Vec<HartLines>, Clint) {
        let clock = Arc::new(ManualClock::new(1000));
        let harts: Vec<HartLines> = (0..n).map(|_| HartLines::new()).collect();
        let clint = Clint::for_harts(clock.clone(), &harts);
        (clock, harts, clint)
    }

    #[test]
    fn msip_drives_the_software_interrupt() {
        let (_, harts, mut c) = setup(2);
        c.write(4, 4, 1);
        assert_eq!(harts[1].pending(), 1 << MSIP);
        assert_eq!(harts[0].pending(), 0);
        assert_eq!(c.read(4, 4), 1);
        assert_eq!(c.read(0, 4), 0);
        c.write(4, 4, 0xfffffffe); // only bit 0 counts
        assert_eq!(harts[1].pending(), 0);
        assert_eq!(c.read(4, 4), 0);
        // A 64-bit store covers both harts.
        c.write(0, 8, 1 | (1 << 32));
        assert_eq!(harts[0].pending(), 1 << MSIP);
        assert_eq!(harts[1].pending(), 1 << MSIP);
        assert_eq!(c.read(0, 8), 1 | (1 << 32));
        // A rising MSIP wakes the hart.
        assert!(harts[0].wake.wait_timeout(Duration::ZERO));
    }

    #[test]
    fn timer_compare_is_a_level() {
        let (clock, harts, mut c) = setup(2);
        assert_eq!(c.read(MTIMECMP_BASE, 8), u64::MAX);
        assert_eq!(c.next_deadline(0), None);
        c.write(MTIMECMP_BASE + 8, 8, 1500);
        assert_eq!(harts[1].pending(), 0);
        assert_eq!(c.next_deadline(1), Some(1500));
        clock.advance(499);
        c.update();
        assert_eq!(harts[1].pending(), 0);
        clock.advance(1);
        c.update();
        assert_eq!(harts[1].pending(), 1 << MTIP);
        assert_eq!(harts[0].pending(), 0);
        // Moving mtimecmp into the future lowers the line at once.
        c.write(MTIMECMP_BASE + 8, 8, 10_000);
        assert_eq!(harts[1].pending(), 0);
        // A compare value already in the past raises it at once.
        c.write(MTIMECMP_BASE, 8, 0);
        assert_eq!(harts[0].pending(), 1 << MTIP);
    }

    #[test]
    fn mtimecmp_in_halves() {
        let (_, harts, mut c) = setup(1);
        // The usual RV32 sequence: high = -1, low = new, high = new.
        c.write(MTIMECMP_BASE + 4, 4, 0xffff_ffff);
        c.write(MTIMECMP_BASE, 4, 0x10);
        assert_eq!(harts[0].pending(), 0);
        c.write(MTIMECMP_BASE + 4, 4, 0);
        assert_eq!(c.mtimecmp(0), 0x10);
        assert_eq!(harts[0].pending(), 1 << MTIP);
        assert_eq!(c.read(MTIMECMP_BASE, 4), 0x10);
        assert_eq!(c.read(MTIMECMP_BASE + 4, 4), 0);
        c.write(MTIMECMP_BASE + 1, 1, 0xab);
        assert_eq!(c.mtimecmp(0), 0xab10);
        assert_eq!(c.read(MTIMECMP_BASE + 1, 2), 0xab);
    }

    #[test]
    fn mtime_reads_and_writes_in_halves() {
        let (clock, harts, mut c) = setup(1);
        clock.set(0x1234_5678_9abc_def0);
        assert_eq!(c.read(MTIME, 8), 0x1234_5678_9abc_def0);
        assert_eq!(c.read(MTIME, 4), 0x9abc_def0);
        assert_eq!(c.read(MTIME + 4, 4), 0x1234_5678);
        assert_eq!(c.mtime(), 0x1234_5678_9abc_def0);
        c.write(MTIME + 4, 4, 0);
        assert_eq!(clock.mtime(), 0x9abc_def0);
        c.write(MTIME, 4, 5);
        assert_eq!(c.read(MTIME, 8), 5);
        // Writing mtime re-evaluates the timer.
        c.write(MTIMECMP_BASE, 8, 100);
        assert_eq!(harts[0].pending(), 0);
        c.write(MTIME, 8, 100);
        assert_eq!(harts[0].pending(), 1 << MTIP);
    }

    #[test]
    fn host_clock_runs_and_accepts_writes() {
        let clock = HostClock::new();
        let a = clock.mtime();
        std::thread::sleep(Duration::from_millis(2));
        let b = clock.mtime();
        assert!(b > a);
        clock.set_mtime(1 << 40);
        let c = clock.mtime();
        assert!((1 << 40..(1 << 40) + TIMEBASE_HZ * 60).contains(&c));
    }

    #[test]
    fn deadline_as_duration() {
        let (_, _, c) = setup(1);
        c.set_mtimecmp(0, 1000 + TIMEBASE_HZ / 1000);
        assert_eq!(c.time_until_deadline(0), Some(Duration::from_millis(1)));
        c.set_mtimecmp(0, 5);
        assert_eq!(c.time_until_deadline(0), Some(Duration::ZERO));
        assert_eq!(c.time_until_deadline(3), None);
    }

    #[test]
    fn no_panic_anywhere() {
        let (_, _, mut c) = setup(2);
        for off in (0..CLINT_SIZE + 16).filter(|o| o % 0x7f < 12 || *o >= MTIME - 8) {
            for size in [1u8, 2, 4, 8, 0, 3, 16] {
                let _ = c.read(off, size);
                c.write(off, size, u64::MAX);
            }
        }
    }
}
