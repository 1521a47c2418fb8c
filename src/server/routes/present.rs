//! How a stored resource is shown to clients: the one module that presents
//! users and groups. Two paths, side by side, held equal by a test
//! (`tests::rendering_from_text_gives_the_general_paths_bytes`):
//!
//! - the general path, [`present`]: [`decorate`] (product role, `$ref`s,
//!   `meta.location`, no `password`), then the projection of `attributes` /
//!   `excludedAttributes`;
//! - the fast path, [`user_from_text`]: a user with the default projection
//!   rendered straight from its stored text (`GET /Users/{id}` and user lists
//!   with neither `attributes` nor `excludedAttributes`). The result is byte
//!   for byte what the general path, then serialisation, gives; the
//!   unchanged attributes are copied as text instead of being decoded into a
//!   tree and encoded again, which was a third of a read's CPU time. Only
//!   what the presentation changes is decoded: `schemas`, `meta`, extension
//!   objects, and the `roles` / `userType` the product role is resolved
//!   from. Anything unusual (a schema whose default projection narrows
//!   sub-attributes, an escaped key) returns `None` and the caller takes the
//!   general path ([`user_bytes`] does both). The store keeps where each
//!   top-level attribute sits in the text
//!   ([`Field`](crate::server::store::Field)), so nothing is scanned here.
//!
//! It must not read the store or know HTTP: callers hand it views.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::scim::SCIMULATOR_USER_SCHEMA;
use crate::server::config::ProductConfig;
use crate::server::product;
use crate::server::scim_adapter::{self, Schemas};
use crate::server::state::AppState;
use crate::server::store::{Kind, RawUser};

/// Decorates and projects a view for a response: the general path.
pub(crate) fn present(
    state: &AppState,
    kind: Kind,
    base: &str,
    view: Value,
    attributes: &[String],
    excluded: &[String],
) -> Value {
    let full = decorate(state, kind, base, view);
    scim_adapter::project(full, &state.schemas(), kind, attributes, excluded)
}

/// The encoded user with the default projection: the fast path when it
/// applies, else the general path.
pub(crate) fn user_bytes(state: &AppState, base: &str, raw: &RawUser) -> Vec<u8> {
    user_from_text(raw, base, &state.product(), &state.schemas()).unwrap_or_else(|| {
        let view = present(state, Kind::User, base, raw.view(), &[], &[]);
        serde_json::to_vec(&view).unwrap_or_default()
    })
}

fn id_of(view: &Value) -> String {
    view.get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn add_refs(items: Option<&mut Value>, base: &str, default_endpoint: &str) {
    let Some(items) = items.and_then(Value::as_array_mut) else {
        return;
    };
    for item in items {
        let Some(obj) = item.as_object_mut() else {
            continue;
        };
        let endpoint = match obj.get("type").and_then(Value::as_str) {
            Some("Group") => "Groups",
            Some("User") => "Users",
            _ => default_endpoint,
        };
        if let Some(value) = obj.get("value").and_then(Value::as_str) {
            let reference = format!("{base}/{endpoint}/{value}");
            obj.insert("$ref".into(), Value::String(reference));
        }
    }
}

/// Turns a store view into the client-facing resource (before projection).
pub(crate) fn decorate(state: &AppState, kind: Kind, base: &str, mut view: Value) -> Value {
    let id = id_of(&view);
    if let Some(obj) = view.as_object_mut() {
        // Write-only (RFC 7643 §4.1.1): never returned, whatever the projection.
        obj.retain(|k, _| !k.eq_ignore_ascii_case("password"));
    }
    if kind == Kind::User {
        product::decorate(&mut view, &state.product());
        add_refs(view.get_mut("groups"), base, "Groups");
    } else {
        add_refs(view.get_mut("members"), base, "Users");
    }
    if let Some(meta) = view.get_mut("meta").and_then(Value::as_object_mut) {
        meta.insert(
            "location".into(),
            Value::String(format!("{base}/{}/{id}", kind.endpoint())),
        );
    }
    view
}

/// One attribute of the output: stored text, text made here, or a value
/// to encode.
enum Piece<'a> {
    Text(&'a str),
    Owned(String),
    Value(Value),
}

/// The client-facing JSON of a user with the default projection, or `None`
/// when the general path must render it.
pub(crate) fn user_from_text(
    raw: &RawUser,
    base: &str,
    product: &ProductConfig,
    schemas: &Schemas,
) -> Option<Vec<u8>> {
    let drops = scim_adapter::user_default_drops(schemas)?;
    // The store's index of the text: (key, value JSON), in key order.
    let fields: Vec<(&str, &str)> = raw
        .fields
        .as_ref()?
        .iter()
        .map(|f| Some((raw.json.get(f.key.clone())?, raw.json.get(f.value.clone())?)))
        .collect::<Option<_>>()?;
    let id = raw.id.as_str();
    let groups = (!raw.groups.is_empty()).then(|| RawUser::groups_value(&raw.groups));

    // The product role, from the attributes it reads.
    let mut inputs = Map::new();
    for (key, value) in &fields {
        if key.eq_ignore_ascii_case("roles") || key.eq_ignore_ascii_case("userType") {
            inputs.insert((*key).to_owned(), serde_json::from_str(value).ok()?);
        }
    }
    if let Some(groups) = &groups {
        inputs.insert("groups".into(), groups.clone());
    }
    let role = product::resolve_role(&Value::Object(inputs), product);

    let mut out: BTreeMap<&str, Piece<'_>> = BTreeMap::new();
    for (key, text) in fields {
        // Write-only and unreturned attributes; the product extension is
        // always recomputed.
        if key.eq_ignore_ascii_case("password")
            || drops.iter().any(|d| d.eq_ignore_ascii_case(key))
            || key == SCIMULATOR_USER_SCHEMA
        {
            continue;
        }
        if scim_adapter::is_extension(schemas, Kind::User, key) {
            let decoded = serde_json::from_str(text).ok()?;
            if let Some(projected) =
                scim_adapter::project_extension(schemas, Kind::User, key, decoded)
            {
                out.insert(key, Piece::Value(projected));
            }
            continue;
        }
        match key {
            "schemas" => {
                out.insert(key, schemas_with_product(text)?);
            }
            "meta" => {
                let location = format!("{base}/{}/{id}", Kind::User.endpoint());
                out.insert(key, meta_with_location(text, &location)?);
            }
            _ if text == "{}" && scim_adapter::drops_empty_object(schemas, Kind::User, key) => {}
            _ => {
                out.insert(key, Piece::Text(text));
            }
        }
    }
    if let Some(mut groups) = groups {
        for entry in groups.as_array_mut().into_iter().flatten() {
            let value = entry
                .get("value")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let reference = Value::String(format!("{base}/Groups/{value}"));
            if let Some(entry) = entry.as_object_mut() {
                entry.insert("$ref".into(), reference);
            }
        }
        out.insert("groups", Piece::Value(groups));
    }
    let extension = json!({"role": role.role, "roleSource": role.source});
    if let Some(projected) =
        scim_adapter::project_extension(schemas, Kind::User, SCIMULATOR_USER_SCHEMA, extension)
    {
        out.insert(SCIMULATOR_USER_SCHEMA, Piece::Value(projected));
    }

    let mut body = Vec::with_capacity(raw.json.len() + 512);
    body.push(b'{');
    for (i, (key, piece)) in out.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        serde_json::to_writer(&mut body, key).ok()?;
        body.push(b':');
        match piece {
            Piece::Text(text) => body.extend_from_slice(text.as_bytes()),
            Piece::Owned(text) => body.extend_from_slice(text.as_bytes()),
            Piece::Value(value) => serde_json::to_writer(&mut body, value).ok()?,
        }
    }
    body.push(b'}');
    Some(body)
}

/// `schemas` with the product extension's URN appended when absent. The
/// plain case (a list of URNs without it) is spliced as text.
fn schemas_with_product(text: &str) -> Option<Piece<'_>> {
    let quoted = Value::String(SCIMULATOR_USER_SCHEMA.into()).to_string();
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']'))
        && !text.contains(&quoted)
    {
        let separator = if inner.is_empty() { "" } else { "," };
        return Some(Piece::Owned(format!("[{inner}{separator}{quoted}]")));
    }
    let mut list: Value = serde_json::from_str(text).ok()?;
    if let Some(items) = list.as_array_mut()
        && !items.iter().any(|s| s == SCIMULATOR_USER_SCHEMA)
    {
        items.push(Value::String(SCIMULATOR_USER_SCHEMA.into()));
    }
    Some(Piece::Value(list))
}

/// `meta` with `location`. The store writes `meta` itself (clients cannot
/// set it) as `{"created":…,"lastModified":…,"resourceType":…,"version":…}`,
/// so `location` is spliced in before `resourceType`, where key order puts
/// it; any other shape is decoded instead.
fn meta_with_location<'a>(text: &'a str, location: &str) -> Option<Piece<'a>> {
    const NEXT: &str = ",\"resourceType\":";
    if text.starts_with("{\"created\":")
        && text.matches(NEXT).count() == 1
        && !text.contains("\"location\":")
    {
        let at = text.find(NEXT)?;
        let location = Value::String(location.to_owned()).to_string();
        let (before, after) = text.split_at(at);
        return Some(Piece::Owned(format!(
            "{before},\"location\":{location}{after}"
        )));
    }
    let mut meta: Value = serde_json::from_str(text).ok()?;
    if let Some(meta) = meta.as_object_mut() {
        meta.insert("location".into(), Value::String(location.to_owned()));
    }
    Some(Piece::Value(meta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::ENTERPRISE_USER_SCHEMA;
    use crate::server::config::{ProductConfig, ServerConfig};
    use time::OffsetDateTime;

    const BASE: &str = "http://h/scim/v2";

    fn state(extensions: Vec<Value>) -> AppState {
        let config = ServerConfig {
            product: ProductConfig {
                extensions,
                ..ProductConfig::reference()
            },
            ..ServerConfig::default()
        };
        AppState::new(&config, "admin")
    }

    fn create(state: &AppState, kind: Kind, id: &str, resource: Value) {
        state
            .store
            .create(kind, id.into(), resource, OffsetDateTime::UNIX_EPOCH)
            .expect("create");
    }

    /// The fast path's bytes for user `id`, and the general path's; also
    /// checks that [`user_bytes`], the entry point lists use, gives the
    /// general path's bytes whichever path it took.
    fn both(state: &AppState, id: &str) -> (Option<Vec<u8>>, Vec<u8>) {
        let raw = state.store.get_raw_user(id).expect("raw");
        let fast = user_from_text(&raw, BASE, &state.product(), &state.schemas());
        let view = state.store.get(Kind::User, id).expect("view");
        let general = present(state, Kind::User, BASE, view, &[], &[]);
        let general = serde_json::to_vec(&general).expect("encode");
        assert_eq!(
            String::from_utf8_lossy(&user_bytes(state, BASE, &raw)),
            String::from_utf8_lossy(&general),
            "user_bytes for {id}"
        );
        (fast, general)
    }

    fn users() -> Vec<Value> {
        vec![
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "plain"}),
            json!({"userName": "full", "password": "secret", "Password": "again", "active": true,
                   "name": {"givenName": "Ada", "familyName": "L\u{e9}\"x\\"}, "emails": [{"value": "a@x", "primary": true}],
                   "roles": [{"value": "admin", "primary": true}], "x": 1.5, "n": -3, "nested": {"a": {}},
                   ENTERPRISE_USER_SCHEMA: {"employeeNumber": "7", "manager": {}}}),
            json!({"userName": "empty", "name": {}, "addresses": [], "x-unknown": {}, ENTERPRISE_USER_SCHEMA: {}}),
            json!({"userName": "typed", "userType": "Moderator", "Roles": [{"value": "Editor"}],
                   ENTERPRISE_USER_SCHEMA: "not an object", "schemas": "not a list"}),
            json!({"userName": "member", "displayName": "Member"}),
            json!({"userName": "urns", "urn:example:ext:2.0:User": {"level": 3, "badge": {}},
                   "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", SCIMULATOR_USER_SCHEMA]}),
        ]
    }

    #[test]
    fn rendering_from_text_gives_the_general_paths_bytes() {
        let extension = json!({
            "id": "urn:example:ext:2.0:User", "name": "Ext", "attributes": [
                {"name": "level", "type": "integer"},
                {"name": "badge", "type": "complex", "subAttributes": [{"name": "kind", "type": "string"}]}
            ]
        });
        let state = state(vec![extension]);
        for (i, user) in users().into_iter().enumerate() {
            create(&state, Kind::User, &format!("u{i}"), user);
        }
        create(
            &state,
            Kind::Group,
            "g1",
            json!({"displayName": "StackFlow-Admins", "members": [{"value": "u4"}, {"value": "u1"}]}),
        );
        create(
            &state,
            Kind::Group,
            "g2",
            json!({"displayName": "Other", "members": [{"value": "u4"}]}),
        );
        for i in 0..users().len() {
            let (fast, general) = both(&state, &format!("u{i}"));
            let fast = fast.expect("the fast path applies");
            assert_eq!(
                String::from_utf8_lossy(&fast),
                String::from_utf8_lossy(&general),
                "user u{i}"
            );
        }
    }

    #[test]
    fn a_schema_that_narrows_sub_attributes_takes_the_general_path() {
        let extension = json!({
            "id": "urn:example:secret:2.0:User", "name": "Secret", "attributes": [
                {"name": "pin", "type": "string", "returned": "never"}
            ]
        });
        let state = state(vec![extension]);
        create(&state, Kind::User, "u", json!({"userName": "a"}));
        assert_eq!(both(&state, "u").0, None);
    }

    #[test]
    fn an_escaped_key_takes_the_general_path() {
        let state = state(Vec::new());
        create(
            &state,
            Kind::User,
            "u",
            json!({"userName": "a", "we\"ird": 1}),
        );
        assert_eq!(both(&state, "u").0, None);
    }
}
