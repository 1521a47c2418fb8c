//! Mock identity providers: expand high-level IdP actions
//! (`okta.push_new_user`) into the concrete, IdP-shaped requests a real
//! provider sends, as catalogued in `shared/okta-wire.md`.
//!
//! Expansion happens before anything runs (`runner::plan` calls
//! [`expand_suite`] right after loading), so execution, snapshots and
//! reports only ever see concrete HTTP steps, and a report shows exactly
//! what was sent. Each generated step keeps an `origin` naming the action
//! it came from (`okta: deactivate_user`). This module emits
//! `suite::model` data and never runs anything.
//!
//! Profiles (`--idp`, or a suite's `idp:`): `okta` (OIN catalogue app) and
//! `okta-aiw` (App Integration Wizard app). An action is written
//! `<family>.<action>`: `okta.*` uses the Okta flavour asked for (OIN by
//! default); `idp.*` uses whatever profile the run selects.

mod error;
pub mod mapping;
pub mod okta;
mod request;

pub use error::ExpandError;

use crate::suite::model::{ActionStep, Step, Suite};
use mapping::ProfileMapping;
use request::Args;

/// A concrete profile a run can select with `--idp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Okta Integration Network catalogue app (PATCH for lifecycle and groups).
    Okta,
    /// Okta App Integration Wizard custom app (GET + PUT everywhere).
    OktaAiw,
    /// Microsoft Entra ID, default provisioning job (not yet expandable).
    Entra,
    /// Entra ID with the `aadOptscim062020` flag (not yet expandable).
    Entra2020,
}

impl Profile {
    /// Parses `okta`, `okta-aiw`, `entra`, `entra-2020`.
    pub fn parse(name: &str) -> Result<Self, ExpandError> {
        match name {
            "okta" => Ok(Self::Okta),
            "okta-aiw" => Ok(Self::OktaAiw),
            "entra" => Ok(Self::Entra),
            "entra-2020" => Ok(Self::Entra2020),
            other => Err(ExpandError::UnknownFlavour(other.to_owned())),
        }
    }

    fn okta_flavour(self) -> Option<okta::Flavour> {
        match self {
            Self::Okta => Some(okta::Flavour::Oin),
            Self::OktaAiw => Some(okta::Flavour::Aiw),
            Self::Entra | Self::Entra2020 => None,
        }
    }
}

/// Returns `suite` with every action step replaced by concrete request steps.
/// `profile` (from `--idp`) overrides the suite's default profile.
pub fn expand_suite(suite: &Suite, profile: Option<&str>) -> Result<Suite, ExpandError> {
    let run_profile = profile.map(Profile::parse).transpose()?;
    let suite_profile = suite.idp.as_deref().map(Profile::parse).transpose()?;
    let selected = run_profile.or(suite_profile).unwrap_or(Profile::Okta);
    // `okta.*` actions keep Okta's shape even when the run selects Entra:
    // the suite tells Okta's story. Within the Okta family `--idp` decides.
    let okta_flavour = selected
        .okta_flavour()
        .or_else(|| suite_profile.and_then(Profile::okta_flavour))
        .unwrap_or(okta::Flavour::Oin);
    let mapping = ProfileMapping::from_value(suite.okta_profile.as_ref()).map_err(|message| {
        ExpandError::BadMapping {
            suite: suite.source.clone(),
            message,
        }
    })?;

    let mut out = suite.clone();
    for case in &mut out.cases {
        let case_name = case.name.clone();
        let expand_list = |steps: &[Step]| -> Result<Vec<Step>, ExpandError> {
            let mut expanded = Vec::with_capacity(steps.len());
            for step in steps {
                match step {
                    Step::Request(_) => expanded.push(step.clone()),
                    Step::Action(action) => {
                        let args = Args {
                            suite: &suite.source,
                            case: &case_name,
                            action,
                        };
                        let generated =
                            expand_action(action, &args, selected, okta_flavour, &mapping)?;
                        expanded.extend(generated.into_iter().map(|s| Step::Request(Box::new(s))));
                    }
                }
            }
            Ok(expanded)
        };
        case.steps = expand_list(&case.steps)?;
        case.cleanup = expand_list(&case.cleanup)?;
    }
    Ok(out)
}

fn expand_action(
    action: &ActionStep,
    args: &Args<'_>,
    selected: Profile,
    okta_flavour: okta::Flavour,
    mapping: &ProfileMapping,
) -> Result<Vec<crate::suite::model::RequestStep>, ExpandError> {
    let (family, name) = action
        .action
        .split_once('.')
        .unwrap_or(("", &action.action));
    let flavour = match family {
        "okta" => okta_flavour,
        "idp" => selected
            .okta_flavour()
            .ok_or_else(|| ExpandError::UnknownAction {
                suite: args.suite.to_owned(),
                case: args.case.to_owned(),
                profile: format!("{selected:?}"),
                action: name.to_owned(),
                hint: " (the Entra ID profiles are not available yet)".to_owned(),
            })?,
        _ => {
            return Err(ExpandError::UnknownProfile {
                suite: args.suite.to_owned(),
                case: args.case.to_owned(),
                family: family.to_owned(),
                action: action.action.clone(),
            });
        }
    };
    okta::expand(flavour, name, args, mapping)?.ok_or_else(|| ExpandError::UnknownAction {
        suite: args.suite.to_owned(),
        case: args.case.to_owned(),
        profile: "okta".to_owned(),
        action: name.to_owned(),
        hint: did_you_mean(name, okta::ACTIONS),
    })
}

fn did_you_mean(name: &str, known: &[&str]) -> String {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!(", did you mean `{k}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
