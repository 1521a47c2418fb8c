//! serde types of RFC 7643 §7 schema resources, in RFC 7643's camelCase JSON.

use serde::{Deserialize, Serialize};

/// A schema resource (RFC 7643 §7): a URN id, a name and its attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaDef {
    /// The schema URN, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`.
    pub id: String,
    /// The schema's human-readable name, e.g. `User`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The schema's human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The attributes of the schema.
    #[serde(default)]
    pub attributes: Vec<AttributeDef>,
}

impl SchemaDef {
    /// Finds a top-level attribute by name, case-insensitively (RFC 7643 §2.1).
    pub fn attribute(&self, name: &str) -> Option<&AttributeDef> {
        find_attribute(&self.attributes, name)
    }
}

/// Finds an attribute by name in a list, case-insensitively.
pub(crate) fn find_attribute<'a>(
    attrs: &'a [AttributeDef],
    name: &str,
) -> Option<&'a AttributeDef> {
    attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

/// One attribute definition (RFC 7643 §7 "attributes").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeDef {
    /// The attribute's name, e.g. `userName`.
    pub name: String,
    /// The attribute's data type.
    #[serde(rename = "type")]
    pub kind: AttributeType,
    /// Whether the attribute is multi-valued (a JSON array).
    #[serde(default)]
    pub multi_valued: bool,
    /// Human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the attribute is required.
    #[serde(default)]
    pub required: bool,
    /// Whether string comparisons are case-sensitive (RFC 7643 §2.3.1 defaults to false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_exact: Option<bool>,
    /// Whether and how clients may change the attribute.
    #[serde(default)]
    pub mutability: Mutability,
    /// When the attribute is returned in responses.
    #[serde(default)]
    pub returned: Returned,
    /// How the service provider enforces uniqueness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uniqueness: Option<Uniqueness>,
    /// Sub-attributes of a complex attribute.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_attributes: Vec<AttributeDef>,
    /// Suggested values, e.g. `work`/`home` for `emails.type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_values: Option<Vec<String>>,
    /// Resource types a `reference` attribute may point to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_types: Option<Vec<String>>,
}

impl AttributeDef {
    /// Finds a sub-attribute by name, case-insensitively.
    pub fn sub_attribute(&self, name: &str) -> Option<&AttributeDef> {
        find_attribute(&self.sub_attributes, name)
    }

    /// Whether string values compare case-sensitively (absent means `false`).
    pub fn is_case_exact(&self) -> bool {
        self.case_exact.unwrap_or(false)
    }
}

/// The data type of an attribute (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttributeType {
    /// A JSON string.
    String,
    /// A JSON boolean.
    Boolean,
    /// A JSON number with a fractional part allowed.
    Decimal,
    /// A JSON integer.
    Integer,
    /// An RFC 3339 date-time string.
    DateTime,
    /// A URI string.
    Reference,
    /// A JSON object of sub-attributes.
    Complex,
    /// Base64-encoded binary data as a string.
    Binary,
}

/// Attribute mutability (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mutability {
    /// Clients cannot change it.
    ReadOnly,
    /// Clients may change it (the default).
    #[default]
    ReadWrite,
    /// Set once (on create or when empty), never changed afterwards.
    Immutable,
    /// Clients may write it but it is never returned.
    WriteOnly,
}

/// When an attribute is returned (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Returned {
    /// Always returned, even when excluded.
    Always,
    /// Never returned.
    Never,
    /// Returned unless excluded or unless `attributes` names others (the default).
    #[default]
    Default,
    /// Returned only when named in `attributes`.
    Request,
}

/// Uniqueness of an attribute (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Uniqueness {
    /// No uniqueness (the default).
    #[default]
    None,
    /// Unique within the service provider.
    Server,
    /// Globally unique.
    Global,
}
