//! M: multiplication and division.

use super::{rr, R};
use crate::riscv::{Cpu, Insn};
use crate::{BinOp, BinOp::*, Cond, Emitter};

pub fn mul<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(Mul, a, b))
}
pub fn mulh<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(MulHS, a, b))
}
pub fn mulhsu<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(MulHSU, a, b))
}
pub fn mulhu<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(MulHU, a, b))
}

/// Division with RISC-V's results for a zero divisor (quotient all ones,
/// remainder the dividend) and for signed overflow (quotient MIN, remainder 0).
fn divide<E: Emitter<Cpu = Cpu>>(e: &mut E, op: BinOp, a: E::V, b: E::V) -> E::V {
    let zero = e.imm(0);
    let by_zero = e.cmp(Cond::Eq, b, zero);
    let minus1 = e.imm(u64::MAX);
    let bad = if matches!(op, DivS | RemS) {
        let min = e.imm(i64::MIN as u64);
        let a_min = e.cmp(Cond::Eq, a, min);
        let b_m1 = e.cmp(Cond::Eq, b, minus1);
        let ovf = e.bin(And, a_min, b_m1);
        e.bin(Or, by_zero, ovf)
    } else {
        by_zero
    };
    let one = e.imm(1);
    let safe_b = e.select(bad, one, b);
    let q = e.bin(op, a, safe_b);
    let on_zero = match op {
        DivS | DivU => minus1,
        _ => a,
    };
    e.select(by_zero, on_zero, q)
}
pub fn div<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| divide(e, DivS, a, b))
}
pub fn divu<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| divide(e, DivU, a, b))
}
pub fn rem<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| divide(e, RemS, a, b))
}
pub fn remu<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| divide(e, RemU, a, b))
}

/// 32-bit forms: operands extended per signedness, result sign-extended.
fn div_w<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, op: BinOp, signed: bool) -> R {
    rr(e, i, |e, a, b| {
        let (a, b) = if signed { (e.sext(a, 32), e.sext(b, 32)) } else { (e.zext(a, 32), e.zext(b, 32)) };
        let v = divide(e, op, a, b);
        e.sext(v, 32)
    })
}
pub fn mulw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| {
        let v = e.bin(Mul, a, b);
        e.sext(v, 32)
    })
}
pub fn divw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    div_w(e, i, DivS, true)
}
pub fn divuw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    div_w(e, i, DivU, false)
}
pub fn remw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    div_w(e, i, RemS, true)
}
pub fn remuw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    div_w(e, i, RemU, false)
}
