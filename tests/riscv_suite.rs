//! The RISC-V asm conformance suite (`tests/riscv/build/*.elf`, built by
//! `bash tests/setup.sh`) must pass under every engine. Tiered mode runs with
//! `--jit-threshold 2` so blocks really get compiled.

use std::path::{Path, PathBuf};
use std::process::Command;

fn roms() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/riscv/build");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "elf")).collect()
        })
        .unwrap_or_default();
    v.sort();
    assert!(
        !v.is_empty(),
        "no test ROMs in {}: run `bash tests/setup.sh` to build them (needs riscv64-unknown-elf-gcc)",
        dir.display()
    );
    v
}

fn suite(engine: &str, extra: &[&str]) {
    let roms = roms();
    let out = Command::new(env!("CARGO_BIN_EXE_xlate"))
        .args(["test", "--engine", engine])
        .args(extra)
        .args(&roms)
        .output()
        .expect("cannot run xlate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let bad: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("PASS ") && !l.contains(" passed, ")).collect();
    assert!(
        out.status.success() && !stderr.contains("panicked"),
        "--engine {engine}: exit {:?}\nnot passing:\n  {}\n--- stderr ---\n{stderr}",
        out.status.code(),
        bad.join("\n  ")
    );
    let want = format!("{} passed, 0 failed", roms.len());
    assert_eq!(stdout.lines().last(), Some(want.as_str()), "--engine {engine}:\n{stdout}");
    for rom in &roms {
        let line = format!("PASS {}", rom.file_name().unwrap().to_string_lossy());
        assert!(stdout.lines().any(|l| l == line), "--engine {engine}: no '{line}'\n{stdout}");
    }
}

#[test]
fn suite_passes_interp() {
    suite("interp", &[]);
}

#[test]
fn suite_passes_jit() {
    suite("jit", &[]);
}

#[test]
fn suite_passes_tiered() {
    suite("tiered", &["--jit-threshold", "2"]);
}
