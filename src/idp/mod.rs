//! Mock identity providers: expand high-level IdP actions
//! (`okta.push_new_user`) into the concrete, IdP-shaped requests a real
//! provider sends, as catalogued in `shared/okta-wire.md`.
//!
//! Expansion happens before anything runs (`runner::plan`, the one suite
//! pipeline, calls [`expand_suite`] right after loading and the lint; an
//! error is a located suite error, exit 2), so execution, snapshots and
//! reports only ever see concrete HTTP steps, and a report shows exactly
//! what was sent. Each generated step keeps an `origin` naming the action
//! it came from (`okta: deactivate_user`). This module emits
//! `suite::model` data and never runs anything.
//!
//! Profiles (`--idp`, or a suite's `idp:`): `okta` (OIN catalogue app),
//! `okta-aiw` (App Integration Wizard app), `entra` (Entra ID's default
//! provisioning job) and `entra-2020` (Entra ID with `aadOptscim062020`)
//! are code; `onelogin`, `pingfederate`, `jumpcloud`, `google`, `rippling`,
//! `sailpoint` and `authentik` are data ([`profile`], `profiles/*.yaml`),
//! and so is a user's `--idp-file`.
//! An action is written `<family>.<action>`: `okta.*` and `entra.*` use the
//! flavour of their family the run asks for (OIN and the default job when
//! the run selects the other family); `idp.*` uses whatever profile the run
//! selects.

pub mod entra;
mod error;
pub mod mapping;
pub mod okta;
pub mod profile;
mod request;

pub use error::ExpandError;

use crate::suite::model::{
    ActionFamily, ActionStep, ParallelStep, RequestStep, Requirement, Step, Suite,
};
use mapping::ProfileMapping;
use request::Args;

pub use crate::suite::model::Profile;

impl Profile {
    /// Parses `okta`, `okta-aiw`, `entra`, `entra-2020`.
    pub fn parse(name: &str) -> Result<Self, ExpandError> {
        Self::from_name(name).ok_or_else(|| ExpandError::UnknownFlavour(name.to_owned()))
    }

    fn okta_flavour(self) -> Option<okta::Flavour> {
        match self {
            Self::Okta => Some(okta::Flavour::Oin),
            Self::OktaAiw => Some(okta::Flavour::Aiw),
            _ => None,
        }
    }

    fn entra_flavour(self) -> Option<entra::Flavour> {
        match self {
            Self::Entra => Some(entra::Flavour::Default),
            Self::Entra2020 => Some(entra::Flavour::Optscim2020),
            _ => None,
        }
    }
}

/// The flavour of each family a run uses.
#[derive(Debug, Clone, Copy)]
struct Flavours<'a> {
    selected: Profile,
    okta: okta::Flavour,
    entra: entra::Flavour,
    /// A user's profile file (`--idp-file`): `idp.*` actions use it.
    custom: Option<&'a profile::ProfileSpec>,
}

/// Returns `suite` with every action step replaced by concrete request steps.
/// `profile` (from `--idp`) overrides the suite's default profile.
pub fn expand_suite(suite: &Suite, profile: Option<&str>) -> Result<Suite, ExpandError> {
    expand_suite_with(suite, profile, None)
}

/// Like [`expand_suite`], with `custom` (a user's `--idp-file`) as the
/// profile of every `idp.*` action.
pub fn expand_suite_with(
    suite: &Suite,
    profile: Option<&str>,
    custom: Option<&profile::ProfileSpec>,
) -> Result<Suite, ExpandError> {
    let run_profile = profile.map(Profile::parse).transpose()?;
    let suite_profile = suite.idp;
    let selected = run_profile.or(suite_profile).unwrap_or(Profile::Okta);
    // `okta.*` actions keep Okta's shape even when the run selects Entra:
    // the suite tells Okta's story. Within the Okta family `--idp` decides.
    let okta_flavour = selected
        .okta_flavour()
        .or_else(|| suite_profile.and_then(Profile::okta_flavour))
        .unwrap_or(okta::Flavour::Oin);
    let entra_flavour = selected
        .entra_flavour()
        .or_else(|| suite_profile.and_then(Profile::entra_flavour))
        .unwrap_or(entra::Flavour::Default);
    let flavours = Flavours {
        selected,
        okta: okta_flavour,
        entra: entra_flavour,
        custom,
    };
    let mapping = ProfileMapping::from_value(suite.okta_profile.as_ref()).map_err(|message| {
        ExpandError::BadMapping {
            suite: suite.source.clone(),
            message,
        }
    })?;

    let mut out = suite.clone();
    for case in &mut out.cases {
        let case_name = case.name.clone();
        fn expand_list(
            steps: &[Step],
            expand: &dyn Fn(&ActionStep) -> Result<Vec<RequestStep>, ExpandError>,
        ) -> Result<Vec<Step>, ExpandError> {
            let mut expanded = Vec::with_capacity(steps.len());
            for step in steps {
                match step {
                    Step::Request(_) => expanded.push(step.clone()),
                    Step::Action(action) => expanded.extend(
                        expand(action)?
                            .into_iter()
                            .map(|s| Step::Request(Box::new(s))),
                    ),
                    // A group stays a group: its actions' requests are sent at once.
                    Step::Parallel(group) => {
                        let parallel = expand_list(&group.parallel, expand)?;
                        expanded.push(Step::Parallel(Box::new(ParallelStep { parallel })));
                    }
                }
            }
            Ok(expanded)
        }
        let expand = |action: &ActionStep| {
            let args = Args {
                suite: &suite.source,
                case: &case_name,
                action,
            };
            reject_volatile_arguments(&args)?;
            expand_action(action, &args, flavours, &mapping)
        };
        let steps = expand_list(&case.steps, &expand);
        let cleanup = expand_list(&case.cleanup, &expand);
        match (steps, cleanup) {
            (Ok(steps), Ok(cleanup)) => {
                case.steps = steps;
                case.cleanup = cleanup;
            }
            // The profile never sends this (a declared switch): the case is
            // skipped with the reason, nothing of it is sent.
            (Err(e @ ExpandError::NotSent { .. }), _)
            | (_, Err(e @ ExpandError::NotSent { .. })) => {
                case.steps.clear();
                case.cleanup.clear();
                case.requires.push(Requirement::NotSent(e.detail()));
            }
            (Err(e), _) | (_, Err(e)) => return Err(e),
        }
    }
    Ok(out)
}

fn expand_action(
    action: &ActionStep,
    args: &Args<'_>,
    flavours: Flavours<'_>,
    mapping: &ProfileMapping,
) -> Result<Vec<crate::suite::model::RequestStep>, ExpandError> {
    let name = action.action.verb.as_str();
    let unknown = |profile: &str, known: &[&str]| ExpandError::UnknownAction {
        suite: args.suite.to_owned(),
        case: args.case.to_owned(),
        profile: profile.to_owned(),
        action: name.to_owned(),
        hint: did_you_mean(name, known),
    };
    match action.action.family {
        // `idp.*`: the run's profile, in the IdP-neutral vocabulary.
        ActionFamily::Idp => {
            if let Some(spec) = flavours.custom {
                return profile::expand(spec, name, args)?
                    .ok_or_else(|| unknown(&spec.name, profile::ACTIONS));
            }
            let selected = flavours.selected;
            if selected.is_data() {
                let spec = profile::bundled_profile(selected.name())?;
                return profile::expand(spec, name, args)?
                    .ok_or_else(|| unknown(&spec.name, profile::ACTIONS));
            }
            neutral_on_code(selected, name, args, flavours, mapping)?
                .ok_or_else(|| unknown(selected.name(), profile::ACTIONS))
        }
        ActionFamily::Okta => okta::expand(flavours.okta, name, args, mapping)?
            .ok_or_else(|| unknown("okta", okta::ACTIONS)),
        ActionFamily::Entra => entra::expand(flavours.entra, name, args)?
            .ok_or_else(|| unknown("entra", entra::ACTIONS)),
        ActionFamily::Data(p) => {
            let spec = profile::bundled_profile(p.name())?;
            profile::expand(spec, name, args)?.ok_or_else(|| unknown(&spec.name, profile::ACTIONS))
        }
    }
}

/// An IdP-neutral action (`idp.create_user`) under Okta or Entra, which
/// stay code: the neutral name and arguments translated to theirs.
fn neutral_on_code(
    selected: Profile,
    name: &str,
    args: &Args<'_>,
    flavours: Flavours<'_>,
    mapping: &ProfileMapping,
) -> Result<Option<Vec<crate::suite::model::RequestStep>>, ExpandError> {
    let okta = matches!(selected, Profile::Okta | Profile::OktaAiw);
    let canonical = profile::canonical(name);
    let mut action = args.action.clone();
    let translated = if okta {
        match canonical {
            "test_connection" => "test_connector",
            "create_user" => "push_new_user",
            "update_user" => "push_profile_update",
            "create_group" => "push_group",
            "delete_group" => "unlink_group",
            "add_member" | "remove_member" => {
                // Okta sends membership as a delta (OIN) or the whole list
                // (AIW); `with.members` names the members changed and
                // `with.remaining` the membership after the change.
                let members = action.with.shift_remove("members").unwrap_or_default();
                let remaining = action.with.shift_remove("remaining");
                let key = if canonical == "add_member" {
                    "add"
                } else {
                    "remove"
                };
                action.with.insert(key.to_owned(), members.clone());
                let all = remaining.unwrap_or_else(|| {
                    if canonical == "add_member" {
                        members
                    } else {
                        serde_json::Value::Array(vec![])
                    }
                });
                action.with.insert("members".to_owned(), all);
                "push_group_members"
            }
            other => other,
        }
    } else {
        action.with.shift_remove("remaining");
        match canonical {
            "add_member" => "add_members",
            "remove_member" => "remove_members",
            other => other,
        }
    };
    let args = Args {
        suite: args.suite,
        case: args.case,
        action: &action,
    };
    if okta {
        okta::expand(flavours.okta, translated, &args, mapping)
    } else {
        entra::expand(flavours.entra, translated, &args)
    }
}

/// An action repeats its arguments in several requests (the lookup, the
/// create, the link), and each request renders its templates afresh. A
/// built-in that yields a new value at every evaluation would make those
/// requests disagree, so such arguments must be bound to a variable first.
fn reject_volatile_arguments(args: &Args<'_>) -> Result<(), ExpandError> {
    const VOLATILE: &[&str] = &["unique.", "uuid", "random(", "now"];
    fn find(value: &serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::String(s) => {
                let mut rest = s.as_str();
                while let Some(open) = rest.find("{{") {
                    let after = &rest[open + 2..];
                    let close = after.find("}}")?;
                    let expr = after[..close].trim();
                    if VOLATILE.iter().any(|v| expr.starts_with(v)) {
                        return Some(format!("{{{{ {expr} }}}}"));
                    }
                    rest = &after[close..];
                }
                None
            }
            serde_json::Value::Array(items) => items.iter().find_map(find),
            serde_json::Value::Object(map) => map.values().find_map(find),
            _ => None,
        }
    }
    for (name, value) in &args.action.with {
        if let Some(template) = find(value) {
            return Err(args.error(format!(
                "`with.{name}` uses `{template}`, which changes at every request the action sends; \
                 bind it to a suite variable (vars: {{ x: \"{template}\" }}) and pass `{{{{ x }}}}`"
            )));
        }
    }
    Ok(())
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
