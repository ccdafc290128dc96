//! mremap, mprotect and madvise on the guest's mapping bookkeeping.
//!
//! Guest memory is one flat RAM region, so these only move bytes and update
//! [`Process::maps`] and the pages' write protection (stores to pages
//! without PROT_WRITE fault; reads are not checked); calls on unmapped
//! ranges fail as Linux's do.

use xlate_softmmu::PAGE_SIZE;

use super::syscall::{page_up, Mem, Process, PROT_WRITE};

const MREMAP_MAYMOVE: u64 = 1;
const MREMAP_FIXED: u64 = 2;
const MREMAP_DONTUNMAP: u64 = 4;
const MADV_DONTNEED: u64 = 4;
const MADV_FREE: u64 = 8;

impl Process {
    /// Is all of `[start, end)` mapped?
    pub fn fully_mapped(&self, start: u64, end: u64) -> bool {
        let mut at = start;
        for (&s, &e) in self.maps.range(..end) {
            if e <= at {
                continue;
            }
            if s > at {
                return false;
            }
            at = e;
            if at >= end {
                return true;
            }
        }
        at >= end
    }

    fn in_mmap_area(&self, start: u64, end: u64) -> bool {
        start >= self.mmap_min && end <= self.mmap_top && start < end
    }

    /// Copies `len` bytes from `from` to `to` (non-overlapping), 1 MiB at a time.
    fn copy(mem: &mut Mem, from: u64, to: u64, len: u64) -> Result<(), i32> {
        let mut done = 0;
        while done < len {
            let n = (len - done).min(1 << 20);
            let b = mem.read(from + done, n as usize)?;
            mem.write(to + done, &b)?;
            done += n;
        }
        Ok(())
    }

    pub fn mremap(&mut self, mem: &mut Mem, a: [u64; 6]) -> Result<u64, i32> {
        let (old, old_len, flags, new_addr) = (a[0], page_up(a[1]), a[3], a[4]);
        let new_len = page_up(a[2]);
        if old % PAGE_SIZE != 0
            || new_len == 0
            || flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) != 0
            || (flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0)
            || flags & MREMAP_DONTUNMAP != 0
        {
            return Err(libc::EINVAL);
        }
        let old_end = old.checked_add(old_len).ok_or(libc::EINVAL)?;
        if old_len == 0 || !self.in_mmap_area(old, old_end) || !self.fully_mapped(old, old_end) {
            return Err(libc::EFAULT);
        }
        let keep = old_len.min(new_len);
        let moved_to = if flags & MREMAP_FIXED != 0 {
            if new_addr % PAGE_SIZE != 0 {
                return Err(libc::EINVAL);
            }
            let end = new_addr.checked_add(new_len).ok_or(libc::EINVAL)?;
            if !self.in_mmap_area(new_addr, end) || (new_addr < old_end && end > old) {
                return Err(libc::EINVAL);
            }
            Some(new_addr)
        } else if new_len <= old_len
            || (self.in_mmap_area(old, old + new_len) && !self.overlaps(old_end, old + new_len))
        {
            None // shrink, or grow into free pages
        } else if flags & MREMAP_MAYMOVE != 0 {
            Some(self.find_free(new_len).ok_or(libc::ENOMEM)?)
        } else {
            return Err(libc::ENOMEM);
        };
        let ro = mem.bus.write_protected(old);
        match moved_to {
            None => {
                // In place: shrink frees the tail, growth takes the free pages after it.
                if new_len < old_len {
                    mem.zero(old + new_len, old_len - new_len)?;
                    self.unmap_range(old + new_len, old_end);
                    mem.write_protect(old + new_len, old_len - new_len, true);
                } else if new_len > old_len {
                    mem.zero(old_end, new_len - old_len)?;
                    self.map_range(old_end, old + new_len);
                    mem.write_protect(old_end, new_len - old_len, ro);
                }
                Ok(old)
            }
            Some(to) => {
                mem.zero(to, new_len)?;
                Self::copy(mem, old, to, keep)?;
                mem.zero(old, old_len)?;
                self.unmap_range(old, old_end);
                self.map_range(to, to + new_len);
                mem.write_protect(old, old_len, true);
                mem.write_protect(to, new_len, ro);
                Ok(to)
            }
        }
    }

    pub fn mprotect(&mut self, mem: &mut Mem, a: [u64; 6]) -> Result<u64, i32> {
        let (start, len) = (a[0], page_up(a[1]));
        if start % PAGE_SIZE != 0 {
            return Err(libc::EINVAL);
        }
        let end = start.checked_add(len).ok_or(libc::ENOMEM)?;
        if len != 0 && !self.fully_mapped(start, end) {
            return Err(libc::ENOMEM);
        }
        // Stores to pages without PROT_WRITE fault (reads are not checked).
        mem.write_protect(start, len, a[2] & PROT_WRITE == 0);
        Ok(0)
    }

    pub fn madvise(&mut self, mem: &mut Mem, a: [u64; 6]) -> Result<u64, i32> {
        let (start, len) = (a[0], page_up(a[1]));
        if start % PAGE_SIZE != 0 {
            return Err(libc::EINVAL);
        }
        let end = start.checked_add(len).ok_or(libc::EINVAL)?;
        if len != 0 && !self.fully_mapped(start, end) {
            return Err(libc::ENOMEM);
        }
        // Private anonymous pages read as zero afterwards (MADV_FREE may, too).
        if a[2] == MADV_DONTNEED || a[2] == MADV_FREE {
            mem.zero(start, len)?;
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{riscv64, syscall::Process};

    fn proc() -> Process {
        let mut p = Process::new(&riscv64::ABI, "t".into(), None, false);
        p.mmap_min = 0x10000;
        p.mmap_top = 0x100000;
        p
    }

    #[test]
    fn munmapped_space_is_handed_out_again() {
        let mut p = proc();
        let a = p.find_free(0x4000).unwrap();
        p.map_range(a, a + 0x4000);
        let b = p.find_free(0x4000).unwrap();
        assert!(b + 0x4000 <= a);
        p.map_range(b, b + 0x4000);
        p.unmap_range(a, a + 0x4000);
        assert_eq!(p.find_free(0x4000), Some(a));
        assert!(p.fully_mapped(b, b + 0x4000));
        assert!(!p.fully_mapped(b, a + 0x1000));
    }
}
