//! zhidu (制度): company operating regulations as code.
//!
//! The modules are layers, listed here from upstream to downstream; a module imports only from
//! layers above it (`tests/layers.rs` keeps it so). See `docs/architecture.md`.

// Layer 0: values, records, sources, diagnostics, language; no knowledge of policies.
pub mod base;
// Layer 1: the policy language as written (grammar, AST, formatter).
pub mod syntax;
// Layer 2: the typed, resolved policy model (schema, declarations, rules, compiled IR).
pub mod policy;
// Layer 3: from source files to the policy model (load, resolve, type check, plan).
pub mod compile;
// Layer 4: an organisation's data, loaded against the policy's schema.
pub mod data;
// Layer 5: evaluating compiled checks on records (interpreter, optimisations, explain).
pub mod eval;
// Layer 6: findings, their fingerprints, waivers, baselines and the built-in finding codes.
pub mod findings;
// Layer 7: running a pack on an org: selection, stream checks, finalisation, pack self-checks.
pub mod engine;
// Layer 8: what the commands produce from a run or a pack.
pub mod mask;
pub mod output;
pub mod render;
pub mod schema_export;
// Layer 9: the auditors' report (uses the handbook's templates).
pub mod report;
// Layer 10: the language server for editors (`zhidu lsp`).
pub mod lsp;
// Layer 11: the command line.
pub mod cli;
