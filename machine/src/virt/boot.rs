//! Where firmware, kernel, initrd and device tree go in guest RAM, and the
//! reset ROM that enters them (the layout QEMU's `virt` uses, so firmware
//! built for it finds everything where it expects).

use xlate_softmmu::Bus;

use super::map::*;
use crate::elf::{is_elf, load_image};

/// The reset vector at 0x1000 (source: firmware/reset/riscv-virt.S): a0 = hart
/// id, a1 = device tree, a2 = fw_dynamic_info, then jump to the entry.
const RESET_ROM: &[u8] = include_bytes!("../../../firmware/reset/riscv-virt.bin");
/// Offsets of the words the board fills in the reset ROM.
const ROM_ENTRY: usize = 24;
const ROM_FDT: usize = 32;
const ROM_NEXT_ADDR: usize = 56;

/// Linux RISC-V `Image` header: magic at 0x38 ("RSC\x05"), text offset at 8.
const IMAGE_MAGIC2: &[u8] = b"RSC\x05";

/// Bytes of the reset ROM, filled with the addresses it hands over.
pub fn reset_rom(entry: u64, fdt: u64, next: u64) -> Vec<u8> {
    let mut rom = RESET_ROM.to_vec();
    for (at, v) in [(ROM_ENTRY, entry), (ROM_FDT, fdt), (ROM_NEXT_ADDR, next)] {
        rom[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }
    rom
}

/// Loads a kernel: ELF at its physical addresses, a Linux `Image` at RAM base
/// plus its text offset, anything else raw at `default_base`. Returns
/// (entry, end of the loaded image).
pub fn load_kernel(bus: &Bus, bytes: &[u8], default_base: u64) -> Result<(u64, u64), String> {
    if is_elf(bytes) {
        let img = load_image(bus, bytes, default_base)?;
        return Ok((img.entry, img.span.1));
    }
    let base = match linux_image_text_offset(bytes) {
        Some(off) => RAM_BASE + off.max(0x20_0000),
        None => default_base,
    };
    let img = load_image(bus, bytes, base).map_err(|e| format!("kernel: {e}"))?;
    Ok((img.entry, img.span.1))
}

/// The text offset of a RISC-V Linux `Image`, if `bytes` is one.
fn linux_image_text_offset(bytes: &[u8]) -> Option<u64> {
    if bytes.get(0x38..0x3c)? != IMAGE_MAGIC2 {
        return None;
    }
    Some(u64::from_le_bytes(bytes.get(8..16)?.try_into().ok()?))
}

/// Where the initrd goes: half-way up RAM from the kernel (at most 512 MiB
/// above it), like QEMU, so the kernel can grow without overwriting it.
pub fn initrd_base(kernel_entry: u64, ram_size: u64, initrd_len: u64) -> Result<u64, String> {
    let start = kernel_entry + (ram_size / 2).min(512 << 20);
    let ram_end = RAM_BASE + ram_size;
    if start.checked_add(initrd_len).is_none_or(|end| end > ram_end) {
        return Err(format!("initrd of {initrd_len} bytes does not fit in {} MiB of RAM", ram_size >> 20));
    }
    Ok(start)
}

/// Where the device tree goes: the top of RAM (below 3 GiB), 2 MiB aligned.
pub fn fdt_base(ram_size: u64, fdt_len: u64) -> u64 {
    let top = (RAM_BASE + ram_size).min(0xc000_0000);
    (top - fdt_len) & !((2 << 20) - 1)
}
