//! SQL found in application code carries the driver's or framework's placeholders, which
//! libpg_query rejects: only `$1` is PostgreSQL. [`rewrite_placeholders`] turns each of them into
//! a fresh `$n` and remembers every edit, so a byte offset found in the rewritten text (a
//! [`SqlRef`](super::SqlRef) offset) maps back to the original text.
//!
//! Recognised outside string literals, quoted identifiers, comments and dollar-quoted bodies:
//! `?` (JDBC, ActiveRecord, Ecto fragments), `%s` and `%(name)s` (Python DB-API; `%%` becomes `%`),
//! `:name` (ActiveRecord, SQLAlchemy; `::type` casts are left alone), Ruby `#{…}` interpolation,
//! Elixir `^var` / `^(expr)` pins, `{{name}}` and `{{name::type}}` template parameters (umami's `rawQuery`),
//! JavaScript `${…}` substitutions. Existing `$n` are kept and new numbers start above the highest.

/// Rewritten SQL plus the edits that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    pub sql: String,
    edits: Vec<Edit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Edit {
    new_start: usize,
    new_len: usize,
    orig_start: usize,
    orig_len: usize,
}

impl Rewritten {
    /// The byte offset in the original text of byte `offset` of the rewritten text. An offset
    /// inside a substituted placeholder maps to the placeholder's start.
    pub fn original_offset(&self, offset: usize) -> usize {
        let idx = self.edits.partition_point(|e| e.new_start <= offset);
        let Some(e) = idx.checked_sub(1).and_then(|i| self.edits.get(i)) else { return offset };
        if offset < e.new_start + e.new_len {
            e.orig_start
        } else {
            offset - (e.new_start + e.new_len) + e.orig_start + e.orig_len
        }
    }

    /// The original byte range of the rewritten range `offset..offset + len`.
    pub fn original_span(&self, offset: usize, len: usize) -> (usize, usize) {
        let start = self.original_offset(offset);
        let end = if len == 0 { start } else { self.original_offset(offset + len - 1) + 1 };
        (start, end.max(start) - start)
    }

    /// Whether any placeholder was rewritten.
    pub fn changed(&self) -> bool {
        !self.edits.is_empty()
    }
}

/// Rewrite app-code placeholders into `$n`; see the module documentation.
pub fn rewrite_placeholders(text: &str) -> Rewritten {
    let found = scan(text);
    let mut next = found.max_dollar + 1;
    let mut sql = String::with_capacity(text.len() + 8);
    let mut edits = Vec::new();
    let mut pos = 0;
    for p in &found.placeholders {
        sql.push_str(&text[pos..p.start]);
        let replacement = match p.kind {
            Kind::Param => {
                let s = format!("${next}");
                next += 1;
                s
            }
            Kind::Literal(s) => s.to_owned(),
        };
        edits.push(Edit {
            new_start: sql.len(),
            new_len: replacement.len(),
            orig_start: p.start,
            orig_len: p.end - p.start,
        });
        sql.push_str(&replacement);
        pos = p.end;
    }
    sql.push_str(&text[pos..]);
    Rewritten { sql, edits }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Param,
    Literal(&'static str),
}

struct Placeholder {
    start: usize,
    end: usize,
    kind: Kind,
}

struct Scan {
    placeholders: Vec<Placeholder>,
    max_dollar: u32,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit()
}

fn scan(text: &str) -> Scan {
    let b = text.as_bytes();
    let mut out = Scan { placeholders: Vec::new(), max_dollar: 0 };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => i = skip_quoted(b, i, b'\''),
            b'"' => i = skip_quoted(b, i, b'"'),
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n + 1);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |n| i + 2 + n + 2);
            }
            b'$' => {
                let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                if b.get(i + 1) == Some(&b'{') {
                    // JavaScript `${…}` template substitution.
                    let end = matching_close(b, i + 1, b'{', b'}').unwrap_or(b.len());
                    out.placeholders.push(Placeholder { start: i, end, kind: Kind::Param });
                    i = end;
                } else if digits > 0 {
                    let n: u32 = text[i + 1..i + 1 + digits].parse().unwrap_or(0);
                    out.max_dollar = out.max_dollar.max(n);
                    i += 1 + digits;
                } else if let Some(end) = dollar_quote_end(text, i) {
                    i = end;
                } else {
                    i += 1;
                }
            }
            b'?' => {
                out.placeholders.push(Placeholder { start: i, end: i + 1, kind: Kind::Param });
                i += 1;
            }
            b'%' => match b.get(i + 1) {
                Some(b's') => {
                    out.placeholders.push(Placeholder { start: i, end: i + 2, kind: Kind::Param });
                    i += 2;
                }
                Some(b'%') => {
                    out.placeholders.push(Placeholder { start: i, end: i + 2, kind: Kind::Literal("%") });
                    i += 2;
                }
                Some(b'(') => match b[i + 2..].iter().position(|&c| c == b')') {
                    Some(n) if b.get(i + 2 + n + 1) == Some(&b's') => {
                        let end = i + 2 + n + 2;
                        out.placeholders.push(Placeholder { start: i, end, kind: Kind::Param });
                        i = end;
                    }
                    _ => i += 1,
                },
                _ => i += 1,
            },
            b':' => {
                if b.get(i + 1) == Some(&b':') {
                    i += 2;
                } else if b.get(i + 1).is_some_and(|&c| is_ident_start(c)) && (i == 0 || b[i - 1] != b':') {
                    let end = i + 1 + b[i + 1..].iter().take_while(|&&c| is_ident_char(c)).count();
                    out.placeholders.push(Placeholder { start: i, end, kind: Kind::Param });
                    i = end;
                } else {
                    i += 1;
                }
            }
            b'#' if b.get(i + 1) == Some(&b'{') => {
                let end = matching_close(b, i + 1, b'{', b'}').unwrap_or(b.len());
                out.placeholders.push(Placeholder { start: i, end, kind: Kind::Param });
                i = end;
            }
            b'{' if b.get(i + 1) == Some(&b'{') => {
                // `{{name}}` / `{{name::type}}`: a query helper's named parameter (umami's rawQuery).
                match memchr::memmem::find(&b[i + 2..], b"}}") {
                    Some(n) => {
                        let end = i + 2 + n + 2;
                        out.placeholders.push(Placeholder { start: i, end, kind: Kind::Param });
                        i = end;
                    }
                    None => i += 1,
                }
            }
            b'^' if b.get(i + 1) == Some(&b'(') => {
                let end = matching_close(b, i + 1, b'(', b')').unwrap_or(b.len());
                out.placeholders.push(Placeholder { start: i, end, kind: Kind::Param });
                i = end;
            }
            b'^' if b.get(i + 1).is_some_and(|&c| is_ident_start(c)) => {
                let end = i + 1 + b[i + 1..].iter().take_while(|&&c| is_ident_char(c) || c == b'.').count();
                out.placeholders.push(Placeholder { start: i, end, kind: Kind::Param });
                i = end;
            }
            c if is_ident_char(c) => {
                // Skip whole words so `a:b` inside identifiers and `x?` never split a name oddly.
                i += b[i..].iter().take_while(|&&c| is_ident_char(c) || c == b'$').count();
            }
            _ => i += 1,
        }
    }
    out
}

/// End (exclusive) of a quoted literal or identifier starting at `start`; doubled quotes escape.
fn skip_quoted(b: &[u8], start: usize, quote: u8) -> usize {
    let escapes = quote == b'\'' && start > 0 && matches!(b[start - 1], b'E' | b'e');
    let mut i = start + 1;
    while i < b.len() {
        if escapes && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == quote {
            if b.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// `$tag$ … $tag$`: the end of the body, when `start` opens one.
fn dollar_quote_end(text: &str, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let tag_len = b[start + 1..].iter().take_while(|&&c| is_ident_char(c)).count();
    if b.get(start + 1 + tag_len) != Some(&b'$') {
        return None;
    }
    let tag = &text[start..start + tag_len + 2];
    let body = start + tag.len();
    text[body..].find(tag).map(|n| body + n + tag.len()).or(Some(text.len()))
}

fn matching_close(b: &[u8], open_at: usize, open: u8, close: u8) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &c) in b.iter().enumerate().skip(open_at) {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(i + 1);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_marks_and_existing_dollars() {
        let r = rewrite_placeholders("SELECT * FROM users WHERE id = ? AND org = $2 AND x = ?");
        assert_eq!(r.sql, "SELECT * FROM users WHERE id = $3 AND org = $2 AND x = $4");
        assert!(pg_query::parse(&r.sql, 0).is_ok());
    }

    #[test]
    fn python_styles() {
        let r =
            rewrite_placeholders("SELECT email FROM users WHERE name LIKE 'a%%' OR id = %(id)s AND x LIKE %s || '%%'");
        // `%%` inside a string literal is left alone; outside it becomes `%`.
        assert_eq!(r.sql, "SELECT email FROM users WHERE name LIKE 'a%%' OR id = $1 AND x LIKE $2 || '%%'");
        let r = rewrite_placeholders("SELECT 10 %% 3, %s");
        assert_eq!(r.sql, "SELECT 10 % 3, $1");
    }

    #[test]
    fn named_colon_but_not_casts() {
        let r = rewrite_placeholders("SELECT id::text FROM users WHERE email = :email AND created_at > :since::date");
        assert_eq!(r.sql, "SELECT id::text FROM users WHERE email = $1 AND created_at > $2::date");
    }

    #[test]
    fn double_brace_template_parameters_and_js_substitutions() {
        let r = rewrite_placeholders(
            "SELECT id FROM t WHERE a = {{a::uuid}} AND b = '{{b}}' AND c = {{c}} AND d = ${f({ x })}",
        );
        // The cast goes with the placeholder; inside a string literal the braces are text.
        assert_eq!(r.sql, "SELECT id FROM t WHERE a = $1 AND b = '{{b}}' AND c = $2 AND d = $3");
        assert!(pg_query::parse(&r.sql, 0).is_ok());
    }

    #[test]
    fn ruby_interpolation_and_elixir_pins() {
        let r = rewrite_placeholders("SELECT * FROM users WHERE id = #{user.id} AND name = #{h({a: 1})}");
        assert_eq!(r.sql, "SELECT * FROM users WHERE id = $1 AND name = $2");
        let r = rewrite_placeholders("SELECT * FROM users WHERE id = ^user_id AND org = ^(org.id) AND 2 ^ 3 = 8");
        assert_eq!(r.sql, "SELECT * FROM users WHERE id = $1 AND org = $2 AND 2 ^ 3 = 8");
    }

    #[test]
    fn strings_comments_and_dollar_bodies_untouched() {
        let text = "SELECT '?', \"a?\" -- ?\n, $$ :x ? $$, $f$ ? $f$ /* %s */ FROM t WHERE a = ?";
        let r = rewrite_placeholders(text);
        assert_eq!(r.sql, "SELECT '?', \"a?\" -- ?\n, $$ :x ? $$, $f$ ? $f$ /* %s */ FROM t WHERE a = $1");
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let text = "SELECT a FROM users WHERE x = %(long_name)s AND users.email = :e AND y = ?";
        let r = rewrite_placeholders(text);
        assert_eq!(r.sql, "SELECT a FROM users WHERE x = $1 AND users.email = $2 AND y = $3");
        let new = r.sql.find("users.email").unwrap();
        let orig = text.find("users.email").unwrap();
        assert_eq!(r.original_offset(new), orig);
        assert_eq!(r.original_span(new, "users.email".len()), (orig, "users.email".len()));
        // inside a placeholder → its start
        let p = r.sql.find("$1").unwrap();
        assert_eq!(r.original_offset(p + 1), text.find("%(").unwrap());
        assert_eq!(r.original_offset(3), 3);
        // refs found in the rewritten text land on the original names
        let refs = crate::sql::statement_refs(&r.sql).unwrap();
        let email = refs.iter().find(|x| x.column.as_deref() == Some("email")).unwrap();
        let (o, l) = r.original_span(email.offset, email.len);
        assert_eq!(&text[o..o + l], "users.email");
    }
}
