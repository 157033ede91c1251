#!/usr/bin/env python3
"""Recall and precision of `tandem refs` on real applications, beside `git grep -w`.

Each folder under benches/accuracy/ describes one public application at a pinned commit
(`target.toml`) and the truth about it (`hits.tsv`): every line `git grep -n -w COLUMN` finds in
the app's code, read by a person and classified `ref` (really reads or writes TABLE.COLUMN) or
`no`, plus `ref` rows for real references whose line does not hold the word (a model's class
line). Only facts are committed; the application's code is read from a local mirror
(`/work/.mirror/OWNER+NAME…`, as the fetch tool leaves it, or `--mirrors DIR`).

    benches/accuracy/run.py --tandem target/release/tandem [--app NAME]... [--show-misses]

For each app it checks out the commit into a scratch directory (a shared clone: no copy of the
objects), writes an apps.toml for it, runs `tandem refs --format json --min-confidence low` on
the targets and scores the references at medium and above (the gate's confidence) and at low.
A reference tandem reports on a line the truth does not classify is counted apart
("unclassified") and listed with --show-misses: read it and add it to hits.tsv.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
RANK = {"low": 0, "medium": 1, "high": 2}


def find_mirror(repo, mirrors):
    prefix = repo.replace("/", "+")
    for base in mirrors:
        base = Path(base)
        if not base.is_dir():
            continue
        for d in sorted(base.iterdir()):
            if not d.name.startswith(prefix):
                continue
            for cand in [d, *sorted(d.rglob("*"))]:
                if cand.is_dir() and (cand / "objects").is_dir() and (cand / "HEAD").is_file():
                    return cand
    return None


def git(*args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def checkout(app, target, mirror, scratch):
    repo = scratch / app / "repo"
    if not (repo / ".git").exists():
        repo.parent.mkdir(parents=True, exist_ok=True)
        git("clone", "-q", "--shared", "--no-checkout", str(mirror), str(repo))
    # A --no-checkout clone's HEAD may already be the commit with nothing in the work tree. A
    # mirror may lack its largest blobs (media): git writes every other file and complains.
    subprocess.run(["git", "-c", "advice.detachedHead=false", "checkout", "-q", "--force", target["commit"]],
                   cwd=repo, capture_output=True)
    if git("rev-parse", "HEAD", cwd=repo).strip() != target["commit"]:
        sys.exit(f"{repo}: could not check out {target['commit']}")
    return repo


def registry(app, target, repo, schema):
    q = json.dumps  # TOML basic strings and JSON strings agree for paths and names
    lines = ["[registry]", f"dialect = {q(target.get('dialect', 'postgres'))}"]
    if schema:
        lines.append(f"schema = {q(str(schema))}")
    lines += [
        "",
        "[[app]]",
        f"name = {q(app)}",
        f"repo = {q(str(repo))}",
        f"framework = {q(target['framework'])}",
        f"head = {q(target['commit'])}",
    ]
    if target.get("path"):
        lines.append(f"path = {q(target['path'])}")
    # Beside a dump too: `refs` replays the migrations newer than the dump's last version.
    if target.get("migrations"):
        lines.append(f"migrations = {q(target['migrations'])}")
    for key in ("include", "exclude"):
        if target.get(key):
            lines.append(f"{key} = {json.dumps(target[key])}")
    return "\n".join(lines) + "\n"


def truth(folder):
    rows = {}
    with open(folder / "hits.tsv", newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if not row or row[0].startswith("#") or row[0] == "target":
                continue
            t, path, line, cls = row[0], row[1], int(row[2]), row[3]
            if cls not in ("ref", "no"):
                sys.exit(f"{folder / 'hits.tsv'}: class must be ref or no, got {cls!r} ({t} {path}:{line})")
            rows[(t, path, line)] = cls
    return rows


def tandem_refs(tandem, config, targets):
    out = subprocess.run(
        [tandem, "refs", "--config", str(config), "--format", "json", "--min-confidence", "low", "--color", "never", *targets],
        capture_output=True,
        text=True,
    )
    if out.returncode not in (0, 1):
        sys.exit(f"tandem refs failed ({out.returncode}):\n{out.stderr}")
    best = {}
    for t in json.loads(out.stdout)["targets"]:
        for r in t["references"]:
            key = (t["target"], r["path"], r["line"])
            best[key] = max(best.get(key, 0), RANK[r["confidence"]])
    return best


def score(predicted, rows):
    refs = {k for k, c in rows.items() if c == "ref"}
    nos = {k for k, c in rows.items() if c == "no"}
    tp, fp = predicted & refs, predicted & nos
    un = predicted - refs - nos
    recall = len(tp) / len(refs) if refs else 1.0
    precision = len(tp) / (len(tp) + len(fp)) if tp or fp else 1.0
    return recall, precision, refs - predicted, fp, un


def prepare(folder, target, mirror, scratch):
    """The app's checkout, its apps.toml (and schema), its truth and the targets to ask about."""
    app = folder.name
    repo = checkout(app, target, mirror, scratch)
    config = scratch / app / "apps.toml"
    schema = repo / target["schema"] if target.get("schema") else None
    if target.get("schema_from"):
        # A schema written by a script of ours from the app's models (for comparison with
        # the app's own migrations, which `migrations` lists).
        schema = scratch / app / "schema.sql"
        out = subprocess.run([sys.executable, str(HERE / target["schema_from"]), str(mirror), target["commit"]],
                             check=True, capture_output=True, text=True).stdout
        schema.write_text(out)
    config.write_text(registry(app, target, repo, schema))
    rows = truth(folder)
    return repo, config, rows, sorted({t for t, _, _ in rows})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tandem", required=True)
    ap.add_argument("--app", action="append", default=[])
    ap.add_argument("--mirrors", action="append", default=[])
    ap.add_argument("--scratch", default="/tmp/tandem-accuracy")
    ap.add_argument("--facts", default=str(HERE), help="the folder holding one folder per app (default: this script's)")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    tandem = str(Path(args.tandem).resolve())
    mirrors = args.mirrors or [os.environ.get("TANDEM_MIRRORS", "/work/.mirror")]
    scratch = Path(args.scratch)
    folders = sorted(p.parent for p in Path(args.facts).glob("*/target.toml"))
    if args.app:
        folders = [f for f in folders if f.name in args.app]
    print(f"{'app':<14}{'framework':<10}{'targets':>8}{'refs':>6} | {'grep R':>7}{'grep P':>7} | "
          f"{'med+ R':>7}{'med+ P':>7}{'uncl':>5} | {'low R':>6}{'low P':>6}")
    for folder in folders:
        app = folder.name
        target = tomllib.loads((folder / "target.toml").read_text())
        mirror = find_mirror(target["repo"], mirrors)
        if mirror is None:
            print(f"{app:<14}skipped: no mirror of {target['repo']} (fetch github:{target['repo']})")
            continue
        repo, config, rows, targets = prepare(folder, target, mirror, scratch)
        found = tandem_refs(tandem, config, targets)
        grep = {k for k in rows if rows[k] in ("ref", "no") and k[1] != "" and word_on_line(repo, k)}
        g_r, g_p, *_ = score(grep, rows)
        med = {k for k, c in found.items() if c >= RANK["medium"]}
        m_r, m_p, misses, wrong, unclassified = score(med, rows)
        l_r, l_p, *_ = score(set(found), rows)
        nref = sum(1 for c in rows.values() if c == "ref")
        print(f"{app:<14}{target['framework']:<10}{len(targets):>8}{nref:>6} | {g_r:>7.3f}{g_p:>7.3f} | "
              f"{m_r:>7.3f}{m_p:>7.3f}{len(unclassified):>5} | {l_r:>6.3f}{l_p:>6.3f}")
        if args.show_misses:
            for label, keys in (("missed", misses), ("wrong", wrong), ("unclassified", unclassified)):
                for t, path, line in sorted(keys):
                    print(f"    {label:<13}{t:<28}{path}:{line}")


# (checkout, path, column) -> the lines of the word: apps share paths (`app/models/user.rb`) and
# column names, so the checkout is part of the key.
_lines = {}


def word_on_line(repo, key):
    """Whether `git grep -w` finds the column on this line (implicit rows have no word)."""
    t, path, line = key
    column = t.split(".")[-1]
    if (repo, path, column) not in _lines:
        try:
            out = git("grep", "-n", "-w", "-I", "-e", column, "HEAD", "--", path, cwd=repo)
        except subprocess.CalledProcessError:
            out = ""
        _lines[(repo, path, column)] = {int(l.split(":")[2]) for l in out.splitlines() if l.count(":") >= 2}
    return line in _lines[(repo, path, column)]


if __name__ == "__main__":
    main()
