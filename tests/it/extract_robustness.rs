//! The Rails, Ecto and MongoDB extractors never panic, whatever the bytes: every fixture cut at many
//! points and with stray delimiters spliced in, including multi-byte characters.

use std::path::Path;

use tandem::config::Framework;
use tandem::scan::extract::ecto::EctoExtractor;
use tandem::scan::extract::rails::RailsExtractor;
use tandem::scan::extract::{ExtractContext, Extractor, SourceFile};

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("fixture dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn mangled_sources_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    let splices = ["\"", "<%", "%>", "{", "}", "é", "<<~SQL\n", "do", "end", "#", "'", "\u{1F600}", ":"];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("fixture");
        let rel = path.strip_prefix(&root).expect("under root").to_string_lossy().replace('\\', "/");
        let (framework, name) = if rel.starts_with("rails/") {
            (Framework::Rails, rel.trim_start_matches("rails/").to_owned())
        } else {
            (Framework::Phoenix, rel.trim_start_matches("ecto/").to_owned())
        };
        let ctx = ExtractContext { framework, identifiers: &[] };
        let extractor: Box<dyn Extractor> =
            if framework == Framework::Rails { Box::new(RailsExtractor) } else { Box::new(EctoExtractor) };
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        for _ in 0..60 {
            let cut = boundaries[next(boundaries.len())];
            let at = boundaries[next(boundaries.len())].min(cut);
            let mut mangled = text[..cut].to_owned();
            mangled.insert_str(at, splices[next(splices.len())]);
            let facts = extractor.extract(&SourceFile::new(&name, &mangled), &ctx);
            for hit in &facts.hits {
                assert!(hit.line >= 1 && hit.column >= 1, "{name}: {hit:?}");
                assert!(hit.line as usize <= mangled.lines().count().max(1), "{name}: {hit:?}");
            }
        }
    }
}

/// The MongoDB extractors (Mongoose, Parse, the driver) never panic on their fixtures cut and
/// spliced with stray delimiters, and every hit stays inside the text.
#[test]
fn mangled_mongo_sources_never_panic() {
    use tandem::framework::mongodb::DriverExtractor;
    use tandem::framework::mongoose::MongooseExtractor;
    use tandem::framework::parse::ParseExtractor;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract");
    let splices = ["'", "`", "${", "{", "}", "(", ")", "[", "é", "\u{1F600}", "$", ".", "=>"];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let cases: [(&str, Framework, &dyn Extractor); 3] = [
        ("mongoose", Framework::Mongoose, &MongooseExtractor),
        ("parse", Framework::Parse, &ParseExtractor),
        ("mongodb", Framework::Mongodb, &DriverExtractor),
    ];
    for (dir, framework, extractor) in cases {
        let mut paths = Vec::new();
        files(&root.join(dir), &mut paths);
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("fixture");
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            let ctx = ExtractContext { framework, identifiers: &[] };
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            for _ in 0..60 {
                let cut = boundaries[next(boundaries.len())];
                let at = boundaries[next(boundaries.len())].min(cut);
                let mut mangled = text[..cut].to_owned();
                mangled.insert_str(at, splices[next(splices.len())]);
                let facts = extractor.extract(&SourceFile::new(&name, &mangled), &ctx);
                for hit in &facts.hits {
                    assert!(hit.line >= 1 && hit.column >= 1, "{name}: {hit:?}");
                    assert!(hit.line as usize <= mangled.lines().count().max(1), "{name}: {hit:?}");
                }
            }
        }
    }
}
