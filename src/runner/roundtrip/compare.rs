//! Reading a written attribute back: whether the resource the server
//! returns holds what was sent. Lenient where the RFC lets a server differ:
//! strings compare case-insensitively unless `caseExact`, dateTimes by
//! instant, numbers by value, booleans also as `"true"`/`"false"`, extra
//! sub-attributes (`primary`, `$ref`, `display`) and extra elements are
//! ignored, and `null`, `""`, `[]` or `{}` count as absent (RFC 7643 §2.5).
//! Pure: no I/O.

use serde_json::{Map, Value};
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{OffsetDateTime, PrimitiveDateTime};

use super::generate::Planned;
use crate::scim::schema::{AttributeDef, AttributeType, get_ci};

/// What became of one written value.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Found {
    /// Read back as sent (within the leniency above).
    Stored,
    /// Not in the resource read back.
    Absent,
    /// Present with another value.
    Different {
        /// What was sent.
        sent: Value,
        /// What came back.
        got: Value,
    },
}

/// One checked value: the attribute or sub-attribute path and its fate.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Check {
    /// `title`, `name.givenName`, `urn:…:User:costCenter`.
    pub path: String,
    /// The declared type of the value checked.
    pub kind: AttributeType,
    /// What became of it.
    pub found: Found,
}

/// Checks every value of `planned` against the resource read back.
pub(super) fn check(planned: &Planned, resource: &Value) -> Vec<Check> {
    let container = resource.as_object().and_then(|obj| match &planned.urn {
        None => Some(obj),
        Some(urn) => get_ci(obj, urn).and_then(Value::as_object),
    });
    let got = container
        .and_then(|c| get_ci(c, &planned.def.name))
        .filter(|v| !crate::scim::schema::is_empty(v));
    let def = &planned.def;
    if def.kind != AttributeType::Complex {
        return vec![Check {
            path: planned.path.clone(),
            kind: def.kind,
            found: simple(def, &planned.value, got),
        }];
    }
    let sent = match &planned.value {
        Value::Array(items) => items.first().and_then(Value::as_object),
        other => other.as_object(),
    };
    let elements: Vec<&Map<String, Value>> = match got {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(o)) => vec![o],
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    // In declaration order, so reports read like /Schemas.
    for sub in &def.sub_attributes {
        let Some(value) = sent.and_then(|s| get_ci(s, &sub.name)) else {
            continue;
        };
        let candidates: Vec<&Value> = elements
            .iter()
            .filter_map(|e| get_ci(e, &sub.name))
            .filter(|v| !crate::scim::schema::is_empty(v))
            .collect();
        let found = if candidates.iter().any(|c| same(sub, value, c)) {
            Found::Stored
        } else {
            match candidates.first() {
                None => Found::Absent,
                Some(got) => Found::Different {
                    sent: value.clone(),
                    got: (*got).clone(),
                },
            }
        };
        out.push(Check {
            path: format!("{}.{}", planned.path, sub.name),
            kind: sub.kind,
            found,
        });
    }
    out
}

/// A simple (possibly multi-valued) attribute.
fn simple(def: &AttributeDef, sent: &Value, got: Option<&Value>) -> Found {
    let Some(got) = got else {
        return Found::Absent;
    };
    let sent_one = match sent {
        Value::Array(items) => items.first().unwrap_or(sent),
        other => other,
    };
    let stored = match got {
        Value::Array(items) => items.iter().any(|g| same(def, sent_one, g)),
        other => same(def, sent_one, other),
    };
    if stored {
        Found::Stored
    } else {
        Found::Different {
            sent: sent.clone(),
            got: got.clone(),
        }
    }
}

/// Whether `got` is `sent` under the attribute's comparison rules.
fn same(def: &AttributeDef, sent: &Value, got: &Value) -> bool {
    match def.kind {
        AttributeType::String | AttributeType::Reference | AttributeType::Binary => {
            match (sent.as_str(), got.as_str()) {
                (Some(s), Some(g)) if def.is_case_exact() => s.trim() == g.trim(),
                (Some(s), Some(g)) => s.trim().to_lowercase() == g.trim().to_lowercase(),
                _ => false,
            }
        }
        AttributeType::Boolean => as_bool(sent).is_some() && as_bool(sent) == as_bool(got),
        AttributeType::Integer | AttributeType::Decimal => match (as_f64(sent), as_f64(got)) {
            (Some(s), Some(g)) => (s - g).abs() <= 1e-9 * s.abs().max(1.0),
            _ => false,
        },
        AttributeType::DateTime => match (instant(sent), instant(got)) {
            (Some(s), Some(g)) => s == g,
            _ => false,
        },
        AttributeType::Complex => sent == got,
    }
}

fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => crate::scim::schema::parse_bool(s),
        _ => None,
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A dateTime as an instant; a value without an offset is read as UTC.
fn instant(v: &Value) -> Option<OffsetDateTime> {
    let s = v.as_str()?.trim();
    OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(s, &Iso8601::DEFAULT))
        .ok()
        .or_else(|| {
            PrimitiveDateTime::parse(s, &Iso8601::DEFAULT)
                .ok()
                .map(PrimitiveDateTime::assume_utc)
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn planned(def: Value, value: Value, urn: Option<&str>) -> Planned {
        let def: AttributeDef = serde_json::from_value(def).expect("def");
        Planned {
            path: match urn {
                Some(u) => format!("{u}:{}", def.name),
                None => def.name.clone(),
            },
            urn: urn.map(str::to_owned),
            def,
            value,
        }
    }

    fn fates(p: &Planned, resource: Value) -> Vec<(String, Found)> {
        check(p, &resource)
            .into_iter()
            .map(|c| (c.path, c.found))
            .collect()
    }

    #[test]
    fn leniency_follows_the_rfc() {
        let stored = [
            (
                json!({"name": "title", "type": "string"}),
                json!("Eng"),
                json!({"TITLE": "eng"}),
            ),
            (
                json!({"name": "hired", "type": "dateTime"}),
                json!("2021-03-04T05:06:07Z"),
                json!({"hired": "2021-03-04T06:06:07.000+01:00"}),
            ),
            (
                json!({"name": "hired", "type": "dateTime"}),
                json!("2021-03-04T05:06:07Z"),
                json!({"hired": "2021-03-04T05:06:07"}),
            ),
            (
                json!({"name": "n", "type": "integer"}),
                json!(4242),
                json!({"n": 4242.0}),
            ),
            (
                json!({"name": "d", "type": "decimal"}),
                json!(42.5),
                json!({"d": "42.50"}),
            ),
            (
                json!({"name": "b", "type": "boolean"}),
                json!(true),
                json!({"b": "True"}),
            ),
            (
                json!({"name": "tags", "type": "string", "multiValued": true}),
                json!(["x"]),
                json!({"tags": ["y", "X"]}),
            ),
        ];
        for (def, sent, resource) in stored {
            let p = planned(def, sent, None);
            assert_eq!(
                fates(&p, resource.clone()),
                vec![(p.path.clone(), Found::Stored)],
                "{resource}"
            );
        }
        let exact = planned(
            json!({"name": "code", "type": "string", "caseExact": true}),
            json!("AbC"),
            None,
        );
        assert!(matches!(
            fates(&exact, json!({"code": "abc"}))[0].1,
            Found::Different { .. }
        ));
    }

    #[test]
    fn unassigned_and_missing_extensions_are_absent() {
        let urn = "urn:example:params:scim:schemas:extension:acme:2.0:User";
        let p = planned(
            json!({"name": "costCenter", "type": "string"}),
            json!("x"),
            Some(urn),
        );
        for resource in [
            json!({}),
            json!({urn: {}}),
            json!({urn: {"costCenter": null}}),
            json!({urn: {"costCenter": ""}}),
            json!({"costCenter": "x"}),
        ] {
            assert_eq!(
                fates(&p, resource.clone()),
                vec![(format!("{urn}:costCenter"), Found::Absent)],
                "{resource}"
            );
        }
        assert_eq!(
            fates(&p, json!({urn.to_uppercase(): {"COSTCENTER": "X"}}))[0].1,
            Found::Stored
        );
    }

    #[test]
    fn complex_values_are_checked_per_sub_attribute() {
        let def = json!({"name": "emails", "type": "complex", "multiValued": true, "subAttributes": [
            {"name": "value", "type": "string"}, {"name": "type", "type": "string"},
            {"name": "display", "type": "string"}, {"name": "primary", "type": "boolean"}]});
        let p = planned(
            def,
            json!([{"value": "a@x", "type": "work", "display": "A", "primary": true}]),
            None,
        );
        let got = fates(
            &p,
            json!({"emails": [{"value": "other@x", "type": "home"},
                              {"value": "A@X", "type": "work", "primary": true, "$ref": "x"}]}),
        );
        assert_eq!(
            got,
            vec![
                ("emails.value".to_owned(), Found::Stored),
                ("emails.type".to_owned(), Found::Stored),
                ("emails.display".to_owned(), Found::Absent),
                ("emails.primary".to_owned(), Found::Stored),
            ]
        );
    }
}
