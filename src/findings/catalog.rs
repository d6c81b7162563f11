//! The built-in checks: data checks (`DATA-…`, schema validation of org records) and waiver
//! checks (`WAIVER-…`). They belong to the language (every pack declares a schema, every org
//! may write waivers), not to a regulation.

use crate::syntax::ast::Severity;

/// A built-in check: ID, severity, title.
pub struct BuiltinRule {
    /// ID.
    pub id: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Chinese title.
    pub title: &'static str,
    /// What it checks (also its English title).
    pub about: &'static str,
    /// What findings give as their source.
    pub source: &'static str,
}

/// Where the data checks' rules are written down (a finding's `source`).
const DATA_SOURCE: &str = "docs/data.md";

/// All data checks.
pub const DATA_RULES: &[BuiltinRule] = &[
    BuiltinRule {
        id: "DATA-KIND",
        // An error: data that was not read was not checked.
        severity: Severity::Error,
        title: "未知的数据类型",
        about: "a TOML table or CSV file names a record kind the policy does not declare",
        source: DATA_SOURCE,
    },
    BuiltinRule {
        id: "DATA-MISSING",
        severity: Severity::Error,
        title: "缺少必填字段",
        about: "a record lacks a field the schema requires",
        source: DATA_SOURCE,
    },
    BuiltinRule {
        id: "DATA-TYPE",
        severity: Severity::Error,
        title: "字段类型错误",
        about: "a field value does not have the declared type",
        source: DATA_SOURCE,
    },
    BuiltinRule {
        id: "DATA-DUP",
        severity: Severity::Error,
        title: "编号重复",
        about: "two records of one kind have the same id",
        source: DATA_SOURCE,
    },
    BuiltinRule {
        id: "DATA-REF",
        severity: Severity::Error,
        title: "引用不存在",
        about: "a reference names no record of the referenced kind",
        source: DATA_SOURCE,
    },
    BuiltinRule {
        id: "DATA-VOCAB",
        // An error: the rules that read the field cannot judge the record.
        severity: Severity::Error,
        title: "取值不在制度声明的词表中",
        about: "a field naming a declaration (a role, an approval tier, a step…) holds a word the policy does not declare",
        source: DATA_SOURCE,
    },
    BuiltinRule {
        id: "DATA-FIELD",
        // A warning: the record was read; only the undeclared field is ignored by every rule.
        severity: Severity::Warning,
        title: "未声明的字段",
        about: "a record holds a field its kind does not declare",
        source: DATA_SOURCE,
    },
    BuiltinRule {
        id: "DATA-SHAPE",
        severity: Severity::Error,
        title: "数据结构错误",
        about: "a kind is not written as an array of tables",
        source: DATA_SOURCE,
    },
    BuiltinRule {
        id: "DATA-CATEGORY",
        // An error: the masks that apply to an export depend on its category.
        severity: Severity::Error,
        title: "导出文件的数据类别无法识别",
        about: "an export's folder or sidecar names a data category the pack does not know",
        source: DATA_SOURCE,
    },
    BuiltinRule {
        id: "DATA-UNCATEGORIZED",
        severity: Severity::Info,
        title: "导出文件未声明数据类别，按最严类别检查",
        about: "an export declares no data category and is checked as the strictest one",
        source: DATA_SOURCE,
    },
];

/// Where the waiver checks come from (a finding's `source`).
const WAIVER_SOURCE: &str = "zhidu waiver";

/// All waiver checks.
pub const WAIVER_RULES: &[BuiltinRule] = &[
    BuiltinRule {
        id: "WAIVER-INVALID",
        severity: Severity::Error,
        title: "豁免缺少规则、对象、理由、批准人或到期日",
        about: "waiver lacks rule, subject, reason, approver or expiry",
        source: WAIVER_SOURCE,
    },
    BuiltinRule {
        id: "WAIVER-EXPIRED",
        severity: Severity::Warning,
        title: "豁免已过期",
        about: "waiver has expired",
        source: WAIVER_SOURCE,
    },
    BuiltinRule {
        id: "WAIVER-UNUSED",
        severity: Severity::Warning,
        title: "豁免没有匹配的问题",
        about: "waiver matches no finding",
        source: WAIVER_SOURCE,
    },
];

/// Every built-in check: data checks, then waiver checks.
pub fn builtin() -> impl Iterator<Item = &'static BuiltinRule> {
    DATA_RULES.iter().chain(WAIVER_RULES)
}

/// A built-in check by ID.
pub fn builtin_rule(id: &str) -> Option<&'static BuiltinRule> {
    builtin().find(|r| r.id == id)
}
