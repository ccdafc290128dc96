//! F: single-precision floating point (soft-float glue in [`super::fpu`]).

use super::fpu::{self, arith_ops, S};
use super::R;
use crate::riscv::{Cpu, Insn};
use crate::Emitter;

pub fn flw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::load(e, i, 4)
}
pub fn fsw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::store(e, i, 4)
}
pub fn fsgnj_s<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::sgnj::<E, S>(e, i, 0)
}
pub fn fsgnjn_s<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::sgnj::<E, S>(e, i, 1)
}
pub fn fsgnjx_s<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::sgnj::<E, S>(e, i, 2)
}
pub fn fmv_x_w<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::mv_to_x(e, i, 32)
}
pub fn fmv_w_x<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::mv_from_x(e, i, 32)
}

arith_ops! {
    fmadd_s = S MADD;
    fmsub_s = S MSUB;
    fnmsub_s = S NMSUB;
    fnmadd_s = S NMADD;
    fadd_s = S ADD;
    fsub_s = S SUB;
    fmul_s = S MUL;
    fdiv_s = S DIV;
    fsqrt_s = S SQRT;
    fmin_s = S MIN;
    fmax_s = S MAX;
    fcvt_w_s = S TO_INT;
    fcvt_wu_s = S TO_INT;
    fcvt_l_s = S TO_INT;
    fcvt_lu_s = S TO_INT;
    fclass_s = S CLASS;
    feq_s = S EQ;
    flt_s = S LT;
    fle_s = S LE;
    fcvt_s_w = S FROM_INT;
    fcvt_s_wu = S FROM_INT;
    fcvt_s_l = S FROM_INT;
    fcvt_s_lu = S FROM_INT;
}
