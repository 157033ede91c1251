#!/usr/bin/env python3
"""Scan speed on real applications, beside `git grep` and the read floor, in one run.

For each application of benches/accuracy/ (its pinned commit, schema and scope), on a local
mirror as the fetch tool leaves it:

* read floor: every blob in the app's scope read through one `git cat-file --batch`;
* git grep:   `git grep -n -w -I -E '(id1|id2|…)' COMMIT -- SCOPE` over the schema's table and
              column names (what a person would grep for);
* cold:       `tandem scan` with no cache (peak memory from /usr/bin/time);
* warm:       `tandem scan --ref NEW` after a commit that changes one file in scope, with the
              cold scan's cache.

Each figure is the median of --runs runs; the ratios are of medians taken in the same run. The
CPU time (user + system, all threads, from the kernel's accounting of waited-for children) of the
cold and warm scans is printed beside their wall time: on a shared machine wall time is mostly
the queue.

    benches/realscan.py --tandem target/release/tandem [--app NAME]... [--runs 5]
"""
import argparse
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("accuracy", HERE / "accuracy" / "run.py")
accuracy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(accuracy)


def pathspecs(target):
    specs = [f":(glob){g}" for g in target.get("include", [])] or ["."]
    specs += [f":(exclude,glob){g}" for g in target.get("exclude", [])]
    return specs


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd, cwd=None, stdin=None):
    """Wall seconds, peak RSS (MiB) and CPU seconds of one run of `cmd`."""
    cpu = cpu_of_children()
    start = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], cwd=cwd, input=stdin, capture_output=True)
    wall = time.perf_counter() - start
    cpu = cpu_of_children() - cpu
    if out.returncode not in (0, 1):
        sys.exit(f"{cmd[0]} failed ({out.returncode}): {out.stderr.decode(errors='replace')[-2000:]}")
    rss_kib = int(out.stderr.decode().strip().splitlines()[-1])
    return wall, rss_kib / 1024, cpu


def identifiers(tandem, config):
    out = subprocess.run([tandem, "schema", "show", "--config", str(config), "--format", "json"],
                         capture_output=True, text=True, check=True).stdout
    names = set()
    for t in json.loads(out)["schema"]["tables"]:
        names.add(t["name"]["name"])
        for c in t.get("columns", []):
            names.add(c["name"])
    return sorted(n for n in names if n.replace("_", "").isalnum())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tandem", required=True)
    ap.add_argument("--app", action="append", default=[])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--mirrors", action="append", default=[])
    ap.add_argument("--scratch", default="/tmp/tandem-realscan")
    args = ap.parse_args()
    tandem = str(Path(args.tandem).resolve())
    mirrors = args.mirrors or [os.environ.get("TANDEM_MIRRORS", "/work/.mirror")]
    scratch = Path(args.scratch)
    folders = sorted(p.parent for p in (HERE / "accuracy").glob("*/target.toml"))
    if args.app:
        folders = [f for f in folders if f.name in args.app]
    print(f"{'app':<12}{'files':>7}{'idents':>7} | {'floor':>7}{'grep':>7}{'cold':>7}{'warm':>7} s | "
          f"{'cold/grep':>9}{'cold/floor':>11}{'cold/warm':>10} | {'peak MiB':>8} | "
          f"{'cold cpu':>8}{'warm cpu':>9} ms{'cpu c/w':>8}")
    for folder in folders:
        app = folder.name
        target = tomllib.loads((folder / "target.toml").read_text())
        mirror = accuracy.find_mirror(target["repo"], mirrors)
        if mirror is None:
            print(f"{app:<12}skipped: no mirror of {target['repo']} (fetch github:{target['repo']})")
            continue
        if target.get("schema_from"):
            print(f"{app:<12}skipped: its schema is written by a script (schema_from)")
            continue
        repo = accuracy.checkout(app, target, mirror, scratch)
        commit = target["commit"]
        config = scratch / app / "apps.toml"
        schema = repo / target["schema"] if target.get("schema") else None
        config.write_text(accuracy.registry(app, target, repo, schema))
        specs = pathspecs(target)
        # ls-files reads glob pathspecs (ls-tree does not); the work tree is at `commit`.
        staged = [l.split(None, 3) for l in accuracy.git("ls-files", "-s", "--", *specs, cwd=repo).splitlines()]
        blobs = [blob for mode, blob, _, _ in staged if mode != "120000"]
        batch = ("\n".join(blobs) + "\n").encode()
        idents = identifiers(tandem, config)
        pattern = "(" + "|".join(idents) + ")"

        # A commit changing one file in scope, for the warm scan.
        path = next(p for mode, _, _, p in staged if mode != "120000")
        checkout = ["git", "-c", "advice.detachedHead=false", "checkout", "-q", "--force", commit]
        # A mirror may lack its largest blobs (media): checkout writes every other file.
        subprocess.run(checkout, cwd=repo, capture_output=True)
        with open(repo / path, "a") as f:
            f.write("\n")
        accuracy.git("-c", "user.name=bench", "-c", "user.email=bench@invalid", "commit", "-q", "-a",
                     "-m", "touch", cwd=repo)
        changed = accuracy.git("rev-parse", "HEAD", cwd=repo).strip()
        subprocess.run(checkout, cwd=repo, capture_output=True)

        floor, grep, cold, warm, peak, cold_cpu, warm_cpu = [], [], [], [], [], [], []
        for _ in range(args.runs):
            floor.append(timed(["git", "cat-file", "--batch"], cwd=repo, stdin=batch)[0])
            grep.append(timed(["git", "grep", "-n", "-w", "-I", "-E", pattern, commit, "--", *specs], cwd=repo)[0])
            shutil.rmtree(scratch / app / ".tandem", ignore_errors=True)
            w, m, c = timed([tandem, "scan", "--quiet", "--color", "never", "--config", str(config), "--ref", commit])
            cold.append(w)
            peak.append(m)
            cold_cpu.append(c)
            w, _, c = timed([tandem, "scan", "--quiet", "--color", "never", "--config", str(config), "--ref", changed])
            warm.append(w)
            warm_cpu.append(c)
        med = statistics.median
        f, g, c, w = med(floor), med(grep), med(cold), med(warm)
        cc, wc = med(cold_cpu), med(warm_cpu)
        print(f"{app:<12}{len(blobs):>7}{len(idents):>7} | {f:>7.3f}{g:>7.3f}{c:>7.3f}{w:>7.3f}   | "
              f"{c / g:>8.2f}x{c / f:>10.2f}x{c / w:>9.1f}x | {max(peak):>8.0f} | "
              f"{cc * 1000:>8.0f}{wc * 1000:>9.0f}   {cc / max(wc, 1e-6):>6.1f}x", flush=True)


if __name__ == "__main__":
    main()
