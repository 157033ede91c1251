//! Running the binary and git, and writing files, for tests that build repositories by hand.

use std::path::Path;

/// The `tandem` binary built for this test run.
pub fn tandem() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("tandem").expect("the tandem binary is built")
}

/// The `tandem` binary, run in `dir`.
pub fn tandem_in(dir: &Path) -> assert_cmd::Command {
    let mut cmd = tandem();
    cmd.current_dir(dir);
    cmd
}

/// Run git in `dir` with a fixed identity and date (so commits are reproducible); panics with
/// git's stderr when it fails, returns its trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Write `content` to `dir/path`, creating the parent directories.
pub fn write(dir: &Path, path: &str, content: impl AsRef<[u8]>) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().expect("a file has a parent")).expect("mkdir");
    std::fs::write(p, content).expect("write");
}

/// Damage the blob at `rev:path` in the repository at `dir` so that it is still listed but no
/// longer inflates: repack everything into one pack, then flip bytes in the middle of the blob's
/// compressed data (the pack index still names it; reading it fails its zlib stream or CRC).
/// Returns the blob's id.
pub fn corrupt_blob(dir: &Path, rev_path: &str) -> String {
    let blob = git(dir, &["rev-parse", rev_path]);
    git(dir, &["repack", "-a", "-d", "-q"]);
    let packs = dir.join(".git/objects/pack");
    let idx = std::fs::read_dir(&packs)
        .expect("pack dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .expect("a pack index");
    let listing = git(dir, &["verify-pack", "-v", idx.to_str().expect("utf-8 path")]);
    // `<id> blob <size> <size-in-pack> <offset>`
    let fields: Vec<&str> =
        listing.lines().find(|l| l.starts_with(&blob)).expect("the blob is in the pack").split_whitespace().collect();
    let (in_pack, offset): (usize, usize) = (fields[3].parse().expect("size"), fields[4].parse().expect("offset"));
    let pack = idx.with_extension("pack");
    let mut bytes = std::fs::read(&pack).expect("read the pack");
    // The entry header is a varint (high bit: more bytes); the compressed data follows it.
    let mut data = offset;
    while bytes[data] & 0x80 != 0 {
        data += 1;
    }
    data += 1;
    let middle = data + (offset + in_pack - data) / 2;
    for b in &mut bytes[middle..middle + 4] {
        *b ^= 0xff;
    }
    let mut perms = std::fs::metadata(&pack).expect("stat").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack, perms).expect("make the pack writable");
    std::fs::write(&pack, bytes).expect("write the pack");
    blob
}

/// `tandem schema sync --from env:SYNC_DB` in `registry` with `SYNC_DB` set to `url`, then
/// `args`: exit code, stdout, stderr.
pub fn schema_sync(registry: &Path, url: &str, args: &[&str]) -> (i32, String, String) {
    let out = tandem_in(registry)
        .env("SYNC_DB", url)
        .args(["schema", "sync", "--from", "env:SYNC_DB"])
        .args(args)
        .output()
        .unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}
