//! The open buffers: an editor's text of a file replaces the file on disk until it is closed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use lsp_types::Uri;

use super::position::Lines;

/// Texts shorter than this get their line index at once; longer ones on a helper thread.
const INDEX_AT_ONCE: usize = 256 * 1024;

/// One open text.
#[derive(Debug)]
struct Open {
    version: i32,
    text: Arc<str>,
    /// Its line starts: made on a helper thread for a long text (a data file of a big org is
    /// megabytes long), so that the edit that brought it does not hold up the requests behind
    /// it; a request that needs them before they are ready waits for that thread.
    lines: Arc<OnceLock<Lines>>,
}

/// Open documents by path.
#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<PathBuf, Open>,
}

impl Documents {
    /// Sets the text of a document (on open or a full change).
    pub fn set(&mut self, path: PathBuf, version: i32, text: String) {
        let text: Arc<str> = text.into();
        let lines = Arc::new(OnceLock::new());
        if text.len() < INDEX_AT_ONCE {
            let _ = lines.set(Lines::new(&text));
        } else {
            let (text, lines) = (text.clone(), lines.clone());
            std::thread::spawn(move || {
                // Not wanted any more when a newer text replaced this one meanwhile.
                if Arc::strong_count(&lines) > 1 {
                    lines.get_or_init(|| Lines::new(&text));
                }
            });
        }
        self.open.insert(path, Open { version, text, lines });
    }

    /// Forgets a closed document.
    pub fn close(&mut self, path: &Path) {
        self.open.remove(path);
    }

    /// The open texts, for a compile.
    pub fn texts(&self) -> HashMap<PathBuf, String> {
        self.open.iter().map(|(p, o)| (p.clone(), o.text.to_string())).collect()
    }

    /// The open text of a file.
    pub fn text(&self, path: &Path) -> Option<&str> {
        self.open.get(path).map(|o| &*o.text)
    }

    /// The open text of a file with its line index (waiting for the index if it is being made).
    pub fn text_lines(&self, path: &Path) -> Option<(&str, &Lines)> {
        let o = self.open.get(path)?;
        Some((&*o.text, o.lines.get_or_init(|| Lines::new(&o.text))))
    }

    /// The open org data files, by org dir (see [`super::org::org_of`]).
    pub fn orgs(&self) -> std::collections::BTreeMap<PathBuf, super::background::OrgFiles> {
        let mut out: std::collections::BTreeMap<PathBuf, super::background::OrgFiles> = Default::default();
        for (path, o) in &self.open {
            if !super::org::is_data(path) {
                continue;
            }
            let Some(dir) = super::org::org_of(path) else { continue };
            let Ok(rel) = path.strip_prefix(&dir).map(Path::to_path_buf) else { continue };
            let files = out.entry(dir).or_default();
            files.edited.insert(rel, o.text.clone());
            files.open.push((path.clone(), o.version));
        }
        out
    }

    /// The editor's version of each open text, published with its diagnostics.
    pub fn versions(&self) -> HashMap<PathBuf, i32> {
        self.open.iter().map(|(p, o)| (p.clone(), o.version)).collect()
    }
}

/// The path of a `file:` URI (percent-decoded, made canonical when it exists so that it
/// matches the pack's file names).
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let mut bytes = Vec::with_capacity(rest.len());
    let mut it = rest.bytes();
    while let Some(b) = it.next() {
        if b == b'%' {
            let hex = [it.next()?, it.next()?];
            bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    let path = PathBuf::from(String::from_utf8(bytes).ok()?);
    Some(canonical(&path))
}

/// The path made canonical when it can be (the parent when the file does not exist yet).
pub fn canonical(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent().and_then(|d| d.canonicalize().ok()), path.file_name()) {
        (Some(d), Some(f)) => d.join(f),
        _ => path.to_path_buf(),
    }
}

/// The `file:` URI of a path (bytes outside the unreserved set percent-encoded).
pub fn uri_of(path: &Path) -> Option<Uri> {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip_chinese_paths() {
        let p = PathBuf::from("/no/such/目录/a b.zd");
        let uri = uri_of(&p).expect("uri");
        assert_eq!(uri.as_str(), "file:///no/such/%E7%9B%AE%E5%BD%95/a%20b.zd");
        assert_eq!(path_of(&uri), Some(p));
    }
}
