//! Soft-float glue shared by the F and D semantics.
//!
//! Arithmetic goes through one helper, [`fp`], instantiated per precision and
//! operation. It runs Berkeley SoftFloat 3 built with the RISC-V
//! specialisation (canonical NaNs, saturating conversions, tininess after
//! rounding), whose rounding mode and flags are thread-local: each vCPU thread
//! has its own. Moves, sign injection, loads and stores are inline emitter ops.
//!
//! Single-precision values are NaN-boxed in the 64-bit f registers: the upper
//! 32 bits are all ones, and an operand that is not properly boxed reads as
//! the canonical NaN.

use softfloat_sys::{float32_t, float64_t};

use super::system::illegal;
use super::{addr, set_x, x, R};
use super::{fpfast, hostfp};
use crate::riscv::csr::{MSTATUS_FS, MSTATUS_SD};
use crate::riscv::trap::Exception;
use crate::riscv::{Cpu, Insn, Mode, F0};
use crate::{BinOp, Cond, Effects, Emitter};

/// Upper half of a NaN-boxed single.
pub const BOX: u64 = 0xffff_ffff_0000_0000;

/// Operations done by [`fp`]. Those before [`op::NO_RM`] take a rounding mode.
pub mod op {
    pub const ADD: u8 = 0;
    pub const SUB: u8 = 1;
    pub const MUL: u8 = 2;
    pub const DIV: u8 = 3;
    pub const SQRT: u8 = 4;
    /// `a*b + c`; the next three negate the product and/or the addend.
    pub const MADD: u8 = 5;
    pub const MSUB: u8 = 6;
    pub const NMSUB: u8 = 7;
    pub const NMADD: u8 = 8;
    /// To an integer: W, WU, L or LU as selected by the rs2 field.
    pub const TO_INT: u8 = 9;
    /// From an integer register: W, WU, L or LU as selected by the rs2 field.
    pub const FROM_INT: u8 = 10;
    /// To the other precision (fcvt.d.s, fcvt.s.d).
    pub const CONVERT: u8 = 11;
    pub const NO_RM: u8 = 12;
    pub const MIN: u8 = 12;
    pub const MAX: u8 = 13;
    pub const EQ: u8 = 14;
    pub const LT: u8 = 15;
    pub const LE: u8 = 16;
    pub const CLASS: u8 = 17;

    /// The result goes to an integer register.
    pub const fn writes_x(op: u8) -> bool {
        matches!(op, TO_INT | EQ | LT | LE | CLASS)
    }
    /// The operation reads f\[rs2\].
    pub const fn binary(op: u8) -> bool {
        matches!(op, ADD | SUB | MUL | DIV | MADD | MSUB | NMSUB | NMADD | MIN | MAX | EQ | LT | LE)
    }
}

/// Calls a SoftFloat function.
macro_rules! sf {
    ($f:ident($($a:expr),*)) => {
        // SAFETY: SoftFloat functions are plain computations on their
        // arguments and on SoftFloat's thread-local mode and flags.
        unsafe { softfloat_sys::$f($($a),*) }
    };
}

/// A floating-point format, as raw bits in a `u64`.
pub trait Float: 'static {
    /// Width in bits.
    const BITS: u32;
    /// Width of the fraction field.
    const FRAC: u32;
    /// Single-precision values are NaN-boxed in the registers.
    const BOXED: bool;
    /// The canonical NaN.
    const NAN: u64;
    const SIGN: u64 = 1 << (Self::BITS - 1);

    /// The operand in a register (the canonical NaN if not properly boxed).
    fn get(reg: u64) -> u64 {
        if Self::BOXED && reg & BOX != BOX {
            Self::NAN
        } else if Self::BOXED {
            reg & 0xffff_ffff
        } else {
            reg
        }
    }
    /// A result as a register value.
    fn put(v: u64) -> u64 {
        if Self::BOXED {
            v | BOX
        } else {
            v
        }
    }

    fn add(a: u64, b: u64) -> u64;
    fn sub(a: u64, b: u64) -> u64;
    fn mul(a: u64, b: u64) -> u64;
    fn div(a: u64, b: u64) -> u64;
    fn sqrt(a: u64) -> u64;
    fn mul_add(a: u64, b: u64, c: u64) -> u64;
    /// Quiet equality (invalid only for signalling NaNs).
    fn eq(a: u64, b: u64) -> bool;
    /// Signalling compares (invalid for any NaN).
    fn lt(a: u64, b: u64) -> bool;
    fn le(a: u64, b: u64) -> bool;
    fn lt_quiet(a: u64, b: u64) -> bool;
    fn to_i32(a: u64, rm: u8) -> i32;
    fn to_u32(a: u64, rm: u8) -> u32;
    fn to_i64(a: u64, rm: u8) -> i64;
    fn to_u64(a: u64, rm: u8) -> u64;
    fn from_i32(v: i32) -> u64;
    fn from_u32(v: u32) -> u64;
    fn from_i64(v: i64) -> u64;
    fn from_u64(v: u64) -> u64;
    /// To the other precision, as a register value.
    fn convert(a: u64) -> u64;

    fn is_nan(a: u64) -> bool {
        let inf = (Self::SIGN - 1) & !((1 << Self::FRAC) - 1);
        a & (Self::SIGN - 1) > inf
    }
}

macro_rules! float {
    ($p:ident: $t:ident($u:ty), bits $bits:expr, frac $frac:expr, boxed $boxed:expr, nan $nan:expr;
     $add:ident $sub:ident $mul:ident $div:ident $sqrt:ident $fma:ident $eq:ident $lt:ident $le:ident $ltq:ident
     $to_i32:ident $to_u32:ident $to_i64:ident $to_u64:ident
     $from_i32:ident $from_u32:ident $from_i64:ident $from_u64:ident;
     convert $conv:ident $conv_box:expr) => {
        pub struct $p;
        // The integer types of the C interface differ between hosts: keep the casts.
        #[allow(clippy::unnecessary_cast)]
        impl Float for $p {
            const BITS: u32 = $bits;
            const FRAC: u32 = $frac;
            const BOXED: bool = $boxed;
            const NAN: u64 = $nan;
            fn add(a: u64, b: u64) -> u64 {
                sf!($add(w(a), w(b))).v.into()
            }
            fn sub(a: u64, b: u64) -> u64 {
                sf!($sub(w(a), w(b))).v.into()
            }
            fn mul(a: u64, b: u64) -> u64 {
                sf!($mul(w(a), w(b))).v.into()
            }
            fn div(a: u64, b: u64) -> u64 {
                sf!($div(w(a), w(b))).v.into()
            }
            fn sqrt(a: u64) -> u64 {
                sf!($sqrt(w(a))).v.into()
            }
            fn mul_add(a: u64, b: u64, c: u64) -> u64 {
                sf!($fma(w(a), w(b), w(c))).v.into()
            }
            fn eq(a: u64, b: u64) -> bool {
                sf!($eq(w(a), w(b)))
            }
            fn lt(a: u64, b: u64) -> bool {
                sf!($lt(w(a), w(b)))
            }
            fn le(a: u64, b: u64) -> bool {
                sf!($le(w(a), w(b)))
            }
            fn lt_quiet(a: u64, b: u64) -> bool {
                sf!($ltq(w(a), w(b)))
            }
            fn to_i32(a: u64, rm: u8) -> i32 {
                sf!($to_i32(w(a), rm as _, true)) as i32
            }
            fn to_u32(a: u64, rm: u8) -> u32 {
                sf!($to_u32(w(a), rm as _, true)) as u32
            }
            fn to_i64(a: u64, rm: u8) -> i64 {
                sf!($to_i64(w(a), rm as _, true)) as i64
            }
            fn to_u64(a: u64, rm: u8) -> u64 {
                sf!($to_u64(w(a), rm as _, true)) as u64
            }
            fn from_i32(v: i32) -> u64 {
                sf!($from_i32(v)).v.into()
            }
            fn from_u32(v: u32) -> u64 {
                sf!($from_u32(v)).v.into()
            }
            fn from_i64(v: i64) -> u64 {
                sf!($from_i64(v)).v.into()
            }
            fn from_u64(v: u64) -> u64 {
                sf!($from_u64(v)).v.into()
            }
            fn convert(a: u64) -> u64 {
                u64::from(sf!($conv(w(a))).v) | $conv_box
            }
        }
        #[inline]
        fn w(a: u64) -> $t {
            $t { v: a as $u }
        }
    };
}

/// Single precision.
pub mod single {
    use super::*;
    float!(S: float32_t(u32), bits 32, frac 23, boxed true, nan 0x7fc0_0000;
        f32_add f32_sub f32_mul f32_div f32_sqrt f32_mulAdd f32_eq f32_lt f32_le f32_lt_quiet
        f32_to_i32 f32_to_ui32 f32_to_i64 f32_to_ui64 i32_to_f32 ui32_to_f32 i64_to_f32 ui64_to_f32;
        convert f32_to_f64 0);
}
/// Double precision.
pub mod double {
    use super::*;
    float!(D: float64_t(u64), bits 64, frac 52, boxed false, nan 0x7ff8_0000_0000_0000;
        f64_add f64_sub f64_mul f64_div f64_sqrt f64_mulAdd f64_eq f64_lt f64_le f64_lt_quiet
        f64_to_i32 f64_to_ui32 f64_to_i64 f64_to_ui64 i32_to_f64 ui32_to_f64 i64_to_f64 ui64_to_f64;
        convert f64_to_f32 BOX);
}
pub use double::D;
pub use single::S;

/// fclass: one bit set for the class of `a`.
pub fn class<F: Float>(a: u64) -> u64 {
    let neg = a & F::SIGN != 0;
    let exp_max = (1u64 << (F::BITS - 1 - F::FRAC)) - 1;
    let exp = (a >> F::FRAC) & exp_max;
    let frac = a & ((1 << F::FRAC) - 1);
    if exp == exp_max && frac != 0 {
        // Quiet NaN (bit 9) or signalling NaN (bit 8).
        return if frac >> (F::FRAC - 1) != 0 { 1 << 9 } else { 1 << 8 };
    }
    // Counted from -inf upwards; positive classes mirror the negative ones.
    let bit = match (exp, frac) {
        (0, 0) => 3,
        (0, _) => 2,
        _ if exp == exp_max => 0,
        _ => 1,
    };
    1 << if neg { bit } else { 7 - bit }
}

/// The rounding mode for the instruction's rm field, `None` if it is reserved.
fn rounding(cpu: &Cpu, rm_field: u64) -> Option<u8> {
    let rm = match rm_field {
        7 => cpu.csr.frm(),
        rm => rm,
    };
    (rm <= 4).then_some(rm as u8)
}

/// The FP helper of everything but the fused multiply-adds:
/// `(f[rs1] or x[rs1], f[rs2], raw) -> rd`.
///
/// The instruction bits `raw` give the rounding mode and the integer width
/// of conversions (rs2 field); FP computational instructions have no
/// compressed forms. Accrues the exception flags and marks the FP state
/// dirty. Returns the value for rd: NaN-boxed if it is a single-precision f
/// register. Touches no guest register, so the JIT keeps them in host
/// registers across the call.
pub extern "C" fn fp<F: Float, const OP: u8>(cpu: &mut Cpu, a: u64, b: u64, raw: u64, pc: u64) -> u64 {
    let rm = if OP < op::NO_RM {
        match rounding(cpu, (raw >> 12) & 7) {
            Some(rm) => rm,
            None => {
                let _ = cpu.raise::<()>(Exception::Illegal, raw, pc);
                return 0;
            }
        }
    } else {
        0
    };
    compute::<F, OP>(cpu, a, b, (raw >> 20) & 3, rm)
}

/// The fused multiply-adds: `(f[rs1], f[rs2], f[rs3]) -> f[rd]`, with the
/// instruction's rm field as `RM` (7 = dynamic).
pub extern "C" fn fma<F: Float, const OP: u8, const RM: u8>(cpu: &mut Cpu, a: u64, b: u64, c: u64, pc: u64) -> u64 {
    match rounding(cpu, u64::from(RM)) {
        Some(rm) => compute::<F, OP>(cpu, a, b, c, rm),
        None => {
            // A reserved dynamic rounding mode; tval is the instruction,
            // fetched again only on this rare path.
            let bits = cpu.fetch_insn(pc).map_or(0, u64::from);
            let _ = cpu.raise::<()>(Exception::Illegal, bits, pc);
            0
        }
    }
}

/// `fma::<F, OP, rm>` for an rm field (5 and 6 are rejected at translation).
fn fma_helper<F: Float, const OP: u8>(rm: u32) -> crate::Helper<Cpu> {
    match rm {
        0 => fma::<F, OP, 0>,
        1 => fma::<F, OP, 1>,
        2 => fma::<F, OP, 2>,
        3 => fma::<F, OP, 3>,
        4 => fma::<F, OP, 4>,
        _ => fma::<F, OP, 7>,
    }
}

/// One operation with the rounding mode resolved; `c` is the addend of the
/// fused operations or the integer kind of conversions.
fn compute<F: Float, const OP: u8>(cpu: &mut Cpu, a: u64, b: u64, c: u64, rm: u8) -> u64 {
    if OP == op::CLASS {
        // Bits only: no flags, no rounding, nothing for SoftFloat to do.
        return class::<F>(F::get(a));
    }
    // A commit log shows every flag an operation raises, as Spike's does,
    // even when already set: only SoftFloat tells them all.
    let fast = if cpu.trace_csrs.is_some() {
        None
    } else if OP == op::CONVERT {
        hostfp::fast_convert(a, F::BITS == 32, rm)
    } else if F::BITS == 32 {
        hostfp::fast_f32::<OP>(a, b, c, rm, cpu.csr.fcsr & hostfp::NX != 0)
    } else {
        hostfp::fast_f64::<OP>(a, b, c, rm, cpu.csr.fcsr & hostfp::NX != 0)
    };
    let (v, flags) = fast.unwrap_or_else(|| soft::<F, OP>(a, b, c, rm));
    if flags != 0 || !op::writes_x(OP) {
        mark_dirty(cpu);
    }
    if flags != 0 {
        cpu.csr.fcsr |= flags;
        if let Some(log) = &mut cpu.trace_csrs {
            log.push((0x001, cpu.csr.fflags()));
        }
    }
    v
}

/// The operation in SoftFloat: (result, exception flags).
fn soft<F: Float, const OP: u8>(a: u64, b: u64, c: u64, rm: u8) -> (u64, u64) {
    use op::*;
    sf!(softfloat_roundingMode_write_helper(rm as _));
    sf!(softfloat_exceptionFlags_write_helper(0));
    sf!(softfloat_detectTininess_write_helper(softfloat_sys::softfloat_tininess_afterRounding as _));
    let (x, y) = (F::get(a), F::get(b));
    let v = match OP {
        ADD => F::put(F::add(x, y)),
        SUB => F::put(F::sub(x, y)),
        MUL => F::put(F::mul(x, y)),
        DIV => F::put(F::div(x, y)),
        SQRT => F::put(F::sqrt(x)),
        MADD | MSUB | NMSUB | NMADD => {
            let neg_prod = if matches!(OP, NMSUB | NMADD) { F::SIGN } else { 0 };
            let neg_add = if matches!(OP, MSUB | NMADD) { F::SIGN } else { 0 };
            F::put(F::mul_add(x ^ neg_prod, y, F::get(c) ^ neg_add))
        }
        TO_INT => match c {
            0 => F::to_i32(x, rm) as i64 as u64,
            1 => F::to_u32(x, rm) as i32 as i64 as u64,
            2 => F::to_i64(x, rm) as u64,
            _ => F::to_u64(x, rm),
        },
        FROM_INT => F::put(match c {
            0 => F::from_i32(a as i32),
            1 => F::from_u32(a as u32),
            2 => F::from_i64(a as i64),
            _ => F::from_u64(a),
        }),
        CONVERT => F::convert(x),
        MIN | MAX => {
            let (p, q) = if OP == MIN { (x, y) } else { (y, x) };
            // p < q, with -0 < +0 (the quiet compares still signal sNaNs).
            let x_wins = F::lt_quiet(p, q) || (F::eq(p, q) && p & F::SIGN != 0);
            F::put(match (F::is_nan(x), F::is_nan(y)) {
                (true, true) => F::NAN,
                (false, true) => x,
                (true, false) => y,
                _ if x_wins => x,
                _ => y,
            })
        }
        EQ => F::eq(x, y).into(),
        LT => F::lt(x, y).into(),
        LE => F::le(x, y).into(),
        CLASS => class::<F>(x),
        _ => 0,
    };
    (v, u64::from(sf!(softfloat_exceptionFlags_read_helper())) & 0x1f)
}

/// Sets mstatus.FS to Dirty; a commit log shows the change, as Spike's does.
#[inline]
fn mark_dirty(cpu: &mut Cpu) {
    if cpu.csr.mstatus & MSTATUS_FS != MSTATUS_FS {
        cpu.csr.set_fs_dirty();
        if let Some(log) = &mut cpu.trace_csrs {
            log.push((0x300, cpu.csr.mstatus | MSTATUS_SD));
        }
    }
}

/// Emits an FP operation through [`fp`] or [`fma`].
pub fn arith<E: Emitter<Cpu = Cpu>, F: Float, const OP: u8>(e: &mut E, i: &Insn) -> R {
    let rm = i.rm();
    if OP < op::NO_RM && (rm == 5 || rm == 6) {
        return illegal(e, i);
    }
    // Only a dynamic rounding mode can be found reserved at run time.
    let fx = if OP < op::NO_RM && rm == 7 { Effects::MAY_TRAP } else { Effects::PURE };
    let a = if OP == op::FROM_INT { x(e, i.rs1) } else { e.reg(F0 + usize::from(i.rs1)) };
    let b = if op::binary(OP) { e.reg(F0 + usize::from(i.rs2)) } else { e.imm(0) };
    let fused = matches!(OP, op::MADD | op::MSUB | op::NMSUB | op::NMADD);
    let c = if fused { e.reg(F0 + usize::from(i.rs3)) } else { e.imm(u64::from(i.raw)) };
    let h = if fused { fma_helper::<F, OP>(rm) } else { fp::<F, OP> };
    let v = match fpfast::guarded::<E, F, OP>(e, i, a, b, c) {
        Some(g) => match g.retry {
            Some(rt) => e.call_unless_or(g.ok, g.value, |e| fpfast::retry::<E, F, OP>(e, &rt), h, [a, b, c], fx)?,
            None => e.call_unless(g.ok, g.value, h, [a, b, c], fx)?,
        },
        None => e.call(h, [a, b, c], fx)?,
    };
    if op::writes_x(OP) {
        set_x(e, i.rd, v);
    } else {
        e.set_reg(F0 + usize::from(i.rd), v);
    }
    Ok(())
}

extern "C" fn fs_dirty(cpu: &mut Cpu, _: u64, _: u64, _: u64, _: u64) -> u64 {
    mark_dirty(cpu);
    0
}

/// Writes f\[rd\] from inline code: the FP state becomes dirty.
pub fn set_f<E: Emitter<Cpu = Cpu>>(e: &mut E, rd: u8, v: E::V) -> R {
    e.set_reg(F0 + usize::from(rd), v);
    if Mode(e.mode()).fs() != 3 {
        let z = e.imm(0);
        e.call(fs_dirty, [z, z, z], Effects::PURE)?;
    }
    Ok(())
}

/// f\[r\] as an operand of inline code (a single not properly boxed reads as
/// the boxed canonical NaN).
fn get_f<E: Emitter<Cpu = Cpu>, F: Float>(e: &mut E, r: u8) -> E::V {
    let v = e.reg(F0 + usize::from(r));
    if !F::BOXED {
        return v;
    }
    let bx = e.imm(BOX);
    let ok = e.cmp(Cond::GeU, v, bx);
    let nan = e.imm(BOX | F::NAN);
    e.select(ok, v, nan)
}

/// flw/fld: `size` is 4 or 8.
pub fn load<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, size: u8) -> R {
    let a = addr(e, i);
    let mut v = e.load(a, size, false)?;
    if size == 4 {
        let bx = e.imm(BOX);
        v = e.bin(BinOp::Or, v, bx);
    }
    set_f(e, i.rd, v)
}

/// fsw/fsd store the register's low bits as they are.
pub fn store<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, size: u8) -> R {
    let a = addr(e, i);
    let v = e.reg(F0 + usize::from(i.rs2));
    e.store(a, size, v)
}

/// Sign injection: 0 = fsgnj, 1 = fsgnjn, 2 = fsgnjx.
pub fn sgnj<E: Emitter<Cpu = Cpu>, F: Float>(e: &mut E, i: &Insn, kind: u8) -> R {
    let a = get_f::<E, F>(e, i.rs1);
    let b = get_f::<E, F>(e, i.rs2);
    let sign = e.imm(F::SIGN);
    let v = if kind == 2 {
        let s = e.bin(BinOp::And, b, sign);
        e.bin(BinOp::Xor, a, s)
    } else {
        let b = if kind == 1 { e.un(crate::UnOp::Not, b) } else { b };
        let s = e.bin(BinOp::And, b, sign);
        let mag_mask = e.imm(!F::SIGN);
        let mag = e.bin(BinOp::And, a, mag_mask);
        e.bin(BinOp::Or, mag, s)
    };
    set_f(e, i.rd, v)
}

/// fmv.x.w / fmv.x.d: the raw bits (sign-extended from 32 for .w).
pub fn mv_to_x<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, bits: u8) -> R {
    let v = e.reg(F0 + usize::from(i.rs1));
    let v = if bits < 64 { e.sext(v, bits) } else { v };
    set_x(e, i.rd, v);
    Ok(())
}

/// fmv.w.x / fmv.d.x: the raw bits (NaN-boxed for .w).
pub fn mv_from_x<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, bits: u8) -> R {
    let v = x(e, i.rs1);
    let v = if bits == 32 {
        let v = e.zext(v, 32);
        let bx = e.imm(BOX);
        e.bin(BinOp::Or, v, bx)
    } else {
        v
    };
    set_f(e, i.rd, v)
}

/// Defines semantics functions done by [`fp`], one line each:
/// `fadd_s = S ADD;` is `fadd_s(e, i) = arith::<E, S, { op::ADD }>(e, i)`.
macro_rules! arith_ops {
    ($($name:ident = $f:ident $op:ident;)*) => {$(
        pub fn $name<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
            fpu::arith::<E, fpu::$f, { fpu::op::$op }>(e, i)
        }
    )*};
}
pub(crate) use arith_ops;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use xlate_softmmu::{Bus, Ram};

    use super::*;
    use crate::riscv::decode::{decode, exec};
    use crate::riscv::InstretClock;
    use crate::{GuestCpu, Helper, Stop, UnOp};

    const RAM: u64 = 0x8000_0000;
    const NV: u64 = 16;
    const DZ: u64 = 8;
    const OF: u64 = 4;
    const UF: u64 = 2;
    const NX: u64 = 1;
    const QNAN_S: u64 = BOX | 0x7fc0_0000;
    const QNAN_D: u64 = 0x7ff8_0000_0000_0000;

    /// A minimal interpreting emitter, enough for the F and D semantics.
    struct T<'a> {
        cpu: &'a mut Cpu,
        mode: u32,
        /// Take the inline fast paths where their guards allow.
        fast: bool,
        /// Fast paths taken.
        taken: u32,
    }
    impl Emitter for T<'_> {
        type V = u64;
        type Cpu = Cpu;
        fn pc(&self) -> u64 {
            RAM
        }
        fn insn_len(&self) -> u64 {
            4
        }
        fn mode(&self) -> u32 {
            self.mode
        }
        fn imm(&mut self, v: u64) -> u64 {
            v
        }
        fn reg(&mut self, r: usize) -> u64 {
            self.cpu.regs[r]
        }
        fn set_reg(&mut self, r: usize, v: u64) {
            self.cpu.regs[r] = v;
        }
        fn bin(&mut self, op: BinOp, a: u64, b: u64) -> u64 {
            match op {
                BinOp::Add => a.wrapping_add(b),
                BinOp::Sub => a.wrapping_sub(b),
                BinOp::And => a & b,
                BinOp::Or => a | b,
                BinOp::Xor => a ^ b,
                BinOp::Shl => a << (b & 63),
                BinOp::ShrU => a >> (b & 63),
                _ => unimplemented!("{op:?}"),
            }
        }
        fn un(&mut self, op: UnOp, a: u64) -> u64 {
            match op {
                UnOp::Not => !a,
                _ => unimplemented!("{op:?}"),
            }
        }
        fn cmp(&mut self, c: Cond, a: u64, b: u64) -> u64 {
            match c {
                Cond::GeU => u64::from(a >= b),
                Cond::LtU => u64::from(a < b),
                Cond::Eq => u64::from(a == b),
                Cond::Ne => u64::from(a != b),
                _ => unimplemented!("{c:?}"),
            }
        }
        fn select(&mut self, c: u64, a: u64, b: u64) -> u64 {
            if c != 0 {
                a
            } else {
                b
            }
        }
        fn sext(&mut self, v: u64, bits: u8) -> u64 {
            let s = 64 - u32::from(bits);
            (((v << s) as i64) >> s) as u64
        }
        fn zext(&mut self, v: u64, bits: u8) -> u64 {
            if bits >= 64 {
                v
            } else {
                v & ((1 << bits) - 1)
            }
        }
        fn load(&mut self, addr: u64, size: u8, _signed: bool) -> Result<u64, Stop> {
            self.cpu.load_slow(addr, size, RAM)
        }
        fn store(&mut self, addr: u64, size: u8, value: u64) -> Result<(), Stop> {
            self.cpu.store_slow(addr, size, value, RAM)
        }
        fn call(&mut self, h: Helper<Cpu>, args: [u64; 3], fx: Effects) -> Result<u64, Stop> {
            let v = h(self.cpu, args[0], args[1], args[2], RAM);
            if self.cpu.stop != 0 {
                assert!(fx.stops, "a helper declared as never stopping stopped");
                return Err(Stop);
            }
            Ok(v)
        }
        fn jump(&mut self, _: u64) {
            unreachable!()
        }
        fn fp_status(&mut self) -> u64 {
            self.cpu.fp_status()
        }
        fn fp(&mut self, op: crate::FpOp, double: bool, args: [u64; 3]) -> u64 {
            crate::host_fp(op, double, args)
        }
        fn fcmp(&mut self, c: crate::FCond, double: bool, a: u64, b: u64) -> u64 {
            crate::host_fcmp(c, double, a, b)
        }
        fn call_unless(
            &mut self,
            ok: u64,
            fast: u64,
            h: Helper<Cpu>,
            args: [u64; 3],
            fx: Effects,
        ) -> Result<u64, Stop> {
            if self.fast && ok != 0 {
                self.taken += 1;
                return Ok(fast);
            }
            self.call(h, args, fx)
        }
        fn jump_dyn(&mut self, _: u64) {
            unreachable!()
        }
        fn branch(&mut self, _: u64, _: u64) {
            unreachable!()
        }
    }

    fn new_cpu() -> Box<Cpu> {
        let mut bus = Bus::default();
        bus.add_ram(Ram::new(RAM, 0x1000, false).unwrap());
        let mut cpu = Cpu::new(Arc::new(bus), 0, Arc::new(InstretClock(1)));
        cpu.csr.mstatus |= 1 << 13; // FS = Initial
        cpu
    }

    /// Executes one instruction; true if it trapped.
    fn run(cpu: &mut Cpu, raw: u32) -> bool {
        let i = decode(raw).expect("decodes");
        let mode = cpu.mode();
        let trapped = exec(&i, &mut T { cpu: &mut *cpu, mode, fast: false, taken: 0 }).is_err();
        cpu.stop = 0;
        trapped
    }

    /// OP-FP instruction word.
    fn fop(f7: u32, rs2: u32, rs1: u32, rm: u32, rd: u32) -> u32 {
        0x53 | rd << 7 | rm << 12 | rs1 << 15 | rs2 << 20 | f7 << 25
    }
    fn fma(opc: u32, fmt: u32, rs3: u32, rs2: u32, rs1: u32, rm: u32, rd: u32) -> u32 {
        opc | rd << 7 | rm << 12 | rs1 << 15 | rs2 << 20 | fmt << 25 | rs3 << 27
    }
    fn s(v: f32) -> u64 {
        BOX | u64::from(v.to_bits())
    }
    fn d(v: f64) -> u64 {
        v.to_bits()
    }
    fn f(cpu: &Cpu, r: usize) -> u64 {
        cpu.regs[F0 + r]
    }
    /// Runs `raw` with f1, f2, f3 = a, b, c and clear flags: (f10 or x10, flags).
    fn op3(raw: u32, a: u64, b: u64, c: u64) -> (u64, u64) {
        let mut cpu = new_cpu();
        cpu.regs[F0 + 1] = a;
        cpu.regs[F0 + 2] = b;
        cpu.regs[F0 + 3] = c;
        cpu.regs[1] = a;
        assert!(!run(&mut cpu, raw), "{raw:#x} trapped");
        let int_rd = raw & 0x7f == 0x53 && op::writes_x(decode_op(raw));
        (if int_rd { cpu.regs[10] } else { f(&cpu, 10) }, cpu.csr.fflags())
    }
    fn op2(raw: u32, a: u64, b: u64) -> (u64, u64) {
        op3(raw, a, b, 0)
    }
    /// Which registers an OP-FP instruction writes, for `op3`.
    fn decode_op(raw: u32) -> u8 {
        match raw >> 25 {
            0x60 | 0x61 | 0x50 | 0x51 => op::TO_INT,
            0x70 | 0x71 => op::CLASS,
            _ => op::ADD,
        }
    }

    const FADD_S: u32 = 0x53 | 10 << 7 | 1 << 15 | 2 << 20; // rm = RNE
    const FADD_D: u32 = FADD_S | 1 << 25;

    #[test]
    fn nan_boxing() {
        let unboxed = u64::from(1.0f32.to_bits());
        assert_eq!(op2(FADD_S, s(1.0), s(1.0)), (s(2.0), 0));
        assert_eq!(op2(FADD_S, unboxed, s(1.0)), (QNAN_S, 0));
        assert_eq!(op2(FADD_S, 0xfffffffe_3f800000, s(1.0)), (QNAN_S, 0));
        // fsgnj.s / fsgnjn.s with an unboxed operand.
        assert_eq!(op2(fop(0x10, 2, 1, 0, 10), unboxed, s(-1.0)), (BOX | 0xffc0_0000, 0));
        assert_eq!(op2(fop(0x10, 2, 1, 1, 10), s(3.0), unboxed), (s(-3.0), 0));
        assert_eq!(op2(fop(0x10, 2, 1, 2, 10), s(-3.0), s(-1.0)), (s(3.0), 0));
        // fclass.s of an unboxed value: quiet NaN.
        assert_eq!(op2(fop(0x70, 0, 1, 1, 10), unboxed, 0), (1 << 9, 0));
        // fmv.x.w: the raw low bits, sign-extended; fmv.w.x boxes.
        assert_eq!(op2(fop(0x70, 0, 1, 0, 10), 0x1234_5678_bf80_0000, 0).0, 0xffff_ffff_bf80_0000);
        assert_eq!(op2(fop(0x78, 0, 1, 0, 10), 0x1234_5678_3f80_0000, 0).0, s(1.0));
        // fcvt.d.s of an unboxed single: canonical NaN, no flags.
        assert_eq!(op2(fop(0x21, 0, 1, 0, 10), unboxed, 0), (QNAN_D, 0));
        // fcvt.s.d boxes.
        assert_eq!(op2(fop(0x20, 1, 1, 0, 10), d(1.5), 0), (s(1.5), 0));
        // Double ops see all 64 bits.
        assert_eq!(op2(FADD_D, d(1.0), d(2.0)), (d(3.0), 0));
    }

    #[test]
    fn loads_and_stores() {
        let mut cpu = new_cpu();
        cpu.regs[5] = RAM;
        cpu.regs[F0 + 1] = 0x1234_5678_4049_0fdb; // not boxed: fsw stores the raw low bits
        cpu.regs[F0 + 2] = d(-2.5);
        assert!(!run(&mut cpu, 0x0012_a427)); // fsw f1, 8(x5)
        assert!(!run(&mut cpu, 0x0022_b827)); // fsd f2, 16(x5)
        assert_eq!(cpu.csr.mstatus & MSTATUS_FS, 1 << 13, "stores do not dirty FS");
        assert!(!run(&mut cpu, 0x0082_a187)); // flw f3, 8(x5)
        assert!(!run(&mut cpu, 0x0102_b207)); // fld f4, 16(x5)
        assert_eq!(f(&cpu, 3), BOX | 0x4049_0fdb);
        assert_eq!(f(&cpu, 4), d(-2.5));
        assert_eq!(cpu.csr.mstatus & MSTATUS_FS, MSTATUS_FS);
        // Compressed forms: c.fld f8, 0(x8); c.fsd f9, 8(x8).
        cpu.regs[8] = RAM + 16;
        cpu.regs[F0 + 9] = d(7.0);
        assert!(!run(&mut cpu, 0x2000));
        assert!(!run(&mut cpu, 0xa404));
        assert!(!run(&mut cpu, 0x0182_b287)); // fld f5, 24(x5)
        assert_eq!((f(&cpu, 8), f(&cpu, 5)), (d(-2.5), d(7.0)));
    }

    #[test]
    fn min_max() {
        let fmin = fop(0x14, 2, 1, 0, 10);
        let fmax = fop(0x14, 2, 1, 1, 10);
        let snan = BOX | 0x7f80_0001;
        assert_eq!(op2(fmin, s(0.0), s(-0.0)), (s(-0.0), 0));
        assert_eq!(op2(fmin, s(-0.0), s(0.0)), (s(-0.0), 0));
        assert_eq!(op2(fmax, s(-0.0), s(0.0)), (s(0.0), 0));
        assert_eq!(op2(fmax, s(0.0), s(-0.0)), (s(0.0), 0));
        assert_eq!(op2(fmin, s(1.0), s(2.0)), (s(1.0), 0));
        assert_eq!(op2(fmax, s(1.0), s(2.0)), (s(2.0), 0));
        assert_eq!(op2(fmin, QNAN_S, s(2.0)), (s(2.0), 0));
        assert_eq!(op2(fmax, s(2.0), QNAN_S), (s(2.0), 0));
        assert_eq!(op2(fmin, snan, s(2.0)), (s(2.0), NV));
        assert_eq!(op2(fmax, s(-2.0), snan), (s(-2.0), NV));
        assert_eq!(op2(fmin, snan, QNAN_S), (QNAN_S, NV));
        assert_eq!(op2(fmax, BOX | 0xffc0_0001, BOX | 0x7fc0_0002), (QNAN_S, 0));
        let (fmin_d, fmax_d) = (fmin | 1 << 25, fmax | 1 << 25);
        assert_eq!(op2(fmin_d, d(0.0), d(-0.0)), (d(-0.0), 0));
        assert_eq!(op2(fmax_d, d(-0.0), d(0.0)), (d(0.0), 0));
        assert_eq!(op2(fmax_d, 0x7ff0_0000_0000_0001, d(-5.0)), (d(-5.0), NV));
        assert_eq!(op2(fmin_d, 0x7ff0_0000_0000_0001, 0xfff8_0000_0000_0000), (QNAN_D, NV));
    }

    #[test]
    fn compares() {
        let (feq, flt, fle) = (fop(0x50, 2, 1, 2, 10), fop(0x50, 2, 1, 1, 10), fop(0x50, 2, 1, 0, 10));
        let snan = BOX | 0x7f80_0001;
        assert_eq!(op2(feq, s(1.0), s(1.0)), (1, 0));
        assert_eq!(op2(feq, s(0.0), s(-0.0)), (1, 0));
        assert_eq!(op2(feq, QNAN_S, s(1.0)), (0, 0));
        assert_eq!(op2(feq, snan, s(1.0)), (0, NV));
        assert_eq!(op2(flt, s(-1.0), s(1.0)), (1, 0));
        assert_eq!(op2(flt, QNAN_S, s(1.0)), (0, NV));
        assert_eq!(op2(fle, s(1.0), s(1.0)), (1, 0));
        assert_eq!(op2(fle, s(1.0), QNAN_S), (0, NV));
        assert_eq!(op2(fle | 1 << 25, d(-0.0), d(0.0)), (1, 0));
        // rd = x0 is not written.
        let mut cpu = new_cpu();
        assert!(!run(&mut cpu, feq & !(31 << 7)));
        assert_eq!(cpu.regs[0], 0);
    }

    #[test]
    fn classify() {
        let fclass_s = fop(0x70, 0, 1, 1, 10);
        let fclass_d = fop(0x71, 0, 1, 1, 10);
        let cases_s = [
            (f32::NEG_INFINITY, 1 << 0),
            (-1.0, 1 << 1),
            (-1e-40, 1 << 2),
            (-0.0, 1 << 3),
            (0.0, 1 << 4),
            (1e-40, 1 << 5),
            (1.0, 1 << 6),
            (f32::INFINITY, 1 << 7),
        ];
        for (v, c) in cases_s {
            assert_eq!(op2(fclass_s, s(v), 0), (c, 0), "{v}");
            // Single subnormals are normal doubles.
            let cd = match c {
                4 => 2,
                32 => 64,
                c => c,
            };
            assert_eq!(op2(fclass_d, d(f64::from(v)), 0), (cd, 0), "{v}");
        }
        assert_eq!(op2(fclass_s, BOX | 0x7f80_0001, 0), (1 << 8, 0));
        assert_eq!(op2(fclass_s, BOX | 0xffc0_0000, 0), (1 << 9, 0));
        assert_eq!(op2(fclass_d, 0x7ff0_0000_0000_0001, 0), (1 << 8, 0));
        assert_eq!(op2(fclass_d, 0x0000_0000_0000_0001, 0), (1 << 5, 0));
        assert_eq!(op2(fclass_d, QNAN_D, 0), (1 << 9, 0));
    }

    #[test]
    fn conversions_saturate() {
        let cvt = |f7, kind| fop(f7, kind, 1, 1, 10); // rm = RTZ
        let (w, wu, l, lu) = (0, 1, 2, 3);
        assert_eq!(op2(cvt(0x60, w), QNAN_S, 0), (0x7fff_ffff, NV));
        assert_eq!(op2(cvt(0x60, w), s(f32::INFINITY), 0), (0x7fff_ffff, NV));
        assert_eq!(op2(cvt(0x60, w), s(f32::NEG_INFINITY), 0), (0xffff_ffff_8000_0000, NV));
        assert_eq!(op2(cvt(0x60, w), s(3e9), 0), (0x7fff_ffff, NV));
        assert_eq!(op2(cvt(0x60, w), s(-1.5), 0), (u64::MAX, NX));
        assert_eq!(op2(cvt(0x60, wu), s(-1.0), 0), (0, NV));
        assert_eq!(op2(cvt(0x60, wu), s(-0.5), 0), (0, NX));
        assert_eq!(op2(cvt(0x60, wu), s(3e9), 0), (0xffff_ffff_b2d0_5e00, 0));
        assert_eq!(op2(cvt(0x60, wu), QNAN_S, 0), (u64::MAX, NV));
        assert_eq!(op2(cvt(0x60, l), s(-3e19), 0), (1 << 63, NV));
        assert_eq!(op2(cvt(0x60, lu), s(f32::INFINITY), 0), (u64::MAX, NV));
        assert_eq!(op2(cvt(0x61, l), QNAN_D, 0), (i64::MAX as u64, NV));
        assert_eq!(op2(cvt(0x61, l), d(-9.3e18), 0), (1 << 63, NV));
        assert_eq!(op2(cvt(0x61, lu), d(-1.0), 0), (0, NV));
        assert_eq!(op2(cvt(0x61, lu), d(1.8e19), 0), (18_000_000_000_000_000_000, 0));
        assert_eq!(op2(cvt(0x61, w), d(-2147483648.9), 0), (0xffff_ffff_8000_0000, NX));
        assert_eq!(op2(cvt(0x61, w), d(-2147483649.0), 0), (0xffff_ffff_8000_0000, NV));
        assert_eq!(op2(cvt(0x61, wu), d(4294967295.0), 0), (u64::MAX, 0));
        // From integers (x1 holds the first operand).
        let from = |f7, kind| fop(f7, kind, 1, 0, 10);
        assert_eq!(op2(from(0x68, w), 0xdead_beef_ffff_fffe, 0), (s(-2.0), 0));
        assert_eq!(op2(from(0x68, wu), 0xdead_beef_0000_0003, 0), (s(3.0), 0));
        assert_eq!(op2(from(0x68, l), (1 << 24) + 1, 0), (s(16777216.0), NX));
        assert_eq!(op2(from(0x69, lu), u64::MAX, 0), (d(18446744073709551616.0), NX));
        assert_eq!(op2(from(0x69, l), (-5i64) as u64, 0), (d(-5.0), 0));
        assert_eq!(op2(from(0x69, wu), 0xffff_ffff, 0), (d(4294967295.0), 0));
        // Between precisions.
        assert_eq!(op2(fop(0x20, 1, 1, 0, 10), d(1e300), 0), (s(f32::INFINITY), OF | NX));
        assert_eq!(op2(fop(0x20, 1, 1, 0, 10), 0x7ff0_0000_0000_0001, 0), (QNAN_S, NV));
        assert_eq!(op2(fop(0x21, 0, 1, 0, 10), BOX | 0x7f80_0001, 0), (QNAN_D, NV));
        assert_eq!(op2(fop(0x21, 0, 1, 0, 10), s(-0.25), 0), (d(-0.25), 0));
    }

    #[test]
    fn rounding_modes() {
        // fcvt.w.s of 2.5 and -2.5 under RNE, RTZ, RDN, RUP, RMM.
        let expect = [(2, -2), (2, -2), (2, -3), (3, -2), (3, -3)];
        for (rm, (pos, neg)) in expect.into_iter().enumerate() {
            let raw = fop(0x60, 0, 1, rm as u32, 10);
            assert_eq!(op2(raw, s(2.5), 0), (pos as u64, NX));
            assert_eq!(op2(raw, s(-2.5), 0), (neg as i64 as u64, NX));
            // The same through the dynamic mode.
            let mut cpu = new_cpu();
            cpu.csr.set_frm(rm as u64);
            cpu.regs[F0 + 1] = d(-2.5);
            assert!(!run(&mut cpu, fop(0x61, 0, 1, 7, 10)));
            assert_eq!((cpu.regs[10], cpu.csr.fflags()), (neg as i64 as u64, NX));
        }
        // Arithmetic rounding: 1 + 2^-24 in single.
        let tiny = s(f32::from_bits(0x3380_0000));
        assert_eq!(op2(FADD_S, s(1.0), tiny), (s(1.0), NX));
        assert_eq!(op2(FADD_S | 3 << 12, s(1.0), tiny), (BOX | 0x3f80_0001, NX));
        assert_eq!(op2(FADD_D | 2 << 12, d(-1.0), d(-1e-30)), (d(-1.0).wrapping_add(1), NX));
        // Overflow to infinity or to the largest finite value.
        assert_eq!(op2(FADD_S, s(f32::MAX), s(f32::MAX)), (s(f32::INFINITY), OF | NX));
        assert_eq!(op2(FADD_S | 1 << 12, s(f32::MAX), s(f32::MAX)), (s(f32::MAX), OF | NX));
    }

    #[test]
    fn reserved_rounding_modes_are_illegal() {
        for (rm, frm) in [(5, 0), (6, 0), (7, 5), (7, 6), (7, 7)] {
            let mut cpu = new_cpu();
            cpu.csr.set_frm(frm);
            cpu.regs[F0 + 10] = 0x55;
            let raw = FADD_S & !(7 << 12) | rm << 12;
            assert!(run(&mut cpu, raw), "rm {rm} frm {frm}");
            assert_eq!((cpu.csr.mcause, cpu.csr.mtval), (2, u64::from(raw)));
            assert_eq!((f(&cpu, 10), cpu.csr.fflags()), (0x55, 0));
        }
        // Instructions without a rounding mode ignore frm.
        let mut cpu = new_cpu();
        cpu.csr.set_frm(7);
        assert!(!run(&mut cpu, fop(0x14, 2, 1, 0, 10)));
        assert!(!run(&mut cpu, fop(0x10, 2, 1, 0, 10)));
    }

    #[test]
    fn exception_flags() {
        assert_eq!(op2(fop(0x0c, 2, 1, 0, 10), s(1.0), s(0.0)), (s(f32::INFINITY), DZ));
        assert_eq!(op2(fop(0x0c, 2, 1, 0, 10), s(0.0), s(0.0)), (QNAN_S, NV));
        assert_eq!(op2(fop(0x0d, 2, 1, 0, 10), d(-1.0), d(0.0)), (d(f64::NEG_INFINITY), DZ));
        assert_eq!(op2(fop(0x2c, 0, 1, 0, 10), s(-1.0), 0), (QNAN_S, NV));
        assert_eq!(op2(fop(0x2d, 0, 1, 0, 10), d(4.0), 0), (d(2.0), 0));
        assert_eq!(op2(fop(0x2d, 0, 1, 0, 10), d(2.0), 0), (d(std::f64::consts::SQRT_2), NX));
        assert_eq!(op2(fop(0x08, 2, 1, 0, 10), s(1e-30), s(1e-30)), (s(0.0), UF | NX));
        assert_eq!(op2(fop(0x04, 2, 1, 0, 10), s(f32::INFINITY), s(f32::INFINITY)), (QNAN_S, NV));
        // A NaN result is canonical even when an input NaN carries a payload.
        assert_eq!(op2(FADD_D, 0xfff8_0000_dead_beef, d(1.0)), (QNAN_D, 0));
        // Flags accrue.
        let mut cpu = new_cpu();
        cpu.csr.fcsr = DZ;
        cpu.regs[F0 + 1] = s(1.0);
        cpu.regs[F0 + 2] = s(3.0);
        assert!(!run(&mut cpu, fop(0x0c, 2, 1, 0, 10)));
        assert_eq!(cpu.csr.fflags(), DZ | NX);
    }

    #[test]
    fn fused_multiply_add() {
        let ops = [(0x43, 7.0), (0x47, 5.0), (0x4b, -5.0), (0x4f, -7.0)];
        for (opc, r) in ops {
            assert_eq!(op3(fma(opc, 0, 3, 2, 1, 0, 10), s(2.0), s(3.0), s(1.0)), (s(r as f32), 0));
            assert_eq!(op3(fma(opc, 1, 3, 2, 1, 0, 10), d(2.0), d(3.0), d(1.0)), (d(r), 0));
        }
        // One rounding: (1 + 2^-52)(1 - 2^-52) - 1 = -2^-104 exactly.
        let (a, b) = (d(1.0) + 1, d(1.0 - f64::EPSILON));
        assert_eq!(op3(fma(0x43, 1, 3, 2, 1, 0, 10), a, b, d(-1.0)), (d(-(2f64.powi(-104))), 0));
        assert_eq!(op3(fma(0x4f, 1, 3, 2, 1, 0, 10), a, b, d(-1.0)), (d(2f64.powi(-104)), 0));
        // 0 * inf + c is invalid, even with a quiet NaN addend.
        let r = op3(fma(0x43, 0, 3, 2, 1, 0, 10), s(0.0), s(f32::INFINITY), QNAN_S);
        assert_eq!(r, (QNAN_S, NV));
        // fnmadd of +0 * +0 + +0 in RNE: -(0) - 0 = -0.
        assert_eq!(op3(fma(0x4f, 1, 3, 2, 1, 0, 10), d(0.0), d(0.0), d(0.0)), (d(-0.0), 0));
        // An unboxed addend is the canonical NaN.
        assert_eq!(op3(fma(0x43, 0, 3, 2, 1, 0, 10), s(1.0), s(1.0), 0), (QNAN_S, 0));
    }

    #[test]
    fn fs_becomes_dirty() {
        let fs = |cpu: &Cpu| cpu.csr.mstatus & MSTATUS_FS;
        // Compares without flags leave FS alone; with flags it is dirty.
        let mut cpu = new_cpu();
        cpu.regs[F0 + 1] = s(1.0);
        cpu.regs[F0 + 2] = QNAN_S;
        assert!(!run(&mut cpu, fop(0x50, 2, 1, 2, 10)));
        assert_eq!(fs(&cpu), 1 << 13);
        assert!(!run(&mut cpu, fop(0x70, 0, 1, 0, 10)));
        assert_eq!(fs(&cpu), 1 << 13);
        assert!(!run(&mut cpu, fop(0x50, 2, 1, 1, 10)));
        assert_eq!((fs(&cpu), cpu.csr.fflags()), (MSTATUS_FS, NV));
        // A commit log sees the CSR changes in Spike's order.
        let mut cpu = new_cpu();
        cpu.trace_csrs = Some(Vec::new());
        cpu.regs[F0 + 1] = s(1.0);
        cpu.regs[F0 + 2] = s(3.0);
        assert!(!run(&mut cpu, fop(0x0c, 2, 1, 0, 10)));
        assert!(!run(&mut cpu, fop(0x0c, 2, 1, 0, 10)));
        let mstatus = cpu.csr.mstatus | MSTATUS_SD;
        assert_eq!(cpu.trace_csrs.unwrap(), [(0x300, mstatus), (0x001, NX), (0x001, NX)]);
        // Writing an f register, inline or by a helper.
        for raw in [fop(0x10, 2, 1, 0, 10), fop(0x78, 0, 1, 0, 10), FADD_S] {
            let mut cpu = new_cpu();
            assert!(!run(&mut cpu, raw));
            assert_eq!(fs(&cpu), MSTATUS_FS, "{raw:#x}");
        }
    }

    /// Operands that exercise the fast paths' guards: normals, both ends of
    /// the exponent range, subnormals, zeros, infinities, NaNs (quiet and
    /// signalling), small integers, and (for singles) badly boxed values.
    fn edgy(rng: &mut u64, double: bool) -> u64 {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        let r = *rng;
        let sign = (r >> 63) << if double { 63 } else { 31 };
        let (frac_bits, exp_max) = if double { (52, 0x7ff) } else { (23, 0xff) };
        let frac = (r >> 8) & ((1 << frac_bits) - 1);
        let exp = match r & 15 {
            0 => 0,
            1 => exp_max,
            2 => 1,
            3 => 2,
            4 => exp_max - 1,
            5 => exp_max - 2,
            6 => (exp_max >> 1) + 60 + (r >> 40 & 3),
            7 => (exp_max >> 1) + (r >> 40 & 31), // small integers and near
            _ => (r >> 32) & exp_max,
        };
        let frac = match r >> 4 & 7 {
            0 => 0,
            1 => 1,
            2 => frac & !0xffff,
            _ => frac,
        };
        let bits = sign | exp << frac_bits | frac;
        match (double, r >> 50 & 31) {
            (true, _) => bits,
            (false, 0) => bits, // not boxed
            (false, _) => BOX | bits,
        }
    }

    /// Every inline fast path gives the helper's result, flags and traps.
    #[test]
    fn fast_paths_match_softfloat() {
        let mut insns = Vec::new();
        for fmt in 0..2u32 {
            for rm in [0, 1, 7] {
                for f7 in [0x00, 0x04, 0x08, 0x0c] {
                    insns.push(fop(f7 | fmt, 2, 1, rm, 10));
                }
                insns.push(fop(0x2c | fmt, 0, 1, rm, 10)); // fsqrt
                for opc in [0x43, 0x47, 0x4b, 0x4f] {
                    insns.push(fma(opc, fmt, 3, 2, 1, rm, 10));
                }
                insns.push(fop(0x20 | (1 - fmt), fmt, 1, rm, 10)); // fcvt to the other precision
                for kind in 0..4 {
                    insns.push(fop(0x60 | fmt, kind, 1, rm, 10)); // fcvt.{w,wu,l,lu}.{s,d}
                    insns.push(fop(0x68 | fmt, kind, 1, rm, 10)); // fcvt.{s,d}.{w,wu,l,lu}
                }
            }
            for rm in 0..3 {
                insns.push(fop(0x50 | fmt, 2, 1, rm, 10)); // fle, flt, feq
            }
            insns.push(fop(0x14 | fmt, 2, 1, 0, 10)); // fmin
            insns.push(fop(0x14 | fmt, 2, 1, 1, 10)); // fmax
            insns.push(fop(0x70 | fmt, 0, 1, 1, 10)); // fclass
        }
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        for &raw in &insns {
            // The source operand's precision.
            let double = if raw >> 26 == 0x10 { raw >> 20 & 31 == 1 } else { raw >> 25 & 1 == 1 };
            let mut taken = 0;
            for n in 0..4000 {
                let a = edgy(&mut rng, double);
                let b = edgy(&mut rng, double);
                // Equal operands, and opposite signs (±0 for min and max).
                let b = match n % 7 {
                    5 => a,
                    6 => a ^ if double { 1 << 63 } else { 1 << 31 },
                    _ => b,
                };
                let c = edgy(&mut rng, double);
                let int = match n % 4 {
                    0 => rng >> (rng & 63),
                    1 => (rng >> 40) as i64 as u64 ^ (rng & 1).wrapping_neg(),
                    // Around the limits of exact conversion.
                    2 => {
                        let p = [24u32, 25, 31, 32, 53, 54, 63][(rng >> 8) as usize % 7];
                        let v = (1u64 << p).wrapping_add((rng >> 16) % 5).wrapping_sub(2);
                        if rng & 1 == 0 {
                            v
                        } else {
                            v.wrapping_neg()
                        }
                    }
                    _ => a,
                };
                // fflags: NX set most of the time; frm RNE or another mode.
                let fcsr = match n / 4 % 8 {
                    0 => 0,
                    1 => 1 << 5 | NX,
                    2 => 7 << 5 | NX,
                    3 => NV | NX,
                    _ => NX,
                };
                let mut results = Vec::new();
                for fast in [false, true] {
                    let mut cpu = new_cpu();
                    cpu.csr.set_fs_dirty();
                    cpu.csr.fcsr = fcsr;
                    cpu.regs[F0 + 1] = a;
                    cpu.regs[F0 + 2] = b;
                    cpu.regs[F0 + 3] = c;
                    cpu.regs[1] = int;
                    let i = decode(raw).expect("decodes");
                    let mode = cpu.mode();
                    let mut t = T { cpu: &mut cpu, mode, fast, taken: 0 };
                    let trapped = exec(&i, &mut t).is_err();
                    taken += t.taken;
                    results.push((trapped, cpu.regs[10], cpu.regs[F0 + 10], cpu.csr.fcsr, cpu.csr.mstatus));
                }
                assert_eq!(
                    results[0], results[1],
                    "{raw:#010x} a={a:#x} b={b:#x} c={c:#x} x1={int:#x} fcsr={fcsr:#x}: helper vs fast path"
                );
            }
            let f7 = raw >> 25;
            let has_fast = !matches!(raw >> 12 & 7, 1 | 2)
                || matches!(f7, 0x60 | 0x61 | 0x50 | 0x51 | 0x68 | 0x69 | 0x14 | 0x15 | 0x70 | 0x71)
                || (f7 == 0x21 && raw >> 12 & 7 == 1);
            if has_fast && !(matches!(f7, 0x60 | 0x61) && raw >> 12 & 7 != 1) {
                assert!(taken > 100, "{raw:#010x}: fast path taken only {taken} times");
            }
        }
    }
}
