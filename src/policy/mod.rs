//! The typed, resolved policy: declarations, record schema and compiled rules.

pub mod builtin;
pub mod counts;
pub mod ir;
pub mod select;
pub mod types;

use rustc_hash::FxHashMap as HashMap;

use jiff::civil::Date;

use crate::base::source::{Loc, SourceMap};
use crate::base::store::Store;
use crate::base::value::{KindId, Value};
use crate::policy::ir::Ir;
use crate::syntax::ast::Severity;
pub use select::Selection;
use types::{FieldType, Type};

/// Whether a kind is org data or a declaration kind of the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindOrigin {
    /// Declared by `record`: org data.
    Record,
    /// A declaration kind (`policy.role`).
    Decl,
}

/// The schema of one kind.
#[derive(Clone, Debug)]
pub struct KindSchema {
    /// Name (`person`; declaration kinds are `policy.role`).
    pub name: String,
    /// Human title.
    pub title: Option<String>,
    /// Other file stems accepted for CSV files.
    pub aliases: Vec<String>,
    /// Org data or declarations.
    pub origin: KindOrigin,
    /// Fields in slot order.
    pub fields: Vec<FieldType>,
    /// Slot by field name.
    pub index: HashMap<String, usize>,
    /// Whether records have an `id` field.
    pub has_id: bool,
    /// For a stream kind: the directory (relative to the org dir) whose files produce its records.
    pub stream: Option<String>,
    /// Declared `open`: records may carry fields the schema does not declare (no `DATA-FIELD`).
    pub open: bool,
    /// `dated_by FIELD`: the slot of the field that dates a record, deciding which value of a
    /// dated param or declaration attribute a check on the record uses.
    pub dated_by: Option<usize>,
    /// Where it was declared.
    pub loc: Loc,
}

impl KindSchema {
    /// Slot of a field.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// Slot of the `id` field.
    pub fn id_slot(&self) -> Option<usize> {
        self.slot("id")
    }
}

/// All kinds: org record kinds and declaration kinds.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// Kinds by id.
    pub kinds: Vec<KindSchema>,
    by_name: HashMap<String, KindId>,
    /// The words of each vocabulary record fields name (by [`FieldType::vocab_key`](types::FieldType::vocab_key)),
    /// in declaration order: the names the pack declares.
    pub vocab: HashMap<String, std::sync::Arc<[String]>>,
}

impl Schema {
    /// Adds a kind and returns its id.
    pub fn add(&mut self, k: KindSchema) -> KindId {
        let id = KindId(self.kinds.len() as u32);
        self.by_name.insert(k.name.clone(), id);
        self.kinds.push(k);
        id
    }

    /// A kind by name.
    pub fn id(&self, name: &str) -> Option<KindId> {
        self.by_name.get(name).copied()
    }

    /// A kind's schema.
    pub fn kind(&self, id: KindId) -> &KindSchema {
        &self.kinds[id.0 as usize]
    }

    /// Org record kinds in declaration order.
    pub fn record_kinds(&self) -> impl Iterator<Item = (KindId, &KindSchema)> {
        self.kinds
            .iter()
            .enumerate()
            .filter(|(_, k)| k.origin == KindOrigin::Record)
            .map(|(i, k)| (KindId(i as u32), k))
    }

    /// The id of a declaration kind (`role` → `policy.role`).
    pub fn decl_kind(&self, kind: &str) -> Option<KindId> {
        self.id(&format!("policy.{kind}"))
    }

    /// Human-readable type.
    pub fn show(&self, t: &Type) -> String {
        let names = |k: KindId| self.kinds.get(k.0 as usize).map_or("?".into(), |s| s.name.clone());
        types::TypeDisplay { ty: t, kinds: &names }.to_string()
    }
}

/// Policy metadata from the `policy` declaration.
#[derive(Clone, Debug)]
pub struct Meta {
    /// Pack name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// Version string.
    pub version: String,
    /// Date the pack takes effect.
    pub effective: Date,
    /// Issuing body.
    pub issuer: Option<String>,
}

/// Where a rule is checked (catalog column).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Where {
    /// Static check of the policy.
    pub policy: bool,
    /// Check of org data.
    pub org: bool,
    /// Stated in the handbook.
    pub doc: bool,
}

impl Where {
    /// `policy, org, doc` style list.
    pub fn describe(&self) -> String {
        let mut v = Vec::new();
        if self.policy {
            v.push("policy");
        }
        if self.org {
            v.push("org");
        }
        if self.doc {
            v.push("doc");
        }
        v.join(", ")
    }
}

/// Whether a check reads org data or only the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Reads only `policy.*`.
    Policy,
    /// Reads org records.
    Org,
}

/// A piece of a message template.
#[derive(Clone, Debug)]
pub enum Part {
    /// Literal text.
    Lit(String),
    /// A compiled `{expr}` hole.
    Hole(Ir),
}

/// One compiled `check` of a rule.
#[derive(Clone, Debug)]
pub struct Check {
    /// The compiled expression.
    pub ir: Ir,
    /// The same, with sub-conditions marked by location (for `explain`).
    pub traced: Ir,
    /// Quantifier variables: name, slot, type.
    pub vars: Vec<ir::VarInfo>,
    /// Source text of the expression (for `explain`).
    pub text: String,
    /// Policy or org.
    pub scope: Scope,
    /// Record kinds it reads.
    pub reads: Vec<KindId>,
    /// Number of variable slots.
    pub slots: usize,
    /// The message, compiled against this check's variables.
    pub message: Vec<Part>,
    /// English message if given.
    pub message_en: Option<Vec<Part>>,
    /// Location.
    pub loc: Loc,
}

/// A rule of the pack.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Catalog ID.
    pub id: String,
    /// Severity.
    pub severity: Severity,
    /// Short Chinese title.
    pub title: String,
    /// Source clause.
    pub source: String,
    /// The rule stated in full.
    pub text: Option<String>,
    /// How the rule is checked: for auditors (the annotated edition), never on the wall.
    pub explain: Option<String>,
    /// Why the pack chose what the regulations leave open (`chosen "…"`): printed as 本制度补充.
    pub chosen: Option<String>,
    /// The regulation's own words.
    pub quote: Option<String>,
    /// Message template as written.
    pub message: String,
    /// `advisory` rules never fail a run.
    pub advisory: bool,
    /// Date the rule takes effect.
    pub effective: Option<Date>,
    /// Declarations this rule states: (kind, name); name `None` means all of the kind.
    pub documents: Vec<(String, Option<String>)>,
    /// Compiled checks.
    pub checks: Vec<Check>,
    /// Where it is checked.
    pub place: Where,
    /// Location of the rule.
    pub loc: Loc,
    /// Set when an overlay turned the rule off (`disable rule …`): never checked.
    pub disabled: Option<Disabled>,
}

/// Why an overlay turned a rule off.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Disabled {
    /// The reason given (required).
    pub reason: String,
    /// Who approved it, if given.
    pub approved_by: Option<String>,
}

/// What an overlay does to its base pack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviationKind {
    /// A declaration the base does not have (a supplement, 补充).
    Added,
    /// `override`: attributes of a base declaration replaced (an adjustment, 调整).
    Override,
    /// `disable rule`: a base rule turned off.
    Disable,
}

/// One change an overlay makes to its base pack, with the text of both sides.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Deviation {
    /// Added, overridden or disabled.
    pub action: DeviationKind,
    /// Declaration kind (`approval`, `param`) or `rule`.
    pub kind: String,
    /// Declaration name or rule ID.
    pub name: String,
    /// The attributes an override replaces (empty otherwise).
    pub attrs: Vec<String>,
    /// The base pack's text of what changed (empty for an addition).
    pub base: String,
    /// The overlay's text.
    pub company: String,
    /// For a disabled rule: the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a disabled rule: who approved it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// Where the overlay writes it.
    #[serde(skip)]
    pub loc: Loc,
}

impl Deviation {
    /// Whether it changes the base (an override or a disabled rule) rather than adding to it.
    pub fn changes_base(&self) -> bool {
        self.action != DeviationKind::Added
    }
}

impl Rule {
    /// The chapter: the ID's prefix (`APV` of `APV-3`).
    pub fn chapter(&self) -> &str {
        self.id.split('-').next().unwrap_or(&self.id)
    }
}

/// A parameter (overridable concrete value).
#[derive(Clone, Debug)]
pub struct Param {
    /// Name.
    pub name: String,
    /// Value.
    pub value: Value,
    /// Type of the value.
    pub ty: Type,
    /// Location.
    pub loc: Loc,
}

/// The dated values of one declaration attribute (`from 2027-01-01 value 1 day`): the undated
/// value before the first date, each change from its date on. Sorted by date, no date twice.
#[derive(Clone, Debug)]
pub struct History {
    /// The declaration kind (`policy.param`).
    pub kind: KindId,
    /// The declaration's name.
    pub name: String,
    /// The attribute's slot in the kind.
    pub slot: usize,
    /// The attribute's name.
    pub attr: String,
    /// The undated value (in force before the first change).
    pub base: Value,
    /// The changes: the first day each is in force and its value, by date.
    pub changes: Vec<(jiff::civil::Date, Value)>,
}

impl History {
    /// The value in force on `day`: the last change on or before it, else the undated value.
    pub fn on(&self, day: jiff::civil::Date) -> &Value {
        let n = self.changes.partition_point(|(d, _)| *d <= day);
        match n.checked_sub(1).and_then(|i| self.changes.get(i)) {
            Some((_, v)) => v,
            None => &self.base,
        }
    }
}

/// The resolved, type-checked policy pack.
#[derive(Debug)]
pub struct Policy {
    /// All policy source files.
    pub sources: SourceMap,
    /// Metadata.
    pub meta: Meta,
    /// Kinds: org records and declarations.
    pub schema: Schema,
    /// Declarations as records of the `policy.*` kinds (undated values).
    pub decls: Store,
    /// The dated values of declaration attributes, by kind, name and slot.
    pub histories: Vec<History>,
    /// Rules in source order.
    pub rules: Vec<Rule>,
    /// Parameters by name.
    pub params: Vec<Param>,
    /// Compiled named patterns, by name.
    pub patterns: Vec<(String, regex::Regex)>,
    /// (kind, field slot) pairs that rules join on; the evaluator indexes them once per run.
    pub index_keys: Vec<(KindId, usize)>,
    /// What an overlay adds to, overrides in and disables of its base pack, in source order.
    pub deviations: Vec<Deviation>,
    /// When the pack has dated values: each rule's `text`, `explain` and `chosen` as written,
    /// before their `{param …}` references were filled in, so `render::in_force_on` can fill
    /// them again (empty otherwise).
    pub raw_texts: Vec<[Option<String>; 3]>,
}

impl Policy {
    /// The declarations of a kind, in source order.
    pub fn decls_of(&self, kind: &str) -> Vec<crate::base::value::RecordRef> {
        match self.schema.decl_kind(kind) {
            Some(k) => {
                (0..self.decls.kind(k).len() as u32).map(|idx| crate::base::value::RecordRef { kind: k, idx }).collect()
            }
            None => Vec::new(),
        }
    }

    /// A field of a declaration record.
    pub fn decl_field(&self, r: crate::base::value::RecordRef, field: &str) -> Option<&Value> {
        let slot = self.schema.kind(r.kind).slot(field)?;
        self.decls.get(r)?.fields.get(slot)
    }

    /// A rule by ID (the version in force if several).
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
