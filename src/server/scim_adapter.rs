//! The adapter between the server (store, routes) and the pure SCIM layer
//! (`crate::scim::schema`, `crate::server::filter`, `crate::server::patch`):
//! compiles filters into a predicate plus an index hint, applies PATCH,
//! projects and validates resources, and maps the pure layer's errors to
//! [`ScimError`]. Handlers call this module, never the pure modules
//! directly. It must stay free of HTTP types.

use serde_json::Value;

use super::error::ScimError;
use super::filter::{self, Filter};
use super::patch;
use super::store::{IndexKey, Kind};
use crate::scim::message::PatchRequest;
use crate::scim::schema::{self, ResourceSchema, SchemaDef, SchemaViolation};

/// The resource schemas of one server: built-in User (core + Enterprise +
/// product extension, + custom extensions from the config) and Group.
#[derive(Debug, Clone)]
pub(crate) struct Schemas {
    user: ResourceSchema,
    group: ResourceSchema,
    custom: Vec<SchemaDef>,
    /// [`user_default_drops`], worked out once.
    user_drops: std::sync::OnceLock<Option<Vec<String>>>,
}

impl Default for Schemas {
    fn default() -> Self {
        Self {
            user: ResourceSchema::user().clone(),
            group: ResourceSchema::group().clone(),
            custom: Vec::new(),
            user_drops: std::sync::OnceLock::new(),
        }
    }
}

impl Schemas {
    /// Builds the schemas, adding the configured custom User extensions
    /// (RFC 7643 §7 JSON); fails on a malformed extension definition.
    pub fn build(extensions: &[Value]) -> Result<Self, String> {
        let mut schemas = Self::default();
        for ext in extensions {
            let def: SchemaDef = serde_json::from_value(ext.clone())
                .map_err(|e| format!("invalid extension schema: {e}"))?;
            if !def.id.starts_with("urn:") {
                return Err(format!("extension schema id {} must be a URN", def.id));
            }
            if schemas.user.extension(&def.id).is_some() {
                return Err(format!("extension schema {} is declared twice", def.id));
            }
            schemas.user.extensions.push((def.clone(), false));
            schemas.custom.push(def);
        }
        Ok(schemas)
    }

    /// The schema of a resource kind.
    pub fn of(&self, kind: Kind) -> &ResourceSchema {
        match kind {
            Kind::User => &self.user,
            Kind::Group => &self.group,
        }
    }
}

/// A compiled filter: an optional index hint and the full predicate.
#[derive(Debug, Clone)]
pub(crate) struct CompiledFilter {
    filter: Filter,
}

impl CompiledFilter {
    /// The `attr eq "v"` the store can answer from an index, if any.
    pub fn index(&self) -> Option<IndexKey> {
        let lookup = self.filter.equality_lookups()?;
        let core = [crate::scim::USER_SCHEMA, crate::scim::GROUP_SCHEMA];
        if let Some(urn) = &lookup.path.urn
            && !core.iter().any(|c| c.eq_ignore_ascii_case(urn))
        {
            return None;
        }
        Some(IndexKey {
            attr: match &lookup.path.sub {
                Some(sub) => format!("{}.{sub}", lookup.path.attr),
                None => lookup.path.attr.clone(),
            },
            value: lookup.value.to_owned(),
        })
    }

    /// The top-level attributes (lower-case) the filter reads, or `None`
    /// when it names an extension (the whole resource is needed).
    pub fn reads(&self, kind: Kind) -> Option<Vec<String>> {
        let core = match kind {
            Kind::User => crate::scim::USER_SCHEMA,
            Kind::Group => crate::scim::GROUP_SCHEMA,
        };
        self.filter.attributes_read(core)
    }

    /// What the store must still evaluate on the candidates of
    /// [`index`](Self::index): the filter without its indexed `eq` when
    /// that lookup has the filter's own semantics (`id` and `externalId` are
    /// exact in both; a user's `userName` folds case with `to_lowercase` in
    /// both), else the whole filter. `None`: the index answers it all.
    pub(crate) fn residual(&self, kind: Kind) -> Option<CompiledFilter> {
        let Some(lookup) = self.filter.equality_lookups() else {
            return Some(self.clone());
        };
        let path = lookup.path;
        let core = [crate::scim::USER_SCHEMA, crate::scim::GROUP_SCHEMA];
        let core_path = path
            .urn
            .as_deref()
            .is_none_or(|u| core.iter().any(|c| c.eq_ignore_ascii_case(u)));
        let attr = path.attr.to_ascii_lowercase();
        let exact = core_path
            && path.sub.is_none()
            && (attr == "id" || attr == "externalid" || (kind == Kind::User && attr == "username"));
        if !exact {
            return Some(self.clone());
        }
        self.filter
            .without_conjunct(path)
            .map(|filter| CompiledFilter { filter })
    }

    /// A core attribute the filter names that `kind` does not define
    /// (neither in its core schema nor among the common attributes).
    pub(crate) fn unknown_attribute(&self, schemas: &Schemas, kind: Kind) -> Option<String> {
        let schema = schemas.of(kind);
        let common = crate::scim::schema::common_attributes();
        self.reads(kind)?.into_iter().find(|attr| {
            attr != "schemas"
                && schema.core.attribute(attr).is_none()
                && !common.iter().any(|c| c.name.eq_ignore_ascii_case(attr))
        })
    }

    /// Whether a resource of `kind` matches.
    pub fn matches(&self, resource: &Value, schemas: &Schemas, kind: Kind) -> bool {
        self.filter.matches(resource, schemas.of(kind))
    }
}

/// Parses a filter (400 `invalidFilter` on error).
pub(crate) fn compile_filter(
    text: &str,
    _schemas: &Schemas,
    _kind: Kind,
) -> Result<CompiledFilter, ScimError> {
    filter::parse(text)
        .map(|filter| CompiledFilter { filter })
        .map_err(|e| ScimError::invalid_filter(e.to_string()))
}

/// Keeps the entries of a read-only catalogue (Okta's role and entitlement
/// endpoints) that `text` matches, evaluated against the catalogue's schema
/// document `schema_doc` (RFC 7643 §7 JSON); 400 `invalidFilter` on a
/// malformed filter.
pub(crate) fn filter_catalogue(
    text: &str,
    schema_doc: &Value,
    items: Vec<Value>,
) -> Result<Vec<Value>, ScimError> {
    let filter = filter::parse(text).map_err(|e| ScimError::invalid_filter(e.to_string()))?;
    let core: SchemaDef = serde_json::from_value(schema_doc.clone())
        .map_err(|e| ScimError::Internal(format!("catalogue schema: {e}")))?;
    let schema = ResourceSchema {
        core,
        extensions: Vec::new(),
    };
    Ok(items
        .into_iter()
        .filter(|item| filter.matches(item, &schema))
        .collect())
}

/// Applies a PATCH request atomically to a resource view (400 with the
/// engine's `scimType` on error; nothing is applied then).
pub(crate) fn apply_patch(
    resource: &Value,
    request: &PatchRequest,
    schemas: &Schemas,
    kind: Kind,
) -> Result<Value, ScimError> {
    patch::apply(resource, request, schemas.of(kind))
        .map_err(|e| ScimError::bad_request(Some(e.scim_type()), e.detail))
}

/// Applies `attributes` / `excludedAttributes` and `returned` rules.
pub(crate) fn project(
    resource: Value,
    schemas: &Schemas,
    kind: Kind,
    attributes: &[String],
    excluded: &[String],
) -> Value {
    schema::project(resource, schemas.of(kind), attributes, excluded)
}

/// How a user read with neither `attributes` nor `excludedAttributes` can
/// be rendered from stored text: the top-level attributes it drops, or
/// `None` when the schema needs the general projection.
pub(crate) fn user_default_drops(schemas: &Schemas) -> Option<&[String]> {
    schemas
        .user_drops
        .get_or_init(|| {
            schema::default_drops(&schemas.user)
                .map(|drops| drops.into_iter().map(str::to_owned).collect())
        })
        .as_deref()
}

/// Whether the default projection drops an empty object under `key`.
pub(crate) fn drops_empty_object(schemas: &Schemas, kind: Kind, key: &str) -> bool {
    schema::drops_empty_object(schemas.of(kind), key)
}

/// Whether `key` names an extension schema of `kind` (case-insensitively).
pub(crate) fn is_extension(schemas: &Schemas, kind: Kind, key: &str) -> bool {
    schemas.of(kind).extension(key).is_some()
}

/// The default projection of the extension object under `key`; `None` when
/// it is dropped (or `key` is no extension).
pub(crate) fn project_extension(
    schemas: &Schemas,
    kind: Kind,
    key: &str,
    value: Value,
) -> Option<Value> {
    let extension = schemas.of(kind).extension(key)?;
    schema::project_extension_default(value, extension)
}

fn violation(v: SchemaViolation) -> ScimError {
    ScimError::bad_request(Some(v.scim_type()), v.to_string())
}

/// Validates and normalises an incoming resource of `kind`: undeclared
/// attributes are dropped, Entra's string booleans become booleans, wrong
/// types → 400 `invalidValue`.
pub(crate) fn prepare_input(
    resource: &mut Value,
    schemas: &Schemas,
    kind: Kind,
) -> Result<(), ScimError> {
    if !resource.is_object() {
        return Err(ScimError::invalid_syntax(
            "the resource must be a JSON object",
        ));
    }
    let schema = schemas.of(kind);
    // `schemas` names what defines the resource (RFC 7643 §3): URNs this
    // server does not declare (Entra's ADSCIM group schema) are dropped, so a
    // response never names a schema that /Schemas does not serve.
    if let Some(Value::Array(list)) = resource.get_mut("schemas") {
        let known: Vec<&str> = schema.schema_urns().collect();
        list.retain(|u| {
            u.as_str()
                .is_some_and(|u| known.iter().any(|k| k.eq_ignore_ascii_case(u)))
        });
    }
    // Attributes no declared schema defines are ignored (never stored, never
    // returned), on POST, PUT and PATCH alike (RFC 7643 §3: a resource is
    // what the schemas it lists define).
    schema::strip_undeclared(resource, schema);
    schema::normalize_booleans(resource, schema);
    schema::validate(resource, schema).map_err(violation)
}

/// Checks that a replacement or patched resource does not change immutable data.
pub(crate) fn check_mutability(
    old: &Value,
    new: &Value,
    schemas: &Schemas,
    kind: Kind,
) -> Result<(), ScimError> {
    schema::check_mutability(old, new, schemas.of(kind)).map_err(violation)
}

/// The schema definitions served by `/Schemas` (RFC 7643 §7 JSON).
pub(crate) fn schema_documents(schemas: &Schemas) -> Vec<Value> {
    schema::builtin_schemas()
        .into_iter()
        .chain(schemas.custom.iter())
        .filter_map(|d| serde_json::to_value(d).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_of(text: &str) -> Option<IndexKey> {
        compile_filter(text, &Schemas::default(), Kind::User)
            .expect("valid")
            .index()
    }

    #[test]
    fn equality_and_conjunction_yield_an_index_key() {
        let key = |attr: &str, value: &str| {
            Some(IndexKey {
                attr: attr.into(),
                value: value.into(),
            })
        };
        assert_eq!(index_of("userName eq \"a\""), key("userName", "a"));
        assert_eq!(
            index_of("active eq true and emails.value eq \"x@y\""),
            key("emails.value", "x@y")
        );
        assert_eq!(
            index_of("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"a\""),
            key("userName", "a")
        );
    }

    #[test]
    fn a_filter_reads_its_top_level_attributes() {
        let reads = |text: &str| {
            compile_filter(text, &Schemas::default(), Kind::User)
                .expect("valid")
                .reads(Kind::User)
        };
        let names = |v: &[&str]| Some(v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(
            reads("userName eq \"a\" and active eq true"),
            names(&["active", "username"])
        );
        assert_eq!(
            reads("name.familyName co \"x\" or not (title pr)"),
            names(&["name", "title"])
        );
        assert_eq!(
            reads("emails[type eq \"work\" and value co \"@\"]"),
            names(&["emails"])
        );
        assert_eq!(
            reads("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"a\""),
            names(&["username"])
        );
        assert_eq!(
            reads(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"1\""
            ),
            None
        );
    }

    #[test]
    fn the_index_answers_an_exact_equality_and_leaves_the_rest() {
        let residual = |text: &str, kind: Kind| {
            compile_filter(text, &Schemas::default(), kind)
                .expect("valid")
                .residual(kind)
                .map(|f| f.filter)
        };
        let parsed = |text: &str| Some(filter::parse(text).expect("valid"));
        assert_eq!(residual("userName eq \"a\"", Kind::User), None);
        assert_eq!(residual("externalId eq \"a\"", Kind::Group), None);
        assert_eq!(residual("id eq \"a\"", Kind::User), None);
        assert_eq!(
            residual("userName eq \"a\" and active eq true", Kind::User),
            parsed("active eq true")
        );
        assert_eq!(
            residual(
                "(active eq true and title pr) and externalId eq \"x\"",
                Kind::User
            ),
            parsed("active eq true and title pr")
        );
        // Lookups whose index folds differently from the filter stay.
        for (text, kind) in [
            ("emails.value eq \"a\"", Kind::User),
            ("displayName eq \"a\"", Kind::Group),
            ("userName sw \"a\"", Kind::User),
            ("userName eq \"a\" or active eq true", Kind::User),
        ] {
            assert_eq!(residual(text, kind), parsed(text), "{text}");
        }
    }

    #[test]
    fn disjunctions_and_extension_paths_scan() {
        assert_eq!(index_of("userName eq \"a\" or userName eq \"b\""), None);
        assert_eq!(
            index_of(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"1\""
            ),
            None
        );
    }

    #[test]
    fn malformed_extension_schema_is_rejected() {
        assert!(Schemas::build(&[serde_json::json!({"id": "not-a-urn"})]).is_err());
        assert!(Schemas::build(&[serde_json::json!({"name": "x"})]).is_err());
    }
}
