//! The execution engines: the interpreter emitter (tier 0), the Cranelift
//! emitter (tier 1), block formation and caching, and the run loop shared by
//! every guest ISA.

pub mod block;
pub mod engine;
pub mod interp;
pub mod jit;
pub mod trace;

pub use engine::{Engine, EngineKind, Exit};
pub use trace::TraceConfig;
