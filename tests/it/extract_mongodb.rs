//! The bare MongoDB driver extractor on a realistic repository class: collections held in
//! class fields and variables, filters, projections, sorts, updates, pipelines (with another
//! collection's `foreignField`), bulk writes, indexes and the documents returned.

use tandem::config::Framework;
use tandem::framework::mongodb::DriverExtractor;

use crate::support::facts::{assert_set, hit_lines, lines_naming, run};

#[test]
fn collections_documents_and_typed_results() {
    let facts = run(&DriverExtractor, Framework::Mongodb, "mongodb/orders.ts");
    assert_set(
        hit_lines(&facts),
        &[
            "7:39 table audit query",
            "10:41 table orders query",
            "15:15 column orders.customerId query",
            "15:27 column orders.status query",
            "15:58 column orders.shipping query",
            "15:58 column orders.shipping.country query",
            "15:101 column orders.total query",
            "15:111 column orders.items query",
            "16:15 column orders.placedAt query",
            "19:30 column orders.total query",
            "23:47 column orders._id query",
            "25:13 column orders.total query",
            "25:20 column orders.currency query",
            "26:43 column orders.notes query",
            "26:62 column orders.shipping query",
            "26:62 column orders.shipping.city query",
            "30:35 column orders._id query",
            "30:56 column orders.paidAt query",
            "30:76 column orders.status query",
            "30:103 column orders.events query",
            "31:34 column audit.orderId query",
            "31:47 column audit.action query",
            "36:19 column orders.status query",
            "37:52 column orders.customerId query",
            "37:80 column customers.externalId query",
            "39:63 column orders.total query",
            "46:47 table users query",
            "47:29 column users.email query",
            "48:28 column users.lastLoginAt query",
            "49:40 column users.email query",
            "49:50 column users.verified query",
            "51:30 column users.email query",
            "51:66 column users.verified query",
            "52:30 column users.banned query",
            "54:56 column users.locale query",
            "55:19 column users.locale query",
        ],
    );
    // `$lookup`'s `as` field is the pipeline's, not the collection's; an array's `find` and a
    // plain object's are no collection's.
    assert!(lines_naming(&facts, ".customer").is_empty());
    assert!(lines_naming(&facts, "secret").is_empty());
    assert!(lines_naming(&facts, "notAField").is_empty());
}
