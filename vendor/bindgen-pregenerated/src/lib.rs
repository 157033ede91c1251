//! The part of bindgen's API that pg_query's build script calls, answered with bindings generated
//! ahead of time (see README.md). Anything but the header they were generated from is refused.

use std::fmt;
use std::path::Path;

/// `pg_query.h` of pg_query 18.1.0, which `pg_query_bindings.rs` was generated from.
const HEADER_FNV1A: u64 = 0x26ff_b91b_61b0_c085;
const HEADER_LEN: usize = 7986;
const BINDINGS: &str = include_str!("pg_query_bindings.rs");

#[derive(Debug, Default)]
pub struct Builder {
    header: Option<String>,
}

impl Builder {
    pub fn header<T: Into<String>>(mut self, header: T) -> Builder {
        self.header = Some(header.into());
        self
    }

    pub fn generate(self) -> Result<Bindings, BindgenError> {
        let header = self.header.ok_or_else(|| BindgenError("no header given".into()))?;
        let bytes = std::fs::read(&header).map_err(|e| BindgenError(format!("cannot read {header}: {e}")))?;
        let hash = fnv1a(&bytes);
        if hash != HEADER_FNV1A || bytes.len() != HEADER_LEN {
            return Err(BindgenError(format!(
                "{header} (FNV-1a {hash:#018x}, {} bytes) is not the pg_query.h the pregenerated bindings \
                 were made from (FNV-1a {HEADER_FNV1A:#018x}, {HEADER_LEN} bytes): pg_query was upgraded; \
                 regenerate vendor/bindgen-pregenerated/src/pg_query_bindings.rs as its README says",
                bytes.len()
            )));
        }
        Ok(Bindings { text: BINDINGS })
    }
}

pub struct Bindings {
    text: &'static str,
}

impl Bindings {
    pub fn write_to_file<P: AsRef<Path>>(&self, path: P) -> std::io::Result<()> {
        std::fs::write(path, self.text)
    }
}

#[derive(Debug)]
pub struct BindgenError(String);

impl fmt::Display for BindgenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BindgenError {}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
