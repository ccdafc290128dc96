//! The Cranelift emitter: instruction semantics build Cranelift IR.
//!
//! One guest block becomes one host function
//! `extern "C" fn(cpu: *mut Cpu) -> u64` with the result contract of
//! `Engine::finish_compiled`: 0 after a normal exit (pc and instret written),
//! `k + 1` when instruction `k` stopped the block (its helper or slow memory
//! path set the stop word; registers are written back, pc and instret are
//! left to the engine).
//!
//! Guest registers are cached in SSA values: loaded from the CPU structure on
//! first use, written back at every exit and before every helper call (after
//! which they are re-read). The only control flow inside a block is the
//! diamond of a memory access (inline TLB hit, cold slow path) and the cold
//! exits of stopping instructions; all of it merges back into the main line,
//! so cached values defined there dominate everything that follows.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::mem::{offset_of, size_of};

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{I16, I32, I64, I8};
use cranelift_codegen::ir::{AbiParam, BlockArg, Function, InstBuilder, MemFlagsData, SigRef, Signature, Type, Value};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use xlate_frontend::{BinOp, Cond, Emitter, GuestCpu, Helper, Isa, Stop, UnOp};
use xlate_softmmu::{Tlb, TlbEntry, PAGE_BITS, PAGE_MASK, TLB_ENTRIES};

use crate::block::Block;

const _: () = assert!(size_of::<TlbEntry>() == 32, "the inline TLB lookup scales the index by 32");
const ENTRY_SHIFT: i64 = 5;

/// Signature of a compiled block (and of everything the JIT calls).
pub fn block_signature(cc: CallConv) -> Signature {
    let mut s = Signature::new(cc);
    s.params.push(AbiParam::new(I64));
    s.returns.push(AbiParam::new(I64));
    s
}

fn sig(cc: CallConv, params: usize) -> Signature {
    let mut s = Signature::new(cc);
    s.params.extend((0..params).map(|_| AbiParam::new(I64)));
    s.returns.push(AbiParam::new(I64));
    s
}

/// Load slow path: `(cpu, vaddr, size, pc) -> raw value`; sets the stop word
/// if the access stopped the block.
extern "C" fn load_slow<C: GuestCpu>(cpu: *mut C, vaddr: u64, size: u64, pc: u64) -> u64 {
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
    regs: Vec<Option<Value>>,
    dirty: Vec<bool>,
    /// `uextend(icmp)` results of `cmp`, mapped to the `icmp` itself, so
    /// `select` and `branch` can use the flag directly.
    bools: HashMap<Value, Value>,
    helper_sig: SigRef,
    load_sig: SigRef,
    /// How many of this block's instructions were already added to the
    /// CPU's instret (before helper calls, which may read it).
    synced: u64,
    /// An exit was emitted for the current instruction.
    terminated: bool,
    /// Something could not be translated: the block stays interpreted.
    error: Option<String>,
    _isa: PhantomData<fn() -> I>,
}

fn cpu_flags() -> MemFlagsData {
    MemFlagsData::trusted()
}
fn guest_flags() -> MemFlagsData {
    // Guest RAM: the TLB guarantees the access is aligned and mapped.
    MemFlagsData::trusted().with_endianness(cranelift_codegen::ir::Endianness::Little)
}

impl<'a, I: Isa> Clif<'a, I> {
    /// Translates `blk` into `func` (whose signature must be [`block_signature`]).
    pub fn translate(
        func: &'a mut Function,
        fctx: &'a mut FunctionBuilderContext,
        blk: &Block<I>,
        fe: TargetFrontendConfig,
    ) -> Result<(), String> {
        let tlb_off = <I::Cpu as GuestCpu>::TLBS_OFFSET + I::data_mmu(blk.mode) * size_of::<Tlb>();
        let max_off = tlb_off.max(<I::Cpu as GuestCpu>::REGS_OFFSET + 8 * 256) + size_of::<Tlb>();
        if i32::try_from(max_off).is_err() || I::data_mmu(blk.mode) >= I::NUM_MMU {
            return Err("CPU structure too large for 32-bit offsets".into());
        }
        let cc = func.signature.call_conv;
        let mut b = FunctionBuilder::new(func, fctx);
        let helper_sig = b.import_signature(sig(cc, 5));
        let load_sig = b.import_signature(sig(cc, 4));
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let cpu = b.block_params(entry)[0];
        let mut e = Clif::<I> {
            b,
            cpu,
            pc: blk.vpc,
            len: 0,
            mode: blk.mode,
            k: 0,
            tlb_off,
            regs: Vec::new(),
            dirty: Vec::new(),
            bools: HashMap::new(),
            helper_sig,
            load_sig,
            synced: 0,
            terminated: false,
            error: None,
            _isa: PhantomData,
        };
        for (k, insn) in blk.insns.iter().enumerate() {
            e.k = k;
            e.pc = blk.pcs[k];
            e.len = I::insn_len(insn);
            if I::exec(insn, &mut e).is_err() {
                // Clif's operations never stop at translation time.
                return Err("semantics stopped during translation".into());
            }
            if e.terminated {
                break;
            }
        }
        if let Some(err) = e.error.take() {
            return Err(err);
        }
        if e.terminated {
            // Anything after the exit went to an unreachable block; close it.
            let z = e.b.ins().iconst(I64, 0);
            e.b.ins().return_(&[z]);
        } else {
            // Fell off the end of the block (length limit, page end, or a
            // system instruction that does not jump).
            e.k = blk.insns.len() - 1;
            let pc = e.b.ins().iconst(I64, blk.end_pc as i64);
            e.exit(pc);
        }
        e.b.seal_all_blocks();
        e.b.finalize(fe);
        Ok(())
    }

    fn iconst(&mut self, v: u64) -> Value {
        self.b.ins().iconst(I64, v as i64)
    }

    /// The `i8` flag behind `v` if it came from `cmp`, else `v` (non-zero test).
    fn cond(&self, v: Value) -> Value {
        self.bools.get(&v).copied().unwrap_or(v)
    }

    fn reg_off(r: usize) -> i32 {
        off(<I::Cpu as GuestCpu>::REGS_OFFSET + 8 * r)
    }

    /// Stores dirty cached registers to the CPU structure. With `clean`, they
    /// stop being dirty (on the main line; cold exits keep the state).
    fn writeback(&mut self, clean: bool) {
        for r in 0..self.dirty.len() {
            if self.dirty[r] {
                if let Some(v) = self.regs[r] {
                    self.b.ins().store(cpu_flags(), v, self.cpu, Self::reg_off(r));
                }
                if clean {
                    self.dirty[r] = false;
                }
            }
        }
    }

    /// Forgets cached registers (a helper may have changed them).
    fn forget_regs(&mut self) {
        debug_assert!(!self.dirty.iter().any(|&d| d));
        self.regs.iter_mut().for_each(|r| *r = None);
    }

    /// Normal block exit to `pc` after instruction `k` retired.
    fn exit(&mut self, pc: Value) {
        self.writeback(true);
        let cpu = self.cpu;
        self.b.ins().store(cpu_flags(), pc, cpu, off(<I::Cpu as GuestCpu>::PC_OFFSET));
        self.add_instret(self.k as i64 + 1 - self.synced as i64);
        let z = self.iconst(0);
        self.b.ins().return_(&[z]);
        // Later operations of this instruction (if any) are unreachable.
        let dead = self.b.create_block();
        self.b.switch_to_block(dead);
        self.terminated = true;
    }

    fn add_instret(&mut self, n: i64) {
        if n == 0 {
            return;
        }
        let ir = off(<I::Cpu as GuestCpu>::INSTRET_OFFSET);
        let v = self.b.ins().load(I64, cpu_flags(), self.cpu, ir);
        let v = self.b.ins().iadd_imm_s(v, n);
        self.b.ins().store(cpu_flags(), v, self.cpu, ir);
    }

    /// Ends the current block: if `flag` is non-zero, a cold exit because
    /// instruction `k` stopped, else on to `cont`, which becomes current.
    fn stop_if(&mut self, flag: Value, cont: cranelift_codegen::ir::Block) {
        let stopped = self.b.create_block();
        self.b.set_cold_block(stopped);
        self.b.ins().brif(flag, stopped, &[], cont, &[]);
        self.b.switch_to_block(stopped);
        self.writeback(false);
        // The engine counts the retired instructions itself.
        self.add_instret(-(self.synced as i64));
        let r = self.iconst(self.k as u64 + 1);
        self.b.ins().return_(&[r]);
        self.b.switch_to_block(cont);
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

    fn div(&mut self, op: BinOp, a: Value, b: Value) -> Value {
        // The semantics exclude a zero divisor and MIN / -1, but the host
        // instruction would fault on them: divide by 1 instead and give 0,
        // as the interpreter does.
        let signed = matches!(op, BinOp::DivS | BinOp::RemS);
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
        self.iconst(v)
    }

    fn reg(&mut self, r: usize) -> Value {
        if r >= self.regs.len() {
            if r >= 256 {
                self.error.get_or_insert_with(|| format!("register index {r}"));
                return self.iconst(0);
            }
            self.regs.resize(r + 1, None);
            self.dirty.resize(r + 1, false);
        }
        if let Some(v) = self.regs[r] {
            return v;
        }
        let v = self.b.ins().load(I64, cpu_flags(), self.cpu, Self::reg_off(r));
        self.regs[r] = Some(v);
        v
    }

    fn set_reg(&mut self, r: usize, v: Value) {
        if r >= self.regs.len() {
            if r >= 256 {
                self.error.get_or_insert_with(|| format!("register index {r}"));
                return;
            }
            self.regs.resize(r + 1, None);
            self.dirty.resize(r + 1, false);
        }
        self.regs[r] = Some(v);
        self.dirty[r] = true;
    }

    fn bin(&mut self, op: BinOp, a: Value, b: Value) -> Value {
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

    fn un(&mut self, op: UnOp, a: Value) -> Value {
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
        v
    }

    fn select(&mut self, c: Value, a: Value, b: Value) -> Value {
        let c = self.cond(c);
        self.b.ins().select(c, a, b)
    }

    fn sext(&mut self, v: Value, bits: u8) -> Value {
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
        let (fast, slow, ent) = self.tlb_lookup(addr, size, offset_of!(TlbEntry, tag_read));
        let merge = self.b.create_block();
        let result = self.b.append_block_param(merge, I64);

        self.b.switch_to_block(fast);
        let host = self.addend(ent, addr);
        let f = guest_flags();
        let i = self.b.ins();
        let v = match (size, signed) {
            (1, false) => i.uload8(I64, f, host, 0),
            (1, true) => i.sload8(I64, f, host, 0),
            (2, false) => i.uload16(I64, f, host, 0),
            (2, true) => i.sload16(I64, f, host, 0),
            (4, false) => i.uload32(f, host, 0),
            (4, true) => i.sload32(f, host, 0),
            _ => i.load(I64, f, host, 0),
        };
        self.b.ins().jump(merge, &[BlockArg::Value(v)]);

        self.b.switch_to_block(slow);
        let h = self.iconst(load_slow::<I::Cpu> as *const () as usize as u64);
        let (cpu, sz, pc) = (self.cpu, self.iconst(u64::from(size)), self.iconst(self.pc));
        let call = self.b.ins().call_indirect(self.load_sig, h, &[cpu, addr, sz, pc]);
        let raw = self.b.inst_results(call)[0];
        let stop = self.b.ins().load(I64, cpu_flags(), cpu, off(<I::Cpu as GuestCpu>::STOP_OFFSET));
        let cont = self.b.create_block();
        self.b.set_cold_block(cont);
        self.stop_if(stop, cont);
        let v = self.extend(raw, size, signed);
        self.b.ins().jump(merge, &[BlockArg::Value(v)]);

        self.b.switch_to_block(merge);
        Ok(result)
    }

    fn store(&mut self, addr: Value, size: u8, value: Value) -> Result<(), Stop> {
        if self.bad_size(size) {
            return Ok(());
        }
        let (fast, slow, ent) = self.tlb_lookup(addr, size, offset_of!(TlbEntry, tag_write));
        let merge = self.b.create_block();

        self.b.switch_to_block(fast);
        let host = self.addend(ent, addr);
        let f = guest_flags();
        let i = self.b.ins();
        match size {
            1 => i.istore8(f, value, host, 0),
            2 => i.istore16(f, value, host, 0),
            4 => i.istore32(f, value, host, 0),
            _ => i.store(f, value, host, 0),
        };
        self.b.ins().jump(merge, &[]);

        self.b.switch_to_block(slow);
        let h = self.iconst(store_slow::<I::Cpu> as *const () as usize as u64);
        let (cpu, sz, pc) = (self.cpu, self.iconst(u64::from(size)), self.iconst(self.pc));
        let call = self.b.ins().call_indirect(self.helper_sig, h, &[cpu, addr, sz, value, pc]);
        let stop = self.b.inst_results(call)[0];
        self.stop_if(stop, merge);
        Ok(())
    }

    fn call(&mut self, h: Helper<I::Cpu>, args: [Value; 3], may_stop: bool) -> Result<Value, Stop> {
        self.writeback(true);
        // Helpers see instret as the interpreter has it (e.g. CSR reads).
        self.add_instret(self.k as i64 - self.synced as i64);
        self.synced = self.k as u64;
        let f = self.iconst(h as usize as u64);
        let pc = self.iconst(self.pc);
        let call = self.b.ins().call_indirect(self.helper_sig, f, &[self.cpu, args[0], args[1], args[2], pc]);
        let r = self.b.inst_results(call)[0];
        self.forget_regs();
        if may_stop {
            let stop = self.b.ins().load(I64, cpu_flags(), self.cpu, off(<I::Cpu as GuestCpu>::STOP_OFFSET));
            let cont = self.b.create_block();
            self.stop_if(stop, cont);
        }
        Ok(r)
    }

    fn jump(&mut self, target: u64) {
        let t = self.iconst(target);
        self.exit(t);
    }

    fn jump_dyn(&mut self, target: Value) {
        self.exit(target);
    }

    fn branch(&mut self, cond: Value, target: u64) {
        let c = self.cond(cond);
        let t = self.iconst(target);
        let f = self.iconst(self.pc.wrapping_add(self.len));
        let pc = self.b.ins().select(c, t, f);
        self.exit(pc);
    }
}
