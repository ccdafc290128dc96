//! Trap entry and return: exceptions, interrupts, delegation, mret/sret.

use super::csr::*;
use super::{Cpu, PRV_M, PRV_S, PRV_U, STOP_TRAP};
use crate::Stop;

/// Synchronous exception causes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Exception {
    InsnMisaligned = 0,
    InsnAccess = 1,
    Illegal = 2,
    Breakpoint = 3,
    LoadMisaligned = 4,
    LoadAccess = 5,
    StoreMisaligned = 6,
    StoreAccess = 7,
    EcallU = 8,
    EcallS = 9,
    EcallM = 11,
    InsnPage = 12,
    LoadPage = 13,
    StorePage = 15,
}

const INTERRUPT: u64 = 1 << 63;

impl Cpu {
    /// Enters the trap for exception `e` raised by the instruction at `pc`.
    /// Always returns `Err(Stop)` so callers can `return cpu.raise(..)`.
    pub fn raise<T>(&mut self, e: Exception, tval: u64, pc: u64) -> Result<T, Stop> {
        self.enter_trap(e as u64, tval, pc);
        Err(Stop)
    }

    fn enter_trap(&mut self, cause: u64, tval: u64, pc: u64) {
        let irq = cause & INTERRUPT != 0;
        let code = cause & !INTERRUPT;
        let deleg = if irq { self.csr.mideleg } else { self.csr.medeleg };
        let to_s = self.prv <= PRV_S && code < 64 && deleg >> code & 1 != 0;
        let c = &mut self.csr;
        let (vector_base, mode) = if to_s {
            c.sepc = pc;
            c.scause = cause;
            c.stval = tval;
            let sie = c.mstatus & MSTATUS_SIE != 0;
            c.mstatus &= !(MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SIE);
            if sie {
                c.mstatus |= MSTATUS_SPIE;
            }
            if self.prv == PRV_S {
                c.mstatus |= MSTATUS_SPP;
            }
            (c.stvec, PRV_S)
        } else {
            c.mepc = pc;
            c.mcause = cause;
            c.mtval = tval;
            let mie = c.mstatus & MSTATUS_MIE != 0;
            c.mstatus &= !(MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MIE);
            if mie {
                c.mstatus |= MSTATUS_MPIE;
            }
            c.mstatus |= u64::from(self.prv) << 11;
            (c.mtvec, PRV_M)
        };
        let base = vector_base & !3;
        self.pc = if irq && vector_base & 3 == 1 { base + 4 * code } else { base };
        self.set_prv(mode);
        self.stop = STOP_TRAP;
        self.ctl.wfi = false;
    }

    /// The highest-priority interrupt that is pending, enabled and not masked
    /// at the current privilege level.
    pub fn pending_interrupt(&self) -> Option<u64> {
        let pending = self.csr.mip() & self.csr.mie;
        if pending == 0 {
            return None;
        }
        let m_enabled = self.prv < PRV_M || self.csr.mstatus & MSTATUS_MIE != 0;
        let s_enabled = self.prv < PRV_S || (self.prv == PRV_S && self.csr.mstatus & MSTATUS_SIE != 0);
        let m_pending = if m_enabled { pending & !self.csr.mideleg } else { 0 };
        let s_pending = if s_enabled { pending & self.csr.mideleg } else { 0 };
        let set = if m_pending != 0 { m_pending } else { s_pending };
        // Priority: MEI, MSI, MTI, SEI, SSI, STI.
        [11u64, 3, 7, 9, 1, 5].into_iter().find(|&i| set >> i & 1 != 0)
    }

    /// Takes a pending interrupt at the current pc, if any. Returns whether it did.
    pub fn take_interrupt(&mut self) -> bool {
        match self.pending_interrupt() {
            Some(code) => {
                self.enter_trap(INTERRUPT | code, 0, self.pc);
                self.stop = 0;
                true
            }
            None => false,
        }
    }

    /// Some interrupt is pending and enabled in mie, whatever the global enables
    /// (what wakes WFI).
    pub fn interrupt_waiting(&self) -> bool {
        self.csr.mip() & self.csr.mie != 0
    }

    pub fn mret(&mut self, pc: u64) -> Result<u64, Stop> {
        if self.prv != PRV_M {
            return self.raise(Exception::Illegal, 0x30200073, pc);
        }
        let c = &mut self.csr;
        let mpp = ((c.mstatus >> 11) & 3) as u8;
        let mpie = c.mstatus & MSTATUS_MPIE != 0;
        c.mstatus = (c.mstatus & !(MSTATUS_MIE | MSTATUS_MPP)) | MSTATUS_MPIE;
        if mpie {
            c.mstatus |= MSTATUS_MIE;
        }
        if mpp != PRV_M {
            c.mstatus &= !MSTATUS_MPRV;
        }
        let target = c.mepc;
        self.set_prv(mpp);
        Ok(target)
    }

    pub fn sret(&mut self, pc: u64) -> Result<u64, Stop> {
        if self.prv < PRV_S || (self.prv == PRV_S && self.csr.mstatus & MSTATUS_TSR != 0) {
            return self.raise(Exception::Illegal, 0x10200073, pc);
        }
        let c = &mut self.csr;
        let spp = if c.mstatus & MSTATUS_SPP != 0 { PRV_S } else { PRV_U };
        let spie = c.mstatus & MSTATUS_SPIE != 0;
        c.mstatus = (c.mstatus & !(MSTATUS_SIE | MSTATUS_SPP | MSTATUS_MPRV)) | MSTATUS_SPIE;
        if spie {
            c.mstatus |= MSTATUS_SIE;
        }
        let target = c.sepc;
        self.set_prv(spp);
        Ok(target)
    }
}
