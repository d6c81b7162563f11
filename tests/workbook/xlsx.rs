//! A minimal `.xlsx` writer for the workbook tests: inline strings, numbers, dates (a date
//! style), formulas with or without a cached value, error cells and merged ranges — what the
//! reader must handle, written as Excel lays out the parts, with no other dependency than zip.

use std::io::Write;

/// One cell's content.
#[derive(Clone, Debug)]
pub enum Cell {
    /// Text.
    S(String),
    /// A number.
    N(f64),
    /// A date, as an Excel serial day number with a date format.
    D(f64),
    /// A formula and its cached value (`None`: never calculated).
    F(&'static str, Option<f64>),
    /// An error value (`#DIV/0!`).
    E(&'static str),
    /// Nothing.
    Empty,
}

/// A sheet: its name, rows from row 1 (each from `first_col`, 0-based), merged ranges (`C2:C4`).
pub struct Sheet {
    pub name: String,
    pub first_row: u32,
    pub first_col: u32,
    pub rows: Vec<Vec<Cell>>,
    pub merged: Vec<String>,
}

/// `A`, `B`, … `AA` for a 0-based column.
pub fn col(mut c: u32) -> String {
    let mut s = Vec::new();
    c += 1;
    while c > 0 {
        s.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The bytes of a workbook of these sheets.
pub fn workbook(sheets: &[Sheet]) -> Vec<u8> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, body: String| {
        zip.start_file(name, opts).expect("zip entry");
        zip.write_all(body.as_bytes()).expect("zip write");
    };
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
    );
    let mut book = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>"#
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, s) in sheets.iter().enumerate() {
        let n = i + 1;
        types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
        book.push_str(&format!(r#"<sheet name="{}" sheetId="{n}" r:id="rId{n}"/>"#, esc(&s.name)));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
    }
    types.push_str("</Types>");
    book.push_str("</sheets></workbook>");
    rels.push_str(&format!(r#"<Relationship Id="rIdS" Type="{REL}/styles" Target="styles.xml"/></Relationships>"#));
    put("[Content_Types].xml", types);
    put(
        "_rels/.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        ),
    );
    put("xl/workbook.xml", book);
    put("xl/_rels/workbook.xml.rels", rels);
    put(
        "xl/styles.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#
        ),
    );
    for (i, s) in sheets.iter().enumerate() {
        let mut x =
            format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}"><sheetData>"#);
        for (r, row) in s.rows.iter().enumerate() {
            let rn = s.first_row + r as u32 + 1;
            x.push_str(&format!(r#"<row r="{rn}">"#));
            for (c, cell) in row.iter().enumerate() {
                let at = format!("{}{rn}", col(s.first_col + c as u32));
                match cell {
                    Cell::S(t) => x.push_str(&format!(
                        r#"<c r="{at}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                        esc(t)
                    )),
                    Cell::N(v) => x.push_str(&format!(r#"<c r="{at}"><v>{v}</v></c>"#)),
                    Cell::D(v) => x.push_str(&format!(r#"<c r="{at}" s="1"><v>{v}</v></c>"#)),
                    Cell::F(f, Some(v)) => x.push_str(&format!(r#"<c r="{at}"><f>{}</f><v>{v}</v></c>"#, esc(f))),
                    Cell::F(f, None) => x.push_str(&format!(r#"<c r="{at}"><f>{}</f></c>"#, esc(f))),
                    Cell::E(e) => x.push_str(&format!(r#"<c r="{at}" t="e"><v>{e}</v></c>"#)),
                    Cell::Empty => {}
                }
            }
            x.push_str("</row>");
        }
        x.push_str("</sheetData>");
        if !s.merged.is_empty() {
            x.push_str(&format!(r#"<mergeCells count="{}">"#, s.merged.len()));
            for m in &s.merged {
                x.push_str(&format!(r#"<mergeCell ref="{m}"/>"#));
            }
            x.push_str("</mergeCells>");
        }
        x.push_str("</worksheet>");
        put(&format!("xl/worksheets/sheet{}.xml", i + 1), x);
    }
    zip.finish().expect("zip").into_inner()
}

/// An Excel serial day number (1900 system) of a `YYYY-MM-DD` date.
pub fn serial(date: &str) -> f64 {
    let d: jiff::civil::Date = date.parse().expect("a date");
    let base = jiff::civil::date(1899, 12, 30);
    (d - base).get_days() as f64
}
