//! The HTTP client: one keep-alive `reqwest` client per run, manual redirects
//! (so every hop is recorded and `Authorization` never leaves the origin),
//! Okta's 429 policy (wait `Retry-After`, double on repeats, give up after 10,
//! bounded in time by [`ThrottlePolicy`]), and the bounds on what a target
//! can make the harness hold: every body is read incrementally and refused
//! past `max_body` (never allocated whole), and the transcript kept in the
//! results holds at most [`KEPT_BODY`] bytes of each body, and
//! [`KEPT_BODY_LEAN`] once the run has kept [`KEPT_RUN_BUDGET`] in all (the
//! report grows with it). Every request asks
//! the run's [`Breaker`] first and reports its outcome to it afterwards; a
//! request in flight is abandoned when the breaker trips (another request
//! gave up on the target, or the deadline passed). It does not decide
//! outcomes or print.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};

use crate::runner::breaker::Breaker;
use crate::runner::oauth::{OAuthSource, PLACEHOLDER};
use crate::runner::options::{RunOptions, ThrottlePolicy, format_size};
use crate::runner::result::Exchange;
use crate::runner::{RunError, RunErrorKind};

/// The placeholder's token part (after `Bearer `): a step may spell the scheme otherwise.
fn placeholder_token() -> &'static str {
    PLACEHOLDER.split_once(' ').map_or(PLACEHOLDER, |(_, t)| t)
}

fn is_placeholder(name: &str, value: &str) -> bool {
    name.eq_ignore_ascii_case("authorization")
        && value
            .split_once(' ')
            .is_some_and(|(_, t)| t == placeholder_token())
}

fn carries_placeholder(req: &Outgoing) -> bool {
    req.headers.iter().any(|(k, v)| is_placeholder(k, v))
}

/// `req` with the OAuth placeholder replaced by `<scheme> <token>`.
fn with_token(req: &Outgoing, token: &str) -> Outgoing {
    let mut out = req.clone();
    for (k, v) in &mut out.headers {
        if is_placeholder(k, v) {
            let scheme = v.split_once(' ').map_or("Bearer", |(s, _)| s);
            *v = format!("{scheme} {token}");
        }
    }
    out
}

/// A request ready to send (already rendered).
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub origin: Option<String>,
}

/// A response as the checks see it.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// At most this many bytes of each response body are kept in the recorded
/// exchanges (and so in reports); the checks see the whole (capped) body.
pub(crate) const KEPT_BODY: usize = 64 * 1024;
/// What the transcripts of a whole run keep of bodies before each body is
/// kept to [`KEPT_BODY_LEAN`] (a normal run keeps well under 1 MiB).
pub(crate) const KEPT_RUN_BUDGET: usize = 8 * 1024 * 1024;
/// What is kept of each body once [`KEPT_RUN_BUDGET`] is spent.
pub(crate) const KEPT_BODY_LEAN: usize = 2 * 1024;

/// The run's client.
#[derive(Debug, Clone)]
pub(crate) struct HttpClient {
    client: reqwest::Client,
    throttle: ThrottlePolicy,
    max_redirects: usize,
    max_body: usize,
    breaker: Arc<Breaker>,
    /// Body bytes kept in transcripts so far (shared by the run's clones).
    kept_so_far: Arc<std::sync::atomic::AtomicUsize>,
    /// The run's OAuth token source, if any.
    oauth: Option<Arc<OAuthSource>>,
}

/// A response after the 429 policy, with what the policy did.
struct Throttled {
    resp: Incoming,
    attempts: u32,
    waited: Duration,
}

impl HttpClient {
    /// A client reporting to `breaker` (shared by everything of one run).
    pub(crate) fn new(opts: &RunOptions, breaker: Arc<Breaker>) -> Result<Self, RunError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.request_timeout)
            .user_agent(concat!("scimulator/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                RunError::new(RunErrorKind::Http, format!("building the HTTP client: {e}"))
            })?;
        Ok(Self {
            client,
            throttle: opts.throttle,
            max_redirects: opts.max_redirects,
            max_body: opts.max_body,
            breaker,
            kept_so_far: Arc::default(),
            oauth: opts.oauth.clone(),
        })
    }

    /// Sends `req`, following redirects and honouring 429, recording every
    /// exchange. Sends nothing once the breaker has tripped, and gives up
    /// at once when it trips meanwhile; either way the error is its reason.
    /// A response still `429` after the whole policy is returned as it came.
    /// With an OAuth source, a request carrying [`PLACEHOLDER`] gets the
    /// current token; a 401 to it fetches a fresh token and retries once.
    pub(crate) async fn send(
        &self,
        req: &Outgoing,
        note: Option<&str>,
        log: &mut Vec<Exchange>,
    ) -> Result<Incoming, RunError> {
        let Some(oauth) = self.oauth.as_ref().filter(|_| carries_placeholder(req)) else {
            return self.send_plain(req, note, log).await;
        };
        let oauth_err =
            |e: crate::runner::oauth::OAuthError| RunError::new(RunErrorKind::Http, e.to_string());
        let token = oauth.token().await.map_err(oauth_err)?;
        let resp = self.send_plain(&with_token(req, &token), note, log).await?;
        if resp.status != 401 {
            return Ok(resp);
        }
        let fresh = oauth.refresh_after_401(&token).await.map_err(oauth_err)?;
        if fresh == token {
            return Ok(resp);
        }
        let retry_note = match note {
            Some(n) => format!("{n}; retried with a fresh OAuth token after 401"),
            None => "retried with a fresh OAuth token after 401".to_owned(),
        };
        self.send_plain(&with_token(req, &fresh), Some(&retry_note), log)
            .await
    }

    async fn send_plain(
        &self,
        req: &Outgoing,
        note: Option<&str>,
        log: &mut Vec<Exchange>,
    ) -> Result<Incoming, RunError> {
        if let Some(reason) = self.breaker.tripped() {
            return Err(reason);
        }
        let outcome = tokio::select! {
            biased;
            reason = self.breaker.wait() => return Err(reason),
            outcome = self.send_throttled(req, note, log) => outcome,
        };
        let line = format!("{} {}", req.method, req.url);
        match outcome {
            Ok(t) if t.resp.status == 429 => {
                match self.breaker.throttled(&line, t.attempts, t.waited) {
                    Some(reason) => Err(reason),
                    None => Ok(t.resp),
                }
            }
            Ok(t) => {
                self.breaker.answered();
                Ok(t.resp)
            }
            Err(e) if no_answer(e.kind) => match self.breaker.no_answer(&line, &e) {
                Some(reason) => Err(reason),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    async fn send_throttled(
        &self,
        req: &Outgoing,
        note: Option<&str>,
        log: &mut Vec<Exchange>,
    ) -> Result<Throttled, RunError> {
        let mut throttled = 0u32;
        let mut waited = Duration::ZERO;
        let mut attempt = 1u32;
        loop {
            let attempt_note = match (note, attempt) {
                (n, 1) => n.map(str::to_owned),
                (Some(n), a) => Some(format!("{n}; attempt {a} after 429")),
                (None, a) => Some(format!("attempt {a} after 429")),
            };
            let resp = self
                .send_following_redirects(req, attempt_note, log)
                .await?;
            let done = |resp| {
                Ok(Throttled {
                    resp,
                    attempts: attempt,
                    waited,
                })
            };
            if resp.status != 429 || attempt >= self.throttle.max_attempts {
                return done(resp);
            }
            throttled += 1;
            let base = retry_after(&resp.headers).unwrap_or(self.throttle.default_wait);
            let factor = 2u32.saturating_pow(throttled - 1);
            let wait = base
                .saturating_mul(factor)
                .min(self.throttle.max_wait)
                .min(self.throttle.max_total_wait.saturating_sub(waited));
            if wait.is_zero() && waited >= self.throttle.max_total_wait {
                return done(resp);
            }
            tokio::time::sleep(wait).await;
            waited += wait;
            attempt += 1;
        }
    }

    async fn send_following_redirects(
        &self,
        req: &Outgoing,
        note: Option<String>,
        log: &mut Vec<Exchange>,
    ) -> Result<Incoming, RunError> {
        let mut current = req.clone();
        let origin_url = parse_url(&req.url)?;
        let mut hops = 0usize;
        loop {
            let hop_note = if hops == 0 {
                note.clone()
            } else {
                Some(format!("redirect {hops}"))
            };
            let resp = self.send_once(&current, hop_note, log).await?;
            let location = header(&resp.headers, "location");
            let is_redirect = matches!(resp.status, 301 | 302 | 303 | 307 | 308);
            let (true, Some(location)) = (is_redirect, location) else {
                return Ok(resp);
            };
            if hops >= self.max_redirects {
                return Ok(resp);
            }
            hops += 1;
            let base = parse_url(&current.url)?;
            let next = base.join(location).map_err(|e| {
                RunError::new(
                    RunErrorKind::Step,
                    format!("{}: bad redirect Location `{location}`: {e}", current.url),
                )
            })?;
            if !same_origin(&origin_url, &next) {
                current
                    .headers
                    .retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
            }
            if resp.status == 303
                || (matches!(resp.status, 301 | 302)
                    && current.method != "GET"
                    && current.method != "HEAD")
            {
                current.method = "GET".to_owned();
                current.body = None;
                current
                    .headers
                    .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
            }
            current.url = next.to_string();
        }
    }

    async fn send_once(
        &self,
        req: &Outgoing,
        note: Option<String>,
        log: &mut Vec<Exchange>,
    ) -> Result<Incoming, RunError> {
        let url = parse_url(&req.url)?;
        let method = Method::from_bytes(req.method.as_bytes()).map_err(|_| {
            RunError::new(
                RunErrorKind::Step,
                format!("invalid HTTP method `{}`", req.method),
            )
        })?;
        let mut builder = self.client.request(method, url);
        for (k, v) in &req.headers {
            let name = HeaderName::from_bytes(k.as_bytes()).map_err(|_| {
                RunError::new(RunErrorKind::Step, format!("invalid header name `{k}`"))
            })?;
            let value = HeaderValue::from_str(v).map_err(|_| {
                RunError::new(
                    RunErrorKind::Step,
                    format!("invalid value for header `{k}`"),
                )
            })?;
            builder = builder.header(name, value);
        }
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        let started = Instant::now();
        let mut exchange = Exchange {
            method: req.method.clone(),
            url: req.url.clone(),
            request_headers: req.headers.clone(),
            request_body: req.body.clone(),
            status: None,
            response_headers: Vec::new(),
            response_body: String::new(),
            duration_ms: 0,
            origin: req.origin.clone(),
            note,
        };
        let sent = builder.send().await;
        let mut resp = match sent {
            Ok(resp) => resp,
            Err(e) => {
                let err = RunError::from_reqwest(&req.url, &e);
                exchange.duration_ms = millis(started.elapsed());
                exchange.response_body = format!("error: {err}");
                log.push(exchange);
                return Err(err);
            }
        };
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        exchange.status = Some(status);
        exchange.response_headers = headers.clone();
        let (bytes, failure) = read_capped(&mut resp, self.max_body).await;
        exchange.duration_ms = millis(started.elapsed());
        let body = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        exchange.response_body = self.keep(&body);
        let cost = check_cost(&body);
        let failure = match failure {
            None if cost > cost_limit(self.max_body) => Some(ReadFailure::TooCostly),
            other => other,
        };
        let err = match failure {
            None => {
                log.push(exchange);
                return Ok(Incoming {
                    status,
                    headers,
                    body,
                });
            }
            Some(ReadFailure::TooLarge) => RunError::new(
                RunErrorKind::TooLarge,
                format!(
                    "response body of {} {} exceeds the {} cap (--max-body)",
                    req.method,
                    req.url,
                    format_size(self.max_body)
                ),
            ),
            Some(ReadFailure::TooCostly) => RunError::new(
                RunErrorKind::TooLarge,
                too_costly(
                    &format!("response body of {} {}", req.method, req.url),
                    body.len(),
                    cost,
                    self.max_body,
                ),
            ),
            Some(ReadFailure::Transport(e)) => RunError::from_reqwest(&req.url, &e),
        };
        exchange
            .response_body
            .push_str(&format!("\n[error: {err}]"));
        log.push(exchange);
        Err(err)
    }
}

impl HttpClient {
    /// What the transcript keeps of `body`, within the run's budget.
    fn keep(&self, body: &str) -> String {
        use std::sync::atomic::Ordering;
        let spent = self.kept_so_far.load(Ordering::Relaxed);
        let limit = if spent < KEPT_RUN_BUDGET {
            KEPT_BODY
        } else {
            KEPT_BODY_LEAN
        };
        let text = kept(body, limit);
        self.kept_so_far.fetch_add(text.len(), Ordering::Relaxed);
        text
    }
}

/// Why a body was not read to its end, or not handed to the checks.
enum ReadFailure {
    /// It is larger than the cap.
    TooLarge,
    /// It is JSON too dense to check within [`cost_limit`].
    TooCostly,
    /// The connection failed or timed out meanwhile.
    Transport(reqwest::Error),
}

/// Reads `resp`'s body chunk by chunk, stopping past `cap` bytes. Returns
/// the body, or, when it is over the cap, only its first [`KEPT_BODY`]
/// bytes (for the transcript). The chunks are joined once, into an exact
/// allocation: no reallocation churn (a growing buffer would leave freed
/// copies of itself resident in the allocator for a while).
async fn read_capped(resp: &mut reqwest::Response, cap: usize) -> (Vec<u8>, Option<ReadFailure>) {
    let declared = resp
        .content_length()
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    if declared.is_some_and(|n| n > cap) {
        return (Vec::new(), Some(ReadFailure::TooLarge));
    }
    let mut chunks = Vec::new();
    let mut len = 0usize;
    let failure = loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if len.saturating_add(chunk.len()) > cap {
                    chunks.push(chunk.slice(..cap.saturating_sub(len)));
                    len = cap;
                    break Some(ReadFailure::TooLarge);
                }
                len += chunk.len();
                chunks.push(chunk);
            }
            Ok(None) => break None,
            Err(e) => break Some(ReadFailure::Transport(e)),
        }
    };
    let keep = match failure {
        Some(ReadFailure::TooLarge) => len.min(KEPT_BODY),
        _ => len,
    };
    let mut body = Vec::with_capacity(keep);
    for chunk in chunks {
        let room = keep - body.len();
        if room == 0 {
            break;
        }
        body.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
    }
    (body, failure)
}

/// How much memory checking a body may take, as a multiple of the cap: a
/// body of `max_body` bytes may cost at most `COST_FACTOR × max_body` by
/// [`check_cost`] (16 MiB of JSON strings pass; 4 MiB of user objects,
/// which parse into ~13 times their size, do not).
pub(crate) const COST_FACTOR: usize = 3;

/// The most a body (or a paginated step's pages together) may cost.
pub(crate) fn cost_limit(max_body: usize) -> usize {
    max_body.saturating_mul(COST_FACTOR)
}

/// About the memory checking `body` takes: its text plus twice the size
/// of its parsed `serde_json::Value` (the checks hold a copy besides), where
/// an object costs a B-tree node (~640 bytes) and every member or item ~48.
/// Just the text for a body that does not start like JSON (it would not parse).
pub(crate) fn check_cost(body: &str) -> usize {
    const OBJECT: usize = 640;
    const ITEM: usize = 48;
    let text = body.trim_start();
    if !text.starts_with(['{', '[']) {
        return body.len();
    }
    let (mut objects, mut items) = (0usize, 1usize);
    let mut in_string = false;
    let mut escaped = false;
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'{' => objects += 1,
                b',' | b'[' => items += 1,
                _ => {}
            }
        }
    }
    let parsed = body
        .len()
        .saturating_add(objects.saturating_mul(OBJECT))
        .saturating_add(items.saturating_mul(ITEM));
    body.len().saturating_add(parsed.saturating_mul(2))
}

/// The message for a body (`what`) whose [`check_cost`] is over the limit.
pub(crate) fn too_costly(what: &str, len: usize, cost: usize, max_body: usize) -> String {
    const MIB: usize = 1024 * 1024;
    format!(
        "{what} ({} KiB of JSON) would take about {} MiB of memory to check, over the {} \
         allowed ({COST_FACTOR} × --max-body {}): not checked, to keep memory bounded",
        len.div_ceil(1024),
        cost.div_ceil(MIB),
        format_size(cost_limit(max_body)),
        format_size(max_body)
    )
}

/// What the transcript keeps of a body: all of it up to `limit` bytes,
/// else the start and a note of the cut.
pub(crate) fn kept(body: &str, limit: usize) -> String {
    if body.len() <= limit {
        return body.to_owned();
    }
    let mut end = limit;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n[truncated by scimulator: {} bytes in all, the first {} kept]",
        body.get(..end).unwrap_or_default(),
        body.len(),
        end
    )
}

/// Whether an error means the target gave no usable answer (what the
/// breaker counts), rather than a mistake of the step.
fn no_answer(kind: RunErrorKind) -> bool {
    matches!(
        kind,
        RunErrorKind::Unreachable
            | RunErrorKind::Timeout
            | RunErrorKind::Http
            | RunErrorKind::TooLarge
    )
}

fn parse_url(url: &str) -> Result<Url, RunError> {
    Url::parse(url)
        .map_err(|e| RunError::new(RunErrorKind::Step, format!("invalid URL `{url}`: {e}")))
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The first header named `name` (case-insensitive).
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `Retry-After` as integer seconds; `None` when absent, a date or garbage.
fn retry_after(headers: &[(String, String)]) -> Option<Duration> {
    header(headers, "retry-after")?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Milliseconds, saturating.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_only_integer_seconds() {
        let h = |v: &str| vec![("Retry-After".to_owned(), v.to_owned())];
        assert_eq!(retry_after(&h("7")), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&h("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after(&[]), None);
    }

    #[test]
    fn the_transcript_keeps_the_start_of_a_large_body_and_says_so() {
        assert_eq!(kept("short", KEPT_BODY), "short");
        let big = "é".repeat(KEPT_BODY);
        let k = kept(&big, KEPT_BODY);
        assert!(k.len() < KEPT_BODY + 200, "{}", k.len());
        assert!(
            k.ends_with(&format!(
                "[truncated by scimulator: {} bytes in all, the first {KEPT_BODY} kept]",
                big.len()
            )),
            "{}",
            k.get(k.len() - 100..).unwrap_or_default()
        );
    }

    #[test]
    fn the_check_cost_counts_objects_and_items_but_not_commas_in_strings() {
        assert_eq!(check_cost("<html>,,,{{{"), 12);
        // 7 bytes, 4 items: 7 + 2 × (7 + 4 × 48).
        assert_eq!(check_cost("[0,0,0]"), 7 + 2 * (7 + 4 * 48));
        // One object, 3 items (the root, one comma, one array, one comma in it).
        let text = r#"{"a":"x,y,\\\",z{[","b":[1,2]}"#;
        assert_eq!(
            check_cost(text),
            text.len() + 2 * (text.len() + 640 + 4 * 48)
        );
        // The cap's worth of a JSON string passes; of tiny items, not.
        let cap = 1024 * 1024;
        let string = format!("\"{}\"", "x".repeat(cap - 100));
        assert!(check_cost(&string) <= cost_limit(cap));
        assert!(check_cost(&format!("[{}0]", "0,".repeat(cap / 4))) > cost_limit(cap));
    }

    #[test]
    fn origins_differ_by_port() {
        let a = Url::parse("http://127.0.0.1:1/x").expect("valid");
        let b = Url::parse("http://127.0.0.1:2/x").expect("valid");
        let c = Url::parse("http://127.0.0.1:1/y").expect("valid");
        assert!(!same_origin(&a, &b));
        assert!(same_origin(&a, &c));
    }
}
