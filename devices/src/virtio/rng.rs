//! virtio-rng (device ID 4, virtio 1.2 §5.4): one request queue whose
//! writable buffers the device fills with entropy from the host's
//! `getrandom`. At most [`MAX_PER_REQUEST`] bytes go into one chain (the
//! driver learns how many from the used length).

use super::queue::{segments, Queue, QueueError};
use super::{GuestMem, VirtioDevice, ID_RNG};

pub const QUEUE_SIZE: u16 = 64;
pub const MAX_PER_REQUEST: u64 = 64 * 1024;
const CHUNK: usize = 4096;

#[derive(Default)]
pub struct VirtioRng {
    buf: Vec<u8>,
}

impl VirtioRng {
    pub fn new() -> VirtioRng {
        VirtioRng { buf: vec![0; CHUNK] }
    }

    /// Fills up to [`MAX_PER_REQUEST`] writable bytes; returns how many.
    fn fill(&mut self, chain: &super::DescChain, mem: &GuestMem) -> u32 {
        let want = chain.writable_len().min(MAX_PER_REQUEST);
        let mut done = 0u64;
        self.buf.resize(CHUNK, 0);
        for (mut addr, mut n) in segments(&chain.writable, 0, want) {
            while n > 0 {
                let c = n.min(CHUNK as u64) as usize;
                if getrandom::getrandom(&mut self.buf[..c]).is_err() || mem.write(addr, &self.buf[..c]).is_err() {
                    return done as u32;
                }
                addr = addr.saturating_add(c as u64);
                n -= c as u64;
                done += c as u64;
            }
        }
        done as u32
    }
}

impl VirtioDevice for VirtioRng {
    fn device_id(&self) -> u32 {
        ID_RNG
    }

    fn features(&self) -> u64 {
        0
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[QUEUE_SIZE]
    }

    fn read_config(&self, _offset: u64, data: &mut [u8]) {
        data.fill(0);
    }

    fn process_queue(&mut self, _index: usize, queue: &mut Queue, mem: &GuestMem) -> Result<(), QueueError> {
        while let Some(chain) = queue.pop(mem)? {
            let n = self.fill(&chain, mem);
            queue.add_used(mem, chain.head, n)?;
        }
        Ok(())
    }
}
