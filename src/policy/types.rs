//! Static types of the rule language.

use std::fmt;
use std::sync::Arc;

use crate::base::value::KindId;

/// A field of an object type or a record kind.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldType {
    /// Field name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Whether data may omit it.
    pub optional: bool,
    /// Description.
    pub doc: Option<String>,
    /// Personal data: never printed in a message.
    pub secret: bool,
    /// Personal data that may be printed masked (`王*`): a person's name. Shown whole only when
    /// the user asks (`--show-personal`).
    pub personal: bool,
    /// The vocabulary its (string) values are words of, when it is not the type's own
    /// declaration kind: `sop(客户投诉处理).step` for `ref sop(客户投诉处理).step`. See
    /// [`FieldType::vocab_key`].
    pub vocab: Option<String>,
    /// `keys ref …`: the vocabulary the keys of its tables must be words of.
    pub keys: Option<Box<KeyVocab>>,
}

/// The vocabulary of a table field's keys (`fields?: any keys ref sop(立项流程).required if
/// kind == 立项`).
#[derive(Clone, Debug, PartialEq)]
pub struct KeyVocab {
    /// Key of the vocabulary in [`Schema::vocab`](super::Schema).
    pub vocab: String,
    /// Checked only in records whose field (a sibling of this one) holds the word.
    pub when: Option<(String, String)>,
}

impl FieldType {
    /// A required field of type `ty`, undocumented, neither secret nor personal, whose words
    /// are those of its type: the fields zhidu itself declares (the audit period, a
    /// declaration's attributes). Others are built from it with `..`.
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        FieldType {
            name: name.into(),
            ty,
            optional: false,
            doc: None,
            secret: false,
            personal: false,
            vocab: None,
            keys: None,
        }
    }

    /// The key of the vocabulary its values (or list items) must be words of: the explicit
    /// `vocab`, or the declaration kind of a `Name` type (`role` for `role` and `[role]`).
    /// Words of each key are in [`Schema::vocab`](super::Schema).
    pub fn vocab_key(&self) -> Option<&str> {
        if let Some(v) = &self.vocab {
            return Some(v);
        }
        match &self.ty {
            Type::Name(k) => Some(k),
            Type::List(inner) => match &**inner {
                Type::Name(k) => Some(k),
                _ => None,
            },
            _ => None,
        }
    }
}

/// A static type.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// Unknown or mixed (unknown data fields): accepted everywhere.
    Any,
    /// `none` literal.
    None,
    /// Boolean.
    Bool,
    /// Integer.
    Int,
    /// Decimal.
    Num,
    /// Percentage.
    Percent,
    /// String.
    Str,
    /// One of a fixed set of strings.
    Enum(Arc<[String]>),
    /// The name of a declaration of this kind (`role`, `approval` …).
    Name(String),
    /// Date.
    Date,
    /// Datetime.
    DateTime,
    /// Duration.
    Duration,
    /// Comparison target.
    Target,
    /// The id of a record of a kind.
    Ref(KindId),
    /// A record of a kind.
    Record(KindId),
    /// List.
    List(Box<Type>),
    /// Object with known fields.
    Object(Arc<[FieldType]>),
    /// Calendar window (`.from`, `.to`, `.label`).
    Window,
}

impl Type {
    /// Whether values of this type are numbers (int, number, percent).
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Num | Type::Percent | Type::Any)
    }

    /// Whether values of this type are strings at run time.
    pub fn is_stringy(&self) -> bool {
        matches!(self, Type::Str | Type::Enum(_) | Type::Name(_) | Type::Ref(_) | Type::Any)
    }

    /// Calls `f` with each kind whose records values of this type refer to (`ref K`, also as
    /// list items and object fields).
    pub fn each_ref(&self, f: &mut impl FnMut(KindId)) {
        match self {
            Type::Ref(k) => f(*k),
            Type::List(item) => item.each_ref(f),
            Type::Object(fields) => fields.iter().for_each(|x| x.ty.each_ref(f)),
            _ => {}
        }
    }

    /// Element type of a list (Any for Any).
    pub fn element(&self) -> Option<Type> {
        match self {
            Type::List(t) => Some((**t).clone()),
            Type::Any => Some(Type::Any),
            _ => None,
        }
    }

    /// Whether a value of `self` may be compared with a value of `other`.
    pub fn comparable(&self, other: &Type) -> bool {
        use Type::*;
        match (self, other) {
            (Any, _) | (_, Any) | (None, _) | (_, None) => true,
            (a, b) if a.is_numeric() && b.is_numeric() => true,
            (a, b) if a.is_stringy() && b.is_stringy() => true,
            (Record(k), Ref(j)) | (Ref(j), Record(k)) | (Record(k), Record(j)) => k == j,
            (Record(_), b) | (b, Record(_)) => b.is_stringy(),
            (Date | DateTime, Date | DateTime) => true,
            (Duration, Duration) | (Bool, Bool) | (Target, Target) | (Window, Window) => true,
            (List(a), List(b)) => a.comparable(b),
            (Object(_), Object(_)) => true,
            _ => false,
        }
    }
}

/// Display needs kind names, which live in the schema: this is a `Type` with its schema.
pub struct TypeDisplay<'a> {
    /// The type.
    pub ty: &'a Type,
    /// Kind names by id.
    pub kinds: &'a dyn Fn(KindId) -> String,
}

impl<'a> fmt::Display for TypeDisplay<'a> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sub = |t: &'a Type| TypeDisplay { ty: t, kinds: self.kinds };
        match self.ty {
            Type::Any => write!(f, "any"),
            Type::None => write!(f, "none"),
            Type::Bool => write!(f, "bool"),
            Type::Int => write!(f, "int"),
            Type::Num => write!(f, "number"),
            Type::Percent => write!(f, "percent"),
            Type::Str => write!(f, "string"),
            Type::Enum(v) => write!(f, "enum({})", v.join(", ")),
            Type::Name(k) => write!(f, "{k} name"),
            Type::Date => write!(f, "date"),
            Type::DateTime => write!(f, "datetime"),
            Type::Duration => write!(f, "duration"),
            Type::Target => write!(f, "target"),
            Type::Ref(k) => write!(f, "ref {}", (self.kinds)(*k)),
            Type::Record(k) => write!(f, "{} record", (self.kinds)(*k)),
            Type::List(t) => write!(f, "[{}]", sub(t)),
            Type::Object(fs) => {
                write!(f, "{{")?;
                for (i, x) in fs.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{}: {}", x.name, sub(&x.ty))?;
                }
                write!(f, "}}")
            }
            Type::Window => write!(f, "window"),
        }
    }
}
