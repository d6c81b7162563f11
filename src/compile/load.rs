//! Reading a policy pack: the entry file `main.zd` and everything it includes, from a directory
//! or from the pack embedded in the binary. Includes never leave the pack's root; `extends`
//! (an overlay) names the pack it builds on, which is loaded first.

use std::path::{Component, Path, PathBuf};

use include_dir::{Dir, include_dir};

use super::error::{PolicyError, PolicyErrorKind as K};
use crate::base::diag::Diagnostics;
use crate::base::source::{FileId, Loc, SourceMap};
use crate::syntax::{self, ast};

/// The built-in policy pack (`policies/`), compiled into the binary.
pub static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/policies");

/// Name of the entry file of a pack.
pub const ENTRY: &str = "main.zd";

/// Where the pack's files come from.
pub enum PackSource<'a> {
    /// A directory on disk.
    Dir(PathBuf),
    /// The embedded pack.
    Embedded(&'a Dir<'a>),
    /// Files in memory, by relative path (tests, editors).
    Memory(&'a [(&'a str, &'a str)]),
    /// A directory on disk whose files an editor holds open: the text of a file in the map
    /// (by its path under the directory, as joined) replaces the file on disk.
    Edited(PathBuf, &'a std::collections::HashMap<PathBuf, String>),
}

impl PackSource<'_> {
    /// Display prefix for file names.
    fn display(&self, rel: &str) -> String {
        match self {
            PackSource::Dir(root) | PackSource::Edited(root, _) => root.join(rel).display().to_string(),
            PackSource::Embedded(_) => format!("<builtin>/{rel}"),
            PackSource::Memory(_) => rel.to_string(),
        }
    }

    /// Reads a file given by its normalised path relative to the root.
    fn read(&self, rel: &str) -> Result<Option<String>, String> {
        match self {
            PackSource::Edited(root, open) => match open.get(&root.join(rel)) {
                Some(text) => Ok(Some(text.clone())),
                None => PackSource::Dir(root.clone()).read(rel),
            },
            PackSource::Dir(root) => {
                let path = root.join(rel);
                // Symlinks must not lead out of the pack either.
                if let (Ok(real), Ok(real_root)) = (path.canonicalize(), root.canonicalize())
                    && !real.starts_with(&real_root)
                {
                    return Err("the file is a link that leaves the policy directory".into());
                }
                match crate::base::files::read(&path) {
                    Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| "the file is not UTF-8".to_string()),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e.to_string()),
                }
            }
            PackSource::Embedded(dir) => Ok(dir.get_file(rel).and_then(|f| f.contents_utf8()).map(str::to_string)),
            PackSource::Memory(files) => Ok(files.iter().find(|(p, _)| *p == rel).map(|(_, t)| t.to_string())),
        }
    }
}

/// The parsed files of a pack.
pub struct Loaded {
    /// Sources of every file read.
    pub sources: SourceMap,
    /// Parsed files: the base pack's first (for an overlay), each pack's in include order.
    pub files: Vec<(FileId, ast::File)>,
    /// The layer of each file of `files`: 0 for the innermost base, one more for each overlay.
    pub layer: Vec<usize>,
}

/// Normalises `base_dir/rel` to a path relative to the pack root; `None` if it escapes.
fn normalise(base_dir: &str, rel: &str) -> Option<String> {
    if Path::new(rel).is_absolute() {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    for comp in Path::new(base_dir).join(rel).components() {
        match comp {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// Loads a pack: the entry file and, transitively, every include; for an overlay (a pack whose
/// `main.zd` begins with `extends`), first the pack it builds on, and that one's base in turn.
/// Syntax errors of all files are collected; the run stops after loading if there are any.
pub fn load(src: &PackSource) -> Result<Loaded, (SourceMap, Diagnostics)> {
    let (loaded, mut diags) = load_all(src)?;
    if diags.error_count() > 0 {
        diags.sort();
        return Err((loaded.sources, diags));
    }
    Ok(loaded)
}

/// Loads a pack like [`load`], but keeps what could be parsed when files have syntax errors
/// (an editor still navigates a pack being edited). `Err` only when nothing could be loaded
/// (a missing entry file); the diagnostics are unsorted.
pub fn load_all(src: &PackSource) -> Result<(Loaded, Diagnostics), (SourceMap, Diagnostics)> {
    let mut sources = SourceMap::default();
    let mut diags = Diagnostics::default();
    let mut layers: Vec<Vec<(FileId, ast::File)>> = Vec::new();
    let mut chain = vec![chain_key(src)];
    if let Err(d) = load_chain(src, &mut sources, &mut diags, &mut layers, &mut chain) {
        return Err((sources, d));
    }
    let mut files = Vec::new();
    let mut layer = Vec::new();
    for (i, l) in layers.into_iter().enumerate() {
        layer.extend(std::iter::repeat_n(i, l.len()));
        files.extend(l);
    }
    Ok((Loaded { sources, files, layer }, diags))
}

/// The name of a pack in an `extends` chain: `builtin`, or its directory's real path.
fn chain_key(src: &PackSource) -> String {
    match src {
        PackSource::Dir(d) | PackSource::Edited(d, _) => {
            d.canonicalize().unwrap_or_else(|_| d.clone()).display().to_string()
        }
        PackSource::Embedded(_) => BUILTIN_NAME.to_string(),
        PackSource::Memory(_) => "<memory>".to_string(),
    }
}

/// The name `extends` gives the pack built into zhidu.
pub const BUILTIN_NAME: &str = "builtin";

/// Loads one pack of an `extends` chain after its base (`layers` gets the base's layers first).
/// `Err` is a fatal problem (a missing entry file); other problems go to `diags`.
fn load_chain(
    src: &PackSource,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
    layers: &mut Vec<Vec<(FileId, ast::File)>>,
    chain: &mut Vec<String>,
) -> Result<(), Diagnostics> {
    let own = load_files(src, sources, diags)?;
    // `extends` is the first item of the entry file; anywhere else it is an error.
    let mut base: Option<&ast::Include> = None;
    for (n, (_, file)) in own.iter().enumerate() {
        for (i, item) in file.items.iter().enumerate() {
            if let ast::Item::Extends(e) = item {
                if n == 0 && i == 0 {
                    base = Some(e);
                } else {
                    diags.push(
                        PolicyError::new(K::ExtendsMisplaced, e.loc)
                            .label("not the first item of main.zd")
                            .help(format!("write `extends \"{BUILTIN_NAME}\"` once, as the first line of `{ENTRY}`")),
                        sources,
                    );
                }
            }
        }
    }
    if let Some(e) = base {
        let base_src = match (e.path.as_str(), src) {
            (BUILTIN_NAME, _) => Some(PackSource::Embedded(&BUILTIN)),
            (p, PackSource::Dir(root)) if !Path::new(p).is_absolute() => Some(PackSource::Dir(root.join(p))),
            (p, PackSource::Edited(root, open)) if !Path::new(p).is_absolute() => {
                Some(PackSource::Edited(root.join(p), open))
            }
            _ => None,
        };
        match base_src {
            None => diags.push(
                PolicyError::new(K::ExtendsBadPath { path: e.path.clone() }, e.path_loc)
                    .label("not a pack this one can build on")
                    .help(format!("write `extends \"{BUILTIN_NAME}\"` or a path relative to this file's directory")),
                sources,
            ),
            Some(PackSource::Dir(dir) | PackSource::Edited(dir, _)) if !dir.join(ENTRY).is_file() => diags.push(
                PolicyError::new(K::ExtendsBadPath { path: e.path.clone() }, e.path_loc)
                    .label(format!("no `{ENTRY}` there"))
                    .help("the path is relative to the directory of the file that declares `extends`"),
                sources,
            ),
            Some(base_src) => {
                let key = chain_key(&base_src);
                if chain.contains(&key) {
                    let mut shown: Vec<&str> = chain.iter().map(String::as_str).collect();
                    shown.push(&key);
                    diags.push(
                        PolicyError::new(K::ExtendsCycle { chain: shown.join(" → ") }, e.path_loc)
                            .label("extends a pack of its own chain")
                            .help("a pack cannot build on itself; break the cycle"),
                        sources,
                    );
                } else {
                    chain.push(key);
                    load_chain(&base_src, sources, diags, layers, chain)?;
                    chain.pop();
                }
            }
        }
    }
    layers.push(own);
    Ok(())
}

/// Reads the entry file of one pack and every file it includes.
fn load_files(
    src: &PackSource,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Result<Vec<(FileId, ast::File)>, Diagnostics> {
    let mut files = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // (relative path, the include that asked for it)
    let mut queue: Vec<(String, Option<Loc>)> = vec![(ENTRY.to_string(), None)];
    let mut next = 0;
    while next < queue.len() {
        let (rel, from) = queue[next].clone();
        next += 1;
        if !seen.insert(rel.clone()) {
            continue;
        }
        let text = match src.read(&rel) {
            Ok(Some(t)) => t,
            Ok(None) => {
                match from {
                    Some(loc) => diags.push(
                        PolicyError::new(K::IncludeMissing { path: rel.clone() }, loc)
                            .label("no such file")
                            .help("paths are relative to the including file"),
                        sources,
                    ),
                    None => return Err(missing_entry(src, &rel)),
                }
                continue;
            }
            Err(reason) => {
                let path = src.display(&rel);
                match from {
                    Some(loc) => diags
                        .push(PolicyError::new(K::Unreadable { path, reason }, loc).label("included here"), sources),
                    None => {
                        let mut d = Diagnostics::default();
                        let id = sources.add(path.clone(), "");
                        d.push(PolicyError::new(K::Unreadable { path, reason }, Loc::new(id, 0, 0)), sources);
                        return Err(d);
                    }
                }
                continue;
            }
        };
        let id = sources.add(src.display(&rel), text.as_str());
        let (file, errors) = syntax::parse_file(id, &text);
        for e in errors {
            diags.push(e, sources);
        }
        let dir = Path::new(&rel).parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        for item in &file.items {
            if let ast::Item::Include(inc) = item {
                match normalise(&dir, &inc.path) {
                    Some(target) => queue.push((target, Some(inc.path_loc))),
                    None => diags.push(
                        PolicyError::new(K::IncludeEscape { path: inc.path.clone() }, inc.path_loc)
                            .label("outside the pack")
                            .help("includes are relative paths inside the policy directory"),
                        sources,
                    ),
                }
            }
        }
        files.push((id, file));
    }
    Ok(files)
}

fn missing_entry(src: &PackSource, rel: &str) -> Diagnostics {
    let mut sources = SourceMap::default();
    let path = src.display(rel);
    let id = sources.add(path.clone(), "");
    let mut d = Diagnostics::default();
    d.push(
        PolicyError::new(K::Unreadable { path, reason: "no such file".into() }, Loc::new(id, 0, 0))
            .help(format!("a policy directory needs an entry file `{ENTRY}`")),
        &sources,
    );
    d
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn includes_stay_inside() {
        assert_eq!(normalise("", "roles.zd").as_deref(), Some("roles.zd"));
        assert_eq!(normalise("a", "../b.zd").as_deref(), Some("b.zd"));
        assert_eq!(normalise("", "../b.zd"), None);
        assert_eq!(normalise("", "/etc/passwd"), None);
        assert_eq!(normalise("a/b", "./../../c.zd").as_deref(), Some("c.zd"));
    }
}
