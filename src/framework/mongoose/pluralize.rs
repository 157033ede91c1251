//! The collection Mongoose gives a model: its name lower-cased and pluralised by Mongoose's own
//! rules, not an inflector's — taken from `lib/helpers/pluralize.js` of Automattic/mongoose at
//! commit aa767003d1040a37f121e6d6f804894e963ec8f9 (the rules are applied in order, the first
//! that matches wins, and `g` replaces every match, as `String.prototype.replace` does).

use std::sync::LazyLock;

use regex::Regex;

const RULES: &[(&str, &str)] = &[
    (r"(?i)human$", "humans"),
    (r"(?i)(m|wom)an$", "${1}en"),
    (r"(?i)(pe)rson$", "${1}ople"),
    (r"(?i)(child)$", "${1}ren"),
    (r"(?i)^(ox)$", "${1}en"),
    (r"(?i)(ax|test)is$", "${1}es"),
    (r"(?i)(octop|cact|foc|fung|nucle)us$", "${1}i"),
    (r"(?i)(alias|status|virus)$", "${1}es"),
    (r"(?i)(bu)s$", "${1}ses"),
    (r"(?i)(buffal|tomat|potat)o$", "${1}oes"),
    (r"(?i)([ti])um$", "${1}a"),
    (r"(?i)sis$", "ses"),
    (r"(?i)(?:([^f])fe|([lr])f)$", "${1}${2}ves"),
    (r"(?i)(hive)$", "${1}s"),
    (r"(?i)([^aeiouy]|qu)y$", "${1}ies"),
    (r"(?i)(x|ch|ss|sh)$", "${1}es"),
    // Mongoose's alternation is unanchored on its left (`(matr|vert|ind)ix|ex$`): kept so.
    (r"(?i)(matr|vert|ind)ix|ex$", "${1}ices"),
    (r"(?i)([m|l])ouse$", "${1}ice"),
    (r"(?i)(kn|w|l)ife$", "${1}ives"),
    (r"(?i)(quiz)$", "${1}zes"),
    (r"(?i)^goose$", "geese"),
    (r"(?i)s$", "s"),
    (r"([^a-z])$", "${1}"),
    (r"(?i)$", "s"),
];

const UNCOUNTABLES: &[&str] = &[
    "advice",
    "energy",
    "excretion",
    "digestion",
    "cooperation",
    "health",
    "justice",
    "labour",
    "machinery",
    "equipment",
    "information",
    "pollution",
    "sewage",
    "paper",
    "money",
    "species",
    "series",
    "rain",
    "rice",
    "fish",
    "sheep",
    "moose",
    "deer",
    "news",
    "expertise",
    "status",
    "media",
];

static COMPILED: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    RULES.iter().map(|(re, to)| (Regex::new(re).expect("Mongoose's pluralisation rules compile"), *to)).collect()
});

/// The collection of a model named `name` (`toCollectionName`): `system.profile` and
/// `system.indexes` are kept, any other name lower-cased and pluralised.
pub fn collection_name(name: &str) -> String {
    if matches!(name, "system.profile" | "system.indexes") {
        return name.to_owned();
    }
    let lower = name.to_lowercase();
    if UNCOUNTABLES.contains(&lower.as_str()) {
        return lower;
    }
    match COMPILED.iter().find(|(re, _)| re.is_match(&lower)) {
        Some((re, to)) => re.replace_all(&lower, *to).into_owned(),
        None => lower,
    }
}

#[cfg(test)]
mod tests {
    use super::collection_name;

    #[test]
    fn mongoose_pluralises_its_own_way() {
        for (model, collection) in [
            ("User", "users"),
            ("BlogPost", "blogposts"),
            ("Person", "people"),
            ("Woman", "women"),
            ("Human", "humans"),
            ("Category", "categories"),
            ("Day", "days"),
            ("Address", "addresses"),
            ("Box", "boxes"),
            ("Status", "status"),
            ("News", "news"),
            ("Media", "media"),
            ("Index", "indexes"),
            // `(x|ch|ss|sh)$` comes before the `-ices` rule.
            ("Vertex", "vertexes"),
            ("Matrix", "matrixes"),
            ("Mouse", "mice"),
            ("Wife", "wives"),
            ("Wolf", "wolves"),
            ("Leaf", "leafs"),
            ("Datum", "data"),
            ("Analysis", "analyses"),
            ("Quiz", "quizzes"),
            ("Goose", "geese"),
            ("Bus", "buses"),
            ("Stats", "stats"),
            ("Item2", "item2"),
            ("system.profile", "system.profile"),
        ] {
            assert_eq!(collection_name(model), collection, "{model}");
        }
    }
}
