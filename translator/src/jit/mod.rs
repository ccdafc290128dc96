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

pub mod arena;
pub mod clif;

use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use crossbeam_channel::{Receiver, Sender};
use parking_lot::Mutex;
use xlate_frontend::Isa;

use crate::block::Block;
use arena::Arena;
use clif::Clif;

/// Size of the executable code arena.
pub const ARENA_SIZE: usize = 64 << 20;

/// A compiled block: `extern "C" fn(cpu) -> status` (see `Engine::finish_compiled`).
pub type BlockFn<C> = unsafe extern "C" fn(*mut C) -> u64;

/// Compilation counters (for tuning; see `XLATE_JIT_STATS`).
#[derive(Default, Debug, Clone, Copy)]
pub struct JitStats {
    pub blocks: u64,
    pub guest_insns: u64,
    pub code_bytes: u64,
    /// Time spent building IR and compiling, in nanoseconds.
    pub compile_ns: u64,
    pub failures: u64,
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
}

/// One Cranelift compilation context (one per compiling thread).
struct Compiler {
    isa: OwnedTargetIsa,
    ctx: Context,
    fctx: FunctionBuilderContext,
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
    let builder = cranelift_native::builder().map_err(|e| format!("no JIT for this host: {e}"))?;
    builder.finish(settings::Flags::new(flags)).map_err(|e| format!("no JIT for this host: {e}"))
}

impl Compiler {
    fn new() -> Result<Compiler, String> {
        Ok(Compiler { isa: host_isa()?, ctx: Context::new(), fctx: FunctionBuilderContext::new() })
    }

    /// Translates and compiles `b`; returns the machine code.
    fn compile<I: Isa>(&mut self, b: &Block<I>) -> Result<&[u8], String> {
        self.ctx.clear();
        self.ctx.func.signature = clif::block_signature(self.isa.default_call_conv());
        Clif::translate(&mut self.ctx.func, &mut self.fctx, b, self.isa.frontend_config())?;
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
}

impl Shared {
    /// Compiles `b` and installs its code if the arena generation is still `generation`.
    fn compile_and_install<I: Isa>(&self, c: &mut Option<Compiler>, b: &Block<I>, generation: u64) {
        if c.is_none() {
            match Compiler::new() {
                Ok(n) => *c = Some(n),
                Err(e) => return self.failed(b, &e),
            }
        }
        let Some(comp) = c.as_mut() else { return };
        let t0 = Instant::now();
        // A Cranelift bug must not take the emulator down: keep the block interpreted.
        let result = catch_unwind(AssertUnwindSafe(|| comp.compile(b).map(<[u8]>::to_vec)));
        let ns = t0.elapsed().as_nanos() as u64;
        let code = match result {
            Ok(Ok(code)) => code,
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
        match arena.install(&code) {
            Some(p) => {
                b.code.store(p, Ordering::Release);
                drop(arena);
                let mut s = self.stats.lock();
                s.blocks += 1;
                s.guest_insns += b.insns.len() as u64;
                s.code_bytes += code.len() as u64;
                s.compile_ns += ns;
            }
            None => self.full.store(true, Ordering::Relaxed),
        }
    }

    fn failed<I: Isa>(&self, b: &Block<I>, why: &str) {
        self.stats.lock().failures += 1;
        if !self.logged_failure.swap(true, Ordering::Relaxed) {
            eprintln!("xlate: JIT could not compile the block at {:#x}, interpreting it: {why}", b.vpc);
        }
    }
}

struct Request<I: Isa> {
    block: Arc<Block<I>>,
    generation: u64,
}

pub struct Jit<I: Isa> {
    shared: Arc<Shared>,
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
        if !arena::HOST_SUPPORTED {
            return Err("the JIT does not support this host architecture; use --engine interp".into());
        }
        let compiler = Compiler::new()?;
        let shared = Arc::new(Shared {
            arena: Mutex::new(Arena::new(arena_size)?),
            full: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            stats: Mutex::new(JitStats::default()),
            logged_failure: AtomicBool::new(false),
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
        Ok(Jit { shared, foreground: Mutex::new(Some(compiler)), queue, worker, _isa: PhantomData })
    }

    /// Compiles `b` now and installs its code.
    pub fn compile_now(&self, b: &Block<I>) {
        let g = self.shared.generation.load(Ordering::Relaxed);
        let mut c = self.foreground.lock();
        self.shared.compile_and_install(&mut c, b, g);
    }

    /// Queues `b` for background compilation (compiles it now without a
    /// background thread).
    pub fn request(&self, b: Arc<Block<I>>) {
        let generation = self.shared.generation.load(Ordering::Relaxed);
        match &self.queue {
            Some(q) => {
                let _ = q.send(Request { block: b, generation });
            }
            None => self.compile_now(&b),
        }
    }

    /// Runs compiled code; see `Engine::finish_compiled` for the result.
    ///
    /// `code` must be a pointer this JIT published into a block (the engine
    /// only passes `Block::compiled()`); it is a safe function because that
    /// is the engine's existing interface.
    #[allow(clippy::not_unsafe_ptr_arg_deref)]
    #[inline]
    pub fn run(&self, code: *mut u8, cpu: &mut I::Cpu) -> u64 {
        // SAFETY: `code` is a block's published code pointer: it points into
        // our arena (alive while `self` is), was compiled for this ISA with
        // the `BlockFn` signature, and the engine drops every block before
        // `reset` reuses the arena. The generated code only touches the CPU
        // structure at the offsets `GuestCpu` declares, guest RAM through TLB
        // hits, and calls helpers with the same CPU pointer.
        unsafe {
            let f: BlockFn<I::Cpu> = std::mem::transmute::<*mut u8, BlockFn<I::Cpu>>(code);
            f(cpu)
        }
    }

    /// The code arena is full: the engine must drop all blocks, then call `reset`.
    pub fn wants_flush(&self) -> bool {
        self.shared.full.load(Ordering::Relaxed)
    }

    /// Forgets all compiled code. The engine has dropped every block.
    pub fn reset(&mut self) {
        let mut arena = self.shared.arena.lock();
        self.shared.generation.fetch_add(1, Ordering::Relaxed);
        arena.reset();
        self.shared.full.store(false, Ordering::Relaxed);
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
        sh.compile_and_install(c, &r.block, r.generation);
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
            let per = |x: u64| if s.blocks == 0 { 0.0 } else { x as f64 / s.blocks as f64 };
            eprintln!(
                "xlate jit: {} blocks ({:.1} insns, {:.0} bytes, {:.1} us each to compile), {} failed, {:.1} MiB of {} MiB arena used",
                s.blocks,
                per(s.guest_insns),
                per(s.code_bytes),
                per(s.compile_ns) / 1000.0,
                s.failures,
                self.shared.arena.lock().used() as f64 / (1 << 20) as f64,
                self.shared.arena.lock().size() >> 20,
            );
        }
    }
}

#[cfg(test)]
mod tests;
