//! Guest physical memory: RAM and ROM backed by host mappings, MMIO dispatch,
//! the per-hart TLB layout shared by both execution engines, and tracking of
//! pages that hold translated code (for exact self-modifying-code handling).
//!
//! Nothing here knows about any guest ISA.

mod bus;
mod mapping;
mod ram;
mod tlb;

pub use bus::{Bus, BusError, MmioDevice, MmioRegion};
pub use ram::{DirectRam, Ram};
pub use tlb::{Tlb, TlbEntry, TLB_BITS, TLB_ENTRIES, TLB_INVALID, TLB_SLOW};

/// Guest page size used by the TLB and code-page tracking.
pub const PAGE_BITS: u32 = 12;
pub const PAGE_SIZE: u64 = 1 << PAGE_BITS;
pub const PAGE_MASK: u64 = !(PAGE_SIZE - 1);
