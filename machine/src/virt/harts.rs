//! What one hart's thread shares with the rest of the board: its interrupt
//! lines (and wake-up), its request word, its SBI timer and its HSM state.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use xlate_devices::irq::HartLines;

/// SBI HSM states.
pub const HSM_STARTED: u8 = 0;
pub const HSM_STOPPED: u8 = 1;
pub const HSM_START_PENDING: u8 = 2;

/// mip bits driven by the built-in SBI: supervisor timer and software interrupts.
pub const MIP_STIP: u64 = 1 << 5;
pub const MIP_SSIP: u64 = 1 << 1;

pub struct HartShared {
    pub id: usize,
    /// Device-driven mip bits (shared with the CPU's `csr.mip_lines`) and the wake-up.
    pub lines: HartLines,
    /// Requests to the CPU (its `remote` word: IPIs, remote fences).
    pub remote: Arc<AtomicU64>,
    /// Built-in SBI timer: STIP rises when mtime reaches this (u64::MAX = off).
    pub timer: AtomicU64,
    pub hsm: AtomicU8,
    /// (start address, opaque) for a pending HSM start.
    pub start: Mutex<Option<(u64, u64)>>,
}

impl HartShared {
    pub fn new(id: usize, started: bool) -> HartShared {
        HartShared {
            id,
            lines: HartLines::new(),
            remote: Arc::default(),
            timer: AtomicU64::new(u64::MAX),
            hsm: AtomicU8::new(if started { HSM_STARTED } else { HSM_STOPPED }),
            start: Mutex::new(None),
        }
    }

    /// Wakes the hart's thread if it sleeps (WFI, or stopped waiting for HSM start).
    pub fn wake(&self) {
        self.lines.wake.notify();
    }

    /// Posts a request (mip bits or a remote fence) and wakes the hart.
    pub fn post(&self, request: u64) {
        self.remote.fetch_or(request, Ordering::AcqRel);
        self.wake();
    }

    /// Recomputes STIP from the SBI timer at time `now`.
    pub fn update_timer(&self, now: u64) {
        let due = now >= self.timer.load(Ordering::Acquire);
        self.lines.line(5).set(due);
    }
}
