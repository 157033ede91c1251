//! HTML primitives every page shares (the check report, the release notes): escaping, inline
//! code spans, anchors, badges and the self-contained page shell with its inline styles.

use std::fmt::Write as _;

use crate::rules::finding::{Severity, Verdict};

/// Escape text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text with markdown-style `code` spans (as findings and notes write names) as `<code>`.
pub fn inline(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

/// A fragment id from any text: lower-case ASCII letters, digits and `-`.
pub fn anchor(prefix: &str, s: &str) -> String {
    let clean: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("{prefix}-{clean}")
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#0f172a;background:#f8fafc}\
main{max-width:1100px;margin:0 auto;padding:24px}\
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.25rem;margin:32px 0 8px;border-bottom:1px solid #cbd5e1;padding-bottom:4px}\
h3{font-size:1.05rem;margin:20px 0 6px}\
nav a{margin-right:14px}a{color:#1d4ed8}\
table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0}\
th,td{border:1px solid #e2e8f0;padding:4px 8px;text-align:left;vertical-align:top;font-size:.9rem}\
th{background:#f1f5f9}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;background:#f1f5f9;padding:0 3px;border-radius:3px}\
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.8rem;font-weight:600}\
.pass{background:#dcfce7;color:#166534}.warn{background:#fef9c3;color:#854d0e}.block{background:#fee2e2;color:#991b1b}\
.info{background:#e0f2fe;color:#075985}.suppressed{background:#e2e8f0;color:#334155}\
.card{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:10px 14px;margin:10px 0}\
.muted{color:#64748b}.graph{overflow:auto;background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:8px}\
ul{margin:4px 0 8px;padding-left:22px}";

/// A whole page: `body` inside `<main>`, with the title and styles in the head.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape(title)
    )
}

/// A verdict or severity as a coloured badge.
pub fn badge(class: &str, text: &str) -> String {
    format!("<span class=\"badge {class}\">{}</span>", escape(text))
}

pub fn verdict_badge(v: Verdict) -> String {
    badge(v.as_str(), v.as_str())
}

pub fn severity_badge(s: Severity, suppressed: bool) -> String {
    if suppressed { badge("suppressed", &format!("{s}, suppressed")) } else { badge(s.as_str(), s.as_str()) }
}

/// An SVG document ready to sit inside HTML: without its XML declaration.
pub fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}
