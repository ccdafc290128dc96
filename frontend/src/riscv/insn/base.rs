//! RV64I.

use super::{addr, ri, rr, set_x, x, R};
use crate::riscv::{Cpu, Insn};
use crate::{BinOp::*, Cond, Emitter};

pub fn lui<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    let v = e.imm(i.imm as u64);
    set_x(e, i.rd, v);
    Ok(())
}
pub fn auipc<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    let v = e.imm(e.pc().wrapping_add(i.imm as u64));
    set_x(e, i.rd, v);
    Ok(())
}
pub fn jal<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    let link = e.imm(e.pc().wrapping_add(e.insn_len()));
    set_x(e, i.rd, link);
    e.jump(e.pc().wrapping_add(i.imm as u64));
    Ok(())
}
pub fn jalr<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    let t = addr(e, i);
    let mask = e.imm(!1);
    let target = e.bin(And, t, mask);
    let link = e.imm(e.pc().wrapping_add(e.insn_len()));
    set_x(e, i.rd, link);
    e.jump_dyn(target);
    Ok(())
}

fn branch<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, c: Cond) -> R {
    let a = x(e, i.rs1);
    let b = x(e, i.rs2);
    let cond = e.cmp(c, a, b);
    e.branch(cond, e.pc().wrapping_add(i.imm as u64));
    Ok(())
}
pub fn beq<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    branch(e, i, Cond::Eq)
}
pub fn bne<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    branch(e, i, Cond::Ne)
}
pub fn blt<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    branch(e, i, Cond::LtS)
}
pub fn bge<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    branch(e, i, Cond::GeS)
}
pub fn bltu<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    branch(e, i, Cond::LtU)
}
pub fn bgeu<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    branch(e, i, Cond::GeU)
}

fn load<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, size: u8, signed: bool) -> R {
    let a = addr(e, i);
    let v = e.load(a, size, signed)?;
    set_x(e, i.rd, v);
    Ok(())
}
pub fn lb<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    load(e, i, 1, true)
}
pub fn lh<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    load(e, i, 2, true)
}
pub fn lw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    load(e, i, 4, true)
}
pub fn ld<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    load(e, i, 8, false)
}
pub fn lbu<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    load(e, i, 1, false)
}
pub fn lhu<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    load(e, i, 2, false)
}
pub fn lwu<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    load(e, i, 4, false)
}

fn store<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, size: u8) -> R {
    let a = addr(e, i);
    let v = x(e, i.rs2);
    e.store(a, size, v)
}
pub fn sb<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    store(e, i, 1)
}
pub fn sh<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    store(e, i, 2)
}
pub fn sw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    store(e, i, 4)
}
pub fn sd<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    store(e, i, 8)
}

pub fn addi<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| e.bin(Add, a, b))
}
pub fn slti<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| e.cmp(Cond::LtS, a, b))
}
pub fn sltiu<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| e.cmp(Cond::LtU, a, b))
}
pub fn xori<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| e.bin(Xor, a, b))
}
pub fn ori<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| e.bin(Or, a, b))
}
pub fn andi<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| e.bin(And, a, b))
}
pub fn slli<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| e.bin(Shl, a, b))
}
pub fn srli<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| e.bin(ShrU, a, b))
}
pub fn srai<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| e.bin(ShrS, a, b))
}

pub fn add<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(Add, a, b))
}
pub fn sub<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(Sub, a, b))
}
pub fn sll<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(Shl, a, b))
}
pub fn slt<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.cmp(Cond::LtS, a, b))
}
pub fn sltu<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.cmp(Cond::LtU, a, b))
}
pub fn xor<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(Xor, a, b))
}
pub fn srl<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(ShrU, a, b))
}
pub fn sra<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(ShrS, a, b))
}
pub fn or<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(Or, a, b))
}
pub fn and<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(And, a, b))
}

/// `sext32(f(a, b))`
fn w<E: Emitter<Cpu = Cpu>>(e: &mut E, a: E::V, b: E::V, op: crate::BinOp) -> E::V {
    let v = e.bin(op, a, b);
    e.sext(v, 32)
}
pub fn addiw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| w(e, a, b, Add))
}
pub fn slliw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| w(e, a, b, Shl))
}
pub fn srliw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| {
        let a = e.zext(a, 32);
        w(e, a, b, ShrU)
    })
}
pub fn sraiw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| {
        let a = e.sext(a, 32);
        w(e, a, b, ShrS)
    })
}
pub fn addw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| w(e, a, b, Add))
}
pub fn subw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| w(e, a, b, Sub))
}
/// 32-bit shift amount: the low 5 bits of rs2.
fn shamt32<E: Emitter<Cpu = Cpu>>(e: &mut E, b: E::V) -> E::V {
    let m = e.imm(31);
    e.bin(And, b, m)
}
pub fn sllw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| {
        let s = shamt32(e, b);
        w(e, a, s, Shl)
    })
}
pub fn srlw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| {
        let s = shamt32(e, b);
        let a = e.zext(a, 32);
        w(e, a, s, ShrU)
    })
}
pub fn sraw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| {
        let s = shamt32(e, b);
        let a = e.sext(a, 32);
        w(e, a, s, ShrS)
    })
}

/// FENCE orders memory between harts: a full host barrier.
/// The host (x86-64 and the like are TSO: loads are not reordered with
/// loads, nor stores with stores or earlier loads) needs a barrier only to
/// order earlier stores before later loads; every other RISC-V fence is
/// already what the host does. Device I/O goes through helpers, in order.
pub fn fence<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    let (pred, succ) = ((i.bits >> 24) & 0xf, (i.bits >> 20) & 0xf);
    const W: u32 = 1;
    const R: u32 = 2;
    if cfg!(any(target_arch = "x86_64", target_arch = "x86")) && (pred & W == 0 || succ & R == 0) {
        return Ok(());
    }
    e.fence()
}
