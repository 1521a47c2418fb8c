//! add / replace / remove semantics (see the table in the module root).

use serde_json::{Map, Value};

use crate::scim::message::PatchOperation;
use crate::scim::schema::{
    AttrLocation, AttributeDef, AttributeType, Mutability, ResourceSchema, SchemaViolation, get_ci,
    key_ci, normalize_value,
};

use super::error::PatchError;
use super::path::{PatchPath, parse_path};
use super::target::{on_attribute, on_filtered, on_filtered_sub, on_sub};

/// The operation kind, matched case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Add,
    Replace,
    Remove,
}

fn parse_op(op: &str) -> Result<Op, PatchError> {
    match op.to_ascii_lowercase().as_str() {
        "add" => Ok(Op::Add),
        "replace" => Ok(Op::Replace),
        "remove" => Ok(Op::Remove),
        other => Err(PatchError::invalid_syntax(format!(
            "unknown op {other:?} (expected add, replace or remove)"
        ))),
    }
}

impl From<SchemaViolation> for PatchError {
    fn from(v: SchemaViolation) -> Self {
        PatchError::new(v.scim_type(), v.to_string())
    }
}

/// Applies one operation in place.
pub(crate) fn apply_operation(
    doc: &mut Value,
    op: &PatchOperation,
    schema: &ResourceSchema,
) -> Result<(), PatchError> {
    let kind = parse_op(&op.op)?;
    if !doc.is_object() {
        return Err(PatchError::invalid_value(
            "the resource is not a JSON object",
        ));
    }
    match op.path.as_deref().map(str::trim) {
        None | Some("") => {
            if kind == Op::Remove {
                return Err(PatchError::no_target("remove requires a path"));
            }
            let Some(Value::Object(map)) = &op.value else {
                return Err(PatchError::invalid_value(
                    "an add or replace without a path needs an object value",
                ));
            };
            for (key, value) in map {
                apply_key(doc, kind, key, value, schema)?;
            }
            Ok(())
        }
        Some(raw) => {
            if let Some(ext) = schema.extension(raw) {
                return apply_extension_object(doc, kind, &ext.id, op.value.as_ref(), schema);
            }
            let path = parse_path(raw)?;
            apply_path(doc, kind, &path, raw, op.value.as_ref(), schema)
        }
    }
}

/// One key of a path-less value: an attribute, a dotted or URN-qualified
/// path (Entra), or an extension URN holding an object.
fn apply_key(
    doc: &mut Value,
    kind: Op,
    key: &str,
    value: &Value,
    schema: &ResourceSchema,
) -> Result<(), PatchError> {
    if key.eq_ignore_ascii_case("schemas") {
        return Ok(());
    }
    if let Some(ext) = schema.extension(key) {
        return apply_extension_object(doc, kind, &ext.id, Some(value), schema);
    }
    if key.contains('[') {
        // The key is in `value`, not in `path`: RFC 7644 §3.12 `invalidValue`.
        return Err(PatchError::invalid_value(format!(
            "a value filter is not allowed in a key of a path-less value: {key:?}"
        )));
    }
    match parse_path(key) {
        Ok(path) if resolves(&path, schema) => {
            apply_path(doc, kind, &path, key, Some(value), schema)
        }
        // An attribute no declared schema defines is ignored, as POST and PUT
        // ignore it.
        _ => Ok(()),
    }
}

/// Whether `path` names an attribute (or sub-attribute) the schema declares.
fn resolves(path: &PatchPath, schema: &ResourceSchema) -> bool {
    schema
        .resolve_parts(
            path.attr.urn.as_deref(),
            &path.attr.attr,
            path.attr.sub.as_deref(),
        )
        .is_some()
}

fn apply_extension_object(
    doc: &mut Value,
    kind: Op,
    urn: &str,
    value: Option<&Value>,
    schema: &ResourceSchema,
) -> Result<(), PatchError> {
    match kind {
        Op::Remove => {
            let ext = schema.extension(urn);
            let read_only = ext.is_some_and(|e| {
                e.attributes
                    .iter()
                    .any(|a| a.mutability == Mutability::ReadOnly)
            });
            if read_only {
                return Err(PatchError::mutability(format!(
                    "extension {urn} has read-only attributes"
                )));
            }
            if let Some(obj) = doc.as_object_mut()
                && let Some(k) = key_ci(obj, urn)
            {
                obj.remove(&k);
                if let Some(Value::Array(schemas)) = obj.get_mut("schemas") {
                    schemas.retain(|s| !s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)));
                }
            }
            Ok(())
        }
        Op::Add | Op::Replace => {
            let Some(Value::Object(map)) = value else {
                return Err(PatchError::invalid_value(format!(
                    "the value for extension {urn} must be an object"
                )));
            };
            for (k, v) in map {
                let key = format!("{urn}:{k}");
                // Keys the extension does not declare (a nested `schemas`
                // included) are ignored, as POST and PUT ignore them.
                match parse_path(&key) {
                    Ok(path) if !k.contains('[') && resolves(&path, schema) => {
                        apply_path(doc, kind, &path, &key, Some(v), schema)?;
                    }
                    _ => {}
                }
            }
            Ok(())
        }
    }
}

/// Entra sends `manager` as a plain id string: wrap it as `{"value": id}`.
fn wrap_plain_reference(value: &mut Value, def: &AttributeDef) {
    if def.kind == AttributeType::Complex
        && !def.multi_valued
        && def.sub_attribute("value").is_some()
        && value.is_string()
    {
        let mut m = Map::new();
        m.insert("value".to_owned(), value.take());
        *value = Value::Object(m);
    }
}

fn apply_path(
    doc: &mut Value,
    kind: Op,
    path: &PatchPath,
    raw: &str,
    value: Option<&Value>,
    schema: &ResourceSchema,
) -> Result<(), PatchError> {
    let r = schema
        .resolve_parts(
            path.attr.urn.as_deref(),
            &path.attr.attr,
            path.attr.sub.as_deref(),
        )
        .ok_or_else(|| PatchError::invalid_path(format!("unknown attribute path {raw:?}")))?;
    let sub_after = match &path.sub_after_filter {
        Some(s) => Some(r.attr.sub_attribute(s).ok_or_else(|| {
            PatchError::invalid_path(format!("unknown sub-attribute in path {raw:?}"))
        })?),
        None => None,
    };
    let target = sub_after.or(r.sub).unwrap_or(r.attr);
    let mut value = value.cloned();
    if kind != Op::Remove && value.is_none() {
        return Err(PatchError::invalid_value(format!(
            "{kind:?} of {raw:?} needs a value"
        )));
    }
    if let Some(v) = value.as_mut() {
        normalize_value(v, target);
        if path.filter.is_none() && sub_after.is_none() {
            wrap_plain_reference(v, target);
        }
    }

    // Mutability.
    let read_only =
        r.attr.mutability == Mutability::ReadOnly || target.mutability == Mutability::ReadOnly;
    if read_only {
        let current = if path.filter.is_none() {
            r.top_value(doc).and_then(|top| match &r.sub {
                None => Some(top),
                Some(sub) => top.as_object().and_then(|o| get_ci(o, &sub.name)),
            })
        } else {
            None
        };
        let unchanged = kind != Op::Remove && current.is_some() && current == value.as_ref();
        if unchanged {
            return Ok(());
        }
        return Err(PatchError::mutability(format!(
            "attribute {raw:?} is read-only"
        )));
    }
    if target.mutability == Mutability::Immutable && kind != Op::Add {
        return Err(PatchError::mutability(format!(
            "attribute {raw:?} is immutable"
        )));
    }

    let create = kind != Op::Remove;
    let Some(container) = container_mut(doc, &r.location, create)? else {
        return Ok(());
    };
    match (&path.filter, sub_after, r.sub) {
        (None, _, None) => on_attribute(container, kind, r.attr, value, raw)?,
        (None, _, Some(sub)) => on_sub(container, kind, r.attr, sub, value, raw)?,
        (Some(f), None, _) => on_filtered(container, kind, r.attr, f, value, raw)?,
        (Some(f), Some(sub), _) => on_filtered_sub(container, kind, r.attr, f, sub, value, raw)?,
    }
    finish_extension(doc, &r.location);
    Ok(())
}

/// The object holding the attribute: the resource, or the extension object
/// (created when `create`).
fn container_mut<'d>(
    doc: &'d mut Value,
    location: &AttrLocation,
    create: bool,
) -> Result<Option<&'d mut Map<String, Value>>, PatchError> {
    let Some(obj) = doc.as_object_mut() else {
        return Ok(None);
    };
    match location {
        AttrLocation::Core => Ok(Some(obj)),
        AttrLocation::Extension(urn) => {
            let key = match key_ci(obj, urn) {
                Some(k) => k,
                None if create => urn.clone(),
                None => return Ok(None),
            };
            let slot = obj.entry(key).or_insert_with(|| Value::Object(Map::new()));
            if slot.is_null() && create {
                *slot = Value::Object(Map::new());
            }
            match slot {
                Value::Object(m) => Ok(Some(m)),
                Value::Null => Ok(None),
                _ => Err(PatchError::invalid_value(format!(
                    "extension {urn} in the resource is not an object"
                ))),
            }
        }
    }
}

/// Drops an emptied extension object; lists a non-empty one in `schemas`.
fn finish_extension(doc: &mut Value, location: &AttrLocation) {
    let AttrLocation::Extension(urn) = location else {
        return;
    };
    let Some(obj) = doc.as_object_mut() else {
        return;
    };
    let Some(key) = key_ci(obj, urn) else { return };
    let empty = obj
        .get(&key)
        .is_some_and(|v| v.as_object().is_some_and(Map::is_empty));
    if empty {
        obj.remove(&key);
        if let Some(Value::Array(schemas)) = obj.get_mut("schemas") {
            schemas.retain(|s| !s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)));
        }
    } else if let Some(Value::Array(schemas)) = obj.get_mut("schemas") {
        if !schemas
            .iter()
            .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)))
        {
            schemas.push(Value::String(urn.clone()));
        }
    }
}
