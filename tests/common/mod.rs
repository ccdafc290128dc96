//! Shared helpers for integration tests: locating guest images and driving a
//! guest console through pipes, like a person at a terminal (or `expect`).

#![allow(dead_code)]

pub mod elf;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Boots are heavy: run one at a time even when the test harness is parallel.
pub static ONE_GUEST_AT_A_TIME: Mutex<()> = Mutex::new(());

/// `shared/guests/<arch>` beside the repository (or `$XLATE_GUESTS/<arch>`).
/// Panics with instructions if it is missing: a test must never pass by skipping.
pub fn guests(arch: &str) -> PathBuf {
    let base = std::env::var_os("XLATE_GUESTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/guests"));
    let dir = base.join(arch);
    assert!(dir.is_dir(), "guest images not found at {} (set XLATE_GUESTS to the shared/guests folder)", dir.display());
    dir
}

pub fn xlate() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xlate"))
}

/// A running guest whose console we read and type into.
pub struct Guest {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Vec<u8>>,
    /// Everything the guest printed so far.
    pub output: String,
    seen: usize,
}

impl Guest {
    pub fn start(mut cmd: Command) -> Guest {
        let mut child =
            cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start xlate");
        let (tx, rx) = channel();
        for mut pipe in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()) as Box<dyn Read + Send>,
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            });
        }
        let stdin = child.stdin.take();
        Guest { child, stdin, rx, output: String::new(), seen: 0 }
    }

    /// Waits until `marker` appears in output printed after the previous match.
    pub fn expect(&mut self, marker: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(pos) = self.output[self.seen..].find(marker) {
                self.seen += pos + marker.len();
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left.min(Duration::from_millis(200))) {
                Ok(bytes) => self.output.push_str(&String::from_utf8_lossy(&bytes)),
                Err(_) if Instant::now() >= deadline => {
                    let _ = self.child.kill();
                    panic!("timed out after {timeout:?} waiting for {marker:?}; console so far:\n{}", self.output);
                }
                Err(_) => {
                    if let Ok(Some(status)) = self.child.try_wait() {
                        self.drain();
                        panic!("xlate exited ({status}) before {marker:?}; console:\n{}", self.output);
                    }
                }
            }
        }
    }

    fn drain(&mut self) {
        while let Ok(bytes) = self.rx.recv_timeout(Duration::from_millis(100)) {
            self.output.push_str(&String::from_utf8_lossy(&bytes));
        }
    }

    /// Types a line into the console.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// Runs a shell command and waits for its output marker and the next prompt.
    pub fn shell(&mut self, cmd: &str, marker: &str, timeout: Duration) {
        self.send(cmd);
        self.expect(marker, timeout);
        self.expect("# ", timeout);
    }

    /// Waits for xlate to exit and returns its status.
    pub fn wait(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.drain();
                return status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                self.drain();
                panic!("xlate did not exit within {timeout:?}; console:\n{}", self.output);
            }
            if let Ok(bytes) = self.rx.recv_timeout(Duration::from_millis(100)) {
                self.output.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
}

impl Drop for Guest {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
