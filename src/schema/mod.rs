//! JSON Schema validation of SCIM bodies against hand-written schemas taken
//! from RFC 7643/7644 (User, Group, EnterpriseUser, ListResponse, Error,
//! PatchOp, ServiceProviderConfig, ResourceType, Schema). The schemas are
//! embedded and compiled once. `declared` checks a resource against the
//! schemas a server declared in its own `/Schemas` (fetched by the runner).
//! This module reports its own [`Violation`]s (the runner maps them to
//! failures); it never performs I/O and knows nothing of suites, checks or
//! the runner.

mod declared;
mod registry;
mod violation;

pub(crate) use declared::excerpt;
pub use declared::{parse_declared, validate_declared};
pub use registry::validate;
pub use violation::{SchemaName, Violation};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod walk_tests;
