//! Errors of schema validation.

use thiserror::Error;

/// A resource violates its schema. The server maps it to `400` with
/// [`SchemaViolation::scim_type`] as the SCIM `scimType`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SchemaViolation {
    /// A value has the wrong type or a required attribute is missing (`invalidValue`).
    #[error("invalid value for '{path}': {detail}")]
    InvalidValue {
        /// The attribute path, e.g. `name.givenName`.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// A client tried to change an attribute it may not change (`mutability`).
    #[error("attribute '{path}' is {mutability} and cannot be changed")]
    Mutability {
        /// The attribute path.
        path: String,
        /// The attribute's mutability (`readOnly` or `immutable`).
        mutability: &'static str,
    },
}

impl SchemaViolation {
    /// The RFC 7644 §3.12 `scimType` keyword for this violation.
    pub fn scim_type(&self) -> &'static str {
        match self {
            SchemaViolation::InvalidValue { .. } => "invalidValue",
            SchemaViolation::Mutability { .. } => "mutability",
        }
    }

    pub(crate) fn invalid(path: impl Into<String>, detail: impl Into<String>) -> Self {
        SchemaViolation::InvalidValue {
            path: path.into(),
            detail: detail.into(),
        }
    }
}
