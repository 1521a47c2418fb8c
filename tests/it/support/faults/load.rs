//! Issue 14's section of the fault catalogue: defects that only show under
//! load, proved by `load.rs` (each `scimulator load` scenario's verification
//! must fail on each of them and pass on the plain reference server).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::super::proxy::{Ctx, Req, Resp};
use super::{Fault, current, edit_json, operations};

/// Prefix of the second account [`Fault::DuplicateUserOnRace`] makes.
const TWIN: &str = "dup-race-";

/// Per-proxy state of the load faults.
#[derive(Debug, Default)]
pub struct LoadState {
    /// Requests seen (for every-fifth throttling).
    pub seen: AtomicUsize,
    /// PATCHes in flight per group path.
    pub in_flight: Mutex<HashMap<String, usize>>,
}

impl Fault {
    /// Whether the variant is handled here.
    pub(super) fn is_load(&self) -> bool {
        matches!(
            self,
            Fault::LosesConcurrentMemberAdd
                | Fault::DuplicateUserOnRace
                | Fault::ThrottleEveryFifthNoRetryAfter
        )
    }
}

fn adds_members(req: &Req) -> bool {
    operations(req).iter().any(|op| {
        op["op"]
            .as_str()
            .is_some_and(|o| o.eq_ignore_ascii_case("add"))
            && op["path"].as_str() == Some("members")
    })
}

fn in_flight(ctx: &Ctx, path: &str, delta: isize) -> usize {
    let mut map = ctx.load.in_flight.lock().expect("lock");
    let n = map.entry(path.to_owned()).or_default();
    *n = n.saturating_add_signed(delta);
    *n
}

/// The request side.
pub(super) async fn load_on_request(fault: Fault, req: &mut Req, ctx: &Ctx) -> Option<Resp> {
    match fault {
        Fault::ThrottleEveryFifthNoRetryAfter => {
            let n = ctx.load.seen.fetch_add(1, Ordering::SeqCst) + 1;
            (n % 5 == 0).then(|| Resp::scim_error(429, "slow down"))
        }
        Fault::LosesConcurrentMemberAdd if req.method == Method::PATCH && req.is_item("Groups") => {
            let others = in_flight(ctx, &req.path, 1) - 1;
            if others > 0 && adds_members(req) && ctx.fire_once() {
                in_flight(ctx, &req.path, -1);
                // Answered as if applied; the add is lost.
                return Some(current(req, ctx).await);
            }
            // A read-modify-write server: the window in which a second
            // PATCH of the same group overlaps this one.
            tokio::time::sleep(Duration::from_millis(30)).await;
            None
        }
        Fault::DuplicateUserOnRace
            if req.method == Method::GET
                && req.path == "/scim/v2/Users"
                && super::filter_value(req, "userName").is_some() =>
        {
            // A slow lookup (as under real load): both tasks of a racing
            // pair see "absent" before either creates, even on a busy machine.
            tokio::time::sleep(Duration::from_millis(150)).await;
            None
        }
        _ => None,
    }
}

/// The response side.
pub(super) async fn load_on_response(fault: Fault, req: &Req, resp: &mut Resp, ctx: &Ctx) {
    match fault {
        Fault::LosesConcurrentMemberAdd if req.method == Method::PATCH && req.is_item("Groups") => {
            in_flight(ctx, &req.path, -1);
        }
        Fault::DuplicateUserOnRace => duplicate_on_race(req, resp, ctx).await,
        _ => {}
    }
}

async fn duplicate_on_race(req: &Req, resp: &mut Resp, ctx: &Ctx) {
    let users = req.path == "/scim/v2/Users";
    if users && req.method == Method::POST && resp.status == StatusCode::CONFLICT {
        // The race: no uniqueness check, so the loser is created too.
        let mut again = req.clone();
        edit_json(&mut again, |b| {
            for key in ["userName", "externalId"] {
                if let Some(v) = b[key].as_str() {
                    b[key] = json!(format!("{TWIN}{v}"));
                }
            }
        });
        *resp = ctx.upstream.send(&again).await;
    } else if users && req.method == Method::GET {
        // A userName lookup lists both accounts.
        if let Some(wanted) = super::filter_value(req, "userName") {
            let mut twin = req.clone();
            let quoted = serde_json::to_string(&format!("{TWIN}{wanted}")).expect("a string");
            let encoded =
                percent_encoding::utf8_percent_encode(&quoted, percent_encoding::NON_ALPHANUMERIC);
            twin.query = Some(format!("filter=userName%20eq%20{encoded}"));
            let extra = ctx.upstream.send(&twin).await.json();
            let extra: Vec<Value> = extra
                .and_then(|b| b["Resources"].as_array().cloned())
                .unwrap_or_default();
            if let Some(mut body) = resp.json()
                && !extra.is_empty()
                && let Some(list) = body["Resources"].as_array_mut()
            {
                list.extend(extra);
                let n = list.len();
                body["totalResults"] = json!(n);
                body["itemsPerPage"] = json!(n);
                resp.set_json(&body);
            }
        }
    }
    // Everywhere: the second account shows the contested userName.
    if let Some(mut body) = resp.json() {
        let mut changed = false;
        let mut fix = |u: &mut Value| {
            if let Some(name) = u["userName"].as_str().and_then(|n| n.strip_prefix(TWIN)) {
                u["userName"] = json!(name);
                changed = true;
            }
        };
        if let Some(list) = body.get_mut("Resources").and_then(Value::as_array_mut) {
            list.iter_mut().for_each(&mut fix);
        } else if body.get("userName").is_some() {
            fix(&mut body);
        }
        if changed {
            resp.set_json(&body);
        }
    }
}
