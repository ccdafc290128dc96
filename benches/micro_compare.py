#!/usr/bin/env python3
"""Micro-kernels: xlate exec vs qemu-riscv64 vs native, one instruction mix at a time.

Builds benches/micro/kernels.c and kernels_cxx.cpp (our own code) static with -O2 for
riscv64 and the host, runs every kernel natively, under qemu-riscv64 and under
`xlate exec` (tiered), checks the outputs match, and prints CPU seconds (the best of
--runs) with xlate/QEMU and xlate/native. Not the headline benchmark (that is
user_compare.py): this is where to look for a kernel xlate is far off on.

    python3 benches/micro_compare.py                  # every kernel, best of 3
    python3 benches/micro_compare.py --kernels cas,except --runs 1
"""

import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import user_compare as uc  # noqa: E402 (shared build and run helpers)

SRC = os.path.join(uc.ROOT, "benches", "micro")
BUILD = os.path.join(SRC, "build")
SOURCES = [("kernels.c", "riscv64-linux-gnu-gcc", "gcc"), ("kernels_cxx.cpp", "riscv64-linux-gnu-g++", "g++")]
FLAGS = ["-O2", "-static", "-pthread", "-Wall"]


def build():
    """Returns [(kernel, riscv64 exe, native exe)]."""
    os.makedirs(BUILD, exist_ok=True)
    kernels = []
    for src, rv_cc, nat_cc in SOURCES:
        path = os.path.join(SRC, src)
        base = os.path.join(BUILD, os.path.splitext(src)[0])
        for cc, exe in ((rv_cc, base + ".riscv64"), (nat_cc, base + ".native")):
            if not shutil.which(cc):
                uc.die(f"{cc} not found")
            if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(path):
                r = subprocess.run([cc, *FLAGS, "-o", exe, path, "-lm"], capture_output=True, text=True)
                if r.returncode != 0:
                    uc.die(f"building {src} with {cc} failed:\n{r.stderr}")
        names = subprocess.run([base + ".native", "--list"], capture_output=True, text=True).stdout.split()
        kernels += [(k, base + ".riscv64", base + ".native") for k in names]
    return kernels


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--xlate", default=os.path.join(uc.ROOT, "target", "release", "xlate"))
    ap.add_argument("--qemu", default=uc.QEMU)
    ap.add_argument("--runs", type=int, default=3, help="runs per kernel and runner; the best is kept")
    ap.add_argument("--kernels", help="comma-separated subset")
    args = ap.parse_args()
    if not os.access(args.xlate, os.X_OK):
        uc.die(f"{args.xlate} not found; run cargo build --release")
    kernels = build()
    if args.kernels:
        want = args.kernels.split(",")
        kernels = [k for k in kernels if k[0] in want]
    print("| kernel | native | QEMU | xlate | xlate/QEMU | xlate/native |")
    print("|---|---:|---:|---:|---:|---:|")
    ratios = []
    for name, rv, nat in kernels:
        best, expected = {}, None
        for runner, argv in (("native", [nat]), ("qemu", [args.qemu, rv]), ("xlate", [args.xlate, "exec", rv])):
            for _ in range(args.runs):
                out, cpu, _ = uc.run_once(argv + [name])
                if expected is None:
                    expected = out
                elif out != expected:
                    uc.die(f"{name}: output under {runner} differs from native")
                best[runner] = min(best.get(runner, cpu), cpu)
        q, n = best["xlate"] / best["qemu"], best["xlate"] / max(best["native"], 1e-3)
        ratios.append(q)
        print(f"| {name} | {best['native']:.3f} | {best['qemu']:.3f} | {best['xlate']:.3f} | {q:.2f} | {n:.1f} |",
              flush=True)
    print(f"\ngeomean xlate/QEMU {uc.geomean(ratios):.2f} over {len(ratios)} kernels")


if __name__ == "__main__":
    main()
