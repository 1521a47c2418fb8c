//! Entra's fixed wire habits: headers, the two flavours' op and boolean
//! spelling, and the request pieces every action shares (§6.1).

use serde_json::{Value, json};

use super::super::ExpandError;
use super::super::request::{Args, Headers, StepExt, eq_filter, ops, step};
use crate::scim::PATCH_OP_SCHEMA;
use crate::suite::model::Method;
use crate::suite::model::{QueryEncoding, RequestStep, SchemaName};

/// Entra's headers. The User-Agent is the string server code keys Entra on
/// (okta-wire.md §6.1, tagged \[field\]: corroboration only, repository not
/// identifiable); `Accept` and `Content-Type` are SCIM's media type (ENT-TUT).
pub const HEADERS: Headers = Headers {
    user_agent: "Microsoft Azure AD SCIM provisioning 1.0.0",
    accept: "application/scim+json",
    accept_charset: None,
    content_type: "application/scim+json",
};

/// The schema Entra adds to group creates (§6.1, ENT-TUT).
pub const AD_GROUP_SCHEMA: &str =
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

/// Which Entra provisioning job is talking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// The default `scim` job (non-compliant PATCH, §6.1).
    Default,
    /// The job with `aadOptscim062020` on the Tenant URL (§6.2).
    Optscim2020,
}

impl Flavour {
    pub(super) fn origin(self, action: &str) -> String {
        match self {
            Self::Default => format!("entra: {action}"),
            Self::Optscim2020 => format!("entra-2020: {action}"),
        }
    }

    /// `Replace` / `replace` and so on (§6.2 first row).
    pub(super) fn op(self, op: &str) -> String {
        match self {
            Self::Default => {
                let mut chars = op.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            }
            Self::Optscim2020 => op.to_ascii_lowercase(),
        }
    }

    /// `"True"`/`"False"` strings by default, real booleans with the flag (§6.2).
    pub(super) fn boolean(self, b: bool) -> Value {
        match self {
            Self::Default => json!(if b { "True" } else { "False" }),
            Self::Optscim2020 => json!(b),
        }
    }
}

/// Every action an Entra profile knows, for "did you mean" and the README.
pub const ACTIONS: &[&str] = &[
    "test_connection",
    "lookup_user",
    "create_user",
    "update_user",
    "disable_user",
    "enable_user",
    "unassign_user",
    "set_manager",
    "delete_user",
    "lookup_group",
    "create_group",
    "add_members",
    "remove_members",
    "rename_group",
    "delete_group",
];

/// Okta's names for the same lifecycle events (okta-wire.md §2 vs §6.1),
/// so a suite written with `idp.*` actions runs under either family:
/// (Okta name, Entra action).
pub const OKTA_ALIASES: &[(&str, &str)] = &[
    ("test_connector", "test_connection"),
    ("push_new_user", "create_user"),
    ("deactivate_user", "disable_user"),
    ("reactivate_user", "enable_user"),
    ("push_group", "create_group"),
    ("unlink_group", "delete_group"),
];

/// The Entra action `name` stands for (itself unless it is an Okta alias).
pub(super) fn canonical(name: &str) -> &str {
    OKTA_ALIASES
        .iter()
        .find(|(okta, _)| *okta == name)
        .map_or(name, |(_, entra)| entra)
}

pub(super) const ENTERPRISE_KEYS: &[&str] = &[
    "employeeNumber",
    "department",
    "costCenter",
    "organization",
    "division",
];

pub(super) fn user_path(args: &Args<'_>) -> Result<String, ExpandError> {
    Ok(format!("/Users/{}", args.string("id")?))
}

pub(super) fn group_path(args: &Args<'_>) -> Result<String, ExpandError> {
    Ok(format!("/Groups/{}", args.string("id")?))
}

/// §6.1 (ENT-TUT): every filter is answered with a ListResponse, even when
/// nothing matches; Entra reads `totalResults` and `Resources`.
pub(super) fn list_checks(s: RequestStep) -> RequestStep {
    s.status(&[200])
        .schema(SchemaName::ListResponse)
        .json("$.totalResults", ops(json!({"type": "integer"})))
}

/// A PATCH request body.
pub(super) fn patch(operations: Vec<Value>) -> Value {
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations})
}

/// A one-request PATCH action (§6.1): a `PatchOp` body, answered 200 or 204,
/// with the action's own `expect`/`capture` merged in.
pub(super) fn patch_action(
    o: &str,
    label: &str,
    path: String,
    operations: Vec<Value>,
    args: &Args<'_>,
) -> Vec<RequestStep> {
    vec![
        step(&HEADERS, o, label, Method::Patch, path)
            .body(&HEADERS, patch(operations))
            .status(&[200, 204])
            .with_action_extras(args.action),
    ]
}

/// §6.1: `filter` only, spaces as `+`, no `startIndex`/`count`.
pub(super) fn filtered(s: RequestStep, attribute: &str, value: &str) -> RequestStep {
    s.query(
        &[("filter", eq_filter(attribute, value))],
        QueryEncoding::Plus,
    )
}

/// §6.1: `GET /Groups?excludedAttributes=members&filter=displayName eq "…"`.
pub(super) fn group_lookup(o: &str, name: &str) -> RequestStep {
    list_checks(
        step(
            &HEADERS,
            o,
            "look up by displayName",
            Method::Get,
            "/Groups".into(),
        )
        .query(
            &[
                ("excludedAttributes", json!("members")),
                ("filter", eq_filter("displayName", name)),
            ],
            QueryEncoding::Plus,
        ),
    )
}
