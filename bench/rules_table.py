#!/usr/bin/env python3
"""Print README's table of built-in rules: one row per rules/*.toml file,
with its rule count and its providers (rules per provider in brackets).

usage: bench/rules_table.py
"""

import collections
import glob
import os
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    rows = []
    total = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "rules", "*.toml"))):
        with open(path, "rb") as fh:
            rules = tomllib.load(fh).get("rule", [])
        providers = collections.Counter(r["provider"] for r in rules)
        total += len(rules)
        listed = ", ".join(f"{p} ({n})" if n > 1 else p for p, n in sorted(providers.items(), key=lambda kv: kv[0].lower()))
        rows.append(f"| `{os.path.basename(path)}` | {len(rules)} | {listed} |")
    print(f"{total} built-in rules (`leakgate rules list`), one file per family in `rules/`:\n")
    print("| file | rules | providers (rules) |")
    print("| --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
