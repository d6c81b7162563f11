//! Reading a dated value (`from 2027-01-01 value 1 day`): the value in force on the date of the
//! record being judged. That record is the innermost quantifier variable whose kind says which
//! of its fields dates it (`record … dated_by FIELD`); with none in scope, the value in force on
//! `as_of`. A value without a history stays a constant, so a pack without dated values compiles
//! exactly as before.

use super::Compiler;
use crate::base::value::{KindId, Value};
use crate::policy::builtin::Builtin;
use crate::policy::ir::{FieldAcc, Ir};
use crate::policy::types::Type;

impl Compiler<'_> {
    /// The reading of attribute `attr` of declaration `name` of kind `kind`, if it is dated.
    pub(super) fn dated(&mut self, kind: KindId, name: &str, attr: &str) -> Option<Ir> {
        let slot = self.names.schema.kind(kind).slot(attr)?;
        self.dated_slot(kind, name, slot)
    }

    /// Like [`Compiler::dated`], by slot.
    pub(super) fn dated_slot(&mut self, kind: KindId, name: &str, slot: usize) -> Option<Ir> {
        let h = self.names.histories.iter().find(|h| h.kind == kind && h.slot == slot && h.name == name)?;
        let dates = Value::list(h.changes.iter().map(|(d, _)| Value::Date(*d)).collect());
        let values =
            Value::list(std::iter::once(h.base.clone()).chain(h.changes.iter().map(|(_, v)| v.clone())).collect());
        Some(Ir::Call(Builtin::InForce, vec![self.record_date(), Ir::AsOf, Ir::Const(dates), Ir::Const(values)]))
    }

    /// The reading of slot `slot` of a declaration `decl` of kind `kind` that the pack's text does
    /// not name (a quantifier variable over `policy.KIND`, a reference field), if some
    /// declaration of the kind dates that attribute: each declaration's own history, looked up
    /// by its id when the check runs, so iterating reads the same value as naming it would.
    pub(super) fn dated_any(&mut self, kind: KindId, slot: usize, decl: &Ir) -> Option<Ir> {
        let mut hs: Vec<&crate::policy::History> =
            self.names.histories.iter().filter(|h| h.kind == kind && h.slot == slot).collect();
        if hs.is_empty() {
            return None;
        }
        hs.sort_by(|a, b| a.name.cmp(&b.name));
        let names = Value::list(hs.iter().map(|h| Value::str(&h.name)).collect());
        let dates = Value::list(
            hs.iter().map(|h| Value::list(h.changes.iter().map(|(d, _)| Value::Date(*d)).collect())).collect(),
        );
        let values = Value::list(
            hs.iter()
                .map(|h| {
                    Value::list(
                        std::iter::once(h.base.clone()).chain(h.changes.iter().map(|(_, v)| v.clone())).collect(),
                    )
                })
                .collect(),
        );
        let undated = Ir::Field(Box::new(decl.clone()), FieldAcc::Slot(kind, slot));
        let args = vec![
            undated,
            Ir::IdOf(Box::new(decl.clone())),
            self.record_date(),
            Ir::AsOf,
            Ir::Const(names),
            Ir::Const(dates),
            Ir::Const(values),
        ];
        Some(Ir::Call(Builtin::InForceOf, args))
    }

    /// The date of the record being judged: the `dated_by` field of the innermost variable of a
    /// kind that has one, else `as_of`. Innermost is the highest slot (slots are given in binding
    /// order), so a message hole reads the same date as the check it explains.
    fn record_date(&self) -> Ir {
        let dated = self.scope.iter().filter_map(|v| match v.ty {
            Type::Record(k) => self.names.schema.kind(k).dated_by.map(|s| (v.slot, k, s)),
            _ => None,
        });
        match dated.max_by_key(|(slot, ..)| *slot) {
            Some((var, k, s)) => Ir::Field(Box::new(Ir::Var(var)), FieldAcc::Slot(k, s)),
            None => Ir::AsOf,
        }
    }
}
