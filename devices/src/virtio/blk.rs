//! virtio-blk (device ID 2, virtio 1.2 §5.2): one request queue, requests
//! served synchronously when the driver notifies.
//!
//! A request is a chain: a 16-byte header the device reads (`type: u32,
//! reserved: u32, sector: u64`), the data (read for OUT, written for IN and
//! GET_ID), and a status byte: the last byte the device may write. Framing is
//! not assumed: header, data and status may share or split descriptors.
//!
//! Offered: `VIRTIO_BLK_F_SIZE_MAX`, `_SEG_MAX`, `_BLK_SIZE` (512), `_FLUSH`,
//! and `_RO` for read-only disks. Types served: IN, OUT, FLUSH, GET_ID; others
//! get `VIRTIO_BLK_S_UNSUPP`. A request that reaches past the disk, has a data
//! length that is not a multiple of 512, writes a read-only disk, or whose
//! buffers are not in guest RAM fails with `VIRTIO_BLK_S_IOERR`. A chain with
//! no writable byte (nowhere to put a status) is returned unused.
//!
//! Host memory per request is one [`CHUNK`]-byte bounce buffer, whatever
//! lengths the guest's descriptors claim.

use super::disk::Disk;
use super::queue::{segments, DescChain, Queue, QueueError};
use super::{read_config_bytes, GuestMem, VirtioDevice, ID_BLOCK};

pub const T_IN: u32 = 0;
pub const T_OUT: u32 = 1;
pub const T_FLUSH: u32 = 4;
pub const T_GET_ID: u32 = 8;

pub const S_OK: u8 = 0;
pub const S_IOERR: u8 = 1;
pub const S_UNSUPP: u8 = 2;

pub const F_SIZE_MAX: u64 = 1 << 1;
pub const F_SEG_MAX: u64 = 1 << 2;
pub const F_RO: u64 = 1 << 5;
pub const F_BLK_SIZE: u64 = 1 << 6;
pub const F_FLUSH: u64 = 1 << 9;

pub const SECTOR: u64 = 512;
/// Length of the GET_ID answer.
pub const ID_LEN: usize = 20;
/// Entries in the request queue.
pub const QUEUE_SIZE: u16 = 256;
/// Largest segment the driver may use (`size_max`).
pub const SIZE_MAX: u32 = 1 << 20;
/// Bytes moved between disk and guest memory at a time.
pub const CHUNK: usize = 128 * 1024;

const HEADER_LEN: u64 = 16;
/// Host I/O errors reported on stderr, at most.
const MAX_REPORTS: u32 = 8;

pub struct VirtioBlk {
    disk: Box<dyn Disk>,
    id: [u8; ID_LEN],
    config: Vec<u8>,
    buf: Vec<u8>,
    reported: u32,
}

impl VirtioBlk {
    /// A block device over `disk`; GET_ID returns `serial` (truncated to 20
    /// bytes, zero-padded).
    pub fn new(disk: Box<dyn Disk>, serial: &str) -> VirtioBlk {
        let mut id = [0u8; ID_LEN];
        let s = serial.as_bytes();
        let n = s.len().min(ID_LEN);
        id[..n].copy_from_slice(&s[..n]);
        let capacity = disk.size() / SECTOR;
        let mut config = vec![0u8; 0x3c];
        config[0x00..0x08].copy_from_slice(&capacity.to_le_bytes());
        config[0x08..0x0c].copy_from_slice(&SIZE_MAX.to_le_bytes());
        // seg_max: leave room for the header and status descriptors.
        config[0x0c..0x10].copy_from_slice(&(u32::from(QUEUE_SIZE) - 2).to_le_bytes());
        config[0x14..0x18].copy_from_slice(&(SECTOR as u32).to_le_bytes());
        config[0x22..0x24].copy_from_slice(&1u16.to_le_bytes()); // num_queues
        VirtioBlk { disk, id, config, buf: Vec::new(), reported: 0 }
    }

    /// Disk capacity in bytes as the guest sees it (whole sectors).
    pub fn capacity_bytes(&self) -> u64 {
        self.disk.size() / SECTOR * SECTOR
    }

    fn io_error(&mut self, what: &str, e: std::io::Error) -> u8 {
        self.reported += 1;
        if self.reported <= MAX_REPORTS {
            eprintln!("xlate: virtio-blk: {what} failed: {e}");
        }
        S_IOERR
    }

    /// The byte offset of a data transfer, if it is whole sectors inside the disk.
    fn check_range(&self, sector: u64, len: u64) -> Result<u64, u8> {
        if !len.is_multiple_of(SECTOR) {
            return Err(S_IOERR);
        }
        let off = sector.checked_mul(SECTOR).ok_or(S_IOERR)?;
        let end = off.checked_add(len).ok_or(S_IOERR)?;
        if end > self.capacity_bytes() {
            return Err(S_IOERR);
        }
        Ok(off)
    }

    /// The bounce buffer, allocated on first use.
    fn ensure_buf(&mut self) {
        if self.buf.len() < CHUNK {
            self.buf.resize(CHUNK, 0);
        }
    }

    /// Disk to guest: `len` bytes at disk offset `off` into the writable buffers.
    fn read_to_guest(&mut self, chain: &DescChain, mem: &GuestMem, mut off: u64, len: u64) -> Result<(), u8> {
        self.ensure_buf();
        for (mut addr, mut n) in segments(&chain.writable, 0, len) {
            while n > 0 {
                let c = n.min(CHUNK as u64) as usize;
                if let Err(e) = self.disk.read_at(&mut self.buf[..c], off) {
                    return Err(self.io_error("disk read", e));
                }
                mem.write(addr, &self.buf[..c]).map_err(|_| S_IOERR)?;
                addr = addr.saturating_add(c as u64);
                off += c as u64;
                n -= c as u64;
            }
        }
        Ok(())
    }

    /// Guest to disk: `len` readable bytes after the header to disk offset `off`.
    fn write_from_guest(&mut self, chain: &DescChain, mem: &GuestMem, mut off: u64, len: u64) -> Result<(), u8> {
        self.ensure_buf();
        for (mut addr, mut n) in segments(&chain.readable, HEADER_LEN, len) {
            while n > 0 {
                let c = n.min(CHUNK as u64) as usize;
                mem.read(addr, &mut self.buf[..c]).map_err(|_| S_IOERR)?;
                if let Err(e) = self.disk.write_at(&self.buf[..c], off) {
                    return Err(self.io_error("disk write", e));
                }
                addr = addr.saturating_add(c as u64);
                off += c as u64;
                n -= c as u64;
            }
        }
        Ok(())
    }

    /// Runs one request; `data_in` is the writable length before the status
    /// byte. Returns the data bytes written into the guest's buffers.
    fn execute(&mut self, chain: &DescChain, mem: &GuestMem, data_in: u64) -> Result<u64, u8> {
        let mut hdr = [0u8; HEADER_LEN as usize];
        chain.read_at(mem, 0, &mut hdr).map_err(|_| S_IOERR)?;
        let ty = u32::from_le_bytes(hdr[0..4].try_into().unwrap());
        let sector = u64::from_le_bytes(hdr[8..16].try_into().unwrap());
        match ty {
            T_IN => {
                let off = self.check_range(sector, data_in)?;
                self.read_to_guest(chain, mem, off, data_in)?;
                Ok(data_in)
            }
            T_OUT => {
                if self.disk.readonly() {
                    return Err(S_IOERR);
                }
                let len = chain.readable_len() - HEADER_LEN;
                let off = self.check_range(sector, len)?;
                self.write_from_guest(chain, mem, off, len)?;
                Ok(0)
            }
            T_FLUSH => {
                self.disk.flush().map_err(|e| self.io_error("flush", e))?;
                Ok(0)
            }
            T_GET_ID => {
                let n = data_in.min(ID_LEN as u64);
                chain.write_at(mem, 0, &self.id[..n as usize]).map_err(|_| S_IOERR)?;
                Ok(n)
            }
            _ => Err(S_UNSUPP),
        }
    }

    /// Serves one chain; returns the used length to report.
    fn handle(&mut self, chain: &DescChain, mem: &GuestMem) -> u32 {
        let wlen = chain.writable_len();
        if wlen == 0 {
            return 0;
        }
        let data_in = wlen - 1;
        let (status, written) = match self.execute(chain, mem, data_in) {
            Ok(n) => (S_OK, n),
            Err(s) => (s, 0),
        };
        if chain.write_at(mem, data_in, &[status]).is_err() {
            return u32::try_from(written).unwrap_or(u32::MAX);
        }
        u32::try_from(written + 1).unwrap_or(u32::MAX)
    }
}

impl VirtioDevice for VirtioBlk {
    fn device_id(&self) -> u32 {
        ID_BLOCK
    }

    fn features(&self) -> u64 {
        let ro = if self.disk.readonly() { F_RO } else { 0 };
        F_SIZE_MAX | F_SEG_MAX | F_BLK_SIZE | F_FLUSH | ro
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[QUEUE_SIZE]
    }

    fn read_config(&self, offset: u64, data: &mut [u8]) {
        read_config_bytes(&self.config, offset, data);
    }

    fn process_queue(&mut self, _index: usize, queue: &mut Queue, mem: &GuestMem) -> Result<(), QueueError> {
        while let Some(chain) = queue.pop(mem)? {
            let len = self.handle(&chain, mem);
            queue.add_used(mem, chain.head, len)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.disk.flush()
    }
}
