//! The compiled form of rule expressions: names resolved to variable slots, kinds and field
//! slots; joins planned as index lookups. The interpreter walks this, never the AST.

use super::builtin::Builtin;
use crate::base::value::{CmpOp, KindId, Value};
use crate::syntax::ast::{BinOp, Quant};

/// How a field is reached.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldAcc {
    /// A schema slot of a record of this kind.
    Slot(KindId, usize),
    /// An undeclared field of a record (kept in `extra`), or a key of an object.
    Name(crate::base::value::Str),
    /// `.from` of a window or period.
    From,
    /// `.to` of a window or period.
    To,
    /// `.label` of a window.
    Label,
}

/// Where the elements of a quantifier come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// Every record of a kind.
    Kind(KindId),
    /// The records of a kind whose (list) field `slot` holds `key`: an index lookup.
    Index {
        /// Kind.
        kind: KindId,
        /// Field slot.
        slot: usize,
        /// Key expression (does not depend on the bound variable).
        key: Box<Ir>,
        /// Other indexable conditions on the same records, `(slot, key)`: at run time the
        /// lookup with the fewest hits is used (all conditions stay in the filter).
        also: Vec<(usize, Ir)>,
    },
    /// The record of a kind with this id.
    Id {
        /// Kind.
        kind: KindId,
        /// Id expression.
        key: Box<Ir>,
    },
    /// A list computed by an expression.
    Expr(Box<Ir>),
}

/// A compiled expression.
#[derive(Clone, Debug)]
pub enum Ir {
    /// A constant.
    Const(Value),
    /// A variable slot.
    Var(usize),
    /// The run's `as_of` date.
    AsOf,
    /// The audit period (an object with `from`/`to`).
    Period,
    /// All records of a kind, as a list.
    Kind(KindId),
    /// Field access.
    Field(Box<Ir>, FieldAcc),
    /// Follows a reference: the record of `kind` whose id is the value.
    Deref(KindId, Box<Ir>),
    /// The id of a record (records compare with references by id).
    IdOf(Box<Ir>),
    /// `a[i]`: list position or object key.
    Index(Box<Ir>, Box<Ir>),
    /// Built-in function call.
    Call(Builtin, Vec<Ir>),
    /// `not`.
    Not(Box<Ir>),
    /// Unary minus.
    Neg(Box<Ir>),
    /// Binary operator (`and`/`or`/`implies` short-circuit).
    Bin(BinOp, Box<Ir>, Box<Ir>),
    /// `matches` with a compiled pattern.
    Matches(Box<Ir>, Box<regex::Regex>),
    /// `forall` / `exists`.
    Quant {
        /// Which.
        q: Quant,
        /// Slot of the bound variable.
        slot: usize,
        /// Elements.
        src: Source,
        /// `where` filter.
        filter: Option<Box<Ir>>,
        /// Body (`exists` may omit it).
        body: Option<Box<Ir>>,
    },
    /// `count(...)`.
    Count {
        /// Slot.
        slot: usize,
        /// Elements.
        src: Source,
        /// Filter.
        filter: Option<Box<Ir>>,
    },
    /// `sum(...)`.
    Sum {
        /// Slot.
        slot: usize,
        /// Elements.
        src: Source,
        /// Filter.
        filter: Option<Box<Ir>>,
        /// Summand.
        body: Box<Ir>,
    },
    /// `[e for x in c where p]`.
    Comp {
        /// Slot.
        slot: usize,
        /// Elements.
        src: Source,
        /// Filter.
        filter: Option<Box<Ir>>,
        /// Element expression.
        body: Box<Ir>,
    },
    /// `if a then b else c`.
    If(Box<Ir>, Box<Ir>, Box<Ir>),
    /// A target built at run time (`>= x`).
    Target(CmpOp, Box<Ir>),
    /// A list built at run time.
    List(Vec<Ir>),
    /// A traced sub-expression and its source location (only in `explain` compilations).
    At(crate::base::source::Loc, Box<Ir>),
}

impl Ir {
    /// Whether a message hole would print a secret field (reading one inside a function call, such
    /// as `looks_like_cn_id(c.value)`, prints only the function's result).
    pub fn prints_secret(&self, schema: &super::Schema) -> bool {
        self.prints_field(schema, &|f| f.secret)
    }

    /// Whether a message hole (or an operand an explanation shows) would print the value of a
    /// `personal` field, which is then shown masked.
    pub fn prints_personal(&self, schema: &super::Schema) -> bool {
        self.prints_field(schema, &|f| f.personal)
    }

    /// Whether the value of this expression is (or holds) the value of a field `marked` says
    /// is marked, as opposed to something computed from one.
    fn prints_field(&self, schema: &super::Schema, marked: &dyn Fn(&super::types::FieldType) -> bool) -> bool {
        let p = |e: &Ir| e.prints_field(schema, marked);
        match self {
            Ir::Field(base, FieldAcc::Slot(k, s)) => schema.kind(*k).fields.get(*s).is_some_and(marked) || p(base),
            // `a ?? b` is one of its operands; `a + b` of strings holds both.
            Ir::Bin(BinOp::Coalesce | BinOp::Add, a, b) => p(a) || p(b),
            Ir::Call(..) | Ir::Matches(..) | Ir::Bin(..) | Ir::Not(_) | Ir::Quant { .. } | Ir::Count { .. } => false,
            Ir::If(_, t, f) => p(t) || p(f),
            Ir::Comp { body, .. } => p(body),
            Ir::List(items) => items.iter().any(p),
            Ir::At(_, e) | Ir::Deref(_, e) | Ir::IdOf(e) | Ir::Neg(e) => p(e),
            Ir::Index(a, _) => p(a),
            _ => false,
        }
    }

    /// The node under any [`Ir::At`] wrappers.
    pub fn unwrapped(&self) -> &Ir {
        match self {
            Ir::At(_, inner) => inner.unwrapped(),
            other => other,
        }
    }

    /// Whether the expression reads variable `slot`.
    pub fn uses_slot(&self, slot: usize) -> bool {
        let mut found = false;
        self.visit(&mut |ir| {
            if let Ir::Var(s) = ir {
                found |= *s == slot;
            }
        });
        found
    }

    /// Calls `f` on this node and every node below it.
    pub fn visit(&self, f: &mut dyn FnMut(&Ir)) {
        f(self);
        self.children(&mut |c| c.visit(f));
    }

    /// Calls `f` on each direct sub-expression, sources' keys included, in evaluation order.
    pub fn children(&self, f: &mut dyn FnMut(&Ir)) {
        match self {
            Ir::Const(_) | Ir::Var(_) | Ir::AsOf | Ir::Period | Ir::Kind(_) => {}
            Ir::Field(e, _)
            | Ir::Deref(_, e)
            | Ir::IdOf(e)
            | Ir::Not(e)
            | Ir::Neg(e)
            | Ir::Matches(e, _)
            | Ir::Target(_, e)
            | Ir::At(_, e) => f(e),
            Ir::Index(a, b) | Ir::Bin(_, a, b) => {
                f(a);
                f(b);
            }
            Ir::Call(_, args) | Ir::List(args) => args.iter().for_each(f),
            Ir::If(a, b, c) => {
                f(a);
                f(b);
                f(c);
            }
            Ir::Quant { src, filter, body, .. } => {
                src.children(f);
                filter.iter().for_each(|x| f(x));
                body.iter().for_each(|x| f(x));
            }
            Ir::Count { src, filter, .. } => {
                src.children(f);
                filter.iter().for_each(|x| f(x));
            }
            Ir::Sum { src, filter, body, .. } | Ir::Comp { src, filter, body, .. } => {
                src.children(f);
                filter.iter().for_each(|x| f(x));
                f(body);
            }
        }
    }

    /// Like [`Ir::children`], for rewriting sub-expressions in place.
    pub fn children_mut(&mut self, f: &mut dyn FnMut(&mut Ir)) {
        match self {
            Ir::Const(_) | Ir::Var(_) | Ir::AsOf | Ir::Period | Ir::Kind(_) => {}
            Ir::Field(e, _)
            | Ir::Deref(_, e)
            | Ir::IdOf(e)
            | Ir::Not(e)
            | Ir::Neg(e)
            | Ir::Matches(e, _)
            | Ir::Target(_, e)
            | Ir::At(_, e) => f(e),
            Ir::Index(a, b) | Ir::Bin(_, a, b) => {
                f(a);
                f(b);
            }
            Ir::Call(_, args) | Ir::List(args) => args.iter_mut().for_each(f),
            Ir::If(a, b, c) => {
                f(a);
                f(b);
                f(c);
            }
            Ir::Quant { src, filter, body, .. } => {
                src.children_mut(f);
                filter.iter_mut().for_each(|x| f(x));
                body.iter_mut().for_each(|x| f(x));
            }
            Ir::Count { src, filter, .. } => {
                src.children_mut(f);
                filter.iter_mut().for_each(|x| f(x));
            }
            Ir::Sum { src, filter, body, .. } | Ir::Comp { src, filter, body, .. } => {
                src.children_mut(f);
                filter.iter_mut().for_each(|x| f(x));
                f(body);
            }
        }
    }
}

impl Source {
    /// Calls `f` on the source's key expressions (or its list expression).
    pub fn children(&self, f: &mut dyn FnMut(&Ir)) {
        match self {
            Source::Index { key, also, .. } => {
                f(key);
                also.iter().for_each(|(_, k)| f(k));
            }
            Source::Id { key, .. } => f(key),
            Source::Expr(e) => f(e),
            Source::Kind(_) => {}
        }
    }

    /// Like [`Source::children`], for rewriting in place.
    pub fn children_mut(&mut self, f: &mut dyn FnMut(&mut Ir)) {
        match self {
            Source::Index { key, also, .. } => {
                f(key);
                also.iter_mut().for_each(|(_, k)| f(k));
            }
            Source::Id { key, .. } => f(key),
            Source::Expr(e) => f(e),
            Source::Kind(_) => {}
        }
    }
}

/// A variable bound by a quantifier.
#[derive(Clone, Debug)]
pub struct VarInfo {
    /// Name.
    pub name: String,
    /// Slot.
    pub slot: usize,
    /// Type.
    pub ty: crate::policy::types::Type,
}
