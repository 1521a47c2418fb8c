//! Captures: values taken from a response (JSONPath or header, optionally
//! narrowed by a regex) into the case's scope. A capture that finds nothing
//! is a failure of the step, unless it is `optional` (then the variable is `null`).

use indexmap::IndexMap;
use serde_json::Value;

use crate::assert::{Failure, FailureKind, ResponseView};
use crate::runner::case::CaseState;
use crate::runner::client::header;
use crate::runner::request::value_text;
use crate::runner::{RunError, RunErrorKind};
use crate::suite::model::{CaptureDetail, CaptureSpec};

/// Captures every spec into `state`; returns the failures of captures that found nothing.
pub(crate) fn capture_all(
    specs: &IndexMap<String, CaptureSpec>,
    response: &ResponseView<'_>,
    state: &mut CaseState,
) -> Result<Vec<Failure>, RunError> {
    let mut failures = Vec::new();
    for (name, spec) in specs {
        let mut detail = match spec {
            CaptureSpec::Json(path) => CaptureDetail {
                json: Some(path.clone()),
                ..CaptureDetail::default()
            },
            CaptureSpec::Detailed(d) => d.clone(),
        };
        // A path may hold templates (an IdP's client-side match on a list:
        // `$.Resources[?(@.displayName == "{{ group }}")].id`).
        if let Some(path) = detail.json.as_mut().filter(|p| p.contains("{{")) {
            *path = crate::template::render_str(path, &state.scope)
                .map_err(|e| RunError::new(RunErrorKind::Step, format!("capture `{name}`: {e}")))?;
        }
        match capture_one(&detail, response)? {
            Ok(value) => state.set(name, value, detail.secret),
            Err(_) if detail.optional => state.set(name, Value::Null, detail.secret),
            Err(why) => failures.push(Failure {
                kind: if detail.header.is_some() {
                    FailureKind::Header
                } else {
                    FailureKind::Json
                },
                subject: format!("capture `{name}`"),
                message: format!("capture `{name}` found nothing: {why}"),
                expected: Some(describe(&detail)),
                actual: None,
                diff: None,
            }),
        }
    }
    Ok(failures)
}

fn describe(d: &CaptureDetail) -> String {
    let mut s = match (&d.json, &d.header) {
        (Some(p), _) => format!("a value at {p}"),
        (None, Some(h)) => format!("a `{h}` header"),
        (None, None) => "a source (json or header)".to_owned(),
    };
    if let Some(r) = &d.regex {
        s.push_str(&format!(" matching /{r}/"));
    }
    s
}

/// The captured value, `Ok(Err(why))` when nothing was found.
fn capture_one(
    d: &CaptureDetail,
    response: &ResponseView<'_>,
) -> Result<Result<Value, String>, RunError> {
    let value = match (&d.json, &d.header) {
        (Some(path), _) => {
            let Some(body) = response.json else {
                return Ok(Err("the body is not JSON".to_owned()));
            };
            match crate::jsonpath::query(path, body) {
                Ok(Some(v)) if !v.is_null() => v,
                Ok(_) => return Ok(Err(format!("{path} selected nothing"))),
                Err(e) => {
                    return Err(RunError::new(
                        RunErrorKind::Step,
                        format!("capture JSONPath `{path}`: {e}"),
                    ));
                }
            }
        }
        (None, Some(name)) => match header(response.headers, name) {
            Some(v) => Value::String(v.to_owned()),
            None => return Ok(Err(format!("no `{name}` header"))),
        },
        (None, None) => {
            return Err(RunError::new(
                RunErrorKind::Step,
                "a capture needs `json` or `header`",
            ));
        }
    };
    let Some(pattern) = &d.regex else {
        return Ok(Ok(value));
    };
    let re = regex::Regex::new(pattern).map_err(|e| {
        RunError::new(
            RunErrorKind::Step,
            format!("capture regex `{pattern}`: {e}"),
        )
    })?;
    let text = value_text(&value);
    Ok(match re.captures(&text) {
        Some(caps) => {
            let m = caps.get(1).or_else(|| caps.get(0));
            Ok(Value::String(
                m.map_or_else(String::new, |m| m.as_str().to_owned()),
            ))
        }
        None => Err(format!("`{text}` does not match /{pattern}/")),
    })
}
