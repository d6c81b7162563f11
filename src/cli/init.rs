//! `zhidu init [DIR]`: a working org dir for a new company — `zhidu.toml`, a policy overlay
//! over the built-in pack, one commented template per record kind (TOML; CSV with the header
//! row for the kinds a CSV can hold), `exports/` and a README saying what to fill in first.
//!
//! Everything is generated from the built-in pack's schema and declarations: no kind, field,
//! role or rule is named here. Existing files are never overwritten.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{EXIT_ERROR, EXIT_OK, load_or_report};
use crate::policy::types::{FieldType, Type};
use crate::policy::{KindSchema, Policy};

/// Runs the command; returns the exit code.
pub fn run(dir: &Path, force: bool, color: bool) -> u8 {
    if dir.exists() && !dir.is_dir() {
        errln!("error: `{}` is not a directory; give a new or empty directory", dir.display());
        return EXIT_ERROR;
    }
    let non_empty = std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(false);
    if non_empty && !force {
        errln!(
            "error: `{}` is not empty; give a new or empty directory, or `--force` to add the files that are missing (none is overwritten)",
            dir.display()
        );
        return EXIT_ERROR;
    }
    let policy = match load_or_report(None, color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let name = std::path::absolute(dir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "company".into());
    let today = jiff::Zoned::now().date();
    let files = files(&policy, &name, today);
    let mut written = 0;
    let mut kept = Vec::new();
    for dir in [dir.to_path_buf(), dir.join("policy"), dir.join("exports")] {
        if let Err(e) = std::fs::create_dir_all(&dir) {
            errln!("error: cannot create `{}`: {e}", dir.display());
            return EXIT_ERROR;
        }
    }
    for (rel, text) in &files {
        let path: PathBuf = dir.join(rel);
        if std::fs::symlink_metadata(&path).is_ok() {
            kept.push(rel.clone());
            continue;
        }
        if let Err(e) = crate::base::files::write_atomic(&path, text.as_bytes()) {
            errln!("error: cannot write `{}`: {e}", path.display());
            return EXIT_ERROR;
        }
        written += 1;
    }
    for k in &kept {
        errln!("kept `{}` (already there; not overwritten)", dir.join(k).display());
    }
    errln!(
        "created {written} file(s) in `{}`; read its README.md, then run `zhidu check {}`",
        dir.display(),
        dir.display()
    );
    EXIT_OK
}

/// Every file of a new org dir, by path relative to it.
fn files(policy: &Policy, name: &str, today: jiff::civil::Date) -> Vec<(String, String)> {
    let (from, to) = crate::data::config::default_period(today);
    let mut out = vec![
        (
            "zhidu.toml".to_string(),
            format!(
                "# 组织信息、检查日期与审计期间（zhidu init 生成）\n\n[org]\nname = {}\nas_of = {today}\nperiod = {{ from = {from}, to = {to} }}\n# 本公司的制度：在内置制度包之上的补充与调整（见 policy/main.zd）\npolicy = \"policy\"\n",
                toml_str(name)
            ),
        ),
        ("policy/main.zd".to_string(), overlay(policy)),
        ("exports/.gitkeep".to_string(), String::new()),
    ];
    let mut starter_done = false;
    for (_, ks) in policy.schema.record_kinds().filter(|(_, k)| k.stream.is_none()) {
        let starter = if starter_done { None } else { starter(ks, name) };
        starter_done |= starter.is_some();
        out.push((format!("{}.toml", ks.name), toml_template(policy, ks, starter.as_deref())));
        if let Some(header) = csv_header(ks) {
            out.push((format!("{}.csv", ks.name), format!("{header}\n")));
        }
    }
    out.push(("README.md".into(), readme(policy, name)));
    out
}

/// A TOML string literal.
fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The overlay's `main.zd`: `extends "builtin"` and commented examples taken from the pack.
fn overlay(policy: &Policy) -> String {
    let first = |kind: &str| -> Option<String> {
        let r = *policy.decls_of(kind).first()?;
        policy.decls.get(r)?.id_str().map(str::to_string)
    };
    let role = first("role").unwrap_or_else(|| "岗位".into());
    let unit = policy
        .decls_of("role")
        .first()
        .and_then(|r| policy.decl_field(*r, "unit"))
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "单位".into());
    let (param, value) = policy
        .params
        .first()
        .map(|p| (p.name.clone(), p.value.to_string()))
        .unwrap_or_else(|| ("参数".into(), "1 day".into()));
    let rule = policy.rules.iter().find(|r| !r.checks.is_empty()).map_or("RULE-1", |r| r.id.as_str());
    format!(
        "# 本公司制度：在 zhidu 内置制度包之上的补充与调整（overlay）。\n\
         # 只写与内置制度不同之处；`zhidu lint` 列出全部调整，手册附录“本公司补充与调整条款”逐条对照。\n\
         extends \"builtin\"\n\
         \n\
         # 增加岗位（与职责）：\n\
         # duty 新职责 {{\n\
         #   area   \"{unit}\"\n\
         #   source \"本公司\"\n\
         #   text   \"……\"\n\
         # }}\n\
         # role 新岗位 {{\n\
         #   unit   {unit}\n\
         #   duties 新职责\n\
         #   source \"本公司\"\n\
         # }}\n\
         # （内置岗位如 {role}，见 `zhidu render handbook`。）\n\
         \n\
         # 调整参数（只替换写出的属性）：\n\
         # override param {param} {{ value {value} }}\n\
         \n\
         # 停用一条规则（须写明理由）：\n\
         # disable rule {rule} {{\n\
         #   reason      \"……\"\n\
         #   approved_by \"……\"\n\
         # }}\n"
    )
}

/// The type of a field as written in the pack, and the words it accepts (if a closed set).
fn describe(policy: &Policy, ty: &Type) -> (String, Vec<String>) {
    let words = match ty {
        Type::Enum(w) => w.to_vec(),
        Type::Name(kind) => names(policy, kind),
        Type::List(inner) => return (policy.schema.show(ty), describe(policy, inner).1),
        _ => Vec::new(),
    };
    (policy.schema.show(ty), words)
}

/// The names of the declarations of a kind.
fn names(policy: &Policy, kind: &str) -> Vec<String> {
    policy.decls_of(kind).iter().filter_map(|r| policy.decls.get(*r)?.id_str().map(str::to_string)).collect()
}

/// One comment line per field: name, type, required or not, description and valid words.
fn field_lines(policy: &Policy, fields: &[FieldType], prefix: &str, out: &mut String) {
    for f in fields {
        let (ty, words) = describe(policy, &f.ty);
        let need = if f.optional { "可选 optional" } else { "必填 required" };
        let doc = f.doc.as_deref().map(|d| format!("：{d}")).unwrap_or_default();
        let _ = writeln!(out, "#   {prefix}{:<14} {ty}，{need}{doc}", f.name);
        if !words.is_empty() {
            let _ = writeln!(out, "#   {prefix}{:<14}   取值 valid: {}", "", words.join("、"));
        }
        let sub = match &f.ty {
            Type::Object(sub) => Some(sub),
            Type::List(inner) => match inner.as_ref() {
                Type::Object(sub) => Some(sub),
                _ => None,
            },
            _ => None,
        };
        if let Some(sub) = sub {
            field_lines(policy, sub, &format!("{prefix}{}.", f.name), out);
        }
    }
}

/// A TOML template of a kind: every field commented, an empty example table, and the starter
/// record if this kind holds it.
fn toml_template(policy: &Policy, ks: &KindSchema, starter: Option<&str>) -> String {
    let mut out = String::new();
    let title = ks.title.as_deref().unwrap_or(&ks.name);
    let _ = writeln!(out, "# {title}（{}）：每条记录一个 [[{}]] 表。", ks.name, ks.name);
    let _ = writeln!(out, "# 字段 fields:");
    field_lines(policy, &ks.fields, "", &mut out);
    let _ = writeln!(out, "#\n# [[{}]]", ks.name);
    for f in ks.fields.iter().filter(|f| !f.optional) {
        let _ = writeln!(out, "# {} = …", f.name);
    }
    if let Some(s) = starter {
        let _ = writeln!(out, "\n# 示例记录（zhidu init 生成）：请改为本公司的实际数据。\n{s}");
    }
    out
}

/// A first record of a kind whose required fields are all text or closed choices (so a fresh
/// org dir has data and `zhidu check` runs): the org's name for `name`, the first valid word
/// for a choice. `None` if the kind needs anything else.
fn starter(ks: &KindSchema, org: &str) -> Option<String> {
    let mut out = format!("[[{}]]\n", ks.name);
    for f in ks.fields.iter().filter(|f| !f.optional) {
        let v = match &f.ty {
            Type::Str if f.name == "id" => toml_str(&format!("{}-1", ks.name)),
            Type::Str => toml_str(org),
            Type::Enum(w) => toml_str(w.first()?),
            _ => return None,
        };
        let _ = writeln!(out, "{} = {v}", f.name);
    }
    Some(out)
}

/// The header row of a kind's CSV (objects as dotted columns), if a CSV can hold every field.
fn csv_header(ks: &KindSchema) -> Option<String> {
    let scalar = |t: &Type| !matches!(t, Type::Object(_) | Type::List(_) | Type::Record(_));
    let mut cols = Vec::new();
    for f in &ks.fields {
        match &f.ty {
            Type::Object(sub) if sub.iter().all(|s| scalar(&s.ty)) => {
                cols.extend(sub.iter().map(|s| format!("{}.{}", f.name, s.name)));
            }
            Type::List(inner) if scalar(inner) => cols.push(f.name.clone()),
            t if scalar(t) => cols.push(f.name.clone()),
            _ => return None,
        }
    }
    Some(cols.join(","))
}

/// What to fill in first.
fn readme(policy: &Policy, name: &str) -> String {
    let mut out = format!(
        "# {name}：zhidu 组织数据\n\n\
         由 `zhidu init` 生成。按下列顺序填写，每步之后运行 `zhidu check`：\n\n\
         1. `zhidu.toml`：公司名称、检查日期（as_of）与审计期间（period）。\n\
         2. 记录文件，按此顺序（后面的记录引用前面的）：\n"
    );
    for (_, ks) in policy.schema.record_kinds().filter(|(_, k)| k.stream.is_none()) {
        let title = ks.title.as_deref().unwrap_or(&ks.name);
        let _ = writeln!(out, "   - `{0}.toml`（或 `{0}.csv`）：{title}", ks.name);
    }
    out.push_str(
        "\n   每个 TOML 模板的注释列出全部字段、类型与可选取值；CSV 模板只有表头（列表用 `;` 分隔）。\n\
         同一种记录写在 TOML 或 CSV 中均可，不要两处重复。\n\
         3. `exports/`：放入需检查脱敏的数据导出（CSV）。\n\
         4. `policy/main.zd`：本公司与内置制度不同之处（增加岗位、调整参数、停用规则），\n\
         `zhidu lint` 检查并列出全部调整。\n\n\
         之后：`zhidu render handbook -o handbook/` 生成本公司手册，`zhidu report -o report.html` 生成审计报告。\n",
    );
    out
}
