//! Throttling on demand, so a harness can check that it waits on `429` as
//! Okta does (okta-wire.md §3 "429") against a server that never throttles
//! on its own.
//!
//! The first SCIM request carrying a given `X-Scimulator-Throttle: <key>`
//! header is answered `429 Too Many Requests` with `Retry-After: 1` and a
//! SCIM Error body; later requests with the same key pass. Requests without
//! the header are never throttled. The set of seen keys is bounded.

use std::collections::HashSet;
use std::sync::Mutex;

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::scim::MEDIA_TYPE;
use crate::scim::message::ErrorBody;

/// The request header that asks for one 429.
pub(crate) const THROTTLE_HEADER: &str = "x-scimulator-throttle";

/// How many distinct keys are remembered before the set is cleared.
const MAX_KEYS: usize = 10_000;

/// Keys that have already been throttled once.
#[derive(Debug, Default)]
pub(crate) struct ThrottleKeys(Mutex<HashSet<String>>);

impl ThrottleKeys {
    /// True the first time `key` is seen.
    fn first_time(&self, key: &str) -> bool {
        let Ok(mut seen) = self.0.lock() else {
            return false;
        };
        if seen.len() >= MAX_KEYS {
            seen.clear();
        }
        seen.insert(key.to_owned())
    }
}

/// The 429 answering the first request of each throttle key, or `None`
/// to let the request through. The SCIM gate (`auth::scim_gate`) calls this
/// before authenticating, so a throttled request is neither authenticated
/// nor audited.
pub(crate) fn check(keys: &ThrottleKeys, headers: &HeaderMap) -> Option<Response> {
    let key = headers.get(THROTTLE_HEADER)?.to_str().ok()?;
    if !keys.first_time(key) {
        return None;
    }
    let body = ErrorBody::new(429, None, "throttled on request (X-Scimulator-Throttle)");
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(keys: &ThrottleKeys, key: Option<&str>) -> (StatusCode, Option<String>) {
        let mut headers = HeaderMap::new();
        if let Some(k) = key {
            headers.insert(THROTTLE_HEADER, HeaderValue::from_str(k).expect("header"));
        }
        match check(keys, &headers) {
            None => (StatusCode::OK, None),
            Some(response) => (
                response.status(),
                response
                    .headers()
                    .get(header::RETRY_AFTER)
                    .map(|v| v.to_str().unwrap_or_default().to_owned()),
            ),
        }
    }

    #[test]
    fn first_request_of_a_key_is_throttled_once() {
        let keys = ThrottleKeys::default();
        assert_eq!(status(&keys, None).0, StatusCode::OK);
        assert_eq!(
            status(&keys, Some("a")),
            (StatusCode::TOO_MANY_REQUESTS, Some("1".to_owned()))
        );
        assert_eq!(status(&keys, Some("a")).0, StatusCode::OK);
        assert_eq!(status(&keys, Some("b")).0, StatusCode::TOO_MANY_REQUESTS);
    }
}
