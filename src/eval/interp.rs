//! The interpreter of compiled rules. It never panics and never fails: a value that does not
//! fit an operation (a missing optional field, malformed data already reported by the loader)
//! evaluates to `none`, which makes comparisons false.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use jiff::ToSpan;
use jiff::civil::Date;

use super::builtins::{self, Builtin};
pub use super::index::{Index, Indexes};
use crate::base::store::Store;
use crate::base::value::{Duration, KindId, RecordRef, Str, Value, compare_op, values_equal};
use crate::policy::ir::{FieldAcc, Ir, Source};
use crate::policy::types::Type;
use crate::policy::{KindOrigin, Schema};
use crate::syntax::ast::{BinOp, Quant};

/// Records on reference cycles, per (kind, field slot), computed once per run.
type CycleCache = HashMap<(KindId, usize), Arc<HashSet<u32>>>;

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
    cycles: Mutex<CycleCache>,
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
            Ir::Const(v) => v.clone(),
            Ir::Var(s) => env.get(*s).cloned().unwrap_or_default(),
            Ir::AsOf => Value::Date(self.as_of),
            Ir::Period => self.period.clone(),
            Ir::Kind(k) => {
                let n = self.store(*k).kind(*k).len() as u32;
                Value::list((0..n).map(|idx| Value::Record(RecordRef { kind: *k, idx })).collect())
            }
            Ir::Field(base, acc) => {
                if simple(base) {
                    return self.peek(ir, env).into_owned();
                }
                let b = self.eval(base, env);
                self.field(&b, acc)
            }
            Ir::Deref(k, e) => match self.follow(*k, e, env) {
                Some(v) => v,
                None => self.deref(*k, &self.operand(e, env)),
            },
            Ir::IdOf(e) => self.id_value(self.operand(e, env)),
            Ir::Index(a, i) => {
                let a = self.eval(a, env);
                let i = self.eval(i, env);
                match (&a, &i) {
                    (Value::List(l), Value::Str(k)) => super::builtins::named_item(l, k).unwrap_or_default(),
                    (Value::List(l), _) => i.as_f64().and_then(|n| l.get(n as usize)).cloned().unwrap_or_default(),
                    (Value::Object(o), Value::Str(k)) => o.get(k).cloned().unwrap_or_default(),
                    (Value::Record(_), Value::Str(k)) => self.field(&a, &FieldAcc::Name(k.clone())),
                    _ => Value::None,
                }
            }
            Ir::Call(Builtin::Cyclic { slot }, args) => match self.eval(&args[0], env) {
                Value::Record(r) => Value::Bool(self.on_cycle(r, *slot)),
                _ => Value::None,
            },
            Ir::Call(b, args) => {
                let mut vals: Vec<Value> = args.iter().map(|a| self.eval(a, env)).collect();
                if let (Builtin::Has, [Value::Record(_), Value::Str(k)]) = (b, vals.as_slice()) {
                    let k = k.clone();
                    // `has(record, "field")`: read the field, then test it like an object key.
                    let v = self.field(&vals[0], &FieldAcc::Name(k.clone()));
                    let obj = crate::base::value::Object { fields: vec![(k, v)] };
                    vals[0] = Value::Object(Arc::new(obj));
                }
                builtins::call(*b, &vals)
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
            Ir::Matches(e, re) => match &*self.operand(e, env) {
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
            Ir::At(_, e) => self.eval(e, env),
        }
    }

    /// An operand's value: borrowed where it is a plain read (a variable, a constant, a field
    /// of a record or object), so comparing two fields copies nothing and touches no reference
    /// count (those counts are shared by both threads, and updating them costs more than the
    /// comparison); evaluated otherwise.
    fn operand<'e>(&'e self, ir: &'e Ir, env: &'e mut [Value]) -> Cow<'e, Value> {
        if simple(ir) { self.peek(ir, env) } else { Cow::Owned(self.eval(ir, env)) }
    }

    /// Two operands, as [`Ctx::operand`]: both borrowed when both are plain reads.
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

    /// Evaluates a plain read ([`simple`]) without copying what it reads.
    pub(super) fn peek<'e>(&'e self, ir: &'e Ir, env: &'e [Value]) -> Cow<'e, Value> {
        match ir {
            Ir::Const(v) => Cow::Borrowed(v),
            Ir::Var(s) => env.get(*s).map_or(Cow::Owned(Value::None), Cow::Borrowed),
            Ir::Period => Cow::Borrowed(&self.period),
            Ir::AsOf => Cow::Owned(Value::Date(self.as_of)),
            Ir::At(_, e) => self.peek(e, env),
            Ir::Field(base, acc) => match self.peek(base, env) {
                Cow::Borrowed(b) => self.field_ref(b, acc),
                // A record reached by a reference: its fields are in the store, not in the
                // value (no copy, no reference count).
                Cow::Owned(Value::Record(r)) => {
                    self.record_field(r, acc).map_or(Cow::Owned(Value::None), Cow::Borrowed)
                }
                Cow::Owned(b) => match self.field_ref(&b, acc) {
                    Cow::Borrowed(v) => Cow::Owned(v.clone()),
                    Cow::Owned(v) => Cow::Owned(v),
                },
            },
            Ir::Deref(k, e) => Cow::Owned(match self.follow(*k, e, env) {
                Some(v) => v,
                None => self.deref(*k, &self.peek(e, env)),
            }),
            Ir::IdOf(e) => Cow::Owned(self.id_value(self.peek(e, env))),
            _ => Cow::Owned(Value::None),
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

    /// A field of a record, where the store keeps it.
    pub(super) fn record_field(&self, r: RecordRef, acc: &FieldAcc) -> Option<&'a Value> {
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

    /// Calls `f(ctx, env, item)` for each element of a source until it returns false.
    pub(super) fn each(&self, src: &Source, env: &mut [Value], mut f: impl FnMut(&Self, &mut [Value], Value) -> bool) {
        match src {
            Source::Kind(k) => {
                let n = self.store(*k).kind(*k).len() as u32;
                for idx in 0..n {
                    if !f(self, env, Value::Record(RecordRef { kind: *k, idx })) {
                        return;
                    }
                }
            }
            Source::Id { kind, key } => {
                let data = self.store(*kind).kind(*kind);
                let id = match self.eval(key, env) {
                    Value::Str(s) => Some(s),
                    Value::Record(r) => self.id_of(r),
                    Value::None => None,
                    _ => return,
                };
                // The records `y.id == key` holds for: those whose `id` field holds the key (a
                // record without one is known by a made-up id, `#n`, which its field does not
                // hold) — the one with the id; every one where ids repeat (the loader reports
                // it); for a `none` key, those without an id.
                let record = |idx: u32| Value::Record(RecordRef { kind: *kind, idx });
                let slot = self.schema.kind(*kind).id_slot();
                let holds = |idx: u32, id: &str| matches!(slot.and_then(|s| data.field(idx as usize, s)), Some(Value::Str(s)) if **s == *id);
                match id {
                    Some(id) if !data.repeated_ids => {
                        if let Some(idx) = data.position(&id)
                            && holds(idx, &id)
                        {
                            f(self, env, record(idx));
                        }
                    }
                    Some(id) => {
                        for idx in 0..data.len() as u32 {
                            if holds(idx, &id) && !f(self, env, record(idx)) {
                                return;
                            }
                        }
                    }
                    None => {
                        for &idx in self.without_id(*kind).iter() {
                            if !f(self, env, record(idx)) {
                                return;
                            }
                        }
                    }
                }
            }
            Source::Index { kind, slot, key, also } => {
                let Some((hits, _)) = self.index_hits(*kind, *slot, key, also, env) else { return };
                for &idx in hits.iter() {
                    if !f(self, env, Value::Record(RecordRef { kind: *kind, idx })) {
                        return;
                    }
                }
            }
            Source::Expr(e) => {
                if let Value::List(items) = self.eval(e, env) {
                    for item in items.iter() {
                        if !f(self, env, item.clone()) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /// The records an index source names: of the lookups of its indexable conditions, the
    /// one with the fewest records, and which it is (0: the first key, `i`: `also[i - 1]`).
    /// `None` when a key is not a string, record or `none` (nothing can match).
    pub(super) fn index_hits(
        &self,
        kind: KindId,
        slot: usize,
        key: &Ir,
        also: &[(usize, Ir)],
        env: &mut [Value],
    ) -> Option<(Cow<'a, [u32]>, usize)> {
        let mut best = (self.lookup(kind, slot, key, env)?, 0);
        // A few records are filtered faster than another key is hashed and looked up.
        for (i, (s, k)) in also.iter().enumerate() {
            if best.0.len() <= FEW_HITS {
                break;
            }
            let hits = self.lookup(kind, *s, k, env)?;
            if hits.len() < best.0.len() {
                best = (hits, i + 1);
            }
        }
        Some(best)
    }

    /// The records of `kind` whose field `slot` holds (or, for a list, contains) the value of
    /// `key`, or is `none` when the key is; `None` when the key is of another type (nothing
    /// can match).
    fn lookup(&self, kind: KindId, slot: usize, key: &Ir, env: &mut [Value]) -> Option<std::borrow::Cow<'a, [u32]>> {
        let index = self.indexes.map.get(&(kind, slot));
        // A resolved reference field is joined on record positions: a key that is a record's
        // id is that record, with no id to hash.
        if let Some(by_pos) = index.and_then(|i| i.by_pos.as_ref())
            && let Some(pos) = self.record_of_key(by_pos.target, key, env)
        {
            return Some(std::borrow::Cow::Borrowed(by_pos.get(pos)));
        }
        let key = match self.eval(key, env) {
            Value::Str(s) => Some(s),
            Value::Record(r) => self.id_of(r),
            Value::None => None,
            _ => return None,
        };
        // A `none` key (an absent field, a record without an id) equals a field that is `none`
        // too, as `y.f == none` does; it is never an item of a list field.
        let Some(key) = key else {
            let list = matches!(self.schema.kind(kind).fields.get(slot).map(|f| &f.ty), Some(Type::List(_)));
            return Some(match index {
                Some(idx) => Cow::Borrowed(&idx.missing[..]),
                None if list => Cow::Borrowed(&[]),
                None => Cow::Owned(super::index::missing(self.store(kind).kind(kind), slot).collect()),
            });
        };
        Some(match index {
            Some(idx) => match &idx.by_pos {
                Some(by_pos) => match self.store(by_pos.target).by_id(by_pos.target, &key) {
                    Some(r) => std::borrow::Cow::Borrowed(by_pos.get(r.idx)),
                    None => std::borrow::Cow::Borrowed(idx.get(&key)),
                },
                None => std::borrow::Cow::Borrowed(idx.get(&key)),
            },
            // Not indexed (a check run outside a prepared run): scan with the same test.
            None => std::borrow::Cow::Owned(
                self.store(kind)
                    .kind(kind)
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| match r.fields.get(slot) {
                        Some(Value::Str(s)) => *s == key,
                        Some(Value::List(l)) => l.iter().any(|v| v.as_str() == Some(&key)),
                        _ => false,
                    })
                    .map(|(i, _)| i as u32)
                    .collect(),
            ),
        })
    }

    /// The position of the `target` record a join key stands for, when that is known without
    /// evaluating the key: the key is a record of `target` (`IdOf(p)`) or its `id` field
    /// (`p.id`), and no other record of `target` has the same id. `None` otherwise.
    fn record_of_key(&self, target: KindId, key: &Ir, env: &[Value]) -> Option<u32> {
        let base = match key.unwrapped() {
            Ir::IdOf(b) => b,
            Ir::Field(b, FieldAcc::Slot(k, s))
                if *k == target && self.schema.kind(*k).fields.get(*s).is_some_and(|f| f.name == "id") =>
            {
                b
            }
            _ => return None,
        };
        if !simple(base) {
            return None;
        }
        let data = self.store(target).kind(target);
        match *self.peek(base, env) {
            // `p.id` is the record's id only where it is a string (an id the loader read).
            Value::Record(r) if r.kind == target && !data.repeated_ids => match key.unwrapped() {
                Ir::Field(_, FieldAcc::Slot(_, s)) => {
                    matches!(data.field(r.idx as usize, *s), Some(Value::Str(_))).then_some(r.idx)
                }
                _ => data.id(r.idx as usize).map(|_| r.idx),
            },
            _ => None,
        }
    }

    fn binary(&self, op: BinOp, a: &Ir, b: &Ir, env: &mut [Value]) -> Value {
        match op {
            BinOp::And => Value::Bool(self.eval(a, env).truthy() && self.eval(b, env).truthy()),
            BinOp::Or => Value::Bool(self.eval(a, env).truthy() || self.eval(b, env).truthy()),
            BinOp::Implies => Value::Bool(!self.eval(a, env).truthy() || self.eval(b, env).truthy()),
            BinOp::Coalesce => match self.eval(a, env) {
                Value::None => self.eval(b, env),
                v => v,
            },
            BinOp::In | BinOp::NotIn => {
                let (x, y) = self.operands(a, b, env);
                Value::Bool(self.member(op, x, &y))
            }
            _ => {
                let (x, y) = self.operands(a, b, env);
                match op.comparison() {
                    Some(c) => Value::Bool(compare_op(c, &x, &y)),
                    None => arith(op, &x, &y),
                }
            }
        }
    }

    /// `x in y` (`op` is `In`) or `x not in y`: a record is looked for by its id in a list
    /// of ids.
    pub(super) fn member(&self, op: BinOp, x: Cow<'_, Value>, y: &Value) -> bool {
        let x = match &*x {
            Value::Record(r) if matches!(y, Value::List(_)) && !list_has_records(y) => {
                Cow::Owned(self.id_of(*r).map_or(Value::None, Value::Str))
            }
            _ => x,
        };
        let found = contains(y, &x);
        if op == BinOp::In { found } else { !found }
    }

    /// The records of `kind` whose `id` field is `none` (the loader named them `#n`): those a
    /// `none` id key names.
    fn without_id(&self, kind: KindId) -> Arc<[u32]> {
        if let Some(found) = self.without_id.lock().ok().and_then(|m| m.get(&kind).cloned()) {
            return found;
        }
        let (data, slot) = (self.store(kind).kind(kind), self.schema.kind(kind).id_slot());
        let found: Arc<[u32]> = (0..data.len())
            .filter(|&i| slot.and_then(|s| data.field(i, s)).is_none_or(Value::is_none))
            .map(|i| i as u32)
            .collect();
        if let Ok(mut m) = self.without_id.lock() {
            m.insert(kind, found.clone());
        }
        found
    }

    /// Whether record `r` lies on a cycle through its reference-list field `slot`.
    fn on_cycle(&self, r: RecordRef, slot: usize) -> bool {
        let key = (r.kind, slot);
        let set = {
            let cached = self.cycles.lock().ok().and_then(|m| m.get(&key).cloned());
            match cached {
                Some(s) => s,
                None => {
                    let s = Arc::new(self.cycle_members(r.kind, slot));
                    if let Ok(mut m) = self.cycles.lock() {
                        m.insert(key, s.clone());
                    }
                    s
                }
            }
        };
        set.contains(&r.idx)
    }

    /// Records on some cycle of the graph `record → records named in field slot` (Tarjan's
    /// strongly connected components, iterative).
    fn cycle_members(&self, kind: KindId, slot: usize) -> HashSet<u32> {
        let store = self.store(kind);
        let data = store.kind(kind);
        let n = data.len();
        let succ: Vec<Vec<u32>> = data
            .iter()
            .map(|rec| match rec.fields.get(slot) {
                Some(Value::List(l)) => {
                    l.iter().filter_map(|v| v.as_str()).filter_map(|id| data.position(id)).collect()
                }
                Some(Value::Str(id)) => data.position(id).into_iter().collect(),
                _ => Vec::new(),
            })
            .collect();
        let mut index = vec![u32::MAX; n];
        let mut low = vec![0u32; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        let mut members = HashSet::default();
        let mut counter = 0u32;
        for start in 0..n {
            if index[start] != u32::MAX {
                continue;
            }
            let mut work: Vec<(u32, usize)> = vec![(start as u32, 0)];
            while let Some(&mut (v, ref mut next)) = work.last_mut() {
                let vi = v as usize;
                if *next == 0 && index[vi] == u32::MAX {
                    index[vi] = counter;
                    low[vi] = counter;
                    counter += 1;
                    stack.push(v);
                    on_stack[vi] = true;
                }
                if let Some(&w) = succ[vi].get(*next) {
                    *next += 1;
                    let wi = w as usize;
                    if index[wi] == u32::MAX {
                        work.push((w, 0));
                    } else if on_stack[wi] {
                        low[vi] = low[vi].min(index[wi]);
                    }
                    continue;
                }
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent as usize] = low[parent as usize].min(low[vi]);
                }
                if low[vi] == index[vi] {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w as usize] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    let self_loop = succ[vi].contains(&v);
                    if comp.len() > 1 || self_loop {
                        members.extend(comp);
                    }
                }
            }
        }
        members
    }
}

/// Whether an element on which the body is `holds` decides quantifier `q` (a counterexample
/// of `forall`, a witness of `exists`): the quantifier's value is then `holds`.
pub(super) fn decides(q: Quant, holds: bool) -> bool {
    (q == Quant::Forall) != holds
}

/// A lookup with at most this many records is not narrowed by the source's other conditions
/// (they are in the filter anyway).
const FEW_HITS: usize = 8;

/// Whether an expression only reads (variables, constants, fields, references), so it can be
/// evaluated without binding anything ([`Ctx::peek`]).
pub(super) fn simple(ir: &Ir) -> bool {
    match ir {
        Ir::Const(_) | Ir::Var(_) | Ir::AsOf | Ir::Period => true,
        Ir::Field(b, _) | Ir::Deref(_, b) | Ir::IdOf(b) | Ir::At(_, b) => simple(b),
        _ => false,
    }
}

/// Binds a variable slot (slots are sized by the compiler; an out-of-range slot is ignored
/// rather than trusted).
fn set(env: &mut [Value], slot: usize, v: Value) {
    if let Some(x) = env.get_mut(slot) {
        *x = v;
    }
}

fn list_has_records(v: &Value) -> bool {
    matches!(v, Value::List(l) if l.first().is_some_and(|x| matches!(x, Value::Record(_))))
}

fn contains(hay: &Value, needle: &Value) -> bool {
    match hay {
        Value::List(l) => l.iter().any(|v| values_equal(v, needle)),
        Value::Str(s) => needle.as_str().is_some_and(|n| s.contains(n)),
        Value::Window(w) => needle.as_date().is_some_and(|d| d >= w.from && d <= w.to),
        Value::Object(o) => needle.as_str().is_some_and(|n| o.get(n).is_some()),
        _ => false,
    }
}

/// Arithmetic on values; `none` when the operands do not fit.
pub fn arith(op: BinOp, a: &Value, b: &Value) -> Value {
    use Value::*;
    match (op, a, b) {
        (BinOp::Add, Int(x), Int(y)) => x.checked_add(*y).map_or(Value::None, Int),
        (BinOp::Sub, Int(x), Int(y)) => x.checked_sub(*y).map_or(Value::None, Int),
        (BinOp::Mul, Int(x), Int(y)) => x.checked_mul(*y).map_or(Value::None, Int),
        (BinOp::Add, Percent(x), Percent(y)) => Percent(x + y),
        (BinOp::Sub, Percent(x), Percent(y)) => Percent(x - y),
        (BinOp::Add, Int(_), Percent(y)) if a.as_f64() == Some(0.0) => Percent(*y),
        (BinOp::Mul, Percent(x), Int(_) | Num(_)) => Percent(x * b.as_f64().unwrap_or(0.0)),
        (BinOp::Div, Percent(x), Int(_) | Num(_)) => div(*x, b.as_f64().unwrap_or(0.0)).map_or(Value::None, Percent),
        (BinOp::Mul, Int(_) | Num(_), Percent(y)) => Num(a.as_f64().unwrap_or(0.0) * y / 100.0),
        (BinOp::Div, Percent(x), Percent(y)) => div(*x, *y).map_or(Value::None, Num),
        (BinOp::Add | BinOp::Sub, Date(d), Duration(du)) => {
            add_date(*d, *du, op == BinOp::Sub).map_or(Value::None, Date)
        }
        (BinOp::Add | BinOp::Sub, DateTime(i), Duration(du)) => {
            let (t, o) = (i.at, i.offset);
            let sign = if op == BinOp::Sub { -1 } else { 1 };
            let dt = o.to_datetime(t);
            dt.checked_add((du.months * sign).months())
                .ok()
                .and_then(|dt| dt.checked_add((du.secs * sign as i64).seconds()).ok())
                .and_then(|dt| o.to_timestamp(dt).ok())
                .map_or(Value::None, |at| Value::datetime(at, o))
        }
        (BinOp::Sub, DateTime(x), DateTime(y)) => {
            Duration(self::Duration { months: 0, secs: x.at.as_second() - y.at.as_second() })
        }
        (BinOp::Sub, Date(_) | DateTime(..), Date(_) | DateTime(..)) => match (a.as_date(), b.as_date()) {
            (Some(x), Some(y)) => match x.since(y) {
                Ok(span) => Duration(self::Duration { months: 0, secs: span.get_days() as i64 * 86_400 }),
                Err(_) => Value::None,
            },
            _ => Value::None,
        },
        (BinOp::Add, Duration(x), Duration(y)) => {
            Duration(self::Duration { months: x.months + y.months, secs: x.secs + y.secs })
        }
        (BinOp::Sub, Duration(x), Duration(y)) => {
            Duration(self::Duration { months: x.months - y.months, secs: x.secs - y.secs })
        }
        (BinOp::Mul | BinOp::Div, Duration(x), Int(_) | Num(_)) => {
            let k = b.as_f64().unwrap_or(0.0);
            let k = if op == BinOp::Div { if k == 0.0 { return Value::None } else { 1.0 / k } } else { k };
            Duration(self::Duration {
                months: (x.months as f64 * k).round() as i32,
                secs: (x.secs as f64 * k).round() as i64,
            })
        }
        (BinOp::Div, Duration(x), Duration(y)) => {
            div(x.approx_secs() as f64, y.approx_secs() as f64).map_or(Value::None, Num)
        }
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => match op {
                BinOp::Add => Num(x + y),
                BinOp::Sub => Num(x - y),
                BinOp::Mul => Num(x * y),
                BinOp::Div => div(x, y).map_or(Value::None, Num),
                _ => Value::None,
            },
            _ => Value::None,
        },
    }
}

fn div(x: f64, y: f64) -> Option<f64> {
    (y != 0.0).then(|| x / y)
}

fn add_date(d: Date, du: Duration, sub: bool) -> Option<Date> {
    let sign = if sub { -1 } else { 1 };
    d.checked_add((du.months * sign).months()).ok()?.checked_add((du.secs / 86_400 * sign as i64).days()).ok()
}

#[cfg(test)]
mod tests;
