//! The order in which to read blobs: where they sit in the repository's pack files.
//!
//! Packed blobs are mostly deltas, in chains up to 50 deep, against neighbours written just
//! before them. libgit2 keeps a small cache of delta bases (16 MB, shared by the process), so
//! reading blobs in path order — far from pack order in a generated or long-lived repository —
//! inflates the same chains again and again: on the scan benchmark half of all CPU time went to
//! zlib. Reading in pack order keeps each base in the cache when its deltas come. git2 does not
//! expose object offsets, so this reads the pack indexes (`objects/pack/*.idx`, version 2)
//! itself. The order only affects speed: a blob found in no index (loose, in an alternate, a
//! format this does not read) is simply read last.

use std::path::Path;

use git2::{Oid, Repository};

/// One pack index, loaded whole: the object ids and their offsets.
struct PackIndex {
    data: Vec<u8>,
    count: usize,
}

const FANOUT: usize = 8;
const ID_LEN: usize = 20;

impl PackIndex {
    fn load(path: &Path) -> Option<PackIndex> {
        let data = std::fs::read(path).ok()?;
        // Version 2: magic `\377tOc`, version 2, 256 fan-out counts, then ids, CRCs, offsets.
        if data.len() < FANOUT + 256 * 4 || data[..4] != [0xff, b't', b'O', b'c'] || be32(&data, 4)? != 2 {
            return None;
        }
        let count = be32(&data, FANOUT + 255 * 4)? as usize;
        let needed = FANOUT + 256 * 4 + count.checked_mul(ID_LEN + 8)?;
        (data.len() >= needed).then_some(PackIndex { data, count })
    }

    fn id(&self, i: usize) -> &[u8] {
        let at = FANOUT + 256 * 4 + i * ID_LEN;
        &self.data[at..at + ID_LEN]
    }

    /// The offset of `id` in the pack, if the pack has it.
    fn offset(&self, id: &[u8]) -> Option<u64> {
        let first = usize::from(id[0]);
        let lo = if first == 0 { 0 } else { be32(&self.data, FANOUT + (first - 1) * 4)? as usize };
        let hi = (be32(&self.data, FANOUT + first * 4)? as usize).min(self.count);
        let (mut lo, mut hi) = (lo.min(hi), hi);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.id(mid).cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let offsets = FANOUT + 256 * 4 + self.count * (ID_LEN + 4);
                    let small = be32(&self.data, offsets + mid * 4)?;
                    if small & 0x8000_0000 == 0 {
                        return Some(u64::from(small));
                    }
                    let large = offsets + self.count * 4 + (small & 0x7fff_ffff) as usize * 8;
                    let bytes = self.data.get(large..large + 8)?;
                    return Some(u64::from_be_bytes(bytes.try_into().ok()?));
                }
            }
        }
        None
    }
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// The pack indexes of a repository, loaded once per scan.
pub struct Packs {
    /// Largest pack first: one order for most blobs.
    indexes: Vec<PackIndex>,
}

impl Packs {
    pub fn open(repo: &Repository) -> Packs {
        let dir = repo.commondir().join("objects").join("pack");
        let mut indexes: Vec<PackIndex> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "idx"))
            .filter_map(|p| PackIndex::load(&p))
            .collect();
        indexes.sort_by_key(|ix| std::cmp::Reverse(ix.count));
        Packs { indexes }
    }

    /// A sort key for each blob of `blobs`: (pack, offset) for packed blobs, after them the rest.
    pub fn keys(&self, blobs: &[Oid]) -> Vec<(usize, u64)> {
        blobs
            .iter()
            .map(|oid| {
                let id = oid.as_bytes();
                if id.len() != ID_LEN {
                    return (usize::MAX, 0);
                }
                self.indexes
                    .iter()
                    .enumerate()
                    .find_map(|(p, ix)| ix.offset(id).map(|o| (p, o)))
                    .unwrap_or((usize::MAX, 0))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn offsets_come_from_the_pack_index_in_pack_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let git = |args: &[&str]| {
            let out = Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.com")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.com")
                .output()
                .expect("git runs");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        git(&["init", "-q"]);
        for i in 0..30 {
            std::fs::write(dir.path().join(format!("f{i}.txt")), format!("file {i}\n").repeat(50)).expect("write");
        }
        git(&["add", "-A"]);
        git(&["commit", "-qm", "one"]);
        git(&["gc", "-q"]);
        std::fs::write(dir.path().join("loose.txt"), "not packed\n").expect("write");
        git(&["add", "loose.txt"]);
        let repo = Repository::open(dir.path()).expect("open");
        let ids: Vec<Oid> = (0..30)
            .map(|i| Oid::from_str(&git(&["rev-parse", &format!("HEAD:f{i}.txt")])).expect("oid"))
            .chain([Oid::from_str(&git(&["hash-object", "loose.txt"])).expect("oid")])
            .collect();
        let keys = Packs::open(&repo).keys(&ids);
        // What git itself says about each packed object's offset.
        let verify = git(&["verify-pack", "-v", &{
            let pack = std::fs::read_dir(dir.path().join(".git/objects/pack"))
                .expect("pack dir")
                .flatten()
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "idx"))
                .expect("an index");
            pack.to_string_lossy().into_owned()
        }]);
        for (oid, key) in ids.iter().zip(&keys).take(30) {
            let line = verify.lines().find(|l| l.starts_with(&oid.to_string())).expect("listed");
            let offset: u64 = line.split_whitespace().nth(4).expect("offset").parse().expect("number");
            assert_eq!(*key, (0, offset), "{oid}");
        }
        assert_eq!(keys[30], (usize::MAX, 0), "the loose blob sorts last");
    }
}
