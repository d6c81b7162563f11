//! `zhidu render`: the wall-posted handbook and the SOP sheets, generated from the typed policy
//! through minijinja templates (Markdown for wikis, self-contained print-ready HTML, and PDF:
//! Typst markup from `*.typ.j2` templates laid out by [`typeset`], no browser).
//!
//! Pipeline: [`context`] turns the [`Policy`] into template values; [`templates`] holds the
//! environment (filters, [`svg`] charts, [`markdown`]); this module renders documents and
//! compares them with committed copies (`render --check`).

pub mod context;
mod dated;
pub use dated::in_force_on;
pub mod markdown;
pub mod svg;
pub mod templates;
pub mod typeset;
pub mod typmark;
pub mod values;

use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

use crate::policy::Policy;

/// A document the renderer produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Doc {
    /// The handbook (运营管理制度手册).
    Handbook,
    /// The SOP sheets, one page per SOP or workflow.
    Sop,
}

impl Doc {
    /// File stem of the output and of its template.
    pub fn stem(self) -> &'static str {
        match self {
            Doc::Handbook => "handbook",
            Doc::Sop => "sop",
        }
    }
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocFormat {
    /// GitHub-flavoured Markdown.
    Md,
    /// Self-contained print-ready HTML.
    Html,
    /// PDF, typeset by zhidu (Typst; needs the CJK fonts of `fonts-noto-cjk`).
    Pdf,
}

impl DocFormat {
    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            DocFormat::Md => "md",
            DocFormat::Html => "html",
            DocFormat::Pdf => "pdf",
        }
    }

    /// Extension of the template: a PDF is typeset from Typst markup.
    pub fn template_ext(self) -> &'static str {
        match self {
            DocFormat::Pdf => "typ",
            f => f.ext(),
        }
    }
}

/// Which readers a document is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Edition {
    /// 上墙版: the articles as issued, numbered 第一条…; no rule IDs, checks or sources by code.
    #[default]
    Wall,
    /// 审计版: each article with its rule ID, source clause, how it is checked and the values the
    /// pack chose (本制度补充).
    Annotated,
}

impl Edition {
    /// The name templates see as `edition`.
    pub fn name(self) -> &'static str {
        match self {
            Edition::Wall => "wall",
            Edition::Annotated => "annotated",
        }
    }

    /// What the edition adds to a file stem (`handbook-annotated.html`); the wall edition none.
    pub fn suffix(self) -> &'static str {
        match self {
            Edition::Wall => "",
            Edition::Annotated => "-annotated",
        }
    }
}

/// One rendered file.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// File name (`handbook.html`).
    pub name: String,
    /// Contents; for a PDF, the Typst markup it was typeset from.
    pub text: String,
    /// The bytes of a binary format (PDF); `None` for text formats.
    pub bytes: Option<Vec<u8>>,
}

impl Rendered {
    /// What is written to the file.
    pub fn contents(&self) -> &[u8] {
        self.bytes.as_deref().unwrap_or(self.text.as_bytes())
    }
}

/// `zhidu render` failed.
#[derive(Debug, Error, Diagnostic)]
pub enum RenderError {
    /// A template failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Template(Box<TemplateError>),
    /// Typesetting the PDF failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Typeset(Box<typeset::TypesetError>),
}

/// A template could not be loaded or rendered.
#[derive(Debug, Error, Diagnostic)]
#[error("template `{name}`: {detail}")]
#[diagnostic(code(zhidu::render::template))]
pub struct TemplateError {
    /// Template name.
    pub name: String,
    /// What went wrong.
    pub detail: String,
    /// The template source, when known.
    #[source_code]
    pub src: Option<NamedSource<String>>,
    /// Where in the template.
    #[label("here")]
    pub span: Option<SourceSpan>,
    /// What to do.
    #[help]
    pub help: Option<String>,
}

impl TemplateError {
    fn from_minijinja(e: &minijinja::Error, fallback: &str) -> Self {
        let name = e.name().unwrap_or(fallback).to_string();
        let mut detail = e.detail().map_or_else(|| e.kind().to_string(), str::to_string);
        if let Some(line) = e.line() {
            detail = format!("{detail} (line {line})");
        }
        // A template from --templates may hold control characters too: quote it escaped, as
        // data files are (crate::base::visible), and point into the escaped text.
        let shown = e.template_source().map(|s| (s, crate::base::visible::Source::of(s)));
        let span = e.range().map(|r| match shown.as_ref().and_then(|(_, m)| m.as_ref()) {
            Some(m) => SourceSpan::from(m.offset(r.start)..m.offset(r.end)),
            None => SourceSpan::from(r.start..r.end),
        });
        let src = shown.map(|(s, m)| {
            NamedSource::new(crate::base::visible::line(&name), m.map_or_else(|| s.to_string(), |m| m.text))
        });
        let help = Some(match e.kind() {
            minijinja::ErrorKind::TemplateNotFound => {
                format!(
                    "templates are looked up in --templates DIR, then the built-in set: {}",
                    builtin_names().join(", ")
                )
            }
            _ => "see docs/templates.md for the template context".to_string(),
        });
        TemplateError { name, detail, src, span, help }
    }
}

/// Names of the built-in templates.
pub fn builtin_names() -> Vec<String> {
    let mut v: Vec<String> =
        templates::BUILTIN.files().map(|f| f.path().to_string_lossy().replace('\\', "/")).collect();
    v.sort();
    v
}

/// Renders `docs` in `formats` and `edition` from the policy; templates in `overrides` win over
/// the built-in. The annotated edition's files are named `handbook-annotated.md` and so on, so
/// both editions can live in one directory.
pub fn render(
    policy: &Policy,
    docs: &[Doc],
    formats: &[DocFormat],
    edition: Edition,
    overrides: Option<&Path>,
) -> Result<Vec<Rendered>, RenderError> {
    let env = templates::environment(overrides.map(Path::to_path_buf));
    let ctx = context::build_edition(policy, edition);
    let template =
        |e: minijinja::Error, name: &str| RenderError::Template(Box::new(TemplateError::from_minijinja(&e, name)));
    let mut out = Vec::new();
    for d in docs {
        for f in formats {
            let name = format!("{}.{}.j2", d.stem(), f.template_ext());
            let tpl = env.get_template(&name).map_err(|e| template(e, &name))?;
            let mut text = tpl.render(&ctx).map_err(|e| template(e, &name))?;
            if !text.ends_with('\n') {
                text.push('\n');
            }
            let bytes = match f {
                DocFormat::Pdf => Some(typeset::pdf(&name, &text).map_err(RenderError::Typeset)?),
                _ => None,
            };
            out.push(Rendered { name: format!("{}{}.{}", d.stem(), edition.suffix(), f.ext()), text, bytes });
        }
    }
    Ok(out)
}

/// How a committed copy differs from what would be rendered now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staleness {
    /// The file is missing.
    Missing(PathBuf),
    /// The file differs; first differing line (1-based).
    Differs(PathBuf, usize),
}

/// Compares rendered files with the copies in `dir`.
pub fn stale(rendered: &[Rendered], dir: &Path) -> Vec<Staleness> {
    let mut out = Vec::new();
    for r in rendered {
        let p = dir.join(&r.name);
        if r.bytes.is_some() {
            match std::fs::read(&p) {
                Ok(old) if old == r.contents() => {}
                Ok(_) => out.push(Staleness::Differs(p, 1)),
                Err(_) => out.push(Staleness::Missing(p)),
            }
            continue;
        }
        match std::fs::read_to_string(&p) {
            Ok(old) if old == r.text => {}
            Ok(old) => {
                let line = old
                    .lines()
                    .zip(r.text.lines())
                    .position(|(a, b)| a != b)
                    .map_or_else(|| old.lines().count().min(r.text.lines().count()) + 1, |i| i + 1);
                out.push(Staleness::Differs(p, line));
            }
            Err(_) => out.push(Staleness::Missing(p)),
        }
    }
    out
}

/// Writes the files into `dir`, each through a temp file and a rename.
pub fn write(rendered: &[Rendered], dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for r in rendered {
        crate::base::files::write_atomic(&dir.join(&r.name), r.contents())?;
    }
    Ok(())
}
