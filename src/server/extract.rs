//! Request extractors and the SCIM response type: [`ScimJson`] (content
//! type check, size limit → 413, malformed JSON → 400 `invalidSyntax`; axum's
//! own rejections never reach the client), [`ListParams`] (query parameters
//! decoded as `application/x-www-form-urlencoded`, so `+` and `%20` are both
//! a space), [`BaseUrl`], [`Preconditions`] and [`ScimResponse`].

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::audit::AuditNote;
use super::error::ScimError;
use super::state::AppState;
use crate::scim::MEDIA_TYPE;

/// A JSON body accepted as `application/scim+json` or `application/json`.
#[derive(Debug, Clone)]
pub(crate) struct ScimJson<T>(pub T);

fn content_type_ok(headers: &HeaderMap) -> Result<(), ScimError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        // Lenient: a body without Content-Type is parsed as JSON.
        return Ok(());
    };
    let text = value
        .to_str()
        .map_err(|_| ScimError::invalid_syntax("malformed Content-Type"))?;
    let essence = text.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case(MEDIA_TYPE) || essence.eq_ignore_ascii_case("application/json")
    {
        Ok(())
    } else {
        Err(ScimError::invalid_syntax(format!(
            "unsupported Content-Type {essence}; use {MEDIA_TYPE} or application/json"
        )))
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for ScimJson<T> {
    type Rejection = ScimError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        content_type_ok(req.headers())?;
        let limit = state.max_body_bytes;
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ScimError::PayloadTooLarge(limit)
            } else {
                ScimError::invalid_syntax("cannot read request body")
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(ScimJson)
            .map_err(|e| ScimError::invalid_syntax(format!("malformed JSON body: {e}")))
    }
}

/// Query parameters of list and read requests (names case-insensitive).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ListParams {
    /// `filter`.
    pub filter: Option<String>,
    /// `sortBy`.
    pub sort_by: Option<String>,
    /// `sortOrder` (`ascending` / `descending`).
    pub sort_order: Option<String>,
    /// `startIndex` (raw).
    pub start_index: Option<String>,
    /// `count` (raw).
    pub count: Option<String>,
    /// `attributes`, split on commas.
    pub attributes: Vec<String>,
    /// `excludedAttributes`, split on commas.
    pub excluded_attributes: Vec<String>,
}

/// Splits a comma-separated attribute list.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl<S: Send + Sync> FromRequestParts<S> for ListParams {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::parse(parts.uri.query().unwrap_or_default()))
    }
}

impl ListParams {
    /// Parses a query string: `+` and `%20` both decode to a space, invalid
    /// UTF-8 is replaced, and names match case-insensitively; unknown names
    /// are ignored.
    pub fn parse(query: &str) -> Self {
        let mut params = Self::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = value.into_owned();
            match name.to_ascii_lowercase().as_str() {
                "filter" => params.filter = Some(value),
                "sortby" => params.sort_by = Some(value),
                "sortorder" => params.sort_order = Some(value),
                "startindex" => params.start_index = Some(value),
                "count" => params.count = Some(value),
                "attributes" => params.attributes = split_list(&value),
                "excludedattributes" => params.excluded_attributes = split_list(&value),
                _ => {}
            }
        }
        params
    }
}

/// The `{id}` (or `{name}`, `{urn}`) path parameter; a malformed one is a
/// SCIM 404 rather than axum's plain-text rejection.
#[derive(Debug, Clone)]
pub(crate) struct PathParam(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathParam {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(p)| Self(p))
            .map_err(|_| ScimError::NotFound("no such resource".into()))
    }
}

/// The absolute SCIM base URL of this request (`http://<Host>/scim/v2`, or
/// the tenant's `/t/{tenant}/scim/v2`).
#[derive(Debug, Clone)]
pub(crate) struct BaseUrl(pub String);

impl FromRequestParts<AppState> for BaseUrl {
    type Rejection = ScimError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty() && !h.contains(['/', ' ', '"']))
            .map(str::to_owned)
            .or_else(|| parts.uri.authority().map(|a| a.to_string()))
            .unwrap_or_else(|| "localhost".to_owned());
        Ok(Self(format!("http://{host}{}", state.scim_path)))
    }
}

/// `If-Match` / `If-None-Match` request headers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Preconditions {
    /// `If-Match` value.
    pub if_match: Option<String>,
    /// `If-None-Match` value.
    pub if_none_match: Option<String>,
}

fn opaque(tag: &str) -> &str {
    let tag = tag.trim();
    tag.strip_prefix("W/").unwrap_or(tag)
}

fn list_matches(header: &str, version: &str) -> bool {
    header
        .split(',')
        .any(|t| t.trim() == "*" || opaque(t) == opaque(version))
}

impl Preconditions {
    /// 412 unless `If-Match` is absent or matches `version` (weak comparison).
    pub(crate) fn check_if_match(&self, version: &str) -> Result<(), ScimError> {
        match &self.if_match {
            Some(h) if !list_matches(h, version) => Err(ScimError::PreconditionFailed(
                "If-Match does not match the current version".into(),
            )),
            _ => Ok(()),
        }
    }

    /// Whether `If-None-Match` matches `version` (→ 304 on GET).
    pub fn not_modified(&self, version: &str) -> bool {
        self.if_none_match
            .as_deref()
            .is_some_and(|h| list_matches(h, version))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Preconditions {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let get = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        Ok(Self {
            if_match: get(header::IF_MATCH),
            if_none_match: get(header::IF_NONE_MATCH),
        })
    }
}

/// The JSON body of a [`ScimResponse`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ScimBody {
    /// A value, encoded when the response is sent.
    Value(Value),
    /// JSON already encoded (a user rendered from stored text).
    Encoded(Vec<u8>),
}

/// A SCIM JSON response with optional `ETag`, `Location` and audit note.
#[derive(Debug, Clone)]
pub(crate) struct ScimResponse {
    /// Status code.
    pub status: StatusCode,
    /// JSON body (`None` for 204/304).
    pub body: Option<ScimBody>,
    /// `ETag` header value.
    pub etag: Option<String>,
    /// `Location` header value.
    pub location: Option<String>,
    /// What to record in the audit log.
    pub note: Option<AuditNote>,
}

impl ScimResponse {
    /// 200 with `body`.
    pub fn ok(body: Value) -> Self {
        Self::ok_encoded(ScimBody::Value(body))
    }

    /// 200 with a body given as a value or as encoded JSON.
    pub(crate) fn ok_encoded(body: ScimBody) -> Self {
        Self {
            status: StatusCode::OK,
            body: Some(body),
            etag: None,
            location: None,
            note: None,
        }
    }

    /// An empty response with `status`.
    pub fn empty(status: StatusCode) -> Self {
        Self {
            status,
            body: None,
            etag: None,
            location: None,
            note: None,
        }
    }

    /// Sets the status.
    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Sets the `ETag`.
    pub(crate) fn with_etag(mut self, etag: Option<String>) -> Self {
        self.etag = etag;
        self
    }

    /// Sets the `Location`.
    pub(crate) fn with_location(mut self, location: Option<String>) -> Self {
        self.location = location;
        self
    }

    /// Sets the audit note.
    pub(crate) fn with_note(mut self, id: &str, change: impl Into<String>) -> Self {
        self.note = Some(AuditNote {
            resource_id: Some(id.to_owned()),
            change: Some(change.into()),
        });
        self
    }
}

impl IntoResponse for ScimResponse {
    fn into_response(self) -> Response {
        let mut response = match self.body {
            Some(body) => {
                let bytes = match body {
                    ScimBody::Value(value) => {
                        // One allocation for a typical resource instead of
                        // a doubling series from empty.
                        let mut bytes = Vec::with_capacity(1024);
                        if serde_json::to_writer(&mut bytes, &value).is_err() {
                            bytes.clear();
                        }
                        bytes
                    }
                    ScimBody::Encoded(bytes) => bytes,
                };
                let mut r = (self.status, bytes).into_response();
                r.headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
                r
            }
            None => self.status.into_response(),
        };
        let headers = response.headers_mut();
        if let Some(etag) = self.etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
            headers.insert(header::ETAG, etag);
        }
        if let Some(location) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            headers.insert(header::LOCATION, location);
        }
        if let Some(note) = self.note {
            response.extensions_mut().insert(note);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_uses_weak_comparison_and_star() {
        let pre = Preconditions {
            if_match: Some("\"3\"".into()),
            if_none_match: None,
        };
        assert!(pre.check_if_match("W/\"3\"").is_ok());
        assert!(pre.check_if_match("W/\"4\"").is_err());
        let star = Preconditions {
            if_match: Some("*".into()),
            if_none_match: Some("W/\"1\", W/\"2\"".into()),
        };
        assert!(star.check_if_match("W/\"9\"").is_ok());
        assert!(star.not_modified("W/\"2\""));
        assert!(!star.not_modified("W/\"3\""));
    }

    #[test]
    fn split_list_trims_and_drops_empties() {
        assert_eq!(
            split_list(" userName, ,emails "),
            vec!["userName", "emails"]
        );
    }
}
