//! PATCH path parsing: `attrPath` or `valuePath[filter][.subAttr]`.

use crate::server::filter::{AttrPath, Filter, parse, parse_attr_path};

use super::error::PatchError;

/// A parsed PATCH `path` (RFC 7644 §3.5.2 `PATH`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PatchPath {
    /// The attribute (with optional URN and sub-attribute when there is no filter).
    pub attr: AttrPath,
    /// The value filter, e.g. `type eq "work"` in `emails[type eq "work"].value`.
    pub filter: Option<Filter>,
    /// The sub-attribute after the filter, e.g. `value` in `emails[type eq "work"].value`.
    pub sub_after_filter: Option<String>,
}

/// Parses a PATCH path: `attr`, `attr.sub`, `urn:…:attr`, `members[value eq "x"]`,
/// `emails[type eq "work"].value`.
pub(crate) fn parse_path(input: &str) -> Result<PatchPath, PatchError> {
    let input = input.trim();
    let Some(open) = input.find('[') else {
        let attr = parse_attr_path(input, 0)
            .map_err(|e| PatchError::invalid_path(format!("invalid path {input:?}: {e}")))?;
        return Ok(PatchPath {
            attr,
            filter: None,
            sub_after_filter: None,
        });
    };
    let close = input
        .rfind(']')
        .filter(|c| *c > open)
        .ok_or_else(|| PatchError::invalid_path(format!("unclosed '[' in path {input:?}")))?;
    let head = input.get(..open).unwrap_or_default();
    let inner = input.get(open + 1..close).unwrap_or_default();
    let tail = input.get(close + 1..).unwrap_or_default();
    let attr = parse_attr_path(head, 0)
        .map_err(|e| PatchError::invalid_path(format!("invalid path {input:?}: {e}")))?;
    if attr.sub.is_some() {
        return Err(PatchError::invalid_path(format!(
            "a value filter must follow an attribute, not a sub-attribute: {input:?}"
        )));
    }
    let filter = parse(inner).map_err(|mut e| {
        // Report the position within the whole path, not within the brackets.
        e.position += open + 1;
        e
    })?;
    let sub_after_filter = if tail.is_empty() {
        None
    } else {
        let sub = tail.strip_prefix('.').ok_or_else(|| {
            PatchError::invalid_path(format!("unexpected text after ']' in path {input:?}"))
        })?;
        let check = parse_attr_path(sub, close + 2)
            .map_err(|e| PatchError::invalid_path(format!("invalid path {input:?}: {e}")))?;
        if check.sub.is_some() || check.urn.is_some() {
            return Err(PatchError::invalid_path(format!(
                "invalid sub-attribute after ']' in path {input:?}"
            )));
        }
        Some(check.attr)
    };
    Ok(PatchPath {
        attr,
        filter: Some(filter),
        sub_after_filter,
    })
}
