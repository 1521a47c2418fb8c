//! JSONPath predicates: `eq`, `eq_ci`, `ne`, `exists`, `absent`, `type`,
//! `len`, `contains`, `matches`, `gt`/`lt`/`ge`/`le`, `one_of`, `unique`,
//! `non_empty`, `same_order`. Every key given must hold.

use serde_json::Value;

use super::json_match::subset_mismatches;
use super::pretty::compact;
use crate::suite::model::{JsonType, Predicate, PredicateOps};

/// A predicate that did not hold: what was expected, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Miss {
    /// The expectation (`eq_ci "ada"`).
    pub expected: String,
    /// One sentence about the actual value.
    pub reason: String,
}

/// JSON equality where numbers compare by value (`1 == 1.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(i), Some(j)) => i == j,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Equality ignoring case in every string (numbers by value).
fn json_eq_ci(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.to_lowercase() == y.to_lowercase(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq_ci(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq_ci(v, w)))
        }
        _ => json_eq(a, b),
    }
}

/// The JSON type name of a value (`integer` is not returned; see [`is_type`]).
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

fn is_type(v: &Value, ty: JsonType) -> bool {
    match ty {
        JsonType::Integer => is_integer(v),
        other => type_name(v) == other.name(),
    }
}

fn length(v: &Value) -> Option<usize> {
    match v {
        Value::String(s) => Some(s.chars().count()),
        Value::Array(a) => Some(a.len()),
        Value::Object(o) => Some(o.len()),
        _ => None,
    }
}

fn describe(actual: Option<&Value>) -> String {
    match actual {
        None => "the path selects nothing".to_string(),
        Some(v) => format!("got {}", compact(v)),
    }
}

/// Evaluates a predicate on what a JSONPath selected (`None`: nothing).
pub(crate) fn eval(predicate: &Predicate, actual: Option<&Value>) -> Vec<Miss> {
    match predicate {
        Predicate::Eq(expected) => eq_miss("eq", expected, actual, json_eq)
            .into_iter()
            .collect(),
        Predicate::Ops(ops) => eval_ops(ops, actual),
    }
}

fn eq_miss(
    name: &str,
    expected: &Value,
    actual: Option<&Value>,
    eq: fn(&Value, &Value) -> bool,
) -> Option<Miss> {
    let holds = actual.is_some_and(|a| eq(a, expected));
    (!holds).then(|| Miss {
        expected: format!("{name} {}", compact(expected)),
        reason: describe(actual),
    })
}

fn number_miss(
    name: &str,
    bound: f64,
    actual: Option<&Value>,
    holds: fn(f64, f64) -> bool,
) -> Option<Miss> {
    let ok = actual
        .and_then(Value::as_f64)
        .is_some_and(|a| holds(a, bound));
    (!ok).then(|| Miss {
        expected: format!("{name} {bound}"),
        reason: match actual {
            Some(v) if !v.is_number() => format!("got {} (not a number)", compact(v)),
            other => describe(other),
        },
    })
}

fn eval_ops(ops: &PredicateOps, actual: Option<&Value>) -> Vec<Miss> {
    let mut misses = Vec::new();
    let mut push = |m: Option<Miss>| misses.extend(m);
    if let Some(want) = &ops.eq {
        push(eq_miss("eq", want, actual, json_eq));
    }
    if let Some(want) = &ops.eq_ci {
        push(eq_miss("eq_ci", want, actual, json_eq_ci));
    }
    if let Some(unwanted) = &ops.ne {
        let holds = actual.is_none_or(|a| !json_eq(a, unwanted));
        push((!holds).then(|| Miss {
            expected: format!("ne {}", compact(unwanted)),
            reason: describe(actual),
        }));
    }
    if let Some(want) = ops.exists
        && actual.is_some() != want
    {
        push(Some(Miss {
            expected: format!("exists {want}"),
            reason: describe(actual),
        }));
    }
    if let Some(want) = ops.absent {
        let is_absent = actual.is_none_or(Value::is_null);
        push((is_absent != want).then(|| Miss {
            expected: format!("absent {want}"),
            reason: describe(actual),
        }));
    }
    if let Some(ty) = &ops.type_ {
        let holds = actual.is_some_and(|a| is_type(a, *ty));
        push((!holds).then(|| Miss {
            expected: format!("type {ty}"),
            reason: match actual {
                Some(v) => format!("got {} {}", type_name(v), compact(v)),
                None => describe(None),
            },
        }));
    }
    if let Some(want) = ops.len {
        let got = actual.and_then(length);
        push((got != usize::try_from(want).ok()).then(|| Miss {
            expected: format!("len {want}"),
            reason: match (actual, got) {
                (Some(v), Some(n)) => format!("got length {n}: {}", compact(v)),
                (Some(v), None) => format!("got {} (no length)", compact(v)),
                (None, _) => describe(None),
            },
        }));
    }
    if let Some(needle) = &ops.contains {
        push(contains_miss(needle, actual));
    }
    if let Some(re) = &ops.matches {
        push(matches_miss(re, actual));
    }
    if let Some(b) = ops.gt {
        push(number_miss("gt", b, actual, |a, b| a > b));
    }
    if let Some(b) = ops.lt {
        push(number_miss("lt", b, actual, |a, b| a < b));
    }
    if let Some(b) = ops.ge {
        push(number_miss("ge", b, actual, |a, b| a >= b));
    }
    if let Some(b) = ops.le {
        push(number_miss("le", b, actual, |a, b| a <= b));
    }
    if let Some(options) = &ops.one_of {
        let holds = actual.is_some_and(|a| options.iter().any(|o| json_eq(a, o)));
        push((!holds).then(|| Miss {
            expected: format!("one_of {}", compact(&Value::Array(options.clone()))),
            reason: describe(actual),
        }));
    }
    if let Some(want) = ops.unique {
        push(unique_miss(want, actual));
    }
    if let Some(want) = ops.non_empty {
        let non_empty = actual.is_some_and(|a| length(a).is_some_and(|n| n > 0));
        push((non_empty != want).then(|| Miss {
            expected: format!("non_empty {want}"),
            reason: describe(actual),
        }));
    }
    if let Some(reference) = &ops.same_order {
        push(same_order_miss(reference, actual));
    }
    misses
}

/// A selection as a list: an array is its elements, one value is a list of one.
fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    }
}

/// `same_order`: the values found in both lists keep their relative order.
/// Each value counts at its first occurrence; values found in only one
/// list are ignored (another client may have created or deleted them
/// between two reads), so a path that selects nothing holds too.
fn same_order_miss(reference: &Value, actual: Option<&Value>) -> Option<Miss> {
    let actual = actual?;
    let expected = format!("same_order {}", compact(reference));
    let reference = as_list(reference);
    let actual = as_list(actual);
    let first_in = |list: &[&Value], v: &Value| list.iter().position(|x| json_eq(x, v));
    // The common values in reference order, each with its first position in
    // `actual`; a later value at an earlier position breaks the order.
    let mut seen: Vec<&Value> = Vec::new();
    let mut last: Option<(&Value, usize)> = None;
    for (i, v) in reference.iter().enumerate() {
        if first_in(&reference[..i], v).is_some() || seen.iter().any(|s| json_eq(s, v)) {
            continue;
        }
        seen.push(v);
        let Some(pos) = first_in(&actual, v) else {
            continue;
        };
        if let Some((before, at)) = last
            && pos < at
        {
            return Some(Miss {
                expected,
                reason: format!("{} now comes before {}", compact(v), compact(before)),
            });
        }
        last = Some((v, pos));
    }
    None
}

fn contains_miss(needle: &Value, actual: Option<&Value>) -> Option<Miss> {
    let holds = match (actual, needle) {
        (Some(Value::String(s)), Value::String(n)) => s.contains(n.as_str()),
        (Some(Value::Array(items)), n) => items
            .iter()
            .any(|item| json_eq(item, n) || subset_mismatches(n, item, "$").is_empty()),
        (Some(Value::Object(_)), Value::Object(_)) => {
            actual.is_some_and(|a| subset_mismatches(needle, a, "$").is_empty())
        }
        _ => false,
    };
    (!holds).then(|| Miss {
        expected: format!("contains {}", compact(needle)),
        reason: describe(actual),
    })
}

fn matches_miss(re: &str, actual: Option<&Value>) -> Option<Miss> {
    let expected = format!("matches /{re}/");
    let regex = match regex::Regex::new(re) {
        Ok(r) => r,
        Err(e) => {
            return Some(Miss {
                expected,
                reason: format!("the regex does not compile: {e}"),
            });
        }
    };
    match actual {
        Some(Value::String(s)) if regex.is_match(s) => None,
        Some(Value::String(_)) | None => Some(Miss {
            expected,
            reason: describe(actual),
        }),
        Some(other) => Some(Miss {
            expected,
            reason: format!("got {} (not a string)", compact(other)),
        }),
    }
}

fn unique_miss(want: bool, actual: Option<&Value>) -> Option<Miss> {
    // A path that selects a single value (e.g. `$.Resources[*].id` on a page
    // of one) yields that value, not a list: one value is unique.
    let single;
    let items = match actual {
        Some(Value::Array(items)) => items,
        Some(v) => {
            single = vec![v.clone()];
            &single
        }
        None => {
            return Some(Miss {
                expected: format!("unique {want}"),
                reason: describe(None),
            });
        }
    };
    let duplicate = items
        .iter()
        .enumerate()
        .find_map(|(i, a)| items[i + 1..].iter().any(|b| json_eq(a, b)).then_some(a));
    match (want, duplicate) {
        (true, Some(d)) => Some(Miss {
            expected: "unique true".into(),
            reason: format!("{} appears more than once", compact(d)),
        }),
        (false, None) => Some(Miss {
            expected: "unique false".into(),
            reason: "every element is distinct".into(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(yaml: &str) -> Predicate {
        serde_yaml_ng::from_str(yaml).expect("predicate parses")
    }

    #[test]
    fn predicate_table() {
        // (predicate YAML, actual value or None for "selects nothing", holds)
        let cases: &[(&str, Option<Value>, bool)] = &[
            ("false", Some(json!(false)), true),
            ("false", Some(json!(true)), false),
            ("1", Some(json!(1.0)), true),
            ("\"1\"", Some(json!(1)), false),
            ("{ eq: 404 }", Some(json!(404)), true),
            ("{ eq: Ada }", Some(json!("ada")), false),
            ("{ eq: { a: 1 } }", Some(json!({"a": 1.0})), true),
            ("{ eq_ci: ADA@X.com }", Some(json!("ada@x.COM")), true),
            ("{ eq_ci: ada }", Some(json!("adb")), false),
            ("{ ne: 1 }", Some(json!(2)), true),
            ("{ ne: 1 }", Some(json!(1.0)), false),
            ("{ ne: 1 }", None, true),
            ("{ exists: true }", Some(json!(null)), true),
            ("{ exists: true }", None, false),
            ("{ exists: false }", None, true),
            ("{ absent: true }", Some(json!(null)), true),
            ("{ absent: true }", Some(json!("x")), false),
            ("{ absent: false }", Some(json!("x")), true),
            ("{ type: integer }", Some(json!(3)), true),
            ("{ type: integer }", Some(json!(3.0)), true),
            ("{ type: integer }", Some(json!(3.5)), false),
            ("{ type: integer }", Some(json!("3")), false),
            ("{ type: number }", Some(json!(3.5)), true),
            ("{ type: string }", Some(json!("401")), true),
            ("{ type: string }", Some(json!(401)), false),
            ("{ type: boolean }", Some(json!(true)), true),
            ("{ type: array }", Some(json!([])), true),
            ("{ type: object }", Some(json!({})), true),
            ("{ type: null }", Some(json!(null)), true),
            ("{ type: null }", None, false),
            ("{ len: 2 }", Some(json!([1, 2])), true),
            ("{ len: 2 }", Some(json!("ab")), true),
            ("{ len: 2 }", Some(json!({"a": 1})), false),
            ("{ len: 0 }", Some(json!(0)), false),
            ("{ contains: ada }", Some(json!("lovelace ada")), true),
            ("{ contains: Ada }", Some(json!("ada")), false),
            ("{ contains: 2 }", Some(json!([1, 2.0])), true),
            (
                "{ contains: { value: a@x } }",
                Some(json!([{"value": "a@x", "primary": true}])),
                true,
            ),
            (
                "{ contains: { value: b@x } }",
                Some(json!([{"value": "a@x"}])),
                false,
            ),
            ("{ contains: x }", None, false),
            (
                "{ matches: '^[0-9a-f-]{36}$' }",
                Some(json!("2819c223-7f76-453a-919d-413861904646")),
                true,
            ),
            ("{ matches: '^W/' }", Some(json!("\"1\"")), false),
            ("{ matches: '1' }", Some(json!(1)), false),
            ("{ gt: 0 }", Some(json!(1)), true),
            ("{ gt: 1 }", Some(json!(1)), false),
            ("{ lt: 1 }", Some(json!(0.5)), true),
            ("{ ge: 1, le: 1 }", Some(json!(1)), true),
            ("{ le: 0 }", Some(json!(1)), false),
            ("{ gt: 0 }", Some(json!("5")), false),
            ("{ one_of: [200, 201] }", Some(json!(201)), true),
            ("{ one_of: [200, 201] }", Some(json!(204)), false),
            ("{ unique: true }", Some(json!(["a", "b"])), true),
            ("{ unique: true }", Some(json!([1, 1.0])), false),
            ("{ unique: true }", Some(json!("ab")), true),
            ("{ unique: false }", Some(json!([1, 1])), true),
            ("{ non_empty: true }", Some(json!("x")), true),
            ("{ non_empty: true }", Some(json!("")), false),
            ("{ non_empty: true }", Some(json!([])), false),
            ("{ non_empty: true }", Some(json!({"a": 1})), true),
            ("{ non_empty: false }", Some(json!([])), true),
            (
                "{ exists: true, type: string, eq_ci: ADA }",
                Some(json!("ada")),
                true,
            ),
            (
                "{ same_order: [a, b, c] }",
                Some(json!(["a", "b", "c"])),
                true,
            ),
            // Values only one side has are ignored (created or deleted meanwhile).
            (
                "{ same_order: [a, x, b, c] }",
                Some(json!(["y", "a", "b", "z", "c"])),
                true,
            ),
            ("{ same_order: [a, b] }", Some(json!(["b", "a"])), false),
            (
                "{ same_order: [a, b, c] }",
                Some(json!(["a", "c", "b"])),
                false,
            ),
            // First occurrences count: a repeat later on does not reorder.
            ("{ same_order: [a, b] }", Some(json!(["a", "b", "a"])), true),
            (
                "{ same_order: [a, b] }",
                Some(json!(["b", "a", "b"])),
                false,
            ),
            // A single selected value is a list of one; a scalar reference too.
            ("{ same_order: [a, b] }", Some(json!("b")), true),
            ("{ same_order: a }", Some(json!(["b", "a"])), true),
            ("{ same_order: [1, 2] }", Some(json!([1.0, 2.0])), true),
            ("{ same_order: [] }", Some(json!(["a"])), true),
            // Nothing selected: no common value, nothing out of order.
            ("{ same_order: [a] }", None, true),
            (
                "{ exists: true, type: string, eq_ci: ADA }",
                Some(json!(1)),
                false,
            ),
        ];
        for (yaml, actual, holds) in cases {
            let misses = eval(&ops(yaml), actual.as_ref());
            assert_eq!(
                misses.is_empty(),
                *holds,
                "{yaml} on {actual:?}: {misses:?}"
            );
        }
    }

    #[test]
    fn every_failing_key_is_reported() {
        let misses = eval(&ops("{ type: string, len: 3 }"), Some(&json!(12)));
        assert_eq!(misses.len(), 2);
        assert_eq!(misses[0].expected, "type string");
        assert_eq!(misses[0].reason, "got number 12");
        assert_eq!(misses[1].reason, "got 12 (no length)");
    }

    #[test]
    fn same_order_names_the_pair_that_swapped() {
        let misses = eval(
            &ops("{ same_order: [u1, u2, u3] }"),
            Some(&json!(["u1", "other", "u3", "u2"])),
        );
        assert_eq!(misses.len(), 1);
        assert_eq!(misses[0].reason, r#""u3" now comes before "u2""#);
    }

    #[test]
    fn nothing_selected_is_explained() {
        let misses = eval(&ops("{ eq: 1 }"), None);
        assert_eq!(misses[0].reason, "the path selects nothing");
    }
}
