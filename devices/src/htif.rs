//! HTIF, the Berkeley host-target interface used by Spike and riscv-tests:
//! the guest writes a command to `tohost`; the host answers in `fromhost`.
//!
//! Commands (device << 56 | cmd << 48 | payload):
//! - device 0, payload odd: exit with code `payload >> 1` (1 = pass);
//! - device 0, payload even: a system call block at guest address `payload`
//!   (only `write`, number 64, to fd 1/2 is supported, as riscv-tests need);
//! - device 1, cmd 1: put the character `payload & 0xff` on the console.

use crate::{BusRef, Console, MmioDevice};

pub struct Htif {
    bus: BusRef,
    console: Console,
    tohost: u64,
    fromhost: u64,
}

const SYS_WRITE: u64 = 64;

impl Htif {
    pub fn new(bus: BusRef, console: Console) -> Htif {
        Htif { bus, console, tohost: 0, fromhost: 0 }
    }

    fn command(&mut self, v: u64) {
        let device = v >> 56;
        let cmd = (v >> 48) & 0xff;
        let payload = v & ((1 << 48) - 1);
        let Some(bus) = self.bus.get() else { return };
        match (device, cmd) {
            (0, _) if payload & 1 == 1 => bus.request_halt(payload >> 1),
            (0, _) => {
                let mut args = [0u64; 4];
                for (k, a) in args.iter_mut().enumerate() {
                    *a = bus.read(payload + 8 * k as u64, 8).unwrap_or(u64::MAX);
                }
                let ret = if args[0] == SYS_WRITE && (args[1] == 1 || args[1] == 2) {
                    let mut buf = vec![0u8; args[3].min(1 << 20) as usize];
                    if bus.read_bytes(args[2], &mut buf) {
                        let _ = self.console.write_all(&buf);
                        let _ = self.console.flush();
                        buf.len() as u64
                    } else {
                        (-14i64) as u64 // EFAULT
                    }
                } else {
                    eprintln!("xlate: htif: unsupported system call {} (guest block at {payload:#x})", args[0]);
                    (-38i64) as u64 // ENOSYS
                };
                let _ = bus.write(payload, 8, ret);
                self.fromhost = 1;
            }
            (1, 1) => {
                let _ = self.console.write_all(&[payload as u8]);
                let _ = self.console.flush();
                self.fromhost = (1 << 56) | (1 << 48);
            }
            (1, 0) => {} // console read request: no input on this device
            _ => eprintln!("xlate: htif: unsupported command {v:#x}"),
        }
    }
}

impl MmioDevice for Htif {
    /// Offsets: 0 = tohost, 8 = fromhost (each 64 bits, 32-bit halves allowed).
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        let reg = if offset < 8 { self.tohost } else { self.fromhost };
        let shift = (offset & 7) * 8;
        let v = reg >> shift;
        if size >= 8 {
            v
        } else {
            v & ((1u64 << (size * 8)) - 1)
        }
    }

    fn write(&mut self, offset: u64, size: u8, value: u64) {
        let shift = (offset & 7) * 8;
        let mask = if size >= 8 { u64::MAX } else { ((1u64 << (size * 8)) - 1) << shift };
        if offset < 8 {
            self.tohost = (self.tohost & !mask) | ((value << shift) & mask);
            // A command is complete once the high word is written (or a 64-bit store).
            if offset + u64::from(size) >= 8 && self.tohost != 0 {
                let cmd = std::mem::take(&mut self.tohost);
                self.command(cmd);
            }
        } else {
            self.fromhost = (self.fromhost & !mask) | ((value << shift) & mask);
        }
    }
}

/// The `fromhost` word when it is not right after `tohost`: forwards to the
/// HTIF's offset 8.
pub struct HtifFromhost(pub std::sync::Arc<parking_lot::Mutex<Htif>>);

impl MmioDevice for HtifFromhost {
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        self.0.lock().read(8 + offset, size)
    }
    fn write(&mut self, offset: u64, size: u8, value: u64) {
        self.0.lock().write(8 + offset, size, value)
    }
}
