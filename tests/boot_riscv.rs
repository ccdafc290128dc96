//! Real RISC-V guests on the riscv-virt board: the shared Linux kernel and
//! initramfs booted to a shell with the built-in SBI and with OpenSBI, on one
//! and several harts, under every engine; driven through the console pipe.

mod common;

use std::time::Duration;

use common::{guests, xlate, Guest, ONE_GUEST_AT_A_TIME};

const BOOT: Duration = Duration::from_secs(240);
const CMD: Duration = Duration::from_secs(60);

fn linux(engine: &str, bios: Option<&str>, smp: usize) -> Guest {
    let g = guests("riscv64");
    let mut cmd = xlate();
    cmd.args(["run", "--machine", "riscv-virt", "--engine", engine, "--smp", &smp.to_string()]);
    if let Some(fw) = bios {
        cmd.arg("--bios").arg(g.join("firmware").join(fw));
    }
    cmd.arg("--kernel").arg(g.join("Image"));
    cmd.arg("--initrd").arg(g.join("initramfs.cpio.gz"));
    cmd.args(["--append", "console=ttyS0 earlycon"]);
    Guest::start(cmd)
}

/// Boots to the prompt, checks the kernel and the hart count, powers off.
fn boot_and_poweroff(engine: &str, bios: Option<&str>, smp: usize) {
    let _one = ONE_GUEST_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut g = linux(engine, bios, smp);
    if bios.is_some() {
        g.expect("OpenSBI v1.5", BOOT);
    }
    g.expect("Linux version 6.1", BOOT);
    g.expect(&format!("smp: Brought up 1 node, {smp} CPU"), BOOT);
    g.expect(&format!("guest: rcS done, {smp} cpu(s)"), BOOT);
    g.expect("/ # ", BOOT);
    g.shell("uname -a", "riscv64 GNU/Linux", CMD);
    g.shell("grep -c ^processor /proc/cpuinfo", &format!("\n{smp}\r"), CMD);
    g.send("poweroff");
    g.expect("reboot: Power down", CMD);
    let status = g.wait(CMD);
    assert!(status.success(), "poweroff should end xlate with exit 0, got {status}; console:\n{}", g.output);
    assert!(!g.output.contains("failed to come online"), "a secondary hart missed its bring-up:\n{}", g.output);
}

#[test]
fn linux_builtin_sbi_smp1_tiered() {
    boot_and_poweroff("tiered", None, 1);
}

#[test]
fn linux_builtin_sbi_smp4_tiered() {
    boot_and_poweroff("tiered", None, 4);
}

#[test]
fn linux_opensbi_fw_jump_smp1_tiered() {
    boot_and_poweroff("tiered", Some("fw_jump.bin"), 1);
}

/// The configuration in which QEMU sometimes leaves CPU1 offline: every
/// secondary hart must come up within Linux's one-second window, every time.
#[test]
fn linux_opensbi_fw_jump_smp4_tiered() {
    boot_and_poweroff("tiered", Some("fw_jump.bin"), 4);
}

#[test]
fn linux_opensbi_fw_dynamic_smp4_tiered() {
    boot_and_poweroff("tiered", Some("fw_dynamic.bin"), 4);
}

/// Every block compiled and chained, on several harts: a hart idling in WFI
/// without sleeping once held the others back through the pacer (a livelock
/// soon after init started). Two harts keep the boot short.
#[test]
fn linux_opensbi_fw_dynamic_smp2_jit() {
    boot_and_poweroff("jit", Some("fw_dynamic.bin"), 2);
}

#[test]
fn linux_builtin_sbi_interp() {
    boot_and_poweroff("interp", None, 1);
}

#[test]
fn linux_builtin_sbi_jit() {
    boot_and_poweroff("jit", None, 1);
}

#[test]
fn dumpdtb_writes_a_device_tree() {
    let g = guests("riscv64");
    let out = std::env::temp_dir().join(format!("xlate-dtb-{}.dtb", std::process::id()));
    let status = xlate()
        .args(["run", "--smp", "2", "--kernel"])
        .arg(g.join("Image"))
        .arg("--dumpdtb")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let dtb = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    assert_eq!(&dtb[..4], &[0xd0, 0x0d, 0xfe, 0xed], "FDT magic");
    let text = String::from_utf8_lossy(&dtb);
    for needle in ["riscv,plic0", "riscv,clint0", "ns16550a", "virtio,mmio", "google,goldfish-rtc", "cpu@1"] {
        assert!(text.contains(needle), "device tree lacks {needle}");
    }
}

#[test]
fn missing_kernel_is_a_clear_error() {
    let out = xlate().args(["run", "--kernel", "/nonexistent/Image"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("xlate: error: cannot read kernel"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn smp_out_of_range_is_rejected() {
    let g = guests("riscv64");
    let out = xlate().args(["run", "--smp", "9", "--kernel"]).arg(g.join("Image")).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--smp 9 is out of range"));
}

fn tool(name: &str) -> std::process::Command {
    std::process::Command::new(name)
}

/// A fresh ext2 image made by mkfs.ext2 (e2fsprogs).
fn ext2_image(path: &std::path::Path) {
    let f = std::fs::File::create(path).unwrap();
    f.set_len(32 << 20).unwrap();
    let ok = tool("mkfs.ext2").args(["-q", "-F"]).arg(path).status().expect("mkfs.ext2 (run tests/setup.sh)");
    assert!(ok.success());
}

/// The contents of `file` inside an ext2 image, read on the host with debugfs.
fn debugfs_cat(image: &std::path::Path, file: &str) -> String {
    let out = tool("debugfs").arg("-R").arg(format!("cat {file}")).arg(image).output().expect("debugfs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Mounts the disk in the guest, writes a file, powers off.
fn write_file_in_guest(drive: &str) {
    let g = guests("riscv64");
    let mut cmd = xlate();
    cmd.args(["run", "--kernel"]).arg(g.join("Image")).arg("--initrd").arg(g.join("initramfs.cpio.gz"));
    cmd.args(["--append", "console=ttyS0", "--drive", drive]);
    let mut guest = Guest::start(cmd);
    guest.expect("/ # ", BOOT);
    guest.shell(
        "mount -t ext2 /dev/vda /mnt && echo written-by-the-guest > /mnt/note.txt && umount /mnt && echo WROTE-$((40+2))",
        "WROTE-42",
        CMD,
    );
    guest.send("poweroff");
    let status = guest.wait(CMD);
    assert!(status.success(), "exit status {status}; console:\n{}", guest.output);
}

#[test]
fn raw_disk_write_survives_poweroff() {
    let _one = ONE_GUEST_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempdir("raw");
    let disk = dir.join("disk.raw");
    ext2_image(&disk);
    write_file_in_guest(&format!("file={},format=raw", disk.display()));
    assert_eq!(debugfs_cat(&disk, "/note.txt"), "written-by-the-guest\n");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn qcow2_overlay_takes_writes_and_leaves_base_untouched() {
    let _one = ONE_GUEST_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempdir("qcow2");
    let base = dir.join("base.raw");
    ext2_image(&base);
    let before = std::fs::read(&base).unwrap();
    let overlay = dir.join("overlay.qcow2");
    let ok = tool("qemu-img")
        .args(["create", "-q", "-f", "qcow2", "-b"])
        .arg(&base)
        .args(["-F", "raw"])
        .arg(&overlay)
        .status()
        .expect("qemu-img");
    assert!(ok.success());
    write_file_in_guest(&format!("file={}", overlay.display()));
    assert!(std::fs::read(&base).unwrap() == before, "the base image changed");
    let check = tool("qemu-img").args(["check", "-q"]).arg(&overlay).status().unwrap();
    assert!(check.success(), "qemu-img check found errors in the overlay");
    let flat = dir.join("flat.raw");
    let ok = tool("qemu-img").args(["convert", "-O", "raw"]).arg(&overlay).arg(&flat).status().unwrap();
    assert!(ok.success());
    assert_eq!(debugfs_cat(&flat, "/note.txt"), "written-by-the-guest\n");
    let _ = std::fs::remove_dir_all(dir);
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("xlate-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A file from a Debian package unpacked by tests/setup.sh into .cache/guests.
fn debian_file(package: &str, path: &str) -> std::path::PathBuf {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/guests").join(package).join(path);
    assert!(p.is_file(), "{} is missing: run `bash tests/setup.sh`", p.display());
    p
}

fn uboot_prompt_and_version(args: &[std::ffi::OsString]) {
    let _one = ONE_GUEST_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut cmd = xlate();
    cmd.arg("run").args(args);
    let mut g = Guest::start(cmd);
    g.expect("U-Boot 2023.01", BOOT);
    g.expect("=> ", BOOT);
    g.send("version");
    g.expect("U-Boot 2023.01", CMD);
    g.expect("=> ", CMD);
}

#[test]
fn uboot_smode_under_debian_opensbi_fw_jump() {
    let fw = debian_file("opensbi", "usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin");
    let uboot = debian_file("u-boot-qemu", "usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin");
    uboot_prompt_and_version(&["--bios".into(), fw.into(), "--kernel".into(), uboot.into()]);
}

#[test]
fn uboot_mmode_as_bios() {
    let uboot = debian_file("u-boot-qemu", "usr/lib/u-boot/qemu-riscv64/u-boot.bin");
    uboot_prompt_and_version(&["--bios".into(), uboot.into()]);
}

/// `--netdev user`: virtio-net on libslirp. The guest pings the gateway
/// (answered by slirp itself) and serves a port the host reaches through a
/// hostfwd rule on 127.0.0.1. Only loopback traffic.
#[cfg(feature = "slirp")]
#[test]
fn net_user_ping_and_hostfwd() {
    let _one = ONE_GUEST_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let g = guests("riscv64");
    let mut cmd = xlate();
    cmd.args(["run", "--kernel"]).arg(g.join("Image")).arg("--initrd").arg(g.join("initramfs.cpio.gz"));
    cmd.args(["--append", "console=ttyS0", "--netdev", &format!("user,hostfwd=tcp::{port}-:8080")]);
    let mut guest = Guest::start(cmd);
    guest.expect("/ # ", BOOT);
    guest.shell(
        "ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up && ping -c 2 10.0.2.2",
        "2 packets received",
        CMD,
    );
    guest.shell("nc -l -p 8080 -e echo hello & sleep 1; echo NC-STARTED", "NC-STARTED", CMD);
    let deadline = std::time::Instant::now() + CMD;
    let reply = loop {
        use std::io::Read;
        let mut s = String::new();
        if let Ok(mut c) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let _ = c.read_to_string(&mut s);
            if s.contains("hello") {
                break s;
            }
        }
        assert!(std::time::Instant::now() < deadline, "no reply on 127.0.0.1:{port}; console:\n{}", guest.output);
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(reply.trim(), "hello");
    guest.send("poweroff");
    let status = guest.wait(CMD);
    assert!(status.success(), "exit status {status}; console:\n{}", guest.output);
}

#[test]
fn snapshot_discards_disk_writes() {
    let _one = ONE_GUEST_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempdir("snapshot");
    let disk = dir.join("disk.raw");
    ext2_image(&disk);
    let before = std::fs::read(&disk).unwrap();
    let g = guests("riscv64");
    let mut cmd = xlate();
    cmd.args(["run", "--snapshot", "--kernel"]).arg(g.join("Image")).arg("--initrd").arg(g.join("initramfs.cpio.gz"));
    cmd.args(["--append", "console=ttyS0", "--drive"]).arg(format!("file={}", disk.display()));
    let mut guest = Guest::start(cmd);
    guest.expect("/ # ", BOOT);
    guest.shell(
        "mount -t ext2 /dev/vda /mnt && echo x > /mnt/gone.txt && cat /mnt/gone.txt && umount /mnt",
        "x\r",
        CMD,
    );
    guest.send("poweroff");
    assert!(guest.wait(CMD).success());
    assert!(std::fs::read(&disk).unwrap() == before, "--snapshot must leave the image unchanged");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn readonly_drive_refuses_writes() {
    let _one = ONE_GUEST_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempdir("readonly");
    let disk = dir.join("disk.raw");
    ext2_image(&disk);
    let before = std::fs::read(&disk).unwrap();
    let g = guests("riscv64");
    let mut cmd = xlate();
    cmd.args(["run", "--kernel"]).arg(g.join("Image")).arg("--initrd").arg(g.join("initramfs.cpio.gz"));
    cmd.args(["--append", "console=ttyS0", "--drive"]).arg(format!("file={},format=raw,readonly=on", disk.display()));
    let mut guest = Guest::start(cmd);
    guest.expect("/ # ", BOOT);
    // The kernel sees a write-protected disk: it mounts read-only and writes fail.
    // (The markers are computed by the shell so the echoed command cannot match.)
    guest.shell("mount -t ext2 /dev/vda /mnt; ls /mnt && echo LISTED-$((40+2))", "LISTED-42", CMD);
    guest.shell("touch /mnt/new.txt || echo REFUSED-$((40+2)); umount /mnt", "REFUSED-42", CMD);
    guest.send("poweroff");
    assert!(guest.wait(CMD).success());
    assert!(std::fs::read(&disk).unwrap() == before, "a read-only drive must not change");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn guest_reboot_restarts_the_board() {
    let _one = ONE_GUEST_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut g = linux("tiered", None, 1);
    g.expect("/ # ", BOOT);
    g.send("reboot");
    g.expect("reboot: Restarting system", CMD);
    g.expect("Linux version 6.1", BOOT); // the board booted again
    g.expect("/ # ", BOOT);
    g.send("poweroff");
    assert!(g.wait(CMD).success(), "console:\n{}", g.output);
}

#[test]
fn kernel_and_initrd_too_big_for_ram_is_an_error() {
    let g = guests("riscv64");
    let out = xlate()
        .args(["run", "-m", "8M", "--kernel"])
        .arg(g.join("Image"))
        .arg("--initrd")
        .arg(g.join("initramfs.cpio.gz"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("xlate: error:") && err.contains("not fit in 8 MiB"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn corrupt_disk_image_is_an_error() {
    let dir = tempdir("corrupt");
    let disk = dir.join("bad.qcow2");
    let mut bytes = b"QFI\xfb".to_vec();
    bytes.extend_from_slice(&[0xff; 60]);
    std::fs::write(&disk, bytes).unwrap();
    let g = guests("riscv64");
    let out = xlate()
        .args(["run", "--kernel"])
        .arg(g.join("Image"))
        .arg("--drive")
        .arg(format!("file={}", disk.display()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("xlate: error: drive"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// On a terminal the console is raw and Ctrl-A X quits, as in QEMU.
#[test]
fn ctrl_a_x_quits_on_a_terminal() {
    let _one = ONE_GUEST_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let g = guests("riscv64");
    // `script` runs xlate on a pseudo-terminal and relays our pipe to it.
    let inner = format!(
        "{} run --kernel {} --initrd {} --append console=ttyS0",
        env!("CARGO_BIN_EXE_xlate"),
        g.join("Image").display(),
        g.join("initramfs.cpio.gz").display()
    );
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-q", "-e", "-c", &inner, "/dev/null"]);
    let mut guest = Guest::start(cmd);
    guest.expect("/ # ", BOOT);
    guest.send("\x01x");
    let status = guest.wait(CMD);
    assert!(status.success(), "Ctrl-A X should end xlate cleanly, got {status}");
}
