//! Canonical MySQL type and default text: what MariaDB 10.11 prints in
//! `information_schema.COLUMNS.COLUMN_TYPE` and `COLUMN_DEFAULT`, so that a dump and a live
//! database read the same.

/// `INT` → `int(11)`, `BIGINT UNSIGNED` → `bigint(20) unsigned`, `BOOLEAN` → `tinyint(1)`,
/// `ENUM('a', 'b')` → `enum('a','b')`, `DECIMAL` → `decimal(10,0)`, `INTEGER` → `int(11)`.
pub fn normalize_type(text: &str) -> String {
    let compact = compact(text);
    let (head, args, rest) = match compact.find('(') {
        Some(open) => match close_paren(&compact, open) {
            Some(close) => (
                compact[..open].trim().to_owned(),
                Some(compact[open + 1..close].to_owned()),
                compact[close + 1..].trim(),
            ),
            None => (compact.clone(), None, ""),
        },
        None => split_head(&compact),
    };
    let mut unsigned = false;
    let mut zerofill = false;
    let mut extra = Vec::new();
    for word in rest.split_whitespace() {
        match word {
            "unsigned" => unsigned = true,
            "zerofill" => {
                zerofill = true;
                unsigned = true;
            }
            "signed" => {}
            w => extra.push(w),
        }
    }
    let base = match head.as_str() {
        "integer" => "int",
        "int1" => "tinyint",
        "int2" => "smallint",
        "int3" | "middleint" => "mediumint",
        "int4" => "int",
        "int8" => "bigint",
        "bool" | "boolean" => return "tinyint(1)".to_owned(),
        "dec" | "numeric" | "fixed" => "decimal",
        "real" | "double precision" | "float8" => "double",
        "float4" => "float",
        "character varying" | "char varying" | "national varchar" | "nvarchar" | "national character varying" => {
            "varchar"
        }
        "character" | "national char" | "nchar" | "national character" => "char",
        other => other,
    }
    .to_owned();
    let args = match (base.as_str(), args) {
        ("tinyint", None) => Some(if unsigned { "3" } else { "4" }.to_owned()),
        ("smallint", None) => Some(if unsigned { "5" } else { "6" }.to_owned()),
        ("mediumint", None) => Some(if unsigned { "8" } else { "9" }.to_owned()),
        ("int", None) => Some(if unsigned { "10" } else { "11" }.to_owned()),
        ("bigint", None) => Some("20".to_owned()),
        ("decimal", None) => Some("10,0".to_owned()),
        ("decimal", Some(a)) if !a.contains(',') => Some(format!("{a},0")),
        ("year", None) => Some("4".to_owned()),
        ("bit" | "char" | "binary", None) => Some("1".to_owned()),
        (_, a) => a,
    };
    let mut out = base;
    if let Some(a) = args {
        out.push('(');
        out.push_str(&a);
        out.push(')');
    }
    if unsigned {
        out.push_str(" unsigned");
    }
    if zerofill {
        out.push_str(" zerofill");
    }
    for w in extra {
        out.push(' ');
        out.push_str(w);
    }
    out
}

/// Lower case outside quotes, single spaces, no spaces inside the argument list.
fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut pending_space = false;
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == '\\' {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == q && chars.peek() == Some(&q) {
                chars.next();
                out.push_str("''");
            } else if c == q {
                out.push('\'');
                quote = None;
            } else if c == '\'' {
                // A `'` inside a double-quoted value, re-quoted with single quotes.
                out.push_str("''");
            } else {
                out.push(c);
            }
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            let last = out.chars().last();
            if depth == 0 && c != '(' && !matches!(last, None | Some('(')) {
                out.push(' ');
            }
            pending_space = false;
        }
        match c {
            '\'' | '"' => {
                // Values are printed single-quoted by the server, whichever quote the dump used.
                quote = Some(c);
                out.push('\'');
            }
            '(' => {
                depth += 1;
                out.push(c);
            }
            ')' => {
                depth = depth.saturating_sub(1);
                out.push(c);
            }
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

fn close_paren(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote = false;
    for (i, c) in s[open..].char_indices() {
        match c {
            '\'' => quote = !quote,
            '(' if !quote => depth += 1,
            ')' if !quote => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Without an argument list, a multi-word type name (`double precision`) must stay together,
/// while trailing modifiers (`unsigned`) are split off.
fn split_head(s: &str) -> (String, Option<String>, &str) {
    for modifier in [" unsigned", " signed", " zerofill"] {
        if let Some(i) = s.find(modifier) {
            return (s[..i].to_owned(), None, &s[i..]);
        }
    }
    (s.to_owned(), None, "")
}

/// Whether the canonical type holds numbers, whose defaults the server prints unquoted.
pub fn is_numeric(data_type: &str) -> bool {
    let base = data_type.split(['(', ' ']).next().unwrap_or_default();
    matches!(base, "tinyint" | "smallint" | "mediumint" | "int" | "bigint" | "decimal" | "float" | "double")
}

/// Scale of a `decimal(p,s)`, for formatting its default like the server does (`0` → `0.00`).
/// Also of `double(p,s)` and `float(p,s)`, which the server formats the same way.
pub fn decimal_scale(data_type: &str) -> Option<usize> {
    let args = ["decimal(", "double(", "float("].iter().find_map(|p| data_type.strip_prefix(p))?;
    let (_, scale) = args.split_once(',')?;
    scale.split(')').next()?.trim().parse().ok()
}

/// A number written in a default, formatted the way the server prints it for `data_type`.
pub fn format_number(num: &str, data_type: &str) -> String {
    let num = num.trim();
    if let Some(scale) = decimal_scale(data_type) {
        let (neg, digits) = match num.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, num.strip_prefix('+').unwrap_or(num)),
        };
        if digits.chars().all(|c| c.is_ascii_digit() || c == '.') && !digits.is_empty() {
            let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
            let int = int.trim_start_matches('0');
            let int = if int.is_empty() { "0" } else { int };
            let mut frac = frac.to_owned();
            if frac.len() < scale {
                frac.push_str(&"0".repeat(scale - frac.len()));
            }
            frac.truncate(scale);
            let sign = if neg { "-" } else { "" };
            return if scale == 0 { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") };
        }
    }
    num.to_owned()
}

/// A string value quoted as `information_schema` prints it: single quotes, `'` doubled.
pub fn quote_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_match_information_schema() {
        for (input, want) in [
            ("INT", "int(11)"),
            ("int(11)", "int(11)"),
            ("INTEGER UNSIGNED", "int(10) unsigned"),
            ("BIGINT", "bigint(20)"),
            ("bigint unsigned", "bigint(20) unsigned"),
            ("TINYINT(1)", "tinyint(1)"),
            ("tinyint unsigned", "tinyint(3) unsigned"),
            ("SMALLINT", "smallint(6)"),
            ("BOOLEAN", "tinyint(1)"),
            ("VARCHAR(255)", "varchar(255)"),
            ("DATETIME(6)", "datetime(6)"),
            ("datetime", "datetime"),
            ("DECIMAL(10, 2)", "decimal(10,2)"),
            ("NUMERIC", "decimal(10,0)"),
            ("decimal(8)", "decimal(8,0)"),
            ("ENUM('a', 'b')", "enum('a','b')"),
            ("enum('It''s','B c')", "enum('It''s','B c')"),
            ("DOUBLE PRECISION", "double"),
            ("year", "year(4)"),
            ("LONGTEXT", "longtext"),
            ("char", "char(1)"),
            ("int(10) unsigned zerofill", "int(10) unsigned zerofill"),
        ] {
            assert_eq!(normalize_type(input), want, "{input}");
        }
    }

    #[test]
    fn numbers_take_the_decimal_scale() {
        assert_eq!(format_number("0", "decimal(10,2)"), "0.00");
        assert_eq!(format_number("-1.5", "decimal(4,2)"), "-1.50");
        assert_eq!(format_number("007", "int(11)"), "007");
        assert_eq!(format_number("1.239", "decimal(5,2)"), "1.23");
        assert_eq!(format_number("1.5", "double(8,3)"), "1.500");
        assert_eq!(format_number("1.5", "double"), "1.5");
    }
}
