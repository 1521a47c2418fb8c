//! Resource schemas (core + extensions), the built-in definitions and the
//! attribute-path resolver.

use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::model::{AttributeDef, SchemaDef, find_attribute};

fn load(text: &str) -> SchemaDef {
    serde_json::from_str(text).expect("embedded schema JSON is valid (checked by unit tests)")
}

static COMMON: LazyLock<SchemaDef> = LazyLock::new(|| load(include_str!("../schemas/common.json")));
static CORE_USER: LazyLock<SchemaDef> =
    LazyLock::new(|| load(include_str!("../schemas/user.json")));
static CORE_GROUP: LazyLock<SchemaDef> =
    LazyLock::new(|| load(include_str!("../schemas/group.json")));
static ENTERPRISE_USER: LazyLock<SchemaDef> =
    LazyLock::new(|| load(include_str!("../schemas/enterprise_user.json")));
static SCIMULATOR_USER: LazyLock<SchemaDef> =
    LazyLock::new(|| load(include_str!("../schemas/scimulator_user.json")));

static USER: LazyLock<ResourceSchema> = LazyLock::new(|| ResourceSchema {
    core: CORE_USER.clone(),
    extensions: vec![
        (ENTERPRISE_USER.clone(), false),
        (SCIMULATOR_USER.clone(), false),
    ],
});
static GROUP: LazyLock<ResourceSchema> = LazyLock::new(|| ResourceSchema {
    core: CORE_GROUP.clone(),
    extensions: Vec::new(),
});

/// The common attributes `id`, `externalId` and `meta` (RFC 7643 §3.1). They
/// belong to every resource but to no schema; the resolver finds them at the
/// top level of every resource.
pub fn common_attributes() -> &'static [AttributeDef] {
    &COMMON.attributes
}

/// Every built-in schema definition (core User, core Group, Enterprise User,
/// scimulator's product extension), for the `/Schemas` endpoint.
pub fn builtin_schemas() -> Vec<&'static SchemaDef> {
    vec![
        &*CORE_USER,
        &*CORE_GROUP,
        &*ENTERPRISE_USER,
        &*SCIMULATOR_USER,
    ]
}

/// A resource type's schemas: the core schema plus its extensions, each with
/// a flag saying whether the extension is required (RFC 7643 §6).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceSchema {
    /// The core schema, whose attributes live at the top level of the JSON.
    pub core: SchemaDef,
    /// Extension schemas and whether each is required; their values live in
    /// an object under the extension URN key.
    pub extensions: Vec<(SchemaDef, bool)>,
}

/// Where an attribute's value lives in the resource JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrLocation {
    /// At the top level (core schema and common attributes).
    Core,
    /// Inside the object under this extension URN key (canonical spelling).
    Extension(String),
}

/// An attribute path resolved against a [`ResourceSchema`].
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedAttr<'a> {
    /// Where the top-level attribute lives.
    pub location: AttrLocation,
    /// The top-level attribute definition (e.g. `name` for `name.familyName`).
    pub attr: &'a AttributeDef,
    /// The sub-attribute definition when the path named one.
    pub sub: Option<&'a AttributeDef>,
}

impl<'a> ResolvedAttr<'a> {
    /// The definition of the attribute the path designates (sub-attribute if any).
    pub fn def(&self) -> &'a AttributeDef {
        self.sub.unwrap_or(self.attr)
    }

    /// The object holding the top-level attribute: the resource itself for
    /// core attributes, or the extension object (if present).
    pub fn container<'v>(&self, resource: &'v Value) -> Option<&'v Map<String, Value>> {
        let obj = resource.as_object()?;
        match &self.location {
            AttrLocation::Core => Some(obj),
            AttrLocation::Extension(urn) => get_ci(obj, urn)?.as_object(),
        }
    }

    /// The value of the top-level attribute in `resource`, looked up case-insensitively.
    pub fn top_value<'v>(&self, resource: &'v Value) -> Option<&'v Value> {
        get_ci(self.container(resource)?, &self.attr.name)
    }
}

/// Looks a key up in a JSON object case-insensitively (exact match first).
pub fn get_ci<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Finds the actual key spelling of `key` in `obj`, case-insensitively.
pub fn key_ci(obj: &Map<String, Value>, key: &str) -> Option<String> {
    if obj.contains_key(key) {
        return Some(key.to_owned());
    }
    obj.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned()
}

/// A path split into optional schema URN, attribute and sub-attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitPath<'p> {
    /// The URN prefix as written (without the trailing colon).
    pub urn: Option<&'p str>,
    /// The attribute name.
    pub attr: &'p str,
    /// The sub-attribute name.
    pub sub: Option<&'p str>,
}

impl ResourceSchema {
    /// The User resource: core User + Enterprise User + scimulator's product extension.
    pub fn user() -> &'static ResourceSchema {
        &USER
    }

    /// The Group resource: core Group, no extensions.
    pub fn group() -> &'static ResourceSchema {
        &GROUP
    }

    /// All schema URNs of this resource type, core first.
    pub fn schema_urns(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.core.id.as_str())
            .chain(self.extensions.iter().map(|(s, _)| s.id.as_str()))
    }

    /// Finds an extension schema by URN, case-insensitively.
    pub fn extension(&self, urn: &str) -> Option<&SchemaDef> {
        self.extensions
            .iter()
            .map(|(s, _)| s)
            .find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// Splits `path` into URN prefix, attribute and sub-attribute. A URN
    /// prefix is recognised when the path starts with one of this resource's
    /// schema URNs followed by `:`; any other `urn:` path splits at its last
    /// `:` (so unknown extensions resolve to nothing rather than to garbage).
    pub fn split_path<'p>(&self, path: &'p str) -> SplitPath<'p> {
        let mut urn = None;
        let mut rest = path;
        if path
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
        {
            let known = self.schema_urns().find(|u| {
                path.get(..u.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(u))
                    && path.as_bytes().get(u.len()) == Some(&b':')
            });
            let cut = match known {
                Some(u) => Some(u.len()),
                None => path.rfind(':'),
            };
            if let Some(cut) = cut {
                urn = path.get(..cut);
                rest = path.get(cut + 1..).unwrap_or_default();
            }
        }
        match rest.split_once('.') {
            Some((attr, sub)) => SplitPath {
                urn,
                attr,
                sub: Some(sub),
            },
            None => SplitPath {
                urn,
                attr: rest,
                sub: None,
            },
        }
    }

    /// Resolves a textual attribute path (`userName`, `name.familyName`,
    /// `urn:…:enterprise:2.0:User:department`, `urn:…:User:manager.value`).
    /// Names are case-insensitive. Returns `None` for unknown attributes.
    pub fn resolve(&self, path: &str) -> Option<ResolvedAttr<'_>> {
        let split = self.split_path(path);
        self.resolve_parts(split.urn, split.attr, split.sub)
    }

    /// Resolves an already-split path (as produced by the filter parser).
    pub fn resolve_parts(
        &self,
        urn: Option<&str>,
        attr: &str,
        sub: Option<&str>,
    ) -> Option<ResolvedAttr<'_>> {
        let (location, top) = match urn {
            None => {
                let def = find_attribute(common_attributes(), attr)
                    .or_else(|| self.core.attribute(attr))?;
                (AttrLocation::Core, def)
            }
            Some(u) if u.eq_ignore_ascii_case(&self.core.id) => {
                let def = self
                    .core
                    .attribute(attr)
                    .or_else(|| find_attribute(common_attributes(), attr))?;
                (AttrLocation::Core, def)
            }
            Some(u) => {
                let ext = self.extension(u)?;
                (
                    AttrLocation::Extension(ext.id.clone()),
                    ext.attribute(attr)?,
                )
            }
        };
        let sub = match sub {
            None => None,
            Some(s) => Some(top.sub_attribute(s)?),
        };
        Some(ResolvedAttr {
            location,
            attr: top,
            sub,
        })
    }

    /// Whether string comparisons on `path` are case-sensitive (RFC 7643
    /// `caseExact`). Unknown attributes compare case-insensitively. A
    /// complex attribute without a sub-attribute uses its `value` sub-attribute.
    pub fn case_exact(&self, path: &str) -> bool {
        match self.resolve(path) {
            Some(r) => effective_def(r.def()).is_case_exact(),
            None => false,
        }
    }
}

/// For a complex attribute, the `value` sub-attribute (used when a filter or
/// comparison names the complex attribute itself); otherwise the attribute.
pub fn effective_def(def: &AttributeDef) -> &AttributeDef {
    if def.sub_attributes.is_empty() {
        def
    } else {
        def.sub_attribute("value").unwrap_or(def)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::model::{AttributeType, Mutability, Returned, Uniqueness};
    use crate::scim::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, SCIMULATOR_USER_SCHEMA, USER_SCHEMA};

    #[test]
    fn builtin_schemas_parse_and_have_rfc_ids() {
        let ids: Vec<_> = builtin_schemas().iter().map(|s| s.id.clone()).collect();
        assert_eq!(
            ids,
            [
                USER_SCHEMA,
                GROUP_SCHEMA,
                ENTERPRISE_USER_SCHEMA,
                SCIMULATOR_USER_SCHEMA
            ]
        );
        assert_eq!(common_attributes().len(), 3);
    }

    #[test]
    fn builtin_schemas_serialise_back_to_the_embedded_json() {
        let embedded = [
            include_str!("../schemas/user.json"),
            include_str!("../schemas/group.json"),
            include_str!("../schemas/enterprise_user.json"),
            include_str!("../schemas/scimulator_user.json"),
        ];
        for (def, text) in builtin_schemas().into_iter().zip(embedded) {
            let original: serde_json::Value = serde_json::from_str(text).expect("json");
            let round = serde_json::to_value(def).expect("serialises");
            assert_eq!(round, original, "{}", def.id);
        }
    }

    #[test]
    fn user_schema_has_rfc_attribute_characteristics() {
        let u = ResourceSchema::user();
        let user_name = u.resolve("USERNAME").expect("userName");
        assert!(user_name.attr.required);
        assert_eq!(user_name.attr.case_exact, Some(false));
        assert_eq!(user_name.attr.uniqueness, Some(Uniqueness::Server));
        let pw = u.resolve("password").expect("password");
        assert_eq!(pw.attr.mutability, Mutability::WriteOnly);
        assert_eq!(pw.attr.returned, Returned::Never);
        let id = u.resolve("id").expect("id");
        assert_eq!(id.attr.mutability, Mutability::ReadOnly);
        assert_eq!(id.attr.returned, Returned::Always);
        assert!(id.attr.is_case_exact());
        assert_eq!(
            u.resolve("groups").expect("groups").attr.mutability,
            Mutability::ReadOnly
        );
        assert_eq!(
            u.resolve("active").expect("active").attr.kind,
            AttributeType::Boolean
        );
    }

    #[test]
    fn resolver_handles_sub_attributes_and_urn_prefixes() {
        let u = ResourceSchema::user();
        let r = u.resolve("name.familyName").expect("resolves");
        assert_eq!(r.location, AttrLocation::Core);
        assert_eq!(r.def().name, "familyName");
        let r = u
            .resolve("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")
            .expect("resolves");
        assert_eq!(
            r.location,
            AttrLocation::Extension(ENTERPRISE_USER_SCHEMA.to_owned())
        );
        let r = u
            .resolve("URN:IETF:params:scim:schemas:extension:enterprise:2.0:User:manager.value")
            .expect("resolves");
        assert_eq!(r.def().name, "value");
        let r = u
            .resolve("urn:ietf:params:scim:schemas:core:2.0:User:userName")
            .expect("resolves");
        assert_eq!(r.location, AttrLocation::Core);
        assert!(u.resolve("nope").is_none());
        assert!(u.resolve("name.nope").is_none());
        assert!(u.resolve("urn:example:unknown:attr").is_none());
        let r = u
            .resolve("urn:scimulator:params:scim:schemas:extension:product:2.0:User:roleSource")
            .expect("resolves");
        assert_eq!(r.attr.mutability, Mutability::ReadOnly);
    }

    #[test]
    fn case_exact_lookup_follows_schema() {
        let u = ResourceSchema::user();
        assert!(!u.case_exact("userName"));
        assert!(u.case_exact("id"));
        assert!(u.case_exact("externalId"));
        assert!(!u.case_exact("emails"));
        assert!(!u.case_exact("unknown"));
    }

    #[test]
    fn group_members_have_value_ref_display_type() {
        let g = ResourceSchema::group();
        for sub in ["value", "$ref", "display", "type"] {
            assert!(g.resolve(&format!("members.{sub}")).is_some(), "{sub}");
        }
        assert!(g.resolve("displayName").expect("dn").attr.required);
    }

    #[test]
    fn container_and_top_value_find_extension_values() {
        let u = ResourceSchema::user();
        let res = serde_json::json!({
            "userName": "a",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"Department": "x"}
        });
        let r = u
            .resolve("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")
            .expect("resolves");
        assert_eq!(r.top_value(&res), Some(&serde_json::json!("x")));
        let r = u.resolve("USERNAME").expect("resolves");
        assert_eq!(r.top_value(&res), Some(&serde_json::json!("a")));
    }
}
