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

/// The regular files directly in `dir` (relative to the root, `/`-separated, empty for the root)
/// at `commit`, by name. A directory that does not exist there holds nothing.
pub fn files_in(repo: &Repository, commit: Oid, dir: &str) -> Result<std::collections::BTreeMap<String, Oid>> {
    let root = repo.find_commit(commit).and_then(|c| c.tree()).map_err(git_error)?;
    let dir = dir.trim_matches('/');
    let tree = if dir.is_empty() {
        root
    } else {
        let Ok(entry) = root.get_path(Path::new(dir)) else { return Ok(Default::default()) };
        match entry.to_object(repo).ok().and_then(|o| o.into_tree().ok()) {
            Some(t) => t,
            None => return Ok(Default::default()),
        }
    };
    Ok(tree
        .iter()
        .filter(|e| e.kind() == Some(git2::ObjectType::Blob) && e.filemode() != 0o120000)
        .filter_map(|e| Some((e.name().ok()?.to_owned(), e.id())))
        .collect())
}

/// The blob at `path` (relative to the root) in `commit`, `None` when there is none.
pub fn blob_at(repo: &Repository, commit: Oid, path: &str) -> Result<Option<Oid>> {
    let tree = repo.find_commit(commit).and_then(|c| c.tree()).map_err(git_error)?;
    let Ok(entry) = tree.get_path(Path::new(path.trim_matches('/'))) else { return Ok(None) };
    Ok((entry.kind() == Some(git2::ObjectType::Blob)).then(|| entry.id()))
}

/// A blob's content as UTF-8 text; `path` names it in messages.
pub fn blob_text(repo: &Repository, id: Oid, path: &Path) -> Result<String> {
    let blob = repo.find_blob(id).map_err(git_error)?;
    String::from_utf8(blob.content().to_vec()).map_err(|e| {
        Error::input(Diagnostic::new(format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to())).in_file(path))
    })
}

fn git_error(e: git2::Error) -> Error {
    Error::environment(Diagnostic::new(format!("git: {}", e.message())))
}

/// A commit id as reports show it: its first seven hex digits, as `git log --oneline` does.
pub fn short_commit(commit: &str) -> &str {
    &commit[..commit.len().min(7)]
}
