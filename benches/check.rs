//! `cargo bench --bench check`: `tandem check` of one migration against the bundled example with
//! a warm scan cache (target: under 100 ms), and linting 1,000 generated SQL migrations, compared
//! with Squawk on the same files when `squawk` is on the PATH (or in $SQUAWK). Results go to
//! stdout; docs/performance.md records them.
//!
//! Both tools are timed as processes, start-up included, so the comparison is like for like.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn tandem_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("TANDEM_BIN") {
        return p.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from);
    target.join("release").join("tandem")
}

/// Median of `runs` timings of `cmd` (after one untimed warm-up run); the last run's output.
fn time(runs: usize, mut cmd: impl FnMut() -> Command) -> (Duration, std::process::Output) {
    let mut last = cmd().output().expect("command runs");
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        last = cmd().output().expect("command runs");
        times.push(start.elapsed());
    }
    times.sort();
    (times[runs / 2], last)
}

/// 1,000 dbmate migrations mixing safe and hazardous statements over 50 tables.
fn generate(dir: &Path) {
    let shapes = [
        "ALTER TABLE t{n} ADD COLUMN c{i} text;",
        "CREATE INDEX idx_{i} ON t{n} (c0);",
        "CREATE INDEX CONCURRENTLY idx_c_{i} ON t{n} (c0);",
        "ALTER TABLE t{n} ADD CONSTRAINT fk_{i} FOREIGN KEY (c0) REFERENCES t0 (id);",
        "ALTER TABLE t{n} ALTER COLUMN c0 SET NOT NULL;",
        "ALTER TABLE t{n} ADD COLUMN d{i} jsonb DEFAULT '{{}}'::jsonb;",
        "CREATE TABLE n{i} (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());",
        "ALTER TABLE t{n} ADD CONSTRAINT ck_{i} CHECK (c0 <> '') NOT VALID;",
        "UPDATE t{n} SET c0 = 'x' WHERE c0 IS NULL;",
        "ALTER TABLE t{n} ALTER COLUMN c0 TYPE varchar(200);",
    ];
    for i in 0..1000 {
        let n = i % 50;
        let a = shapes[i % shapes.len()].replace("{n}", &n.to_string()).replace("{i}", &i.to_string());
        let b = shapes[(i * 7 + 3) % shapes.len()]
            .replace("{n}", &((n + 1) % 50).to_string())
            .replace("{i}", &format!("{i}b"));
        let text = format!("-- migrate:up\nSET lock_timeout = '5s';\n{a}\n{b}\n\n-- migrate:down\nSELECT 1;\n")
            .replace("{{}}", "{}");
        std::fs::write(dir.join(format!("{:014}_m{i}.sql", 20_250_101_000_000u64 + i as u64)), text).expect("write");
    }
}

fn main() {
    let bin = tandem_bin();
    assert!(bin.is_file(), "build the binary first: cargo build --release (looked for {})", bin.display());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));

    // 1. One migration against the bundled example, warm cache.
    let migration = "migrations/20261102090000_drop_users_legacy_flag.sql";
    let (t, out) = time(9, || {
        let mut c = Command::new(&bin);
        c.current_dir(root).args(["check", migration, "--format", "json"]);
        c
    });
    if out.status.code().is_some_and(|c| c <= 1) {
        println!("check one migration, bundled example, warm cache: {:.1} ms (median of 9)", t.as_secs_f64() * 1e3);
    } else {
        println!(
            "check one migration, bundled example: could not run (exit {:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or_default()
        );
    }

    // 1b. The same gate over the bundled example apps, from a registry without a schema dump (so
    // it runs even where the structure.sql reader is unavailable): scan of both apps at both refs
    // through the warm blob cache, then the gate.
    let reg = tempfile::tempdir().expect("tempdir");
    let root_str = root.display().to_string().replace('\\', "/");
    std::fs::write(
        reg.path().join("apps.toml"),
        format!(
            "[registry]\ndialect = \"postgres\"\n\n[[app]]\nname = \"platform\"\nrepo = \"{root_str}\"\npath = \"examples/platform\"\nframework = \"rails\"\ndeployed = \"HEAD\"\nhead = \"HEAD\"\n\n[[app]]\nname = \"portal\"\nrepo = \"{root_str}\"\npath = \"examples/portal\"\nframework = \"phoenix\"\ndeployed = \"HEAD\"\nhead = \"HEAD\"\n"
        ),
    )
    .expect("write apps.toml");
    std::fs::copy(root.join(migration), reg.path().join("drop.sql")).expect("copy migration");
    let (t, out) = time(9, || {
        let mut c = Command::new(&bin);
        c.current_dir(reg.path()).args(["check", "drop.sql", "--format", "json"]);
        c
    });
    println!(
        "check one migration, example apps (no schema dump), warm cache: {:.1} ms (median of 9), exit {:?}",
        t.as_secs_f64() * 1e3,
        out.status.code()
    );

    // 2. Lint 1,000 generated SQL migrations.
    let dir = tempfile::tempdir().expect("tempdir");
    let migrations = dir.path().join("migrations");
    std::fs::create_dir_all(&migrations).expect("mkdir");
    generate(&migrations);
    std::fs::write(dir.path().join("apps.toml"), "[registry]\ndialect = \"postgres\"\nmigrations = \"migrations\"\n")
        .expect("write apps.toml");
    let (t_tandem, out) = time(5, || {
        let mut c = Command::new(&bin);
        c.current_dir(dir.path()).args(["check", "--format", "json"]);
        c
    });
    let findings = serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .map(|v| v["findings"].as_array().map_or(0, Vec::len))
        .unwrap_or(0);
    println!(
        "tandem: lint 1,000 SQL migrations: {:.0} ms (median of 5), {findings} findings",
        t_tandem.as_secs_f64() * 1e3
    );

    let squawk = std::env::var_os("SQUAWK").map(PathBuf::from).unwrap_or_else(|| "squawk".into());
    let files: Vec<PathBuf> = {
        let mut f: Vec<PathBuf> =
            std::fs::read_dir(&migrations).expect("read").filter_map(|e| e.ok().map(|e| e.path())).collect();
        f.sort();
        f
    };
    match Command::new(&squawk).arg("--version").output() {
        Ok(v) if v.status.success() => {
            let (t_squawk, _) = time(5, || {
                let mut c = Command::new(&squawk);
                c.args(&files);
                c
            });
            println!(
                "{}: lint the same files: {:.0} ms (median of 5); tandem/squawk = {:.2}",
                String::from_utf8_lossy(&v.stdout).trim(),
                t_squawk.as_secs_f64() * 1e3,
                t_tandem.as_secs_f64() / t_squawk.as_secs_f64()
            );
        }
        _ => println!("squawk not found (set SQUAWK=/path/to/squawk to compare)"),
    }
}
