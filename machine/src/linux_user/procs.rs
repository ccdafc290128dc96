//! Other processes: execve (by re-running xlate itself on the new program)
//! and waiting for children. fork lives in [`super::task`], which owns the
//! threads that fork must leave behind.

use std::ffi::CString;
use std::time::Duration;

use xlate_translator::EngineKind;

use super::host::{self, ExecSignals};
use super::syscall::{Mem, Process};

type R = Result<u64, i32>;

/// Up to 4096 pointers of a NULL-terminated guest string array.
fn string_array(mem: &Mem, mut addr: u64) -> Result<Vec<CString>, i32> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }
    loop {
        let p = mem.u64(addr)?;
        if p == 0 {
            return Ok(out);
        }
        if out.len() >= 4096 {
            return Err(libc::E2BIG);
        }
        out.push(CString::new(mem.cstr(p)?).map_err(|_| libc::EINVAL)?);
        addr += 8;
    }
}

/// execve(path, argv, envp): checks the program, then replaces this host
/// process with `xlate exec` of it. Returns only on failure (an errno).
pub fn execve(proc: &Process, mem: &Mem, a: [u64; 6], engine: EngineKind, threshold: u32, sigs: ExecSignals) -> i32 {
    let run = || -> Result<i32, i32> {
        let guest_path = CString::new(mem.cstr(a[0])?).map_err(|_| libc::EINVAL)?;
        let path = proc.host_path(guest_path.as_bytes())?;
        let mut args = string_array(mem, a[1])?;
        let envp = string_array(mem, a[2])?;
        host::faccessat(libc::AT_FDCWD, &path, libc::X_OK, 0)?;
        let path = match guest_program(proc, &guest_path)? {
            Program::Guest => path,
            // A script for a guest interpreter: run what the kernel would,
            // `interpreter [arg] script args...`.
            Program::Script(interp, arg) if guest_program(proc, &interp)? == Program::Guest => {
                let rest = args.into_iter().skip(1);
                args = std::iter::once(interp.clone()).chain(arg).chain([guest_path]).chain(rest).collect();
                proc.host_path(interp.as_bytes())?
            }
            // Host programs and scripts run natively, as qemu-user runs them.
            _ => return Ok(host::execve(&path, &args, &envp, sigs)),
        };
        let me = std::env::current_exe().map_err(|_| libc::ENOENT)?;
        let me = CString::new(me.into_os_string().into_encoded_bytes()).map_err(|_| libc::EINVAL)?;
        let kind = match engine {
            EngineKind::Interp => "interp",
            EngineKind::Jit => "jit",
            EngineKind::Tiered => "tiered",
        };
        let mut xargs: Vec<CString> = ["xlate", "exec", "--engine", kind, "--jit-threshold", &threshold.to_string()]
            .iter()
            .filter_map(|s| CString::new(*s).ok())
            .collect();
        if let Some(root) = &proc.sysroot {
            xargs.push(c"--sysroot".into());
            xargs.push(CString::new(root.as_os_str().as_encoded_bytes()).map_err(|_| libc::EINVAL)?);
        }
        if proc.strace {
            xargs.push(c"--strace".into());
        }
        if let Some(argv0) = args.first() {
            xargs.push(c"--argv0".into());
            xargs.push(argv0.clone());
        }
        xargs.push(c"--".into());
        xargs.push(path);
        xargs.extend(args.into_iter().skip(1));
        Ok(host::execve(&me, &xargs, &envp, sigs))
    };
    match run() {
        Ok(e) | Err(e) => e,
    }
}

/// What an execve target is.
#[derive(PartialEq, Eq)]
enum Program {
    /// An ELF file for the guest's ISA: xlate runs it.
    Guest,
    /// `#!interpreter [arg]`.
    Script(CString, Option<CString>),
    /// Anything else (a host program): the host kernel runs it.
    Host,
}

fn guest_program(proc: &Process, path: &CString) -> Result<Program, i32> {
    let path = proc.host_path(path.as_bytes())?;
    let fd = host::openat(libc::AT_FDCWD, &path, libc::O_RDONLY | libc::O_CLOEXEC, 0)? as i32;
    let mut head = [0u8; 256];
    let n = host::read(fd, &mut head);
    let _ = host::close(fd);
    let head = &head[..n.unwrap_or(0) as usize];
    if let Some(line) = head.strip_prefix(b"#!") {
        let line = line.split(|&c| c == b'\n').next().unwrap_or_default();
        let mut words = line.split(|&c| c == b' ' || c == b'\t').filter(|w| !w.is_empty());
        let interp = words.next().and_then(|w| CString::new(w).ok()).ok_or(libc::ENOEXEC)?;
        let rest: Vec<u8> = line.trim_ascii_start().get(interp.as_bytes().len()..).unwrap_or_default().to_vec();
        let arg = Some(rest.trim_ascii()).filter(|r| !r.is_empty()).and_then(|r| CString::new(r).ok());
        return Ok(Program::Script(interp, arg));
    }
    Ok(if super::elf_is_guest(head) { Program::Guest } else { Program::Host })
}

/// Polls `step` (a WNOHANG wait) until a child is reported, `nohang`, or a signal.
fn wait_child<T>(
    nohang: bool,
    intr: &dyn Fn() -> bool,
    mut step: impl FnMut() -> Result<Option<T>, i32>,
) -> Result<Option<T>, i32> {
    loop {
        if let Some(v) = step()? {
            return Ok(Some(v));
        }
        if nohang {
            return Ok(None);
        }
        if intr() {
            return Err(libc::EINTR);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// wait4(pid, status*, options, rusage*); the status encoding is the same on every Linux.
pub fn wait4(mem: &mut Mem, a: [u64; 6], intr: &dyn Fn() -> bool) -> R {
    let options = a[2] as i32;
    let got = wait_child(options & libc::WNOHANG != 0, intr, || {
        let (pid, status) = host::wait4(a[0] as i32, options | libc::WNOHANG)?;
        Ok((pid > 0).then_some((pid, status)))
    })?;
    let Some((pid, status)) = got else { return Ok(0) };
    if a[1] != 0 {
        mem.put_u32(a[1], status as u32)?;
    }
    if a[3] != 0 {
        mem.write(a[3], &[0u8; 144])?; // struct rusage: not measured
    }
    Ok(pid as u64)
}

/// waitid(idtype, id, siginfo*, options, rusage*).
pub fn waitid(mem: &mut Mem, a: [u64; 6], intr: &dyn Fn() -> bool) -> R {
    let options = a[3] as i32;
    let got = wait_child(options & libc::WNOHANG != 0, intr, || {
        let info = host::waitid(a[0] as u32, a[1] as u32, options | libc::WNOHANG)?;
        // si_pid (offset 16) stays 0 while no child has changed state.
        Ok((info[16..20] != [0; 4]).then_some(info))
    })?;
    if a[2] != 0 {
        mem.write(a[2], &got.unwrap_or([0u8; 128]))?;
    }
    if a[4] != 0 {
        mem.write(a[4], &[0u8; 144])?;
    }
    Ok(0)
}
