#!/usr/bin/env python3
"""Squawk and tandem on the same real migrations, file by file; prints the findings per rule.

    run.py --git-dir MIRROR --commit SHA --glob 'packages/prisma/migrations/*/migration.sql' \
           --tandem target/debug/tandem [--squawk squawk] [--out DIR]

The files are extracted from the mirror at the commit into a temporary directory (never
committed). Each file is checked alone by both tools: Squawk with its default rules, tandem with a
registry that has no apps and no schema, and with its style rules enabled (`[lint] enable`) so that
every rule both have is compared. Squawk ids that name the same check as a tandem id are mapped
(`ban-drop-column` → `drop-column`, …). With --out, both tools' per-file findings are kept as
TSV (file, line, rule) to look at the differences.
"""
import argparse
import collections
import fnmatch
import json
import os
import subprocess
import sys
import tempfile

# Squawk id -> tandem id, where they are the same check under two names.
SAME = {
    "ban-drop-column": "drop-column",
    "ban-drop-table": "drop-table",
    "ban-drop-function": "drop-function",
    "ban-drop-type": "drop-type",
    "ban-drop-view": "drop-view",
    "renaming-column": "rename-column",
    "renaming-table": "rename-table",
    "changing-column-type": "type-change-rewrites-table",
}
STYLE = ["prefer-bigint-over-int", "prefer-identity", "prefer-robust-stmts", "prefer-timestamp-tz"]


def extract(git_dir, commit, pattern, into):
    names = subprocess.run(
        ["git", "--git-dir", git_dir, "ls-tree", "-r", "--name-only", commit],
        check=True, capture_output=True, text=True,
    ).stdout.splitlines()
    files = sorted(n for n in names if fnmatch.fnmatch(n, pattern))
    for name in files:
        blob = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{name}"], check=True,
                              capture_output=True).stdout
        path = os.path.join(into, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(blob)
    return files


def squawk(bin_, root, name):
    out = subprocess.run([bin_, "--reporter", "json", name], cwd=root, capture_output=True, text=True)
    try:
        found = json.loads(out.stdout or "[]")
    except json.JSONDecodeError:
        sys.exit(f"squawk on {name}: {out.stdout[:300]} {out.stderr[:300]}")
    return [(f["line"] + 1, SAME.get(f["rule_name"], f["rule_name"])) for f in found]


def tandem(bin_, root, name):
    out = subprocess.run([bin_, "check", name, "--format", "json"], cwd=root, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        return [(0, f"error(exit {out.returncode})")]
    report = json.loads(out.stdout)
    return [((f.get("location") or {}).get("line", 0), f["rule"]) for f in report["findings"]
            if f["rule"] != "schema-state"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--git-dir", required=True)
    ap.add_argument("--commit", required=True)
    ap.add_argument("--glob", required=True)
    ap.add_argument("--tandem", required=True)
    ap.add_argument("--squawk", default="squawk")
    ap.add_argument("--out")
    a = ap.parse_args()
    tandem_bin = os.path.abspath(a.tandem)
    with tempfile.TemporaryDirectory() as root:
        files = extract(a.git_dir, a.commit, a.glob, root)
        with open(os.path.join(root, "apps.toml"), "w") as f:
            f.write('[registry]\ndialect = "postgres"\n\n[lint]\nenable = %s\n' % json.dumps(STYLE))
        counts = {"squawk": collections.Counter(), "tandem": collections.Counter()}
        rows = {"squawk": [], "tandem": []}
        for name in files:
            for tool, found in (("squawk", squawk(a.squawk, root, name)), ("tandem", tandem(tandem_bin, root, name))):
                for line, rule in found:
                    counts[tool][rule] += 1
                    rows[tool].append(f"{name}\t{line}\t{rule}")
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        for tool in rows:
            with open(os.path.join(a.out, f"{tool}.tsv"), "w") as f:
                f.write("\n".join(rows[tool]) + "\n")
    rules = sorted(set(counts["squawk"]) | set(counts["tandem"]))
    print(f"{len(files)} files of {a.glob} at {a.commit}")
    print("| rule | Squawk | tandem |\n|---|---:|---:|")
    for r in rules:
        print(f"| `{r}` | {counts['squawk'][r]} | {counts['tandem'][r]} |")


if __name__ == "__main__":
    main()
