use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::{Ram, PAGE_MASK, PAGE_SIZE};

/// A memory-mapped device. Offsets are relative to the device's base.
pub trait MmioDevice: Send {
    fn read(&mut self, offset: u64, size: u8) -> u64;
    fn write(&mut self, offset: u64, size: u8, value: u64);
}

pub struct MmioRegion {
    pub base: u64,
    pub size: u64,
    pub name: &'static str,
    pub dev: Arc<Mutex<dyn MmioDevice>>,
}

impl MmioRegion {
    fn contains(&self, paddr: u64, len: u64) -> bool {
        paddr >= self.base && (paddr - self.base).checked_add(len).is_some_and(|end| end <= self.size)
    }
    fn overlaps_page(&self, page: u64) -> bool {
        self.base < page + PAGE_SIZE && page < self.base.saturating_add(self.size)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusError {
    /// Nothing is mapped there (or a write to ROM).
    Unmapped,
}

/// The guest physical address space, shared by all harts.
///
/// MMIO regions take precedence over RAM, so a device may overlay part of a
/// RAM page (HTIF's `tohost` word lives inside a test ROM's RAM image); such a
/// page is never put in a TLB, so every access to it reaches [`Bus::read`] or
/// [`Bus::write`].
#[derive(Default)]
pub struct Bus {
    pub rams: Vec<Ram>,
    pub mmio: Vec<MmioRegion>,
    /// Non-zero once a device asked the machine to stop: `(exit_code << 1) | 1`.
    pub halt: AtomicU64,
}

impl Bus {
    pub fn add_ram(&mut self, ram: Ram) {
        self.rams.push(ram);
    }
    pub fn add_mmio(&mut self, base: u64, size: u64, name: &'static str, dev: Arc<Mutex<dyn MmioDevice>>) {
        self.mmio.push(MmioRegion { base, size, name, dev });
    }

    pub fn ram_at(&self, paddr: u64, len: u64) -> Option<&Ram> {
        self.rams.iter().find(|r| r.contains(paddr, len))
    }
    fn mmio_at(&self, paddr: u64, len: u64) -> Option<&MmioRegion> {
        self.mmio.iter().find(|m| m.contains(paddr, len))
    }

    /// Is there anything (RAM, ROM or a device) at `paddr`?
    pub fn is_mapped(&self, paddr: u64) -> bool {
        self.ram_at(paddr, 1).is_some() || self.mmio_at(paddr, 1).is_some()
    }

    /// Little-endian read of 1, 2, 4 or 8 bytes.
    pub fn read(&self, paddr: u64, size: u8) -> Result<u64, BusError> {
        let len = u64::from(size);
        if let Some(m) = self.mmio_at(paddr, len) {
            return Ok(m.dev.lock().read(paddr - m.base, size));
        }
        let ram = self.ram_at(paddr, len).ok_or(BusError::Unmapped)?;
        let mut b = [0u8; 8];
        ram.read(paddr, &mut b[..usize::from(size.min(8))]);
        Ok(u64::from_le_bytes(b))
    }

    /// Little-endian write. Returns whether the page held translated code
    /// (the caller must then invalidate it).
    pub fn write(&self, paddr: u64, size: u8, value: u64) -> Result<bool, BusError> {
        let len = u64::from(size);
        if let Some(m) = self.mmio_at(paddr, len) {
            m.dev.lock().write(paddr - m.base, size, value);
            return Ok(false);
        }
        let ram = self
            .ram_at(paddr, len)
            .filter(|r| !r.is_write_protected(paddr) && !r.is_write_protected(paddr + len - 1))
            .ok_or(BusError::Unmapped)?;
        ram.write(paddr, &value.to_le_bytes()[..usize::from(size.min(8))]);
        Ok(ram.is_code(paddr) || ram.is_code(paddr + len - 1))
    }

    /// Host pointer to the RAM page holding `paddr`, with (readonly, slow
    /// stores: holds code or is write-protected), for TLB fills. `None` for
    /// MMIO, unmapped pages and pages a device overlays: they always take
    /// the slow path.
    pub fn host_page(&self, paddr: u64) -> Option<(*mut u8, bool, bool)> {
        let page = paddr & PAGE_MASK;
        if self.mmio.iter().any(|m| m.overlaps_page(page)) {
            return None;
        }
        let ram = self.ram_at(page, PAGE_SIZE)?;
        let off = (page - ram.base()) as usize;
        // SAFETY: `off + PAGE_SIZE` is inside the mapping (checked by ram_at), so
        // the pointer stays within the same allocation.
        let ptr = unsafe { ram.host_base().add(off) };
        Some((ptr, ram.is_write_protected(page), ram.is_marked(page)))
    }

    pub fn mark_code(&self, paddr: u64) {
        if let Some(r) = self.ram_at(paddr, 1) {
            r.mark_code(paddr)
        }
    }
    /// Whether guest stores to `paddr` fault (ROM, or a write-protected page).
    pub fn write_protected(&self, paddr: u64) -> bool {
        self.ram_at(paddr, 1).is_none_or(|r| r.is_write_protected(paddr))
    }
    /// Makes guest stores to the pages of `[paddr, paddr + len)` fault (or not).
    pub fn set_write_protect(&self, paddr: u64, len: u64, protect: bool) {
        for r in &self.rams {
            let (lo, hi) = (paddr.max(r.base()), paddr.saturating_add(len).min(r.base() + r.size()));
            if lo < hi {
                r.set_write_protect(lo, hi - lo, protect);
            }
        }
    }
    pub fn clear_code(&self, paddr: u64) -> bool {
        self.ram_at(paddr, 1).is_some_and(|r| r.clear_code(paddr))
    }
    pub fn clear_all_code(&self) {
        self.rams.iter().for_each(Ram::clear_all_code);
    }

    /// Copies guest bytes (instruction fetch, loaders, DMA). False if not all RAM.
    pub fn read_bytes(&self, paddr: u64, buf: &mut [u8]) -> bool {
        self.ram_at(paddr, buf.len() as u64).is_some_and(|r| r.read(paddr, buf))
    }
    /// Loader/DMA write (works on ROM too).
    pub fn write_bytes(&self, paddr: u64, data: &[u8]) -> bool {
        self.ram_at(paddr, data.len() as u64).is_some_and(|r| r.write(paddr, data))
    }

    pub fn request_halt(&self, exit_code: u64) {
        self.halt.store((exit_code << 1) | 1, Ordering::SeqCst);
    }
    /// The exit code a device asked for, if any.
    pub fn halted(&self) -> Option<u64> {
        let h = self.halt.load(Ordering::Relaxed);
        (h & 1 != 0).then_some(h >> 1)
    }
}
