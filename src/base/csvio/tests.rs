//! `Rows` and `Writer` against the `csv` crate itself, on inputs rich in what CSV makes hard:
//! quotes, commas, blank lines, `\r`, `\r\n`, a byte-order mark, bytes that are not UTF-8, and
//! characters cut by a delimiter; read through buffers of every small size.

use proptest::prelude::*;

use super::*;

/// What `csv::Reader` makes of `input`: header then records, each with its fields and
/// position, up to and including the first error (the callers stop there).
fn with_csv(input: &[u8]) -> Vec<Result<(Vec<String>, Position), String>> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(input);
    let mut out = Vec::new();
    let header = rdr.headers().map(|h| h.iter().map(String::from).collect::<Vec<_>>());
    match header {
        Ok(h) => out.push(Ok((h, Position { byte: 0, line: 1, record: 0 }))),
        Err(e) => return vec![Err(e.to_string())],
    }
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {
                let p = rec.position().cloned().unwrap_or_else(csv::Position::new);
                let pos = Position { byte: p.byte(), line: p.line(), record: p.record() };
                out.push(Ok((rec.iter().map(String::from).collect(), pos)));
            }
            Ok(false) => break,
            Err(e) => {
                out.push(Err(e.to_string()));
                break;
            }
        }
    }
    out
}

/// The same through `Rows`; the header is reported with the position `csv` gives headers.
fn with_rows(input: &[u8], cap: usize) -> Vec<Result<(Vec<String>, Position), String>> {
    let mut rows = Rows::with_capacity(input, cap);
    let mut out = Vec::new();
    loop {
        match rows.next_row() {
            Ok(Some(r)) => out.push(Ok((r.fields().map(String::from).collect(), r.position))),
            Ok(None) => break,
            Err(e) => {
                out.push(Err(e.to_string()));
                break;
            }
        }
    }
    if out.is_empty() {
        // An empty input has an empty header.
        out.push(Ok((Vec::new(), Position { byte: 0, line: 1, record: 0 })));
    }
    out
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop::sample::select(vec![
        &b"a"[..],
        b"bc",
        "姓名".as_bytes(),
        b",",
        b",",
        b"\"",
        b"\"\"",
        b"\n",
        b"\n",
        b"\r",
        b"\r\n",
        b" ",
        b"\xef\xbb\xbf",
        b"\xff",
        b"\xe5",
        b"\xa4\x87",
        b"12345",
    ]);
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn record() -> impl Strategy<Value = Vec<String>> {
    let field = prop::collection::vec(prop::sample::select(vec!["a", "姓", ",", "\"", "\n", "\r", " ", ""]), 0..4)
        .prop_map(|v| v.concat());
    prop::collection::vec(field, 0..4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn rows_read_like_csv(input in input(), cap in 1usize..16) {
        prop_assert_eq!(with_rows(&input, cap), with_csv(&input), "{:?}", String::from_utf8_lossy(&input));
    }

    #[test]
    fn writer_writes_like_csv(records in prop::collection::vec(record(), 0..4)) {
        let mut theirs = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        let mut ours = Writer::new(Vec::new());
        for r in &records {
            theirs.write_record(r).unwrap();
            ours.write_record(r).unwrap();
        }
        ours.flush().unwrap();
        prop_assert_eq!(ours.inner, theirs.into_inner().unwrap());
    }
}

#[test]
fn plain_lines_are_written_as_read() {
    let input = "h1,h2\na,姓名\r\n b ,\n".as_bytes();
    let mut rows = Rows::new(input);
    let mut ours = Writer::new(Vec::new());
    let mut theirs = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    while let Some(r) = rows.next_row().unwrap() {
        let fields: Vec<&str> = r.fields().collect();
        theirs.write_record(&fields).unwrap();
        for f in &fields {
            if r.is_plain() { ours.write_plain_field(f) } else { ours.write_field(f.as_bytes()) }
        }
        ours.end_record().unwrap();
    }
    ours.flush().unwrap();
    assert_eq!(ours.inner, theirs.into_inner().unwrap());
}

#[test]
fn long_records_grow_the_buffers() {
    let long = "x".repeat(5000);
    let input = format!("h\n{long},\"{long}\"\n");
    let got = with_rows(input.as_bytes(), 7);
    assert_eq!(got, with_csv(input.as_bytes()));
    assert_eq!(got.len(), 2);
}

/// A reader that hands over at most `.1` bytes per read, as a decoder does.
struct Trickle<'a>(&'a [u8], usize);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.1).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// `Rows` over `input` with records limited to `limit` bytes and 4 fields, read `chunk` bytes at
/// a time.
fn limited(input: &[u8], limit: usize, chunk: usize) -> Vec<Result<Vec<String>, String>> {
    let mut rows = Rows::with_capacity(Trickle(input, chunk), 4).with_limits(limit, 4);
    let mut out = Vec::new();
    loop {
        match rows.next_row() {
            Ok(Some(r)) => out.push(Ok(r.fields().map(String::from).collect())),
            Ok(None) => break,
            Err(e) => {
                out.push(Err(e.to_string()));
                break;
            }
        }
    }
    out
}

#[test]
fn records_longer_than_the_limit_are_errors() {
    let ok = |fields: &[&str]| Ok(fields.iter().map(|f| f.to_string()).collect::<Vec<_>>());
    let too_long = |line: u64| {
        Err(format!(
            "the CSV record that starts on line {line} is longer than 10 bytes, the most read as one record (the input has no line break there, or a quote that is never closed)"
        ))
    };
    for chunk in [1, 3, 64] {
        // Ten bytes with the line end are allowed; eleven are not, on a plain line, at the end
        // of the input without a line end, and in a quoted field (even one that never closes).
        assert_eq!(limited(b"h\n12345,789\nx\n", 10, chunk), vec![ok(&["h"]), ok(&["12345", "789"]), ok(&["x"])]);
        assert_eq!(limited(b"h\n\n12345,7890\nx\n", 10, chunk), vec![ok(&["h"]), too_long(3)]);
        assert_eq!(limited(b"h\n1234567890", 10, chunk), vec![ok(&["h"]), ok(&["1234567890"])]);
        assert_eq!(limited(b"h\n12345678901", 10, chunk), vec![ok(&["h"]), too_long(2)]);
        assert_eq!(limited(b"h\n\"a\nb\",\"cdefghij\"\n", 10, chunk), vec![ok(&["h"]), too_long(2)]);
        assert_eq!(limited(b"h\nx\n\"never closed\n\n\n\n", 10, chunk), vec![ok(&["h"]), ok(&["x"]), too_long(3)]);
        // The header too, and an input with no line break at all, however long.
        assert_eq!(limited(&[0u8; 1000], 10, chunk), vec![too_long(1)]);
        assert_eq!(limited(&[b'a'; 1000], 10, chunk), vec![too_long(1)]);
    }
}

#[test]
fn records_with_more_fields_than_the_limit_are_errors() {
    let ok = |fields: &[&str]| Ok(fields.iter().map(|f| f.to_string()).collect::<Vec<_>>());
    let too_many = |line: u64| {
        Err(format!("the CSV record that starts on line {line} has more than 4 fields, the most read in one record"))
    };
    for chunk in [1, 3, 64] {
        // Four fields are allowed, five are not: plain, quoted (decoded by `csv_core`), empty.
        assert_eq!(limited(b"a,b,c,d\n,,,\n", 100, chunk), vec![ok(&["a", "b", "c", "d"]), ok(&["", "", "", ""])]);
        assert_eq!(limited(b"h\nx\n,,,,\n", 100, chunk), vec![ok(&["h"]), ok(&["x"]), too_many(3)]);
        assert_eq!(limited(b"h\n\"a\",b,c,d\n\"a\",b,c,d,e\n", 100, chunk)[2], too_many(3));
        assert_eq!(limited(b"a,b,c,d,e", 100, chunk), vec![too_many(1)]);
        assert_eq!(limited(b"\"a\",b,c,d,\"e\"", 100, chunk), vec![too_many(1)]);
        assert_eq!(limited(&b",".repeat(1000), 10_000, chunk), vec![too_many(1)]);
        // Commas in a quoted field do not count; a quote after the fifth field does not help.
        assert_eq!(limited(b"a,\"b,c,d,e,f\"\n", 100, chunk), vec![ok(&["a", "b,c,d,e,f"])]);
        assert_eq!(limited(b"h\r\na,b,c,d,\"e\"\n", 100, chunk)[1], too_many(2));
        assert_eq!(limited(b"h\na,b,c,d,\"e\"\n", 100, chunk)[1], too_many(2));
        assert_eq!(
            limited(b"h\na,b,c\r,d,e,f\n", 100, chunk),
            vec![ok(&["h"]), ok(&["a", "b", "c"]), ok(&["", "d", "e", "f"])]
        );
    }
}

#[test]
fn a_line_without_end_is_read_in_few_passes() {
    // Read a byte at a time, a line of a megabyte is still split in a moment: it is scanned
    // again only once the input read has doubled, not after every read.
    let mut input = b"h\n".to_vec();
    input.extend(std::iter::repeat_n(b'a', 1 << 20));
    let started = std::time::Instant::now();
    let mut rows = Rows::with_capacity(Trickle(&input, 1), 4);
    let mut n = 0;
    while let Ok(Some(_)) = rows.next_row() {
        n += 1;
    }
    assert_eq!(n, 2);
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
}
