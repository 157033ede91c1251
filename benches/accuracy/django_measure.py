#!/usr/bin/env python3
"""Recall and precision of `tandem refs` at medium and up on one accuracy set, beside `git grep -w`.

usage: django_measure.py TANDEM CONFIG_DIR SET_DIR
CONFIG_DIR holds an apps.toml whose one app is the set's repository at its commit (and, for a
Django app, a schema written by django_schema.py); SET_DIR holds hits.tsv.
"""
import collections
import json
import subprocess
import sys

tandem, config_dir, set_dir = sys.argv[1:4]
refs = collections.defaultdict(set)
hits = collections.defaultdict(set)
for row in open(f"{set_dir}/hits.tsv"):
    target, path, line, cls, _ = row.rstrip("\n").split("\t")
    hits[target].add((path, int(line)))
    if cls == "ref":
        refs[target].add((path, int(line)))
out = subprocess.run([tandem, "refs", "--format", "json", "--min-confidence", "medium", *sorted(hits)],
                     cwd=config_dir, capture_output=True, text=True, check=True).stdout
found = {t["target"]: {(r["path"], r["line"]) for r in t["references"]} for t in json.loads(out)["targets"]}
tp = fp = fn = 0
for t in sorted(hits):
    f, r = found.get(t, set()), refs[t]
    tp_t, fp_t, fn_t = len(f & r), len(f - r), len(r - f)
    tp, fp, fn = tp + tp_t, fp + fp_t, fn + fn_t
    print(f"{t:40} refs {len(r):3}  found {len(f):3}  missed {fn_t:3}  wrong {fp_t:3}")
    for m in sorted(r - f):
        print(f"    missed {m[0]}:{m[1]}")
    for m in sorted(f - r):
        print(f"    wrong  {m[0]}:{m[1]}")
grep_refs = sum(len(v) for v in refs.values())
grep_hits = sum(len(v) for v in hits.values())
print(f"tandem  recall {tp / max(tp + fn, 1):.2f}  precision {tp / max(tp + fp, 1):.2f}")
print(f"git grep -w  recall 1.00  precision {grep_refs / max(grep_hits, 1):.2f}")
