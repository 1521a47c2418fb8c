//! The whole bundled corpus against one target of the quirk matrix: the
//! reference server behind the proxy with one conformant quirk, optionally
//! holding thousands of users and groups beforehand, and optionally changed
//! by another client while the run goes on. Owns seeding and that other
//! client; judging the verdicts is the matrix's business.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use scimulator::runner::{Outcome, RunOptions, RunReport, VecSink};

use super::faults::Fault;
use super::proxy::Proxy;
use super::{Reference, failure_text, options};

/// One target of the matrix.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// What the proxy changes in every answer.
    pub quirk: Fault,
    /// Users and groups created before the run (by someone else).
    pub seed: (usize, usize),
    /// Another client creates, changes and deletes users and groups while
    /// the corpus runs.
    pub churn: bool,
    /// Tags of advisory cases whose whole point is an optional field the
    /// quirk leaves out (they may fail; they never gate a run).
    pub advisory_misses: &'static [&'static str],
}

impl Target {
    /// The reference server behind `quirk`, empty and quiet.
    pub const fn quirk(quirk: Fault) -> Self {
        Self {
            quirk,
            seed: (0, 0),
            churn: false,
            advisory_misses: &[],
        }
    }
}

/// What one corpus run gave: every case's verdict and the text of what did
/// not pass.
#[derive(Debug)]
pub struct CorpusRun {
    /// `suite › case` → `PASS`, `FAIL`, `ERROR` or `SKIP`.
    pub verdicts: BTreeMap<String, &'static str>,
    /// Cases that failed or errored (beyond the target's advisory misses),
    /// with their failures.
    pub problems: Vec<String>,
    /// How many writes the other client made during the run.
    pub churn_writes: usize,
}

/// Runs every bundled suite, each under its own IdP profile, against
/// `target` with `jobs` suites in parallel and the declared-schema audit on.
pub async fn run_corpus(
    target: &Target,
    jobs: usize,
    tweak: impl FnOnce(&mut RunOptions),
) -> CorpusRun {
    let reference = Reference::start().await;
    let (users, groups) = target.seed;
    if users + groups > 0 {
        seed(&reference, users, groups).await;
    }
    let proxy = Proxy::start(&reference.root(), target.quirk, reference.creds.clone()).await;
    let snapshots = tempfile::tempdir().expect("a temporary directory");
    let mut opts = options(&proxy, &reference.creds, None, &snapshots);
    opts.jobs = jobs;
    opts.audit_declared_schemas = true;
    tweak(&mut opts);
    let churn = target.churn.then(|| Churn::start(&reference));
    let suites = scimulator::suite::bundled().expect("bundled suites load");
    let report = scimulator::runner::run(suites, &opts, &mut VecSink::default()).await;
    let churn_writes = match churn {
        Some(c) => c.stop().await,
        None => 0,
    };
    reference.server.shutdown().await;
    let report = report.expect("the run starts");
    CorpusRun {
        verdicts: verdicts(&report),
        problems: problems(&report, target.advisory_misses),
        churn_writes,
    }
}

fn verdicts(report: &RunReport) -> BTreeMap<String, &'static str> {
    report
        .suites
        .iter()
        .flat_map(|s| &s.cases)
        .map(|c| (format!("{} › {}", c.suite, c.name), c.outcome.label()))
        .collect()
}

fn problems(report: &RunReport, advisory_misses: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for case in report.suites.iter().flat_map(|s| &s.cases) {
        let excused = case.severity == scimulator::suite::model::Severity::Advisory
            && case
                .tags
                .iter()
                .any(|t| advisory_misses.contains(&t.as_str()));
        if excused || !matches!(case.outcome, Outcome::Failed(_) | Outcome::Errored(_)) {
            continue;
        }
        let one = RunReport {
            suites: report
                .suites
                .iter()
                .map(|s| {
                    let mut s = s.clone();
                    s.cases
                        .retain(|c| c.suite == case.suite && c.name == case.name);
                    s
                })
                .collect(),
            ..report.clone()
        };
        out.push(format!(
            "{} › {}: {}\n{}",
            case.suite,
            case.name,
            case.outcome.label(),
            failure_text(&one)
        ));
    }
    out
}

/// A client of the reference server (not of the proxy: someone else).
fn scim(reference: &Reference) -> (reqwest::Client, String, String) {
    (
        reqwest::Client::new(),
        format!("{}/scim/v2", reference.root()),
        reference.creds.valid.clone(),
    )
}

async fn post(client: &reqwest::Client, url: String, token: &str, body: Value) -> Option<String> {
    let resp = client
        .post(url)
        .bearer_auth(token)
        .header("Content-Type", "application/scim+json")
        .body(body.to_string())
        .send()
        .await
        .ok()?;
    let created: Value = resp.json().await.ok()?;
    created["id"].as_str().map(str::to_owned)
}

/// Creates `users` users (a third with names and emails, a third with only
/// a userName, every tenth inactive) and `groups` groups of up to five of
/// them, eight requests at a time.
pub async fn seed(reference: &Reference, users: usize, groups: usize) {
    let (client, base, token) = scim(reference);
    let sem = Arc::new(tokio::sync::Semaphore::new(8));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..users {
        let mut body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": format!("seed-{i:05}@example.net"),
            "active": i % 10 != 0,
        });
        if i % 3 == 0 {
            body["name"] = json!({"givenName": "Seed", "familyName": format!("User {i}")});
            body["emails"] =
                json!([{"value": format!("seed-{i:05}@example.net"), "primary": true}]);
        } else if i % 3 == 1 {
            body["title"] = json!("Imported");
        }
        let (client, url, token, sem) = (
            client.clone(),
            format!("{base}/Users"),
            token.clone(),
            Arc::clone(&sem),
        );
        tasks.spawn(async move {
            let _permit = sem.acquire_owned().await;
            post(&client, url, &token, body).await
        });
    }
    let mut ids = Vec::new();
    while let Some(done) = tasks.join_next().await {
        ids.extend(done.ok().flatten());
    }
    assert_eq!(ids.len(), users, "every seeded user is created");
    for g in 0..groups {
        let members: Vec<Value> = ids
            .iter()
            .skip(g * 3)
            .take(g % 6)
            .map(|id| json!({"value": id}))
            .collect();
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": format!("Seed group {g:04}"),
            "members": members,
        });
        let (client, url, token, sem) = (
            client.clone(),
            format!("{base}/Groups"),
            token.clone(),
            Arc::clone(&sem),
        );
        tasks.spawn(async move {
            let _permit = sem.acquire_owned().await;
            post(&client, url, &token, body).await
        });
    }
    let mut made = 0;
    while let Some(done) = tasks.join_next().await {
        made += usize::from(done.ok().flatten().is_some());
    }
    assert_eq!(made, groups, "every seeded group is created");
}

/// Another client at work during the run: it creates a user and a group
/// with that user, deactivates and renames them, and deletes what it
/// created five rounds earlier (so that its deletions shift resources the
/// run created in between), until stopped or for at most 3,000 rounds.
pub struct Churn {
    stop: Arc<AtomicBool>,
    writes: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Churn {
    /// Starts the other client.
    pub fn start(reference: &Reference) -> Self {
        let (client, base, token) = scim(reference);
        let stop = Arc::new(AtomicBool::new(false));
        let writes = Arc::new(AtomicUsize::new(0));
        let task = {
            let (stop, writes) = (Arc::clone(&stop), Arc::clone(&writes));
            tokio::spawn(async move {
                let mut alive: std::collections::VecDeque<(String, String)> = Default::default();
                for round in 0..3_000 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                      "userName": format!("churn-{round}@example.org")});
                    let Some(uid) = post(&client, format!("{base}/Users"), &token, user).await
                    else {
                        continue;
                    };
                    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                       "displayName": format!("Churn {round}"),
                                       "members": [{"value": uid}]});
                    let gid = post(&client, format!("{base}/Groups"), &token, group)
                        .await
                        .unwrap_or_default();
                    let patch = |path: String, op: Value| {
                        client
                            .patch(path)
                            .bearer_auth(&token)
                            .header("Content-Type", "application/scim+json")
                            .body(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                                         "Operations": [op]}).to_string())
                            .send()
                    };
                    let _ = patch(
                        format!("{base}/Users/{uid}"),
                        json!({"op": "replace", "value": {"active": false}}),
                    )
                    .await;
                    let _ = patch(
                        format!("{base}/Groups/{gid}"),
                        json!({"op": "replace", "path": "displayName", "value": format!("Churn {round} renamed")}),
                    )
                    .await;
                    writes.fetch_add(4, Ordering::SeqCst);
                    alive.push_back((uid, gid));
                    if alive.len() > 5
                        && let Some((old_user, old_group)) = alive.pop_front()
                    {
                        for url in [
                            format!("{base}/Groups/{old_group}"),
                            format!("{base}/Users/{old_user}"),
                        ] {
                            let _ = client.delete(url).bearer_auth(&token).send().await;
                        }
                        writes.fetch_add(2, Ordering::SeqCst);
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            })
        };
        Self { stop, writes, task }
    }

    /// Stops the other client and returns how many writes it made.
    pub async fn stop(self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.task.await;
        self.writes.load(Ordering::SeqCst)
    }
}
