//! Optimisations of evaluation; each is checked against the interpreter by differential tests.
pub mod hoist;
pub(crate) mod lower;
pub mod specialize;
