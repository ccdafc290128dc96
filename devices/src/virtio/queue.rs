//! The split virtqueue (virtio 1.2 §2.7) in guest memory.
//!
//! Why not rust-vmm's `virtio-queue`: it reaches guest memory through
//! vm-memory's `GuestMemory`, whose regions hand out host pointers
//! (`VolatileSlice`s) into guest RAM. Adapting our [`xlate_softmmu::Bus`] to
//! it would mean exposing RAM's host mapping to device code and writing new
//! `unsafe` outside the RAM mapping, against the rule that every DMA goes
//! through the bus's bounds-checked `read_bytes`/`write_bytes`. The split ring
//! itself is small, so it is written here over [`GuestMem`].
//!
//! Layout, all little-endian: the descriptor table (16 bytes per entry:
//! `addr: u64, len: u32, flags: u16, next: u16`), the driver area or "avail
//! ring" (`flags: u16, idx: u16, ring: [u16; size]`), and the device area or
//! "used ring" (`flags: u16, idx: u16, ring: [{id: u32, len: u32}; size]`).
//!
//! Not supported (not offered): `VIRTIO_F_EVENT_IDX`. Supported: indirect
//! descriptor tables (`VIRTIO_F_INDIRECT_DESC`) and the driver's
//! `VRING_AVAIL_F_NO_INTERRUPT` hint.
//!
//! Anything the driver gets wrong in the ring structure is a [`QueueError`],
//! after which the transport sets `DEVICE_NEEDS_RESET` and stops using the
//! device until the driver resets it. Descriptors are only followed within
//! their table and a chain can never be longer than its table, so loops end.
//! Host memory used per chain is bounded by the queue size and
//! [`MAX_INDIRECT`], never by guest-supplied buffer lengths.

use std::fmt;
use std::sync::atomic::{fence, Ordering};

use super::{GuestMem, MemError};

pub const DESC_F_NEXT: u16 = 1;
pub const DESC_F_WRITE: u16 = 2;
pub const DESC_F_INDIRECT: u16 = 4;
pub const AVAIL_F_NO_INTERRUPT: u16 = 1;

/// The largest queue size the split ring allows.
pub const MAX_QUEUE_SIZE: u16 = 32768;
/// The largest indirect table accepted, in descriptors.
pub const MAX_INDIRECT: u32 = 1024;

const DESC_SIZE: u64 = 16;

/// A driver error in the queue structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueError {
    /// The queue size is 0, not a power of two, or above the maximum.
    BadSize(u16),
    /// A ring, descriptor table or indirect table is not in guest RAM.
    Memory(MemError),
    /// The available index moved past more entries than the queue holds.
    AvailIndex { avail: u16, next: u16 },
    /// A head or `next` index outside the descriptor table.
    BadIndex(u16),
    /// A chain longer than its table (the descriptors loop).
    ChainTooLong,
    /// An indirect table of bad length, a nested indirect descriptor, or
    /// INDIRECT together with NEXT.
    BadIndirect,
    /// A device-readable descriptor after a device-writable one.
    Order,
}

impl fmt::Display for QueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueueError::BadSize(s) => write!(f, "invalid queue size {s}"),
            QueueError::Memory(e) => write!(f, "ring access outside guest RAM ({} bytes at {:#x})", e.len, e.addr),
            QueueError::AvailIndex { avail, next } => {
                write!(f, "available index {avail} is more than a queue ahead of {next}")
            }
            QueueError::BadIndex(i) => write!(f, "descriptor index {i} outside the table"),
            QueueError::ChainTooLong => write!(f, "descriptor chain longer than its table (a loop?)"),
            QueueError::BadIndirect => write!(f, "malformed indirect descriptor"),
            QueueError::Order => write!(f, "device-readable descriptor after a device-writable one"),
        }
    }
}

impl From<MemError> for QueueError {
    fn from(e: MemError) -> QueueError {
        QueueError::Memory(e)
    }
}

/// One buffer of a chain, in guest physical memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Desc {
    pub addr: u64,
    pub len: u32,
}

/// A descriptor chain taken from the available ring: its head index (to
/// return it with) and its buffers, device-readable ones first.
#[derive(Debug, Clone, Default)]
pub struct DescChain {
    pub head: u16,
    pub readable: Vec<Desc>,
    pub writable: Vec<Desc>,
}

/// Guest ranges `(addr, len)` covering `len` bytes from byte `skip` of the
/// buffers `descs` taken end to end (fewer if the buffers are shorter).
pub fn segments(descs: &[Desc], mut skip: u64, mut len: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    for d in descs {
        if len == 0 {
            break;
        }
        let dl = u64::from(d.len);
        if skip >= dl {
            skip -= dl;
            continue;
        }
        let n = (dl - skip).min(len);
        // An address that overflows saturates, and the bus then refuses it.
        out.push((d.addr.saturating_add(skip), n));
        skip = 0;
        len -= n;
    }
    out
}

impl DescChain {
    fn push(&mut self, addr: u64, len: u32, flags: u16) -> Result<(), QueueError> {
        let d = Desc { addr, len };
        if flags & DESC_F_WRITE != 0 {
            self.writable.push(d);
        } else if self.writable.is_empty() {
            self.readable.push(d);
        } else {
            return Err(QueueError::Order);
        }
        Ok(())
    }

    /// Total bytes the device may read.
    pub fn readable_len(&self) -> u64 {
        self.readable.iter().map(|d| u64::from(d.len)).sum()
    }

    /// Total bytes the device may write.
    pub fn writable_len(&self) -> u64 {
        self.writable.iter().map(|d| u64::from(d.len)).sum()
    }

    /// Reads `buf.len()` bytes starting at byte `offset` of the readable part.
    pub fn read_at(&self, mem: &GuestMem, offset: u64, buf: &mut [u8]) -> Result<(), MemError> {
        let mut pos = 0usize;
        for (addr, n) in segments(&self.readable, offset, buf.len() as u64) {
            let n = n as usize;
            mem.read(addr, &mut buf[pos..pos + n])?;
            pos += n;
        }
        if pos == buf.len() {
            Ok(())
        } else {
            Err(MemError { addr: 0, len: buf.len() as u64 })
        }
    }

    /// Writes `data` starting at byte `offset` of the writable part.
    pub fn write_at(&self, mem: &GuestMem, offset: u64, data: &[u8]) -> Result<(), MemError> {
        let mut pos = 0usize;
        for (addr, n) in segments(&self.writable, offset, data.len() as u64) {
            let n = n as usize;
            mem.write(addr, &data[pos..pos + n])?;
            pos += n;
        }
        if pos == data.len() {
            Ok(())
        } else {
            Err(MemError { addr: 0, len: data.len() as u64 })
        }
    }
}

fn at(base: u64, off: u64) -> Result<u64, QueueError> {
    base.checked_add(off).ok_or(QueueError::Memory(MemError { addr: base, len: off }))
}

/// One raw descriptor.
struct RawDesc {
    addr: u64,
    len: u32,
    flags: u16,
    next: u16,
}

impl RawDesc {
    fn parse(b: &[u8]) -> RawDesc {
        RawDesc {
            addr: u64::from_le_bytes(b[0..8].try_into().unwrap()),
            len: u32::from_le_bytes(b[8..12].try_into().unwrap()),
            flags: u16::from_le_bytes(b[12..14].try_into().unwrap()),
            next: u16::from_le_bytes(b[14..16].try_into().unwrap()),
        }
    }
}

/// One virtqueue: the configuration the driver wrote through the transport
/// and the device's position in the rings.
#[derive(Debug, Clone)]
pub struct Queue {
    max_size: u16,
    /// Number of entries (QueueNum).
    pub size: u16,
    /// QueueReady.
    pub ready: bool,
    /// Guest physical address of the descriptor table.
    pub desc_table: u64,
    /// Guest physical address of the available ring (driver area).
    pub avail_ring: u64,
    /// Guest physical address of the used ring (device area).
    pub used_ring: u64,
    next_avail: u16,
    next_used: u16,
    /// Chains that may still be taken in this round (see [`Queue::begin`]).
    budget: u32,
    /// Used buffers were returned and the driver wants an interrupt.
    signal: bool,
}

impl Queue {
    pub fn new(max_size: u16) -> Queue {
        let max_size = max_size.clamp(1, MAX_QUEUE_SIZE);
        Queue {
            max_size,
            size: max_size,
            ready: false,
            desc_table: 0,
            avail_ring: 0,
            used_ring: 0,
            next_avail: 0,
            next_used: 0,
            budget: 0,
            signal: false,
        }
    }

    pub fn max_size(&self) -> u16 {
        self.max_size
    }

    /// Back to the state after a device reset.
    pub fn reset(&mut self) {
        *self = Queue::new(self.max_size);
    }

    /// Checks the configuration the driver wrote.
    pub fn validate(&self) -> Result<(), QueueError> {
        if self.size == 0 || !self.size.is_power_of_two() || self.size > self.max_size {
            return Err(QueueError::BadSize(self.size));
        }
        Ok(())
    }

    /// Starts a processing round: at most one queue's worth of chains will be
    /// taken, so a driver refilling the ring from another hart cannot keep the
    /// device busy forever (it notifies again for what it adds meanwhile).
    pub fn begin(&mut self) {
        self.budget = u32::from(self.size);
    }

    /// Whether used buffers were returned since the last call and the driver
    /// did not suppress interrupts; clears the flag.
    pub fn take_signal(&mut self) -> bool {
        std::mem::take(&mut self.signal)
    }

    /// Whether the driver has made buffers available that the device has not
    /// taken yet.
    pub fn has_available(&self, mem: &GuestMem) -> Result<bool, QueueError> {
        self.validate()?;
        let avail = mem.read_u16(at(self.avail_ring, 2)?)?;
        Ok(avail != self.next_avail)
    }

    /// Takes the next available descriptor chain, if any.
    pub fn pop(&mut self, mem: &GuestMem) -> Result<Option<DescChain>, QueueError> {
        self.validate()?;
        if self.budget == 0 {
            return Ok(None);
        }
        let avail = mem.read_u16(at(self.avail_ring, 2)?)?;
        // Read the ring entries only after the index that publishes them.
        fence(Ordering::Acquire);
        let pending = avail.wrapping_sub(self.next_avail);
        if pending == 0 {
            return Ok(None);
        }
        if pending > self.size {
            return Err(QueueError::AvailIndex { avail, next: self.next_avail });
        }
        let slot = u64::from(self.next_avail % self.size);
        let head = mem.read_u16(at(self.avail_ring, 4 + 2 * slot)?)?;
        self.next_avail = self.next_avail.wrapping_add(1);
        self.budget -= 1;
        self.read_chain(mem, head).map(Some)
    }

    fn read_chain(&self, mem: &GuestMem, head: u16) -> Result<DescChain, QueueError> {
        let mut chain = DescChain { head, ..DescChain::default() };
        let mut idx = head;
        let mut count = 0u16;
        loop {
            if idx >= self.size {
                return Err(QueueError::BadIndex(idx));
            }
            count += 1;
            if count > self.size {
                return Err(QueueError::ChainTooLong);
            }
            let mut b = [0u8; DESC_SIZE as usize];
            mem.read(at(self.desc_table, u64::from(idx) * DESC_SIZE)?, &mut b)?;
            let d = RawDesc::parse(&b);
            if d.flags & DESC_F_INDIRECT != 0 {
                if d.flags & DESC_F_NEXT != 0 {
                    return Err(QueueError::BadIndirect);
                }
                read_indirect(mem, &d, &mut chain)?;
                return Ok(chain);
            }
            chain.push(d.addr, d.len, d.flags)?;
            if d.flags & DESC_F_NEXT == 0 {
                return Ok(chain);
            }
            idx = d.next;
        }
    }

    /// Returns chain `head` to the driver, `len` bytes written into it.
    pub fn add_used(&mut self, mem: &GuestMem, head: u16, len: u32) -> Result<(), QueueError> {
        self.validate()?;
        let slot = u64::from(self.next_used % self.size);
        let mut elem = [0u8; 8];
        elem[..4].copy_from_slice(&u32::from(head).to_le_bytes());
        elem[4..].copy_from_slice(&len.to_le_bytes());
        mem.write(at(self.used_ring, 4 + 8 * slot)?, &elem)?;
        // The element must be visible before the index that publishes it.
        fence(Ordering::Release);
        self.next_used = self.next_used.wrapping_add(1);
        mem.write_u16(at(self.used_ring, 2)?, self.next_used)?;
        // Order the index write before reading the driver's suppression flag.
        fence(Ordering::SeqCst);
        let flags = mem.read_u16(self.avail_ring)?;
        if flags & AVAIL_F_NO_INTERRUPT == 0 {
            self.signal = true;
        }
        Ok(())
    }
}

fn read_indirect(mem: &GuestMem, d: &RawDesc, chain: &mut DescChain) -> Result<(), QueueError> {
    if d.len == 0 || u64::from(d.len) % DESC_SIZE != 0 || u64::from(d.len) / DESC_SIZE > u64::from(MAX_INDIRECT) {
        return Err(QueueError::BadIndirect);
    }
    let n = d.len / DESC_SIZE as u32;
    let mut table = vec![0u8; d.len as usize];
    mem.read(d.addr, &mut table)?;
    let mut idx = 0u32;
    let mut count = 0u32;
    loop {
        if idx >= n {
            return Err(QueueError::BadIndex(idx as u16));
        }
        count += 1;
        if count > n {
            return Err(QueueError::ChainTooLong);
        }
        let off = idx as usize * DESC_SIZE as usize;
        let e = RawDesc::parse(&table[off..off + DESC_SIZE as usize]);
        if e.flags & DESC_F_INDIRECT != 0 {
            return Err(QueueError::BadIndirect);
        }
        chain.push(e.addr, e.len, e.flags)?;
        if e.flags & DESC_F_NEXT == 0 {
            return Ok(());
        }
        idx = u32::from(e.next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_split_across_buffers() {
        let d = [Desc { addr: 0x1000, len: 16 }, Desc { addr: 0x2000, len: 8 }, Desc { addr: 0x3000, len: 100 }];
        assert_eq!(segments(&d, 0, 16), vec![(0x1000, 16)]);
        assert_eq!(segments(&d, 10, 20), vec![(0x100a, 6), (0x2000, 8), (0x3000, 6)]);
        assert_eq!(segments(&d, 24, 1000), vec![(0x3000, 100)]);
        assert_eq!(segments(&d, 200, 10), vec![]);
        let huge = [Desc { addr: u64::MAX - 1, len: u32::MAX }];
        assert_eq!(segments(&huge, 10, 4), vec![(u64::MAX, 4)]);
    }

    #[test]
    fn queue_size_must_be_a_power_of_two() {
        let mut q = Queue::new(256);
        assert!(q.validate().is_ok());
        q.size = 100;
        assert_eq!(q.validate(), Err(QueueError::BadSize(100)));
        q.size = 512;
        assert!(q.validate().is_err());
        q.size = 0;
        assert!(q.validate().is_err());
    }
}
