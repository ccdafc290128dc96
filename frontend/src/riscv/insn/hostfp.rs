//! Host-FPU fast paths for the common cases of the F and D operations.
//!
//! IEEE 754 makes +, -, *, /, sqrt, fused multiply-add and conversions
//! correctly rounded, so the host computes exactly SoftFloat's result in
//! round-to-nearest-even (the host's default mode, which Rust code never
//! changes). What the host does not give cheaply is the exception flags, so a
//! fast path is taken only where they are known:
//! - operands are zero or normal: no NaN (RISC-V's NaN rules differ from the
//!   host's), no infinity, no subnormal;
//! - arithmetic results are zero where that is exact, or finite and above the
//!   smallest normal, so neither overflow, underflow (tininess is detected
//!   after rounding) nor invalid happened; inexact is either already set in
//!   fflags, where it is sticky (QEMU's "hardfloat" bets on that and nothing
//!   else), or found from the rounding error, which is itself a float away
//!   from the bottom of the range (TwoSum for sums, the fused multiply-add
//!   residual for products, quotients and roots);
//! - conversions and compares compute their flags exactly.
//!
//! Everything else returns `None` and goes to SoftFloat.

use super::fpu::{op::*, BOX};

/// Inexact, the only flag a fast path ever raises.
pub const NX: u64 = 1;

macro_rules! host_float {
    ($name:ident, $t:ident, $u:ident, boxed $boxed:expr) => {
        /// `OP` (see `fpu::op`) on register values, with the rounding mode
        /// `rm` already resolved and `c` the addend of the fused operations;
        /// `nx` says whether inexact is already set in fflags. Returns the
        /// register value and the flags to accrue.
        #[inline(always)]
        pub fn $name<const OP: u8>(a: u64, b: u64, c: u64, rm: u8, nx: bool) -> Option<(u64, u64)> {
            let op = OP;
            const MIN_NORMAL: $t = $t::MIN_POSITIVE;
            let unbox = |r: u64| -> Option<$t> {
                if $boxed && r & BOX != BOX {
                    return None;
                }
                Some($t::from_bits(r as $u))
            };
            let put = |v: $t| -> u64 { u64::from(v.to_bits()) | if $boxed { BOX } else { 0 } };
            // Zero or normal.
            let plain = |r: u64| unbox(r).filter(|v| *v == 0.0 || v.is_normal());
            match op {
                ADD | SUB | MUL | DIV | SQRT | MADD | MSUB | NMSUB | NMADD => {
                    if rm != 0 || (!nx && !matches!(op, ADD | SUB | MUL | DIV | SQRT)) {
                        return None;
                    }
                    let x = plain(a)?;
                    let r = match op {
                        ADD => x + plain(b)?,
                        SUB => x - plain(b)?,
                        MUL => {
                            let y = plain(b)?;
                            let r = x * y;
                            if r == 0.0 && x != 0.0 && y != 0.0 {
                                return None; // underflow
                            }
                            r
                        }
                        DIV => {
                            let y = plain(b)?;
                            if y == 0.0 {
                                return None; // divide by zero or invalid
                            }
                            let r = x / y;
                            if r == 0.0 && x != 0.0 {
                                return None; // underflow
                            }
                            r
                        }
                        SQRT => {
                            if x < 0.0 {
                                return None; // invalid
                            }
                            x.sqrt()
                        }
                        _ => {
                            let (y, z) = (plain(b)?, plain(c)?);
                            let p = if matches!(op, NMSUB | NMADD) { -x } else { x };
                            let z = if matches!(op, MSUB | NMADD) { -z } else { z };
                            let r = p.mul_add(y, z);
                            if r == 0.0 {
                                return None; // exact or underflow: let SoftFloat tell
                            }
                            r
                        }
                    };
                    // Zero here is exact (a sum of opposites, or a zero operand).
                    if r == 0.0 {
                        return Some((put(r), 0));
                    }
                    if !r.is_finite() || r.abs() <= MIN_NORMAL {
                        return None;
                    }
                    if nx {
                        return Some((put(r), 0));
                    }
                    // Far enough from the bottom of the range that the error
                    // of the product (or of q*y, r*r) is a float itself.
                    let low = MIN_NORMAL * $t::powi(2.0, $t::MANTISSA_DIGITS as i32 + 2);
                    let exact = match op {
                        // TwoSum: the error of a rounded sum is exact in floats.
                        ADD | SUB => {
                            let y = if op == SUB { -plain(b)? } else { plain(b)? };
                            let yy = r - x;
                            (x - (r - yy)) + (y - yy) == 0.0
                        }
                        MUL => {
                            (r.abs() >= low).then_some(())?;
                            x.mul_add(plain(b)?, -r) == 0.0
                        }
                        DIV => {
                            (x.abs() >= low).then_some(())?;
                            r.mul_add(plain(b)?, -x) == 0.0
                        }
                        _ => {
                            (x >= low).then_some(())?;
                            r.mul_add(r, -x) == 0.0
                        }
                    };
                    Some((put(r), if exact { 0 } else { NX }))
                }
                EQ | LT | LE | MIN | MAX => {
                    let (x, y) = (unbox(a)?, unbox(b)?);
                    if x.is_nan() || y.is_nan() {
                        return None;
                    }
                    let v = match op {
                        EQ => u64::from(x == y),
                        LT => u64::from(x < y),
                        LE => u64::from(x <= y),
                        // -0 counts as less than +0.
                        MIN => put(if x < y || (x == y && x.is_sign_negative()) { x } else { y }),
                        _ => put(if y < x || (x == y && y.is_sign_negative()) { x } else { y }),
                    };
                    Some((v, 0))
                }
                TO_INT => {
                    let x = unbox(a)?;
                    if !x.is_finite() {
                        return None;
                    }
                    let r = match rm {
                        0 => x.round_ties_even(),
                        1 => x.trunc(),
                        2 => x.floor(),
                        3 => x.ceil(),
                        _ => x.round(), // ties away from zero
                    };
                    // Integral and exact in f64: compare against exact bounds.
                    let w = r as f64;
                    let v = match c {
                        0 if (-2147483648.0..=2147483647.0).contains(&w) => w as i32 as i64 as u64,
                        1 if (0.0..=4294967295.0).contains(&w) => w as u32 as i32 as i64 as u64,
                        2 if (-9223372036854775808.0..9223372036854775808.0).contains(&w) => w as i64 as u64,
                        3 if (0.0..18446744073709551616.0).contains(&w) => w as u64,
                        _ => return None, // invalid: saturation rules
                    };
                    Some((v, if r == x { 0 } else { NX }))
                }
                FROM_INT => {
                    let v: i128 = match c {
                        0 => i128::from(a as i32),
                        1 => i128::from(a as u32),
                        2 => i128::from(a as i64),
                        _ => i128::from(a),
                    };
                    let r = v as $t;
                    let exact = r as i128 == v;
                    (exact || rm == 0).then(|| (put(r), if exact { 0 } else { NX }))
                }
                _ => None,
            }
        }
    };
}

host_float!(fast_f32, f32, u32, boxed true);
host_float!(fast_f64, f64, u64, boxed false);

/// fcvt.d.s (`to_double`) or fcvt.s.d, on register values.
#[inline(always)]
pub fn fast_convert(a: u64, to_double: bool, rm: u8) -> Option<(u64, u64)> {
    if to_double {
        if a & BOX != BOX {
            return None;
        }
        let x = f32::from_bits(a as u32);
        // Every single is exactly a double; NaNs need RISC-V's canonical NaN.
        return (!x.is_nan()).then(|| ((x as f64).to_bits(), 0));
    }
    let x = f64::from_bits(a);
    if rm != 0 || !x.is_finite() {
        return None;
    }
    let r = x as f32; // round to nearest even
    let ok = if r == 0.0 { x == 0.0 } else { r.is_finite() && r.abs() > f32::MIN_POSITIVE };
    ok.then(|| (u64::from(r.to_bits()) | BOX, if r as f64 == x { 0 } else { NX }))
}

#[cfg(test)]
mod tests {
    use super::super::fpu::{Float, D, S};
    use super::*;

    /// Flags SoftFloat raises for `f` (the fast path must agree whenever it answers).
    fn soft<T>(f: impl FnOnce() -> T) -> (T, u64) {
        // SAFETY: SoftFloat's thread-local mode and flags.
        unsafe {
            softfloat_sys::softfloat_roundingMode_write_helper(0);
            softfloat_sys::softfloat_exceptionFlags_write_helper(0);
            softfloat_sys::softfloat_detectTininess_write_helper(softfloat_sys::softfloat_tininess_afterRounding as _);
        }
        let v = f();
        // SAFETY: as above.
        let fl = unsafe { softfloat_sys::softfloat_exceptionFlags_read_helper() };
        (v, u64::from(fl) & 0x1f)
    }

    type Fast = fn(u64, u64, u64, u8, bool) -> Option<(u64, u64)>;

    fn d(v: f64) -> u64 {
        v.to_bits()
    }
    fn s(v: f32) -> u64 {
        u64::from(v.to_bits()) | BOX
    }

    #[test]
    fn arithmetic_matches_softfloat_where_it_answers() {
        let vals = [0.0, -0.0, 1.0, -1.5, 3.0, 1e-300, 1e300, f64::MIN_POSITIVE, 0.1, 7.25, 2.0f64.powi(-1022) * 1.5];
        for &x in &vals {
            for &y in &vals {
                for (op, soft_op, fast) in [
                    (ADD, D::add as fn(u64, u64) -> u64, fast_f64::<ADD> as Fast),
                    (SUB, D::sub, fast_f64::<SUB>),
                    (MUL, D::mul, fast_f64::<MUL>),
                    (DIV, D::div, fast_f64::<DIV>),
                ] {
                    let (want, flags) = soft(|| soft_op(d(x), d(y)));
                    if let Some((v, f)) = fast(d(x), d(y), 0, 0, true) {
                        assert_eq!((v, f), (want, 0), "op {op} {x} {y}");
                        assert_eq!(flags & !NX, 0, "op {op} {x} {y}: SoftFloat raised {flags:#x}");
                    }
                    // Without inexact accrued, the flags must be exactly SoftFloat's.
                    if let Some(got) = fast(d(x), d(y), 0, 0, false) {
                        assert_eq!(got, (want, flags), "op {op} {x} {y}, inexact not yet set");
                    }
                }
            }
        }
        // Underflow and overflow are left to SoftFloat.
        assert!(fast_f64::<MUL>(d(1e-300), d(1e-300), 0, 0, true).is_none());
        assert!(fast_f64::<MUL>(d(1e300), d(1e300), 0, 0, true).is_none());
        assert!(fast_f64::<DIV>(d(1.0), d(0.0), 0, 0, true).is_none());
        assert!(fast_f64::<SQRT>(d(-1.0), 0, 0, 0, true).is_none());
        // Not taken in another rounding mode.
        assert!(fast_f64::<ADD>(d(0.1), d(0.2), 0, 1, true).is_none());
        // Singles must be boxed.
        assert!(fast_f32::<ADD>(0x3f80_0000, s(1.0), 0, 0, true).is_none());
        assert_eq!(fast_f32::<ADD>(s(1.0), s(2.0), 0, 0, true), Some((s(3.0), 0)));
    }

    /// Operands with few significant bits (so many results are exact) over
    /// the whole exponent range, down to where the error test gives up.
    fn operand(seed: &mut u64, bits: u32, frac: u32, emax: i64) -> u64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let r = *seed >> 11;
        let exp = ((r >> 8) as i64 % (2 * emax)) - emax + ((1 << (bits - frac - 2)) - 1);
        let mant = if r & 1 == 0 { (r >> 32) & 0x7 } else { r >> 20 } & ((1 << frac) - 1);
        let mant = if r & 2 == 0 { mant << (frac - 3).min(frac) } else { mant };
        (r >> 2 & 1) << (bits - 1) | (exp.max(0) as u64) << frac | mant
    }

    #[test]
    fn exact_results_raise_no_flags_like_softfloat() {
        let mut seed = 7;
        type Soft = fn(u64, u64) -> u64;
        let cases: [(u8, Fast, Fast, Soft, Soft); 5] = [
            (ADD, fast_f64::<ADD>, fast_f32::<ADD>, D::add, S::add),
            (SUB, fast_f64::<SUB>, fast_f32::<SUB>, D::sub, S::sub),
            (MUL, fast_f64::<MUL>, fast_f32::<MUL>, D::mul, S::mul),
            (DIV, fast_f64::<DIV>, fast_f32::<DIV>, D::div, S::div),
            (SQRT, fast_f64::<SQRT>, fast_f32::<SQRT>, |a, _| D::sqrt(a), |a, _| S::sqrt(a)),
        ];
        // How many answers were exact and inexact, per operation.
        let mut seen = [[0u32; 2]; 5];
        for k in 0..200_000 {
            let (x, y) = (operand(&mut seed, 64, 52, 1100), operand(&mut seed, 64, 52, 1100));
            let (sx, sy) = (operand(&mut seed, 32, 23, 140) | BOX, operand(&mut seed, 32, 23, 140) | BOX);
            let (x, y) = if k % 2 == 0 { (x, y) } else { (x & !0xfff_ffff, y & !0xfff_ffff) };
            for (i, &(op, fast_d, fast_s, dop, sop)) in cases.iter().enumerate() {
                if let Some(got) = fast_d(x, y, 0, 0, false) {
                    assert_eq!(got, soft(|| dop(x, y)), "double op {op} {x:#x} {y:#x}");
                    seen[i][got.1 as usize] += 1;
                }
                if let Some(got) = fast_s(sx, sy, 0, 0, false) {
                    let (v, flags) = soft(|| sop(sx, sy));
                    assert_eq!(got, (v | BOX, flags), "single op {op} {sx:#x} {sy:#x}");
                    seen[i][got.1 as usize] += 1;
                }
            }
        }
        assert!(seen.iter().flatten().all(|&n| n > 1000), "answers exact and inexact: {seen:?}");
    }

    #[test]
    fn fused_ops_match_softfloat() {
        for (x, y, z) in [(0.1, 0.2, 0.3), (1e10, 1e-10, -1.0), (3.0, 7.0, -21.0), (1.5, -2.5, 0.1)] {
            let (want, _) = soft(|| D::mul_add(d(x), d(y), d(z)));
            if let Some((v, _)) = fast_f64::<MADD>(d(x), d(y), d(z), 0, true) {
                assert_eq!(v, want, "{x}*{y}+{z}");
            }
        }
        assert!(fast_f64::<MADD>(d(3.0), d(7.0), d(-21.0), 0, true).is_none(), "zero result goes to SoftFloat");
    }

    #[test]
    fn conversions_compute_exact_flags() {
        for &x in &[0.0, -0.0, 0.5, 1.5, 2.5, -2.5, -0.3, 1e9, 3e9, -3e9, 1e19, 4e19, 123456.789] {
            for rm in 0..5u8 {
                for kind in 0..4u64 {
                    let (want, flags) = soft(|| match kind {
                        0 => D::to_i32(d(x), rm) as i64 as u64,
                        1 => D::to_u32(d(x), rm) as i32 as i64 as u64,
                        2 => D::to_i64(d(x), rm) as u64,
                        _ => D::to_u64(d(x), rm),
                    });
                    if let Some(got) = fast_f64::<TO_INT>(d(x), 0, kind, rm, false) {
                        assert_eq!(got, (want, flags), "fcvt kind {kind} rm {rm} of {x}");
                    }
                }
            }
        }
        for &v in &[0u64, 1, u64::MAX, 1 << 53, (1 << 53) + 1, 0x8000_0000, 0xffff_ffff, 16_777_217] {
            for kind in 0..4u64 {
                let (want, flags) = soft(|| match kind {
                    0 => S::from_i32(v as i32),
                    1 => S::from_u32(v as u32),
                    2 => S::from_i64(v as i64),
                    _ => S::from_u64(v),
                });
                if let Some(got) = fast_f32::<FROM_INT>(v, 0, kind, 0, false) {
                    assert_eq!(got, (S::put(want), flags), "fcvt.s kind {kind} of {v}");
                }
            }
        }
        assert_eq!(fast_convert(d(0.1), false, 0).map(|r| r.1), Some(NX));
        assert_eq!(fast_convert(d(0.5), false, 0), Some((s(0.5), 0)));
        assert!(fast_convert(d(1e-40), false, 0).is_none(), "tiny single goes to SoftFloat");
    }
}
