//! Layer 6: findings — the one type every output reads — with their stable fingerprints,
//! waivers, baselines and the catalog of the built-in `DATA-…` and `WAIVER-…` codes.

pub mod baseline;
pub mod build;
pub mod catalog;
pub mod finding;
pub mod fingerprint;
pub mod waiver;

pub use build::{Builder, Failed, Subject};
pub use finding::{Finding, Location, Waived, sort_findings};
