//! Inline fast paths for the F and D instructions.
//!
//! The common case of an FP instruction runs as one host FPU operation in
//! the emitted code, guarded by checks under which the host's result is
//! exactly SoftFloat's and the instruction raises no flag that is not set
//! already: round-to-nearest-even with inexact already accrued (as QEMU's
//! hardfloat assumes), a normal result larger than the smallest normal (so
//! no overflow, underflow, invalid operation or division by zero happened),
//! properly NaN-boxed single operands, and the FP state already dirty. Exact
//! operations (widening, small integers to FP, compares of ordered values)
//! need no rounding-mode or inexact check. When a check fails, the helper
//! runs ([`Emitter::call_unless`]).

use super::fpu::{op, Float, BOX};
use super::hostfp::NX;
use crate::riscv::csr::{FRM_MASK, FRM_SHIFT};
use crate::riscv::{Insn, Mode};
use crate::{BinOp, Cond, Emitter, FCond, FpOp};

/// The guard and value for [`Emitter::call_unless`] computing `OP` in
/// precision `F` on the operands the helper gets, or `None` if this
/// instruction always takes the helper.
pub fn guarded<E: Emitter, F: Float, const OP: u8>(
    e: &mut E,
    i: &Insn,
    a: E::V,
    b: E::V,
    c: E::V,
) -> Option<Guard<E::V>> {
    use op::*;
    if Mode(e.mode()).fs() != 3 {
        return None; // the helper marks the state dirty
    }
    let double = F::BITS == 64;
    let rm = i.rm();
    let (ok, v) = match OP {
        ADD | SUB | MUL | DIV | SQRT | MADD | MSUB | NMSUB | NMADD => {
            let fused = !matches!(OP, ADD | SUB | MUL | DIV | SQRT);
            let st = rounds_nearest(e, rm)?;
            let sign = e.imm(F::SIGN);
            // The negated forms: -(a*b) = (-a)*b, and -c, both exact.
            let a = if matches!(OP, NMSUB | NMADD) { e.bin(BinOp::Xor, a, sign) } else { a };
            let c = if matches!(OP, MSUB | NMADD) { e.bin(BinOp::Xor, c, sign) } else { c };
            let hop = match OP {
                ADD => FpOp::Add,
                SUB => FpOp::Sub,
                MUL => FpOp::Mul,
                DIV => FpOp::Div,
                SQRT => FpOp::Sqrt,
                _ => FpOp::MulAdd,
            };
            let r = e.fp(hop, double, [a, b, c]);
            let n = no_flags::<E, F, OP>(e, r);
            let mut ok = e.bin(BinOp::And, st, n);
            let mut bx = None;
            if F::BOXED {
                let all = match hop {
                    FpOp::Sqrt => a,
                    FpOp::MulAdd => {
                        let both = e.bin(BinOp::And, a, b);
                        e.bin(BinOp::And, both, c)
                    }
                    _ => e.bin(BinOp::And, a, b),
                };
                let flag = boxed(e, all);
                ok = e.bin(BinOp::And, ok, flag);
                bx = Some(flag);
            }
            // Code translated while inexact was not accrued (and so likely
            // runs so): an exact result raises no flag either. A product
            // with a zero factor is an exact zero, common enough in real
            // data to deserve a second look too.
            let exact = !Mode(e.mode()).inexact_accrued();
            if !fused && (exact || OP == MUL) {
                let retry = Retry { a, b, r, boxed: bx, rm, exact };
                return Some(Guard { ok, value: put::<E, F>(e, r), retry: Some(retry) });
            }
            (ok, put::<E, F>(e, r))
        }
        // fcvt.s.d rounds; fcvt.d.s is exact.
        CONVERT if double => {
            let st = rounds_nearest(e, rm)?;
            let r = e.fp(FpOp::Convert, true, [a, a, a]);
            let n = normal::<E, super::fpu::S>(e, r);
            let bx = e.imm(BOX);
            (e.bin(BinOp::And, st, n), e.bin(BinOp::Or, r, bx))
        }
        CONVERT => {
            let st = valid_rm(e, rm);
            let r = e.fp(FpOp::Convert, false, [a, a, a]);
            let n = normal::<E, super::fpu::D>(e, r);
            let bx = boxed(e, a);
            let ok = e.bin(BinOp::And, st, n);
            (e.bin(BinOp::And, ok, bx), r)
        }
        // Integers that convert exactly (at most 2^precision in magnitude).
        FROM_INT => {
            let st = valid_rm(e, rm);
            let exact = 1u64 << (F::FRAC + 1);
            let (v, fits) = match i.rs2 {
                0 | 1 => {
                    let v = if i.rs2 == 0 { e.sext(a, 32) } else { e.zext(a, 32) };
                    let fits = if double { e.imm(1) } else { in_range(e, v, exact) };
                    (v, fits)
                }
                2 => (a, in_range(e, a, exact)),
                _ => {
                    let lim = e.imm(exact + 1);
                    (a, e.cmp(Cond::LtU, a, lim))
                }
            };
            let r = e.fp(FpOp::FromInt, double, [v, v, v]);
            (e.bin(BinOp::And, st, fits), put::<E, F>(e, r))
        }
        // Truncation (rm = RTZ, what C casts compile to) of values in range.
        TO_INT if rm == 1 => {
            let st = inexact_accrued(e);
            let (lo, hi) = match i.rs2 {
                0 => (None, 31),
                1 => (Some(-1.0), 32),
                2 => (None, 63),
                _ => (Some(-1.0), 63),
            };
            let hi = e.imm(fconst::<F>(2f64.powi(hi)));
            let mut ok = if lo.is_some() {
                e.fcmp(FCond::Lt, double, a, hi)
            } else {
                let mag = e.imm(F::SIGN - 1);
                let abs = e.bin(BinOp::And, a, mag);
                e.fcmp(FCond::Lt, double, abs, hi)
            };
            if let Some(lo) = lo {
                let lo = e.imm(fconst::<F>(lo));
                let above = e.fcmp(FCond::Lt, double, lo, a);
                ok = e.bin(BinOp::And, ok, above);
            }
            ok = e.bin(BinOp::And, ok, st);
            if F::BOXED {
                let bx = boxed(e, a);
                ok = e.bin(BinOp::And, ok, bx);
            }
            let r = e.fp(FpOp::ToInt, double, [a, a, a]);
            let r = if i.rs2 < 2 { e.sext(r, 32) } else { r };
            (ok, r)
        }
        EQ | LT | LE => {
            let ok = ordered::<E, F>(e, a, b);
            let c = match OP {
                EQ => FCond::Eq,
                LT => FCond::Lt,
                _ => FCond::Le,
            };
            (ok, e.fcmp(c, double, a, b))
        }
        // Ordered operands: no flag; the smaller (larger), -0 below +0 (the
        // bits of equal values OR-ed (AND-ed) give exactly that).
        MIN | MAX => {
            let ok = ordered::<E, F>(e, a, b);
            let a_lt = e.fcmp(FCond::Lt, double, a, b);
            let b_lt = e.fcmp(FCond::Lt, double, b, a);
            let v = if OP == MIN {
                let tie = e.bin(BinOp::Or, a, b);
                let r = e.select(b_lt, b, tie);
                e.select(a_lt, a, r)
            } else {
                let tie = e.bin(BinOp::And, a, b);
                let r = e.select(a_lt, b, tie);
                e.select(b_lt, a, r)
            };
            (ok, v)
        }
        // Bits only, never a flag: always inline.
        CLASS => (e.imm(1), class::<E, F>(e, a)),
        _ => return None,
    };
    Some(Guard { ok, value: v, retry: None })
}

/// A guarded fast path ([`guarded`]).
pub struct Guard<V> {
    pub ok: V,
    pub value: V,
    /// For `ok`s that also want inexact accrued: what [`retry`] needs to
    /// accept the value anyway when it is exact ([`Emitter::call_unless_or`]).
    pub retry: Option<Retry<V>>,
}

pub struct Retry<V> {
    a: V,
    b: V,
    r: V,
    boxed: Option<V>,
    rm: u32,
    /// Accept any exact result (else only a product's exact zero).
    exact: bool,
}

/// The second chance of a [`Guard`]: round-to-nearest-even (and boxed
/// operands) as before, and either a result that raised no flag but is
/// exact instead of inexact accrued, or a zero product of a zero factor.
pub fn retry<E: Emitter, F: Float, const OP: u8>(e: &mut E, rt: &Retry<E::V>) -> E::V {
    let st = nearest_even(e, rt.rm).unwrap_or_else(|| e.imm(0));
    let mut chance = e.imm(0);
    if rt.exact {
        let x = exact::<E, F, OP>(e, rt.a, rt.b, rt.r);
        // Worked out again rather than kept alive from the main line.
        let n = no_flags::<E, F, OP>(e, rt.r);
        chance = e.bin(BinOp::And, n, x);
    }
    if OP == op::MUL {
        // 0 * finite is an exact zero; a zero from non-zero factors underflowed.
        // (Compared as floats, so an emitter holding them in FP registers
        // need not move them.)
        let zero = e.imm(0);
        let double = F::BITS == 64;
        let [a, b, r] = [rt.a, rt.b, rt.r].map(|v| e.fcmp(FCond::Eq, double, v, zero));
        let factor = e.bin(BinOp::Or, a, b);
        let z = e.bin(BinOp::And, r, factor);
        chance = e.bin(BinOp::Or, chance, z);
    }
    let ok = e.bin(BinOp::And, st, chance);
    match rt.boxed {
        Some(bx) => e.bin(BinOp::And, ok, bx),
        None => ok,
    }
}

/// 1 if neither operand is a NaN (and both singles are boxed): compares,
/// minimum and maximum then raise no flag.
fn ordered<E: Emitter, F: Float>(e: &mut E, a: E::V, b: E::V) -> E::V {
    let uno = e.fcmp(FCond::Unordered, F::BITS == 64, a, b);
    let zero = e.imm(0);
    let ok = e.cmp(Cond::Eq, uno, zero);
    if !F::BOXED {
        return ok;
    }
    let both = e.bin(BinOp::And, a, b);
    let bx = boxed(e, both);
    e.bin(BinOp::And, ok, bx)
}

/// fclass: one bit for the class of `a` (see `fpu::class`), computed with
/// compares and selects; an improperly boxed single is the canonical NaN.
fn class<E: Emitter, F: Float>(e: &mut E, a: E::V) -> E::V {
    let bits = if F::BOXED {
        let low = e.imm(0xffff_ffff);
        let v = e.bin(BinOp::And, a, low);
        let nan = e.imm(F::NAN);
        let bx = boxed(e, a);
        e.select(bx, v, nan)
    } else {
        a
    };
    let exp_max = (1u64 << (F::BITS - 1 - F::FRAC)) - 1;
    let sh = e.imm(u64::from(F::FRAC));
    let shifted = e.bin(BinOp::ShrU, bits, sh);
    let em = e.imm(exp_max);
    let exp = e.bin(BinOp::And, shifted, em);
    let fm = e.imm((1 << F::FRAC) - 1);
    let frac = e.bin(BinOp::And, bits, fm);
    let zero = e.imm(0);
    let e_zero = e.cmp(Cond::Eq, exp, zero);
    let e_max = e.cmp(Cond::Eq, exp, em);
    let f_zero = e.cmp(Cond::Eq, frac, zero);
    // Positive classes: zero 4, subnormal 5, normal 6, infinity 7.
    let (c4, c5, c6, c7) = (e.imm(4), e.imm(5), e.imm(6), e.imm(7));
    let small = e.select(f_zero, c4, c5);
    let finite = e.select(e_zero, small, c6);
    let pos = e.select(e_max, c7, finite);
    // Negative ones mirror them: 7 - class.
    let mirrored = e.bin(BinOp::Sub, c7, pos);
    let sign_at = e.imm(u64::from(F::BITS - 1));
    let neg = e.bin(BinOp::ShrU, bits, sign_at);
    let idx = e.select(neg, mirrored, pos);
    // NaNs: 8 signalling, 9 quiet (the top fraction bit).
    let q_at = e.imm(u64::from(F::FRAC - 1));
    let quiet = e.bin(BinOp::ShrU, frac, q_at);
    let c8 = e.imm(8);
    let nan_idx = e.bin(BinOp::Add, c8, quiet);
    let f_some = e.cmp(Cond::Ne, frac, zero);
    let is_nan = e.bin(BinOp::And, e_max, f_some);
    let idx = e.select(is_nan, nan_idx, idx);
    let one = e.imm(1);
    e.bin(BinOp::Shl, one, idx)
}

/// 1 if the instruction rounds to nearest-even and inexact is accrued;
/// `None` for static rounding modes other than RNE.
fn rounds_nearest<E: Emitter>(e: &mut E, rm: u32) -> Option<E::V> {
    match rm {
        0 => Some(inexact_accrued(e)),
        7 => {
            // frm (bits 5-7) = RNE and NX
            let s = e.fp_status();
            let m = e.imm((FRM_MASK << FRM_SHIFT) | NX);
            let t = e.bin(BinOp::And, s, m);
            let one = e.imm(NX);
            Some(e.cmp(Cond::Eq, t, one))
        }
        _ => None,
    }
}

/// 1 if the instruction rounds to nearest-even (statically, or frm says so);
/// `None` for other static rounding modes.
fn nearest_even<E: Emitter>(e: &mut E, rm: u32) -> Option<E::V> {
    match rm {
        0 => Some(e.imm(1)),
        7 => {
            let s = e.fp_status();
            let m = e.imm(FRM_MASK << FRM_SHIFT);
            let t = e.bin(BinOp::And, s, m);
            let zero = e.imm(0);
            Some(e.cmp(Cond::Eq, t, zero))
        }
        _ => None,
    }
}

/// 1 if the rounded result `r` of `OP` on `a` and `b` is exact: its
/// rounding error, which is a float itself, is zero. For a sum that error
/// is TwoSum's; for a product (and q*b for a quotient, r*r for a root) it is
/// the fused multiply-add residual, a float when the operands are far
/// enough from the bottom of the range (else 0 here, and the helper decides).
fn exact<E: Emitter, F: Float, const OP: u8>(e: &mut E, a: E::V, b: E::V, r: E::V) -> E::V {
    use op::*;
    let double = F::BITS == 64;
    let sign = e.imm(F::SIGN);
    let zero = e.imm(0);
    if matches!(OP, ADD | SUB) {
        let y = if OP == SUB { e.bin(BinOp::Xor, b, sign) } else { b };
        let yy = e.fp(FpOp::Sub, double, [r, a, a]);
        let t = e.fp(FpOp::Sub, double, [r, yy, yy]);
        let e1 = e.fp(FpOp::Sub, double, [a, t, t]);
        let e2 = e.fp(FpOp::Sub, double, [y, yy, yy]);
        let err = e.fp(FpOp::Add, double, [e1, e2, e2]);
        return e.fcmp(FCond::Eq, double, err, zero);
    }
    // MUL: a*b - r; DIV: r*b - a; SQRT: r*r - a.
    let (x, y, z) = match OP {
        MUL => (a, b, r),
        DIV => (r, b, a),
        _ => (r, r, a),
    };
    let neg_z = e.bin(BinOp::Xor, z, sign);
    let res = e.fp(FpOp::MulAdd, double, [x, y, neg_z]);
    let none = e.fcmp(FCond::Eq, double, res, zero);
    // |z| >= 2^(emin + precision + 2): biased exponent FRAC + 4.
    let mag = e.imm(F::SIGN - 1);
    let abs = e.bin(BinOp::And, z, mag);
    let low = e.imm(u64::from(F::FRAC + 4) << F::FRAC);
    let far = e.cmp(Cond::GeU, abs, low);
    e.bin(BinOp::And, none, far)
}

/// 1 if fflags.NX is set (an inexact result adds no flag).
fn inexact_accrued<E: Emitter>(e: &mut E) -> E::V {
    let s = e.fp_status();
    let m = e.imm(NX);
    let nx = e.bin(BinOp::And, s, m);
    let zero = e.imm(0);
    e.cmp(Cond::Ne, nx, zero)
}

/// 1 unless the rounding mode is dynamic and frm holds a reserved value
/// (the helper raises illegal instruction then).
fn valid_rm<E: Emitter>(e: &mut E, rm: u32) -> E::V {
    if rm != 7 {
        return e.imm(1);
    }
    let s = e.fp_status();
    let lim = e.imm(5 << FRM_SHIFT);
    e.cmp(Cond::LtU, s, lim)
}

/// 1 if the raw result `r` is finite and at least twice the smallest normal
/// in magnitude (its exponent field is neither of the two lowest nor the
/// highest): a result that rounded up to the smallest normal may still have
/// underflowed (tininess is detected after rounding). Shifts and small
/// immediates only, no wide constants.
fn normal<E: Emitter, F: Float>(e: &mut E, r: E::V) -> E::V {
    let max = (1u64 << (F::BITS - 1 - F::FRAC)) - 1;
    let frac = e.imm(u64::from(F::FRAC));
    let ex = e.bin(BinOp::ShrU, r, frac);
    let mask = e.imm(max);
    let ex = e.bin(BinOp::And, ex, mask);
    let two = e.imm(2);
    let t = e.bin(BinOp::Sub, ex, two);
    let span = e.imm(max - 2);
    e.cmp(Cond::LtU, t, span)
}

/// 1 if the raw result `r` of `OP` (rounded to nearest-even) shows that no
/// flag but inexact was raised: a finite sum or difference (one too small
/// to be normal is exact, so it never underflows), else a [`normal`] result.
fn no_flags<E: Emitter, F: Float, const OP: u8>(e: &mut E, r: E::V) -> E::V {
    if !matches!(OP, op::ADD | op::SUB) {
        return normal::<E, F>(e, r);
    }
    let max = (1u64 << (F::BITS - 1 - F::FRAC)) - 1;
    let frac = e.imm(u64::from(F::FRAC));
    let ex = e.bin(BinOp::ShrU, r, frac);
    let mask = e.imm(max);
    let ex = e.bin(BinOp::And, ex, mask);
    e.cmp(Cond::Ne, ex, mask)
}

/// 1 if `v`'s upper 32 bits are all ones (a NaN-boxed single).
fn boxed<E: Emitter>(e: &mut E, v: E::V) -> E::V {
    let bx = e.imm(BOX);
    e.cmp(Cond::GeU, v, bx)
}

/// 1 if the signed `v` is within ±`lim`.
fn in_range<E: Emitter>(e: &mut E, v: E::V, lim: u64) -> E::V {
    let bias = e.imm(lim);
    let t = e.bin(BinOp::Add, v, bias);
    let span = e.imm(2 * lim + 1);
    e.cmp(Cond::LtU, t, span)
}

/// A result as a register value (NaN-boxed for singles).
fn put<E: Emitter, F: Float>(e: &mut E, r: E::V) -> E::V {
    if F::BOXED {
        let bx = e.imm(BOX);
        e.bin(BinOp::Or, r, bx)
    } else {
        r
    }
}

/// The raw bits of `x` in precision `F` (`x` must be exact in it).
fn fconst<F: Float>(x: f64) -> u64 {
    if F::BITS == 64 {
        x.to_bits()
    } else {
        u64::from((x as f32).to_bits())
    }
}
