//! Okta's group actions: push of a group, member changes, rename and
//! "Push Now" (okta-wire.md §2.9). Must not build user requests.

use serde_json::{Value, json};

use super::wire::{Flavour, HEADERS, fetch, group_path, list_checks, pathless_replace, put_merged};
use crate::idp::ExpandError;
use crate::idp::request::{Args, StepExt, eq, eq_filter, ops, step};
use crate::scim::{GROUP_SCHEMA, PATCH_OP_SCHEMA};
use crate::suite::model::Method;
use crate::suite::model::{RequestStep, SchemaName};

/// §2.9: look up by `displayName`, POST with `members: []` when absent
/// (AIW then reads the group back and PUTs it, F-ROSTR).
pub(super) fn push_group(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let name = args.string("displayName")?;
    let lookup = list_checks(
        step(
            &HEADERS,
            o,
            "look up by displayName",
            Method::Get,
            "/Groups".into(),
        )
        .query(
            &[
                ("filter", eq_filter("displayName", &name)),
                ("startIndex", json!(1)),
                ("count", json!(100)),
            ],
            args.encoding()?,
        ),
    )
    .capture("_okta_found", "$.totalResults", false)
    .capture("_okta_group_id", "$.Resources[0].id", true);
    let create = step(&HEADERS, o, "create", Method::Post, "/Groups".into())
        .body(
            &HEADERS,
            json!({"schemas": [GROUP_SCHEMA], "displayName": name, "members": []}),
        )
        .when("_okta_found", json!(0), true)
        .status(&[201])
        .schema(SchemaName::Group)
        .json("$.id", ops(json!({"type": "string", "non_empty": true})))
        .json("$.displayName", eq(json!(name)))
        .capture("_okta_group_id", "$.id", false)
        .with_action_extras(args.action);
    let mut steps = vec![lookup, create];
    if flavour == Flavour::Aiw {
        steps.push(fetch(o, "fetch", "/Groups/{{ _okta_group_id }}".into()));
        steps.push(put_merged(
            o,
            "update",
            "/Groups/{{ _okta_group_id }}",
            json!({"schemas": [GROUP_SCHEMA], "displayName": name}),
        ));
    }
    Ok(steps)
}

/// A member as Okta sends it: the server id and the app username (§2.9).
pub(super) fn members(args: &Args<'_>, key: &str) -> Result<Vec<Value>, ExpandError> {
    args.list(key)?
        .into_iter()
        .map(|m| match m {
            Value::String(id) => Ok(json!({"value": id})),
            Value::Object(ref o) if o.contains_key("value") => Ok(m),
            other => Err(args.error(format!(
                "`with.{key}` entries must be an id or {{value, display}}, got {other}"
            ))),
        })
        .collect()
}

/// §2.9: OIN sends the rename PATCH (`id` inside `value`) next to every
/// membership change, then one PATCH with a `remove` per user
/// (`members[value eq "…"]`) before a single `add`. AIW GETs the group and
/// PUTs the full membership (`with.members`).
pub(super) fn push_group_members(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let path = group_path(args)?;
    match flavour {
        Flavour::Oin => {
            let mut operations = Vec::new();
            for id in args.list("remove")? {
                let id = id
                    .as_str()
                    .ok_or_else(|| args.error("`with.remove` must list member ids"))?
                    .to_owned();
                operations
                    .push(json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")}));
            }
            let add = members(args, "add")?;
            if !add.is_empty() {
                operations.push(json!({"op": "add", "path": "members", "value": add}));
            }
            if operations.is_empty() {
                return Err(args.error("nothing to change: give `with.add` and/or `with.remove`"));
            }
            let mut steps = rename_group(flavour, o, args)?;
            steps.push(
                step(&HEADERS, o, "membership delta", Method::Patch, path)
                    .body(
                        &HEADERS,
                        json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations}),
                    )
                    .status(&[200, 204])
                    .with_action_extras(args.action),
            );
            Ok(steps)
        }
        Flavour::Aiw => {
            let all = members(args, "members")?;
            Ok(vec![
                fetch(o, "fetch", path.clone()),
                put_merged(o, "update members", &path, json!({"members": all}))
                    .with_action_extras(args.action),
            ])
        }
    }
}

/// §2.9 rename: OIN PATCH with `{"id", "displayName"}` inside `value`.
pub(super) fn rename_group(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let path = group_path(args)?;
    let id = args.string("id")?;
    let name = args.string("displayName")?;
    Ok(match flavour {
        Flavour::Oin => vec![
            step(&HEADERS, o, "rename (id inside value)", Method::Patch, path)
                .body(
                    &HEADERS,
                    pathless_replace(json!({"id": id, "displayName": name})),
                )
                .status(&[200, 204]),
        ],
        Flavour::Aiw => vec![
            fetch(o, "fetch", path.clone()),
            put_merged(o, "rename", &path, json!({"displayName": name})),
        ],
    })
}

/// §2.9 "Push Now": replace all members.
pub(super) fn push_now(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let path = group_path(args)?;
    let all = members(args, "members")?;
    Ok(match flavour {
        Flavour::Oin => vec![
            step(&HEADERS, o, "replace members", Method::Patch, path)
                .body(
                    &HEADERS,
                    json!({"schemas": [PATCH_OP_SCHEMA],
                           "Operations": [{"op": "replace", "path": "members", "value": all}]}),
                )
                .status(&[200, 204])
                .with_action_extras(args.action),
        ],
        Flavour::Aiw => vec![
            fetch(o, "fetch", path.clone()),
            put_merged(o, "replace members", &path, json!({"members": all}))
                .with_action_extras(args.action),
        ],
    })
}
