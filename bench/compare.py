#!/usr/bin/env python3
"""Do two leakgate binaries find the same secrets in a repository's history?

For checking a restructuring by hand on real repositories (the golden tests in
tests/suite/golden.rs do the same on a generated corpus):

    bench/compare.py OLD_LEAKGATE NEW_LEAKGATE REPO

REPO is any git repository, a bare clone or a mirror included
(`git clone --mirror URL repo.git`). Each binary runs
`leakgate scan --all --format json` in it; only the elapsed time is
normalized. Prints the number of findings of each, then either "identical" or
the first lines of a diff of the two reports (which are redacted: no whole
secret is printed).

Exit status: 0 identical, 1 different, 2 a binary failed to scan.
"""

import difflib
import json
import os
import shutil
import signal
import subprocess
import sys

DIFF_LINES = 80


def report(binary, repo):
    # The scan runs inside REPO, so a relative path is resolved here first.
    exe = os.path.abspath(binary) if os.sep in binary else shutil.which(binary)
    if not exe or not os.access(exe, os.X_OK):
        sys.stderr.write(f"{binary}: not an executable\n")
        sys.exit(2)
    run = subprocess.run([exe, "scan", "--all", "--format", "json"], cwd=repo,
                         capture_output=True, text=True)
    # 0: nothing found, 1: secrets found; anything else is a failure to scan.
    if run.returncode not in (0, 1):
        sys.stderr.write(f"{binary}: exit {run.returncode}\n{run.stderr}")
        sys.exit(2)
    try:
        doc = json.loads(run.stdout)
    except json.JSONDecodeError as e:
        sys.stderr.write(f"{binary}: not JSON ({e})\n{run.stderr}")
        sys.exit(2)
    if "summary" in doc and "seconds" in doc["summary"]:
        doc["summary"]["seconds"] = 0
    return doc


def main():
    if len(sys.argv) != 4 or sys.argv[1] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        sys.exit(2)
    old_bin, new_bin, repo = sys.argv[1:]
    old, new = report(old_bin, repo), report(new_bin, repo)
    print(f"{old_bin}: {len(old.get('findings', []))} findings")
    print(f"{new_bin}: {len(new.get('findings', []))} findings")
    if old == new:
        print("identical")
        return 0
    a = json.dumps(old, indent=2, sort_keys=True).splitlines()
    b = json.dumps(new, indent=2, sort_keys=True).splitlines()
    diff = list(difflib.unified_diff(a, b, old_bin, new_bin, lineterm="", n=3))
    print("different:")
    for line in diff[:DIFF_LINES]:
        print(line)
    if len(diff) > DIFF_LINES:
        print(f"... {len(diff) - DIFF_LINES} more diff lines")
    return 1


if __name__ == "__main__":
    # Piped into `head`: stop quietly, as a shell tool would.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
