//! The keys under which the store keeps what tandem derived from its inputs (a scan's snapshot, a
//! built or parsed schema): a SHA-256 over length-prefixed fields, so that no two sequences of
//! fields give the same bytes, which starts with what derived the value — the encoding's format,
//! tandem's version and the running build. Code changes between releases too (a development
//! build, a patched one): without the build, a rebuilt tandem whose resolver or reader changed
//! would be served the previous build's results.

use std::io::Read;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

pub struct Key(Sha256);

impl Key {
    /// A key for a value stored in encoding `format`, derived by this build.
    pub fn new(format: u32) -> Key {
        let mut key = Key(Sha256::new());
        key.field(&format.to_le_bytes());
        key.field(env!("CARGO_PKG_VERSION").as_bytes());
        key.field(build().as_bytes());
        key
    }

    pub fn field(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// A field of `len` bytes read from `reader` (a file too large to hold whole); `None` when it
    /// did not give exactly `len` bytes.
    pub fn field_from(&mut self, len: u64, reader: &mut impl Read) -> Option<()> {
        self.0.update(len.to_le_bytes());
        (std::io::copy(reader, &mut self.0).ok()? == len).then_some(())
    }

    pub fn hex(self) -> String {
        self.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The running program's size and modification time (empty when unknown, which the version then
/// stands for alone).
pub fn build() -> &'static str {
    static BUILD: OnceLock<String> = OnceLock::new();
    BUILD.get_or_init(|| match std::env::current_exe().and_then(std::fs::metadata) {
        Ok(m) => {
            let modified = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            format!("{} {}", m.len(), modified.map_or(0, |d| d.as_nanos()))
        }
        Err(_) => String::new(),
    })
}
