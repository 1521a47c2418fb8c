//! The suite model: what a YAML suite file deserialises into.
//!
//! Everything here is plain data. Template strings (`{{ name }}`) are kept
//! verbatim and rendered by the runner right before a step is sent; IdP
//! `action:` steps are kept as data and expanded by `idp` before the run.

use indexmap::IndexMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

mod names;

pub use names::{ActionFamily, ActionName, Capability, JsonType, Method, Profile};

/// How much a failing case matters.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: a good practice no IdP relies on.
    Advisory,
    /// An RFC MUST that IdPs do not rely on yet.
    Recommended,
    /// An IdP breaks when this fails.
    #[default]
    Required,
}

/// One suite file.
///
/// Deserialisation is hand-written (`suite::de`): unknown keys are errors,
/// except top-level keys starting with `x-`, which are ignored so that they
/// can hold YAML anchors (`x-create: &create { … }`, then `- *create`).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Suite {
    /// Human-readable suite title.
    pub suite: String,
    /// Where the suite came from: its path relative to the suite root
    /// (`okta/push-new-user.yaml`), or the file path given by the user.
    /// Filled by the loader, never read from YAML.
    #[serde(skip)]
    pub source: String,
    /// The YAML text the suite was loaded from (filled by the loader; lets
    /// lint errors point at lines). `None` for suites built in code.
    #[serde(skip)]
    pub source_text: Option<std::sync::Arc<str>>,
    /// Longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tags used by `--tag` selection.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Default IdP profile (`okta`, `okta-aiw`, `entra`, `entra-2020`, …;
    /// an unknown name is a load error); `--idp` overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp: Option<Profile>,
    /// Default severity of the cases below.
    #[serde(default)]
    pub severity: Severity,
    /// Suite variables, rendered afresh at the start of every case.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub vars: IndexMap<String, VarSpec>,
    /// Okta app-user profile mapping used by `okta.*` actions (issue 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub okta_profile: Option<Value>,
    /// The cases, run in order.
    pub cases: Vec<Case>,
}

/// A suite variable: a plain value, or a value marked secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum VarSpec {
    /// `name: { value: …, secret: true }`
    Detailed {
        /// The value (may contain templates).
        value: Value,
        /// Secret values are redacted in every output.
        #[serde(default)]
        secret: bool,
    },
    /// `name: value`
    Plain(Value),
}

/// One case: a story of steps with expectations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Case name, unique within the suite.
    pub name: String,
    /// One line: which IdP behaviour breaks when this case fails.
    pub why: String,
    /// Overrides the suite's severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Extra tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Preconditions; an unmet one turns the case into a skip with its reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<Requirement>,
    /// The steps, run in order; the case stops at the first failing step.
    pub steps: Vec<Step>,
    /// Steps run after the case whatever its outcome (deleting what it created).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cleanup: Vec<Step>,
}

/// A precondition of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// A revoked token was supplied (`--revoked-token`, or the embedded server).
    RevokedToken,
    /// The target is scimulator's own reference server (product checks).
    ReferenceServer,
    /// `/ServiceProviderConfig` advertises `<name>.supported: true`
    /// (`patch`, `bulk`, `filter`, `changePassword`, `sort`, `etag`).
    Capability(Capability),
    /// `/ResourceTypes` lists a resource type whose `schema` (or `name`) is
    /// this, e.g. Okta's `urn:okta:scim:schemas:core:1.0:Entitlement`.
    ResourceType(String),
    /// The run defines this variable (`--var`, `--secret`, or a flag such as
    /// `--second-token`); without it the case is skipped with the reason.
    Var(String),
    /// Set by IdP expansion, never read from a suite: the run's profile never
    /// sends what the case checks (a switch its own configuration declares,
    /// as Rippling's form does); the case is skipped with this reason.
    NotSent(String),
}

/// A step: a concrete request, or an IdP action expanded before the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Step {
    /// `request: {…}` with `expect`, `capture`, …
    Request(Box<RequestStep>),
    /// `action: okta.push_new_user` with `with: {…}`.
    Action(Box<ActionStep>),
    /// `parallel: [ … ]`: request and action steps sent at once.
    Parallel(Box<ParallelStep>),
}

/// The most steps (after IdP expansion) one `parallel:` group may send at once.
pub const MAX_PARALLEL: usize = 32;

/// `parallel:`: steps sent at once, each checked by its own `expect`.
///
/// Each step is rendered in the scope as it was before the group (a step
/// cannot read what a sibling captures); the group's captures are merged
/// into the case's scope after every step has finished, in YAML order, and
/// two steps of a group may not capture the same name. Reports list the
/// steps in YAML order, not in the order their answers came.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParallelStep {
    /// The steps (requests, or actions expanding into requests), at most
    /// [`MAX_PARALLEL`] requests after expansion; none is a `parallel:`.
    pub parallel: Vec<Step>,
}

/// A concrete HTTP exchange and what must hold of its response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RequestStep {
    /// Optional label shown in reports (defaults to the request line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The request to send.
    pub request: RequestSpec,
    /// What the response must look like.
    #[serde(default, skip_serializing_if = "Expect::is_empty")]
    pub expect: Expect,
    /// Variables to capture from the response.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub capture: IndexMap<String, CaptureSpec>,
    /// Bounded polling until `expect` holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// Only send this step when the condition holds (used by IdP expansions,
    /// e.g. POST only when the lookup found nothing); otherwise it is skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
    /// Set by IdP expansion: the action this step came from (`okta: deactivate_user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// An IdP action step, as written in a suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionStep {
    /// Optional label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `okta.push_new_user`, `entra.create_user`, or `idp.push_new_user` for the run's profile.
    pub action: ActionName,
    /// Action arguments (may contain templates).
    #[serde(default, rename = "with")]
    pub with: IndexMap<String, Value>,
    /// Extra expectations on the action's main response, added to the profile's own.
    #[serde(default, skip_serializing_if = "Expect::is_empty")]
    pub expect: Expect,
    /// Captures from the action's main response.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub capture: IndexMap<String, CaptureSpec>,
}

/// The request part of a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// HTTP method (`GET`, `POST`, …; read case-insensitively).
    pub method: Method,
    /// Path relative to the target base URL (`/Users/{{ id }}`).
    pub path: String,
    /// Query parameters in order: `[[filter, 'userName eq "x"'], [count, 1]]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<(String, Value)>,
    /// How spaces in query values are encoded: `%20` (default) or `+`.
    #[serde(default, skip_serializing_if = "QueryEncoding::is_default")]
    pub encoding: QueryEncoding,
    /// Extra headers; names are case-insensitive.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    /// JSON body (written as YAML or JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Deep-merged into the rendered `body` before sending: objects merge key
    /// by key, anything else replaces. IdP profiles use it to echo a fetched
    /// resource with the IdP-mastered attributes overwritten (Okta's GET + PUT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_merge: Option<Value>,
    /// A raw text body, sent verbatim (for malformed-JSON checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_body: Option<String>,
    /// Which credentials to send.
    #[serde(default, skip_serializing_if = "Auth::is_default")]
    pub auth: Auth,
    /// Page through a list until `totalResults` (Okta's import).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paginate: Option<Paginate>,
    /// Separators sent verbatim after the query string (after the path when
    /// there is no query), as some IdPs do: OneLogin's `filter=…&` and
    /// `PUT /Users/{id}?` (idp-wire-more.md §1, `[3p]`). Only `&`, `?` and `=`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "query_suffix"
    )]
    pub query_suffix: Option<String>,
}

/// Reads a `query_suffix`: one to four of `&`, `?` and `=`, nothing else (a
/// suffix never carries data, so it cannot smuggle a parameter past the
/// encoding rules).
pub fn query_suffix<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    crate::suite::de::parsed(d, "separators like `&`", |t| {
        if t.is_empty() || t.len() > 4 || !t.chars().all(|c| matches!(c, '&' | '?' | '=')) {
            Err(format!(
                "query_suffix `{t}` may hold only 1 to 4 of `&`, `?` and `=`"
            ))
        } else {
            Ok(t.to_owned())
        }
    })
    .map(Some)
}

/// Query-string space encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum QueryEncoding {
    /// `userName%20eq%20%22x%22` (Okta's current docs).
    #[default]
    #[serde(rename = "%20")]
    Percent20,
    /// `userName+eq+%22x%22` (Okta's 2019 capture, Entra ID).
    #[serde(rename = "+")]
    Plus,
}

impl QueryEncoding {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Credentials for one request. In YAML: `default`, `none`, `invalid`,
/// `revoked`, `{ token: … }`, `{ raw: … }` or `{ scheme: … }` (hand-written `Deserialize`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Auth {
    /// The run's credentials (`--token`, `--basic`).
    #[default]
    Default,
    /// No `Authorization` header at all.
    None,
    /// A well-formed bearer token the server has never issued.
    Invalid,
    /// The revoked token (`--revoked-token`); the case needs `requires: [revoked_token]`.
    Revoked,
    /// A bearer token given here (may be a template).
    Token(String),
    /// An `Authorization` header value sent verbatim (`non-token`, `Basic …`).
    Raw(String),
    /// The run's bearer token under this spelling of the scheme (`bearer`,
    /// `BEARER`: RFC 7235 §2.1 makes the scheme case-insensitive).
    Scheme(String),
}

impl Auth {
    fn is_default(&self) -> bool {
        *self == Self::Default
    }
}

/// Paging through a list endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paginate {
    /// Page size sent as `count` (Okta: 100).
    pub count: u64,
    /// Safety bound on the number of pages.
    #[serde(default = "Paginate::default_max_pages")]
    pub max_pages: u64,
}

impl Paginate {
    fn default_max_pages() -> u64 {
        1000
    }
}

/// A runtime condition on a variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// Variable name.
    pub var: String,
    /// Holds when the variable equals this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eq: Option<Value>,
    /// Holds when the variable differs from this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ne: Option<Value>,
}

/// Bounded polling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Maximum number of attempts after the first.
    pub times: u32,
    /// Pause between attempts, in milliseconds.
    #[serde(default = "Retry::default_interval")]
    pub interval_ms: u64,
}

impl Retry {
    fn default_interval() -> u64 {
        500
    }
}

/// Expectations on a response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Allowed status codes (`status: 200` or `status: [200, 204]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusSpec>,
    /// Header checks by case-insensitive name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, HeaderCheck>,
    /// Body checks: JSONPath → predicate (a bare value means `eq`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub json: IndexMap<String, Predicate>,
    /// Partial-JSON match: every key and array element given must be present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Validate the body against an embedded RFC 7643 schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<SchemaName>,
    /// Compare the normalised response with `snapshots/…/<name>.snap`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
}

impl Expect {
    /// True when nothing is expected.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One status or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum StatusSpec {
    /// `status: 200`
    One(u16),
    /// `status: [200, 204]`
    Any(Vec<u16>),
}

impl StatusSpec {
    /// The allowed codes.
    pub fn codes(&self) -> Vec<u16> {
        match self {
            Self::One(c) => vec![*c],
            Self::Any(v) => v.clone(),
        }
    }
}

/// A header check.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum HeaderCheck {
    /// `Location: { exists: true }`, `{ equals: … }`, `{ matches: regex }`, `{ absent: true }`.
    Detailed(HeaderPredicate),
    /// `Content-Type: application/scim+json` (exact, case-insensitive for media types is up to `matches`).
    Equals(String),
}

/// Detailed header predicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct HeaderPredicate {
    /// The header is present (or, with `false`, absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    /// Exact value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    /// Regular expression the value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
    /// Substring the value must contain (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
    /// The header is absent or has another value than this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ne: Option<String>,
}

/// A predicate on the value(s) a JSONPath selects. Written as a map of one
/// or more predicate keys (all must hold); any other YAML value means `eq`.
/// A map is always read as predicate keys: compare with an object through
/// `{ eq: { … } }` (an `Eq` holding an object serialises that way too).
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// `{ eq_ci: "x", exists: true, … }`
    Ops(Box<PredicateOps>),
    /// A literal: `$.active: false`.
    Eq(Value),
}

/// The predicate keys. At least one is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PredicateOps {
    /// Equal (JSON equality; numbers compare by value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eq: Option<Value>,
    /// Equal ignoring ASCII/Unicode case (strings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eq_ci: Option<Value>,
    /// Not equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ne: Option<Value>,
    /// The path selects something (`true`) or nothing (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    /// The path selects nothing, or null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absent: Option<bool>,
    /// JSON type: `string`, `number`, `integer`, `boolean`, `object`, `array`, `null`.
    /// (`type: null` in YAML means the JSON type `null`.)
    #[serde(
        default,
        rename = "type",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::de::type_name"
    )]
    pub type_: Option<JsonType>,
    /// Length of a string, array or object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub len: Option<u64>,
    /// Array contains an element equal to (or a superset of) this; string contains this substring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<Value>,
    /// String matches this regular expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
    /// Number greater than.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gt: Option<f64>,
    /// Number less than.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lt: Option<f64>,
    /// Number greater than or equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ge: Option<f64>,
    /// Number less than or equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub le: Option<f64>,
    /// Equal to one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<Value>>,
    /// Array elements (or the selected values) are pairwise distinct.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique: Option<bool>,
    /// String is non-empty / array or object has at least one element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_empty: Option<bool>,
    /// The values found both in the selected array and in this array (or
    /// template rendering to one) appear in the same relative order in both;
    /// values found in only one of them are ignored (so a path selecting
    /// nothing holds), and each counts at its first occurrence. Compares the
    /// order of two reads of a list that other clients may change in between.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_order: Option<Value>,
}

pub use crate::schema_check::SchemaName;

/// What to capture.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CaptureSpec {
    /// `id: $.id` (a JSONPath).
    Json(String),
    /// `{ json: $.id, secret: true }` or `{ header: Location }`, optionally `regex` (first group).
    Detailed(CaptureDetail),
}

/// A detailed capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CaptureDetail {
    /// JSONPath into the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<String>,
    /// Response header name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// Regex applied to the captured string; the first group (or the whole match) is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// Redact this value in every output.
    #[serde(default)]
    pub secret: bool,
    /// A capture that finds nothing leaves the variable unset (or `null`)
    /// instead of failing the step (used for IdP lookups that may find nothing).
    #[serde(default)]
    pub optional: bool,
}
