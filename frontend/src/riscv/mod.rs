//! RISC-V RV64GC: machine, supervisor and user modes (privileged spec 1.12).

pub mod csr;
pub mod decode;
pub mod disasm;
pub mod insn;
pub mod mmu;
pub mod rvc;
pub mod trace;
pub mod trap;

use std::mem::offset_of;
use std::sync::Arc;

use xlate_softmmu::{Bus, Tlb};

pub use decode::{decode, Insn, Op};

use crate::{Control, Emitter, GuestCpu, InsnRecord, Isa, Stop};

/// Privilege levels as encoded in mstatus.MPP.
pub const PRV_U: u8 = 0;
pub const PRV_S: u8 = 1;
pub const PRV_M: u8 = 3;

/// MMU indexes (one TLB each): which translation regime an access uses.
pub const MMU_M: usize = 0;
pub const MMU_S: usize = 1;
pub const MMU_U: usize = 2;
pub const NUM_MMU: usize = 3;

/// Register-file indexes for [`crate::Emitter::reg`]: x0..x31 then f0..f31.
pub const F0: usize = 32;

/// Values of the stop word.
pub const STOP_TRAP: u64 = 1;
/// The instruction completed but the block must end (e.g. code was modified).
pub const STOP_EXIT: u64 = 2;

/// Source of the `time` CSR (mtime), in timebase ticks.
pub trait Clock: Send + Sync {
    fn now(&self, instret: u64) -> u64;
}

/// Deterministic clock: one tick per `div` retired instructions.
pub struct InstretClock(pub u64);
impl Clock for InstretClock {
    fn now(&self, instret: u64) -> u64 {
        instret / self.0.max(1)
    }
}

/// M-mode firmware implemented by the host (xlate's built-in SBI): it sees
/// every `ecall` from S-mode before the trap would be taken.
pub trait Firmware: Send + Sync {
    /// Handles the call in a0..a7 and writes the results; returns false to
    /// let the ecall trap normally.
    fn ecall(&self, cpu: &mut Cpu) -> bool;
}

/// A host implementation of an operating system's system calls (Linux
/// user-mode emulation): it sees every `ecall` from U-mode.
pub trait SyscallHandler: Send + Sync {
    /// Handles the call in a0..a7 and writes the results; returns false to
    /// let the ecall trap normally.
    fn syscall(&self, cpu: &mut Cpu) -> bool;
}

/// Requests other threads post to a hart, taken before its next block:
/// bits of `mip` to set (an IPI sets SSIP), plus these flags.
pub const REMOTE_FLUSH_TLB: u64 = 1 << 62;
pub const REMOTE_FENCE_I: u64 = 1 << 63;

/// One RISC-V hart. The first fields are read and written by JIT code at the
/// offsets given by the [`GuestCpu`] impl, so the layout is `#[repr(C)]`.
#[repr(C)]
pub struct Cpu {
    pub regs: [u64; 64],
    pub pc: u64,
    pub stop: u64,
    pub instret: u64,
    /// Chained compiled code returns to the dispatcher once instret reaches this.
    pub chain_limit: u64,
    pub tlbs: [Tlb; NUM_MMU],
    // ---- not touched by generated code ----
    pub prv: u8,
    pub csr: csr::Csrs,
    pub bus: Arc<Bus>,
    pub clock: Arc<dyn Clock>,
    /// LR/SC reservation: the host address of the reserved word, 0 for
    /// none (compiled code reads and writes it too).
    pub reservation: u64,
    /// The value LR read; SC succeeds only if memory still holds it.
    pub reserved_value: u64,
    /// Requests to the engine (code invalidation, WFI).
    pub ctl: Control,
    /// Requests from other threads (see [`REMOTE_FLUSH_TLB`]).
    pub remote: Arc<std::sync::atomic::AtomicU64>,
    pub firmware: Option<Arc<dyn Firmware>>,
    /// Host system calls for U-mode `ecall` (user-mode emulation).
    pub syscall: Option<Arc<dyn SyscallHandler>>,
    /// Commit-log tracing: CSR writes of the current instruction.
    pub trace_csrs: Option<Vec<(u16, u64)>>,
    /// First unimplemented thing the guest hit, for diagnostics.
    pub last_error: Option<String>,
}

impl Cpu {
    pub fn new(bus: Arc<Bus>, hartid: u64, clock: Arc<dyn Clock>) -> Box<Cpu> {
        Box::new(Cpu {
            regs: [0; 64],
            pc: 0,
            stop: 0,
            instret: 0,
            chain_limit: 0,
            tlbs: std::array::from_fn(|_| Tlb::default()),
            prv: PRV_M,
            csr: csr::Csrs::new(hartid),
            bus,
            clock,
            reservation: 0,
            reserved_value: 0,
            ctl: Control::default(),
            remote: Default::default(),
            firmware: None,
            syscall: None,
            trace_csrs: None,
            last_error: None,
        })
    }

    pub fn x(&self, r: usize) -> u64 {
        self.regs[r & 31]
    }
    pub fn set_x(&mut self, r: usize, v: u64) {
        if r & 31 != 0 {
            self.regs[r & 31] = v;
        }
    }

    /// Privilege used for data accesses (mstatus.MPRV makes M-mode loads and
    /// stores use MPP's translation).
    pub fn data_prv(&self) -> u8 {
        if self.prv == PRV_M && self.csr.mstatus & csr::MSTATUS_MPRV != 0 {
            ((self.csr.mstatus >> 11) & 3) as u8
        } else {
            self.prv
        }
    }

    /// Everything that changes how code at a pc is decoded or translated;
    /// part of the translated block's key. [`MODE_NX`] is only a hint for
    /// the FP fast paths: code is right whatever it says.
    pub fn mode(&self) -> u32 {
        let fs = ((self.csr.mstatus >> 13) & 3) as u32;
        let nx = if self.csr.fcsr & insn::hostfp::NX != 0 { MODE_NX } else { 0 };
        u32::from(self.prv) | (u32::from(self.data_prv()) << 2) | (fs << 4) | nx
    }

    /// Applies what other threads asked of this hart.
    pub fn take_remote_requests(&mut self) {
        use std::sync::atomic::Ordering;
        if self.remote.load(Ordering::Relaxed) == 0 {
            return;
        }
        let r = self.remote.swap(0, Ordering::AcqRel);
        self.csr.mip |= r & 0xffff;
        if r & REMOTE_FLUSH_TLB != 0 {
            self.flush_tlbs();
        }
        if r & REMOTE_FENCE_I != 0 {
            self.ctl.flush_code = true;
        }
        if r & 0xffff != 0 {
            self.ctl.wfi = false;
        }
    }

    pub fn flush_tlbs(&mut self) {
        self.tlbs.iter_mut().for_each(Tlb::flush);
        self.ctl.flush_jump_cache = true;
    }
}

/// Decoding/translation facts carried by a block's mode bits.
#[derive(Clone, Copy, Debug)]
pub struct Mode(pub u32);
impl Mode {
    pub fn prv(self) -> u8 {
        (self.0 & 3) as u8
    }
    pub fn data_mmu(self) -> usize {
        mmu_index((self.0 >> 2 & 3) as u8)
    }
    pub fn exec_mmu(self) -> usize {
        mmu_index(self.prv())
    }
    pub fn fs(self) -> u32 {
        self.0 >> 4 & 3
    }
    /// fflags.NX was set when the block was translated (see `Cpu::mode`).
    pub fn inexact_accrued(self) -> bool {
        self.0 & MODE_NX != 0
    }
}

/// Mode bit: fflags.NX (inexact accrued) was set; a hint (`Isa::MODE_HINTS`).
pub const MODE_NX: u32 = 1 << 6;

pub fn mmu_index(prv: u8) -> usize {
    match prv {
        PRV_M => MMU_M,
        PRV_S => MMU_S,
        _ => MMU_U,
    }
}

impl GuestCpu for Cpu {
    const REGS_OFFSET: usize = offset_of!(Cpu, regs);
    const PC_OFFSET: usize = offset_of!(Cpu, pc);
    const STOP_OFFSET: usize = offset_of!(Cpu, stop);
    const INSTRET_OFFSET: usize = offset_of!(Cpu, instret);
    const CHAIN_LIMIT_OFFSET: usize = offset_of!(Cpu, chain_limit);
    const TLBS_OFFSET: usize = offset_of!(Cpu, tlbs);
    const FP_STATUS_OFFSET: usize = offset_of!(Cpu, csr.fcsr);
    const RESERVATION_OFFSET: Option<(usize, usize)> =
        Some((offset_of!(Cpu, reservation), offset_of!(Cpu, reserved_value)));

    fn regs(&mut self) -> &mut [u64] {
        &mut self.regs
    }
    fn pc(&self) -> u64 {
        self.pc
    }
    fn set_pc(&mut self, pc: u64) {
        self.pc = pc;
    }
    fn stop_word(&mut self) -> &mut u64 {
        &mut self.stop
    }
    fn fp_status(&self) -> u64 {
        self.csr.fcsr
    }
    fn set_fp_status(&mut self, v: u64) {
        self.csr.set_fcsr(v);
    }
    fn instret_mut(&mut self) -> &mut u64 {
        &mut self.instret
    }
    fn chain_limit_mut(&mut self) -> &mut u64 {
        &mut self.chain_limit
    }
    fn tlb(&self, mmu_idx: usize) -> &Tlb {
        &self.tlbs[mmu_idx]
    }
    fn tlb_mut(&mut self, mmu_idx: usize) -> &mut Tlb {
        &mut self.tlbs[mmu_idx]
    }
    fn control(&mut self) -> &mut Control {
        &mut self.ctl
    }
    fn load_slow(&mut self, vaddr: u64, size: u8, pc: u64) -> Result<u64, Stop> {
        mmu::load(self, vaddr, size, pc)
    }
    fn store_slow(&mut self, vaddr: u64, size: u8, value: u64, pc: u64) -> Result<(), Stop> {
        mmu::store(self, vaddr, size, value, pc)
    }
}

/// The RISC-V RV64GC instruction set, for the shared translator.
pub struct Riscv;

impl Isa for Riscv {
    type Cpu = Cpu;
    type Insn = Insn;
    const MAX_INSN_LEN: usize = 4;
    const NUM_MMU: usize = NUM_MMU;
    const STOP_EXIT: u64 = STOP_EXIT;
    const MODE_HINTS: u32 = MODE_NX;
    const FLOAT_REGS: std::ops::Range<usize> = 32..64;

    fn mode(cpu: &Cpu) -> u32 {
        cpu.mode()
    }
    fn data_mmu(mode: u32) -> usize {
        Mode(mode).data_mmu()
    }
    fn decode(bytes: &[u8], _mode: u32) -> Option<Insn> {
        let lo = u16::from_le_bytes([*bytes.first()?, *bytes.get(1)?]);
        if lo & 3 != 3 {
            return decode(u32::from(lo));
        }
        let hi = u16::from_le_bytes([*bytes.get(2)?, *bytes.get(3)?]);
        decode(u32::from(lo) | u32::from(hi) << 16)
    }
    fn insn_len(i: &Insn) -> u64 {
        u64::from(i.len)
    }
    fn insn_bits(i: &Insn) -> u32 {
        i.raw
    }
    fn ends_block(i: &Insn) -> bool {
        i.flags & decode::END != 0 && !(i.is_csr() && insn::system::is_fp_csr(i.csr()))
    }
    fn direct_targets(i: &Insn, pc: u64) -> [Option<u64>; 2] {
        let taken = pc.wrapping_add(i.imm as u64);
        match i.op {
            Op::Jal => [Some(taken), None],
            Op::Beq | Op::Bne | Op::Blt | Op::Bge | Op::Bltu | Op::Bgeu => {
                [Some(taken), Some(pc.wrapping_add(u64::from(i.len)))]
            }
            _ => [None, None],
        }
    }
    fn exec<E: Emitter<Cpu = Cpu>>(i: &Insn, e: &mut E) -> Result<(), Stop> {
        decode::exec(i, e)
    }
    fn translate_fetch(cpu: &mut Cpu, vaddr: u64) -> Result<u64, Stop> {
        cpu.translate_fetch(vaddr, vaddr)
    }
    fn fetch_slow(cpu: &mut Cpu, vaddr: u64) -> Result<Vec<u8>, Stop> {
        let raw = cpu.fetch_insn(vaddr)?;
        let len = if raw & 3 == 3 { 4 } else { 2 };
        Ok(raw.to_le_bytes()[..len].to_vec())
    }
    fn raise_illegal(cpu: &mut Cpu, bytes: &[u8], pc: u64) {
        let mut b = [0u8; 4];
        let n = bytes.len().min(4);
        b[..n].copy_from_slice(&bytes[..n]);
        let mut raw = u32::from_le_bytes(b);
        if raw & 3 != 3 {
            raw &= 0xffff;
        }
        let _ = cpu.raise::<()>(trap::Exception::Illegal, u64::from(raw), pc);
    }
    fn take_interrupt(cpu: &mut Cpu) -> bool {
        cpu.take_remote_requests();
        cpu.take_interrupt()
    }
    fn interrupt_waiting(cpu: &Cpu) -> bool {
        cpu.interrupt_waiting()
    }
    fn bus(cpu: &Cpu) -> &Bus {
        &cpu.bus
    }
    fn disasm(i: &Insn) -> String {
        disasm::disasm(i.raw, i.len)
    }
    fn privilege(cpu: &Cpu) -> u8 {
        cpu.prv
    }
    fn trace_enable(cpu: &mut Cpu) {
        cpu.trace_csrs = Some(Vec::new());
    }
    fn trace_discard(cpu: &mut Cpu) {
        if let Some(log) = &mut cpu.trace_csrs {
            log.clear();
        }
    }
    fn trace_line(cpu: &mut Cpu, prv: u8, pc: u64, i: &Insn, rec: &InsnRecord, disasm: bool) -> String {
        let csrs = cpu.trace_csrs.as_mut().map(std::mem::take).unwrap_or_default();
        trace::commit_line(prv, pc, i, rec, &csrs, disasm)
    }
}
