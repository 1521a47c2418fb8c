//! add / replace / remove semantics (see the table in the module root).

use serde_json::Value;

use crate::scim::message::PatchOperation;
use crate::scim::schema::ResourceSchema;

use super::error::PatchError;

/// Applies one operation in place.
pub(crate) fn apply_operation(
    _doc: &mut Value,
    op: &PatchOperation,
    _schema: &ResourceSchema,
) -> Result<(), PatchError> {
    Err(PatchError::invalid_syntax(format!(
        "operation {:?} not implemented yet",
        op.op
    )))
}
