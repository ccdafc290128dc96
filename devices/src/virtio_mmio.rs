//! The virtio-mmio transport (virtio 1.2 §4.2, "version 2" register layout).
//!
//! A slot with no device behind it ([`EmptySlot`]) answers like QEMU's: the
//! magic value, version 2 and device ID 0, which tells the guest driver to skip
//! it. [`VirtioMmio`] puts a [`VirtioDevice`] behind the registers.
//!
//! | offset | register |
//! |---|---|
//! | 0x000 | MagicValue "virt" |
//! | 0x004 | Version (2) |
//! | 0x008 | DeviceID |
//! | 0x00c | VendorID |
//! | 0x010 / 0x014 | DeviceFeatures / DeviceFeaturesSel |
//! | 0x020 / 0x024 | DriverFeatures / DriverFeaturesSel |
//! | 0x030 | QueueSel |
//! | 0x034 / 0x038 | QueueNumMax / QueueNum |
//! | 0x044 | QueueReady |
//! | 0x050 | QueueNotify |
//! | 0x060 / 0x064 | InterruptStatus / InterruptACK |
//! | 0x070 | Status |
//! | 0x080.. 0x0a4 | QueueDesc, QueueDriver, QueueDevice (Low/High) |
//! | 0x0ac..0x0bc | SHMSel, SHMLen, SHMBase (no shared memory: length ~0) |
//! | 0x0fc | ConfigGeneration |
//! | 0x100.. | device config space |
//!
//! Registers are 32 bits wide; other access sizes read 0 and are ignored on
//! write. The config space takes 1, 2, 4 and 8-byte accesses.
//!
//! The interrupt output is a level: high while InterruptStatus is non-zero
//! (bit 0: used buffers, bit 1: configuration change).
//!
//! Queues are processed synchronously, on the hart that writes QueueNotify,
//! and when the driver sets DRIVER_OK. If the driver breaks a queue the device
//! sets DEVICE_NEEDS_RESET, raises a configuration-change interrupt and
//! ignores its queues until the driver writes Status = 0.

use std::io;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use crate::irq::IrqPin;
use crate::virtio::{
    device_name, GuestMem, Queue, VirtioDevice, F_INDIRECT_DESC, F_VERSION_1, INT_CONFIG_CHANGE, INT_USED_BUFFER,
    STATUS_DRIVER_OK, STATUS_FEATURES_OK, STATUS_NEEDS_RESET,
};
use crate::{BusRef, MmioDevice};

const MAGIC: u64 = 0x7472_6976; // "virt"
const VERSION: u64 = 2;
/// Vendor ID QEMU reports ("QEMU"), which guests already know.
const VENDOR: u64 = 0x554d_4551;

pub const REG_MAGIC: u64 = 0x000;
pub const REG_VERSION: u64 = 0x004;
pub const REG_DEVICE_ID: u64 = 0x008;
pub const REG_VENDOR_ID: u64 = 0x00c;
pub const REG_DEVICE_FEATURES: u64 = 0x010;
pub const REG_DEVICE_FEATURES_SEL: u64 = 0x014;
pub const REG_DRIVER_FEATURES: u64 = 0x020;
pub const REG_DRIVER_FEATURES_SEL: u64 = 0x024;
pub const REG_QUEUE_SEL: u64 = 0x030;
pub const REG_QUEUE_NUM_MAX: u64 = 0x034;
pub const REG_QUEUE_NUM: u64 = 0x038;
pub const REG_QUEUE_READY: u64 = 0x044;
pub const REG_QUEUE_NOTIFY: u64 = 0x050;
pub const REG_INTERRUPT_STATUS: u64 = 0x060;
pub const REG_INTERRUPT_ACK: u64 = 0x064;
pub const REG_STATUS: u64 = 0x070;
pub const REG_QUEUE_DESC_LOW: u64 = 0x080;
pub const REG_QUEUE_DESC_HIGH: u64 = 0x084;
pub const REG_QUEUE_DRIVER_LOW: u64 = 0x090;
pub const REG_QUEUE_DRIVER_HIGH: u64 = 0x094;
pub const REG_QUEUE_DEVICE_LOW: u64 = 0x0a0;
pub const REG_QUEUE_DEVICE_HIGH: u64 = 0x0a4;
pub const REG_SHM_SEL: u64 = 0x0ac;
pub const REG_SHM_LEN_LOW: u64 = 0x0b0;
pub const REG_SHM_LEN_HIGH: u64 = 0x0b4;
pub const REG_SHM_BASE_LOW: u64 = 0x0b8;
pub const REG_SHM_BASE_HIGH: u64 = 0x0bc;
pub const REG_CONFIG_GENERATION: u64 = 0x0fc;
pub const REG_CONFIG: u64 = 0x100;

/// An unused virtio-mmio slot.
#[derive(Default)]
pub struct EmptySlot;

impl MmioDevice for EmptySlot {
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        if size != 4 {
            return 0;
        }
        match offset {
            REG_MAGIC => MAGIC,
            REG_VERSION => VERSION,
            REG_DEVICE_ID => 0,
            REG_VENDOR_ID => VENDOR,
            _ => 0,
        }
    }
    fn write(&mut self, _offset: u64, _size: u8, _value: u64) {}
}

struct Transport {
    dev: Box<dyn VirtioDevice>,
    bus: BusRef,
    pin: IrqPin,
    queues: Vec<Queue>,
    device_features_sel: u32,
    driver_features_sel: u32,
    driver_features: u64,
    queue_sel: u32,
    status: u32,
    interrupt_status: u32,
    config_generation: u32,
}

fn set_half(v: &mut u64, high: bool, x: u32) {
    if high {
        *v = (*v & 0xffff_ffff) | (u64::from(x) << 32);
    } else {
        *v = (*v & !0xffff_ffff) | u64::from(x);
    }
}

impl Transport {
    fn device_features(&self) -> u64 {
        self.dev.features() | F_VERSION_1 | F_INDIRECT_DESC
    }

    fn queue(&self) -> Option<&Queue> {
        self.queues.get(self.queue_sel as usize)
    }

    fn queue_mut(&mut self) -> Option<&mut Queue> {
        self.queues.get_mut(self.queue_sel as usize)
    }

    /// The selected queue, if the driver may still configure it (it exists and
    /// is not live).
    fn queue_cfg(&mut self) -> Option<&mut Queue> {
        self.queue_mut().filter(|q| !q.ready)
    }

    fn update_irq(&mut self) {
        self.pin.set(self.interrupt_status != 0);
    }

    fn reset(&mut self) {
        self.queues.iter_mut().for_each(Queue::reset);
        self.device_features_sel = 0;
        self.driver_features_sel = 0;
        self.driver_features = 0;
        self.queue_sel = 0;
        self.status = 0;
        self.interrupt_status = 0;
        self.dev.reset();
        self.update_irq();
    }

    fn live(&self) -> bool {
        self.status & STATUS_DRIVER_OK != 0 && self.status & STATUS_NEEDS_RESET == 0
    }

    /// Lets the device work on queue `index`, then raises interrupts for
    /// what it did.
    fn process(&mut self, index: usize) {
        if !self.live() || !self.queues.get(index).is_some_and(|q| q.ready) {
            return;
        }
        let Some(bus) = self.bus.get() else { return };
        let mem = GuestMem::new(&bus);
        let q = &mut self.queues[index];
        q.begin();
        let result = self.dev.process_queue(index, q, &mem);
        if q.take_signal() {
            self.interrupt_status |= INT_USED_BUFFER;
        }
        if let Err(e) = result {
            eprintln!("xlate: {} queue {index}: {e}; device needs reset", device_name(self.dev.device_id()));
            self.status |= STATUS_NEEDS_RESET;
            self.interrupt_status |= INT_CONFIG_CHANGE;
        }
        self.update_irq();
    }

    fn process_all(&mut self) {
        for i in 0..self.queues.len() {
            self.process(i);
        }
    }

    fn write_status(&mut self, v: u32) {
        if v == 0 {
            self.reset();
            return;
        }
        let old = self.status;
        let mut new = (v & 0xff) | (old & STATUS_NEEDS_RESET);
        if new & STATUS_FEATURES_OK != 0 && old & STATUS_FEATURES_OK == 0 {
            let offered = self.device_features();
            // Only modern drivers (VERSION_1), and only features we offered.
            if self.driver_features & !offered != 0 || self.driver_features & F_VERSION_1 == 0 {
                new &= !STATUS_FEATURES_OK;
            }
        }
        if new & STATUS_DRIVER_OK != 0 && new & STATUS_FEATURES_OK == 0 {
            // DRIVER_OK without negotiated features: refuse to go live.
            new &= !STATUS_DRIVER_OK;
        }
        self.status = new;
        if new & STATUS_DRIVER_OK != 0 && old & STATUS_DRIVER_OK == 0 {
            // Buffers the driver made available before DRIVER_OK.
            self.process_all();
        }
    }

    fn write_queue_ready(&mut self, v: u32) {
        let Some(q) = self.queue_mut() else { return };
        if v & 1 == 0 {
            q.ready = false;
            return;
        }
        if q.ready {
            return;
        }
        match q.validate() {
            Ok(()) => q.ready = true,
            Err(e) => {
                let name = device_name(self.dev.device_id());
                eprintln!("xlate: {name} queue {}: {e}; device needs reset", self.queue_sel);
                self.status |= STATUS_NEEDS_RESET;
                self.interrupt_status |= INT_CONFIG_CHANGE;
                self.update_irq();
            }
        }
    }

    fn read_reg(&self, offset: u64) -> u32 {
        match offset {
            REG_MAGIC => MAGIC as u32,
            REG_VERSION => VERSION as u32,
            REG_DEVICE_ID => self.dev.device_id(),
            REG_VENDOR_ID => VENDOR as u32,
            REG_DEVICE_FEATURES => match self.device_features_sel {
                0 => self.device_features() as u32,
                1 => (self.device_features() >> 32) as u32,
                _ => 0,
            },
            REG_DEVICE_FEATURES_SEL => self.device_features_sel,
            REG_DRIVER_FEATURES => match self.driver_features_sel {
                0 => self.driver_features as u32,
                1 => (self.driver_features >> 32) as u32,
                _ => 0,
            },
            REG_DRIVER_FEATURES_SEL => self.driver_features_sel,
            REG_QUEUE_SEL => self.queue_sel,
            REG_QUEUE_NUM_MAX => self.queue().map_or(0, |q| u32::from(q.max_size())),
            REG_QUEUE_NUM => self.queue().map_or(0, |q| u32::from(q.size)),
            REG_QUEUE_READY => self.queue().map_or(0, |q| u32::from(q.ready)),
            REG_INTERRUPT_STATUS => self.interrupt_status,
            REG_STATUS => self.status,
            REG_QUEUE_DESC_LOW => self.queue().map_or(0, |q| q.desc_table as u32),
            REG_QUEUE_DESC_HIGH => self.queue().map_or(0, |q| (q.desc_table >> 32) as u32),
            REG_QUEUE_DRIVER_LOW => self.queue().map_or(0, |q| q.avail_ring as u32),
            REG_QUEUE_DRIVER_HIGH => self.queue().map_or(0, |q| (q.avail_ring >> 32) as u32),
            REG_QUEUE_DEVICE_LOW => self.queue().map_or(0, |q| q.used_ring as u32),
            REG_QUEUE_DEVICE_HIGH => self.queue().map_or(0, |q| (q.used_ring >> 32) as u32),
            // No shared memory regions: a length of all ones says so.
            REG_SHM_LEN_LOW | REG_SHM_LEN_HIGH | REG_SHM_BASE_LOW | REG_SHM_BASE_HIGH => u32::MAX,
            REG_CONFIG_GENERATION => self.config_generation,
            _ => 0,
        }
    }

    fn write_reg(&mut self, offset: u64, v: u32) {
        match offset {
            REG_DEVICE_FEATURES_SEL => self.device_features_sel = v,
            // Features are fixed once FEATURES_OK is set.
            REG_DRIVER_FEATURES if self.status & STATUS_FEATURES_OK == 0 => match self.driver_features_sel {
                0 => set_half(&mut self.driver_features, false, v),
                1 => set_half(&mut self.driver_features, true, v),
                _ => {}
            },
            REG_DRIVER_FEATURES_SEL => self.driver_features_sel = v,
            REG_QUEUE_SEL => self.queue_sel = v,
            REG_QUEUE_NUM => {
                if let Some(q) = self.queue_cfg() {
                    q.size = v.min(u32::from(u16::MAX)) as u16;
                }
            }
            REG_QUEUE_READY => self.write_queue_ready(v),
            REG_QUEUE_NOTIFY => self.process((v & 0xffff) as usize),
            REG_INTERRUPT_ACK => {
                self.interrupt_status &= !v;
                self.update_irq();
            }
            REG_STATUS => self.write_status(v),
            REG_QUEUE_DESC_LOW | REG_QUEUE_DESC_HIGH => {
                if let Some(q) = self.queue_cfg() {
                    set_half(&mut q.desc_table, offset == REG_QUEUE_DESC_HIGH, v);
                }
            }
            REG_QUEUE_DRIVER_LOW | REG_QUEUE_DRIVER_HIGH => {
                if let Some(q) = self.queue_cfg() {
                    set_half(&mut q.avail_ring, offset == REG_QUEUE_DRIVER_HIGH, v);
                }
            }
            REG_QUEUE_DEVICE_LOW | REG_QUEUE_DEVICE_HIGH => {
                if let Some(q) = self.queue_cfg() {
                    set_half(&mut q.used_ring, offset == REG_QUEUE_DEVICE_HIGH, v);
                }
            }
            _ => {} // read-only or unknown registers
        }
    }
}

/// A virtio device on the virtio-mmio transport. A cheap handle: clone it for
/// the bus and for whoever else needs to reach the device (flushing a disk at
/// exit, feeding console input) without going through the bus's lock.
#[derive(Clone)]
pub struct VirtioMmio(Arc<Mutex<Transport>>);

impl VirtioMmio {
    /// `dev` behind the registers; `bus` reaches guest RAM for DMA; `irq` is
    /// the slot's interrupt output.
    pub fn new(dev: Box<dyn VirtioDevice>, bus: BusRef, irq: IrqPin) -> VirtioMmio {
        let queues = dev.queue_max_sizes().iter().map(|&m| Queue::new(m)).collect();
        VirtioMmio(Arc::new(Mutex::new(Transport {
            dev,
            bus,
            pin: irq,
            queues,
            device_features_sel: 0,
            driver_features_sel: 0,
            driver_features: 0,
            queue_sel: 0,
            status: 0,
            interrupt_status: 0,
            config_generation: 0,
        })))
    }

    /// Makes the device's writes durable (a disk's data and metadata). Call it
    /// before the process exits; dropping the last handle also flushes.
    pub fn flush(&self) -> io::Result<()> {
        self.0.lock().dev.flush()
    }

    /// Tells the device that it has something new for queue `index` (e.g.
    /// console input): processes the queue as a notification would.
    pub fn kick(&self, index: usize) {
        self.0.lock().process(index);
    }

    /// The Status register (for tests and diagnostics).
    pub fn status(&self) -> u32 {
        self.0.lock().status
    }

    /// The interrupt output's current level.
    pub fn irq_level(&self) -> bool {
        self.0.lock().pin.level()
    }

    /// The virtio device ID behind this transport.
    pub fn device_id(&self) -> u32 {
        self.0.lock().dev.device_id()
    }

    /// A handle that does not keep the device alive (for a backend's thread,
    /// which the device itself owns).
    pub fn downgrade(&self) -> WeakVirtioMmio {
        WeakVirtioMmio(Arc::downgrade(&self.0))
    }
}

/// A [`VirtioMmio`] handle that does nothing once the device is gone.
#[derive(Clone)]
pub struct WeakVirtioMmio(Weak<Mutex<Transport>>);

impl WeakVirtioMmio {
    /// [`VirtioMmio::kick`] if the device still exists.
    pub fn kick(&self, index: usize) {
        if let Some(t) = self.0.upgrade() {
            t.lock().process(index);
        }
    }
}

impl MmioDevice for VirtioMmio {
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        let t = self.0.lock();
        if offset >= REG_CONFIG {
            let mut b = [0u8; 8];
            let n = usize::from(size.min(8));
            t.dev.read_config(offset - REG_CONFIG, &mut b[..n]);
            return u64::from_le_bytes(b);
        }
        if size != 4 {
            return 0;
        }
        u64::from(t.read_reg(offset))
    }

    fn write(&mut self, offset: u64, size: u8, value: u64) {
        let mut t = self.0.lock();
        if offset >= REG_CONFIG {
            let n = usize::from(size.min(8));
            t.dev.write_config(offset - REG_CONFIG, &value.to_le_bytes()[..n]);
            return;
        }
        if size == 4 {
            t.write_reg(offset, value as u32);
        }
    }
}

impl Drop for Transport {
    fn drop(&mut self) {
        if let Err(e) = self.dev.flush() {
            eprintln!("xlate: {}: flush failed: {e}", device_name(self.dev.device_id()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_slot_identifies_as_no_device() {
        let mut s = EmptySlot;
        assert_eq!(s.read(REG_MAGIC, 4), 0x7472_6976);
        assert_eq!(s.read(REG_VERSION, 4), 2);
        assert_eq!(s.read(REG_DEVICE_ID, 4), 0);
        assert_eq!(s.read(REG_MAGIC, 1), 0);
    }
}
