//! Semantic diff of two schemas.
