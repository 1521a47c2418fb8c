//! A defect-injecting reverse proxy for tests.
//!
//! It forwards every request to the real reference server and applies one
//! [`Fault`]: a rewrite of the request or of the response that reproduces a
//! defect seen in real SCIM servers (a path-less PATCH ignored, a
//! case-sensitive `userName` filter, a 0-based page…), or a quirk that is
//! unusual but conformant (PATCH answering 204, `application/json`…). The
//! reference server itself stays correct; only this test-only layer breaks.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::faults::{Fault, IdStyle};

/// What the proxy knows about the run, so faults can swap credentials.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// A token the upstream accepts.
    pub valid: String,
    /// A token the upstream has revoked.
    pub revoked: String,
}

/// A request on its way upstream.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: Method,
    /// Path below the proxy root, e.g. `/scim/v2/Users/abc`.
    pub path: String,
    /// The raw query string, encoding untouched.
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Req {
    /// The JSON body, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Replaces the body with JSON.
    pub fn set_json(&mut self, value: &Value) {
        self.body = Bytes::from(value.to_string());
    }

    /// The query pairs, split but not decoded.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .as_deref()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.to_owned(), v.to_owned()),
                None => (p.to_owned(), String::new()),
            })
            .collect()
    }

    /// Rebuilds the query from pairs.
    pub fn set_query_pairs(&mut self, pairs: &[(String, String)]) {
        let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        self.query = (!q.is_empty()).then(|| q.join("&"));
    }

    /// Whether the path names one resource of the collection.
    pub fn is_item(&self, collection: &str) -> bool {
        let prefix = format!("/scim/v2/{collection}/");
        self.path.starts_with(&prefix) && self.path.len() > prefix.len()
    }
}

/// A response on its way back.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    /// The JSON body, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Replaces the body with JSON (and fixes Content-Length).
    pub fn set_json(&mut self, value: &Value) {
        self.body = Bytes::from(value.to_string());
        self.headers.remove(header::CONTENT_LENGTH);
    }

    /// A SCIM error response.
    pub fn scim_error(status: u16, detail: &str) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/scim+json"),
        );
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            headers,
            body: Bytes::from(
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                       "status": status.to_string(), "detail": detail})
                .to_string(),
            ),
        }
    }

    /// An empty response with `status`.
    pub fn empty(status: u16) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::NO_CONTENT),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }
}

/// Sends requests to the real server on a fault's behalf.
#[derive(Clone)]
pub struct Upstream {
    base: String,
    client: reqwest::Client,
}

impl Upstream {
    /// Sends `req` upstream unchanged.
    pub async fn send(&self, req: &Req) -> Resp {
        let mut url = format!("{}{}", self.base, req.path);
        if let Some(q) = &req.query {
            url.push('?');
            url.push_str(q);
        }
        let mut builder = self
            .client
            .request(req.method.clone(), url)
            .body(req.body.clone());
        for (name, value) in &req.headers {
            if name != header::HOST && name != header::CONTENT_LENGTH {
                builder = builder.header(name, value);
            }
        }
        match builder.send().await {
            Ok(r) => {
                let status = r.status();
                let headers = r.headers().clone();
                let body = r.bytes().await.unwrap_or_default();
                Resp {
                    status,
                    headers,
                    body,
                }
            }
            Err(e) => Resp::scim_error(502, &format!("proxy: upstream failed: {e}")),
        }
    }

    /// `GET path` with the valid token, as JSON.
    pub async fn get_json(&self, path: &str, creds: &Credentials) -> Option<Value> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {}", creds.valid)).ok()?,
        );
        let req = Req {
            method: Method::GET,
            path: path.to_owned(),
            query: None,
            headers,
            body: Bytes::new(),
        };
        self.send(&req).await.json()
    }
}

/// Shared state of the proxy's one handler.
pub struct Ctx {
    pub fault: Fault,
    pub creds: Credentials,
    pub upstream: Upstream,
    /// For faults that fire once.
    pub fired: AtomicBool,
    /// For the id quirks: upstream id ↔ the id the client sees.
    pub ids: std::sync::Mutex<IdMap>,
    /// For `ThrottleEachPathOnce`: the paths already throttled.
    pub throttled_paths: std::sync::Mutex<std::collections::HashSet<String>>,
    /// For the load faults: requests seen, and PATCHes in flight per path.
    pub load: super::faults::load::LoadState,
}

/// A two-way map between the upstream's UUIDs and the ids the client sees
/// (integer-looking, or long and unusual, per [`IdStyle`]).
#[derive(Debug, Default)]
pub struct IdMap {
    style: IdStyle,
    to_client: std::collections::HashMap<String, String>,
    to_upstream: Vec<(String, String)>,
}

impl IdMap {
    /// An empty map minting ids in `style`.
    pub fn new(style: IdStyle) -> Self {
        Self {
            style,
            ..Self::default()
        }
    }

    /// Replaces every upstream UUID in `text` by its client id, assigning
    /// new ids (of fixed width, so that no id is a prefix of another).
    pub fn outbound(&mut self, text: &str) -> String {
        let re = regex::Regex::new("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
            .expect("a valid regex");
        re.replace_all(text, |c: &regex::Captures<'_>| {
            let uuid = c[0].to_owned();
            let n = self.to_upstream.len() + 1;
            let next = self.style.mint(n);
            self.to_client
                .entry(uuid.clone())
                .or_insert_with(|| {
                    self.to_upstream.push((next.clone(), uuid));
                    next
                })
                .clone()
        })
        .into_owned()
    }

    /// Replaces every client id in `text` by its upstream UUID.
    pub fn inbound(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (client, upstream) in &self.to_upstream {
            out = out.replace(client, upstream);
        }
        out
    }
}

impl Ctx {
    /// True the first time it is called, false afterwards.
    pub fn fire_once(&self) -> bool {
        !self.fired.swap(true, Ordering::SeqCst)
    }
}

/// A running proxy.
pub struct Proxy {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Starts a proxy on 127.0.0.1:0 in front of `upstream_root`
    /// (`http://127.0.0.1:PORT`, without `/scim/v2`).
    pub async fn start(upstream_root: &str, fault: Fault, creds: Credentials) -> Self {
        let ctx = Arc::new(Ctx {
            fault,
            creds,
            upstream: Upstream {
                base: upstream_root.trim_end_matches('/').to_owned(),
                client: reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .expect("a plain client builds"),
            },
            fired: AtomicBool::new(false),
            ids: std::sync::Mutex::new(IdMap::new(IdStyle::of(fault))),
            throttled_paths: std::sync::Mutex::new(std::collections::HashSet::new()),
            load: Default::default(),
        });
        let app = axum::Router::new().fallback(handle).with_state(ctx);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("bound address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, task }
    }

    /// The SCIM base URL through the proxy.
    pub fn scim_base(&self) -> String {
        format!("http://{}/scim/v2", self.addr)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(State(ctx): State<Arc<Ctx>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let mut req = Req {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    let resp = match ctx.fault.on_request(&mut req, &ctx).await {
        Some(short) => short,
        None => {
            let mut resp = ctx.upstream.send(&req).await;
            ctx.fault.on_response(&req, &mut resp, &ctx).await;
            resp
        }
    };
    let mut out = Response::builder().status(resp.status);
    for (name, value) in &resp.headers {
        if name != header::CONTENT_LENGTH && name != header::TRANSFER_ENCODING {
            out = out.header(name, value);
        }
    }
    out.body(Body::from(resp.body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}
