//! Finding a type modifier that is not a constant (`numeric(1 + 1)`) in a parsed statement.
//!
//! PostgreSQL refuses such a type ("type modifiers must be simple constants or identifiers") only
//! when it resolves it, after parsing, and libpg_query's deparser cannot print one: a debug build
//! aborts the process, a release build drops the modifier. So no tree holding one may reach the
//! deparser, and every statement of a dump is checked.
//!
//! libpg_query's tree has some three hundred node types and any of them may hold a type name, so
//! the search goes through the tree's `Serialize` implementation, the one generic view of it the
//! pg_query crate offers. It is a serializer that builds nothing: it visits the tree in order and
//! stops as soon as it has the answer. (Serializing into a `serde_json::Value` and walking that
//! cost about as much as libpg_query's own parse.)

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// The location of the first type name (in pre-order) whose modifiers are not all constants,
/// parameters or names, if the tree has one; -1 if that type name has no location.
pub fn non_constant_typmod(tree: &impl Serialize) -> Option<i32> {
    let mut found = Found::None;
    let _ = tree.serialize(Scan { found: &mut found });
    match found {
        Found::None => None,
        Found::Pending(at) | Found::Done(at) => Some(at),
    }
}

/// Where the search stands: a type name with bad modifiers is seen at its `typmods` field, and
/// its `location` field comes after it.
enum Found {
    None,
    Pending(i32),
    Done(i32),
}

/// Not a failure: the visit stops early (answer found, or a shape that is not the one asked about).
#[derive(Debug, PartialEq)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("stop")
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Stop
    }
}

/// Visits every value of the tree.
struct Scan<'a> {
    found: &'a mut Found,
}

/// A struct of the tree: the one that holds a bad `typmods` list takes its own `location`.
struct Fields<'a> {
    found: &'a mut Found,
    owner: bool,
}

/// A sequence, tuple or map of the tree.
struct Items<'a> {
    found: &'a mut Found,
}

macro_rules! visit_nothing {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, _: $ty) -> Result<(), Stop> { Ok(()) })*
    };
}

impl<'a> ser::Serializer for Scan<'a> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Items<'a>;
    type SerializeTuple = Items<'a>;
    type SerializeTupleStruct = Items<'a>;
    type SerializeTupleVariant = Items<'a>;
    type SerializeMap = Items<'a>;
    type SerializeStruct = Fields<'a>;
    type SerializeStructVariant = Fields<'a>;

    visit_nothing!(
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_char: char,
        serialize_str: &str, serialize_bytes: &[u8], serialize_unit_struct: &'static str,
    );

    fn serialize_none(self) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Items<'a>, Stop> {
        Ok(Items { found: self.found })
    }
    fn serialize_tuple(self, _: usize) -> Result<Items<'a>, Stop> {
        Ok(Items { found: self.found })
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Items<'a>, Stop> {
        Ok(Items { found: self.found })
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Items<'a>, Stop> {
        Ok(Items { found: self.found })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Items<'a>, Stop> {
        Ok(Items { found: self.found })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields<'a>, Stop> {
        Ok(Fields { found: self.found, owner: false })
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Fields<'a>, Stop> {
        Ok(Fields { found: self.found, owner: false })
    }
}

impl Items<'_> {
    fn visit<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Stop> {
        value.serialize(Scan { found: self.found })
    }
}

/// The same visit for every kind of sequence serde names.
macro_rules! visit_items {
    ($($trait:ident::$method:ident),*) => {
        $(impl ser::$trait for Items<'_> {
            type Ok = ();
            type Error = Stop;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Stop> {
                self.visit(value)
            }
            fn end(self) -> Result<(), Stop> {
                Ok(())
            }
        })*
    };
}

visit_items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Items<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Stop> {
        self.visit(key)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Stop> {
        self.visit(value)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

impl Fields<'_> {
    fn field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Stop> {
        if self.owner {
            if key == "location" {
                *self.found = Found::Done(value.serialize(Probe::Int).unwrap_or(-1));
                return Err(Stop);
            }
            return Ok(());
        }
        if key == "typmods" && matches!(self.found, Found::None) && value.serialize(Probe::List) != Ok(1) {
            *self.found = Found::Pending(-1);
            self.owner = true;
            return Ok(());
        }
        value.serialize(Scan { found: self.found })
    }

    fn end(self) -> Result<(), Stop> {
        if self.owner { Err(Stop) } else { Ok(()) }
    }
}

macro_rules! visit_fields {
    ($($trait:ident),*) => {
        $(impl ser::$trait for Fields<'_> {
            type Ok = ();
            type Error = Stop;
            fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Stop> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), Stop> {
                Fields::end(self)
            }
        })*
    };
}

visit_fields!(SerializeStruct, SerializeStructVariant);

/// Asks one question of a value: a `typmods` list whose items are all simple (`List`), an item
/// that is a `Node` holding a simple kind (`Node`, `Kind`), or an `i32` (`Int`). Any other shape
/// answers no (`Stop`).
#[derive(Clone, Copy)]
enum Probe {
    List,
    Node,
    Kind,
    Int,
}

/// The answer of a probe: `Int` gives the integer, the others 1 for yes and 0 for no.
type Answer = Result<i32, Stop>;

struct ProbeList {
    all: bool,
}

struct ProbeNode {
    simple: bool,
}

macro_rules! answer_no {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, _: $ty) -> Answer { Err(Stop) })*
    };
}

impl ser::Serializer for Probe {
    type Ok = i32;
    type Error = Stop;
    type SerializeSeq = ProbeList;
    type SerializeTuple = Impossible<i32, Stop>;
    type SerializeTupleStruct = Impossible<i32, Stop>;
    type SerializeTupleVariant = Impossible<i32, Stop>;
    type SerializeMap = Impossible<i32, Stop>;
    type SerializeStruct = ProbeNode;
    type SerializeStructVariant = Impossible<i32, Stop>;

    fn serialize_i32(self, v: i32) -> Answer {
        match self {
            Probe::Int => Ok(v),
            _ => Err(Stop),
        }
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Answer {
        value.serialize(self)
    }
    fn serialize_none(self) -> Answer {
        Err(Stop)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Answer {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: &T,
    ) -> Answer {
        match self {
            Probe::Kind => Ok(i32::from(matches!(variant, "AConst" | "ParamRef" | "ColumnRef"))),
            _ => Err(Stop),
        }
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<ProbeList, Stop> {
        match self {
            Probe::List => Ok(ProbeList { all: true }),
            _ => Err(Stop),
        }
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<ProbeNode, Stop> {
        match self {
            Probe::Node => Ok(ProbeNode { simple: false }),
            _ => Err(Stop),
        }
    }

    answer_no!(
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
        serialize_f32: f32, serialize_f64: f64, serialize_char: char, serialize_str: &str,
        serialize_bytes: &[u8], serialize_unit_struct: &'static str,
    );
    fn serialize_unit(self) -> Answer {
        Err(Stop)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Answer {
        Err(Stop)
    }
    fn serialize_tuple(self, _: usize) -> Result<Impossible<i32, Stop>, Stop> {
        Err(Stop)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Impossible<i32, Stop>, Stop> {
        Err(Stop)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Impossible<i32, Stop>, Stop> {
        Err(Stop)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Impossible<i32, Stop>, Stop> {
        Err(Stop)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Impossible<i32, Stop>, Stop> {
        Err(Stop)
    }
}

impl ser::SerializeSeq for ProbeList {
    type Ok = i32;
    type Error = Stop;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Stop> {
        self.all = self.all && value.serialize(Probe::Node) == Ok(1);
        Ok(())
    }
    fn end(self) -> Answer {
        Ok(i32::from(self.all))
    }
}

impl ser::SerializeStruct for ProbeNode {
    type Ok = i32;
    type Error = Stop;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Stop> {
        if key == "node" {
            self.simple = value.serialize(Probe::Kind) == Ok(1);
        }
        Ok(())
    }
    fn end(self) -> Answer {
        Ok(i32::from(self.simple))
    }
}

#[cfg(test)]
mod tests {
    use super::non_constant_typmod;

    fn first(sql: &str) -> Option<i32> {
        non_constant_typmod(&pg_query::parse(sql, 0).unwrap().protobuf)
    }

    #[test]
    fn constants_parameters_and_names_are_simple_modifiers() {
        for sql in [
            "CREATE TABLE t (a varchar(255), b numeric(10, 2), c timestamp(6), d int[])",
            "SELECT 'x'::varchar(3), $1::numeric($2), 'y'::mytype(precision)",
            "CREATE TABLE t (a text DEFAULT 'x'::text, b interval(3))",
        ] {
            assert_eq!(first(sql), None, "{sql}");
        }
    }

    #[test]
    fn an_expression_as_modifier_is_found_at_its_type_name() {
        let sql = "CREATE TABLE t (a numeric(1 + 1))";
        assert_eq!(first(sql), Some(sql.find("numeric").unwrap() as i32));
        let sql = "CREATE TABLE t (a int CHECK (a::text((ARRAY['x'])::text[]) = 'x'))";
        assert_eq!(first(sql), Some(sql.find("text((").unwrap() as i32));
    }

    #[test]
    fn the_first_of_two_is_the_one_reported() {
        let sql = "CREATE TABLE t (a mytype(1 + 1), b numeric(f(x)))";
        assert_eq!(first(sql), Some(sql.find("mytype").unwrap() as i32));
        let sql = "SELECT 1::int, 'x'::numeric(2 * 2), 'y'::bpchar(g(1))";
        assert_eq!(first(sql), Some(sql.find("numeric").unwrap() as i32));
    }
}
