//! RFC 7644 §3.5.2 PATCH engine: pure functions on `serde_json::Value`, no
//! HTTP types. It must not compute server-derived attributes (e.g.
//! `User.groups`); it only rejects client writes to them.

mod apply;
mod error;
mod path;

pub use error::PatchError;
pub use path::{PatchPath, parse_path};

use serde_json::Value;

use crate::scim::message::PatchRequest;
use crate::scim::schema::ResourceSchema;

/// Applies every operation of `request` to a copy of `resource` and returns
/// the new resource; on any error nothing is applied (the input is untouched).
pub fn apply(
    resource: &Value,
    request: &PatchRequest,
    schema: &ResourceSchema,
) -> Result<Value, PatchError> {
    let mut doc = resource.clone();
    for op in &request.operations {
        apply::apply_operation(&mut doc, op, schema)?;
    }
    Ok(doc)
}
