use std::sync::atomic::{AtomicU8, Ordering};

use crate::mapping::Mapping;

/// A block of guest RAM (or ROM) at a fixed guest physical base.
///
/// Backed by an anonymous host mapping. Every access is bounds-checked by the
/// caller through [`Ram::host_range`], so a guest can never reach host memory
/// outside the mapping.
pub struct Ram {
    base: u64,
    map: Mapping,
    readonly: bool,
    /// One byte per guest page: [`CODE`] when translated code was built from
    /// it, [`NO_WRITE`] when guest stores to it must fault.
    code: Vec<AtomicU8>,
}

/// Page mark: translated code was built from the page.
const CODE: u8 = 1;
/// Page mark: the guest may not store to the page (Linux user mode's
/// read-only mappings; the region as a whole may still be writable).
const NO_WRITE: u8 = 2;

/// A writable RAM region as JIT code may address it without a TLB: guest
/// address `a` in `[base, base + size)` lives at host address
/// `host + (a - base)`, and `code_marks[(a - base) >> PAGE_BITS]` is non-zero
/// while the page holds translated code or is write-protected (stores must
/// then take the slow path).
/// The addresses stay valid as long as the [`Ram`] does.
#[derive(Clone, Copy, Debug)]
pub struct DirectRam {
    pub base: u64,
    pub size: u64,
    pub host: u64,
    pub code_marks: u64,
}

impl Ram {
    /// This region for direct addressing (see [`DirectRam`]).
    pub fn direct(&self) -> DirectRam {
        DirectRam {
            base: self.base,
            size: self.map.len() as u64,
            host: self.map.as_ptr() as u64,
            code_marks: self.code.as_ptr() as u64,
        }
    }

    pub fn new(base: u64, size: u64, readonly: bool) -> std::io::Result<Ram> {
        Self::build(base, size, readonly, false)
    }

    /// Writable RAM mapped at the host address equal to its guest address
    /// where that range of the host's address space is free (else anywhere),
    /// so that code addressing it directly needs no offset: Linux user mode's
    /// guest memory, as QEMU's user mode places it.
    pub fn new_identity(base: u64, size: u64) -> std::io::Result<Ram> {
        Self::build(base, size, false, true)
    }

    fn build(base: u64, size: u64, readonly: bool, identity: bool) -> std::io::Result<Ram> {
        let len = usize::try_from(size).map_err(|_| std::io::Error::other("RAM size too large"))?;
        let map = match identity.then(|| Mapping::anon_at(base, len)).flatten() {
            Some(m) => m,
            None => Mapping::anon(len)?,
        };
        // Transparent huge pages, as QEMU asks for guest RAM: far fewer host
        // TLB misses when the guest touches memory at random. Only a hint.
        map.advise_huge_pages();
        let pages = size.div_ceil(crate::PAGE_SIZE) as usize;
        let code = (0..pages).map(|_| AtomicU8::new(0)).collect();
        Ok(Ram { base, map, readonly, code })
    }

    pub fn base(&self) -> u64 {
        self.base
    }
    pub fn size(&self) -> u64 {
        self.map.len() as u64
    }
    pub fn readonly(&self) -> bool {
        self.readonly
    }
    pub fn contains(&self, paddr: u64, len: u64) -> bool {
        paddr >= self.base && paddr.wrapping_sub(self.base).checked_add(len).is_some_and(|end| end <= self.size())
    }

    /// Offset into the mapping for `[paddr, paddr+len)`, if fully inside.
    fn offset(&self, paddr: u64, len: u64) -> Option<usize> {
        self.contains(paddr, len).then(|| (paddr - self.base) as usize)
    }

    /// Host pointer to the start of the mapping (for TLB addends).
    pub fn host_base(&self) -> *mut u8 {
        self.map.as_ptr()
    }

    pub fn read(&self, paddr: u64, buf: &mut [u8]) -> bool {
        match self.offset(paddr, buf.len() as u64) {
            Some(o) => {
                // SAFETY: in bounds (checked by `offset`); see `write`.
                unsafe { std::ptr::copy_nonoverlapping(self.host_base().add(o), buf.as_mut_ptr(), buf.len()) };
                true
            }
            None => false,
        }
    }

    /// Writes bytes (also used by loaders for ROM, so ignores `readonly`).
    ///
    /// Takes `&self`: guest RAM is shared by harts and written through raw
    /// pointers by JIT code too, exactly like real memory.
    pub fn write(&self, paddr: u64, data: &[u8]) -> bool {
        match self.offset(paddr, data.len() as u64) {
            Some(o) => {
                // SAFETY: `o + data.len()` is within the mapping (checked by `offset`);
                // the mapping lives as long as `self`.
                unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), self.host_base().add(o), data.len()) };
                true
            }
            None => false,
        }
    }

    /// Zeroes `[paddr, paddr + len)`. Whole pages are handed back to the
    /// host (they read as zero and take no memory until touched again), so
    /// a guest unmapping memory it never touched costs nothing.
    pub fn zero(&self, paddr: u64, len: u64) -> bool {
        let Some(o) = self.offset(paddr, len) else { return false };
        let len = len as usize;
        let page = crate::PAGE_SIZE as usize;
        let (lo, hi) = (o.next_multiple_of(page), (o + len) / page * page);
        let fill = |from: usize, to: usize| {
            if from < to {
                // SAFETY: `[from, to)` lies within the mapping (checked by `offset`).
                unsafe { std::ptr::write_bytes(self.host_base().add(from), 0, to - from) };
            }
        };
        if lo < hi && self.map.discard(lo, hi - lo) {
            fill(o, lo);
            fill(hi, o + len);
            return true;
        }
        fill(o, o + len);
        true
    }

    fn page_index(&self, paddr: u64) -> Option<usize> {
        self.offset(paddr, 1).map(|o| o >> crate::PAGE_BITS)
    }

    pub fn mark_code(&self, paddr: u64) {
        if let Some(i) = self.page_index(paddr) {
            self.code[i].fetch_or(CODE, Ordering::AcqRel);
        }
    }
    pub fn is_code(&self, paddr: u64) -> bool {
        self.page_index(paddr).is_some_and(|i| self.code[i].load(Ordering::Acquire) & CODE != 0)
    }
    /// Clears the code mark; returns whether it was set.
    pub fn clear_code(&self, paddr: u64) -> bool {
        self.page_index(paddr).is_some_and(|i| self.code[i].fetch_and(!CODE, Ordering::AcqRel) & CODE != 0)
    }
    pub fn clear_all_code(&self) {
        for c in &self.code {
            c.fetch_and(!CODE, Ordering::AcqRel);
        }
    }
    /// Whether the page holding `paddr` takes the slow store path (it holds
    /// code or is write-protected).
    pub fn is_marked(&self, paddr: u64) -> bool {
        self.page_index(paddr).is_some_and(|i| self.code[i].load(Ordering::Acquire) != 0)
    }
    /// Write-protects (or unprotects) the pages overlapping `[paddr, paddr + len)`.
    pub fn set_write_protect(&self, paddr: u64, len: u64, protect: bool) {
        if len == 0 {
            return;
        }
        let (Some(first), Some(last)) = (self.page_index(paddr), self.page_index(paddr.saturating_add(len - 1))) else {
            return;
        };
        for m in &self.code[first..=last] {
            if protect {
                m.fetch_or(NO_WRITE, Ordering::AcqRel);
            } else {
                m.fetch_and(!NO_WRITE, Ordering::AcqRel);
            }
        }
    }
    /// Whether guest stores to the page holding `paddr` fault.
    pub fn is_write_protected(&self, paddr: u64) -> bool {
        self.readonly || self.page_index(paddr).is_some_and(|i| self.code[i].load(Ordering::Acquire) & NO_WRITE != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::Ram;

    #[test]
    fn identity_ram_sits_at_its_guest_address_or_elsewhere_when_taken() {
        let base = 0x7_3000_0000;
        let a = Ram::new_identity(base, 1 << 20).unwrap();
        assert_eq!(a.direct().host, base, "a free range is used as is");
        // The range is taken now: the second one goes anywhere, and both work.
        let b = Ram::new_identity(base, 1 << 20).unwrap();
        assert_ne!(b.direct().host, base);
        assert!(a.write(base + 8, &[1, 2]) && b.write(base + 8, &[3, 4]));
        let (mut x, mut y) = ([0u8; 2], [0u8; 2]);
        assert!(a.read(base + 8, &mut x) && b.read(base + 8, &mut y));
        assert_eq!((x, y), ([1, 2], [3, 4]));
        assert!(a.zero(base, 1 << 20) && b.zero(base, 1 << 20));
        assert!(a.read(base + 8, &mut x));
        assert_eq!(x, [0, 0]);
    }

    #[test]
    fn zero_clears_partial_and_whole_pages() {
        let base = 0x1_0000;
        let ram = Ram::new(base, 8 * 4096, false).unwrap();
        let ones = vec![0xa5u8; 8 * 4096];
        assert!(ram.write(base, &ones));
        // From the middle of page 1 to the middle of page 5: two partial
        // pages around three whole ones (handed back to the host).
        let (from, len) = (base + 4096 + 100, 4 * 4096);
        assert!(ram.zero(from, len));
        let mut all = vec![0u8; 8 * 4096];
        assert!(ram.read(base, &mut all));
        for (k, &b) in all.iter().enumerate() {
            let a = base + k as u64;
            let want = if (from..from + len).contains(&a) { 0 } else { 0xa5 };
            assert_eq!(b, want, "byte at {a:#x}");
        }
        // Pages handed back can be written again.
        assert!(ram.write(base + 3 * 4096, &[7]));
        let mut one = [0u8];
        assert!(ram.read(base + 3 * 4096, &mut one));
        assert_eq!(one[0], 7);
        assert!(!ram.zero(base + 8 * 4096 - 1, 2), "out of range");
    }
}
