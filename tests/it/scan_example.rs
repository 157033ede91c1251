//! The bundled example: for every column a migration in `migrations/` touches, both apps answer
//! with the exact places that depend on it.

use std::path::Path;

use tandem::config::Confidence;
use tandem::config::{self, SchemaSetting};
use tandem::graph::DepGraph;
use tandem::scan::resolve::SchemaIndex;
use tandem::scan::{ObjectRef, scan_ref};
use tandem::schema::{self, SchemaSource};

#[test]
fn example_apps_answer_for_every_migrated_column() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = config::load(&root.join("apps.toml")).expect("the example registry loads");
    let Some(SchemaSetting::File(path)) = &config.registry.schema else { panic!("the example has a schema file") };
    let schema = schema::load(&SchemaSource::File(path.clone()), Some(config.registry.dialect)).expect("schema");
    let index = SchemaIndex::new(&schema);
    let scans: Vec<_> = config
        .apps
        .iter()
        .map(|app| scan_ref(&config, app, "head", "HEAD", Some(&index), None, false).expect("scans"))
        .collect();
    let graph = DepGraph::build(Some(&schema), &scans);
    let refs = |target: &str| -> Vec<String> {
        let target = ObjectRef::parse(target).expect("target");
        graph
            .references_to(&target, Confidence::Low)
            .iter()
            .map(|r| format!("{} {}:{} {} {}", r.app, r.path, r.line, r.kind, r.confidence))
            .collect()
    };
    // Added by a migration: nothing uses it yet.
    assert_eq!(refs("users.timezone"), Vec::<String>::new());
    // Dropped: the Rails app ignores it already; the Phoenix app still maps and reads it.
    assert_eq!(
        refs("users.legacy_flag"),
        vec![
            "portal examples/portal/lib/portal/accounts/user.ex:10 declaration high",
            // `%__MODULE__{legacy_flag: flag}` in the schema's own module.
            "portal examples/portal/lib/portal/accounts/user.ex:27 query high",
        ]
    );
    // Renamed: both apps still depend on it.
    assert_eq!(
        refs("orders.notes"),
        vec![
            "platform examples/platform/app/models/billing/purchase.rb:3 implicit high",
            "portal examples/portal/lib/portal/sales/order.ex:9 declaration high",
            "portal examples/portal/lib/portal/support.ex:18 query medium",
        ]
    );
    // Indexed.
    assert_eq!(
        refs("orders.placed_at"),
        vec![
            "platform examples/platform/app/controllers/users_controller.rb:10 query medium",
            "platform examples/platform/app/controllers/users_controller.rb:10 query medium",
            "platform examples/platform/app/models/billing/purchase.rb:3 implicit high",
            "platform examples/platform/app/models/billing/purchase.rb:9 sql medium",
            "platform examples/platform/app/queries/revenue_report.rb:11 sql medium",
            "platform examples/platform/app/views/users/show.json.jbuilder:4 query medium",
            "portal examples/portal/lib/portal/sales/order.ex:10 declaration high",
        ]
    );
}
