//! The software TLB, laid out for inline lookup by JIT code.
//!
//! Direct mapped by virtual page number. An entry's tag for an access kind is
//! the page-aligned virtual address when that access is allowed at full speed,
//! or has [`TLB_SLOW`] / [`TLB_INVALID`] set so the fast-path compare fails.
//! On a hit, `host = vaddr + addend`.

pub const TLB_BITS: u32 = 8;
pub const TLB_ENTRIES: usize = 1 << TLB_BITS;
/// Tag bit: the entry is empty for this access kind.
pub const TLB_INVALID: u64 = 1 << 0;
/// Tag bit: the page is MMIO, holds translated code (for writes), or needs
/// a permission re-check; take the slow path.
pub const TLB_SLOW: u64 = 1 << 1;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TlbEntry {
    pub tag_read: u64,
    pub tag_write: u64,
    pub tag_exec: u64,
    pub addend: u64,
}

impl TlbEntry {
    pub const EMPTY: TlbEntry =
        TlbEntry { tag_read: TLB_INVALID, tag_write: TLB_INVALID, tag_exec: TLB_INVALID, addend: 0 };
}

#[repr(C)]
pub struct Tlb {
    pub entries: [TlbEntry; TLB_ENTRIES],
}

impl Default for Tlb {
    fn default() -> Self {
        Tlb { entries: [TlbEntry::EMPTY; TLB_ENTRIES] }
    }
}

impl Tlb {
    #[inline]
    pub fn index(vaddr: u64) -> usize {
        ((vaddr >> crate::PAGE_BITS) as usize) & (TLB_ENTRIES - 1)
    }
    pub fn flush(&mut self) {
        self.entries.fill(TlbEntry::EMPTY);
    }
    /// Removes the fast write path for every entry whose host page is `host_page`
    /// (used when a RAM page starts holding translated code).
    pub fn slow_writes_to(&mut self, host_page: u64) {
        for e in self.entries.iter_mut() {
            if e.tag_write & TLB_INVALID == 0 && (e.tag_write & crate::PAGE_MASK).wrapping_add(e.addend) == host_page {
                e.tag_write |= TLB_SLOW;
            }
        }
    }

    /// Fast-path probe: host address for an aligned access of `size` bytes.
    #[inline]
    pub fn probe(tag: u64, vaddr: u64, size: u64) -> bool {
        tag == vaddr & (crate::PAGE_MASK | (size - 1))
    }
}
