//! Control and status registers: storage, access rules and WARL masks.

use super::{Cpu, PRV_M, PRV_S, PRV_U};

pub const MSTATUS_SIE: u64 = 1 << 1;
pub const MSTATUS_MIE: u64 = 1 << 3;
pub const MSTATUS_SPIE: u64 = 1 << 5;
pub const MSTATUS_MPIE: u64 = 1 << 7;
pub const MSTATUS_SPP: u64 = 1 << 8;
pub const MSTATUS_MPP: u64 = 3 << 11;
pub const MSTATUS_FS: u64 = 3 << 13;
pub const MSTATUS_MPRV: u64 = 1 << 17;
pub const MSTATUS_SUM: u64 = 1 << 18;
pub const MSTATUS_MXR: u64 = 1 << 19;
pub const MSTATUS_TVM: u64 = 1 << 20;
pub const MSTATUS_TW: u64 = 1 << 21;
pub const MSTATUS_TSR: u64 = 1 << 22;
pub const MSTATUS_UXL: u64 = 3 << 32;
pub const MSTATUS_SXL: u64 = 3 << 34;
pub const MSTATUS_SD: u64 = 1 << 63;

const MSTATUS_WRITABLE: u64 = MSTATUS_SIE
    | MSTATUS_MIE
    | MSTATUS_SPIE
    | MSTATUS_MPIE
    | MSTATUS_SPP
    | MSTATUS_MPP
    | MSTATUS_FS
    | MSTATUS_MPRV
    | MSTATUS_SUM
    | MSTATUS_MXR
    | MSTATUS_TVM
    | MSTATUS_TW
    | MSTATUS_TSR;
const SSTATUS_VISIBLE: u64 =
    MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD;

/// Interrupt bits in mip/mie.
pub const IRQ_SSI: u64 = 1 << 1;
pub const IRQ_MSI: u64 = 1 << 3;
pub const IRQ_STI: u64 = 1 << 5;
pub const IRQ_MTI: u64 = 1 << 7;
pub const IRQ_SEI: u64 = 1 << 9;
pub const IRQ_MEI: u64 = 1 << 11;
const S_IRQS: u64 = IRQ_SSI | IRQ_STI | IRQ_SEI;
const ALL_IRQS: u64 = S_IRQS | IRQ_MSI | IRQ_MTI | IRQ_MEI;

/// Exceptions that may be delegated to S-mode (not ecall-from-M).
const MEDELEG_WRITABLE: u64 = 0xb3ff;

pub const SATP_MODE_BARE: u64 = 0;
pub const SATP_MODE_SV39: u64 = 8;
pub const SATP_MODE_SV48: u64 = 9;

pub const NUM_PMP: usize = 16;

const MISA: u64 = (2 << 62) | letters(b"ACDFIMSU");
const fn letters(l: &[u8]) -> u64 {
    let mut v = 0;
    let mut i = 0;
    while i < l.len() {
        v |= 1 << (l[i] - b'A');
        i += 1;
    }
    v
}

/// Layout of the fcsr word: fflags in bits 0-4, frm in bits 5-7.
pub const FFLAGS_MASK: u64 = 0x1f;
pub const FRM_SHIFT: u32 = 5;
pub const FRM_MASK: u64 = 7;
pub const FCSR_MASK: u64 = 0xff;

pub struct Csrs {
    pub mstatus: u64,
    pub medeleg: u64,
    pub mideleg: u64,
    pub mie: u64,
    /// Software-writable pending bits; device lines are ORed in by [`Csrs::mip`].
    pub mip: u64,
    /// Interrupt lines driven by devices (MTIP, MSIP, MEIP, SEIP).
    pub mip_lines: std::sync::Arc<std::sync::atomic::AtomicU64>,
    pub mtvec: u64,
    pub mscratch: u64,
    pub mepc: u64,
    pub mcause: u64,
    pub mtval: u64,
    pub mcounteren: u64,
    pub mcountinhibit: u64,
    pub menvcfg: u64,
    pub stvec: u64,
    pub sscratch: u64,
    pub sepc: u64,
    pub scause: u64,
    pub stval: u64,
    pub scounteren: u64,
    pub senvcfg: u64,
    pub satp: u64,
    /// fcsr as the guest sees it: fflags in bits 0-4, frm in bits 5-7 (one
    /// word, so inline FP fast paths check both with one load).
    pub fcsr: u64,
    pub pmpcfg: [u8; NUM_PMP],
    pub pmpaddr: [u64; NUM_PMP],
    pub mhartid: u64,
    /// Added to instret to give mcycle / minstret (written by the guest).
    pub cycle_offset: u64,
    pub instret_offset: u64,
    /// Values of mcycle / minstret while mcountinhibit stops them.
    pub cycle_frozen: u64,
    pub instret_frozen: u64,
}

const INHIBIT_CY: u64 = 1 << 0;
const INHIBIT_IR: u64 = 1 << 2;

impl Csrs {
    pub fn new(hartid: u64) -> Csrs {
        Csrs {
            mstatus: (2 << 32) | (2 << 34),
            medeleg: 0,
            mideleg: 0,
            mie: 0,
            mip: 0,
            mip_lines: Default::default(),
            mtvec: 0,
            mscratch: 0,
            mepc: 0,
            mcause: 0,
            mtval: 0,
            mcounteren: 0,
            mcountinhibit: 0,
            menvcfg: 0,
            stvec: 0,
            sscratch: 0,
            sepc: 0,
            scause: 0,
            stval: 0,
            scounteren: 0,
            senvcfg: 0,
            satp: 0,
            fcsr: 0,
            pmpcfg: [0; NUM_PMP],
            pmpaddr: [0; NUM_PMP],
            mhartid: hartid,
            cycle_offset: 0,
            instret_offset: 0,
            cycle_frozen: 0,
            instret_frozen: 0,
        }
    }

    /// Pending interrupts: software-set bits plus device lines.
    pub fn mip(&self) -> u64 {
        self.mip | self.mip_lines.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn fs_off(&self) -> bool {
        self.mstatus & MSTATUS_FS == 0
    }
    /// The accrued exception flags (NV DZ OF UF NX).
    pub fn fflags(&self) -> u64 {
        self.fcsr & FFLAGS_MASK
    }
    /// The dynamic rounding mode.
    pub fn frm(&self) -> u64 {
        self.fcsr >> FRM_SHIFT
    }
    pub fn set_fflags(&mut self, flags: u64) {
        self.fcsr = (self.fcsr & !FFLAGS_MASK) | (flags & FFLAGS_MASK);
    }
    pub fn set_frm(&mut self, rm: u64) {
        self.fcsr = (self.fcsr & FFLAGS_MASK) | ((rm & FRM_MASK) << FRM_SHIFT);
    }
    /// Sets the whole fcsr (bits above it are dropped).
    pub fn set_fcsr(&mut self, v: u64) {
        self.fcsr = v & FCSR_MASK;
    }
    pub fn set_fs_dirty(&mut self) {
        self.mstatus |= MSTATUS_FS;
    }
}

/// Why a CSR access was refused: the instruction is illegal.
pub struct Illegal;

fn mstatus_read(m: u64) -> u64 {
    let dirty = m & MSTATUS_FS == MSTATUS_FS;
    (m & !MSTATUS_SD) | if dirty { MSTATUS_SD } else { 0 }
}

impl Cpu {
    fn counter_allowed(&self, csr: u16) -> bool {
        let bit = 1u64 << (csr & 31);
        match self.prv {
            PRV_M => true,
            PRV_S => self.csr.mcounteren & bit != 0,
            _ => self.csr.mcounteren & bit != 0 && self.csr.scounteren & bit != 0,
        }
    }

    /// Checks the privilege and read-only rules shared by every CSR.
    fn csr_check(&self, csr: u16, write: bool) -> Result<(), Illegal> {
        let required = ((csr >> 8) & 3) as u8;
        if self.prv < required || (write && csr >> 10 == 3) {
            return Err(Illegal);
        }
        if csr <= 3 && self.csr.fs_off() {
            return Err(Illegal);
        }
        if csr == 0x180 && self.prv == PRV_S && self.csr.mstatus & MSTATUS_TVM != 0 {
            return Err(Illegal);
        }
        if (0xc00..=0xc1f).contains(&csr) && !self.counter_allowed(csr) {
            return Err(Illegal);
        }
        Ok(())
    }

    pub fn csr_read(&mut self, csr: u16) -> Result<u64, Illegal> {
        self.csr_check(csr, false)?;
        let c = &self.csr;
        let cycle = self.counter(INHIBIT_CY);
        let instret = self.counter(INHIBIT_IR);
        Ok(match csr {
            0x001 => c.fflags(),
            0x002 => c.frm(),
            0x003 => c.fcsr,
            0xc00 => cycle,
            0xc01 => self.clock.now(self.instret),
            0xc02 => instret,
            0xc03..=0xc1f => 0,
            0x100 => mstatus_read(c.mstatus) & SSTATUS_VISIBLE,
            0x104 => c.mie & c.mideleg,
            0x105 => c.stvec,
            0x106 => c.scounteren,
            0x10a => c.senvcfg,
            0x140 => c.sscratch,
            0x141 => c.sepc,
            0x142 => c.scause,
            0x143 => c.stval,
            0x144 => c.mip() & c.mideleg,
            0x180 => c.satp,
            0xf11..=0xf13 | 0xf15 => 0,
            0xf14 => c.mhartid,
            0x300 => mstatus_read(c.mstatus),
            0x301 => MISA,
            0x302 => c.medeleg,
            0x303 => c.mideleg,
            0x304 => c.mie,
            0x305 => c.mtvec,
            0x306 => c.mcounteren,
            0x30a => c.menvcfg,
            0x320 => c.mcountinhibit,
            0x323..=0x33f => 0,
            0x340 => c.mscratch,
            0x341 => c.mepc,
            0x342 => c.mcause,
            0x343 => c.mtval,
            0x344 => c.mip(),
            0x3a0..=0x3af => {
                let n = usize::from(csr - 0x3a0);
                if n % 2 == 1 {
                    return Err(Illegal);
                }
                let base = n * 4;
                if base >= NUM_PMP {
                    0
                } else {
                    (0..8).fold(0, |v, i| v | u64::from(c.pmpcfg[base + i]) << (8 * i))
                }
            }
            0x3b0..=0x3ef => {
                let n = usize::from(csr - 0x3b0);
                if n < NUM_PMP {
                    self.pmpaddr_read(n)
                } else {
                    0
                }
            }
            // Debug triggers: none implemented (tselect/tdata read as zero).
            0x7a0..=0x7a3 => 0,
            0xb00 => cycle,
            0xb02 => instret,
            0xb03..=0xb1f => 0,
            _ => return Err(Illegal),
        })
    }

    fn pmpaddr_read(&self, n: usize) -> u64 {
        self.csr.pmpaddr[n]
    }

    /// Writes a CSR. The caller has already read it if the instruction needs the old value.
    pub fn csr_write(&mut self, csr: u16, v: u64) -> Result<(), Illegal> {
        self.csr_check(csr, true)?;
        self.csr_write_unchecked(csr, v)?;
        if self.trace_csrs.is_some() {
            let after = self.csr_read(csr).unwrap_or(v);
            if let Some(log) = &mut self.trace_csrs {
                log.push((csr, after));
            }
        }
        Ok(())
    }

    fn csr_write_unchecked(&mut self, csr: u16, v: u64) -> Result<(), Illegal> {
        let c = &mut self.csr;
        match csr {
            0x001 => {
                c.set_fflags(v);
                c.set_fs_dirty();
            }
            0x002 => {
                c.set_frm(v);
                c.set_fs_dirty();
            }
            0x003 => {
                c.set_fcsr(v);
                c.set_fs_dirty();
            }
            0x100 => {
                let m = SSTATUS_VISIBLE & MSTATUS_WRITABLE;
                let new = (c.mstatus & !m) | (v & m);
                self.write_mstatus(new);
            }
            0x104 => c.mie = (c.mie & !c.mideleg) | (v & c.mideleg),
            0x105 => c.stvec = tvec(c.stvec, v),
            0x106 => c.scounteren = v & 0xffff_ffff,
            0x10a => c.senvcfg = v & 1,
            0x140 => c.sscratch = v,
            0x141 => c.sepc = v & !1,
            0x142 => c.scause = v,
            0x143 => c.stval = v,
            0x144 => {
                let m = c.mideleg & IRQ_SSI;
                c.mip = (c.mip & !m) | (v & m);
            }
            0x180 => {
                let mode = v >> 60;
                if matches!(mode, SATP_MODE_BARE | SATP_MODE_SV39 | SATP_MODE_SV48) {
                    c.satp = (mode << 60) | (v & ((0xffff << 44) | ((1 << 44) - 1)));
                    self.flush_tlbs();
                }
            }
            0x300 => {
                let new = (c.mstatus & !MSTATUS_WRITABLE) | (v & MSTATUS_WRITABLE);
                self.write_mstatus(new);
            }
            0x301 => {} // misa is read-only here (WARL): all extensions stay on.
            0x302 => c.medeleg = v & MEDELEG_WRITABLE,
            0x303 => c.mideleg = v & S_IRQS,
            0x304 => c.mie = v & ALL_IRQS,
            0x305 => c.mtvec = tvec(c.mtvec, v),
            0x306 => c.mcounteren = v & 0xffff_ffff,
            0x30a => c.menvcfg = v & 1,
            0x320 => {
                let v = v & 0xffff_fffd;
                for bit in [INHIBIT_CY, INHIBIT_IR] {
                    let now = self.counter(bit);
                    let was = self.csr.mcountinhibit & bit != 0;
                    if v & bit != 0 && !was {
                        *self.frozen(bit) = now;
                    } else if v & bit == 0 && was {
                        self.counter_write(bit, now);
                    }
                }
                self.csr.mcountinhibit = v;
            }
            0x323..=0x33f => {}
            0x340 => c.mscratch = v,
            0x341 => c.mepc = v & !1,
            0x342 => c.mcause = v,
            0x343 => c.mtval = v,
            0x344 => {
                let m = S_IRQS;
                c.mip = (c.mip & !m) | (v & m);
            }
            0x3a0..=0x3af => {
                let n = usize::from(csr - 0x3a0);
                if n % 2 == 1 {
                    return Err(Illegal);
                }
                for i in 0..8 {
                    let idx = n * 4 + i;
                    if idx < NUM_PMP && c.pmpcfg[idx] & 0x80 == 0 {
                        let mut b = (v >> (8 * i)) as u8 & 0x9f;
                        // R=0,W=1 is reserved: keep such entries inaccessible.
                        if b & 3 == 2 {
                            b &= !3;
                        }
                        c.pmpcfg[idx] = b;
                    }
                }
                self.flush_tlbs();
            }
            0x3b0..=0x3ef => {
                let n = usize::from(csr - 0x3b0);
                if n < NUM_PMP && !self.pmp_locked_addr(n) {
                    self.csr.pmpaddr[n] = v & ((1 << 54) - 1);
                    self.flush_tlbs();
                }
            }
            0x7a0..=0x7a3 => {}
            0xb00 => self.counter_write(INHIBIT_CY, v),
            0xb02 => self.counter_write(INHIBIT_IR, v),
            0xb03..=0xb1f => {}
            _ => return Err(Illegal),
        }
        Ok(())
    }

    /// Current mcycle (`INHIBIT_CY`) or minstret (`INHIBIT_IR`). Both count
    /// retired instructions: one cycle per instruction.
    fn counter(&self, which: u64) -> u64 {
        let c = &self.csr;
        let (offset, frozen) =
            if which == INHIBIT_CY { (c.cycle_offset, c.cycle_frozen) } else { (c.instret_offset, c.instret_frozen) };
        if c.mcountinhibit & which != 0 {
            frozen
        } else {
            self.instret.wrapping_add(offset)
        }
    }

    fn frozen(&mut self, which: u64) -> &mut u64 {
        if which == INHIBIT_CY {
            &mut self.csr.cycle_frozen
        } else {
            &mut self.csr.instret_frozen
        }
    }

    /// Sets a counter so that, after the writing instruction retires, it reads `v`.
    fn counter_write(&mut self, which: u64, v: u64) {
        if self.csr.mcountinhibit & which != 0 {
            *self.frozen(which) = v;
            return;
        }
        let offset = v.wrapping_sub(self.instret).wrapping_sub(1);
        if which == INHIBIT_CY {
            self.csr.cycle_offset = offset;
        } else {
            self.csr.instret_offset = offset;
        }
    }

    fn pmp_locked_addr(&self, n: usize) -> bool {
        let c = &self.csr;
        let locked = c.pmpcfg[n] & 0x80 != 0;
        // A locked TOR entry also locks the address register below it.
        let next_tor_locked = n + 1 < NUM_PMP && c.pmpcfg[n + 1] & 0x80 != 0 && c.pmpcfg[n + 1] >> 3 & 3 == 1;
        locked || next_tor_locked
    }

    pub fn write_mstatus(&mut self, v: u64) {
        let old = self.csr.mstatus;
        let mut v = v;
        // MPP holds only implemented privilege levels.
        if (v >> 11) & 3 == 2 {
            v = (v & !MSTATUS_MPP) | (old & MSTATUS_MPP);
        }
        self.csr.mstatus = (v & !(MSTATUS_UXL | MSTATUS_SXL | MSTATUS_SD)) | (2 << 32) | (2 << 34);
        if (old ^ self.csr.mstatus) & (MSTATUS_SUM | MSTATUS_MXR) != 0 {
            self.flush_tlbs();
        }
    }

    pub fn set_prv(&mut self, prv: u8) {
        debug_assert!(matches!(prv, PRV_U | PRV_S | PRV_M));
        self.prv = prv;
    }
}

fn tvec(old: u64, v: u64) -> u64 {
    // Modes 0 (direct) and 1 (vectored); reserved modes keep the old value.
    if v & 3 >= 2 {
        old
    } else {
        v & !2
    }
}
