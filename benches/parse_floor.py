#!/usr/bin/env python3
"""The least a parsing scanner can cost: tree-sitter's parse alone of an app's code, beside `git grep`.

Issue 21 asks a cold `tandem scan` to take no more than `git grep -w -E` of the schema's
identifiers over the same tree. The scanner resolves receivers (issue 16), so it parses every
file in scope with tree-sitter; this script measures that parse alone — the same C grammars at
the versions Cargo.lock pins, through the Python binding, no walking, no facts — for the code
files in an app's scope (templates, which tandem also reads, are left out: the figure is a lower
bound), in the same run as `git grep` of the same identifiers (benches/realscan.py's pattern).

    python3 -m venv /tmp/tsvenv && /tmp/tsvenv/bin/pip install tree-sitter tree-sitter-ruby==0.23.1 \
        tree-sitter-python==0.25.0 tree-sitter-typescript==0.23.2 tree-sitter-javascript==0.25.0 \
        tree-sitter-elixir==0.3.5
    /tmp/tsvenv/bin/python benches/parse_floor.py --tandem target/release/tandem [--app NAME]... [--runs 3]

Printed per app: code files and MB parsed, parse CPU (one thread), `git grep`'s wall and CPU
(it runs threads), and the ratios. `tandem` is used only to list the schema's identifiers.
"""
import argparse
import importlib.util
import os
import statistics
import subprocess
import time
import tomllib
from pathlib import Path

import tree_sitter
import tree_sitter_elixir
import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_ruby
import tree_sitter_typescript

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("realscan", HERE / "realscan.py")
realscan = importlib.util.module_from_spec(spec)
spec.loader.exec_module(realscan)
accuracy = realscan.accuracy

LANGS = {
    "ruby": tree_sitter_ruby.language(),
    "elixir": tree_sitter_elixir.language(),
    "python": tree_sitter_python.language(),
    "javascript": tree_sitter_javascript.language(),
    "typescript": tree_sitter_typescript.language_typescript(),
    "tsx": tree_sitter_typescript.language_tsx(),
}
BY_SUFFIX = {
    ".rb": "ruby", ".rake": "ruby", ".jbuilder": "ruby", ".builder": "ruby",
    ".ex": "elixir", ".exs": "elixir", ".py": "python",
    ".js": "javascript", ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
}


def blobs_of(repo, staged):
    """Each code file's bytes, through one `git cat-file --batch`."""
    wanted = [(blob, BY_SUFFIX[Path(p).suffix]) for mode, blob, _, p in staged
              if mode != "120000" and Path(p).suffix in BY_SUFFIX]
    out = subprocess.run(["git", "cat-file", "--batch"], cwd=repo, capture_output=True, check=True,
                         input=("\n".join(b for b, _ in wanted) + "\n").encode()).stdout
    texts, at = [], 0
    for _, lang in wanted:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        texts.append((lang, out[header_end + 1:header_end + 1 + size]))
        at = header_end + 1 + size + 1
    return texts


def parse_cpu(texts):
    parsers = {name: tree_sitter.Parser(tree_sitter.Language(lang)) for name, lang in LANGS.items()}
    start = time.process_time()
    for lang, text in texts:
        parsers[lang].parse(text)
    return time.process_time() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tandem", required=True)
    ap.add_argument("--app", action="append", default=[])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scratch", default="/tmp/tandem-parsefloor")
    args = ap.parse_args()
    tandem = str(Path(args.tandem).resolve())
    mirrors = [os.environ.get("TANDEM_MIRRORS", "/work/.mirror")]
    scratch = Path(args.scratch)
    folders = sorted(p.parent for p in (HERE / "accuracy").glob("*/target.toml"))
    if args.app:
        folders = [f for f in folders if f.name in args.app]
    print(f"{'app':<16}{'code files':>11}{'MB':>7} | {'parse cpu':>10}{'grep wall':>10}{'grep cpu':>9} ms |"
          f"{'parse/grep wall':>16}{'parse/grep cpu':>15}")
    for folder in folders:
        app = folder.name
        target = tomllib.loads((folder / "target.toml").read_text())
        mirror = accuracy.find_mirror(target["repo"], mirrors)
        if mirror is None or target.get("schema_from"):
            continue
        repo = accuracy.checkout(app, target, mirror, scratch)
        config = scratch / app / "apps.toml"
        schema = repo / target["schema"] if target.get("schema") else None
        config.write_text(accuracy.registry(app, target, repo, schema))
        specs = realscan.pathspecs(target)
        staged = [l.split(None, 3) for l in accuracy.git("ls-files", "-s", "--", *specs, cwd=repo).splitlines()]
        texts = blobs_of(repo, staged)
        pattern = "(" + "|".join(realscan.identifiers(tandem, config)) + ")"
        parse, gwall, gcpu = [], [], []
        for _ in range(args.runs):
            parse.append(parse_cpu(texts))
            w, _, c = realscan.timed(["git", "grep", "-n", "-w", "-I", "-E", pattern, target["commit"], "--", *specs],
                                     cwd=repo)
            gwall.append(w)
            gcpu.append(c)
        p, gw, gc = (statistics.median(x) * 1000 for x in (parse, gwall, gcpu))
        mb = sum(len(t) for _, t in texts) / 1e6
        print(f"{app:<16}{len(texts):>11}{mb:>7.2f} | {p:>10.0f}{gw:>10.0f}{gc:>9.0f}    |"
              f"{p / gw:>15.1f}×{p / gc:>14.1f}×")


if __name__ == "__main__":
    main()
