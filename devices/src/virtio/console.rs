//! virtio-console (device ID 3, virtio 1.2 §5.3) with a single port (no
//! `VIRTIO_CONSOLE_F_MULTIPORT`): queue 0 is receiveq (host input into the
//! guest's buffers), queue 1 is transmitq (guest output to a [`Console`]).
//! `VIRTIO_CONSOLE_F_EMERG_WRITE` is offered: a write to `emerg_wr` in the
//! config space prints one character.
//!
//! Host input goes through a [`ConsoleInput`] (like the UART's
//! `push_input`): it waits in a backlog of at most [`RX_BACKLOG`] bytes and
//! fills the guest's receive buffers as the driver provides them, raising the
//! used-buffer interrupt.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::Arc;

use parking_lot::Mutex;

use super::queue::{segments, DescChain, Queue, QueueError};
use super::{GuestMem, VirtioDevice, ID_CONSOLE};
use crate::virtio_mmio::VirtioMmio;
use crate::Console;

pub const RECEIVEQ: usize = 0;
pub const TRANSMITQ: usize = 1;
pub const QUEUE_SIZE: u16 = 64;
pub const F_EMERG_WRITE: u64 = 1 << 2;
/// Host input waiting for guest buffers, at most.
pub const RX_BACKLOG: usize = 64 * 1024;
const CHUNK: usize = 4096;
const CONFIG_EMERG_WR: u64 = 8;

/// Host input not yet delivered (shared by the device and its
/// [`ConsoleInput`]).
#[derive(Clone, Default)]
pub struct ConsoleBacklog(Arc<Mutex<VecDeque<u8>>>);

pub struct VirtioConsole {
    out: Console,
    input: ConsoleBacklog,
    buf: Vec<u8>,
}

impl VirtioConsole {
    /// A console writing guest output to `out`, and the backlog its input
    /// handle fills (see [`ConsoleInput::new`]).
    pub fn new(out: Console) -> (VirtioConsole, ConsoleBacklog) {
        let input = ConsoleBacklog::default();
        (VirtioConsole { out, input: input.clone(), buf: Vec::new() }, input)
    }

    /// Moves backlog bytes into one receive chain; returns the used length.
    fn receive(&mut self, chain: &DescChain, mem: &GuestMem) -> u32 {
        let mut backlog = self.input.0.lock();
        let n = chain.writable_len().min(backlog.len() as u64).min(CHUNK as u64) as usize;
        let (a, b) = backlog.as_slices();
        self.buf.clear();
        self.buf.extend(a.iter().chain(b).take(n));
        if chain.write_at(mem, 0, &self.buf).is_err() {
            return 0; // the input stays for the next buffer
        }
        backlog.drain(..n);
        n as u32
    }

    /// Sends one transmit chain's bytes to the console.
    fn transmit(&mut self, chain: &DescChain, mem: &GuestMem) {
        self.buf.resize(CHUNK, 0);
        for (mut addr, mut n) in segments(&chain.readable, 0, chain.readable_len()) {
            while n > 0 {
                let c = n.min(CHUNK as u64) as usize;
                if mem.read(addr, &mut self.buf[..c]).is_err() {
                    return;
                }
                let _ = self.out.write_all(&self.buf[..c]);
                addr = addr.saturating_add(c as u64);
                n -= c as u64;
            }
        }
    }
}

impl Drop for VirtioConsole {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

impl VirtioDevice for VirtioConsole {
    fn device_id(&self) -> u32 {
        ID_CONSOLE
    }

    fn features(&self) -> u64 {
        F_EMERG_WRITE
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[QUEUE_SIZE, QUEUE_SIZE]
    }

    fn read_config(&self, offset: u64, data: &mut [u8]) {
        // cols, rows (no F_SIZE), max_nr_ports (no F_MULTIPORT), emerg_wr.
        let mut cfg = [0u8; 12];
        cfg[4..8].copy_from_slice(&1u32.to_le_bytes());
        super::read_config_bytes(&cfg, offset, data);
    }

    fn write_config(&mut self, offset: u64, data: &[u8]) {
        if offset == CONFIG_EMERG_WR {
            let mut b = [0u8; 4];
            b[..data.len().min(4)].copy_from_slice(&data[..data.len().min(4)]);
            let c = char::from_u32(u32::from_le_bytes(b)).unwrap_or(char::REPLACEMENT_CHARACTER);
            let mut utf8 = [0u8; 4];
            let _ = self.out.write_all(c.encode_utf8(&mut utf8).as_bytes());
            let _ = self.out.flush();
        }
    }

    fn process_queue(&mut self, index: usize, queue: &mut Queue, mem: &GuestMem) -> Result<(), QueueError> {
        match index {
            RECEIVEQ => {
                while !self.input.0.lock().is_empty() {
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
                let _ = self.out.flush();
            }
            _ => {}
        }
        Ok(())
    }
}

/// Feeds host input to a virtio-console. Cheap to clone; usable from any
/// thread (it does not go through the bus's lock on the device).
#[derive(Clone)]
pub struct ConsoleInput {
    backlog: ConsoleBacklog,
    mmio: VirtioMmio,
}

impl ConsoleInput {
    /// The input side of the console `mmio` whose device shares `backlog`.
    pub fn new(backlog: ConsoleBacklog, mmio: VirtioMmio) -> ConsoleInput {
        ConsoleInput { backlog, mmio }
    }

    /// Queues host input for the guest and delivers what fits into the
    /// receive buffers the driver has posted. Returns how many bytes were
    /// taken (all unless [`RX_BACKLOG`] bytes are already waiting).
    pub fn push_input(&self, bytes: &[u8]) -> usize {
        let n = {
            let mut b = self.backlog.0.lock();
            let n = bytes.len().min(RX_BACKLOG.saturating_sub(b.len()));
            b.extend(&bytes[..n]);
            n
        };
        self.mmio.kick(RECEIVEQ);
        n
    }

    /// Host input the guest has not received yet.
    pub fn input_pending(&self) -> usize {
        self.backlog.0.lock().len()
    }
}
