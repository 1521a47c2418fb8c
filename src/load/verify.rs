//! Outcome verification: reads the target back after a scenario (or after
//! a Locust run, `--verify`) and compares it with the plan's intent. Every
//! user exists exactly once (by `userName eq` filter), with the intended
//! `active` both by id and by filter, and its manager; every group exists
//! once with exactly the intended members. Each difference is a
//! [`Finding`] that names the user or group. Reads only; never writes.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use serde_json::Value;

use super::client::Driver;
use super::error::LoadError;
use super::exec::eq_filter;
use super::plan::{Plan, Profile};

/// What went wrong, in the words the report uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A write that should have landed did not (a user, a member add…).
    Lost,
    /// A write landed twice (two users with one `userName`, a listed-twice user).
    Duplicated,
    /// State differs from the intent in another way (active, manager, an extra member).
    Wrong,
    /// A write was answered with an error the IdP would not accept.
    WriteFailed,
    /// A `429` the IdP would not (or not in time) retry: the write is not applied.
    Throttled,
    /// A `5xx` answer.
    ServerError,
    /// The target did not sustain the scenario's rate, or errors exceeded the threshold.
    Unsustained,
}

impl FindingKind {
    /// The label in reports.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::Lost => "lost",
            FindingKind::Duplicated => "duplicated",
            FindingKind::Wrong => "wrong",
            FindingKind::WriteFailed => "write failed",
            FindingKind::Throttled => "throttled",
            FindingKind::ServerError => "5xx",
            FindingKind::Unsustained => "not sustained",
        }
    }
}

/// One difference between intent and outcome, or one failed write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// The user, group or request concerned.
    pub subject: String,
    /// What was seen.
    pub detail: String,
}

/// What the verification read and found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Users checked.
    pub users_checked: usize,
    /// Groups checked.
    pub groups_checked: usize,
    /// Memberships checked (intended members plus extra ones found).
    pub memberships_checked: usize,
    /// Every finding (of the run and of the read-back).
    pub findings: Vec<Finding>,
}

impl Verification {
    /// Whether nothing was found.
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }
}

fn resources(body: &Value) -> Vec<Value> {
    body.get("Resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn active_of(v: &Value) -> Option<bool> {
    match v.get("active") {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) => s
            .parse::<bool>()
            .ok()
            .or(Some(s.eq_ignore_ascii_case("true"))),
        // RFC 7643: `active` is optional; absent reads as not deactivated.
        _ => None,
    }
}

/// Reads the target back and compares it with `plan.intent`.
/// `Err` only when the target cannot be read at all.
pub async fn verify(plan: &Plan, driver: &Driver) -> Result<Verification, LoadError> {
    let mut v = Verification::default();
    let mut ids: HashMap<usize, String> = HashMap::new();
    let mut unreadable = 0usize;
    for (i, u) in plan.intent.users.iter().enumerate() {
        v.users_checked += 1;
        let subject = format!("user {}", u.user_name);
        let path = format!(
            "/Users?{}&startIndex=1&count=100",
            eq_filter(Profile::Okta, "userName", &u.user_name)
        );
        let answer = match driver.read(&path).await {
            Ok(a) if a.status == 200 => a,
            Ok(a) => {
                v.findings.push(finding(
                    FindingKind::Wrong,
                    &subject,
                    format!("the userName filter answered {}", a.status),
                ));
                continue;
            }
            Err(e) => {
                unreadable += 1;
                v.findings.push(finding(FindingKind::Wrong, &subject, e));
                continue;
            }
        };
        let matches: Vec<Value> = resources(&answer.body)
            .into_iter()
            .filter(|r| {
                r.get("userName")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(&u.user_name))
            })
            .collect();
        match matches.len() {
            0 => {
                v.findings.push(finding(
                    FindingKind::Lost,
                    &subject,
                    "no user with this userName (the create was lost)".into(),
                ));
                continue;
            }
            1 => {}
            n => {
                let idl: Vec<&str> = matches
                    .iter()
                    .filter_map(|r| r.get("id").and_then(Value::as_str))
                    .collect();
                v.findings.push(finding(
                    FindingKind::Duplicated,
                    &subject,
                    format!("{n} users with this userName (ids {})", idl.join(", ")),
                ));
            }
        }
        let Some(found) = matches.first() else {
            continue;
        };
        let Some(id) = found.get("id").and_then(Value::as_str).map(str::to_owned) else {
            v.findings.push(finding(
                FindingKind::Wrong,
                &subject,
                "listed without an id".into(),
            ));
            continue;
        };
        if active_of(found).unwrap_or(true) != u.active {
            v.findings.push(finding(
                FindingKind::Wrong,
                &subject,
                format!(
                    "by filter: active is {}, intended {}",
                    found.get("active").unwrap_or(&Value::Null),
                    u.active
                ),
            ));
        }
        match driver.read(&format!("/Users/{id}")).await {
            Ok(a) if a.status == 200 => {
                if active_of(&a.body).unwrap_or(true) != u.active {
                    v.findings.push(finding(
                        FindingKind::Wrong,
                        &subject,
                        format!(
                            "by id: active is {}, intended {}",
                            a.body.get("active").unwrap_or(&Value::Null),
                            u.active
                        ),
                    ));
                }
                if let Some(m) = u.manager {
                    check_manager(plan, &a.body, m, &ids, &subject, &mut v);
                }
            }
            Ok(a) => v.findings.push(finding(
                FindingKind::Lost,
                &subject,
                format!(
                    "GET /Users/{id} answered {} although the filter lists it",
                    a.status
                ),
            )),
            Err(e) => {
                unreadable += 1;
                v.findings.push(finding(FindingKind::Wrong, &subject, e));
            }
        }
        ids.insert(i, id);
    }
    for group in &plan.intent.groups {
        v.groups_checked += 1;
        let subject = format!("group {}", group.display_name);
        let path = format!(
            "/Groups?{}&startIndex=1&count=100",
            eq_filter(Profile::Okta, "displayName", &group.display_name)
        );
        let answer = match driver.read(&path).await {
            Ok(a) if a.status == 200 => a,
            Ok(a) => {
                v.findings.push(finding(
                    FindingKind::Wrong,
                    &subject,
                    format!("the displayName filter answered {}", a.status),
                ));
                continue;
            }
            Err(e) => {
                unreadable += 1;
                v.findings.push(finding(FindingKind::Wrong, &subject, e));
                continue;
            }
        };
        let matches: Vec<Value> = resources(&answer.body)
            .into_iter()
            .filter(|r| {
                r.get("displayName").and_then(Value::as_str) == Some(group.display_name.as_str())
            })
            .collect();
        if matches.is_empty() {
            v.findings.push(finding(
                FindingKind::Lost,
                &subject,
                "no group with this displayName".into(),
            ));
            continue;
        }
        if matches.len() > 1 {
            v.findings.push(finding(
                FindingKind::Duplicated,
                &subject,
                format!("{} groups with this displayName", matches.len()),
            ));
        }
        let Some(gid) = matches
            .first()
            .and_then(|r| r.get("id"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        let body = match driver.read(&format!("/Groups/{gid}")).await {
            Ok(a) if a.status == 200 => a.body,
            Ok(a) => {
                v.findings.push(finding(
                    FindingKind::Lost,
                    &subject,
                    format!("GET /Groups/{gid} answered {}", a.status),
                ));
                continue;
            }
            Err(e) => {
                unreadable += 1;
                v.findings.push(finding(FindingKind::Wrong, &subject, e));
                continue;
            }
        };
        let present: BTreeSet<String> = body
            .get("members")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| m.get("value").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let by_id: HashMap<&str, usize> = ids.iter().map(|(i, id)| (id.as_str(), *i)).collect();
        for &m in &group.members {
            v.memberships_checked += 1;
            let name = plan
                .intent
                .users
                .get(m)
                .map_or("?", |u| u.user_name.as_str());
            match ids.get(&m) {
                Some(id) if present.contains(id) => {}
                Some(_) => v.findings.push(finding(
                    FindingKind::Lost,
                    &subject,
                    format!("member add lost: {name} is not a member"),
                )),
                None => v.findings.push(finding(
                    FindingKind::Lost,
                    &subject,
                    format!("member {name} missing (the user itself is missing)"),
                )),
            }
        }
        for id in &present {
            if let Some(&m) = by_id.get(id.as_str())
                && !group.members.contains(&m)
            {
                v.memberships_checked += 1;
                let name = plan
                    .intent
                    .users
                    .get(m)
                    .map_or("?", |u| u.user_name.as_str());
                v.findings.push(finding(
                    FindingKind::Wrong,
                    &subject,
                    format!("member remove lost: {name} is still a member"),
                ));
            }
        }
    }
    let reads = plan.intent.users.len() + plan.intent.groups.len();
    if reads > 0 && unreadable * 2 > reads {
        return Err(LoadError::Unverifiable(format!(
            "{unreadable} of {reads} read-backs got no usable answer"
        )));
    }
    Ok(v)
}

fn check_manager(
    plan: &Plan,
    body: &Value,
    manager: usize,
    ids: &HashMap<usize, String>,
    subject: &str,
    v: &mut Verification,
) {
    let got = body
        .get("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
        .and_then(|e| e.get("manager"))
        .and_then(|m| m.get("value").or(Some(m)))
        .and_then(Value::as_str);
    // Managers come first in the user list (every tenth user), so their id is known.
    let want = ids.get(&manager);
    if got.is_none() || want.is_some_and(|w| Some(w.as_str()) != got) {
        let name = plan
            .intent
            .users
            .get(manager)
            .map_or("?", |u| u.user_name.as_str());
        v.findings.push(finding(
            FindingKind::Lost,
            subject,
            format!("manager {name} not set (found {got:?})"),
        ));
    }
}

fn finding(kind: FindingKind, subject: &str, detail: String) -> Finding {
    Finding {
        kind,
        subject: subject.to_owned(),
        detail,
    }
}
