//! The JIT must give exactly the interpreter's guest-visible results: these
//! tests run small RISC-V programs under both engines and compare the whole
//! machine state, and check that every block of them really compiled.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use xlate_frontend::riscv::decode::{Fmt, TABLE};
use xlate_frontend::riscv::{Cpu, InstretClock, Riscv};
use xlate_frontend::{GuestCpu, Isa};
use xlate_softmmu::{Bus, Ram, PAGE_MASK, PAGE_SIZE};

use super::Jit;
use crate::block::{Block, MAX_BLOCK_INSNS};
use crate::{Engine, EngineKind, Exit};

const RAM: u64 = 0x8000_0000;
const RAM_SIZE: u64 = 1 << 20;
const CODE: u64 = RAM;
const HANDLER: u64 = RAM + 0x3_0000;
const DATA: u64 = RAM + 0x4_0000;
const LOG: u64 = RAM + 0x8_0000;
/// Nothing is mapped here.
const HOLE: u64 = 0x1000;

// ---- a tiny assembler ----

fn r(f7: u32, rs2: u32, rs1: u32, f3: u32, rd: u32, op: u32) -> u32 {
    f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
}
fn i(imm: i32, rs1: u32, f3: u32, rd: u32, op: u32) -> u32 {
    ((imm as u32) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
}
fn s(imm: i32, rs2: u32, rs1: u32, f3: u32) -> u32 {
    let imm = imm as u32;
    ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 0x1f) << 7 | 0x23
}
fn b(imm: i32, rs2: u32, rs1: u32, f3: u32) -> u32 {
    let m = imm as u32;
    ((m >> 12) & 1) << 31
        | ((m >> 5) & 0x3f) << 25
        | rs2 << 20
        | rs1 << 15
        | f3 << 12
        | ((m >> 1) & 0xf) << 8
        | ((m >> 11) & 1) << 7
        | 0x63
}
fn jal(rd: u32, imm: i32) -> u32 {
    let m = imm as u32;
    ((m >> 20) & 1) << 31 | ((m >> 1) & 0x3ff) << 21 | ((m >> 11) & 1) << 20 | ((m >> 12) & 0xff) << 12 | rd << 7 | 0x6f
}
fn jalr(rd: u32, rs1: u32, imm: i32) -> u32 {
    i(imm, rs1, 0, rd, 0x67)
}
fn lui(rd: u32, imm20: u32) -> u32 {
    imm20 << 12 | rd << 7 | 0x37
}
fn csrrw(rd: u32, csr: u32, rs1: u32) -> u32 {
    i(csr as i32, rs1, 1, rd, 0x73)
}
fn addi(rd: u32, rs1: u32, imm: i32) -> u32 {
    i(imm, rs1, 0, rd, 0x13)
}
fn add(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r(0, rs2, rs1, 0, rd, 0x33)
}
fn lw(rd: u32, rs1: u32, imm: i32) -> u32 {
    i(imm, rs1, 2, rd, 0x03)
}
fn ld(rd: u32, rs1: u32, imm: i32) -> u32 {
    i(imm, rs1, 3, rd, 0x03)
}
fn sw(rs2: u32, rs1: u32, imm: i32) -> u32 {
    s(imm, rs2, rs1, 2)
}
fn sd(rs2: u32, rs1: u32, imm: i32) -> u32 {
    s(imm, rs2, rs1, 3)
}
fn csrr(rd: u32, csr: u32) -> u32 {
    i(csr as i32, 0, 2, rd, 0x73)
}
fn csrw(csr: u32, rs1: u32) -> u32 {
    i(csr as i32, rs1, 1, 0, 0x73)
}
const ECALL: u32 = 0x73;
const MRET: u32 = 0x3020_0073;
const WFI: u32 = 0x1050_0073;
const FENCE: u32 = 0x0ff0_000f;

/// Trap handler: skips the faulting instruction, records mcause/mtval in
/// x28/x27 and counts traps in x26 (x26..x29 are reserved for it).
fn handler() -> Vec<u32> {
    vec![
        csrr(29, 0x341), // mepc
        addi(29, 29, 4),
        csrw(0x341, 29),
        csrr(28, 0x342), // mcause
        csrr(27, 0x343), // mtval
        addi(26, 26, 1),
        MRET,
    ]
}

// ---- running programs ----

fn machine(prog: &[u32], init: &dyn Fn(&mut Cpu)) -> Box<Cpu> {
    let mut bus = Bus::default();
    bus.add_ram(Ram::new(RAM, RAM_SIZE, false).unwrap());
    let words = |w: &[u32]| w.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    assert!(bus.write_bytes(CODE, &words(prog)));
    assert!(bus.write_bytes(HANDLER, &words(&handler())));
    let data: Vec<u8> = (0..0x4000u32).map(|k| (k.wrapping_mul(0x9e37_79b9) >> 13) as u8).collect();
    assert!(bus.write_bytes(DATA, &data));
    let mut cpu = Cpu::new(Arc::new(bus), 0, Arc::new(InstretClock(3)));
    cpu.pc = CODE;
    cpu.csr.mtvec = HANDLER;
    cpu.regs[30] = DATA + 0x1000;
    cpu.regs[31] = LOG;
    init(&mut cpu);
    cpu
}

fn run(kind: EngineKind, prog: &[u32], init: &dyn Fn(&mut Cpu)) -> Box<Cpu> {
    run_with(kind, false, prog, init)
}

/// With `direct`, compiled code addresses RAM without the TLB (the test
/// machine runs in M-mode without translation, where that is valid).
fn run_with(kind: EngineKind, direct: bool, prog: &[u32], init: &dyn Fn(&mut Cpu)) -> Box<Cpu> {
    run_engine(Engine::<Riscv>::new(kind, 0).unwrap(), direct, prog, init)
}

fn run_engine(mut e: Engine<Riscv>, direct: bool, prog: &[u32], init: &dyn Fn(&mut Cpu)) -> Box<Cpu> {
    let kind = e.kind();
    let mut cpu = machine(prog, init);
    if direct {
        let bus = cpu.bus.clone();
        assert!(e.use_direct_ram(&bus, RAM));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match e.run(&mut cpu, 100_000) {
            Exit::Wfi => break,
            Exit::Budget => assert!(Instant::now() < deadline, "{kind:?}: program did not finish (pc {:#x})", cpu.pc),
            Exit::Halted(c) => panic!("halted {c}"),
        }
    }
    cpu
}

/// The interpreter with a commit log (to nowhere): every FP instruction
/// runs its SoftFloat helper, none of the fast paths.
fn softfloat_run(prog: &[u32], init: &dyn Fn(&mut Cpu)) -> Box<Cpu> {
    let mut prog = prog.to_vec();
    prog.push(WFI);
    let mut e = Engine::<Riscv>::new(EngineKind::Interp, 0).unwrap();
    let mut cpu = machine(&prog, init);
    let out = Box::new(std::io::sink());
    e.set_trace(&mut cpu, crate::TraceConfig { out, start: 0, range: None, user_only: false, disasm: false });
    let deadline = Instant::now() + Duration::from_secs(60);
    while e.run(&mut cpu, 100_000) != Exit::Wfi {
        assert!(Instant::now() < deadline, "softfloat run did not finish (pc {:#x})", cpu.pc);
    }
    cpu
}

fn ram(cpu: &Cpu) -> Vec<u8> {
    let mut v = vec![0; RAM_SIZE as usize];
    assert!(cpu.bus.read_bytes(RAM, &mut v));
    v
}

fn assert_same(what: &str, a: &Cpu, b: &Cpu) {
    for k in 0..64 {
        assert_eq!(
            a.regs[k], b.regs[k],
            "{what}: register {k} differs (interp {:#x}, jit {:#x})",
            a.regs[k], b.regs[k]
        );
    }
    assert_eq!(a.pc, b.pc, "{what}: pc");
    assert_eq!(a.instret, b.instret, "{what}: instret");
    assert_eq!(a.prv, b.prv, "{what}: privilege");
    assert_eq!((a.csr.mepc, a.csr.mcause, a.csr.mtval), (b.csr.mepc, b.csr.mcause, b.csr.mtval), "{what}: trap CSRs");
    assert_eq!(a.csr.mstatus, b.csr.mstatus, "{what}: mstatus");
    assert_eq!(a.csr.fcsr, b.csr.fcsr, "{what}: fcsr");
    let (ma, mb) = (ram(a), ram(b));
    if let Some(k) = (0..ma.len()).find(|&k| ma[k] != mb[k]) {
        panic!("{what}: RAM differs at {:#x}: interp {:#x}, jit {:#x}", RAM + k as u64, ma[k], mb[k]);
    }
}

/// Decodes the program into blocks as the engine does and compiles each:
/// none may fall back to the interpreter.
fn assert_all_compile(prog: &[u32]) {
    let jit = Jit::<Riscv>::new(false).unwrap();
    let cpu = machine(prog, &|_| {});
    let mode = Riscv::mode(&cpu);
    let end = CODE + 4 * prog.len() as u64;
    let mut pc = CODE;
    let mut blocks = 0;
    while pc < end {
        let page_end = (pc & PAGE_MASK) + PAGE_SIZE;
        let mut insns = Vec::new();
        let mut at = pc;
        while insns.len() < MAX_BLOCK_INSNS && at < page_end.min(end) {
            let mut w = [0u8; 4];
            cpu.bus.read_bytes(at, &mut w);
            let Some(insn) = Riscv::decode(&w, mode) else { break };
            insns.push(insn);
            at += 4;
            if Riscv::ends_block(&insn) {
                break;
            }
        }
        if insns.is_empty() {
            pc += 4;
            continue;
        }
        let blk = Block::<Riscv>::new(pc, pc, mode, insns);
        jit.compile_now(&blk);
        assert!(!blk.compiled().is_null(), "block at {pc:#x} did not compile");
        blocks += 1;
        pc = at;
    }
    assert_eq!(jit.stats().failures, 0);
    assert_eq!(jit.stats().blocks, blocks);
}

/// Runs `prog` under the interpreter, the JIT and the tiered engine and
/// checks that all end in the same state; returns the JIT's final state.
fn differential(what: &str, prog: &[u32], init: &dyn Fn(&mut Cpu)) -> Box<Cpu> {
    let mut prog = prog.to_vec();
    prog.push(WFI);
    assert_all_compile(&prog);
    let a = run(EngineKind::Interp, &prog, init);
    let b = run(EngineKind::Jit, &prog, init);
    assert_same(what, &a, &b);
    let c = run(EngineKind::Tiered, &prog, init);
    assert_same(&format!("{what} (tiered)"), &a, &c);
    let d = run_with(EngineKind::Jit, true, &prog, init);
    assert_same(&format!("{what} (jit, direct RAM)"), &a, &d);
    // As in user mode: regions compiled on first use, direct RAM.
    let e = Engine::<Riscv>::with_compile_thread(EngineKind::Tiered, 0, false).unwrap();
    let e = run_engine(e, true, &prog, init);
    assert_same(&format!("{what} (regions, direct RAM)"), &a, &e);
    b
}

/// xorshift64*, so the tests need no extra crates and are reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// A value biased towards the edge cases of integer arithmetic.
    fn value(&mut self) -> u64 {
        const EDGES: [u64; 12] =
            [0, 1, 2, u64::MAX, i64::MIN as u64, i64::MAX as u64, 31, 32, 63, 64, 0x8000_0000, 0xffff_ffff];
        match self.below(3) {
            0 => EDGES[self.below(EDGES.len() as u64) as usize],
            1 => self.next() as i32 as i64 as u64,
            _ => self.next(),
        }
    }
}

fn random_regs(seed: u64) -> impl Fn(&mut Cpu) {
    move |cpu: &mut Cpu| {
        let mut rng = Rng(seed ^ 0xdead_beef);
        for k in 1..26 {
            cpu.regs[k] = rng.value();
        }
    }
}

// ---- tests ----

#[test]
fn random_alu_matches_interp() {
    // Every integer instruction of the decode table that is not a memory,
    // control-flow or system instruction.
    let alu: Vec<_> = TABLE
        .iter()
        .filter(|e| e.flags == 0 && matches!(e.fmt, Fmt::R | Fmt::I | Fmt::Sh | Fmt::U))
        .filter(|e| !matches!(e.bits & 0x7f, 0x03 | 0x23 | 0x2f | 0x0f))
        .collect();
    assert!(alu.len() > 80, "{} ALU encodings", alu.len());
    for seed in 1..=4u64 {
        let mut rng = Rng(seed * 0x1234_5678_9abc);
        let mut prog = Vec::new();
        while prog.len() < 3000 {
            let e = alu[rng.below(alu.len() as u64) as usize];
            let rd = 1 + rng.below(25) as u32;
            let mut w = e.bits | (rng.next() as u32 & !e.mask);
            if e.mask & (31 << 7) == 0 {
                w = (w & !(31 << 7)) | rd << 7;
            }
            let Some(d) = xlate_frontend::riscv::decode(w) else { continue };
            if d.op != TABLE.iter().find(|t| w & t.mask == t.bits).unwrap().op || d.rd == 0 || d.rd > 25 {
                continue;
            }
            prog.push(w);
            prog.push(sd(u32::from(d.rd), 31, 0));
            prog.push(addi(31, 31, 8));
        }
        differential(&format!("ALU seed {seed}"), &prog, &random_regs(seed));
    }
}

#[test]
fn division_edge_cases() {
    // x1 = MIN, x2 = -1, x3 = 0, x4 = 7
    let init = |cpu: &mut Cpu| {
        cpu.regs[1] = i64::MIN as u64;
        cpu.regs[2] = u64::MAX;
        cpu.regs[3] = 0;
        cpu.regs[4] = 7;
        cpu.regs[5] = 0xffff_ffff_8000_0000; // i32::MIN
    };
    let div = |f3, rd, a, b| r(1, b, a, f3, rd, 0x33);
    let divw = |f3, rd, a, b| r(1, b, a, f3, rd, 0x3b);
    let prog = [
        div(4, 10, 1, 2),        // div MIN/-1 = MIN
        div(6, 11, 1, 2),        // rem MIN%-1 = 0
        div(4, 12, 4, 3),        // div 7/0 = -1
        div(5, 13, 4, 3),        // divu 7/0 = MAX
        div(6, 14, 4, 3),        // rem 7%0 = 7
        div(7, 15, 4, 3),        // remu 7%0 = 7
        divw(4, 16, 5, 2),       // divw MIN32/-1 = MIN32
        divw(6, 17, 5, 2),       // remw MIN32%-1 = 0
        divw(5, 18, 4, 3),       // divuw 7/0 = -1
        divw(7, 19, 5, 3),       // remuw MIN32%0 = MIN32
        r(1, 2, 1, 2, 20, 0x33), // mulhsu MIN * MAX(unsigned)
        r(1, 2, 1, 1, 21, 0x33), // mulh MIN * -1
        r(1, 2, 1, 3, 22, 0x33), // mulhu
    ];
    let cpu = differential("division", &prog, &init);
    let x = |k: usize| cpu.regs[k];
    assert_eq!(x(10), i64::MIN as u64);
    assert_eq!(x(11), 0);
    assert_eq!(x(12), u64::MAX);
    assert_eq!(x(13), u64::MAX);
    assert_eq!((x(14), x(15)), (7, 7));
    assert_eq!(x(16), 0xffff_ffff_8000_0000);
    assert_eq!(x(17), 0);
    assert_eq!(x(18), u64::MAX);
    assert_eq!(x(19), 0xffff_ffff_8000_0000);
    assert_eq!(x(20), ((i128::from(i64::MIN) * i128::from(u64::MAX)) >> 64) as u64);
    assert_eq!(x(21), 0);
    assert_eq!(x(22), u64::MAX - 1 - (1 << 63) + 1);
}

#[test]
fn random_memory_matches_interp() {
    for seed in 1..=4u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut prog = Vec::new();
        while prog.len() < 2500 {
            let size = rng.below(4) as u32; // log2
            let mut off = rng.below(4096) as i32 - 2048;
            if rng.below(2) == 0 {
                off &= !((1 << size) - 1); // mostly aligned
            }
            // Occasionally an unmapped address: the trap handler skips it.
            let base = if rng.below(40) == 0 { 24 } else { 30 };
            if rng.below(2) == 0 {
                let signed = size == 3 || rng.below(2) == 0;
                let f3 = size | if signed { 0 } else { 4 };
                let rd = 1 + rng.below(23) as u32;
                prog.push(i(off, base, f3, rd, 0x03));
                prog.push(sd(rd, 31, 0));
                prog.push(addi(31, 31, 8));
            } else {
                prog.push(s(off, 1 + rng.below(23) as u32, base, size));
            }
            if rng.below(50) == 0 {
                // Move the window so pages miss and hit the TLB in turn.
                prog.push(addi(30, 30, rng.below(2048) as i32 - 1024));
            }
        }
        let init = random_regs(seed);
        let cpu = differential(&format!("memory seed {seed}"), &prog, &move |c: &mut Cpu| {
            init(c);
            c.regs[24] = HOLE;
        });
        assert!(cpu.regs[26] > 0, "no access faulted");
        assert!(cpu.regs[28] == 5 || cpu.regs[28] == 7, "access fault");
    }
}

#[test]
fn faulting_load_writes_back_registers() {
    // The registers written before a fault in the same block must be visible
    // to the trap handler and after it; instret counts only retired insns.
    let prog = [
        addi(5, 0, 42),
        add(6, 5, 5),
        ld(7, 24, 0), // faults
        addi(8, 6, 1),
        sw(8, 24, 0), // faults
        addi(9, 8, 1),
    ];
    let cpu = differential("faulting load", &prog, &|c| c.regs[24] = HOLE);
    assert_eq!((cpu.regs[5], cpu.regs[6], cpu.regs[8], cpu.regs[9]), (42, 84, 85, 86));
    assert_eq!(cpu.regs[26], 2);
    assert_eq!(cpu.regs[28], 7, "store access fault came last");
    assert_eq!(cpu.csr.mtval, HOLE);
}

#[test]
fn loop_full_of_memory_accesses_faults_like_the_interpreter() {
    // Enough written registers and memory accesses that the compiled loop
    // stores registers as it writes them instead of at its exits; a fault
    // in the fifth iteration must still see every earlier write.
    let mut prog = vec![addi(11, 0, 10), addi(25, 0, 5)];
    let body = [
        ld(1, 20, 0),
        ld(2, 20, 8),
        add(3, 1, 2),
        sd(3, 20, 16),
        ld(4, 20, 24),
        add(5, 4, 3),
        sd(5, 20, 32),
        addi(6, 6, 1),
        addi(7, 7, 3),
        addi(8, 8, 5),
        addi(9, 9, 7),
        addi(10, 10, 9),
        addi(12, 12, 11),
        b(8, 25, 11, 1), // bne x11, x25: skip the faulting load
        ld(13, 24, 0),
        addi(20, 20, 8),
        addi(11, 11, -1),
    ];
    let n = body.len() as i32;
    prog.extend(body);
    prog.push(b(-4 * n, 0, 11, 1)); // bne x11, x0, loop
    let init = |c: &mut Cpu| {
        c.regs[20] = DATA;
        c.regs[24] = HOLE;
    };
    let cpu = differential("memory loop", &prog, &init);
    assert_eq!((cpu.regs[6], cpu.regs[12], cpu.regs[26]), (10, 110, 1));
    assert_eq!(cpu.regs[20], DATA + 80);
}

#[test]
fn tlb_miss_then_hit_and_misaligned() {
    let prog = [
        ld(1, 30, 0),  // miss, fills the TLB
        ld(2, 30, 8),  // hit
        sd(2, 30, 16), // write: miss (no write tag yet) then
        sd(1, 30, 24), // hit
        ld(3, 30, 3),  // misaligned: slow path
        sw(3, 30, 1),  // misaligned store
        lw(4, 30, 0),
        ld(5, 30, 2040),
        ld(6, 23, 0), // crosses a page boundary (misaligned, two pages)
        sd(6, 23, 2), // and a store across it
        ld(7, 23, 0),
    ];
    differential("tlb", &prog, &|c| c.regs[23] = DATA + 0x2000 - 4);
}

#[test]
fn branches_and_loops() {
    let mut prog = vec![
        // x10 = sum of 1..=100 via a countdown loop
        addi(10, 0, 0),
        addi(11, 0, 100),
        add(10, 10, 11), // loop:
        addi(11, 11, -1),
        b(-8, 0, 11, 1), // bne x11, x0, loop
        // call and return
        jal(1, 12), // -> f
        addi(12, 10, 1),
        jal(0, 12),     // -> over f
        addi(13, 0, 7), // f:
        jalr(0, 1, 0),  // ret
    ];
    // Every branch kind on random operands, taken and not taken.
    let mut rng = Rng(77);
    for _ in 0..300 {
        let f3 = [0, 1, 4, 5, 6, 7][rng.below(6) as usize];
        let (a, bb) = (1 + rng.below(9) as u32, 1 + rng.below(9) as u32);
        prog.push(b(8, bb, a, f3));
        prog.push(addi(14, 14, 1)); // skipped when taken
        prog.push(addi(15, 15, 3));
    }
    let init = |c: &mut Cpu| {
        let mut rng = Rng(5);
        for k in 1..10 {
            c.regs[k] = rng.value();
        }
        c.regs[3] = c.regs[4]; // some equal operands
    };
    let cpu = differential("branches", &prog, &init);
    assert_eq!(cpu.regs[10], 5050);
    assert_eq!(cpu.regs[12], 5051);
    assert_eq!(cpu.regs[13], 7);
}

#[test]
fn csrs_ecall_and_fence() {
    let prog = [
        addi(5, 0, 1),
        addi(5, 5, 1),
        csrr(6, 0xb02), // minstret mid-block: must count the two addis
        addi(5, 5, 1),
        FENCE,
        addi(5, 5, 1),
        csrr(7, 0xc00), // cycle
        addi(5, 5, 1),
        csrr(8, 0xc01), // time
        ECALL,          // handler: mcause 11, skips it
        addi(9, 28, 0),
        csrr(10, 0xf14), // mhartid
        csrr(11, 0x7c0), // no such CSR: illegal instruction
        addi(12, 28, 0),
    ];
    let cpu = differential("csr", &prog, &|_| {});
    assert_eq!(cpu.regs[6], 2);
    assert_eq!(cpu.regs[9], 11);
    assert_eq!(cpu.regs[12], 2);
}

#[test]
fn random_amos_match_interp() {
    // Every AMO, word and doubleword, on random values (negative ones for
    // the signed compares); the old value lands in rd (sign-extended words).
    // LR/SC pairs that succeed and fail.
    let amo = |f5: u32, f3, rd, rs1, rs2| r(f5 << 2, rs2, rs1, f3, rd, 0x2f);
    let mut rng = Rng(99);
    let mut prog = Vec::new();
    for _ in 0..600 {
        let f5 = [0x00, 0x01, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c][rng.below(9) as usize];
        let f3 = if rng.below(2) == 0 { 2 } else { 3 };
        let off = (rng.below(64) * 8) as i32 + if f3 == 2 && rng.below(2) == 0 { 4 } else { 0 };
        prog.push(addi(29, 30, off));
        let rd = 1 + rng.below(20) as u32;
        prog.push(amo(f5, f3, rd, 29, 1 + rng.below(20) as u32));
        prog.push(sd(rd, 31, 0));
        prog.push(addi(31, 31, 8));
        if rng.below(60) == 0 {
            // Misaligned: the trap handler skips it.
            prog.push(addi(29, 29, 2));
            prog.push(amo(f5, f3, rd, 29, 5));
        }
        if rng.below(4) == 0 {
            // LR/SC: on the reserved word (succeeds unless the value is
            // gone), another word (fails), twice (the second fails).
            let other = if rng.below(3) == 0 { 8 } else { 0 };
            prog.push(amo(0x02, f3, rd, 29, 0));
            prog.push(addi(28, 29, other));
            prog.push(amo(0x03, f3, 27, 28, 1 + rng.below(20) as u32));
            prog.push(sd(27, 31, 0));
            prog.push(addi(31, 31, 8));
            if rng.below(3) == 0 {
                prog.push(amo(0x03, f3, 27, 29, 5));
                prog.push(sd(27, 31, 0));
                prog.push(addi(31, 31, 8));
            }
        }
    }
    let init = random_regs(5);
    let cpu = differential("random amos", &prog, &init);
    assert!(cpu.regs[26] > 0, "no misaligned AMO trapped");
}

#[test]
fn amo_on_code_is_seen_by_the_next_instructions() {
    // amoadd patches an instruction later in the same block: addi x6, x0, 1
    // becomes addi x6, x0, 1 + 8 (the immediate is in bits 20-31).
    let amo = |f5: u32, f3, rd, rs1, rs2| r(f5 << 2, rs2, rs1, f3, rd, 0x2f);
    let prog = [
        lui(7, 0x800),          // x7 = 8 << 20
        amo(0x00, 2, 0, 24, 7), // amoadd.w x0, x7, (x24)
        addi(5, 0, 1),
        addi(6, 0, 1), // patched to 9
    ];
    let cpu = differential("amo smc", &prog, &|c| c.regs[24] = CODE + 12);
    assert_eq!(cpu.regs[6], 9);
}

#[test]
fn random_fp_matches_interp() {
    // Arithmetic on integer-valued doubles and singles (exact results, which
    // raise no flag), fractions (inexact), zeros and NaNs; min, max, class
    // and compares; fflags read and cleared now and then, so the fast paths
    // run both with inexact accrued and without.
    let fop = |f7: u32, rs2, rs1, rm, rd| r(f7, rs2, rs1, rm, rd, 0x53);
    let mut rng = Rng(4242);
    let mut prog = Vec::new();
    for _ in 0..1500 {
        let fmt = rng.below(2) as u32; // 0 single, 1 double
                                       // f0-f7 hold doubles, f8-f15 singles.
        let half = 8 * (1 - fmt);
        let (rd, rs1, rs2) = (half + rng.below(8) as u32, half + rng.below(8) as u32, half + rng.below(8) as u32);
        let rm = [0, 7, 7, 1][rng.below(4) as usize];
        let x = 1 + rng.below(20) as u32;
        prog.push(match rng.below(14) {
            0..=5 => fop([0x00, 0x04, 0x08][rng.below(3) as usize] | fmt, rs2, rs1, rm, rd), // fadd, fsub, fmul
            6 => fop(0x0c | fmt, rs2, rs1, rm, rd),                                          // fdiv
            7 => fop(0x2c | fmt, 0, rs1, rm, rd),                                            // fsqrt
            8 => fop(0x14 | fmt, rs2, rs1, rng.below(2) as u32, rd),                         // fmin, fmax
            9 => fop(0x70 | fmt, 0, rs1, 1, x),                                              // fclass
            10 => fop(0x50 | fmt, rs2, rs1, rng.below(3) as u32, x),                         // fle, flt, feq
            11 | 12 => fop(0x68 | fmt, 2, x, rm, rd),                                        // fcvt from a long
            _ => csrrw(21, 1, 0),                                                            // read and clear fflags
        });
        if rng.below(8) == 0 {
            prog.push(sd(21, 31, 0));
            prog.push(addi(31, 31, 8));
        }
    }
    let seed = Rng(7);
    let init = move |c: &mut Cpu| {
        let mut rng = Rng(seed.0);
        c.csr.mstatus |= 3 << 13; // FS dirty
        for k in 1..21 {
            c.regs[k] = rng.below(1 << 20).wrapping_sub(1 << 19);
        }
        for k in 0..16 {
            let x = match rng.below(8) {
                0..=4 => rng.below(4096) as f64 - 2048.0,
                5 => rng.below(64) as f64 / 8.0,
                6 => 0.1,
                _ => [0.0, -0.0, f64::NAN][rng.below(3) as usize],
            };
            c.regs[32 + k] = if k < 8 { x.to_bits() } else { 0xffff_ffff_0000_0000 | u64::from((x as f32).to_bits()) };
        }
    };
    let jit = differential("random fp", &prog, &init);
    assert_same("random fp: softfloat vs jit", &softfloat_run(&prog, &init), &jit);
}

#[test]
fn fp_edge_results_match_interp() {
    // The fast paths accept some results only after a closer look: sums of
    // any size (a tiny sum is exact), products with a zero factor (exact
    // zeros). Every pair of edge values through fadd, fsub, fmul and fdiv
    // (and fsqrt of each), in both precisions, with the flags of each
    // operation logged: once with inexact cleared before each operation,
    // once with it kept accrued (the two ways code is translated).
    let fop = |f7: u32, rs2, rs1, rd| r(f7, rs2, rs1, 7, rd, 0x53);
    let doubles = [
        0.0,
        -0.0,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        2.0 * f64::MIN_POSITIVE,
        1.5 * f64::MIN_POSITIVE,
        f64::MIN_POSITIVE / 4.0,
        1e-200,
        1.0 - f64::EPSILON / 2.0, // times the smallest normal: rounds up to it, underflowing
        f64::MAX,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        3.0,
        -0.1,
    ];
    let singles = doubles.map(|d| match d {
        1e-200 => 1e-30f32,
        x if x == 1.0 - f64::EPSILON / 2.0 => 1.0 - f32::EPSILON / 2.0,
        x if x.abs() == f64::MIN_POSITIVE => (f32::MIN_POSITIVE).copysign(x as f32),
        x if x == 2.0 * f64::MIN_POSITIVE => 2.0 * f32::MIN_POSITIVE,
        x if x == 1.5 * f64::MIN_POSITIVE => 1.5 * f32::MIN_POSITIVE,
        x if x == f64::MIN_POSITIVE / 4.0 => f32::MIN_POSITIVE / 4.0,
        f64::MAX => f32::MAX,
        x => x as f32,
    });
    let n = doubles.len() as u32;
    for keep_inexact in [false, true] {
        let mut prog = Vec::new();
        // f0-f14 doubles, f16-f30 singles; f15 and f31 take the results.
        for (fmt, base, rd) in [(1, 0, 15), (0, 16, 31)] {
            let mut ops = Vec::new();
            for a in 0..n {
                ops.push(fop(0x2c | fmt, 0, base + a, rd)); // fsqrt
                for b in 0..n {
                    for f7 in [0x00, 0x04, 0x08, 0x0c] {
                        ops.push(fop(f7 | fmt, base + b, base + a, rd)); // fadd, fsub, fmul, fdiv
                    }
                }
            }
            for op in ops {
                prog.push(op);
                prog.push(csrrw(21, 1, 22)); // fflags: read, then reset to x22
                prog.push(sd(21, 31, 0));
                prog.push(addi(31, 31, 8));
            }
        }
        let init = move |c: &mut Cpu| {
            c.csr.mstatus |= 3 << 13; // FS dirty
            c.regs[22] = u64::from(keep_inexact); // NX
            c.csr.fcsr = c.regs[22];
            for k in 0..15 {
                c.regs[32 + k] = doubles[k].to_bits();
                c.regs[48 + k] = 0xffff_ffff_0000_0000 | u64::from(singles[k].to_bits());
            }
        };
        let what = format!("fp edges (inexact kept: {keep_inexact})");
        let jit = differential(&what, &prog, &init);
        // The interpreter takes the same fast paths; with a commit log it
        // calls SoftFloat for every operation instead.
        assert_same(&format!("{what}: softfloat vs jit"), &softfloat_run(&prog, &init), &jit);
    }
}

#[test]
fn fp_loop_matches_softfloat() {
    // A loop of random FP arithmetic compiles to a region, which keeps the
    // FP registers in host FP registers across iterations; the values drift
    // through the edge cases (zeros, infinities, NaNs, tiny and huge ones).
    // Flags and values are logged as it goes.
    let fop = |f7: u32, rs2, rs1, rd| r(f7, rs2, rs1, 7, rd, 0x53);
    let fsd = |rs2: u32, rs1: u32, imm: i32| s(imm, rs2, rs1, 3) | 0x04;
    let mut rng = Rng(99);
    let mut body = Vec::new();
    for k in 0..24 {
        let fmt = rng.below(2) as u32; // 0 single (f8-f15), 1 double (f0-f7)
        let half = 8 * (1 - fmt);
        let (rd, rs1, rs2) = (half + rng.below(8) as u32, half + rng.below(8) as u32, half + rng.below(8) as u32);
        body.push(match rng.below(6) {
            0..=3 => fop([0x00, 0x04, 0x08, 0x0c][rng.below(4) as usize] | fmt, rs2, rs1, rd),
            4 => fop(0x2c | fmt, 0, rs1, rd),                            // fsqrt
            _ => r(0x14 | fmt, rs2, rs1, rng.below(2) as u32, rd, 0x53), // fmin, fmax
        });
        if k % 4 == 3 {
            body.extend([csrrw(21, 1, 0), sd(21, 31, 0), fsd(rd, 31, 8), addi(31, 31, 16)]);
        }
    }
    let mut prog = vec![addi(20, 0, 40)];
    let back = -4 * body.len() as i32;
    prog.extend(body);
    prog.extend([addi(20, 20, -1), b(back - 4, 0, 20, 1)]); // bne x20, x0, loop
    let init = |c: &mut Cpu| {
        c.csr.mstatus |= 3 << 13; // FS dirty
        let vals = [0.5, -3.0, 1e300, 1e-300, 0.0, 7.25, -1e-20, 2.0];
        for k in 0..8 {
            c.regs[32 + k] = f64::to_bits(vals[k]);
            c.regs[40 + k] = 0xffff_ffff_0000_0000 | u64::from((vals[k] as f32).to_bits());
        }
    };
    let jit = differential("fp loop", &prog, &init);
    assert_same("fp loop: softfloat vs jit", &softfloat_run(&prog, &init), &jit);
}

#[test]
fn accesses_at_the_ends_of_ram_and_pages_match_interp() {
    // Direct RAM proves a margin around each checked access: accesses near
    // either end of RAM must still work (slow path), and past the end fault.
    // Misaligned stores work within a page, and across pages.
    let prog = [
        ld(5, 24, 0),   // the last doubleword of RAM
        ld(6, 24, -16), // near it, off the same base
        sd(5, 24, -8),
        ld(7, 24, 4), // straddles the end: access fault, skipped
        ld(8, 23, 0), // the first doubleword of RAM (code)
        ld(9, 23, 8),
        sd(5, 25, 3),    // misaligned, inside a page
        sd(6, 25, 4093), // misaligned, across two pages
        ld(10, 25, 4093),
        ld(11, 25, 3),
        ld(12, 22, 0), // just far enough from the end: its check proves a margin up to it
        addi(17, 22, 2047),
        ld(13, 17, 1), // the last doubleword, inside that margin (same root)
        ld(14, 17, 5), // past the margin, straddling the end: checked, access fault, skipped
        ld(15, 21, 0), // inside the margin at the end: the slow path
    ];
    let cpu = differential("ram ends", &prog, &|c| {
        c.regs[24] = RAM + RAM_SIZE - 8;
        c.regs[23] = RAM;
        c.regs[25] = DATA;
        c.regs[22] = RAM + RAM_SIZE - 2056;
        c.regs[21] = RAM + RAM_SIZE - 1024;
    });
    assert_eq!(cpu.regs[26], 2, "two accesses faulted");
    assert_eq!(cpu.regs[10], cpu.regs[6]);
}

#[test]
fn instruction_across_a_page_end() {
    // A c.nop shifts the rest by 2 bytes, so a 4-byte instruction straddles
    // the end of the first page: it runs 300 times in a loop, entered from
    // a block of the first page (whose exit must not stay linked to it), is
    // patched through its second half (a code write to the second page),
    // and runs again.
    let words = |w: u32| [w as u16, (w >> 16) as u16];
    let mut half: Vec<u16> = vec![0x0001]; // c.nop
    while half.len() < 2047 {
        half.extend(words(addi(0, 0, 0)));
    }
    half.truncate(2045); // the next instruction starts at byte 4090
    for w in [
        jal(0, 4),        // 4090: a first-page block whose exit goes to ...
        addi(6, 6, 1),    // 4094: ... one that crosses into the second page
        addi(8, 8, -1),   // 4098
        b(-12, 0, 8, 1),  // 4102: bne x8, x0, 4090
        b(24, 0, 10, 1),  // 4106: bne x10, x0, 4130
        addi(9, 0, 0x7f), // 4110
        s(0, 9, 24, 1),   // 4114: sh x9, 0(x24): now addi x6, x30, 7
        addi(8, 0, 2),    // 4118
        addi(10, 0, 1),   // 4122
        jal(0, -36),      // 4126: back to 4090
        WFI,              // 4130
    ] {
        half.extend(words(w));
    }
    half.push(0x0001);
    let prog: Vec<u32> = half.chunks(2).map(|c| u32::from(c[0]) | u32::from(c[1]) << 16).collect();
    let init = |c: &mut Cpu| {
        c.regs[8] = 300;
        c.regs[24] = CODE + 4096;
    };
    let a = run(EngineKind::Interp, &prog, &init);
    assert_eq!(a.regs[6], a.regs[30] + 7, "the patched instruction ran");
    for (what, cpu) in [
        ("jit", run(EngineKind::Jit, &prog, &init)),
        ("tiered", run(EngineKind::Tiered, &prog, &init)),
        ("tiered, direct RAM", run_with(EngineKind::Tiered, true, &prog, &init)),
    ] {
        assert_same(what, &a, &cpu);
    }
}

#[test]
fn self_modifying_code() {
    // Overwrites an instruction later in the same block; the store ends the
    // block (stop exit) and the new instruction runs.
    let new = addi(6, 0, 99);
    let prog = [
        ld(7, 30, -8), // x7 = the new instruction word (stored below)
        addi(5, 0, 1),
        sw(7, 24, 16), // patch the instruction at CODE+20
        addi(5, 5, 1),
        addi(5, 5, 1),
        addi(6, 0, 1), // replaced
        addi(5, 5, 1),
    ];
    let init = move |c: &mut Cpu| {
        c.regs[24] = CODE + 4;
        c.bus.write_bytes(DATA + 0x1000 - 8, &u64::from(new).to_le_bytes());
    };
    let cpu = differential("smc", &prog, &init);
    assert_eq!(cpu.regs[6], 99);
    assert_eq!(cpu.regs[5], 4);
}

#[test]
fn atomics() {
    let amo = |f5: u32, f3, rd, rs1, rs2| r(f5 << 2, rs2, rs1, f3, rd, 0x2f);
    let prog = [
        addi(5, 0, 5),
        amo(0x00, 3, 6, 30, 5), // amoadd.d
        amo(0x02, 3, 7, 30, 0), // lr.d
        addi(7, 7, 1),
        amo(0x03, 3, 8, 30, 7),  // sc.d: succeeds (x8 = 0)
        amo(0x03, 3, 9, 30, 7),  // sc.d: no reservation (x9 = 1)
        amo(0x01, 2, 10, 30, 5), // amoswap.w
        ld(11, 30, 0),
        amo(0x00, 3, 12, 31, 5), // amoadd.d on the log
        amo(0x00, 2, 13, 24, 5), // misaligned amo: store fault
    ];
    let cpu = differential("amo", &prog, &|c| c.regs[24] = DATA + 2);
    assert_eq!(cpu.regs[8], 0);
    assert_eq!(cpu.regs[9], 1);
    assert_eq!(cpu.regs[26], 1);
}

#[test]
fn compiled_block_contract() {
    let jit = Jit::<Riscv>::new(false).unwrap();
    let prog = [addi(5, 0, 3), add(6, 5, 5), ld(7, 24, 0), addi(8, 0, 1), jal(0, 64)];
    let mut cpu = machine(&prog, &|c| c.regs[24] = DATA);
    let mode = Riscv::mode(&cpu);
    let insns: Vec<_> = prog.iter().map(|w| Riscv::decode(&w.to_le_bytes(), mode).unwrap()).collect();
    let blk = Block::<Riscv>::new(CODE, CODE, mode, insns);
    jit.compile_now(&blk);
    let code = blk.compiled();
    assert!(!code.is_null());
    // Normal exit: pc and instret written, result 0.
    assert_eq!(jit.run(&blk, &mut cpu), Some(0));
    assert_eq!((cpu.pc, cpu.instret, cpu.regs[6], cpu.regs[8]), (CODE + 16 + 64, 5, 6, 1));
    // The load faults: registers before it written back, the two
    // instructions before it retired, pc at the trap handler, and the stop
    // word consumed (what the engine does for a result of k+1 = 3).
    cpu.regs[24] = HOLE;
    cpu.regs[6] = 0;
    assert_eq!(jit.run(&blk, &mut cpu), Some(0));
    assert_eq!((cpu.pc, cpu.instret, cpu.regs[6]), (HANDLER, 7, 6));
    assert_eq!(*cpu.stop_word(), 0);
}

#[test]
fn background_compilation_publishes_code() {
    let jit = Jit::<Riscv>::new(true).unwrap();
    let prog = [addi(5, 0, 3), jal(0, 0)];
    let cpu = machine(&prog, &|_| {});
    let mode = Riscv::mode(&cpu);
    let insns: Vec<_> = prog.iter().map(|w| Riscv::decode(&w.to_le_bytes(), mode).unwrap()).collect();
    let blk = Arc::new(Block::<Riscv>::new(CODE, CODE, mode, insns));
    jit.request(blk.clone());
    let deadline = Instant::now() + Duration::from_secs(60);
    while blk.code.load(Ordering::Acquire).is_null() {
        assert!(Instant::now() < deadline, "background compile never finished");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn full_arena_asks_for_flush() {
    let mut jit = Jit::<Riscv>::with_arena_size(false, 4096).unwrap();
    let cpu = machine(&[], &|_| {});
    let mode = Riscv::mode(&cpu);
    let insns: Vec<_> = (0..40).map(|k| Riscv::decode(&addi(5, 5, k).to_le_bytes(), mode).unwrap()).collect();
    let mut n = 0;
    while !jit.wants_flush() {
        let blk = Block::<Riscv>::new(CODE, CODE, mode, insns.clone());
        jit.compile_now(&blk);
        n += 1;
        assert!(n < 1000);
    }
    assert!(n > 1);
    jit.reset();
    assert!(!jit.wants_flush());
    let blk = Block::<Riscv>::new(CODE, CODE, mode, insns);
    jit.compile_now(&blk);
    assert!(!blk.compiled().is_null());
}

#[test]
fn compiled_loop_runs_until_the_chain_limit() {
    let jit = Jit::<Riscv>::with_options(false, 1 << 20, true).unwrap();
    let prog = [addi(5, 5, 1), b(-4, 6, 5, 1)]; // loop: x5 += 1 while x5 != x6
    let mut cpu = machine(&prog, &|c| c.regs[6] = 1 << 40);
    let mode = Riscv::mode(&cpu);
    // The loop body starts at CODE+0 but the branch targets itself at CODE+0.
    let insns: Vec<_> = prog.iter().map(|w| Riscv::decode(&w.to_le_bytes(), mode).unwrap()).collect();
    let blk = Block::<Riscv>::new(CODE, CODE, mode, insns);
    jit.compile_now(&blk);
    let code = blk.compiled();
    assert!(!code.is_null());
    // The exit to the block's own start is a jump inside the compiled code:
    // it loops until the chain limit.
    assert_eq!(jit.run(&blk, &mut cpu), Some(0));
    let n = cpu.regs[5];
    assert!(n > 1000, "only {n} iterations: not chained");
    assert!(n as i64 <= super::QUANTUM, "budget ignored");
    assert_eq!(cpu.instret, 2 * n);
    assert_eq!(cpu.pc, CODE);
    // Without chaining, one iteration per run.
    let jit = Jit::<Riscv>::with_options(false, 1 << 20, false).unwrap();
    let blk = Block::<Riscv>::new(CODE, CODE, mode, blk.insns.clone());
    jit.compile_now(&blk);
    jit.run(&blk, &mut cpu);
    jit.run(&blk, &mut cpu);
    assert_eq!(cpu.regs[5], n + 2);
}

#[test]
fn region_loop_through_two_parts_runs_until_the_chain_limit() {
    // Part A: x5 += 1, on to B while x5 != x6 (a forward edge); part B:
    // x7 += 1, back to A (the edge that closes the cycle and checks the limit).
    let jit = Jit::<Riscv>::with_options(false, 1 << 20, true).unwrap();
    let prog = [addi(5, 5, 1), b(8, 6, 5, 1), WFI, addi(7, 7, 1), jal(0, -16)];
    let mut cpu = machine(&prog, &|c| c.regs[6] = 1 << 40);
    let mode = Riscv::mode(&cpu);
    let decode = |ws: &[u32]| ws.iter().map(|w| Riscv::decode(&w.to_le_bytes(), mode).unwrap()).collect::<Vec<_>>();
    let a = Block::<Riscv>::new(CODE, CODE, mode, decode(&prog[..2]));
    let b_part = Block::<Riscv>::new(CODE + 12, CODE + 12, mode, decode(&prog[3..]));
    jit.compile_region_now(&a, &[b_part]);
    assert!(!a.compiled().is_null());
    assert_eq!(jit.run(&a, &mut cpu), Some(0));
    let n = cpu.regs[5];
    assert!(n > 1000, "only {n} iterations: the region does not loop");
    assert!(n as i64 <= super::QUANTUM, "budget ignored");
    assert_eq!(cpu.regs[7], n);
    assert_eq!(cpu.instret, 4 * n);
    assert_eq!(cpu.pc, CODE);
}

#[test]
fn stops_inside_chained_blocks() {
    // A -> B is chained and B traps; B2 -> C is chained and C writes to a
    // page holding code (a completed instruction that ends the block).
    const NOP: u32 = 0x13;
    let mut prog = vec![
        addi(5, 5, 1),       // 0: A
        jal(0, 8),           // 1: -> 3
        NOP,                 // 2
        ld(7, 24, 0),        // 3: B: faults (the handler skips it)
        jal(0, 8),           // 4: B2 -> 6
        NOP,                 // 5
        sw(5, 22, 0),        // 6: C: write into the code page at CODE + 0x1000
        addi(8, 8, 1),       // 7
        jal(0, 0x1000 - 32), // 8: -> CODE + 0x1000
    ];
    prog.resize(1024, NOP);
    prog.push(b(-4096, 6, 5, 4)); // CODE + 0x1000: blt x5, x6, CODE
    let init = |c: &mut Cpu| {
        c.regs[6] = 20;
        c.regs[22] = CODE + 0x1000 + 0x100;
        c.regs[24] = HOLE;
    };
    let cpu = differential("stops in chains", &prog, &init);
    assert_eq!((cpu.regs[5], cpu.regs[8], cpu.regs[26]), (20, 20, 20));
}

#[test]
fn engine_can_move_to_a_vcpu_thread() {
    fn send<T: Send>() {}
    send::<Jit<Riscv>>();
    send::<Engine<Riscv>>();
}

/// A region is the loop through the hot block, or nothing: a "loop" whose
/// body leaves the function on every iteration (here through a call) would
/// only load and store every register at each entry and exit.
#[test]
fn regions_hold_loops_not_calls() {
    let prog = [
        addi(10, 10, -1), // 0 loop: (the hot block)
        b(12, 0, 10, 0),  // 4 beq x10, x0, done
        addi(11, 11, 1),  // 8
        jal(0, -12),      // 12 -> loop
        addi(10, 10, -1), // 16 done; 20 again: (the hot block)
        jalr(1, 5, 0),    // 20 call through x5
        b(-8, 0, 10, 1),  // 24 bne x10, x0, again
        jal(0, 0),        // 28
    ];
    let mut cpu = machine(&prog, &|_| {});
    let parts_of = |cpu: &mut Cpu, pc: u64| {
        let b = crate::engine::decode_block::<Riscv>(cpu, pc, pc, 3).unwrap();
        let mut pcs: Vec<u64> = crate::engine::region_parts(cpu, &b).iter().map(|p| p.vpc - CODE).collect();
        pcs.sort();
        pcs
    };
    assert_eq!(parts_of(&mut cpu, CODE), vec![8], "the loop's other block, not the exit");
    assert_eq!(parts_of(&mut cpu, CODE + 24), Vec::<u64>::new(), "no cycle without leaving through the call");
}
