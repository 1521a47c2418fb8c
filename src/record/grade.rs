//! Grading the *client*: every request that reaches the recorder (or
//! `serve --grade`) is checked as a SCIM client request (RFC 7644): media
//! type and `schemas`, well-formed filters and PATCH operations, paging
//! parameters, an `Authorization` scheme, read-only attributes sent where
//! they break servers, and retries that honour `Retry-After`. Only what
//! the RFC forbids or what servers reject is a violation (`startIndex=0` is
//! allowed: the RFC reads it as 1). Violations name their request by method
//! and target; headers and bodies are never copied into them (they may hold
//! credentials). This module must not do I/O.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use super::exchange::Exchange;
use crate::scim::{GROUP_SCHEMA, PATCH_OP_SCHEMA, SEARCH_REQUEST_SCHEMA, USER_SCHEMA};

/// How much a violation matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A good practice; servers cope.
    Warning,
    /// The RFC forbids it, or servers reject it.
    Error,
}

/// One rule broken by one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Arrival order of the request (0-based).
    pub seq: u64,
    /// `PATCH /scim/v2/Users/42` (path and raw query; never headers or body).
    pub request: String,
    /// The rule's identifier (`content-type`, `patch-op`, …).
    pub rule: &'static str,
    /// How much it matters.
    pub level: Level,
    /// What is wrong, and what the RFC says.
    pub message: String,
}

/// The grader's state: violations so far, and the `Retry-After` windows
/// announced to the client.
#[derive(Debug, Default)]
pub struct Grader {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    requests: u64,
    violations: Vec<Violation>,
    /// `METHOD path` → until when the server asked the client to wait.
    wait_until: HashMap<String, (Instant, u64)>,
}

/// A summary of a grading session.
#[derive(Debug, Clone, Serialize)]
pub struct GradeReport {
    /// Requests graded.
    pub requests: u64,
    /// Every violation, in request order.
    pub violations: Vec<Violation>,
}

impl GradeReport {
    /// True when no violation is an error.
    pub fn passed(&self) -> bool {
        self.violations.iter().all(|v| v.level < Level::Error)
    }

    /// The distinct rules broken.
    pub fn rules(&self) -> Vec<&'static str> {
        let mut rules: Vec<&'static str> = self.violations.iter().map(|v| v.rule).collect();
        rules.sort_unstable();
        rules.dedup();
        rules
    }
}

impl Grader {
    /// A fresh grader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks one incoming request (`body`: the whole request body).
    pub fn check_request(&self, exchange: &Exchange, body: &[u8]) {
        self.check_request_at(exchange, body, Instant::now());
    }

    /// [`Grader::check_request`] at a given instant.
    /// Requests outside the SCIM endpoints (the admin API, a health check)
    /// are not graded.
    pub fn check_request_at(&self, exchange: &Exchange, body: &[u8], now: Instant) {
        if endpoint(&exchange.path).0.is_none() {
            return;
        }
        let mut found = check(exchange, body);
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.requests += 1;
        let key = format!("{} {}", exchange.method, exchange.path);
        if let Some((until, secs)) = inner.wait_until.get(&key).copied() {
            if now < until {
                found.push((
                    "retry-after",
                    Level::Error,
                    format!(
                        "retried before the Retry-After of {secs} s the server sent with its 429/503 had passed (RFC 6585 §4, RFC 9110 §10.2.3)"
                    ),
                ));
            }
            inner.wait_until.remove(&key);
        }
        let request = request_line(exchange);
        for (rule, level, message) in found {
            inner.violations.push(Violation {
                seq: exchange.seq,
                request: request.clone(),
                rule,
                level,
                message,
            });
        }
    }

    /// Notes a response (status and headers): a 429 or 503 with
    /// `Retry-After: N` opens a window in which a retry is a violation.
    pub fn observe_response(&self, exchange: &Exchange) {
        self.observe_response_at(exchange, Instant::now());
    }

    /// [`Grader::observe_response`] at a given instant.
    pub fn observe_response_at(&self, exchange: &Exchange, now: Instant) {
        if exchange.status != 429 && exchange.status != 503 {
            return;
        }
        let Some(secs) = exchange
            .response_header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
        else {
            return;
        };
        // A small tolerance: clocks and schedulers are not exact.
        let wait = Duration::from_secs(secs).saturating_sub(Duration::from_millis(100));
        let key = format!("{} {}", exchange.method, exchange.path);
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .wait_until
            .insert(key, (now + wait, secs));
    }

    /// The report so far.
    pub fn report(&self) -> GradeReport {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        GradeReport {
            requests: inner.requests,
            violations: inner.violations.clone(),
        }
    }
}

/// `METHOD path?query`.
pub fn request_line(exchange: &Exchange) -> String {
    match &exchange.query {
        Some(q) => format!("{} {}?{q}", exchange.method, exchange.path),
        None => format!("{} {}", exchange.method, exchange.path),
    }
}

type Found = Vec<(&'static str, Level, String)>;

/// The last path segments that name a SCIM endpoint (`Users`, `Users/42`…).
fn endpoint(path: &str) -> (Option<&str>, bool) {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for (i, s) in segs.iter().enumerate() {
        if matches!(
            *s,
            "Users" | "Groups" | "Bulk" | "Me" | ".search" | "ServiceProviderConfig"
        ) || matches!(*s, "Schemas" | "ResourceTypes")
        {
            return (Some(s), i + 1 < segs.len());
        }
    }
    (None, false)
}

fn check(exchange: &Exchange, body: &[u8]) -> Found {
    let mut found = Found::new();
    check_auth(exchange, &mut found);
    check_query(exchange, &mut found);
    let method = exchange.method.to_ascii_uppercase();
    let has_body = !body.iter().all(u8::is_ascii_whitespace);
    if has_body {
        check_media_type(exchange, &mut found);
    }
    if let Some(accept) = exchange.request_header("accept") {
        let ok = accept.split(',').any(|m| {
            let m = m
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            matches!(
                m.as_str(),
                "*/*" | "application/*" | "application/scim+json" | "application/json"
            ) || m.ends_with("+json")
        });
        if !ok {
            found.push((
                "accept",
                Level::Error,
                format!("Accept {accept:?} excludes application/scim+json (RFC 7644 §3.8)"),
            ));
        }
    }
    if !matches!(method.as_str(), "POST" | "PUT" | "PATCH") {
        return found;
    }
    let (resource, item) = endpoint(&exchange.path);
    if resource == Some("Bulk") {
        return found;
    }
    let json: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => {
            found.push((
                "json-body",
                Level::Error,
                format!("{method} needs a JSON object body (RFC 7644 §3.3, §3.5)"),
            ));
            return found;
        }
        Err(e) => {
            found.push((
                "json-body",
                Level::Error,
                format!("{method} body is not JSON: {e}"),
            ));
            return found;
        }
    };
    let schemas: Vec<&str> = match json.get("schemas") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let needed = if method == "PATCH" {
        Some(PATCH_OP_SCHEMA)
    } else if resource == Some(".search") {
        Some(SEARCH_REQUEST_SCHEMA)
    } else if resource == Some("Users") && method == "POST" && !item {
        Some(USER_SCHEMA)
    } else if resource == Some("Groups") && method == "POST" && !item {
        Some(GROUP_SCHEMA)
    } else {
        None
    };
    if schemas.is_empty() {
        found.push((
            "schemas",
            Level::Error,
            "the body has no `schemas` array (RFC 7643 §3, RFC 7644 §3.3)".to_owned(),
        ));
    } else if let Some(urn) = needed {
        if !schemas.iter().any(|s| s.eq_ignore_ascii_case(urn)) {
            found.push(("schemas", Level::Error, format!("`schemas` lacks {urn}")));
        }
    }
    if method == "PATCH" {
        check_patch(&json, &mut found);
    } else if method == "POST"
        && !item
        && matches!(resource, Some("Users" | "Groups"))
        && json.get("id").is_some()
    {
        found.push((
            "read-only",
            Level::Error,
            "POST sends `id`, which the service provider assigns (RFC 7643 §3.1: readOnly)"
                .to_owned(),
        ));
    }
    found
}

fn check_auth(exchange: &Exchange, found: &mut Found) {
    let Some(value) = exchange.request_header("authorization") else {
        found.push((
            "authorization",
            Level::Error,
            "no Authorization header (RFC 7644 §2: clients authenticate, e.g. RFC 6750 bearer tokens)"
                .to_owned(),
        ));
        return;
    };
    let mut parts = value.trim().splitn(2, ' ');
    let scheme = parts.next().unwrap_or("");
    let credentials = parts.next().unwrap_or("").trim();
    let known = ["bearer", "basic"].contains(&scheme.to_ascii_lowercase().as_str());
    if !known {
        found.push((
            "authorization",
            Level::Error,
            "the Authorization header has no Bearer or Basic scheme (RFC 6750 §2.1, RFC 7617)"
                .to_owned(),
        ));
    } else if credentials.is_empty() {
        found.push((
            "authorization",
            Level::Error,
            format!(
                "the Authorization header names the {scheme} scheme but carries no credentials"
            ),
        ));
    }
}

fn check_query(exchange: &Exchange, found: &mut Found) {
    let Some(query) = &exchange.query else {
        return;
    };
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "filter" => {
                if let Err(e) = crate::server::filter::parse(&value) {
                    found.push((
                        "filter",
                        Level::Error,
                        format!("filter {value:?} is not well-formed (RFC 7644 §3.4.2.2): {e}"),
                    ));
                }
            }
            "startIndex" | "count" if value.trim().parse::<i64>().is_err() => {
                found.push((
                    "paging",
                    Level::Error,
                    format!("{key}={value:?} is not an integer (RFC 7644 §3.4.2.4)"),
                ));
            }
            "sortOrder" if !matches!(value.as_ref(), "ascending" | "descending") => {
                found.push((
                    "paging",
                    Level::Error,
                    format!(
                        "sortOrder={value:?}: must be ascending or descending (RFC 7644 §3.4.2.3)"
                    ),
                ));
            }
            _ => {}
        }
    }
}

fn check_media_type(exchange: &Exchange, found: &mut Found) {
    let ct = exchange.request_header("content-type");
    let media = ct
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    if media != "application/scim+json" && media != "application/json" {
        found.push((
            "content-type",
            Level::Error,
            match ct {
                Some(v) => {
                    format!("Content-Type {v:?} is not application/scim+json (RFC 7644 §3.1, §8.1)")
                }
                None => {
                    "a body without Content-Type (RFC 7644 §3.1: application/scim+json)".to_owned()
                }
            },
        ));
    }
}

fn check_patch(json: &Value, found: &mut Found) {
    let Some(ops) = json
        .get("Operations")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
    else {
        found.push((
            "patch-op",
            Level::Error,
            "PATCH without a non-empty `Operations` array (RFC 7644 §3.5.2)".to_owned(),
        ));
        return;
    };
    for (i, op) in ops.iter().enumerate() {
        let name = op
            .get("op")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase);
        let path = op.get("path").and_then(Value::as_str);
        let value = op.get("value");
        let Some(name) = name.filter(|n| matches!(n.as_str(), "add" | "remove" | "replace")) else {
            found.push((
                "patch-op",
                Level::Error,
                format!(
                    "Operations[{i}].op must be add, remove or replace (RFC 7644 §3.5.2), got {}",
                    op.get("op").map_or("nothing".to_owned(), Value::to_string)
                ),
            ));
            continue;
        };
        if let Some(p) = path {
            match crate::server::patch::parse_path(p) {
                Ok(parsed) => {
                    let attr = parsed.attr.attr.to_ascii_lowercase();
                    if attr == "id" || attr == "meta" {
                        found.push((
                            "read-only",
                            Level::Error,
                            format!(
                                "Operations[{i}] modifies the readOnly `{p}` (RFC 7643 §3.1; servers answer 400 mutability)"
                            ),
                        ));
                    }
                }
                Err(e) => found.push((
                    "patch-op",
                    Level::Error,
                    format!(
                        "Operations[{i}].path {p:?} is not a valid path (RFC 7644 §3.5.2): {e}"
                    ),
                )),
            }
        }
        match (name.as_str(), path, value) {
            ("remove", None, _) => found.push((
                "patch-op",
                Level::Error,
                format!("Operations[{i}] removes without a path (RFC 7644 §3.5.2.2: noTarget)"),
            )),
            ("add" | "replace", _, None) => found.push((
                "patch-op",
                Level::Error,
                format!("Operations[{i}] ({name}) has no value (RFC 7644 §3.5.2.1, §3.5.2.3)"),
            )),
            // A path-less value may carry `id`: Okta's group rename does
            // (okta-wire.md), and servers must accept it.
            ("add" | "replace", None, Some(v)) if !v.is_object() => found.push((
                "patch-op",
                Level::Error,
                format!(
                    "Operations[{i}] ({name}) has no path, so its value must be an object of attributes (RFC 7644 §3.5.2.1)"
                ),
            )),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(method: &str, path: &str, query: Option<&str>, headers: &[(&str, &str)]) -> Exchange {
        Exchange {
            method: method.into(),
            path: path.into(),
            query: query.map(str::to_owned),
            request_headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..Exchange::default()
        }
    }

    const AUTH: (&str, &str) = ("Authorization", "Bearer abc");
    const CT: (&str, &str) = ("Content-Type", "application/scim+json; charset=utf-8");

    fn rules(e: &Exchange, body: &str) -> Vec<&'static str> {
        let g = Grader::new();
        g.check_request(e, body.as_bytes());
        g.report().rules()
    }

    #[test]
    fn a_well_formed_okta_style_request_passes() {
        let e = ex(
            "GET",
            "/scim/v2/Users",
            Some("filter=userName%20eq%20%22a%40b.c%22&startIndex=1&count=100"),
            &[AUTH],
        );
        assert!(rules(&e, "").is_empty());
        let e = ex("PATCH", "/scim/v2/Users/1", None, &[AUTH, CT]);
        let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations":[{"op":"Replace","path":"active","value":"False"},
                          {"op":"remove","path":"members[value eq \"2\"]"}]}"#;
        assert!(rules(&e, body).is_empty(), "{:?}", rules(&e, body));
    }

    #[test]
    fn each_sloppy_habit_is_named() {
        let e = ex("GET", "/Users", Some("filter=userName%20eq&count=ten"), &[]);
        assert_eq!(rules(&e, ""), vec!["authorization", "filter", "paging"]);
        let e = ex(
            "POST",
            "/Users",
            None,
            &[("Authorization", "token x"), ("Content-Type", "text/plain")],
        );
        assert_eq!(
            rules(&e, r#"{"id":"1","userName":"a"}"#),
            vec!["authorization", "content-type", "read-only", "schemas"]
        );
        let e = ex("PATCH", "/Users/1", None, &[AUTH, CT]);
        let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations":[{"op":"delete","path":"x"},{"op":"remove"},{"op":"replace","path":"meta.created","value":1}]}"#;
        assert_eq!(rules(&e, body), vec!["patch-op", "read-only"]);
    }

    #[test]
    fn start_index_zero_and_negative_count_are_allowed() {
        let e = ex("GET", "/Users", Some("startIndex=0&count=-1"), &[AUTH]);
        assert!(rules(&e, "").is_empty());
    }

    #[test]
    fn a_retry_inside_the_retry_after_window_is_a_violation_and_after_it_is_not() {
        let g = Grader::new();
        let mut e = ex("GET", "/Users", None, &[AUTH]);
        e.status = 429;
        e.response_headers = vec![("Retry-After".into(), "5".into())];
        let t0 = Instant::now();
        g.check_request_at(&e, b"", t0);
        g.observe_response_at(&e, t0);
        g.check_request_at(&e, b"", t0 + Duration::from_secs(1));
        assert_eq!(g.report().rules(), vec!["retry-after"]);
        g.observe_response_at(&e, t0 + Duration::from_secs(1));
        g.check_request_at(&e, b"", t0 + Duration::from_secs(7));
        assert_eq!(g.report().violations.len(), 1);
    }
}
