//! SiFive PLIC (platform-level interrupt controller) as on QEMU's virt board
//! (base 0xc000000, size 0x600000, 95 sources; source 0 does not exist).
//!
//! | offset | register |
//! |---|---|
//! | `4·s` | priority of source s (0..7; 0 never interrupts) |
//! | `0x1000 + 4·w` | pending bits of sources 32w..32w+31 (read-only) |
//! | `0x2000 + 0x80·c + 4·w` | enable bits of context c |
//! | `0x200000 + 0x1000·c` | threshold of context c |
//! | `0x200000 + 0x1000·c + 4` | claim (read) / complete (write) of context c |
//!
//! Sources are level-triggered, as QEMU's virt devices use them: a source is
//! pending while its line is high and it is not claimed; a claim returns the
//! highest-priority pending source enabled for the context with a priority
//! above its threshold (ties go to the lowest id) and clears its pending bit;
//! a complete re-arms it (pending again at once if its line is still high).
//! Each context's output (an [`IrqLine`]) is high while some source would be
//! claimable.
//!
//! [`Plic`] is a cheap handle. Devices raise their lines through it as an
//! [`IrqSink`] (see [`Plic::sink`]); that only takes the PLIC's own small
//! lock, never the bus's lock on the PLIC's MMIO window, so a device may call
//! it from inside its own MMIO handler.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::irq::{HartLines, IrqLine, IrqSink, MEIP, SEIP};
use crate::MmioDevice;

/// Sources on QEMU's virt board (`riscv,ndev`).
pub const VIRT_NDEV: u32 = 95;
pub const PLIC_SIZE: u64 = 0x60_0000;

const PRIORITY_BASE: u64 = 0x0;
const PENDING_BASE: u64 = 0x1000;
const ENABLE_BASE: u64 = 0x2000;
const ENABLE_STRIDE: u64 = 0x80;
const CONTEXT_BASE: u64 = 0x20_0000;
const CONTEXT_STRIDE: u64 = 0x1000;
/// Largest source number the register layout allows.
const MAX_NDEV: u32 = 1023;
/// Priorities and thresholds have 3 bits.
const PRIO_MASK: u32 = 7;

struct PlicState {
    ndev: u32,
    priority: Vec<u32>,
    level: Vec<u32>,
    pending: Vec<u32>,
    claimed: Vec<u32>,
    enable: Vec<Vec<u32>>,
    threshold: Vec<u32>,
    outputs: Vec<IrqLine>,
}

fn bit(v: &[u32], src: u32) -> bool {
    v[(src / 32) as usize] & (1 << (src % 32)) != 0
}

fn set_bit(v: &mut [u32], src: u32, on: bool) {
    let w = &mut v[(src / 32) as usize];
    if on {
        *w |= 1 << (src % 32);
    } else {
        *w &= !(1 << (src % 32));
    }
}

impl PlicState {
    fn words(&self) -> usize {
        (self.ndev as usize + 1).div_ceil(32)
    }

    /// Mask of the sources that exist in word `w`.
    fn valid_mask(&self, w: usize) -> u32 {
        let mut m = u32::MAX;
        if w == 0 {
            m &= !1;
        }
        let first = w as u32 * 32;
        let last = self.ndev; // highest valid source
        if last < first + 31 {
            let n = last + 1 - first.min(last + 1);
            m &= if n >= 32 { u32::MAX } else { (1u32 << n) - 1 };
        }
        m
    }

    /// The source a claim by `ctx` would return, 0 if none.
    fn best(&self, ctx: usize) -> u32 {
        let threshold = self.threshold[ctx];
        let mut best = 0;
        let mut best_prio = threshold;
        for (w, (&p, &e)) in self.pending.iter().zip(&self.enable[ctx]).enumerate() {
            let mut bits = p & e;
            while bits != 0 {
                let src = w as u32 * 32 + bits.trailing_zeros();
                bits &= bits - 1;
                let prio = self.priority[src as usize];
                if prio > best_prio {
                    best_prio = prio;
                    best = src;
                }
            }
        }
        best
    }

    fn update(&self) {
        for (ctx, out) in self.outputs.iter().enumerate() {
            out.set(self.best(ctx) != 0);
        }
    }

    fn valid_src(&self, src: u32) -> bool {
        src != 0 && src <= self.ndev
    }

    fn set_level(&mut self, src: u32, level: bool) {
        if !self.valid_src(src) {
            return;
        }
        set_bit(&mut self.level, src, level);
        if !level {
            set_bit(&mut self.pending, src, false);
        } else if !bit(&self.claimed, src) {
            set_bit(&mut self.pending, src, true);
        }
        self.update();
    }

    fn claim(&mut self, ctx: usize) -> u32 {
        if ctx >= self.outputs.len() {
            return 0;
        }
        let src = self.best(ctx);
        if src != 0 {
            set_bit(&mut self.pending, src, false);
            set_bit(&mut self.claimed, src, true);
            self.update();
        }
        src
    }

    fn complete(&mut self, ctx: usize, src: u32) {
        if ctx >= self.outputs.len() || !self.valid_src(src) {
            return;
        }
        set_bit(&mut self.claimed, src, false);
        if bit(&self.level, src) {
            set_bit(&mut self.pending, src, true);
        }
        self.update();
    }

    /// What a 32-bit read at `off` returns, without side effects (a claim
    /// register peeks as 0).
    fn peek32(&self, off: u64) -> u32 {
        match self.decode(off) {
            Reg::Priority(s) => self.priority[s as usize],
            Reg::Pending(w) => self.pending[w],
            Reg::Enable(c, w) => self.enable[c][w],
            Reg::Threshold(c) => self.threshold[c],
            Reg::Claim(_) | Reg::None => 0,
        }
    }

    fn read32(&mut self, off: u64) -> u32 {
        match self.decode(off) {
            Reg::Claim(c) => self.claim(c),
            _ => self.peek32(off),
        }
    }

    fn write32(&mut self, off: u64, v: u32) {
        match self.decode(off) {
            Reg::Priority(s) => {
                self.priority[s as usize] = v & PRIO_MASK;
                self.update();
            }
            Reg::Enable(c, w) => {
                self.enable[c][w] = v & self.valid_mask(w);
                self.update();
            }
            Reg::Threshold(c) => {
                self.threshold[c] = v & PRIO_MASK;
                self.update();
            }
            Reg::Claim(c) => self.complete(c, v),
            Reg::Pending(_) | Reg::None => {}
        }
    }

    fn decode(&self, off: u64) -> Reg {
        let off = off & !3;
        let nctx = self.outputs.len() as u64;
        let words = self.words() as u64;
        if off < PENDING_BASE {
            let s = (off - PRIORITY_BASE) / 4;
            if s >= 1 && s <= u64::from(self.ndev) {
                return Reg::Priority(s as u32);
            }
        } else if off < ENABLE_BASE {
            let w = (off - PENDING_BASE) / 4;
            if w < words {
                return Reg::Pending(w as usize);
            }
        } else if off < CONTEXT_BASE {
            let c = (off - ENABLE_BASE) / ENABLE_STRIDE;
            let w = (off - ENABLE_BASE) % ENABLE_STRIDE / 4;
            if c < nctx && w < words {
                return Reg::Enable(c as usize, w as usize);
            }
        } else {
            let c = (off - CONTEXT_BASE) / CONTEXT_STRIDE;
            if c < nctx {
                match (off - CONTEXT_BASE) % CONTEXT_STRIDE {
                    0 => return Reg::Threshold(c as usize),
                    4 => return Reg::Claim(c as usize),
                    _ => {}
                }
            }
        }
        Reg::None
    }
}

#[derive(Clone, Copy)]
enum Reg {
    Priority(u32),
    Pending(usize),
    Enable(usize, usize),
    Threshold(usize),
    Claim(usize),
    None,
}

/// A handle on the PLIC (clone it for the bus, the board and the sink).
#[derive(Clone)]
pub struct Plic(Arc<Mutex<PlicState>>);

impl Plic {
    /// `ndev` sources (1..=ndev, at most 1023) and one output per context.
    pub fn new(ndev: u32, contexts: Vec<IrqLine>) -> Plic {
        let ndev = ndev.min(MAX_NDEV);
        let words = (ndev as usize + 1).div_ceil(32);
        let nctx = contexts.len();
        let state = PlicState {
            ndev,
            priority: vec![0; ndev as usize + 1],
            level: vec![0; words],
            pending: vec![0; words],
            claimed: vec![0; words],
            enable: vec![vec![0; words]; nctx],
            threshold: vec![0; nctx],
            outputs: contexts,
        };
        state.update();
        Plic(Arc::new(Mutex::new(state)))
    }

    /// QEMU virt's wiring: context 2h drives hart h's [`MEIP`], context 2h+1
    /// its [`SEIP`].
    pub fn for_harts(ndev: u32, harts: &[HartLines]) -> Plic {
        Plic::new(ndev, harts.iter().flat_map(|h| [h.line(MEIP), h.line(SEIP)]).collect())
    }

    /// This PLIC as the interrupt sink devices hold.
    pub fn sink(&self) -> Arc<dyn IrqSink> {
        Arc::new(self.clone())
    }

    pub fn num_sources(&self) -> u32 {
        self.0.lock().ndev
    }

    pub fn num_contexts(&self) -> usize {
        self.0.lock().outputs.len()
    }

    /// Claims for context `ctx` (as a read of its claim register does).
    pub fn claim(&self, ctx: usize) -> u32 {
        self.0.lock().claim(ctx)
    }

    /// Completes `src` for context `ctx` (as a write of its claim register).
    pub fn complete(&self, ctx: usize, src: u32) {
        self.0.lock().complete(ctx, src)
    }

    pub fn is_pending(&self, src: u32) -> bool {
        let s = self.0.lock();
        s.valid_src(src) && bit(&s.pending, src)
    }
}

impl IrqSink for Plic {
    fn set_irq(&self, irq: u32, level: bool) {
        self.0.lock().set_level(irq, level);
    }
}

impl MmioDevice for Plic {
    /// Registers are 32 bits wide (see [`crate::regs32`]).
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        crate::regs32::read(&mut *self.0.lock(), offset, size)
    }

    fn write(&mut self, offset: u64, size: u8, value: u64) {
        crate::regs32::write(&mut *self.0.lock(), offset, size, value)
    }
}

impl crate::regs32::Regs32 for PlicState {
    fn peek32(&self, off: u64) -> u32 {
        PlicState::peek32(self, off)
    }
    fn read32(&mut self, off: u64) -> u32 {
        PlicState::read32(self, off)
    }
    fn write32(&mut self, off: u64, v: u32) {
        PlicState::write32(self, off, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UART: u32 = 10;
    const RTC: u32 = 11;

    fn ctx_reg(ctx: u64, reg: u64) -> u64 {
        CONTEXT_BASE + CONTEXT_STRIDE * ctx + reg
    }

    /// Two harts: contexts 0/1 for hart 0, 2/3 for hart 1.
    fn setup() -> (Vec<HartLines>, Plic) {
        let harts: Vec<HartLines> = (0..2).map(|_| HartLines::new()).collect();
        let plic = Plic::for_harts(VIRT_NDEV, &harts);
        (harts, plic)
    }

    fn enable(p: &mut Plic, ctx: u64, src: u32) {
        let off = ENABLE_BASE + ENABLE_STRIDE * ctx + 4 * u64::from(src / 32);
        let v = p.read(off, 4);
        p.write(off, 4, v | (1 << (src % 32)));
    }

    #[test]
    fn claim_and_complete_a_level_source() {
        let (harts, mut p) = setup();
        p.write(4 * u64::from(UART), 4, 1);
        enable(&mut p, 1, UART); // hart 0, S-mode
        assert_eq!(harts[0].pending(), 0);
        p.set_irq(UART, true);
        assert_eq!(harts[0].pending(), 1 << SEIP);
        assert_eq!(harts[1].pending(), 0);
        assert_eq!(p.read(PENDING_BASE, 4), 1 << UART);
        assert_eq!(p.read(ctx_reg(1, 4), 4), u64::from(UART));
        // Claimed: no longer pending, output low, a second claim finds nothing.
        assert_eq!(p.read(PENDING_BASE, 4), 0);
        assert_eq!(harts[0].pending(), 0);
        assert_eq!(p.read(ctx_reg(1, 4), 4), 0);
        // The line is still high: completing re-arms it.
        p.write(ctx_reg(1, 4), 4, u64::from(UART));
        assert_eq!(harts[0].pending(), 1 << SEIP);
        assert_eq!(p.claim(1), UART);
        // The device drops its line while claimed: complete leaves it idle.
        p.set_irq(UART, false);
        p.complete(1, UART);
        assert_eq!(harts[0].pending(), 0);
        assert!(!p.is_pending(UART));
    }

    #[test]
    fn lowering_the_line_retracts_pending() {
        let (harts, mut p) = setup();
        p.write(4 * u64::from(RTC), 4, 3);
        enable(&mut p, 0, RTC); // hart 0, M-mode
        p.set_irq(RTC, true);
        assert_eq!(harts[0].pending(), 1 << MEIP);
        p.set_irq(RTC, false);
        assert_eq!(harts[0].pending(), 0);
        assert_eq!(p.claim(0), 0);
    }

    #[test]
    fn priority_threshold_and_ties() {
        let (harts, mut p) = setup();
        for src in [3, 5, 40] {
            enable(&mut p, 3, src); // hart 1, S-mode
            p.set_irq(src, true);
        }
        // Priority 0 never interrupts.
        assert_eq!(harts[1].pending(), 0);
        assert_eq!(p.claim(3), 0);
        p.write(4 * 3, 4, 2);
        p.write(4 * 5, 4, 2);
        p.write(4 * 40, 4, 6);
        assert_eq!(p.read(4 * 40, 4), 6);
        p.write(4 * 40, 4, 0xff); // 3 bits
        assert_eq!(p.read(4 * 40, 4), 7);
        assert_eq!(harts[1].pending(), 1 << SEIP);
        assert_eq!(p.read(PENDING_BASE + 4, 4), 1 << 8);
        // Threshold 7 masks everything.
        p.write(ctx_reg(3, 0), 4, 7);
        assert_eq!(p.read(ctx_reg(3, 0), 4), 7);
        assert_eq!(harts[1].pending(), 0);
        assert_eq!(p.read(ctx_reg(3, 4), 4), 0);
        // Threshold 2: only source 40 (priority 7) qualifies.
        p.write(ctx_reg(3, 0), 4, 2);
        assert_eq!(p.read(ctx_reg(3, 4), 4), 40);
        assert_eq!(harts[1].pending(), 0);
        // Threshold 1: 3 and 5 tie at 2; the lower id wins.
        p.write(ctx_reg(3, 0), 4, 1);
        assert_eq!(p.claim(3), 3);
        assert_eq!(p.claim(3), 5);
        assert_eq!(p.claim(3), 0);
        assert_eq!(harts[1].pending(), 0);
    }

    #[test]
    fn enable_selects_contexts() {
        let (harts, mut p) = setup();
        p.write(4 * u64::from(UART), 4, 1);
        p.set_irq(UART, true);
        assert_eq!(harts[0].pending() | harts[1].pending(), 0);
        enable(&mut p, 2, UART); // hart 1, M-mode
        assert_eq!(harts[1].pending(), 1 << MEIP);
        enable(&mut p, 1, UART);
        assert_eq!(harts[0].pending(), 1 << SEIP);
        // Either context may claim; the other's output then drops too.
        assert_eq!(p.claim(2), UART);
        assert_eq!(harts[0].pending() | harts[1].pending(), 0);
        p.complete(2, UART);
        assert_eq!(harts[0].pending(), 1 << SEIP);
        // Disabling drops the output.
        let off = ENABLE_BASE + ENABLE_STRIDE;
        p.write(off, 4, 0);
        assert_eq!(harts[0].pending(), 0);
        assert_eq!(harts[1].pending(), 1 << MEIP);
        // Source 0 and sources beyond ndev cannot be enabled.
        p.write(ENABLE_BASE, 4, u64::MAX);
        assert_eq!(p.read(ENABLE_BASE, 4) & 1, 0);
        p.write(ENABLE_BASE + 8, 4, u64::from(u32::MAX));
        assert_eq!(p.read(ENABLE_BASE + 8, 4), 0xffff_ffff); // sources 64..=95
        assert_eq!(p.read(ENABLE_BASE + 12, 4), 0);
    }

    #[test]
    fn byte_writes_to_enable_and_priority() {
        let (harts, mut p) = setup();
        p.write(4 * 9, 1, 5);
        assert_eq!(p.read(4 * 9, 4), 5);
        p.write(ENABLE_BASE + 1, 1, 0x02); // source 9
        assert_eq!(p.read(ENABLE_BASE, 4), 1 << 9);
        p.set_irq(9, true);
        assert_eq!(harts[0].pending(), 1 << MEIP);
        // 64-bit read of threshold + claim claims.
        assert_eq!(p.read(ctx_reg(0, 0), 8), 9 << 32);
    }

    #[test]
    fn invalid_sources_are_ignored() {
        let (harts, mut p) = setup();
        p.set_irq(0, true);
        p.set_irq(VIRT_NDEV + 1, true);
        p.set_irq(u32::MAX, true);
        p.complete(0, 5000);
        p.complete(99, 5);
        assert_eq!(p.claim(99), 0);
        assert_eq!(harts[0].pending(), 0);
        p.write(PENDING_BASE, 4, u64::MAX);
        assert_eq!(p.read(PENDING_BASE, 4), 0);
    }

    #[test]
    fn sink_from_inside_a_locked_device_does_not_deadlock() {
        // The bus holds its own mutex on the PLIC's MMIO window while a device
        // raises its line through the sink: they are separate locks.
        let (harts, p) = setup();
        let bus_side = Arc::new(Mutex::new(p.clone()));
        let sink = p.sink();
        let guard = bus_side.lock();
        sink.set_irq(UART, true);
        drop(guard);
        bus_side.lock().write(4 * u64::from(UART), 4, 1);
        enable(&mut bus_side.lock(), 0, UART);
        assert_eq!(harts[0].pending(), 1 << MEIP);
    }

    #[test]
    fn no_panic_anywhere() {
        let (_, mut p) = setup();
        let offs = (0..0x3000u64).chain(CONTEXT_BASE - 8..CONTEXT_BASE + 0x20).chain([
            ctx_reg(3, 4),
            ctx_reg(4, 4),
            PLIC_SIZE - 1,
            PLIC_SIZE,
            u64::MAX - 3,
            u64::MAX,
        ]);
        for off in offs {
            for size in [1u8, 2, 4, 8, 0, 3] {
                let _ = p.read(off, size);
                p.write(off, size, u64::MAX);
            }
        }
        let _ = Plic::new(5000, vec![]);
        let mut odd = Plic::new(40, vec![IrqLine::disconnected()]);
        odd.write(ENABLE_BASE + 4, 4, u64::MAX);
        assert_eq!(odd.read(ENABLE_BASE + 4, 4), 0x1ff); // sources 32..=40
        let mut tiny = Plic::new(0, vec![IrqLine::disconnected()]);
        tiny.write(ENABLE_BASE, 4, u64::MAX);
        assert_eq!(tiny.read(ENABLE_BASE, 4), 0);
    }
}
