//! The model index: `schema.prisma` models (table = `@@map` or the model name; column = `@map` or
//! the field name; relation fields are not columns but associations, with the foreign key their
//! `fields:` name; `@ignore`/`@@ignore` are not read by the client).
//!
//! The schema is read by the line-oriented parser the schema reader shares
//! (`crate::schema::prisma::syntax`).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::config::{Confidence, Framework};
use crate::framework::prisma::model_name;
use crate::framework::prisma::receivers::NAMES;
use crate::scan::extract::treesit::Src;
use crate::scan::facts::{Association, Binding, FileFacts, ModelDecl, Root, Target};
use crate::scan::inflect;
use crate::scan::reference::RefKind;
use crate::schema::prisma::syntax::{
    BLOCK_FIELDS, BLOCK_IGNORE, BLOCK_MAP, COMPOUND_NAME, FIELD, FIELD_NAME, FIELDS, IGNORE, MAP, REFERENCES, SCALARS,
    blocks,
};

/// A `@@unique`/`@@id` (not an index): the client selects a row by its fields' joined name.
static COMPOUND_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*@@(?:unique|id)\(").unwrap_or_else(|_| unreachable!()));

/// The field names of a block attribute's list (`a, b(sort: Desc, length: 10)` → `a`, `b`).
fn list_fields(list: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, ch) in list.char_indices().chain([(list.len(), ',')]) {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.extend(FIELD_NAME.find(&list[start..i]).map(|m| m.as_str()));
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

/// Read a Prisma schema file.
pub fn schema(source: &str) -> FileFacts {
    let src = Src::new(source);
    let blocks = blocks(source);
    let models: BTreeSet<&str> =
        blocks.iter().filter(|b| b.kind == "model" || b.kind == "view").map(|b| b.name).collect();
    let enums: BTreeSet<&str> = blocks.iter().filter(|b| b.kind == "enum").map(|b| b.name).collect();
    let mut facts = FileFacts::default();
    for block in blocks.iter().filter(|b| b.kind == "model" || b.kind == "view") {
        if block.body.iter().any(|l| BLOCK_IGNORE.is_match(l.text)) {
            continue;
        }
        let table = block
            .body
            .iter()
            .find_map(|l| BLOCK_MAP.captures(l.text).and_then(|c| c.get(1)).map(|m| m.as_str().to_owned()))
            .unwrap_or_else(|| block.name.to_owned());
        facts.hits.push(src.hit(
            block.name_offset,
            Target::Table { table: table.clone() },
            RefKind::Declaration,
            Confidence::High,
        ));
        let mut fields = Vec::new();
        // Relation fields, with the scalar fields their `fields:` name (columns once all are read).
        let mut relations: Vec<(String, String, bool, Vec<String>)> = Vec::new();
        for line in &block.body {
            let t = line.text.trim_start();
            if t.starts_with('@') || t.is_empty() {
                continue;
            }
            let Some(c) = FIELD.captures(line.text) else { continue };
            let (Some(name), Some(ty)) = (c.get(1), c.get(2)) else { continue };
            let attrs = c.get(5).map_or("", |m| m.as_str());
            let list = c.get(3).is_some();
            let ty = ty.as_str();
            let base = ty.split('(').next().unwrap_or(ty);
            let scalar = SCALARS.contains(&base) || base == "Unsupported" || enums.contains(base);
            // A type from another schema file: an enum is usually given a bare default value.
            let foreign_enum = !scalar && !models.contains(base) && !attrs.contains("@relation") && !list && {
                static ENUM_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
                    Regex::new(r"@default\(\s*[A-Z][A-Za-z0-9_]*\s*\)").unwrap_or_else(|_| unreachable!())
                });
                ENUM_DEFAULT.is_match(attrs)
            };
            if !scalar && !foreign_enum {
                fields.push((name.as_str().to_owned(), String::new()));
                let keys = FIELDS
                    .captures(attrs)
                    .and_then(|c| c.get(1))
                    .map(|f| f.as_str().split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
                    .unwrap_or_default();
                relations.push((name.as_str().to_owned(), model_name(base), list, keys));
                // A relation field: its `references` name columns of the other model.
                if let Some(r) = REFERENCES.captures(attrs).and_then(|c| c.get(1)) {
                    let attrs_offset = line.offset + c.get(5).map_or(0, |m| m.start());
                    for (i, part) in r.as_str().split(',').enumerate() {
                        let field = part.trim();
                        if field.is_empty() {
                            continue;
                        }
                        let within = r.as_str().split(',').take(i).map(|p| p.len() + 1).sum::<usize>()
                            + (part.len() - part.trim_start().len());
                        facts.hits.push(src.hit(
                            attrs_offset + r.start() + within,
                            Target::ModelColumn { model: model_name(base), column: field.to_owned() },
                            RefKind::Declaration,
                            Confidence::High,
                        ));
                    }
                }
                continue;
            }
            if IGNORE.is_match(attrs) {
                continue;
            }
            let column = MAP.captures(attrs).and_then(|c| c.get(1)).map_or(name.as_str(), |m| m.as_str());
            fields.push((name.as_str().to_owned(), column.to_owned()));
            facts.hits.push(src.hit(
                line.offset + name.start(),
                Target::Column { table: table.clone(), column: column.to_owned() },
                RefKind::Declaration,
                Confidence::High,
            ));
        }
        // An index or key over fields names their columns: the migration that drops one must
        // drop or change the index too.
        let mut compounds: Vec<(String, Vec<String>)> = Vec::new();
        for line in &block.body {
            let Some(list) = BLOCK_FIELDS.captures(line.text).and_then(|c| c.get(1).or_else(|| c.get(2))) else {
                continue;
            };
            // `@@unique([deviceIdentifier, token], name: "passwordless_tokens")`: the name the
            // client's `where` selects the key by, as it does the default `deviceIdentifier_token`
            // of an unnamed `@@unique`/`@@id` (the fields joined by `_`, in the order listed).
            let key = COMPOUND_NAME
                .captures(line.text)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str().to_owned())
                .or_else(|| COMPOUND_KEY.is_match(line.text).then(|| list_fields(list.as_str()).join("_")));
            if let Some(key) = key {
                let columns: Vec<String> = list_fields(list.as_str())
                    .into_iter()
                    .filter_map(|name| fields.iter().find(|(f, c)| f == name && !c.is_empty()))
                    .map(|(_, c)| c.clone())
                    .collect();
                if columns.len() > 1 {
                    compounds.push((key, columns));
                }
            }
            // `b(sort: Desc)`: the field is the name before its arguments.
            let mut depth = 0usize;
            let mut start = list.start();
            for (i, ch) in list.as_str().char_indices().chain([(list.len(), ',')]) {
                match ch {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => {
                        let part = &line.text[start..list.start() + i];
                        if let Some(name) = FIELD_NAME.find(part)
                            && let Some((_, column)) = fields.iter().find(|(f, c)| f == name.as_str() && !c.is_empty())
                        {
                            facts.hits.push(src.hit(
                                line.offset + start + name.start(),
                                Target::Column { table: table.clone(), column: column.clone() },
                                RefKind::Declaration,
                                Confidence::High,
                            ));
                        }
                        start = list.start() + i + 1;
                    }
                    _ => {}
                }
            }
        }
        // A relation that holds one foreign key reads it (`user User @relation(fields: [userId] …)`
        // → `user_id`); a composite key or the other side of the relation reads none of the
        // declaring table's columns.
        let associations = relations
            .into_iter()
            .map(|(name, model, many, keys)| {
                let foreign_key = match keys.as_slice() {
                    [key] => fields.iter().find(|(f, c)| f == key && !c.is_empty()).map(|(_, c)| c.clone()),
                    _ => None,
                };
                Association { name, model, many, foreign_key, inverse: None, associated_keys: Vec::new() }
            })
            .chain(compounds.into_iter().map(|(name, columns)| {
                // A named compound key, read as the model itself over those columns: the key
                // names each of them, and `{ a, b }` under it are the model's own.
                Association {
                    name,
                    model: model_name(block.name),
                    many: false,
                    foreign_key: None,
                    inverse: None,
                    associated_keys: columns,
                }
            }))
            .collect();
        let (line, column) = src.pos(block.name_offset);
        facts.models.push(ModelDecl {
            framework: Framework::Prisma,
            class: model_name(block.name),
            parent: None,
            table: Some(table),
            is_abstract: false,
            ignored_columns: Vec::new(),
            fields,
            associations,
            mixins: Vec::new(),
            line,
            column,
            snippet: src.snippet(block.name_offset),
        });
    }
    facts.bindings = names(&facts.models);
    facts
}

/// What the app's code calls a model's records by: the client's accessor and its plural
/// (`teamUser`, `teamUsers`), and each relation's name and its singular (`members`, `member` →
/// `teamUser`), for names nothing else types (a `{ members }` destructured from an API row, a
/// `TeamMembersTable` component); see [`NAMES`].
fn names(models: &[ModelDecl]) -> Vec<Binding> {
    let bind = |name: String, model: &str| Binding {
        scope: NAMES.to_owned(),
        name,
        root: Root::Model { model: model.to_owned() },
        path: Vec::new(),
    };
    let mut out = Vec::new();
    for m in models {
        out.push(bind(m.class.clone(), &m.class));
        out.push(bind(inflect::pluralize(&m.class), &m.class));
    }
    // A model's own name wins over a relation of that name to another model (`User.teams` holds
    // `TeamUser` rows; `teams` alone is `Team`'s).
    let own: BTreeSet<String> = out.iter().map(|b| b.name.clone()).collect();
    for m in models {
        // A compound key (`identifier_token`) is no relation: a name like it holds the key's
        // values, not the model's records.
        for a in m.associations.iter().filter(|a| a.associated_keys.is_empty()) {
            let target = model_name(&a.model);
            for name in [a.name.clone(), inflect::singularize(&a.name)] {
                if !own.contains(&name) {
                    out.push(bind(name, &target));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_are_associations_reading_their_foreign_key() {
        let facts = schema(
            "model Website {\n  id String @id\n  userId String? @map(\"user_id\")\n  user User? @relation(\"u\", fields: [userId], references: [id])\n  events Event[]\n}\nmodel User {\n  id String @id\n  websites Website[] @relation(\"u\")\n}\nmodel Event {\n  id String @id\n  websiteId String\n  website Website @relation(fields: [websiteId], references: [id])\n}\n",
        );
        let website = &facts.models[0];
        let got: Vec<(&str, &str, bool, Option<&str>)> = website
            .associations
            .iter()
            .map(|a| (a.name.as_str(), a.model.as_str(), a.many, a.foreign_key.as_deref()))
            .collect();
        assert_eq!(got, vec![("user", "user", false, Some("user_id")), ("events", "event", true, None)]);
        assert_eq!(facts.models[2].associations[0].foreign_key.as_deref(), Some("websiteId"));
    }

    #[test]
    fn a_block_attribute_names_one_field_without_brackets() {
        let facts = schema(
            "model Domain {\n  id String @id\n  lastChecked DateTime\n  hash String\n  slug String\n  @@index(lastChecked(sort: Asc))\n  @@index(hash)\n  @@unique(slug, map: \"s\")\n  @@index(name: \"n\", fields: [slug])\n  @@index(nope)\n}\n",
        );
        let got: Vec<(u32, &str)> = facts
            .hits
            .iter()
            .filter(|h| h.line >= 6)
            .filter_map(|h| match &h.target {
                Target::Column { column, .. } => Some((h.line, column.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(got, vec![(6, "lastChecked"), (7, "hash"), (8, "slug"), (9, "slug")]);
    }
}
