//! The Mongoose extractor on realistic app files: schemas and models (collections by Mongoose's
//! pluralisation), queries, updates, pipelines and document reads; exact (line:column, target,
//! kind) sets.

use tandem::config::{Confidence, Framework};
use tandem::framework::mongoose::MongooseExtractor;
use tandem::scan::facts::FileFacts;

use crate::support::facts::{assert_set, hit_lines, lines_naming, run};

fn models(facts: &FileFacts) -> Vec<String> {
    facts
        .models
        .iter()
        .map(|m| {
            let fields: Vec<String> = m.fields.iter().map(|(a, c)| format!("{a}->{c}")).collect();
            format!("{} {} [{}]", m.class, m.table.as_deref().unwrap_or("-"), fields.join(" "))
        })
        .collect()
}

#[test]
fn schema_fields_nested_paths_timestamps_and_this_in_methods_and_hooks() {
    let facts = run(&MongooseExtractor, Framework::Mongoose, "mongoose/models/user.js");
    assert_set(
        hit_lines(&facts),
        &[
            "8:5 column users.email declaration",
            "9:5 column users.passwordHash declaration",
            "10:5 column users.profile declaration",
            "11:7 column users.profile.displayName declaration",
            "12:7 column users.profile.avatarUrl declaration",
            "14:5 column users.addresses declaration",
            "14:5 column users.addresses.city declaration",
            "14:5 column users.addresses.street declaration",
            "15:5 column users.roles declaration",
            "16:5 column users.logins declaration",
            "16:16 column users.logins.at declaration",
            "16:26 column users.logins.ip declaration",
            "17:5 column users.company declaration",
            "22:18 column users.legacyFlag declaration",
            "24:15 model_column User.profile query",
            "24:15 model_column User.profile.displayName query",
            "24:49 model_column User.email query",
            "28:15 model_column User.roles query",
            "32:25 model_column User.email query",
            "36:24 model_column User.passwordHash query",
            "36:45 model_column User.passwordChangedAt query",
            "41:16 model_column User.deletedAt query",
            "44:34 column users._id declaration",
            "44:34 column users.createdAt declaration",
            "44:34 column users.updatedAt declaration",
            "44:34 table users declaration",
        ],
    );
    // `versionKey: false`: no `__v`; the virtual is no column; `id` is `_id`.
    assert_eq!(models(&facts), ["User users [fullName-> id->_id]"]);
    assert!(lines_naming(&facts, "fullName").is_empty());
}

#[test]
fn collection_option_pluralisation_and_third_argument() {
    let facts = run(&MongooseExtractor, Framework::Mongoose, "mongoose/models/category.js");
    assert_set(
        hit_lines(&facts),
        &[
            "3:38 column taxonomy.name declaration",
            "3:52 column taxonomy.slug declaration",
            "4:41 column taxonomy.__v declaration",
            "4:41 column taxonomy._id declaration",
            "4:41 table taxonomy declaration",
            "6:39 column people.__v declaration",
            "6:39 column people._id declaration",
            "6:39 table people declaration",
            "6:70 column people.name declaration",
            "8:43 column audit_log.__v declaration",
            "8:43 column audit_log._id declaration",
            "8:43 table audit_log declaration",
            "8:78 column audit_log.action declaration",
        ],
    );
    assert_eq!(
        models(&facts),
        ["Category taxonomy [id->_id]", "Person people [id->_id]", "AuditEntry audit_log [id->_id]"]
    );
}

#[test]
fn queries_updates_pipelines_and_documents_on_an_imported_model() {
    let facts = run(&MongooseExtractor, Framework::Mongoose, "mongoose/routes/users.js");
    assert_set(
        hit_lines(&facts),
        &[
            "7:36 model_column User.profile query",
            "7:36 model_column User.profile.displayName query",
            "7:64 model_column User.roles query",
            "8:14 model_column User.email query",
            "8:20 model_column User.profile query",
            "8:20 model_column User.profile.displayName query",
            "8:41 model_column User.passwordHash query",
            "9:13 model_column User.createdAt query",
            // `const query = {}; query.tags = …; User.findOne(query)`, `.then((user) => …)`,
            // `(err, found) => …`.
            "57:28 model_column User.tags query",
            "59:26 model_column User.bio query",
            "62:20 model_column User.image query",
            // `const [owner, others] = await Promise.all([User.findById(id), User.find(…)])`.
            "67:77 model_column User.active query",
            "68:17 model_column User.email query",
            "68:44 model_column User.roles query",
            "10:16 model_column User.company query",
            "12:41 model_column User.email query",
            "12:56 model_column User.profile query",
            "12:56 model_column User.profile.displayName query",
            "16:53 model_column User.email query",
            "16:63 model_column User.roles query",
            "18:13 model_column User.lastSeenAt query",
            "20:26 model_column User.email query",
            "20:49 model_column User.addresses query",
            "20:49 model_column User.addresses.city query",
            "20:78 model_column User._id query",
            "24:27 model_column User.email query",
            "24:50 model_column User.profile query",
            "24:61 model_column User.profile query",
            "24:61 model_column User.profile.displayName query",
            "26:23 model_column User.email query",
            "26:47 model_column User.roles query",
            "31:26 model_column User._id query",
            "31:58 model_column User.active query",
            "31:85 model_column User.legacyFlag query",
            "31:111 model_column User.stats query",
            "31:111 model_column User.stats.deactivations query",
            "32:35 model_column User.active query",
            "32:54 model_column User.logins query",
            "32:78 model_column User.logins query",
            "32:78 model_column User.logins.ip query",
            "32:116 model_column User.nick query",
            "32:123 model_column User.nickname query",
            "33:45 model_column User.active query",
            "35:17 model_column User.active query",
            "36:24 model_column User.company query",
            "39:15 model_column User.email query",
        ],
    );
    // A field named in a query on the model is high; one read on a returned document medium.
    let at =
        |line: u32, column: u32| facts.hits.iter().find(|h| h.line == line && h.column == column).map(|h| h.confidence);
    assert_eq!(at(7, 64), Some(Confidence::High));
    assert_eq!(at(20, 26), Some(Confidence::Medium));
    // A Map's `get` and an array's `find` are no model's.
    assert!(lines_naming(&facts, "secretToken").is_empty());
    assert!(lines_naming(&facts, "internalCode").is_empty());
}
