//! A: load-reserved/store-conditional and atomic memory operations.
//!
//! Done in helpers on host atomics, so they stay atomic between harts that
//! run on different host threads. The helpers write rd themselves.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::SeqCst};

use super::{set_x, x, R};
use crate::riscv::trap::Exception;
use xlate_softmmu::{Tlb, PAGE_MASK};

use crate::riscv::{mmu, mmu_index, Cpu, Insn, Op, STOP_EXIT};
use crate::{AtomicOp, Effects, Emitter, Stop};

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

/// The access size: 8 for the .d forms (funct3 3), 4 for .w (2).
fn size(i: &Insn) -> u8 {
    4 << ((i.bits >> 12) & 1)
}

pub fn lr<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    let addr = x(e, i.rs1);
    match e.load_reserved(addr, size(i)) {
        Some(v) => {
            set_x(e, i.rd, v);
            Ok(())
        }
        None => call(e, i, lr_helper),
    }
}
pub fn sc<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    let (addr, value) = (x(e, i.rs1), x(e, i.rs2));
    match e.store_conditional(addr, value, size(i)) {
        Some(failed) => {
            set_x(e, i.rd, failed);
            Ok(())
        }
        None => call(e, i, sc_helper),
    }
}
pub fn amo<E: Emitter<Cpu = Cpu>>(e: &mut E, i: &Insn) -> R {
    debug_assert!(!matches!(i.op, Op::LrW | Op::LrD | Op::ScW | Op::ScD));
    let op = match i.bits >> 27 {
        0x01 => AtomicOp::Swap,
        0x00 => AtomicOp::Add,
        0x04 => AtomicOp::Xor,
        0x0c => AtomicOp::And,
        0x08 => AtomicOp::Or,
        0x10 => AtomicOp::Min,
        0x14 => AtomicOp::Max,
        0x18 => AtomicOp::MinU,
        _ => AtomicOp::MaxU,
    };
    let (addr, src) = (x(e, i.rs1), x(e, i.rs2));
    match e.atomic_rmw(op, addr, src, size(i)) {
        Some(old) => {
            let old = if size(i) == 8 { old } else { e.sext(old, 32) };
            set_x(e, i.rd, old);
            Ok(())
        }
        None => call(e, i, amo_helper),
    }
}

/// A view of an aligned RAM word as a host atomic.
enum Word<'a> {
    W(&'a AtomicU32),
    D(&'a AtomicU64),
}

/// Where an atomic access goes: the host address of the guest word, and
/// the physical page when that page holds translated code (the write must
/// drop it).
struct Target {
    host: u64,
    code_page: Option<u64>,
}

impl Target {
    fn word(&self, wide: bool) -> Word<'_> {
        let p = self.host as *const u8;
        // SAFETY: `host` points into a RAM page, which lives as long as the
        // bus (the TLB entries and host_page it comes from are RAM only), and
        // is aligned to the access size (both paths check), so it is a valid
        // atomic of that width.
        unsafe {
            if wide {
                Word::D(&*(p as *const AtomicU64))
            } else {
                Word::W(&*(p as *const AtomicU32))
            }
        }
    }
}

fn sext_w(v: u32) -> u64 {
    v as i32 as i64 as u64
}

fn finish(cpu: &mut Cpu, t: &Target, rd: u64, value: u64) -> u64 {
    cpu.set_x(rd as usize, value);
    if let Some(page) = t.code_page {
        cpu.ctl.dirty_code.push(page);
        cpu.stop = STOP_EXIT;
    }
    0
}

/// The target of an atomic access at `vaddr`: the data TLB entry when it
/// allows the access at full speed (RAM without translated code, permission
/// and alignment checked), else the full translation, which raises the
/// guest's exception or fills the TLB for next time.
fn target(cpu: &mut Cpu, vaddr: u64, wide: bool, pc: u64, load: bool) -> Result<Target, Stop> {
    let size = if wide { 8 } else { 4 };
    let e = cpu.tlbs[mmu_index(cpu.data_prv())].entries[Tlb::index(vaddr)];
    if Tlb::probe(if load { e.tag_read } else { e.tag_write }, vaddr, size) {
        return Ok(Target { host: vaddr.wrapping_add(e.addend), code_page: None });
    }
    let paddr = if load {
        if vaddr & (size - 1) != 0 {
            return cpu.raise(Exception::LoadMisaligned, vaddr, pc);
        }
        let prv = cpu.data_prv();
        cpu.translate(vaddr, size, mmu::Access::Read, prv, pc)?
    } else {
        mmu::translate_amo(cpu, vaddr, size as u8, pc)?
    };
    match cpu.bus.host_page(paddr) {
        Some((page, readonly, code)) if load || !readonly => Ok(Target {
            host: page as u64 + (paddr & !PAGE_MASK),
            code_page: (code && !load).then_some(paddr & PAGE_MASK),
        }),
        _ => cpu.raise(if load { Exception::LoadAccess } else { Exception::StoreAccess }, vaddr, pc),
    }
}

extern "C" fn lr_helper(cpu: &mut Cpu, vaddr: u64, _: u64, info: u64, pc: u64) -> u64 {
    let wide = info >> 8 & 1 != 0;
    let Ok(t) = target(cpu, vaddr, wide, pc, true) else { return 0 };
    let v = match t.word(wide) {
        Word::D(a) => a.load(SeqCst),
        Word::W(a) => sext_w(a.load(SeqCst)),
    };
    cpu.reservation = t.host;
    cpu.reserved_value = v;
    cpu.set_x((info & 31) as usize, v);
    0
}

extern "C" fn sc_helper(cpu: &mut Cpu, vaddr: u64, value: u64, info: u64, pc: u64) -> u64 {
    let wide = info >> 8 & 1 != 0;
    let Ok(t) = target(cpu, vaddr, wide, pc, false) else { return 0 };
    let reserved = std::mem::take(&mut cpu.reservation) == t.host;
    // Succeeds only if the word still holds what LR saw (compare-and-swap).
    let ok = reserved
        && match t.word(wide) {
            Word::D(a) => a.compare_exchange(cpu.reserved_value, value, SeqCst, SeqCst).is_ok(),
            Word::W(a) => a.compare_exchange(cpu.reserved_value as u32, value as u32, SeqCst, SeqCst).is_ok(),
        };
    finish(cpu, &t, info & 31, u64::from(!ok))
}

extern "C" fn amo_helper(cpu: &mut Cpu, vaddr: u64, src: u64, info: u64, pc: u64) -> u64 {
    let wide = info >> 8 & 1 != 0;
    let f5 = info >> 9;
    let Ok(t) = target(cpu, vaddr, wide, pc, false) else { return 0 };
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
    let old = match t.word(wide) {
        Word::D(w) => w.fetch_update(SeqCst, SeqCst, |o| Some(op(o))).unwrap_or_else(|o| o),
        Word::W(w) => sext_w(w.fetch_update(SeqCst, SeqCst, |o| Some(op(u64::from(o)) as u32)).unwrap_or_else(|o| o)),
    };
    if cpu.reservation == t.host {
        cpu.reservation = 0;
    }
    finish(cpu, &t, info & 31, old)
}
