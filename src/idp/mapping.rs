//! Okta's attribute mapping: how an app-user profile attribute, configured in
//! Okta's Profile Editor with an *external name* and an *external namespace*,
//! becomes SCIM JSON (okta-wire.md §4.1–4.4).
//!
//! Rules, as Okta applies them:
//! - the namespace `urn:ietf:params:scim:schemas:core:2.0:User` writes at the
//!   top level; any other namespace writes inside an object keyed by that URN,
//!   and the URN is added to `schemas` (§2.4, §4.3);
//! - an attribute with no namespace is not sent at all (KB-NS, §4.1);
//! - the external name is a dotted path; a segment `attr.^[k==v]` selects (or
//!   creates) the element of the multi-valued `attr` whose `k` equals `v`, and
//!   materialises `k: v` into it, so `roles.^[primary==true].value` yields
//!   `"roles":[{"primary":true,"value":"Admin"}]` (§4.2, KB-ROLES);
//! - attributes with no value are left out (§2.4, F-KR).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::scim::USER_SCHEMA;

/// One attribute of the Okta app-user profile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappedAttribute {
    /// Okta's variable name (`stackaiRole`), the key used in `with.profile`.
    pub variable: String,
    /// External name (`roles.^[primary==true].value`).
    pub external_name: String,
    /// External namespace; `None` means Okta does not send the attribute.
    #[serde(default)]
    pub namespace: Option<String>,
}

/// The whole mapping block of a suite (`okta_profile:`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileMapping {
    /// Attributes in the order the admin declared them.
    pub attributes: Vec<MappedAttribute>,
}

impl ProfileMapping {
    /// Parses the suite's `okta_profile` value (`None` gives an empty mapping).
    pub fn from_value(value: Option<&Value>) -> Result<Self, String> {
        match value {
            None => Ok(Self::default()),
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| e.to_string()),
        }
    }

    /// Writes every profile value that has a mapping into `body`. Values for
    /// variables with no mapping are an error: the suite author mistyped a
    /// variable name, and silently dropping it would hide that.
    pub fn apply(&self, body: &mut Value, profile: &Map<String, Value>) -> Result<(), String> {
        for (variable, value) in profile {
            let attr = self
                .attributes
                .iter()
                .find(|a| a.variable == *variable)
                .ok_or_else(|| format!("profile variable `{variable}` is not in okta_profile"))?;
            if value.is_null() {
                continue; // Okta leaves out attributes with no value.
            }
            let Some(namespace) = attr.namespace.as_deref() else {
                continue; // No external namespace: Okta does not send it (KB-NS).
            };
            write_external(body, namespace, &attr.external_name, value.clone())?;
        }
        Ok(())
    }
}

/// Writes `value` at `external_name` inside `namespace` of a SCIM body.
pub fn write_external(
    body: &mut Value,
    namespace: &str,
    external_name: &str,
    value: Value,
) -> Result<(), String> {
    let root = body
        .as_object_mut()
        .ok_or_else(|| "the body is not a JSON object".to_owned())?;
    let target = if namespace.eq_ignore_ascii_case(USER_SCHEMA) {
        root
    } else {
        add_schema(root, namespace);
        root.entry(namespace.to_owned())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .ok_or_else(|| format!("`{namespace}` is not an object"))?
    };
    let segments = parse_external_name(external_name)?;
    write_path(target, &segments, value)
}

fn add_schema(root: &mut Map<String, Value>, urn: &str) {
    let schemas = root
        .entry("schemas")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = schemas {
        if !list.iter().any(|s| s.as_str() == Some(urn)) {
            list.push(Value::String(urn.to_owned()));
        }
    }
}

/// A segment of an external name.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// `name`
    Key(String),
    /// `roles.^[primary==true]`: the element of `roles` whose `key` equals `value`.
    Select {
        attr: String,
        key: String,
        value: Value,
    },
}

fn parse_external_name(name: &str) -> Result<Vec<Segment>, String> {
    // Split on dots outside `^[…]`, then fold each selector token into the
    // key before it.
    let mut tokens = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in name.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                tokens.push(&name[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    tokens.push(&name[start..]);
    let mut out: Vec<Segment> = Vec::new();
    for token in tokens {
        if let Some(inner) = token.strip_prefix("^[") {
            let inner = inner
                .strip_suffix(']')
                .ok_or_else(|| format!("`{name}`: unclosed `^[`"))?;
            let (key, raw) = inner
                .split_once("==")
                .ok_or_else(|| format!("`{name}`: a selector needs `key==value`"))?;
            let Some(Segment::Key(attr)) = out.pop() else {
                return Err(format!(
                    "`{name}`: a selector must follow an attribute name"
                ));
            };
            out.push(Segment::Select {
                attr,
                key: key.trim().to_owned(),
                value: selector_value(raw.trim()),
            });
        } else if token.is_empty() || token.contains(['[', ']']) {
            return Err(format!("`{name}`: malformed path segment `{token}`"));
        } else {
            out.push(Segment::Key(token.to_owned()));
        }
    }
    Ok(out)
}

/// `true` / `false` / numbers are typed, `'x'` and `"x"` are strings, anything else a bare string.
fn selector_value(raw: &str) -> Value {
    match raw {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => {
            if let Some(s) = raw
                .strip_prefix('\'')
                .and_then(|r| r.strip_suffix('\''))
                .or_else(|| raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')))
            {
                Value::String(s.to_owned())
            } else if let Ok(n) = raw.parse::<i64>() {
                Value::from(n)
            } else {
                Value::String(raw.to_owned())
            }
        }
    }
}

fn write_path(
    target: &mut Map<String, Value>,
    segments: &[Segment],
    value: Value,
) -> Result<(), String> {
    let Some((first, rest)) = segments.split_first() else {
        return Ok(());
    };
    match first {
        Segment::Key(key) => {
            if rest.is_empty() {
                target.insert(key.clone(), value);
                return Ok(());
            }
            let child = target
                .entry(key.clone())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .ok_or_else(|| format!("`{key}` is not an object"))?;
            write_path(child, rest, value)
        }
        Segment::Select {
            attr,
            key,
            value: want,
        } => {
            let list = target
                .entry(attr.clone())
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()
                .ok_or_else(|| format!("`{attr}` is not an array"))?;
            let index = match list.iter().position(|e| e.get(key) == Some(want)) {
                Some(i) => i,
                None => {
                    let mut element = Map::new();
                    element.insert(key.clone(), want.clone());
                    list.push(Value::Object(element));
                    list.len() - 1
                }
            };
            let element = list
                .get_mut(index)
                .and_then(Value::as_object_mut)
                .ok_or_else(|| format!("`{attr}` holds a non-object element"))?;
            if rest.is_empty() {
                return Err(format!(
                    "`{attr}.^[…]` needs a sub-attribute after the selector"
                ));
            }
            write_path(element, rest, value)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    fn mapped(variable: &str, external_name: &str, namespace: Option<&str>) -> MappedAttribute {
        MappedAttribute {
            variable: variable.into(),
            external_name: external_name.into(),
            namespace: namespace.map(Into::into),
        }
    }

    #[test]
    fn external_names_map_like_okta() {
        // (namespace, external name, value, expected body) — okta-wire.md §4.1–4.4.
        let cases: Vec<(&str, &str, Value, Value)> = vec![
            (
                USER_SCHEMA,
                "roles.^[primary==true].value",
                json!("Admin"),
                json!({"schemas": [USER_SCHEMA], "roles": [{"primary": true, "value": "Admin"}]}),
            ),
            (
                USER_SCHEMA,
                "roles.^[type=='LICENSED_USER'].value",
                json!("LICENSED_USER"),
                json!({"schemas": [USER_SCHEMA], "roles": [{"type": "LICENSED_USER", "value": "LICENSED_USER"}]}),
            ),
            (
                USER_SCHEMA,
                "userType",
                json!("Moderator"),
                json!({"schemas": [USER_SCHEMA], "userType": "Moderator"}),
            ),
            (
                USER_SCHEMA,
                "name.givenName",
                json!("Ada"),
                json!({"schemas": [USER_SCHEMA], "name": {"givenName": "Ada"}}),
            ),
            (
                ENT,
                "department",
                json!("R&D"),
                json!({"schemas": [USER_SCHEMA, ENT], ENT: {"department": "R&D"}}),
            ),
            (
                "urn:ietf:params:scim:schemas:custom:Space",
                "custom1",
                json!("x"),
                json!({"schemas": [USER_SCHEMA, "urn:ietf:params:scim:schemas:custom:Space"],
                    "urn:ietf:params:scim:schemas:custom:Space": {"custom1": "x"}}),
            ),
        ];
        for (namespace, name, value, expected) in cases {
            let mut body = json!({"schemas": [USER_SCHEMA]});
            write_external(&mut body, namespace, name, value).expect(name);
            assert_eq!(body, expected, "{name}");
        }
    }

    #[test]
    fn selector_reuses_the_matching_element() {
        let mut body = json!({"emails": [{"primary": true, "value": "a@x", "type": "work"}]});
        write_external(
            &mut body,
            USER_SCHEMA,
            "emails.^[primary==true].value",
            json!("b@x"),
        )
        .unwrap();
        assert_eq!(
            body["emails"],
            json!([{"primary": true, "value": "b@x", "type": "work"}])
        );
    }

    #[test]
    fn attributes_without_namespace_or_value_are_not_sent() {
        let mapping = ProfileMapping {
            attributes: vec![
                mapped("costCenter", "costCenter", None),
                mapped("title", "title", Some(USER_SCHEMA)),
            ],
        };
        let mut body = json!({"schemas": [USER_SCHEMA]});
        let profile = json!({"costCenter": "42", "title": null});
        mapping
            .apply(&mut body, profile.as_object().unwrap())
            .unwrap();
        assert_eq!(body, json!({"schemas": [USER_SCHEMA]}));
    }

    #[test]
    fn unmapped_profile_variable_is_an_error() {
        let mapping = ProfileMapping::default();
        let mut body = json!({});
        let profile = json!({"stackaiRole": "Admin"});
        let err = mapping
            .apply(&mut body, profile.as_object().unwrap())
            .unwrap_err();
        assert!(err.contains("stackaiRole"), "{err}");
    }

    #[test]
    fn malformed_external_names_are_errors() {
        for name in [
            "roles.^[primary==true",
            "roles.^[primary].value",
            "",
            "roles.^[primary==true]",
        ] {
            let mut body = json!({});
            assert!(
                write_external(&mut body, USER_SCHEMA, name, json!("x")).is_err(),
                "{name}"
            );
        }
    }
}
