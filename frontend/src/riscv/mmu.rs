//! Address translation (Sv39/Sv48 with hardware A/D updates), PMP checks,
//! TLB fills and the slow paths of loads, stores and instruction fetch.

use std::sync::atomic::{AtomicU64, Ordering};

use xlate_softmmu::{TlbEntry, PAGE_MASK, PAGE_SIZE, TLB_INVALID, TLB_SLOW};

use super::csr::*;
use super::trap::Exception;
use super::{mmu_index, Cpu, PRV_M, PRV_S, PRV_U, STOP_EXIT};
use crate::Stop;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Exec,
}

impl Access {
    fn page_fault(self) -> Exception {
        match self {
            Access::Read => Exception::LoadPage,
            Access::Write => Exception::StorePage,
            Access::Exec => Exception::InsnPage,
        }
    }
    fn access_fault(self) -> Exception {
        match self {
            Access::Read => Exception::LoadAccess,
            Access::Write => Exception::StoreAccess,
            Access::Exec => Exception::InsnAccess,
        }
    }
    fn pmp_bit(self) -> u8 {
        match self {
            Access::Read => 1,
            Access::Write => 2,
            Access::Exec => 4,
        }
    }
}

const PTE_V: u64 = 1 << 0;
const PTE_R: u64 = 1 << 1;
const PTE_W: u64 = 1 << 2;
const PTE_X: u64 = 1 << 3;
const PTE_U: u64 = 1 << 4;
const PTE_A: u64 = 1 << 6;
const PTE_D: u64 = 1 << 7;
/// Bits 54..63 (PBMT, N and reserved): none of those extensions is implemented.
const PTE_RESERVED: u64 = 0x3ff << 54;
const PPN_MASK: u64 = (1 << 44) - 1;
/// Physical addresses are 56 bits wide.
const PA_LIMIT: u64 = 1 << 56;

/// The result of a successful translation.
struct Translation {
    paddr: u64,
    /// Access kinds the whole page allows at this privilege (for the TLB).
    read: bool,
    write: bool,
    exec: bool,
}

impl Cpu {
    /// Address range of PMP entry `i`, or `None` if it is off.
    fn pmp_range(&self, i: usize) -> Option<(u64, u64)> {
        let cfg = self.csr.pmpcfg[i];
        let addr = self.csr.pmpaddr[i];
        match (cfg >> 3) & 3 {
            1 => {
                let lo = if i == 0 { 0 } else { self.csr.pmpaddr[i - 1] << 2 };
                Some((lo, addr << 2))
            }
            2 => Some((addr << 2, (addr << 2) + 4)),
            3 => {
                let t = addr.trailing_ones();
                let size_log2 = t + 3;
                let lo = (addr & !((1u64 << t) - 1)) << 2;
                let hi = if size_log2 >= 64 { u64::MAX } else { lo.saturating_add(1u64 << size_log2) };
                Some((lo, hi))
            }
            _ => None,
        }
    }

    /// Physical memory protection check for `[paddr, paddr+len)`.
    pub fn pmp_ok(&self, paddr: u64, len: u64, access: Access, prv: u8) -> bool {
        let end = paddr.saturating_add(len);
        for i in 0..NUM_PMP {
            let Some((lo, hi)) = self.pmp_range(i) else { continue };
            if paddr < hi && end > lo {
                if !(lo <= paddr && end <= hi) {
                    return false; // only part of the access matches
                }
                let cfg = self.csr.pmpcfg[i];
                if prv == PRV_M && cfg & 0x80 == 0 {
                    return true;
                }
                return cfg & access.pmp_bit() != 0;
            }
        }
        prv == PRV_M
    }

    /// True if no PMP boundary falls inside the page, so one check covers it all.
    fn pmp_uniform(&self, page: u64) -> bool {
        let inside = |a: u64| a > page && a < page + PAGE_SIZE;
        (0..NUM_PMP).filter_map(|i| self.pmp_range(i)).all(|(lo, hi)| !inside(lo) && !inside(hi))
    }

    /// Translates `vaddr` for `access` at privilege `prv` (page tables only, no PMP).
    fn walk(&mut self, vaddr: u64, access: Access, prv: u8) -> Result<Translation, Exception> {
        let mode = self.csr.satp >> 60;
        if prv == PRV_M || mode == SATP_MODE_BARE {
            if vaddr >= PA_LIMIT {
                return Err(access.access_fault());
            }
            return Ok(Translation { paddr: vaddr, read: true, write: true, exec: true });
        }
        let levels: u32 = if mode == SATP_MODE_SV48 { 4 } else { 3 };
        let va_bits = 12 + 9 * levels;
        let shift = 64 - va_bits;
        if (((vaddr << shift) as i64) >> shift) as u64 != vaddr {
            return Err(access.page_fault());
        }
        let sum = self.csr.mstatus & MSTATUS_SUM != 0;
        let mxr = self.csr.mstatus & MSTATUS_MXR != 0;
        'restart: loop {
            let mut table = (self.csr.satp & PPN_MASK) << 12;
            for level in (0..levels).rev() {
                let vpn = (vaddr >> (12 + 9 * level)) & 0x1ff;
                let pte_addr = table + vpn * 8;
                if !self.pmp_ok(pte_addr, 8, Access::Read, PRV_S) {
                    return Err(access.access_fault());
                }
                let pte = self.bus.read(pte_addr, 8).map_err(|_| access.access_fault())?;
                if pte & PTE_V == 0 || (pte & PTE_R == 0 && pte & PTE_W != 0) || pte & PTE_RESERVED != 0 {
                    return Err(access.page_fault());
                }
                let ppn = (pte >> 10) & PPN_MASK;
                if pte & (PTE_R | PTE_X) == 0 {
                    if level == 0 || pte & (PTE_D | PTE_A | PTE_U) != 0 {
                        return Err(access.page_fault());
                    }
                    table = ppn << 12;
                    continue;
                }
                // A leaf: permission checks.
                let user_page = pte & PTE_U != 0;
                let prv_ok_data = match prv {
                    PRV_U => user_page,
                    _ => !user_page || sum,
                };
                let prv_ok_exec = match prv {
                    PRV_U => user_page,
                    _ => !user_page,
                };
                let readable = prv_ok_data && (pte & PTE_R != 0 || (mxr && pte & PTE_X != 0));
                let writable = prv_ok_data && pte & PTE_W != 0;
                let executable = prv_ok_exec && pte & PTE_X != 0;
                let allowed = match access {
                    Access::Read => readable,
                    Access::Write => writable,
                    Access::Exec => executable,
                };
                let superpage_mask = (1u64 << (9 * level)) - 1;
                if !allowed || ppn & superpage_mask != 0 {
                    return Err(access.page_fault());
                }
                // Hardware A/D update, atomically against other harts.
                let mut new = pte | PTE_A;
                if access == Access::Write {
                    new |= PTE_D;
                }
                if new != pte {
                    match self.pte_cas(pte_addr, pte, new) {
                        Some(true) => {}
                        Some(false) => continue 'restart,
                        None => return Err(access.access_fault()),
                    }
                }
                let paddr = ((ppn & !superpage_mask) << 12) | (vaddr & ((superpage_mask << 12) | 0xfff));
                return Ok(Translation {
                    paddr,
                    read: readable,
                    write: writable && new & PTE_D != 0,
                    exec: executable,
                });
            }
            return Err(access.page_fault());
        }
    }

    /// Compare-and-swap of a page-table entry in RAM: Some(swapped), None if not RAM.
    fn pte_cas(&self, pte_addr: u64, old: u64, new: u64) -> Option<bool> {
        if pte_addr & 7 != 0 {
            return None;
        }
        let (page, _, _) = self.bus.host_page(pte_addr)?;
        // SAFETY: `page` points at a whole guest RAM page and `pte_addr & 0xfff`
        // is an 8-aligned offset inside it; AtomicU64 has u64's layout.
        let slot = unsafe { &*(page.add((pte_addr & 0xfff) as usize) as *const AtomicU64) };
        Some(slot.compare_exchange(old, new, Ordering::SeqCst, Ordering::SeqCst).is_ok())
    }

    /// Full translation with PMP; fills the TLB of `prv` when the whole page
    /// is uniform RAM. Raises the guest exception on failure.
    pub fn translate(&mut self, vaddr: u64, len: u64, access: Access, prv: u8, pc: u64) -> Result<u64, Stop> {
        let t = match self.walk(vaddr, access, prv) {
            Ok(t) => t,
            Err(e) => return self.raise(e, vaddr, pc),
        };
        if !self.pmp_ok(t.paddr, len, access, prv) {
            return self.raise(access.access_fault(), vaddr, pc);
        }
        self.fill_tlb(vaddr, &t, prv);
        Ok(t.paddr)
    }

    fn fill_tlb(&mut self, vaddr: u64, t: &Translation, prv: u8) {
        let ppage = t.paddr & PAGE_MASK;
        if !self.pmp_uniform(ppage) {
            return;
        }
        let Some((host, readonly, code)) = self.bus.host_page(ppage) else { return };
        let page = vaddr & PAGE_MASK;
        let ok = |allowed: bool, a: Access| allowed && self.pmp_ok(ppage, PAGE_SIZE, a, prv);
        let tag = |allowed: bool| if allowed { page } else { TLB_INVALID };
        let write_tag = tag(ok(t.write, Access::Write) && !readonly) | if code { TLB_SLOW } else { 0 };
        let entry = TlbEntry {
            tag_read: tag(ok(t.read, Access::Read)),
            tag_write: write_tag,
            tag_exec: tag(ok(t.exec, Access::Exec)),
            addend: (host as u64).wrapping_sub(page),
        };
        self.tlbs[mmu_index(prv)].entries[xlate_softmmu::Tlb::index(vaddr)] = entry;
    }

    /// Translates an instruction fetch address to a physical address; a fault
    /// is reported for the instruction at `pc`.
    pub fn translate_fetch(&mut self, vaddr: u64, pc: u64) -> Result<u64, Stop> {
        let e = &self.tlbs[mmu_index(self.prv)].entries[xlate_softmmu::Tlb::index(vaddr)];
        if e.tag_exec == vaddr & PAGE_MASK {
            let host = vaddr.wrapping_add(e.addend);
            if let Some(p) = self.host_to_phys(host) {
                return Ok(p);
            }
        }
        let paddr = self.translate(vaddr, 2, Access::Exec, self.prv, pc)?;
        if self.bus.ram_at(paddr, 2).is_none() {
            return self.raise(Exception::InsnAccess, vaddr, pc);
        }
        Ok(paddr)
    }

    fn host_to_phys(&self, host: u64) -> Option<u64> {
        self.bus.rams.iter().find_map(|r| {
            let b = r.host_base() as u64;
            (host >= b && host < b + r.size()).then(|| r.base() + (host - b))
        })
    }

    /// Reads the up to 4 bytes of an instruction at `vaddr` (which may cross a page).
    pub fn fetch_insn(&mut self, vaddr: u64) -> Result<u32, Stop> {
        let p0 = self.translate_fetch(vaddr, vaddr)?;
        let mut lo = [0u8; 2];
        self.bus.read_bytes(p0, &mut lo);
        let lo = u16::from_le_bytes(lo);
        if lo & 3 != 3 {
            return Ok(u32::from(lo));
        }
        // An instruction crossing a page: a fault in its second half is reported
        // at the instruction (epc) with tval naming the second page.
        let p1 = self.translate_fetch(vaddr.wrapping_add(2), vaddr)?;
        let mut hi = [0u8; 2];
        self.bus.read_bytes(p1, &mut hi);
        Ok(u32::from(lo) | u32::from(u16::from_le_bytes(hi)) << 16)
    }
}

/// Data access at a misaligned address: done byte by byte after checking that
/// every page it touches is accessible, so a fault leaves memory unchanged.
fn check_span(cpu: &mut Cpu, vaddr: u64, size: u8, access: Access, pc: u64) -> Result<(), Stop> {
    let prv = cpu.data_prv();
    let last = vaddr.wrapping_add(u64::from(size) - 1);
    for a in [vaddr, last] {
        match cpu.walk(a, access, prv) {
            Ok(t) if cpu.pmp_ok(t.paddr, 1, access, prv) && cpu.bus.is_mapped(t.paddr) => {}
            Ok(_) => return cpu.raise(access.access_fault(), vaddr, pc),
            Err(e) => return cpu.raise(e, vaddr, pc),
        }
    }
    Ok(())
}

pub fn load(cpu: &mut Cpu, vaddr: u64, size: u8, pc: u64) -> Result<u64, Stop> {
    if vaddr & (u64::from(size) - 1) != 0 {
        check_span(cpu, vaddr, size, Access::Read, pc)?;
        let mut v = 0;
        for k in 0..size {
            v |= load(cpu, vaddr.wrapping_add(u64::from(k)), 1, pc)? << (8 * k);
        }
        return Ok(v);
    }
    let prv = cpu.data_prv();
    let paddr = cpu.translate(vaddr, u64::from(size), Access::Read, prv, pc)?;
    match cpu.bus.read(paddr, size) {
        Ok(v) => Ok(v),
        Err(_) => cpu.raise(Exception::LoadAccess, vaddr, pc),
    }
}

/// Store slow path. Writing to a page that holds translated code records it
/// in `dirty_code` and ends the block after this instruction (`STOP_EXIT`).
pub fn store(cpu: &mut Cpu, vaddr: u64, size: u8, value: u64, pc: u64) -> Result<(), Stop> {
    if vaddr & (u64::from(size) - 1) != 0 {
        check_span(cpu, vaddr, size, Access::Write, pc)?;
        let mut exit = false;
        for k in 0..size {
            if store(cpu, vaddr.wrapping_add(u64::from(k)), 1, value >> (8 * k), pc).is_err() {
                if cpu.stop != STOP_EXIT {
                    return Err(Stop);
                }
                exit = true;
                cpu.stop = 0;
            }
        }
        if exit {
            cpu.stop = STOP_EXIT;
            return Err(Stop);
        }
        return Ok(());
    }
    let prv = cpu.data_prv();
    let paddr = cpu.translate(vaddr, u64::from(size), Access::Write, prv, pc)?;
    if cpu.reservation != 0 {
        let host = cpu.bus.host_page(paddr).map(|(page, _, _)| page as u64 + (paddr & !PAGE_MASK & !7));
        if Some(cpu.reservation & !7) == host {
            cpu.reservation = 0;
        }
    }
    match cpu.bus.write(paddr, size, value) {
        Ok(false) if cpu.bus.halted().is_none() => Ok(()),
        Ok(code) => {
            if code {
                cpu.ctl.dirty_code.push(paddr & PAGE_MASK);
            }
            cpu.stop = STOP_EXIT;
            Err(Stop)
        }
        Err(_) => cpu.raise(Exception::StoreAccess, vaddr, pc),
    }
}

/// Translates for an atomic read-modify-write (needs read and write rights;
/// faults are reported as store faults). Returns the physical address.
pub fn translate_amo(cpu: &mut Cpu, vaddr: u64, size: u8, pc: u64) -> Result<u64, Stop> {
    if vaddr & (u64::from(size) - 1) != 0 {
        return cpu.raise(Exception::StoreMisaligned, vaddr, pc);
    }
    let prv = cpu.data_prv();
    let paddr = cpu.translate(vaddr, u64::from(size), Access::Write, prv, pc)?;
    if !cpu.pmp_ok(paddr, u64::from(size), Access::Read, prv) {
        return cpu.raise(Exception::StoreAccess, vaddr, pc);
    }
    // Read permission is implied for a writable page (W without R is reserved).
    if cpu.bus.ram_at(paddr, u64::from(size)).is_none() {
        return cpu.raise(Exception::StoreAccess, vaddr, pc);
    }
    Ok(paddr)
}
