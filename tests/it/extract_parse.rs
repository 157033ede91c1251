//! The Parse extractor on realistic Cloud Code: classes (`Parse.Object.extend`, registered
//! subclasses, the built-in `_User`), objects' `get`/`set`, query constraints and the objects of
//! Cloud Code triggers.

use std::collections::BTreeSet;

use tandem::config::{Confidence, Framework};
use tandem::framework::parse::ParseExtractor;
use tandem::scan::facts::Target;

use crate::support::facts::{assert_set, hit_lines, lines_naming, run};

#[test]
fn classes_objects_queries_and_triggers() {
    let facts = run(&ParseExtractor, Framework::Parse, "parse/cloud/main.js");
    // Each field is also named as Parse Server stores it (an attribute the schema may have).
    let (stored, named): (BTreeSet<String>, BTreeSet<String>) = hit_lines(&facts)
        .into_iter()
        .partition(|l| l.contains(" attribute _p_") || l.contains(" attribute _created_at"));
    assert!(stored.contains("39:19 attribute _p_author query"), "{stored:#?}");
    assert!(stored.contains("41:27 attribute _created_at query"), "{stored:#?}");
    assert_set(
        named,
        &[
            "1:35 table Post query",
            "2:51 table Comment query",
            "6:12 table GameScore query",
            "10:22 model_column Game.score query",
            "13:32 table GameScore query",
            "15:25 table Post query",
            "17:18 column Post.title query",
            "18:13 column Post.slug query",
            "18:30 column Post.title query",
            "19:49 column Post.published query",
            "19:75 column Post.published query",
            "20:21 column Post.revision query",
            "22:13 column Post.editor query",
            "26:15 column _User.email query",
            "27:13 column _User.username query",
            "30:25 table Comment query",
            "31:22 column Comment.hidden query",
            "36:18 column Post.published query",
            "37:22 column Post.likes query",
            "38:22 column Post.tags query",
            "39:19 column Post.author query",
            "39:29 column Post.category query",
            "39:29 column Post.category.parent query",
            "40:17 column Post.title query",
            "40:26 column Post.likes query",
            "41:21 column Post.likes query",
            "41:27 column Post.createdAt query",
            "43:44 column Post.title query",
            "43:68 column Post.author query",
            "47:33 column Comment.body query",
            "47:52 column Comment.post query",
            "48:16 column Comment.author query",
            "51:17 column _User.emailVerified query",
            "53:21 column _User.commentedOn query",
            "55:13 model_column Game.player query",
            "55:32 column _User.username query",
            "56:35 table GameScore query",
            "57:24 column GameScore.cheatedAt query",
            "58:34 table Review query",
            "59:58 table GameScore query",
            "60:21 column GameScore.score query",
            "67:50 attribute apiKey query",
        ],
    );
    let models: Vec<String> =
        facts.models.iter().map(|m| format!("{} {}", m.class, m.table.as_deref().unwrap_or("-"))).collect();
    // `Game` is registered and names its class in `super(…)`: declared once.
    assert_eq!(models, ["Post Post", "Comment Comment", "Game GameScore"]);
    // A Map's `get` names nothing; an untyped parameter's `get` is an attribute of no known
    // class, which the resolver takes as medium only when one collection has the field.
    assert!(lines_naming(&facts, "secretToken").is_empty());
    let untyped = facts.hits.iter().find(|h| h.line == 67 && h.column == 50).expect("config.get");
    assert_eq!(untyped.target, Target::Attribute { name: "apiKey".into() });
    // `request.object` in a trigger on a named class is typed: high.
    let typed = facts.hits.iter().find(|h| h.line == 17 && h.column == 18).expect("post.get('title')");
    assert_eq!(typed.confidence, Confidence::High);
}
