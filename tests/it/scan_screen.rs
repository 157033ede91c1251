//! Screening (`tandem::scan::screen`): the Rails extractor parses a file only when its facts can
//! matter to the app. These tests hold the screen to its contract — it may parse too much,
//! never too little — file by file over every Ruby source the project has (and any corpus named
//! by `TANDEM_SCREEN_CORPUS`), and end to end: a scan with screening and the cache, cold and
//! warm, gives exactly the references of extracting every file.

use crate::support;

use std::path::{Path, PathBuf};

use support::git::TestRepo;
use support::scan::{app, config, schema};
use tandem::config::{App, Framework};
use tandem::scan::extract::{self, ExtractContext, SourceFile};
use tandem::scan::facts::{FileFacts, Root, Target};
use tandem::scan::resolve::{self, SchemaIndex};
use tandem::scan::screen::{Screen, model_key};
use tandem::scan::tree::{self, Content};
use tandem::scan::{Reference, scan_ref};
use tandem::store::Store;

const RUBY: &[&str] = &[".rb", ".erb", ".jbuilder", ".rake", ".builder", ".haml", ".slim"];

fn ruby_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            ruby_files(&path, out);
        } else if RUBY.iter().any(|ext| path.to_string_lossy().ends_with(ext)) {
            out.push(path);
        }
    }
}

/// Checks the contract on one file; returns (deferred, deferred with hits).
fn check_contract(path: &str, text: &str) -> (bool, bool) {
    let facts = extract::rails::extract(path, text);
    let Screen::IfModel(keys) = extract::rails::screen_source(path, text) else { return (false, false) };
    assert!(facts.models.is_empty(), "{path}: deferred, but declares models {:?}", facts.models);
    for hit in &facts.hits {
        match &hit.target {
            Target::Model { model }
            | Target::ModelColumn { model, .. }
            | Target::Chain { root: Root::Model { model }, .. } => assert!(
                keys.binary_search(&model_key(model)).is_ok(),
                "{path}:{}: deferred, but a hit on `{model}` is not among the models its words name",
                hit.line
            ),
            other => panic!("{path}:{}: deferred, but has a hit that needs no model: {other:?}", hit.line),
        }
    }
    (true, !facts.hits.is_empty())
}

#[test]
fn the_screen_never_defers_a_file_whose_facts_need_no_named_model() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests/fixtures", "examples"] {
        ruby_files(&root.join(dir), &mut files);
    }
    if let Some(corpus) = std::env::var_os("TANDEM_SCREEN_CORPUS") {
        ruby_files(Path::new(&corpus), &mut files);
    }
    let (mut deferred, mut with_hits) = (0, 0);
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        let path = file.to_string_lossy();
        let (d, h) = check_contract(&path, &text);
        deferred += usize::from(d);
        with_hits += usize::from(h);
    }
    eprintln!("{} Ruby files: {deferred} deferred by the screen, {with_hits} of them with hits", files.len());
    // The corpus must exercise both sides of the contract.
    assert!(files.len() > 20, "only {} Ruby files found", files.len());
    assert!(deferred > 0 && with_hits > 0, "{deferred} deferred, {with_hits} of them with hits");
}

#[test]
fn the_screen_on_the_traps_it_must_not_defer() {
    let extracted = |path: &str, text: &str| extract::rails::screen_source(path, text) == Screen::Extract;
    assert!(extracted("lib/a.rb", "class Account < ApplicationRecord\nend\n"));
    assert!(extracted("lib/a.rb", "class Account <\n  ActiveRecord::Base\nend\n"));
    assert!(extracted("app/models/admin.rb", "class Admin < User\nend\n"));
    assert!(extracted("app/serializers/user_serializer.rb", "class UserSerializer < Blueprinter::Base\nend\n"));
    assert!(extracted("lib/q.rb", "x.where(posts: { title: 1 })\n"));
    assert!(extracted("lib/q.rb", "x\n  # why\n  .order('posts.created_at')\n"));
    assert!(extracted("lib/q.rb", "x&.pluck(:\"posts.title\")\n"));
    assert!(extracted("lib/q.rb", "x.exists?(id: 1)\n"));
    // Not a model declaration, not a query call: deferred until a model is named.
    assert!(!extracted("lib/a.rb", "class << self\n  def x; end\nend\n"));
    assert!(!extracted("lib/a.rb", "class Worker\n  def run(user)\n    user.email\n  end\nend\n"));
    // Controllers bind what their views read, and views read it: never deferred.
    assert!(extracted("app/controllers/a.rb", "class UsersController < ApplicationController\nend\n"));
    assert!(extracted("app/views/items/show.html.erb", "<%= @item.title %>\n"));
    assert!(extracted("engines/shop/app/views/items/_item.html.erb", "<%= item.title %>\n"));
    // A concern declares for the models that include it.
    assert!(extracted("app/models/concerns/a.rb", "module A\n  extend ActiveSupport::Concern\nend\n"));
    assert!(!extracted("lib/a.rb", "x.where_clause_builder\nx.ordered\n"));
}

/// What a scan without screening finds: every file through every extractor that applies.
fn unscreened(app: &App, rev: &str, index: &SchemaIndex) -> Vec<Reference> {
    let repo = git2::Repository::open(&app.repo).expect("open");
    let commit = tandem::git::resolve(&repo, &app.name, rev).expect("resolve");
    let listing = tree::list(&repo, app, rev, commit).expect("list");
    let identifiers = index.identifiers();
    let ctx = ExtractContext { framework: app.framework, identifiers: &identifiers };
    let extractors = extract::all();
    let mut facts: Vec<(String, FileFacts)> = Vec::new();
    for f in &listing.files {
        let Content::Text(text) = tree::read(&repo, f.blob, 1 << 20) else { panic!("{} is text", f.path) };
        let mut merged = FileFacts::default();
        for e in extractors.iter().filter(|e| e.applies(&f.app_path, app.framework)) {
            let one = e.extract(&SourceFile::new(&f.app_path, &text), &ctx);
            merged.hits.extend(one.hits);
            merged.models.extend(one.models);
            merged.bindings.extend(one.bindings);
        }
        facts.push((f.path.clone(), merged));
    }
    facts.sort_by(|a, b| a.0.cmp(&b.0));
    let commit = commit.to_string();
    let ctx = resolve::Context { app, git_ref: rev, commit: &commit, schema: Some(index) };
    resolve::resolve(&ctx, &facts)
}

fn lines(refs: &[Reference]) -> Vec<String> {
    refs.iter().map(|r| format!("{}:{} {} {} {:?}", r.path, r.line, r.object, r.kind, r.confidence)).collect()
}

#[test]
fn screened_scans_cold_and_warm_equal_extracting_every_file() {
    let mut repo = TestRepo::init();
    repo.commit_files(
        &[
            ("app/models/user.rb", "class User < ApplicationRecord\n  has_many :widgets\nend\n"),
            ("app/services/report.rb", "class Report\n  def run(user)\n    user.email + widget.label\n  end\nend\n"),
            ("app/services/plain.rb", "module Plain\n  def self.x(a)\n    a.to_s\n  end\nend\n"),
            ("lib/tasks/q.rb", "def q(x)\n  x.where(widgets: { label: 1 })\nend\n"),
            ("app/views/users/show.html.erb", "<p><%= @user.name %></p>\n<p><%= current_user.email %></p>\n"),
            // A model outside `app/models/`: the scan learns of it only after reading every
            // file, so the file naming it is decided in the last step, not when first read.
            ("lib/legacy/account.rb", "class Account < ActiveRecord::Base\nend\n"),
            (
                "app/services/audit.rb",
                "class Audit\n  def run(account, user)\n    [account.plan, user.name]\n  end\nend\n",
            ),
        ],
        "one",
    );
    repo.tag("one");
    let dir = tempfile::tempdir().expect("tempdir");
    let app = app("shop", repo.path(), Framework::Rails);
    let cfg = config(dir.path(), vec![app.clone()]);
    let index = SchemaIndex::new(&schema(&[
        ("users", &["id", "email", "name"]),
        ("widgets", &["id", "label", "user_id"]),
        ("accounts", &["id", "plan"]),
    ]));
    let store = Store::open(&cfg.registry.store, &cfg.root).expect("store");

    let expected = unscreened(&app, "one", &index);
    assert!(lines(&expected).iter().any(|l| l.starts_with("app/services/report.rb:3 users.email")));
    assert!(lines(&expected).iter().any(|l| l.starts_with("app/services/audit.rb:3 accounts.plan")));
    assert!(lines(&expected).iter().any(|l| l.starts_with("app/services/audit.rb:3 users.name")));
    let uncached = scan_ref(&cfg, &app, "head", "one", Some(&index), None, false).expect("scan");
    assert_eq!(lines(&uncached.references), lines(&expected));
    let cold = scan_ref(&cfg, &app, "head", "one", Some(&index), Some(&store), false).expect("cold");
    assert_eq!(lines(&cold.references), lines(&expected));
    let warm = scan_ref(&cfg, &app, "head", "one", Some(&index), Some(&store), false).expect("warm");
    assert_eq!(lines(&warm.references), lines(&expected));
    assert_eq!((warm.summary.files_read, warm.summary.blobs_from_cache), (0, 7), "a warm scan reads nothing");

    // A model appears: files deferred and skipped under the old models must be read again, and
    // `widget.label` in the unchanged report.rb now resolves.
    repo.commit_files(&[("app/models/widget.rb", "class Widget < ApplicationRecord\nend\n")], "two");
    repo.tag("two");
    let expected = unscreened(&app, "two", &index);
    assert!(lines(&expected).iter().any(|l| l.starts_with("app/services/report.rb:3 widgets.label")));
    let after = scan_ref(&cfg, &app, "head", "two", Some(&index), Some(&store), false).expect("after");
    assert_eq!(lines(&after.references), lines(&expected));
    let again = scan_ref(&cfg, &app, "head", "two", Some(&index), Some(&store), false).expect("again");
    assert_eq!(lines(&again.references), lines(&expected));
    assert_eq!(again.summary.files_read, 0);
    // And back: the verdicts of the first model set still hold.
    let back = scan_ref(&cfg, &app, "head", "one", Some(&index), Some(&store), false).expect("back");
    assert_eq!(lines(&back.references), lines(&unscreened(&app, "one", &index)));
}
