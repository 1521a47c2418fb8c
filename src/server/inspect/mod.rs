//! The live inspector behind `/admin/ui`: a bounded feed of SCIM exchanges
//! ([`Feed`]) filled by the [`capture`] middleware around `/scim/v2`
//! (request and response with secrets redacted, bodies capped, the
//! resource's view before and after each write and their [`diff`]), the
//! admin JSON API over it ([`api`]) and the self-contained page (inline
//! HTML/CSS/JS compiled into the binary). It only observes: it never changes
//! a request, a response or the store, and never keeps a secret
//! (`Authorization`, cookies, token headers and `password` values are
//! replaced by `***` before anything is stored).

pub mod api;
pub mod diff;

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::clock::rfc3339;
use super::error::ScimError;
use super::routes::SCIM_BASE_PATH;
use super::state::AppState;
use super::store::Kind;
use diff::Change;

/// Default number of exchanges the feed keeps.
pub(crate) const DEFAULT_FEED_SIZE: usize = 1000;
/// Largest body kept per request or response (bytes); longer ones are cut.
pub const BODY_CAP: usize = 64 * 1024;

/// Inspector settings (config key `inspector`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct InspectorConfig {
    /// Exchanges kept in the feed (oldest dropped); 0 turns capture off.
    pub feed_size: usize,
}

impl Default for InspectorConfig {
    fn default() -> Self {
        Self {
            feed_size: DEFAULT_FEED_SIZE,
        }
    }
}

/// The IdP a `User-Agent` most likely belongs to: `okta`, `entra` or
/// `unknown`. A guess for display only, never a verdict.
pub fn guess_idp(user_agent: Option<&str>) -> &'static str {
    let Some(ua) = user_agent else {
        return "unknown";
    };
    let lower = ua.to_ascii_lowercase();
    if lower.contains("okta") {
        "okta"
    } else if lower.contains("azure ad scim")
        || lower.starts_with("microsoft.identity")
        || lower.contains("microsoft azure")
        || lower.contains("entra")
    {
        "entra"
    } else {
        "unknown"
    }
}

/// Whether a header's value is a secret.
fn secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "x-api-key"
    ) || name.contains("token")
        || name.contains("secret")
}

/// Headers as `[name, value]` pairs, secrets replaced by `***` (an
/// `Authorization` keeps its scheme: `Bearer ***`).
pub(crate) fn redact_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let name = name.as_str().to_owned();
            let shown = if secret_header(&name) {
                match value.to_str().ok().and_then(|v| v.trim().split_once(' ')) {
                    Some((scheme, _)) if name.ends_with("authorization") => format!("{scheme} ***"),
                    _ => "***".to_owned(),
                }
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name, shown)
        })
        .collect()
}

/// Replaces `password`, `token` and `*secret` values by `***`, at any depth.
pub(crate) fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                let k = key.to_ascii_lowercase();
                if k == "password" || k.ends_with("secret") || k == "token" {
                    *inner = Value::String("***".into());
                } else {
                    redact_json(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// A captured body: JSON (secrets redacted) when it parses, else text, cut
/// at [`BODY_CAP`] bytes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CapturedBody {
    /// The parsed JSON body, when it is JSON.
    pub json: Option<Value>,
    /// The raw text, when it is not JSON (or was cut).
    pub text: Option<String>,
    /// The body's full size in bytes.
    pub bytes: usize,
    /// Whether the text was cut at [`BODY_CAP`].
    pub truncated: bool,
}

/// Captures `bytes` as a [`CapturedBody`]; `None` when empty.
pub(crate) fn capture_body(bytes: &[u8]) -> Option<CapturedBody> {
    capture_prefix(&bytes[..bytes.len().min(BODY_CAP)], bytes.len())
}

/// A [`CapturedBody`] of a body of `len` bytes from its first bytes
/// (`prefix`, at most [`BODY_CAP`]): JSON, redacted, when the whole body is
/// there and parses, else text cut at a character boundary.
fn capture_prefix(prefix: &[u8], len: usize) -> Option<CapturedBody> {
    if len == 0 {
        return None;
    }
    let truncated = len > prefix.len();
    if !truncated && let Ok(mut json) = serde_json::from_slice::<Value>(prefix) {
        redact_json(&mut json);
        return Some(CapturedBody {
            json: Some(json),
            text: None,
            bytes: len,
            truncated,
        });
    }
    let mut cut = prefix.len();
    while cut > 0 && std::str::from_utf8(&prefix[..cut]).is_err() {
        cut -= 1;
    }
    Some(CapturedBody {
        json: None,
        text: Some(String::from_utf8_lossy(&prefix[..cut]).into_owned()),
        bytes: len,
        truncated,
    })
}

/// A body as the feed keeps it. Request bodies (which may carry a password)
/// are parsed and redacted when captured; response bodies are kept as the
/// bytes the server sent (at most [`BODY_CAP`]; the reference server never
/// returns a secret) and parsed and redacted the same way only when the admin
/// API shows them, so a captured read costs a reference count, not a JSON
/// parse on the request's path.
#[derive(Debug, Clone, PartialEq)]
pub enum Captured {
    /// Parsed and redacted at capture.
    Parsed(CapturedBody),
    /// The first bytes of a body of `len` bytes, parsed when shown.
    Raw {
        /// At most [`BODY_CAP`] bytes.
        prefix: Bytes,
        /// The body's full size.
        len: usize,
    },
}

impl Captured {
    /// A response body, kept raw (`None` when empty).
    fn raw(bytes: &Bytes) -> Option<Self> {
        (!bytes.is_empty()).then(|| Self::Raw {
            prefix: if bytes.len() > BODY_CAP {
                Bytes::copy_from_slice(&bytes[..BODY_CAP])
            } else {
                bytes.clone()
            },
            len: bytes.len(),
        })
    }

    /// A request body, parsed and redacted now (`None` when empty).
    fn parsed(bytes: &[u8]) -> Option<Self> {
        capture_body(bytes).map(Self::Parsed)
    }
}

impl Serialize for Captured {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Parsed(body) => body.serialize(s),
            Self::Raw { prefix, len } => capture_prefix(prefix, *len).serialize(s),
        }
    }
}

/// The resource an exchange touched.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ResourceRef {
    /// `Users` or `Groups`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Resource id.
    pub id: String,
}

/// One side of an exchange.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Side {
    /// Headers, secrets redacted.
    pub headers: Vec<(String, String)>,
    /// Body, if any.
    pub body: Option<Captured>,
}

/// One captured SCIM exchange.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FeedEntry {
    /// Sequence number, increasing from 1.
    pub seq: u64,
    /// When the request arrived, RFC 3339.
    pub time: String,
    /// Tenant (`default` until tenants exist).
    pub tenant: String,
    /// IdP guessed from the `User-Agent`.
    pub idp: String,
    /// HTTP method.
    pub method: String,
    /// Path (without query).
    pub path: String,
    /// Query string, if any.
    pub query: Option<String>,
    /// Response status.
    pub status: u16,
    /// Time to answer, milliseconds.
    pub latency_ms: f64,
    /// The resource a write touched.
    pub resource: Option<ResourceRef>,
    /// The request.
    pub request: Side,
    /// The response.
    pub response: Side,
    /// For writes: what changed in the resource.
    pub diff: Option<Vec<Change>>,
}

/// A feed entry without bodies, for the list.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct FeedSummary {
    /// See [`FeedEntry`].
    pub seq: u64,
    /// See [`FeedEntry`].
    pub time: String,
    /// See [`FeedEntry`].
    pub tenant: String,
    /// See [`FeedEntry`].
    pub idp: String,
    /// See [`FeedEntry`].
    pub method: String,
    /// See [`FeedEntry`].
    pub path: String,
    /// See [`FeedEntry`].
    pub status: u16,
    /// See [`FeedEntry`].
    pub latency_ms: f64,
    /// See [`FeedEntry`].
    pub resource: Option<ResourceRef>,
    /// Number of changed attributes, for writes.
    pub changes: Option<usize>,
}

impl FeedEntry {
    /// The list form.
    pub(crate) fn summary(&self) -> FeedSummary {
        FeedSummary {
            seq: self.seq,
            time: self.time.clone(),
            tenant: self.tenant.clone(),
            idp: self.idp.clone(),
            method: self.method.clone(),
            path: self.path.clone(),
            status: self.status,
            latency_ms: self.latency_ms,
            resource: self.resource.clone(),
            changes: self.diff.as_ref().map(Vec::len),
        }
    }
}

#[derive(Debug, Default)]
struct FeedInner {
    next: u64,
    entries: VecDeque<FeedEntry>,
}

/// The bounded feed: the last `capacity` exchanges.
#[derive(Debug)]
pub struct Feed {
    capacity: usize,
    inner: Mutex<FeedInner>,
}

impl Feed {
    /// A feed keeping `capacity` entries (0: capture off).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(FeedInner::default()),
        }
    }

    /// How many entries it keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Whether capture is on.
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    /// Appends an entry (its `seq` is assigned here), dropping the oldest
    /// beyond capacity.
    pub fn push(&self, mut entry: FeedEntry) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.next += 1;
        entry.seq = inner.next;
        while inner.entries.len() >= self.capacity {
            inner.entries.pop_front();
        }
        inner.entries.push_back(entry);
    }

    /// Summaries of entries with `seq > after`, newest first, at most `limit`.
    pub(crate) fn after(&self, after: u64, limit: usize) -> Vec<FeedSummary> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .entries
            .iter()
            .rev()
            .take_while(|e| e.seq > after)
            .take(limit)
            .map(FeedEntry::summary)
            .collect()
    }

    /// One entry by sequence number.
    pub fn get(&self, seq: u64) -> Option<FeedEntry> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.entries.iter().find(|e| e.seq == seq).cloned()
    }

    /// The writes that touched one resource, newest first.
    pub fn history(&self, kind: &str, id: &str) -> Vec<FeedEntry> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .entries
            .iter()
            .rev()
            .filter(|e| e.diff.is_some())
            .filter(|e| {
                e.resource
                    .as_ref()
                    .is_some_and(|r| r.kind == kind && r.id == id)
            })
            .cloned()
            .collect()
    }
}

/// `(kind, id)` addressed by a SCIM path (`/scim/v2/Users/{id}`); the id is
/// `None` for the collection.
fn addressed(path: &str) -> Option<(Kind, Option<String>)> {
    let rest = path.strip_prefix(SCIM_BASE_PATH)?.trim_start_matches('/');
    let mut parts = rest.split('/');
    let kind = match parts.next()? {
        "Users" => Kind::User,
        "Groups" => Kind::Group,
        _ => return None,
    };
    let id = parts.next().filter(|s| !s.is_empty()).map(str::to_owned);
    if parts.next().is_some() {
        return None;
    }
    Some((kind, id))
}

fn redacted(mut value: Value) -> Value {
    redact_json(&mut value);
    value
}

fn is_write(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Middleware around `/scim/v2`: records each exchange in the feed. It
/// buffers both bodies (the request's up to the server's body limit, a
/// larger one gets the usual 413) and hands them on unchanged.
pub async fn capture(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.inspect.enabled() {
        return next.run(request).await;
    }
    let started = Instant::now();
    let time = rfc3339(state.now());
    let (parts, body) = request.into_parts();
    let Ok(request_bytes) = axum::body::to_bytes(body, state.max_body_bytes).await else {
        return ScimError::PayloadTooLarge(state.max_body_bytes).into_response();
    };
    let method = parts.method.clone();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let user_agent = parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let request_side = Side {
        headers: redact_headers(&parts.headers),
        body: Captured::parsed(&request_bytes),
    };
    let target = addressed(&path).filter(|_| is_write(&method));
    let before = target
        .as_ref()
        .and_then(|(kind, id)| id.as_ref().and_then(|id| state.store.get(*kind, id)))
        .map(redacted);

    let response = next
        .run(Request::from_parts(parts, Body::from(request_bytes)))
        .await;

    let (res_parts, res_body) = response.into_parts();
    let response_bytes = axum::body::to_bytes(res_body, usize::MAX)
        .await
        .unwrap_or_else(|_| Bytes::new());
    let response_body = Captured::raw(&response_bytes);
    let mut resource = None;
    let mut diff = None;
    if let Some((kind, id)) = target {
        let id = id.or_else(|| {
            (method == Method::POST && res_parts.status.is_success())
                .then(|| {
                    serde_json::from_slice::<Value>(&response_bytes)
                        .ok()?
                        .get("id")?
                        .as_str()
                        .map(str::to_owned)
                })
                .flatten()
        });
        if let Some(id) = id {
            if res_parts.status.is_success() {
                let after = state.store.get(kind, &id).map(redacted);
                diff = Some(diff::diff(before.as_ref(), after.as_ref()));
            }
            resource = Some(ResourceRef {
                kind: kind.endpoint().to_owned(),
                id,
            });
        }
    }
    state.inspect.push(FeedEntry {
        seq: 0,
        time,
        tenant: state.tenant.clone(),
        idp: guess_idp(user_agent.as_deref()).to_owned(),
        method: method.as_str().to_owned(),
        path,
        query,
        status: res_parts.status.as_u16(),
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        resource,
        request: request_side,
        response: Side {
            headers: redact_headers(&res_parts.headers),
            body: response_body,
        },
        diff,
    });
    Response::from_parts(res_parts, Body::from(response_bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn idp_is_guessed_from_the_user_agent() {
        assert_eq!(guess_idp(Some("Okta SCIM Client 1.0.0")), "okta");
        assert_eq!(guess_idp(Some("OKTA SCIM Integration")), "okta");
        assert_eq!(
            guess_idp(Some("Microsoft Azure AD SCIM provisioning")),
            "entra"
        );
        assert_eq!(guess_idp(Some("curl/8.0")), "unknown");
        assert_eq!(guess_idp(None), "unknown");
    }

    #[test]
    fn secrets_in_headers_and_bodies_are_redacted() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Bearer s3cr3t"));
        headers.insert("cookie", HeaderValue::from_static("sid=s3cr3t"));
        headers.insert("x-auth-token", HeaderValue::from_static("s3cr3t"));
        headers.insert("user-agent", HeaderValue::from_static("Okta SCIM Client"));
        let shown = redact_headers(&headers);
        let text = format!("{shown:?}");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(text.contains("Bearer ***"), "{text}");
        assert!(text.contains("Okta SCIM Client"), "{text}");
        let body = capture_body(br#"{"userName":"a","password":"s3cr3t"}"#).expect("body");
        assert!(!format!("{body:?}").contains("s3cr3t"));
    }

    #[test]
    fn feed_keeps_the_last_entries_and_bodies_are_capped() {
        let feed = Feed::new(3);
        let big = vec![b'x'; BODY_CAP * 2];
        for i in 0..5 {
            feed.push(FeedEntry {
                seq: 0,
                time: String::new(),
                tenant: "default".into(),
                idp: "okta".into(),
                method: "GET".into(),
                path: format!("/{i}"),
                query: None,
                status: 200,
                latency_ms: 0.0,
                resource: None,
                request: Side {
                    headers: vec![],
                    body: Captured::parsed(&big),
                },
                response: Side {
                    headers: vec![],
                    body: None,
                },
                diff: None,
            });
        }
        let all = feed.after(0, 100);
        let seqs: Vec<u64> = all.iter().map(|s| s.seq).collect();
        assert_eq!(seqs, [5, 4, 3]);
        assert_eq!(feed.after(4, 100).len(), 1);
        assert!(feed.get(1).is_none());
        let Some(Captured::Parsed(body)) = feed.get(5).and_then(|e| e.request.body) else {
            panic!("a parsed request body");
        };
        assert!(body.truncated);
        assert_eq!(body.bytes, BODY_CAP * 2);
        assert_eq!(body.text.map(|t| t.len()), Some(BODY_CAP));
    }

    #[test]
    fn a_raw_response_body_is_capped_and_shown_as_a_parsed_one_would_be() {
        let big = Bytes::from(vec![b'x'; BODY_CAP * 2]);
        let Some(Captured::Raw { prefix, len }) = Captured::raw(&big) else {
            panic!("a raw body");
        };
        assert_eq!((prefix.len(), len), (BODY_CAP, BODY_CAP * 2));
        assert!(Captured::raw(&Bytes::new()).is_none());
        for body in [
            &br#"{"userName":"a","password":"s3cr3t"}"#[..],
            &big[..],
            b"not json",
        ] {
            let raw = Captured::raw(&Bytes::copy_from_slice(body)).expect("raw");
            let parsed = Captured::parsed(body).expect("parsed");
            assert_eq!(
                serde_json::to_value(&raw).expect("shown"),
                serde_json::to_value(&parsed).expect("shown")
            );
        }
        let shown = serde_json::to_string(&Captured::raw(&Bytes::from_static(
            br#"{"password":"s3cr3t"}"#,
        )))
        .expect("shown");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }

    #[test]
    fn scim_paths_name_their_resource() {
        assert_eq!(
            addressed("/scim/v2/Users/abc"),
            Some((Kind::User, Some("abc".into())))
        );
        assert_eq!(addressed("/scim/v2/Groups"), Some((Kind::Group, None)));
        assert_eq!(addressed("/scim/v2/Schemas/x"), None);
        assert_eq!(addressed("/scim/v2/Users/a/b"), None);
    }
}
