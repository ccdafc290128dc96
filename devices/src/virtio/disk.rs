//! Disk image backends for virtio-blk: raw files, qcow2 images (with backing
//! files) through the `imago` crate, a snapshot overlay that keeps the guest's
//! writes in a temporary file and discards them, and an in-memory disk.
//!
//! Durability: [`Disk::flush`] makes every write so far durable (the guest's
//! FLUSH request calls it). imago caches qcow2 metadata (L2 and refcount
//! tables) in memory, so a qcow2 image is only consistent on disk after
//! `flush` or after it is dropped; raw writes reach the host OS at once.
//! The machine must therefore flush (or drop) its disks before the process
//! exits: see [`crate::virtio_mmio::VirtioMmio::flush`].

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use imago::qcow2::Qcow2;
use imago::{FormatAccess, FormatDriverBuilder, PermissiveImplicitOpenGate};

/// A block device's contents. Offsets and sizes are in bytes.
pub trait Disk: Send {
    /// Size of the disk in bytes.
    fn size(&self) -> u64;
    /// Whether writes are refused.
    fn readonly(&self) -> bool;
    /// Fills `buf` from `offset` (the range is inside the disk).
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<()>;
    /// Writes `data` at `offset` (the range is inside the disk).
    fn write_at(&mut self, data: &[u8], offset: u64) -> io::Result<()>;
    /// Makes every write so far durable.
    fn flush(&mut self) -> io::Result<()>;
}

/// The first bytes of a qcow2 image.
pub const QCOW2_MAGIC: [u8; 4] = *b"QFI\xfb";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskFormat {
    Raw,
    Qcow2,
}

impl std::str::FromStr for DiskFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<DiskFormat, String> {
        match s {
            "raw" => Ok(DiskFormat::Raw),
            "qcow2" => Ok(DiskFormat::Qcow2),
            _ => Err(format!("unknown disk image format '{s}' (raw or qcow2)")),
        }
    }
}

/// How to open a disk image.
#[derive(Debug, Clone)]
pub struct DiskOptions {
    pub path: PathBuf,
    /// `None`: detect (qcow2 by its magic, otherwise raw).
    pub format: Option<DiskFormat>,
    /// The guest cannot write (virtio-blk offers `VIRTIO_BLK_F_RO`).
    pub readonly: bool,
    /// The image is opened read-only and the guest's writes go to a temporary
    /// overlay that is discarded when the disk is dropped.
    pub snapshot: bool,
}

impl DiskOptions {
    pub fn new(path: impl Into<PathBuf>) -> DiskOptions {
        DiskOptions { path: path.into(), format: None, readonly: false, snapshot: false }
    }
}

fn err_ctx(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Reads the magic number to tell qcow2 from raw.
pub fn detect_format(path: &Path) -> io::Result<DiskFormat> {
    let f = File::open(path)?;
    let mut magic = [0u8; 4];
    let n = read_full_at(&f, &mut magic, 0)?;
    Ok(if n == 4 && magic == QCOW2_MAGIC { DiskFormat::Qcow2 } else { DiskFormat::Raw })
}

/// Opens a disk image as `opts` says. Errors name the file.
pub fn open_disk(opts: &DiskOptions) -> io::Result<Box<dyn Disk>> {
    let path = opts.path.as_path();
    let (format, probed) = match opts.format {
        Some(f) => (f, false),
        None => (detect_format(path).map_err(|e| err_ctx(path, e))?, true),
    };
    let image_ro = opts.readonly || opts.snapshot;
    let disk: Box<dyn Disk> = match format {
        DiskFormat::Raw => Box::new(RawDisk::open(path, image_ro, probed).map_err(|e| err_ctx(path, e))?),
        DiskFormat::Qcow2 => Box::new(Qcow2Disk::open(path, image_ro).map_err(|e| err_ctx(path, e))?),
    };
    if opts.snapshot {
        let overlay = SnapshotDisk::new(disk).map_err(|e| err_ctx(path, e))?;
        if opts.readonly {
            return Ok(Box::new(ReadOnly(Box::new(overlay))));
        }
        return Ok(Box::new(overlay));
    }
    Ok(disk)
}

#[cfg(unix)]
fn pread(f: &File, buf: &mut [u8], off: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(f, buf, off)
}
#[cfg(unix)]
fn pwrite(f: &File, buf: &[u8], off: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::write_at(f, buf, off)
}
#[cfg(windows)]
fn pread(f: &File, buf: &mut [u8], off: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(f, buf, off)
}
#[cfg(windows)]
fn pwrite(f: &File, buf: &[u8], off: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_write(f, buf, off)
}

/// Reads until `buf` is full or the file ends; returns the bytes read.
fn read_full_at(f: &File, buf: &mut [u8], off: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match pread(f, &mut buf[done..], off + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

fn write_all_at(f: &File, mut data: &[u8], mut off: u64) -> io::Result<()> {
    while !data.is_empty() {
        match pwrite(f, data, off) {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "short write")),
            Ok(n) => {
                data = &data[n..];
                off += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A raw image file, read and written with positioned I/O.
pub struct RawDisk {
    file: File,
    size: u64,
    readonly: bool,
    /// The format was guessed: refuse guest writes that would make the image
    /// look like qcow2 next time (a guest could otherwise plant a header whose
    /// backing file names any host file).
    probed: bool,
}

impl RawDisk {
    pub fn open(path: &Path, readonly: bool, probed: bool) -> io::Result<RawDisk> {
        let file = OpenOptions::new().read(true).write(!readonly).open(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
        }
        Ok(RawDisk { file, size: meta.len(), readonly, probed })
    }
}

impl Disk for RawDisk {
    fn size(&self) -> u64 {
        self.size
    }
    fn readonly(&self) -> bool {
        self.readonly
    }
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let n = read_full_at(&self.file, buf, offset)?;
        if n < buf.len() {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "read past the end of the image"));
        }
        Ok(())
    }
    fn write_at(&mut self, data: &[u8], offset: u64) -> io::Result<()> {
        if self.readonly {
            return Err(io::Error::new(io::ErrorKind::PermissionDenied, "read-only disk"));
        }
        if self.probed && offset < 4 {
            let mut head = [0u8; 4];
            read_full_at(&self.file, &mut head, 0)?;
            for (i, b) in data.iter().take(4 - offset as usize).enumerate() {
                head[offset as usize + i] = *b;
            }
            if head == QCOW2_MAGIC {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    "refusing to write a qcow2 header into a raw image whose format was guessed",
                ));
            }
        }
        write_all_at(&self.file, data, offset)
    }
    fn flush(&mut self) -> io::Result<()> {
        if self.readonly {
            return Ok(());
        }
        self.file.sync_data()
    }
}

/// A qcow2 image (its backing chain opened read-only as the header names it).
pub struct Qcow2Disk {
    img: FormatAccess<imago::file::File>,
    readonly: bool,
}

impl Qcow2Disk {
    pub fn open(path: &Path, readonly: bool) -> io::Result<Qcow2Disk> {
        let q = Qcow2::<imago::file::File>::builder_path(path)
            .write(!readonly)
            .open(PermissiveImplicitOpenGate::default())?;
        Ok(Qcow2Disk { img: FormatAccess::new(q), readonly })
    }
}

impl Disk for Qcow2Disk {
    fn size(&self) -> u64 {
        self.img.size()
    }
    fn readonly(&self) -> bool {
        self.readonly
    }
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.img.read(buf, offset)
    }
    fn write_at(&mut self, data: &[u8], offset: u64) -> io::Result<()> {
        if self.readonly {
            return Err(io::Error::new(io::ErrorKind::PermissionDenied, "read-only disk"));
        }
        self.img.write(data, offset)
    }
    fn flush(&mut self) -> io::Result<()> {
        if self.readonly {
            return Ok(());
        }
        self.img.flush()?;
        self.img.sync()
    }
}

/// A disk in host memory (tests, scratch disks).
pub struct MemDisk {
    pub data: Vec<u8>,
    pub readonly: bool,
}

impl MemDisk {
    pub fn new(data: Vec<u8>) -> MemDisk {
        MemDisk { data, readonly: false }
    }
}

fn range(offset: u64, len: usize, size: usize) -> io::Result<std::ops::Range<usize>> {
    usize::try_from(offset)
        .ok()
        .and_then(|o| Some(o..o.checked_add(len)?))
        .filter(|r| r.end <= size)
        .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "access past the end of the disk"))
}

impl Disk for MemDisk {
    fn size(&self) -> u64 {
        self.data.len() as u64
    }
    fn readonly(&self) -> bool {
        self.readonly
    }
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let r = range(offset, buf.len(), self.data.len())?;
        buf.copy_from_slice(&self.data[r]);
        Ok(())
    }
    fn write_at(&mut self, data: &[u8], offset: u64) -> io::Result<()> {
        if self.readonly {
            return Err(io::Error::new(io::ErrorKind::PermissionDenied, "read-only disk"));
        }
        let r = range(offset, data.len(), self.data.len())?;
        self.data[r].copy_from_slice(data);
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Refuses writes to a disk that could take them.
struct ReadOnly(Box<dyn Disk>);

impl Disk for ReadOnly {
    fn size(&self) -> u64 {
        self.0.size()
    }
    fn readonly(&self) -> bool {
        true
    }
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.0.read_at(buf, offset)
    }
    fn write_at(&mut self, _data: &[u8], _offset: u64) -> io::Result<()> {
        Err(io::Error::new(io::ErrorKind::PermissionDenied, "read-only disk"))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Granularity of the snapshot overlay.
const BLOCK: u64 = 4096;

/// Copy-on-write over a read-only base: written blocks live in an unlinked
/// temporary (sparse) file, and are gone when the disk is dropped. Host memory
/// grows only with the set of written block numbers.
pub struct SnapshotDisk {
    base: Box<dyn Disk>,
    overlay: File,
    written: HashSet<u64>,
}

impl SnapshotDisk {
    pub fn new(base: Box<dyn Disk>) -> io::Result<SnapshotDisk> {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir();
        let mut n = 0;
        let (overlay, path) = loop {
            let path =
                dir.join(format!("xlate-snapshot-{}-{}.img", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed)));
            match OpenOptions::new().read(true).write(true).create_new(true).open(&path) {
                Ok(f) => break (f, path),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(io::Error::new(e.kind(), format!("snapshot overlay in {}: {e}", dir.display()))),
            }
        };
        // Unlinked at once on Unix: the space is freed when the file closes,
        // even if xlate dies.
        let _ = std::fs::remove_file(&path);
        Ok(SnapshotDisk { base, overlay, written: HashSet::new() })
    }

    /// Splits `[offset, offset+len)` into runs of blocks that are all in the
    /// overlay or all in the base: `(start, len, in_overlay)`.
    fn runs(&self, offset: u64, len: u64) -> Vec<(u64, u64, bool)> {
        let mut out: Vec<(u64, u64, bool)> = Vec::new();
        let end = offset + len;
        let mut pos = offset;
        while pos < end {
            let blk = pos / BLOCK;
            let next = ((blk + 1) * BLOCK).min(end);
            let ov = self.written.contains(&blk);
            match out.last_mut() {
                Some(last) if last.2 == ov => last.1 += next - pos,
                _ => out.push((pos, next - pos, ov)),
            }
            pos = next;
        }
        out
    }
}

impl Disk for SnapshotDisk {
    fn size(&self) -> u64 {
        self.base.size()
    }
    fn readonly(&self) -> bool {
        false
    }
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        if offset.checked_add(buf.len() as u64).is_none_or(|end| end > self.size()) {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "read past the end of the disk"));
        }
        let mut pos = 0usize;
        for (start, len, ov) in self.runs(offset, buf.len() as u64) {
            let part = &mut buf[pos..pos + len as usize];
            if ov {
                let n = read_full_at(&self.overlay, part, start)?;
                part[n..].fill(0);
            } else {
                self.base.read_at(part, start)?;
            }
            pos += len as usize;
        }
        Ok(())
    }
    fn write_at(&mut self, data: &[u8], offset: u64) -> io::Result<()> {
        if offset.checked_add(data.len() as u64).is_none_or(|end| end > self.size()) {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "write past the end of the disk"));
        }
        // Blocks only partly covered and not yet in the overlay: copy them up.
        let end = offset + data.len() as u64;
        for blk in [offset / BLOCK, (end - 1) / BLOCK] {
            if data.is_empty() || self.written.contains(&blk) {
                continue;
            }
            let (bs, be) = (blk * BLOCK, ((blk + 1) * BLOCK).min(self.size()));
            if offset > bs || end < be {
                let mut b = vec![0u8; (be - bs) as usize];
                self.base.read_at(&mut b, bs)?;
                write_all_at(&self.overlay, &b, bs)?;
                self.written.insert(blk);
            }
        }
        write_all_at(&self.overlay, data, offset)?;
        if !data.is_empty() {
            for blk in offset / BLOCK..=(end - 1) / BLOCK {
                self.written.insert(blk);
            }
        }
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(()) // the overlay is thrown away anyway
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_overlay_keeps_base_untouched() {
        let base: Vec<u8> = (0..3 * BLOCK as usize + 100).map(|i| (i % 251) as u8).collect();
        let mut s = SnapshotDisk::new(Box::new(MemDisk { data: base.clone(), readonly: true })).unwrap();
        let mut expect = base.clone();
        // Unaligned write over a block boundary, then one at the ragged end.
        let w: Vec<u8> = vec![0xaa; 5000];
        s.write_at(&w, 4000).unwrap();
        expect[4000..9000].copy_from_slice(&w);
        s.write_at(&[1, 2, 3], base.len() as u64 - 3).unwrap();
        let n = expect.len();
        expect[n - 3..].copy_from_slice(&[1, 2, 3]);
        let mut got = vec![0u8; base.len()];
        s.read_at(&mut got, 0).unwrap();
        assert_eq!(got, expect);
        let mut part = vec![0u8; 10];
        s.read_at(&mut part, 3995).unwrap();
        assert_eq!(part, expect[3995..4005]);
        assert!(s.write_at(&[0], base.len() as u64).is_err());
    }

    #[test]
    fn format_names() {
        assert_eq!("qcow2".parse::<DiskFormat>(), Ok(DiskFormat::Qcow2));
        assert!("vmdk".parse::<DiskFormat>().is_err());
    }
}
