//! Header checks: case-insensitive names; exact values, `exists`, `equals`,
//! `ne` (absent or another value), `matches` (regex) and `contains`
//! (case-insensitive).

use super::failure::{Failure, FailureKind};
use crate::suite::model::HeaderCheck;

/// Every value of header `name` (case-insensitive), joined with ", ".
fn header_value(headers: &[(String, String)], name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn fail(name: &str, message: String, expected: String, actual: Option<&str>) -> Failure {
    Failure {
        kind: FailureKind::Header,
        subject: name.to_string(),
        message,
        expected: Some(expected),
        actual: Some(actual.map_or_else(|| "(absent)".to_string(), str::to_string)),
        diff: None,
    }
}

/// Checks one header; returns its failures.
pub(crate) fn check_header(
    name: &str,
    check: &HeaderCheck,
    headers: &[(String, String)],
) -> Vec<Failure> {
    let actual = header_value(headers, name);
    let actual = actual.as_deref();
    let mut out = Vec::new();
    match check {
        HeaderCheck::Equals(want) => {
            if actual != Some(want.as_str()) {
                out.push(fail(
                    name,
                    match actual {
                        None => format!("header `{name}` is missing; expected `{want}`"),
                        Some(a) => format!("header `{name}` is `{a}`, expected `{want}`"),
                    },
                    want.clone(),
                    actual,
                ));
            }
        }
        HeaderCheck::Detailed(p) => {
            if let Some(want) = p.exists
                && actual.is_some() != want
            {
                let message = if want {
                    format!("header `{name}` is missing")
                } else {
                    format!("header `{name}` is present but must be absent")
                };
                out.push(fail(name, message, format!("exists: {want}"), actual));
            }
            if let Some(want) = &p.equals
                && actual != Some(want.as_str())
            {
                out.push(fail(
                    name,
                    format!("header `{name}` does not equal `{want}`"),
                    format!("equals: {want}"),
                    actual,
                ));
            }
            if let Some(re) = &p.matches {
                match regex::Regex::new(re) {
                    Ok(regex) if actual.is_some_and(|a| regex.is_match(a)) => {}
                    Ok(_) => out.push(fail(
                        name,
                        format!("header `{name}` does not match /{re}/"),
                        format!("matches: {re}"),
                        actual,
                    )),
                    Err(e) => out.push(fail(
                        name,
                        format!("invalid regex /{re}/: {e}"),
                        format!("matches: {re}"),
                        actual,
                    )),
                }
            }
            if let Some(unwanted) = &p.ne
                && actual == Some(unwanted.as_str())
            {
                out.push(fail(
                    name,
                    format!("header `{name}` is still `{unwanted}`"),
                    format!("ne: {unwanted}"),
                    actual,
                ));
            }
            if let Some(want) = &p.contains
                && !actual.is_some_and(|a| a.to_lowercase().contains(&want.to_lowercase()))
            {
                out.push(fail(
                    name,
                    format!("header `{name}` does not contain `{want}`"),
                    format!("contains: {want}"),
                    actual,
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> Vec<(String, String)> {
        vec![
            (
                "content-type".into(),
                "application/scim+json; charset=utf-8".into(),
            ),
            ("ETag".into(), "W/\"3\"".into()),
            ("Location".into(), "https://x/scim/v2/Users/1".into()),
        ]
    }

    #[test]
    fn header_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("Content-Type", "application/scim+json; charset=utf-8", true),
            ("Content-Type", "application/scim+json", false),
            ("etag", "W/\"3\"", true),
            ("X-Missing", "x", false),
            ("Content-Type", "{ contains: SCIM+JSON }", true),
            ("Content-Type", "{ contains: text/html }", false),
            ("ETag", "{ matches: '^W/\"' }", true),
            ("ETag", "{ matches: '^\"' }", false),
            ("location", "{ exists: true }", true),
            ("X-Missing", "{ exists: true }", false),
            ("X-Missing", "{ exists: false }", true),
            ("ETag", "{ exists: false }", false),
            ("ETag", "{ equals: 'W/\"3\"' }", true),
            ("ETag", "{ equals: 'W/\"4\"' }", false),
            ("X-Missing", "{ matches: '.*' }", false),
            ("ETag", "{ ne: 'W/\"4\"' }", true),
            ("ETag", "{ ne: 'W/\"3\"' }", false),
            ("X-Missing", "{ ne: x }", true),
            (
                "ETag",
                "{ exists: true, matches: '^W/', contains: '3' }",
                true,
            ),
        ];
        for (name, yaml, holds) in cases {
            let check = if yaml.starts_with('{') {
                serde_yaml_ng::from_str::<HeaderCheck>(yaml).expect("parses")
            } else {
                HeaderCheck::Equals((*yaml).to_string())
            };
            let failures = check_header(name, &check, &headers());
            assert_eq!(failures.is_empty(), *holds, "{name}: {yaml}: {failures:?}");
        }
    }

    #[test]
    fn a_missing_header_says_so() {
        let f = check_header("Location", &HeaderCheck::Equals("x".into()), &[]);
        assert_eq!(f[0].message, "header `Location` is missing; expected `x`");
        assert_eq!(f[0].actual.as_deref(), Some("(absent)"));
    }
}
