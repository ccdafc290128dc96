//! A pre-pass over a region's semantics: which guest registers its code
//! reads and writes, and how many places could leave the code. In a loop the
//! Cranelift emitter loads those registers once at entry into SSA variables
//! and stores the written ones at every exit, so it must know them all
//! before it emits the first exit (a loop may carry a later write back to an
//! earlier exit).

use std::marker::PhantomData;

use xlate_frontend::{AtomicOp, BinOp, Cond, Effects, Emitter, FCond, FpOp, Helper, Isa, Stop, UnOp};

use crate::block::Block;

/// Guest register indexes are below this (checked by the emitter too).
pub const MAX_REGS: usize = 256;

pub struct RegUse<I: Isa> {
    pc: u64,
    len: u64,
    mode: u32,
    pub read: Vec<bool>,
    pub written: Vec<bool>,
    /// Places where registers held in host registers would have to be
    /// written back: exits, memory slow paths, helper calls.
    pub sites: usize,
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
            sites: parts.len(),
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
        self.sites += 1;
        Ok(())
    }
    fn store(&mut self, _: (), _: u8, _: ()) -> Result<(), Stop> {
        self.sites += 1;
        Ok(())
    }
    fn atomic_rmw(&mut self, _: AtomicOp, _: (), _: (), _: u8) -> Option<()> {
        // As if inline (the destination is written): Clif may do it so.
        self.sites += 1;
        Some(())
    }
    fn load_reserved(&mut self, _: (), _: u8) -> Option<()> {
        self.sites += 1;
        Some(())
    }
    fn store_conditional(&mut self, _: (), _: (), _: u8) -> Option<()> {
        self.sites += 1;
        Some(())
    }
    fn call(&mut self, _: Helper<I::Cpu>, _: [(); 3], _: Effects) -> Result<(), Stop> {
        self.sites += 1;
        Ok(())
    }
    fn fp_status(&mut self) {}
    fn fp(&mut self, _: FpOp, _: bool, _: [(); 3]) {}
    fn fcmp(&mut self, _: FCond, _: bool, _: (), _: ()) {}
    fn jump(&mut self, _: u64) {
        self.sites += 1;
    }
    fn jump_dyn(&mut self, _: ()) {
        self.sites += 1;
    }
    fn branch(&mut self, _: (), _: u64) {
        self.sites += 2;
    }
}
