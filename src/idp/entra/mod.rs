//! Microsoft Entra ID's provisioning service as a request generator
//! (okta-wire.md §6, §7 "Entra default" / "Entra aadOptscim062020").
//!
//! Two flavours, which differ only in how they PATCH (§6.2):
//! - [`Flavour::Default`]: the default `scim` job. Capitalised ops
//!   (`Replace`, `Add`, `Remove`), booleans as the strings `"True"` /
//!   `"False"`, one op per attribute, member removal with a `value` array.
//! - [`Flavour::Optscim2020`]: the `aadOptscim062020` flag. Lower-case ops,
//!   real booleans, member removal by `members[value eq "…"]`, and a
//!   multi-attribute update as one filtered-path emails op plus one
//!   path-less `replace` whose `value` uses flattened dotted/URN keys.
//!
//! Both send Entra's headers, encode query spaces as `+` and send no paging
//! parameters on lookups (§6.1).

mod groups;
mod users;
mod wire;

pub use wire::{ACTIONS, AD_GROUP_SCHEMA, Flavour, HEADERS, OKTA_ALIASES};

use super::ExpandError;
use super::request::{Args, StepExt, ops, step};
use crate::suite::model::Method;
use crate::suite::model::RequestStep;
use serde_json::json;
use wire::{group_lookup, group_path, user_path};

/// Expands one Entra action into requests.
pub fn expand(
    flavour: Flavour,
    name: &str,
    args: &Args<'_>,
) -> Result<Option<Vec<RequestStep>>, ExpandError> {
    let name = wire::canonical(name);
    let origin = flavour.origin(name);
    let o = origin.as_str();
    let steps = match name {
        "test_connection" => users::test_connection(o, args)?,
        "lookup_user" => vec![users::lookup_user(o, args)?.with_action_extras(args.action)],
        "create_user" => users::create_user(o, args)?,
        "update_user" => users::update_user(flavour, o, args)?,
        "disable_user" | "unassign_user" => users::set_active(flavour, o, args, false)?,
        "enable_user" => users::set_active(flavour, o, args, true)?,
        "set_manager" => users::set_manager(flavour, o, args)?,
        // §6.1 (ENT-HOW): hard delete sends DELETE and expects 204.
        "delete_user" => vec![
            step(&HEADERS, o, "delete user", Method::Delete, user_path(args)?)
                .status(&[204])
                .with_action_extras(args.action),
        ],
        "lookup_group" => vec![
            group_lookup(o, &args.string("displayName")?)
                .json("$.Resources[*].members", ops(json!({"absent": true})))
                .with_action_extras(args.action),
        ],
        "create_group" => groups::create_group(o, args)?,
        "add_members" => groups::add_members(flavour, o, args)?,
        "remove_members" => groups::remove_members(flavour, o, args)?,
        "rename_group" => groups::rename_group(flavour, o, args)?,
        // §6.1 (ENT-TUT): `DELETE /Groups/{id}` returns 204.
        "delete_group" => vec![
            step(
                &HEADERS,
                o,
                "delete group",
                Method::Delete,
                group_path(args)?,
            )
            .status(&[204])
            .with_action_extras(args.action),
        ],
        _ => return Ok(None),
    };
    Ok(Some(steps))
}
