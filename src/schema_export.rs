//! `zhidu schema`: the record kinds a pack declares, as a JSON Schema (draft 2020-12), so editors
//! (Taplo / Even Better TOML with `#:schema`) validate and complete org files; and the same as
//! the data reference in Markdown (`--format md`, `docs/data.md`).

mod markdown;
pub use markdown::markdown;

use serde_json::{Map, Value as Json, json};

use crate::policy::types::{FieldType, Type};
use crate::policy::{Policy, Schema};

/// The JSON Schema of an org data file for this pack.
pub fn json_schema(policy: &Policy) -> Json {
    let mut props = Map::new();
    let mut defs = Map::new();
    for (_, k) in policy.schema.record_kinds() {
        let mut def = object(policy, &k.fields, k.title.as_deref(), k.open);
        // A kind without an `id` field accepts one as a row label (the loader ignores it).
        if !k.has_id
            && let Some(p) = def.get_mut("properties").and_then(Json::as_object_mut)
        {
            p.insert("id".into(), json!({ "type": "string", "description": "row label (not read)" }));
        }
        defs.insert(k.name.clone(), def);
        let array = json!({
            "type": "array",
            "description": k.title.clone().unwrap_or_else(|| k.name.clone()),
            "items": { "$ref": format!("#/$defs/{}", k.name) }
        });
        props.insert(k.name.clone(), array.clone());
        for a in &k.aliases {
            props.insert(a.clone(), array.clone());
        }
    }
    // zhidu.toml
    props.insert(
        "org".into(),
        json!({
            "type": "object",
            "description": "zhidu.toml: the organisation",
            "properties": {
                "name": { "type": "string" },
                "policy": { "type": "string", "description": "policy directory (default: the built-in pack)" },
                "as_of": { "type": "string", "format": "date" },
                "period": { "$ref": "#/$defs/_period" }
            }
        }),
    );
    defs.insert(
        "_period".into(),
        json!({
            "type": "object",
            "required": ["from", "to"],
            "properties": { "from": { "type": "string", "format": "date" }, "to": { "type": "string", "format": "date" } }
        }),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://zhidu.invalid/schema/org-data.json",
        "title": format!("zhidu org data — {} {}", policy.meta.name, policy.meta.version),
        "description": "Arrays of tables, one per record kind (see docs/data.md, made by `zhidu schema --format md`). Dates are TOML dates. A field a kind does not declare is reported (DATA-FIELD) unless the kind is open; a word a vocabulary does not hold is an error (DATA-VOCAB); a table naming no kind is an error (DATA-KIND).",
        "type": "object",
        "properties": props,
        "$defs": defs
    })
}

fn object(policy: &Policy, fields: &[FieldType], title: Option<&str>, open: bool) -> Json {
    let mut props = Map::new();
    let mut required = Vec::new();
    // `keys ref … if field == word`: the key names, where the sibling field holds the word.
    let mut conditional = Vec::new();
    for f in fields {
        let mut t = match f.vocab_key().and_then(|k| policy.schema.vocab.get(k)) {
            // The words of a vocabulary, for the field or each item of a list of them.
            Some(words) => {
                let e = json!({ "type": "string", "enum": words.iter().collect::<Vec<_>>() });
                if matches!(f.ty, Type::List(_)) { json!({ "type": "array", "items": e }) } else { e }
            }
            None => ty(policy, &policy.schema, &f.ty, open),
        };
        if let (Some(doc), Some(o)) = (&f.doc, t.as_object_mut()) {
            o.insert("description".into(), Json::String(doc.clone()));
        }
        if let Some((k, words)) = f.keys.as_ref().and_then(|k| policy.schema.vocab.get(&k.vocab).map(|w| (k, w))) {
            let names = json!({ "propertyNames": { "enum": words.iter().collect::<Vec<_>>() } });
            match &k.when {
                None => {
                    if let Some(o) = t.as_object_mut() {
                        o.insert("propertyNames".into(), names["propertyNames"].clone());
                    }
                }
                Some((field, word)) => conditional.push(json!({
                    "if": { "properties": { field: { "const": word } }, "required": [field] },
                    "then": { "properties": { f.name.clone(): names } }
                })),
            }
        }
        props.insert(f.name.clone(), t);
        if !f.optional {
            required.push(Json::String(f.name.clone()));
        }
    }
    let mut o = json!({ "type": "object", "properties": props, "required": required, "additionalProperties": open });
    if let (Some(t), Some(m)) = (title, o.as_object_mut()) {
        m.insert("title".into(), Json::String(t.to_string()));
    }
    if let (false, Some(m)) = (conditional.is_empty(), o.as_object_mut()) {
        m.insert("allOf".into(), Json::Array(conditional));
    }
    o
}

fn ty(policy: &Policy, schema: &Schema, t: &Type, open: bool) -> Json {
    match t {
        Type::Str => json!({ "type": "string" }),
        Type::Int => json!({ "type": "integer" }),
        Type::Num => json!({ "type": "number" }),
        Type::Percent => {
            json!({ "anyOf": [{ "type": "number" }, { "type": "string", "pattern": "^\\s*-?\\d+(\\.\\d+)?\\s*%\\s*$" }] })
        }
        Type::Bool => json!({ "type": "boolean" }),
        Type::Date => json!({ "type": "string", "format": "date" }),
        Type::DateTime => json!({ "type": "string", "format": "date-time" }),
        Type::Duration => json!({ "type": "string", "pattern": "^\\s*\\d+(\\.\\d+)?\\s*\\S+\\s*$" }),
        Type::Target => {
            json!({ "type": "string", "pattern": "^\\s*(>=|<=|==|!=|>|<|≥|≤|=)\\s*-?\\d+(\\.\\d+)?\\s*%?\\s*$" })
        }
        Type::Enum(v) => json!({ "enum": v.iter().collect::<Vec<_>>() }),
        Type::Name(kind) => match schema.vocab.get(kind.as_str()) {
            Some(words) => json!({ "type": "string", "enum": words.iter().collect::<Vec<_>>() }),
            None => json!({ "type": "string", "description": format!("a declared {kind}") }),
        },
        Type::Ref(k) => json!({ "type": "string", "description": format!("id of a {} record", schema.kind(*k).name) }),
        Type::List(inner) => json!({ "type": "array", "items": ty(policy, schema, inner, open) }),
        Type::Object(fields) => object(policy, fields, None, open),
        _ => json!({}),
    }
}
