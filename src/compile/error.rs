//! Errors of the policy stages after parsing: loading, resolving, type checking, linting.

use miette::Diagnostic;
use thiserror::Error;

use crate::base::diag::LocatedError;
use crate::base::source::Loc;

/// What went wrong.
#[derive(Debug, Clone, Error, Diagnostic)]
#[allow(missing_docs, reason = "variant fields are described by the messages")]
pub enum PolicyErrorKind {
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(zhidu::load::unreadable))]
    Unreadable { path: String, reason: String },
    #[error("include `{path}` leaves the policy directory")]
    #[diagnostic(code(zhidu::load::include_escape))]
    IncludeEscape { path: String },
    #[error("included file `{path}` does not exist")]
    #[diagnostic(code(zhidu::load::include_missing))]
    IncludeMissing { path: String },
    #[error("`extends` must be the first item of the pack's main.zd")]
    #[diagnostic(code(zhidu::load::extends_misplaced))]
    ExtendsMisplaced,
    #[error("cannot extend `{path}`")]
    #[diagnostic(code(zhidu::load::extends_path))]
    ExtendsBadPath { path: String },
    #[error("the packs extend each other in a cycle: {chain}")]
    #[diagnostic(code(zhidu::load::extends_cycle))]
    ExtendsCycle { chain: String },
    #[error("override of {kind} `{name}`, which the base pack does not declare")]
    #[diagnostic(code(zhidu::overlay::unknown_override))]
    UnknownOverride { kind: String, name: String },
    #[error("{kind} `{name}` is already declared by the base pack")]
    #[diagnostic(code(zhidu::overlay::redeclared))]
    Redeclared { kind: String, name: String, first: Loc },
    #[error("disable of rule `{id}`, which the base pack does not have")]
    #[diagnostic(code(zhidu::overlay::unknown_disabled_rule))]
    UnknownDisabledRule { id: String },
    #[error("`disable` has no attribute `{attr}`")]
    #[diagnostic(code(zhidu::overlay::disable_attribute))]
    DisableAttribute { attr: String },
    #[error("`disable rule {id}` needs a `reason`")]
    #[diagnostic(code(zhidu::overlay::disable_without_reason))]
    DisableWithoutReason { id: String },
    #[error("unknown declaration kind `{kind}`")]
    #[diagnostic(code(zhidu::resolve::unknown_kind))]
    UnknownKind { kind: String },
    #[error("`{kind}` has no attribute `{attr}`")]
    #[diagnostic(code(zhidu::resolve::unknown_attribute))]
    UnknownAttribute { kind: String, attr: String },
    #[error("`{kind}` needs the attribute `{attr}`")]
    #[diagnostic(code(zhidu::resolve::missing_attribute))]
    MissingAttribute { kind: String, attr: String },
    #[error("attribute `{attr}` is given twice")]
    #[diagnostic(code(zhidu::resolve::duplicate_attribute))]
    DuplicateAttribute { attr: String },
    #[error("the dated values of `{attr}` are not in date order: {date} comes after {prev}")]
    #[diagnostic(code(zhidu::resolve::history_order))]
    HistoryOrder { attr: String, date: String, prev: String },
    #[error("`{attr}` has two values from {date}")]
    #[diagnostic(code(zhidu::resolve::history_duplicate))]
    HistoryDuplicate { attr: String, date: String, first: Loc },
    #[error("`{attr}` cannot change over time")]
    #[diagnostic(code(zhidu::resolve::history_attr))]
    HistoryAttr { attr: String },
    #[error("`{kind}` declarations need a name")]
    #[diagnostic(code(zhidu::resolve::missing_name))]
    MissingName { kind: String },
    #[error("`{attr}` expects {expected}")]
    #[diagnostic(code(zhidu::resolve::bad_value))]
    BadValue { attr: String, expected: String },
    #[error("`{attr}` takes one value, found {count}")]
    #[diagnostic(code(zhidu::resolve::too_many_values))]
    TooManyValues { attr: String, count: usize },
    #[error("unknown {kind} `{name}`")]
    #[diagnostic(code(zhidu::resolve::unknown_reference))]
    UnknownReference { kind: String, name: String },
    #[error("{kind} `{name}` is declared twice")]
    #[diagnostic(code(zhidu::resolve::duplicate_declaration))]
    DuplicateDeclaration { kind: String, name: String, first: Loc },
    #[error("rule `{id}` is declared twice")]
    #[diagnostic(code(zhidu::resolve::duplicate_rule))]
    DuplicateRule { id: String, first: Loc },
    #[error("the pack has no `policy` declaration")]
    #[diagnostic(code(zhidu::resolve::missing_policy))]
    MissingPolicy,
    #[error("unknown record kind `{kind}`")]
    #[diagnostic(code(zhidu::schema::unknown_kind))]
    UnknownRecordKind { kind: String },
    #[error("unknown type `{name}`")]
    #[diagnostic(code(zhidu::schema::unknown_type))]
    UnknownType { name: String },
    #[error("field `{field}` is declared twice")]
    #[diagnostic(code(zhidu::schema::duplicate_field))]
    DuplicateField { field: String },
    #[error("unknown name `{name}`")]
    #[diagnostic(code(zhidu::types::unknown_name))]
    UnknownName { name: String },
    #[error("{on} has no field `{field}`")]
    #[diagnostic(code(zhidu::types::unknown_field))]
    UnknownField { on: String, field: String },
    #[error("type mismatch: {detail}")]
    #[diagnostic(code(zhidu::types::mismatch))]
    Mismatch { detail: String },
    #[error("unknown function `{name}`")]
    #[diagnostic(code(zhidu::types::unknown_function))]
    UnknownFunction { name: String },
    #[error("`{name}` takes {expected} argument(s), found {found}")]
    #[diagnostic(code(zhidu::types::arity))]
    Arity { name: String, expected: String, found: usize },
    #[error("a check must be a condition (bool), found {found}")]
    #[diagnostic(code(zhidu::types::check_not_bool))]
    CheckNotBool { found: String },
    #[error("`forall` needs a body after `:`")]
    #[diagnostic(code(zhidu::types::forall_without_body))]
    ForallWithoutBody,
    #[error("invalid regular expression: {reason}")]
    #[diagnostic(code(zhidu::resolve::bad_regex))]
    BadRegex { reason: String },
    #[error("unclosed `{{` in message template")]
    #[diagnostic(code(zhidu::resolve::bad_template))]
    BadTemplate,
    #[error("message hole `{{{hole}}}` is not a valid expression: {reason}")]
    #[diagnostic(code(zhidu::resolve::bad_hole))]
    BadHole { hole: String, reason: String },
    #[error("text reference `{{{reference}}}`: {reason}")]
    #[diagnostic(code(zhidu::resolve::text_reference))]
    BadTextRef { reference: String, reason: String },
    #[error("the text states `{literal}`, a value the pack declares")]
    #[diagnostic(code(zhidu::lint::literal_value), severity(Warning))]
    LiteralValue { literal: String, reference: String },
    #[error("a `# chosen:` comment without a `chosen` attribute on its declaration")]
    #[diagnostic(code(zhidu::lint::unmarked_choice), severity(Warning))]
    UnmarkedChoice,
    #[error("rule `{id}` has neither a check nor a `documents` list")]
    #[diagnostic(code(zhidu::lint::unreachable_rule), severity(Warning))]
    UnreachableRule { id: String },
    #[error("{message}")]
    #[diagnostic(code(zhidu::lint::policy_rule))]
    PolicyRule { rule: String, message: String, severity: crate::syntax::ast::Severity },
}

/// A policy error at a location, with optional help.
#[derive(Debug, Clone, Error)]
#[error("{kind}")]
pub struct PolicyError {
    /// What went wrong.
    pub kind: PolicyErrorKind,
    /// Where.
    pub loc: Loc,
    /// Advice.
    pub help: Option<String>,
    /// Label under the span.
    pub label: Option<String>,
}

impl PolicyError {
    /// An error at `loc`.
    pub fn new(kind: PolicyErrorKind, loc: Loc) -> Self {
        PolicyError { kind, loc, help: None, label: None }
    }

    /// Adds a help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a help line if there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help.or(self.help);
        self
    }

    /// Sets the label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
}

impl Diagnostic for PolicyError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        if let PolicyErrorKind::PolicyRule { rule, .. } = &self.kind {
            return Some(Box::new(rule.clone()));
        }
        self.kind.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        use crate::syntax::ast::Severity as S;
        match &self.kind {
            PolicyErrorKind::PolicyRule { severity: S::Warning, .. } => Some(miette::Severity::Warning),
            PolicyErrorKind::PolicyRule { severity: S::Info, .. } => Some(miette::Severity::Advice),
            k => k.severity(),
        }
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        match &self.help {
            Some(h) => Some(Box::new(h.clone())),
            None => self.kind.help(),
        }
    }
}

impl LocatedError for PolicyError {
    fn loc(&self) -> Loc {
        self.loc
    }
    fn label(&self) -> String {
        self.label.clone().unwrap_or_else(|| "here".into())
    }
    fn secondary(&self) -> Vec<(Loc, String)> {
        match &self.kind {
            PolicyErrorKind::DuplicateDeclaration { first, .. } | PolicyErrorKind::DuplicateRule { first, .. } => {
                vec![(*first, "first declared here".into())]
            }
            PolicyErrorKind::Redeclared { first, .. } => vec![(*first, "declared by the base pack here".into())],
            PolicyErrorKind::HistoryDuplicate { first, .. } => vec![(*first, "first dated here".into())],
            _ => Vec::new(),
        }
    }
}

impl LocatedError for crate::syntax::SyntaxError {
    fn loc(&self) -> Loc {
        crate::syntax::SyntaxError::loc(self)
    }
    fn label(&self) -> String {
        crate::syntax::SyntaxError::label(self)
    }
}
