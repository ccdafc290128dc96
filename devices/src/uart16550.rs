//! A 16550A UART, enough for Linux's 8250 driver (interrupt-driven) and for
//! firmware's polled drivers (OpenSBI, U-Boot). Registers are one byte each,
//! `1 << reg_shift` bytes apart (reg-shift 0 on QEMU's virt board); an access
//! of any size reaches the register at its offset (low byte).
//!
//! Transmission is instant: a byte written to THR goes straight to the
//! [`Console`] (flushed at once), so THR is always empty (LSR THRE and TEMT
//! set). Input from the host ([`Uart16550::push_input`]) waits on the "wire"
//! (a backlog of up to [`RX_BACKLOG`] bytes) and enters the 16-byte receive
//! FIFO (1 byte when FIFOs are off) as the guest drains it.
//!
//! The interrupt output is a level on an [`IrqSink`]: high while an enabled
//! condition holds, in 16550 priority order: receiver line status (overrun,
//! only possible in loopback), received data (IIR 0x04 at or above the FIFO
//! trigger level, else 0x0c "character timeout", as if the timeout had
//! elapsed), THR empty (0x02; cleared by reading IIR while it is the one
//! reported or by writing THR), modem status (0x00).
//!
//! Why not `vm-superio`'s `Serial` (rust-vmm): its interrupt is an edge-only
//! `Trigger` with no way to lower a level line, reading IIR clears every
//! condition (including pending received data), enabling THRI does not raise
//! THR-empty as a 16550 does (Linux's TX start relies on it), and it has no
//! FCR trigger levels. A level-triggered PLIC needs all of these.

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::irq::{IrqPin, IrqSink};
use crate::{Console, MmioDevice};

/// The UART's interrupt number on QEMU's virt board.
pub const VIRT_UART_IRQ: u32 = 10;
/// Host input waiting to enter the receive FIFO, at most.
pub const RX_BACKLOG: usize = 64 * 1024;
const FIFO_SIZE: usize = 16;

const RBR_THR: u8 = 0;
const IER: u8 = 1;
const IIR_FCR: u8 = 2;
const LCR: u8 = 3;
const MCR: u8 = 4;
const LSR: u8 = 5;
const MSR: u8 = 6;
const SCR: u8 = 7;

const IER_RDI: u8 = 0x01;
const IER_THRI: u8 = 0x02;
const IER_RLSI: u8 = 0x04;
const IER_MSI: u8 = 0x08;

const IIR_NO_INT: u8 = 0x01;
const IIR_MSI: u8 = 0x00;
const IIR_THRI: u8 = 0x02;
const IIR_RDI: u8 = 0x04;
const IIR_RLSI: u8 = 0x06;
const IIR_CTI: u8 = 0x0c;
const IIR_FIFO_ENABLED: u8 = 0xc0;

const FCR_FE: u8 = 0x01;
const FCR_CLEAR_RX: u8 = 0x02;
const FCR_CLEAR_TX: u8 = 0x04;

const LCR_DLAB: u8 = 0x80;

const MCR_DTR: u8 = 0x01;
const MCR_RTS: u8 = 0x02;
const MCR_OUT1: u8 = 0x04;
const MCR_OUT2: u8 = 0x08;
const MCR_LOOP: u8 = 0x10;

const LSR_DR: u8 = 0x01;
const LSR_OE: u8 = 0x02;
const LSR_THRE: u8 = 0x20;
const LSR_TEMT: u8 = 0x40;
const LSR_ERRORS: u8 = 0x1e;

const MSR_DCTS: u8 = 0x01;
const MSR_DDSR: u8 = 0x02;
const MSR_TERI: u8 = 0x04;
const MSR_DDCD: u8 = 0x08;
const MSR_CTS: u8 = 0x10;
const MSR_DSR: u8 = 0x20;
const MSR_RI: u8 = 0x40;
const MSR_DCD: u8 = 0x80;
const MSR_DELTAS: u8 = 0x0f;

struct UartState {
    out: Console,
    reg_shift: u32,
    rx: VecDeque<u8>,
    backlog: VecDeque<u8>,
    ier: u8,
    fcr: u8,
    lcr: u8,
    mcr: u8,
    /// Error bits of LSR (overrun), cleared by reading LSR.
    lsr_errors: u8,
    msr: u8,
    scr: u8,
    dll: u8,
    dlm: u8,
    thr_ipending: bool,
    pin: IrqPin,
}

impl UartState {
    fn loopback(&self) -> bool {
        self.mcr & MCR_LOOP != 0
    }

    fn fifo_capacity(&self) -> usize {
        if self.fcr & FCR_FE != 0 {
            FIFO_SIZE
        } else {
            1
        }
    }

    fn trigger_level(&self) -> usize {
        [1, 4, 8, 14][usize::from(self.fcr >> 6)]
    }

    /// Moves bytes from the wire into the FIFO (the wire is cut in loopback).
    fn refill(&mut self) {
        if self.loopback() {
            return;
        }
        let cap = self.fifo_capacity();
        while self.rx.len() < cap {
            let Some(b) = self.backlog.pop_front() else { break };
            self.rx.push_back(b);
        }
    }

    fn lsr(&self) -> u8 {
        let dr = if self.rx.is_empty() { 0 } else { LSR_DR };
        dr | LSR_THRE | LSR_TEMT | self.lsr_errors
    }

    /// The highest-priority enabled interrupt condition (IIR bits 0..3).
    fn iir_id(&self) -> u8 {
        if self.ier & IER_RLSI != 0 && self.lsr_errors & LSR_ERRORS != 0 {
            IIR_RLSI
        } else if self.ier & IER_RDI != 0 && !self.rx.is_empty() {
            if self.fcr & FCR_FE != 0 && self.rx.len() < self.trigger_level() {
                IIR_CTI
            } else {
                IIR_RDI
            }
        } else if self.ier & IER_THRI != 0 && self.thr_ipending {
            IIR_THRI
        } else if self.ier & IER_MSI != 0 && self.msr & MSR_DELTAS != 0 {
            IIR_MSI
        } else {
            IIR_NO_INT
        }
    }

    fn update_irq(&mut self) {
        let level = self.iir_id() != IIR_NO_INT;
        self.pin.set(level);
    }

    /// The modem inputs (MSR bits 4..7): wired to MCR outputs in loopback,
    /// otherwise a modem that is always there (CTS, DSR, DCD).
    fn modem_inputs(&self) -> u8 {
        if self.loopback() {
            let m = self.mcr;
            let mut v = 0;
            if m & MCR_RTS != 0 {
                v |= MSR_CTS;
            }
            if m & MCR_DTR != 0 {
                v |= MSR_DSR;
            }
            if m & MCR_OUT1 != 0 {
                v |= MSR_RI;
            }
            if m & MCR_OUT2 != 0 {
                v |= MSR_DCD;
            }
            v
        } else {
            MSR_CTS | MSR_DSR | MSR_DCD
        }
    }

    fn refresh_msr(&mut self) {
        let old = self.msr;
        let new = self.modem_inputs();
        let changed = old ^ new;
        let mut delta = old & MSR_DELTAS;
        if changed & MSR_CTS != 0 {
            delta |= MSR_DCTS;
        }
        if changed & MSR_DSR != 0 {
            delta |= MSR_DDSR;
        }
        if old & MSR_RI != 0 && new & MSR_RI == 0 {
            delta |= MSR_TERI;
        }
        if changed & MSR_DCD != 0 {
            delta |= MSR_DDCD;
        }
        self.msr = new | delta;
    }

    fn transmit(&mut self, b: u8) {
        if self.loopback() {
            if self.rx.len() < self.fifo_capacity() {
                self.rx.push_back(b);
            } else {
                self.lsr_errors |= LSR_OE;
            }
        } else {
            let _ = self.out.write_all(&[b]);
            let _ = self.out.flush();
        }
        // The byte left THR at once.
        self.thr_ipending = true;
    }

    fn read(&mut self, reg: u8) -> u8 {
        let dlab = self.lcr & LCR_DLAB != 0;
        match reg {
            RBR_THR if dlab => self.dll,
            RBR_THR => {
                let b = self.rx.pop_front().unwrap_or(0);
                self.refill();
                self.update_irq();
                b
            }
            IER if dlab => self.dlm,
            IER => self.ier,
            IIR_FCR => {
                let id = self.iir_id();
                if id == IIR_THRI {
                    self.thr_ipending = false;
                    self.update_irq();
                }
                let fifo = if self.fcr & FCR_FE != 0 { IIR_FIFO_ENABLED } else { 0 };
                id | fifo
            }
            LCR => self.lcr,
            MCR => self.mcr,
            LSR => {
                let v = self.lsr();
                if self.lsr_errors != 0 {
                    self.lsr_errors = 0;
                    self.update_irq();
                }
                v
            }
            MSR => {
                let v = self.msr;
                if v & MSR_DELTAS != 0 {
                    self.msr &= !MSR_DELTAS;
                    self.update_irq();
                }
                v
            }
            SCR => self.scr,
            _ => 0,
        }
    }

    fn write(&mut self, reg: u8, v: u8) {
        let dlab = self.lcr & LCR_DLAB != 0;
        match reg {
            RBR_THR if dlab => self.dll = v,
            RBR_THR => self.transmit(v),
            IER if dlab => self.dlm = v,
            IER => {
                let changed = (self.ier ^ v) & 0x0f;
                self.ier = v & 0x0f;
                if changed & IER_THRI != 0 {
                    // Enabling THRI while THR is empty (always) raises it.
                    self.thr_ipending = self.ier & IER_THRI != 0;
                }
            }
            IIR_FCR => {
                let mut v = v;
                if (v ^ self.fcr) & FCR_FE != 0 {
                    // Switching the FIFOs on or off resets them.
                    v |= FCR_CLEAR_RX | FCR_CLEAR_TX;
                }
                if v & FCR_CLEAR_RX != 0 {
                    self.rx.clear();
                    self.lsr_errors = 0;
                }
                if v & FCR_CLEAR_TX != 0 {
                    self.thr_ipending = self.ier & IER_THRI != 0;
                }
                self.fcr = v & 0xc9; // FE, DMA mode, trigger level
                self.refill();
            }
            LCR => self.lcr = v,
            MCR => {
                self.mcr = v & 0x1f;
                self.refresh_msr();
                self.refill();
            }
            SCR => self.scr = v,
            _ => {} // LSR and MSR are read-only
        }
        self.update_irq();
    }

    fn push_input(&mut self, bytes: &[u8]) -> usize {
        let n = bytes.len().min(RX_BACKLOG.saturating_sub(self.backlog.len()));
        self.backlog.extend(&bytes[..n]);
        self.refill();
        self.update_irq();
        n
    }

    fn reg(&self, offset: u64) -> Option<u8> {
        let shift = self.reg_shift.min(16);
        if offset & ((1u64 << shift) - 1) != 0 {
            return None;
        }
        let r = offset >> shift;
        (r < 8).then_some(r as u8)
    }
}

impl Drop for UartState {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

/// A handle on the UART (clone it for the bus and for the thread that feeds
/// host input).
#[derive(Clone)]
pub struct Uart16550(Arc<Mutex<UartState>>);

impl Uart16550 {
    /// A UART whose interrupt goes nowhere (polled use).
    pub fn new(out: Console) -> Uart16550 {
        Uart16550::with_irq(out, Arc::new(crate::irq::NoIrq), 0)
    }

    /// A UART driving interrupt `irq` of `sink` ([`VIRT_UART_IRQ`] on virt).
    pub fn with_irq(out: Console, sink: Arc<dyn IrqSink>, irq: u32) -> Uart16550 {
        let mut s = UartState {
            out,
            reg_shift: 0,
            rx: VecDeque::with_capacity(FIFO_SIZE),
            backlog: VecDeque::new(),
            ier: 0,
            fcr: 0,
            lcr: 0x03, // 8N1
            mcr: MCR_OUT2,
            lsr_errors: 0,
            msr: 0,
            scr: 0,
            dll: 0x0c, // 9600 baud at 1.8432 MHz
            dlm: 0,
            thr_ipending: false,
            pin: IrqPin::new(sink, irq),
        };
        s.msr = s.modem_inputs();
        Uart16550(Arc::new(Mutex::new(s)))
    }

    /// Registers `1 << shift` bytes apart (builder style).
    pub fn reg_shift(self, shift: u32) -> Uart16550 {
        self.0.lock().reg_shift = shift;
        self
    }

    /// Queues host input for the guest; returns how many bytes were taken
    /// (all of them unless [`RX_BACKLOG`] bytes are already waiting).
    pub fn push_input(&self, bytes: &[u8]) -> usize {
        self.0.lock().push_input(bytes)
    }

    /// Host input not yet read by the guest (FIFO and wire).
    pub fn input_pending(&self) -> usize {
        let s = self.0.lock();
        s.rx.len() + s.backlog.len()
    }

    /// The interrupt output's current level.
    pub fn irq_level(&self) -> bool {
        self.0.lock().pin.level()
    }
}

impl MmioDevice for Uart16550 {
    fn read(&mut self, offset: u64, _size: u8) -> u64 {
        let mut s = self.0.lock();
        s.reg(offset).map_or(0, |r| u64::from(s.read(r)))
    }

    fn write(&mut self, offset: u64, _size: u8, value: u64) {
        let mut s = self.0.lock();
        if let Some(r) = s.reg(offset) {
            s.write(r, value as u8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::irq::IrqLevels;
    use std::io::Write;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn setup() -> (Buf, Arc<IrqLevels>, Uart16550) {
        let buf = Buf::default();
        let sink = Arc::new(IrqLevels::new(16));
        let u = Uart16550::with_irq(Box::new(buf.clone()), sink.clone(), VIRT_UART_IRQ);
        (buf, sink, u)
    }

    fn rd(u: &mut Uart16550, reg: u8) -> u8 {
        u.read(u64::from(reg), 1) as u8
    }
    fn wr(u: &mut Uart16550, reg: u8, v: u8) {
        u.write(u64::from(reg), 1, u64::from(v))
    }

    #[test]
    fn transmit_goes_to_the_console() {
        let (buf, sink, mut u) = setup();
        assert_eq!(rd(&mut u, LSR) & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
        for &b in b"hello\n" {
            wr(&mut u, RBR_THR, b);
        }
        assert_eq!(&*buf.0.lock(), b"hello\n");
        // No interrupts enabled: the line stays low.
        assert!(!sink.level(VIRT_UART_IRQ));
        assert_eq!(rd(&mut u, IIR_FCR), IIR_NO_INT);
        assert_eq!(sink.calls.load(std::sync::atomic::Ordering::SeqCst), 0);
    }

    #[test]
    fn receive_fifo_and_data_ready() {
        let (_, _, mut u) = setup();
        assert_eq!(rd(&mut u, LSR) & LSR_DR, 0);
        assert_eq!(rd(&mut u, RBR_THR), 0);
        wr(&mut u, IIR_FCR, FCR_FE);
        assert_eq!(u.push_input(b"0123456789abcdefXYZ"), 19);
        assert_eq!(u.input_pending(), 19);
        let mut got = Vec::new();
        while rd(&mut u, LSR) & LSR_DR != 0 {
            got.push(rd(&mut u, RBR_THR));
        }
        assert_eq!(got, b"0123456789abcdefXYZ");
        assert_eq!(u.input_pending(), 0);
        // Clearing the RX FIFO drops what is in it (16 bytes); the rest of
        // the wire follows.
        u.push_input(&[7u8; 20]);
        wr(&mut u, IIR_FCR, FCR_FE | FCR_CLEAR_RX);
        assert_eq!(u.input_pending(), 4);
    }

    #[test]
    fn fifo_off_holds_one_byte() {
        let (_, _, mut u) = setup();
        u.push_input(b"ab");
        assert_eq!(u.0.lock().rx.len(), 1);
        assert_eq!(rd(&mut u, RBR_THR), b'a');
        assert_eq!(rd(&mut u, LSR) & LSR_DR, LSR_DR);
        assert_eq!(rd(&mut u, RBR_THR), b'b');
        assert_eq!(rd(&mut u, LSR) & LSR_DR, 0);
    }

    #[test]
    fn rx_interrupt_is_a_level() {
        let (_, sink, mut u) = setup();
        wr(&mut u, IIR_FCR, FCR_FE | 0x80); // trigger level 8
        wr(&mut u, IER, IER_RDI);
        assert!(!sink.level(VIRT_UART_IRQ));
        u.push_input(b"abc");
        assert!(sink.level(VIRT_UART_IRQ));
        // Below the trigger level: character timeout.
        assert_eq!(rd(&mut u, IIR_FCR), IIR_FIFO_ENABLED | IIR_CTI);
        // Reading IIR does not clear a data interrupt.
        assert!(sink.level(VIRT_UART_IRQ));
        u.push_input(b"defgh");
        assert_eq!(rd(&mut u, IIR_FCR), IIR_FIFO_ENABLED | IIR_RDI);
        for _ in 0..7 {
            rd(&mut u, RBR_THR);
            assert!(sink.level(VIRT_UART_IRQ));
        }
        rd(&mut u, RBR_THR);
        assert!(!sink.level(VIRT_UART_IRQ));
        assert_eq!(rd(&mut u, IIR_FCR), IIR_FIFO_ENABLED | IIR_NO_INT);
        // Disabling the interrupt lowers the line even with data waiting.
        u.push_input(b"x");
        assert!(sink.level(VIRT_UART_IRQ));
        wr(&mut u, IER, 0);
        assert!(!sink.level(VIRT_UART_IRQ));
    }

    #[test]
    fn thr_empty_interrupt() {
        let (_, sink, mut u) = setup();
        // Enabling THRI with THR empty raises it at once (Linux's TX start).
        wr(&mut u, IER, IER_THRI);
        assert!(sink.level(VIRT_UART_IRQ));
        // Reading IIR while THRI is reported clears it.
        assert_eq!(rd(&mut u, IIR_FCR), IIR_THRI);
        assert!(!sink.level(VIRT_UART_IRQ));
        assert_eq!(rd(&mut u, IIR_FCR), IIR_NO_INT);
        // Each transmitted byte empties THR again.
        wr(&mut u, RBR_THR, b'x');
        assert!(sink.level(VIRT_UART_IRQ));
        // Linux's startup test: IER=THRI, IIR, IER=0, IER=THRI, IIR.
        assert_eq!(rd(&mut u, IIR_FCR), IIR_THRI);
        wr(&mut u, IER, 0);
        wr(&mut u, IER, IER_THRI);
        assert_eq!(rd(&mut u, IIR_FCR), IIR_THRI);
        // Turning THRI off drops the condition.
        wr(&mut u, RBR_THR, b'y');
        wr(&mut u, IER, 0);
        assert!(!sink.level(VIRT_UART_IRQ));
        wr(&mut u, IER, IER_RDI);
        assert!(!sink.level(VIRT_UART_IRQ));
    }

    #[test]
    fn iir_priorities() {
        let (_, sink, mut u) = setup();
        wr(&mut u, IIR_FCR, FCR_FE);
        wr(&mut u, IER, IER_RDI | IER_THRI | IER_MSI);
        u.push_input(b"q");
        // Received data (at trigger level 1) outranks THR empty.
        assert_eq!(rd(&mut u, IIR_FCR) & 0x0f, IIR_RDI);
        assert_eq!(rd(&mut u, IIR_FCR) & 0x0f, IIR_RDI, "THRI not cleared behind RX");
        assert_eq!(rd(&mut u, RBR_THR), b'q');
        assert_eq!(rd(&mut u, IIR_FCR) & 0x0f, IIR_THRI);
        assert_eq!(rd(&mut u, IIR_FCR) & 0x0f, IIR_NO_INT);
        // Modem status comes last: change the modem lines through loopback.
        wr(&mut u, MCR, MCR_LOOP);
        assert!(sink.level(VIRT_UART_IRQ));
        assert_eq!(rd(&mut u, IIR_FCR) & 0x0f, IIR_MSI);
        let msr = rd(&mut u, MSR);
        assert_eq!(msr & MSR_DELTAS, MSR_DCTS | MSR_DDSR | MSR_DDCD);
        assert_eq!(msr & 0xf0, 0);
        assert!(!sink.level(VIRT_UART_IRQ));
        // Line status (overrun in loopback) outranks everything.
        wr(&mut u, IER, IER_RDI | IER_RLSI);
        for b in 0..17 {
            wr(&mut u, RBR_THR, b);
        }
        assert_eq!(rd(&mut u, IIR_FCR) & 0x0f, IIR_RLSI);
        assert_eq!(rd(&mut u, LSR) & (LSR_OE | LSR_DR), LSR_OE | LSR_DR);
        assert_eq!(rd(&mut u, IIR_FCR) & 0x0f, IIR_RDI);
    }

    #[test]
    fn loopback() {
        let (buf, _, mut u) = setup();
        wr(&mut u, IIR_FCR, FCR_FE);
        wr(&mut u, MCR, MCR_LOOP | 0x0a); // Linux's autoconfig test: RTS | OUT2
        u.push_input(b"from host");
        assert_eq!(rd(&mut u, MSR) & 0xf0, MSR_CTS | MSR_DCD);
        wr(&mut u, RBR_THR, b'L');
        assert!(buf.0.lock().is_empty());
        assert_eq!(rd(&mut u, RBR_THR), b'L');
        assert_eq!(rd(&mut u, LSR) & LSR_DR, 0, "the wire is cut in loopback");
        wr(&mut u, MCR, MCR_OUT2);
        assert_eq!(rd(&mut u, MSR) & 0xf0, MSR_CTS | MSR_DSR | MSR_DCD);
        let mut got = Vec::new();
        while rd(&mut u, LSR) & LSR_DR != 0 {
            got.push(rd(&mut u, RBR_THR));
        }
        assert_eq!(got, b"from host");
    }

    #[test]
    fn dlab_switches_registers() {
        let (buf, _, mut u) = setup();
        wr(&mut u, IER, 0x0f);
        wr(&mut u, LCR, LCR_DLAB | 0x03);
        wr(&mut u, RBR_THR, 0x01);
        wr(&mut u, IER, 0x00);
        assert_eq!(rd(&mut u, RBR_THR), 0x01);
        assert_eq!(rd(&mut u, IER), 0x00);
        assert!(buf.0.lock().is_empty(), "a divisor write is not output");
        wr(&mut u, LCR, 0x03);
        assert_eq!(rd(&mut u, IER), 0x0f);
        assert_eq!(rd(&mut u, LCR), 0x03);
        wr(&mut u, IER, 0xff);
        assert_eq!(rd(&mut u, IER), 0x0f);
        wr(&mut u, SCR, 0x5a);
        assert_eq!(rd(&mut u, SCR), 0x5a);
        // IIR shows the FIFO state.
        wr(&mut u, IER, 0);
        assert_eq!(rd(&mut u, IIR_FCR), IIR_NO_INT);
        wr(&mut u, IIR_FCR, FCR_FE);
        assert_eq!(rd(&mut u, IIR_FCR), IIR_FIFO_ENABLED | IIR_NO_INT);
    }

    #[test]
    fn reg_shift_and_wide_accesses() {
        let buf = Buf::default();
        let mut u = Uart16550::with_irq(Box::new(buf.clone()), Arc::new(crate::irq::NoIrq), 0).reg_shift(2);
        u.write(4 * u64::from(SCR), 4, 0x1234_5678);
        assert_eq!(u.read(4 * u64::from(SCR), 4), 0x78);
        assert_eq!(u.read(4 * u64::from(SCR) + 1, 1), 0);
        u.write(0, 8, u64::from(b'!'));
        assert_eq!(&*buf.0.lock(), b"!");
    }

    #[test]
    fn backlog_is_bounded() {
        let (_, _, u) = setup();
        let big = vec![b'a'; RX_BACKLOG + 100];
        let n = u.push_input(&big);
        assert!(n >= RX_BACKLOG && n < big.len());
        assert!(u.push_input(b"more") <= 1);
    }

    #[test]
    fn input_from_another_thread_while_the_bus_holds_the_device() {
        let (_, sink, u) = setup();
        let bus_side = Arc::new(Mutex::new(u.clone()));
        wr(&mut bus_side.lock(), IER, IER_RDI);
        let feeder = u.clone();
        std::thread::spawn(move || feeder.push_input(b"k")).join().unwrap();
        assert!(sink.level(VIRT_UART_IRQ));
        assert_eq!(rd(&mut bus_side.lock(), RBR_THR), b'k');
        assert!(!u.irq_level());
    }

    #[test]
    fn no_panic_anywhere() {
        let (_, _, mut u) = setup();
        for shift in [0u32, 2, 40] {
            u.0.lock().reg_shift = shift;
            for off in (0..0x120).chain([u64::MAX]) {
                for size in [1u8, 2, 4, 8, 0] {
                    let _ = u.read(off, size);
                    u.write(off, size, u64::MAX);
                    u.write(off, size, 0);
                }
            }
        }
    }
}
