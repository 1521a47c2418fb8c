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

use super::model::{AttributeDef, Returned, SchemaDef, find_attribute};
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
/// Names are case-insensitive and may be URN-qualified or dotted. The
/// resource is consumed and narrowed in place: nothing kept is copied (this
/// runs on every read the server answers).
pub fn project(
    mut resource: Value,
    schema: &ResourceSchema,
    attributes: &[String],
    excluded: &[String],
) -> Value {
    let Value::Object(obj) = &mut resource else {
        return resource;
    };
    if attributes.is_empty() && excluded.is_empty() {
        project_default(obj, schema);
    } else {
        project_selected(obj, schema, attributes, excluded);
    }
    resource
}

/// The general projection: selectors, then `returned`, key by key.
fn project_selected(
    obj: &mut Map<String, Value>,
    schema: &ResourceSchema,
    attributes: &[String],
    excluded: &[String],
) {
    let include = parse_selectors(attributes, schema);
    let exclude = if include.is_empty() {
        parse_selectors(excluded, schema)
    } else {
        Vec::new()
    };
    obj.retain(|key, value| {
        if key.eq_ignore_ascii_case("schemas") {
            return true;
        }
        if let Some(ext) = schema.extension(key) {
            let location = AttrLocation::Extension(ext.id.clone());
            let ext_excluded = exclude
                .iter()
                .any(|s| matches!(s, Selector::Extension(u) if *u == ext.id));
            let Value::Object(inner) = value else {
                return false;
            };
            inner.retain(|key, value| {
                keep_attribute(
                    key,
                    value,
                    &ext.attributes,
                    &[],
                    &location,
                    &include,
                    &exclude,
                    ext_excluded,
                )
            });
            return !inner.is_empty();
        }
        keep_attribute(
            key,
            value,
            &schema.core.attributes,
            common_attributes(),
            &AttrLocation::Core,
            &include,
            &exclude,
            false,
        )
    });
}

/// The projection of a read with neither `attributes` nor
/// `excludedAttributes` (almost every read): what is returned `never` or
/// `request` goes, and so do complex values and extension objects left
/// empty. The same result as the general path (a test holds them equal),
/// without matching every key against the schema.
fn project_default(obj: &mut Map<String, Value>, schema: &ResourceSchema) {
    let core = common_attributes().iter().chain(&schema.core.attributes);
    drop_unreturned(obj, core);
    obj.retain(|key, value| {
        if let Some(ext) = schema.extension(key) {
            let Value::Object(inner) = value else {
                return false;
            };
            drop_unreturned(inner, &ext.attributes);
            return !inner.is_empty();
        }
        true
    });
}

/// When the default projection of `schema` only drops whole top-level core
/// attributes (and empty complex values), the names it drops; `None` when it
/// would also narrow sub-attributes or extension attributes. The server
/// renders reads straight from stored text in the first case.
pub fn default_drops(schema: &ResourceSchema) -> Option<Vec<&str>> {
    let core = || common_attributes().iter().chain(&schema.core.attributes);
    let narrows = |d: &AttributeDef| d.sub_attributes.iter().any(is_unreturned);
    if core().any(narrows) {
        return None;
    }
    let extensions = schema.extensions.iter().flat_map(|(e, _)| &e.attributes);
    if extensions.clone().any(is_unreturned) || extensions.clone().any(narrows) {
        return None;
    }
    Some(
        core()
            .filter(|d| is_unreturned(d))
            .map(|d| d.name.as_str())
            .collect(),
    )
}

/// Whether the default projection drops an empty object under top-level
/// core `key` (it does when the attribute is complex).
pub fn drops_empty_object(schema: &ResourceSchema, key: &str) -> bool {
    common_attributes()
        .iter()
        .chain(&schema.core.attributes)
        .find(|d| d.name.eq_ignore_ascii_case(key))
        .is_some_and(|d| !d.sub_attributes.is_empty())
}

/// The default projection of one extension's value: `None` when it is
/// dropped (not an object, or empty once projected).
pub fn project_extension_default(value: Value, extension: &SchemaDef) -> Option<Value> {
    let Value::Object(mut inner) = value else {
        return None;
    };
    drop_unreturned(&mut inner, &extension.attributes);
    (!inner.is_empty()).then_some(Value::Object(inner))
}

fn is_unreturned(def: &AttributeDef) -> bool {
    matches!(def.returned, Returned::Never | Returned::Request)
}

/// Drops, from one container, the attributes and sub-attributes of `defs`
/// returned `never` or `request`, then empty complex values.
fn drop_unreturned<'d>(
    obj: &mut Map<String, Value>,
    defs: impl IntoIterator<Item = &'d AttributeDef> + Clone,
) {
    for def in defs.clone() {
        if is_unreturned(def) {
            obj.retain(|k, _| !k.eq_ignore_ascii_case(&def.name));
            continue;
        }
        if !def.sub_attributes.iter().any(is_unreturned) {
            continue;
        }
        let keep = |k: &str| def.sub_attribute(k).is_none_or(|sub| !is_unreturned(sub));
        for (_, value) in obj
            .iter_mut()
            .filter(|(k, _)| k.eq_ignore_ascii_case(&def.name))
        {
            match value {
                Value::Object(o) => o.retain(|k, _| keep(k)),
                Value::Array(items) => items
                    .iter_mut()
                    .filter_map(Value::as_object_mut)
                    .for_each(|o| o.retain(|k, _| keep(k))),
                _ => {}
            }
        }
    }
    obj.retain(|key, value| {
        !matches!(value, Value::Object(o) if o.is_empty())
            || defs
                .clone()
                .into_iter()
                .find(|d| d.name.eq_ignore_ascii_case(key))
                .is_none_or(|d| d.sub_attributes.is_empty())
    });
}

/// Whether one attribute of a container is kept; narrows its sub-attributes
/// in place when only some are.
#[allow(clippy::too_many_arguments)]
fn keep_attribute(
    key: &str,
    value: &mut Value,
    defs: &[AttributeDef],
    common: &[AttributeDef],
    location: &AttrLocation,
    include: &[Selector],
    exclude: &[Selector],
    all_excluded: bool,
) -> bool {
    let def = find_attribute(common, key).or_else(|| find_attribute(defs, key));
    let inc = named(include, location, key);
    let exc = named(exclude, location, key);
    let Some(def) = def else {
        // Unknown attribute: default projection keeps it.
        return if include.is_empty() {
            !exc.whole && !all_excluded
        } else {
            inc.whole
        };
    };
    let only: Vec<String> = match def.returned {
        Returned::Never => return false,
        Returned::Always => Vec::new(),
        Returned::Request | Returned::Default if !include.is_empty() => {
            if inc.whole {
                Vec::new()
            } else if !inc.subs.is_empty() {
                inc.subs
            } else {
                return false;
            }
        }
        Returned::Request => return false,
        Returned::Default => {
            if exc.whole || all_excluded {
                return false;
            }
            Vec::new()
        }
    };
    project_subs(value, def, &only, &exc.subs, include.is_empty())
}

/// Narrows the sub-attributes of a (possibly multi-valued) complex value in
/// place; `false` when nothing of a single complex value is left.
/// `only` non-empty restricts to those sub-attributes; `excluded` drops them.
fn project_subs(
    value: &mut Value,
    def: &AttributeDef,
    only: &[String],
    excluded: &[String],
    default_mode: bool,
) -> bool {
    if def.sub_attributes.is_empty() {
        return true;
    }
    let keep = |k: &str| {
        let returned = def
            .sub_attribute(k)
            .map_or(Returned::Default, |s| s.returned);
        let is_named = only.iter().any(|n| n.eq_ignore_ascii_case(k));
        let is_excluded = excluded.iter().any(|n| n.eq_ignore_ascii_case(k));
        match returned {
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
        }
    };
    match value {
        Value::Object(o) => {
            o.retain(|k, _| keep(k));
            !o.is_empty()
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                if let Value::Object(o) = item {
                    o.retain(|k, _| keep(k));
                }
            }
            true
        }
        _ => true,
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

    /// The default fast path and the general path agree on every shape the
    /// fast path special-cases.
    #[test]
    fn default_projection_equals_the_general_path() {
        let mut schema = ResourceSchema::user().clone();
        // An extension with a `request` attribute and a `never` sub-attribute.
        let ext: crate::scim::schema::SchemaDef = serde_json::from_value(json!({
            "id": "urn:example:ext", "name": "Ext", "attributes": [
                {"name": "secret", "type": "string", "returned": "request"},
                {"name": "box", "type": "complex", "subAttributes": [
                    {"name": "hidden", "type": "string", "returned": "never"},
                    {"name": "shown", "type": "string"}
                ]},
                {"name": "plain", "type": "string"}
            ]
        }))
        .expect("extension");
        schema.extensions.push((ext, false));
        let resources = [
            user(),
            json!({"userName": "a", "name": {}, "emails": [{}], "x-unknown": {}, "password": "p",
                   "PASSWORD": "q", "meta": {"resourceType": "User"}}),
            json!({"userName": "a", "urn:example:ext": {"secret": "s", "box": {"hidden": "h"}, "plain": "p"}}),
            json!({"userName": "a", "urn:example:ext": {"box": {"hidden": "h", "shown": "s"}}}),
            json!({"userName": "a", "urn:example:ext": {"box": [{"hidden": "h"}, {"shown": "s"}]}}),
            json!({"userName": "a", "urn:example:ext": {"secret": "s"}, "urn:other": {}}),
            json!({"userName": "a", "urn:example:ext": "not an object", "name": "not an object"}),
            json!({"userName": "a", "URN:EXAMPLE:EXT": {"plain": "p"}, "Name": {"GivenName": "g"}}),
        ];
        for resource in resources {
            let Value::Object(mut fast) = resource.clone() else {
                panic!("object")
            };
            let mut general = fast.clone();
            project_default(&mut fast, &schema);
            project_selected(&mut general, &schema, &[], &[]);
            assert_eq!(fast, general, "for {resource}");
        }
        let group =
            json!({"displayName": "g", "members": [{"value": "1", "display": "a"}], "meta": {}});
        let Value::Object(mut fast) = group else {
            panic!("object")
        };
        let mut general = fast.clone();
        project_default(&mut fast, ResourceSchema::group());
        project_selected(&mut general, ResourceSchema::group(), &[], &[]);
        assert_eq!(fast, general);
    }

    #[test]
    fn project_default_drops_password_only() {
        let p = project(user(), ResourceSchema::user(), &[], &[]);
        let mut expected = user();
        expected.as_object_mut().expect("object").remove("password");
        assert_eq!(p, expected);
    }

    #[test]
    fn project_attributes_keeps_named_and_always() {
        let p = project(
            user(),
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
            user(),
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
            user(),
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
            user(),
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
        let p = project(g, ResourceSchema::group(), &[], &s(&["members"]));
        assert_eq!(p, json!({"id": "g1", "displayName": "x"}));
    }

    #[test]
    fn project_password_never_returned_even_when_requested() {
        let p = project(user(), ResourceSchema::user(), &s(&["password"]), &[]);
        assert!(p.get("password").is_none());
    }
}
