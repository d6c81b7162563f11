//! Syntax errors as miette diagnostics.

use miette::Diagnostic;
use thiserror::Error;

use crate::base::source::Loc;

/// A syntax error in a policy file.
#[derive(Debug, Clone, Error, Diagnostic)]
pub enum SyntaxError {
    /// The text does not match the grammar.
    #[error("syntax error: {message}")]
    #[diagnostic(code(zhidu::parse::syntax))]
    Unexpected {
        /// What was expected, in words.
        message: String,
        /// Where.
        loc: Loc,
        /// Label text.
        label: String,
        /// Advice.
        #[help]
        help: Option<String>,
    },
    /// A literal that matches the grammar but is not a valid value (e.g. `2026-02-30`).
    #[error("{message}")]
    #[diagnostic(code(zhidu::parse::invalid_literal))]
    Invalid {
        /// What is wrong.
        message: String,
        /// Where.
        loc: Loc,
        /// Advice.
        #[help]
        help: String,
    },
    /// Nesting or a chain of operators deeper than [`super::depth::MAX_DEPTH`]: refused before
    /// the recursive stages (parser, lowering, type checking, evaluation) could run out of stack.
    #[error("{message}")]
    #[diagnostic(code(zhidu::parse::too_deep))]
    TooDeep {
        /// What is too deep.
        message: String,
        /// Where the level that exceeds the limit starts.
        loc: Loc,
        /// Label text.
        label: String,
        /// Advice, naming the limit.
        #[help]
        help: String,
    },
    /// A parser bug: the tree did not have the shape the grammar promises.
    #[error("internal parser error: {message}")]
    #[diagnostic(code(zhidu::parse::internal), help("this is a bug in zhidu; please report it with the policy file"))]
    Internal {
        /// Details.
        message: String,
        /// Where.
        loc: Loc,
    },
}

impl SyntaxError {
    pub(crate) fn internal(loc: Loc, message: String) -> Self {
        SyntaxError::Internal { message, loc }
    }

    pub(crate) fn invalid(loc: Loc, message: &str, help: &str) -> Self {
        SyntaxError::Invalid { message: message.into(), loc, help: help.into() }
    }

    /// Where the error is.
    pub fn loc(&self) -> Loc {
        match self {
            SyntaxError::Unexpected { loc, .. }
            | SyntaxError::Invalid { loc, .. }
            | SyntaxError::TooDeep { loc, .. }
            | SyntaxError::Internal { loc, .. } => *loc,
        }
    }

    /// The label to show under the span.
    pub fn label(&self) -> String {
        match self {
            SyntaxError::Unexpected { label, .. } | SyntaxError::TooDeep { label, .. } => label.clone(),
            SyntaxError::Invalid { .. } => "not a valid value".into(),
            SyntaxError::Internal { .. } => "here".into(),
        }
    }
}
