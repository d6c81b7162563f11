//! Rule evaluation: values, the record store, compilation to IR and the interpreter.
pub mod builtins;
pub mod compile;
pub mod explain;
pub mod hoist;
pub mod index;
pub mod interp;
pub mod ir;
mod lower;
pub mod run;
pub mod specialize;
pub mod store;
pub mod value;

/// The example org generator, for tests that need a large org with every violation kind.
#[cfg(test)]
#[allow(dead_code)]
#[path = "../../examples/gen_org.rs"]
pub(crate) mod gen_org;
