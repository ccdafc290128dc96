//! D: double-precision floating point (soft-float glue in [`super::fpu`]).

use super::fpu::{self, arith_ops, D};
use super::R;
use crate::riscv::{Cpu, Insn};
use crate::Emitter;

pub fn fld<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::load(e, i, 8)
}
pub fn fsd<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::store(e, i, 8)
}
pub fn fsgnj_d<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::sgnj::<E, D>(e, i, 0)
}
pub fn fsgnjn_d<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::sgnj::<E, D>(e, i, 1)
}
pub fn fsgnjx_d<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::sgnj::<E, D>(e, i, 2)
}
pub fn fmv_x_d<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::mv_to_x(e, i, 64)
}
pub fn fmv_d_x<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    fpu::mv_from_x(e, i, 64)
}

arith_ops! {
    fmadd_d = D MADD;
    fmsub_d = D MSUB;
    fnmsub_d = D NMSUB;
    fnmadd_d = D NMADD;
    fadd_d = D ADD;
    fsub_d = D SUB;
    fmul_d = D MUL;
    fdiv_d = D DIV;
    fsqrt_d = D SQRT;
    fmin_d = D MIN;
    fmax_d = D MAX;
    // The source's precision selects the conversion.
    fcvt_s_d = D CONVERT;
    fcvt_d_s = S CONVERT;
    feq_d = D EQ;
    flt_d = D LT;
    fle_d = D LE;
    fclass_d = D CLASS;
    fcvt_w_d = D TO_INT;
    fcvt_wu_d = D TO_INT;
    fcvt_l_d = D TO_INT;
    fcvt_lu_d = D TO_INT;
    fcvt_d_w = D FROM_INT;
    fcvt_d_wu = D FROM_INT;
    fcvt_d_l = D FROM_INT;
    fcvt_d_lu = D FROM_INT;
}
