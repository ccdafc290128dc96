//! Commit log in Spike's `--log-commits` format:
//! `core   0: 3 0x0000000080000000 (0x00000297) x5  0x0000000080000000`

use std::fmt::Write;

use super::{Insn, F0};
use crate::InsnRecord;

pub fn commit_line(prv: u8, pc: u64, i: &Insn, rec: &InsnRecord, csrs: &[(u16, u64)], disasm: bool) -> String {
    let mut s = String::with_capacity(96);
    let digits = usize::from(i.len) * 2;
    let _ = write!(s, "core   0: {prv} 0x{pc:016x} (0x{:0digits$x})", i.raw);
    for &(r, v) in &rec.regs {
        if r == 0 {
            continue;
        }
        let (prefix, n) = if r >= F0 { ('f', r - F0) } else { ('x', r) };
        let _ = write!(s, " {prefix}{n:<2} 0x{v:016x}");
    }
    for &(c, v) in csrs {
        let _ = write!(s, " c{c}_{} 0x{v:016x}", super::disasm::csr_name(u32::from(c)));
    }
    for a in &rec.loads {
        let _ = write!(s, " mem 0x{a:016x}");
    }
    for &(a, v, size) in &rec.stores {
        let w = usize::from(size) * 2;
        let _ = write!(s, " mem 0x{a:016x} 0x{v:0w$x}");
    }
    if disasm {
        let _ = write!(s, "    {}", super::disasm::disasm(i.raw, i.len));
    }
    s
}
