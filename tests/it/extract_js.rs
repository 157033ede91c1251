//! Prisma, Drizzle, TypeORM and Sequelize extractors on realistic app files: exact
//! (line:column, target, kind) sets.

use std::collections::BTreeSet;

use tandem::config::Framework;
use tandem::framework::prisma;
use tandem::scan::extract::{ExtractContext, Extractor, SourceFile, drizzle, sequelize, typeorm};
use tandem::scan::facts::FileFacts;

use crate::support::facts::{assert_set, fixture, hit_lines, run};

fn models(facts: &FileFacts) -> Vec<String> {
    facts
        .models
        .iter()
        .map(|m| {
            let fields: Vec<String> =
                m.fields.iter().filter(|(a, c)| a != c).map(|(a, c)| format!("{a}->{c}")).collect();
            format!(
                "{}:{} {} parent={} table={} [{}]",
                m.line,
                m.column,
                m.class,
                m.parent.as_deref().unwrap_or("-"),
                m.table.as_deref().unwrap_or("-"),
                fields.join(" ")
            )
        })
        .collect()
}

#[test]
fn prisma_schema_models_fields_and_maps() {
    let facts = run(&prisma::PrismaExtractor, Framework::Prisma, "prisma/prisma/schema.prisma");
    assert_set(
        hit_lines(&facts),
        &[
            // Line 1's comment mentions a model; generator/datasource/enum blocks map nothing.
            "17:7 table users declaration",
            "18:3 column users.id declaration",
            "19:3 column users.email declaration",
            "20:3 column users.display_name declaration",
            "21:3 column users.role declaration",
            "22:3 column users.website declaration",
            "23:3 column users.created_at declaration",
            // posts/profile (24, 25) are relation fields; legacyCode (27) is @ignore'd.
            "26:3 column users.searchVec declaration",
            "32:7 table posts declaration",
            "33:3 column posts.id declaration",
            "34:3 column posts.title declaration",
            "35:63 model_column user.id declaration",
            "36:3 column posts.author_id declaration",
            // `@@index([authorId])` names the mapped column.
            "39:12 column posts.author_id declaration",
            // `Status` is an enum from another schema file (bare default value).
            "37:3 column posts.status declaration",
            "43:7 table Profile declaration",
            "44:3 column Profile.id declaration",
            "45:3 column Profile.userId declaration",
            "46:56 model_column user.id declaration",
            // AuditLog is @@ignore'd.
        ],
    );
    assert_eq!(
        models(&facts),
        [
            "17:7 user parent=- table=users [displayName->display_name createdAt->created_at posts-> profile->]",
            "32:7 post parent=- table=posts [author-> authorId->author_id]",
            "43:7 profile parent=- table=Profile [user->]",
        ]
    );
}

#[test]
fn prisma_client_calls_and_raw_sql() {
    let path = "prisma/src/users.ts";
    let facts = run(&prisma::PrismaExtractor, Framework::Prisma, path);
    assert_set(
        hit_lines(&facts),
        &[
            "6:23 model user query",
            // `posts: { some: … }` filters through a relation; `posts: { select }` selects one;
            // `author: { email: "asc" }` orders by a relation's field.
            // Every key is handed to resolution on the model reached so far: a relation key or an
            // operator (`contains`) names no column there.
            "7:14 model_column user.email query",
            "7:28 model_column user.displayName query",
            "7:43 chain user.displayName.contains query",
            "7:64 model_column user.role query",
            "7:82 model_column user.posts query",
            "7:99 chain user.posts.title query",
            "8:15 model_column user.id query",
            "8:25 model_column user.email query",
            "8:38 model_column user.posts query",
            "8:57 chain user.posts.title query",
            "9:17 model_column user.createdAt query",
            "9:40 model_column user.author query",
            "9:50 chain user.author.email query",
            "11:9 model post query",
            "12:13 model_column post.title query",
            "12:29 model_column post.authorId query",
            // A relation cannot be told from a column in this file; resolution knows `author`
            // is Post's relation (its foreign key is written).
            "12:42 model_column post.author query",
            "14:9 model post query",
            "14:39 model_column post.id query",
            // A nested write through a relation: its foreign key, and the related model's key.
            "14:56 model_column post.author query",
            "14:77 chain post.author.id query",
            "14:88 model_column post.status query",
            "15:25 model post query",
            "15:53 model_column post.authorId query",
            "15:75 model_column post.id query",
            "16:46 column users.id sql",
            "16:50 column users.email sql",
            "16:61 table users sql",
            "16:73 column users.display_name sql",
            // Line 18's object is not a Prisma call argument; line 19 has no Prisma argument keys.
        ],
    );
    let sql: Vec<String> = prisma::sql_strings(path, &fixture(path)).into_iter().map(|s| s.sql).collect();
    assert_eq!(sql, ["SELECT id, email FROM users WHERE display_name = $1"]);
}

#[test]
fn drizzle_tables_map_keys_to_columns() {
    let facts = run(&drizzle::Drizzle, Framework::Drizzle, "drizzle/src/db/schema.ts");
    assert_set(
        hit_lines(&facts),
        &[
            // The commented-out table on line 4 is not declared; the index callback (14) and
            // `relations` (29) map no columns.
            "7:4 table users declaration",
            "9:5 column users.id declaration",
            "10:5 column users.email_address declaration",
            "11:5 column users.full_name declaration",
            "12:5 column users.createdAt declaration",
            "17:31 table posts declaration",
            "18:3 column posts.id declaration",
            "19:3 column posts.title declaration",
            "20:3 column posts.author_id declaration",
            "20:51 model_column users.id declaration",
            // pgSchema(...).table with the callback form of the columns.
            "24:40 table invoices declaration",
            "25:3 column invoices.id declaration",
            "26:3 column invoices.amount_cents declaration",
            // A pgTableCreator prefix (create-t3-app).
            "33:38 table acme_session declaration",
            "34:3 column acme_session.token declaration",
            "35:3 column acme_session.user_id declaration",
        ],
    );
    assert_eq!(
        models(&facts),
        [
            "6:14 users parent=- table=users [email->email_address fullName->full_name]",
            "17:14 posts parent=- table=posts [authorId->author_id]",
            "24:14 invoices parent=- table=invoices [amountCents->amount_cents]",
            "33:14 sessions parent=- table=acme_session [userId->user_id]",
        ]
    );
}

#[test]
fn drizzle_queries_use_table_objects() {
    let path = "drizzle/src/users.ts";
    let facts = run(&drizzle::Drizzle, Framework::Drizzle, path);
    assert_set(
        hit_lines(&facts),
        &[
            // Keys of the select object (`id`, `e`) are aliases; the values are columns.
            "8:19 model_column users.id query",
            "8:32 model_column users.email query",
            "10:19 model_column users.email query",
            "10:43 model_column posts.authorId query",
            "10:59 model_column users.id query",
            "11:35 model_column users.email query",
            "11:42 model_column users.fullName query",
            "12:32 model_column posts.title query",
            "12:57 model_column posts.id query",
            "13:61 model_column users.fullName query",
            // `settings.email` (line 16) is an unrelated object; `schema.invoices` goes through
            // the namespace import.
            "16:31 model_column invoices.amountCents query",
            "14:59 table users sql",
            "14:71 column users.created_at sql",
        ],
    );
    let sql: Vec<String> = drizzle::sql_strings(path, &fixture(path)).into_iter().map(|s| s.sql).collect();
    assert_eq!(sql, ["SELECT count(*) FROM users WHERE created_at > $1"]);
}

#[test]
fn sequelize_models_from_init_define_and_decorators() {
    let facts = run(&sequelize::Sequelize, Framework::Sequelize, "sequelize/models/user.js");
    assert_set(
        hit_lines(&facts),
        &[
            "7:49 model_column Order.user_id declaration",
            // underscored: pluralized snake table, snake columns and timestamps; paranoid adds
            // deleted_at; no primary key attribute → id. The VIRTUAL attribute (14) is not a column.
            "10:3 table users declaration",
            "10:3 column users.id declaration",
            "10:3 column users.created_at declaration",
            "10:3 column users.updated_at declaration",
            "10:3 column users.deleted_at declaration",
            "12:7 column users.email_address declaration",
            "13:7 column users.first_name declaration",
        ],
    );
    assert_eq!(
        models(&facts),
        [
            "10:3 User parent=- table=users [email->email_address firstName->first_name fullName-> createdAt->created_at updatedAt->updated_at deletedAt->deleted_at]"
        ]
    );

    let facts = run(&sequelize::Sequelize, Framework::Sequelize, "sequelize/models/order.js");
    assert_set(
        hit_lines(&facts),
        &[
            // tableName; createdAt renamed, updatedAt disabled; the primary key is declared.
            "3:6 table orders declaration",
            "3:6 column orders.placed_at declaration",
            "5:7 column orders.orderId declaration",
            "6:7 column orders.total declaration",
            "7:7 column orders.status declaration",
            // Default table: the pluralized model name, case kept.
            "11:38 table Categories declaration",
            "11:38 column Categories.id declaration",
            "11:51 column Categories.name declaration",
        ],
    );

    let facts = run(&sequelize::Sequelize, Framework::Sequelize, "sequelize/models/invoice.ts");
    // The VIRTUAL column (13) and the plain property (15) are not columns.
    assert_set(
        hit_lines(&facts),
        &[
            "4:14 table invoices declaration",
            "7:3 column invoices.id declaration",
            "10:3 column invoices.amount_cents declaration",
        ],
    );
    assert_eq!(models(&facts), ["4:14 Invoice parent=- table=invoices [amountCents->amount_cents label->]"]);
}

#[test]
fn sequelize_queries_and_raw_sql() {
    let path = "sequelize/routes/orders.js";
    let facts = run(&sequelize::Sequelize, Framework::Sequelize, path);
    assert_set(
        hit_lines(&facts),
        &[
            // Line 5's `status` is a local; `[Op.or]` recurses; `"amount"` is an alias and
            // `"DESC"` a direction; line 14's `order` key belongs to a response object.
            "7:14 model_column Order.status query",
            "7:34 model_column Order.total query",
            "7:62 model_column Order.placed_at query",
            "8:19 model_column Order.orderId query",
            "8:31 model_column Order.total query",
            "9:15 model_column Order.placed_at query",
            "11:26 model_column User.firstName query",
            "11:57 model_column User.email query",
            "12:56 model_column User.email query",
            "12:86 model_column User.firstName query",
            "13:49 column users.id sql",
            "13:57 table users sql",
            "13:69 column users.deleted_at sql",
            // `include` applies its where/attributes to the included model.
            "18:66 model_column User.email query",
            "18:98 model_column User.firstName query",
        ],
    );
    let sql: Vec<String> = sequelize::sql_strings(path, &fixture(path)).into_iter().map(|s| s.sql).collect();
    assert_eq!(sql, ["SELECT id FROM users WHERE deleted_at IS NULL"]);
}

#[test]
fn typeorm_entities_follow_the_default_naming_strategy() {
    let facts = run(&typeorm::Typeorm, Framework::Typeorm, "typeorm/src/entities/user.entity.ts");
    assert_set(
        hit_lines(&facts),
        &[
            // The abstract base's column belongs to the entity's table.
            "18:3 column users.created_at declaration",
            "22:14 table users declaration",
            "24:3 column users.id declaration",
            "27:3 column users.email_address declaration",
            "30:3 column users.displayName declaration",
            // Line 32 is a comment; @ManyToOne without @JoinColumn: `<property>Id`.
            "35:3 column users.organizationId declaration",
            "39:3 column users.profile_ref declaration",
            // @OneToMany (42), @RelationId (49), the embedded column (52) and the method are
            // not columns of this table.
            "45:23 table user_roles declaration",
            "45:57 column user_roles.user_id declaration",
            "45:97 column user_roles.role_id declaration",
            // @Entity() with no name: the class name in snake_case.
            "60:14 table user_profile declaration",
            "62:3 column user_profile.id declaration",
            "65:3 column user_profile.bio declaration",
        ],
    );
    assert_eq!(
        models(&facts),
        [
            "16:23 Audited parent=- table=- [createdAt->created_at]",
            "22:14 User parent=Audited table=users [createdAt->created_at email->email_address organization->organizationId profile->profile_ref posts-> roles-> organizationId->]",
            "60:14 UserProfile parent=- table=user_profile []",
        ]
    );
}

#[test]
fn typeorm_repositories_and_query_builders() {
    let path = "typeorm/src/users/users.service.ts";
    let facts = run(&typeorm::Typeorm, Framework::Typeorm, path);
    assert_set(
        hit_lines(&facts),
        &[
            // `organization: { name }` is a condition on a relation.
            "14:54 model_column User.email query",
            "14:104 model_column User.createdAt query",
            "15:44 model_column User.id query",
            "16:31 model_column User.id query",
            "16:44 model_column User.displayName query",
            // The query builder's alias `u`; `:email` is a parameter.
            "19:17 model_column User.email query",
            "20:20 model_column User.displayName query",
            "21:57 model_column UserProfile.bio query",
            "23:28 model_column UserProfile.id query",
            "23:38 model_column UserProfile.bio query",
            "24:53 column users.id sql",
            "24:61 table users sql",
            "24:73 column users.email_address sql",
            // Line 25's object is not an argument of a repository call.
        ],
    );
    let sql: Vec<String> = typeorm::sql_strings(path, &fixture(path)).into_iter().map(|s| s.sql).collect();
    assert_eq!(sql, ["SELECT id FROM users WHERE email_address = $1"]);
    let snippet = facts.hits.iter().find(|h| h.line == 19).map(|h| h.snippet.as_str());
    assert_eq!(snippet, Some(r#".where("u.email = :email", { email })"#));
}

#[test]
fn extractors_only_read_their_framework() {
    assert!(prisma::PrismaExtractor.applies("prisma/schema.prisma", Framework::Prisma));
    assert!(!prisma::PrismaExtractor.applies("prisma/schema.prisma", Framework::Drizzle));
    assert!(!drizzle::Drizzle.applies("src/types.d.ts", Framework::Drizzle));
    assert!(typeorm::Typeorm.applies("src/a.mts", Framework::Typeorm));
    assert!(!sequelize::Sequelize.applies("src/a.py", Framework::Sequelize));
}

#[test]
fn broken_sources_do_not_panic() {
    let ctx = ExtractContext { framework: Framework::Typeorm, identifiers: &[] };
    for text in [
        "@Entity(\n class {",
        "prisma.user.findMany({ where: { email",
        "`${",
        "model X {\n  a String @map(\"",
        "\u{feff}é",
    ] {
        for (e, fw, path) in [
            (&typeorm::Typeorm as &dyn Extractor, Framework::Typeorm, "a.ts"),
            (&prisma::PrismaExtractor, Framework::Prisma, "a.ts"),
            (&prisma::PrismaExtractor, Framework::Prisma, "schema.prisma"),
            (&drizzle::Drizzle, Framework::Drizzle, "a.tsx"),
            (&sequelize::Sequelize, Framework::Sequelize, "a.js"),
        ] {
            let ctx = ExtractContext { framework: fw, ..ctx };
            let _ = e.extract(&SourceFile::new(path, text), &ctx);
        }
    }
}

#[test]
fn prisma_client_uses_resolve_through_the_schema() {
    use tandem::config::{App, AppSource};
    use tandem::scan::resolve::{Context, resolve};

    let files: Vec<(String, FileFacts)> = ["prisma/schema.prisma", "src/users.ts"]
        .iter()
        .map(|p| ((*p).to_owned(), run(&prisma::PrismaExtractor, Framework::Prisma, &format!("prisma/{p}"))))
        .collect();
    let app = App {
        name: "shop".into(),
        repo: "/nonexistent".into(),
        path: None,
        framework: Framework::Prisma,
        deployed: None,
        head: "HEAD".into(),
        include: vec![],
        exclude: vec![],
        structure: None,
        migrations: Vec::new(),
        owner: None,
        source: AppSource::default(),
        tables: Default::default(),
        line: 1,
    };
    let ctx = Context { app: &app, git_ref: "head", commit: "0", schema: None };
    let refs: BTreeSet<String> = resolve(&ctx, &files)
        .into_iter()
        .filter(|r| &*r.path == "src/users.ts" && r.kind.as_str() == "query")
        .map(|r| format!("{}:{} {}", r.line, r.column, r.object))
        .collect();
    let expected: BTreeSet<String> = [
        "6:23 users",
        "7:14 users.email",
        // @map'd fields resolve to their columns.
        "7:28 users.display_name",
        "7:64 users.role",
        "8:15 users.id",
        "8:25 users.email",
        "9:17 users.created_at",
        "11:9 posts",
        "12:13 posts.title",
        "12:29 posts.author_id",
        // `author` is a relation of Post: writing it writes its foreign key.
        "12:42 posts.author_id",
        // Through relations: a relation filter, a nested select, a nested connect.
        "7:99 posts.title",
        "8:57 posts.title",
        "14:9 posts",
        "14:39 posts.id",
        "14:56 posts.author_id",
        "14:77 users.id",
        "14:88 posts.status",
        "15:25 posts",
        "15:53 posts.author_id",
        "15:75 posts.id",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    assert_eq!(refs, expected);
}
