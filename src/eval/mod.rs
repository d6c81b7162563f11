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
