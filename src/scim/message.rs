//! Protocol message shapes of RFC 7644 as serde types.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A SCIM Error response body (RFC 7644 §3.12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Always `[ERROR_SCHEMA]`.
    pub schemas: Vec<String>,
    /// The HTTP status code as a string, e.g. `"404"`.
    pub status: String,
    /// The SCIM error keyword (`invalidFilter`, `uniqueness`, …) where the RFC defines one.
    #[serde(rename = "scimType", skip_serializing_if = "Option::is_none")]
    pub scim_type: Option<String>,
    /// Human-readable detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ErrorBody {
    /// Builds an error body for `status` with an optional `scimType`.
    pub fn new(status: u16, scim_type: Option<&str>, detail: impl Into<String>) -> Self {
        Self {
            schemas: vec![super::ERROR_SCHEMA.to_owned()],
            status: status.to_string(),
            scim_type: scim_type.map(str::to_owned),
            detail: Some(detail.into()),
        }
    }
}

/// A SCIM ListResponse (RFC 7644 §3.4.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListResponse {
    /// Always `[LIST_RESPONSE_SCHEMA]`.
    pub schemas: Vec<String>,
    /// Number of results matched by the whole query.
    #[serde(rename = "totalResults")]
    pub total_results: u64,
    /// Number of resources on this page.
    #[serde(rename = "itemsPerPage")]
    pub items_per_page: u64,
    /// 1-based index of the first resource on this page.
    #[serde(rename = "startIndex")]
    pub start_index: u64,
    /// The page of resources.
    #[serde(rename = "Resources", default)]
    pub resources: Vec<Value>,
}

/// One operation of a PatchOp request (RFC 7644 §3.5.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchOperation {
    /// `add`, `replace` or `remove`; Entra ID capitalises them, so compare case-insensitively.
    pub op: String,
    /// The attribute path, absent for path-less operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The value, absent for most removes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// A PatchOp request body (RFC 7644 §3.5.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchRequest {
    /// Should be `[PATCH_OP_SCHEMA]`.
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The operations, applied in order and atomically.
    #[serde(rename = "Operations")]
    pub operations: Vec<PatchOperation>,
}
