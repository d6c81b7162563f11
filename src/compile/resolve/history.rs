//! Dated values (`from 2027-01-01 value 1 day`): each declaration's dated entries become the
//! [`History`] of the attribute they name, checked for date order. Checks read a history through
//! the date of the record they judge (`typecheck`); everything else reads the undated value.

use super::*;
use crate::policy::History;

/// One dated value as written: its date, value and the date's location.
type Change = (jiff::civil::Date, Value, Loc);

impl Resolver {
    /// The histories of every declaration's dated attributes.
    pub(super) fn histories(&mut self, decls: &[&ast::Decl]) -> Vec<History> {
        let mut out = Vec::new();
        let mut seen: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
        for d in decls {
            self.nested_history(&d.entries);
            let (Some(spec), Some(name)) = (spec::decl_spec(&d.kind.name), &d.name) else { continue };
            // A second declaration of a name is reported elsewhere; only the first is stored.
            if !seen.insert((spec.kind, &name.name)) || d.history.is_empty() {
                continue;
            }
            let Some(kind) = self.schema.decl_kind(spec.kind) else { continue };
            let mut by_attr: Vec<(&'static str, usize, Vec<Change>)> = Vec::new();
            for dated in &d.history {
                self.nested_history(std::slice::from_ref(&dated.entry));
                let key = dated.entry.key();
                let Some(aspec) = spec.attr(&key.name) else {
                    let names: Vec<&str> = spec.attr_names().collect();
                    self.unknown_attr(spec.kind, names.into_iter(), key);
                    continue;
                };
                let value = match (&dated.entry, aspec.ty, aspec.card) {
                    (Entry::Attr(a), _, Card::One) => self.attr_value(aspec, a),
                    (Entry::Decl(sub), AttrType::Pairs(inner), _) => self.pairs(aspec, inner, sub),
                    _ => {
                        self.error(
                            PolicyError::new(K::HistoryAttr { attr: aspec.name.into() }, key.loc)
                                .label("not a single value")
                                .help("a dated entry changes an attribute with one value or a `{ … }` table"),
                        );
                        continue;
                    }
                };
                let Some(slot) = self.schema.kind(kind).slot(aspec.name) else { continue };
                let i = match by_attr.iter().position(|(a, ..)| *a == aspec.name) {
                    Some(i) => i,
                    None => {
                        by_attr.push((aspec.name, slot, Vec::new()));
                        by_attr.len() - 1
                    }
                };
                let Some((_, _, changes)) = by_attr.get_mut(i) else { continue };
                let err = match changes.last() {
                    Some((prev, _, first)) if *prev == dated.from => Some(
                        PolicyError::new(
                            K::HistoryDuplicate {
                                attr: aspec.name.into(),
                                date: dated.from.to_string(),
                                first: *first,
                            },
                            dated.from_loc,
                        )
                        .label("dated again")
                        .help("give each change its own date; remove one of the two"),
                    ),
                    Some((prev, ..)) if *prev > dated.from => Some(
                        PolicyError::new(
                            K::HistoryOrder {
                                attr: aspec.name.into(),
                                date: dated.from.to_string(),
                                prev: prev.to_string(),
                            },
                            dated.from_loc,
                        )
                        .label("earlier than the change before it")
                        .help("write the dated values oldest first"),
                    ),
                    _ => None,
                };
                match err {
                    Some(e) => self.error(e),
                    None => changes.push((dated.from, value, dated.from_loc)),
                }
            }
            for (attr, slot, changes) in by_attr {
                out.push(History {
                    kind,
                    name: name.name.clone(),
                    slot,
                    attr: attr.into(),
                    base: Value::None,
                    changes: changes.into_iter().map(|(d, v, _)| (d, v)).collect(),
                });
            }
        }
        out
    }

    /// Dated entries are allowed at the top level of a declaration only: reports one nested deeper.
    fn nested_history(&mut self, entries: &[Entry]) {
        for e in entries {
            if let Entry::Decl(sub) = e {
                for dated in &sub.history {
                    self.error(
                        PolicyError::new(K::HistoryAttr { attr: dated.entry.key().name.clone() }, dated.loc)
                            .label("dated inside a nested block")
                            .help(format!(
                                "date the whole block instead: `from {} {} {{ … }}` in the declaration",
                                dated.from, sub.kind.name
                            )),
                    );
                }
                self.nested_history(&sub.entries);
            }
        }
    }
}

/// Fills each history's undated value from the declarations' store.
pub(super) fn fill_bases(histories: &mut [History], store: &Store) {
    for h in histories {
        let rec = store.kind(h.kind).iter().find(|r| r.id_str() == Some(h.name.as_str()));
        h.base = rec.and_then(|r| r.fields.get(h.slot)).cloned().unwrap_or_default();
    }
}
