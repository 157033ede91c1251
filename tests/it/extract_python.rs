//! Django and SQLAlchemy extractors on realistic app files: exact (line, target, kind) sets.

use std::collections::BTreeSet;
use std::path::Path;

use tandem::config::Framework;
use tandem::framework::django::extract as django;
use tandem::scan::extract::{ExtractContext, Extractor, SourceFile, sqlalchemy};
use tandem::scan::facts::FileFacts;

use crate::support::facts::{assert_set, hit_lines, run};

fn models(facts: &FileFacts) -> Vec<String> {
    facts
        .models
        .iter()
        .map(|m| {
            let fields: Vec<String> =
                m.fields.iter().filter(|(a, c)| a != c).map(|(a, c)| format!("{a}->{c}")).collect();
            format!(
                "{}:{} {} parent={} table={} abstract={} [{}]",
                m.line,
                m.column,
                m.class,
                m.parent.as_deref().unwrap_or("-"),
                m.table.as_deref().unwrap_or("-"),
                m.is_abstract,
                fields.join(" ")
            )
        })
        .collect()
}

#[test]
fn django_models_declare_tables_and_columns() {
    let facts = run(&django::Django, Framework::Django, "django/blog/models.py");
    assert_set(
        hit_lines(&facts),
        &[
            // `self.filter(…)` in the QuerySet that Post's manager is built from.
            "13:28 model_column blog.Post.status query",
            // The model's `Meta.ordering = ["-created"]`.
            "45:23 model_column blog.Post.created query",
            // `self.title` in `Post.__str__`.
            "48:21 model_column blog.Post.title query",
            // Abstract parent's fields are columns of each concrete child's table, located where
            // they are declared; the commented-out field on line 17 is not.
            "18:5 column blog_author.created declaration",
            "18:5 column blog_posts.created declaration",
            "19:5 column blog_author.modified declaration",
            "19:5 column blog_posts.modified declaration",
            "25:7 table blog_author declaration",
            "25:7 column blog_author.id declaration",
            "26:5 column blog_author.user_id declaration",
            "27:5 column blog_author.display_name declaration",
            "28:5 column blog_author.bio declaration",
            "31:7 table blog_posts declaration",
            "31:7 column blog_posts.id declaration",
            "32:5 column blog_posts.title declaration",
            "33:5 column blog_posts.slug declaration",
            "34:5 column blog_posts.author_id declaration",
            "35:5 column blog_posts.status declaration",
            "36:5 table blog_posts_tags declaration",
            "36:5 column blog_posts_tags.post_id declaration",
            "36:5 column blog_posts_tags.tag_id declaration",
            "37:5 column blog_posts.content_type_id declaration",
            "38:5 column blog_posts.object_id declaration",
            // GenericForeignKey (39) and the manager (41) are not columns; Tag's primary key is
            // declared, so no implicit `id`.
            "51:7 table blog_tag declaration",
            "52:5 column blog_tag.uuid declaration",
            "53:5 column blog_tag.label declaration",
            // The proxy (56) maps its parent's table and declares nothing; multi-table
            // inheritance adds `<parent>_ptr_id`; a self-referential M2M uses from_/to_.
            "61:7 table blog_featuredpost declaration",
            "61:7 column blog_featuredpost.post_ptr_id declaration",
            "62:5 column blog_featuredpost.rank declaration",
            "63:5 table blog_featuredpost_related declaration",
            "63:5 column blog_featuredpost_related.from_featuredpost_id declaration",
            "63:5 column blog_featuredpost_related.to_featuredpost_id declaration",
        ],
    );
    assert_eq!(
        models(&facts),
        [
            "25:7 blog.Author parent=blog.TimeStamped table=blog_author abstract=false [name->display_name pk->id user->user_id]",
            "61:7 blog.FeaturedPost parent=blog.Post table=blog_featuredpost abstract=false [pk->post_ptr_id post_ptr->post_ptr_id related->]",
            "31:7 blog.Post parent=blog.TimeStamped table=blog_posts abstract=false [author->author_id content_type->content_type_id pk->id tags-> target->]",
            "56:7 blog.PublishedPost parent=blog.Post table=blog_posts abstract=false [pk->id]",
            "51:7 blog.Tag parent=- table=blog_tag abstract=false [pk->uuid]",
            "16:7 blog.TimeStamped parent=- table=- abstract=true [pk->id]",
        ]
    );

    let facts = run(&django::Django, Framework::Django, "django/accounts/models.py");
    assert_set(
        hit_lines(&facts),
        &[
            "4:7 table accounts_profile declaration",
            "4:7 column accounts_profile.id declaration",
            "5:5 column accounts_profile.handle declaration",
            "8:7 table legacy_legacyaccount declaration",
            "8:7 column legacy_legacyaccount.id declaration",
            "9:5 column legacy_legacyaccount.LOGIN declaration",
        ],
    );
}

#[test]
fn django_queryset_chains_and_raw_sql() {
    let path = "django/blog/views.py";
    let facts = run(&django::Django, Framework::Django, path);
    assert_set(
        hit_lines(&facts),
        &[
            // `email` (a local, line 11) and the dict values on line 27 are not references;
            // `author__name`: `author` on Post, `name` on the model the association leads to.
            "13:29 model_column blog.Post.status query",
            "13:49 model_column blog.Post.author query",
            "13:57 chain blog.Post.author.name query",
            "14:20 model_column blog.Post.slug query",
            "14:33 model_column blog.Post.title query",
            "15:26 model_column blog.Post.author query",
            "16:21 model_column blog.Post.created query",
            "16:32 model_column blog.Post.title query",
            "17:18 model_column blog.Post.title query",
            "17:27 model_column blog.Post.slug query",
            // `n` is the annotation's alias, not a field.
            "19:45 model_column blog.Post.tags query",
            "20:25 model_column blog.Post.pk query",
            "20:38 model_column blog.Post.modified query",
            "20:50 model_column blog.Post.created query",
            // Imported under an alias from another app's models; `request.user` is the
            // `AUTH_USER_MODEL`, `request.user` itself a name resolution settles.
            "21:46 model_column accounts.Profile.handle query",
            "21:61 attribute user query",
            "21:66 chain $django:auth/user?User.username query",
            // Raw SQL through the SQL extractor: Manager.raw, cursor.execute, RawSQL.
            "22:36 column blog_posts.id sql",
            "22:40 column blog_posts.title sql",
            "22:51 table blog_posts sql",
            "22:68 column blog_posts.status sql",
            "24:32 table blog_posts sql",
            "24:47 column blog_posts.status sql",
            "24:70 column blog_posts.id sql",
            "25:70 table blog_post_tags sql",
            // A generic view's `model` + `fields`/`slug_field` (template_name is a path).
            "33:16 model_column blog.Post.title query",
            "33:25 model_column blog.Post.status query",
            "34:19 model_column blog.Post.slug query",
            // The model's constructor.
            "39:17 model_column blog.Post.title query",
            "39:46 model_column blog.Post.author_id query",
        ],
    );
    let source =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract").join(path))
            .unwrap_or_default();
    let sql: Vec<String> = django::sql_strings(path, &source).into_iter().map(|s| s.sql).collect();
    assert_eq!(
        sql,
        [
            "SELECT id, title FROM blog_posts WHERE status = %s",
            "UPDATE blog_posts SET status = 'draft' WHERE id = %s",
            "SELECT COUNT(*) FROM blog_post_tags",
        ]
    );
}

#[test]
fn django_serializer_and_admin_field_lists() {
    let facts = run(&django::Django, Framework::Django, "django/blog/serializers.py");
    // `word_count` is a SerializerMethodField, not a model field.
    assert_set(
        hit_lines(&facts),
        &[
            "11:20 model_column blog.Post.id query",
            "11:26 model_column blog.Post.title query",
            "11:35 model_column blog.Post.slug query",
            "12:30 model_column blog.Post.slug query",
            // `obj` in a serializer's method is a record of its `Meta.model`.
            "15:24 model_column blog.Post.title query",
        ],
    );
    let facts = run(&django::Django, Framework::Django, "django/blog/admin.py");
    // `published_label` is an admin method; `^` is a search prefix; Tag is registered through
    // admin.site.register.
    assert_set(
        hit_lines(&facts),
        &[
            "8:22 model_column blog.Post.title query",
            "8:31 model_column blog.Post.author query",
            "9:24 model_column blog.Post.title query",
            "9:33 model_column blog.Post.author query",
            "9:41 chain blog.Post.author.name query",
            "10:29 model_column blog.Post.slug query",
            // `obj` in an admin method is a record of the registered model.
            "13:20 model_column blog.Post.status query",
            "10:38 model_column blog.Post.title query",
            "17:19 model_column blog.Tag.label query",
        ],
    );
    let facts = run(&django::Django, Framework::Django, "django/blog/filters.py");
    // django-filter's dict form: keys are fields, values are lookups.
    assert_set(
        hit_lines(&facts),
        &["9:20 model_column blog.Post.title query", "9:53 model_column blog.Post.created query"],
    );
}

#[test]
fn django_ignores_other_frameworks_and_files() {
    assert!(!django::Django.applies("blog/models.py", Framework::Sqlalchemy));
    assert!(!django::Django.applies("blog/templates/index.html", Framework::Django));
}

#[test]
fn sqlalchemy_declarative_and_core_tables() {
    let facts = run(&sqlalchemy::Sqlalchemy, Framework::Sqlalchemy, "sqlalchemy/app/models.py");
    assert_set(
        hit_lines(&facts),
        &[
            // The mixin's column is declared once, for the table of the class mixing it in.
            "13:5 column users.created_at declaration",
            "17:6 table user_roles declaration",
            "19:13 column user_roles.user_id declaration",
            "19:35 column users.id declaration",
            "20:13 column user_roles.role_id declaration",
            "20:35 column roles.id declaration",
            "24:7 table users declaration",
            "27:5 column users.id declaration",
            "28:5 column users.email_address declaration",
            // Annotation-only Mapped[] is a column; the commented one (30) and the
            // relationship (31) are not.
            "29:5 column users.nickname declaration",
            "34:7 table addresses declaration",
            "37:5 column addresses.id declaration",
            "38:5 column addresses.street_line declaration",
            "39:5 column addresses.user_id declaration",
            "39:43 column users.id declaration",
            "43:7 table employees declaration",
            "45:5 column employees.id declaration",
            "46:5 column employees.type declaration",
            // Single-table inheritance: the subclass's column is in the parent's table.
            "49:7 table employees declaration",
            "50:5 column employees.manager_level declaration",
        ],
    );
    assert_eq!(
        models(&facts),
        [
            "24:7 User parent=- table=users abstract=false [email->email_address addresses->]",
            "34:7 Address parent=- table=addresses abstract=false [street->street_line user->]",
            "43:7 Employee parent=- table=employees abstract=false []",
            "49:7 Manager parent=Employee table=employees abstract=false []",
        ]
    );
}

#[test]
fn sqlalchemy_queries_and_raw_sql() {
    let path = "sqlalchemy/app/queries.py";
    let facts = run(&sqlalchemy::Sqlalchemy, Framework::Sqlalchemy, path);
    assert_set(
        hit_lines(&facts),
        &[
            "8:31 model_column User.email query",
            "8:61 model_column User.created_at query",
            "10:44 model_column User.nickname query",
            "10:60 model_column User.status query",
            "11:41 model_column User.nickname query",
            "12:25 model_column Address.street query",
            "12:43 model_column Address.user_id query",
            "14:56 table users sql",
            "14:68 column users.email_address sql",
            // Implicitly concatenated literals are joined, and each reference located in its piece.
            "19:13 column users.email_address sql",
            "19:36 column addresses.id sql",
            "20:11 table users sql",
            "20:24 table addresses sql",
            "20:39 column addresses.user_id sql",
            "20:51 column users.id sql",
            // Line 13's dict key and line 15's method call `User.from_email` are not columns.
        ],
    );
    let source =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract").join(path))
            .unwrap_or_default();
    let sql: Vec<String> = sqlalchemy::sql_strings(path, &source).into_iter().map(|s| s.sql).collect();
    assert_eq!(
        sql,
        [
            "SELECT count(*) FROM users WHERE email_address LIKE :p",
            "SELECT u.email_address, count(a.id) FROM users u JOIN addresses a ON a.user_id = u.id GROUP BY 1",
        ]
    );
}

#[test]
fn flask_sqlalchemy_default_table_names_and_cross_file_inheritance() {
    let facts = run(&sqlalchemy::Sqlalchemy, Framework::Sqlalchemy, "sqlalchemy/app/flask_models.py");
    assert_set(
        hit_lines(&facts),
        &[
            "5:7 table blog_post declaration",
            "6:5 column blog_post.id declaration",
            "7:5 column blog_post.title declaration",
            // Employee lives in another file: the column resolves through the parent's table.
            "11:5 model_column Engineer.language declaration",
            "15:37 model_column BlogPost.title query",
            "15:61 model_column BlogPost.id query",
        ],
    );
    assert_eq!(
        models(&facts),
        [
            "5:7 BlogPost parent=- table=blog_post abstract=false []",
            "10:7 Engineer parent=Employee table=- abstract=false []",
        ]
    );
}

#[test]
fn broken_python_does_not_panic() {
    for text in
        ["class X(models.Model):\n    a = models.CharField(", "User.objects.filter(", "def f(:\n", "\u{feff}é = 'x"]
    {
        for (e, fw) in
            [(&django::Django as &dyn Extractor, Framework::Django), (&sqlalchemy::Sqlalchemy, Framework::Sqlalchemy)]
        {
            let ctx = ExtractContext { framework: fw, identifiers: &[] };
            let _ = e.extract(&SourceFile::new("app/models.py", text), &ctx);
        }
    }
}

#[test]
fn django_uses_resolve_across_files_through_declared_fields() {
    use tandem::config::{App, AppSource};
    use tandem::scan::resolve::{Context, resolve};

    let files: Vec<(String, FileFacts)> =
        ["blog/models.py", "blog/views.py", "blog/serializers.py", "blog/admin.py", "accounts/models.py"]
            .iter()
            .map(|p| ((*p).to_owned(), run(&django::Django, Framework::Django, &format!("django/{p}"))))
            .collect();
    let app = App {
        name: "blog".into(),
        repo: "/nonexistent".into(),
        path: None,
        framework: Framework::Django,
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
        .filter(|r| &*r.path == "blog/views.py" && r.kind.as_str() == "query")
        .map(|r| format!("{}:{} {}", r.line, r.column, r.object))
        .collect();
    let expected: BTreeSet<String> = [
        "13:29 blog_posts.status",
        // `author` (a foreign key) is the column `author_id`, declared in models.py.
        "13:49 blog_posts.author_id",
        // `author__name`: `name` is the author's `display_name` column.
        "13:57 blog_author.display_name",
        "14:20 blog_posts.slug",
        "14:33 blog_posts.title",
        "15:26 blog_posts.author_id",
        "16:21 blog_posts.created",
        "16:32 blog_posts.title",
        "17:18 blog_posts.title",
        "17:27 blog_posts.slug",
        // `Count("tags")` (19) names a many-to-many relation: no column of blog_posts.
        "20:25 blog_posts.id",
        "20:38 blog_posts.modified",
        "20:50 blog_posts.created",
        "21:46 accounts_profile.handle",
        "33:16 blog_posts.title",
        "33:25 blog_posts.status",
        "34:19 blog_posts.slug",
        "39:17 blog_posts.title",
        "39:46 blog_posts.author_id",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    assert_eq!(refs, expected);
}

#[test]
fn django_abstract_parent_in_another_app_declares_the_childs_columns() {
    use tandem::config::{App, AppSource};
    use tandem::scan::resolve::{Context, resolve};

    let files: Vec<(String, FileFacts)> = ["core/models.py", "shop/models.py"]
        .iter()
        .map(|p| ((*p).to_owned(), run(&django::Django, Framework::Django, &format!("django/{p}"))))
        .collect();
    let app = App {
        name: "shop".into(),
        repo: "/nonexistent".into(),
        path: None,
        framework: Framework::Django,
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
        .map(|r| format!("{}:{}:{} {} {}", r.path, r.line, r.column, r.object, r.kind))
        .collect();
    let expected: BTreeSet<String> = [
        // The abstract model maps no table of its own; its M2M (a join table per child) is not
        // a column.
        "shop/models.py:6:7 shop_order declaration",
        "shop/models.py:6:7 shop_order.id declaration",
        "shop/models.py:6:7 shop_order.created declaration",
        "shop/models.py:6:7 shop_order.modified declaration",
        "shop/models.py:7:5 shop_order.total declaration",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    assert_eq!(refs, expected);
}

#[test]
fn sqlmodel_tables_and_fields() {
    let facts = run(&sqlalchemy::Sqlalchemy, Framework::Sqlalchemy, "sqlalchemy/app/heroes.py");
    assert_set(
        hit_lines(&facts),
        &[
            // Fields of the (non-table) base class are columns of the table class.
            "7:5 column hero.name declaration",
            "8:5 column hero.secret declaration",
            "11:7 table hero declaration",
            "12:5 column hero.id declaration",
            "13:5 column hero.age declaration",
            // The relationship (14), the ClassVar (15) and the response schema HeroPublic (18)
            // are not columns.
        ],
    );
    assert_eq!(models(&facts), ["11:7 Hero parent=- table=hero abstract=false [secret_name->secret team->]"]);
}
