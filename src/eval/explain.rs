//! Why a check failed for a subject: the failing sub-conditions, outermost first, with the
//! values bound at that point. Values that look like personal data are never shown.

use super::interp::Ctx;
use crate::base::lang::Lang;
use crate::base::value::{RecordRef, Value};
use crate::policy::ir::Ir;
use crate::policy::{Check, Policy};
use crate::syntax::ast::{BinOp, Quant};

/// What a hidden value shows as.
const HIDDEN: &str = "[已隐藏]";

/// How many fields of an object an explanation shows.
const OBJECT_FIELDS: usize = 4;

/// Maximum depth of an explanation.
const MAX_DEPTH: usize = 12;

/// Explains why `check` fails for `subject` (or, for a check without a subject, overall).
/// Returns the lines of the explanation; empty if the check holds.
pub fn explain(policy: &Policy, ctx: &Ctx, check: &Check, subject: Option<RecordRef>) -> Vec<String> {
    let mut env = vec![Value::None; check.slots.max(1)];
    let mut out = Vec::new();
    let ex = Explainer { policy, ctx, check };
    let ir = &check.traced;
    match (ir.unwrapped(), subject) {
        (Ir::Quant { q: Quant::Forall, slot, src, filter, body: Some(body) }, Some(r)) => {
            // A planned source (an index lookup) carries part of the filter: the subject must
            // be one of its elements.
            if !matches!(src, crate::policy::ir::Source::Kind(_)) {
                let list = Ir::Comp { slot: *slot, src: src.clone(), filter: None, body: Box::new(Ir::Var(*slot)) };
                let in_source = ctx.eval(&list, &mut env).as_list().is_some_and(|l| l.contains(&Value::Record(r)));
                if !in_source {
                    return out;
                }
            }
            if let Some(x) = env.get_mut(*slot) {
                *x = Value::Record(r);
            }
            if filter.as_ref().is_some_and(|f| !ctx.eval(f, &mut env).truthy()) {
                return out;
            }
            if !ctx.eval(body, &mut env).truthy() {
                out.push(format!("{} = {}", ex.var(*slot), ex.show(&Value::Record(r))));
                ex.why(body, &mut env, 1, &mut out);
            }
        }
        _ => {
            if !ctx.eval(ir, &mut env).truthy() {
                ex.why(ir, &mut env, 0, &mut out);
            }
        }
    }
    out
}

struct Explainer<'a> {
    policy: &'a Policy,
    ctx: &'a Ctx<'a>,
    check: &'a Check,
}

impl Explainer<'_> {
    fn var(&self, slot: usize) -> String {
        self.check.vars.iter().find(|v| v.slot == slot).map_or_else(|| format!("#{slot}"), |v| v.name.clone())
    }

    /// A value for people: records by `kind:id`; strings that look like personal data hidden.
    fn show(&self, v: &Value) -> String {
        match v {
            Value::Record(r) => {
                let kind = &self.policy.schema.kind(r.kind).name;
                let id = self.ctx.id_of(*r);
                let id = id.as_deref().unwrap_or("?");
                // A declaration by its kind and name, as the pack writes it (`approval 重大改革`);
                // a record of the org by its subject (`change:CHG-1`).
                match kind.strip_prefix("policy.") {
                    Some(decl) => format!("{decl} {id}"),
                    None => format!("{kind}:{id}"),
                }
            }
            Value::Str(s) if looks_personal(s) => HIDDEN.into(),
            Value::Str(s) => format!("\"{s}\""),
            Value::None => "none".into(),
            Value::List(l) if l.len() > 8 => format!("[{} 项]", l.len()),
            Value::List(l) => format!("[{}]", l.iter().map(|x| self.show(x)).collect::<Vec<_>>().join(", ")),
            // A sub-declaration (`step`) or an item of a record's list, by its fields: the
            // name first, and a few others (never a secret: personal-looking text is hidden).
            Value::Object(o) => match o.get("name").and_then(Value::as_str) {
                Some(name) => format!("\"{name}\""),
                None => {
                    let shown: Vec<String> = o
                        .fields()
                        .filter(|(_, v)| !v.is_none())
                        .take(OBJECT_FIELDS)
                        .map(|(k, v)| format!("{k}: {}", self.show(v)))
                        .collect();
                    let more = o.fields().filter(|(_, v)| !v.is_none()).count() > OBJECT_FIELDS;
                    format!("{{{}{}}}", shown.join(", "), if more { ", …" } else { "" })
                }
            },
            // Explanations show values as messages do (in Chinese, the pack's language).
            other => other.shown(Lang::Zh).to_string(),
        }
    }

    /// The kind of the sub-declarations a quantifier ranges over (`step` for `forall s in
    /// x.step`, `x` a declaration), if that is its source.
    fn sub_kind(&self, src: &crate::policy::ir::Source) -> Option<String> {
        let crate::policy::ir::Source::Expr(e) = src else { return None };
        match e.unwrapped() {
            Ir::Field(_, crate::policy::ir::FieldAcc::Slot(k, s)) => {
                let ks = self.policy.schema.kind(*k);
                ks.name.starts_with("policy.").then(|| ks.fields.get(*s).map(|f| f.name.clone()))?
            }
            _ => None,
        }
    }

    /// An operand's value for people, or `[已隐藏]` where the operand is a secret field's value
    /// (such values may be checked, never shown).
    /// The value of a `personal` field shows masked (`"王*"`), as in messages, unless the run
    /// shows personal data.
    fn operand(&self, ir: &Ir, v: &Value) -> String {
        if ir.prints_secret(&self.policy.schema) {
            HIDDEN.into()
        } else if !self.ctx.show_personal && ir.prints_personal(&self.policy.schema) {
            self.show(&masked(v))
        } else {
            self.show(v)
        }
    }

    fn text(&self, loc: crate::base::source::Loc) -> String {
        let t = self.policy.sources.slice(loc).split_whitespace().collect::<Vec<_>>().join(" ");
        if t.chars().count() > 90 { format!("{}…", t.chars().take(90).collect::<String>()) } else { t }
    }

    /// Appends why `ir` (known to be false) is false.
    fn why(&self, ir: &Ir, env: &mut [Value], depth: usize, out: &mut Vec<String>) {
        if depth > MAX_DEPTH {
            return;
        }
        let pad = "  ".repeat(depth);
        let (loc, inner) = match ir {
            Ir::At(loc, inner) => (Some(*loc), &**inner),
            other => (None, other),
        };
        let text = loc.map(|l| format!("`{}`", self.text(l))).unwrap_or_else(|| "this condition".into());
        match inner {
            Ir::Bin(BinOp::And, a, b) => {
                if !self.ctx.eval(a, env).truthy() {
                    self.why(a, env, depth, out);
                } else {
                    self.why(b, env, depth, out);
                }
            }
            Ir::Bin(BinOp::Or, a, b) => {
                out.push(format!("{pad}{text} — neither side holds:"));
                self.why(a, env, depth + 1, out);
                self.why(b, env, depth + 1, out);
            }
            Ir::Bin(BinOp::Implies, _, b) => {
                out.push(format!("{pad}{text} — the condition holds but its consequence does not:"));
                self.why(b, env, depth + 1, out);
            }
            Ir::Bin(op, a, b) if op.is_comparison() || matches!(op, BinOp::In | BinOp::NotIn) => {
                let (x, y) = (self.ctx.eval(a, env), self.ctx.eval(b, env));
                let (x, y) = (self.operand(a, &x), self.operand(b, &y));
                out.push(format!("{pad}{text} is false: left = {x}, right = {y}"));
            }
            Ir::Not(_) => out.push(format!("{pad}{text} is false: the negated condition holds")),
            Ir::Quant { q: Quant::Forall, slot, src, body: Some(body), .. } => {
                // Evaluating the quantifier leaves its first counterexample bound.
                self.ctx.eval(inner, env);
                let x = env.get(*slot).cloned().unwrap_or_default();
                let shown = match (self.sub_kind(src), &x) {
                    // A sub-declaration by its kind and name (`step 投诉调查与处理`).
                    (Some(kind), Value::Object(o)) if o.get("name").and_then(Value::as_str).is_some() => {
                        format!("{kind} {}", o.get("name").and_then(Value::as_str).unwrap_or_default())
                    }
                    _ => self.show(&x),
                };
                out.push(format!("{pad}{text} fails for {} = {shown}", self.var(*slot)));
                self.why(body, env, depth + 1, out);
            }
            Ir::Quant { q: Quant::Exists, .. } => out.push(format!("{pad}{text} is false: no element qualifies")),
            Ir::If(c, t, f) => {
                let branch = if self.ctx.eval(c, env).truthy() { t } else { f };
                self.why(branch, env, depth, out);
            }
            _ => out.push(format!("{pad}{text} is false")),
        }
    }
}

/// `v` with each string in it masked as the value of a `personal` field.
fn masked(v: &Value) -> Value {
    match v {
        Value::Str(s) => Value::Str(crate::base::redact::mask_personal(s).into()),
        Value::List(l) => Value::list(l.iter().map(masked).collect()),
        other => other.clone(),
    }
}

/// Whether a string looks like an ID-card number, a mobile number or a full address.
fn looks_personal(s: &str) -> bool {
    crate::base::detect::contains_cn_id(s)
        || crate::base::detect::contains_cn_mobile(s)
        || (crate::base::detect::province_prefix(s).is_some() && !crate::base::detect::is_province(s))
}
