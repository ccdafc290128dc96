//! Instruction semantics, one function per instruction, grouped by extension.
//! Every function is generic over [`Emitter`], so the same code is
//! interpreted and compiled.

pub mod a;
pub mod base;
pub mod d;
pub mod f;
pub mod fpfast;
pub mod fpu;
pub mod hostfp;
pub mod m;
pub mod system;
pub mod zb;

use super::{Cpu, Insn};
use crate::{BinOp, Emitter};

pub type R = Result<(), crate::Stop>;

/// Reads integer register `r` (x0 reads as zero).
pub fn x<E: Emitter<Cpu = Cpu>>(e: &mut E, r: u8) -> E::V {
    if r == 0 {
        e.imm(0)
    } else {
        e.reg(usize::from(r))
    }
}

/// Writes integer register `r` (writes to x0 are discarded).
pub fn set_x<E: Emitter<Cpu = Cpu>>(e: &mut E, r: u8, v: E::V) {
    if r != 0 {
        e.set_reg(usize::from(r), v);
    }
}

/// `rd = f(rs1, rs2)` for a register-register ALU op.
pub fn rr<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, f: impl FnOnce(&mut E, E::V, E::V) -> E::V) -> R {
    let a = x(e, i.rs1);
    let b = x(e, i.rs2);
    let v = f(e, a, b);
    set_x(e, i.rd, v);
    Ok(())
}

/// `rd = f(rs1, imm)` for a register-immediate ALU op.
pub fn ri<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, f: impl FnOnce(&mut E, E::V, E::V) -> E::V) -> R {
    let a = x(e, i.rs1);
    let b = e.imm(i.imm as u64);
    let v = f(e, a, b);
    set_x(e, i.rd, v);
    Ok(())
}

/// `rd = f(rs1)`.
pub fn r1<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, f: impl FnOnce(&mut E, E::V) -> E::V) -> R {
    let a = x(e, i.rs1);
    let v = f(e, a);
    set_x(e, i.rd, v);
    Ok(())
}

/// The effective address `rs1 + imm`.
pub fn addr<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> E::V {
    let base = x(e, i.rs1);
    let off = e.imm(i.imm as u64);
    e.bin(BinOp::Add, base, off)
}
