#!/usr/bin/env python3
"""CPU time of two leakgate builds scanning one repository's history, alternating.

    bench/cpu_ab.py REPO OLD_LEAKGATE NEW_LEAKGATE [RUNS]

REPO is any git repository (a `git clone --mirror` copy will do). Each run
scans with OLD, then NEW (`scan --all --quiet --format json`); the CPU time
(user + system, all threads) of each is taken from the child's resource
usage, which a busy shared machine disturbs less than wall time. Prints each
build's median, its runs and its number of findings, and the ratio NEW/OLD.
`bench/compare.py` says whether the two find the same secrets.
"""

import json
import os
import resource
import statistics
import subprocess
import sys


def cpu_of(binary, repo):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run([binary, "scan", "--all", "--quiet", "--format", "json"],
                       cwd=repo, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in (0, 1):
        sys.exit(f"{binary} failed (exit {p.returncode}): {p.stderr.decode()[:300]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, len(json.loads(p.stdout)["findings"])


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    repo = sys.argv[1]
    old, new = (os.path.abspath(b) for b in sys.argv[2:4])
    runs = int(sys.argv[4]) if len(sys.argv) == 5 else 5
    cpu = {old: [], new: []}
    found = {}
    for _ in range(runs):
        for b in (old, new):
            t, n = cpu_of(b, repo)
            cpu[b].append(t)
            found[b] = n
    for b in (old, new):
        print(f"{b}: CPU median {statistics.median(cpu[b]):.3f} s, "
              f"runs {[round(x, 2) for x in cpu[b]]}, {found[b]} findings")
    print(f"ratio NEW/OLD {statistics.median(cpu[new]) / statistics.median(cpu[old]):.3f}")


if __name__ == "__main__":
    main()
