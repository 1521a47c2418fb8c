//! Executes the [`Step`]s of a plan with each IdP's request shapes
//! (okta-wire.md §2.4, §2.6, §2.9, §2.2; §6.1 for Entra;
//! idp-wire-more.md §6 for SailPoint). Ids learnt from creates and lookups
//! are shared between tasks; a write that does not land is a finding
//! naming the user or group.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde_json::{Value, json};

use super::client::{Answer, Driver};
use super::plan::{IMPORT_PAGE, Plan, Profile, Step};
use super::verify::FindingKind;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// Pages one import pass reads at most (a bound against endless paging).
const MAX_PAGES: usize = 10_000;

/// Characters kept verbatim in a filter value: RFC 3986 unreserved.
const FILTER: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `attr eq "value"` encoded the way `profile` sends it: Okta with `%20`,
/// Entra with `+` (okta-wire.md §1.3, §6.1).
pub fn eq_filter(profile: Profile, attr: &str, value: &str) -> String {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    let encoded = utf8_percent_encode(&quoted, FILTER).to_string();
    match profile {
        Profile::Entra => format!("filter={attr}+eq+{encoded}"),
        _ => format!("filter={attr}%20eq%20{encoded}"),
    }
}

/// Ids learnt during the run, shared by all tasks.
#[derive(Debug, Default)]
pub struct Ids {
    users: Mutex<HashMap<usize, String>>,
    groups: Mutex<HashMap<usize, String>>,
}

impl Ids {
    /// The learnt id of user `i`.
    pub fn user(&self, i: usize) -> Option<String> {
        self.users.lock().ok()?.get(&i).cloned()
    }
    fn set_user(&self, i: usize, id: String) {
        if let Ok(mut m) = self.users.lock() {
            m.insert(i, id);
        }
    }
    fn group(&self, i: usize) -> Option<String> {
        self.groups.lock().ok()?.get(&i).cloned()
    }
    fn set_group(&self, i: usize, id: String) {
        if let Ok(mut m) = self.groups.lock() {
            m.insert(i, id);
        }
    }
}

/// Runs steps against the driver.
pub struct Exec<'a> {
    /// The plan (names, intent).
    pub plan: &'a Plan,
    /// The HTTP side.
    pub driver: &'a Driver,
    /// Learnt ids.
    pub ids: &'a Ids,
}

fn first_id(answer: &Answer) -> Option<String> {
    answer
        .body
        .get("Resources")?
        .as_array()?
        .first()?
        .get("id")?
        .as_str()
        .map(str::to_owned)
}

fn id_of(answer: &Answer) -> Option<String> {
    answer.body.get("id")?.as_str().map(str::to_owned)
}

fn patch(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": ops})
}

impl Exec<'_> {
    /// Runs one step; `scheduled` is when its item was due.
    pub async fn step(&self, step: &Step, scheduled: Instant) {
        match step {
            Step::OktaPushUser { user, racing } | Step::EntraProvisionUser { user, racing } => {
                let profile = if matches!(step, Step::OktaPushUser { .. }) {
                    Profile::Okta
                } else {
                    Profile::Entra
                };
                self.push_user(profile, *user, *racing, scheduled).await;
            }
            Step::OktaPushGroup { group } => {
                self.push_group(Profile::Okta, *group, scheduled).await;
            }
            Step::EntraCreateGroup { group } => {
                self.push_group(Profile::Entra, *group, scheduled).await;
            }
            Step::OktaAddMembers { group, users } => {
                self.okta_members(*group, users, scheduled).await;
            }
            Step::OktaDeactivate { user } => {
                let Some(id) = self.user_id(Profile::Okta, *user, scheduled).await else {
                    return;
                };
                let body = patch(json!([{"op": "replace", "value": {"active": false}}]));
                self.write(
                    Profile::Okta,
                    "user.deactivate",
                    Method::PATCH,
                    &format!("/Users/{id}"),
                    &body,
                    &[],
                    scheduled,
                    &self.user_subject(*user),
                )
                .await;
            }
            Step::ImportPass => self.import_pass(scheduled).await,
            Step::EntraSetManager { user, manager } => {
                let (Some(id), Some(mid)) = (
                    self.user_id(Profile::Entra, *user, scheduled).await,
                    self.user_id(Profile::Entra, *manager, scheduled).await,
                ) else {
                    return;
                };
                let body = patch(
                    json!([{"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": mid}]),
                );
                self.write(
                    Profile::Entra,
                    "user.manager",
                    Method::PATCH,
                    &format!("/Users/{id}"),
                    &body,
                    &[],
                    scheduled,
                    &self.user_subject(*user),
                )
                .await;
            }
            Step::EntraAddMember { group, user } => {
                let (Some(gid), Some(uid)) = (
                    self.group_id(Profile::Entra, *group, scheduled).await,
                    self.user_id(Profile::Entra, *user, scheduled).await,
                ) else {
                    return;
                };
                let body = patch(
                    json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": uid}]}]),
                );
                let subject = format!(
                    "{} in {}",
                    self.user_subject(*user),
                    self.group_subject(*group)
                );
                self.write(
                    Profile::Entra,
                    "group.members.add",
                    Method::PATCH,
                    &format!("/Groups/{gid}"),
                    &body,
                    &[],
                    scheduled,
                    &subject,
                )
                .await;
            }
            Step::SailpointAdd { group, user } | Step::SailpointRemove { group, user } => {
                let add = matches!(step, Step::SailpointAdd { .. });
                let (Some(gid), Some(uid)) = (
                    self.group_id(Profile::Sailpoint, *group, scheduled).await,
                    self.user_id(Profile::Sailpoint, *user, scheduled).await,
                ) else {
                    return;
                };
                let (kind, op) = if add {
                    (
                        "group.member.add",
                        json!({"op": "add", "path": "members", "value": [{"value": uid}]}),
                    )
                } else {
                    (
                        "group.member.remove",
                        json!({"op": "remove", "path": format!("members[value eq \"{uid}\"]")}),
                    )
                };
                let subject = format!(
                    "{} {} {}",
                    if add { "add" } else { "remove" },
                    self.user_subject(*user),
                    self.group_subject(*group)
                );
                self.write(
                    Profile::Sailpoint,
                    kind,
                    Method::PATCH,
                    &format!("/Groups/{gid}"),
                    &patch(json!([op])),
                    &[],
                    scheduled,
                    &subject,
                )
                .await;
            }
            Step::ReadUser { user } => {
                if let Some(id) = self.ids.user(*user) {
                    let _ = self
                        .driver
                        .send(
                            Profile::Okta,
                            "user.get",
                            Method::GET,
                            &format!("/Users/{id}"),
                            None,
                            &[],
                            scheduled,
                        )
                        .await;
                }
            }
        }
    }

    fn user_subject(&self, i: usize) -> String {
        self.plan
            .intent
            .users
            .get(i)
            .map_or_else(|| format!("user #{i}"), |u| format!("user {}", u.user_name))
    }

    fn group_subject(&self, i: usize) -> String {
        self.plan.intent.groups.get(i).map_or_else(
            || format!("group #{i}"),
            |g| format!("group {}", g.display_name),
        )
    }

    /// Sends a write; anything but 2xx (or an accepted status) is a finding.
    #[allow(clippy::too_many_arguments)]
    async fn write(
        &self,
        profile: Profile,
        kind: &'static str,
        method: Method,
        path: &str,
        body: &Value,
        accepted: &[u16],
        scheduled: Instant,
        subject: &str,
    ) -> Option<Answer> {
        match self
            .driver
            .send(
                profile,
                kind,
                method.clone(),
                path,
                Some(body),
                accepted,
                scheduled,
            )
            .await
        {
            Ok(a) if (200..300).contains(&a.status) || accepted.contains(&a.status) => Some(a),
            Ok(a) => {
                let detail = a.body.get("detail").and_then(Value::as_str).unwrap_or("");
                self.driver.finding(
                    FindingKind::WriteFailed,
                    subject,
                    format!(
                        "{method} {kind} answered {} {}",
                        a.status,
                        crate::text::clip(detail, 160, crate::text::Mark::Ellipsis)
                    ),
                );
                None
            }
            Err(why) => {
                let kind_of = if why.starts_with("429") || why.contains("429") {
                    FindingKind::Throttled
                } else {
                    FindingKind::WriteFailed
                };
                self.driver
                    .finding(kind_of, subject, format!("{method} {kind}: {why}"));
                None
            }
        }
    }

    /// An IdP lookup; `None` when it failed (a finding is recorded).
    async fn lookup(
        &self,
        profile: Profile,
        kind: &'static str,
        path: &str,
        scheduled: Instant,
        subject: &str,
    ) -> Option<Option<String>> {
        match self
            .driver
            .send(profile, kind, Method::GET, path, None, &[404], scheduled)
            .await
        {
            Ok(a) if a.status == 200 => Some(first_id(&a)),
            Ok(a) if a.status == 404 => Some(None),
            Ok(a) => {
                self.driver.finding(
                    FindingKind::WriteFailed,
                    subject,
                    format!("lookup {kind} answered {}", a.status),
                );
                None
            }
            Err(why) => {
                let k = if why.contains("429") {
                    FindingKind::Throttled
                } else {
                    FindingKind::WriteFailed
                };
                self.driver
                    .finding(k, subject, format!("lookup {kind}: {why}"));
                None
            }
        }
    }

    fn user_lookup_path(&self, profile: Profile, user: usize, by_external_id: bool) -> String {
        let Some(u) = self.plan.intent.users.get(user) else {
            return String::new();
        };
        let (attr, value) = if by_external_id {
            ("externalId", &u.external_id)
        } else {
            ("userName", &u.user_name)
        };
        match profile {
            Profile::Entra => format!("/Users?{}", eq_filter(profile, attr, value)),
            _ => format!(
                "/Users?{}&startIndex=1&count=100",
                eq_filter(profile, attr, value)
            ),
        }
    }

    /// Lookup-then-create for one user. `racing`: two provisioning tasks
    /// for the same user, both of which looked up before either created.
    async fn push_user(&self, profile: Profile, user: usize, racing: bool, scheduled: Instant) {
        if racing {
            let (a, b) = tokio::join!(
                self.find_user(profile, user, scheduled),
                self.find_user(profile, user, scheduled)
            );
            tokio::join!(
                self.create_user(profile, user, a, true, scheduled),
                self.create_user(profile, user, b, true, scheduled)
            );
        } else {
            let found = self.find_user(profile, user, scheduled).await;
            self.create_user(profile, user, found, false, scheduled)
                .await;
        }
    }

    /// The IdP's lookup: `Some(None)` = not there, `None` = the lookup failed.
    async fn find_user(
        &self,
        profile: Profile,
        user: usize,
        scheduled: Instant,
    ) -> Option<Option<String>> {
        let subject = self.user_subject(user);
        let found = self
            .lookup(
                profile,
                "user.lookup",
                &self.user_lookup_path(profile, user, false),
                scheduled,
                &subject,
            )
            .await?;
        if found.is_none() && profile == Profile::Entra {
            return self
                .lookup(
                    profile,
                    "user.lookup.externalId",
                    &self.user_lookup_path(profile, user, true),
                    scheduled,
                    &subject,
                )
                .await;
        }
        Some(found)
    }

    async fn create_user(
        &self,
        profile: Profile,
        user: usize,
        found: Option<Option<String>>,
        racing: bool,
        scheduled: Instant,
    ) {
        let Some(found) = found else { return };
        let Some(u) = self.plan.intent.users.get(user) else {
            return;
        };
        let subject = self.user_subject(user);
        if let Some(id) = found {
            self.ids.set_user(user, id);
            return;
        }
        let body = match profile {
            Profile::Entra => json!({
                "schemas": [USER, ENTERPRISE],
                "externalId": u.external_id, "userName": u.user_name, "active": true,
                "displayName": format!("{} {}", u.given, u.family),
                "emails": [{"primary": true, "type": "work", "value": u.user_name}],
                "meta": {"resourceType": "User"}, "roles": [],
                "name": {"formatted": format!("{} {}", u.given, u.family), "familyName": u.family, "givenName": u.given},
                ENTERPRISE: {"employeeNumber": u.external_id, "department": "Load"}
            }),
            _ => json!({
                "schemas": [USER], "userName": u.user_name,
                "name": {"givenName": u.given, "familyName": u.family},
                "emails": [{"primary": true, "value": u.user_name, "type": "work"}],
                "displayName": format!("{} {}", u.given, u.family), "locale": "en-US",
                "externalId": u.external_id, "groups": [], "password": "1mz050nq", "active": true
            }),
        };
        // A 409 on a racing task means the other task won: link by lookup.
        let accepted: &[u16] = if racing { &[409] } else { &[] };
        let Some(answer) = self
            .write(
                profile,
                "user.create",
                Method::POST,
                "/Users",
                &body,
                accepted,
                scheduled,
                &subject,
            )
            .await
        else {
            return;
        };
        if let Some(id) = id_of(&answer) {
            self.ids.set_user(user, id);
        } else if answer.status == 409 {
            if let Some(Some(id)) = self
                .lookup(
                    profile,
                    "user.lookup",
                    &self.user_lookup_path(profile, user, false),
                    scheduled,
                    &subject,
                )
                .await
            {
                self.ids.set_user(user, id);
            }
        } else {
            self.driver.finding(
                FindingKind::WriteFailed,
                subject,
                "POST /Users answered without an `id`".to_owned(),
            );
        }
    }

    async fn push_group(&self, profile: Profile, group: usize, scheduled: Instant) {
        let Some(g) = self.plan.intent.groups.get(group) else {
            return;
        };
        let subject = self.group_subject(group);
        let filter = eq_filter(profile, "displayName", &g.display_name);
        let path = match profile {
            Profile::Entra => format!("/Groups?excludedAttributes=members&{filter}"),
            _ => format!("/Groups?{filter}&startIndex=1&count=100"),
        };
        let Some(found) = self
            .lookup(profile, "group.lookup", &path, scheduled, &subject)
            .await
        else {
            return;
        };
        if let Some(id) = found {
            self.ids.set_group(group, id);
            return;
        }
        let body = match profile {
            Profile::Entra => json!({
                "schemas": [GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
                "externalId": format!("{}-ext", g.display_name), "displayName": g.display_name
            }),
            _ => json!({"schemas": [GROUP], "displayName": g.display_name, "members": []}),
        };
        if let Some(answer) = self
            .write(
                profile,
                "group.create",
                Method::POST,
                "/Groups",
                &body,
                &[],
                scheduled,
                &subject,
            )
            .await
        {
            match id_of(&answer) {
                Some(id) => self.ids.set_group(group, id),
                None => self.driver.finding(
                    FindingKind::WriteFailed,
                    subject,
                    "POST /Groups answered without an `id`".to_owned(),
                ),
            }
        }
    }

    /// The id of user `i`: learnt, else looked up (a user pushed by another
    /// task or another Locust worker); `None` (with a finding) when absent.
    async fn user_id(&self, profile: Profile, i: usize, scheduled: Instant) -> Option<String> {
        if let Some(id) = self.ids.user(i) {
            return Some(id);
        }
        let subject = self.user_subject(i);
        let lookup_profile = if profile == Profile::Sailpoint {
            Profile::Okta
        } else {
            profile
        };
        match self
            .lookup(
                lookup_profile,
                "user.lookup",
                &self.user_lookup_path(lookup_profile, i, false),
                scheduled,
                &subject,
            )
            .await
        {
            Some(Some(id)) => {
                self.ids.set_user(i, id.clone());
                Some(id)
            }
            Some(None) => {
                self.driver.finding(
                    FindingKind::Lost,
                    subject,
                    "not found when a later step needed it".to_owned(),
                );
                None
            }
            None => None,
        }
    }

    async fn group_id(&self, profile: Profile, i: usize, scheduled: Instant) -> Option<String> {
        if let Some(id) = self.ids.group(i) {
            return Some(id);
        }
        let g = self.plan.intent.groups.get(i)?;
        let subject = self.group_subject(i);
        let path = format!(
            "/Groups?{}&startIndex=1&count=100",
            eq_filter(Profile::Okta, "displayName", &g.display_name)
        );
        let _ = profile;
        match self
            .lookup(Profile::Okta, "group.lookup", &path, scheduled, &subject)
            .await
        {
            Some(Some(id)) => {
                self.ids.set_group(i, id.clone());
                Some(id)
            }
            Some(None) => {
                self.driver.finding(
                    FindingKind::Lost,
                    subject,
                    "not found when a member change needed it".to_owned(),
                );
                None
            }
            None => None,
        }
    }

    /// Okta's membership delta: the rename PATCH, then one `add members`.
    async fn okta_members(&self, group: usize, users: &[usize], scheduled: Instant) {
        let Some(gid) = self.group_id(Profile::Okta, group, scheduled).await else {
            return;
        };
        let Some(g) = self.plan.intent.groups.get(group) else {
            return;
        };
        let mut values = Vec::new();
        for &u in users {
            if let Some(id) = self.user_id(Profile::Okta, u, scheduled).await {
                let display = self
                    .plan
                    .intent
                    .users
                    .get(u)
                    .map(|x| x.user_name.clone())
                    .unwrap_or_default();
                values.push(json!({"value": id, "display": display}));
            }
        }
        let subject = self.group_subject(group);
        let rename =
            patch(json!([{"op": "replace", "value": {"id": gid, "displayName": g.display_name}}]));
        let path = format!("/Groups/{gid}");
        if self
            .write(
                Profile::Okta,
                "group.rename",
                Method::PATCH,
                &path,
                &rename,
                &[],
                scheduled,
                &subject,
            )
            .await
            .is_none()
        {
            return;
        }
        if values.is_empty() {
            return;
        }
        let add = patch(json!([{"op": "add", "path": "members", "value": values}]));
        let subject = format!("{} member(s) of {subject}", users.len());
        self.write(
            Profile::Okta,
            "group.members.add",
            Method::PATCH,
            &path,
            &add,
            &[],
            scheduled,
            &subject,
        )
        .await;
    }

    /// One Okta import pass; a run user listed twice, or an active one
    /// missing, is a finding.
    async fn import_pass(&self, scheduled: Instant) {
        let prefix = format!("load-{}-", self.plan.params.run_id);
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut start = 1usize;
        for _ in 0..MAX_PAGES {
            let path = format!("/Users?startIndex={start}&count={IMPORT_PAGE}");
            let answer = match self
                .driver
                .send(
                    Profile::Okta,
                    "import.page",
                    Method::GET,
                    &path,
                    None,
                    &[],
                    scheduled,
                )
                .await
            {
                Ok(a) if a.status == 200 => a,
                Ok(a) => {
                    self.driver.finding(
                        FindingKind::WriteFailed,
                        "import",
                        format!("GET {path} answered {}", a.status),
                    );
                    return;
                }
                Err(why) => {
                    let k = if why.contains("429") {
                        FindingKind::Throttled
                    } else {
                        FindingKind::WriteFailed
                    };
                    self.driver
                        .finding(k, "import", format!("GET {path}: {why}"));
                    return;
                }
            };
            for r in answer
                .body
                .get("Resources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(name) = r.get("userName").and_then(Value::as_str)
                    && name.starts_with(&prefix)
                {
                    *seen.entry(name.to_owned()).or_default() += 1;
                }
            }
            let total = answer
                .body
                .get("totalResults")
                .and_then(Value::as_u64)
                .unwrap_or(0) as usize;
            if start + IMPORT_PAGE > total {
                break;
            }
            start += IMPORT_PAGE;
        }
        for (name, n) in &seen {
            if *n > 1 {
                self.driver.finding(
                    FindingKind::Duplicated,
                    format!("user {name}"),
                    format!("listed {n} times in one import pass"),
                );
            }
        }
        for u in self.plan.intent.users.iter().filter(|u| u.active) {
            if !seen.contains_key(&u.user_name) {
                self.driver.finding(
                    FindingKind::Lost,
                    format!("user {}", u.user_name),
                    "missing from an import pass".to_owned(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_encoded_like_each_idp() {
        assert_eq!(
            eq_filter(Profile::Okta, "userName", "a.b@x.com"),
            "filter=userName%20eq%20%22a.b%40x.com%22"
        );
        assert_eq!(
            eq_filter(Profile::Entra, "externalId", "00u1"),
            "filter=externalId+eq+%2200u1%22"
        );
    }
}
