//! `check`: one response against one (rendered) expectation.

use serde_json::Value;

use super::failure::{Failure, FailureKind, ResponseView};
use super::header::check_header;
use super::json_match::{project, subset_mismatches};
use super::predicate::eval;
use super::pretty::{MAX_RENDER, compact, pretty, unified_diff};
use crate::jsonpath::query_all;
use crate::suite::model::{Expect, Predicate};
use crate::text::{Mark, clip};

/// Checks a response against an (already rendered) expectation: status,
/// headers, JSONPath predicates and the partial `body`. Not `schema_check` or
/// `snapshot`. Returns every failure, empty when all hold.
///
/// A `204 No Content` answer has no body (RFC 9110 §15.3.5), whatever its
/// headers say: the JSONPath predicates and `body` of a step that allows
/// 204 (a PATCH answered `200` with the resource or `204`, RFC 7644
/// §3.5.2) describe the `200` alternative and are not applied to it. A
/// `200` without a JSON body still fails them.
pub fn check(expect: &Expect, response: &ResponseView<'_>) -> Vec<Failure> {
    let mut failures = Vec::new();
    if let Some(status) = &expect.status {
        let codes = status.codes();
        if !codes.contains(&response.status) {
            let want = codes
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or ");
            let body = clip(response.text.trim(), MAX_RENDER, Mark::Length);
            let message = if body.is_empty() {
                format!("expected status {want}, got {}", response.status)
            } else {
                format!("expected status {want}, got {}: {body}", response.status)
            };
            failures.push(Failure {
                kind: FailureKind::Status,
                subject: "status".into(),
                message,
                expected: Some(want),
                actual: Some(response.status.to_string()),
                diff: None,
            });
        }
    }
    for (name, header) in &expect.headers {
        failures.extend(check_header(name, header, response.headers));
    }
    if (expect.json.is_empty() && expect.body.is_none()) || response.status == 204 {
        return failures;
    }
    let Some(body) = response.json else {
        let kind = if expect.json.is_empty() {
            FailureKind::Body
        } else {
            FailureKind::Json
        };
        let text = clip(response.text.trim(), MAX_RENDER, Mark::Length);
        failures.push(Failure {
            kind,
            subject: "body".into(),
            message: if text.is_empty() {
                "body is not JSON: the body is empty".into()
            } else {
                format!("body is not JSON: {text}")
            },
            expected: Some("a JSON body".into()),
            actual: Some(text),
            diff: None,
        });
        return failures;
    };
    for (path, predicate) in &expect.json {
        failures.extend(check_json(path, predicate, body));
    }
    if let Some(want) = &expect.body {
        failures.extend(check_body(want, body));
    }
    failures
}

fn check_json(path: &str, predicate: &Predicate, body: &Value) -> Vec<Failure> {
    let nodes = match query_all(path, body) {
        Ok(nodes) => nodes,
        Err(e) => {
            return vec![Failure {
                kind: FailureKind::Json,
                subject: path.to_string(),
                message: e.to_string(),
                expected: None,
                actual: None,
                diff: None,
            }];
        }
    };
    let selected = match nodes.as_slice() {
        [] => None,
        [one] => Some((*one).clone()),
        many => Some(Value::Array(many.iter().map(|v| (*v).clone()).collect())),
    };
    eval(predicate, selected.as_ref())
        .into_iter()
        .map(|miss| {
            let eq_value = match predicate {
                Predicate::Eq(v) => Some(v),
                Predicate::Ops(ops) => ops.eq.as_ref(),
            };
            let diff = match (eq_value, &selected) {
                (Some(want), Some(got))
                    if miss.expected.starts_with("eq ")
                        && (want.is_object() || want.is_array()) =>
                {
                    unified_diff(&pretty(want), &pretty(got))
                }
                _ => None,
            };
            Failure {
                kind: FailureKind::Json,
                subject: path.to_string(),
                message: format!("{path}: expected {}, {}", miss.expected, miss.reason),
                expected: Some(miss.expected),
                actual: Some(
                    selected
                        .as_ref()
                        .map_or_else(|| "(nothing)".to_string(), compact),
                ),
                diff,
            }
        })
        .collect()
}

fn check_body(want: &Value, body: &Value) -> Option<Failure> {
    let mismatches = subset_mismatches(want, body, "$");
    if mismatches.is_empty() {
        return None;
    }
    let shown: Vec<&str> = mismatches.iter().take(5).map(String::as_str).collect();
    let more = mismatches.len().saturating_sub(shown.len());
    let mut message = format!(
        "body does not contain the expected JSON: {}",
        shown.join("; ")
    );
    if more > 0 {
        message.push_str(&format!("; and {more} more"));
    }
    Some(Failure {
        kind: FailureKind::Body,
        subject: "body".into(),
        message,
        expected: Some(compact(want)),
        actual: Some(compact(body)),
        diff: unified_diff(&pretty(want), &pretty(&project(want, body))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expect(yaml: &str) -> Expect {
        serde_yaml_ng::from_str(yaml).expect("expect parses")
    }

    fn run(yaml: &str, status: u16, body: &str) -> Vec<Failure> {
        let headers = vec![(
            "Content-Type".to_string(),
            "application/scim+json".to_string(),
        )];
        let json: Option<Value> = serde_json::from_str(body).ok();
        let view = ResponseView {
            status,
            headers: &headers,
            text: body,
            json: json.as_ref(),
        };
        check(&expect(yaml), &view)
    }

    const USER: &str = r#"{"id":"1","userName":"Ada@X.com","active":true,"name":{"givenName":"Ada"},"emails":[{"value":"a@x","primary":true}]}"#;

    #[test]
    fn a_matching_response_has_no_failures() {
        let yaml = "status: [200, 201]\nheaders: { content-type: application/scim+json }\njson:\n  $.active: true\n  $.userName: { eq_ci: ada@x.com }\n  $.emails[?@.primary == true].value: a@x\nbody: { name: { givenName: Ada } }\n";
        assert_eq!(run(yaml, 201, USER), vec![]);
    }

    #[test]
    fn status_mismatch_names_both_codes_and_the_body() {
        let f = run("status: 201", 409, r#"{"detail":"exists"}"#);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, FailureKind::Status);
        assert_eq!(
            f[0].message,
            r#"expected status 201, got 409: {"detail":"exists"}"#
        );
    }

    #[test]
    fn json_predicate_failure_says_expected_and_actual() {
        let f = run(
            "json: { $.active: false, $.missing: { exists: true } }",
            200,
            USER,
        );
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].subject, "$.active");
        assert_eq!(f[0].message, "$.active: expected eq false, got true");
        assert_eq!(
            f[1].message,
            "$.missing: expected exists true, the path selects nothing"
        );
    }

    #[test]
    fn object_literal_mismatch_has_a_diff() {
        let f = run("json: { $.name: { eq: { givenName: Bob } } }", 200, USER);
        assert_eq!(f.len(), 1);
        let diff = f[0].diff.as_deref().expect("diff");
        assert!(diff.contains("-  \"givenName\": \"Bob\""), "{diff}");
        assert!(diff.contains("+  \"givenName\": \"Ada\""), "{diff}");
    }

    #[test]
    fn body_mismatch_lists_paths_and_diffs() {
        let f = run(
            "body: { active: false, name: { givenName: Ada } }",
            200,
            USER,
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, FailureKind::Body);
        assert_eq!(
            f[0].message,
            "body does not contain the expected JSON: $.active: expected false, got true"
        );
        assert!(
            f[0].diff
                .as_deref()
                .is_some_and(|d| d.contains("+  \"active\": true"))
        );
    }

    #[test]
    fn non_json_body_gives_one_clear_failure() {
        let f = run(
            "json: { $.a: 1, $.b: 2 }\nbody: { a: 1 }",
            200,
            "<html>oops</html>",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].message, "body is not JSON: <html>oops</html>");
    }

    #[test]
    fn several_matches_are_checked_as_an_array() {
        let body = json!({"Resources": [{"id": "a"}, {"id": "b"}]}).to_string();
        assert_eq!(
            run(
                "json: { '$.Resources[*].id': { unique: true, len: 2 } }",
                200,
                &body
            ),
            vec![]
        );
        assert_eq!(
            run("json: { '$.Resources[*].id': { contains: c } }", 200, &body).len(),
            1
        );
    }

    #[test]
    fn a_204_skips_body_checks_and_a_200_without_a_body_fails_them() {
        let yaml = "status: [200, 204]\njson: { $.id: '1', $.title: Queen }";
        // 204 with a Content-Type header (scim2-server) or without one.
        let content_type = [(
            "Content-Type".to_string(),
            "application/scim+json".to_string(),
        )];
        for headers in [&content_type[..], &[]] {
            let view = ResponseView {
                status: 204,
                headers,
                text: "",
                json: None,
            };
            assert_eq!(check(&expect(yaml), &view), vec![]);
        }
        let empty_200 = run(yaml, 200, "");
        assert_eq!(empty_200.len(), 1);
        assert_eq!(empty_200[0].message, "body is not JSON: the body is empty");
        let object_200 = run(yaml, 200, "{}");
        assert_eq!(object_200.len(), 2, "{object_200:?}");
        assert_eq!(object_200[0].subject, "$.id");
    }

    #[test]
    fn header_failures_are_reported_with_status_failures() {
        let f = run("status: 200\nheaders: { ETag: { exists: true } }", 404, "");
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].kind, FailureKind::Header);
    }
}
