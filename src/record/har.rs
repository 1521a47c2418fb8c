//! HAR 1.2 (browser dev tools, proxies, the hosted validators' exports) →
//! [`Exchange`]s for the generator. Bodies are kept to the same cap as a
//! recording; base64-encoded response bodies are decoded. Pure: the caller
//! reads the file.

use base64::Engine as _;
use serde_json::Value;

use super::RecordError;
use super::exchange::{Captured, Exchange};

fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|h| {
                    Some((
                        h.get("name")?.as_str()?.to_owned(),
                        h.get("value")?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn captured(bytes: Vec<u8>, cap: usize) -> Captured {
    let mut c = Captured::default();
    c.push(&bytes, cap);
    c
}

/// Reads the entries of a HAR document (`path` names it in errors).
pub fn parse(path: &str, text: &str, cap: usize) -> Result<Vec<Exchange>, RecordError> {
    let err = |message: String| RecordError::Har {
        path: path.to_owned(),
        message,
    };
    let doc: Value = serde_json::from_str(text).map_err(|e| err(e.to_string()))?;
    let entries = doc
        .pointer("/log/entries")
        .and_then(Value::as_array)
        .ok_or_else(|| err("no log.entries array".to_owned()))?;
    let mut first_ms: Option<i128> = None;
    let mut out = Vec::new();
    for (seq, entry) in entries.iter().enumerate() {
        let req = entry
            .get("request")
            .ok_or_else(|| err(format!("entry {seq} has no request")))?;
        let method = req
            .get("method")
            .and_then(Value::as_str)
            .ok_or_else(|| err(format!("entry {seq}: no request.method")))?;
        let url = req
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| err(format!("entry {seq}: no request.url")))?;
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let path_and_query = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
        let path_and_query = path_and_query.split('#').next().unwrap_or("/");
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (path_and_query.to_owned(), None),
        };
        let request_body = req
            .pointer("/postData/text")
            .and_then(Value::as_str)
            .map(|t| captured(t.as_bytes().to_vec(), cap))
            .unwrap_or_default();
        let resp = entry.get("response").cloned().unwrap_or(Value::Null);
        let status = resp
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(0);
        let content = resp.get("content").cloned().unwrap_or(Value::Null);
        let text = content.get("text").and_then(Value::as_str).unwrap_or("");
        let bytes = if content.get("encoding").and_then(Value::as_str) == Some("base64") {
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|e| err(format!("entry {seq}: response body: {e}")))?
        } else {
            text.as_bytes().to_vec()
        };
        let mut response_headers = pairs(resp.get("headers"));
        if !response_headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            && let Some(mime) = content.get("mimeType").and_then(Value::as_str)
            && !mime.is_empty()
        {
            response_headers.push(("content-type".to_owned(), mime.to_owned()));
        }
        let at = entry
            .get("startedDateTime")
            .and_then(Value::as_str)
            .and_then(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            })
            .map(|t| t.unix_timestamp_nanos() / 1_000_000);
        let at_ms = match (at, first_ms) {
            (Some(t), None) => {
                first_ms = Some(t);
                0
            }
            (Some(t), Some(f)) => u64::try_from(t - f).unwrap_or(0),
            (None, _) => 0,
        };
        out.push(Exchange {
            seq: seq as u64,
            at_ms,
            method: method.to_ascii_uppercase(),
            path,
            query,
            request_headers: pairs(req.get("headers"))
                .into_iter()
                .filter(|(k, _)| !k.starts_with(':'))
                .collect(),
            request_body,
            status,
            response_headers,
            response_body: captured(bytes, cap),
            upstream_error: (status == 0).then(|| "no response in the HAR entry".to_owned()),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_keeps_its_raw_query_and_decodes_base64_bodies() {
        let har = r#"{"log":{"entries":[{"startedDateTime":"2024-01-01T00:00:00Z",
          "request":{"method":"get","url":"https://x.example/scim/v2/Users?filter=userName+eq+%22a%22",
            "headers":[{"name":"User-Agent","value":"Okta SCIM Client 1.0.0"}]},
          "response":{"status":200,"headers":[],"content":{"mimeType":"application/scim+json",
            "encoding":"base64","text":"eyJ0b3RhbFJlc3VsdHMiOjB9"}}}]}}"#;
        let ex = parse("t.har", har, 1024).expect("parses");
        assert_eq!(ex[0].method, "GET");
        assert_eq!(ex[0].path, "/scim/v2/Users");
        assert_eq!(ex[0].query.as_deref(), Some("filter=userName+eq+%22a%22"));
        assert_eq!(
            ex[0].response_body.json(),
            Some(serde_json::json!({"totalResults":0}))
        );
        assert_eq!(
            ex[0].response_header("content-type"),
            Some("application/scim+json")
        );
        assert!(parse("t.har", "{}", 10).is_err());
    }
}
