//! Errors that stop a check: the org data cannot be read at all.

use miette::Diagnostic;
use thiserror::Error;

use crate::base::diag::LocatedError;
use crate::base::source::Loc;

/// A fatal data error (exit code 2).
#[derive(Debug, Clone, Error, Diagnostic)]
#[allow(missing_docs, reason = "fields are described by the messages")]
pub enum DataError {
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(zhidu::data::unreadable), help("check the path and its permissions"))]
    Unreadable { path: String, reason: String, loc: Loc },
    #[error("`{path}` is not UTF-8 text")]
    #[diagnostic(
        code(zhidu::data::encoding),
        help(
            "save the file as UTF-8 (with or without BOM); a CSV file may also be GBK/GB18030 as Excel writes it, but not UTF-8 with stray bytes — find the bytes shown and fix them"
        )
    )]
    NotUtf8 { path: String, loc: Loc },
    #[error("invalid TOML: {message}")]
    #[diagnostic(code(zhidu::data::toml), help("fix the TOML syntax; see https://toml.io"))]
    Toml { message: String, loc: Loc },
    #[error("invalid CSV: {message}")]
    #[diagnostic(
        code(zhidu::data::csv),
        help("every row must have as many fields as the header; quote fields that contain commas")
    )]
    Csv { message: String, loc: Loc },
    #[error("invalid zhidu.toml: {message}")]
    #[diagnostic(
        code(zhidu::data::config),
        help(
            "zhidu.toml holds `[org]` with `name = …`, `as_of = 2026-06-30` and `period = {{ from = 2026-01-01, to = 2026-06-30 }}`"
        )
    )]
    Config { message: String, loc: Loc },
    #[error("no zhidu.toml in `{dir}`: the date to check as of and the audit period are not known")]
    #[diagnostic(
        code(zhidu::data::no_config),
        help(
            "create `{dir}/zhidu.toml` with `[org]`, `name = …`, `as_of = 2026-06-30` and `period = {{ from = 2026-01-01, to = 2026-06-30 }}`, or give both `--as-of` and `--period`"
        )
    )]
    NoConfig { dir: String, loc: Loc },
    #[error("no records in `{dir}`: nothing would be checked{detail}")]
    #[diagnostic(
        code(zhidu::data::no_records),
        help(
            "name each record file after a record kind (`person.csv`, `[[unit]]` in a TOML file); `zhidu schema` lists the kinds"
        )
    )]
    NoRecords { dir: String, detail: String, loc: Loc },
    #[error("cannot read workbook `{at}`: {message}")]
    #[diagnostic(
        code(zhidu::data::workbook),
        help(
            "fix the cell named, or open the workbook in Excel or WPS and save it again as .xlsx (formulas then keep their values); or save each sheet as CSV"
        )
    )]
    Workbook { at: String, message: String, loc: Loc },
}

impl LocatedError for DataError {
    fn loc(&self) -> Loc {
        match self {
            DataError::Unreadable { loc, .. }
            | DataError::NotUtf8 { loc, .. }
            | DataError::Toml { loc, .. }
            | DataError::Csv { loc, .. }
            | DataError::Config { loc, .. }
            | DataError::NoConfig { loc, .. }
            | DataError::NoRecords { loc, .. }
            | DataError::Workbook { loc, .. } => *loc,
        }
    }
    fn label(&self) -> String {
        match self {
            DataError::Csv { .. } => "this row".into(),
            DataError::NotUtf8 { .. } => "invalid bytes start here".into(),
            _ => "here".into(),
        }
    }
}
