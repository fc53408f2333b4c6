#!/usr/bin/env python3
"""Time `leakgate scan --all` against git's own floors, in one run.

Without an argument, builds (once, under bench/work/) a synthetic history with
git fast-import: 20,000 commits over 3,000 files, with edits, renames, files
restored to earlier contents (repeated blobs) and a few planted MessageBird keys
(some deleted later). With a path, runs on that repository instead.

Times, as medians of --runs runs each:
    git log -p --all                                        (> /dev/null)
    git cat-file --batch-all-objects --batch --unordered    (> /dev/null)
    leakgate scan --all --quiet --format json               (> /dev/null)
and prints leakgate's MB/s over the blob bytes it scanned, its ratio to each
floor, and the peak resident memory of each process.

usage: bench/history.py [REPO] [--runs N] [--bin PATH] [--commits N]
"""

import argparse
import json
import os
import random
import statistics
import string
import subprocess
import sys
import time

from benchlib import ROOT, WORK, leakgate_binary, machine


def build_synthetic(path, commits, files=3000):
    marker = os.path.join(path, f".bench-complete-{commits}")
    if os.path.exists(marker):
        return
    subprocess.run(["rm", "-rf", path], check=True)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", path], check=True)
    rnd = random.Random(1234)
    words = ["self", "return", "value", "config", "items", "result", "index", "buffer", "client",
             "request", "handler", "error", "count", "offset", "source", "target", "name", "data"]

    def source_file(seed):
        r = random.Random(seed)
        lines = []
        for i in range(r.randint(40, 110)):
            a, b, c = r.choice(words), r.choice(words), r.choice(words)
            lines.append(f"    {a}_{i} = {b}.{c}({r.randint(0, 9999)})  # {r.random():.8f}")
        return "def generated():\n" + "\n".join(lines) + "\n"

    names = [f"src/pkg{i % 60:02}/mod_{i:04}.py" for i in range(files)]
    history = {}  # path -> list of contents it has had
    alphabet = string.ascii_letters + string.digits
    planted = {3000: "config/sms.env", 9000: "services/notify/settings.py", 15000: "deploy/values.yml"}
    proc = subprocess.Popen(["git", "--git-dir", path, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = proc.stdin

    def data(text):
        b = text.encode()
        out.write(b"data %d\n" % len(b))
        out.write(b)
        out.write(b"\n")

    t0 = 1_600_000_000
    for n in range(commits):
        out.write(b"commit refs/heads/main\n")
        out.write(b"committer Bench <bench@example.invalid> %d +0000\n" % (t0 + n * 60))
        data(f"change {n}")
        if n == 0:
            for p in names:
                content = source_file(hash(p) & 0xFFFF)
                history[p] = [content]
                out.write(f"M 100644 inline {p}\n".encode())
                data(content)
            continue
        for _ in range(rnd.randint(1, 4)):
            p = rnd.choice(names)
            roll = rnd.random()
            if roll < 0.10 and len(history.get(p, [])) > 1:
                content = rnd.choice(history[p][:-1])  # back to an earlier version
            else:
                content = source_file(rnd.randrange(1 << 30))
            history.setdefault(p, []).append(content)
            out.write(f"M 100644 inline {p}\n".encode())
            data(content)
        if rnd.random() < 0.02:
            i = rnd.randrange(len(names))
            old, new = names[i], names[i].replace("mod_", "module_", 1)
            if old != new:
                out.write(f"R {old} {new}\n".encode())
                history[new] = history.pop(old, [])
                names[i] = new
        if n in planted:
            key = "".join(rnd.choice(alphabet) for _ in range(25))
            out.write(f"M 100644 inline {planted[n]}\n".encode())
            data(f"# notifications\nMESSAGEBIRD_ACCESS_KEY={key}\nSENDER=Acme\n")
        if n - 500 in planted and n - 500 != 15000:
            out.write(f"D {planted[n - 500]}\n".encode())
    out.close()
    if proc.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "--git-dir", path, "gc", "-q", "--aggressive" if commits < 5000 else "--quiet"],
                   check=False)
    open(marker, "w").close()


def run_measured(cmd, cwd):
    """Wall time (s), peak RSS (MiB), stdout of one run."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = b""
    # Drain stdout (a pipe to /dev/null would hide leakgate's JSON); floors
    # print a lot, so read in chunks and keep only leakgate's.
    keep = cmd[0].endswith("leakgate") and "--all" in cmd
    while True:
        chunk = p.stdout.read(1 << 20)
        if not chunk:
            break
        if keep:
            out += chunk
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024, out, os.waitstatus_to_exitcode(status)




def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("repo", nargs="?")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--commits", type=int, default=20_000)
    ap.add_argument("--bin", default=None)
    args = ap.parse_args()

    leakgate = leakgate_binary(args.bin)
    repo = args.repo
    if repo is None:
        repo = os.path.join(WORK, f"history-{args.commits}.git")
        print(f"building a {args.commits}-commit history in {repo} (once)...", file=sys.stderr)
        build_synthetic(repo, args.commits)
    repo = os.path.abspath(repo)

    commands = {
        "git log -p --all": ["git", "log", "-p", "--all"],
        "git cat-file --batch-all-objects": ["git", "cat-file", "--batch-all-objects", "--batch", "--unordered"],
        "leakgate scan --all": [leakgate, "scan", "--all", "--quiet", "--format", "json"],
        # The same history through the commit walk that ranges use.
        "leakgate scan main (commit walk)": [leakgate, "scan", "main", "--quiet", "--format", "json"],
    }
    times = {k: [] for k in commands}
    rss = {k: 0.0 for k in commands}
    doc = None
    for _ in range(args.runs):
        for name, cmd in commands.items():
            t, mem, out, code = run_measured(cmd, repo)
            times[name].append(t)
            rss[name] = max(rss[name], mem)
            if name.startswith("leakgate"):
                if code not in (0, 1):
                    sys.exit(f"leakgate failed with exit code {code}")
                if name == "leakgate scan --all":
                    doc = json.loads(out)
    s = doc["summary"]
    med = {k: statistics.median(v) for k, v in times.items()}
    lg = med["leakgate scan --all"]
    print(f"machine: {machine()}")
    print(f"repo: {repo}: {s['commits']} commits, {s['files_scanned']} unique text blobs, "
          f"{s['bytes_scanned'] / 1e6:.1f} MB scanned, {s['findings']} findings; "
          f"skipped {s['skipped']['binary']} binary, {s['skipped']['too_large']} too large")
    print(f"medians of {args.runs} runs:")
    for name in commands:
        print(f"  {name:<36} {med[name]:7.2f} s   peak {rss[name]:7.1f} MiB")
    print(f"leakgate: {s['bytes_scanned'] / 1e6 / lg:.0f} MB/s; "
          f"{lg / med['git cat-file --batch-all-objects']:.2f}x the cat-file floor, "
          f"{lg / med['git log -p --all']:.2f}x git log -p")


if __name__ == "__main__":
    main()
