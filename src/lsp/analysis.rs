//! One compile of the pack with the editor's buffers: the diagnostics `zhidu lint` gives, as
//! LSP diagnostics by file, the navigation index, and the resolved policy when it compiled.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString};
use miette::Diagnostic as _;

use super::index::Index;
use super::position::Lines;
use crate::base::diag::{Diagnostics, Located};
use crate::base::source::{FileId, Loc, SourceMap};
use crate::compile::load::{self, PackSource};
use crate::policy::Policy;

/// The result of one compile.
pub struct Analysis {
    /// Every file read, with the text compiled.
    pub sources: SourceMap,
    /// Line indexes of the files, by id.
    lines: Vec<Lines>,
    /// Declarations and references.
    pub index: Index,
    /// The resolved pack, when it compiled without errors.
    pub policy: Option<Policy>,
    /// Diagnostics by file path (files of the built-in pack are left out: an editor cannot
    /// open them).
    pub diagnostics: BTreeMap<PathBuf, Vec<Diagnostic>>,
}

impl Analysis {
    /// Compiles the pack at `root` (absolute) with `open` replacing files on disk.
    pub fn run(root: &Path, open: &HashMap<PathBuf, String>) -> Analysis {
        let src = PackSource::Edited(root.to_path_buf(), open);
        let (sources, index, policy, mut diags) = match load::load_all(&src) {
            Err((sources, diags)) => (sources, Index::default(), None, diags),
            Ok((loaded, diags)) => {
                let index = Index::build(&loaded);
                if diags.error_count() > 0 {
                    (loaded.sources, index, None, diags)
                } else {
                    let sources = loaded.sources.clone();
                    match crate::compile::resolve::resolve(loaded) {
                        Err((_, diags)) => (sources, index, None, diags),
                        Ok((p, mut diags)) => {
                            // The pack's own policy rules, as `zhidu lint` runs them.
                            let mut found = Diagnostics::default();
                            for e in crate::engine::lint::lint(&p) {
                                found.push(e, &p.sources);
                            }
                            diags.items.append(&mut found.items);
                            (sources, index, Some(p), diags)
                        }
                    }
                }
            }
        };
        diags.sort();
        let lines = sources.files().map(|(_, f)| Lines::new(f.text())).collect();
        let mut a = Analysis { sources, lines, index, policy, diagnostics: BTreeMap::new() };
        // Every file of the pack gets a list, empty when clean, so fixed files are cleared.
        for (_, f) in a.sources.files() {
            if !f.name.starts_with('<') {
                a.diagnostics.entry(PathBuf::from(f.name.as_str())).or_default();
            }
        }
        for d in &diags.items {
            if let Some(path) = a.path(d.loc.file) {
                let lsp = a.convert(d);
                a.diagnostics.entry(path).or_default().push(lsp);
            }
        }
        a
    }

    /// The path of a file on disk (`None` for the built-in pack's).
    pub fn path(&self, id: FileId) -> Option<PathBuf> {
        let name = &self.sources.files().nth(id.0 as usize)?.1.name;
        // `<builtin>/…`: a file of the pack inside the binary.
        (!name.starts_with('<')).then(|| PathBuf::from(name.as_str()))
    }

    /// The id of the file at `path`.
    pub fn file(&self, path: &Path) -> Option<FileId> {
        self.sources.files().find(|(_, f)| Path::new(f.name.as_str()) == path).map(|(id, _)| id)
    }

    /// The LSP range of a location.
    pub fn range(&self, loc: Loc) -> lsp_types::Range {
        let text = self.sources.get(loc.file).text();
        match self.lines.get(loc.file.0 as usize) {
            Some(l) => l.range(text, loc.start as usize, loc.end as usize),
            None => lsp_types::Range::default(),
        }
    }

    /// The byte offset of a position in a file.
    pub fn offset(&self, file: FileId, pos: lsp_types::Position) -> usize {
        let text = self.sources.get(file).text();
        self.lines.get(file.0 as usize).map_or(0, |l| l.offset(text, pos))
    }

    /// A diagnostic as the editor shows it: message, help, code, severity.
    fn convert(&self, d: &Located) -> Diagnostic {
        let severity = match d.severity() {
            Some(miette::Severity::Warning) => DiagnosticSeverity::WARNING,
            Some(miette::Severity::Advice) => DiagnosticSeverity::INFORMATION,
            _ => DiagnosticSeverity::ERROR,
        };
        let mut message = d.to_string();
        if let Some(h) = d.help() {
            message.push_str(&format!("\nhelp: {h}"));
        }
        Diagnostic {
            range: self.range(d.loc),
            severity: Some(severity),
            code: Some(NumberOrString::String(d.code())),
            source: Some("zhidu".into()),
            message: crate::base::redact::redact(&message).into_owned(),
            ..Diagnostic::default()
        }
    }
}
