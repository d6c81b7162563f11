//! Message templates of rules: `"变更 {c.id} 由提交人本人审批"` split into text and holes, and
//! each hole compiled as an expression over the variables of a check.

use super::*;

/// Raw template pieces: literal text, or a hole's text with its byte offset in the file.
pub(super) type RawTemplate = Result<Vec<(bool, String, usize)>, Box<PolicyError>>;

/// Splits a message into literal text and `{…}` holes (`\{` and `\}` are literal braces); an
/// unclosed hole is an error at its brace.
pub(super) fn parse_template(s: &str, loc: Loc) -> RawTemplate {
    let mut out = Vec::new();
    let mut lit = String::new();
    let base = loc.start as usize + 1;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some((_, '{' | '}'))) => {
                if let Some((_, b)) = chars.next() {
                    lit.push(b);
                }
            }
            '{' => {
                if !lit.is_empty() {
                    out.push((false, std::mem::take(&mut lit), 0));
                }
                let start = i + 1;
                let mut end = None;
                for (j, d) in chars.by_ref() {
                    if d == '}' {
                        end = Some(j);
                        break;
                    }
                }
                match end {
                    Some(j) => out.push((true, s[start..j].to_string(), base + start)),
                    None => {
                        return Err(Box::new(
                            PolicyError::new(K::BadTemplate, Loc::new(loc.file, base + i, base + i + 1))
                                .label("opened here")
                                .help("close the hole with `}`, or write a literal brace as `\\{`"),
                        ));
                    }
                }
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        out.push((false, lit, 0));
    }
    Ok(out)
}

/// Compiles the holes of a parsed template against a check's variables (`slots` of them);
/// `max_slots` grows to the slots the holes need. A hole that does not compile, or would print a
/// secret field, becomes `-` and its error goes to `errs`.
pub(super) fn compile_template(
    t: Option<&(RawTemplate, Loc)>,
    names: &Names,
    vars: &[VarInfo],
    slots: usize,
    errs: &mut Vec<PolicyError>,
    max_slots: &mut usize,
) -> Vec<Part> {
    let Some((Ok(pieces), loc)) = t else { return Vec::new() };
    let mut out = Vec::new();
    for (hole, text, offset) in pieces {
        if !hole {
            out.push(Part::Lit(text.clone()));
            continue;
        }
        match crate::syntax::parse_expr(loc.file, *offset, text) {
            Ok(e) => {
                let mut c = Compiler::with_vars(names, vars, slots);
                let (ir, _) = c.expr(&e);
                *max_slots = (*max_slots).max(c.slots());
                let leak = ir.prints_secret(names.schema).then(|| {
                    PolicyError::new(K::Mismatch { detail: format!("message hole `{{{text}}}` would print a secret field") }, Loc::new(loc.file, *offset, *offset + text.len()))
                        .label("personal data")
                        .help("secret fields (personal data) may only be tested, e.g. `{if looks_like_cn_id(c.value) then \"身份证号\" else \"手机号\"}`")
                });
                match c.errors.into_iter().next().or(leak) {
                    Some(err) => {
                        errs.push(err);
                        out.push(Part::Lit("-".into()));
                    }
                    None => out.push(Part::Hole(ir)),
                }
            }
            Err(e) => {
                // The label goes on the whole hole, braces included: the expression is what the
                // author wrote between them; the parser's own words say where it went wrong.
                let into = (e.loc().start as usize).saturating_sub(*offset);
                let column = text.get(..into).map_or(0, |t| t.chars().count());
                let hole = Loc::new(loc.file, offset.saturating_sub(1), *offset + text.len() + 1);
                errs.push(
                    PolicyError::new(K::BadHole { hole: text.clone(), reason: e.to_string() }, hole)
                        .label(format!("this hole does not parse ({} at character {})", e.label(), column + 1))
                        .help("a hole holds one expression over the check's variables, e.g. `{c.id}`; write a literal brace as `\\{`"),
                );
                out.push(Part::Lit("-".into()));
            }
        }
    }
    out
}
