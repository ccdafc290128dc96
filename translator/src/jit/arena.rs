//! Our own executable code arena.
//!
//! Compiled blocks are bump-allocated; nothing is freed singly. When the arena
//! is full the engine drops every block and the arena starts over.
//!
//! W^X: on Linux the arena is one `memfd` mapped twice, a writable view the
//! compiler copies code into and an executable view the code runs from, so no
//! page is ever writable and executable at once and publishing new code never
//! changes the protection of pages that are running. Elsewhere (or if memfd
//! is unavailable) it falls back to one read-write-execute mapping.

use std::ptr;

/// Alignment of every function in the arena: a cache line, so a block's
/// hot loop sits the same way in the instruction cache wherever it lands.
const FUNC_ALIGN: usize = 64;

pub struct Arena {
    /// Writable view.
    rw: *mut u8,
    /// Executable view of the same memory (== `rw` with the RWX fallback).
    rx: *mut u8,
    size: usize,
    used: usize,
}

// SAFETY: the arena is plain memory owned by this struct; the raw pointers are
// only dereferenced through `&mut self` (writes) or by running code whose
// lifetime the JIT ties to the arena.
unsafe impl Send for Arena {}

impl Arena {
    pub fn new(size: usize) -> Result<Arena, String> {
        let size = size.max(page_size()).next_multiple_of(page_size());
        #[cfg(target_os = "linux")]
        if let Some(a) = Self::dual_mapped(size) {
            return Ok(a);
        }
        Self::rwx(size)
    }

    #[cfg(target_os = "linux")]
    fn dual_mapped(size: usize) -> Option<Arena> {
        // SAFETY: plain system calls on a file descriptor we own; every result
        // is checked, and on failure everything created so far is released.
        unsafe {
            let fd = libc::memfd_create(c"xlate-jit".as_ptr(), libc::MFD_CLOEXEC);
            if fd < 0 {
                return None;
            }
            let len = libc::off_t::try_from(size).ok();
            if len.is_none_or(|l| libc::ftruncate(fd, l) != 0) {
                libc::close(fd);
                return None;
            }
            let rw = libc::mmap(ptr::null_mut(), size, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED, fd, 0);
            if rw == libc::MAP_FAILED {
                libc::close(fd);
                return None;
            }
            let rx = libc::mmap(ptr::null_mut(), size, libc::PROT_READ | libc::PROT_EXEC, libc::MAP_SHARED, fd, 0);
            libc::close(fd);
            if rx == libc::MAP_FAILED {
                libc::munmap(rw, size);
                return None;
            }
            Some(Arena { rw: rw.cast(), rx: rx.cast(), size, used: 0 })
        }
    }

    fn rwx(size: usize) -> Result<Arena, String> {
        // SAFETY: an anonymous private mapping of fresh memory; checked below.
        let p = unsafe {
            libc::mmap(
                ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(format!(
                "cannot map {} MiB of executable memory for the JIT: {}",
                size >> 20,
                std::io::Error::last_os_error()
            ));
        }
        Ok(Arena { rw: p.cast(), rx: p.cast(), size, used: 0 })
    }

    /// Copies `header` then `code` into the arena; returns the executable
    /// address of the code (the header sits just before it), or `None` if
    /// the arena is full.
    pub fn install(&mut self, header: &[u8], code: &[u8]) -> Option<*mut u8> {
        let start = self.used.checked_add(header.len())?.next_multiple_of(FUNC_ALIGN);
        let at = start - header.len();
        let end = start.checked_add(code.len())?;
        if end > self.size {
            return None;
        }
        // SAFETY: `at..end` is inside the writable view (checked above) and
        // no published code lives there yet (the bump pointer only grows until
        // `reset`, which the JIT calls only after all code was dropped).
        unsafe {
            ptr::copy_nonoverlapping(header.as_ptr(), self.rw.add(at), header.len());
            ptr::copy_nonoverlapping(code.as_ptr(), self.rw.add(start), code.len());
        }
        self.used = end;
        // SAFETY: same offset in the executable view of the same memory.
        let rx = unsafe { self.rx.add(start) };
        flush_icache(
            // SAFETY: as above.
            unsafe { self.rw.add(start) },
            rx,
            code.len(),
        );
        Some(rx)
    }

    /// Forgets all code. The caller guarantees none of it will run again.
    pub fn reset(&mut self) {
        self.used = 0;
    }

    pub fn used(&self) -> usize {
        self.used
    }
    pub fn size(&self) -> usize {
        self.size
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        // SAFETY: both views were mapped by `new` with this size and nothing
        // runs from them any more (the JIT outlives all its code).
        unsafe {
            libc::munmap(self.rw.cast(), self.size);
            if self.rx != self.rw {
                libc::munmap(self.rx.cast(), self.size);
            }
        }
    }
}

/// Zeroed read-write memory for `T`s that are valid when all-zero, mapped
/// lazily (untouched entries cost nothing).
pub struct ZeroedArray<T> {
    ptr: *mut T,
    cap: usize,
}

// SAFETY: the array owns its mapping; `T` (atomics) is Sync.
unsafe impl<T: Sync> Send for ZeroedArray<T> {}
// SAFETY: as above; shared access only hands out `&T`.
unsafe impl<T: Sync> Sync for ZeroedArray<T> {}

impl<T> ZeroedArray<T> {
    /// # Safety
    /// All-zero bytes must be a valid `T`.
    pub unsafe fn new(cap: usize) -> Result<ZeroedArray<T>, String> {
        let len = (cap * std::mem::size_of::<T>()).max(1);
        // SAFETY: an anonymous private mapping of fresh (zeroed) memory.
        let p = unsafe {
            libc::mmap(
                ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(format!("cannot map JIT exit slots: {}", std::io::Error::last_os_error()));
        }
        Ok(ZeroedArray { ptr: p.cast(), cap })
    }
    pub fn get(&self, i: usize) -> Option<&T> {
        // SAFETY: in bounds, and zeroed memory is a valid `T` (see `new`).
        (i < self.cap).then(|| unsafe { &*self.ptr.add(i) })
    }
    pub fn addr(&self, i: usize) -> u64 {
        self.ptr.wrapping_add(i) as u64
    }
    /// Zeroes the first `n` entries.
    pub fn clear(&mut self, n: usize) {
        // SAFETY: in bounds; all-zero is valid; `&mut self` means no borrows.
        unsafe { ptr::write_bytes(self.ptr, 0, n.min(self.cap)) };
    }
    pub fn capacity(&self) -> usize {
        self.cap
    }
}

impl<T> Drop for ZeroedArray<T> {
    fn drop(&mut self) {
        // SAFETY: mapped by `new` with this length; no references outlive self.
        unsafe { libc::munmap(self.ptr.cast(), (self.cap * std::mem::size_of::<T>()).max(1)) };
    }
}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(p).ok().filter(|&p| p.is_power_of_two()).unwrap_or(4096)
}

/// Whether [`flush_icache`] knows how to make new code visible on this host.
pub const HOST_SUPPORTED: bool = cfg!(any(target_arch = "x86_64", target_arch = "x86", target_arch = "aarch64"));

/// Makes freshly written code visible to instruction fetch.
#[inline]
fn flush_icache(rw: *mut u8, rx: *mut u8, len: usize) {
    // x86 keeps instruction caches coherent with data writes (also through a
    // second mapping of the same physical page): nothing to do.
    let _ = (rw, rx, len);
    #[cfg(target_arch = "aarch64")]
    // SAFETY: cache maintenance by virtual address on memory we own and just
    // wrote; these instructions are allowed at EL0 on Linux (SCTLR_EL1.UCI).
    unsafe {
        use std::arch::asm;
        let ctr: u64;
        asm!("mrs {}, ctr_el0", out(reg) ctr);
        let dline = 4usize << ((ctr >> 16) & 15);
        let iline = 4usize << (ctr & 15);
        let mut a = (rw as usize) & !(dline - 1);
        while a < rw as usize + len {
            asm!("dc cvau, {}", in(reg) a);
            a += dline;
        }
        asm!("dsb ish");
        let mut a = (rx as usize) & !(iline - 1);
        while a < rx as usize + len {
            asm!("ic ivau, {}", in(reg) a);
            a += iline;
        }
        asm!("dsb ish", "isb");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_aligns_and_fills() {
        let mut a = Arena::new(1).unwrap();
        let size = a.size();
        let p = a.install(&[], &[0xc3]).unwrap();
        assert_eq!(p as usize % FUNC_ALIGN, 0);
        let q = a.install(&[7; 16], &[0xc3; 3]).unwrap();
        assert_eq!(q as usize % FUNC_ALIGN, 0);
        assert_eq!(q as usize - p as usize, FUNC_ALIGN);
        // SAFETY: the header was just written before `q`, in the same mapping.
        assert_eq!(unsafe { *q.sub(1) }, 7);
        assert!(a.install(&[], &vec![0; size]).is_none());
        a.reset();
        assert_eq!(a.used(), 0);
    }
}
