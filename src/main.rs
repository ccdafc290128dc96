//! The `xlate` command line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use std::sync::Arc;

use parking_lot::Mutex;
use xlate_devices::net_slirp::SlirpOptions;
use xlate_devices::virtio::{DiskFormat, DiskOptions};
use xlate_machine::console::{spawn_stdin, InputSink, RawMode};
use xlate_machine::testrom::{self, TestOptions, Verdict};
use xlate_machine::virt::sbi::REBOOT_EXIT;
use xlate_machine::virt::{Bios, VirtBoard, VirtOptions};
use xlate_translator::{EngineKind, TraceConfig};

/// The demo guest run when no kernel is given (source: firmware/demo/hello.S).
const DEMO_GUEST: &[u8] = include_bytes!("../firmware/demo/hello.bin");

#[derive(Parser)]
#[command(name = "xlate", version, about = "Full-system ISA emulator with dynamic binary translation")]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a guest on a board (default: the built-in demo guest on riscv-virt).
    Run(RunArgs),
    /// Run test ROMs that report through HTIF tohost; print PASS/FAIL per ROM.
    Test(TestArgs),
    /// Run a Linux program of another ISA (user-mode emulation); the ISA is
    /// read from its ELF header and its exit status becomes xlate's.
    Exec(ExecArgs),
}

#[derive(Args)]
struct ExecArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Where a dynamically linked program's loader and libraries are looked up.
    #[arg(long, value_name = "DIR")]
    sysroot: Option<PathBuf>,
    /// Set VAR=VALUE in the guest environment (which starts as xlate's own; repeatable).
    #[arg(short = 'E', value_name = "VAR=VALUE")]
    env: Vec<String>,
    /// Log every system call and its result to stderr.
    #[arg(long)]
    strace: bool,
    /// The guest's argv[0] (default: PROGRAM as given), like qemu-user's -0.
    #[arg(long, value_name = "NAME")]
    argv0: Option<String>,
    /// The program and its arguments.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true, value_name = "PROGRAM [ARGS]...")]
    command: Vec<String>,
}

#[derive(Args, Clone)]
struct EngineArgs {
    /// Execution engine: interp, jit or tiered.
    #[arg(long, default_value = "tiered")]
    engine: EngineKind,
    /// Interpreted runs of a block before tiered mode compiles it.
    #[arg(long, default_value_t = 256)]
    jit_threshold: u32,
}

#[derive(Args, Clone)]
struct TraceArgs {
    /// Write a commit log (Spike --log-commits format) to FILE, or '-' for stdout.
    #[arg(long, value_name = "FILE|-")]
    trace: Option<String>,
    /// Start logging after N retired instructions.
    #[arg(long, value_name = "N", default_value_t = 0)]
    trace_start: u64,
    /// Log only pcs in LO:HI (hex or decimal, HI exclusive).
    #[arg(long, value_name = "LO:HI", value_parser = parse_range)]
    trace_range: Option<(u64, u64)>,
    /// Log only user-mode instructions.
    #[arg(long)]
    trace_user: bool,
    /// Add a disassembly column.
    #[arg(long)]
    trace_disasm: bool,
}

#[derive(Args)]
struct RunArgs {
    /// Board.
    #[arg(long, default_value = "riscv-virt")]
    machine: String,
    /// M-mode firmware: 'builtin' (xlate's SBI), 'none' (enter the kernel in
    /// M-mode), or a firmware image such as OpenSBI fw_jump.bin or U-Boot.
    #[arg(long, default_value = "builtin")]
    bios: String,
    /// Kernel: ELF, Linux Image, or raw binary. Without one, the built-in demo runs.
    #[arg(long)]
    kernel: Option<PathBuf>,
    /// Initial ramdisk, loaded above the kernel and named in the device tree.
    #[arg(long)]
    initrd: Option<PathBuf>,
    /// Kernel command line (the device tree's /chosen/bootargs).
    #[arg(long, default_value = "")]
    append: String,
    /// Number of harts (1 to 8), each on its own host thread.
    #[arg(long, default_value_t = 1)]
    smp: usize,
    /// A disk: file=PATH[,format=raw|qcow2][,readonly=on] (virtio-blk; repeatable).
    #[arg(long, value_name = "SPEC", value_parser = parse_drive)]
    drive: Vec<DiskOptions>,
    /// A network: user[,hostfwd=tcp::HOSTPORT-:GUESTPORT]... (virtio-net on
    /// libslirp's user-mode stack, like QEMU's; forwarded ports are bound to
    /// 127.0.0.1 only; repeatable).
    #[arg(long, value_name = "SPEC", value_parser = SlirpOptions::parse)]
    netdev: Vec<SlirpOptions>,
    /// Discard all disk writes when xlate exits.
    #[arg(long)]
    snapshot: bool,
    /// Write the generated device tree to FILE and exit.
    #[arg(long, value_name = "FILE")]
    dumpdtb: Option<PathBuf>,
    /// Guest RAM size (e.g. 256M, 1G; a bare number means MiB).
    #[arg(short = 'm', long = "memory", default_value = "256M", value_parser = parse_size)]
    memory: u64,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    trace: TraceArgs,
}

#[derive(Args)]
struct TestArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Give up on a ROM after this many seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Also write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Dump memory between begin_signature and end_signature to FILE.
    #[arg(long, value_name = "FILE")]
    signature: Option<PathBuf>,
    /// Bytes per signature line.
    #[arg(long, default_value_t = 4, value_parser = parse_granularity)]
    signature_granularity: usize,
    #[command(flatten)]
    trace: TraceArgs,
    /// Test ROMs (ELF files with a tohost symbol).
    #[arg(required = true, value_name = "ROM")]
    roms: Vec<PathBuf>,
}

fn parse_num(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    };
    r.map_err(|_| format!("'{s}' is not a number"))
}

fn parse_range(s: &str) -> Result<(u64, u64), String> {
    let (lo, hi) = s.split_once(':').ok_or("expected LO:HI")?;
    let (lo, hi) = (parse_num(lo)?, parse_num(hi)?);
    if lo >= hi {
        return Err("LO must be below HI".into());
    }
    Ok((lo, hi))
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('K' | 'k') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M' | 'm') => (&s[..s.len() - 1], 1 << 20),
        Some('G' | 'g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1 << 20),
    };
    let n: u64 = num.parse().map_err(|_| format!("'{s}' is not a size (e.g. 256M, 1G)"))?;
    let bytes = n.checked_mul(mult).filter(|&b| b > 0).ok_or_else(|| format!("invalid size '{s}'"))?;
    if bytes > 64 << 30 {
        return Err(format!("{s} is more guest RAM than xlate supports (64G)"));
    }
    Ok(bytes)
}

fn parse_drive(spec: &str) -> Result<DiskOptions, String> {
    let mut file = None;
    let mut format = None;
    let mut readonly = false;
    for part in spec.split(',') {
        let (k, v) = part.split_once('=').ok_or_else(|| format!("expected key=value in '{part}'"))?;
        match k {
            "file" => file = Some(PathBuf::from(v)),
            "format" => {
                format = Some(v.parse::<DiskFormat>().map_err(|_| format!("unknown format '{v}' (raw or qcow2)"))?)
            }
            "readonly" => {
                readonly = match v {
                    "on" | "true" | "yes" => true,
                    "off" | "false" | "no" => false,
                    _ => return Err(format!("readonly={v}: expected on or off")),
                }
            }
            "if" | "media" => {} // accepted for QEMU compatibility: always virtio
            _ => return Err(format!("unknown drive option '{k}'")),
        }
    }
    let mut d = DiskOptions::new(file.ok_or("a drive needs file=PATH")?);
    d.format = format;
    d.readonly = readonly;
    Ok(d)
}

fn parse_granularity(s: &str) -> Result<usize, String> {
    match s {
        "4" => Ok(4),
        "8" => Ok(8),
        _ => Err("signature granularity must be 4 or 8".into()),
    }
}

fn trace_config(t: &TraceArgs) -> Result<Option<TraceConfig>, String> {
    let Some(dest) = &t.trace else { return Ok(None) };
    let out: Box<dyn Write + Send> = if dest == "-" {
        Box::new(std::io::stdout())
    } else {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dest)
            .map_err(|e| format!("cannot open trace file {dest}: {e}"))?;
        Box::new(std::io::BufWriter::new(f))
    };
    Ok(Some(TraceConfig {
        out,
        start: t.trace_start,
        range: t.trace_range,
        user_only: t.trace_user,
        disasm: t.trace_disasm,
    }))
}

fn read_file(what: &str, p: &std::path::Path) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(p).map_err(|e| format!("cannot read {what} {}: {e}", p.display()))?;
    if bytes.is_empty() {
        return Err(format!("{what} {} is empty", p.display()));
    }
    Ok(bytes)
}

fn run(a: RunArgs) -> Result<ExitCode, String> {
    if a.machine != "riscv-virt" {
        return Err(format!("unknown machine '{}' (available: riscv-virt)", a.machine));
    }
    let firmware_file = !matches!(a.bios.as_str(), "builtin" | "none");
    let (kernel, bios) = match &a.kernel {
        Some(p) => (Some(read_file("kernel", p)?), a.bios.clone()),
        // Firmware alone (e.g. U-Boot as --bios) runs without a kernel.
        None if firmware_file => (None, a.bios.clone()),
        // Nothing given: the demo, which is bare-metal M-mode code.
        None => (Some(DEMO_GUEST.to_vec()), "none".to_string()),
    };
    let bios = match bios.as_str() {
        "builtin" => Bios::Builtin,
        "none" => Bios::None,
        path => Bios::Image(read_file("bios", std::path::Path::new(path))?),
    };
    let initrd = a.initrd.as_deref().map(|p| read_file("initrd", p)).transpose()?;
    if let Some(p) = &a.trace.trace {
        if p != "-" && std::path::Path::new(p).exists() {
            std::fs::remove_file(p).map_err(|e| format!("cannot replace trace file {p}: {e}"))?;
        }
    }
    let raw = RawMode::enter();
    let input: InputSink = Arc::new(Mutex::new(None));
    let mut stdin_started = false;
    loop {
        let opts = VirtOptions {
            engine: a.engine.engine,
            jit_threshold: a.engine.jit_threshold,
            ram_size: a.memory,
            harts: a.smp,
            bios: match &bios {
                Bios::Builtin => Bios::Builtin,
                Bios::None => Bios::None,
                Bios::Image(b) => Bios::Image(b.clone()),
            },
            kernel: kernel.clone(),
            initrd: initrd.clone(),
            append: a.append.clone(),
            console: Box::new(std::io::stdout()),
            trace: trace_config(&a.trace)?,
            drives: a.drive.iter().map(|d| DiskOptions { snapshot: a.snapshot, ..d.clone() }).collect(),
            netdevs: a.netdev.clone(),
        };
        let board = VirtBoard::new(opts)?;
        if let Some(path) = &a.dumpdtb {
            std::fs::write(path, &board.fdt).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            return Ok(ExitCode::SUCCESS);
        }
        let (uart, hvc, sbi_input) = (board.uart.clone(), board.hvc_input.clone(), board.sbi_input.clone());
        *input.lock() = Some(Box::new(move |bytes: &[u8]| {
            uart.push_input(bytes);
            hvc.push_input(bytes);
            sbi_input.lock().extend(bytes);
        }));
        if !stdin_started {
            stdin_started = true;
            let bus = board.bus.clone();
            let weak = Arc::downgrade(&bus);
            drop(bus);
            spawn_stdin(input.clone(), raw.is_terminal(), move || {
                if let Some(bus) = weak.upgrade() {
                    bus.request_halt(0);
                }
            })
            .map_err(|e| format!("cannot read the console: {e}"))?;
        }
        let code = board.run()?;
        if code != REBOOT_EXIT {
            raw.restore();
            return Ok(ExitCode::from(code.min(255) as u8));
        }
    }
}

fn test(a: TestArgs) -> Result<ExitCode, String> {
    if !(a.timeout > 0.0 && a.timeout.is_finite()) {
        return Err("--timeout must be a positive number of seconds".into());
    }
    if a.signature.is_some() && a.roms.len() != 1 {
        return Err("--signature needs exactly one ROM".into());
    }
    if let Some(p) = &a.trace.trace {
        if p != "-" && std::path::Path::new(p).exists() {
            std::fs::remove_file(p).map_err(|e| format!("cannot replace trace file {p}: {e}"))?;
        }
    }
    trace_config(&a.trace)?; // reject a bad trace destination before running anything
    let trace_args = a.trace.clone();
    let trace = trace_args.trace.is_some().then(|| {
        Box::new(move || trace_config(&trace_args).ok().flatten().expect("checked above"))
            as Box<dyn FnMut() -> TraceConfig>
    });
    let mut opts = TestOptions {
        engine: a.engine.engine,
        jit_threshold: a.engine.jit_threshold,
        timeout: Duration::from_secs_f64(a.timeout),
        signature: a.signature.map(|p| (p, a.signature_granularity)),
        trace,
    };
    let results = testrom::run_all(&a.roms, &mut opts, &mut std::io::stdout());
    if let Some(j) = &a.junit {
        std::fs::write(j, testrom::junit(&results, "xlate"))
            .map_err(|e| format!("cannot write {}: {e}", j.display()))?;
    }
    let all_pass = results.iter().all(|r| r.verdict == Verdict::Pass);
    Ok(if all_pass { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn exec(a: ExecArgs) -> Result<ExitCode, String> {
    use std::os::unix::ffi::OsStringExt;
    let mut env: Vec<String> = std::env::vars_os()
        .map(|(k, v)| {
            let mut kv = k.into_vec();
            kv.push(b'=');
            kv.extend(v.into_vec());
            String::from_utf8_lossy(&kv).into_owned()
        })
        .collect();
    for e in &a.env {
        let Some((k, _)) = e.split_once('=') else { return Err(format!("-E {e}: expected VAR=VALUE")) };
        env.retain(|x| x.split_once('=').map(|(xk, _)| xk) != Some(k));
        env.push(e.clone());
    }
    let opts = xlate_machine::linux_user::ExecOptions {
        engine: a.engine.engine,
        jit_threshold: a.engine.jit_threshold,
        program: PathBuf::from(&a.command[0]),
        args: std::iter::once(a.argv0.clone().unwrap_or_else(|| a.command[0].clone()))
            .chain(a.command[1..].iter().cloned())
            .collect(),
        env,
        sysroot: a.sysroot,
        strace: a.strace,
    };
    let status = xlate_machine::linux_user::exec(opts)?;
    Ok(ExitCode::from(status.clamp(0, 255) as u8))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let cmd = cli.cmd.unwrap_or_else(|| Cmd::Run(RunArgs::parse_from_default()));
    let result = match cmd {
        Cmd::Run(a) => run(a),
        Cmd::Test(a) => test(a),
        Cmd::Exec(a) => exec(a),
    };
    result.unwrap_or_else(|e| {
        eprintln!("xlate: error: {e}");
        ExitCode::FAILURE
    })
}

impl RunArgs {
    /// `xlate` with no subcommand behaves like `xlate run`.
    fn parse_from_default() -> RunArgs {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            run: RunArgs,
        }
        Only::parse_from(["xlate"]).run
    }
}
