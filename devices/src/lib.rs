//! Emulated devices, one per file. A device knows nothing of guest ISAs: it
//! is a state machine behind [`MmioDevice`].

pub mod clint;
pub mod goldfish_rtc;
pub mod htif;
pub mod irq;
pub mod net_slirp;
pub mod plic;
mod regs32;
pub mod sifive_test;
pub mod uart16550;
pub mod virtio;
pub mod virtio_mmio;

pub use xlate_softmmu::MmioDevice;

use std::io::Write;
use std::sync::{Arc, OnceLock, Weak};

use xlate_softmmu::Bus;

/// A late-bound handle on the bus for devices that touch guest memory or
/// stop the machine (the bus owns the devices, so they hold it weakly).
#[derive(Clone, Default)]
pub struct BusRef(Arc<OnceLock<Weak<Bus>>>);

impl BusRef {
    pub fn bind(&self, bus: &Arc<Bus>) {
        let _ = self.0.set(Arc::downgrade(bus));
    }
    pub fn get(&self) -> Option<Arc<Bus>> {
        self.0.get().and_then(Weak::upgrade)
    }
}

/// Where a device's character output goes.
pub type Console = Box<dyn Write + Send>;
