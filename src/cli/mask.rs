//! `zhidu mask`: desensitise CSV exports by the pack's `mask` rules, streaming, with atomic
//! writes; never overwrites the input.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::{EXIT_ERROR, EXIT_OK, load_or_report};
use crate::base::exports::{CategoryError, CategorySource, Charset, category, open, sidecar_path};
use crate::base::files::{Protected, identity};
use crate::mask::{Plan, Summary, mask_csv};

/// Arguments of `zhidu mask`.
pub struct Args<'a> {
    /// Input file.
    pub input: Option<&'a Path>,
    /// Output file.
    pub output: Option<&'a Path>,
    /// Input directory.
    pub in_dir: Option<&'a Path>,
    /// Output directory.
    pub out_dir: Option<&'a Path>,
    /// Input encoding.
    pub encoding: &'a str,
    /// Policy dir.
    pub policy: Option<&'a Path>,
    /// Colour.
    pub color: bool,
}

/// Runs the command; returns the exit code.
pub fn run(a: Args) -> u8 {
    let Some(charset) = Charset::parse(a.encoding) else {
        errln!("error: unknown encoding `{}` (auto, utf-8, gbk, gb18030)", a.encoding);
        return EXIT_ERROR;
    };
    // Each job: input, output, and the folder that may name the input's data category (the
    // input's own folder; with `--in-dir`, the folder right under it).
    let jobs: Vec<(PathBuf, PathBuf, Option<String>)> = match (a.input, a.output, a.in_dir, a.out_dir) {
        (Some(i), Some(o), None, None) => {
            let folder = i.parent().and_then(Path::file_name).map(|f| f.to_string_lossy().into_owned());
            vec![(i.to_path_buf(), o.to_path_buf(), folder)]
        }
        (None, None, Some(i), Some(o)) => {
            // Made first, so `d/x/..` resolves to the directory it is before it is compared.
            if let Err(e) = std::fs::create_dir_all(o) {
                errln!("error: cannot make `{}`: {e}", o.display());
                return EXIT_ERROR;
            }
            if same_dir(i, o) {
                errln!("error: `--out-dir` must differ from `--in-dir`: zhidu never overwrites its input");
                return EXIT_ERROR;
            }
            // The org walk's rules: links inside the dir are followed, a link out of it (or a
            // loop, or a CSV that is not a regular file) is an error naming it, never a file
            // silently left out of the masking.
            let walked = crate::data::walk::walk_in(i, "input dir");
            if !walked.problems.is_empty() {
                for (path, why) in &walked.problems {
                    errln!("error: `{}`: {why}", i.join(path).display());
                }
                errln!("error: nothing was masked");
                return EXIT_ERROR;
            }
            walked
                .files
                .into_iter()
                .filter(|f| f.rel.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
                .filter(|f| !f.path.starts_with(o))
                .map(|f| {
                    // The export's data category may be given by its first folder.
                    let mut parts = f.rel.components();
                    let first = parts.next().map(|c| c.as_os_str().to_string_lossy().into_owned());
                    let folder = first.filter(|_| parts.next().is_some());
                    (f.path, o.join(&f.rel), folder)
                })
                .collect()
        }
        _ => {
            errln!("error: give `INPUT -o OUTPUT`, or `--in-dir DIR --out-dir DIR`");
            return EXIT_ERROR;
        }
    };
    let policy = match super::pack_dir(a.policy, a.color).and_then(|d| load_or_report(d.as_deref(), a.color)) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let plan = match Plan::from_policy(&policy) {
        Ok(p) => p,
        Err(e) => {
            errln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    let mut failed = false;
    let mut weak = false;
    for (input, output, folder) in &jobs {
        // The output's directory is made before the output is compared with the input, so
        // `m/new/../in.csv` is seen to be `m/in.csv`; files compare by device and inode.
        let dir = output.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if let Err(e) = std::fs::create_dir_all(dir) {
            errln!("error: cannot make `{}`: {e}", dir.display());
            failed = true;
            continue;
        }
        let mut inputs = Protected::default();
        inputs.file(input);
        if inputs.refuses(output).is_some() {
            errln!("error: `{}`: the output is the input; zhidu never overwrites its input", input.display());
            failed = true;
            continue;
        }
        // The masks that apply depend on the data category (see `base::exports::category`):
        // an unknown one is an error, none at all is masked as the strictest.
        let category = match category(input, folder.as_deref(), &plan.categories) {
            Ok(c) => c,
            Err(e) => {
                errln!("error: `{}`: {}", input.display(), category_error(&e, &plan.categories));
                failed = true;
                continue;
            }
        };
        if category.is_none() && !plan.categories.is_empty() {
            errln!(
                "note: `{}` declares no data category ({}): masked as the strictest, every mask rule applying; \
                 put it in a folder named by its category or write `{}` with `category = \"…\"`",
                input.display(),
                plan.categories.join(", "),
                sidecar_path(input).display()
            );
        }
        // The output keeps the input's category: its sidecar is copied next to it.
        if let Some((_, CategorySource::Sidecar(side))) = &category {
            let copied = crate::base::files::read(side)
                .and_then(|bytes| crate::base::files::write_atomic(&sidecar_path(output), &bytes));
            if let Err(e) = copied {
                errln!("error: cannot copy `{}`: {e}", side.display());
                failed = true;
                continue;
            }
        }
        match mask_file(input, output, &plan, category.as_ref().map(|(c, _)| c.as_str()), charset) {
            Ok(s) => {
                weak |= s.weak_hash;
                print_summary(input, output, &s);
            }
            Err(e) => {
                errln!("error: `{}`: {e}", input.display());
                failed = true;
            }
        }
    }
    if weak && !plan.unkeyed_hash.is_empty() {
        errln!(
            "warning: IDs were hashed with unsalted SHA-256 (mask {}); short IDs and ID-card numbers can be recovered by \
             enumeration — in the company's policy overlay write `override mask {} {{ algorithm hmac_sha256 key_env \"ZHIDU_MASK_KEY\" }}` \
             and set that environment variable",
            plan.unkeyed_hash.join(", "),
            plan.unkeyed_hash.first().map_or("…", String::as_str)
        );
    }
    if failed { EXIT_ERROR } else { EXIT_OK }
}

/// What is wrong with an export's category, for the terminal.
fn category_error(e: &CategoryError, known: &[String]) -> String {
    match e {
        CategoryError::Sidecar { path, reason } => format!("its category file `{}`: {reason}", path.display()),
        CategoryError::Unknown { word, suggestion, .. } => format!(
            "`{word}` is not a known data category ({}){}",
            known.join(", "),
            suggestion.as_deref().map_or(String::new(), |s| format!("; did you mean `{s}`?"))
        ),
    }
}

/// Whether two existing directories are one (by device and inode).
fn same_dir(a: &Path, b: &Path) -> bool {
    match (identity(a), identity(b)) {
        (Some(x), Some(y)) => x == y,
        // One of them cannot be read: refuse rather than risk writing over the input.
        _ => true,
    }
}

/// Masks one file into a temporary file next to the output, then renames it into place. On
/// any error the temporary file is removed (`write_with` drops it before this returns, and the
/// command returns its exit code rather than exiting the process), so nothing is left behind.
fn mask_file(
    input: &Path,
    output: &Path,
    plan: &Plan,
    category: Option<&str>,
    charset: Charset,
) -> Result<Summary, String> {
    // Only a regular file is masked: a device (`/dev/zero`) never ends and a FIFO may block for
    // ever; `open` refuses them, naming what the path is.
    let opened = open(input, charset).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidInput => format!("{e}; zhidu mask reads regular files only"),
        _ => e.to_string(),
    })?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_message(format!("masking {}", input.display()));
        b
    });
    let mut summary = None;
    let written = crate::base::files::write_with(output, |w| {
        let s = mask_csv(opened.reader, w, plan, category, |rows| {
            if let Some(b) = &bar {
                b.set_position(rows);
                b.set_message(format!("masking {} — {rows} rows", input.display()));
            }
        })
        .map_err(std::io::Error::other)?;
        summary = Some(s);
        Ok(())
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    written.map_err(|e| e.to_string())?;
    summary.ok_or_else(|| "nothing was written".to_string())
}

fn print_summary(input: &Path, output: &Path, s: &Summary) {
    errln!("{} → {}: {} row(s)", input.display(), output.display(), s.rows);
    for (col, (rule, n)) in &s.columns {
        if *n > 0 {
            errln!("  {col:<12} {rule:<10} {n} value(s) masked");
        }
    }
    if s.ids + s.mobiles > 0 {
        errln!("  free text: {} ID-card number(s), {} mobile number(s) replaced", s.ids, s.mobiles);
    }
}
