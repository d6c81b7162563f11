//! PDF without a browser: Typst, embedded as a library, lays out the Typst markup that the
//! `*.typ.j2` templates render (CJK line breaking, outline, page numbers) and writes a PDF with
//! embedded CID fonts. Fonts come from the system (fontconfig's directories); the document
//! names its faces (Noto Serif/Sans CJK SC, from the `fonts-noto-cjk` package).
//!
//! The [`World`] here is closed: one in-memory source file and no other file, no package, no
//! clock; figures are passed inline as `bytes("<svg…>")`. So the PDF depends only on the
//! markup and the fonts, and the same input gives the same bytes.

use std::sync::OnceLock;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;
use typst::diag::{FileError, FileResult, Severity};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;

/// The font families the templates set, body first: at least the first must be installed.
pub const FAMILIES: [&str; 2] = ["Noto Serif CJK SC", "Noto Sans CJK SC"];

/// 楷体 faces for section headings, best first, as Typst names them (`fonts-arphic-ukai`'s
/// "AR PL UKai CN" is "AR PL UKai" to Typst, which reads a trailing "CN" as a width;
/// `fonts-arphic-gkai00mp`; the Windows and macOS names). Optional: without one, section
/// headings use the serif face.
pub const KAI_FAMILIES: [&str; 4] = ["AR PL UKai", "AR PL KaitiM GB", "KaiTi", "STKaiti"];

/// The Debian/Ubuntu package that provides [`FAMILIES`].
pub const FONT_PACKAGE: &str = "fonts-noto-cjk";

/// Typesetting failed.
#[derive(Debug, Error, Diagnostic)]
pub enum TypesetError {
    /// The CJK faces the templates use are not installed.
    #[error("no CJK font for the PDF: {missing} is not installed")]
    #[diagnostic(
        code(zhidu::render::fonts),
        help(
            "install the {FONT_PACKAGE} package (Debian/Ubuntu: `apt-get install {FONT_PACKAGE}`), or render HTML or Markdown instead"
        )
    )]
    NoFont {
        /// The family looked for.
        missing: String,
    },
    /// Typst rejected the markup a template produced.
    #[error("typesetting `{name}` failed: {message}")]
    #[diagnostic(code(zhidu::render::typeset))]
    Markup {
        /// The template the markup came from.
        name: String,
        /// Typst's message.
        message: String,
        /// The generated markup.
        #[source_code]
        src: NamedSource<String>,
        /// Where in the markup.
        #[label("here")]
        span: Option<SourceSpan>,
        /// Typst's hints, or where to look.
        #[help]
        help: String,
    },
}

/// The system fonts, scanned once per process (scanning reads every font file's tables).
fn fonts() -> &'static FontStore {
    static FONTS: OnceLock<FontStore> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut store = FontStore::new();
        store.extend(typst_kit::fonts::system());
        store
    })
}

/// Fails with [`TypesetError::NoFont`] unless the body face is installed.
pub fn check_fonts() -> Result<(), Box<TypesetError>> {
    let book = fonts().book();
    match FAMILIES.iter().find(|f| book.select_family(&f.to_lowercase()).next().is_none()) {
        Some(missing) if *missing == FAMILIES[0] => {
            Err(Box::new(TypesetError::NoFont { missing: (*missing).to_string() }))
        }
        _ => Ok(()),
    }
}

/// The first of [`KAI_FAMILIES`] that is installed. The templates get it as `sys.inputs.kai`,
/// so they set a Kai heading regular (the Kai faces have no bold) and a serif one bold.
pub fn kai_family() -> Option<&'static str> {
    let book = fonts().book();
    KAI_FAMILIES.into_iter().find(|f| book.select_family(&f.to_lowercase()).next().is_some())
}

/// A world of one source file.
struct OneFile {
    library: LazyHash<Library>,
    main: Source,
}

impl World for OneFile {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        fonts().book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::AccessDenied) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.text().to_string()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // No clock: a document is a function of its input.
        None
    }
}

/// Typesets `markup` (rendered from template `name`) into PDF bytes.
pub fn pdf(name: &str, markup: &str) -> Result<Vec<u8>, Box<TypesetError>> {
    check_fonts()?;
    let mut inputs = typst::foundations::Dict::new();
    if let Some(kai) = kai_family() {
        inputs.insert("kai".into(), typst::foundations::IntoValue::into_value(kai));
    }
    let library = Library::builder().with_inputs(inputs).build();
    let world = OneFile { library: LazyHash::new(library), main: Source::detached(markup) };
    let fail = |diags: &[typst::diag::SourceDiagnostic]| {
        let first = diags.iter().find(|d| d.severity == Severity::Error).or(diags.first());
        let message = first.map_or_else(|| "unknown error".to_string(), |d| d.message.to_string());
        let span = first.and_then(|d| world.range(d.span)).map(|r| SourceSpan::from(r.start..r.end));
        let mut help: Vec<String> =
            first.map(|d| d.hints.iter().map(|h| h.v.to_string()).collect()).unwrap_or_default();
        help.push("the markup comes from the template; see docs/templates.md".into());
        Box::new(TypesetError::Markup {
            name: name.to_string(),
            message,
            src: NamedSource::new(format!("{name} (rendered)"), markup.to_string()),
            span,
            help: help.join("; "),
        })
    };
    let doc: PagedDocument = typst::compile(&world).output.map_err(|e| fail(&e))?;
    let options = typst_pdf::PdfOptions {
        // A stable identifier and no creation date: the same input gives the same bytes.
        ident: Smart::Custom(format!("zhidu/{name}")),
        creator: Smart::Custom(Some("zhidu".into())),
        ..Default::default()
    };
    typst_pdf::pdf(&doc, &options).map_err(|e| fail(&e))
}

/// Typst markup for a text: every character that markup gives a meaning to is escaped, so pack
/// and org text is always text (no function call, heading, list or label).
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '#' | '*' | '_' | '`' | '$' | '<' | '>' | '@' | '[' | ']' | '~' | '"' | '\'' | '/' | '=' | '+'
            | '-' | '.' | ':' => {
                o.push('\\');
                o.push(c);
            }
            '\r' => {}
            c => o.push(c),
        }
    }
    o
}

/// A Typst string literal.
pub fn string(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_is_never_markup() {
        assert_eq!(escape("= #set [x] *a* 1. <l> @r"), "\\= \\#set \\[x\\] \\*a\\* 1\\. \\<l\\> \\@r");
        assert_eq!(string("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}
