//! Tier 0: an [`Emitter`] whose values are plain integers and which performs
//! each operation as the semantics describe it.

pub use xlate_frontend::InsnRecord;
use xlate_frontend::{
    host_fcmp, host_fp, BinOp, Cond, Effects, Emitter, FCond, FpOp, GuestCpu, Helper, Isa, Stop, UnOp,
};
use xlate_softmmu::Tlb;

pub struct Interp<'a, I: Isa> {
    pub cpu: &'a mut I::Cpu,
    pc: u64,
    len: u64,
    mode: u32,
    data_mmu: usize,
    /// Where control goes after this instruction, if it is not the next one.
    pub next: Option<u64>,
    pub record: Option<&'a mut InsnRecord>,
}

impl<'a, I: Isa> Interp<'a, I> {
    pub fn new(cpu: &'a mut I::Cpu, pc: u64, len: u64, mode: u32) -> Self {
        Interp { cpu, pc, len, mode, data_mmu: I::data_mmu(mode), next: None, record: None }
    }
}

fn sext(v: u64, bits: u8) -> u64 {
    if bits >= 64 {
        return v;
    }
    let s = 64 - u32::from(bits);
    (((v << s) as i64) >> s) as u64
}
fn zext(v: u64, bits: u8) -> u64 {
    if bits >= 64 {
        v
    } else {
        v & ((1u64 << bits) - 1)
    }
}

pub fn bin(op: BinOp, a: u64, b: u64) -> u64 {
    use BinOp::*;
    let (sa, sb) = (a as i64, b as i64);
    match op {
        Add => a.wrapping_add(b),
        Sub => a.wrapping_sub(b),
        And => a & b,
        Or => a | b,
        Xor => a ^ b,
        Shl => a << (b & 63),
        ShrU => a >> (b & 63),
        ShrS => (sa >> (b & 63)) as u64,
        Rotl => a.rotate_left((b & 63) as u32),
        Rotr => a.rotate_right((b & 63) as u32),
        Mul => a.wrapping_mul(b),
        MulHS => ((i128::from(sa) * i128::from(sb)) >> 64) as u64,
        MulHU => ((u128::from(a) * u128::from(b)) >> 64) as u64,
        MulHSU => ((i128::from(sa).wrapping_mul(u128::from(b) as i128)) >> 64) as u64,
        // The emitter contract excludes zero divisors and overflow; still never panic.
        DivS => sa.checked_div(sb).unwrap_or(0) as u64,
        DivU => a.checked_div(b).unwrap_or(0),
        RemS => sa.checked_rem(sb).unwrap_or(0) as u64,
        RemU => a.checked_rem(b).unwrap_or(0),
        MinS => sa.min(sb) as u64,
        MinU => a.min(b),
        MaxS => sa.max(sb) as u64,
        MaxU => a.max(b),
    }
}

pub fn un(op: UnOp, a: u64) -> u64 {
    match op {
        UnOp::Not => !a,
        UnOp::Neg => a.wrapping_neg(),
        UnOp::Clz => u64::from(a.leading_zeros()),
        UnOp::Ctz => u64::from(a.trailing_zeros()),
        UnOp::Popcnt => u64::from(a.count_ones()),
        UnOp::Bswap => a.swap_bytes(),
    }
}

pub fn cmp(c: Cond, a: u64, b: u64) -> u64 {
    let r = match c {
        Cond::Eq => a == b,
        Cond::Ne => a != b,
        Cond::LtS => (a as i64) < (b as i64),
        Cond::GeS => (a as i64) >= (b as i64),
        Cond::LtU => a < b,
        Cond::GeU => a >= b,
    };
    u64::from(r)
}

/// Host address of a guest access that hits the TLB.
#[inline]
fn tlb_host(tlb: &Tlb, tag_of: fn(&xlate_softmmu::TlbEntry) -> u64, addr: u64, size: u8) -> Option<*mut u8> {
    let e = &tlb.entries[Tlb::index(addr)];
    Tlb::probe(tag_of(e), addr, u64::from(size)).then(|| addr.wrapping_add(e.addend) as *mut u8)
}

impl<I: Isa> Emitter for Interp<'_, I> {
    type V = u64;
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
    fn imm(&mut self, v: u64) -> u64 {
        v
    }
    fn reg(&mut self, r: usize) -> u64 {
        self.cpu.regs()[r]
    }
    fn set_reg(&mut self, r: usize, v: u64) {
        self.cpu.regs()[r] = v;
        if let Some(rec) = &mut self.record {
            rec.regs.push((r, v));
        }
    }
    fn bin(&mut self, op: BinOp, a: u64, b: u64) -> u64 {
        bin(op, a, b)
    }
    fn un(&mut self, op: UnOp, a: u64) -> u64 {
        un(op, a)
    }
    fn cmp(&mut self, c: Cond, a: u64, b: u64) -> u64 {
        cmp(c, a, b)
    }
    fn select(&mut self, c: u64, a: u64, b: u64) -> u64 {
        if c != 0 {
            a
        } else {
            b
        }
    }
    fn sext(&mut self, v: u64, bits: u8) -> u64 {
        sext(v, bits)
    }
    fn zext(&mut self, v: u64, bits: u8) -> u64 {
        zext(v, bits)
    }

    fn load(&mut self, addr: u64, size: u8, signed: bool) -> Result<u64, Stop> {
        if let Some(rec) = &mut self.record {
            rec.loads.push(addr);
        }
        let v = match tlb_host(self.cpu.tlb(self.data_mmu), |e| e.tag_read, addr, size) {
            // SAFETY: a TLB hit means the aligned `size`-byte access lies inside
            // one guest RAM page, whose host mapping outlives the CPU.
            Some(p) => unsafe {
                match size {
                    1 => u64::from(p.read()),
                    2 => u64::from((p as *const u16).read()),
                    4 => u64::from((p as *const u32).read()),
                    _ => (p as *const u64).read(),
                }
            },
            None => self.cpu.load_slow(addr, size, self.pc)?,
        };
        let bits = size * 8;
        Ok(if signed { sext(v, bits) } else { zext(v, bits) })
    }

    fn store(&mut self, addr: u64, size: u8, value: u64) -> Result<(), Stop> {
        if let Some(rec) = &mut self.record {
            rec.stores.push((addr, zext(value, size * 8), size));
        }
        match tlb_host(self.cpu.tlb(self.data_mmu), |e| e.tag_write, addr, size) {
            // SAFETY: as in `load`; the write tag is only valid for writable RAM
            // pages that hold no translated code.
            Some(p) => unsafe {
                match size {
                    1 => p.write(value as u8),
                    2 => (p as *mut u16).write(value as u16),
                    4 => (p as *mut u32).write(value as u32),
                    _ => (p as *mut u64).write(value),
                }
                Ok(())
            },
            None => self.cpu.store_slow(addr, size, value, self.pc),
        }
    }

    fn call(&mut self, h: Helper<I::Cpu>, args: [u64; 3], fx: Effects) -> Result<u64, Stop> {
        let v = h(self.cpu, args[0], args[1], args[2], self.pc);
        if fx.stops && *self.cpu.stop_word() != 0 {
            return Err(Stop);
        }
        Ok(v)
    }

    fn fp_status(&mut self) -> u64 {
        self.cpu.fp_status()
    }
    fn set_fp_status(&mut self, v: u64) -> bool {
        if self.record.is_some() {
            return false;
        }
        self.cpu.set_fp_status(v);
        true
    }
    fn fp(&mut self, op: FpOp, double: bool, args: [u64; 3]) -> u64 {
        host_fp(op, double, args)
    }
    fn fcmp(&mut self, c: FCond, double: bool, a: u64, b: u64) -> u64 {
        host_fcmp(c, double, a, b)
    }
    fn call_unless(&mut self, ok: u64, fast: u64, h: Helper<I::Cpu>, args: [u64; 3], fx: Effects) -> Result<u64, Stop> {
        // A commit log shows the flags the helper writes.
        if ok != 0 && self.record.is_none() {
            Ok(fast)
        } else {
            self.call(h, args, fx)
        }
    }

    fn jump(&mut self, target: u64) {
        self.next = Some(target);
    }
    fn jump_dyn(&mut self, target: u64) {
        self.next = Some(target);
    }
    fn branch(&mut self, cond: u64, target: u64) {
        self.next = Some(if cond != 0 { target } else { self.pc.wrapping_add(self.len) });
    }
}
