//! The virtio-mmio transport (virtio 1.x, "version 2" register layout).
//!
//! A slot with no device behind it answers like QEMU's: the magic value,
//! version 2 and device ID 0, which tells the guest driver to skip it.

use crate::MmioDevice;

const MAGIC: u64 = 0x7472_6976; // "virt"
const VERSION: u64 = 2;
/// Vendor ID QEMU reports ("QEMU"), which guests already know.
const VENDOR: u64 = 0x554d_4551;

const REG_MAGIC: u64 = 0x000;
const REG_VERSION: u64 = 0x004;
const REG_DEVICE_ID: u64 = 0x008;
const REG_VENDOR_ID: u64 = 0x00c;

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
