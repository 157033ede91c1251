//! ActiveSupport's default English inflections and ActiveRecord's table-name convention.
//!
//! Rails maps a model class to its table with rules that look simple and are not: irregulars
//! match word *endings* (`Salesperson` → `salespeople`, `Human` → `humen`), uncountables match
//! only whole words (`Equipment` → `equipment` but `UserEquipment` → `user_equipments`), and the
//! regex rules are tried newest-first. A wrong guess here turns into a missed reference (an
//! outage) or a reference to the wrong table, so this module reproduces the default rule set of
//! `active_support/inflections.rb` exactly, in the same order, with the same matching semantics
//! (`apply_inflections`: uncountable check, then the first rule whose pattern matches replaces its
//! first match). No acronyms are defined by default, so none are applied.
//!
//! # Table names
//!
//! ActiveRecord (`ModelSchema.compute_table_name`) derives a base class's table as
//! `full_table_name_prefix + nesting + pluralize(underscore(demodulize(class))) + suffix`:
//! * the namespace is dropped (`Admin::User` → `users`) unless a module in it defines
//!   `self.table_name_prefix` (Rails' namespaced-model generator writes `"admin_"`), see
//!   [`table_name`];
//! * when the enclosing namespace is itself a non-abstract model, the parent's singular table
//!   name and `_` are put in front (`class Post; class Comment < ApplicationRecord` →
//!   `post_comments`);
//! * STI subclasses use their base class's table (resolved across files, not here).

use std::sync::LazyLock;

use regex::Regex;

struct Rules {
    /// Tried in order; the first pattern that matches wins (ActiveSupport prepends new rules).
    plurals: Vec<(Regex, &'static str)>,
    singulars: Vec<(Regex, &'static str)>,
    uncountables: Vec<Regex>,
}

const PLURALS: &[(&str, &str)] = &[
    ("$", "s"),
    ("s$", "s"),
    ("^(ax|test)is$", "${1}es"),
    ("(octop|vir)us$", "${1}i"),
    ("(octop|vir)i$", "${1}i"),
    ("(alias|status)$", "${1}es"),
    ("(bu)s$", "${1}ses"),
    ("(buffal|tomat)o$", "${1}oes"),
    ("([ti])um$", "${1}a"),
    ("([ti])a$", "${1}a"),
    ("sis$", "ses"),
    ("(?:([^f])fe|([lr])f)$", "${1}${2}ves"),
    ("(hive)$", "${1}s"),
    ("([^aeiouy]|qu)y$", "${1}ies"),
    ("(x|ch|ss|sh)$", "${1}es"),
    ("(matr|vert|ind)(?:ix|ex)$", "${1}ices"),
    ("^(m|l)ouse$", "${1}ice"),
    ("^(m|l)ice$", "${1}ice"),
    ("^(ox)$", "${1}en"),
    ("^(oxen)$", "${1}"),
    ("(quiz)$", "${1}zes"),
];

const SINGULARS: &[(&str, &str)] = &[
    ("s$", ""),
    ("(ss)$", "${1}"),
    ("(n)ews$", "${1}ews"),
    ("([ti])a$", "${1}um"),
    ("((a)naly|(b)a|(d)iagno|(p)arenthe|(p)rogno|(s)ynop|(t)he)(sis|ses)$", "${1}sis"),
    ("(^analy)(sis|ses)$", "${1}sis"),
    ("([^f])ves$", "${1}fe"),
    ("(hive)s$", "${1}"),
    ("(tive)s$", "${1}"),
    ("([lr])ves$", "${1}f"),
    ("([^aeiouy]|qu)ies$", "${1}y"),
    ("(s)eries$", "${1}eries"),
    ("(m)ovies$", "${1}ovie"),
    ("(x|ch|ss|sh)es$", "${1}"),
    ("^(m|l)ice$", "${1}ouse"),
    ("(bus)(es)?$", "${1}"),
    ("(o)es$", "${1}"),
    ("(shoe)s$", "${1}"),
    ("(cris|test)(is|es)$", "${1}is"),
    ("^(a)x[ie]s$", "${1}xis"),
    ("(octop|vir)(us|i)$", "${1}us"),
    ("(alias|status)(es)?$", "${1}"),
    ("^(ox)en", "${1}"),
    ("(vert|ind)ices$", "${1}ex"),
    ("(matr)ices$", "${1}ix"),
    ("(quiz)zes$", "${1}"),
    ("(database)s$", "${1}"),
];

const IRREGULARS: &[(&str, &str)] = &[
    ("person", "people"),
    ("man", "men"),
    ("child", "children"),
    ("sex", "sexes"),
    ("move", "moves"),
    ("zombie", "zombies"),
];

const UNCOUNTABLES: &[&str] =
    &["equipment", "information", "rice", "money", "species", "series", "fish", "sheep", "jeans", "police"];

fn compile(pattern: &str) -> Regex {
    // The patterns are constants of this module; a failure is a bug caught by the unit tests.
    Regex::new(&format!("(?i){pattern}")).unwrap_or_else(|e| panic!("inflection pattern {pattern:?}: {e}"))
}

static RULES: LazyLock<Rules> = LazyLock::new(|| {
    let mut plurals: Vec<(Regex, &'static str)> = PLURALS.iter().map(|(p, r)| (compile(p), *r)).collect();
    let mut singulars: Vec<(Regex, &'static str)> = SINGULARS.iter().map(|(p, r)| (compile(p), *r)).collect();
    // `Inflections#irregular` for words whose singular and plural share the first letter (all
    // defaults do): the first letter is captured to keep its case, the rest is literal.
    for (singular, plural) in IRREGULARS {
        let (s0, srest) = singular.split_at(1);
        let (p0, prest) = plural.split_at(1);
        let keep_plural: &'static str = Box::leak(format!("${{1}}{prest}").into_boxed_str());
        let keep_singular: &'static str = Box::leak(format!("${{1}}{srest}").into_boxed_str());
        plurals.push((compile(&format!("({s0}){srest}$")), keep_plural));
        plurals.push((compile(&format!("({p0}){prest}$")), keep_plural));
        singulars.push((compile(&format!("({s0}){srest}$")), keep_singular));
        singulars.push((compile(&format!("({p0}){prest}$")), keep_singular));
    }
    plurals.reverse();
    singulars.reverse();
    // Ruby's `\b` treats `_` as a word character, as does the regex crate's.
    let uncountables = UNCOUNTABLES.iter().map(|w| compile(&format!(r"\b{}$", regex::escape(w)))).collect();
    Rules { plurals, singulars, uncountables }
});

fn apply(word: &str, rules: &[(Regex, &'static str)]) -> String {
    if word.is_empty() || RULES.uncountables.iter().any(|re| re.is_match(word)) {
        return word.to_owned();
    }
    for (re, replacement) in rules {
        if re.is_match(word) {
            return re.replace(word, *replacement).into_owned();
        }
    }
    word.to_owned()
}

/// Looked up for every word screening inflects: a fast hasher (the words are not keys of a
/// long-lived table an attacker could fill).
type Memo = std::collections::HashMap<String, String, foldhash::fast::RandomState>;

thread_local! {
    // Extractors inflect the same few hundred names over and over, and screening inflects
    // every word of every file; each uncached call tries up to ~40 regexes. One map per
    // direction so that a hit is looked up by `&str`, without allocating. Bounded so that a
    // pathological file cannot grow them without limit.
    static CACHE: std::cell::RefCell<[Memo; 2]> = std::cell::RefCell::new([Memo::default(), Memo::default()]);
}

/// Run `f` on the inflection of `word` (cached per thread).
fn with_cached<R>(plural: bool, word: &str, f: impl FnOnce(&str) -> R) -> R {
    CACHE.with(|c| {
        let mut maps = c.borrow_mut();
        let map = &mut maps[usize::from(plural)];
        if !map.contains_key(word) {
            if map.len() >= 16_384 {
                map.clear();
            }
            let value = apply(word, if plural { &RULES.plurals } else { &RULES.singulars });
            map.insert(word.to_owned(), value);
        }
        f(map.get(word).map_or(word, String::as_str))
    })
}

fn cached(plural: bool, word: &str) -> String {
    with_cached(plural, word, str::to_owned)
}

/// [`singularize`] without allocating: `f` sees the singular.
pub fn with_singular<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    with_cached(false, word, f)
}

/// `"post".pluralize` → `"posts"`, `"person"` → `"people"`, `"equipment"` → `"equipment"`.
pub fn pluralize(word: &str) -> String {
    cached(true, word)
}

/// `"posts".singularize` → `"post"`, `"statuses"` → `"status"`, `"data"` → `"datum"`.
pub fn singularize(word: &str) -> String {
    cached(false, word)
}

/// `ActiveSupport::Inflector.underscore` without acronyms: `"UserProfile"` → `"user_profile"`,
/// `"HTMLParser"` → `"html_parser"`, `"Admin::User"` → `"admin/user"`.
pub fn underscore(word: &str) -> String {
    let word = word.replace("::", "/");
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            // (?<=[A-Z])(?=[A-Z][a-z]) | (?<=[a-z\d])(?=[A-Z])
            if (prev.is_ascii_uppercase() && next_lower) || prev.is_ascii_lowercase() || prev.is_ascii_digit() {
                out.push('_');
            }
        }
        out.push(if c == '-' { '_' } else { c });
    }
    out.to_lowercase()
}

/// `ActiveSupport::Inflector.camelize`: `"user_profile"` → `"UserProfile"`, `"admin/user"` →
/// `"Admin::User"`.
pub fn camelize(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for (i, segment) in word.split('/').enumerate() {
        if i > 0 {
            out.push_str("::");
        }
        for part in segment.split('_') {
            let mut chars = part.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(&chars.as_str().to_lowercase());
            }
        }
    }
    out
}

/// The last segment of a constant path: `"Admin::User"` → `"User"`, `"MyApp.Accounts.User"`
/// → `"User"`.
pub fn demodulize(class: &str) -> &str {
    let after_colons = class.rsplit("::").next().unwrap_or(class);
    after_colons.rsplit('.').next().unwrap_or(after_colons)
}

/// `ActiveSupport::Inflector.classify`: a table or association name to its class name
/// (`"comments"` → `"Comment"`, `"people"` → `"Person"`).
pub fn classify(name: &str) -> String {
    let name = name.strip_suffix('.').unwrap_or(name);
    let name = name.rsplit('.').next().unwrap_or(name);
    camelize(&singularize(name))
}

/// `"Author".foreign_key` → `"author_id"`, `"Admin::User"` → `"user_id"`.
pub fn foreign_key(class: &str) -> String {
    format!("{}_id", underscore(demodulize(class)))
}

/// ActiveRecord's default table of a base model class with no prefix or suffix configured:
/// `"User"` → `"users"`, `"UserProfile"` → `"user_profiles"`, `"Admin::User"` → `"users"`.
///
/// Unlike `ActiveSupport::Inflector.tableize` (which keeps the namespace as `admin/users`),
/// this is what ActiveRecord uses: the demodulized name. Use [`table_name`] when a namespace
/// defines `table_name_prefix` or the class is nested in another model.
pub fn tableize(class: &str) -> String {
    pluralize(&underscore(demodulize(class)))
}

/// What besides the class name decides a base model's table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableNaming<'a> {
    /// `table_name_prefix` of the nearest enclosing module that defines one (or the model's own).
    pub prefix: &'a str,
    /// `table_name_suffix`, likewise.
    pub suffix: &'a str,
    /// The table of the enclosing class when that class is a non-abstract model.
    pub nesting_table: Option<&'a str>,
    /// `pluralize_table_names` (true unless the app turned it off).
    pub pluralize: bool,
}

impl TableNaming<'_> {
    /// Rails' defaults: no prefix, no suffix, plural table names.
    pub fn rails_default() -> Self {
        TableNaming { prefix: "", suffix: "", nesting_table: None, pluralize: true }
    }
}

/// ActiveRecord's `compute_table_name` for a base class: `table_name("Admin::User",
/// &TableNaming { prefix: "admin_", .. })` → `"admin_users"`.
pub fn table_name(class: &str, naming: &TableNaming<'_>) -> String {
    let own = underscore(demodulize(class));
    let own = if naming.pluralize { pluralize(&own) } else { own };
    let nesting = match naming.nesting_table {
        Some(parent) if naming.pluralize => format!("{}_", singularize(parent)),
        Some(parent) => format!("{parent}_"),
        None => String::new(),
    };
    format!("{}{nesting}{own}{}", naming.prefix, naming.suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values are ActiveSupport's, from its inflector test cases and a Rails console.
    #[test]
    fn pluralizes_like_active_support() {
        let cases = [
            ("search", "searches"),
            ("switch", "switches"),
            ("fix", "fixes"),
            ("box", "boxes"),
            ("process", "processes"),
            ("address", "addresses"),
            ("case", "cases"),
            ("stack", "stacks"),
            ("wish", "wishes"),
            ("fish", "fish"),
            ("jeans", "jeans"),
            ("funky jeans", "funky jeans"),
            ("my money", "my money"),
            ("category", "categories"),
            ("query", "queries"),
            ("ability", "abilities"),
            ("agency", "agencies"),
            ("movie", "movies"),
            ("archive", "archives"),
            ("index", "indices"),
            ("wife", "wives"),
            ("safe", "saves"),
            ("half", "halves"),
            ("move", "moves"),
            ("salesperson", "salespeople"),
            ("person", "people"),
            ("spokesman", "spokesmen"),
            ("man", "men"),
            ("woman", "women"),
            ("basis", "bases"),
            ("diagnosis", "diagnoses"),
            ("datum", "data"),
            ("medium", "media"),
            ("stadium", "stadia"),
            ("analysis", "analyses"),
            ("node_child", "node_children"),
            ("child", "children"),
            ("experience", "experiences"),
            ("day", "days"),
            ("comment", "comments"),
            ("foobar", "foobars"),
            ("newsletter", "newsletters"),
            ("old_news", "old_news"),
            ("news", "news"),
            ("series", "series"),
            ("species", "species"),
            ("quiz", "quizzes"),
            ("perspective", "perspectives"),
            ("ox", "oxen"),
            ("photo", "photos"),
            ("buffalo", "buffaloes"),
            ("tomato", "tomatoes"),
            ("dwarf", "dwarves"),
            ("elf", "elves"),
            ("information", "information"),
            ("equipment", "equipment"),
            ("bus", "buses"),
            ("status", "statuses"),
            ("status_code", "status_codes"),
            ("mouse", "mice"),
            ("louse", "lice"),
            ("house", "houses"),
            ("octopus", "octopi"),
            ("virus", "viri"),
            ("alias", "aliases"),
            ("portfolio", "portfolios"),
            ("vertex", "vertices"),
            ("matrix", "matrices"),
            ("matrix_fu", "matrix_fus"),
            ("axis", "axes"),
            ("taxi", "taxis"),
            ("testis", "testes"),
            ("crisis", "crises"),
            ("rice", "rice"),
            ("shoe", "shoes"),
            ("horse", "horses"),
            ("prize", "prizes"),
            ("edge", "edges"),
            ("database", "databases"),
            ("slice", "slices"),
            ("police", "police"),
            ("zombie", "zombies"),
            ("sex", "sexes"),
            // Irregulars match endings, uncountables whole words: both are Rails' real behaviour.
            ("human", "humen"),
            ("user_equipment", "user_equipments"),
            ("sheep", "sheep"),
            ("", ""),
        ];
        for (singular, plural) in cases {
            assert_eq!(pluralize(singular), plural, "pluralize({singular:?})");
        }
    }

    #[test]
    fn singularizes_like_active_support() {
        let cases = [
            ("searches", "search"),
            ("categories", "category"),
            ("people", "person"),
            ("children", "child"),
            ("statuses", "status"),
            ("status", "status"),
            ("data", "datum"),
            ("media", "medium"),
            ("news", "news"),
            ("equipment", "equipment"),
            ("octopi", "octopus"),
            ("octopus", "octopus"),
            ("analyses", "analysis"),
            ("diagnoses", "diagnosis"),
            ("wives", "wife"),
            ("halves", "half"),
            ("movies", "movie"),
            ("series", "series"),
            ("indices", "index"),
            ("matrices", "matrix"),
            ("mice", "mouse"),
            ("oxen", "ox"),
            ("quizzes", "quiz"),
            ("buses", "bus"),
            ("shoes", "shoe"),
            ("databases", "database"),
            ("addresses", "address"),
            ("class", "class"),
            ("axes", "axis"),
            ("crises", "crisis"),
            ("comments", "comment"),
            ("user_profiles", "user_profile"),
            ("sexes", "sex"),
            ("zombies", "zombie"),
            ("moves", "move"),
            ("archives", "archive"),
            ("perspectives", "perspective"),
        ];
        for (plural, singular) in cases {
            assert_eq!(singularize(plural), singular, "singularize({plural:?})");
        }
    }

    #[test]
    fn case_of_the_first_letter_is_kept() {
        assert_eq!(pluralize("Person"), "People");
        assert_eq!(pluralize("Category"), "Categories");
        assert_eq!(singularize("People"), "Person");
    }

    #[test]
    fn underscores_and_camelizes() {
        assert_eq!(underscore("User"), "user");
        assert_eq!(underscore("UserProfile"), "user_profile");
        assert_eq!(underscore("HTMLParser"), "html_parser");
        assert_eq!(underscore("OAuth2Token"), "o_auth2_token");
        assert_eq!(underscore("Admin::UserProfile"), "admin/user_profile");
        assert_eq!(underscore("SSLError"), "ssl_error");
        assert_eq!(underscore("Area51Controller"), "area51_controller");
        assert_eq!(underscore("already_snake"), "already_snake");
        assert_eq!(camelize("user_profile"), "UserProfile");
        assert_eq!(camelize("admin/user"), "Admin::User");
        assert_eq!(classify("comments"), "Comment");
        assert_eq!(classify("people"), "Person");
        assert_eq!(classify("schema.posts"), "Post");
        assert_eq!(classify("business"), "Business");
    }

    #[test]
    fn table_names_follow_active_record() {
        assert_eq!(tableize("User"), "users");
        assert_eq!(tableize("UserProfile"), "user_profiles");
        assert_eq!(tableize("Admin::User"), "users");
        assert_eq!(tableize("Person"), "people");
        assert_eq!(tableize("OrderStatus"), "order_statuses");
        assert_eq!(tableize("ProductCategory"), "product_categories");
        assert_eq!(tableize("Equipment"), "equipment");
        assert_eq!(tableize("News"), "news");
        assert_eq!(tableize("Datum"), "data");
        assert_eq!(tableize("Octopus"), "octopi");
        assert_eq!(tableize("Child"), "children");
        assert_eq!(tableize("Address"), "addresses");
        let prefixed = TableNaming { prefix: "admin_", ..TableNaming::rails_default() };
        assert_eq!(table_name("Admin::User", &prefixed), "admin_users");
        let nested = TableNaming { nesting_table: Some("posts"), ..TableNaming::rails_default() };
        assert_eq!(table_name("Post::Comment", &nested), "post_comments");
        let singular = TableNaming { pluralize: false, ..TableNaming::rails_default() };
        assert_eq!(table_name("UserProfile", &singular), "user_profile");
        assert_eq!(foreign_key("Author"), "author_id");
        assert_eq!(foreign_key("Admin::UserProfile"), "user_profile_id");
        assert_eq!(demodulize("MyApp.Accounts.User"), "User");
    }
}
