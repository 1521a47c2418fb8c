//! The schema-driven round trip: a `recommended` case the runner generates
//! (like the declared-schema audit) that writes every attribute the target
//! declares writable on its User and Group resource types, reads the
//! resources back, and fails naming each attribute the server accepted but
//! did not store.
//!
//! From `/ResourceTypes` it takes the User and Group endpoints, core schemas
//! and schema extensions; from `/Schemas` (cached with the audit) their
//! attributes. [`generate`] picks what to write and says why the rest is
//! left out (readOnly, writeOnly, `returned: never`, credentials,
//! references to resources the run did not create); [`compare`] decides
//! whether a value came back. The User is created with everything at once;
//! if the server refuses that (any non-2xx but 401/403), a minimal User is
//! created and the attributes are added per schema, then one by one (PATCH
//! when `/ServiceProviderConfig` advertises it, else PUT of the whole
//! resource). An attribute the server refuses is noted, not failed: it was
//! not silently dropped. The Group references the User as its member.
//! Everything created is deleted; the case sends at most [`MAX_REQUESTS`]
//! requests, plus one `DELETE` per resource it created. It never reads or writes anything but the two resource types
//! and the discovery documents, and it never touches snapshots.

mod compare;
mod generate;
mod write;

use std::time::Instant;

use serde_json::Value;

use crate::assert::{Failure, FailureKind};
use crate::runner::RunError;
use crate::runner::client::{Incoming, Outgoing, header, millis};
use crate::runner::event::{EventSink, RunEvent};
use crate::runner::request::auth_header;
use crate::runner::result::{CaseResult, Outcome, StepOutcome, StepResult, SuiteResult};
use crate::runner::run::RunCtx;
use crate::scim::schema::{AttributeType, Returned, SchemaDef, get_ci};
use crate::suite::model::{Auth, QueryEncoding, Severity};
use crate::text::{Mark, clip};

use compare::Found;
use generate::{Plan, Planned, Source};

/// The suite name of the round-trip case.
pub(crate) const ROUND_TRIP_SUITE: &str = "schema-round-trip";
/// The round-trip case's name.
pub(crate) const ROUND_TRIP_CASE: &str = "every declared writable attribute is stored as sent";
/// The round-trip case's tags.
pub(crate) const ROUND_TRIP_TAGS: &[&str] = &["schemas", "round-trip"];
/// The most requests the case sends (discovery, writes, reads, deletes).
pub(crate) const MAX_REQUESTS: usize = 100;

/// A User or Group resource type as the target declares it.
struct ResourceType<'d> {
    /// `User` or `Group`.
    name: &'static str,
    /// Its endpoint relative to the base URL, e.g. `/Users`.
    endpoint: String,
    /// Its core schema.
    core: &'d SchemaDef,
    /// The extension schemas `/Schemas` serves.
    extensions: Vec<&'d SchemaDef>,
}

/// What one resource type's round trip found.
#[derive(Default)]
struct Tested {
    /// Values accepted but not read back as sent.
    failures: Vec<Failure>,
    /// Whether anything was written and read back.
    ran: bool,
    /// The id of the resource created (kept until cleanup).
    id: Option<String>,
}

/// The state of the case while it runs.
struct Session<'a> {
    ctx: &'a RunCtx,
    steps: Vec<StepResult>,
    cleanup: Vec<StepResult>,
    sent: usize,
    notes: Vec<String>,
    /// `(endpoint, id)` of everything created, deleted in reverse order.
    created: Vec<(String, String)>,
}

/// With `round_trip` on and the case selected (`--tag`, `--filter`; not
/// after a failure under `--fail-fast`), runs the round trip as a suite of
/// its own, sending its events to `sink`.
pub(crate) async fn run_selected(ctx: &RunCtx, sink: &mut dyn EventSink) -> Option<SuiteResult> {
    let opts = &ctx.opts;
    let stopped = opts.fail_fast && ctx.stop.load(std::sync::atomic::Ordering::SeqCst);
    let tags = ROUND_TRIP_TAGS.iter().copied();
    if !opts.round_trip
        || stopped
        || !crate::runner::plan::selected_by(
            ROUND_TRIP_SUITE,
            ROUND_TRIP_CASE,
            tags,
            &opts.tags,
            opts.filter.as_deref(),
        )
    {
        return None;
    }
    sink.event(&RunEvent::CaseStarted {
        suite: ROUND_TRIP_SUITE.to_owned(),
        case: ROUND_TRIP_CASE.to_owned(),
    });
    let result = run(ctx).await;
    sink.event(&RunEvent::CaseFinished(Box::new(result.clone())));
    Some(SuiteResult {
        source: ROUND_TRIP_SUITE.to_owned(),
        title: "Declared attributes survive a write and a read".to_owned(),
        duration_ms: result.duration_ms,
        cases: vec![result],
    })
}

/// Runs the round trip and returns its case.
pub(crate) async fn run(ctx: &RunCtx) -> CaseResult {
    let started = Instant::now();
    let mut session = Session {
        ctx,
        steps: Vec::new(),
        cleanup: Vec::new(),
        sent: 0,
        notes: Vec::new(),
        created: Vec::new(),
    };
    let outcome = match session.drive().await {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Errored(e),
    };
    session.delete_created().await;
    let mut result = CaseResult {
        suite: ROUND_TRIP_SUITE.to_owned(),
        name: ROUND_TRIP_CASE.to_owned(),
        severity: Severity::Recommended,
        why: "RFC 7643 §7 and RFC 7644 §3.3/§3.5: an attribute the server declares writable is \
              stored as sent or refused with an error; one accepted and silently dropped (custom \
              extensions are the usual victims) loses the IdP's data without any error"
            .to_owned(),
        tags: ROUND_TRIP_TAGS.iter().map(|t| (*t).to_owned()).collect(),
        outcome,
        steps: session.steps,
        cleanup: session.cleanup,
        warnings: session.notes,
        duration_ms: millis(started.elapsed()),
    };
    crate::runner::redact::Redact::redact(
        &mut result,
        &crate::template::Redactor::new(ctx.opts.secrets()),
    );
    result
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// `status scimType: detail` of an error answer, for notes.
fn answer(resp: &Incoming) -> String {
    let body: Option<Value> = serde_json::from_str(&resp.body).ok();
    let field = |k: &str| {
        body.as_ref()
            .and_then(|b| b.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut text = resp.status.to_string();
    if let Some(t) = field("scimType") {
        text.push_str(&format!(" {t}"));
    }
    if let Some(d) = field("detail") {
        text.push_str(&format!(": {}", clip(&d, 160, Mark::Ellipsis)));
    }
    text
}

/// The id of a created resource: the body's `id`, else the `Location`'s last segment.
fn created_id(resp: &Incoming) -> Option<String> {
    serde_json::from_str::<Value>(&resp.body)
        .ok()
        .and_then(|b| b.get("id").and_then(Value::as_str).map(str::to_owned))
        .filter(|id| !id.is_empty())
        .or_else(|| {
            header(&resp.headers, "location")
                .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        })
}

fn item_path(endpoint: &str, id: &str) -> String {
    format!(
        "{}/{}",
        endpoint.trim_end_matches('/'),
        crate::runner::encode_component(id, QueryEncoding::Percent20)
    )
}

/// The resource types of a `/ResourceTypes` answer (a ListResponse or a bare array).
fn resource_type_list(doc: &Value) -> Vec<&Value> {
    match doc {
        Value::Array(items) => items.iter().collect(),
        Value::Object(o) => match get_ci(o, "Resources") {
            Some(Value::Array(items)) => items.iter().collect(),
            _ if o.contains_key("schema") => vec![doc],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

impl<'a> Session<'a> {
    /// Sends one request as a recorded step; `None` once the budget is spent.
    async fn send(
        &mut self,
        name: String,
        method: &str,
        path: &str,
        query: &str,
        body: Option<&Value>,
    ) -> Result<Option<(usize, Incoming)>, RunError> {
        // Cleanup is not counted against the budget: what was created must go.
        if self.sent >= MAX_REQUESTS && method != "DELETE" {
            return Ok(None);
        }
        self.sent += 1;
        let started = Instant::now();
        let opts = &self.ctx.opts;
        let mut headers = Vec::new();
        if let Ok(Some(auth)) = auth_header(&Auth::Default, &self.ctx.scope, opts) {
            headers.push(("Authorization".to_owned(), auth));
        }
        headers.push(("Accept".to_owned(), crate::scim::MEDIA_TYPE.to_owned()));
        if body.is_some() {
            headers.push((
                "Content-Type".to_owned(),
                crate::scim::MEDIA_TYPE.to_owned(),
            ));
        }
        for (k, v) in &opts.headers {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
            headers.push((k.clone(), v.clone()));
        }
        let req = Outgoing {
            method: method.to_owned(),
            url: crate::runner::query::join_url(&opts.target, path, query),
            headers,
            body: body.map(Value::to_string),
            origin: None,
        };
        let line = if query.is_empty() {
            format!("{method} {path}")
        } else {
            format!("{method} {path}?{query}")
        };
        let mut step = StepResult {
            index: self.steps.len() + self.cleanup.len() + 1,
            name,
            request_line: line,
            origin: None,
            outcome: StepOutcome::Passed,
            failures: Vec::new(),
            exchanges: Vec::new(),
            duration_ms: 0,
            snapshot: None,
        };
        let sent = self.ctx.client.send(&req, None, &mut step.exchanges).await;
        step.duration_ms = millis(started.elapsed());
        if let Err(e) = &sent {
            step.outcome = StepOutcome::Errored(e.clone());
        }
        let is_cleanup = method == "DELETE";
        if is_cleanup {
            self.cleanup.push(step);
        } else {
            self.steps.push(step);
        }
        let index = if is_cleanup {
            self.cleanup.len()
        } else {
            self.steps.len()
        };
        sent.map(|resp| Some((index.saturating_sub(1), resp)))
    }

    async fn drive(&mut self) -> Result<Outcome, RunError> {
        if let Some(e) = self.ctx.breaker.tripped() {
            return Err(RunError::new(e.kind, format!("not run, {e}")));
        }
        let ctx = self.ctx;
        let declared = match ctx.declared_schemas().await {
            Ok(d) => d,
            Err(reason) => {
                return Ok(Outcome::Skipped(format!(
                    "the target's /Schemas is unavailable: {reason}"
                )));
            }
        };
        let Some((_, resp)) = self
            .send(
                "read /ResourceTypes".to_owned(),
                "GET",
                "/ResourceTypes",
                "",
                None,
            )
            .await?
        else {
            return Ok(Outcome::Skipped("no request budget left".to_owned()));
        };
        let doc: Option<Value> = serde_json::from_str(&resp.body).ok();
        let Some(doc) = doc.filter(|_| resp.status == 200) else {
            return Ok(Outcome::Skipped(format!(
                "GET /ResourceTypes answered {} without a JSON list of resource types",
                resp.status
            )));
        };
        let types = self.resource_types(&doc, declared);
        if types.is_empty() {
            return Ok(Outcome::Skipped(
                "/ResourceTypes and /Schemas declare neither a User nor a Group resource type"
                    .to_owned(),
            ));
        }
        let token = uuid::Uuid::new_v4().simple().to_string();
        let token = token.get(..10).unwrap_or(&token).to_owned();
        let mut failures = Vec::new();
        let mut ran = false;
        let mut member: Option<String> = None;
        for rt in &types {
            let tested = self.round_trip(rt, &token, member.as_deref()).await?;
            ran |= tested.ran;
            failures.extend(tested.failures);
            if rt.name == "User" {
                member = tested.id;
            }
        }
        Ok(if !failures.is_empty() {
            Outcome::Failed(failures)
        } else if ran {
            Outcome::Passed
        } else {
            Outcome::Skipped(
                "no resource could be created to write the declared attributes to (see the notes)"
                    .to_owned(),
            )
        })
    }

    /// The User then Group resource types, with their declared schemas.
    fn resource_types<'d>(
        &mut self,
        doc: &Value,
        declared: &'d [SchemaDef],
    ) -> Vec<ResourceType<'d>> {
        let find = |urn: &str| declared.iter().find(|d| d.id.eq_ignore_ascii_case(urn));
        let list = resource_type_list(doc);
        let mut out = Vec::new();
        for (name, core_urn, default_endpoint) in [
            ("User", crate::scim::USER_SCHEMA, "/Users"),
            ("Group", crate::scim::GROUP_SCHEMA, "/Groups"),
        ] {
            let text = |rt: &Value, k: &str| rt.get(k).and_then(Value::as_str).map(str::to_owned);
            let Some(rt) = list.iter().find(|rt| {
                text(rt, "schema").is_some_and(|s| s.eq_ignore_ascii_case(core_urn))
                    || text(rt, "name").is_some_and(|n| n.eq_ignore_ascii_case(name))
            }) else {
                continue;
            };
            let core_id = text(rt, "schema").unwrap_or_else(|| core_urn.to_owned());
            let Some(core) = find(&core_id) else {
                self.notes.push(format!(
                    "{name}: its core schema {core_id} is not served by /Schemas, so it was not round-tripped"
                ));
                continue;
            };
            let mut extensions = Vec::new();
            for ext in rt
                .get("schemaExtensions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(urn) = ext.get("schema").and_then(Value::as_str) else {
                    continue;
                };
                match find(urn) {
                    Some(def) => extensions.push(def),
                    None => self.notes.push(format!(
                        "{name}: extension {urn} is listed by /ResourceTypes but not served by /Schemas, so it was not written"
                    )),
                }
            }
            let endpoint = text(rt, "endpoint")
                .filter(|e| !e.is_empty())
                .unwrap_or_else(|| default_endpoint.to_owned());
            out.push(ResourceType {
                name,
                endpoint,
                core,
                extensions,
            });
        }
        out
    }

    /// Writes, reads back and compares one resource type.
    async fn round_trip(
        &mut self,
        rt: &ResourceType<'_>,
        token: &str,
        member: Option<&str>,
    ) -> Result<Tested, RunError> {
        let plan = generate::plan(&Source {
            resource: rt.name,
            core: rt.core,
            extensions: rt.extensions.clone(),
            token,
            member,
        });
        self.note_skipped(rt.name, &plan);
        let mut tested = Tested::default();
        if plan.attrs.is_empty() {
            self.notes
                .push(format!("{}: no attribute the harness can write", rt.name));
            return Ok(tested);
        }
        let Some((id, accepted)) = self.write(rt, &plan).await? else {
            return Ok(tested);
        };
        tested.id = Some(id.clone());
        let path = item_path(&rt.endpoint, &id);
        let Some((step, resp)) = self
            .send(format!("read the {} back", rt.name), "GET", &path, "", None)
            .await?
        else {
            self.notes.push(format!(
                "{}: the request budget ({MAX_REQUESTS}) ran out before the read-back",
                rt.name
            ));
            return Ok(tested);
        };
        tested.ran = true;
        let doc: Option<Value> = serde_json::from_str(&resp.body).ok();
        let Some(mut doc) = doc.filter(|_| resp.status == 200) else {
            let failure = Failure {
                kind: FailureKind::Status,
                subject: rt.name.to_owned(),
                message: format!(
                    "the {} the server accepted cannot be read back: GET {path} answered {}",
                    rt.name, resp.status
                ),
                expected: Some("200 with the resource".to_owned()),
                actual: Some(answer(&resp)),
                diff: None,
            };
            self.fail_step(step, vec![failure.clone()]);
            tested.failures.push(failure);
            return Ok(tested);
        };
        let on_request: Vec<String> = accepted
            .iter()
            .filter(|(p, _)| p.def.returned == Returned::Request)
            .map(|(p, _)| p.patch_path())
            .collect();
        if !on_request.is_empty() {
            let query = format!(
                "attributes={}",
                crate::runner::encode_component(&on_request.join(","), QueryEncoding::Percent20)
            );
            let name = format!(
                "read the {} back with its `returned: request` attributes",
                rt.name
            );
            if let Some((_, resp)) = self.send(name, "GET", &path, &query, None).await?
                && resp.status == 200
                && let Ok(Value::Object(extra)) = serde_json::from_str::<Value>(&resp.body)
                && let Some(obj) = doc.as_object_mut()
            {
                for (k, v) in extra {
                    match (obj.get_mut(&k), v) {
                        (Some(Value::Object(mine)), Value::Object(theirs)) => mine.extend(theirs),
                        (_, v) => {
                            obj.insert(k, v);
                        }
                    }
                }
            }
        }
        let failures = self.compare(&accepted, &doc, &path);
        if !failures.is_empty() {
            self.fail_step(step, failures.clone());
        }
        tested.failures = failures;
        Ok(tested)
    }

    fn fail_step(&mut self, index: usize, failures: Vec<Failure>) {
        if let Some(step) = self.steps.get_mut(index) {
            step.outcome = StepOutcome::Failed;
            step.failures = failures;
        }
    }

    /// Compares every accepted attribute with the resource read back; notes
    /// strings stored differently, returns the failures.
    fn compare(
        &mut self,
        accepted: &[(&Planned, String)],
        doc: &Value,
        path: &str,
    ) -> Vec<Failure> {
        let mut failures = Vec::new();
        let mut differently = Vec::new();
        for (planned, how) in accepted {
            for check in compare::check(planned, doc) {
                match check.found {
                    Found::Stored => {}
                    Found::Absent => failures.push(Failure {
                        kind: FailureKind::Body,
                        subject: check.path.clone(),
                        message: format!(
                            "{} was accepted ({how}) but is absent when read back",
                            check.path
                        ),
                        expected: Some(format!(
                            "{} as written",
                            crate::schema_check::excerpt(&planned.value)
                        )),
                        actual: Some(format!("absent from GET {path}")),
                        diff: None,
                    }),
                    Found::Different { sent, got } => {
                        let text = matches!(
                            check.kind,
                            AttributeType::String
                                | AttributeType::Reference
                                | AttributeType::Binary
                        );
                        if text {
                            differently.push(format!(
                                "{} sent {} read back {}",
                                check.path,
                                crate::schema_check::excerpt(&sent),
                                crate::schema_check::excerpt(&got)
                            ));
                        } else {
                            failures.push(Failure {
                                kind: FailureKind::Body,
                                subject: check.path.clone(),
                                message: format!(
                                    "{} was accepted ({how}) as {} but reads back as {}",
                                    check.path,
                                    crate::schema_check::excerpt(&sent),
                                    crate::schema_check::excerpt(&got)
                                ),
                                expected: Some(crate::schema_check::excerpt(&sent)),
                                actual: Some(format!(
                                    "{} in GET {path}",
                                    crate::schema_check::excerpt(&got)
                                )),
                                diff: None,
                            });
                        }
                    }
                }
            }
        }
        if !differently.is_empty() {
            self.notes.push(format!(
                "stored in another form (a server may normalise text; not a failure): {}",
                differently.join("; ")
            ));
        }
        failures
    }

    fn note_skipped(&mut self, resource: &str, plan: &Plan) {
        let mut reasons: Vec<(&str, Vec<&str>)> = Vec::new();
        for (path, reason) in &plan.skipped {
            match reasons.iter_mut().find(|(r, _)| r == reason) {
                Some((_, paths)) => paths.push(path),
                None => reasons.push((reason, vec![path])),
            }
        }
        for (reason, paths) in reasons {
            self.notes.push(format!(
                "{resource}: not written ({reason}): {}",
                paths.join(", ")
            ));
        }
    }

    /// Deletes what the case created, newest first; problems become notes.
    async fn delete_created(&mut self) {
        if self.ctx.breaker.tripped().is_some() {
            return;
        }
        while let Some((endpoint, id)) = self.created.pop() {
            let path = item_path(&endpoint, &id);
            match self
                .send(format!("delete {path}"), "DELETE", &path, "", None)
                .await
            {
                Ok(Some((_, resp))) if is_success(resp.status) || resp.status == 404 => {}
                Ok(Some((_, resp))) => self
                    .notes
                    .push(format!("cleanup: DELETE {path} answered {}", answer(&resp))),
                Ok(None) => {}
                Err(e) => self
                    .notes
                    .push(format!("cleanup: DELETE {path} failed: {e}")),
            }
        }
    }
}
