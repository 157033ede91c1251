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
