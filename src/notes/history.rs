//! A release range of the repository that holds the migrations, read through libgit2 (never the
//! work tree): which files of the migration directory were added, changed or removed between two
//! revisions, their text at the later one, and the commits in the range that edited a file that
//! already existed — an edited migration may already have run somewhere.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository, Sort};
use serde::Serialize;

use crate::error::{Diagnostic, Error, Result};

/// One end of the range: the revision as the user wrote it and the commit it resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    #[serde(rename = "ref")]
    pub name: String,
    pub commit: String,
}

/// A commit of the range that changed a file which existed before it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Edit {
    pub commit: String,
    /// The first line of its message.
    pub summary: String,
}

/// The migration directory at both ends of a range.
pub struct History {
    pub from: Revision,
    pub to: Revision,
    /// The directory, relative to the repository root, `/`-separated (empty for the root).
    pub dir: String,
    /// File name → blob, at `from` and at `to`.
    pub before: BTreeMap<String, Oid>,
    pub after: BTreeMap<String, Oid>,
    /// File name → the commits of the range that edited it, oldest first.
    pub edits: BTreeMap<String, Vec<Edit>>,
    repo: Repository,
}

/// Split `A..B` into its two revisions.
pub fn parse_range(range: &str) -> Result<(String, String)> {
    let bad = |why: &str| {
        Error::input(
            Diagnostic::new(format!("`{range}` is not a release range: {why}"))
                .help("write FROM..TO with two revisions of the migrations' repository, e.g. v1.4..v1.5"),
        )
    };
    if range.contains("...") {
        return Err(bad("`...` (symmetric difference) has no meaning here"));
    }
    let (a, b) = range.split_once("..").ok_or_else(|| bad("expected two revisions joined by `..`"))?;
    if a.trim().is_empty() || b.trim().is_empty() {
        return Err(bad("both ends must be named"));
    }
    Ok((a.trim().to_owned(), b.trim().to_owned()))
}

impl History {
    /// Read `dir` (relative to the root of `repo`) at both ends of `from..to`.
    pub fn read(repo: Repository, dir: &str, from: &str, to: &str) -> Result<History> {
        let dir = dir.trim_matches('/').to_owned();
        let from_id = resolve(&repo, from)?;
        let to_id = resolve(&repo, to)?;
        let before = listing(&repo, from_id, &dir)?;
        let after = listing(&repo, to_id, &dir)?;
        if before.is_empty() && after.is_empty() {
            return Err(Error::input(
                Diagnostic::new(format!("`{}` holds no files at {from} nor at {to}", display_dir(&dir)))
                    .help("point `migrations` (or the app's `migrations`) at the directory of migration files"),
            ));
        }
        let edits = edits(&repo, from_id, to_id, &dir)?;
        Ok(History {
            from: Revision { name: from.to_owned(), commit: from_id.to_string() },
            to: Revision { name: to.to_owned(), commit: to_id.to_string() },
            dir,
            before,
            after,
            edits,
            repo,
        })
    }

    /// A file's path as migrations and reports name it: relative to the repository root.
    pub fn path_of(&self, name: &str) -> PathBuf {
        if self.dir.is_empty() { PathBuf::from(name) } else { Path::new(&self.dir).join(name) }
    }

    /// The files at `to`, as paths relative to the repository root.
    pub fn files_after(&self) -> Vec<PathBuf> {
        self.after.keys().map(|n| self.path_of(n)).collect()
    }

    /// A file's key in the listings: its path relative to the directory, `/`-separated.
    pub fn key_of(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.dir).unwrap_or(path);
        rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
    }

    /// The text of a file (a path from [`History::files_after`]) at `to`.
    pub fn text_after(&self, path: &Path) -> Result<String> {
        let id = self.after.get(&self.key_of(path)).ok_or_else(|| {
            Error::input(Diagnostic::new(format!(
                "{} is not in the migration directory at {}",
                path.display(),
                self.to.name
            )))
        })?;
        blob_text(&self.repo, *id, path)
    }

    /// The text of a file of the repository at `from` — a schema dump as it was before the
    /// range — or `None` when the file does not exist there.
    pub fn file_at_from(&self, path: &str) -> Result<Option<String>> {
        let commit = self.repo.find_commit(Oid::from_str(&self.from.commit).map_err(git_error)?).map_err(git_error)?;
        let tree = commit.tree().map_err(git_error)?;
        let Ok(entry) = tree.get_path(Path::new(path)) else { return Ok(None) };
        if entry.kind() != Some(git2::ObjectType::Blob) {
            return Ok(None);
        }
        blob_text(&self.repo, entry.id(), Path::new(path)).map(Some)
    }

    /// How a file changed over the range: `None` when it did not.
    pub fn change(&self, name: &str) -> Option<Change> {
        match (self.before.get(name), self.after.get(name)) {
            (None, Some(_)) => Some(Change::Added),
            (Some(a), Some(b)) if a != b => Some(Change::Changed),
            (Some(_), None) => Some(Change::Removed),
            _ => None,
        }
    }

    /// The repository's work tree, where it has one.
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }
}

/// How a file changed between the two ends of the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Changed,
    Removed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Changed => "changed",
            Change::Removed => "removed",
        }
    }
}

fn display_dir(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

fn git_error(e: git2::Error) -> Error {
    Error::environment(Diagnostic::new(format!("git: {}", e.message())))
}

fn resolve(repo: &Repository, rev: &str) -> Result<Oid> {
    let object = repo.revparse_single(rev).map_err(|e| {
        Error::input(
            Diagnostic::new(format!("revision `{rev}` does not resolve: {}", e.message()))
                .help("give a tag, branch or commit of the repository that holds the migrations"),
        )
    })?;
    let commit = object
        .peel_to_commit()
        .map_err(|e| Error::input(Diagnostic::new(format!("revision `{rev}` is not a commit: {}", e.message()))))?;
    Ok(commit.id())
}

/// The files of `dir` at `commit` that make its migrations (those directly in it, and those of
/// its folders that [`crate::migration::load::nested`] keeps), by path relative to `dir`.
/// A directory that does not exist at that commit is empty.
fn listing(repo: &Repository, commit: Oid, dir: &str) -> Result<BTreeMap<String, Oid>> {
    let Some(tree) = dir_tree(repo, commit, dir)? else { return Ok(BTreeMap::new()) };
    Ok(files_of(repo, &tree))
}

fn dir_tree<'r>(repo: &'r Repository, commit: Oid, dir: &str) -> Result<Option<git2::Tree<'r>>> {
    let root = repo.find_commit(commit).and_then(|c| c.tree()).map_err(git_error)?;
    if dir.is_empty() {
        return Ok(Some(root));
    }
    let Ok(entry) = root.get_path(Path::new(dir)) else { return Ok(None) };
    Ok(entry.to_object(repo).ok().and_then(|o| o.into_tree().ok()))
}

fn files_of(repo: &Repository, tree: &git2::Tree<'_>) -> BTreeMap<String, Oid> {
    let is_file = |e: &git2::TreeEntry<'_>| e.kind() == Some(git2::ObjectType::Blob) && e.filemode() != 0o120000;
    let mut out = BTreeMap::new();
    for e in tree.iter() {
        let Ok(name) = e.name() else { continue };
        if is_file(&e) {
            out.insert(name.to_owned(), e.id());
        } else if let Some(sub) = e.to_object(repo).ok().and_then(|o| o.into_tree().ok()) {
            let inside: Vec<(String, Oid)> =
                sub.iter().filter(|f| is_file(f)).filter_map(|f| Some((f.name().ok()?.to_owned(), f.id()))).collect();
            for nested in crate::migration::load::nested(inside.iter().map(|(n, _)| n.as_str())) {
                if let Some((_, id)) = inside.iter().find(|(n, _)| *n == nested) {
                    out.insert(format!("{name}/{nested}"), *id);
                }
            }
        }
    }
    out
}

fn blob_text(repo: &Repository, id: Oid, path: &Path) -> Result<String> {
    let blob = repo.find_blob(id).map_err(git_error)?;
    crate::error::utf8(path, blob.content().to_vec())
}

/// For every file of `dir`, the commits reachable from `to` but not from `from` that changed it
/// while it already existed in the commit's parent. Merge commits are left out: the edit they
/// bring in is listed at the commit that made it.
fn edits(repo: &Repository, from: Oid, to: Oid, dir: &str) -> Result<BTreeMap<String, Vec<Edit>>> {
    let mut walk = repo.revwalk().map_err(git_error)?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE).map_err(git_error)?;
    walk.push(to).map_err(git_error)?;
    walk.hide(from).map_err(git_error)?;
    let mut out: BTreeMap<String, Vec<Edit>> = BTreeMap::new();
    for id in walk {
        let id = id.map_err(git_error)?;
        let commit = repo.find_commit(id).map_err(git_error)?;
        if commit.parent_count() != 1 {
            continue;
        }
        let parent = commit.parent_id(0).map_err(git_error)?;
        let (Some(now), Some(before)) = (dir_tree(repo, id, dir)?, dir_tree(repo, parent, dir)?) else { continue };
        if now.id() == before.id() {
            continue;
        }
        let before = files_of(repo, &before);
        for (name, blob) in files_of(repo, &now) {
            if before.get(&name).is_some_and(|b| *b != blob) {
                out.entry(name).or_default().push(Edit {
                    commit: id.to_string(),
                    summary: commit.summary().ok().flatten().unwrap_or_default().to_owned(),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("v1.4..v1.5").unwrap(), ("v1.4".to_owned(), "v1.5".to_owned()));
        assert_eq!(parse_range("HEAD~3..HEAD").unwrap(), ("HEAD~3".to_owned(), "HEAD".to_owned()));
        for bad in ["v1.4", "..v1.5", "v1.4..", "a...b"] {
            let e = parse_range(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
        }
    }
}
