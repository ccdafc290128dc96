//! Virtio devices (virtio 1.2) behind the virtio-mmio transport
//! ([`crate::virtio_mmio::VirtioMmio`]).
//!
//! A device model implements [`VirtioDevice`]: its ID, feature bits, config
//! space and what it does with the buffers of a queue. The transport owns the
//! registers, feature negotiation, the queues' configuration and the interrupt
//! line; it calls the device when the driver notifies a queue.
//!
//! Every access to guest memory goes through [`GuestMem`], which only reaches
//! guest RAM through the bounds-checked [`Bus::read_bytes`]/[`Bus::write_bytes`].
//! A driver that breaks the rings (bad ring addresses, descriptor loops, chains
//! longer than the queue) gets `DEVICE_NEEDS_RESET`; a request whose buffers
//! are bad (outside RAM, wrong lengths) fails with the device's error status.
//! Neither can crash xlate or reach host memory.
//!
//! The constructors below build a device together with its transport; see
//! [`virtio_blk`], [`virtio_rng`], [`virtio_console`] and [`virtio_net`].

pub mod blk;
pub mod console;
pub mod disk;
pub mod net;
pub mod queue;
pub mod rng;

#[cfg(test)]
mod tests;

use std::io;

use xlate_softmmu::Bus;

use crate::irq::IrqPin;
use crate::virtio_mmio::VirtioMmio;
use crate::{BusRef, Console};

pub use blk::VirtioBlk;
pub use console::{ConsoleInput, VirtioConsole};
pub use disk::{open_disk, Disk, DiskFormat, DiskOptions, MemDisk};
pub use net::{NetBackend, NetRx, VirtioNet};
pub use queue::{DescChain, Queue, QueueError};
pub use rng::VirtioRng;

/// Device IDs (virtio 1.2 §5).
pub const ID_NET: u32 = 1;
pub const ID_BLOCK: u32 = 2;
pub const ID_CONSOLE: u32 = 3;
pub const ID_RNG: u32 = 4;

/// A device's name for messages.
pub fn device_name(id: u32) -> &'static str {
    match id {
        ID_NET => "virtio-net",
        ID_BLOCK => "virtio-blk",
        ID_CONSOLE => "virtio-console",
        ID_RNG => "virtio-rng",
        _ => "virtio",
    }
}

/// Device status bits (§2.1).
pub const STATUS_ACKNOWLEDGE: u32 = 1;
pub const STATUS_DRIVER: u32 = 2;
pub const STATUS_DRIVER_OK: u32 = 4;
pub const STATUS_FEATURES_OK: u32 = 8;
pub const STATUS_NEEDS_RESET: u32 = 0x40;
pub const STATUS_FAILED: u32 = 0x80;

/// Transport feature bits (§6).
pub const F_INDIRECT_DESC: u64 = 1 << 28;
pub const F_EVENT_IDX: u64 = 1 << 29;
pub const F_VERSION_1: u64 = 1 << 32;

/// InterruptStatus bits.
pub const INT_USED_BUFFER: u32 = 1;
pub const INT_CONFIG_CHANGE: u32 = 2;

/// A virtio device model, independent of the transport.
pub trait VirtioDevice: Send {
    /// The virtio device ID (e.g. [`ID_BLOCK`]).
    fn device_id(&self) -> u32;
    /// Device-specific feature bits it offers. The transport adds
    /// [`F_VERSION_1`] and [`F_INDIRECT_DESC`].
    fn features(&self) -> u64;
    /// The largest size of each queue; the length is the number of queues.
    fn queue_max_sizes(&self) -> &[u16];
    /// Reads `data.len()` bytes of the config space at `offset` (bytes past
    /// its end read as 0).
    fn read_config(&self, offset: u64, data: &mut [u8]);
    /// A driver write to the config space (ignored unless the device has
    /// writable fields).
    fn write_config(&mut self, _offset: u64, _data: &[u8]) {}
    /// Takes buffers from `queue` (number `index`) and returns them used.
    /// Called on the driver's notification, and when the device has new data
    /// for it (see [`VirtioMmio::kick`]); only while the driver is running
    /// the device (`DRIVER_OK`) and the queue is ready. An `Err` means the
    /// driver broke the queue: the transport sets `DEVICE_NEEDS_RESET`.
    fn process_queue(&mut self, index: usize, queue: &mut Queue, mem: &GuestMem) -> Result<(), QueueError>;
    /// The driver reset the device (status 0).
    fn reset(&mut self) {}
    /// Makes everything written so far durable (disks).
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Guest physical memory as a device sees it for DMA: RAM only, every access
/// bounds-checked by the bus.
pub struct GuestMem<'a> {
    bus: &'a Bus,
}

/// A DMA access that left guest RAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemError {
    pub addr: u64,
    pub len: u64,
}

impl<'a> GuestMem<'a> {
    pub fn new(bus: &'a Bus) -> GuestMem<'a> {
        GuestMem { bus }
    }

    pub fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        if self.bus.read_bytes(addr, buf) {
            Ok(())
        } else {
            Err(MemError { addr, len: buf.len() as u64 })
        }
    }

    pub fn write(&self, addr: u64, data: &[u8]) -> Result<(), MemError> {
        if self.bus.write_bytes(addr, data) {
            Ok(())
        } else {
            Err(MemError { addr, len: data.len() as u64 })
        }
    }

    pub fn read_u16(&self, addr: u64) -> Result<u16, MemError> {
        let mut b = [0; 2];
        self.read(addr, &mut b)?;
        Ok(u16::from_le_bytes(b))
    }

    pub fn read_u32(&self, addr: u64) -> Result<u32, MemError> {
        let mut b = [0; 4];
        self.read(addr, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    pub fn write_u16(&self, addr: u64, v: u16) -> Result<(), MemError> {
        self.write(addr, &v.to_le_bytes())
    }

    pub fn write_u32(&self, addr: u64, v: u32) -> Result<(), MemError> {
        self.write(addr, &v.to_le_bytes())
    }
}

/// Copies the little-endian bytes of a config structure (`cfg`) at `offset`
/// into `data`; bytes outside it read as 0.
pub fn read_config_bytes(cfg: &[u8], offset: u64, data: &mut [u8]) {
    for (i, d) in data.iter_mut().enumerate() {
        *d = usize::try_from(offset).ok().and_then(|o| o.checked_add(i)).and_then(|o| cfg.get(o)).copied().unwrap_or(0);
    }
}

/// A virtio-blk device on a transport: `irq` is the slot's interrupt
/// (`IrqPin::new(plic.sink(), 1 + slot)` on riscv-virt), `bus` the machine's
/// late-bound bus for DMA, `serial` the string `VIRTIO_BLK_T_GET_ID` returns
/// (at most 20 bytes are used). Keep a clone of the result to call
/// [`VirtioMmio::flush`] when the machine stops.
pub fn virtio_blk(irq: IrqPin, bus: BusRef, disk: Box<dyn Disk>, serial: &str) -> VirtioMmio {
    VirtioMmio::new(Box::new(VirtioBlk::new(disk, serial)), bus, irq)
}

/// A virtio-rng device on a transport (entropy from the host's getrandom).
pub fn virtio_rng(irq: IrqPin, bus: BusRef) -> VirtioMmio {
    VirtioMmio::new(Box::new(VirtioRng::new()), bus, irq)
}

/// A single-port virtio-console on a transport: guest output goes to `out`;
/// host input enters through the returned [`ConsoleInput`].
pub fn virtio_console(irq: IrqPin, bus: BusRef, out: Console) -> (VirtioMmio, ConsoleInput) {
    let (dev, backlog) = VirtioConsole::new(out);
    let mmio = VirtioMmio::new(Box::new(dev), bus, irq);
    let input = ConsoleInput::new(backlog, mmio.clone());
    (mmio, input)
}

/// A virtio-net device with address `mac` on a transport, its frames going
/// to `backend` (started here: its error is returned).
pub fn virtio_net(irq: IrqPin, bus: BusRef, mac: [u8; 6], backend: Box<dyn NetBackend>) -> io::Result<VirtioMmio> {
    net::build(irq, bus, mac, backend)
}
