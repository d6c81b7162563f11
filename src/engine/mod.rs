//! Layer 7: running a pack on an organisation — rule selection, checks over records and over
//! streamed exports, finalisation of findings — and the pack's own checks (`lint`, test cases).

pub mod cases;
pub mod lint;
pub mod run;
pub mod select;
pub mod stream;

pub use run::{Checked, Options, Outcome, Selection, run, stream_kind};

#[cfg(test)]
mod differential_tests;
