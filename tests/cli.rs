//! The `xlate` command line: bad input must end in a clear one-line error and
//! a non-zero exit, never a panic; the test runner's output, exit codes,
//! JUnit report, signature dump and commit-log trace must be as documented.
//!
//! ROMs used here are either from the asm suite (`tests/riscv/build`, built by
//! `bash tests/setup.sh`) or hand-made in the test with a tiny ELF writer.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::elf::elf64;

const XLATE: &str = env!("CARGO_BIN_EXE_xlate");
const RAM: u64 = 0x8000_0000;

fn build_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/riscv/build")
}

/// A ROM from the asm suite; fails with a hint if the suite is not built.
fn suite_rom(name: &str) -> PathBuf {
    let p = build_dir().join(name);
    assert!(p.exists(), "{} is missing: run `bash tests/setup.sh` to build the RISC-V test ROMs", p.display());
    p
}

/// A scratch directory for this test (removed and recreated).
fn scratch(test: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli").join(test);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn describe(&self) -> String {
        format!("exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Longest any single xlate invocation here may take (they all take well
/// under a second; the limit only turns a hang into a failure).
const RUN_LIMIT: Duration = Duration::from_secs(20);

fn xlate(args: &[&str]) -> Run {
    let mut child = Command::new(XLATE)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run the xlate binary");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = pipe.read_to_end(&mut v);
            String::from_utf8_lossy(&v).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait for xlate") {
            break Some(st);
        }
        if start.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let r = Run { code: status.and_then(|s| s.code()), stdout: out.join().unwrap(), stderr: err.join().unwrap() };
    assert!(status.is_some(), "xlate {args:?} still running after {RUN_LIMIT:?} (killed):\n{}", r.describe());
    let status = status.unwrap();
    assert!(
        !r.stderr.contains("panicked") && !r.stdout.contains("panicked"),
        "xlate {args:?} panicked:\n{}",
        r.describe()
    );
    assert!(status.code().is_some(), "xlate {args:?} was killed by a signal:\n{}", r.describe());
    r
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `xlate test ROM...` must print exactly `ERROR name: ...` for `rom`,
/// containing `why`, and exit non-zero. Returns the ERROR line.
fn assert_rom_error(extra: &[&str], rom: &Path, why: &[&str]) -> String {
    let mut args = vec!["test"];
    args.extend_from_slice(extra);
    args.push(s(rom));
    let r = xlate(&args);
    assert_eq!(r.code, Some(1), "expected exit 1:\n{}", r.describe());
    let name = rom.file_name().unwrap().to_str().unwrap();
    let prefix = format!("ERROR {name}: ");
    let lines: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with(&prefix)).collect();
    assert_eq!(lines.len(), 1, "expected one '{prefix}...' line:\n{}", r.describe());
    let line = lines[0];
    assert!(
        why.iter().any(|w| line.contains(w)),
        "the error for {name} should say one of {why:?}, got: {line}\n{}",
        r.describe()
    );
    assert!(r.stdout.contains("0 passed, 1 failed"), "missing closing count line:\n{}", r.describe());
    line.to_string()
}

/// A fatal error of the program itself: one line `xlate: error: ...` on
/// stderr containing `why`, exit 1.
fn assert_fatal(args: &[&str], why: &str) {
    let r = xlate(args);
    assert_eq!(r.code, Some(1), "xlate {args:?} should exit 1:\n{}", r.describe());
    let lines: Vec<&str> = r.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "xlate {args:?} should print one error line:\n{}", r.describe());
    assert!(
        lines[0].starts_with("xlate: error: ") && lines[0].contains(why),
        "xlate {args:?}: expected 'xlate: error: ...{why}...', got: {}",
        lines[0]
    );
}

/// A rejected command-line argument: exit 2 (usage error) and a first stderr
/// line `[xlate: ]error: ...` that names the reason.
fn assert_usage_error(args: &[&str], why: &str) {
    let r = xlate(args);
    assert_eq!(r.code, Some(2), "xlate {args:?} should be a usage error (exit 2):\n{}", r.describe());
    let first = r.stderr.lines().next().unwrap_or("");
    assert!(
        (first.starts_with("error: ") || first.starts_with("xlate: error: ")) && first.contains(why),
        "xlate {args:?}: expected an error line naming '{why}', got: {first}\n{}",
        r.describe()
    );
    assert!(r.stdout.is_empty(), "nothing should run:\n{}", r.describe());
}

fn words(w: &[u32]) -> Vec<u8> {
    w.iter().flat_map(|x| x.to_le_bytes()).collect()
}

const AUIPC_T0_1: u32 = 0x0000_1297; // auipc t0, 1      (t0 = pc + 0x1000)
const SD_T1_T0: u32 = 0x0062_b023; // sd t1, 0(t0)
const SPIN: u32 = 0x0000_006f; // j .
fn li_t1(v: i32) -> u32 {
    ((v as u32) & 0xfff) << 20 | 6 << 7 | 0x13 // addi t1, x0, v
}

/// A ROM that writes `value` to tohost (at RAM + 0x1000) and spins.
fn tohost_rom(value: i32) -> Vec<u8> {
    let code = words(&[AUIPC_T0_1, li_t1(value), SD_T1_T0, SPIN]);
    elf64(243, RAM, &[(RAM, &code)], &[("tohost", RAM + 0x1000), ("fromhost", RAM + 0x1008)])
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

// ---------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------

#[test]
fn non_elf_file_is_an_error() {
    let d = scratch("non_elf");
    let f = write(&d, "junk.bin", b"this is not an ELF file at all\n");
    assert_rom_error(&[], &f, &["not an ELF file"]);
}

#[test]
fn empty_file_is_an_error() {
    let d = scratch("empty");
    let f = write(&d, "empty.elf", b"");
    assert_rom_error(&[], &f, &["not an ELF file"]);
}

#[test]
fn missing_rom_is_an_error() {
    let d = scratch("missing");
    assert_rom_error(&[], &d.join("nothere.elf"), &["cannot read"]);
}

#[test]
fn truncated_elf_is_an_error() {
    let d = scratch("truncated");
    let full = std::fs::read(suite_rom("rv64i_alu.elf")).unwrap();
    // inside the header, inside the program headers, inside the first segment, near the end
    let cuts = [4, 20, 63, 64, 100, 0x1000 + 17, full.len() / 2, full.len() - 1];
    for cut in cuts {
        let f = write(&d, &format!("trunc{cut}.elf"), &full[..cut.min(full.len() - 1)]);
        let line = assert_rom_error(&[], &f, &["malformed ELF", "past the end", "no loadable segments"]);
        assert!(line.len() < 200, "error line too long: {line}");
    }
}

#[test]
fn elf_for_another_machine_is_an_error() {
    let d = scratch("other_machine");
    let mut elf = std::fs::read(suite_rom("rv64i_alu.elf")).unwrap();
    elf[18..20].copy_from_slice(&62u16.to_le_bytes()); // e_machine = EM_X86_64
    let f = write(&d, "x86.elf", &elf);
    let line = assert_rom_error(&[], &f, &["not RISC-V"]);
    assert!(line.contains("62"), "should name the machine: {line}");
}

#[test]
fn elf_without_tohost_is_an_error() {
    let d = scratch("no_tohost");
    let code = words(&[AUIPC_T0_1, li_t1(1), SD_T1_T0, SPIN]);
    let elf = elf64(243, RAM, &[(RAM, &code)], &[("not_tohost", RAM + 0x1000)]);
    let f = write(&d, "notohost.elf", &elf);
    assert_rom_error(&[], &f, &["no 'tohost' symbol"]);
}

#[test]
fn rom_that_never_finishes_times_out() {
    let d = scratch("timeout");
    let elf = elf64(243, RAM, &[(RAM, &words(&[SPIN]))], &[("tohost", RAM + 0x1000)]);
    let f = write(&d, "spin.elf", &elf);
    for engine in ["interp", "jit", "tiered"] {
        let t0 = std::time::Instant::now();
        let line = assert_rom_error(&["--timeout", "0.5", "--engine", engine], &f, &["timed out"]);
        assert!(line.contains("0x80000000"), "the timeout should name the pc: {line}");
        // generous: the limit must be enforced, not ignored
        assert!(t0.elapsed().as_secs() < 30, "--timeout 0.5 took {:?}", t0.elapsed());
    }
}

#[test]
fn segment_outside_ram_is_an_error() {
    let d = scratch("outside_ram");
    for (name, addr) in [("lowseg.elf", 0x1000u64), ("hole.elf", 0x4000_0000)] {
        let elf = elf64(243, addr, &[(addr, &words(&[SPIN]))], &[("tohost", addr + 0x1000)]);
        let f = write(&d, name, &elf);
        assert_rom_error(&[], &f, &["outside guest RAM"]);
        assert_fatal(&["run", "--kernel", s(&f)], "outside guest RAM");
    }
}

#[test]
fn unknown_engine_is_rejected() {
    assert_usage_error(&["test", "--engine", "foo", "x.elf"], "unknown engine 'foo'");
    assert_usage_error(&["run", "--engine", "foo"], "unknown engine 'foo'");
}

#[test]
fn bad_signature_granularity_is_rejected() {
    let rom = suite_rom("rv64i_alu.elf");
    assert_usage_error(&["test", "--signature-granularity", "3", s(&rom)], "granularity must be 4 or 8");
}

#[test]
fn bad_memory_size_is_rejected() {
    assert_usage_error(&["run", "-m", "0"], "invalid size");
    assert_usage_error(&["run", "-m", "lots"], "not a size");
}

#[test]
fn bad_trace_range_is_rejected() {
    let rom = suite_rom("rv64i_alu.elf");
    assert_usage_error(&["test", "--trace", "-", "--trace-range", "0x200:0x100", s(&rom)], "LO must be below HI");
}

#[test]
fn missing_kernel_is_an_error() {
    assert_fatal(&["run", "--kernel", "/nonexistent"], "cannot read kernel /nonexistent");
}

#[test]
fn unknown_machine_is_an_error() {
    assert_fatal(&["run", "--machine", "foo"], "unknown machine 'foo'");
}

#[test]
fn bad_timeout_is_an_error() {
    let rom = suite_rom("rv64i_alu.elf");
    assert_fatal(&["test", "--timeout", "0", s(&rom)], "--timeout");
}

// ---------------------------------------------------------------------
// The test runner
// ---------------------------------------------------------------------

#[test]
fn passing_rom_passes() {
    let rom = suite_rom("rv64i_alu.elf");
    for engine in ["interp", "jit", "tiered"] {
        let r = xlate(&["test", "--engine", engine, s(&rom)]);
        assert_eq!(r.code, Some(0), "{engine}:\n{}", r.describe());
        let lines: Vec<&str> = r.stdout.lines().collect();
        assert!(lines.contains(&"PASS rv64i_alu.elf"), "{engine}:\n{}", r.describe());
        assert_eq!(lines.last(), Some(&"1 passed, 0 failed"), "{engine}:\n{}", r.describe());
    }
}

#[test]
fn failing_rom_fails_with_its_test_number() {
    let d = scratch("failing");
    let f = write(&d, "fail3.elf", &tohost_rom((3 << 1) | 1));
    let p = write(&d, "pass.elf", &tohost_rom(1));
    for engine in ["interp", "jit", "tiered"] {
        let r = xlate(&["test", "--engine", engine, s(&f), s(&p)]);
        assert_eq!(r.code, Some(1), "{engine}:\n{}", r.describe());
        let lines: Vec<&str> = r.stdout.lines().collect();
        assert_eq!(lines, ["FAIL fail3.elf: test 3", "PASS pass.elf", "1 passed, 1 failed"], "{engine}");
    }
    let r = xlate(&["test", s(&p)]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
}

/// Checks that `xml` is well-formed enough for a CI parser: one root, tags
/// balanced, attribute values quoted with no raw `<` or stray `&`.
fn check_xml(xml: &str) -> Result<(), String> {
    let body = xml.strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>").ok_or("no XML declaration")?;
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    let mut roots = 0;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if !stack.is_empty() || !text.trim().is_empty() {
            if text.contains('&') && !text.contains("&amp;") && !text.contains("&lt;") {
                return Err(format!("unescaped & in text {text:?}"));
            }
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root: {text:?}"));
            }
        }
        let gt = rest[lt..].find('>').ok_or("unterminated tag")? + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or(format!("closing </{name}> with nothing open"))?;
            if open != name.trim() {
                return Err(format!("<{open}> closed by </{name}>"));
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name = tag.split_whitespace().next().ok_or("empty tag")?.to_string();
        // attributes: name="value" pairs
        let mut attrs = tag[name.len()..].trim();
        while !attrs.is_empty() {
            let eq = attrs.find("=\"").ok_or(format!("bad attribute syntax in <{tag}>"))?;
            let end = attrs[eq + 2..].find('"').ok_or(format!("unterminated attribute in <{tag}>"))? + eq + 2;
            let value = &attrs[eq + 2..end];
            if value.contains('<') {
                return Err(format!("raw < in attribute of <{name}>"));
            }
            for (k, _) in value.match_indices('&') {
                let ent = &value[k..];
                if !["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].iter().any(|e| ent.starts_with(e)) {
                    return Err(format!("bad entity in attribute {value:?}"));
                }
            }
            attrs = attrs[end + 1..].trim();
        }
        if stack.is_empty() {
            roots += 1;
        }
        if !self_closing {
            stack.push(name);
        }
    }
    if !rest.trim().is_empty() {
        return Err("trailing text".into());
    }
    if !stack.is_empty() {
        return Err(format!("unclosed tags {stack:?}"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

fn attr<'a>(xml: &'a str, tag: &str, name: &str) -> Option<&'a str> {
    let t = &xml[xml.find(&format!("<{tag} "))?..];
    let t = &t[..t.find('>')?];
    let k = t.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&t[k..k + t[k..].find('"')?])
}

#[test]
fn junit_report_has_the_right_counts() {
    let d = scratch("junit");
    let pass = suite_rom("rv64i_alu.elf");
    let fail = write(&d, "fail3.elf", &tohost_rom(7));
    let bad = write(&d, "a&b<c>.elf", b"not an elf");
    let report = d.join("report.xml");
    let r = xlate(&["test", "--junit", s(&report), s(&pass), s(&fail), s(&bad)]);
    assert_eq!(r.code, Some(1), "{}", r.describe());
    assert!(r.stdout.contains("1 passed, 2 failed"), "{}", r.describe());
    let xml = std::fs::read_to_string(&report).expect("no JUnit report written");
    check_xml(&xml).unwrap_or_else(|e| panic!("JUnit report is not well-formed XML: {e}\n{xml}"));
    assert_eq!(attr(&xml, "testsuite", "tests"), Some("3"), "{xml}");
    assert_eq!(attr(&xml, "testsuite", "failures"), Some("1"), "{xml}");
    assert_eq!(attr(&xml, "testsuite", "errors"), Some("1"), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 3, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    assert_eq!(xml.matches("<error ").count(), 1, "{xml}");
    assert!(xml.contains("name=\"rv64i_alu.elf\""), "{xml}");
    assert!(xml.contains("name=\"a&amp;b&lt;c&gt;.elf\""), "names must be escaped: {xml}");
    let t: f64 = attr(&xml, "testsuite", "time").unwrap().parse().expect("time must be a number");
    assert!(t >= 0.0);

    // all passing: zero failures and errors
    let report2 = d.join("ok.xml");
    let r = xlate(&["test", "--junit", s(&report2), s(&pass)]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    let xml = std::fs::read_to_string(&report2).unwrap();
    check_xml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert_eq!(attr(&xml, "testsuite", "tests"), Some("1"));
    assert_eq!(attr(&xml, "testsuite", "failures"), Some("0"));
    assert_eq!(attr(&xml, "testsuite", "errors"), Some("0"));
}

#[test]
fn xml_checker_rejects_broken_xml() {
    let decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    assert!(check_xml(&format!("{decl}<a><b/></a>\n")).is_ok());
    assert!(check_xml(&format!("{decl}<a><b></a>\n")).is_err());
    assert!(check_xml(&format!("{decl}<a x=\"1<2\"/>\n")).is_err());
    assert!(check_xml(&format!("{decl}<a x=\"a&b\"/>\n")).is_err());
    assert!(check_xml(&format!("{decl}<a/><b/>\n")).is_err());
    assert!(check_xml("<a/>").is_err());
}

#[test]
fn signature_matches_reference() {
    let d = scratch("signature");
    let rom = suite_rom("rv64i_alu.elf");
    let want = std::fs::read_to_string(suite_rom("rv64i_alu.sig.ref")).unwrap();
    assert!(!want.is_empty());
    for engine in ["interp", "jit", "tiered"] {
        let sig = d.join(format!("{engine}.sig"));
        let r = xlate(&["test", "--engine", engine, "--signature", s(&sig), "--signature-granularity", "4", s(&rom)]);
        assert_eq!(r.code, Some(0), "{}", r.describe());
        let got = std::fs::read_to_string(&sig).expect("no signature written");
        assert_eq!(got, want, "{engine}: signature differs from rv64i_alu.sig.ref");
    }
    // granularity 8: the same bytes, two words per line, high word first
    let sig8 = d.join("g8.sig");
    let r = xlate(&["test", "--signature", s(&sig8), "--signature-granularity", "8", s(&rom)]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    let got8 = std::fs::read_to_string(&sig8).unwrap();
    let words4: Vec<&str> = want.lines().collect();
    let want8: Vec<String> = words4.chunks(2).map(|c| c.iter().rev().copied().collect::<String>()).collect();
    assert_eq!(got8.lines().collect::<Vec<_>>(), want8);
}

// ---- commit-log trace ----

fn is_hex(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `^core   0: 3 0x[0-9a-f]{16} \(0x[0-9a-f]{4,8}\)`; returns the pc.
fn commit_pc(line: &str) -> Option<u64> {
    let rest = line.strip_prefix("core   0: 3 0x")?;
    let (pc, rest) = rest.split_at_checked(16)?;
    if !is_hex(pc, 16, 16) {
        return None;
    }
    let rest = rest.strip_prefix(" (0x")?;
    let close = rest.find(')')?;
    if !is_hex(&rest[..close], 4, 8) {
        return None;
    }
    u64::from_str_radix(pc, 16).ok()
}

/// ` x[0-9]+ +0x[0-9a-f]{16}` somewhere in the line.
fn has_reg_write(line: &str) -> bool {
    line.match_indices(" x").any(|(k, _)| {
        let rest = &line[k + 2..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        let rest = &rest[digits..];
        let spaces = rest.bytes().take_while(|&b| b == b' ').count();
        spaces > 0 && rest[spaces..].strip_prefix("0x").is_some_and(|h| h.len() >= 16 && is_hex(&h[..16], 16, 16))
    })
}

fn trace_lines(extra: &[&str]) -> Vec<String> {
    let rom = suite_rom("rv64i_alu.elf");
    let mut args = vec!["test", "--trace", "-"];
    args.extend_from_slice(extra);
    args.push(s(&rom));
    let r = xlate(&args);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    assert!(r.stdout.contains("PASS rv64i_alu.elf"), "{}", r.describe());
    r.stdout.lines().filter(|l| l.starts_with("core")).map(str::to_string).collect()
}

/// Asserts two traces are equal, naming the first differing line.
fn assert_same_lines<S: AsRef<str>, T: AsRef<str>>(got: &[S], want: &[T], what: &str) {
    let n = got.len().min(want.len());
    if let Some(k) = (0..n).find(|&k| got[k].as_ref() != want[k].as_ref()) {
        panic!("{what}: line {k} differs\n  got:  {}\n  want: {}", got[k].as_ref(), want[k].as_ref());
    }
    assert_eq!(got.len(), want.len(), "{what}: {} lines, want {}", got.len(), want.len());
}

#[test]
fn trace_is_a_spike_commit_log() {
    let lines = trace_lines(&[]);
    assert!(lines.len() > 100, "only {} trace lines", lines.len());
    for l in &lines {
        assert!(commit_pc(l).is_some(), "not a commit-log line: {l:?}");
    }
    assert!(lines.iter().any(|l| has_reg_write(l)), "no register writes in the trace");
    assert!(lines.iter().any(|l| l.contains(" mem 0x")), "no memory accesses in the trace");
    assert!(lines.iter().any(|l| commit_pc(l) == Some(RAM)), "the entry point (0x80000000) is never traced");
    // a matcher sanity check
    assert!(!has_reg_write("core   0: 3 0x0000000080000000 (0x00000093) x1 0x00"));
    assert!(commit_pc("core   0: 3 0x00000000800000 (0x00000093)").is_none());
}

#[test]
fn trace_disasm_adds_disassembly() {
    let plain = trace_lines(&[]);
    let dis = trace_lines(&["--trace-disasm"]);
    assert_eq!(plain.len(), dis.len());
    for (p, d) in plain.iter().zip(&dis) {
        assert!(d.starts_with(p.as_str()) && d.len() > p.len(), "no disassembly added:\n{p}\n{d}");
    }
    let li = dis.iter().find(|l| l.contains("(0x00000093)")).expect("rv64i_alu starts with li ra, 0 (0x00000093)");
    assert!(li.contains("addi") || li.contains("li "), "0x00000093 is addi ra, zero, 0: {li}");
}

#[test]
fn trace_start_skips_instructions() {
    let full = trace_lines(&[]);
    let n = 100;
    let tail = trace_lines(&["--trace-start", "100"]);
    assert_same_lines(&tail, &full[n..], "--trace-start 100 should print the full log minus its first 100 lines");
}

#[test]
fn trace_range_filters_pcs() {
    let full = trace_lines(&[]);
    let (lo, hi) = (RAM + 0x100, RAM + 0x200);
    let want: Vec<&String> = full.iter().filter(|l| commit_pc(l).is_some_and(|pc| pc >= lo && pc < hi)).collect();
    assert!(!want.is_empty() && want.len() < full.len());
    let got = trace_lines(&["--trace-range", "0x80000100:0x80000200"]);
    assert_same_lines(&got, &want, "--trace-range should print the full log's lines in the range");
}

#[test]
fn trace_to_file() {
    let d = scratch("trace_file");
    let f = d.join("log.txt");
    let rom = suite_rom("rv64i_alu.elf");
    let r = xlate(&["test", "--trace", s(&f), s(&rom)]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    assert!(!r.stdout.contains("core   0:"), "the trace went to stdout");
    let log = std::fs::read_to_string(&f).unwrap();
    assert_same_lines(&log.lines().collect::<Vec<_>>(), &trace_lines(&[]), "trace file vs stdout");
}

// ---------------------------------------------------------------------
// The demo guest
// ---------------------------------------------------------------------

#[test]
fn no_arguments_runs_the_demo() {
    let r = xlate(&[]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    assert!(r.stdout.contains("Hello from xlate"), "{}", r.describe());
    for engine in ["interp", "jit", "tiered"] {
        let e = xlate(&["run", "--engine", engine]);
        assert_eq!(e.code, Some(0), "{engine}:\n{}", e.describe());
        assert_eq!(e.stdout, r.stdout, "--engine {engine} prints something else");
    }
}
