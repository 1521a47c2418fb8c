//! The vocabulary of an IdP profile: the wire habits one identity provider
//! shows, as data. Bundled profiles (`profiles/*.yaml`) and a user's
//! `--idp-file` deserialise into [`ProfileSpec`]; Okta and Entra, which stay
//! code, are described in the same terms by [`super::describe`].

use std::num::NonZeroU32;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::suite::model::QueryEncoding;

/// One IdP's habits. Every field but `name` and `imitates` has a default:
/// the plainest RFC 7644 client (SCIM media type, PATCH with lower-case ops,
/// real booleans, `filter=userName eq "…"` with `%20`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// The name `--idp` and `<name>.<action>` use.
    pub name: String,
    /// What the profile imitates, in one line (shown by `list` and the README).
    pub imitates: String,
    /// Where the habits come from (catalogue sections, tagged `[doc]`, `[3p]`…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Headers sent on every request (`User-Agent`, `Accept`, …); an empty
    /// value sends the header empty.
    #[serde(default)]
    pub headers: IndexMap<String, String>,
    /// `Content-Type` of request bodies.
    #[serde(default = "scim_json")]
    pub content_type: String,
    /// Response media types the IdP accepts (a response with a body must
    /// have one of them).
    #[serde(default = "accepted_types")]
    pub accepts: Vec<String>,
    /// How booleans are written in bodies.
    #[serde(default)]
    pub booleans: Booleans,
    /// How PATCH `op` values are spelled.
    #[serde(default)]
    pub op_case: OpCase,
    /// User habits.
    #[serde(default)]
    pub users: Users,
    /// Group habits.
    #[serde(default)]
    pub groups: Groups,
    /// Paging habits of list-all lookups.
    #[serde(default)]
    pub paging: Paging,
    /// The connection test's requests, in order.
    #[serde(default = "default_probes")]
    pub connection_test: Vec<Probe>,
    /// Where capabilities come from.
    #[serde(default)]
    pub capabilities: Capabilities,
}

fn scim_json() -> String {
    crate::scim::MEDIA_TYPE.to_owned()
}

fn accepted_types() -> Vec<String> {
    vec![
        crate::scim::MEDIA_TYPE.to_owned(),
        "application/json".to_owned(),
    ]
}

fn default_probes() -> Vec<Probe> {
    vec![Probe::MissingUser {
        accept_status: vec![200],
    }]
}

/// Boolean spelling in bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Booleans {
    /// JSON `true` / `false`.
    #[default]
    Native,
    /// The strings `"true"` / `"false"` (OneLogin templates).
    String,
    /// The strings `"True"` / `"False"` (Entra's default job).
    Capitalised,
}

/// PATCH `op` spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpCase {
    /// `add`, `remove`, `replace`.
    #[default]
    Lower,
    /// `Add`, `Remove`, `Replace`.
    Capitalised,
}

/// How a resource is changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Update {
    /// `PATCH` with one `replace` per attribute.
    #[default]
    Patch,
    /// `GET` the resource, then `PUT` it back whole with the changes.
    Put,
}

/// How a user is deprovisioned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deactivate {
    /// `PATCH` `active` to false.
    #[default]
    Patch,
    /// `GET` + full `PUT` with `active: false`.
    Put,
    /// `DELETE` the user.
    Delete,
}

/// How a lookup finds one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    /// The attribute matched (`userName`, `emails`, `displayName`, …).
    pub attribute: String,
    /// How spaces in the filter are encoded: `%20` or `+`.
    #[serde(default)]
    pub encoding: QueryEncoding,
    /// Send `startIndex=1&count=<page_size>` with the filter.
    #[serde(default)]
    pub paged: bool,
    /// Do not filter at all: page through every resource and match in the client.
    #[serde(default)]
    pub list_all: bool,
    /// Separators after the filter query (OneLogin's trailing `&`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::suite::model::query_suffix"
    )]
    pub query_suffix: Option<String>,
}

/// User habits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Users {
    /// How a user is found before a create.
    #[serde(default = "user_lookup")]
    pub lookup: Lookup,
    /// How profile changes are sent.
    #[serde(default)]
    pub update: Update,
    /// How a user is deprovisioned.
    #[serde(default)]
    pub deactivate: Deactivate,
    /// Separators after the path of a full-`PUT` update (OneLogin's
    /// `PUT /Users/{id}?`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::suite::model::query_suffix"
    )]
    pub put_suffix: Option<String>,
}

fn user_lookup() -> Lookup {
    Lookup {
        attribute: "userName".to_owned(),
        encoding: QueryEncoding::Percent20,
        paged: false,
        list_all: false,
        query_suffix: None,
    }
}

impl Default for Users {
    fn default() -> Self {
        Self {
            lookup: user_lookup(),
            update: Update::default(),
            deactivate: Deactivate::default(),
            put_suffix: None,
        }
    }
}

/// How members are written in a PATCH.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStyle {
    /// `{"op":"remove","path":"members[value eq \"id\"]"}` (add: a value array).
    #[default]
    FilterPath,
    /// `{"op":"remove","path":"members","value":[{"value":"id"}]}`.
    ValueArray,
}

/// Group habits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Groups {
    /// How a group is found before a create.
    #[serde(default = "group_lookup")]
    pub lookup: Lookup,
    /// How member removals are written.
    #[serde(default)]
    pub remove_members: MemberStyle,
    /// One PATCH per member change instead of one for all.
    #[serde(default)]
    pub one_patch_per_member: bool,
}

fn group_lookup() -> Lookup {
    Lookup {
        attribute: "displayName".to_owned(),
        encoding: QueryEncoding::Percent20,
        paged: false,
        list_all: false,
        query_suffix: None,
    }
}

impl Default for Groups {
    fn default() -> Self {
        Self {
            lookup: group_lookup(),
            remove_members: MemberStyle::default(),
            one_patch_per_member: false,
        }
    }
}

/// Paging habits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    /// `count` of each page.
    #[serde(default = "page_size")]
    pub page_size: NonZeroU32,
    /// Pages read at most by a list-all lookup (a bound, not a habit).
    #[serde(default = "max_pages")]
    pub max_pages: NonZeroU32,
}

fn page_size() -> NonZeroU32 {
    NonZeroU32::MIN.saturating_add(99)
}

fn max_pages() -> NonZeroU32 {
    NonZeroU32::MIN.saturating_add(999)
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            page_size: page_size(),
            max_pages: max_pages(),
        }
    }
}

/// One request of the connection test, written `- probe: missing_user` (with
/// the probe's own fields beside `probe`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "probe", rename_all = "snake_case", deny_unknown_fields)]
pub enum Probe {
    /// Look up a random `userName`: an empty ListResponse (or one of
    /// `accept_status`, e.g. OneLogin's 404) is success.
    MissingUser {
        /// Statuses taken as "no such user".
        #[serde(default = "ok_only")]
        accept_status: Vec<u16>,
    },
    /// Look up a random group `displayName`; an empty ListResponse is success.
    MissingGroup,
    /// `GET /Users?count=N` (Google's probe).
    ListUsers {
        /// The `count` sent.
        count: u32,
    },
    /// `GET /ServiceProviderConfig`.
    ServiceProviderConfig,
    /// Create a test user, then delete it (JumpCloud).
    CreateDeleteUser,
    /// Create a test group, then delete it (JumpCloud).
    CreateDeleteGroup,
}

fn ok_only() -> Vec<u16> {
    vec![200]
}

/// Where capabilities come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapabilitySource {
    /// Read from `/ServiceProviderConfig`.
    #[default]
    ServiceProviderConfig,
    /// Declared in the IdP's own configuration (Rippling's form).
    Declared,
}

/// Capabilities: their source and, when declared, the switches.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// Where they come from.
    #[serde(default)]
    pub source: CapabilitySource,
    /// Declared switches (`groups`, `patch_groups`, `pagination`, …), used
    /// only with `source: declared`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub declared: IndexMap<String, bool>,
}

impl Capabilities {
    /// A declared switch (absent → `default`); always `default` when read
    /// from `/ServiceProviderConfig`.
    pub fn switch(&self, name: &str, default: bool) -> bool {
        match self.source {
            CapabilitySource::Declared => self.declared.get(name).copied().unwrap_or(default),
            CapabilitySource::ServiceProviderConfig => default,
        }
    }
}
