//! The riscv-virt memory map and interrupt numbers (those of QEMU's `virt`).

pub const BOOT_ROM_BASE: u64 = 0x1000;
pub const BOOT_ROM_SIZE: u64 = 0x1000;
pub const TEST_BASE: u64 = 0x10_0000;
pub const RTC_BASE: u64 = 0x10_1000;
pub const CLINT_BASE: u64 = 0x200_0000;
pub const CLINT_SIZE: u64 = 0x1_0000;
pub const PLIC_BASE: u64 = 0xc00_0000;
pub const PLIC_SIZE: u64 = 0x60_0000;
/// PLIC interrupt sources including the reserved source 0.
pub const PLIC_SOURCES: u32 = 96;
pub const UART_BASE: u64 = 0x1000_0000;
pub const VIRTIO_BASE: u64 = 0x1000_1000;
pub const VIRTIO_STRIDE: u64 = 0x1000;
pub const VIRTIO_SLOTS: usize = 8;
pub const RAM_BASE: u64 = 0x8000_0000;

pub const VIRTIO_IRQ0: u32 = 1;
pub const UART_IRQ: u32 = 10;
pub const RTC_IRQ: u32 = 11;

pub const TIMEBASE_HZ: u64 = 10_000_000;
