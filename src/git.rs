//! Opening app repositories and resolving revisions through libgit2. Never touches a work tree
//! or the index: everything is read from the object database.

use std::path::Path;

use git2::{Oid, Repository};

use crate::error::{Diagnostic, Error, Result};

/// Open the repository at `path` (bare or not). A missing or unreadable repository is an
/// environment failure naming the app.
pub fn open(app: &str, path: &Path) -> Result<Repository> {
    if !path.exists() {
        return Err(Error::environment(Diagnostic::new(format!(
            "app `{app}`: repository {} does not exist",
            path.display()
        ))));
    }
    Repository::open(path).map_err(|e| {
        Error::environment(Diagnostic::new(format!(
            "app `{app}`: {} is not a git repository: {}",
            path.display(),
            e.message()
        )))
    })
}

/// The repository holding `dir` (apps.toml's directory, for `check --since`).
pub fn discover(dir: &Path) -> Result<Repository> {
    Repository::discover(dir).map_err(|e| {
        Error::environment(Diagnostic::new(format!("{} is not in a git repository: {}", dir.display(), e.message())))
    })
}

/// The commit `--since REV` names; a revision that does not resolve is the user's input.
pub fn since<'r>(repo: &'r Repository, rev: &str) -> Result<git2::Commit<'r>> {
    repo.revparse_single(rev).and_then(|o| o.peel_to_commit()).map_err(|e| {
        Error::input(Diagnostic::new(format!("--since {rev}: {}", e.message())).help("give a branch, tag or commit"))
    })
}

/// Resolve any revision (branch, tag, remote branch, commit id, `HEAD~2`) to a commit id.
pub fn resolve(repo: &Repository, app: &str, rev: &str) -> Result<Oid> {
    let object = repo.revparse_single(rev).map_err(|e| {
        Error::environment(Diagnostic::new(format!("app `{app}`: ref `{rev}` does not resolve: {}", e.message())))
    })?;
    let commit = object.peel_to_commit().map_err(|e| {
        Error::environment(Diagnostic::new(format!("app `{app}`: ref `{rev}` is not a commit: {}", e.message())))
    })?;
    Ok(commit.id())
}
