//! A mutation fuzzer on the stable toolchain (issue 17, "robustness as a habit").
//!
//! The coverage-guided fuzzer is `fuzz/` (cargo fuzz, libFuzzer with AddressSanitizer; see
//! docs/robustness.md). This loop needs neither: it runs wherever the tests run, over the same
//! targets (`targets.rs`). It mutates the repository's own fixtures and feeds every reader that
//! takes untrusted text: a panic, a crash of the C parser, or an input slower than the time limit
//! is a finding. It has no coverage feedback; an input joins the corpus when its *outcome* is new
//! (error message shape, operation kinds and counts), a cheap stand-in that keeps inputs which
//! reach new behaviour.
//!
//! ```text
//! cargo bench --bench fuzz -- TARGET|all [--seconds N] [--cpu] [--seed S] [--timeout-ms T] [--show-features]
//! cargo bench --bench fuzz -- --list
//! cargo bench --bench fuzz -- TARGET --replay FILE     # one input, outside the loop
//! cargo bench --bench fuzz -- --export-seeds DIR       # DIR/<target>/: the seeds, for libFuzzer
//! ```
//!
//! Findings go to `target/fuzz/<target>/` (minimised input, message); the input being run is
//! written to `target/fuzz/<target>/current` first, so a crash of libpg_query (an abort, not a
//! panic) leaves it behind.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod targets;

use targets::{TARGETS, Target, seeds};

/// `feature` up to the first word it took from the input. Messages that quote the input without
/// quotes (`syntax error: unexpected #knex.schema`) otherwise made nearly every input of the
/// JavaScript readers a new outcome. Cutting there, rather than dropping each such word, keeps
/// the variants linear: a fixed word of the message that the input happens to contain ("is",
/// "in") only shortens the feature, where dropping it made every subset of such words a feature
/// of its own (a 25-minute run of `migration-sql-postgres` kept 9,119 inputs that way). A word
/// that is not prose (letters and punctuation) is a quotation too: cut short with `…`, holding
/// an undecodable byte, or rewritten by the reader (the MySQL reader's `FK_RAILSJ=:[`).
/// Readers also quote upper-cased (`unsupported statement BODY`), hence the comparison in lower
/// case; `input` is lower case already.
///
/// Only messages are cut (an error, an Unparsed reason): an operation kind (`Data`) or a count is
/// not a quotation, whatever the input holds.
fn before_input_words(feature: &str, input: &str) -> String {
    let Some((kind, message)) = feature.split_once(':').filter(|(k, _)| matches!(*k, "err" | "Unparsed")) else {
        return feature.to_owned();
    };
    // A name joined with its schema or table (`public.users`, `t.c`) is a quotation too: the
    // input spells it otherwise (`"public"."users"`), so it was never found there and the
    // messages naming relations (`relation public.x is created twice`, `COMMENT ON t.c`) made
    // every name a feature — `structure-postgres` reached its cap of 20,000 inputs that way.
    // (After the first word, which is the file's location when the message has one.)
    let quoted = |(i, w): &(usize, &str)| {
        let prose = w.chars().all(|c| c.is_ascii_alphabetic() || ",.:;()/-'".contains(c));
        let qualified = *i > 0 && w.trim_end_matches(|c: char| ",.:;)".contains(c)).contains('.');
        !prose || qualified || input.contains(&w.to_ascii_lowercase())
    };
    let kept: Vec<&str> = message.split(' ').enumerate().take_while(|w| !quoted(w)).map(|(_, w)| w).collect();
    format!("{kind}:{}", kept.join(" "))
}

/// xorshift64*: deterministic for a given seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// Tokens that matter to the readers under test, besides the words of the seeds.
const DICTIONARY: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "`",
    "$$",
    "$a$",
    ";",
    "\n",
    "\0",
    "é",
    "\u{feff}",
    "\\",
    "#{",
    "${",
    "<<~SQL\n",
    "\nSQL\n",
    "--",
    "/*",
    "*/",
    "#",
    "\"\"\"",
    "do",
    "end",
    "def ",
    "BEGIN",
    "END",
    "DO $$",
    "EXECUTE '",
    "DELIMITER //\n",
    "-- migrate:up\n",
    "-- migrate:down\n",
    "-- +goose Up\n",
    "-- +goose Down\n",
    "-- +goose StatementBegin\n",
    "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$",
    "ALTER TABLE ",
    "DROP ",
    "ADD COLUMN ",
    "COPY t (a) FROM stdin;\n",
    "\\.\n",
    "BEGIN ATOMIC",
    "((((((((((",
    "))))))))))",
    "=",
    ",",
    ":",
    "[[apps]]\n",
    "[registry]\n",
    "name = ",
    "9999999999999999999999",
    "-1",
    "\r\n",
    "\t",
];

fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>], words: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = out.len();
        let at = rng.below(len + 1);
        match rng.below(11) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 => out.insert(at, rng.next() as u8),
            2 if len > 0 => {
                let n = 1 + rng.below((len - at.min(len - 1)).min(64));
                let at = at.min(len - 1);
                out.drain(at..(at + n).min(len));
            }
            3 => {
                let tok = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
                out.splice(at..at, tok.iter().copied());
            }
            4 if !words.is_empty() => {
                let w = &words[rng.below(words.len())];
                out.splice(at..at, w.iter().copied());
            }
            5 if len > 0 => {
                // Duplicate a chunk (repeats statements, nests brackets).
                let s = rng.below(len);
                let e = (s + 1 + rng.below(256)).min(len);
                let chunk = out[s..e].to_vec();
                out.splice(at..at, chunk);
            }
            6 if !corpus.is_empty() => {
                // Splice: this input's head, another's tail.
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len() + 1);
                out.truncate(at);
                out.extend_from_slice(&other[from..]);
            }
            7 if len > 0 => out.truncate(rng.below(len)),
            8 => {
                // Swap two lines.
                let text = String::from_utf8_lossy(&out).into_owned();
                let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
                if lines.len() > 1 {
                    let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                    lines.swap(a, b);
                    out = lines.concat().into_bytes();
                }
            }
            9 => {
                // Deep nesting or many repeats of one token.
                let tok = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
                let n = 16 << rng.below(8);
                let rep: Vec<u8> = tok.iter().copied().cycle().take(tok.len() * n).collect();
                out.splice(at..at, rep);
            }
            _ if len > 0 => {
                let i = rng.below(len);
                const PUNCTUATION: &[u8] = b"();'\"$`#\n \\{}[],:=-/*";
                out[i] = PUNCTUATION[rng.below(PUNCTUATION.len())];
            }
            _ => out.push(rng.next() as u8),
        }
    }
    out.truncate(1 << 17);
    out
}

fn words_of(seeds: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut set = HashSet::new();
    for s in seeds {
        for w in s.split(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.' || *b == b':')) {
            if (2..24).contains(&w.len()) {
                set.insert(w.to_vec());
            }
        }
    }
    let mut v: Vec<Vec<u8>> = set.into_iter().collect();
    v.sort();
    v
}

/// Run `input` and say whether it panicked (with the panic's message and place).
fn run_once(target: &Target, input: &[u8]) -> Result<String, String> {
    let text = String::from_utf8_lossy(input);
    IN_TARGET.set(true);
    let result = catch_unwind(AssertUnwindSafe(|| (target.run)(&text)));
    IN_TARGET.set(false);
    result.map_err(|e| {
        let msg = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "panic".to_owned());
        format!("{msg} at {}", LAST_PANIC.lock().unwrap().clone())
    })
}

static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

thread_local! {
    /// Whether this thread is running the code under test (a panic there is a finding).
    static IN_TARGET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Shrink `input` while `keeps` holds: drop halves, then ever smaller chunks, then single bytes.
fn minimise(input: &[u8], keeps: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    let mut cur = input.to_vec();
    let mut chunk = cur.len() / 2;
    let deadline = Instant::now() + Duration::from_secs(60);
    while chunk > 0 && Instant::now() < deadline {
        let mut i = 0;
        let mut shrank = false;
        while i < cur.len() {
            let mut cand = cur.clone();
            cand.drain(i..(i + chunk).min(cur.len()));
            if keeps(&cand) {
                cur = cand;
                shrank = true;
            } else {
                i += chunk;
            }
        }
        if !shrank {
            chunk /= 2;
        }
    }
    cur
}

struct Stats {
    execs: u64,
    corpus: usize,
    features: usize,
    findings: Vec<String>,
    slowest: Duration,
}

/// What the fuzzer measures time with. Wall time by default; with `--cpu`, the CPU time (user +
/// system) of this process, so that on a machine shared with builds an "hour" of fuzzing is an
/// hour of work, and an input that only waited for a core is not taken for a hang.
#[derive(Clone, Copy)]
enum Clock {
    Wall(Instant),
    Cpu(Duration),
}

impl Clock {
    fn start(cpu: bool) -> Clock {
        match cpu {
            true => Clock::Cpu(process_cpu().expect("--cpu reads /proc/self/stat (Linux only)")),
            false => Clock::Wall(Instant::now()),
        }
    }

    /// Time spent since the start, on this clock.
    fn elapsed(&self) -> Duration {
        match self {
            Clock::Wall(at) => at.elapsed(),
            Clock::Cpu(at) => process_cpu().unwrap_or(*at).saturating_sub(*at),
        }
    }
}

/// User + system time of the whole process (every thread: rayon's workers included), from
/// /proc/self/stat, in the kernel's fixed USER_HZ of 100 ticks a second.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

struct Options {
    seconds: u64,
    seed: u64,
    timeout: Duration,
    cpu: bool,
    show_features: bool,
}

fn fuzz(target: &Target, o: &Options) -> Stats {
    let (seconds, seed, timeout, show_features) = (o.seconds, o.seed, o.timeout, o.show_features);
    let clock = if o.cpu { "CPU" } else { "wall" };
    let dir = PathBuf::from("target/fuzz").join(target.name);
    std::fs::create_dir_all(&dir).expect("create target/fuzz");
    let mut corpus = seeds(target);
    if corpus.is_empty() {
        corpus.push(Vec::new());
    }
    let seed_count = corpus.len();
    let words = words_of(&corpus);
    let mut seen = HashSet::new();
    let mut findings: Vec<String> = Vec::new();
    let mut found_places = HashSet::new();
    let mut rng = Rng(seed | 1);
    let started = Clock::start(o.cpu);
    let mut execs = 0u64;
    let mut slowest = Duration::ZERO;

    // The watchdog: an input still running after `timeout` is a hang; it is already on disk as
    // `current`, so the process stops there and says so.
    let running_since = Arc::new(AtomicU64::new(0));
    {
        let running_since = running_since.clone();
        let current = dir.join("current");
        let name = target.name;
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(200));
                let since = running_since.load(Ordering::Relaxed);
                if since != 0 && started.elapsed().as_millis() as u64 > since + timeout.as_millis() as u64 {
                    eprintln!(
                        "[{name}] HANG: an input ran longer than {timeout:?} ({clock}); it is {}",
                        current.display()
                    );
                    std::process::exit(3);
                }
            }
        });
    }

    let mut i = 0usize;
    while started.elapsed() < Duration::from_secs(seconds) {
        let input = if i < seed_count {
            corpus[i].clone()
        } else {
            let base = &corpus[rng.below(corpus.len())];
            mutate(&mut rng, base, &corpus, &words)
        };
        i += 1;
        std::fs::write(dir.join("current"), &input).expect("write current input");
        let t0 = started.elapsed();
        running_since.store(t0.as_millis() as u64 + 1, Ordering::Relaxed);
        let result = run_once(target, &input);
        running_since.store(0, Ordering::Relaxed);
        let took = started.elapsed().saturating_sub(t0);
        execs += 1;
        if took > slowest {
            slowest = took;
            if took > Duration::from_millis(500) {
                std::fs::write(dir.join("slowest"), &input).ok();
                eprintln!("[{}] slow input: {took:?} for {} bytes (saved as slowest)", target.name, input.len());
            }
        }
        match result {
            // An outcome is a set of features separated by `|` (an operation kind, an
            // Unparsed reason's shape, a count bucket): the input is kept when one of them is new,
            // as libFuzzer keeps an input that reaches a new edge, not a new set of edges.
            Ok(sig) => {
                let mut new = false;
                let text = String::from_utf8_lossy(&input).to_lowercase();
                for feature in sig.split('|').map(|f| before_input_words(f, &text)) {
                    if seen.insert(feature.clone()) {
                        new = true;
                        if show_features {
                            eprintln!("[{}] feature {feature}", target.name);
                        }
                    }
                }
                if new && corpus.len() < 20_000 {
                    corpus.push(input);
                }
            }
            Err(msg) => {
                let place = msg.rsplit(" at ").next().unwrap_or_default().to_owned();
                if !found_places.insert(place.clone()) {
                    continue;
                }
                let small = minimise(&input, |c| {
                    run_once(target, c).err().is_some_and(|m| m.rsplit(" at ").next() == Some(place.as_str()))
                });
                let mut h = std::collections::hash_map::DefaultHasher::new();
                small.hash(&mut h);
                let file = dir.join(format!("crash-{:016x}", h.finish()));
                std::fs::write(&file, &small).ok();
                eprintln!("[{}] PANIC {msg}\n  minimised to {} bytes: {}", target.name, small.len(), file.display());
                findings.push(format!("{msg} ({})", file.display()));
            }
        }
    }
    Stats { execs, corpus: corpus.len(), features: seen.len(), findings, slowest }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if args.iter().any(|a| a == "--list") {
        for t in TARGETS {
            println!("{} ({} seeds)", t.name, seeds(t).len());
        }
        return;
    }
    if let Some(dir) = args.iter().position(|a| a == "--export-seeds").and_then(|i| args.get(i + 1)) {
        for t in TARGETS {
            let dir = Path::new(dir).join(t.name);
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            for (i, seed) in seeds(t).iter().enumerate() {
                std::fs::write(dir.join(format!("seed-{i:04}")), seed).expect("write a seed");
            }
        }
        return;
    }
    let value = |flag: &str, default: u64| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let options = Options {
        seconds: value("--seconds", 60),
        seed: value("--seed", 0x5eed),
        timeout: Duration::from_millis(value("--timeout-ms", 10_000)),
        cpu: args.iter().any(|a| a == "--cpu"),
        show_features: args.iter().any(|a| a == "--show-features"),
    };
    let seconds = options.seconds;
    let takes_value =
        |i: usize| i > 0 && matches!(args[i - 1].as_str(), "--seconds" | "--seed" | "--timeout-ms" | "--replay");
    let wanted = (0..args.len())
        .find(|&i| !args[i].starts_with("--") && !takes_value(i))
        .map(|i| args[i].clone())
        .unwrap_or_else(|| "all".into());
    if let Some(file) = args.iter().position(|a| a == "--replay").and_then(|i| args.get(i + 1)) {
        // One input through one target, outside the loop: to reproduce a finding under a
        // debugger (a stack overflow or a C abort gives no backtrace of its own).
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("--replay {file}: {e}"));
        let text = String::from_utf8_lossy(&bytes);
        match targets::by_name(&wanted) {
            Some(target) => println!("{}", (target.run)(&text)),
            None => eprintln!("no target named {wanted}; --list lists them"),
        }
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        // A panic on a worker thread (rayon) reaches the caller as a panic too.
        *LAST_PANIC.lock().unwrap() = info.location().map(|l| l.to_string()).unwrap_or_default();
        if !IN_TARGET.get() && std::thread::current().name() == Some("main") {
            // A panic of the fuzzer itself, not of the code under test.
            eprintln!("{info}");
        }
    }));
    let mut any = false;
    for target in TARGETS.iter().filter(|t| wanted == "all" || t.name == wanted) {
        any = true;
        let s = fuzz(target, &options);
        println!(
            "{}: {} s ({}), {} execs ({}/s), corpus {} ({} features), slowest {:?}, {} findings",
            target.name,
            seconds,
            if options.cpu { "CPU" } else { "wall" },
            s.execs,
            s.execs / seconds.max(1),
            s.corpus,
            s.features,
            s.slowest,
            s.findings.len()
        );
        for f in &s.findings {
            println!("  {f}");
        }
    }
    if !any {
        eprintln!("no target named {wanted}; --list lists them");
        std::process::exit(2);
    }
}
