//! The host side of the guest console: stdin feeds the guest, in raw mode
//! when stdin is a terminal, with QEMU's escapes (Ctrl-A X quits, Ctrl-A C is
//! reserved for a monitor, Ctrl-A Ctrl-A sends Ctrl-A). A pipe is forwarded
//! as is, so scripts can drive the guest.

use std::io::Read;
use std::sync::Arc;

use parking_lot::Mutex;

/// Console output shared by the devices that print (UART, HTIF, SBI, virtio).
#[derive(Clone)]
pub struct SharedConsole(pub Arc<Mutex<xlate_devices::Console>>);

impl SharedConsole {
    pub fn new(out: xlate_devices::Console) -> SharedConsole {
        SharedConsole(Arc::new(Mutex::new(out)))
    }
}

impl std::io::Write for SharedConsole {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().write(b)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().flush()
    }
}

/// Where console input goes (replaced when the guest reboots).
pub type InputSink = Arc<Mutex<Option<Box<dyn Fn(&[u8]) + Send>>>>;

const CTRL_A: u8 = 0x01;

/// Terminal settings to restore when xlate exits.
pub struct RawMode(Option<libc::termios>);

impl RawMode {
    /// Puts stdin in raw mode if it is a terminal.
    pub fn enter() -> RawMode {
        // SAFETY: isatty/tcgetattr/tcsetattr only read and write the termios
        // struct we pass, which lives on our stack.
        unsafe {
            if libc::isatty(0) != 1 {
                return RawMode(None);
            }
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut t) != 0 {
                return RawMode(None);
            }
            let saved = t;
            libc::cfmakeraw(&mut t);
            t.c_oflag |= libc::OPOST; // keep "\n" -> "\r\n" on output
            libc::tcsetattr(0, libc::TCSANOW, &t);
            RawMode(Some(saved))
        }
    }
    pub fn is_terminal(&self) -> bool {
        self.0.is_some()
    }
    pub fn restore(&self) {
        if let Some(t) = &self.0 {
            // SAFETY: restores the settings read in `enter`.
            unsafe { libc::tcsetattr(0, libc::TCSANOW, t) };
        }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        self.restore();
    }
}

/// Reads stdin forever on a background thread, handing bytes to `sink`.
/// `quit` is called for Ctrl-A X (terminal only).
pub fn spawn_stdin(sink: InputSink, escapes: bool, quit: impl Fn() + Send + 'static) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            let mut stdin = std::io::stdin();
            let mut buf = [0u8; 256];
            let mut escape = false;
            loop {
                let n = match stdin.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let mut out = Vec::with_capacity(n);
                for &b in &buf[..n] {
                    if !escapes {
                        out.push(b);
                    } else if escape {
                        escape = false;
                        match b {
                            b'x' | b'X' => {
                                quit();
                                return;
                            }
                            b'c' | b'C' => eprint!("\r\nxlate: the monitor is not available yet\r\n"),
                            CTRL_A => out.push(CTRL_A),
                            _ => {}
                        }
                    } else if b == CTRL_A {
                        escape = true;
                    } else {
                        out.push(b);
                    }
                }
                if !out.is_empty() {
                    if let Some(f) = sink.lock().as_ref() {
                        f(&out);
                    }
                }
            }
        })
        .map(drop)
}
