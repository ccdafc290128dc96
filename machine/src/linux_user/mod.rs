//! Linux user-mode emulation (`xlate exec`): runs one Linux program of a
//! guest ISA on the host kernel, emulating its system calls.
//!
//! The guest address space is one RAM region: guest virtual == guest physical
//! == offset into a lazily committed host mapping. The hart runs in U-mode
//! with translation off and PMP open. A trap that U-mode code takes (fault,
//! illegal instruction) lands in a tiny M-mode stub that idles at once, so the
//! run loop sees it and turns it into a guest signal.

mod fdwait;
mod host;
mod ioctl;
mod mm;
mod net;
mod procs;
pub mod riscv64;
pub mod syscall;
mod task;

use std::path::PathBuf;
use std::sync::Arc;

use goblin::elf::{header, program_header, Elf};
use xlate_frontend::riscv::{Cpu, InstretClock, Riscv, PRV_U};
use xlate_softmmu::{Bus, Ram, PAGE_SIZE};
use xlate_translator::{Engine, EngineKind};

use syscall::{page_up, Ending, Mem, Process};

/// Lowest guest address: the pages below it stay unmapped so null pointers fault.
const GUEST_BASE: u64 = 0x1_0000;
/// End of the guest address space (exclusive).
const GUEST_END: u64 = 1 << 32;
/// Top of the initial stack; the pages above hold nothing.
const STACK_TOP: u64 = GUEST_END - PAGE_SIZE;
const STACK_SIZE: u64 = 8 << 20;
/// Where position-independent executables and the dynamic loader are placed.
const PIE_BASE: u64 = 0x4000_0000;
const INTERP_BASE: u64 = 0x7000_0000;
/// Room reserved for brk above the program.
const BRK_SIZE: u64 = 256 << 20;
/// The M-mode trap stub (read-only): `wfi; j .`.
const STUB_BASE: u64 = 1 << 40;
/// The signal-return trampoline (`li a7, 139; ecall`), in the page above the stack.
const SIGRETURN_TRAMPOLINE: u64 = STACK_TOP;

pub struct ExecOptions {
    pub engine: EngineKind,
    pub jit_threshold: u32,
    pub program: PathBuf,
    /// argv, including `argv[0]`.
    pub args: Vec<String>,
    /// VAR=VALUE strings.
    pub env: Vec<String>,
    pub sysroot: Option<PathBuf>,
    pub strace: bool,
}

/// Guest ISAs `xlate exec` knows of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GuestIsa {
    Riscv64,
}

fn parse_elf(bytes: &[u8]) -> Result<Elf<'_>, String> {
    if !bytes.starts_with(b"\x7fELF") {
        return Err("not an ELF file".into());
    }
    let header_len = if bytes.get(4) == Some(&2) { 64 } else { 52 };
    if bytes.len() < header_len {
        return Err(format!("truncated ELF file ({} bytes, shorter than its header)", bytes.len()));
    }
    std::panic::catch_unwind(|| Elf::parse(bytes))
        .map_err(|_| "malformed ELF file".to_string())?
        .map_err(|e| format!("malformed or truncated ELF file: {e}"))
}

/// Whether a file starting with `head` is an ELF program for a guest ISA
/// (an execve of anything else goes to the host kernel).
fn elf_is_guest(head: &[u8]) -> bool {
    // e_ident: magic, class 2 (64-bit), data 1 (little endian); e_machine at 18.
    head.len() >= 20
        && head.starts_with(b"\x7fELF")
        && head[4] == 2
        && head[5] == 1
        && head[18..20] == header::EM_RISCV.to_le_bytes()
}

fn guest_isa(elf: &Elf) -> Result<GuestIsa, String> {
    let m = elf.header.e_machine;
    match (m, elf.is_64, elf.little_endian) {
        (header::EM_RISCV, true, true) => Ok(GuestIsa::Riscv64),
        (header::EM_RISCV, false, _) => Err("32-bit RISC-V programs are not supported (only riscv64)".into()),
        _ => Err(format!(
            "unsupported guest ISA: ELF machine {m} ({}, {}-bit {} endian); supported: riscv64",
            header::machine_to_str(m),
            if elf.is_64 { 64 } else { 32 },
            if elf.little_endian { "little" } else { "big" }
        )),
    }
}

/// A loaded ELF image.
struct Loaded {
    bias: u64,
    entry: u64,
    phdr: u64,
    phnum: u64,
    end: u64,
    interp: Option<String>,
}

/// Copies an ELF's PT_LOAD segments into guest memory at `bias` (0 for ET_EXEC).
fn load_elf(bus: &Bus, proc: &mut Process, bytes: &[u8], elf: &Elf, base: u64) -> Result<Loaded, String> {
    let bias = if elf.header.e_type == header::ET_DYN { base } else { 0 };
    let mut end = 0u64;
    let mut first_load = None;
    // Page ranges of the segments, and whether they are writable.
    let mut segs = Vec::new();
    for ph in elf.program_headers.iter().filter(|p| p.p_type == program_header::PT_LOAD && p.p_memsz > 0) {
        let file = usize::try_from(ph.p_offset)
            .ok()
            .zip(usize::try_from(ph.p_filesz).ok())
            .and_then(|(o, n)| bytes.get(o..o.checked_add(n)?))
            .ok_or_else(|| format!("ELF segment at {:#x} extends past the end of the file (truncated?)", ph.p_vaddr))?;
        if ph.p_filesz > ph.p_memsz {
            return Err(format!("ELF segment at {:#x} has file size larger than memory size", ph.p_vaddr));
        }
        let va = ph.p_vaddr.checked_add(bias).ok_or("ELF segment address overflows")?;
        let seg_end = va.checked_add(ph.p_memsz).ok_or("ELF segment address overflows")?;
        if va < GUEST_BASE || seg_end > STACK_TOP - STACK_SIZE {
            return Err(format!("ELF segment {va:#x}..{seg_end:#x} is outside the guest address space"));
        }
        if !bus.write_bytes(va, file) {
            return Err(format!("cannot load ELF segment at {va:#x}"));
        }
        if first_load.is_none() {
            first_load = Some((ph.p_vaddr, ph.p_offset));
        }
        proc.map_range(va & !(PAGE_SIZE - 1), page_up(seg_end));
        segs.push((va & !(PAGE_SIZE - 1), page_up(seg_end), ph.p_flags & program_header::PF_W != 0));
        end = end.max(seg_end);
    }
    // Stores to read-only segments fault, except in pages a writable one shares.
    for &(s, e, writable) in &segs {
        if writable {
            continue;
        }
        for page in (s..e).step_by(PAGE_SIZE as usize) {
            if !segs.iter().any(|&(ws, we, w)| w && page >= ws && page < we) {
                bus.set_write_protect(page, PAGE_SIZE, true);
            }
        }
    }
    let Some((v0, o0)) = first_load else { return Err("ELF file has no loadable segments".into()) };
    let phdr = match elf.program_headers.iter().find(|p| p.p_type == program_header::PT_PHDR) {
        Some(p) => p.p_vaddr + bias,
        None => v0.wrapping_sub(o0).wrapping_add(elf.header.e_phoff).wrapping_add(bias),
    };
    Ok(Loaded {
        bias,
        entry: elf.entry.wrapping_add(bias),
        phdr,
        phnum: elf.program_headers.len() as u64,
        end,
        interp: elf.interpreter.map(str::to_string),
    })
}

/// Builds the initial stack (argc, argv, envp, auxv, strings); returns sp.
fn build_stack(mem: &mut Mem, args: &[String], env: &[String], auxv: &[(u64, u64)], execfn: &str) -> Result<u64, i32> {
    let mut sp = STACK_TOP;
    let mut push_bytes = |mem: &mut Mem, b: &[u8]| -> Result<u64, i32> {
        sp -= b.len() as u64;
        mem.write(sp, b)?;
        Ok(sp)
    };
    let cstr = |s: &str| {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        v
    };
    let execfn_addr = push_bytes(mem, &cstr(execfn))?;
    let mut argv = Vec::new();
    for a in args {
        argv.push(push_bytes(mem, &cstr(a))?);
    }
    let mut envp = Vec::new();
    for e in env {
        envp.push(push_bytes(mem, &cstr(e))?);
    }
    let platform = push_bytes(mem, &cstr("riscv64"))?;
    let mut random = [0u8; 16];
    let _ = host::getrandom(&mut random);
    let random_addr = push_bytes(mem, &random)?;
    let mut words: Vec<u64> = vec![args.len() as u64];
    words.extend(&argv);
    words.push(0);
    words.extend(&envp);
    words.push(0);
    for &(k, v) in auxv {
        words.push(k);
        words.push(v);
    }
    words.extend([AT_RANDOM, random_addr, AT_EXECFN, execfn_addr, AT_PLATFORM, platform, 0, 0]);
    let mut sp = (sp - 8 * words.len() as u64) & !15;
    let start = sp;
    for w in words {
        mem.put_u64(sp, w)?;
        sp += 8;
    }
    Ok(start)
}

const AT_PHDR: u64 = 3;
const AT_PHENT: u64 = 4;
const AT_PHNUM: u64 = 5;
const AT_PAGESZ: u64 = 6;
const AT_BASE: u64 = 7;
const AT_FLAGS: u64 = 8;
const AT_ENTRY: u64 = 9;
const AT_UID: u64 = 11;
const AT_EUID: u64 = 12;
const AT_GID: u64 = 13;
const AT_EGID: u64 = 14;
const AT_PLATFORM: u64 = 15;
const AT_HWCAP: u64 = 16;
const AT_CLKTCK: u64 = 17;
const AT_SECURE: u64 = 23;
const AT_RANDOM: u64 = 25;
const AT_EXECFN: u64 = 31;

fn signal_name(sig: i32) -> String {
    match sig {
        4 => "SIGILL".into(),
        5 => "SIGTRAP".into(),
        6 => "SIGABRT".into(),
        7 => "SIGBUS".into(),
        8 => "SIGFPE".into(),
        9 => "SIGKILL".into(),
        10 => "SIGUSR1".into(),
        12 => "SIGUSR2".into(),
        13 => "SIGPIPE".into(),
        14 => "SIGALRM".into(),
        11 => "SIGSEGV".into(),
        15 => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}

/// Runs the program; returns its exit status (128 + signal if a signal killed it).
pub fn exec(opts: ExecOptions) -> Result<i32, String> {
    let bytes = std::fs::read(&opts.program).map_err(|e| format!("cannot read {}: {e}", opts.program.display()))?;
    let elf = parse_elf(&bytes).map_err(|e| format!("{}: {e}", opts.program.display()))?;
    match guest_isa(&elf).map_err(|e| format!("{}: {e}", opts.program.display()))? {
        GuestIsa::Riscv64 => exec_riscv64(&opts, &bytes, &elf),
    }
}

fn exec_riscv64(opts: &ExecOptions, bytes: &[u8], elf: &Elf) -> Result<i32, String> {
    let mut bus = Bus::default();
    bus.add_ram(
        Ram::new_identity(GUEST_BASE, GUEST_END - GUEST_BASE)
            .map_err(|e| format!("cannot reserve guest memory: {e}"))?,
    );
    bus.add_ram(Ram::new(STUB_BASE, PAGE_SIZE, true).map_err(|e| format!("cannot allocate memory: {e}"))?);
    // wfi; j .
    let stub: Vec<u8> = [0x1050_0073u32, 0x0000_006f].iter().flat_map(|w| w.to_le_bytes()).collect();
    bus.write_bytes(STUB_BASE, &stub);
    let bus = Arc::new(bus);

    let mut proc = Process::new(&riscv64::ABI, opts.program.clone(), opts.sysroot.clone(), opts.strace);
    proc.cmdline = opts.args.iter().flat_map(|a| a.bytes().chain([0])).collect();
    let main = load_elf(&bus, &mut proc, bytes, elf, PIE_BASE)?;
    let brk = page_up(main.end);
    proc.brk_start = brk;
    proc.brk = brk;
    proc.brk_max = brk + BRK_SIZE;
    proc.map_range(brk, brk + BRK_SIZE);
    proc.mmap_min = GUEST_BASE;
    proc.mmap_top = STACK_TOP - STACK_SIZE;
    proc.map_range(STACK_TOP - STACK_SIZE, GUEST_END);

    let (entry, interp_base) = match &main.interp {
        None => (main.entry, 0),
        Some(interp) => {
            let root = opts.sysroot.clone().unwrap_or_else(|| PathBuf::from("/usr/riscv64-linux-gnu"));
            let path = root.join(interp.trim_start_matches('/'));
            let ibytes = std::fs::read(&path).map_err(|e| {
                format!(
                    "dynamically linked program: cannot read its interpreter {}: {e} (try --sysroot)",
                    path.display()
                )
            })?;
            let ielf = parse_elf(&ibytes).map_err(|e| format!("{}: {e}", path.display()))?;
            if guest_isa(&ielf)? != GuestIsa::Riscv64 {
                return Err(format!("{}: interpreter is not a riscv64 ELF", path.display()));
            }
            let il = load_elf(&bus, &mut proc, &ibytes, &ielf, INTERP_BASE)?;
            if proc.sysroot.is_none() {
                proc.sysroot = Some(root);
            }
            (il.entry, il.bias)
        }
    };

    let (u, eu, g, eg) = host::ids();
    let auxv = [
        (AT_PHDR, main.phdr),
        (AT_PHENT, 56),
        (AT_PHNUM, main.phnum),
        (AT_PAGESZ, PAGE_SIZE),
        (AT_BASE, interp_base),
        (AT_FLAGS, 0),
        (AT_ENTRY, main.entry),
        (AT_UID, u64::from(u)),
        (AT_EUID, u64::from(eu)),
        (AT_GID, u64::from(g)),
        (AT_EGID, u64::from(eg)),
        // I, M, A, F, D, C
        (AT_HWCAP, (1 << 8) | (1 << 12) | 1 | (1 << 5) | (1 << 3) | (1 << 2)),
        (AT_CLKTCK, 100),
        (AT_SECURE, 0),
    ];
    let mut mem = Mem::new(&bus);
    let execfn = opts.args.first().cloned().unwrap_or_else(|| opts.program.display().to_string());
    let sp = build_stack(&mut mem, &opts.args, &opts.env, &auxv, &execfn)
        .map_err(|_| "the arguments and environment do not fit on the guest stack".to_string())?;

    // li a7, 139 (rt_sigreturn); ecall
    let tramp: Vec<u8> = [0x08b0_0893u32, 0x0000_0073].iter().flat_map(|w| w.to_le_bytes()).collect();
    bus.write_bytes(SIGRETURN_TRAMPOLINE, &tramp);

    // As after execve: what the parent ignored stays ignored, the mask stays.
    let inherited = host::inherited_signals();
    host::catch_signals(&task::HOST_SIGNALS);
    let shared = task::Shared::new(proc, bus.clone(), SIGRETURN_TRAMPOLINE, opts.engine, opts.jit_threshold);
    let main_thread = shared.main_thread_with(inherited);
    let mut cpu = Cpu::new(bus.clone(), 0, Arc::new(InstretClock(100)));
    enter_user(&mut cpu, entry, sp);
    cpu.syscall = Some(main_thread.clone());
    let mut engine = new_engine(&bus, opts.engine, opts.jit_threshold)?;
    task::run_thread(&main_thread, &mut cpu, &mut engine);
    task::wait_for_end(&shared);
    let end = shared.proc.lock().ending;
    Ok(match end {
        Some(Ending::Exited(code)) => code,
        Some(Ending::Signaled(sig)) => {
            // Only signals that dump core are reported, as qemu-user and
            // shells do (`prog | head` ends quietly with SIGPIPE, a kill too).
            let core = matches!(sig, 3..=8 | 11 | 24 | 25 | 31);
            if core && !shared.reported.load(std::sync::atomic::Ordering::SeqCst) {
                eprintln!("xlate: guest killed by {}", signal_name(sig));
            }
            // Die of the same signal, so that a parent (a guest's wait4 too)
            // sees what killed the guest rather than an exit status.
            host::die(None, Some(sig))
        }
        None => return Err("guest stopped unexpectedly".into()),
    })
}

/// An engine for a guest thread. Guest addresses are physical ones with full
/// access (translation off, PMP open), so compiled code may address guest
/// RAM directly. Hot blocks compile on the guest thread itself (see
/// `Engine::with_compile_thread`).
pub(crate) fn new_engine(bus: &Arc<Bus>, kind: EngineKind, threshold: u32) -> Result<Engine<Riscv>, String> {
    let mut engine = Engine::<Riscv>::with_compile_thread(kind, threshold, false)?;
    engine.use_direct_ram(bus, GUEST_BASE);
    Ok(engine)
}

/// U-mode at `entry` with translation off, PMP open, FPU on and traps to the stub.
pub(crate) fn enter_user(cpu: &mut Cpu, entry: u64, sp: u64) {
    use xlate_frontend::riscv::csr::MSTATUS_FS;
    let _ = cpu.csr_write(0x3b0, (1u64 << 54) - 1);
    let _ = cpu.csr_write(0x3a0, 0x1f); // NAPOT | R | W | X
    cpu.csr.mtvec = STUB_BASE;
    cpu.csr.medeleg = 0;
    cpu.csr.mideleg = 0;
    cpu.csr.mie = 0;
    cpu.csr.mcounteren = 0xffff_ffff;
    cpu.csr.scounteren = 0xffff_ffff;
    cpu.csr.mstatus |= MSTATUS_FS;
    cpu.set_prv(PRV_U);
    cpu.regs = [0; 64];
    cpu.set_x(2, sp);
    cpu.pc = entry;
    cpu.flush_tlbs();
}
