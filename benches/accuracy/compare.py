#!/usr/bin/env python3
"""Every reference two tandem binaries disagree on, over the apps of benches/accuracy/.

run.py scores each binary; this lists what changed between two of them, line by line, so that
each gained or lost reference can be read (a score can stay the same while lines move):

    benches/accuracy/compare.py --base OLD --new NEW [--app NAME]... [--min-confidence medium]

For each app, both binaries run `tandem refs` on the truth's targets over the same checkout
(run.py's scratch layout). Each line printed is `+` (only NEW reports it at that level) or `-`
(only OLD does), with the truth's class (`ref`, `no`, or `?` for a line no row classifies).
"""
import argparse
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--app", action="append")
    ap.add_argument("--min-confidence", choices=list(run.RANK), default="medium")
    ap.add_argument("--mirrors", action="append", default=["/work/.mirror"])
    ap.add_argument("--scratch", default="/tmp/tandem-compare")
    args = ap.parse_args()
    level = run.RANK[args.min_confidence]
    scratch = Path(args.scratch)
    folders = sorted(p.parent for p in run.HERE.glob("*/target.toml"))
    if args.app:
        folders = [f for f in folders if f.name in args.app]
    total = {"+ref": 0, "+no": 0, "+?": 0, "-ref": 0, "-no": 0, "-?": 0}
    for folder in folders:
        app = folder.name
        target = tomllib.loads((folder / "target.toml").read_text())
        mirror = run.find_mirror(target["repo"], args.mirrors)
        if mirror is None:
            print(f"{app}: skipped, no mirror of {target['repo']}")
            continue
        _, config, rows, targets = run.prepare(folder, target, mirror, scratch)
        old, new = ({k for k, c in run.tandem_refs(b, config, targets).items() if c >= level}
                    for b in (args.base, args.new))
        for sign, keys in (("+", new - old), ("-", old - new)):
            for key in sorted(keys):
                cls = rows.get(key, "?")
                total[sign + cls] += 1
                print(f"{app:<16}{sign} {cls:<4}{key[0]:<32}{key[1]}:{key[2]}", flush=True)
    print("totals: " + ", ".join(f"{k} {v}" for k, v in total.items()))


if __name__ == "__main__":
    main()
