//! Reading input files: only regular files are opened. A FIFO, a device or a directory where a
//! file is expected would block forever or read without end (`zhidu.toml` as a FIFO hung the
//! run), so it is an error that says what the path is instead.

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
}
