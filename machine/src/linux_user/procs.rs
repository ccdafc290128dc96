//! Other processes: execve (by re-running xlate itself on the new program)
//! and waiting for children. fork lives in [`super::task`], which owns the
//! threads that fork must leave behind.

use std::ffi::CString;
use std::time::Duration;

use xlate_translator::EngineKind;

use super::host;
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
pub fn execve(proc: &Process, mem: &Mem, a: [u64; 6], engine: EngineKind, threshold: u32) -> i32 {
    let run = || -> Result<i32, i32> {
        let path = proc.host_path(&mem.cstr(a[0])?)?;
        let argv = string_array(mem, a[1])?;
        let envp = string_array(mem, a[2])?;
        host::faccessat(libc::AT_FDCWD, &path, libc::X_OK, 0)?;
        let fd = host::openat(libc::AT_FDCWD, &path, libc::O_RDONLY | libc::O_CLOEXEC, 0)? as i32;
        let mut magic = [0u8; 4];
        let n = host::read(fd, &mut magic);
        let _ = host::close(fd);
        if n != Ok(4) || &magic != b"\x7fELF" {
            return Err(libc::ENOEXEC);
        }
        let me = std::env::current_exe().map_err(|_| libc::ENOENT)?;
        let me = CString::new(me.into_os_string().into_encoded_bytes()).map_err(|_| libc::EINVAL)?;
        let kind = match engine {
            EngineKind::Interp => "interp",
            EngineKind::Jit => "jit",
            EngineKind::Tiered => "tiered",
        };
        let mut args: Vec<CString> = ["xlate", "exec", "--engine", kind, "--jit-threshold", &threshold.to_string()]
            .iter()
            .filter_map(|s| CString::new(*s).ok())
            .collect();
        if let Some(root) = &proc.sysroot {
            args.push(c"--sysroot".into());
            args.push(CString::new(root.as_os_str().as_encoded_bytes()).map_err(|_| libc::EINVAL)?);
        }
        if proc.strace {
            args.push(c"--strace".into());
        }
        args.push(c"--".into());
        args.push(path);
        // argv[0] is the program path under xlate; the rest are the guest's.
        args.extend(argv.into_iter().skip(1));
        Ok(host::execve(&me, &args, &envp))
    };
    match run() {
        Ok(e) | Err(e) => e,
    }
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
