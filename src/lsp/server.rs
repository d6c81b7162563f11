//! The message loop: requests are answered on this thread from the latest compile; edits are
//! compiled on a worker thread, and a compile whose result is stale by the time it ends (a
//! newer edit arrived) is dropped, never published. Edits of org data go to the org worker
//! (`background`), whose running check is cancelled by the next edit or save.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{self as n, Notification as _};
use lsp_types::request::{self as r, Request as _};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, OneOf, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind,
};

use super::LspError;
use super::analysis::Analysis;
use super::background::{LatestOrgs, OrgJob, publish};
use super::documents::{Documents, canonical, path_of};
use super::org::{is_data, org_of};
use super::{navigation, records};

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
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(lsp_types::SemanticTokensServerCapabilities::SemanticTokensOptions(
            lsp_types::SemanticTokensOptions {
                legend: super::semantic::legend(),
                full: Some(lsp_types::SemanticTokensFullOptions::Bool(true)),
                ..lsp_types::SemanticTokensOptions::default()
            },
        )),
        ..ServerCapabilities::default()
    };
    let caps = serde_json::to_value(caps).map_err(|e| LspError::Protocol(e.to_string()))?;
    conn.initialize(caps).map_err(|e| LspError::Protocol(e.to_string()))?;

    let given = pack.map(|p| canonical(&p));
    let mut root = given.clone();
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
    // The org data: loaded and checked on a second worker, so a long check never holds up a
    // compile of the pack or an answer.
    let orgs: LatestOrgs = Arc::default();
    let org_generation = Arc::new(AtomicU64::new(0));
    let (org_jobs, org_rx) = mpsc::channel::<OrgJob>();
    let org_worker = {
        let (latest, generation, out, pack) = (orgs.clone(), org_generation.clone(), conn.sender.clone(), given);
        let send = move |m: Message| {
            let _ = out.send(m);
        };
        std::thread::spawn(move || super::background::org_loop(&org_rx, &latest, &generation, pack.as_deref(), &send))
    };
    let mut checked_orgs = std::collections::HashSet::new();
    // The token of the org job sent last: cancelled when a newer one is sent.
    let mut org_cancel = crate::base::cancel::Cancel::new();
    for msg in &conn.receiver {
        match msg {
            Message::Request(req) => {
                if conn.handle_shutdown(&req).map_err(|e| LspError::Protocol(e.to_string()))? {
                    break;
                }
                let resp = match req.method.as_str() {
                    r::Formatting::METHOD => format(req, &docs),
                    r::CodeActionRequest::METHOD => code_actions(req, &docs),
                    r::HoverRequest::METHOD if data_request(&req) => data_hover(req, &docs, &orgs),
                    r::Completion::METHOD if data_request(&req) => data_completion(req, &docs, &orgs),
                    _ => {
                        let current = latest.lock().ok().and_then(|l| l.clone());
                        answer(req, current.as_deref())
                    }
                };
                conn.sender.send(Message::Response(resp)).map_err(|e| LspError::Protocol(e.to_string()))?;
            }
            Message::Notification(note) => {
                let (method, uri) = (note.method.clone(), note.params["textDocument"]["uri"].clone());
                let changed = match method.as_str() {
                    n::DidOpenTextDocument::METHOD => params::<n::DidOpenTextDocument>(note).and_then(|p| {
                        let path = path_of(&p.text_document.uri)?;
                        if root.is_none() && !is_data(&path) {
                            root = pack_of(&path);
                        }
                        docs.set(path.clone(), p.text_document.version, p.text_document.text);
                        Some(path)
                    }),
                    n::DidChangeTextDocument::METHOD => params::<n::DidChangeTextDocument>(note).and_then(|p| {
                        let path = path_of(&p.text_document.uri)?;
                        // Full sync: the last change holds the whole text.
                        let text = p.content_changes.into_iter().last()?.text;
                        docs.set(path.clone(), p.text_document.version, text);
                        Some(path)
                    }),
                    n::DidCloseTextDocument::METHOD => params::<n::DidCloseTextDocument>(note).and_then(|p| {
                        let path = path_of(&p.text_document.uri)?;
                        docs.close(&path);
                        if is_data(&path) {
                            // Findings of a closed data file are not the editor's to show.
                            let out = |m: Message| {
                                let _ = conn.sender.send(m);
                            };
                            publish(&out, &path, Vec::new(), None);
                        }
                        Some(path)
                    }),
                    n::DidSaveTextDocument::METHOD => serde_json::from_value(uri).ok().and_then(|u| path_of(&u)),
                    _ => None,
                };
                let Some(path) = changed else { continue };
                match org_of(&path).filter(|_| is_data(&path)) {
                    Some(dir) => {
                        // A full check when the org is first opened and on every save.
                        let full = checked_orgs.insert(dir.clone()) || method == n::DidSaveTextDocument::METHOD;
                        let g = org_generation.fetch_add(1, Ordering::SeqCst) + 1;
                        org_cancel.cancel();
                        org_cancel = crate::base::cancel::Cancel::new();
                        let _ = org_jobs.send(OrgJob {
                            cancel: org_cancel.clone(),
                            generation: g,
                            orgs: docs.orgs(),
                            dirty: std::iter::once(dir.clone()).collect(),
                            full: if full { std::iter::once(dir).collect() } else { Default::default() },
                        });
                    }
                    None => schedule(&root, &docs),
                }
            }
            Message::Response(_) => {}
        }
    }
    drop(jobs);
    drop(org_jobs);
    org_worker.join().map_err(|_| LspError::Protocol("the org worker panicked".into()))?;
    worker.join().map_err(|_| LspError::Protocol("the compile worker panicked".into()))
}

/// Whether a request is about an org data file.
fn data_request(req: &Request) -> bool {
    let uri = &req.params["textDocument"]["uri"];
    serde_json::from_value::<lsp_types::Uri>(uri.clone()).ok().and_then(|u| path_of(&u)).is_some_and(|p| is_data(&p))
}

/// Formatting of a `.zd` buffer by `zhidu fmt`'s formatter: one edit replacing the whole text,
/// none when it is formatted already or does not parse (its diagnostics say why).
fn format(req: Request, docs: &Documents) -> Response {
    let id = req.id.clone();
    match req.extract::<lsp_types::DocumentFormattingParams>(r::Formatting::METHOD) {
        Ok((_, p)) => {
            let text = path_of(&p.text_document.uri).and_then(|path| docs.text(&path).map(str::to_string));
            let edits: Vec<lsp_types::TextEdit> = match text {
                Some(t) => match crate::syntax::fmt::format(&t) {
                    Ok(f) if f != t => {
                        let lines = super::position::Lines::new(&t);
                        vec![lsp_types::TextEdit { range: lines.range(&t, 0, t.len()), new_text: f }]
                    }
                    _ => Vec::new(),
                },
                None => Vec::new(),
            };
            Response::new_ok(id, edits)
        }
        Err(e) => Response::new_err(id, lsp_server::ErrorCode::InvalidParams as i32, format!("{e:?}")),
    }
}

/// The did-you-mean fixes of the diagnostics in a code action request.
fn code_actions(req: Request, docs: &Documents) -> Response {
    let id = req.id.clone();
    match req.extract::<lsp_types::CodeActionParams>(r::CodeActionRequest::METHOD) {
        Ok((_, p)) => {
            let uri = p.text_document.uri;
            let path = path_of(&uri);
            let csv = path.as_ref().is_some_and(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")));
            let actions = match path.as_ref().and_then(|path| docs.text_lines(path)) {
                Some(text) => records::code_actions(&uri, text, csv, &p.context.diagnostics),
                None => Vec::new(),
            };
            Response::new_ok(id, actions)
        }
        Err(e) => Response::new_err(id, lsp_server::ErrorCode::InvalidParams as i32, format!("{e:?}")),
    }
}

/// Hover in an org data file: the record a value names, from the org's latest load.
fn data_hover(req: Request, docs: &Documents, orgs: &LatestOrgs) -> Response {
    let id = req.id.clone();
    match req.extract::<lsp_types::HoverParams>(r::HoverRequest::METHOD) {
        Ok((_, p)) => {
            let at = p.text_document_position_params;
            let hover = path_of(&at.text_document.uri).and_then(|path| {
                let run = orgs.lock().ok()?.get(&org_of(&path)?)?.clone();
                records::hover(&run, docs.text_lines(&path)?, &path, at.position)
            });
            Response::new_ok(id, hover)
        }
        Err(e) => Response::new_err(id, lsp_server::ErrorCode::InvalidParams as i32, format!("{e:?}")),
    }
}

/// Completion in an org data file: keys and values from the schema and the org's latest load.
fn data_completion(req: Request, docs: &Documents, orgs: &LatestOrgs) -> Response {
    let id = req.id.clone();
    match req.extract::<lsp_types::CompletionParams>(r::Completion::METHOD) {
        Ok((_, p)) => {
            let at = p.text_document_position;
            let list = path_of(&at.text_document.uri).and_then(|path| {
                let run = orgs.lock().ok()?.get(&org_of(&path)?)?.clone();
                super::data_completion::completion(&run, docs.text_lines(&path)?, &path, at.position)
            });
            Response::new_ok(id, list)
        }
        Err(e) => Response::new_err(id, lsp_server::ErrorCode::InvalidParams as i32, format!("{e:?}")),
    }
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
        (r::SemanticTokensFullRequest::METHOD, Some(a)) => {
            req.extract::<lsp_types::SemanticTokensParams>(r::SemanticTokensFullRequest::METHOD).map(|(_, p)| {
                let tokens = path_of(&p.text_document.uri).and_then(|path| super::semantic::tokens(a, &path));
                serde_json::to_value(tokens.map(lsp_types::SemanticTokensResult::Tokens)).unwrap_or_default()
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
