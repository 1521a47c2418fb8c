//! Entra's user actions: test connection, lookup, create, update,
//! (de)activation and manager (okta-wire.md §6.1, §6.2).

use serde_json::{Map, Value, json};

use super::super::ExpandError;
use super::super::request::{Args, StepExt, eq, ops, step};
use super::wire::{
    ENTERPRISE_KEYS, Flavour, HEADERS, filtered, group_lookup, list_checks, patch_action, user_path,
};
use crate::scim::{ENTERPRISE_USER_SCHEMA, USER_SCHEMA};
use crate::suite::model::Method;
use crate::suite::model::{RequestStep, SchemaName};

/// §6.1: Test Connection (and the start of every cycle) asks for a random
/// GUID userName and expects an empty ListResponse, then does the same for
/// a group (ENT-TUT: "a random user and group"); `with.groups: false` skips
/// the group query.
pub(super) fn test_connection(o: &str, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
    let guid = args.string_or("guid", "{{ uuid }}");
    let mut steps = vec![
        list_checks(filtered(
            step(&HEADERS, o, "random user", Method::Get, "/Users".into()),
            "userName",
            &guid,
        ))
        .json("$.totalResults", eq(json!(0)))
        .with_action_extras(args.action),
    ];
    if args.opt("groups") != Some(&Value::Bool(false)) {
        steps.push(group_lookup(o, &guid).json("$.totalResults", eq(json!(0))));
    }
    Ok(steps)
}

/// §6.1: the matching lookup, `userName` by default or `with.attribute`
/// (`externalId`, …), with `with.value` (default `with.userName`).
pub(super) fn lookup_user(o: &str, args: &Args<'_>) -> Result<RequestStep, ExpandError> {
    let attribute = args.string_or("attribute", "userName");
    let value = match args.opt("value") {
        Some(_) => args.string("value")?,
        None => args.string(&attribute)?,
    };
    Ok(list_checks(filtered(
        step(
            &HEADERS,
            o,
            &format!("look up by {attribute}"),
            Method::Get,
            "/Users".into(),
        ),
        &attribute,
        &value,
    )))
}

/// §6.1 (ENT-TUT) POST body: core + enterprise schemas, `externalId`,
/// `active: true`, one work email, `name{formatted,familyName,givenName}`,
/// and `meta.resourceType` and `roles: []` in the request. Null attributes
/// are never sent (ENT-KNOWN), so optional ones appear only when given.
pub(super) fn user_body(args: &Args<'_>) -> Result<Value, ExpandError> {
    let user = args.string("userName")?;
    let given = args.string_or("givenName", "Test");
    let family = args.string_or("familyName", "User");
    let email = args.string_or("email", &user);
    let mut body = json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "externalId": args.string_or("externalId", &user),
        "userName": user,
        "active": true,
        "emails": [{"primary": true, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {
            "formatted": format!("{given} {family}"),
            "familyName": family,
            "givenName": given,
        },
        "roles": [],
    });
    for key in ["displayName", "title", "nickName"] {
        if let Some(v) = args.opt(key) {
            body[key] = v.clone();
        }
    }
    let mut enterprise = Map::new();
    for key in ENTERPRISE_KEYS {
        if let Some(v) = args.opt(key) {
            enterprise.insert((*key).to_owned(), v.clone());
        }
    }
    if !enterprise.is_empty() {
        body[ENTERPRISE_USER_SCHEMA] = Value::Object(enterprise);
    }
    Ok(body)
}

/// §6.1: look up by the matching attribute (`with.match`, default
/// `userName`), POST when absent, read the match back when present.
pub(super) fn create_user(o: &str, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
    let user = args.string("userName")?;
    let body = user_body(args)?;
    let attribute = args.string_or("match", "userName");
    let value = body
        .get(&attribute)
        .and_then(Value::as_str)
        .ok_or_else(|| args.error(format!("`with.match`: cannot match on `{attribute}`")))?
        .to_owned();
    let lookup = list_checks(filtered(
        step(
            &HEADERS,
            o,
            &format!("look up by {attribute}"),
            Method::Get,
            "/Users".into(),
        ),
        &attribute,
        &value,
    ))
    .capture("_entra_found", "$.totalResults", false)
    .capture("_entra_match_id", "$.Resources[0].id", true);
    let create = step(&HEADERS, o, "create", Method::Post, "/Users".into())
        .body(&HEADERS, body)
        .when("_entra_found", json!(0), true)
        .status(&[201])
        .schema(SchemaName::User)
        .json("$.id", ops(json!({"type": "string", "non_empty": true})))
        .json("$.userName", eq(json!(user)))
        .with_action_extras(args.action);
    let matched = step(
        &HEADERS,
        o,
        "read the match",
        Method::Get,
        "/Users/{{ _entra_match_id }}".into(),
    )
    .when("_entra_found", json!(0), false)
    .status(&[200])
    .with_action_extras(args.action);
    Ok(vec![lookup, create, matched])
}

/// The PATCH path Entra uses for an attribute argument (§6.1, ENT-KI).
pub(super) fn attribute_path(key: &str) -> Option<String> {
    Some(match key {
        "userName" | "displayName" | "externalId" | "title" | "nickName" | "preferredLanguage" => {
            key.to_owned()
        }
        "givenName" | "familyName" | "formatted" => format!("name.{key}"),
        "email" => "emails[type eq \"work\"].value".to_owned(),
        k if ENTERPRISE_KEYS.contains(&k) => format!("{ENTERPRISE_USER_SCHEMA}:{k}"),
        _ => return None,
    })
}

/// §6.1 / §6.2 "Replace several attributes": by default one `Replace` per
/// attribute; with the flag, the emails filtered-path op plus one path-less
/// `replace` with flattened keys. `with.add` (a map) sends `Add` ops for
/// attributes that had no value (§6.2 second row).
pub(super) fn update_user(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let path = user_path(args)?;
    let mut changes = Vec::new();
    for (key, value) in &args.action.with {
        if key == "id" || key == "add" {
            continue;
        }
        let target = attribute_path(key)
            .ok_or_else(|| args.error(format!("`with.{key}` is not an attribute Entra updates")))?;
        changes.push((target, value.clone()));
    }
    let mut operations = Vec::new();
    match flavour {
        Flavour::Default => {
            for (target, value) in changes {
                operations
                    .push(json!({"op": flavour.op("replace"), "path": target, "value": value}));
            }
        }
        Flavour::Optscim2020 => {
            let mut flat = Map::new();
            for (target, value) in changes {
                if target.starts_with("emails[") {
                    operations
                        .push(json!({"op": flavour.op("replace"), "path": target, "value": value}));
                } else {
                    flat.insert(target, value);
                }
            }
            if !flat.is_empty() {
                operations.push(json!({"op": flavour.op("replace"), "value": flat}));
            }
        }
    }
    for (key, value) in args.object("add")? {
        let target = attribute_path(&key).ok_or_else(|| {
            args.error(format!("`with.add.{key}` is not an attribute Entra adds"))
        })?;
        operations.push(json!({"op": flavour.op("add"), "path": target, "value": value}));
    }
    if operations.is_empty() {
        return Err(args.error("nothing to update: give at least one attribute besides `id`"));
    }
    Ok(patch_action(o, "update", path, operations, args))
}

/// §6.1 / §6.2 first row: `{"op":"Replace","path":"active","value":"False"}`
/// by default, `{"op":"replace","path":"active","value":false}` with the
/// flag. Unassign and soft delete send the same (ENT-HOW).
pub(super) fn set_active(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
    active: bool,
) -> Result<Vec<RequestStep>, ExpandError> {
    let op =
        json!({"op": flavour.op("replace"), "path": "active", "value": flavour.boolean(active)});
    let label = if active { "enable" } else { "disable" };
    Ok(patch_action(o, label, user_path(args)?, vec![op], args))
}

/// §6.1: the manager is a separate PATCH after create, its value a plain
/// string id on the enterprise `manager` path. An empty `with.manager`
/// removes it.
pub(super) fn set_manager(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let manager = args.string("manager")?;
    let target = format!("{ENTERPRISE_USER_SCHEMA}:manager");
    let op = if manager.is_empty() {
        json!({"op": flavour.op("remove"), "path": target})
    } else {
        json!({"op": flavour.op("add"), "path": target, "value": manager})
    };
    Ok(patch_action(
        o,
        "set manager",
        user_path(args)?,
        vec![op],
        args,
    ))
}
