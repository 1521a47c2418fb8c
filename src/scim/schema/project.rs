//! Response projection: RFC 7644 §3.4.2.5 `attributes` / `excludedAttributes`
//! combined with each attribute's `returned` characteristic (RFC 7643 §7).
//!
//! - `returned: never` (e.g. `password`) is always dropped;
//! - `returned: always` (e.g. `id`) is kept even when excluded or not named;
//! - `returned: request` is kept only when named in `attributes`;
//! - `returned: default` is kept unless excluded or unless `attributes` names others.
//!
//! `schemas` is always kept. Naming a complex attribute selects all its
//! sub-attributes; naming `name.givenName` selects only that sub-attribute;
//! naming an extension URN selects the whole extension object. Attributes
//! unknown to the schema are kept by default and dropped when `attributes` is
//! given and does not name them. When both lists are given, `attributes` wins
//! (RFC 7644 says they are mutually exclusive).

use serde_json::{Map, Value};

use super::model::{AttributeDef, Returned, find_attribute};
use super::resource::{AttrLocation, ResourceSchema, common_attributes};

/// One parsed entry of `attributes` / `excludedAttributes`.
#[derive(Debug, Clone, PartialEq)]
enum Selector {
    /// An attribute (optionally one sub-attribute) at a location.
    Attr {
        location: AttrLocation,
        attr: String,
        sub: Option<String>,
    },
    /// A whole extension object, by canonical URN.
    Extension(String),
}

fn parse_selectors(list: &[String], schema: &ResourceSchema) -> Vec<Selector> {
    list.iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .filter_map(|s| {
            if let Some(ext) = schema.extension(s) {
                return Some(Selector::Extension(ext.id.clone()));
            }
            let split = schema.split_path(s);
            let location = match split.urn {
                None => AttrLocation::Core,
                Some(u) if u.eq_ignore_ascii_case(&schema.core.id) => AttrLocation::Core,
                Some(u) => AttrLocation::Extension(schema.extension(u)?.id.clone()),
            };
            Some(Selector::Attr {
                location,
                attr: split.attr.to_ascii_lowercase(),
                sub: split.sub.map(str::to_ascii_lowercase),
            })
        })
        .collect()
}

/// How one top-level attribute was named by a selector list.
#[derive(Debug, Default)]
struct Named {
    /// The attribute itself was named.
    whole: bool,
    /// Sub-attributes named (lowercase).
    subs: Vec<String>,
}

fn named(selectors: &[Selector], location: &AttrLocation, attr: &str) -> Named {
    let mut n = Named::default();
    for s in selectors {
        match s {
            Selector::Attr {
                location: l,
                attr: a,
                sub,
            } if l == location && a.eq_ignore_ascii_case(attr) => match sub {
                None => n.whole = true,
                Some(sub) => n.subs.push(sub.clone()),
            },
            Selector::Extension(urn) if *location == AttrLocation::Extension(urn.clone()) => {
                n.whole = true;
            }
            _ => {}
        }
    }
    n
}

/// Applies `attributes` / `excludedAttributes` and `returned` to a resource.
/// Names are case-insensitive and may be URN-qualified or dotted.
pub fn project(
    resource: &Value,
    schema: &ResourceSchema,
    attributes: &[String],
    excluded: &[String],
) -> Value {
    let Some(obj) = resource.as_object() else {
        return resource.clone();
    };
    let include = parse_selectors(attributes, schema);
    let exclude = if include.is_empty() {
        parse_selectors(excluded, schema)
    } else {
        Vec::new()
    };
    let mut out = Map::new();
    for (key, value) in obj {
        if key.eq_ignore_ascii_case("schemas") {
            out.insert(key.clone(), value.clone());
            continue;
        }
        if let Some(ext) = schema.extension(key) {
            let location = AttrLocation::Extension(ext.id.clone());
            let ext_excluded = exclude
                .iter()
                .any(|s| matches!(s, Selector::Extension(u) if *u == ext.id));
            let Some(inner) = value.as_object() else {
                continue;
            };
            let projected = project_container(
                inner,
                &ext.attributes,
                &[],
                &location,
                &include,
                &exclude,
                ext_excluded,
            );
            if !projected.is_empty() {
                out.insert(key.clone(), Value::Object(projected));
            }
            continue;
        }
        let single: Map<String, Value> = std::iter::once((key.clone(), value.clone())).collect();
        let projected = project_container(
            &single,
            &schema.core.attributes,
            common_attributes(),
            &AttrLocation::Core,
            &include,
            &exclude,
            false,
        );
        out.extend(projected);
    }
    Value::Object(out)
}

fn project_container(
    obj: &Map<String, Value>,
    defs: &[AttributeDef],
    common: &[AttributeDef],
    location: &AttrLocation,
    include: &[Selector],
    exclude: &[Selector],
    all_excluded: bool,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in obj {
        let def = find_attribute(common, key).or_else(|| find_attribute(defs, key));
        let inc = named(include, location, key);
        let exc = named(exclude, location, key);
        let Some(def) = def else {
            // Unknown attribute: default projection keeps it.
            let keep = if include.is_empty() {
                !exc.whole && !all_excluded
            } else {
                inc.whole
            };
            if keep {
                out.insert(key.clone(), value.clone());
            }
            continue;
        };
        let keep_subs: Option<Vec<String>> = match def.returned {
            Returned::Never => continue,
            Returned::Always => Some(Vec::new()),
            Returned::Request | Returned::Default if !include.is_empty() => {
                if inc.whole {
                    Some(Vec::new())
                } else if !inc.subs.is_empty() {
                    Some(inc.subs)
                } else {
                    None
                }
            }
            Returned::Request => None,
            Returned::Default => {
                if exc.whole || all_excluded {
                    None
                } else {
                    Some(Vec::new())
                }
            }
        };
        let Some(only) = keep_subs else { continue };
        let projected = project_subs(value, def, &only, &exc.subs, include.is_empty());
        if let Some(v) = projected {
            out.insert(key.clone(), v);
        }
    }
    out
}

/// Projects the sub-attributes of a (possibly multi-valued) complex value.
/// `only` non-empty restricts to those sub-attributes; `excluded` drops them.
fn project_subs(
    value: &Value,
    def: &AttributeDef,
    only: &[String],
    excluded: &[String],
    default_mode: bool,
) -> Option<Value> {
    if def.sub_attributes.is_empty() {
        return Some(value.clone());
    }
    let project_obj = |o: &Map<String, Value>| -> Map<String, Value> {
        let mut m = Map::new();
        for (k, v) in o {
            let sub = def.sub_attribute(k);
            let returned = sub.map_or(Returned::Default, |s| s.returned);
            let is_named = only.iter().any(|n| n.eq_ignore_ascii_case(k));
            let is_excluded = excluded.iter().any(|n| n.eq_ignore_ascii_case(k));
            let keep = match returned {
                Returned::Never => false,
                Returned::Always => true,
                Returned::Request => is_named,
                Returned::Default => {
                    if only.is_empty() {
                        !(default_mode && is_excluded)
                    } else {
                        is_named
                    }
                }
            };
            if keep {
                m.insert(k.clone(), v.clone());
            }
        }
        m
    };
    match value {
        Value::Object(o) => {
            let m = project_obj(o);
            (!m.is_empty()).then_some(Value::Object(m))
        }
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .map(|i| match i {
                    Value::Object(o) => Value::Object(project_obj(o)),
                    other => other.clone(),
                })
                .collect(),
        )),
        other => Some(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "2819c223",
            "externalId": "bjensen",
            "userName": "bjensen@example.com",
            "password": "t1meMa$heen",
            "name": {"familyName": "Jensen", "givenName": "Barbara"},
            "emails": [{"value": "bjensen@example.com", "type": "work"}],
            "meta": {"resourceType": "User"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "department": "Tour Operations", "employeeNumber": "701984"
            }
        })
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn project_default_drops_password_only() {
        let p = project(&user(), ResourceSchema::user(), &[], &[]);
        let mut expected = user();
        expected.as_object_mut().expect("object").remove("password");
        assert_eq!(p, expected);
    }

    #[test]
    fn project_attributes_keeps_named_and_always() {
        let p = project(
            &user(),
            ResourceSchema::user(),
            &s(&["USERNAME", "name.givenName"]),
            &[],
        );
        assert_eq!(
            p,
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id": "2819c223",
                "userName": "bjensen@example.com",
                "name": {"givenName": "Barbara"}
            })
        );
    }

    #[test]
    fn project_excluded_keeps_always_and_drops_named() {
        let p = project(
            &user(),
            ResourceSchema::user(),
            &[],
            &s(&["id", "emails", "name.familyName", "password"]),
        );
        let o = p.as_object().expect("object");
        assert!(o.contains_key("id"));
        assert!(!o.contains_key("emails"));
        assert!(!o.contains_key("password"));
        assert_eq!(o.get("name"), Some(&json!({"givenName": "Barbara"})));
    }

    #[test]
    fn project_urn_qualified_extension_attribute() {
        let p = project(
            &user(),
            ResourceSchema::user(),
            &s(&["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"]),
            &[],
        );
        assert_eq!(
            p.get("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
            Some(&json!({"department": "Tour Operations"}))
        );
        assert!(p.get("userName").is_none());
        let p = project(
            &user(),
            ResourceSchema::user(),
            &s(&["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]),
            &[],
        );
        assert_eq!(
            p.get("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
                .and_then(|e| e.get("employeeNumber")),
            Some(&json!("701984"))
        );
    }

    #[test]
    fn project_excluded_members_of_group() {
        let g = json!({"id": "g1", "displayName": "x", "members": [{"value": "u"}]});
        let p = project(&g, ResourceSchema::group(), &[], &s(&["members"]));
        assert_eq!(p, json!({"id": "g1", "displayName": "x"}));
    }

    #[test]
    fn project_password_never_returned_even_when_requested() {
        let p = project(&user(), ResourceSchema::user(), &s(&["password"]), &[]);
        assert!(p.get("password").is_none());
    }
}
