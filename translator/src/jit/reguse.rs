//! A pre-pass over a region's semantics: which guest registers its code
//! reads and writes. The Cranelift emitter loads those registers once at
//! entry into SSA variables and stores the written ones at every exit, so it
//! must know them all before it emits the first exit (a loop may carry a
//! later write back to an earlier exit).

use std::marker::PhantomData;

use xlate_frontend::{BinOp, Cond, Effects, Emitter, FCond, FpOp, Helper, Isa, Stop, UnOp};

use crate::block::Block;

/// Guest register indexes are below this (checked by the emitter too).
pub const MAX_REGS: usize = 256;

pub struct RegUse<I: Isa> {
    pc: u64,
    len: u64,
    mode: u32,
    pub read: Vec<bool>,
    pub written: Vec<bool>,
    /// Read before any write, in the order the parts are listed: the
    /// registers straight-line code must load at entry.
    pub exposed: Vec<bool>,
    _isa: PhantomData<fn() -> I>,
}

impl<I: Isa> RegUse<I> {
    /// Runs the semantics of every instruction of `parts`.
    pub fn of(parts: &[&Block<I>]) -> RegUse<I> {
        let mode = parts.first().map_or(0, |b| b.mode);
        let mut u = RegUse {
            pc: 0,
            len: 0,
            mode,
            read: vec![false; MAX_REGS],
            written: vec![false; MAX_REGS],
            exposed: vec![false; MAX_REGS],
            _isa: PhantomData,
        };
        for part in parts {
            for (insn, &pc) in part.insns.iter().zip(&part.pcs) {
                u.pc = pc;
                u.len = I::insn_len(insn);
                // Translation-time semantics never stop (nothing runs).
                let _ = I::exec(insn, &mut u);
            }
        }
        u
    }

    /// Registers read or written, in index order.
    pub fn live(&self) -> Vec<usize> {
        (0..MAX_REGS).filter(|&r| self.read[r] || self.written[r]).collect()
    }
}

impl<I: Isa> Emitter for RegUse<I> {
    type V = ();
    type Cpu = I::Cpu;

    fn pc(&self) -> u64 {
        self.pc
    }
    fn insn_len(&self) -> u64 {
        self.len
    }
    fn mode(&self) -> u32 {
        self.mode
    }
    fn imm(&mut self, _: u64) {}
    fn reg(&mut self, r: usize) {
        if let Some(x) = self.read.get_mut(r) {
            *x = true;
            self.exposed[r] |= !self.written[r];
        }
    }
    fn set_reg(&mut self, r: usize, _: ()) {
        if let Some(x) = self.written.get_mut(r) {
            *x = true;
        }
    }
    fn bin(&mut self, _: BinOp, _: (), _: ()) {}
    fn un(&mut self, _: UnOp, _: ()) {}
    fn cmp(&mut self, _: Cond, _: (), _: ()) {}
    fn select(&mut self, _: (), _: (), _: ()) {}
    fn sext(&mut self, _: (), _: u8) {}
    fn zext(&mut self, _: (), _: u8) {}
    fn load(&mut self, _: (), _: u8, _: bool) -> Result<(), Stop> {
        Ok(())
    }
    fn store(&mut self, _: (), _: u8, _: ()) -> Result<(), Stop> {
        Ok(())
    }
    fn call(&mut self, _: Helper<I::Cpu>, _: [(); 3], _: Effects) -> Result<(), Stop> {
        Ok(())
    }
    fn fp_status(&mut self) {}
    fn fp(&mut self, _: FpOp, _: bool, _: [(); 3]) {}
    fn fcmp(&mut self, _: FCond, _: bool, _: (), _: ()) {}
    fn jump(&mut self, _: u64) {}
    fn jump_dyn(&mut self, _: ()) {}
    fn branch(&mut self, _: (), _: u64) {}
}
