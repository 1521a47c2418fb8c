//! add / replace / remove semantics (see the table in the module root).

use serde_json::{Map, Value};

use crate::scim::message::PatchOperation;
use crate::scim::schema::{
    AttrLocation, AttributeDef, AttributeType, Mutability, ResourceSchema, SchemaViolation,
    check_single, check_value, get_ci, key_ci, normalize_value,
};
use crate::server::filter::{CompValue, CompareOp, Filter};

use super::error::PatchError;
use super::path::{PatchPath, parse_path};

/// The operation kind, matched case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
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
    let path = parse_path(key)?;
    if path.filter.is_some() {
        return Err(PatchError::invalid_path(format!(
            "a value filter is not allowed in a key of a path-less value: {key:?}"
        )));
    }
    apply_path(doc, kind, &path, key, Some(value), schema)
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
                let path = parse_path(&key)?;
                apply_path(doc, kind, &path, &key, Some(v), schema)?;
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

fn attr_key(container: &Map<String, Value>, def: &AttributeDef) -> String {
    key_ci(container, &def.name).unwrap_or_else(|| def.name.clone())
}

fn required_value(value: Option<Value>, raw: &str) -> Result<Value, PatchError> {
    value.ok_or_else(|| PatchError::invalid_value(format!("{raw:?} needs a value")))
}

/// Whether two elements of a multi-valued attribute denote the same value:
/// equal `value` sub-attributes (and equal `type` when both have one), or
/// equal JSON otherwise.
fn same_element(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => match (get_ci(x, "value"), get_ci(y, "value")) {
            (Some(vx), Some(vy)) => {
                vx == vy
                    && match (get_ci(x, "type"), get_ci(y, "type")) {
                        (Some(tx), Some(ty)) => tx == ty,
                        _ => true,
                    }
            }
            _ => a == b,
        },
        _ => a == b,
    }
}

fn as_items(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// Sets `key` in `obj`, reusing an existing key's spelling; `null` removes it.
fn set_ci(obj: &mut Map<String, Value>, key: &str, value: Value) {
    let k = key_ci(obj, key).unwrap_or_else(|| key.to_owned());
    if value.is_null() {
        obj.remove(&k);
    } else {
        obj.insert(k, value);
    }
}

fn merge_into(target: &mut Map<String, Value>, patch: Map<String, Value>) {
    for (k, v) in patch {
        set_ci(target, &k, v);
    }
}

/// Keeps at most one `primary: true` element: the one at `keep`.
fn single_primary(items: &mut [Value], keep: usize) {
    let is_primary = items
        .get(keep)
        .and_then(Value::as_object)
        .and_then(|o| get_ci(o, "primary"))
        == Some(&Value::Bool(true));
    if !is_primary {
        return;
    }
    for (i, item) in items.iter_mut().enumerate() {
        if i != keep
            && let Some(o) = item.as_object_mut()
            && let Some(k) = key_ci(o, "primary")
        {
            o.insert(k, Value::Bool(false));
        }
    }
}

fn on_attribute(
    container: &mut Map<String, Value>,
    kind: Op,
    def: &AttributeDef,
    value: Option<Value>,
    raw: &str,
) -> Result<(), PatchError> {
    let key = attr_key(container, def);
    match kind {
        Op::Remove => {
            if let Some(v) = value.filter(|v| !v.is_null() && def.multi_valued) {
                // Entra: remove the listed members.
                let items = as_items(v);
                if let Some(Value::Array(existing)) = container.get_mut(&key) {
                    existing.retain(|e| !items.iter().any(|i| same_element(e, i)));
                    if existing.is_empty() {
                        container.remove(&key);
                    }
                }
                return Ok(());
            }
            if def.required {
                return Err(PatchError::invalid_value(format!(
                    "required attribute {raw:?} cannot be removed"
                )));
            }
            container.remove(&key);
        }
        Op::Add | Op::Replace if def.multi_valued => {
            let items = as_items(required_value(value, raw)?);
            for item in &items {
                check_single(item, def, raw)?;
            }
            if kind == Op::Replace {
                if items.is_empty() {
                    container.remove(&key);
                } else {
                    container.insert(key, Value::Array(items));
                }
                return Ok(());
            }
            let slot = container
                .entry(key)
                .or_insert_with(|| Value::Array(Vec::new()));
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            if let Value::Array(existing) = slot {
                for item in items {
                    if !existing.iter().any(|e| same_element(e, &item)) {
                        existing.push(item);
                        let last = existing.len().saturating_sub(1);
                        single_primary(existing, last);
                    }
                }
            }
        }
        Op::Add | Op::Replace => {
            let v = required_value(value, raw)?;
            check_value(&v, def, raw)?;
            match v {
                Value::Null => {
                    if def.required {
                        return Err(PatchError::invalid_value(format!(
                            "required attribute {raw:?} cannot be cleared"
                        )));
                    }
                    container.remove(&key);
                }
                Value::Object(patch) if def.kind == AttributeType::Complex => {
                    let slot = container
                        .entry(key)
                        .or_insert_with(|| Value::Object(Map::new()));
                    if !slot.is_object() {
                        *slot = Value::Object(Map::new());
                    }
                    if let Value::Object(existing) = slot {
                        merge_into(existing, patch);
                    }
                }
                other => {
                    container.insert(key, other);
                }
            }
        }
    }
    Ok(())
}

fn on_sub(
    container: &mut Map<String, Value>,
    kind: Op,
    def: &AttributeDef,
    sub: &AttributeDef,
    value: Option<Value>,
    raw: &str,
) -> Result<(), PatchError> {
    let key = attr_key(container, def);
    if kind == Op::Remove {
        match container.get_mut(&key) {
            Some(Value::Object(o)) => {
                if let Some(k) = key_ci(o, &sub.name) {
                    o.remove(&k);
                }
                if o.is_empty() {
                    container.remove(&key);
                }
            }
            Some(Value::Array(items)) => {
                for o in items.iter_mut().filter_map(Value::as_object_mut) {
                    if let Some(k) = key_ci(o, &sub.name) {
                        o.remove(&k);
                    }
                }
            }
            _ => {}
        }
        return Ok(());
    }
    let v = required_value(value, raw)?;
    check_value(&v, sub, raw)?;
    if def.multi_valued {
        let slot = container
            .entry(key)
            .or_insert_with(|| Value::Array(Vec::new()));
        if !slot.is_array() {
            *slot = Value::Array(Vec::new());
        }
        if let Value::Array(items) = slot {
            if items.is_empty() {
                if kind == Op::Replace {
                    return Err(PatchError::no_target(format!("{raw:?} has no values")));
                }
                items.push(Value::Object(Map::new()));
            }
            for o in items.iter_mut().filter_map(Value::as_object_mut) {
                set_ci(o, &sub.name, v.clone());
            }
        }
        return Ok(());
    }
    let slot = container
        .entry(key.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(o) = slot {
        set_ci(o, &sub.name, v);
        if o.is_empty() {
            container.remove(&key);
        }
    }
    Ok(())
}

fn filtered_items<'c>(
    container: &'c mut Map<String, Value>,
    def: &AttributeDef,
    raw: &str,
    create: bool,
) -> Result<Option<&'c mut Vec<Value>>, PatchError> {
    if !def.multi_valued || def.kind != AttributeType::Complex {
        return Err(PatchError::invalid_path(format!(
            "a value filter needs a multi-valued complex attribute: {raw:?}"
        )));
    }
    let key = attr_key(container, def);
    if !create && !container.contains_key(&key) {
        return Ok(None);
    }
    let slot = container
        .entry(key)
        .or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    Ok(slot.as_array_mut())
}

/// The element implied by a filter made only of `sub eq value` conjuncts,
/// e.g. `{"type": "work"}` for `type eq "work"`.
fn seed_from_filter(f: &Filter) -> Option<Map<String, Value>> {
    match f {
        Filter::Compare(p, CompareOp::Eq, v) if p.urn.is_none() && p.sub.is_none() => {
            let value = match v {
                CompValue::Str(s) => Value::String(s.clone()),
                CompValue::Bool(b) => Value::Bool(*b),
                CompValue::Number(n) => Value::Number(n.clone()),
                CompValue::Null => return None,
            };
            let mut m = Map::new();
            m.insert(p.attr.clone(), value);
            Some(m)
        }
        Filter::And(a, b) => {
            let mut m = seed_from_filter(a)?;
            m.extend(seed_from_filter(b)?);
            Some(m)
        }
        _ => None,
    }
}

fn drop_if_empty(container: &mut Map<String, Value>, def: &AttributeDef) {
    let key = attr_key(container, def);
    if container
        .get(&key)
        .is_some_and(|v| v.as_array().is_some_and(Vec::is_empty))
    {
        container.remove(&key);
    }
}

fn on_filtered(
    container: &mut Map<String, Value>,
    kind: Op,
    def: &AttributeDef,
    filter: &Filter,
    value: Option<Value>,
    raw: &str,
) -> Result<(), PatchError> {
    let Some(items) = filtered_items(container, def, raw, kind != Op::Remove)? else {
        return Ok(());
    };
    let matched: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, e)| filter.matches_element(e, Some(def)))
        .map(|(i, _)| i)
        .collect();
    match kind {
        Op::Remove => {
            let mut i = 0;
            items.retain(|_| {
                let keep = !matched.contains(&i);
                i += 1;
                keep
            });
        }
        Op::Replace | Op::Add => {
            let v = required_value(value, raw)?;
            check_single(&v, def, raw)?;
            let Value::Object(obj) = v else {
                return Err(PatchError::invalid_value(format!(
                    "{raw:?} needs an object value"
                )));
            };
            if matched.is_empty() {
                if kind == Op::Replace {
                    return Err(PatchError::no_target(format!(
                        "no value matches the filter in {raw:?}"
                    )));
                }
                // Lenient add with a filter: create the element the filter describes.
                let mut seed = seed_from_filter(filter).unwrap_or_default();
                merge_into(&mut seed, obj);
                items.push(Value::Object(seed));
                let last = items.len().saturating_sub(1);
                single_primary(items, last);
            } else {
                for &i in &matched {
                    if let Some(slot) = items.get_mut(i) {
                        *slot = Value::Object(obj.clone());
                    }
                    single_primary(items, i);
                }
            }
        }
    }
    drop_if_empty(container, def);
    Ok(())
}

fn on_filtered_sub(
    container: &mut Map<String, Value>,
    kind: Op,
    def: &AttributeDef,
    filter: &Filter,
    sub: &AttributeDef,
    value: Option<Value>,
    raw: &str,
) -> Result<(), PatchError> {
    if sub.mutability == Mutability::ReadOnly {
        return Err(PatchError::mutability(format!("{raw:?} is read-only")));
    }
    let Some(items) = filtered_items(container, def, raw, kind != Op::Remove)? else {
        return Ok(());
    };
    let mut matched = 0;
    let v = match kind {
        Op::Remove => None,
        _ => {
            let v = required_value(value, raw)?;
            check_value(&v, sub, raw)?;
            Some(v)
        }
    };
    for e in items.iter_mut() {
        if !filter.matches_element(e, Some(def)) {
            continue;
        }
        matched += 1;
        if let Some(o) = e.as_object_mut() {
            match &v {
                None => {
                    if let Some(k) = key_ci(o, &sub.name) {
                        o.remove(&k);
                    }
                }
                Some(v) => set_ci(o, &sub.name, v.clone()),
            }
        }
    }
    if matched == 0
        && let Some(v) = v
    {
        // Entra sends `emails[type eq "work"].value` for a user without a work
        // email and expects it to be created: build the element from the filter.
        let mut seed = seed_from_filter(filter).ok_or_else(|| {
            PatchError::no_target(format!("no value matches the filter in {raw:?}"))
        })?;
        set_ci(&mut seed, &sub.name, v);
        items.push(Value::Object(seed));
    }
    drop_if_empty(container, def);
    Ok(())
}
