//! Keeps harts in step.
//!
//! Each hart runs on its own host thread, and the host may leave one of them
//! unscheduled for milliseconds (more harts than cores, a loaded host) while
//! another races ahead. Real harts leave reset together and run at similar
//! speeds, and firmware relies on that early on: OpenSBI's `fw_jump` boot
//! lottery and its "boot hart done" flag share one word, so a hart that
//! reaches the lottery after the winner finished its few thousand
//! instructions of early init overwrites the flag and then waits for it
//! forever (Linux then reports `CPUn: failed to come online`).
//!
//! So for the first [`RESET_WINDOW`] instructions after reset no running hart
//! gets more than [`RESET_LEAD`] instructions ahead of the slowest other
//! running one; after that the bound loosens to [`LEAD`], which only stops a
//! hart from running away from one the host starves. Waiting blocks, so the
//! host CPU goes to the harts behind.
//!
//! Progress counts instructions run. A hart sleeping in WFI or stopped (HSM)
//! is idle and holds nobody back; when it resumes it rejoins at the back.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

/// The lead allowed while the slowest running hart is within [`RESET_WINDOW`].
pub const RESET_LEAD: u64 = 4_000;
/// Instructions, counted on the slowest running hart, of lock-step after reset.
pub const RESET_WINDOW: u64 = 2_000_000;
/// The lead allowed after the reset window.
pub const LEAD: u64 = 20_000_000;
/// Instructions per slice on a multi-hart board; a hart may overshoot its
/// lead by at most this much.
pub const SMP_SLICE: u64 = 2_000;

const IDLE: u64 = u64::MAX;

pub struct Pace {
    progress: Vec<AtomicU64>,
    /// Harts blocked in [`Pace::wait_turn`]; others notify `moved` only then.
    waiting: AtomicUsize,
    lock: Mutex<()>,
    moved: Condvar,
}

impl Pace {
    /// `running[h]` says whether hart h starts running (not stopped).
    pub fn new(running: &[bool]) -> Pace {
        Pace {
            progress: running.iter().map(|&r| AtomicU64::new(if r { 0 } else { IDLE })).collect(),
            waiting: AtomicUsize::new(0),
            lock: Mutex::new(()),
            moved: Condvar::new(),
        }
    }

    /// The least progress among running harts other than `me`.
    fn slowest_other(&self, me: usize) -> u64 {
        let others = self.progress.iter().enumerate().filter(|&(h, _)| h != me);
        others.map(|(_, p)| p.load(SeqCst)).min().unwrap_or(IDLE)
    }

    fn set(&self, me: usize, value: u64) {
        self.progress[me].store(value, SeqCst);
        if self.waiting.load(SeqCst) > 0 {
            let _g = self.lock.lock();
            self.moved.notify_all();
        }
    }

    /// Records that hart `me` ran `n` more instructions.
    pub fn advance(&self, me: usize, n: u64) {
        let now = self.progress[me].load(SeqCst);
        if now != IDLE {
            self.set(me, now + n);
        }
    }

    /// Hart `me` stops running (WFI sleep, HSM stop, exit).
    pub fn idle(&self, me: usize) {
        self.set(me, IDLE);
    }

    /// Hart `me` runs again; it rejoins behind everyone still running.
    pub fn resume(&self, me: usize) {
        if self.progress[me].load(SeqCst) == IDLE {
            let back = match self.slowest_other(me) {
                IDLE => 0,
                p => p,
            };
            self.set(me, back);
        }
    }

    /// Whether hart `me` may run its next slice now.
    pub fn may_run(&self, me: usize) -> bool {
        let mine = self.progress[me].load(SeqCst);
        let slowest = self.slowest_other(me);
        let lead = if slowest < RESET_WINDOW { RESET_LEAD } else { LEAD };
        slowest == IDLE || mine <= slowest.saturating_add(lead)
    }

    /// Waits until hart `me` may run, or `give_up` says to stop waiting.
    pub fn wait_turn(&self, me: usize, give_up: impl Fn() -> bool) {
        // The harts behind are often running on another core and about to
        // move: look again a few times before blocking.
        for _ in 0..200 {
            if self.may_run(me) {
                return;
            }
            std::hint::spin_loop();
        }
        while !self.may_run(me) && !give_up() {
            self.waiting.fetch_add(1, SeqCst);
            let mut g = self.lock.lock();
            if !self.may_run(me) {
                // The timeout only bounds how long a halt goes unnoticed.
                self.moved.wait_for(&mut g, Duration::from_millis(5));
            }
            drop(g);
            self.waiting.fetch_sub(1, SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hart_waits_for_the_slowest_running_one() {
        let pace = Pace::new(&[true, true, false]);
        pace.advance(0, RESET_LEAD);
        assert!(pace.may_run(0), "exactly RESET_LEAD ahead may still run");
        pace.advance(0, 1);
        assert!(!pace.may_run(0), "hart 1 has not started: hart 0 must wait");
        assert!(pace.may_run(1));
        pace.advance(1, 10);
        assert!(pace.may_run(0));
        // Hart 2 is stopped: it holds nobody back.
        pace.advance(0, 3 * RESET_LEAD);
        pace.idle(1);
        assert!(pace.may_run(0), "only idle harts behind");
    }

    #[test]
    fn a_resumed_hart_rejoins_at_the_back() {
        let pace = Pace::new(&[true, true]);
        pace.advance(0, 100_000);
        pace.advance(1, 100_000);
        pace.idle(1);
        pace.advance(0, 50_000);
        pace.resume(1);
        assert!(pace.may_run(0) && pace.may_run(1));
        assert_eq!(pace.progress[1].load(SeqCst), 150_000);
        // Idle harts do not advance.
        pace.idle(0);
        pace.advance(0, 5);
        assert_eq!(pace.progress[0].load(SeqCst), IDLE);
    }

    #[test]
    fn the_bound_loosens_after_the_reset_window() {
        let pace = Pace::new(&[true, true]);
        pace.advance(1, RESET_WINDOW);
        pace.advance(0, RESET_WINDOW + RESET_LEAD + 1);
        assert!(pace.may_run(0));
        pace.advance(0, LEAD);
        assert!(!pace.may_run(0));
    }

    #[test]
    fn a_waiting_hart_runs_once_the_one_behind_moves() {
        let pace = std::sync::Arc::new(Pace::new(&[true, true]));
        pace.advance(0, 2 * RESET_LEAD);
        let p = pace.clone();
        let waiter = std::thread::spawn(move || p.wait_turn(0, || false));
        std::thread::sleep(Duration::from_millis(20));
        assert!(!waiter.is_finished(), "hart 0 is too far ahead to run");
        pace.advance(1, RESET_LEAD);
        waiter.join().unwrap();
    }

    #[test]
    fn waiting_gives_up_when_told() {
        let pace = Pace::new(&[true, true]);
        pace.advance(0, 10 * RESET_LEAD);
        pace.wait_turn(0, || true);
    }
}
