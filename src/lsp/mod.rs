//! Layer 10: `zhidu lsp`, a Language Server Protocol server over stdio for the pack's `.zd`
//! files and an org's data files. It reuses the compiler: the same load/resolve/lint
//! diagnostics as `zhidu lint`, and navigation over the parsed files indexed against the
//! declaration table (`compile::spec`); for data files, the findings `zhidu check` gives.
//! Modules: `server` (the message loop and the compile worker), `background` (the org worker),
//! `documents` (open buffers), `analysis` (one compile of the pack), `index` (declarations and
//! references found in the AST), `navigation` (definition, references, hover, completion,
//! outline), `org` (one load and check of an org dir), `records` (hover on references and
//! did-you-mean fixes in data files), `data_completion` (keys and values in data files),
//! `semantic` (semantic tokens of `.zd` files), `position` (byte offsets ↔ LSP positions in
//! UTF-16 code units).

pub mod analysis;
pub mod background;
pub mod data_completion;
pub mod documents;
pub mod index;
pub mod navigation;
pub mod org;
pub mod position;
pub mod records;
pub mod semantic;
pub mod server;

use std::path::PathBuf;

/// Why the server stopped abnormally.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LspError {
    /// The client broke the protocol or the connection failed.
    #[error("language server protocol error: {0}")]
    #[diagnostic(code(zhidu::lsp::protocol), help("start `zhidu lsp` from an editor, which speaks LSP over stdio"))]
    Protocol(String),
}

/// Runs the server on stdin/stdout until the client asks it to exit. `pack` is the pack
/// directory given by `--policy` or zhidu.toml; without one, the pack of an opened file is the
/// nearest directory above it that holds `main.zd`.
pub fn run(pack: Option<PathBuf>) -> Result<(), LspError> {
    let (conn, io) = lsp_server::Connection::stdio();
    server::serve(&conn, pack)?;
    drop(conn);
    io.join().map_err(|e| LspError::Protocol(e.to_string()))
}
