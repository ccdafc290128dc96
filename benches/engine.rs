//! Engine throughput on a hot guest loop, and JIT compile cost.
//!
//! `cargo bench --bench engine` prints guest instructions per second for each
//! engine on an 11-instruction loop (ALU, multiply, a store and a load per
//! iteration), so the numbers isolate the execution engines from devices.

use std::time::Instant;

use xlate_machine::{BoardOptions, RiscvBoard};
use xlate_translator::{EngineKind, Exit};

/// The loop, assembled with riscv64-unknown-elf-as (-march=rv64g).
const HOT_LOOP: [u32; 13] = [
    0x0000_1317, // auipc t1, 0x1        data pointer: one page above the code
    0x0000_0293, // li    t0, 0
    0x0012_8293, // loop: addi t0, t0, 1
    0x0053_c3b3, // xor   t2, t2, t0
    0x0033_9e13, // slli  t3, t2, 3
    0x01ce_8eb3, // add   t4, t4, t3
    0x01d3_3023, // sd    t4, 0(t1)
    0x0003_3f03, // ld    t5, 0(t1)
    0x0fff_7f93, // andi  t6, t5, 255
    0x01f5_0533, // add   a0, a0, t6
    0x0255_05b3, // mul   a1, a0, t0
    0x0075_d613, // srli  a2, a1, 7
    0xfc02_9ce3, // bnez  t0, loop
];

fn board(engine: EngineKind) -> RiscvBoard {
    let image: Vec<u8> = HOT_LOOP.iter().flat_map(|w| w.to_le_bytes()).collect();
    let mut opts = BoardOptions::new(engine, Box::new(std::io::sink()));
    opts.ram_size = 16 << 20;
    RiscvBoard::new(opts, &image).expect("board")
}

fn measure(engine: EngineKind, instructions: u64) -> f64 {
    let mut b = board(engine);
    // Warm up: build (and for tiered, compile) the blocks.
    b.engine.run(&mut b.cpu, 100_000);
    std::thread::sleep(std::time::Duration::from_millis(200));
    b.engine.run(&mut b.cpu, 100_000);
    let start = Instant::now();
    let before = b.cpu.instret;
    let exit = b.engine.run(&mut b.cpu, instructions);
    assert_eq!(exit, Exit::Budget);
    let done = b.cpu.instret - before;
    done as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    println!("guest instructions per second on an 11-instruction hot loop:");
    for (engine, n) in
        [(EngineKind::Interp, 50_000_000u64), (EngineKind::Jit, 500_000_000), (EngineKind::Tiered, 500_000_000)]
    {
        let ips = measure(engine, n);
        println!("  {:<8} {:>10.1} MIPS", format!("{engine:?}").to_lowercase(), ips / 1e6);
    }
    let stats = xlate_translator::jit::stats();
    if stats.blocks > 0 {
        println!(
            "JIT: {} blocks compiled, {:.1} µs per block on average ({:.2} µs per guest instruction)",
            stats.blocks,
            stats.compile_micros as f64 / stats.blocks as f64,
            stats.compile_micros as f64 / stats.insns.max(1) as f64
        );
    }
}
