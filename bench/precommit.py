#!/usr/bin/env python3
"""Time the pre-commit scan next to `git diff --cached`, in one run.

Builds (once, under bench/work/) a repository of 20,000 files in 200 folders
with one commit, stages a 10-file change, then alternates runs of

    git diff --cached            (the floor: git reading the same change)
    leakgate scan --staged       (the whole process, as the hook runs it)

and prints medians, the ratio and the machine. Alternating the two keeps a noisy
shared machine from favouring either. A second case plants a MessageBird key in
one of the ten files and checks that the scan finds it, so the figure is for a
scan that works.

usage: bench/precommit.py [--runs N] [--bin PATH]
"""

import argparse
import os
import random
import shutil
import statistics
import string
import subprocess
import sys
import time

from benchlib import ROOT, WORK, leakgate_binary, machine
FILES, DIRS, CHANGED = 20_000, 200, 10


def sh(args, cwd, **kw):
    return subprocess.run(args, cwd=cwd, check=True, **kw)


def git_env():
    env = dict(os.environ)
    env.update(GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid",
               GIT_CONFIG_NOSYSTEM="1")
    return env


def build_repo(path):
    # Inside .git, so `git add -A` never stages it (and `reset --hard` never
    # deletes it).
    marker = os.path.join(path, ".git", "bench-complete")
    if os.path.exists(marker):
        return
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    env = git_env()
    sh(["git", "init", "-q", "-b", "main"], path, env=env)
    rnd = random.Random(42)
    per_dir = FILES // DIRS
    for d in range(DIRS):
        folder = os.path.join(path, "src", f"mod{d:03}")
        os.makedirs(folder)
        for f in range(per_dir):
            lines = [f"def f{i}(x):\n    return x * {rnd.randint(1, 999)}  # {rnd.random():.6f}\n"
                     for i in range(12)]
            with open(os.path.join(folder, f"file{f:03}.py"), "w") as fh:
                fh.write("".join(lines))
    sh(["git", "add", "-A"], path, env=env)
    sh(["git", "commit", "-q", "-m", "generated"], path, env=env)
    open(marker, "w").close()


def stage_change(path, with_key):
    env = git_env()
    sh(["git", "reset", "-q", "--hard"], path, env=env)
    rnd = random.Random(7)
    for i in range(CHANGED):
        p = os.path.join(path, "src", f"mod{i * 17:03}", f"file{i:03}.py")
        with open(p, "a") as fh:
            fh.write(f"\ndef added{i}(x):\n    return x + {rnd.randint(1, 99)}\n")
    if with_key:
        # Built at run time: no live-looking literal in the repository.
        alphabet = string.ascii_letters + string.digits
        key_rnd = random.Random(3)
        k = "".join(key_rnd.choice(alphabet) for _ in range(25))
        with open(os.path.join(path, "src", "mod000", "file000.py"), "a") as fh:
            fh.write(f'\nMESSAGEBIRD_ACCESS_KEY = "{k}"\n')
    sh(["git", "add", "-A"], path, env=env)


def timed(cmd, cwd):
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - t) * 1000, r.returncode


def measure(path, leakgate, runs):
    floor, scan, codes = [], [], set()
    for _ in range(3):  # warm the page cache and the binary
        timed(["git", "diff", "--cached"], path)
        timed([leakgate, "scan", "--staged"], path)
    for _ in range(runs):
        floor.append(timed(["git", "diff", "--cached"], path)[0])
        ms, code = timed([leakgate, "scan", "--staged"], path)
        scan.append(ms)
        codes.add(code)
    return statistics.median(floor), statistics.median(scan), codes




def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--bin", default=None, help="leakgate binary (default: build target/release/leakgate)")
    args = ap.parse_args()

    leakgate = leakgate_binary(args.bin)
    repo = os.path.join(WORK, "repo-20k")
    print(f"building {FILES} files in {repo} (once)...", file=sys.stderr)
    build_repo(repo)

    print(f"machine: {machine()}")
    print(f"repo: {FILES} files in {DIRS} folders, {CHANGED} files staged; {args.runs} alternating runs each")
    for with_key, expect in ((False, {0}), (True, {1})):
        stage_change(repo, with_key)
        floor, scan, codes = measure(repo, leakgate, args.runs)
        if codes != expect:
            sys.exit(f"leakgate exit codes {codes}, expected {expect}: the scan is broken")
        label = "change with a key" if with_key else "clean change"
        print(f"{label:>18}: git diff --cached {floor:6.2f} ms   leakgate scan --staged {scan:6.2f} ms"
              f"   ratio {scan / floor:4.2f}x")
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=repo, env=git_env())


if __name__ == "__main__":
    main()
