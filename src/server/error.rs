//! Server errors: [`ScimError`] (every error a client can see, rendered as a
//! SCIM `Error` body with `application/scim+json`), [`ServerError`] (start-up
//! failures) and [`ConfigError`] (configuration loading).

use std::path::PathBuf;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::scim::MEDIA_TYPE;
use crate::scim::message::ErrorBody;

/// An error answered to a SCIM or admin client.
#[derive(Debug, thiserror::Error)]
pub enum ScimError {
    /// 400 with a SCIM `scimType` (`invalidFilter`, `invalidSyntax`, `invalidValue`, …).
    #[error("{detail}")]
    BadRequest {
        /// The RFC 7644 §3.12 keyword, if one applies.
        scim_type: Option<&'static str>,
        /// Human-readable detail.
        detail: String,
    },
    /// 401: missing, malformed, unknown, expired or revoked credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 401 for a bearer token that is unknown, expired or revoked: the
    /// `WWW-Authenticate` challenge carries `error="invalid_token"` (RFC 6750 §3.1).
    #[error("{0}")]
    InvalidToken(String),
    /// 403: a valid bearer token without the `scim` scope (RFC 6750 §3.1 `insufficient_scope`).
    #[error("the token lacks the scope `scim`")]
    InsufficientScope,
    /// 404: unknown resource or route.
    #[error("{0}")]
    NotFound(String),
    /// 405: the route exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409 `uniqueness`.
    #[error("{0}")]
    Conflict(String),
    /// 412: `If-Match` did not match the current version.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 413: the body exceeds the configured limit.
    #[error("request body exceeds {0} bytes")]
    PayloadTooLarge(usize),
    /// 500: an internal failure; details are logged, never returned.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ScimError {
    /// 400 `invalidSyntax`.
    pub(crate) fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::BadRequest {
            scim_type: Some("invalidSyntax"),
            detail: detail.into(),
        }
    }

    /// 400 `invalidValue`.
    pub(crate) fn invalid_value(detail: impl Into<String>) -> Self {
        Self::BadRequest {
            scim_type: Some("invalidValue"),
            detail: detail.into(),
        }
    }

    /// 400 `invalidFilter`.
    pub(crate) fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::BadRequest {
            scim_type: Some("invalidFilter"),
            detail: detail.into(),
        }
    }

    /// 400 with an arbitrary scimType (e.g. from the PATCH engine).
    pub(crate) fn bad_request(scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            scim_type,
            detail: detail.into(),
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) | Self::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            Self::InsufficientScope => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The SCIM `Error` body of this error.
    pub fn body(&self) -> ErrorBody {
        let scim_type = match self {
            Self::BadRequest { scim_type, .. } => *scim_type,
            Self::Conflict(_) => Some("uniqueness"),
            _ => None,
        };
        let detail = match self {
            Self::Internal(_) => "internal error".to_owned(),
            other => other.to_string(),
        };
        ErrorBody::new(self.status().as_u16(), scim_type, detail)
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            eprintln!("scimulator server: internal error: {detail}");
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
        let challenge = match &self {
            // RFC 6750 §3: the error code and description tell the client why.
            Self::InvalidToken(detail) => Some(format!(
                "Bearer realm=\"scimulator\", error=\"invalid_token\", error_description=\"{}\"",
                detail.replace(['"', '\\'], "'")
            )),
            Self::InsufficientScope => Some(
                "Bearer realm=\"scimulator\", error=\"insufficient_scope\", scope=\"scim\""
                    .to_owned(),
            ),
            _ if status == StatusCode::UNAUTHORIZED => {
                Some("Bearer realm=\"scimulator\"".to_owned())
            }
            _ => None,
        };
        if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// Failure to start the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listener could not bind.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The address that was requested.
        addr: std::net::SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The configuration is inconsistent.
    #[error("invalid server configuration: {0}")]
    Config(#[from] ConfigError),
    /// The data file (`--data`) cannot be used.
    #[error(transparent)]
    Data(#[from] super::store::persist::DataFileError),
}

/// Failure to load or validate a server configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The YAML is invalid or has unknown keys.
    #[error("invalid server config {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The YAML error.
        source: serde_yaml_ng::Error,
    },
    /// A value is semantically invalid.
    #[error("{0}")]
    Invalid(String),
    /// A valid value could not be saved to the data file.
    #[error("the setting could not be saved: {0}")]
    Save(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_renders_uniqueness_with_string_status() {
        let body = ScimError::Conflict("taken".into()).body();
        assert_eq!(body.status, "409");
        assert_eq!(body.scim_type.as_deref(), Some("uniqueness"));
    }

    #[test]
    fn internal_errors_hide_their_detail() {
        let body = ScimError::Internal("secret path".into()).body();
        assert_eq!(body.detail.as_deref(), Some("internal error"));
    }
}
