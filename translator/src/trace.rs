//! Per-instruction commit-log tracing (Spike's `--log-commits` format).
//!
//! Traced code always runs in the interpreter, which records each
//! instruction's register writes and memory accesses; untraced runs pay nothing.

use std::io::Write;

pub struct TraceConfig {
    pub out: Box<dyn Write + Send>,
    /// Skip this many retired instructions before logging.
    pub start: u64,
    /// Log only instructions whose pc is in `[lo, hi)`.
    pub range: Option<(u64, u64)>,
    /// Log only user-mode (privilege 0) instructions.
    pub user_only: bool,
    /// Append the disassembly to each line.
    pub disasm: bool,
}

impl TraceConfig {
    pub fn wants(&self, instret: u64, pc: u64, prv: u8) -> bool {
        instret >= self.start && self.range.is_none_or(|(lo, hi)| pc >= lo && pc < hi) && (!self.user_only || prv == 0)
    }
}
