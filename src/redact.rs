//! Database URLs carry passwords; no message, log line or report may show one.

use std::sync::LazyLock;

use regex::Regex;

/// Replace the password of every URL in `text` (`scheme://user:password@host`) with `***`.
pub fn redact(text: &str) -> String {
    static URL_PASSWORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*):([^@\s/]*)@").expect("valid regex"));
    let out = URL_PASSWORD.replace_all(text, "$1:***@").into_owned();
    static PARAM_PASSWORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b(password|pwd)=([^&\s]+)").expect("valid regex"));
    PARAM_PASSWORD.replace_all(&out, "$1=***").into_owned()
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn hides_passwords_in_urls_and_query_parameters() {
        assert_eq!(redact("postgres://app:s3cr3t@db:5432/x"), "postgres://app:***@db:5432/x");
        assert_eq!(redact("mysql://root@localhost/x"), "mysql://root@localhost/x");
        assert_eq!(redact("postgres://h/x?password=hunter2&ssl=1"), "postgres://h/x?password=***&ssl=1");
        assert_eq!(redact("failed: postgres://u:p@h/db refused"), "failed: postgres://u:***@h/db refused");
    }
}
