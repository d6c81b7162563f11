//! SHA-256 digests of a report's inputs, so the report can be reproduced and tampering shown.
//!
//! Every input file gets `sha256(bytes)`. Policy files are named `policies/<file>` (the path
//! inside the pack; for the built-in pack, the file embedded in the binary), org files
//! `org/<path relative to the org dir>` — every file the loader reads: `zhidu.toml`, every
//! `*.toml` and `*.csv` (exports included), skipping hidden entries and `target/`. Paths use `/`.
//!
//! The digest over all inputs is the SHA-256 of the lines `"<sha256>  <path>\n"` (two spaces,
//! the `sha256sum` format), one per file, sorted by path (byte order).

use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::model::FileDigest;
use crate::base::hex;
use crate::base::source::SourceMap;

/// Prefix of policy files.
pub const POLICY_PREFIX: &str = "policies/";
/// Prefix of org files.
pub const ORG_PREFIX: &str = "org/";

/// SHA-256 of bytes, hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The digest over all inputs (see the module docs). `files` must be sorted by path.
pub fn overall(files: &[FileDigest]) -> String {
    let mut h = Sha256::new();
    for f in files {
        h.update(f.sha256.as_bytes());
        h.update(b"  ");
        h.update(f.path.as_bytes());
        h.update(b"\n");
    }
    hex(&h.finalize())
}

/// Digests of the pack's files as loaded. `root` is the pack directory (`None`: built-in).
pub fn policy_files(sources: &SourceMap, root: Option<&Path>) -> Vec<FileDigest> {
    let mut out: Vec<FileDigest> = sources
        .files()
        .filter_map(|(_, f)| {
            let rel = pack_relative(&f.name, root)?;
            let bytes = f.text().as_bytes();
            Some(FileDigest { path: format!("{POLICY_PREFIX}{rel}"), sha256: sha256(bytes), bytes: bytes.len() as u64 })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The path of a loaded policy file inside its pack.
pub fn pack_relative(name: &str, root: Option<&Path>) -> Option<String> {
    let rel = match root {
        None => name.strip_prefix("<builtin>/")?.to_string(),
        Some(root) => Path::new(name).strip_prefix(root).ok()?.to_string_lossy().into_owned(),
    };
    Some(rel.replace('\\', "/"))
}

/// Every file of an org dir the loader reads, relative to it, sorted (as `OrgData::inputs`):
/// the loader's own walk, so the two never disagree about links or case.
pub fn org_inputs(dir: &Path) -> Vec<PathBuf> {
    crate::data::walk::walk(dir).files.into_iter().map(|f| f.rel).collect()
}

/// Digests of org files (read in parallel, streamed: exports may be large).
pub fn org_files(dir: &Path, rels: &[PathBuf]) -> Result<Vec<FileDigest>, (PathBuf, std::io::Error)> {
    let mut out = rels
        .par_iter()
        .map(|rel| {
            let (sha256, bytes) = file_sha256(&dir.join(rel)).map_err(|e| (rel.clone(), e))?;
            let path = format!("{ORG_PREFIX}{}", rel.to_string_lossy().replace('\\', "/"));
            Ok(FileDigest { path, sha256, bytes })
        })
        .collect::<Result<Vec<_>, _>>()?;
    out.sort();
    Ok(out)
}

/// SHA-256 and size of a file, read in blocks.
pub fn file_sha256(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = crate::base::files::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        total += n as u64;
    }
    Ok((hex(&h.finalize()), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overall_digest_is_sha256sum_of_the_listing() {
        let files = vec![
            FileDigest { path: "org/a.toml".into(), sha256: sha256(b"a"), bytes: 1 },
            FileDigest { path: "policies/main.zd".into(), sha256: sha256(b"b"), bytes: 1 },
        ];
        let listing = format!("{}  org/a.toml\n{}  policies/main.zd\n", sha256(b"a"), sha256(b"b"));
        assert_eq!(overall(&files), sha256(listing.as_bytes()));
        assert_eq!(sha256(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn pack_paths() {
        assert_eq!(pack_relative("<builtin>/kpi.zd", None).as_deref(), Some("kpi.zd"));
        assert_eq!(pack_relative("packs/x/a/b.zd", Some(Path::new("packs/x"))).as_deref(), Some("a/b.zd"));
        assert_eq!(pack_relative("elsewhere/b.zd", Some(Path::new("packs/x"))), None);
    }
}
