//! SHA-256 digests of a report's inputs, so the report can be reproduced and tampering shown.
//!
//! Every input file gets `sha256(bytes)`. Policy files are named `policies/<file>` (the path
//! inside the pack; for the built-in pack, the file embedded in the binary), org files
//! `org/<path relative to the org dir>` — every file the loader reads: `zhidu.toml`, every
//! `*.toml` and `*.csv` (exports included), skipping hidden entries and `target/`. Paths use `/`.
//!
//! The digest over all inputs is the SHA-256 of the lines `"<sha256>  <path>\n"` (two spaces,
//! the `sha256sum` format), one per file, sorted by path (byte order).
//!
//! The report's own content digest ([`content`]) is the SHA-256 of its JSON document without
//! the top-level `content_digest` member, in canonical form ([`canonical`]), so that an edit of
//! anything in the report shows whatever file it is kept in and however it is indented.

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

/// The member of a report that holds its content digest (left out of what it digests).
pub const CONTENT_DIGEST: &str = "content_digest";

/// The content digest of a report's JSON document: SHA-256 of [`canonical`] of the document
/// without its top-level `content_digest` member, lower-case hex.
pub fn content(document: &serde_json::Value) -> String {
    let mut out = Vec::new();
    canonical(document, Some(CONTENT_DIGEST), &mut out);
    sha256(&out)
}

/// Writes the canonical form of a JSON value: no whitespace; object members sorted by the
/// UTF-8 bytes of their keys (`skip`: a top-level member left out); arrays in order; strings
/// with `"` `\\` escaped, U+0008 U+0009 U+000A U+000C U+000D as `\b \t \n \f \r`, the other
/// controls below U+0020 as `\u00xx` (lower-case hex) and everything else as its UTF-8; numbers
/// as serde_json prints them (a report holds integers only: plain decimal); `true`, `false`,
/// `null`. For a zhidu report (ASCII keys, integers) this is RFC 8785 (JCS), and what
/// Python's `json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` gives.
pub fn canonical(value: &serde_json::Value, skip: Option<&str>, out: &mut Vec<u8>) {
    use serde_json::Value;
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => canonical_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(item, None, out);
            }
            out.push(b']');
        }
        Value::Object(members) => {
            // Sorted here, not by the map: serde_json's map keeps insertion order when any crate
            // in the build turns on its `preserve_order` feature.
            let mut sorted: Vec<(&String, &Value)> = members.iter().filter(|(k, _)| Some(k.as_str()) != skip).collect();
            sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (k, v)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical_string(k, out);
                out.push(b':');
                canonical(v, None, out);
            }
            out.push(b'}');
        }
    }
}

/// A JSON string in canonical form (see [`canonical`]).
fn canonical_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\r' => out.extend_from_slice(b"\\r"),
            c if (c as u32) < 0x20 => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
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

/// The path of a loaded policy file inside its pack. For an overlay (a pack that `extends`
/// another), the base pack's files are inputs too: a file of the built-in base is
/// `@builtin/<file>`, one of a base directory its path from the overlay's directory with each
/// `..` written `@up` (`extends "../base"` → `@up/base/main.zd`), so every listed path stays a
/// plain relative one.
pub fn pack_relative(name: &str, root: Option<&Path>) -> Option<String> {
    let rel = match root {
        None => name.strip_prefix("<builtin>/")?.to_string(),
        Some(_) if name.starts_with("<builtin>/") => format!("@builtin/{}", name.strip_prefix("<builtin>/")?),
        Some(root) => {
            let inside = Path::new(name).strip_prefix(root).ok()?;
            let mut parts: Vec<String> = Vec::new();
            for c in inside.components() {
                match c {
                    std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                    std::path::Component::ParentDir => parts.push("@up".into()),
                    std::path::Component::CurDir => {}
                    _ => return None,
                }
            }
            parts.join("/")
        }
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
            Ok::<_, (PathBuf, std::io::Error)>(FileDigest { path, sha256, bytes })
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
    fn canonical_form() {
        let doc = serde_json::json!({
            "z": [1, -2, true, null, {"b": "x", "a": ""}],
            "content_digest": "left out",
            "é": "中文 \"q\" \\ / \u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}",
            "B": {"content_digest": "kept below the top"},
            "a": 0,
        });
        let mut out = Vec::new();
        canonical(&doc, Some(CONTENT_DIGEST), &mut out);
        let want = concat!(
            r#"{"B":{"content_digest":"kept below the top"},"a":0,"#,
            r#""z":[1,-2,true,null,{"a":"","b":"x"}],"#,
            "\"é\":\"中文 \\\"q\\\" \\\\ / \\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}\"}"
        );
        assert_eq!(String::from_utf8(out).expect("UTF-8"), want);
        assert_eq!(content(&doc), sha256(want.as_bytes()));
        // Key order, whitespace and the digest's own value do not matter.
        let same: serde_json::Value = serde_json::from_str(
            "{ \"a\": 0, \"content_digest\": \"other\", \"B\": {\"content_digest\": \"kept below the top\"},\n\
             \"é\": \"中文 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t\\u0001\\u001F\u{7f}\",\n\
             \"z\": [1, -2, true, null, {\"b\": \"x\", \"a\": \"\"}] }",
        )
        .expect("JSON");
        assert_eq!(content(&same), content(&doc));
    }

    #[test]
    fn pack_paths() {
        assert_eq!(pack_relative("<builtin>/kpi.zd", None).as_deref(), Some("kpi.zd"));
        assert_eq!(pack_relative("packs/x/a/b.zd", Some(Path::new("packs/x"))).as_deref(), Some("a/b.zd"));
        assert_eq!(pack_relative("elsewhere/b.zd", Some(Path::new("packs/x"))), None);
        // An overlay's base packs.
        assert_eq!(pack_relative("<builtin>/kpi.zd", Some(Path::new("p"))).as_deref(), Some("@builtin/kpi.zd"));
        assert_eq!(pack_relative("p/../base/main.zd", Some(Path::new("p"))).as_deref(), Some("@up/base/main.zd"));
    }
}
