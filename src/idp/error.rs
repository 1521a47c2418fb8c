//! Errors raised while expanding IdP actions into requests.

/// Why an action could not be expanded. Raised before anything is sent, so
/// it is a suite error (exit code 2), never a test failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    /// The profile exists but has no such action.
    UnknownAction {
        /// Suite source path.
        suite: String,
        /// Case name.
        case: String,
        /// The profile that was asked.
        profile: String,
        /// The action name without its family.
        action: String,
        /// ", did you mean `…`?" or empty.
        hint: String,
    },
    /// `--idp` or the suite's `idp:` names no known profile.
    UnknownFlavour(String),
    /// A required `with:` argument is missing or has the wrong shape.
    BadArgument {
        /// Suite source path.
        suite: String,
        /// Case name.
        case: String,
        /// The action as written.
        action: String,
        /// What is wrong.
        message: String,
    },
    /// The suite's `okta_profile` block is malformed.
    BadMapping {
        /// Suite source path.
        suite: String,
        /// What is wrong.
        message: String,
    },
    /// A profile file (`--idp-file`, or a bundled `profiles/*.yaml`) is malformed.
    BadProfile(String),
    /// The run's profile never sends what the action asks, by a switch its
    /// own configuration declares (Rippling's form: "Supports Groups" off).
    /// Not a suite error: [`crate::idp::expand_suite_with`] skips the case
    /// with this reason.
    NotSent {
        /// The profile.
        profile: String,
        /// The action name without its family.
        action: String,
        /// Which declared switch says so.
        reason: String,
    },
}

impl ExpandError {
    /// What is wrong, without the suite and case it happened in (a located
    /// suite error gives those as `file:line:column: field:`).
    pub fn detail(&self) -> String {
        match self {
            Self::UnknownAction {
                profile,
                action,
                hint,
                ..
            } => format!("{profile} has no action `{action}`{hint}"),
            Self::UnknownFlavour(name) => format!(
                "unknown IdP profile `{name}` (known: {})",
                crate::suite::model::Profile::NAMES.join(", ")
            ),
            Self::BadArgument {
                action, message, ..
            } => format!("action `{action}`: {message}"),
            Self::BadMapping { message, .. } => message.clone(),
            Self::BadProfile(message) => message.clone(),
            Self::NotSent {
                profile,
                action,
                reason,
            } => format!("{profile} does not send `{action}`: {reason}"),
        }
    }
}

impl std::fmt::Display for ExpandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownAction { suite, case, .. } | Self::BadArgument { suite, case, .. } => {
                write!(f, "{suite}: case `{case}`: {}", self.detail())
            }
            Self::BadMapping { suite, .. } => write!(f, "{suite}: okta_profile: {}", self.detail()),
            Self::UnknownFlavour(_) | Self::BadProfile(_) | Self::NotSent { .. } => {
                f.write_str(&self.detail())
            }
        }
    }
}
