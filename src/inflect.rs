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

use std::sync::{LazyLock, OnceLock};

use regex::Regex;

/// What an ASCII word must look like for a rule's pattern to have a chance to match it, so that
/// a rule is compiled and run only for the words that need it (compiling all ~80 patterns took
/// ~8 ms of every process that inflected one name, and trying them all most of an uncached
/// inflection). Every pattern is ASCII and matched with `(?i)`, under which an ASCII letter
/// matches only its own two cases among ASCII characters (`k` also matches U+212A KELVIN SIGN,
/// `s` U+017F LONG S): the test is exact for an ASCII word, and a word that is not ASCII skips
/// it and is matched as before.
#[derive(Clone, Copy)]
enum Need {
    /// Any word (`$`).
    Any,
    /// The word ends with one of these (lower case).
    Ends(&'static [&'static str]),
    /// The word starts with this (lower case): `^(ox)en` is not anchored at the end.
    Starts(&'static str),
}

impl Need {
    fn admits(self, word: &str) -> bool {
        if !word.is_ascii() {
            return true;
        }
        let w = word.as_bytes();
        match self {
            Need::Any => true,
            Need::Ends(ends) => {
                ends.iter().any(|e| w.len() >= e.len() && w[w.len() - e.len()..].eq_ignore_ascii_case(e.as_bytes()))
            }
            Need::Starts(start) => w.len() >= start.len() && w[..start.len()].eq_ignore_ascii_case(start.as_bytes()),
        }
    }
}

/// One rule: its pattern, compiled on first need, and what a word needs to be tried against it.
struct Rule {
    pattern: String,
    replacement: &'static str,
    need: Need,
    regex: OnceLock<Regex>,
}

impl Rule {
    fn new(pattern: String, replacement: &'static str, need: Need) -> Rule {
        Rule { pattern, replacement, need, regex: OnceLock::new() }
    }

    fn regex(&self) -> &Regex {
        self.regex.get_or_init(|| compile(&self.pattern))
    }

    fn is_match(&self, word: &str) -> bool {
        self.need.admits(word) && self.regex().is_match(word)
    }
}

struct Rules {
    /// Tried in order; the first pattern that matches wins (ActiveSupport prepends new rules).
    plurals: Vec<Rule>,
    singulars: Vec<Rule>,
    uncountables: Vec<Rule>,
}

use Need::{Any, Ends, Starts};

/// ActiveSupport's rules in its order, each with the [`Need`] its pattern implies.
const PLURALS: &[(&str, &str, Need)] = &[
    ("$", "s", Any),
    ("s$", "s", Ends(&["s"])),
    ("^(ax|test)is$", "${1}es", Ends(&["axis", "testis"])),
    ("(octop|vir)us$", "${1}i", Ends(&["octopus", "virus"])),
    ("(octop|vir)i$", "${1}i", Ends(&["octopi", "viri"])),
    ("(alias|status)$", "${1}es", Ends(&["alias", "status"])),
    ("(bu)s$", "${1}ses", Ends(&["bus"])),
    ("(buffal|tomat)o$", "${1}oes", Ends(&["buffalo", "tomato"])),
    ("([ti])um$", "${1}a", Ends(&["tum", "ium"])),
    ("([ti])a$", "${1}a", Ends(&["ta", "ia"])),
    ("sis$", "ses", Ends(&["sis"])),
    ("(?:([^f])fe|([lr])f)$", "${1}${2}ves", Ends(&["fe", "lf", "rf"])),
    ("(hive)$", "${1}s", Ends(&["hive"])),
    ("([^aeiouy]|qu)y$", "${1}ies", Ends(&["y"])),
    ("(x|ch|ss|sh)$", "${1}es", Ends(&["x", "ch", "ss", "sh"])),
    ("(matr|vert|ind)(?:ix|ex)$", "${1}ices", Ends(&["ix", "ex"])),
    ("^(m|l)ouse$", "${1}ice", Ends(&["mouse", "louse"])),
    ("^(m|l)ice$", "${1}ice", Ends(&["mice", "lice"])),
    ("^(ox)$", "${1}en", Ends(&["ox"])),
    ("^(oxen)$", "${1}", Ends(&["oxen"])),
    ("(quiz)$", "${1}zes", Ends(&["quiz"])),
];

const SINGULARS: &[(&str, &str, Need)] = &[
    ("s$", "", Ends(&["s"])),
    ("(ss)$", "${1}", Ends(&["ss"])),
    ("(n)ews$", "${1}ews", Ends(&["news"])),
    ("([ti])a$", "${1}um", Ends(&["ta", "ia"])),
    ("((a)naly|(b)a|(d)iagno|(p)arenthe|(p)rogno|(s)ynop|(t)he)(sis|ses)$", "${1}sis", Ends(&["sis", "ses"])),
    ("(^analy)(sis|ses)$", "${1}sis", Ends(&["sis", "ses"])),
    ("([^f])ves$", "${1}fe", Ends(&["ves"])),
    ("(hive)s$", "${1}", Ends(&["hives"])),
    ("(tive)s$", "${1}", Ends(&["tives"])),
    ("([lr])ves$", "${1}f", Ends(&["lves", "rves"])),
    ("([^aeiouy]|qu)ies$", "${1}y", Ends(&["ies"])),
    ("(s)eries$", "${1}eries", Ends(&["series"])),
    ("(m)ovies$", "${1}ovie", Ends(&["movies"])),
    ("(x|ch|ss|sh)es$", "${1}", Ends(&["xes", "ches", "sses", "shes"])),
    ("^(m|l)ice$", "${1}ouse", Ends(&["mice", "lice"])),
    ("(bus)(es)?$", "${1}", Ends(&["bus", "buses"])),
    ("(o)es$", "${1}", Ends(&["oes"])),
    ("(shoe)s$", "${1}", Ends(&["shoes"])),
    ("(cris|test)(is|es)$", "${1}is", Ends(&["crisis", "crises", "testis", "testes"])),
    ("^(a)x[ie]s$", "${1}xis", Ends(&["axis", "axes"])),
    ("(octop|vir)(us|i)$", "${1}us", Ends(&["octopus", "octopi", "virus", "viri"])),
    ("(alias|status)(es)?$", "${1}", Ends(&["alias", "status", "aliases", "statuses"])),
    ("^(ox)en", "${1}", Starts("oxen")),
    ("(vert|ind)ices$", "${1}ex", Ends(&["vertices", "indices"])),
    ("(matr)ices$", "${1}ix", Ends(&["matrices"])),
    ("(quiz)zes$", "${1}", Ends(&["quizzes"])),
    ("(database)s$", "${1}", Ends(&["databases"])),
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

/// The rules, none compiled yet.
static RULES: LazyLock<Rules> = LazyLock::new(|| {
    let rule = |(p, r, need): &(&str, &'static str, Need)| Rule::new((*p).to_owned(), r, *need);
    let mut plurals: Vec<Rule> = PLURALS.iter().map(rule).collect();
    let mut singulars: Vec<Rule> = SINGULARS.iter().map(rule).collect();
    // `Inflections#irregular` for words whose singular and plural share the first letter (all
    // defaults do): the first letter is captured to keep its case, the rest is literal, so a
    // word must end with the whole singular or plural to match.
    for (singular, plural) in IRREGULARS {
        let (s0, srest) = singular.split_at(1);
        let (p0, prest) = plural.split_at(1);
        let keep_plural: &'static str = Box::leak(format!("${{1}}{prest}").into_boxed_str());
        let keep_singular: &'static str = Box::leak(format!("${{1}}{srest}").into_boxed_str());
        let (ends_singular, ends_plural) = (Ends(std::slice::from_ref(singular)), Ends(std::slice::from_ref(plural)));
        plurals.push(Rule::new(format!("({s0}){srest}$"), keep_plural, ends_singular));
        plurals.push(Rule::new(format!("({p0}){prest}$"), keep_plural, ends_plural));
        singulars.push(Rule::new(format!("({s0}){srest}$"), keep_singular, ends_singular));
        singulars.push(Rule::new(format!("({p0}){prest}$"), keep_singular, ends_plural));
    }
    plurals.reverse();
    singulars.reverse();
    // Ruby's `\b` treats `_` as a word character, as does the regex crate's.
    let uncountables = UNCOUNTABLES
        .iter()
        .map(|w| Rule::new(format!(r"\b{}$", regex::escape(w)), "", Ends(std::slice::from_ref(w))))
        .collect();
    Rules { plurals, singulars, uncountables }
});

fn apply(word: &str, rules: &[Rule]) -> String {
    if word.is_empty() || RULES.uncountables.iter().any(|rule| rule.is_match(word)) {
        return word.to_owned();
    }
    for rule in rules {
        if rule.is_match(word) {
            return rule.regex().replace(word, rule.replacement).into_owned();
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

    /// Words that reach every rule's pattern and its edges: every stem of up to two letters, and
    /// each ending a rule names with every letter (or a few pairs the patterns name) before it
    /// and every letter after it, in three cases, with non-ASCII letters that `(?i)` folds onto
    /// ASCII ones (KELVIN SIGN, LONG S) and one it does not.
    fn word_list() -> Vec<String> {
        let letters: Vec<String> = "aeiouysfxhlrtnqzkm_".chars().map(String::from).collect();
        let mut stems = vec![String::new()];
        stems.extend(letters.iter().cloned());
        let mut words: Vec<String> = stems.clone();
        words.extend(letters.iter().flat_map(|a| letters.iter().map(move |b| format!("{a}{b}"))));
        let mut endings: Vec<&str> = Vec::new();
        for (_, _, need) in PLURALS.iter().chain(SINGULARS) {
            match need {
                Ends(e) => endings.extend(e.iter()),
                Starts(s) => endings.push(s),
                Any => {}
            }
        }
        endings.extend(IRREGULARS.iter().flat_map(|(s, p)| [*s, *p]));
        endings.extend(UNCOUNTABLES);
        endings.extend(["ſ", "\u{212a}", "é", "tiveſ", "oxen_x", "analyses", "bases", "wolf", "half", "cafe"]);
        let pairs = ["qu", "an", "ba", "th", "ox", "ax", "te", "cr", "mo", "ne", "se", "sh", "ch", "ss"];
        for ending in &endings {
            for stem in &stems {
                words.push(format!("{stem}{ending}"));
                words.push(format!("{ending}{stem}"));
            }
            words.extend(pairs.iter().map(|p| format!("{p}{ending}")));
        }
        let cased: Vec<String> = words
            .iter()
            .flat_map(|w| {
                let mut chars = w.chars();
                let capitalized = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
                [w.to_uppercase(), capitalized]
            })
            .collect();
        words.extend(cased);
        words.sort();
        words.dedup();
        words
    }

    /// Every rule tried on every word, as before rules had a [`Need`].
    fn apply_unscreened(word: &str, rules: &[Rule]) -> String {
        if word.is_empty() || RULES.uncountables.iter().any(|rule| rule.regex().is_match(word)) {
            return word.to_owned();
        }
        for rule in rules {
            if rule.regex().is_match(word) {
                return rule.regex().replace(word, rule.replacement).into_owned();
            }
        }
        word.to_owned()
    }

    #[test]
    fn a_rule_skipped_for_a_word_could_not_have_matched_it() {
        let words = word_list();
        assert!(words.len() > 10_000, "{} words", words.len());
        let rules = RULES.plurals.iter().chain(&RULES.singulars).chain(&RULES.uncountables);
        for rule in rules {
            for word in &words {
                if rule.regex().is_match(word) {
                    assert!(rule.need.admits(word), "{:?} matches {word:?} but its need refuses it", rule.pattern);
                }
            }
        }
        for word in &words {
            assert_eq!(apply(word, &RULES.plurals), apply_unscreened(word, &RULES.plurals), "pluralize({word:?})");
            assert_eq!(
                apply(word, &RULES.singulars),
                apply_unscreened(word, &RULES.singulars),
                "singularize({word:?})"
            );
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
