//! The Locust export: a Python locustfile that replays a [`Plan`]'s steps
//! with the same request shapes, so a scenario can run on a distributed,
//! well-kept engine (one master, many workers) when one machine is not
//! enough. The plan is embedded as JSON; the token is read from the
//! `SCIM_TOKEN` environment variable and never written. Pure: returns text.

use super::error::LoadError;
use super::plan::Plan;

const TEMPLATE: &str = include_str!("locust.py");

/// The locustfile for `plan`.
pub fn emit(plan: &Plan) -> Result<String, LoadError> {
    let json = serde_json::to_string(plan)
        .map_err(|e| LoadError::Params(format!("serialising the plan: {e}")))?;
    if json.contains("'''") {
        return Err(LoadError::Params(
            "the plan cannot be embedded in a Python raw string".into(),
        ));
    }
    Ok(TEMPLATE
        .replace("__SCENARIO__", plan.scenario.name())
        .replace("__RUN_ID__", &plan.params.run_id)
        .replace("__PLAN__", &json))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::plan::{Params, Scenario};

    #[test]
    fn the_locustfile_embeds_the_plan_and_reads_the_token_from_the_environment() {
        let params = Params {
            run_id: "abc".into(),
            users: 12,
            ..Params::defaults(Scenario::MemberStorm)
        };
        let plan = Plan::build(Scenario::MemberStorm, params).expect("plan");
        let py = emit(&plan).expect("emit");
        assert!(py.contains("os.environ.get(\"SCIM_TOKEN\""));
        assert!(py.contains("\"op\":\"sailpoint_remove\""));
        assert!(py.contains("load-abc-11@example.com"));
        assert!(!py.contains("__PLAN__") && !py.contains("__RUN_ID__"));
    }
}
