//! Issue 12's section of the fault catalogue: the defects the data IdP
//! profiles' suites (`suites/idp`, `suites/onelogin`, `suites/pingfederate`,
//! `suites/jumpcloud`, `suites/rippling`, `suites/sailpoint`) target, proved
//! by `idp_profiles_defects.rs`.

use std::time::Duration;

use axum::http::Method;
use serde_json::{Value, json};

use super::super::proxy::{Ctx, Req, Resp};
use super::{Fault, current, edit_json};

impl Fault {
    /// Whether the variant is handled by the IdP-profiles section below.
    pub(super) fn is_idps(&self) -> bool {
        use Fault::*;
        matches!(
            self,
            LastListedGroupLost
                | MultiValuedFilterRejected
                | UserDeleteRefused
                | MemberAddReplaces
                | GroupPatchIgnored
                | StringActiveRejected
                | MemberPatchReadModifyWrite
                | TrailingAmpersandRejected
                | EmptyQueryRejected
        )
    }
}

/// The request side.
pub(super) async fn idps_on_request(fault: Fault, req: &mut Req, ctx: &Ctx) -> Option<Resp> {
    use Fault::*;
    match fault {
        MultiValuedFilterRejected
            if req.method == Method::GET
                && req.query_pairs().iter().any(|(k, v)| {
                    k == "filter" && {
                        let v = v.replace('+', " ");
                        let v = percent_encoding::percent_decode_str(&v).decode_utf8_lossy();
                        v.trim_start().to_ascii_lowercase().starts_with("emails eq")
                    }
                }) =>
        {
            return Some(Resp::scim_error(
                400,
                "invalidFilter: emails needs a sub-attribute",
            ));
        }
        UserDeleteRefused if req.method == Method::DELETE && req.is_item("Users") => {
            return Some(Resp::scim_error(405, "users cannot be deleted"));
        }
        MemberAddReplaces if req.method == Method::PATCH && req.is_item("Groups") => {
            edit_json(req, |b| {
                if let Some(Value::Array(ops)) = b.get_mut("Operations") {
                    for op in ops {
                        let adds_members = op["op"]
                            .as_str()
                            .is_some_and(|o| o.eq_ignore_ascii_case("add"))
                            && op["path"].as_str() == Some("members");
                        if adds_members {
                            op["op"] = json!("replace");
                        }
                    }
                }
            });
        }
        StringActiveRejected
            if (req.method == Method::POST || req.method == Method::PUT)
                && req.json().is_some_and(|b| b["active"].is_string()) =>
        {
            return Some(Resp::scim_error(400, "active must be a boolean"));
        }
        GroupPatchIgnored if req.method == Method::PATCH && req.is_item("Groups") => {
            return Some(current(req, ctx).await);
        }
        MemberPatchReadModifyWrite if req.method == Method::PATCH && req.is_item("Groups") => {
            return read_modify_write(req, ctx).await;
        }
        TrailingAmpersandRejected if req.query.as_deref().is_some_and(|q| q.ends_with('&')) => {
            return Some(Resp::scim_error(400, "malformed query: trailing &"));
        }
        EmptyQueryRejected if req.query.as_deref() == Some("") => {
            return Some(Resp::scim_error(
                400,
                "malformed query: empty query after ?",
            ));
        }
        _ => {}
    }
    None
}

/// The response side.
pub(super) async fn idps_on_response(fault: Fault, req: &Req, resp: &mut Resp, _ctx: &Ctx) {
    if fault == Fault::LastListedGroupLost
        && req.method == Method::GET
        && req.path == "/scim/v2/Groups"
        && !req.query_pairs().iter().any(|(k, _)| k == "filter")
        && let Some(mut body) = resp.json()
    {
        // The last page loses its last group; the counts still claim it.
        let start = body["startIndex"].as_u64().unwrap_or(1);
        let total = body["totalResults"].as_u64().unwrap_or(0);
        if let Some(Value::Array(list)) = body.get_mut("Resources")
            && !list.is_empty()
            && start + list.len() as u64 > total
        {
            list.pop();
            resp.set_json(&body);
        }
    }
}

/// [`Fault::MemberPatchReadModifyWrite`]: a PATCH whose operations all
/// change `members` is applied as GET group → 25 ms → PUT group with the
/// member list changed, so two overlapping PATCHes of one group each write
/// the list they read and the first one's change is lost. One PATCH at a
/// time is applied correctly. `None`: not a member-only PATCH, sent as is.
async fn read_modify_write(req: &Req, ctx: &Ctx) -> Option<Resp> {
    let ops = super::operations(req);
    let member_op = |op: &Value| {
        op["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("members"))
    };
    if ops.is_empty() || !ops.iter().all(member_op) {
        return None;
    }
    let mut group = current(req, ctx).await.json()?;
    let mut members: Vec<String> = group["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|v| v["value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    tokio::time::sleep(Duration::from_millis(25)).await;
    for op in &ops {
        let values: Vec<String> = op["value"]
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|m| m["value"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let path = op["path"].as_str().unwrap_or_default();
        match op["op"].as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("add") => {
                for v in values {
                    if !members.contains(&v) {
                        members.push(v);
                    }
                }
            }
            Some("remove") if path == "members" => members.retain(|m| !values.contains(m)),
            // `members[value eq "id"]`
            Some("remove") => members.retain(|m| !path.contains(&format!("\"{m}\""))),
            _ => return None,
        }
    }
    group["members"] = json!(
        members
            .iter()
            .map(|m| json!({"value": m}))
            .collect::<Vec<_>>()
    );
    if let Some(g) = group.as_object_mut() {
        g.remove("meta");
    }
    let mut put = req.clone();
    put.method = Method::PUT;
    put.query = None;
    put.set_json(&group);
    put.headers.remove(axum::http::header::CONTENT_LENGTH);
    Some(ctx.upstream.send(&put).await)
}
