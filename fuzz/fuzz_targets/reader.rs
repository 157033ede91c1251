//! One libFuzzer binary for every target of benches/fuzz/targets.rs; `TANDEM_FUZZ_TARGET` names
//! the target (`cargo bench --bench fuzz -- --list` lists them). A panic, a crash of a C parser,
//! a memory error AddressSanitizer sees, a timeout or an RSS over the limit is a finding.
#![no_main]

#[allow(dead_code)]
#[path = "../../benches/fuzz/targets.rs"]
mod targets;

use std::sync::OnceLock;

fn target() -> &'static targets::Target {
    static TARGET: OnceLock<&'static targets::Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let name = std::env::var("TANDEM_FUZZ_TARGET").unwrap_or_default();
        targets::by_name(&name).unwrap_or_else(|| {
            let names: Vec<&str> = targets::TARGETS.iter().map(|t| t.name).collect();
            eprintln!("set TANDEM_FUZZ_TARGET to one of: {}", names.join(", "));
            std::process::exit(2)
        })
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The readers take text; bytes that are not UTF-8 are rejected before them by `load`, with
    // a located error (tested in migration_robustness.rs).
    (target().run)(&String::from_utf8_lossy(data));
});
