//! Data exports (`exports/**/*.csv`): opened as a stream whatever their encoding (UTF-8 with or
//! without BOM, or GBK/GB18030 as Excel writes them), never loaded whole.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};
use encoding_rs_io::DecodeReaderBytesBuilder;

/// An encoding choice for exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    /// Detect from the first 64 KiB (see [`detect`]).
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
            detect(&head, n < 64 * 1024).map_err(|why| std::io::Error::new(std::io::ErrorKind::InvalidData, why))?
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

/// The encoding of an export from its first bytes, never a guess that changes what the file
/// says:
/// - a byte-order mark decides (UTF-8, UTF-16LE, UTF-16BE);
/// - NUL bytes mean UTF-16 without a mark (which half of each pair is zero tells the order),
///   or binary data, which cannot be scanned;
/// - valid UTF-8 is UTF-8 (a character cut at the end of a partial sample allowed), and so is
///   UTF-8 with a few bad bytes: decoding it as GBK would garble every header and value, and
///   silently take the masked columns out of the check; the bad bytes are reported where they
///   are when the file is read;
/// - otherwise text that decodes as GB18030 (Excel's GBK) is GB18030;
/// - anything else cannot be read as text: an error, never a silent pass.
pub fn detect(sample: &[u8], complete: bool) -> Result<&'static Encoding, String> {
    if sample.starts_with(b"\xef\xbb\xbf") {
        return Ok(UTF_8);
    }
    if sample.starts_with(b"\xff\xfe") {
        return Ok(UTF_16LE);
    }
    if sample.starts_with(b"\xfe\xff") {
        return Ok(UTF_16BE);
    }
    if sample.contains(&0) {
        let (even, odd) = sample
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == 0)
            .fold((0usize, 0usize), |(e, o), (i, _)| if i % 2 == 0 { (e + 1, o) } else { (e, o + 1) });
        let pairs = sample.len() / 2;
        return if odd * 2 > pairs && even * 10 < odd {
            Ok(UTF_16LE)
        } else if even * 2 > pairs && odd * 10 < even {
            Ok(UTF_16BE)
        } else {
            Err("it holds NUL bytes: binary data, not CSV text".into())
        };
    }
    let (valid, bad) = utf8_sequences(sample, complete);
    if bad == 0 || (valid > 0 && bad * 20 <= valid) {
        return Ok(UTF_8);
    }
    let (_, _, gbk_errors) = GB18030.decode(sample);
    if !gbk_errors {
        return Ok(GB18030);
    }
    Err(format!(
        "it is neither UTF-8 ({bad} invalid byte sequence(s) in its first {} bytes) nor GBK text",
        sample.len()
    ))
}

/// How many multi-byte UTF-8 characters a sample holds, and how many invalid sequences (a
/// character cut at the end of a partial sample is neither).
fn utf8_sequences(sample: &[u8], complete: bool) -> (usize, usize) {
    let (mut valid, mut bad) = (0, 0);
    let mut rest = sample;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                valid += s.chars().filter(|c| !c.is_ascii()).count();
                return (valid, bad);
            }
            Err(e) => {
                let (good, after) = rest.split_at(e.valid_up_to());
                valid += std::str::from_utf8(good).map_or(0, |s| s.chars().filter(|c| !c.is_ascii()).count());
                match e.error_len() {
                    Some(n) => {
                        bad += 1;
                        rest = after.get(n..).unwrap_or_default();
                    }
                    None => {
                        // Cut at the end: bad only if the sample is the whole file.
                        bad += usize::from(complete);
                        return (valid, bad);
                    }
                }
            }
        }
    }
}

/// Why the first row of an export cannot be its header, if it cannot: a header cell that is an
/// ID-card or mobile number, or a bare number or date, means the file has no header row, so its
/// first row would go unchecked and every column would be misnamed.
pub fn header_problem<'a>(cells: impl IntoIterator<Item = &'a str>) -> Option<String> {
    for (i, cell) in cells.into_iter().enumerate() {
        let c = cell.trim();
        let personal = crate::base::detect::contains_cn_id(c) || crate::base::detect::contains_cn_mobile(c);
        let number =
            !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit() || matches!(ch, '.' | '-' | '/' | ':' | ' '));
        if personal || number {
            return Some(format!(
                "its first row is data, not a header (column {} is {}): add a header row naming the columns",
                i + 1,
                if personal { "personal data" } else { "a number or a date" }
            ));
        }
    }
    None
}

/// Where an export's data category was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategorySource {
    /// The folder the export lies in, right under the exports dir (`exports/用户画像/a.csv`).
    Folder,
    /// The sidecar file `FILE.csv.toml` next to it (`category = "用户画像"`).
    Sidecar(PathBuf),
}

/// Why an export's category is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryError {
    /// The sidecar cannot be read or is not `category = "…"` alone.
    Sidecar {
        /// The sidecar.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A category that is not one of the known words.
    Unknown {
        /// The word written.
        word: String,
        /// Where it was written.
        source: CategorySource,
        /// The closest known word.
        suggestion: Option<String>,
    },
}

/// The sidecar of an export: the file's name with `.toml` appended.
pub fn sidecar_path(export: &Path) -> PathBuf {
    let mut name = export.as_os_str().to_os_string();
    name.push(".toml");
    PathBuf::from(name)
}

/// The data category of an export at `path`, `folder` being the name of the folder it lies in
/// right under the exports dir (if any), among the `known` categories:
/// - a sidecar `path.toml` holding `category = "…"` decides; its word must be known;
/// - else a folder whose name is a known category is the category;
/// - a folder whose name is close to a known category (a typo) is an error, not a silent
///   "no category"; any other folder (`2026-06`) says nothing;
/// - `Ok(None)`: the export declares no category.
pub fn category(
    path: &Path,
    folder: Option<&str>,
    known: &[String],
) -> Result<Option<(String, CategorySource)>, CategoryError> {
    let side = sidecar_path(path);
    let unknown = |word: &str, source: CategorySource| CategoryError::Unknown {
        word: word.to_string(),
        source,
        suggestion: crate::base::diag::suggest(word, known.iter().map(String::as_str)),
    };
    if side.is_file() {
        let bad = |reason: String| CategoryError::Sidecar { path: side.clone(), reason };
        let text = crate::base::files::read_to_string(&side).map_err(|e| bad(e.to_string()))?;
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| bad(e.message().to_string()))?;
        if let Some(k) = table.keys().find(|k| *k != "category") {
            let hint = crate::base::diag::suggest(k, ["category"])
                .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
            return Err(bad(format!("unknown key `{k}`{hint}: a sidecar holds only `category = \"…\"`")));
        }
        let word = match table.get("category") {
            Some(toml::Value::String(w)) => w.trim().to_string(),
            Some(_) => return Err(bad("`category` must be a string".into())),
            None => return Err(bad("it lacks `category = \"…\"`".into())),
        };
        return if known.contains(&word) {
            Ok(Some((word, CategorySource::Sidecar(side))))
        } else {
            Err(unknown(&word, CategorySource::Sidecar(side)))
        };
    }
    match folder {
        Some(f) if known.iter().any(|k| k == f) => Ok(Some((f.to_string(), CategorySource::Folder))),
        Some(f) if crate::base::diag::suggest(f, known.iter().map(String::as_str)).is_some() => {
            Err(unknown(f, CategorySource::Folder))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_gbk() {
        let name = |b: &[u8], complete| detect(b, complete).map(|e| e.name());
        let (gbk, _, _) = GB18030.encode("姓名,地址\n张三,广东省广州市\n");
        assert_eq!(name(&gbk, true), Ok("gb18030"));
        assert_eq!(name("姓名".as_bytes(), true), Ok("UTF-8"));
        // A UTF-8 character cut at the end of a partial sample is still UTF-8.
        assert_eq!(name(&"姓名".as_bytes()[..4], false), Ok("UTF-8"));
    }

    #[test]
    fn one_bad_byte_does_not_make_utf8_gbk() {
        let mut text = "姓名,地址,年龄\n张三,广东省广州市天河区体育西路 1 号,27\n".repeat(20).into_bytes();
        text.insert(40, 0xff);
        assert_eq!(detect(&text, true).map(|e| e.name()), Ok("UTF-8"));
    }

    #[test]
    fn utf16_and_binary_are_told_apart() {
        let le: Vec<u8> = "user_id,备注\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = "user_id,备注\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(detect(&le, true).map(|e| e.name()), Ok("UTF-16LE"));
        assert_eq!(detect(&be, true).map(|e| e.name()), Ok("UTF-16BE"));
        assert!(detect(&[0, 0, 0, 1, 2, 0, 0, 0, 0, 7], true).is_err());
        assert!(detect(&[0xff; 64], true).is_err());
    }

    #[test]
    fn categories_by_sidecar_or_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let known = vec!["用户画像".to_string(), "交易记录".to_string()];
        let csv = dir.path().join("a.csv");
        assert_eq!(category(&csv, None, &known), Ok(None));
        assert_eq!(category(&csv, Some("2026-06"), &known), Ok(None));
        assert_eq!(category(&csv, Some("用户画像"), &known), Ok(Some(("用户画像".into(), CategorySource::Folder))));
        assert!(matches!(
            category(&csv, Some("用户画象"), &known),
            Err(CategoryError::Unknown { suggestion: Some(s), .. }) if s == "用户画像"
        ));
        std::fs::write(dir.path().join("a.csv.toml"), "category = \"交易记录\"\n").expect("write");
        assert!(
            matches!(category(&csv, Some("用户画像"), &known), Ok(Some((c, CategorySource::Sidecar(_)))) if c == "交易记录")
        );
        std::fs::write(dir.path().join("a.csv.toml"), "categroy = \"交易记录\"\n").expect("write");
        assert!(
            matches!(category(&csv, None, &known), Err(CategoryError::Sidecar { reason, .. }) if reason.contains("did you mean"))
        );
        std::fs::write(dir.path().join("a.csv.toml"), "category = \"会员\"\n").expect("write");
        assert!(matches!(category(&csv, None, &known), Err(CategoryError::Unknown { .. })));
    }

    #[test]
    fn a_first_row_of_data_is_no_header() {
        assert!(header_problem(["user_id", "地址", "年龄"]).is_none());
        assert!(header_problem(["U1", "13812345678"]).is_some());
        assert!(header_problem(["x", "2026-06-30"]).is_some());
    }
}
