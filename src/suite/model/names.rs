//! The closed vocabularies a suite names, read when it loads: HTTP methods,
//! JSON types, capabilities, IdP profiles and action names. Each has one list
//! of its spellings; the loader (`suite::de`), `idp` and the CLI read it. No
//! I/O and no knowledge of what an IdP's actions expand into.

use std::fmt;

use serde::Serialize;

/// Names read at load time, case-sensitively unless the type says otherwise:
/// `ALL` and `NAMES` in the same order, `name()` and `from_name()`.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the order of `NAMES`.
            pub const ALL: &'static [$name] = &[$(Self::$variant,)+];
            /// The names the suite language uses, in the order of `ALL`.
            pub const NAMES: &'static [&'static str] = &[$($text,)+];

            /// The name the suite language uses.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }
    };
}

named_enum! {
    /// An HTTP method a request may use. Suites may write it in any case
    /// (`get`, `GET`); it is sent and written in upper case.
    #[derive(Default)]
    Method {
        /// `GET`
        #[default]
        Get = "GET",
        /// `POST`
        Post = "POST",
        /// `PUT`
        Put = "PUT",
        /// `PATCH`
        Patch = "PATCH",
        /// `DELETE`
        Delete = "DELETE",
        /// `HEAD`
        Head = "HEAD",
        /// `OPTIONS`
        Options = "OPTIONS",
    }
}

impl Method {
    /// The method called `name`, in any case (`get`, `Get`, `GET`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|m| m.name().eq_ignore_ascii_case(name))
    }
}

named_enum! {
    /// A JSON type a predicate's `type:` names. `type: null` in YAML (the
    /// YAML null, not a string) also names the JSON type `null`.
    JsonType {
        /// A JSON string.
        String = "string",
        /// Any JSON number.
        Number = "number",
        /// A number without a fractional part (`3`, `3.0`).
        Integer = "integer",
        /// `true` or `false`.
        Boolean = "boolean",
        /// A JSON object.
        Object = "object",
        /// A JSON array.
        Array = "array",
        /// `null`.
        Null = "null",
    }
}

impl JsonType {
    /// The type called exactly `name` (`string`, …).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.name() == name)
    }
}

named_enum! {
    /// A capability `requires: [{ capability: … }]` names: the attribute of
    /// `/ServiceProviderConfig` whose `supported` must be `true`.
    Capability {
        /// `patch`
        Patch = "patch",
        /// `bulk`
        Bulk = "bulk",
        /// `filter`
        Filter = "filter",
        /// `changePassword`
        ChangePassword = "changePassword",
        /// `sort`
        Sort = "sort",
        /// `etag`
        Etag = "etag",
    }
}

impl Capability {
    /// The capability called exactly `name` (`changePassword`, …).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.name() == name)
    }
}

/// An IdP profile a suite (`idp:`) or a run (`--idp`) selects. [`Profile::NAMES`]
/// is the one list of their names: the loader, `idp` and the CLI all read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Okta Integration Network catalogue app (PATCH for lifecycle and groups).
    Okta,
    /// Okta App Integration Wizard custom app (GET + PUT everywhere).
    OktaAiw,
    /// Microsoft Entra ID, default provisioning job.
    Entra,
    /// Entra ID with the `aadOptscim062020` flag.
    Entra2020,
    /// OneLogin (a data profile, `profiles/onelogin.yaml`).
    OneLogin,
    /// PingFederate's SCIM connector / PingOne (`profiles/pingfederate.yaml`).
    PingFederate,
    /// JumpCloud's custom SCIM integration (`profiles/jumpcloud.yaml`).
    JumpCloud,
    /// Google Workspace auto-provisioning (`profiles/google.yaml`).
    Google,
    /// Rippling's custom SCIM app (`profiles/rippling.yaml`).
    Rippling,
    /// SailPoint's SCIM 2.0 connector (`profiles/sailpoint.yaml`).
    SailPoint,
    /// authentik's SCIM provider (`profiles/authentik.yaml`).
    Authentik,
}

impl Profile {
    /// Every profile, in the order of [`Profile::NAMES`].
    pub const ALL: [Profile; 11] = [
        Self::Okta,
        Self::OktaAiw,
        Self::Entra,
        Self::Entra2020,
        Self::OneLogin,
        Self::PingFederate,
        Self::JumpCloud,
        Self::Google,
        Self::Rippling,
        Self::SailPoint,
        Self::Authentik,
    ];
    /// The names suites and `--idp` use, in the order of [`Profile::ALL`].
    pub const NAMES: [&'static str; 11] = [
        "okta",
        "okta-aiw",
        "entra",
        "entra-2020",
        "onelogin",
        "pingfederate",
        "jumpcloud",
        "google",
        "rippling",
        "sailpoint",
        "authentik",
    ];

    /// Whether the profile is data (a bundled `profiles/*.yaml`) rather than code.
    pub fn is_data(self) -> bool {
        !matches!(
            self,
            Self::Okta | Self::OktaAiw | Self::Entra | Self::Entra2020
        )
    }

    /// The profile's name (`okta-aiw`, …).
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The profile called `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl Serialize for Profile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// The vocabulary an action's name is in: `idp.*` (the run's profile), the
/// code profiles `okta.*` and `entra.*`, or a data profile (`onelogin.*`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionFamily {
    /// `idp.*`: IdP-neutral, expanded by whichever profile runs.
    Idp,
    /// `okta.*` (the `--idp` flavour decides OIN or AIW).
    Okta,
    /// `entra.*` (the `--idp` flavour decides the default job or 2020).
    Entra,
    /// A data profile's own name (`onelogin.create_user`).
    Data(Profile),
}

impl ActionFamily {
    /// Every family name a suite may write, in a stable order.
    pub fn names() -> Vec<&'static str> {
        ["idp", "okta", "entra"]
            .into_iter()
            .chain(
                Profile::ALL
                    .iter()
                    .filter(|p| p.is_data())
                    .map(|p| p.name()),
            )
            .collect()
    }

    /// The family called `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "idp" => Some(Self::Idp),
            "okta" => Some(Self::Okta),
            "entra" => Some(Self::Entra),
            other => Profile::from_name(other)
                .filter(|p| p.is_data())
                .map(Self::Data),
        }
    }

    /// The family's name as written.
    pub fn name(self) -> &'static str {
        match self {
            Self::Idp => "idp",
            Self::Okta => "okta",
            Self::Entra => "entra",
            Self::Data(p) => p.name(),
        }
    }
}

/// An action's name, `family.verb`, read when the suite loads: the family is
/// typed; the verb is resolved by `idp` when the plan is built (each IdP
/// owns its verbs, and `suite` never imports `idp`), where an unknown one is
/// a located suite error with a "did you mean".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionName {
    /// Which vocabulary.
    pub family: ActionFamily,
    /// The action within it (`push_new_user`).
    pub verb: String,
}

impl ActionName {
    /// Reads `family.verb`; the error says what is wrong with `text`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let ident = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        let Some((family, verb)) = text.split_once('.').filter(|(f, v)| ident(f) && ident(v))
        else {
            return Err(format!(
                "action `{text}` must have the form `<profile>.<action>`, e.g. `okta.push_new_user` or `idp.deactivate_user`"
            ));
        };
        let Some(family) = ActionFamily::from_name(family) else {
            return Err(format!(
                "unknown IdP `{family}` in action `{text}` (known: {})",
                ActionFamily::names().join(", ")
            ));
        };
        Ok(Self {
            family,
            verb: verb.to_owned(),
        })
    }
}

impl fmt::Display for ActionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.family.name(), self.verb)
    }
}

impl Serialize for ActionName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Profile;

    #[test]
    fn every_profile_name_round_trips_and_unknown_names_do_not() {
        for (profile, name) in Profile::ALL.into_iter().zip(Profile::NAMES) {
            assert_eq!(profile.name(), name);
            assert_eq!(Profile::from_name(name), Some(profile));
        }
        assert_eq!(Profile::from_name("okta-oin"), None);
        assert_eq!(Profile::from_name("Okta"), None);
    }
}
