//! The HTTP client: one keep-alive `reqwest` client per run, manual redirects
//! (so every hop is recorded and `Authorization` never leaves the origin), and
//! Okta's 429 policy (wait `Retry-After`, double on repeats, give up after 10).

use std::time::{Duration, Instant};

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};

use crate::runner::options::{RunOptions, ThrottlePolicy};
use crate::runner::result::Exchange;
use crate::runner::{RunError, RunErrorKind};

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

/// The run's client.
#[derive(Debug, Clone)]
pub(crate) struct HttpClient {
    client: reqwest::Client,
    throttle: ThrottlePolicy,
    max_redirects: usize,
}

impl HttpClient {
    pub(crate) fn new(opts: &RunOptions) -> Result<Self, RunError> {
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
        })
    }

    /// Sends `req`, following redirects and honouring 429, recording every exchange.
    pub(crate) async fn send(
        &self,
        req: &Outgoing,
        note: Option<&str>,
        log: &mut Vec<Exchange>,
    ) -> Result<Incoming, RunError> {
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
            if resp.status != 429 || attempt >= self.throttle.max_attempts {
                return Ok(resp);
            }
            throttled += 1;
            let base = retry_after(&resp.headers).unwrap_or(self.throttle.default_wait);
            let factor = 2u32.saturating_pow(throttled - 1);
            let wait = base
                .saturating_mul(factor)
                .min(self.throttle.max_wait)
                .min(self.throttle.max_total_wait.saturating_sub(waited));
            if wait.is_zero() && waited >= self.throttle.max_total_wait {
                return Ok(resp);
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
        let result = async {
            let resp = builder.send().await?;
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
            let body = resp.text().await?;
            Ok::<_, reqwest::Error>(Incoming {
                status,
                headers,
                body,
            })
        }
        .await;
        exchange.duration_ms = millis(started.elapsed());
        match result {
            Ok(incoming) => {
                exchange.status = Some(incoming.status);
                exchange.response_headers = incoming.headers.clone();
                exchange.response_body = incoming.body.clone();
                log.push(exchange);
                Ok(incoming)
            }
            Err(e) => {
                let err = RunError::from_reqwest(&req.url, &e);
                exchange.response_body = format!("error: {err}");
                log.push(exchange);
                Err(err)
            }
        }
    }
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
    fn origins_differ_by_port() {
        let a = Url::parse("http://127.0.0.1:1/x").expect("valid");
        let b = Url::parse("http://127.0.0.1:2/x").expect("valid");
        let c = Url::parse("http://127.0.0.1:1/y").expect("valid");
        assert!(!same_origin(&a, &b));
        assert!(same_origin(&a, &c));
    }
}
