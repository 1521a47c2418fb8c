//! The pre-flight: two probes of the target before any suite runs
//! (`GET {base}/ServiceProviderConfig`, then `GET {base}/Users?count=1`, with
//! the run's credentials and headers), so a target that is not a SCIM
//! endpoint at all gets **one** diagnosis instead of a hundred failures. It
//! owns the probes and their reading; it never runs cases and never decides
//! conformance: anything a SCIM server may legitimately do passes (no
//! `/ServiceProviderConfig` at all when `/Users` answers JSON, a single `429`
//! with `Retry-After`, any `application/json` flavour), and the suites judge
//! the rest. Every message is redacted of the run's secrets.
//!
//! It stops the run when the target is unreachable, fails TLS, does not
//! answer in time, does not speak HTTP, answers HTML or other non-JSON (a
//! login page, a wrong base path), answers `404` to both probes, refuses the
//! credentials (`401`/`403` on `/Users`), redirects to another origin,
//! answers `429` to everything, or sends a body over the cap.

use std::sync::Arc;

use reqwest::Url;
use serde_json::Value;

use crate::runner::breaker::Breaker;
use crate::runner::client::{HttpClient, Incoming, Outgoing, header};
use crate::runner::options::{Credentials, RunOptions, format_duration};
use crate::runner::request::auth_header;
use crate::runner::result::Exchange;
use crate::runner::{RunError, RunErrorKind};
use crate::suite::model::Auth;
use crate::template::{Redactor, Scope};
use crate::text::{Mark, clip};

/// What the pre-flight saw on a target it lets through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightInfo {
    /// One line per probe: `GET <url> → 200 application/scim+json`.
    pub probes: Vec<String>,
    /// Remarks that do not stop the run (no `/ServiceProviderConfig`, …).
    pub notes: Vec<String>,
}

/// Why the pre-flight stopped the run. `Display` is the one message for the
/// user, naming what came back and what to try; it holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreflightError {
    /// Connection refused, DNS failure and the like.
    #[error(
        "the target is unreachable: {detail}. Check --target (scheme, host and port) and that the server is running."
    )]
    Unreachable {
        /// The transport error.
        detail: String,
    },
    /// The TLS handshake failed (certificate, protocol, plain HTTP on an https URL).
    #[error(
        "TLS failed on {request}: {detail}. Check the certificate of the target (and that the URL's scheme, https or http, is the one the server speaks)."
    )]
    Tls {
        /// The request.
        request: String,
        /// The transport error.
        detail: String,
    },
    /// No answer within the request timeout.
    #[error(
        "the target did not answer {request} within {timeout} (--request-timeout): it accepts connections but sends nothing back."
    )]
    Timeout {
        /// The request.
        request: String,
        /// The timeout, as the flag takes it.
        timeout: String,
    },
    /// Something answered, but not HTTP (garbage bytes, another protocol).
    #[error(
        "{request} got no HTTP answer: {detail}. Is --target the address of an HTTP(S) server?"
    )]
    NotHttp {
        /// The request.
        request: String,
        /// The transport error.
        detail: String,
    },
    /// An answer that is not JSON (a login page, a wrong base path).
    #[error("{request} answered {status} {content_type}, which is not SCIM JSON: {start}. {hint}")]
    NotJson {
        /// The request (and where it was redirected).
        request: String,
        /// The status.
        status: u16,
        /// The `Content-Type`, or `(no Content-Type)`.
        content_type: String,
        /// The first characters of the body, quoted.
        start: String,
        /// What to try.
        hint: String,
    },
    /// Both probes answered 404.
    #[error(
        "there is no SCIM endpoint at {target}: GET /ServiceProviderConfig and GET /Users both answered 404. {hint}"
    )]
    NotFound {
        /// The base URL given.
        target: String,
        /// What to try.
        hint: String,
    },
    /// `/Users` answered 401 or 403.
    #[error(
        "the target refused the credentials: {request} answered {status}{detail}. {advice} (credentials are never shown)."
    )]
    Refused {
        /// The request.
        request: String,
        /// 401 or 403.
        status: u16,
        /// `: "<start of the body>"`, or nothing.
        detail: String,
        /// What to check.
        advice: String,
    },
    /// A redirect to another origin (its `Authorization` would be dropped).
    #[error(
        "{request} redirects to another host: {location}. The harness does not send credentials across hosts; if that is where the SCIM API lives, use it as --target."
    )]
    Redirect {
        /// The request.
        request: String,
        /// The `Location`, resolved.
        location: String,
    },
    /// Still 429 after the whole 429 policy.
    #[error(
        "the target answers 429 Too Many Requests to everything: {requests} still answered 429 after {attempts} attempts and {waited} of waiting each, honouring Retry-After. Try again later, or raise --max-throttle-wait."
    )]
    Throttled {
        /// The requests, joined.
        requests: String,
        /// Attempts per request.
        attempts: u32,
        /// Waiting per request, as the flag takes it.
        waited: String,
    },
    /// A body over the cap.
    #[error("{detail}. A SCIM discovery document or a one-user page is small: is --target right?")]
    TooLarge {
        /// The client's error.
        detail: String,
    },
    /// The probes could not be sent at all (bad URL, bad header).
    #[error("the pre-flight could not send its probes: {detail}")]
    Setup {
        /// What went wrong.
        detail: String,
    },
}

/// One probe's answer.
struct Answer {
    request: String,
    resp: Incoming,
    json: bool,
    log: Vec<Exchange>,
}

/// Probes `opts.target` as described in the module docs. `Ok` means the
/// suites can run; `Err` is the one diagnosis.
pub async fn preflight(opts: &RunOptions) -> Result<PreflightInfo, PreflightError> {
    let redactor = Redactor::new(opts.secrets());
    let r = |s: &str| redactor.redact(s);
    let spc = probe(opts, "/ServiceProviderConfig", "").await?;
    let users = probe(opts, "/Users", "count=1").await?;
    let mut info = PreflightInfo {
        probes: vec![describe(&spc, &r), describe(&users, &r)],
        notes: Vec::new(),
    };
    let throttled: Vec<&Answer> = [&spc, &users]
        .into_iter()
        .filter(|a| a.resp.status == 429)
        .collect();
    if users.resp.status == 429 {
        let attempts = u32::try_from(users.log.len()).unwrap_or(u32::MAX);
        return Err(PreflightError::Throttled {
            requests: throttled
                .iter()
                .map(|a| r(&a.request))
                .collect::<Vec<_>>()
                .join(" and "),
            attempts,
            waited: format_duration(opts.throttle.max_total_wait),
        });
    }
    if matches!(users.resp.status, 401 | 403) {
        let start = body_start(&users.resp.body);
        return Err(PreflightError::Refused {
            request: r(&users.request),
            status: users.resp.status,
            detail: if users.resp.body.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", r(&start))
            },
            advice: match opts.credentials {
                Credentials::None => {
                    "No --token or --basic was given: pass the target's credentials"
                }
                Credentials::Bearer(_) => "Check --token: the target does not accept it",
                Credentials::Basic { .. } => "Check --basic: the target does not accept it",
            }
            .to_owned(),
        });
    }
    if (200..300).contains(&users.resp.status) && users.json {
        if !(spc.resp.status == 200 && spc.json) {
            info.notes.push(format!(
                "{} answered {} without a JSON document; the discovery cases will report it",
                r(&spc.request),
                spc.resp.status
            ));
        }
        return Ok(info);
    }
    if users.resp.status == 404 && spc.resp.status == 404 {
        return Err(PreflightError::NotFound {
            target: r(&opts.target),
            hint: base_hint(&opts.target),
        });
    }
    if users.json {
        info.notes.push(format!(
            "{} answered {}; the suites will report what that breaks",
            r(&users.request),
            users.resp.status
        ));
        return Ok(info);
    }
    Err(not_json(&users, &opts.target, &r))
}

/// `GET {target}{path}?{query}` with the run's credentials and headers.
/// Transport errors and redirects to another origin stop the pre-flight.
async fn probe(opts: &RunOptions, path: &str, query: &str) -> Result<Answer, PreflightError> {
    let redactor = Redactor::new(opts.secrets());
    let r = |s: &str| redactor.redact(s);
    // A breaker of its own: the probes judge the answers themselves.
    let breaker = Arc::new(Breaker::new(opts.request_timeout));
    let client = HttpClient::new(opts, breaker).map_err(|e| PreflightError::Setup {
        detail: r(&e.message),
    })?;
    let scope = Scope::new("preflight");
    let mut headers = Vec::new();
    if let Ok(Some(auth)) = auth_header(&Auth::Default, &scope, opts) {
        headers.push(("Authorization".to_owned(), auth));
    }
    headers.push(("Accept".to_owned(), "application/scim+json".to_owned()));
    headers.extend(opts.headers.iter().cloned());
    let url = crate::runner::query::join_url(&opts.target, path, query);
    let req = Outgoing {
        method: "GET".to_owned(),
        url: url.clone(),
        headers,
        body: None,
        origin: None,
    };
    let request = format!("GET {url}");
    let mut log = Vec::new();
    let sent = client.send(&req, None, &mut log).await;
    if let Some(location) = foreign_redirect(&url, &log) {
        return Err(PreflightError::Redirect {
            request: r(&request),
            location: r(&location),
        });
    }
    let resp = match sent {
        Ok(resp) => resp,
        Err(e) => return Err(transport(&request, &e, opts, &r)),
    };
    let json = serde_json::from_str::<Value>(&resp.body).is_ok_and(|v| v.is_object());
    let hops: Vec<&str> = log
        .iter()
        .skip(1)
        .filter(|x| x.note.as_deref().is_some_and(|n| n.starts_with("redirect")))
        .map(|x| x.url.as_str())
        .collect();
    let request = match hops.last() {
        Some(last) => format!("{request} (redirected to {last})"),
        None => request,
    };
    Ok(Answer {
        request,
        resp,
        json,
        log,
    })
}

/// The pre-flight error for a transport error of `request`.
fn transport(
    request: &str,
    e: &RunError,
    opts: &RunOptions,
    r: &impl Fn(&str) -> String,
) -> PreflightError {
    // The breaker words a refused connection as "the target is unreachable: …".
    let detail = e
        .message
        .strip_prefix("the target is unreachable: ")
        .unwrap_or(&e.message);
    let lower = detail.to_ascii_lowercase();
    let tls = [
        "certificate",
        "tls",
        "handshake",
        "corrupt message",
        "invalidcontenttype",
    ]
    .iter()
    .any(|w| lower.contains(w));
    match e.kind {
        _ if tls => PreflightError::Tls {
            request: r(request),
            detail: r(detail),
        },
        RunErrorKind::Unreachable => PreflightError::Unreachable { detail: r(detail) },
        RunErrorKind::Timeout => PreflightError::Timeout {
            request: r(request),
            timeout: format_duration(opts.request_timeout),
        },
        RunErrorKind::TooLarge => PreflightError::TooLarge { detail: r(detail) },
        RunErrorKind::Step | RunErrorKind::Template => PreflightError::Setup { detail: r(detail) },
        _ => PreflightError::NotHttp {
            request: r(request),
            detail: r(detail),
        },
    }
}

/// The `Location` of the first redirect in `log` that leaves `url`'s origin.
fn foreign_redirect(url: &str, log: &[Exchange]) -> Option<String> {
    let origin = Url::parse(url).ok()?;
    for x in log {
        if !matches!(x.status, Some(301 | 302 | 303 | 307 | 308)) {
            continue;
        }
        let Some(location) = header(&x.response_headers, "location") else {
            continue;
        };
        let Ok(next) = Url::parse(&x.url).and_then(|base| base.join(location)) else {
            continue;
        };
        let same = next.scheme() == origin.scheme()
            && next.host_str() == origin.host_str()
            && next.port_or_known_default() == origin.port_or_known_default();
        if !same {
            return Some(next.to_string());
        }
    }
    None
}

fn not_json(a: &Answer, target: &str, r: &impl Fn(&str) -> String) -> PreflightError {
    let content_type = header(&a.resp.headers, "content-type")
        .map_or_else(|| "(no Content-Type)".to_owned(), str::to_owned);
    let html = content_type.to_ascii_lowercase().contains("html")
        || a.resp.body.trim_start().starts_with('<');
    let mut hint = String::new();
    if html {
        hint.push_str(
            "That is an HTML page (a login page, a web app or a proxy's error page), not a SCIM endpoint. ",
        );
    }
    hint.push_str(&base_hint(target));
    PreflightError::NotJson {
        request: r(&a.request),
        status: a.resp.status,
        content_type: r(&content_type),
        start: r(&body_start(&a.resp.body)),
        hint,
    }
}

/// What to try about the base URL.
fn base_hint(target: &str) -> String {
    let usual =
        "--target must be the SCIM base URL, the one /Users and /ServiceProviderConfig are under";
    let Ok(url) = Url::parse(target) else {
        return format!("{usual}; it usually ends in /scim/v2.");
    };
    if url
        .path()
        .trim_end_matches('/')
        .to_ascii_lowercase()
        .ends_with("/scim/v2")
    {
        return format!("{usual}: check the path.");
    }
    let mut example = url.clone();
    example.set_query(None);
    example.set_fragment(None);
    example.set_path(&format!("{}/scim/v2", url.path().trim_end_matches('/')));
    format!("{usual}; it usually ends in /scim/v2, e.g. {example}.")
}

/// The first ~100 characters of a body, whitespace collapsed, quoted.
fn body_start(body: &str) -> String {
    const MAX: usize = 100;
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return "(empty body)".to_owned();
    }
    format!("\"{}\"", clip(&flat, MAX, Mark::Ellipsis))
}

/// `GET <url> → 200 application/scim+json`.
fn describe(a: &Answer, r: &impl Fn(&str) -> String) -> String {
    let content_type = header(&a.resp.headers, "content-type").unwrap_or("(no Content-Type)");
    r(&format!("{} → {} {content_type}", a.request, a.resp.status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_hint_suggests_scim_v2_below_the_given_path() {
        assert!(
            base_hint("https://app.example.com").contains("e.g. https://app.example.com/scim/v2."),
            "{}",
            base_hint("https://app.example.com")
        );
        assert!(base_hint("https://h/api/").contains("e.g. https://h/api/scim/v2."));
        assert!(base_hint("https://h/scim/v2/").ends_with("check the path."));
    }

    #[test]
    fn the_body_start_is_short_flat_and_quoted() {
        assert_eq!(body_start("  \n"), "(empty body)");
        assert_eq!(body_start("<html>\n  <body>"), "\"<html> <body>\"");
        let long = body_start(&"x".repeat(500));
        assert_eq!(long.chars().count(), 103);
        assert!(long.ends_with("…\""));
    }

    #[test]
    fn a_redirect_to_another_port_is_foreign() {
        let hop = |url: &str, location: &str| Exchange {
            method: "GET".into(),
            url: url.into(),
            request_headers: Vec::new(),
            request_body: None,
            status: Some(302),
            response_headers: vec![("Location".into(), location.into())],
            response_body: String::new(),
            duration_ms: 0,
            origin: None,
            note: None,
        };
        let url = "http://127.0.0.1:1/scim/v2/Users";
        assert_eq!(foreign_redirect(url, &[hop(url, "/login")]), None);
        assert_eq!(
            foreign_redirect(url, &[hop(url, "http://127.0.0.1:2/login")]),
            Some("http://127.0.0.1:2/login".to_owned())
        );
    }
}
