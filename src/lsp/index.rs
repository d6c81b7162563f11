//! Declarations and references of a pack, read from the parsed files with the declaration
//! table (`compile::spec`) saying which attribute names which kind: nothing is parsed again.

use std::path::{Path, PathBuf};

use crate::base::source::{FileId, Loc, SourceMap};
use crate::compile::load::{ENTRY, Loaded};
use crate::compile::spec::{self, AttrSpec, AttrType, DeclSpec, RULE_ATTRS};
use crate::syntax::ast::{self, Entry, Expr, ExprKind, Item, Literal, TypeExpr};

/// A declaration: a named `KIND NAME { … }`, a nested one (a `step` of a `sop`), a rule or a
/// record kind.
#[derive(Debug, Clone)]
pub struct Def {
    /// Kind (`role`, `step`, `rule`, `record`).
    pub kind: String,
    /// Name (a rule's ID, a record kind's name).
    pub name: String,
    /// The name as written.
    pub loc: Loc,
    /// The whole declaration.
    pub whole: Loc,
    /// The enclosing declaration (index into [`Index::defs`]).
    pub parent: Option<usize>,
    /// The chapter it names (`chapter "分级审批"` of a `section`), if any.
    pub chapter: Option<String>,
}

/// What a reference names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A declaration of this kind (`None`: any kind, a name in an expression) and name.
    Decl(Option<String>, String),
    /// A file (`include`, `extends`).
    File(PathBuf),
}

/// A use of a declaration or a file.
#[derive(Debug, Clone)]
pub struct Ref {
    /// Where it is written.
    pub loc: Loc,
    /// What it names.
    pub target: Target,
}

/// The declarations and references of every file of a pack.
#[derive(Debug, Default, Clone)]
pub struct Index {
    /// Declarations in file order.
    pub defs: Vec<Def>,
    /// References in file order.
    pub refs: Vec<Ref>,
}

impl Index {
    /// Indexes the parsed files of a pack.
    pub fn build(loaded: &Loaded) -> Self {
        let mut ix = Index::default();
        for (id, file) in &loaded.files {
            ix.file(&loaded.sources, *id, file);
        }
        ix
    }

    /// The declarations a target names (for a name in an expression: of any kind).
    pub fn defs_of<'a>(&'a self, t: &'a Target) -> impl Iterator<Item = (usize, &'a Def)> + 'a {
        self.defs.iter().enumerate().filter(move |(_, d)| match t {
            Target::Decl(Some(k), n) => &d.kind == k && &d.name == n,
            Target::Decl(None, n) => &d.name == n,
            Target::File(_) => false,
        })
    }

    fn file(&mut self, sources: &SourceMap, id: FileId, file: &ast::File) {
        let f = sources.get(id);
        // Files of the built-in pack have no directory to resolve paths against.
        let dir =
            (!f.name.starts_with('<')).then(|| Path::new(f.name.as_str()).parent().map(Path::to_path_buf)).flatten();
        for item in &file.items {
            match item {
                Item::Include(inc) => {
                    if let Some(d) = &dir {
                        self.refs.push(Ref { loc: inc.path_loc, target: Target::File(d.join(&inc.path)) });
                    }
                }
                Item::Extends(e) => {
                    if let Some(d) = dir.as_ref().filter(|_| e.path != crate::compile::load::BUILTIN_NAME) {
                        self.refs.push(Ref { loc: e.path_loc, target: Target::File(d.join(&e.path).join(ENTRY)) });
                    }
                }
                Item::Rule(r) => {
                    let me = self.def("rule", &r.id, r.loc, None);
                    self.entries(sources, &r.entries, &|n| RULE_ATTRS.iter().find(|a| a.name == n), &[], me);
                }
                Item::Record(rd) => {
                    self.def("record", &rd.kind, rd.loc, None);
                    for field in &rd.fields {
                        self.type_refs(&field.ty);
                    }
                }
                Item::Decl(d) => self.decl(sources, d, spec::decl_spec(&d.kind.name), None),
                Item::Override(d) => {
                    if let Some(n) = &d.name {
                        self.refs
                            .push(Ref { loc: n.loc, target: Target::Decl(Some(d.kind.name.clone()), n.name.clone()) });
                    }
                    if let Some(s) = spec::decl_spec(&d.kind.name) {
                        self.entries(sources, &d.entries, &|n| s.attr(n), s.subs, None);
                    }
                }
                Item::Disable(x) => {
                    self.refs.push(Ref { loc: x.id.loc, target: Target::Decl(Some("rule".into()), x.id.name.clone()) })
                }
            }
        }
    }

    fn def(&mut self, kind: &str, name: &ast::Ident, whole: Loc, parent: Option<usize>) -> Option<usize> {
        self.defs.push(Def { kind: kind.into(), name: name.name.clone(), loc: name.loc, whole, parent, chapter: None });
        Some(self.defs.len() - 1)
    }

    fn decl(&mut self, sources: &SourceMap, d: &ast::Decl, s: Option<&'static DeclSpec>, parent: Option<usize>) {
        let me = match &d.name {
            Some(n) => self.def(&d.kind.name, n, d.loc, parent),
            None => parent,
        };
        if let (Some(i), None) = (me, parent) {
            let chapter = d.entries.iter().find_map(|e| match e {
                Entry::Attr(a) if a.name.name == "chapter" => a.values.iter().find_map(|v| match &v.kind {
                    ExprKind::Lit(Literal::Str(c)) => Some(c.to_string()),
                    _ => None,
                }),
                _ => None,
            });
            if let Some(def) = self.defs.get_mut(i) {
                def.chapter = chapter;
            }
        }
        match s {
            Some(s) => self.entries(sources, &d.entries, &|n| s.attr(n), s.subs, me),
            None => self.entries(sources, &d.entries, &|_| None, &[], me),
        }
    }

    fn entries(
        &mut self,
        sources: &SourceMap,
        entries: &[Entry],
        attr: &dyn Fn(&str) -> Option<&'static AttrSpec>,
        subs: &'static [DeclSpec],
        parent: Option<usize>,
    ) {
        for e in entries {
            match e {
                Entry::Attr(a) => {
                    let Some(spec) = attr(&a.name.name) else { continue };
                    for v in &a.values {
                        self.value(sources, spec.ty, v);
                    }
                }
                Entry::Decl(sub) => {
                    let s = subs.iter().find(|s| s.kind == sub.kind.name);
                    if s.is_some() {
                        self.decl(sources, sub, s, parent);
                    }
                }
            }
        }
    }

    /// The references in one attribute value of type `ty`.
    fn value(&mut self, sources: &SourceMap, ty: AttrType, v: &Expr) {
        match (ty, &v.kind) {
            (AttrType::Name(k), ExprKind::Name(n)) => self.named(v.loc, Some(k), n),
            (AttrType::Name(k), ExprKind::Lit(Literal::Str(n))) => self.named(v.loc, Some(k), n),
            (AttrType::RecordKind, ExprKind::Name(n)) => self.named(v.loc, Some("record"), n),
            (AttrType::Requirement, ExprKind::Name(n)) => self.named(v.loc, Some("role"), n),
            (AttrType::Requirement, ExprKind::Call(_, args)) => {
                for a in args {
                    self.value(sources, AttrType::Requirement, a);
                }
            }
            (AttrType::DeclRef, ExprKind::Call(kind, args)) => {
                let k = spec::decl_spec(&kind.name).map(|s| s.kind);
                for a in args {
                    if let ExprKind::Name(n) = &a.kind {
                        self.named(a.loc, k, n);
                    }
                }
            }
            (AttrType::Expr, _) => self.expr(v),
            (AttrType::Text | AttrType::Str, ExprKind::Lit(Literal::Str(_))) => {
                // Text references `{param 名称}`: read in the text as written, so their offsets
                // are offsets into the file.
                let raw = sources.slice(v.loc);
                for p in crate::compile::textref::pieces(raw) {
                    if let crate::compile::textref::Piece::Ref(r) = p
                        && let Some(s) = spec::decl_spec(r.kind)
                    {
                        let loc = Loc::new(
                            v.loc.file,
                            v.loc.start as usize + r.range.start,
                            v.loc.start as usize + r.range.end,
                        );
                        self.named(loc, Some(s.kind), r.name);
                    }
                }
            }
            _ => {}
        }
    }

    fn named(&mut self, loc: Loc, kind: Option<&str>, name: &str) {
        self.refs.push(Ref { loc, target: Target::Decl(kind.map(str::to_string), name.to_string()) });
    }

    /// Names in an expression (parameters, declared names, record kinds).
    fn expr(&mut self, e: &Expr) {
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            match &e.kind {
                ExprKind::Name(n) => self.named(e.loc, None, n),
                ExprKind::Lit(_) => {}
                ExprKind::List(xs) | ExprKind::Call(_, xs) => stack.extend(xs),
                ExprKind::Member(x, _) | ExprKind::Unary(_, x) | ExprKind::Target(_, x) => stack.push(x),
                ExprKind::Index(x, y) | ExprKind::Binary(_, x, y) => stack.extend([&**x, &**y]),
                ExprKind::If(x, y, z) => stack.extend([&**x, &**y, &**z]),
                ExprKind::Quant(_, b, body) => {
                    stack.push(&b.coll);
                    stack.extend(b.filter.as_deref());
                    stack.extend(body.as_deref());
                }
                ExprKind::Count(b) => {
                    stack.push(&b.coll);
                    stack.extend(b.filter.as_deref());
                }
                ExprKind::Sum(b, x) | ExprKind::Comprehension(x, b) => {
                    stack.push(&b.coll);
                    stack.extend(b.filter.as_deref());
                    stack.push(x);
                }
            }
        }
    }

    fn type_refs(&mut self, t: &TypeExpr) {
        match t {
            TypeExpr::Ref(i) => self.named(i.loc, Some("record"), &i.name),
            TypeExpr::Vocab { parts, .. } => {
                for p in parts {
                    for s in &p.scope {
                        self.named(s.loc, spec::decl_spec(&p.kind.name).map(|s| s.kind), &s.name)
                    }
                }
            }
            TypeExpr::List(inner, _) => self.type_refs(inner),
            TypeExpr::Object(fields, _) => {
                for f in fields {
                    self.type_refs(&f.ty);
                }
            }
            _ => {}
        }
    }
}
