//! `docs/fidelity.md` stays in step with the pack: every declaration the clause table names
//! (`rule APV-2`, `role 店长`, `approval 复杂项目` …) exists in `policies/`, every row says how
//! its clause is encoded, and no clause is listed twice.

use std::collections::BTreeSet;
use std::path::Path;

use zhidu::base::source::FileId;
use zhidu::syntax::ast::{Entry, Item};
use zhidu::syntax::parse_file;

/// How a row may say its clause is encoded (the legend of docs/fidelity.md).
const WAYS: &[&str] = &["检查", "规则（仅文本）", "声明", "仅文本", "检查（上级条款）", "上级条款", "未编码"];

/// `kind name` of every declaration in `policies/`, nested ones (sop steps) included, and
/// `rule ID` of every rule.
fn pack_names() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut files: Vec<_> = std::fs::read_dir("policies")
        .expect("policies/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "zd"))
        .collect();
    files.sort();
    for (i, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).expect("read policy file");
        let (file, errors) = parse_file(FileId(i as u32), &text);
        assert!(errors.is_empty(), "{} does not parse", path.display());
        for item in &file.items {
            match item {
                Item::Rule(r) => {
                    names.insert(format!("rule {}", r.id.name));
                }
                Item::Record(_) | Item::Include(_) | Item::Extends(_) | Item::Disable(_) => {}
                Item::Decl(d) | Item::Override(d) => {
                    let mut stack = vec![d];
                    while let Some(d) = stack.pop() {
                        if let Some(n) = &d.name {
                            names.insert(format!("{} {}", d.kind.name, n.name));
                        }
                        for e in &d.entries {
                            if let Entry::Decl(sub) = e {
                                stack.push(sub);
                            }
                        }
                    }
                }
            }
        }
    }
    names
}

/// The clause table's rows: (clause, way, location cell).
fn rows(doc: &str) -> Vec<(String, String, String)> {
    doc.lines()
        .filter(|l| l.starts_with("| 00"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            assert!(cells.len() >= 4, "row with too few cells: {l}");
            (cells[0].to_string(), cells[2].to_string(), cells[3].to_string())
        })
        .collect()
}

/// The backticked `kind name` references of a cell.
fn refs(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

#[test]
fn every_declaration_named_in_the_fidelity_table_exists() {
    let doc = std::fs::read_to_string(Path::new("docs/fidelity.md")).expect("docs/fidelity.md");
    let names = pack_names();
    let rows = rows(&doc);
    assert!(rows.len() >= 600, "the table lists the seeds' clauses sentence by sentence ({} rows)", rows.len());
    let mut missing = Vec::new();
    let mut seen = BTreeSet::new();
    for (clause, way, loc) in &rows {
        assert!(seen.insert(clause.clone()), "clause {clause} listed twice");
        assert!(WAYS.contains(&way.as_str()), "clause {clause}: unknown way {way:?}");
        let named = refs(loc);
        assert_eq!(way == "未编码", named.is_empty(), "clause {clause}: way {way} but location {loc}");
        for r in named {
            if !names.contains(&r) {
                missing.push(format!("{clause}: {r}"));
            }
        }
    }
    assert!(missing.is_empty(), "declarations named in docs/fidelity.md but not in policies/:\n{}", missing.join("\n"));
}

#[test]
fn the_pack_names_are_read() {
    // Guards the test above against reading nothing: a few declarations every pack version has.
    let names = pack_names();
    for n in ["rule APV-2", "role 店长", "approval 复杂项目", "sop 预算管理流程", "step 预算编制"] {
        assert!(names.contains(n), "{n} not found by pack_names");
    }
}
