//! RFC 7644 §3.5.2 PATCH engine: pure functions on `serde_json::Value`, no
//! HTTP types. It owns operation semantics and PATCH paths; it must not
//! compute server-derived attributes (e.g. `User.groups`, `meta`), it only
//! rejects client writes to them. [`apply`] works on a copy, so a request
//! applies completely or not at all.
//!
//! # Semantics
//!
//! `op` is matched case-insensitively (Entra ID sends `Replace`). Paths are
//! `attr`, `attr.sub`, `urn:…:attr[.sub]`, `attr[filter]` and
//! `attr[filter].sub` (filter grammar: [`crate::server::filter`]). A path that
//! is exactly an extension URN targets the whole extension object.
//!
//! | op + target | effect |
//! | --- | --- |
//! | add, no path, object value | each key is applied as `add` with that key as path: plain names, dotted `name.givenName` and URN-qualified keys (Entra 2020), extension URN keys holding objects. `schemas`, and keys no declared schema defines (also inside an extension object), are ignored, as POST and PUT ignore them |
//! | replace, no path, object value | same, as `replace` (Okta `{"active":false}`; Okta group rename `{"id","displayName"}`) |
//! | remove, no path | `noTarget` |
//! | add `attr` (multi-valued) | appends each value (a single value is wrapped); an element equal to an existing one (same `value`, and same `type` when both have one) is not duplicated; a new `primary: true` clears the others; null sub-attributes (Entra `"$ref": null`) are dropped |
//! | add/replace `attr` (single complex) | merges the given sub-attributes; others are kept (RFC 7644 §3.5.2.3) |
//! | add/replace `attr` (simple) | sets the value; `null` clears it |
//! | replace `attr` (multi-valued) | replaces all values (`[]` clears) |
//! | add/replace `attr.sub` | sets the sub-attribute (creating the parent); on a multi-valued attribute, on every element |
//! | replace `attr[filter]` | replaces each matching element by the value object; no match → `noTarget` |
//! | add `attr[filter]` | as replace, but with no match appends the element the filter describes merged with the value (leniency) |
//! | add/replace `attr[filter].sub` | sets `sub` on each matching element; with no match and a filter made of `eq` conjuncts, appends a new element built from them (Entra's `emails[type eq "work"].value` on a user without a work email); otherwise `noTarget` |
//! | remove `attr` | removes the attribute; required attributes → `invalidValue` |
//! | remove `attr` with a value (multi-valued) | removes the listed elements (Entra's member removal; not in the RFC) |
//! | remove `attr[filter]` | removes matching elements (no match is a no-op, so Okta's remove of an already-gone member succeeds); an emptied array is removed |
//! | remove `attr.sub`, `attr[filter].sub` | removes the sub-attribute (of matching elements) |
//!
//! Values are normalised before use: string booleans `"True"`/`"False"`
//! become JSON booleans where the schema says boolean (Entra), and a plain
//! string given for a single complex attribute with a `value` sub-attribute
//! becomes `{"value": …}` (Entra's `manager`). Touching an extension adds its
//! URN to `schemas`; emptying it removes the object and the URN.
//!
//! # Errors (`scimType`)
//!
//! | condition | scimType |
//! | --- | --- |
//! | unknown `op` | `invalidSyntax` |
//! | a `path` naming no declared attribute or sub-attribute, malformed path, filter on a non multi-valued complex attribute | `invalidPath` |
//! | a value filter in a key of a path-less value | `invalidValue` |
//! | malformed value filter | `invalidFilter` |
//! | wrong value type, missing value, non-object path-less value, removing/clearing a required attribute | `invalidValue` |
//! | writing a `readOnly` attribute (`id`, `meta`, `groups`, the scimulator product extension) with a different value; replacing or removing an `immutable` one | `mutability` |
//! | path-less remove; replace with a filter that matches nothing (and cannot be created) | `noTarget` |
//!
//! Writing a read-only attribute with its current value is a no-op, so
//! Okta's rename carrying the group's own `id` succeeds.

mod apply;
mod error;
mod path;
mod target;
#[cfg(test)]
mod tests;

pub use error::PatchError;
pub(crate) use path::parse_path;

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
