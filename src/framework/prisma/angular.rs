//! Angular component templates (`*.component.html`): the expressions of a template read the
//! fields of its component, whose types the component's file binds (scope [`TEMPLATES`], name
//! `<template module>#<field>`, see `receivers.rs`), so `{{ element.alias }}` in a table whose
//! `[dataSource]` holds a model's rows reads that model's column.
//!
//! Read without a full HTML parser: the expressions are the interpolations (`{{ … }}`), the
//! values of bound attributes (`[value]`, `(click)`, `*ngIf`, `[class.x]`) and the conditions of
//! the control-flow blocks (`@if (…)`, `@for (…)`); the names a template declares (`@for (item
//! of list; …)`, `*ngFor="let item of list"`, `@if (expr; as x)`, a table cell's `*matCellDef="let
//! element"` over the last `[dataSource]` before it) hold what their expression holds, from
//! where they are declared on.

use crate::config::Confidence;
use crate::scan::extract::treesit::Src;
use crate::scan::facts::{Hit, Root, Target};
use crate::scan::reference::RefKind;

/// The scope of bindings for what an Angular component's fields hold, for its template: name =
/// `<template module>#<field>`, the template's path without its extension.
pub const TEMPLATES: &str = "prisma:angular";

/// Whether a path is an Angular template a component may name.
pub fn is_template(path: &str) -> bool {
    path.ends_with(".html")
}

/// A member chain of an expression: each name with its offset and whether it is called.
type Chain<'a> = Vec<(&'a str, usize, Call)>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    /// Not called.
    No,
    /// Called without arguments (`user()`: a signal's value).
    Empty,
    /// Called with arguments (a method).
    Args,
}

/// What a name the template declares holds: the root and the path of its expression.
#[derive(Clone)]
struct Local {
    root: Root,
    path: Vec<String>,
}

/// The hits of a template at `path` (see the module's documentation).
pub fn read(source: &str, module: &str) -> Vec<Hit> {
    let src = Src::new(source);
    let mut regions = expressions(source);
    regions.sort_by_key(|r| r.1);
    // (offset declared, name) → what it holds.
    let mut locals: Vec<(usize, &str, Local)> = Vec::new();
    let mut data_source: Option<Local> = None;
    let mut hits = Vec::new();
    for (kind, offset, text) in regions {
        let at = |local: &str| -> Option<Local> {
            locals.iter().rev().find(|(o, n, _)| *o <= offset && *n == local).map(|(_, _, l)| l.clone())
        };
        let typed = |chain: &Chain<'_>| -> Option<Local> {
            let (root, _, _) = chain.first()?;
            at(root).or_else(|| {
                Some(Local {
                    root: Root::Binding {
                        scopes: vec![TEMPLATES.to_owned()],
                        name: format!("{module}#{root}"),
                        guess: None,
                    },
                    path: Vec::new(),
                })
            })
        };
        let held = |chain: &Chain<'_>| -> Option<Local> {
            let mut local = typed(chain)?;
            for (name, _, call) in chain.iter().skip(1) {
                if *call == Call::Args {
                    return None;
                }
                local.path.push((*name).to_owned());
            }
            Some(local)
        };
        // Names declared here, holding what their expression holds.
        let declared: Vec<(&str, Option<Local>)> = match kind {
            Region::For => {
                for_of(text).map(|(name, expr)| (name, chains(expr, 0).first().and_then(held))).into_iter().collect()
            }
            Region::Attribute("*ngFor") => for_of(text.trim_start().strip_prefix("let ").unwrap_or(text))
                .map(|(name, expr)| (name, chains(expr, 0).first().and_then(held)))
                .into_iter()
                .collect(),
            Region::Attribute(attr) if attr.starts_with("*mat") && attr.ends_with("Def") => text
                .split(';')
                .next()
                .and_then(|t| t.trim().strip_prefix("let "))
                .map(|n| (n.trim(), data_source.clone()))
                .into_iter()
                .collect(),
            Region::If | Region::Attribute(_) => match text.rsplit_once(" as ") {
                Some((expr, name))
                    if matches!(kind, Region::If) || matches!(kind, Region::Attribute(a) if a == "*ngIf") =>
                {
                    let name = name.trim();
                    let expr = expr.trim_end().trim_end_matches(';');
                    vec![(name, chains(expr, 0).first().and_then(held))]
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        if matches!(kind, Region::Attribute(a) if a == "[dataSource]") && in_table(source, offset) {
            data_source = chains(text, 0).first().and_then(held);
        }
        for chain in chains(text, offset) {
            let Some(start) = typed(&chain) else { continue };
            let mut path = start.path.clone();
            for (i, (name, at, call)) in chain.iter().enumerate().skip(1) {
                if *call == Call::Args {
                    break;
                }
                hits.push(src.hit(
                    *at,
                    Target::Chain { root: start.root.clone(), path: path.clone(), attribute: Some((*name).to_owned()) },
                    RefKind::Query,
                    Confidence::Medium,
                ));
                if i + 1 < chain.len() {
                    path.push((*name).to_owned());
                }
            }
        }
        for (name, local) in declared {
            if let Some(local) = local.filter(|_| is_name(name)) {
                locals.push((offset, name, local));
            }
        }
    }
    hits
}

/// What a region of a template is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Region<'a> {
    Interpolation,
    /// A bound attribute's value, by the attribute's name.
    Attribute(&'a str),
    /// `@for (…)`.
    For,
    /// `@if (…)`, `@else if (…)`, `@switch (…)`, `@case (…)`, `@let`.
    If,
}

/// The expressions of a template: each with what holds it, its offset and its text.
fn expressions(source: &str) -> Vec<(Region<'_>, usize, &str)> {
    let mut out = Vec::new();
    let bytes = source.as_bytes();
    // Interpolations.
    let mut from = 0;
    while let Some(i) = source[from..].find("{{") {
        let start = from + i + 2;
        let Some(len) = source[start..].find("}}") else { break };
        out.push((Region::Interpolation, start, &source[start..start + len]));
        from = start + len + 2;
    }
    // Control-flow blocks.
    for (word, region) in [
        ("@for", Region::For),
        ("@if", Region::If),
        ("@else if", Region::If),
        ("@switch", Region::If),
        ("@case", Region::If),
    ] {
        let mut from = 0;
        while let Some(i) = source[from..].find(word) {
            let mut at = from + i + word.len();
            from = at;
            while at < bytes.len() && bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            if bytes.get(at) != Some(&b'(') {
                continue;
            }
            let Some(end) = closing(source, at) else { continue };
            out.push((region, at + 1, &source[at + 1..end]));
        }
    }
    // Bound attributes: `[x]="…"`, `(x)="…"`, `*x="…"`, `[(x)]="…"`.
    let mut from = 0;
    while let Some(i) = source[from..].find("=\"") {
        let eq = from + i;
        from = eq + 2;
        let name_start = source[..eq].rfind(|c: char| c.is_ascii_whitespace() || c == '<').map_or(0, |p| p + 1);
        let name = &source[name_start..eq];
        if !name.starts_with(['[', '(', '*']) {
            continue;
        }
        let Some(len) = source[from..].find('"') else { break };
        out.push((Region::Attribute(name), from, &source[from..from + len]));
        from += len + 1;
    }
    out
}

/// Whether the tag holding the attribute at `offset` is a table (`<table mat-table …>`,
/// `<mat-table …>`), not another component with an input of the same name.
fn in_table(source: &str, offset: usize) -> bool {
    let Some(open) = source[..offset].rfind('<') else { return false };
    let tag = &source[open..offset];
    tag.starts_with("<table")
        || tag.starts_with("<mat-table")
        || tag.starts_with("<cdk-table")
        || tag.contains(" mat-table")
}

/// The offset of the `)` that closes the `(` at `open`, strings respected.
fn closing(source: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    for (i, &b) in source.as_bytes().iter().enumerate().skip(open) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'\'' | b'"' | b'`' => quote = Some(b),
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
    }
    None
}

/// `item of list; track item.id`: the name and the list's expression.
fn for_of(text: &str) -> Option<(&str, &str)> {
    let head = text.split(';').next()?;
    let (name, expr) = head.split_once(" of ")?;
    Some((name.trim(), expr.trim()))
}

fn is_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// The member chains of an expression (`user()?.subscription?.expiresAt`), strings left out;
/// offsets are `base` plus the name's place in `text`.
fn chains(text: &str, base: usize) -> Vec<Chain<'_>> {
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b'\'' | b'"' | b'`') {
            i += bytes[i + 1..].iter().position(|&c| c == b).map_or(bytes.len(), |p| p + 2);
            continue;
        }
        // A chain starts at a name not preceded by a member access.
        if !(b.is_ascii_alphabetic() || b == b'_' || b == b'$')
            || (i > 0 && (ident(bytes[i - 1]) || bytes[i - 1] == b'.'))
        {
            i += 1;
            continue;
        }
        let mut chain: Chain<'_> = Vec::new();
        loop {
            let start = i;
            while i < bytes.len() && ident(bytes[i]) {
                i += 1;
            }
            let name = &text[start..i];
            let mut call = Call::No;
            if bytes.get(i) == Some(&b'(') {
                call = if bytes.get(i + 1) == Some(&b')') { Call::Empty } else { Call::Args };
                if call == Call::Empty {
                    i += 2;
                }
            }
            chain.push((name, base + start, call));
            if call == Call::Args {
                break;
            }
            // `.`, `?.`, `!.` then a name.
            let next = match (bytes.get(i), bytes.get(i + 1)) {
                (Some(b'.'), _) => i + 1,
                (Some(b'?' | b'!'), Some(b'.')) => i + 2,
                _ => break,
            };
            if !bytes.get(next).is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_' || c == b'$') {
                break;
            }
            i = next;
        }
        out.push(chain);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_chains() {
        let names = |t: &str| -> Vec<Vec<String>> {
            chains(t, 0).into_iter().map(|c| c.into_iter().map(|(n, _, _)| n.to_owned()).collect()).collect()
        };
        assert_eq!(
            names("user()?.subscription?.expiresAt | date: f"),
            vec![vec!["user", "subscription", "expiresAt"], vec!["date"], vec!["f"]]
        );
        assert_eq!(names("get('a.b')(x.y)"), vec![vec!["get"], vec!["x", "y"]]);
        assert_eq!(names("a!.b.c(d).e"), vec![vec!["a", "b", "c"], vec!["d"]]);
    }
}
