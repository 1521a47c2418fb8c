//! The resource operations shared by `/Users` and `/Groups`: create, read,
//! replace, patch, delete, and the ETag of each response; how a stored view
//! is shown to clients lives in [`present`](super::present). Thin glue between the
//! HTTP layer, the store, the product rules and the pure layer (through
//! `scim_adapter`).

use axum::http::StatusCode;
use serde_json::Value;

use crate::scim::message::PatchRequest;
use crate::scim::{GROUP_SCHEMA, USER_SCHEMA};
use crate::server::error::ScimError;
use crate::server::extract::{ListParams, Preconditions, ScimBody, ScimResponse};
use crate::server::product;
use crate::server::scim_adapter;
use crate::server::state::AppState;
use crate::server::store::{Kind, etag};

use super::present::{present, user_from_text};

/// `/Groups` is answered 404 when the product's group sync is off.
pub(crate) fn ensure_enabled(state: &AppState, kind: Kind) -> Result<(), ScimError> {
    if kind == Kind::Group && !state.product().sync_groups {
        return Err(ScimError::NotFound(
            "group sync is disabled on this server".into(),
        ));
    }
    Ok(())
}

fn version_of(view: &Value) -> String {
    // Not `pointer("/meta/version")`: that parses and unescapes the path on
    // every read.
    view.get("meta")
        .and_then(|m| m.get("version"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn respond(
    state: &AppState,
    kind: Kind,
    base: &str,
    view: Value,
    params: &ListParams,
) -> ScimResponse {
    let etag = version_of(&view);
    let body = present(
        state,
        kind,
        base,
        view,
        &params.attributes,
        &params.excluded_attributes,
    );
    ScimResponse::ok(body).with_etag(Some(etag).filter(|e| !e.is_empty()))
}

fn core_schema(kind: Kind) -> &'static str {
    match kind {
        Kind::User => USER_SCHEMA,
        Kind::Group => GROUP_SCHEMA,
    }
}

/// Strips read-only input, fills `schemas`, validates.
fn prepare(state: &AppState, kind: Kind, mut body: Value) -> Result<Value, ScimError> {
    if !body.is_object() {
        return Err(ScimError::invalid_syntax(
            "the resource must be a JSON object",
        ));
    }
    product::strip_read_only(&mut body);
    if let Some(obj) = body.as_object_mut() {
        let schemas = obj
            .entry("schemas")
            .or_insert_with(|| Value::Array(Vec::new()));
        match schemas.as_array_mut() {
            Some(list) => {
                if !list.iter().any(|s| s.as_str() == Some(core_schema(kind))) {
                    list.insert(0, Value::String(core_schema(kind).into()));
                }
            }
            None => return Err(ScimError::invalid_value("schemas must be an array")),
        }
    }
    scim_adapter::prepare_input(&mut body, &state.schemas(), kind)?;
    Ok(body)
}

/// `POST /Users`, `POST /Groups`.
pub(crate) fn create(
    state: &AppState,
    kind: Kind,
    base: &str,
    params: &ListParams,
    body: Value,
) -> Result<ScimResponse, ScimError> {
    ensure_enabled(state, kind)?;
    let mut resource = prepare(state, kind, body)?;
    if kind == Kind::User {
        product::apply_create_defaults(&mut resource, &state.product());
    }
    let id = state.ids.next_id();
    let view = state
        .store
        .create(kind, id.clone(), resource, state.now())?;
    let location = format!("{base}/{}/{id}", kind.endpoint());
    Ok(respond(state, kind, base, view, params)
        .with_status(StatusCode::CREATED)
        .with_location(Some(location))
        .with_note(&id, "created"))
}

/// `GET /Users/{id}`, `GET /Groups/{id}` (304 on a matching `If-None-Match`).
pub(crate) fn get(
    state: &AppState,
    kind: Kind,
    base: &str,
    id: &str,
    params: &ListParams,
    pre: &Preconditions,
) -> Result<ScimResponse, ScimError> {
    ensure_enabled(state, kind)?;
    let not_found = || ScimError::NotFound(format!("{} {id} not found", kind.resource_type()));
    if kind == Kind::User && params.attributes.is_empty() && params.excluded_attributes.is_empty() {
        let raw = state.store.get_raw_user(id).ok_or_else(not_found)?;
        let version = etag(raw.version);
        if pre.not_modified(&version) {
            return Ok(ScimResponse::empty(StatusCode::NOT_MODIFIED).with_etag(Some(version)));
        }
        if let Some(body) = user_from_text(&raw, base, &state.product(), &state.schemas()) {
            return Ok(ScimResponse::ok_encoded(ScimBody::Encoded(body)).with_etag(Some(version)));
        }
    }
    let view = state.store.get(kind, id).ok_or_else(not_found)?;
    let version = version_of(&view);
    if pre.not_modified(&version) {
        return Ok(ScimResponse::empty(StatusCode::NOT_MODIFIED).with_etag(Some(version)));
    }
    Ok(respond(state, kind, base, view, params))
}

/// Keeps `password` from the old resource when a replacement omits it.
fn keep_write_only(old: &Value, new: &mut Value) {
    let Some(obj) = new.as_object_mut() else {
        return;
    };
    if obj.keys().any(|k| k.eq_ignore_ascii_case("password")) {
        return;
    }
    if let Some((k, v)) = old
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("password")))
    {
        obj.insert(k.clone(), v.clone());
    }
}

/// `PUT /Users/{id}`, `PUT /Groups/{id}`: full replace.
pub(crate) fn replace(
    state: &AppState,
    kind: Kind,
    base: &str,
    id: &str,
    params: &ListParams,
    pre: &Preconditions,
    body: Value,
) -> Result<ScimResponse, ScimError> {
    ensure_enabled(state, kind)?;
    let replacement = prepare(state, kind, body)?;
    let schemas = state.schemas();
    let mut before = None;
    let view = state.store.update(kind, id, state.now(), &mut |current| {
        pre.check_if_match(&version_of(current))?;
        let mut next = replacement.clone();
        keep_write_only(current, &mut next);
        scim_adapter::check_mutability(current, &next, &schemas, kind)?;
        before = Some(current.clone());
        Ok(next)
    })?;
    let change = format!("replaced: {}", changed_attributes(before.as_ref(), &view));
    Ok(respond(state, kind, base, view, params).with_note(id, change))
}

/// Top-level attributes that differ between two versions (never values:
/// they may hold secrets such as `password`).
fn changed_attributes(before: Option<&Value>, after: &Value) -> String {
    let (Some(Value::Object(old)), Value::Object(new)) = (before, after) else {
        return String::new();
    };
    let mut names: Vec<&str> = old
        .keys()
        .chain(new.keys())
        .filter(|k| k.as_str() != "meta")
        .filter(|k| old.get(k.as_str()) != new.get(k.as_str()))
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names.dedup();
    if names.is_empty() {
        "nothing".to_owned()
    } else {
        names.join(", ")
    }
}

fn describe_patch(request: &PatchRequest) -> String {
    let ops: Vec<String> = request
        .operations
        .iter()
        .map(|op| match &op.path {
            Some(path) => format!("{} {path}", op.op.to_ascii_lowercase()),
            None => op.op.to_ascii_lowercase(),
        })
        .collect();
    format!("patched: {}", ops.join(", "))
}

/// `PATCH /Users/{id}`, `PATCH /Groups/{id}`: atomic, 200 with the resource.
pub(crate) fn patch(
    state: &AppState,
    kind: Kind,
    base: &str,
    id: &str,
    params: &ListParams,
    pre: &Preconditions,
    request: PatchRequest,
) -> Result<ScimResponse, ScimError> {
    ensure_enabled(state, kind)?;
    if request.operations.is_empty() {
        return Err(ScimError::invalid_value(
            "PATCH needs at least one operation",
        ));
    }
    let schemas = state.schemas();
    let mut before = None;
    let view = state.store.update(kind, id, state.now(), &mut |current| {
        pre.check_if_match(&version_of(current))?;
        let mut base_view = current.clone();
        if let Some(obj) = base_view.as_object_mut() {
            obj.remove("groups");
        }
        let patched = scim_adapter::apply_patch(&base_view, &request, &schemas, kind)?;
        scim_adapter::check_mutability(current, &patched, &schemas, kind)?;
        let mut next = prepare(state, kind, patched)?;
        keep_write_only(current, &mut next);
        before = Some(current.clone());
        Ok(next)
    })?;
    let change = format!(
        "{}; changed: {}",
        describe_patch(&request),
        changed_attributes(before.as_ref(), &view)
    );
    Ok(respond(state, kind, base, view, params).with_note(id, change))
}

/// `DELETE /Users/{id}`, `DELETE /Groups/{id}`: 204.
pub(crate) fn delete(
    state: &AppState,
    kind: Kind,
    id: &str,
    pre: &Preconditions,
) -> Result<ScimResponse, ScimError> {
    ensure_enabled(state, kind)?;
    if pre.if_match.is_some() {
        let view = state.store.get(kind, id).ok_or_else(|| {
            ScimError::NotFound(format!("{} {id} not found", kind.resource_type()))
        })?;
        pre.check_if_match(&version_of(&view))?;
    }
    state.store.delete(kind, id, state.now())?;
    Ok(ScimResponse::empty(StatusCode::NO_CONTENT).with_note(id, "deleted"))
}
