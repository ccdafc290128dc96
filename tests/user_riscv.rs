//! Linux user-mode emulation (`xlate exec`) of riscv64 programs: each test
//! program in `tests/user/` (built static by `bash tests/setup.sh`) runs under
//! every engine and under Debian's `qemu-riscv64`; stdout and exit status must
//! match. Bad input must end in one clear error and a non-zero exit.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const XLATE: &str = env!("CARGO_BIN_EXE_xlate");
const ENGINES: [&str; 3] = ["interp", "jit", "tiered"];

fn program(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/user/build/riscv64").join(name);
    assert!(p.exists(), "{} is missing: run `bash tests/setup.sh` to build the user-mode test programs", p.display());
    p
}

fn scratch(test: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("user_riscv").join(test);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Exit status as a shell reports it: 128 + signal for a killed process.
fn status(o: &Output) -> i32 {
    o.status.code().unwrap_or_else(|| 128 + o.status.signal().unwrap_or(0))
}

fn run(mut cmd: Command) -> Output {
    cmd.stdin(Stdio::null()).env("XLATE_TEST_VAR", "from-host").output().expect("cannot start process")
}

fn xlate_exec(engine: &str, prog: &Path, args: &[&str]) -> Output {
    let mut c = Command::new(XLATE);
    c.args(["exec", "--engine", engine, "-E", "XLATE_EXTRA=1"]).arg(prog).args(args);
    run(c)
}

fn qemu(prog: &Path, args: &[&str]) -> Output {
    let mut c = Command::new("qemu-riscv64");
    c.args(["-L", "/usr/riscv64-linux-gnu"]).arg(prog).args(args);
    run(c)
}

/// Runs `name` under qemu and every engine; stdout and status must agree.
fn compare(name: &str, args: &[&str], want_status: i32) {
    let prog = program(name);
    let reference = qemu(&prog, args);
    assert_eq!(status(&reference), want_status, "qemu-riscv64 {name}: {reference:?}");
    for e in ENGINES {
        let o = xlate_exec(e, &prog, args);
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&reference.stdout),
            "{name} --engine {e}: stdout differs from qemu-riscv64 (stderr: {})",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(status(&o), want_status, "{name} --engine {e}: stderr {}", String::from_utf8_lossy(&o.stderr));
    }
}

#[test]
fn hello_matches_qemu() {
    compare("hello", &["one", "--two", "three four"], 0);
}

#[test]
fn dynamically_linked_hello_matches_qemu() {
    compare("hello-dyn", &["dyn"], 0);
}

#[test]
fn hello_sees_host_environment() {
    let o = xlate_exec("interp", &program("hello"), &[]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("XLATE_TEST_VAR=from-host"), "{o:?}");
    let mut c = Command::new(XLATE);
    c.args(["exec", "-E", "XLATE_TEST_VAR=overridden"]).arg(program("hello"));
    let o = run(c);
    assert!(String::from_utf8_lossy(&o.stdout).contains("XLATE_TEST_VAR=overridden"), "{o:?}");
}

#[test]
fn fileio_matches_qemu() {
    compare("fileio", &[], 0);
}

#[test]
fn exit_code_is_the_guests() {
    compare("exitcode", &[], 42);
}

#[test]
fn segv_kills_the_guest_with_139() {
    compare("segv", &[], 139);
    let o = xlate_exec("interp", &program("segv"), &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("SIGSEGV"), "{err}");
}

#[test]
fn signals_match_qemu() {
    // Ends by raising SIGUSR2 with its default action: killed, 128 + 12.
    compare("signals", &[], 140);
}

#[test]
fn sigpipe_matches_qemu() {
    // 128 + SIGPIPE, quietly, as a shell pipeline into `head` ends.
    compare("sigpipe", &[], 141);
    let o = xlate_exec("tiered", &program("sigpipe"), &[]);
    assert!(o.stderr.is_empty(), "no report of SIGPIPE: {}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn file_process_and_descriptor_calls_match_qemu() {
    // Links, modes, times, statfs, sendfile, fifos, memfd; setsid, ids,
    // rusage, prctl, affinity, uname; dup2 onto stdout; execve of a host
    // program and of a host shell script (run natively, as under qemu).
    let dir = scratch("sysmisc");
    compare("sysmisc", &[dir.to_str().unwrap()], 0);
}

#[test]
fn execve_keeps_argv0_cmdline_and_exe() {
    // The new program sees the argv[0] it was given, its own
    // /proc/self/cmdline and /proc/<pid>/exe (not xlate's), and keeps the
    // ignored signals and the mask.
    let dir = scratch("exec-self");
    for e in ENGINES {
        let o = xlate_exec(e, &program("sysmisc"), &[dir.to_str().unwrap(), "exec-self"]);
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            "child argv[0] renamed, cmdline has 3 words 1, exe sysmisc\n\
             child: SIGHUP ignored 1, SIGUSR2 blocked 1\nexec self: exit 0\n",
            "--engine {e}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn other_threads_see_patched_code_and_new_protections() {
    // __riscv_flush_icache makes another thread run the patched code;
    // mprotect makes another thread's next store to the page fault.
    compare("threadmem", &[], 0);
}

#[test]
fn sockets_match_qemu() {
    // TCP over loopback with a forked client, UDP source addresses,
    // SCM_RIGHTS over a socketpair, scatter recvmsg, an interrupted accept.
    compare("sockets", &[], 0);
}

#[test]
fn threads_match_qemu() {
    compare("threads", &[], 0);
}

#[test]
fn cxx_exceptions_match_qemu() {
    compare("exceptions", &[], 0);
}

#[test]
fn strace_logs_syscalls() {
    let mut c = Command::new(XLATE);
    c.args(["exec", "--strace"]).arg(program("exitcode"));
    let o = run(c);
    assert_eq!(status(&o), 42);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("exit_group(0x2a"), "{err}");
}

fn expect_clear_error(path: &Path, needle: &str) {
    let mut c = Command::new(XLATE);
    c.arg("exec").arg(path);
    let o = run(c);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(status(&o), 0, "{err}");
    assert!(o.status.code().is_some(), "xlate must exit, not crash: {o:?}");
    assert!(err.starts_with("xlate: error:") && err.contains(needle), "expected '{needle}' in: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one error line: {err}");
}

#[test]
fn bad_input_gives_one_clear_error() {
    let d = scratch("bad_input");
    let text = d.join("script.sh");
    std::fs::write(&text, "#!/bin/sh\necho hi\n").unwrap();
    expect_clear_error(&text, "not an ELF file");

    let full = std::fs::read(program("hello")).unwrap();
    let truncated = d.join("truncated");
    std::fs::write(&truncated, &full[..40]).unwrap();
    expect_clear_error(&truncated, "ELF");
    let half = d.join("half");
    std::fs::write(&half, &full[..full.len() / 2]).unwrap();
    expect_clear_error(&half, "ELF");

    // The host's own programs are x86-64 (or at least not riscv64).
    let host = std::fs::canonicalize("/bin/true").unwrap();
    expect_clear_error(&host, "unsupported guest ISA");

    expect_clear_error(&d.join("does-not-exist"), "cannot read");
}

#[test]
fn poll_select_epoll_match_qemu() {
    compare("pollio", &[], 0);
    // epoll_pwait2 (which qemu-riscv64 lacks): the same run plus two lines.
    let reference = qemu(&program("pollio"), &[]);
    let want = format!(
        "{}epoll_pwait2 2ms: 0 Success\nepoll_pwait2 after write: 1 data=0xbeef\n",
        String::from_utf8_lossy(&reference.stdout)
    );
    for e in ENGINES {
        let o = xlate_exec(e, &program("pollio"), &["pwait2"]);
        assert_eq!(String::from_utf8_lossy(&o.stdout), want, "--engine {e}");
    }
}

#[test]
fn terminal_ioctls_match_qemu() {
    // A pipe (ENOTTY) and a pseudo-terminal pair opened through /dev/ptmx.
    compare("tty", &[], 0);
    let o = xlate_exec("interp", &program("tty"), &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("unsupported ioctl 0x12345678").count(), 1, "reported once: {err}");
}

#[test]
fn fp_results_and_flags_match_qemu() {
    compare("fpenv", &[], 0);
}

#[test]
fn write_protected_pages_fault_as_on_qemu() {
    compare("protect", &[], 139);
}

#[test]
fn mremap_munmap_madvise_match_qemu() {
    compare("mremap", &[], 0);
}

#[test]
fn sigsuspend_restart_sigtimedwait_robust_futex_match_qemu() {
    compare("sigwait", &[], 0);
}

#[test]
fn fork_wait_kill_match_qemu() {
    compare("spawn", &[], 0);
}

#[test]
fn execve_and_posix_spawn_run_the_new_program() {
    // qemu-riscv64 cannot execve a riscv64 program without binfmt_misc, so
    // the reference is its output for the fork-only run plus the exec part.
    let prog = program("spawn");
    let reference = qemu(&prog, &[]);
    assert_eq!(status(&reference), 0, "{reference:?}");
    let (exitcode, hello, segv) = (program("exitcode"), program("hello"), program("segv"));
    let want = format!(
        "{}execve missing: No such file or directory\nexecve child: exited 42\nposix_spawn: 0\n\
         hello from riscv64 user mode\nargc=3\nargv[1]=spawned\nargv[2]=by posix_spawn\n\
         XLATE_TEST_VAR=(unset)\nheap ok x\nfloat 30.596290\nspawned: exited 0\nbefore the fault\n\
         segv child: killed by signal 11\n",
        String::from_utf8_lossy(&reference.stdout)
    );
    for e in ENGINES {
        let args = [exitcode.to_str().unwrap(), hello.to_str().unwrap(), segv.to_str().unwrap()];
        let o = xlate_exec(e, &prog, &args);
        assert_eq!(String::from_utf8_lossy(&o.stdout), want, "--engine {e}: {}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(status(&o), 0);
    }
}

#[test]
fn bad_pointers_give_efault_not_a_crash() {
    compare("badptr", &[], 0);
}

#[test]
fn robust_futex_list_is_walked_at_raw_thread_exit() {
    // With "raw-exit" the mutex owner leaves by a bare exit syscall, so only
    // the kernel-side (here: xlate's) robust-list walk can mark the mutex
    // EOWNERDEAD; qemu-riscv64 hangs there, so its output for the plain run
    // (same text) is the reference.
    let prog = program("sigwait");
    let reference = qemu(&prog, &[]);
    for e in ENGINES {
        let o = xlate_exec(e, &prog, &["raw-exit"]);
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&reference.stdout),
            "--engine {e}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(status(&o), 0);
    }
}

#[test]
fn fork_from_a_multithreaded_guest_matches_qemu() {
    compare("forkmt", &[], 0);
}

#[test]
fn host_signal_ends_a_blocked_guest() {
    // Both guest threads are blocked (futex wait, pipe read); SIGTERM from
    // outside must still reach the guest, whose default action kills it.
    for e in ENGINES {
        let mut c = Command::new(XLATE);
        c.args(["exec", "--engine", e]).arg(program("block")).stdin(Stdio::null()).stdout(Stdio::piped());
        let mut child = c.spawn().unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
        assert_eq!(line, "blocking\n");
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let start = std::time::Instant::now();
        let st = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if start.elapsed() > std::time::Duration::from_secs(10) {
                let _ = child.kill();
                panic!("--engine {e}: SIGTERM did not end the guest");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert_eq!(st.signal(), Some(15), "--engine {e}: {st:?}");
    }
}

#[test]
fn threads_stream_through_a_pipe_match_qemu() {
    compare("pipethreads", &[], 0);
}
