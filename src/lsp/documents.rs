//! The open buffers: an editor's text of a file replaces the file on disk until it is closed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::Uri;

/// Open documents by path.
#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<PathBuf, (i32, String)>,
    /// Line starts of each open text, made once per edit rather than per request (a data file
    /// of a big org is megabytes long).
    lines: HashMap<PathBuf, super::position::Lines>,
}

impl Documents {
    /// Sets the text of a document (on open or a full change).
    pub fn set(&mut self, path: PathBuf, version: i32, text: String) {
        self.lines.insert(path.clone(), super::position::Lines::new(&text));
        self.open.insert(path, (version, text));
    }

    /// Forgets a closed document.
    pub fn close(&mut self, path: &Path) {
        self.open.remove(path);
        self.lines.remove(path);
    }

    /// The open texts, for a compile.
    pub fn texts(&self) -> HashMap<PathBuf, String> {
        self.open.iter().map(|(p, (_, t))| (p.clone(), t.clone())).collect()
    }

    /// The open text of a file.
    pub fn text(&self, path: &Path) -> Option<&str> {
        self.open.get(path).map(|(_, t)| t.as_str())
    }

    /// The open text of a file with its line index.
    pub fn text_lines(&self, path: &Path) -> Option<(&str, &super::position::Lines)> {
        Some((self.text(path)?, self.lines.get(path)?))
    }

    /// The open org data files, by org dir (see [`super::org::org_of`]).
    pub fn orgs(&self) -> std::collections::BTreeMap<PathBuf, super::background::OrgFiles> {
        let mut out: std::collections::BTreeMap<PathBuf, super::background::OrgFiles> = Default::default();
        for (path, (version, text)) in &self.open {
            if !super::org::is_data(path) {
                continue;
            }
            let Some(dir) = super::org::org_of(path) else { continue };
            let Ok(rel) = path.strip_prefix(&dir).map(Path::to_path_buf) else { continue };
            let files = out.entry(dir).or_default();
            files.edited.insert(rel, text.as_str().into());
            files.open.push((path.clone(), *version));
        }
        out
    }

    /// The editor's version of each open text, published with its diagnostics.
    pub fn versions(&self) -> HashMap<PathBuf, i32> {
        self.open.iter().map(|(p, (v, _))| (p.clone(), *v)).collect()
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
