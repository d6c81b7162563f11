//! The built-in data checks (`DATA-…`): schema validation of org records. These belong to the
//! language (every pack declares a schema), not to a regulation.

use crate::syntax::ast::Severity;

/// A data check: ID, severity, title.
pub struct DataRule {
    /// ID.
    pub id: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Chinese title.
    pub title: &'static str,
    /// What it checks (also its English title).
    pub about: &'static str,
}

/// All data checks.
pub const DATA_RULES: &[DataRule] = &[
    DataRule {
        id: "DATA-KIND",
        severity: Severity::Warning,
        title: "未知的数据类型",
        about: "a TOML table or CSV file names a record kind the policy does not declare",
    },
    DataRule {
        id: "DATA-MISSING",
        severity: Severity::Error,
        title: "缺少必填字段",
        about: "a record lacks a field the schema requires",
    },
    DataRule {
        id: "DATA-TYPE",
        severity: Severity::Error,
        title: "字段类型错误",
        about: "a field value does not have the declared type",
    },
    DataRule {
        id: "DATA-DUP",
        severity: Severity::Error,
        title: "编号重复",
        about: "two records of one kind have the same id",
    },
    DataRule {
        id: "DATA-REF",
        severity: Severity::Error,
        title: "引用不存在",
        about: "a reference names no record of the referenced kind",
    },
    DataRule {
        id: "DATA-SHAPE",
        severity: Severity::Error,
        title: "数据结构错误",
        about: "a kind is not written as an array of tables",
    },
];

/// A data check by ID.
pub fn data_rule(id: &str) -> Option<&'static DataRule> {
    DATA_RULES.iter().find(|r| r.id == id)
}
