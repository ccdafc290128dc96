//! A: load-reserved/store-conditional and atomic memory operations.
//!
//! Done in helpers on host atomics, so they stay atomic between harts that
//! run on different host threads. The helpers write rd themselves.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::SeqCst};

use super::{x, R};
use crate::riscv::trap::Exception;
use crate::riscv::{mmu, Cpu, Insn, Op, STOP_EXIT};
use crate::{Effects, Emitter, Stop};

/// Packs what a helper needs to know: rd, width and the operation.
fn info(i: &Insn) -> u64 {
    let f5 = u64::from(i.bits >> 27);
    let wide = u64::from((i.bits >> 12) & 1); // funct3 3 = .d, 2 = .w
    u64::from(i.rd) | (wide << 8) | (f5 << 9)
}

fn call<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn, h: crate::Helper<Cpu>) -> R {
    let a = x(e, i.rs1);
    let b = x(e, i.rs2);
    let inf = e.imm(info(i));
    e.call(h, [a, b, inf], Effects::REGS)?;
    Ok(())
}

pub fn lr<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    call(e, i, lr_helper)
}
pub fn sc<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    call(e, i, sc_helper)
}
pub fn amo<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    debug_assert!(!matches!(i.op, Op::LrW | Op::LrD | Op::ScW | Op::ScD));
    call(e, i, amo_helper)
}

/// A view of an aligned RAM word as a host atomic.
enum Word<'a> {
    W(&'a AtomicU32),
    D(&'a AtomicU64),
}

fn word(cpu: &Cpu, paddr: u64, wide: bool) -> Option<Word<'_>> {
    let (page, _, _) = cpu.bus.host_page(paddr)?;
    // SAFETY: host_page returns a pointer to a whole RAM page that lives as long
    // as the bus; the offset is inside the page and aligned to the access size
    // (checked by translate_amo), and the atomics have the integers' layout.
    unsafe {
        let p = page.add((paddr & 0xfff) as usize);
        Some(if wide { Word::D(&*(p as *const AtomicU64)) } else { Word::W(&*(p as *const AtomicU32)) })
    }
}

fn sext_w(v: u32) -> u64 {
    v as i32 as i64 as u64
}

fn finish(cpu: &mut Cpu, paddr: u64, rd: u64, value: u64) -> u64 {
    cpu.set_x(rd as usize, value);
    if cpu.bus.ram_at(paddr, 1).is_some_and(|r| r.is_code(paddr)) {
        cpu.ctl.dirty_code.push(paddr & xlate_softmmu::PAGE_MASK);
        cpu.stop = STOP_EXIT;
    }
    0
}

fn amo_paddr(cpu: &mut Cpu, vaddr: u64, wide: bool, pc: u64, load: bool) -> Result<u64, Stop> {
    let size = if wide { 8 } else { 4 };
    if load {
        if vaddr & (size - 1) != 0 {
            return cpu.raise(Exception::LoadMisaligned, vaddr, pc);
        }
        let prv = cpu.data_prv();
        let p = cpu.translate(vaddr, size, mmu::Access::Read, prv, pc)?;
        if cpu.bus.host_page(p).is_none() {
            return cpu.raise(Exception::LoadAccess, vaddr, pc);
        }
        Ok(p)
    } else {
        let p = mmu::translate_amo(cpu, vaddr, size as u8, pc)?;
        if cpu.bus.host_page(p).is_none_or(|(_, readonly, _)| readonly) {
            return cpu.raise(Exception::StoreAccess, vaddr, pc);
        }
        Ok(p)
    }
}

extern "C" fn lr_helper(cpu: &mut Cpu, vaddr: u64, _: u64, info: u64, pc: u64) -> u64 {
    let wide = info >> 8 & 1 != 0;
    let Ok(paddr) = amo_paddr(cpu, vaddr, wide, pc, true) else { return 0 };
    let v = match word(cpu, paddr, wide) {
        Some(Word::D(a)) => a.load(SeqCst),
        Some(Word::W(a)) => sext_w(a.load(SeqCst)),
        None => return 0,
    };
    cpu.reservation = Some(paddr);
    cpu.reserved_value = v;
    cpu.set_x((info & 31) as usize, v);
    0
}

extern "C" fn sc_helper(cpu: &mut Cpu, vaddr: u64, value: u64, info: u64, pc: u64) -> u64 {
    let wide = info >> 8 & 1 != 0;
    let Ok(paddr) = amo_paddr(cpu, vaddr, wide, pc, false) else { return 0 };
    let reserved = cpu.reservation.take() == Some(paddr);
    // Succeeds only if the word still holds what LR saw (compare-and-swap).
    let ok = reserved
        && match word(cpu, paddr, wide) {
            Some(Word::D(a)) => a.compare_exchange(cpu.reserved_value, value, SeqCst, SeqCst).is_ok(),
            Some(Word::W(a)) => a.compare_exchange(cpu.reserved_value as u32, value as u32, SeqCst, SeqCst).is_ok(),
            None => false,
        };
    finish(cpu, paddr, info & 31, u64::from(!ok))
}

extern "C" fn amo_helper(cpu: &mut Cpu, vaddr: u64, src: u64, info: u64, pc: u64) -> u64 {
    let wide = info >> 8 & 1 != 0;
    let f5 = info >> 9;
    let Ok(paddr) = amo_paddr(cpu, vaddr, wide, pc, false) else { return 0 };
    let op = |old: u64| -> u64 {
        let (a, b) = if wide { (old, src) } else { (sext_w(old as u32), sext_w(src as u32)) };
        match f5 {
            0x01 => b,
            0x00 => a.wrapping_add(b),
            0x04 => a ^ b,
            0x0c => a & b,
            0x08 => a | b,
            0x10 => (a as i64).min(b as i64) as u64,
            0x14 => (a as i64).max(b as i64) as u64,
            // Unsigned compares of the 32-bit forms use the zero-extended words.
            0x18 if !wide => u64::from((a as u32).min(b as u32)),
            0x1c if !wide => u64::from((a as u32).max(b as u32)),
            0x18 => a.min(b),
            _ => a.max(b),
        }
    };
    let old = match word(cpu, paddr, wide) {
        Some(Word::D(w)) => w.fetch_update(SeqCst, SeqCst, |o| Some(op(o))).unwrap_or_else(|o| o),
        Some(Word::W(w)) => {
            sext_w(w.fetch_update(SeqCst, SeqCst, |o| Some(op(u64::from(o)) as u32)).unwrap_or_else(|o| o))
        }
        None => return 0,
    };
    if cpu.reservation == Some(paddr) {
        cpu.reservation = None;
    }
    finish(cpu, paddr, info & 31, old)
}
