//! Layer 3: from policy source files to the [`crate::policy::Policy`] model — loading the
//! pack's files, resolving declarations and rules, type checking and compiling expressions.

pub mod error;
pub mod load;
pub mod resolve;
pub mod spec;
pub mod textref;
pub mod typecheck;

pub use error::{PolicyError, PolicyErrorKind};

use crate::base::diag::Diagnostics;
use crate::policy::Policy;

/// Loads, resolves and type-checks a pack from a directory, or the built-in pack.
/// On failure returns every diagnostic found; on success the warnings.
pub fn load_policy(dir: Option<&std::path::Path>) -> Result<(Policy, Diagnostics), Diagnostics> {
    let src = match dir {
        Some(d) => load::PackSource::Dir(d.to_path_buf()),
        None => load::PackSource::Embedded(&load::BUILTIN),
    };
    let loaded = load::load(&src).map_err(|(_, d)| d)?;
    resolve::resolve(loaded).map_err(|(_, d)| d)
}
