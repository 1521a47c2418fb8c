//! One recorded request → a `RequestSpec` that sends the same bytes where
//! the suite model can say so: the header names and values (credentials
//! excepted), the query parameters in their order with their space encoding,
//! and the JSON body (key order aside: the model keeps JSON as a value).

use indexmap::IndexMap;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::Value;

use super::auth::AuthMap;
use super::scan;
use crate::record::exchange::Exchange;
use crate::suite::model::{Method, QueryEncoding, RequestSpec};

/// What else the step builder learns from a request.
#[derive(Debug, Default)]
pub struct Info {
    /// The request used a revoked token.
    pub revoked: bool,
    /// The query had a `filter`.
    pub filtered: bool,
    /// The query had `attributes` or `excludedAttributes`.
    pub projected: bool,
}

/// Headers the HTTP stack sets (or must not be replayed).
const DROPPED: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-connection",
    "accept-encoding",
    "authorization",
    "cookie",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-real-ip",
];

/// Everything but RFC 3986 unreserved characters (as the runner encodes).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The text searched for ids and values: path, decoded query, body.
pub fn searchable(ex: &Exchange, rel: &str) -> String {
    let mut out = rel.to_owned();
    if let Some(q) = &ex.query {
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            out.push('\n');
            out.push_str(&k);
            out.push('=');
            out.push_str(&v);
        }
    }
    out.push('\n');
    out.push_str(&String::from_utf8_lossy(&ex.request_body.bytes));
    out
}

/// Whether a request mentions `needle`: as a token, and for short ones
/// (which could match anything) only as a whole path segment or JSON string.
pub fn mentions(text: &str, rel: &str, needle: &str) -> bool {
    if needle.chars().count() >= 6 {
        return scan::contains_token(text, needle);
    }
    rel.split('/').any(|s| s == needle) || text.contains(&format!("\"{needle}\""))
}

/// Whether any body of the exchange carries a `password`.
pub fn has_password(ex: &Exchange) -> bool {
    ex.request_body.json().is_some_and(|v| find_password(&v))
}

fn find_password(v: &Value) -> bool {
    match v {
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("password") || find_password(v)),
        Value::Array(a) => a.iter().any(find_password),
        _ => false,
    }
}

fn mask_passwords(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                if k.eq_ignore_ascii_case("password") {
                    *v = Value::String("{{ password }}".to_owned());
                } else {
                    mask_passwords(v);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(mask_passwords),
        _ => {}
    }
}

/// `Some(active)` when a PATCH or PUT body sets `active`.
pub fn sets_active(body: &Value) -> Option<bool> {
    let parse = |v: &Value| match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    };
    if let Some(ops) = body.get("Operations").and_then(Value::as_array) {
        for op in ops {
            let path = op.get("path").and_then(Value::as_str);
            let value = op.get("value");
            match (path, value) {
                (Some(p), Some(v)) if p.eq_ignore_ascii_case("active") => return parse(v),
                (None, Some(v)) => {
                    if let Some(a) = v.get("active") {
                        return parse(a);
                    }
                }
                _ => {}
            }
        }
        return None;
    }
    body.get("active").and_then(parse)
}

fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Decodes a raw query into pairs, with the space encoding it used.
fn decode_query(raw: &str) -> (Vec<(String, String)>, QueryEncoding, bool) {
    let encoding = if raw.contains('+') {
        QueryEncoding::Plus
    } else {
        QueryEncoding::Percent20
    };
    let decode = |s: &str| {
        let s = if encoding == QueryEncoding::Plus {
            s.replace('+', " ")
        } else {
            s.to_owned()
        };
        percent_decode_str(&s).decode_utf8_lossy().into_owned()
    };
    let pairs: Vec<(String, String)> = raw
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect();
    let encode = |s: &str| match encoding {
        QueryEncoding::Percent20 => utf8_percent_encode(s, COMPONENT).to_string(),
        QueryEncoding::Plus => s
            .split(' ')
            .map(|part| utf8_percent_encode(part, COMPONENT).to_string())
            .collect::<Vec<_>>()
            .join("+"),
    };
    let rebuilt = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let faithful = rebuilt == raw;
    (pairs, encoding, faithful)
}

/// Builds the request of a step.
pub fn build(
    ex: &Exchange,
    method: Method,
    rel: &str,
    template: &dyn Fn(&str) -> String,
    auth: &AuthMap,
) -> (RequestSpec, Info) {
    let mut info = Info::default();
    let mut headers = IndexMap::new();
    for (k, v) in &ex.request_headers {
        let lower = k.to_ascii_lowercase();
        if DROPPED.contains(&lower.as_str()) || lower.starts_with(':') {
            continue;
        }
        headers.insert(title_case(&lower), template(v));
    }
    if let Some(cookie) = ex.request_header("cookie") {
        headers.insert("Cookie".to_owned(), auth.cookie_template(cookie));
    }
    let mut query = Vec::new();
    let mut encoding = QueryEncoding::Percent20;
    let mut path = template(rel);
    if let Some(raw) = &ex.query {
        let (pairs, enc, faithful) = decode_query(raw);
        info.filtered = pairs.iter().any(|(k, _)| k == "filter");
        info.projected = pairs
            .iter()
            .any(|(k, _)| k == "attributes" || k == "excludedAttributes");
        let templated = pairs.iter().any(|(_, v)| template(v) != *v);
        if faithful || templated {
            encoding = enc;
            query = pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(template(&v))))
                .collect();
        } else {
            // The runner would re-encode differently: send the raw bytes.
            path = format!("{path}?{raw}");
        }
    }
    let (body, raw_body) = match ex.request_body.json() {
        Some(mut v) => {
            mask_passwords(&mut v);
            let mut out = v;
            template_value(&mut out, template);
            (Some(out), None)
        }
        None if !ex.request_body.bytes.is_empty() => (
            None,
            Some(String::from_utf8_lossy(&ex.request_body.bytes).into_owned()),
        ),
        None => (None, None),
    };
    let (auth_spec, revoked) = auth.auth_for(ex);
    info.revoked = revoked;
    (
        RequestSpec {
            method,
            path,
            query,
            encoding,
            headers,
            body,
            raw_body,
            auth: auth_spec,
            ..RequestSpec::default()
        },
        info,
    )
}

fn template_value(v: &mut Value, template: &dyn Fn(&str) -> String) {
    match v {
        Value::String(s) => *s = template(s),
        Value::Array(a) => a.iter_mut().for_each(|v| template_value(v, template)),
        Value::Object(m) => m.values_mut().for_each(|v| template_value(v, template)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_keeps_its_order_and_its_space_encoding() {
        let (pairs, enc, faithful) =
            decode_query("filter=userName+eq+%22a%40b.c%22&startIndex=1&count=100");
        assert_eq!(enc, QueryEncoding::Plus);
        assert!(faithful);
        assert_eq!(pairs[0], ("filter".into(), "userName eq \"a@b.c\"".into()));
        assert_eq!(pairs[2].0, "count");
        let (_, _, faithful) = decode_query("filter=userName%20eq%20%22a@b.c%22");
        assert!(!faithful, "a raw @ is not how the runner encodes it");
    }

    #[test]
    fn active_is_read_from_okta_and_entra_shapes() {
        let okta = serde_json::json!({"Operations":[{"op":"replace","value":{"active":false}}]});
        let entra =
            serde_json::json!({"Operations":[{"op":"Replace","path":"active","value":"False"}]});
        assert_eq!(sets_active(&okta), Some(false));
        assert_eq!(sets_active(&entra), Some(false));
    }
}
