//! Issue 23: org data kept in Excel workbooks. The example org with its people in a workbook
//! gives exactly the findings it gives with them in `person.csv` (same rules, subjects,
//! messages, fingerprints, rows and fields), its findings name the cell (`people.xlsx:person!A7`);
//! a sheet that names no kind is `DATA-KIND` with a did-you-mean; dates, formulas' cached values
//! and merged ranges are read; corrupt workbooks, error cells, uncalculated formulas and a sheet
//! past the limits stop the run (exit 2) with the place named, never a panic. People in `.xls`
//! and `.ods` files are read as in `.xlsx` ones; a workbook under `exports/` is scanned by MASK-2
//! as a CSV export is, its findings naming the sheet's cell.

mod common;
#[path = "workbook/xlsx.rs"]
mod xlsx;

use std::path::{Path, PathBuf};

use common::{copy_dir, zhidu_in};
use xlsx::{Cell, Sheet, serial, workbook};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example org's people as a header and rows of cells (the TOML records' keys in order of
/// first use; lists `;`-joined); `people.toml` keeps its other tables.
fn people(org: &Path) -> (Vec<String>, Vec<Vec<toml::Value>>) {
    let text = std::fs::read_to_string(org.join("people.toml")).expect("people.toml");
    let mut doc: toml::Table = text.parse().expect("toml");
    let persons = doc.remove("person").expect("[[person]]");
    let persons = persons.as_array().expect("array").clone();
    std::fs::write(org.join("people.toml"), toml::to_string(&doc).expect("toml")).expect("write");
    let mut header: Vec<String> = Vec::new();
    for p in &persons {
        for k in p.as_table().expect("table").keys() {
            if !header.contains(k) {
                header.push(k.clone());
            }
        }
    }
    // `id` first, as the files are written.
    header.sort_by_key(|k| k != "id");
    let rows = persons
        .iter()
        .map(|p| header.iter().map(|k| p.get(k).cloned().unwrap_or(toml::Value::String(String::new()))).collect())
        .collect();
    (header, rows)
}

fn text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

/// A cell as a spreadsheet holds it: dates as dates, whole numbers as numbers, the rest text.
fn cell(v: &toml::Value) -> Cell {
    match v {
        toml::Value::Datetime(d) => Cell::D(serial(&d.to_string())),
        toml::Value::Integer(i) => Cell::N(*i as f64),
        toml::Value::String(s) if s.is_empty() => Cell::Empty,
        other => Cell::S(text(other)),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// What is compared of a finding: rule, subject, message, fingerprint, row, field.
type Key = (String, String, String, String, String, String);

/// The findings of `check --format json`: (rule, subject, message, fingerprint, row, field),
/// and the locations.
fn findings(org: &Path) -> (Vec<Key>, Vec<serde_json::Value>) {
    let (code, out, err) = zhidu_in(org, &["check", ".", "--format", "json", "--fail-on", "never"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let list = v["findings"].as_array().expect("findings").clone();
    let s = |x: &serde_json::Value| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string());
    let mut keys: Vec<_> = list
        .iter()
        .map(|f| {
            (
                s(&f["rule"]),
                s(&f["subject"]),
                s(&f["message"]),
                s(&f["fingerprint"]),
                s(&f["location"]["row"]),
                s(&f["location"]["field"]),
            )
        })
        .collect();
    keys.sort();
    (keys, list.iter().map(|f| f["location"].clone()).collect())
}

#[test]
fn people_in_a_workbook_give_the_findings_of_people_in_csv() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (csv_org, book_org) = (tmp.path().join("csv"), tmp.path().join("book"));
    copy_dir(&root().join("examples/acme"), &csv_org);
    copy_dir(&root().join("examples/acme"), &book_org);
    let (header, rows) = people(&csv_org);
    people(&book_org);
    // Make a finding or two land in person records: a misspelt role, a bad date.
    let mut rows = rows;
    let role = header.iter().position(|h| h == "roles").expect("roles");
    let joined = header.iter().position(|h| h == "joined").expect("joined");
    rows[5][role] = toml::Value::String("总经里".into());
    rows[7][joined] = toml::Value::String("2026-13-45".into());
    let mut csv = header.join(",") + "\n";
    for r in &rows {
        csv.push_str(&r.iter().map(|v| csv_field(&text(v))).collect::<Vec<_>>().join(","));
        csv.push('\n');
    }
    std::fs::write(csv_org.join("person.csv"), csv).expect("csv");
    let mut sheet_rows = vec![header.iter().map(|h| Cell::S(h.clone())).collect::<Vec<_>>()];
    sheet_rows.extend(rows.iter().map(|r| r.iter().map(cell).collect()));
    let sheets = [
        Sheet { name: "person".into(), first_row: 0, first_col: 0, rows: sheet_rows, merged: vec![] },
        // An empty sheet, as Excel makes them: nothing to read, nothing to say.
        Sheet { name: "Sheet2".into(), first_row: 0, first_col: 0, rows: vec![], merged: vec![] },
    ];
    std::fs::write(book_org.join("people.xlsx"), workbook(&sheets)).expect("xlsx");

    let (from_csv, _) = findings(&csv_org);
    let (from_book, locations) = findings(&book_org);
    // A message may quote where a record is (`person.csv:7:1`): the same row, named as a cell.
    let quoted = regex::Regex::new(r"people\.xlsx:person!A(\d+)").expect("regex");
    let from_book: Vec<_> = from_book
        .into_iter()
        .zip(&from_csv)
        .map(|(mut b, c)| {
            b.2 = quoted.replace_all(&b.2, "person.csv:$1:1").into_owned();
            // Every sheet location has its row; a CSV one only where the finding is a row's.
            if c.4 == "null" {
                b.4 = c.4.clone();
            }
            b
        })
        .collect();
    assert!(from_csv.iter().any(|f| f.1.starts_with("person:")), "findings about people: {from_csv:#?}");
    assert_eq!(from_csv, from_book, "the same findings from the workbook as from the CSV file");
    let in_book: Vec<&serde_json::Value> = locations.iter().filter(|l| l["file"] == "people.xlsx").collect();
    assert!(!in_book.is_empty());
    for l in &in_book {
        assert_eq!(l["sheet"], "person", "{l}");
        // The header is row 1 of the sheet: data row n is sheet row n + 1.
        assert_eq!(l["line"].as_u64(), l["row"].as_u64().map(|r| r + 1), "{l}");
    }
    // The JSON output, `sheet` and all, is what docs/findings.schema.json says; SARIF carries
    // the sheet as a property of the region.
    let (_, out, _) = zhidu_in(&book_org, &["check", ".", "--format", "json", "--fail-on", "never"]);
    let schema: serde_json::Value = serde_json::from_str(include_str!("../docs/findings.schema.json")).expect("schema");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let (_, out, _) = zhidu_in(&book_org, &["check", ".", "--format", "sarif", "--fail-on", "never"]);
    let sarif: serde_json::Value = serde_json::from_str(&out).expect("SARIF");
    let regions: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"].as_object())
        .filter(|p| p["artifactLocation"]["uri"].as_str().is_some_and(|u| u.ends_with("people.xlsx")))
        .map(|p| &p["region"])
        .collect();
    assert!(!regions.is_empty() && regions.iter().all(|r| r["properties"]["sheet"] == "person"), "{regions:?}");
    // Human output names the cell.
    let (_, out, _) = zhidu_in(&book_org, &["check", ".", "--fail-on", "never", "--max-per-rule", "0"]);
    let col = xlsx::col(joined as u32);
    assert!(out.contains(&format!("--> people.xlsx:person!{col}9")), "the bad date's cell:\n{out}");
    assert!(out.contains("people.xlsx:person!A7"), "the row of the misspelt role:\n{out}");
}

/// A workbook org: `zhidu.toml`, units, and `files`.
fn org_with(files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tmp.path().join("zhidu.toml"),
        "[org]\nname = \"工作簿测试\"\nas_of = 2026-06-30\nperiod = { from = 2026-01-01, to = 2026-06-30 }\n",
    )
    .expect("config");
    std::fs::write(tmp.path().join("units.toml"), "[[unit]]\nid = \"U-1\"\nname = \"综合部\"\ntype = \"company\"\n")
        .expect("units");
    for (name, bytes) in files {
        std::fs::write(tmp.path().join(name), bytes).expect("file");
    }
    tmp
}

fn s(x: &str) -> Cell {
    Cell::S(x.into())
}

fn person_sheet(name: &str, rows: Vec<Vec<Cell>>, merged: Vec<String>) -> Sheet {
    let mut all = vec![vec![s("id"), s("name"), s("unit"), s("roles"), s("joined")]];
    all.extend(rows);
    Sheet { name: name.into(), first_row: 2, first_col: 1, rows: all, merged }
}

#[test]
fn dates_formulas_merged_cells_and_a_sheet_named_after_the_file() {
    // `person.xlsx` with one sheet `Sheet1`, placed from B3; a formula's cached value as the id's
    // number, a merged unit over three rows, dates as dates and as text.
    let sheet = person_sheet(
        "Sheet1",
        vec![
            vec![s("P1"), s("甲"), s("U-1"), s("运营专员"), Cell::D(serial("2020-01-02"))],
            vec![Cell::F("\"P\"&2", None), s("乙"), Cell::Empty, s("运营专员"), s("2021-03-04")],
            vec![s("P3"), s("丙"), Cell::Empty, s("运营专员"), Cell::D(serial("2022-05-06"))],
        ],
        vec!["D4:D6".into()],
    );
    // The formula has no cached value: the run stops, naming the cell.
    let org = org_with(&[("person.xlsx", workbook(std::slice::from_ref(&sheet)))]);
    let (code, _, err) = zhidu_in(org.path(), &["check", "."]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("person.xlsx:Sheet1!B5") && err.contains("formula"), "{err}");
    assert!(err.contains("zhidu::data::workbook"), "{err}");

    // With its cached value, it is read; the merged unit is every row's.
    let mut sheet = sheet;
    sheet.rows[2][0] = Cell::F("2", Some(2.0));
    let org = org_with(&[("person.xlsx", workbook(&[sheet]))]);
    let (code, out, err) = zhidu_in(org.path(), &["check", ".", "--format", "json", "--fail-on", "never"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let list = v["findings"].as_array().expect("findings");
    let about = |code: &str| list.iter().filter(|f| f["rule"] == code).count();
    assert_eq!(about("DATA-TYPE"), 0, "dates read as dates: {list:#?}");
    assert_eq!(about("DATA-MISSING"), 0, "the merged unit fills its rows: {list:#?}");
    assert_eq!(about("DATA-REF"), 0, "{list:#?}");
    assert_eq!(about("DATA-VOCAB"), 0, "{list:#?}");
    // The formula's cached value is the second person's id.
    assert!(list.iter().any(|f| f["subject"] == "person:2"), "{list:#?}");
}

#[test]
fn a_sheet_that_names_no_kind_is_data_kind_with_a_suggestion() {
    let good = person_sheet("person", vec![vec![s("P1"), s("甲"), s("U-1"), s("运营专员"), s("2020-01-02")]], vec![]);
    let bad = Sheet {
        name: "persn".into(),
        first_row: 0,
        first_col: 0,
        rows: vec![vec![s("id")], vec![s("P9")]],
        merged: vec![],
    };
    let org = org_with(&[("hr.xlsx", workbook(&[good, bad]))]);
    let (code, out, err) = zhidu_in(org.path(), &["check", ".", "--fail-on", "never"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("DATA-KIND") && out.contains("`persn`") && out.contains("`person`"), "{out}");
    assert!(out.contains("hr.xlsx:persn!A1"), "{out}");
}

#[test]
fn broken_workbooks_stop_the_run_with_the_place_named() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("person.xlsx", b"id,name\nP1,a\n".to_vec(), "person.xlsx"),
        ("person.xlsx", workbook(&[]).into_iter().take(40).collect(), "person.xlsx"),
        (
            "person.xlsx",
            workbook(&[person_sheet(
                "person",
                vec![vec![s("P1"), s("甲"), s("U-1"), s("运营专员"), Cell::E("#DIV/0!")]],
                vec![],
            )]),
            "person.xlsx:person!F4",
        ),
        // A merged range of a billion cells: refused before it is made.
        (
            "person.xlsx",
            workbook(&[person_sheet(
                "person",
                vec![vec![s("P1"), s("甲"), s("U-1"), s("运营专员"), s("2020-01-02")]],
                vec!["B4:XFD1048576".into()],
            )]),
            "cells with a value",
        ),
    ];
    for (name, bytes, expected) in cases {
        let org = org_with(&[(name, bytes)]);
        let (code, out, err) = zhidu_in(org.path(), &["check", "."]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(err.contains(expected), "`{expected}` in:\n{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// `(rule, message)` of a check's findings, sorted, and their locations.
fn rules_and_messages(org: &Path) -> (Vec<(String, String)>, Vec<serde_json::Value>) {
    let (code, out, err) = zhidu_in(org, &["check", ".", "--format", "json", "--fail-on", "never"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let list = v["findings"].as_array().expect("findings").clone();
    let s = |x: &serde_json::Value| x.as_str().unwrap_or_default().to_string();
    let mut keys: Vec<_> = list.iter().map(|f| (s(&f["rule"]), s(&f["message"]))).collect();
    keys.sort();
    (keys, list.iter().map(|f| f["location"].clone()).collect())
}

#[test]
fn an_export_workbook_is_scanned_like_a_csv_export() {
    // The same export, raw user IDs in its first column, as CSV and as a workbook sheet.
    let rows = [["user_id", "地址", "备注"], ["U10086", "浙江省", ""], ["U10087", "江苏省", "老客户"]];
    let csv: String = rows.iter().map(|r| r.join(",") + "\n").collect();
    let sheet = Sheet {
        name: "导出".into(),
        first_row: 0,
        first_col: 1,
        rows: rows.iter().map(|r| r.iter().map(|c| if c.is_empty() { Cell::Empty } else { s(c) }).collect()).collect(),
        merged: vec![],
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let (as_csv, as_book) = (tmp.path().join("csv"), tmp.path().join("book"));
    for org in [&as_csv, &as_book] {
        copy_dir(&root().join("tests/fixtures/clean-org"), org);
        std::fs::create_dir_all(org.join("exports/用户画像")).expect("mkdir");
    }
    std::fs::write(as_csv.join("exports/用户画像/users.csv"), csv).expect("csv");
    std::fs::write(as_book.join("exports/用户画像/users.xlsx"), workbook(&[sheet])).expect("xlsx");
    let (from_csv, _) = rules_and_messages(&as_csv);
    let (from_book, locations) = rules_and_messages(&as_book);
    let mask2 = |f: &[(String, String)]| f.iter().filter(|(r, _)| r == "MASK-2").count();
    assert!(mask2(&from_csv) > 0, "the CSV's raw IDs are MASK-2 findings: {from_csv:?}");
    let renamed: Vec<(String, String)> =
        from_book.iter().map(|(r, m)| (r.clone(), m.replace("users.xlsx", "users.csv"))).collect();
    assert_eq!(renamed, from_csv, "the workbook export is judged as the CSV one is");
    // Its findings name the sheet and the cell: column B (the sheet starts there), rows 2 and 3.
    let cells: Vec<(String, String, u64, u64)> = locations
        .iter()
        .filter(|l| l["sheet"] == "导出")
        .map(|l| {
            let s = |k: &str| l[k].as_str().unwrap_or_default().to_string();
            (s("file"), s("field"), l["line"].as_u64().unwrap_or(0), l["column"].as_u64().unwrap_or(0))
        })
        .collect();
    assert!(cells.contains(&("exports/用户画像/users.xlsx".into(), "user_id".into(), 2, 2)), "{cells:?}");

    // A file that only calls itself a workbook is unreadable (DATA-SHAPE), never passed over.
    std::fs::write(as_book.join("exports/用户画像/users.xlsx"), b"not read").expect("write");
    let (found, _) = rules_and_messages(&as_book);
    assert!(found.iter().any(|(r, m)| r == "DATA-SHAPE" && m.contains("users.xlsx")), "{found:?}");
}

#[test]
fn xls_and_ods_people_give_the_findings_of_people_in_toml() {
    // The twin: the clean org with P0006's role misspelt in people.toml, as the fixtures have it
    // (tests/fixtures/workbooks/gen.py).
    let tmp = tempfile::tempdir().expect("tmp");
    let twin = tmp.path().join("twin");
    copy_dir(&root().join("tests/fixtures/clean-org"), &twin);
    let path = twin.join("people.toml");
    let mut doc: toml::Table = std::fs::read_to_string(&path).expect("read").parse().expect("toml");
    let persons = doc.get_mut("person").and_then(|p| p.as_array_mut()).expect("[[person]]");
    let p6 = persons.iter_mut().find(|p| p.get("id").and_then(|i| i.as_str()) == Some("P0006")).expect("P0006");
    p6.as_table_mut().expect("table").insert("roles".into(), toml::Value::Array(vec!["副总经里".into()]));
    std::fs::write(&path, toml::to_string(&doc).expect("toml")).expect("write");
    let (want, _) = rules_and_messages(&twin);
    assert_eq!(want.len(), 1, "the misspelt role is the one finding: {want:?}");
    let place = regex::Regex::new(r"people\.toml:\d+:\d+").expect("regex");
    for ext in ["xls", "ods"] {
        let org = tmp.path().join(ext);
        copy_dir(&root().join("tests/fixtures/clean-org"), &org);
        people(&org);
        let name = format!("people.{ext}");
        std::fs::copy(root().join("tests/fixtures/workbooks").join(&name), org.join(&name)).expect("copy");
        let (got, locations) = rules_and_messages(&org);
        // A message quotes where the record is: the sheet's row for the TOML file's line.
        let cell = format!("{name}:person!A7");
        assert!(got.iter().any(|(_, m)| m.contains(&cell)), "{ext}: {got:?}");
        let want: Vec<(String, String)> =
            want.iter().map(|(r, m)| (r.clone(), place.replace_all(m, cell.as_str()).into_owned())).collect();
        assert_eq!(got, want, "{ext}: the people read from the workbook differ from the TOML ones");
        let at_sheet = locations.iter().any(|l| l["file"] == name.as_str() && l["sheet"] == "person" && l["line"] == 7);
        assert!(at_sheet, "{ext}: no finding at P0006's row of the sheet: {locations:?}");
    }
}
