//! The writes of the round trip: the create with every attribute, and when
//! the server refuses it, a minimal create followed by the attributes per
//! schema, then one by one (PATCH when advertised, else PUT of the whole
//! resource). Refusals are remembered as notes; nothing here compares.

use serde_json::{Value, json};

use super::generate::{self, Plan, Planned};
use super::{MAX_REQUESTS, ResourceType, Session, answer, created_id, is_success, item_path};
use crate::runner::client::Incoming;
use crate::runner::{RunError, RunErrorKind};
use crate::suite::model::Capability;

impl Session<'_> {
    /// Creates the resource and writes every planned attribute, falling back
    /// to smaller writes when the server refuses; returns the id and each
    /// accepted attribute with how it was accepted.
    pub(super) async fn write<'p>(
        &mut self,
        rt: &ResourceType<'_>,
        plan: &'p Plan,
    ) -> Result<Option<(String, Vec<(&'p Planned, String)>)>, RunError> {
        let core_urn = rt.core.id.as_str();
        let all: Vec<&Planned> = plan.attrs.iter().collect();
        let name = format!("create a {} with every writable attribute", rt.name);
        let full = generate::body(core_urn, &all, None);
        let Some((_, resp)) = self
            .send(name, "POST", &rt.endpoint, "", Some(&full))
            .await?
        else {
            return Ok(None);
        };
        let how = |resp: &Incoming, method: &str, path: &str| {
            format!("{} on {method} {path}", resp.status)
        };
        if is_success(resp.status) {
            let Some(id) = created_id(&resp) else {
                self.notes.push(format!(
                    "{}: POST {} answered {} without an id or Location, so nothing could be read back",
                    rt.name, rt.endpoint, resp.status
                ));
                return Ok(None);
            };
            self.created.push((rt.endpoint.clone(), id.clone()));
            let accepted_how = how(&resp, "POST", &rt.endpoint);
            return Ok(Some((
                id,
                all.into_iter().map(|p| (p, accepted_how.clone())).collect(),
            )));
        }
        if matches!(resp.status, 401 | 403) {
            return Err(RunError::new(
                RunErrorKind::Step,
                format!(
                    "POST {} answered {}: the target refused the credentials",
                    rt.endpoint,
                    answer(&resp)
                ),
            ));
        }
        self.notes.push(format!(
            "{}: POST {} with every writable attribute answered {}; retried with the required \
             attributes, then added the others per schema and one by one",
            rt.name,
            rt.endpoint,
            answer(&resp)
        ));
        // A minimal resource: the declared-required attributes, and the
        // ones RFC 7643 §4 requires even where a server forgets to say so.
        let key = if rt.name == "Group" {
            "displayName"
        } else {
            "userName"
        };
        let is_minimal = |p: &Planned| {
            p.def.required || (p.urn.is_none() && p.def.name.eq_ignore_ascii_case(key))
        };
        let minimal: Vec<&Planned> = all.iter().copied().filter(|p| is_minimal(p)).collect();
        let name = format!("create a minimal {}", rt.name);
        let body = generate::body(core_urn, &minimal, None);
        let Some((_, resp)) = self
            .send(name, "POST", &rt.endpoint, "", Some(&body))
            .await?
        else {
            return Ok(None);
        };
        let id = match created_id(&resp).filter(|_| is_success(resp.status)) {
            Some(id) => id,
            None => {
                self.notes.push(format!(
                    "{}: even a minimal {} was refused (POST {} answered {}), so none of its \
                     attributes could be round-tripped",
                    rt.name,
                    rt.name,
                    rt.endpoint,
                    answer(&resp)
                ));
                return Ok(None);
            }
        };
        self.created.push((rt.endpoint.clone(), id.clone()));
        let minimal_how = how(&resp, "POST", &rt.endpoint);
        let mut accepted: Vec<(&Planned, String)> =
            minimal.iter().map(|p| (*p, minimal_how.clone())).collect();
        let use_patch = self.ctx.capability(&Capability::Patch).await.is_ok();
        let rest: Vec<&Planned> = all.iter().copied().filter(|p| !is_minimal(p)).collect();
        let mut urns: Vec<Option<&str>> = Vec::new();
        for p in &rest {
            if !urns.contains(&p.urn.as_deref()) {
                urns.push(p.urn.as_deref());
            }
        }
        let mut refused = Vec::new();
        for urn in urns {
            let group: Vec<&Planned> = rest
                .iter()
                .copied()
                .filter(|p| p.urn.as_deref() == urn)
                .collect();
            let schema = urn.unwrap_or(core_urn);
            let label = format!("add the {} attributes of {schema}", group.len());
            match self
                .update(rt, &id, &accepted, &group, use_patch, label)
                .await?
            {
                None => {
                    self.out_of_budget(rt, &group);
                    break;
                }
                Some(Ok(how)) => accepted.extend(group.iter().map(|p| (*p, how.clone()))),
                Some(Err(_)) => {
                    for p in group {
                        let label = format!("add {}", p.path);
                        match self
                            .update(rt, &id, &accepted, &[p], use_patch, label)
                            .await?
                        {
                            None => {
                                self.out_of_budget(rt, &[p]);
                                break;
                            }
                            Some(Ok(how)) => accepted.push((p, how)),
                            Some(Err(why)) => refused.push(format!("{} ({why})", p.path)),
                        }
                    }
                }
            }
        }
        if !refused.is_empty() {
            self.notes.push(format!(
                "{}: refused by the server with an error, so not a silent drop: {}",
                rt.name,
                refused.join(", ")
            ));
        }
        Ok(Some((id, accepted)))
    }

    pub(super) fn out_of_budget(&mut self, rt: &ResourceType<'_>, untested: &[&Planned]) {
        let names: Vec<&str> = untested.iter().map(|p| p.path.as_str()).collect();
        self.notes.push(format!(
            "{}: the request budget ({MAX_REQUESTS}) ran out; not tested: {}",
            rt.name,
            names.join(", ")
        ));
    }

    /// Adds `group` to the created resource: one PATCH with an `add` per
    /// attribute, or a PUT of everything accepted so far plus `group`.
    /// `None` when the budget is spent; `Err` with the answer when refused.
    pub(super) async fn update(
        &mut self,
        rt: &ResourceType<'_>,
        id: &str,
        accepted: &[(&Planned, String)],
        group: &[&Planned],
        use_patch: bool,
        label: String,
    ) -> Result<Option<Result<String, String>>, RunError> {
        let path = item_path(&rt.endpoint, id);
        let (method, body) = if use_patch {
            let ops: Vec<Value> = group
                .iter()
                .map(|p| json!({"op": "add", "path": p.patch_path(), "value": p.value}))
                .collect();
            (
                "PATCH",
                json!({"schemas": [crate::scim::PATCH_OP_SCHEMA], "Operations": ops}),
            )
        } else {
            let mut all: Vec<&Planned> = accepted.iter().map(|(p, _)| *p).collect();
            all.extend(group.iter().copied());
            ("PUT", generate::body(&rt.core.id, &all, Some(id)))
        };
        let Some((_, resp)) = self.send(label, method, &path, "", Some(&body)).await? else {
            return Ok(None);
        };
        Ok(Some(if is_success(resp.status) {
            Ok(format!("{} on {method} {path}", resp.status))
        } else {
            Err(answer(&resp))
        }))
    }
}
