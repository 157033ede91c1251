//! Indented templates reduced to their code: Haml (Rails) and Slim — one syntax for Ruby's Slim
//! (Rails) and Elixir's Slime (`phoenix_slime`). Both languages close blocks with `end`, so one
//! reduction serves both extractors: Rails parses the result as Ruby, Phoenix reads its code
//! spans as a template's code regions.

/// Which indented syntax a template is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Haml,
    /// Slim (`.slim`, Ruby) and Slime (`.slime`, Elixir).
    Slim,
}

/// The code of an indented template.
#[derive(Debug, Clone, Default)]
pub struct Code {
    /// The template with every byte outside its code blanked (newlines kept), offsets unchanged:
    /// see [`to_code`].
    pub text: String,
    /// The code kept, as byte ranges of the template in order of their start: a code line (and
    /// each line a trailing comma continues it onto), an attribute value, a `#{…}`, a line of a
    /// `ruby:`/`elixir:` block.
    pub spans: Vec<(usize, usize)>,
    /// Where each `end` closing a block was written (in order); those past the template's own
    /// length close blocks still open at its end.
    pub ends: Vec<usize>,
}

/// The code of a Haml or Slim template, every other byte blanked (newlines kept): code lines
/// (`- x`, `= x`, `!= x`, `== x`; Slim's `=>`, `=<`), code after a tag (`%td= user.email`,
/// `td = user.email`, `span.score title="Score" = @image.score`), Slim's attribute values written
/// as code (`a href=user_path(@user)`, `data-id=@image.id`, `class=(x ? "a" : "b")`), `#{…}` in
/// text and quoted attribute values, and the lines of a Slim `ruby:` / `elixir:` block. Comment
/// lines (`-#`, `/`) and other filters (`:javascript`, `javascript:`) are dropped with the lines
/// nested under them. Blocks have no `end` in these languages: one is written where the
/// indentation closes a block (`= form_for @user do |f|`, `- if x`, `= for x <- @xs do`), in the
/// blanked indentation or markup of the line that closes it, so that block parameters type
/// their uses (`f.text_field :email`). When a line has no room for them, tree-sitter's error
/// recovery still keeps the calls, and receivers are typed by name.
pub fn to_code(source: &str, dialect: Dialect) -> Code {
    let slim = dialect == Dialect::Slim;
    let bytes = source.as_bytes();
    let mut out: Vec<u8> = bytes.iter().map(|&b| if b == b'\n' { b'\n' } else { b' ' }).collect();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut ends: Vec<usize> = Vec::new();
    let keep = |out: &mut Vec<u8>, spans: &mut Vec<(usize, usize)>, from: usize, to: usize| {
        if from < to {
            out[from..to].copy_from_slice(&bytes[from..to]);
            spans.push((from, to));
        }
    };
    // `#{…}` between `from` and `to` kept, each closed with `;` (over its `}`).
    let interpolate = |out: &mut Vec<u8>, spans: &mut Vec<(usize, usize)>, from: usize, to: usize| {
        let text = &source[from..to];
        let mut search = 0;
        while let Some(p) = text[search..].find("#{").map(|p| search + p) {
            let Some(close) = text[p..].find('}').map(|c| p + c) else { break };
            keep(out, spans, from + p + 2, from + close);
            out[from + close] = b';';
            search = close + 1;
        }
    };
    let mut skip_deeper_than: Option<usize> = None;
    // A Slim `ruby:` / `elixir:` block: the lines nested deeper than this are code.
    let mut code_deeper_than: Option<usize> = None;
    // The indentation of each code line that opened a block still open.
    let mut open_blocks: Vec<usize> = Vec::new();
    // Where the `end`s closing blocks before the current line go: that line's blank room.
    let mut pending_ends = 0usize;
    // The deepest indentation of the blocks those `end`s close.
    let mut pending_deepest = 0usize;
    // The blank room left before the previous statement's code (from, to) and its indentation.
    let mut previous_room: Option<(usize, usize, usize)> = None;
    // The indentation of the code line a trailing comma continues onto the next line
    // (`= link_to t('.x'), path,` then `  data: { … }`): both languages read on.
    let mut continued: Option<usize> = None;
    let ends_with_comma = |code: &str| code.trim_end().ends_with(',');
    let mut start = 0;
    for line in source.split_inclusive('\n') {
        let end = start + line.trim_end_matches(['\n', '\r']).len();
        let line_start = start;
        let text = &source[start..end];
        let indent = text.len() - text.trim_start().len();
        let body = text.trim_start();
        let at = start + indent;
        start += line.len();
        if body.is_empty() {
            continue;
        }
        if let Some(depth) = skip_deeper_than {
            if indent > depth {
                continue;
            }
            skip_deeper_than = None;
        }
        if let Some(depth) = code_deeper_than {
            if indent > depth {
                keep(&mut out, &mut spans, at, end);
                continue;
            }
            code_deeper_than = None;
        }
        if let Some(first) = continued {
            // More arguments of the code line above, whatever this line looks like.
            keep(&mut out, &mut spans, at, end);
            continued = ends_with_comma(body).then_some(first);
            let c = body.trim_end();
            if continued.is_none() && (c.ends_with(" do") || (c.ends_with('|') && c.contains(" do |"))) {
                open_blocks.push(first);
            }
            continue;
        }
        let marker = marker_len(body, slim);
        let code = marker.map(|m| body[m..].trim_start());
        let continues = code
            .is_some_and(|c| ["else", "elsif ", "when ", "in ", "rescue", "ensure"].iter().any(|k| c.starts_with(k)));
        while let Some(&open) = open_blocks.last() {
            if indent > open || (indent == open && continues) {
                break;
            }
            open_blocks.pop();
            pending_deepest = if pending_ends == 0 { open } else { pending_deepest.max(open) };
            pending_ends += 1;
        }
        // The blank room before this line's kept code: its indentation, or the whole line when
        // nothing of it is kept (written below, once the kept part is known).
        let room_end = |out: &[u8]| (line_start..end).find(|&i| out[i] != b' ').unwrap_or(end);
        let opens = |c: &str| {
            let c = c.trim_end();
            let keyword =
                ["if ", "unless ", "case ", "while ", "until ", "for ", "begin"].iter().any(|k| c.starts_with(k));
            let block = c.ends_with(" do")
                || c == "do"
                // `get`: a line cut at `do |` has no parameters to look at (and is no block).
                || (c.ends_with('|')
                    && c.rfind(" do |").is_some_and(|i| c.get(i + 5..c.len() - 1).is_some_and(|p| !p.contains('|'))));
            keyword || block
        };
        let close_here = |out: &mut Vec<u8>,
                          ends: &mut Vec<usize>,
                          pending: &mut usize,
                          previous: &mut Option<(usize, usize, usize)>| {
            let room = room_end(out) - line_start;
            let before =
                previous.filter(|&(from, to, at)| at > pending_deepest && to.saturating_sub(from) >= 4 * *pending);
            if let Some((from, _, _)) = before.filter(|_| room < 4 * *pending) {
                // No room here (`= form_for …` at the margin): the blocks close just before the
                // last statement inside them, which leaves that one statement outside rather
                // than closing the next block this line opens.
                for k in 0..*pending {
                    out[from + 4 * k..from + 4 * k + 4].copy_from_slice(b"end;");
                    ends.push(from + 4 * k);
                }
                *pending = 0;
            }
            let n = (*pending).min(room / 4);
            for k in 0..n {
                out[line_start + 4 * k..line_start + 4 * k + 4].copy_from_slice(b"end;");
                ends.push(line_start + 4 * k);
            }
            // What does not fit closes on a later line with room: the block then reaches a
            // little further than it does, which binds nothing wrongly.
            *pending -= n;
            *previous = Some((line_start + 4 * n, line_start + room, indent));
        };
        let comment = body.starts_with("-#") || body.starts_with('/') || (body.starts_with(':') && !slim);
        let slim_filter = slim && body.starts_with(|c: char| c.is_ascii_lowercase()) && body.ends_with(':');
        if slim_filter && matches!(body, "ruby:" | "elixir:") {
            code_deeper_than = Some(indent);
            close_here(&mut out, &mut ends, &mut pending_ends, &mut previous_room);
            continue;
        }
        if comment || slim_filter {
            skip_deeper_than = Some(indent);
            continue;
        }
        if let Some(marker) = marker {
            keep(&mut out, &mut spans, at + marker, end);
            close_here(&mut out, &mut ends, &mut pending_ends, &mut previous_room);
            if code.is_some_and(|c| !continues && opens(c)) {
                open_blocks.push(indent);
            }
            continued = code.is_some_and(ends_with_comma).then_some(indent);
            continue;
        }
        // A tag: `%td.x{ a: 1 }= code`, `td.x = code`; otherwise text with `#{…}`.
        let tag_len = body
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '%' | '.' | '#' | '-' | '_' | ':')))
            .map_or(body.len(), |(i, _)| i);
        let is_tag = tag_len > 0 && (body.starts_with(['%', '.', '#']) || slim);
        // The parts of the line read as text (for `#{…}`): all of it, less Slim's attribute
        // values written as code.
        let mut text_from = line_start;
        if is_tag {
            let mut i = tag_len;
            let rest = body.as_bytes();
            // Attribute groups: `{…}`, `(…)`, `[…]`.
            while let Some(&open) = rest.get(i) {
                let close = match open {
                    b'{' => b'}',
                    b'(' => b')',
                    b'[' => b']',
                    _ => break,
                };
                let mut depth = 0usize;
                while i < rest.len() {
                    if rest[i] == open {
                        depth += 1;
                    } else if rest[i] == close {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    i += 1;
                }
                i += 1;
            }
            if slim {
                // Whitespace modifiers (`strong> text`), then `name=value` attributes.
                while matches!(rest.get(i), Some(b'<' | b'>')) {
                    i += 1;
                }
                while let Some((value, value_end)) = attribute(rest, i) {
                    if !matches!(rest[value], b'"' | b'\'') {
                        interpolate(&mut out, &mut spans, text_from, at + value);
                        keep(&mut out, &mut spans, at + value, at + value_end);
                        if rest.get(value_end) == Some(&b' ') {
                            out[at + value_end] = b';';
                        }
                        text_from = at + value_end;
                    }
                    i = value_end;
                }
            }
            let after = body.get(i..).unwrap_or("");
            let trimmed = after.trim_start();
            let code_marker = ["!=", "&=", "==", "="].iter().find(|m| trimmed.starts_with(**m));
            if let Some(m) = code_marker {
                let mut m = m.len();
                if slim {
                    m += trimmed[m..].len() - trimmed[m..].trim_start_matches(['<', '>', '\'']).len();
                }
                let code_at = at + i + (after.len() - trimmed.len()) + m;
                if slim {
                    interpolate(&mut out, &mut spans, text_from, code_at.min(end));
                }
                keep(&mut out, &mut spans, code_at.min(end), end);
                close_here(&mut out, &mut ends, &mut pending_ends, &mut previous_room);
                if opens(trimmed[m..].trim_start()) {
                    open_blocks.push(indent);
                }
                continued = ends_with_comma(trimmed).then_some(indent);
                continue;
            }
        }
        // Interpolation in text.
        interpolate(&mut out, &mut spans, text_from, end);
        close_here(&mut out, &mut ends, &mut pending_ends, &mut previous_room);
    }
    // Blocks still open at the end of the file close after it: the text grows, but no offset
    // of the template's own code moves.
    for _ in 0..open_blocks.len() + pending_ends {
        out.extend_from_slice(b"\nend");
        ends.push(out.len() - 3);
    }
    spans.sort_unstable();
    Code { text: String::from_utf8_lossy(&out).into_owned(), spans, ends }
}

/// The length of a code line's marker (`=`, `==`, `-`, `!=`, `&=`, `~`; in Slim, `=` and `==`
/// followed by the whitespace modifiers `<`, `>`, `'`: `=> x`), if the line is code.
fn marker_len(body: &str, slim: bool) -> Option<usize> {
    let marker = ["!=", "&=", "==", "=", "-", "~"].iter().find(|m| body.starts_with(**m))?;
    let mut len = marker.len();
    if slim && marker.ends_with('=') {
        let rest = &body[len..];
        len += rest.len() - rest.trim_start_matches(['<', '>', '\'']).len();
    }
    Some(len)
}

/// A Slim attribute at `from` in a tag line's `body` (spaces before it skipped): `name=value`
/// where the value is a quoted string or an expression that runs to the next space outside
/// brackets and strings. The value's start and end.
fn attribute(body: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    while body.get(i) == Some(&b' ') {
        i += 1;
    }
    let name_end = (i..body.len())
        .find(|&k| !(body[k].is_ascii_alphanumeric() || matches!(body[k], b'-' | b'_' | b':' | b'@' | b'.')))
        .unwrap_or(body.len());
    if name_end == i || body.get(name_end) != Some(&b'=') {
        return None;
    }
    let value = name_end + 1;
    let first = *body.get(value)?;
    if first == b' ' || first == b'=' {
        return None;
    }
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut k = value;
    while k < body.len() {
        let c = body[k];
        if let Some(q) = quote {
            if c == b'\\' {
                k += 2;
                continue;
            }
            if c == q {
                quote = None;
                if depth == 0 && k > value && matches!(first, b'"' | b'\'') {
                    return Some((value, k + 1));
                }
            }
        } else {
            match c {
                b'"' | b'\'' => quote = Some(c),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b' ' | b'\t' if depth == 0 => return Some((value, k)),
                _ => {}
            }
        }
        k += 1;
    }
    Some((value, body.len().min(k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slim_attribute_values_and_markers_are_code() {
        let src = "span.score title=\"S #{a.b}\" data-id=@image.id = @image.score\n=> round(min.base_price)\np Text\n";
        let code = to_code(src, Dialect::Slim);
        let kept: Vec<&str> = code.spans.iter().map(|&(f, t)| src[f..t].trim()).collect();
        assert_eq!(kept, vec!["a.b", "@image.id", "@image.score", "round(min.base_price)"]);
    }

    #[test]
    fn slim_blocks_close_with_end_and_code_filters_are_kept() {
        let src = "elixir:\n  x = @a.b\n= for i <- @items do\n  = i.name\np Done\n";
        let code = to_code(src, Dialect::Slim);
        let kept: Vec<&str> = code.spans.iter().map(|&(f, t)| src[f..t].trim()).collect();
        assert_eq!(kept, vec!["x = @a.b", "for i <- @items do", "i.name"]);
        assert_eq!(code.ends.len(), 1);
        assert_eq!(&code.text[code.ends[0]..code.ends[0] + 3], "end");
        assert_eq!(Some(code.ends[0]), src.find("p Done"));
    }
}
