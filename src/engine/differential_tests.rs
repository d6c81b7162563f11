//! (A test over 500 lines: the generator and the comparisons are one property.)
//!
//! Random packs against random orgs: every way a check is evaluated gives what the interpreter
//! gives. The built-in pack's checks are held to this elsewhere (`eval::opt::lower`,
//! `eval::run`, `engine::stream::plan`); here the checks are generated, so that expression
//! shapes no pack has yet are guarded too.
//!
//! A case is a small pack written as source text — two record kinds (int, number, string,
//! date, list of strings, bool, `any`, references between them, a list of objects, declared
//! names), declarations (`data_class`, `mask`, `param`, `pattern`) and one to three rules whose
//! checks are random well-typed conditions `forall x in K where F: B` (or a condition with no
//! subject) built from comparisons, logic, membership, arithmetic, `??`, `if`, nested
//! `forall`/`exists`/`count`/`sum`/comprehensions, joins the compiler plans as index and id
//! lookups (with date bounds), dates against `period` and `as_of`, windows, built-ins, targets,
//! `matches`, fields read through references and records looked up by id — and sometimes a
//! stream rule `forall c in export_cell where F: B` on the cell's text, column and row. The org
//! is small, written as TOML: missing fields and ids, repeated ids, dangling references,
//! values of the wrong type; the exports are CSV files (ragged rows, quoted cells). The pack
//! and the org are loaded by the crate's own loaders.
//!
//! For each check and each subject the interpreter's verdict (with join indexes and without)
//! is compared with the lowered evaluator (filter and body, unsimplified), the simplified
//! check ([`crate::eval::run`]'s `Quick`), [`run_check_counted`] (hoisting, `Quick`, chunks:
//! the failing subjects, their messages and the number of subjects) and `explain` (a reason
//! for every failing subject, nothing for the others); a run of the engine with `--explain`
//! gives the same findings, each explained. Each check is also written with every collection
//! as a plain list (`[w for w in a]`, never looked up in), and must fail for the same subjects
//! (so the join planner is checked too). For a stream rule, the engine's findings and cell
//! counts (per-column plans, cell tests) are compared with the interpreter evaluating every
//! cell as a record.
//!
//! The expressions are decoded from a list of choices (each a byte; a missing one is 0, the
//! simplest choice), so proptest shrinks a failing case to a short list and a small program.
//! `PROPTEST_CASES` sets the number of cases (default [`CASES`]).

use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::base::store::{Record, Store};
use crate::base::value::{RecordRef, Value};
use crate::data::OrgData;
use crate::eval::explain::explain;
use crate::eval::interp::{Ctx, Indexes};
use crate::eval::run::{run_check_counted, violation};
use crate::policy::ir::{Ir, Source};
use crate::policy::{Check, Policy, Rule};
use crate::syntax::ast::Quant;

/// Cases per run: under two seconds in a debug build (more with `PROPTEST_CASES`: a bug seen
/// once in some thousand cases shows up over the runs of a few days).
const CASES: u32 = 128;

// ------------------------------------------------------------------------------------------
// The pack: kinds, fields and the pools literals and data values are drawn from.

/// What a variable of a generated check may be bound to, with fields: records of the pack's
/// kinds `a` and `b`, declarations, objects of a list.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum K {
    A,
    B,
    /// `policy.data_class` declarations.
    Dc,
    /// An object of `b.items`.
    Item,
}

/// A field's type, as the generator uses it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum F {
    Int,
    Num,
    Str,
    Date,
    Strs,
    Bool,
    Ref(K),
    /// A `role` name.
    Role,
    /// A `data_class` name (followed like a reference to the declaration).
    Class,
    /// A list of objects `{ by: ref a, k: int }`.
    Items,
    /// `any`: a string, a number, a list, … (as the data has it).
    Any,
}

impl K {
    /// The collection of all of them (objects are only reached through `b.items`).
    fn coll(self) -> &'static str {
        match self {
            K::A => "a",
            K::B | K::Item => "b",
            K::Dc => "policy.data_class",
        }
    }

    fn fields(self) -> &'static [(&'static str, F)] {
        match self {
            K::A => &[
                ("id", F::Str),
                ("n", F::Int),
                ("x", F::Num),
                ("s", F::Str),
                ("d", F::Date),
                ("tags", F::Strs),
                ("b", F::Ref(K::B)),
                ("role", F::Role),
                ("flag", F::Bool),
                ("v", F::Any),
            ],
            K::B => &[
                ("id", F::Str),
                ("n", F::Int),
                ("s", F::Str),
                ("d", F::Date),
                ("tags", F::Strs),
                ("a", F::Ref(K::A)),
                ("parent", F::Ref(K::B)),
                ("class", F::Class),
                ("items", F::Items),
            ],
            K::Dc => &[("name", F::Str), ("rank", F::Int)],
            K::Item => &[("by", F::Ref(K::A)), ("k", F::Int)],
        }
    }

    fn schema_type(f: F) -> &'static str {
        match f {
            F::Int => "int",
            F::Num => "number",
            F::Str => "string",
            F::Date => "date",
            F::Strs => "[string]",
            F::Bool => "bool",
            F::Ref(K::A) => "ref a",
            F::Ref(_) => "ref b",
            F::Role => "role",
            F::Class => "data_class",
            F::Items => "[{ by: ref a, k: int }]",
            F::Any => "any",
        }
    }
}

/// String literals of expressions (ids and data strings among them, so that tests hit).
const STRS: &[&str] = &["a", "b", "甲", "", "a1", "b2", "ab", "A1", "b1"];
/// Strings of the data.
const DATA_STRS: &[&str] = &["a", "b", "甲", "", "a1", "b2", "ab", "A1", "b1", "x9", "a2"];
/// Dates about the period (2026-01-01 to 2026-06-30, `as_of` its last day).
const DATES: &[&str] = &["2026-01-01", "2026-06-30", "2026-03-15", "2025-12-31", "2026-07-01", "2027-02-28"];
const DURS: &[&str] = &["30 days", "1 month", "3 months", "1 year", "2 weeks", "0 days", "宽限"];
const EVERY: &[&str] = &["1 month", "3 months", "2 weeks", "6 months"];
const INTS: &[&str] = &["0", "1", "2", "3", "(-1)", "5", "阈值"];
const NUMS: &[&str] = &["1.5", "0.5", "2.0", "3.25"];
const CMP: &[&str] = &["==", "!=", "<", "<=", ">", ">="];
const ROLES: &[&str] = &["甲", "乙"];
const CLASSES: &[(&str, Option<i64>)] = &[("公开", Some(1)), ("内部", None), ("核心", Some(3))];
const MASKS: &[(&str, &str, &str)] =
    &[("地址", "地址, addr", "province"), ("年龄", "年龄", "age_band"), ("编号", "id", "hash")];
const BUILTINS: &[&str] = &["is_province", "is_age_band", "is_sha256", "looks_like_cn_id", "looks_like_cn_mobile"];
const HEADERS: &[&str] = &["地址", "addr", "年龄", "备注", "id", " 地址 ", ""];
const CELLS: &[&str] = &[
    "",
    " ",
    "广东省",
    "广东",
    "广东省广州市天河区体育西路1号",
    "27",
    "25-30岁",
    "60岁以上",
    "e71c0f1c6009aa3a483b3c86f5ffa73e195a996cade8a58c77921b6fd5c75b25",
    "U10086",
    "11010519491231002X",
    "客户来电 13812345678 咨询退货",
    "13812345678",
    "a1",
    "甲",
    "广东省, 广州",
    "他说\"好\"",
];

// ------------------------------------------------------------------------------------------
// Expressions, decoded from choices.

/// What a variable is bound to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum T {
    Rec(K),
    Str,
    Int,
    /// A window of `windows(period, …)`.
    Win,
    /// The stream record (`export_cell`).
    Cell,
    /// A `mask` declaration.
    Mask,
}

struct Var {
    name: String,
    ty: T,
}

/// Decodes choices into well-typed source text. Every `pick` takes the next choice (0 when
/// they run out); 0 is always the simplest option, so shorter and smaller choices give
/// smaller programs.
struct Gen<'c> {
    choices: &'c [u8],
    pos: usize,
    /// Variables in scope, innermost last.
    vars: Vec<Var>,
    /// Variables bound so far in the current check (a message may print them).
    bound: Vec<String>,
    next: usize,
    /// Declared data classes.
    classes: Vec<&'static str>,
    /// Whether masks are declared.
    masks: bool,
}

impl Gen<'_> {
    fn pick(&mut self, n: usize) -> usize {
        let c = self.choices.get(self.pos).copied().unwrap_or(0) as usize;
        self.pos += 1;
        c % n
    }

    fn flag(&mut self) -> bool {
        self.pick(2) == 1
    }

    fn one<'s>(&mut self, from: &[&'s str]) -> &'s str {
        from[self.pick(from.len())]
    }

    fn quoted(&mut self, from: &[&str]) -> String {
        format!("\"{}\"", self.one(from).replace('\\', "\\\\").replace('"', "\\\""))
    }

    /// A new variable of type `ty`, in scope until [`Gen::pop`].
    fn push(&mut self, ty: T) -> String {
        self.next += 1;
        let name = format!("v{}", self.next);
        self.vars.push(Var { name: name.clone(), ty });
        self.bound.push(name.clone());
        name
    }

    fn pop(&mut self) {
        self.vars.pop();
    }

    fn var_of(&mut self, ty: T) -> Option<String> {
        let names: Vec<String> = self.vars.iter().filter(|v| v.ty == ty).map(|v| v.name.clone()).collect();
        (!names.is_empty()).then(|| names[self.pick(names.len())].clone())
    }

    /// A declared data class.
    fn class(&mut self) -> &'static str {
        let i = self.pick(self.classes.len().max(1));
        self.classes.get(i).copied().unwrap_or("公开")
    }

    fn cell(&self) -> Option<String> {
        self.vars.iter().find(|v| v.ty == T::Cell).map(|v| v.name.clone())
    }

    /// Expressions for a record of kind `k`, with the number of references followed to reach
    /// it: variables bound to one (0), references followed from one (`v.b`: 1, `v.a.b`: 2).
    fn paths(&self, k: K) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        let mut frontier: Vec<(String, K)> = self
            .vars
            .iter()
            .filter_map(|v| match v.ty {
                T::Rec(j) => Some((v.name.clone(), j)),
                _ => None,
            })
            .collect();
        for hop in 0..3 {
            if hop == 1 {
                // Records looked up by id (one missing), declarations by name.
                frontier.extend(
                    [("a[\"a2\"]", K::A), ("b[\"b1\"]", K::B), ("b[\"zz\"]", K::B)].map(|(p, k)| (p.to_string(), k)),
                );
                frontier.extend(self.classes.first().map(|c| (format!("policy.data_class[\"{c}\"]"), K::Dc)));
            }
            out.extend(frontier.iter().filter(|(_, j)| *j == k).map(|(p, _)| (p.clone(), hop)));
            frontier = frontier
                .iter()
                .flat_map(|(p, j)| {
                    j.fields().iter().filter_map(move |(f, t)| match t {
                        F::Ref(t) => Some((format!("{p}.{f}"), *t)),
                        F::Class => Some((format!("{p}.{f}"), K::Dc)),
                        _ => None,
                    })
                })
                .collect();
        }
        out
    }

    /// One of `found` (each with its number of references followed): mostly one read from a
    /// variable, less often through one reference, rarely through two.
    fn near(&mut self, found: Vec<(String, usize)>) -> Option<String> {
        let hops = [0, 0, 0, 1, 1, 2][self.pick(6)];
        let at: Vec<&String> = found.iter().filter(|(_, h)| *h == hops).map(|(p, _)| p).collect();
        let from: Vec<&String> = if at.is_empty() { found.iter().map(|(p, _)| p).collect() } else { at };
        (!from.is_empty()).then(|| from[self.pick(from.len())].clone())
    }

    /// A field read (through references, maybe) whose type `want` accepts.
    fn field(&mut self, want: impl Fn(F) -> bool) -> Option<String> {
        let mut found = Vec::new();
        for k in [K::A, K::B, K::Dc] {
            for (p, hops) in self.paths(k) {
                for (f, t) in k.fields() {
                    if want(*t) {
                        found.push((format!("{p}.{f}"), hops));
                    }
                }
            }
        }
        self.near(found)
    }

    /// A record of kind `k`: a path to one, or `None` when no variable leads to one.
    fn record(&mut self, k: K) -> Option<String> {
        let paths = self.paths(k);
        self.near(paths)
    }

    // ------------------------------------------------------------------ conditions

    fn bool(&mut self, d: u32) -> String {
        if d == 0 {
            return self.bool_leaf();
        }
        let d1 = d - 1;
        match self.pick(26) {
            0 => self.bool_leaf(),
            1 => {
                let (a, op, b) = (self.int(d1), self.one(CMP), self.int(d1));
                format!("({a} {op} {b})")
            }
            2 => {
                let (a, op, b) = (self.num(d1), self.one(CMP), self.num(d1));
                format!("({a} {op} {b})")
            }
            3 => {
                let (a, op, b) = (self.str(d1), self.one(&["==", "!=", "==", "<", ">="]), self.str(d1));
                format!("({a} {op} {b})")
            }
            4 => {
                let (a, op, b) = (self.date(d1), self.one(CMP), self.date(d1));
                format!("({a} {op} {b})")
            }
            5 => {
                let (a, op, b) = (self.dur(d1), self.one(CMP), self.dur(d1));
                format!("({a} {op} {b})")
            }
            6 => {
                let (a, op, b) = (self.bool(d1), self.one(&["and", "or", "implies"]), self.bool(d1));
                format!("({a} {op} {b})")
            }
            7 => format!("(not {})", self.bool(d1)),
            8 => {
                let op = self.one(&["in", "not in"]);
                let x = self.str(d1);
                // A string holds a substring (a string on the right, not a reference).
                let y = if self.pick(4) == 3 {
                    self.field(|t| t == F::Str).unwrap_or_else(|| self.quoted(STRS))
                } else {
                    self.strs(d1)
                };
                format!("({x} {op} {y})")
            }
            9 | 10 => self.quant_kind(d1),
            11 => self.quant_list(d1),
            12 => {
                let s = self.str(d1);
                let re = if self.flag() { "编码".to_string() } else { self.quoted(&["^a", "[0-9]$", "^$", "甲|b"]) };
                format!("({s} matches {re})")
            }
            13 => {
                let (c, t, e) = (self.bool(d1), self.bool(d1), self.bool(d1));
                format!("(if {c} then {t} else {e})")
            }
            14 => {
                let f = self.field(|_| true).unwrap_or_else(|| "as_of".into());
                let op = self.one(&["==", "!="]);
                format!("({f} {op} none)")
            }
            15 => {
                let vars: Vec<(String, K)> = self
                    .vars
                    .iter()
                    .filter_map(|v| match v.ty {
                        T::Rec(k) => Some((v.name.clone(), k)),
                        _ => None,
                    })
                    .collect();
                if vars.is_empty() {
                    return self.bool_leaf();
                }
                let (v, k) = vars[self.pick(vars.len())].clone();
                let mut names: Vec<&str> = k.fields().iter().map(|(f, _)| *f).collect();
                names.push("zz");
                let f = self.one(&names);
                format!("has({v}, \"{f}\")")
            }
            16 => self.relation(d1),
            17 => match self.var_of(T::Rec(K::B)) {
                Some(v) => format!("cyclic({v}, \"{}\")", self.one(&["parent", "tags"])),
                None => self.bool_leaf(),
            },
            18 => {
                let every = self.one(EVERY);
                let q = self.one(&["exists", "forall"]);
                let w = self.push(T::Win);
                let date = self.date(d1);
                let body = self.bool(d1);
                self.pop();
                if self.flag() {
                    format!("({q} {w} in windows(period, {every}) where {date} in {w}: {body})")
                } else {
                    format!("({q} {w} in windows(period, {every}): {body})")
                }
            }
            19 => {
                // A computation written twice (kept once by the lowered evaluator).
                let e = self.arith(d1);
                let (a, b) = (self.one(INTS), self.one(INTS));
                let (o1, o2) = (self.one(CMP), self.one(CMP));
                let join = self.one(&["and", "or"]);
                format!("(({e} {o1} {a}) {join} ({e} {o2} {b}))")
            }
            20 => format!("{}({})", self.one(BUILTINS), self.str(d1)),
            21 => {
                let (c, op, i) = (self.count(d1), self.one(CMP), self.int(d1));
                format!("({c} {op} {i})")
            }
            22 => {
                let n = self.num(d1);
                let target = match self.pick(3) {
                    0 => format!("\"{} {}\"", self.one(CMP), self.one(&["1.5", "2", "0"])),
                    _ => format!("{} {}", self.one(CMP), self.one(&["2", "1.5", "阈值", "0"])),
                };
                format!("meets({n}, {target})")
            }
            23 => format!("ascending({})", self.ints(d1)),
            24 => {
                // A record in a list of records.
                let (v, head) = self.binding(d1);
                let k = match self.vars.last().map(|x| x.ty) {
                    Some(T::Rec(k)) => k,
                    _ => K::A,
                };
                self.pop();
                let op = self.one(&["in", "not in"]);
                match self.record(k) {
                    Some(r) => format!("({r} {op} [{v} for {head}])"),
                    None => format!("(\"a1\" {op} [{v}.{} for {head}])", if k == K::Dc { "name" } else { "id" }),
                }
            }
            _ => match self.cell() {
                Some(_) => self.cell_bool(d1),
                None => self.bool_leaf(),
            },
        }
    }

    fn bool_leaf(&mut self) -> String {
        match self.pick(4) {
            0 => self.one(&["true", "false"]).into(),
            1 => self.field(|t| t == F::Bool).unwrap_or_else(|| "true".into()),
            2 => {
                let f = self.field(|t| !matches!(t, F::Strs)).unwrap_or_else(|| "as_of".into());
                format!("({f} != none)")
            }
            _ => {
                let a = self.field(|t| t == F::Int).unwrap_or_else(|| "阈值".into());
                let (op, i) = (self.one(CMP), self.one(INTS));
                format!("({a} {op} {i})")
            }
        }
    }

    /// Records compared with records and references, declared names.
    fn relation(&mut self, d: u32) -> String {
        match self.pick(4) {
            0 | 1 => {
                let k = [K::A, K::B][self.pick(2)];
                let (Some(x), Some(y)) = (self.record(k), self.record(k)) else { return self.bool_leaf() };
                let op = self.one(&["==", "!="]);
                if self.flag() { format!("({x} {op} {y}.id)") } else { format!("({x} {op} {y})") }
            }
            2 => match self.record(K::A) {
                Some(p) => match self.pick(3) {
                    0 => format!("({p}.role == {})", self.one(ROLES)),
                    1 => format!("({p}.role in [{}])", ROLES.join(", ")),
                    _ => format!("({p}.role != none)"),
                },
                None => self.bool(d),
            },
            _ => match (self.record(K::B), self.classes.is_empty()) {
                (Some(p), false) => {
                    let c = self.class();
                    let op = self.one(&["==", "!="]);
                    format!("({p}.class {op} {c})")
                }
                _ => self.bool(d),
            },
        }
    }

    /// `forall`/`exists` over the records of a kind, often with a join the compiler plans.
    fn quant_kind(&mut self, d: u32) -> String {
        let q = if self.flag() { "forall" } else { "exists" };
        let (_, head) = self.binding(d);
        let body = if q == "forall" || self.flag() { format!(": {}", self.bool(d)) } else { String::new() };
        self.pop();
        format!("({q} {head}{body})")
    }

    /// `v in K where …`, with `v` pushed (the caller pops it): the filter's conjuncts are, in
    /// some order, a join on a field (`v.a == x`, `s in v.tags`, `v.id == x.b`), bounds on
    /// the record's date, and any condition.
    fn binding(&mut self, d: u32) -> (String, String) {
        let k = [K::A, K::B, K::A, K::B, K::Dc][self.pick(5)];
        let mut conj: Vec<String> = Vec::new();
        // Keys are about the enclosing variables: generated before the variable is bound.
        let join = (self.pick(4) != 0).then(|| self.join(k, d));
        // Bounds on the date, mostly both (a lookup then searches its records by date).
        let bounds: Vec<(&str, String)> = if k != K::Dc && self.pick(2) == 1 {
            let mut b = vec![([">=", ">"][self.pick(4) / 3], self.date(d.min(1)))];
            if self.pick(3) != 0 {
                b.push((["<=", "<"][self.pick(4) / 3], self.date(d.min(1))));
            }
            b
        } else {
            Vec::new()
        };
        let v = self.push(T::Rec(k));
        if let Some(j) = join {
            conj.push(j.replace('@', &v));
        }
        for (op, date) in bounds {
            let at = self.pick(conj.len() + 1);
            let bound = match (self.flag(), op) {
                (false, _) => format!("{v}.d {op} {date}"),
                (true, ">=") => format!("{date} <= {v}.d"),
                (true, ">") => format!("{date} < {v}.d"),
                (true, "<=") => format!("{date} >= {v}.d"),
                (true, _) => format!("{date} > {v}.d"),
            };
            conj.insert(at, bound);
        }
        if self.pick(3) != 0 {
            let f = self.bool(d);
            let at = self.pick(conj.len() + 1);
            conj.insert(at, f);
        }
        let filter = if conj.is_empty() { String::new() } else { format!(" where {}", conj.join(" and ")) };
        (v.clone(), format!("{v} in ⟪{}⟫{filter}", k.coll()))
    }

    /// A join condition on a record of `k` (written `@`), keyed by what is in scope.
    fn join(&mut self, k: K, d: u32) -> String {
        let key_of = |g: &mut Self, target: K, ids: &[&str]| -> String {
            match g.pick(4) {
                0 => g.quoted(ids),
                1 => g.record(target).unwrap_or_else(|| format!("\"{}\"", ids[0])),
                2 => g.record(target).map_or_else(|| g.str(d), |r| format!("{r}.id")),
                _ => g.str(d),
            }
        };
        // (the record's field, the key), or a membership in a list field.
        // References most often (joined by the position of the record they name).
        let (field, key) = match (k, self.pick(7)) {
            (K::Dc, _) => ("@.name".to_string(), self.str(d)),
            (_, 0) => return format!("{} in @.tags", self.str(d)),
            (_, 1) => {
                // An id lookup; keyed by a reference field, the record it names.
                let target = if k == K::A { K::A } else { K::B };
                let via =
                    if target == K::A { self.field(|t| t == F::Ref(K::A)) } else { self.field(|t| t == F::Ref(K::B)) };
                let ids: &[&str] = if target == K::A { &["a1", "a2", "zz"] } else { &["b1", "b2", "zz"] };
                let key = match via {
                    Some(f) if self.flag() => f,
                    _ => key_of(self, target, ids),
                };
                ("@.id".to_string(), key)
            }
            (_, 2) => ("@.s".to_string(), self.str(d)),
            (K::A, 3) => ("@.v".to_string(), if self.flag() { self.str(d) } else { self.int(d) }),
            (K::A, _) => ("@.b".to_string(), key_of(self, K::B, &["b1", "b2", "zz"])),
            (_, 3 | 4) => ("@.a".to_string(), key_of(self, K::A, &["a1", "a2", "zz"])),
            (_, _) => match (self.classes.is_empty(), self.pick(3) == 2) {
                (false, true) => ("@.class".to_string(), self.class().to_string()),
                _ => ("@.parent".to_string(), key_of(self, K::B, &["b1", "b2", "zz"])),
            },
        };
        // Either side.
        if self.flag() { format!("{key} == {field}") } else { format!("{field} == {key}") }
    }

    /// `forall`/`exists` over a list of strings or numbers.
    fn quant_list(&mut self, d: u32) -> String {
        let q = if self.flag() { "forall" } else { "exists" };
        let items = match self.pick(4) {
            3 => self.record(K::B).map(|b| format!("{b}.items")),
            _ => None,
        };
        let (list, ty) = match items {
            Some(items) => (items, T::Rec(K::Item)),
            None if self.flag() => (self.ints(d), T::Int),
            None => (self.strs(d), T::Str),
        };
        let v = self.push(ty);
        let filter = if self.flag() { format!(" where {}", self.bool(d)) } else { String::new() };
        let body = self.bool(d);
        self.pop();
        format!("({q} {v} in {list}{filter}: {body})")
    }

    fn count(&mut self, d: u32) -> String {
        let (_, head) = self.binding(d);
        self.pop();
        format!("count({head})")
    }

    // ------------------------------------------------------------------ values

    fn int_leaf(&mut self) -> String {
        match self.pick(4) {
            0 => self.one(INTS).into(),
            1 => self.var_of(T::Int).unwrap_or_else(|| "1".into()),
            2 => match self.cell() {
                Some(c) => format!("{c}.{}", self.one(&["row", "line"])),
                None => self.field(|t| t == F::Int).unwrap_or_else(|| "2".into()),
            },
            _ => self.field(|t| matches!(t, F::Int | F::Any)).unwrap_or_else(|| "3".into()),
        }
    }

    fn int(&mut self, d: u32) -> String {
        if d == 0 {
            return self.int_leaf();
        }
        let d1 = d - 1;
        match self.pick(11) {
            0 => self.int_leaf(),
            1 => self.arith(d1),
            2 => format!("len({})", self.strs(d1)),
            3 => format!("len({})", self.str(d1)),
            4 => self.count(d1),
            5 => {
                let a = self.field(|t| t == F::Int).unwrap_or_else(|| self.int_leaf());
                format!("({a} ?? {})", self.int(d1))
            }
            6 => {
                let (c, t, e) = (self.bool(d1), self.int(d1), self.int(d1));
                format!("(if {c} then {t} else {e})")
            }
            7 => format!("{}({})", self.one(&["year", "month"]), self.date(d1)),
            8 => format!("{}({})", self.one(&["min", "max"]), self.ints(d1)),
            9 => format!("(-({}))", self.int(d1)),
            _ => self.field(|t| t == F::Int).unwrap_or_else(|| self.int_leaf()),
        }
    }

    /// Arithmetic on integers.
    fn arith(&mut self, d: u32) -> String {
        let (a, op, b) = (self.int(d), self.one(&["+", "-", "*"]), self.int(d));
        format!("({a} {op} {b})")
    }

    fn num(&mut self, d: u32) -> String {
        let leaf = |g: &mut Self| match g.pick(3) {
            0 => g.one(NUMS).to_string(),
            1 => g.field(|t| t == F::Num).unwrap_or_else(|| "1.5".into()),
            _ => g.int_leaf(),
        };
        if d == 0 {
            return leaf(self);
        }
        let d1 = d - 1;
        match self.pick(8) {
            0 => leaf(self),
            1 => {
                let (a, op, b) = (self.num(d1), self.one(&["+", "-", "*", "/"]), self.num(d1));
                format!("({a} {op} {b})")
            }
            2 => {
                let (_, head) = self.binding(d1);
                let body = self.num(d1);
                self.pop();
                format!("sum({head}: {body})")
            }
            3 => format!("{}({})", self.one(&["days", "hours"]), self.dur(d1)),
            4 => {
                let a = self.field(|t| t == F::Num).unwrap_or_else(|| "0.5".into());
                format!("({a} ?? {})", self.num(d1))
            }
            5 => {
                let (c, t, e) = (self.bool(d1), self.num(d1), self.num(d1));
                format!("(if {c} then {t} else {e})")
            }
            6 => self.int(d1),
            _ => self.field(|t| t == F::Num).unwrap_or_else(|| leaf(self)),
        }
    }

    fn str_leaf(&mut self) -> String {
        match self.pick(5) {
            0 => self.quoted(STRS),
            1 => self.field(|t| matches!(t, F::Str | F::Ref(_) | F::Any)).unwrap_or_else(|| "\"a\"".into()),
            2 => self.var_of(T::Str).unwrap_or_else(|| "\"b\"".into()),
            3 => match (self.cell(), self.var_of(T::Win)) {
                (Some(c), _) => format!("{c}.{}", self.one(&["value", "value", "column", "file"])),
                (None, Some(w)) => format!("{w}.label"),
                _ => self.field(|t| t == F::Str).unwrap_or_else(|| "\"a1\"".into()),
            },
            _ => self.field(|t| t == F::Str).unwrap_or_else(|| "\"\"".into()),
        }
    }

    fn str(&mut self, d: u32) -> String {
        if d == 0 {
            return self.str_leaf();
        }
        let d1 = d - 1;
        match self.pick(8) {
            0 => self.str_leaf(),
            1 => {
                let a = self.field(|t| matches!(t, F::Str | F::Ref(_))).unwrap_or_else(|| self.str_leaf());
                format!("({a} ?? {})", self.str(d1))
            }
            2 => {
                let (c, t, e) = (self.bool(d1), self.str(d1), self.str(d1));
                format!("(if {c} then {t} else {e})")
            }
            3 => format!("{}({})", self.one(&["min", "max"]), self.strs(d1)),
            4 => format!("{}[{}]", self.strs(d1), self.one(&["0", "1"])),
            5 => format!("label({}, {})", self.date(d1), self.one(EVERY)),
            6 => format!("shift(label({}, {}), {})", self.date(d1), self.one(EVERY), self.int(d1)),
            _ => self.str_leaf(),
        }
    }

    fn date_leaf(&mut self) -> String {
        match self.pick(5) {
            0 => self.one(&["as_of", "period.from", "period.to"]).into(),
            1 => self.one(DATES).into(),
            2 => match self.var_of(T::Win) {
                Some(w) => format!("{w}.{}", self.one(&["from", "to"])),
                None => "period.from".into(),
            },
            _ => self.field(|t| t == F::Date).unwrap_or_else(|| "as_of".into()),
        }
    }

    fn date(&mut self, d: u32) -> String {
        if d == 0 {
            return self.date_leaf();
        }
        let d1 = d - 1;
        match self.pick(6) {
            0 => self.date_leaf(),
            1 => {
                let (a, op, b) = (self.date(d1), self.one(&["+", "-"]), self.dur(d1));
                format!("({a} {op} {b})")
            }
            2 => {
                let a = self.field(|t| t == F::Date).unwrap_or_else(|| self.date_leaf());
                format!("({a} ?? {})", self.date(d1))
            }
            3 => format!("year_start({})", self.date(d1)),
            4 => {
                let (c, t, e) = (self.bool(d1), self.date(d1), self.date(d1));
                format!("(if {c} then {t} else {e})")
            }
            _ => self.field(|t| t == F::Date).unwrap_or_else(|| self.date_leaf()),
        }
    }

    fn dur(&mut self, d: u32) -> String {
        if d == 0 {
            return self.one(DURS).into();
        }
        let d1 = d - 1;
        match self.pick(4) {
            0 => self.one(DURS).into(),
            1 => {
                let (a, b) = (self.date(d1), self.date(d1));
                format!("({a} - {b})")
            }
            2 => {
                let (a, op, b) = (self.dur(d1), self.one(&["+", "-"]), self.dur(d1));
                format!("({a} {op} {b})")
            }
            _ => format!("({} * {})", self.dur(d1), self.one(&["2", "0.5"])),
        }
    }

    fn strs(&mut self, d: u32) -> String {
        let leaf = |g: &mut Self| match g.pick(3) {
            0 => g.one(&["[\"a\", \"b\"]", "[]", "[\"甲\", \"a1\", \"\"]"]).to_string(),
            _ => g.field(|t| t == F::Strs).unwrap_or_else(|| "[\"a1\"]".into()),
        };
        if d == 0 {
            return leaf(self);
        }
        let d1 = d - 1;
        match self.pick(6) {
            0 => leaf(self),
            1 => {
                let (v, head) = self.binding(d1);
                let fields: Vec<String> = match self.vars.last().map(|x| x.ty) {
                    Some(T::Rec(k)) => k
                        .fields()
                        .iter()
                        .filter(|(_, t)| matches!(t, F::Str | F::Ref(_)))
                        .map(|(f, _)| format!("{v}.{f}"))
                        .collect(),
                    _ => vec![format!("\"{v}\"")],
                };
                let body = if self.pick(4) == 3 { self.str(d1) } else { fields[self.pick(fields.len())].clone() };
                self.pop();
                format!("[{body} for {head}]")
            }
            2 => {
                let list = self.strs(d1);
                let v = self.push(T::Str);
                let filter = if self.flag() { format!(" where {}", self.bool(d1)) } else { String::new() };
                let body = if self.flag() { self.str(d1) } else { v.clone() };
                self.pop();
                format!("[{body} for {v} in {list}{filter}]")
            }
            3 => format!("distinct({})", self.strs(d1)),
            4 => {
                let a = self.field(|t| t == F::Strs).unwrap_or_else(|| "[]".into());
                format!("({a} ?? {})", self.strs(d1))
            }
            _ => leaf(self),
        }
    }

    fn ints(&mut self, d: u32) -> String {
        match self.pick(3) {
            0 => self.one(&["[1, 2, 3]", "[]", "[0, (-1), 5]"]).into(),
            1 => {
                let (v, head) = self.binding(d);
                let body = if self.flag() {
                    format!(
                        "{v}.{}",
                        if matches!(self.vars.last().map(|x| x.ty), Some(T::Rec(K::Dc))) { "rank" } else { "n" }
                    )
                } else {
                    self.int(d)
                };
                self.pop();
                format!("[{body} for {head}]")
            }
            _ => {
                let list = self.strs(d);
                let v = self.push(T::Str);
                self.pop();
                format!("[len({v}) for {v} in {list}]")
            }
        }
    }

    // ------------------------------------------------------------------ cells

    /// A condition on the stream record, mostly on its text (which the stream plans decide
    /// from the text alone) and its column (decided once per column).
    fn cell_bool(&mut self, d: u32) -> String {
        let Some(c) = self.cell() else { return self.bool(d) };
        if d == 0 {
            return self.cell_leaf(&c);
        }
        let d1 = d - 1;
        match self.pick(10) {
            0 => self.cell_leaf(&c),
            1 | 2 => {
                let (a, op, b) = (self.cell_bool(d1), self.one(&["and", "or", "implies"]), self.cell_bool(d1));
                format!("({a} {op} {b})")
            }
            3 => format!("(not {})", self.cell_bool(d1)),
            4 => {
                let (x, t, e) = (self.cell_bool(d1), self.cell_bool(d1), self.cell_bool(d1));
                format!("(if {x} then {t} else {e})")
            }
            5 => match self.pick(4) {
                0 => format!("({c}.column == {})", self.quoted(HEADERS)),
                1 => format!("({c}.column in [\"地址\", \"年龄\", \"#4\"])"),
                2 => format!("({c}.column != {})", self.quoted(HEADERS)),
                _ => format!("(\"址\" in {c}.column)"),
            },
            6 if self.masks => {
                let q = self.one(&["forall", "exists", "forall"]);
                let m = self.push(T::Mask);
                let body = if self.flag() {
                    format!(
                        "({c}.value == \"\" or (if {m}.method == \"province\" then is_province({c}.value) \
                         else if {m}.method == \"age_band\" then is_age_band({c}.value) else is_sha256({c}.value)))"
                    )
                } else {
                    self.cell_bool(d1)
                };
                self.pop();
                format!("({q} {m} in policy.mask where {c}.column in {m}.fields: {body})")
            }
            7 => self.bool(d1),
            8 => format!("({c}.{} {} {})", self.one(&["row", "line"]), self.one(CMP), self.one(INTS)),
            _ => {
                let op = self.one(&["==", "!="]);
                let s = if self.flag() { self.quoted(CELLS) } else { self.str(d1) };
                format!("({c}.value {op} {s})")
            }
        }
    }

    fn cell_leaf(&mut self, c: &str) -> String {
        match self.pick(8) {
            0 => self.one(&["true", "false"]).into(),
            1..=5 => format!("{}({c}.value)", BUILTINS[self.pick(BUILTINS.len())]),
            6 => format!("({c}.value == \"\")"),
            _ => match self.pick(3) {
                0 => format!("(len({c}.value) > {})", self.one(&["1", "3", "11"])),
                1 => format!("({c}.value matches \"^[0-9]+$\")"),
                _ => format!("({c}.value matches 编码)"),
            },
        }
    }
}

// ------------------------------------------------------------------------------------------
// A whole case: the pack, the org, the exports.

/// A record of the org: each field's value (an index into the field's pool, or missing), the
/// items of its lists, and whether its id repeats another's or is missing.
#[derive(Debug, Clone)]
struct RawRecord {
    repeated_id: bool,
    no_id: bool,
    fields: Vec<Option<u8>>,
    tags: Vec<u8>,
}

/// An export: header (indexes into [`HEADERS`]) and rows (indexes into [`CELLS`]).
#[derive(Debug, Clone)]
struct RawExport {
    headers: Vec<u8>,
    rows: Vec<Vec<u8>>,
}

#[derive(Debug, Clone)]
struct Case {
    choices: Vec<u8>,
    a: Vec<RawRecord>,
    b: Vec<RawRecord>,
    exports: Vec<RawExport>,
}

fn raw_record() -> impl Strategy<Value = RawRecord> {
    (
        0..12u8,
        prop::collection::vec(prop::option::weighted(0.8, any::<u8>()), 10),
        prop::collection::vec(any::<u8>(), 0..4),
    )
        .prop_map(|(r, fields, tags)| RawRecord { repeated_id: r >= 10, no_id: r == 9, fields, tags })
}

fn case() -> impl Strategy<Value = Case> {
    let export = (
        prop::collection::vec(any::<u8>(), 1..4),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 1..5), 0..5),
    )
        .prop_map(|(headers, rows)| RawExport { headers, rows });
    (
        prop::collection::vec(any::<u8>(), 0..400),
        prop::collection::vec(raw_record(), 0..14),
        prop::collection::vec(raw_record(), 0..14),
        prop::collection::vec(export, 0..3),
    )
        .prop_map(|(choices, a, b, exports)| Case { choices, a, b, exports })
}

/// The pack's source and what the checks need to know of it.
struct Pack {
    text: String,
    /// Whether each rule is a stream rule.
    stream: Vec<bool>,
    /// Rules (by position) whose checks are the same but for what the compiler may plan, and
    /// whether their messages print only the subject. (A variable bound inside a quantifier's
    /// `where` is printed as the evaluation left it, which depends on the elements visited: a
    /// lookup visits fewer.)
    twins: Vec<(usize, usize, bool)>,
}

/// A check's text with each collection the generator marked (`⟪a⟫`) written as it is (the
/// compiler may plan a join over it as a lookup), or (`planned` false) as a comprehension over
/// it (a list, never looked up in: `[w for w in a]`).
fn collections(check: &str, planned: bool) -> String {
    let mut out = String::new();
    let mut rest = check;
    while let Some((before, after)) = rest.split_once('⟪') {
        let (coll, after) = after.split_once('⟫').unwrap_or((after, ""));
        out.push_str(before);
        if planned {
            out.push_str(coll);
        } else {
            write!(out, "[w for w in {coll}]").ok();
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Writes the pack the choices describe.
fn pack(choices: &[u8]) -> Pack {
    let mut g =
        Gen { choices, pos: 0, vars: Vec::new(), bound: Vec::new(), next: 0, classes: Vec::new(), masks: false };
    let mut text = String::from(
        "policy 差分 { version \"1\"; effective 2020-01-01 }\n\
         role 甲 {}\nrole 乙 {}\n\
         param 阈值 { value 2 }\nparam 宽限 { value 30 days }\n\
         pattern 编码 { regex \"^[a-z][0-9]$\" }\n",
    );
    for (name, rank) in CLASSES {
        if g.pick(3) != 0 {
            g.classes.push(name);
            match rank {
                Some(r) => writeln!(text, "data_class {name} {{ rank {r} }}"),
                None => writeln!(text, "data_class {name} {{}}"),
            }
            .ok();
        }
    }
    for (name, fields, method) in MASKS {
        if g.flag() {
            g.masks = true;
            writeln!(text, "mask {name} {{ fields {fields}; method {method} }}").ok();
        }
    }
    for k in [K::A, K::B] {
        writeln!(text, "record {} {{", k.coll()).ok();
        for (i, (f, t)) in k.fields().iter().enumerate() {
            let optional = if i > 0 && g.pick(4) != 0 { "?" } else { "" };
            writeln!(text, "  {f}{optional}: {}", K::schema_type(*t)).ok();
        }
        text.push_str("}\n");
    }
    text.push_str(
        "record export_cell stream \"exports\" {\n  file: string; row: int; line: int; column: string\n  value: secret string\n}\n",
    );
    let (mut stream, mut twins) = (Vec::new(), Vec::new());
    let rules = 1 + g.pick(3);
    for i in 0..rules {
        g.bound.clear();
        let depth = 2 + g.pick(2) as u32;
        let (check, printed, is_stream) = match g.pick(8) {
            // A stream rule.
            5 | 6 => {
                let c = g.push(T::Cell);
                let filter = if g.pick(3) != 0 { format!(" where {}", g.cell_bool(depth - 1)) } else { String::new() };
                let body = g.cell_bool(depth);
                g.pop();
                (
                    format!("forall {c} in export_cell{filter}: {body}"),
                    format!("{{{c}.file}} {{{c}.row}} {{{c}.column}}"),
                    true,
                )
            }
            // A condition about the org as a whole.
            7 => (g.quant_kind(depth), String::new(), false),
            _ => {
                let k = [K::A, K::B, K::A, K::B, K::Dc][g.pick(5)];
                let x = g.push(T::Rec(k));
                let mut conj = Vec::new();
                if g.pick(3) == 2 {
                    // A filter the compiler may plan as a lookup of the subjects.
                    let f = match k {
                        K::Dc => "name",
                        _ => ["s", "id", "tags"][g.pick(3)],
                    };
                    let lit = g.quoted(STRS);
                    conj.push(if f == "tags" { format!("{lit} in {x}.tags") } else { format!("{x}.{f} == {lit}") });
                }
                if g.pick(3) != 0 {
                    conj.push(g.bool(depth - 1));
                }
                let filter = if conj.is_empty() { String::new() } else { format!(" where {}", conj.join(" and ")) };
                let body = g.bool(depth);
                g.pop();
                let id = if k == K::Dc { "name" } else { "id" };
                (format!("forall {x} in ⟪{}⟫{filter}: {body}", k.coll()), format!("{{{x}.{id}}}"), false)
            }
        };
        // The message prints the subject and some of the variables the check binds (a variable
        // bound while making text that was not kept is not in the check).
        let mut message = printed.clone();
        let bound = g.bound.clone();
        let used = |v: &str| {
            check.match_indices(v).any(|(i, _)| !check[i + v.len()..].starts_with(|c: char| c.is_ascii_digit()))
        };
        for v in bound.iter().skip(1).filter(|v| used(v)) {
            if g.pick(4) == 3 && !is_stream {
                write!(message, " {{{v}}}").ok();
            }
        }
        let mut rule = |id: String, check: String| {
            writeln!(
                text,
                "rule {id} error \"规则 {i}\" {{\n  source \"t\"\n  message \"{message}\"\n  check {check}\n}}"
            )
            .ok();
            stream.push(is_stream);
        };
        rule(format!("R-{}", i + 1), collections(&check, true));
        // The same check with nothing to plan.
        if check.contains('⟪') {
            rule(format!("U-{}", i + 1), collections(&check, false));
            twins.push((stream.len() - 2, stream.len() - 1, message == printed));
        }
    }
    Pack { text, stream, twins }
}

/// A field's value in TOML, from its pool.
fn toml_value(f: F, c: u8, tags: &[u8]) -> String {
    let from = |pool: &[&str]| pool[c as usize % pool.len()].to_string();
    let quoted = |pool: &[&str]| format!("\"{}\"", pool[c as usize % pool.len()]);
    match f {
        // The last of each pool is of the wrong type (reported by the loader, read as none).
        F::Int => from(&["0", "1", "2", "3", "-1", "5", "100", "\"三\""]),
        F::Num => from(&["0.5", "1.5", "2", "3.25", "-1.0", "0", "\"x\""]),
        F::Str => quoted(DATA_STRS),
        F::Date => from(&["2026-01-01", "2026-06-30", "2026-03-15", "2025-12-31", "2026-07-01", "2026-02-01", "3"]),
        F::Strs => {
            let items: Vec<String> =
                tags.iter().map(|t| format!("\"{}\"", DATA_STRS[*t as usize % DATA_STRS.len()])).collect();
            format!("[{}]", items.join(", "))
        }
        F::Bool => from(&["true", "false"]),
        F::Any => from(&["\"t\"", "1", "[\"t\", \"a\"]", "true", "\"a1\"", "2026-01-01", "[1, 2]", "2.5"]),
        F::Ref(K::A) => quoted(&["a1", "a2", "a3", "a4", "zz"]),
        F::Ref(_) => quoted(&["b1", "b2", "b3", "b4", "zz"]),
        F::Role => quoted(&["甲", "乙", "丙"]),
        F::Class => quoted(&["公开", "核心", "绝密", "内部"]),
        F::Items => {
            let items: Vec<String> = tags
                .iter()
                .map(|t| {
                    let by = ["a1", "a2", "a3", "zz"][*t as usize % 4];
                    match *t as usize / 4 % 5 {
                        0 => format!("{{ by = \"{by}\" }}"),
                        k => format!("{{ by = \"{by}\", k = {} }}", k as i64 - 2),
                    }
                })
                .collect();
            format!("[{}]", items.join(", "))
        }
    }
}

fn org_toml(case: &Case) -> String {
    let mut out = String::new();
    for (k, records) in [(K::A, &case.a), (K::B, &case.b)] {
        for (i, r) in records.iter().enumerate() {
            let prefix = k.coll();
            let id = if r.repeated_id { format!("{prefix}1") } else { format!("{prefix}{}", i + 1) };
            writeln!(out, "[[{prefix}]]").ok();
            if !r.no_id {
                writeln!(out, "id = \"{id}\"").ok();
            }
            for ((f, t), v) in k.fields().iter().zip(&r.fields).skip(1) {
                if let Some(c) = v {
                    writeln!(out, "{f} = {}", toml_value(*t, *c, &r.tags)).ok();
                }
            }
            out.push('\n');
        }
    }
    out
}

/// The cells of an export as the stream reads them: (column, text) per row.
fn export_cells(e: &RawExport) -> Vec<Vec<(String, String)>> {
    let headers: Vec<String> =
        e.headers.iter().map(|h| HEADERS[*h as usize % HEADERS.len()].trim().to_string()).collect();
    e.rows
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(ci, v)| {
                    let column = headers.get(ci).cloned().unwrap_or_else(|| format!("#{}", ci + 1));
                    (column, CELLS[*v as usize % CELLS.len()].to_string())
                })
                .collect()
        })
        .collect()
}

fn write_case(dir: &Path, pack: &Pack, org_toml: &str, exports: &[RawExport]) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    let policy = dir.join("policy");
    std::fs::create_dir_all(&policy).map_err(io)?;
    std::fs::write(policy.join("main.zd"), &pack.text).map_err(io)?;
    let org = dir.join("org");
    std::fs::create_dir_all(org.join("exports")).map_err(io)?;
    std::fs::write(
        org.join("zhidu.toml"),
        "[org]\nname = \"t\"\nas_of = 2026-06-30\nperiod = { from = 2026-01-01, to = 2026-06-30 }\n",
    )
    .map_err(io)?;
    std::fs::write(org.join("org.toml"), org_toml).map_err(io)?;
    for (i, e) in exports.iter().enumerate() {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_path(org.join(format!("exports/f{i}.csv")))
            .map_err(|e| e.to_string())?;
        let headers: Vec<&str> = e.headers.iter().map(|h| HEADERS[*h as usize % HEADERS.len()]).collect();
        w.write_record(&headers).map_err(|e| e.to_string())?;
        for row in &e.rows {
            w.write_record(row.iter().map(|v| CELLS[*v as usize % CELLS.len()])).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(io)?;
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// The comparisons.

/// What the cases exercised, to show the generator reaches what it should.
#[derive(Debug, Default)]
struct Stats {
    cases: usize,
    checks: usize,
    subjects: usize,
    failing: usize,
    quick: usize,
    /// Subjects a batch decided (or knew filtered in).
    batched: usize,
    lowered: usize,
    index_sources: usize,
    id_sources: usize,
    cells: usize,
    failing_cells: usize,
    stream_rules: usize,
    /// Checks compared with the same check with nothing planned.
    twins: usize,
    /// Comparisons and arithmetic the lowered evaluator decided by numbers alone
    /// (`eval::opt::lower::num`), not by its generic form.
    numeric: usize,
}

/// The interpreter's answer for one subject: `Some(false)` filtered out, `Some(true)` holds,
/// `None` fails (with its message).
type Verdict = (Option<bool>, Option<String>);

/// Evaluates `forall x in SRC where F: B` for one subject with the interpreter.
fn interpret(ctx: &Ctx, check: &Check, slot: usize, filter: Option<&Ir>, body: &Ir, item: &Value) -> Verdict {
    let mut env = vec![Value::None; check.slots.max(1)];
    env[slot] = item.clone();
    if filter.is_some_and(|f| !ctx.eval(f, &mut env).truthy()) {
        return (Some(false), None);
    }
    if ctx.eval(body, &mut env).truthy() {
        return (Some(true), None);
    }
    let subject = match item {
        Value::Record(r) => Some(*r),
        _ => None,
    };
    (None, Some(violation(ctx, check, subject, &mut env).message))
}

/// The elements of a source, as the interpreter finds them.
fn source_items(ctx: &Ctx, slot: usize, src: &Source, slots: usize) -> Vec<Value> {
    let list = Ir::Comp { slot, src: src.clone(), filter: None, body: Box::new(Ir::Var(slot)) };
    let mut env = vec![Value::None; slots.max(1)];
    match ctx.eval(&list, &mut env) {
        Value::List(l) => l.to_vec(),
        _ => Vec::new(),
    }
}

/// A check's failing subjects with their messages.
type Failing = Vec<(Option<RecordRef>, String)>;

/// A cell of an export: file, row and column (from 1).
type CellAt = (String, usize, usize);

/// A finding as compared: the cell it is about (of a stream rule), and its message.
type Found = (Option<CellAt>, String);

/// The violations of one check that is not over a stream, by record (and message), as the
/// interpreter finds them; compared with every other way of evaluating it. Returns the
/// subjects checked and the failing ones, in order.
fn compare_check(
    policy: &Policy,
    ctx: &Ctx,
    unindexed: &Ctx,
    rule: &Rule,
    check: &Check,
    stats: &mut Stats,
) -> Result<(usize, Failing), String> {
    let what = format!("{} `{}`", rule.id, check.text.trim());
    let (got, got_subjects) = run_check_counted(ctx, check);
    let Ir::Quant { q: Quant::Forall, slot, src, filter, body: Some(body) } = check.ir.unwrapped() else {
        // A condition about the org as a whole.
        let mut env = vec![Value::None; check.slots.max(1)];
        let holds = ctx.eval(&check.ir, &mut env).truthy();
        let message = (!holds).then(|| violation(ctx, check, None, &mut env).message);
        let mut env = vec![Value::None; check.slots.max(1)];
        if unindexed.eval(&check.ir, &mut env).truthy() != holds {
            return Err(format!("{what}: {holds} with join indexes, not without"));
        }
        let lowered = crate::eval::opt::lower::lowered_values(ctx, &check.ir, check.slots, None, &[]);
        stats.lowered += 1;
        if lowered.first().map(Value::truthy) != Some(holds) {
            return Err(format!("{what}: the interpreter says {holds}, the lowered evaluator {lowered:?}"));
        }
        let messages: Vec<String> = got.iter().map(|v| v.message.clone()).collect();
        if messages != message.iter().cloned().collect::<Vec<_>>() || got_subjects != 1 {
            return Err(format!(
                "{what}: run_check_counted gives {messages:?} ({got_subjects}), the interpreter {message:?}"
            ));
        }
        let why = explain(policy, ctx, check, None);
        if holds != why.is_empty() {
            return Err(format!("{what}: holds: {holds}, explained as {why:?}"));
        }
        stats.failing += !holds as usize;
        return Ok((1, messages.into_iter().map(|m| (None, m)).collect()));
    };
    let filter = filter.as_deref();
    let items = source_items(ctx, *slot, src, check.slots);
    let mut plain = source_items(unindexed, *slot, src, check.slots);
    let key = |v: &Value| format!("{v:?}");
    let mut sorted = items.clone();
    sorted.sort_by_key(key);
    plain.sort_by_key(key);
    if format!("{sorted:?}") != format!("{plain:?}") {
        return Err(format!("{what}: subjects {sorted:?} with join indexes, {plain:?} without"));
    }
    let verdicts: Vec<Verdict> = items.iter().map(|i| interpret(ctx, check, *slot, filter, body, i)).collect();
    for (item, v) in items.iter().zip(&verdicts) {
        let w = interpret(unindexed, check, *slot, filter, body, item);
        if w != *v {
            return Err(format!("{what} on {item:?}: {v:?} with join indexes, {w:?} without"));
        }
    }
    // The lowered evaluator, filter and body alone.
    for part in filter.into_iter().chain([&**body]) {
        let lowered = crate::eval::opt::lower::lowered_values(ctx, part, check.slots, Some(*slot), &items);
        for (item, low) in items.iter().zip(&lowered) {
            let mut env = vec![Value::None; check.slots.max(1)];
            env[*slot] = item.clone();
            let full = ctx.eval(part, &mut env);
            if format!("{low:?}") != format!("{full:?}") {
                return Err(format!("{what} on {item:?}: `{part:?}` is {full:?}, lowered {low:?}"));
            }
            stats.lowered += 1;
        }
    }
    // The simplified check.
    if let Some(quick) = crate::eval::run::quick_verdicts(ctx, check, &items) {
        for ((item, q), (v, _)) in items.iter().zip(&quick).zip(&verdicts) {
            if q != v {
                return Err(format!("{what} on {item:?}: the interpreter says {v:?}, the simplified check {q:?}"));
            }
            stats.quick += 1;
        }
    }
    // The simplified check decided in batches: what it knows of the filter and the body is
    // what the interpreter finds.
    let positions: Vec<u32> =
        items.iter().filter_map(|i| if let Value::Record(r) = i { Some(r.idx) } else { None }).collect();
    if positions.len() == items.len()
        && let Some(known) = crate::eval::run::batch_verdicts(ctx, check, &positions)
    {
        use crate::eval::opt::lower::Tri;
        for ((item, (f, b)), (v, _)) in items.iter().zip(known).zip(&verdicts) {
            // `v`: `Some(false)` filtered out, `Some(true)` holds, `None` fails.
            let kept = *v != Some(false);
            if !f.admits(kept) || (kept && !b.admits(*v == Some(true))) {
                return Err(format!("{what} on {item:?}: the interpreter says {v:?}, a batch {f:?} {b:?}"));
            }
            stats.batched += (f != Tri::Unknown) as usize + (b != Tri::Unknown) as usize;
        }
    }
    // A run: the failing subjects with their messages, and the subjects checked.
    let subjects = verdicts.iter().filter(|(v, _)| *v != Some(false)).count();
    let mut want: Vec<(Option<RecordRef>, String)> = items
        .iter()
        .zip(&verdicts)
        .filter_map(|(item, (_, m))| {
            let r = match item {
                Value::Record(r) => Some(*r),
                _ => None,
            };
            m.clone().map(|m| (r, m))
        })
        .collect();
    let mut have: Vec<(Option<RecordRef>, String)> = got.iter().map(|v| (v.subject, v.message.clone())).collect();
    want.sort_by_key(|(r, m)| (r.map(|r| r.idx), m.clone()));
    have.sort_by_key(|(r, m)| (r.map(|r| r.idx), m.clone()));
    if want.len() != have.len() || want.iter().zip(&have).any(|(a, b)| a.0 != b.0 || a.1 != b.1) {
        return Err(format!("{what}: the interpreter finds {want:?}, run_check_counted {have:?}"));
    }
    if subjects != got_subjects {
        return Err(format!("{what}: {subjects} subjects checked by the interpreter, {got_subjects} by a run"));
    }
    // Every record of the kind (or of the list): a failing one is explained, any other is not.
    let records: Vec<RecordRef> = match src {
        Source::Kind(k) | Source::Index { kind: k, .. } | Source::Id { kind: k, .. } => {
            (0..ctx.store(*k).kind(*k).len() as u32).map(|idx| RecordRef { kind: *k, idx }).collect()
        }
        Source::Expr(_) => items
            .iter()
            .filter_map(|v| match v {
                Value::Record(r) => Some(*r),
                _ => None,
            })
            .collect(),
    };
    for r in records {
        let fails = want.iter().any(|(s, _)| *s == Some(r));
        let why = explain(policy, ctx, check, Some(r));
        if fails && why.len() < 2 || !fails && !why.is_empty() {
            return Err(format!("{what} on {r:?}: fails: {fails}, explained as {why:?}"));
        }
    }
    stats.subjects += items.len();
    stats.failing += want.len();
    Ok((subjects, want))
}

/// The cells of the exports that fail a stream check, as (file, row, column, message), and
/// the cells its filter admits, with the interpreter evaluating each cell as a record.
fn interpret_stream(
    policy: &Policy,
    ctx: &Ctx,
    check: &Check,
    exports: &[RawExport],
) -> Result<(Vec<(CellAt, String)>, usize), String> {
    let Ir::Quant { q: Quant::Forall, slot, filter, body: Some(body), .. } = check.ir.unwrapped() else {
        return Err(format!("`{}` is not a forall over the stream", check.text.trim()));
    };
    let kind = policy.schema.id("export_cell").ok_or("no export_cell")?;
    let ks = policy.schema.kind(kind);
    let mut failing = Vec::new();
    let mut admitted = 0;
    for (fi, e) in exports.iter().enumerate() {
        let file = format!("exports/f{fi}.csv");
        for (ri, row) in export_cells(e).into_iter().enumerate() {
            for (ci, (column, text)) in row.into_iter().enumerate() {
                let mut fields = vec![Value::None; ks.fields.len()];
                for (name, v) in [
                    ("file", Value::str(&file)),
                    ("row", Value::Int(ri as i64 + 1)),
                    ("line", Value::Int(ri as i64 + 2)),
                    ("column", Value::str(&column)),
                    ("value", Value::str(&text)),
                ] {
                    if let Some(s) = ks.slot(name) {
                        fields[s] = v;
                    }
                }
                let mut scratch = Store::with_kinds(policy.schema.kinds.len());
                let id = crate::base::value::Str::from(format!("{file}#{}/{column}", ri + 1).as_str());
                scratch.kind_mut(kind).add(Record {
                    id: Some(id),
                    loc: Default::default(),
                    fields: fields.into(),
                    extra: vec![],
                });
                let c = ctx.with_stream(&scratch);
                let record = RecordRef { kind, idx: 0 };
                let mut env = vec![Value::None; check.slots.max(1)];
                env[*slot] = Value::Record(record);
                if filter.as_ref().is_some_and(|f| !c.eval(f, &mut env).truthy()) {
                    continue;
                }
                admitted += 1;
                if !c.eval(body, &mut env).truthy() {
                    let message = violation(&c, check, Some(record), &mut env).message;
                    failing.push(((file.clone(), ri + 1, ci + 1), message));
                }
            }
        }
    }
    Ok((failing, admitted))
}

/// Compares on a generated case.
fn run_case(case: &Case, stats: &mut Stats) -> Result<(), String> {
    compare_all(&pack(&case.choices), &org_toml(case), &case.exports, stats)
}

/// Writes and loads a pack and an org, and compares every evaluation of every rule's check.
fn compare_all(pack: &Pack, org_toml: &str, exports: &[RawExport], stats: &mut Stats) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    write_case(dir.path(), pack, org_toml, exports)?;
    let policy = match crate::compile::load_policy(Some(&dir.path().join("policy"))) {
        Ok((p, _)) => p,
        Err(d) => return Err(format!("the generated pack does not compile:\n{}", d.render(false))),
    };
    let org_dir = dir.path().join("org");
    let config = crate::data::read_config(&org_dir, jiff::civil::date(2026, 11, 23)).map_err(|d| d.render(false))?;
    let org: OrgData = match crate::data::load(&org_dir, config, &policy.schema) {
        // What is compared is evaluation, not the vocabulary check: the engine judges every
        // record, as the interpreter does, whatever words it holds.
        Ok(o) => OrgData { unknown: Default::default(), ..o },
        // An org with no record and no export is refused before anything is evaluated: there
        // is nothing to compare.
        Err(d) if d.items.iter().all(|i| i.code() == "zhidu::data::no_records") => {
            stats.cases += 1;
            return Ok(());
        }
        Err(d) => return Err(d.render(false)),
    };
    let indexes = Indexes::build(&policy.index_keys, &policy.schema, &policy.decls, &org.store);
    let ctx = Ctx::new(&policy.schema, &policy.decls, &org.store, &indexes, org.config.as_of, org.config.period);
    let none = Indexes::default();
    let unindexed = Ctx::new(&policy.schema, &policy.decls, &org.store, &none, org.config.as_of, org.config.period);
    // What each rule's check should give: subjects checked and failing messages (with the
    // file, row and column of a failing cell).
    let mut expected: Vec<(usize, Vec<Found>)> = Vec::new();
    let mut found: Vec<(usize, Failing)> = Vec::new();
    for (rule, is_stream) in policy.rules.iter().zip(&pack.stream) {
        let check = rule.checks.first().ok_or("a rule without a check")?;
        if crate::engine::stream_kind(&policy, check).is_some() != *is_stream {
            return Err(format!("{}: stream rule {is_stream}, not so compiled", rule.id));
        }
        check.ir.visit(&mut |n| {
            let src = match n {
                Ir::Quant { src, .. } | Ir::Count { src, .. } | Ir::Sum { src, .. } | Ir::Comp { src, .. } => src,
                _ => return,
            };
            stats.index_sources += matches!(src, Source::Index { .. }) as usize;
            stats.id_sources += matches!(src, Source::Id { .. }) as usize;
        });
        stats.checks += 1;
        if *is_stream {
            let (failing, admitted) = interpret_stream(&policy, &ctx, check, exports)?;
            stats.stream_rules += 1;
            stats.cells += admitted;
            stats.failing_cells += failing.len();
            expected.push((admitted, failing.into_iter().map(|(at, m)| (Some(at), m)).collect()));
        } else {
            let (subjects, failing) = compare_check(&policy, &ctx, &unindexed, rule, check, stats)?;
            expected.push((subjects, failing.iter().map(|(_, m)| (None, m.clone())).collect()));
            found.push((subjects, failing));
            continue;
        }
        found.push((0, Vec::new()));
    }
    // A check gives what it gives with nothing planned (its joins as plain filters).
    for (planned, plain, messages) in &pack.twins {
        let (a, b) = (&found[*planned], &found[*plain]);
        let subjects = |(n, failing): &(usize, Failing)| (*n, failing.iter().map(|(r, _)| *r).collect::<Vec<_>>());
        if if *messages { a != b } else { subjects(a) != subjects(b) } {
            let [p, u] = [*planned, *plain].map(|i| &policy.rules[i]);
            return Err(format!(
                "{} `{}` gives {a:?}; unplanned, {} `{}` gives {b:?}",
                p.id,
                p.checks[0].text.trim(),
                u.id,
                u.checks[0].text.trim()
            ));
        }
        stats.twins += 1;
    }
    // A run of the engine, explaining every finding.
    let opts = crate::engine::Options { explain: true, ..Default::default() };
    let out = crate::engine::run(&policy, &org, &opts);
    for ((rule, is_stream), (subjects, want)) in policy.rules.iter().zip(&pack.stream).zip(&expected) {
        let mut want = want.clone();
        let mut have: Vec<Found> = Vec::new();
        for f in out.findings.iter().filter(|f| f.rule == rule.id) {
            if f.explanation.is_empty() {
                return Err(format!("{}: finding {:?} ({}) is not explained", rule.id, f.subject, f.message));
            }
            let at = match (is_stream, &f.location) {
                (true, Some(l)) => Some((l.file.to_string(), l.row.unwrap_or(0), l.column)),
                _ => None,
            };
            have.push((at, f.message.clone()));
        }
        want.sort();
        have.sort();
        if want != have {
            return Err(format!(
                "{} `{}`: the interpreter finds {want:?}, the engine {have:?}",
                rule.id,
                rule.checks[0].text.trim()
            ));
        }
        let checked = out.checked.iter().find(|c| c.rule == rule.id).map(|c| c.subjects);
        if checked != Some(*subjects) {
            return Err(format!(
                "{}: {subjects} subjects checked by the interpreter, {checked:?} by the engine",
                rule.id
            ));
        }
    }
    stats.cases += 1;
    Ok(())
}

/// Runs the property over `cases` cases; panics with the smallest failing case found.
fn differential(cases: u32) -> Stats {
    let config = Config { cases, max_shrink_iters: 4096, source_file: Some(file!()), ..Config::default() };
    let mut runner = TestRunner::new(config);
    let stats = std::cell::RefCell::new(Stats::default());
    let result = runner.run(&case(), |case| {
        run_case(&case, &mut stats.borrow_mut()).map_err(|e| {
            let pack = pack(&case.choices).text;
            TestCaseError::fail(format!("{e}\n--- policy/main.zd ---\n{pack}--- org/org.toml ---\n{}", org_toml(&case)))
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let mut stats = stats.into_inner();
    stats.numeric = crate::eval::opt::lower::num::decided_count();
    stats
}

#[test]
fn random_checks_agree_however_they_are_evaluated() {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(CASES);
    let s = differential(cases);
    eprintln!("{s:?}");
    // The generator reaches what it is for: failing and passing subjects, lookups of both
    // kinds, the simplified check, checks compared unplanned, streamed cells failing and not
    // (a quarter or less of what a run of the default count has at its least).
    assert!(s.cases as u32 >= cases, "{s:?}");
    if cases >= CASES {
        assert!(s.failing > 60 && s.subjects > s.failing + 200, "{s:?}");
        assert!(s.index_sources > 25 && s.id_sources > 5 && s.quick > 150 && s.twins > 50, "{s:?}");
        // Subjects decided in batches (479 at 128 cases).
        assert!(s.batched > 100, "{s:?}");
        assert!(s.stream_rules > 10 && s.failing_cells > 10 && s.cells > s.failing_cells, "{s:?}");
        // Arithmetic compared by numbers alone, not only by its generic form (42 at 128 cases).
        assert!(s.numeric > 10, "{s:?}");
    }
}

/// Found by the property: a stream check's `where` comparing a field of the cell with a string
/// (`c.value == "a"`, `c.column == "地址"`) was planned as an index lookup of the stream kind,
/// and the check was then refused ("the stream kind can only be the outermost `forall`").
#[test]
fn a_filter_on_a_field_of_a_streamed_cell_is_not_a_lookup() {
    let mut text = String::from("policy 差分 { version \"1\"; effective 2020-01-01 }\n");
    text.push_str("record export_cell stream \"exports\" {\n  file: string; row: int; line: int; column: string\n  value: secret string\n}\n");
    for (i, check) in [
        "forall c in export_cell where (c.value == \"a\"): true",
        "forall c in export_cell where c.column == \"地址\": is_province(c.value)",
        "forall c in export_cell where \"年龄\" == c.column and c.row >= 1: is_age_band(c.value) or c.value == \"\"",
    ]
    .iter()
    .enumerate()
    {
        writeln!(
            text,
            "rule R-{} error \"r\" {{\n  source \"t\"\n  message \"{{c.file}} {{c.row}}\"\n  check {check}\n}}",
            i + 1
        )
        .ok();
    }
    let pack = Pack { text, stream: vec![true; 3], twins: Vec::new() };
    // 地址, 备注, 年龄; 广东省, a full address, 27, "a", 25-30岁.
    let exports = [RawExport { headers: vec![0, 3, 2], rows: vec![vec![2, 4, 5], vec![4, 13, 6], vec![13, 2]] }];
    let mut stats = Stats::default();
    if let Err(e) = compare_all(&pack, "", &exports, &mut stats) {
        panic!("{e}\n{}", pack.text);
    }
    assert_eq!((stats.stream_rules, stats.failing_cells), (3, 3), "{stats:?}");
}

/// A pack of the generator's two kinds with these checks (collections marked `⟪a⟫`), each
/// twinned with the same check unplanned; compared on `org` (TOML).
fn fixed(checks: &[&str], org: &str) -> Stats {
    let mut text = String::from("policy 差分 { version \"1\"; effective 2020-01-01 }\n");
    for k in [K::A, K::B] {
        writeln!(text, "record {} {{", k.coll()).ok();
        for (i, (f, t)) in k.fields().iter().enumerate() {
            writeln!(text, "  {f}{}: {}", if i == 0 { "" } else { "?" }, K::schema_type(*t)).ok();
        }
        text.push_str("}\n");
    }
    let (mut stream, mut twins) = (Vec::new(), Vec::new());
    for (i, check) in checks.iter().enumerate() {
        for (id, planned) in [(format!("R-{i}"), true), (format!("U-{i}"), false)] {
            let check = collections(check, planned);
            writeln!(text, "rule {id} error \"r\" {{\n  source \"t\"\n  message \"{{x.id}}\"\n  check {check}\n}}")
                .ok();
            stream.push(false);
        }
        twins.push((2 * i, 2 * i + 1, true));
    }
    let pack = Pack { text, stream, twins };
    let mut stats = Stats::default();
    if let Err(e) = compare_all(&pack, org, &[], &mut stats) {
        panic!("{e}\n--- pack ---\n{}--- org ---\n{org}", pack.text);
    }
    stats
}

/// Found by the property: a lookup planned for `y.f == key` found nothing for a key that is
/// `none` (an absent field), where `y.f == none` holds for the records without `f` — as the
/// same condition does unplanned (both with join indexes and without).
#[test]
fn a_none_key_finds_the_records_without_the_field() {
    let org = "[[a]]\nid = \"a1\"\n\n[[a]]\nid = \"a2\"\nb = \"b1\"\n\n[[b]]\nid = \"b1\"\na = \"a2\"\n\n[[b]]\nid = \"b2\"\n";
    let stats = fixed(
        &[
            // a1 has no `b`; b2 has no `a`, no `s`.
            "forall x in ⟪a⟫: exists y in ⟪b⟫ where y.id != x.b and y.s == x.b",
            "forall x in ⟪a⟫: count(y in ⟪b⟫ where y.a == x.b) == 1",
            "forall x in ⟪a⟫: exists y in ⟪b⟫ where y.a == x.s and not (\"t\" in y.tags)",
        ],
        org,
    );
    // Per twin: a2 fails the first two.
    assert_eq!((stats.twins, stats.failing), (3, 2 * 2), "{stats:?}");
}

/// Found by the property: an id lookup (`y.id == key`) gave one record where ids repeat (the
/// loader reports them), not every record with the id; and the record of a made-up id (`#1`,
/// a record without an id), whose `id` field is `none` and so does not equal it.
#[test]
fn an_id_lookup_finds_what_the_id_condition_does() {
    let org = "[[a]]\nid = \"a1\"\nb = \"b1\"\n\n[[a]]\nn = 1\nb = \"b9\"\n\n[[b]]\nid = \"b1\"\nn = 1\n\n[[b]]\nid = \"b1\"\nn = 2\n\n[[b]]\nid = \"b3\"\n";
    let stats = fixed(
        &[
            "forall x in ⟪b⟫ where x.id == \"b1\": x.n == 1",
            // Keyed by a resolved reference (the lowered evaluator follows it by position).
            "forall x in ⟪a⟫: exists y in ⟪b⟫ where y.id == x.b and y.n == 2",
            "forall x in ⟪a⟫: count(y in ⟪a⟫ where y.id == x) == 1",
            "forall x in ⟪b⟫: not (exists y in ⟪a⟫ where y.id == x.a)",
        ],
        org,
    );
    // Per twin: the second b1; the record without an id (its `b` names no record; no other
    // record has its made-up id); every b (none has an `a`, and one a has no id).
    assert_eq!((stats.twins, stats.failing), (4, 2 * 6), "{stats:?}");
}

/// Found by the property: a join on a field declared `any` was planned as an index lookup, and
/// an index holds string keys (a list's items): `y.v == "t"` found a record whose `v` is the
/// list `["t"]`, and `y.v == x.n` with numbers found nothing — `==` says the opposite.
#[test]
fn a_join_on_a_field_of_any_type_is_not_a_lookup() {
    let org = "[[a]]\nid = \"a1\"\nn = 1\nv = 1\n\n[[a]]\nid = \"a2\"\nv = [\"t\"]\n\n[[b]]\nid = \"b1\"\n";
    let stats = fixed(
        &[
            "forall x in ⟪b⟫: exists y in ⟪a⟫ where y.v == \"t\"",
            "forall x in ⟪a⟫: exists y in ⟪a⟫ where y.v == x.n",
            "forall x in ⟪b⟫: exists y in ⟪a⟫ where \"t\" in y.v",
        ],
        org,
    );
    // Per twin: b1 (no `v` is "t"), a2 (its `n` is absent and every `v` is present).
    assert_eq!((stats.twins, stats.failing, stats.index_sources), (3, 2 * 2, 0), "{stats:?}");
}
