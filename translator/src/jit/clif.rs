//! The Cranelift emitter: instruction semantics build Cranelift IR.
//!
//! One guest block becomes one host function `fn(cpu: *mut Cpu) -> u64`
//! (Cranelift's `tail` convention, so exits can tail-call a successor). It
//! always returns 0 with registers, pc and instret written back, the
//! simplest case of `Engine::finish_compiled`'s contract: when instruction
//! `k` stops the block (its helper or slow memory path set the stop word),
//! the code itself does what the engine would for a result of `k + 1`.
//! It must, because a block entered through a chain is not the block the
//! engine thinks it ran.
//!
//! Straight-line code reads a guest register from the CPU structure where it
//! first needs it and stores each register as it writes it. Loops keep
//! registers in SSA variables, loaded at entry and written back at every
//! exit and slow path (or also stored as written, see `WRITE_BACK_BUDGET`),
//! re-read after helpers that may change them. The only control flow
//! inside a block is the
//! diamond of a memory access (inline TLB hit, cold slow path), the shared
//! cold exit of stopping instructions and the final exits; everything that
//! continues merges back into the main line, so cached values defined there
//! dominate everything that follows.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::mem::{offset_of, size_of};

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F32, F64, I16, I32, I64, I8};
use cranelift_codegen::ir::AtomicRmwOp;
use cranelift_codegen::ir::{
    AbiParam, BlockArg, Function, InstBuilder, MemFlagsData, SigRef, Signature, StackSlot, StackSlotData,
    StackSlotKind, Type, Value,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use xlate_frontend::{
    host_fcmp, host_fp, AtomicOp, BinOp, Cond, Effects, Emitter, FCond, FpOp, GuestCpu, Helper, Isa, Stop, UnOp,
    STOP_STEP,
};
use xlate_softmmu::{DirectRam, Tlb, TlbEntry, PAGE_BITS, PAGE_MASK, PAGE_SIZE, TLB_ENTRIES};

use super::reguse::{RegUse, MAX_REGS};
use crate::block::Block;

const _: () = assert!(size_of::<TlbEntry>() == 32, "the inline TLB lookup scales the index by 32");
const ENTRY_SHIFT: i64 = 5;

/// Most register stores a loop's exits and slow paths may hold (written
/// registers times places to write them back). Beyond it the loop stores
/// registers as it writes them instead: a store per write on the hot path,
/// but far less code to compile (the cost that dominates loops full of
/// memory accesses and exits).
const WRITE_BACK_BUDGET: usize = 64;

/// Signature of a compiled block: `(cpu) -> status`.
pub fn block_signature(cc: CallConv) -> Signature {
    let mut s = Signature::new(cc);
    s.params.push(AbiParam::new(I64));
    s.returns.push(AbiParam::new(I64));
    s
}

/// Exit slots a compiled block uses: (slot address, target pc).
pub type SlotList = Vec<(u64, u64)>;

/// Where chained exits find what they need (see `jit::Jit`): all addresses
/// of memory that outlives the code.
pub struct ChainEnv<'c> {
    /// Where an exit whose slot is empty leaves the slot's address.
    pub last_exit: u64,
    /// The jump table (`jit::JumpEntry` array), for computed and cross-page exits.
    pub jump_table: u64,
    /// A fresh, empty exit slot (`jit::Slot`), or `None` when they ran out.
    pub alloc_slot: &'c dyn Fn() -> Option<u64>,
}

/// Jump-table index of a virtual pc.
pub fn jump_slot(vpc: u64) -> usize {
    ((vpc >> 1) as usize) & (super::JUMP_TABLE_ENTRIES - 1)
}
const JUMP_ENTRY_SHIFT: i64 = 5;
const _: () = assert!(size_of::<super::JumpEntry>() == 1 << JUMP_ENTRY_SHIFT);

/// The signature of `extern "C"` helpers: `(cpu, a, b, c, pc) -> u64`.
pub fn helper_signature(cc: CallConv) -> Signature {
    sig(cc, 5)
}

fn sig(cc: CallConv, params: usize) -> Signature {
    let mut s = Signature::new(cc);
    s.params.extend((0..params).map(|_| AbiParam::new(I64)));
    s.returns.push(AbiParam::new(I64));
    s
}

/// What the compiled code may rely on about the host.
#[derive(Clone, Copy)]
pub struct HostTarget {
    pub fe: TargetFrontendConfig,
    /// The CPU has fused multiply-add (else `FpOp::MulAdd` calls Rust).
    pub fma: bool,
    /// A `preserve_all` function `(cpu, a, b, c, pc, slot)` that calls the
    /// `extern "C"` helper whose address is in `*slot` and leaves its result
    /// there (Cranelift's `preserve_all` restores the return register too).
    /// Calls through it clobber no register, so values stay in caller-saved
    /// registers across (mostly cold) helper calls and blocks need no
    /// callee-saved registers, which every chained block would otherwise
    /// save and restore. `None`: call helpers directly.
    pub helper_trampoline: Option<u64>,
}

/// The signature of helper trampolines (see [`HostTarget`]).
pub fn trampoline_signature() -> Signature {
    let mut s = Signature::new(CallConv::PreserveAll);
    s.params.extend((0..6).map(|_| AbiParam::new(I64)));
    s
}

/// Load slow path: `(cpu, vaddr, size, pc, _) -> raw value` (the helper
/// shape); sets the stop word if the access stopped the block.
extern "C" fn load_slow<C: GuestCpu>(cpu: *mut C, vaddr: u64, size: u64, pc: u64, _: u64) -> u64 {
    // SAFETY: JIT code passes on the CPU pointer `Jit::run` got from a `&mut`,
    // and holds no other reference into the CPU during the call.
    let cpu = unsafe { &mut *cpu };
    match cpu.load_slow(vaddr, size as u8, pc) {
        Ok(v) => v,
        Err(Stop) => {
            // The contract is that the stop word says why; make sure the
            // block stops even if it does not (as the interpreter would).
            let s = cpu.stop_word();
            if *s == 0 {
                *s = u64::MAX;
            }
            0
        }
    }
}

/// Store slow path: `(cpu, vaddr, size, value, pc) -> stopped`.
extern "C" fn store_slow<C: GuestCpu>(cpu: *mut C, vaddr: u64, size: u64, value: u64, pc: u64) -> u64 {
    // SAFETY: as in `load_slow`.
    let cpu = unsafe { &mut *cpu };
    match cpu.store_slow(vaddr, size as u8, value, pc) {
        Ok(()) => 0,
        Err(Stop) => {
            let s = cpu.stop_word();
            if *s == 0 {
                *s = u64::MAX;
            }
            1
        }
    }
}

/// `FpOp::MulAdd` on hosts without a fused multiply-add instruction.
extern "C" fn host_fma<C, const DOUBLE: bool>(_: &mut C, a: u64, b: u64, c: u64, _: u64) -> u64 {
    host_fp(FpOp::MulAdd, DOUBLE, [a, b, c])
}

fn off(x: usize) -> i32 {
    // Offsets into the CPU structure are small (checked when translating).
    i32::try_from(x).unwrap_or(i32::MAX)
}

/// Builds Cranelift IR for one guest block.
pub struct Clif<'a, I: Isa> {
    b: FunctionBuilder<'a>,
    cpu: Value,
    pc: u64,
    len: u64,
    mode: u32,
    /// Index of the instruction being translated.
    k: usize,
    /// Offset of the data TLB in the CPU structure.
    tlb_off: usize,
    /// RAM that data accesses address directly instead of through the TLB.
    direct: Option<DirectRam>,
    /// The host has fused multiply-add (else `FpOp::MulAdd` calls Rust).
    host_fma: bool,
    /// See [`HostTarget::helper_trampoline`].
    trampoline: Option<u64>,
    /// The stack slot passing helper address and result to the trampoline.
    helper_slot: Option<StackSlot>,
    /// The SSA variable of each guest register the region uses (see
    /// `reguse`); loops keep registers in them (see `looping`).
    vars: Vec<Option<Variable>>,
    /// Registers the region reads or writes, and those it writes.
    live: Vec<usize>,
    written: Vec<usize>,
    /// Some exit may jump to a part header: registers stay in SSA
    /// variables and exits (and slow paths) store every register the region
    /// writes. Else each register write is also a store, at once.
    looping: bool,
    /// A loop whose written registers are also stored as they are written
    /// (see `WRITE_BACK_BUDGET`).
    write_through: bool,
    /// instret and the chain limit, kept in SSA variables inside looping
    /// functions; instret is stored before anything that reads it.
    instret: Variable,
    limit: Variable,
    /// The first Cranelift block of each part of the region, by guest pc:
    /// direct exits there become jumps.
    headers: HashMap<u64, (cranelift_codegen::ir::Block, usize)>,
    /// Index of the part being translated (in the order of `headers`).
    part: usize,
    /// `uextend(icmp)` results of `cmp`, mapped to the `icmp` itself, so
    /// `select` and `branch` can use the flag directly.
    bools: HashMap<Value, Value>,
    /// Values known at translation time (from `imm` and folding), so
    /// constant operations fold and `li`/`auipc` sequences cost nothing.
    consts: HashMap<Value, u64>,
    /// `v = root + c` for sums with a constant (chains folded), so a guest
    /// address `reg + offset` becomes one host addressing mode.
    offsets: HashMap<Value, (Value, i64)>,
    /// `and` of booleans, as the `i8` flags they combine: a guard made of
    /// several conditions becomes a chain of compare-and-branch.
    ands: HashMap<Value, Vec<Value>>,
    /// Raw bits made from an `f64` (an FP result, an FP register held in a
    /// host FP register), mapped to it: the next FP operation, or register
    /// write, takes the `f64` itself instead of moving the bits back.
    doubles: HashMap<Value, Value>,
    /// What some values are known to say about others (see [`Fact`]), so a
    /// divisor the semantics already made safe is not guarded twice.
    facts: HashMap<Value, Fact>,
    /// What the current block can reuse (see [`Avail`]).
    avail: Avail,
    helper_sig: SigRef,
    trampoline_sig: SigRef,
    /// How many of this block's instructions were already added to the
    /// CPU's instret (before helper calls, which may read it).
    synced: u64,
    /// The shared cold exit of stopping instructions, once needed.
    stop_exit: Option<cranelift_codegen::ir::Block>,
    /// An exit was emitted for the current instruction.
    terminated: bool,
    /// Something could not be translated: the block stays interpreted.
    error: Option<String>,
    block_sig: SigRef,
    chain: Option<&'a ChainEnv<'a>>,
    /// The guest page of the block: direct exits inside it may be chained.
    page: u64,
    /// A helper with `control` effects was called in the current part: its
    /// exits return to the dispatcher (the helper may have changed the mode,
    /// the interrupt state or translated code).
    called: bool,
    /// Exit slots used: (slot address, target pc).
    slots: SlotList,
    /// The shared cold exit of unlinked chainable exits, once needed.
    unlinked: Option<cranelift_codegen::ir::Block>,
    /// Direct-RAM slow paths waiting for their body: (block, pc,
    /// instructions retired before), see `step_site`.
    step_sites: Vec<(cranelift_codegen::ir::Block, u64, u64)>,
    _isa: PhantomData<fn() -> I>,
}

/// What a value is known to mean: the semantics guard a division with
/// `select(bad, 1, b)`, which the emitter recognises so the host division
/// needs no guard of its own.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fact {
    /// `x == 0`.
    IsZero(Value),
    /// `x == i64::MIN`.
    IsMin(Value),
    /// `x == -1`.
    IsMinus1(Value),
    /// `a == i64::MIN && b == -1`.
    Overflows(Value, Value),
    /// `b == 0 || (a == i64::MIN && b == -1)`.
    BadSigned(Value, Value),
    /// A divisor that is never 0 (unsigned division needs nothing more).
    NonZero,
    /// A divisor that is never 0, nor -1 while the dividend is `a`.
    SafeFor(Value),
}

/// Values computed earlier on the main line, which dominate the current
/// block: the loaded FP status word (until a helper that may write it) and
/// pure operations by operands, so repeated guards (the FP status check of
/// every FP instruction) cost nothing. Blocks entered from elsewhere start
/// empty; a cold diamond's merge gets back the set from before its branch.
#[derive(Clone, Default)]
struct Avail {
    fp_status: Option<Value>,
    /// Guest register values (straight-line code: registers live in the
    /// CPU structure, read when first needed).
    regs: HashMap<usize, Value>,
    exprs: HashMap<(u8, u8, Operand, Operand), Value>,
    /// Direct RAM: `root + c` is known to be in RAM for `c` in `[lo, hi)`.
    in_ram: HashMap<Value, (i64, i64)>,
}

/// A direct-RAM range check proves this many bytes on either side of the
/// access in RAM too, so nearby accesses off the same base (a stack frame's
/// slots, a structure's fields) need none. An access this close to either
/// end of RAM takes the slow path instead, so the margin must stay well
/// below the gaps user mode leaves there (a page above the stack, the ELF
/// headers below the code).
const RAM_CHECK_MARGIN: i64 = 2048;

/// An operand of an available expression: constants by value, since each
/// `imm` is a new Cranelift value.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Operand {
    Value(Value),
    Const(u64),
}

fn cpu_flags() -> MemFlagsData {
    MemFlagsData::trusted()
}
fn guest_flags() -> MemFlagsData {
    // Guest RAM: the TLB guarantees the access is aligned and mapped.
    MemFlagsData::trusted().with_endianness(cranelift_codegen::ir::Endianness::Little)
}

impl<'a, I: Isa> Clif<'a, I> {
    /// Translates a region into `func` (whose signature must be
    /// [`block_signature`]): `parts[0]` is the entry block, the others are
    /// blocks of the same page and mode that direct exits may jump to
    /// without leaving the function (so loops run inside it).
    pub fn translate(
        func: &'a mut Function,
        fctx: &'a mut FunctionBuilderContext,
        parts: &[&Block<I>],
        host: HostTarget,
        chain: Option<&ChainEnv<'_>>,
        direct: Option<DirectRam>,
    ) -> Result<SlotList, String> {
        let fe = host.fe;
        let Some(&blk) = parts.first() else { return Err("empty region".into()) };
        let tlb_off = <I::Cpu as GuestCpu>::TLBS_OFFSET + I::data_mmu(blk.mode) * size_of::<Tlb>();
        let max_off =
            tlb_off.max(<I::Cpu as GuestCpu>::REGS_OFFSET + 8 * MAX_REGS).max(<I::Cpu as GuestCpu>::FP_STATUS_OFFSET)
                + size_of::<Tlb>();
        if i32::try_from(max_off).is_err() || I::data_mmu(blk.mode) >= I::NUM_MMU {
            return Err("CPU structure too large for 32-bit offsets".into());
        }
        if parts.iter().any(|p| p.mode != blk.mode || p.vpc & PAGE_MASK != blk.vpc & PAGE_MASK) {
            return Err("region parts differ in mode or page".into());
        }
        let uses = RegUse::<I>::of(parts);
        let block_cc = func.signature.call_conv;
        // Helpers are Rust `extern "C"` functions.
        let cc = fe.default_call_conv;
        let mut b = FunctionBuilder::new(func, fctx);
        let helper_sig = b.import_signature(helper_signature(cc));
        let trampoline_sig = b.import_signature(trampoline_signature());
        let block_sig = b.import_signature(block_signature(block_cc));
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let cpu = b.block_params(entry)[0];
        let (instret, limit) = (b.declare_var(I64), b.declare_var(I64));
        let mut headers = HashMap::new();
        let mut order = Vec::new();
        for p in parts {
            // A pc listed twice keeps its first part.
            if let std::collections::hash_map::Entry::Vacant(v) = headers.entry(p.vpc) {
                let h = b.create_block();
                v.insert((h, order.len()));
                order.push((*p, h));
            }
        }
        let mut e = Clif::<I> {
            b,
            cpu,
            pc: blk.vpc,
            len: 0,
            mode: blk.mode,
            k: 0,
            tlb_off,
            direct,
            host_fma: host.fma,
            trampoline: host.helper_trampoline,
            helper_slot: None,
            vars: vec![None; MAX_REGS],
            live: uses.live(),
            written: (0..MAX_REGS).filter(|&r| uses.written[r]).collect(),
            looping: false,
            write_through: false,
            instret,
            limit,
            headers,
            part: 0,
            bools: HashMap::new(),
            consts: HashMap::new(),
            offsets: HashMap::new(),
            ands: HashMap::new(),
            doubles: HashMap::new(),
            facts: HashMap::new(),
            avail: Avail::default(),
            helper_sig,
            trampoline_sig,
            synced: 0,
            stop_exit: None,
            terminated: false,
            error: None,
            block_sig,
            chain,
            page: blk.vpc & PAGE_MASK,
            called: false,
            slots: Vec::new(),
            unlinked: None,
            step_sites: Vec::new(),
            _isa: PhantomData,
        };
        e.looping = parts.iter().any(|p| p.direct_successors().iter().any(|t| e.headers.contains_key(t)));
        e.write_through = e.written.len() * uses.sites > WRITE_BACK_BUDGET;
        for r in e.live.clone() {
            let var = e.b.declare_var(if e.in_fp_reg(r) { F64 } else { I64 });
            e.vars[r] = Some(var);
        }
        if e.looping {
            e.load(&e.live.clone());
            let (f, c) = (cpu_flags(), e.cpu);
            let v = e.b.ins().load(I64, f, c, off(<I::Cpu as GuestCpu>::INSTRET_OFFSET));
            e.b.def_var(e.instret, v);
            let v = e.b.ins().load(I64, f, c, off(<I::Cpu as GuestCpu>::CHAIN_LIMIT_OFFSET));
            e.b.def_var(e.limit, v);
        }
        e.b.ins().jump(order[0].1, &[]);
        for (i, (part, header)) in order.into_iter().enumerate() {
            e.part = i;
            e.b.switch_to_block(header);
            e.avail = Avail::default();
            e.translate_part(part);
            if e.error.is_some() {
                break;
            }
        }
        if let Some(err) = e.error.take() {
            return Err(err);
        }
        e.finish_stop_exit();
        e.finish_step_exit();
        e.finish_unlinked_exit();
        e.b.seal_all_blocks();
        e.b.finalize(fe);
        Ok(e.slots)
    }

    /// One part of the region, from its header block on.
    fn translate_part(&mut self, part: &Block<I>) {
        self.k = 0;
        self.synced = 0;
        self.called = false;
        self.terminated = false;
        for (k, insn) in part.insns.iter().enumerate() {
            self.k = k;
            self.pc = part.pcs[k];
            self.len = I::insn_len(insn);
            if I::exec(insn, self).is_err() {
                // Clif's operations never stop at translation time.
                self.error.get_or_insert_with(|| "semantics stopped during translation".into());
                return;
            }
            if self.terminated {
                break;
            }
        }
        if !self.terminated {
            // Fell off the end of the block (length limit, page end, or a
            // system instruction that does not jump).
            self.k = part.insns.len().saturating_sub(1);
            let pc = self.iconst(part.end_pc);
            self.exit(pc, Some(part.end_pc));
        }
        // Anything after the last exit went to an unreachable block; close it.
        let z = self.iconst(0);
        self.b.ins().return_(&[z]);
    }

    /// Defines the variables of `regs` from the CPU structure.
    fn load(&mut self, regs: &[usize]) {
        for &r in regs {
            let ty = if self.in_fp_reg(r) { F64 } else { I64 };
            let v = self.b.ins().load(ty, cpu_flags(), self.cpu, Self::reg_off(r));
            if let Some(var) = self.vars[r] {
                self.b.def_var(var, v);
            }
        }
    }

    /// Guest register `r` lives in a host FP register: a floating-point
    /// register in a loop (its variable is an `f64` holding the raw bits).
    fn in_fp_reg(&self, r: usize) -> bool {
        self.looping && I::FLOAT_REGS.contains(&r)
    }

    /// The raw bits of the `f64` `f`, remembered as made from it.
    fn bits_of(&mut self, f: Value) -> Value {
        let bits = self.b.ins().bitcast(I64, MemFlagsData::new(), f);
        self.doubles.insert(bits, f);
        bits
    }

    /// `bits` as an `f64`: the value it was made from, if any.
    fn double_of(&mut self, bits: Value) -> Value {
        match self.doubles.get(&bits) {
            Some(&f) => f,
            None => self.b.ins().bitcast(F64, MemFlagsData::new(), bits),
        }
    }

    /// Makes `blk` current and seals it: all its predecessors exist by now,
    /// except for part headers (later internal edges) and the shared cold
    /// exits, which are sealed at the end.
    fn switch(&mut self, blk: cranelift_codegen::ir::Block) {
        self.b.switch_to_block(blk);
        self.b.seal_block(blk);
        self.avail = Avail::default();
    }

    /// Like `switch`, for a block whose only predecessor is the current one:
    /// everything available stays available.
    fn switch_dominated(&mut self, blk: cranelift_codegen::ir::Block) {
        self.b.switch_to_block(blk);
        self.b.seal_block(blk);
    }

    fn operand(&self, v: Value) -> Operand {
        self.known(v).map_or(Operand::Value(v), Operand::Const)
    }

    /// `v` computed again from its root, if it is a sum with a constant: a
    /// cold path using an address this way keeps it from being live (in a
    /// register) across the fast path, which uses root and offset.
    fn recompute(&mut self, v: Value) -> Value {
        match self.offset_of(v) {
            (root, c) if root != v => self.b.ins().iadd_imm_s(root, c),
            _ => v,
        }
    }

    /// The FP status word, read from the CPU structure.
    fn load_fp_status(&mut self) -> Value {
        self.b.ins().load(I64, cpu_flags(), self.cpu, off(<I::Cpu as GuestCpu>::FP_STATUS_OFFSET))
    }

    /// `v` as `(root, c)` with `v = root + c`.
    fn offset_of(&self, v: Value) -> (Value, i64) {
        self.offsets.get(&v).copied().unwrap_or((v, 0))
    }

    /// The `i8` flags whose conjunction is the boolean `v`, if it is one.
    fn flags(&self, v: Value) -> Option<Vec<Value>> {
        if let Some(&f) = self.bools.get(&v) {
            return Some(vec![f]);
        }
        self.ands.get(&v).cloned()
    }

    fn iconst(&mut self, v: u64) -> Value {
        self.b.ins().iconst(I64, v as i64)
    }

    /// A constant operand for the emitter (remembered for folding).
    fn konst(&mut self, v: u64) -> Value {
        let c = self.iconst(v);
        self.consts.insert(c, v);
        c
    }

    fn known(&self, v: Value) -> Option<u64> {
        self.consts.get(&v).copied()
    }

    /// The `i8` flag behind `v` if it came from `cmp`, else `v` (non-zero test).
    fn cond(&self, v: Value) -> Value {
        self.bools.get(&v).copied().unwrap_or(v)
    }

    /// The raw FP bits in `v` (binary32 in the low half) as a Cranelift float.
    fn float(&mut self, v: Value, double: bool) -> Value {
        if double {
            self.double_of(v)
        } else {
            let n = self.b.ins().ireduce(I32, v);
            self.b.ins().bitcast(F32, MemFlagsData::new(), n)
        }
    }

    /// `call_unless`, with `retry` (if any) tried on the slow path before
    /// the helper: when it holds, the fast value stands after all.
    fn guarded_call<R: FnOnce(&mut Self) -> Value>(
        &mut self,
        ok: Value,
        fast: Value,
        retry: Option<R>,
        h: Helper<I::Cpu>,
        args: [Value; 3],
        fx: Effects,
    ) -> Result<Value, Stop> {
        match self.known(ok) {
            Some(0) => return self.call(h, args, fx),
            Some(_) => return Ok(fast),
            None if fx.control => return self.call(h, args, fx),
            None => {}
        }
        let conds = self.flags(ok).unwrap_or_else(|| vec![ok]);
        let Some((&last, rest)) = conds.split_last() else { return self.call(h, args, fx) };
        let mut saved = std::mem::take(&mut self.avail);
        if fx.regs {
            saved.regs.clear();
        }
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let merge = self.b.create_block();
        // An f64's bits merge as the f64 (no moves between register files).
        let fast_f = self.doubles.get(&fast).copied();
        let result = self.b.append_block_param(merge, if fast_f.is_some() { F64 } else { I64 });
        // The status word stays available through the merge: unchanged on
        // the fast path, read again after the helper (which may set flags).
        let status = saved.fp_status.map(|st| (st, self.b.append_block_param(merge, I64)));
        // The fast value, with the status word from before: nothing was called.
        let mut fast_args = vec![BlockArg::Value(fast_f.unwrap_or(fast))];
        fast_args.extend(status.map(|(st, _)| BlockArg::Value(st)));
        self.all_then(rest, last, merge, &fast_args, slow, false);
        self.switch(slow);
        if let Some(retry) = retry {
            let again = retry(self);
            let conds = self.flags(again).unwrap_or_else(|| vec![again]);
            let helper = self.b.create_block();
            self.b.set_cold_block(helper);
            if let Some((&last, rest)) = conds.split_last() {
                self.all_then(rest, last, merge, &fast_args, helper, true);
            }
            self.switch(helper);
        }
        // Bits of f64s made again here, so the fast path need not keep them.
        let args = args.map(|a| match self.doubles.get(&a) {
            Some(&f) => self.b.ins().bitcast(I64, MemFlagsData::new(), f),
            None => a,
        });
        let v = self.call(h, args, fx)?;
        let v = if fast_f.is_some() { self.b.ins().bitcast(F64, MemFlagsData::new(), v) } else { v };
        let mut slow_args = vec![BlockArg::Value(v)];
        if status.is_some() {
            slow_args.push(BlockArg::Value(self.load_fp_status()));
        }
        self.b.ins().jump(merge, &slow_args);
        self.switch(merge);
        self.avail = saved;
        self.avail.fp_status = status.map(|(_, param)| param);
        Ok(if fast_f.is_some() { self.bits_of(result) } else { result })
    }

    /// Ends the current block: on to `pass` with `args` if the flags `rest`
    /// and `last` are all set (tested in order, a block each, cold ones if
    /// `cold`), else to `fail`.
    fn all_then(
        &mut self,
        rest: &[Value],
        last: Value,
        pass: cranelift_codegen::ir::Block,
        args: &[BlockArg],
        fail: cranelift_codegen::ir::Block,
        cold: bool,
    ) {
        for &c in rest {
            let next = self.b.create_block();
            if cold {
                self.b.set_cold_block(next);
            }
            self.b.ins().brif(c, next, &[], fail, &[]);
            self.switch_dominated(next);
        }
        self.b.ins().brif(last, pass, args, fail, &[]);
    }

    /// An atomic access's word, inline only where memory is addressed
    /// directly: the checks of a load or store (range, alignment, and for
    /// writes the code and write-protect marks) send anything else to the
    /// interpreter, whose helper raises the fault. (slow-path block, host address.)
    fn atomic_word(&mut self, addr: Value, size: u8, write: bool) -> Option<(cranelift_codegen::ir::Block, Value)> {
        let d = self.direct?;
        if !matches!(size, 4 | 8) {
            return None;
        }
        let (slow, host, disp) = self.direct_lookup(d, addr, size, write, true);
        let at = if disp == 0 { host } else { self.b.ins().iadd_imm_s(host, i64::from(disp)) };
        Some((slow, at))
    }

    fn reg_off(r: usize) -> i32 {
        off(<I::Cpu as GuestCpu>::REGS_OFFSET + 8 * r)
    }

    /// Stores the registers the region writes to the CPU structure (those
    /// not written on the way here store the value they were loaded with).
    fn writeback(&mut self) {
        if !self.looping || self.write_through {
            return; // written through (see `set_reg`)
        }
        for r in self.written.clone() {
            if let Some(var) = self.vars[r] {
                let v = self.b.use_var(var);
                self.b.ins().store(cpu_flags(), v, self.cpu, Self::reg_off(r));
            }
        }
    }

    /// Reloads the registers (a helper may have changed them).
    fn forget_regs(&mut self) {
        if self.looping {
            self.load(&self.live.clone());
        } else {
            self.avail.regs.clear();
        }
    }

    /// Normal block exit to `pc` after instruction `k` retired; `direct` is
    /// the target when it is a translation-time constant.
    fn exit(&mut self, pc: Value, direct: Option<u64>) {
        self.exit_here(pc, direct);
        // Later operations of this instruction (if any) are unreachable.
        let dead = self.b.create_block();
        self.switch(dead);
        self.terminated = true;
    }

    /// The exit sequence, ending the current block. The pc is stored only
    /// when control goes back to the dispatcher: a chained successor sets
    /// it itself when it exits.
    fn exit_here(&mut self, pc: Value, direct: Option<u64>) {
        if let (Some(t), false, true) = (direct, self.called, self.chain.is_some()) {
            if let Some(&(header, i)) = self.headers.get(&t) {
                return self.internal_edge(header, i <= self.part, pc);
            }
        }
        self.writeback();
        let instret = self.add_instret(self.k as i64 + 1 - self.synced as i64);
        self.sync_instret();
        let chained = match (self.chain, direct) {
            (Some(env), Some(t)) if !self.called && t & PAGE_MASK == self.page => (env.alloc_slot)().map(|s| (s, t)),
            _ => None,
        };
        match chained {
            Some((slot, target)) => {
                self.slots.push((slot, target));
                // Tail-call the linked successor while under the chain limit.
                let sa = self.iconst(slot);
                let code = self.b.ins().load(I64, cpu_flags(), sa, 0);
                let unlinked = self.unlinked_exit();
                let linked = self.b.create_block();
                self.b.ins().brif(code, linked, &[], unlinked, &[BlockArg::Value(sa), BlockArg::Value(pc)]);
                self.switch(linked);
                self.tail_call_under_limit(code, instret, pc);
            }
            None => match self.chain {
                Some(env) if !self.called => self.jump_table_exit(env, pc, direct, instret),
                _ => self.return_to_dispatcher(pc),
            },
        }
    }

    /// An exit to another part of the region: counts the instructions and
    /// jumps there. A `backward` edge (to a part translated no later than
    /// this one; every cycle has one) jumps only while under the chain limit
    /// (loops must let the dispatcher look at interrupts), else leaves
    /// through the dispatcher.
    fn internal_edge(&mut self, header: cranelift_codegen::ir::Block, backward: bool, pc: Value) {
        let instret = self.add_instret(self.k as i64 + 1 - self.synced as i64);
        if !backward {
            self.b.ins().jump(header, &[]);
            return;
        }
        let limit = self.limit();
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, instret, limit);
        let back = self.b.create_block();
        self.b.set_cold_block(back);
        self.b.ins().brif(more, header, &[], back, &[]);
        self.switch(back);
        self.writeback();
        self.sync_instret();
        self.return_to_dispatcher(pc);
    }

    fn return_to_dispatcher(&mut self, pc: Value) {
        self.b.ins().store(cpu_flags(), pc, self.cpu, off(<I::Cpu as GuestCpu>::PC_OFFSET));
        let z = self.iconst(0);
        self.b.ins().return_(&[z]);
    }

    /// Tail-calls `code` if instret is below the chain limit, else returns
    /// to the dispatcher at `pc`.
    fn tail_call_under_limit(&mut self, code: Value, instret: Value, pc: Value) {
        let limit = self.limit();
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, instret, limit);
        let tail = self.b.create_block();
        let back = self.b.create_block();
        self.b.set_cold_block(back);
        self.b.ins().brif(more, tail, &[], back, &[]);
        self.switch(tail);
        self.b.ins().return_call_indirect(self.block_sig, code, &[self.cpu]);
        self.switch(back);
        self.return_to_dispatcher(pc);
    }

    /// The shared cold exit of exits whose slot is still empty, with the
    /// slot and the pc as parameters (filled by `finish_unlinked_exit`).
    fn unlinked_exit(&mut self) -> cranelift_codegen::ir::Block {
        if let Some(b) = self.unlinked {
            return b;
        }
        let b = self.b.create_block();
        self.b.set_cold_block(b);
        self.b.append_block_param(b, I64);
        self.b.append_block_param(b, I64);
        self.unlinked = Some(b);
        b
    }

    /// In direct-RAM mode an access that fails the inline checks leaves the
    /// function before its instruction, for the interpreter to run it
    /// ([`STOP_STEP`]): the slow path is one branch to a shared exit, with
    /// no call and no merge back into the main line.
    fn step_site(&mut self, slow: cranelift_codegen::ir::Block) {
        let retired = (self.k as u64).wrapping_sub(self.synced);
        self.step_sites.push((slow, self.pc, retired));
    }

    fn finish_step_exit(&mut self) {
        if self.step_sites.is_empty() {
            return;
        }
        let exit = self.b.create_block();
        self.b.set_cold_block(exit);
        self.b.append_block_param(exit, I64);
        self.b.append_block_param(exit, I64);
        for (blk, pc, retired) in std::mem::take(&mut self.step_sites) {
            self.b.switch_to_block(blk);
            let (pc, retired) = (self.iconst(pc), self.iconst(retired));
            self.b.ins().jump(exit, &[BlockArg::Value(pc), BlockArg::Value(retired)]);
        }
        self.b.switch_to_block(exit);
        let (pc, retired) = (self.b.block_params(exit)[0], self.b.block_params(exit)[1]);
        self.writeback();
        let (f, cpu) = (cpu_flags(), self.cpu);
        let io = off(<I::Cpu as GuestCpu>::INSTRET_OFFSET);
        let base = if self.looping { self.b.use_var(self.instret) } else { self.b.ins().load(I64, f, cpu, io) };
        let n = self.b.ins().iadd(base, retired);
        self.b.ins().store(f, n, cpu, io);
        self.b.ins().store(f, pc, cpu, off(<I::Cpu as GuestCpu>::PC_OFFSET));
        let step = self.iconst(STOP_STEP);
        self.b.ins().store(f, step, cpu, off(<I::Cpu as GuestCpu>::STOP_OFFSET));
        let z = self.iconst(0);
        self.b.ins().return_(&[z]);
    }

    /// Tells the JIT which slot to link when the successor runs, and
    /// returns to the dispatcher.
    fn finish_unlinked_exit(&mut self) {
        let (Some(b), Some(env)) = (self.unlinked, self.chain) else { return };
        self.b.switch_to_block(b);
        let (slot, pc) = (self.b.block_params(b)[0], self.b.block_params(b)[1]);
        let la = self.iconst(env.last_exit);
        self.b.ins().store(cpu_flags(), slot, la, 0);
        self.return_to_dispatcher(pc);
    }

    /// An exit that cannot own a slot: look its target up in the jump
    /// table and tail-call it while under the chain limit, else return to
    /// the dispatcher.
    fn jump_table_exit(&mut self, env: &ChainEnv<'_>, pc: Value, direct: Option<u64>, instret: Value) {
        let ent = match direct {
            Some(t) => self.iconst(env.jump_table + ((jump_slot(t) as u64) << JUMP_ENTRY_SHIFT)),
            None => {
                let i = self.b.ins().ushr_imm_s(pc, 1);
                let i = self.b.ins().band_imm_s(i, (super::JUMP_TABLE_ENTRIES as i64) - 1);
                let i = self.b.ins().ishl_imm_s(i, JUMP_ENTRY_SHIFT);
                let base = self.iconst(env.jump_table);
                self.b.ins().iadd(base, i)
            }
        };
        let f = cpu_flags();
        let vpc = self.b.ins().load(I64, f, ent, offset_of!(super::JumpEntry, vpc) as i32);
        let mode = self.b.ins().load(I64, f, ent, offset_of!(super::JumpEntry, mode) as i32);
        let same_pc = self.b.ins().icmp(IntCC::Equal, vpc, pc);
        let found = self.b.create_block();
        let miss = self.b.create_block();
        self.b.set_cold_block(miss);
        let pc_hit = self.b.create_block();
        self.b.ins().brif(same_pc, pc_hit, &[], miss, &[]);
        self.switch(pc_hit);
        let same_mode = self.b.ins().icmp_imm_s(IntCC::Equal, mode, i64::from(super::chain_mode::<I>(self.mode)) + 1);
        self.b.ins().brif(same_mode, found, &[], miss, &[]);
        self.switch(miss);
        self.return_to_dispatcher(pc);
        self.switch(found);
        let code = self.b.ins().load(I64, f, ent, offset_of!(super::JumpEntry, code) as i32);
        self.tail_call_under_limit(code, instret, pc);
    }

    /// After a slow memory access (which may have raised an interrupt line
    /// through MMIO): the next chained exit returns to the dispatcher.
    fn end_chain(&mut self) {
        let z = self.iconst(0);
        if self.looping {
            self.b.def_var(self.limit, z);
        }
        self.b.ins().store(cpu_flags(), z, self.cpu, off(<I::Cpu as GuestCpu>::CHAIN_LIMIT_OFFSET));
    }

    /// The chain limit (straight-line code reads it where it needs it
    /// rather than keep it in a register from the entry on).
    fn limit(&mut self) -> Value {
        if self.looping {
            self.b.use_var(self.limit)
        } else {
            self.b.ins().load(I64, cpu_flags(), self.cpu, off(<I::Cpu as GuestCpu>::CHAIN_LIMIT_OFFSET))
        }
    }

    /// Adds `n` to instret; returns the new value. In loops instret is a
    /// variable (stored by `sync_instret`), in straight-line code it stays
    /// in the CPU structure.
    fn add_instret(&mut self, n: i64) -> Value {
        if !self.looping {
            let o = off(<I::Cpu as GuestCpu>::INSTRET_OFFSET);
            let v = self.b.ins().load(I64, cpu_flags(), self.cpu, o);
            if n == 0 {
                return v;
            }
            let v = self.b.ins().iadd_imm_s(v, n);
            self.b.ins().store(cpu_flags(), v, self.cpu, o);
            return v;
        }
        let v = self.b.use_var(self.instret);
        if n == 0 {
            return v;
        }
        let v = self.b.ins().iadd_imm_s(v, n);
        self.b.def_var(self.instret, v);
        v
    }

    /// Stores the instret variable to the CPU structure.
    fn sync_instret(&mut self) {
        if !self.looping {
            return;
        }
        let v = self.b.use_var(self.instret);
        self.b.ins().store(cpu_flags(), v, self.cpu, off(<I::Cpu as GuestCpu>::INSTRET_OFFSET));
    }

    /// Ends the current block: if `flag` is non-zero, a cold exit because
    /// instruction `k` stopped, else on to `cont`, which becomes current.
    /// Dirty registers must already be written back.
    fn stop_if(&mut self, flag: Value, cont: cranelift_codegen::ir::Block) {
        self.sync_instret();
        let (exit, args) = self.stop_exit_for_insn();
        self.b.ins().brif(flag, exit, &args, cont, &[]);
        self.switch(cont);
    }

    /// The shared cold stop exit and its arguments for instruction `k`.
    fn stop_exit_for_insn(&mut self) -> (cranelift_codegen::ir::Block, [BlockArg; 2]) {
        let exit = match self.stop_exit {
            Some(b) => b,
            None => {
                let b = self.b.create_block();
                self.b.set_cold_block(b);
                self.b.append_block_param(b, I64);
                self.b.append_block_param(b, I64);
                self.stop_exit = Some(b);
                b
            }
        };
        let retired = self.iconst((self.k as u64).wrapping_sub(self.synced));
        let next = self.iconst(self.pc.wrapping_add(self.len));
        (exit, [BlockArg::Value(retired), BlockArg::Value(next)])
    }

    /// The shared cold exit of a stopping instruction `k`, with the
    /// instructions retired before it (not yet counted) and its successor's
    /// pc. It finishes the block as `Engine::finish_compiled` would, so the
    /// function returns 0 even when it was entered through a chain: the stop
    /// word says whether `k` trapped (the trap entry set pc) or completed
    /// and asked for an exit.
    fn finish_stop_exit(&mut self) {
        let Some(b) = self.stop_exit else { return };
        self.b.switch_to_block(b);
        let (retired, next) = (self.b.block_params(b)[0], self.b.block_params(b)[1]);
        let (cpu, f) = (self.cpu, cpu_flags());
        let so = off(<I::Cpu as GuestCpu>::STOP_OFFSET);
        let stop = self.b.ins().load(I64, f, cpu, so);
        let z = self.iconst(0);
        self.b.ins().store(f, z, cpu, so);
        let completed = self.b.ins().icmp_imm_s(IntCC::Equal, stop, I::STOP_EXIT as i64);
        let one = self.b.ins().uextend(I64, completed);
        let n = self.b.ins().iadd(retired, one);
        let io = off(<I::Cpu as GuestCpu>::INSTRET_OFFSET);
        let v = self.b.ins().load(I64, f, cpu, io);
        let v = self.b.ins().iadd(v, n);
        self.b.ins().store(f, v, cpu, io);
        let po = off(<I::Cpu as GuestCpu>::PC_OFFSET);
        let pc = self.b.ins().load(I64, f, cpu, po);
        let pc = self.b.ins().select(completed, next, pc);
        self.b.ins().store(f, pc, cpu, po);
        self.b.ins().return_(&[z]);
    }

    /// The fast path of a data access: branches to a new cold slow-path
    /// block (returned, not current) or continues in a new current block
    /// with the host address `host + disp` (returned).
    fn fast_path(&mut self, addr: Value, size: u8, write: bool) -> (cranelift_codegen::ir::Block, Value, i32) {
        if let Some(d) = self.direct {
            return self.direct_lookup(d, addr, size, write, false);
        }
        let tag = if write { offset_of!(TlbEntry, tag_write) } else { offset_of!(TlbEntry, tag_read) };
        let (fast, slow, ent) = self.tlb_lookup(addr, size, tag);
        self.switch_dominated(fast);
        let host = self.addend(ent, addr);
        (slow, host, 0)
    }

    /// Direct addressing of one RAM region (see `Jit::set_direct_ram`): in
    /// range, host = addr + (host base - guest base). Stores also need an
    /// aligned address (so they cannot cross into another page) on a page
    /// holding no translated code. Each check is a compare and branch to
    /// the cold slow path; `reg + offset` addresses fold into the checks
    /// and the host addressing mode.
    fn direct_lookup(
        &mut self,
        d: DirectRam,
        addr: Value,
        size: u8,
        write: bool,
        aligned: bool,
    ) -> (cranelift_codegen::ir::Block, Value, i32) {
        let sz = u64::from(size);
        let (root, disp) = match self.offset_of(addr) {
            (r, c) if i32::try_from(c).is_ok() && i32::try_from(c.wrapping_sub(d.base as i64)).is_ok() => (r, c),
            _ => (addr, 0),
        };
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        // The offset into RAM, `root + disp - base`, computed where it is
        // used (one host address computation each).
        let into_ram = disp.wrapping_sub(d.base as i64);
        let end = disp.wrapping_add(sz as i64);
        let covered = self.avail.in_ram.get(&root).is_some_and(|&(lo, hi)| lo <= disp && end <= hi);
        let m = RAM_CHECK_MARGIN;
        if !covered && d.size > 2 * m as u64 + sz {
            // root + disp - m >= base and root + disp + size + m <= base + ram size.
            let low = self.b.ins().iadd_imm_s(root, into_ram.wrapping_sub(m));
            let limit = d.size - sz - 2 * m as u64;
            let bad = self.b.ins().icmp_imm_s(IntCC::UnsignedGreaterThan, low, limit as i64);
            self.check(bad, slow);
            self.avail.in_ram.insert(root, (disp - m, end + m));
        } else if !covered {
            let off = self.b.ins().iadd_imm_s(root, into_ram);
            let limit = d.size.saturating_sub(sz);
            let bad = self.b.ins().icmp_imm_s(IntCC::UnsignedGreaterThan, off, limit as i64);
            self.check(bad, slow);
        }
        let off = if write || (size > 1 && aligned) { Some(self.b.ins().iadd_imm_s(root, into_ram)) } else { None };
        if let (Some(off), true) = (off, size > 1 && (aligned || write)) {
            // The base is page-aligned: off has addr's low bits. Atomics
            // must be aligned; a plain store only must not straddle two
            // pages (one code mark below covers it).
            let bad = if aligned {
                let low = self.b.ins().band_imm_s(off, (sz - 1) as i64);
                self.b.ins().icmp_imm_s(IntCC::NotEqual, low, 0)
            } else {
                let in_page = self.b.ins().band_imm_s(off, PAGE_SIZE as i64 - 1);
                self.b.ins().icmp_imm_s(IntCC::UnsignedGreaterThan, in_page, (PAGE_SIZE - sz) as i64)
            };
            self.check(bad, slow);
        }
        if let (Some(off), true) = (off, write) {
            // In range now, so the mark index is too.
            let page = self.b.ins().ushr_imm_s(off, i64::from(PAGE_BITS));
            let marks = self.iconst(d.code_marks);
            let at = self.b.ins().iadd(marks, page);
            let mark = self.b.ins().uload8(I64, cpu_flags(), at, 0);
            let code = self.b.ins().icmp_imm_s(IntCC::NotEqual, mark, 0);
            self.check(code, slow);
        }
        let host = match d.host.wrapping_sub(d.base) {
            0 => root, // RAM mapped where the guest sees it
            bias => {
                let bias = self.iconst(bias);
                self.b.ins().iadd(root, bias)
            }
        };
        (slow, host, disp as i32)
    }

    /// Calls the `extern "C"` helper `h` (through the trampoline if any).
    /// `h` is the address of an `extern "C" fn(cpu, u64, u64, u64, u64) -> u64`.
    fn call_helper(&mut self, h: u64, args: [Value; 5]) -> Value {
        let f = self.iconst(h);
        match self.trampoline {
            Some(t) => {
                let slot = *self.helper_slot.get_or_insert_with(|| {
                    self.b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3))
                });
                self.b.ins().stack_store(I64, f, slot, 0);
                let at = self.b.ins().stack_addr(I64, slot, 0);
                let t = self.iconst(t);
                let [a, b, c, d, e] = args;
                self.b.ins().call_indirect(self.trampoline_sig, t, &[a, b, c, d, e, at]);
                self.b.ins().stack_load(I64, I64, slot, 0)
            }
            None => {
                let call = self.b.ins().call_indirect(self.helper_sig, f, &args);
                self.b.inst_results(call)[0]
            }
        }
    }

    /// Branches to `slow` if `bad`, else goes on in a new current block.
    fn check(&mut self, bad: Value, slow: cranelift_codegen::ir::Block) {
        let ok = self.b.create_block();
        self.b.ins().brif(bad, slow, &[], ok, &[]);
        self.switch_dominated(ok);
    }

    /// Host address of an access hitting the TLB, or the slow path.
    /// Returns (hit block, slow block) with the current block terminated.
    fn tlb_lookup(
        &mut self,
        addr: Value,
        size: u8,
        tag_off: usize,
    ) -> (cranelift_codegen::ir::Block, cranelift_codegen::ir::Block, Value) {
        let ins = self.b.ins();
        // entry offset = ((addr >> PAGE_BITS) & (ENTRIES-1)) * 32
        let t = ins.ushr_imm_s(addr, i64::from(PAGE_BITS) - ENTRY_SHIFT);
        let t = self.b.ins().band_imm_s(t, ((TLB_ENTRIES as i64) - 1) << ENTRY_SHIFT);
        let ent = self.b.ins().iadd(self.cpu, t);
        let tag = self.b.ins().load(I64, cpu_flags(), ent, off(self.tlb_off + tag_off));
        let want = self.b.ins().band_imm_s(addr, (PAGE_MASK | (u64::from(size) - 1)) as i64);
        let hit = self.b.ins().icmp(IntCC::Equal, tag, want);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        self.b.ins().brif(hit, fast, &[], slow, &[]);
        (fast, slow, ent)
    }

    fn addend(&mut self, ent: Value, addr: Value) -> Value {
        let a = self.b.ins().load(I64, cpu_flags(), ent, off(self.tlb_off + offset_of!(TlbEntry, addend)));
        self.b.ins().iadd(addr, a)
    }

    fn extend(&mut self, v: Value, size: u8, signed: bool) -> Value {
        if size >= 8 {
            v
        } else if signed {
            self.sext(v, size * 8)
        } else {
            self.zext(v, size * 8)
        }
    }

    fn bad_size(&mut self, size: u8) -> bool {
        if matches!(size, 1 | 2 | 4 | 8) {
            return false;
        }
        self.error.get_or_insert_with(|| format!("memory access of {size} bytes"));
        true
    }

    /// The host operation of `bin` (no folding).
    fn bin_op(&mut self, op: BinOp, a: Value, b: Value) -> Value {
        use BinOp::*;
        let i = self.b.ins();
        match op {
            Add => i.iadd(a, b),
            Sub => i.isub(a, b),
            And => i.band(a, b),
            Or => i.bor(a, b),
            Xor => i.bxor(a, b),
            // Cranelift takes shift and rotate amounts modulo the width.
            Shl => i.ishl(a, b),
            ShrU => i.ushr(a, b),
            ShrS => i.sshr(a, b),
            Rotl => i.rotl(a, b),
            Rotr => i.rotr(a, b),
            Mul => i.imul(a, b),
            MulHS => i.smulhi(a, b),
            MulHU => i.umulhi(a, b),
            MulHSU => {
                // signed(a) * unsigned(b) = a*b - (a < 0 ? b << 64 : 0)
                let hi = i.umulhi(a, b);
                let sign = self.b.ins().sshr_imm_s(a, 63);
                let fix = self.b.ins().band(sign, b);
                self.b.ins().isub(hi, fix)
            }
            DivS | DivU | RemS | RemU => self.div(op, a, b),
            MinS => i.smin(a, b),
            MinU => i.umin(a, b),
            MaxS => i.smax(a, b),
            MaxU => i.umax(a, b),
        }
    }

    fn div(&mut self, op: BinOp, a: Value, b: Value) -> Value {
        // The semantics exclude a zero divisor and MIN / -1, but the host
        // instruction would fault on them: divide by 1 instead and give 0,
        // as the interpreter does.
        let signed = matches!(op, BinOp::DivS | BinOp::RemS);
        let safe = match self.facts.get(&b) {
            Some(Fact::NonZero) => !signed,
            Some(&Fact::SafeFor(n)) => !signed || n == a,
            _ => false,
        };
        if safe {
            return match op {
                BinOp::DivS => self.b.ins().sdiv(a, b),
                BinOp::DivU => self.b.ins().udiv(a, b),
                BinOp::RemS => self.b.ins().srem(a, b),
                _ => self.b.ins().urem(a, b),
            };
        }
        let mut bad = self.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
        if signed {
            let a_min = self.b.ins().icmp_imm_s(IntCC::Equal, a, i64::MIN);
            let b_m1 = self.b.ins().icmp_imm_s(IntCC::Equal, b, -1);
            let ovf = self.b.ins().band(a_min, b_m1);
            bad = self.b.ins().bor(bad, ovf);
        }
        let one = self.iconst(1);
        let safe = self.b.ins().select(bad, one, b);
        let q = match op {
            BinOp::DivS => self.b.ins().sdiv(a, safe),
            BinOp::DivU => self.b.ins().udiv(a, safe),
            BinOp::RemS => self.b.ins().srem(a, safe),
            _ => self.b.ins().urem(a, safe),
        };
        let zero = self.iconst(0);
        self.b.ins().select(bad, zero, q)
    }
}

fn narrow(bits: u8) -> Option<Type> {
    match bits {
        8 => Some(I8),
        16 => Some(I16),
        32 => Some(I32),
        _ => None,
    }
}

impl<I: Isa> Emitter for Clif<'_, I> {
    type V = Value;
    type Cpu = I::Cpu;

    fn pc(&self) -> u64 {
        self.pc
    }
    fn insn_len(&self) -> u64 {
        self.len
    }
    fn mode(&self) -> u32 {
        self.mode
    }

    fn imm(&mut self, v: u64) -> Value {
        self.konst(v)
    }

    fn reg(&mut self, r: usize) -> Value {
        match self.vars.get(r).copied().flatten() {
            Some(_) if !self.looping => match self.avail.regs.get(&r) {
                Some(&v) => v,
                None => {
                    let v = if I::FLOAT_REGS.contains(&r) {
                        // Read into a host FP register: FP operations take it there.
                        let f = self.b.ins().load(F64, cpu_flags(), self.cpu, Self::reg_off(r));
                        self.bits_of(f)
                    } else {
                        self.b.ins().load(I64, cpu_flags(), self.cpu, Self::reg_off(r))
                    };
                    self.avail.regs.insert(r, v);
                    v
                }
            },
            Some(var) if self.in_fp_reg(r) => {
                let f = self.b.use_var(var);
                self.bits_of(f)
            }
            Some(var) => self.b.use_var(var),
            None => {
                self.error.get_or_insert_with(|| format!("register {r} missed by the pre-pass"));
                self.iconst(0)
            }
        }
    }

    fn set_reg(&mut self, r: usize, v: Value) {
        match self.vars.get(r).copied().flatten() {
            Some(var) => {
                if self.looping {
                    let v = if self.in_fp_reg(r) { self.double_of(v) } else { v };
                    self.b.def_var(var, v);
                    if self.write_through {
                        self.b.ins().store(cpu_flags(), v, self.cpu, Self::reg_off(r));
                    }
                } else {
                    // Straight-line code stores registers as it writes
                    // them: nothing stays live to the exits, and exits and
                    // slow paths have nothing to write back. (An FP result
                    // is stored from the host FP register it is in.)
                    let stored = self.doubles.get(&v).copied().unwrap_or(v);
                    self.b.ins().store(cpu_flags(), stored, self.cpu, Self::reg_off(r));
                    self.avail.regs.insert(r, v);
                }
            }
            None => {
                self.error.get_or_insert_with(|| format!("register {r} missed by the pre-pass"));
            }
        }
    }

    fn bin(&mut self, op: BinOp, a: Value, b: Value) -> Value {
        use BinOp::*;
        match (self.known(a), self.known(b)) {
            // Exactly the interpreter's arithmetic.
            (Some(x), Some(y)) => return self.konst(crate::interp::bin(op, x, y)),
            (_, Some(0)) if matches!(op, Add | Sub | Or | Xor | Shl | ShrU | ShrS | Rotl | Rotr) => return a,
            (Some(0), _) if matches!(op, Add | Or | Xor) => return b,
            (_, Some(u64::MAX)) if op == And => return a,
            (_, Some(1)) if op == Mul => return a,
            // Guards: `1 & flag` and `flag & 1` (flags are 0 or 1).
            (Some(1), _) if op == And && self.flags(b).is_some() => return b,
            (_, Some(1)) if op == And && self.flags(a).is_some() => return a,
            _ => {}
        }
        let key = (0, op as u8, self.operand(a), self.operand(b));
        if let Some(&v) = self.avail.exprs.get(&key) {
            return v;
        }
        let v = self.bin_op(op, a, b);
        self.avail.exprs.insert(key, v);
        let (fa, fb) = (self.facts.get(&a).copied(), self.facts.get(&b).copied());
        let fact = match (op, fa, fb) {
            (And, Some(Fact::IsMin(n)), Some(Fact::IsMinus1(d)))
            | (And, Some(Fact::IsMinus1(d)), Some(Fact::IsMin(n))) => Some(Fact::Overflows(n, d)),
            (Or, Some(Fact::IsZero(d)), Some(Fact::Overflows(n, d2)))
            | (Or, Some(Fact::Overflows(n, d2)), Some(Fact::IsZero(d)))
                if d == d2 =>
            {
                Some(Fact::BadSigned(n, d))
            }
            _ => None,
        };
        if let Some(fact) = fact {
            self.facts.insert(v, fact);
        }
        match (op, self.known(a), self.known(b)) {
            (Add, _, Some(c)) | (Sub, _, Some(c)) => {
                let c = if op == Add { c as i64 } else { (c as i64).wrapping_neg() };
                let (root, c0) = self.offset_of(a);
                self.offsets.insert(v, (root, c0.wrapping_add(c)));
            }
            (Add, Some(c), _) => {
                let (root, c0) = self.offset_of(b);
                self.offsets.insert(v, (root, c0.wrapping_add(c as i64)));
            }
            (And, _, _) => {
                if let (Some(mut x), Some(y)) = (self.flags(a), self.flags(b)) {
                    x.extend(y);
                    self.ands.insert(v, x);
                }
            }
            _ => {}
        }
        v
    }

    fn un(&mut self, op: UnOp, a: Value) -> Value {
        if let Some(x) = self.known(a) {
            return self.konst(crate::interp::un(op, x));
        }
        let i = self.b.ins();
        match op {
            UnOp::Not => i.bnot(a),
            UnOp::Neg => i.ineg(a),
            UnOp::Clz => i.clz(a),
            UnOp::Ctz => i.ctz(a),
            UnOp::Popcnt => i.popcnt(a),
            UnOp::Bswap => i.bswap(a),
        }
    }

    fn cmp(&mut self, c: Cond, a: Value, b: Value) -> Value {
        if let (Some(x), Some(y)) = (self.known(a), self.known(b)) {
            return self.konst(crate::interp::cmp(c, x, y));
        }
        let key = (1, c as u8, self.operand(a), self.operand(b));
        if let Some(&v) = self.avail.exprs.get(&key) {
            return v;
        }
        let cc = match c {
            Cond::Eq => IntCC::Equal,
            Cond::Ne => IntCC::NotEqual,
            Cond::LtS => IntCC::SignedLessThan,
            Cond::GeS => IntCC::SignedGreaterThanOrEqual,
            Cond::LtU => IntCC::UnsignedLessThan,
            Cond::GeU => IntCC::UnsignedGreaterThanOrEqual,
        };
        let f = self.b.ins().icmp(cc, a, b);
        let v = self.b.ins().uextend(I64, f);
        self.bools.insert(v, f);
        self.avail.exprs.insert(key, v);
        let fact = match (c, self.known(b)) {
            (Cond::Eq, Some(0)) => Some(Fact::IsZero(a)),
            (Cond::Eq, Some(x)) if x == i64::MIN as u64 => Some(Fact::IsMin(a)),
            (Cond::Eq, Some(u64::MAX)) => Some(Fact::IsMinus1(a)),
            _ => None,
        };
        if let Some(fact) = fact {
            self.facts.insert(v, fact);
        }
        v
    }

    fn select(&mut self, c: Value, a: Value, b: Value) -> Value {
        if let Some(x) = self.known(c) {
            return if x != 0 { a } else { b };
        }
        let fact = match (self.facts.get(&c), self.known(a)) {
            (Some(&Fact::IsZero(x)), Some(1..)) if x == b => Some(Fact::NonZero),
            (Some(&Fact::BadSigned(n, x)), Some(k)) if x == b && k != 0 && k != u64::MAX => Some(Fact::SafeFor(n)),
            _ => None,
        };
        let cond = self.cond(c);
        let v = self.b.ins().select(cond, a, b);
        if let Some(fact) = fact {
            self.facts.insert(v, fact);
        }
        v
    }

    fn sext(&mut self, v: Value, bits: u8) -> Value {
        if let Some(x) = self.known(v) {
            let s = 64 - u32::from(bits.clamp(1, 64));
            return self.konst((((x << s) as i64) >> s) as u64);
        }
        match narrow(bits) {
            Some(t) => {
                let n = self.b.ins().ireduce(t, v);
                self.b.ins().sextend(I64, n)
            }
            None if bits >= 64 => v,
            None if bits == 0 => self.iconst(0),
            None => {
                let s = 64 - i64::from(bits);
                let t = self.b.ins().ishl_imm_s(v, s);
                self.b.ins().sshr_imm_s(t, s)
            }
        }
    }

    fn zext(&mut self, v: Value, bits: u8) -> Value {
        if let Some(x) = self.known(v) {
            return self.konst(if bits >= 64 { x } else { x & ((1u64 << bits) - 1) });
        }
        match narrow(bits) {
            Some(t) => {
                let n = self.b.ins().ireduce(t, v);
                self.b.ins().uextend(I64, n)
            }
            None if bits >= 64 => v,
            None => self.b.ins().band_imm_s(v, ((1u64 << bits) - 1) as i64),
        }
    }

    fn load(&mut self, addr: Value, size: u8, signed: bool) -> Result<Value, Stop> {
        if self.bad_size(size) {
            return Ok(self.iconst(0));
        }
        let (slow, host, d) = self.fast_path(addr, size, false);
        let f = guest_flags();
        let i = self.b.ins();
        let v = match (size, signed) {
            (1, false) => i.uload8(I64, f, host, d),
            (1, true) => i.sload8(I64, f, host, d),
            (2, false) => i.uload16(I64, f, host, d),
            (2, true) => i.sload16(I64, f, host, d),
            (4, false) => i.uload32(f, host, d),
            (4, true) => i.sload32(f, host, d),
            _ => i.load(I64, f, host, d),
        };
        if self.direct.is_some() {
            self.step_site(slow);
            return Ok(v);
        }
        let merge = self.b.create_block();
        let result = self.b.append_block_param(merge, I64);
        self.b.ins().jump(merge, &[BlockArg::Value(v)]);

        // What the main line had before the access (the fast path adds
        // nothing) is available again at the merge.
        let saved = std::mem::take(&mut self.avail);
        self.switch(slow);
        // Written back now in case the access stops the block (registers
        // stay dirty on the main line).
        self.writeback();
        let addr = self.recompute(addr);
        let (cpu, sz, pc) = (self.cpu, self.iconst(u64::from(size)), self.iconst(self.pc));
        let raw = self.call_helper(load_slow::<I::Cpu> as *const () as u64, [cpu, addr, sz, pc, pc]);
        self.end_chain();
        let stop = self.b.ins().load(I64, cpu_flags(), cpu, off(<I::Cpu as GuestCpu>::STOP_OFFSET));
        let cont = self.b.create_block();
        self.b.set_cold_block(cont);
        self.stop_if(stop, cont);
        let v = self.extend(raw, size, signed);
        self.b.ins().jump(merge, &[BlockArg::Value(v)]);

        self.switch(merge);
        self.avail = saved;
        Ok(result)
    }

    fn store(&mut self, addr: Value, size: u8, value: Value) -> Result<(), Stop> {
        if self.bad_size(size) {
            return Ok(());
        }
        let (slow, host, d) = self.fast_path(addr, size, true);
        let f = guest_flags();
        let i = self.b.ins();
        match size {
            1 => i.istore8(f, value, host, d),
            2 => i.istore16(f, value, host, d),
            4 => i.istore32(f, value, host, d),
            _ => i.store(f, value, host, d),
        };
        if self.direct.is_some() {
            self.step_site(slow);
            return Ok(());
        }
        let merge = self.b.create_block();
        self.b.ins().jump(merge, &[]);

        let saved = std::mem::take(&mut self.avail);
        self.switch(slow);
        self.writeback();
        let addr = self.recompute(addr);
        let (cpu, sz, pc) = (self.cpu, self.iconst(u64::from(size)), self.iconst(self.pc));
        let stop = self.call_helper(store_slow::<I::Cpu> as *const () as u64, [cpu, addr, sz, value, pc]);
        self.end_chain();
        self.stop_if(stop, merge);
        self.avail = saved;
        Ok(())
    }

    fn call(&mut self, h: Helper<I::Cpu>, args: [Value; 3], fx: Effects) -> Result<Value, Stop> {
        if fx.regs {
            self.writeback();
        }
        if fx.control {
            self.called = true;
            // Such helpers see instret as the interpreter has it (CSR reads).
            let _ = self.add_instret(self.k as i64 - self.synced as i64);
            self.sync_instret();
            self.synced = self.k as u64;
        }
        // Constants are made again here, not kept in registers from where
        // the semantics made them (this call is often on a cold path).
        let args = args.map(|v| self.known(v).map_or(v, |k| self.iconst(k)));
        let pc = self.iconst(self.pc);
        let r = self.call_helper(h as usize as u64, [self.cpu, args[0], args[1], args[2], pc]);
        // The helper may have written the FP status (CSR writes do).
        let mut saved = std::mem::take(&mut self.avail);
        saved.fp_status = None;
        if fx.regs {
            saved.regs.clear();
            self.forget_regs();
        }
        if fx.stops {
            let stop = self.b.ins().load(I64, cpu_flags(), self.cpu, off(<I::Cpu as GuestCpu>::STOP_OFFSET));
            let cont = self.b.create_block();
            if fx.regs {
                self.stop_if(stop, cont);
            } else {
                // Registers live only in SSA values: write them back on the
                // cold path (the helper did not touch them).
                let cold = self.b.create_block();
                self.b.set_cold_block(cold);
                self.b.ins().brif(stop, cold, &[], cont, &[]);
                self.switch(cold);
                self.writeback();
                self.sync_instret();
                let (exit, args) = self.stop_exit_for_insn();
                self.b.ins().jump(exit, &args);
                self.switch(cont);
            }
        }
        self.avail = saved;
        Ok(r)
    }

    fn load_reserved(&mut self, addr: Value, size: u8) -> Option<Value> {
        let (res_off, val_off) = <I::Cpu as GuestCpu>::RESERVATION_OFFSET?;
        let (slow, at) = self.atomic_word(addr, size, false)?;
        let v = if size == 8 {
            self.b.ins().load(I64, guest_flags(), at, 0)
        } else {
            self.b.ins().sload32(guest_flags(), at, 0)
        };
        let cpu = self.cpu;
        self.b.ins().store(cpu_flags(), at, cpu, off(res_off));
        self.b.ins().store(cpu_flags(), v, cpu, off(val_off));
        self.step_site(slow);
        Some(v)
    }

    fn store_conditional(&mut self, addr: Value, value: Value, size: u8) -> Option<Value> {
        let (res_off, val_off) = <I::Cpu as GuestCpu>::RESERVATION_OFFSET?;
        let (slow, at) = self.atomic_word(addr, size, true)?;
        self.step_site(slow);
        // The reservation goes either way; the store happens only if it
        // was for this word and the word still holds what LR read.
        let cpu = self.cpu;
        let reserved = self.b.ins().load(I64, cpu_flags(), cpu, off(res_off));
        let z = self.b.ins().iconst(I64, 0);
        self.b.ins().store(cpu_flags(), z, cpu, off(res_off));
        let held = self.b.ins().icmp(IntCC::Equal, reserved, at);
        let attempt = self.b.create_block();
        let merge = self.b.create_block();
        let failed = self.b.append_block_param(merge, I64);
        let one = self.b.ins().iconst(I64, 1);
        self.b.ins().brif(held, attempt, &[], merge, &[BlockArg::Value(one)]);
        self.switch_dominated(attempt);
        let expected = self.b.ins().load(I64, cpu_flags(), cpu, off(val_off));
        let lost = if size == 8 {
            let old = self.b.ins().atomic_cas(guest_flags(), at, expected, value);
            self.b.ins().icmp(IntCC::NotEqual, old, expected)
        } else {
            let (e, v) = (self.b.ins().ireduce(I32, expected), self.b.ins().ireduce(I32, value));
            let old = self.b.ins().atomic_cas(guest_flags(), at, e, v);
            self.b.ins().icmp(IntCC::NotEqual, old, e)
        };
        let lost = self.b.ins().uextend(I64, lost);
        self.b.ins().jump(merge, &[BlockArg::Value(lost)]);
        self.switch_dominated(merge);
        Some(failed)
    }

    fn atomic_rmw(&mut self, op: AtomicOp, addr: Value, value: Value, size: u8) -> Option<Value> {
        let (slow, at) = self.atomic_word(addr, size, true)?;
        let op = match op {
            AtomicOp::Swap => AtomicRmwOp::Xchg,
            AtomicOp::Add => AtomicRmwOp::Add,
            AtomicOp::And => AtomicRmwOp::And,
            AtomicOp::Or => AtomicRmwOp::Or,
            AtomicOp::Xor => AtomicRmwOp::Xor,
            AtomicOp::Min => AtomicRmwOp::Smin,
            AtomicOp::Max => AtomicRmwOp::Smax,
            AtomicOp::MinU => AtomicRmwOp::Umin,
            AtomicOp::MaxU => AtomicRmwOp::Umax,
        };
        let old = if size == 8 {
            self.b.ins().atomic_rmw(I64, guest_flags(), op, at, value)
        } else {
            let v = self.b.ins().ireduce(I32, value);
            let old = self.b.ins().atomic_rmw(I32, guest_flags(), op, at, v);
            self.b.ins().uextend(I64, old)
        };
        self.step_site(slow);
        Some(old)
    }

    fn fence(&mut self) -> Result<(), Stop> {
        // A locked add of 0 to a slot of our own frame: a full barrier on
        // x86-64 that costs less than `mfence` (Cranelift's `fence`).
        let slot = *self.helper_slot.get_or_insert_with(|| {
            self.b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3))
        });
        let at = self.b.ins().stack_addr(I64, slot, 0);
        let z = self.iconst(0);
        if cfg!(target_arch = "x86_64") {
            self.b.ins().atomic_rmw(I64, MemFlagsData::trusted(), AtomicRmwOp::Add, at, z);
        } else {
            self.b.ins().fence();
        }
        Ok(())
    }

    fn fp_status(&mut self) -> Value {
        if let Some(v) = self.avail.fp_status {
            return v;
        }
        let v = self.load_fp_status();
        self.avail.fp_status = Some(v);
        v
    }

    fn set_fp_status(&mut self, v: Value) -> bool {
        self.b.ins().store(cpu_flags(), v, self.cpu, off(<I::Cpu as GuestCpu>::FP_STATUS_OFFSET));
        self.avail.fp_status = Some(v);
        true
    }

    fn fp(&mut self, op: FpOp, double: bool, args: [Value; 3]) -> Value {
        if let [Some(a), Some(b), Some(c)] = args.map(|v| self.known(v)) {
            return self.konst(host_fp(op, double, [a, b, c]));
        }
        if op == FpOp::MulAdd && !self.host_fma {
            // Cranelift would call libm through a relocation.
            let h: Helper<I::Cpu> = if double { host_fma::<I::Cpu, true> } else { host_fma::<I::Cpu, false> };
            return self.call(h, args, Effects::PURE).unwrap_or(args[0]);
        }
        let (ft, it) = if double { (F64, I64) } else { (F32, I32) };
        let [x, y, z] = args.map(|v| if op == FpOp::FromInt { v } else { self.float(v, double) });
        let i = self.b.ins();
        let (r, rt) = match op {
            FpOp::Add => (i.fadd(x, y), it),
            FpOp::Sub => (i.fsub(x, y), it),
            FpOp::Mul => (i.fmul(x, y), it),
            FpOp::Div => (i.fdiv(x, y), it),
            FpOp::Sqrt => (i.sqrt(x), it),
            FpOp::MulAdd => (i.fma(x, y, z), it),
            FpOp::FromInt => (i.fcvt_from_sint(ft, x), it),
            FpOp::ToInt => return i.fcvt_to_sint_sat(I64, x),
            FpOp::Convert if double => (i.fdemote(F32, x), I32),
            FpOp::Convert => (i.fpromote(F64, x), I64),
        };
        if rt == I64 {
            return self.bits_of(r);
        }
        let bits = self.b.ins().bitcast(rt, MemFlagsData::new(), r);
        self.b.ins().uextend(I64, bits)
    }

    fn fcmp(&mut self, c: FCond, double: bool, a: Value, b: Value) -> Value {
        if let (Some(x), Some(y)) = (self.known(a), self.known(b)) {
            return self.konst(host_fcmp(c, double, x, y));
        }
        let [x, y] = [a, b].map(|v| self.float(v, double));
        let cc = match c {
            FCond::Eq => FloatCC::Equal,
            FCond::Lt => FloatCC::LessThan,
            FCond::Le => FloatCC::LessThanOrEqual,
            FCond::Unordered => FloatCC::Unordered,
        };
        let f = self.b.ins().fcmp(cc, x, y);
        let v = self.b.ins().uextend(I64, f);
        self.bools.insert(v, f);
        v
    }

    fn call_unless(
        &mut self,
        ok: Value,
        fast: Value,
        h: Helper<I::Cpu>,
        args: [Value; 3],
        fx: Effects,
    ) -> Result<Value, Stop> {
        self.guarded_call(ok, fast, None::<fn(&mut Self) -> Value>, h, args, fx)
    }

    fn call_unless_or<R: FnOnce(&mut Self) -> Value>(
        &mut self,
        ok: Value,
        fast: Value,
        retry: R,
        h: Helper<I::Cpu>,
        args: [Value; 3],
        fx: Effects,
    ) -> Result<Value, Stop> {
        self.guarded_call(ok, fast, Some(retry), h, args, fx)
    }

    fn jump(&mut self, target: u64) {
        let t = self.iconst(target);
        self.exit(t, Some(target));
    }

    fn jump_dyn(&mut self, target: Value) {
        let direct = self.known(target);
        self.exit(target, direct);
    }

    fn branch(&mut self, cond: Value, target: u64) {
        let next = self.pc.wrapping_add(self.len);
        if let Some(x) = self.known(cond) {
            let to = if x != 0 { target } else { next };
            let t = self.iconst(to);
            return self.exit(t, Some(to));
        }
        let c = self.cond(cond);
        if self.chain.is_some() && !self.called {
            // Two exits, each of which can be chained.
            let taken = self.b.create_block();
            let not_taken = self.b.create_block();
            self.b.ins().brif(c, taken, &[], not_taken, &[]);
            self.switch(taken);
            let t = self.iconst(target);
            self.exit_here(t, Some(target));
            self.switch(not_taken);
            let f = self.iconst(next);
            return self.exit(f, Some(next));
        }
        let t = self.iconst(target);
        let f = self.iconst(next);
        let pc = self.b.ins().select(c, t, f);
        self.exit(pc, None);
    }
}
