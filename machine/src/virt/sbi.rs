//! xlate's built-in SBI (`--bios builtin`): the supervisor binary interface
//! that M-mode firmware such as OpenSBI provides, implemented in the host so a
//! kernel boots with no firmware image. Extensions: base, TIME, IPI, RFENCE,
//! HSM, SRST, DBCN and the legacy console, timer, IPI and shutdown calls.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use parking_lot::Mutex;
use xlate_frontend::riscv::{Cpu, Firmware, REMOTE_FENCE_I, REMOTE_FLUSH_TLB};
use xlate_softmmu::Bus;

use super::harts::{HartShared, HSM_START_PENDING, HSM_STOPPED, MIP_SSIP};

const EXT_BASE: u64 = 0x10;
const EXT_TIME: u64 = 0x5449_4d45;
const EXT_IPI: u64 = 0x0073_5049;
const EXT_RFENCE: u64 = 0x5246_4e43;
const EXT_HSM: u64 = 0x0048_534d;
const EXT_SRST: u64 = 0x5352_5354;
const EXT_DBCN: u64 = 0x4442_434e;
const LEGACY_SET_TIMER: u64 = 0x00;
const LEGACY_PUTCHAR: u64 = 0x01;
const LEGACY_GETCHAR: u64 = 0x02;
const LEGACY_CLEAR_IPI: u64 = 0x03;
const LEGACY_SHUTDOWN: u64 = 0x08;

const SUCCESS: i64 = 0;
const ERR_FAILED: i64 = -1;
const ERR_NOT_SUPPORTED: i64 = -2;
const ERR_INVALID_PARAM: i64 = -3;
const ERR_INVALID_ADDRESS: i64 = -5;
const ERR_ALREADY_AVAILABLE: i64 = -6;

/// SBI 2.0, implementation id of xlate ("xl"), version 1.
const SPEC_VERSION: u64 = 2 << 24;
const IMPL_ID: u64 = 0x786c;
const IMPL_VERSION: u64 = 1;

/// Exit code the machine reports for an SBI reboot request.
pub const REBOOT_EXIT: u64 = xlate_devices::sifive_test::RESET_EXIT_CODE;

pub struct Sbi {
    pub harts: Arc<Vec<HartShared>>,
    /// A hart waiting for the others here must not hold them back.
    pub pace: Arc<super::pace::Pace>,
    pub bus: std::sync::Weak<Bus>,
    pub console: Mutex<Box<dyn Write + Send>>,
    /// Console input for the legacy getchar and DBCN read calls.
    pub input: Arc<Mutex<VecDeque<u8>>>,
    /// Current mtime, for set_timer's immediate re-evaluation.
    pub mtime: Box<dyn Fn() -> u64 + Send + Sync>,
}

impl Sbi {
    /// Applies `f` to each hart selected by an SBI (mask, base) pair.
    fn for_harts(&self, mask: u64, base: u64, f: impl Fn(&HartShared)) -> i64 {
        if base == u64::MAX {
            self.harts.iter().for_each(f);
            return SUCCESS;
        }
        for bit in 0..64 {
            if mask >> bit & 1 != 0 {
                match base.checked_add(bit).and_then(|h| self.harts.get(h as usize)) {
                    Some(h) => f(h),
                    None => return ERR_INVALID_PARAM,
                }
            }
        }
        SUCCESS
    }

    /// A remote fence is complete when the call returns: post it to every
    /// target and wait until each running target has taken it.
    fn remote_fence(&self, cpu: &mut Cpu, mask: u64, base: u64, request: u64) -> i64 {
        let me = cpu.csr.mhartid as usize;
        let r = self.for_harts(mask, base, |h| {
            if h.id == me {
                cpu.remote.fetch_or(request, Ordering::AcqRel);
            } else {
                h.post(request);
            }
        });
        cpu.take_remote_requests();
        // The targets may be waiting for this hart to move on (pace.rs):
        // while it waits for them, it is not running.
        self.pace.idle(me);
        for h in self.harts.iter().filter(|h| h.id != me) {
            while h.remote.load(Ordering::Acquire) & request != 0
                && h.hsm.load(Ordering::Acquire) == super::harts::HSM_STARTED
                && self.bus.upgrade().is_some_and(|b| b.halted().is_none())
            {
                std::thread::yield_now();
            }
        }
        self.pace.resume(me);
        r
    }

    fn set_timer(&self, hart: usize, when: u64) {
        let h = &self.harts[hart];
        h.timer.store(when, Ordering::Release);
        h.update_timer((self.mtime)());
    }

    fn write_console(&self, bytes: &[u8]) {
        let mut c = self.console.lock();
        let _ = c.write_all(bytes);
        let _ = c.flush();
    }

    fn halt(&self, code: u64) {
        if let Some(bus) = self.bus.upgrade() {
            bus.request_halt(code);
        }
        self.harts.iter().for_each(HartShared::wake);
    }

    /// DBCN reads/writes name guest physical memory.
    fn dbcn(&self, fid: u64, len: u64, addr: u64) -> (i64, u64) {
        let Some(bus) = self.bus.upgrade() else { return (ERR_FAILED, 0) };
        let len = len.min(4096) as usize;
        match fid {
            0 => {
                let mut buf = vec![0u8; len];
                if !bus.read_bytes(addr, &mut buf) {
                    return (ERR_INVALID_ADDRESS, 0);
                }
                self.write_console(&buf);
                (SUCCESS, len as u64)
            }
            1 => {
                let mut input = self.input.lock();
                let n = len.min(input.len());
                let bytes: Vec<u8> = input.drain(..n).collect();
                if !bus.write_bytes(addr, &bytes) {
                    return (ERR_INVALID_ADDRESS, 0);
                }
                (SUCCESS, n as u64)
            }
            _ => (ERR_NOT_SUPPORTED, 0),
        }
    }

    fn call(&self, cpu: &mut Cpu, ext: u64, fid: u64, a: [u64; 6]) -> Option<(i64, u64)> {
        let hart = cpu.csr.mhartid as usize;
        Some(match ext {
            EXT_BASE => match fid {
                0 => (SUCCESS, SPEC_VERSION),
                1 => (SUCCESS, IMPL_ID),
                2 => (SUCCESS, IMPL_VERSION),
                3 => {
                    let known = [EXT_BASE, EXT_TIME, EXT_IPI, EXT_RFENCE, EXT_HSM, EXT_SRST, EXT_DBCN];
                    let legacy = a[0] <= LEGACY_SHUTDOWN && a[0] != 0x07;
                    (SUCCESS, u64::from(known.contains(&a[0]) || legacy))
                }
                4..=6 => (SUCCESS, 0),
                _ => (ERR_NOT_SUPPORTED, 0),
            },
            EXT_TIME if fid == 0 => {
                self.set_timer(hart, a[0]);
                (SUCCESS, 0)
            }
            EXT_IPI if fid == 0 => (self.for_harts(a[0], a[1], |h| h.post(MIP_SSIP)), 0),
            EXT_RFENCE => match fid {
                0 => (self.remote_fence(cpu, a[0], a[1], REMOTE_FENCE_I), 0),
                1 | 2 => (self.remote_fence(cpu, a[0], a[1], REMOTE_FLUSH_TLB), 0),
                _ => (ERR_NOT_SUPPORTED, 0),
            },
            EXT_HSM => match fid {
                0 => match self.harts.get(a[0] as usize) {
                    None => (ERR_INVALID_PARAM, 0),
                    Some(h) => {
                        let r =
                            h.hsm.compare_exchange(HSM_STOPPED, HSM_START_PENDING, Ordering::AcqRel, Ordering::Acquire);
                        if r.is_err() {
                            (ERR_ALREADY_AVAILABLE, 0)
                        } else {
                            *h.start.lock() = Some((a[1], a[2]));
                            h.wake();
                            (SUCCESS, 0)
                        }
                    }
                },
                1 => {
                    // hart_stop: the board parks this hart until it is started again.
                    self.harts[hart].hsm.store(HSM_STOPPED, Ordering::Release);
                    cpu.ctl.wfi = true;
                    (SUCCESS, 0)
                }
                2 => match self.harts.get(a[0] as usize) {
                    None => (ERR_INVALID_PARAM, 0),
                    Some(h) => (SUCCESS, u64::from(h.hsm.load(Ordering::Acquire))),
                },
                3 => {
                    // Retentive suspend behaves like WFI.
                    cpu.ctl.wfi = true;
                    (SUCCESS, 0)
                }
                _ => (ERR_NOT_SUPPORTED, 0),
            },
            EXT_SRST if fid == 0 => {
                match a[0] {
                    0 => self.halt(0),
                    1 | 2 => self.halt(REBOOT_EXIT),
                    _ => return Some((ERR_INVALID_PARAM, 0)),
                }
                (SUCCESS, 0)
            }
            EXT_DBCN => match fid {
                0 | 1 => self.dbcn(fid, a[0], a[1]),
                2 => {
                    self.write_console(&[a[0] as u8]);
                    (SUCCESS, 0)
                }
                _ => (ERR_NOT_SUPPORTED, 0),
            },
            _ => return None,
        })
    }

    /// Legacy (v0.1) calls return a single value in a0.
    fn legacy(&self, cpu: &mut Cpu, ext: u64, a0: u64) -> Option<u64> {
        let hart = cpu.csr.mhartid as usize;
        Some(match ext {
            LEGACY_SET_TIMER => {
                self.set_timer(hart, a0);
                0
            }
            LEGACY_PUTCHAR => {
                self.write_console(&[a0 as u8]);
                0
            }
            LEGACY_GETCHAR => self.input.lock().pop_front().map_or(u64::MAX, u64::from),
            LEGACY_CLEAR_IPI => {
                cpu.csr.mip &= !MIP_SSIP;
                0
            }
            LEGACY_SHUTDOWN => {
                self.halt(0);
                0
            }
            _ => return None,
        })
    }
}

impl Firmware for Sbi {
    fn ecall(&self, cpu: &mut Cpu) -> bool {
        let ext = cpu.x(17);
        let fid = cpu.x(16);
        let args = [cpu.x(10), cpu.x(11), cpu.x(12), cpu.x(13), cpu.x(14), cpu.x(15)];
        if ext <= LEGACY_SHUTDOWN {
            let r = self.legacy(cpu, ext, args[0]).unwrap_or(ERR_NOT_SUPPORTED as u64);
            cpu.set_x(10, r);
            return true;
        }
        let (err, value) = self.call(cpu, ext, fid, args).unwrap_or((ERR_NOT_SUPPORTED, 0));
        cpu.set_x(10, err as u64);
        cpu.set_x(11, value);
        true
    }
}
