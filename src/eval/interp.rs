//! The interpreter of compiled rules. It never panics and never fails: a value that does not
//! fit an operation (a missing optional field, malformed data already reported by the loader)
//! evaluates to `none`, which makes comparisons false.

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use jiff::civil::Date;

use super::builtins::{self, Builtin};
pub use super::index::{Index, Indexes};
use crate::base::store::Store;
use crate::base::value::{Duration, KindId, RecordRef, Str, Value};
use crate::policy::ir::{FieldAcc, Ir};
use crate::policy::{KindOrigin, Schema};
use crate::syntax::ast::{BinOp, Quant};

pub(in crate::eval) use join::FEW_HITS;
pub use ops::arith;

/// Records whose `id` field is `none`, per kind, computed once per run.
type WithoutIdCache = HashMap<KindId, Arc<[u32]>>;

/// Everything a rule reads while it runs.
pub struct Ctx<'a> {
    /// Kinds.
    pub schema: &'a Schema,
    /// Declarations.
    pub decls: &'a Store,
    /// Org records.
    pub org: &'a Store,
    /// Join indexes.
    pub indexes: &'a Indexes,
    /// The run's date.
    pub as_of: Date,
    /// The audit period object.
    pub period: Value,
    /// The current record(s) of stream kinds, while a stream is read.
    pub stream: Option<&'a Store>,
    /// Whether messages and explanations show the values of `personal` fields whole
    /// (`--show-personal`); masked (`王*`) otherwise.
    pub show_personal: bool,
    cycles: Mutex<cycles::CycleCache>,
    without_id: Mutex<WithoutIdCache>,
}

impl<'a> Ctx<'a> {
    /// A context over declarations and org data.
    pub fn new(
        schema: &'a Schema,
        decls: &'a Store,
        org: &'a Store,
        indexes: &'a Indexes,
        as_of: Date,
        period: (Date, Date),
    ) -> Self {
        Ctx {
            schema,
            decls,
            org,
            indexes,
            as_of,
            period: builtins::period_value(period.0, period.1),
            stream: None,
            show_personal: false,
            cycles: Mutex::new(HashMap::default()),
            without_id: Mutex::new(HashMap::default()),
        }
    }

    /// The same context with `stream` holding the current records of stream kinds.
    pub fn with_stream<'b>(&'b self, stream: &'b Store) -> Ctx<'b> {
        Ctx {
            schema: self.schema,
            decls: self.decls,
            org: self.org,
            indexes: self.indexes,
            as_of: self.as_of,
            period: self.period.clone(),
            stream: Some(stream),
            show_personal: self.show_personal,
            cycles: Mutex::new(HashMap::default()),
            without_id: Mutex::new(HashMap::default()),
        }
    }

    /// The store that holds records of `k`.
    pub fn store(&self, k: KindId) -> &'a Store {
        match self.schema.kinds.get(k.0 as usize) {
            Some(s) if s.origin == KindOrigin::Decl => self.decls,
            Some(s) if s.stream.is_some() => self.stream.unwrap_or(self.org),
            _ => self.org,
        }
    }

    /// The id of a record.
    pub fn id_of(&self, r: RecordRef) -> Option<Str> {
        self.store(r.kind).kind(r.kind).id(r.idx as usize).cloned()
    }

    /// Evaluates an expression with variable slots `env`.
    pub fn eval(&self, ir: &Ir, env: &mut [Value]) -> Value {
        match ir {
            // Reads have one definition, [`Ctx::read`]'s; it evaluates what they read from.
            Ir::Const(_) | Ir::Var(_) | Ir::AsOf | Ir::Period | Ir::Field(..) | Ir::Deref(..) | Ir::IdOf(_) => {
                self.read(ir, env).into_owned()
            }
            // A location is transparent; most wrap a condition, which is not a read.
            Ir::At(_, e) => self.eval(e, env),
            Ir::Kind(k) => {
                let n = self.store(*k).kind(*k).len() as u32;
                Value::list((0..n).map(|idx| Value::Record(RecordRef { kind: *k, idx })).collect())
            }
            Ir::Index(a, i) => {
                let a = self.eval(a, env);
                let i = self.eval(i, env);
                self.index(&a, &i)
            }
            Ir::Call(b, args) => {
                let vals: Vec<Value> = args.iter().map(|a| self.eval(a, env)).collect();
                self.call(*b, vals)
            }
            Ir::Not(e) => Value::Bool(!self.eval(e, env).truthy()),
            Ir::Neg(e) => match self.eval(e, env) {
                Value::Int(i) => Value::Int(-i),
                Value::Num(n) => Value::Num(-n),
                Value::Percent(n) => Value::Percent(-n),
                Value::Duration(d) => Value::Duration(Duration { months: -d.months, secs: -d.secs }),
                _ => Value::None,
            },
            Ir::Bin(op, a, b) => self.binary(*op, a, b, env),
            Ir::Matches(e, re) => match &*self.read(e, env) {
                Value::Str(s) => Value::Bool(re.is_match(s)),
                Value::Int(i) => Value::Bool(re.is_match(&i.to_string())),
                _ => Value::None,
            },
            Ir::Quant { q, slot, src, filter, body } => {
                let mut result = *q == Quant::Forall;
                self.each(src, env, |ctx, env, item| {
                    set(env, *slot, item);
                    if let Some(f) = filter
                        && !ctx.eval(f, env).truthy()
                    {
                        return true;
                    }
                    let holds = body.as_ref().is_none_or(|b| ctx.eval(b, env).truthy());
                    // Stop at the first counterexample and keep it bound: messages name it.
                    if decides(*q, holds) {
                        result = holds;
                    }
                    !decides(*q, holds)
                });
                if result == (*q == Quant::Forall) {
                    set(env, *slot, Value::None);
                }
                Value::Bool(result)
            }
            Ir::Count { slot, src, filter } => {
                let mut n = 0i64;
                self.each(src, env, |ctx, env, item| {
                    set(env, *slot, item);
                    if filter.as_ref().is_none_or(|f| ctx.eval(f, env).truthy()) {
                        n += 1;
                    }
                    true
                });
                set(env, *slot, Value::None);
                Value::Int(n)
            }
            Ir::Sum { slot, src, filter, body } => {
                let mut total = Value::Int(0);
                self.each(src, env, |ctx, env, item| {
                    set(env, *slot, item);
                    if filter.as_ref().is_none_or(|f| ctx.eval(f, env).truthy()) {
                        let v = ctx.eval(body, env);
                        if !v.is_none() {
                            total = arith(BinOp::Add, &total, &v);
                        }
                    }
                    true
                });
                set(env, *slot, Value::None);
                total
            }
            Ir::Comp { slot, src, filter, body } => {
                let mut out = Vec::new();
                self.each(src, env, |ctx, env, item| {
                    set(env, *slot, item);
                    if filter.as_ref().is_none_or(|f| ctx.eval(f, env).truthy()) {
                        out.push(ctx.eval(body, env));
                    }
                    true
                });
                set(env, *slot, Value::None);
                Value::list(out)
            }
            Ir::If(c, t, f) => {
                if self.eval(c, env).truthy() {
                    self.eval(t, env)
                } else {
                    self.eval(f, env)
                }
            }
            Ir::Target(op, e) => {
                let v = self.eval(e, env);
                Value::Target(Arc::new(crate::base::value::Target { op: *op, value: v }))
            }
            Ir::List(items) => Value::list(items.iter().map(|i| self.eval(i, env)).collect()),
        }
    }

    /// `a[i]`: an item of a list by name or number, a key of an object, a field of a record.
    pub(in crate::eval) fn index(&self, a: &Value, i: &Value) -> Value {
        match (a, i) {
            (Value::List(l), Value::Str(k)) => super::builtins::named_item(l, k).unwrap_or_default(),
            (Value::List(l), _) => i.as_f64().and_then(|n| l.get(n as usize)).cloned().unwrap_or_default(),
            (Value::Object(o), Value::Str(k)) => o.get(k).cloned().unwrap_or_default(),
            (Value::Record(_), Value::Str(k)) => self.field(a, &FieldAcc::Name(k.clone())),
            _ => Value::None,
        }
    }

    /// A call of `b` on argument values `vals`.
    pub(in crate::eval) fn call(&self, b: Builtin, mut vals: Vec<Value>) -> Value {
        match (b, vals.as_mut_slice()) {
            (Builtin::Cyclic { slot }, [Value::Record(r), ..]) => Value::Bool(self.on_cycle(*r, slot)),
            (Builtin::Cyclic { .. }, _) => Value::None,
            (Builtin::Has, [record @ Value::Record(_), Value::Str(k)]) => {
                let k = k.clone();
                // `has(record, "field")`: read the field, then test it like an object key.
                let v = self.field(record, &FieldAcc::Name(k.clone()));
                *record = Value::Object(crate::base::value::Object::new(vec![(k, v)]));
                builtins::call(b, &vals)
            }
            _ => builtins::call(b, &vals),
        }
    }

    /// Two operands, each as [`Ctx::read`] gives it: both borrowed when both are plain reads
    /// ([`simple`]), so comparing two fields copies nothing and touches no reference count
    /// (those counts are shared by both threads, and updating them costs more than the
    /// comparison); both evaluated otherwise, since evaluating one may bind variables.
    fn operands<'e>(&'e self, a: &'e Ir, b: &'e Ir, env: &'e mut [Value]) -> (Cow<'e, Value>, Cow<'e, Value>) {
        if simple(a) && simple(b) {
            let env = &*env;
            (self.peek(a, env), self.peek(b, env))
        } else {
            let x = self.eval(a, env);
            let y = self.eval(b, env);
            (Cow::Owned(x), Cow::Owned(y))
        }
    }

    /// Evaluates a plain read ([`simple`]) without copying what it reads; anything else is
    /// `none` (the variables cannot be bound here: callers ask only plain reads).
    pub(super) fn peek<'e>(&'e self, ir: &'e Ir, env: &'e [Value]) -> Cow<'e, Value> {
        self.read(ir, env)
    }

    /// The value of an expression, borrowed where it is read from where it is kept (a
    /// variable, a constant, a field of a record or object): the one definition of reads
    /// (constants, variables, fields, references, ids), for [`Ctx::eval`], [`Ctx::peek`] and
    /// operands. What a read reads from that is not itself a read is left to `env`
    /// ([`Slots::other`]): evaluated with mutable slots, `none` with shared ones.
    fn read<'e, S: Slots<'e>>(&'e self, ir: &'e Ir, env: S) -> Cow<'e, Value> {
        match ir {
            Ir::Const(v) => Cow::Borrowed(v),
            Ir::Var(s) => env.var(*s).map_or(Cow::Owned(Value::None), Cow::Borrowed),
            Ir::Period => Cow::Borrowed(&self.period),
            Ir::AsOf => Cow::Owned(Value::Date(self.as_of)),
            Ir::At(_, e) => self.read(e, env),
            Ir::Field(base, acc) => self.field_of(self.read(base, env), acc),
            Ir::Deref(k, e) => Cow::Owned(match self.follow(*k, e, env.slots()) {
                Some(v) => v,
                None => self.deref(*k, &self.read(e, env)),
            }),
            Ir::IdOf(e) => Cow::Owned(self.id_value(self.read(e, env))),
            _ => Cow::Owned(env.other(self, ir)),
        }
    }

    /// The record a reference field names, where the loader resolved that field
    /// ([`KindData::link`](crate::base::store::KindData::link)): a read instead of an id lookup.
    /// `None` where it was not resolved, or where `kind` (the kind `Ir::Deref` looks in) is not
    /// the field's own target kind: then [`Ctx::deref`] looks the id up.
    fn follow(&self, kind: KindId, e: &Ir, env: &[Value]) -> Option<Value> {
        let Ir::Field(base, FieldAcc::Slot(bk, slot)) = e.unwrapped() else { return None };
        if !simple(base) {
            return None;
        }
        let data = self.store(*bk).kind(*bk);
        let links = data.link(*slot)?;
        let Value::Record(r) = *self.peek(base, env) else { return None };
        if r.kind != *bk {
            return None;
        }
        // Positions of the field's own target kind; `unit[p.mentor]` names another kind.
        if !matches!(self.schema.kind(*bk).fields.get(*slot).map(|f| &f.ty), Some(crate::policy::types::Type::Ref(t)) if *t == kind)
        {
            return None;
        }
        let target = *links.get(r.idx as usize)?;
        Some(if target == crate::base::store::NO_LINK {
            Value::None
        } else {
            Value::Record(RecordRef { kind, idx: target })
        })
    }

    /// The record a reference names (an id of kind `k`, or the record itself).
    fn deref(&self, k: KindId, v: &Value) -> Value {
        match v {
            Value::Str(id) => self.store(k).by_id(k, id).map_or(Value::None, Value::Record),
            Value::Record(_) => v.clone(),
            _ => Value::None,
        }
    }

    /// The id of a record; any other value as it is.
    fn id_value(&self, v: Cow<'_, Value>) -> Value {
        match *v {
            Value::Record(r) => self.id_of(r).map_or(Value::None, Value::Str),
            _ => v.into_owned(),
        }
    }

    /// A field of a record, object or window: borrowed from where it is kept, except the parts
    /// of a window, which are made.
    pub(super) fn field_ref<'e>(&'e self, base: &'e Value, acc: &'e FieldAcc) -> Cow<'e, Value> {
        let found = match (base, acc) {
            (Value::Record(r), _) => self.record_field(*r, acc),
            (Value::Object(o), FieldAcc::Name(n)) => o.get(n),
            (Value::Object(o), FieldAcc::From) => o.get("from"),
            (Value::Object(o), FieldAcc::To) => o.get("to"),
            (Value::Window(w), FieldAcc::From) => return Cow::Owned(Value::Date(w.from)),
            (Value::Window(w), FieldAcc::To) => return Cow::Owned(Value::Date(w.to)),
            (Value::Window(w), FieldAcc::Label) => return Cow::Owned(Value::Str(w.label.clone())),
            _ => None,
        };
        found.map_or(Cow::Owned(Value::None), Cow::Borrowed)
    }

    /// A field of `base`, borrowed where `base` or the store keeps it: a record reached by a
    /// reference (an owned `base`) has its fields in the store, not in the value (no copy, no
    /// reference count).
    #[inline(always)]
    pub(super) fn field_of<'e>(&'e self, base: Cow<'e, Value>, acc: &'e FieldAcc) -> Cow<'e, Value> {
        match base {
            Cow::Borrowed(b) => self.field_ref(b, acc),
            Cow::Owned(Value::Record(r)) => self.record_field(r, acc).map_or(Cow::Owned(Value::None), Cow::Borrowed),
            Cow::Owned(b) => match self.field_ref(&b, acc) {
                Cow::Borrowed(v) => Cow::Owned(v.clone()),
                Cow::Owned(v) => Cow::Owned(v),
            },
        }
    }

    /// A field of a record, where the store keeps it.
    fn record_field(&self, r: RecordRef, acc: &FieldAcc) -> Option<&'a Value> {
        match acc {
            FieldAcc::Slot(_, s) => self.store(r.kind).field(r, *s),
            FieldAcc::Name(n) => {
                self.store(r.kind).get(r).and_then(|rec| rec.named(self.schema.kind(r.kind).slot(n), n))
            }
            _ => None,
        }
    }

    /// Reads a field of a record, object or window.
    pub fn field(&self, base: &Value, acc: &FieldAcc) -> Value {
        self.field_ref(base, acc).into_owned()
    }
}

/// Whether an element on which the body is `holds` decides quantifier `q` (a counterexample
/// of `forall`, a witness of `exists`): the quantifier's value is then `holds`.
pub(super) fn decides(q: Quant, holds: bool) -> bool {
    (q == Quant::Forall) != holds
}

/// Whether an expression only reads (variables, constants, fields, references), so it can be
/// evaluated without binding anything ([`Ctx::peek`]).
pub(super) fn simple(ir: &Ir) -> bool {
    match ir {
        Ir::Const(_) | Ir::Var(_) | Ir::AsOf | Ir::Period => true,
        Ir::Field(b, _) | Ir::Deref(_, b) | Ir::IdOf(b) | Ir::At(_, b) => simple(b),
        _ => false,
    }
}

/// The variable slots a read ([`Ctx::read`]) finds its variables in, borrowed for as long as
/// the value it gives: shared slots for reads side by side ([`Ctx::peek`]), mutable ones where
/// what a read reads from is evaluated (which may bind variables).
trait Slots<'e> {
    /// Variable `slot`'s value.
    fn var(self, slot: usize) -> Option<&'e Value>;
    /// The slots, for a moment.
    fn slots(&self) -> &[Value];
    /// The value of an expression that is not a read.
    fn other(self, ctx: &Ctx<'_>, ir: &Ir) -> Value;
}

impl<'e> Slots<'e> for &'e [Value] {
    fn var(self, slot: usize) -> Option<&'e Value> {
        self.get(slot)
    }
    fn slots(&self) -> &[Value] {
        self
    }
    fn other(self, _: &Ctx<'_>, _: &Ir) -> Value {
        Value::None
    }
}

impl<'e> Slots<'e> for &'e mut [Value] {
    fn var(self, slot: usize) -> Option<&'e Value> {
        let shared: &'e [Value] = self;
        shared.get(slot)
    }
    fn slots(&self) -> &[Value] {
        self
    }
    fn other(self, ctx: &Ctx<'_>, ir: &Ir) -> Value {
        ctx.eval(ir, self)
    }
}

/// Binds a variable slot (slots are sized by the compiler; an out-of-range slot is ignored
/// rather than trusted).
fn set(env: &mut [Value], slot: usize, v: Value) {
    if let Some(x) = env.get_mut(slot) {
        *x = v;
    }
}

mod cycles;
mod join;
pub(in crate::eval) mod ops;
#[cfg(test)]
mod tests;
