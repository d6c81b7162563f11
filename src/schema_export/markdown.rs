//! `zhidu schema --format md`: the data reference (`docs/data.md`) made from the pack's schema —
//! every record kind, its fields and types, the words of every vocabulary, the CSV conventions
//! and an example record per kind. Made, never written by hand, so it cannot drift from the pack.

use std::fmt::Write as _;

use crate::policy::types::{FieldType, Type};
use crate::policy::{KindSchema, Policy, Schema};

/// The data reference of a pack, in Markdown.
pub fn markdown(policy: &Policy) -> String {
    let schema = &policy.schema;
    let mut out = String::new();
    let _ = writeln!(out, "# 组织数据参考 / org data reference\n");
    let _ = writeln!(
        out,
        "<!-- 由 `zhidu schema --format md` 从制度包 {} {} 的 schema 生成，请勿手工修改。 -->\n",
        policy.meta.name, policy.meta.version
    );
    out.push_str(INTRO);
    let _ = writeln!(out, "## 记录种类 / record kinds\n");
    let _ = writeln!(out, "| 种类 kind | 名称 | 文件名（表名）| 说明 |");
    let _ = writeln!(out, "|---|---|---|---|");
    for (_, k) in schema.record_kinds() {
        let names: Vec<String> =
            std::iter::once(k.name.as_str()).chain(k.aliases.iter().map(String::as_str)).map(code).collect();
        let note = match (&k.stream, k.open) {
            (Some(dir), _) => format!("流式：`{dir}/` 下的 CSV 与工作簿逐单元格读取"),
            (None, true) => "open：可带未声明的字段".to_string(),
            (None, false) => String::new(),
        };
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} | {note} |",
            k.name,
            k.name,
            cell(k.title.as_deref().unwrap_or("")),
            names.join("、")
        );
    }
    out.push('\n');
    for (_, k) in schema.record_kinds() {
        kind(&mut out, schema, k);
    }
    vocabularies(&mut out, schema);
    out
}

const INTRO: &str = "\
组织数据是组织目录（org dir）下的 `*.toml`、`*.csv` 与工作簿（`*.xlsx`、`*.xls`、`*.ods`）文件：TOML 文件中每个表数组
`[[kind]]` 是一种记录，CSV 文件以文件名（不含扩展名）为记录种类，第一行为表头；工作簿中以记录种类命名的
工作表按 CSV 读取。`zhidu.toml` 写组织名称、`as_of` 与审计期间。

Org data are the `*.toml`, `*.csv` and workbook (`*.xlsx`, `*.xls`, `*.ods`) files of an org dir: each array of tables
`[[kind]]` of a TOML file is one record kind; a CSV file is named after its kind and starts with a
header row; a workbook's sheet named after a kind is read as a CSV file of that kind.

### 读取规则 / how data is read

- **未声明的字段**：种类未声明的字段报告为 `DATA-FIELD`（警告，附“是否应为”），不被任何规则读取；
  声明为 open 的种类除外。没有 `id` 字段的种类可带一个 `id` 列作为行标签（不读取）。
- **词表字段**：类型为“词表”的字段，取值须为制度包所声明的名称（见文末各词表）。取值不在词表中报告为
  `DATA-VOCAB`（错误，附“是否应为”与可用取值；同一取值只报告一次，并给出记录数与前几处位置），
  读取该字段的规则对这些记录不作评估（`check` 的汇总中列出“未评估”的数目）。
- **必填字段**：缺少报告为 `DATA-MISSING`；类型不符报告为 `DATA-TYPE`；引用不存在的记录报告为 `DATA-REF`；
  同一种类编号重复报告为 `DATA-DUP`。
- **日期** 写作 `2026-03-01`（TOML 日期或字符串，CSV 中也可写 `2026/3/1`）；**日期时间** 带时区
  （`2026-03-01T09:30:00+08:00`）；**百分比** 写作 `20%` 或 0–100 的数；**时长** 写作 `3 months`、`4h`、`2 weeks`。

### CSV 约定 / CSV conventions

- 第一行是表头，每列一个字段；列名即字段名（区分大小写）。UTF-8 编码，可带 BOM。
- **列表**字段在一个单元格中以 `;` 分隔：`运营专员;数据分析员`。
- **表**字段（如审批记录）以带点的表头写出各子字段：`approvals.by`、`approvals.role`、`approvals.date`；
  表的列表在同一单元格中以 `;` 分隔各项，各列的项按位置对应。
- 空单元格即未填写。

### Excel 工作簿 / workbooks

- 以记录种类（或其别名）命名的工作表（如 `person`）按上述 CSV 约定读取：首个有值的行为表头，表头与列表
  写法相同；空行跳过。只有一个有数据的工作表时，也可以文件名为种类（`person.xlsx` 中的 `Sheet1`）。
- 有数据而不以记录种类命名的工作表报告为 `DATA-KIND`（附“是否应为”），其数据未被读取；空工作表忽略。
- 单元格按显示的值读取：**日期**格式的单元格读作日期（`2026-03-01`），也可写成文本；整数不带小数点；
  **公式**取其计算结果（工作簿须在表格软件中保存过）；**合并单元格**的值属于合并区域的每个单元格。
- 问题定位到单元格：`people.xlsx:person!C12`（JSON 与 SARIF 中为文件、`sheet`、行与列）。
- 含错误值（`#DIV/0!`）的单元格、没有计算结果的公式、损坏的工作簿或超过 2 000 万个有值单元格的工作簿
  使检查停止（退出码 2），并指出位置。读取 `.xlsx`/`.xlsm`、`.xls`（Excel 97-2003）与 `.ods`；`.ods` 的合并
  单元格不展开（被合并的单元格为空，必填字段报告为缺失）。
- `exports/` 下的工作簿与 CSV 导出一样逐工作表、逐单元格由脱敏检查（MASK-2）扫描，问题定位到单元格。

";

fn kind(out: &mut String, schema: &Schema, k: &KindSchema) {
    let _ = writeln!(out, "## {}\n", k.name);
    if let Some(t) = &k.title {
        let _ = writeln!(out, "{t}。");
    }
    let files: Vec<String> = std::iter::once(&k.name).chain(&k.aliases).map(|n| format!("`{n}.csv`")).collect();
    let sheets: Vec<String> = std::iter::once(&k.name).chain(&k.aliases).map(|n| format!("`{n}`")).collect();
    match &k.stream {
        Some(dir) => {
            let _ =
                writeln!(out, "流式记录：检查时逐个读取 `{dir}/` 下 CSV 文件与工作簿的单元格，不由数据文件写出。\n");
        }
        None => {
            let _ = writeln!(
                out,
                "TOML 表名 `[[{}]]`；CSV 文件 {}；工作簿中的工作表 {}。",
                k.name,
                files.join("、"),
                sheets.join("、")
            );
            if k.open {
                let _ = writeln!(out, "本种类为 open：可带未声明的字段。");
            }
            out.push('\n');
        }
    }
    let _ = writeln!(out, "| 字段 field | 类型 type | 必填 | 说明 |");
    let _ = writeln!(out, "|---|---|---|---|");
    rows(out, schema, &k.fields, "");
    out.push('\n');
    if k.stream.is_none() {
        let _ = writeln!(out, "示例 / example:\n\n```toml\n[[{}]]", k.name);
        for f in &k.fields {
            let _ = writeln!(out, "{} = {}", f.name, example(schema, f, 0));
        }
        let _ = writeln!(out, "```\n");
    }
}

fn rows(out: &mut String, schema: &Schema, fields: &[FieldType], prefix: &str) {
    for f in fields {
        let name = format!("{prefix}{}", f.name);
        let doc = f.doc.as_deref().unwrap_or("");
        let secret = if f.secret { "（个人数据，不出现在提示中）" } else { "" };
        let _ = writeln!(
            out,
            "| `{name}` | {} | {} | {}{secret} |",
            type_words(schema, f),
            if f.optional { "" } else { "是" },
            cell(doc)
        );
        let mut t = &f.ty;
        while let Type::List(inner) = t {
            t = inner;
        }
        if let Type::Object(fs) = t {
            rows(out, schema, fs, &format!("{name}."));
        }
    }
}

/// A field's type in words; a vocabulary links to its words.
fn type_words(schema: &Schema, f: &FieldType) -> String {
    if let Some(key) = f.vocab_key() {
        let w = format!("词表 [{key}](#词表-{})", anchor(key));
        return if matches!(f.ty, Type::List(_)) { format!("列表（{w}）") } else { w };
    }
    let t = ty_words(schema, &f.ty);
    match &f.keys {
        Some(k) => {
            let when = k.when.as_ref().map(|(f, w)| format!("{} 为 {} 时", code(f), code(w))).unwrap_or_default();
            format!("{t}；{when}表的键取自词表 [{}](#词表-{})", k.vocab, anchor(&k.vocab))
        }
        None => t,
    }
}

fn ty_words(schema: &Schema, t: &Type) -> String {
    match t {
        Type::Str => "字符串".into(),
        Type::Int => "整数".into(),
        Type::Num => "数值".into(),
        Type::Percent => "百分比".into(),
        Type::Bool => "布尔（true/false）".into(),
        Type::Date => "日期".into(),
        Type::DateTime => "日期时间（带时区）".into(),
        Type::Duration => "时长".into(),
        Type::Target => "目标值（`>= 500`）".into(),
        Type::Enum(v) => format!("以下之一：{}", v.iter().map(|w| code(w)).collect::<Vec<_>>().join("、")),
        Type::Ref(k) => format!("[{}](#{}) 的编号", schema.kind(*k).name, schema.kind(*k).name),
        Type::List(inner) => format!("列表（{}）", ty_words(schema, inner)),
        Type::Object(_) => "表（子字段见下）".into(),
        Type::Any => "任意（表或值）".into(),
        other => schema.show(other),
    }
}

fn vocabularies(out: &mut String, schema: &Schema) {
    let _ = writeln!(out, "## 词表 / vocabularies\n");
    let _ = writeln!(
        out,
        "词表字段的可用取值由制度包声明；下表按制度包当前版本列出。`ref role` 即制度所定岗位（`role` 声明）；\
`ref sop(名称).step` 即该流程的步骤名称；`ref cadence(名称, …).kind` 即所列周期事项的事项名称；\
`ref enum(名称).values` 即该词表所列的取值；以 `|` 连接的多个来源取其全部取值。\
岗位等声明的名称不在词表中时，在制度包中声明该名称（如声明该岗位 role）。\n"
    );
    let mut keys: Vec<&String> = schema.vocab.keys().collect();
    keys.sort();
    for key in keys {
        let words = schema.vocab.get(key.as_str()).map_or(&[][..], |w| &w[..]);
        let used: Vec<String> = schema.record_kinds().flat_map(|(_, k)| fields_with(&k.fields, key, &k.name)).collect();
        let _ = writeln!(out, "### 词表 {key}\n");
        let _ = writeln!(out, "用于：{}\n", used.join("、"));
        let _ = writeln!(out, "{}\n", words.iter().map(|w| code(w)).collect::<Vec<_>>().join("、"));
    }
}

/// The dotted paths of the fields of a kind that take words of `key` (as code), and of the
/// tables whose keys do.
fn fields_with(fields: &[FieldType], key: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for f in fields {
        let path = format!("{prefix}.{}", f.name);
        if f.vocab_key() == Some(key) {
            out.push(code(&path));
        }
        if f.keys.as_ref().is_some_and(|k| k.vocab == key) {
            out.push(format!("{} 的键", code(&path)));
        }
        let mut t = &f.ty;
        while let Type::List(inner) = t {
            t = inner;
        }
        if let Type::Object(fs) = t {
            out.extend(fields_with(fs, key, &path));
        }
    }
    out
}

/// An example value of a field, as TOML.
fn example(schema: &Schema, f: &FieldType, depth: usize) -> String {
    if let Some(w) = f.vocab_key().and_then(|k| schema.vocab.get(k)).and_then(|w| w.first()) {
        let s = format!("\"{w}\"");
        return if matches!(f.ty, Type::List(_)) { format!("[{s}]") } else { s };
    }
    example_of(schema, &f.ty, &f.name, depth)
}

fn example_of(schema: &Schema, t: &Type, name: &str, depth: usize) -> String {
    match t {
        Type::Str | Type::Name(_) => format!("\"{}\"", if name == "id" { "X-001" } else { "…" }),
        Type::Int => "1".into(),
        Type::Num => "80".into(),
        Type::Percent => "\"20%\"".into(),
        Type::Bool => "true".into(),
        Type::Date => "2026-03-01".into(),
        Type::DateTime => "2026-03-01T09:30:00+08:00".into(),
        Type::Duration => "\"3 months\"".into(),
        Type::Target => "\">= 500\"".into(),
        Type::Enum(v) => format!("\"{}\"", v.first().map_or("", String::as_str)),
        Type::Ref(k) => format!("\"{}-001\"", schema.kind(*k).name.to_uppercase()),
        Type::List(inner) => format!("[{}]", example_of(schema, inner, name, depth + 1)),
        Type::Object(fs) if depth < 3 => {
            let parts: Vec<String> =
                fs.iter().map(|f| format!("{} = {}", f.name, example(schema, f, depth + 1))).collect();
            format!("{{ {} }}", parts.join(", "))
        }
        _ => "{}".into(),
    }
}

fn code(s: &str) -> String {
    format!("`{s}`")
}

/// Text safe in a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A heading's anchor as GitHub makes it: lower case, spaces to `-`, punctuation dropped.
fn anchor(key: &str) -> String {
    key.chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}
