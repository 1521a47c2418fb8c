//! The one walk over attribute definitions (RFC 7643 §2.2-2.4, §7): given a
//! JSON object and the definitions of its level, it reports each
//! [`Finding`] in document order (undeclared keys, `returned: never` values,
//! multi-valued vs single-valued, value types, sub-attributes, then missing
//! required attributes) to a callback that decides whether to go on. The
//! reference server stops at the first finding it refuses
//! ([`validate`](super::validate)); the harness collects every finding
//! against a target's own `/Schemas` (the harness's `validate_declared`).
//! Names are matched case-insensitively (RFC 7643 §2.1); findings name the
//! attribute by its declared spelling. Pure: no I/O, no messages (each
//! caller words its own).

use std::ops::ControlFlow;

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::model::{AttributeDef, AttributeType, Mutability, Returned};
use super::resource::get_ci;

/// Who checks whom: what a required attribute is and what counts as
/// unassigned differ between a request and a response, nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A server checking what a client sent: `readOnly` attributes are not
    /// required of clients (the server assigns them); `""` and `{}` count as
    /// missing for a required attribute; required sub-attributes are not
    /// enforced; a `null` element of a simple multi-valued attribute is
    /// tolerated.
    Request,
    /// A harness checking what a server returned: `returned: never`
    /// attributes are not required; only `null` and `[]` are unassigned
    /// (RFC 7643 §2.5); required sub-attributes are enforced; every `null`
    /// element is a type mismatch.
    Response,
}

impl Side {
    fn requires(self, def: &AttributeDef) -> bool {
        def.required
            && match self {
                Side::Request => def.mutability != Mutability::ReadOnly,
                Side::Response => def.returned != Returned::Never,
            }
    }

    fn unassigned(self, v: &Value) -> bool {
        match self {
            Side::Request => super::validate::is_empty(v),
            Side::Response => v.is_null() || v.as_array().is_some_and(Vec::is_empty),
        }
    }
}

/// Where a finding is: the attribute path without element indexes
/// (`emails.primary`, as the server words its errors) and with them
/// (`emails[0].primary`, as the harness does). Both start with the
/// caller's prefix (`""`, `"urn:…:User:"`, `"Resources[2]."`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path {
    /// Without element indexes.
    pub plain: String,
    /// With element indexes.
    pub indexed: String,
}

impl Path {
    /// A prefix, ending with its separator (or empty).
    pub fn prefix(prefix: &str) -> Self {
        Self {
            plain: prefix.to_owned(),
            indexed: prefix.to_owned(),
        }
    }

    fn join(&self, name: &str) -> Self {
        Self {
            plain: format!("{}{name}", self.plain),
            indexed: format!("{}{name}", self.indexed),
        }
    }

    fn element(&self, i: usize) -> Self {
        Self {
            plain: self.plain.clone(),
            indexed: format!("{}[{i}]", self.indexed),
        }
    }

    fn below(&self) -> Self {
        self.join(".")
    }
}

/// What the walk found at one place.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding<'d, 'v> {
    /// A key no definition of its level names.
    Undeclared {
        /// The prefix plus the key as sent.
        path: Path,
        /// The value under it.
        value: &'v Value,
    },
    /// A `returned: never` attribute with a value.
    ReturnedNever {
        /// The attribute.
        path: Path,
        /// Its definition.
        def: &'d AttributeDef,
        /// The value.
        value: &'v Value,
    },
    /// A multi-valued attribute whose value is not an array.
    NotMultiValued {
        /// The attribute.
        path: Path,
        /// Its definition.
        def: &'d AttributeDef,
        /// The value.
        value: &'v Value,
    },
    /// A single-valued attribute whose value is an array.
    NotSingleValued {
        /// The attribute.
        path: Path,
        /// Its definition.
        def: &'d AttributeDef,
        /// The value.
        value: &'v Value,
    },
    /// A value (or element) of the wrong JSON type for `def.kind`.
    WrongType {
        /// The attribute (with the element index, if any).
        path: Path,
        /// Its definition.
        def: &'d AttributeDef,
        /// The value.
        value: &'v Value,
    },
    /// A required attribute (for this [`Side`]) absent or unassigned.
    Missing {
        /// The attribute.
        path: Path,
        /// Its definition.
        def: &'d AttributeDef,
    },
}

impl Finding<'_, '_> {
    /// Where it is.
    pub fn path(&self) -> &Path {
        match self {
            Finding::Undeclared { path, .. }
            | Finding::ReturnedNever { path, .. }
            | Finding::NotMultiValued { path, .. }
            | Finding::NotSingleValued { path, .. }
            | Finding::WrongType { path, .. }
            | Finding::Missing { path, .. } => path,
        }
    }
}

/// Which level an object is. At a resource's top level `schemas` and
/// extension URNs are the caller's business; in an extension object or a
/// complex value every key must be declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A resource's top level.
    Resource,
    /// An extension object (RFC 7643 §3.3).
    Extension,
    /// A complex value's sub-attributes.
    Complex,
}

/// The callback: `Break` stops the walk.
pub type Visit<'f, 'd, 'v> = dyn FnMut(Finding<'d, 'v>) -> ControlFlow<()> + 'f;

/// Walks one object against the definitions of its level (the first
/// case-insensitive match wins, so callers order them), then reports each
/// required attribute that is missing.
pub fn walk_object<'d, 'v>(
    obj: &'v Map<String, Value>,
    defs: &[&'d AttributeDef],
    at: &Path,
    level: Level,
    side: Side,
    visit: &mut Visit<'_, 'd, 'v>,
) -> ControlFlow<()> {
    for (key, value) in obj {
        if key == "schemas" || (level == Level::Resource && key.starts_with("urn:")) {
            continue;
        }
        let Some(def) = defs.iter().find(|a| a.name.eq_ignore_ascii_case(key)) else {
            visit(Finding::Undeclared {
                path: at.join(key),
                value,
            })?;
            continue;
        };
        let path = at.join(&def.name);
        if def.returned == Returned::Never && !Side::Response.unassigned(value) {
            visit(Finding::ReturnedNever {
                path: path.clone(),
                def,
                value,
            })?;
        }
        walk_value(value, def, &path, side, visit)?;
    }
    if level == Level::Complex && side == Side::Request {
        return ControlFlow::Continue(());
    }
    for def in defs {
        if side.requires(def) && get_ci(obj, &def.name).is_none_or(|v| side.unassigned(v)) {
            visit(Finding::Missing {
                path: at.join(&def.name),
                def,
            })?;
        }
    }
    ControlFlow::Continue(())
}

/// Walks one attribute's value (an array for a multi-valued attribute);
/// `null` is "unassigned" and never a finding here.
pub fn walk_value<'d, 'v>(
    value: &'v Value,
    def: &'d AttributeDef,
    at: &Path,
    side: Side,
    visit: &mut Visit<'_, 'd, 'v>,
) -> ControlFlow<()> {
    if value.is_null() {
        return ControlFlow::Continue(());
    }
    match (def.multi_valued, value.as_array()) {
        (true, Some(items)) => {
            for (i, item) in items.iter().enumerate() {
                walk_element(item, def, &at.element(i), side, visit)?;
            }
            ControlFlow::Continue(())
        }
        (true, None) => visit(Finding::NotMultiValued {
            path: at.clone(),
            def,
            value,
        }),
        (false, Some(_)) => visit(Finding::NotSingleValued {
            path: at.clone(),
            def,
            value,
        }),
        (false, None) => walk_element(value, def, at, side, visit),
    }
}

/// Walks one non-array value (a single value, or one element of a
/// multi-valued attribute) against the attribute's type, then a complex
/// value's sub-attributes.
pub fn walk_element<'d, 'v>(
    value: &'v Value,
    def: &'d AttributeDef,
    at: &Path,
    side: Side,
    visit: &mut Visit<'_, 'd, 'v>,
) -> ControlFlow<()> {
    if value.is_null() && side == Side::Request && def.kind != AttributeType::Complex {
        return ControlFlow::Continue(());
    }
    if !has_type(value, def.kind) {
        return visit(Finding::WrongType {
            path: at.clone(),
            def,
            value,
        });
    }
    match value.as_object() {
        Some(obj) if def.kind == AttributeType::Complex && !def.sub_attributes.is_empty() => {
            let subs: Vec<&AttributeDef> = def.sub_attributes.iter().collect();
            walk_object(obj, &subs, &at.below(), Level::Complex, side, visit)
        }
        _ => ControlFlow::Continue(()),
    }
}

/// Whether a (non-null) value has the JSON type of an attribute type.
fn has_type(value: &Value, kind: AttributeType) -> bool {
    match kind {
        AttributeType::String | AttributeType::Reference | AttributeType::Binary => {
            value.is_string()
        }
        AttributeType::Boolean => value.is_boolean(),
        AttributeType::Integer => value.is_i64() || value.is_u64(),
        AttributeType::Decimal => value.is_number(),
        AttributeType::DateTime => value
            .as_str()
            .is_some_and(|s| OffsetDateTime::parse(s, &Rfc3339).is_ok()),
        AttributeType::Complex => value.is_object(),
    }
}
