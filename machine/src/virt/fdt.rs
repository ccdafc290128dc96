//! The device tree of the riscv-virt board, modelled on the one QEMU's `virt`
//! machine generates, so that unmodified OpenSBI, U-Boot and Linux find the
//! same devices at the same places.

use vm_fdt::{FdtWriter, FdtWriterResult};

use super::map::*;

/// What the device tree describes beyond the fixed memory map.
pub struct FdtConfig {
    pub harts: usize,
    pub ram_size: u64,
    pub bootargs: String,
    /// Physical start and end of the initrd, if any.
    pub initrd: Option<(u64, u64)>,
    /// Number of virtio-mmio slots to describe (devices may be absent).
    pub virtio_slots: usize,
}

/// The ISA string advertised to the guest: only what xlate implements.
pub const ISA_STRING: &str = "rv64imafdc_zicsr_zifencei_zicntr_zba_zbb_zbs_zicond";

const PHANDLE_PLIC: u32 = 1;
const PHANDLE_TEST: u32 = 2;
/// The cpu-intc of hart `h` gets phandle `PHANDLE_INTC0 + h`.
const PHANDLE_INTC0: u32 = 16;

fn reg(base: u64, size: u64) -> Vec<u64> {
    vec![base, size]
}

pub fn build(cfg: &FdtConfig) -> FdtWriterResult<Vec<u8>> {
    let mut f = FdtWriter::new()?;
    let root = f.begin_node("")?;
    f.property_u32("#address-cells", 2)?;
    f.property_u32("#size-cells", 2)?;
    f.property_string("compatible", "riscv-virtio")?;
    f.property_string("model", "riscv-virtio,xlate")?;

    let chosen = f.begin_node("chosen")?;
    f.property_string("bootargs", &cfg.bootargs)?;
    f.property_string("stdout-path", "/soc/serial@10000000")?;
    if let Some((start, end)) = cfg.initrd {
        f.property_u64("linux,initrd-start", start)?;
        f.property_u64("linux,initrd-end", end)?;
    }
    f.end_node(chosen)?;

    let aliases = f.begin_node("aliases")?;
    f.property_string("serial0", "/soc/serial@10000000")?;
    f.end_node(aliases)?;

    let mem = f.begin_node(&format!("memory@{RAM_BASE:x}"))?;
    f.property_string("device_type", "memory")?;
    f.property_array_u64("reg", &reg(RAM_BASE, cfg.ram_size))?;
    f.end_node(mem)?;

    let cpus = f.begin_node("cpus")?;
    f.property_u32("#address-cells", 1)?;
    f.property_u32("#size-cells", 0)?;
    f.property_u32("timebase-frequency", TIMEBASE_HZ as u32)?;
    for h in 0..cfg.harts {
        let cpu = f.begin_node(&format!("cpu@{h}"))?;
        f.property_string("device_type", "cpu")?;
        f.property_u32("reg", h as u32)?;
        f.property_string("status", "okay")?;
        f.property_string("compatible", "riscv")?;
        f.property_string("riscv,isa", ISA_STRING)?;
        f.property_string("mmu-type", "riscv,sv48")?;
        let intc = f.begin_node("interrupt-controller")?;
        f.property_u32("#interrupt-cells", 1)?;
        f.property_null("interrupt-controller")?;
        f.property_string("compatible", "riscv,cpu-intc")?;
        f.property_u32("phandle", PHANDLE_INTC0 + h as u32)?;
        f.end_node(intc)?;
        f.end_node(cpu)?;
    }
    f.end_node(cpus)?;

    let poweroff = f.begin_node("poweroff")?;
    f.property_string("compatible", "syscon-poweroff")?;
    f.property_u32("regmap", PHANDLE_TEST)?;
    f.property_u32("offset", 0)?;
    f.property_u32("value", 0x5555)?;
    f.end_node(poweroff)?;
    let reboot = f.begin_node("reboot")?;
    f.property_string("compatible", "syscon-reboot")?;
    f.property_u32("regmap", PHANDLE_TEST)?;
    f.property_u32("offset", 0)?;
    f.property_u32("value", 0x7777)?;
    f.end_node(reboot)?;

    let soc = f.begin_node("soc")?;
    f.property_u32("#address-cells", 2)?;
    f.property_u32("#size-cells", 2)?;
    f.property_string("compatible", "simple-bus")?;
    f.property_null("ranges")?;

    // Interrupt targets: (intc phandle, cause) pairs for every hart.
    let per_hart = |causes: &[u32]| -> Vec<u32> {
        (0..cfg.harts).flat_map(|h| causes.iter().flat_map(move |&c| [PHANDLE_INTC0 + h as u32, c])).collect()
    };

    let clint = f.begin_node(&format!("clint@{CLINT_BASE:x}"))?;
    f.property_string_list("compatible", vec!["sifive,clint0".into(), "riscv,clint0".into()])?;
    f.property_array_u64("reg", &reg(CLINT_BASE, CLINT_SIZE))?;
    f.property_array_u32("interrupts-extended", &per_hart(&[3, 7]))?;
    f.end_node(clint)?;

    let plic = f.begin_node(&format!("plic@{PLIC_BASE:x}"))?;
    f.property_u32("phandle", PHANDLE_PLIC)?;
    f.property_string_list("compatible", vec!["sifive,plic-1.0.0".into(), "riscv,plic0".into()])?;
    f.property_array_u64("reg", &reg(PLIC_BASE, PLIC_SIZE))?;
    f.property_u32("#address-cells", 0)?;
    f.property_u32("#interrupt-cells", 1)?;
    f.property_null("interrupt-controller")?;
    f.property_u32("riscv,ndev", PLIC_SOURCES - 1)?;
    f.property_array_u32("interrupts-extended", &per_hart(&[11, 9]))?;
    f.end_node(plic)?;

    for slot in (0..cfg.virtio_slots).rev() {
        let base = VIRTIO_BASE + VIRTIO_STRIDE * slot as u64;
        let node = f.begin_node(&format!("virtio_mmio@{base:x}"))?;
        f.property_string("compatible", "virtio,mmio")?;
        f.property_array_u64("reg", &reg(base, VIRTIO_STRIDE))?;
        f.property_u32("interrupt-parent", PHANDLE_PLIC)?;
        f.property_u32("interrupts", VIRTIO_IRQ0 + slot as u32)?;
        f.end_node(node)?;
    }

    let test = f.begin_node(&format!("test@{TEST_BASE:x}"))?;
    f.property_u32("phandle", PHANDLE_TEST)?;
    f.property_string_list("compatible", vec!["sifive,test1".into(), "sifive,test0".into(), "syscon".into()])?;
    f.property_array_u64("reg", &reg(TEST_BASE, 0x1000))?;
    f.end_node(test)?;

    let serial = f.begin_node(&format!("serial@{UART_BASE:x}"))?;
    f.property_string("compatible", "ns16550a")?;
    f.property_array_u64("reg", &reg(UART_BASE, 0x100))?;
    f.property_u32("clock-frequency", 3_686_400)?;
    f.property_u32("interrupt-parent", PHANDLE_PLIC)?;
    f.property_u32("interrupts", UART_IRQ)?;
    f.end_node(serial)?;

    let rtc = f.begin_node(&format!("rtc@{RTC_BASE:x}"))?;
    f.property_string("compatible", "google,goldfish-rtc")?;
    f.property_array_u64("reg", &reg(RTC_BASE, 0x1000))?;
    f.property_u32("interrupt-parent", PHANDLE_PLIC)?;
    f.property_u32("interrupts", RTC_IRQ)?;
    f.end_node(rtc)?;

    f.end_node(soc)?;
    f.end_node(root)?;
    f.finish()
}
