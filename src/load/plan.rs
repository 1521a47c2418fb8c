//! Scenarios as data: a [`Plan`] is the intent (which users and groups must
//! exist at the end, with which members and which `active` state) and the
//! phases of [`Item`]s that an IdP would send to reach it. The same plan is
//! executed by [`super::exec`] and serialised into the Locust file, so both
//! send the same request shapes. Pure: no I/O.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::LoadError;

/// Members per Okta membership PATCH during a push (Okta does not publish
/// its batch size; okta-wire.md §2.9 shows several members in one `add`).
pub const OKTA_MEMBER_BATCH: usize = 10;
/// One user in this many is pushed by two provisioning tasks at once (a
/// user assigned directly and through a group; an Entra on-demand
/// provision overlapping the cycle): the lookup-then-create race.
pub const RACE_EVERY: usize = 10;
/// Okta's import page size (okta-wire.md §2.2).
pub const IMPORT_PAGE: usize = 100;

/// The IdP whose request shapes and 429 policy a step follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Okta OIN (PATCH-capable template), okta-wire.md §2 and §3 "429".
    Okta,
    /// Entra ID's default `scim` job, okta-wire.md §6.
    Entra,
    /// SailPoint: one PATCH per member change, no retry on 429 (idp-wire-more.md §6).
    Sailpoint,
}

/// A named, parameterised load shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// Okta's lookup-then-create for N users, then group pushes with members.
    OktaInitialPush,
    /// Entra's initial cycle held at a rate (default 25 req/s).
    EntraCycle,
    /// N users pushed, then all deactivated as fast as Okta would.
    BulkDeactivate,
    /// SailPoint-style concurrent single-member PATCHes on a few groups.
    MemberStorm,
    /// Okta's paged import of a pushed population.
    Import,
    /// `GET /Users/{id}` in a loop: the baseline the benchmark compares with `wrk`.
    ReadUser,
}

impl Scenario {
    /// Every scenario, in `--list` order.
    pub const ALL: [Scenario; 6] = [
        Scenario::OktaInitialPush,
        Scenario::EntraCycle,
        Scenario::BulkDeactivate,
        Scenario::MemberStorm,
        Scenario::Import,
        Scenario::ReadUser,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::OktaInitialPush => "okta-initial-push",
            Scenario::EntraCycle => "entra-cycle",
            Scenario::BulkDeactivate => "bulk-deactivate",
            Scenario::MemberStorm => "member-storm",
            Scenario::Import => "import",
            Scenario::ReadUser => "read-user",
        }
    }

    /// The scenario called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// One line for `--list`.
    pub fn describe(self) -> &'static str {
        match self {
            Scenario::OktaInitialPush => {
                "Okta lookup-then-create for N users (1 in 10 pushed twice at once), then group pushes with members"
            }
            Scenario::EntraCycle => {
                "Entra initial cycle: lookup by userName and externalId, create with enterprise attributes, manager, group members; held at --rate for --duration"
            }
            Scenario::BulkDeactivate => {
                "N users pushed by Okta, then every one deactivated (PATCH active:false), checked by id and by filter"
            }
            Scenario::MemberStorm => {
                "SailPoint-style single-member PATCHes on a few groups, adds and removes mixed, in parallel, no retry on 429"
            }
            Scenario::Import => {
                "N users pushed by Okta, then Okta's paged import (count=100) repeated for --duration"
            }
            Scenario::ReadUser => {
                "GET /Users/{id} as fast as --concurrency allows (the benchmark baseline against wrk)"
            }
        }
    }
}

/// The knobs of a scenario; [`Params::defaults`] gives each scenario's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Users provisioned.
    pub users: usize,
    /// Groups pushed.
    pub groups: usize,
    /// Members per group (member-storm: member changes per group).
    pub members: usize,
    /// Requests per second on the open-model schedule; 0 = as fast as the
    /// concurrency cap allows.
    pub rate: f64,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// How long the scenario is held (entra-cycle, import, read-user).
    #[serde(with = "secs")]
    pub duration: Duration,
    /// Names every user and group of the run (`load-<run id>-…`), so a
    /// later `--verify` finds the same population.
    pub run_id: String,
    /// The longest a request may wait on `429`s in total before it is
    /// given up (and the write counted as not applied).
    #[serde(with = "secs")]
    pub max_retry_wait: Duration,
    /// Timeout of one request.
    #[serde(with = "secs")]
    pub timeout: Duration,
}

mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let v = f64::deserialize(d)?;
        Ok(Duration::from_secs_f64(v.max(0.0)))
    }
}

impl Params {
    /// The defaults of `scenario`.
    pub fn defaults(scenario: Scenario) -> Self {
        let base = Params {
            users: 200,
            groups: 4,
            members: 25,
            rate: 100.0,
            concurrency: 16,
            duration: Duration::ZERO,
            run_id: String::new(),
            max_retry_wait: Duration::from_secs(30),
            timeout: Duration::from_secs(30),
        };
        match scenario {
            Scenario::OktaInitialPush | Scenario::BulkDeactivate => base,
            Scenario::EntraCycle => Params {
                users: 0,
                groups: 2,
                members: 0,
                rate: 25.0,
                concurrency: 8,
                duration: Duration::from_secs(30),
                ..base
            },
            Scenario::MemberStorm => Params {
                users: 60,
                groups: 3,
                members: 40,
                ..base
            },
            Scenario::Import => Params {
                users: 250,
                groups: 2,
                members: 20,
                ..base
            },
            Scenario::ReadUser => Params {
                users: 1,
                groups: 0,
                members: 0,
                rate: 0.0,
                concurrency: 32,
                duration: Duration::from_secs(10),
                ..base
            },
        }
    }

    /// Refuses parameters that cannot describe a run.
    pub fn validate(&self) -> Result<(), LoadError> {
        let bad = |m: &str| Err(LoadError::Params(m.to_owned()));
        if self.concurrency == 0 {
            return bad("--concurrency must be at least 1");
        }
        if !self.rate.is_finite() || self.rate < 0.0 {
            return bad("--rate must be a number ≥ 0 (0 = unpaced)");
        }
        if self.users > 1_000_000 || self.groups > 10_000 || self.members > 1_000_000 {
            return bad("--users, --groups or --members is implausibly large");
        }
        if self.run_id.is_empty()
            || !self
                .run_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return bad("--run-id must be non-empty ASCII letters, digits or '-'");
        }
        Ok(())
    }
}

/// A user the scenario provisions, and the state it must end in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserIntent {
    /// `userName` (an email address).
    pub user_name: String,
    /// `externalId` (an Okta `00u…`-style or Entra object id).
    pub external_id: String,
    /// `name.givenName`.
    pub given: String,
    /// `name.familyName`.
    pub family: String,
    /// `active` at the end of the scenario.
    pub active: bool,
    /// The index of the user's manager (entra-cycle).
    pub manager: Option<usize>,
}

/// A group the scenario pushes, and its members at the end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupIntent {
    /// `displayName`.
    pub display_name: String,
    /// Indexes of the users that must be members at the end.
    pub members: BTreeSet<usize>,
}

/// What must be true on the target after the scenario.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Intent {
    /// Users, by index.
    pub users: Vec<UserIntent>,
    /// Groups, by index.
    pub groups: Vec<GroupIntent>,
    /// Whether an import must list every active user of the run once.
    pub import: bool,
}

/// One IdP action: a short sequence of requests with the IdP's shapes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Step {
    /// Okta push (okta-wire.md §2.4): `userName eq` lookup, POST when absent;
    /// `racing`: two tasks do it at once; a 409 on the loser is a link.
    OktaPushUser {
        /// User index.
        user: usize,
        /// Two concurrent tasks.
        racing: bool,
    },
    /// Okta group push (§2.9): `displayName eq` lookup, POST `members:[]`.
    OktaPushGroup {
        /// Group index.
        group: usize,
    },
    /// Okta membership delta (§2.9): rename PATCH (`id` in `value`), then an
    /// `add members` PATCH.
    OktaAddMembers {
        /// Group index.
        group: usize,
        /// User indexes.
        users: Vec<usize>,
    },
    /// Okta OIN deactivate (§2.6): path-less `replace {"active":false}`.
    OktaDeactivate {
        /// User index.
        user: usize,
    },
    /// One Okta import pass (§2.2): pages of 100 until `totalResults`.
    ImportPass,
    /// Entra create (§6.1): lookups by `userName` and by `externalId`, POST
    /// with core + enterprise schemas.
    EntraProvisionUser {
        /// User index.
        user: usize,
        /// Two concurrent tasks.
        racing: bool,
    },
    /// Entra group create (§6.1): lookup with `excludedAttributes=members`, POST.
    EntraCreateGroup {
        /// Group index.
        group: usize,
    },
    /// Entra manager PATCH (plain string id, §6.1).
    EntraSetManager {
        /// User index.
        user: usize,
        /// Manager's user index.
        manager: usize,
    },
    /// Entra member add: `{"op":"Add","path":"members","value":[…]}`.
    EntraAddMember {
        /// Group index.
        group: usize,
        /// User index.
        user: usize,
    },
    /// SailPoint: one `add` of one member, never retried on 429.
    SailpointAdd {
        /// Group index.
        group: usize,
        /// User index.
        user: usize,
    },
    /// SailPoint: one `remove` of one member, never retried on 429.
    SailpointRemove {
        /// Group index.
        group: usize,
        /// User index.
        user: usize,
    },
    /// `GET /Users/{id}` (read-user).
    ReadUser {
        /// User index.
        user: usize,
    },
}

impl Step {
    /// The requests this step is expected to send (for pacing items so the
    /// request rate matches `--rate`).
    pub fn expected_requests(&self, users: usize) -> usize {
        match self {
            Step::OktaPushUser { racing, .. } => 2 * (1 + usize::from(*racing)),
            Step::EntraProvisionUser { racing, .. } => 3 * (1 + usize::from(*racing)),
            Step::OktaPushGroup { .. }
            | Step::EntraCreateGroup { .. }
            | Step::OktaAddMembers { .. } => 2,
            Step::ImportPass => users / IMPORT_PAGE + 1,
            _ => 1,
        }
    }
}

/// A sequence of steps run in order by one task.
pub type Item = Vec<Step>;

/// Items that run concurrently; a phase ends when all its items have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    /// Shown in the report.
    pub name: String,
    /// The items.
    pub items: Vec<Item>,
}

/// A scenario made concrete: intent + phases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The scenario.
    pub scenario: Scenario,
    /// Its parameters (sizes resolved).
    pub params: Params,
    /// What must hold at the end.
    pub intent: Intent,
    /// What is sent.
    pub phases: Vec<Phase>,
}

impl Plan {
    /// The plan of `scenario` with `params` (validated).
    pub fn build(scenario: Scenario, mut params: Params) -> Result<Self, LoadError> {
        params.validate()?;
        if scenario == Scenario::EntraCycle && params.users == 0 {
            // Held for `duration` at `rate`: ~5 requests per user.
            let budget = params.rate * params.duration.as_secs_f64();
            params.users = ((budget / 5.0).ceil() as usize).max(10);
        }
        if scenario == Scenario::ReadUser {
            // One user, read over and over.
            params.users = 1;
            params.groups = 0;
            params.members = 0;
        }
        if params.users == 0 {
            return Err(LoadError::Params("--users must be at least 1".into()));
        }
        let mut intent = Intent {
            users: (0..params.users).map(|i| user(&params.run_id, i)).collect(),
            groups: (0..params.groups)
                .map(|g| GroupIntent {
                    display_name: format!("load-{}-group-{g}", params.run_id),
                    members: BTreeSet::new(),
                })
                .collect(),
            import: false,
        };
        let mut phases = Vec::new();
        match scenario {
            Scenario::OktaInitialPush | Scenario::BulkDeactivate | Scenario::Import => {
                okta_push(&params, &mut intent, &mut phases);
                if scenario == Scenario::BulkDeactivate {
                    for u in &mut intent.users {
                        u.active = false;
                    }
                    phases.push(phase(
                        "deactivate",
                        (0..params.users).map(|user| vec![Step::OktaDeactivate { user }]),
                    ));
                }
                if scenario == Scenario::Import {
                    intent.import = true;
                    let per_pass = params.users / IMPORT_PAGE + 1;
                    let budget = params.rate * params.duration.as_secs_f64();
                    let passes = ((budget / per_pass as f64) as usize).max(1);
                    phases.push(phase("import", (0..passes).map(|_| vec![Step::ImportPass])));
                }
            }
            Scenario::EntraCycle => entra_cycle(&params, &mut intent, &mut phases),
            Scenario::MemberStorm => member_storm(&params, &mut intent, &mut phases),
            Scenario::ReadUser => {
                phases.push(phase(
                    "provision",
                    [vec![Step::OktaPushUser {
                        user: 0,
                        racing: false,
                    }]],
                ));
                phases.push(phase("read", std::iter::empty()));
            }
        }
        Ok(Plan {
            scenario,
            params,
            intent,
            phases,
        })
    }
}

fn phase(name: &str, items: impl IntoIterator<Item = Item>) -> Phase {
    Phase {
        name: name.to_owned(),
        items: items.into_iter().collect(),
    }
}

fn user(run: &str, i: usize) -> UserIntent {
    UserIntent {
        user_name: format!("load-{run}-{i}@example.com"),
        external_id: format!("00u{run}{i:06}"),
        given: format!("Load{i}"),
        family: format!("User{run}"),
        active: true,
        manager: None,
    }
}

/// Users pushed (1 in [`RACE_EVERY`] by two racing tasks), groups pushed,
/// then membership PATCHes in batches, all batches of a group in flight at once.
fn okta_push(params: &Params, intent: &mut Intent, phases: &mut Vec<Phase>) {
    let users = (0..params.users).map(|user| {
        vec![Step::OktaPushUser {
            user,
            racing: user % RACE_EVERY == 0,
        }]
    });
    let groups = (0..params.groups).map(|group| vec![Step::OktaPushGroup { group }]);
    phases.push(phase("provision", users.chain(groups)));
    let mut batches = Vec::new();
    for (g, group) in intent.groups.iter_mut().enumerate() {
        let members: Vec<usize> = (0..params.users)
            .filter(|u| u % params.groups.max(1) == g)
            .take(params.members)
            .collect();
        group.members.extend(members.iter().copied());
        for chunk in members.chunks(OKTA_MEMBER_BATCH) {
            batches.push(vec![Step::OktaAddMembers {
                group: g,
                users: chunk.to_vec(),
            }]);
        }
    }
    // Interleave groups so that each group's batches overlap in time.
    batches.sort_by_key(|item| match item.first() {
        Some(Step::OktaAddMembers { users, .. }) => users.first().copied().unwrap_or(0),
        _ => 0,
    });
    phases.push(phase("memberships", batches));
}

/// Groups, then users (lookups by userName and externalId, create), then per
/// user a manager PATCH (1 in 10 users is a manager) and a member add.
fn entra_cycle(params: &Params, intent: &mut Intent, phases: &mut Vec<Phase>) {
    phases.push(phase(
        "groups",
        (0..params.groups).map(|group| vec![Step::EntraCreateGroup { group }]),
    ));
    phases.push(phase(
        "users",
        (0..params.users).map(|user| {
            vec![Step::EntraProvisionUser {
                user,
                racing: user % RACE_EVERY == 0,
            }]
        }),
    ));
    let mut items = Vec::new();
    for user in 0..params.users {
        let mut item = Vec::new();
        let lead = user / RACE_EVERY * RACE_EVERY;
        if lead != user {
            intent.users[user].manager = Some(lead);
            item.push(Step::EntraSetManager {
                user,
                manager: lead,
            });
        }
        if params.groups > 0 {
            let group = user % params.groups;
            intent.groups[group].members.insert(user);
            item.push(Step::EntraAddMember { group, user });
        }
        if !item.is_empty() {
            items.push(item);
        }
    }
    phases.push(phase("references", items));
}

/// Users and groups pushed, some members seeded, then the storm: per group
/// `members` single-member changes: adds that stay, removes of seeded
/// members, and add-then-remove pairs (in order, in one task).
fn member_storm(params: &Params, intent: &mut Intent, phases: &mut Vec<Phase>) {
    let setup = Params {
        members: 0,
        ..params.clone()
    };
    okta_push(&setup, intent, phases);
    let mut seeds = Vec::new();
    let mut storm = Vec::new();
    for g in 0..params.groups {
        // Per group: the adds that stay, then the removes, then the
        // add-then-remove pairs (all run at once; the order only decides
        // which change reaches the server first).
        let (mut stays, mut removes, mut pairs) = (Vec::new(), Vec::new(), Vec::new());
        let mut seen = BTreeSet::new();
        for k in 0..params.members {
            let user = (g * 7 + k) % params.users;
            if !seen.insert(user) {
                continue;
            }
            match k % 3 {
                0 => {
                    intent.groups[g].members.insert(user);
                    stays.push(vec![Step::SailpointAdd { group: g, user }]);
                }
                1 => {
                    seeds.push(user);
                    removes.push(vec![Step::SailpointRemove { group: g, user }]);
                }
                _ => pairs.push(vec![
                    Step::SailpointAdd { group: g, user },
                    Step::SailpointRemove { group: g, user },
                ]),
            }
        }
        storm.extend(stays.into_iter().chain(removes).chain(pairs));
        if !seeds.is_empty() {
            for chunk in seeds.chunks(OKTA_MEMBER_BATCH) {
                phases[1].items.push(vec![Step::OktaAddMembers {
                    group: g,
                    users: chunk.to_vec(),
                }]);
            }
            seeds.clear();
        }
    }
    phases.push(phase("storm", storm));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(users: usize, groups: usize, members: usize) -> Params {
        Params {
            users,
            groups,
            members,
            run_id: "t1".into(),
            ..Params::defaults(Scenario::OktaInitialPush)
        }
    }

    #[test]
    fn every_intended_member_is_added_by_some_step() {
        for scenario in Scenario::ALL {
            let plan = Plan::build(scenario, params(30, 3, 12)).expect("plan");
            let mut added = BTreeSet::new();
            let mut removed = BTreeSet::new();
            for step in plan.phases.iter().flat_map(|p| &p.items).flatten() {
                match step {
                    Step::OktaAddMembers { group, users } => {
                        added.extend(users.iter().map(|u| (*group, *u)));
                    }
                    Step::EntraAddMember { group, user } | Step::SailpointAdd { group, user } => {
                        added.insert((*group, *user));
                    }
                    Step::SailpointRemove { group, user } => {
                        removed.insert((*group, *user));
                    }
                    _ => {}
                }
            }
            for (g, group) in plan.intent.groups.iter().enumerate() {
                for u in &group.members {
                    assert!(
                        added.contains(&(g, *u)),
                        "{scenario:?}: {g}/{u} never added"
                    );
                    assert!(!removed.contains(&(g, *u)), "{scenario:?}: {g}/{u} removed");
                }
            }
            for (g, u) in &removed {
                assert!(!plan.intent.groups[*g].members.contains(u));
            }
        }
    }

    #[test]
    fn member_storm_mixes_adds_and_removes_on_each_group() {
        let plan = Plan::build(Scenario::MemberStorm, params(30, 2, 12)).expect("plan");
        let storm = plan.phases.last().expect("storm");
        let removes = storm
            .items
            .iter()
            .flatten()
            .filter(|s| matches!(s, Step::SailpointRemove { .. }))
            .count();
        let adds = storm
            .items
            .iter()
            .flatten()
            .filter(|s| matches!(s, Step::SailpointAdd { .. }))
            .count();
        assert!(removes >= 8 && adds >= 8, "adds {adds}, removes {removes}");
        assert!(plan.intent.groups.iter().all(|g| !g.members.is_empty()));
    }

    #[test]
    fn entra_cycle_sizes_itself_from_rate_and_duration() {
        let mut p = Params::defaults(Scenario::EntraCycle);
        p.run_id = "x".into();
        let plan = Plan::build(Scenario::EntraCycle, p).expect("plan");
        assert_eq!(plan.intent.users.len(), 150);
        assert!(plan.intent.users.iter().any(|u| u.manager.is_some()));
    }

    #[test]
    fn bad_parameters_are_refused() {
        let mut p = params(10, 1, 1);
        p.concurrency = 0;
        assert!(Plan::build(Scenario::Import, p).is_err());
        let mut p = params(10, 1, 1);
        p.run_id = "a b".into();
        assert!(Plan::build(Scenario::Import, p).is_err());
    }
}
