//! Reading input files and writing outputs safely.
//!
//! Reading: only regular files are opened. A FIFO, a device or a directory where a file is
//! expected would block forever or read without end (`zhidu.toml` as a FIFO hung the run), so
//! it is an error that says what the path is instead.
//!
//! Writing: an output never replaces an input of the run ([`Protected`] compares files by
//! device and inode, not path strings); a regular file is written through a temporary file
//! renamed into place (removed on every error path), with the permissions of the file it
//! replaces or, for a new file, those the umask gives (as `cp` or a shell redirect would); a
//! symlink is followed and its target replaced (the link stays a link); a device or FIFO
//! (`/dev/stdout`) is written directly, never renamed over.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// What a path is, for people: `a directory`, `a FIFO`, …
fn what(meta: &std::fs::Metadata) -> &'static str {
    let ty = meta.file_type();
    if ty.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ty.is_fifo() {
            return "a FIFO";
        }
        if ty.is_char_device() || ty.is_block_device() {
            return "a device";
        }
        if ty.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Checks that `path` (after following symlinks) is a regular file, without opening it.
pub fn check_regular(path: &Path) -> io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is {}, not a regular file", path.display(), what(&meta)),
        ))
    }
}

/// Opens a regular file for reading.
pub fn open(path: &Path) -> io::Result<File> {
    check_regular(path)?;
    File::open(path)
}

/// The bytes of a regular file.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    open(path)?.read_to_end(&mut buf)?;
    Ok(buf)
}

/// The text of a regular UTF-8 file.
pub fn read_to_string(path: &Path) -> io::Result<String> {
    let mut s = String::new();
    open(path)?.read_to_string(&mut s)?;
    Ok(s)
}

/// A file's identity: (device, inode) on Unix; the canonical path elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Identity {
    /// Device and inode.
    Inode(u64, u64),
    /// Canonical path (systems without inodes).
    Path(std::path::PathBuf),
}

/// The identity of an existing file (after following symlinks).
pub fn identity(path: &Path) -> Option<Identity> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| Identity::Inode(m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(path).ok().map(Identity::Path)
    }
}

/// Where a path leads once every symlink is followed: the path itself if it exists, else its
/// (resolved) parent joined with its name. `None` when not even the parent exists.
fn resolved(path: &Path) -> Option<std::path::PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let name = path.file_name()?;
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::canonicalize(parent).ok().map(|p| p.join(name))
}

/// Files and directories outputs must not be written over or into.
#[derive(Debug, Default)]
pub struct Protected {
    files: std::collections::HashSet<Identity>,
    dirs: Vec<(std::path::PathBuf, String)>,
}

impl Protected {
    /// Protects an input file (nothing happens for a path that does not exist).
    pub fn file(&mut self, path: &Path) {
        if let Some(id) = identity(path) {
            self.files.insert(id);
        }
    }

    /// Protects everything inside a directory; `what` names it in the refusal (`the org dir`).
    pub fn dir(&mut self, path: &Path, what: &str) {
        if let Ok(p) = std::fs::canonicalize(path) {
            self.dirs.push((p, what.to_string()));
        }
    }

    /// Why writing `target` is refused, if it is: it is a protected file, or inside a
    /// protected directory (compared after following every symlink and `..`).
    pub fn refuses(&self, target: &Path) -> Option<String> {
        if identity(target).is_some_and(|id| self.files.contains(&id)) {
            return Some(format!("`{}` is an input of this run", target.display()));
        }
        let real = resolved(target)?;
        self.dirs
            .iter()
            .find(|(d, _)| real.starts_with(d))
            .map(|(_, what)| format!("`{}` is inside {what}", target.display()))
    }
}

/// Writes `bytes` to `path` as the module doc says: through a temporary file and a rename for
/// a regular file (following a symlink to its target), directly for a device or FIFO.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, |w| w.write_all(bytes))
}

/// Appends `bytes` to `path` (created if missing): for a file that others write too and that
/// zhidu adds to, never replaces — the job summary a CI runner hands each step
/// (`$GITHUB_STEP_SUMMARY`).
pub fn append(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{} is a directory", path.display())));
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(bytes)?;
    f.flush()
}

/// Like [`write_atomic`], with the content written by `fill` (which may stream it).
pub fn write_with(path: &Path, fill: impl FnOnce(&mut dyn io::Write) -> io::Result<()>) -> io::Result<()> {
    use std::io::Write;
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        if meta.is_dir() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{} is a directory", path.display())));
        }
        // `/dev/stdout`, a FIFO: write into it; renaming over it would replace it by a file.
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        fill(&mut f)?;
        return f.flush();
    }
    // Replace a symlink's target, not the link.
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => resolved(path).unwrap_or_else(|| path.to_path_buf()),
        _ => path.to_path_buf(),
    };
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".zhidu-");
    #[cfg(unix)]
    {
        // Created 0666 less the umask, as any new file; `tempfile`'s own default is 0600.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    {
        let mut w = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(&target) {
        std::fs::set_permissions(tmp.path(), meta.permissions())?;
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("a.toml");
        std::fs::write(&file, "x = 1").expect("write");
        assert_eq!(read_to_string(&file).expect("a file"), "x = 1");
        let e = read(dir.path()).expect_err("a directory");
        assert!(e.to_string().contains("is a directory"), "{e}");
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
            if made {
                // Opening it would block: refused before.
                let e = read(&fifo).expect_err("a FIFO");
                assert!(e.to_string().contains("is a FIFO"), "{e}");
            }
        }
        assert!(read(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn outputs_never_replace_inputs() {
        let dir = tempfile::tempdir().expect("tmp");
        let org = dir.path().join("org");
        std::fs::create_dir_all(org.join("sub")).expect("mkdir");
        let input = org.join("people.toml");
        std::fs::write(&input, "x").expect("write");
        let mut p = Protected::default();
        p.file(&input);
        p.dir(&org, "the org dir");
        // The same file by another spelling, a new file inside, one outside.
        let other = org.join("sub/../people.toml");
        assert!(p.refuses(&other).is_some_and(|r| r.contains("input")));
        assert!(p.refuses(&org.join("sub/new.json")).is_some_and(|r| r.contains("org dir")));
        assert!(p.refuses(&dir.path().join("out.json")).is_none());
        #[cfg(unix)]
        {
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink(&input, &link).expect("symlink");
            assert!(p.refuses(&link).is_some());
        }
    }

    #[cfg(unix)]
    #[test]
    fn writes_keep_links_and_follow_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tmp");
        let new = dir.path().join("new.txt");
        write_atomic(&new, b"one").expect("write");
        let mode = std::fs::metadata(&new).expect("meta").permissions().mode() & 0o777;
        // The mode any new file gets under this process's umask (0666 less the umask).
        let reference = dir.path().join("reference.txt");
        std::fs::write(&reference, "").expect("write");
        let expected = std::fs::metadata(&reference).expect("meta").permissions().mode() & 0o777;
        std::fs::remove_file(&reference).expect("rm");
        assert_eq!(mode, expected, "a new output follows the umask");
        // A link stays a link; its target gets the text.
        let target = dir.path().join("target.txt");
        std::fs::write(&target, "old").expect("write");
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        write_atomic(&link, b"new").expect("write");
        assert!(std::fs::symlink_metadata(&link).expect("meta").file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "new");
        // An existing file keeps its permissions.
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write_atomic(&target, b"again").expect("write");
        assert_eq!(std::fs::metadata(&target).expect("meta").permissions().mode() & 0o777, 0o640);
        // No temporary file is left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("ls")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".zhidu-"))
            .collect();
        assert!(left.is_empty());
    }
}
