//! [`StoreError`]: why a [`Store`](super::Store) refused a write, in the
//! store's own terms. The HTTP layer answers each with its SCIM error
//! (`From<StoreError> for ScimError`); the store itself knows no status codes.

use thiserror::Error;

use super::persist;
use crate::server::error::ScimError;

/// Why the store refused a create, update or delete.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No resource of this kind has this id (404).
    #[error("{0}")]
    NotFound(String),
    /// The write would break a uniqueness rule: `userName`, a Group's
    /// `displayName` (case-insensitively), or the id (409 `uniqueness`).
    #[error("{0}")]
    Conflict(String),
    /// The resource is not a JSON object (400 `invalidSyntax`).
    #[error("{0}")]
    NotAnObject(String),
    /// A value breaks a rule the store keeps: a required name, a Group's
    /// members that must exist (400 `invalidValue`).
    #[error("{0}")]
    InvalidValue(String),
    /// The update's mutation refused the change: its own SCIM error, passed
    /// through unchanged.
    #[error(transparent)]
    Rejected(ScimError),
    /// The data file refused the change; memory was put back as the file
    /// has it (500).
    #[error("the change could not be saved: {0}")]
    Unsaved(#[source] persist::DataFileError),
}

impl From<StoreError> for ScimError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => ScimError::NotFound(m),
            StoreError::Conflict(m) => ScimError::Conflict(m),
            StoreError::NotAnObject(m) => ScimError::invalid_syntax(m),
            StoreError::InvalidValue(m) => ScimError::invalid_value(m),
            StoreError::Rejected(e) => e,
            e @ StoreError::Unsaved(_) => ScimError::Internal(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_keeps_the_scim_error_it_always_had() {
        let cases = [
            (StoreError::NotFound("User 1 not found".into()), 404, None),
            (
                StoreError::Conflict("taken".into()),
                409,
                Some("uniqueness"),
            ),
            (
                StoreError::NotAnObject("x".into()),
                400,
                Some("invalidSyntax"),
            ),
            (
                StoreError::InvalidValue("x".into()),
                400,
                Some("invalidValue"),
            ),
            (
                StoreError::Rejected(ScimError::PreconditionFailed("etag".into())),
                412,
                None,
            ),
        ];
        for (store, status, scim_type) in cases {
            let message = store.to_string();
            let scim = ScimError::from(store);
            assert_eq!(scim.status().as_u16(), status, "{message}");
            let body = serde_json::to_value(scim.body()).expect("a JSON body");
            assert_eq!(
                body.get("scimType").and_then(|t| t.as_str()),
                scim_type,
                "{message}"
            );
            assert_eq!(
                body.get("detail").and_then(|d| d.as_str()),
                Some(message.as_str())
            );
        }
    }
}
