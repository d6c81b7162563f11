//! Tests of the parent module.

use super::*;
use proptest::prelude::*;

use super::super::tests::{schema, show};

/// Records and findings of a CSV file read with the fast path on and off.
fn both(name: &str, text: &str) -> (String, String) {
    let mut sources = SourceMap::default();
    let id = sources.add(name, text);
    let show = |p: Result<Parsed, DataError>| match p {
        Ok(p) => show(&p, false),
        Err(e) => format!("{e:?}"),
    };
    let rel = Path::new(name);
    let fast = show(parse_with(id, text, rel, schema(), &sources, &mut Cells::default(), true));
    let slow = show(parse_with(id, text, rel, schema(), &sources, &mut Cells::default(), false));
    (fast, slow)
}

fn same(name: &str, text: &str) {
    let (fast, slow) = both(name, text);
    assert_eq!(fast, slow, "{name}:\n{text}");
}

#[test]
fn fast_rows_read_like_the_general_path() {
    // Plain rows, lists (shared and not), dotted object keys, kinds with and without ids.
    same(
        "person.csv",
        "id,name,unit,roles,joined,level,mentor\nP1,马杰,U1,董事,2018-11-18,,\nP2, 赵 ,U1,运营经理;运营专员,2020-10-12,高级,P1\nP3,李,U1,运营经理;运营专员,2020-10-12,新人,P2\n",
    );
    same(
        "appraisal.csv",
        "id,person,cycle,scores.上级评价,scores.同事评价,scores.自我评价,scores.数据分析,total,improvement_plan\nA1,P1,2026-05,96,67,82,81,84.3,\nA2,P1,2026-06,87,94,96,85,88.7,3\n",
    );
    same(
        "coaching.csv",
        "mentor,mentee,date,kind,notes\nP1,P2,2026-05-04,周辅导,1页学习笔记\nP1,P2,2026-05-11,周辅导,\n",
    );
    same("grant.csv", "id,person,dataset,ops,view\nG1,P1,*,查看;修改;删除,raw\nG2,P1,D1,查看;;,masked\n");
    // Rows the general path must report: a bad date, a bad number, a missing required field,
    // an enum value not in the set, a missing object key, an empty list.
    same(
        "person.csv",
        "id,name,unit,roles,joined,level,mentor\nP1,马杰,U1,董事,2018-13-18,,\n,无编号,U1,董事,2018-11-18,,\nP3,李,,,2020-10-12,特级,\nP4,王,U1,;,2020-10-12,,\n",
    );
    same(
        "appraisal.csv",
        "id,person,cycle,scores.上级评价,scores.同事评价,scores.自我评价,scores.数据分析,total\nA1,P1,2026-05,96,,82,81,84.3\nA2,P1,2026-06,x,94,96,85,88.7\nA3,P1,2026-06,,,,,1\n",
    );
    // Lists of objects, one `;`-separated item per object in each key's column: whole, with
    // an optional key left out of an item, and (reported) with a required key missing from
    // an item, a key given for more items than the others, an item that does not parse.
    let change =
        "id,title,tier,author,submitted,golive,approvals.by,approvals.role,approvals.date,approvals.decision\n";
    same(
        "change.csv",
        &format!(
            "{change}C1,t,重大改革,P1,2026-05-01,,P2;P3,运营总监;技术总监,2026-05-02;2026-05-03,approve;reject\nC2,t,日常优化,P1,2026-05-01,2026-05-09,P2,运营经理,2026-05-02,approve\nC3,t,日常优化,P1,2026-05-01,,,,,\n"
        ),
    );
    same(
        "change.csv",
        &format!(
            "{change}C1,t,重大改革,P1,2026-05-01,,P2;P3,运营总监,2026-05-02;2026-05-03,approve;reject\nC2,t,日常优化,P1,2026-05-01,,P2;,运营经理;x,2026-05-02;2026-05-02,approve;approve\nC3,t,日常优化,P1,2026-05-01,,P2,运营经理,2026-05-32,approve\nC4,t,日常优化,P1,2026-05-01,,P2,运营经理,2026-05-02;2026-05-03,approve\n"
        ),
    );
    same(
        "change.csv",
        "id,title,tier,author,submitted,approvals.by,approvals.date,approvals.decision,approvals.note\nC1,t,重大改革,P1,2026-05-01,P2,2026-05-02,approve,x\n",
    );
    // Undeclared columns and keys, a field given twice: the general path only.
    same("person.csv", "id,name,unit,roles,joined,wechat\nP1,马杰,U1,董事,2018-11-18,abc\n");
    same("appraisal.csv", "id,person,cycle,scores.其他,total\nA1,P1,2026-05,3,84.3\n");
    same("person.csv", "id,name,name,unit,roles,joined\nP1,马杰,,U1,董事,2018-11-18\nP2,,赵,U1,董事,2018-11-18\n");
    // Errors of the file itself.
    same("person.csv", "id,name\nP1\n");
    same("nosuchkind.csv", "a,b\n1,2\n");
    for f in walkdir::WalkDir::new("examples").into_iter().flatten() {
        let p = f.path();
        if p.extension().is_some_and(|x| x == "csv") && !p.components().any(|c| c.as_os_str() == "exports") {
            let text = std::fs::read_to_string(p).expect("example csv");
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            same(name, &text);
        }
    }
}

#[test]
fn lists_of_objects_read_like_toml() {
    let toml = "[[change]]\nid = \"C1\"\ntitle = \"t\"\ntier = \"重大改革\"\nauthor = \"P1\"\nsubmitted = 2026-05-01\napprovals = [\n  { by = \"P2\", role = \"运营总监\", date = 2026-05-02, decision = \"approve\" },\n  { by = \"P3\", role = \"技术总监\", date = 2026-05-03, decision = \"reject\" },\n]\n";
    let csv = "id,title,tier,author,submitted,golive,approvals.by,approvals.role,approvals.date,approvals.decision\nC1,t,重大改革,P1,2026-05-01,,P2;P3,运营总监;技术总监,2026-05-02;2026-05-03,approve;reject\n";
    let mut sources = SourceMap::default();
    let (t, c) = (sources.add("change.toml", toml), sources.add("change.csv", csv));
    let fields = |p: Result<Parsed, DataError>| -> Vec<String> {
        let p = p.expect("parses");
        assert!(p.issues.is_empty(), "{:?}", p.issues);
        p.kinds.iter().flat_map(|d| d.iter().map(|r| format!("{:?} {:?}", r.id, r.fields))).collect()
    };
    let from_toml = fields(super::super::toml_file::parse(t, toml, schema(), &sources, &mut Default::default()));
    let from_csv = fields(parse(c, csv, Path::new("change.csv"), schema(), &sources, &mut Cells::default()));
    assert_eq!(from_toml.len(), 1);
    assert!(from_toml[0].contains("approve") && from_toml[0].contains("P3"), "{from_toml:?}");
    assert_eq!(from_csv, from_toml);
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("P1".to_string()),
        Just("2026-05-04".to_string()),
        Just("2026-02-30".to_string()),
        Just("85.5".to_string()),
        Just("12%".to_string()),
        Just("新人".to_string()),
        Just("运营经理;运营专员".to_string()),
        Just(" ; ".to_string()),
        Just("\"a,b\"".to_string()),
        "[a-z0-9 ;.-]{0,8}",
    ]
}

proptest! {
    #[test]
    fn fast_and_general_paths_agree(
        kind in prop_oneof![Just("person"), Just("appraisal"), Just("grant"), Just("coaching"), Just("training"), Just("change")],
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 9), 0..6),
    ) {
        let header = match kind {
            "person" => "id,name,unit,roles,joined,level,mentor,left,mobile",
            "appraisal" => "id,person,cycle,scores.上级评价,scores.同事评价,scores.自我评价,scores.数据分析,total,improvement_plan",
            "grant" => "id,person,dataset,ops,view,expires,granted,by,reason",
            "coaching" => "mentor,mentee,date,kind,notes,a.b,c,d,e",
            "change" => "id,tier,author,submitted,approvals.by,approvals.role,approvals.date,approvals.decision,title",
            _ => "id,topic,level,date,attendees,assessment,x,y,z",
        };
        let mut text = format!("{header}\n");
        for r in &rows {
            text.push_str(&r.join(","));
            text.push('\n');
        }
        let (fast, slow) = both(&format!("{kind}.csv"), &text);
        prop_assert_eq!(fast, slow);
    }
}

/// The records' undeclared fields and the findings' columns, as text to compare.
fn extras_and_columns(name: &str, text: &str) -> String {
    let mut sources = SourceMap::default();
    let id = sources.add(name, text);
    let p = parse(id, text, Path::new(name), schema(), &sources, &mut Cells::default()).expect("parses");
    let mut out = String::new();
    for r in p.kinds.iter().flat_map(|d| d.iter()) {
        out.push_str(&format!("{:?}: {:?}\n", r.id, r.extra));
    }
    for f in &p.issues {
        let l = f.location.as_ref().expect("located");
        out.push_str(&format!("{} {:?} {}:{}\n", f.code, l.field, l.line, l.column));
    }
    out
}

#[test]
fn undeclared_columns_keep_their_order_and_merging() {
    // Undeclared columns: a name given twice is kept twice; dotted ones (`x.a`, `x.b`) make one
    // object, merged into the first `x` of the row (which a plain `x` before them may be, and
    // an empty cell is not); a mistyped field's finding names its first column.
    let text = "id,name,unit,x,roles,x.a,joined,y,x.b,y,z.a,level,z.b,level\n\
                P1,马,U1,1,董事,2,2018-11-18,3,4,5,6,高级,7,特级\n\
                P2,李,U1,,董事,2,2018-13-18,,4,5,,,7,\n\
                P3,王,U1,,董事,,2018-11-18,,,,,,,\n";
    let expected = r#"Some("P1"): [("x", Object(Object { fields: [("a", Str("2")), ("b", Str("4"))] })), ("y", Str("3")), ("y", Str("5")), ("z", Object(Object { fields: [("a", Str("6")), ("b", Str("7"))] }))]
Some("P2"): [("x", Object(Object { fields: [("a", Str("2")), ("b", Str("4"))] })), ("y", Str("5")), ("z", Object(Object { fields: [("b", Str("7"))] }))]
Some("P3"): []
DATA-TYPE Some("level") 2:12
DATA-TYPE Some("joined") 3:7
"#;
    assert_eq!(extras_and_columns("person.csv", text), expected);
}
