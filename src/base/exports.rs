//! Data exports (`exports/**/*.csv`): opened as a stream whatever their encoding (UTF-8 with or
//! without BOM, or GBK/GB18030 as Excel writes them), never loaded whole.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use encoding_rs::{Encoding, GB18030, UTF_8};
use encoding_rs_io::DecodeReaderBytesBuilder;

/// An encoding choice for exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    /// Detect: UTF-8 (BOM or valid UTF-8 in the first 64 KiB), else GB18030.
    #[default]
    Auto,
    /// UTF-8.
    Utf8,
    /// GBK / GB18030 (a superset of GBK).
    Gb18030,
}

impl Charset {
    /// Parses `auto`, `utf-8`, `gbk`, `gb18030`.
    pub fn parse(s: &str) -> Option<Charset> {
        Some(match s.to_ascii_lowercase().as_str() {
            "auto" => Charset::Auto,
            "utf-8" | "utf8" => Charset::Utf8,
            "gbk" | "gb2312" | "gb18030" | "cp936" => Charset::Gb18030,
            _ => return None,
        })
    }
}

/// A readable export: decoded UTF-8 bytes, and the encoding that was used.
pub struct Opened {
    /// Decoded stream (UTF-8, BOM removed).
    pub reader: Box<dyn Read + Send>,
    /// Name of the source encoding.
    pub encoding: &'static str,
}

/// Opens an export for streaming. Only a regular file is opened (see
/// [`crate::base::files::check_regular`]): a device such as `/dev/zero` never ends, and a FIFO
/// blocks until something writes into it.
pub fn open(path: &Path, charset: Charset) -> std::io::Result<Opened> {
    let mut file = crate::base::files::open(path)?;
    let encoding: &'static Encoding = match charset {
        Charset::Utf8 => UTF_8,
        Charset::Gb18030 => GB18030,
        Charset::Auto => {
            let mut head = vec![0u8; 64 * 1024];
            let n = read_up_to(&mut file, &mut head)?;
            head.truncate(n);
            file.rewind()?;
            detect(&head, n < 64 * 1024)
        }
    };
    if encoding == UTF_8 {
        // UTF-8 needs no transcoding: skip a BOM and read the bytes as they are (the CSV reader
        // validates UTF-8 field by field).
        let mut r = BufReader::with_capacity(1 << 16, file);
        let head = std::io::BufRead::fill_buf(&mut r)?;
        if head.starts_with(b"\xef\xbb\xbf") {
            std::io::BufRead::consume(&mut r, 3);
        }
        return Ok(Opened { reader: Box::new(r), encoding: encoding.name() });
    }
    let decoder =
        DecodeReaderBytesBuilder::new().encoding(Some(encoding)).bom_override(true).build(BufReader::new(file));
    Ok(Opened { reader: Box::new(decoder), encoding: encoding.name() })
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// UTF-8 if the sample has a UTF-8 BOM or is valid UTF-8 (a character cut at the end of a
/// partial sample is allowed); otherwise GB18030.
pub fn detect(sample: &[u8], complete: bool) -> &'static Encoding {
    if sample.starts_with(b"\xef\xbb\xbf") {
        return UTF_8;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => UTF_8,
        Err(e) if !complete && e.error_len().is_none() => UTF_8,
        Err(_) => GB18030,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_gbk() {
        let (gbk, _, _) = GB18030.encode("姓名,地址\n张三,广东省广州市\n");
        assert_eq!(detect(&gbk, true).name(), "gb18030");
        assert_eq!(detect("姓名".as_bytes(), true).name(), "UTF-8");
        // A UTF-8 character cut at the end of a partial sample is still UTF-8.
        assert_eq!(detect(&"姓名".as_bytes()[..4], false).name(), "UTF-8");
    }
}
