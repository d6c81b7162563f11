//! The declaration kinds of the language and the attributes each accepts.
//!
//! This table is the language definition (like a grammar), not a regulation: it says that an
//! `approval` has a `requires` attribute naming roles, never which roles approve what. Where the
//! words an attribute takes are the regulation's own (a unit's `type`), the attribute names an
//! `enum` declaration of the pack ([`AttrType::OneOf`]) instead of listing them here.

/// Type of an attribute value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AttrType {
    /// A string.
    Str,
    /// Markdown text (string or text block).
    Text,
    /// An integer.
    Int,
    /// A number.
    Num,
    /// A percentage.
    Percent,
    /// A date.
    Date,
    /// A duration.
    Duration,
    /// A comparison target (`>= 500`).
    Target,
    /// A boolean.
    Bool,
    /// The name of a declaration of this kind.
    Name(&'static str),
    /// The name of a record kind of the schema.
    RecordKind,
    /// One of these words (words of the language itself, such as `up`, `down`, `stable`).
    Enum(&'static [&'static str]),
    /// One of the words of the pack's `enum NAME` declaration: a closed set of words the
    /// regulation chooses, such as the types of its units.
    OneOf(&'static str),
    /// `all(role, …)`, `any(role, …)`, `seq(role, …)` or one role.
    Requirement,
    /// A free name (a label that is not a declaration).
    Label,
    /// An expression of the rule language (kept unevaluated).
    Expr,
    /// A block of `key value` pairs whose values have this type (`weights { 上级评价 40% }`).
    Pairs(&'static AttrType),
    /// A reference to declarations: `kind` or `kind(name, …)` (rules' `documents`).
    DeclRef,
}

/// How many values an attribute takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Card {
    /// Exactly one value, at most once.
    One,
    /// A comma-separated list, at most once.
    List,
    /// Repeatable; each occurrence a list of values.
    Repeat,
    /// Repeatable; each occurrence one value.
    RepeatOne,
}

/// One attribute of a declaration kind.
#[derive(Clone, Copy, Debug)]
pub struct AttrSpec {
    /// Name as written.
    pub name: &'static str,
    /// Value type.
    pub ty: AttrType,
    /// Cardinality.
    pub card: Card,
    /// Must be given.
    pub required: bool,
}

/// A declaration kind.
#[derive(Clone, Copy, Debug)]
pub struct DeclSpec {
    /// Keyword.
    pub kind: &'static str,
    /// Whether a name is required.
    pub named: bool,
    /// Kind-specific attributes (the common ones are in [`COMMON`]).
    pub attrs: &'static [AttrSpec],
    /// Nested declaration kinds.
    pub subs: &'static [DeclSpec],
    /// One-line description (for `zhidu explain` and docs).
    pub about: &'static str,
}

const fn a(name: &'static str, ty: AttrType) -> AttrSpec {
    AttrSpec { name, ty, card: Card::One, required: false }
}
const fn req(name: &'static str, ty: AttrType) -> AttrSpec {
    AttrSpec { name, ty, card: Card::One, required: true }
}
const fn list(name: &'static str, ty: AttrType) -> AttrSpec {
    AttrSpec { name, ty, card: Card::List, required: false }
}
const fn req_list(name: &'static str, ty: AttrType) -> AttrSpec {
    AttrSpec { name, ty, card: Card::List, required: true }
}

use AttrType as T;

/// Attributes every declaration accepts. Two audiences read a declaration: `text` is the article
/// as issued (the wall edition prints it), `explain` how it is checked (the annotated edition
/// only); `chosen "reason"` marks a value the regulations leave open (printed as 本制度补充).
pub const COMMON: &[AttrSpec] = &[
    a("title", T::Str),
    a("text", T::Text),
    a("explain", T::Text),
    a("chosen", T::Str),
    a("source", T::Str),
    a("note", T::Text),
    a("order", T::Int),
];

/// Every declaration kind of the language.
pub const DECLS: &[DeclSpec] = &[
    DeclSpec {
        kind: "policy",
        named: true,
        about: "policy pack metadata (exactly one)",
        attrs: &[req("version", T::Str), req("effective", T::Date), a("issuer", T::Str), a("org", T::Str)],
        subs: &[],
    },
    DeclSpec {
        kind: "section",
        named: true,
        about: "narrative text of the handbook: purposes, scope, workflows",
        attrs: &[req("chapter", T::Label)],
        subs: &[],
    },
    DeclSpec {
        kind: "principle",
        named: true,
        about: "a basic principle",
        attrs: &[req("group", T::Label)],
        subs: &[],
    },
    DeclSpec {
        kind: "unit",
        named: true,
        about: "a unit of the organisation structure",
        attrs: &[req("type", T::OneOf("unit_type")), a("parent", T::Name("unit")), list("positions", T::Name("role"))],
        subs: &[],
    },
    DeclSpec {
        kind: "duty",
        named: true,
        about: "a duty area held by exactly one role",
        attrs: &[a("area", T::Label)],
        subs: &[],
    },
    DeclSpec {
        kind: "indicator",
        named: true,
        about: "a key indicator",
        attrs: &[
            a("formula", T::Str),
            a("target", T::Target),
            a("trend", T::Enum(&["up", "down", "stable"])),
            a("data_source", T::Str),
        ],
        subs: &[],
    },
    DeclSpec {
        kind: "role",
        named: true,
        about: "a role (岗位) with duties and key indicators",
        attrs: &[
            a("unit", T::Name("unit")),
            list("duties", T::Name("duty")),
            list("indicators", T::Name("indicator")),
            list("required_in", T::Label),
            a("reports_to", T::Name("role")),
        ],
        subs: &[],
    },
    DeclSpec {
        kind: "approval",
        named: true,
        about: "an approval tier: who approves a kind of change or plan",
        attrs: &[
            req("applies_to", T::RecordKind),
            req("requires", T::Requirement),
            a("example", T::Str),
            a("unanimous", T::Bool),
        ],
        subs: &[],
    },
    DeclSpec {
        kind: "kpi_sheet",
        named: true,
        about: "a KPI sheet of a role",
        attrs: &[req("role", T::Name("role"))],
        subs: &[DeclSpec {
            kind: "kpi",
            named: true,
            about: "one KPI: formula, target, weight",
            attrs: &[
                req("formula", T::Str),
                req("target", T::Target),
                req("weight", T::Percent),
                a("indicator", T::Name("indicator")),
            ],
            subs: &[],
        }],
    },
    DeclSpec {
        kind: "appraisal",
        named: true,
        about: "appraisal weights, cycles and use of results",
        attrs: &[
            req("weights", T::Pairs(&T::Percent)),
            list("cycles", T::Duration),
            list("dimensions", T::Label),
            list("uses", T::Label),
            a("low_score", T::Num),
            a("improvement_plan", T::Duration),
        ],
        subs: &[],
    },
    DeclSpec {
        kind: "permission",
        named: true,
        about: "a row of the permission matrix",
        attrs: &[
            req("role", T::Name("role")),
            req("range", T::OneOf("permission_range")),
            list("categories", T::Label),
            a("view", T::Enum(&["raw", "masked"])),
            req_list("ops", T::Label),
        ],
        subs: &[],
    },
    DeclSpec {
        kind: "data_class",
        named: true,
        about: "a data classification level",
        attrs: &[a("rank", T::Int)],
        subs: &[],
    },
    DeclSpec {
        kind: "mask",
        named: true,
        about: "a desensitisation rule for a kind of field",
        attrs: &[
            req_list("fields", T::Label),
            list("except", T::Label),
            req("method", T::Enum(&["province", "age_band", "hash"])),
            a("band", T::Int),
            a("algorithm", T::Enum(&["sha256", "hmac_sha256"])),
            a("key_env", T::Str),
            list("categories", T::Label),
            a("example_in", T::Str),
            a("example_out", T::Str),
        ],
        subs: &[],
    },
    DeclSpec {
        kind: "cadence",
        named: true,
        about: "a recurring meeting or event",
        attrs: &[
            req("every", T::Duration),
            req("applies_to", T::RecordKind),
            a("kind", T::Label),
            list("participants", T::Label),
            list("outputs", T::Label),
            list("topics", T::Label),
        ],
        subs: &[],
    },
    DeclSpec {
        kind: "training",
        named: true,
        about: "a training of a level",
        attrs: &[a("level", T::Label), req("topic", T::Label), req("every", T::Duration), a("assessment", T::Label)],
        subs: &[],
    },
    DeclSpec {
        kind: "sop",
        named: true,
        about: "a standard operating procedure or workflow with ordered steps",
        attrs: &[
            a("kind", T::Enum(&["sop", "workflow", "template"])),
            a("owner", T::Label),
            a("limit", T::Duration),
            a("applies_to", T::RecordKind),
            list("required", T::Label),
        ],
        subs: &[DeclSpec {
            kind: "step",
            named: true,
            about: "a step of an SOP",
            attrs: &[a("owner", T::Label), a("within", T::Duration), list("outputs", T::Label), a("detail", T::Text)],
            subs: &[],
        }],
    },
    DeclSpec {
        kind: "emergency",
        named: true,
        about: "an emergency plan",
        attrs: &[req("responder", T::Name("role")), req_list("steps", T::Label), list("contacts", T::Label)],
        subs: &[],
    },
    DeclSpec {
        kind: "risk_matrix",
        named: true,
        about: "risk levels, grading matrix and allowed responses",
        attrs: &[
            req_list("levels", T::Label),
            list("categories", T::Label),
            AttrSpec { name: "cell", ty: T::Label, card: Card::Repeat, required: true },
        ],
        subs: &[DeclSpec {
            kind: "response",
            named: true,
            about: "a risk response and the grades it is allowed for",
            attrs: &[req_list("grades", T::Label)],
            subs: &[],
        }],
    },
    DeclSpec {
        kind: "sanction",
        named: true,
        about: "a step of the sanctions ladder",
        attrs: &[req("rank", T::Int)],
        subs: &[],
    },
    DeclSpec {
        kind: "rotation",
        named: true,
        about: "the rotation programme",
        attrs: &[
            req("min_stay", T::Duration),
            req("max_stay", T::Duration),
            req("min_modules", T::Int),
            list("modules", T::Label),
        ],
        subs: &[],
    },
    DeclSpec {
        kind: "mentoring",
        named: true,
        about: "the mentoring programme",
        attrs: &[list("mentor_levels", T::Label)],
        subs: &[DeclSpec {
            kind: "task",
            named: true,
            about: "a recurring mentor duty",
            attrs: &[req("every", T::Duration), req("output", T::Label), a("kind", T::Label)],
            subs: &[],
        }],
    },
    DeclSpec {
        kind: "award",
        named: true,
        about: "an award and its threshold",
        attrs: &[a("every", T::Duration), req("threshold", T::Percent), list("criteria", T::Label)],
        subs: &[],
    },
    DeclSpec {
        kind: "dashboard",
        named: true,
        about: "a dashboard of monitored indicators",
        attrs: &[req_list("indicators", T::Name("indicator"))],
        subs: &[],
    },
    DeclSpec {
        kind: "param",
        named: true,
        about: "a concrete, overridable value for a vague clause",
        // `period true`: the value is how often something recurs (the calendar lists it), not
        // a deadline.
        attrs: &[req("value", T::Expr), a("period", T::Bool)],
        subs: &[],
    },
    DeclSpec {
        kind: "document",
        named: true,
        about: "a source document the pack cites: its code (the name, as in `source \"004 §2\"`) and `title`",
        attrs: &[],
        subs: &[],
    },
    DeclSpec {
        kind: "pattern",
        named: true,
        about: "a named regular expression for `matches`",
        attrs: &[req("regex", T::Str)],
        subs: &[],
    },
    DeclSpec {
        kind: "enum",
        named: true,
        about: "a closed set of words an attribute takes (`unit_type`, `permission_range`)",
        attrs: &[req_list("values", T::Str), a("titles", T::Pairs(&T::Str))],
        subs: &[],
    },
];

/// Attributes of `rule` blocks.
pub const RULE_ATTRS: &[AttrSpec] = &[
    req("source", T::Str),
    req("message", T::Str),
    a("message_en", T::Str),
    a("title", T::Str),
    a("text", T::Text),
    a("explain", T::Text),
    a("chosen", T::Str),
    a("quote", T::Text),
    a("level", T::Enum(&["advisory", "mandatory"])),
    a("effective", T::Date),
    AttrSpec { name: "documents", ty: T::DeclRef, card: Card::List, required: false },
    AttrSpec { name: "check", ty: T::Expr, card: Card::RepeatOne, required: false },
];

/// What a text reference `{KIND NAME}` without an attribute path prints, by kind: the attribute
/// path of the value a reader of the article needs (`{param 投诉反馈时限}` → its value,
/// `{cadence 周例会}` → how often it meets). Part of the language, like the table above.
pub const REF_DEFAULT: &[(&str, &str)] = &[
    ("param", "value"),
    ("cadence", "every"),
    ("training", "every"),
    ("appraisal", "weights"),
    ("approval", "requires.roles"),
    ("indicator", "target"),
    ("award", "threshold"),
    ("sop", "limit"),
    ("document", "title"),
    ("unit", "title"),
    ("role", "title"),
];

/// Looks up a top-level declaration kind.
pub fn decl_spec(kind: &str) -> Option<&'static DeclSpec> {
    DECLS.iter().find(|d| d.kind == kind)
}

impl DeclSpec {
    /// The spec of an attribute (kind-specific or common).
    pub fn attr(&self, name: &str) -> Option<&'static AttrSpec> {
        self.attrs.iter().chain(COMMON.iter()).find(|a| a.name == name)
    }

    /// All attribute names, for "did you mean".
    pub fn attr_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.attrs.iter().chain(COMMON.iter()).map(|a| a.name)
    }

    /// A nested declaration kind.
    pub fn sub(&self, kind: &str) -> Option<&'static DeclSpec> {
        self.subs.iter().find(|d| d.kind == kind)
    }
}
