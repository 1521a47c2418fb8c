//! SCIM schema definitions (RFC 7643 §7) and the pure helpers built on them:
//! the attribute-path resolver, response projection (`attributes` /
//! `excludedAttributes` and `returned`), the one walk over attribute definitions
//! ([`walk`], used by the server's validation and the harness's declared check),
//! type validation, Entra string-boolean
//! normalisation, PUT mutability checks and dropping undeclared attributes. Shared by the reference server and
//! the harness. It owns the embedded built-in schemas (`src/scim/schemas/*.json`,
//! faithful to RFC 7643 §8.7.1); it must do no I/O and know nothing of HTTP.

mod error;
mod model;
mod project;
mod resource;
mod undeclared;
mod validate;
pub mod walk;

pub use error::SchemaViolation;
pub use model::{AttributeDef, AttributeType, Mutability, Returned, SchemaDef, Uniqueness};
pub use project::{default_drops, drops_empty_object, project, project_extension_default};
pub use resource::{
    AttrLocation, ResolvedAttr, ResourceSchema, SplitPath, builtin_schemas, common_attributes,
    effective_def, get_ci, key_ci,
};
pub use undeclared::strip_undeclared;
pub(crate) use validate::is_empty;
pub use validate::{
    check_mutability, check_single, check_value, normalize_booleans, normalize_value, parse_bool,
    validate,
};
