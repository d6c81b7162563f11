//! zhidu (制度): company operating regulations as code.
pub mod cli;
pub mod detect;
pub mod diag;
pub mod eval;
pub mod policy;
pub mod source;
pub mod syntax;
