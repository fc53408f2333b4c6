#!/usr/bin/env python3
"""Time `leakgate scan <folder>` next to a plain ripgrep search, in one run.

Without an argument, builds (once, under bench/work/) an 18 MB source tree of
about 6,000 files; with a path, uses that folder. Alternates, --runs times each:

    rg -l -i messagebird <folder>        (the floor: read every file once; needs ripgrep)
    grep -rli messagebird <folder>       (a second floor that needs nothing)
    leakgate scan <folder> --quiet --format json

and prints medians and leakgate's ratio to each floor.

usage: bench/folder.py [FOLDER] [--runs N] [--bin PATH]
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

from benchlib import ROOT, WORK, leakgate_binary, machine


def build_tree(path, total_bytes=18_000_000):
    marker = os.path.join(path, ".bench-complete")
    if os.path.exists(marker):
        return
    shutil.rmtree(path, ignore_errors=True)
    rnd = random.Random(99)
    words = ["fn", "let", "match", "impl", "struct", "self", "return", "config", "value", "error"]
    written, n = 0, 0
    while written < total_bytes:
        d = os.path.join(path, "src", f"m{n % 80:02}")
        os.makedirs(d, exist_ok=True)
        lines = [" ".join(rnd.choice(words) for _ in range(rnd.randint(4, 12))) + f" // {rnd.random():.8f}"
                 for _ in range(rnd.randint(40, 120))]
        text = "\n".join(lines) + "\n"
        with open(os.path.join(d, f"f{n:05}.rs"), "w") as fh:
            fh.write(text)
        written += len(text)
        n += 1
    open(marker, "w").close()


def timed(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t, r.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", nargs="?")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--bin", default=None)
    args = ap.parse_args()
    leakgate = leakgate_binary(args.bin)
    folder = args.folder or os.path.join(WORK, "tree-18mb")
    if args.folder is None:
        build_tree(folder)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)
    files = sum(len(fs) for _, _, fs in os.walk(folder))

    commands = {}
    if shutil.which("rg"):
        commands["rg -l -i messagebird"] = ["rg", "-l", "-i", "messagebird", folder]
    commands["grep -rli messagebird"] = ["grep", "-rli", "messagebird", folder]
    commands["leakgate scan"] = [leakgate, "scan", folder, "--quiet", "--format", "json"]
    times = {k: [] for k in commands}
    for name, cmd in commands.items():  # warm the page cache
        timed(cmd)
    for _ in range(args.runs):
        for name, cmd in commands.items():
            t, code = timed(cmd)
            if name == "leakgate scan" and code not in (0, 1):
                sys.exit(f"leakgate failed with exit code {code}")
            times[name].append(t)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"folder: {folder}: {files} files, {size / 1e6:.1f} MB; medians of {args.runs} runs, {os.cpu_count()} cores")
    for name in commands:
        print(f"  {name:<24} {med[name] * 1000:8.1f} ms")
    for name in commands:
        if name != "leakgate scan":
            print(f"leakgate / {name}: {med['leakgate scan'] / med[name]:.2f}x")
    if "rg -l -i messagebird" not in commands:
        print("(ripgrep not installed: `apt-get install ripgrep` for the ripgrep floor)")


if __name__ == "__main__":
    main()
