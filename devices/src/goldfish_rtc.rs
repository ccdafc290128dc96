//! Goldfish RTC (Android emulator's real-time clock; QEMU virt puts it at
//! 0x101000 with IRQ 11). Time is in nanoseconds since the Unix epoch: the
//! host's clock plus an offset the guest sets by writing the time registers.
//!
//! | offset | register |
//! |---|---|
//! | 0x00 | TIME_LOW (reading it latches TIME_HIGH; writing sets the low half of the time) |
//! | 0x04 | TIME_HIGH |
//! | 0x08 | ALARM_LOW (writing it arms the alarm) |
//! | 0x0c | ALARM_HIGH |
//! | 0x10 | IRQ_ENABLED |
//! | 0x14 | CLEAR_ALARM |
//! | 0x18 | ALARM_STATUS (1 while armed) |
//! | 0x1c | CLEAR_INTERRUPT |
//!
//! The interrupt is a level: an alarm fired and not cleared, while enabled.
//! The alarm fires when due at a register access or at [`GoldfishRtc::update`],
//! which the board calls periodically (or at [`GoldfishRtc::time_until_alarm`]).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

use crate::irq::{IrqPin, IrqSink};
use crate::MmioDevice;

pub const RTC_SIZE: u64 = 0x1000;
/// The RTC's interrupt number on QEMU's virt board.
pub const VIRT_RTC_IRQ: u32 = 11;

const TIME_LOW: u64 = 0x00;
const TIME_HIGH: u64 = 0x04;
const ALARM_LOW: u64 = 0x08;
const ALARM_HIGH: u64 = 0x0c;
const IRQ_ENABLED: u64 = 0x10;
const CLEAR_ALARM: u64 = 0x14;
const ALARM_STATUS: u64 = 0x18;
const CLEAR_INTERRUPT: u64 = 0x1c;

fn host_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos().min(u128::from(u64::MAX)) as u64)
}

struct RtcState {
    /// Guest time = host time + offset (wrapping).
    offset: u64,
    time_high: u32,
    alarm_next: u64,
    alarm_running: bool,
    irq_pending: bool,
    irq_enabled: bool,
    pin: IrqPin,
}

impl RtcState {
    fn now(&self) -> u64 {
        host_ns().wrapping_add(self.offset)
    }

    fn update_irq(&mut self) {
        let level = self.irq_pending && self.irq_enabled;
        self.pin.set(level);
    }

    /// Fires the alarm if it is armed and due.
    fn poll(&mut self) {
        if self.alarm_running && self.now() >= self.alarm_next {
            self.alarm_running = false;
            self.irq_pending = true;
            self.update_irq();
        }
    }

    fn arm(&mut self) {
        self.alarm_running = true;
        self.poll();
    }

    fn set_time(&mut self, new: u64) {
        let current = self.now();
        self.offset = self.offset.wrapping_add(new.wrapping_sub(current));
    }

    fn peek32(&self, off: u64) -> u32 {
        match off {
            TIME_LOW => self.now() as u32,
            TIME_HIGH => self.time_high,
            ALARM_LOW => self.alarm_next as u32,
            ALARM_HIGH => (self.alarm_next >> 32) as u32,
            IRQ_ENABLED => u32::from(self.irq_enabled),
            ALARM_STATUS => u32::from(self.alarm_running),
            _ => 0,
        }
    }

    fn read32(&mut self, off: u64) -> u32 {
        self.poll();
        if off == TIME_LOW {
            let now = self.now();
            self.time_high = (now >> 32) as u32;
            return now as u32;
        }
        self.peek32(off)
    }

    fn write32(&mut self, off: u64, v: u32) {
        self.poll();
        let v64 = u64::from(v);
        match off {
            TIME_LOW => {
                let cur = self.now();
                self.set_time((cur & !0xffff_ffff) | v64);
            }
            TIME_HIGH => {
                let cur = self.now();
                self.set_time((cur & 0xffff_ffff) | (v64 << 32));
            }
            ALARM_LOW => {
                self.alarm_next = (self.alarm_next & !0xffff_ffff) | v64;
                self.arm();
            }
            ALARM_HIGH => self.alarm_next = (self.alarm_next & 0xffff_ffff) | (v64 << 32),
            IRQ_ENABLED => {
                self.irq_enabled = v & 1 != 0;
                self.update_irq();
            }
            CLEAR_ALARM => self.alarm_running = false,
            CLEAR_INTERRUPT => {
                self.irq_pending = false;
                self.update_irq();
            }
            _ => {}
        }
    }
}

/// A handle on the RTC (clone it for the bus and the board).
#[derive(Clone)]
pub struct GoldfishRtc(Arc<Mutex<RtcState>>);

impl GoldfishRtc {
    /// Raises interrupt `irq` on `sink` when the alarm fires.
    pub fn new(sink: Arc<dyn IrqSink>, irq: u32) -> GoldfishRtc {
        GoldfishRtc(Arc::new(Mutex::new(RtcState {
            offset: 0,
            time_high: 0,
            alarm_next: 0,
            alarm_running: false,
            irq_pending: false,
            irq_enabled: false,
            pin: IrqPin::new(sink, irq),
        })))
    }

    /// The guest's time, ns since the Unix epoch.
    pub fn now_ns(&self) -> u64 {
        self.0.lock().now()
    }

    /// Fires the alarm if it is due.
    pub fn update(&self) {
        self.0.lock().poll();
    }

    /// When the armed alarm fires (guest ns since the epoch), if armed.
    pub fn next_alarm(&self) -> Option<u64> {
        let s = self.0.lock();
        s.alarm_running.then_some(s.alarm_next)
    }

    /// Host time until the armed alarm is due (`ZERO` if it is), `None` if
    /// no alarm is armed.
    pub fn time_until_alarm(&self) -> Option<Duration> {
        let s = self.0.lock();
        s.alarm_running.then(|| Duration::from_nanos(s.alarm_next.saturating_sub(s.now())))
    }

    /// The interrupt output's current level.
    pub fn irq_level(&self) -> bool {
        self.0.lock().pin.level()
    }
}

impl MmioDevice for GoldfishRtc {
    /// Registers are 32 bits wide (see [`crate::regs32`]).
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        crate::regs32::read(&mut *self.0.lock(), offset, size)
    }

    fn write(&mut self, offset: u64, size: u8, value: u64) {
        crate::regs32::write(&mut *self.0.lock(), offset, size, value)
    }
}

impl crate::regs32::Regs32 for RtcState {
    fn peek32(&self, off: u64) -> u32 {
        RtcState::peek32(self, off)
    }
    fn read32(&mut self, off: u64) -> u32 {
        RtcState::read32(self, off)
    }
    fn write32(&mut self, off: u64, v: u32) {
        RtcState::write32(self, off, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::irq::IrqLevels;

    const HOUR_NS: u64 = 3_600_000_000_000;

    fn setup() -> (Arc<IrqLevels>, GoldfishRtc) {
        let sink = Arc::new(IrqLevels::new(16));
        let rtc = GoldfishRtc::new(sink.clone(), VIRT_RTC_IRQ);
        (sink, rtc)
    }

    fn read_time(r: &mut GoldfishRtc) -> u64 {
        let lo = r.read(TIME_LOW, 4);
        let hi = r.read(TIME_HIGH, 4);
        (hi << 32) | lo
    }

    #[test]
    fn time_follows_the_host_clock() {
        let (_, mut r) = setup();
        let before = host_ns();
        let t = read_time(&mut r);
        let after = host_ns();
        assert!(before <= t && t <= after, "{before} <= {t} <= {after}");
        // A 64-bit read gets the same thing in one go.
        let t2 = r.read(TIME_LOW, 8);
        assert!(t2 >= t && t2 <= host_ns());
    }

    #[test]
    fn guest_sets_the_time() {
        let (_, mut r) = setup();
        // 2001-09-09, in ns.
        let target: u64 = 1_000_000_000 * 1_000_000_000;
        // Linux writes TIME_HIGH, then TIME_LOW.
        r.write(TIME_HIGH, 4, target >> 32);
        r.write(TIME_LOW, 4, target & 0xffff_ffff);
        let t = read_time(&mut r);
        // Allow a generous minute for a loaded machine.
        assert!(t >= target && t - target < 60_000_000_000, "{t} vs {target}");
        assert!(r.now_ns() >= t);
    }

    #[test]
    fn high_half_is_latched_by_the_low_read() {
        let (_, mut r) = setup();
        // Just below a 2^32 ns boundary, the high half must not move between
        // the two reads (set the time 2 ms before the carry).
        let target = (7u64 << 32) - 2_000_000;
        r.write(TIME_LOW, 8, target);
        let lo = r.read(TIME_LOW, 4);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(r.read(TIME_HIGH, 4), if lo > 0x8000_0000 { 6 } else { 7 });
        assert!(r.now_ns() >= 7 << 32);
    }

    #[test]
    fn alarm_fires_and_raises_the_interrupt() {
        let (sink, mut r) = setup();
        r.write(IRQ_ENABLED, 4, 1);
        assert_eq!(r.read(IRQ_ENABLED, 4), 1);
        let alarm = r.now_ns() + HOUR_NS;
        r.write(ALARM_HIGH, 4, alarm >> 32);
        r.write(ALARM_LOW, 4, alarm & 0xffff_ffff);
        assert_eq!(r.read(ALARM_STATUS, 4), 1);
        assert_eq!(r.read(ALARM_LOW, 4) | (r.read(ALARM_HIGH, 4) << 32), alarm);
        assert_eq!(r.next_alarm(), Some(alarm));
        let wait = r.time_until_alarm().unwrap();
        assert!(wait > Duration::from_secs(3000) && wait <= Duration::from_secs(3600));
        r.update();
        assert!(!sink.level(VIRT_RTC_IRQ));
        // Move the clock past the alarm.
        let t = r.now_ns() + 2 * HOUR_NS;
        r.write(TIME_LOW, 8, t);
        r.update();
        assert!(sink.level(VIRT_RTC_IRQ));
        assert!(r.irq_level());
        assert_eq!(r.read(ALARM_STATUS, 4), 0);
        assert_eq!(r.time_until_alarm(), None);
        // Disabling masks it, enabling shows it again, clearing drops it.
        r.write(IRQ_ENABLED, 4, 0);
        assert!(!sink.level(VIRT_RTC_IRQ));
        r.write(IRQ_ENABLED, 4, 1);
        assert!(sink.level(VIRT_RTC_IRQ));
        r.write(CLEAR_INTERRUPT, 4, 1);
        assert!(!sink.level(VIRT_RTC_IRQ));
    }

    #[test]
    fn alarm_in_the_past_fires_at_once_and_clear_alarm_disarms() {
        let (sink, mut r) = setup();
        r.write(IRQ_ENABLED, 4, 1);
        r.write(ALARM_HIGH, 4, 0);
        r.write(ALARM_LOW, 4, 1);
        assert!(sink.level(VIRT_RTC_IRQ));
        assert_eq!(r.read(ALARM_STATUS, 4), 0);
        r.write(CLEAR_INTERRUPT, 4, 1);
        let alarm = r.now_ns() + HOUR_NS;
        r.write(ALARM_HIGH, 4, alarm >> 32);
        r.write(ALARM_LOW, 4, alarm & 0xffff_ffff);
        r.write(CLEAR_ALARM, 4, 1);
        assert_eq!(r.read(ALARM_STATUS, 4), 0);
        r.write(TIME_LOW, 8, alarm + HOUR_NS);
        r.update();
        assert!(!sink.level(VIRT_RTC_IRQ));
    }

    #[test]
    fn no_panic_anywhere() {
        let (_, mut r) = setup();
        for off in (0..0x40).chain([RTC_SIZE - 1, RTC_SIZE, u64::MAX]) {
            for size in [1u8, 2, 4, 8, 0, 3] {
                let _ = r.read(off, size);
                r.write(off, size, u64::MAX);
            }
        }
    }
}
