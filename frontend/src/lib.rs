//! Guest ISAs: CPU state, decoders, disassemblers and each instruction's
//! semantics, written once against the [`Emitter`] trait so that the same code
//! drives both the interpreter and the Cranelift JIT.

pub mod emitter;
pub mod riscv;

pub use emitter::{
    host_fcmp, host_fp, AtomicOp, BinOp, Cond, Control, Effects, Emitter, FCond, FpOp, GuestCpu, Helper, InsnRecord,
    Isa, Stop, UnOp, STOP_STEP,
};
