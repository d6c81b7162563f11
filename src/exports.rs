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

/// Opens an export for streaming.
pub fn open(path: &Path, charset: Charset) -> std::io::Result<Opened> {
    let mut file = File::open(path)?;
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

/// The fields of a CSV row as text, checked as UTF-8 in one pass over the whole row (rather than
/// field by field, as `csv::StringRecord` does) and read in place from a reused `ByteRecord`.
pub struct Fields<'r> {
    text: &'r str,
    raw: csv::ByteRecordIter<'r>,
    at: usize,
}

impl<'r> Fields<'r> {
    /// Checks a row; an error names the record, line, field and byte as `csv` would.
    pub fn new(record: &'r csv::ByteRecord) -> Result<Fields<'r>, csv::Error> {
        let text = std::str::from_utf8(record.as_slice()).map_err(|_| utf8_error(record))?;
        // Valid as a whole, a row may still split a character between two fields.
        let mut at = 0;
        for f in record.iter() {
            at += f.len();
            if !text.is_char_boundary(at) {
                return Err(utf8_error(record));
            }
        }
        Ok(Fields { text, raw: record.iter(), at: 0 })
    }
}

impl<'r> Iterator for Fields<'r> {
    type Item = &'r str;

    fn next(&mut self) -> Option<&'r str> {
        let f = self.raw.next()?;
        let start = self.at;
        self.at += f.len();
        // Boundaries were checked in `new`.
        Some(self.text.get(start..self.at).unwrap_or_default())
    }
}

/// The error `csv` reports for a row that is not UTF-8 (the first bad field, and how far it
/// is valid), with the same wording.
fn utf8_error(record: &csv::ByteRecord) -> csv::Error {
    let (field, valid_up_to) = record
        .iter()
        .enumerate()
        .find_map(|(i, f)| std::str::from_utf8(f).err().map(|e| (i, e.valid_up_to())))
        .unwrap_or((0, 0));
    let at = match record.position() {
        Some(p) => format!("record {} (line {}, field: {field}, byte: {})", p.record(), p.line(), p.byte()),
        None => format!("field {field}"),
    };
    let msg =
        format!("CSV parse error: {at}: invalid utf-8: invalid UTF-8 in field {field} near byte index {valid_up_to}");
    csv::Error::from(std::io::Error::new(std::io::ErrorKind::InvalidData, msg))
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

    #[test]
    fn fields_read_like_string_records() {
        let data = "a,姓名,\"x,\"\"y\"\"\"\n1,张三,\n2\n".as_bytes();
        let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(data);
        let mut rec = csv::ByteRecord::new();
        let mut rows = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            rows.push(Fields::new(&rec).unwrap().map(String::from).collect::<Vec<_>>());
        }
        assert_eq!(rows, [vec!["a", "姓名", "x,\"y\""], vec!["1", "张三", ""], vec!["2"]]);
    }

    #[test]
    fn bad_utf8_is_reported_like_csv_does() {
        // The second field is cut in the middle of a character, the first is fine; and a row whose
        // bytes are valid only when joined (a character split by the delimiter) is bad too.
        for data in [&b"h1,h2\nok,\xe5\xa4\n"[..], &b"h1,h2\nok\xe5,\xa4\x87\n"[..]] {
            // Both readers read the header first, as `mask` and the stream checks do.
            let mut ours = csv::ReaderBuilder::new().from_reader(data);
            ours.headers().unwrap();
            let mut rec = csv::ByteRecord::new();
            assert!(ours.read_byte_record(&mut rec).unwrap());
            let mine = Fields::new(&rec).err().map(|e| e.to_string());
            let mut theirs = csv::ReaderBuilder::new().from_reader(data);
            theirs.headers().unwrap();
            let mut srec = csv::StringRecord::new();
            let expected = theirs.read_record(&mut srec).err().map(|e| e.to_string());
            assert!(expected.is_some());
            assert_eq!(mine, expected);
        }
    }
}
