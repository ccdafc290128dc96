//! The run loop shared by all guest ISAs: find or build the block at pc, run
//! it (interpreted or compiled), then service what it asked for.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use xlate_frontend::{GuestCpu, InsnRecord, Isa, Stop, STOP_STEP};
use xlate_softmmu::{Bus, PAGE_MASK};

use crate::block::{Block, BlockCache, MAX_BLOCK_INSNS};
use crate::interp::Interp;
use crate::jit::Jit;
use crate::trace::TraceConfig;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    /// Interpret every block.
    Interp,
    /// Compile every block before it first runs.
    Jit,
    /// Interpret until a block is hot, then compile it in the background.
    Tiered,
}

impl std::str::FromStr for EngineKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "interp" => Ok(EngineKind::Interp),
            "jit" => Ok(EngineKind::Jit),
            "tiered" => Ok(EngineKind::Tiered),
            _ => Err(format!("unknown engine '{s}' (expected interp, jit or tiered)")),
        }
    }
}

/// Why [`Engine::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// A device asked the machine to stop with this exit code.
    Halted(u64),
    /// The instruction budget ran out.
    Budget,
    /// The hart waits for an interrupt and none is pending.
    Wfi,
}

pub struct Engine<I: Isa> {
    cache: BlockCache<I>,
    x: Exec<I>,
    /// Keeps RAM that compiled code addresses directly alive.
    direct_ram_owner: Option<Arc<Bus>>,
}

/// Everything that runs a block, apart from the cache that finds it (so a
/// block can be run straight from the cache, without cloning its `Arc`).
struct Exec<I: Isa> {
    kind: EngineKind,
    threshold: u32,
    jit: Option<Jit<I>>,
    trace: Option<TraceConfig>,
}

impl<I: Isa> Engine<I> {
    pub fn new(kind: EngineKind, threshold: u32) -> Result<Engine<I>, String> {
        Self::with_compile_thread(kind, threshold, true)
    }

    /// Like `new`; `compile_thread` says whether the tiered engine compiles
    /// hot blocks on a thread of its own (shorter wall time when a core is
    /// free, as for a booting VM) or on the calling thread (less CPU time:
    /// no interpreting while a block waits for its code; for user mode,
    /// whose benchmarks count CPU time, as QEMU compiles too).
    pub fn with_compile_thread(kind: EngineKind, threshold: u32, compile_thread: bool) -> Result<Engine<I>, String> {
        let jit = match kind {
            EngineKind::Interp => None,
            EngineKind::Jit => Some(Jit::new(false)?),
            EngineKind::Tiered => Some(Jit::new(compile_thread)?),
        };
        Ok(Engine {
            cache: BlockCache::default(),
            x: Exec { kind, threshold, jit, trace: None },
            direct_ram_owner: None,
        })
    }

    /// Lets compiled code address the writable RAM at `base` directly,
    /// without the TLB (see `Jit::set_direct_ram` for when that is valid:
    /// Linux user mode). Returns whether it applies (a JIT and such RAM).
    pub fn use_direct_ram(&mut self, bus: &Arc<Bus>, base: u64) -> bool {
        let Some(jit) = &self.x.jit else { return false };
        let Some(ram) = bus.rams.iter().find(|r| r.base() == base && !r.readonly()) else { return false };
        jit.set_direct_ram(ram.direct());
        self.direct_ram_owner = Some(bus.clone());
        true
    }

    /// Turns on the commit log; traced instructions always run in the interpreter.
    pub fn set_trace(&mut self, cpu: &mut I::Cpu, t: TraceConfig) {
        I::trace_enable(cpu);
        self.x.trace = Some(t);
    }

    pub fn kind(&self) -> EngineKind {
        self.x.kind
    }

    /// Runs until about `budget` instructions have retired, a device halts
    /// the machine, or the hart idles in WFI.
    pub fn run(&mut self, cpu: &mut I::Cpu, budget: u64) -> Exit {
        let limit = cpu.instret_mut().wrapping_add(budget);
        loop {
            if let Some(code) = I::bus(cpu).halted() {
                return Exit::Halted(code);
            }
            if *cpu.instret_mut() >= limit {
                return Exit::Budget;
            }
            I::take_interrupt(cpu);
            if cpu.control().wfi {
                if !I::interrupt_waiting(cpu) {
                    return Exit::Wfi;
                }
                cpu.control().wfi = false;
            }
            let pc = cpu.pc();
            let mode = I::mode(cpu);
            if let Some(b) = self.cache.lookup_virtual(pc, mode) {
                self.x.run_block(cpu, b);
                self.service(cpu);
                continue;
            }
            match self.find_block(cpu, pc, mode) {
                Ok(Some(b)) => self.x.run_block(cpu, &b),
                Ok(None) => self.x.step_uncached(cpu, pc, mode),
                Err(Stop) => *cpu.stop_word() = 0, // fetch fault: the trap was entered
            }
            self.service(cpu);
        }
    }

    fn find_block(&mut self, cpu: &mut I::Cpu, pc: u64, mode: u32) -> Result<Option<Arc<Block<I>>>, Stop> {
        if let Some(b) = self.cache.lookup_virtual(pc, mode) {
            return Ok(Some(b.clone()));
        }
        let paddr = I::translate_fetch(cpu, pc)?;
        if let Some(b) = self.cache.lookup(pc, paddr, mode) {
            // A page-crossing instruction is good while its tail's page
            // still maps where it did.
            match b.paddr2 {
                Some(p2) if I::translate_fetch(cpu, b.end_pc - 1)? & PAGE_MASK != p2 => {}
                _ => return Ok(Some(b)),
            }
        }
        let b = match decode_block(cpu, pc, paddr, mode) {
            Some(b) => b,
            None => match cross_page_block(cpu, pc, paddr, mode)? {
                Some(b) => b,
                None => return Ok(None),
            },
        };
        let b = Arc::new(b);
        if self.x.kind == EngineKind::Jit && self.x.trace.is_none() {
            if let Some(jit) = &self.x.jit {
                jit.compile_now(&b);
            }
        }
        self.cache.insert(b.clone());
        Ok(Some(b))
    }

    /// Handles requests the guest made while running (code writes, fence.i,
    /// changed mappings).
    fn service(&mut self, cpu: &mut I::Cpu) {
        let ctl = cpu.control();
        if ctl.flush_code {
            ctl.flush_code = false;
            ctl.dirty_code.clear();
            ctl.flush_jump_cache = false;
            self.cache.flush();
            I::bus(cpu).clear_all_code();
            self.x.flush_jump_table();
        }
        let ctl = cpu.control();
        if !ctl.dirty_code.is_empty() {
            let pages = std::mem::take(&mut ctl.dirty_code);
            for p in pages {
                self.cache.invalidate_page(p);
                I::bus(cpu).clear_code(p);
            }
            self.x.flush_jump_table();
        }
        let ctl = cpu.control();
        if ctl.flush_jump_cache {
            ctl.flush_jump_cache = false;
            self.cache.flush_jump_cache();
            self.x.flush_jump_table();
        }
        if self.x.jit.as_ref().is_some_and(|j| j.wants_flush()) {
            self.cache.flush();
            I::bus(cpu).clear_all_code();
            if let Some(j) = &mut self.x.jit {
                j.reset();
            }
        }
    }
}

use std::io::Write as _;

impl<I: Isa> Exec<I> {
    fn flush_jump_table(&self) {
        if let Some(j) = &self.jit {
            j.flush_jump_table();
        }
    }

    fn run_block(&mut self, cpu: &mut I::Cpu, b: &Arc<Block<I>>) {
        if self.trace.is_none() {
            if let Some(r) = self.jit.as_ref().and_then(|jit| jit.run(b, cpu)) {
                self.finish_compiled(cpu, b, r);
                return;
            }
            if self.kind == EngineKind::Tiered {
                let hits = b.hits.fetch_add(1, Ordering::Relaxed);
                if hits >= self.threshold && !b.compile_requested.swap(true, Ordering::Relaxed) {
                    if let Some(jit) = &self.jit {
                        // XLATE_NO_REGIONS=1 compiles blocks alone (to measure regions).
                        let parts = if no_regions() { Vec::new() } else { region_parts(cpu, b) };
                        jit.request_region(b.clone(), parts);
                        // Compiled in place (no compile thread): run it now.
                        if let Some(r) = jit.run(b, cpu) {
                            self.finish_compiled(cpu, b, r);
                            return;
                        }
                    }
                }
            }
        }
        self.interpret(cpu, b);
    }

    /// After compiled code returns `r`: 0 = it set pc and instret itself;
    /// k+1 = instruction k stopped the block (its registers are written back).
    fn finish_compiled(&mut self, cpu: &mut I::Cpu, b: &Block<I>, r: u64) {
        if r == 0 {
            if *cpu.stop_word() == STOP_STEP {
                // Compiled code stopped before an access it leaves to the
                // interpreter (see `STOP_STEP`).
                *cpu.stop_word() = 0;
                let (pc, mode) = (cpu.pc(), I::mode(cpu));
                self.step_uncached(cpu, pc, mode);
            }
            return;
        }
        let k = (r - 1) as usize;
        let stop = std::mem::take(cpu.stop_word());
        if stop == I::STOP_EXIT {
            *cpu.instret_mut() += k as u64 + 1;
            let next = b.pcs[k].wrapping_add(I::insn_len(&b.insns[k]));
            cpu.set_pc(next);
        } else {
            *cpu.instret_mut() += k as u64;
        }
    }

    fn interpret(&mut self, cpu: &mut I::Cpu, b: &Block<I>) {
        for (k, insn) in b.insns.iter().enumerate() {
            if !self.exec_one(cpu, b.pcs[k], insn, b.mode) {
                return;
            }
        }
        cpu.set_pc(b.end_pc);
    }

    /// Executes one instruction. Returns true if execution falls through to
    /// the next instruction of the block (pc not yet updated).
    fn exec_one(&mut self, cpu: &mut I::Cpu, pc: u64, insn: &I::Insn, mode: u32) -> bool {
        let len = I::insn_len(insn);
        let traced = self.trace.as_ref().is_some_and(|t| t.wants(*cpu.instret_mut(), pc, I::privilege(cpu)));
        let prv = I::privilege(cpu);
        let mut rec = InsnRecord::default();
        let regs_before = traced.then(|| cpu.regs().to_vec());
        let (result, next) = {
            let mut e = Interp::<I>::new(cpu, pc, len, mode);
            if traced {
                e.record = Some(&mut rec);
            }
            let r = I::exec(insn, &mut e);
            (r, e.next)
        };
        let retired = match result {
            Ok(()) => {
                cpu.set_pc(next.unwrap_or(pc.wrapping_add(len)));
                true
            }
            Err(Stop) => {
                let stop = std::mem::take(cpu.stop_word());
                if stop == I::STOP_EXIT {
                    cpu.set_pc(next.unwrap_or(pc.wrapping_add(len)));
                }
                stop == I::STOP_EXIT
            }
        };
        if let Some(before) = regs_before {
            // Helpers (atomics) write registers behind the emitter's back.
            for (r, (&old, &new)) in before.iter().zip(cpu.regs().iter()).enumerate() {
                if old != new && !rec.regs.iter().any(|&(x, _)| x == r) {
                    rec.regs.push((r, new));
                }
            }
        }
        if retired {
            *cpu.instret_mut() += 1;
            if traced {
                let line = I::trace_line(cpu, prv, pc, insn, &rec, self.trace.as_ref().is_some_and(|t| t.disasm));
                if let Some(t) = &mut self.trace {
                    let _ = writeln!(t.out, "{line}");
                }
            }
        }
        if self.trace.is_some() && !(retired && traced) {
            // CSR writes of an instruction that trapped or is filtered out.
            I::trace_discard(cpu);
        }
        retired && next.is_none() && result.is_ok()
    }

    /// An instruction that crosses a page or does not decode: run it alone.
    fn step_uncached(&mut self, cpu: &mut I::Cpu, pc: u64, mode: u32) {
        let bytes = match I::fetch_slow(cpu, pc) {
            Ok(b) => b,
            Err(Stop) => {
                *cpu.stop_word() = 0;
                return;
            }
        };
        match I::decode(&bytes, mode) {
            Some(i) => {
                self.exec_one(cpu, pc, &i, mode);
            }
            None => {
                I::raise_illegal(cpu, &bytes, pc);
                *cpu.stop_word() = 0;
            }
        }
    }
}

/// Decodes a block at `paddr` (virtual `vpc`), stopping at the end of the page.
pub(crate) fn decode_block<I: Isa>(cpu: &mut I::Cpu, vpc: u64, paddr: u64, mode: u32) -> Option<Block<I>> {
    let page_end = (paddr & PAGE_MASK) + xlate_softmmu::PAGE_SIZE;
    let mut insns = Vec::new();
    let mut at = paddr;
    let mut buf = [0u8; 16];
    while insns.len() < MAX_BLOCK_INSNS && at < page_end {
        let avail = (I::MAX_INSN_LEN as u64).min(page_end - at) as usize;
        if !I::bus(cpu).read_bytes(at, &mut buf[..avail]) {
            break;
        }
        let Some(i) = I::decode(&buf[..avail], mode) else { break };
        insns.push(i);
        at += I::insn_len(&i);
        if I::ends_block(&i) {
            break;
        }
    }
    if insns.is_empty() {
        return None;
    }
    mark_code_page::<I>(cpu, paddr);
    Some(Block::new(vpc, paddr, mode, insns))
}

/// Writes to the page of `paddr` must now take the slow path, so that they
/// drop the blocks built from it.
fn mark_code_page<I: Isa>(cpu: &mut I::Cpu, paddr: u64) {
    let bus = I::bus(cpu);
    bus.mark_code(paddr);
    if let Some((host, _, _)) = bus.host_page(paddr) {
        for m in 0..I::NUM_MMU {
            cpu.tlb_mut(m).slow_writes_to(host as u64);
        }
    }
}

/// A block of one instruction that crosses from the page at `paddr` into
/// the next one (`decode_block` stops at a page end); None if the
/// instruction does not decode or does not cross (left to `step_uncached`).
fn cross_page_block<I: Isa>(cpu: &mut I::Cpu, vpc: u64, paddr: u64, mode: u32) -> Result<Option<Block<I>>, Stop> {
    let bytes = I::fetch_slow(cpu, vpc)?;
    let Some(i) = I::decode(&bytes, mode) else { return Ok(None) };
    let last = vpc.wrapping_add(I::insn_len(&i) - 1);
    if last & PAGE_MASK == vpc & PAGE_MASK {
        return Ok(None);
    }
    let paddr2 = I::translate_fetch(cpu, last)? & PAGE_MASK;
    mark_code_page::<I>(cpu, paddr);
    mark_code_page::<I>(cpu, paddr2);
    let mut b = Block::new(vpc, paddr, mode, vec![i]);
    b.paddr2 = Some(paddr2);
    Ok(Some(b))
}

fn no_regions() -> bool {
    static NO: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *NO.get_or_init(|| std::env::var_os("XLATE_NO_REGIONS").is_some())
}

/// Most blocks, and guest instructions, one compiled region holds.
const MAX_REGION_PARTS: usize = 8;
const MAX_REGION_INSNS: usize = 256;

/// The other blocks of `b`'s region: those its direct exits reach, and so on,
/// without leaving its page (whose mapping and code they share, so they are
/// invalidated together).
pub(crate) fn region_parts<I: Isa>(cpu: &mut I::Cpu, b: &Block<I>) -> Vec<Block<I>> {
    let page = b.vpc & PAGE_MASK;
    let mut seen = vec![b.vpc];
    let mut queue: std::collections::VecDeque<u64> = b.direct_successors().into();
    let mut parts: Vec<Block<I>> = Vec::new();
    let mut insns = b.insns.len();
    while let Some(t) = queue.pop_front() {
        if parts.len() + 1 >= MAX_REGION_PARTS || insns >= MAX_REGION_INSNS {
            break;
        }
        if t & PAGE_MASK != page || seen.contains(&t) {
            continue;
        }
        seen.push(t);
        let paddr = (b.paddr & PAGE_MASK) | (t & !PAGE_MASK);
        if let Some(p) = decode_block::<I>(cpu, t, paddr, b.mode) {
            insns += p.insns.len();
            queue.extend(p.direct_successors());
            parts.push(p);
        }
    }
    // Keep the innermost loop through `b`. Straight-line code gains little
    // from sharing a function and would only cost compile time; outer loops
    // would crowd the host registers the hot loop needs.
    innermost_loop(b, &mut parts);
    parts
}

/// Keeps the parts of the innermost loop through `b`: the natural loop of
/// the back edge into `b` closing the shortest cycle.
fn innermost_loop<I: Isa>(b: &Block<I>, parts: &mut Vec<Block<I>>) {
    let succ = |pc: u64| -> Vec<u64> {
        if pc == b.vpc {
            return b.direct_successors();
        }
        parts.iter().find(|p| p.vpc == pc).map(|p| p.direct_successors()).unwrap_or_default()
    };
    let inside = |pc: u64| pc == b.vpc || parts.iter().any(|p| p.vpc == pc);
    // Distances from b; the latch p (edge p -> b) nearest to it.
    let mut dist = std::collections::HashMap::from([(b.vpc, 0usize)]);
    let mut queue = std::collections::VecDeque::from([b.vpc]);
    let mut latch = None;
    while let Some(pc) = queue.pop_front() {
        let d = dist[&pc];
        for t in succ(pc) {
            if t == b.vpc && latch.is_none() {
                latch = Some(pc);
            }
            if inside(t) && !dist.contains_key(&t) {
                dist.insert(t, d + 1);
                queue.push_back(t);
            }
        }
    }
    let Some(latch) = latch else {
        // No cycle through `b` (say a call in the loop body leaves the
        // function on every iteration): nothing to gain from a region.
        parts.clear();
        return;
    };
    // The natural loop: what reaches the latch without passing through b.
    let mut body = vec![b.vpc, latch];
    let mut work = vec![latch];
    while let Some(x) = work.pop() {
        if x == b.vpc {
            continue;
        }
        for p in parts.iter().map(|p| p.vpc).chain(std::iter::once(b.vpc)) {
            if !body.contains(&p) && succ(p).contains(&x) {
                body.push(p);
                work.push(p);
            }
        }
    }
    parts.retain(|p| body.contains(&p.vpc));
}
