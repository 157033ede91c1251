//! Next.js API routes: the URL a handler file answers (`pages/api/teams/[teamId]/settings.ts`,
//! `app/(ee)/api/teams/[teamId]/settings/route.ts` → `/api/teams/*/settings`) and the URL a page
//! fetches (`` `/api/teams/${teamId}/settings` `` → the same), so that what a handler answers
//! with `res.json(…)`/`NextResponse.json(…)` types what a page's `useSWR(…)` gets (a binding in
//! scope [`ROUTES`] named by the URL).

use crate::grammar::NodeExt;
use tree_sitter::Node;

use crate::scan::extract::js::unwrap;
use crate::scan::extract::treesit::{Src, named_children, string_value};

/// The scope of bindings for what an API route answers: name = its URL, each dynamic segment
/// `*` (`/api/teams/*/settings`).
pub const ROUTES: &str = "prisma:routes";

/// The scope of bindings for the fields an API route writes from its request body: name =
/// `<url>.<key>`, the model the handler writes the body's `key` into under its own name.
pub const BODIES: &str = "prisma:route-bodies";

/// Stands for an interpolated value while a URL is read.
const HOLE: char = '\u{1}';

/// The URL the handler file at `path` answers: a `pages/api/…` module (`index` names its
/// folder) or an App Router `route.ts` under `app/` (route groups `(x)` left out). A catch-all
/// segment (`[...path]`) answers many URLs and is not named.
pub fn route_of(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    let file = *parts.last()?;
    let (stem, ext) = file.rsplit_once('.')?;
    if !matches!(ext, "ts" | "js" | "tsx" | "jsx" | "mts" | "mjs") {
        return None;
    }
    let segments: Vec<&str> = if let Some(at) = parts.windows(2).position(|w| w == ["pages", "api"]) {
        let mut s: Vec<&str> = parts[at + 1..parts.len() - 1].to_vec();
        if stem != "index" {
            s.push(stem);
        }
        s
    } else if stem == "route" {
        let at = parts.iter().position(|p| *p == "app")?;
        parts[at + 1..parts.len() - 1].iter().copied().filter(|p| !(p.starts_with('(') && p.ends_with(')'))).collect()
    } else {
        return None;
    };
    let mut url = String::new();
    for segment in segments {
        url.push('/');
        match segment.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some(inner) if inner.starts_with("...") || inner.starts_with('[') => return None,
            Some(_) => url.push('*'),
            None => url.push_str(segment),
        }
    }
    url.starts_with("/api/").then_some(url)
}

/// The URL a string names in the app's own API (`"/api/teams"`, `` `/api/teams/${id}/settings` ``,
/// `` `${base}/api/links/${id}?x=1` ``, the branch of `id ? `…` : null` that is one), each
/// interpolated segment `*`; a value interpolated at the end of the last segment is a query or a
/// suffix and is left out (`` `…/plan${q ? "?x=1" : ""}` ``).
pub fn url_of(src: &Src<'_>, node: Node<'_>) -> Option<String> {
    let node = unwrap(node);
    let text = match node.kind_name() {
        "string" => string_value(src, node)?.0,
        "template_string" => {
            let mut text = String::new();
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                match child.kind_name() {
                    "template_substitution" => text.push(HOLE),
                    "string_fragment" | "escape_sequence" => text.push_str(src.node_text(child)),
                    _ => {}
                }
            }
            text
        }
        "ternary_expression" => {
            return named_children(node).into_iter().skip(1).find_map(|branch| url_of(src, branch));
        }
        _ => return None,
    };
    let path = text.split('?').next()?;
    let segments: Vec<&str> = path.split('/').collect();
    let api = segments.iter().position(|s| *s == "api")?;
    // Only a leading slash or a base URL held in a value before `/api`.
    if !segments[..api].iter().all(|s| s.chars().all(|c| c == HOLE)) {
        return None;
    }
    let rest = &segments[api..];
    let mut url = String::new();
    for (i, segment) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        if segment.is_empty() && last {
            break;
        }
        url.push('/');
        if segment.chars().all(|c| c == HOLE) && !segment.is_empty() {
            url.push('*');
            continue;
        }
        match segment.find(HOLE) {
            None => url.push_str(segment),
            // `plan${suffix}`: the segment's text; only at the end.
            Some(at) if last && at > 0 => url.push_str(&segment[..at]),
            Some(_) => return None,
        }
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_files_name_their_urls() {
        assert_eq!(route_of("pages/api/teams/[teamId]/settings.ts").as_deref(), Some("/api/teams/*/settings"));
        assert_eq!(route_of("pages/api/teams/index.ts").as_deref(), Some("/api/teams"));
        assert_eq!(route_of("src/pages/api/links/[id]/index.ts").as_deref(), Some("/api/links/*"));
        assert_eq!(route_of("app/(ee)/api/ai/chat/route.ts").as_deref(), Some("/api/ai/chat"));
        assert_eq!(route_of("pages/api/webhooks/services/[...path]/index.ts"), None);
        assert_eq!(route_of("pages/settings/general.tsx"), None);
        assert_eq!(route_of("app/(auth)/login/page.tsx"), None);
        assert_eq!(route_of("lib/api/teams.ts"), None);
    }
}
