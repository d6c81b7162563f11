//! The message loop: requests are answered on this thread from the latest compile; edits are
//! compiled on a worker thread, and a compile whose result is stale by the time it ends (a
//! newer edit arrived) is dropped, never published.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{self as n, Notification as _};
use lsp_types::request::{self as r, Request as _};
use lsp_types::{
    CompletionOptions, HoverProviderCapability, OneOf, PublishDiagnosticsParams, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind,
};

use super::LspError;
use super::analysis::Analysis;
use super::documents::{Documents, canonical, path_of, uri_of};
use super::navigation;

/// One compile to do.
struct Job {
    generation: u64,
    root: PathBuf,
    open: std::collections::HashMap<PathBuf, String>,
    versions: std::collections::HashMap<PathBuf, i32>,
}

/// The latest compile, shared with the worker.
type Latest = Arc<Mutex<Option<Arc<Analysis>>>>;

/// Runs the initialize handshake, then the loop until `shutdown`/`exit`.
pub fn serve(conn: &Connection, pack: Option<PathBuf>) -> Result<(), LspError> {
    let caps = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions::default()),
        ..ServerCapabilities::default()
    };
    let caps = serde_json::to_value(caps).map_err(|e| LspError::Protocol(e.to_string()))?;
    conn.initialize(caps).map_err(|e| LspError::Protocol(e.to_string()))?;

    let mut root = pack.map(|p| canonical(&p));
    let mut docs = Documents::default();
    let latest: Latest = Arc::new(Mutex::new(None));
    let generation = Arc::new(AtomicU64::new(0));
    let (jobs, rx) = mpsc::channel::<Job>();
    let worker = {
        let (latest, generation, out) = (latest.clone(), generation.clone(), conn.sender.clone());
        let send = move |m: Message| {
            // The client is gone when this fails; the loop ends with the connection.
            let _ = out.send(m);
        };
        std::thread::spawn(move || compile_loop(&rx, &latest, &generation, &send))
    };
    let schedule = |root: &Option<PathBuf>, docs: &Documents| {
        if let Some(root) = root {
            let g = generation.fetch_add(1, Ordering::SeqCst) + 1;
            let _ = jobs.send(Job { generation: g, root: root.clone(), open: docs.texts(), versions: docs.versions() });
        }
    };
    for msg in &conn.receiver {
        match msg {
            Message::Request(req) => {
                if conn.handle_shutdown(&req).map_err(|e| LspError::Protocol(e.to_string()))? {
                    break;
                }
                let current = latest.lock().ok().and_then(|l| l.clone());
                let resp = answer(req, current.as_deref());
                conn.sender.send(Message::Response(resp)).map_err(|e| LspError::Protocol(e.to_string()))?;
            }
            Message::Notification(note) => {
                let changed = match note.method.as_str() {
                    n::DidOpenTextDocument::METHOD => params::<n::DidOpenTextDocument>(note).and_then(|p| {
                        let path = path_of(&p.text_document.uri)?;
                        if root.is_none() {
                            root = pack_of(&path);
                        }
                        docs.set(path, p.text_document.version, p.text_document.text);
                        Some(())
                    }),
                    n::DidChangeTextDocument::METHOD => params::<n::DidChangeTextDocument>(note).and_then(|p| {
                        let path = path_of(&p.text_document.uri)?;
                        // Full sync: the last change holds the whole text.
                        let text = p.content_changes.into_iter().last()?.text;
                        docs.set(path, p.text_document.version, text);
                        Some(())
                    }),
                    n::DidCloseTextDocument::METHOD => params::<n::DidCloseTextDocument>(note).and_then(|p| {
                        docs.close(&path_of(&p.text_document.uri)?);
                        Some(())
                    }),
                    n::DidSaveTextDocument::METHOD => Some(()),
                    _ => None,
                };
                if changed.is_some() {
                    schedule(&root, &docs);
                }
            }
            Message::Response(_) => {}
        }
    }
    drop(jobs);
    worker.join().map_err(|_| LspError::Protocol("the compile worker panicked".into()))
}

fn params<N: lsp_types::notification::Notification>(note: Notification) -> Option<N::Params> {
    serde_json::from_value(note.params).ok()
}

/// The pack a file belongs to: the nearest directory above it that holds the entry file.
fn pack_of(path: &Path) -> Option<PathBuf> {
    path.ancestors().skip(1).find(|d| d.join(crate::compile::load::ENTRY).is_file()).map(Path::to_path_buf)
}

/// Compiles the latest job whenever one arrives; publishes its diagnostics unless a newer edit
/// came in meanwhile.
fn compile_loop(rx: &mpsc::Receiver<Job>, latest: &Latest, generation: &AtomicU64, out: &dyn Fn(Message)) {
    let mut published: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    while let Ok(mut job) = rx.recv() {
        // Only the newest of the queued edits is worth compiling.
        while let Ok(newer) = rx.try_recv() {
            job = newer;
        }
        let analysis = Analysis::run(&job.root, &job.open);
        if generation.load(Ordering::SeqCst) != job.generation {
            continue;
        }
        // Stored before publishing: a client that waits for the diagnostics then asks about
        // the text gets answers from this compile.
        let analysis = Arc::new(analysis);
        if let Ok(mut l) = latest.lock() {
            *l = Some(analysis.clone());
        }
        let mut now = std::collections::BTreeSet::new();
        for (path, diags) in &analysis.diagnostics {
            publish(out, path, diags.clone(), job.versions.get(path).copied());
            now.insert(path.clone());
        }
        // Files no longer part of the pack lose their old diagnostics.
        for gone in published.difference(&now) {
            publish(out, gone, Vec::new(), None);
        }
        published = now;
    }
}

fn publish(out: &dyn Fn(Message), path: &Path, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
    let Some(uri) = uri_of(path) else { return };
    let p = PublishDiagnosticsParams { uri, diagnostics, version };
    out(Message::Notification(Notification::new(n::PublishDiagnostics::METHOD.to_string(), p)));
}

/// Answers one request from the latest compile (`null` before the first one ends).
fn answer(req: Request, a: Option<&Analysis>) -> Response {
    let id = req.id.clone();
    let result = match (req.method.as_str(), a) {
        (_, None) => Ok(serde_json::Value::Null),
        (r::GotoDefinition::METHOD, Some(a)) => {
            req.extract::<lsp_types::GotoDefinitionParams>(r::GotoDefinition::METHOD).map(|(_, p)| {
                let at = p.text_document_position_params;
                let locs = path_of(&at.text_document.uri)
                    .map(|path| navigation::definition(a, &path, at.position))
                    .unwrap_or_default();
                serde_json::to_value(lsp_types::GotoDefinitionResponse::Array(locs)).unwrap_or_default()
            })
        }
        (r::References::METHOD, Some(a)) => {
            req.extract::<lsp_types::ReferenceParams>(r::References::METHOD).map(|(_, p)| {
                let at = p.text_document_position;
                let locs = path_of(&at.text_document.uri)
                    .map(|path| navigation::references(a, &path, at.position, p.context.include_declaration))
                    .unwrap_or_default();
                serde_json::to_value(locs).unwrap_or_default()
            })
        }
        (r::HoverRequest::METHOD, Some(a)) => {
            req.extract::<lsp_types::HoverParams>(r::HoverRequest::METHOD).map(|(_, p)| {
                let at = p.text_document_position_params;
                let h = path_of(&at.text_document.uri).and_then(|path| navigation::hover(a, &path, at.position));
                serde_json::to_value(h).unwrap_or_default()
            })
        }
        (r::Completion::METHOD, Some(a)) => {
            req.extract::<lsp_types::CompletionParams>(r::Completion::METHOD).map(|(_, p)| {
                let at = p.text_document_position;
                let items = path_of(&at.text_document.uri)
                    .map(|path| navigation::completion(a, &path, at.position))
                    .unwrap_or_default();
                serde_json::to_value(items).unwrap_or_default()
            })
        }
        (r::DocumentSymbolRequest::METHOD, Some(a)) => {
            req.extract::<lsp_types::DocumentSymbolParams>(r::DocumentSymbolRequest::METHOD).map(|(_, p)| {
                let syms = path_of(&p.text_document.uri).map(|path| navigation::symbols(a, &path)).unwrap_or_default();
                serde_json::to_value(lsp_types::DocumentSymbolResponse::Nested(syms)).unwrap_or_default()
            })
        }
        (method, Some(_)) => {
            return Response::new_err(
                id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("zhidu lsp does not answer `{method}`"),
            );
        }
    };
    match result {
        Ok(v) => Response { id, response_result: Ok(v) },
        Err(e) => Response::new_err(id, lsp_server::ErrorCode::InvalidParams as i32, format!("{e:?}")),
    }
}
