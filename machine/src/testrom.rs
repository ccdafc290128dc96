//! `xlate test`: runs test ROMs that report through HTIF `tohost`, as
//! riscv-tests and Spike do, and reports one line per ROM.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use xlate_translator::{EngineKind, TraceConfig};

use crate::riscv_board::{BoardOptions, RiscvBoard, RunOutcome};

pub struct TestOptions {
    pub engine: EngineKind,
    pub jit_threshold: u32,
    pub timeout: Duration,
    pub signature: Option<(PathBuf, usize)>,
    /// Builds a trace configuration for each ROM (traces go to one sink).
    pub trace: Option<Box<dyn FnMut() -> TraceConfig>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// The ROM reported this failing test number.
    Fail(u64),
    Error(String),
}

pub struct TestResult {
    pub name: String,
    pub verdict: Verdict,
    pub seconds: f64,
}

impl TestResult {
    pub fn line(&self) -> String {
        match &self.verdict {
            Verdict::Pass => format!("PASS {}", self.name),
            Verdict::Fail(n) => format!("FAIL {}: test {n}", self.name),
            Verdict::Error(why) => format!("ERROR {}: {why}", self.name),
        }
    }
}

fn rom_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// Runs one ROM to a verdict.
pub fn run_rom(path: &Path, opts: &mut TestOptions) -> TestResult {
    let start = Instant::now();
    let verdict = run_rom_inner(path, opts).unwrap_or_else(Verdict::Error);
    TestResult { name: rom_name(path), verdict, seconds: start.elapsed().as_secs_f64() }
}

fn run_rom_inner(path: &Path, opts: &mut TestOptions) -> Result<Verdict, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    if !crate::elf::is_elf(&bytes) {
        return Err("not an ELF file".into());
    }
    let mut board_opts = BoardOptions::new(opts.engine, Box::new(std::io::stdout()));
    board_opts.jit_threshold = opts.jit_threshold;
    board_opts.reset_stub = true;
    board_opts.trace = opts.trace.as_mut().map(|f| f());
    let mut board = RiscvBoard::new(board_opts, &bytes)?;
    if !board.image.symbols.contains_key("tohost") {
        return Err("no 'tohost' symbol: cannot tell when the test ends".into());
    }
    let outcome = board.run(Some(opts.timeout));
    if let Some((file, granularity)) = &opts.signature {
        let sig = board.signature(*granularity)?;
        std::fs::write(file, sig).map_err(|e| format!("cannot write signature {}: {e}", file.display()))?;
    }
    Ok(match outcome {
        RunOutcome::Exited(0) => Verdict::Pass,
        RunOutcome::Exited(n) => Verdict::Fail(n),
        RunOutcome::Timeout => {
            return Err(format!("timed out after {} s (pc {:#x})", opts.timeout.as_secs_f64(), board.cpu.pc))
        }
    })
}

/// Runs all ROMs, printing one line each and the closing count line.
/// Returns the results (the caller decides the exit code).
pub fn run_all(roms: &[PathBuf], opts: &mut TestOptions, out: &mut dyn Write) -> Vec<TestResult> {
    let mut results = Vec::new();
    for rom in roms {
        let r = run_rom(rom, opts);
        let _ = writeln!(out, "{}", r.line());
        let _ = out.flush();
        results.push(r);
    }
    let passed = results.iter().filter(|r| r.verdict == Verdict::Pass).count();
    let _ = writeln!(out, "{} passed, {} failed", passed, results.len() - passed);
    results
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// JUnit XML, as CI systems read it.
pub fn junit(results: &[TestResult], suite: &str) -> String {
    let failures = results.iter().filter(|r| matches!(r.verdict, Verdict::Fail(_))).count();
    let errors = results.iter().filter(|r| matches!(r.verdict, Verdict::Error(_))).count();
    let total: f64 = results.iter().map(|r| r.seconds).sum();
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{total:.3}\">\n",
        xml_escape(suite),
        results.len()
    );
    for r in results {
        x.push_str(&format!("  <testcase name=\"{}\" time=\"{:.3}\"", xml_escape(&r.name), r.seconds));
        match &r.verdict {
            Verdict::Pass => x.push_str("/>\n"),
            Verdict::Fail(n) => x.push_str(&format!(">\n    <failure message=\"test {n} failed\"/>\n  </testcase>\n")),
            Verdict::Error(e) => x.push_str(&format!(">\n    <error message=\"{}\"/>\n  </testcase>\n", xml_escape(e))),
        }
    }
    x.push_str("</testsuite>\n");
    x
}
