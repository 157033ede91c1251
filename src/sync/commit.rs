//! `--commit`: a regenerated dump committed on a branch of the app's repository through
//! libgit2, without touching any work tree or index, for a bot to open a pull request from.

use std::path::Path;

use git2::{FileMode, Oid, Repository, Signature, build::TreeUpdateBuilder};

use crate::error::{Diagnostic, Error, Result};
use crate::schema::Dialect;
use crate::schema::diff::{ChangeKind, diff};

/// Commit `text` as `path` on `branch` (created at `base` when it does not exist, else on its
/// tip); returns the new commit.
pub fn commit(repo: &Repository, base: Oid, branch: &str, path: &str, text: &str, message: &str) -> Result<Oid> {
    let git = |what: &str, e: git2::Error| {
        Error::environment(Diagnostic::new(format!("cannot {what} in {}: {}", repo.path().display(), e.message())))
    };
    let refname = format!("refs/heads/{branch}");
    if !git2::Reference::is_valid_name(&refname) {
        return Err(Error::input(
            Diagnostic::new(format!("`{branch}` is not a valid branch name"))
                .help("pass --branch with a name git accepts, e.g. tandem/sync-structure"),
        ));
    }
    let parent_id = match repo.find_reference(&refname) {
        Ok(r) => r.peel_to_commit().map_err(|e| git("read the branch", e))?.id(),
        Err(_) => base,
    };
    let parent = repo.find_commit(parent_id).map_err(|e| git("read the commit", e))?;
    let blob = repo.blob(text.as_bytes()).map_err(|e| git("write the dump's blob", e))?;
    let base_tree = parent.tree().map_err(|e| git("read the tree", e))?;
    let mut update = TreeUpdateBuilder::new();
    update.upsert(path, blob, FileMode::Blob);
    let tree_id = update.create_updated(repo, &base_tree).map_err(|e| git("build the tree", e))?;
    if tree_id == base_tree.id() {
        return Ok(parent_id);
    }
    let tree = repo.find_tree(tree_id).map_err(|e| git("read the new tree", e))?;
    let signature = repo
        .signature()
        .or_else(|_| Signature::now("tandem", "tandem@localhost"))
        .map_err(|e| git("make a signature", e))?;
    let id = repo
        .commit(None, &signature, &signature, message, &tree, &[&parent])
        .map_err(|e| git("write the commit", e))?;
    repo.reference(&refname, id, true, &format!("tandem schema sync: {path}"))
        .map_err(|e| git("move the branch", e))?;
    Ok(id)
}

/// The commit message: `title`, then what the regenerated dump adds, removes and changes.
pub fn message(title: &str, path: &str, committed: &str, generated: &str, dialect: Dialect) -> String {
    let parse = |text: &str| crate::schema::source::parse_dump(Path::new(path), text, Some(dialect)).ok();
    let mut out = format!("{title}\n");
    let (Some(before), Some(after)) = (parse(committed), parse(generated)) else {
        return out;
    };
    let lines: Vec<String> = diff(&before, &after)
        .iter()
        .map(|d| {
            let sign = match d.change {
                ChangeKind::Added => "+",
                ChangeKind::Removed => "-",
                ChangeKind::Changed => "~",
            };
            let field = d.field.map(|f| format!(" ({f})")).unwrap_or_default();
            format!("{sign} {} {}{field}", d.kind, d.object)
        })
        .collect();
    if !lines.is_empty() {
        out.push('\n');
        out.push_str(&lines.join("\n"));
        out.push('\n');
    }
    out
}
