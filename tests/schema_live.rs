//! Live introspection against real servers.

mod support;

use tandem::schema::live::introspect;

#[test]
fn debug_dump_example() {
    let db = support::pg::TempDb::new();
    db.psql(&std::fs::read_to_string("schema/structure.sql").unwrap());
    let s = introspect(&db.url()).unwrap();
    println!("{}", serde_json::to_string_pretty(&s).unwrap());
}
