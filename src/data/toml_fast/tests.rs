//! Tests of the parent module.

use super::super::toml_file;
use super::*;
use proptest::prelude::*;

use super::super::tests::{schema, show};

/// The fast path's records and findings, or `None`; and the document parser's.
fn both(text: &str) -> (Option<String>, String) {
    let mut sources = SourceMap::default();
    let id = sources.add("t.toml", text);
    // Files are merged per kind and findings sorted, so only the order within a kind counts.
    let show = |p: &Parsed| show(p, true);
    let fast = parse(id, text, schema(), &sources, &mut Strings::default()).map(|p| show(&p));
    // Split before every `[[` line, the same records come out, unless a piece ends inside a
    // value, and then the file goes to the document parser.
    let tiny = parse_in_pieces(id, text, schema(), &sources, &mut Strings::default(), 1).map(|p| show(&p));
    assert!(tiny.is_none() || tiny == fast, "pieces differ: {text}");
    let slow = toml_file::parse_document(id, text, schema(), &sources, &mut Default::default())
        .map_or_else(|e| format!("{e:?}"), |p| show(&p));
    (fast, slow)
}

fn same(text: &str) {
    let (fast, slow) = both(text);
    assert_eq!(fast.as_deref(), Some(slow.as_str()), "{text}");
}

fn falls_back(text: &str) {
    assert_eq!(both(text).0, None, "{text}");
}

#[test]
fn reads_record_files_like_the_document_parser() {
    same("");
    same("# only a comment\n");
    same(concat!(
        "[[person]]\nid = \"P1\" # trailing comment\nname = '李 \\ 四'\nunit = \"U1\"\nroles = [\"运营经理\", \"运营专员\",]\n",
        "joined = 2024-01-01\nleft = 2026-05-31T18:00:00+08:00\nlevel = \"高级\"\nextra_field = { a = 1, \"b c\" = [1.5, 2_000, 0x1F] }\n\n",
        "[[unit]]\nid = \"U1\"\nname = \"运营部\"\ntype = \"dept\"\n\n",
        "  [[ person ]]\nid = \"P2\"\nname = \"\"\"多行\n名字\"\"\"\nunit = \"U1\"\nroles = []\njoined = \"2024-02-30\"\n",
        "[[appraisal]]\nid = \"A1\"\nperson = \"P1\"\ncycle = \"2026-05\"\ntotal = 85.5\nscores = { \"上级评价\" = 72, \"同事评价\" = 95 }\n",
        "[[change]]\nid = \"C1\"\ntitle = \"t\"\ntier = \"日常优化\"\nauthor = \"P1\"\nsubmitted = 2026-03-16\napprovals = [\n  { by = \"P2\", role = \"运营经理\", date = 2026-03-17, decision = \"approve\" },\n]\n",
        "[[person]]\nid = \"P1\"\nname = \"重复\"\nunit = \"U9\"\nroles = [\"不存在的岗位\"]\njoined = 1979-05-27T07:32:00Z\nactive = true\nscore = -1e3\n",
    ));
    // Undeclared keys, sorted by name; one name in two records is no duplicate.
    same("[[person]]\nid = \"P1\"\nz = 1\nx = { b = 1, a = 2 }\ny = 3\n[[person]]\nid = \"P2\"\nx = 1\n");
    for f in std::fs::read_dir("examples/acme").expect("acme").flatten() {
        let path = f.path();
        if path.extension().is_some_and(|x| x == "toml") && !path.ends_with("zhidu.toml") {
            let text = std::fs::read_to_string(&path).expect("read");
            let (fast, slow) = both(&text);
            assert_eq!(fast.as_deref(), Some(slow.as_str()), "{}", path.display());
        }
    }
}

#[test]
fn repeated_short_lists_share_one_allocation() {
    let long = format!("[\"{}\"]", "长".repeat(30));
    let text = format!(
        "[[person]]\nid = \"P1\"\nroles = [\"运营专员\", \"运营经理\"]\ntags = {long}\n\
         [[person]]\nid = \"P2\"\nroles = [\"运营专员\", \"运营经理\"]\ntags = {long}\n\
         [[person]]\nid = \"P3\"\nroles = [\"运营专员\"]\n"
    );
    let mut sources = SourceMap::default();
    let id = sources.add("t.toml", text.as_str());
    let mut parsed = parse(id, &text, schema(), &sources, &mut Strings::default()).expect("fast path");
    let person = schema().id("person").expect("person");
    let roles = schema().kind(person).slot("roles").expect("roles");
    let data = parsed.kind(person);
    let list = |i: usize, slot: usize| data.field(i, slot).and_then(Value::as_list).map(<[Value]>::as_ptr);
    assert!(list(0, roles).is_some());
    assert_eq!(list(0, roles), list(1, roles), "equal short lists are one allocation");
    assert_ne!(list(0, roles), list(2, roles));
    // `tags` is undeclared: kept with the record; a list over 64 bytes is not shared.
    let (a, b) = (data.get(0).expect("P1"), data.get(1).expect("P2"));
    let extra = |r: &crate::base::store::Rec| {
        r.named(schema().kind(person).slot("tags"), "tags").and_then(Value::as_list).map(<[Value]>::as_ptr)
    };
    assert!(extra(&a).is_some() && extra(&a) != extra(&b), "a list over 64 bytes is its own");
}

#[test]
fn pieces_end_before_array_table_lines() {
    let text = "[[a]]\nx = 1\n[[b]]\ny = \"\"\"\n[[c]]\n\"\"\"\n[[d]]\n";
    let got: Vec<_> = pieces(text, 1).collect();
    assert_eq!(got, [(0, "[[a]]\nx = 1\n"), (12, "[[b]]\ny = \"\"\"\n"), (26, "[[c]]\n\"\"\"\n"), (36, "[[d]]\n")]);
    assert_eq!(pieces(text, 1000).collect::<Vec<_>>(), [(0, text)]);
    assert_eq!(pieces("", 1).count(), 0);
    // A multi-line string with a `[[` line: read whole, or left to the document parser.
    same("[[person]]\nid = \"P1\"\nname = \"\"\"a\n[[person]]\nb\"\"\"\n[[person]]\nid = \"P2\"\n");
    let mut sources = SourceMap::default();
    let text = "[[person]]\nid = \"P1\"\nname = \"\"\"a\n[[person]]\nb\"\"\"\n";
    let id = sources.add("t.toml", text);
    assert!(parse_in_pieces(id, text, schema(), &sources, &mut Strings::default(), 1).is_none());
}

#[test]
fn leaves_other_shapes_to_the_document_parser() {
    falls_back("[person]\nid = \"P1\"\n");
    falls_back("[[person]]\nid = \"P1\"\nid = \"P2\"\n");
    falls_back("[[person]]\nname.first = \"a\"\n");
    falls_back("[[person.sub]]\nid = \"P1\"\n");
    falls_back("[[nosuchkind]]\nid = \"P1\"\n");
    falls_back("id = \"P1\"\n");
    falls_back("[[person]]\nextra = { a = 1, a = 2 }\n");
    // Duplicates found once the keys are sorted, wherever they are: apart, in the last record.
    falls_back("[[person]]\nextra = { a = 1, b = 2, a = 3 }\n");
    falls_back("[[person]]\nx = 1\ny = 2\nx = 3\n[[person]]\nid = \"P2\"\n");
    falls_back("[[person]]\nid = \"P1\"\n[[person]]\nx = 1\ny = 2\nx = 3\n");
    falls_back("[[person]]\nid = \n");
    falls_back("[[person]]\nid = \"unterminated\n");
    falls_back("[[person]]\njoined = 2024-13-45\n");
    falls_back("[[person]]\nid = \"P1\"\n[[people]]\nid = \"P2\"\n");
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 _\\-运营部门\\\\\"]{0,12}".prop_map(|s| format!("{s:?}")),
        "[a-z运营 ]{0,8}".prop_map(|s| format!("'{s}'")),
        any::<i32>().prop_map(|i| i.to_string()),
        (-1000.0f64..1000.0).prop_map(|f| format!("{f:.3}")),
        any::<bool>().prop_map(|b| b.to_string()),
        (2000u16..2040, 1u8..13, 1u8..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        Just("2026-03-01T09:30:00+08:00".to_string()),
    ]
}

fn value() -> impl Strategy<Value = String> {
    scalar().prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(("[a-z]{1,3}", inner), 0..3).prop_map(|kv| {
                let mut seen = std::collections::HashSet::new();
                let body: Vec<String> =
                    kv.into_iter().filter(|(k, _)| seen.insert(k.clone())).map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", body.join(", "))
            }),
        ]
    })
}

proptest! {
    /// Any record file the fast path accepts reads exactly as through the document parser.
    #[test]
    fn agrees_with_the_document_parser(records in prop::collection::vec(
        (prop::sample::select(vec!["person", "unit", "grant", "appraisal", "change"]),
         prop::collection::vec((prop::sample::select(vec!["id", "name", "unit", "roles", "joined", "left", "level", "x", "total", "scores", "person"]), value()), 0..6)),
        0..5)) {
        let mut text = String::new();
        for (kind, fields) in &records {
            text.push_str(&format!("[[{kind}]]\n"));
            for (k, v) in fields {
                text.push_str(&format!("{k} = {v}\n"));
            }
            text.push('\n');
        }
        let (fast, slow) = both(&text);
        if let Some(fast) = fast {
            prop_assert_eq!(fast, slow, "{}", text);
        } else {
            // Only files with a repeated key (or another shape the fast path leaves) fall back.
            let repeated = records.iter().any(|(_, f)| {
                let mut seen = std::collections::HashSet::new();
                !f.iter().all(|(k, _)| seen.insert(*k))
            });
            prop_assert!(repeated || slow.contains("Toml"), "fell back on {}", text);
        }
    }
}
