//! Virtio devices driven as a guest driver would, without a VM: a bus with
//! RAM, virtqueues laid out in it by hand, and MMIO register accesses.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use xlate_softmmu::{Bus, Ram};

use super::blk::{F_FLUSH, F_RO, S_IOERR, S_OK, S_UNSUPP, T_FLUSH, T_GET_ID, T_IN, T_OUT};
use super::disk::{open_disk, DiskFormat, DiskOptions, MemDisk};
use super::queue::{DESC_F_INDIRECT, DESC_F_NEXT, DESC_F_WRITE};
use super::*;
use crate::irq::{IrqLevels, IrqPin};
use crate::virtio_mmio::*;
use crate::MmioDevice;

const RAM: u64 = 0x8000_0000;
const RAM_SIZE: u64 = 4 << 20;
const DATA: u64 = RAM + 0x10_0000;
const IRQ: u32 = 5;
const MMIO: u64 = 0x1000_1000;

/// A scratch directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "xlate-virtio-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 9) as u8).collect()
}

#[derive(Clone, Copy)]
struct DriverQueue {
    size: u16,
    desc: u64,
    avail: u64,
    used: u64,
    next_desc: u16,
    avail_idx: u16,
    used_seen: u16,
}

/// A hand-written virtio driver.
struct Driver {
    bus: Arc<Bus>,
    sink: Arc<IrqLevels>,
    dev: VirtioMmio,
    queues: Vec<DriverQueue>,
    next_data: u64,
}

impl Driver {
    fn new(make: impl FnOnce(IrqPin, BusRef) -> VirtioMmio) -> Driver {
        let mut bus = Bus::default();
        bus.add_ram(Ram::new(RAM, RAM_SIZE, false).unwrap());
        let bus_ref = BusRef::default();
        let sink = Arc::new(IrqLevels::new(16));
        let dev = make(IrqPin::new(sink.clone(), IRQ), bus_ref.clone());
        bus.add_mmio(MMIO, 0x1000, "virtio", Arc::new(Mutex::new(dev.clone())));
        let bus = Arc::new(bus);
        bus_ref.bind(&bus);
        Driver { bus, sink, dev, queues: Vec::new(), next_data: DATA }
    }

    /// Register accesses go through the bus, as a hart's would (the bus holds
    /// its lock on the device while the device works).
    fn r(&mut self, off: u64) -> u32 {
        self.bus.read(MMIO + off, 4).unwrap() as u32
    }
    fn w(&mut self, off: u64, v: u32) {
        self.bus.write(MMIO + off, 4, u64::from(v)).unwrap();
    }
    fn put(&self, addr: u64, data: &[u8]) {
        assert!(self.bus.write_bytes(addr, data));
    }
    fn get(&self, addr: u64, len: usize) -> Vec<u8> {
        let mut b = vec![0; len];
        assert!(self.bus.read_bytes(addr, &mut b));
        b
    }
    fn get_u16(&self, addr: u64) -> u16 {
        u16::from_le_bytes(self.get(addr, 2).try_into().unwrap())
    }
    fn alloc(&mut self, len: u64) -> u64 {
        let a = self.next_data;
        self.next_data = (self.next_data + len + 15) & !15;
        assert!(self.next_data <= RAM + RAM_SIZE);
        a
    }
    fn irq(&self) -> bool {
        self.sink.level(IRQ)
    }

    fn device_features(&mut self) -> u64 {
        self.w(REG_DEVICE_FEATURES_SEL, 0);
        let lo = self.r(REG_DEVICE_FEATURES);
        self.w(REG_DEVICE_FEATURES_SEL, 1);
        let hi = self.r(REG_DEVICE_FEATURES);
        u64::from(lo) | (u64::from(hi) << 32)
    }

    /// Reset, acknowledge, offer `features`; true if FEATURES_OK stuck.
    fn negotiate(&mut self, features: u64) -> bool {
        self.w(REG_STATUS, 0);
        self.w(REG_STATUS, STATUS_ACKNOWLEDGE);
        self.w(REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
        self.w(REG_DRIVER_FEATURES_SEL, 0);
        self.w(REG_DRIVER_FEATURES, features as u32);
        self.w(REG_DRIVER_FEATURES_SEL, 1);
        self.w(REG_DRIVER_FEATURES, (features >> 32) as u32);
        self.w(REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
        self.r(REG_STATUS) & STATUS_FEATURES_OK != 0
    }

    fn setup_queue(&mut self, q: u32, size: u16) {
        let base = RAM + 0x1_0000 * (u64::from(q) + 1);
        let dq = DriverQueue {
            size,
            desc: base,
            avail: base + 16 * u64::from(size),
            used: base + 0x8000,
            next_desc: 0,
            avail_idx: 0,
            used_seen: 0,
        };
        // Fresh rings.
        self.put(base, &vec![0u8; 0x1_0000]);
        self.w(REG_QUEUE_SEL, q);
        assert_eq!(self.r(REG_QUEUE_READY), 0);
        assert!(u32::from(size) <= self.r(REG_QUEUE_NUM_MAX));
        self.w(REG_QUEUE_NUM, u32::from(size));
        self.w(REG_QUEUE_DESC_LOW, dq.desc as u32);
        self.w(REG_QUEUE_DESC_HIGH, (dq.desc >> 32) as u32);
        self.w(REG_QUEUE_DRIVER_LOW, dq.avail as u32);
        self.w(REG_QUEUE_DRIVER_HIGH, (dq.avail >> 32) as u32);
        self.w(REG_QUEUE_DEVICE_LOW, dq.used as u32);
        self.w(REG_QUEUE_DEVICE_HIGH, (dq.used >> 32) as u32);
        self.w(REG_QUEUE_READY, 1);
        let q = q as usize;
        if self.queues.len() <= q {
            self.queues.resize(q + 1, dq);
        }
        self.queues[q] = dq;
    }

    /// The whole driver bring-up with `nq` queues of `size` entries.
    fn init(&mut self, nq: u32, size: u16) {
        let f = self.device_features() & (F_VERSION_1 | F_INDIRECT_DESC | blk::F_FLUSH | blk::F_RO);
        assert!(self.negotiate(f));
        for q in 0..nq {
            self.setup_queue(q, size);
        }
        self.w(REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
        assert_eq!(self.r(REG_STATUS) & STATUS_DRIVER_OK, STATUS_DRIVER_OK);
    }

    fn write_desc(&self, table: u64, i: u16, addr: u64, len: u32, flags: u16, next: u16) {
        let mut d = [0u8; 16];
        d[0..8].copy_from_slice(&addr.to_le_bytes());
        d[8..12].copy_from_slice(&len.to_le_bytes());
        d[12..14].copy_from_slice(&flags.to_le_bytes());
        d[14..16].copy_from_slice(&next.to_le_bytes());
        self.put(table + 16 * u64::from(i), &d);
    }

    /// Publishes `head` in the available ring (without notifying).
    fn publish(&mut self, q: usize, head: u16) {
        let dq = &mut self.queues[q];
        let slot = u64::from(dq.avail_idx % dq.size);
        let (avail, idx) = (dq.avail, dq.avail_idx.wrapping_add(1));
        dq.avail_idx = idx;
        self.put(avail + 4 + 2 * slot, &head.to_le_bytes());
        self.put(avail + 2, &idx.to_le_bytes());
    }

    /// Adds a chain of `(addr, len, device_writable)` buffers; returns its head.
    fn submit(&mut self, q: usize, bufs: &[(u64, u32, bool)]) -> u16 {
        let dq = self.queues[q];
        let n = bufs.len() as u16;
        let head = dq.next_desc % dq.size;
        for (k, &(addr, len, wr)) in bufs.iter().enumerate() {
            let i = (dq.next_desc + k as u16) % dq.size;
            let last = k as u16 + 1 == n;
            let flags = if wr { DESC_F_WRITE } else { 0 } | if last { 0 } else { DESC_F_NEXT };
            self.write_desc(dq.desc, i, addr, len, flags, (i + 1) % dq.size);
        }
        self.queues[q].next_desc = dq.next_desc.wrapping_add(n);
        self.publish(q, head);
        head
    }

    /// Adds the buffers as one indirect descriptor.
    fn submit_indirect(&mut self, q: usize, bufs: &[(u64, u32, bool)]) -> u16 {
        let table = self.alloc(16 * bufs.len() as u64);
        for (k, &(addr, len, wr)) in bufs.iter().enumerate() {
            let last = k + 1 == bufs.len();
            let flags = if wr { DESC_F_WRITE } else { 0 } | if last { 0 } else { DESC_F_NEXT };
            self.write_desc(table, k as u16, addr, len, flags, k as u16 + 1);
        }
        let dq = self.queues[q];
        let head = dq.next_desc % dq.size;
        self.write_desc(dq.desc, head, table, 16 * bufs.len() as u32, DESC_F_INDIRECT, 0);
        self.queues[q].next_desc = dq.next_desc.wrapping_add(1);
        self.publish(q, head);
        head
    }

    fn notify(&mut self, q: u32) {
        self.w(REG_QUEUE_NOTIFY, q);
    }

    /// New used-ring entries `(id, len)` since the last call.
    fn take_used(&mut self, q: usize) -> Vec<(u32, u32)> {
        let dq = self.queues[q];
        let idx = self.get_u16(dq.used + 2);
        let mut out = Vec::new();
        let mut i = dq.used_seen;
        while i != idx {
            let e = self.get(dq.used + 4 + 8 * u64::from(i % dq.size), 8);
            out.push((u32::from_le_bytes(e[..4].try_into().unwrap()), u32::from_le_bytes(e[4..].try_into().unwrap())));
            i = i.wrapping_add(1);
        }
        self.queues[q].used_seen = idx;
        out
    }

    fn ack_irq(&mut self) {
        let s = self.r(REG_INTERRUPT_STATUS);
        self.w(REG_INTERRUPT_ACK, s);
    }

    fn needs_reset(&mut self) -> bool {
        self.r(REG_STATUS) & STATUS_NEEDS_RESET != 0
    }
}

// ---- virtio-blk helpers ----

fn blk_driver(disk: Box<dyn Disk>) -> Driver {
    let mut d = Driver::new(|irq, bus| virtio_blk(irq, bus, disk, "xlate-test-disk"));
    d.init(1, 64);
    d
}

fn blk_header(d: &mut Driver, ty: u32, sector: u64) -> u64 {
    let h = d.alloc(16);
    let mut b = [0u8; 16];
    b[0..4].copy_from_slice(&ty.to_le_bytes());
    b[8..16].copy_from_slice(&sector.to_le_bytes());
    d.put(h, &b);
    h
}

/// Runs one request through the queue; returns (status, used len).
fn blk_run(d: &mut Driver, bufs: &[(u64, u32, bool)], status: u64, indirect: bool) -> (u8, u32) {
    d.put(status, &[0xff]);
    let head = if indirect { d.submit_indirect(0, bufs) } else { d.submit(0, bufs) };
    d.notify(0);
    let used = d.take_used(0);
    assert_eq!(used.len(), 1, "one request, one used entry");
    assert_eq!(used[0].0, u32::from(head));
    (d.get(status, 1)[0], used[0].1)
}

fn blk_read(d: &mut Driver, sector: u64, len: u32) -> (u8, Vec<u8>) {
    let h = blk_header(d, T_IN, sector);
    let data = d.alloc(u64::from(len));
    d.put(data, &vec![0xee; len as usize]);
    let st = d.alloc(1);
    let (s, used) = blk_run(d, &[(h, 16, false), (data, len, true), (st, 1, true)], st, false);
    if s == S_OK {
        assert_eq!(used, len + 1);
    }
    (s, d.get(data, len as usize))
}

fn blk_write(d: &mut Driver, sector: u64, bytes: &[u8]) -> u8 {
    let h = blk_header(d, T_OUT, sector);
    let data = d.alloc(bytes.len() as u64);
    d.put(data, bytes);
    let st = d.alloc(1);
    blk_run(d, &[(h, 16, false), (data, bytes.len() as u32, false), (st, 1, true)], st, false).0
}

fn blk_simple(d: &mut Driver, ty: u32) -> u8 {
    let h = blk_header(d, ty, 0);
    let st = d.alloc(1);
    blk_run(d, &[(h, 16, false), (st, 1, true)], st, false).0
}

fn raw_file(dir: &TempDir, name: &str, contents: &[u8]) -> PathBuf {
    let p = dir.path(name);
    std::fs::write(&p, contents).unwrap();
    p
}

fn open(path: &Path, readonly: bool, snapshot: bool) -> Box<dyn Disk> {
    open_disk(&DiskOptions { path: path.to_path_buf(), format: None, readonly, snapshot }).unwrap()
}

// ---- discovery and negotiation ----

#[test]
fn discovery_registers() {
    let mut d = Driver::new(|irq, bus| virtio_blk(irq, bus, Box::new(MemDisk::new(vec![0; 8192])), "x"));
    assert_eq!(d.r(REG_MAGIC), 0x7472_6976);
    assert_eq!(d.r(REG_VERSION), 2);
    assert_eq!(d.r(REG_DEVICE_ID), ID_BLOCK);
    assert_eq!(d.r(REG_VENDOR_ID), 0x554d_4551);
    let f = d.device_features();
    assert_ne!(f & F_VERSION_1, 0);
    assert_ne!(f & F_FLUSH, 0);
    assert_eq!(f & F_RO, 0);
    assert_eq!(f & F_EVENT_IDX, 0);
    // One queue of up to 256 entries; queue 1 does not exist.
    d.w(REG_QUEUE_SEL, 0);
    assert_eq!(d.r(REG_QUEUE_NUM_MAX), 256);
    d.w(REG_QUEUE_SEL, 1);
    assert_eq!(d.r(REG_QUEUE_NUM_MAX), 0);
    // Capacity (16 sectors) at config offset 0, in any access width.
    assert_eq!(d.dev.read(REG_CONFIG, 8), 16);
    assert_eq!(d.dev.read(REG_CONFIG, 4), 16);
    assert_eq!(d.dev.read(REG_CONFIG, 1), 16);
    assert_eq!(d.dev.read(REG_CONFIG + 4, 4), 0);
    assert_eq!(d.dev.read(REG_CONFIG + 0x0c, 4), 254, "seg_max");
    // Non-32-bit register accesses read 0.
    assert_eq!(d.dev.read(REG_MAGIC, 2), 0);
    assert_eq!(d.dev.read(REG_SHM_LEN_LOW, 4), 0xffff_ffff);

    let mut r = Driver::new(virtio_rng);
    assert_eq!(r.r(REG_DEVICE_ID), ID_RNG);
    let (mut c, _) = {
        let mut input = None;
        let d = Driver::new(|irq, bus| {
            let (m, i) = virtio_console(irq, bus, Box::new(std::io::sink()));
            input = Some(i);
            m
        });
        (d, input)
    };
    assert_eq!(c.r(REG_DEVICE_ID), ID_CONSOLE);
    c.w(REG_QUEUE_SEL, 1);
    assert_eq!(c.r(REG_QUEUE_NUM_MAX), 64);
}

#[test]
fn feature_negotiation() {
    let mut d = Driver::new(|irq, bus| virtio_blk(irq, bus, Box::new(MemDisk::new(vec![0; 4096])), "x"));
    // A legacy driver (no VERSION_1) is refused.
    assert!(!d.negotiate(F_FLUSH));
    // So is a feature the device did not offer.
    assert!(!d.negotiate(F_VERSION_1 | F_EVENT_IDX));
    assert!(d.negotiate(F_VERSION_1 | F_FLUSH));
    d.w(REG_DRIVER_FEATURES_SEL, 0);
    assert_eq!(d.r(REG_DRIVER_FEATURES), F_FLUSH as u32);
    // Features are frozen after FEATURES_OK.
    d.w(REG_DRIVER_FEATURES, 0);
    assert_eq!(d.r(REG_DRIVER_FEATURES), F_FLUSH as u32);
    // DRIVER_OK is refused without FEATURES_OK; status 0 resets everything.
    d.w(REG_STATUS, 0);
    assert_eq!(d.r(REG_STATUS), 0);
    d.w(REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK);
    assert_eq!(d.r(REG_STATUS) & STATUS_DRIVER_OK, 0);
    d.w(REG_STATUS, 0);
    d.w(REG_DRIVER_FEATURES_SEL, 1);
    assert_eq!(d.r(REG_DRIVER_FEATURES), 0);
}

// ---- virtio-blk ----

#[test]
fn blk_raw_read_write_round_trip() {
    let dir = TempDir::new("raw");
    let init = pattern(64 * 1024, 7);
    let path = raw_file(&dir, "disk.raw", &init);
    let mut d = blk_driver(open(&path, false, false));
    assert_eq!(d.dev.read(REG_CONFIG, 8), 128);

    let (s, data) = blk_read(&mut d, 3, 1024);
    assert_eq!(s, S_OK);
    assert_eq!(data, init[3 * 512..3 * 512 + 1024]);
    assert!(d.irq(), "a used buffer raises the interrupt");
    assert_eq!(d.r(REG_INTERRUPT_STATUS), INT_USED_BUFFER);
    d.ack_irq();
    assert!(!d.irq());

    let new = pattern(2048, 99);
    assert_eq!(blk_write(&mut d, 10, &new), S_OK);
    assert_eq!(blk_read(&mut d, 10, 2048), (S_OK, new.clone()));
    // Indirect descriptors, and data + status sharing one buffer.
    let h = blk_header(&mut d, T_IN, 10);
    let buf = d.alloc(513);
    let (s, used) = blk_run(&mut d, &[(h, 16, false), (buf, 513, true)], buf + 512, true);
    assert_eq!((s, used), (S_OK, 513));
    assert_eq!(d.get(buf, 512), new[..512]);
    // A request split into many small segments.
    let h = blk_header(&mut d, T_IN, 0);
    let parts: Vec<u64> = (0..8).map(|_| d.alloc(64)).collect();
    let st = d.alloc(1);
    let mut bufs = vec![(h, 16, false)];
    bufs.extend(parts.iter().map(|&p| (p, 64, true)));
    bufs.push((st, 1, true));
    assert_eq!(blk_run(&mut d, &bufs, st, false).0, S_OK);
    let got: Vec<u8> = parts.iter().flat_map(|&p| d.get(p, 64)).collect();
    assert_eq!(got, init[..512]);

    assert_eq!(blk_simple(&mut d, T_FLUSH), S_OK);
    d.dev.flush().unwrap();
    let on_disk = std::fs::read(&path).unwrap();
    assert_eq!(on_disk[10 * 512..10 * 512 + 2048], new[..]);
    assert_eq!(on_disk[..10 * 512], init[..10 * 512]);
}

#[test]
fn blk_bad_requests_fail_with_status() {
    let mut d = blk_driver(Box::new(MemDisk::new(pattern(8192, 1))));
    // Past the end, straddling the end, unaligned length, unknown type.
    assert_eq!(blk_read(&mut d, 16, 512).0, S_IOERR);
    assert_eq!(blk_read(&mut d, 15, 1024).0, S_IOERR);
    assert_eq!(blk_read(&mut d, u64::MAX / 256, 512).0, S_IOERR);
    assert_eq!(blk_read(&mut d, 0, 100).0, S_IOERR);
    assert_eq!(blk_write(&mut d, 0, &[1; 100]), S_IOERR);
    assert_eq!(blk_simple(&mut d, 0x1234), S_UNSUPP);
    // A header that is too short.
    let h = d.alloc(8);
    let st = d.alloc(1);
    assert_eq!(blk_run(&mut d, &[(h, 8, false), (st, 1, true)], st, false).0, S_IOERR);
    // A chain with nothing writable is returned unused (no status possible).
    let h = blk_header(&mut d, T_IN, 0);
    d.submit(0, &[(h, 16, false)]);
    d.notify(0);
    assert_eq!(d.take_used(0).len(), 1);
    // The device is still fine.
    assert!(!d.needs_reset());
    assert_eq!(blk_read(&mut d, 0, 512), (S_OK, pattern(8192, 1)[..512].to_vec()));
}

#[test]
fn blk_get_id_and_flush() {
    let mut d = blk_driver(Box::new(MemDisk::new(vec![0; 4096])));
    let h = blk_header(&mut d, T_GET_ID, 0);
    let id = d.alloc(20);
    d.put(id, &[0xff; 20]);
    let st = d.alloc(1);
    let (s, used) = blk_run(&mut d, &[(h, 16, false), (id, 20, true), (st, 1, true)], st, false);
    assert_eq!((s, used), (S_OK, 21));
    let mut expect = b"xlate-test-disk".to_vec();
    expect.resize(20, 0);
    assert_eq!(d.get(id, 20), expect);
    assert_eq!(blk_simple(&mut d, T_FLUSH), S_OK);
}

#[test]
fn blk_read_only_rejects_writes() {
    let dir = TempDir::new("ro");
    let init = pattern(16 * 1024, 3);
    let path = raw_file(&dir, "ro.raw", &init);
    let mut d = Driver::new(|irq, bus| virtio_blk(irq, bus, open(&path, true, false), "ro"));
    assert_ne!(d.device_features() & F_RO, 0);
    d.init(1, 16);
    assert_eq!(blk_write(&mut d, 0, &[0x55; 512]), S_IOERR);
    assert_eq!(blk_read(&mut d, 0, 512), (S_OK, init[..512].to_vec()));
    assert_eq!(blk_simple(&mut d, T_FLUSH), S_OK);
    drop(d);
    assert_eq!(std::fs::read(&path).unwrap(), init);
}

#[test]
fn blk_snapshot_discards_writes() {
    let dir = TempDir::new("snap");
    let init = pattern(32 * 1024, 11);
    let path = raw_file(&dir, "base.raw", &init);
    let mut d = blk_driver(open(&path, false, true));
    assert_eq!(d.device_features() & F_RO, 0);
    let new = pattern(1536, 200);
    assert_eq!(blk_write(&mut d, 5, &new), S_OK);
    assert_eq!(blk_read(&mut d, 5, 1536), (S_OK, new));
    assert_eq!(blk_read(&mut d, 4, 512), (S_OK, init[2048..2560].to_vec()));
    assert_eq!(blk_simple(&mut d, T_FLUSH), S_OK);
    d.dev.flush().unwrap();
    drop(d);
    assert_eq!(std::fs::read(&path).unwrap(), init);
}

#[test]
fn raw_probe_refuses_qcow2_header() {
    let dir = TempDir::new("probe");
    let path = raw_file(&dir, "probed.raw", &[0u8; 4096]);
    let mut d = blk_driver(open(&path, false, false));
    let mut sector = vec![0u8; 512];
    sector[..4].copy_from_slice(b"QFI\xfb");
    assert_eq!(blk_write(&mut d, 0, &sector), S_IOERR);
    // With the format given explicitly, the guest owns every byte.
    let disk = open_disk(&DiskOptions { format: Some(DiskFormat::Raw), ..DiskOptions::new(&path) }).unwrap();
    let mut d = blk_driver(disk);
    assert_eq!(blk_write(&mut d, 0, &sector), S_OK);
}

fn qemu_img(args: &[&str]) -> Option<bool> {
    match std::process::Command::new("qemu-img").args(args).output() {
        Ok(o) => Some(o.status.success()),
        Err(_) => None,
    }
}

#[test]
fn blk_qcow2_overlay_round_trip() {
    let dir = TempDir::new("qcow2");
    let init = pattern(1 << 20, 5);
    let base = raw_file(&dir, "base.raw", &init);
    let overlay = dir.path("overlay.qcow2");
    let (b, o) = (base.to_str().unwrap(), overlay.to_str().unwrap());
    match qemu_img(&["create", "-q", "-f", "qcow2", "-b", b, "-F", "raw", o]) {
        None => {
            eprintln!("qemu-img not found: skipping the qcow2 test");
            return;
        }
        Some(ok) => assert!(ok, "qemu-img create failed"),
    }
    let mut d = blk_driver(open(&overlay, false, false));
    assert_eq!(d.dev.read(REG_CONFIG, 8), 2048, "capacity from the qcow2 header");
    assert_eq!(blk_read(&mut d, 100, 4096), (S_OK, init[100 * 512..100 * 512 + 4096].to_vec()));
    let new = pattern(8192, 77);
    assert_eq!(blk_write(&mut d, 1001, &new), S_OK);
    assert_eq!(blk_read(&mut d, 1001, 8192), (S_OK, new.clone()));
    // Partly old, partly new data in one read.
    let (s, mixed) = blk_read(&mut d, 1000, 1024);
    assert_eq!(s, S_OK);
    assert_eq!(mixed[..512], init[1000 * 512..1001 * 512]);
    assert_eq!(mixed[512..], new[..512]);
    assert_eq!(blk_simple(&mut d, T_FLUSH), S_OK);
    // After a flush the image is complete on disk while still open (what the
    // board relies on when it flushes and then exits without dropping).
    d.dev.flush().unwrap();
    assert_eq!(qemu_img(&["check", "-q", o]), Some(true), "qemu-img check of the overlay after flush");
    assert_eq!(std::fs::read(&base).unwrap(), init, "the backing file is untouched");
    // More writes, then only the drop flushes them.
    assert_eq!(blk_write(&mut d, 2000, &[9; 4096]), S_OK);
    drop(d);
    assert_eq!(qemu_img(&["check", "-q", o]), Some(true), "qemu-img check of the overlay after drop");
    assert_eq!(std::fs::read(&base).unwrap(), init, "the backing file is untouched");
    // The data is in the overlay: read it back through a fresh open.
    let mut q = open(&overlay, true, false);
    let mut got = vec![0u8; 8192];
    q.read_at(&mut got, 1001 * 512).unwrap();
    assert_eq!(got, new);
    // And qemu-img sees the same guest view.
    let conv = dir.path("flat.raw");
    assert_eq!(qemu_img(&["convert", "-O", "raw", o, conv.to_str().unwrap()]), Some(true));
    let flat = std::fs::read(&conv).unwrap();
    assert_eq!(flat[1001 * 512..1001 * 512 + 8192], new[..]);
    assert_eq!(flat[..1001 * 512], init[..1001 * 512]);
    assert_eq!(flat[2000 * 512..2000 * 512 + 4096], [9; 4096]);
}

#[test]
fn qcow2_snapshot_leaves_image_alone() {
    let dir = TempDir::new("qsnap");
    let img = dir.path("img.qcow2");
    let p = img.to_str().unwrap();
    if qemu_img(&["create", "-q", "-f", "qcow2", p, "1M"]) != Some(true) {
        eprintln!("qemu-img not available: skipping");
        return;
    }
    let before = std::fs::read(&img).unwrap();
    let mut d = blk_driver(open(&img, false, true));
    assert_eq!(blk_write(&mut d, 7, &[0x42; 512]), S_OK);
    assert_eq!(blk_read(&mut d, 7, 512), (S_OK, vec![0x42; 512]));
    d.dev.flush().unwrap();
    drop(d);
    assert_eq!(std::fs::read(&img).unwrap(), before);
}

// ---- virtio-rng ----

#[test]
fn rng_fills_buffers() {
    let mut d = Driver::new(virtio_rng);
    d.init(1, 8);
    let a = d.alloc(64);
    let b = d.alloc(4096);
    d.put(a, &[0; 64]);
    d.put(b, &[0; 4096]);
    let ha = d.submit(0, &[(a, 64, true)]);
    let hb = d.submit(0, &[(b, 1000, true), (b + 1000, 3096, true)]);
    d.notify(0);
    assert_eq!(d.take_used(0), vec![(u32::from(ha), 64), (u32::from(hb), 4096)]);
    assert!(d.get(a, 64).iter().any(|&x| x != 0));
    assert!(d.get(b + 3000, 1096).iter().any(|&x| x != 0));
    assert!(d.irq());
}

// ---- virtio-console ----

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn console_output_and_input() {
    let out = Capture::default();
    let mut input = None;
    let mut d = Driver::new(|irq, bus| {
        let (m, i) = virtio_console(irq, bus, Box::new(out.clone()));
        input = Some(i);
        m
    });
    let input = input.unwrap();
    // Input typed before the driver is up waits in the backlog.
    assert_eq!(input.push_input(b"early "), 6);
    d.init(2, 16);

    // Transmit: two chains, one split over two buffers.
    let t = d.alloc(64);
    d.put(t, b"hello, world\n");
    d.submit(1, &[(t, 7, false), (t + 7, 6, false)]);
    d.notify(1);
    assert_eq!(d.take_used(1).len(), 1);
    assert_eq!(&out.0.lock()[..], b"hello, world\n");
    d.ack_irq();

    // Receive: post buffers, and the backlog arrives at once.
    let r1 = d.alloc(4);
    let r2 = d.alloc(64);
    let h1 = d.submit(0, &[(r1, 4, true)]);
    d.notify(0);
    assert_eq!(d.take_used(0), vec![(u32::from(h1), 4)]);
    assert_eq!(d.get(r1, 4), b"earl");
    assert!(d.irq());
    d.ack_irq();
    let h2 = d.submit(0, &[(r2, 64, true)]);
    d.notify(0);
    assert_eq!(d.take_used(0), vec![(u32::from(h2), 2)]);
    assert_eq!(d.get(r2, 2), b"y ");
    d.ack_irq();

    // Input while a buffer is posted is delivered by push_input itself.
    let r3 = d.alloc(64);
    let h3 = d.submit(0, &[(r3, 64, true)]);
    d.notify(0);
    assert!(d.take_used(0).is_empty(), "no input, buffer kept");
    assert!(!d.irq());
    input.push_input(b"ls\n");
    assert_eq!(d.take_used(0), vec![(u32::from(h3), 3)]);
    assert_eq!(d.get(r3, 3), b"ls\n");
    assert!(d.irq());
    assert_eq!(input.input_pending(), 0);

    // Emergency write.
    d.dev.write(REG_CONFIG + 8, 4, u64::from(b'!'));
    assert_eq!(out.0.lock().last(), Some(&b'!'));
}

// ---- interrupts ----

#[test]
fn interrupt_suppression_and_ack() {
    let mut d = Driver::new(virtio_rng);
    d.init(1, 8);
    let avail = d.queues[0].avail;
    d.put(avail, &1u16.to_le_bytes()); // VRING_AVAIL_F_NO_INTERRUPT
    let a = d.alloc(16);
    d.submit(0, &[(a, 16, true)]);
    d.notify(0);
    assert_eq!(d.take_used(0).len(), 1);
    assert!(!d.irq());
    assert_eq!(d.r(REG_INTERRUPT_STATUS), 0);
    d.put(avail, &0u16.to_le_bytes());
    d.submit(0, &[(a, 16, true)]);
    d.notify(0);
    assert!(d.irq());
    d.w(REG_INTERRUPT_ACK, INT_USED_BUFFER);
    assert!(!d.irq());
}

#[test]
fn buffers_before_driver_ok_wait() {
    let mut d = Driver::new(virtio_rng);
    let f = d.device_features() & F_VERSION_1;
    assert!(d.negotiate(f));
    d.setup_queue(0, 8);
    let a = d.alloc(32);
    d.submit(0, &[(a, 32, true)]);
    d.notify(0);
    assert!(d.take_used(0).is_empty(), "nothing is used before DRIVER_OK");
    d.w(REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
    assert_eq!(d.take_used(0).len(), 1);
}

// ---- a driver that breaks the queue ----

/// Asserts the device flagged NEEDS_RESET with a config interrupt, then
/// checks that a reset and a fresh bring-up make it work again.
fn assert_broken_then_recovers(d: &mut Driver) {
    assert!(d.needs_reset(), "device must need a reset");
    assert_ne!(d.r(REG_INTERRUPT_STATUS) & INT_CONFIG_CHANGE, 0);
    assert!(d.irq());
    // Further notifications are ignored.
    d.notify(0);
    d.init(1, 64);
    assert!(!d.needs_reset());
    assert!(!d.irq());
    let (s, _) = blk_read(d, 0, 512);
    assert_eq!(s, S_OK);
}

fn mem_blk() -> Driver {
    blk_driver(Box::new(MemDisk::new(vec![0; 64 * 1024])))
}

#[test]
fn malformed_descriptor_loop() {
    let mut d = mem_blk();
    let h = blk_header(&mut d, T_IN, 0);
    let dq = d.queues[0];
    d.write_desc(dq.desc, 0, h, 16, DESC_F_NEXT, 1);
    d.write_desc(dq.desc, 1, h, 16, DESC_F_NEXT, 0);
    d.publish(0, 0);
    d.notify(0);
    assert_broken_then_recovers(&mut d);
}

#[test]
fn malformed_indirect_loop_and_lengths() {
    for (len, looped) in [(32u32, true), (24, false), (0, false), (16 * 4096, false)] {
        let mut d = mem_blk();
        let h = blk_header(&mut d, T_IN, 0);
        let table = d.alloc(64);
        d.write_desc(table, 0, h, 16, DESC_F_NEXT, 1);
        // Looped: 1 -> 0 -> 1 ...; otherwise a proper end, but a bad table length.
        let (flags, next) = if looped { (DESC_F_NEXT, 0) } else { (DESC_F_WRITE, 0) };
        d.write_desc(table, 1, h, 16, flags, next);
        let dq = d.queues[0];
        d.write_desc(dq.desc, 0, table, len, DESC_F_INDIRECT, 0);
        d.publish(0, 0);
        d.notify(0);
        assert_broken_then_recovers(&mut d);
    }
}

#[test]
fn malformed_nested_indirect_and_bad_next() {
    let mut d = mem_blk();
    let table = d.alloc(32);
    d.write_desc(table, 0, table, 32, DESC_F_INDIRECT, 0);
    let dq = d.queues[0];
    d.write_desc(dq.desc, 0, table, 32, DESC_F_INDIRECT, 0);
    d.publish(0, 0);
    d.notify(0);
    assert_broken_then_recovers(&mut d);

    let dq = d.queues[0];
    d.write_desc(dq.desc, 0, RAM, 16, DESC_F_NEXT, 999);
    d.publish(0, 0);
    d.notify(0);
    assert_broken_then_recovers(&mut d);
}

#[test]
fn malformed_head_and_avail_index() {
    let mut d = mem_blk();
    d.publish(0, 500); // head beyond a 64-entry table
    d.notify(0);
    assert_broken_then_recovers(&mut d);

    let avail = d.queues[0].avail;
    d.put(avail + 2, &1000u16.to_le_bytes());
    d.notify(0);
    assert_broken_then_recovers(&mut d);
}

#[test]
fn malformed_ring_addresses_outside_ram() {
    for (reg, addr) in [
        (REG_QUEUE_DESC_LOW, 0x10_0000_0000u64),
        (REG_QUEUE_DRIVER_LOW, 0xffff_ffff_ffff_fff0),
        (REG_QUEUE_DEVICE_LOW, RAM + RAM_SIZE - 2),
    ] {
        let mut d = mem_blk();
        let f = d.device_features() & F_VERSION_1;
        assert!(d.negotiate(f));
        d.setup_queue(0, 64);
        // Re-point one ring of the (not yet live) queue.
        d.w(REG_QUEUE_READY, 0);
        d.w(reg, addr as u32);
        d.w(reg + 4, (addr >> 32) as u32);
        d.w(REG_QUEUE_READY, 1);
        d.w(REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
        if reg == REG_QUEUE_DRIVER_LOW {
            d.notify(0); // the avail ring cannot even be read
        } else {
            let h = blk_header(&mut d, T_IN, 0);
            let st = d.alloc(1);
            d.submit(0, &[(h, 16, false), (st, 1, true)]);
            d.notify(0);
        }
        assert_broken_then_recovers(&mut d);
    }
}

#[test]
fn bad_queue_size_needs_reset() {
    let mut d = mem_blk();
    let f = d.device_features() & F_VERSION_1;
    assert!(d.negotiate(f));
    d.w(REG_QUEUE_SEL, 0);
    d.w(REG_QUEUE_NUM, 100);
    d.w(REG_QUEUE_READY, 1);
    assert_eq!(d.r(REG_QUEUE_READY), 0);
    assert_broken_then_recovers(&mut d);
}

#[test]
fn chain_longer_than_queue() {
    let mut d = Driver::new(virtio_rng);
    d.init(1, 4);
    let a = d.alloc(16);
    // Every descriptor of a four-entry table points to the next: a cycle.
    let dq = d.queues[0];
    for i in 0..4 {
        d.write_desc(dq.desc, i, a, 1, DESC_F_NEXT | DESC_F_WRITE, (i + 1) % 4);
    }
    d.publish(0, 2);
    d.notify(0);
    assert!(d.needs_reset());
}

#[test]
fn buffers_outside_ram_fail_the_request() {
    let mut d = mem_blk();
    let h = blk_header(&mut d, T_IN, 0);
    let st = d.alloc(1);
    // Data buffer outside RAM.
    assert_eq!(blk_run(&mut d, &[(h, 16, false), (0x1000, 512, true), (st, 1, true)], st, false).0, S_IOERR);
    // Data buffer running off the end of RAM.
    let tail = RAM + RAM_SIZE - 256;
    assert_eq!(blk_run(&mut d, &[(h, 16, false), (tail, 512, true), (st, 1, true)], st, false).0, S_IOERR);
    // A huge length: past the disk, so refused before any transfer.
    let buf = d.alloc(512);
    assert_eq!(blk_run(&mut d, &[(h, 16, false), (buf, 0xffff_fe00, true), (st, 1, true)], st, false).0, S_IOERR);
    // An address near the top of the address space.
    assert_eq!(blk_run(&mut d, &[(h, 16, false), (u64::MAX - 100, 512, true), (st, 1, true)], st, false).0, S_IOERR);
    // Header outside RAM; out-of-RAM source for a write.
    assert_eq!(blk_run(&mut d, &[(0x10, 16, false), (st, 1, true)], st, false).0, S_IOERR);
    let w = blk_header(&mut d, T_OUT, 0);
    assert_eq!(blk_run(&mut d, &[(w, 16, false), (0x2000, 512, false), (st, 1, true)], st, false).0, S_IOERR);
    // Status byte outside RAM: the chain comes back, nothing else happens.
    d.submit(0, &[(h, 16, false), (0x20, 1, true)]);
    d.notify(0);
    assert_eq!(d.take_used(0).len(), 1);
    assert!(!d.needs_reset());

    // rng with a huge buffer writes at most its limit and stops at RAM's end.
    let mut r = Driver::new(virtio_rng);
    r.init(1, 8);
    let a = r.alloc(16);
    r.submit(0, &[(a, u32::MAX, true)]);
    r.submit(0, &[(RAM + RAM_SIZE - 100, 4096, true)]);
    r.notify(0);
    let used = r.take_used(0);
    assert_eq!(used[0].1 as u64, rng::MAX_PER_REQUEST);
    assert_eq!(used[1].1, 0);
}

#[test]
fn garbage_register_writes_do_not_panic() {
    let mut d = mem_blk();
    for off in (0..0x200u64).step_by(4) {
        for v in [0u64, 1, 0xffff_ffff, 0x8000_0000] {
            if off == REG_STATUS {
                continue;
            }
            d.dev.write(off, 4, v);
            d.dev.write(off, 1, v);
            d.dev.write(off, 8, v);
            let _ = d.dev.read(off, 4);
            let _ = d.dev.read(off, 2);
        }
    }
    d.w(REG_QUEUE_SEL, 0xffff_ffff);
    d.w(REG_QUEUE_NUM, 8);
    d.w(REG_QUEUE_READY, 1);
    d.w(REG_QUEUE_NOTIFY, 0xffff_ffff);
    d.w(REG_QUEUE_SEL, 0);
    d.init(1, 64);
    assert_eq!(blk_read(&mut d, 0, 512).0, S_OK);
}

#[test]
fn console_input_from_another_thread() {
    let mut input = None;
    let mut d = Driver::new(|irq, bus| {
        let (m, i) = virtio_console(irq, bus, Box::new(std::io::sink()));
        input = Some(i);
        m
    });
    let input = input.unwrap();
    d.init(2, 16);
    let text: Vec<u8> = (0..20_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let feeder = {
        let text = text.clone();
        std::thread::spawn(move || {
            for c in text.chunks(100) {
                let mut rest = c;
                while !rest.is_empty() {
                    let n = input.push_input(rest);
                    rest = &rest[n..];
                    std::thread::yield_now();
                }
            }
        })
    };
    let bufs: Vec<u64> = (0..16).map(|_| d.alloc(64)).collect();
    let mut posted = std::collections::VecDeque::new();
    let mut got = Vec::new();
    let mut spins = 0u64;
    while got.len() < text.len() {
        while posted.len() < 8 {
            let b = bufs[(d.queues[0].next_desc % 16) as usize];
            let h = d.submit(0, &[(b, 64, true)]);
            posted.push_back((h, b));
            d.notify(0);
        }
        for (id, len) in d.take_used(0) {
            let (h, b) = posted.pop_front().unwrap();
            assert_eq!(id, u32::from(h), "buffers come back in order");
            got.extend(d.get(b, len as usize));
        }
        d.ack_irq();
        spins += 1;
        assert!(spins < 100_000_000, "input stalled");
        std::thread::yield_now();
    }
    feeder.join().unwrap();
    assert_eq!(got, text);
}

// ---- virtio-net ----

/// A backend that records the guest's frames and hands out its receive side.
#[derive(Clone, Default)]
struct ChannelNet {
    sent: Arc<Mutex<Vec<Vec<u8>>>>,
    rx: Arc<Mutex<Option<NetRx>>>,
}

impl NetBackend for ChannelNet {
    fn start(&mut self, rx: NetRx) -> std::io::Result<()> {
        *self.rx.lock() = Some(rx);
        Ok(())
    }
    fn send(&mut self, frame: &[u8]) {
        self.sent.lock().push(frame.to_vec());
    }
}

fn net_driver() -> (Driver, ChannelNet, NetRx) {
    let net = ChannelNet::default();
    let d = Driver::new(|irq, bus| virtio_net(irq, bus, net::DEFAULT_MAC, Box::new(net.clone())).unwrap());
    let rx = net.rx.lock().clone().expect("backend started");
    (d, net, rx)
}

#[test]
fn net_config_space_mac_and_status() {
    let (mut d, _, _) = net_driver();
    assert_eq!(d.r(REG_DEVICE_ID), ID_NET);
    let f = d.device_features();
    assert_eq!(f & (net::F_MAC | net::F_STATUS), net::F_MAC | net::F_STATUS);
    assert_eq!(f & 0xffff_ffff & !F_INDIRECT_DESC, net::F_MAC | net::F_STATUS, "no MRG_RXBUF, no offloads");
    let mac: Vec<u8> = (0..6).map(|i| d.dev.read(REG_CONFIG + i, 1) as u8).collect();
    assert_eq!(mac, [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    assert_eq!(d.dev.read(REG_CONFIG + 6, 2), u64::from(net::S_LINK_UP));
}

#[test]
fn net_transmit_strips_header() {
    let (mut d, net, _) = net_driver();
    d.init(2, 16);
    let frame = pattern(60, 7);
    let t = d.alloc(128);
    d.put(t, &[0xaa; net::HDR_LEN]);
    d.put(t + net::HDR_LEN as u64, &frame);
    // Header and frame in separate buffers, and in one.
    d.submit(1, &[(t, net::HDR_LEN as u32, false), (t + net::HDR_LEN as u64, 60, false)]);
    d.submit(1, &[(t, (net::HDR_LEN + 60) as u32, false)]);
    d.notify(1);
    assert_eq!(d.take_used(1).len(), 2);
    assert_eq!(*net.sent.lock(), vec![frame.clone(), frame]);
    assert!(d.irq());
}

#[test]
fn net_receive_fills_buffers_with_header() {
    let (mut d, _, rx) = net_driver();
    d.init(2, 16);
    // A frame that arrives before the driver posts buffers waits.
    assert!(rx.push(&pattern(42, 1)));
    assert!(!d.irq());
    let r1 = d.alloc(1526);
    d.put(r1, &[0xff; 1526]);
    let h1 = d.submit(0, &[(r1, 1526, true)]);
    d.notify(0);
    assert_eq!(d.take_used(0), vec![(u32::from(h1), (net::HDR_LEN + 42) as u32)]);
    let mut hdr = [0u8; net::HDR_LEN];
    hdr[10] = 1; // num_buffers
    assert_eq!(d.get(r1, net::HDR_LEN), hdr);
    assert_eq!(d.get(r1 + net::HDR_LEN as u64, 42), pattern(42, 1));
    assert!(d.irq());
    d.ack_irq();

    // A buffer posted first is filled when the backend delivers (split buffers).
    let r2 = d.alloc(2048);
    let h2 = d.submit(0, &[(r2, 10, true), (r2 + 10, 2038, true)]);
    d.notify(0);
    assert!(d.take_used(0).is_empty());
    assert!(rx.push(&pattern(100, 9)));
    assert_eq!(d.take_used(0), vec![(u32::from(h2), (net::HDR_LEN + 100) as u32)]);
    assert_eq!(d.get(r2 + net::HDR_LEN as u64, 100), pattern(100, 9));
    assert!(d.irq());
    assert_eq!(rx.pending(), 0);
}

#[test]
fn net_receive_backlog_is_bounded() {
    let (mut d, _, rx) = net_driver();
    d.init(2, 16);
    for _ in 0..net::RX_BACKLOG {
        assert!(rx.push(&[1; 60]));
    }
    assert!(!rx.push(&[1; 60]), "dropped beyond the backlog");
    assert!(!rx.push(&vec![0; net::MAX_FRAME + 1]));
    // A too-small buffer drops its frame, the next one gets the next frame.
    let r = d.alloc(4096);
    let h1 = d.submit(0, &[(r, 20, true)]);
    let h2 = d.submit(0, &[(r + 64, 2000, true)]);
    d.notify(0);
    assert_eq!(d.take_used(0), vec![(u32::from(h1), 0), (u32::from(h2), 72)]);
    assert_eq!(rx.pending(), net::RX_BACKLOG - 2);
    // Reset drops what waits.
    d.w(REG_STATUS, 0);
    assert_eq!(rx.pending(), 0);
}
