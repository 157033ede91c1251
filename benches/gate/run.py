#!/usr/bin/env python3
"""Does the gate see every destructive operation of real migration histories?

For each application of benches/accuracy (the same pinned commits and local mirrors), runs
`tandem check` over the app's whole migration history with no schema configured (every migration
pending, the state before each one replayed from those before it) and the app itself registered
as the consumer, then compares the findings with an independent list: every line of a migration
file that a framework-specific pattern marks as possibly destructive (`remove_column`,
`RemoveField`, `remove :x`, `DROP COLUMN`, `change_column`, `AlterField`, …). A candidate line with
no finding of a destructive or `unparsed-statement` rule on it is printed for a person to read: it
is either a gate miss or not destructive (a `down` part, a type change to the same type, a drop of
a column the same migration created). Lines in `down` parts of Rails and Ecto migrations and in
Django migrations a squashed migration replaces are not candidates.

    benches/gate/run.py --tandem target/debug/tandem [--app NAME]... [--scratch DIR] [--show]
"""
import argparse
import collections
import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ACCURACY = HERE.parent / "accuracy"
spec = importlib.util.spec_from_file_location("accuracy_run", ACCURACY / "run.py")
acc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(acc)

DESTRUCTIVE = {"drop-column", "drop-table", "rename-column", "rename-table", "change-column-type",
               "drop-view", "drop-function", "drop-type", "unparsed-statement"}

SQL = (r"DROP\s+(COLUMN|TABLE|VIEW|MATERIALIZED\s+VIEW|FUNCTION|TYPE)\b|ALTER\s+TABLE\s+\S+\s+DROP\s+(?!CONSTRAINT|DEFAULT|NOT)\w|"
       r"RENAME\s+(COLUMN\b|TO\b)|ALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b")
PATTERNS = {
    "rails": re.compile(r"\b(remove_columns?|drop_table|rename_column|rename_table|change_column|remove_reference|"
                        r"remove_belongs_to|remove_timestamps|drop_view|drop_function)\b|\bt\.(remove|rename|change|"
                        r"remove_references|remove_belongs_to|remove_timestamps)\b|" + SQL, re.I),
    "phoenix": re.compile(r"^\s*(remove|remove_if_exists)\b|\b(drop|drop_if_exists)\s*\(?\s*table\s*\(|"
                          r"\brename\s*\(?\s*table\s*\(|^\s*modify\b|" + SQL, re.I),
    "django": re.compile(r"\b(RemoveField|DeleteModel|RenameField|RenameModel|AlterModelTable|AlterField)\b|" + SQL, re.I),
    "prisma": re.compile(SQL, re.I),
}
# The part of a Rails or Ecto migration that undoes it: not gated, as it does not run on deploy.
DOWN = re.compile(r"^(\s*)def\s+(self\.)?down\b")
DEFAULT_DIRS = {"rails": ["db/migrate"], "phoenix": ["priv/repo/migrations"], "prisma": ["prisma/migrations"]}
SUFFIX = {"rails": ".rb", "phoenix": ".exs", "django": ".py", "prisma": ".sql"}


def migration_dirs(target, repo):
    m = target.get("migrations")
    if isinstance(m, str):
        m = [m]
    if isinstance(m, list):
        # `check` refuses a directory named on its command line that holds no migration.
        return [d for d in m if any(p.name != "__init__.py" for p in (repo / d).iterdir())]
    if target["framework"] == "django":
        return sorted(str(p.relative_to(repo)) for p in repo.glob("**/migrations")
                      if p.is_dir() and "/tests/" not in str(p) and any(p.glob("[0-9]*.py")))
    return [d for d in DEFAULT_DIRS[target["framework"]] if (repo / d).is_dir()]


def replaced(framework, repo, dirs):
    """Django migrations a squashed one stands for: a new database runs the squash instead."""
    names = set()
    if framework != "django":
        return names
    for d in dirs:
        for f in (repo / d).glob("*.py"):
            m = re.search(r"replaces\s*=\s*\[(.*?)\]", f.read_text(errors="replace"), re.S)
            if m:
                names.update(n for _, n in re.findall(r"\(\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]\s*\)", m.group(1)))
    return names


def candidates(framework, repo, dirs):
    pat, out = PATTERNS[framework], []
    skip = replaced(framework, repo, dirs)
    for d in dirs:
        for f in sorted((repo / d).rglob("*" + SUFFIX[framework])):
            if f.stem in skip:
                continue
            down_indent = None
            for i, line in enumerate(f.read_text(errors="replace").splitlines(), 1):
                if down_indent is not None:
                    if re.match(down_indent + r"end\b", line):
                        down_indent = None
                    continue
                if framework in ("rails", "phoenix") and (m := DOWN.match(line)):
                    down_indent = m.group(1)
                    continue
                code = line.split("--", 1)[0] if framework == "prisma" else line.split("#", 1)[0]
                if pat.search(code):
                    out.append((str(f.relative_to(repo)), i, line.strip()))
    return out


def gate(tandem, folder, target, repo, dirs, scratch):
    """`tandem check` over the app's whole history: the run, and the lines of each migration file
    (relative to the repository) that a destructive or `unparsed-statement` finding covers."""
    bare = dict(target)
    bare.pop("migrations", None)  # the app's own replay is not wanted: the check replays
    config = scratch / folder.name / "gate.toml"
    config.write_text(acc.registry(folder.name, bare, repo, None))
    run = subprocess.run([tandem, "check", "--config", str(config), "--format", "json", "--color", "never",
                          *[str(repo / d) for d in dirs]], capture_output=True, text=True)
    seen = collections.defaultdict(set)
    rules = collections.Counter()
    if run.returncode not in (0, 1):
        return run, seen, rules, None
    report = json.loads(run.stdout)
    for f in report["findings"]:
        loc = f.get("location")
        if f["rule"] in DESTRUCTIVE and loc:
            path = Path(loc["file"])
            if not path.is_absolute():
                path = config.parent / path  # report paths are relative to apps.toml
            rel = str(path.resolve().relative_to(repo.resolve()))
            text = path.read_bytes()
            first = text.count(b"\n", 0, loc["start"]) + 1
            last = text.count(b"\n", 0, max(loc["start"], loc["end"] - 1)) + 1
            seen[rel].update(range(first, last + 1))
            rules["unparsed" if f["rule"] == "unparsed-statement" else "destructive"] += 1
    return run, seen, rules, report


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tandem", required=True)
    ap.add_argument("--app", action="append")
    ap.add_argument("--scratch", default="/tmp/tandem-gate")
    ap.add_argument("--mirrors", action="append", default=None)
    ap.add_argument("--show", action="store_true", help="print every candidate line without a finding")
    args = ap.parse_args()
    mirrors = args.mirrors or [acc.os.environ.get("TANDEM_MIRRORS", "/work/.mirror")]
    scratch = Path(args.scratch)
    print(f"{'app':<16}{'framework':<9}{'migr':>6}{'ops':>7}{'exit':>5} | {'cand':>5}{'seen':>6}{'unseen':>7} | "
          f"{'drop/ren/type':>14}{'unparsed':>9}")
    for folder in sorted(p.parent for p in ACCURACY.glob("*/target.toml")):
        if args.app and folder.name not in args.app:
            continue
        target = tomllib.loads((folder / "target.toml").read_text())
        mirror = acc.find_mirror(target["repo"], mirrors)
        if mirror is None:
            print(f"{folder.name:<16}skipped: no mirror of {target['repo']}")
            continue
        repo = acc.checkout(folder.name, target, mirror, scratch)
        dirs = migration_dirs(target, repo)
        if not dirs:
            print(f"{folder.name:<16}skipped: no migration directory")
            continue
        run, seen, rules, report = gate(args.tandem, folder, target, repo, dirs, scratch)
        if run.returncode not in (0, 1):
            print(f"{folder.name:<16}{target['framework']:<9} exit {run.returncode}: {run.stderr.strip()[:300]}")
            continue
        cands = candidates(target["framework"], repo, dirs)
        unseen = [c for c in cands if c[1] not in seen.get(c[0], ())]
        ops = sum(m.get("operations", 0) for m in report["migrations"])
        print(f"{folder.name:<16}{target['framework']:<9}{len(report['migrations']):>6}{ops:>7}{run.returncode:>5} | "
              f"{len(cands):>5}{len(cands) - len(unseen):>6}{len(unseen):>7} | {rules['destructive']:>14}{rules['unparsed']:>9}")
        if args.show:
            for path, line, text in unseen:
                print(f"    {path}:{line}: {text[:140]}")


if __name__ == "__main__":
    sys.exit(main())
