//! The load generator's HTTP side: one pooled `reqwest` client, the
//! concurrency cap (a semaphore on requests in flight), every request
//! bounded (timeout, body cap, `429` waits within `--max-retry-wait`), and
//! each IdP's `429` policy. Records every exchange into [`Metrics`] and every
//! write that did not land into the findings. Never logs the token.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT,
};
use serde_json::Value;
use tokio::sync::Semaphore;

use super::error::LoadError;
use super::metrics::{Class, Metrics};
use super::plan::Profile;
use super::verify::{Finding, FindingKind};

/// Largest response body read; longer bodies count as a transport failure.
pub const BODY_CAP: usize = 8 * 1024 * 1024;
/// Okta's wait on a `429` without a usable `Retry-After` (okta-wire.md §3).
const OKTA_DEFAULT_WAIT: Duration = Duration::from_secs(300);
/// Okta gives up after this many throttled attempts.
const OKTA_MAX_ATTEMPTS: u32 = 10;
/// Attempts of the harness's own verification reads on `429`.
const VERIFY_ATTEMPTS: u32 = 20;

/// Where to send, and with which credential.
#[derive(Clone)]
pub struct Target {
    /// The SCIM base URL, e.g. `http://127.0.0.1:8080/scim/v2`.
    pub base: String,
    /// The bearer token (never printed).
    pub token: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("base", &self.base)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// An HTTP answer, body parsed when it is JSON.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Body as JSON (`Null` when empty or not JSON).
    pub body: Value,
}

/// Sends the requests of a run.
pub struct Driver {
    base: String,
    auth: HeaderValue,
    /// Headers of a body-less Okta GET (the hot path of read-user), built once.
    okta_get: HeaderMap,
    client: reqwest::Client,
    timeout: Duration,
    permits: Arc<Semaphore>,
    start: Instant,
    max_retry_wait: Duration,
    metrics: Mutex<Metrics>,
    findings: Mutex<Vec<Finding>>,
    transport_failures: std::sync::atomic::AtomicU64,
}

impl Driver {
    /// A driver for `target` with `concurrency` requests in flight at most.
    pub fn new(
        target: &Target,
        concurrency: usize,
        timeout: Duration,
        max_retry_wait: Duration,
    ) -> Result<Self, LoadError> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", target.token))
            .map_err(|_| LoadError::Params("the token is not a valid header value".into()))?;
        auth.set_sensitive(true);
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5).min(timeout))
            .pool_max_idle_per_host(concurrency.max(1))
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .build()
            .map_err(|e| LoadError::Client(e.to_string()))?;
        Ok(Self {
            base: target.base.trim_end_matches('/').to_owned(),
            okta_get: {
                let mut h = Self::headers(Some(Profile::Okta), false);
                h.insert(AUTHORIZATION, auth.clone());
                h
            },
            auth,
            client,
            timeout,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            start: Instant::now(),
            max_retry_wait,
            metrics: Mutex::new(Metrics::default()),
            findings: Mutex::new(Vec::new()),
            transport_failures: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// The SCIM base URL requests are made under (no trailing `/`).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Restarts the clock the timeline is measured from.
    pub fn restart_clock(&mut self) {
        self.start = Instant::now();
    }

    /// Time since the clock started.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// The clock's start.
    pub fn started(&self) -> Instant {
        self.start
    }

    /// Adds a finding.
    pub fn finding(
        &self,
        kind: FindingKind,
        subject: impl Into<String>,
        detail: impl Into<String>,
    ) {
        if let Ok(mut f) = self.findings.lock() {
            f.push(Finding {
                kind,
                subject: subject.into(),
                detail: detail.into(),
            });
        }
    }

    /// The findings so far, taken out.
    pub fn take_findings(&self) -> Vec<Finding> {
        self.findings
            .lock()
            .map(|mut f| std::mem::take(&mut *f))
            .unwrap_or_default()
    }

    /// A copy of the metrics so far.
    pub fn metrics(&self) -> Metrics {
        self.metrics.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// Merges metrics recorded elsewhere (per-task recorders).
    pub fn merge_metrics(&self, other: &Metrics) {
        if let Ok(mut m) = self.metrics.lock() {
            m.merge(other);
        }
    }

    /// Requests that got no answer at all.
    pub fn transport_failures(&self) -> u64 {
        self.transport_failures
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    fn headers(profile: Option<Profile>, with_body: bool) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, HeaderValue::from_static("application/scim+json"));
        let ua = match profile {
            Some(Profile::Okta) => "Okta SCIM Client 1.0.0",
            Some(Profile::Entra) => "Microsoft Azure AD SCIM provisioning 1.0.0",
            Some(Profile::Sailpoint) => "scimulator-load (SailPoint-shaped)",
            None => "scimulator-load (verification)",
        };
        h.insert(USER_AGENT, HeaderValue::from_static(ua));
        if profile == Some(Profile::Okta) {
            h.insert("accept-charset", HeaderValue::from_static("utf-8"));
        }
        if with_body {
            let ct = if profile == Some(Profile::Okta) {
                "application/scim+json; charset=utf-8"
            } else {
                "application/scim+json"
            };
            h.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        h
    }

    /// One attempt: waits for a permit, sends, reads the body (capped).
    async fn attempt(
        &self,
        profile: Option<Profile>,
        method: &Method,
        path: &str,
        body: Option<&Value>,
        parse: bool,
    ) -> (
        Result<(u16, Option<u64>, Value), String>,
        Duration,
        Duration,
    ) {
        let queued = Instant::now();
        let permit = self.permits.acquire().await;
        let sent = Instant::now();
        let url = format!("{}{path}", self.base);
        let mut req = if profile == Some(Profile::Okta) && body.is_none() {
            self.client
                .request(method.clone(), url)
                .headers(self.okta_get.clone())
        } else {
            self.client
                .request(method.clone(), url)
                .headers(Self::headers(profile, body.is_some()))
                .header(AUTHORIZATION, self.auth.clone())
        };
        if let Some(b) = body {
            req = req.body(b.to_string());
        }
        let result = match req.send().await {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                let mut buf = Vec::new();
                let mut failure = None;
                loop {
                    match resp.chunk().await {
                        Ok(Some(chunk)) => {
                            if buf.len() + chunk.len() > BODY_CAP {
                                failure = Some(format!("body larger than {BODY_CAP} bytes"));
                                break;
                            }
                            buf.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) => {
                            failure = Some(format!("reading the body: {e}"));
                            break;
                        }
                    }
                }
                match failure {
                    Some(f) => Err(f),
                    None if !parse => Ok((status, retry_after, Value::Null)),
                    None => Ok((
                        status,
                        retry_after,
                        serde_json::from_slice(&buf).unwrap_or(Value::Null),
                    )),
                }
            }
            Err(e) => Err(if e.is_timeout() {
                "timed out".to_owned()
            } else {
                format!("no answer: {e}")
            }),
        };
        drop(permit);
        (
            result,
            sent.elapsed(),
            sent.saturating_duration_since(queued),
        )
    }

    /// Sends one IdP request of `kind`, following `profile`'s 429 policy.
    /// `accepted` lists the non-2xx statuses the IdP takes as success.
    /// `Err` says why no usable answer came (already counted in the metrics;
    /// the caller names the lost write).
    #[allow(clippy::too_many_arguments)] // one request: profile, kind, method, path, body, accepted, schedule
    pub async fn send(
        &self,
        profile: Profile,
        kind: &'static str,
        method: Method,
        path: &str,
        body: Option<&Value>,
        accepted: &[u16],
        scheduled: Instant,
    ) -> Result<Answer, String> {
        let mut waited = Duration::ZERO;
        let mut attempts = 0u32;
        let mut last_wait: Option<Duration> = None;
        loop {
            attempts += 1;
            let (result, latency, _queue) =
                self.attempt(Some(profile), &method, path, body, true).await;
            let at = self.start.elapsed().saturating_sub(latency);
            let lag = Instant::now()
                .saturating_duration_since(scheduled)
                .saturating_sub(latency);
            let (status, retry_after, value) = match result {
                Ok(r) => r,
                Err(why) => {
                    self.record(kind, Class::Transport, latency, at, lag);
                    self.transport_failures
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return Err(why);
                }
            };
            let class = classify(status, accepted);
            self.record(kind, class, latency, at, lag);
            if status >= 500 {
                self.finding(
                    FindingKind::ServerError,
                    format!("{method} {}", short(path)),
                    format!("answered {status} ({kind})"),
                );
            }
            if status != 429 {
                return Ok(Answer {
                    status,
                    body: value,
                });
            }
            let wait = match throttle_wait(profile, attempts, retry_after, last_wait) {
                Ok(w) => w,
                Err(why) => return Err(why),
            };
            if waited + wait > self.max_retry_wait {
                return Err(format!(
                    "429 {}: {} would wait {} s, beyond --max-retry-wait {} s",
                    if retry_after.is_some() {
                        "with Retry-After"
                    } else {
                        "without Retry-After"
                    },
                    profile_name(profile),
                    wait.as_secs(),
                    self.max_retry_wait.as_secs()
                ));
            }
            waited += wait;
            last_wait = Some(wait);
            tokio::time::sleep(wait).await;
        }
    }

    fn record(
        &self,
        kind: &'static str,
        class: Class,
        latency: Duration,
        at: Duration,
        lag: Duration,
    ) {
        if let Ok(mut m) = self.metrics.lock() {
            m.record(kind, class, latency, at, lag);
        }
    }

    /// A harness read for the verification (not counted in the metrics):
    /// waits on 429 (`Retry-After`, else 250 ms) up to 20 times; a 5xx is a
    /// finding; `Err` when no usable answer came.
    pub async fn read(&self, path: &str) -> Result<Answer, String> {
        for _ in 0..VERIFY_ATTEMPTS {
            let (result, _, _) = self.attempt(None, &Method::GET, path, None, true).await;
            let (status, retry_after, body) =
                result.map_err(|e| format!("GET {}: {e}", short(path)))?;
            if status == 429 {
                let wait = retry_after.map_or(Duration::from_millis(250), |s| {
                    Duration::from_secs(s.min(5))
                });
                tokio::time::sleep(wait).await;
                continue;
            }
            if status >= 500 {
                self.finding(
                    FindingKind::ServerError,
                    format!("GET {}", short(path)),
                    format!("answered {status} during the verification"),
                );
            }
            return Ok(Answer { status, body });
        }
        Err(format!(
            "GET {}: still 429 after {VERIFY_ATTEMPTS} attempts",
            short(path)
        ))
    }

    /// A connection of read-user's hot path to `endpoint` (see
    /// [`super::conn`]): Okta's GET headers with the token, this driver's
    /// timeout.
    pub fn fast_conn(&self, endpoint: super::conn::Endpoint) -> super::conn::Conn {
        super::conn::Conn::new(endpoint, self.okta_get.clone(), self.timeout)
    }

    /// [`Self::read_measured`] over a worker's own connection.
    pub async fn read_fast(
        &self,
        kind: &'static str,
        conn: &mut super::conn::Conn,
        uri: &hyper::Uri,
        scheduled: Instant,
        metrics: &mut Metrics,
    ) -> bool {
        let sent = Instant::now();
        let result = conn.get(uri).await;
        let latency = sent.elapsed();
        self.record_read(kind, uri.path(), result, latency, scheduled, metrics)
    }

    /// A read for the read-user loop: no retries, recorded into `metrics`.
    pub async fn read_measured(
        &self,
        kind: &'static str,
        path: &str,
        scheduled: Instant,
        metrics: &mut Metrics,
    ) -> bool {
        let (result, latency, _) = self
            .attempt(Some(Profile::Okta), &Method::GET, path, None, false)
            .await;
        let result = result.map(|(status, _, _)| status);
        self.record_read(kind, path, result, latency, scheduled, metrics)
    }

    /// Records one read of the read-user loop into `metrics`; a 5xx is a
    /// finding. True when it succeeded.
    fn record_read(
        &self,
        kind: &'static str,
        path: &str,
        result: Result<u16, String>,
        latency: Duration,
        scheduled: Instant,
        metrics: &mut Metrics,
    ) -> bool {
        let at = self.start.elapsed().saturating_sub(latency);
        let lag = Instant::now()
            .saturating_duration_since(scheduled)
            .saturating_sub(latency);
        let class = match &result {
            Ok(status) => classify(*status, &[]),
            Err(_) => Class::Transport,
        };
        metrics.record(kind, class, latency, at, lag);
        match result {
            Ok(status) if status >= 500 => self.finding(
                FindingKind::ServerError,
                format!("GET {}", short(path)),
                format!("answered {status}"),
            ),
            Ok(_) => {}
            Err(_) => {
                self.transport_failures
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        class == Class::Ok
    }
}

fn classify(status: u16, accepted: &[u16]) -> Class {
    match status {
        200..=299 => Class::Ok,
        s if accepted.contains(&s) => Class::Ok,
        429 => Class::Throttled,
        500..=599 => Class::ServerError,
        _ => Class::ClientError,
    }
}

fn profile_name(p: Profile) -> &'static str {
    match p {
        Profile::Okta => "Okta",
        Profile::Entra => "Entra ID",
        Profile::Sailpoint => "SailPoint",
    }
}

/// How long `profile` waits after its `attempt`-th 429, or why it gives up.
pub fn throttle_wait(
    profile: Profile,
    attempt: u32,
    retry_after: Option<u64>,
    last: Option<Duration>,
) -> Result<Duration, String> {
    match profile {
        // okta-wire.md §3: Retry-After (integer seconds), else 5 minutes;
        // doubled on each further 429; gives up after 10 attempts.
        Profile::Okta => {
            if attempt >= OKTA_MAX_ATTEMPTS {
                return Err(format!("still 429 after {OKTA_MAX_ATTEMPTS} attempts: Okta gives up"));
            }
            let first = retry_after.map_or(OKTA_DEFAULT_WAIT, Duration::from_secs);
            Ok(match last {
                Some(prev) if retry_after.is_none() => prev.saturating_mul(2),
                _ => first,
            })
        }
        // Not published: Retry-After honoured (assumed); without it the change
        // is retried in a later cycle (okta-wire.md §6.1 "retried in later cycles").
        Profile::Entra => match retry_after {
            Some(s) if attempt < OKTA_MAX_ATTEMPTS => Ok(Duration::from_secs(s)),
            _ => Err("429 without Retry-After: Entra ID retries the change in a later cycle (not in this run)".into()),
        },
        // idp-wire-more.md §6: no retry on 429.
        Profile::Sailpoint => Err("429: SailPoint does not retry a throttled member change".into()),
    }
}

/// `path` cut for display (query strings can be long).
pub fn short(path: &str) -> String {
    crate::text::clip(path, 120, crate::text::Mark::Ellipsis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_profile_has_its_429_policy() {
        assert_eq!(
            throttle_wait(Profile::Okta, 1, Some(2), None),
            Ok(Duration::from_secs(2))
        );
        assert_eq!(
            throttle_wait(Profile::Okta, 1, None, None),
            Ok(Duration::from_secs(300))
        );
        assert_eq!(
            throttle_wait(Profile::Okta, 2, None, Some(Duration::from_secs(300))),
            Ok(Duration::from_secs(600))
        );
        assert!(throttle_wait(Profile::Okta, 10, Some(1), None).is_err());
        assert_eq!(
            throttle_wait(Profile::Entra, 1, Some(1), None),
            Ok(Duration::from_secs(1))
        );
        assert!(throttle_wait(Profile::Entra, 1, None, None).is_err());
        assert!(throttle_wait(Profile::Sailpoint, 1, Some(1), None).is_err());
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let t = Target {
            base: "http://x".into(),
            token: "s3cret-token".into(),
        };
        assert!(!format!("{t:?}").contains("s3cret"));
    }
}
