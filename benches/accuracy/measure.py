#!/usr/bin/env python3
"""Recall and precision of `tandem refs` at medium+ beside `git grep -w`, per app of benches/accuracy.

Each app folder holds facts only: target.toml (repo, commit, framework, schema, exclude/include) and
hits.tsv (target, path, line, class ref|no, note). The app's code is read from a local mirror:
$TANDEM_MIRRORS/<owner>+<name>/repo (default /work/.mirror), a bare or normal git repository.

  benches/accuracy/measure.py --tandem target/debug/tandem [--app NAME] [--misses]
"""
import argparse, json, os, subprocess, sys, tempfile, tomllib
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_hits(app_dir):
    hits = []
    for n, line in enumerate((app_dir / "hits.tsv").read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 4 or parts[3] not in ("ref", "no"):
            sys.exit(f"{app_dir}/hits.tsv:{n}: expected target, path, line, ref|no, note")
        hits.append((parts[0], parts[1], int(parts[2]), parts[3], parts[4] if len(parts) > 4 else ""))
    return hits


def run_tandem(tandem, app_dir, conf, targets, repo):
    with tempfile.TemporaryDirectory() as tmp:
        reg = ['[registry]', 'dialect = "%s"' % conf.get("dialect", "postgres")]
        if "schema" in conf:
            body = subprocess.run(["git", "-C", repo, "show", f'{conf["commit"]}:{conf["schema"]}'],
                                  check=True, capture_output=True).stdout
            name = Path(conf["schema"]).name
            (Path(tmp) / name).write_bytes(body)
            reg.append(f'schema = "{name}"')
        reg += ["[[app]]", f'name = "{app_dir.name}"', f'repo = "{repo}"',
                f'framework = "{conf["framework"]}"',
                f'deployed = "{conf["commit"]}"', f'head = "{conf["commit"]}"']
        for key in ("include", "exclude"):
            if key in conf:
                reg.append(f"{key} = {json.dumps(conf[key])}")
        if "migrations" in conf:
            reg.append(f'migrations = "{conf["migrations"]}"')
        (Path(tmp) / "apps.toml").write_text("\n".join(reg) + "\n")
        out = subprocess.run([tandem, "refs", "--format", "json", "--min-confidence", "medium",
                              "--ref", conf["commit"], *targets],
                             cwd=tmp, capture_output=True, text=True)
        if out.returncode not in (0, 1):
            sys.exit(f"tandem failed ({out.returncode}): {out.stderr}")
        found = defaultdict(set)
        for t in json.loads(out.stdout)["targets"]:
            for r in t["references"]:
                found[t["target"]].add((r["path"], r["line"]))
        return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tandem", required=True)
    ap.add_argument("--app", action="append")
    ap.add_argument("--misses", action="store_true", help="list false negatives and positives")
    args = ap.parse_args()
    tandem = str(Path(args.tandem).resolve())
    mirrors = Path(os.environ.get("TANDEM_MIRRORS", "/work/.mirror"))
    print(f"{'app':<12} {'targets':>7} {'refs':>5} | {'grep recall':>11} {'grep prec':>9} | "
          f"{'recall':>6} {'precision':>9}  (tandem, medium+)")
    for app_dir in sorted(p for p in HERE.iterdir() if (p / "target.toml").exists()):
        if args.app and app_dir.name not in args.app:
            continue
        conf = tomllib.loads((app_dir / "target.toml").read_text())
        repo = mirrors / conf["repo"].replace("/", "+") / "repo"
        if not repo.exists():
            print(f"{app_dir.name:<12} no mirror at {repo}")
            continue
        hits = load_hits(app_dir)
        targets = sorted({h[0] for h in hits})
        truth = {(t, p, l) for t, p, l, c, _ in hits if c == "ref"}
        grep = {(t, p, l) for t, p, l, c, note in hits if not note.startswith("implicit")}
        found = run_tandem(tandem, app_dir, conf, targets, str(repo))
        got = {(t, p, l) for t in found for p, l in found[t]}
        tp = len(got & truth)
        recall = tp / len(truth) if truth else 1.0
        precision = tp / len(got) if got else 1.0
        g_recall = len(grep & truth) / len(truth) if truth else 1.0
        g_prec = len(grep & truth) / len(grep) if grep else 1.0
        print(f"{app_dir.name:<12} {len(targets):>7} {len(truth):>5} | {g_recall:>11.2f} {g_prec:>9.2f} | "
              f"{recall:>6.2f} {precision:>9.2f}")
        if args.misses:
            notes = {(t, p, l): note for t, p, l, c, note in hits}
            for key in sorted(truth - got):
                print(f"  missed  {key[0]:<32} {key[1]}:{key[2]}  {notes.get(key, '')}")
            for key in sorted(got - truth):
                print(f"  wrong   {key[0]:<32} {key[1]}:{key[2]}  {notes.get(key, '(not a grep hit)')}")


if __name__ == "__main__":
    main()
