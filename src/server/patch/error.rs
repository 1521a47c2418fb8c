//! Errors of the PATCH engine.

use thiserror::Error;

/// A PATCH request cannot be applied. The server answers `400` with
/// [`PatchError::scim_type`] as the SCIM `scimType` and `detail` as the detail.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{scim_type}: {detail}")]
pub struct PatchError {
    /// `invalidPath`, `noTarget`, `invalidValue`, `mutability`, `invalidSyntax` or `invalidFilter`.
    pub scim_type: &'static str,
    /// Human-readable detail.
    pub detail: String,
}

impl PatchError {
    /// The RFC 7644 §3.12 `scimType` keyword.
    pub fn scim_type(&self) -> &'static str {
        self.scim_type
    }

    pub(crate) fn invalid_path(detail: impl Into<String>) -> Self {
        Self::new("invalidPath", detail)
    }

    pub(crate) fn no_target(detail: impl Into<String>) -> Self {
        Self::new("noTarget", detail)
    }

    pub(crate) fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new("invalidValue", detail)
    }

    pub(crate) fn mutability(detail: impl Into<String>) -> Self {
        Self::new("mutability", detail)
    }

    pub(crate) fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::new("invalidSyntax", detail)
    }

    pub(crate) fn new(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self {
            scim_type,
            detail: detail.into(),
        }
    }
}

impl From<crate::server::filter::FilterError> for PatchError {
    fn from(e: crate::server::filter::FilterError) -> Self {
        Self::new("invalidFilter", e.to_string())
    }
}
