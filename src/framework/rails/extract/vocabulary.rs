//! ActiveRecord's vocabulary: the methods of relations and records, the methods it generates
//! for an attribute (dirty tracking, predicates) and the names that are no attribute or model.

use super::*;

/// Methods that return a relation of the same model.
pub(super) const RELATION_METHODS: &[&str] = &[
    "where",
    "not",
    "rewhere",
    "order",
    "reorder",
    "limit",
    "offset",
    "includes",
    "preload",
    "eager_load",
    "joins",
    "left_joins",
    "left_outer_joins",
    "select",
    "group",
    "having",
    "distinct",
    "all",
    "unscoped",
    "none",
    "readonly",
    "lock",
    "references",
    "merge",
    "or",
    "and",
    "extending",
    "unscope",
    "strict_loading",
    "with",
    "reselect",
    "regroup",
    "in_order_of",
    "invert_where",
    "excluding",
    "without",
    "only",
    "except",
    "create_with",
    "from",
    "order_by",
    "kept",
    "discarded",
    "with_deleted",
    "only_deleted",
    "page",
    "per",
];

/// Methods that return one record of the relation's model.
pub(super) const RECORD_METHODS: &[&str] = &[
    "first",
    "last",
    "find",
    "find_by",
    "find_by!",
    "take",
    "take!",
    "sole",
    "find_sole_by",
    "new",
    "create",
    "create!",
    "build",
    "first!",
    "last!",
    "second",
    "third",
    "find_or_create_by",
    "find_or_create_by!",
    "find_or_initialize_by",
    "first_or_create",
    "first_or_create!",
    "first_or_initialize",
    "create_or_find_by",
    "create_or_find_by!",
    "reload",
    "lock!",
    "becomes",
    "becomes!",
    "dup",
    "presence",
    "tap",
    // Enumerable's picks over the loaded records: `attempts.max_by(&:id)&.status`.
    "max_by",
    "min_by",
    "detect",
];

/// Methods whose hash-argument keys are attributes.
pub(super) const HASH_KEY_METHODS: &[&str] = &[
    "where",
    "not",
    "rewhere",
    "find_by",
    "find_by!",
    "find_sole_by",
    "find_or_create_by",
    "find_or_create_by!",
    "find_or_initialize_by",
    "create_or_find_by",
    "create_or_find_by!",
    "create_with",
    "exists?",
    "new",
    "create",
    "create!",
    "build",
    "update",
    "update!",
    "update_columns",
    "update_all",
    "update_counters",
    "assign_attributes",
    "attributes=",
    "insert",
    "insert!",
    "upsert",
    "insert_all",
    "insert_all!",
    "upsert_all",
    "first_or_create",
    "first_or_create!",
    "first_or_initialize",
    "order",
    "reorder",
    "in_order_of",
    "where_not",
    "excluding",
];

/// Methods whose symbol (and string) arguments are attributes.
pub(super) const SYMBOL_METHODS: &[&str] = &[
    "pluck",
    "pick",
    "order",
    "reorder",
    "group",
    "regroup",
    "select",
    "reselect",
    "count",
    "sum",
    "average",
    "minimum",
    "maximum",
    "increment!",
    "decrement!",
    "toggle!",
    "increment",
    "decrement",
    "toggle",
    "increment_counter",
    "decrement_counter",
    "update_column",
    "update_attribute",
    "update_attribute!",
    "read_attribute",
    "write_attribute",
    "attribute_changed?",
    "saved_change_to_attribute?",
    "will_save_change_to_attribute?",
    "attribute_was",
    "attribute_in_database",
    "has_attribute?",
    "attribute_before_type_cast",
    "in_order_of",
    "touch",
    "unscope",
    "ids_by",
    "index_by_attribute",
];

/// Of [`SYMBOL_METHODS`], those whose only attribute is the first argument.
pub(super) const FIRST_ARG_ONLY: &[&str] = &[
    "increment!",
    "decrement!",
    "toggle!",
    "increment",
    "decrement",
    "toggle",
    "update_column",
    "update_attribute",
    "update_attribute!",
    "read_attribute",
    "write_attribute",
    "attribute_changed?",
    "saved_change_to_attribute?",
    "will_save_change_to_attribute?",
    "attribute_was",
    "attribute_in_database",
    "has_attribute?",
    "attribute_before_type_cast",
    "in_order_of",
    "count",
    "sum",
    "average",
    "minimum",
    "maximum",
    "increment_counter",
    "decrement_counter",
];

/// Methods whose string argument is an SQL fragment over the relation's columns.
pub(super) const FRAGMENT_METHODS: &[&str] = &[
    "where",
    "not",
    "rewhere",
    "having",
    "order",
    "reorder",
    "select",
    "reselect",
    "group",
    "regroup",
    "pluck",
    "pick",
    "update_all",
    "joins",
    // Calculations take an expression: `minimum("CASE WHEN built_at <= created_at …")`.
    "minimum",
    "maximum",
    "sum",
    "average",
];

/// Iterators whose block parameter is one record of the relation.
pub(super) const RECORD_ITERATORS: &[&str] = &[
    "each",
    "find_each",
    "map",
    "flat_map",
    "collect",
    "select",
    "filter",
    "reject",
    "each_with_index",
    "each_with_object",
    "filter_map",
    "find",
    "detect",
    "sort_by",
    "sort_by!",
    "select!",
    "reject!",
    "filter!",
    "group_by",
    "index_by",
    "sum",
    "any?",
    "all?",
    "none?",
    "min_by",
    "max_by",
    "partition",
    "each_slice",
    "count",
    "to_h",
    "many?",
    "one?",
];

/// Methods of every Ruby object or record that are not attributes.
/// A record's hashes of attribute values keyed by attribute name.
pub(super) const ATTRIBUTE_HASHES: &[&str] = &[
    "saved_changes",
    "previous_changes",
    "changes",
    "changes_to_save",
    "attributes",
    "attributes_in_database",
    "attributes_before_type_cast",
    "changed_attributes",
];

pub(super) const NOT_ATTRIBUTES: &[&str] = &[
    "present?",
    "blank?",
    "nil?",
    "presence",
    "to_s",
    "to_i",
    "to_f",
    "to_h",
    "to_a",
    "to_json",
    "as_json",
    "inspect",
    "class",
    "hash",
    "errors",
    "valid?",
    "invalid?",
    "persisted?",
    "new_record?",
    "destroyed?",
    "changed?",
    "changes",
    "save",
    "save!",
    "destroy",
    "destroy!",
    "delete",
    "reload",
    "touch",
    "attributes",
    "frozen?",
    "to_param",
    "to_key",
    "model_name",
    "freeze",
    "dup",
    "clone",
    "then",
    "tap",
    "itself",
    "length",
    "size",
    "empty?",
    "any?",
    "strip",
    "downcase",
    "upcase",
    "titleize",
    "humanize",
    "capitalize",
    "to_sym",
    "to_date",
    "to_time",
    "iso8601",
    "strftime",
    "round",
    "abs",
    "readonly?",
    "changed_attributes",
    "previous_changes",
    "saved_changes",
    "cache_key",
    "cache_key_with_version",
    "lock!",
    "increment",
    "decrement",
    "squish",
    "html_safe",
    "to_sentence",
];

/// Receivers that are never model records, whatever their name. Names an app may give a model
/// (`message`, `event`, `item`, `result`) are not here: a guess names a model only when the app
/// declares one of that name, which resolution checks against the app's model index.
pub(super) const NOT_MODELS: &[&str] = &[
    "params",
    "json",
    "xml",
    "request",
    "response",
    "session",
    "cookies",
    "flash",
    "self",
    "config",
    "options",
    "opts",
    "args",
    "attrs",
    "attributes",
    "hash",
    "h",
    "data",
    "row",
    "rows",
    "record",
    "records",
    "object",
    "obj",
    "value",
    "values",
    "key",
    "keys",
    "errors",
    "error",
    "logger",
    "env",
    "headers",
    "t",
    "f",
    "form",
    "builder",
    "x",
    "y",
    "i",
    "e",
    "ex",
    "k",
    "v",
    "acc",
    "relation",
    "scope",
    "query",
    "collection",
    "list",
    "array",
    "set",
    "model",
    "klass",
    "resource",
    "resources",
    "target",
    "source",
    "current",
    "response_body",
    "payload",
];

/// Class methods of an ActiveRecord model that read or write its table.
pub(super) fn is_active_record_api(method: &str) -> bool {
    RELATION_METHODS.contains(&method)
        || RECORD_METHODS.contains(&method)
        || HASH_KEY_METHODS.contains(&method)
        || SYMBOL_METHODS.contains(&method)
        || dynamic_finder(method).is_some()
        || matches!(
            method,
            "find_each"
                | "find_in_batches"
                | "in_batches"
                | "exists?"
                | "delete_all"
                | "destroy_all"
                | "delete_by"
                | "destroy_by"
                | "find_by_sql"
                | "count_by_sql"
                | "ids"
                | "any?"
                | "none?"
                | "many?"
                | "arel_table"
                | "columns_hash"
                | "column_names"
                | "table_name"
                | "upsert_all"
                | "insert_all"
                | "import"
        )
}

/// The attribute an attribute method is about: `email_changed?` → `email`.
pub(super) fn attribute_of(method: &str) -> &str {
    for prefix in ["saved_change_to_", "will_save_change_to_", "restore_", "clear_"] {
        if let Some(rest) = method.strip_prefix(prefix) {
            let rest = rest.trim_end_matches(['?', '!']);
            let rest = rest.strip_suffix("_change").unwrap_or(rest);
            return rest;
        }
    }
    for suffix in [
        "_previously_changed?",
        "_before_last_save",
        "_before_type_cast",
        "_in_database",
        "_previously_was",
        "_previous_change",
        "_changed?",
        "_change",
        "_was",
        "_will_change!",
        "?",
    ] {
        if let Some(rest) = method.strip_suffix(suffix) {
            return rest;
        }
    }
    method
}

/// What a call of attribute method `method` names for resolution: a plain predicate as written
/// (`active?`, which an enum value maps to its column and any other name to the attribute of
/// its stem), else the attribute it is about (`email_changed?` → `email`).
pub(super) fn attribute_called(method: &str) -> &str {
    let column = attribute_of(method);
    if method.strip_suffix('?') == Some(column) { method } else { column }
}

/// `find_by_email_and_name!` → `email_and_name!`.
pub(super) fn dynamic_finder(method: &str) -> Option<&str> {
    for prefix in ["find_or_initialize_by_", "find_or_create_by_", "find_all_by_", "find_last_by_", "find_by_"] {
        if let Some(rest) = method.strip_prefix(prefix)
            && !rest.is_empty()
            && rest != "sql"
        {
            return Some(rest);
        }
    }
    None
}

pub(super) fn target_column(target: &Target) -> &str {
    match target {
        Target::Column { column, .. } | Target::ModelColumn { column, .. } => column,
        Target::Chain { attribute: Some(column), .. } => column,
        _ => "",
    }
}

impl<'a> Walker<'a> {
    /// `email_before_last_save`, `saved_change_to_email?` … called without a receiver in a
    /// model's instance method: the suffixes make them attribute methods, not local variables.
    ///
    /// Any other bare identifier there that is not a local variable or parameter is a call on
    /// `self` too (`name.presence || email`): an attribute read when the table has that column,
    /// which resolution decides.
    pub(super) fn dirty_attribute(&mut self, node: Node<'_>) {
        let name = self.text(node);
        let column = attribute_of(name);
        // A decorator's bare call under `delegate_all` is its record's, at most medium.
        let (model, cap) = match self.current_model() {
            Some(model) => (model, Confidence::High),
            None => match self.delegated_all() {
                Some(rec) => (rec, Confidence::Medium),
                None => return,
            },
        };
        if !is_identifier(column) || self.lookup(name).is_some() {
            return;
        }
        // The model's own method of that name, not the attribute's reader.
        if self.defines_method(name) {
            return;
        }
        let dirty = column.len() < name.trim_end_matches('?').len() || name.contains("change_to_");
        let confidence = if dirty {
            Confidence::High
        } else if self.not_a_local(name) && !NOT_ATTRIBUTES.contains(&name) {
            Confidence::Medium
        } else {
            return;
        };
        let offset = node.start_byte() + name.find(column).unwrap_or(0);
        self.hit_at(offset, model.attribute(attribute_called(name)), RefKind::Query, confidence.min(cap));
    }
}

/// Class-body macros whose symbols name methods, associations, attachments or constants — never
/// a column of the model — and callbacks (`before_save :normalize`). The macros
/// `Walker::declaration` reads itself (associations, `delegate`, `include`…) never reach it.
const METHOD_NAMING_MACROS: &[&str] = &[
    "validate",
    "validates_associated",
    "scope",
    "delegate_missing_to",
    "accepts_nested_attributes_for",
    "attr_accessor",
    "attr_reader",
    "attr_writer",
    "alias_method",
    "alias",
    "private",
    "protected",
    "public",
    "module_function",
    "private_constant",
    "private_class_method",
    "public_class_method",
    "define_method",
    "helper_method",
    "memoize",
    "extend",
    "has_one_attached",
    "has_many_attached",
    "has_rich_text",
    "broadcasts_to",
    "broadcasts",
    "default_scope",
    "require",
    "require_relative",
    "skip_callback",
    "set_callback",
    "define_model_callbacks",
    "attribute_method_suffix",
    "attribute_method_prefix",
    "attribute_method_affix",
    "class_attribute",
    "cattr_accessor",
    "cattr_reader",
    "mattr_accessor",
    "mattr_reader",
    "thread_mattr_accessor",
    "rescue_from",
    "autoload",
    "self",
    "raise",
    "puts",
];

/// Whether a class-body macro's symbols are never the model's attributes.
pub(super) fn names_no_attribute(macro_name: &str) -> bool {
    METHOD_NAMING_MACROS.contains(&macro_name)
        || ["before_", "after_", "around_", "skip_", "validate_"].iter().any(|p| macro_name.starts_with(p))
}
