//! Attribute hashes handed to a method that writes them: `def add_exchange(sender_id, attrs =
//! {})` building `exchanges.build attrs`, called as `add_exchange(id, pickup_time: t)`. The
//! keys the callers pass are the written model's attributes. Within one file, learnt by one walk
//! and used by the next (see `calls.rs`).

use super::*;
use crate::grammar::NodeExt;

/// A positional parameter (by index) whose hash a method writes into records of `rec`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Write {
    index: usize,
    rec: Rec,
    confidence: Confidence,
}

impl<'a> Walker<'a> {
    /// `arg` of a call that writes (or queries) records of `rec` by hash: when it is a positional
    /// parameter of the method being walked, that method writes its callers' hashes.
    pub(super) fn observe_write(&mut self, arg: Node<'_>, rec: &Rec, confidence: Confidence) {
        if arg.kind_name() != "identifier" {
            return;
        }
        let name = self.text(arg);
        let Some(key) = self.method_key.clone() else { return };
        let Some(index) = self.observed.defs.get(&key).and_then(|p| p.positional.iter().position(|p| p == name)) else {
            return;
        };
        let write = Write { index, rec: rec.clone(), confidence: confidence.min(Confidence::Medium) };
        let writes = self.observed.writes.entry(key).or_default();
        if !writes.contains(&write) {
            writes.push(write);
        }
    }

    /// A receiverless call of a method the previous walk saw write a parameter's hash: the hash
    /// passed there (braces or not, or a local holding one) names the written model's attributes.
    pub(super) fn forwarded_writes(&mut self, method: &str, args: &[Node<'_>]) {
        let key = self.method_key(method, self.in_instance_method);
        let Some(writes) = self.summaries.writes.get(&key).cloned() else { return };
        let positional: Vec<Node<'_>> =
            args.iter().copied().filter(|a| !matches!(a.kind_name(), "pair" | "block_argument")).collect();
        let trailing: Vec<Node<'_>> = args.iter().copied().filter(|a| a.kind_name() == "pair").collect();
        for write in writes {
            let passed: Vec<Node<'_>> = match positional.get(write.index) {
                Some(arg) if arg.kind_name() == "hash" => vec![*arg],
                Some(arg) => self.literals(*arg).into_iter().filter(|l| l.kind_name() == "hash").collect(),
                // `add_exchange(a, b, pickup_time: t)`: the braceless hash is the last positional.
                None if positional.len() == write.index => trailing.clone(),
                None => Vec::new(),
            };
            for hash in passed {
                self.hash_keys(hash, &write.rec, write.confidence, false);
            }
        }
    }
}
