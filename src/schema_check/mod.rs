//! Checking SCIM bodies against schemas (the harness side; the schema *model*
//! the server uses is `crate::scim::schema`): JSON Schema validation against
//! hand-written schemas taken from RFC 7643/7644 (User, Group, EnterpriseUser, ListResponse, Error,
//! PatchOp, ServiceProviderConfig, ResourceType, Schema). The schemas are
//! embedded and compiled once. `target_schemas` checks a resource against the
//! schemas a server declared in its own `/Schemas` (fetched by the runner).
//! This module reports its own [`Violation`]s (the runner maps them to
//! failures); it never performs I/O and knows nothing of suites, checks or
//! the runner.

mod registry;
mod target_schemas;
mod violation;

pub use registry::validate;
pub(crate) use target_schemas::excerpt;
pub use target_schemas::{parse_declared, validate_declared};
pub use violation::{SchemaName, Violation};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod walk_tests;
