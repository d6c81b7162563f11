//! Located diagnostics: any stage error plus the source it points into, rendered by miette.
//!
//! Stage errors carry a [`Loc`] (file id + byte range) only; [`Located`] attaches the file text
//! from the [`SourceMap`] when the error leaves the stage, so errors stay small and cheap.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, NamedSource, Severity as MSeverity, SourceCode,
    SourceSpan, SpanContents,
};

use crate::base::source::{Loc, SourceMap};
use crate::base::visible;

/// A stage error that knows where it points.
pub trait LocatedError: Diagnostic + Send + Sync + 'static {
    /// The primary location.
    fn loc(&self) -> Loc;
    /// Text under the primary span.
    fn label(&self) -> String;
    /// Further spans with labels (e.g. "first declared here").
    fn secondary(&self) -> Vec<(Loc, String)> {
        Vec::new()
    }
}

/// Lines longer than this (in bytes) are shown cut to a window around the span: miette pads a
/// label out to its column with a format width, which panics past 65 535 columns (a generated
/// policy written on one line, with an error far along it).
const LONG_LINE: usize = 10_000;

/// Bytes of a long line shown before and after a span's start.
const WINDOW: usize = 100;

/// A file as miette reads it, except that a span on a long line comes with only a window of that
/// line around it (and no context lines), at the span's true line and column.
#[derive(Debug)]
struct Source(NamedSource<Arc<str>>);

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let full = self.0.read_span(span, context_lines_before, context_lines_after)?;
        if full.data().split(|b| *b == b'\n').all(|line| line.len() <= LONG_LINE) {
            return Ok(full);
        }
        let text: &str = self.0.inner();
        let at = text.floor_char_boundary(span.offset().min(text.len()));
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let from = text.floor_char_boundary(at.saturating_sub(WINDOW).max(line_start));
        let to = text.ceil_char_boundary((at + span.len().min(WINDOW) + WINDOW).min(line_end));
        let head = self.0.read_span(span, 0, 0)?;
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.0.name().to_string(),
                &text.as_bytes()[from..to],
                (from, to - from).into(),
                head.line(),
                head.column(),
                full.line_count(),
            )
            .with_language("zhidu"),
        ))
    }
}

/// A diagnostic with its source attached; what the CLI prints.
pub struct Located {
    inner: Box<dyn Diagnostic + Send + Sync>,
    src: Source,
    labels: Vec<LabeledSpan>,
    /// `file:line:col` of the primary span.
    pub position: String,
    /// Primary location.
    pub loc: Loc,
    /// Secondary spans in other files (miette shows one source per diagnostic).
    related: Vec<Related>,
}

/// A secondary span in another file than the primary one, shown as a related diagnostic with
/// its own source (e.g. where the base pack declares what an overlay declares again).
#[derive(Debug)]
struct Related {
    text: String,
    src: Source,
    label: LabeledSpan,
}

impl fmt::Display for Related {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Related {}

impl Diagnostic for Related {
    fn severity(&self) -> Option<MSeverity> {
        Some(MSeverity::Advice)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

impl Located {
    /// Attaches the source of `err`'s location.
    pub fn new<E: LocatedError>(err: E, sources: &SourceMap) -> Self {
        let loc = err.loc();
        let file = sources.get(loc.file);
        // Spans in the quoted source, which has the file's control characters escaped.
        let span = |l: Loc| file.span(l.start as usize, l.end as usize);
        let mut labels = vec![LabeledSpan::new_primary_with_span(Some(err.label()), span(loc))];
        let mut related = Vec::new();
        for (l, text) in err.secondary() {
            // miette renders one source per diagnostic; a secondary span elsewhere is a related
            // diagnostic with that file as its source.
            if l.file == loc.file {
                labels.push(LabeledSpan::new_with_span(Some(text), span(l)));
            } else {
                let other = sources.get(l.file);
                let label = LabeledSpan::new_primary_with_span(
                    Some(text.clone()),
                    other.span(l.start as usize, l.end as usize),
                );
                related.push(Related {
                    text: format!("{text}: {}", sources.describe(l)),
                    src: Source(other.named()),
                    label,
                });
            }
        }
        Located {
            src: Source(file.named()),
            labels,
            position: sources.describe(loc),
            loc,
            inner: Box::new(err),
            related,
        }
    }

    /// The diagnostic code, e.g. `zhidu::parse::syntax`.
    pub fn code(&self) -> String {
        self.inner.code().map(|c| c.to_string()).unwrap_or_default()
    }

    /// Whether this is an error (as opposed to a warning).
    pub fn is_error(&self) -> bool {
        !matches!(self.inner.severity(), Some(MSeverity::Warning) | Some(MSeverity::Advice))
    }
}

impl fmt::Debug for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}] {}", self.position, self.code(), self.inner)
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl std::error::Error for Located {}

impl Diagnostic for Located {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<MSeverity> {
        self.inner.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

/// Several diagnostics of one run, sorted by position.
#[derive(Debug, Default)]
pub struct Diagnostics {
    /// The diagnostics.
    pub items: Vec<Located>,
}

impl Diagnostics {
    /// Adds one.
    pub fn push<E: LocatedError>(&mut self, err: E, sources: &SourceMap) {
        self.items.push(Located::new(err, sources));
    }

    /// Number of error-level diagnostics.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// Sorts by file, position and code; removes exact duplicates.
    pub fn sort(&mut self) {
        self.items.sort_by_key(|a| (a.loc, a.code(), a.to_string()));
        self.items.dedup_by(|a, b| a.loc == b.loc && a.code() == b.code() && a.to_string() == b.to_string());
    }

    /// Renders all diagnostics as text (graphical, with or without colour).
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        for d in &self.items {
            out.push_str(&render_one(d, color));
        }
        out
    }
}

/// Renders one diagnostic with miette's graphical handler. Its words go through
/// [`Shown`] (a message may quote a value of a record, and that value may hold control
/// characters); the source lines it quotes are escaped by [`SourceFile::named`].
///
/// [`SourceFile::named`]: crate::base::source::SourceFile::named
pub fn render_one(d: &dyn Diagnostic, color: bool) -> String {
    let theme = if color { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    let shown = Shown::of(d);
    let mut s = String::new();
    if handler.render_report(&mut s, &shown).is_err() {
        s = format!("{shown}\n");
    }
    s
}

/// A diagnostic as it is printed: message, help and labels with their control characters
/// escaped (line breaks kept in the message and help, which zhidu breaks itself; none in a
/// label, which sits on one line under the source).
struct Shown<'a> {
    inner: &'a dyn Diagnostic,
    message: String,
    help: Option<String>,
    labels: Option<Vec<LabeledSpan>>,
}

impl<'a> Shown<'a> {
    fn of(inner: &'a dyn Diagnostic) -> Self {
        let labels = inner.labels().map(|ls| {
            ls.map(|l| {
                let label = l.label().map(|t| visible::line(t).into_owned());
                if l.primary() {
                    LabeledSpan::new_primary_with_span(label, *l.inner())
                } else {
                    LabeledSpan::new_with_span(label, *l.inner())
                }
            })
            .collect()
        });
        Shown {
            inner,
            message: visible::lines(&inner.to_string()).into_owned(),
            help: inner.help().map(|h| visible::lines(&h.to_string()).into_owned()),
            labels,
        }
    }
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Shown<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

impl Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<MSeverity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.inner.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.labels.as_ref().map(|ls| Box::new(ls.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        self.inner.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.inner.diagnostic_source()
    }
}

/// Levenshtein-based "did you mean" for names.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = strsim::levenshtein(name, c);
        let limit = (name.chars().count().max(c.chars().count()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error, Diagnostic)]
    #[error("m")]
    #[diagnostic(code(zhidu::test))]
    struct Err(Loc);

    impl LocatedError for Err {
        fn loc(&self) -> Loc {
            self.0
        }
        fn label(&self) -> String {
            "here".into()
        }
    }

    fn render(text: &str, start: usize, end: usize) -> String {
        let mut sources = SourceMap::default();
        let file = sources.add("p.zd", text);
        let err = Err(Loc::new(file, start, end));
        let mut d = Diagnostics::default();
        d.push(err, &sources);
        d.render(false)
    }

    #[test]
    fn a_span_far_along_a_long_line_is_shown_in_a_window_at_its_true_position() {
        // miette would pad the label with a format width past 65 535 and panic.
        let text = format!("a\n{}é)\nb\n", "x ".repeat(40_000));
        let at = text.find(')').unwrap_or_default();
        let out = render(&text, at, at + 1);
        assert!(out.contains("p.zd:2:80003]"), "{out}");
        assert!(out.contains("x x é)") && out.contains("here"), "{out}");
        assert!(out.lines().all(|l| l.len() < 400), "{out}");
    }

    #[test]
    fn short_lines_are_shown_whole() {
        let out = render("role a {\n  unit b\n}\n", 11, 15);
        assert!(out.contains("p.zd:2:3]") && out.contains("1 │ role a {") && out.contains("3 │ }"), "{out}");
    }
}
