//! A 16550-compatible UART (transmit side; the receive side reports no data).
//! Register offsets are in bytes (reg-shift 0), as on QEMU's virt board.

use crate::{Console, MmioDevice};

const THR_RBR: u64 = 0;
const IER: u64 = 1;
const IIR_FCR: u64 = 2;
const LCR: u64 = 3;
const MCR: u64 = 4;
const LSR: u64 = 5;
const MSR: u64 = 6;
const SCR: u64 = 7;

const LCR_DLAB: u8 = 0x80;
/// Transmitter empty and holding register empty.
const LSR_TX_IDLE: u8 = 0x60;

pub struct Uart16550 {
    out: Console,
    ier: u8,
    lcr: u8,
    mcr: u8,
    scr: u8,
    dll: u8,
    dlm: u8,
}

impl Uart16550 {
    pub fn new(out: Console) -> Uart16550 {
        Uart16550 { out, ier: 0, lcr: 0, mcr: 0, scr: 0, dll: 0, dlm: 0 }
    }
}

impl MmioDevice for Uart16550 {
    fn read(&mut self, offset: u64, _size: u8) -> u64 {
        let dlab = self.lcr & LCR_DLAB != 0;
        u64::from(match offset {
            THR_RBR if dlab => self.dll,
            THR_RBR => 0,
            IER if dlab => self.dlm,
            IER => self.ier,
            IIR_FCR => 0x01, // no interrupt pending
            LCR => self.lcr,
            MCR => self.mcr,
            LSR => LSR_TX_IDLE,
            MSR => 0xb0, // DCD, DSR, CTS
            SCR => self.scr,
            _ => 0,
        })
    }

    fn write(&mut self, offset: u64, _size: u8, value: u64) {
        let v = value as u8;
        let dlab = self.lcr & LCR_DLAB != 0;
        match offset {
            THR_RBR if dlab => self.dll = v,
            THR_RBR => {
                let _ = self.out.write_all(&[v]);
                if v == b'\n' {
                    let _ = self.out.flush();
                }
            }
            IER if dlab => self.dlm = v,
            IER => self.ier = v & 0x0f,
            LCR => self.lcr = v,
            MCR => self.mcr = v & 0x1f,
            SCR => self.scr = v,
            _ => {}
        }
    }
}

impl Drop for Uart16550 {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}
