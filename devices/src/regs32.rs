//! MMIO access splitting for devices whose registers are all 32 bits wide:
//! an 8-byte access covers two registers, a narrower one part of one.

/// A device's 32-bit register file.
pub(crate) trait Regs32 {
    /// Reads a register without side effects (for partial writes).
    fn peek32(&self, off: u64) -> u32;
    /// Reads a register as the guest does (may have side effects).
    fn read32(&mut self, off: u64) -> u32;
    fn write32(&mut self, off: u64, v: u32);
}

pub(crate) fn read(r: &mut impl Regs32, offset: u64, size: u8) -> u64 {
    let base = offset & !3;
    let shift = (offset & 3) * 8;
    match size {
        8 => u64::from(r.read32(base)) | (u64::from(r.read32(base.wrapping_add(4))) << 32),
        4 => u64::from(r.read32(base)) >> shift,
        2 => (u64::from(r.read32(base)) >> shift) & 0xffff,
        _ => (u64::from(r.read32(base)) >> shift) & 0xff,
    }
}

pub(crate) fn write(r: &mut impl Regs32, offset: u64, size: u8, value: u64) {
    let base = offset & !3;
    let shift = (offset & 3) * 8;
    match size {
        8 => {
            r.write32(base, value as u32);
            r.write32(base.wrapping_add(4), (value >> 32) as u32);
        }
        4 if shift == 0 => r.write32(base, value as u32),
        _ => {
            let width = match size {
                2 => 16,
                4 => 32,
                _ => 8,
            };
            let mask = (((1u64 << width) - 1) << shift) as u32;
            let merged = (r.peek32(base) & !mask) | (((value << shift) as u32) & mask);
            r.write32(base, merged);
        }
    }
}
