//! Okta's fixed wire habits: headers (§1.2), the two flavours, and the
//! request pieces every action shares (paths, paging checks, GET + merged
//! PUT, the path-less PATCH). Must not know any single action's sequence.

use serde_json::{Value, json};

use crate::idp::ExpandError;
use crate::idp::request::{Args, Headers, StepExt, ops, step};
use crate::scim::PATCH_OP_SCHEMA;
use crate::suite::model::Method;
use crate::suite::model::{RequestStep, SchemaName};

/// Okta's headers (okta-wire.md §1.2, OKOLD capture): no `Content-Type` on GETs.
pub const HEADERS: Headers = Headers {
    user_agent: "Okta SCIM Client 1.0.0",
    accept: "application/scim+json",
    accept_charset: Some("utf-8"),
    content_type: "application/scim+json; charset=utf-8",
};

/// Which kind of Okta app is provisioning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// OIN catalogue app: PATCH for (de)activation, password and groups.
    Oin,
    /// App Integration Wizard custom app: GET + PUT for every change.
    Aiw,
}

impl Flavour {
    pub(super) fn origin(self, action: &str) -> String {
        match self {
            Self::Oin => format!("okta: {action}"),
            Self::Aiw => format!("okta-aiw: {action}"),
        }
    }
}

pub(super) fn user_path(args: &Args<'_>) -> Result<String, ExpandError> {
    Ok(format!("/Users/{}", args.string("id")?))
}

pub(super) fn group_path(args: &Args<'_>) -> Result<String, ExpandError> {
    Ok(format!("/Groups/{}", args.string("id")?))
}

/// The paging fields Okta reads must be JSON integers (§2.2, OK20).
pub(super) fn list_checks(s: RequestStep) -> RequestStep {
    s.status(&[200])
        .schema(SchemaName::ListResponse)
        .json("$.totalResults", ops(json!({"type": "integer"})))
        .json("$.startIndex", ops(json!({"type": "integer"})))
        .json("$.itemsPerPage", ops(json!({"type": "integer"})))
}

/// `PUT` whose body is the last fetched resource with `merge` on top.
pub(super) fn put_merged(o: &str, label: &str, path: &str, merge: Value) -> RequestStep {
    let mut put = step(&HEADERS, o, label, Method::Put, path.to_owned())
        .body(&HEADERS, json!("{{ _okta_current }}"))
        .status(&[200])
        .json("$.id", ops(json!({"type": "string", "non_empty": true})));
    put.request.body_merge = Some(merge);
    put
}

pub(super) fn fetch(o: &str, label: &str, path: String) -> RequestStep {
    step(&HEADERS, o, label, Method::Get, path)
        .status(&[200])
        .capture("_okta_current", "$", false)
}

/// The PATCH Okta sends for activation changes and password sync: no
/// `path`, `value` an object (§2.6, OK20).
pub(super) fn pathless_replace(value: Value) -> Value {
    json!({
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": "replace", "value": value}],
    })
}
