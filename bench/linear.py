#!/usr/bin/env python3
"""Is the engine linear in line length? One long line against the same bytes in lines.

Builds (once, under bench/work/linear/) four inputs of about 2 MB, each in two
forms: one line, and the same content split into lines.

    minified JavaScript   statements joined by nothing / by newlines
    lockfile              package-lock.json minified to one line / pretty-printed
    base64 JSON           thousands of base64 integrity hashes in one array
    random text           random printable ASCII, every 100th byte a newline

For each form it times `leakgate scan --quiet --format json FILE` (median of
--runs), prints the findings of each form (they should agree where the split
does not cut a value) and the ratio one-line / split. Target: within 2x.

usage: bench/linear.py [--runs N] [--bin PATH] [--size BYTES]
"""

import argparse
import base64
import json
import os
import random
import statistics
import string
import subprocess
import sys
import time

from benchlib import WORK, leakgate_binary, machine

OUT = os.path.join(WORK, "linear")


def minified_js(rnd, size):
    """Generated code in the shape of a bundle: short names, string literals,
    property names that rules key on (`token`, `apiKey`, `secret`, `auth`)."""
    words = ["token", "apiKey", "secret", "auth", "key", "client", "password", "value", "data",
             "config", "headers", "request", "render", "state", "props", "module", "exports"]
    idents = [a + b for a in string.ascii_lowercase for b in string.ascii_letters]
    stmts, total = [], 0
    while total < size:
        w, v = rnd.choice(words), rnd.choice(idents)
        # Mostly words, as a bundle's strings are; one in a hundred random.
        if rnd.random() < 0.01:
            lit = "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(rnd.randint(4, 40)))
        else:
            lit = "-".join(rnd.choice(words) for _ in range(rnd.randint(1, 3)))
        s = rnd.choice([
            f'var {v}={{{w}:"{lit}",{rnd.choice(words)}:{rnd.randint(0, 99999)}}};',
            f'function {v}({rnd.choice(idents)},{rnd.choice(idents)}){{return {rnd.choice(idents)}.{w}||"{lit}"}};',
            f'{v}.{w}=t.{rnd.choice(words)}?{rnd.choice(idents)}("{lit}"):null;',
            f'if(!{v}.{w})throw new Error("missing {w}: {lit}");',
            f'{v}=Object.assign({{}},{rnd.choice(idents)},{{{w}:{v}["{lit}"]}});',
        ])
        stmts.append(s)
        total += len(s)
    return "".join(stmts) + "\n", "\n".join(stmts) + "\n"


def integrity(rnd, n=64):
    return "sha512-" + base64.b64encode(rnd.randbytes(n)).decode()


def lockfile(rnd, size):
    """A package-lock.json (v3) with enough packages to reach `size` pretty-printed."""
    packages, total = {"": {"name": "app", "version": "1.0.0"}}, 0
    names = [a + b + c for a in "abcdefghij" for b in "klmnopqrst" for c in "uvwxyz"]
    i = 0
    while total < size:
        name = f"{names[i % len(names)]}-{i // len(names)}"
        ver = f"{rnd.randint(0, 9)}.{rnd.randint(0, 30)}.{rnd.randint(0, 99)}"
        p = {"version": ver,
             "resolved": f"https://registry.npmjs.org/{name}/-/{name}-{ver}.tgz",
             "integrity": integrity(rnd),
             "license": rnd.choice(["MIT", "ISC", "Apache-2.0"])}
        if rnd.random() < 0.3:
            p["dependencies"] = {names[rnd.randrange(len(names))]: f"^{ver}"}
        packages[f"node_modules/{name}"] = p
        total += len(json.dumps(p, indent=2)) + len(name) + 20
        i += 1
    doc = {"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}
    return json.dumps(doc, separators=(",", ":")) + "\n", json.dumps(doc, indent=2) + "\n"


def base64_json(rnd, size):
    """`{"hashes":[...]}`: one base64 hash after another, as a fixture holds them."""
    items, total = [], 0
    while total < size:
        h = base64.b64encode(rnd.randbytes(rnd.choice([32, 48, 64]))).decode()
        items.append(f'"{h}"')
        total += len(h) + 3
    return '{"hashes":[' + ",".join(items) + "]}\n", '{"hashes":[\n' + ",\n".join(items) + "\n]}\n"


def random_text(rnd, size):
    chars = string.ascii_letters + string.digits + string.punctuation + " "
    body = "".join(rnd.choice(chars) for _ in range(size))
    split = "\n".join(body[i:i + 99] for i in range(0, len(body), 99))
    # The same bytes: the split form replaces every 100th byte with a newline.
    one = split.replace("\n", " ")
    return one + "\n", split + "\n"


KINDS = [
    ("minified JavaScript", "bundle.min.js", minified_js),
    ("lockfile", "package-lock.json", lockfile),
    ("base64 JSON", "hashes.json", base64_json),
    ("random text", "random.txt", random_text),
]


def build(size):
    made = []
    for i, (label, name, make) in enumerate(KINDS):
        paths = [os.path.join(OUT, form, name) for form in ("one-line", "split")]
        marker = os.path.join(OUT, f".complete-{name}-{size}")
        if not os.path.exists(marker):
            one, split = make(random.Random(16 + i), size)
            for path, text in zip(paths, (one, split)):
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as fh:
                    fh.write(text)
            open(marker, "w").close()
        made.append((label, *paths))
    return made


def run(leakgate, path):
    t = time.perf_counter()
    r = subprocess.run([leakgate, "scan", "--quiet", "--format", "json", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    took = time.perf_counter() - t
    if r.returncode not in (0, 1):
        sys.exit(f"leakgate failed on {path} with exit code {r.returncode}: {r.stderr.decode()[:500]}")
    found = sorted((f["rule_id"], f["fingerprint"]) for f in json.loads(r.stdout)["findings"])
    return took, found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=None)
    ap.add_argument("--size", type=int, default=2_000_000)
    args = ap.parse_args()
    leakgate = leakgate_binary(args.bin)
    if args.bin is None and os.environ.get("CARGO_TARGET_DIR"):
        # benchlib built it there, not under target/.
        leakgate = os.path.join(os.environ["CARGO_TARGET_DIR"], "release", "leakgate")
    inputs = build(args.size)
    print(f"{machine()}; medians of {args.runs} runs of `leakgate scan --quiet --format json FILE`")
    print(f"  {'input':<20} {'bytes':>9} {'one line':>10} {'split':>10} {'ratio':>7}  findings (one line / split)")
    worst = 0.0
    for label, one, split in inputs:
        times = {one: [], split: []}
        found = {}
        for _ in range(args.runs):
            for path in (one, split):  # alternating, so drift hits both
                t, f = run(leakgate, path)
                times[path].append(t)
                found[path] = f
        m1, m2 = statistics.median(times[one]), statistics.median(times[split])
        ratio = m1 / m2
        worst = max(worst, ratio)
        print(f"  {label:<20} {os.path.getsize(one):>9} {m1 * 1000:8.1f}ms {m2 * 1000:8.1f}ms {ratio:6.2f}x"
              f"  {len(found[one])} / {len(found[split])}")
    print(f"worst ratio {worst:.2f}x (target: within 2x)")


if __name__ == "__main__":
    main()
