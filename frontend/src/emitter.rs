//! The contract between instruction semantics and the execution engines.
//!
//! Semantics call these methods to describe what an instruction does. The
//! interpreter's emitter performs each operation immediately on plain `u64`s;
//! the JIT's emitter builds Cranelift IR whose values are SSA values. Every
//! value is 64 bits wide; narrower guest operations are expressed with
//! explicit sign/zero extension.

use xlate_softmmu::Tlb;

/// Two-operand integer operations on 64-bit values.
///
/// Shift and rotate amounts are taken modulo 64. Division and remainder have
/// a precondition: the divisor is non-zero and the operation is not
/// `i64::MIN / -1` (semantics must guard those cases with `select`, since the
/// guest ISAs all define them differently). The interpreter still never panics
/// if the precondition is broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    And,
    Or,
    Xor,
    Shl,
    ShrU,
    ShrS,
    Rotl,
    Rotr,
    Mul,
    /// High 64 bits of signed × signed.
    MulHS,
    /// High 64 bits of unsigned × unsigned.
    MulHU,
    /// High 64 bits of signed × unsigned.
    MulHSU,
    DivS,
    DivU,
    RemS,
    RemU,
    MinS,
    MinU,
    MaxS,
    MaxU,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Not,
    Neg,
    /// Leading zeros of the 64-bit value (64 for zero).
    Clz,
    /// Trailing zeros (64 for zero).
    Ctz,
    Popcnt,
    Bswap,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    Eq,
    Ne,
    LtS,
    LtU,
    GeS,
    GeU,
}

/// Atomic read-modify-write operations ([`Emitter::atomic_rmw`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtomicOp {
    Swap,
    Add,
    And,
    Or,
    Xor,
    Min,
    Max,
    MinU,
    MaxU,
}

/// Host FPU operations on raw IEEE 754 bits, rounding to nearest-even, for
/// guarded fast paths ([`Emitter::call_unless`]): binary32 values in the low
/// 32 bits (results zero-extended) or binary64. Exception flags are not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FpOp {
    Add,
    Sub,
    Mul,
    Div,
    Sqrt,
    /// `a * b + c`, rounded once.
    MulAdd,
    /// The signed 64-bit integer `a` to floating point.
    FromInt,
    /// To a signed 64-bit integer, truncating; saturates, NaN gives 0.
    ToInt,
    /// To the other precision (the flag names the source's).
    Convert,
}

/// Floating-point comparisons ([`Emitter::fcmp`]); all but `Unordered` are
/// false when an operand is a NaN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FCond {
    Eq,
    Lt,
    Le,
    Unordered,
}

/// What [`Emitter::fp`] computes, on the host FPU.
pub fn host_fp(op: FpOp, double: bool, [a, b, c]: [u64; 3]) -> u64 {
    if double {
        let (x, y, z) = (f64::from_bits(a), f64::from_bits(b), f64::from_bits(c));
        match op {
            FpOp::Add => (x + y).to_bits(),
            FpOp::Sub => (x - y).to_bits(),
            FpOp::Mul => (x * y).to_bits(),
            FpOp::Div => (x / y).to_bits(),
            FpOp::Sqrt => x.sqrt().to_bits(),
            FpOp::MulAdd => x.mul_add(y, z).to_bits(),
            FpOp::FromInt => (a as i64 as f64).to_bits(),
            FpOp::ToInt => x as i64 as u64,
            FpOp::Convert => u64::from((x as f32).to_bits()),
        }
    } else {
        let (x, y, z) = (f32::from_bits(a as u32), f32::from_bits(b as u32), f32::from_bits(c as u32));
        let bits = |v: f32| u64::from(v.to_bits());
        match op {
            FpOp::Add => bits(x + y),
            FpOp::Sub => bits(x - y),
            FpOp::Mul => bits(x * y),
            FpOp::Div => bits(x / y),
            FpOp::Sqrt => bits(x.sqrt()),
            FpOp::MulAdd => bits(x.mul_add(y, z)),
            FpOp::FromInt => bits(a as i64 as f32),
            FpOp::ToInt => x as i64 as u64,
            FpOp::Convert => f64::from(x).to_bits(),
        }
    }
}

/// What [`Emitter::fcmp`] computes: 1 if the comparison holds, else 0.
pub fn host_fcmp(c: FCond, double: bool, a: u64, b: u64) -> u64 {
    let (x, y) = if double {
        (f64::from_bits(a), f64::from_bits(b))
    } else {
        (f64::from(f32::from_bits(a as u32)), f64::from(f32::from_bits(b as u32)))
    };
    u64::from(match c {
        FCond::Eq => x == y,
        FCond::Lt => x < y,
        FCond::Le => x <= y,
        FCond::Unordered => x.is_nan() || y.is_nan(),
    })
}

/// The current instruction stopped the block: it raised a guest exception
/// (the trap has already been entered: pc and privilege state updated), or
/// asked for an exit after it (e.g. it wrote to a page holding code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stop;

/// A runtime helper called by either engine: `(cpu, a, b, c, pc_of_insn) -> value`.
/// A helper that raises a guest exception or needs the block to end sets the
/// CPU's stop word (see [`GuestCpu::STOP_OFFSET`]).
pub type Helper<C> = extern "C" fn(&mut C, u64, u64, u64, u64) -> u64;

/// What a runtime helper may do besides computing its result. The JIT keeps
/// more state in host registers, and chains more blocks, the less it may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effects {
    /// Reads or writes guest registers in the CPU structure.
    pub regs: bool,
    /// May stop the block (raise a guest exception or ask for an exit).
    pub stops: bool,
    /// May change what translated code assumes or when interrupts are
    /// taken: privilege, address translation, interrupt enables, code.
    pub control: bool,
}

impl Effects {
    /// Computes from its arguments alone; may update FP status (fflags, a
    /// clean-to-dirty FS transition) and host memory barriers. Never stops.
    pub const PURE: Effects = Effects { regs: false, stops: false, control: false };
    /// Like [`Effects::PURE`], but may raise a guest exception.
    pub const MAY_TRAP: Effects = Effects { regs: false, stops: true, control: false };
    /// Reads or writes guest registers in the CPU structure; may stop.
    pub const REGS: Effects = Effects { regs: true, stops: true, control: false };
    /// May do anything to the CPU (CSR writes, privilege changes, fences).
    pub const SYSTEM: Effects = Effects { regs: true, stops: true, control: true };
}

/// Requests from guest code to the engine, checked when a block exits.
#[derive(Default, Debug)]
pub struct Control {
    /// Physical pages written while they held translated code.
    pub dirty_code: Vec<u64>,
    /// Drop all translated code (e.g. RISC-V fence.i).
    pub flush_code: bool,
    /// Virtual-to-physical mappings changed: drop virtual-pc lookup caches.
    pub flush_jump_cache: bool,
    /// The hart waits for an interrupt.
    pub wfi: bool,
}

/// Stop-word value compiled code leaves when it returns before an
/// instruction it cannot complete inline (a direct-RAM access outside the
/// fast path: a fault, a store to a code or read-only page, a misaligned
/// store): the engine runs that one instruction in the interpreter. ISAs
/// must not use it.
pub const STOP_STEP: u64 = u64::MAX - 1;

/// What both engines need to know about a guest CPU structure.
///
/// The CPU is `#[repr(C)]`; the JIT addresses its fields by these offsets.
pub trait GuestCpu: Sized + 'static {
    /// Offset of the `u64` register file addressed by [`Emitter::reg`].
    const REGS_OFFSET: usize;
    /// Offset of the `u64` program counter.
    const PC_OFFSET: usize;
    /// Offset of the `u64` stop word: non-zero after a helper asks to end the block.
    const STOP_OFFSET: usize;
    /// Offset of the `u64` retired-instruction counter.
    const INSTRET_OFFSET: usize;
    /// Offset of the `u64` chain limit: chained compiled code goes on to
    /// the next block only while the retired-instruction counter is below it.
    const CHAIN_LIMIT_OFFSET: usize;
    /// Offset of the array of [`Tlb`]s, one per MMU index.
    const TLBS_OFFSET: usize;
    /// Offset of the `u64` FP status word (rounding mode and accrued flags)
    /// that inline FP fast paths check ([`Emitter::fp_status`]).
    const FP_STATUS_OFFSET: usize;
    /// Offsets of the load-reserved state, if the ISA has it: the host
    /// address of the reserved word (0 for none) and the value loaded, sign-extended.
    const RESERVATION_OFFSET: Option<(usize, usize)> = None;

    fn regs(&mut self) -> &mut [u64];
    fn pc(&self) -> u64;
    fn set_pc(&mut self, pc: u64);
    fn stop_word(&mut self) -> &mut u64;
    fn fp_status(&self) -> u64;
    fn set_fp_status(&mut self, v: u64);
    fn instret_mut(&mut self) -> &mut u64;
    fn chain_limit_mut(&mut self) -> &mut u64;
    fn tlb(&self, mmu_idx: usize) -> &Tlb;
    fn tlb_mut(&mut self, mmu_idx: usize) -> &mut Tlb;
    fn control(&mut self) -> &mut Control;

    /// Data access that missed the TLB fast path: translate, fill the TLB,
    /// access RAM or MMIO, or raise the guest exception and return `Err`.
    fn load_slow(&mut self, vaddr: u64, size: u8, pc: u64) -> Result<u64, Stop>;
    fn store_slow(&mut self, vaddr: u64, size: u8, value: u64, pc: u64) -> Result<(), Stop>;
}

/// One guest instruction's worth of operations.
pub trait Emitter {
    type V: Copy;
    type Cpu: GuestCpu;

    /// Guest address of the instruction being emitted.
    fn pc(&self) -> u64;
    /// Its length in bytes.
    fn insn_len(&self) -> u64;
    /// The ISA mode bits the code is translated for (part of the block key).
    fn mode(&self) -> u32;

    fn imm(&mut self, v: u64) -> Self::V;
    fn reg(&mut self, r: usize) -> Self::V;
    fn set_reg(&mut self, r: usize, v: Self::V);

    fn bin(&mut self, op: BinOp, a: Self::V, b: Self::V) -> Self::V;
    fn un(&mut self, op: UnOp, a: Self::V) -> Self::V;
    /// 1 if the condition holds, else 0.
    fn cmp(&mut self, c: Cond, a: Self::V, b: Self::V) -> Self::V;
    /// `c != 0 ? a : b`
    fn select(&mut self, c: Self::V, a: Self::V, b: Self::V) -> Self::V;
    /// Sign-extend the low `bits` bits.
    fn sext(&mut self, v: Self::V, bits: u8) -> Self::V;
    /// Zero-extend the low `bits` bits.
    fn zext(&mut self, v: Self::V, bits: u8) -> Self::V;

    /// Data load of 1, 2, 4 or 8 bytes (sign- or zero-extended).
    fn load(&mut self, addr: Self::V, size: u8, signed: bool) -> Result<Self::V, Stop>;
    fn store(&mut self, addr: Self::V, size: u8, value: Self::V) -> Result<(), Stop>;

    /// Calls a runtime helper with the instruction's pc as last argument.
    /// With `fx.regs`, dirty guest registers are in the CPU structure during
    /// the call and are re-read afterwards, so the helper may read and write
    /// them; without it the helper must not touch them.
    fn call(&mut self, h: Helper<Self::Cpu>, args: [Self::V; 3], fx: Effects) -> Result<Self::V, Stop>;

    /// An atomic read-modify-write of the `size`-byte (4 or 8) word at
    /// `addr`, done by the emitter inline: the old value, zero-extended; or
    /// None, and the semantics do it in a helper (which also raises the
    /// exceptions: the inline form leaves anything unusual to it).
    fn atomic_rmw(&mut self, op: AtomicOp, addr: Self::V, value: Self::V, size: u8) -> Option<Self::V> {
        let _ = (op, addr, value, size);
        None
    }

    /// Load-reserved of the `size`-byte word at `addr` done inline: the value,
    /// sign-extended (the reservation is in the CPU structure, see
    /// [`GuestCpu::RESERVATION_OFFSET`]); or None, and the semantics call their helper.
    fn load_reserved(&mut self, addr: Self::V, size: u8) -> Option<Self::V> {
        let _ = (addr, size);
        None
    }
    /// Store-conditional done inline: 0 if it stored, 1 if not; or None.
    fn store_conditional(&mut self, addr: Self::V, value: Self::V, size: u8) -> Option<Self::V> {
        let _ = (addr, value, size);
        None
    }

    /// A full host memory barrier (a guest fence the host's memory model
    /// does not give for free).
    fn fence(&mut self) -> Result<(), Stop> {
        let z = self.imm(0);
        self.call(host_fence::<Self::Cpu>, [z, z, z], Effects::PURE)?;
        Ok(())
    }

    /// The CPU's FP status word ([`GuestCpu::FP_STATUS_OFFSET`]) as it is now.
    fn fp_status(&mut self) -> Self::V;
    /// Replaces the FP status word, for FP CSR writes that change nothing
    /// else (the caller checks that). Returns false if the emitter wants
    /// the CSR helper to do it instead (a commit log shows CSR writes the
    /// helper makes); then nothing was written.
    fn set_fp_status(&mut self, v: Self::V) -> bool {
        let _ = v;
        false
    }
    /// A host FPU operation ([`host_fp`]).
    fn fp(&mut self, op: FpOp, double: bool, args: [Self::V; 3]) -> Self::V;
    /// A floating-point comparison of raw bits ([`host_fcmp`]).
    fn fcmp(&mut self, c: FCond, double: bool, a: Self::V, b: Self::V) -> Self::V;
    /// A guarded fast path: `fast` if `ok != 0`, else what [`Emitter::call`]
    /// of `h` gives. The semantics guarantee that when `ok != 0` the helper
    /// would return `fast` and change nothing else, so an emitter may always
    /// call it instead (a commit log does, to see the flags it writes). Not
    /// for helpers with [`Effects::control`].
    fn call_unless(
        &mut self,
        ok: Self::V,
        fast: Self::V,
        h: Helper<Self::Cpu>,
        args: [Self::V; 3],
        fx: Effects,
    ) -> Result<Self::V, Stop> {
        let _ = (ok, fast);
        self.call(h, args, fx)
    }

    /// [`Emitter::call_unless`] with a second chance: where `ok` is 0,
    /// `fast` still stands if `retry` (emitted there, as a flag) says so.
    /// The default computes both conditions up front.
    fn call_unless_or<R: FnOnce(&mut Self) -> Self::V>(
        &mut self,
        ok: Self::V,
        fast: Self::V,
        retry: R,
        h: Helper<Self::Cpu>,
        args: [Self::V; 3],
        fx: Effects,
    ) -> Result<Self::V, Stop>
    where
        Self: Sized,
    {
        let again = retry(self);
        let ok = self.bin(BinOp::Or, ok, again);
        self.call_unless(ok, fast, h, args, fx)
    }

    /// Ends the block: continue at a constant address.
    fn jump(&mut self, target: u64);
    /// Ends the block: continue at a computed address.
    fn jump_dyn(&mut self, target: Self::V);
    /// Ends the block: continue at `target` if `cond != 0`, else after this instruction.
    fn branch(&mut self, cond: Self::V, target: u64);
}

extern "C" fn host_fence<C>(_: &mut C, _: u64, _: u64, _: u64, _: u64) -> u64 {
    std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
    0
}

/// What one traced instruction did, for the commit log.
#[derive(Default, Debug, Clone)]
pub struct InsnRecord {
    /// Register-file writes in program order (index as in [`Emitter::reg`]).
    pub regs: Vec<(usize, u64)>,
    pub loads: Vec<u64>,
    /// (address, value, size in bytes)
    pub stores: Vec<(u64, u64, u8)>,
}

/// One guest instruction set: the hooks the shared translator loop calls.
pub trait Isa: 'static {
    type Cpu: GuestCpu + Send;
    type Insn: Copy + Send + Sync + std::fmt::Debug + 'static;
    /// Longest instruction in bytes.
    const MAX_INSN_LEN: usize;
    /// Number of MMU indexes (TLBs) per CPU.
    const NUM_MMU: usize;

    /// Mode bits for the block key (privilege, FP enable, ...).
    fn mode(cpu: &Self::Cpu) -> u32;
    /// Which TLB data accesses of code translated in `mode` use.
    fn data_mmu(mode: u32) -> usize;
    /// Decodes the instruction starting at `bytes[0]`; `None` if illegal or
    /// if `bytes` is too short for it.
    fn decode(bytes: &[u8], mode: u32) -> Option<Self::Insn>;
    fn insn_len(i: &Self::Insn) -> u64;
    fn insn_bits(i: &Self::Insn) -> u32;
    /// Control transfer or system instruction: ends the block.
    fn ends_block(i: &Self::Insn) -> bool;
    /// Where a direct jump or branch at `pc` may go (taken target, and the
    /// next instruction for a conditional branch); `None`s otherwise.
    fn direct_targets(_i: &Self::Insn, _pc: u64) -> [Option<u64>; 2] {
        [None, None]
    }
    fn exec<E: Emitter<Cpu = Self::Cpu>>(i: &Self::Insn, e: &mut E) -> Result<(), Stop>;
    /// Virtual-to-physical for instruction fetch; raises the fault on failure.
    fn translate_fetch(cpu: &mut Self::Cpu, vaddr: u64) -> Result<u64, Stop>;
    /// Fetches the raw bytes of one instruction at `vaddr`, even across pages.
    fn fetch_slow(cpu: &mut Self::Cpu, vaddr: u64) -> Result<Vec<u8>, Stop>;
    /// Raises the illegal-instruction exception for undecodable `bytes` at `pc`.
    fn raise_illegal(cpu: &mut Self::Cpu, bytes: &[u8], pc: u64);
    /// Takes a pending, enabled interrupt (entering its trap). Returns whether it did.
    fn take_interrupt(cpu: &mut Self::Cpu) -> bool;
    /// Whether an interrupt would wake a hart waiting in WFI.
    fn interrupt_waiting(cpu: &Self::Cpu) -> bool;
    /// Which stop-word value means "completed, end the block" (vs. trapped).
    const STOP_EXIT: u64;
    /// Mode bits that are only hints for translation (code is right
    /// whatever they say): compiled code may chain to a successor that
    /// differs from it in them.
    const MODE_HINTS: u32 = 0;
    /// Register indexes ([`Emitter::reg`]) holding floating-point values as
    /// raw IEEE bits: compiled loops keep them in host FP registers.
    const FLOAT_REGS: std::ops::Range<usize> = 0..0;
    fn bus(cpu: &Self::Cpu) -> &xlate_softmmu::Bus;
    fn disasm(i: &Self::Insn) -> String;
    /// Current privilege level, as the commit log prints it.
    fn privilege(cpu: &Self::Cpu) -> u8;
    /// Turns on recording of side effects the emitter does not see (CSR writes).
    fn trace_enable(cpu: &mut Self::Cpu);
    /// Forgets side effects recorded for an instruction that is not logged.
    fn trace_discard(cpu: &mut Self::Cpu);
    /// One commit-log line for an instruction that retired at privilege `prv`.
    fn trace_line(cpu: &mut Self::Cpu, prv: u8, pc: u64, i: &Self::Insn, rec: &InsnRecord, disasm: bool) -> String;
}
