//! The nesting limit (issue 21 #17). Every stage after the text — pest, lowering, the Pratt
//! parser, type checking, the optimiser, evaluation — recurses once per level of an expression,
//! so input nested thousands of levels deep would overflow the stack and abort the process.
//! Policies written by people nest a few levels; [`MAX_DEPTH`] is far above that and far below
//! what the smallest stack the stages run on (a 2 MiB rayon worker) can take.
//!
//! Two checks enforce it, each before the recursion it protects:
//! - [`prescan`] reads the raw text in one loop, before pest, and counts the levels that make pest
//!   recurse: brackets, braces, `if`, `forall`/`exists` and targets such as `>= 5`. It errs on the
//!   side of counting a level as still open, so pest never goes deeper than it counted.
//! - [`check_pairs`] runs on pest's flat output, before lowering. It computes the height of each
//!   expression's tree as the lowerer will build it, where a chain `a and b and c` is a level per
//!   operator (the tree is left-deep) and so is each `not`, `-` and `implies` (the Pratt parser
//!   recurses on them).

use pest::iterators::{Pair, Pairs};

use super::error::SyntaxError;
use super::grammar::Rule;
use super::lower::PRATT;
use crate::base::source::{FileId, Loc};

/// How many levels an expression or declaration may nest, and how deep a chain of operators
/// may make an expression's tree.
pub const MAX_DEPTH: usize = 128;

type Result<T> = std::result::Result<T, SyntaxError>;

/// A level the scan has seen open.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    /// `(`, `[` or `{`, closed by its bracket.
    Bracket,
    /// `if`, `forall`, `exists` or a target's comparison: closed where its expression ends.
    Open,
}

/// What the previous token was, to tell where an expression ends without parsing it.
#[derive(Clone, Copy, PartialEq)]
enum Prev {
    /// An operator, a keyword, punctuation or nothing: an operand may follow.
    Other,
    /// A name, string, literal, `)` or `]`: the end of an operand.
    Operand,
    /// A number, which a duration unit may follow (`2 weeks`).
    Number,
}

/// Words that never end an operand's expression: operators and the keywords of `if`,
/// quantifiers and comprehensions.
const OPERATOR_WORDS: &[&str] = &[
    "and", "or", "not", "in", "implies", "matches", "then", "else", "where", "for", "count", "sum", "if", "forall",
    "exists",
];

/// The units of the grammar's `duration` rule, which follow a number after spaces.
const DURATION_UNITS: &[&str] = &[
    "minutes", "minute", "min", "hours", "hour", "h", "days", "day", "d", "weeks", "week", "w", "months", "month",
    "years", "year", "y", "分钟", "小时", "个月", "天", "日", "周", "月", "年",
];

/// Checks the nesting of raw policy text (a file, or a template hole at byte `base` of `file`)
/// in one pass, before pest sees it. Strings, text blocks and comments are skipped.
///
/// An `if`, quantifier or target has no closing token: it is counted open until its bracket
/// closes, a `,` or `;` at its level, or an operand followed by a name, string or `{` (two
/// operands in a row are two entries: the expression has ended). That never closes a level pest
/// is still inside; in contrived text (`if forall x in xs: p then …`) it may count one too many.
pub(crate) fn prescan(file: FileId, base: usize, text: &str) -> Result<()> {
    let b = text.as_bytes();
    let mut levels: Vec<Level> = Vec::new();
    let mut prev = Prev::Other;
    // End of the previous token, to see whether only spaces separate a number from a unit.
    let mut prev_end = 0;
    let mut i = 0;
    // Pops the open levels of the innermost bracket: its expression has ended.
    let close_open = |levels: &mut Vec<Level>| {
        while levels.last() == Some(&Level::Open) {
            levels.pop();
        }
    };
    let open = |levels: &mut Vec<Level>, level: Level, at: usize, len: usize| {
        levels.push(level);
        if levels.len() > MAX_DEPTH {
            return Err(too_deep_nesting(file, base + at, base + at + len));
        }
        Ok(())
    };
    while i < b.len() {
        let c = b[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'#' => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
                continue;
            }
            b'"' => {
                if matches!(prev, Prev::Operand | Prev::Number) {
                    close_open(&mut levels);
                }
                i = if b[i..].starts_with(b"\"\"\"") {
                    memchr::memmem::find(&b[i + 3..], b"\"\"\"").map_or(b.len(), |n| i + 3 + n + 3)
                } else {
                    string_end(b, i + 1)
                };
                prev = Prev::Operand;
            }
            b'(' | b'[' | b'{' => {
                if c == b'{' && matches!(prev, Prev::Operand | Prev::Number) {
                    close_open(&mut levels);
                }
                open(&mut levels, Level::Bracket, i, 1)?;
                i += 1;
                prev = Prev::Other;
            }
            b')' | b']' | b'}' => {
                close_open(&mut levels);
                levels.pop();
                i += 1;
                prev = if c == b'}' { Prev::Other } else { Prev::Operand };
            }
            b',' | b';' => {
                close_open(&mut levels);
                i += 1;
                prev = Prev::Other;
            }
            b'<' | b'>' | b'=' | b'!' => {
                let len = if b.get(i + 1) == Some(&b'=') { 2 } else { 1 };
                let comparison = len == 2 || c == b'<' || c == b'>';
                // A comparison where an operand is expected is a target (`>= 500`), whose operand
                // pest parses one level down.
                if comparison && prev == Prev::Other {
                    open(&mut levels, Level::Open, i, len)?;
                }
                i += len;
                prev = Prev::Other;
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or(' ');
                if !(ch.is_alphanumeric() || ch == '_') {
                    // Operators, `.`, `:`, `?`, and whitespace or symbols outside ASCII.
                    i += ch.len_utf8();
                    if !(ch.is_whitespace() || ch == '\u{feff}') {
                        prev = Prev::Other;
                    }
                    continue;
                }
                let end = word_end(text, i, ch.is_ascii_digit());
                let word = &text[i..end];
                i = end;
                if OPERATOR_WORDS.contains(&word) {
                    if matches!(word, "if" | "forall" | "exists") {
                        open(&mut levels, Level::Open, start, word.len())?;
                    }
                    prev = Prev::Other;
                } else {
                    let unit = prev == Prev::Number
                        && DURATION_UNITS.contains(&word)
                        && text[prev_end..start].bytes().all(|x| x == b' ');
                    if matches!(prev, Prev::Operand | Prev::Number) && !unit {
                        close_open(&mut levels);
                    }
                    prev = if !unit && ch.is_ascii_digit() { Prev::Number } else { Prev::Operand };
                }
            }
        }
        prev_end = i;
    }
    Ok(())
}

/// The end of a `"…"` string whose text starts at `i`: after the closing quote, or at the line
/// end or end of text for an unterminated one.
fn string_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'"' => return i + 1,
            b'\n' => return i,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    b.len()
}

/// The end of the word at `i`. A word that starts with a digit also takes `.`, `:`, `+` and `-`
/// followed by a letter or digit, so `3.5`, `2026-03-01T09:30:00+08:00` and `20%` are one token.
fn word_end(text: &str, i: usize, number: bool) -> usize {
    let mut j = i;
    while let Some(d) = text[j..].chars().next() {
        let next_alnum = text[j + d.len_utf8()..].chars().next().is_some_and(|x| x.is_ascii_alphanumeric());
        let ok = d.is_alphanumeric()
            || d == '_'
            || (number && (d == '%' || (matches!(d, '.' | ':' | '+' | '-') && next_alnum)));
        if !ok {
            break;
        }
        j += d.len_utf8();
    }
    j
}

fn too_deep_nesting(file: FileId, start: usize, end: usize) -> SyntaxError {
    SyntaxError::TooDeep {
        message: format!("nested too deeply: more than {MAX_DEPTH} levels"),
        loc: Loc::new(file, start, end),
        label: format!("level {} opens here", MAX_DEPTH + 1),
        help: format!(
            "brackets, braces, `if`, `forall`, `exists` and targets such as `>= 5` each open a level, and at most \
             {MAX_DEPTH} may be open at once; simplify the expression or split it into several attributes"
        ),
    }
}

/// Checks every expression of a parse (a file's items, or a template hole's `template_expr`),
/// whose positions are relative to byte `base` of `file`. Returns one error per attribute or
/// hole that is too deep.
pub(crate) fn check_pairs(file: FileId, base: usize, pairs: Pairs<Rule>) -> Vec<SyntaxError> {
    let checker = Checker { file, base };
    let mut errors = Vec::new();
    for p in pairs.flatten() {
        if matches!(p.as_rule(), Rule::attr | Rule::template_expr) {
            for e in p.into_inner().filter(|q| q.as_rule() == Rule::expr) {
                if let Err(err) = checker.expr(e, 0) {
                    errors.push(err);
                }
            }
        }
    }
    errors
}

struct Checker {
    file: FileId,
    base: usize,
}

impl Checker {
    /// The height of an `expr` pair's tree: 0 for a name or literal, one more per operator or
    /// construct above it. `outer` is how many levels enclose it, counting the `not`, `-` and
    /// `implies` of the enclosing expressions: the Pratt parser recurses on those, so they are
    /// limited from the top, before it runs.
    fn expr(&self, p: Pair<Rule>, outer: usize) -> Result<usize> {
        if outer > MAX_DEPTH {
            return Err(self.too_deep(&p));
        }
        let mut depth = outer;
        for q in p.clone().into_inner() {
            if matches!(q.as_rule(), Rule::op_not | Rule::op_neg | Rule::op_implies) {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(self.too_deep(&q));
                }
            }
        }
        PRATT
            .map_primary(|q| self.primary(q, depth))
            .map_prefix(|op, rhs| self.level(rhs? + 1, &op))
            .map_postfix(|lhs, op| {
                let lhs = lhs?;
                let index = match op.clone().into_inner().find(|q| q.as_rule() == Rule::expr) {
                    Some(e) => self.expr(e, depth + 1)?,
                    None => 0,
                };
                self.level(lhs.max(index) + 1, &op)
            })
            .map_infix(|lhs, op, rhs| self.level(lhs?.max(rhs?) + 1, &op))
            .parse(p.into_inner())
    }

    /// The height of one operand of an expression (`primary` in the grammar).
    fn primary(&self, p: Pair<Rule>, outer: usize) -> Result<usize> {
        match p.as_rule() {
            Rule::ident
            | Rule::string
            | Rule::text
            | Rule::number
            | Rule::percent
            | Rule::date
            | Rule::datetime
            | Rule::duration
            | Rule::boolean
            | Rule::none => Ok(0),
            // `(e)`: no node of its own, but a level of the parser and the lowerer.
            Rule::expr => {
                let d = self.expr(p.clone(), outer + 1)?;
                self.level(d + 1, &p)
            }
            // `>= prefix* primary`: the lowerer runs the Pratt parser on the prefixes.
            Rule::target => {
                let mut inner: Vec<Pair<Rule>> = p.clone().into_inner().skip(1).collect();
                let operand = inner.pop().ok_or_else(|| self.internal(&p))?;
                let prefixes = inner.len();
                if let Some(q) = inner.get(MAX_DEPTH.saturating_sub(outer)) {
                    return Err(self.too_deep(q));
                }
                let d = self.primary(operand, outer + prefixes + 1)?;
                self.level(d + prefixes + 1, &p)
            }
            // Every other construct holds expressions somewhere below (a binding, a filter, a
            // comprehension's tail, arguments): one level above the deepest of them.
            _ => {
                let mut deepest = 0;
                let mut todo: Vec<Pair<Rule>> = p.clone().into_inner().collect();
                while let Some(q) = todo.pop() {
                    if q.as_rule() == Rule::expr {
                        deepest = deepest.max(self.expr(q, outer + 1)?);
                    } else {
                        todo.extend(q.into_inner());
                    }
                }
                self.level(deepest + 1, &p)
            }
        }
    }

    fn level(&self, depth: usize, at: &Pair<Rule>) -> Result<usize> {
        if depth > MAX_DEPTH { Err(self.too_deep(at)) } else { Ok(depth) }
    }

    fn loc(&self, p: &Pair<Rule>) -> Loc {
        let s = p.as_span();
        Loc::new(self.file, self.base + s.start(), self.base + s.end())
    }

    fn internal(&self, p: &Pair<Rule>) -> SyntaxError {
        SyntaxError::internal(self.loc(p), format!("unexpected `{:?}` in a depth check", p.as_rule()))
    }

    /// The error for the operator or operand at `p`, where the expression passes the limit.
    fn too_deep(&self, p: &Pair<Rule>) -> SyntaxError {
        // An operand's label covers its first token only: the rest of it can be long.
        let mut loc = self.loc(p);
        if !is_operator(p.as_rule()) {
            let start = self.base + p.as_span().start();
            let len = p.as_str().chars().next().map_or(0, char::len_utf8);
            loc = Loc::new(self.file, start, start + len);
        }
        SyntaxError::TooDeep {
            message: format!("expression too deep: more than {MAX_DEPTH} levels"),
            loc,
            label: format!("level {} is reached here", MAX_DEPTH + 1),
            help: format!(
                "an expression may be at most {MAX_DEPTH} levels deep, and each operator of a chain such as \
                 `a and b and …` adds one, as do `not`, `implies`, brackets, `if` and quantifiers; split a long \
                 chain of `and` into several `check` lines (every check must hold), or write `x in [a, b, …]`"
            ),
        }
    }
}

fn is_operator(r: Rule) -> bool {
    matches!(
        r,
        Rule::op_implies
            | Rule::op_or
            | Rule::op_and
            | Rule::op_coalesce
            | Rule::op_not_in
            | Rule::op_in
            | Rule::op_matches
            | Rule::op_eq
            | Rule::op_ne
            | Rule::op_le
            | Rule::op_ge
            | Rule::op_lt
            | Rule::op_gt
            | Rule::op_add
            | Rule::op_sub
            | Rule::op_mul
            | Rule::op_div
            | Rule::op_not
            | Rule::op_neg
            | Rule::member
            | Rule::index
    )
}
