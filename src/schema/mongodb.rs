//! A MongoDB schema from a JSON file committed in the repository, in one of two shapes told apart
//! by content:
//!
//! * what `db.getCollectionInfos()` returns (`[{name, type, options: {validator: {$jsonSchema}}}]`):
//!   each collection a table, each `$jsonSchema` property a column (a nested object's properties
//!   as `a.b`), its `bsonType` the column's type, `required` → not null; a view (`type: "view"`)
//!   a view on its `viewOn` collection;
//! * Parse Server's `_SCHEMA` collection exported as JSON (`mongoexport --jsonArray`, or one
//!   document a line): each class a collection, each field under the name Parse Server stores it
//!   by in MongoDB (`objectId` → `_id`, `createdAt` → `_created_at`, a pointer `owner` →
//!   `_p_owner`), `_metadata.fields_options.<f>.required` → not null, `_metadata.indexes` →
//!   indexes. A relation field is a join collection, no field of the class.
//!
//! A file that is not JSON, or JSON of another shape, is an input error at its line and column.
//! The canonical rendering ([`render`]) is the `getCollectionInfos` shape.

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use serde::de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use crate::error::{Diagnostic, Error, Result};
use crate::schema::{Column, Dialect, Index, IndexKey, QualifiedName, Schema, Table, View, ViewDependency};

/// The BSON type names a `$jsonSchema` `bsonType` may give (and `number`, any numeric type).
pub const BSON_TYPES: &[&str] = &[
    "double",
    "string",
    "object",
    "array",
    "binData",
    "undefined",
    "objectId",
    "bool",
    "date",
    "null",
    "regex",
    "dbPointer",
    "javascript",
    "symbol",
    "javascriptWithScope",
    "int",
    "timestamp",
    "long",
    "decimal",
    "minKey",
    "maxKey",
    "number",
];

/// JSON Schema `type` names and the BSON type each stands for.
const JSON_TYPES: &[(&str, &str)] = &[
    ("string", "string"),
    ("object", "object"),
    ("array", "array"),
    ("boolean", "bool"),
    ("null", "null"),
    ("number", "number"),
    ("integer", "int"),
];

/// The type of a field no `bsonType` or `type` restricts.
const ANY: &str = "any";

const EXPECTED_INFOS: &str = "expected `db.getCollectionInfos()` as JSON (`[{\"name\": \"users\", \"type\": \"collection\", \"options\": {\"validator\": {\"$jsonSchema\": {…}}}}]`) or Parse Server's `_SCHEMA` collection exported with `mongoexport --jsonArray`";

/// Read a MongoDB schema file (see the module's documentation).
pub fn parse(text: &str, path: &Path) -> Result<Schema> {
    let first = first_document(text, path)?;
    let parse_schema = first.as_object().is_some_and(|o| o.contains_key("_id") && !o.contains_key("options"));
    let mut schema = Schema::new(Dialect::Mongodb);
    if parse_schema {
        for class in documents::<ParseClass>(text, path)? {
            schema.tables.push(class.table());
        }
    } else {
        for info in documents::<CollectionInfo>(text, path)? {
            match info.kind.as_str() {
                "view" => schema.views.push(info.view()),
                "collection" | "timeseries" => schema.tables.push(info.table()),
                other => {
                    return Err(shape(
                        path,
                        text,
                        &format!("\"{other}\""),
                        &format!(
                            "collection `{}` has type `{other}`; expected `collection`, `view` or `timeseries`",
                            info.name
                        ),
                    ));
                }
            }
        }
    }
    schema.canonicalize();
    Ok(schema)
}

fn located(path: &Path, e: &serde_json::Error) -> Error {
    let message = e.to_string();
    // serde_json's message ends with the position, which the diagnostic says itself.
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    Error::input(
        Diagnostic::new(format!("MongoDB schema: {message}"))
            .at(path, e.line().max(1) as u32, e.column().max(1) as u32)
            .help(EXPECTED_INFOS),
    )
}

/// An error about a value found after parsing, at its first occurrence in the text.
fn shape(path: &Path, text: &str, needle: &str, message: &str) -> Error {
    let d = Diagnostic::new(format!("MongoDB schema: {message}")).help(EXPECTED_INFOS);
    Error::input(match text.find(needle) {
        Some(i) => d.at_offset(path, text, i..i + needle.len()),
        None => d.in_file(path),
    })
}

/// The file's first document: the first element of an array, or the first of one document a
/// line. Syntax errors are located; an empty file or an empty array is an error (an export always
/// holds the collections it was asked for).
fn first_document(text: &str, path: &Path) -> Result<Value> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let first = match stream.next() {
        Some(v) => v.map_err(|e| located(path, &e))?,
        None => {
            return Err(Error::input(
                Diagnostic::new("MongoDB schema: the file is empty").at(path, 1, 1).help(EXPECTED_INFOS),
            ));
        }
    };
    for rest in stream {
        rest.map_err(|e| located(path, &e))?;
    }
    match first {
        Value::Array(items) => items.into_iter().next().ok_or_else(|| {
            Error::input(
                Diagnostic::new("MongoDB schema: the array is empty; expected one entry per collection")
                    .at(path, 1, 1)
                    .help(EXPECTED_INFOS),
            )
        }),
        Value::Object(_) => Ok(first),
        _ => Err(Error::input(
            Diagnostic::new("MongoDB schema: expected an array of collections (or one JSON document a line)")
                .at(path, 1, 1)
                .help(EXPECTED_INFOS),
        )),
    }
}

/// Every document of the file, typed, so that a value of the wrong shape is located by serde_json.
fn documents<T: DeserializeOwned>(text: &str, path: &Path) -> Result<Vec<T>> {
    if text.trim_start().starts_with('[') {
        return serde_json::from_str::<Vec<T>>(text).map_err(|e| located(path, &e));
    }
    serde_json::Deserializer::from_str(text).into_iter::<T>().map(|d| d.map_err(|e| located(path, &e))).collect()
}

/// A JSON object whose keys keep their order (the fields' order is the columns').
struct Ordered<T>(Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, T>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// `bsonType` or `type`: one name or a list of them, each checked.
struct Types(Vec<String>);

impl Types {
    fn read<'de, D: Deserializer<'de>>(
        d: D,
        known: fn(&str) -> Option<&'static str>,
    ) -> std::result::Result<Self, D::Error> {
        struct V(fn(&str) -> Option<&'static str>);
        impl V {
            fn one<E: de::Error>(&self, s: &str) -> std::result::Result<String, E> {
                (self.0)(s)
                    .map(str::to_owned)
                    .ok_or_else(|| E::custom(format!("unknown type `{s}`; expected one of {}", BSON_TYPES.join(", "))))
            }
        }
        impl<'de> Visitor<'de> for V {
            type Value = Types;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a type name or a list of type names")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<Types, E> {
                Ok(Types(vec![self.one(s)?]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Types, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(self.one(&s)?);
                }
                Ok(Types(out))
            }
        }
        d.deserialize_any(V(known))
    }
}

fn bson_type<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Types>, D::Error> {
    Types::read(d, |s| BSON_TYPES.iter().copied().find(|t| *t == s)).map(Some)
}

fn json_type<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Types>, D::Error> {
    Types::read(d, |s| JSON_TYPES.iter().find(|(j, _)| *j == s).map(|(_, b)| *b)).map(Some)
}

#[derive(Deserialize, Default)]
struct JsonSchema {
    #[serde(rename = "bsonType", default, deserialize_with = "bson_type")]
    bson_type: Option<Types>,
    #[serde(rename = "type", default, deserialize_with = "json_type")]
    json_type: Option<Types>,
    #[serde(default)]
    required: Vec<String>,
    #[serde(default)]
    properties: Ordered<JsonSchema>,
}

impl JsonSchema {
    /// The field's type: its one non-null type, several joined by `|`, and whether `null` is allowed.
    fn field_type(&self) -> (String, bool) {
        let Some(Types(types)) = self.bson_type.as_ref().or(self.json_type.as_ref()) else {
            return (ANY.to_owned(), true);
        };
        let null = types.iter().any(|t| t == "null");
        let rest: Vec<&str> = types.iter().map(String::as_str).filter(|t| *t != "null").collect();
        (if rest.is_empty() { "null".to_owned() } else { rest.join("|") }, null)
    }

    /// The columns of this object's properties, under `prefix` (`a.` for a nested one).
    fn columns(&self, prefix: &str, out: &mut Vec<Column>) {
        for (name, field) in &self.properties.0 {
            let (ty, null) = field.field_type();
            let mut column = Column::new(&format!("{prefix}{name}"), &ty);
            column.nullable = null || !self.required.contains(name);
            out.push(column);
            field.columns(&format!("{prefix}{name}."), out);
        }
    }
}

#[derive(Deserialize)]
struct CollectionInfo {
    name: String,
    #[serde(rename = "type", default = "collection")]
    kind: String,
    #[serde(default)]
    options: InfoOptions,
}

fn collection() -> String {
    "collection".to_owned()
}

#[derive(Deserialize, Default)]
struct InfoOptions {
    #[serde(default)]
    validator: Option<Validator>,
    #[serde(rename = "viewOn", default)]
    view_on: Option<String>,
    #[serde(default)]
    pipeline: Option<Value>,
}

/// A validator: `$jsonSchema`, possibly beside query operators (which restrict values, not fields).
#[derive(Deserialize, Default)]
struct Validator {
    #[serde(rename = "$jsonSchema", default)]
    json_schema: Option<JsonSchema>,
}

impl CollectionInfo {
    fn table(&self) -> Table {
        let mut table = Table::new(QualifiedName::unqualified(&self.name));
        if let Some(s) = self.options.validator.as_ref().and_then(|v| v.json_schema.as_ref()) {
            s.columns("", &mut table.columns);
        }
        table
    }

    fn view(&self) -> View {
        let pipeline = self.options.pipeline.clone().unwrap_or(Value::Array(Vec::new()));
        View {
            name: QualifiedName::unqualified(&self.name),
            materialized: false,
            definition: pipeline.to_string(),
            columns: Vec::new(),
            depends_on: self
                .options
                .view_on
                .iter()
                .map(|on| ViewDependency { relation: QualifiedName::unqualified(on), columns: Vec::new() })
                .collect(),
            indexes: Vec::new(),
        }
    }
}

/// One document of Parse Server's `_SCHEMA`: the class name in `_id`, each field's Parse type,
/// `_metadata`.
struct ParseClass {
    name: String,
    fields: Vec<(String, String)>,
    metadata: ParseMetadata,
}

#[derive(Deserialize, Default)]
struct ParseMetadata {
    #[serde(default)]
    fields_options: Ordered<FieldOptions>,
    #[serde(default)]
    indexes: Ordered<Ordered<Value>>,
}

#[derive(Deserialize, Default)]
struct FieldOptions {
    #[serde(default)]
    required: bool,
}

impl<'de> Deserialize<'de> for ParseClass {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ParseClass;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a `_SCHEMA` document (`{\"_id\": \"GameScore\", \"score\": \"number\", …}`)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<ParseClass, A::Error> {
                let mut name = None;
                let mut fields = Vec::new();
                let mut metadata = ParseMetadata::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "_id" => name = Some(map.next_value::<String>()?),
                        "_metadata" => metadata = map.next_value()?,
                        _ if key.starts_with('_') => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                        _ => {
                            let ty = map.next_value::<String>()?;
                            if parse_type(&ty).is_none() {
                                return Err(de::Error::custom(format!(
                                    "field `{key}` has the unknown Parse type `{ty}`; expected string, number, boolean, date, object, array, geopoint, file, bytes, polygon, `*Class` or `relation<Class>`"
                                )));
                            }
                            fields.push((key, ty));
                        }
                    }
                }
                let name = name.ok_or_else(|| de::Error::missing_field("_id"))?;
                Ok(ParseClass { name, fields, metadata })
            }
        }
        d.deserialize_map(V)
    }
}

/// How Parse Server stores a field of a Parse type: `Some((stored name, BSON type))`, `Some(None)`
/// for a relation (a `_Join:<field>:<class>` collection, no field), `None` for no Parse type.
fn parse_type(ty: &str) -> Option<Option<&'static str>> {
    if ty.starts_with('*') && ty.len() > 1 {
        return Some(Some("string"));
    }
    if ty.starts_with("relation<") && ty.ends_with('>') {
        return Some(None);
    }
    Some(Some(match ty {
        "string" | "file" => "string",
        "number" => "number",
        "boolean" => "bool",
        "date" => "date",
        "object" | "map" | "bytes" | "polygon" => "object",
        "array" | "geopoint" => "array",
        _ => return None,
    }))
}

impl ParseClass {
    fn table(&self) -> Table {
        let mut table = Table::new(QualifiedName::unqualified(&self.name));
        for (field, ty) in &self.fields {
            let Some(Some(bson)) = parse_type(ty) else { continue };
            let required = self.metadata.fields_options.0.iter().any(|(f, o)| f == field && o.required);
            for stored in stored_names(&self.name, field, ty) {
                let mut column = Column::new(&stored, if field == "objectId" { "string" } else { bson });
                column.nullable = !required && field != "objectId";
                if field == "ACL" {
                    column.data_type = "array".to_owned();
                }
                table.columns.push(column);
            }
        }
        for (name, keys) in &self.metadata.indexes.0 {
            table.indexes.push(Index {
                name: name.clone(),
                unique: false,
                method: "btree".to_owned(),
                keys: keys.0.iter().map(|(k, dir)| index_key(k, dir)).collect(),
                include: Vec::new(),
                predicate: None,
            });
        }
        table
    }
}

/// The fields a Parse field is stored as in MongoDB (Parse Server's `MongoTransform`).
fn stored_names(class: &str, field: &str, ty: &str) -> Vec<String> {
    match field {
        "objectId" => vec!["_id".into()],
        "createdAt" => vec!["_created_at".into()],
        "updatedAt" => vec!["_updated_at".into()],
        "ACL" => vec!["_rperm".into(), "_wperm".into()],
        "password" if class == "_User" => vec!["_hashed_password".into()],
        _ if ty.starts_with('*') => vec![format!("_p_{field}")],
        _ => vec![field.to_owned()],
    }
}

/// The fields a `$jsonSchema` document declares (a collection's validator written in a
/// migration), or why it is not one.
pub fn validator_columns(json_schema: Value) -> std::result::Result<Vec<Column>, String> {
    let schema: JsonSchema =
        serde_json::from_value(json_schema).map_err(|e| format!("the `$jsonSchema` validator: {e}"))?;
    let mut columns = Vec::new();
    schema.columns("", &mut columns);
    Ok(columns)
}

/// An index key as `createIndex` takes it: `1`, `-1`, or a kind (`"text"`, `"2dsphere"`).
pub fn index_key(field: &str, direction: &Value) -> IndexKey {
    let mut key = IndexKey::column(field);
    match direction {
        Value::Number(n) if n.as_f64().is_some_and(|n| n < 0.0) => key.order = Some("DESC".to_owned()),
        Value::String(kind) => key.opclass = Some(kind.clone()),
        _ => {}
    }
    key
}

/// The schema as `db.getCollectionInfos()` would give it, `$jsonSchema` validators rebuilt from
/// the columns (nested fields under their parent's `properties`), indexes beside it.
pub fn render(schema: &Schema) -> String {
    let mut out = Vec::new();
    for t in &schema.tables {
        let mut root = json!({"bsonType": "object", "properties": {}});
        for c in &t.columns {
            insert_field(&mut root, &c.name, c);
        }
        let mut info = json!({"name": t.name.name, "type": "collection", "options": {}});
        if !t.columns.is_empty() {
            info["options"]["validator"] = json!({"$jsonSchema": root});
        }
        if !t.indexes.is_empty() {
            info["indexes"] = Value::Array(
                t.indexes
                    .iter()
                    .map(|i| {
                        let mut key = serde_json::Map::new();
                        for k in &i.keys {
                            let name = match &k.part {
                                crate::schema::IndexPart::Column(c) | crate::schema::IndexPart::Expression(c) => {
                                    c.clone()
                                }
                            };
                            let dir = match (&k.opclass, k.order.as_deref()) {
                                (Some(kind), _) => json!(kind),
                                (None, Some("DESC")) => json!(-1),
                                _ => json!(1),
                            };
                            key.insert(name, dir);
                        }
                        json!({"name": i.name, "key": key, "unique": i.unique})
                    })
                    .collect(),
            );
        }
        out.push(info);
    }
    for v in &schema.views {
        let pipeline: Value = serde_json::from_str(&v.definition).unwrap_or(Value::Array(Vec::new()));
        let on = v.depends_on.first().map(|d| d.relation.name.clone());
        out.push(json!({"name": v.name.name, "type": "view", "options": {"viewOn": on, "pipeline": pipeline}}));
    }
    let mut text = serde_json::to_string_pretty(&Value::Array(out)).unwrap_or_default();
    text.push('\n');
    text
}

/// Put column `path` (`a.b.c`) into a `$jsonSchema` object, under its parents' `properties`.
fn insert_field(root: &mut Value, path: &str, column: &Column) {
    let mut node = root;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            let mut types: Vec<Value> = column.data_type.split('|').map(|t| json!(t)).collect();
            if column.nullable && column.data_type != ANY {
                types.push(json!("null"));
            }
            let field = &mut node["properties"][part];
            if column.data_type != ANY {
                field["bsonType"] = if types.len() == 1 { types.remove(0) } else { Value::Array(types) };
            } else if field.is_null() {
                *field = json!({});
            }
            if !column.nullable {
                match node.get_mut("required").and_then(Value::as_array_mut) {
                    Some(r) => r.push(json!(part)),
                    None => node["required"] = json!([part]),
                }
            }
            return;
        }
        node = &mut node["properties"][part];
        if node.get("properties").is_none() {
            node["properties"] = json!({});
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Schema> {
        parse(text, Path::new("schema/mongo.json"))
    }

    #[test]
    fn collection_infos_give_collections_fields_and_types() {
        let s = read(
            r#"[
  {"name": "users", "type": "collection", "options": {"validator": {"$jsonSchema": {
    "bsonType": "object", "required": ["email", "profile"],
    "properties": {
      "email": {"bsonType": "string"},
      "age": {"bsonType": ["int", "null"]},
      "profile": {"bsonType": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "bio": {}}}
    }}}}, "info": {"readOnly": false}, "idIndex": {"v": 2, "key": {"_id": 1}, "name": "_id_"}},
  {"name": "events", "type": "collection", "options": {}},
  {"name": "active_users", "type": "view", "options": {"viewOn": "users", "pipeline": [{"$match": {"active": true}}]}}
]"#,
        )
        .unwrap();
        let users = s.table("users").unwrap();
        let cols: Vec<(&str, &str, bool)> =
            users.columns.iter().map(|c| (c.name.as_str(), c.data_type.as_str(), c.nullable)).collect();
        assert_eq!(
            cols,
            [
                ("email", "string", false),
                ("age", "int", true),
                ("profile", "object", false),
                ("profile.name", "string", false),
                ("profile.bio", "any", true)
            ]
        );
        assert!(s.table("events").unwrap().columns.is_empty());
        assert_eq!(s.views[0].depends_on[0].relation.name, "users");
        // The rendering reads back as the same schema.
        assert_eq!(read(&render(&s)).unwrap(), s);
    }

    #[test]
    fn parse_schema_gives_stored_field_names() {
        let s = read(
            r#"[{"_id": "GameScore", "objectId": "string", "createdAt": "date", "updatedAt": "date",
  "score": "number", "playerName": "string", "owner": "*_User", "fans": "relation<_User>",
  "_metadata": {"fields_options": {"playerName": {"required": true}},
                "indexes": {"_id_": {"_id": 1}, "score_-1": {"score": -1}}}},
 {"_id": "_User", "objectId": "string", "username": "string", "password": "string", "ACL": "object"}]"#,
        )
        .unwrap();
        let game = s.table("GameScore").unwrap();
        let names: Vec<&str> = game.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["_id", "_created_at", "_updated_at", "score", "playerName", "_p_owner"]);
        assert!(!game.column("playerName").unwrap().nullable);
        assert_eq!(game.column("score").unwrap().data_type, "number");
        assert_eq!(game.indexes.iter().find(|i| i.name == "score_-1").unwrap().keys[0].order.as_deref(), Some("DESC"));
        let user = s.table("_User").unwrap();
        assert!(user.column("_hashed_password").is_some() && user.column("_rperm").is_some());
        // One document a line, as plain `mongoexport` writes it.
        let ndjson = "{\"_id\": \"A\", \"x\": \"string\"}\n{\"_id\": \"B\", \"y\": \"date\"}\n";
        assert_eq!(read(ndjson).unwrap().tables.len(), 2);
    }

    #[test]
    fn bad_files_are_located() {
        let err = |text: &str| {
            let e = read(text).unwrap_err();
            let d = e.diagnostic();
            (d.line, d.column, d.message.clone())
        };
        let (line, _, msg) = err(
            "[\n  {\"name\": \"users\",\n   \"options\": {\"validator\": {\"$jsonSchema\": {\"bsonType\": \"strnig\"}}}}\n]",
        );
        assert_eq!(line, Some(3), "{msg}");
        assert!(msg.contains("unknown type `strnig`"), "{msg}");
        let (line, col, msg) = err("[\n {\"name\": \"users\",,}\n]");
        assert_eq!((line, col.is_some()), (Some(2), true), "{msg}");
        let (line, _, msg) = err("[{\"_id\": \"A\",\n  \"x\": \"strin\"}]");
        assert_eq!(line, Some(2), "{msg}");
        assert!(msg.contains("unknown Parse type"), "{msg}");
        let (_, _, msg) = err("[]");
        assert!(msg.contains("empty"), "{msg}");
        let (_, _, msg) = err("42");
        assert!(msg.contains("expected an array"), "{msg}");
        let (line, _, msg) = err("[{\"name\": \"users\", \"type\": \"table\"}]");
        assert_eq!(line, Some(1), "{msg}");
        assert!(msg.contains("expected `collection`"), "{msg}");
    }
}
