//! Okta's provisioning engine as a request generator (okta-wire.md §1–2, §7).
//!
//! Two flavours, which differ only in how they write to existing resources
//! (§1.1):
//! - [`Flavour::Oin`]: an Okta Integration Network catalogue app. Activate,
//!   deactivate, password sync and every group change are `PATCH`; profile
//!   updates are `GET` + `PUT`.
//! - [`Flavour::Aiw`]: an App Integration Wizard custom app (seed 000's
//!   StackAI setup). Every write to an existing user or group is `GET` + a
//!   full `PUT`, deactivation included.
//!
//! Both send Okta's headers (§1.2), query parameters in Okta's order
//! `filter`, `startIndex`, `count` (§1.3), and Okta's create bodies (§2.4).
//!
//! Layout: `wire` holds the fixed wire habits (headers, flavours, the
//! request pieces every action shares), `users` the user actions and
//! `groups` the group actions, `entitlements` Okta Identity Governance's
//! discovery, import and grants; this file maps action names onto them.

mod entitlements;
mod groups;
mod users;
mod wire;

pub use wire::{Flavour, HEADERS};

use super::ExpandError;
use super::mapping::ProfileMapping;
use super::request::{Args, StepExt, step};
use crate::suite::model::Method;
use crate::suite::model::RequestStep;
use groups::{push_group, push_group_members, push_now, rename_group};
use users::{
    import, push_new_user, push_profile_update, set_active, sync_password, test_connector,
};
use wire::group_path;

/// Every action an Okta profile knows, for "did you mean" and the README.
pub const ACTIONS: &[&str] = &[
    "test_connector",
    "import_users",
    "import_groups",
    "push_new_user",
    "push_profile_update",
    "deactivate_user",
    "reactivate_user",
    "unassign_user",
    "sync_password",
    "push_group",
    "push_group_members",
    "rename_group",
    "push_now",
    "unlink_group",
    "import_entitlements",
    "grant_entitlements",
];

/// Expands one Okta action into requests.
pub fn expand(
    flavour: Flavour,
    name: &str,
    args: &Args<'_>,
    mapping: &ProfileMapping,
) -> Result<Option<Vec<RequestStep>>, ExpandError> {
    let origin = flavour.origin(name);
    let o = origin.as_str();
    let steps = match name {
        "test_connector" => test_connector(o, args)?,
        "import_users" => import(o, args, "/Users")?,
        "import_groups" => import(o, args, "/Groups")?,
        "push_new_user" => push_new_user(flavour, o, args, mapping)?,
        "push_profile_update" => push_profile_update(o, args, mapping)?,
        "deactivate_user" | "unassign_user" => set_active(flavour, o, args, false)?,
        "reactivate_user" => set_active(flavour, o, args, true)?,
        "sync_password" => sync_password(flavour, o, args)?,
        "push_group" => push_group(flavour, o, args)?,
        "push_group_members" => push_group_members(flavour, o, args)?,
        "rename_group" => rename_group(flavour, o, args)?,
        "push_now" => push_now(flavour, o, args)?,
        "import_entitlements" => entitlements::import_entitlements(o, args)?,
        "grant_entitlements" => entitlements::grant_entitlements(o, args)?,
        "unlink_group" => vec![
            // §2.9: "Delete the group in the target app" → DELETE, expecting 204.
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
