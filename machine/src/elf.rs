//! Loading guest images: ELF executables (via goblin) or raw binaries.

use std::collections::HashMap;

use goblin::elf::{header, program_header::PT_LOAD, Elf};
use xlate_softmmu::Bus;

/// What a loaded image tells the board.
#[derive(Debug, Default, Clone)]
pub struct LoadedImage {
    pub entry: u64,
    /// Symbols of interest (tohost, fromhost, begin_signature, end_signature).
    pub symbols: HashMap<String, u64>,
    /// Lowest and highest (exclusive) physical addresses written.
    pub span: (u64, u64),
}

const WANTED_SYMBOLS: [&str; 4] = ["tohost", "fromhost", "begin_signature", "end_signature"];

pub fn is_elf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x7fELF")
}

/// Parses the ELF and checks it is a 64-bit little-endian RISC-V executable.
/// goblin is defensive, but a parser panic on hostile input must still become
/// an error, never a crash.
fn parse(bytes: &[u8]) -> Result<Elf<'_>, String> {
    let elf = std::panic::catch_unwind(|| Elf::parse(bytes))
        .map_err(|_| "malformed ELF file".to_string())?
        .map_err(|e| format!("malformed ELF file: {e}"))?;
    if elf.header.e_machine != header::EM_RISCV {
        return Err(format!(
            "ELF is for machine {} ({}), not RISC-V",
            elf.header.e_machine,
            header::machine_to_str(elf.header.e_machine)
        ));
    }
    if !elf.is_64 || !elf.little_endian {
        return Err("only 64-bit little-endian RISC-V ELF files are supported".into());
    }
    Ok(elf)
}

/// Loads an ELF (by physical address) or, if `bytes` is not an ELF, a raw
/// binary at `raw_base`, into guest RAM.
pub fn load_image(bus: &Bus, bytes: &[u8], raw_base: u64) -> Result<LoadedImage, String> {
    if !is_elf(bytes) {
        if bytes.is_empty() {
            return Err("image is empty".into());
        }
        if bus.ram_at(raw_base, bytes.len() as u64).is_none_or(|r| r.readonly()) || !bus.write_bytes(raw_base, bytes) {
            return Err(format!("image of {} bytes does not fit in RAM at {raw_base:#x}", bytes.len()));
        }
        return Ok(LoadedImage {
            entry: raw_base,
            symbols: HashMap::new(),
            span: (raw_base, raw_base + bytes.len() as u64),
        });
    }
    let elf = parse(bytes)?;
    let mut span = (u64::MAX, 0u64);
    for ph in elf.program_headers.iter().filter(|p| p.p_type == PT_LOAD && p.p_memsz > 0) {
        let file = usize::try_from(ph.p_offset)
            .ok()
            .zip(usize::try_from(ph.p_filesz).ok())
            .and_then(|(o, n)| bytes.get(o..o.checked_add(n)?))
            .ok_or_else(|| format!("ELF segment at {:#x} extends past the end of the file", ph.p_paddr))?;
        if ph.p_filesz > ph.p_memsz {
            return Err(format!("ELF segment at {:#x} has file size larger than memory size", ph.p_paddr));
        }
        let end = ph.p_paddr.checked_add(ph.p_memsz).ok_or("ELF segment address overflows")?;
        let zeros = vec![0u8; usize::try_from(ph.p_memsz - ph.p_filesz).map_err(|_| "ELF segment too large")?];
        // Images go to writable RAM only, never over a boot ROM.
        let fits = bus.ram_at(ph.p_paddr, ph.p_memsz).is_some_and(|r| !r.readonly());
        if !fits || !bus.write_bytes(ph.p_paddr, file) || !bus.write_bytes(ph.p_paddr + ph.p_filesz, &zeros) {
            return Err(format!("ELF segment {:#x}..{end:#x} is outside guest RAM", ph.p_paddr));
        }
        span = (span.0.min(ph.p_paddr), span.1.max(end));
    }
    if span.0 == u64::MAX {
        return Err("ELF file has no loadable segments".into());
    }
    let mut symbols = HashMap::new();
    for sym in elf.syms.iter() {
        if let Some(name) = elf.strtab.get_at(sym.st_name) {
            if WANTED_SYMBOLS.contains(&name) {
                symbols.insert(name.to_string(), sym.st_value);
            }
        }
    }
    Ok(LoadedImage { entry: elf.entry, symbols, span })
}
