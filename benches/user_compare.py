#!/usr/bin/env python3
"""User-mode benchmark: xlate exec vs qemu-riscv64 vs native x86_64.

Builds the C programs in benches/user/ (our own code) static with -O2, for riscv64
with Debian's cross gcc (riscv64-linux-gnu-gcc) and for the host with gcc, then runs
each one under every runner: native, qemu-riscv64 and `xlate exec --engine E` for each
engine. The CPU time (user + sys, from os.wait4) and the wall time of the child are
measured; each program runs --runs times per runner and the median is kept. Every
run's output must be identical to the native run's, or the script fails.

Prints a markdown table of CPU times with the ratios xlate/QEMU and xlate/native per
engine, and their geometric means.

    python3 benches/user_compare.py                 # all programs, 3 runs each
    python3 benches/user_compare.py --runs 1 --engines tiered,jit
    python3 benches/user_compare.py --markdown /tmp/user-bench.md
"""

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "benches", "user")
BUILD = os.path.join(SRC, "build")
PROGRAMS = ["intbranch", "memory", "interp", "float", "mixed"]
CFLAGS = ["-O2", "-static", "-ffp-contract=off", "-Wall"]
RISCV_CC = "riscv64-linux-gnu-gcc"
NATIVE_CC = "gcc"
QEMU = "qemu-riscv64"
ALL_ENGINES = ["tiered", "jit", "interp"]


def die(msg):
    print(f"user_compare: {msg}", file=sys.stderr)
    sys.exit(1)


def build(programs):
    os.makedirs(BUILD, exist_ok=True)
    for cc in (RISCV_CC, NATIVE_CC):
        if not shutil.which(cc):
            die(f"{cc} not found (apt-get install gcc-riscv64-linux-gnu gcc)")
    out = {}
    for p in programs:
        src = os.path.join(SRC, p + ".c")
        rv = os.path.join(BUILD, p + ".riscv64")
        nat = os.path.join(BUILD, p + ".x86_64")
        for cc, exe in ((RISCV_CC, rv), (NATIVE_CC, nat)):
            if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
                r = subprocess.run([cc, *CFLAGS, "-o", exe, src, "-lm"],
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    die(f"building {p} with {cc} failed:\n{r.stderr}")
        out[p] = (rv, nat)
    return out


def run_once(argv):
    """Run argv; return (stdout bytes, exit status, cpu seconds, wall seconds)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err)
        stdout = proc.stdout.read()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.stdout.close()
        err.seek(0)
        stderr = err.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        die(f"{' '.join(argv)} exited with {proc.returncode}:\n{stderr.decode(errors='replace')}")
    return stdout, ru.ru_utime + ru.ru_stime, wall


def fmt_t(t):
    return f"{t:.3f}" if t < 10 else f"{t:.2f}"


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--xlate", default=os.path.join(ROOT, "target", "release", "xlate"),
                    help="xlate binary (default target/release/xlate)")
    ap.add_argument("--qemu", default=QEMU, help="qemu user-mode binary")
    ap.add_argument("--engines", default=",".join(ALL_ENGINES),
                    help="comma-separated xlate engines (default tiered,jit,interp)")
    ap.add_argument("--runs", type=int, default=3, help="runs per program and runner; median kept")
    ap.add_argument("--scale", type=int, default=1, help="size argument passed to every program")
    ap.add_argument("--programs", default=",".join(PROGRAMS), help="comma-separated subset")
    ap.add_argument("--markdown", metavar="FILE", help="also write the table to FILE")
    args = ap.parse_args()

    engines = [e for e in args.engines.split(",") if e]
    for e in engines:
        if e not in ALL_ENGINES:
            die(f"unknown engine {e}")
    programs = [p for p in args.programs.split(",") if p]
    for p in programs:
        if p not in PROGRAMS:
            die(f"unknown program {p}")
    if not os.access(args.xlate, os.X_OK):
        die(f"{args.xlate} not found; run cargo build --release")
    if not shutil.which(args.qemu):
        die(f"{args.qemu} not found")

    exes = build(programs)
    runners = [("native", lambda rv, nat: [nat]), ("qemu", lambda rv, nat: [args.qemu, rv])]
    for e in engines:
        runners.append((e, lambda rv, nat, e=e: [args.xlate, "exec", "--engine", e, rv]))

    cpu = {}   # (program, runner) -> median cpu seconds
    wall = {}  # (program, runner) -> median wall seconds
    for p in programs:
        rv, nat = exes[p]
        expected = None
        for name, mk in runners:
            argv = mk(rv, nat) + [str(args.scale)]
            cpus, walls = [], []
            for _ in range(args.runs):
                out, c, w = run_once(argv)
                if expected is None:
                    expected = out
                elif out != expected:
                    die(f"{p}: output under {name} differs from native:\n"
                        f"--- native\n{expected.decode(errors='replace')}"
                        f"--- {name}\n{out.decode(errors='replace')}")
                cpus.append(c)
                walls.append(w)
            cpu[p, name] = statistics.median(cpus)
            wall[p, name] = statistics.median(walls)
            print(f"{p:10} {name:7} cpu {fmt_t(cpu[p, name]):>7} s  wall {fmt_t(wall[p, name]):>7} s",
                  file=sys.stderr, flush=True)
        checksum = expected.decode(errors="replace").strip().splitlines()[-1]
        print(f"{p:10} ok: {checksum}", file=sys.stderr, flush=True)

    # table: CPU seconds per runner, then ratios per engine
    head = ["program", "native", "QEMU"] + [f"xlate {e}" for e in engines]
    head += [f"{e}/QEMU" for e in engines] + [f"{e}/native" for e in engines]
    rows = []
    for p in programs:
        row = [p, fmt_t(cpu[p, "native"]), fmt_t(cpu[p, "qemu"])]
        row += [fmt_t(cpu[p, e]) for e in engines]
        row += [f"{cpu[p, e] / cpu[p, 'qemu']:.2f}" for e in engines]
        row += [f"{cpu[p, e] / max(cpu[p, 'native'], 1e-3):.1f}" for e in engines]
        rows.append(row)
    gm = ["**geomean**", fmt_t(geomean([cpu[p, "native"] for p in programs])),
          fmt_t(geomean([cpu[p, "qemu"] for p in programs]))]
    gm += [fmt_t(geomean([cpu[p, e] for p in programs])) for e in engines]
    gm += [f"**{geomean([cpu[p, e] / cpu[p, 'qemu'] for p in programs]):.2f}**" for e in engines]
    gm += [f"**{geomean([cpu[p, e] / max(cpu[p, 'native'], 1e-3) for p in programs]):.1f}**"
           for e in engines]
    rows.append(gm)

    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    table = "\n".join(lines)
    note = (f"CPU seconds (user+sys) of the child, median of {args.runs} run(s), scale {args.scale}; "
            f"ratios are CPU-time ratios (lower is better for xlate).")
    wall_head = ["program (wall s)", "native", "QEMU"] + [f"xlate {e}" for e in engines]
    wall_lines = ["| " + " | ".join(wall_head) + " |",
                  "|" + "|".join(["---"] + ["---:"] * (len(wall_head) - 1)) + "|"]
    wall_lines += ["| " + " | ".join([p] + [fmt_t(wall[p, n]) for n, _ in runners]) + " |"
                   for p in programs]
    print(table)
    print()
    print(note)
    print()
    print("\n".join(wall_lines))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n\n" + note + "\n")


if __name__ == "__main__":
    main()
