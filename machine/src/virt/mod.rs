//! `riscv-virt`: a board with QEMU `virt`'s memory map and devices, so that
//! unmodified OpenSBI, U-Boot and Linux images built for QEMU boot on it.
//! One host thread runs each hart.

pub mod boot;
pub mod fdt;
pub mod harts;
pub mod map;
pub mod pace;
pub mod sbi;

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use xlate_devices::clint::{Clint, HostClock, TimeSource};
use xlate_devices::goldfish_rtc::GoldfishRtc;
use xlate_devices::irq::IrqPin;
use xlate_devices::net_slirp::{SlirpBackend, SlirpOptions};
use xlate_devices::plic::Plic;
use xlate_devices::sifive_test::SifiveTest;
use xlate_devices::uart16550::Uart16550;
use xlate_devices::virtio::{self, open_disk, ConsoleInput, DiskOptions};
use xlate_devices::virtio_mmio::{EmptySlot, VirtioMmio};
use xlate_devices::{BusRef, Console};
use xlate_frontend::riscv::{Clock, Cpu, Riscv, PRV_S};
use xlate_softmmu::{Bus, Ram};
use xlate_translator::{Engine, EngineKind, Exit, TraceConfig};

use crate::console::SharedConsole;
use harts::{HartShared, HSM_STARTED, HSM_START_PENDING, HSM_STOPPED};
use map::*;
use pace::Pace;

/// Which M-mode firmware runs.
pub enum Bios {
    /// xlate's built-in SBI; the kernel is entered in S-mode.
    Builtin,
    /// No firmware: the kernel is entered in M-mode through the reset ROM.
    None,
    /// A firmware image (OpenSBI fw_jump/fw_dynamic, U-Boot) loaded at RAM base.
    Image(Vec<u8>),
}

pub struct VirtOptions {
    pub engine: EngineKind,
    pub jit_threshold: u32,
    pub ram_size: u64,
    pub harts: usize,
    pub bios: Bios,
    pub kernel: Option<Vec<u8>>,
    pub initrd: Option<Vec<u8>>,
    pub append: String,
    /// Where guest console output goes.
    pub console: Console,
    /// Trace hart 0 (commit log).
    pub trace: Option<TraceConfig>,
    /// Disks, attached as virtio-blk devices in this order (vda, vdb, ...).
    pub drives: Vec<DiskOptions>,
    /// User-mode networks (libslirp), attached as virtio-net devices (eth0, ...).
    pub netdevs: Vec<SlirpOptions>,
}

/// The `time` CSR reads the CLINT's clock.
struct MtimeClock(Arc<dyn TimeSource>);
impl Clock for MtimeClock {
    fn now(&self, _instret: u64) -> u64 {
        self.0.mtime()
    }
}

/// A built board, ready to run.
pub struct VirtBoard {
    pub bus: Arc<Bus>,
    pub fdt: Vec<u8>,
    pub uart: Uart16550,
    /// virtio-console input (hvc0).
    pub hvc_input: ConsoleInput,
    /// virtio-blk devices, flushed when the machine stops.
    disks: Vec<VirtioMmio>,
    /// Console input also readable through the SBI (hvc0).
    pub sbi_input: Arc<Mutex<VecDeque<u8>>>,
    harts: Arc<Vec<HartShared>>,
    pace: Arc<Pace>,
    cpus: Vec<Box<Cpu>>,
    clint: Clint,
    rtc: GoldfishRtc,
    opts_engine: (EngineKind, u32),
    trace: Option<TraceConfig>,
}

impl VirtBoard {
    pub fn new(opts: VirtOptions) -> Result<VirtBoard, String> {
        if !(1..=8).contains(&opts.harts) {
            return Err(format!("--smp {} is out of range (1 to 8)", opts.harts));
        }
        let builtin = matches!(opts.bios, Bios::Builtin);
        let harts: Arc<Vec<HartShared>> =
            Arc::new((0..opts.harts).map(|h| HartShared::new(h, !builtin || h == 0)).collect());
        let lines: Vec<_> = harts.iter().map(|h| h.lines.clone()).collect();
        let running: Vec<bool> = harts.iter().map(|h| h.hsm.load(Ordering::Relaxed) == HSM_STARTED).collect();
        let pace = Arc::new(Pace::new(&running));

        let mut bus = Bus::default();
        bus.add_ram(Ram::new(RAM_BASE, opts.ram_size, false).map_err(|e| format!("cannot allocate guest RAM: {e}"))?);
        bus.add_ram(
            Ram::new(BOOT_ROM_BASE, BOOT_ROM_SIZE, true).map_err(|e| format!("cannot allocate boot ROM: {e}"))?,
        );

        // Images: firmware at RAM base, the kernel above it, then initrd and device tree.
        let firmware_entry = match &opts.bios {
            Bios::Image(fw) => {
                Some(crate::elf::load_image(&bus, fw, RAM_BASE).map_err(|e| format!("bios: {e}"))?.entry)
            }
            _ => None,
        };
        let kernel_default = if matches!(opts.bios, Bios::None) { RAM_BASE } else { RAM_BASE + 0x20_0000 };
        let kernel = match &opts.kernel {
            Some(k) => Some(boot::load_kernel(&bus, k, kernel_default).map_err(|e| format!("kernel: {e}"))?),
            None => None,
        };
        if builtin && kernel.is_none() {
            return Err("--bios builtin needs a --kernel to run".into());
        }
        let initrd = match (&opts.initrd, kernel) {
            (Some(rd), Some((entry, _))) => {
                let base = boot::initrd_base(entry, opts.ram_size, rd.len() as u64)?;
                if !bus.write_bytes(base, rd) {
                    return Err("initrd does not fit in RAM".into());
                }
                Some((base, base + rd.len() as u64))
            }
            (Some(_), None) => return Err("--initrd needs a --kernel".into()),
            _ => None,
        };
        let fdt = fdt::build(&fdt::FdtConfig {
            harts: opts.harts,
            ram_size: opts.ram_size,
            bootargs: opts.append.clone(),
            initrd,
            virtio_slots: VIRTIO_SLOTS,
        })
        .map_err(|e| format!("cannot build the device tree: {e}"))?;
        let fdt_addr = boot::fdt_base(opts.ram_size, fdt.len() as u64);
        if kernel.is_some_and(|(_, end)| end > fdt_addr) || initrd.is_some_and(|(_, end)| end > fdt_addr) {
            return Err(format!("kernel and initrd do not fit in {} MiB of RAM", opts.ram_size >> 20));
        }
        bus.write_bytes(fdt_addr, &fdt);
        let kernel_entry = kernel.map(|(e, _)| e).unwrap_or(RAM_BASE);
        let first = firmware_entry.unwrap_or(kernel_entry);
        bus.write_bytes(BOOT_ROM_BASE, &boot::reset_rom(first, fdt_addr, kernel_entry));

        // Devices.
        let console = SharedConsole::new(opts.console);
        let bus_ref = BusRef::default();
        let time: Arc<dyn TimeSource> = Arc::new(HostClock::new());
        let clint = Clint::for_harts(time.clone(), &lines);
        let plic = Plic::for_harts(xlate_devices::plic::VIRT_NDEV, &lines);
        let uart = Uart16550::with_irq(Box::new(console.clone()), plic.sink(), UART_IRQ);
        let rtc = GoldfishRtc::new(plic.sink(), RTC_IRQ);
        bus.add_mmio(CLINT_BASE, CLINT_SIZE, "clint", Arc::new(Mutex::new(clint.clone())));
        bus.add_mmio(PLIC_BASE, PLIC_SIZE, "plic", Arc::new(Mutex::new(plic.clone())));
        bus.add_mmio(UART_BASE, 0x100, "uart", Arc::new(Mutex::new(uart.clone())));
        bus.add_mmio(RTC_BASE, 0x1000, "rtc", Arc::new(Mutex::new(rtc.clone())));
        bus.add_mmio(TEST_BASE, 0x1000, "test", Arc::new(Mutex::new(SifiveTest::new(bus_ref.clone()))));
        // virtio: disks from the highest slot down (as QEMU does, so the first
        // drive is vda), then the entropy source and the console.
        if opts.drives.len() + opts.netdevs.len() > VIRTIO_SLOTS - 2 {
            return Err(format!("at most {} drives and network devices are supported", VIRTIO_SLOTS - 2));
        }
        let slot_irq = |slot: usize| IrqPin::new(plic.sink(), VIRTIO_IRQ0 + slot as u32);
        let mut slots: Vec<Option<(&'static str, VirtioMmio)>> = vec![None; VIRTIO_SLOTS];
        let mut disks = Vec::new();
        for (n, d) in opts.drives.iter().enumerate() {
            let disk = open_disk(d).map_err(|e| format!("drive {}: {e}", d.path.display()))?;
            let slot = VIRTIO_SLOTS - 1 - n;
            let dev = virtio::virtio_blk(slot_irq(slot), bus_ref.clone(), disk, &format!("xlate-disk{n}"));
            disks.push(dev.clone());
            slots[slot] = Some(("virtio-blk", dev));
        }
        // Network devices in the highest slots the disks left free.
        for (n, net) in opts.netdevs.iter().enumerate() {
            let slot = VIRTIO_SLOTS - 1 - opts.drives.len() - n;
            let mut mac = virtio::net::DEFAULT_MAC;
            mac[5] = mac[5].wrapping_add(n as u8);
            let backend = Box::new(SlirpBackend::new(net.clone()));
            let dev = virtio::virtio_net(slot_irq(slot), bus_ref.clone(), mac, backend)
                .map_err(|e| format!("netdev user: {e}"))?;
            slots[slot] = Some(("virtio-net", dev));
        }
        slots[0] = Some(("virtio-rng", virtio::virtio_rng(slot_irq(0), bus_ref.clone())));
        let (hvc, hvc_input) = virtio::virtio_console(slot_irq(1), bus_ref.clone(), Box::new(console.clone()));
        slots[1] = Some(("virtio-console", hvc));
        for (slot, dev) in slots.into_iter().enumerate() {
            let base = VIRTIO_BASE + slot as u64 * VIRTIO_STRIDE;
            match dev {
                Some((name, dev)) => bus.add_mmio(base, VIRTIO_STRIDE, name, Arc::new(Mutex::new(dev))),
                None => bus.add_mmio(base, VIRTIO_STRIDE, "virtio-mmio", Arc::new(Mutex::new(EmptySlot))),
            }
        }
        let bus = Arc::new(bus);
        bus_ref.bind(&bus);

        let sbi_input = Arc::new(Mutex::new(VecDeque::new()));
        let sbi = builtin.then(|| {
            let t = time.clone();
            Arc::new(sbi::Sbi {
                harts: harts.clone(),
                pace: pace.clone(),
                bus: Arc::downgrade(&bus),
                console: Mutex::new(Box::new(console.clone())),
                input: sbi_input.clone(),
                mtime: Box::new(move || t.mtime()),
            })
        });

        let clock: Arc<dyn Clock> = Arc::new(MtimeClock(time));
        let cpus = harts
            .iter()
            .map(|h| {
                let mut cpu = Cpu::new(bus.clone(), h.id as u64, clock.clone());
                cpu.csr.mip_lines = h.lines.bits.clone();
                cpu.remote = h.remote.clone();
                match &sbi {
                    Some(sbi) => {
                        cpu.firmware = Some(sbi.clone());
                        enter_supervisor(&mut cpu, kernel_entry, h.id as u64, fdt_addr);
                    }
                    None => cpu.pc = BOOT_ROM_BASE,
                }
                cpu
            })
            .collect();
        Ok(VirtBoard {
            bus,
            fdt,
            uart,
            hvc_input,
            disks,
            sbi_input,
            harts,
            pace,
            cpus,
            clint,
            rtc,
            opts_engine: (opts.engine, opts.jit_threshold),
            trace: opts.trace,
        })
    }

    /// Runs every hart on its own thread until the machine halts; returns the exit code.
    pub fn run(mut self) -> Result<u64, String> {
        let mut threads = Vec::new();
        for (id, mut cpu) in self.cpus.drain(..).enumerate() {
            let mut engine = Engine::<Riscv>::new(self.opts_engine.0, self.opts_engine.1)?;
            if id == 0 {
                if let Some(t) = self.trace.take() {
                    engine.set_trace(&mut cpu, t);
                }
            }
            let ctx = HartContext {
                harts: self.harts.clone(),
                pace: self.pace.clone(),
                bus: self.bus.clone(),
                clint: self.clint.clone(),
                rtc: (id == 0).then(|| self.rtc.clone()),
            };
            let t = std::thread::Builder::new()
                .name(format!("hart{id}"))
                .spawn(move || ctx.run_hart(&mut cpu, &mut engine))
                .map_err(|e| format!("cannot start hart thread: {e}"))?;
            threads.push(t);
        }
        // Join every hart (no short-circuit) before looking at the outcome.
        let joined: Vec<bool> = threads.into_iter().map(|t| t.join().is_ok()).collect();
        let crashed = joined.contains(&false);
        // Guest writes must reach the image files, whatever happened.
        for d in &self.disks {
            d.flush().map_err(|e| format!("cannot write disk image: {e}"))?;
        }
        if crashed {
            return Err("a hart thread crashed".into());
        }
        Ok(self.bus.halted().unwrap_or(0))
    }
}

/// Puts a hart where the built-in SBI hands over to a kernel: S-mode at
/// `entry`, a0 = hart id, a1 = opaque (the device tree for the boot hart),
/// with the delegation and PMP set up that firmware would leave behind.
fn enter_supervisor(cpu: &mut Cpu, entry: u64, hartid: u64, a1: u64) {
    use xlate_frontend::riscv::csr::*;
    // Exceptions S-mode handles itself: misaligned, faults, breakpoint, ecall from U, page faults.
    cpu.csr.medeleg = (1 << 0)
        | (1 << 1)
        | (1 << 2)
        | (1 << 3)
        | (1 << 4)
        | (1 << 5)
        | (1 << 6)
        | (1 << 7)
        | (1 << 8)
        | (1 << 12)
        | (1 << 13)
        | (1 << 15);
    cpu.csr.mideleg = IRQ_SSI | IRQ_STI | IRQ_SEI;
    cpu.csr.mcounteren = 0xffff_ffff;
    // Like OpenSBI: U-mode may read cycle, time and instret (the vDSO's
    // clock_gettime uses rdtime) unless the kernel says otherwise.
    cpu.csr.scounteren = 0x7;
    // One PMP region over everything, so S/U accesses are allowed.
    let _ = cpu.csr_write(0x3b0, (1u64 << 54) - 1);
    let _ = cpu.csr_write(0x3a0, 0x1f); // NAPOT | R | W | X
    cpu.csr.mie = 0;
    cpu.set_prv(PRV_S);
    cpu.pc = entry;
    cpu.regs = [0; 64];
    cpu.set_x(10, hartid);
    cpu.set_x(11, a1);
    cpu.flush_tlbs();
}

struct HartContext {
    harts: Arc<Vec<HartShared>>,
    pace: Arc<Pace>,
    bus: Arc<Bus>,
    clint: Clint,
    rtc: Option<GoldfishRtc>,
}

/// Instructions a lone hart runs between looks at its timers (several harts
/// use the shorter [`pace::SMP_SLICE`] to stay in step).
const SLICE: u64 = 20_000;
/// Longest sleep in WFI before re-checking everything.
const MAX_IDLE: Duration = Duration::from_millis(10);

impl HartContext {
    fn run_hart(&self, cpu: &mut Cpu, engine: &mut Engine<Riscv>) {
        let me = &self.harts[cpu.csr.mhartid as usize];
        let slice = if self.harts.len() > 1 { pace::SMP_SLICE } else { SLICE };
        loop {
            if self.bus.halted().is_some() {
                self.pace.idle(me.id);
                self.harts.iter().for_each(HartShared::wake);
                return;
            }
            if me.hsm.load(Ordering::Acquire) != HSM_STARTED && !self.start_if_requested(cpu, me) {
                self.pace.idle(me.id);
                me.lines.wake.wait_timeout(MAX_IDLE);
                continue;
            }
            self.pace.resume(me.id);
            self.pace.wait_turn(me.id, || self.bus.halted().is_some());
            self.update_timers(me);
            let before = cpu.instret;
            let exit = engine.run(cpu, slice);
            self.pace.advance(me.id, cpu.instret.wrapping_sub(before).min(2 * slice));
            match exit {
                Exit::Halted(_) => {}
                Exit::Budget => {}
                Exit::Wfi => self.idle(cpu, me),
            }
        }
    }

    /// HSM: a stopped hart waits for hart_start.
    fn start_if_requested(&self, cpu: &mut Cpu, me: &HartShared) -> bool {
        if me.hsm.load(Ordering::Acquire) != HSM_START_PENDING {
            return false;
        }
        let Some((addr, opaque)) = me.start.lock().take() else { return false };
        enter_supervisor(cpu, addr, me.id as u64, opaque);
        cpu.ctl.wfi = false;
        me.hsm.store(HSM_STARTED, Ordering::Release);
        true
    }

    fn update_timers(&self, me: &HartShared) {
        self.clint.update();
        me.update_timer(self.clint.mtime());
        if let Some(rtc) = &self.rtc {
            rtc.update();
        }
    }

    /// WFI: sleep until an interrupt line rises or the next timer is due.
    /// The hart runs no guest instructions until then, sleeping or not (a
    /// timer already due but masked does not let it sleep), so it holds
    /// nobody back; the main loop lets it rejoin at the back.
    fn idle(&self, cpu: &mut Cpu, me: &HartShared) {
        self.pace.idle(me.id);
        if me.hsm.load(Ordering::Acquire) == HSM_STOPPED {
            return; // hart_stop parked us; the main loop waits for a start
        }
        let now = self.clint.mtime();
        let ticks_to = |deadline: u64| Duration::from_nanos(deadline.saturating_sub(now).saturating_mul(100));
        let mut wait = MAX_IDLE;
        if let Some(d) = self.clint.next_deadline(me.id) {
            wait = wait.min(ticks_to(d));
        }
        let sbi_timer = me.timer.load(Ordering::Acquire);
        if sbi_timer != u64::MAX {
            wait = wait.min(ticks_to(sbi_timer));
        }
        if let Some(rtc) = &self.rtc {
            if let Some(d) = rtc.time_until_alarm() {
                wait = wait.min(d);
            }
        }
        if !wait.is_zero() && cpu.csr.mip() & cpu.csr.mie == 0 && cpu.remote.load(Ordering::Acquire) == 0 {
            me.lines.wake.wait_timeout(wait);
        }
        self.update_timers(me);
    }
}
