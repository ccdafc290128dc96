//! Tier 1: compiles hot blocks to host code with Cranelift.
//!
//! - [`clif`]: the `Clif` emitter, which turns each guest instruction's
//!   semantics into Cranelift IR (one host function per guest block);
//! - [`arena`]: the executable memory the code is copied into.
//!
//! Blocks are compiled either synchronously ([`Jit::compile_now`], for
//! `--engine jit`) or by one background thread ([`Jit::request`], tiered mode),
//! which publishes the code pointer into the block with a release store. The
//! code only ever runs on the vCPU thread, through [`Jit::run`].
//!
//! Blocks use Cranelift's `tail` calling convention and are entered through
//! a small compiled trampoline. **Chaining**: each direct exit to the same
//! guest page owns a [`Slot`]; while it is empty the exit returns to the
//! dispatcher and leaves the slot's address in `last_exit`, and the next
//! `run` links it to the block it is asked to run if that block is the
//! exit's successor (checked against the header stored before every
//! block's code: virtual pc, physical page, mode). A linked exit tail-calls
//! its successor as long as the instruction budget lasts: every chained
//! exit subtracts its block's length, `run` refills it with [`QUANTUM`],
//! and slow memory paths empty it (an MMIO access may have raised an
//! interrupt). Blocks that call helpers never chain: the helper may have
//! changed the mode, the interrupt state or the translated code.

pub mod arena;
pub mod clif;
pub mod reguse;

use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{AbiParam, InstBuilder, Signature, UserFuncName};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use crossbeam_channel::{Receiver, Sender};
use parking_lot::Mutex;
use xlate_frontend::{GuestCpu, Isa};
use xlate_softmmu::{DirectRam, PAGE_MASK};

use crate::block::Block;
use arena::{Arena, ZeroedArray};
use clif::{ChainEnv, Clif, HostTarget};

/// Size of the executable code arena.
pub const ARENA_SIZE: usize = 64 << 20;

/// The compiled entry trampoline: `extern "C" fn(cpu, block code) -> status`
/// (see `Engine::finish_compiled` for the status).
type EntryFn<C> = unsafe extern "C" fn(*mut C, *const u8) -> u64;

/// Instructions chained code may run before returning to the dispatcher.
pub const QUANTUM: i64 = 8192;
/// Exit slots per arena generation.
const SLOTS: usize = 1 << 20;
/// The mode an exit chaining to a block must have been translated in: the
/// same but for hint bits (see `Isa::MODE_HINTS`).
fn chain_mode<I: Isa>(mode: u32) -> u32 {
    mode & !I::MODE_HINTS
}

/// Bytes of block header before each block's code: vpc, paddr, mode, and
/// whether the block crosses a page.
const HEADER: usize = 32;

/// Entries of the jump table (a power of two).
pub const JUMP_TABLE_ENTRIES: usize = 1 << 12;

/// One jump-table entry: a compiled block by virtual pc, for exits whose
/// target is computed or on another page. Filled by [`Jit::run`] and
/// cleared whenever the engine's own jump cache is, so it only ever names
/// live code. Only the vCPU thread touches it.
#[repr(C)]
#[derive(Default)]
pub struct JumpEntry {
    vpc: AtomicU64,
    /// The block's mode + 1 (0: empty).
    mode: AtomicU64,
    code: AtomicU64,
    _pad: u64,
}

/// A chainable direct exit: the successor's code once linked (0 before),
/// and what the successor must be.
#[repr(C)]
#[derive(Default)]
pub struct Slot {
    code: AtomicU64,
    target: AtomicU64,
    page: AtomicU64,
    mode: AtomicU64,
}

/// Compilation counters (for tuning; see `XLATE_JIT_STATS`).
#[derive(Default, Debug, Clone, Copy)]
pub struct JitStats {
    pub blocks: u64,
    pub guest_insns: u64,
    pub code_bytes: u64,
    /// Time spent building IR and compiling, in nanoseconds.
    pub compile_ns: u64,
    pub failures: u64,
    /// Exits linked to their successor.
    pub links: u64,
}

/// Process-wide compile counters (all JITs), for benchmarks.
#[derive(Default, Debug, Clone, Copy)]
pub struct CompileStats {
    pub blocks: u64,
    /// Guest instructions in those blocks.
    pub insns: u64,
    pub compile_micros: u64,
    /// Blocks Cranelift could not compile (they stay interpreted).
    pub failures: u64,
}

static TOTAL_FAILURES: AtomicU64 = AtomicU64::new(0);
static TOTAL_BLOCKS: AtomicU64 = AtomicU64::new(0);
static TOTAL_INSNS: AtomicU64 = AtomicU64::new(0);
static TOTAL_NANOS: AtomicU64 = AtomicU64::new(0);

/// What every JIT of this process compiled so far.
pub fn stats() -> CompileStats {
    CompileStats {
        blocks: TOTAL_BLOCKS.load(Ordering::Relaxed),
        insns: TOTAL_INSNS.load(Ordering::Relaxed),
        compile_micros: TOTAL_NANOS.load(Ordering::Relaxed) / 1000,
        failures: TOTAL_FAILURES.load(Ordering::Relaxed),
    }
}

/// State shared by the vCPU thread and the compile thread.
struct Shared {
    arena: Mutex<Arena>,
    /// The arena overflowed: the engine must drop all blocks and call `reset`.
    full: AtomicBool,
    /// Bumped by `reset`; the worker drops results for older generations.
    generation: AtomicU64,
    stats: Mutex<JitStats>,
    logged_failure: AtomicBool,
    chain: bool,
    /// Address of the slot of the last unlinked exit taken, or 0.
    last_exit: AtomicU64,
    slots: ZeroedArray<Slot>,
    next_slot: AtomicUsize,
    jump_table: ZeroedArray<JumpEntry>,
    /// Guest RAM data accesses may address directly (set once, before code runs).
    direct: std::sync::OnceLock<DirectRam>,
    /// See [`HostTarget::helper_trampoline`] (in the entry arena).
    helper_trampoline: Option<u64>,
}

/// One Cranelift compilation context (one per compiling thread).
struct Compiler {
    isa: OwnedTargetIsa,
    ctx: Context,
    fctx: FunctionBuilderContext,
}

fn block_cc() -> CallConv {
    CallConv::Tail
}

fn host_isa() -> Result<OwnedTargetIsa, String> {
    let mut flags = settings::builder();
    let opt = std::env::var("XLATE_JIT_OPT").unwrap_or_else(|_| "none".into());
    let set = |f: &mut settings::Builder, k: &str, v: &str| {
        f.set(k, v).map_err(|e| format!("cranelift setting {k}={v}: {e}"))
    };
    set(&mut flags, "opt_level", &opt)?;
    if let Ok(ra) = std::env::var("XLATE_JIT_REGALLOC") {
        set(&mut flags, "regalloc_algorithm", &ra)?;
    }
    set(&mut flags, "enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" })?;
    set(&mut flags, "unwind_info", "false")?;
    set(&mut flags, "is_pic", "false")?;
    // Cranelift's tail calls (block chaining) need frame pointers.
    set(&mut flags, "preserve_frame_pointers", "true")?;
    let builder = cranelift_native::builder().map_err(|e| format!("no JIT for this host: {e}"))?;
    builder.finish(settings::Flags::new(flags)).map_err(|e| format!("no JIT for this host: {e}"))
}

impl Compiler {
    fn new() -> Result<Compiler, String> {
        Ok(Compiler { isa: host_isa()?, ctx: Context::new(), fctx: FunctionBuilderContext::new() })
    }

    /// Translates and compiles `b` with the other parts of its region;
    /// returns the machine code and the exit slots it uses.
    fn compile<I: Isa>(
        &mut self,
        b: &Block<I>,
        extra: &[Block<I>],
        chain: Option<&ChainEnv<'_>>,
        direct: Option<DirectRam>,
        helper_trampoline: Option<u64>,
    ) -> Result<(&[u8], clif::SlotList), String> {
        self.ctx.clear();
        self.ctx.func.signature = clif::block_signature(block_cc());
        let parts: Vec<&Block<I>> = std::iter::once(b).chain(extra).collect();
        let host = HostTarget {
            fe: self.isa.frontend_config(),
            fma: self.isa.isa_flags().iter().any(|f| f.name == "has_fma" && f.as_bool() == Some(true)),
            helper_trampoline,
        };
        let slots = Clif::translate(&mut self.ctx.func, &mut self.fctx, &parts, host, chain, direct)?;
        Ok((self.finish()?, slots))
    }

    /// Compiles the function in `ctx`.
    fn finish(&mut self) -> Result<&[u8], String> {
        if let Some(dir) = std::env::var_os("XLATE_JIT_CLIF") {
            use std::io::Write;
            if let Ok(mut f) = std::fs::OpenOptions::new().append(true).create(true).open(dir) {
                let _ = writeln!(f, "{}", self.ctx.func.display());
            }
        }
        let code = self
            .ctx
            .compile(&*self.isa, &mut ControlPlane::default())
            .map_err(|e| format!("cranelift: {:?}", e.inner))?;
        // Helpers are called through absolute addresses held in registers,
        // so there must be nothing to patch.
        if !code.buffer.relocs().is_empty() {
            return Err(format!("{} relocations in compiled code", code.buffer.relocs().len()));
        }
        Ok(code.code_buffer())
    }

    /// The helper trampoline (see [`HostTarget::helper_trampoline`]).
    fn helper_trampoline(&mut self) -> Result<Vec<u8>, String> {
        self.ctx.clear();
        self.ctx.func.signature = clif::trampoline_signature();
        self.ctx.func.name = UserFuncName::user(0, 2);
        let mut b = cranelift_frontend::FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
        let helper_sig = b.import_signature(clif::helper_signature(self.isa.default_call_conv()));
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let p = b.block_params(entry).to_vec();
        let f = cranelift_codegen::ir::MemFlagsData::trusted();
        let helper = b.ins().load(I64, f, p[5], 0);
        let call = b.ins().call_indirect(helper_sig, helper, &p[..5]);
        let r = b.inst_results(call)[0];
        b.ins().store(f, r, p[5], 0);
        b.ins().return_(&[]);
        b.finalize(self.isa.frontend_config());
        Ok(self.finish()?.to_vec())
    }

    /// The entry trampoline: a host-ABI function calling a block (`tail` ABI).
    fn entry_trampoline(&mut self) -> Result<Vec<u8>, String> {
        self.ctx.clear();
        let cc = self.isa.default_call_conv();
        let mut sig = Signature::new(cc);
        sig.params.extend([AbiParam::new(I64), AbiParam::new(I64)]);
        sig.returns.push(AbiParam::new(I64));
        self.ctx.func.signature = sig;
        self.ctx.func.name = UserFuncName::user(0, 1);
        let mut b = cranelift_frontend::FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
        let blk_sig = b.import_signature(clif::block_signature(block_cc()));
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let (cpu, code) = (b.block_params(entry)[0], b.block_params(entry)[1]);
        let call = b.ins().call_indirect(blk_sig, code, &[cpu]);
        let r = b.inst_results(call)[0];
        b.ins().return_(&[r]);
        b.finalize(self.isa.frontend_config());
        Ok(self.finish()?.to_vec())
    }
}

impl Shared {
    /// Compiles `b` and installs its code if the arena generation is still `generation`.
    fn compile_and_install<I: Isa>(&self, c: &mut Option<Compiler>, b: &Block<I>, extra: &[Block<I>], generation: u64) {
        if c.is_none() {
            match Compiler::new() {
                Ok(n) => *c = Some(n),
                Err(e) => return self.failed(b, &e),
            }
        }
        let Some(comp) = c.as_mut() else { return };
        let t0 = Instant::now();
        let alloc_slot = || {
            let i = self.next_slot.fetch_add(1, Ordering::Relaxed);
            if i >= self.slots.capacity() {
                self.full.store(true, Ordering::Relaxed);
                return None;
            }
            Some(self.slots.addr(i))
        };
        let env = ChainEnv {
            last_exit: self.last_exit.as_ptr() as u64,
            jump_table: self.jump_table.addr(0),
            alloc_slot: &alloc_slot,
        };
        let env = self.chain.then_some(&env);
        let direct = self.direct.get().copied();
        // A Cranelift bug must not take the emulator down: keep the block interpreted.
        let result = catch_unwind(AssertUnwindSafe(|| {
            comp.compile(b, extra, env, direct, self.helper_trampoline).map(|(code, slots)| (code.to_vec(), slots))
        }));
        let ns = t0.elapsed().as_nanos() as u64;
        let (code, slots) = match result {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return self.failed(b, &e),
            Err(_) => {
                *c = None; // its state may be inconsistent
                return self.failed(b, "cranelift panicked");
            }
        };
        let mut arena = self.arena.lock();
        if self.generation.load(Ordering::Relaxed) != generation {
            return; // the engine flushed everything meanwhile
        }
        let mut header = [0u8; HEADER];
        // The last word: 1 for a page-crossing block, which no exit links to
        // (a write to its second page drops it without the blocks that
        // would link to it, see `link`).
        for (k, v) in [b.vpc, b.paddr, u64::from(b.mode), u64::from(b.paddr2.is_some())].into_iter().enumerate() {
            header[8 * k..8 * k + 8].copy_from_slice(&v.to_ne_bytes());
        }
        match arena.install(&header, &code) {
            Some(p) => {
                if let Some(dir) = std::env::var_os("XLATE_JIT_DUMP") {
                    // Developer aid: the code of every block, named by its
                    // offset in the arena (as perf shows it) and guest pc.
                    let name = format!("{:06x}-{:x}.bin", arena.used() - code.len(), b.vpc);
                    let _ = std::fs::write(std::path::Path::new(&dir).join(name), &code);
                }
                for (addr, target) in slots {
                    let base = self.slots.addr(0);
                    if let Some(s) = self.slots.get(((addr - base) / std::mem::size_of::<Slot>() as u64) as usize) {
                        s.target.store(target, Ordering::Relaxed);
                        s.page.store(b.paddr & PAGE_MASK, Ordering::Relaxed);
                        s.mode.store(u64::from(chain_mode::<I>(b.mode)), Ordering::Relaxed);
                    }
                }
                b.code.store(p, Ordering::Release);
                drop(arena);
                let mut s = self.stats.lock();
                s.blocks += 1;
                s.guest_insns += b.insns.len() as u64;
                s.code_bytes += code.len() as u64;
                s.compile_ns += ns;
                TOTAL_BLOCKS.fetch_add(1, Ordering::Relaxed);
                TOTAL_INSNS.fetch_add(b.insns.len() as u64, Ordering::Relaxed);
                TOTAL_NANOS.fetch_add(ns, Ordering::Relaxed);
            }
            None => self.full.store(true, Ordering::Relaxed),
        }
    }

    fn failed<I: Isa>(&self, b: &Block<I>, why: &str) {
        self.stats.lock().failures += 1;
        TOTAL_FAILURES.fetch_add(1, Ordering::Relaxed);
        if !self.logged_failure.swap(true, Ordering::Relaxed) {
            eprintln!("xlate: JIT could not compile the block at {:#x}, interpreting it: {why}", b.vpc);
        }
    }
}

struct Request<I: Isa> {
    block: Arc<Block<I>>,
    /// The other parts of its region.
    extra: Vec<Block<I>>,
    generation: u64,
}

pub struct Jit<I: Isa> {
    shared: Arc<Shared>,
    entry: EntryFn<I::Cpu>,
    /// Holds the entry trampoline (never reset).
    _entry_arena: Arena,
    /// Compiles for `compile_now` (the vCPU thread).
    foreground: Mutex<Option<Compiler>>,
    queue: Option<Sender<Request<I>>>,
    worker: Option<JoinHandle<()>>,
    _isa: PhantomData<fn() -> I>,
}

impl<I: Isa> Jit<I> {
    pub fn new(background: bool) -> Result<Jit<I>, String> {
        Self::with_arena_size(background, ARENA_SIZE)
    }

    /// A JIT whose code arena holds `arena_size` bytes.
    pub fn with_arena_size(background: bool, arena_size: usize) -> Result<Jit<I>, String> {
        let chain = std::env::var("XLATE_JIT_CHAIN").map_or(true, |v| v != "0");
        Self::with_options(background, arena_size, chain)
    }

    /// A JIT with all knobs: background compilation, arena size, chaining.
    pub fn with_options(background: bool, arena_size: usize, chain: bool) -> Result<Jit<I>, String> {
        if !arena::HOST_SUPPORTED {
            return Err("the JIT does not support this host architecture; use --engine interp".into());
        }
        let mut compiler = Compiler::new()?;
        let mut entry_arena = Arena::new(4096)?;
        let tramp = compiler.entry_trampoline()?;
        let entry = entry_arena.install(&[], &tramp).ok_or("JIT entry trampoline too large")?;
        let helper_trampoline = match std::env::var("XLATE_JIT_TRAMPOLINE").as_deref() {
            Ok("0") => None,
            _ => {
                let code = compiler.helper_trampoline()?;
                if let Some(dir) = std::env::var_os("XLATE_JIT_DUMP") {
                    let _ = std::fs::write(std::path::Path::new(&dir).join("helper-trampoline.bin"), &code);
                }
                Some(entry_arena.install(&[], &code).ok_or("JIT helper trampoline too large")? as u64)
            }
        };
        // SAFETY: `entry` is the code just compiled with exactly this
        // signature; its arena lives as long as the Jit.
        let entry = unsafe { std::mem::transmute::<*mut u8, EntryFn<I::Cpu>>(entry) };
        let shared = Arc::new(Shared {
            arena: Mutex::new(Arena::new(arena_size)?),
            full: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            stats: Mutex::new(JitStats::default()),
            logged_failure: AtomicBool::new(false),
            chain,
            last_exit: AtomicU64::new(0),
            // SAFETY: all-zero is a valid `Slot` (atomics).
            slots: unsafe { ZeroedArray::new(SLOTS)? },
            next_slot: AtomicUsize::new(0),
            // SAFETY: all-zero is a valid `JumpEntry` (atomics; mode 0 = empty).
            jump_table: unsafe { ZeroedArray::new(JUMP_TABLE_ENTRIES)? },
            direct: std::sync::OnceLock::new(),
            helper_trampoline,
        });
        let (queue, worker) = if background {
            let (tx, rx) = crossbeam_channel::unbounded::<Request<I>>();
            let sh = shared.clone();
            let mut c = Some(Compiler::new()?);
            let h = std::thread::Builder::new()
                .name("xlate-jit".into())
                .spawn(move || worker::<I>(&sh, &mut c, &rx))
                .map_err(|e| format!("cannot start the JIT thread: {e}"))?;
            (Some(tx), Some(h))
        } else {
            (None, None)
        };
        Ok(Jit {
            shared,
            entry,
            _entry_arena: entry_arena,
            foreground: Mutex::new(Some(compiler)),
            queue,
            worker,
            _isa: PhantomData,
        })
    }

    /// Compiles `b` now and installs its code.
    pub fn compile_now(&self, b: &Block<I>) {
        self.compile_region_now(b, &[]);
    }

    /// Compiles `b` now, with `extra` blocks of its page that its direct
    /// exits may jump to inside the compiled code (see `Clif::translate`).
    pub fn compile_region_now(&self, b: &Block<I>, extra: &[Block<I>]) {
        let g = self.shared.generation.load(Ordering::Relaxed);
        let mut c = self.foreground.lock();
        self.shared.compile_and_install(&mut c, b, extra, g);
    }

    /// Queues `b` for background compilation (compiles it now without a
    /// background thread).
    pub fn request(&self, b: Arc<Block<I>>) {
        self.request_region(b, Vec::new());
    }

    /// [`Jit::request`] with the other parts of `b`'s region.
    pub fn request_region(&self, b: Arc<Block<I>>, extra: Vec<Block<I>>) {
        let generation = self.shared.generation.load(Ordering::Relaxed);
        match &self.queue {
            Some(q) => {
                let _ = q.send(Request { block: b, extra, generation });
            }
            None => self.compile_region_now(&b, &extra),
        }
    }

    /// Runs `b`'s compiled code, or returns `None` if it has none yet; see
    /// `Engine::finish_compiled` for the result.
    #[inline]
    pub fn run(&self, b: &Block<I>, cpu: &mut I::Cpu) -> Option<u64> {
        let code = b.compiled();
        if code.is_null() {
            return None;
        }
        let sh = &*self.shared;
        // Only this thread writes `last_exit` (here and in JIT code): no RMW needed.
        let last = sh.last_exit.load(Ordering::Relaxed);
        if last != 0 {
            sh.last_exit.store(0, Ordering::Relaxed);
            self.link(last, code);
        }
        if let Some(e) = sh.jump_table.get(clif::jump_slot(b.vpc)) {
            e.vpc.store(b.vpc, Ordering::Relaxed);
            e.mode.store(u64::from(chain_mode::<I>(b.mode)) + 1, Ordering::Relaxed);
            e.code.store(code as u64, Ordering::Relaxed);
        }
        let limit = cpu.instret_mut().saturating_add(QUANTUM as u64);
        *cpu.chain_limit_mut() = limit;
        // SAFETY: `code` is a block's published code pointer: it points into
        // our arena (alive while `self` is), was compiled for this ISA with
        // the block signature, and the engine drops every block before
        // `reset` reuses the arena. The generated code only touches the CPU
        // structure at the offsets `GuestCpu` declares, guest RAM through TLB
        // hits, exit slots and the jump table, calls helpers with the same
        // CPU pointer, and tail-calls only blocks published in this arena
        // generation.
        Some(unsafe { (self.entry)(cpu, code) })
    }

    /// Links the exit whose slot is at `slot` to `code` if that is its successor.
    fn link(&self, slot: u64, code: *mut u8) {
        let base = self.shared.slots.addr(0);
        let Some(s) = self.shared.slots.get(((slot - base) / std::mem::size_of::<Slot>() as u64) as usize) else {
            return;
        };
        // SAFETY: `code` is published block code (see `run`), which the arena
        // always stores right after its HEADER-byte header.
        let h = unsafe { std::ptr::read(code.sub(HEADER).cast::<[u64; 4]>()) };
        let [vpc, paddr, mode, crosses] = h;
        if crosses == 0
            && vpc == s.target.load(Ordering::Relaxed)
            && paddr & PAGE_MASK == s.page.load(Ordering::Relaxed)
            && u64::from(chain_mode::<I>(mode as u32)) == s.mode.load(Ordering::Relaxed)
        {
            s.code.store(code as u64, Ordering::Relaxed);
            self.shared.stats.lock().links += 1;
        }
    }

    /// Forgets every jump-table entry (the engine dropped blocks or the
    /// virtual-to-physical mappings changed).
    pub fn flush_jump_table(&self) {
        for k in 0..JUMP_TABLE_ENTRIES {
            if let Some(e) = self.shared.jump_table.get(k) {
                e.mode.store(0, Ordering::Relaxed);
            }
        }
    }

    /// Lets compiled code address `ram` directly for data accesses (no TLB).
    /// Only valid where every data address is a physical address with full
    /// access rights (Linux user mode: translation off, PMP open), since
    /// accesses in range skip translation and permission checks; stores to
    /// pages holding code still take the slow path. The caller keeps the RAM
    /// alive as long as this JIT (see `Engine::use_direct_ram`).
    pub fn set_direct_ram(&self, ram: DirectRam) {
        let _ = self.shared.direct.set(ram);
    }

    /// The code arena is full: the engine must drop all blocks, then call `reset`.
    pub fn wants_flush(&self) -> bool {
        self.shared.full.load(Ordering::Relaxed)
    }

    /// Forgets all compiled code. The engine has dropped every block.
    pub fn reset(&mut self) {
        let sh = &*self.shared;
        let mut arena = sh.arena.lock();
        sh.generation.fetch_add(1, Ordering::Relaxed);
        arena.reset();
        drop(arena);
        sh.last_exit.store(0, Ordering::Relaxed);
        let used = sh.next_slot.swap(0, Ordering::Relaxed);
        match Arc::get_mut(&mut self.shared) {
            Some(sh) => sh.slots.clear(used),
            None => {
                // The worker shares the slots: clear them through the atomics.
                for k in 0..used.min(SLOTS) {
                    if let Some(s) = self.shared.slots.get(k) {
                        s.code.store(0, Ordering::Relaxed);
                    }
                }
            }
        }
        self.shared.full.store(false, Ordering::Relaxed);
        self.flush_jump_table();
    }

    pub fn stats(&self) -> JitStats {
        *self.shared.stats.lock()
    }
}

fn worker<I: Isa>(sh: &Shared, c: &mut Option<Compiler>, rx: &Receiver<Request<I>>) {
    while let Ok(r) = rx.recv() {
        if r.generation != sh.generation.load(Ordering::Relaxed) || !r.block.compiled().is_null() {
            continue;
        }
        sh.compile_and_install(c, &r.block, &r.extra, r.generation);
    }
}

impl<I: Isa> Drop for Jit<I> {
    fn drop(&mut self) {
        self.queue = None; // ends the worker's loop
        if let Some(h) = self.worker.take() {
            let _ = h.join();
        }
        if std::env::var_os("XLATE_JIT_STATS").is_some() {
            let s = self.stats();
            let (used, size) = {
                let a = self.shared.arena.lock();
                (a.used(), a.size())
            };
            let per = |x: u64| if s.blocks == 0 { 0.0 } else { x as f64 / s.blocks as f64 };
            eprintln!(
                "xlate jit: {} blocks ({:.1} insns, {:.0} bytes, {:.1} us each to compile), {} failed, {} links, {:.1} MiB of {} MiB arena used",
                s.blocks,
                per(s.guest_insns),
                per(s.code_bytes),
                per(s.compile_ns) / 1000.0,
                s.failures,
                s.links,
                used as f64 / (1 << 20) as f64,
                size >> 20,
            );
        }
    }
}

#[cfg(test)]
mod tests;
