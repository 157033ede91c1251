//! The Ecto extractor on realistic Phoenix files (schema + changeset, embedded schema, context
//! module with queries, LiveView): exact (line, target, kind) sets per file, and the traps.

use std::path::Path;

use tandem::config::Framework;
use tandem::scan::extract::Extractor;
use tandem::scan::extract::ecto::EctoExtractor;
use tandem::scan::facts::FileFacts;

use crate::support::facts::{hits, lines_naming, set, show};

fn extract(path: &str, source: &str) -> FileFacts {
    crate::support::facts::extract(&EctoExtractor, Framework::Phoenix, path, source)
}

fn facts(path: &str) -> FileFacts {
    crate::support::facts::run(&EctoExtractor, Framework::Phoenix, &format!("ecto/{path}"))
}

fn models(facts: &FileFacts) -> Vec<String> {
    facts
        .models
        .iter()
        .map(|m| format!("{} parent={:?} table={:?} line={}", m.class, m.parent, m.table, m.line))
        .collect()
}

#[test]
fn my_app_accounts_user() {
    let facts = facts("lib/my_app/accounts/user.ex");
    assert_eq!(
        hits(&facts),
        set(&[
            (11, "MyApp.Accounts.User#email", "query"),
            (11, "MyApp.Accounts.User#full_name", "query"),
            (12, "MyApp.Accounts.User#bio", "query"),
            (12, "MyApp.Accounts.User#locale", "query"),
            (15, "table users", "declaration"),
            (15, "users.id", "declaration"),
            (16, "users.email", "declaration"),
            (17, "users.full_name", "declaration"),
            (19, "users.bio", "declaration"),
            (20, "users.locale", "declaration"),
            (21, "users.password_hash", "declaration"),
            (22, "users.address", "declaration"),
            (23, "users.organization_id", "declaration"),
            (23, "model MyApp.Accounts.Organization", "declaration"),
            (24, "users.invited_by_id", "declaration"),
            (25, "model MyApp.Accounts.Team", "declaration"),
            (26, "model MyApp.Blog.Post", "declaration"),
            (26, "MyApp.Blog.Post#author_id", "declaration"),
            (27, "model MyApp.Accounts.Profile", "declaration"),
            (27, "MyApp.Accounts.Profile#user_id", "declaration"),
            (30, "users.inserted_at", "declaration"),
            (30, "users.updated_at", "declaration"),
            (38, "MyApp.Accounts.User#email", "query"),
            (39, "MyApp.Accounts.User#address", "query"),
            (40, "MyApp.Accounts.User#email", "query"),
            (46, "MyApp.Accounts.User#password_hash", "query"),
        ])
    );
    assert_eq!(models(&facts), ["MyApp.Accounts.User parent=None table=Some(\"users\") line=15",]);
}

#[test]
fn my_app_accounts_address() {
    let facts = facts("lib/my_app/accounts/address.ex");
    assert_eq!(hits(&facts), set(&[]));
    assert!(models(&facts).is_empty());
}

#[test]
fn my_app_blog_post() {
    let facts = facts("lib/my_app/blog/post.ex");
    assert_eq!(
        hits(&facts),
        set(&[
            (5, "posts.uuid", "declaration"),
            (8, "table posts", "declaration"),
            (9, "posts.title", "declaration"),
            (10, "posts.body", "declaration"),
            (11, "posts.author_id", "declaration"),
            (11, "model MyApp.Accounts.User", "declaration"),
            (12, "model MyApp.Blog.Tag", "declaration"),
            (12, "table posts_tags", "declaration"),
            (12, "posts_tags.post_id", "declaration"),
            (12, "posts_tags.tag_id", "declaration"),
            (13, "model MyApp.Accounts.User", "declaration"),
            (13, "model MyApp.Blog.Reading", "declaration"),
            (13, "MyApp.Blog.Reading#post_id", "declaration"),
            (13, "MyApp.Blog.Reading#user_id", "declaration"),
            (14, "posts.revisions", "declaration"),
            (18, "posts.created_at", "declaration"),
            (23, "MyApp.Blog.Post#title", "query"),
            (23, "MyApp.Blog.Post#body", "query"),
            (24, "MyApp.Blog.Post#title", "query"),
        ])
    );
    assert_eq!(models(&facts), ["MyApp.Blog.Post parent=None table=Some(\"posts\") line=8",]);
}

#[test]
fn my_app_accounts() {
    let facts = facts("lib/my_app/accounts.ex");
    assert_eq!(
        hits(&facts),
        set(&[
            (10, "model MyApp.Accounts.User", "query"),
            (14, "model MyApp.Accounts.User", "query"),
            (15, "model MyApp.Accounts.Organization", "query"),
            (26, "model MyApp.Accounts.User", "query"),
            (28, "model MyApp.Accounts.Organization", "query"),
            (35, "table users", "query"),
            (51, "model MyApp.Accounts.User", "query"),
            (52, "model MyApp.Accounts.User", "query"),
            (10, "MyApp.Accounts.User#email", "query"),
            (16, "MyApp.Accounts.Organization#id", "query"),
            (16, "MyApp.Accounts.User#organization_id", "query"),
            (17, "MyApp.Accounts.User#organization_id", "query"),
            (17, "MyApp.Accounts.User#deleted_at", "query"),
            (18, "MyApp.Accounts.User#email", "query"),
            (18, "MyApp.Accounts.User#name", "sql"),
            (19, "MyApp.Accounts.User#inserted_at", "query"),
            (20, "MyApp.Accounts.User#email", "query"),
            (20, "MyApp.Accounts.Organization#name", "query"),
            (27, "MyApp.Accounts.User#bio", "query"),
            (28, "MyApp.Accounts.Organization#id", "query"),
            (28, "MyApp.Accounts.User#organization_id", "query"),
            (29, "MyApp.Accounts.Organization#name", "query"),
            (29, "MyApp.Accounts.User#locale", "query"),
            (30, "MyApp.Accounts.User#email", "query"),
            (35, "users.locale", "query"),
            (35, "users.email", "query"),
            (46, "MyApp.Accounts.User#email", "query"),
            (47, "MyApp.Accounts.User#name", "query"),
            (51, "MyApp.Accounts.User#locale", "query"),
            (52, "MyApp.Accounts.User#email", "query"),
            (52, "MyApp.Accounts.User#name", "query"),
            // What `archive_all`'s result is written as, wherever another module writes it.
            (54, "$phoenix:written/MyApp.Accounts.archive_all.email", "query"),
            (54, "$phoenix:written/MyApp.Accounts.archive_all.title", "query"),
        ])
    );
    assert!(models(&facts).is_empty());
}

#[test]
fn my_app_web_live_user_live() {
    let facts = facts("lib/my_app_web/live/user_live.ex");
    assert_eq!(
        hits(&facts),
        set(&[
            // `socket.assigns.current_user` is a `User`, as the template's `@current_user` is.
            (9, "MyApp.Accounts.User#organization_id", "query"),
            (9, "AttributeThrough { field: \"current_user\", attribute: \"organization_id\" }", "query"),
            (14, "model MyApp.Accounts.User", "query"),
            (15, "MyApp.Accounts.User#email", "query"),
            // The live view's `~H`: its assign, typed by the live view's own bindings, else by
            // its name; and the bare attribute for resolution's fallback.
            (20, "$phoenix:view:user_live/index/@current_user?User.email", "query"),
            (20, "Attribute { name: \"email\" }", "query"),
        ])
    );
    assert!(models(&facts).is_empty());
}

#[test]
fn traps_are_not_references() {
    let user = facts("lib/my_app/accounts/user.ex");
    // @moduledoc text and the commented-out schema.
    assert!(user.hits.iter().all(|h| h.line > 10));
    assert!(lines_naming(&user, "ghost").is_empty());
    assert!(lines_naming(&user, "ghosts").is_empty());
    // A virtual field is not a column, neither declared nor used.
    assert!(lines_naming(&user, "password").is_empty());

    // An embedded schema maps no table.
    let address = facts("lib/my_app/accounts/address.ex");
    assert!(address.hits.is_empty() && address.models.is_empty());

    let context = facts("lib/my_app/accounts.ex");
    // A plain map, a string value, raw SQL (left to the SQL extractor) and @moduledoc. (A
    // public function's returned map is what its result is written as: a chain on
    // `phoenix:written`, which names a column only where another module writes that result.)
    let written = |h: &&tandem::scan::facts::Hit| show(&h.target).starts_with("$phoenix:written/");
    assert!(
        context.hits.iter().filter(|h| !written(h)).all(|h| ![2, 45, 53, 54].contains(&h.line)),
        "{:?}",
        context.hits
    );
}

#[test]
fn applies_to_elixir_files_of_phoenix_apps_only() {
    let e = EctoExtractor;
    assert!(e.applies("lib/my_app/accounts/user.ex", Framework::Phoenix));
    assert!(e.applies("priv/repo/seeds.exs", Framework::Phoenix));
    assert!(!e.applies("lib/my_app/accounts/user.ex", Framework::Rails));
    assert!(!e.applies("assets/js/app.js", Framework::Phoenix));
}

#[test]
fn schema_prefix_and_primary_key_false() {
    let src = "defmodule Billing.Invoice do\n  use Ecto.Schema\n  @primary_key false\n  @schema_prefix \"billing\"\n  schema \"invoices\" do\n    field :number, :string\n  end\nend\n";
    let facts = extract("lib/billing/invoice.ex", src);
    assert_eq!(
        hits(&facts),
        set(&[(5, "table billing.invoices", "declaration"), (6, "billing.invoices.number", "declaration")])
    );
    assert_eq!(models(&facts), ["Billing.Invoice parent=None table=Some(\"billing.invoices\") line=5"]);
}

#[test]
fn unparseable_elixir_never_panics() {
    let facts = extract("lib/x.ex", "defmodule X do\n  schema \"xs\" do\n    field :a\n  end\n  def f(, do: 1\nend\n");
    assert!(hits(&facts).contains(&(3, "xs.a".to_owned(), "declaration")));
}

#[test]
fn records_named_after_schemas_and_their_associations() {
    let src = "defmodule Portal.Support do\n  alias Portal.Support.Ticket\n\n  def order_note(ticket, socket) do\n    ticket = Repo.preload(ticket, :order)\n    ticket.order && ticket.order.notes && socket.assigns.user.email\n  end\nend\n";
    let facts = extract("lib/portal/support.ex", src);
    assert_eq!(
        hits(&facts),
        set(&[
            (6, "Portal.Support.Ticket#order", "query"),
            (6, "Order#notes", "query"),
            (6, "Attribute { name: \"order\" }", "query"),
            // (Read through `order`, an attribute only while that is no embed.)
            (6, "AttributeThrough { field: \"order\", attribute: \"notes\" }", "query"),
            // `socket.assigns.user` is named as `assigns.user` is.
            (6, "User#email", "query"),
            (6, "AttributeThrough { field: \"user\", attribute: \"email\" }", "query"),
        ])
    );
    assert!(facts.hits.iter().all(|h| h.confidence == tandem::config::Confidence::Medium));
}

/// The bundled example's Phoenix app: the columns its migrations touch.
#[test]
fn bundled_example_portal() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/portal");
    let read = |p: &str| extract(p, &std::fs::read_to_string(root.join(p)).expect("example file"));
    let user = read("lib/portal/accounts/user.ex");
    assert!(hits(&user).contains(&(10, "users.legacy_flag".to_owned(), "declaration")));
    let order = read("lib/portal/sales/order.ex");
    assert!(hits(&order).contains(&(9, "orders.notes".to_owned(), "declaration")));
    let attachment = read("lib/portal/support/attachment.ex");
    assert!(attachment.models.is_empty() && attachment.hits.is_empty());
}

#[test]
fn function_form_changesets_string_sigils_and_statement_fragments() {
    let src = r#"defmodule Hub.Accounts.User do
  use Hub.Web, :schema

  @reserved ~w(me admin)

  schema "users" do
    field :username, :string
    field :full_name, :string
  end

  def changeset(user, params) do
    cast(user, params, ~w(username full_name))
    |> validate_exclusion(:username, @reserved)
    |> update_change(:username, &String.downcase/1)
  end

  def get(name) do
    from(u in Hub.Accounts.User,
      where: u.username == ^name or ^name in fragment("SELECT emails.email FROM emails WHERE emails.user_id = u0.id"),
      where: fragment("lower(full_name) = ?", ^name)
    )
  end
end
"#;
    let facts = extract("lib/hub/accounts/user.ex", src);
    assert_eq!(
        hits(&facts),
        set(&[
            (18, "model Hub.Accounts.User", "query"),
            (6, "table users", "declaration"),
            (6, "users.id", "declaration"),
            (7, "users.username", "declaration"),
            (8, "users.full_name", "declaration"),
            (12, "Hub.Accounts.User#username", "query"),
            (12, "Hub.Accounts.User#full_name", "query"),
            (13, "Hub.Accounts.User#username", "query"),
            (14, "Hub.Accounts.User#username", "query"),
            (19, "Hub.Accounts.User#username", "query"),
            (20, "Hub.Accounts.User#full_name", "sql"),
        ])
    );
}

#[test]
fn references_option_and_field_map_struct_selectors() {
    let src = r#"defmodule Shop.Cart do
  use Ecto.Schema
  import Ecto.Query

  schema "carts" do
    has_many :items, Shop.Item, references: :uuid
  end

  def totals(id) do
    from c in Shop.Cart,
      where: field(c, :id) == ^id,
      select: map(c, [:id, :total_cents])
  end
end
"#;
    let facts = extract("lib/shop/cart.ex", src);
    assert_eq!(
        hits(&facts),
        set(&[
            (10, "model Shop.Cart", "query"),
            (5, "table carts", "declaration"),
            (5, "carts.id", "declaration"),
            (6, "model Shop.Item", "declaration"),
            (6, "Shop.Item#cart_uuid", "declaration"),
            (11, "Shop.Cart#id", "query"),
            (12, "Shop.Cart#id", "query"),
            (12, "Shop.Cart#total_cents", "query"),
        ])
    );
}

#[test]
fn heex_templates() {
    let facts = facts("lib/my_app_web/controllers/user_html/show.html.heex");
    assert_eq!(
        hits(&facts),
        set(&[
            (3, "$phoenix:view:user|phoenix:embed:ecto/lib/my_app_web/controllers/user_html/@user?User.name", "query"),
            (3, "Attribute { name: \"name\" }", "query"),
            // `@user.organization.name`: the association's use (its key), and the name through it.
            (
                4,
                "$phoenix:view:user|phoenix:embed:ecto/lib/my_app_web/controllers/user_html/@user?User.organization",
                "query"
            ),
            (
                4,
                "$phoenix:view:user|phoenix:embed:ecto/lib/my_app_web/controllers/user_html/@user?User.organization.name",
                "query"
            ),
            (4, "Attribute { name: \"name\" }", "query"),
            (
                4,
                "$phoenix:view:user|phoenix:embed:ecto/lib/my_app_web/controllers/user_html/@user?User.inserted_at",
                "query"
            ),
            (4, "Attribute { name: \"inserted_at\" }", "query"),
            (
                7,
                "$phoenix:view:user|phoenix:embed:ecto/lib/my_app_web/controllers/user_html/@posts?Post.title",
                "query"
            ),
            (7, "Attribute { name: \"title\" }", "query"),
            (
                7,
                "$phoenix:view:user|phoenix:embed:ecto/lib/my_app_web/controllers/user_html/@posts?Post.comments",
                "query"
            ),
            (7, "Attribute { name: \"comments\" }", "query"),
            (
                10,
                "$phoenix:view:user|phoenix:embed:ecto/lib/my_app_web/controllers/user_html/@comments?Comment.body",
                "query"
            ),
            (10, "Attribute { name: \"body\" }", "query"),
        ])
    );
    // The HEEx comment, the CSS class, plain text and a quoted string are not code.
    assert!(lines_naming(&facts, "password_hash").is_empty());
    assert!(facts.hits.iter().all(|h| ![1, 2, 12].contains(&h.line)));
    assert!(facts.hits.iter().all(|h| h.confidence == tandem::config::Confidence::Medium));
}

#[test]
fn named_bindings_and_dynamic() {
    let src = r#"defmodule Shop.Orders do
  import Ecto.Query
  alias Shop.Sales.Order

  def by_status(query, status), do: where(query, [order: o], o.status == ^status)

  def filter(params) do
    dynamic([order: o], o.total_cents > ^params.min)
  end

  def positional(query), do: where(query, [o], o.ghost == true)
end
"#;
    let facts = extract("lib/shop/orders.ex", src);
    assert_eq!(
        hits(&facts),
        set(&[
            (5, "Shop.Sales.Order#status", "query"),
            (8, "Shop.Sales.Order#total_cents", "query"),
            // An unnamed binding over an unknown query: only a column no other table has, and
            // in a context module (`Shop.Orders`) its schema as the module aliases it.
            (11, "Attribute { name: \"ghost\" }", "query"),
            (11, "Shop.Sales.Order#ghost", "query"),
        ])
    );
}

#[test]
fn template_bindings_after_multibyte_text() {
    let facts = extract(
        "lib/x_web/show.html.heex",
        "<li :for={é<- @posts}>{é.title}</li><li :for={post <- @posts}>{post.title}</li>\n",
    );
    assert_eq!(
        hits(&facts),
        set(&[
            (1, "$phoenix:embed:lib/x_web/@posts?Post.title", "query"),
            (1, "Attribute { name: \"title\" }", "query")
        ])
    );
}
