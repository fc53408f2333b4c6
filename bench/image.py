#!/usr/bin/env python3
"""Time `leakgate scan --image` against decompressing the image's layers.

Builds (once, under bench/work/) a ~500 MB container image with umoci from
real files: many small ones (the trees of public repositories at several
commits, /usr/share/doc) and a few large ones (the biggest libraries under
/usr/lib), in 4 layers; skopeo converts it to a `docker save` tarball.

Times, as medians of --runs runs each:
    tar -xzOf LAYER > /dev/null, over every layer blob in sequence   (the floor)
    leakgate scan --image LAYOUT       (the OCI layout folder, gzip layers)
    leakgate scan --image ARCHIVE      (the docker-archive, plain tar layers)
and prints the ratio of each scan to the floor (the goal: at most 1.5x),
with the image's size and file count, the machine, and the commits of the
repositories whose files went in.

usage: bench/image.py [--runs N] [--bin PATH] [--rebuild]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

from benchlib import WORK, leakgate_binary, machine

MIRRORS = ["/work/.mirror/sharkdp+fd/repo", "/work/.mirror/gitleaks+gitleaks/repo"]
# How far back each extra checkout of a repository goes (commits before HEAD).
CHECKOUTS = [0, 200, 600]
LIBS = "/usr/lib/x86_64-linux-gnu"
DOCS = "/usr/share/doc"
TARGET = 500 << 20
LARGE = 4  # how many of the biggest libraries make the last layer


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def need(tool):
    if shutil.which(tool) is None:
        sys.exit(f"bench/image.py: `{tool}` is not on PATH; install it: apt-get install umoci skopeo")


def regular_files(top):
    """Regular files under `top` (no symlinks), each distinct inode once, by path."""
    seen, out = set(), []
    for d, _, names in os.walk(top):
        for n in sorted(names):
            p = os.path.join(d, n)
            st = os.lstat(p)
            if not os.path.isfile(p) or os.path.islink(p) or (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            out.append((p, st.st_size))
    return out


def copy_into(rootfs, files, under, strip):
    total = 0
    for p, size in files:
        dest = os.path.join(rootfs, under, os.path.relpath(p, strip))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(p, dest)
        total += size
    return total


def sources():
    """The repositories' commit ids checked out, as `name@commit`."""
    out = []
    for git_dir in MIRRORS:
        name = os.path.basename(os.path.dirname(git_dir)).replace("+", "/")
        for back in CHECKOUTS:
            rev = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", f"HEAD~{back}"],
                                 check=True, capture_output=True, text=True).stdout.strip()
            out.append((name, git_dir, rev))
    return out


def build(work):
    layout = os.path.join(work, "oci")
    archive = os.path.join(work, "image.tar")
    marker = os.path.join(work, ".complete")
    if os.path.exists(marker):
        return layout, archive
    need("umoci")
    need("skopeo")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    bundle = os.path.join(work, "bundle")
    rootfs = os.path.join(bundle, "rootfs")
    image = f"{layout}:latest"
    run(["umoci", "init", "--layout", layout])
    run(["umoci", "new", "--image", image])
    run(["umoci", "unpack", "--rootless", "--image", image, bundle])

    def layer(created_by):
        run(["umoci", "repack", "--refresh-bundle", f"--history.created_by={created_by}",
             "--image", image, bundle])

    # 1. Source trees: many small text files.
    for name, git_dir, rev in sources():
        dest = os.path.join(rootfs, "src", name.replace("/", "-") + "-" + rev[:12])
        os.makedirs(dest)
        archive_proc = subprocess.Popen(["git", "--git-dir", git_dir, "archive", rev], stdout=subprocess.PIPE)
        run(["tar", "-x", "-C", dest], stdin=archive_proc.stdout)
        if archive_proc.wait() != 0:
            sys.exit(f"git archive {rev} failed in {git_dir}")
    layer("COPY src /src")
    # 2. Documentation: thousands of small files.
    copy_into(rootfs, regular_files(DOCS), "usr/share/doc", DOCS)
    layer("RUN apt-get install (docs)")
    # 3. Libraries up to the size budget, and 4. the few largest ones.
    libs = sorted(regular_files(LIBS), key=lambda f: -f[1])
    large, rest = libs[:LARGE], libs[LARGE:]
    used = sum(s for _, s in regular_files(rootfs)) + sum(s for _, s in large)
    chosen = []
    for p, s in sorted(rest):
        if used + s > TARGET:
            continue
        chosen.append((p, s))
        used += s
    copy_into(rootfs, chosen, "usr/lib", LIBS)
    layer("RUN apt-get install (libraries)")
    copy_into(rootfs, large, "opt/large", LIBS)
    layer("COPY large /opt/large")
    run(["skopeo", "--insecure-policy", "copy", "--quiet", f"oci:{image}",
         f"docker-archive:{archive}:bench:latest"])
    shutil.rmtree(bundle)
    with open(marker, "w") as fh:
        json.dump({"sources": [f"{n}@{r}" for n, _, r in sources()]}, fh)
    return layout, archive


def layer_blobs(layout):
    with open(os.path.join(layout, "index.json")) as fh:
        digest = json.load(fh)["manifests"][0]["digest"]
    with open(os.path.join(layout, "blobs", "sha256", digest.split(":")[1])) as fh:
        manifest = json.load(fh)
    return [os.path.join(layout, "blobs", "sha256", l["digest"].split(":")[1]) for l in manifest["layers"]]


def timed(cmds):
    """Wall time of running `cmds` in sequence, stdout to /dev/null; the exit codes."""
    codes = []
    start = time.perf_counter()
    for cmd in cmds:
        codes.append(subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode)
    return time.perf_counter() - start, codes


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=None)
    ap.add_argument("--rebuild", action="store_true", help="build the image again")
    args = ap.parse_args()

    leakgate = leakgate_binary(args.bin)
    work = os.path.join(WORK, "image")
    if args.rebuild:
        shutil.rmtree(work, ignore_errors=True)
    print(f"building a ~{TARGET >> 20} MB image in {work} (once)...", file=sys.stderr)
    layout, archive = build(work)
    blobs = layer_blobs(layout)

    scan = [leakgate, "scan", "--quiet", "--format", "json", "--image"]
    # One untimed run of each warms the page cache and reads the summary.
    out = subprocess.run(scan + [layout], capture_output=True)
    if out.returncode not in (0, 1):
        sys.exit(f"leakgate failed ({out.returncode}): {out.stderr.decode(errors='replace')}")
    summary = json.loads(out.stdout)["summary"]
    timed([["tar", "-xzOf", b] for b in blobs])
    timed([scan + [archive]])

    commands = {
        "tar -xzOf each layer > /dev/null": [["tar", "-xzOf", b] for b in blobs],
        "leakgate scan --image (OCI layout)": [scan + [layout]],
        "leakgate scan --image (docker-archive)": [scan + [archive]],
    }
    times = {k: [] for k in commands}
    for _ in range(args.runs):
        for name, cmds in commands.items():
            t, codes = timed(cmds)
            if name.startswith("tar") and any(codes):
                sys.exit(f"{name}: tar failed")
            if name.startswith("leakgate") and codes[0] not in (0, 1):
                sys.exit(f"{name}: leakgate failed ({codes[0]})")
            times[name].append(t)
    med = {k: statistics.median(v) for k, v in times.items()}
    floor = med["tar -xzOf each layer > /dev/null"]

    with open(os.path.join(work, ".complete")) as fh:
        used = json.load(fh)["sources"]
    compressed = sum(os.path.getsize(b) for b in blobs)
    print(f"machine: {machine()}")
    print(f"image: {layout}: {len(blobs)} layers, {compressed / 1e6:.0f} MB gzip, "
          f"{os.path.getsize(archive) / 1e6:.0f} MB as a docker-archive; "
          f"{summary['files_scanned']} files scanned, {summary['bytes_scanned'] / 1e6:.0f} MB")
    print(f"from: {', '.join(used)}, {DOCS}, {LIBS}")
    print(f"medians of {args.runs} runs:")
    for name in commands:
        print(f"  {name:<40} {med[name]:7.2f} s")
    for name in list(commands)[1:]:
        ratio = med[name] / floor
        print(f"{name}: {ratio:.2f}x the tar floor ({'within' if ratio <= 1.5 else 'over'} the 1.5x goal)")


if __name__ == "__main__":
    main()
