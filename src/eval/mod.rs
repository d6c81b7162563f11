//! Layer 5: evaluating compiled checks on records — the interpreter and its builtins, join
//! indexes, running a check over its subjects, and explaining why a subject fails.
//! Optimisations of the same semantics live under [`opt`].
// Evaluation must never panic, whatever the data: no index or slice that is not checked.
#![deny(clippy::indexing_slicing)]
pub mod builtins;
pub mod explain;
pub mod index;
pub mod interp;
pub mod message;
pub mod opt;
pub mod run;

/// The example org generator, for tests that need a large org with every violation kind.
#[cfg(test)]
#[allow(dead_code, reason = "the generator's CLI parts are not used by tests")]
#[allow(clippy::indexing_slicing, reason = "an example program (not evaluation) that tests also use")]
#[path = "../../examples/gen_org.rs"]
pub(crate) mod gen_org;
