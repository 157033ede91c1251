//! The minimised inputs of the fuzzer's findings (`benches/fuzz.rs`, docs/robustness.md): each
//! once made a reader panic or hang, and must now end in a result or a located error.

use std::path::Path;

/// `structure-mysql`, 2026-12-06: a multi-byte character right after a table's closing
/// parenthesis made the search for `ENGINE=` slice inside the character.
#[test]
fn mysql_dump_with_a_multibyte_character_after_the_columns() {
    for text in ["/**/CREATE TABLE()\u{fffd}", "CREATE TABLE t (a int) \u{e9}ENGINE=InnoDB;\n"] {
        let result = tandem::schema::mysql::parse(text, Path::new("structure.sql"));
        if let Err(e) = result {
            assert_eq!(e.exit_code(), 2, "{e}");
        }
    }
}

/// `migration-rails`, 2026-12-06: a quoted heredoc identifier never closed (`<<'SQL` and the rest
/// of the file) made tree-sitter-ruby's scanner fail an `assert` in C and abort the process (its
/// state keeps an identifier's length in one byte). Now a located syntax error.
#[test]
fn rails_heredoc_identifier_never_closed_is_a_syntax_error_not_an_abort() {
    let found = std::fs::read_to_string("tests/fixtures/fuzz/rails_heredoc_abort.rb.txt").unwrap();
    let long_word =
        format!("class M < ActiveRecord::Migration[7.1]\n  def up\n    execute <<~{}\n  end\nend\n", "W".repeat(300));
    for text in [found.as_str(), long_word.as_str()] {
        let err = tandem::migration::read_file(
            Path::new("db/migrate/20240101000000_m.rb"),
            text,
            None,
            tandem::schema::Dialect::Postgres,
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("heredoc identifier"), "{err}");
    }
    // A heredoc closed on its line still reads.
    let ok = "class M < ActiveRecord::Migration[7.1]\n  def up\n    execute <<~'SQL'\n      DROP TABLE t;\n    SQL\n  end\nend\n";
    let ms = tandem::migration::read_file(Path::new("db/migrate/1_m.rb"), ok, None, tandem::schema::Dialect::Postgres)
        .unwrap();
    assert_eq!(ms[0].up.len(), 1);
}

/// `migration-sql-postgres`, 2026-12-06: a type modifier that is a function call in a `USING`
/// cast made libpg_query's deparser fail an `Assert` (a debug build of its C code aborted).
#[test]
fn a_using_cast_with_a_call_as_type_modifier_reads() {
    let text = "ALTER TABLE u ADD C t,ALTER l TYPE x USING e::e(r())";
    let ms = tandem::migration::read_file(Path::new("1_m.sql"), text, None, tandem::schema::Dialect::Postgres).unwrap();
    assert_eq!(ms[0].up.len(), 2);
}

/// `structure-postgres`, 2026-12-06 (F5): a check constraint whose cast carried an array cast as its
/// type modifier (`(status)::text((ARRAY[…])::text[])`) reached libpg_query's deparser, which
/// asserts that a modifier is a constant, a parameter or a name: a debug build aborted, a release
/// build printed the type without it. PostgreSQL refuses such a type; so does the reader, at the
/// modifier.
#[test]
fn a_dump_with_an_expression_as_type_modifier_is_a_located_error_not_an_abort() {
    let bytes = std::fs::read("tests/fixtures/fuzz/structure_postgres_deparse_abort.sql.txt").unwrap();
    let found = String::from_utf8_lossy(&bytes);
    let err = tandem::schema::postgres::parse(&found, Path::new("structure.sql")).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let shown = err.to_string();
    assert!(shown.contains("structure.sql:79:"), "{shown}");
    assert!(shown.contains("type modifier is not a constant"), "{shown}");

    let minimal = "CREATE TABLE t (\n    a text,\n    CHECK (a::text((ARRAY['x'])::text[]))\n);\n";
    let err = tandem::schema::postgres::parse(minimal, Path::new("structure.sql")).unwrap_err();
    assert!(err.to_string().contains("structure.sql:3:"), "{err}");
    // In a column's type, as in a cast.
    let in_column = "CREATE TABLE t (a varchar(1 + 1));\n";
    assert!(tandem::schema::postgres::parse(in_column, Path::new("s.sql")).is_err());

    // Modifiers PostgreSQL takes still read, and print as it prints them.
    let fine = "CREATE TABLE t (\n    a character varying(32),\n    b numeric(10,2),\n    CHECK ((a)::text = ANY ((ARRAY['x'::character varying])::text[]))\n);\n";
    let schema = tandem::schema::postgres::parse(fine, Path::new("structure.sql")).unwrap();
    let t = &schema.tables[0];
    let types: Vec<_> = t.columns.iter().map(|c| c.data_type.as_str()).collect();
    assert_eq!(types, ["character varying(32)", "numeric(10,2)"]);

    // A migration's SQL with the same cast reads; the expression it cannot print is `?`.
    let ms = tandem::migration::read_file(
        Path::new("1_m.sql"),
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a::text((ARRAY['x'])::text[]));",
        None,
        tandem::schema::Dialect::Postgres,
    )
    .unwrap();
    assert_eq!(ms[0].up.len(), 1);
}

/// The same Ruby in an app's code: the scanner must not abort on it (one file would take the
/// whole scan down), and the rest of the file is still read.
#[test]
fn an_app_file_with_an_unclosed_heredoc_identifier_is_scanned() {
    // The quoted identifier runs on past 254 bytes: what made the Ruby scanner abort.
    let text = format!(
        "class Order < ApplicationRecord\n  def self.open\n    where(state: \"open\")\n  end\n\n  def raw\n    connection.execute <<~'SQL\n      SELECT 1 -- {}\n  end\nend\n",
        "x".repeat(300)
    );
    let facts = tandem::framework::rails::extract::extract("app/models/order.rb", &text);
    let lines: Vec<u32> = facts.hits.iter().map(|h| h.line).collect();
    assert!(lines.contains(&3), "the `where(state:)` before the heredoc is read: {:?}", facts.hits);
    let erb = format!("<%= Order.where(state: 'x').count %>\n<% y = <<~'{}\n%>\n", "Q".repeat(10));
    tandem::framework::rails::extract::extract("app/views/orders/index.html.erb", &erb);
}

/// `code-rails` and `code-phoenix`, 2026-12-06: a file nested a few thousand calls deep (10 KB)
/// overflowed the stack of the walkers, which recurse once per level; a scan extracts on worker
/// threads of 2 MiB, where a quarter of that depth was enough. Each framework's extractors now
/// read such a file, on such a thread, and still find what is at the bottom — nested calls and
/// the other shapes a file nests in (issue 17): literals, operator and method chains, blocks and lambdas, parentheses, interpolation, branches and templates, each as deep
/// as about 100 KB of text allows (at most 20,000 levels). Found this way: Phoenix's `case`/`if`
/// branches (`branch_keys`), pipes and `||` chains (`merged_keys`), method chains (`record`) and
/// Rails' `x = x = …` and `((…))` (`result_of`) overflowed; Django's attribute chains were
/// quadratic (a `parent()` and a walk to the chain's base per attribute); and slow shapes, each
/// level of a chain or nest asking something of all the levels below it (docs/robustness.md, F9).
#[test]
fn app_code_nested_in_every_shape_is_read_on_a_scan_workers_stack() {
    use tandem::config::Framework;
    use tandem::scan::extract::{ExtractContext, SourceFile};
    /// `open` × depth, `core`, `close` × depth: depth 20,000 or what fits in 100 KB.
    fn nest(open: &str, close: &str, core: &str) -> String {
        let depth = (100_000 / (open.len() + close.len())).min(20_000);
        format!("{}{core}{}", open.repeat(depth), close.repeat(depth))
    }
    fn chain(head: &str, link: &str, times: usize) -> String {
        format!("{head}{}", link.repeat(times))
    }
    let rb = |body: String| format!("class User < ApplicationRecord\n  def x\n    {body}\n  end\nend\n");
    let ex = |body: String| format!("defmodule App.User do\n  def x do\n    {body}\n  end\nend\n");
    let py = |body: String| format!("def x():\n    return {body}\n");
    let ts = |body: String| format!("export const x = () => {body};\n");
    let (r, e, d, p) = (
        "User.where(email: 1)",
        "from(u in App.User, where: u.email == 1)",
        "User.objects.filter(email=1)",
        "prisma.user.findMany({ where: { email: 1 } })",
    );
    let (rails, erb) = ("app/models/user.rb", "app/views/users/show.html.erb");
    let (phoenix, heex) = ("lib/app/user.ex", "lib/app_web/templates/user/show.html.heex");
    let (django, template) = ("shop/views.py", "shop/templates/shop/detail.html");
    let prisma = "src/users.ts";
    let queryset = "from django.db import models\n\nclass UserQuerySet(models.QuerySet):\n    def active(self):\n        return self.filter(a=1)\n\nclass User(models.Model):\n    email = models.CharField(max_length=9)\n    objects = UserQuerySet.as_manager()\n\n";
    let cases: Vec<(&str, Framework, &str, String)> = vec![
        ("calls", Framework::Rails, rails, rb(nest("f(", ")", r))),
        ("array", Framework::Rails, rails, rb(nest("[", "]", r))),
        ("hash", Framework::Rails, rails, rb(nest("{a: ", "}", r))),
        ("lambda", Framework::Rails, rails, rb(nest("-> { ", " }", r))),
        ("parentheses", Framework::Rails, rails, rb(nest("(", ")", r))),
        ("interpolation", Framework::Rails, rails, rb(nest("\"#{", "}\"", r))),
        ("if", Framework::Rails, rails, rb(nest("if a\n", "\nend", r))),
        ("elsif", Framework::Rails, rails, rb(format!("if a\n1\n{}else\n{r}\nend", "elsif a\n1\n".repeat(8_000)))),
        ("assignment", Framework::Rails, rails, rb(chain("", "a = ", 20_000) + r)),
        ("erb blocks", Framework::Rails, erb, nest("<% f do %>", "<% end %>", &format!("<%= {r} %>"))),
        ("erb tags", Framework::Rails, erb, nest("<div>", "</div>", &format!("<%= {r} %>"))),
        ("calls", Framework::Phoenix, phoenix, ex(nest("f(", ")", e))),
        ("list", Framework::Phoenix, phoenix, ex(nest("[", "]", e))),
        ("map", Framework::Phoenix, phoenix, ex(nest("%{a: ", "}", e))),
        ("fn", Framework::Phoenix, phoenix, ex(nest("fn -> ", " end", e))),
        ("if", Framework::Phoenix, phoenix, ex(nest("if a do\n", "\nend", e))),
        ("case", Framework::Phoenix, phoenix, ex(nest("case a do\n_ -> ", "\nend", e))),
        ("parentheses", Framework::Phoenix, phoenix, ex(nest("(", ")", e))),
        ("interpolation", Framework::Phoenix, phoenix, ex(nest("\"#{", "}\"", e))),
        ("||", Framework::Phoenix, phoenix, ex(chain("a", " || a", 20_000) + " || " + e)),
        ("heex tags", Framework::Phoenix, heex, nest("<div>", "</div>", &format!("<%= {e} %>"))),
        ("heex if", Framework::Phoenix, heex, nest("<%= if a do %>\n", "<% end %>\n", &format!("<%= {e} %>"))),
        ("calls", Framework::Django, django, py(nest("f(", ")", d))),
        ("list", Framework::Django, django, py(nest("[", "]", d))),
        ("dict", Framework::Django, django, py(nest("{\"a\": ", "}", d))),
        ("lambda", Framework::Django, django, py(nest("lambda: ", "", d))),
        ("parentheses", Framework::Django, django, py(nest("(", ")", d))),
        ("f-string", Framework::Django, django, py(nest("f\"{", "}\"", d))),
        ("Q | Q", Framework::Django, django, py(chain("Q(a=1)", " | Q(a=1)", 10_000) + " | " + d)),
        ("if else", Framework::Django, django, py(chain("", "a if a else ", 8_000) + d)),
        ("attribute chain", Framework::Django, django, py(chain(d, ".a", 20_000))),
        ("call chain", Framework::Django, django, py(chain(d, ".filter(a=1)", 8_000))),
        ("template if", Framework::Django, template, nest("{% if a %}", "{% endif %}", "{{ x.y }}")),
        ("template for", Framework::Django, template, nest("{% for a in b %}", "{% endfor %}", "{{ a.email }}")),
        ("template tags", Framework::Django, template, nest("<div>", "</div>", "{{ x.email }}")),
        ("calls", Framework::Prisma, prisma, ts(nest("f(", ")", p))),
        ("array", Framework::Prisma, prisma, ts(nest("[", "]", p))),
        ("||", Framework::Prisma, prisma, ts(chain("a", " || a", 20_000) + " || " + p)),
        ("arrow", Framework::Prisma, prisma, ts(nest("() => ", "", p))),
        ("parentheses", Framework::Prisma, prisma, ts(nest("(", ")", p))),
        ("template literal", Framework::Prisma, prisma, ts(nest("`${", "}`", p))),
        (
            "else if",
            Framework::Prisma,
            prisma,
            format!("export function x() {{\n{}{{ return {p} }}\n}}\n", "if (a) { 1 } else ".repeat(5_000)),
        ),
        (
            "jsx",
            Framework::Prisma,
            "src/User.tsx",
            format!("export const X = () => {};\n", nest("<div>", "</div>", &format!("{{{p}}}"))),
        ),
        // Slow shapes (issue 17, each >10 s before): every level asked something of all the
        // levels below it, or every hit copied its 80 KB line as its snippet.
        ("+ on one line", Framework::Rails, rails, rb(chain("a", " + a", 20_000) + " + " + r)),
        ("do blocks", Framework::Rails, rails, rb(nest("f do\n", "\nend", r))),
        ("{} blocks", Framework::Rails, rails, rb(nest("f { ", " }", r))),
        ("method chain", Framework::Rails, rails, rb(chain(r, ".where(a: 1)", 8_000))),
        ("pipes", Framework::Phoenix, phoenix, ex(chain(e, " |> f()", 14_000))),
        ("method chain", Framework::Phoenix, phoenix, ex(chain(e, ".a", 20_000))),
        ("method chain", Framework::Prisma, prisma, ts(chain(p, ".then(a)", 12_000))),
        ("object", Framework::Prisma, prisma, ts(nest("{ a: ", " }", p))),
        // A relation filter nested in a client call's `where` (each level read by
        // `Writer::filter` itself, which had no depth bound).
        (
            "relation filter",
            Framework::Prisma,
            prisma,
            ts(format!("prisma.user.findMany({{ where: {} }})", nest("{ a: ", " }", "1"))),
        ),
        (
            "call chain beside a QuerySet",
            Framework::Django,
            "shop/models.py",
            format!("{queryset}{}", py(chain(d, ".filter(a=1)", 8_000))),
        ),
        (
            "chain on self in a QuerySet's method",
            Framework::Django,
            "shop/models.py",
            queryset.replace("self.filter(a=1)", &chain("self", ".filter(email=1)", 8_000)),
        ),
    ];
    // One thread each, all at once: the stack a scan's worker has.
    let runs: Vec<_> = cases
        .into_iter()
        .map(|(shape, framework, path, text)| {
            let run = std::thread::Builder::new().stack_size(2 << 20).spawn(move || {
                let ctx = ExtractContext { framework, identifiers: &[] };
                tandem::scan::extract::all()
                    .iter()
                    .filter(|x| x.applies(path, framework))
                    .map(|x| x.extract(&SourceFile::new(path, &text), &ctx).hits.len())
                    .sum::<usize>()
            });
            (shape, framework, path, run.unwrap())
        })
        .collect();
    for (shape, framework, path, run) in runs {
        let hits = run.join().unwrap_or_else(|_| panic!("{framework:?} extractors panicked on {shape}"));
        // A HEEx template reads assigns, not queries: there it is enough to come back.
        assert!(hits > 0 || path.ends_with(".heex"), "{framework:?}, {shape}: the call at the bottom was not read");
    }
}
