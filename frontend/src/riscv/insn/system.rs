//! Zicsr, Zifencei and the privileged instructions.

use super::{set_x, x, R};
use crate::riscv::csr::{FCSR_MASK, FFLAGS_MASK, FRM_MASK, FRM_SHIFT, MSTATUS_TVM, MSTATUS_TW};
use crate::riscv::trap::Exception;
use crate::riscv::{Cpu, Insn, Mode, PRV_S, PRV_U};
use crate::{BinOp, Effects, Emitter, UnOp};

/// Raises an illegal-instruction exception for `i` (tval = its bits).
pub fn illegal<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    let bits = e.imm(u64::from(i.raw));
    let z = e.imm(0);
    e.call(illegal_helper, [bits, z, z], Effects::MAY_TRAP)?;
    Ok(())
}
extern "C" fn illegal_helper(cpu: &mut Cpu, bits: u64, _: u64, _: u64, pc: u64) -> u64 {
    let _ = cpu.raise::<()>(Exception::Illegal, bits, pc);
    0
}

const CSR_W: u64 = 1;
const CSR_S: u64 = 2;
const CSR_C: u64 = 3;

/// csrr{w,s,c}[i]: `src` is rs1's value or the 5-bit immediate.
fn csr_op<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, kind: u64, imm: bool) -> R {
    let src = if imm { e.imm(u64::from(i.rs1)) } else { x(e, i.rs1) };
    // csrrs/csrrc with rs1 = x0 (or uimm = 0) do not write: reading a
    // read-only CSR that way is legal.
    let writes = kind == CSR_W || i.rs1 != 0;
    let info = u64::from(i.csr()) | u64::from(i.rd) << 12 | kind << 17 | u64::from(writes) << 19;
    let fp_dirty = is_fp_csr(i.csr()) && Mode(e.mode()).fs() == 3;
    if fp_dirty && fp_csr_inline(e, i, kind, writes, src) {
        return Ok(());
    }
    let info = e.imm(info);
    let bits = e.imm(u64::from(i.raw));
    // fflags, frm and fcsr with the FP state already dirty change nothing
    // compiled code depends on (glibc saves and restores fflags around
    // quiet compares in hot loops); other CSRs may change anything.
    let fx = if fp_dirty { Effects::MAY_TRAP } else { Effects::SYSTEM };
    let old = e.call(csr_helper, [src, info, bits], fx)?;
    set_x(e, i.rd, old);
    Ok(())
}
/// fflags, frm or fcsr with FS dirty (always accessible, and writing them
/// changes only the status word) as plain operations on the FP status word
/// (`frflags`/`fsflags` pairs run in hot loops). False if the emitter wants
/// the helper (nothing was emitted that matters then).
fn fp_csr_inline<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, kind: u64, writes: bool, src: E::V) -> bool {
    // (shift, mask) of the CSR's field in the status word.
    let (shift, mask) = match i.csr() {
        0x001 => (0, FFLAGS_MASK),
        0x002 => (FRM_SHIFT, FRM_MASK),
        _ => (0, FCSR_MASK),
    };
    let st = e.fp_status();
    let sh = e.imm(u64::from(shift));
    let m = e.imm(mask);
    let field = e.bin(BinOp::ShrU, st, sh);
    let old = e.bin(BinOp::And, field, m);
    if writes {
        let new = match kind {
            CSR_W => src,
            CSR_S => e.bin(BinOp::Or, old, src),
            _ => {
                let keep = e.un(UnOp::Not, src);
                e.bin(BinOp::And, old, keep)
            }
        };
        let new = e.bin(BinOp::And, new, m);
        let new = e.bin(BinOp::Shl, new, sh);
        let hole = e.imm(!(mask << shift) & FCSR_MASK);
        let rest = e.bin(BinOp::And, st, hole);
        let word = e.bin(BinOp::Or, rest, new);
        if !e.set_fp_status(word) {
            return false;
        }
    }
    set_x(e, i.rd, old);
    true
}

/// fflags, frm or fcsr: accessing them does not end a block.
pub fn is_fp_csr(csr: u16) -> bool {
    matches!(csr, 0x001..=0x003)
}

extern "C" fn csr_helper(cpu: &mut Cpu, src: u64, info: u64, bits: u64, pc: u64) -> u64 {
    let csr = (info & 0xfff) as u16;
    let rd = (info >> 12 & 31) as usize;
    let kind = info >> 17 & 3;
    let writes = info >> 19 & 1 != 0;
    // csrrw with rd = x0 does not read (no read side effects), but the CSR must exist.
    let old = if kind == CSR_W && rd == 0 { Ok(0) } else { cpu.csr_read(csr) };
    let Ok(old) = old else {
        let _ = cpu.raise::<()>(Exception::Illegal, bits, pc);
        return 0;
    };
    if writes {
        // mip reads as software bits OR device lines, but a read-modify-write
        // must not latch a device line (SEIP) into the software bit.
        let base = if csr == 0x344 { cpu.csr.mip } else { old };
        let new = match kind {
            CSR_W => src,
            CSR_S => base | src,
            _ => base & !src,
        };
        if cpu.csr_write(csr, new).is_err() {
            let _ = cpu.raise::<()>(Exception::Illegal, bits, pc);
            return 0;
        }
    }
    old
}
pub fn csrrw<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    csr_op(e, i, CSR_W, false)
}
pub fn csrrs<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    csr_op(e, i, CSR_S, false)
}
pub fn csrrc<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    csr_op(e, i, CSR_C, false)
}
pub fn csrrwi<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    csr_op(e, i, CSR_W, true)
}
pub fn csrrsi<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    csr_op(e, i, CSR_S, true)
}
pub fn csrrci<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    csr_op(e, i, CSR_C, true)
}

/// Calls a helper taking only the instruction bits.
fn simple<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, h: crate::Helper<Cpu>) -> Result<E::V, crate::Stop> {
    let bits = e.imm(u64::from(i.raw));
    let z = e.imm(0);
    e.call(h, [bits, z, z], Effects::SYSTEM)
}

pub fn ecall<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    simple(e, i, ecall_helper).map(drop)
}
extern "C" fn ecall_helper(cpu: &mut Cpu, _: u64, _: u64, _: u64, pc: u64) -> u64 {
    if cpu.prv == PRV_S {
        if let Some(fw) = cpu.firmware.clone() {
            if fw.ecall(cpu) {
                return 0;
            }
        }
    }
    if cpu.prv == PRV_U {
        if let Some(os) = cpu.syscall.clone() {
            // The handler sees the ecall's own pc (compiled code does not keep
            // cpu.pc current); it may redirect the hart by setting pc and the
            // stop word (signal delivery, sigreturn).
            cpu.pc = pc;
            if os.syscall(cpu) {
                return 0;
            }
        }
    }
    let cause = match cpu.prv {
        PRV_U => Exception::EcallU,
        PRV_S => Exception::EcallS,
        _ => Exception::EcallM,
    };
    let _ = cpu.raise::<()>(cause, 0, pc);
    0
}

pub fn ebreak<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    simple(e, i, ebreak_helper).map(drop)
}
extern "C" fn ebreak_helper(cpu: &mut Cpu, _: u64, _: u64, _: u64, pc: u64) -> u64 {
    let _ = cpu.raise::<()>(Exception::Breakpoint, pc, pc);
    0
}

pub fn mret<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    let target = simple(e, i, mret_helper)?;
    e.jump_dyn(target);
    Ok(())
}
extern "C" fn mret_helper(cpu: &mut Cpu, _: u64, _: u64, _: u64, pc: u64) -> u64 {
    cpu.mret(pc).unwrap_or(0)
}

pub fn sret<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    let target = simple(e, i, sret_helper)?;
    e.jump_dyn(target);
    Ok(())
}
extern "C" fn sret_helper(cpu: &mut Cpu, _: u64, _: u64, _: u64, pc: u64) -> u64 {
    cpu.sret(pc).unwrap_or(0)
}

pub fn wfi<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    simple(e, i, wfi_helper).map(drop)
}
extern "C" fn wfi_helper(cpu: &mut Cpu, bits: u64, _: u64, _: u64, pc: u64) -> u64 {
    let trapped = cpu.prv == PRV_U || (cpu.prv == PRV_S && cpu.csr.mstatus & MSTATUS_TW != 0);
    if trapped {
        let _ = cpu.raise::<()>(Exception::Illegal, bits, pc);
    } else {
        cpu.ctl.wfi = true;
    }
    0
}

pub fn sfence_vma<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    simple(e, i, sfence_helper).map(drop)
}
extern "C" fn sfence_helper(cpu: &mut Cpu, bits: u64, _: u64, _: u64, pc: u64) -> u64 {
    if cpu.prv == PRV_U || (cpu.prv == PRV_S && cpu.csr.mstatus & MSTATUS_TVM != 0) {
        let _ = cpu.raise::<()>(Exception::Illegal, bits, pc);
    } else {
        cpu.flush_tlbs();
    }
    0
}

pub fn fence_i<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    simple(e, i, fence_i_helper).map(drop)
}
extern "C" fn fence_i_helper(cpu: &mut Cpu, _: u64, _: u64, _: u64, _: u64) -> u64 {
    cpu.ctl.flush_code = true;
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::riscv::csr::{IRQ_SEI, IRQ_STI};
    use crate::riscv::{InstretClock, PRV_M};
    use std::sync::atomic::Ordering;
    use std::sync::Arc;

    fn cpu() -> Box<Cpu> {
        let mut c = Cpu::new(Arc::new(xlate_softmmu::Bus::default()), 0, Arc::new(InstretClock(1)));
        c.prv = PRV_M;
        c
    }

    /// csrrs mip, rs1 with rd = x5 (`info` as csr_op packs it).
    fn csrrs_mip(c: &mut Cpu, src: u64) -> u64 {
        let info = 0x344 | 5 << 12 | CSR_S << 17 | 1 << 19;
        csr_helper(c, src, info, 0, 0)
    }

    #[test]
    fn csrrs_on_mip_does_not_latch_the_external_seip_line() {
        let mut c = cpu();
        c.csr.mip_lines.store(IRQ_SEI, Ordering::Relaxed);
        let old = csrrs_mip(&mut c, IRQ_STI);
        assert_eq!(old & IRQ_SEI, IRQ_SEI, "reads show the line");
        assert_eq!(c.csr.mip, IRQ_STI, "only STIP was set in the software bits");
        c.csr.mip_lines.store(0, Ordering::Relaxed);
        assert_eq!(c.csr.mip() & IRQ_SEI, 0, "SEIP drops with the line");
    }
}
