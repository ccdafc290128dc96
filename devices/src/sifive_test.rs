//! The SiFive test finisher (QEMU virt's "sifive,test0" syscon at 0x100000):
//! writing 0x5555 powers off, 0x3333 | code << 16 exits with `code`,
//! 0x7777 resets.

use crate::{BusRef, MmioDevice};

pub const FINISHER_PASS: u64 = 0x5555;
pub const FINISHER_FAIL: u64 = 0x3333;
pub const FINISHER_RESET: u64 = 0x7777;

/// Exit code the machine reports for a guest-requested reset.
pub const RESET_EXIT_CODE: u64 = 0x1_0000;

pub struct SifiveTest {
    bus: BusRef,
}

impl SifiveTest {
    pub fn new(bus: BusRef) -> SifiveTest {
        SifiveTest { bus }
    }
}

impl MmioDevice for SifiveTest {
    fn read(&mut self, _offset: u64, _size: u8) -> u64 {
        0
    }
    fn write(&mut self, offset: u64, _size: u8, value: u64) {
        if offset != 0 {
            return;
        }
        let Some(bus) = self.bus.get() else { return };
        match value & 0xffff {
            FINISHER_PASS => bus.request_halt(0),
            FINISHER_FAIL => bus.request_halt((value >> 16).max(1)),
            FINISHER_RESET => bus.request_halt(RESET_EXIT_CODE),
            _ => {}
        }
    }
}
