#!/usr/bin/env python3
"""Time `leakgate scan --all` against git's floor and peers, side by side.

With a path (a bare mirror: `git clone --mirror`), runs on that repository;
without one, builds (once, under bench/work/) a synthetic history with git
fast-import: 20,000 commits over 3,000 files, with edits, renames, files
restored to earlier contents and a few planted MessageBird keys.

Times, as medians of --runs runs each, in turn within each run:
    git cat-file --batch-all-objects --batch --unordered    the floor
    leakgate scan --all --quiet --format json
    leakgate scan --all --whole-versions ...                 (--whole)
    git log -p --all                                         (--log-p)
    gitleaks git / betterleaks git, all refs                 (--peer NAME=PATH)
and prints wall and CPU time, peak resident memory, leakgate's ratio to the
floor and how many times faster it is than each peer. With --whole it also
checks that searching new versions where they changed finds what searching
every version whole finds (exit 1 if not).

usage: bench/history.py [REPO] [--runs N] [--bin PATH] [--whole] [--log-p]
                        [--peer gitleaks=PATH] [--peer betterleaks=PATH]
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
    """Wall time (s), CPU time (s, with its children), peak RSS (MiB), stdout, exit code."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = b""
    # Drain stdout (a pipe to /dev/null would hide leakgate's JSON); floors
    # print a lot, so read in chunks and keep only leakgate's.
    keep = cmd[0].endswith("leakgate")
    while True:
        chunk = p.stdout.read(1 << 20)
        if not chunk:
            break
        if keep:
            out += chunk
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024, out, os.waitstatus_to_exitcode(status)


def places(doc):
    """What a history scan says of each secret, less its count of other places."""
    return sorted((f["rule_id"], f["fingerprint"], f["path"], f["line"], f["commit"] or "")
                  for f in doc["findings"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("repo", nargs="?")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--commits", type=int, default=20_000)
    ap.add_argument("--bin", default=None)
    ap.add_argument("--peer", action="append", default=[], metavar="NAME=PATH",
                    help="a peer to time on the same history: gitleaks=PATH or betterleaks=PATH")
    ap.add_argument("--whole", action="store_true",
                    help="also time `scan --all --whole-versions` and check its findings are the same")
    ap.add_argument("--log-p", action="store_true", help="also time `git log -p --all` (slow)")
    ap.add_argument("--allow-missing", action="store_true",
                    help="a mirror missing some objects (a fetched snapshot without its largest "
                         "files): leakgate lists them and goes on; a peer's failure is reported")
    args = ap.parse_args()

    leakgate = leakgate_binary(args.bin)
    repo = args.repo
    if repo is None:
        repo = os.path.join(WORK, f"history-{args.commits}.git")
        print(f"building a {args.commits}-commit history in {repo} (once)...", file=sys.stderr)
        build_synthetic(repo, args.commits)
    repo = os.path.abspath(repo)

    floor = "git cat-file --batch-all-objects"
    commands = {
        floor: ["git", "cat-file", "--batch-all-objects", "--batch", "--unordered"],
        "leakgate scan --all": [leakgate, "scan", "--all", "--quiet", "--format", "json"],
    }
    if args.allow_missing:
        commands["leakgate scan --all"].append("--allow-missing")
    if args.whole:
        commands["leakgate scan --all --whole-versions"] = [
            leakgate, "scan", "--all", "--whole-versions", "--quiet", "--format", "json"]
    if args.log_p:
        commands["git log -p --all"] = ["git", "log", "-p", "--all"]
    for peer in args.peer:
        name, _, path = peer.partition("=")
        if name == "gitleaks":
            # All refs, as `scan --all`; findings to nothing, only the time.
            commands["gitleaks git"] = [path, "git", "--no-banner", "--log-level", "error",
                                        "--exit-code", "0", "--log-opts=--all", "."]
        elif name == "betterleaks":
            commands["betterleaks git"] = [path, "git", "--no-banner", "--log-level", "error",
                                           "--silent", "--exit-code", "0", "--log-opts=--all", "."]
        else:
            sys.exit(f"unknown peer {name!r} (gitleaks or betterleaks)")
    times = {k: [] for k in commands}
    cpus = {k: [] for k in commands}
    rss = {k: 0.0 for k in commands}
    docs = {}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            t, cpu, mem, out, code = run_measured(cmd, repo)
            times[name].append(t)
            cpus[name].append(cpu)
            rss[name] = max(rss[name], mem)
            if name.startswith("leakgate"):
                if code not in (0, 1):
                    sys.exit(f"{name} failed with exit code {code}")
                docs[name] = json.loads(out)
            elif code != 0:
                if not args.allow_missing:
                    sys.exit(f"{name} failed with exit code {code}")
                print(f"note: {name} exited with code {code}", file=sys.stderr)
    doc = docs["leakgate scan --all"]
    s = doc["summary"]
    med = {k: statistics.median(v) for k, v in times.items()}
    cpu = {k: statistics.median(v) for k, v in cpus.items()}
    lg = med["leakgate scan --all"]
    head = subprocess.run(["git", "--git-dir", repo, "rev-parse", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    mine = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    print(f"machine: {machine()}")
    print(f"repo: {repo} (HEAD {head}): {s['commits']} commits, {s['files_scanned']} text blobs, "
          f"{s['bytes_scanned'] / 1e6:.1f} MB, {s['findings']} findings; leakgate at {mine}")
    print(f"medians of {args.runs} runs, side by side:")
    for name in commands:
        print(f"  {name:<40} {med[name]:7.2f} s wall {cpu[name]:7.2f} s cpu   peak {rss[name]:7.1f} MiB")
    print(f"leakgate scan --all: {lg / med[floor]:.2f}x the cat-file floor")
    for name in commands:
        if not name.startswith("leakgate") and name != floor:
            print(f"  {med[name] / lg:.2f}x faster than {name}")
    if args.whole:
        whole = docs["leakgate scan --all --whole-versions"]
        same = places(doc) == places(whole)
        print(f"  {med['leakgate scan --all --whole-versions'] / lg:.2f}x faster than every version whole; "
              f"findings identical: {'yes' if same else 'NO'}")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
