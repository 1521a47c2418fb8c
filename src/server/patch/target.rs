//! Operations on one attribute inside its container (the resource or an
//! extension object): whole attribute, sub-attribute, value-filtered
//! elements, and a sub-attribute of value-filtered elements.

use serde_json::{Map, Value};

use crate::scim::schema::{
    AttributeDef, AttributeType, Mutability, check_single, check_value, get_ci, key_ci,
};
use crate::server::filter::{CompValue, CompareOp, Filter};

use super::apply::Op;
use super::error::PatchError;

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

pub(super) fn on_attribute(
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
            let mut items = as_items(required_value(value, raw)?);
            for item in &mut items {
                check_single(item, def, raw)?;
                // Entra sends `"$ref": null`; null means "no value" (RFC 7643 §2.5).
                if let Value::Object(o) = item {
                    o.retain(|_, v| !v.is_null());
                }
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
                Value::String(text) if def.required && text.is_empty() => {
                    return Err(PatchError::invalid_value(format!(
                        "required attribute {raw:?} cannot be empty"
                    )));
                }
                other => {
                    container.insert(key, other);
                }
            }
        }
    }
    Ok(())
}

pub(super) fn on_sub(
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

pub(super) fn on_filtered(
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

pub(super) fn on_filtered_sub(
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
