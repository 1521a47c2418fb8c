//! What the round trip writes: from a resource type's declared schemas
//! (core and extensions), every top-level attribute a client may write and
//! read back, each with a value of its declared type; and, for everything
//! else, the reason it is left out. Pure: no I/O.

use serde_json::{Map, Value, json};

use crate::scim::schema::{AttributeDef, AttributeType, Mutability, Returned, SchemaDef};

/// One attribute the round trip writes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Planned {
    /// How reports name it: `title`, `name`, `urn:…:User:costCenter`.
    pub path: String,
    /// The extension URN it lives under (`None`: the core schema).
    pub urn: Option<String>,
    /// Its declaration.
    pub def: AttributeDef,
    /// The value written.
    pub value: Value,
}

impl Planned {
    /// The PATCH `path` of the attribute.
    pub(super) fn patch_path(&self) -> String {
        match &self.urn {
            Some(urn) => format!("{urn}:{}", self.def.name),
            None => self.def.name.clone(),
        }
    }
}

/// What to write and what was left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Plan {
    /// The attributes written, core first, in declaration order.
    pub attrs: Vec<Planned>,
    /// `(path, reason)` of every attribute or sub-attribute left out.
    pub skipped: Vec<(String, String)>,
}

/// Inputs of [`plan`].
pub(super) struct Source<'a> {
    /// `User` or `Group` (the resource type's name).
    pub resource: &'a str,
    /// The core schema.
    pub core: &'a SchemaDef,
    /// The extension schemas the resource type lists and `/Schemas` serves.
    pub extensions: Vec<&'a SchemaDef>,
    /// A short token unique to this run, for values that must be unique.
    pub token: &'a str,
    /// The id of a user this run created, for `Group.members`.
    pub member: Option<&'a str>,
}

/// Why a declared attribute cannot be written and read back, if so.
fn not_round_trippable(def: &AttributeDef) -> Option<&'static str> {
    if def.mutability == Mutability::ReadOnly {
        Some("readOnly")
    } else if def.mutability == Mutability::WriteOnly {
        Some("writeOnly, so it cannot be read back")
    } else if def.returned == Returned::Never {
        Some("returned: never, so it cannot be read back")
    } else if def.name.eq_ignore_ascii_case("password") {
        Some("a credential; the harness does not write passwords")
    } else {
        None
    }
}

/// Whether a reference type names a resource (`User`, `Group`, …) rather
/// than an external URI.
fn is_resource_reference(types: Option<&Vec<String>>) -> bool {
    types.is_some_and(|t| {
        !t.is_empty()
            && t.iter()
                .all(|r| !r.eq_ignore_ascii_case("external") && !r.eq_ignore_ascii_case("uri"))
    })
}

/// A complex attribute that points at another resource (`members`,
/// `groups`, `manager`): its `$ref` names a resource type.
fn is_reference_complex(def: &AttributeDef) -> bool {
    def.sub_attributes
        .iter()
        .any(|s| s.name == "$ref" && is_resource_reference(s.reference_types.as_ref()))
}

/// Builds the plan for one resource type.
pub(super) fn plan(src: &Source<'_>) -> Plan {
    let mut out = Plan::default();
    let mut schemas: Vec<(Option<&str>, &SchemaDef)> = vec![(None, src.core)];
    schemas.extend(src.extensions.iter().map(|d| (Some(d.id.as_str()), *d)));
    for (urn, schema) in schemas {
        for def in &schema.attributes {
            let path = match urn {
                Some(u) => format!("{u}:{}", def.name),
                None => def.name.clone(),
            };
            if let Some(reason) = not_round_trippable(def) {
                out.skipped.push((path, reason.to_owned()));
                continue;
            }
            match value_of(def, &path, src, &mut out.skipped) {
                Ok(value) => out.attrs.push(Planned {
                    path,
                    urn: urn.map(str::to_owned),
                    def: def.clone(),
                    value,
                }),
                Err(reason) => out.skipped.push((path, reason)),
            }
        }
    }
    out
}

/// The value written to a top-level attribute, or why there is none.
fn value_of(
    def: &AttributeDef,
    path: &str,
    src: &Source<'_>,
    skipped: &mut Vec<(String, String)>,
) -> Result<Value, String> {
    let is_members = src.resource.eq_ignore_ascii_case("Group")
        && def.name.eq_ignore_ascii_case("members")
        && def.kind == AttributeType::Complex;
    let one = if def.kind == AttributeType::Complex {
        if def.sub_attributes.is_empty() {
            return Err("complex without declared sub-attributes".to_owned());
        }
        if is_reference_complex(def) && !is_members {
            return Err("a reference to another resource the harness did not create".to_owned());
        }
        if is_members && src.member.is_none() {
            return Err("needs a user created by this run to reference".to_owned());
        }
        let mut obj = Map::new();
        for sub in &def.sub_attributes {
            let sub_path = format!("{path}.{}", sub.name);
            if let Some(reason) = not_round_trippable(sub) {
                skipped.push((sub_path, reason.to_owned()));
                continue;
            }
            if sub.name == "$ref" {
                skipped.push((sub_path, "a URI the server derives".to_owned()));
                continue;
            }
            let derived = ["display", "displayName"]
                .iter()
                .any(|n| sub.name.eq_ignore_ascii_case(n));
            if is_reference_complex(def) && derived {
                skipped.push((
                    sub_path,
                    "derived by the server from the referenced resource".to_owned(),
                ));
                continue;
            }
            let value = match (is_members, sub.name.to_ascii_lowercase().as_str()) {
                (true, "value") => src
                    .member
                    .map(|m| Value::String(m.to_owned()))
                    .ok_or_else(|| "needs a user created by this run".to_owned()),
                (true, "type") => sub
                    .canonical_values
                    .as_ref()
                    .and_then(|c| c.iter().find(|v| v.eq_ignore_ascii_case("User")))
                    .map(|v| Value::String(v.clone()))
                    .ok_or_else(|| "no canonical value names a User".to_owned()),
                _ => simple_value(sub, &sub_path, src.token),
            };
            match value {
                Ok(v) => {
                    obj.insert(sub.name.clone(), v);
                }
                Err(reason) => skipped.push((sub_path, reason)),
            }
        }
        if obj.is_empty() {
            return Err("no sub-attribute the harness can write".to_owned());
        }
        Value::Object(obj)
    } else {
        simple_value(def, path, src.token)?
    };
    Ok(if def.multi_valued {
        Value::Array(vec![one])
    } else {
        one
    })
}

/// The attribute's name without its URN, lower-case (`name.givenname`).
fn short_name(path: &str) -> String {
    let tail = match path.rfind(':') {
        Some(i) => path.get(i + 1..).unwrap_or(path),
        None => path,
    };
    tail.to_ascii_lowercase()
}

/// A value of a simple attribute's declared type: its first canonical
/// value when it declares some, a plausible value for well-known names
/// (emails, phone numbers, locales, time zones, countries), else a value
/// that names the attribute and carries the run's token.
fn simple_value(def: &AttributeDef, path: &str, token: &str) -> Result<Value, String> {
    let name = short_name(path);
    if let Some(canonical) = &def.canonical_values
        && def.kind == AttributeType::String
    {
        // An empty list suggests no value at all (some servers then refuse any).
        return canonical
            .first()
            .map(|first| Value::String(first.clone()))
            .ok_or_else(|| "declares an empty canonicalValues list".to_owned());
    }
    Ok(match def.kind {
        AttributeType::Boolean => Value::Bool(true),
        AttributeType::Integer => json!(4242),
        AttributeType::Decimal => json!(42.5),
        AttributeType::DateTime => json!("2021-03-04T05:06:07Z"),
        AttributeType::Binary => json!("c2NpbXVsYXRvciByb3VuZCB0cmlw"),
        AttributeType::Reference => {
            if is_resource_reference(def.reference_types.as_ref()) {
                return Err("a reference to another resource the harness did not create".to_owned());
            }
            Value::String(format!(
                "https://example.com/scimulator/{token}/{}",
                def.name
            ))
        }
        AttributeType::Complex => return Err("complex without declared sub-attributes".to_owned()),
        AttributeType::String => Value::String(match name.as_str() {
            "username" => format!("scimulator-rt-{token}@example.com"),
            "emails.value" => format!("rt-{token}@example.com"),
            "phonenumbers.value" => "tel:+1-201-555-0123".to_owned(),
            "locale" | "preferredlanguage" => "en-US".to_owned(),
            "timezone" => "America/Los_Angeles".to_owned(),
            "addresses.country" => "US".to_owned(),
            "addresses.postalcode" => "94107".to_owned(),
            "addresses.region" => "CA".to_owned(),
            "addresses.locality" => "San Francisco".to_owned(),
            "addresses.streetaddress" => "100 Main St".to_owned(),
            "displayname" => format!("scimulator-rt-{token}"),
            _ => format!("rt-{}-{token}", def.name),
        }),
    })
}

/// The attributes (core and extension) as a resource body.
pub(super) fn body(core_urn: &str, attrs: &[&Planned], id: Option<&str>) -> Value {
    let mut obj = Map::new();
    let mut schemas = vec![Value::String(core_urn.to_owned())];
    if let Some(id) = id {
        obj.insert("id".to_owned(), Value::String(id.to_owned()));
    }
    for p in attrs {
        match &p.urn {
            None => {
                obj.insert(p.def.name.clone(), p.value.clone());
            }
            Some(urn) => {
                if !schemas.iter().any(|s| s == urn.as_str()) {
                    schemas.push(Value::String(urn.clone()));
                }
                let ext = obj
                    .entry(urn.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(ext) = ext {
                    ext.insert(p.def.name.clone(), p.value.clone());
                }
            }
        }
    }
    obj.insert("schemas".to_owned(), Value::Array(schemas));
    Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::builtin_schemas;

    fn schema(urn: &str) -> SchemaDef {
        builtin_schemas()
            .into_iter()
            .find(|d| d.id == urn)
            .cloned()
            .expect("built-in schema")
    }

    #[test]
    fn the_reference_user_plan_writes_every_writable_attribute_and_says_why_not_the_rest() {
        let core = schema(crate::scim::USER_SCHEMA);
        let ent = schema(crate::scim::ENTERPRISE_USER_SCHEMA);
        let product = schema(crate::scim::SCIMULATOR_USER_SCHEMA);
        let plan = plan(&Source {
            resource: "User",
            core: &core,
            extensions: vec![&ent, &product],
            token: "t0k",
            member: None,
        });
        let written: Vec<&str> = plan.attrs.iter().map(|p| p.path.as_str()).collect();
        for name in [
            "userName",
            "name",
            "emails",
            "addresses",
            "x509Certificates",
            "active",
        ] {
            assert!(written.contains(&name), "{name} in {written:?}");
        }
        assert!(
            written
                .contains(&"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter")
        );
        let skipped = |path: &str| {
            plan.skipped
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, r)| r.as_str())
        };
        assert_eq!(skipped("groups"), Some("readOnly"));
        assert_eq!(
            skipped("password"),
            Some("writeOnly, so it cannot be read back")
        );
        assert_eq!(
            skipped("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"),
            Some("a reference to another resource the harness did not create")
        );
        assert_eq!(
            skipped("urn:scimulator:params:scim:schemas:extension:product:2.0:User:role"),
            Some("readOnly")
        );
        let user = body(
            crate::scim::USER_SCHEMA,
            &plan.attrs.iter().collect::<Vec<_>>(),
            None,
        );
        assert_eq!(user["userName"], "scimulator-rt-t0k@example.com");
        assert_eq!(user["emails"][0]["type"], "work", "first canonical value");
        assert_eq!(user["emails"][0]["primary"], true);
        assert_eq!(
            user["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["costCenter"],
            "rt-costCenter-t0k"
        );
        assert_eq!(
            user["schemas"],
            json!([
                crate::scim::USER_SCHEMA,
                crate::scim::ENTERPRISE_USER_SCHEMA
            ])
        );
    }

    #[test]
    fn group_members_reference_the_run_s_own_user() {
        let core = schema(crate::scim::GROUP_SCHEMA);
        let src = |member| Source {
            resource: "Group",
            core: &core,
            extensions: Vec::new(),
            token: "t0k",
            member,
        };
        let with = plan(&src(Some("u1")));
        let members = with
            .attrs
            .iter()
            .find(|p| p.path == "members")
            .expect("members");
        assert_eq!(members.value, json!([{"value": "u1", "type": "User"}]));
        let without = plan(&src(None));
        assert!(without.attrs.iter().all(|p| p.path != "members"));
        assert!(without.skipped.iter().any(|(p, _)| p == "members"));
    }

    #[test]
    fn values_follow_the_declared_type() {
        let defs: Vec<AttributeDef> = serde_json::from_value(json!([
            {"name": "badgeNumber", "type": "integer"},
            {"name": "ratio", "type": "decimal"},
            {"name": "hired", "type": "dateTime"},
            {"name": "blob", "type": "binary"},
            {"name": "site", "type": "reference", "referenceTypes": ["external"]},
            {"name": "buddy", "type": "reference", "referenceTypes": ["User"]},
            {"name": "tags", "type": "string", "multiValued": true},
            {"name": "level", "type": "string", "canonicalValues": ["gold", "silver"]},
            {"name": "flag", "type": "boolean"}
        ]))
        .expect("defs");
        let ext = SchemaDef {
            id: "urn:example:ext".to_owned(),
            name: None,
            description: None,
            attributes: defs,
        };
        let core = schema(crate::scim::GROUP_SCHEMA);
        let plan = plan(&Source {
            resource: "Group",
            core: &core,
            extensions: vec![&ext],
            token: "t",
            member: None,
        });
        let value = |name: &str| {
            plan.attrs
                .iter()
                .find(|p| p.def.name == name)
                .map(|p| p.value.clone())
        };
        assert_eq!(value("badgeNumber"), Some(json!(4242)));
        assert_eq!(value("ratio"), Some(json!(42.5)));
        assert_eq!(value("hired"), Some(json!("2021-03-04T05:06:07Z")));
        assert!(value("blob").is_some_and(|v| v.is_string()));
        assert_eq!(
            value("site"),
            Some(json!("https://example.com/scimulator/t/site"))
        );
        assert_eq!(value("buddy"), None);
        assert_eq!(value("tags"), Some(json!(["rt-tags-t"])));
        assert_eq!(value("level"), Some(json!("gold")));
        assert_eq!(value("flag"), Some(json!(true)));
    }
}
