//! zhidu (制度): company operating regulations as code.
pub mod baseline;
pub mod check;
pub mod cli;
pub mod data;
pub mod detect;
pub mod diag;
pub mod eval;
pub mod finding;
pub mod fingerprint;
pub mod i18n;
pub mod output;
pub mod policy;
pub mod schema_export;
pub mod source;
pub mod syntax;
pub mod testing;
pub mod waiver;
