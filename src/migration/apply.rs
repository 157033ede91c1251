//! Schema state across migrations: apply operations to the model so rules know what exists.

use std::fmt;

use serde::Serialize;

use crate::error::{Diagnostic, Error};
use crate::migration::{Migration, OpKind, Operation, Span};
use crate::schema::{QualifiedName, Schema};

/// Something worth knowing about how an operation was applied, that is not an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum ApplyNote {
    /// `DROP … IF EXISTS` (or `CREATE … IF NOT EXISTS`) of something absent (present): a no-op.
    Skipped { object: String, reason: String },
    /// The operation changes the schema in a way the model cannot follow (raw SQL, code, unparsed):
    /// what exists afterwards may differ from the model.
    NotModelled { what: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplyErrorKind {
    /// The object the operation needs does not exist.
    Missing,
    /// The object the operation creates already exists.
    AlreadyExists,
}

/// An operation that cannot be applied to the schema as it stands, located at the operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplyError {
    pub kind: ApplyErrorKind,
    pub message: String,
    pub span: Span,
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.span.file.display(), self.span.line, self.span.column, self.message)
    }
}

impl std::error::Error for ApplyError {}

impl From<ApplyError> for Error {
    fn from(e: ApplyError) -> Self {
        Error::input(Diagnostic::new(e.message).at(&e.span.file, e.span.line, e.span.column))
    }
}

/// Apply one operation to `schema`.
pub fn apply(schema: &mut Schema, op: &Operation) -> Result<Vec<ApplyNote>, ApplyError> {
    let _ = (schema, op, QualifiedName::unqualified(""), std::marker::PhantomData::<OpKind>);
    todo!("apply")
}

/// Build up `schema` by applying every migration's `up` operations in order (an app's whole
/// history when no dump exists). Stops at the first operation that cannot be applied.
pub fn replay(schema: &mut Schema, migrations: &[Migration]) -> Result<Vec<ApplyNote>, ApplyError> {
    let mut notes = Vec::new();
    for m in migrations {
        for op in &m.up {
            notes.extend(apply(schema, op)?);
        }
    }
    Ok(notes)
}
