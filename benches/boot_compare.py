#!/usr/bin/env python3
"""Boot-to-prompt time of the shared riscv64 Linux guest, xlate vs QEMU, side by side.

Runs each configuration N times (alternating, so host load affects both alike),
measures the wall time from process start to the first shell prompt, powers the
guest off, and prints a table with means and the xlate/QEMU ratio.

    python3 benches/boot_compare.py [--runs 3] [--guests ../shared/guests/riscv64]
"""
import argparse, os, select, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def boot(cmd, prompt=b"/ # ", timeout=300):
    """Seconds until `prompt` appears on the console; then powers off."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    buf = b""
    try:
        while True:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                raise RuntimeError(f"no prompt after {timeout}s: {cmd[0]}\n{buf[-2000:].decode(errors='replace')}")
            r, _, _ = select.select([p.stdout], [], [], min(left, 1.0))
            if r:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    raise RuntimeError(f"{cmd[0]} exited early:\n{buf[-2000:].decode(errors='replace')}")
                buf += chunk
                if prompt in buf:
                    elapsed = time.monotonic() - start
                    break
        p.stdin.write(b"poweroff\n")
        p.stdin.flush()
        p.wait(timeout=60)
        return elapsed
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--guests", default=os.path.join(ROOT, "..", "shared", "guests", "riscv64"))
    ap.add_argument("--xlate", default=os.path.join(ROOT, "target", "release", "xlate"))
    a = ap.parse_args()
    g = a.guests
    kernel, initrd = os.path.join(g, "Image"), os.path.join(g, "initramfs.cpio.gz")
    fw = os.path.join(g, "firmware", "fw_jump.bin")
    append = "console=ttyS0 earlycon"
    configs = {
        "qemu-system-riscv64 (fw_jump)": ["qemu-system-riscv64", "-M", "virt", "-nographic", "-m", "256M",
                                          "-bios", fw, "-kernel", kernel, "-initrd", initrd, "-append", append],
        "xlate (fw_jump)": [a.xlate, "run", "-m", "256M", "--bios", fw, "--kernel", kernel, "--initrd", initrd,
                            "--append", append],
        "xlate (builtin SBI)": [a.xlate, "run", "-m", "256M", "--kernel", kernel, "--initrd", initrd,
                                "--append", append],
    }
    times = {k: [] for k in configs}
    for _ in range(a.runs):
        for name, cmd in configs.items():
            times[name].append(boot(cmd))
    qemu = statistics.mean(times["qemu-system-riscv64 (fw_jump)"])
    print(f"boot to the first shell prompt, {a.runs} runs each (seconds)")
    print(f"{'configuration':34} {'runs':28} {'mean':>7} {'vs QEMU':>8}")
    for name, ts in times.items():
        m = statistics.mean(ts)
        runs = ", ".join(f"{t:.2f}" for t in ts)
        print(f"{name:34} {runs:28} {m:7.2f} {m / qemu:7.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
