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
