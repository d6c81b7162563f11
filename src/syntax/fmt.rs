//! The canonical formatter: one entry per line, two-space indentation by brace depth, one space
//! between tokens except around `.`, `(`, `[` and before `,` `:`, no `;`, at most one blank line,
//! comments kept where they are.
//!
//! It works on tokens and only ever changes whitespace (and drops optional `;`), then proves it
//! by re-parsing: the formatted text must give the same parse tree, token for token.

use pest::Parser;

use super::grammar::{Rule, ZdParser};

#[derive(Clone, Debug, PartialEq)]
enum Tok<'a> {
    Word(&'a str),
    Str(&'a str),
    Punct(&'a str),
    Op(&'a str),
    Comment(&'a str),
    /// A line break and the indentation (in columns) of the line that follows.
    Newline(usize),
}

/// The words of the language that are keywords wherever they stand (the formatter spaces them;
/// the language server highlights them).
pub const KEYWORDS: &[&str] = &[
    "include", "import", "rule", "record", "forall", "exists", "count", "sum", "for", "in", "where", "if", "then",
    "else", "and", "or", "not", "implies", "matches", "alias", "ref", "enum", "extends", "override", "disable",
];

fn lex(src: &str) -> Vec<Tok<'_>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = src[i..].chars().next().unwrap_or(' ');
        let n = c.len_utf8();
        if c == '\n' {
            let rest = &src[i + 1..];
            let ws: usize = rest
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t' || *c == '\u{3000}')
                .map(|c| {
                    if c == '\t' {
                        4
                    } else if c == '\u{3000}' {
                        2
                    } else {
                        1
                    }
                })
                .sum();
            out.push(Tok::Newline(ws));
            i += 1;
        } else if c.is_whitespace() || c == '\u{feff}' {
            i += n;
        } else if c == '#' {
            let end = src[i..].find('\n').map_or(src.len(), |e| i + e);
            out.push(Tok::Comment(src[i..end].trim_end()));
            i = end;
        } else if src[i..].starts_with("\"\"\"") {
            let end = src[i + 3..].find("\"\"\"").map_or(src.len(), |e| i + 3 + e + 3);
            out.push(Tok::Str(&src[i..end]));
            i = end;
        } else if c == '"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' && b[j] != b'\n' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            out.push(Tok::Str(&src[i..end]));
            i = end;
        } else if "{}()[],;:.".contains(c) {
            out.push(Tok::Punct(&src[i..i + 1]));
            i += 1;
        } else if c == '?' {
            let len = if src[i..].starts_with("??") { 2 } else { 1 };
            out.push(if len == 2 { Tok::Op(&src[i..i + 2]) } else { Tok::Punct(&src[i..i + 1]) });
            i += len;
        } else if "<>=!+-*/".contains(c) {
            let len = if [">=", "<=", "==", "!="].iter().any(|o| src[i..].starts_with(o)) { 2 } else { 1 };
            out.push(Tok::Op(&src[i..i + len]));
            i += len;
        } else {
            let digit = c.is_ascii_digit();
            let upper = c.is_ascii_uppercase();
            let mut j = i;
            while j < b.len() {
                let d = src[j..].chars().next().unwrap_or(' ');
                let next_alnum = src[j + d.len_utf8()..].chars().next().is_some_and(|x| x.is_ascii_alphanumeric());
                let ok = d.is_alphanumeric()
                    || d == '_'
                    || d == '%'
                    || (digit && (d == ':' || d == '+' || d == '.') && next_alnum)
                    || ((digit || upper) && d == '-' && next_alnum);
                if !ok {
                    break;
                }
                j += d.len_utf8();
            }
            if j == i {
                j = i + n;
            }
            out.push(Tok::Word(&src[i..j]));
            i = j;
        }
    }
    out
}

fn text<'a>(t: &Tok<'a>) -> &'a str {
    match t {
        Tok::Word(s) | Tok::Str(s) | Tok::Punct(s) | Tok::Op(s) | Tok::Comment(s) => s,
        Tok::Newline(_) => "\n",
    }
}

fn is_keyword(t: &Tok) -> bool {
    matches!(t, Tok::Word(w) if KEYWORDS.contains(w))
}

/// Whether a space goes between two adjacent tokens of one line.
fn space_between(a: &Tok, b: &Tok, unary: bool) -> bool {
    let (ta, tb) = (text(a), text(b));
    if matches!(b, Tok::Comment(_)) {
        return true;
    }
    if [",", ")", "]", ".", ":", "?"].contains(&tb) {
        return false;
    }
    if ["(", "[", "."].contains(&ta) || unary {
        return false;
    }
    if tb == "(" {
        return is_keyword(a) || !matches!(a, Tok::Word(_));
    }
    if tb == "[" {
        return !(matches!(a, Tok::Word(_)) && !is_keyword(a) || [")", "]"].contains(&ta));
    }
    true
}

/// Formats policy source. Fails (with the parser's message) if the text does not parse.
pub fn format(src: &str) -> Result<String, String> {
    // pest recurses once per level of nesting: too deep a file is refused before it runs.
    super::depth::prescan(crate::base::source::FileId(0), 0, src).map_err(|e| e.to_string())?;
    let original = leaves(src)?;
    let out = layout(src);
    let formatted = leaves(&out).map_err(|e| format!("formatter produced invalid output: {e}"))?;
    if original != formatted {
        return Err("formatter changed the meaning of the file; it was left unchanged".into());
    }
    Ok(out)
}

/// The sequence of terminal pairs of a parse, which formatting must preserve.
fn leaves(src: &str) -> Result<Vec<(Rule, String)>, String> {
    let pairs = ZdParser::parse(Rule::file, src).map_err(|e| e.to_string())?;
    Ok(pairs
        .flatten()
        .filter(|p| p.clone().into_inner().next().is_none())
        .map(|p| {
            let t = p.as_str();
            // An empty block (`{}`, `{ }` or `{` and `}` on lines of their own) is a leaf of the
            // parse holding its brackets and the blank between them: only the brackets count.
            let t = if t.starts_with(['{', '[', '(']) { t.split_whitespace().collect() } else { t.to_string() };
            (p.as_rule(), t)
        })
        .collect())
}

struct Printer<'a> {
    lines: Vec<String>,
    /// For each line that is a one-line attribute (`name value`): the byte length of its
    /// indentation plus name, and the name's display width. Runs of these get aligned values.
    attr_heads: Vec<Option<(usize, usize)>>,
    line: Vec<Tok<'a>>,
    line_depth: usize,
    line_parens: usize,
    prev_last: Option<Tok<'a>>,
    blank: bool,
    /// Source indentation of the current line, if it started after a line break.
    orig_indent: Option<usize>,
    /// Output and source indentation of the first line of the current entry.
    entry: (usize, usize),
}

impl<'a> Printer<'a> {
    /// Emits the current line with its indentation.
    fn flush(&mut self) {
        if self.line.is_empty() {
            return;
        }
        let line = std::mem::take(&mut self.line);
        let first = &line[0];
        let closing = [")", "]"].contains(&text(first));
        let is_brace = text(first) == "}";
        let starts_cont = matches!(first, Tok::Op(_))
            || ["and", "or", "implies", "where", "then", "else", "."].contains(&text(first))
            || closing;
        let prev_cont = self.prev_last.as_ref().is_some_and(|p| {
            matches!(p, Tok::Op(_))
                || [",", ":", "(", "[", "and", "or", "implies", "where", "in", "then", "else", "not"].contains(&text(p))
        });
        let cont_parens = self.line_parens.saturating_sub(usize::from(closing));
        let continuation = !is_brace && (cont_parens > 0 || prev_cont || starts_cont);
        // Continuation lines keep their indentation relative to the entry's first line (at
        // least 4 columns), so the author's layout of a long expression survives.
        let indent = if continuation {
            let rel = self.orig_indent.map_or(4, |o| o.saturating_sub(self.entry.1)).max(4);
            self.entry.0 + rel
        } else {
            let base = self.line_depth * 2;
            self.entry = (base, self.orig_indent.unwrap_or(base));
            base
        };
        self.orig_indent = None;
        let after_open = self.lines.last().is_some_and(|l| l.trim_end().ends_with('{'));
        if self.blank && !self.lines.is_empty() && !after_open && !is_brace {
            self.lines.push(String::new());
            self.attr_heads.push(None);
        }
        let last_code = line.iter().rev().find(|t| !matches!(t, Tok::Comment(_)));
        let is_attr = indent == self.line_depth * 2
            && matches!(first, Tok::Word(_))
            && !is_keyword(first)
            && line.len() >= 2
            && !matches!(line[1], Tok::Comment(_))
            && ![":", "{", "?", ".", "(", "["].contains(&text(&line[1]))
            && last_code.is_some_and(|t| text(t) != "{");
        self.attr_heads.push(is_attr.then(|| (indent + text(first).len(), display_width(text(first)))));
        self.blank = false;
        let mut s = " ".repeat(indent);
        for (i, t) in line.iter().enumerate() {
            if i > 0 {
                let prev = &line[i - 1];
                let unary = text(prev) == "-"
                    && (i == 1 || {
                        let pp = &line[i - 2];
                        matches!(pp, Tok::Op(_)) || is_keyword(pp) || ["(", "[", ",", ":"].contains(&text(pp))
                    });
                if matches!(t, Tok::Comment(_)) {
                    s.push_str("  ");
                } else if space_between(prev, t, unary) {
                    s.push(' ');
                }
            }
            s.push_str(text(t));
        }
        self.lines.push(s);
        self.prev_last = line.iter().rev().find(|t| !matches!(t, Tok::Comment(_))).cloned();
    }
}

fn layout(src: &str) -> String {
    let toks = lex(src);
    let mut p = Printer {
        lines: Vec::new(),
        attr_heads: Vec::new(),
        line: Vec::new(),
        line_depth: 0,
        line_parens: 0,
        prev_last: None,
        blank: false,
        orig_indent: Some(0),
        entry: (0, 0),
    };
    let mut depth: usize = 0;
    let mut parens: usize = 0;
    let mut newlines = 0;
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i].clone();
        i += 1;
        match t {
            Tok::Newline(ws) => {
                newlines += 1;
                if !p.line.is_empty() {
                    p.flush();
                    newlines = 1;
                }
                p.orig_indent = Some(ws);
                if newlines >= 2 {
                    p.blank = true;
                }
                continue;
            }
            Tok::Punct(";") => {
                p.flush();
                continue;
            }
            _ => {}
        }
        newlines = 0;
        if p.line.is_empty() {
            p.line_depth = depth;
            p.line_parens = parens;
        }
        match text(&t) {
            "{" => {
                p.line.push(t);
                depth += 1;
                p.flush();
                p.prev_last = None;
            }
            "}" => {
                p.flush();
                depth = depth.saturating_sub(1);
                p.blank = false;
                p.line_depth = depth;
                p.line_parens = parens;
                p.line.push(t);
                let next = toks[i..].iter().find(|t| !matches!(t, Tok::Newline(_)));
                let glue = next.is_some_and(|n| [")", "]", ","].contains(&text(n)));
                if !glue {
                    p.flush();
                    p.prev_last = None;
                }
            }
            "(" | "[" => {
                parens += 1;
                p.line.push(t);
            }
            ")" | "]" => {
                parens = parens.saturating_sub(1);
                p.line.push(t);
            }
            _ => {
                let own_line_comment = matches!(t, Tok::Comment(_)) && p.line.is_empty();
                p.line.push(t);
                if own_line_comment {
                    let keep = p.prev_last.take();
                    p.flush();
                    p.prev_last = keep;
                }
            }
        }
    }
    p.flush();
    align_attributes(&mut p.lines, &p.attr_heads);
    let mut out = p.lines.join("\n");
    out.push('\n');
    out
}

/// Pads the names of the one-line attributes of each block so their values line up. Lines of
/// nested blocks and continuation lines do not take part.
fn align_attributes(lines: &mut [String], heads: &[Option<(usize, usize)>]) {
    let mut stack: Vec<Vec<usize>> = vec![Vec::new()];
    let indent_of = |l: &str| l.len() - l.trim_start().len();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.starts_with('}') && stack.len() > 1 {
            groups.extend(stack.pop());
        }
        if heads.get(i).copied().flatten().is_some()
            && indent_of(line) == (stack.len() - 1) * 2
            && let Some(top) = stack.last_mut()
        {
            top.push(i);
        }
        if t.ends_with('{') && !t.starts_with('#') {
            stack.push(Vec::new());
        }
    }
    groups.extend(stack);
    for g in groups {
        let widest = g.iter().filter_map(|&k| heads[k].map(|h| h.1)).max().unwrap_or(0);
        for k in g {
            if let Some((end, w)) = heads[k] {
                let (head, rest) = lines[k].split_at(end);
                lines[k] = format!("{head}{}{}", " ".repeat(widest - w + 1), rest.trim_start());
            }
        }
    }
}

/// Display width, counting East Asian wide characters as two columns.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 && !c.is_ascii() { 2 } else { 1 }).sum()
}

#[cfg(test)]
mod tests {
    use super::format;

    #[test]
    fn formats_blocks_and_expressions() {
        let src = "approval 重大改革 { example \"上线新功能\"; requires all( 运营总监 ,技术总监 ) }\n\n\n\
                   rule APV-3 error \"t\" {source \"s\"\nmessage \"m {c.id}\"\n  check forall c in change :forall a in c.approvals: a.by!=c.author # why\n}\n";
        let out = format(src).unwrap();
        assert_eq!(
            out,
            "approval 重大改革 {\n  example  \"上线新功能\"\n  requires all(运营总监, 技术总监)\n}\n\n\
             rule APV-3 error \"t\" {\n  source  \"s\"\n  message \"m {c.id}\"\n  check   forall c in change: forall a in c.approvals: a.by != c.author  # why\n}\n"
        );
        assert_eq!(format(&out).unwrap(), out, "idempotent");
    }

    #[test]
    fn keeps_comments_and_continuations() {
        let src = "# header\n\nrecord change {\n  id: string\n  golive?: date # optional\n  approvals: [{ by: ref person, date: date }]\n}\n\
                   rule X-1 \"t\" {\n  source \"s\"\n  message \"m\"\n  check forall p in person:\n      p.joined <= as_of and\n   -1 < 2\n}\n";
        let out = format(src).unwrap();
        assert!(out.starts_with("# header\n\nrecord change {\n  id: string\n  golive?: date  # optional\n"), "{out}");
        assert!(out.contains("  check   forall p in person:\n      p.joined <= as_of and\n      -1 < 2\n"), "{out}");
        assert_eq!(format(&out).unwrap(), out);
    }

    #[test]
    fn formats_empty_blocks() {
        for src in
            ["role 甲 {}\n", "role 甲 { a { } }\n", "record foo \"t\" {\n  a: {}\n}\n", "role 甲 {\n  x { y {} }\n}\n"]
        {
            let out = format(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
            assert_eq!(format(&out).unwrap(), out, "idempotent: {out}");
        }
        assert_eq!(format("role 甲 { a { } }").unwrap(), "role 甲 {\n  a {\n  }\n}\n");
    }

    #[test]
    fn refuses_unparsable_input() {
        assert!(format("role {").is_err());
    }
}
