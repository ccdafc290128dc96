//! The anonymous host mapping behind guest RAM.

use memmap2::MmapMut;

/// Private anonymous memory, zero-filled, unmapped on drop: anywhere in the
/// host's address space (memmap2), or at a chosen address. Guest memory is
/// only ever accessed through raw pointers into it (JIT code and other harts
/// write it concurrently), so it hands out addresses, never slices.
pub enum Mapping {
    Anywhere(MmapMut),
    At(Fixed),
}

/// A mapping at a chosen host address (memmap2 cannot place one).
pub struct Fixed {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: plain memory owned by this value; concurrent access through the raw
// pointers it hands out is the callers' (guest RAM) business, as for MmapMut.
unsafe impl Send for Fixed {}
// SAFETY: as above; `&Fixed` only gives out the address and length.
unsafe impl Sync for Fixed {}

impl Mapping {
    /// `len` bytes anywhere.
    pub fn anon(len: usize) -> std::io::Result<Mapping> {
        MmapMut::map_anon(len.max(1)).map(Mapping::Anywhere)
    }

    /// `len` bytes at host address `addr` exactly, or `None` if anything is
    /// mapped there already (or the kernel cannot place it so).
    pub fn anon_at(addr: u64, len: usize) -> Option<Mapping> {
        let want = usize::try_from(addr).ok()? as *mut u8;
        let len = len.max(1);
        let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_FIXED_NOREPLACE;
        // SAFETY: a new anonymous mapping; MAP_FIXED_NOREPLACE never replaces
        // an existing one (the call fails instead).
        let p = unsafe { libc::mmap(want.cast(), len, libc::PROT_READ | libc::PROT_WRITE, flags, -1, 0) };
        if p == libc::MAP_FAILED {
            return None;
        }
        let m = Fixed { ptr: p.cast(), len };
        // Kernels before 4.17 take the address as a hint only.
        (m.ptr == want).then_some(Mapping::At(m))
    }

    pub fn as_ptr(&self) -> *mut u8 {
        match self {
            Mapping::Anywhere(m) => m.as_ptr().cast_mut(),
            Mapping::At(f) => f.ptr,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Mapping::Anywhere(m) => m.len(),
            Mapping::At(f) => f.len,
        }
    }

    /// Asks for transparent huge pages (only a hint).
    pub fn advise_huge_pages(&self) {
        match self {
            Mapping::Anywhere(m) => {
                let _ = m.advise(memmap2::Advice::HugePage);
            }
            // SAFETY: advice on our own mapping; MADV_HUGEPAGE changes no contents.
            Mapping::At(f) => {
                let _ = unsafe { libc::madvise(f.ptr.cast(), f.len, libc::MADV_HUGEPAGE) };
            }
        }
    }

    /// Hands the page-aligned range `[off, off + len)` back to the host: it
    /// reads as zero afterwards. Returns false if the host refused.
    pub fn discard(&self, off: usize, len: usize) -> bool {
        if off.checked_add(len).is_none_or(|end| end > self.len()) {
            return false;
        }
        match self {
            // SAFETY: the range lies inside the mapping; its contents become
            // zero, which is what the caller asks for (guest memory is only
            // accessed through raw pointers, never borrowed).
            Mapping::Anywhere(m) => {
                unsafe { m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, off, len) }.is_ok()
            }
            // SAFETY: as above.
            Mapping::At(f) => unsafe { libc::madvise(f.ptr.add(off).cast(), len, libc::MADV_DONTNEED) == 0 },
        }
    }
}

impl Drop for Fixed {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping this value owns, once.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}
