//! What a schema check reports: one [`Violation`] per broken rule, and the
//! names of the embedded schemas ([`SchemaName`]). The runner maps
//! violations to its failures; this module knows nothing of suites, checks
//! or reports.

use serde::{Deserialize, Serialize};

/// One rule a body breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The schema checked (`User`, `Declared`, …).
    pub subject: String,
    /// What is wrong, and where.
    pub message: String,
    /// The rule that was expected to hold.
    pub expected: Option<String>,
    /// An excerpt of the offending value.
    pub actual: Option<String>,
}

/// The embedded RFC 7643 JSON Schemas a body can be validated against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SchemaName {
    /// Core User (+ extensions allowed).
    User,
    /// Core Group.
    Group,
    /// A User carrying the enterprise extension.
    EnterpriseUser,
    /// ListResponse envelope.
    ListResponse,
    /// Error message.
    Error,
    /// PatchOp request.
    PatchOp,
    /// ServiceProviderConfig.
    ServiceProviderConfig,
    /// A ListResponse of ResourceTypes or a single ResourceType.
    ResourceType,
    /// A Schema definition.
    Schema,
    /// The schemas the target itself declares in `/Schemas` (fetched once
    /// per run): types, multiValued, required, `returned: never`,
    /// undeclared attributes. Checks a resource or each resource of a list.
    Declared,
}
