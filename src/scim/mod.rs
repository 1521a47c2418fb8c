//! Shared SCIM 2.0 vocabulary: schema URNs, resource-type names, the media
//! type, and the protocol message shapes (`ListResponse`, `Error`,
//! `PatchOp`). No I/O lives here; the server, the harness's schema checks,
//! the IdP profiles and the assertions all speak this vocabulary.

pub mod message;
pub mod schema;

/// The SCIM media type (RFC 7644 §3.1).
pub const MEDIA_TYPE: &str = "application/scim+json";
/// Core User schema URN (RFC 7643 §4.1).
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Core Group schema URN (RFC 7643 §4.2).
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// Enterprise User extension URN (RFC 7643 §4.3).
pub const ENTERPRISE_USER_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// ListResponse message URN (RFC 7644 §3.4.2).
pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// Error message URN (RFC 7644 §3.12).
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// PatchOp message URN (RFC 7644 §3.5.2).
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// SearchRequest message URN (RFC 7644 §3.4.3).
pub const SEARCH_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
/// ServiceProviderConfig schema URN (RFC 7643 §5).
pub const SERVICE_PROVIDER_CONFIG_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// ResourceType schema URN (RFC 7643 §6).
pub const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// Schema schema URN (RFC 7643 §7).
pub const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
/// scimulator's read-only extension exposing the resolved organisation role
/// of a user on the reference server.
pub const SCIMULATOR_USER_SCHEMA: &str =
    "urn:scimulator:params:scim:schemas:extension:product:2.0:User";
/// Okta Identity Governance's Role schema (okta-wire.md §4.5): the resources
/// of a role endpoint a server lists in `/ResourceTypes`.
pub const OKTA_ROLE_SCHEMA: &str = "urn:okta:scim:schemas:core:1.0:Role";
/// Okta Identity Governance's Entitlement schema (okta-wire.md §4.5).
pub const OKTA_ENTITLEMENT_SCHEMA: &str = "urn:okta:scim:schemas:core:1.0:Entitlement";
