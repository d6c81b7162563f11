//! `zhidu render`: writes the handbook and SOP sheets, or checks committed copies for staleness.

use std::path::Path;

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, RenderWhat, load_or_report};
use crate::render::{self, Doc, DocFormat, Staleness};

/// Arguments of `zhidu render`.
pub struct Args<'a> {
    /// Documents.
    pub what: RenderWhat,
    /// Policy directory.
    pub policy: Option<&'a Path>,
    /// Output directory.
    pub out: Option<&'a Path>,
    /// Formats (empty: all).
    pub formats: &'a [DocFormat],
    /// Edition.
    pub edition: render::Edition,
    /// Template overrides.
    pub templates: Option<&'a Path>,
    /// Compare instead of writing.
    pub check: bool,
    /// Colour diagnostics.
    pub color: bool,
    /// `--as-of`: the day whose values of dated declarations the handbook prints.
    pub as_of: Option<jiff::civil::Date>,
}

/// Runs the command; returns the exit code.
pub fn run(a: Args) -> u8 {
    let docs: &[Doc] = match a.what {
        RenderWhat::Handbook => &[Doc::Handbook],
        RenderWhat::Sop => &[Doc::Sop],
        RenderWhat::All => &[Doc::Handbook, Doc::Sop],
    };
    let formats: Vec<DocFormat> =
        if a.formats.is_empty() { vec![DocFormat::Md, DocFormat::Html] } else { a.formats.to_vec() };
    if a.out.is_none() && docs.len() * formats.len() > 1 {
        errln!(
            "error: several documents need an output directory\n  help: add `--out DIR`, or name one document and one `--format`"
        );
        return EXIT_ERROR;
    }
    if a.out.is_none() && formats.contains(&DocFormat::Pdf) {
        errln!("error: a PDF is not printed to the terminal\n  help: add `--out DIR`");
        return EXIT_ERROR;
    }
    if let Some(t) = a.templates
        && !t.is_dir()
    {
        errln!("error: template directory `{}` does not exist", t.display());
        return EXIT_ERROR;
    }
    let policy = match super::pack_dir(a.policy, a.color).and_then(|d| load_or_report(d.as_deref(), a.color)) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut policy = policy;
    if !policy.histories.is_empty() {
        // The handbook prints the values in force on `as_of`: `--as-of`, else the org's.
        let org_as_of = || {
            let dir = super::nearest_org()?;
            let config = crate::data::read_config(&dir, jiff::Zoned::now().date()).ok()?;
            config.as_of_given.then_some(config.as_of)
        };
        if let Some(day) = a.as_of.or_else(org_as_of) {
            render::in_force_on(&mut policy, day);
        }
    }
    let rendered = match render::render(&policy, docs, &formats, a.edition, a.templates) {
        Ok(r) => r,
        Err(e) => {
            err!("{}", crate::base::diag::render_one(&e, a.color));
            return EXIT_ERROR;
        }
    };
    let Some(out) = a.out else {
        for r in &rendered {
            super::emit(&r.text);
        }
        return EXIT_OK;
    };
    if a.check {
        let stale = render::stale(&rendered, out);
        for s in &stale {
            match s {
                Staleness::Missing(p) => errln!("stale: {} is missing", p.display()),
                Staleness::Differs(p, line) => errln!("stale: {} differs from line {line}", p.display()),
            }
        }
        if stale.is_empty() {
            errln!("render: {} file(s) in {} are up to date", rendered.len(), out.display());
            return EXIT_OK;
        }
        errln!(
            "render: {} of {} file(s) are stale; run `zhidu render --out {}`",
            stale.len(),
            rendered.len(),
            out.display()
        );
        return EXIT_FINDINGS;
    }
    // The pack's own files are never written over, whatever `--out` says.
    if let Some(dir) = a.policy {
        let mut p = crate::base::files::Protected::default();
        for (_, f) in policy.sources.files() {
            p.file(&dir.join(f.name.as_str()));
        }
        let targets: Vec<std::path::PathBuf> = rendered.iter().map(|r| out.join(&r.name)).collect();
        if super::refused(&p, &targets.iter().map(std::path::PathBuf::as_path).collect::<Vec<_>>()) {
            return EXIT_ERROR;
        }
    }
    if let Err(e) = render::write(&rendered, out) {
        errln!("error: cannot write to {}: {e}", out.display());
        return EXIT_ERROR;
    }
    for r in &rendered {
        errln!("wrote {}", out.join(&r.name).display());
    }
    EXIT_OK
}
