//! Zba, Zbb, Zbs bit manipulation and Zicond conditional zero.

use super::{r1, ri, rr, R};
use crate::riscv::{Cpu, Insn};
use crate::{BinOp, BinOp::*, Cond, Emitter, UnOp};

fn shadd<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, sh: u64, uw: bool) -> R {
    rr(e, i, |e, a, b| {
        let a = if uw { e.zext(a, 32) } else { a };
        let s = e.imm(sh);
        let a = e.bin(Shl, a, s);
        e.bin(Add, a, b)
    })
}
pub fn sh1add<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    shadd(e, i, 1, false)
}
pub fn sh2add<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    shadd(e, i, 2, false)
}
pub fn sh3add<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    shadd(e, i, 3, false)
}
pub fn add_uw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    shadd(e, i, 0, true)
}
pub fn sh1add_uw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    shadd(e, i, 1, true)
}
pub fn sh2add_uw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    shadd(e, i, 2, true)
}
pub fn sh3add_uw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    shadd(e, i, 3, true)
}
pub fn slli_uw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| {
        let a = e.zext(a, 32);
        e.bin(Shl, a, b)
    })
}

fn inverted<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, op: BinOp) -> R {
    rr(e, i, |e, a, b| {
        let nb = e.un(UnOp::Not, b);
        e.bin(op, a, nb)
    })
}
pub fn andn<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    inverted(e, i, And)
}
pub fn orn<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    inverted(e, i, Or)
}
pub fn xnor<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    inverted(e, i, Xor)
}
pub fn clz<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    r1(e, i, |e, a| e.un(UnOp::Clz, a))
}
pub fn ctz<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    r1(e, i, |e, a| e.un(UnOp::Ctz, a))
}
pub fn cpop<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    r1(e, i, |e, a| e.un(UnOp::Popcnt, a))
}
pub fn clzw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    // Move the word to the top; the sentinel bit caps the count at 32.
    r1(e, i, |e, a| {
        let s = e.imm(32);
        let hi = e.bin(Shl, a, s);
        let sentinel = e.imm(1 << 31);
        let v = e.bin(Or, hi, sentinel);
        e.un(UnOp::Clz, v)
    })
}
pub fn ctzw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    r1(e, i, |e, a| {
        let sentinel = e.imm(1 << 32);
        let v = e.bin(Or, a, sentinel);
        e.un(UnOp::Ctz, v)
    })
}
pub fn cpopw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    r1(e, i, |e, a| {
        let v = e.zext(a, 32);
        e.un(UnOp::Popcnt, v)
    })
}
pub fn max<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(MaxS, a, b))
}
pub fn maxu<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(MaxU, a, b))
}
pub fn min<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(MinS, a, b))
}
pub fn minu<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(MinU, a, b))
}
pub fn sext_b<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    r1(e, i, |e, a| e.sext(a, 8))
}
pub fn sext_h<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    r1(e, i, |e, a| e.sext(a, 16))
}
pub fn zext_h<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    r1(e, i, |e, a| e.zext(a, 16))
}
pub fn rol<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(Rotl, a, b))
}
pub fn ror<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| e.bin(Rotr, a, b))
}
pub fn rori<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| e.bin(Rotr, a, b))
}
/// 32-bit rotate: rotate the word duplicated into both halves, keep the low half.
fn rot32<E: Emitter<Cpu = Cpu>>(e: &mut E, a: E::V, b: E::V, op: BinOp) -> E::V {
    let lo = e.zext(a, 32);
    let s32 = e.imm(32);
    let hi = e.bin(Shl, lo, s32);
    let both = e.bin(Or, hi, lo);
    let m = e.imm(31);
    let amt = e.bin(And, b, m);
    let r = e.bin(op, both, amt);
    e.sext(r, 32)
}
pub fn rolw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| rot32(e, a, b, Rotl))
}
pub fn rorw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| rot32(e, a, b, Rotr))
}
pub fn roriw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| rot32(e, a, b, Rotr))
}
pub fn orc_b<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    // Each byte becomes 0xff if any of its bits is set: spread bits within
    // bytes with shifts masked to stay inside the byte, then multiply out.
    r1(e, i, |e, a| {
        let mut v = a;
        for (sh, mask) in [(1u64, 0x7f7f_7f7f_7f7f_7f7fu64), (2, 0x3f3f_3f3f_3f3f_3f3f), (4, 0x0f0f_0f0f_0f0f_0f0f)] {
            let s = e.imm(sh);
            let m = e.imm(mask);
            let shifted = e.bin(ShrU, v, s);
            let part = e.bin(And, shifted, m);
            v = e.bin(Or, v, part);
        }
        let low = e.imm(0x0101_0101_0101_0101);
        let bits = e.bin(And, v, low);
        let ff = e.imm(0xff);
        e.bin(Mul, bits, ff)
    })
}
pub fn rev8<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    r1(e, i, |e, a| e.un(UnOp::Bswap, a))
}

fn bit<E: Emitter<Cpu = Cpu>>(e: &mut E, b: E::V) -> E::V {
    let one = e.imm(1);
    e.bin(Shl, one, b)
}
pub fn bclr<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| {
        let m = bit(e, b);
        let nm = e.un(UnOp::Not, m);
        e.bin(And, a, nm)
    })
}
pub fn bclri<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| {
        let m = bit(e, b);
        let nm = e.un(UnOp::Not, m);
        e.bin(And, a, nm)
    })
}
fn extract<E: Emitter<Cpu = Cpu>>(e: &mut E, a: E::V, b: E::V) -> E::V {
    let s = e.bin(ShrU, a, b);
    let one = e.imm(1);
    e.bin(And, s, one)
}
pub fn bext<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, extract)
}
pub fn bexti<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, extract)
}
pub fn binv<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| {
        let m = bit(e, b);
        e.bin(Xor, a, m)
    })
}
pub fn binvi<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| {
        let m = bit(e, b);
        e.bin(Xor, a, m)
    })
}
pub fn bset<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    rr(e, i, |e, a, b| {
        let m = bit(e, b);
        e.bin(Or, a, m)
    })
}
pub fn bseti<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    ri(e, i, |e, a, b| {
        let m = bit(e, b);
        e.bin(Or, a, m)
    })
}

fn czero<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, c: Cond) -> R {
    rr(e, i, |e, a, b| {
        let zero = e.imm(0);
        let keep = e.cmp(c, b, zero);
        e.select(keep, a, zero)
    })
}
pub fn czero_eqz<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    czero(e, i, Cond::Ne)
}
pub fn czero_nez<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    czero(e, i, Cond::Eq)
}
