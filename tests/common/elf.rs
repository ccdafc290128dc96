//! A minimal ELF64 writer for tests: one PT_LOAD per segment (vaddr = paddr,
//! RWX) and a symbol table of absolute global objects.

/// An executable for `machine` (243 = RISC-V) entering at `entry`.
pub fn elf64(machine: u16, entry: u64, segments: &[(u64, &[u8])], symbols: &[(&str, u64)]) -> Vec<u8> {
    const EHDR: usize = 64;
    const PHDR: usize = 56;
    let mut body = Vec::new();
    let mut seg_offsets = Vec::new();
    let data_start = EHDR + PHDR * segments.len();
    for (_, bytes) in segments {
        seg_offsets.push(data_start + body.len());
        body.extend_from_slice(bytes);
        while body.len() % 8 != 0 {
            body.push(0);
        }
    }
    let mut strtab = vec![0u8];
    let mut symtab = vec![0u8; 24];
    for (name, value) in symbols {
        symtab.extend_from_slice(&(strtab.len() as u32).to_le_bytes());
        strtab.extend_from_slice(name.as_bytes());
        strtab.push(0);
        symtab.extend_from_slice(&[0x11, 0]); // global object
        symtab.extend_from_slice(&0xfff1u16.to_le_bytes()); // SHN_ABS
        symtab.extend_from_slice(&value.to_le_bytes());
        symtab.extend_from_slice(&8u64.to_le_bytes());
    }
    let shstrtab = b"\0.symtab\0.strtab\0.shstrtab\0";
    let symtab_off = data_start + body.len();
    let strtab_off = symtab_off + symtab.len();
    let shstrtab_off = strtab_off + strtab.len();
    let shoff = (shstrtab_off + shstrtab.len() + 7) & !7;

    let mut out = Vec::new();
    out.extend_from_slice(b"\x7fELF\x02\x01\x01\x00");
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    out.extend_from_slice(&machine.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&entry.to_le_bytes());
    out.extend_from_slice(&(EHDR as u64).to_le_bytes());
    out.extend_from_slice(&(shoff as u64).to_le_bytes());
    out.extend_from_slice(&5u32.to_le_bytes());
    out.extend_from_slice(&(EHDR as u16).to_le_bytes());
    out.extend_from_slice(&(PHDR as u16).to_le_bytes());
    out.extend_from_slice(&(segments.len() as u16).to_le_bytes());
    out.extend_from_slice(&64u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&3u16.to_le_bytes());
    for (k, (addr, bytes)) in segments.iter().enumerate() {
        out.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        out.extend_from_slice(&7u32.to_le_bytes());
        out.extend_from_slice(&(seg_offsets[k] as u64).to_le_bytes());
        out.extend_from_slice(&addr.to_le_bytes());
        out.extend_from_slice(&addr.to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(&0x1000u64.to_le_bytes());
    }
    out.extend_from_slice(&body);
    out.extend_from_slice(&symtab);
    out.extend_from_slice(&strtab);
    out.extend_from_slice(shstrtab);
    out.resize(shoff, 0);
    let mut sh = |name: u32, ty: u32, off: usize, size: usize, link: u32, info: u32, entsize: u64| {
        out.extend_from_slice(&name.to_le_bytes());
        out.extend_from_slice(&ty.to_le_bytes());
        out.extend_from_slice(&[0; 16]); // flags, addr
        out.extend_from_slice(&(off as u64).to_le_bytes());
        out.extend_from_slice(&(size as u64).to_le_bytes());
        out.extend_from_slice(&link.to_le_bytes());
        out.extend_from_slice(&info.to_le_bytes());
        out.extend_from_slice(&8u64.to_le_bytes());
        out.extend_from_slice(&entsize.to_le_bytes());
    };
    sh(0, 0, 0, 0, 0, 0, 0);
    sh(1, 2, symtab_off, symtab.len(), 2, 1, 24);
    sh(9, 3, strtab_off, strtab.len(), 0, 0, 0);
    sh(17, 3, shstrtab_off, shstrtab.len(), 0, 0, 0);
    out
}
