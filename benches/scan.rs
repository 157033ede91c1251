//! Scan benchmark: one large generated repository (≥ 20,000 files, ≥ 100 MB, ≥ 2,000 schema
//! identifiers), timed in the same run against two peers:
//!
//! * `git grep -n -w -E '(id1|id2|…)' REV` — what a careful person would do by hand;
//! * the read floor: `git ls-tree -r --object-only REV | git cat-file --batch` — merely reading
//!   every blob at REV;
//!
//! then a warm re-scan of a commit where 1 % of the files changed. Everything runs in five
//! rounds (each cold and warm pair with a new store); the figures are medians.
//!
//! Besides the 20,000 worker files, the repository has one ActiveRecord model per table (400
//! files under `app/models/`), so that the Rails extractor has models to find and screening
//! (see `tandem::scan::screen`) has to earn every file it skips.
//!
//! Run with `cargo bench --bench scan`. The repository is generated deterministically into
//! `$TANDEM_BENCH_REPO` (default: `<tmp>/tandem-bench-repo`) and reused when it is already
//! there. Targets: cold ≤ 1.0× git grep, ≤ 2× the read floor; warm ≥ 20× faster than cold.

// The test suite's registry builders (`support::scan`).
#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tandem::config::{App, Framework};
use tandem::scan::resolve::SchemaIndex;
use tandem::scan::scan_ref;
use tandem::schema::{Column, QualifiedName, Schema, Table};
use tandem::store::Store;

/// The allocator the `tandem` binary uses, so that the benchmark measures what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const FILES: usize = 20_000;
const TABLES: usize = 400;
const COLUMNS_PER_TABLE: usize = 6;
/// Bytes of code per file, on average: 20,000 × 5,400 ≈ 108 MB.
const FILE_BYTES: usize = 5_400;
const CHANGED: usize = FILES / 100;

/// A small deterministic generator (xorshift), so every run builds the same repository.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "value", "result", "params", "record", "items", "count", "total", "config", "request", "response", "current",
    "index", "buffer", "options", "payload", "context", "handler", "service", "client", "entry",
];

fn table_name(i: usize) -> String {
    format!("{}_{}s", WORDS[i % WORDS.len()], i)
}

fn column_name(i: usize, j: usize) -> String {
    format!("{}_{}_{}", WORDS[(i + j) % WORDS.len()], j, i)
}

fn schema() -> Schema {
    let mut s = Schema::default();
    for i in 0..TABLES {
        let mut t = Table::new(QualifiedName::unqualified(&table_name(i)));
        t.columns.push(Column::new("id", "bigint"));
        t.columns.extend((0..COLUMNS_PER_TABLE).map(|j| Column::new(&column_name(i, j), "text")));
        s.tables.push(t);
    }
    s
}

/// One Ruby-looking source file: mostly ordinary code, a few schema identifiers used in code,
/// comments and strings, now and then an SQL heredoc.
fn file(rng: &mut Rng, n: usize, version: u32) -> String {
    let mut s = format!("# frozen_string_literal: true\n# Generated file {n} (v{version})\nclass Worker{n}\n");
    while s.len() < FILE_BYTES {
        let w = WORDS[rng.below(WORDS.len())];
        let v = WORDS[rng.below(WORDS.len())];
        match rng.below(40) {
            0 => {
                let t = rng.below(TABLES);
                s.push_str(&format!(
                    "  def load_{n}_{}\n    {w}.{}\n  end\n",
                    s.len(),
                    column_name(t, rng.below(COLUMNS_PER_TABLE))
                ));
            }
            1 => {
                let t = rng.below(TABLES);
                s.push_str(&format!(
                    "  SQL_{} = <<~SQL\n    SELECT x.{} FROM {} x WHERE x.id = ?\n  SQL\n",
                    s.len(),
                    column_name(t, rng.below(COLUMNS_PER_TABLE)),
                    table_name(t)
                ));
            }
            2 => s.push_str(&format!("  # {} is documented elsewhere\n", column_name(rng.below(TABLES), 1))),
            _ => s.push_str(&format!(
                "  def {w}_{v}_{}(arg)\n    {w} = arg.fetch(:{v}, \"{v} text\")\n    {w}.to_s\n  end\n",
                s.len()
            )),
        }
    }
    s.push_str("end\n");
    s
}

/// The model of table `i`: `value_0s` → `Value0` in `app/models/value_0.rb`. Rails would name
/// its table `value0s`, so the model says `self.table_name`, as legacy schemas make apps do.
fn model_file(i: usize) -> String {
    table_name(i).trim_end_matches('s').to_owned()
}

fn model(i: usize) -> String {
    let class = tandem::scan::inflect::camelize(&model_file(i));
    format!(
        "# frozen_string_literal: true\n\nclass {class} < ApplicationRecord\n  self.table_name = \"{}\"\n\n  \
         validates :{}, presence: true\n  scope :recent, -> {{ order(:{}) }}\nend\n",
        table_name(i),
        column_name(i, 0),
        column_name(i, 1)
    )
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").args(args).current_dir(dir).output().expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Build the repository with `git fast-import`: commit `base` with every file, then `main` with
/// 1 % of them changed.
fn generate(dir: &Path) {
    std::fs::create_dir_all(dir).expect("create the bench repo dir");
    git(dir, &["init", "-q", "-b", "main"]);
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import runs");
    let mut stdin = std::io::BufWriter::new(child.stdin.take().expect("stdin"));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let commit = |stdin: &mut std::io::BufWriter<_>, message: &str, files: &[(String, String)], from: bool| {
        let _ = writeln!(stdin, "commit refs/heads/main");
        let _ = writeln!(stdin, "committer bench <bench@example.com> 1767225600 +0000");
        let _ = writeln!(stdin, "data {}\n{message}", message.len());
        // fast-import continues a branch it already wrote from its tip; only a new
        // branch needs `from`.
        let _ = from;
        for (path, content) in files {
            let _ = writeln!(stdin, "M 100644 inline {path}\ndata {}\n{content}", content.len());
        }
        let _ = writeln!(stdin);
    };
    let mut base: Vec<(String, String)> =
        (0..FILES).map(|n| (format!("app/workers/w{:02}/worker_{n}.rb", n % 50), file(&mut rng, n, 1))).collect();
    base.extend((0..TABLES).map(|i| (format!("app/models/{}.rb", model_file(i)), model(i))));
    commit(&mut stdin, "base", &base, false);
    let _ = writeln!(stdin, "reset refs/tags/base\nfrom refs/heads/main\n");
    let changed: Vec<(String, String)> = (0..CHANGED)
        .map(|k| {
            let n = k * (FILES / CHANGED);
            (format!("app/workers/w{:02}/worker_{n}.rb", n % 50), file(&mut rng, n, 2))
        })
        .collect();
    commit(&mut stdin, "change 1%", &changed, true);
    drop(stdin);
    assert!(child.wait().expect("fast-import finishes").success(), "git fast-import failed");
    std::fs::write(dir.join(".git/tandem-bench-ready-v2"), "").expect("marker");
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn sh(dir: &Path, script: &str) -> Duration {
    let (status, took) = time(|| {
        Command::new("sh").arg("-c").arg(script).current_dir(dir).stdout(Stdio::null()).status().expect("sh runs")
    });
    // git grep exits 1 when nothing matches; anything else is a failure of the peer.
    assert!(status.code().is_some_and(|c| c <= 1), "`{script}` failed: {status}");
    took
}

fn main() {
    if let Ok(filter) = std::env::var("TANDEM_LOG") {
        tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new(filter)).init();
    }
    let repo = std::env::var_os("TANDEM_BENCH_REPO")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("tandem-bench-repo"));
    if !repo.join(".git/tandem-bench-ready-v2").exists() {
        let _ = std::fs::remove_dir_all(&repo);
        let ((), took) = time(|| generate(&repo));
        eprintln!("generated {} in {:.1} s", repo.display(), took.as_secs_f64());
    }
    let tree = git(&repo, &["ls-tree", "-r", "-l", "base"]);
    let files = tree.lines().count();
    let bytes: u64 = tree.lines().filter_map(|l| l.split_whitespace().nth(3).and_then(|s| s.parse::<u64>().ok())).sum();
    let schema = schema();
    let index = SchemaIndex::new(&schema);
    let identifiers = index.identifiers();
    println!(
        "repository: {} files, {:.1} MB at `base`; {} schema identifiers; {} files changed at `main`",
        files,
        bytes as f64 / 1e6,
        identifiers.len(),
        CHANGED
    );

    let store_dir = tempfile::tempdir().expect("tempdir");
    let app = App { deployed: Some("base".into()), ..support::scan::app("bench", &repo, Framework::Rails) };
    let config = support::scan::config(store_dir.path(), vec![app.clone()]);
    let store = Store::open(&config.registry.store, &config.root).expect("store");

    // `TANDEM_BENCH_ONLY=cold|generic|warm` runs that one scan alone (warm: after an untimed cold
    // one) for a profiler, and stops.
    if std::env::var("TANDEM_BENCH_ONLY").as_deref() == Ok("warm") {
        let cold = scan_ref(&config, &app, "deployed", "base", Some(&index), Some(&store), false).expect("cold");
        eprintln!("cold done: {} references; warm starts", cold.references.len());
        // Warm scans from the same snapshot (a small change does not write a new one) until
        // `TANDEM_BENCH_WARM_RUNS`: after the first, the changed files' facts come from the blob
        // cache, so the later runs time the fixed costs alone, steadily enough to compare builds.
        let runs: usize = std::env::var("TANDEM_BENCH_WARM_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(1);
        let mut times = Vec::new();
        // `PERF_CTL=FIFO` with `perf record -D -1 --control fifo:FIFO`: profile the warm scans alone.
        let perf = |command: &str| {
            if let Ok(fifo) = std::env::var("PERF_CTL") {
                std::fs::write(&fifo, command).expect("write to the PERF_CTL fifo");
            }
        };
        perf("enable\n");
        for _ in 0..runs.max(1) {
            let (scan, took) = time(|| scan_ref(&config, &app, "head", "main", Some(&index), Some(&store), false));
            println!("warm: {:.0} ms, {} references", took.as_secs_f64() * 1e3, scan.expect("warm").references.len());
            times.push(took);
        }
        perf("disable\n");
        times.sort();
        println!("warm median: {:.1} ms", times[times.len() / 2].as_secs_f64() * 1e3);
        return;
    }
    if let Ok(only) = std::env::var("TANDEM_BENCH_ONLY") {
        let one =
            App { framework: if only == "generic" { Framework::Generic } else { Framework::Rails }, ..app.clone() };
        let (scan, took) = time(|| scan_ref(&config, &one, "deployed", "base", Some(&index), Some(&store), false));
        let scan = scan.expect("scan");
        println!("{only}: {:.0} ms, {} references", took.as_secs_f64() * 1e3, scan.references.len());
        return;
    }
    // Rounds of everything, each scan pair with a new store, so that one noisy moment on a
    // shared machine does not decide a ratio: the figures are medians, each round printed.
    const ROUNDS: usize = 5;
    let pattern = format!("({})", identifiers.join("|"));
    std::fs::write(store_dir.path().join("pattern"), &pattern).expect("pattern file");
    let grep_cmd = format!("git grep -n -w -E \"$(cat {})\" base", store_dir.path().join("pattern").display());
    let floor_cmd = "git ls-tree -r --object-only base | git cat-file --batch";
    // Once untimed, so the page cache is equally warm for everyone.
    let _ = sh(&repo, floor_cmd);
    let mut rounds: Vec<[Duration; 6]> = Vec::new();
    let (mut cold, mut warm) = (None, None);
    for round in 1..=ROUNDS {
        let floor = sh(&repo, floor_cmd);
        let grep = sh(&repo, &grep_cmd);
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open("sqlite://registry.db", dir.path()).expect("store");
        let (c, cold_t) = time(|| scan_ref(&config, &app, "deployed", "base", Some(&index), Some(&store), false));
        let (w, warm_t) = time(|| scan_ref(&config, &app, "head", "main", Some(&index), Some(&store), false));
        let w = w.expect("warm scan");
        // `tandem scan` also records each result in the store (`tandem refs` and `check` do not).
        let ((), save_t) = time(|| store.save_scan(&w, false).expect("save the scan"));
        // Where the cold time goes: the same scan without the Rails extractor (tree-sitter),
        // i.e. only the `sql` and `name` extractors, into a new store.
        let generic_dir = tempfile::tempdir().expect("tempdir");
        let generic_store = Store::open("sqlite://registry.db", generic_dir.path()).expect("store");
        let generic_app = App { framework: Framework::Generic, ..app.clone() };
        let (_, generic_t) =
            time(|| scan_ref(&config, &generic_app, "deployed", "base", Some(&index), Some(&generic_store), false));
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "round {round}: floor {:.0} ms, grep {:.0} ms, cold {:.0} ms, warm {:.0} ms, save {:.0} ms, sql + name {:.0} ms",
            ms(floor),
            ms(grep),
            ms(cold_t),
            ms(warm_t),
            ms(save_t),
            ms(generic_t)
        );
        rounds.push([floor, grep, cold_t, warm_t, save_t, generic_t]);
        (cold, warm) = (Some(c.expect("cold scan")), Some(w));
    }
    let (cold, warm) = (cold.expect("a round ran"), warm.expect("a round ran"));
    let median = |i: usize| {
        let mut v: Vec<Duration> = rounds.iter().map(|r| r[i]).collect();
        v.sort();
        v[v.len() / 2]
    };
    let [floor, grep, cold_t, warm_t, save_t, generic_t] = [0, 1, 2, 3, 4, 5].map(median);
    println!("medians of {ROUNDS} rounds:");
    println!("read floor (ls-tree | cat-file --batch): {:>8.0} ms", floor.as_secs_f64() * 1e3);
    println!("git grep -n -w -E (ids):                 {:>8.0} ms", grep.as_secs_f64() * 1e3);
    println!(
        "tandem scan, cold:                       {:>8.0} ms  ({} files read, {} references)",
        cold_t.as_secs_f64() * 1e3,
        cold.summary.files_read,
        cold.references.len()
    );
    println!(
        "tandem scan, warm (1% changed):          {:>8.0} ms  ({} files read, {} from cache)",
        warm_t.as_secs_f64() * 1e3,
        warm.summary.files_read,
        warm.summary.blobs_from_cache
    );
    println!(
        "saving the warm result (tandem scan only): {:>6.0} ms  ({} references)",
        save_t.as_secs_f64() * 1e3,
        warm.references.len()
    );
    println!("tandem scan, cold, sql + name only:      {:>8.0} ms", generic_t.as_secs_f64() * 1e3);
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    // Per round, then of the medians.
    let per_round = |a: usize, b: usize, digits: usize| {
        rounds.iter().map(|r| format!("{:.*}", digits, ratio(r[a], r[b]))).collect::<Vec<_>>().join(", ")
    };
    println!("cold / git grep:   {:.2}x  (target <= 1.0x; rounds {})", ratio(cold_t, grep), per_round(2, 1, 2));
    println!("cold / read floor: {:.2}x  (target <= 2.0x; rounds {})", ratio(cold_t, floor), per_round(2, 0, 2));
    println!("cold / warm:       {:.1}x  (target >= 20x; rounds {})", ratio(cold_t, warm_t), per_round(2, 3, 1));
}
