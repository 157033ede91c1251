//! How long reading a large structure.sql takes. Generates a pg_dump-shaped file of about 1 MB
//! (a few thousand tables with sequences, defaults, keys, indexes, foreign keys, and views),
//! then times libpg_query's parse alone and the whole `postgres::parse` (model included), and the
//! canonical renderer. Run by hand: `cargo bench --bench parse_structure`; record the figures in
//! docs/performance.md.

use std::fmt::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use tandem::schema::postgres;

fn generate(tables: usize) -> String {
    let mut s = String::from(
        "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n\
         SELECT pg_catalog.set_config('search_path', '', false);\n\n\
         CREATE TYPE public.state AS ENUM (\n    'new',\n    'active',\n    'closed'\n);\n\n",
    );
    for i in 0..tables {
        let _ = write!(
            s,
            "CREATE TABLE public.t{i} (\n    id bigint NOT NULL,\n    parent_id bigint,\n    \
             name character varying(255) NOT NULL,\n    state public.state DEFAULT 'new'::public.state NOT NULL,\n    \
             created_at timestamp(6) without time zone NOT NULL\n);\n\n\
             CREATE SEQUENCE public.t{i}_id_seq\n    START WITH 1\n    INCREMENT BY 1\n    CACHE 1;\n\n\
             ALTER SEQUENCE public.t{i}_id_seq OWNED BY public.t{i}.id;\n\n"
        );
    }
    for i in 0..tables {
        let _ = write!(
            s,
            "ALTER TABLE ONLY public.t{i} ALTER COLUMN id SET DEFAULT nextval('public.t{i}_id_seq'::regclass);\n\n\
             ALTER TABLE ONLY public.t{i}\n    ADD CONSTRAINT t{i}_pkey PRIMARY KEY (id);\n\n"
        );
    }
    for i in (0..tables).step_by(4) {
        let _ = writeln!(
            s,
            "CREATE INDEX index_t{i}_on_lower_name ON public.t{i} USING btree (lower((name)::text)) WHERE (state <> 'closed'::public.state);\n"
        );
    }
    for i in (1..tables).step_by(2) {
        let _ = write!(
            s,
            "ALTER TABLE ONLY public.t{i}\n    ADD CONSTRAINT t{i}_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES public.t{}(id) ON DELETE CASCADE;\n\n",
            i - 1
        );
    }
    for i in (0..tables).step_by(50) {
        let _ = write!(
            s,
            "CREATE VIEW public.v{i} AS\n SELECT a.id,\n    a.name,\n    b.amount\n   FROM (public.t{i} a\n     JOIN public.t{} b ON ((b.parent_id = a.id)))\n  WHERE (a.state = 'active'::public.state);\n\n",
            i + 1
        );
    }
    s.push_str("INSERT INTO \"schema_migrations\" (version) VALUES\n('20240101000000'),\n('20240102000000');\n");
    s
}

/// CPU time (user + system, all threads) this process has used, from /proc/self/stat in clock
/// ticks of 10 ms. On a machine shared with other work the wall-clock median is inflated by
/// waiting for a core; CPU time per run is not.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After the command name: state is field 0, utime field 11, stime field 12.
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, Duration) {
    let cpu_before = cpu_time();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    let cpu = (cpu_time() - cpu_before) / runs as u32;
    times.sort();
    (times[times.len() / 2], times[0], cpu)
}

fn main() {
    let runs = 15;
    println!("{:<34} {:>8} {:>10} {:>12} {:>12} {:>12}", "case", "tables", "bytes", "median", "best", "cpu/run");
    for tables in [300, 1500] {
        let text = generate(tables);
        let path = Path::new("structure.sql");
        let schema = match postgres::parse(&text, path) {
            Ok(s) => s,
            Err(e) => panic!("generated dump does not parse: {e}"),
        };
        assert_eq!(schema.tables.len(), tables);
        let rows: [(&str, (Duration, Duration, Duration)); 3] = [
            ("libpg_query parse only", time(runs, || pg_query::parse(&text, 0).map(|r| r.protobuf.stmts.len()))),
            ("postgres::parse (model)", time(runs, || postgres::parse(&text, path).map(|s| s.tables.len()))),
            ("postgres::render", time(runs, || postgres::render(&schema).len())),
        ];
        for (name, (median, best, cpu)) in rows {
            println!(
                "{name:<34} {tables:>8} {:>10} {:>9.1} ms {:>9.1} ms {:>9.1} ms",
                text.len(),
                median.as_secs_f64() * 1e3,
                best.as_secs_f64() * 1e3,
                cpu.as_secs_f64() * 1e3
            );
        }
    }
}
