//! Expectations from an observed response: the status, the content type,
//! and the fields an IdP relies on (ids, `active`, `userName`, members,
//! paging), never a byte copy of the body (`--snapshot` adds snapshots).

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::scan::Kind;
use crate::record::exchange::Exchange;
use crate::suite::model::{
    Expect, HeaderCheck, HeaderPredicate, JsonType, Predicate, PredicateOps, StatusSpec,
};

/// What the expectation builder needs to know about the request.
pub struct Context<'a> {
    /// The exchange.
    pub exchange: &'a Exchange,
    /// The kind of resource.
    pub kind: Kind,
    /// Whether the query had a `filter`.
    pub filtered: bool,
    /// Whether the query restricted attributes (`attributes`, `excludedAttributes`).
    pub projected: bool,
    /// Maps a literal from the recording to its templated form.
    pub template: &'a dyn Fn(&str) -> String,
    /// A snapshot name, with `--snapshot`.
    pub snapshot: Option<String>,
}

fn ops(f: impl FnOnce(&mut PredicateOps)) -> Predicate {
    let mut o = PredicateOps::default();
    f(&mut o);
    Predicate::Ops(Box::new(o))
}

/// The expectation of one step.
pub fn build(cx: &Context<'_>) -> Expect {
    let ex = cx.exchange;
    let mut expect = Expect {
        status: Some(StatusSpec::One(ex.status)),
        ..Expect::default()
    };
    let content_type = ex.response_header("content-type").unwrap_or("");
    if ex.response_body.total > 0 && content_type.to_ascii_lowercase().contains("json") {
        expect.headers.insert(
            "Content-Type".to_owned(),
            HeaderCheck::Detailed(HeaderPredicate {
                contains: Some("json".to_owned()),
                ..HeaderPredicate::default()
            }),
        );
    }
    let Some(body) = ex.response_body.json().filter(Value::is_object) else {
        return expect;
    };
    let mut json: IndexMap<String, Predicate> = IndexMap::new();
    let templ = |s: &str| Value::String((cx.template)(s));
    if (200..300).contains(&ex.status) {
        if body.get("Resources").is_some() || body.get("totalResults").is_some() {
            match body.get("totalResults") {
                Some(Value::Number(n)) if cx.filtered => {
                    json.insert(
                        "$.totalResults".into(),
                        Predicate::Eq(Value::Number(n.clone())),
                    );
                }
                Some(_) => {
                    json.insert(
                        "$.totalResults".into(),
                        ops(|o| o.type_ = Some(JsonType::Integer)),
                    );
                }
                None => {}
            }
            if cx.filtered
                && let Some(first) = body.pointer("/Resources/0")
            {
                if let Some(id) = first.get("id").and_then(Value::as_str) {
                    let t = (cx.template)(id);
                    if t != id {
                        json.insert("$.Resources[0].id".into(), Predicate::Eq(Value::String(t)));
                    }
                }
                if let Some(active) = first.get("active").and_then(Value::as_bool) {
                    json.insert("$.Resources[0].active".into(), Predicate::Eq(json!(active)));
                }
            }
        } else if let Some(id) = body.get("id").and_then(Value::as_str) {
            let t = (cx.template)(id);
            if t == id {
                json.insert("$.id".into(), ops(|o| o.type_ = Some(JsonType::String)));
            } else {
                json.insert("$.id".into(), Predicate::Eq(Value::String(t)));
            }
            for key in ["userName", "displayName"] {
                if let Some(v) = body.get(key).and_then(Value::as_str) {
                    let t = templ(v);
                    json.insert(format!("$.{key}"), ops(|o| o.eq_ci = Some(t)));
                }
            }
            if let Some(active) = body.get("active").and_then(Value::as_bool) {
                json.insert("$.active".into(), Predicate::Eq(json!(active)));
            }
            if cx.kind == Kind::Group && !cx.projected {
                members(&body, cx, &mut json);
            }
        }
    } else if ex.status >= 400 {
        let is_error = body
            .get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| s.iter().any(|u| u == crate::scim::ERROR_SCHEMA));
        if is_error {
            json.insert(
                "$.schemas".into(),
                ops(|o| o.contains = Some(json!(crate::scim::ERROR_SCHEMA))),
            );
            let status = ex.status;
            json.insert(
                "$.status".into(),
                ops(|o| o.one_of = Some(vec![json!(status.to_string()), json!(status)])),
            );
        }
    }
    expect.json = json;
    if (200..300).contains(&ex.status) {
        expect.snapshot = cx.snapshot.clone();
    }
    expect
}

/// Members of a group read back: their number, and the members the
/// recording knows by variable.
fn members(body: &Value, cx: &Context<'_>, json: &mut IndexMap<String, Predicate>) {
    let list = body
        .get("members")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let known: Vec<String> = list
        .iter()
        .filter_map(|m| m.get("value").and_then(Value::as_str))
        .map(|v| (cx.template)(v))
        .filter(|t| t.contains("{{"))
        .collect();
    if list.is_empty() {
        // Absent and `[]` are both an empty group (RFC 7643 §2.5).
        json.insert("$.members[*]".into(), ops(|o| o.absent = Some(true)));
        return;
    }
    let n = list.len() as u64;
    let first = known.first().map(|v| json!({ "value": v }));
    json.insert(
        "$.members".into(),
        ops(|o| {
            o.len = Some(n);
            o.contains = first;
        }),
    );
    if let Some(second) = known.get(1) {
        json.insert(
            "$.members[*]".into(),
            ops(|o| o.contains = Some(json!({ "value": second }))),
        );
    }
}
