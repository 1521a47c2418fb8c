//! Throttling on demand, so a harness can check that it waits on `429` as
//! Okta does (okta-wire.md §3 "429") against a server that never throttles
//! on its own.
//!
//! The first SCIM request carrying a given `X-Scimulator-Throttle: <key>`
//! header is answered `429 Too Many Requests` with `Retry-After: 1` and a
//! SCIM Error body; later requests with the same key pass. Requests without
//! the header are never throttled. The set of seen keys is bounded.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::scim::MEDIA_TYPE;
use crate::scim::message::ErrorBody;

/// The request header that asks for one 429.
pub const THROTTLE_HEADER: &str = "x-scimulator-throttle";

/// How many distinct keys are remembered before the set is cleared.
const MAX_KEYS: usize = 10_000;

/// Keys that have already been throttled once.
#[derive(Debug, Default)]
pub struct ThrottleKeys(Mutex<HashSet<String>>);

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

/// Middleware answering the first request of each throttle key with 429.
pub async fn throttle(
    State(keys): State<Arc<ThrottleKeys>>,
    request: Request,
    next: Next,
) -> Response {
    let key = request
        .headers()
        .get(THROTTLE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(key) = key
        && keys.first_time(&key)
    {
        let body = ErrorBody::new(429, None, "throttled on request (X-Scimulator-Throttle)");
        let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
        return response;
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::middleware::from_fn_with_state;
    use axum::routing::get;
    use tower::ServiceExt;

    fn app() -> Router {
        Router::new()
            .route("/", get(|| async { "ok" }))
            .route_layer(from_fn_with_state(
                Arc::new(ThrottleKeys::default()),
                throttle,
            ))
    }

    async fn status(app: &Router, key: Option<&str>) -> (StatusCode, Option<String>) {
        let mut request = Request::builder().uri("/");
        if let Some(k) = key {
            request = request.header(THROTTLE_HEADER, k);
        }
        let response = app
            .clone()
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let retry = response
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        (response.status(), retry)
    }

    #[tokio::test]
    async fn first_request_of_a_key_is_throttled_once() {
        let app = app();
        assert_eq!(status(&app, None).await.0, StatusCode::OK);
        assert_eq!(
            status(&app, Some("a")).await,
            (StatusCode::TOO_MANY_REQUESTS, Some("1".to_owned()))
        );
        assert_eq!(status(&app, Some("a")).await.0, StatusCode::OK);
        assert_eq!(
            status(&app, Some("b")).await.0,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}
