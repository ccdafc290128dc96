//! virtio-net (device ID 1, virtio 1.2 §5.1): queue 0 is receiveq1 (frames
//! for the guest), queue 1 is transmitq1 (frames from the guest). Offered:
//! `VIRTIO_NET_F_MAC` and `VIRTIO_NET_F_STATUS` (link always up). No
//! checksum or segmentation offloads, no `VIRTIO_NET_F_MRG_RXBUF`, no control
//! queue: every buffer starts with the 12-byte `virtio_net_hdr` of
//! `VIRTIO_F_VERSION_1`, which the device ignores on transmit and writes as
//! zeros (except `num_buffers` = 1, as §5.1.6.4 requires) on receive.
//!
//! Frames travel through a [`NetBackend`] (e.g. libslirp's user-mode stack,
//! [`crate::net_slirp`]). A backend hands frames for the guest to a
//! [`NetRx`]: they wait in a backlog of at most [`RX_BACKLOG`] frames (more
//! are dropped, as a NIC with a full ring drops them) and fill the receive
//! buffers as the driver posts them, raising the used-buffer interrupt.

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use super::queue::{DescChain, Queue, QueueError};
use super::{GuestMem, VirtioDevice, ID_NET};
use crate::virtio_mmio::{VirtioMmio, WeakVirtioMmio};

pub const RECEIVEQ: usize = 0;
pub const TRANSMITQ: usize = 1;
pub const QUEUE_SIZE: u16 = 256;
pub const F_MAC: u64 = 1 << 5;
pub const F_STATUS: u64 = 1 << 16;
/// `status` in the config space: the link is up.
pub const S_LINK_UP: u16 = 1;
/// `virtio_net_hdr` with `VIRTIO_F_VERSION_1` (including `num_buffers`).
pub const HDR_LEN: usize = 12;
/// Frames for the guest waiting for receive buffers, at most.
pub const RX_BACKLOG: usize = 256;
/// The largest frame accepted either way (no GSO: an MTU-sized frame is far smaller).
pub const MAX_FRAME: usize = 65536;
/// QEMU's default MAC address.
pub const DEFAULT_MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];

/// Where the guest's frames go: a host network stack, a tap, a test channel.
pub trait NetBackend: Send {
    /// Starts delivering frames for the guest through `rx`. Called once,
    /// when the device is built; an error fails the machine's construction.
    fn start(&mut self, rx: NetRx) -> io::Result<()>;
    /// Sends one Ethernet frame (without the virtio header) from the guest.
    /// A frame the backend cannot take is dropped.
    fn send(&mut self, frame: &[u8]);
}

/// Frames for the guest, shared by the device and its [`NetRx`] handles.
type Backlog = Arc<Mutex<VecDeque<Vec<u8>>>>;

/// Feeds frames to a virtio-net device's receive queue. Cheap to clone;
/// usable from any thread (it does not go through the bus's lock).
#[derive(Clone)]
pub struct NetRx {
    backlog: Backlog,
    mmio: Arc<OnceLock<WeakVirtioMmio>>,
}

impl NetRx {
    /// Queues one Ethernet frame for the guest and delivers what fits into
    /// the posted receive buffers. Returns false if the frame was dropped
    /// (the backlog is full or the frame too large).
    pub fn push(&self, frame: &[u8]) -> bool {
        {
            let mut b = self.backlog.lock();
            if b.len() >= RX_BACKLOG || frame.len() > MAX_FRAME {
                return false;
            }
            b.push_back(frame.to_vec());
        }
        if let Some(m) = self.mmio.get() {
            m.kick(RECEIVEQ);
        }
        true
    }

    /// Frames the guest has not received yet.
    pub fn pending(&self) -> usize {
        self.backlog.lock().len()
    }
}

pub struct VirtioNet {
    mac: [u8; 6],
    backend: Box<dyn NetBackend>,
    backlog: Backlog,
    buf: Vec<u8>,
}

impl VirtioNet {
    /// A device with address `mac` whose frames go to `backend`, and the
    /// handle that delivers frames to it (its transport is bound later, see
    /// [`super::virtio_net`]).
    fn new(mac: [u8; 6], backend: Box<dyn NetBackend>, backlog: Backlog) -> VirtioNet {
        VirtioNet { mac, backend, backlog, buf: Vec::new() }
    }

    /// Moves the oldest waiting frame into one receive chain; returns the
    /// used length (0 if the frame does not fit: it is dropped).
    fn receive(&mut self, chain: &DescChain, mem: &GuestMem) -> u32 {
        let Some(frame) = self.backlog.lock().pop_front() else { return 0 };
        let total = HDR_LEN + frame.len();
        if chain.writable_len() < total as u64 {
            return 0;
        }
        self.buf.clear();
        self.buf.resize(HDR_LEN, 0);
        self.buf[10..12].copy_from_slice(&1u16.to_le_bytes()); // num_buffers
        self.buf.extend_from_slice(&frame);
        match chain.write_at(mem, 0, &self.buf) {
            Ok(()) => total as u32,
            Err(_) => 0,
        }
    }

    /// Sends one transmit chain's frame to the backend.
    fn transmit(&mut self, chain: &DescChain, mem: &GuestMem) {
        let len = chain.readable_len();
        if len <= HDR_LEN as u64 || len > (HDR_LEN + MAX_FRAME) as u64 {
            return;
        }
        self.buf.resize(len as usize, 0);
        if chain.read_at(mem, 0, &mut self.buf).is_ok() {
            self.backend.send(&self.buf[HDR_LEN..]);
        }
    }
}

impl VirtioDevice for VirtioNet {
    fn device_id(&self) -> u32 {
        ID_NET
    }

    fn features(&self) -> u64 {
        F_MAC | F_STATUS
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[QUEUE_SIZE, QUEUE_SIZE]
    }

    fn read_config(&self, offset: u64, data: &mut [u8]) {
        // mac, status, max_virtqueue_pairs.
        let mut cfg = [0u8; 10];
        cfg[..6].copy_from_slice(&self.mac);
        cfg[6..8].copy_from_slice(&S_LINK_UP.to_le_bytes());
        cfg[8..10].copy_from_slice(&1u16.to_le_bytes());
        super::read_config_bytes(&cfg, offset, data);
    }

    fn process_queue(&mut self, index: usize, queue: &mut Queue, mem: &GuestMem) -> Result<(), QueueError> {
        match index {
            RECEIVEQ => {
                while !self.backlog.lock().is_empty() {
                    let Some(chain) = queue.pop(mem)? else { break };
                    let n = self.receive(&chain, mem);
                    queue.add_used(mem, chain.head, n)?;
                }
            }
            TRANSMITQ => {
                while let Some(chain) = queue.pop(mem)? {
                    self.transmit(&chain, mem);
                    queue.add_used(mem, chain.head, 0)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn reset(&mut self) {
        self.backlog.lock().clear();
    }
}

/// Builds a virtio-net device on a transport and starts its backend.
pub(super) fn build(
    irq: crate::irq::IrqPin,
    bus: crate::BusRef,
    mac: [u8; 6],
    mut backend: Box<dyn NetBackend>,
) -> io::Result<VirtioMmio> {
    let rx = NetRx { backlog: Backlog::default(), mmio: Arc::new(OnceLock::new()) };
    backend.start(rx.clone())?;
    let mmio = VirtioMmio::new(Box::new(VirtioNet::new(mac, backend, rx.backlog.clone())), bus, irq);
    let _ = rx.mmio.set(mmio.downgrade());
    Ok(mmio)
}
