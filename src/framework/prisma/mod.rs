//! Prisma: the model index is `schema.prisma` ([`schema`]); JS/TS code reaches it through
//! Prisma Client calls and their argument objects ([`client`]) and through the rows those calls
//! return, read by receivers whose type the code declares or implies ([`receivers`]), and in a
//! Next.js/React frontend by the records its components and query hooks are named after
//! ([`react`]); an auth library's options name the columns its adapter uses ([`better_auth`]);
//! zod schemas generated from the models name their fields ([`zod`]); raw SQL goes through
//! `$queryRaw`/`$executeRaw`/`Prisma.sql`, and Kysely queries name `'Table.column'` ([`kysely`]).

pub mod angular;
pub mod better_auth;
pub mod client;
pub mod kysely;
pub mod react;
pub mod receivers;
pub mod routes;
pub mod schema;
pub mod zod;

use crate::config::Framework;
use crate::framework::FrameworkSupport;
use crate::grammar::NodeExt;
use crate::scan::extract::js::{call_args, callee_name, property, unwrap};
use crate::scan::extract::treesit::{self, SqlString, Src, descendants, template_sql};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::FileFacts;

pub struct Prisma;

impl FrameworkSupport for Prisma {
    fn id(&self) -> Framework {
        Framework::Prisma
    }

    fn extractors(&self) -> Vec<Box<dyn Extractor>> {
        vec![Box::new(PrismaExtractor)]
    }

    fn migration_dirs(&self) -> &'static [&'static str] {
        &["prisma/migrations"]
    }

    fn declares_columns(&self) -> bool {
        true
    }

    /// `schema.prisma` lists every field of a model: a name it does not list (`rows.length`,
    /// `{ contains: … }`) is none of its columns.
    fn declares_every_field(&self) -> bool {
        true
    }
}

pub struct PrismaExtractor;

impl Extractor for PrismaExtractor {
    fn id(&self) -> &'static str {
        "prisma"
    }

    fn version(&self) -> u32 {
        27
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Prisma
            && (path.ends_with(".prisma") || treesit::is_js_path(path) || angular::is_template(path))
    }

    fn extract(&self, file: &SourceFile<'_>, _ctx: &ExtractContext<'_>) -> FileFacts {
        let (path, source) = (file.path, file.text);
        if path.ends_with(".prisma") {
            return schema::schema(source);
        }
        if angular::is_template(path) {
            return FileFacts { hits: angular::read(source, &receivers::module(path)), ..FileFacts::default() };
        }
        let (mut facts, sql) = code(path, source);
        facts.hits.extend(treesit::sql_hits(&Src::new(source), &sql));
        facts
    }
}

/// The raw SQL strings of a JS/TS file (what the SQL extractor is handed).
pub fn sql_strings(path: &str, source: &str) -> Vec<SqlString> {
    code(path, source).1
}

/// How Prisma models are named in facts: as Prisma Client names them, the model name with its
/// first letter in lower case (`UserProfile` → `userProfile`, an introspected `users` → `users`),
/// so that client calls (`prisma.userProfile.…`), declared types (`UserProfile`) and schema
/// declarations meet without guessing the case the schema used.
pub fn model_name(model: &str) -> String {
    let mut c = model.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn code(path: &str, source: &str) -> (FileFacts, Vec<SqlString>) {
    let tree = match crate::grammar::parse_as(source, &treesit::js_language(path)) {
        Ok(tree) => tree,
        Err(gave_up) => return (FileFacts::unreadable(gave_up), Vec::new()),
    };
    let src = Src::new(source);
    let mut facts = FileFacts::default();
    let nodes = descendants(tree.root_node());
    receivers::read(path, &src, tree.root_node(), &nodes, &mut facts.hits, &mut facts.bindings);
    zod::read(&src, tree.root_node(), &nodes, &mut facts.hits, &mut facts.bindings);
    kysely::read(&src, &nodes, &mut facts.hits);
    let mut sql = Vec::new();
    for &node in &nodes {
        if node.kind_name() != "call_expression" {
            continue;
        }
        let Some(function) = node.field("function").map(unwrap) else { continue };
        if let Some(method) = property(&src, function)
            && (method.starts_with("$queryRaw") || method.starts_with("$executeRaw"))
        {
            let arg = node.field("arguments");
            let literal = match arg {
                Some(a) if a.kind_name() == "template_string" => Some(a),
                Some(a) => call_args(node).into_iter().next().filter(|_| a.kind_name() == "arguments"),
                None => None,
            };
            if let Some(s) = literal.and_then(|l| template_sql(&src, l)) {
                sql.push(s);
            }
            continue;
        }
        // `Prisma.sql`…`` fragments.
        if callee_name(&src, node) == Some("sql")
            && src.node_text(function) == "Prisma.sql"
            && let Some(t) = node.field("arguments").filter(|a| a.kind_name() == "template_string")
            && let Some(s) = template_sql(&src, t)
        {
            sql.push(s);
        }
    }
    sql.sort_by_key(|s| s.offset);
    sql.dedup_by_key(|s| s.offset);
    (facts, sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessor_to_model() {
        assert_eq!(model_name("UserProfile"), "userProfile");
        assert_eq!(model_name("users"), "users");
    }
}
