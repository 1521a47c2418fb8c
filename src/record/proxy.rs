//! The recording reverse proxy: every request is forwarded unchanged (minus
//! hop-by-hop headers) to the upstream, the response is streamed back
//! unchanged while a bounded prefix of its body is copied into the
//! [`ExchangeLog`]. An unreachable upstream is answered with a 502 SCIM
//! error, recorded like any other exchange. It must not buffer a response
//! body, print, or write files.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use http_body::Frame;

use super::RecordError;
use super::exchange::{Captured, Exchange, ExchangeLog};
use super::grade::Grader;

/// Default cap of the recorded prefix of each body (the rest streams through).
pub const DEFAULT_BODY_CAP: usize = 256 * 1024;
/// Default limit of a request body (requests are buffered, responses never).
pub const DEFAULT_MAX_REQUEST_BODY: usize = 16 * 1024 * 1024;

/// How to run the recorder.
#[derive(Debug, Clone)]
pub struct RecorderConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Base URL requests are forwarded to: `upstream + path?query`.
    pub upstream: String,
    /// Recorded prefix of each body, in bytes.
    pub body_cap: usize,
    /// Largest request body accepted (larger ones get a 413 SCIM error).
    pub max_request_body: usize,
    /// Whether to keep exchanges (off for `serve --grade`).
    pub record: bool,
    /// Connect timeout towards the upstream.
    pub connect_timeout: Duration,
    /// Longest silence between two reads from the upstream.
    pub read_timeout: Duration,
}

impl RecorderConfig {
    /// Defaults: 256 KiB recorded per body, 16 MiB request limit, 10 s
    /// connect and 120 s read timeouts.
    pub fn new(listen: SocketAddr, upstream: impl Into<String>) -> Self {
        Self {
            listen,
            upstream: upstream.into().trim_end_matches('/').to_owned(),
            body_cap: DEFAULT_BODY_CAP,
            max_request_body: DEFAULT_MAX_REQUEST_BODY,
            record: true,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(120),
        }
    }
}

struct Ctx {
    config: RecorderConfig,
    client: reqwest::Client,
    log: Arc<ExchangeLog>,
    grader: Option<Arc<Grader>>,
    started: Instant,
    seq: std::sync::atomic::AtomicU64,
}

/// A running recorder.
#[derive(Debug)]
pub struct RunningRecorder {
    addr: SocketAddr,
    log: Arc<ExchangeLog>,
    grader: Option<Arc<Grader>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningRecorder {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The exchange log.
    pub fn log(&self) -> &Arc<ExchangeLog> {
        &self.log
    }

    /// The grader, when grading.
    pub fn grader(&self) -> Option<&Arc<Grader>> {
        self.grader.as_ref()
    }

    /// Stops accepting connections and waits (at most 5 s) for the server task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.task).await;
        self.task.abort();
    }
}

/// Starts the recorder.
pub async fn start(
    config: RecorderConfig,
    grader: Option<Arc<Grader>>,
) -> Result<RunningRecorder, RecordError> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(config.connect_timeout)
        .read_timeout(config.read_timeout)
        .build()
        .map_err(|e| RecordError::Client(e.to_string()))?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| RecordError::Bind(config.listen, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| RecordError::Bind(config.listen, e))?;
    let log = Arc::new(ExchangeLog::default());
    let ctx = Arc::new(Ctx {
        config,
        client,
        log: log.clone(),
        grader: grader.clone(),
        started: Instant::now(),
        seq: std::sync::atomic::AtomicU64::new(0),
    });
    let app = axum::Router::new().fallback(handle).with_state(ctx);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await;
    });
    Ok(RunningRecorder {
        addr,
        log,
        grader,
        stop: Some(stop),
        task,
    })
}

/// Headers a proxy must not forward (RFC 9110 §7.6.1), plus the ones the
/// HTTP stack sets itself.
fn hop_by_hop(name: &header::HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
    )
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn scim_error(status: u16, detail: &str) -> (Vec<(String, String)>, Bytes) {
    let body = serde_json::to_vec(&crate::scim::message::ErrorBody::new(status, None, detail))
        .unwrap_or_default();
    (
        vec![(
            "content-type".to_owned(),
            crate::scim::MEDIA_TYPE.to_owned(),
        )],
        Bytes::from(body),
    )
}

fn finish_local(ctx: &Ctx, mut exchange: Exchange, status: u16, detail: &str) -> Response {
    let (headers, body) = scim_error(status, detail);
    exchange.status = status;
    exchange.response_headers = headers;
    exchange.response_body = Captured::whole(body.to_vec());
    exchange.upstream_error = Some(detail.to_owned());
    if let Some(grader) = &ctx.grader {
        grader.observe_response(&exchange);
    }
    if ctx.config.record {
        ctx.log.push(exchange);
    }
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(crate::scim::MEDIA_TYPE),
    );
    resp
}

async fn handle(State(ctx): State<Arc<Ctx>>, request: Request) -> Response {
    let seq = ctx.seq.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let at_ms = u64::try_from(ctx.started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (parts, body) = request.into_parts();
    let mut exchange = Exchange {
        seq,
        at_ms,
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        request_headers: header_pairs(&parts.headers),
        ..Exchange::default()
    };
    let body = match axum::body::to_bytes(body, ctx.config.max_request_body).await {
        Ok(b) => b,
        Err(e) => {
            let detail = format!(
                "recorder: request body refused (limit {} bytes): {e}",
                ctx.config.max_request_body
            );
            return finish_local(&ctx, exchange, 413, &detail);
        }
    };
    let mut captured = Captured::default();
    captured.push(&body, ctx.config.body_cap);
    exchange.request_body = captured;
    if let Some(grader) = &ctx.grader {
        grader.check_request(&exchange, &body);
    }

    let mut url = format!("{}{}", ctx.config.upstream, exchange.path);
    if let Some(q) = &exchange.query {
        url.push('?');
        url.push_str(q);
    }
    let mut builder = ctx.client.request(parts.method.clone(), url);
    for (name, value) in &parts.headers {
        if !hop_by_hop(name) && name != header::CONTENT_LENGTH {
            builder = builder.header(name, value);
        }
    }
    let upstream = match builder.body(body).send().await {
        Ok(r) => r,
        Err(e) => {
            let detail = format!("recorder: the upstream is unreachable: {}", error_chain(&e));
            return finish_local(&ctx, exchange, 502, &detail);
        }
    };
    exchange.status = upstream.status().as_u16();
    exchange.response_headers = header_pairs(upstream.headers());
    if let Some(grader) = &ctx.grader {
        grader.observe_response(&exchange);
    }
    let upstream: axum::http::Response<reqwest::Body> = upstream.into();
    let (rparts, rbody) = upstream.into_parts();
    let mut out = Response::builder().status(rparts.status);
    for (name, value) in &rparts.headers {
        if !hop_by_hop(name) {
            out = out.header(name, value);
        }
    }
    let tap = TapBody {
        inner: rbody,
        pending: Some(exchange),
        cap: ctx.config.body_cap,
        log: ctx.config.record.then(|| ctx.log.clone()),
        ended: false,
    };
    out.body(Body::new(tap))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// A response body passed through chunk by chunk; the first `cap` bytes are
/// copied into the pending exchange, which goes to the log when the body
/// ends or is dropped (a client that hangs up mid-body is recorded too).
struct TapBody<B> {
    inner: B,
    pending: Option<Exchange>,
    cap: usize,
    log: Option<Arc<ExchangeLog>>,
    ended: bool,
}

impl<B> TapBody<B> {
    fn finish(&mut self) {
        if let Some(mut exchange) = self.pending.take() {
            if !self.ended && exchange.upstream_error.is_none() {
                exchange.upstream_error = Some("the response body did not complete".into());
            }
            if let Some(log) = &self.log {
                log.push(exchange);
            }
        }
    }
}

impl<B> Drop for TapBody<B> {
    fn drop(&mut self) {
        self.finish();
    }
}

impl<B> HttpBody for TapBody<B>
where
    B: HttpBody<Data = Bytes> + Unpin,
    B::Error: std::fmt::Display,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let (Some(data), Some(ex)) = (frame.data_ref(), this.pending.as_mut()) {
                    ex.response_body.push(data, this.cap);
                }
            }
            Poll::Ready(Some(Err(e))) => {
                if let Some(ex) = this.pending.as_mut() {
                    ex.upstream_error = Some(format!("the response body broke off: {e}"));
                }
                this.finish();
            }
            Poll::Ready(None) => {
                this.ended = true;
                this.finish();
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
