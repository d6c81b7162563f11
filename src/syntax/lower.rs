//! Pairs → AST: one `lower_<rule>` function per grammar rule, a Pratt parser for operators.

use std::sync::LazyLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::ast::*;
use super::error::SyntaxError;
use super::grammar::Rule;
use crate::base::source::{FileId, Loc};
use crate::base::value::{CmpOp, Duration};

type Result<T> = std::result::Result<T, SyntaxError>;

/// Operator precedence, loosest first; also used by the depth check, which must see the same tree.
pub(super) static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_implies, Assoc::Right))
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_not_in, Assoc::Left)
            | Op::infix(Rule::op_matches, Assoc::Left))
        .op(Op::infix(Rule::op_coalesce, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
        .op(Op::postfix(Rule::member) | Op::postfix(Rule::index))
});

/// Lowers pairs of one file into AST nodes.
pub(crate) struct AstBuilder {
    file: FileId,
    /// Byte offset added to every pest position (for re-parsing a tail after an error).
    base: usize,
}

impl AstBuilder {
    pub(crate) fn new(file: FileId, base: usize) -> Self {
        AstBuilder { file, base }
    }

    fn loc(&self, p: &Pair<Rule>) -> Loc {
        let s = p.as_span();
        Loc::new(self.file, self.base + s.start(), self.base + s.end())
    }

    fn internal(&self, p: &Pair<Rule>, what: &str) -> SyntaxError {
        SyntaxError::internal(self.loc(p), format!("unexpected `{:?}` in {what}", p.as_rule()))
    }

    fn ident(&self, p: Pair<Rule>) -> Ident {
        Ident { name: p.as_str().to_string(), loc: self.loc(&p) }
    }

    pub(crate) fn lower_items(&self, pairs: Pairs<Rule>, out: &mut Vec<Item>) -> Result<()> {
        for p in pairs {
            match p.as_rule() {
                Rule::include => out.push(Item::Include(self.lower_include(p)?)),
                Rule::rule_decl => out.push(Item::Rule(self.lower_rule(p)?)),
                Rule::record_decl => out.push(Item::Record(self.lower_record(p)?)),
                Rule::decl => out.push(Item::Decl(self.lower_decl(p)?)),
                Rule::extends => out.push(Item::Extends(self.lower_include(p)?)),
                Rule::override_decl => out.push(Item::Override(self.lower_decl(p)?)),
                Rule::disable_decl => out.push(Item::Disable(self.lower_disable(p)?)),
                Rule::EOI => {}
                _ => return Err(self.internal(&p, "file")),
            }
        }
        Ok(())
    }

    fn lower_include(&self, p: Pair<Rule>) -> Result<Include> {
        let loc = self.loc(&p);
        let s = p.into_inner().find(|q| q.as_rule() == Rule::string);
        let s = s.ok_or_else(|| SyntaxError::internal(loc, "include without path".into()))?;
        let path_loc = self.loc(&s);
        Ok(Include { path: self.lower_string(s)?, loc, path_loc })
    }

    fn lower_disable(&self, p: Pair<Rule>) -> Result<Disable> {
        let loc = self.loc(&p);
        let (mut id, mut entries) = (None, Vec::new());
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::kw_disable | Rule::kw_rule => {}
                Rule::rule_id => id = Some(self.ident(q)),
                Rule::block => entries = self.lower_block(q)?,
                _ => return Err(self.internal(&q, "disable")),
            }
        }
        let id = id.ok_or_else(|| SyntaxError::internal(loc, "disable without rule id".into()))?;
        Ok(Disable { id, entries, loc })
    }

    fn lower_rule(&self, p: Pair<Rule>) -> Result<RuleDecl> {
        let loc = self.loc(&p);
        let (mut id, mut severity, mut title, mut entries) = (None, None, None, Vec::new());
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::kw_rule => {}
                Rule::rule_id => id = Some(self.ident(q)),
                Rule::severity => {
                    let sev = match q.as_str() {
                        "warning" => Severity::Warning,
                        "info" => Severity::Info,
                        _ => Severity::Error,
                    };
                    severity = Some((sev, self.loc(&q)));
                }
                Rule::string => {
                    let l = self.loc(&q);
                    title = Some((self.lower_string(q)?, l));
                }
                Rule::block => entries = self.lower_block(q)?,
                _ => return Err(self.internal(&q, "rule")),
            }
        }
        let id = id.ok_or_else(|| SyntaxError::internal(loc, "rule without id".into()))?;
        Ok(RuleDecl { id, severity, title, entries, loc })
    }

    fn lower_record(&self, p: Pair<Rule>) -> Result<RecordDecl> {
        let loc = self.loc(&p);
        let (mut kind, mut title, mut aliases, mut fields, mut stream) = (None, None, Vec::new(), Vec::new(), None);
        let (mut open, mut dated_by) = (false, None);
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::kw_record => {}
                Rule::ident => kind = Some(self.ident(q)),
                Rule::string => title = Some(self.lower_string(q)?),
                Rule::record_alias => {
                    aliases = q.into_inner().filter(|a| a.as_rule() == Rule::ident).map(|a| self.ident(a)).collect()
                }
                Rule::record_stream => {
                    if let Some(s) = q.into_inner().find(|x| x.as_rule() == Rule::string) {
                        let l = self.loc(&s);
                        stream = Some((self.lower_string(s)?, l));
                    }
                }
                Rule::record_block => fields = self.lower_fields(q)?,
                Rule::record_open => open = true,
                Rule::record_dated => {
                    dated_by = q.into_inner().find(|x| x.as_rule() == Rule::ident).map(|x| self.ident(x))
                }
                _ => return Err(self.internal(&q, "record")),
            }
        }
        let kind = kind.ok_or_else(|| SyntaxError::internal(loc, "record without kind".into()))?;
        Ok(RecordDecl { kind, title, aliases, fields, stream, open, dated_by, loc })
    }

    fn lower_fields(&self, p: Pair<Rule>) -> Result<Vec<FieldDecl>> {
        p.into_inner().map(|f| self.lower_field(f)).collect()
    }

    fn lower_field(&self, p: Pair<Rule>) -> Result<FieldDecl> {
        let loc = self.loc(&p);
        let (mut name, mut optional, mut ty, mut doc, mut secret, mut personal, mut keys) =
            (None, false, None, None, false, false, None);
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::ident => name = Some(self.ident(q)),
                Rule::optional => optional = true,
                Rule::secret => secret = true,
                Rule::personal => personal = true,
                Rule::type_expr => ty = Some(self.lower_type(q)?),
                Rule::string => doc = Some(self.lower_string(q)?),
                Rule::field_keys => keys = Some(self.lower_keys(q)?),
                _ => return Err(self.internal(&q, "field")),
            }
        }
        match (name, ty) {
            (Some(name), Some(ty)) => Ok(FieldDecl { name, optional, secret, personal, ty, keys, doc, loc }),
            _ => Err(SyntaxError::internal(loc, "incomplete field".into())),
        }
    }

    /// `keys ref kind(scope).member if field == word`.
    fn lower_keys(&self, p: Pair<Rule>) -> Result<FieldKeys> {
        let loc = self.loc(&p);
        let (mut vocab, mut field, mut word) = (None, None, None);
        for q in p.into_inner() {
            match q.as_rule() {
                // `ref_type` is lowered as the `type_expr` it is the inner rule of.
                Rule::ref_type => vocab = Some(self.lower_ref(q)?),
                Rule::ident => field = Some(self.ident(q)),
                Rule::name => word = Some(self.lower_name(q)?),
                _ => {}
            }
        }
        let vocab = vocab.ok_or_else(|| SyntaxError::internal(loc, "`keys` without a vocabulary".into()))?;
        Ok(FieldKeys { vocab, when: field.zip(word), loc })
    }

    fn lower_type(&self, p: Pair<Rule>) -> Result<TypeExpr> {
        let loc = self.loc(&p);
        let inner = p.into_inner().next().ok_or_else(|| SyntaxError::internal(loc, "empty type".into()))?;
        let iloc = self.loc(&inner);
        Ok(match inner.as_rule() {
            Rule::ident => TypeExpr::Named(self.ident(inner)),
            Rule::list_type => {
                let t =
                    inner.into_inner().next().ok_or_else(|| SyntaxError::internal(iloc, "empty list type".into()))?;
                TypeExpr::List(Box::new(self.lower_type(t)?), iloc)
            }
            Rule::ref_type => self.lower_ref(inner)?,
            Rule::enum_type => {
                let mut items = Vec::new();
                for q in inner.into_inner().filter(|q| q.as_rule() == Rule::name) {
                    items.push(self.lower_name(q)?);
                }
                TypeExpr::Enum(items, iloc)
            }
            Rule::record_block => TypeExpr::Object(self.lower_fields(inner)?, iloc),
            _ => return Err(self.internal(&inner, "type")),
        })
    }

    /// `ref kind`, or a vocabulary `ref kind(scope).member | …`.
    fn lower_ref(&self, p: Pair<Rule>) -> Result<TypeExpr> {
        let iloc = self.loc(&p);
        let (mut kind, mut scope, mut member) = (None, Vec::new(), None);
        let mut more = Vec::new();
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::ident => kind = Some(self.ident(q)),
                Rule::ref_scope => scope = self.ref_scope(q)?,
                Rule::ref_member => member = q.into_inner().find(|x| x.as_rule() == Rule::ident).map(|m| self.ident(m)),
                Rule::ref_or => more.push(self.ref_or(q)?),
                _ => {}
            }
        }
        let k = kind.ok_or_else(|| SyntaxError::internal(iloc, "ref without kind".into()))?;
        Ok(match member {
            Some(member) => {
                let mut parts = vec![VocabPart { kind: k, scope, member }];
                parts.extend(more);
                TypeExpr::Vocab { parts, loc: iloc }
            }
            None => TypeExpr::Ref(k),
        })
    }

    /// The names of `(a, b)` in `ref kind(a, b).member`.
    fn ref_scope(&self, p: Pair<Rule>) -> Result<Vec<Ident>> {
        p.into_inner().filter(|x| x.as_rule() == Rule::name).map(|n| self.lower_name(n)).collect()
    }

    /// `| kind(scope).member`, one more source of a vocabulary.
    fn ref_or(&self, p: Pair<Rule>) -> Result<VocabPart> {
        let loc = self.loc(&p);
        let (mut kind, mut scope, mut member) = (None, Vec::new(), None);
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::ident => kind = Some(self.ident(q)),
                Rule::ref_scope => scope = self.ref_scope(q)?,
                Rule::ref_member => member = q.into_inner().find(|x| x.as_rule() == Rule::ident).map(|m| self.ident(m)),
                _ => {}
            }
        }
        match (kind, member) {
            (Some(kind), Some(member)) => Ok(VocabPart { kind, scope, member }),
            _ => Err(SyntaxError::internal(loc, "`|` without kind.member".into())),
        }
    }

    fn lower_name(&self, p: Pair<Rule>) -> Result<Ident> {
        let loc = self.loc(&p);
        let inner = p.into_inner().next().ok_or_else(|| SyntaxError::internal(loc, "empty name".into()))?;
        let name = match inner.as_rule() {
            Rule::string => self.lower_string(inner)?,
            _ => inner.as_str().to_string(),
        };
        Ok(Ident { name, loc })
    }

    pub(crate) fn lower_decl(&self, p: Pair<Rule>) -> Result<Decl> {
        let loc = self.loc(&p);
        let (mut kind, mut name, mut entries, mut history) = (None, None, Vec::new(), Vec::new());
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::kw_override => {}
                Rule::ident => kind = Some(self.ident(q)),
                Rule::name => name = Some(self.lower_name(q)?),
                Rule::block => (entries, history) = self.lower_dated_block(q)?,
                _ => return Err(self.internal(&q, "declaration")),
            }
        }
        let kind = kind.ok_or_else(|| SyntaxError::internal(loc, "declaration without kind".into()))?;
        Ok(Decl { kind, name, entries, history, loc })
    }

    /// The block of a rule or `disable`: no dated entries there (a rule changes by versions).
    fn lower_block(&self, p: Pair<Rule>) -> Result<Vec<Entry>> {
        let (entries, history) = self.lower_dated_block(p)?;
        match history.first() {
            None => Ok(entries),
            Some(d) => Err(SyntaxError::Invalid {
                message: "a dated value (`from DATE …`) is not allowed here".into(),
                loc: d.loc,
                help: "only declarations (`param`, `appraisal` …) carry dated values; a rule changes by a new version"
                    .into(),
            }),
        }
    }

    /// A declaration's block: its entries and, apart, its dated entries.
    fn lower_dated_block(&self, p: Pair<Rule>) -> Result<(Vec<Entry>, Vec<Dated>)> {
        let (mut out, mut history) = (Vec::new(), Vec::new());
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::decl => out.push(Entry::Decl(self.lower_decl(q)?)),
                Rule::attr => out.push(Entry::Attr(self.lower_attr(q)?)),
                Rule::dated => history.push(self.lower_dated(q)?),
                _ => return Err(self.internal(&q, "block")),
            }
        }
        Ok((out, history))
    }

    fn lower_dated(&self, p: Pair<Rule>) -> Result<Dated> {
        let loc = self.loc(&p);
        let (mut from, mut entry) = (None, None);
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::kw_from => {}
                Rule::date => {
                    let l = self.loc(&q);
                    match self.lower_primary(q)?.kind {
                        ExprKind::Lit(Literal::Date(d)) => from = Some((d, l)),
                        _ => return Err(SyntaxError::internal(l, "dated entry without a date".into())),
                    }
                }
                Rule::decl => entry = Some(Entry::Decl(self.lower_decl(q)?)),
                Rule::attr => entry = Some(Entry::Attr(self.lower_attr(q)?)),
                _ => return Err(self.internal(&q, "dated entry")),
            }
        }
        match (from, entry) {
            (Some((from, from_loc)), Some(entry)) => Ok(Dated { from, from_loc, entry, loc }),
            _ => Err(SyntaxError::internal(loc, "incomplete dated entry".into())),
        }
    }

    fn lower_attr(&self, p: Pair<Rule>) -> Result<Attr> {
        let loc = self.loc(&p);
        let mut inner = p.into_inner();
        let name = inner.next().ok_or_else(|| SyntaxError::internal(loc, "attribute without name".into()))?;
        let name = self.ident(name);
        let values = inner.map(|e| self.lower_expr(e)).collect::<Result<Vec<_>>>()?;
        Ok(Attr { name, values, loc })
    }

    // ------------------------------------------------------------ expressions

    pub(crate) fn lower_expr(&self, p: Pair<Rule>) -> Result<Expr> {
        PRATT
            .map_primary(|q| self.lower_primary(q))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let l = self.loc(&op);
                let u = if op.as_rule() == Rule::op_not { UnOp::Not } else { UnOp::Neg };
                Ok(Expr { loc: l.to(rhs.loc), kind: ExprKind::Unary(u, Box::new(rhs)) })
            })
            .map_postfix(|lhs, op| {
                let lhs = lhs?;
                let l = self.loc(&op);
                match op.as_rule() {
                    Rule::member => {
                        let id =
                            op.into_inner().next().ok_or_else(|| SyntaxError::internal(l, "empty member".into()))?;
                        let id = self.ident(id);
                        Ok(Expr { loc: lhs.loc.to(l), kind: ExprKind::Member(Box::new(lhs), id) })
                    }
                    _ => {
                        let e = op.into_inner().next().ok_or_else(|| SyntaxError::internal(l, "empty index".into()))?;
                        let e = self.lower_expr(e)?;
                        Ok(Expr { loc: lhs.loc.to(l), kind: ExprKind::Index(Box::new(lhs), Box::new(e)) })
                    }
                }
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let b = binop(op.as_rule()).ok_or_else(|| self.internal(&op, "operator"))?;
                Ok(Expr { loc: lhs.loc.to(rhs.loc), kind: ExprKind::Binary(b, Box::new(lhs), Box::new(rhs)) })
            })
            .parse(p.into_inner())
    }

    fn lower_primary(&self, p: Pair<Rule>) -> Result<Expr> {
        let loc = self.loc(&p);
        let kind = match p.as_rule() {
            Rule::expr => return self.lower_expr(p),
            Rule::ident => ExprKind::Name(p.as_str().to_string()),
            Rule::string | Rule::text => ExprKind::Lit(Literal::Str(self.lower_string(p)?)),
            Rule::number => {
                let s = p.as_str();
                match s.parse::<i64>() {
                    Ok(i) => ExprKind::Lit(Literal::Int(i)),
                    Err(_) => ExprKind::Lit(Literal::Num(parse_f64(s, loc)?)),
                }
            }
            Rule::percent => {
                let n = p.as_str().trim_end_matches('%');
                ExprKind::Lit(Literal::Percent(parse_f64(n, loc)?))
            }
            Rule::date => {
                let d: jiff::civil::Date = p.as_str().parse().map_err(|_| {
                    SyntaxError::invalid(
                        loc,
                        "invalid date",
                        "dates are written YYYY-MM-DD and must exist in the calendar",
                    )
                })?;
                ExprKind::Lit(Literal::Date(d))
            }
            Rule::datetime => {
                let t: jiff::Timestamp = p.as_str().parse().map_err(|_| {
                    SyntaxError::invalid(loc, "invalid datetime", "write datetimes as 2026-03-01T09:30:00+08:00")
                })?;
                ExprKind::Lit(Literal::DateTime(t))
            }
            Rule::duration => ExprKind::Lit(Literal::Duration(self.lower_duration(p)?)),
            Rule::boolean => ExprKind::Lit(Literal::Bool(p.as_str() == "true")),
            Rule::none => ExprKind::Lit(Literal::None),
            Rule::list => {
                // `[e for x in xs]` is a `list` whose second child is the `comprehension` tail.
                let mut inner = p.into_inner();
                match (inner.next(), inner.peek().map(|q| q.as_rule())) {
                    (Some(e), Some(Rule::comprehension)) => {
                        let e = self.lower_expr(e)?;
                        let tail =
                            inner.next().ok_or_else(|| SyntaxError::internal(loc, "empty comprehension".into()))?;
                        let (binding, _) = self.lower_binding_and_body(tail.into_inner(), loc)?;
                        ExprKind::Comprehension(Box::new(e), binding)
                    }
                    (first, _) => ExprKind::List(
                        first.into_iter().chain(inner).map(|e| self.lower_expr(e)).collect::<Result<_>>()?,
                    ),
                }
            }
            Rule::call => {
                let mut inner = p.into_inner();
                let f = inner.next().ok_or_else(|| SyntaxError::internal(loc, "call without name".into()))?;
                let f = self.ident(f);
                let args = inner.map(|e| self.lower_expr(e)).collect::<Result<_>>()?;
                ExprKind::Call(f, args)
            }
            Rule::target => {
                let mut inner = p.into_inner();
                let op = inner.next().ok_or_else(|| SyntaxError::internal(loc, "target without operator".into()))?;
                let op = cmp_op(op.as_str());
                // The rest is `prefix* primary`: reuse the Pratt parser on those pairs.
                let operand = PRATT
                    .map_primary(|q| self.lower_primary(q))
                    .map_prefix(|op, rhs| {
                        let rhs = rhs?;
                        let u = if op.as_rule() == Rule::op_not { UnOp::Not } else { UnOp::Neg };
                        Ok(Expr { loc: self.loc(&op).to(rhs.loc), kind: ExprKind::Unary(u, Box::new(rhs)) })
                    })
                    .map_postfix(|lhs, _| lhs)
                    .map_infix(|lhs, _, _| lhs)
                    .parse(inner)?;
                ExprKind::Target(op, Box::new(operand))
            }
            Rule::quantifier => {
                let mut inner = p.into_inner();
                let q = inner.next().ok_or_else(|| SyntaxError::internal(loc, "empty quantifier".into()))?;
                let quant = if q.as_rule() == Rule::kw_forall { Quant::Forall } else { Quant::Exists };
                let (binding, body) = self.lower_binding_and_body(inner, loc)?;
                ExprKind::Quant(quant, binding, body.map(Box::new))
            }
            Rule::count => {
                let (binding, _) = self.lower_binding_and_body(p.into_inner(), loc)?;
                ExprKind::Count(binding)
            }
            Rule::sum => {
                let (binding, body) = self.lower_binding_and_body(p.into_inner(), loc)?;
                let body = body.ok_or_else(|| SyntaxError::internal(loc, "sum without body".into()))?;
                ExprKind::Sum(binding, Box::new(body))
            }
            Rule::conditional => {
                let mut es = p.into_inner().filter(|q| q.as_rule() == Rule::expr);
                let mut next = || -> Result<Expr> {
                    let e = es.next().ok_or_else(|| SyntaxError::internal(loc, "incomplete if".into()))?;
                    self.lower_expr(e)
                };
                let (c, t, e) = (next()?, next()?, next()?);
                ExprKind::If(Box::new(c), Box::new(t), Box::new(e))
            }
            _ => return Err(self.internal(&p, "expression")),
        };
        Ok(Expr { kind, loc })
    }

    fn lower_binding_and_body(&self, pairs: Pairs<Rule>, loc: Loc) -> Result<(Binding, Option<Expr>)> {
        let (mut binding, mut filter, mut body) = (None, None, None);
        for q in pairs {
            match q.as_rule() {
                Rule::kw_count | Rule::kw_sum | Rule::kw_for => {}
                Rule::binding => {
                    let mut it = q.into_inner().filter(|x| x.as_rule() != Rule::kw_in);
                    let var = it.next().ok_or_else(|| SyntaxError::internal(loc, "binding without variable".into()))?;
                    let coll =
                        it.next().ok_or_else(|| SyntaxError::internal(loc, "binding without collection".into()))?;
                    binding = Some((self.ident(var), self.lower_expr(coll)?));
                }
                Rule::filter => {
                    let e = q.into_inner().find(|x| x.as_rule() == Rule::expr);
                    let e = e.ok_or_else(|| SyntaxError::internal(loc, "empty where".into()))?;
                    filter = Some(Box::new(self.lower_expr(e)?));
                }
                Rule::expr => body = Some(self.lower_expr(q)?),
                _ => return Err(self.internal(&q, "quantifier")),
            }
        }
        let (var, coll) = binding.ok_or_else(|| SyntaxError::internal(loc, "missing binding".into()))?;
        Ok((Binding { var, coll: Box::new(coll), filter }, body))
    }

    fn lower_duration(&self, p: Pair<Rule>) -> Result<Duration> {
        let loc = self.loc(&p);
        let text = p.as_str();
        let mut inner = p.into_inner();
        let n = inner.next().ok_or_else(|| SyntaxError::internal(loc, "duration without number".into()))?;
        let unit = inner.next().ok_or_else(|| SyntaxError::internal(loc, "duration without unit".into()))?;
        let n = parse_f64(n.as_str(), loc)?;
        let d = Duration::from_unit(n, unit.as_str()).ok_or_else(|| {
            SyntaxError::invalid(loc, "invalid duration", "months and years are whole numbers below 10000")
        })?;
        // A date moved by more than this leaves the calendar dates can hold (years 1 to 9999):
        // refused here, where the literal is, rather than left to evaluate to `none` in every run.
        if d.secs.unsigned_abs() > Duration::MAX_SECS {
            return Err(SyntaxError::invalid(
                loc,
                &format!("duration `{text}` is out of range"),
                "a duration lies within 7304484 days (1043497 weeks, 175307616 hours, 10518456960 minutes); months and years are whole numbers below 10000",
            ));
        }
        Ok(d)
    }

    pub(crate) fn lower_string(&self, p: Pair<Rule>) -> Result<String> {
        let loc = self.loc(&p);
        let inner = p.into_inner().next();
        let raw = inner.as_ref().map_or("", |i| i.as_str());
        if raw.is_empty() {
            return Ok(String::new());
        }
        let is_text = inner.as_ref().is_some_and(|i| i.as_rule() == Rule::text_inner);
        if is_text {
            return Ok(dedent(raw));
        }
        unescape(raw)
            .ok_or_else(|| SyntaxError::invalid(loc, "invalid escape", "escapes are \\\" \\\\ \\n \\t \\{ \\}"))
    }
}

fn parse_f64(s: &str, loc: Loc) -> Result<f64> {
    s.parse::<f64>().map_err(|_| SyntaxError::invalid(loc, "invalid number", "write numbers as 500 or 3.5"))
}

fn binop(r: Rule) -> Option<BinOp> {
    Some(match r {
        Rule::op_implies => BinOp::Implies,
        Rule::op_or => BinOp::Or,
        Rule::op_and => BinOp::And,
        Rule::op_coalesce => BinOp::Coalesce,
        Rule::op_in => BinOp::In,
        Rule::op_not_in => BinOp::NotIn,
        Rule::op_matches => BinOp::Matches,
        Rule::op_eq => BinOp::Eq,
        Rule::op_ne => BinOp::Ne,
        Rule::op_lt => BinOp::Lt,
        Rule::op_le => BinOp::Le,
        Rule::op_gt => BinOp::Gt,
        Rule::op_ge => BinOp::Ge,
        Rule::op_add => BinOp::Add,
        Rule::op_sub => BinOp::Sub,
        Rule::op_mul => BinOp::Mul,
        Rule::op_div => BinOp::Div,
        _ => return None,
    })
}

fn cmp_op(s: &str) -> CmpOp {
    match s {
        ">=" => CmpOp::Ge,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        "<" => CmpOp::Lt,
        "!=" => CmpOp::Ne,
        _ => CmpOp::Eq,
    }
}

/// Resolves the escapes of a `"…"` string; `None` on an unknown escape.
pub(crate) fn unescape(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            // Kept escaped so message templates can tell a literal brace from a hole.
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            _ => return None,
        }
    }
    Some(out)
}

/// Strips the common indentation of a `"""` text block and its leading/trailing blank lines.
fn dedent(raw: &str) -> String {
    let lines: Vec<&str> = raw.lines().collect();
    let start = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|l| !l.trim().is_empty()).map_or(start, |e| e + 1);
    let body = &lines[start..end];
    let indent = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    body.iter()
        .map(|l| if l.trim().is_empty() { "" } else { l.get(indent..).unwrap_or(l) })
        .collect::<Vec<_>>()
        .join("\n")
}
