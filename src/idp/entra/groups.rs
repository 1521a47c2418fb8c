//! Entra's group actions: create, member add/remove, rename
//! (okta-wire.md §6.1, §6.2).

use serde_json::{Value, json};

use super::super::ExpandError;
use super::super::request::{Args, StepExt, eq, ops, step};
use super::wire::{AD_GROUP_SCHEMA, Flavour, HEADERS, group_lookup, group_path, patch_action};
use crate::scim::GROUP_SCHEMA;
use crate::suite::model::Method;
use crate::suite::model::{QueryEncoding, RequestStep, SchemaName};

/// §6.1 (ENT-TUT): look the group up by `displayName` (members excluded),
/// POST with Entra's two schemas, `externalId` and no members when absent,
/// read the match back (members excluded) when present.
pub(super) fn create_group(o: &str, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
    let name = args.string("displayName")?;
    let external = args.string_or("externalId", &name);
    let lookup = group_lookup(o, &name)
        .capture("_entra_found", "$.totalResults", false)
        .capture("_entra_match_id", "$.Resources[0].id", true);
    let create = step(&HEADERS, o, "create", Method::Post, "/Groups".into())
        .body(
            &HEADERS,
            json!({
                "schemas": [GROUP_SCHEMA, AD_GROUP_SCHEMA],
                "externalId": external,
                "displayName": name,
            }),
        )
        .when("_entra_found", json!(0), true)
        .status(&[201])
        .schema(SchemaName::Group)
        .json("$.id", ops(json!({"type": "string", "non_empty": true})))
        .json("$.displayName", eq(json!(name)))
        .with_action_extras(args.action);
    let matched = step(
        &HEADERS,
        o,
        "read the match",
        Method::Get,
        "/Groups/{{ _entra_match_id }}".into(),
    )
    .query(
        &[("excludedAttributes", json!("members"))],
        QueryEncoding::Plus,
    )
    .when("_entra_found", json!(0), false)
    .status(&[200])
    .with_action_extras(args.action);
    Ok(vec![lookup, create, matched])
}

/// `with.members`: a list of user ids.
pub(super) fn member_ids(args: &Args<'_>) -> Result<Vec<String>, ExpandError> {
    let ids: Vec<String> = args
        .list("members")?
        .into_iter()
        .map(|m| match m {
            Value::String(id) => Ok(id),
            other => Err(args.error(format!("`with.members` must list user ids, got {other}"))),
        })
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err(args.error("`with.members` must list at least one user id"));
    }
    Ok(ids)
}

/// Members as Entra writes them in a value array (§6.1, ENT-TUT).
pub(super) fn member_values(ids: &[String]) -> Value {
    Value::Array(
        ids.iter()
            .map(|id| json!({"$ref": null, "value": id}))
            .collect(),
    )
}

/// §6.1: `{"op":"Add","path":"members","value":[{"$ref":null,"value":id}]}`.
pub(super) fn add_members(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let ids = member_ids(args)?;
    let op = json!({"op": flavour.op("add"), "path": "members", "value": member_values(&ids)});
    Ok(patch_action(
        o,
        "add members",
        group_path(args)?,
        vec![op],
        args,
    ))
}

/// §6.1 / §6.2 last row: a `Remove` with a value array by default, one
/// `remove` per member with a `members[value eq "…"]` path with the flag.
pub(super) fn remove_members(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let ids = member_ids(args)?;
    let operations = match flavour {
        Flavour::Default => {
            vec![json!({"op": flavour.op("remove"), "path": "members", "value": member_values(&ids)})]
        }
        Flavour::Optscim2020 => ids
            .iter()
            .map(|id| {
                json!({"op": flavour.op("remove"), "path": format!("members[value eq \"{id}\"]")})
            })
            .collect(),
    };
    Ok(patch_action(
        o,
        "remove members",
        group_path(args)?,
        operations,
        args,
    ))
}

/// §6.1: `{"op":"Replace","path":"displayName","value":"…"}`.
pub(super) fn rename_group(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let name = args.string("displayName")?;
    let op = json!({"op": flavour.op("replace"), "path": "displayName", "value": name});
    Ok(patch_action(o, "rename", group_path(args)?, vec![op], args))
}
