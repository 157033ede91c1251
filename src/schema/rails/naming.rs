//! The names Rails gives constraints a migration or `db/schema.rb` leaves unnamed: one
//! computation for the schema.rb reader and the migration reader.

use sha2::{Digest, Sha256};

/// Rails' `foreign_key_name`: `fk_rails_` + the first 10 hex digits of SHA-256 of
/// `"<table>_<column>_fk"` (the columns of a composite key joined by `_`).
pub fn foreign_key_name(table: &str, column: &str) -> String {
    format!("fk_rails_{}", short_hash(&format!("{table}_{column}_fk")))
}

/// Rails' `check_constraint_name`: `chk_rails_` + 10 hex digits of SHA-256 of
/// `"<table>_<expression>_chk"`.
pub fn check_name(table: &str, expression: &str) -> String {
    format!("chk_rails_{}", short_hash(&format!("{table}_{expression}_chk")))
}

fn short_hash(input: &str) -> String {
    Sha256::digest(input.as_bytes()).iter().take(5).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_rails() {
        // Rails 7: add_foreign_key :posts, :users → fk_rails_5b5ddfd518.
        assert_eq!(foreign_key_name("posts", "user_id"), "fk_rails_5b5ddfd518");
        assert!(check_name("posts", "price > 0").starts_with("chk_rails_"));
        assert_eq!(check_name("posts", "price > 0").len(), "chk_rails_".len() + 10);
    }
}
