//! The bare RISC-V board that Spike gives test ROMs: RAM at 0x8000_0000 and
//! HTIF at the image's `tohost` symbol (the full board is in `virt/`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use xlate_devices::htif::{Htif, HtifFromhost};
use xlate_devices::{BusRef, Console};
use xlate_frontend::riscv::{Cpu, InstretClock, Riscv};
use xlate_softmmu::{Bus, Ram};
use xlate_translator::{Engine, EngineKind, Exit, TraceConfig};

use crate::console::SharedConsole;
use crate::elf::{load_image, LoadedImage};

pub const RAM_BASE: u64 = 0x8000_0000;
pub const RESET_ROM_BASE: u64 = 0x1000;

/// The reset stub Spike runs before a test ROM (source: firmware/reset/spike.S):
/// a0 = hart id, a1 = device tree (none here), then jump to the entry point
/// stored at offset 24. Running the same instructions makes commit logs
/// comparable line by line.
const SPIKE_RESET_STUB: &[u8] = include_bytes!("../../firmware/reset/spike.bin");

pub struct BoardOptions {
    pub engine: EngineKind,
    pub jit_threshold: u32,
    pub ram_size: u64,
    /// Start at a Spike-style reset stub at 0x1000 instead of the entry point.
    pub reset_stub: bool,
    pub console: Console,
    pub trace: Option<TraceConfig>,
}

impl BoardOptions {
    pub fn new(engine: EngineKind, console: Console) -> BoardOptions {
        BoardOptions { engine, jit_threshold: 256, ram_size: 256 << 20, reset_stub: false, console, trace: None }
    }
}

pub struct RiscvBoard {
    pub bus: Arc<Bus>,
    pub cpu: Box<Cpu>,
    pub engine: Engine<Riscv>,
    pub image: LoadedImage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// A device stopped the machine with this code (HTIF: 0 = pass, N = test N failed).
    Exited(u64),
    Timeout,
}

impl RiscvBoard {
    /// Builds the board and loads `image` (ELF, or raw at RAM base).
    pub fn new(opts: BoardOptions, image: &[u8]) -> Result<RiscvBoard, String> {
        let mut bus = Bus::default();
        let ram = Ram::new(RAM_BASE, opts.ram_size, false).map_err(|e| format!("cannot allocate guest RAM: {e}"))?;
        bus.add_ram(ram);
        let loaded = load_image(&bus, image, RAM_BASE)?;
        if opts.reset_stub {
            let rom = Ram::new(RESET_ROM_BASE, 0x1000, true).map_err(|e| format!("cannot allocate boot ROM: {e}"))?;
            let mut bytes = SPIKE_RESET_STUB.to_vec();
            bytes[24..32].copy_from_slice(&loaded.entry.to_le_bytes());
            rom.write(RESET_ROM_BASE, &bytes);
            bus.add_ram(rom);
        }
        let bus_ref = BusRef::default();
        let console = SharedConsole::new(opts.console);
        let shared = || Box::new(console.clone()) as Console;
        if let Some(&tohost) = loaded.symbols.get("tohost") {
            let htif = Arc::new(Mutex::new(Htif::new(bus_ref.clone(), shared())));
            bus.add_mmio(tohost, 8, "htif", htif.clone());
            if let Some(&fromhost) = loaded.symbols.get("fromhost") {
                if fromhost.abs_diff(tohost) >= 8 {
                    bus.add_mmio(fromhost, 8, "htif-fromhost", Arc::new(Mutex::new(HtifFromhost(htif))));
                }
            }
        }
        let bus = Arc::new(bus);
        bus_ref.bind(&bus);
        let mut cpu = Cpu::new(bus.clone(), 0, Arc::new(InstretClock(10)));
        cpu.pc = if opts.reset_stub { RESET_ROM_BASE } else { loaded.entry };
        let mut engine = Engine::<Riscv>::new(opts.engine, opts.jit_threshold)?;
        if let Some(t) = opts.trace {
            engine.set_trace(&mut cpu, t);
        }
        Ok(RiscvBoard { bus, cpu, engine, image: loaded })
    }

    /// Runs until a device stops the machine or `timeout` passes.
    pub fn run(&mut self, timeout: Option<Duration>) -> RunOutcome {
        const SLICE: u64 = 1 << 20;
        let start = Instant::now();
        loop {
            match self.engine.run(&mut self.cpu, SLICE) {
                Exit::Halted(code) => return RunOutcome::Exited(code),
                Exit::Budget => {}
                // Nothing can raise an interrupt on these boards yet: WFI is a no-op.
                Exit::Wfi => self.cpu.ctl.wfi = false,
            }
            if timeout.is_some_and(|t| start.elapsed() >= t) {
                return RunOutcome::Timeout;
            }
        }
    }

    /// Guest memory between two symbols, as Spike's `--signature` dumps it:
    /// one word of `granularity` bytes per line, most significant byte first.
    pub fn signature(&self, granularity: usize) -> Result<String, String> {
        let (Some(&begin), Some(&end)) =
            (self.image.symbols.get("begin_signature"), self.image.symbols.get("end_signature"))
        else {
            return Err("ROM has no begin_signature/end_signature symbols".into());
        };
        let len = end.checked_sub(begin).ok_or("end_signature is before begin_signature")?;
        let mut bytes = vec![0u8; usize::try_from(len).map_err(|_| "signature too large")?];
        if !self.bus.read_bytes(begin, &mut bytes) {
            return Err("signature region is outside RAM".into());
        }
        let mut out = String::new();
        for word in bytes.chunks(granularity) {
            for b in word.iter().rev() {
                out.push_str(&format!("{b:02x}"));
            }
            out.push('\n');
        }
        Ok(out)
    }
}
