//! Errors raised while expanding IdP actions into requests.

/// Why an action could not be expanded. Raised before anything is sent, so
/// it is a suite error (exit code 2), never a test failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    /// The action names a profile family that does not exist.
    #[error(
        "{suite}: case `{case}`: unknown IdP `{family}` in action `{action}` (known: idp, okta, entra and every profile name)"
    )]
    UnknownProfile {
        /// Suite source path.
        suite: String,
        /// Case name.
        case: String,
        /// The family part of the action (`okta` in `okta.push_new_user`).
        family: String,
        /// The action as written.
        action: String,
    },
    /// The profile exists but has no such action.
    #[error("{suite}: case `{case}`: {profile} has no action `{action}`{hint}")]
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
    #[error(
        "unknown IdP profile `{0}` (known: okta, okta-aiw, entra, entra-2020, onelogin, pingfederate, jumpcloud, google, rippling, sailpoint, authentik)"
    )]
    UnknownFlavour(String),
    /// A required `with:` argument is missing or has the wrong shape.
    #[error("{suite}: case `{case}`: action `{action}`: {message}")]
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
    #[error("{suite}: okta_profile: {message}")]
    BadMapping {
        /// Suite source path.
        suite: String,
        /// What is wrong.
        message: String,
    },
    /// A profile file (`--idp-file`, or a bundled `profiles/*.yaml`) is malformed.
    #[error("{0}")]
    BadProfile(String),
}
