//! The abstract syntax tree of a policy file, exactly as written (nothing resolved yet).

use crate::base::source::Loc;
use crate::base::value::CmpOp;

/// A name with its location.
#[derive(Clone, Debug)]
pub struct Ident {
    /// The text.
    pub name: String,
    /// Where it was written.
    pub loc: Loc,
}

/// One parsed file.
#[derive(Clone, Debug, Default)]
pub struct File {
    /// Top-level items in source order.
    pub items: Vec<Item>,
}

/// A top-level item.
#[derive(Clone, Debug)]
pub enum Item {
    /// `include "path"`.
    Include(Include),
    /// `rule ID severity "title" { … }`.
    Rule(RuleDecl),
    /// `record kind { … }`.
    Record(RecordDecl),
    /// Any other declaration, e.g. `role 运营经理 { … }`.
    Decl(Decl),
    /// `extends "builtin"`: the pack this one builds on (an overlay).
    Extends(Include),
    /// `override approval 预算 { … }`: replaces the attributes given of a base declaration.
    Override(Decl),
    /// `disable rule APV-6 { reason "…" }`: turns a rule of the base pack off.
    Disable(Disable),
}

/// `disable rule ID { reason "…" approved_by "…" }`.
#[derive(Clone, Debug)]
pub struct Disable {
    /// The rule ID.
    pub id: Ident,
    /// The body (`reason`, `approved_by`).
    pub entries: Vec<Entry>,
    /// Whole item.
    pub loc: Loc,
}

/// `include "path"`.
#[derive(Clone, Debug)]
pub struct Include {
    /// The path as written.
    pub path: String,
    /// Location of the whole item.
    pub loc: Loc,
    /// Location of the path string.
    pub path_loc: Loc,
}

/// A generic declaration or sub-declaration.
#[derive(Clone, Debug)]
pub struct Decl {
    /// The declaration kind (`role`, `approval`, `kpi` …).
    pub kind: Ident,
    /// The optional name.
    pub name: Option<Ident>,
    /// The body.
    pub entries: Vec<Entry>,
    /// Dated entries (`from 2027-01-01 value 1 day`), in source order: the history of the
    /// attribute or nested declaration they name. Kept apart from `entries` so code that does
    /// not know about histories sees the undated value only.
    pub history: Vec<Dated>,
    /// Location of the whole declaration.
    pub loc: Loc,
}

/// `from DATE entry`: an attribute or nested declaration in force from a date on.
#[derive(Clone, Debug)]
pub struct Dated {
    /// The first day the entry is in force.
    pub from: jiff::civil::Date,
    /// Location of the date.
    pub from_loc: Loc,
    /// The entry.
    pub entry: Entry,
    /// Location of the whole dated entry.
    pub loc: Loc,
}

impl Entry {
    /// The attribute's or nested declaration's name (`value`, `weights`).
    pub fn key(&self) -> &Ident {
        match self {
            Entry::Attr(a) => &a.name,
            Entry::Decl(d) => &d.kind,
        }
    }
}

/// An entry of a declaration body.
#[derive(Clone, Debug)]
pub enum Entry {
    /// `name value, value`.
    Attr(Attr),
    /// A nested declaration.
    Decl(Decl),
}

/// An attribute: a name followed by one or more values.
#[derive(Clone, Debug)]
pub struct Attr {
    /// Attribute name.
    pub name: Ident,
    /// Values (at least one).
    pub values: Vec<Expr>,
    /// Location of the whole attribute.
    pub loc: Loc,
}

/// Rule severities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Should be fixed.
    Warning,
    /// Must be fixed.
    Error,
}

impl Severity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// `rule ID severity "title" { … }`.
#[derive(Clone, Debug)]
pub struct RuleDecl {
    /// The rule ID, e.g. `APV-3`.
    pub id: Ident,
    /// Severity if written.
    pub severity: Option<(Severity, Loc)>,
    /// Title if written in the header.
    pub title: Option<(String, Loc)>,
    /// Body entries.
    pub entries: Vec<Entry>,
    /// Whole rule.
    pub loc: Loc,
}

/// `record kind "title" alias a, b { fields }`.
#[derive(Clone, Debug)]
pub struct RecordDecl {
    /// Record kind.
    pub kind: Ident,
    /// Human title.
    pub title: Option<String>,
    /// Alternative file stems (`people` for `person`).
    pub aliases: Vec<Ident>,
    /// For a stream kind: the directory whose files produce its records.
    pub stream: Option<(String, Loc)>,
    /// Declared `open`: records may carry undeclared fields.
    pub open: bool,
    /// `dated_by FIELD`: the field that dates a record of the kind for dated values.
    pub dated_by: Option<Ident>,
    /// Fields.
    pub fields: Vec<FieldDecl>,
    /// Whole declaration.
    pub loc: Loc,
}

/// A field of a record schema.
#[derive(Clone, Debug)]
pub struct FieldDecl {
    /// Field name.
    pub name: Ident,
    /// Marked `?`.
    pub optional: bool,
    /// Marked `secret`: never printed.
    pub secret: bool,
    /// Marked `personal`: printed masked unless asked otherwise.
    pub personal: bool,
    /// Declared type.
    pub ty: TypeExpr,
    /// `keys ref …`: the words a table field's keys must be.
    pub keys: Option<FieldKeys>,
    /// Description.
    pub doc: Option<String>,
    /// Whole field.
    pub loc: Loc,
}

/// `keys ref sop(立项流程).required if kind == 立项`: the keys of a table field are words of a
/// vocabulary, in every record or only in those whose field `kind` holds a given word.
#[derive(Clone, Debug)]
pub struct FieldKeys {
    /// The vocabulary (a [`TypeExpr::Vocab`], or a `ref KIND` the resolver rejects).
    pub vocab: TypeExpr,
    /// The sibling field and the word it must hold for the keys to be checked.
    pub when: Option<(Ident, Ident)>,
    /// Whole clause.
    pub loc: Loc,
}

/// One source of a vocabulary's words: `kind(scope, …).member`.
#[derive(Clone, Debug)]
pub struct VocabPart {
    /// Declaration kind.
    pub kind: Ident,
    /// The declarations whose words count (all of the kind if empty).
    pub scope: Vec<Ident>,
    /// Attribute or nested kind.
    pub member: Ident,
}

/// A type as written in a record schema.
#[derive(Clone, Debug)]
pub enum TypeExpr {
    /// `string`, `date`, a declaration kind …
    Named(Ident),
    /// `[T]`.
    List(Box<TypeExpr>, Loc),
    /// `ref kind`.
    Ref(Ident),
    /// `ref kind.member` or `ref kind(name, …).member`: a word of a declaration's attribute or
    /// nested declarations (`ref sop(客户投诉处理).step`), a string at run time; several
    /// sources joined by `|` take the words of all of them.
    Vocab {
        /// The sources, at least one.
        parts: Vec<VocabPart>,
        /// Whole type.
        loc: Loc,
    },
    /// `enum(a, b)`.
    Enum(Vec<Ident>, Loc),
    /// `{ f: T, … }`.
    Object(Vec<FieldDecl>, Loc),
}

impl TypeExpr {
    /// Location of the type.
    pub fn loc(&self) -> Loc {
        match self {
            TypeExpr::Named(i) | TypeExpr::Ref(i) => i.loc,
            TypeExpr::List(_, l) | TypeExpr::Enum(_, l) | TypeExpr::Object(_, l) => *l,
            TypeExpr::Vocab { loc, .. } => *loc,
        }
    }
}

/// An expression with its location.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub loc: Loc,
}

/// Quantifier kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quant {
    /// `forall`.
    Forall,
    /// `exists`.
    Exists,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `not`.
    Not,
    /// `-`.
    Neg,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `implies`.
    Implies,
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `??`.
    Coalesce,
    /// `in`.
    In,
    /// `not in`.
    NotIn,
    /// `matches`.
    Matches,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Implies => "implies",
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Coalesce => "??",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Matches => "matches",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Whether this is an ordering or equality comparison.
    pub fn is_comparison(self) -> bool {
        self.comparison().is_some()
    }

    /// The comparison this operator makes, if it is one of the six.
    pub fn comparison(self) -> Option<CmpOp> {
        match self {
            BinOp::Eq => Some(CmpOp::Eq),
            BinOp::Ne => Some(CmpOp::Ne),
            BinOp::Lt => Some(CmpOp::Lt),
            BinOp::Le => Some(CmpOp::Le),
            BinOp::Gt => Some(CmpOp::Gt),
            BinOp::Ge => Some(CmpOp::Ge),
            BinOp::Implies
            | BinOp::Or
            | BinOp::And
            | BinOp::Coalesce
            | BinOp::In
            | BinOp::NotIn
            | BinOp::Matches
            | BinOp::Add
            | BinOp::Sub
            | BinOp::Mul
            | BinOp::Div => None,
        }
    }
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// String or text block.
    Str(String),
    /// Integer.
    Int(i64),
    /// Decimal number.
    Num(f64),
    /// Percentage in percent points (`20%` is `20.0`).
    Percent(f64),
    /// Date.
    Date(jiff::civil::Date),
    /// Date and time with offset.
    DateTime(jiff::Timestamp),
    /// Duration.
    Duration(crate::base::value::Duration),
    /// Boolean.
    Bool(bool),
    /// `none`.
    None,
}

/// `x in coll where cond`.
#[derive(Clone, Debug)]
pub struct Binding {
    /// The bound variable.
    pub var: Ident,
    /// The collection.
    pub coll: Box<Expr>,
    /// Optional `where` filter.
    pub filter: Option<Box<Expr>>,
}

/// Expression kinds.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A literal.
    Lit(Literal),
    /// A name: variable, record kind, declared name, parameter.
    Name(String),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `a.b`.
    Member(Box<Expr>, Ident),
    /// `a[i]`.
    Index(Box<Expr>, Box<Expr>),
    /// `f(a, b)`.
    Call(Ident, Vec<Expr>),
    /// Unary operator.
    Unary(UnOp, Box<Expr>),
    /// Binary operator.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `forall` / `exists`.
    Quant(Quant, Binding, Option<Box<Expr>>),
    /// `count(x in c where p)`.
    Count(Binding),
    /// `sum(x in c where p: e)`.
    Sum(Binding, Box<Expr>),
    /// `[e for x in c where p]`.
    Comprehension(Box<Expr>, Binding),
    /// `if a then b else c`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `>= 500`.
    Target(CmpOp, Box<Expr>),
}

impl Expr {
    /// A compact s-expression of the expression, without locations (for tests and debugging):
    /// `a.b == 1 and not c` is `(and (== (. a b) 1) (not c))`.
    pub fn sexpr(&self) -> String {
        let b = |x: &Binding| {
            let f = x.filter.as_ref().map(|f| format!(" where {}", f.sexpr())).unwrap_or_default();
            format!("{} in {}{f}", x.var.name, x.coll.sexpr())
        };
        match &self.kind {
            ExprKind::Lit(Literal::Str(s)) => format!("{s:?}"),
            ExprKind::Lit(Literal::Int(i)) => i.to_string(),
            ExprKind::Lit(Literal::Num(n)) => n.to_string(),
            ExprKind::Lit(Literal::Percent(p)) => format!("{p}%"),
            ExprKind::Lit(Literal::Date(d)) => d.to_string(),
            ExprKind::Lit(Literal::DateTime(t)) => t.to_string(),
            ExprKind::Lit(Literal::Duration(d)) => format!("<{}>", d.to_source()),
            ExprKind::Lit(Literal::Bool(v)) => v.to_string(),
            ExprKind::Lit(Literal::None) => "none".into(),
            ExprKind::Name(n) => n.clone(),
            ExprKind::List(items) => format!("[{}]", items.iter().map(Expr::sexpr).collect::<Vec<_>>().join(" ")),
            ExprKind::Member(e, f) => format!("(. {} {})", e.sexpr(), f.name),
            ExprKind::Index(e, i) => format!("([] {} {})", e.sexpr(), i.sexpr()),
            ExprKind::Call(f, args) => {
                format!("({}{})", f.name, args.iter().map(|a| format!(" {}", a.sexpr())).collect::<String>())
            }
            ExprKind::Unary(UnOp::Not, e) => format!("(not {})", e.sexpr()),
            ExprKind::Unary(UnOp::Neg, e) => format!("(neg {})", e.sexpr()),
            ExprKind::Binary(op, x, y) => format!("({} {} {})", op.symbol(), x.sexpr(), y.sexpr()),
            ExprKind::Quant(q, x, body) => {
                let q = if *q == Quant::Forall { "forall" } else { "exists" };
                match body {
                    Some(e) => format!("({q} {}: {})", b(x), e.sexpr()),
                    None => format!("({q} {})", b(x)),
                }
            }
            ExprKind::Count(x) => format!("(count {})", b(x)),
            ExprKind::Sum(x, e) => format!("(sum {}: {})", b(x), e.sexpr()),
            ExprKind::Comprehension(e, x) => format!("[{} for {}]", e.sexpr(), b(x)),
            ExprKind::If(c, t, f) => format!("(if {} {} {})", c.sexpr(), t.sexpr(), f.sexpr()),
            ExprKind::Target(op, e) => format!("(target {} {})", op.symbol(), e.sexpr()),
        }
    }
}
