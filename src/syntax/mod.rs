//! Parse stage: policy text → AST, with every syntax error reported (the parser resumes at the
//! next top-level item after an error).

pub mod ast;
pub mod depth;
pub mod error;
pub mod fmt;
pub mod grammar;
mod lower;

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};

pub use error::SyntaxError;
use grammar::{Rule, ZdParser, rule_name};

use crate::base::source::{FileId, Loc};

/// Parses one file. Returns the items that could be parsed and every syntax error found.
pub fn parse_file(file: FileId, text: &str) -> (ast::File, Vec<SyntaxError>) {
    // Before pest, which recurses once per level of nesting.
    if let Err(e) = depth::prescan(file, 0, text) {
        return (ast::File::default(), vec![e]);
    }
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut base = 0usize;
    loop {
        let rest = &text[base..];
        match ZdParser::parse(Rule::file, rest) {
            Ok(mut pairs) => {
                // Before lowering, which recurses once per level of an expression's tree.
                let too_deep = depth::check_pairs(file, base, pairs.clone());
                if !too_deep.is_empty() {
                    errors.extend(too_deep);
                    break;
                }
                let lowerer = lower::AstBuilder::new(file, base);
                if let Some(f) = pairs.next()
                    && let Err(e) = lowerer.lower_items(f.into_inner(), &mut items)
                {
                    errors.push(e);
                }
                break;
            }
            Err(e) => {
                let (err, pos) = convert(file, base, rest, e);
                errors.push(err);
                match next_item_start(text, base + pos) {
                    Some(next) if next > base => base = next,
                    _ => break,
                }
            }
        }
    }
    (ast::File { items }, errors)
}

/// Parses a single expression (a `{…}` hole of a message template) located at `offset`.
pub fn parse_expr(file: FileId, offset: usize, text: &str) -> Result<ast::Expr, SyntaxError> {
    depth::prescan(file, offset, text)?;
    match ZdParser::parse(Rule::template_expr, text) {
        Ok(mut pairs) => {
            if let Some(e) = depth::check_pairs(file, offset, pairs.clone()).into_iter().next() {
                return Err(e);
            }
            let lowerer = lower::AstBuilder::new(file, offset);
            let top = pairs.next().and_then(|p| p.into_inner().find(|q| q.as_rule() == Rule::expr));
            match top {
                Some(e) => lowerer.lower_expr(e),
                None => Err(SyntaxError::internal(Loc::new(file, offset, offset), "empty expression".into())),
            }
        }
        Err(e) => Err(convert(file, offset, text, e).0),
    }
}

/// The byte offset of the next line after `pos` that starts a top-level item.
fn next_item_start(text: &str, pos: usize) -> Option<usize> {
    let mut offset = text[pos..].find('\n')? + pos + 1;
    while offset < text.len() {
        let line = &text[offset..];
        let first = line.chars().next()?;
        if first.is_alphabetic() || first == '_' {
            return Some(offset);
        }
        offset += line.find('\n')? + 1;
    }
    None
}

fn convert(file: FileId, base: usize, text: &str, e: pest::error::Error<Rule>) -> (SyntaxError, usize) {
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let found = token_at(text, pos);
    let end = pos + found.len();
    let loc = Loc::new(file, base + pos, base + end.max(pos));
    let (message, help) = match &e.variant {
        ErrorVariant::ParsingError { positives, negatives } => {
            let mut names: Vec<&str> = positives.iter().map(|r| rule_name(*r)).collect();
            names.sort();
            names.dedup();
            names.retain(|n| *n != "whitespace");
            // A long list of operators says nothing useful: name them as a group.
            let ops = names.iter().filter(|n| is_operator(n)).count();
            if ops > 3 {
                names.retain(|n| !is_operator(n));
                names.push("an operator");
            }
            let expected = join_or(&names);
            let message = match (found.is_empty(), expected.is_empty()) {
                (true, _) => format!("unexpected end of file, expected {expected}"),
                (false, true) => {
                    let neg: Vec<&str> = negatives.iter().map(|r| rule_name(*r)).collect();
                    format!("unexpected `{found}` ({})", join_or(&neg))
                }
                (false, false) => format!("expected {expected}, found `{found}`"),
            };
            (message, hint(positives, found))
        }
        ErrorVariant::CustomError { message } => (message.clone(), None),
    };
    let label = if found.is_empty() { "input ends here".to_string() } else { "unexpected here".to_string() };
    (SyntaxError::Unexpected { message, loc, label, help }, pos)
}

fn is_operator(name: &str) -> bool {
    name.len() <= 9 && name.starts_with('`') && !name[1..].starts_with(|c: char| c.is_alphabetic() || c == '{')
        || ["`and`", "`or`", "`in`", "`not in`", "`implies`", "`matches`", "an operator"].contains(&name)
}

fn hint(positives: &[Rule], found: &str) -> Option<String> {
    let has = |r: Rule| positives.contains(&r);
    let reserved = [
        "include", "import", "rule", "record", "forall", "exists", "count", "sum", "for", "in", "where", "if", "then",
        "else", "and", "or", "not", "implies", "matches", "true", "false", "none",
    ];
    Some(if reserved.contains(&found) && (has(Rule::ident) || has(Rule::name)) {
        format!("`{found}` is a reserved word; write it as a string (\"{found}\") where a name is expected")
    } else if has(Rule::block) || has(Rule::record_block) {
        "a declaration is `KIND NAME { … }`, with its attributes between braces".into()
    } else if has(Rule::rule_id) {
        "rule IDs are upper-case letters, a dash and a number, e.g. `APV-3`".into()
    } else if found.starts_with('"') && has(Rule::ident) {
        "a name is expected here".into()
    } else if has(Rule::expr) || has(Rule::primary) {
        "a value or expression is expected: a name, number, `20%`, date, duration, string or list".into()
    } else if found == "}" {
        "this closing brace has no matching `{`, or an attribute before it is incomplete".into()
    } else {
        "see docs/language.md for the policy language".into()
    })
}

fn join_or(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// The token at `pos` for "found `…`": a word, a string start or one character.
fn token_at(text: &str, pos: usize) -> &str {
    let rest = text.get(pos..).unwrap_or("");
    let mut chars = rest.char_indices();
    let Some((_, c)) = chars.next() else { return "" };
    if c.is_alphanumeric() || c == '_' {
        let end = rest.find(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '-')).unwrap_or(rest.len());
        &rest[..end]
    } else {
        &rest[..c.len_utf8()]
    }
}
